/*
 * ntt_helpers.h - shared by the ntt test files: independent oracles built on
 * plain 128-bit arithmetic and FLINT, and input patterns.  Seeds and
 * iteration counts come from the toolkit, test/common/seed.h (vt_rng,
 * vt_iters), included here for every ntt test file.
 */
#ifndef VEIL_TEST_NTT_HELPERS_H
#define VEIL_TEST_NTT_HELPERS_H

#include "../common/seed.h"
#include "veil/ntt.h"
#include <stddef.h>
#include <stdint.h>

/* a * b mod q with unsigned __int128 division: the oracle for Barrett. */
uint64_t th_mulmod(uint64_t a, uint64_t b, uint64_t q);

/* out = a * b mod (X^n + 1, q) by the O(n^2) schoolbook product. */
void th_negacyclic_schoolbook(uint64_t *out, const uint64_t *a,
                              const uint64_t *b, size_t n, uint64_t q);

/* out = a * b mod (X^n + 1, q) with FLINT's nmod_poly_mul, then folding
 * X^(n+i) = -X^i. */
void th_negacyclic_flint(uint64_t *out, const uint64_t *a, const uint64_t *b,
                         size_t n, uint64_t q);

/* Input patterns for property tests. */
typedef enum {
    TH_RANDOM,      /* uniform in [0, q)        */
    TH_ALL_MAX,     /* every entry q - 1        */
    TH_ALTERNATING, /* 0, q - 1, 0, q - 1, ...  */
    TH_PATTERNS
} th_pattern_t;

void th_fill(veil_rng_t *rng, uint64_t *a, size_t n, uint64_t q,
             th_pattern_t pattern);

const char *th_pattern_name(th_pattern_t p);

/* The largest prime q < 2^bits with q = 1 mod 2n (via ntt_primes_generate,
 * checked independently by the prime tests). */
uint64_t th_prime(unsigned bits, size_t n);

#endif
