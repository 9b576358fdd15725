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

static void vec_add_signed_scalar(uint64_t *out, const uint64_t *a,
                                  const int64_t *w, size_t n, uint64_t q)
{
    for (size_t i = 0; i < n; i++) {
        /* a + w in (-q, 2q): add q if negative, subtract it if >= q */
        int64_t v = (int64_t)a[i] + w[i];
        v += (int64_t)((uint64_t)(v >> 63) & q);
        out[i] = (uint64_t)v >= q ? (uint64_t)v - q : (uint64_t)v;
    }
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

/* Barrett with a one-word constant (Handbook of Applied Cryptography,
 * Alg. 14.42, base 2): for L = bit length of q and mu = floor(2^2L / q),
 * x = a b < 2^2L gives qhat = floor(floor(x / 2^(L-1)) mu / 2^(L+1)) with
 * x - qhat q in [0, 3q).  Three multiplications instead of the six of
 * ntt_mul_mod, whose 128-bit constant handles any hi < q. */
typedef struct {
    uint64_t q, mu;
    unsigned L;
} barrett_t;

static barrett_t barrett_init(const ntt_modulus_t *m)
{
    barrett_t b;
    unsigned s;
    b.q = m->q;
    b.L = 64 - (unsigned)__builtin_clzll(m->q);
    /* mu = floor(floor(2^128 / q) / 2^(128 - 2L)) */
    s = 128 - 2 * b.L;
    b.mu = s >= 64 ? m->barrett_hi >> (s - 64)
                   : (m->barrett_hi << (64 - s)) | (m->barrett_lo >> s);
    return b;
}

/* For 2 <= L <= 50 every shift below is of a 64-bit word by 1 .. 63. */
static inline uint64_t mul_barrett(uint64_t a, uint64_t b, const barrett_t *c)
{
    unsigned __int128 x = (unsigned __int128)a * b, y;
    uint64_t xh = (uint64_t)(x >> 64), xl = (uint64_t)x, top, qhat, r;
    top = (xh << (65 - c->L)) | (xl >> (c->L - 1));
    y = (unsigned __int128)top * c->mu;
    qhat = ((uint64_t)(y >> 64) << (63 - c->L)) | ((uint64_t)y >> (c->L + 1));
    r = xl - qhat * c->q;
    return ntt_csub(ntt_csub(r, c->q), c->q);
}

static void vec_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *b,
                           size_t n, const ntt_modulus_t *m)
{
    const barrett_t c = barrett_init(m);
    for (size_t i = 0; i < n; i++)
        out[i] = mul_barrett(a[i], b[i], &c);
}

static void vec_mul2_scalar(uint64_t *out0, uint64_t *out1, const uint64_t *a0,
                            const uint64_t *a1, const uint64_t *b, size_t n,
                            const ntt_modulus_t *m)
{
    const barrett_t c = barrett_init(m);
    for (size_t i = 0; i < n; i++) {
        const uint64_t w = b[i], x0 = a0[i], x1 = a1[i];
        out0[i] = mul_barrett(x0, w, &c);
        out1[i] = mul_barrett(x1, w, &c);
    }
}

static void vec_muladd_scalar(uint64_t *out, const uint64_t *a,
                              const uint64_t *b, size_t n,
                              const ntt_modulus_t *m)
{
    const barrett_t c = barrett_init(m);
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_add_mod(out[i], mul_barrett(a[i], b[i], &c), m->q);
}

static void vec_muladd2_scalar(uint64_t *out0, uint64_t *out1,
                               const uint64_t *a0, const uint64_t *a1,
                               const uint64_t *b, size_t n,
                               const ntt_modulus_t *m)
{
    const barrett_t c = barrett_init(m);
    for (size_t i = 0; i < n; i++) {
        const uint64_t w = b[i];
        out0[i] = ntt_add_mod(out0[i], mul_barrett(a0[i], w, &c), m->q);
        out1[i] = ntt_add_mod(out1[i], mul_barrett(a1[i], w, &c), m->q);
    }
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
    for (size_t i = 0; i < n; i++)
        out[i] = ntt_csub(ntt_csub(a[i], q2), q);
}

const struct ntt_kernels ntt_kernels_scalar = {
    .isa = VEIL_ISA_SCALAR,
    .tables_init = NULL,
    .forward = ntt_forward_scalar,
    .forward_lazy = ntt_forward_lazy_scalar,
    .inverse = ntt_inverse_scalar,
    .inverse_lazy = ntt_inverse_lazy_scalar,
    .vec_add = vec_add_scalar,
    .vec_add_signed = vec_add_signed_scalar,
    .vec_sub = vec_sub_scalar,
    .vec_neg = vec_neg_scalar,
    .vec_mul = vec_mul_scalar,
    .vec_muladd = vec_muladd_scalar,
    .vec_muladd2 = vec_muladd2_scalar,
    .vec_mul2 = vec_mul2_scalar,
    .vec_mul_shoup = vec_mul_shoup_scalar,
    .vec_mul_const = vec_mul_const_scalar,
    .vec_reduce = vec_reduce_scalar,
};
