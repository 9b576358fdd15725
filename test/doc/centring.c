/*
 * A measurement for doc/04-bfv-multiplication.md, section 1: how much
 * budget does the centred lift of the inputs save in a product?  Two
 * ciphertexts of the n = 4096 preset are multiplied over the integers with
 * FLINT, once from centred representatives (as bfv_mul does) and once from
 * representatives in [0, Q); each tensor is scaled by t/Q, rounded, and
 * its exact budget computed with (1, s, s^2).  The centred product must be
 * the library's bit for bit.  The test prints the budgets
 * (test/doc/test_doc --verbose) and checks the chapter's claim: the
 * uncentred product loses at most a few bits, far less than the
 * log2(sqrt(n)) = 6 bits an A_a "of the order of n" would cost.
 */
#include "../common/seed.h"
#include "veil/bfv.h"
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <flint/fmpz.h>
#include <flint/fmpz_poly.h>
#include <math.h>

/* poly k of ct, composed to integers (centred or in [0, Q)) */
static void lift(fmpz_poly_t out, const bfv_ciphertext_t *ct, size_t k,
                 int centred)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    uint64_t *rows = malloc(L * n * sizeof(uint64_t)), res[64];
    fmpz_t c;
    fmpz_init(c);
    for (size_t i = 0; i < L; i++) {
        memcpy(rows + i * n, bfv_ct_row(ct, k, i), n * sizeof(uint64_t));
        ntt_inverse(&ctx->plans[i], rows + i * n);
    }
    fmpz_poly_zero(out);
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < L; i++)
            res[i] = rows[i * n + j];
        if (centred)
            rns_compose_centered_fmpz(&ctx->base_q, c, res);
        else
            rns_compose_fmpz(&ctx->base_q, c, res);
        fmpz_poly_set_coeff_fmpz(out, (slong)j, c);
    }
    fmpz_clear(c);
    free(rows);
}

/* out = a b mod X^n + 1 */
static void negamul(fmpz_poly_t out, const fmpz_poly_t a, const fmpz_poly_t b,
                    size_t n)
{
    fmpz_poly_t p;
    fmpz_t hi;
    fmpz_poly_init(p);
    fmpz_init(hi);
    fmpz_poly_mul(p, a, b);
    for (slong j = (slong)n; j < fmpz_poly_length(p); j++) {
        fmpz_poly_get_coeff_fmpz(hi, p, j);
        fmpz_sub(fmpz_poly_get_coeff_ptr(p, j - (slong)n),
                 fmpz_poly_get_coeff_ptr(p, j - (slong)n), hi);
    }
    fmpz_poly_truncate(p, (slong)n);
    fmpz_poly_set(out, p);
    fmpz_poly_clear(p);
    fmpz_clear(hi);
}

/* [round(t x / Q)]_Q centred, coefficient-wise */
static void scale(fmpz_poly_t out, const fmpz_poly_t x, const fmpz_t Q,
                  const fmpz_t halfQ, uint64_t t, size_t n)
{
    fmpz_t c;
    fmpz_init(c);
    fmpz_poly_zero(out);
    for (slong j = 0; j < (slong)n; j++) {
        fmpz_poly_get_coeff_fmpz(c, x, j);
        fmpz_mul_ui(c, c, t);
        fmpz_mul_2exp(c, c, 1);
        fmpz_add(c, c, Q);
        {
            fmpz_t d;
            fmpz_init(d);
            fmpz_mul_2exp(d, Q, 1);
            fmpz_fdiv_q(c, c, d); /* floor((2 t x + Q) / 2Q) */
            fmpz_clear(d);
        }
        fmpz_mod(c, c, Q);
        if (fmpz_cmp(c, halfQ) > 0)
            fmpz_sub(c, c, Q);
        fmpz_poly_set_coeff_fmpz(out, j, c);
    }
    fmpz_clear(c);
}

/* exact budget of (c0, c1, c2) under s: floor(log2(Q / (2 max|[t x]_Q|))) */
static int budget(const fmpz_poly_t *c, const fmpz_poly_t s, const fmpz_t Q,
                  const fmpz_t halfQ, uint64_t t, size_t n)
{
    fmpz_poly_t x, y, s2;
    fmpz_t v, vmax;
    int b = 0;
    fmpz_poly_init(x);
    fmpz_poly_init(y);
    fmpz_poly_init(s2);
    fmpz_init(v);
    fmpz_init(vmax);
    negamul(s2, s, s, n);
    negamul(x, c[1], s, n);
    negamul(y, c[2], s2, n);
    fmpz_poly_add(x, x, y);
    fmpz_poly_add(x, x, c[0]);
    for (slong j = 0; j < (slong)n; j++) {
        fmpz_poly_get_coeff_fmpz(v, x, j);
        fmpz_mul_ui(v, v, t);
        fmpz_mod(v, v, Q);
        if (fmpz_cmp(v, halfQ) > 0)
            fmpz_sub(v, Q, v);
        if (fmpz_cmp(v, vmax) > 0)
            fmpz_set(vmax, v);
    }
    fmpz_mul_2exp(vmax, vmax, 1); /* 2 max |v| 2^b <= Q */
    while (1) {
        fmpz_mul_2exp(v, vmax, (ulong)b + 1);
        if (fmpz_cmp(v, Q) > 0)
            break;
        b++;
    }
    fmpz_poly_clear(x);
    fmpz_poly_clear(y);
    fmpz_poly_clear(s2);
    fmpz_clear(v);
    fmpz_clear(vmax);
    return b;
}

