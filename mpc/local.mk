# mpc module, part 1: channel, field and shares, fixed point, Beaver triples,
# oblivious transfer.  Garbled circuits live in mpc/gc.mk.
veilinclude_HEADERS += include/veil/mpc.h include/veil/mpc_aes.h \
	include/veil/mpc_field.h include/veil/mpc_bfv.h

# AES-NI kernels: their own convenience library with their own flags; they
# only run after mpc_aes_available() (CPUID) has said yes.  On a compiler
# without x86 intrinsics the same files build to "unsupported".
noinst_LTLIBRARIES += mpc/libveil_mpc_aesni.la
mpc_libveil_mpc_aesni_la_SOURCES = mpc/aes.c mpc/aes_hash.c
mpc_libveil_mpc_aesni_la_CFLAGS = $(AM_CFLAGS)
if HAVE_AVX2
mpc_libveil_mpc_aesni_la_CFLAGS += -maes -msse4.1
endif
libveil_la_LIBADD += mpc/libveil_mpc_aesni.la

# AVX-512 kernels (GFNI transpose for IKNP, VAES AES, IFMA field), chosen
# at run time by mpc_avx512_active() / mpc_ifma_active() (mpc/cpu.c).
noinst_LTLIBRARIES += mpc/libveil_mpc_avx512.la
mpc_libveil_mpc_avx512_la_SOURCES = mpc/ot_transpose_gfni.c mpc/aes_vaes.c \
	mpc/field_ifma.c
mpc_libveil_mpc_avx512_la_CFLAGS = $(AM_CFLAGS)
if HAVE_AVX512
mpc_libveil_mpc_avx512_la_CFLAGS += -mavx512f -mavx512bw -mavx512vbmi \
	-mavx512ifma -mgfni -mvaes
endif
libveil_la_LIBADD += mpc/libveil_mpc_avx512.la

libveil_la_SOURCES += mpc/cpu.c mpc/prg.c mpc/chan.c mpc/chan_tcp.c mpc/run2.c \
	mpc/baseot.c mpc/ot_transpose.c mpc/iknp.c mpc/ot_ext.c \
	mpc/field.c mpc/fixed.c mpc/share.c mpc/beaver.c mpc/poly.c \
	mpc/triples_bfv.c
noinst_HEADERS += mpc/mpc_internal.h mpc/beaver_internal.h

check_PROGRAMS += test/mpc/test_mpc
TESTS += test/mpc/test_mpc
test_mpc_test_mpc_SOURCES = test/mpc/helpers.h test/mpc/test_mpc_aes.c \
	test/mpc/test_mpc_chan.c test/mpc/test_mpc_ot.c \
	test/mpc/test_mpc_field.c test/mpc/test_mpc_beaver.c \
	test/mpc/test_mpc_bfv.c
test_mpc_test_mpc_LDADD = $(TEST_LDADD)

# veil-bench suite "mpc" (OT and Beaver rows)
apps_veil_bench_SOURCES += apps/bench/bench_mpc_ot.c

include mpc/gc.mk
