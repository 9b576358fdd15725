/*
 * rns_avx2.c - base conversion and scale-and-round on eight columns at once
 * with AVX2: the computations of conv_columns (rns_conv.c) and scale_columns
 * (rns_scale.c), giving the same bits.
 *
 * Two kinds of arithmetic, each exact:
 *
 * - residue products x w mod m in double precision, as ntt_vec_mul_avx2
 *   does (avx2_mulmod_any, avx2_internal.h): h = fl(x w), l = fma(x, w,
 *   -h), c = round(fl(h / m)), t = (h - c m) + l = x w - c m exactly.  For
 *   x < 2^50 and w < m < 2^50 three roundings leave |c - x w / m| < 7/8, so
 *   |t| < 7m/8: t is congruent to x w and signed, and the kernels sum such
 *   terms and reduce the sum (x - m round(x / m), for |x| <= 2^52) every
 *   three terms, then once more and into [0, m) at the end;
 *
 * - the fixed-point parts (the overflow count v of the exact conversion,
 *   the fractions x_i theta_i of the scaling) need the 104-bit product of two
 *   52-bit integers, as hi 2^52 + lo: mul52 builds it from four 26 x 26-bit
 *   products (vpmuludq), so these steps run the scalar integer formulas.
 *
 * Preconditions (rns_simd_ok, checked at init): every prime in (2, 2^50),
 * t < 2^50, and the rounding mode round-to-nearest (checked here: the
 * kernels return 0 otherwise and the scalar code does every column).
 */
#include "../rns_internal.h"
#include "avx2_internal.h"

#define BLOCK 8 /* columns per step: two vectors */

#define LOADI(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define STOREI(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define SPLAT(x) _mm256_set1_epi64x((long long)(x))

/* |x| <= 2^52 -> x mod m in [0, m). */
AVX2_INLINE __m256i finish(__m256d x, __m256d m, __m256d minv)
{
    return avx2_d2u(avx2_fix_sign(avx2_reduce(x, m, minv), m));
}

/* a b = hi 2^52 + lo (lo < 2^52) for a, b < 2^52, b given as its 26-bit
 * halves b0, b1 in every lane. */
AVX2_INLINE void mul52(__m256i *hi, __m256i *lo, __m256i a, __m256i b0,
                       __m256i b1)
{
    const __m256i m26 = SPLAT((1U << 26) - 1);
    const __m256i a0 = _mm256_and_si256(a, m26), a1 = _mm256_srli_epi64(a, 26);
    const __m256i mid =
        _mm256_add_epi64(_mm256_mul_epu32(a0, b1), _mm256_mul_epu32(a1, b0));
    /* a0 b0 + (mid mod 2^26) 2^26 < 2^53 */
    const __m256i l =
        _mm256_add_epi64(_mm256_mul_epu32(a0, b0),
                         _mm256_slli_epi64(_mm256_and_si256(mid, m26), 26));
    *hi = _mm256_add_epi64(
        _mm256_add_epi64(_mm256_mul_epu32(a1, b1), _mm256_srli_epi64(mid, 26)),
        _mm256_srli_epi64(l, 52));
    *lo = _mm256_and_si256(l, SPLAT(RNS_MASK52));
}

/* acc + sum_i x_i w_i for |acc| <= 2^51, congruent mod m: the sum is
 * reduced before every third term, so it stays below 2^51 + 1.75 m, then
 * 3.2 m, in absolute value (< 2^52).  x holds the lanes at x[2 i]. */
AVX2_INLINE __m256d dot(__m256d acc, const __m256d *x, const uint64_t *w,
                        size_t k, __m256d m, __m256d minv)
{
    for (size_t i = 0; i < k; i++) {
        if (i % 3 == 2)
            acc = avx2_reduce(acc, m, minv);
        acc = _mm256_add_pd(
            acc,
            avx2_mulmod_any(x[2 * i], _mm256_set1_pd((double)w[i]), m, minv));
    }
    return acc;
}

size_t rns_conv_columns_avx2(const rns_conv_t *c, uint64_t *out,
                             const uint64_t *in, size_t n, size_t stride,
                             int exact)
{
    const rns_base_t *from = c->from;
    const size_t kf = from->k, kt = c->to->k, nb = n - n % BLOCK;
    const __m256i half = SPLAT((1ULL << 51) - 1);
    __m256d y[2 * RNS_MAX_PRIMES];

    if (!avx2_rounding_ok())
        return 0;
    for (size_t col = 0; col < nb; col += BLOCK) {
        __m256i v[2] = {half, half};

        /* Step 1: y_i = [x_i qhat_inv_i]_{q_i}; Step 2: v = the sum of the
         * F_i = floor(y_i mu_i / 2^(s_i - 1)) = hi 2^(53 - s_i) +
         * lo >> (s_i - 1), rounded with ties down. */
        for (size_t i = 0; i < kf; i++) {
            const __m256d q = _mm256_set1_pd((double)from->q[i]);
            const __m256d qinv = _mm256_set1_pd(1.0 / (double)from->q[i]);
            const __m256d w = _mm256_set1_pd((double)from->qhat_inv[i]);
            const __m128i up =
                _mm_cvtsi64_si128((long long)(52 - c->v_shift[i]));
            const __m128i down = _mm_cvtsi64_si128((long long)c->v_shift[i]);
            const __m256i mu0 = SPLAT(c->v_mu[i] & ((1U << 26) - 1));
            const __m256i mu1 = SPLAT(c->v_mu[i] >> 26);
            for (int h = 0; h < 2; h++) {
                const __m256d x =
                    avx2_u2d(LOADI(in + i * stride + col + 4 * (size_t)h));
                __m256i hi, lo;
                y[2 * i + (size_t)h] =
                    avx2_fix_sign(avx2_mulmod_any(x, w, q, qinv), q);
                if (!exact)
                    continue;
                mul52(&hi, &lo, avx2_d2u(y[2 * i + (size_t)h]), mu0, mu1);
                v[h] = _mm256_add_epi64(
                    v[h], _mm256_add_epi64(_mm256_sll_epi64(hi, up),
                                           _mm256_srl_epi64(lo, down)));
            }
        }

        /* Step 3: out_j = sum_i y_i (qhat_i mod p_j) - v (Q mod p_j). */
        for (size_t j = 0; j < kt; j++) {
            const __m256d p = _mm256_set1_pd((double)c->red[j].p);
            const __m256d pinv = _mm256_set1_pd(1.0 / (double)c->red[j].p);
            const __m256d qm = _mm256_set1_pd((double)c->Q_mod_p[j]);
            for (int h = 0; h < 2; h++) {
                __m256d r = dot(_mm256_setzero_pd(), y + h,
                                c->qhat_mod_p + j * kf, kf, p, pinv);
                if (exact)
                    r = _mm256_sub_pd(
                        avx2_reduce(r, p, pinv),
                        avx2_mulmod_any(avx2_u2d(_mm256_srli_epi64(v[h], 52)),
                                        qm, p, pinv));
                STOREI(out + j * stride + col + 4 * (size_t)h,
                       finish(r, p, pinv));
            }
        }
    }
    return nb;
}

