/*
 * Tests of word-size modular arithmetic (veil/ntt.h, ntt/modarith.c) against
 * plain unsigned __int128 division and FLINT's ulong_extras.
 */
#include "ntt_helpers.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>

/* Moduli of every size the arithmetic claims to support, with the awkward
 * ones: tiny, powers of two, and just below 2^62. */
static const uint64_t moduli[] = {
    2,
    3,
    17,
    65536,
    (1ULL << 32) - 5,
    (1ULL << 32) + 15,
    1125899906826241ULL, /* a 50-bit NTT prime */
    (1ULL << 50) - 1,
    (1ULL << 61) - 1,
    (1ULL << 62) - 57,
    (1ULL << 61),
    (1ULL << 62) - 1,
};
#define N_MODULI (sizeof(moduli) / sizeof(moduli[0]))

Test(arith, modulus_init_rejects_out_of_range)
{
    ntt_modulus_t m;
    cr_assert_eq(ntt_modulus_init(&m, 0), VEIL_EINVAL);
    cr_assert_eq(ntt_modulus_init(&m, 1), VEIL_EINVAL);
    cr_assert_eq(ntt_modulus_init(&m, 1ULL << 62), VEIL_EINVAL);
    cr_assert_eq(ntt_modulus_init(&m, UINT64_MAX), VEIL_EINVAL);
    cr_assert_eq(ntt_modulus_init(NULL, 17), VEIL_EINVAL);
}

Test(arith, barrett_constant_is_floor_2_128_over_q)
{
    for (size_t i = 0; i < N_MODULI; i++) {
        ntt_modulus_t m;
        uint64_t q = moduli[i];
        cr_assert_eq(ntt_modulus_init(&m, q), VEIL_OK);
        unsigned __int128 c =
            (unsigned __int128)m.barrett_hi << 64 | m.barrett_lo;
        /* c q <= 2^128 < (c + 1) q, checked as c q <= 2^128 - 1 + ... using
         * c q = 2^128 - r with 0 <= r < q: compute -c q mod 2^128 */
        unsigned __int128 r = -(c * q);
        cr_assert_lt(r, (unsigned __int128)q, "q = %llu",
                     (unsigned long long)q);
    }
}

Test(arith, reduce128_matches_int128_remainder)
{
    veil_rng_t rng;
    vt_rng(&rng, "arith/reduce128");
    const unsigned iters = vt_iters(20000);
    for (size_t i = 0; i < N_MODULI; i++) {
        ntt_modulus_t m;
        uint64_t q = moduli[i];
        cr_assert_eq(ntt_modulus_init(&m, q), VEIL_OK);
        for (unsigned it = 0; it < iters + 4; it++) {
            uint64_t hi, lo;
            switch (it) { /* the extremes first */
            case 0:
                hi = 0, lo = 0;
                break;
            case 1:
                hi = q - 1, lo = UINT64_MAX;
                break;
            case 2:
                hi = 0, lo = UINT64_MAX;
                break;
            case 3:
                hi = q - 1, lo = 0;
                break;
            default:
                veil_rng_uniform_mod(&rng, &hi, 1, q);
                lo = veil_rng_u64(&rng);
                /* also numbers just below multiples of q */
                if (it & 1) {
                    unsigned __int128 x = (unsigned __int128)hi << 64 | lo;
                    x -= x % q;
                    x = x == 0 ? 0 : x - 1;
                    hi = (uint64_t)(x >> 64);
                    lo = (uint64_t)x;
                }
            }
            unsigned __int128 x = (unsigned __int128)hi << 64 | lo;
            cr_assert_eq(ntt_reduce128(hi, lo, &m), (uint64_t)(x % q),
                         "q=%llu hi=%llu lo=%llu", (unsigned long long)q,
                         (unsigned long long)hi, (unsigned long long)lo);
        }
    }
    veil_rng_clear(&rng);
}

Test(arith, add_sub_neg_mul_match_oracle)
{
    veil_rng_t rng;
    vt_rng(&rng, "arith/add_sub_neg_mul");
    const unsigned iters = vt_iters(20000);
    for (size_t i = 0; i < N_MODULI; i++) {
        ntt_modulus_t m;
        uint64_t q = moduli[i];
        cr_assert_eq(ntt_modulus_init(&m, q), VEIL_OK);
        for (unsigned it = 0; it < iters; it++) {
            uint64_t ab[2];
            veil_rng_uniform_mod(&rng, ab, 2, q);
            if (it < 4) { /* extremes */
                ab[0] = it & 1 ? q - 1 : 0;
                ab[1] = it & 2 ? q - 1 : 0;
            }
            uint64_t a = ab[0], b = ab[1];
            cr_assert_eq(ntt_add_mod(a, b, q),
                         (uint64_t)(((unsigned __int128)a + b) % q));
            cr_assert_eq(ntt_sub_mod(a, b, q),
                         (uint64_t)(((unsigned __int128)a + q - b) % q));
            cr_assert_eq(ntt_neg_mod(a, q), (q - a) % q);
            cr_assert_eq(ntt_mul_mod(a, b, &m), th_mulmod(a, b, q));
        }
    }
    veil_rng_clear(&rng);
}

