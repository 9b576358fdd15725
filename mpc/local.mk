# mpc module, part 1: channel, field and shares, fixed point, Beaver triples,
# oblivious transfer.  Garbled circuits live in mpc/gc.mk.
include mpc/gc.mk
