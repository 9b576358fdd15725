/*
 * vec_avx2.c - pointwise kernels on four lanes with AVX2.  Ranges as in
 * veil/ntt.h; n is a multiple of 4 (plans have n >= 8); out may alias any
 * input (each vector is loaded before its result is stored).
 *
 * Additions use 64-bit integer lanes (AVX2 compares are signed, fine for
 * values below 2^63).  Products use the exact double-precision product of
 * avx2_internal.h with the quotient estimate round(fl(fl(a b) / q)): for
 * a, b < q < 2^50 three roundings give |c - a b / q| <= 1/2 + 3 (a b / q)
 * 2^-53 < 7/8, so a b - c q lies in (-q, q) and one correction ends.  The
 * Shoup constants of ntt_vec_mul_shoup are not needed here.
 */
#include "avx2_internal.h"

#define LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))

/* x - q where x > q - 1 (signed compare: x < 2^63). */
AVX2_INLINE __m256i csub(__m256i x, __m256i q, __m256i qm1)
{
    return _mm256_sub_epi64(x, _mm256_and_si256(_mm256_cmpgt_epi64(x, qm1), q));
}

void ntt_vec_add_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                      size_t n, uint64_t q)
{
    const __m256i vq = _mm256_set1_epi64x((long long)q);
    const __m256i qm1 = _mm256_set1_epi64x((long long)q - 1);
    for (size_t i = 0; i < n; i += 4)
        STORE(out + i,
              csub(_mm256_add_epi64(LOAD(a + i), LOAD(b + i)), vq, qm1));
}

void ntt_vec_add_signed_avx2(uint64_t *out, const uint64_t *a, const int64_t *w,
                             size_t n, uint64_t q)
{
    const __m256i vq = _mm256_set1_epi64x((long long)q);
    const __m256i qm1 = _mm256_set1_epi64x((long long)q - 1);
    const __m256i zero = _mm256_setzero_si256();
    for (size_t i = 0; i < n; i += 4) {
        /* a + w in (-q, 2q): add q where negative, then one csub */
        __m256i v = _mm256_add_epi64(LOAD(a + i), LOAD(w + i));
        v = _mm256_add_epi64(v,
                             _mm256_and_si256(_mm256_cmpgt_epi64(zero, v), vq));
        STORE(out + i, csub(v, vq, qm1));
    }
}

void ntt_vec_sub_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                      size_t n, uint64_t q)
{
    const __m256i vq = _mm256_set1_epi64x((long long)q);
    for (size_t i = 0; i < n; i += 4) {
        __m256i x = LOAD(a + i), y = LOAD(b + i);
        __m256i borrow = _mm256_cmpgt_epi64(y, x);
        STORE(out + i, _mm256_add_epi64(_mm256_sub_epi64(x, y),
                                        _mm256_and_si256(borrow, vq)));
    }
}

void ntt_vec_neg_avx2(uint64_t *out, const uint64_t *a, size_t n, uint64_t q)
{
    const __m256i vq = _mm256_set1_epi64x((long long)q);
    const __m256i zero = _mm256_setzero_si256();
    for (size_t i = 0; i < n; i += 4) {
        __m256i x = LOAD(a + i);
        /* q - x, except 0 for x = 0 */
        STORE(out + i, _mm256_andnot_si256(_mm256_cmpeq_epi64(x, zero),
                                           _mm256_sub_epi64(vq, x)));
    }
}

/* a b mod q in [0, q) for integer lanes a, b < q. */
AVX2_INLINE __m256i mulmod_int(__m256i a, __m256i b, __m256d q, __m256d qinv)
{
    return avx2_d2u(
        avx2_fix_sign(avx2_mulmod_any(avx2_u2d(a), avx2_u2d(b), q, qinv), q));
}

void ntt_vec_mul_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                      size_t n, const ntt_modulus_t *m)
{
    const __m256d q = _mm256_set1_pd((double)m->q);
    const __m256d qinv = _mm256_set1_pd(1.0 / (double)m->q);
    if (!avx2_rounding_ok()) {
        ntt_kernels_scalar.vec_mul(out, a, b, n, m);
        return;
    }
    for (size_t i = 0; i < n; i += 4)
        STORE(out + i, mulmod_int(LOAD(a + i), LOAD(b + i), q, qinv));
}

