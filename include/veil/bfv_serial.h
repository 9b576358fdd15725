/*
 * bfv_serial.h - versioned binary formats for BFV parameter sets, keys,
 * plaintexts and ciphertexts, and their CRT variants
 * (doc/09-serialization.md gives every format as a byte table).
 *
 * Every object travels as a 48-byte header, a body and a checksum:
 *
 *   offset   size  field
 *   0        4     magic "VBFV"
 *   4        2     format version (BFV_SERIAL_VERSION), little-endian
 *   6        1     object type (bfv_serial_type_t)
 *   7        1     flags (BFV_SERIAL_FLAG_SEEDED; other bits must be 0)
 *   8        8     body length B in bytes, little-endian
 *   16       32    parameter hash (bfv_params_hash) of the context
 *   48       B     body
 *   48 + B   16    checksum of bytes [0, 48 + B): Poly1305 under a fixed,
 *                  public key (format 2; format 1, still read, used
 *                  BLAKE2b-128)
 *
 * The checksum (integrity against corruption, not against an attacker, who
 * can recompute it: its key is public) makes any damaged byte an error
 * instead of a different valid object.
 *
 * All integers are little-endian.  Residues mod a prime q are bit-packed
 * with bitlen(q - 1) bits each (an n-coefficient row takes n bitlen / 8
 * bytes, n being a multiple of 8), least significant bit first, so the
 * bytes never depend on the machine.  Polynomials are sent in the NTT form
 * they are stored in (bfv.h): NTT form is part of the parameter set.
 *
 * Seed compression.  The uniform part of a public key, of every
 * key-switching key and of a fresh symmetric ciphertext is the expansion
 * of a 32-byte seed (bfv_internal.h); such objects travel as the seed
 * instead, about half the size.  Keys made by veil always have a seed and
 * are always sent seeded; a ciphertext is sent seeded while ct->seeded is
 * set (a fresh symmetric encryption), unless BFV_SERIAL_FULL is asked for.
 *
 * Deserializers trust nothing: they check the magic, version, type,
 * flags, the body length against what the receiving context implies, the
 * parameter hash against the receiving context, every count and element
 * (Galois elements odd, sorted, in range), every residue against its
 * modulus and the checksum, and return VEIL_EFORMAT on any violation,
 * never reading outside [in, in + len).  The receiving object must have been
 * initialised with the context the data is meant for; on failure it is left
 * valid with unspecified contents (Galois key sets: unchanged).  With used ==
 * NULL the input must be exactly one object (trailing bytes are VEIL_EFORMAT);
 * otherwise *used receives the bytes consumed and trailing bytes are
 * allowed (streams of several objects).
 *
 * Serializers: `size` functions return the exact byte count (0 for an
 * invalid object); `serialize` writes into out[0..cap) and stores the
 * length in *len: VEIL_EINVAL (NULL, bad object), VEIL_ERANGE (cap too
 * small; nothing useful written).  Secret-key and plaintext buffers are the
 * caller's to wipe (veil_memzero).
 */
#ifndef VEIL_BFV_SERIAL_H
#define VEIL_BFV_SERIAL_H

#include "veil/bfv.h"
#include "veil/bfv_crt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BFV_SERIAL_VERSION 2        /* written; format 1 is still read */
#define BFV_SERIAL_VERSION_OLDEST 1 /* the oldest format read */
#define BFV_SERIAL_HEADER_BYTES 48
#define BFV_SERIAL_CHECKSUM_BYTES 16
#define BFV_PARAMS_HASH_BYTES 32

typedef enum {
    BFV_SERIAL_PARAMS = 1,
    BFV_SERIAL_SECRET_KEY = 2,
    BFV_SERIAL_PUBLIC_KEY = 3,
    BFV_SERIAL_RELIN_KEY = 4,
    BFV_SERIAL_GALOIS_KEYS = 5,
    BFV_SERIAL_PLAINTEXT = 6,
    BFV_SERIAL_CIPHERTEXT = 7,
    BFV_SERIAL_CRT_PARAMS = 8,
    BFV_SERIAL_CRT_CIPHERTEXT = 9,
    BFV_SERIAL_MS_CIPHERTEXT = 10,
    BFV_SERIAL_RINGSW_KEY = 11
} bfv_serial_type_t;

/* Header flag: the body carries a seed instead of a uniform polynomial. */
#define BFV_SERIAL_FLAG_SEEDED 1u

/* Header flag (modulus-switched ciphertexts): the power-of-two form. */
#define BFV_SERIAL_FLAG_POW2 2u

/* Serializer option for ciphertexts: always send both polynomials. */
#define BFV_SERIAL_FULL 1u

/* ------------------------------------------------------------ parameters */

/* BLAKE2b-256 (libsodium crypto_generichash) of the canonical encoding of
 * every field of p: n, the ciphertext primes, the special primes, t, the
 * security level and allow_insecure (doc/09), so that an object made under
 * one security policy never loads under another.  For a CRT set: the base
 * parameters (also security and allow_insecure), k and t_0..t_{k-1}.
 * VEIL_EINVAL (NULL, counts above BFV_MAX_Q / BFV_MAX_P / BFV_CRT_MAX). */
