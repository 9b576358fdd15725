/*
 * beaver_internal.h - the opening step shared by beaver.c and poly.c.
 */
#ifndef VEIL_MPC_BEAVER_INTERNAL_H
#define VEIL_MPC_BEAVER_INTERNAL_H

#include "veil/mpc_field.h"

/* Buffers for opening up to width * MPC_OPEN_CHUNK values at once. */
typedef struct {
    uint64_t *mine;   /* my shares in, the opened values out */
    uint64_t *theirs; /* the peer's shares */
} mpc_open_t;

veil_status mpc_open_init(mpc_open_t *o, size_t width) VEIL_WUR;
void mpc_open_clear(mpc_open_t *o);

/* Exchange o->mine[0..len) with the peer's shares and replace them by the
 * sums: the opened values.  VEIL_EFORMAT if the peer sent a value >= p. */
veil_status mpc_open(const mpc_field_t *f, mpc_chan_t *ch, mpc_open_t *o,
                     size_t len) VEIL_WUR;

/* The local step after an opening: z = c + d b + e a (+ d e for party 0),
 * IFMA or scalar, OpenMP for long vectors.  Squaring is the case
 * e = d, b = a, c = a^2.  z may alias any input. */
void mpc_beaver_finish(const mpc_field_t *f, int party, uint64_t *z,
                       const uint64_t *d, const uint64_t *e, const uint64_t *a,
                       const uint64_t *b, const uint64_t *c, size_t m);

#endif
