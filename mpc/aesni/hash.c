/*
 * hash.c - the fixed-key AES hash functions of Guo, Katz, Wang and Yu
 * (IEEE S&P 2020) with AES-NI, eight blocks in flight.  pi is AES-128 under a
 * public key (mpc_aes_init_fixed), modelled as a random permutation.
 *
 *   CR    H(x)    = pi(x) ^ x                     correlation robust
 *   CCR   H(x)    = pi(sigma(x)) ^ sigma(x)       circular corr. robust
 *   TCCR  H(x, i) = pi(pi(x) ^ i) ^ pi(x)         tweakable, 2 AES calls
 *
 * sigma(xL || xR) = (xL ^ xR || xL) with xL the high 64 bits: one shuffle
 * and one masked XOR.  Compiled with -maes -msse4.1 like aes.c; the
 * portable reference is mpc/hash.c.
 */
#include "../internal.h"
#include "aes.h"

/* Each function works on groups of eight blocks; the last group (cnt < 8
 * blocks) runs through the same kernel with zero lanes that are not
 * stored, which keeps one code path. */
void mpc_hash_cr_aesni(mpc_block_t *out, const mpc_aes_key_t *pi,
                       const mpc_block_t *in, size_t n)
{
    __m128i k[11], x[8], b[8];
    aesni_load_key(k, pi);
    for (size_t i = 0; i < n; i += 8) {
        size_t cnt = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < 8; j++)
            x[j] = j < cnt ? _mm_load_si128((const __m128i *)&in[i + j])
                           : _mm_setzero_si128();
        for (int j = 0; j < 8; j++)
            b[j] = x[j];
        aesni_enc(b, 8, k);
        for (size_t j = 0; j < cnt; j++)
            _mm_store_si128((__m128i *)&out[i + j], _mm_xor_si128(b[j], x[j]));
    }
}

void mpc_hash_ccr_aesni(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, size_t n)
{
    __m128i k[11], x[8], b[8];
    aesni_load_key(k, pi);
    for (size_t i = 0; i < n; i += 8) {
        size_t cnt = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < 8; j++)
            x[j] =
                j < cnt
                    ? aesni_sigma(_mm_load_si128((const __m128i *)&in[i + j]))
                    : _mm_setzero_si128();
        for (int j = 0; j < 8; j++)
            b[j] = x[j];
        aesni_enc(b, 8, k);
        for (size_t j = 0; j < cnt; j++)
            _mm_store_si128((__m128i *)&out[i + j], _mm_xor_si128(b[j], x[j]));
    }
}

void mpc_hash_tccr_aesni(mpc_block_t *out, const mpc_aes_key_t *pi,
                         const mpc_block_t *in, uint64_t tweak, size_t n)
{
    __m128i k[11], x[8], b[8];
    aesni_load_key(k, pi);
    for (size_t i = 0; i < n; i += 8) {
        size_t cnt = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < 8; j++)
            x[j] = j < cnt ? _mm_load_si128((const __m128i *)&in[i + j])
                           : _mm_setzero_si128();
        aesni_enc(x, 8, k); /* x = pi(in) */
        for (int j = 0; j < 8; j++)
            b[j] = _mm_xor_si128(
                x[j], _mm_set_epi64x(0, (long long)(tweak + i + (uint64_t)j)));
        aesni_enc(b, 8, k);
        for (size_t j = 0; j < cnt; j++)
            _mm_store_si128((__m128i *)&out[i + j], _mm_xor_si128(b[j], x[j]));
    }
}
