# nn module, part 2: LoLa message representations and HE kernels, the
# planner, the networks, and apps/mnist_lola.
veilinclude_HEADERS += include/veil/lola.h
noinst_HEADERS += nn/lola_internal.h
libveil_la_SOURCES += nn/lola_rot.c nn/lola_layout.c nn/lola_matrix.c \
	nn/lola_step.c nn/lola_kdense.c nn/lola_ksparse.c nn/lola_kstacked.c \
	nn/lola_kconv.c nn/lola_kdiag.c nn/lola_ksimd.c nn/lola_kreshape.c \
	nn/lola_coefs.c nn/lola_exec.c nn/lola_costs.c nn/lola_program.c \
	nn/lola_spec.c nn/lola_plan.c nn/lola_setup.c nn/lola_client.c \
	nn/lola_server.c

check_PROGRAMS += test/nn/test_lola
TESTS += test/nn/test_lola
test_nn_test_lola_SOURCES = test/nn/lola_common.c test/nn/lola_common.h \
	test/nn/lola_layout.c test/nn/lola_kernels.c test/nn/lola_network.c
test_nn_test_lola_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SOURCE_DIR='"$(abs_top_srcdir)"'
test_nn_test_lola_LDADD = $(TEST_LDADD)

# veil-bench suite "lola"
apps_veil_bench_SOURCES += apps/bench/bench_lola.c
