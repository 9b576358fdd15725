/* Shared helpers of the nn test suite. */
#include "common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
