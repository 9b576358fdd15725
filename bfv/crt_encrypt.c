/*
 * crt_encrypt.c - encryption, decryption and the noise budget of CRT
 * ciphertexts, component by component.  Each component encrypts with its
 * own generator, seeded from the caller's in component order, so the
 * ciphertext is the same for any number of threads.
 */
#include "crt_internal.h"

/* keys, ct and pt share one context and keys holds the kinds in `need`. */
static veil_status check(const bfv_crt_keys_t *keys,
                         const bfv_crt_ciphertext_t *ct,
                         const bfv_crt_plaintext_t *pt, unsigned need)
{
    if (keys == NULL || ct == NULL || pt == NULL || keys->ctx == NULL ||
        ct->ctx != keys->ctx || pt->ctx != keys->ctx)
        return VEIL_EINVAL;
    return (keys->have & need) == need ? VEIL_OK : VEIL_ENOKEY;
}

static veil_status encrypt_one(bfv_ciphertext_t *ct, const bfv_crt_keys_t *keys,
                               size_t i, const bfv_plaintext_t *pt,
                               const uint8_t seed[VEIL_SEED_BYTES],
                               int symmetric)
{
    veil_rng_t g;
    veil_status st;
    veil_rng_init_seed(&g, seed);
    st = symmetric ? bfv_encrypt_symmetric(ct, &keys->sk[i], pt, &g)
                   : bfv_encrypt(ct, &keys->pk[i], pt, &g);
    veil_rng_clear(&g);
    return st;
}

static veil_status encrypt_all(bfv_crt_ciphertext_t *ct,
                               const bfv_crt_keys_t *keys,
                               const bfv_crt_plaintext_t *pt, veil_rng_t *rng,
                               int symmetric)
{
    uint8_t seeds[BFV_CRT_MAX][VEIL_SEED_BYTES];
    veil_status st;

    st = check(keys, ct, pt, symmetric ? BFV_CRT_SECRET : BFV_CRT_PUBLIC);
    if (st != VEIL_OK)
        return st;
    if (rng == NULL)
        return VEIL_EINVAL;
    bfv_crt_draw_seeds(seeds, keys->ctx->k, rng);
    BFV_CRT_EACH(
        st, keys->ctx->k,
        encrypt_one(&ct->c[i], keys, i, &pt->c[i], seeds[i], symmetric));
    veil_memzero(seeds, sizeof(seeds));
    return st;
}

veil_status bfv_crt_encrypt(bfv_crt_ciphertext_t *ct,
                            const bfv_crt_keys_t *keys,
                            const bfv_crt_plaintext_t *pt, veil_rng_t *rng)
{
    return encrypt_all(ct, keys, pt, rng, 0);
}

veil_status bfv_crt_encrypt_symmetric(bfv_crt_ciphertext_t *ct,
                                      const bfv_crt_keys_t *keys,
                                      const bfv_crt_plaintext_t *pt,
                                      veil_rng_t *rng)
{
    return encrypt_all(ct, keys, pt, rng, 1);
}

veil_status bfv_crt_decrypt(bfv_crt_plaintext_t *pt, const bfv_crt_keys_t *keys,
                            const bfv_crt_ciphertext_t *ct)
{
    veil_status st = check(keys, ct, pt, BFV_CRT_SECRET);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, keys->ctx->k,
                 bfv_decrypt(&pt->c[i], &keys->sk[i], &ct->c[i]));
    return st;
}

veil_status bfv_crt_noise_budget(int *bits, const bfv_crt_keys_t *keys,
                                 const bfv_crt_ciphertext_t *ct)
{
    int b[BFV_CRT_MAX];
    veil_status st;

    if (bits == NULL || keys == NULL || ct == NULL || keys->ctx == NULL ||
        ct->ctx != keys->ctx)
        return VEIL_EINVAL;
    if (!(keys->have & BFV_CRT_SECRET))
        return VEIL_ENOKEY;
    BFV_CRT_EACH(st, keys->ctx->k,
                 bfv_noise_budget(&b[i], &keys->sk[i], &ct->c[i]));
    if (st != VEIL_OK)
        return st;
    *bits = b[0];
    for (size_t i = 1; i < keys->ctx->k; i++)
        if (b[i] < *bits)
            *bits = b[i];
    return VEIL_OK;
}
