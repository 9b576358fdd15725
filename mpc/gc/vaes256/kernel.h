/*
 * kernel.h - what the VAES-256 half-gates kernels (gc/vaes256/garble.c,
 * gc/vaes256/eval.c) share: 256-bit block loads and stores (two lanes per
 * register), the point-and-permute masks, MMO through the VAES-256 round
 * loop (vaes256/aes.h) and the tweak registers.
 */
#ifndef VEIL_MPC_GC_VAES256_KERNEL_H
#define VEIL_MPC_GC_VAES256_KERNEL_H

#include "../../vaes256/aes.h"
#include "../internal.h"

#define L MPC_GC_LANES
#define Y (L / 2) /* ymm registers per slot */
#if L % 2 != 0
#error "the VAES-256 kernel holds two lanes per register"
#endif

static inline __m256i ld(const mpc_block_t *p)
{
    return _mm256_load_si256((const __m256i *)p);
}

static inline void st(mpc_block_t *p, __m256i x)
{
    _mm256_store_si256((__m256i *)p, x);
}

/* All ones in each block (lane) whose low bit is set, else zero. */
static inline __m256i lsb_mask(__m256i x)
{
    return _mm256_shuffle_epi32(_mm256_srai_epi32(_mm256_slli_epi32(x, 31), 31),
                                0);
}

#define UNROLL _Pragma("GCC unroll 32")

/* b[j] = pi(b[j]) ^ b[j] for j < n (n a multiple of 8): MMO through the
 * VAES-256 round loop (vaes256/aes.h), eight registers (16 blocks) at a
 * time. */
static inline __attribute__((always_inline)) void mmo(__m256i *b, int n,
                                                      const __m256i k[11])
{
    UNROLL for (int g = 0; g < n; g += 8)
    {
        __m256i x[8];
        UNROLL for (int j = 0; j < 8; j++) x[j] = b[g + j];
        vaes256_enc(x, 8, k);
        UNROLL for (int j = 0; j < 8; j++) b[g + j] =
            _mm256_xor_si256(x[j], b[g + j]);
    }
}

/* Tweak registers: lane l's block has w[0] = 2 * and_base[l] and
 * w[1] = hi, the session's high tweak word. */
static inline void load_tweaks(__m256i t[Y], const uint64_t *and_base,
                               uint64_t hi)
{
    const long long h = (long long)hi;
    for (int i = 0; i < Y; i++)
        t[i] = _mm256_set_epi64x(h, (long long)(2 * and_base[2 * i + 1]), h,
                                 (long long)(2 * and_base[2 * i]));
}

#endif
