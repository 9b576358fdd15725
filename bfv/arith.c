/*
 * arith.c - the linear part of the evaluator: add, sub, negate, add_plain,
 * sub_plain, mul_plain and mul_scalar.  Ciphertexts are in NTT form, so each
 * is one pointwise pass per row (ntt.h kernels); only add_plain transforms
 * its plaintext (doc/03-bfv.md, "Homomorphic operations").
 */
#include "bfv_internal.h"
#include <string.h>

static int same_ctx2(const bfv_ciphertext_t *out, const bfv_ciphertext_t *a)
{
    return out != NULL && a != NULL && a->ctx != NULL && out->ctx == a->ctx;
}

typedef enum { OP_ADD, OP_SUB } addsub_op;

static veil_status addsub(bfv_ciphertext_t *out, const bfv_ciphertext_t *a,
                          const bfv_ciphertext_t *b, addsub_op op)
{
    const bfv_context_t *ctx;
    size_t sa, sb, smin, smax;
    veil_status st;

    if (!same_ctx2(out, a) || !same_ctx2(out, b))
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(a) && bfv_ct_reduced(b));
    ctx = a->ctx;
    sa = a->size;
    sb = b->size;
    smin = sa < sb ? sa : sb;
    smax = sa < sb ? sb : sa;
    /* out may be a or b: keep its polynomials while growing */
    st = bfv_ciphertext_resize(out, smax, out == a || out == b);
    if (st != VEIL_OK)
        return st;
    const size_t n = ctx->n, L = ctx->n_q;
    for (size_t k = 0; k < smax; k++) {
        for (size_t i = 0; i < L; i++) {
            const ntt_plan_t *pl = &ctx->plans[i];
            uint64_t *o = bfv_ct_row(out, k, i);
            if (k < smin) {
                if (op == OP_ADD)
                    ntt_vec_add(pl, o, bfv_ct_row(a, k, i),
                                bfv_ct_row(b, k, i));
                else
                    ntt_vec_sub(pl, o, bfv_ct_row(a, k, i),
                                bfv_ct_row(b, k, i));
            } else if (sa > sb) {
                if (out != a)
                    memcpy(o, bfv_ct_row(a, k, i), n * sizeof(uint64_t));
            } else if (op == OP_ADD) {
                if (out != b)
                    memcpy(o, bfv_ct_row(b, k, i), n * sizeof(uint64_t));
            } else {
                ntt_vec_neg(pl, o, bfv_ct_row(b, k, i));
            }
        }
    }
    return VEIL_OK;
}

veil_status bfv_add(bfv_ciphertext_t *out, const bfv_ciphertext_t *a,
                    const bfv_ciphertext_t *b)
{
    return addsub(out, a, b, OP_ADD);
}

veil_status bfv_sub(bfv_ciphertext_t *out, const bfv_ciphertext_t *a,
                    const bfv_ciphertext_t *b)
{
    return addsub(out, a, b, OP_SUB);
}

veil_status bfv_negate(bfv_ciphertext_t *out, const bfv_ciphertext_t *a)
{
    veil_status st;
    if (!same_ctx2(out, a))
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(a));
    st = bfv_ciphertext_resize(out, a->size, 1);
    if (st != VEIL_OK)
        return st;
    for (size_t k = 0; k < a->size; k++)
        for (size_t i = 0; i < a->ctx->n_q; i++)
            ntt_vec_neg(&a->ctx->plans[i], bfv_ct_row(out, k, i),
                        bfv_ct_row(a, k, i));
    return VEIL_OK;
}

static veil_status addsub_plain(bfv_ciphertext_t *out,
                                const bfv_ciphertext_t *ct,
                                const bfv_plaintext_t *pt, addsub_op op)
{
    const bfv_context_t *ctx;
    uint64_t *dm;
    veil_status st;

    if (!same_ctx2(out, ct) || pt == NULL || pt->ctx == NULL ||
        pt->ctx->n != ct->ctx->n || pt->ctx->params.t != ct->ctx->params.t)
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    VEIL_ASSERT(veil_all_below(pt->coeffs, ct->ctx->n, ct->ctx->params.t));
    ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    dm = bfv_scratch(BFV_SCRATCH_PLAIN, (L + 1) * n);
    if (dm == NULL)
        return VEIL_ENOMEM;
    st = bfv_ciphertext_copy(out, ct);
    if (st != VEIL_OK)
        return st;
    out->seeded = 0;
    bfv_scale_plain(dm, ctx, pt->coeffs, NULL, dm + L * n);
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(L, n, 1)))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *c0 = bfv_ct_row(out, 0, i);
        ntt_forward(pl, dm + i * n);
        if (op == OP_ADD)
            ntt_vec_add(pl, c0, c0, dm + i * n);
        else
            ntt_vec_sub(pl, c0, c0, dm + i * n);
    }
    veil_memzero(dm, (L + 1) * n * sizeof(uint64_t)); /* encodes pt */
    return VEIL_OK;
}

veil_status bfv_add_plain(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                          const bfv_plaintext_t *pt)
{
    return addsub_plain(out, ct, pt, OP_ADD);
}

veil_status bfv_sub_plain(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                          const bfv_plaintext_t *pt)
{
    return addsub_plain(out, ct, pt, OP_SUB);
}

veil_status bfv_mul_plain(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                          const bfv_plaintext_ntt_t *pt)
{
    veil_status st;
    if (!same_ctx2(out, ct) || pt == NULL || pt->ctx != ct->ctx)
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    VEIL_ASSERT(bfv_rows_reduced(ct->ctx, pt->data, ct->ctx->n_q));
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, size = ct->size;
    st = bfv_ciphertext_resize(out, size, 1);
    if (st != VEIL_OK)
        return st;
    /* a streaming multiply (doc/01-arithmetic.md, section 7.1): per limb,
     * one pass over the plaintext row and two ciphertext rows at a time
     * (ntt_vec_mul2 loads each plaintext word once), so every row is read
     * and written once; out == ct makes it in place */
    for (size_t i = 0; i < ctx->n_q; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t *w = pt->data + i * n;
        size_t k = 0;
        for (; k + 2 <= size; k += 2)
            ntt_vec_mul2(pl, bfv_ct_row(out, k, i), bfv_ct_row(out, k + 1, i),
                         bfv_ct_row(ct, k, i), bfv_ct_row(ct, k + 1, i), w);
        if (k < size)
            ntt_vec_mul(pl, bfv_ct_row(out, k, i), bfv_ct_row(ct, k, i), w);
    }
    return VEIL_OK;
}

veil_status bfv_mul_scalar(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                           int64_t c)
{
    veil_status st;
    int64_t cc;
    if (!same_ctx2(out, ct))
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    const bfv_context_t *ctx = ct->ctx;
    const int64_t t = (int64_t)ctx->params.t;
    /* the centred residue of c mod t: the smallest multiplier, so the
     * smallest noise growth */
    cc = c % t;
    if (cc < 0)
        cc += t;
    if (cc > t / 2)
        cc -= t;
    st = bfv_ciphertext_resize(out, ct->size, 1);
    if (st != VEIL_OK)
        return st;
    for (size_t i = 0; i < ctx->n_q; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t w = cc < 0 ? ntt_neg_mod((uint64_t)(-cc) % pl->q, pl->q)
                            : (uint64_t)cc % pl->q;
        for (size_t k = 0; k < ct->size; k++)
            ntt_vec_mul_scalar(pl, bfv_ct_row(out, k, i), bfv_ct_row(ct, k, i),
                               w);
    }
    return VEIL_OK;
}
