/*
 * ot_transpose.c - bit-matrix transpose for OT extension.
 *
 * IKNP computes its matrix column by column (one PRG stream per base OT)
 * and needs it row by row (one 128-bit row per OT).  The SSE2 kernel is
 * the classic movemask transpose (Mischasan's "SSE2 bit matrix transpose",
 * used by emp-toolkit): gather one byte from each of 16 rows into a
 * register; PMOVMSKB then collects the top bit of each byte, which is 16
 * bits of one output row; shift every byte left by one and repeat for the
 * next 7 columns.
 */
#include "../internal.h"
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void mpc_transpose_scalar(uint8_t *out, const uint8_t *in, size_t rows,
                          size_t cols)
{
    memset(out, 0, rows * cols / 8);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            unsigned b = (in[r * (cols / 8) + c / 8] >> (c % 8)) & 1;
            out[c * (rows / 8) + r / 8] |= (uint8_t)(b << (r % 8));
        }
}

#if defined(__SSE2__)
void mpc_transpose(uint8_t *out, const uint8_t *in, size_t rows, size_t cols)
{
    const size_t ib = cols / 8, ob = rows / 8; /* bytes per in / out row */
    for (size_t r = 0; r < rows; r += 16) {
        for (size_t c = 0; c < cols; c += 8) {
            uint8_t g[16];
            __m128i v;
            for (int i = 0; i < 16; i++)
                g[i] = in[(r + (size_t)i) * ib + c / 8];
            v = _mm_loadu_si128((const __m128i *)g);
            for (int i = 7; i >= 0; i--) {
                uint16_t m = (uint16_t)_mm_movemask_epi8(v);
                memcpy(out + (c + (size_t)i) * ob + r / 8, &m, 2);
                v = _mm_slli_epi64(v, 1);
            }
        }
    }
}
#else
void mpc_transpose(uint8_t *out, const uint8_t *in, size_t rows, size_t cols)
{
    mpc_transpose_scalar(out, in, rows, cols);
}
#endif

/* ------------------------------------------------ dispatch, 128 rows */

void mpc_transpose128(uint8_t *out, const uint8_t *in, size_t cols)
{
    const mpc_kernels_t *k = mpc_kernels();
    if (cols % 512 == 0 && k->transpose128 != NULL)
        k->transpose128(out, in, cols);
    else
        mpc_transpose(out, in, MPC_OT_KAPPA, cols);
}
