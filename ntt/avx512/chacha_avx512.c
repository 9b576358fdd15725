/*
 * chacha_avx512.c - the ChaCha20 keystream (RFC 8439: 32-byte key, 12-byte
 * nonce, 32-bit block counter) sixteen blocks at a time, and the samplers
 * of ntt/rng.c that consume it: uniform words below q and the centred
 * binomial distribution.  The same bytes as libsodium's
 * crypto_stream_chacha20_ietf_xor_ic on zeros (test/ntt/rng.c checks it),
 * which remains the generator of the other paths.
 *
 * Layout: vector j holds word j of the state of sixteen consecutive
 * blocks (lane b: counter c + b), so a quarter round is four additions,
 * four xors and four rotations (vprold) on whole vectors and all sixteen
 * states stay in registers.  After the rounds a 16 x 16 transpose of
 * 32-bit words (unpack 32, unpack 64, two 128-bit shuffles) makes vector b
 * the 64 bytes of block b, which are eight little-endian 64-bit words.
 *
 * Everything here is add-rotate-xor on fixed data flow: no branch or
 * address depends on the key or the keystream, except the accept/reject
 * pattern of the uniform sampler, which is public (as in the scalar
 * sampler: it only tells how many candidates were at or above q).
 */
#include "../rng_internal.h"
#include "avx512_internal.h"
#include <string.h>

#define ROTL(x, r) _mm512_rol_epi32((x), (r))
#define QR(a, b, c, d)                                                         \
    do {                                                                       \
        a = _mm512_add_epi32(a, b);                                            \
        d = ROTL(_mm512_xor_si512(d, a), 16);                                  \
        c = _mm512_add_epi32(c, d);                                            \
        b = ROTL(_mm512_xor_si512(b, c), 12);                                  \
        a = _mm512_add_epi32(a, b);                                            \
        d = ROTL(_mm512_xor_si512(d, a), 8);                                   \
        c = _mm512_add_epi32(c, d);                                            \
        b = ROTL(_mm512_xor_si512(b, c), 7);                                   \
    } while (0)

/* Sixteen blocks, counters counter .. counter + 15 (mod 2^32), into
 * out[0..16): out[b] = the 64 bytes of block b. */
