/* Ciphertext multiplication, squaring and relinearization against the
 * slot-wise product over Z_t; size-3 arithmetic; the depth test. */
#include "helpers.h"
#include <criterion/criterion.h>
#include <stdlib.h>

static void check(bt_env_t *e, const bfv_ciphertext_t *ct, const uint64_t *want,
                  const char *what)
{
    uint64_t *got = malloc(e->n * sizeof(uint64_t));
    bt_decrypt(e, got, ct);
    bt_assert_slots(got, want, e->n, what);
    cr_assert_gt(bt_budget(e, ct), 0, "%s", what);
    free(got);
}

static void mul_ops(size_t n, int relin)
{
    bt_env_t e;
    bfv_ciphertext_t a, b, c, d;
    char name[64];
    snprintf(name, sizeof(name), "mul.ops_%zu", n);
    bt_env_preset(&e, n, relin ? BT_RELIN : 0, name);
    const uint64_t t = e.t;
    uint64_t *va = malloc(4 * n * sizeof(uint64_t)), *vb = va + n;
    uint64_t *want = vb + n, *tmp = want + n;
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&b, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&c, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&d, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, va, n, t);
    bt_random_slots(&e.rng, vb, n, t);
    bt_encrypt(&e, &a, va);
    bt_encrypt(&e, &b, vb);

    bt_mul(want, va, vb, n, t);
    cr_assert_eq(bfv_mul(&c, &a, &b), VEIL_OK);
    cr_assert_eq(c.size, 3);
    check(&e, &c, want, "mul (size 3)");
    /* size-3 + size-2 and mul_scalar on size 3 */
    bt_add(tmp, want, va, n, t);
    cr_assert_eq(bfv_add(&d, &c, &a), VEIL_OK);
    cr_assert_eq(d.size, 3);
    check(&e, &d, tmp, "size 3 + size 2");
    bt_mul(want, va, va, n, t);
    cr_assert_eq(bfv_square(&c, &a), VEIL_OK);
    check(&e, &c, want, "square");
    cr_assert_eq(bfv_mul(&d, &a, &a),
                 VEIL_OK); /* a * a takes the square path */
    check(&e, &d, want, "mul a a");
    if (relin) {
        int before = bt_budget(&e, &c);
        cr_assert_eq(bfv_relinearize(&d, &c, &e.rk), VEIL_OK);
        cr_assert_eq(d.size, 2);
        check(&e, &d, want, "relinearize");
        cr_assert_geq(bt_budget(&e, &d), before - 2);
        bt_mul(want, va, vb, n, t);
        cr_assert_eq(bfv_mul_relin(&c, &a, &b, &e.rk), VEIL_OK);
        check(&e, &c, want, "mul_relin");
        /* in place, aliasing both inputs (depth 1: n = 4096 has no room
         * for two levels) */
        cr_assert_eq(bfv_ciphertext_copy(&c, &b), VEIL_OK);
        bt_mul(want, vb, vb, n, t);
        cr_assert_eq(bfv_square_inplace(&c), VEIL_OK);
        cr_assert_eq(bfv_relinearize_inplace(&c, &e.rk), VEIL_OK);
        check(&e, &c, want, "square in place");
        cr_assert_eq(bfv_relinearize(&c, &a, &e.rk),
                     VEIL_OK); /* size 2: copy */
        check(&e, &c, va, "relinearize size 2");
    }
    free(va);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&b);
    bfv_ciphertext_clear(&c);
    bfv_ciphertext_clear(&d);
    bt_env_clear(&e);
}

Test(mul, ops_4096)
{
    mul_ops(4096, 1);
}
Test(mul, ops_8192)
{
    mul_ops(8192, 1);
}
Test(mul, ops_16384)
{
    mul_ops(16384, 1);
}
/* n = 32768: no relinearization key (160 MB); size-3 results decrypt */
Test(mul, ops_32768)
{
    mul_ops(32768, 0);
}

/* Multiply until the budget is gone: decryption is right at every level
 * with a positive budget, and the budget is 0 once it goes wrong. */
Test(mul, depth_until_the_budget_is_gone)
{
    bt_env_t e;
    bfv_ciphertext_t acc, f;
    bt_env_preset(&e, 8192, BT_RELIN, "mul.depth");
    const size_t n = e.n;
    const uint64_t t = e.t;
    uint64_t *va = malloc(3 * n * sizeof(uint64_t)), *vf = va + n;
    uint64_t *got = vf + n;
    int failed = 0, level;
    cr_assert_eq(bfv_ciphertext_init(&acc, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&f, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, va, n, t);
    bt_encrypt(&e, &acc, va);
    for (level = 1; level <= 12 && !failed; level++) {
        bt_random_slots(&e.rng, vf, n, t);
        bt_encrypt(&e, &f, vf);
        cr_assert_eq(bfv_mul_relin(&acc, &acc, &f, &e.rk), VEIL_OK);
        bt_mul(va, va, vf, n, t);
        int budget = bt_budget(&e, &acc);
        bt_decrypt(&e, got, &acc);
        int right = 1;
        for (size_t i = 0; i < n; i++)
            right &= got[i] == va[i];
        cr_log_info("level %d: budget %d bits, %s", level, budget,
                    right ? "correct" : "wrong");
        if (budget > 0)
            cr_assert(right, "level %d: wrong with budget %d", level, budget);
        if (!right) {
            cr_assert_eq(budget, 0);
            failed = 1;
        }
    }
    cr_assert(failed, "the budget never ran out");
    cr_assert_geq(level, 4, "fewer than 3 levels at n = 8192");
    free(va);
    bfv_ciphertext_clear(&acc);
    bfv_ciphertext_clear(&f);
    bt_env_clear(&e);
}
