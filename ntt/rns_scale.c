/*
 * rns_scale.c - round(t x / Q) on residues, without composing x: the
 * scale-and-round of Halevi, Polyakov and Shoup ("An improved RNS variant of
 * the BFV homomorphic encryption scheme", CT-RSA 2019): section 2.3 for
 * decryption (x in base Q, result mod t) and section 4.3 for multiplication
 * (x in base Q u P, result in base P), in 52-bit fixed point instead of
 * floating point (doc/02-rns.md, "Scaling by t/Q").
 *
 * Let P = prod p_j (P = 1 for decryption), w_i = (QP/q_i)^-1 mod q_i and
 * write t P w_i / q_i = R_i + theta_i, R_i an integer, theta_i in [0, 1).
 * Every representative x of the input satisfies, for some integer a,
 *     x = sum_i x_i w_i QP/q_i + sum_j x_j [(QP/p_j)^-1]_{p_j} QP/p_j - a QP,
 * hence
 *     t x / Q = sum_i x_i R_i + sum_i x_i theta_i
 *               + sum_j x_j [(QP/p_j)^-1]_{p_j} t P/p_j - a t P.
 * Everything but sum_i x_i theta_i is an integer; modulo p_j the last sum
 * leaves x_j t Q^-1 and a t P vanishes (modulo t for decryption, the p-terms
 * are absent and a t vanishes).  So
 *     round(t x / Q) = sum_i x_i R_i + round(sum_i x_i theta_i)
 *                      [+ x_j t Q^-1]   mod t, resp. mod p_j.
 */
#include "config.h"
#include "rns_internal.h"
#include <string.h>

static int bases_disjoint(const rns_base_t *q, const rns_base_t *p)
{
    for (size_t i = 0; i < q->k; i++)
        for (size_t j = 0; j < p->k; j++)
            if (q->q[i] == p->q[j])
                return 0;
    return 1;
}

/* The constants of one prime q_i: R_i mod every output modulus and
 * floor(2^104 theta_i) split into two 52-bit limbs. */
static veil_status scale_prime_init(rns_scale_t *s, size_t i, const mpz_t QP,
                                    const mpz_t tP, mpz_t tmp, mpz_t r)
{
    const rns_base_t *q = s->q;
    const uint64_t qi = q->q[i];
    uint64_t w;
    veil_status st;

    /* w_i = (QP / q_i)^-1 mod q_i; a unit as the primes are distinct */
    mpz_divexact_ui(tmp, QP, qi);
    st = ntt_inv_mod(&w, mpz_fdiv_ui(tmp, qi), qi);
    if (st != VEIL_OK)
        return st;
    /* t P w_i = R_i q_i + r_i */
    mpz_mul_ui(tmp, tP, w);
    mpz_fdiv_qr_ui(tmp, r, tmp, qi);
    for (size_t j = 0; j < s->m; j++)
        s->int_part[j * q->k + i] = mpz_fdiv_ui(tmp, s->red[j].p);
    /* floor(2^104 r_i / q_i) < 2^104 */
    mpz_mul_2exp(r, r, 104);
    mpz_fdiv_q_ui(r, r, qi);
    s->frac[2 * i + 1] = mpz_getlimbn(r, 0) & RNS_MASK52;
    mpz_fdiv_q_2exp(r, r, 52);
    s->frac[2 * i] = mpz_getlimbn(r, 0);
    return VEIL_OK;
}

static veil_status scale_tables_init(rns_scale_t *s)
{
    const rns_base_t *q = s->q, *p = s->p;
    mpz_t QP, tP, tmp, r;
    veil_status st = VEIL_OK;

    for (size_t j = 0; j < s->m; j++)
        rns_red_init(&s->red[j], p != NULL ? p->q[j] : s->t);
    mpz_inits(QP, tP, tmp, r, NULL);
    mpz_set(QP, q->Q);
    mpz_set_ui(tP, s->t);
    if (p != NULL) {
        mpz_mul(QP, QP, p->Q);
        mpz_mul(tP, tP, p->Q);
    }
    for (size_t i = 0; i < q->k && st == VEIL_OK; i++)
        st = scale_prime_init(s, i, QP, tP, tmp, r);
    /* t Q^-1 mod p_j: Q is a unit mod p_j as the bases are disjoint */
    for (size_t j = 0; p != NULL && j < s->m && st == VEIL_OK; j++) {
        const uint64_t pj = p->q[j];
        uint64_t qinv;
        st = ntt_inv_mod(&qinv, mpz_fdiv_ui(q->Q, pj), pj);
        if (st == VEIL_OK) {
            s->p_coef[j] = ntt_mul_mod(s->t % pj, qinv, &p->mod[j]);
            s->p_coef_shoup[j] = ntt_shoup_precomp(s->p_coef[j], pj);
            s->p_coef_shoup52[j] =
                (uint64_t)(((unsigned __int128)s->p_coef[j] << 52) / pj);
        }
    }
    mpz_clears(QP, tP, tmp, r, NULL);
    return st;
}

