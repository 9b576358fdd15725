/*
 * serial_util.h - shared by the serialization tests: a small context with
 * every kind of key, blob helpers and the "reseal" that recomputes a
 * blob's checksum after a deliberate change (so that the deserializers'
 * semantic checks, not the checksum, must catch it).
 */
#ifndef VEIL_TEST_BFV_SERIAL_UTIL_H
#define VEIL_TEST_BFV_SERIAL_UTIL_H

#include "helpers.h"
#include "veil/bfv_serial.h"

/* n = 1024, ciphertext primes of 40 bits, one 50-bit special prime,
 * t = 65537 (insecure, tests only), relin key and Galois keys for steps
 * 1, -3 and the column swap. */
typedef struct {
    bt_env_t e;
    bfv_galois_keys_t gk; /* the three keys above */
} su_env_t;

void su_init(su_env_t *s, size_t n_q, const char *test);
void su_clear(su_env_t *s);

/* A serialized object in a malloc'ed buffer. */
typedef struct {
    uint8_t *b;
    size_t len;
} su_blob_t;

void su_blob_free(su_blob_t *b);

/* Recompute the checksum of the object at b[0..len) from its header's
 * body length (which must fit), as its header's format defines it (computed
 * here from libsodium directly, not by veil's bfv_checksum). */
void su_reseal(uint8_t *b, size_t len);

/* The body length field of a blob. */
uint64_t su_body_len(const uint8_t *b);
void su_set_body_len(uint8_t *b, uint64_t body);

#endif
