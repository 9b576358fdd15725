/* The linear evaluator against slot-wise arithmetic over Z_t on random slot
 * vectors: add, sub, negate, add_plain, sub_plain, mul_plain, mul_scalar,
 * and their in-place forms (outputs aliasing inputs). */
#include "helpers.h"
#include <criterion/criterion.h>
#include <stdlib.h>

typedef struct {
    bt_env_t e;
    bfv_ciphertext_t a, b, c;
    bfv_plaintext_t pt;
    bfv_plaintext_ntt_t ptn;
    uint64_t *va, *vb, *vp, *want, *got;
} fix_t;

static void fix_init(fix_t *f, size_t n, const char *name)
{
    bt_env_preset(&f->e, n, 0, name);
    cr_assert_eq(bfv_ciphertext_init(&f->a, &f->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&f->b, &f->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&f->c, &f->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&f->pt, &f->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_ntt_init(&f->ptn, &f->e.ctx), VEIL_OK);
    f->va = malloc(5 * n * sizeof(uint64_t));
    f->vb = f->va + n;
    f->vp = f->vb + n;
    f->want = f->vp + n;
    f->got = f->want + n;
    bt_random_slots(&f->e.rng, f->va, n, f->e.t);
    bt_random_slots(&f->e.rng, f->vb, n, f->e.t);
    bt_random_slots(&f->e.rng, f->vp, n, f->e.t);
    bt_encrypt(&f->e, &f->a, f->va);
    bt_encrypt(&f->e, &f->b, f->vb);
    cr_assert_eq(bfv_encode_batch(&f->pt, f->vp, n), VEIL_OK);
    cr_assert_eq(bfv_plaintext_to_ntt(&f->ptn, &f->pt), VEIL_OK);
}

static void fix_clear(fix_t *f)
{
    free(f->va);
    bfv_plaintext_ntt_clear(&f->ptn);
    bfv_plaintext_clear(&f->pt);
    bfv_ciphertext_clear(&f->a);
    bfv_ciphertext_clear(&f->b);
    bfv_ciphertext_clear(&f->c);
    bt_env_clear(&f->e);
}

static void check(fix_t *f, const bfv_ciphertext_t *ct, const char *what)
{
    bt_decrypt(&f->e, f->got, ct);
    bt_assert_slots(f->got, f->want, f->e.n, what);
    cr_assert_gt(bt_budget(&f->e, ct), 0, "%s", what);
}

/* every linear operation at ring degree n */
static void all_ops(size_t n)
{
    fix_t f;
    char name[64];
    snprintf(name, sizeof(name), "arith.all_ops_%zu", n);
    fix_init(&f, n, name);
    const uint64_t t = f.e.t;

    bt_add(f.want, f.va, f.vb, n, t);
    cr_assert_eq(bfv_add(&f.c, &f.a, &f.b), VEIL_OK);
    check(&f, &f.c, "add");
    bt_sub(f.want, f.va, f.vb, n, t);
    cr_assert_eq(bfv_sub(&f.c, &f.a, &f.b), VEIL_OK);
    check(&f, &f.c, "sub");
    for (size_t i = 0; i < n; i++)
        f.want[i] = (t - f.va[i]) % t;
    cr_assert_eq(bfv_negate(&f.c, &f.a), VEIL_OK);
    check(&f, &f.c, "negate");
    bt_add(f.want, f.va, f.vp, n, t);
    cr_assert_eq(bfv_add_plain(&f.c, &f.a, &f.pt), VEIL_OK);
    check(&f, &f.c, "add_plain");
    bt_sub(f.want, f.va, f.vp, n, t);
    cr_assert_eq(bfv_sub_plain(&f.c, &f.a, &f.pt), VEIL_OK);
    check(&f, &f.c, "sub_plain");
    {
        /* the same plaintext encoded in a context of other primes (same n
         * and t: a level's, lola/exec.c): the plaintext is mod t only */
        bfv_params_t lp = f.e.params;
        bfv_context_t lc;
        bfv_plaintext_t lpt;
        lp.n_q = 1;
        cr_assert_eq(bfv_context_init(&lc, &lp), VEIL_OK);
        cr_assert_eq(bfv_plaintext_init(&lpt, &lc), VEIL_OK);
        cr_assert_eq(bfv_encode_batch(&lpt, f.vp, n), VEIL_OK);
        bt_add(f.want, f.va, f.vp, n, t);
        cr_assert_eq(bfv_add_plain(&f.c, &f.a, &lpt), VEIL_OK);
        check(&f, &f.c, "add_plain, plaintext of another modulus");
        bfv_plaintext_clear(&lpt);
        bfv_context_clear(&lc);
    }
    bt_mul(f.want, f.va, f.vp, n, t);
    cr_assert_eq(bfv_mul_plain(&f.c, &f.a, &f.ptn), VEIL_OK);
    check(&f, &f.c, "mul_plain");
    const int64_t scalars[5] = {0, 1, -1, 12345, -(int64_t)t * 1000 - 77};
    for (int s = 0; s < 5; s++) {
        uint64_t cm =
            (uint64_t)(((scalars[s] % (int64_t)t) + (int64_t)t) % (int64_t)t);
        for (size_t i = 0; i < n; i++)
            f.want[i] = (uint64_t)((unsigned __int128)f.va[i] * cm % t);
        cr_assert_eq(bfv_mul_scalar(&f.c, &f.a, scalars[s]), VEIL_OK);
        check(&f, &f.c, "mul_scalar");
    }
    fix_clear(&f);
}

Test(arith, all_ops_4096)
{
    all_ops(4096);
}
Test(arith, all_ops_8192)
{
    all_ops(8192);
}
Test(arith, all_ops_16384)
{
    all_ops(16384);
}

/* the largest preset: a few operations */
Test(arith, add_and_mul_plain_32768)
{
    fix_t f;
    fix_init(&f, 32768, "arith.add_and_mul_plain_32768");
    bt_add(f.want, f.va, f.vb, f.e.n, f.e.t);
    cr_assert_eq(bfv_add(&f.c, &f.a, &f.b), VEIL_OK);
    check(&f, &f.c, "add");
    bt_mul(f.want, f.va, f.vp, f.e.n, f.e.t);
    cr_assert_eq(bfv_mul_plain(&f.c, &f.a, &f.ptn), VEIL_OK);
    check(&f, &f.c, "mul_plain");
    fix_clear(&f);
}

/* outputs aliasing inputs, and a chain mixing every operation (three
 * random mul_plain: about 3 x 28 bits of noise growth, within n = 8192) */
Test(arith, in_place_chain)
{
    fix_t f;
    fix_init(&f, 8192, "arith.in_place_chain");
    const size_t n = f.e.n;
    const uint64_t t = f.e.t;
    uint64_t *acc = malloc(n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++)
        acc[i] = f.va[i];
    cr_assert_eq(bfv_ciphertext_copy(&f.c, &f.a), VEIL_OK);
    for (int round = 0; round < 3; round++) {
        cr_assert_eq(bfv_add_inplace(&f.c, &f.b), VEIL_OK);
        bt_add(acc, acc, f.vb, n, t);
        cr_assert_eq(bfv_mul_plain_inplace(&f.c, &f.ptn), VEIL_OK);
        bt_mul(acc, acc, f.vp, n, t);
        cr_assert_eq(bfv_sub_plain_inplace(&f.c, &f.pt), VEIL_OK);
        bt_sub(acc, acc, f.vp, n, t);
        cr_assert_eq(bfv_mul_scalar_inplace(&f.c, -3), VEIL_OK);
        for (size_t i = 0; i < n; i++)
            acc[i] = (acc[i] * (t - 3)) % t;
        cr_assert_eq(bfv_negate_inplace(&f.c), VEIL_OK);
        for (size_t i = 0; i < n; i++)
            acc[i] = (t - acc[i]) % t;
        cr_assert_eq(bfv_sub(&f.c, &f.b, &f.c), VEIL_OK); /* out = 2nd input */
        bt_sub(acc, f.vb, acc, n, t);
        cr_assert_eq(bfv_add_plain_inplace(&f.c, &f.pt), VEIL_OK);
        bt_add(acc, acc, f.vp, n, t);
    }
    for (size_t i = 0; i < n; i++)
        f.want[i] = acc[i];
    check(&f, &f.c, "chain");
    free(acc);
    fix_clear(&f);
}
