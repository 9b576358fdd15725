# bfv module: the full-RNS BFV scheme (params, keys, encrypt/decrypt,
# encoders, evaluator, Galois rotations, noise), its tests, benchmark suite
# and tutorial programs.
veilinclude_HEADERS += include/veil/bfv.h
