/*
 * avx512_internal.h - shared by the AVX-512 IFMA files (compiled with
 * -mavx512f -mavx512ifma -mavx512vl -mavx512dq -mavx512bw): the 52-bit
 * modular multiplications on eight lanes and the pointwise kernels that the
 * kernel table in ntt_avx512.c lists.
 *
 * vpmadd52luq / vpmadd52huq multiply the low 52 bits of two lanes and add
 * the low / high 52 bits of the 104-bit product to a 64-bit accumulator.
 * Every operand below is < 4q < 2^52, so nothing is truncated.
 */
#ifndef VEIL_NTT_AVX512_INTERNAL_H
#define VEIL_NTT_AVX512_INTERNAL_H

#include "../ntt_internal.h"
#include <immintrin.h>

#define AVX512_INLINE static inline __attribute__((always_inline))

#define MASK52 ((1ULL << 52) - 1)

/* y w - qhat q mod 2^64 for y < 2^52 (bits above 51 of y are ignored),
 * w < q, wp = floor(w 2^52 / q), negq = 2^64 - q in every lane (Shoup with
 * a 52-bit constant, lazy like Harvey's): qhat = floor(y wp / 2^52) is
 * floor(y w / q) or one less, so the true y w - qhat q is in [0, 2q); the
 * result is that value plus 0 or 2^52 (the two madd52lo add low halves).
 * Unmasked, it may only feed additions and further madd52 multiplicands
 * (which read the low 52 bits) until a mask with MASK52. */
AVX512_INLINE __m512i avx512_mul_shoup_raw(__m512i y, __m512i w, __m512i wp,
                                           __m512i negq)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i qhat = _mm512_madd52hi_epu64(zero, y, wp);
    __m512i r = _mm512_madd52lo_epu64(zero, y, w);
    return _mm512_madd52lo_epu64(r, qhat, negq);
}

/* y w mod q in [0, 2q), the same masked to 52 bits. */
AVX512_INLINE __m512i avx512_mul_shoup_lazy(__m512i y, __m512i w, __m512i wp,
                                            __m512i negq)
{
    return _mm512_and_si512(avx512_mul_shoup_raw(y, w, wp, negq),
                            _mm512_set1_epi64((long long)MASK52));
}

/* x - r if x >= r, else x (x < 2^63): the "min" trick, x - r wraps to a
 * huge value exactly when x < r. */
AVX512_INLINE __m512i avx512_csub(__m512i x, __m512i r)
{
    return _mm512_min_epu64(x, _mm512_sub_epi64(x, r));
}

void ntt_vec_add_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                        size_t n, uint64_t q);
void ntt_vec_add_signed_avx512(uint64_t *out, const uint64_t *a,
                               const int64_t *w, size_t n, uint64_t q);
void ntt_vec_sub_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                        size_t n, uint64_t q);
void ntt_vec_neg_avx512(uint64_t *out, const uint64_t *a, size_t n, uint64_t q);
void ntt_vec_mul_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                        size_t n, const ntt_modulus_t *m);
void ntt_vec_muladd_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                           size_t n, const ntt_modulus_t *m);
void ntt_vec_muladd2_avx512(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                            const uint64_t *a1, const uint64_t *b, size_t n,
                            const ntt_modulus_t *m);
void ntt_vec_mul2_avx512(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                         const uint64_t *a1, const uint64_t *b, size_t n,
                         const ntt_modulus_t *m);
void ntt_vec_mul_shoup_avx512(uint64_t *out, const uint64_t *a,
                              const uint64_t *w, const uint64_t *wp, size_t n,
                              uint64_t q);
void ntt_vec_mul_const_avx512(uint64_t *out, const uint64_t *a, uint64_t w,
                              size_t n, uint64_t q);
void ntt_vec_reduce_avx512(uint64_t *out, const uint64_t *a, size_t n,
                           uint64_t q);

#endif
