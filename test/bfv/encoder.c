/* Encoders: a hand-computed known answer, slot semantics against direct
 * evaluation at the roots (FLINT), round trips, signed values, constants. */
#include "helpers.h"
#include <criterion/criterion.h>
#include <flint/nmod_poly.h>

/* n = 8, t = 17, zeta = 3 (the smallest primitive 16th root of unity mod
 * 17).  Slot (0, 0) is the evaluation at zeta^1, so the one-hot vector e_0
 * encodes to m_k = 8^-1 zeta^-k = 15 * 6^k mod 17 (worked by hand in
 * doc/06-rotations.md). */
Test(encoder, known_answer_n8_t17)
{
    const unsigned qb[1] = {20};
    const uint64_t want[8] = {15, 5, 13, 10, 9, 3, 1, 6};
    uint64_t v[8] = {1, 0, 0, 0, 0, 0, 0, 0}, back[8];
    bfv_params_t p;
    bfv_context_t ctx;
    bfv_plaintext_t pt;

    bt_params_small(&p, 8, qb, 1, 21, 17);
    cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_OK);
    cr_assert(ctx.batching);
    cr_assert_eq(ctx.plan_t.psi, 3);
    cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, v, 8), VEIL_OK);
    bt_assert_slots(pt.coeffs, want, 8, "e_0");
    cr_assert_eq(bfv_decode_batch(back, &pt), VEIL_OK);
    bt_assert_slots(back, v, 8, "round trip");
    bfv_plaintext_clear(&pt);
    bfv_context_clear(&ctx);
}

/* Slot (r, c) = m(zeta^e), e = 3^c (r = 0) or -3^c (r = 1) mod 2n: checked
 * by evaluating the encoded polynomial with FLINT at every root. */
Test(encoder, slots_are_evaluations_at_powers_of_3)
{
    bt_env_t e;
    bfv_plaintext_t pt;
    nmod_poly_t poly;
    uint64_t v[4096];

    bt_env_preset(&e, 4096, 0, "encoder.slots_are_evaluations");
    const size_t n = e.n, h = n / 2;
    const uint64_t t = e.t, m = 2 * n;
    bt_random_slots(&e.rng, v, n, t);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
    nmod_poly_init(poly, t);
    for (size_t k = 0; k < n; k++)
        nmod_poly_set_coeff_ui(poly, k, pt.coeffs[k]);
    uint64_t pow3 = 1;
    for (size_t c = 0; c < h; c++) {
        uint64_t z0 =
            n_powmod2_ui_preinv(e.ctx.plan_t.psi, pow3, t, n_preinvert_limb(t));
        uint64_t z1 = n_powmod2_ui_preinv(e.ctx.plan_t.psi, m - pow3, t,
                                          n_preinvert_limb(t));
        cr_assert_eq(nmod_poly_evaluate_nmod(poly, z0), v[c], "row 0 col %zu",
                     c);
        cr_assert_eq(nmod_poly_evaluate_nmod(poly, z1), v[h + c],
                     "row 1 col %zu", c);
        pow3 = pow3 * 3 % m;
    }
    nmod_poly_clear(poly);
    bfv_plaintext_clear(&pt);
    bt_env_clear(&e);
}

Test(encoder, round_trips_signed_partial_and_constant)
{
    bt_env_t e;
    bfv_plaintext_t pt;
    static uint64_t v[8192], back[8192];
    static int64_t s[8192], sback[8192];

    bt_env_preset(&e, 8192, 0, "encoder.round_trips");
    const size_t n = e.n;
    const int64_t t = (int64_t)e.t;
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    for (unsigned it = 0; it < vt_iters(1); it++) {
        bt_random_slots(&e.rng, v, n, e.t);
        cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
        cr_assert_eq(bfv_decode_batch(back, &pt), VEIL_OK);
        bt_assert_slots(back, v, n, "unsigned");
    }
    /* signed: any int64 in, centred residue in (-t/2, t/2] out */
    for (size_t i = 0; i < n; i++) {
        int64_t r = (int64_t)(veil_rng_u64(&e.rng) >> 1);
        s[i] =
            (i % 3 == 0) ? -r : (i % 3 == 1 ? r % (t / 2 + 1) : -(r % (t / 2)));
    }
    s[0] = t / 2;
    s[1] = -(t / 2);
    s[2] = INT64_MIN;
    cr_assert_eq(bfv_encode_batch_signed(&pt, s, n), VEIL_OK);
    cr_assert_eq(bfv_decode_batch_signed(sback, &pt), VEIL_OK);
    for (size_t i = 0; i < n; i++) {
        int64_t want = ((s[i] % t) + t) % t;
        if (want > t / 2)
            want -= t;
        cr_assert_eq(sback[i], want, "slot %zu: %lld -> %lld", i,
                     (long long)s[i], (long long)sback[i]);
        cr_assert(2 * sback[i] > -t && 2 * sback[i] <= t);
    }
    /* fewer values than slots: the rest are 0 */
    cr_assert_eq(bfv_encode_batch(&pt, v, 10), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(back, &pt), VEIL_OK);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(back[i], i < 10 ? v[i] : 0);
    /* a constant fills every slot */
    cr_assert_eq(bfv_encode_scalar(&pt, -5), VEIL_OK);
    cr_assert_eq(pt.coeffs[0], e.t - 5);
    cr_assert_eq(bfv_decode_batch(back, &pt), VEIL_OK);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(back[i], e.t - 5);
    /* errors */
    v[3] = e.t;
    cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_ERANGE);
    cr_assert_eq(bfv_encode_batch(&pt, v, n + 1), VEIL_EINVAL);
    cr_assert_eq(bfv_encode_batch(NULL, v, n), VEIL_EINVAL);
    cr_assert_eq(bfv_decode_batch(NULL, &pt), VEIL_EINVAL);
    bfv_plaintext_clear(&pt);
    bt_env_clear(&e);
}

/* Without a batching t only scalar encoding is available. */
Test(encoder, no_batching_without_a_suitable_t)
{
    const unsigned qb[2] = {40, 40};
    bfv_params_t p;
    bfv_context_t ctx;
    bfv_plaintext_t pt;
    uint64_t v[1] = {1};
    bt_params_small(&p, 1024, qb, 2, 41, 256);
    cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_OK);
    cr_assert_eq(ctx.batching, 0);
    cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, v, 1), VEIL_EPARAM);
    cr_assert_eq(bfv_encode_scalar(&pt, 300), VEIL_OK);
    cr_assert_eq(pt.coeffs[0], 44);
    bfv_plaintext_clear(&pt);
    bfv_context_clear(&ctx);
}
