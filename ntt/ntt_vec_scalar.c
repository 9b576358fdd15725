/*
 * ntt_vec_scalar.c - portable pointwise kernels over Z_q and the scalar
 * kernel table.  Ranges as in veil/ntt.h: inputs in [0, q) unless stated,
 * outputs in [0, q), out may alias any input.
 */
#include "ntt_internal.h"

static void vec_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *b,
                           size_t n, uint64_t q)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_add_mod(a[i], b[i], q);
}

static void vec_sub_scalar(uint64_t *out, const uint64_t *a, const uint64_t *b,
                           size_t n, uint64_t q)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_sub_mod(a[i], b[i], q);
}

static void vec_neg_scalar(uint64_t *out, const uint64_t *a, size_t n,
                           uint64_t q)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_neg_mod(a[i], q);
}

static void vec_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *b,
                           size_t n, const ntt_modulus_t *m)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_mul_mod(a[i], b[i], m);
}

static void vec_muladd_scalar(uint64_t *out, const uint64_t *a,
                              const uint64_t *b, size_t n,
                              const ntt_modulus_t *m)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_add_mod(out[i], ntt_mul_mod(a[i], b[i], m), m->q);
}

static void vec_mul_shoup_scalar(uint64_t *out, const uint64_t *a,
                                 const uint64_t *w, const uint64_t *wp,
                                 size_t n, uint64_t q)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_mul_shoup(a[i], w[i], wp[i], q);
}

static void vec_mul_const_scalar(uint64_t *out, const uint64_t *a, uint64_t w,
                                 size_t n, uint64_t q)
{
    const uint64_t wp = ntt_shoup_precomp(w, q);
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_mul_shoup(a[i], w, wp, q);
}

/* a in [0, 4q) -> a mod q. */
static void vec_reduce_scalar(uint64_t *out, const uint64_t *a, size_t n,
                              uint64_t q)
{
    const uint64_t q2 = 2 * q;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = a[i] >= q2 ? a[i] - q2 : a[i];
        out[i] = x >= q ? x - q : x;
    }
}

const struct ntt_kernels ntt_kernels_scalar = {
    .isa = VEIL_ISA_SCALAR,
    .tables_init = NULL,
    .forward = ntt_forward_scalar,
    .forward_lazy = ntt_forward_lazy_scalar,
    .inverse = ntt_inverse_scalar,
    .inverse_lazy = ntt_inverse_lazy_scalar,
    .vec_add = vec_add_scalar,
    .vec_sub = vec_sub_scalar,
    .vec_neg = vec_neg_scalar,
    .vec_mul = vec_mul_scalar,
    .vec_muladd = vec_muladd_scalar,
    .vec_mul_shoup = vec_mul_shoup_scalar,
    .vec_mul_const = vec_mul_const_scalar,
    .vec_reduce = vec_reduce_scalar,
};
