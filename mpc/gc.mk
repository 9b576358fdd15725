# mpc module, part 2: circuits, half-gates garbling, ReLU, offline/online.
veilinclude_HEADERS += include/veil/mpc_gc.h
noinst_HEADERS += mpc/gc_internal.h
libveil_la_SOURCES += mpc/gc_circuit.c mpc/gc_builder.c mpc/gc_words.c \
	mpc/gc_circuits.c mpc/gc_relu.c mpc/gc_text.c

check_PROGRAMS += test/mpc/test_gc
TESTS += test/mpc/test_gc
test_mpc_test_gc_SOURCES = test/mpc/gc_helpers.h test/mpc/gc_circuits.c \
	test/mpc/gc_relu.c test/mpc/gc_text.c
test_mpc_test_gc_LDADD = $(TEST_LDADD)
