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

/* The IKNP shape: 128 rows of `cols` bits (cols % 8 == 0) into cols rows
 * of 128 bits.  Uses the AVX-512 + GFNI kernel (ot_transpose_gfni.c) when
 * cols % 512 == 0 and mpc_avx512_active(), mpc_transpose otherwise; same
 * result either way. */
void mpc_transpose128(uint8_t *out, const uint8_t *in, size_t cols);
void mpc_transpose128_gfni(uint8_t *out, const uint8_t *in, size_t cols);

/* 1 if the mpc AVX-512 kernels may run (cpu.c): this build has them, the
 * CPU and OS support AVX-512 F/BW/VBMI, GFNI and VAES, and the active veil
 * ISA (VEIL_ISA) is avx512.  Checked once, cheap afterwards. */
int mpc_avx512_active(void);

/* VAES versions of the mpc_aes.h kernels (aes_vaes.c), same contracts;
 * only after mpc_avx512_active(). */
void mpc_aes_ctr_vaes(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                      size_t n);
void mpc_aes_ecb_vaes(mpc_block_t *out, const mpc_aes_key_t *key,
                      const mpc_block_t *in, size_t n);
void mpc_hash_cr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                      const mpc_block_t *in, size_t n);
void mpc_hash_ccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                       const mpc_block_t *in, size_t n);
void mpc_hash_tccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, uint64_t tweak, size_t n);

/* 1 if the AVX-512 IFMA field kernels (field_ifma.c) may run for f: p
 * below 2^50 and the active veil ISA is avx512 (which has IFMA). */
struct mpc_field_s;
int mpc_ifma_active(const struct mpc_field_s *f);

/* IFMA kernels (field_ifma.c), same results as the scalar code:
 * out = a b, and the Beaver combination z = c + d b + e a (+ d e for party
 * 0).  Only where mpc_ifma_active(f). */
void mpc_vec_mul_ifma(const struct mpc_field_s *f, uint64_t *out,
                      const uint64_t *a, const uint64_t *b, size_t n);
void mpc_beaver_finish_ifma(const struct mpc_field_s *f, int party, uint64_t *z,
                            const uint64_t *d, const uint64_t *e,
                            const uint64_t *a, const uint64_t *b,
                            const uint64_t *c, size_t n);

/* Elements per call of a vector kernel inside an OpenMP loop. */
#define MPC_BLOCK 4096

/* Below this many blocks the AES-NI code is used even where VAES runs. */
#define MPC_VAES_MIN_BLOCKS 32

#endif
