/*
 * mpc_aes.h - AES-128 for the two-party protocols: 128-bit
 * blocks, the key schedule, many-block ECB and CTR encryption, a CTR-mode
 * PRG, and the fixed-key AES hash functions of Guo, Katz, Wang and Yu,
 * "Efficient and Secure Multiparty Computation from Fixed-Key Block Ciphers"
 * (IEEE S&P 2020; GKWY20 below).  See doc/20-two-party.md.
 *
 * Three implementations give identical results: a portable, constant-time
 * software AES (the reference, used on CPUs without AES instructions and
 * under VEIL_ISA=scalar), AES-NI (VEIL_ISA=avx2 and avx512) and VAES on
 * 512-bit registers for long inputs (avx512, where the CPU has VAES).  The
 * active path (veil_isa_active) picks one; a key made under one path works
 * with every other.  The functions that take an initialised key are hot
 * kernels: they return void and assume the key came from a successful
 * mpc_aes_init / mpc_aes_init_fixed / mpc_prg_init.
 *
 * Blocks are 16 bytes, 16-byte aligned.  w[0] holds bytes 0..7 (the low half
 * of an __m128i loaded from the block), w[1] bytes 8..15; a block can be
 * loaded with _mm_load_si128((const __m128i *)blk).
 */
#ifndef VEIL_MPC_AES_H
#define VEIL_MPC_AES_H

#include "veil/veil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One 128-bit block: an AES block, a wire label, an OT message. */
typedef struct {
    _Alignas(16) uint64_t w[2];
} mpc_block_t;

/* An expanded AES-128 encryption key: rk[0] is XORed in first, rk[1..9] go
 * to AESENC and rk[10] to AESENCLAST (the order a hand-written AES-NI loop
 * uses, so garbling code can load the round keys directly).  Public keys
 * (fixed-key hashing) need no wiping; secret ones are wiped by
 * mpc_aes_clear. */
typedef struct {
    mpc_block_t rk[11];
} mpc_aes_key_t;

/* 1 if the active path uses AES instructions (AES-NI or VAES), 0 if it
 * uses the portable software AES.  AES works either way. */
VEIL_EXPORT int mpc_aes_available(void);

/* The AES implementation of the active path: "portable", "aesni",
 * "vaes256" (VAES on 256-bit registers: the avx2 path on CPUs with VAES)
 * or "vaes512" (the avx512 path) (static string). */
VEIL_EXPORT const char *mpc_aes_kernel_name(void);

/* Expand the 128-bit key `user` into *key (FIPS-197 section 5.2).
 * VEIL_EINVAL if an argument is NULL. */
VEIL_EXPORT veil_status mpc_aes_init(mpc_aes_key_t *key,
                                     const mpc_block_t *user) VEIL_WUR;

/* The public fixed key of fixed-key hashing, expanded into *key: the first
 * 128 bits of the fractional part of pi, w[1] = 0x243f6a8885a308d3 and
 * w[0] = 0x13198a2e03707344.  Both parties
 * derive the same permutation.  Status as mpc_aes_init. */
VEIL_EXPORT veil_status mpc_aes_init_fixed(mpc_aes_key_t *key) VEIL_WUR;

/* Wipe a key schedule; safe to call twice. */
VEIL_EXPORT void mpc_aes_clear(mpc_aes_key_t *key);

/* ECB: out[j] = AES_key(in[j]) for j < n, eight blocks in flight.
 * out == in is allowed; other overlaps are not. */
VEIL_EXPORT void mpc_aes_ecb(mpc_block_t *out, const mpc_aes_key_t *key,
                             const mpc_block_t *in, size_t n);

/* CTR: out[j] = AES_key(ctr + j) for j < n, where the counter block has
 * w[0] = ctr + j (mod 2^64) and w[1] = 0. */
VEIL_EXPORT void mpc_aes_ctr(mpc_block_t *out, const mpc_aes_key_t *key,
                             uint64_t ctr, size_t n);

