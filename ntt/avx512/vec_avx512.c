/*
 * vec_avx512.c - pointwise kernels on eight lanes with AVX-512 IFMA.
 * Ranges as in veil/ntt.h; n is a multiple of 8 (plans have n >= 8); out may
 * alias any input (each vector is loaded before its result is stored).
 */
#include "avx512_internal.h"

#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), (v))

void ntt_vec_add_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                        size_t n, uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    for (size_t i = 0; i < n; i += 8)
        STORE(out + i,
              avx512_csub(_mm512_add_epi64(LOAD(a + i), LOAD(b + i)), vq));
}

void ntt_vec_add_signed_avx512(uint64_t *out, const uint64_t *a,
                               const int64_t *w, size_t n, uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    for (size_t i = 0; i < n; i += 8) {
        /* a + w in (-q, 2q): add q where negative, then one csub */
        __m512i v = _mm512_add_epi64(LOAD(a + i), LOAD(w + i));
        v = _mm512_mask_add_epi64(
            v, _mm512_cmplt_epi64_mask(v, _mm512_setzero_si512()), v, vq);
        STORE(out + i, avx512_csub(v, vq));
    }
}

void ntt_vec_sub_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                        size_t n, uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    for (size_t i = 0; i < n; i += 8) {
        /* a - b wraps exactly when a < b; then a - b + q is the answer */
        __m512i d = _mm512_sub_epi64(LOAD(a + i), LOAD(b + i));
        STORE(out + i, _mm512_min_epu64(d, _mm512_add_epi64(d, vq)));
    }
}

void ntt_vec_neg_avx512(uint64_t *out, const uint64_t *a, size_t n, uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    for (size_t i = 0; i < n; i += 8)
        STORE(out + i, avx512_csub(_mm512_sub_epi64(vq, LOAD(a + i)), vq));
}

/* Barrett on IFMA (Menezes et al., Handbook of Applied Cryptography,
 * Alg. 14.42, base 2): with L = bit length of q <= 50 and
 * mu = floor(2^2L / q) < 2^(L+1), the product p = a b < 2^2L gives
 * qhat = floor(floor(p / 2^(L-1)) mu / 2^(L+1)) with p - qhat q in [0, 3q).
 * p arrives as 52-bit halves (hi, lo); floor(p / 2^(L-1)) < 2^51 and
 * mu 2^(51-L) < 2^52 fit the multiplier, whose high half then divides by
 * 2^52.  The result is in [0, 3q) before the two final subtractions. */
typedef struct {
    __m512i q, negq, mu, sh_hi, sh_lo;
} barrett52_t;

static barrett52_t barrett52_init(const ntt_modulus_t *m)
{
    const unsigned L = 64 - (unsigned)__builtin_clzll(m->q);
    /* mu = floor(floor(2^128 / q) / 2^(128 - 2L)); 128 - 2L >= 28 */
    const unsigned s = 128 - 2 * L;
    const uint64_t mu =
        s >= 64 ? m->barrett_hi >> (s - 64)
                : (m->barrett_hi << (64 - s)) | (m->barrett_lo >> s);
    barrett52_t b;
    b.q = _mm512_set1_epi64((long long)m->q);
    b.negq = _mm512_set1_epi64(-(long long)m->q);
    b.mu = _mm512_set1_epi64((long long)(mu << (51 - L)));
    b.sh_hi = _mm512_set1_epi64(53 - L);
    b.sh_lo = _mm512_set1_epi64(L - 1);
    return b;
}

AVX512_INLINE __m512i mul_barrett52(__m512i a, __m512i b, const barrett52_t *c)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i hi = _mm512_madd52hi_epu64(zero, a, b);
    __m512i lo = _mm512_madd52lo_epu64(zero, a, b);
    __m512i top = _mm512_or_si512(_mm512_sllv_epi64(hi, c->sh_hi),
                                  _mm512_srlv_epi64(lo, c->sh_lo));
    __m512i qhat = _mm512_madd52hi_epu64(zero, top, c->mu);
    __m512i r = _mm512_madd52lo_epu64(lo, qhat, c->negq);
    r = _mm512_and_si512(r, _mm512_set1_epi64((long long)MASK52));
    return avx512_csub(avx512_csub(r, c->q), c->q);
}

