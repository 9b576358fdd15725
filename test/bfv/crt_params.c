/* CRT parameter sets: prime choice for a bound, validation, context. */
#include "crt_env.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <string.h>

/* The product of t[0..k). */
static void product(fmpz_t T, const uint64_t *t, size_t k)
{
    fmpz_one(T);
    for (size_t i = 0; i < k; i++)
        fmpz_mul_ui(T, T, t[i]);
}

Test(crt_params, choose_primes_fewest)
{
    const unsigned bits_list[3] = {20, 40, 50};
    const unsigned bound_bits[4] = {0, 30, 150, 151};
    const uint64_t exclude[1] = {1125899906826241ULL};
    fmpz_t bound, T, twice;
    fmpz_init(bound);
    fmpz_init(T);
    fmpz_init(twice);
    for (size_t a = 0; a < 3; a++) {
        for (size_t b = 0; b < 4; b++) {
            uint64_t t[BFV_CRT_MAX];
            size_t k = 99;
            const unsigned bits = bits_list[a];
            fmpz_one(bound);
            fmpz_mul_2exp(bound, bound, bound_bits[b]);
            fmpz_sub_ui(bound, bound, 1); /* 2^b - 1, or 0 */
            /* at most 8 primes of 20 bits for 2 * bound < 2^152 */
            cr_assert_eq(bfv_crt_choose_primes(t, &k, BFV_CRT_MAX, bound, bits,
                                               1024, exclude, 1),
                         VEIL_OK, "bits %u bound 2^%u", bits, bound_bits[b]);
            cr_assert(k >= 1);
            for (size_t i = 0; i < k; i++) {
                cr_assert(n_is_prime(t[i]));
                cr_assert_eq(t[i] % 2048, 1);
                cr_assert_eq(64 - __builtin_clzll(t[i]), (int)bits);
                cr_assert_neq(t[i], exclude[0]);
                for (size_t j = 0; j < i; j++)
                    cr_assert_neq(t[i], t[j]);
            }
            /* T > 2 bound, and one prime fewer would not do */
            fmpz_mul_2exp(twice, bound, 1);
            product(T, t, k);
            cr_assert(fmpz_cmp(T, twice) > 0);
            product(T, t, k - 1);
            cr_assert(k == 1 || fmpz_cmp(T, twice) <= 0);
        }
    }
    fmpz_clear(bound);
    fmpz_clear(T);
    fmpz_clear(twice);
}

Test(crt_params, choose_primes_refusals)
{
    uint64_t t[BFV_CRT_MAX];
    size_t k = 7;
    fmpz_t bound;
    fmpz_init_set_ui(bound, 1);
    fmpz_mul_2exp(bound, bound, 400);
    /* 400 bits need 9 primes of 50 bits: more than allowed */
    cr_assert_eq(
        bfv_crt_choose_primes(t, &k, BFV_CRT_MAX, bound, 50, 1024, NULL, 0),
        VEIL_EPARAM);
    cr_assert_eq(k, 0);
    cr_assert_eq(bfv_crt_choose_primes(t, &k, 2, bound, 50, 1024, NULL, 0),
                 VEIL_EPARAM);
    fmpz_set_si(bound, -1);
    cr_assert_eq(bfv_crt_choose_primes(t, &k, 8, bound, 30, 1024, NULL, 0),
                 VEIL_EINVAL);
    fmpz_set_si(bound, 5);
    cr_assert_eq(bfv_crt_choose_primes(t, &k, 8, bound, 13, 1024, NULL, 0),
                 VEIL_EINVAL);
    cr_assert_eq(bfv_crt_choose_primes(t, &k, 8, bound, 51, 1024, NULL, 0),
                 VEIL_EINVAL);
    cr_assert_eq(bfv_crt_choose_primes(t, &k, 8, bound, 30, 1000, NULL, 0),
                 VEIL_EINVAL);
    cr_assert_eq(bfv_crt_choose_primes(NULL, &k, 8, bound, 30, 1024, NULL, 0),
                 VEIL_EINVAL);
    fmpz_clear(bound);
}

Test(crt_params, init_checks)
{
    const unsigned qb[2] = {45, 45};
    bfv_params_t base;
    bfv_crt_params_t p;
    uint64_t t[3];
    char why[200];

    bt_params_small(&base, 1024, qb, 2, 50, 0);
    cr_assert_eq(ntt_primes_generate(t, 3, 30, 1024, NULL, 0), VEIL_OK);
    cr_assert_eq(bfv_crt_params_init(&p, &base, t, 3, why, sizeof(why)),
                 VEIL_OK, "%s", why);
    cr_assert_eq(p.k, 3);
    cr_assert_eq(p.base.t, t[0]);
    for (size_t i = 0; i < 3; i++) {
        bfv_params_t c;
        bfv_crt_params_component(&c, &p, i);
        cr_assert_eq(c.t, t[i]);
        cr_assert_eq(c.n, 1024);
        cr_assert_eq(memcmp(c.q, base.q, sizeof(base.q)), 0);
    }
    /* duplicates, a composite, not 1 mod 2n, k out of range */
    uint64_t bad[3] = {t[0], t[1], t[0]};
    cr_assert_eq(bfv_crt_params_init(&p, &base, bad, 3, why, sizeof(why)),
                 VEIL_EPARAM);
    cr_assert(strstr(why, "distinct") != NULL);
    bad[2] = t[2] * 3;
    cr_assert_eq(bfv_crt_params_init(&p, &base, bad, 3, NULL, 0), VEIL_EPARAM);
    bad[2] = 65537; /* prime, = 1 mod 2048 (65536 = 32 * 2048): accepted */
    cr_assert_eq(bfv_crt_params_init(&p, &base, bad, 3, NULL, 0), VEIL_OK);
    bad[2] = 7681; /* prime, = 1 mod 512 but not mod 2048 */
    cr_assert_eq(bfv_crt_params_init(&p, &base, bad, 3, why, sizeof(why)),
                 VEIL_EPARAM);
    cr_assert_eq(bfv_crt_params_init(&p, &base, t, 0, NULL, 0), VEIL_EPARAM);
    cr_assert_eq(bfv_crt_params_init(&p, &base, t, BFV_CRT_MAX + 1, NULL, 0),
                 VEIL_EPARAM);
    /* a t_i equal to a ciphertext prime is refused by bfv_params_check */
    bad[2] = base.q[0];
    cr_assert_eq(bfv_crt_params_init(&p, &base, bad, 3, NULL, 0), VEIL_EPARAM);
    cr_assert_eq(bfv_crt_params_init(NULL, &base, t, 3, NULL, 0), VEIL_EINVAL);
}

Test(crt_params, context_modulus)
{
    const unsigned qb[2] = {45, 45};
    ce_env_t e;
    fmpz_t T, want;
    ce_init(&e, 1024, 3, 25, qb, 2, 0, "crt_params.context_modulus");
    fmpz_init(T);
    fmpz_init(want);
    bfv_crt_modulus(T, &e.ctx);
    product(want, e.params.t, 3);
    cr_assert(fmpz_equal(T, want));
    cr_assert_eq(e.ctx.k, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(e.ctx.comp[i].params.t, e.params.t[i]);
        cr_assert(e.ctx.comp[i].batching);
    }
    fmpz_clear(T);
    fmpz_clear(want);
    ce_clear(&e);
    /* clear twice is harmless */
    bfv_crt_context_clear(&e.ctx);
}
