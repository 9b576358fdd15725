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

# LoLa: representations, kernels, planner, networks (nn/lola.mk).
include nn/lola.mk