static inline __attribute__((always_inline)) void
chacha16(__m512i out[16], const uint32_t in[16], uint32_t counter)
{
    const __m512i lane =
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m512i x[16], s12, t[16], u[16];
    for (int j = 0; j < 16; j++)
        x[j] = _mm512_set1_epi32((int)in[j]);
    x[12] = _mm512_add_epi32(_mm512_set1_epi32((int)counter), lane);
    s12 = x[12];
    VEIL_CHACHA_ROUNDS(x, QR);
    for (int j = 0; j < 16; j++)
        x[j] = _mm512_add_epi32(x[j],
                                j == 12 ? s12 : _mm512_set1_epi32((int)in[j]));
    /* transpose: t pairs words 2i, 2i+1; u(4g + r), 128-bit lane L holds
     * words 4g .. 4g+3 of block 4L + r */
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(x[2 * i], x[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(x[2 * i], x[2 * i + 1]);
    }
    for (int g = 0; g < 4; g++) {
        __m512i a = t[4 * g], b = t[4 * g + 1], c = t[4 * g + 2],
                d = t[4 * g + 3];
        u[4 * g + 0] = _mm512_unpacklo_epi64(a, c);
        u[4 * g + 1] = _mm512_unpackhi_epi64(a, c);
        u[4 * g + 2] = _mm512_unpacklo_epi64(b, d);
        u[4 * g + 3] = _mm512_unpackhi_epi64(b, d);
    }
    for (int r = 0; r < 4; r++) {
        __m512i v0 = _mm512_shuffle_i32x4(u[r], u[4 + r], 0x88);
        __m512i v1 = _mm512_shuffle_i32x4(u[r], u[4 + r], 0xdd);
        __m512i v2 = _mm512_shuffle_i32x4(u[8 + r], u[12 + r], 0x88);
        __m512i v3 = _mm512_shuffle_i32x4(u[8 + r], u[12 + r], 0xdd);
        out[r] = _mm512_shuffle_i32x4(v0, v2, 0x88);
        out[4 + r] = _mm512_shuffle_i32x4(v1, v3, 0x88);
        out[8 + r] = _mm512_shuffle_i32x4(v0, v2, 0xdd);
        out[12 + r] = _mm512_shuffle_i32x4(v1, v3, 0xdd);
    }
}

void veil_chacha20_avx512(uint8_t *out, size_t blocks, const uint8_t key[32],
                          const uint8_t nonce[12], uint32_t counter)
{
    uint32_t in[16];
    __m512i ks[16];
    veil_chacha_state(in, key, nonce);
    while (blocks > 0) {
        const size_t take = blocks < 16 ? blocks : 16;
        chacha16(ks, in, counter);
        for (size_t b = 0; b < take; b++)
            _mm512_storeu_si512((void *)(out + 64 * b), ks[b]);
        out += 64 * take;
        blocks -= take;
        counter += (uint32_t)take;
    }
    veil_memzero(in, sizeof(in));
}

size_t veil_chacha20_uniform_avx512(uint64_t *out, size_t blocks,
                                    const uint8_t key[32],
                                    const uint8_t nonce[12], uint32_t counter,
                                    uint64_t mask, uint64_t q)
{
    const __m512i vmask = _mm512_set1_epi64((long long)mask);
    const __m512i vq = _mm512_set1_epi64((long long)q);
    uint32_t in[16];
    __m512i ks[16];
    size_t i = 0;
    veil_chacha_state(in, key, nonce);
    while (blocks > 0) {
        const size_t take = blocks < 16 ? blocks : 16;
        chacha16(ks, in, counter);
        for (size_t b = 0; b < take; b++) {
            __m512i x = _mm512_and_si512(ks[b], vmask);
            __mmask8 ok = _mm512_cmplt_epu64_mask(x, vq);
            if (ok == 0xff) {
                _mm512_storeu_si512((void *)(out + i), x);
                i += 8;
            } else {
                /* keep the accepted words in order (register compress,
                 * then a store of exactly that many words) */
                const unsigned c = (unsigned)__builtin_popcount(ok);
                _mm512_mask_storeu_epi64(out + i, (__mmask8)((1u << c) - 1),
                                         _mm512_maskz_compress_epi64(ok, x));
                i += c;
            }
        }
        blocks -= take;
        counter += (uint32_t)take;
    }
    veil_memzero(in, sizeof(in));
    return i;
}

void veil_cbd21_avx512(int8_t *out, const uint64_t *in, size_t n)
{
    /* popcount of each byte by two nibble look-ups, then of each 64-bit
     * lane by a sum of absolute differences against zero */
    const __m512i nib = _mm512_set1_epi8(0x0f);
    const __m512i tab = _mm512_broadcast_i32x4(
        _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4));
    const __m512i m21 = _mm512_set1_epi64((1LL << 21) - 1);
    const __m512i zero = _mm512_setzero_si512();
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m512i x = _mm512_loadu_si512((const void *)(in + j));
        __m512i a = _mm512_and_si512(x, m21);
        __m512i b = _mm512_and_si512(_mm512_srli_epi64(x, 21), m21);
        __m512i pa = _mm512_add_epi8(
            _mm512_shuffle_epi8(tab, _mm512_and_si512(a, nib)),
            _mm512_shuffle_epi8(
                tab, _mm512_and_si512(_mm512_srli_epi64(a, 4), nib)));
        __m512i pb = _mm512_add_epi8(
            _mm512_shuffle_epi8(tab, _mm512_and_si512(b, nib)),
            _mm512_shuffle_epi8(
                tab, _mm512_and_si512(_mm512_srli_epi64(b, 4), nib)));
        __m512i d = _mm512_sub_epi64(_mm512_sad_epu8(pa, zero),
                                     _mm512_sad_epu8(pb, zero));
        _mm_storel_epi64((__m128i *)(out + j), _mm512_cvtepi64_epi8(d));
    }
    for (; j < n; j++)
        out[j] = veil_cbd21_word(in[j]);
}
