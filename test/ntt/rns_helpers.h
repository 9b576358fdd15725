/*
 * rns_helpers.h - shared by the RNS test files: random bases and integers,
 * and exact oracles built on FLINT alone (fmpz_CRT_ui, fmpz_invmod), never
 * on the rns_* functions under test.
 */
#ifndef VEIL_TEST_RNS_HELPERS_H
#define VEIL_TEST_RNS_HELPERS_H

#include "veil/rns.h"
#include <flint/fmpz.h>

/* k distinct random primes of exactly `bits` bits (2^(bits-1) <= q <
 * 2^bits), 3 <= bits <= 62, none equal to any of avoid[0..n_avoid). */
void trh_primes(veil_rng_t *rng, uint64_t *out, size_t k, unsigned bits,
                const uint64_t *avoid, size_t n_avoid);

/* x uniform in [0, bound) (bound > 0), up to a negligible bias. */
void trh_fmpz_below(veil_rng_t *rng, fmpz_t x, const fmpz_t bound);

/* x uniform in (-2^bits, 2^bits). */
void trh_fmpz_signed(veil_rng_t *rng, fmpz_t x, unsigned bits);

/* res[i] uniform in [0, q[i]). */
void trh_residues(veil_rng_t *rng, uint64_t *res, const uint64_t *q, size_t k);

/* The oracle for composition: the x with x = res[i] mod q[i] in [0, prod q)
 * (sign 0) or (-prod/2, prod/2] (sign 1), by FLINT's fmpz_CRT_ui; the
 * product into M if M != NULL. */
void trh_crt(fmpz_t x, fmpz_t M, const uint64_t *res, const uint64_t *q,
             size_t k, int sign);

/* res[i] = x mod q[i] by fmpz_mod_ui. */
void trh_reduce(uint64_t *res, const fmpz_t x, const uint64_t *q, size_t k);

/* Column `col` of a row-major k x stride array. */
void trh_column(uint64_t *res, const uint64_t *rows, size_t k, size_t stride,
                size_t col);

#endif
