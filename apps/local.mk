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

# The LoLa driver shared by apps/lola and apps/mnist_lola (lola/local.mk):
# options, client / server loop, TCP, JSON, the exactness check.
LOLA_RUN_SOURCES = apps/common/lola_run.c apps/common/lola_run.h \
	apps/common/cli.c apps/common/cli.h

# Both parties of a LoLa private head in one process, one private inference
# at a time (apps/lola_transfer, the veil-bench head rows, test/lola/head.c).
PRIVATE_HEAD_SOURCES = apps/common/private_head.c apps/common/private_head.h

# apps/lola: LoLa on any network the compiler supports and any supported
# data set (MNIST, CIFAR-10, features files; doc/11-lola.md).
bin_PROGRAMS += apps/lola
apps_lola_SOURCES = apps/lola.c $(LOLA_RUN_SOURCES)
apps_lola_CPPFLAGS = $(AM_CPPFLAGS) -DVEIL_SRCDIR='"$(abs_top_srcdir)"'
apps_lola_LDADD = libveil.la

# apps/lola_transfer: private prediction on deep representations (LoLa
# section 5; doc/11-lola.md section 11): a trunk trained on MNIST digits
# 0-4, a private linear head on digits 5-9 under LoLa.
bin_PROGRAMS += apps/lola_transfer
apps_lola_transfer_SOURCES = apps/lola_transfer.c apps/common/cli.c \
	apps/common/cli.h $(PRIVATE_HEAD_SOURCES)
apps_lola_transfer_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
apps_lola_transfer_LDADD = libveil.la

# End-to-end checks of apps/lola (MNIST one process and TCP, features files,
# CIFAR-10 plans, bad inputs) and of the transfer demonstration (short).
TESTS += test/apps/lola.sh test/apps/lola_transfer.sh
EXTRA_DIST += test/apps/lola.sh test/apps/lola_transfer.sh test/apps/checks.sh

# The private head (a dense first layer, DENSE variant) against the exact
# evaluator, with the worked example of doc/11-lola.md section 11.
check_PROGRAMS += test/lola/test_lola_head
TESTS += test/lola/test_lola_head
test_lola_test_lola_head_SOURCES = test/lola/head.c $(PRIVATE_HEAD_SOURCES)
test_lola_test_lola_head_LDADD = $(TEST_LDADD)

# From training to private inference on the LoLa CIFAR-10 network at reduced
# width (apps/train_cnn --net lola-cifar --maps 4,8, then apps/lola), on
# CIFAR-10-format files the script writes (doc/12-cnn-training.md
# section 7).
TESTS += test/apps/train_lola_cifar.sh
EXTRA_DIST += test/apps/train_lola_cifar.sh test/apps/gen_cifar.py
