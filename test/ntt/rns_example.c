/* The worked example of doc/02-rns.md, run through the library: every
 * number the chapter derives by hand is asserted here, so the chapter and
 * the code cannot drift apart.  (The properties themselves are tested
 * against FLINT in rns_crt.c, rns_conv.c and rns_scale.c.) */
#include "veil/rns.h"
#include <criterion/criterion.h>

static const uint64_t Q3[3] = {7, 11, 13}; /* Q = 1001 */
static const uint64_t P2[2] = {17, 19};

Test(rns_example, crt_and_base_conversion)
{
    rns_base_t q, p;
    rns_conv_t c;
    uint64_t res[3], out[2];
    mpz_t x;

    cr_assert_eq(rns_base_init(&q, Q3, 3), VEIL_OK);
    cr_assert_eq(rns_base_init(&p, P2, 2), VEIL_OK);
    cr_assert_eq(mpz_get_ui(q.Q), 1001);
    cr_assert_eq(mpz_get_ui(q.Q_half), 500);
    cr_assert_eq(mpz_get_ui(q.qhat[0]), 143);
    cr_assert_eq(mpz_get_ui(q.qhat[1]), 91);
    cr_assert_eq(mpz_get_ui(q.qhat[2]), 77);
    cr_assert_eq(q.qhat_inv[0], 5);
    cr_assert_eq(q.qhat_inv[1], 4);
    cr_assert_eq(q.qhat_inv[2], 12);

    /* 500 = (3, 5, 6) and back; 501 composes centred to -500 */
    mpz_init_set_ui(x, 500);
    rns_decompose_mpz(&q, res, x);
    cr_assert(res[0] == 3 && res[1] == 5 && res[2] == 6);
    rns_compose_centered_mpz(&q, x, res);
    cr_assert_eq(mpz_get_si(x), 500);
    mpz_set_ui(x, 501);
    rns_decompose_mpz(&q, res, x);
    rns_compose_centered_mpz(&q, x, res);
    cr_assert_eq(mpz_get_si(x), -500);

    /* fast conversion of 500: 1501 = 500 + 1 * 1001 -> (5, 0);
     * exact conversion: v = round(1.4995) = 1 -> 500 mod 17, 19 = (7, 6) */
    res[0] = 3;
    res[1] = 5;
    res[2] = 6;
    cr_assert_eq(rns_conv_init(&c, &q, &p), VEIL_OK);
    rns_conv_apply(&c, out, res, 1);
    cr_assert(out[0] == 5 && out[1] == 0);
    rns_conv_apply_exact(&c, out, res, 1);
    cr_assert(out[0] == 7 && out[1] == 6);

    mpz_clear(x);
    rns_conv_clear(&c);
    rns_base_clear(&q);
    rns_base_clear(&p);
}

Test(rns_example, scaling)
{
    static const uint64_t q2[2] = {7, 11}, p2[2] = {13, 17};
    rns_base_t q, bq, bp;
    rns_scale_t dec, mul;
    rns_conv_t back;
    /* decryption: x = 500 in base (7, 11, 13), t = 5 */
    const uint64_t x500[3] = {3, 5, 6};
    /* multiplication: x = 1000 in base (7, 11 | 13, 17), t = 3 */
    const uint64_t x1000[4] = {6, 10, 12, 14};
    uint64_t m, mid[2], out[2];

    cr_assert_eq(rns_base_init(&q, Q3, 3), VEIL_OK);
    cr_assert_eq(rns_scale_init(&dec, &q, NULL, 5), VEIL_OK);
    /* R_i = floor(5 w_i / q_i) = (3, 1, 4) */
    cr_assert(dec.int_part[0] == 3 && dec.int_part[1] == 1 &&
              dec.int_part[2] == 4);
    /* round(2500 / 1001) = round(2.4975) = 2 */
    rns_scale_round(&dec, &m, x500, 1);
    cr_assert_eq(m, 2);

    cr_assert_eq(rns_base_init(&bq, q2, 2), VEIL_OK);
    cr_assert_eq(rns_base_init(&bp, p2, 2), VEIL_OK);
    cr_assert_eq(rns_scale_init(&mul, &bq, &bp, 3), VEIL_OK);
    /* R_i = floor(3 * 221 * w_i / q_i) with w = (4, 8): 378 and 482,
     * taken mod 13 and mod 17 */
    cr_assert(mul.int_part[0] == 378 % 13 && mul.int_part[1] == 482 % 13);
    cr_assert(mul.int_part[2] == 378 % 17 && mul.int_part[3] == 482 % 17);
    /* t Q^-1 mod p_j: 10 mod 13, 6 mod 17 */
    cr_assert(mul.p_coef[0] == 10 && mul.p_coef[1] == 6);
    /* round(3000 / 77) = round(38.96) = 39 = (0, 5) mod (13, 17) */
    rns_scale_round(&mul, mid, x1000, 1);
    cr_assert(mid[0] == 0 && mid[1] == 5);
    /* and back to Q exactly: 39 = (4, 6) mod (7, 11) */
    cr_assert_eq(rns_conv_init(&back, &bp, &bq), VEIL_OK);
    rns_conv_apply_exact(&back, out, mid, 1);
    cr_assert(out[0] == 4 && out[1] == 6);

    rns_conv_clear(&back);
    rns_scale_clear(&dec);
    rns_scale_clear(&mul);
    rns_base_clear(&q);
    rns_base_clear(&bq);
    rns_base_clear(&bp);
}
