/*
 * rns.h - residue number system bases: exact CRT composition/decomposition
 * with GMP/FLINT integers, the fast approximate base conversion of full-RNS
 * BFV (Bajard, Eynard, Hasan, Zucca 2016), the "exact" conversion and the
 * scale-and-round steps of Halevi, Polyakov and Shoup (CT-RSA 2019) used by
 * BFV decryption and multiplication.  See doc/02-rns.md.
 *
 * Layout: a vector of n values in a base of k primes is k rows of n words,
 * row i holding the residues mod the i-th prime (row-major, "limb-major").
 * The functions with a leading underscore take the distance between rows as
 * an extra `stride` (>= n), so that a caller can split the n columns among
 * threads: the conversions and scalings are independent per column and
 * contain no OpenMP themselves.
 *
 * Sizes: primes are below 2^62 (ntt_modulus_t), a base has at most
 * RNS_MAX_PRIMES of them.
 *
 * Paths: a conversion or scaling records at init the instruction set of
 * veil_isa_active().  On the AVX-512 IFMA path, usable when every prime
 * involved (and t) lies in (2, 2^50), eight columns run at once through the
 * very integer formulas of the scalar code, so every path gives the same
 * bits; otherwise the scalar code runs.
 */
#ifndef VEIL_RNS_H
#define VEIL_RNS_H

#include "veil/ntt.h"
#include <flint/fmpz.h>
#include <gmp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RNS_MAX_PRIMES 256 /* largest base: 256 primes, Q < 2^15872 */

/* ---------------------------------------------------------------- bases */

/* A base of k distinct primes q_0..q_{k-1} (each < 2^62), Q = prod q_i, with
 * the CRT constants  qhat_i = Q / q_i  and  qhat_inv_i = qhat_i^-1 mod q_i.
 * Immutable after init.  A zero-filled struct counts as cleared. */
typedef struct {
    size_t k;
    uint64_t *q;              /* primes                                */
    ntt_modulus_t *mod;       /* Barrett data per prime                */
    uint64_t *qhat_inv;       /* (Q/q_i)^-1 mod q_i                    */
    uint64_t *qhat_inv_shoup; /* Shoup constants of qhat_inv           */
    mpz_t Q;                  /* product of the primes                 */
    mpz_t Q_half;             /* floor(Q / 2)                          */
    mpz_t *qhat;              /* Q / q_i                               */
} rns_base_t;

/* Build the base of primes[0..k).  VEIL_EINVAL if b or primes is NULL, k is
 * 0 or above RNS_MAX_PRIMES, a q_i is outside [2, 2^62) or not prime
 * (FLINT's n_is_prime), or two are equal; VEIL_ENOMEM.  On failure *b is
 * left cleared (rns_base_clear is harmless on it). */
VEIL_EXPORT veil_status rns_base_init(rns_base_t *b, const uint64_t *primes,
                                      size_t k) VEIL_WUR;

/* Free the base; safe twice, on a zero-filled struct and on NULL. */
VEIL_EXPORT void rns_base_clear(rns_base_t *b);

/* ---------------------------------------------------------------- CRT */

/* res[i] = x mod q_i in [0, q_i) for any signed x. */
VEIL_EXPORT void rns_decompose_mpz(const rns_base_t *b, uint64_t *res,
                                   const mpz_t x);
VEIL_EXPORT void rns_decompose_fmpz(const rns_base_t *b, uint64_t *res,
                                    const fmpz_t x);

/* x = the integer in [0, Q) with the given residues.  Each res[i] may be any
 * 64-bit word: it is read mod q_i. */
VEIL_EXPORT void rns_compose_mpz(const rns_base_t *b, mpz_t x,
                                 const uint64_t *res);
VEIL_EXPORT void rns_compose_fmpz(const rns_base_t *b, fmpz_t x,
                                  const uint64_t *res);

/* x = the same integer centred into (-Q/2, Q/2]. */
VEIL_EXPORT void rns_compose_centered_mpz(const rns_base_t *b, mpz_t x,
                                          const uint64_t *res);
