# nn module: MNIST data, float models and their file format, training,
# quantization, the exact integer evaluator and value ranges (doc/10-nn.md).
veilinclude_HEADERS += include/veil/nn.h
noinst_HEADERS += nn/kernels.h nn/backprop.h nn/batch.h
libveil_la_SOURCES += \
	nn/idx.c nn/mnist.c nn/model.c nn/init.c nn/kernels.c nn/forward.c \
	nn/batch.c nn/backprop.c nn/train.c nn/fold.c nn/model_io.c nn/quant.c \
	nn/qeval.c nn/range.c nn/qsearch.c nn/cifar.c nn/act.c nn/btpbt.c \
	nn/features.c

apps_veil_bench_SOURCES += apps/bench/bench_train.c apps/common/cli.c

bin_PROGRAMS += apps/train_mnist
apps_train_mnist_SOURCES = apps/train_mnist.c apps/common/cli.c apps/common/cli.h
apps_train_mnist_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"' -I$(srcdir)/apps
apps_train_mnist_LDADD = libveil.la

bin_PROGRAMS += apps/train_cnn
apps_train_cnn_SOURCES = apps/train_cnn.c apps/common/cli.c apps/common/cli.h
apps_train_cnn_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"' -I$(srcdir)/apps
apps_train_cnn_LDADD = libveil.la

bin_PROGRAMS += apps/safenet_plan
apps_safenet_plan_SOURCES = apps/safenet_plan.c apps/common/cli.c apps/common/cli.h
apps_safenet_plan_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"' -I$(srcdir)/apps
apps_safenet_plan_LDADD = libveil.la

check_PROGRAMS += test/nn/test_nn
TESTS += test/nn/test_nn
test_nn_test_nn_SOURCES = test/nn/common.c test/nn/common.h test/nn/idx.c \
	test/nn/model_io.c test/nn/grad.c test/nn/train.c test/nn/quant.c \
	test/nn/cnn_model.c test/nn/cnn_train.c \
	test/nn/range.c test/nn/features.c
test_nn_test_nn_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
test_nn_test_nn_LDADD = $(TEST_LDADD)

EXTRA_DIST += scripts/fetch-mnist models/README.md models/lola.vmodel \
	models/lola-small.vmodel doc/10-nn.md models/cnn7-mnist.vmodel \
	models/cnn7-mnist-55k.vmodel models/cnn7-mnist-safenet.vmodel \
	doc/12-cnn-training.md \
	scripts/bench-pytorch-cnn7.py scripts/bench-train-vs-pytorch

# make models: retrain the committed networks from MNIST ($MNIST_DIR, else
# ../shared/data/mnist next to the sources, else ./data/mnist) with the
# default (seeded, deterministic) options of apps/train_mnist.
models: apps/train_mnist$(EXEEXT)
	apps/train_mnist$(EXEEXT) --net lola --out $(srcdir)/models/lola.vmodel
	apps/train_mnist$(EXEEXT) --net lola-small \
		--out $(srcdir)/models/lola-small.vmodel
	$(MAKE) $(AM_MAKEFLAGS) models-cnn7

# CNN-7 on MNIST (1x32x32) and its SAFENet plan (doc/12-cnn-training.md,
# section 6, has the times).  cnn7-mnist.vmodel is trained on all 60,000
# training images; the plan starts from cnn7-mnist-55k.vmodel, trained on
# the first 55,000 only, so that the planner's validation images (the last
# 5,000 of the 60,000) are held out from it.  Every step checkpoints into
# $(CNN7_STATE): an interrupted `make models-cnn7` resumes where it stopped
# (delete the directory to start afresh).  CNN7_TRAIN, CNN7_BASE and
# CNN7_PLAN override the options.
CNN7_STATE = models-cnn7.state
CNN7_TRAIN = --epochs 3 --threads 2
CNN7_BASE = --epochs 2 --limit 55000 --threads 2
CNN7_PLAN = --drop 0.15 --population 4 --generations 2 --images 1024 \
	--val 5000 --final-images 55000 --final-tries 2 --lr 1e-4 \
	--schedule cosine --hours 2 --threads 2
models-cnn7: apps/train_cnn$(EXEEXT) apps/safenet_plan$(EXEEXT)
	mkdir -p $(CNN7_STATE)
	apps/train_cnn$(EXEEXT) $(CNN7_TRAIN) \
		--checkpoint $(CNN7_STATE)/train.ckpt --resume \
		--out $(srcdir)/models/cnn7-mnist.vmodel
	apps/train_cnn$(EXEEXT) $(CNN7_BASE) \
		--checkpoint $(CNN7_STATE)/base.ckpt --resume \
		--out $(srcdir)/models/cnn7-mnist-55k.vmodel
	apps/safenet_plan$(EXEEXT) $(CNN7_PLAN) --state $(CNN7_STATE)/plan \
		--model $(srcdir)/models/cnn7-mnist-55k.vmodel \
		--out $(srcdir)/models/cnn7-mnist-safenet.vmodel
.PHONY: models models-cnn7

