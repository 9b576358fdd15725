/* Tests of RNS bases and the exact CRT: validation, constants, and
 * compose/decompose round trips against FLINT's fmpz_CRT_ui / fmpz_mod_ui. */
#include "ntt_helpers.h"
#include "rns_helpers.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <string.h>

Test(rns_base, rejects_bad_input_and_clears_safely)
{
    rns_base_t b;
    const uint64_t good[3] = {65537, 12289, 40961};
    const uint64_t dup[3] = {65537, 12289, 65537};
    const uint64_t composite[2] = {65537, 65537ull * 12289};
    const uint64_t one[2] = {65537, 1};
    const uint64_t zero[2] = {0, 65537};
    /* 2^62 + 135 is the smallest prime above 2^62 */
    const uint64_t big[2] = {65537, ((uint64_t)1 << 62) + 135};
    uint64_t many[RNS_MAX_PRIMES + 1];

    cr_assert(n_is_prime(big[1]));
    cr_assert_eq(rns_base_init(NULL, good, 3), VEIL_EINVAL);
    cr_assert_eq(rns_base_init(&b, NULL, 3), VEIL_EINVAL);
    rns_base_clear(&b);
    cr_assert_eq(rns_base_init(&b, good, 0), VEIL_EINVAL);
    rns_base_clear(&b);
    cr_assert_eq(rns_base_init(&b, dup, 3), VEIL_EINVAL);
    rns_base_clear(&b);
    cr_assert_eq(rns_base_init(&b, composite, 2), VEIL_EINVAL);
    cr_assert_eq(rns_base_init(&b, one, 2), VEIL_EINVAL);
    cr_assert_eq(rns_base_init(&b, zero, 2), VEIL_EINVAL);
    cr_assert_eq(rns_base_init(&b, big, 2), VEIL_EINVAL);
    cr_assert_null(b.q);
    /* RNS_MAX_PRIMES + 1 distinct primes: too many */
    many[0] = 3;
    for (size_t i = 1; i <= RNS_MAX_PRIMES; i++)
        many[i] = n_nextprime(many[i - 1], 1);
    cr_assert_eq(rns_base_init(&b, many, RNS_MAX_PRIMES + 1), VEIL_EINVAL);
    cr_assert_eq(rns_base_init(&b, many, RNS_MAX_PRIMES), VEIL_OK);
    rns_base_clear(&b);

    cr_assert_eq(rns_base_init(&b, good, 3), VEIL_OK);
    rns_base_clear(&b);
    rns_base_clear(&b); /* twice */
    rns_base_clear(NULL);
    memset(&b, 0, sizeof(b)); /* zero-filled counts as cleared */
    rns_base_clear(&b);
}

Test(rns_base, constants_match_flint)
{
    veil_rng_t rng;
    vt_rng(&rng, "rns_base.constants_match_flint");
    /* sizes at both ends: 2, the largest primes below 2^62, 50-bit ones */
    const unsigned bits[] = {2, 62, 50, 20};
    const size_t ks[] = {1, 7, 21, 3};

    for (size_t c = 0; c < sizeof(bits) / sizeof(bits[0]); c++) {
        uint64_t q[32];
        rns_base_t b;
        fmpz_t Q, t, u, qi;
        if (bits[c] == 2)
            q[0] = 2;
        else
            trh_primes(&rng, q, ks[c], bits[c], NULL, 0);
        cr_assert_eq(rns_base_init(&b, q, ks[c]), VEIL_OK);
        fmpz_init_set_ui(Q, 1);
        fmpz_init(t);
        fmpz_init(u);
        fmpz_init(qi);
        for (size_t i = 0; i < ks[c]; i++)
            fmpz_mul_ui(Q, Q, q[i]);
        fmpz_set_mpz(t, b.Q);
        cr_assert(fmpz_equal(t, Q));
        fmpz_fdiv_q_2exp(u, Q, 1);
        fmpz_set_mpz(t, b.Q_half);
        cr_assert(fmpz_equal(t, u));
        for (size_t i = 0; i < ks[c]; i++) {
            cr_assert_eq(b.q[i], q[i]);
            cr_assert_eq(b.mod[i].q, q[i]);
            fmpz_set_ui(qi, q[i]);
            fmpz_divexact(u, Q, qi);
            fmpz_set_mpz(t, b.qhat[i]);
            cr_assert(fmpz_equal(t, u));
            cr_assert(fmpz_invmod(u, u, qi));
            cr_assert(fmpz_equal_ui(u, b.qhat_inv[i]));
            cr_assert_eq(
                b.qhat_inv_shoup[i],
                (uint64_t)(((unsigned __int128)b.qhat_inv[i] << 64) / q[i]));
        }
        fmpz_clear(Q);
        fmpz_clear(t);
        fmpz_clear(u);
        fmpz_clear(qi);
        rns_base_clear(&b);
    }
    veil_rng_clear(&rng);
}

