/*
 * seed.h - the one test toolkit every suite uses: seeded randomness and
 * iteration scaling.
 *
 * Seeds.  VEIL_TEST_SEED=<64 hex digits> replays a run; without it the seed
 * comes from the OS.  vt_rng() prints "<test>: VEIL_TEST_SEED=<hex>" on
 * stderr before the test uses it, so the seed of any failing test is in the
 * log of the suite, whatever the suite.  A test that needs a fixed stream
 * (known answers) uses vt_rng_fixed().
 *
 * Iterations.  VEIL_TEST_ITERS=<k> (1..100000, default 1) multiplies the
 * iteration counts of property tests: vt_iters(base) = base * k.
 */
#ifndef VEIL_TEST_COMMON_SEED_H
#define VEIL_TEST_COMMON_SEED_H

#include "veil/veil.h"
#include <stddef.h>
#include <stdint.h>

/* Seed *rng from VEIL_TEST_SEED or the OS and print the seed with `test`. */
void vt_rng(veil_rng_t *rng, const char *test);

/* Seed *rng from the number `seed` (the same stream on every run). */
void vt_rng_fixed(veil_rng_t *rng, uint64_t seed);

/* base scaled by VEIL_TEST_ITERS. */
unsigned vt_iters(unsigned base);

/* Uniform double in [a, b). */
double vt_uniform(veil_rng_t *rng, double a, double b);

#endif
