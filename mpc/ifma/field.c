/*
 * field_ifma.c - F_p kernels with AVX-512 IFMA for p < 2^50: eight
 * elements per instruction, the 52-bit multiplier (VPMADD52LUQ/HUQ) giving
 * the 104-bit product.  Compiled with AVX-512 flags (mpc/local.mk), called
 * only for p < 2^50, from the avx512 kernel table (dispatch.c); results equal
 * the scalar code's.
 *
 * Barrett reduction (the scalar mpc_field_reduce) in 52-bit pieces, for
 * k = bit length of p <= 50 and x = a b = hi 2^52 + lo < 2^(2k):
 *   q1 = x >> (k - 1)            = (hi << (53 - k)) | (lo >> (k - 1))
 *   q  = (q1 mu) >> (k + 1)      = madd52hi(q1, mu << (51 - k))
 *   r  = x - q p                 = (lo - madd52lo(q, p)) mod 2^52
 * with q1 < 2^(k+1) and mu << (51 - k) < 2^52 fitting the multiplier, and
 * r < 3 p brought below p by two "r = min(r, r - p)" steps (unsigned
 * minimum: r - p wraps when r < p).
 */
#include "../internal.h"
#include "veil/mpc_field.h"

#include <immintrin.h>

typedef struct {
    __m512i p, mu, mask52;
    __m128i sh_hi, sh_lo; /* shift counts 53 - k and k - 1 */
} ifma_t;

static inline void ifma_setup(ifma_t *c, const mpc_field_t *f)
{
    c->p = _mm512_set1_epi64((long long)f->p);
    c->mu = _mm512_set1_epi64((long long)(f->mu << (51 - f->bits)));
    c->mask52 = _mm512_set1_epi64((long long)((UINT64_C(1) << 52) - 1));
    c->sh_hi = _mm_cvtsi32_si128((int)(53 - f->bits));
    c->sh_lo = _mm_cvtsi32_si128((int)(f->bits - 1));
}

static inline __m512i ifma_mul(const ifma_t *c, __m512i a, __m512i b)
{
    const __m512i z = _mm512_setzero_si512();
    __m512i lo = _mm512_madd52lo_epu64(z, a, b);
    __m512i hi = _mm512_madd52hi_epu64(z, a, b);
    __m512i q1 = _mm512_or_si512(_mm512_sll_epi64(hi, c->sh_hi),
                                 _mm512_srl_epi64(lo, c->sh_lo));
    __m512i q = _mm512_madd52hi_epu64(z, q1, c->mu);
    __m512i r = _mm512_and_si512(
        _mm512_sub_epi64(lo, _mm512_madd52lo_epu64(z, q, c->p)), c->mask52);
    r = _mm512_min_epu64(r, _mm512_sub_epi64(r, c->p));
    return _mm512_min_epu64(r, _mm512_sub_epi64(r, c->p));
}

static inline __m512i ifma_add(const ifma_t *c, __m512i a, __m512i b)
{
    __m512i s = _mm512_add_epi64(a, b);
    return _mm512_min_epu64(s, _mm512_sub_epi64(s, c->p));
}

/* Load / store the 8 elements at i, or the first n - i of them. */
static inline __mmask8 lanes(size_t i, size_t n)
{
    return n - i >= 8 ? 0xff : (__mmask8)((1u << (n - i)) - 1);
}

#define LD(ptr, m) _mm512_maskz_loadu_epi64((m), (const void *)(ptr))
#define ST(ptr, m, v) _mm512_mask_storeu_epi64((void *)(ptr), (m), (v))

void mpc_vec_mul_ifma(const mpc_field_t *f, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, size_t n)
{
    ifma_t c;
    ifma_setup(&c, f);
    for (size_t i = 0; i < n; i += 8) {
        __mmask8 m = lanes(i, n);
        ST(out + i, m, ifma_mul(&c, LD(a + i, m), LD(b + i, m)));
    }
}

void mpc_beaver_finish_ifma(const mpc_field_t *f, int party, uint64_t *z,
                            const uint64_t *d, const uint64_t *e,
                            const uint64_t *a, const uint64_t *b,
                            const uint64_t *c, size_t n)
{
    ifma_t k;
    ifma_setup(&k, f);
    for (size_t i = 0; i < n; i += 8) {
        __mmask8 m = lanes(i, n);
        __m512i dv = LD(d + i, m), ev = LD(e + i, m);
        __m512i r = ifma_add(&k, LD(c + i, m), ifma_mul(&k, dv, LD(b + i, m)));
        r = ifma_add(&k, r, ifma_mul(&k, ev, LD(a + i, m)));
        if (party == 0)
            r = ifma_add(&k, r, ifma_mul(&k, dv, ev));
        ST(z + i, m, r);
    }
}
