/*
 * rns_avx512.c - base conversion and scale-and-round on eight columns at
 * once with AVX-512 IFMA (vpmadd52luq / vpmadd52huq).  Each kernel runs the
 * integer formulas of its scalar reference (conv_columns in rns_conv.c,
 * scale_columns in rns_scale.c) step for step, so the results are the same
 * bits; only the reductions modulo a prime, whose results are exact
 * residues either way, are done differently.
 *
 * Preconditions (rns_simd_ok, checked at init): every prime in (2, 2^50)
 * and t < 2^50, so that every product is of two values below 2^52, and 4p
 * stays below 2^52 for the lazy Shoup products of avx512_internal.h.
 */
#include "../rns_internal.h"
#include "avx512_internal.h"
#include <string.h>

/* Products summed in the two 64-bit accumulators before a fold: L terms
 * x w (x, w < 2^50) plus a value below 2^50 each leave acc_hi < L 2^48 and
 * acc_lo < 2^56, so hi = acc_hi + (acc_lo >> 52) < 2^52 for L <= 15. */
#define IFMA_CHUNK 15

/* (hi 2^52 + lo) mod p for hi < 2^52 and any lo < 2^64, as
 * hi [2^52]_p + (lo >> 52) [2^52]_p + (lo mod 2^52): the two 52-bit lazy
 * Shoup products are each in [0, 2p), their sum below 4p < 2^52. */
AVX512_INLINE __m512i reduce52(__m512i hi, __m512i lo, const rns_red_t *r)
{
    const __m512i mask = _mm512_set1_epi64((long long)MASK52);
    const __m512i p = _mm512_set1_epi64((long long)r->p);
    const __m512i negp = _mm512_set1_epi64(-(long long)r->p);
    __m512i a, b;

    hi = _mm512_add_epi64(hi, _mm512_srli_epi64(lo, 52));
    lo = _mm512_and_si512(lo, mask);
    a = avx512_mul_shoup_lazy(hi, _mm512_set1_epi64((long long)r->r52),
                              _mm512_set1_epi64((long long)r->r52_shoup52),
                              negp);
    b = avx512_mul_shoup_lazy(lo, _mm512_set1_epi64(1),
                              _mm512_set1_epi64((long long)r->one_shoup52),
                              negp);
    a = _mm512_add_epi64(a, b);
    a = avx512_csub(a, _mm512_add_epi64(p, p));
    return avx512_csub(a, p);
}

/* acc = (acc_hi 2^52 + acc_lo) + sum_i x_i w_i (+ add_i), folded every
 * IFMA_CHUNK terms, returned reduced mod p.  add may be NULL. */
AVX512_INLINE __m512i dot52(__m512i acc_lo, const __m512i *x, const uint64_t *w,
                            const __m512i *add, size_t k, const rns_red_t *r)
{
    __m512i acc_hi = _mm512_setzero_si512();

    for (size_t i0 = 0; i0 < k; i0 += IFMA_CHUNK) {
        const size_t end = k - i0 > IFMA_CHUNK ? i0 + IFMA_CHUNK : k;
        if (i0 > 0) {
            acc_lo = reduce52(acc_hi, acc_lo, r);
            acc_hi = _mm512_setzero_si512();
        }
        for (size_t i = i0; i < end; i++) {
            const __m512i wi = _mm512_set1_epi64((long long)w[i]);
            acc_lo = _mm512_madd52lo_epu64(acc_lo, x[i], wi);
            acc_hi = _mm512_madd52hi_epu64(acc_hi, x[i], wi);
            if (add != NULL)
                acc_lo = _mm512_add_epi64(acc_lo, add[i]);
        }
    }
    return reduce52(acc_hi, acc_lo, r);
}

