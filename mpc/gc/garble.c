/*
 * garble.c - the garbler: the portable half-gates garbling kernel (the
 * reference the AES-NI and VAES kernels match bit for bit, and the version
 * doc/21-garbled-circuits.md teaches from), then the garbler in memory:
 * its secret offset Delta and label generator, input encoding, and
 * garbling group by group through the kernel of the active path (tables
 * in the layout of mpc_gc.h, output decoding bits), groups spread over
 * OpenMP threads.
 *
 * Half gates (Zahur, Rosulek and Evans, Eurocrypt 2015, figure 2) with the
 * tweakable hash H(X, t) = pi(K) ^ K, K = sigma(X) ^ t, of Guo, Katz, Wang
 * and Yu (S&P 2020, section 7.3), for the j-th AND gate, A0 and B0 the
 * 0-labels of its inputs and D = Delta:
 *   pa, pb = lsb(A0), lsb(B0); A1 = A0 ^ D, B1 = B0 ^ D
 *   TG = H(A0, 2j) ^ H(A1, 2j) ^ pb D         (the garbler's half gate)
 *   WG = H(A0, 2j) ^ pa TG
 *   TE = H(B0, 2j+1) ^ H(B1, 2j+1) ^ A0       (the evaluator's half gate)
 *   WE = H(B0, 2j+1) ^ pb (TE ^ A0)
 *   W0 = WG ^ WE, the output's 0-label; (TG, TE) go to the evaluator.
 * XOR is free (W0 = A0 ^ B0), NOT adds D, constants are 0 and D.
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

void gc_garble_portable(const gc_prog_t *p, const mpc_block_t *in,
                        mpc_block_t *work, mpc_block_t *tables,
                        const mpc_aes_key_t *pi, const mpc_block_t *delta,
                        const uint64_t *and_base, uint64_t hi)
{
    const mpc_block_t d = *delta, zero = {{0, 0}};
    uint64_t j[GC_L]; /* the next AND index of each lane */
    for (size_t l = 0; l < GC_L; l++)
        j[l] = and_base[l];
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        for (size_t l = 0; l < GC_L; l++) {
            switch (o->op) {
            case MPC_GATE_XOR:
                out[l] = mpc_block_xor(a[l], b[l]);
                break;
            case MPC_GATE_NOT:
                out[l] = mpc_block_xor(a[l], d);
                break;
            case MPC_GATE_CONST0:
                out[l] = zero;
                break;
            case MPC_GATE_CONST1:
                out[l] = d;
                break;
            default: { /* AND: operands read before out is written */
                const mpc_block_t a0 = a[l], b0 = b[l];
                const uint64_t pa = a0.w[0], pb = b0.w[0];
                const mpc_block_t ha0 = hash(pi, a0, 2 * j[l], hi);
                const mpc_block_t ha1 =
                    hash(pi, mpc_block_xor(a0, d), 2 * j[l], hi);
                const mpc_block_t hb0 = hash(pi, b0, 2 * j[l] + 1, hi);
                const mpc_block_t hb1 =
                    hash(pi, mpc_block_xor(b0, d), 2 * j[l] + 1, hi);
                mpc_block_t tg, te, wg, we;
                tg = mpc_block_xor(mpc_block_xor(ha0, ha1), select(pb, d));
                wg = mpc_block_xor(ha0, select(pa, tg));
                te = mpc_block_xor(mpc_block_xor(hb0, hb1), a0);
                we = mpc_block_xor(hb0, select(pb, mpc_block_xor(te, a0)));
                tables[l] = tg;
                tables[GC_L + l] = te;
                out[l] = mpc_block_xor(wg, we);
                j[l]++;
                break;
            }
            }
        }
        if (o->op == MPC_GATE_AND)
            tables += 2 * GC_L;
    }
}

/* ------------------------------------------------------- the garbler */

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
    /* the session's tweak block: 128 fresh bits but the low one, so that
     * no two sessions hash under the same tweaks (mpc_gc.h) */
    veil_rng_bytes(&rng, &g->tweak, sizeof(g->tweak));
    g->tweak.w[0] &= ~(uint64_t)1;
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

void mpc_gc_random_labels(mpc_gc_garbler_t *g, mpc_block_t *zero, size_t count)
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
        base[l] = gc_tweak_base(&g->tweak, ctr + l * p->n_and);
    /* a partial group is garbled into the scratch tables and compacted */
    w->kern->garble(p, in0, w->work, m == GC_L ? tables : w->scratch, &g->pi,
                    &g->delta, base, g->tweak.w[1]);
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
    /* groups are independent: OpenMP over them, one workspace per thread,
     * handed out dynamically (a descheduled thread does not hold back the
     * others);
     * the result does not depend on the number of threads */
#pragma omp parallel num_threads(veil_team())
    {
        gc_ws_t w;
        veil_status wst = gc_ws_init(&w, c, 0, 0);
#pragma omp for schedule(dynamic, 4)
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
