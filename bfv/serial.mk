# bfv module: serialization of every BFV and CRT object
# (doc/09-serialization.md) and its tests; the fuzz targets of the
# deserializers are built by fuzz/local.mk.
veilinclude_HEADERS += include/veil/bfv_serial.h
noinst_HEADERS += bfv/serial_internal.h
libveil_la_SOURCES += bfv/serial_io.c bfv/serial_params.c bfv/serial_keys.c \
	bfv/serial_ct.c bfv/serial_crt.c

check_PROGRAMS += test/bfv/test_bfv_serial
TESTS += test/bfv/test_bfv_serial
test_bfv_test_bfv_serial_SOURCES = test/bfv/helpers.c test/bfv/helpers.h \
	test/bfv/crt_env.c test/bfv/crt_env.h test/bfv/serial_util.c \
	test/bfv/serial_util.h test/bfv/serial_roundtrip.c \
	test/bfv/serial_hostile.c test/bfv/serial_widths.c
test_bfv_test_bfv_serial_LDADD = $(TEST_LDADD)