VEIL_EXPORT veil_status bfv_params_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES],
                                        const bfv_params_t *p) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_params_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES],
                                            const bfv_crt_params_t *p) VEIL_WUR;

/* Read the header of a serialized object: its type and total length
 * (header + body + checksum), for framing.  Checks magic, version and the type
 * range only.  VEIL_EFORMAT (also when len < BFV_SERIAL_HEADER_BYTES),
 * VEIL_EINVAL (NULL). */
VEIL_EXPORT veil_status bfv_serial_peek(bfv_serial_type_t *type,
                                        uint64_t *total, const uint8_t *in,
                                        size_t len) VEIL_WUR;

/* Parameter sets.  The deserializer also runs bfv_params_check (a set it
 * refuses is VEIL_EFORMAT) and refuses bytes whose allow_insecure field is
 * set: parsed parameters always meet their security level (>= 128 bits).
 * Only the _insecure variants, for a LOCAL caller that decides in code to
 * accept toy parameters (tests, examples), take the flag from the bytes. */
VEIL_EXPORT size_t bfv_params_serial_size(const bfv_params_t *p);
VEIL_EXPORT veil_status bfv_params_serialize(uint8_t *out, size_t cap,
                                             size_t *len,
                                             const bfv_params_t *p) VEIL_WUR;
VEIL_EXPORT veil_status bfv_params_deserialize(bfv_params_t *p,
                                               const uint8_t *in, size_t len,
                                               size_t *used) VEIL_WUR;
VEIL_EXPORT veil_status bfv_params_deserialize_insecure(bfv_params_t *p,
                                                        const uint8_t *in,
                                                        size_t len,
                                                        size_t *used) VEIL_WUR;

/* ------------------------------------------------------------------ keys */

/* The secret key: n ternary coefficients, 2 bits each (wipe the buffer). */
VEIL_EXPORT size_t bfv_secret_key_serial_size(const bfv_secret_key_t *sk);
VEIL_EXPORT veil_status bfv_secret_key_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_secret_key_t *sk) VEIL_WUR;
VEIL_EXPORT veil_status bfv_secret_key_deserialize(bfv_secret_key_t *sk,
                                                   const uint8_t *in,
                                                   size_t len,
                                                   size_t *used) VEIL_WUR;

/* The public key: b and the seed of a. */
VEIL_EXPORT size_t bfv_public_key_serial_size(const bfv_public_key_t *pk);
VEIL_EXPORT veil_status bfv_public_key_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_public_key_t *pk) VEIL_WUR;
VEIL_EXPORT veil_status bfv_public_key_deserialize(bfv_public_key_t *pk,
                                                   const uint8_t *in,
                                                   size_t len,
                                                   size_t *used) VEIL_WUR;

/* The relinearization key: the seed and every digit's b_d. */
VEIL_EXPORT size_t bfv_relin_key_serial_size(const bfv_relin_key_t *rk);
VEIL_EXPORT veil_status bfv_relin_key_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_relin_key_t *rk) VEIL_WUR;
VEIL_EXPORT veil_status bfv_relin_key_deserialize(bfv_relin_key_t *rk,
                                                  const uint8_t *in, size_t len,
                                                  size_t *used) VEIL_WUR;

/* A Galois key set: per key its element, seed and digits.  The
 * deserializer replaces the keys gk held (gk must be initialised). */
VEIL_EXPORT size_t bfv_galois_keys_serial_size(const bfv_galois_keys_t *gk);
VEIL_EXPORT veil_status
bfv_galois_keys_serialize(uint8_t *out, size_t cap, size_t *len,
                          const bfv_galois_keys_t *gk) VEIL_WUR;
VEIL_EXPORT veil_status bfv_galois_keys_deserialize(bfv_galois_keys_t *gk,
                                                    const uint8_t *in,
                                                    size_t len,
                                                    size_t *used) VEIL_WUR;

/* ---------------------------------------------- plaintexts, ciphertexts */

/* A plaintext: n coefficients mod t (wipe the buffer if it is secret). */
VEIL_EXPORT size_t bfv_plaintext_serial_size(const bfv_plaintext_t *pt);
VEIL_EXPORT veil_status bfv_plaintext_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_plaintext_t *pt) VEIL_WUR;
VEIL_EXPORT veil_status bfv_plaintext_deserialize(bfv_plaintext_t *pt,
                                                  const uint8_t *in, size_t len,
                                                  size_t *used) VEIL_WUR;

/* A ciphertext of size 2 or 3; seeded when ct->seeded and not
 * (flags & BFV_SERIAL_FULL).  flags: 0 or BFV_SERIAL_FULL. */
VEIL_EXPORT size_t bfv_ciphertext_serial_size(const bfv_ciphertext_t *ct,
                                              unsigned flags);