size_t rns_conv_columns_avx512(const rns_conv_t *c, uint64_t *out,
                               const uint64_t *in, size_t n, size_t stride,
                               int exact)
{
    const rns_base_t *from = c->from;
    const size_t kf = from->k, kt = c->to->k, n8 = n - n % 8;
    const __m512i zero = _mm512_setzero_si512();
    __m512i y[RNS_MAX_PRIMES];

    for (size_t col = 0; col < n8; col += 8) {
        __m512i v = zero;

        /* Step 1: y_i = [x_i qhat_inv_i]_{q_i}; Step 2: the sum of the
         * F_i = floor(y_i mu_i / 2^(s_i - 1)), computed from the 104-bit
         * product y_i mu_i = hi 2^52 + lo as hi 2^(53 - s_i) +
         * lo >> (s_i - 1). */
        for (size_t i = 0; i < kf; i++) {
            const __m512i q = _mm512_set1_epi64((long long)from->q[i]);
            const __m512i x = _mm512_loadu_si512(in + i * stride + col);
            __m512i r = avx512_mul_shoup_lazy(
                x, _mm512_set1_epi64((long long)from->qhat_inv[i]),
                _mm512_set1_epi64((long long)c->qhat_inv_sh52[i]),
                _mm512_set1_epi64(-(long long)from->q[i]));
            y[i] = avx512_csub(r, q);
            if (exact) {
                const __m512i mu = _mm512_set1_epi64((long long)c->v_mu[i]);
                const __m512i hi = _mm512_madd52hi_epu64(zero, y[i], mu);
                const __m512i lo = _mm512_madd52lo_epu64(zero, y[i], mu);
                const uint64_t sh = c->v_shift[i];
                v = _mm512_add_epi64(
                    v, _mm512_add_epi64(
                           _mm512_sll_epi64(
                               hi, _mm_cvtsi64_si128((long long)(52 - sh))),
                           _mm512_srl_epi64(lo,
                                            _mm_cvtsi64_si128((long long)sh))));
            }
        }
        if (exact) /* round with ties down */
            v = _mm512_srli_epi64(
                _mm512_add_epi64(
                    v, _mm512_set1_epi64((long long)((1ULL << 51) - 1))),
                52);

        /* Step 3: out_j = sum_i y_i (qhat_i mod p_j) - v (Q mod p_j). */
        for (size_t j = 0; j < kt; j++) {
            const rns_red_t *red = &c->red[j];
            __m512i r = dot52(zero, y, c->qhat_mod_p + j * kf, NULL, kf, red);
            if (exact) {
                const __m512i p = _mm512_set1_epi64((long long)red->p);
                const __m512i qm = _mm512_set1_epi64((long long)c->Q_mod_p[j]);
                /* v (Q mod p_j) < 2^58, reduced as a 104-bit product */
                const __m512i vq =
                    reduce52(_mm512_madd52hi_epu64(zero, v, qm),
                             _mm512_madd52lo_epu64(zero, v, qm), red);
                r = avx512_csub(_mm512_sub_epi64(_mm512_add_epi64(r, p), vq),
                                p);
            }
            _mm512_storeu_si512(out + j * stride + col, r);
        }
    }
    return n8;
}

size_t rns_scale_columns_avx512(const rns_scale_t *s, uint64_t *out,
                                const uint64_t *in, size_t n, size_t stride)
{
    const size_t k = s->q->k, n8 = n - n % 8;
    const __m512i zero = _mm512_setzero_si512();
    const __m512i mask = _mm512_set1_epi64((long long)MASK52);
    __m512i x[RNS_MAX_PRIMES], whole[RNS_MAX_PRIMES];

    for (size_t col = 0; col < n8; col += 8) {
        /* Step 1: U_i = x_i T1 + floor(x_i T0 / 2^52) = hi1 2^52 + u with
         * u = lo1 + floor(x_i T0 / 2^52) < 2^53: whole_i = hi1 + (u >> 52),
         * fraction u mod 2^52; carry = round(sum of the fractions). */
        __m512i fsum = _mm512_set1_epi64((long long)(1ULL << 51)), carry;
        for (size_t i = 0; i < k; i++) {
            const __m512i t1 = _mm512_set1_epi64((long long)s->frac[2 * i]);
            const __m512i t0 = _mm512_set1_epi64((long long)s->frac[2 * i + 1]);
            __m512i u;
            x[i] = _mm512_loadu_si512(in + i * stride + col);
            u = _mm512_add_epi64(_mm512_madd52lo_epu64(zero, x[i], t1),
                                 _mm512_madd52hi_epu64(zero, x[i], t0));
            whole[i] = _mm512_add_epi64(_mm512_madd52hi_epu64(zero, x[i], t1),
                                        _mm512_srli_epi64(u, 52));
            fsum = _mm512_add_epi64(fsum, _mm512_and_si512(u, mask));
        }
        carry = _mm512_srli_epi64(fsum, 52);

        /* Step 2: carry + sum_i (x_i R_i + whole_i) mod m_j; Step 3 (base
         * P output): + x_j t Q^-1 mod p_j. */
        for (size_t j = 0; j < s->m; j++) {
            const rns_red_t *red = &s->red[j];
            __m512i r = dot52(carry, x, s->int_part + j * k, whole, k, red);
            if (s->p != NULL) {
                const __m512i p = _mm512_set1_epi64((long long)red->p);
                const __m512i xj =
                    _mm512_loadu_si512(in + (k + j) * stride + col);
                __m512i t = avx512_mul_shoup_lazy(
                    xj, _mm512_set1_epi64((long long)s->p_coef[j]),
                    _mm512_set1_epi64((long long)s->p_coef_shoup52[j]),
                    _mm512_set1_epi64(-(long long)red->p));
                t = avx512_csub(t, p);
                r = avx512_csub(_mm512_add_epi64(r, t), p);
            }
            _mm512_storeu_si512(out + j * stride + col, r);
        }
    }
    veil_memzero(x, k * sizeof(__m512i));
    veil_memzero(whole, k * sizeof(__m512i));
    return n8;
}
