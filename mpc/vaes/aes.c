/*
 * aes_vaes.c - the AES-128 kernels of aes.c and aes_hash.c with VAES on
 * 512-bit registers: four blocks per instruction, eight registers (32
 * blocks) in flight, the round keys broadcast to all four lanes.  The tail
 * (fewer than four blocks) uses masked loads and stores.  Compiled with
 * AVX-512 flags (mpc/local.mk) and called only when mpc_avx512_active().
 * Results are identical to the AES-NI code, which the tests check.
 */
#include "../internal.h"

#if defined(__AVX512F__) && defined(__VAES__)
#include <immintrin.h>

#define W 8 /* registers in flight */

static inline void load_key(__m512i k[11], const mpc_aes_key_t *key)
{
    for (int r = 0; r < 11; r++)
        k[r] = _mm512_broadcast_i32x4(
            _mm_load_si128((const __m128i *)&key->rk[r]));
}

/* Encrypt cnt <= W registers in place. */
static inline void enc(__m512i *b, int cnt, const __m512i k[11])
{
#pragma GCC unroll 8
    for (int j = 0; j < W; j++)
        if (j < cnt)
            b[j] = _mm512_xor_si512(b[j], k[0]);
    for (int r = 1; r < 10; r++) {
#pragma GCC unroll 8
        for (int j = 0; j < W; j++)
            if (j < cnt)
                b[j] = _mm512_aesenc_epi128(b[j], k[r]);
    }
#pragma GCC unroll 8
    for (int j = 0; j < W; j++)
        if (j < cnt)
            b[j] = _mm512_aesenclast_epi128(b[j], k[10]);
}

/* Mask of the qwords of the first `blocks` (< 4) blocks. */
static inline __mmask8 tail_mask(size_t blocks)
{
    return (__mmask8)((1u << (2 * blocks)) - 1);
}

/* Counter blocks ctr + i .. ctr + i + 3 (low qword; high qword 0). */
static inline __m512i counters(uint64_t c)
{
    return _mm512_set_epi64(0, (long long)(c + 3), 0, (long long)(c + 2), 0,
                            (long long)(c + 1), 0, (long long)c);
}

void mpc_aes_ctr_vaes(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                      size_t n)
{
    __m512i k[11], b[W];
    size_t i = 0;
    load_key(k, key);
    for (; i + 4 * W <= n; i += 4 * W) {
        for (int j = 0; j < W; j++)
            b[j] = counters(ctr + i + 4 * (uint64_t)j);
        enc(b, W, k);
        for (int j = 0; j < W; j++)
            _mm512_storeu_si512((void *)&out[i + 4 * (size_t)j], b[j]);
    }
    for (; i < n; i += 4) {
        b[0] = counters(ctr + i);
        enc(b, 1, k);
        if (n - i >= 4)
            _mm512_storeu_si512((void *)&out[i], b[0]);
        else
            _mm512_mask_storeu_epi64((void *)&out[i], tail_mask(n - i), b[0]);
    }
}

/* The common loop of ECB and the one-pass hashes: out = f(AES(g(in)))
 * where PRE(x) prepares the input and POST(e, x) combines the cipher
 * output e with the prepared input x. */
#define ONE_PASS(NAME, PRE, POST)                                              \
    void NAME(mpc_block_t *out, const mpc_aes_key_t *key,                      \
              const mpc_block_t *in, size_t n)                                 \
    {                                                                          \
        __m512i k[11], x[W], b[W];                                             \
        size_t i = 0;                                                          \
        load_key(k, key);                                                      \
        for (; i + 4 * W <= n; i += 4 * W) {                                   \
            for (int j = 0; j < W; j++) {                                      \
                x[j] = PRE(_mm512_loadu_si512((const void *)&in[i + 4 * j]));  \
                b[j] = x[j];                                                   \
            }                                                                  \
            enc(b, W, k);                                                      \
            for (int j = 0; j < W; j++)                                        \
                _mm512_storeu_si512((void *)&out[i + 4 * j],                   \
                                    POST(b[j], x[j]));                         \
        }                                                                      \
        for (; i < n; i += 4) {                                                \
            __mmask8 m = n - i >= 4 ? 0xff : tail_mask(n - i);                 \
            x[0] = PRE(_mm512_maskz_loadu_epi64(m, (const void *)&in[i]));     \
            b[0] = x[0];                                                       \
            enc(b, 1, k);                                                      \
            _mm512_mask_storeu_epi64((void *)&out[i], m, POST(b[0], x[0]));    \
        }                                                                      \
    }

static inline __m512i same(__m512i x)
{
    return x;
}

static inline __m512i take_e(__m512i e, __m512i x)
{
    (void)x;
    return e;
}

/* sigma(xL || xR) = (xL ^ xR || xL) in each lane, xL the high qword. */
static inline __m512i sigma(__m512i x)
{
    const __m512i hi = _mm512_set_epi64(-1, 0, -1, 0, -1, 0, -1, 0);
    return _mm512_xor_si512(_mm512_shuffle_epi32(x, _MM_PERM_BADC),
                            _mm512_and_si512(x, hi));
}

ONE_PASS(mpc_aes_ecb_vaes, same, take_e)
ONE_PASS(mpc_hash_cr_vaes, same, _mm512_xor_si512)
ONE_PASS(mpc_hash_ccr_vaes, sigma, _mm512_xor_si512)

void mpc_hash_tccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, uint64_t tweak, size_t n)
{
    __m512i k[11], x[W], b[W];
    size_t i = 0;
    load_key(k, pi);
    for (; i < n; i += 4 * W) {
        size_t left = n - i;
        int cnt = left >= 4 * W ? W : (int)((left + 3) / 4);
        for (int j = 0; j < cnt; j++) {
            size_t at = i + 4 * (size_t)j;
            __mmask8 m = n - at >= 4 ? 0xff : tail_mask(n - at);
            x[j] = _mm512_maskz_loadu_epi64(m, (const void *)&in[at]);
        }
        enc(x, cnt, k); /* x = pi(in) */
        for (int j = 0; j < cnt; j++)
            b[j] =
                _mm512_xor_si512(x[j], counters(tweak + i + 4 * (uint64_t)j));
        enc(b, cnt, k);
        for (int j = 0; j < cnt; j++) {
            size_t at = i + 4 * (size_t)j;
            __mmask8 m = n - at >= 4 ? 0xff : tail_mask(n - at);
            _mm512_mask_storeu_epi64((void *)&out[at], m,
                                     _mm512_xor_si512(b[j], x[j]));
        }
    }
}

#else /* not built with VAES: never selected, see mpc_avx512_active() */

void mpc_aes_ctr_vaes(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                      size_t n)
{
    (void)out, (void)key, (void)ctr, (void)n;
}

void mpc_aes_ecb_vaes(mpc_block_t *out, const mpc_aes_key_t *key,
                      const mpc_block_t *in, size_t n)
{
    (void)out, (void)key, (void)in, (void)n;
}

void mpc_hash_cr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                      const mpc_block_t *in, size_t n)
{
    (void)out, (void)pi, (void)in, (void)n;
}

void mpc_hash_ccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                       const mpc_block_t *in, size_t n)
{
    (void)out, (void)pi, (void)in, (void)n;
}

void mpc_hash_tccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, uint64_t tweak, size_t n)
{
    (void)out, (void)pi, (void)in, (void)tweak, (void)n;
}

#endif
