/* Shared helpers of the nn test suite. */
#include "common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nt_mnist_dir(void)
{
    static char buf[4096];
    if (nn_mnist_locate(buf, sizeof(buf), NULL, VEIL_SOURCE_DIR) != VEIL_OK)
        return "./data/mnist";
    return buf;
}

const char *nt_src_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", VEIL_SOURCE_DIR, rel);
    return buf;
}
