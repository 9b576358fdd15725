/* Sums of rotations with a lazy mod-down (bfv_rotsum_*, doc/06 "Sums of
 * rotations") against the slot oracles and against the same sequence of
 * bfv_apply_galois and bfv_add: fold chains (rotate-and-add reductions,
 * with the row swap), sums of rotations of different ciphertexts, Horner's
 * rule, one and two special primes, and bad inputs.  The noise bound says
 * the lazy result is never noisier than the eager one (less a rounding):
 * its measured budget is checked against the eager budget. */
#include "helpers.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* the slot oracle of X -> X^elt for a row step k (or the swap: k = 0,
 * swap = 1) */
static void oracle(uint64_t *o, const uint64_t *a, int64_t k, int swap,
                   size_t n)
{
    if (swap)
        bt_swap_rows(o, a, n);
    else
        bt_rotate_rows(o, a, k, n);
}

static uint64_t elt_of(const bfv_context_t *ctx, int64_t k, int swap)
{
    return swap ? bfv_galois_elt_columns(ctx)
                : bfv_galois_elt_from_step(ctx, k);
}

/* fold chain v <- v + rot(v) over the given steps, lazy and eager */
static void fold_chain(bt_env_t *e, const int64_t *steps, const int *swaps,
                       size_t count)
{
    const size_t n = e->n;
    bfv_ciphertext_t a, eager, tmp, lazy, again;
    bfv_rotsum_t r;
    uint64_t *v = malloc(n * 8), *want = malloc(n * 8), *t = malloc(n * 8),
             *got = malloc(n * 8);
    cr_assert_eq(bfv_ciphertext_init(&a, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&eager, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&tmp, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&lazy, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&again, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_rotsum_init(&r, &e->ctx), VEIL_OK);
    bt_random_slots(&e->rng, v, n, e->t);
    bt_encrypt(e, &a, v);
    memcpy(want, v, n * 8);
    cr_assert_eq(bfv_ciphertext_copy(&eager, &a), VEIL_OK);
    cr_assert_eq(bfv_rotsum_add(&r, &a), VEIL_OK);
    for (size_t i = 0; i < count; i++) {
        const uint64_t g = elt_of(&e->ctx, steps[i], swaps[i]);
        oracle(t, want, steps[i], swaps[i], n);
        bt_add(want, want, t, n, e->t);
        cr_assert_eq(bfv_apply_galois(&tmp, &eager, g, &e->gk), VEIL_OK);
        cr_assert_eq(bfv_add(&eager, &eager, &tmp), VEIL_OK);
        cr_assert_eq(bfv_rotsum_fold(&r, g, &e->gk), VEIL_OK);
    }
    cr_assert_eq(bfv_rotsum_finish(&lazy, &r), VEIL_OK);
    bt_decrypt(e, got, &lazy);
    bt_assert_slots(got, want, n, "lazy fold chain");
    bt_decrypt(e, got, &eager);
    bt_assert_slots(got, want, n, "eager fold chain");
    const int bl = bt_budget(e, &lazy), be = bt_budget(e, &eager);
    cr_assert_gt(bl, 0);
    cr_assert_geq(bl, be - 1, "lazy budget %d, eager %d", bl, be);
    /* finishing does not consume the sum: the same bits again */
    cr_assert_eq(bfv_rotsum_finish(&again, &r), VEIL_OK);
    cr_assert_eq(
        memcmp(again.data, lazy.data, 2 * e->ctx.n_q * n * sizeof(uint64_t)),
        0);
    bfv_rotsum_clear(&r);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&eager);
    bfv_ciphertext_clear(&tmp);
    bfv_ciphertext_clear(&lazy);
    bfv_ciphertext_clear(&again);
    free(v);
    free(want);
    free(t);
    free(got);
}

