# mpc module, part 2: circuits, half-gates garbling, ReLU, offline/online.
veilinclude_HEADERS += include/veil/mpc_gc.h
noinst_HEADERS += mpc/gc_internal.h
libveil_la_SOURCES += mpc/gc_circuit.c mpc/gc_builder.c mpc/gc_words.c \
	mpc/gc_circuits.c mpc/gc_relu.c mpc/gc_text.c mpc/gc_prog.c \
	mpc/gc_dispatch.c mpc/gc_garble.c mpc/gc_eval.c mpc/gc_proto.c \
	mpc/gc_relu_proto.c

# Garbling kernels: each a convenience library with its own flags (as the
# AES-NI code of mpc/local.mk); without the flags the files build to "not
# available" and gc_dispatch.c never picks them.
noinst_LTLIBRARIES += mpc/libveil_gc_aesni.la mpc/libveil_gc_vaes.la
mpc_libveil_gc_aesni_la_SOURCES = mpc/gc_kernel_aesni.c
mpc_libveil_gc_aesni_la_CFLAGS = $(AM_CFLAGS)
mpc_libveil_gc_vaes_la_SOURCES = mpc/gc_kernel_vaes.c
mpc_libveil_gc_vaes_la_CFLAGS = $(AM_CFLAGS)
if HAVE_AVX2
mpc_libveil_gc_aesni_la_CFLAGS += -maes -msse4.1
endif
if HAVE_AVX512
mpc_libveil_gc_vaes_la_CFLAGS += -maes -mavx512f -mavx512dq -mvaes
endif
libveil_la_LIBADD += mpc/libveil_gc_aesni.la mpc/libveil_gc_vaes.la

check_PROGRAMS += test/mpc/test_gc
TESTS += test/mpc/test_gc
test_mpc_test_gc_SOURCES = test/mpc/gc_helpers.h test/mpc/gc_circuits.c \
	test/mpc/gc_relu.c test/mpc/gc_text.c test/mpc/gc_garble.c \
	test/mpc/gc_proto.c
test_mpc_test_gc_LDADD = $(TEST_LDADD)

# veil-bench suite "mpc", garbled-circuit rows
apps_veil_bench_SOURCES += apps/bench/bench_mpc_gc.c
