# mpc/ot: oblivious transfer - base OT (Chou-Orlandi), IKNP extension,
# the OT flavours built on it, and the bit-matrix transpose.
libveil_la_SOURCES += mpc/ot/base.c mpc/ot/transpose.c mpc/ot/iknp.c \
	mpc/ot/extension.c

test_mpc_test_mpc_SOURCES += test/mpc/ot.c
