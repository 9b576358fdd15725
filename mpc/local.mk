# mpc module, the room itself: channel, two-party runner, AES and PRG,
# field, shares, fixed point, Beaver triples (also from BFV).  Oblivious
# transfer lives in mpc/ot/local.mk, garbled circuits in mpc/gc/local.mk.
veilinclude_HEADERS += include/veil/mpc.h include/veil/mpc_aes.h \
	include/veil/mpc_field.h include/veil/mpc_bfv.h
noinst_HEADERS += mpc/internal.h mpc/beaver_internal.h \
	mpc/triples_bfv_internal.h

# The portable reference (constant-time software AES, hashes, field) and
# the kernel tables (dispatch.c), one per VEIL_ISA path, filled once from
# veil_cpu_has().
libveil_la_SOURCES += mpc/dispatch.c mpc/aes.c mpc/hash.c mpc/prg.c \
	mpc/chan.c mpc/chan_tcp.c mpc/server.c mpc/run2.c mpc/field.c mpc/fixed.c \
	mpc/share.c mpc/beaver.c mpc/poly.c mpc/triples_bfv.c

# ISA kernels, each folder named after its instruction set and its files
# after the reference they accelerate; built when configure found the
# compiler flags (as ntt/avx2, ntt/avx512), used when dispatch.c finds the
# CPU features.  AES-NI (mpc/aesni) and the AVX2 transpose (mpc/ot/avx2)
# go with the avx2 build, VAES and IFMA (mpc/vaes, mpc/ifma) and the GFNI
# transpose (mpc/ot/gfni) with the avx512 one.  VAES on 256-bit registers
# (mpc/vaes256) serves the avx2 path on CPUs with VAES but no AVX-512; it
# is built with the avx512 kernels, as configure checks -mvaes there.
if HAVE_AVX2
noinst_LTLIBRARIES += mpc/libveil_mpc_aesni.la
mpc_libveil_mpc_aesni_la_SOURCES = mpc/aesni/aes.h mpc/aesni/aes.c \
	mpc/aesni/hash.c
mpc_libveil_mpc_aesni_la_CFLAGS = $(AM_CFLAGS) -maes -msse4.1
libveil_la_LIBADD += mpc/libveil_mpc_aesni.la
noinst_LTLIBRARIES += mpc/libveil_mpc_avx2.la
mpc_libveil_mpc_avx2_la_SOURCES = mpc/ot/avx2/transpose.c
mpc_libveil_mpc_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2
libveil_la_LIBADD += mpc/libveil_mpc_avx2.la
endif
if HAVE_AVX512
noinst_LTLIBRARIES += mpc/libveil_mpc_vaes256.la
mpc_libveil_mpc_vaes256_la_SOURCES = mpc/vaes256/aes.h mpc/vaes256/aes.c \
	mpc/vaes256/hash.c
mpc_libveil_mpc_vaes256_la_CFLAGS = $(AM_CFLAGS) -maes -mavx2 -mvaes
libveil_la_LIBADD += mpc/libveil_mpc_vaes256.la
noinst_LTLIBRARIES += mpc/libveil_mpc_avx512.la
mpc_libveil_mpc_avx512_la_SOURCES = mpc/vaes/aes.h mpc/vaes/aes.c \
	mpc/vaes/hash.c mpc/ifma/field.c mpc/ot/gfni/transpose.c
mpc_libveil_mpc_avx512_la_CFLAGS = $(AM_CFLAGS) -maes -mavx512f \
	-mavx512bw -mavx512vbmi -mavx512ifma -mgfni -mvaes
libveil_la_LIBADD += mpc/libveil_mpc_avx512.la
endif

check_PROGRAMS += test/mpc/test_mpc
TESTS += test/mpc/test_mpc
test_mpc_test_mpc_SOURCES = test/mpc/paths.h test/mpc/aes.c test/mpc/chan.c \
	test/mpc/server.c test/mpc/field.c test/mpc/beaver.c test/mpc/triples_bfv.c
test_mpc_test_mpc_LDADD = $(TEST_LDADD)

# Soak test of the bounded server (apps/mnist_lola --serve): hostile
# connections from test/mpc/hostile while real clients are served.
check_PROGRAMS += test/mpc/hostile
test_mpc_hostile_SOURCES = test/mpc/hostile.c
TESTS += test/mpc/soak.sh
EXTRA_DIST += test/mpc/soak.sh doc/21-garbled-circuits.md

# veil-bench suite "mpc" (OT and Beaver rows)
apps_veil_bench_SOURCES += apps/bench/bench_mpc_ot.c

include mpc/ot/local.mk
include mpc/gc/local.mk
