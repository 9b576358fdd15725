/*
 * he_pack.c - the client's side of the offline linear layer (he.h):
 * lay r out in the layer's slots and encrypt it, and read W r - s back
 * from the decrypted reply; and the server's last step, the switch of
 * the flooded reply to L->reply_limbs primes.
 */
#include "he_internal.h"
#include <stdlib.h>

veil_status safenet_he_encrypt(bfv_ciphertext_t *cts,
                               const safenet_he_layer_t *L,
                               const bfv_secret_key_t *sk, const uint64_t *r,
                               veil_rng_t *rng)
{
    bfv_plaintext_t pt;
    uint64_t *vals;
    veil_status st;
    if (cts == NULL || L == NULL || sk == NULL || r == NULL || rng == NULL ||
        sk->ctx != L->ctx)
        return VEIL_EINVAL;
    const uint64_t t = L->ctx->params.t;
    const size_t n = L->n;
    for (size_t i = 0; i < L->in_len; i++)
        if (r[i] >= t)
            return VEIL_ERANGE;
    if ((vals = malloc(n * sizeof(uint64_t))) == NULL)
        return VEIL_ENOMEM;
    if ((st = bfv_plaintext_init(&pt, L->ctx)) != VEIL_OK) {
        free(vals);
        return st;
    }
    for (size_t c = 0; c < L->in_ct && st == VEIL_OK; c++) {
        const int32_t *map = L->in_map + c * n;
        for (size_t s = 0; s < n; s++)
            vals[s] = map[s] >= 0 ? r[map[s]] : 0;
        st = bfv_encode_batch(&pt, vals, n);
        if (st == VEIL_OK)
            st = bfv_encrypt_symmetric(&cts[c], sk, &pt, rng);
    }
    veil_memzero(vals, n * sizeof(uint64_t));
    free(vals);
    bfv_plaintext_clear(&pt);
    return st;
}

veil_status safenet_he_switch(bfv_ms_ciphertext_t *ms,
                              const safenet_he_layer_t *L,
                              const bfv_ciphertext_t *out)
{
    veil_status st = VEIL_OK;
    if (ms == NULL || L == NULL || out == NULL)
        return VEIL_EINVAL;
    for (size_t c = 0; c < L->out_ct && st == VEIL_OK; c++)
        st = out[c].ctx != L->ctx || out[c].size != 2
                 ? VEIL_EINVAL
                 : bfv_mod_switch(&ms[c], &out[c], L->reply_limbs);
    return st;
}

veil_status safenet_he_decrypt(uint64_t *y, const safenet_he_layer_t *L,
                               const bfv_secret_key_t *sk,
                               const bfv_ms_ciphertext_t *ms)
{
    bfv_plaintext_t pt;
    uint64_t *vals;
    veil_status st;
    if (y == NULL || L == NULL || sk == NULL || ms == NULL || sk->ctx != L->ctx)
        return VEIL_EINVAL;
    const size_t n = L->n;
    for (size_t c = 0; c < L->out_ct; c++)
        if (ms[c].ctx != L->ctx || ms[c].size != 2 ||
            ms[c].limbs != L->reply_limbs)
            return VEIL_EINVAL;
    if ((vals = malloc(L->out_ct * n * sizeof(uint64_t))) == NULL)
        return VEIL_ENOMEM;
    if ((st = bfv_plaintext_init(&pt, L->ctx)) != VEIL_OK) {
        free(vals);
        return st;
    }
    for (size_t c = 0; c < L->out_ct && st == VEIL_OK; c++) {
        st = bfv_decrypt_ms(&pt, sk, &ms[c]);
        if (st == VEIL_OK)
            st = bfv_decode_batch(vals + c * n, &pt);
    }
    if (st == VEIL_OK)
        for (size_t e = 0; e < L->out_len; e++)
            y[e] = vals[L->out_pos[e]];
    veil_memzero(vals, L->out_ct * n * sizeof(uint64_t));
    free(vals);
    bfv_plaintext_clear(&pt);
    return st;
}