/* 21 primes of 50 bits: Q > 2^1029 holds every signed 1000-bit integer. */
Test(rns_crt, signed_1000_bit_round_trips)
{
    enum { K = 21 };
    veil_rng_t rng;
    uint64_t q[K], res[K], ref[K];
    rns_base_t b;
    fmpz_t x, y, z, Q;
    mpz_t mx, my;
    const unsigned iters = vt_iters(300);

    vt_rng(&rng, "rns_crt.signed_1000_bit_round_trips");
    trh_primes(&rng, q, K, 50, NULL, 0);
    cr_assert_eq(rns_base_init(&b, q, K), VEIL_OK);
    cr_assert_gt(mpz_sizeinbase(b.Q, 2), 1001);
    fmpz_init(x);
    fmpz_init(y);
    fmpz_init(z);
    fmpz_init(Q);
    fmpz_set_mpz(Q, b.Q);
    mpz_init(mx);
    mpz_init(my);
    for (unsigned it = 0; it < iters; it++) {
        trh_fmpz_signed(&rng, x, 1000);
        fmpz_get_mpz(mx, x);

        /* decomposition: both flavours against fmpz_mod_ui */
        trh_reduce(ref, x, q, K);
        rns_decompose_fmpz(&b, res, x);
        cr_assert(memcmp(res, ref, sizeof(res)) == 0);
        memset(res, 0, sizeof(res));
        rns_decompose_mpz(&b, res, mx);
        cr_assert(memcmp(res, ref, sizeof(res)) == 0);

        /* centred composition gives x back, and agrees with fmpz_CRT */
        rns_compose_centered_fmpz(&b, y, res);
        cr_assert(fmpz_equal(y, x), "iteration %u", it);
        rns_compose_centered_mpz(&b, my, res);
        cr_assert_eq(mpz_cmp(my, mx), 0);
        trh_crt(z, NULL, res, q, K, 1);
        cr_assert(fmpz_equal(z, x));

        /* plain composition gives x mod Q */
        fmpz_mod(z, x, Q);
        rns_compose_fmpz(&b, y, res);
        cr_assert(fmpz_equal(y, z));
        rns_compose_mpz(&b, my, res);
        fmpz_set_mpz(y, my);
        cr_assert(fmpz_equal(y, z));
        trh_crt(y, NULL, res, q, K, 0);
        cr_assert(fmpz_equal(y, z));
    }
    fmpz_clear(x);
    fmpz_clear(y);
    fmpz_clear(z);
    fmpz_clear(Q);
    mpz_clear(mx);
    mpz_clear(my);
    rns_base_clear(&b);
    veil_rng_clear(&rng);
}

/* Random residue vectors (not from a small integer) compose to the FLINT
 * CRT value and decompose back; residues above q_i are read mod q_i. */
Test(rns_crt, random_residues_and_edges)
{
    veil_rng_t rng;
    const unsigned bits[] = {62, 50, 40, 30};
    const size_t ks[] = {5, 9, 4, 1};
    const unsigned iters = vt_iters(200);

    vt_rng(&rng, "rns_crt.random_residues_and_edges");
    for (size_t c = 0; c < sizeof(bits) / sizeof(bits[0]); c++) {
        const size_t k = ks[c];
        uint64_t q[9], res[9], back[9], raw[9];
        rns_base_t b;
        fmpz_t x, y, Q, h;
        trh_primes(&rng, q, k, bits[c], NULL, 0);
        cr_assert_eq(rns_base_init(&b, q, k), VEIL_OK);
        fmpz_init(x);
        fmpz_init(y);
        fmpz_init(Q);
        fmpz_init(h);
        fmpz_set_mpz(Q, b.Q);
        for (unsigned it = 0; it < iters + 3; it++) {
            if (it < iters)
                trh_residues(&rng, res, q, k);
            for (size_t i = 0; i < k; i++) {
                if (it == iters) /* all q_i - 1: the integer -1 */
                    res[i] = q[i] - 1;
                else if (it == iters + 1) /* all 0 */
                    res[i] = 0;
                else if (it == iters + 2) /* floor(Q/2) */
                    res[i] = mpz_fdiv_ui(b.Q_half, q[i]);
            }
            trh_crt(x, NULL, res, q, k, 0);
            rns_compose_fmpz(&b, y, res);
            cr_assert(fmpz_equal(x, y), "k %zu iteration %u", k, it);
            rns_decompose_fmpz(&b, back, y);
            cr_assert(memcmp(back, res, k * sizeof(uint64_t)) == 0);
            trh_crt(x, NULL, res, q, k, 1);
            rns_compose_centered_fmpz(&b, y, res);
            cr_assert(fmpz_equal(x, y));
            /* the centred range is (-Q/2, Q/2] */
            fmpz_mul_2exp(h, y, 1);
            cr_assert(fmpz_cmp(h, Q) <= 0);
            fmpz_neg(h, h);
            cr_assert(fmpz_cmp(h, Q) < 0);
            /* unreduced residues res_i + j q_i read mod q_i */
            for (size_t i = 0; i < k; i++)
                raw[i] = res[i] + (UINT64_MAX - res[i]) / q[i] * q[i];
            rns_compose_centered_fmpz(&b, y, raw);
            cr_assert(fmpz_equal(x, y));
            /* the edge values themselves */
            fmpz_fdiv_q_2exp(h, Q, 1);
            if (it == iters)
                cr_assert(fmpz_equal_si(y, -1));
            else if (it == iters + 1)
                cr_assert(fmpz_is_zero(y));
            else if (it == iters + 2)
                cr_assert(fmpz_equal(y, h));
        }
        fmpz_clear(x);
        fmpz_clear(y);
        fmpz_clear(Q);
        fmpz_clear(h);
        rns_base_clear(&b);
    }
    veil_rng_clear(&rng);
}
