/* ntt_helpers.c - see ntt_helpers.h. */
#include "ntt_helpers.h"
#include <flint/nmod_poly.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t th_mulmod(uint64_t a, uint64_t b, uint64_t q)
{
    return (uint64_t)(((unsigned __int128)a * b) % q);
}

void th_negacyclic_schoolbook(uint64_t *out, const uint64_t *a,
                              const uint64_t *b, size_t n, uint64_t q)
{
    /* accumulate positive and negative parts separately, each term < q^2 <
     * 2^100, at most n <= 2^17 terms: below 2^117, no overflow */
    unsigned __int128 *pos = calloc(n, sizeof(*pos));
    unsigned __int128 *neg = calloc(n, sizeof(*neg));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            unsigned __int128 p = (unsigned __int128)a[i] * b[j];
            if (i + j < n)
                pos[i + j] += p;
            else
                neg[i + j - n] += p;
        }
    for (size_t k = 0; k < n; k++) {
        uint64_t p = (uint64_t)(pos[k] % q), m = (uint64_t)(neg[k] % q);
        out[k] = p >= m ? p - m : p + q - m;
    }
    free(pos);
    free(neg);
}

void th_negacyclic_flint(uint64_t *out, const uint64_t *a, const uint64_t *b,
                         size_t n, uint64_t q)
{
    nmod_poly_t pa, pb, pc;
    nmod_poly_init(pa, q);
    nmod_poly_init(pb, q);
    nmod_poly_init(pc, q);
    for (size_t i = 0; i < n; i++) {
        nmod_poly_set_coeff_ui(pa, i, a[i]);
        nmod_poly_set_coeff_ui(pb, i, b[i]);
    }
    nmod_poly_mul(pc, pa, pb);
    for (size_t k = 0; k < n; k++) {
        ulong lo = nmod_poly_get_coeff_ui(pc, k);
        ulong hi = nmod_poly_get_coeff_ui(pc, k + n);
        out[k] = nmod_sub(lo, hi, pc->mod);
    }
    nmod_poly_clear(pa);
    nmod_poly_clear(pb);
    nmod_poly_clear(pc);
}

void th_fill(veil_rng_t *rng, uint64_t *a, size_t n, uint64_t q,
             th_pattern_t pattern)
{
    switch (pattern) {
    case TH_RANDOM:
        veil_rng_uniform_mod(rng, a, n, q);
        break;
    case TH_ALL_MAX:
        for (size_t i = 0; i < n; i++)
            a[i] = q - 1;
        break;
    default:
        for (size_t i = 0; i < n; i++)
            a[i] = i & 1 ? q - 1 : 0;
        break;
    }
}

const char *th_pattern_name(th_pattern_t p)
{
    static const char *names[] = {"random", "all q-1", "alternating 0/q-1"};
    return p < TH_PATTERNS ? names[p] : "?";
}

uint64_t th_prime(unsigned bits, size_t n)
{
    uint64_t q = 0;
    if (ntt_primes_generate(&q, 1, bits, n, NULL, 0) != VEIL_OK)
        return 0;
    return q;
}
