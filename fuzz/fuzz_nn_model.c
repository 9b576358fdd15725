/*
 * fuzz_nn_model.c - libFuzzer target for the .vmodel parser: the input is a
 * hostile model file.  It must be rejected with a status or parsed into a
 * model that serializes back to the same bytes; a parsed quantizable model
 * must also quantize (or be refused with a status) without crashing.  Most
 * inputs fail the SHA-256 check, so the target also re-signs the input
 * (first byte odd) to reach the field checks.
 *
 *   ./configure --enable-fuzz CC=clang && make fuzz/fuzz_nn_model
 *   fuzz/fuzz_nn_model -max_len=4096
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "veil/nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nn_model_t m;
    uint8_t *buf, *back;
    size_t blen;

    if (size < 1 || size > (1 << 20) || sodium_init() < 0)
        return 0;
    if ((buf = malloc(size - 1 + 1)) == NULL)
        return 0;
    memcpy(buf, data + 1, size - 1);
    if ((data[0] & 1) && size - 1 >= 32)
        crypto_hash_sha256(buf + size - 1 - 32, buf, size - 1 - 32);
    if (nn_model_parse(&m, buf, size - 1) == VEIL_OK) {
        if (nn_model_serialize(&back, &blen, &m) != VEIL_OK ||
            blen != size - 1 || memcmp(back, buf, blen) != 0)
            abort(); /* a parsed model must round-trip exactly */
        free(back);
        if (m.quantizable) {
            nn_qmodel_t q;
            if (nn_qmodel_init(&q, &m) == VEIL_OK)
                nn_qmodel_clear(&q);
        }
        nn_model_clear(&m);
    }
    free(buf);
    return 0;
}
