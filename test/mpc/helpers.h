/* Helpers shared by the mpc test files. */
#ifndef VEIL_TEST_MPC_HELPERS_H
#define VEIL_TEST_MPC_HELPERS_H

#include "veil/veil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A seeded generator for property tests: the seed comes from
 * VEIL_TEST_SEED (decimal) or the clock, and is printed so that a failure
 * can be replayed.  `what` names the test in the message. */
static inline void test_rng(veil_rng_t *rng, const char *what)
{
    uint8_t seed[VEIL_SEED_BYTES] = {0};
    const char *env = getenv("VEIL_TEST_SEED");
    uint64_t s = env ? strtoull(env, NULL, 10)
                     : (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
    memcpy(seed, &s, sizeof(s));
    memcpy(seed + 8, what, strlen(what) < 24 ? strlen(what) : 24);
    fprintf(stderr, "[%s] VEIL_TEST_SEED=%llu\n", what, (unsigned long long)s);
    veil_rng_init_seed(rng, seed);
}

/* VEIL_TEST_ITERS scales the iteration counts of property tests. */
static inline size_t test_iters(size_t base)
{
    const char *env = getenv("VEIL_TEST_ITERS");
    long k = env ? strtol(env, NULL, 10) : 1;
    return base * (size_t)(k > 0 ? k : 1);
}

#endif
