/*
 * gc_garble.c - the garbler in memory: its secret offset Delta and label
 * generator, input encoding, and garbling group by group through the
 * kernel (tables in the layout of mpc_gc.h, output decoding bits), groups
 * spread over OpenMP threads.
 */
#include <stddef.h>
#include <string.h>
#include "internal.h"

veil_status mpc_gc_garbler_init(mpc_gc_garbler_t *g, const mpc_block_t *delta)
{
    mpc_block_t seed;
    veil_rng_t rng;
    veil_status st;
    if (g == NULL)
        return VEIL_EINVAL;
    memset(g, 0, sizeof(*g));
    if ((st = mpc_aes_init_fixed(&g->pi)) != VEIL_OK)
        return st;
    if ((st = veil_rng_init(&rng)) != VEIL_OK)
        return st;
    if (delta != NULL)
        g->delta = *delta;
    else
        veil_rng_bytes(&rng, &g->delta, sizeof(g->delta));
    g->delta.w[0] |= 1; /* point-and-permute: lsb(W0) ^ lsb(W1) = 1 */
    veil_rng_bytes(&rng, &seed, sizeof(seed));
    veil_rng_clear(&rng);
    st = mpc_prg_init(&g->prg, &seed);
    veil_memzero(&seed, sizeof(seed));
    if (st != VEIL_OK)
        mpc_gc_garbler_clear(g);
    return st;
}

void mpc_gc_garbler_clear(mpc_gc_garbler_t *g)
{
    if (g == NULL)
        return;
    mpc_prg_clear(&g->prg);
    veil_memzero(g, sizeof(*g));
}

void mpc_gc_random_labels(mpc_gc_garbler_t *g, mpc_block_t *zero,
                          size_t count)
{
    mpc_prg_blocks(&g->prg, zero, count);
}

void mpc_gc_encode(mpc_block_t *label, const mpc_gc_garbler_t *g,
                   const mpc_block_t *zero, const uint8_t *bits, size_t count)
{
    for (size_t j = 0; j < count; j++) {
        uint64_t m = (uint64_t)0 - (uint64_t)(bits[j] & 1);
        label[j].w[0] = zero[j].w[0] ^ (g->delta.w[0] & m);
        label[j].w[1] = zero[j].w[1] ^ (g->delta.w[1] & m);
    }
}

void gc_garble_group(gc_ws_t *w, const mpc_gc_garbler_t *g, uint64_t ctr,
                     mpc_block_t *tables, uint8_t *decode,
                     const mpc_block_t *in0, size_t m)
{
    const gc_prog_t *p = &w->prog;
    uint64_t base[GC_L];
    for (size_t l = 0; l < GC_L; l++)
        base[l] = ctr + l * p->n_and;
    /* a partial group is garbled into the scratch tables and compacted */
    w->kern->garble(p, in0, w->work, m == GC_L ? tables : w->scratch, &g->pi,
                    &g->delta, base);
    if (m < GC_L)
        for (size_t k = 0; k < 2 * (size_t)p->n_and; k++)
            memcpy(tables + k * m, w->scratch + k * GC_L,
                   m * sizeof(mpc_block_t));
    /* decoding bits: the permute bits of the outputs' 0-labels */
    for (size_t k = 0; k < p->n_out; k++) {
        const mpc_block_t *o = gc_slot(p, in0, w->work, p->out_slot[k]);
        for (size_t l = 0; l < m; l++)
            decode[l * p->n_out + k] = (uint8_t)(o[l].w[0] & 1);
    }
}

veil_status mpc_gc_garble(mpc_gc_garbler_t *g, mpc_block_t *tables,
                          uint8_t *decode, const mpc_circuit_t *c,
                          const mpc_block_t *in0, size_t n)
{
    veil_status st = VEIL_OK;
    ptrdiff_t groups;
    if (g == NULL || c == NULL || n == 0 || in0 == NULL ||
        (tables == NULL && c->n_and > 0) || (decode == NULL && c->n_out > 0))
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    if (!gc_counter_ok(g->and_ctr, c->n_and, n))
        return VEIL_EINVAL;
    groups = (ptrdiff_t)gc_groups(n);
    /* groups are independent: OpenMP over them, one workspace per thread;
     * the result does not depend on the number of threads */
#pragma omp parallel
    {
        gc_ws_t w;
        veil_status wst = gc_ws_init(&w, c, 0, 0);
#pragma omp for schedule(static)
        for (ptrdiff_t q = 0; q < groups; q++) {
            size_t i0 = (size_t)q * GC_L, m = n - i0 < GC_L ? n - i0 : GC_L;
            if (wst != VEIL_OK)
                continue;
            gc_ws_gather(&w, in0, i0, m);
            gc_garble_group(&w, g, g->and_ctr + i0 * c->n_and,
                            tables + i0 * c->n_and * 2, decode + i0 * c->n_out,
                            w.in, m);
        }
        gc_ws_clear(&w);
        if (wst != VEIL_OK) {
#pragma omp critical(gc_garble_status)
            st = wst;
        }
    }
    if (st == VEIL_OK)
        g->and_ctr += (uint64_t)n * c->n_and;
    return st;
}
