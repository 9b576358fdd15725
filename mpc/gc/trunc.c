/*
 * trunc.c - exact truncation of additive shares in F_p by a garbled
 * circuit: the local truncation of mpc_share_trunc plus the correction of
 * the one case where it fails, the shares wrapping around p, detected by
 * two comparisons inside the circuit.  doc/20-two-party.md, section
 * "Truncation", derives it; in short, with k = shift:
 *
 * Party 0 holds s0, party 1 holds s1, x = s0 + s1 mod p with signed value
 * v, h = (p - 1) / 2, u = (p - s1) mod p.  Local truncation gives
 * floor(s0 / 2^k) - floor(u / 2^k); it is right (floor(v / 2^k) + e,
 * e in {0, 1}) when u = s0 - v as integers.  In general u = s0 - v + c p
 * with c in {-1, 0, 1}, and
 *     c = +1  iff  u > s0 + h,        c = -1  iff  s0 > u + h
 * (two comparisons of (k+1)-bit numbers, one input from each party), so
 * the exact result is floor(s0 / 2^k) - floor((u - c p) / 2^k).  Party 1
 * knows u, hence the corrections D+ = floor((u - p) / 2^k) - floor(u / 2^k)
 * and D- = floor((u + p) / 2^k) - floor(u / 2^k); it garbles
 *     y = (M + A W1 + B W2) mod p,  A = [c = 1], B = [c = -1],
 *     W1 = -D+ mod p, W2 = -D- mod p, M uniform in [0, p),
 * party 0 evaluates it (its inputs s0 and s0 + h by oblivious transfer)
 * and keeps floor(s0 / 2^k) + y; party 1 keeps -floor(u / 2^k) - M.  The
 * sum is floor(s0 / 2^k) - floor((u - c p) / 2^k): never wrong.  y is
 * uniform (M is), so party 0 learns nothing; party 1 learns nothing (it
 * only garbles).  All of party 1's inputs are hardwired offline.
 *
 * Cost per element: 2 (k+1) ANDs for the comparisons, 2 bitlen(p) for the
 * selections, about 3 bitlen(p) for the addition mod p: 289 ANDs for
 * Delphi's 41-bit p (9.2 KB of tables), 2 bitlen(p) + 1 = 83 OTs.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* Elements per garbled batch: bounds the bit arrays (about 300 bytes per
 * element) and the tables (9.2 KB per element at 41 bits). */
#define TRUNC_BATCH 4096

/* Input layout, with nb = bitlen(p), K = nb + 1:
 *   garbler   [0, nb) u, [nb, nb+K) u + h, then W1, W2, M (nb bits each)
 *   evaluator [0, nb) s0, [nb, nb+K) s0 + h
 *   output    y (nb bits) */
#define GIN(nb) (5 * (nb) + 1)
#define EIN(nb) (2 * (nb) + 1)

static int trunc_args_ok(uint64_t p, unsigned shift)
{
    unsigned nb = gc_bitlen(p);
    return p >= 3 && (p & 1) && nb <= 62 && shift >= 1 && shift < nb;
}

