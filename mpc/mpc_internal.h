/*
 * mpc_internal.h - private helpers shared by the mpc sources.
 */
#ifndef VEIL_MPC_INTERNAL_H
#define VEIL_MPC_INTERNAL_H

#include "veil/mpc.h"

/* Bit-matrix transpose (ot_transpose.c).  in holds `rows` rows of `cols`
 * bits, row r at in + r * cols / 8, bit c of a row at byte c / 8, bit
 * c % 8; out receives `cols` rows of `rows` bits in the same layout.
 * Requires rows % 16 == 0 and cols % 8 == 0; in and out must not overlap.
 * The SSE2 path (Scott's movemask transpose) runs where the build has
 * SSE2, the scalar one is the reference. */
void mpc_transpose(uint8_t *out, const uint8_t *in, size_t rows, size_t cols);
void mpc_transpose_scalar(uint8_t *out, const uint8_t *in, size_t rows,
                          size_t cols);

#endif
