/*
 * fuzz_bfv_ringsw_key.c - libFuzzer target for bfv_ringsw_key_deserialize
 * (a ring-switching key, bfv.h "ring switching"): any input must give
 * VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-bounds read, exact
 * and stream-prefix reads must agree, and an accepted input must
 * serialize back to the same bytes.  The key is initialised for the
 * environment's context and its subring (n = 64 and 32).  Build and run:
 * bfv_fuzz_env.h; fuzz/fuzz_bfv_corpus writes corpus/ringsw_key/seed-0.
 */
#include "bfv_fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fz_env_t *e = fz_env();
    bfv_ringsw_key_t k;
    size_t used = 0, len = 0;
    veil_status exact, prefix;
    if (bfv_ringsw_key_init(&k, &e->ctx, &e->sub) != VEIL_OK)
        abort();
    exact = bfv_ringsw_key_deserialize(&k, data, size, NULL);
    fz_status(exact);
    prefix = bfv_ringsw_key_deserialize(&k, data, size, &used);
    fz_status(prefix);
    if (exact == VEIL_OK && (prefix != VEIL_OK || used != size))
        abort();
    if (prefix == VEIL_OK) {
        uint8_t *out = malloc(used);
        if (out == NULL ||
            bfv_ringsw_key_serialize(out, used, &len, &k) != VEIL_OK)
            abort();
        fz_same_bytes(data, used, out, len);
        free(out);
    }
    bfv_ringsw_key_clear(&k);
    return 0;
}
