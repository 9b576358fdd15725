/*
 * kernel.h - what the VAES half-gates kernels (gc/vaes/garble.c,
 * gc/vaes/eval.c) share: 512-bit block loads and stores (four lanes per
 * register), the point-and-permute masks, MMO through the VAES
 * round loop (vaes/aes.h) and the tweak registers.
 */
#ifndef VEIL_MPC_GC_VAES_KERNEL_H
#define VEIL_MPC_GC_VAES_KERNEL_H

#include "../../vaes/aes.h"
#include "../internal.h"

#define L MPC_GC_LANES
#define Z (L / 4) /* zmm registers per slot */
/* How many AND gates ahead the evaluator prefetches its tables (a prefetch
 * past the end of the buffer is harmless: it never faults). */
#define PREFETCH_ANDS 3
#if L % 4 != 0
#error "the VAES kernel holds four lanes per register"
#endif

static inline __m512i ld(const mpc_block_t *p)
{
    return _mm512_load_si512((const void *)p);
}

static inline void st(mpc_block_t *p, __m512i x)
{
    _mm512_store_si512((void *)p, x);
}

/* A mask with both 64-bit halves of each block whose low bit is set. */
static inline __mmask8 lsb_mask(__m512i x)
{
    const __m512i one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    __mmask8 k = _mm512_test_epi64_mask(x, one);
    return _kor_mask8(k, _kshiftli_mask8(k, 1));
}

#define UNROLL _Pragma("GCC unroll 16")

/* b[j] = pi(b[j]) ^ b[j] for j < n: MMO through the VAES round loop
 * (vaes/aes.h), the n streams interleaved round by round. */
static inline __attribute__((always_inline)) void mmo(__m512i *b, int n,
                                                      const __m512i k[11])
{
    __m512i x[VAES_MAX];
    UNROLL for (int j = 0; j < n; j++) x[j] = b[j];
    vaes_enc(x, n, k);
    UNROLL for (int j = 0; j < n; j++) b[j] = _mm512_xor_si512(x[j], b[j]);
}

/* Tweak registers: lane l's block has w[0] = 2 * and_base[l] and
 * w[1] = hi, the session's high tweak word. */
static inline void load_tweaks(__m512i t[Z], const uint64_t *and_base,
                               uint64_t hi)
{
    const long long h = (long long)hi;
    for (int i = 0; i < Z; i++)
        t[i] = _mm512_set_epi64(h, (long long)(2 * and_base[4 * i + 3]), h,
                                (long long)(2 * and_base[4 * i + 2]), h,
                                (long long)(2 * and_base[4 * i + 1]), h,
                                (long long)(2 * and_base[4 * i]));
}

#endif
