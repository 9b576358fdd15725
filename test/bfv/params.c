/* Parameters: the security table, presets, prime generation, the structural
 * checks and the refusal of insecure sets. */
#include "veil/bfv.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <gmp.h>
#include <string.h>

/* The HomomorphicEncryption.org table (ternary secret, sigma 3.2), typed in
 * again from the standard as the oracle. */
static const struct {
    size_t n;
    unsigned b[3];
} table[] = {
    {1024, {27, 19, 14}},    {2048, {54, 37, 29}},     {4096, {109, 75, 58}},
    {8192, {218, 152, 118}}, {16384, {438, 305, 237}}, {32768, {881, 611, 476}},
};
static const bfv_security_t levels[3] = {BFV_SEC_128, BFV_SEC_192, BFV_SEC_256};

Test(params, security_table)
{
    for (size_t r = 0; r < sizeof(table) / sizeof(table[0]); r++)
        for (int l = 0; l < 3; l++)
            cr_assert_eq(bfv_security_max_bits(table[r].n, levels[l]),
                         table[r].b[l], "n=%zu level=%d", table[r].n,
                         (int)levels[l]);
    cr_assert_eq(bfv_security_max_bits(512, BFV_SEC_128), 0);
    cr_assert_eq(bfv_security_max_bits(3000, BFV_SEC_128), 0);
    cr_assert_eq(bfv_security_max_bits(65536, BFV_SEC_128), 881);
    cr_assert_eq(bfv_security_max_bits(8192, (bfv_security_t)100), 0);
}

/* Independent check of a parameter set's primes with FLINT and GMP; returns
 * the exact bit length of QP. */
static unsigned check_primes(const bfv_params_t *p)
{
    mpz_t qp;
    mpz_init_set_ui(qp, 1);
    for (size_t i = 0; i < p->n_q + p->n_p; i++) {
        uint64_t v = i < p->n_q ? p->q[i] : p->p[i - p->n_q];
        cr_assert(n_is_prime(v), "%llu", (unsigned long long)v);
        cr_assert_eq(v % (2 * p->n), 1);
        cr_assert_lt(v, (uint64_t)1 << NTT_MAX_PRIME_BITS);
        for (size_t j = 0; j < i; j++) {
            uint64_t w = j < p->n_q ? p->q[j] : p->p[j - p->n_q];
            cr_assert_neq(v, w);
        }
        mpz_mul_ui(qp, qp, v);
    }
    unsigned bits = (unsigned)mpz_sizeinbase(qp, 2);
    mpz_clear(qp);
    return bits;
}

Test(params, presets_are_128_bit_and_use_the_whole_budget)
{
    const size_t ns[4] = {4096, 8192, 16384, 32768};
    const unsigned bound[4] = {109, 218, 438, 881};
    for (int k = 0; k < 4; k++) {
        bfv_params_t p;
        char why[256];
        cr_assert_eq(bfv_params_preset(&p, ns[k]), VEIL_OK);
        cr_assert_eq(p.n, ns[k]);
        cr_assert_eq(p.t, 65537);
        cr_assert_eq(p.n_p, 1);
        cr_assert_eq(p.security, BFV_SEC_128);
        cr_assert_eq(p.allow_insecure, 0);
        unsigned bits = check_primes(&p);
        cr_assert_eq(bits, bfv_params_log_qp(&p));
        cr_assert_leq(bits, bound[k]);
        /* each prime is within one bit of its target size */
        cr_assert_geq(bits + p.n_q + p.n_p, bound[k]);
        cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_OK, "%s",
                     why);
        /* the special prime is at least every ciphertext prime */
        for (size_t i = 0; i < p.n_q; i++)
            cr_assert_gt(p.p[0], p.q[i]);
    }
    bfv_params_t p;
    cr_assert_eq(bfv_params_preset(&p, 2048), VEIL_EINVAL);
}

