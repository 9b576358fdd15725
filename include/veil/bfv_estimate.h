/*
 * bfv_estimate.h - a static noise estimator: predicts the invariant noise
 * budget of a ciphertext after any sequence of operations from the
 * parameters and bounds on the operands alone, without keys or data.  It
 * is what a planner uses to choose parameters (ring degree, Q, plaintext
 * primes) before generating anything.  doc/03-bfv.md defines the budget;
 * the model is derived in the "Predicting the budget" section of
 * doc/08-crt-plaintexts.md.
 *
 * What is tracked.  For a ciphertext with phase x = c_0 + c_1 s (+ c_2 s^2)
 * the invariant noise is v = [t x]_Q (centred), and bfv_noise_budget
 * measures floor(log2(Q / (2 max_k |v_k|))).  The estimator tracks an upper
 * bound on the root mean square of the coefficients of v, as its base-2
 * logarithm (so that products of 900-bit moduli never overflow), and
 * predicts
 *     budget = floor(log2 Q - 1 - log2(BFV_EST_TAIL * rms)),
 * i.e. it assumes max_k |v_k| <= BFV_EST_TAIL * rms.
 *
 * The model (average case, as SEAL's and OpenFHE's estimators): the secret
 * and the encryption randomness u are uniform ternary (variance 2/3), the
 * errors centred binomial (variance 10.5), the uniform parts of
 * ciphertexts uniform mod Q, and the coefficients of each noise term
 * uncorrelated with mean 0, so that the variance of a product coefficient
 * is n times the product of the variances; a sum of noise terms that may
 * be correlated is bounded by the sum of their rms (Minkowski's
 * inequality, valid for any correlation).  With BFV_EST_TAIL = 7 a
 * Gaussian coefficient exceeds the bound with probability below 2^-37.
 * Measured against bfv_noise_budget (test/bfv/estimate_*.c) the prediction
 * is never above the exact budget and a few bits below it.
 *
 * Plaintext operands are described by the infinity norm of their centred
 * coefficients (at most t/2): batch-encoded slot vectors have coefficients
 * that behave like random residues, so pass t/2 unless you know better.
 * The average-case rule for bfv_est_mul_plain assumes that; for a
 * structured polynomial (e.g. all coefficients equal, or repeated
 * multiplications by the same sparse pattern) use bfv_est_mul_plain_l1,
 * which holds for every plaintext.
 *
 * CRT plaintexts (bfv_crt.h): the noise of component i grows with t_i, so
 * estimate with the largest t_i (the budget of a CRT ciphertext is the
 * smallest over its components).
 *
 * Usage (a planner checking a parameter set for x -> (x w)^2 + x):
 *     bfv_estimator_t e;  bfv_est_t a, b;
 *     bfv_est_init(&e, &params);
 *     bfv_est_encrypt(&a, &e);                  // public-key encryption
 *     bfv_est_mul_plain(&b, &e, &a, t / 2.0);   // weights in slots
 *     bfv_est_square(&b, &e, &b);
 *     bfv_est_relinearize(&b, &e, &b);
 *     bfv_est_add(&b, &e, &b, &a);
 *     if (bfv_est_budget(&e, &b) >= margin) ...  // parameters suffice
 *
 * All functions are pure arithmetic on doubles: no allocation, no failure
 * (except bfv_est_init), outputs may alias inputs.
 */
#ifndef VEIL_BFV_ESTIMATE_H
#define VEIL_BFV_ESTIMATE_H

#include "veil/bfv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tail factor: max |v_k| is taken to be at most BFV_EST_TAIL rms. */
#define BFV_EST_TAIL 7.0

/* What the model needs from a parameter set (bfv_est_init fills it). */
typedef struct {
    size_t n;
    double t;                     /* plaintext modulus               */
    double log2_q;                /* log2 Q                          */
    double log2_p;                /* log2 P (special primes)         */
    size_t n_p;                   /* K, the number of special primes */
    size_t digits;                /* key-switching digits            */
    double log2_digit[BFV_MAX_Q]; /* log2 Q_d                        */
    size_t digit_size[BFV_MAX_Q]; /* primes in digit d               */
    double log2_ks;               /* log2 rms of one key switch's
                                     noise, in phase units (before
                                     the factor t)                   */
} bfv_estimator_t;

/* The estimated noise of one ciphertext. */
typedef struct {
    double log2_rms; /* log2 of the rms bound of v (-inf: no noise)     */
    size_t size;     /* 2, or 3 after a multiplication                  */
} bfv_est_t;

