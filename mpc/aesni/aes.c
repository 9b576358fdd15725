/*
 * aes.c - AES-128 with AES-NI: key expansion, ECB and CTR over many
 * blocks, eight in flight (the round loop is aesni/aes.h).  Same results
 * as the portable reference (mpc/aes.c), which the tests check.  Compiled
 * with -maes -msse4.1 (mpc/local.mk); dispatch.c puts these in the kernel
 * table only where veil_cpu_has(VEIL_CPU_AESNI).
 *
 * Key expansion is FIPS-197 section 5.2 in the form of Intel's AES-NI white
 * paper (Gueron, 2010, figure 20): AESKEYGENASSIST supplies
 * SubWord(RotWord(w)) ^ Rcon and three shifted XORs make the running sum.
 */
#include "aes.h"
#include "../internal.h"

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

void mpc_aes_expand_aesni(mpc_aes_key_t *key, const mpc_block_t *user)
{
    __m128i rk[11];
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
}

void mpc_aes_ecb_aesni(mpc_block_t *out, const mpc_aes_key_t *key,
                       const mpc_block_t *in, size_t n)
{
    __m128i k[11], b[8];
    size_t i = 0;
    aesni_load_key(k, key);
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; j++)
            b[j] = _mm_load_si128((const __m128i *)&in[i + j]);
        aesni_enc(b, 8, k);
        for (int j = 0; j < 8; j++)
            _mm_store_si128((__m128i *)&out[i + j], b[j]);
    }
    for (; i < n; i++) {
        b[0] = _mm_load_si128((const __m128i *)&in[i]);
        aesni_enc(b, 1, k);
        _mm_store_si128((__m128i *)&out[i], b[0]);
    }
}

/* b ^= x[i] ^ y[i], either may be NULL (unaligned loads: x may be any
 * caller's memory). */
static inline __m128i add_terms(__m128i b, const mpc_block_t *x,
                                const mpc_block_t *y, size_t i)
{
    if (x != NULL)
        b = _mm_xor_si128(b, _mm_loadu_si128((const __m128i *)&x[i]));
    if (y != NULL)
        b = _mm_xor_si128(b, _mm_loadu_si128((const __m128i *)&y[i]));
    return b;
}

void mpc_aes_ctr_aesni(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                       size_t n, const mpc_block_t *x, const mpc_block_t *y)
{
    __m128i k[11], b[8];
    size_t i = 0;
    aesni_load_key(k, key);
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; j++)
            b[j] = _mm_set_epi64x(0, (long long)(ctr + i + (uint64_t)j));
        aesni_enc(b, 8, k);
        for (int j = 0; j < 8; j++)
            _mm_storeu_si128((__m128i *)&out[i + j],
                             add_terms(b[j], x, y, i + (size_t)j));
    }
    for (; i < n; i++) {
        b[0] = _mm_set_epi64x(0, (long long)(ctr + i));
        aesni_enc(b, 1, k);
        _mm_storeu_si128((__m128i *)&out[i], add_terms(b[0], x, y, i));
    }
}
