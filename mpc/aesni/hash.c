/*
 * aes_hash.c - fixed-key AES hash functions of Guo, Katz, Wang and Yu
 * (IEEE S&P 2020), eight blocks in flight.  pi is AES-128 under a public key
 * (mpc_aes_init_fixed), modelled as a random permutation.
 *
 *   CR    H(x)    = pi(x) ^ x                     correlation robust
 *   CCR   H(x)    = pi(sigma(x)) ^ sigma(x)       circular corr. robust
 *   TCCR  H(x, i) = pi(pi(x) ^ i) ^ pi(x)         tweakable, 2 AES calls
 *
 * sigma(xL || xR) = (xL ^ xR || xL) with xL the high 64 bits: one shuffle
 * and one masked XOR.  Compiled with -maes -msse4.1 like aes.c; long inputs
 * go to aes_vaes.c where mpc_avx512_active().
 */
#include "config.h"
#include "../internal.h"

#if defined(__AES__) && defined(__SSE4_1__)
#include <immintrin.h>

static inline void load_key(__m128i k[11], const mpc_aes_key_t *key)
{
    for (int r = 0; r < 11; r++)
        k[r] = _mm_load_si128((const __m128i *)&key->rk[r]);
}

static inline void enc8(__m128i b[8], const __m128i k[11])
{
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++)
        b[j] = _mm_xor_si128(b[j], k[0]);
    for (int r = 1; r < 10; r++) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
            b[j] = _mm_aesenc_si128(b[j], k[r]);
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++)
        b[j] = _mm_aesenclast_si128(b[j], k[10]);
}

static inline __m128i sigma(__m128i x)
{
    const __m128i hi = _mm_set_epi64x(-1, 0);
    return _mm_xor_si128(_mm_shuffle_epi32(x, 0x4e), _mm_and_si128(x, hi));
}

/* Each function works on groups of eight blocks; the last group (cnt < 8
 * blocks) runs through the same kernel with zero lanes that are not
 * stored, which keeps one code path. */
void mpc_hash_cr(mpc_block_t *out, const mpc_aes_key_t *pi,
                 const mpc_block_t *in, size_t n)
{
    __m128i k[11], x[8], b[8];
    if (n >= MPC_VAES_MIN_BLOCKS && mpc_avx512_active()) {
        mpc_hash_cr_vaes(out, pi, in, n);
        return;
    }
    load_key(k, pi);
    for (size_t i = 0; i < n; i += 8) {
        size_t cnt = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < 8; j++)
            x[j] = j < cnt ? _mm_load_si128((const __m128i *)&in[i + j])
                           : _mm_setzero_si128();
        for (int j = 0; j < 8; j++)
            b[j] = x[j];
        enc8(b, k);
        for (size_t j = 0; j < cnt; j++)
            _mm_store_si128((__m128i *)&out[i + j], _mm_xor_si128(b[j], x[j]));
    }
}

void mpc_hash_ccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                  const mpc_block_t *in, size_t n)
{
    __m128i k[11], x[8], b[8];
    if (n >= MPC_VAES_MIN_BLOCKS && mpc_avx512_active()) {
        mpc_hash_ccr_vaes(out, pi, in, n);
        return;
    }
    load_key(k, pi);
    for (size_t i = 0; i < n; i += 8) {
        size_t cnt = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < 8; j++)
            x[j] = j < cnt ? sigma(_mm_load_si128((const __m128i *)&in[i + j]))
                           : _mm_setzero_si128();
        for (int j = 0; j < 8; j++)
            b[j] = x[j];
        enc8(b, k);
        for (size_t j = 0; j < cnt; j++)
            _mm_store_si128((__m128i *)&out[i + j], _mm_xor_si128(b[j], x[j]));
    }
}

void mpc_hash_tccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                   const mpc_block_t *in, uint64_t tweak, size_t n)
{
    __m128i k[11], x[8], b[8];
    if (n >= MPC_VAES_MIN_BLOCKS && mpc_avx512_active()) {
        mpc_hash_tccr_vaes(out, pi, in, tweak, n);
        return;
    }
    load_key(k, pi);
    for (size_t i = 0; i < n; i += 8) {
        size_t cnt = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < 8; j++)
            x[j] = j < cnt ? _mm_load_si128((const __m128i *)&in[i + j])
                           : _mm_setzero_si128();
        enc8(x, k); /* x = pi(in) */
        for (int j = 0; j < 8; j++)
            b[j] = _mm_xor_si128(
                x[j], _mm_set_epi64x(0, (long long)(tweak + i + (uint64_t)j)));
        enc8(b, k);
        for (size_t j = 0; j < cnt; j++)
            _mm_store_si128((__m128i *)&out[i + j], _mm_xor_si128(b[j], x[j]));
    }
}

#else /* no AES-NI: unreachable without a key, see aes.c */

void mpc_hash_cr(mpc_block_t *out, const mpc_aes_key_t *pi,
                 const mpc_block_t *in, size_t n)
{
    (void)out, (void)pi, (void)in, (void)n;
}

void mpc_hash_ccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                  const mpc_block_t *in, size_t n)
{
    (void)out, (void)pi, (void)in, (void)n;
}

void mpc_hash_tccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                   const mpc_block_t *in, uint64_t tweak, size_t n)
{
    (void)out, (void)pi, (void)in, (void)tweak, (void)n;
}

#endif
