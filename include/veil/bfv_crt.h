/*
 * bfv_crt.h - BFV with a CRT-composed plaintext modulus
 * T = t_0 * t_1 * ... * t_{k-1} (doc/08-crt-plaintexts.md).
 *
 * One BFV instance ("component") per prime t_i.  The k instances share the
 * ring degree n, the ciphertext primes Q and the special primes P; only the
 * plaintext modulus differs.  An integer x is encoded as its residues
 * x mod t_i, one plaintext per component; every homomorphic operation is
 * applied to every component (ring operations commute with reduction
 * mod t_i), and decoding joins the k residues by the Chinese remainder
 * theorem into the unique integer in (-T/2, T/2] with those residues.  So a
 * computation over Z is exact as long as every value it produces stays in
 * (-T/2, T/2], and T can be as large as needed without any t_i being large:
 * the noise of component i grows with t_i, not with T.
 *
 * Every t_i must be a prime with t_i = 1 mod 2n (each component batches:
 * n slots as a 2 x n/2 matrix, bfv.h), the t_i distinct and coprime to Q.
 *
 * Threads.  Operations run the components in parallel (OpenMP over
 * components; each component's own bfv_* call then runs single-threaded
 * inside the region unless nested parallelism is enabled).  Randomised
 * operations first draw one 32-byte seed per component from the caller's
 * generator, in component order, and each component expands its own seed,
 * so results are identical for every OMP_NUM_THREADS.
 *
 * Conventions as bfv.h: output first, inputs const, outputs may alias
 * inputs, every object borrows a bfv_crt_context_t that must outlive it and
 * objects used together must share it (VEIL_EINVAL otherwise).  On error
 * the output is valid but unspecified.  Component i of an object is the
 * plain bfv object in .c[i] (context ctx->comp + i), usable with bfv.h,
 * bfv_serial.h and bfv_estimate.h directly.
 */
#ifndef VEIL_BFV_CRT_H
#define VEIL_BFV_CRT_H

#include "veil/bfv.h"
#include <flint/fmpz.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BFV_CRT_MAX 8 /* most components (plaintext primes) */

/* ========================================================== primes, params */

/* Choose the plaintext primes for values bounded by `bound` in absolute
 * value: the fewest primes t_i of exactly `bits` bits with t_i = 1 mod 2n,
 * skipping exclude[0..n_exclude) (pass the ciphertext and special primes),
 * whose product T exceeds 2 * bound (at least one prime), so that every
 * integer in [-bound, bound] decodes uniquely from its residues.  The primes
 * are the largest of that size (ntt_primes_generate), in descending order, in
 * t[0..*k).  bound >= 0.
 * VEIL_EINVAL: NULL argument, bound < 0, n not a power of two in
 *              [2^NTT_MIN_LOGN, 2^NTT_MAX_LOGN], bits outside
 *              [NTT_MIN_PRIME_BITS, NTT_MAX_PRIME_BITS];
 * VEIL_EPARAM: more than max_k primes would be needed (or the size has too
 *              few primes); *k is then 0. */
VEIL_EXPORT veil_status bfv_crt_choose_primes(uint64_t *t, size_t *k,
                                              size_t max_k, const fmpz_t bound,
                                              unsigned bits, size_t n,
                                              const uint64_t *exclude,
                                              size_t n_exclude) VEIL_WUR;

/* A CRT parameter set: the shared part (n, Q, P, security; base.t equals
 * t[0]) and the k plaintext primes.  Plain data. */
typedef struct {
    bfv_params_t base;
    size_t k;
    uint64_t t[BFV_CRT_MAX];
} bfv_crt_params_t;

/* Fill *p from base (its t is ignored) and t[0..k).  Checks every component
 * (bfv_params_check of base with t = t_i; why/why_len as there), that 1 <= k <=
 * BFV_CRT_MAX, and that the t_i are distinct primes = 1 mod 2n.  VEIL_EINVAL
 * (NULL), VEIL_EPARAM (refused, with the reason in why). */
