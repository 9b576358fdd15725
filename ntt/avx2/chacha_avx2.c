/*
 * chacha_avx2.c - the ChaCha20 keystream (RFC 8439: 32-byte key, 12-byte
 * nonce, 32-bit block counter) eight blocks at a time with AVX2, and the
 * samplers of ntt/rng.c that consume it: uniform words below q and the
 * centred binomial distribution.  The same bytes as libsodium's
 * crypto_stream_chacha20_ietf_xor_ic on zeros (test/ntt/rng.c checks it);
 * the AVX-512 path has the same kernels sixteen blocks wide
 * (ntt/avx512/chacha_avx512.c).
 *
 * Layout: vector j holds word j of the state of eight consecutive blocks
 * (lane b: counter c + b), so a quarter round is four additions, four xors
 * and four rotations on whole vectors (by 16 and 8: a byte shuffle; by 12
 * and 7: two shifts and an or).  After the rounds two 8 x 8 transposes of
 * 32-bit words (unpack 32, unpack 64, 128-bit permutes) give each block's
 * 64 bytes as two vectors, eight little-endian 64-bit words.
 *
 * No branch or address depends on the key or the keystream, except the
 * accept/reject pattern of the uniform sampler, which is public (as in the
 * scalar sampler: it only tells how many candidates were at or above q).
 */
#include "../rng_internal.h"
#include <immintrin.h>
#include <string.h>

#define AVX2_INLINE static inline __attribute__((always_inline))

AVX2_INLINE __m256i rotl(__m256i x, int r)
{
    return _mm256_or_si256(_mm256_slli_epi32(x, r),
                           _mm256_srli_epi32(x, 32 - r));
}

#define QR(a, b, c, d)                                                         \
    do {                                                                       \
        a = _mm256_add_epi32(a, b);                                            \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);                \
        c = _mm256_add_epi32(c, d);                                            \
        b = rotl(_mm256_xor_si256(b, c), 12);                                  \
        a = _mm256_add_epi32(a, b);                                            \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot8);                 \
        c = _mm256_add_epi32(c, d);                                            \
        b = rotl(_mm256_xor_si256(b, c), 7);                                   \
    } while (0)

/* x[0..8): word j of eight blocks -> out[2 b + half]: words 8 half ..
 * 8 half + 7 of block b. */
