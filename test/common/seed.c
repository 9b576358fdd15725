/* seed.c - see seed.h. */
#include "seed.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vt_rng(veil_rng_t *rng, const char *test)
{
    uint8_t seed[VEIL_SEED_BYTES];
    const char *env = getenv("VEIL_TEST_SEED");
    int have = env != NULL && strlen(env) == 2 * VEIL_SEED_BYTES;

    for (size_t i = 0; have && i < VEIL_SEED_BYTES; i++) {
        unsigned v;
        if (sscanf(env + 2 * i, "%2x", &v) != 1)
            have = 0;
        seed[i] = (uint8_t)v;
    }
    if (env != NULL && !have)
        fprintf(stderr, "%s: ignoring VEIL_TEST_SEED (want %d hex digits)\n",
                test, 2 * VEIL_SEED_BYTES);
    if (!have) {
        veil_rng_t os;
        if (veil_rng_init(&os) != VEIL_OK) {
            fprintf(stderr, "%s: the OS gave no randomness\n", test);
            abort();
        }
        veil_rng_bytes(&os, seed, sizeof(seed));
        veil_rng_clear(&os);
    }
    fprintf(stderr, "%s: VEIL_TEST_SEED=", test);
    for (size_t i = 0; i < VEIL_SEED_BYTES; i++)
        fprintf(stderr, "%02x", seed[i]);
    fprintf(stderr, "\n");
    veil_rng_init_seed(rng, seed);
}

void vt_rng_fixed(veil_rng_t *rng, uint64_t seed)
{
    uint8_t s[VEIL_SEED_BYTES];
    memset(s, 0, sizeof(s));
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(seed >> (8 * i));
    veil_rng_init_seed(rng, s);
}

unsigned vt_iters(unsigned base)
{
    const char *env = getenv("VEIL_TEST_ITERS");
    long k = env != NULL ? strtol(env, NULL, 10) : 1;
    if (k < 1 || k > 100000)
        k = 1;
    return base * (unsigned)k;
}

double vt_uniform(veil_rng_t *rng, double a, double b)
{
    return a + (b - a) * (double)(veil_rng_u64(rng) >> 11) * 0x1p-53;
}
