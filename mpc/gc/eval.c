/*
 * eval.c - the evaluator: the portable half-gates evaluation kernel (the
 * reference of gc/aesni/eval.c and gc/vaes/eval.c; doc/21 teaches from
 * it), then the evaluator in memory: evaluating garbled groups through the
 * kernel of the active path (groups spread over OpenMP threads) and
 * decoding the outputs with the garbler's permute bits.
 *
 * For the j-th AND gate with active input labels A, B and the garbler's
 * (TG, TE) (see garble.c), sa = lsb(A), sb = lsb(B):
 *   W = H(A, 2j) ^ sa TG ^ H(B, 2j+1) ^ sb (TE ^ A)
 * which is W0 ^ (a AND b) Delta: the evaluator learns the output's label,
 * not its value.  XOR is free; the evaluator's program has no other gates.
 */
#include "internal.h"
#include <stddef.h>
#include <string.h>

/* ---------------------------------------------- the portable reference */

/* H(X, t) = pi(K) ^ K for K = sigma(X) ^ t, the tweak t = (hi, lo): lo in
 * the low word, hi (the session's) in the high word. */
static mpc_block_t hash(const mpc_aes_key_t *pi, mpc_block_t x, uint64_t lo,
                        uint64_t hi)
{
    mpc_block_t k = mpc_block_sigma(x), e;
    k.w[0] ^= lo;
    k.w[1] ^= hi;
    mpc_aes_block_portable(&e, pi, &k);
    return mpc_block_xor(e, k);
}

/* b if bit is 1, zero if it is 0, without a branch (labels are secret). */
static mpc_block_t select(uint64_t bit, mpc_block_t b)
{
    const uint64_t m = (uint64_t)0 - (bit & 1);
    mpc_block_t r = {{b.w[0] & m, b.w[1] & m}};
    return r;
}

void gc_eval_portable(const gc_prog_t *p, const mpc_block_t *in,
                      mpc_block_t *work, const mpc_block_t *tables,
                      const mpc_aes_key_t *pi, const uint64_t *and_base,
                      uint64_t hi)
{
    uint64_t j[GC_L]; /* the next AND index of each lane */
    for (size_t l = 0; l < GC_L; l++)
        j[l] = and_base[l];
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        for (size_t l = 0; l < GC_L; l++) {
            const mpc_block_t al = a[l], bl = b[l];
            if (o->op == MPC_GATE_XOR) {
                out[l] = mpc_block_xor(al, bl);
            } else { /* AND */
                const mpc_block_t tg = tables[l], te = tables[GC_L + l];
                mpc_block_t wg = hash(pi, al, 2 * j[l], hi);
                mpc_block_t we = hash(pi, bl, 2 * j[l] + 1, hi);
                wg = mpc_block_xor(wg, select(al.w[0], tg));
                we = mpc_block_xor(we, select(bl.w[0], mpc_block_xor(te, al)));
                out[l] = mpc_block_xor(wg, we);
                j[l]++;
            }
        }
        if (o->op != MPC_GATE_XOR)
            tables += 2 * GC_L;
    }
}

/* ----------------------------------------------------- the evaluator */

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

void gc_eval_group(gc_ws_t *w, const mpc_aes_key_t *pi,
                   const mpc_block_t *tweak, uint64_t ctr, uint8_t *out,
                   const mpc_block_t *in, const mpc_block_t *tables,
                   const uint8_t *decode, size_t m)
{
    const gc_prog_t *p = &w->prog;
    uint64_t base[GC_L];
    for (size_t l = 0; l < GC_L; l++)
        base[l] = gc_tweak_base(tweak, ctr + l * p->n_and);
    if (m < GC_L) /* spread a partial group's tables over all lanes */
        for (size_t k = 0; k < 2 * (size_t)p->n_and; k++)
            memcpy(w->scratch + k * GC_L, tables + k * m,
                   m * sizeof(mpc_block_t));
    w->kern->eval(p, in, w->work, m == GC_L ? tables : w->scratch, pi, base,
                  tweak->w[1]);
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
    /* groups are independent: OpenMP over them, one workspace per thread,
     * handed out dynamically (a descheduled thread does not hold back the
     * others) */
#pragma omp parallel num_threads(veil_team())
    {
        gc_ws_t w;
        veil_status wst = gc_ws_init(&w, c, 1, 0);
#pragma omp for schedule(dynamic, 4)
        for (ptrdiff_t q = 0; q < groups; q++) {
            size_t i0 = (size_t)q * GC_L, m = n - i0 < GC_L ? n - i0 : GC_L;
            if (wst != VEIL_OK)
                continue;
            gc_ws_gather(&w, in, i0, m);
            gc_eval_group(&w, &e->pi, &e->tweak, e->and_ctr + i0 * c->n_and,
                          out + i0 * c->n_out, w.in, tables + i0 * c->n_and * 2,
                          decode + i0 * c->n_out, m);
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
