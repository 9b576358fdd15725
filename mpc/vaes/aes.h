/*
 * aes.h - the AES-128 round loop with VAES on 512-bit registers, the one
 * every VAES kernel uses (vaes/aes.c, vaes/hash.c, gc/vaes/garble.c): four
 * blocks per register, the round keys broadcast to all four lanes, up to
 * VAES_MAX registers in flight.  Also the helpers those kernels share
 * (tail masks, counter blocks, sigma, the one-pass loop).  Include only
 * from files compiled with -mavx512f -mavx512bw -mvaes.
 */
#ifndef VEIL_MPC_VAES_AES_H
#define VEIL_MPC_VAES_AES_H

#include "veil/mpc_aes.h"
#include <immintrin.h>

#define VAES_MAX 16 /* most registers one call encrypts */

static inline void vaes_load_key(__m512i k[11], const mpc_aes_key_t *key)
{
    for (int r = 0; r < 11; r++)
        k[r] = _mm512_broadcast_i32x4(
            _mm_load_si128((const __m128i *)&key->rk[r]));
}

/* b[j] = AES_k(b[j]) (four blocks each) for j < n <= VAES_MAX, the rounds
 * interleaved across the registers; with a constant n the loops unroll
 * and b stays in registers. */
static inline __attribute__((always_inline)) void vaes_enc(__m512i *b, int n,
                                                           const __m512i k[11])
{
#pragma GCC unroll 16
    for (int j = 0; j < VAES_MAX; j++)
        if (j < n)
            b[j] = _mm512_xor_si512(b[j], k[0]);
    for (int r = 1; r < 10; r++) {
#pragma GCC unroll 16
        for (int j = 0; j < VAES_MAX; j++)
            if (j < n)
                b[j] = _mm512_aesenc_epi128(b[j], k[r]);
    }
#pragma GCC unroll 16
    for (int j = 0; j < VAES_MAX; j++)
        if (j < n)
            b[j] = _mm512_aesenclast_epi128(b[j], k[10]);
}

/* Mask of the qwords of the first `blocks` (< 4) blocks. */
static inline __mmask8 vaes_tail_mask(size_t blocks)
{
    return (__mmask8)((1u << (2 * blocks)) - 1);
}

/* Counter blocks c .. c + 3 (low qword; high qword 0). */
static inline __m512i vaes_counters(uint64_t c)
{
    return _mm512_set_epi64(0, (long long)(c + 3), 0, (long long)(c + 2), 0,
                            (long long)(c + 1), 0, (long long)c);
}

/* sigma(xL || xR) = (xL ^ xR || xL) in each lane, xL the high qword. */
static inline __m512i vaes_sigma(__m512i x)
{
    const __m512i hi = _mm512_set_epi64(-1, 0, -1, 0, -1, 0, -1, 0);
    return _mm512_xor_si512(_mm512_shuffle_epi32(x, _MM_PERM_BADC),
                            _mm512_and_si512(x, hi));
}

#define VAES_W 8 /* registers in flight in the many-block kernels */

/* The common loop of ECB and the one-pass hashes: out = POST(AES(x), x)
 * for x = PRE(in); inputs below MPC_VAES_MIN_BLOCKS go to SHORT (the
 * AES-NI kernel). */
#define VAES_ONE_PASS(NAME, PRE, POST, SHORT)                                  \
    void NAME(mpc_block_t *out, const mpc_aes_key_t *key,                      \
              const mpc_block_t *in, size_t n)                                 \
    {                                                                          \
        __m512i k[11], x[VAES_W], b[VAES_W];                                   \
        size_t i = 0;                                                          \
        if (n < MPC_VAES_MIN_BLOCKS) {                                         \
            SHORT(out, key, in, n);                                            \
            return;                                                            \
        }                                                                      \
        vaes_load_key(k, key);                                                 \
        for (; i + 4 * VAES_W <= n; i += 4 * VAES_W) {                         \
            for (int j = 0; j < VAES_W; j++) {                                 \
                x[j] = PRE(_mm512_loadu_si512((const void *)&in[i + 4 * j]));  \
                b[j] = x[j];                                                   \
            }                                                                  \
            vaes_enc(b, VAES_W, k);                                            \
            for (int j = 0; j < VAES_W; j++)                                   \
                _mm512_storeu_si512((void *)&out[i + 4 * j],                   \
                                    POST(b[j], x[j]));                         \
        }                                                                      \
        for (; i < n; i += 4) {                                                \
            __mmask8 m = n - i >= 4 ? 0xff : vaes_tail_mask(n - i);            \
            x[0] = PRE(_mm512_maskz_loadu_epi64(m, (const void *)&in[i]));     \
            b[0] = x[0];                                                       \
            vaes_enc(b, 1, k);                                                 \
            _mm512_mask_storeu_epi64((void *)&out[i], m, POST(b[0], x[0]));    \
        }                                                                      \
    }

#endif
