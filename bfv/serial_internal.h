/*
 * serial_internal.h - what the bfv/serial_*.c files share: little-endian
 * writers and a bounds-checked reader, the common header, and the
 * bit-packing of residue rows (doc/09-serialization.md).
 */
#ifndef VEIL_BFV_SERIAL_INTERNAL_H
#define VEIL_BFV_SERIAL_INTERNAL_H

#include "veil/bfv_serial.h"

/* ---------------------------------------------------------- writing */

/* A cursor into an output buffer already known to be large enough (the
 * serializers check the exact size first). */
typedef struct {
    uint8_t *p;
} bfv_wr_t;

void bfv_wr_u32(bfv_wr_t *w, uint32_t v);
void bfv_wr_u64(bfv_wr_t *w, uint64_t v);
void bfv_wr_bytes(bfv_wr_t *w, const void *src, size_t len);

/* Write the 48-byte header: type, flags, body length and the hash. */
void bfv_wr_header(bfv_wr_t *w, bfv_serial_type_t type, unsigned flags,
                   uint64_t body, const uint8_t hash[BFV_PARAMS_HASH_BYTES]);

/* Append the checksum (bfv_checksum, format BFV_SERIAL_VERSION) of
 * everything from start (the header) to the cursor. */
void bfv_wr_seal(bfv_wr_t *w, const uint8_t *start);

/* Pack rows[r * n + k] (r < nrows, k < n), row r of modulus mods[r]
 * (values in [0, mods[r])), each value in bfv_bits(mods[r]) bits. */
void bfv_wr_rows(bfv_wr_t *w, const uint64_t *rows, size_t nrows, size_t n,
                 const uint64_t *mods);

/* ---------------------------------------------------------- reading */

/* A cursor over in[0..left); `bad` is set, and stays set, as soon as a
 * read would pass the end: every read after that returns zeros.  A body
 * reader made by bfv_rd_header also remembers its object (start, and the
 * header + body length `sealed`) for bfv_rd_finish. */
typedef struct {
    const uint8_t *p;
    size_t left;
    int bad;
    const uint8_t *start;
    size_t sealed;
    unsigned version; /* the object's format, which names its checksum */
} bfv_rd_t;

/* The checksum of in[0..len) in format `version`: 1, BLAKE2b-128; 2,
 * Poly1305 under a fixed public key (about four times faster). */
void bfv_checksum(uint8_t out[BFV_SERIAL_CHECKSUM_BYTES], const uint8_t *in,
                  size_t len, unsigned version);

uint32_t bfv_rd_u32(bfv_rd_t *r);
uint64_t bfv_rd_u64(bfv_rd_t *r);
/* A pointer to the next len bytes (NULL and bad if fewer are left). */
const uint8_t *bfv_rd_bytes(bfv_rd_t *r, size_t len);

/* Read and check a header: magic, version, type == want, flags within
 * `allowed`, the body and checksum within the input, and, when hash !=
 * NULL, the parameter hash.  On success *body is a reader over exactly the
 * body, *flags the flags, and *used (if used != NULL) the object's total
 * length; with used == NULL the object must fill the input exactly.
 * VEIL_EFORMAT otherwise. */
veil_status bfv_rd_header(bfv_rd_t *body, unsigned *flags, size_t *used,
                          const uint8_t *in, size_t len, bfv_serial_type_t want,
                          unsigned allowed,
                          const uint8_t hash[BFV_PARAMS_HASH_BYTES]);

/* 1 if the body was read without error and to its end and the checksum
 * after it is right, else 0.  Deserializers call it once everything has
 * been parsed and range-checked, before any costly work (seed expansion,
 * NTTs) and before committing to the output. */
int bfv_rd_finish(const bfv_rd_t *body);

/* Unpack rows as bfv_wr_rows wrote them; 0 (and r->bad) if the input is
 * short or a value is not below its row's modulus, else 1. */
int bfv_rd_rows(bfv_rd_t *r, uint64_t *rows, size_t nrows, size_t n,
                const uint64_t *mods);

/* ---------------------------------------------------------- params */

/* The parameter-set body (doc/09): n, t (u64), n_q, n_p, security,
 * allow_insecure (u32), the q_i and p_j (u64).  The reader checks the
 * counts (1..BFV_MAX_Q, 1..BFV_MAX_P) and the flag (0 or 1), nothing
 * else (bfv_params_check does); 0 if malformed or short. */
size_t bfv_params_body_bytes(const bfv_params_t *p);
void bfv_wr_params_body(bfv_wr_t *w, const bfv_params_t *p);
int bfv_rd_params_body(bfv_rd_t *r, bfv_params_t *p, int allow_insecure);

/* ---------------------------------------------------------- sizes */

/* Bits per residue mod m: bitlen(m - 1), m >= 2. */
unsigned bfv_bits(uint64_t m);

/* Bytes of nrows packed rows of n values (n a multiple of 8). */
size_t bfv_rows_bytes(size_t nrows, size_t n, const uint64_t *mods);

/* The primes of QP in row order (plans[i].q), for the packers. */
void bfv_qp_moduli(uint64_t *mods, const bfv_context_t *ctx);

/* The hash of ctx's parameters (serial_params.c). */
void bfv_ctx_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES],
                  const bfv_context_t *ctx);

#endif /* VEIL_BFV_SERIAL_INTERNAL_H */
