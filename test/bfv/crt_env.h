/*
 * crt_env.h - shared by the bfv part-2 tests (crt_*, serial_*,
 * estimate_*): a ready CRT context with keys, and fmpz helpers for the
 * exact integer oracle.
 */
#ifndef VEIL_TEST_BFV_CRT_ENV_H
#define VEIL_TEST_BFV_CRT_ENV_H

#include "helpers.h"
#include "veil/bfv_crt.h"
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>

/* A CRT context over a small insecure ring (tests only) with a key set. */
typedef struct {
    bfv_crt_params_t params;
    bfv_crt_context_t ctx;
    bfv_crt_keys_t keys;
    veil_rng_t rng;
    size_t n, k;
} ce_env_t;

/* k plaintext primes of t_bits bits chosen by bfv_crt_choose_primes for
 * ring degree n, ciphertext primes of q_bits[0..n_q) bits, one 50-bit
 * special prime, keys of the kinds in `what` (BFV_CRT_*; Galois keys for
 * the steps 1, -3 and the column swap).  Asserts success. */
void ce_init(ce_env_t *e, size_t n, size_t k, unsigned t_bits,
             const unsigned *q_bits, size_t n_q, unsigned what,
             const char *test);
void ce_clear(ce_env_t *e);

/* v[0..count) uniform in [-2^bits, 2^bits]. */
void ce_random_fmpz(fmpz *v, size_t count, unsigned bits, veil_rng_t *rng);

/* Encrypt values[0..n) with the public key (assert success). */
void ce_encrypt(ce_env_t *e, bfv_crt_ciphertext_t *ct, const fmpz *values);

/* Decrypt and decode all n slots (assert success). */
void ce_decrypt(ce_env_t *e, fmpz *values, const bfv_crt_ciphertext_t *ct);

/* Assert got[0..n) == want[0..n) as integers. */
void ce_assert_equal(const fmpz *got, const fmpz *want, size_t n,
                     const char *what);

#endif