AVX2_INLINE void transpose8(__m256i out[16], const __m256i x[8], int half)
{
    __m256i t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_epi32(x[2 * i], x[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_epi32(x[2 * i], x[2 * i + 1]);
    }
    /* u[4 g + r]: words 4 g .. 4 g + 3 of block r (low lane), r + 4 (high) */
    for (int g = 0; g < 2; g++) {
        u[4 * g + 0] = _mm256_unpacklo_epi64(t[4 * g], t[4 * g + 2]);
        u[4 * g + 1] = _mm256_unpackhi_epi64(t[4 * g], t[4 * g + 2]);
        u[4 * g + 2] = _mm256_unpacklo_epi64(t[4 * g + 1], t[4 * g + 3]);
        u[4 * g + 3] = _mm256_unpackhi_epi64(t[4 * g + 1], t[4 * g + 3]);
    }
    for (int r = 0; r < 4; r++) {
        out[2 * r + half] = _mm256_permute2x128_si256(u[r], u[4 + r], 0x20);
        out[2 * (r + 4) + half] =
            _mm256_permute2x128_si256(u[r], u[4 + r], 0x31);
    }
}

/* Eight blocks, counters counter .. counter + 7 (mod 2^32):
 * out[2 b], out[2 b + 1] = the 64 bytes of block b. */
AVX2_INLINE void chacha8(__m256i out[16], const uint32_t in[16],
                         uint32_t counter)
{
    const __m256i rot16 =
        _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
                         2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m256i rot8 =
        _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
                         3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    __m256i x[16], s12;
    for (int j = 0; j < 16; j++)
        x[j] = _mm256_set1_epi32((int)in[j]);
    x[12] = _mm256_add_epi32(_mm256_set1_epi32((int)counter),
                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    s12 = x[12];
    VEIL_CHACHA_ROUNDS(x, QR);
    for (int j = 0; j < 16; j++)
        x[j] = _mm256_add_epi32(x[j],
                                j == 12 ? s12 : _mm256_set1_epi32((int)in[j]));
    transpose8(out, x, 0);
    transpose8(out, x + 8, 1);
}

void veil_chacha20_avx2(uint8_t *out, size_t blocks, const uint8_t key[32],
                        const uint8_t nonce[12], uint32_t counter)
{
    uint32_t in[16];
    __m256i ks[16];
    veil_chacha_state(in, key, nonce);
    while (blocks > 0) {
        const size_t take = blocks < 8 ? blocks : 8;
        chacha8(ks, in, counter);
        for (size_t v = 0; v < 2 * take; v++)
            _mm256_storeu_si256((__m256i *)(void *)(out + 32 * v), ks[v]);
        out += 64 * take;
        blocks -= take;
        counter += (uint32_t)take;
    }
    veil_memzero(in, sizeof(in));
    veil_memzero(ks, sizeof(ks));
}

size_t veil_chacha20_uniform_avx2(uint64_t *out, size_t blocks,
                                  const uint8_t key[32],
                                  const uint8_t nonce[12], uint32_t counter,
                                  uint64_t mask, uint64_t q)
{
    /* unsigned x < q as a signed comparison of x and q with the top bit
     * flipped */
    const __m256i top = _mm256_set1_epi64x((long long)(1ULL << 63));
    const __m256i vmask = _mm256_set1_epi64x((long long)mask);
    const __m256i vq = _mm256_set1_epi64x((long long)(q ^ (1ULL << 63)));
    uint32_t in[16];
    __m256i ks[16];
    size_t i = 0;
    veil_chacha_state(in, key, nonce);
    while (blocks > 0) {
        const size_t take = blocks < 8 ? blocks : 8;
        chacha8(ks, in, counter);
        for (size_t v = 0; v < 2 * take; v++) {
            __m256i x = _mm256_and_si256(ks[v], vmask);
            __m256i ok = _mm256_cmpgt_epi64(vq, _mm256_xor_si256(x, top));
            int bits = _mm256_movemask_pd(_mm256_castsi256_pd(ok));
            if (bits == 0xf) {
                _mm256_storeu_si256((__m256i *)(void *)(out + i), x);
                i += 4;
            } else { /* keep the accepted words in order */
                uint64_t w[4];
                _mm256_storeu_si256((__m256i *)(void *)w, x);
                for (int k = 0; k < 4; k++)
                    if (bits >> k & 1)
                        out[i++] = w[k];
                veil_memzero(w, sizeof(w));
            }
        }
        blocks -= take;
        counter += (uint32_t)take;
    }
    veil_memzero(in, sizeof(in));
    veil_memzero(ks, sizeof(ks));
    return i;
}

void veil_cbd21_avx2(int8_t *out, const uint64_t *in, size_t n)
{
    /* popcount of each byte by two nibble look-ups, then of each 64-bit
     * lane by a sum of absolute differences against zero */
    const __m256i nib = _mm256_set1_epi8(0x0f);
    const __m256i tab =
        _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                         1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i m21 = _mm256_set1_epi64x((1LL << 21) - 1);
    const __m256i zero = _mm256_setzero_si256();
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(in + j));
        __m256i a = _mm256_and_si256(x, m21);
        __m256i b = _mm256_and_si256(_mm256_srli_epi64(x, 21), m21);
        __m256i pa = _mm256_add_epi8(
            _mm256_shuffle_epi8(tab, _mm256_and_si256(a, nib)),
            _mm256_shuffle_epi8(
                tab, _mm256_and_si256(_mm256_srli_epi64(a, 4), nib)));
        __m256i pb = _mm256_add_epi8(
            _mm256_shuffle_epi8(tab, _mm256_and_si256(b, nib)),
            _mm256_shuffle_epi8(
                tab, _mm256_and_si256(_mm256_srli_epi64(b, 4), nib)));
        __m256i d = _mm256_sub_epi64(_mm256_sad_epu8(pa, zero),
                                     _mm256_sad_epu8(pb, zero));
        int64_t v[4];
        _mm256_storeu_si256((__m256i *)(void *)v, d);
        for (int k = 0; k < 4; k++)
            out[j + (size_t)k] = (int8_t)v[k];
    }
    for (; j < n; j++)
        out[j] = veil_cbd21_word(in[j]);
}
