# mpc module, part 1: channel, field and shares, fixed point, Beaver triples,
# oblivious transfer.  Garbled circuits live in mpc/gc.mk.
veilinclude_HEADERS += include/veil/mpc.h include/veil/mpc_aes.h

include mpc/gc.mk
