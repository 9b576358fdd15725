# lola module: LoLa private inference with BFV (doc/11-lola.md).  Message
# representations, the HE kernels, the planner, the client / server split,
# the wire format, their tests, the veil-bench suite "lola", and
# apps/mnist_lola with its end-to-end checks.
veilinclude_HEADERS += include/veil/lola.h include/veil/lola_kernels.h \
	include/veil/lola_wire.h include/veil/lola_models.h
noinst_HEADERS += lola/internal.h
libveil_la_SOURCES += \
	lola/rotation.c lola/layout.c lola/matrix.c lola/step.c \
	lola/kernel_dense.c lola/kernel_sparse.c lola/kernel_stacked.c \
	lola/kernel_conv.c lola/kernel_diag.c lola/kernel_simd.c \
	lola/kernel_reshape.c lola/coefs.c lola/exec.c lola/costs.c \
	lola/program.c lola/spec.c lola/plan.c lola/setup.c lola/client.c \
	lola/server.c lola/wire.c lola/answer.c lola/models.c \
	lola/levels.c

check_PROGRAMS += test/lola/test_lola
TESTS += test/lola/test_lola
test_lola_test_lola_SOURCES = test/lola/common.c test/lola/common.h \
	test/lola/layout.c test/lola/kernels.c test/lola/network.c \
	test/lola/answer.c test/lola/cifar.c test/lola/wire.c \
	test/lola/plan_bytes.c test/lola/ringsw.c test/lola/answer_env.c \
	test/lola/answer_env.h
test_lola_test_lola_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
test_lola_test_lola_LDADD = $(TEST_LDADD)

# veil-bench suite "lola"
apps_veil_bench_SOURCES += apps/bench/bench_lola.c $(PRIVATE_HEAD_SOURCES)

# apps/mnist_lola: LoLa private inference on MNIST (client, server, both),
# speaking the wire format of lola/wire.c.
bin_PROGRAMS += apps/mnist_lola
apps_mnist_lola_SOURCES = apps/mnist_lola.c $(LOLA_RUN_SOURCES)
apps_mnist_lola_CPPFLAGS = $(AM_CPPFLAGS) -DVEIL_SRCDIR='"$(abs_top_srcdir)"'
apps_mnist_lola_LDADD = libveil.la

# End-to-end checks of the program (one process, TCP, failures).
TESTS += test/apps/mnist_lola.sh
# a model-file writer for the shape checks of test/apps/mnist_lola.sh
check_PROGRAMS += test/apps/gen_model
test_apps_gen_model_SOURCES = test/apps/gen_model.c
test_apps_gen_model_LDADD = libveil.la
EXTRA_DIST += test/apps/mnist_lola.sh doc/11-lola.md

# apps/lola_plan: the planner's plan for the paper's CIFAR-10 network with
# generated weights (doc/11-lola.md section 10).
bin_PROGRAMS += apps/lola_plan
apps_lola_plan_SOURCES = apps/lola_plan.c apps/common/cli.c apps/common/cli.h
apps_lola_plan_LDADD = libveil.la
