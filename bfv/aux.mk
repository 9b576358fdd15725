# bfv module, part 2: CRT-composed plaintext modulus (bfv_crt), serialization,
# static noise estimator, libFuzzer targets.

# CRT plaintexts (doc/08-crt-plaintexts.md)
veilinclude_HEADERS += include/veil/bfv_crt.h
noinst_HEADERS += bfv/crt_internal.h
libveil_la_SOURCES += bfv/crt_params.c bfv/crt_context.c bfv/crt_objects.c \
	bfv/crt_keygen.c bfv/crt_encode.c bfv/crt_encrypt.c bfv/crt_eval.c

# static noise estimator (doc/08-crt-plaintexts.md, "Predicting the budget")
veilinclude_HEADERS += include/veil/bfv_estimate.h
libveil_la_SOURCES += bfv/estimate.c

# serialization (doc/09-serialization.md)
veilinclude_HEADERS += include/veil/bfv_serial.h
noinst_HEADERS += bfv/serial_internal.h
libveil_la_SOURCES += bfv/serial_io.c bfv/serial_params.c bfv/serial_keys.c \
	bfv/serial_ct.c bfv/serial_crt.c

# tests: one binary for CRT plaintexts, the estimator and serialization
check_PROGRAMS += test/bfv/test_bfv_aux
TESTS += test/bfv/test_bfv_aux
test_bfv_test_bfv_aux_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/crt_env.c test/bfv/crt_env.h test/bfv/crt_params.c \
	test/bfv/crt_encode.c test/bfv/crt_eval.c test/bfv/estimate_chain.c \
	test/bfv/serial_util.c test/bfv/serial_util.h \
	test/bfv/serial_roundtrip.c test/bfv/serial_hostile.c
test_bfv_test_bfv_aux_LDADD = $(TEST_LDADD)
