/*
 * aes.h - the AES-128 round loop with AES-NI, the one every AES-NI kernel
 * uses (aesni/aes.c, aesni/hash.c, gc/aesni/garble.c): load a key
 * schedule, encrypt n independent blocks with the rounds interleaved across
 * them so that the AESENC latency (4 cycles, 1-2 per cycle throughput) is
 * hidden, and GKWY20's sigma.  Include only from files compiled with
 * -maes -msse4.1.
 */
#ifndef VEIL_MPC_AESNI_AES_H
#define VEIL_MPC_AESNI_AES_H

#include "veil/mpc_aes.h"
#include <immintrin.h>

static inline void aesni_load_key(__m128i k[11], const mpc_aes_key_t *key)
{
    for (int r = 0; r < 11; r++)
        k[r] = _mm_load_si128((const __m128i *)&key->rk[r]);
}

/* b[j] = AES_k(b[j]) for j < n, round by round across the n blocks; with
 * a constant n (after inlining) the loops unroll and b stays in
 * registers. */
static inline __attribute__((always_inline)) void aesni_enc(__m128i *b, int n,
                                                            const __m128i k[11])
{
#pragma GCC unroll 32
    for (int j = 0; j < n; j++)
        b[j] = _mm_xor_si128(b[j], k[0]);
    for (int r = 1; r < 10; r++) {
#pragma GCC unroll 32
        for (int j = 0; j < n; j++)
            b[j] = _mm_aesenc_si128(b[j], k[r]);
    }
#pragma GCC unroll 32
    for (int j = 0; j < n; j++)
        b[j] = _mm_aesenclast_si128(b[j], k[10]);
}

/* sigma(xL || xR) = (xL ^ xR || xL): swap the halves, XOR the high half
 * in. */
static inline __m128i aesni_sigma(__m128i x)
{
    const __m128i hi = _mm_set_epi64x(-1, 0);
    return _mm_xor_si128(_mm_shuffle_epi32(x, 0x4e), _mm_and_si128(x, hi));
}

#endif