VEIL_EXPORT void rns_compose_centered_fmpz(const rns_base_t *b, fmpz_t x,
                                           const uint64_t *res);

/* --------------------------------------------------- base conversion */

/* Constants that reduce a double-word sum hi 2^64 + lo modulo p as
 * hi [2^64]_p + lo with two lazy Shoup products (any hi, lo; p < 2^62),
 * cheaper than a 128-bit Barrett reduction; and the same for hi 2^52 + lo
 * with 52-bit Shoup constants (AVX-512 IFMA path, hi, lo < 2^52). */
typedef struct {
    uint64_t p;
    uint64_t r64;         /* 2^64 mod p                           */
    uint64_t r64_shoup;   /* floor(r64 2^64 / p)                  */
    uint64_t one_shoup;   /* floor(2^64 / p): Shoup's constant of 1 */
    uint64_t r52;         /* 2^52 mod p                           */
    uint64_t r52_shoup52; /* floor(r52 2^52 / p)                  */
    uint64_t one_shoup52; /* floor(2^52 / p)                      */
} rns_red_t;

/* Conversion from base `from` (primes q_i, product Q, k = from->k) to base
 * `to` (primes p_j).  With y_i = [x_i qhat_inv_i]_{q_i}, every x in [0, Q)
 * satisfies
 *     sum_i y_i qhat_i = x + e Q   for an integer 0 <= e < k
 * (the sum lies in [0, k Q) and is x mod Q); e = floor(sum_i y_i / q_i).
 * Both bases are borrowed and must outlive the conversion; they need not be
 * coprime.  Immutable after init; a zero-filled struct counts as cleared. */
typedef struct {
    const rns_base_t *from;
    const rns_base_t *to;
    uint64_t *qhat_mod_p;    /* [j * from->k + i] = qhat_i mod p_j      */
    uint64_t *Q_mod_p;       /* [j] = Q mod p_j                         */
    uint64_t *Q_mod_p_shoup; /* Shoup constants of Q_mod_p              */
    rns_red_t *red;          /* [j] reduction constants of p_j          */
    uint64_t *qhat_inv_sh52; /* [i] floor(qhat_inv_i 2^52 / q_i)      */
    uint64_t *v_mu;          /* [i] floor(2^(51 + s_i) / q_i), s_i the
                                bit length of q_i (exact conversion)    */
    uint64_t *v_shift;       /* [i] s_i - 1                             */
    size_t chunk;            /* products summed in 128 bits before a
                                reduction: floor(2^63 / max q_i)        */
    veil_isa_t isa;          /* path of rns_conv_apply*                 */
} rns_conv_t;

/* VEIL_EINVAL if an argument is NULL or a base is not initialised;
 * VEIL_ENOMEM.  On failure *c is left cleared. */
VEIL_EXPORT veil_status rns_conv_init(rns_conv_t *c, const rns_base_t *from,
                                      const rns_base_t *to) VEIL_WUR;

/* Free the tables; safe twice, on a zero-filled struct and on NULL. */
VEIL_EXPORT void rns_conv_clear(rns_conv_t *c);

/* Fast (approximate) base conversion, BEHZ's FastBconv:
 *   out_j = sum_i y_i (qhat_i mod p_j)  mod p_j  =  (x + e Q) mod p_j,
 * 0 <= e < from->k as above; e depends on the column only, not on j.
 * in: from->k rows of n residues in [0, q_i); out: to->k rows of n residues
 * in [0, p_j).  in and out must not overlap. */
VEIL_EXPORT void rns_conv_apply(const rns_conv_t *c, uint64_t *out,
                                const uint64_t *in, size_t n);
VEIL_EXPORT void _rns_conv_apply(const rns_conv_t *c, uint64_t *out,
                                 const uint64_t *in, size_t n, size_t stride);

/* "Exact" base conversion (HPS section 2.2): the fast conversion minus v Q,
 * where v = round(sum_i y_i / q_i) is evaluated in 52-bit fixed point.
 * out_j = x' mod p_j, where x' is the centred representative x_c of x in
 * (-Q/2, Q/2] whenever |x_c| <= (Q/2)(1 - k 2^-48), and x' is x_c or x_c + Q
 * otherwise (the rounding of v can only fail that close to -Q/2).  Ranges
 * and aliasing as rns_conv_apply. */
