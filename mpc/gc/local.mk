# mpc/gc: circuits, half-gates garbling, ReLU, offline/online protocol.
veilinclude_HEADERS += include/veil/mpc_gc.h
noinst_HEADERS += mpc/gc/internal.h
libveil_la_SOURCES += mpc/gc/circuit.c mpc/gc/builder.c mpc/gc/words.c \
	mpc/gc/circuits.c mpc/gc/relu.c mpc/gc/text.c mpc/gc/prog.c \
	mpc/gc/dispatch.c mpc/gc/garble.c mpc/gc/eval.c mpc/gc/protocol.c \
	mpc/gc/relu_protocol.c mpc/gc/trunc.c

# Garbling kernels for the avx2 (AES-NI, or VAES-256 where the CPU has
# VAES) and avx512 (VAES) paths, built
# when configure found the flags, picked by dispatch.c from the CPU
# features; the portable reference is in garble.c and eval.c.
if HAVE_AVX2
noinst_LTLIBRARIES += mpc/gc/libveil_gc_aesni.la
mpc_gc_libveil_gc_aesni_la_SOURCES = mpc/gc/aesni/kernel.h \
	mpc/gc/aesni/garble.c mpc/gc/aesni/eval.c
mpc_gc_libveil_gc_aesni_la_CFLAGS = $(AM_CFLAGS) -maes -msse4.1
libveil_la_LIBADD += mpc/gc/libveil_gc_aesni.la
endif
if HAVE_AVX512
noinst_LTLIBRARIES += mpc/gc/libveil_gc_vaes256.la
mpc_gc_libveil_gc_vaes256_la_SOURCES = mpc/gc/vaes256/kernel.h \
	mpc/gc/vaes256/garble.c mpc/gc/vaes256/eval.c
mpc_gc_libveil_gc_vaes256_la_CFLAGS = $(AM_CFLAGS) -maes -mavx2 -mvaes
libveil_la_LIBADD += mpc/gc/libveil_gc_vaes256.la
noinst_LTLIBRARIES += mpc/gc/libveil_gc_vaes.la
mpc_gc_libveil_gc_vaes_la_SOURCES = mpc/gc/vaes/kernel.h \
	mpc/gc/vaes/garble.c mpc/gc/vaes/eval.c
mpc_gc_libveil_gc_vaes_la_CFLAGS = $(AM_CFLAGS) -maes -mavx512f \
	-mavx512dq -mavx512bw -mvaes
libveil_la_LIBADD += mpc/gc/libveil_gc_vaes.la
endif

check_PROGRAMS += test/mpc/test_gc
TESTS += test/mpc/test_gc
test_mpc_test_gc_SOURCES = test/mpc/gc_helpers.h test/mpc/gc_circuits.c \
	test/mpc/gc_relu.c test/mpc/gc_text.c test/mpc/gc_garble.c \
	test/mpc/gc_proto.c test/mpc/gc_kernels.c test/mpc/gc_trunc.c
test_mpc_test_gc_LDADD = $(TEST_LDADD)

# veil-bench suite "mpc", garbled-circuit rows
apps_veil_bench_SOURCES += apps/bench/bench_mpc_gc.c
