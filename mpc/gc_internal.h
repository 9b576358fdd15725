/*
 * gc_internal.h - private declarations of the garbled-circuit sources.
 */
#ifndef VEIL_GC_INTERNAL_H
#define VEIL_GC_INTERNAL_H

#include "veil/mpc_gc.h"

/* Bit length of v (0 for 0). */
static inline unsigned gc_bitlen(uint64_t v)
{
    unsigned n = 0;
    while (v != 0) {
        n++;
        v >>= 1;
    }
    return n;
}

#endif