veil_status mpc_circuit_trunc(mpc_circuit_t *c, uint64_t p, unsigned shift)
{
    mpc_cb_t b;
    mpc_wire_t u[64], uh[64], w1[64], w2[64], m[64], s0[64], s0h[64];
    mpc_wire_t y[64], a, bb;
    unsigned nb, K;
    veil_status st;
    if (c == NULL)
        return VEIL_EINVAL;
    mpc_circuit_init(c);
    if (!trunc_args_ok(p, shift))
        return VEIL_EINVAL;
    nb = gc_bitlen(p);
    K = nb + 1;
    if ((st = mpc_cb_init(&b, GIN(nb), EIN(nb))) != VEIL_OK)
        return st;
    for (unsigned i = 0; i < K; i++) {
        u[i] = i < nb ? mpc_cb_gin(&b, i) : mpc_cb_const(&b, 0);
        uh[i] = mpc_cb_gin(&b, nb + i);
        s0[i] = i < nb ? mpc_cb_ein(&b, i) : mpc_cb_const(&b, 0);
        s0h[i] = mpc_cb_ein(&b, nb + i);
    }
    for (unsigned i = 0; i < nb; i++) {
        w1[i] = mpc_cb_gin(&b, nb + K + i);
        w2[i] = mpc_cb_gin(&b, 2 * nb + K + i);
        m[i] = mpc_cb_gin(&b, 3 * nb + K + i);
    }
    /* A = [u > s0 + h] = ![s0 + h >= u],  B = [s0 > u + h] = ![u + h >= s0] */
    mpc_cb_word_sub(&b, NULL, &a, s0h, u, K);
    mpc_cb_word_sub(&b, NULL, &bb, uh, s0, K);
    a = mpc_cb_not(&b, a);
    bb = mpc_cb_not(&b, bb);
    /* A and B exclude each other: A W1 + B W2 = (W1 & A) ^ (W2 & B) */
    mpc_cb_word_and_bit(&b, w1, w1, a, nb);
    mpc_cb_word_and_bit(&b, w2, w2, bb, nb);
    for (unsigned i = 0; i < nb; i++)
        w1[i] = mpc_cb_xor(&b, w1[i], w2[i]);
    mpc_cb_word_add_mod(&b, y, m, w1, p, nb);
    return mpc_cb_finish(c, &b, y, nb);
}

/* Party 1's circuit inputs for its share s1, shift k and mask M; its own
 * share of the result goes to *keep. */
void mpc_trunc_gin(uint8_t *bits, uint64_t *keep, uint64_t s1, uint64_t mask,
                   uint64_t p, unsigned shift)
{
    const unsigned nb = gc_bitlen(p), K = nb + 1;
    const uint64_t h = (p - 1) / 2, u = s1 == 0 ? 0 : p - s1;
    const uint64_t l0 = u >> shift;
    /* floor((u - p) / 2^k) = -ceil((p - u) / 2^k) */
    const uint64_t up = (p - u + ((uint64_t)1 << shift) - 1) >> shift;
    const uint64_t dn = ((u + p) >> shift) - l0; /* D-, positive */
    const uint64_t w1 = up + l0;                 /* -D+, positive */
    const uint64_t w2 = p - dn;                  /* -D- mod p   */
    for (unsigned i = 0; i < nb; i++) {
        bits[i] = (uint8_t)((u >> i) & 1);
        bits[nb + K + i] = (uint8_t)((w1 >> i) & 1);
        bits[2 * nb + K + i] = (uint8_t)((w2 >> i) & 1);
        bits[3 * nb + K + i] = (uint8_t)((mask >> i) & 1);
    }
    for (unsigned i = 0; i < K; i++)
        bits[nb + i] = (uint8_t)(((u + h) >> i) & 1);
    /* -floor(u / 2^k) - M mod p (both below p) */
    *keep = (p - l0) % p;
    *keep = *keep >= mask ? *keep - mask : *keep + p - mask;
}

/* Party 0's circuit inputs for its share s0. */
void mpc_trunc_ein(uint8_t *bits, uint64_t s0, uint64_t p)
{
    const unsigned nb = gc_bitlen(p), K = nb + 1;
    const uint64_t h = (p - 1) / 2;
    for (unsigned i = 0; i < nb; i++)
        bits[i] = (uint8_t)((s0 >> i) & 1);
    for (unsigned i = 0; i < K; i++)
        bits[nb + i] = (uint8_t)(((s0 + h) >> i) & 1);
}

/* ------------------------------------------------------------ protocol */

veil_status mpc_trunc_init(mpc_trunc_t *tr, const mpc_field_t *f,
                           unsigned shift, mpc_chan_t *ch, int party)
{
    veil_status st;
    if (tr == NULL)
        return VEIL_EINVAL;
    memset(tr, 0, sizeof(*tr));
    mpc_circuit_init(&tr->c);
    mpc_gc_gbatch_init(&tr->gb);
    mpc_gc_ebatch_init(&tr->eb);
    if (f == NULL || ch == NULL || (party != 0 && party != 1) ||
        !trunc_args_ok(f->p, shift))
        return VEIL_EINVAL;
    tr->p = f->p;
    tr->shift = shift;
    tr->party = party;
    if ((st = veil_rng_init(&tr->rng)) != VEIL_OK)
        return st;
    tr->has_rng = 1;
    if ((st = mpc_circuit_trunc(&tr->c, f->p, shift)) == VEIL_OK)
        st = party == 1 ? mpc_gc_gparty_init(&tr->g, ch)
                        : mpc_gc_eparty_init(&tr->e, ch);
    if (st == VEIL_OK)
        tr->ready = 1;
    else
        mpc_trunc_clear(tr);
    return st;
}

