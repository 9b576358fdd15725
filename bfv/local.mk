# bfv module: the full-RNS BFV scheme (params, keys, encrypt/decrypt,
# encoders, evaluator, Galois rotations, noise), its tests, benchmark suite
# and tutorial programs.
veilinclude_HEADERS += include/veil/bfv.h
libveil_la_SOURCES += bfv/params.c

check_PROGRAMS += test/bfv/test_bfv
TESTS += test/bfv/test_bfv
test_bfv_test_bfv_SOURCES = test/bfv/params.c
test_bfv_test_bfv_LDADD = $(TEST_LDADD)

# Serialization, CRT-composed plaintexts, the static noise estimator and the
# fuzz targets are kept in their own fragment.
include bfv/aux.mk
