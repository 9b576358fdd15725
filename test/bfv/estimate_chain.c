/* The static noise estimator against the exact noise budget
 * (bfv_noise_budget) along chains of operations at the n = 4096 and 8192
 * presets: the prediction is never above the measured budget and at most
 * 20 bits below it. */
#include "helpers.h"
#include "veil/bfv_estimate.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

/* A ciphertext, its slots (the plaintext oracle) and its estimate. */
typedef struct {
    bfv_ciphertext_t ct;
    uint64_t *slots;
    bfv_est_t est;
} tracked_t;

typedef struct {
    bt_env_t env;
    bfv_estimator_t model;
    size_t n;
    uint64_t t;
    int worst_gap; /* largest measured - predicted seen */
} chain_t;

static void chain_init_params(chain_t *c, const bfv_params_t *p,
                              const char *test)
{
    bt_env_init(&c->env, p, BT_RELIN | BT_GALOIS, test);
    cr_assert_eq(bfv_est_init(&c->model, &c->env.params), VEIL_OK);
    c->n = p->n;
    c->t = c->env.t;
    c->worst_gap = 0;
}

static void chain_init(chain_t *c, size_t n, const char *test)
{
    bt_env_preset(&c->env, n, BT_RELIN | BT_GALOIS, test);
    cr_assert_eq(bfv_est_init(&c->model, &c->env.params), VEIL_OK);
    c->n = n;
    c->t = c->env.t;
    c->worst_gap = 0;
}

static void tr_init(chain_t *c, tracked_t *x)
{
    cr_assert_eq(bfv_ciphertext_init(&x->ct, &c->env.ctx), VEIL_OK);
    x->slots = calloc(c->n, sizeof(uint64_t));
    cr_assert_not_null(x->slots);
}

static void tr_clear(tracked_t *x)
{
    bfv_ciphertext_clear(&x->ct);
    free(x->slots);
}

/* Compare prediction and measurement after step `what`; while the budget
 * is positive the decryption must match the oracle. */
static void check(chain_t *c, const tracked_t *x, const char *what)
{
    int measured = bt_budget(&c->env, &x->ct);
    int predicted = bfv_est_budget(&c->model, &x->est);
    fprintf(stderr, "[estimate] n=%zu %-28s measured %3d predicted %3d\n", c->n,
            what, measured, predicted);
    cr_assert(predicted <= measured, "%s: predicted %d above the measured %d",
              what, predicted, measured);
    cr_assert(measured - predicted <= 20,
              "%s: predicted %d more than 20 bits below the measured %d", what,
              predicted, measured);
    if (measured - predicted > c->worst_gap)
        c->worst_gap = measured - predicted;
    if (measured > 0) {
        uint64_t *got = calloc(c->n, sizeof(uint64_t));
        bt_decrypt(&c->env, got, &x->ct);
        bt_assert_slots(got, x->slots, c->n, what);
        free(got);
    }
}

static void fresh(chain_t *c, tracked_t *x, int symmetric)
{
    bfv_plaintext_t pt;
    bt_random_slots(&c->env.rng, x->slots, c->n, c->t);
    cr_assert_eq(bfv_plaintext_init(&pt, &c->env.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, x->slots, c->n), VEIL_OK);
    if (symmetric) {
        cr_assert_eq(
            bfv_encrypt_symmetric(&x->ct, &c->env.sk, &pt, &c->env.rng),
            VEIL_OK);
        bfv_est_encrypt_symmetric(&x->est, &c->model);
    } else {
        cr_assert_eq(bfv_encrypt(&x->ct, &c->env.pk, &pt, &c->env.rng),
                     VEIL_OK);
        bfv_est_encrypt(&x->est, &c->model);
    }
    bfv_plaintext_clear(&pt);
    check(c, x, symmetric ? "encrypt_symmetric" : "encrypt");
}

