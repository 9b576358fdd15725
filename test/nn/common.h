/* Shared helpers of the nn test suite (paths); seeds, iteration counts and
 * uniform doubles come from the toolkit, test/common/seed.h. */
#ifndef VEIL_TEST_NN_COMMON_H
#define VEIL_TEST_NN_COMMON_H

#include "../common/seed.h"
#include "veil/nn.h"
#include <stdint.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR "."
#endif

/* The MNIST directory: $MNIST_DIR, else <srcdir>/../shared/data/mnist. */
const char *nt_mnist_dir(void);

/* <srcdir>/<rel> in a static buffer. */
const char *nt_src_path(const char *rel);

#endif