void ntt_vec_mul_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                        size_t n, const ntt_modulus_t *m)
{
    const barrett52_t c = barrett52_init(m);
    for (size_t i = 0; i < n; i += 8)
        STORE(out + i, mul_barrett52(LOAD(a + i), LOAD(b + i), &c));
}

/* The product of a ciphertext's two rows by one plaintext row (bfv_mul_plain):
 * one pass, each b vector loaded once, the four loads of an index before its
 * two stores (so out0 may be a0 and out1 a1). */
void ntt_vec_mul2_avx512(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                         const uint64_t *a1, const uint64_t *b, size_t n,
                         const ntt_modulus_t *m)
{
    const barrett52_t c = barrett52_init(m);
    for (size_t i = 0; i < n; i += 8) {
        const __m512i w = LOAD(b + i), x0 = LOAD(a0 + i), x1 = LOAD(a1 + i);
        const __m512i y0 = mul_barrett52(x0, w, &c);
        const __m512i y1 = mul_barrett52(x1, w, &c);
        STORE(out0 + i, y0);
        STORE(out1 + i, y1);
    }
}

void ntt_vec_muladd_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                           size_t n, const ntt_modulus_t *m)
{
    const barrett52_t c = barrett52_init(m);
    for (size_t i = 0; i < n; i += 8) {
        __m512i p = mul_barrett52(LOAD(a + i), LOAD(b + i), &c);
        STORE(out + i, avx512_csub(_mm512_add_epi64(LOAD(out + i), p), c.q));
    }
}

void ntt_vec_muladd2_avx512(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                            const uint64_t *a1, const uint64_t *b, size_t n,
                            const ntt_modulus_t *m)
{
    const barrett52_t c = barrett52_init(m);
    for (size_t i = 0; i < n; i += 8) {
        const __m512i w = LOAD(b + i);
        const __m512i p0 = mul_barrett52(LOAD(a0 + i), w, &c);
        const __m512i p1 = mul_barrett52(LOAD(a1 + i), w, &c);
        STORE(out0 + i, avx512_csub(_mm512_add_epi64(LOAD(out0 + i), p0), c.q));
        STORE(out1 + i, avx512_csub(_mm512_add_epi64(LOAD(out1 + i), p1), c.q));
    }
}

void ntt_vec_mul_shoup_avx512(uint64_t *out, const uint64_t *a,
                              const uint64_t *w, const uint64_t *wp, size_t n,
                              uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    const __m512i negq = _mm512_set1_epi64(-(long long)q);
    for (size_t i = 0; i < n; i += 8) {
        /* the 52-bit constant is the 64-bit one without its low 12 bits */
        __m512i wp52 = _mm512_srli_epi64(LOAD(wp + i), 12);
        __m512i r = avx512_mul_shoup_lazy(LOAD(a + i), LOAD(w + i), wp52, negq);
        STORE(out + i, avx512_csub(r, vq));
    }
}

void ntt_vec_mul_const_avx512(uint64_t *out, const uint64_t *a, uint64_t w,
                              size_t n, uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    const __m512i negq = _mm512_set1_epi64(-(long long)q);
    const __m512i vw = _mm512_set1_epi64((long long)w);
    const __m512i wp =
        _mm512_set1_epi64((long long)(ntt_shoup_precomp(w, q) >> 12));
    for (size_t i = 0; i < n; i += 8)
        STORE(
            out + i,
            avx512_csub(avx512_mul_shoup_lazy(LOAD(a + i), vw, wp, negq), vq));
}

void ntt_vec_reduce_avx512(uint64_t *out, const uint64_t *a, size_t n,
                           uint64_t q)
{
    const __m512i vq = _mm512_set1_epi64((long long)q);
    const __m512i vq2 = _mm512_set1_epi64((long long)(2 * q));
    for (size_t i = 0; i < n; i += 8)
        STORE(out + i, avx512_csub(avx512_csub(LOAD(a + i), vq2), vq));
}
