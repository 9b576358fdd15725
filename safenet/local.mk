# safenet module: the SAFENet / Delphi protocol engine (doc/22-safenet.md).
veilinclude_HEADERS += include/veil/safenet.h
libveil_la_SOURCES += safenet/net.c safenet/model.c safenet/linear.c \
	safenet/ref.c safenet/relu_circuit.c safenet/powers.c \
	safenet/offline.c safenet/proto.c \
	safenet/trunc.c safenet/poly.c
noinst_HEADERS += safenet/safenet_internal.h

check_PROGRAMS += test/safenet/test_safenet
TESTS += test/safenet/test_safenet
test_safenet_test_safenet_SOURCES = test/safenet/test_safenet.c
test_safenet_test_safenet_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/safenet
test_safenet_test_safenet_LDADD = $(TEST_LDADD)

bin_PROGRAMS += apps/safenet
apps_safenet_SOURCES = apps/safenet.c apps/common/cli.c apps/common/cli.h
apps_safenet_CPPFLAGS = $(AM_CPPFLAGS) -DVEIL_SRCDIR='"$(abs_top_srcdir)"'
apps_safenet_LDADD = libveil.la

apps_veil_bench_SOURCES += apps/bench/bench_safenet.c

# End-to-end checks of the program (needs test/safenet/mkmodel).
check_PROGRAMS += test/safenet/mkmodel
test_safenet_mkmodel_SOURCES = test/safenet/mkmodel.c
test_safenet_mkmodel_LDADD = libveil.la
TESTS += test/apps/safenet.sh
EXTRA_DIST += test/apps/safenet.sh doc/22-safenet.md