/* Derive the model of parameter set p.  Needs only the structure of p
 * (n a power of two, 1 <= n_q <= BFV_MAX_Q, 1 <= n_p <= BFV_MAX_P, primes
 * and t at least 2): it is meant for candidate sets before any context is
 * built, and does not check security.  VEIL_EINVAL otherwise. */
VEIL_EXPORT veil_status bfv_est_init(bfv_estimator_t *e,
                                     const bfv_params_t *p) VEIL_WUR;

/* Fresh encryptions: public key (bfv_encrypt) and symmetric
 * (bfv_encrypt_symmetric, smaller noise). */
VEIL_EXPORT void bfv_est_encrypt(bfv_est_t *out, const bfv_estimator_t *e);
VEIL_EXPORT void bfv_est_encrypt_symmetric(bfv_est_t *out,
                                           const bfv_estimator_t *e);

/* a + b, a - b: rms add (correct whatever the correlation, e.g. a + a). */
VEIL_EXPORT void bfv_est_add(bfv_est_t *out, const bfv_estimator_t *e,
                             const bfv_est_t *a, const bfv_est_t *b);

/* a + b for noises known to be independent (two fresh encryptions, or a
 * ciphertext and a rotation of it): variances add. */
VEIL_EXPORT void bfv_est_add_independent(bfv_est_t *out,
                                         const bfv_estimator_t *e,
                                         const bfv_est_t *a,
                                         const bfv_est_t *b);

/* a + m, a - m for any plaintext m (bfv_add_plain / bfv_sub_plain). */
VEIL_EXPORT void bfv_est_add_plain(bfv_est_t *out, const bfv_estimator_t *e,
                                   const bfv_est_t *a);

/* a * c for an integer constant whose centred residue mod t has absolute
 * value at most abs_c (bfv_mul_scalar; values above t/2 count as t/2). */
VEIL_EXPORT void bfv_est_mul_scalar(bfv_est_t *out, const bfv_estimator_t *e,
                                    const bfv_est_t *a, double abs_c);

/* a * m for a plaintext whose centred coefficients are at most max_abs in
 * absolute value (bfv_mul_plain; above t/2 counts as t/2), average case:
 * the coefficients behave like independent values (batch-encoded data). */
VEIL_EXPORT void bfv_est_mul_plain(bfv_est_t *out, const bfv_estimator_t *e,
                                   const bfv_est_t *a, double max_abs);

/* a * m for any plaintext whose centred coefficients have absolute values
 * summing to at most l1 (worst case over the plaintext). */
VEIL_EXPORT void bfv_est_mul_plain_l1(bfv_est_t *out, const bfv_estimator_t *e,
                                      const bfv_est_t *a, double l1);

/* a * b and a * a (bfv_mul / bfv_square): size-3 result.  The plaintexts
 * are taken to be arbitrary (centred coefficients up to t/2). */
VEIL_EXPORT void bfv_est_mul(bfv_est_t *out, const bfv_estimator_t *e,
                             const bfv_est_t *a, const bfv_est_t *b);
VEIL_EXPORT void bfv_est_square(bfv_est_t *out, const bfv_estimator_t *e,
                                const bfv_est_t *a);

/* Relinearization (one key switch; a size-2 input is unchanged), and
 * bfv_mul_relin. */
VEIL_EXPORT void bfv_est_relinearize(bfv_est_t *out, const bfv_estimator_t *e,
                                     const bfv_est_t *a);
VEIL_EXPORT void bfv_est_mul_relin(bfv_est_t *out, const bfv_estimator_t *e,
                                   const bfv_est_t *a, const bfv_est_t *b);

/* A Galois automorphism made of `switches` key switches: 1 for
 * bfv_apply_galois, bfv_rotate_columns, a hoisted rotation or a
 * bfv_rotate_rows by a step that has its own key; the number of keys used
 * for a composed bfv_rotate_rows. */
VEIL_EXPORT void bfv_est_rotate(bfv_est_t *out, const bfv_estimator_t *e,
                                const bfv_est_t *a, unsigned switches);

/* The predicted budget in bits: floor of the real value below, clamped to
 * [0, floor(log2 Q) - 1]. */
VEIL_EXPORT int bfv_est_budget(const bfv_estimator_t *e, const bfv_est_t *a);

/* The unrounded prediction log2 Q - 1 - log2(BFV_EST_TAIL rms) (may be
 * negative: the ciphertext is predicted to be undecryptable). */
VEIL_EXPORT double bfv_est_budget_real(const bfv_estimator_t *e,
                                       const bfv_est_t *a);

#ifdef __cplusplus
}
#endif
#endif /* VEIL_BFV_ESTIMATE_H */
