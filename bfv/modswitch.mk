# bfv modulus switching (bfv.h "modulus switching", bfv_serial.h
# "modulus-switched ciphertexts"): library sources and the test suite.
# Included from bfv/local.mk.
libveil_la_SOURCES += bfv/modswitch.c bfv/serial_ms.c bfv/rerandomize.c \
	bfv/ms_compress.c bfv/ringswitch.c bfv/serial_ringsw.c

check_PROGRAMS += test/bfv/test_bfv_modswitch
TESTS += test/bfv/test_bfv_modswitch
test_bfv_test_bfv_modswitch_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/serial_util.c test/bfv/serial_util.h \
	test/bfv/modswitch.c test/bfv/ms_compress.c
test_bfv_test_bfv_modswitch_LDADD = $(TEST_LDADD)

# libFuzzer target for the deserializer (variables from fuzz/local.mk)
if ENABLE_FUZZ
noinst_PROGRAMS += fuzz/fuzz_bfv_ms_ciphertext
fuzz_fuzz_bfv_ms_ciphertext_SOURCES = fuzz/fuzz_bfv_ms_ciphertext.c \
	$(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_ms_ciphertext_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_ms_ciphertext_LDADD = $(FUZZ_LIBS)
endif

# ring switching (bfv.h "ring switching", bfv_serial.h "ring-switching keys")
check_PROGRAMS += test/bfv/test_bfv_ringsw
TESTS += test/bfv/test_bfv_ringsw
test_bfv_test_bfv_ringsw_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/ringswitch.c
test_bfv_test_bfv_ringsw_LDADD = $(TEST_LDADD)

# libFuzzer target for the ring-switching key's deserializer
if ENABLE_FUZZ
noinst_PROGRAMS += fuzz/fuzz_bfv_ringsw_key
fuzz_fuzz_bfv_ringsw_key_SOURCES = fuzz/fuzz_bfv_ringsw_key.c \
	$(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_ringsw_key_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_ringsw_key_LDADD = $(FUZZ_LIBS)
endif
