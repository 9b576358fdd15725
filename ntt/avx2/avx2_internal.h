/*
 * avx2_internal.h - shared by the AVX2 files (compiled with -mavx2 -mbmi2
 * -mfma): modular arithmetic on four lanes in double precision, and the
 * pointwise kernels that the kernel table in ntt_avx2.c lists.
 *
 * AVX2 has no 64x64-bit multiplier, but its fused multiply-add computes
 * y w - h exactly, so integers below 2^52 can be multiplied modulo q < 2^50
 * exactly in doubles (van der Hoeven, Lecerf and Quintin, "Modular SIMD
 * arithmetic in Mathemagix", ACM TOMS 2016, section 3):
 *
 *   h = fl(y w)                 the rounded product
 *   l = fma(y, w, -h)           its rounding error: y w = h + l exactly
 *   c = round(fl(y wq))         a quotient estimate, wq = fl(w / q)
 *   t = fma(-c, q, h) + l       = y w - c q, exactly
 *
 * Every quantity is an integer; h - c q and t are below 2^53 in absolute
 * value, hence exact.  With |y| <= 2^52 and any rounding mode (each rounding
 * has relative error below 2^-52), |c - y w / q| <= 1/2 + |y| 2^-51, so
 *
 *   |t| <= q (1/2 + |y| 2^-51)      (<= 2.5 q for |y| <= 2^52).
 *
 * With round-to-nearest (checked by avx2_rounding_ok) each rounding has
 * relative error at most 2^-53 and the bounds halve: |t| <= q (1/2 +
 * |y| 2^-52 (1 + 2^-50)).  Values are signed: no conditional subtraction is
 * needed to keep them non-negative, and the NTT reduces only when its bound
 * would pass 2^52 (see ntt_avx2.c).  Reduction is x - q round(x / q), in
 * [-q/2 - 2, q/2 + 2] for |x| <= 2^52.
 */
#ifndef VEIL_NTT_AVX2_INTERNAL_H
#define VEIL_NTT_AVX2_INTERNAL_H

#include "../ntt_internal.h"
#include <immintrin.h>

#define AVX2_INLINE static inline __attribute__((always_inline))

#define AVX2_ROUND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* 2^52: its bit pattern, ORed into an integer x < 2^52, is the double
 * 2^52 + x. */
#define AVX2_MAGIC 0x4330000000000000LL

/* Integer lanes in [0, 2^52) -> the same values as doubles. */
AVX2_INLINE __m256d avx2_u2d(__m256i x)
{
    const __m256i magic = _mm256_set1_epi64x(AVX2_MAGIC);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, magic)),
                         _mm256_castsi256_pd(magic));
}

/* Integer-valued doubles in [0, 2^52) -> 64-bit integers. */
AVX2_INLINE __m256i avx2_d2u(__m256d x)
{
    const __m256i magic = _mm256_set1_epi64x(AVX2_MAGIC);
    return _mm256_xor_si256(
        _mm256_castpd_si256(_mm256_add_pd(x, _mm256_castsi256_pd(magic))),
        magic);
}

/* y w - c q for |y| <= 2^52, 0 <= w < q, wq = fl(w / q): congruent to
 * y w, absolute value <= q (1/2 + |y| 2^-51). */
AVX2_INLINE __m256d avx2_mulmod(__m256d y, __m256d w, __m256d wq, __m256d q)
{
    __m256d h = _mm256_mul_pd(y, w);
    __m256d l = _mm256_fmsub_pd(y, w, h);
    __m256d c = _mm256_round_pd(_mm256_mul_pd(y, wq), AVX2_ROUND);
    return _mm256_add_pd(_mm256_fnmadd_pd(c, q, h), l);
}

/* x w - c q with c = round(fl(fl(x w) / q)), for integers x < 2^50 and
 * w < q < 2^50 (qinv = fl(1 / q)): no constant per w.  Three roundings leave
 * |c - x w / q| <= 1/2 + 3 (x w / q) 2^-53 < 7/8, so the result lies in
 * (-7q/8, 7q/8), congruent to x w. */
AVX2_INLINE __m256d avx2_mulmod_any(__m256d x, __m256d w, __m256d q,
                                    __m256d qinv)
{
    __m256d h = _mm256_mul_pd(x, w);
    __m256d l = _mm256_fmsub_pd(x, w, h);
    __m256d c = _mm256_round_pd(_mm256_mul_pd(h, qinv), AVX2_ROUND);
    return _mm256_add_pd(_mm256_fnmadd_pd(c, q, h), l);
}

/* x - q round(x / q) for |x| <= 2^52, qinv = fl(1 / q): in
 * [-q/2 - 2, q/2 + 2], congruent to x. */
AVX2_INLINE __m256d avx2_reduce(__m256d x, __m256d q, __m256d qinv)
{
    __m256d c = _mm256_round_pd(_mm256_mul_pd(x, qinv), AVX2_ROUND);
    return _mm256_fnmadd_pd(c, q, x);
}

/* x in (-q, q) -> x mod q in [0, q). */
AVX2_INLINE __m256d avx2_fix_sign(__m256d x, __m256d q)
{
    __m256d neg = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_LT_OQ);
    return _mm256_add_pd(x, _mm256_and_pd(neg, q));
}

/* 1 if the rounding mode is round-to-nearest, as the bounds assume (the C
 * default; otherwise the kernels fall back to the scalar code). */
AVX2_INLINE int avx2_rounding_ok(void)
{
    return (_mm_getcsr() & _MM_ROUND_MASK) == _MM_ROUND_NEAREST;
}

void ntt_vec_add_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                      size_t n, uint64_t q);
void ntt_vec_add_signed_avx2(uint64_t *out, const uint64_t *a, const int64_t *w,
                             size_t n, uint64_t q);
void ntt_vec_sub_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                      size_t n, uint64_t q);
void ntt_vec_neg_avx2(uint64_t *out, const uint64_t *a, size_t n, uint64_t q);
void ntt_vec_mul_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                      size_t n, const ntt_modulus_t *m);
void ntt_vec_mul2_avx2(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                       const uint64_t *a1, const uint64_t *b, size_t n,
                       const ntt_modulus_t *m);
void ntt_vec_muladd_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                         size_t n, const ntt_modulus_t *m);
void ntt_vec_muladd2_avx2(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                          const uint64_t *a1, const uint64_t *b, size_t n,
                          const ntt_modulus_t *m);
void ntt_vec_mul_shoup_avx2(uint64_t *out, const uint64_t *a, const uint64_t *w,
                            const uint64_t *wp, size_t n, uint64_t q);
void ntt_vec_mul_const_avx2(uint64_t *out, const uint64_t *a, uint64_t w,
                            size_t n, uint64_t q);
void ntt_vec_reduce_avx2(uint64_t *out, const uint64_t *a, size_t n,
                         uint64_t q);

#endif
