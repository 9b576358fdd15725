/* crt_env.c - see crt_env.h. */
#include "crt_env.h"
#include <criterion/criterion.h>
#include <string.h>

void ce_init(ce_env_t *e, size_t n, size_t k, unsigned t_bits,
             const unsigned *q_bits, size_t n_q, unsigned what,
             const char *test)
{
    const int64_t steps[2] = {1, -3};
    bfv_params_t base;
    uint64_t t[BFV_CRT_MAX], avoid[BFV_MAX_Q + BFV_MAX_P];
    size_t got;
    fmpz_t bound;
    char why[256];

    memset(e, 0, sizeof(*e));
    bt_params_small(&base, n, q_bits, n_q, 50, 0);
    memcpy(avoid, base.q, n_q * sizeof(uint64_t));
    avoid[n_q] = base.p[0];
    /* k primes: a bound just below the product of the k largest */
    fmpz_init(bound);
    fmpz_one(bound);
    fmpz_mul_2exp(bound, bound, (ulong)((t_bits - 1) * k - 1));
    cr_assert_eq(bfv_crt_choose_primes(t, &got, BFV_CRT_MAX, bound, t_bits, n,
                                       avoid, n_q + 1),
                 VEIL_OK);
    fmpz_clear(bound);
    cr_assert_eq(got, k, "chose %zu primes, wanted %zu", got, k);
    cr_assert_eq(bfv_crt_params_init(&e->params, &base, t, k, why, sizeof(why)),
                 VEIL_OK, "%s", why);
    cr_assert_eq(bfv_crt_context_init(&e->ctx, &e->params), VEIL_OK);
    cr_assert_eq(bfv_crt_keys_init(&e->keys, &e->ctx), VEIL_OK);
    vt_rng(&e->rng, test);
    cr_assert_eq(bfv_crt_keygen(&e->keys,
                                what | BFV_CRT_SECRET | BFV_CRT_PUBLIC, steps,
                                2, 1, &e->rng),
                 VEIL_OK);
    e->n = n;
    e->k = k;
}

void ce_clear(ce_env_t *e)
{
    bfv_crt_keys_clear(&e->keys);
    bfv_crt_context_clear(&e->ctx);
    veil_rng_clear(&e->rng);
}

void ce_random_fmpz(fmpz *v, size_t count, unsigned bits, veil_rng_t *rng)
{
    fmpz_t range, r;
    fmpz_init(range);
    fmpz_init(r);
    /* uniform in [0, 2^(bits+1)] then shifted by -2^bits */
    for (size_t j = 0; j < count; j++) {
        fmpz_zero(r);
        for (unsigned b = 0; b <= bits + 1; b += 64) {
            fmpz_mul_2exp(r, r, 64);
            fmpz_add_ui(r, r, veil_rng_u64(rng));
        }
        fmpz_one(range);
        fmpz_mul_2exp(range, range, bits + 1);
        fmpz_add_ui(range, range, 1);
        fmpz_mod(r, r, range);
        fmpz_one(range);
        fmpz_mul_2exp(range, range, bits);
        fmpz_sub(v + j, r, range);
    }
    fmpz_clear(range);
    fmpz_clear(r);
}

void ce_encrypt(ce_env_t *e, bfv_crt_ciphertext_t *ct, const fmpz *values)
{
    bfv_crt_plaintext_t pt;
    cr_assert_eq(bfv_crt_plaintext_init(&pt, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_encode_fmpz(&pt, values, e->n), VEIL_OK);
    cr_assert_eq(bfv_crt_encrypt(ct, &e->keys, &pt, &e->rng), VEIL_OK);
    bfv_crt_plaintext_clear(&pt);
}

void ce_decrypt(ce_env_t *e, fmpz *values, const bfv_crt_ciphertext_t *ct)
{
    bfv_crt_plaintext_t pt;
    cr_assert_eq(bfv_crt_plaintext_init(&pt, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_decrypt(&pt, &e->keys, ct), VEIL_OK);
    cr_assert_eq(bfv_crt_decode_fmpz(values, &pt), VEIL_OK);
    bfv_crt_plaintext_clear(&pt);
}

void ce_assert_equal(const fmpz *got, const fmpz *want, size_t n,
                     const char *what)
{
    for (size_t j = 0; j < n; j++) {
        if (!fmpz_equal(got + j, want + j)) {
            char *g = fmpz_get_str(NULL, 10, got + j);
            char *w = fmpz_get_str(NULL, 10, want + j);
            cr_assert_fail("%s: slot %zu: got %s, want %s", what, j, g, w);
        }
    }
}
