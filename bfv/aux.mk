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

# tutorial: CRT plaintexts (run by make check; it prints its own checks)
noinst_PROGRAMS += apps/03_crt_plaintexts
apps_03_crt_plaintexts_SOURCES = apps/03_crt_plaintexts.c
apps_03_crt_plaintexts_LDADD = libveil.la
TESTS += apps/03_crt_plaintexts

# libFuzzer targets, one per deserializer, and their seed-corpus generator
# (configure CC=clang --enable-fuzz; doc/09-serialization.md, "Fuzzing")
if ENABLE_FUZZ
BFV_FUZZ_ENV = fuzz/bfv_fuzz_env.c fuzz/bfv_fuzz_env.h
BFV_FUZZ_COMPILE = $(AM_CFLAGS) -fsanitize=fuzzer
BFV_FUZZ_LINK = -fsanitize=fuzzer,address,undefined
noinst_PROGRAMS += fuzz/fuzz_bfv_params fuzz/fuzz_bfv_crt_params \
	fuzz/fuzz_bfv_secret_key fuzz/fuzz_bfv_public_key \
	fuzz/fuzz_bfv_relin_key fuzz/fuzz_bfv_galois_keys \
	fuzz/fuzz_bfv_plaintext fuzz/fuzz_bfv_ciphertext \
	fuzz/fuzz_bfv_crt_ciphertext fuzz/fuzz_bfv_corpus
fuzz_fuzz_bfv_params_SOURCES = fuzz/fuzz_bfv_params.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_params_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_params_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_params_LDADD = libveil.la
fuzz_fuzz_bfv_crt_params_SOURCES = fuzz/fuzz_bfv_crt_params.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_crt_params_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_crt_params_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_crt_params_LDADD = libveil.la
fuzz_fuzz_bfv_secret_key_SOURCES = fuzz/fuzz_bfv_secret_key.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_secret_key_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_secret_key_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_secret_key_LDADD = libveil.la
fuzz_fuzz_bfv_public_key_SOURCES = fuzz/fuzz_bfv_public_key.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_public_key_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_public_key_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_public_key_LDADD = libveil.la
fuzz_fuzz_bfv_relin_key_SOURCES = fuzz/fuzz_bfv_relin_key.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_relin_key_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_relin_key_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_relin_key_LDADD = libveil.la
fuzz_fuzz_bfv_galois_keys_SOURCES = fuzz/fuzz_bfv_galois_keys.c \
	$(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_galois_keys_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_galois_keys_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_galois_keys_LDADD = libveil.la
fuzz_fuzz_bfv_plaintext_SOURCES = fuzz/fuzz_bfv_plaintext.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_plaintext_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_plaintext_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_plaintext_LDADD = libveil.la
fuzz_fuzz_bfv_ciphertext_SOURCES = fuzz/fuzz_bfv_ciphertext.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_ciphertext_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_ciphertext_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_ciphertext_LDADD = libveil.la
fuzz_fuzz_bfv_crt_ciphertext_SOURCES = fuzz/fuzz_bfv_crt_ciphertext.c \
	$(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_crt_ciphertext_CFLAGS = $(BFV_FUZZ_COMPILE)
fuzz_fuzz_bfv_crt_ciphertext_LDFLAGS = $(BFV_FUZZ_LINK)
fuzz_fuzz_bfv_crt_ciphertext_LDADD = libveil.la
# the corpus generator is an ordinary program (no libFuzzer main)
fuzz_fuzz_bfv_corpus_SOURCES = fuzz/fuzz_bfv_corpus.c $(BFV_FUZZ_ENV)
fuzz_fuzz_bfv_corpus_LDADD = libveil.la
endif