Test(centring, uncentred_lift_costs_a_bit_not_sqrt_n, .timeout = 600)
{
    bfv_params_t prm;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_plaintext_t pt;
    bfv_ciphertext_t a, b, prod;
    veil_rng_t rng;
    const int trials = 4;
    double sum_c = 0, sum_u = 0;

    vt_rng(&rng, "centring");
    cr_assert_eq(bfv_params_preset(&prm, 4096), VEIL_OK);
    cr_assert_eq(bfv_context_init(&ctx, &prm), VEIL_OK);
    const size_t n = ctx.n;
    cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&pk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&a, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&b, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&prod, &ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&pk, &sk, &rng), VEIL_OK);

    fmpz_t Q, halfQ;
    fmpz_poly_t s, A[2], B[2], T[3], C[3], tmp;
    fmpz_init(Q);
    fmpz_init(halfQ);
    fmpz_set_mpz(Q, ctx.base_q.Q);
    fmpz_fdiv_q_2exp(halfQ, Q, 1);
    fmpz_poly_init(s);
    fmpz_poly_init(tmp);
    for (int i = 0; i < 3; i++) {
        fmpz_poly_init(T[i]);
        fmpz_poly_init(C[i]);
        if (i < 2) {
            fmpz_poly_init(A[i]);
            fmpz_poly_init(B[i]);
        }
    }
    for (size_t j = 0; j < n; j++)
        fmpz_poly_set_coeff_si(s, (slong)j, sk.coeffs[j]);

    for (int trial = 0; trial < trials; trial++) {
        for (size_t j = 0; j < n; j++)
            pt.coeffs[j] = veil_rng_u64(&rng) % prm.t;
        cr_assert_eq(bfv_encrypt(&a, &pk, &pt, &rng), VEIL_OK);
        for (size_t j = 0; j < n; j++)
            pt.coeffs[j] = veil_rng_u64(&rng) % prm.t;
        cr_assert_eq(bfv_encrypt(&b, &pk, &pt, &rng), VEIL_OK);
        cr_assert_eq(bfv_mul(&prod, &a, &b), VEIL_OK);
        int bud[2], lib;
        for (int centred = 1; centred >= 0; centred--) {
            for (int k = 0; k < 2; k++) {
                lift(A[k], &a, (size_t)k, centred);
                lift(B[k], &b, (size_t)k, centred);
            }
            negamul(T[0], A[0], B[0], n);
            negamul(T[1], A[0], B[1], n);
            negamul(tmp, A[1], B[0], n);
            fmpz_poly_add(T[1], T[1], tmp);
            negamul(T[2], A[1], B[1], n);
            for (int k = 0; k < 3; k++)
                scale(C[k], T[k], Q, halfQ, prm.t, n);
            bud[centred] =
                budget((const fmpz_poly_t *)C, s, Q, halfQ, prm.t, n);
            if (centred)
                for (int k = 0; k < 3; k++) {
                    lift(tmp, &prod, (size_t)k, 1);
                    cr_assert(fmpz_poly_equal(tmp, C[k]),
                              "bfv_mul differs from the centred product");
                }
        }
        cr_assert_eq(bfv_noise_budget(&lib, &sk, &prod), VEIL_OK);
        cr_assert_eq(lib, bud[1]);
        cr_log_info("n = %zu, trial %d: budget after the product %d bits "
                    "with centred inputs, %d bits with inputs in [0, Q)",
                    n, trial, bud[1], bud[0]);
        sum_c += bud[1];
        sum_u += bud[0];
    }
    cr_log_info("n = %zu: mean budget %.2f (centred) vs %.2f ([0, Q)) "
                "over %d products",
                n, sum_c / trials, sum_u / trials, trials);
    /* the claim that was in the chapter: one more factor sqrt(n) */
    cr_expect_lt(sum_c / trials - sum_u / trials, 0.5 * log2((double)n) - 1,
                 "centring saves more than the chapter says");
    cr_expect_geq(sum_c / trials - sum_u / trials, 0.0);

    fmpz_poly_clear(s);
    fmpz_poly_clear(tmp);
    for (int i = 0; i < 3; i++) {
        fmpz_poly_clear(T[i]);
        fmpz_poly_clear(C[i]);
        if (i < 2) {
            fmpz_poly_clear(A[i]);
            fmpz_poly_clear(B[i]);
        }
    }
    fmpz_clear(Q);
    fmpz_clear(halfQ);
    bfv_ciphertext_clear(&prod);
    bfv_ciphertext_clear(&b);
    bfv_ciphertext_clear(&a);
    bfv_plaintext_clear(&pt);
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
    veil_rng_clear(&rng);
}
