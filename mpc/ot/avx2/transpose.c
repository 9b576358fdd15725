/*
 * mpc/ot/avx2/transpose.c - the 128 x cols bit-matrix transpose of IKNP
 * with AVX2, for cols a multiple of 128.  Compiled with -mavx2
 * (mpc/local.mk); installed in the kernel table by dispatch.c on the AVX2
 * and AVX-512 paths (where GFNI, if present, replaces it).
 *
 * The movemask transpose of ot/transpose.c, 32 rows at a time and without
 * its byte-by-byte gathering.  A tile is 32 input rows x 16 bytes: rows 0-15
 * in the low 128-bit lanes of sixteen registers, rows 16-31 in the high
 * lanes.  Four rounds of unpacks (bytes, words, dwords, qwords; register i
 * with register i + 8) transpose each lane's 16 x 16 bytes, so that
 * register b holds byte b of every row; loading the rows in 4-bit-reversed
 * order puts row i at byte i.  Then VPMOVMSKB gives bit 7 of the 32 bytes,
 * 32 bits of one output row, and a left shift brings up the next bit: eight
 * output rows per register.
 */
#include "../../internal.h"
#include <immintrin.h>
#include <string.h>

/* rows in 4-bit-reversed order: after the unpacks, byte p holds the row
 * loaded into register brev4[p] */
static const uint8_t brev4[16] = {0, 8, 4, 12, 2, 10, 6, 14,
                                  1, 9, 5, 13, 3, 11, 7, 15};

/* One unpack round at element width w (1, 2, 4, 8 bytes). */
static inline void unpack_round(__m256i y[16], const __m256i x[16], int w)
{
    for (int i = 0; i < 8; i++) {
        switch (w) {
        case 1:
            y[2 * i] = _mm256_unpacklo_epi8(x[i], x[i + 8]);
            y[2 * i + 1] = _mm256_unpackhi_epi8(x[i], x[i + 8]);
            break;
        case 2:
            y[2 * i] = _mm256_unpacklo_epi16(x[i], x[i + 8]);
            y[2 * i + 1] = _mm256_unpackhi_epi16(x[i], x[i + 8]);
            break;
        case 4:
            y[2 * i] = _mm256_unpacklo_epi32(x[i], x[i + 8]);
            y[2 * i + 1] = _mm256_unpackhi_epi32(x[i], x[i + 8]);
            break;
        default:
            y[2 * i] = _mm256_unpacklo_epi64(x[i], x[i + 8]);
            y[2 * i + 1] = _mm256_unpackhi_epi64(x[i], x[i + 8]);
            break;
        }
    }
}

void mpc_transpose128_avx2(uint8_t *out, const uint8_t *in, size_t cols)
{
    const size_t cb = cols / 8; /* bytes per input row */

    for (size_t g = 0; g < MPC_OT_KAPPA / 32; g++) {
        const uint8_t *rows = in + 32 * g * cb;
        for (size_t c = 0; c < cb; c += 16) {
            __m256i x[16], y[16];
            for (int i = 0; i < 16; i++) {
                const uint8_t *lo = rows + (size_t)brev4[i] * cb + c;
                x[i] = _mm256_inserti128_si256(
                    _mm256_castsi128_si256(
                        _mm_loadu_si128((const __m128i *)(const void *)lo)),
                    _mm_loadu_si128(
                        (const __m128i *)(const void *)(lo + 16 * cb)),
                    1);
            }
            unpack_round(y, x, 1);
            unpack_round(x, y, 2);
            unpack_round(y, x, 4);
            unpack_round(x, y, 8);
            /* x[b]: byte c + b of rows 32 g .. 32 g + 31; its bit k is
             * column 8 (c + b) + k, whose output row gets 32 bits at byte
             * 4 g */
            for (size_t b = 0; b < 16; b++) {
                __m256i v = x[b];
                for (int k = 7; k >= 0; k--) {
                    const uint32_t m = (uint32_t)_mm256_movemask_epi8(v);
                    memcpy(out + ((c + b) * 8 + (size_t)k) * 16 + 4 * g, &m, 4);
                    v = _mm256_slli_epi64(v, 1);
                }
            }
        }
    }
}