Test(arith, shoup_exact_and_lazy_range)
{
    veil_rng_t rng;
    vt_rng(&rng, "arith/shoup");
    const unsigned iters = vt_iters(20000);
    for (size_t i = 0; i < N_MODULI; i++) {
        uint64_t q = moduli[i];
        for (unsigned it = 0; it < iters; it++) {
            uint64_t w, a = veil_rng_u64(&rng);
            veil_rng_uniform_mod(&rng, &w, 1, q);
            if (it == 0)
                a = UINT64_MAX, w = q - 1;
            uint64_t wp = ntt_shoup_precomp(w, q);
            cr_assert_eq(wp, (uint64_t)(((unsigned __int128)w << 64) / q));
            /* lazy: any 64-bit a, result in [0, 2q) and congruent */
            uint64_t r = ntt_mul_shoup_lazy(a, w, wp, q);
            cr_assert_lt(r, 2 * q);
            cr_assert_eq(r % q, th_mulmod(a % q, w, q));
            uint64_t b = a % q;
            cr_assert_eq(ntt_mul_shoup(b, w, wp, q), th_mulmod(b, w, q));
        }
    }
    veil_rng_clear(&rng);
}

Test(arith, pow_and_inverse_match_flint)
{
    veil_rng_t rng;
    vt_rng(&rng, "arith/pow_inv");
    for (size_t i = 0; i < N_MODULI; i++) {
        ntt_modulus_t m;
        uint64_t q = moduli[i];
        cr_assert_eq(ntt_modulus_init(&m, q), VEIL_OK);
        for (unsigned it = 0; it < vt_iters(200); it++) {
            uint64_t a, e = veil_rng_u64(&rng), inv;
            veil_rng_uniform_mod(&rng, &a, 1, q);
            if (it == 0)
                e = 0;
            cr_assert_eq(ntt_pow_mod(a, e, &m),
                         n_powmod2_ui_preinv(a, e, q, n_preinvert_limb(q)));
            if (n_gcd(a, q) == 1) {
                cr_assert_eq(ntt_inv_mod(&inv, a, q), VEIL_OK);
                cr_assert_eq(th_mulmod(a, inv, q), 1 % q);
                cr_assert_lt(inv, q);
            } else {
                cr_assert_eq(ntt_inv_mod(&inv, a, q), VEIL_EINVAL);
            }
        }
    }
    uint64_t inv;
    cr_assert_eq(ntt_inv_mod(&inv, 0, 17), VEIL_EINVAL);
    cr_assert_eq(ntt_inv_mod(&inv, 6, 12), VEIL_EINVAL);
    cr_assert_eq(ntt_inv_mod(&inv, 5, 1), VEIL_EINVAL);
    cr_assert_eq(ntt_inv_mod(NULL, 5, 17), VEIL_EINVAL);
    cr_assert_eq(ntt_inv_mod(&inv, 17 + 5, 17), VEIL_OK); /* a >= q */
    cr_assert_eq(th_mulmod(5, inv, 17), 1);
    veil_rng_clear(&rng);
}

/* psi is a primitive 2n-th root, and the smallest one (checked by brute
 * force where q is small). */
Test(arith, root_of_unity_is_smallest_primitive)
{
    static const struct {
        uint64_t q;
        size_t n;
    } cases[] = {
        {17, 8},       {97, 16},      {257, 128},     {7681, 256},
        {12289, 1024}, {40961, 4096}, {65537, 32768},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint64_t q = cases[c].q, psi;
        size_t n = cases[c].n;
        ntt_modulus_t m;
        cr_assert_eq(ntt_modulus_init(&m, q), VEIL_OK);
        cr_assert_eq(ntt_root_of_unity(&psi, n, q), VEIL_OK);
        cr_assert_eq(n_powmod(psi, n, q), q - 1, "q=%llu",
                     (unsigned long long)q);
        for (uint64_t x = 2; x < psi; x++)
            cr_assert_neq(n_powmod(x, n, q), q - 1, "smaller root %llu",
                          (unsigned long long)x);
    }
}

Test(arith, root_of_unity_large_primes)
{
    for (unsigned bits = 30; bits <= NTT_MAX_PRIME_BITS; bits += 4) {
        for (size_t n = 8; n <= (1u << NTT_MAX_LOGN); n <<= 3) {
            uint64_t q = th_prime(bits, n), psi;
            cr_assert_neq(q, 0);
            cr_assert_eq(ntt_root_of_unity(&psi, n, q), VEIL_OK);
            cr_assert_eq(n_powmod2(psi, n, q), q - 1);
        }
    }
}

Test(arith, root_of_unity_bad_input)
{
    uint64_t psi;
    cr_assert_eq(ntt_root_of_unity(NULL, 8, 17), VEIL_EINVAL);
    cr_assert_eq(ntt_root_of_unity(&psi, 0, 17), VEIL_EINVAL);
    cr_assert_eq(ntt_root_of_unity(&psi, 12, 97), VEIL_EINVAL);
    cr_assert_eq(ntt_root_of_unity(&psi, 16, 17),
                 VEIL_EPARAM); /* 17 != 1 mod 32 */
    cr_assert_eq(ntt_root_of_unity(&psi, 8, 33), VEIL_EPARAM); /* not prime */
    cr_assert_eq(ntt_root_of_unity(&psi, 8, 1), VEIL_EPARAM);
    cr_assert_eq(ntt_root_of_unity(&psi, 8, UINT64_MAX), VEIL_EPARAM);
}
