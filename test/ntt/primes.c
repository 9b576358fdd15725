/*
 * Tests of the NTT-friendly prime generator (ntt/primes.c).  Primality is
 * rechecked with GMP's mpz_probab_prime_p, independent of FLINT.
 */
#include "ntt_helpers.h"
#include <criterion/criterion.h>
#include <gmp.h>

static int gmp_is_prime(uint64_t x)
{
    mpz_t z;
    int r;
    mpz_init(z);
    mpz_import(z, 1, 1, sizeof(x), 0, 0, &x);
    r = mpz_probab_prime_p(z, 40);
    mpz_clear(z);
    return r != 0;
}

static int bit_length(uint64_t x)
{
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
}

Test(primes, prime_congruent_right_size_distinct_descending_complete)
{
    static const unsigned bits_list[] = {20, 30, 36, 44, 49, 50};
    enum { COUNT = 8 };
    for (size_t b = 0; b < sizeof(bits_list) / sizeof(bits_list[0]); b++) {
        unsigned bits = bits_list[b];
        for (size_t n = 1024; n <= 65536; n <<= 2) {
            uint64_t p[COUNT], two_n = 2 * (uint64_t)n;
            if (bits == 20 && n > 1024)
                continue; /* too few 20-bit candidates = 1 mod 2n */
            cr_assert_eq(ntt_primes_generate(p, COUNT, bits, n, NULL, 0),
                         VEIL_OK, "bits %u n %zu", bits, n);
            for (int i = 0; i < COUNT; i++) {
                cr_assert(gmp_is_prime(p[i]));
                cr_assert_eq(p[i] % two_n, 1);
                cr_assert_eq(bit_length(p[i]), (int)bits);
                if (i > 0)
                    cr_assert_lt(p[i], p[i - 1]);
            }
            /* nothing skipped: no prime candidate above p[0] or between */
            uint64_t top = ((1ULL << bits) - 1) / two_n * two_n + 1;
            for (uint64_t c = top; c > p[COUNT - 1]; c -= two_n) {
                int listed = 0;
                for (int i = 0; i < COUNT; i++)
                    listed |= c == p[i];
                cr_assert_eq(gmp_is_prime(c), listed, "candidate %llu",
                             (unsigned long long)c);
            }
        }
    }
}

Test(primes, deterministic_and_exclusion)
{
    uint64_t a[6], b[6], c[3];
    cr_assert_eq(ntt_primes_generate(a, 6, 49, 16384, NULL, 0), VEIL_OK);
    cr_assert_eq(ntt_primes_generate(b, 6, 49, 16384, NULL, 0), VEIL_OK);
    cr_assert_arr_eq(a, b, sizeof(a));
    /* excluding a[0] and a[2] gives a[1], a[3], a[4] */
    uint64_t ex[2] = {a[0], a[2]};
    cr_assert_eq(ntt_primes_generate(c, 3, 49, 16384, ex, 2), VEIL_OK);
    cr_assert_eq(c[0], a[1]);
    cr_assert_eq(c[1], a[3]);
    cr_assert_eq(c[2], a[4]);
}

Test(primes, bad_input)
{
    uint64_t p[4];
    cr_assert_eq(
        ntt_primes_generate(p, 1, NTT_MIN_PRIME_BITS - 1, 1024, NULL, 0),
        VEIL_EINVAL);
    cr_assert_eq(
        ntt_primes_generate(p, 1, NTT_MAX_PRIME_BITS + 1, 1024, NULL, 0),
        VEIL_EINVAL);
    cr_assert_eq(ntt_primes_generate(p, 1, 40, 1000, NULL, 0), VEIL_EINVAL);
    cr_assert_eq(ntt_primes_generate(p, 1, 40, 0, NULL, 0), VEIL_EINVAL);
    cr_assert_eq(
        ntt_primes_generate(p, 1, 40, (size_t)1 << (NTT_MAX_LOGN + 1), NULL, 0),
        VEIL_EINVAL);
    cr_assert_eq(ntt_primes_generate(NULL, 1, 40, 1024, NULL, 0), VEIL_EINVAL);
    cr_assert_eq(ntt_primes_generate(p, 1, 40, 1024, NULL, 3), VEIL_EINVAL);
    cr_assert_eq(ntt_primes_generate(p, 0, 40, 1024, NULL, 0), VEIL_OK);
    /* 14-bit numbers = 1 mod 2^14: only 8193 = 3 * 2731, not prime */
    cr_assert_eq(ntt_primes_generate(p, 1, 14, 4096, NULL, 0), VEIL_EPARAM);
    /* far more primes asked for than exist */
    cr_assert_eq(ntt_primes_generate(p, 4, 16, 8192, NULL, 0), VEIL_EPARAM);
}