/* sum_i rot_{k_i}(x_i) of three ciphertexts, then Horner: r = rot(r) + x */
static void sums_and_horner(bt_env_t *e)
{
    const size_t n = e->n;
    const int64_t ks[3] = {0, 4, -16};
    bfv_ciphertext_t x[3], out;
    bfv_rotsum_t r;
    uint64_t *v[3], *want = malloc(n * 8), *t = malloc(n * 8),
                    *got = malloc(n * 8);
    cr_assert_eq(bfv_rotsum_init(&r, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&out, &e->ctx), VEIL_OK);
    memset(want, 0, n * 8);
    for (int i = 0; i < 3; i++) {
        v[i] = malloc(n * 8);
        bt_random_slots(&e->rng, v[i], n, e->t);
        cr_assert_eq(bfv_ciphertext_init(&x[i], &e->ctx), VEIL_OK);
        bt_encrypt(e, &x[i], v[i]);
        oracle(t, v[i], ks[i], 0, n);
        bt_add(want, want, t, n, e->t);
        cr_assert_eq(
            bfv_rotsum_add_galois(&r, &x[i], elt_of(&e->ctx, ks[i], 0), &e->gk),
            VEIL_OK);
    }
    cr_assert_eq(bfv_rotsum_finish(&out, &r), VEIL_OK);
    bt_decrypt(e, got, &out);
    bt_assert_slots(got, want, n, "sum of rotations");
    cr_assert_gt(bt_budget(e, &out), 0);
    /* Horner: r = rot_8(rot_8(x0) + x1) + x2 */
    bfv_rotsum_zero(&r);
    memset(want, 0, n * 8);
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            cr_assert_eq(
                bfv_rotsum_apply_galois(&r, elt_of(&e->ctx, 8, 0), &e->gk),
                VEIL_OK);
            oracle(t, want, 8, 0, n);
            memcpy(want, t, n * 8);
        }
        cr_assert_eq(bfv_rotsum_add(&r, &x[i]), VEIL_OK);
        bt_add(want, want, v[i], n, e->t);
    }
    /* the row swap on the whole */
    cr_assert_eq(
        bfv_rotsum_apply_galois(&r, bfv_galois_elt_columns(&e->ctx), &e->gk),
        VEIL_OK);
    bt_swap_rows(t, want, n);
    cr_assert_eq(bfv_rotsum_finish(&out, &r), VEIL_OK);
    bt_decrypt(e, got, &out);
    bt_assert_slots(got, t, n, "Horner");
    cr_assert_gt(bt_budget(e, &out), 0);
    for (int i = 0; i < 3; i++) {
        bfv_ciphertext_clear(&x[i]);
        free(v[i]);
    }
    bfv_ciphertext_clear(&out);
    bfv_rotsum_clear(&r);
    free(want);
    free(t);
    free(got);
}

static void run_all(bt_env_t *e)
{
    const int64_t steps[] = {128, 256, 512, 0, 1, 2, 4};
    const int swaps[] = {0, 0, 0, 1, 0, 0, 0};
    fold_chain(e, steps, swaps, 7);
    sums_and_horner(e);
}

Test(rotsum, preset_8192)
{
    bt_env_t e;
    bt_env_preset(&e, 8192, BT_GALOIS, "rotsum.preset_8192");
    run_all(&e);
    bt_env_clear(&e);
}

/* two special primes: the mod-down goes through the fast base conversion */
Test(rotsum, two_special_primes)
{
    bt_env_t e;
    bfv_params_t p;
    const unsigned qb[4] = {45, 45, 45, 45}, pb[2] = {46, 46};
    cr_assert_eq(
        bfv_params_from_bits(&p, 2048, qb, 4, pb, 2, 65537, BFV_SEC_128),
        VEIL_OK);
    p.allow_insecure = 1;
    bt_env_init(&e, &p, BT_GALOIS, "rotsum.two_special_primes");
    cr_assert_eq(e.ctx.n_p, 2);
    run_all(&e);
    bt_env_clear(&e);
}

Test(rotsum, bad_inputs)
{
    bt_env_t e, f;
    bfv_rotsum_t r;
    bfv_ciphertext_t a, b, c;
    uint64_t *v;
    bt_env_preset(&e, 4096, BT_GALOIS, "rotsum.bad_inputs");
    bt_env_preset(&f, 4096, 0, "rotsum.bad_inputs_other");
    v = malloc(e.n * 8);
    bt_random_slots(&e.rng, v, e.n, e.t);
    cr_assert_eq(bfv_rotsum_init(&r, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&b, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&c, &f.ctx), VEIL_OK);
    bt_encrypt(&e, &a, v);
    bt_encrypt(&f, &c, v);
    cr_assert_eq(bfv_rotsum_init(NULL, &e.ctx), VEIL_EINVAL);
    cr_assert_eq(bfv_rotsum_add(&r, &c), VEIL_EINVAL); /* other context */
    cr_assert_eq(bfv_square(&b, &a), VEIL_OK);         /* size 3 */
    cr_assert_eq(bfv_rotsum_add(&r, &b), VEIL_EINVAL);
    cr_assert_eq(bfv_rotsum_add_galois(&r, &b, 3, &e.gk), VEIL_EINVAL);
    cr_assert_eq(bfv_rotsum_fold(&r, 4, &e.gk), VEIL_EINVAL); /* even */
    cr_assert_eq(bfv_rotsum_fold(&r, 2 * e.n + 1, &e.gk), VEIL_EINVAL);
    /* 3^3 = 27: step -3 has no key among the powers of two */
    cr_assert_eq(bfv_rotsum_add_galois(&r, &a, 27, &e.gk), VEIL_ENOKEY);
    cr_assert_eq(bfv_rotsum_finish(&c, &r), VEIL_EINVAL);
    bfv_rotsum_clear(&r);
    bfv_rotsum_clear(&r); /* twice is fine */
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&b);
    bfv_ciphertext_clear(&c);
    free(v);
    bt_env_clear(&e);
    bt_env_clear(&f);
}
