/* Shared helpers of the nn test suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

const char *nt_mnist_dir(void)
{
    static char buf[4096];
    const char *env = getenv("MNIST_DIR");
    if (env != NULL && env[0] != '\0')
        return env;
    snprintf(buf, sizeof(buf), "%s/../shared/data/mnist", VEIL_SOURCE_DIR);
    return buf;
}

const char *nt_src_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", VEIL_SOURCE_DIR, rel);
    return buf;
}

void nt_rng(veil_rng_t *rng, uint64_t seed)
{
    uint8_t s[VEIL_SEED_BYTES];
    memset(s, 0, sizeof(s));
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(seed >> (8 * i));
    veil_rng_init_seed(rng, s);
}

double nt_uniform(veil_rng_t *rng, double a, double b)
{
    return a + (b - a) * (double)(veil_rng_u64(rng) >> 11) * 0x1p-53;
}

unsigned nt_iters(unsigned n)
{
    const char *e = getenv("VEIL_TEST_ITERS");
    long f = e != NULL ? strtol(e, NULL, 10) : 1;
    return f > 0 ? n * (unsigned)f : n;
}
