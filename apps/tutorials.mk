# Tutorials: small programs that print what they do, each run by make check
# (doc/03-bfv.md, doc/06-rotations.md, doc/08-crt-plaintexts.md,
# doc/20-two-party.md).  01 and 02 are built by bfv/local.mk, 03 by
# bfv/aux.mk; this fragment runs them and builds 04.
TESTS += apps/01_bfv_basics apps/02_batching_rotations

# 04: two-party toys (half-gates, IKNP, Beaver, ReLU on shares)
noinst_PROGRAMS += apps/04_two_party
apps_04_two_party_SOURCES = apps/04_two_party.c
apps_04_two_party_LDADD = libveil.la
TESTS += apps/04_two_party
