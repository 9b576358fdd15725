/* Galois automorphisms against explicit permutations of the 2 x n/2 slot
 * matrix: rotate_rows (direct keys, power-of-two composition, composition
 * over arbitrary steps), rotate_columns, apply_galois on any element,
 * hoisted rotations (bit-identical to the plain ones), missing keys. */
#include "helpers.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The exponent e of the root a slot evaluates at: 3^c or -3^c mod 2n. */
static uint64_t slot_exponent(size_t s, size_t n)
{
    uint64_t e = 1, m = 2 * n;
    for (size_t c = 0; c < s % (n / 2); c++)
        e = e * 3 % m;
    return s < n / 2 ? e : m - e;
}

/* Oracle for X -> X^g on slots: the new slot at exponent e holds the old
 * value at exponent e g. */
static void galois_oracle(uint64_t *o, const uint64_t *a, uint64_t g, size_t n)
{
    uint64_t *exps = malloc(n * sizeof(uint64_t));
    size_t *where = malloc(2 * n * sizeof(size_t));
    for (size_t s = 0; s < n; s++) {
        exps[s] = slot_exponent(s, n);
        where[exps[s]] = s;
    }
    for (size_t s = 0; s < n; s++)
        o[s] = a[where[exps[s] * g % (2 * n)]];
    free(exps);
    free(where);
}

static void check_rot(bt_env_t *e, const bfv_ciphertext_t *ct,
                      const uint64_t *want, const char *what, int64_t k)
{
    uint64_t *got = malloc(e->n * sizeof(uint64_t));
    char msg[64];
    snprintf(msg, sizeof(msg), "%s %lld", what, (long long)k);
    bt_decrypt(e, got, ct);
    bt_assert_slots(got, want, e->n, msg);
    cr_assert_gt(bt_budget(e, ct), 0, "%s", msg);
    free(got);
}

static void rotations(size_t n)
{
    bt_env_t e;
    bfv_ciphertext_t a, r;
    char name[64];
    snprintf(name, sizeof(name), "galois.rotations_%zu", n);
    bt_env_preset(&e, n, BT_GALOIS, name);
    uint64_t *v = malloc(n * sizeof(uint64_t)), *want = malloc(n * 8);
    const int64_t h = (int64_t)n / 2;
    const int64_t ks[] = {1,     -1,    2,        -8, 5, 100,       -77,
                          h / 2, h - 1, -(h - 3), 0,  h, 3 * h + 11};
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &a, v);
    int fresh = bt_budget(&e, &a);
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        bt_rotate_rows(want, v, ks[i], n);
        cr_assert_eq(bfv_rotate_rows(&r, &a, ks[i], &e.gk), VEIL_OK);
        check_rot(&e, &r, want, "rotate_rows", ks[i]);
    }
    /* one key switch costs a few bits at most */
    cr_assert_eq(bfv_rotate_rows(&r, &a, 1, &e.gk), VEIL_OK);
    cr_assert_geq(bt_budget(&e, &r), fresh - 3, "fresh %d rotated %d", fresh,
                  bt_budget(&e, &r));
    bt_swap_rows(want, v, n);
    cr_assert_eq(bfv_rotate_columns(&r, &a, &e.gk), VEIL_OK);
    check_rot(&e, &r, want, "rotate_columns", 0);
    /* in place */
    cr_assert_eq(bfv_rotate_rows_inplace(&r, -3, &e.gk), VEIL_OK);
    uint64_t *w2 = malloc(n * sizeof(uint64_t));
    bt_rotate_rows(w2, want, -3, n);
    check_rot(&e, &r, w2, "in place", -3);
    cr_assert_eq(bfv_rotate_columns_inplace(&r, &e.gk), VEIL_OK);
    bt_swap_rows(want, w2, n);
    check_rot(&e, &r, want, "in place columns", 0);
    free(w2);
    free(v);
    free(want);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&r);
    bt_env_clear(&e);
}

