/*
 * kernel.h - what the AES-NI half-gates kernels (gc/aesni/garble.c,
 * gc/aesni/eval.c) share: block loads and stores, the point-and-permute
 * mask, and MMO hashing through the AES-NI round loop (aesni/aes.h).
 */
#ifndef VEIL_MPC_GC_AESNI_KERNEL_H
#define VEIL_MPC_GC_AESNI_KERNEL_H

#include "../../aesni/aes.h"
#include "../internal.h"

#define L MPC_GC_LANES
/* Loops over lanes are unrolled so that labels and AES states stay in
 * registers. */
#define UNROLL _Pragma("GCC unroll 32")

static inline __m128i ld(const mpc_block_t *p)
{
    return _mm_load_si128((const __m128i *)p);
}

static inline void st(mpc_block_t *p, __m128i x)
{
    _mm_store_si128((__m128i *)p, x);
}

/* All ones if the low bit of x is set, else zero. */
static inline __m128i lsb_mask(__m128i x)
{
    return _mm_shuffle_epi32(_mm_srai_epi32(_mm_slli_epi32(x, 31), 31), 0);
}

/* b[j] = pi(b[j]) ^ b[j] for j < n (n a multiple of 8): MMO through the
 * AES-NI round loop (aesni/aes.h), eight streams at a time. */
static inline __attribute__((always_inline)) void mmo(__m128i *b, int n,
                                                      const __m128i k[11])
{
    UNROLL for (int g = 0; g < n; g += 8)
    {
        __m128i x[8];
        UNROLL for (int j = 0; j < 8; j++) x[j] = b[g + j];
        aesni_enc(x, 8, k);
        UNROLL for (int j = 0; j < 8; j++) b[g + j] =
            _mm_xor_si128(x[j], b[g + j]);
    }
}

#endif
