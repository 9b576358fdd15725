/*
 * plaintext.c - storage of bfv_plaintext_t (coefficients mod t) and
 * bfv_plaintext_ntt_t (lifted to Q, NTT form, for bfv_mul_plain), and the
 * conversion between them.
 */
#include "bfv_internal.h"
#include <string.h>

veil_status bfv_plaintext_init(bfv_plaintext_t *pt, const bfv_context_t *ctx)
{
    if (pt == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(pt, 0, sizeof(*pt));
    pt->coeffs = veil_calloc(ctx->n, sizeof(uint64_t));
    if (pt->coeffs == NULL)
        return VEIL_ENOMEM;
    pt->ctx = ctx;
    return VEIL_OK;
}

void bfv_plaintext_clear(bfv_plaintext_t *pt)
{
    if (pt == NULL)
        return;
    /* plaintexts are the client's secrets: wipe them */
    if (pt->coeffs != NULL)
        veil_free_secret(pt->coeffs, pt->ctx->n * sizeof(uint64_t));
    memset(pt, 0, sizeof(*pt));
}

veil_status bfv_plaintext_copy(bfv_plaintext_t *dst, const bfv_plaintext_t *src)
{
    if (dst == NULL || src == NULL || src->ctx == NULL || dst->ctx != src->ctx)
        return VEIL_EINVAL;
    if (dst != src)
        memcpy(dst->coeffs, src->coeffs, src->ctx->n * sizeof(uint64_t));
    return VEIL_OK;
}

veil_status bfv_plaintext_ntt_init(bfv_plaintext_ntt_t *pt,
                                   const bfv_context_t *ctx)
{
    if (pt == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(pt, 0, sizeof(*pt));
    pt->data = veil_calloc(ctx->n_q * ctx->n, sizeof(uint64_t));
    pt->shoup = veil_calloc(ctx->n_q * ctx->n, sizeof(uint64_t));
    if (pt->data == NULL || pt->shoup == NULL) {
        veil_free(pt->data);
        veil_free(pt->shoup);
        pt->data = pt->shoup = NULL;
        return VEIL_ENOMEM;
    }
    pt->ctx = ctx;
    return VEIL_OK;
}

void bfv_plaintext_ntt_clear(bfv_plaintext_ntt_t *pt)
{
    if (pt == NULL)
        return;
    if (pt->data != NULL) {
        size_t len = pt->ctx->n_q * pt->ctx->n * sizeof(uint64_t);
        veil_free_secret(pt->data, len);
        veil_free_secret(pt->shoup, len);
    }
    memset(pt, 0, sizeof(*pt));
}

veil_status bfv_plaintext_to_ntt(bfv_plaintext_ntt_t *out,
                                 const bfv_plaintext_t *pt)
{
    const bfv_context_t *ctx;
    if (out == NULL || pt == NULL || pt->ctx == NULL || out->ctx != pt->ctx)
        return VEIL_EINVAL;
    ctx = pt->ctx;
    const uint64_t t = ctx->params.t, half = t / 2;
    const size_t n = ctx->n;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(ctx->n_q, n, 3)))
    for (size_t i = 0; i < ctx->n_q; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *o = out->data + i * n;
        /* centred lift: m > t/2 stands for m - t */
        for (size_t k = 0; k < n; k++) {
            uint64_t m = pt->coeffs[k];
            o[k] = m > half
                       ? ntt_neg_mod(ntt_reduce128(0, t - m, &pl->mod), pl->q)
                       : ntt_reduce128(0, m, &pl->mod);
        }
        ntt_forward(pl, o);
        ntt_vec_shoup_precomp(pl, out->shoup + i * n, o);
    }
    return VEIL_OK;
}
