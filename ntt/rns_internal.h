/*
 * rns_internal.h - helpers shared by the RNS conversion and scaling files.
 */
#ifndef VEIL_RNS_INTERNAL_H
#define VEIL_RNS_INTERNAL_H

#include "veil/rns.h"

/* How many terms below q_i m (q_i a prime of b: a product a c with a < q_i,
 * c < m, possibly plus a value below q_i) can be added to a 128-bit
 * accumulator holding less than 2^63 m (any m >= 1) before it must be
 * reduced mod m, so that its high word stays below m as ntt_reduce128
 * requires: L = floor(2^63 / max q_i) terms add less than
 * L max q_i m <= 2^63 m, so the total stays below 2^64 m.  L >= 2 since
 * every q_i < 2^62. */
static inline size_t rns_chunk(const rns_base_t *b)
{
    uint64_t qmax = 0;
    for (size_t i = 0; i < b->k; i++)
        if (b->q[i] > qmax)
            qmax = b->q[i];
    return (size_t)(((uint64_t)1 << 63) / qmax);
}

#endif /* VEIL_RNS_INTERNAL_H */
