/*
 * crt_encode.c - the CRT batch encoder: an integer slot value x becomes the
 * residues x mod t_i, one batch-encoded plaintext per component; decoding
 * joins the residues by exact CRT (rns.h, base t_0..t_{k-1}) into the
 * representative in (-T/2, T/2] (doc/08-crt-plaintexts.md).
 */
#include "crt_internal.h"
#include <flint/fmpz_vec.h>

static int pt_ok(const bfv_crt_plaintext_t *pt)
{
    return pt != NULL && pt->ctx != NULL && pt->ctx->comp != NULL;
}

veil_status bfv_crt_encode_i64(bfv_crt_plaintext_t *pt, const int64_t *values,
                               size_t count)
{
    veil_status st;
    if (!pt_ok(pt) || (values == NULL && count > 0) ||
        count > pt->ctx->params.base.n)
        return VEIL_EINVAL;
    /* the component encoder reduces each value mod t_i */
    BFV_CRT_EACH(st, pt->ctx->k,
                 bfv_encode_batch_signed(&pt->c[i], values, count));
    return st;
}

veil_status bfv_crt_encode_fmpz(bfv_crt_plaintext_t *pt, const fmpz *values,
                                size_t count)
{
    const bfv_crt_context_t *ctx;
    uint64_t *res, r[BFV_CRT_MAX];
    veil_status st;

    if (!pt_ok(pt) || (values == NULL && count > 0) ||
        count > pt->ctx->params.base.n)
        return VEIL_EINVAL;
    ctx = pt->ctx;
    const size_t k = ctx->k, n = ctx->params.base.n;
    res = veil_alloc(k * n * sizeof(uint64_t));
    if (res == NULL)
        return VEIL_ENOMEM;
    /* res[i * n + j] = values[j] mod t_i */
    for (size_t j = 0; j < count; j++) {
        rns_decompose_fmpz(&ctx->base_t, r, values + j);
        for (size_t i = 0; i < k; i++)
            res[i * n + j] = r[i];
    }
    BFV_CRT_EACH(st, k, bfv_encode_batch(&pt->c[i], res + i * n, count));
    veil_free_secret(res, k * n * sizeof(uint64_t));
    return st;
}

veil_status bfv_crt_encode_scalar_fmpz(bfv_crt_plaintext_t *pt, const fmpz_t c)
{
    uint64_t r[BFV_CRT_MAX];
    veil_status st;
    if (!pt_ok(pt) || c == NULL)
        return VEIL_EINVAL;
    rns_decompose_fmpz(&pt->ctx->base_t, r, c);
    /* r[i] < t_i < 2^NTT_MAX_PRIME_BITS fits int64_t */
    BFV_CRT_EACH(st, pt->ctx->k, bfv_encode_scalar(&pt->c[i], (int64_t)r[i]));
    veil_memzero(r, sizeof(r));
    return st;
}

veil_status bfv_crt_decode_fmpz(fmpz *values, const bfv_crt_plaintext_t *pt)
{
    const bfv_crt_context_t *ctx;
    uint64_t *res, r[BFV_CRT_MAX];
    veil_status st;

    if (values == NULL || !pt_ok(pt))
        return VEIL_EINVAL;
    ctx = pt->ctx;
    const size_t k = ctx->k, n = ctx->params.base.n;
    res = veil_alloc(k * n * sizeof(uint64_t));
    if (res == NULL)
        return VEIL_ENOMEM;
    BFV_CRT_EACH(st, k, bfv_decode_batch(res + i * n, &pt->c[i]));
    if (st == VEIL_OK) {
        for (size_t j = 0; j < n; j++) {
            for (size_t i = 0; i < k; i++)
                r[i] = res[i * n + j];
            rns_compose_centered_fmpz(&ctx->base_t, values + j, r);
        }
        veil_memzero(r, sizeof(r));
    }
    veil_free_secret(res, k * n * sizeof(uint64_t));
    return st;
}

veil_status bfv_crt_decode_i64(int64_t *values, const bfv_crt_plaintext_t *pt)
{
    fmpz *v;
    veil_status st;
    if (values == NULL || !pt_ok(pt))
        return VEIL_EINVAL;
    const size_t n = pt->ctx->params.base.n;
    v = _fmpz_vec_init((slong)n);
    st = bfv_crt_decode_fmpz(v, pt);
    for (size_t j = 0; j < n && (st == VEIL_OK || st == VEIL_ERANGE); j++) {
        if (fmpz_fits_si(v + j)) {
            values[j] = fmpz_get_si(v + j);
        } else {
            values[j] = fmpz_sgn(v + j) < 0 ? INT64_MIN : INT64_MAX;
            st = VEIL_ERANGE;
        }
    }
    _fmpz_vec_zero(v, (slong)n);
    _fmpz_vec_clear(v, (slong)n);
    return st;
}

veil_status bfv_crt_plaintext_to_ntt(bfv_crt_plaintext_ntt_t *out,
                                     const bfv_crt_plaintext_t *pt)
{
    veil_status st;
    if (out == NULL || !pt_ok(pt) || out->ctx != pt->ctx)
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, pt->ctx->k, bfv_plaintext_to_ntt(&out->c[i], &pt->c[i]));
    return st;
}
