/* Shared helpers of the nn test suite. */
#ifndef VEIL_TEST_NN_COMMON_H
#define VEIL_TEST_NN_COMMON_H

#include <stdint.h>
#include "veil/nn.h"

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR "."
#endif

/* The MNIST directory: $MNIST_DIR, else <srcdir>/../shared/data/mnist. */
const char *nt_mnist_dir(void);

/* <srcdir>/<rel> in a static buffer. */
const char *nt_src_path(const char *rel);

/* A generator seeded from a test-specific number (printed by the caller). */
void nt_rng(veil_rng_t *rng, uint64_t seed);

/* Uniform double in [a, b). */
double nt_uniform(veil_rng_t *rng, double a, double b);

/* Number of iterations of property tests: n scaled by $VEIL_TEST_ITERS
 * (a factor, default 1). */
unsigned nt_iters(unsigned n);

#endif
