# test/doc: the numbers of doc/ checked against the code.
#  - the toy BFV of doc/03-06 (test/doc/bfv_toy.c) runs in test/bfv/test_bfv
#    (test/bfv/toy.c); test/doc/print-toy prints its blocks;
#  - test/doc/test_doc checks every number marked in doc/03-11, 20-22
#    (sizes, key counts, budgets, presets, the toy's prose numbers, the
#    committed models and their MNIST accuracies) against the library
#    (test/doc/print-numbers lists them), measures the centring claim
#    of doc/04 (test/doc/centring.c), re-plans the reports of doc/11,
#    section 6 (test/doc/doc_lola.c), and measures the raw noise of a
#    triple reply that doc/20 quotes (test/doc/triples_noise.c).
check_PROGRAMS += test/doc/print-toy test/doc/test_doc \
	test/doc/print-numbers
TESTS += test/doc/test_doc
test_doc_print_toy_SOURCES = test/doc/print_toy.c test/doc/bfv_toy.c \
	test/doc/bfv_toy.h
test_doc_print_toy_LDADD = libveil.la
test_doc_test_doc_SOURCES = test/doc/numbers.c test/doc/centring.c \
	test/doc/doc_numbers.c test/doc/doc_nn.c test/doc/doc_cnn.c \
	test/doc/bfv_toy.c test/doc/bfv_toy.h test/doc/doc_lola.c test/doc/doc_lola_plan.c \
	test/doc/doc_lola.h test/doc/triples_noise.c test/doc/names.c \
	test/doc/doc_safenet.c \
	test/doc/doc_numbers.h test/doc/docblock.c test/doc/docblock.h
test_doc_test_doc_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SRCDIR='"$(abs_top_srcdir)"'
test_doc_test_doc_LDADD = $(TEST_LDADD)
test_doc_print_numbers_SOURCES = test/doc/print_numbers.c \
	test/doc/doc_numbers.c test/doc/doc_numbers.h test/doc/doc_nn.c \
	test/doc/doc_safenet.c \
	test/doc/doc_cnn.c \
	test/doc/bfv_toy.c test/doc/bfv_toy.h test/doc/doc_lola_plan.c \
	test/doc/doc_lola.h test/doc/docblock.c test/doc/docblock.h
test_doc_print_numbers_CPPFLAGS = $(AM_CPPFLAGS) \
	-DVEIL_SRCDIR='"$(abs_top_srcdir)"'
test_doc_print_numbers_LDADD = libveil.la
EXTRA_DIST += doc/03-bfv.md doc/04-bfv-multiplication.md \
	doc/05-key-switching.md doc/06-rotations.md doc/07-parameters.md \
	doc/08-crt-plaintexts.md doc/09-serialization.md doc/10-nn.md \
	doc/11-lola.md doc/20-two-party.md doc/21-garbled-circuits.md
