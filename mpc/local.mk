# mpc module, the room itself: channel, two-party runner, AES and PRG,
# field, shares, fixed point, Beaver triples (also from BFV).  Oblivious
# transfer lives in mpc/ot/local.mk, garbled circuits in mpc/gc/local.mk.
veilinclude_HEADERS += include/veil/mpc.h include/veil/mpc_aes.h \
	include/veil/mpc_field.h include/veil/mpc_bfv.h
noinst_HEADERS += mpc/internal.h mpc/beaver_internal.h

libveil_la_SOURCES += mpc/cpu.c mpc/prg.c mpc/chan.c mpc/chan_tcp.c \
	mpc/run2.c mpc/field.c mpc/fixed.c mpc/share.c mpc/beaver.c \
	mpc/poly.c mpc/triples_bfv.c

# AES-NI kernels: their own convenience library with their own flags; they
# only run after mpc_aes_available() (CPUID) has said yes.  On a compiler
# without x86 intrinsics the same files build to "unsupported".
noinst_LTLIBRARIES += mpc/libveil_mpc_aesni.la
mpc_libveil_mpc_aesni_la_SOURCES = mpc/aesni/aes.c mpc/aesni/hash.c
mpc_libveil_mpc_aesni_la_CFLAGS = $(AM_CFLAGS)
if HAVE_AVX2
mpc_libveil_mpc_aesni_la_CFLAGS += -maes -msse4.1
endif
libveil_la_LIBADD += mpc/libveil_mpc_aesni.la

# AVX-512 kernels (GFNI transpose for IKNP, VAES AES, IFMA field), chosen
# at run time by mpc_avx512_active() / mpc_ifma_active() (mpc/cpu.c).
noinst_LTLIBRARIES += mpc/libveil_mpc_avx512.la
mpc_libveil_mpc_avx512_la_SOURCES = mpc/ot/gfni/transpose.c mpc/vaes/aes.c \
	mpc/ifma/field.c
mpc_libveil_mpc_avx512_la_CFLAGS = $(AM_CFLAGS)
if HAVE_AVX512
mpc_libveil_mpc_avx512_la_CFLAGS += -mavx512f -mavx512bw -mavx512vbmi \
	-mavx512ifma -mgfni -mvaes
endif
libveil_la_LIBADD += mpc/libveil_mpc_avx512.la

check_PROGRAMS += test/mpc/test_mpc
TESTS += test/mpc/test_mpc
test_mpc_test_mpc_SOURCES = test/mpc/aes.c test/mpc/chan.c \
	test/mpc/field.c test/mpc/beaver.c test/mpc/triples_bfv.c
test_mpc_test_mpc_LDADD = $(TEST_LDADD)

# veil-bench suite "mpc" (OT and Beaver rows)
apps_veil_bench_SOURCES += apps/bench/bench_mpc_ot.c

include mpc/ot/local.mk
include mpc/gc/local.mk
