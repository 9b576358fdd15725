/*
 * ntt_internal.h - private to the ntt module: the twiddle tables of a plan
 * and the per-ISA kernel table (struct ntt_kernels) that ntt_plan_init_isa
 * picks.  See doc/01-arithmetic.md, "The three paths".
 */
#ifndef VEIL_NTT_INTERNAL_H
#define VEIL_NTT_INTERNAL_H

#include "veil/ntt.h"

/* Twiddle tables of a plan.  The scalar layout is built for every path (the
 * SIMD paths derive theirs from it and use the scalar kernels for tiny n):
 *
 *   w[k]  = psi^brv(k)    k in [1, n), brv = bit reversal on logn bits
 *   iw[k] = psi^-brv(k)   k in [1, n)
 *
 * with Shoup constants wp[k] = floor(w[k] 2^64 / q) (same for iwp).  Forward
 * stage m (m = 1, 2, 4, ..., n/2 groups) uses w[m .. 2m); inverse stage with
 * h groups uses iw[h .. 2h).  The last inverse stage folds in n^-1:
 * ninv_w[0] = n^-1, ninv_w[1] = iw[1] n^-1.
 *
 * `simd` is the path's own layout (NULL for scalar), allocated by its
 * tables_init with veil_alloc; ntt_plan_clear frees it. */
typedef struct {
    uint64_t *w, *wp, *iw, *iwp; /* four arrays of n words, one allocation */
    uint64_t ninv_w[2], ninv_wp[2];
    void *simd;
} ntt_tables_t;

/* One instruction-set path.  Transform preconditions are those of the public
 * functions in veil/ntt.h; vector kernels take raw arrays of length n with
 * the ranges stated there; out may alias any input. */
struct ntt_kernels {
    veil_isa_t isa;
    /* Build tables->simd from the scalar tables (VEIL_OK or VEIL_ENOMEM);
     * NULL when the path needs nothing beyond the scalar layout. */
    veil_status (*tables_init)(ntt_plan_t *plan);
    void (*forward)(const ntt_plan_t *plan, uint64_t *a);
    void (*forward_lazy)(const ntt_plan_t *plan, uint64_t *a);
    /* out = forward(in) for in in [0, 4q) (out == in or disjoint),
     * prefetching the rows pf[0], pf[1] (n words, NULL: none); NULL when
     * the path has no such variant (ntt_forward_prefetch then reduces
     * into out and calls forward) */
    void (*forward_prefetch)(const ntt_plan_t *plan, uint64_t *out,
                             const uint64_t *in, const uint64_t *const pf[2]);
    void (*inverse)(const ntt_plan_t *plan, uint64_t *a);
    void (*inverse_lazy)(const ntt_plan_t *plan, uint64_t *a);
    void (*vec_add)(uint64_t *out, const uint64_t *a, const uint64_t *b,
                    size_t n, uint64_t q);
    /* out = a + w mod q, |w[i]| < q */
    void (*vec_add_signed)(uint64_t *out, const uint64_t *a, const int64_t *w,
                           size_t n, uint64_t q);
    void (*vec_sub)(uint64_t *out, const uint64_t *a, const uint64_t *b,
                    size_t n, uint64_t q);
    void (*vec_neg)(uint64_t *out, const uint64_t *a, size_t n, uint64_t q);
    void (*vec_mul)(uint64_t *out, const uint64_t *a, const uint64_t *b,
                    size_t n, const ntt_modulus_t *m);
    void (*vec_muladd)(uint64_t *out, const uint64_t *a, const uint64_t *b,
                       size_t n, const ntt_modulus_t *m);
    /* out0 += a0 b, out1 += a1 b in one pass */
    void (*vec_muladd2)(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                        const uint64_t *a1, const uint64_t *b, size_t n,
                        const ntt_modulus_t *m);
    /* out0 = a0 b, out1 = a1 b in one pass (each b word loaded once) */
    void (*vec_mul2)(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                     const uint64_t *a1, const uint64_t *b, size_t n,
                     const ntt_modulus_t *m);
    void (*vec_mul_shoup)(uint64_t *out, const uint64_t *a, const uint64_t *w,
                          const uint64_t *wp, size_t n, uint64_t q);
    void (*vec_mul_const)(uint64_t *out, const uint64_t *a, uint64_t w,
                          size_t n, uint64_t q);
    void (*vec_reduce)(uint64_t *out, const uint64_t *a, size_t n, uint64_t q);
};

static inline const ntt_tables_t *ntt_tables(const ntt_plan_t *plan)
{
    return (const ntt_tables_t *)plan->tables;
}

/* The kernel tables; the SIMD ones exist only when configure built them. */
extern const struct ntt_kernels ntt_kernels_scalar;
#if defined(VEIL_HAVE_AVX2)
extern const struct ntt_kernels ntt_kernels_avx2;
#endif
#if defined(VEIL_HAVE_AVX512)
extern const struct ntt_kernels ntt_kernels_avx512;
#endif

/* Scalar transforms, also used by the SIMD paths for n below their block
 * size.  Ranges as ntt_forward_lazy / ntt_inverse_lazy. */
void ntt_forward_lazy_scalar(const ntt_plan_t *plan, uint64_t *a);
void ntt_inverse_lazy_scalar(const ntt_plan_t *plan, uint64_t *a);
void ntt_forward_scalar(const ntt_plan_t *plan, uint64_t *a);
void ntt_inverse_scalar(const ntt_plan_t *plan, uint64_t *a);
/* out = forward(in) for in in [0, 4q): reduced into out, then transformed
 * (the SIMD paths' ntt_forward_prefetch below their block size). */
void ntt_forward_from_lazy_scalar(const ntt_plan_t *plan, uint64_t *out,
                                  const uint64_t *in);

/* Prefetching during a transform (ntt_forward_prefetch): two rows of n
 * words, walked one cache line each per ntt_prefetch_step, into level 2
 * (the transform's own data stays in level 1); a NULL row is never walked,
 * and a NULL walker does nothing. */
typedef struct {
    const char *at[2], *end[2];
} ntt_prefetch_t;

static inline void ntt_prefetch_init(ntt_prefetch_t *pf,
                                     const uint64_t *const rows[2], size_t n)
{
    for (int k = 0; k < 2; k++) {
        pf->at[k] = (const char *)rows[k];
        pf->end[k] =
            rows[k] != NULL ? pf->at[k] + n * sizeof(uint64_t) : pf->at[k];
    }
}

static inline void ntt_prefetch_step(ntt_prefetch_t *pf)
{
    if (pf == NULL)
        return;
    for (int k = 0; k < 2; k++)
        if (pf->at[k] < pf->end[k]) {
            __builtin_prefetch(pf->at[k], 0, 2); /* prefetcht1 on x86 */
            pf->at[k] += 64;
        }
}

#endif /* VEIL_NTT_INTERNAL_H */
