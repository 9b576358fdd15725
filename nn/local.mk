# nn module: MNIST data, float models and their file format, training,
# quantization, the exact integer evaluator and value ranges (doc/10-nn.md).
veilinclude_HEADERS += include/veil/nn.h
noinst_HEADERS += nn/kernels.h nn/backprop.h
libveil_la_SOURCES += \
	nn/idx.c nn/mnist.c nn/model.c nn/init.c nn/kernels.c nn/forward.c \
	nn/backprop.c nn/train.c nn/fold.c nn/model_io.c nn/quant.c \
	nn/qeval.c nn/range.c nn/qsearch.c

bin_PROGRAMS += apps/train_mnist
apps_train_mnist_SOURCES = apps/train_mnist.c
apps_train_mnist_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
apps_train_mnist_LDADD = libveil.la

check_PROGRAMS += test/nn/test_nn
TESTS += test/nn/test_nn
test_nn_test_nn_SOURCES = test/nn/common.c test/nn/common.h test/nn/idx.c \
	test/nn/model_io.c test/nn/grad.c test/nn/train.c test/nn/quant.c \
	test/nn/cnn_model.c \
	test/nn/range.c
test_nn_test_nn_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
test_nn_test_nn_LDADD = $(TEST_LDADD)

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

