/*
 * fuzz_nn_idx.c - libFuzzer target for the IDX parser: the input is a
 * hostile IDX file.  It must be rejected with a status or parsed into dims
 * whose product is the payload length.
 *
 *   ./configure --enable-fuzz CC=clang && make fuzz/fuzz_nn_idx
 *   fuzz/fuzz_nn_idx -max_len=4096
 */
#include <stdlib.h>
#include "veil/nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn_idx_t idx;
    if (nn_idx_parse(&idx, data, size) == VEIL_OK) {
        size_t n = 1;
        for (uint32_t i = 0; i < idx.ndims; i++)
            n *= idx.dims[i];
        if (n != idx.size || size != 4 + 4 * (size_t)idx.ndims + n)
            abort();
        nn_idx_clear(&idx);
    }
    return 0;
}
