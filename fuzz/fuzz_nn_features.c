/*
 * fuzz_nn_features.c - libFuzzer target for the features file parser
 * (deep representations, nn.h): the input is a hostile features file.  It
 * must be rejected with a status, or parsed into sizes within the limits
 * whose file length is the input's, labels below classes, and bytes that
 * serialize back to the input exactly.
 *
 *   ./configure --enable-fuzz CC=clang && make fuzz/fuzz_nn_features
 *   fuzz/fuzz_nn_features -max_len=4096
 */
#include "veil/nn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn_features_t f;
    uint8_t *buf;
    size_t len;
    if (nn_features_parse(&f, data, size) != VEIL_OK) {
        if (f.codes != NULL || f.labels != NULL)
            abort(); /* a refused file leaves nothing behind */
        return 0;
    }
    if (f.count == 0 || f.count > NN_FEATURES_MAX_COUNT || f.dim == 0 ||
        f.dim > NN_FEATURES_MAX_DIM || f.classes < 2 ||
        f.classes > NN_FEATURES_MAX_CLASSES || !isfinite(f.scale) ||
        !(f.scale > 0.0f) ||
        size != NN_FEATURES_HEADER + (size_t)f.count * (f.dim + 1))
        abort();
    for (uint32_t r = 0; r < f.count; r++)
        if (f.labels[r] >= f.classes)
            abort();
    if (nn_features_serialize(&buf, &len, &f) != VEIL_OK || len != size ||
        memcmp(buf, data, size) != 0)
        abort();
    free(buf);
    nn_features_clear(&f);
    return 0;
}
