/*
 * gc_eval.c - the evaluator in memory: evaluating garbled groups through
 * the kernel (groups spread over OpenMP threads) and decoding the outputs
 * with the garbler's permute bits.
 */
#include <stddef.h>
#include <string.h>
#include "internal.h"

veil_status mpc_gc_evaluator_init(mpc_gc_evaluator_t *e)
{
    if (e == NULL)
        return VEIL_EINVAL;
    memset(e, 0, sizeof(*e));
    return mpc_aes_init_fixed(&e->pi);
}

void mpc_gc_evaluator_clear(mpc_gc_evaluator_t *e)
{
    if (e != NULL)
        veil_memzero(e, sizeof(*e));
}

void gc_eval_group(gc_ws_t *w, const mpc_aes_key_t *pi, uint64_t ctr,
                   uint8_t *out, const mpc_block_t *in,
                   const mpc_block_t *tables, const uint8_t *decode, size_t m)
{
    const gc_prog_t *p = &w->prog;
    uint64_t base[GC_L];
    for (size_t l = 0; l < GC_L; l++)
        base[l] = ctr + l * p->n_and;
    if (m < GC_L) /* spread a partial group's tables over all lanes */
        for (size_t k = 0; k < 2 * (size_t)p->n_and; k++)
            memcpy(w->scratch + k * GC_L, tables + k * m,
                   m * sizeof(mpc_block_t));
    w->kern->eval(p, in, w->work, m == GC_L ? tables : w->scratch, pi, base);
    for (size_t k = 0; k < p->n_out; k++) {
        const mpc_block_t *o = gc_slot(p, in, w->work, p->out_slot[k]);
        for (size_t l = 0; l < m; l++) {
            size_t i = l * p->n_out + k;
            out[i] = (uint8_t)((o[l].w[0] ^ decode[i]) & 1);
        }
    }
}

veil_status mpc_gc_eval(mpc_gc_evaluator_t *e, uint8_t *out,
                        const mpc_circuit_t *c, const mpc_block_t *in,
                        const mpc_block_t *tables, const uint8_t *decode,
                        size_t n)
{
    veil_status st;
    ptrdiff_t groups;
    if (e == NULL || c == NULL || n == 0 || in == NULL ||
        (tables == NULL && c->n_and > 0) ||
        ((decode == NULL || out == NULL) && c->n_out > 0))
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    if (!gc_counter_ok(e->and_ctr, c->n_and, n))
        return VEIL_EINVAL;
    groups = (ptrdiff_t)gc_groups(n);
    /* groups are independent: OpenMP over them, one workspace per thread */
#pragma omp parallel
    {
        gc_ws_t w;
        veil_status wst = gc_ws_init(&w, c, 1, 0);
#pragma omp for schedule(static)
        for (ptrdiff_t q = 0; q < groups; q++) {
            size_t i0 = (size_t)q * GC_L, m = n - i0 < GC_L ? n - i0 : GC_L;
            if (wst != VEIL_OK)
                continue;
            gc_ws_gather(&w, in, i0, m);
            gc_eval_group(&w, &e->pi, e->and_ctr + i0 * c->n_and,
                          out + i0 * c->n_out, w.in,
                          tables + i0 * c->n_and * 2, decode + i0 * c->n_out,
                          m);
        }
        gc_ws_clear(&w);
        if (wst != VEIL_OK) {
#pragma omp critical(gc_eval_status)
            st = wst;
        }
    }
    if (st == VEIL_OK)
        e->and_ctr += (uint64_t)n * c->n_and;
    return st;
}