size_t rns_scale_columns_avx2(const rns_scale_t *s, uint64_t *out,
                              const uint64_t *in, size_t n, size_t stride)
{
    const size_t k = s->q->k, nb = n - n % BLOCK;
    const __m256i m26 = SPLAT((1U << 26) - 1);
    __m256d x[2 * RNS_MAX_PRIMES];

    if (!avx2_rounding_ok())
        return 0;
    for (size_t col = 0; col < nb; col += BLOCK) {
        /* Step 1: U_i = x_i T1 + floor(x_i T0 / 2^52) = hi1 2^52 + u with
         * u = lo1 + floor(x_i T0 / 2^52) < 2^53: whole_i = hi1 + (u >> 52),
         * fraction u mod 2^52; carry = round(sum of the fractions).  The
         * wholes (each below q_i) and the carry are summed in 64 bits:
         * W = carry + sum_i whole_i < 2^59, split W = Wh 2^26 + Wl. */
        __m256i fsum[2] = {SPLAT(1ULL << 51), SPLAT(1ULL << 51)};
        __m256i wsum[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
        __m256d wh[2], wl[2];
        for (size_t i = 0; i < k; i++) {
            const __m256i t10 = SPLAT(s->frac[2 * i] & ((1U << 26) - 1));
            const __m256i t11 = SPLAT(s->frac[2 * i] >> 26);
            const __m256i t00 = SPLAT(s->frac[2 * i + 1] & ((1U << 26) - 1));
            const __m256i t01 = SPLAT(s->frac[2 * i + 1] >> 26);
            for (int h = 0; h < 2; h++) {
                const __m256i xi = LOADI(in + i * stride + col + 4 * (size_t)h);
                __m256i hi1, lo1, hi0, lo0, u;
                mul52(&hi1, &lo1, xi, t10, t11);
                mul52(&hi0, &lo0, xi, t00, t01);
                u = _mm256_add_epi64(lo1, hi0);
                wsum[h] = _mm256_add_epi64(
                    wsum[h], _mm256_add_epi64(hi1, _mm256_srli_epi64(u, 52)));
                fsum[h] = _mm256_add_epi64(
                    fsum[h], _mm256_and_si256(u, SPLAT(RNS_MASK52)));
                x[2 * i + (size_t)h] = avx2_u2d(xi);
            }
        }
        for (int h = 0; h < 2; h++) {
            const __m256i w =
                _mm256_add_epi64(wsum[h], _mm256_srli_epi64(fsum[h], 52));
            wh[h] = avx2_u2d(_mm256_srli_epi64(w, 26));
            wl[h] = avx2_u2d(_mm256_and_si256(w, m26));
        }

        /* Step 2: W + sum_i x_i R_i mod m_j, W as Wh [2^26]_m + Wl; Step 3
         * (base P output): + x_j t Q^-1 mod p_j. */
        for (size_t j = 0; j < s->m; j++) {
            const uint64_t mj = s->red[j].p;
            const __m256d m = _mm256_set1_pd((double)mj);
            const __m256d minv = _mm256_set1_pd(1.0 / (double)mj);
            const __m256d r26 = _mm256_set1_pd((double)((1U << 26) % mj));
            for (int h = 0; h < 2; h++) {
                __m256d r =
                    _mm256_add_pd(avx2_mulmod_any(wh[h], r26, m, minv), wl[h]);
                r = dot(r, x + h, s->int_part + j * k, k, m, minv);
                if (s->p != NULL) {
                    const __m256d xj = avx2_u2d(
                        LOADI(in + (k + j) * stride + col + 4 * (size_t)h));
                    r = _mm256_add_pd(
                        avx2_reduce(r, m, minv),
                        avx2_mulmod_any(
                            xj, _mm256_set1_pd((double)s->p_coef[j]), m, minv));
                }
                STOREI(out + j * stride + col + 4 * (size_t)h,
                       finish(r, m, minv));
            }
        }
    }
    veil_memzero(x, 2 * k * sizeof(__m256d));
    return nb;
}
