/*
 * primes.c - NTT-friendly primes q = 1 mod 2n.
 *
 * Candidates are the integers k 2n + 1 of exactly `bits` bits, walked from
 * the top down, so the answer is deterministic and the largest primes (the
 * most modulus per limb) come first.  Primality is FLINT's n_is_prime
 * (BPSW, proven correct below 2^64).  By the prime number theorem in
 * arithmetic progressions about one candidate in bits ln(2) / 2 is prime,
 * so a few thousand candidates suffice for any realistic request.
 */
#include "veil/ntt.h"
#include <flint/ulong_extras.h>

static int is_excluded(uint64_t q, const uint64_t *exclude, size_t n_exclude)
{
    for (size_t i = 0; i < n_exclude; i++)
        if (exclude[i] == q)
            return 1;
    return 0;
}

veil_status ntt_primes_generate(uint64_t *out, size_t count, unsigned bits,
                                size_t n, const uint64_t *exclude,
                                size_t n_exclude)
{
    uint64_t two_n, lo, c;
    size_t found = 0;

    if ((out == NULL && count > 0) || (exclude == NULL && n_exclude > 0) ||
        n == 0 || (n & (n - 1)) != 0 || n > ((size_t)1 << NTT_MAX_LOGN) ||
        bits < NTT_MIN_PRIME_BITS || bits > NTT_MAX_PRIME_BITS)
        return VEIL_EINVAL;
    two_n = 2 * (uint64_t)n;
    lo = (uint64_t)1 << (bits - 1);
    /* the largest c = 1 mod 2n below 2^bits */
    c = (((uint64_t)1 << bits) - 2) / two_n * two_n + 1;
    for (; found < count && c > lo; c -= two_n) {
        if (n_is_prime(c) && !is_excluded(c, exclude, n_exclude))
            out[found++] = c;
        if (c - lo <= two_n)
            break;
    }
    return found == count ? VEIL_OK : VEIL_EPARAM;
}
