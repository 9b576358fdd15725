/* helpers.c - see helpers.h. */
#include "helpers.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bt_env_init(bt_env_t *e, const bfv_params_t *params, int keys,
                 const char *test)
{
    char why[256];
    memset(e, 0, sizeof(*e));
    e->params = *params;
    cr_assert_eq(bfv_params_check(params, why, sizeof(why)), VEIL_OK, "%s",
                 why);
    cr_assert_eq(bfv_context_init(&e->ctx, params), VEIL_OK);
    vt_rng(&e->rng, test);
    e->n = params->n;
    e->t = params->t;
    cr_assert_eq(bfv_secret_key_init(&e->sk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&e->pk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&e->sk, &e->rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&e->pk, &e->sk, &e->rng), VEIL_OK);
    if (keys & BT_RELIN) {
        cr_assert_eq(bfv_relin_key_init(&e->rk, &e->ctx), VEIL_OK);
        cr_assert_eq(bfv_keygen_relin(&e->rk, &e->sk, &e->rng), VEIL_OK);
        e->have_rk = 1;
    }
    if (keys & BT_GALOIS) {
        cr_assert_eq(bfv_galois_keys_init(&e->gk, &e->ctx), VEIL_OK);
        cr_assert_eq(bfv_keygen_galois_pow2(&e->gk, &e->sk, &e->rng), VEIL_OK);
        e->have_gk = 1;
    }
}

void bt_env_preset(bt_env_t *e, size_t n, int keys, const char *test)
{
    bfv_params_t p;
    cr_assert_eq(bfv_params_preset(&p, n), VEIL_OK);
    bt_env_init(e, &p, keys, test);
}

void bt_env_clear(bt_env_t *e)
{
    if (e->have_gk)
        bfv_galois_keys_clear(&e->gk);
    if (e->have_rk)
        bfv_relin_key_clear(&e->rk);
    bfv_public_key_clear(&e->pk);
    bfv_secret_key_clear(&e->sk);
    bfv_context_clear(&e->ctx);
    veil_rng_clear(&e->rng);
}

void bt_params_small(bfv_params_t *p, size_t n, const unsigned *q_bits,
                     size_t n_q, unsigned p_bits, uint64_t t)
{
    cr_assert_eq(
        bfv_params_from_bits(p, n, q_bits, n_q, &p_bits, 1, t, BFV_SEC_128),
        VEIL_OK);
    p->allow_insecure = 1;
}

void bt_random_slots(veil_rng_t *rng, uint64_t *v, size_t n, uint64_t t)
{
    veil_rng_uniform_mod(rng, v, n, t);
}

void bt_encrypt(bt_env_t *e, bfv_ciphertext_t *ct, const uint64_t *v)
{
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, v, e->n), VEIL_OK);
    cr_assert_eq(bfv_encrypt(ct, &e->pk, &pt, &e->rng), VEIL_OK);
    bfv_plaintext_clear(&pt);
}

void bt_one_limb(bt_env_t *e, bfv_ms_ciphertext_t *out, const uint64_t *v)
{
    bfv_ciphertext_t ct;
    cr_assert_eq(bfv_ciphertext_init(&ct, &e->ctx), VEIL_OK);
    bt_encrypt(e, &ct, v);
    cr_assert_eq(bfv_mod_switch(out, &ct, 1), VEIL_OK);
    bfv_ciphertext_clear(&ct);
}

void bt_decrypt(bt_env_t *e, uint64_t *v, const bfv_ciphertext_t *ct)
{
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_decrypt(&pt, &e->sk, ct), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(v, &pt), VEIL_OK);
    bfv_plaintext_clear(&pt);
}

int bt_budget(bt_env_t *e, const bfv_ciphertext_t *ct)
{
    int b = -1;
    cr_assert_eq(bfv_noise_budget(&b, &e->sk, ct), VEIL_OK);
    return b;
}

void bt_add(uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
            uint64_t t)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (a[i] + b[i]) % t;
}

void bt_sub(uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
            uint64_t t)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (a[i] + t - b[i]) % t;
}

void bt_mul(uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
            uint64_t t)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (uint64_t)((unsigned __int128)a[i] * b[i] % t);
}

void bt_rotate_rows(uint64_t *o, const uint64_t *a, int64_t k, size_t n)
{
    const int64_t h = (int64_t)n / 2;
    for (int64_t r = 0; r < 2; r++)
        for (int64_t j = 0; j < h; j++)
            o[r * h + (((j + k) % h) + h) % h] = a[r * h + j];
}

void bt_swap_rows(uint64_t *o, const uint64_t *a, size_t n)
{
    for (size_t j = 0; j < n / 2; j++) {
        o[j] = a[n / 2 + j];
        o[n / 2 + j] = a[j];
    }
}

void bt_assert_slots(const uint64_t *got, const uint64_t *want, size_t n,
                     const char *what)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "%s: slot %zu: got %llu, want %llu", what,
                     i, (unsigned long long)got[i],
                     (unsigned long long)want[i]);
}