static void add(chain_t *c, tracked_t *x, const tracked_t *y)
{
    cr_assert_eq(bfv_add(&x->ct, &x->ct, &y->ct), VEIL_OK);
    bt_add(x->slots, x->slots, y->slots, c->n, c->t);
    bfv_est_add(&x->est, &c->model, &x->est, &y->est);
    check(c, x, "add");
}

/* x * m for random slots m (coefficients up to t/2). */
static void mul_plain(chain_t *c, tracked_t *x)
{
    bfv_plaintext_t pt;
    bfv_plaintext_ntt_t pn;
    uint64_t *m = calloc(c->n, sizeof(uint64_t));
    bt_random_slots(&c->env.rng, m, c->n, c->t);
    cr_assert_eq(bfv_plaintext_init(&pt, &c->env.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_ntt_init(&pn, &c->env.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, m, c->n), VEIL_OK);
    cr_assert_eq(bfv_plaintext_to_ntt(&pn, &pt), VEIL_OK);
    cr_assert_eq(bfv_mul_plain(&x->ct, &x->ct, &pn), VEIL_OK);
    bt_mul(x->slots, x->slots, m, c->n, c->t);
    bfv_est_mul_plain(&x->est, &c->model, &x->est, (double)c->t / 2.0);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_ntt_clear(&pn);
    free(m);
    check(c, x, "mul_plain (random slots)");
}

/* x * m for m = 1 + X + ... + X^(n-1): the structured worst case, with
 * the l1 bound. */
static void mul_plain_ones(chain_t *c, tracked_t *x)
{
    bfv_plaintext_t pt;
    bfv_plaintext_ntt_t pn;
    uint64_t *m = calloc(c->n, sizeof(uint64_t));
    cr_assert_eq(bfv_plaintext_init(&pt, &c->env.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_ntt_init(&pn, &c->env.ctx), VEIL_OK);
    for (size_t k = 0; k < c->n; k++)
        pt.coeffs[k] = 1;
    cr_assert_eq(bfv_plaintext_to_ntt(&pn, &pt), VEIL_OK);
    cr_assert_eq(bfv_mul_plain(&x->ct, &x->ct, &pn), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(m, &pt), VEIL_OK);
    bt_mul(x->slots, x->slots, m, c->n, c->t);
    bfv_est_mul_plain_l1(&x->est, &c->model, &x->est, (double)c->n);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_ntt_clear(&pn);
    free(m);
    check(c, x, "mul_plain (all-ones, l1)");
}

static void mul_scalar(chain_t *c, tracked_t *x, int64_t s)
{
    uint64_t *m = calloc(c->n, sizeof(uint64_t));
    uint64_t r =
        (uint64_t)(((s % (int64_t)c->t) + (int64_t)c->t) % (int64_t)c->t);
    int64_t centred = r > c->t / 2 ? (int64_t)r - (int64_t)c->t : (int64_t)r;
    cr_assert_eq(bfv_mul_scalar(&x->ct, &x->ct, s), VEIL_OK);
    for (size_t k = 0; k < c->n; k++)
        m[k] = r;
    bt_mul(x->slots, x->slots, m, c->n, c->t);
    bfv_est_mul_scalar(&x->est, &c->model, &x->est,
                       (double)(centred < 0 ? -centred : centred));
    free(m);
    check(c, x, "mul_scalar");
}

static void add_plain(chain_t *c, tracked_t *x)
{
    bfv_plaintext_t pt;
    uint64_t *m = calloc(c->n, sizeof(uint64_t));
    bt_random_slots(&c->env.rng, m, c->n, c->t);
    cr_assert_eq(bfv_plaintext_init(&pt, &c->env.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, m, c->n), VEIL_OK);
    cr_assert_eq(bfv_add_plain(&x->ct, &x->ct, &pt), VEIL_OK);
    bt_add(x->slots, x->slots, m, c->n, c->t);
    bfv_est_add_plain(&x->est, &c->model, &x->est);
    bfv_plaintext_clear(&pt);
    free(m);
    check(c, x, "add_plain");
}

static void mul_relin(chain_t *c, tracked_t *x, const tracked_t *y)
{
    cr_assert_eq(bfv_mul(&x->ct, &x->ct, &y->ct), VEIL_OK);
    bt_mul(x->slots, x->slots, y->slots, c->n, c->t);
    bfv_est_mul(&x->est, &c->model, &x->est, &y->est);
    check(c, x, "mul (size 3)");
    cr_assert_eq(bfv_relinearize(&x->ct, &x->ct, &c->env.rk), VEIL_OK);
    bfv_est_relinearize(&x->est, &c->model, &x->est);
    check(c, x, "relinearize");
}

static void square_relin(chain_t *c, tracked_t *x)
{
    cr_assert_eq(bfv_square(&x->ct, &x->ct), VEIL_OK);
    bt_mul(x->slots, x->slots, x->slots, c->n, c->t);
    cr_assert_eq(bfv_relinearize(&x->ct, &x->ct, &c->env.rk), VEIL_OK);
    bfv_est_square(&x->est, &c->model, &x->est);
    bfv_est_relinearize(&x->est, &c->model, &x->est);
    check(c, x, "square + relinearize");
}

/* rotate_rows(k); `switches` keys are used (power-of-two keys). */
static void rotate(chain_t *c, tracked_t *x, int64_t k, unsigned switches)
{
    uint64_t *o = calloc(c->n, sizeof(uint64_t));
    cr_assert_eq(bfv_rotate_rows(&x->ct, &x->ct, k, &c->env.gk), VEIL_OK);
    bt_rotate_rows(o, x->slots, k, c->n);
    memcpy(x->slots, o, c->n * sizeof(uint64_t));
    bfv_est_rotate(&x->est, &c->model, &x->est, switches);
    free(o);
    check(c, x, "rotate_rows");
}

static void rotate_columns(chain_t *c, tracked_t *x)
{
    uint64_t *o = calloc(c->n, sizeof(uint64_t));
    cr_assert_eq(bfv_rotate_columns(&x->ct, &x->ct, &c->env.gk), VEIL_OK);
    bt_swap_rows(o, x->slots, c->n);
    memcpy(x->slots, o, c->n * sizeof(uint64_t));
    bfv_est_rotate(&x->est, &c->model, &x->est, 1);
    free(o);
    check(c, x, "rotate_columns");
}

/* x = sum over all rotations by 2^i of x (LoLa's rotate-and-sum over a
 * row): each level adds a rotation of the running sum to itself. */
static void rotate_and_sum(chain_t *c, tracked_t *x, unsigned levels)
{
    tracked_t r;
    uint64_t *o = calloc(c->n, sizeof(uint64_t));
    tr_init(c, &r);
    for (unsigned l = 0; l < levels; l++) {
        int64_t k = (int64_t)1 << l;
        cr_assert_eq(bfv_rotate_rows(&r.ct, &x->ct, k, &c->env.gk), VEIL_OK);
        bt_rotate_rows(o, x->slots, k, c->n);
        bfv_est_rotate(&r.est, &c->model, &x->est, 1);
        cr_assert_eq(bfv_add(&x->ct, &x->ct, &r.ct), VEIL_OK);
        bt_add(x->slots, x->slots, o, c->n, c->t);
        bfv_est_add_independent(&x->est, &c->model, &x->est, &r.est);
        check(c, x, "rotate-and-sum level");
    }
    tr_clear(&r);
    free(o);
}

Test(estimate, fresh_and_linear_4096)
{
    chain_t c;
    tracked_t x, y;
    chain_init(&c, 4096, "estimate.fresh_and_linear_4096");
    tr_init(&c, &x);
    tr_init(&c, &y);
    fresh(&c, &y, 1);
    fresh(&c, &x, 0);
    add(&c, &x, &y);
    add(&c, &x, &x);
    mul_scalar(&c, &x, 1000);
    add_plain(&c, &x);
    rotate(&c, &x, 1, 1);
    rotate_columns(&c, &x);
    mul_plain(&c, &x);
    rotate(&c, &x, 7, 3); /* 7 = 8 - 1: two keys in NAF, at most 3 */
    mul_scalar(&c, &x, -32768);
    fprintf(stderr, "[estimate] n=4096 worst gap %d bits\n", c.worst_gap);
    tr_clear(&x);
    tr_clear(&y);
    bt_env_clear(&c.env);
}

Test(estimate, multiply_4096)
{
    chain_t c;
    tracked_t x, y;
    chain_init(&c, 4096, "estimate.multiply_4096");
    tr_init(&c, &x);
    tr_init(&c, &y);
    fresh(&c, &x, 0);
    fresh(&c, &y, 1);
    mul_relin(&c, &x, &y);
    rotate(&c, &x, -1, 1);
    add(&c, &x, &y);
    fprintf(stderr, "[estimate] n=4096 worst gap %d bits\n", c.worst_gap);
    tr_clear(&x);
    tr_clear(&y);
    bt_env_clear(&c.env);
}

Test(estimate, deep_chain_8192)
{
    chain_t c;
    tracked_t x, y;
    chain_init(&c, 8192, "estimate.deep_chain_8192");
    tr_init(&c, &x);
    tr_init(&c, &y);
    fresh(&c, &x, 0);
    fresh(&c, &y, 0);
    mul_plain(&c, &x);
    square_relin(&c, &x);
    rotate_and_sum(&c, &x, 4);
    mul_relin(&c, &x, &y);
    mul_plain(&c, &x);
    add_plain(&c, &x);
    square_relin(&c, &x);
    mul_scalar(&c, &x, 3);
    /* go on until the budget is gone: the prediction must reach 0 too */
    while (bt_budget(&c.env, &x.ct) > 0)
        mul_relin(&c, &x, &y);
    fprintf(stderr, "[estimate] n=8192 worst gap %d bits\n", c.worst_gap);
    tr_clear(&x);
    tr_clear(&y);
    bt_env_clear(&c.env);
}

Test(estimate, structured_plaintext_8192)
{
    chain_t c;
    tracked_t x;
    chain_init(&c, 8192, "estimate.structured_plaintext_8192");
    tr_init(&c, &x);
    fresh(&c, &x, 1);
    mul_plain_ones(&c, &x);
    mul_plain_ones(&c, &x);
    rotate(&c, &x, 3, 2);
    mul_plain_ones(&c, &x);
    fprintf(stderr, "[estimate] n=8192 worst gap %d bits\n", c.worst_gap);
    tr_clear(&x);
    bt_env_clear(&c.env);
}

/* Two special primes: key-switching digits of two primes, extended by the
 * fast base conversion (bfv_internal.h), and P converted back the same
 * way: the estimator's K >= 2 terms. */
Test(estimate, two_special_primes_4096)
{
    const unsigned qb[3] = {36, 36, 36}, pb[2] = {37, 37};
    bfv_params_t p;
    chain_t c;
    tracked_t x, y;
    cr_assert_eq(
        bfv_params_from_bits(&p, 4096, qb, 3, pb, 2, 65537, BFV_SEC_128),
        VEIL_OK);
    p.allow_insecure = 1; /* 182 bits at n = 4096 */
    chain_init_params(&c, &p, "estimate.two_special_primes_4096");
    tr_init(&c, &x);
    tr_init(&c, &y);
    fresh(&c, &x, 0);
    fresh(&c, &y, 0);
    rotate(&c, &x, 5, 2);
    mul_relin(&c, &x, &y);
    rotate_columns(&c, &x);
    mul_plain(&c, &x);
    mul_relin(&c, &x, &y);
    fprintf(stderr, "[estimate] n=4096 K=2 worst gap %d bits\n", c.worst_gap);
    tr_clear(&x);
    tr_clear(&y);
    bt_env_clear(&c.env);
}
