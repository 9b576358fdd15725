# ntt module: base layer (status, CPU dispatch, memory, CSPRNG), modular
# arithmetic, primes, NTT (scalar / AVX2 / AVX-512 IFMA), RNS.
veilinclude_HEADERS += include/veil/veil.h include/veil/ntt.h include/veil/rns.h
libveil_la_SOURCES += \
	ntt/status.c ntt/cpu.c ntt/memory.c ntt/rng.c

check_PROGRAMS += test/ntt/test_ntt
TESTS += test/ntt/test_ntt
test_ntt_test_ntt_SOURCES = test/ntt/base.c
test_ntt_test_ntt_LDADD = $(TEST_LDADD)
