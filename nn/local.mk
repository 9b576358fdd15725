# nn module: MNIST data, float models and their file format, training,
# quantization, the exact integer evaluator and value ranges (doc/10-nn.md).
veilinclude_HEADERS += include/veil/nn.h
noinst_HEADERS += nn/kernels.h nn/backprop.h nn/batch.h
libveil_la_SOURCES += \
	nn/idx.c nn/mnist.c nn/model.c nn/init.c nn/kernels.c nn/forward.c \
	nn/batch.c nn/backprop.c nn/train.c nn/fold.c nn/model_io.c nn/quant.c \
	nn/qeval.c nn/range.c nn/qsearch.c nn/cifar.c nn/act.c nn/btpbt.c

apps_veil_bench_SOURCES += apps/bench/bench_train.c

bin_PROGRAMS += apps/train_mnist
apps_train_mnist_SOURCES = apps/train_mnist.c
apps_train_mnist_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
apps_train_mnist_LDADD = libveil.la

bin_PROGRAMS += apps/train_cnn
apps_train_cnn_SOURCES = apps/train_cnn.c
apps_train_cnn_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
apps_train_cnn_LDADD = libveil.la

check_PROGRAMS += test/nn/test_nn
TESTS += test/nn/test_nn
test_nn_test_nn_SOURCES = test/nn/common.c test/nn/common.h test/nn/idx.c \
	test/nn/model_io.c test/nn/grad.c test/nn/train.c test/nn/quant.c \
	test/nn/cnn_model.c test/nn/cnn_train.c \
	test/nn/range.c
test_nn_test_nn_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
test_nn_test_nn_LDADD = $(TEST_LDADD)

# libFuzzer targets for the model file and IDX parsers (configure
# --enable-fuzz, CC=clang).
if ENABLE_FUZZ
noinst_PROGRAMS += fuzz/fuzz_nn_model fuzz/fuzz_nn_idx
fuzz_fuzz_nn_model_SOURCES = fuzz/fuzz_nn_model.c
fuzz_fuzz_nn_model_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
fuzz_fuzz_nn_model_LDFLAGS = -fsanitize=fuzzer
fuzz_fuzz_nn_model_LDADD = libveil.la
fuzz_fuzz_nn_idx_SOURCES = fuzz/fuzz_nn_idx.c
fuzz_fuzz_nn_idx_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
fuzz_fuzz_nn_idx_LDFLAGS = -fsanitize=fuzzer
fuzz_fuzz_nn_idx_LDADD = libveil.la
endif

EXTRA_DIST += scripts/fetch-mnist models/README.md models/lola.vmodel \
	models/lola-small.vmodel doc/10-nn.md

# make models: retrain the committed networks from MNIST ($MNIST_DIR, else
# ../shared/data/mnist next to the sources, else ./data/mnist) with the
# default (seeded, deterministic) options of apps/train_mnist.
models: apps/train_mnist$(EXEEXT)
	apps/train_mnist$(EXEEXT) --net lola --out $(srcdir)/models/lola.vmodel
	apps/train_mnist$(EXEEXT) --net lola-small \
		--out $(srcdir)/models/lola-small.vmodel
.PHONY: models

# LoLa: representations, kernels, planner, networks (nn/lola.mk).
include nn/lola.mk
