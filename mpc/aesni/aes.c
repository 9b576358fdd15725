/*
 * aes.c - AES-128 with AES-NI: availability check, key expansion, ECB and
 * CTR over many blocks.  Compiled with -maes -msse4.1 (a convenience library
 * of its own, see mpc/local.mk); long inputs go to the VAES versions in
 * aes_vaes.c where mpc_avx512_active().  Nothing here runs before
 * mpc_aes_available() has said yes, because every key comes from
 * mpc_aes_init, which checks.  Eight blocks are kept in flight so that the
 * AESENC latency (4 cycles, 1-2 per cycle throughput) is hidden.
 *
 * Key expansion is FIPS-197 section 5.2 in the form of Intel's AES-NI white
 * paper (Gueron, 2010, figure 20): AESKEYGENASSIST supplies
 * SubWord(RotWord(w)) ^ Rcon and three shifted XORs make the running sum.
 */
#include "config.h"
#include "../internal.h"

#if defined(__AES__) && defined(__SSE4_1__)
#include <cpuid.h>
#include <immintrin.h>
#define MPC_HAVE_AESNI 1
#endif

/* The fractional part of pi, 0x243f6a8885a308d3 13198a2e03707344 (the
 * digits Blowfish and many "nothing up my sleeve" constants start with). */
static const mpc_block_t fixed_user_key = {
    {UINT64_C(0x13198a2e03707344), UINT64_C(0x243f6a8885a308d3)}};

void mpc_aes_clear(mpc_aes_key_t *key)
{
    if (key != NULL)
        veil_memzero(key, sizeof(*key));
}

#ifdef MPC_HAVE_AESNI

int mpc_aes_available(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    return (c & bit_AES) && (c & bit_SSE4_1);
}

static __m128i expand_step(__m128i k, __m128i assist)
{
    assist = _mm_shuffle_epi32(assist, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, assist);
}

/* AESKEYGENASSIST needs its round constant as an immediate. */
#define EXPAND(i, rcon)                                                        \
    rk[i] = expand_step(rk[i - 1], _mm_aeskeygenassist_si128(rk[i - 1], rcon))

veil_status mpc_aes_init(mpc_aes_key_t *key, const mpc_block_t *user)
{
    __m128i rk[11];
    if (key == NULL || user == NULL)
        return VEIL_EINVAL;
    if (!mpc_aes_available())
        return VEIL_EUNSUPPORTED;
    rk[0] = _mm_load_si128((const __m128i *)user);
    EXPAND(1, 0x01);
    EXPAND(2, 0x02);
    EXPAND(3, 0x04);
    EXPAND(4, 0x08);
    EXPAND(5, 0x10);
    EXPAND(6, 0x20);
    EXPAND(7, 0x40);
    EXPAND(8, 0x80);
    EXPAND(9, 0x1b);
    EXPAND(10, 0x36);
    for (int i = 0; i < 11; i++)
        _mm_store_si128((__m128i *)&key->rk[i], rk[i]);
    veil_memzero(rk, sizeof(rk));
    return VEIL_OK;
}

/* Encrypt the eight blocks b[0..8) in place under round keys k. */
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

static inline __m128i enc1(__m128i b, const __m128i k[11])
{
    b = _mm_xor_si128(b, k[0]);
    for (int r = 1; r < 10; r++)
        b = _mm_aesenc_si128(b, k[r]);
    return _mm_aesenclast_si128(b, k[10]);
}

static inline void load_key(__m128i k[11], const mpc_aes_key_t *key)
{
    for (int r = 0; r < 11; r++)
        k[r] = _mm_load_si128((const __m128i *)&key->rk[r]);
}

void mpc_aes_ecb(mpc_block_t *out, const mpc_aes_key_t *key,
                 const mpc_block_t *in, size_t n)
{
    __m128i k[11], b[8];
    size_t i = 0;
    if (n >= MPC_VAES_MIN_BLOCKS && mpc_avx512_active()) {
        mpc_aes_ecb_vaes(out, key, in, n);
        return;
    }
    load_key(k, key);
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; j++)
            b[j] = _mm_load_si128((const __m128i *)&in[i + j]);
        enc8(b, k);
        for (int j = 0; j < 8; j++)
            _mm_store_si128((__m128i *)&out[i + j], b[j]);
    }
    for (; i < n; i++)
        _mm_store_si128((__m128i *)&out[i],
                        enc1(_mm_load_si128((const __m128i *)&in[i]), k));
}

void mpc_aes_ctr(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                 size_t n)
{
    __m128i k[11], b[8];
    size_t i = 0;
    if (n >= MPC_VAES_MIN_BLOCKS && mpc_avx512_active()) {
        mpc_aes_ctr_vaes(out, key, ctr, n);
        return;
    }
    load_key(k, key);
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; j++)
            b[j] = _mm_set_epi64x(0, (long long)(ctr + i + (uint64_t)j));
        enc8(b, k);
        for (int j = 0; j < 8; j++)
            _mm_store_si128((__m128i *)&out[i + j], b[j]);
    }
    for (; i < n; i++)
        _mm_store_si128((__m128i *)&out[i],
                        enc1(_mm_set_epi64x(0, (long long)(ctr + i)), k));
}

#else /* no AES-NI in this build */

int mpc_aes_available(void)
{
    return 0;
}

veil_status mpc_aes_init(mpc_aes_key_t *key, const mpc_block_t *user)
{
    if (key == NULL || user == NULL)
        return VEIL_EINVAL;
    return VEIL_EUNSUPPORTED;
}

/* Unreachable without a key, which mpc_aes_init never makes here; defined
 * so that the library links. */
void mpc_aes_ecb(mpc_block_t *out, const mpc_aes_key_t *key,
                 const mpc_block_t *in, size_t n)
{
    (void)out, (void)key, (void)in, (void)n;
}

void mpc_aes_ctr(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                 size_t n)
{
    (void)out, (void)key, (void)ctr, (void)n;
}

#endif

veil_status mpc_aes_init_fixed(mpc_aes_key_t *key)
{
    return mpc_aes_init(key, &fixed_user_key);
}