Test(params, from_budget_spreads_bits)
{
    bfv_params_t p;
    cr_assert_eq(bfv_params_from_budget(&p, 8192, 152, 65537, BFV_SEC_192),
                 VEIL_OK);
    /* 152 bits over 4 primes of 38 bits */
    cr_assert_eq(p.n_q + p.n_p, 4);
    for (size_t i = 0; i < p.n_q; i++)
        cr_assert_eq(64 - __builtin_clzll(p.q[i]), 38);
    cr_assert_eq(bfv_params_check(&p, NULL, 0), VEIL_OK);
    cr_assert_leq(check_primes(&p), 152);
}

Test(params, from_bits_generates_requested_sizes)
{
    const unsigned qb[3] = {30, 40, 40}, pb[2] = {41, 41};
    bfv_params_t p;
    cr_assert_eq(
        bfv_params_from_bits(&p, 4096, qb, 3, pb, 2, 65537, BFV_SEC_128),
        VEIL_OK);
    cr_assert_eq(64 - __builtin_clzll(p.q[0]), 30);
    cr_assert_eq(64 - __builtin_clzll(p.q[2]), 40);
    cr_assert_eq(64 - __builtin_clzll(p.p[1]), 41);
    check_primes(&p);
    /* 192 bits > 109: refused at 128-bit security */
    cr_assert_eq(bfv_params_check(&p, NULL, 0), VEIL_EPARAM);
    const unsigned bad[1] = {51};
    cr_assert_eq(
        bfv_params_from_bits(&p, 4096, bad, 1, pb, 1, 65537, BFV_SEC_128),
        VEIL_EINVAL);
    cr_assert_eq(
        bfv_params_from_bits(&p, 4096, qb, 0, pb, 1, 65537, BFV_SEC_128),
        VEIL_EINVAL);
    cr_assert_eq(
        bfv_params_from_bits(&p, 3000, qb, 1, pb, 1, 65537, BFV_SEC_128),
        VEIL_EINVAL);
}

Test(params, insecure_sets_are_refused_with_a_reason)
{
    bfv_params_t p;
    char why[256];
    /* 300 bits at n = 8192 exceeds 218 */
    cr_assert_eq(bfv_params_from_budget(&p, 8192, 300, 65537, BFV_SEC_128),
                 VEIL_OK);
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "exceeds 218") != NULL, "%s", why);
    p.allow_insecure = 1;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_OK, "%s", why);

    /* the 128-bit preset of 8192 is not 192-bit secure */
    cr_assert_eq(bfv_params_preset(&p, 8192), VEIL_OK);
    p.security = BFV_SEC_192;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "152") != NULL, "%s", why);

    /* below the table: insecure at any modulus */
    cr_assert_eq(bfv_params_from_budget(&p, 512, 40, 257, BFV_SEC_128),
                 VEIL_OK);
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "below the security table") != NULL, "%s", why);
    p.allow_insecure = 1;
    cr_assert_eq(bfv_params_check(&p, NULL, 0), VEIL_OK);
}

Test(params, structural_errors)
{
    bfv_params_t good, p;
    char why[256];
    cr_assert_eq(bfv_params_preset(&good, 4096), VEIL_OK);

    p = good;
    p.n = 4095;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    p = good;
    p.q[0] += 2 * p.n; /* still 1 mod 2n, but composite or another prime */
    while (n_is_prime(p.q[0]))
        p.q[0] += 2 * p.n;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "not prime") != NULL, "%s", why);
    p = good;
    p.q[0] = 65539; /* prime but 3 mod 8192 */
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "not 1 mod") != NULL, "%s", why);
    p = good;
    p.q[1] = p.q[0];
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "twice") != NULL, "%s", why);
    p = good;
    p.t = 1;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    p = good;
    p.t = (uint64_t)1 << 50;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    p = good;
    p.t = p.q[1];
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "coprime") != NULL, "%s", why);
    p = good; /* the special prime below a ciphertext prime */
    p.p[0] = p.q[0];
    p.q[0] = good.p[0];
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert(strstr(why, "special") != NULL, "%s", why);
    p = good;
    p.n_q = 0;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    p = good;
    p.n_p = BFV_MAX_P + 1;
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_EPARAM);
    cr_assert_eq(bfv_params_check(NULL, why, sizeof(why)), VEIL_EINVAL);
    /* a zero-length reason buffer is fine */
    cr_assert_eq(bfv_params_check(&good, why, 0), VEIL_OK);
}
