/*
 * rns_conv.c - base conversion from base Q = (q_i) to base P = (p_j):
 * the fast approximate conversion of Bajard, Eynard, Hasan and Zucca ("A
 * full RNS variant of FV like somewhat homomorphic encryption schemes",
 * SAC 2016, section 2.2, FastBconv) and the "exact" conversion of Halevi,
 * Polyakov and Shoup ("An improved RNS variant of the BFV homomorphic
 * encryption scheme", CT-RSA 2019, section 2.2), which removes the
 * overflow e Q with an overflow count computed in fixed point
 * (doc/02-rns.md, "Base conversion").
 */
#include <string.h>
#include "rns_internal.h"

veil_status rns_conv_init(rns_conv_t *c, const rns_base_t *from,
                          const rns_base_t *to)
{
    size_t kf, kt;

    if (c == NULL)
        return VEIL_EINVAL;
    memset(c, 0, sizeof(*c));
    if (from == NULL || to == NULL || from->q == NULL || to->q == NULL)
        return VEIL_EINVAL;
    kf = from->k;
    kt = to->k;
    c->qhat_mod_p = veil_calloc(kf * kt, sizeof(uint64_t));
    c->Q_mod_p = veil_calloc(kt, sizeof(uint64_t));
    c->Q_mod_p_shoup = veil_calloc(kt, sizeof(uint64_t));
    if (c->qhat_mod_p == NULL || c->Q_mod_p == NULL ||
        c->Q_mod_p_shoup == NULL) {
        rns_conv_clear(c);
        return VEIL_ENOMEM;
    }
    c->from = from;
    c->to = to;
    for (size_t j = 0; j < kt; j++) {
        const uint64_t p = to->q[j];
        for (size_t i = 0; i < kf; i++)
            c->qhat_mod_p[j * kf + i] = mpz_fdiv_ui(from->qhat[i], p);
        c->Q_mod_p[j] = mpz_fdiv_ui(from->Q, p);
        c->Q_mod_p_shoup[j] = ntt_shoup_precomp(c->Q_mod_p[j], p);
    }
    c->chunk = rns_chunk(from);
    return VEIL_OK;
}

void rns_conv_clear(rns_conv_t *c)
{
    if (c == NULL)
        return;
    veil_free(c->qhat_mod_p);
    veil_free(c->Q_mod_p);
    veil_free(c->Q_mod_p_shoup);
    memset(c, 0, sizeof(*c));
}

/* sum_i y_i w_i mod m for y_i < q_i (the primes of the source base) and
 * w_i < m: products added in 128 bits, reduced once per `chunk` terms
 * (rns_internal.h), that is once in practice (chunk >= 8192 for primes
 * below 2^50).  The inner loop is a plain unit-stride multiply-accumulate. */
static inline uint64_t dot_mod(const uint64_t *y, const uint64_t *w, size_t k,
                               size_t chunk, const ntt_modulus_t *m)
{
    unsigned __int128 acc = 0;
    size_t i = 0;

    for (;;) {
        const size_t end = k - i > chunk ? i + chunk : k;
        uint64_t r;
        for (; i < end; i++)
            acc += (unsigned __int128)y[i] * w[i];
        r = ntt_reduce128((uint64_t)(acc >> 64), (uint64_t)acc, m);
        if (i == k)
            return r;
        acc = r;
    }
}

/* floor(y * floor(2^128 / q) / 2^64) for y in [0, q): y / q in 64-bit
 * fixed point, below y 2^64 / q by less than 1 + y / 2^64 < 1.25 units. */
static inline uint64_t frac64(uint64_t y, const ntt_modulus_t *m)
{
    return y * m->barrett_hi +
           (uint64_t)(((unsigned __int128)y * m->barrett_lo) >> 64);
}

static void conv_columns(const rns_conv_t *c, uint64_t *out,
                         const uint64_t *in, size_t n, size_t stride,
                         int exact)
{
    const rns_base_t *from = c->from, *to = c->to;
    const size_t kf = from->k, kt = to->k;
    uint64_t y[RNS_MAX_PRIMES];

    for (size_t col = 0; col < n; col++) {
        uint64_t v = 0;

        /* Step 1: y_i = [x_i qhat_inv_i]_{q_i} (Shoup). */
        for (size_t i = 0; i < kf; i++)
            y[i] = ntt_mul_shoup(in[i * stride + col], from->qhat_inv[i],
                                 from->qhat_inv_shoup[i], from->q[i]);

        /* Step 2 (exact only): sum_i y_i / q_i = x / Q + e with x in
         * [0, Q), so v = round(sum_i y_i / q_i) is e, plus 1 when
         * x > Q/2.  Sum the fractions in 64-bit fixed point and round with
         * ties down, so that x = Q/2 (Q even) stays Q/2.  Each fraction is
         * low by < 1.25 units of 2^-64 (frac64), the only source of error. */
        if (exact) {
            unsigned __int128 s = ((unsigned __int128)1 << 63) - 1;
            for (size_t i = 0; i < kf; i++)
                s += frac64(y[i], &from->mod[i]);
            v = (uint64_t)(s >> 64);
        }

        /* Step 3: out_j = sum_i y_i (qhat_i mod p_j) - v (Q mod p_j), the
         * sum reduced once (dot_mod) and v <= k subtracted with Shoup. */
        for (size_t j = 0; j < kt; j++) {
            const uint64_t p = to->q[j];
            uint64_t r = dot_mod(y, c->qhat_mod_p + j * kf, kf, c->chunk,
                                 &to->mod[j]);
            if (exact)
                r = ntt_sub_mod(r,
                                ntt_mul_shoup(v, c->Q_mod_p[j],
                                              c->Q_mod_p_shoup[j], p),
                                p);
            out[j * stride + col] = r;
        }
    }
}

void _rns_conv_apply(const rns_conv_t *c, uint64_t *out, const uint64_t *in,
                     size_t n, size_t stride)
{
    conv_columns(c, out, in, n, stride, 0);
}

void rns_conv_apply(const rns_conv_t *c, uint64_t *out, const uint64_t *in,
                    size_t n)
{
    conv_columns(c, out, in, n, n, 0);
}

void _rns_conv_apply_exact(const rns_conv_t *c, uint64_t *out,
                           const uint64_t *in, size_t n, size_t stride)
{
    conv_columns(c, out, in, n, stride, 1);
}

void rns_conv_apply_exact(const rns_conv_t *c, uint64_t *out,
                          const uint64_t *in, size_t n)
{
    conv_columns(c, out, in, n, n, 1);
}
