# ntt module: base layer (status, CPU dispatch, memory, CSPRNG), modular
# arithmetic, primes, NTT (scalar / AVX2 / AVX-512 IFMA), RNS.
veilinclude_HEADERS += include/veil/veil.h include/veil/ntt.h include/veil/rns.h
libveil_la_SOURCES += \
	ntt/status.c ntt/assert.c ntt/cpu.c ntt/memory.c ntt/rng.c ntt/team.c

# modular arithmetic, primes, NTT plans and the scalar kernels
libveil_la_SOURCES += ntt/modarith.c ntt/primes.c ntt/ntt_plan.c \
	ntt/ntt_transform.c ntt/ntt_scalar.c ntt/ntt_vec_scalar.c
noinst_HEADERS += ntt/ntt_internal.h

# AVX2 kernels (double-precision FMA arithmetic, hence -mfma) and AVX-512
# IFMA kernels: their own flags, chosen at run time (ntt_plan.c)
if HAVE_AVX2
noinst_LTLIBRARIES += libveil_avx2.la
libveil_avx2_la_SOURCES = ntt/avx2/ntt_avx2.c ntt/avx2/vec_avx2.c \
	ntt/avx2/chacha_avx2.c ntt/avx2/avx2_internal.h
libveil_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2 -mbmi2 -mfma -funroll-loops
libveil_la_LIBADD += libveil_avx2.la
endif
if HAVE_AVX512
noinst_LTLIBRARIES += libveil_avx512.la
libveil_avx512_la_SOURCES = ntt/avx512/ntt_avx512.c ntt/avx512/vec_avx512.c \
	ntt/avx512/avx512_internal.h
libveil_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f -mavx512ifma -mavx512vl \
	-mavx512dq -mavx512bw
libveil_la_LIBADD += libveil_avx512.la
endif

check_PROGRAMS += test/ntt/test_ntt
TESTS += test/ntt/test_ntt
test_ntt_test_ntt_SOURCES = test/ntt/base.c
test_ntt_test_ntt_LDADD = $(TEST_LDADD)
test_ntt_test_ntt_SOURCES += test/ntt/ntt_helpers.c test/ntt/ntt_helpers.h \
	test/ntt/arith.c test/ntt/primes.c test/ntt/transform.c \
	test/ntt/vec.c test/ntt/badinput.c test/ntt/team.c test/ntt/rng.c

# the worked example of doc/01-arithmetic.md: a test that checks the
# chapter's numbers, and the program that prints them
check_PROGRAMS += test/ntt/test_ntt_example test/ntt/print-example
TESTS += test/ntt/test_ntt_example
test_ntt_test_ntt_example_SOURCES = test/ntt/example.c \
	test/ntt/ntt_example.c test/ntt/ntt_example.h
test_ntt_test_ntt_example_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SRCDIR='"$(abs_top_srcdir)"'
test_ntt_test_ntt_example_LDADD = $(TEST_LDADD)
test_ntt_print_example_SOURCES = test/ntt/print_example.c \
	test/ntt/ntt_example.c test/ntt/ntt_example.h
EXTRA_DIST += doc/01-arithmetic.md

# RNS: bases, exact CRT, base conversion, scale-and-round (doc/02-rns.md)
libveil_la_SOURCES += ntt/rns_base.c ntt/rns_crt.c ntt/rns_conv.c \
	ntt/rns_scale.c
noinst_HEADERS += ntt/rns_internal.h ntt/rng_internal.h
test_ntt_test_ntt_SOURCES += test/ntt/rns_helpers.c test/ntt/rns_helpers.h \
	test/ntt/rns_crt.c test/ntt/rns_conv.c test/ntt/rns_scale.c \
	test/ntt/rns_example.c
EXTRA_DIST += doc/02-rns.md
if HAVE_AVX2
libveil_avx2_la_SOURCES += ntt/avx2/rns_avx2.c
endif
if HAVE_AVX512
libveil_avx512_la_SOURCES += ntt/avx512/rns_avx512.c ntt/avx512/chacha_avx512.c
endif
