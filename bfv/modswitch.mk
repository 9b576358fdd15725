# bfv modulus switching (bfv.h "modulus switching", bfv_serial.h
# "modulus-switched ciphertexts"): library sources and the test suite.
# Included from bfv/local.mk.
libveil_la_SOURCES += bfv/modswitch.c bfv/serial_ms.c

check_PROGRAMS += test/bfv/test_bfv_modswitch
TESTS += test/bfv/test_bfv_modswitch
test_bfv_test_bfv_modswitch_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/serial_util.c test/bfv/serial_util.h \
	test/bfv/modswitch.c
test_bfv_test_bfv_modswitch_LDADD = $(TEST_LDADD)
