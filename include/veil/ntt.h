/*
 * ntt.h - word-size modular arithmetic, NTT-friendly primes, the negacyclic
 * number-theoretic transform over Z_q[X]/(X^n + 1) and pointwise kernels.
 * See doc/01-arithmetic.md for the mathematics and a worked n = 8 example.
 *
 * Ranges: "in [0, q)" means fully reduced; "lazy" results are in [0, 2q) or
 * [0, 4q) as stated.  All primes satisfy q < 2^NTT_MAX_PRIME_BITS, so 4q fits
 * the 52-bit IFMA multiplier and the same primes run on every path.
 */
#ifndef VEIL_NTT_H
#define VEIL_NTT_H

#include "veil/veil.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NTT_MAX_PRIME_BITS 50 /* largest prime size every ISA path supports */
#define NTT_MIN_PRIME_BITS 14
#define NTT_MIN_LOGN 3 /* plans exist for n = 2^3 .. 2^17            */
#define NTT_MAX_LOGN 17

/* ------------------------------------------------------ modular arithmetic */

/* A word-size modulus with its Barrett constant floor(2^128 / q). */
typedef struct {
    uint64_t q;
    uint64_t barrett_hi; /* high word of floor(2^128 / q) */
    uint64_t barrett_lo; /* low word                       */
} ntt_modulus_t;

/* Fill *m for 2 <= q < 2^62; VEIL_EINVAL otherwise. */
VEIL_EXPORT veil_status ntt_modulus_init(ntt_modulus_t *m, uint64_t q) VEIL_WUR;

/* x - r if x >= r, else x, for x, r < 2^63: one conditional subtraction,
 * computed from the sign of x - r rather than with a branch, so that its
 * timing does not depend on x. */
static inline uint64_t ntt_csub(uint64_t x, uint64_t r)
{
    uint64_t d = x - r;
    return d + (r & (uint64_t)((int64_t)d >> 63));
}

/* a + b mod q for a, b in [0, q), q < 2^63. */
static inline uint64_t ntt_add_mod(uint64_t a, uint64_t b, uint64_t q)
{
    return ntt_csub(a + b, q);
}

/* a - b mod q for a, b in [0, q). */
static inline uint64_t ntt_sub_mod(uint64_t a, uint64_t b, uint64_t q)
{
    uint64_t d = a - b;
    return d + (q & (uint64_t)((int64_t)d >> 63));
}

/* -a mod q for a in [0, q). */
static inline uint64_t ntt_neg_mod(uint64_t a, uint64_t q)
{
    return (q - a) & (0 - (uint64_t)(a != 0));
}

/* x mod q for the 128-bit x = hi 2^64 + lo, hi < q (Barrett with the
 * 128-bit constant c = floor(2^128 / q)).  The quotient estimate
 * qhat = floor(x c / 2^128) is computed exactly from four 64x64 products;
 * since x c / 2^128 > x / q - x / 2^128 > x / q - 1, qhat is floor(x / q)
 * or one less, so x - qhat q < 2q and one conditional subtraction ends. */
static inline uint64_t ntt_reduce128(uint64_t hi, uint64_t lo,
                                     const ntt_modulus_t *m)
{
    const uint64_t c_hi = m->barrett_hi, c_lo = m->barrett_lo;
    /* x c = t3 2^128 + (t1 + t2) 2^64 + t0; hi < q keeps t3 < 2^64 */
    unsigned __int128 t0 = (unsigned __int128)lo * c_lo;
    unsigned __int128 t1 = (unsigned __int128)lo * c_hi;
    unsigned __int128 t2 = (unsigned __int128)hi * c_lo;
    uint64_t t3 = hi * c_hi;
    unsigned __int128 mid = (t0 >> 64) + (uint64_t)t1 + (uint64_t)t2;
    uint64_t qhat = t3 + (uint64_t)(t1 >> 64) + (uint64_t)(t2 >> 64) +
                    (uint64_t)(mid >> 64);
    uint64_t r = lo - qhat * m->q; /* exact: the true value is < 2q */
    return ntt_csub(r, m->q);
}

/* a * b mod q for a, b in [0, q) (Barrett). */
static inline uint64_t ntt_mul_mod(uint64_t a, uint64_t b,
                                   const ntt_modulus_t *m)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    return ntt_reduce128((uint64_t)(p >> 64), (uint64_t)p, m);
}

/* Shoup's precomputed constant floor(w * 2^64 / q) for w in [0, q). */
static inline uint64_t ntt_shoup_precomp(uint64_t w, uint64_t q)
{
    return (uint64_t)(((unsigned __int128)w << 64) / q);
}