void ntt_vec_mul2_avx2(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                       const uint64_t *a1, const uint64_t *b, size_t n,
                       const ntt_modulus_t *m)
{
    const __m256d q = _mm256_set1_pd((double)m->q);
    const __m256d qinv = _mm256_set1_pd(1.0 / (double)m->q);
    if (!avx2_rounding_ok()) {
        ntt_kernels_scalar.vec_mul2(out0, out1, a0, a1, b, n, m);
        return;
    }
    for (size_t i = 0; i < n; i += 4) {
        const __m256i w = LOAD(b + i), x0 = LOAD(a0 + i), x1 = LOAD(a1 + i);
        const __m256i y0 = mulmod_int(x0, w, q, qinv);
        const __m256i y1 = mulmod_int(x1, w, q, qinv);
        STORE(out0 + i, y0);
        STORE(out1 + i, y1);
    }
}

void ntt_vec_muladd_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                         size_t n, const ntt_modulus_t *m)
{
    const __m256d q = _mm256_set1_pd((double)m->q);
    const __m256d qinv = _mm256_set1_pd(1.0 / (double)m->q);
    const __m256i vq = _mm256_set1_epi64x((long long)m->q);
    const __m256i qm1 = _mm256_set1_epi64x((long long)m->q - 1);
    if (!avx2_rounding_ok()) {
        ntt_kernels_scalar.vec_muladd(out, a, b, n, m);
        return;
    }
    for (size_t i = 0; i < n; i += 4) {
        __m256i p = mulmod_int(LOAD(a + i), LOAD(b + i), q, qinv);
        STORE(out + i, csub(_mm256_add_epi64(LOAD(out + i), p), vq, qm1));
    }
}

void ntt_vec_muladd2_avx2(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                          const uint64_t *a1, const uint64_t *b, size_t n,
                          const ntt_modulus_t *m)
{
    const __m256d q = _mm256_set1_pd((double)m->q);
    const __m256d qinv = _mm256_set1_pd(1.0 / (double)m->q);
    const __m256i vq = _mm256_set1_epi64x((long long)m->q);
    const __m256i qm1 = _mm256_set1_epi64x((long long)m->q - 1);
    if (!avx2_rounding_ok()) {
        ntt_kernels_scalar.vec_muladd2(out0, out1, a0, a1, b, n, m);
        return;
    }
    for (size_t i = 0; i < n; i += 4) {
        const __m256i w = LOAD(b + i);
        const __m256i p0 = mulmod_int(LOAD(a0 + i), w, q, qinv);
        const __m256i p1 = mulmod_int(LOAD(a1 + i), w, q, qinv);
        STORE(out0 + i, csub(_mm256_add_epi64(LOAD(out0 + i), p0), vq, qm1));
        STORE(out1 + i, csub(_mm256_add_epi64(LOAD(out1 + i), p1), vq, qm1));
    }
}

void ntt_vec_mul_shoup_avx2(uint64_t *out, const uint64_t *a, const uint64_t *w,
                            const uint64_t *wp, size_t n, uint64_t q)
{
    const __m256d vq = _mm256_set1_pd((double)q);
    const __m256d qinv = _mm256_set1_pd(1.0 / (double)q);
    if (!avx2_rounding_ok()) {
        ntt_kernels_scalar.vec_mul_shoup(out, a, w, wp, n, q);
        return;
    }
    for (size_t i = 0; i < n; i += 4)
        STORE(out + i, mulmod_int(LOAD(a + i), LOAD(w + i), vq, qinv));
}

void ntt_vec_mul_const_avx2(uint64_t *out, const uint64_t *a, uint64_t w,
                            size_t n, uint64_t q)
{
    const __m256d vq = _mm256_set1_pd((double)q);
    const __m256d qinv = _mm256_set1_pd(1.0 / (double)q);
    const __m256i vw = _mm256_set1_epi64x((long long)w);
    if (!avx2_rounding_ok()) {
        ntt_kernels_scalar.vec_mul_const(out, a, w, n, q);
        return;
    }
    for (size_t i = 0; i < n; i += 4)
        STORE(out + i, mulmod_int(LOAD(a + i), vw, vq, qinv));
}

void ntt_vec_reduce_avx2(uint64_t *out, const uint64_t *a, size_t n, uint64_t q)
{
    const __m256i vq = _mm256_set1_epi64x((long long)q);
    const __m256i qm1 = _mm256_set1_epi64x((long long)q - 1);
    const __m256i vq2 = _mm256_set1_epi64x((long long)(2 * q));
    const __m256i q2m1 = _mm256_set1_epi64x((long long)(2 * q) - 1);
    for (size_t i = 0; i < n; i += 4)
        STORE(out + i, csub(csub(LOAD(a + i), vq2, q2m1), vq, qm1));
}
