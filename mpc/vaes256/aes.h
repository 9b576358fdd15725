/*
 * aes.h - the AES-128 round loop with VAES on 256-bit registers, the one
 * every VAES-256 kernel uses (vaes256/aes.c, vaes256/hash.c,
 * gc/vaes256/garble.c): two blocks per register, the round keys broadcast
 * to both lanes.  CPUs with VAES but no AVX-512 (AMD Zen 3) run two
 * VAESENC ymm per cycle, four blocks, twice AES-NI's rate.  Also the
 * helpers those kernels share (one-block tails, counter blocks, sigma, the
 * one-pass loop).  Include only from files compiled with -mavx2 -mvaes.
 */
#ifndef VEIL_MPC_VAES256_AES_H
#define VEIL_MPC_VAES256_AES_H

#include "veil/mpc_aes.h"
#include <immintrin.h>

static inline void vaes256_load_key(__m256i k[11], const mpc_aes_key_t *key)
{
    for (int r = 0; r < 11; r++)
        k[r] = _mm256_broadcastsi128_si256(
            _mm_load_si128((const __m128i *)&key->rk[r]));
}

/* b[j] = AES_k(b[j]) (two blocks each) for j < n, the rounds interleaved
 * across the registers; with a constant n the loops unroll.  Sixteen ymm
 * registers hold at most eight states and the keys, so callers keep n <= 8
 * (more spills). */
static inline __attribute__((always_inline)) void
vaes256_enc(__m256i *b, int n, const __m256i k[11])
{
#pragma GCC unroll 16
    for (int j = 0; j < n; j++)
        b[j] = _mm256_xor_si256(b[j], k[0]);
    for (int r = 1; r < 10; r++) {
#pragma GCC unroll 16
        for (int j = 0; j < n; j++)
            b[j] = _mm256_aesenc_epi128(b[j], k[r]);
    }
#pragma GCC unroll 16
    for (int j = 0; j < n; j++)
        b[j] = _mm256_aesenclast_epi128(b[j], k[10]);
}

/* Blocks p[0], p[1] (two == 1) or p[0] and a zero block (two == 0). */
static inline __m256i vaes256_load(const mpc_block_t *p, int two)
{
    if (two)
        return _mm256_loadu_si256((const __m256i *)p);
    return _mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)p));
}

/* Stores both blocks of x (two == 1) or the low one. */
static inline void vaes256_store(mpc_block_t *p, __m256i x, int two)
{
    if (two)
        _mm256_storeu_si256((__m256i *)p, x);
    else
        _mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(x));
}

/* Counter blocks c, c + 1 (low qword; high qword 0). */
static inline __m256i vaes256_counters(uint64_t c)
{
    return _mm256_set_epi64x(0, (long long)(c + 1), 0, (long long)c);
}

/* sigma(xL || xR) = (xL ^ xR || xL) in each lane, xL the high qword. */
static inline __m256i vaes256_sigma(__m256i x)
{
    const __m256i hi = _mm256_set_epi64x(-1, 0, -1, 0);
    return _mm256_xor_si256(_mm256_shuffle_epi32(x, 0x4e),
                            _mm256_and_si256(x, hi));
}

#define VAES256_W 8 /* registers in flight in the many-block kernels */

/* The common loop of ECB and the one-pass hashes: out = POST(AES(x), x)
 * for x = PRE(in); inputs below MPC_VAES_MIN_BLOCKS go to SHORT (the
 * AES-NI kernel). */
#define VAES256_ONE_PASS(NAME, PRE, POST, SHORT)                               \
    void NAME(mpc_block_t *out, const mpc_aes_key_t *key,                      \
              const mpc_block_t *in, size_t n)                                 \
    {                                                                          \
        __m256i k[11], x[VAES256_W], b[VAES256_W];                             \
        size_t i = 0;                                                          \
        if (n < MPC_VAES_MIN_BLOCKS) {                                         \
            SHORT(out, key, in, n);                                            \
            return;                                                            \
        }                                                                      \
        vaes256_load_key(k, key);                                              \
        for (; i + 2 * VAES256_W <= n; i += 2 * VAES256_W) {                   \
            for (int j = 0; j < VAES256_W; j++) {                              \
                x[j] = PRE(vaes256_load(&in[i + 2 * j], 1));                   \
                b[j] = x[j];                                                   \
            }                                                                  \
            vaes256_enc(b, VAES256_W, k);                                      \
            for (int j = 0; j < VAES256_W; j++)                                \
                vaes256_store(&out[i + 2 * j], POST(b[j], x[j]), 1);           \
        }                                                                      \
        for (; i < n; i += 2) {                                                \
            int two = n - i >= 2;                                              \
            x[0] = PRE(vaes256_load(&in[i], two));                             \
            b[0] = x[0];                                                       \
            vaes256_enc(b, 1, k);                                              \
            vaes256_store(&out[i], POST(b[0], x[0]), two);                     \
        }                                                                      \
    }

#endif
