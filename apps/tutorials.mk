# Tutorials: small programs that print what they do, each run by make check
# (doc/03-bfv.md, doc/06-rotations.md, doc/08-crt-plaintexts.md,
# doc/20-two-party.md).  01 and 02 are built by bfv/local.mk, 03 by
# bfv/aux.mk; this fragment runs them and builds 04.
TESTS += apps/01_bfv_basics apps/02_batching_rotations
