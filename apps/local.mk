# apps: veil-bench (one source file per suite, owned by its module) and the
# user programs.  Modules add their suite file to veil_bench_SOURCES in their
# own local.mk.
bin_PROGRAMS += apps/veil-bench
apps_veil_bench_SOURCES = apps/bench/main.c apps/bench/bench.c \
	apps/bench/bench.h apps/bench/bench_ntt.c
apps_veil_bench_LDADD = libveil.la

# apps/mnist_lola: LoLa private inference on MNIST (client, server, both).
# Its wire format (nn/lola_wire.c) is library code so that other programs
# can speak it too.
veilinclude_HEADERS += include/veil/lola_wire.h
libveil_la_SOURCES += nn/lola_wire.c
bin_PROGRAMS += apps/mnist_lola
apps_mnist_lola_SOURCES = apps/mnist_lola.c
apps_mnist_lola_CPPFLAGS = $(AM_CPPFLAGS) -DVEIL_SRCDIR='"$(abs_top_srcdir)"'
apps_mnist_lola_LDADD = libveil.la

# End-to-end checks of the program (one process, TCP, failures).
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
TESTS += test/apps/mnist_lola.sh
EXTRA_DIST += test/apps/mnist_lola.sh