Test(galois, rotations_4096)
{
    rotations(4096);
}
Test(galois, rotations_8192)
{
    rotations(8192);
}

/* n = 16384 with keys for two steps only (a power-of-two key set would
 * take half a gigabyte) */
Test(galois, rotation_16384)
{
    bt_env_t e;
    bfv_ciphertext_t a, r;
    const size_t n = 16384;
    const int64_t steps[1] = {1};
    uint64_t *v = malloc(n * sizeof(uint64_t)), *want = malloc(n * 8);
    bt_env_preset(&e, n, 0, "galois.rotation_16384");
    cr_assert_eq(bfv_galois_keys_init(&e.gk, &e.ctx), VEIL_OK);
    e.have_gk = 1;
    cr_assert_eq(bfv_keygen_galois_steps(&e.gk, &e.sk, steps, 1, 1, &e.rng),
                 VEIL_OK);
    cr_assert_eq(e.gk.count, 2);
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &a, v);
    bt_rotate_rows(want, v, 1, n);
    cr_assert_eq(bfv_rotate_rows(&r, &a, 1, &e.gk), VEIL_OK);
    check_rot(&e, &r, want, "rotate_rows", 1);
    bt_rotate_rows(want, v, 2, n); /* composed: 1 + 1 */
    cr_assert_eq(bfv_rotate_rows(&r, &a, 2, &e.gk), VEIL_OK);
    check_rot(&e, &r, want, "rotate_rows", 2);
    bt_swap_rows(want, v, n);
    cr_assert_eq(bfv_rotate_columns(&r, &a, &e.gk), VEIL_OK);
    check_rot(&e, &r, want, "rotate_columns", 0);
    free(v);
    free(want);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&r);
    bt_env_clear(&e);
}

/* Steps without power-of-two keys: the shortest sum of available steps. */
Test(galois, composition_over_arbitrary_steps)
{
    bt_env_t e;
    bfv_ciphertext_t a, r;
    const int64_t steps[2] = {3, 7};
    bt_env_preset(&e, 4096, 0, "galois.composition");
    const size_t n = e.n;
    uint64_t *v = malloc(n * sizeof(uint64_t)), *want = malloc(n * 8);
    cr_assert_eq(bfv_galois_keys_init(&e.gk, &e.ctx), VEIL_OK);
    e.have_gk = 1;
    cr_assert_eq(bfv_keygen_galois_steps(&e.gk, &e.sk, steps, 2, 0, &e.rng),
                 VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &a, v);
    const int64_t ks[3] = {10, 13, 17 - 2048};
    for (int i = 0; i < 3; i++) {
        bt_rotate_rows(want, v, ks[i], n);
        cr_assert_eq(bfv_rotate_rows(&r, &a, ks[i], &e.gk), VEIL_OK);
        check_rot(&e, &r, want, "composed", ks[i]);
    }
    /* no key for the row swap */
    cr_assert_eq(bfv_rotate_columns(&r, &a, &e.gk), VEIL_ENOKEY);
    free(v);
    free(want);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&r);
    bt_env_clear(&e);
}