VEIL_EXPORT veil_status bfv_ciphertext_serialize(uint8_t *out, size_t cap,
                                                 size_t *len,
                                                 const bfv_ciphertext_t *ct,
                                                 unsigned flags) VEIL_WUR;
VEIL_EXPORT veil_status bfv_ciphertext_deserialize(bfv_ciphertext_t *ct,
                                                   const uint8_t *in,
                                                   size_t len,
                                                   size_t *used) VEIL_WUR;

/* ------------------------------------- modulus-switched ciphertexts */

/* A ciphertext switched to its first l primes (bfv_mod_switch, bfv.h).
 * Header as every object (flags 0; the parameter hash is that of the full
 * context).  Body: size (u32, 2 or 3), l (u32, 1 <= l <= n_q of the
 * receiving context), then the size polynomials, each as its l rows mod
 * q_0 .. q_{l-1}, bit-packed as every row: about l / n_q of the bytes of
 * the full ciphertext.  The deserializer checks size and l, the body
 * length against them before writing anything (so it never needs more than
 * the 3 n_q n words ct holds since init), every residue and the checksum;
 * VEIL_EFORMAT on any violation.  It cannot judge the noise: a receiver
 * that expects a number of limbs compares ct->limbs itself.
 * The power-of-two form (bfv_ms_compress, bfv.h) has flag
 * BFV_SERIAL_FLAG_POW2 and the body: size (u32, 2), l (u32, 1), b0 and b1
 * (u32), then c_0 in b0 bits and c_1 in b1 bits per coefficient (n (b0 +
 * b1) / 8 bytes: no range to check, every b-bit value is a residue mod
 * 2^b).  The deserializer accepts only the pairs bfv_ms_compress accepts
 * (1 <= b0 <= b1 <= BFV_MS_MAX_BITS, q_0 q_1 > 2 n 2^b1, rounding below
 * 1/2), checked with the length before anything is written. */
VEIL_EXPORT size_t bfv_ms_ciphertext_serial_size(const bfv_ms_ciphertext_t *ct);
VEIL_EXPORT veil_status
bfv_ms_ciphertext_serialize(uint8_t *out, size_t cap, size_t *len,
                            const bfv_ms_ciphertext_t *ct) VEIL_WUR;
VEIL_EXPORT veil_status bfv_ms_ciphertext_deserialize(bfv_ms_ciphertext_t *ct,
                                                      const uint8_t *in,
                                                      size_t len,
                                                      size_t *used) VEIL_WUR;

/* ------------------------------------------------- ring-switching keys */

/* A ring-switching key (bfv.h, bfv_ringsw_key_t): the header binds the big
 * ring's context (its parameter hash); the body is the subring's dimension
 * (u32, n/2), the seed of a (32 bytes), then b mod q_0 and b mod P (n
 * residues each, bit-packed as every row).  The reader holds k initialised
 * (bfv_ringsw_key_init) for its own contexts: nothing in the bytes chooses
 * a parameter.  It checks the dimension and the body length against them
 * before writing, every residue, the checksum (VEIL_EFORMAT), then expands
 * a from the seed. */
VEIL_EXPORT size_t bfv_ringsw_key_serial_size(const bfv_ringsw_key_t *k);
VEIL_EXPORT veil_status bfv_ringsw_key_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_ringsw_key_t *k) VEIL_WUR;
VEIL_EXPORT veil_status bfv_ringsw_key_deserialize(bfv_ringsw_key_t *k,
                                                   const uint8_t *in,
                                                   size_t len,
                                                   size_t *used) VEIL_WUR;

/* -------------------------------------------------------- CRT variants */

/* A CRT parameter set (body: the base set's body, k, t_0..t_{k-1}). */
VEIL_EXPORT size_t bfv_crt_params_serial_size(const bfv_crt_params_t *p);
VEIL_EXPORT veil_status bfv_crt_params_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_crt_params_t *p) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_params_deserialize(bfv_crt_params_t *p,
                                                   const uint8_t *in,
                                                   size_t len,
                                                   size_t *used) VEIL_WUR;
/* As above, for a local caller that accepts insecure sets (the flag in the
 * bytes is then honoured); never for bytes from a peer. */
VEIL_EXPORT veil_status bfv_crt_params_deserialize_insecure(
    bfv_crt_params_t *p, const uint8_t *in, size_t len, size_t *used) VEIL_WUR;

/* A CRT ciphertext: k, then the k component ciphertexts, each a complete
 * serialized ciphertext of its component context (same flags). */
VEIL_EXPORT size_t
bfv_crt_ciphertext_serial_size(const bfv_crt_ciphertext_t *ct, unsigned flags);
VEIL_EXPORT veil_status bfv_crt_ciphertext_serialize(
    uint8_t *out, size_t cap, size_t *len, const bfv_crt_ciphertext_t *ct,
    unsigned flags) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_ciphertext_deserialize(bfv_crt_ciphertext_t *ct,
                                                       const uint8_t *in,
                                                       size_t len,
                                                       size_t *used) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_BFV_SERIAL_H */
