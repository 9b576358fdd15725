/*
 * ot_transpose_gfni.c - the 128 x cols bit-matrix transpose of IKNP with
 * AVX-512 (F, BW, VBMI) and GFNI, for cols a multiple of 512.  Compiled
 * with its own flags (mpc/local.mk); called only after the CPUID check in
 * ot_transpose.c.
 *
 * A tile is 128 input rows x 64 bytes (512 output rows).  Index a bit of
 * it as row 8g + r (g < 16, r < 8), byte b (b < 64), bit k: it must land in
 * output row 8b + k, byte g, bit r.  Three steps:
 *   1. per row group g, an 8 x 64 byte transpose by three rounds of
 *      in-lane unpacks, so that each qword holds the bytes (r = 0..7) of
 *      one column byte b;
 *   2. GF2P8AFFINEQB with the data as the matrix and the unit vectors
 *      1 << k as inputs transposes each 8 x 8 bit block: byte k of the
 *      qword now holds bit k of the 8 rows, i.e. byte g of output row
 *      8b + k (rows are fed in reverse so that bit r is row 8g + r);
 *   3. gather, for each column byte b, the 16 qwords of the groups (an
 *      8 x 8 qword transpose, twice) and reorder their 128 bytes from
 *      (g, k) to (k, g) with two VPERMT2B: 8 output rows.
 * About three instructions per output row, against some fifty for the
 * SSE2 movemask loop.
 */
#include "../../internal.h"

#include <immintrin.h>

#define LD(p) _mm512_loadu_si512((const void *)(p))

/* 8 x 8 transpose of qwords: c[q].qword[i] = v[i].qword[q]. */
static inline void qword_transpose8(__m512i c[8], const __m512i v[8])
{
    __m512i t[8], u[8];
#pragma GCC unroll 16
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_epi64(v[i], v[i + 1]);     /* q 0 2 4 6 */
        t[i + 1] = _mm512_unpackhi_epi64(v[i], v[i + 1]); /* q 1 3 5 7 */
    }
#pragma GCC unroll 16
    for (int h = 0; h < 2; h++) {
        /* u[0]: q 0,4 rows 0-3; u[1]: q 2,6; u[2]: q 1,5; u[3]: q 3,7;
         * u[4..7] the same for rows 4-7 */
        u[4 * h + 0] = _mm512_shuffle_i64x2(t[4 * h], t[4 * h + 2], 0x88);
        u[4 * h + 1] = _mm512_shuffle_i64x2(t[4 * h], t[4 * h + 2], 0xdd);
        u[4 * h + 2] = _mm512_shuffle_i64x2(t[4 * h + 1], t[4 * h + 3], 0x88);
        u[4 * h + 3] = _mm512_shuffle_i64x2(t[4 * h + 1], t[4 * h + 3], 0xdd);
    }
    c[0] = _mm512_shuffle_i64x2(u[0], u[4], 0x88);
    c[4] = _mm512_shuffle_i64x2(u[0], u[4], 0xdd);
    c[2] = _mm512_shuffle_i64x2(u[1], u[5], 0x88);
    c[6] = _mm512_shuffle_i64x2(u[1], u[5], 0xdd);
    c[1] = _mm512_shuffle_i64x2(u[2], u[6], 0x88);
    c[5] = _mm512_shuffle_i64x2(u[2], u[6], 0xdd);
    c[3] = _mm512_shuffle_i64x2(u[3], u[7], 0x88);
    c[7] = _mm512_shuffle_i64x2(u[3], u[7], 0xdd);
}

void mpc_transpose128_gfni(uint8_t *out, const uint8_t *in, size_t cols)
{
    const size_t cb = cols / 8;
    const __m512i unit = _mm512_set1_epi64(0x8040201008040201LL);
    __m512i S[16][8], idx[2];

    /* step 3 byte order: output byte 16k + g <- input byte 8g + k, with
     * g >= 8 taken from the second register (index bit 6) */
    {
        uint8_t ix[2][64];
        for (int k = 0; k < 8; k++)
            for (int g = 0; g < 16; g++)
                ix[k / 4][16 * (k % 4) + g] =
                    (uint8_t)(g < 8 ? 8 * g + k : 64 + 8 * (g - 8) + k);
        idx[0] = LD(ix[0]);
        idx[1] = LD(ix[1]);
    }

    for (size_t b0 = 0; b0 < cb; b0 += 64) {
        /* 1, 2: S[g][x] lane L qword h is column byte 16L + 2x + h */
        for (int g = 0; g < 16; g++) {
            const uint8_t *p = in + (size_t)(8 * g) * cb + b0;
            __m512i R[8], a[8], b[8];
#pragma GCC unroll 16
            for (int r = 0; r < 8; r++)
                R[r] = LD(p + (size_t)(7 - r) * cb);
#pragma GCC unroll 16
            for (int i = 0; i < 4; i++) {
                a[2 * i] = _mm512_unpacklo_epi8(R[2 * i], R[2 * i + 1]);
                a[2 * i + 1] = _mm512_unpackhi_epi8(R[2 * i], R[2 * i + 1]);
            }
#pragma GCC unroll 16
            for (int i = 0; i < 2; i++) {
                b[4 * i + 0] = _mm512_unpacklo_epi16(a[4 * i], a[4 * i + 2]);
                b[4 * i + 1] = _mm512_unpackhi_epi16(a[4 * i], a[4 * i + 2]);
                b[4 * i + 2] =
                    _mm512_unpacklo_epi16(a[4 * i + 1], a[4 * i + 3]);
                b[4 * i + 3] =
                    _mm512_unpackhi_epi16(a[4 * i + 1], a[4 * i + 3]);
            }
#pragma GCC unroll 16
            for (int i = 0; i < 4; i++) {
                __m512i lo = _mm512_unpacklo_epi32(b[i], b[i + 4]);
                __m512i hi = _mm512_unpackhi_epi32(b[i], b[i + 4]);
                S[g][2 * i] = _mm512_gf2p8affine_epi64_epi8(unit, lo, 0);
                S[g][2 * i + 1] = _mm512_gf2p8affine_epi64_epi8(unit, hi, 0);
            }
        }
        /* 3: for each x, the 8 columns 16L + 2x + h, q = 2L + h */
        for (int x = 0; x < 8; x++) {
            __m512i v[8], lo[8], hi[8];
#pragma GCC unroll 16
            for (int g = 0; g < 8; g++)
                v[g] = S[g][x];
            qword_transpose8(lo, v);
#pragma GCC unroll 16
            for (int g = 0; g < 8; g++)
                v[g] = S[8 + g][x];
            qword_transpose8(hi, v);
#pragma GCC unroll 16
            for (int q = 0; q < 8; q++) {
                size_t col =
                    b0 + 16 * (size_t)(q / 2) + 2 * (size_t)x + (size_t)(q % 2);
                uint8_t *o = out + 128 * col;
                _mm512_storeu_si512(
                    (void *)o, _mm512_permutex2var_epi8(lo[q], idx[0], hi[q]));
                _mm512_storeu_si512(
                    (void *)(o + 64),
                    _mm512_permutex2var_epi8(lo[q], idx[1], hi[q]));
            }
        }
    }
}

