/*
 * lola_fuzz_env.h - shared by the LoLa wire-format fuzz targets
 * (fuzz/fuzz_lola_evalkeys.c, fuzz/fuzz_lola_msg.c): one small encrypted
 * evaluation (a random 1 x 8 x 8 -> conv -> square -> dense 10 network,
 * planned at n = 512 with two plaintext primes, insecure: fuzzing only)
 * with a client's evaluation keys (one set for both components, format 4;
 * this plan's answers are not ring-switched: no ring-switching key)
 * and one encrypted input, both serialized, built once from a fixed seed.
 *
 * Each target reads its first input byte as a mode: even, the rest of the
 * input is parsed as it is; odd, the rest (after a 4-byte offset) is XORed
 * into a copy of the valid serialization at that offset, so that mutations
 * also reach the ciphertexts and keys behind the header and the parameter
 * hashes.  Build and run:
 *   ./configure --enable-fuzz CC=clang && make
 *   fuzz/fuzz_lola_msg -max_total_time=60
 */
#ifndef VEIL_LOLA_FUZZ_ENV_H
#define VEIL_LOLA_FUZZ_ENV_H

#include "veil/lola_wire.h"
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    lola_spec_t spec;
    lola_setup_t setup;
    lola_client_t client;
    uint8_t *keys; /* the client's evaluation keys, serialized    */
    size_t keys_len;
    uint8_t *msg; /* one encrypted input (seeded), serialized    */
    size_t msg_len;
} lz_env_t;

/* The environment, built on first use; aborts if that fails (a broken
 * build, not a finding). */
const lz_env_t *lz_env(void);

/* The bytes to parse for fuzz input data[0..size), as described above:
 * *buf from malloc (free it), *len its length; 0 if there is nothing to
 * parse. */
int lz_input(uint8_t **buf, size_t *len, const uint8_t *data, size_t size,
             const uint8_t *valid, size_t valid_len);

/* Abort unless a (re-serialized) b[0..blen) equals a[0..alen): every
 * accepted input is canonical. */
void lz_same_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
                   size_t blen);

#endif