veil_status rns_scale_init(rns_scale_t *s, const rns_base_t *q,
                           const rns_base_t *p, uint64_t t)
{
    veil_status st;

    if (s == NULL)
        return VEIL_EINVAL;
    memset(s, 0, sizeof(*s));
    if (q == NULL || q->q == NULL || (p != NULL && p->q == NULL) || t < 2 ||
        t >> 62 != 0 || (p != NULL && !bases_disjoint(q, p)))
        return VEIL_EINVAL;
    s->q = q;
    s->p = p;
    s->t = t;
    s->m = p != NULL ? p->k : 1;
    s->chunk = rns_chunk(q);
    s->red = veil_calloc(s->m, sizeof(rns_red_t));
    s->int_part = veil_calloc(s->m * q->k, sizeof(uint64_t));
    s->frac = veil_calloc(2 * q->k, sizeof(uint64_t));
    if (p != NULL) {
        s->p_coef = veil_calloc(s->m, sizeof(uint64_t));
        s->p_coef_shoup = veil_calloc(s->m, sizeof(uint64_t));
        s->p_coef_shoup52 = veil_calloc(s->m, sizeof(uint64_t));
    }
    if (s->red == NULL || s->int_part == NULL || s->frac == NULL ||
        (p != NULL && (s->p_coef == NULL || s->p_coef_shoup == NULL ||
                       s->p_coef_shoup52 == NULL))) {
        rns_scale_clear(s);
        return VEIL_ENOMEM;
    }
    st = scale_tables_init(s);
    if (st != VEIL_OK) { /* unreachable for validated bases and t */
        rns_scale_clear(s);
        return st;
    }
    s->isa = rns_simd_isa(rns_simd_ok(q) && (p == NULL || rns_simd_ok(p)) &&
                          t >> 50 == 0);
    return VEIL_OK;
}

void rns_scale_clear(rns_scale_t *s)
{
    if (s == NULL)
        return;
    veil_free(s->red);
    veil_free(s->int_part);
    veil_free(s->frac);
    veil_free(s->p_coef);
    veil_free(s->p_coef_shoup);
    veil_free(s->p_coef_shoup52);
    memset(s, 0, sizeof(*s));
}

/* The scalar reference, column by column. */
static void scale_columns(const rns_scale_t *s, uint64_t *out,
                          const uint64_t *in, size_t n, size_t stride)
{
    const size_t k = s->q->k, chunk = s->chunk;
    uint64_t x[RNS_MAX_PRIMES], whole[RNS_MAX_PRIMES];

    for (size_t col = 0; col < n; col++) {
        /* Step 1: x_i theta_i in 52-bit fixed point.  With the limbs
         * Theta_i = T1 2^52 + T0 = floor(2^104 theta_i),
         *   U_i = x_i T1 + floor(x_i T0 / 2^52) = floor(x_i Theta_i / 2^52)
         * is below x_i theta_i 2^52 by less than 1 + x_i 2^-52 units.  Keep
         * its integer part whole_i = floor(U_i / 2^52) < q_i and add its
         * fractional limbs, rounding half up: carry = round(sum of the
         * fractions) <= k.  The computed sum_i x_i theta_i is low by less
         * than eps = 2^-52 sum_i (1 + q_i 2^-52): the exactness bound. */
        uint64_t fsum = (uint64_t)1 << 51, carry;
        for (size_t i = 0; i < k; i++) {
            const uint64_t xi = in[i * stride + col];
            const unsigned __int128 u =
                (unsigned __int128)xi * s->frac[2 * i] +
                (uint64_t)(((unsigned __int128)xi * s->frac[2 * i + 1]) >> 52);
            x[i] = xi;
            whole[i] = (uint64_t)(u >> 52);
            fsum += (uint64_t)u & RNS_MASK52;
        }
        carry = fsum >> 52;

        /* Step 2: per output modulus, carry + sum_i (x_i R_i + whole_i),
         * each term below q_i m_j, in 128 bits reduced once per chunk. */
        for (size_t j = 0; j < s->m; j++) {
            const rns_red_t *red = &s->red[j];
            const uint64_t *R = s->int_part + j * k;
            unsigned __int128 acc = carry;
            uint64_t r;
            for (size_t i0 = 0; i0 < k; i0 += chunk) {
                const size_t end = k - i0 > chunk ? i0 + chunk : k;
                if (i0 > 0)
                    acc = rns_red(acc, red);
                for (size_t i = i0; i < end; i++)
                    acc += (unsigned __int128)x[i] * R[i] + whole[i];
            }
            r = rns_red(acc, red);
            /* Step 3 (base P output): + x_j t Q^-1 mod p_j */
            if (s->p != NULL)
                r = ntt_add_mod(r,
                                ntt_mul_shoup(in[(k + j) * stride + col],
                                              s->p_coef[j], s->p_coef_shoup[j],
                                              red->p),
                                red->p);
            out[j * stride + col] = r;
        }
    }
    veil_memzero(x, k * sizeof(uint64_t));
    veil_memzero(whole, k * sizeof(uint64_t));
}

void _rns_scale_round(const rns_scale_t *s, uint64_t *out, const uint64_t *in,
                      size_t n, size_t stride)
{
    size_t done = 0;
    VEIL_ASSERT(s != NULL && s->q != NULL);
    VEIL_ASSERT(rns_rows_ok(s->q, in, out, s->m, n, stride));
    VEIL_ASSERT(s->p == NULL ||
                rns_rows_ok(s->p, in + s->q->k * stride, out, s->m, n, stride));
#if defined(VEIL_HAVE_AVX512)
    if (s->isa == VEIL_ISA_AVX512)
        done = rns_scale_columns_avx512(s, out, in, n, stride);
#endif
#if defined(VEIL_HAVE_AVX2)
    if (s->isa == VEIL_ISA_AVX2)
        done = rns_scale_columns_avx2(s, out, in, n, stride);
#endif
    scale_columns(s, out + done, in + done, n - done, stride);
}

void rns_scale_round(const rns_scale_t *s, uint64_t *out, const uint64_t *in,
                     size_t n)
{
    _rns_scale_round(s, out, in, n, n);
}
