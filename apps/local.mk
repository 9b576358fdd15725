# apps: veil-bench (one source file per suite, owned by its module) and the
# user programs.  Modules add their suite file to veil_bench_SOURCES in their
# own local.mk.
bin_PROGRAMS += apps/veil-bench
apps_veil_bench_SOURCES = apps/bench/main.c apps/bench/bench.c \
	apps/bench/compare.c \
	apps/bench/bench.h apps/bench/bench_ntt.c
apps_veil_bench_LDADD = libveil.la -lm

# Shell tests (end-to-end checks of the programs, e.g. test/apps/*.sh,
# listed in TESTS by the module that owns the program).
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