/* a * w mod q in [0, 2q) for any 64-bit a, w in [0, q), wp its Shoup
 * constant (Harvey's lazy variant: no final subtraction). */
static inline uint64_t ntt_mul_shoup_lazy(uint64_t a, uint64_t w, uint64_t wp,
                                          uint64_t q)
{
    uint64_t qhat = (uint64_t)(((unsigned __int128)a * wp) >> 64);
    return a * w - qhat * q;
}

/* a * w mod q in [0, q) (Shoup). */
static inline uint64_t ntt_mul_shoup(uint64_t a, uint64_t w, uint64_t wp,
                                     uint64_t q)
{
    return ntt_csub(ntt_mul_shoup_lazy(a, w, wp, q), q);
}

/* a^e mod q, a in [0, q). */
VEIL_EXPORT uint64_t ntt_pow_mod(uint64_t a, uint64_t e,
                                 const ntt_modulus_t *m);

/* a^-1 mod q into *inv; VEIL_EINVAL if gcd(a, q) != 1. */
VEIL_EXPORT veil_status ntt_inv_mod(uint64_t *inv, uint64_t a,
                                    uint64_t q) VEIL_WUR;

/* The smallest primitive 2n-th root of unity psi mod prime q (psi^n = -1);
 * VEIL_EPARAM if q != 1 mod 2n or q is not prime. */
VEIL_EXPORT veil_status ntt_root_of_unity(uint64_t *psi, size_t n,
                                          uint64_t q) VEIL_WUR;

/* ------------------------------------------------------------------ primes */

/* The `count` largest distinct primes q < 2^bits with q = 1 mod 2n, in
 * descending order, skipping any listed in exclude[0..n_exclude).
 * Deterministic.  VEIL_EINVAL for bad n or bits outside
 * [NTT_MIN_PRIME_BITS, NTT_MAX_PRIME_BITS]; VEIL_EPARAM if fewer exist. */
VEIL_EXPORT veil_status ntt_primes_generate(uint64_t *out, size_t count,
                                            unsigned bits, size_t n,
                                            const uint64_t *exclude,
                                            size_t n_exclude) VEIL_WUR;

/* -------------------------------------------------------------------- NTT */

struct ntt_kernels; /* per-ISA function table (ntt/ntt_internal.h) */

/* An NTT plan for one prime q and ring degree n: twiddle tables (bit-reversed
 * powers of psi and psi^-1 with their Shoup constants, in the layouts the
 * chosen ISA wants) and the kernel table of the ISA active when it was made.
 * Immutable after init: threads share it freely. */
typedef struct {
    size_t n;
    unsigned logn;
    uint64_t q;
    ntt_modulus_t mod;
    uint64_t psi;   /* primitive 2n-th root used                    */
    uint64_t n_inv; /* n^-1 mod q                                   */
    veil_isa_t isa; /* path the plan's kernels use                  */
    const struct ntt_kernels *k;
    void *tables; /* twiddle tables, owned; layout is per ISA     */
} ntt_plan_t;

/* Build a plan for the active ISA.  VEIL_EINVAL if n is not a power of two in
 * [2^NTT_MIN_LOGN, 2^NTT_MAX_LOGN], VEIL_EPARAM if q is not a prime = 1 mod
 * 2n below 2^NTT_MAX_PRIME_BITS, VEIL_ENOMEM. */
VEIL_EXPORT veil_status ntt_plan_init(ntt_plan_t *plan, size_t n,
                                      uint64_t q) VEIL_WUR;

/* The same for an explicit path; VEIL_EUNSUPPORTED if it cannot run here. */
VEIL_EXPORT veil_status ntt_plan_init_isa(ntt_plan_t *plan, size_t n,
                                          uint64_t q, veil_isa_t isa) VEIL_WUR;

/* Free the tables; safe twice. */
VEIL_EXPORT void ntt_plan_clear(ntt_plan_t *plan);

/* In-place forward negacyclic NTT: a[0..n) in [0, q) -> evaluations at the
 * odd powers of psi, in bit-reversed order, in [0, q). */
VEIL_EXPORT void ntt_forward(const ntt_plan_t *plan, uint64_t *a);

/* out = the forward NTT of in (in [0, 4q), the lazy range; out == in or
 * not overlapping it; out in [0, q)), and meanwhile the rows pf[0] and
 * pf[1] (n words each; NULL: none) brought towards the core's cache,
 * spread over the transform's passes, for a product that reads them next.
 * Key switching transforms each digit row straight from the residues it
 * reduces (no copy, no reduction pass) and prefetches the key rows the
 * digit meets, so that they stream from memory while it is transformed
 * (doc/05-key-switching.md).  The same result as a reduction, a copy and
 * ntt_forward; the scalar and AVX2 paths do just that (and ignore pf). */
