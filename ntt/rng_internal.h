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
