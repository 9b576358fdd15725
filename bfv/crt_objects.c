/*
 * crt_objects.c - storage of the CRT objects: plaintexts, NTT plaintexts,
 * ciphertexts and key sets are arrays of the corresponding bfv objects, one
 * per component (init allocates all of them, clear frees and wipes).
 */
#include "crt_internal.h"
#include <string.h>

veil_status bfv_crt_plaintext_init(bfv_crt_plaintext_t *pt,
                                   const bfv_crt_context_t *ctx)
{
    veil_status st = VEIL_OK;
    if (pt == NULL || ctx == NULL || ctx->comp == NULL)
        return VEIL_EINVAL;
    memset(pt, 0, sizeof(*pt));
    pt->ctx = ctx;
    for (size_t i = 0; i < ctx->k && st == VEIL_OK; i++)
        st = bfv_plaintext_init(&pt->c[i], &ctx->comp[i]);
    if (st != VEIL_OK)
        bfv_crt_plaintext_clear(pt);
    return st;
}

void bfv_crt_plaintext_clear(bfv_crt_plaintext_t *pt)
{
    if (pt == NULL)
        return;
    for (size_t i = 0; i < BFV_CRT_MAX; i++)
        bfv_plaintext_clear(&pt->c[i]);
    memset(pt, 0, sizeof(*pt));
}

veil_status bfv_crt_plaintext_ntt_init(bfv_crt_plaintext_ntt_t *pt,
                                       const bfv_crt_context_t *ctx)
{
    veil_status st = VEIL_OK;
    if (pt == NULL || ctx == NULL || ctx->comp == NULL)
        return VEIL_EINVAL;
    memset(pt, 0, sizeof(*pt));
    pt->ctx = ctx;
    for (size_t i = 0; i < ctx->k && st == VEIL_OK; i++)
        st = bfv_plaintext_ntt_init(&pt->c[i], &ctx->comp[i]);
    if (st != VEIL_OK)
        bfv_crt_plaintext_ntt_clear(pt);
    return st;
}

void bfv_crt_plaintext_ntt_clear(bfv_crt_plaintext_ntt_t *pt)
{
    if (pt == NULL)
        return;
    for (size_t i = 0; i < BFV_CRT_MAX; i++)
        bfv_plaintext_ntt_clear(&pt->c[i]);
    memset(pt, 0, sizeof(*pt));
}

veil_status bfv_crt_ciphertext_init(bfv_crt_ciphertext_t *ct,
                                    const bfv_crt_context_t *ctx)
{
    veil_status st = VEIL_OK;
    if (ct == NULL || ctx == NULL || ctx->comp == NULL)
        return VEIL_EINVAL;
    memset(ct, 0, sizeof(*ct));
    ct->ctx = ctx;
    for (size_t i = 0; i < ctx->k && st == VEIL_OK; i++)
        st = bfv_ciphertext_init(&ct->c[i], &ctx->comp[i]);
    if (st != VEIL_OK)
        bfv_crt_ciphertext_clear(ct);
    return st;
}

void bfv_crt_ciphertext_clear(bfv_crt_ciphertext_t *ct)
{
    if (ct == NULL)
        return;
    for (size_t i = 0; i < BFV_CRT_MAX; i++)
        bfv_ciphertext_clear(&ct->c[i]);
    memset(ct, 0, sizeof(*ct));
}

veil_status bfv_crt_ciphertext_copy(bfv_crt_ciphertext_t *dst,
                                    const bfv_crt_ciphertext_t *src)
{
    veil_status st;
    if (dst == NULL || src == NULL || src->ctx == NULL || dst->ctx != src->ctx)
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, src->ctx->k, bfv_ciphertext_copy(&dst->c[i], &src->c[i]));
    return st;
}

veil_status bfv_crt_keys_init(bfv_crt_keys_t *keys,
                              const bfv_crt_context_t *ctx)
{
    veil_status st = VEIL_OK;
    if (keys == NULL || ctx == NULL || ctx->comp == NULL)
        return VEIL_EINVAL;
    memset(keys, 0, sizeof(*keys));
    keys->ctx = ctx;
    /* Galois key sets own nothing until keys are added: set them up now so
     * that bfv_crt_keygen and the deserializers can add to them */
    for (size_t i = 0; i < ctx->k && st == VEIL_OK; i++)
        st = bfv_galois_keys_init(&keys->gk[i], &ctx->comp[i]);
    if (st != VEIL_OK)
        bfv_crt_keys_clear(keys);
    return st;
}

void bfv_crt_keys_clear(bfv_crt_keys_t *keys)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < BFV_CRT_MAX; i++) {
        bfv_secret_key_clear(&keys->sk[i]);
        bfv_public_key_clear(&keys->pk[i]);
        bfv_relin_key_clear(&keys->rk[i]);
        bfv_galois_keys_clear(&keys->gk[i]);
    }
    memset(keys, 0, sizeof(*keys));
}