VEIL_EXPORT veil_status bfv_crt_params_init(bfv_crt_params_t *p,
                                            const bfv_params_t *base,
                                            const uint64_t *t, size_t k,
                                            char *why, size_t why_len) VEIL_WUR;

/* The parameter set of component i (base with t = t_i). */
VEIL_EXPORT void bfv_crt_params_component(bfv_params_t *out,
                                          const bfv_crt_params_t *p, size_t i);

/* ================================================================ context */

/* k BFV contexts and the CRT constants of T.  Immutable after init.
 *   comp[i]   context of component i (plaintext modulus t_i);
 *   base_t    the RNS base t_0..t_{k-1}: exact CRT (rns.h); base_t.Q = T. */
typedef struct {
    bfv_crt_params_t params;
    size_t k;
    bfv_context_t *comp;
    rns_base_t base_t;
} bfv_crt_context_t;

/* Validate (bfv_crt_params_init's checks) and build.  VEIL_EPARAM,
 * VEIL_EINVAL, VEIL_ENOMEM.  On failure ctx needs no clear (clear is
 * harmless). */
VEIL_EXPORT veil_status bfv_crt_context_init(
    bfv_crt_context_t *ctx, const bfv_crt_params_t *params) VEIL_WUR;
VEIL_EXPORT void bfv_crt_context_clear(bfv_crt_context_t *ctx);

/* T = t_0 ... t_{k-1} (T must be initialised). */
VEIL_EXPORT void bfv_crt_modulus(fmpz_t T, const bfv_crt_context_t *ctx);

/* ================================================================ objects */

/* A plaintext: component i holds the residues of the values mod t_i. */
typedef struct {
    const bfv_crt_context_t *ctx;
    bfv_plaintext_t c[BFV_CRT_MAX];
} bfv_crt_plaintext_t;

/* A plaintext prepared for bfv_crt_mul_plain (bfv_plaintext_ntt_t per
 * component). */
typedef struct {
    const bfv_crt_context_t *ctx;
    bfv_plaintext_ntt_t c[BFV_CRT_MAX];
} bfv_crt_plaintext_ntt_t;

/* A ciphertext: one bfv ciphertext per component, all of the same size. */
typedef struct {
    const bfv_crt_context_t *ctx;
    bfv_ciphertext_t c[BFV_CRT_MAX];
} bfv_crt_ciphertext_t;

/* A key set: per component a secret key, a public key, a relinearization
 * key and Galois keys.  `have` says which kinds are present (a server
 * holds no secret key): BFV_CRT_SECRET | BFV_CRT_PUBLIC | BFV_CRT_RELIN |
 * BFV_CRT_GALOIS.  Operations needing a missing kind return VEIL_ENOKEY.
 * The members of a kind that is absent are zero-filled.  To fill a set
 * with received keys (bfv_serial.h), initialise each component's object
 * with ctx->comp + i (gk[i] already is), deserialize into it, and set the
 * kind's bit in `have`. */
#define BFV_CRT_SECRET 1u
#define BFV_CRT_PUBLIC 2u
#define BFV_CRT_RELIN 4u
#define BFV_CRT_GALOIS 8u

typedef struct {
    const bfv_crt_context_t *ctx;
    unsigned have;
    bfv_secret_key_t sk[BFV_CRT_MAX];
    bfv_public_key_t pk[BFV_CRT_MAX];
    bfv_relin_key_t rk[BFV_CRT_MAX];
    bfv_galois_keys_t gk[BFV_CRT_MAX];
} bfv_crt_keys_t;

/* init: allocate every component (a ciphertext starts with size 2; keys
 * start empty, have = 0).  VEIL_EINVAL, VEIL_ENOMEM (then nothing is left
 * allocated).  clear: free, wiping secrets; safe twice and after a failed
 * init. */
