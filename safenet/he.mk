# safenet/he.mk - the offline homomorphic linear layers (safenet/he.h,
# doc/23-safenet-he.md).  Included by safenet/local.mk (or Makefile.am).
libveil_la_SOURCES += safenet/he_params.c safenet/he_layer.c \
	safenet/he_encode.c safenet/he_flood.c safenet/he_pack.c \
	safenet/he_eval.c safenet/he_serial.c safenet/he_bench.c
noinst_HEADERS += safenet/he.h safenet/he_internal.h

check_PROGRAMS += test/safenet/test_safenet_he
TESTS += test/safenet/test_safenet_he
test_safenet_test_safenet_he_SOURCES = test/safenet/he.c
test_safenet_test_safenet_he_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/safenet
test_safenet_test_safenet_he_LDADD = $(TEST_LDADD)

# veil-bench suite "safenet-he" (apps/bench/bench_safenet_he.c)
apps_veil_bench_SOURCES += apps/bench/bench_safenet_he.c
EXTRA_DIST += doc/23-safenet-he.md
