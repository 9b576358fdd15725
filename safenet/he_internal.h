/*
 * he_internal.h - helpers shared by the safenet/he_*.c files (not part of
 * the he.h interface).
 */
#ifndef VEIL_SAFENET_HE_INTERNAL_H
#define VEIL_SAFENET_HE_INTERNAL_H

#include "he.h"

/* The slot y[s] of rot(x) reads: x[safenet_he_rot_src(n, r, s)]. */
static inline size_t safenet_he_rot_src(size_t n, uint32_t shift, uint32_t swap,
                                        size_t s)
{
    const size_t h = n / 2;
    const size_t row = s / h, col = s % h;
    return (row ^ swap) * h + (col + shift) % h;
}

/* The rotation (shift, swap) with its Galois element. */
safenet_he_rot_t safenet_he_rot_make(const bfv_context_t *ctx, int64_t shift,
                                     uint32_t swap);

/* Bits of the largest value below 2^b: ceil(log2(x + 1)). */
static inline unsigned safenet_he_bitlen(uint64_t x)
{
    return x == 0 ? 0 : 64 - (unsigned)__builtin_clzll(x);
}

/* Slot values -> a plaintext ready for pointwise products: vals[0..n)
 * (slot order, values in [0, t)) are batch-encoded (inverse NTT mod t),
 * lifted to (-t/2, t/2] and put in NTT form mod every q_i:
 * out[i * n + k].  tmp: n words.  No allocation, no threads. */
void safenet_he_encode_ntt(uint64_t *out, const bfv_context_t *ctx,
                           const uint64_t *vals, uint64_t *tmp);

/* The same in two stages, for limb-major loops: coef[0..n) = the
 * plaintext's coefficients mod t (vals in slot order, in place allowed);
 * then row = NTT form mod q_i of its centred lift. */
void safenet_he_encode_coeffs(uint64_t *coef, const bfv_context_t *ctx,
                              const uint64_t *vals, uint64_t *tmp);
void safenet_he_encode_limb(uint64_t *row, const bfv_context_t *ctx, size_t i,
                            const uint64_t *coef);

/* Add to c_0 of ct a polynomial with coefficients uniform in
 * [-2^bits, 2^bits) (bits <= 126), drawn from rng.  VEIL_ENOMEM. */
veil_status safenet_he_flood(bfv_ciphertext_t *ct, unsigned bits,
                             veil_rng_t *rng) VEIL_WUR;

/* Seconds of a monotonic clock. */
double safenet_he_now(void);

#endif
