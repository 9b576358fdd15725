/*
 * rns.h - residue number system bases: exact CRT composition/decomposition
 * with GMP/FLINT integers, and the fast approximate base conversion of
 * full-RNS BFV (Bajard et al. 2016; Halevi, Polyakov, Shoup 2018).
 * See doc/01-arithmetic.md, section "RNS and the CRT".
 */
#ifndef VEIL_RNS_H
#define VEIL_RNS_H

#include <gmp.h>
#include <flint/fmpz.h>
#include "veil/ntt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A base of k distinct primes q_0..q_{k-1} (each < 2^62), Q = prod q_i, with
 * the CRT constants  qhat_i = Q / q_i  and  qhat_inv_i = qhat_i^-1 mod q_i.
 * Immutable after init. */
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

/* VEIL_EINVAL for k == 0, NULL, or primes not distinct / out of range;
 * VEIL_ENOMEM. */
veil_status rns_base_init(rns_base_t *b, const uint64_t *primes, size_t k) VEIL_WUR;
void rns_base_clear(rns_base_t *b);

/* res[i] = x mod q_i in [0, q_i) for any signed x. */
void rns_decompose_mpz(const rns_base_t *b, uint64_t *res, const mpz_t x);
void rns_decompose_fmpz(const rns_base_t *b, uint64_t *res, const fmpz_t x);

/* x = the integer in [0, Q) with the given residues (each in [0, q_i)). */
void rns_compose_mpz(const rns_base_t *b, mpz_t x, const uint64_t *res);
void rns_compose_fmpz(const rns_base_t *b, fmpz_t x, const uint64_t *res);

/* x = the same integer centred into (-Q/2, Q/2]. */
void rns_compose_centered_mpz(const rns_base_t *b, mpz_t x, const uint64_t *res);
void rns_compose_centered_fmpz(const rns_base_t *b, fmpz_t x, const uint64_t *res);

/* Fast base conversion from base `from` (Q) to base `to` (P):
 *   out_j = sum_i [x_i * qhat_inv_i]_{q_i} * qhat_i  mod p_j,
 * which equals (x + e * Q) mod p_j for the x in [0, Q) with residues x_i and
 * an integer 0 <= e < k_from (the documented error of the approximate
 * conversion). */
typedef struct {
    const rns_base_t *from;
    const rns_base_t *to;
    uint64_t *qhat_mod_p; /* [i * to->k + j] = qhat_i mod p_j */
} rns_conv_t;

veil_status rns_conv_init(rns_conv_t *c, const rns_base_t *from,
                          const rns_base_t *to) VEIL_WUR;
void rns_conv_clear(rns_conv_t *c);

/* in: from->k rows of n residues (row i mod q_i, in [0, q_i));
 * out: to->k rows of n residues in [0, p_j).  No aliasing. */
void rns_conv_apply(const rns_conv_t *c, uint64_t *out, const uint64_t *in,
                    size_t n);

#ifdef __cplusplus
}
#endif
#endif /* VEIL_RNS_H */
