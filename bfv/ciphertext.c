/*
 * ciphertext.c - bfv_ciphertext_t storage: init, clear, copy and resize.
 * Capacity grows on demand (a product has 3 polynomials) and never shrinks,
 * so a ciphertext reused in a loop allocates once.
 */
#include "bfv_internal.h"
#include <string.h>

veil_status bfv_ciphertext_init(bfv_ciphertext_t *ct, const bfv_context_t *ctx)
{
    if (ct == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(ct, 0, sizeof(*ct));
    ct->data = veil_calloc(2 * ctx->n_q * ctx->n, sizeof(uint64_t));
    if (ct->data == NULL)
        return VEIL_ENOMEM;
    ct->ctx = ctx;
    ct->size = 2;
    ct->capacity = 2;
    return VEIL_OK;
}

void bfv_ciphertext_clear(bfv_ciphertext_t *ct)
{
    if (ct == NULL)
        return;
    veil_free(ct->data);
    memset(ct, 0, sizeof(*ct));
}

veil_status bfv_ciphertext_resize(bfv_ciphertext_t *ct, size_t size, int keep)
{
    const size_t poly = ct->ctx->n_q * ct->ctx->n;
    if (size > ct->capacity) {
        uint64_t *d = veil_calloc(size * poly, sizeof(uint64_t));
        if (d == NULL)
            return VEIL_ENOMEM;
        if (keep)
            memcpy(d, ct->data, ct->size * poly * sizeof(uint64_t));
        veil_free(ct->data);
        ct->data = d;
        ct->capacity = size;
    }
    ct->size = size;
    ct->seeded = 0;
    return VEIL_OK;
}

veil_status bfv_ciphertext_copy(bfv_ciphertext_t *dst,
                                const bfv_ciphertext_t *src)
{
    veil_status st;
    if (dst == NULL || src == NULL || dst->ctx != src->ctx || src->ctx == NULL)
        return VEIL_EINVAL;
    if (dst == src)
        return VEIL_OK;
    st = bfv_ciphertext_resize(dst, src->size, 0);
    if (st != VEIL_OK)
        return st;
    memcpy(dst->data, src->data,
           src->size * src->ctx->n_q * src->ctx->n * sizeof(uint64_t));
    dst->seeded = src->seeded;
    memcpy(dst->seed, src->seed, sizeof(dst->seed));
    return VEIL_OK;
}