VEIL_EXPORT void ntt_forward_prefetch(const ntt_plan_t *plan, uint64_t *out,
                                      const uint64_t *in,
                                      const uint64_t *const pf[2]);

/* Lazy forward: input in [0, 4q), output in [0, 4q) (no final reduction). */
VEIL_EXPORT void ntt_forward_lazy(const ntt_plan_t *plan, uint64_t *a);

/* In-place inverse, including the factor n^-1: input in [0, 2q) (lazy
 * inputs accepted), output in [0, q). */
VEIL_EXPORT void ntt_inverse(const ntt_plan_t *plan, uint64_t *a);

/* Lazy inverse: input in [0, 2q), output in [0, 2q). */
VEIL_EXPORT void ntt_inverse_lazy(const ntt_plan_t *plan, uint64_t *a);

/* ---------------------------------------------------- pointwise kernels */
/* All on the plan's modulus and ISA, length plan->n, inputs in [0, q) unless
 * stated, outputs in [0, q).  out may alias any input. */

VEIL_EXPORT void ntt_vec_add(const ntt_plan_t *p, uint64_t *out,
                             const uint64_t *a, const uint64_t *b);
/* out = a + w mod q for signed w, |w[i]| < q (small signed terms: an
 * encryption's error and rounding). */
VEIL_EXPORT void ntt_vec_add_signed(const ntt_plan_t *p, uint64_t *out,
                                    const uint64_t *a, const int64_t *w);
VEIL_EXPORT void ntt_vec_sub(const ntt_plan_t *p, uint64_t *out,
                             const uint64_t *a, const uint64_t *b);
VEIL_EXPORT void ntt_vec_neg(const ntt_plan_t *p, uint64_t *out,
                             const uint64_t *a);
/* out = a * b (Barrett / IFMA). */
VEIL_EXPORT void ntt_vec_mul(const ntt_plan_t *p, uint64_t *out,
                             const uint64_t *a, const uint64_t *b);
/* out0 = a0 * b and out1 = a1 * b (Barrett / IFMA) in one pass, each word
 * of b read once: the two rows of a ciphertext times a plaintext row
 * (bfv_mul_plain).  Inputs in [0, q), outputs in [0, q).  out0 may be a0
 * and out1 a1 (or any input, exactly); out0 and out1 must not overlap. */
VEIL_EXPORT void ntt_vec_mul2(const ntt_plan_t *p, uint64_t *out0,
                              uint64_t *out1, const uint64_t *a0,
                              const uint64_t *a1, const uint64_t *b);
/* out = a * w for one constant w in [0, q) (Shoup). */
VEIL_EXPORT void ntt_vec_mul_scalar(const ntt_plan_t *p, uint64_t *out,
                                    const uint64_t *a, uint64_t w);
/* out = a * w[i] with precomputed Shoup constants wp[i] (reused plaintexts). */
VEIL_EXPORT void ntt_vec_mul_shoup(const ntt_plan_t *p, uint64_t *out,
                                   const uint64_t *a, const uint64_t *w,
                                   const uint64_t *wp);
/* out += a * b. */
VEIL_EXPORT void ntt_vec_muladd(const ntt_plan_t *p, uint64_t *out,
                                const uint64_t *a, const uint64_t *b);
/* out0 += a0 * b and out1 += a1 * b in one pass, each word of b read once
 * (ntt_vec_mul2's accumulating form: a plaintext row times both rows of a
 * ciphertext, added into a sum, lola's multiply-accumulate steps).  out0
 * and out1 must not overlap each other or any input. */
VEIL_EXPORT void ntt_vec_muladd2(const ntt_plan_t *p, uint64_t *out0,
                                 uint64_t *out1, const uint64_t *a0,
                                 const uint64_t *a1, const uint64_t *b);
/* out = a mod q for a in [0, 4q) (finishes lazy results). */
VEIL_EXPORT void ntt_vec_reduce(const ntt_plan_t *p, uint64_t *out,
                                const uint64_t *a);
/* wp[i] = floor(w[i] * 2^64 / q): Shoup constants for ntt_vec_mul_shoup. */
VEIL_EXPORT void ntt_vec_shoup_precomp(const ntt_plan_t *p, uint64_t *wp,
                                       const uint64_t *w);

#ifdef __cplusplus
}
#endif
#endif /* VEIL_NTT_H */