VEIL_EXPORT void rns_conv_apply_exact(const rns_conv_t *c, uint64_t *out,
                                      const uint64_t *in, size_t n);
VEIL_EXPORT void _rns_conv_apply_exact(const rns_conv_t *c, uint64_t *out,
                                       const uint64_t *in, size_t n,
                                       size_t stride);

/* ------------------------------------------------------ scale and round */

/* Multiplication by t / Q with rounding, on residues (HPS sections 2.3 and
 * 4.3), in two forms sharing one algorithm:
 *
 *  - decryption (p == NULL): the input x is in base Q (q->k rows) and the
 *    output is one row, round(t x / Q) mod t;
 *  - multiplication (p != NULL): the input x is in base Q u P (q->k rows mod
 *    the q_i followed by p->k rows mod the p_j) and the output is p->k rows,
 *    round(t x / Q) mod p_j.
 *
 * Both are independent of the representative of x (mod Q, resp. mod QP).
 * round(y) = floor(y + 1/2).  Exactness: the output is round(t x / Q),
 * except when the fractional part of t x / Q lies in [1/2, 1/2 + eps),
 *     eps = 2^-52 sum_i (1 + q_i 2^-52)  (< k 2^-51 for primes below 2^52,
 *                                          < k 2^-41 for any q_i < 2^62),
 * where it is floor(t x / Q): the fractional terms are summed in 52-bit
 * fixed point from 104-bit constants.  No floating point: every machine
 * and path gives the same bits. */
typedef struct {
    const rns_base_t *q;      /* divisor base Q                          */
    const rns_base_t *p;      /* NULL, or the base P of the output       */
    uint64_t t;               /* numerator, 2 <= t < 2^62                */
    size_t m;                 /* output rows: 1 (t) or p->k              */
    rns_red_t *red;           /* [j] output moduli m_j (t, or p_j) with
                                 their reduction constants               */
    uint64_t *int_part;       /* [j * q->k + i] = floor(t P w_i / q_i)
                                 mod m_j                                 */
    uint64_t *frac;           /* [2i], [2i + 1]: high and low 52-bit
                                 limbs of floor(2^104 frac(t P w_i / q_i)) */
    uint64_t *p_coef;         /* [j] = t Q^-1 mod p_j (NULL if no P)     */
    uint64_t *p_coef_shoup;   /* floor(p_coef 2^64 / p_j)                */
    uint64_t *p_coef_shoup52; /* floor(p_coef 2^52 / p_j)                */
    size_t chunk;             /* as in rns_conv_t, for the q_i           */
    veil_isa_t isa;           /* path of rns_scale_round                 */
} rns_scale_t;
/* where P = prod p_j (1 without P) and w_i = (QP / q_i)^-1 mod q_i. */

/* VEIL_EINVAL if s or q is NULL, a base is not initialised, t is outside
 * [2, 2^62), or a prime of P equals a prime of Q; VEIL_ENOMEM.  Both bases
 * are borrowed.  On failure *s is left cleared. */
VEIL_EXPORT veil_status rns_scale_init(rns_scale_t *s, const rns_base_t *q,
                                       const rns_base_t *p,
                                       uint64_t t) VEIL_WUR;

/* Free the tables; safe twice, on a zero-filled struct and on NULL. */
VEIL_EXPORT void rns_scale_clear(rns_scale_t *s);

/* in: q->k (+ p->k) rows of n residues, each in [0, its prime); out: s->m
 * rows of n values in [0, t) resp. [0, p_j).  in and out must not overlap.
 * The intermediate values are wiped (the input may be a decryption phase). */
VEIL_EXPORT void rns_scale_round(const rns_scale_t *s, uint64_t *out,
                                 const uint64_t *in, size_t n);
VEIL_EXPORT void _rns_scale_round(const rns_scale_t *s, uint64_t *out,
                                  const uint64_t *in, size_t n, size_t stride);

#ifdef __cplusplus
}
#endif
#endif /* VEIL_RNS_H */
