/*
 * rns_internal.h - helpers shared by the RNS conversion and scaling files
 * and their AVX-512 IFMA kernels (ntt/avx512/rns_avx512.c).
 */
#ifndef VEIL_RNS_INTERNAL_H
#define VEIL_RNS_INTERNAL_H

#include "veil/rns.h"

#define RNS_MASK52 ((UINT64_C(1) << 52) - 1)

/* How many terms below q_i m (q_i a prime of b: a product a c with a < q_i,
 * c < m, possibly plus a value below q_i) can be added to a 128-bit
 * accumulator holding less than 2^63 m (any m < 2^62) before it must be
 * reduced: L = floor(2^63 / max q_i) terms add less than L max q_i m <=
 * 2^63 m, so the sum stays below 2^64 m < 2^126 and never overflows.
 * L >= 2 since every q_i < 2^62; for primes below 2^50, L >= 8192. */
static inline size_t rns_chunk(const rns_base_t *b)
{
    uint64_t qmax = 0;
    for (size_t i = 0; i < b->k; i++)
        if (b->q[i] > qmax)
            qmax = b->q[i];
    return (size_t)(((uint64_t)1 << 63) / qmax);
}

static inline void rns_red_init(rns_red_t *r, uint64_t p)
{
    r->p = p;
    r->r64 = (uint64_t)(((unsigned __int128)1 << 64) % p);
    r->r64_shoup = ntt_shoup_precomp(r->r64, p);
    r->one_shoup = ntt_shoup_precomp(1, p);
    r->r52 = (UINT64_C(1) << 52) % p;
    r->r52_shoup52 = (uint64_t)(((unsigned __int128)r->r52 << 52) / p);
    r->one_shoup52 = (UINT64_C(1) << 52) / p;
}

/* acc mod p for any 128-bit acc: hi [2^64]_p + lo, each lazy Shoup product
 * in [0, 2p), so the sum is below 4p < 2^64; two conditional subtractions
 * finish. */
static inline uint64_t rns_red(unsigned __int128 acc, const rns_red_t *r)
{
    const uint64_t p = r->p;
    uint64_t x =
        ntt_mul_shoup_lazy((uint64_t)(acc >> 64), r->r64, r->r64_shoup, p) +
        ntt_mul_shoup_lazy((uint64_t)acc, 1, r->one_shoup, p);
    x = x >= 2 * p ? x - 2 * p : x;
    return x >= p ? x - p : x;
}

/* 1 if every prime of b lies in (2, 2^50): the range of the AVX-512 IFMA
 * and AVX2 kernels (52-bit products of values below 2^50, sums of 4p below
 * 2^52; q = 2 is excluded because its constant floor(2^(51 + s) / q) = 2^52
 * does not fit 52 bits). */
static inline int rns_simd_ok(const rns_base_t *b)
{
    for (size_t i = 0; i < b->k; i++)
        if (b->q[i] <= 2 || b->q[i] >> 50 != 0)
            return 0;
    return 1;
}

/* The path of a conversion or scaling whose moduli pass rns_simd_ok (ok):
 * the active ISA's kernels, else the scalar code. */
static inline veil_isa_t rns_simd_isa(int ok)
{
    const veil_isa_t isa = veil_isa_active();
    return ok && (isa == VEIL_ISA_AVX512 || isa == VEIL_ISA_AVX2)
               ? isa
               : VEIL_ISA_SCALAR;
}

/* The AVX-512 IFMA and AVX2 kernels: the same computations as conv_columns
 * (rns_conv.c) and scale_columns (rns_scale.c) on the first n - n % 8
 * columns; they return that count (the AVX2 ones 0 if the rounding mode is
 * not round-to-nearest) and the caller finishes the rest. */
size_t rns_conv_columns_avx512(const rns_conv_t *c, uint64_t *out,
                               const uint64_t *in, size_t n, size_t stride,
                               int exact);
size_t rns_scale_columns_avx512(const rns_scale_t *s, uint64_t *out,
                                const uint64_t *in, size_t n, size_t stride);
size_t rns_conv_columns_avx2(const rns_conv_t *c, uint64_t *out,
                             const uint64_t *in, size_t n, size_t stride,
                             int exact);
size_t rns_scale_columns_avx2(const rns_scale_t *s, uint64_t *out,
                              const uint64_t *in, size_t n, size_t stride);

/* For VEIL_ASSERT: rows i < b->k of n residues at in + i * stride are in
 * [0, q_i), and the k_out rows of out at the same stride do not overlap
 * them (a debug-build precondition check of the conversions). */
static inline int rns_rows_ok(const rns_base_t *b, const uint64_t *in,
                              const uint64_t *out, size_t k_out, size_t n,
                              size_t stride)
{
    const size_t span_in = ((b->k - 1) * stride + n) * sizeof(uint64_t);
    const size_t span_out = ((k_out - 1) * stride + n) * sizeof(uint64_t);
    if (in == NULL || out == NULL || stride < n || b->k == 0 || k_out == 0)
        return 0;
    for (size_t i = 0; i < b->k; i++)
        if (!veil_all_below(in + i * stride, n, b->q[i]))
            return 0;
    return veil_disjoint(in, span_in, out, span_out);
}

#endif /* VEIL_RNS_INTERNAL_H */
