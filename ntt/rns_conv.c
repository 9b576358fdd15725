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
#include "config.h"
#include "rns_internal.h"
#include <string.h>

static unsigned bit_length(uint64_t q)
{
    unsigned s = 0;
    while (q >> s != 0)
        s++;
    return s;
}

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
    c->red = veil_calloc(kt, sizeof(rns_red_t));
    c->v_mu = veil_calloc(kf, sizeof(uint64_t));
    c->v_shift = veil_calloc(kf, sizeof(uint64_t));
    c->qhat_inv_sh52 = veil_calloc(kf, sizeof(uint64_t));
    if (c->qhat_mod_p == NULL || c->Q_mod_p == NULL ||
        c->Q_mod_p_shoup == NULL || c->red == NULL || c->v_mu == NULL ||
        c->v_shift == NULL || c->qhat_inv_sh52 == NULL) {
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
        rns_red_init(&c->red[j], p);
    }
    for (size_t i = 0; i < kf; i++) {
        /* q_i in [2^(s-1), 2^s): mu_i in (2^51, 2^52], below 2^52 unless
         * q_i = 2 */
        const unsigned s = bit_length(from->q[i]);
        c->v_mu[i] =
            (uint64_t)(((unsigned __int128)1 << (51 + s)) / from->q[i]);
        c->v_shift[i] = s - 1;
        c->qhat_inv_sh52[i] =
            (uint64_t)(((unsigned __int128)from->qhat_inv[i] << 52) /
                       from->q[i]);
    }
    c->chunk = rns_chunk(from);
    c->isa = rns_simd_isa(rns_simd_ok(from) && rns_simd_ok(to));
    return VEIL_OK;
}

void rns_conv_clear(rns_conv_t *c)
{
    if (c == NULL)
        return;
    veil_free(c->qhat_mod_p);
    veil_free(c->Q_mod_p);
    veil_free(c->Q_mod_p_shoup);
    veil_free(c->red);
    veil_free(c->v_mu);
    veil_free(c->v_shift);
    veil_free(c->qhat_inv_sh52);
    memset(c, 0, sizeof(*c));
}

/* sum_i y_i w_i mod p for y_i < q_i (the primes of the source base) and
 * w_i < p: the products are added in 128 bits and reduced once per `chunk`
 * terms (rns_internal.h), that is once in practice (chunk >= 8192 for
 * primes below 2^50).  The inner loop is a plain unit-stride
 * multiply-accumulate. */
static inline uint64_t dot_mod(const uint64_t *y, const uint64_t *w, size_t k,
                               size_t chunk, const rns_red_t *red)
{
    unsigned __int128 acc = 0;

    for (size_t i0 = 0; i0 < k; i0 += chunk) {
        const size_t end = k - i0 > chunk ? i0 + chunk : k;
        if (i0 > 0)
            acc = rns_red(acc, red);
        for (size_t i = i0; i < end; i++)
            acc += (unsigned __int128)y[i] * w[i];
    }
    return rns_red(acc, red);
}

/* The scalar reference, column by column. */
static void conv_columns(const rns_conv_t *c, uint64_t *out, const uint64_t *in,
                         size_t n, size_t stride, int exact)
{
    const rns_base_t *from = c->from;
    const size_t kf = from->k, kt = c->to->k;
    uint64_t y[RNS_MAX_PRIMES];

    for (size_t col = 0; col < n; col++) {
        uint64_t v = 0;

        /* Step 1: y_i = [x_i qhat_inv_i]_{q_i} (Shoup). */
        for (size_t i = 0; i < kf; i++)
            y[i] = ntt_mul_shoup(in[i * stride + col], from->qhat_inv[i],
                                 from->qhat_inv_shoup[i], from->q[i]);

        /* Step 2 (exact only): sum_i y_i / q_i = x / Q + e with x in
         * [0, Q), so v = round(sum_i y_i / q_i) is e, plus 1 when x > Q/2.
         * In 52-bit fixed point, y_i / q_i ~ F_i = floor(y_i mu_i /
         * 2^(s_i - 1)) / 2^52, below it by less than 3 units of 2^-52
         * (mu_i is low by < 1, y_i < 2^s_i, and the floor).  The sum is
         * rounded with ties down, so that x = Q/2 (Q even) stays Q/2. */
        if (exact) {
            uint64_t s = ((uint64_t)1 << 51) - 1;
            for (size_t i = 0; i < kf; i++)
                s += (uint64_t)(((unsigned __int128)y[i] * c->v_mu[i]) >>
                                c->v_shift[i]);
            v = s >> 52;
        }

        /* Step 3: out_j = sum_i y_i (qhat_i mod p_j) - v (Q mod p_j), the
         * sum reduced once (dot_mod) and v <= k subtracted with Shoup. */
        for (size_t j = 0; j < kt; j++) {
            const uint64_t p = c->red[j].p;
            uint64_t r =
                dot_mod(y, c->qhat_mod_p + j * kf, kf, c->chunk, &c->red[j]);
            if (exact)
                r = ntt_sub_mod(
                    r, ntt_mul_shoup(v, c->Q_mod_p[j], c->Q_mod_p_shoup[j], p),
                    p);
            out[j * stride + col] = r;
        }
    }
}

static void conv_dispatch(const rns_conv_t *c, uint64_t *out,
                          const uint64_t *in, size_t n, size_t stride,
                          int exact)
{
    size_t done = 0;
    VEIL_ASSERT(c != NULL && c->from != NULL && c->to != NULL);
    VEIL_ASSERT(rns_rows_ok(c->from, in, out, c->to->k, n, stride));
#if defined(VEIL_HAVE_AVX512)
    if (c->isa == VEIL_ISA_AVX512)
        done = rns_conv_columns_avx512(c, out, in, n, stride, exact);
#endif
#if defined(VEIL_HAVE_AVX2)
    if (c->isa == VEIL_ISA_AVX2)
        done = rns_conv_columns_avx2(c, out, in, n, stride, exact);
#endif
    conv_columns(c, out + done, in + done, n - done, stride, exact);
}

void _rns_conv_apply(const rns_conv_t *c, uint64_t *out, const uint64_t *in,
                     size_t n, size_t stride)
{
    conv_dispatch(c, out, in, n, stride, 0);
}

void rns_conv_apply(const rns_conv_t *c, uint64_t *out, const uint64_t *in,
                    size_t n)
{
    conv_dispatch(c, out, in, n, n, 0);
}

void _rns_conv_apply_exact(const rns_conv_t *c, uint64_t *out,
                           const uint64_t *in, size_t n, size_t stride)
{
    conv_dispatch(c, out, in, n, stride, 1);
}

void rns_conv_apply_exact(const rns_conv_t *c, uint64_t *out,
                          const uint64_t *in, size_t n)
{
    conv_dispatch(c, out, in, n, n, 1);
}
