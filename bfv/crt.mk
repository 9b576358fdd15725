# bfv module: CRT-composed plaintext modulus (bfv_crt, doc/08-crt-plaintexts.md),
# its tests and its tutorial.
veilinclude_HEADERS += include/veil/bfv_crt.h
noinst_HEADERS += bfv/crt_internal.h
libveil_la_SOURCES += bfv/crt_params.c bfv/crt_context.c bfv/crt_objects.c \
	bfv/crt_keygen.c bfv/crt_encode.c bfv/crt_encrypt.c bfv/crt_eval.c

check_PROGRAMS += test/bfv/test_bfv_crt
TESTS += test/bfv/test_bfv_crt
test_bfv_test_bfv_crt_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/crt_env.c test/bfv/crt_env.h test/bfv/crt_params.c \
	test/bfv/crt_encode.c test/bfv/crt_eval.c
test_bfv_test_bfv_crt_LDADD = $(TEST_LDADD)

# tutorial: CRT plaintexts (run by make check; it prints its own checks)
noinst_PROGRAMS += apps/03_crt_plaintexts
apps_03_crt_plaintexts_SOURCES = apps/03_crt_plaintexts.c
apps_03_crt_plaintexts_LDADD = libveil.la
TESTS += apps/03_crt_plaintexts
