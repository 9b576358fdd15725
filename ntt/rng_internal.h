/*
 * rng_internal.h - private to ntt/rng.c and its SIMD kernels
 * (ntt/avx2/chacha_avx2.c, ntt/avx512/chacha_avx512.c): the ChaCha20
 * keystream eight or sixteen blocks at a time and the samplers fused with
 * it.  Each gives the same bytes / words as the libsodium-based code of
 * rng.c it replaces (test/ntt/rng.c).
 */
#ifndef VEIL_NTT_RNG_INTERNAL_H
#define VEIL_NTT_RNG_INTERNAL_H

#include "config.h" /* VEIL_HAVE_AVX*, whatever the includer's order */
#include "veil/veil.h"
#include <stddef.h>
#include <stdint.h>

/* Each kernel below exists per ISA (suffix _avx2, _avx512):
 *
 * veil_chacha20_*: out[0 .. 64 blocks) = ChaCha20 keystream (RFC 8439) of
 * key and nonce from block counter `counter`; counter + blocks - 1 must not
 * pass UINT32_MAX (the counter is not carried into the nonce).
 *
 * veil_chacha20_uniform_*: the words of those blocks (little-endian 64-bit,
 * in order), each masked with mask, kept when below q, written to out in
 * order; returns how many (at most 8 x blocks; out must have room for that
 * many).
 *
 * veil_cbd21_*: out[j] = popcount(in[j] & (2^21 - 1)) -
 * popcount((in[j] >> 21) & (2^21 - 1)) for j < n. */
/* The initial ChaCha20 state of a block (RFC 8439, section 2.3): the
 * constants, key and nonce as little-endian words, the counter (word 12)
 * left 0 for the kernel to set per lane. */
static inline void veil_chacha_state(uint32_t in[16], const uint8_t key[32],
                                     const uint8_t nonce[12])
{
    static const uint32_t sigma[4] = {0x61707865, 0x3320646e, 0x79622d32,
                                      0x6b206574};
    for (int j = 0; j < 4; j++)
        in[j] = sigma[j];
    for (int j = 0; j < 8; j++)
        in[4 + j] = (uint32_t)key[4 * j] | (uint32_t)key[4 * j + 1] << 8 |
                    (uint32_t)key[4 * j + 2] << 16 |
                    (uint32_t)key[4 * j + 3] << 24;
    in[12] = 0;
    for (int j = 0; j < 3; j++)
        in[13 + j] = (uint32_t)nonce[4 * j] | (uint32_t)nonce[4 * j + 1] << 8 |
                     (uint32_t)nonce[4 * j + 2] << 16 |
                     (uint32_t)nonce[4 * j + 3] << 24;
}

/* ChaCha20's twenty rounds on the state vectors x[0..16): ten double
 * rounds of four column and four diagonal quarter rounds, QR(a, b, c, d)
 * being the kernel's quarter round on its vectors. */
#define VEIL_CHACHA_ROUNDS(x, QR)                                              \
    do {                                                                       \
        for (int r_ = 0; r_ < 10; r_++) {                                      \
            QR(x[0], x[4], x[8], x[12]);                                       \
            QR(x[1], x[5], x[9], x[13]);                                       \
            QR(x[2], x[6], x[10], x[14]);                                      \
            QR(x[3], x[7], x[11], x[15]);                                      \
            QR(x[0], x[5], x[10], x[15]);                                      \
            QR(x[1], x[6], x[11], x[12]);                                      \
            QR(x[2], x[7], x[8], x[13]);                                       \
            QR(x[3], x[4], x[9], x[14]);                                       \
        }                                                                      \
    } while (0)

/* One centred binomial sample from a word: popcount of its low 21 bits
 * minus popcount of the next 21 (the kernels' tails). */
static inline int8_t veil_cbd21_word(uint64_t x)
{
    const uint64_t m21 = ((uint64_t)1 << 21) - 1;
    return (int8_t)(__builtin_popcountll(x & m21) -
                    __builtin_popcountll((x >> 21) & m21));
}

#if defined(VEIL_HAVE_AVX2)
void veil_chacha20_avx2(uint8_t *out, size_t blocks, const uint8_t key[32],
                        const uint8_t nonce[12], uint32_t counter);
size_t veil_chacha20_uniform_avx2(uint64_t *out, size_t blocks,
                                  const uint8_t key[32],
                                  const uint8_t nonce[12], uint32_t counter,
                                  uint64_t mask, uint64_t q);
void veil_cbd21_avx2(int8_t *out, const uint64_t *in, size_t n);
#endif

#if defined(VEIL_HAVE_AVX512)
void veil_chacha20_avx512(uint8_t *out, size_t blocks, const uint8_t key[32],
                          const uint8_t nonce[12], uint32_t counter);
size_t veil_chacha20_uniform_avx512(uint64_t *out, size_t blocks,
                                    const uint8_t key[32],
                                    const uint8_t nonce[12], uint32_t counter,
                                    uint64_t mask, uint64_t q);
void veil_cbd21_avx512(int8_t *out, const uint64_t *in, size_t n);
#endif

#endif /* VEIL_NTT_RNG_INTERNAL_H */
