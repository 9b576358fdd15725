/*
 * modarith.c - word-size moduli: the Barrett constant, powers, inverses and
 * primitive 2n-th roots of unity.  The inline add/sub/mul helpers live in
 * veil/ntt.h; doc/01-arithmetic.md derives their bounds.
 */
#include "veil/ntt.h"
#include <flint/ulong_extras.h>

veil_status ntt_modulus_init(ntt_modulus_t *m, uint64_t q)
{
    unsigned __int128 c;

    if (m == NULL || q < 2 || q >> 62 != 0)
        return VEIL_EINVAL;
    /* floor(2^128 / q) = floor((2^128 - 1) / q) unless q divides 2^128,
     * i.e. q is a power of two, where it is one more. */
    c = ~(unsigned __int128)0 / q;
    if ((q & (q - 1)) == 0)
        c += 1;
    m->q = q;
    m->barrett_hi = (uint64_t)(c >> 64);
    m->barrett_lo = (uint64_t)c;
    return VEIL_OK;
}

uint64_t ntt_pow_mod(uint64_t a, uint64_t e, const ntt_modulus_t *m)
{
    uint64_t r = 1 % m->q;

    while (e != 0) {
        if (e & 1)
            r = ntt_mul_mod(r, a, m);
        a = ntt_mul_mod(a, a, m);
        e >>= 1;
    }
    return r;
}

veil_status ntt_inv_mod(uint64_t *inv, uint64_t a, uint64_t q)
{
    /* Extended Euclid on (q, a) keeping only the coefficient of a; the
     * coefficients stay below q in absolute value, so int128 is ample. */
    __int128 r0 = q, r1, s0 = 0, s1 = 1;

    if (inv == NULL || q < 2)
        return VEIL_EINVAL;
    r1 = a % q;
    while (r1 != 0) {
        __int128 quo = r0 / r1, t;
        t = r0 - quo * r1;
        r0 = r1;
        r1 = t;
        t = s0 - quo * s1;
        s0 = s1;
        s1 = t;
    }
    if (r0 != 1)
        return VEIL_EINVAL;
    if (s0 < 0)
        s0 += q;
    *inv = (uint64_t)s0;
    return VEIL_OK;
}

veil_status ntt_root_of_unity(uint64_t *psi, size_t n, uint64_t q)
{
    ntt_modulus_t m;
    uint64_t two_n, r = 0, r2, best, x;

    if (psi == NULL || n == 0 || (n & (n - 1)) != 0 ||
        n > ((size_t)1 << NTT_MAX_LOGN))
        return VEIL_EINVAL;
    two_n = 2 * (uint64_t)n;
    if (q >> 62 != 0 || q % two_n != 1 || !n_is_prime(q))
        return VEIL_EPARAM;
    if (ntt_modulus_init(&m, q) != VEIL_OK)
        return VEIL_EPARAM;

    /* 1. Some primitive 2n-th root: g^((q-1)/2n) has order exactly 2n iff
     *    its n-th power is -1 (2n is a power of two).  Half of all g work. */
    for (uint64_t g = 2; g < q; g++) {
        r = ntt_pow_mod(g, (q - 1) / two_n, &m);
        if (ntt_pow_mod(r, n, &m) == q - 1)
            break;
    }
    /* 2. The primitive 2n-th roots are exactly r^k for odd k: take the
     *    smallest, so that the choice does not depend on the search. */
    best = r;
    r2 = ntt_mul_mod(r, r, &m);
    x = r;
    for (uint64_t k = 3; k < two_n; k += 2) {
        x = ntt_mul_mod(x, r2, &m);
        if (x < best)
            best = x;
    }
    *psi = best;
    return VEIL_OK;
}
