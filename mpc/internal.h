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
 * of 128 bits.  Uses the kernel table's transpose128 (the AVX-512 + GFNI
 * kernel, ot/gfni/transpose.c, or the AVX2 one, ot/avx2/transpose.c) when
 * cols % 512 == 0 and the table has one, mpc_transpose otherwise; same
 * result either way. */
void mpc_transpose128(uint8_t *out, const uint8_t *in, size_t cols);
void mpc_transpose128_gfni(uint8_t *out, const uint8_t *in, size_t cols);
void mpc_transpose128_avx2(uint8_t *out, const uint8_t *in, size_t cols);

/* -------------------------------------------------------- kernel table
 *
 * The kernels of one instruction-set path, picked once per path from
 * veil_cpu_has() (dispatch.c); mpc_kernels() returns the table of the
 * active path (veil_isa_active(), which VEIL_ISA forces), so a call costs
 * one load, never a CPUID.  Every entry has the contract of the public
 * function it serves (mpc_aes.h, mpc_field.h); the portable reference
 * (aes.c, hash.c, field.c) fills the scalar table and every slot no
 * instruction set accelerates. */
struct mpc_field_s;
typedef struct {
    const char *aes_name; /* "portable", "aesni", "vaes256", "vaes512" */
    void (*aes_expand)(mpc_aes_key_t *key, const mpc_block_t *user);
    void (*aes_ecb)(mpc_block_t *out, const mpc_aes_key_t *key,
                    const mpc_block_t *in, size_t n);
    void (*aes_ctr)(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                    size_t n, const mpc_block_t *x, const mpc_block_t *y);
    void (*hash_cr)(mpc_block_t *out, const mpc_aes_key_t *pi,
                    const mpc_block_t *in, size_t n);
    void (*hash_ccr)(mpc_block_t *out, const mpc_aes_key_t *pi,
                     const mpc_block_t *in, size_t n);
    void (*hash_tccr)(mpc_block_t *out, const mpc_aes_key_t *pi,
                      const mpc_block_t *in, uint64_t tweak, size_t n);
    /* 128 x cols transpose for cols % 512 == 0, or NULL */
    void (*transpose128)(uint8_t *out, const uint8_t *in, size_t cols);
    /* F_p kernels for p < 2^50 (IFMA), or NULL */
    void (*vec_mul50)(const struct mpc_field_s *f, uint64_t *out,
                      const uint64_t *a, const uint64_t *b, size_t n);
    void (*beaver_finish50)(const struct mpc_field_s *f, int party, uint64_t *z,
                            const uint64_t *d, const uint64_t *e,
                            const uint64_t *a, const uint64_t *b,
                            const uint64_t *c, size_t n);
} mpc_kernels_t;

/* The table of the active path (dispatch.c). */
const mpc_kernels_t *mpc_kernels(void);

/* ------------------------------------------------------------- AES
 *
 * The portable, constant-time reference (aes.c, hash.c): a software AES
 * whose S-box is computed (inversion in GF(2^8) by x^254, then the affine
 * map), so no memory access depends on a key or a label. */
void mpc_aes_expand_portable(mpc_aes_key_t *key, const mpc_block_t *user);
/* One block: *out = AES_key(*in); out == in allowed. */
void mpc_aes_block_portable(mpc_block_t *out, const mpc_aes_key_t *key,
                            const mpc_block_t *in);
void mpc_aes_ecb_portable(mpc_block_t *out, const mpc_aes_key_t *key,
                          const mpc_block_t *in, size_t n);
void mpc_aes_ctr_portable(mpc_block_t *out, const mpc_aes_key_t *key,
                          uint64_t ctr, size_t n, const mpc_block_t *x,
                          const mpc_block_t *y);
void mpc_hash_cr_portable(mpc_block_t *out, const mpc_aes_key_t *pi,
                          const mpc_block_t *in, size_t n);
void mpc_hash_ccr_portable(mpc_block_t *out, const mpc_aes_key_t *pi,
                           const mpc_block_t *in, size_t n);
void mpc_hash_tccr_portable(mpc_block_t *out, const mpc_aes_key_t *pi,
                            const mpc_block_t *in, uint64_t tweak, size_t n);

/* AES-NI (aesni/aes.c, aesni/hash.c), same contracts. */
void mpc_aes_expand_aesni(mpc_aes_key_t *key, const mpc_block_t *user);
void mpc_aes_ecb_aesni(mpc_block_t *out, const mpc_aes_key_t *key,
                       const mpc_block_t *in, size_t n);
void mpc_aes_ctr_aesni(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                       size_t n, const mpc_block_t *x, const mpc_block_t *y);
void mpc_hash_cr_aesni(mpc_block_t *out, const mpc_aes_key_t *pi,
                       const mpc_block_t *in, size_t n);
void mpc_hash_ccr_aesni(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, size_t n);
void mpc_hash_tccr_aesni(mpc_block_t *out, const mpc_aes_key_t *pi,
                         const mpc_block_t *in, uint64_t tweak, size_t n);

/* VAES on 512-bit registers (vaes/aes.c, vaes/hash.c), same contracts;
 * inputs shorter than MPC_VAES_MIN_BLOCKS go to the AES-NI code. */
void mpc_aes_ctr_vaes(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                      size_t n, const mpc_block_t *x, const mpc_block_t *y);
void mpc_aes_ecb_vaes(mpc_block_t *out, const mpc_aes_key_t *key,
                      const mpc_block_t *in, size_t n);
void mpc_hash_cr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                      const mpc_block_t *in, size_t n);
void mpc_hash_ccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                       const mpc_block_t *in, size_t n);
void mpc_hash_tccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, uint64_t tweak, size_t n);

/* VAES on 256-bit registers (vaes256/aes.c, vaes256/hash.c), for CPUs
 * with VAES but no AVX-512; same contracts, short inputs to AES-NI. */
void mpc_aes_ctr_vaes256(mpc_block_t *out, const mpc_aes_key_t *key,
                         uint64_t ctr, size_t n, const mpc_block_t *x,
                         const mpc_block_t *y);
void mpc_aes_ecb_vaes256(mpc_block_t *out, const mpc_aes_key_t *key,
                         const mpc_block_t *in, size_t n);
void mpc_hash_cr_vaes256(mpc_block_t *out, const mpc_aes_key_t *pi,
                         const mpc_block_t *in, size_t n);
void mpc_hash_ccr_vaes256(mpc_block_t *out, const mpc_aes_key_t *pi,
                          const mpc_block_t *in, size_t n);
void mpc_hash_tccr_vaes256(mpc_block_t *out, const mpc_aes_key_t *pi,
                           const mpc_block_t *in, uint64_t tweak, size_t n);

/* Whether the avx2 path runs the VAES-256 AES kernels where the CPU has
 * VAES (the default) or stays on AES-NI; returns whether VAES-256 is now
 * in use (gc_vaes256_use does the same for garbling).  For tests and
 * benchmarks, which run both kernels on such a CPU; not for use while
 * other threads run mpc code. */
int mpc_vaes256_use(int on);

/* IFMA kernels (ifma/field.c), same results as the scalar code, for
 * p < 2^50: out = a b, and the Beaver combination z = c + d b + e a
 * (+ d e for party 0). */
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