void mpc_trunc_clear(mpc_trunc_t *tr)
{
    if (tr == NULL)
        return;
    if (tr->ready)
        tr->party == 1 ? mpc_gc_gparty_clear(&tr->g)
                       : mpc_gc_eparty_clear(&tr->e);
    mpc_gc_gbatch_clear(&tr->gb);
    mpc_gc_ebatch_clear(&tr->eb);
    mpc_circuit_clear(&tr->c);
    if (tr->has_rng)
        veil_rng_clear(&tr->rng);
    veil_memzero(tr, sizeof(*tr));
}

/* One batch of m elements. */
static veil_status trunc_batch(mpc_trunc_t *tr, mpc_chan_t *ch, uint64_t *out,
                               const uint64_t *in, size_t m, uint8_t *bits,
                               uint64_t *aux)
{
    const uint64_t p = tr->p;
    const unsigned nb = gc_bitlen(p), k = tr->shift;
    veil_status st;
    if (tr->party == 1) {
        veil_rng_uniform_mod(&tr->rng, aux, m, p); /* the masks M */
        for (size_t i = 0; i < m; i++)
            mpc_trunc_gin(bits + i * GIN(nb), &aux[i], in[i], aux[i], p, k);
        st = mpc_gc_offline_garbler(&tr->gb, &tr->g, ch, &tr->c, m, GIN(nb),
                                    bits);
        if (st == VEIL_OK)
            st = mpc_gc_online_garbler(&tr->gb, &tr->g, ch, NULL);
        if (st == VEIL_OK)
            memcpy(out, aux, m * sizeof(uint64_t));
        veil_memzero(bits, m * GIN(nb));
        return st;
    }
    for (size_t i = 0; i < m; i++)
        mpc_trunc_ein(bits + i * EIN(nb), in[i], p);
    st =
        mpc_gc_offline_evaluator(&tr->eb, &tr->e, ch, &tr->c, m, GIN(nb), bits);
    veil_memzero(bits, m * EIN(nb));
    if (st == VEIL_OK)
        st = mpc_gc_online_evaluator(&tr->eb, &tr->e, ch, bits);
    for (size_t i = 0; i < m && st == VEIL_OK; i++) {
        uint64_t y = 0;
        for (unsigned j = 0; j < nb; j++)
            y |= (uint64_t)(bits[i * nb + j] & 1) << j;
        if (y >= p)
            return VEIL_EFORMAT; /* add_mod never gives it */
        y += in[i] >> k;
        out[i] = y >= p ? y - p : y;
    }
    return st;
}

veil_status mpc_trunc(mpc_trunc_t *tr, mpc_chan_t *ch, uint64_t *out,
                      const uint64_t *in, size_t n)
{
    const size_t per = GIN(64); /* bytes of bits per element, at most */
    uint8_t *bits;
    uint64_t *aux;
    veil_status st = VEIL_OK;
    if (tr == NULL || !tr->ready || ch == NULL || out == NULL || in == NULL ||
        n == 0)
        return VEIL_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (in[i] >= tr->p)
            return VEIL_EINVAL;
    bits = malloc(TRUNC_BATCH * per);
    aux = veil_alloc(TRUNC_BATCH * sizeof(uint64_t));
    if (bits == NULL || aux == NULL)
        st = VEIL_ENOMEM;
    for (size_t i0 = 0; i0 < n && st == VEIL_OK; i0 += TRUNC_BATCH) {
        size_t m = n - i0 < TRUNC_BATCH ? n - i0 : TRUNC_BATCH;
        st = trunc_batch(tr, ch, out + i0, in + i0, m, bits, aux);
    }
    if (bits != NULL)
        veil_memzero(bits, TRUNC_BATCH * per);
    free(bits);
    veil_free_secret(aux, TRUNC_BATCH * sizeof(uint64_t));
    return st;
}
