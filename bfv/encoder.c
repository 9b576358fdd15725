/*
 * encoder.c - plaintext encoders.  The batch encoder maps n values of Z_t
 * (the 2 x n/2 slot matrix, row-major) to the polynomial m(X) whose
 * evaluations at the 2n-th roots of unity mod t are those values: an inverse
 * NTT mod t once the values sit at the NTT indices of their roots
 * (ctx->slot_to_ntt, built in context.c; doc/06-rotations.md explains the
 * order).  The scalar encoder writes the constant polynomial.
 */
#include "bfv_internal.h"
#include <string.h>

/* c mod t in [0, t) for any signed c (t < 2^63). */
static uint64_t signed_mod(int64_t c, uint64_t t)
{
    int64_t r = c % (int64_t)t;
    return (uint64_t)(r < 0 ? r + (int64_t)t : r);
}

veil_status bfv_encode_batch(bfv_plaintext_t *pt, const uint64_t *values,
                             size_t count)
{
    const bfv_context_t *ctx;
    if (pt == NULL || pt->ctx == NULL || (values == NULL && count > 0))
        return VEIL_EINVAL;
    ctx = pt->ctx;
    if (!ctx->batching)
        return VEIL_EPARAM;
    if (count > ctx->n)
        return VEIL_EINVAL;
    for (size_t s = 0; s < count; s++)
        if (values[s] >= ctx->params.t)
            return VEIL_ERANGE;
    memset(pt->coeffs, 0, ctx->n * sizeof(uint64_t));
    for (size_t s = 0; s < count; s++)
        pt->coeffs[ctx->slot_to_ntt[s]] = values[s];
    ntt_inverse(&ctx->plan_t, pt->coeffs);
    return VEIL_OK;
}

veil_status bfv_encode_batch_signed(bfv_plaintext_t *pt, const int64_t *values,
                                    size_t count)
{
    const bfv_context_t *ctx;
    if (pt == NULL || pt->ctx == NULL || (values == NULL && count > 0))
        return VEIL_EINVAL;
    ctx = pt->ctx;
    if (!ctx->batching)
        return VEIL_EPARAM;
    if (count > ctx->n)
        return VEIL_EINVAL;
    memset(pt->coeffs, 0, ctx->n * sizeof(uint64_t));
    for (size_t s = 0; s < count; s++)
        pt->coeffs[ctx->slot_to_ntt[s]] = signed_mod(values[s], ctx->params.t);
    ntt_inverse(&ctx->plan_t, pt->coeffs);
    return VEIL_OK;
}

/* tmp = the NTT of pt mod t (slot values at their NTT indices). */
static veil_status coeffs_to_slots(uint64_t **tmp, const bfv_plaintext_t *pt)
{
    const bfv_context_t *ctx = pt->ctx;
    *tmp = veil_alloc(ctx->n * sizeof(uint64_t));
    if (*tmp == NULL)
        return VEIL_ENOMEM;
    memcpy(*tmp, pt->coeffs, ctx->n * sizeof(uint64_t));
    ntt_forward(&ctx->plan_t, *tmp);
    return VEIL_OK;
}

veil_status bfv_decode_batch(uint64_t *values, const bfv_plaintext_t *pt)
{
    uint64_t *tmp;
    veil_status st;
    if (values == NULL || pt == NULL || pt->ctx == NULL)
        return VEIL_EINVAL;
    if (!pt->ctx->batching)
        return VEIL_EPARAM;
    st = coeffs_to_slots(&tmp, pt);
    if (st != VEIL_OK)
        return st;
    for (size_t s = 0; s < pt->ctx->n; s++)
        values[s] = tmp[pt->ctx->slot_to_ntt[s]];
    veil_free_secret(tmp, pt->ctx->n * sizeof(uint64_t));
    return VEIL_OK;
}

veil_status bfv_decode_batch_signed(int64_t *values, const bfv_plaintext_t *pt)
{
    uint64_t *tmp;
    veil_status st;
    if (values == NULL || pt == NULL || pt->ctx == NULL)
        return VEIL_EINVAL;
    if (!pt->ctx->batching)
        return VEIL_EPARAM;
    st = coeffs_to_slots(&tmp, pt);
    if (st != VEIL_OK)
        return st;
    const uint64_t t = pt->ctx->params.t;
    for (size_t s = 0; s < pt->ctx->n; s++) {
        uint64_t v = tmp[pt->ctx->slot_to_ntt[s]];
        /* centred into (-t/2, t/2] */
        values[s] = v > t / 2 ? (int64_t)v - (int64_t)t : (int64_t)v;
    }
    veil_free_secret(tmp, pt->ctx->n * sizeof(uint64_t));
    return VEIL_OK;
}

veil_status bfv_encode_scalar(bfv_plaintext_t *pt, int64_t c)
{
    if (pt == NULL || pt->ctx == NULL)
        return VEIL_EINVAL;
    memset(pt->coeffs, 0, pt->ctx->n * sizeof(uint64_t));
    pt->coeffs[0] = signed_mod(c, pt->ctx->params.t);
    return VEIL_OK;
}