VEIL_EXPORT veil_status bfv_crt_plaintext_init(
    bfv_crt_plaintext_t *pt, const bfv_crt_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_crt_plaintext_clear(bfv_crt_plaintext_t *pt);
VEIL_EXPORT veil_status bfv_crt_plaintext_ntt_init(
    bfv_crt_plaintext_ntt_t *pt, const bfv_crt_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_crt_plaintext_ntt_clear(bfv_crt_plaintext_ntt_t *pt);
VEIL_EXPORT veil_status bfv_crt_ciphertext_init(
    bfv_crt_ciphertext_t *ct, const bfv_crt_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_crt_ciphertext_clear(bfv_crt_ciphertext_t *ct);
VEIL_EXPORT veil_status
bfv_crt_keys_init(bfv_crt_keys_t *keys, const bfv_crt_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_crt_keys_clear(bfv_crt_keys_t *keys);

/* dst = src (same context).  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_crt_ciphertext_copy(
    bfv_crt_ciphertext_t *dst, const bfv_crt_ciphertext_t *src) VEIL_WUR;

/* =================================================================== keys */

/* Generate the kinds in `what` (BFV_CRT_* bits) that keys does not have
 * yet; a secret key is generated first if needed and missing.  Galois keys
 * are made for row rotations by steps[0..nsteps) and, if columns != 0, the
 * row swap (bfv_keygen_galois_steps); with BFV_CRT_GALOIS and steps ==
 * NULL, every power-of-two step and the swap (bfv_keygen_galois_pow2).
 * Asking for public, relin or Galois keys on a set that holds those kinds
 * but no secret key is VEIL_ENOKEY.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_crt_keygen(bfv_crt_keys_t *keys, unsigned what,
                                       const int64_t *steps, size_t nsteps,
                                       int columns, veil_rng_t *rng) VEIL_WUR;

/* ============================================================== encoders */

/* Batch encoding of integers (slots in the row-major order of bfv.h;
 * values[0..count), count <= n, remaining slots 0).  Each value is taken
 * mod T: values in (-T/2, T/2] decode to themselves.  _i64: signed 64-bit
 * values; _fmpz: integers of any size (an fmpz vector of count entries).
 * VEIL_EINVAL (NULL, count > n). */
VEIL_EXPORT veil_status bfv_crt_encode_i64(bfv_crt_plaintext_t *pt,
                                           const int64_t *values,
                                           size_t count) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_encode_fmpz(bfv_crt_plaintext_t *pt,
                                            const fmpz *values,
                                            size_t count) VEIL_WUR;

/* The constant c (every slot c mod T). */
VEIL_EXPORT veil_status bfv_crt_encode_scalar_fmpz(bfv_crt_plaintext_t *pt,
                                                   const fmpz_t c) VEIL_WUR;

/* Decode all n slots by CRT into (-T/2, T/2].  _fmpz: values must be an
 * initialised fmpz vector of n entries.  _i64: VEIL_ERANGE if a value does
 * not fit int64_t (the vector is then fully written, such values
 * saturated to INT64_MIN / INT64_MAX).  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status
bfv_crt_decode_fmpz(fmpz *values, const bfv_crt_plaintext_t *pt) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_crt_decode_i64(int64_t *values, const bfv_crt_plaintext_t *pt) VEIL_WUR;

/* Prepare pt for bfv_crt_mul_plain.  VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_crt_plaintext_to_ntt(
    bfv_crt_plaintext_ntt_t *out, const bfv_crt_plaintext_t *pt) VEIL_WUR;

/* ===================================================== encrypt / decrypt */

/* Public-key (needs BFV_CRT_PUBLIC) and symmetric (needs BFV_CRT_SECRET;
 * every component seeded, see bfv.h) encryption.  VEIL_ENOKEY,
 * VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_crt_encrypt(bfv_crt_ciphertext_t *ct,
                                        const bfv_crt_keys_t *keys,
                                        const bfv_crt_plaintext_t *pt,
                                        veil_rng_t *rng) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_encrypt_symmetric(bfv_crt_ciphertext_t *ct,
                                                  const bfv_crt_keys_t *keys,
                                                  const bfv_crt_plaintext_t *pt,
                                                  veil_rng_t *rng) VEIL_WUR;

/* Decrypt every component (needs BFV_CRT_SECRET).  Correct while every
 * component's noise budget is positive. */
VEIL_EXPORT veil_status
bfv_crt_decrypt(bfv_crt_plaintext_t *pt, const bfv_crt_keys_t *keys,
                const bfv_crt_ciphertext_t *ct) VEIL_WUR;

/* The smallest exact noise budget over the components (bfv_noise_budget);
 * needs BFV_CRT_SECRET. */
VEIL_EXPORT veil_status
bfv_crt_noise_budget(int *bits, const bfv_crt_keys_t *keys,
                     const bfv_crt_ciphertext_t *ct) VEIL_WUR;

/* ============================================================= evaluator */
/* Component-wise bfv_* (bfv.h states sizes, noise and aliasing), in
 * parallel over components.  VEIL_EINVAL (NULL, context mismatch, bad
 * sizes), VEIL_ENOKEY (missing key kind or Galois key), VEIL_ENOMEM; the
 * status returned is that of the lowest-numbered failing component. */

VEIL_EXPORT veil_status bfv_crt_add(bfv_crt_ciphertext_t *out,
                                    const bfv_crt_ciphertext_t *a,
                                    const bfv_crt_ciphertext_t *b) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_sub(bfv_crt_ciphertext_t *out,
                                    const bfv_crt_ciphertext_t *a,
                                    const bfv_crt_ciphertext_t *b) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_negate(bfv_crt_ciphertext_t *out,
                                       const bfv_crt_ciphertext_t *a) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_crt_add_plain(bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
                  const bfv_crt_plaintext_t *pt) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_crt_sub_plain(bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
                  const bfv_crt_plaintext_t *pt) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_crt_mul_plain(bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
                  const bfv_crt_plaintext_ntt_t *pt) VEIL_WUR;

/* out = ct * c for an integer c: component i multiplies by the centred
 * residue of c mod t_i (noise grows by at most t_i / 2). */
VEIL_EXPORT veil_status bfv_crt_mul_scalar(bfv_crt_ciphertext_t *out,
                                           const bfv_crt_ciphertext_t *ct,
                                           int64_t c) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_mul_scalar_fmpz(bfv_crt_ciphertext_t *out,
                                                const bfv_crt_ciphertext_t *ct,
                                                const fmpz_t c) VEIL_WUR;

VEIL_EXPORT veil_status bfv_crt_mul(bfv_crt_ciphertext_t *out,
                                    const bfv_crt_ciphertext_t *a,
                                    const bfv_crt_ciphertext_t *b) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_square(bfv_crt_ciphertext_t *out,
                                       const bfv_crt_ciphertext_t *a) VEIL_WUR;
/* Need BFV_CRT_RELIN. */
VEIL_EXPORT veil_status
bfv_crt_relinearize(bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
                    const bfv_crt_keys_t *keys) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_mul_relin(bfv_crt_ciphertext_t *out,
                                          const bfv_crt_ciphertext_t *a,
                                          const bfv_crt_ciphertext_t *b,
                                          const bfv_crt_keys_t *keys) VEIL_WUR;
/* Need BFV_CRT_GALOIS. */
VEIL_EXPORT veil_status
bfv_crt_rotate_rows(bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
                    int64_t k, const bfv_crt_keys_t *keys) VEIL_WUR;
VEIL_EXPORT veil_status bfv_crt_rotate_columns(
    bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
    const bfv_crt_keys_t *keys) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_crt_apply_galois(bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *ct,
                     uint64_t elt, const bfv_crt_keys_t *keys) VEIL_WUR;

/* outs[j] = rotate_rows(ct, steps[j]) for j < count, each component
 * decomposed once (bfv_rotate_rows_many; every step needs its own key).
 * outs[0..count) must be initialised with ct's context; they may alias ct
 * (ct is read once, before any output is written). */
VEIL_EXPORT veil_status bfv_crt_rotate_rows_many(
    bfv_crt_ciphertext_t *outs, const bfv_crt_ciphertext_t *ct,
    const int64_t *steps, size_t count, const bfv_crt_keys_t *keys) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_BFV_CRT_H */
