# test/common: the one test toolkit (seeded randomness, iteration scaling),
# linked into every criterion suite through TEST_LDADD.
check_LTLIBRARIES += test/common/libveil_test.la
test_common_libveil_test_la_SOURCES = test/common/seed.c test/common/seed.h
