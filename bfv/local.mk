# bfv module: the full-RNS BFV scheme (params, keys, encrypt/decrypt,
# encoders, evaluator, Galois rotations, noise), its tests, benchmark suite
# and tutorial programs.
veilinclude_HEADERS += include/veil/bfv.h

# Serialization, CRT-composed plaintexts, the static noise estimator and the
# fuzz targets are kept in their own fragment.
include bfv/aux.mk
