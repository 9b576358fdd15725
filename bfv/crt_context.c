/*
 * crt_context.c - bfv_crt_context_t (k component contexts and the exact CRT
 * base of T) and the helpers every CRT operation uses to run its
 * components in parallel.
 */
#include "crt_internal.h"
#include <string.h>

veil_status bfv_crt_context_init(bfv_crt_context_t *ctx,
                                 const bfv_crt_params_t *params)
{
    bfv_crt_params_t chk;
    veil_status st;

    if (ctx == NULL || params == NULL)
        return VEIL_EINVAL;
    memset(ctx, 0, sizeof(*ctx));
    st =
        bfv_crt_params_init(&chk, &params->base, params->t, params->k, NULL, 0);
    if (st != VEIL_OK)
        return st;
    ctx->params = chk;
    ctx->comp = veil_calloc(chk.k, sizeof(bfv_context_t));
    if (ctx->comp == NULL)
        return VEIL_ENOMEM;
    ctx->k = chk.k;
    for (size_t i = 0; i < chk.k && st == VEIL_OK; i++) {
        bfv_params_t p;
        bfv_crt_params_component(&p, &chk, i);
        st = bfv_context_init(&ctx->comp[i], &p);
    }
    if (st == VEIL_OK)
        st = rns_base_init(&ctx->base_t, chk.t, chk.k);
    if (st != VEIL_OK)
        bfv_crt_context_clear(ctx);
    return st;
}

void bfv_crt_context_clear(bfv_crt_context_t *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->comp != NULL)
        for (size_t i = 0; i < ctx->k; i++)
            bfv_context_clear(&ctx->comp[i]);
    veil_free(ctx->comp);
    rns_base_clear(&ctx->base_t);
    memset(ctx, 0, sizeof(*ctx));
}

void bfv_crt_modulus(fmpz_t T, const bfv_crt_context_t *ctx)
{
    fmpz_set_mpz(T, ctx->base_t.Q);
}

veil_status bfv_crt_first_error(const veil_status *st, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (st[i] != VEIL_OK)
            return st[i];
    return VEIL_OK;
}

void bfv_crt_draw_seeds(uint8_t seeds[][VEIL_SEED_BYTES], size_t k,
                        veil_rng_t *rng)
{
    for (size_t i = 0; i < k; i++)
        veil_rng_bytes(rng, seeds[i], VEIL_SEED_BYTES);
}
