/* LoLa slot rotations against bfv's Galois automorphisms, and the
 * representations as data: constructors, encoding, decoding. */
#include "common.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(lola_rot, algebra)
{
    const size_t n = 64;
    veil_rng_t rng;
    vt_rng(&rng, "lola_rot.algebra");
    for (unsigned it = 0; it < vt_iters(50); it++) {
        const lola_rot_t a = (lola_rot_t)(veil_rng_u64(&rng) % n);
        const lola_rot_t b = (lola_rot_t)(veil_rng_u64(&rng) % n);
        const lola_rot_t ab = lola_rot_compose(n, a, b);
        for (size_t s = 0; s < n; s++) {
            /* y = b(a(x)): y[s] = a(x)[src_b(s)] = x[src_a(src_b(s))] */
            cr_assert_eq(lola_rot_source(n, ab, s),
                         lola_rot_source(n, a, lola_rot_source(n, b, s)));
            cr_assert_eq(lola_rot_source(n, lola_rot_inverse(n, a),
                                         lola_rot_source(n, a, s)),
                         s);
        }
    }
    cr_assert_eq(lola_rot(n, -1, 0), n / 2 - 1);
    cr_assert_eq(lola_rot(n, 33, 1), n / 2 + 1);
    cr_assert_eq(lola_rot_galois(n, 0), 1);
    cr_assert_eq(lola_rot_galois(n, lola_rot(n, 0, 1)), 2 * n - 1);
    veil_rng_clear(&rng);
}

/* Applying the Galois element of a code to a ciphertext permutes the slots
 * exactly as lola_rot_source says. */
Test(lola_rot, galois_matches_bfv)
{
    lt_env_t e;
    const int64_t shifts[4] = {1, -5, 0, 17};
    const int swaps[4] = {0, 1, 1, 0};
    uint64_t elts[4];
    lt_env_init(&e, 64, "lola_rot.galois_matches_bfv");
    for (int i = 0; i < 4; i++) {
        elts[i] = lola_rot_galois(e.n, lola_rot(e.n, shifts[i], swaps[i]));
        if (!swaps[i])
            cr_assert_eq(elts[i], bfv_galois_elt_from_step(&e.ctx, -shifts[i]));
    }
    cr_assert_eq(bfv_keygen_galois_elts(&e.gk, &e.sk, elts, 4, &e.rng),
                 VEIL_OK);
    lola_layout_t l;
    int64_t v[64], back[64];
    size_t perm[64];
    for (size_t s = 0; s < 64; s++)
        perm[s] = s;
    cr_assert_eq(lola_layout_interleaved(&l, 64, 64, perm), VEIL_OK);
    lt_random_vec(v, &e.rng, 64, 1000);
    for (int i = 0; i < 4; i++) {
        bfv_ciphertext_t x, y;
        const lola_rot_t r = lola_rot(e.n, shifts[i], swaps[i]);
        lt_encrypt(&e, &x, &l, v);
        cr_assert_eq(bfv_ciphertext_init(&y, &e.ctx), VEIL_OK);
        cr_assert_eq(bfv_apply_galois(&y, &x, elts[i], &e.gk), VEIL_OK);
        lt_decrypt(&e, back, &l, &y);
        for (size_t s = 0; s < 64; s++)
            cr_assert_eq(back[s], v[lola_rot_source(64, r, s)],
                         "rot %d slot %zu", i, s);
        bfv_ciphertext_clear(&x);
        bfv_ciphertext_clear(&y);
    }
    lola_layout_clear(&l);
    lt_env_clear(&e);
}

Test(lola_layout, constructors)
{
    lola_layout_t l;
    size_t perm[3] = {9, 2, 40};

    cr_assert_eq(lola_layout_dense(&l, 16, 5, 9), VEIL_OK);
    for (size_t s = 0; s < 16; s++)
        cr_assert_eq(l.map[s], s >= 9 && s < 14 ? (int32_t)(s - 9) : LOLA_ZERO);
    lola_layout_clear(&l);
    lola_layout_clear(&l); /* twice is fine */

    cr_assert_eq(lola_layout_stacked(&l, 32, 3, 4, 5), VEIL_OK);
    for (size_t s = 0; s < 32; s++)
        cr_assert_eq(l.map[s],
                     s < 20 && s % 4 < 3 ? (int32_t)(s % 4) : LOLA_ZERO);
    lola_layout_clear(&l);

    /* chunk g of 2 elements repeated in block g of 8 slots */
    cr_assert_eq(lola_layout_chunked(&l, 32, 5, 8, 2), VEIL_OK);
    for (size_t s = 0; s < 32; s++) {
        const size_t e = (s / 8) * 2 + s % 2;
        cr_assert_eq(l.map[s], s < 24 && e < 5 ? (int32_t)e : LOLA_ZERO,
                     "slot %zu", s);
    }
    lola_layout_clear(&l);

    cr_assert_eq(lola_layout_interleaved(&l, 64, 3, perm), VEIL_OK);
    cr_assert_eq(l.map[9], 0);
    cr_assert_eq(l.map[2], 1);
    cr_assert_eq(l.map[40], 2);
    lola_layout_clear(&l);

    cr_assert_eq(lola_layout_sparse(&l, 16, 7), VEIL_OK);
    cr_assert_eq(lola_layout_at(&l, 3, 11), 3);
    cr_assert_eq(l.nct, 7);
    lola_layout_clear(&l);
    cr_assert_eq(lola_layout_simd(&l, 16, 7, 10), VEIL_OK);
    cr_assert_eq(lola_layout_at(&l, 3, 9), 3);
    cr_assert_eq(lola_layout_at(&l, 3, 10), LOLA_GARBAGE);
    lola_layout_clear(&l);

    /* bad shapes */
    cr_assert_eq(lola_layout_dense(&l, 16, 8, 9), VEIL_EINVAL);
    cr_assert_eq(lola_layout_dense(&l, 12, 2, 0), VEIL_EINVAL);
    cr_assert_eq(lola_layout_stacked(&l, 32, 5, 4, 1), VEIL_EINVAL);
    cr_assert_eq(lola_layout_stacked(&l, 32, 3, 4, 9), VEIL_EINVAL);
    cr_assert_eq(lola_layout_stacked(&l, 32, 3, 6, 1), VEIL_EINVAL);
    cr_assert_eq(lola_layout_chunked(&l, 32, 9, 8, 2), VEIL_EINVAL);
    cr_assert_eq(lola_layout_chunked(&l, 32, 4, 8, 3), VEIL_EINVAL);
    perm[2] = 2;
    cr_assert_eq(lola_layout_interleaved(&l, 64, 3, perm), VEIL_EINVAL);
    cr_assert_eq(lola_layout_simd(&l, 16, 3, 17), VEIL_EINVAL);
    cr_assert_eq(lola_layout_dense(NULL, 16, 1, 0), VEIL_EINVAL);
}