/* CTR with the key stream added to up to two inputs: out[j] = AES_key(ctr
 * + j) ^ x[j] ^ y[j] for j < n (counter blocks as for mpc_aes_ctr); x or
 * y may be NULL (no term) and either may equal out; other overlaps are
 * not allowed; x and y need no alignment beyond a byte's.  One pass over memory
 * where CTR followed by XOR loops would make three (IKNP's column streams,
 * mpc/ot/iknp.c). */
VEIL_EXPORT void mpc_aes_ctr_xor(mpc_block_t *out, const mpc_aes_key_t *key,
                                 uint64_t ctr, size_t n, const mpc_block_t *x,
                                 const mpc_block_t *y);

/* ------------------------------------------------------------ the PRG */

/* A pseudo-random generator: AES-128 in counter mode keyed by a 128-bit
 * seed.  Equal seeds give equal streams on every machine (that is how the
 * IKNP parties expand their base-OT seeds).  Not for two threads at once. */
typedef struct {
    mpc_aes_key_t key;
    uint64_t ctr;    /* next counter value */
    unsigned pos;    /* next unread byte of buf (16 = empty) */
    mpc_block_t buf; /* last block, partly consumed */
} mpc_prg_t;

/* Key the generator with `seed`; counter 0.  Status as mpc_aes_init. */
VEIL_EXPORT veil_status mpc_prg_init(mpc_prg_t *g,
                                     const mpc_block_t *seed) VEIL_WUR;

/* Wipe the generator; safe to call twice. */
VEIL_EXPORT void mpc_prg_clear(mpc_prg_t *g);

/* The next n blocks of the stream (block aligned: a partly read block is
 * dropped first). */
VEIL_EXPORT void mpc_prg_blocks(mpc_prg_t *g, mpc_block_t *out, size_t n);

/* The next len bytes of the stream. */
VEIL_EXPORT void mpc_prg_bytes(mpc_prg_t *g, void *out, size_t len);

/* -------------------------------------------- fixed-key AES hashing */

/* pi below is AES under a public fixed key (mpc_aes_init_fixed), modelled
 * as a random permutation; sigma(xL || xR) = (xL ^ xR || xL) is GKWY20's
 * linear orthomorphism, where xL = w[1] is the high half, xR = w[0].  All
 * three allow out == in. */

/* Correlation-robust hash (GKWY20, MMO construction):
 * out[j] = pi(in[j]) ^ in[j]. */
VEIL_EXPORT void mpc_hash_cr(mpc_block_t *out, const mpc_aes_key_t *pi,
                             const mpc_block_t *in, size_t n);

/* Circular correlation-robust hash (GKWY20, MMO with sigma):
 * out[j] = pi(sigma(in[j])) ^ sigma(in[j]). */
VEIL_EXPORT void mpc_hash_ccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                              const mpc_block_t *in, size_t n);

/* Tweakable circular correlation-robust hash (GKWY20's TMMO):
 * out[j] = pi(pi(in[j]) ^ i) ^ pi(in[j]) with tweak i = tweak + j placed in
 * w[0] of a block whose w[1] is 0.  Two AES calls per block.  A tweak must
 * never repeat under the same secret correlation. */
VEIL_EXPORT void mpc_hash_tccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                               const mpc_block_t *in, uint64_t tweak, size_t n);

/* sigma(x) = (xL ^ xR || xL), see above. */
static inline mpc_block_t mpc_block_sigma(mpc_block_t x)
{
    mpc_block_t y;
    y.w[1] = x.w[1] ^ x.w[0];
    y.w[0] = x.w[1];
    return y;
}

static inline mpc_block_t mpc_block_xor(mpc_block_t a, mpc_block_t b)
{
    mpc_block_t y;
    y.w[0] = a.w[0] ^ b.w[0];
    y.w[1] = a.w[1] ^ b.w[1];
    return y;
}

static inline int mpc_block_eq(mpc_block_t a, mpc_block_t b)
{
    return a.w[0] == b.w[0] && a.w[1] == b.w[1];
}

#ifdef __cplusplus
}
#endif
#endif /* VEIL_MPC_AES_H */
