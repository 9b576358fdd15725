/* bfv_fuzz_env.c - see bfv_fuzz_env.h. */
#include "bfv_fuzz_env.h"
#include <stdlib.h>
#include <string.h>

static fz_env_t env;
static int ready;

#define OK(call)                                                               \
    do {                                                                       \
        if ((call) != VEIL_OK)                                                 \
            abort();                                                           \
    } while (0)

static void build(void)
{
    const uint8_t seed[VEIL_SEED_BYTES] = {'f', 'u', 'z', 'z'};
    const unsigned q_bits[2] = {30, 30}, p_bits[1] = {31};
    const uint64_t t[2] = {257, 641}; /* primes = 1 mod 128 */
    const int64_t steps[2] = {1, -3};
    uint64_t slots[64];
    veil_rng_t rng;

    veil_rng_init_seed(&rng, seed);
    OK(bfv_params_from_bits(&env.params, 64, q_bits, 2, p_bits, 1, t[0],
                            BFV_SEC_128));
    env.params.allow_insecure = 1;
    OK(bfv_context_init(&env.ctx, &env.params));
    OK(bfv_secret_key_init(&env.sk, &env.ctx));
    OK(bfv_public_key_init(&env.pk, &env.ctx));
    OK(bfv_relin_key_init(&env.rk, &env.ctx));
    OK(bfv_galois_keys_init(&env.gk, &env.ctx));
    OK(bfv_keygen_secret(&env.sk, &rng));
    OK(bfv_keygen_public(&env.pk, &env.sk, &rng));
    OK(bfv_keygen_relin(&env.rk, &env.sk, &rng));
    OK(bfv_keygen_galois_steps(&env.gk, &env.sk, steps, 2, 1, &rng));
    OK(bfv_plaintext_init(&env.pt, &env.ctx));
    veil_rng_uniform_mod(&rng, slots, 64, t[0]);
    OK(bfv_encode_batch(&env.pt, slots, 64));
    OK(bfv_ciphertext_init(&env.ct_full, &env.ctx));
    OK(bfv_ciphertext_init(&env.ct_seeded, &env.ctx));
    OK(bfv_ciphertext_init(&env.ct_three, &env.ctx));
    OK(bfv_encrypt(&env.ct_full, &env.pk, &env.pt, &rng));
    OK(bfv_encrypt_symmetric(&env.ct_seeded, &env.sk, &env.pt, &rng));
    OK(bfv_square(&env.ct_three, &env.ct_full));
    OK(bfv_ms_ciphertext_init(&env.ms_rns, &env.ctx));
    OK(bfv_ms_ciphertext_init(&env.ms_pow2, &env.ctx));
    OK(bfv_mod_switch(&env.ms_rns, &env.ct_full, 1));
    OK(bfv_mod_switch(&env.ms_pow2, &env.ct_full, 1));
    {
        int b;
        unsigned b0, b1;
        OK(bfv_noise_budget(&b, &env.sk, &env.ct_full));
        OK(bfv_ms_compress_bits(&b0, &b1, &env.ctx, b, 1));
        OK(bfv_ms_compress(&env.ms_pow2, b0, b1));
    }

    OK(bfv_crt_params_init(&env.crt_params, &env.params, t, 2, NULL, 0));
    OK(bfv_crt_context_init(&env.crt, &env.crt_params));
    OK(bfv_crt_ciphertext_init(&env.crt_ct, &env.crt));
    {
        bfv_crt_keys_t keys;
        bfv_crt_plaintext_t cpt;
        int64_t v[64];
        for (int j = 0; j < 64; j++)
            v[j] = (int64_t)(veil_rng_u64(&rng) % 100000) - 50000;
        OK(bfv_crt_keys_init(&keys, &env.crt));
        OK(bfv_crt_keygen(&keys, BFV_CRT_PUBLIC, NULL, 0, 0, &rng));
        OK(bfv_crt_plaintext_init(&cpt, &env.crt));
        OK(bfv_crt_encode_i64(&cpt, v, 64));
        OK(bfv_crt_encrypt(&env.crt_ct, &keys, &cpt, &rng));
        bfv_crt_plaintext_clear(&cpt);
        bfv_crt_keys_clear(&keys);
    }
    /* last, so that the objects above keep their bytes */
    OK(bfv_ringsw_params(&env.sub_params, &env.params));
    OK(bfv_context_init(&env.sub, &env.sub_params));
    OK(bfv_secret_key_init(&env.ssk, &env.sub));
    OK(bfv_keygen_secret(&env.ssk, &rng));
    OK(bfv_ringsw_key_init(&env.rsw, &env.ctx, &env.sub));
    OK(bfv_keygen_ringsw(&env.rsw, &env.sk, &env.ssk, &rng));
    veil_rng_clear(&rng);
}

const fz_env_t *fz_env(void)
{
    if (!ready) {
        build();
        ready = 1;
    }
    return &env;
}

void fz_same_bytes(const uint8_t *in, size_t used, const uint8_t *out,
                   size_t len)
{
    if (len != used || memcmp(in, out, len) != 0)
        abort();
}

void fz_status(veil_status st)
{
    if (st != VEIL_OK && st != VEIL_EFORMAT)
        abort();
}