/* apply_galois on elements outside the rotation subgroup too */
Test(galois, apply_galois_any_element)
{
    bt_env_t e;
    bfv_ciphertext_t a, r;
    const uint64_t elts[4] = {5, 2 * 4096 - 3, 1001, 3};
    bt_env_preset(&e, 4096, 0, "galois.apply_galois_any_element");
    const size_t n = e.n;
    uint64_t *v = malloc(n * sizeof(uint64_t)), *want = malloc(n * 8);
    cr_assert_eq(bfv_galois_keys_init(&e.gk, &e.ctx), VEIL_OK);
    e.have_gk = 1;
    cr_assert_eq(bfv_keygen_galois_elts(&e.gk, &e.sk, elts, 4, &e.rng),
                 VEIL_OK);
    cr_assert_eq(e.gk.count, 4);
    for (size_t i = 1; i < e.gk.count; i++)
        cr_assert_lt(e.gk.keys[i - 1].elt, e.gk.keys[i].elt);
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &a, v);
    for (int i = 0; i < 4; i++) {
        galois_oracle(want, v, elts[i], n);
        cr_assert_eq(bfv_apply_galois(&r, &a, elts[i], &e.gk), VEIL_OK);
        check_rot(&e, &r, want, "apply_galois", (int64_t)elts[i]);
    }
    /* 3 is the left rotation by one */
    bt_rotate_rows(want, v, -1, n);
    check_rot(&e, &r, want, "elt 3 = rotate -1", 3);
    /* the identity needs no key; bad elements are refused */
    cr_assert_eq(bfv_apply_galois(&r, &a, 1, &e.gk), VEIL_OK);
    check_rot(&e, &r, v, "identity", 1);
    cr_assert_eq(bfv_apply_galois(&r, &a, 7, &e.gk), VEIL_ENOKEY);
    cr_assert_eq(bfv_apply_galois(&r, &a, 4, &e.gk), VEIL_EINVAL);
    cr_assert_eq(bfv_apply_galois(&r, &a, 2 * n + 1, &e.gk), VEIL_EINVAL);
    uint64_t bad = 6;
    cr_assert_eq(bfv_keygen_galois_elts(&e.gk, &e.sk, &bad, 1, &e.rng),
                 VEIL_EINVAL);
    free(v);
    free(want);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&r);
    bt_env_clear(&e);
}

/* Hoisted rotations give the very same ciphertexts as one-by-one rotations
 * (same algorithm, decomposition shared). */
Test(galois, hoisted_equals_plain)
{
    bt_env_t e;
    bfv_ciphertext_t a, r, outs[16];
    bfv_hoisted_t h;
    bt_env_preset(&e, 8192, BT_GALOIS, "galois.hoisted_equals_plain");
    const size_t n = e.n;
    const size_t words = 2 * e.ctx.n_q * n * sizeof(uint64_t);
    uint64_t *v = malloc(n * sizeof(uint64_t)), *want = malloc(n * 8);
    int64_t steps[16];
    for (int i = 0; i < 16; i++)
        steps[i] = i < 12 ? ((int64_t)1 << i) : -((int64_t)1 << (i - 12));
    steps[15] = 0;
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(bfv_ciphertext_init(&outs[i], &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &a, v);
    cr_assert_eq(bfv_rotate_rows_many(outs, &a, steps, 16, &e.gk), VEIL_OK);
    for (int i = 0; i < 16; i++) {
        cr_assert_eq(bfv_rotate_rows(&r, &a, steps[i], &e.gk), VEIL_OK);
        cr_assert(memcmp(r.data, outs[i].data, words) == 0, "step %lld",
                  (long long)steps[i]);
        bt_rotate_rows(want, v, steps[i], n);
        check_rot(&e, &outs[i], want, "hoisted", steps[i]);
    }
    /* the explicit object, with the row swap */
    cr_assert_eq(bfv_hoisted_init(&h, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_hoisted_rotate_rows(&r, &h, 1, &e.gk), VEIL_EINVAL);
    cr_assert_eq(bfv_hoisted_prepare(&h, &a), VEIL_OK);
    cr_assert_eq(
        bfv_hoisted_apply_galois(&r, &h, bfv_galois_elt_columns(&e.ctx), &e.gk),
        VEIL_OK);
    bt_swap_rows(want, v, n);
    check_rot(&e, &r, want, "hoisted columns", 0);
    /* hoisting cannot compose: a step without its own key is refused */
    cr_assert_eq(bfv_hoisted_rotate_rows(&r, &h, 3, &e.gk), VEIL_ENOKEY);
    bfv_hoisted_clear(&h);
    bfv_hoisted_clear(&h);
    for (int i = 0; i < 16; i++)
        bfv_ciphertext_clear(&outs[i]);
    free(v);
    free(want);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&r);
    bt_env_clear(&e);
}