Test(lola_layout, encode_decode)
{
    lola_layout_t l;
    int64_t v[5] = {4, -3, 7, 0, 11}, back[5], slots[32];
    veil_rng_t rng;
    vt_rng(&rng, "lola_layout.encode_decode");

    cr_assert_eq(lola_layout_chunked(&l, 32, 5, 8, 2), VEIL_OK);
    lola_layout_encode(slots, &l, v);
    cr_assert_eq(slots[0], 4);
    cr_assert_eq(slots[7], -3);
    cr_assert_eq(slots[8 + 4], 7);
    cr_assert_eq(lola_layout_decode(back, &l, slots, 1), VEIL_OK);
    lt_assert_vec(back, v, 5, "chunked");
    slots[8 + 6] = 8; /* one copy of v_2 disagrees */
    cr_assert_eq(lola_layout_decode(back, &l, slots, 1), VEIL_ERANGE);
    cr_assert_eq(lola_layout_decode(back, &l, slots, 0), VEIL_OK);
    slots[8 + 6] = 7;
    slots[31] = 1; /* a ZERO slot is not 0 */
    cr_assert_eq(lola_layout_decode(back, &l, slots, 1), VEIL_ERANGE);
    lola_layout_clear(&l);

    /* an element no slot holds */
    cr_assert_eq(lola_layout_init(&l, LOLA_INTERLEAVED, 8, 1, 2), VEIL_OK);
    l.map[3] = 0;
    memset(slots, 0, sizeof(slots));
    cr_assert_eq(lola_layout_decode(back, &l, slots, 1), VEIL_EINVAL);
    lola_layout_clear(&l);

    /* shares: element 1 is slot 2 plus its shares in slots 5 and 6 (the
     * client's folds); encoding puts the value in the element's slot only,
     * decoding adds the shares in */
    cr_assert_eq(lola_layout_init(&l, LOLA_INTERLEAVED, 8, 1, 2), VEIL_OK);
    for (size_t s = 0; s < 8; s++)
        l.map[s] = LOLA_GARBAGE;
    l.map[0] = 0;
    l.map[2] = 1;
    l.map[5] = l.map[6] = LOLA_SHARE(1);
    cr_assert(LOLA_IS_SHARE(l.map[5]) && LOLA_SHARE_OF(l.map[5]) == 1);
    cr_assert(!LOLA_IS_SHARE(LOLA_ZERO) && !LOLA_IS_SHARE(LOLA_GARBAGE));
    lola_layout_encode(slots, &l, v);
    cr_assert(slots[2] == -3 && slots[5] == 0 && slots[6] == 0);
    slots[2] = 100;
    slots[5] = -50;
    slots[6] = -53;
    slots[7] = 999; /* GARBAGE: ignored */
    cr_assert_eq(lola_layout_decode(back, &l, slots, 1), VEIL_OK);
    cr_assert(back[0] == 4 && back[1] == -3, "shares: %lld %lld",
              (long long)back[0], (long long)back[1]);
    l.map[6] = LOLA_SHARE(2); /* a share of no element */
    cr_assert_eq(lola_layout_decode(back, &l, slots, 1), VEIL_EINVAL);
    lola_layout_clear(&l);

    /* SIMD: record-major vectors */
    int64_t rec[3 * 4], out[3 * 4], sl[4 * 8];
    lt_random_vec(rec, &rng, 12, 50);
    cr_assert_eq(lola_layout_simd(&l, 8, 4, 3), VEIL_OK);
    lola_layout_encode(sl, &l, rec);
    cr_assert_eq(sl[2 * 8 + 1], rec[1 * 4 + 2]);
    cr_assert_eq(lola_layout_decode(out, &l, sl, 1), VEIL_OK);
    lt_assert_vec(out, rec, 12, "simd");
    lola_layout_clear(&l);
    veil_rng_clear(&rng);
}
