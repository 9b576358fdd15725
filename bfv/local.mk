# bfv module: the full-RNS BFV scheme (params, keys, encrypt/decrypt,
# encoders, evaluator, Galois rotations, noise), its tests, benchmark suite
# and tutorial programs.
veilinclude_HEADERS += include/veil/bfv.h
noinst_HEADERS += bfv/bfv_internal.h
libveil_la_SOURCES += bfv/params.c bfv/context.c bfv/sample.c \
	bfv/plaintext.c bfv/ciphertext.c bfv/keys.c bfv/encoder.c \
	bfv/encrypt.c bfv/decrypt.c bfv/noise.c bfv/arith.c bfv/kswitch.c \
	bfv/relin.c bfv/galois.c bfv/mul.c bfv/scratch.c bfv/keymem.c

check_PROGRAMS += test/bfv/test_bfv
TESTS += test/bfv/test_bfv
test_bfv_test_bfv_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/params.c test/bfv/encoder.c test/bfv/encrypt.c \
	test/bfv/arith.c test/bfv/galois.c test/bfv/mul.c test/bfv/omp.c \
	test/bfv/badinput.c test/bfv/estimate_chain.c test/bfv/toy.c \
	test/bfv/keymem.c test/bfv/rotsum.c \
	test/doc/bfv_toy.c test/doc/bfv_toy.h test/doc/docblock.c test/doc/docblock.h
test_bfv_test_bfv_LDADD = $(TEST_LDADD)

# static noise estimator (doc/08-crt-plaintexts.md, "Predicting the budget")
veilinclude_HEADERS += include/veil/bfv_estimate.h
libveil_la_SOURCES += bfv/estimate.c

# CRT-composed plaintexts and serialization: their own fragments.
include bfv/crt.mk
include bfv/serial.mk

# veil-bench suite "bfv"
apps_veil_bench_SOURCES += apps/bench/bench_bfv.c

# tutorials (doc/03-bfv.md, doc/06-rotations.md)
noinst_PROGRAMS += apps/01_bfv_basics apps/02_batching_rotations
apps_01_bfv_basics_SOURCES = apps/01_bfv_basics.c
apps_01_bfv_basics_LDADD = libveil.la
apps_02_batching_rotations_SOURCES = apps/02_batching_rotations.c
apps_02_batching_rotations_LDADD = libveil.la
include bfv/modswitch.mk
