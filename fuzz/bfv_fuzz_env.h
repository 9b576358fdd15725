/*
 * bfv_fuzz_env.h - shared by the bfv deserializer fuzz targets
 * (fuzz/fuzz_bfv_*.c) and their seed-corpus generator: one small context
 * (n = 64, insecure: fuzzing only) with every kind of object, made from a
 * fixed seed so that the corpus and the targets agree on the parameter
 * hash.
 *
 * Build and run (doc/09-serialization.md, "Fuzzing"):
 *   ./configure --enable-fuzz CC=clang && make   # every target
 *   fuzz/fuzz_bfv_corpus corpus        # writes corpus/<target>/seed-*
 *   fuzz/fuzz_bfv_ciphertext -max_total_time=300 corpus/ciphertext
 */
#ifndef VEIL_BFV_FUZZ_ENV_H
#define VEIL_BFV_FUZZ_ENV_H

#include "veil/bfv_serial.h"
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_plaintext_t pt;
    bfv_ciphertext_t ct_full, ct_seeded, ct_three;
    bfv_crt_params_t crt_params;
    bfv_crt_context_t crt;
    bfv_crt_ciphertext_t crt_ct;
    /* ct_full switched to one limb, RNS form and power-of-two form */
    bfv_ms_ciphertext_t ms_rns, ms_pow2;
    /* the subring of dimension 32 (bfv_ringsw_params), its secret and
     * the ring-switching key from sk */
    bfv_params_t sub_params;
    bfv_context_t sub;
    bfv_secret_key_t ssk;
    bfv_ringsw_key_t rsw;
} fz_env_t;

/* The environment, built on first use; aborts if that fails (a broken
 * build, not a finding). */
const fz_env_t *fz_env(void);

/* After a successful deserialization of in[0..used): serialize the object
 * again (ser writes into out[0..cap) and sets *len) and abort unless the
 * bytes are identical: every accepted input is canonical. */
void fz_same_bytes(const uint8_t *in, size_t used, const uint8_t *out,
                   size_t len);

/* Abort unless st is VEIL_OK or VEIL_EFORMAT (the only answers a
 * deserializer may give to any input once its object is initialised). */
void fz_status(veil_status st);

/* The body of a target for objects of `type` bound to context `ctx`:
 * deserialize the input exactly (used == NULL) and as a stream prefix,
 * check the two agree, and re-serialize what was accepted (`ser` is
 * serialize(out, cap, len, obj) with the object's usual flags). */
#define FZ_TARGET(type, ctx, init, deser, ser, clear)                          \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)               \
    {                                                                          \
        type obj;                                                              \
        size_t used = 0, len = 0;                                              \
        veil_status exact, prefix;                                             \
        if (init(&obj, (ctx)) != VEIL_OK)                                      \
            abort();                                                           \
        exact = deser(&obj, data, size, NULL);                                 \
        fz_status(exact);                                                      \
        prefix = deser(&obj, data, size, &used);                               \
        fz_status(prefix);                                                     \
        if (exact == VEIL_OK && (prefix != VEIL_OK || used != size))           \
            abort();                                                           \
        if (prefix == VEIL_OK) {                                               \
            uint8_t *out = malloc(used);                                       \
            if (out == NULL || ser(out, used, &len, &obj) != VEIL_OK)          \
                abort();                                                       \
            fz_same_bytes(data, used, out, len);                               \
            free(out);                                                         \
        }                                                                      \
        clear(&obj);                                                           \
        return 0;                                                              \
    }

#endif
