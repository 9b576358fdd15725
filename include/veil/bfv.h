/*
 * bfv.h - the Brakerski/Fan-Vercauteren scheme in full RNS form: parameters
 * and security, keys, encryption, the batch encoder, the evaluator
 * (add, mul_plain, mul_scalar, mul + relinearize, Galois rotations, hoisted
 * rotations) and the exact noise budget.
 *
 * Chapters: doc/03-bfv.md (keys, encryption, why decryption works, noise),
 * doc/04-bfv-multiplication.md (full-RNS multiplication),
 * doc/05-key-switching.md (relinearization, special primes),
 * doc/06-rotations.md (Galois automorphisms, slots, hoisting),
 * doc/07-parameters.md (security table).
 *
 * Rings and moduli.  R = Z[X]/(X^n + 1), n a power of two.  Ciphertexts live
 * in R_Q, Q = q_0 * ... * q_{L-1} (the ciphertext primes); key switching
 * works in R_{QP}, P = p_0 * ... * p_{K-1} (the special primes).  Every prime
 * is NTT-friendly (= 1 mod 2n) and below 2^NTT_MAX_PRIME_BITS.  Plaintexts
 * live in R_t.
 *
 * Representation.  Every polynomial mod Q is kept as L rows ("limbs") of n
 * words, row i holding the residues mod q_i.  Ciphertexts, public keys,
 * key-switching keys, secret keys and NTT plaintexts are ALWAYS in NTT form
 * (each row transformed by the plan of its prime, see ntt.h), so that
 * add, mul_plain and mul_scalar are pointwise and a Galois automorphism is a
 * permutation of each row.  Plaintexts (bfv_plaintext_t) are coefficient
 * vectors mod t.
 *
 * Slots (batching, t prime and t = 1 mod 2n).  A plaintext holds n values of
 * Z_t seen as a 2 x (n/2) matrix, exactly as LoLa (papers/lola, section 3.1):
 *
 *     row 0:  m[0]      m[1]        ...  m[n/2 - 1]
 *     row 1:  m[n/2]    m[n/2 + 1]  ...  m[n - 1]
 *
 * Value arrays passed to the batch encoder are in this row-major order.
 * bfv_rotate_rows(k) rotates both rows cyclically so that the value in
 * column j moves to column (j + k) mod n/2 (LoLa's "rotation of size k";
 * k < 0 rotates the other way; NOTE: SEAL's rotate_rows turns the opposite
 * way).  bfv_rotate_columns swaps the two rows.
 *
 * Conventions (doc/DESIGN.md).  Output argument first, inputs const.
 * Every object borrows a const bfv_context_t that must outlive it; objects
 * used together must share the same context (VEIL_EINVAL otherwise).
 * Evaluator outputs may alias their inputs (so bfv_add(a, a, b) is the
 * in-place form; bfv_*_inplace wrappers are provided at the end).  On error
 * the output is left in a valid but unspecified state.  Results never depend
 * on the number of OpenMP threads nor on the ISA path.
 */
#ifndef VEIL_BFV_H
#define VEIL_BFV_H

#include "veil/ntt.h"
#include "veil/rns.h"
#include <gmp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================= parameters */

#define BFV_MAX_Q 64 /* most ciphertext primes a parameter set may have */
#define BFV_MAX_P 8  /* most special primes                               */

/* Classical security level against the HomomorphicEncryption.org standard's
 * table (ternary secret, error standard deviation 3.2). */
typedef enum {
    BFV_SEC_128 = 128,
    BFV_SEC_192 = 192,
    BFV_SEC_256 = 256
} bfv_security_t;

/* A BFV parameter set.  Plain data (no owned memory): copy it freely.
 *   - n: ring degree, power of two in [2^NTT_MIN_LOGN, 2^NTT_MAX_LOGN];
 *   - q[0..n_q): ciphertext primes Q (1 <= n_q <= BFV_MAX_Q);
 *   - p[0..n_p): special primes P used only inside key switching
 *     (1 <= n_p <= BFV_MAX_P).  Key switching splits Q into digits of n_p
 *     consecutive primes, so P should exceed every digit (bfv_params_check
 *     refuses P smaller than the largest digit);
 *   - t: plaintext modulus, 2 <= t < 2^NTT_MAX_PRIME_BITS, coprime to Q.
 *     Batching (slots) needs t prime and t = 1 mod 2n; otherwise only
 *     bfv_encode_scalar and raw coefficients are available;
 *   - security: the level log2(QP) is checked against;
 *   - allow_insecure: 0 normally; 1 lets bfv_context_init accept a set below
 *     its security level (tests and toy examples only).
 * All primes distinct, each prime p satisfies p = 1 mod 2n and
 * 2^NTT_MIN_PRIME_BITS <= p < 2^NTT_MAX_PRIME_BITS.
 * A CRT-composed plaintext modulus T = t_0 * ... * t_{k-1} is built in
 * bfv_crt.h as k parameter sets differing only in t. */
typedef struct {
    size_t n;
    size_t n_q;
    uint64_t q[BFV_MAX_Q];
    size_t n_p;
    uint64_t p[BFV_MAX_P];
    uint64_t t;
    bfv_security_t security;
    int allow_insecure;
} bfv_params_t;

/* The largest log2(QP) (in bits: QP < 2^result) the standard allows for ring
 * degree n at level sec, or 0 when n < 1024 or sec is not a level.  For
 * n > 32768 the row of n = 32768 is returned (conservative: security grows
 * with n at fixed QP). */
VEIL_EXPORT unsigned bfv_security_max_bits(size_t n, bfv_security_t sec);

/* The bit length of QP (so QP < 2^result). */
VEIL_EXPORT unsigned bfv_params_log_qp(const bfv_params_t *p);

/* The 128-bit preset for n = 4096, 8192, 16384 or 32768: log2(QP) equal to
 * the table's bound (109, 218, 438, 881 bits), one special prime, t = 65537
 * (prime, = 1 mod 2n for all four n).  VEIL_EINVAL for another n. */
VEIL_EXPORT veil_status bfv_params_preset(bfv_params_t *p, size_t n) VEIL_WUR;

/* Generate the primes: ciphertext prime i has q_bits[i] bits, special prime
 * j has p_bits[j] bits (largest distinct primes = 1 mod 2n below 2^bits,
 * deterministic).  Does not check security (bfv_params_check does).
 * VEIL_EINVAL for bad counts or sizes, VEIL_EPARAM if primes run out. */
VEIL_EXPORT veil_status bfv_params_from_bits(bfv_params_t *p, size_t n,
                                             const unsigned *q_bits, size_t n_q,
                                             const unsigned *p_bits, size_t n_p,
                                             uint64_t t,
                                             bfv_security_t sec) VEIL_WUR;

/* Spread a total budget of log2(QP) = total_bits over the fewest primes of
 * at most NTT_MAX_PRIME_BITS bits, one of them special (the largest), sizes
 * differing by at most one bit.  VEIL_EINVAL / VEIL_EPARAM as above. */
VEIL_EXPORT veil_status bfv_params_from_budget(bfv_params_t *p, size_t n,
                                               unsigned total_bits, uint64_t t,
                                               bfv_security_t sec) VEIL_WUR;

/* Check a parameter set: structure (sizes, primality, = 1 mod 2n,
 * distinctness, t coprime to Q, P large enough) and security.  Returns
 * VEIL_OK, VEIL_EINVAL (NULL) or VEIL_EPARAM; when why != NULL and why_len
 * > 0, writes a NUL-terminated sentence saying what is wrong (or "ok").
 * Insecure sets pass only with allow_insecure set. */
VEIL_EXPORT veil_status bfv_params_check(const bfv_params_t *p, char *why,
                                         size_t why_len) VEIL_WUR;

/* ================================================================ context */

struct bfv_precomp; /* evaluator tables (bfv/bfv_internal.h) */

/* Everything derived from a parameter set: NTT plans, RNS bases and the
 * tables of encryption, decryption, multiplication and key switching.
 * Immutable after bfv_context_init: threads share it freely.
 *   plans[0..n_q)            one per ciphertext prime q_i,
 *   plans[n_q..n_q + n_p)    one per special prime p_j (the QP order used by
 *                            every (L + K)-row polynomial);
 *   base_q, base_p           the RNS bases of Q and P (exact CRT, rns.h);
 *   plan_t                   NTT mod t, valid iff batching != 0;
 *   slot_to_ntt[s]           for slot s (row-major index into the 2 x n/2
 *                            matrix) the index of its value in the NTT-form
 *                            vector mod t (valid iff batching != 0). */
typedef struct {
    bfv_params_t params;
    size_t n;
    unsigned logn;
    size_t n_q;  /* L */
    size_t n_p;  /* K */
    size_t n_qp; /* L + K */
    ntt_plan_t *plans;
    rns_base_t base_q;
    rns_base_t base_p;
    int batching;
    ntt_plan_t plan_t;
    uint32_t *slot_to_ntt;
    struct bfv_precomp *pre;
} bfv_context_t;

/* Validate *params (bfv_params_check) and build the context.  VEIL_EPARAM
 * for a refused set (call bfv_params_check for the reason), VEIL_EINVAL,
 * VEIL_ENOMEM.  On failure ctx needs no clear (clear is harmless). */
VEIL_EXPORT veil_status bfv_context_init(bfv_context_t *ctx,
                                         const bfv_params_t *params) VEIL_WUR;
VEIL_EXPORT void bfv_context_clear(bfv_context_t *ctx);

/* ================================================================ objects */

/* Plaintext: m(X) = coeffs[0] + coeffs[1] X + ... , coeffs in [0, t). */
typedef struct {
    const bfv_context_t *ctx;
    uint64_t *coeffs; /* n words */
} bfv_plaintext_t;

/* A plaintext prepared for bfv_mul_plain: the centred lift of m (each
 * coefficient in (-t/2, t/2]) reduced mod every q_i and put in NTT form.
 * Build once, multiply many times.
 *   data[i * n + k]   NTT-form residue mod q_i, in [0, q_i);
 *   shoup[i * n + k]  ntt_shoup_precomp(data[i * n + k], q_i), for callers
 *                     that multiply rows themselves with ntt_vec_mul_shoup
 *                     (bfv_mul_plain uses the Barrett kernel ntt_vec_mul,
 *                     about 20% faster on AVX-512 IFMA here). */
typedef struct {
    const bfv_context_t *ctx;
    uint64_t *data;  /* L x n */
    uint64_t *shoup; /* L x n */
} bfv_plaintext_ntt_t;

/* Ciphertext (c_0, ..., c_{size-1}) decrypting as c_0 + c_1 s + c_2 s^2.
 * size is 2, or 3 after bfv_mul / bfv_square (before relinearization).
 *   data + (k * L + i) * n   polynomial c_k mod q_i, NTT form, in [0, q_i).
 *   seeded != 0 while c_1 is exactly the expansion of seed (fresh symmetric
 *   encryption): a serializer may then send the seed instead of c_1.  Every
 *   operation writing the ciphertext resets it. */
typedef struct {
    const bfv_context_t *ctx;
    size_t size;
    size_t capacity; /* polynomials allocated (>= size) */
    uint64_t *data;
    int seeded;
    uint8_t seed[VEIL_SEED_BYTES];
} bfv_ciphertext_t;

/* Secret key s, ternary.
 *   coeffs[k] in {-1, 0, 1};
 *   ntt[i * n + k]  s mod the i-th prime of QP, NTT form ((L + K) x n). */
typedef struct {
    const bfv_context_t *ctx;
    int8_t *coeffs;
    uint64_t *ntt;
} bfv_secret_key_t;

/* Public key (b, a) with b = -(a s + e) mod Q, NTT form.
 *   data + i * n          b mod q_i,
 *   data + (L + i) * n    a mod q_i  (a = expansion of seed). */
typedef struct {
    const bfv_context_t *ctx;
    uint64_t *data;
    uint8_t seed[VEIL_SEED_BYTES];
} bfv_public_key_t;

/* A key-switching key from a secret s' to s (hybrid / GHS, doc/05):
 * Q is split into `digits` = ceil(L / K) digits, digit d holding the primes
 * q_{dK} .. q_{min(dK + K, L) - 1} (product Q_d).  For each digit
 *   b_d = -(a_d s + e_d) + P * [ (Q/Q_d) * ((Q/Q_d)^-1 mod Q_d) ] * s'
 *   mod QP, NTT form, and a_d = expansion of seed (bfv_internal.h says how).
 *   data + ((d * 2 + 0) * (L + K) + i) * n   b_d mod prime i of QP,
 *   data + ((d * 2 + 1) * (L + K) + i) * n   a_d mod prime i of QP. */
typedef struct {
    size_t digits;
    uint64_t *data;
    uint8_t seed[VEIL_SEED_BYTES];
} bfv_kswitch_key_t;

/* Relinearization key: switches s^2 to s. */
typedef struct {
    const bfv_context_t *ctx;
    bfv_kswitch_key_t ksk;
} bfv_relin_key_t;

/* One Galois key, for the automorphism sigma: X -> X^elt.  ksk switches
 * from s to sigma^-1(s) (its b_d + a_d sigma^-1(s) = P g_d s + e_d): the
 * evaluator key-switches c_1 before applying sigma, which is what lets the
 * decomposition be shared by many rotations (doc/06, "Hoisting").
 *   perm   sigma on an NTT-form row: out[k] = in[perm[k]] (n entries, the
 *          same for every prime; derived from elt);
 *   step   the row rotation sigma performs, in [0, n/2), or -1 if elt is
 *          not a power of 3 mod 2n (the row swap); derived from elt. */
typedef struct {
    uint64_t elt; /* odd, in [1, 2n) */
    int64_t step;
    uint32_t *perm;
    bfv_kswitch_key_t ksk;
} bfv_galois_key_t;

/* A set of Galois keys, sorted by elt, no duplicates. */
typedef struct {
    const bfv_context_t *ctx;
    size_t count;
    size_t capacity;
    bfv_galois_key_t *keys;
} bfv_galois_keys_t;

/* init: allocate for ctx (zero contents; a ciphertext starts with size 2 and
 * encrypts nothing in particular until written).  VEIL_EINVAL, VEIL_ENOMEM.
 * clear: free (wiping secrets); safe twice and after a failed init. */
VEIL_EXPORT veil_status bfv_plaintext_init(bfv_plaintext_t *pt,
                                           const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_plaintext_clear(bfv_plaintext_t *pt);
VEIL_EXPORT veil_status bfv_plaintext_ntt_init(
    bfv_plaintext_ntt_t *pt, const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_plaintext_ntt_clear(bfv_plaintext_ntt_t *pt);
VEIL_EXPORT veil_status bfv_ciphertext_init(bfv_ciphertext_t *ct,
                                            const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_ciphertext_clear(bfv_ciphertext_t *ct);
VEIL_EXPORT veil_status bfv_secret_key_init(bfv_secret_key_t *sk,
                                            const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_secret_key_clear(bfv_secret_key_t *sk);
VEIL_EXPORT veil_status bfv_public_key_init(bfv_public_key_t *pk,
                                            const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_public_key_clear(bfv_public_key_t *pk);
VEIL_EXPORT veil_status bfv_relin_key_init(bfv_relin_key_t *rk,
                                           const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_relin_key_clear(bfv_relin_key_t *rk);
VEIL_EXPORT veil_status bfv_galois_keys_init(bfv_galois_keys_t *gk,
                                             const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_galois_keys_clear(bfv_galois_keys_t *gk);

/* dst = src (same context; dst grows as needed).  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_ciphertext_copy(
    bfv_ciphertext_t *dst, const bfv_ciphertext_t *src) VEIL_WUR;
VEIL_EXPORT veil_status bfv_plaintext_copy(bfv_plaintext_t *dst,
                                           const bfv_plaintext_t *src) VEIL_WUR;

/* Pointer to row i (prime q_i) of polynomial c_k: ct->data + (k*L + i)*n. */
static inline uint64_t *bfv_ct_row(const bfv_ciphertext_t *ct, size_t k,
                                   size_t i)
{
    return ct->data + (k * ct->ctx->n_q + i) * ct->ctx->n;
}

/* =================================================================== keys */

/* Sample a fresh ternary secret key (uniform in {-1, 0, 1}^n).  sk must be
 * initialised.  VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_keygen_secret(bfv_secret_key_t *sk,
                                          veil_rng_t *rng) VEIL_WUR;

/* Public key for sk: seed drawn from rng, a expanded from it, e centred
 * binomial (sigma 3.24).  VEIL_EINVAL (context mismatch). */
VEIL_EXPORT veil_status bfv_keygen_public(bfv_public_key_t *pk,
                                          const bfv_secret_key_t *sk,
                                          veil_rng_t *rng) VEIL_WUR;

/* Relinearization key for sk.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_keygen_relin(bfv_relin_key_t *rk,
                                         const bfv_secret_key_t *sk,
                                         veil_rng_t *rng) VEIL_WUR;

/* Add Galois keys to gk for the Galois elements elts[0..count) (odd, in
 * [1, 2n); 1 and elements already present are skipped).  Keys are made in
 * the order given, each drawing its seed from rng.  VEIL_EINVAL (bad
 * element, context mismatch), VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_keygen_galois_elts(bfv_galois_keys_t *gk,
                                               const bfv_secret_key_t *sk,
                                               const uint64_t *elts,
                                               size_t count,
                                               veil_rng_t *rng) VEIL_WUR;

/* The same for row rotations by steps[0..count) (any integers, taken mod
 * n/2; 0 skipped) and, if columns != 0, the row swap.  Needs batching. */
VEIL_EXPORT veil_status bfv_keygen_galois_steps(bfv_galois_keys_t *gk,
                                                const bfv_secret_key_t *sk,
                                                const int64_t *steps,
                                                size_t count, int columns,
                                                veil_rng_t *rng) VEIL_WUR;

/* All power-of-two row steps in both directions, +-1, +-2, ..., +-n/4 (every
 * rotation is then a sum of at most (log2(n) + 1)/2 of them, its
 * non-adjacent form), and the row swap.
 * Needs batching. */
VEIL_EXPORT veil_status bfv_keygen_galois_pow2(bfv_galois_keys_t *gk,
                                               const bfv_secret_key_t *sk,
                                               veil_rng_t *rng) VEIL_WUR;

/* The Galois element of a row rotation by `step` (value in column j moves to
 * column j + step mod n/2): 3^(-step mod n/2) mod 2n.  The row swap is
 * 2n - 1 (bfv_galois_elt_columns). */
VEIL_EXPORT uint64_t bfv_galois_elt_from_step(const bfv_context_t *ctx,
                                              int64_t step);
VEIL_EXPORT uint64_t bfv_galois_elt_columns(const bfv_context_t *ctx);

/* The key for elt in gk, or NULL. */
VEIL_EXPORT const bfv_galois_key_t *
bfv_galois_keys_find(const bfv_galois_keys_t *gk, uint64_t elt);

/* ============================================================== encoders */

/* Batch encoding (needs ctx->batching, else VEIL_EPARAM).
 * values[0..count) fill the slots in row-major order (see the top of this
 * file), remaining slots are 0; count <= n.  Unsigned values must be in
 * [0, t) (VEIL_ERANGE otherwise); signed values are any int64 and are
 * reduced mod t.  VEIL_EINVAL for NULL or count > n. */
VEIL_EXPORT veil_status bfv_encode_batch(bfv_plaintext_t *pt,
                                         const uint64_t *values,
                                         size_t count) VEIL_WUR;
VEIL_EXPORT veil_status bfv_encode_batch_signed(bfv_plaintext_t *pt,
                                                const int64_t *values,
                                                size_t count) VEIL_WUR;

/* Decode all n slots, row-major: values in [0, t), or signed: centred into
 * (-t/2, t/2].  VEIL_EPARAM without batching, VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_decode_batch(uint64_t *values,
                                         const bfv_plaintext_t *pt) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_decode_batch_signed(int64_t *values, const bfv_plaintext_t *pt) VEIL_WUR;

/* The constant polynomial c mod t: with batching it fills every slot with
 * c.  Works for any t.  VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_encode_scalar(bfv_plaintext_t *pt,
                                          int64_t c) VEIL_WUR;

/* Prepare pt for bfv_mul_plain (centred lift, NTT mod every q_i).
 * VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_plaintext_to_ntt(
    bfv_plaintext_ntt_t *out, const bfv_plaintext_t *pt) VEIL_WUR;

/* ===================================================== encrypt / decrypt */

/* Public-key encryption: ct = (b u + e_0 + D(m), a u + e_1), u ternary,
 * e_0, e_1 centred binomial, D(m) = round(Q m / t) (doc/03).  ct->size = 2.
 * VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_encrypt(bfv_ciphertext_t *ct,
                                    const bfv_public_key_t *pk,
                                    const bfv_plaintext_t *pt,
                                    veil_rng_t *rng) VEIL_WUR;

/* Symmetric encryption: ct = (-(a s + e) + D(m), a), a expanded from a fresh
 * seed (kept in ct->seed, ct->seeded = 1): smaller noise than public-key
 * encryption and half the size on the wire. */
VEIL_EXPORT veil_status bfv_encrypt_symmetric(bfv_ciphertext_t *ct,
                                              const bfv_secret_key_t *sk,
                                              const bfv_plaintext_t *pt,
                                              veil_rng_t *rng) VEIL_WUR;

/* pt = round(t/Q * (c_0 + c_1 s [+ c_2 s^2])) mod t.  Correct while the noise
 * budget is positive.  Size 2 or 3.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_decrypt(bfv_plaintext_t *pt,
                                    const bfv_secret_key_t *sk,
                                    const bfv_ciphertext_t *ct) VEIL_WUR;

/* The exact invariant noise budget in bits: with v = [t (c_0 + c_1 s + ...)]_Q
 * centred, *bits = max(0, floor(log2(Q / (2 max|v_k|)))).  Decryption is
 * correct when *bits > 0 and wrong coefficients imply *bits == 0.  Exact CRT
 * with GMP: a diagnostic, not a fast path.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_noise_budget(int *bits, const bfv_secret_key_t *sk,
                                         const bfv_ciphertext_t *ct) VEIL_WUR;

/* ============================================================= evaluator */
/* All: VEIL_EINVAL for NULL / context mismatch / bad sizes, VEIL_ENOMEM.
 * Output may alias any input.  Noise grows as stated in doc/03 - doc/06. */

/* out = a + b, a - b (sizes may differ; result has the larger size), -a. */
VEIL_EXPORT veil_status bfv_add(bfv_ciphertext_t *out,
                                const bfv_ciphertext_t *a,
                                const bfv_ciphertext_t *b) VEIL_WUR;
VEIL_EXPORT veil_status bfv_sub(bfv_ciphertext_t *out,
                                const bfv_ciphertext_t *a,
                                const bfv_ciphertext_t *b) VEIL_WUR;
VEIL_EXPORT veil_status bfv_negate(bfv_ciphertext_t *out,
                                   const bfv_ciphertext_t *a) VEIL_WUR;

/* out = ct + m, ct - m (adds +-D(m) to c_0: n_q NTTs).  m's coefficients
 * are mod t only, so pt may be of any context with ct's n and t (another
 * ciphertext modulus: a plaintext encoded once serves every level). */
VEIL_EXPORT veil_status bfv_add_plain(bfv_ciphertext_t *out,
                                      const bfv_ciphertext_t *ct,
                                      const bfv_plaintext_t *pt) VEIL_WUR;
VEIL_EXPORT veil_status bfv_sub_plain(bfv_ciphertext_t *out,
                                      const bfv_ciphertext_t *ct,
                                      const bfv_plaintext_t *pt) VEIL_WUR;

/* out = ct * m for a prepared plaintext: pointwise, no NTT.  Noise grows by
 * at most n * t / 2 (the centred norm of m times n). */
VEIL_EXPORT veil_status bfv_mul_plain(bfv_ciphertext_t *out,
                                      const bfv_ciphertext_t *ct,
                                      const bfv_plaintext_ntt_t *pt) VEIL_WUR;

/* out = ct * c for an integer c (any int64; c is first reduced to its
 * centred residue mod t, so the noise grows by at most t/2). */
VEIL_EXPORT veil_status bfv_mul_scalar(bfv_ciphertext_t *out,
                                       const bfv_ciphertext_t *ct,
                                       int64_t c) VEIL_WUR;

/* out = a * b, a * a: size-3 result (inputs of size 2), full-RNS tensor
 * and scaling by t/Q (doc/04). */
VEIL_EXPORT veil_status bfv_mul(bfv_ciphertext_t *out,
                                const bfv_ciphertext_t *a,
                                const bfv_ciphertext_t *b) VEIL_WUR;
VEIL_EXPORT veil_status bfv_square(bfv_ciphertext_t *out,
                                   const bfv_ciphertext_t *a) VEIL_WUR;

/* Size 3 -> 2 with the relinearization key (size 2 is copied);
 * VEIL_ENOKEY for a size-3 ct if rk was initialised but never generated. */
VEIL_EXPORT veil_status bfv_relinearize(bfv_ciphertext_t *out,
                                        const bfv_ciphertext_t *ct,
                                        const bfv_relin_key_t *rk) VEIL_WUR;

/* out = relinearize(a * b). */
VEIL_EXPORT veil_status bfv_mul_relin(bfv_ciphertext_t *out,
                                      const bfv_ciphertext_t *a,
                                      const bfv_ciphertext_t *b,
                                      const bfv_relin_key_t *rk) VEIL_WUR;

/* Apply X -> X^elt and switch back to s: needs the key for elt
 * (VEIL_ENOKEY otherwise).  Size-2 input. */
VEIL_EXPORT veil_status bfv_apply_galois(bfv_ciphertext_t *out,
                                         const bfv_ciphertext_t *ct,
                                         uint64_t elt,
                                         const bfv_galois_keys_t *gk) VEIL_WUR;

/* Rotate both slot rows by k (column j -> column j + k mod n/2; any k).
 * Uses the key for k if present, otherwise a shortest sum of available
 * steps (one key switch per term); VEIL_ENOKEY if none exists. */
VEIL_EXPORT veil_status bfv_rotate_rows(bfv_ciphertext_t *out,
                                        const bfv_ciphertext_t *ct, int64_t k,
                                        const bfv_galois_keys_t *gk) VEIL_WUR;

/* Swap the two slot rows.  VEIL_ENOKEY without the key. */
VEIL_EXPORT veil_status
bfv_rotate_columns(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                   const bfv_galois_keys_t *gk) VEIL_WUR;

/* ==================================================== hoisted rotations */

/* Halevi-Shoup hoisting: the expensive part of key switching (inverse NTT
 * of c_1, digit decomposition, extension to QP and NTTs) does not depend on
 * the rotation, so it is done once by bfv_hoisted_prepare and every
 * rotation then costs only the inner product with its key and the division
 * by P.  A single rotation computed this way equals bfv_rotate_rows exactly.
 *   c0      copy of c_0 (L x n, NTT form);
 *   digits  the extended digits of c_1 (digits x (L + K) x n, NTT form). */
typedef struct {
    const bfv_context_t *ctx;
    int ready;
    uint64_t *c0;
    uint64_t *digits;
} bfv_hoisted_t;

VEIL_EXPORT veil_status bfv_hoisted_init(bfv_hoisted_t *h,
                                         const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_hoisted_clear(bfv_hoisted_t *h);

/* Decompose ct (size 2) once.  VEIL_EINVAL. */
VEIL_EXPORT veil_status
bfv_hoisted_prepare(bfv_hoisted_t *h, const bfv_ciphertext_t *ct) VEIL_WUR;

/* out = the prepared ciphertext with X -> X^elt applied / rotated by k.
 * Needs the key for elt / for k itself (VEIL_ENOKEY otherwise: hoisting
 * cannot compose steps).  Safe to call from several threads at once on the
 * same h with different outputs. */
VEIL_EXPORT veil_status
bfv_hoisted_apply_galois(bfv_ciphertext_t *out, const bfv_hoisted_t *h,
                         uint64_t elt, const bfv_galois_keys_t *gk) VEIL_WUR;
VEIL_EXPORT veil_status
bfv_hoisted_rotate_rows(bfv_ciphertext_t *out, const bfv_hoisted_t *h,
                        int64_t k, const bfv_galois_keys_t *gk) VEIL_WUR;

/* outs[i] = rotate_rows(ct, steps[i]) for i < count, decomposing ct once
 * (steps 0 give copies).  Each step needs its own key. */
VEIL_EXPORT veil_status bfv_rotate_rows_many(
    bfv_ciphertext_t *outs, const bfv_ciphertext_t *ct, const int64_t *steps,
    size_t count, const bfv_galois_keys_t *gk) VEIL_WUR;

/* ============================================ sums of rotations (lazy) */

/* A sum of Galois automorphisms kept with a lazy mod-down of its c_0
 * (doc/06-rotations.md, "Sums of rotations"): a rotation's key switch ends
 * by dividing two extended-basis polynomials by P; here only the one that
 * becomes c_1 (needed exactly mod Q by the next key switch) is divided, and
 * c_0 stays in the extended basis QP, scaled by P, until
 * bfv_rotsum_finish divides it once.  Per rotation this saves K inverse
 * and L forward NTTs.  The result decrypts to the same message as the same
 * sequence of bfv_apply_galois and bfv_add calls; its noise bound is that
 * sequence's with each rotation's c_0 rounding error (1/2 per coefficient)
 * replaced by one final rounding (1/2).  The bits differ from that
 * sequence's (a different rounding), but do not depend on the thread count.
 *   z   c_0 in QP: (L + K) x n, NTT form (P c_0 + remainders, doc/06);
 *   c1  c_1: L x n, NTT form.
 * Every operand ciphertext has size 2 and the accumulator's context
 * (VEIL_EINVAL otherwise). */
typedef struct {
    const bfv_context_t *ctx;
    uint64_t *z;
    uint64_t *c1;
} bfv_rotsum_t;

/* Allocate; the sum starts as the zero ciphertext.  VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_rotsum_init(bfv_rotsum_t *r,
                                        const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_rotsum_clear(bfv_rotsum_t *r);

/* r = 0 (the zero ciphertext, no noise). */
VEIL_EXPORT void bfv_rotsum_zero(bfv_rotsum_t *r);

/* r += ct. */
VEIL_EXPORT veil_status bfv_rotsum_add(bfv_rotsum_t *r,
                                       const bfv_ciphertext_t *ct) VEIL_WUR;

/* r += sigma_elt(ct): one key switch, no division of c_0.  VEIL_ENOKEY
 * without the key for elt (elt = 1 adds ct). */
VEIL_EXPORT veil_status
bfv_rotsum_add_galois(bfv_rotsum_t *r, const bfv_ciphertext_t *ct, uint64_t elt,
                      const bfv_galois_keys_t *gk) VEIL_WUR;

/* r = sigma_elt(r) (Horner's rule over giant steps). */
VEIL_EXPORT veil_status bfv_rotsum_apply_galois(
    bfv_rotsum_t *r, uint64_t elt, const bfv_galois_keys_t *gk) VEIL_WUR;

/* r += sigma_elt(r) (one fold of a rotate-and-add reduction). */
VEIL_EXPORT veil_status bfv_rotsum_fold(bfv_rotsum_t *r, uint64_t elt,
                                        const bfv_galois_keys_t *gk) VEIL_WUR;

/* out = the ciphertext r holds: c_0 = round(z / P) mod Q (one mod-down),
 * c_1 copied; r is unchanged.  out has size 2. */
VEIL_EXPORT veil_status bfv_rotsum_finish(bfv_ciphertext_t *out,
                                          const bfv_rotsum_t *r) VEIL_WUR;

/* ==================================================== modulus switching */

/* Modulus switching (Brakerski-Vaikuntanathan 2011; for BFV: Kim, Polyakov
 * and Zucca, ASIACRYPT 2021, section 4; SEAL's mod_switch_to_next).  A
 * ciphertext mod Q = q_0 ... q_{L-1} is scaled down to the first l primes,
 * Q_l = q_0 ... q_{l-1}, dropping D = Q / Q_l = q_l ... q_{L-1} at once:
 *
 *     c'_k = round(Q_l / Q * c_k) = round(c_k / D)   (every coefficient),
 *
 * one exact rounding (D is odd: no ties), computed in RNS without floating
 * point: with r the centred remainder of c_k mod D (mixed-radix conversion
 * of the dropped residues), c'_k = (c_k - r) / D mod q_i.  The result does
 * not depend on the representative of c_k mod Q.  Used to shrink answers
 * before they are sent: a switched ciphertext can be decrypted, measured
 * and serialized, not evaluated further.
 *
 * Noise (doc/03-bfv.md, "Modulus switching").  With v = [t (c_0 + c_1 s +
 * ...)]_Q the invariant noise of bfv_noise_budget, the switched ciphertext
 * has exactly
 *     v' = (Q_l / Q) v + t rho,   rho = r_0 + r_1 s (+ r_2 s^2),
 * |r_k| <= 1/2 coefficient-wise: the relative noise v / Q is kept, and the
 * rounding adds |t rho| <= t R / 2 with R = 1 + ||s||_1 (+ ||s^2||_1),
 * i.e. at most t (1 + n) / 2 (size 2) or t (1 + n + n^2) / 2 (size 3) for
 * a ternary s: R is taken at this worst case below.  So a budget of b bits
 * before (2 |v| 2^b <= Q) leaves at least `keep` bits after whenever
 *     Q_l (2^-keep - 2^-b) >= t R.
 *
 * A switched ciphertext: polynomial k, row i (prime q_i, i < limbs) at
 * data + (k * limbs + i) * n, NTT form, in [0, q_i).  size 2 or 3 and
 * 1 <= limbs <= L once written (both 0 after init). */
typedef struct {
    const bfv_context_t *ctx;
    size_t size;
    size_t limbs;
    size_t capacity; /* words allocated: 3 L n after init */
    uint64_t *data;
    /* 0, 0: the RNS form above.  Otherwise the power-of-two form of
     * bfv_ms_compress: size 2, limbs 1, c_0 mod 2^bits[0] at data and c_1
     * mod 2^bits[1] at data + n, coefficient form. */
    unsigned bits[2];
} bfv_ms_ciphertext_t;

/* Allocate for ctx, with room for size 3 at L limbs (no allocation later).
 * VEIL_EINVAL, VEIL_ENOMEM.  clear: free; safe twice and after a failed
 * init. */
VEIL_EXPORT veil_status bfv_ms_ciphertext_init(
    bfv_ms_ciphertext_t *ct, const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void bfv_ms_ciphertext_clear(bfv_ms_ciphertext_t *ct);

/* Pointer to row i (i < limbs) of polynomial k. */
static inline uint64_t *bfv_ms_ct_row(const bfv_ms_ciphertext_t *ct, size_t k,
                                      size_t i)
{
    return ct->data + (k * ct->limbs + i) * ct->ctx->n;
}

/* out = round(Q_l / Q * ct) for l = limbs (limbs = L copies).  ct: size 2
 * or 3, a ciphertext of out->ctx.  Cost per polynomial: L - l inverse and
 * l forward NTTs, O((L - l) L n) word operations.
 * VEIL_EINVAL: NULL, context mismatch, size not 2 or 3, limbs == 0 or
 *              limbs > L;
 * VEIL_ENOISE: Q_l < 2 t R (R at size and worst case, as above): the
 *              rounding alone could make decryption fail, too few limbs
 *              would remain. */
VEIL_EXPORT veil_status bfv_mod_switch(bfv_ms_ciphertext_t *out,
                                       const bfv_ciphertext_t *ct,
                                       size_t limbs) VEIL_WUR;

/* *limbs = the fewest l in [1, L] such that every ciphertext of this size
 * (2 or 3) with a noise budget of at least budget_bits (bfv_noise_budget,
 * or the prediction of bfv_estimate.h) keeps at least keep_bits after
 * bfv_mod_switch to l limbs: the smallest l with
 *     Q_l (2^-keep_bits - 2^-budget_bits) >= t R.
 * VEIL_EINVAL: NULL, size not 2 or 3, keep_bits < 1, budget_bits < 0 or
 *              > 4096;
 * VEIL_ENOISE: budget_bits <= keep_bits, or no l <= L suffices (*limbs is
 *              then 0). */
VEIL_EXPORT veil_status bfv_mod_switch_limbs(size_t *limbs,
                                             const bfv_context_t *ctx,
                                             size_t size, int budget_bits,
                                             int keep_bits) VEIL_WUR;

/* pt = round(t / Q_l * (c_0 + c_1 s [+ c_2 s^2])) mod t: decryption at the
 * reduced modulus, with the secret key restricted to its first l rows.
 * Correct while the switched budget is positive.  VEIL_EINVAL (NULL,
 * context mismatch, ct never written), VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_decrypt_ms(bfv_plaintext_t *pt,
                                       const bfv_secret_key_t *sk,
                                       const bfv_ms_ciphertext_t *ct) VEIL_WUR;

/* The exact invariant noise budget at Q_l: bfv_noise_budget with Q_l for Q
 * (GMP: a diagnostic).  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status
bfv_noise_budget_ms(int *bits, const bfv_secret_key_t *sk,
                    const bfv_ms_ciphertext_t *ct) VEIL_WUR;

/* Compression to powers of two (the last step of an answer; the idea of
 * the "modulus switching to 2^k" of PIR answers, e.g. Spiral, Menon and
 * Wu, IEEE S&P 2022, which sends its two halves at two moduli).  A
 * ciphertext switched to one limb q_0 is
 * rounded once more, each polynomial to its own power-of-two modulus:
 *     c'_0 = round(2^b0 c_0 / q_0) mod 2^b0,
 *     c'_1 = round(2^b1 c_1 / q_0) mod 2^b1,   b0 <= b1,
 * exact integer arithmetic (q_0 odd: no ties), independent of the
 * representative.  The key holder decrypts from the phase
 *     p = 2^(b1 - b0) c'_0 + c'_1 s mod 2^b1,   m = round(t p / 2^b1) mod t
 * (c'_1 s computed exactly with two NTT primes of the context).  The
 * rounding adds to the relative noise t (2^-b0 + ||s||_1 2^-b1) / 2 at most
 * (||s||_1 <= n): c_1 needs about log2(n) more bits than c_0, which needs
 * little more than log2(t).  A public function of the ciphertext: what the
 * flooding hid before stays hidden (doc/03-bfv.md, "Modulus switching").
 * The result can be decrypted, measured and serialized, nothing else. */

/* *b0, *b1: the smallest b0 + b1 (then the smallest b1), 1 <= b0 <= b1 <=
 * BFV_MS_MAX_BITS, such that every ciphertext with a budget of at least
 * budget_bits at the full modulus (bfv_noise_budget, a prediction, or
 * bfv_flood_bits' budget_after) keeps keep_bits after bfv_mod_switch to
 * one limb and bfv_ms_compress: both roundings counted,
 *     2^-(budget + 1) + t (1 + n) / (2 q_0) + t (2^-b0 + n 2^-b1) / 2
 *         <= 2^-(keep + 1),
 * and q_0 q_1 > 2 n 2^b1 (the product c'_1 s fits two primes).  (A budget
 * measured after the switch to one limb may be passed too: the bound is
 * then only more cautious.)
 * VEIL_EINVAL (NULL, keep_bits < 1, budget_bits outside [0, 4096]),
 * VEIL_ENOISE (budget_bits <= keep_bits or no pair suffices). */
#define BFV_MS_MAX_BITS 56
VEIL_EXPORT veil_status bfv_ms_compress_bits(unsigned *b0, unsigned *b1,
                                             const bfv_context_t *ctx,
                                             int budget_bits,
                                             int keep_bits) VEIL_WUR;

/* ct (size 2, one limb, RNS form) to the power-of-two form, in place.
 * VEIL_EINVAL (NULL, ct not of that shape, b0 < 1, b0 > b1, b1 >
 * BFV_MS_MAX_BITS, q_0 q_1 <= 2 n 2^b1), VEIL_ENOISE (2^(b0 + b1) <= t
 * (2^b1 + n 2^b0): the rounding alone could spoil decryption),
 * VEIL_ENOMEM.  bfv_decrypt_ms and bfv_noise_budget_ms read both forms. */
VEIL_EXPORT veil_status bfv_ms_compress(bfv_ms_ciphertext_t *ct, unsigned b0,
                                        unsigned b1) VEIL_WUR;

/* Circuit privacy for a ciphertext sent back to the key holder (a server's
 * answer), before it is switched: re-randomization and noise flooding
 * (Gentry's thesis, section 21).  ct += Enc_pk(0) (fresh u, e_0, e_1:
 * c_1 becomes pseudorandom under RLWE, so it no longer depends on how ct
 * was computed), then, if flood_bits > 0, c_0 += F with coefficients
 * uniform in [-2^flood_bits, 2^flood_bits): a phase noise of at most W per
 * coefficient is then within statistical distance n W / 2^(flood_bits + 1)
 * of F alone.  ct: size 2.  VEIL_EINVAL (NULL, context mismatch, size,
 * flood_bits + 3 > log2 Q), VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_rerandomize(bfv_ciphertext_t *ct,
                                        const bfv_public_key_t *pk,
                                        unsigned flood_bits,
                                        veil_rng_t *rng) VEIL_WUR;

/* The flooding that hides the noise of a ciphertext whose budget is at
 * least budget_bits (bfv_noise_budget, or bfv_estimate's prediction) with
 * statistical distance at most 2^-lambda: *bits = lambda + log2(n) +
 * bitlen(W) - 1, W = Q / (t 2^(budget_bits + 1)) + t + 21 (2n + 1) (the
 * phase noise the budget allows, plus that of Enc_pk(0)); *budget_after is
 * a lower bound on the budget once flooded, for bfv_mod_switch_limbs.
 * VEIL_EINVAL (NULL, budget_bits outside [0, 4096], lambda > 256),
 * VEIL_ENOISE (the flooded noise would not leave 1 bit: raise Q). */
VEIL_EXPORT veil_status bfv_flood_bits(unsigned *bits, int *budget_after,
                                       const bfv_context_t *ctx,
                                       int budget_bits,
                                       unsigned lambda) VEIL_WUR;

/* ======================================================== ring switching */

/* Ring switching of an answer to the subring of dimension n/2 (Gentry,
 * Halevi, Peikert and Smart, "Field switching in BGV-style homomorphic
 * encryption", SCN 2012, for power-of-two cyclotomics; bfv/ringswitch.c
 * proves every bound; doc/11-lola.md section 7.1).  R = Z[X]/(X^n + 1),
 * R' = Z[Y]/(Y^(n/2) + 1) embedded as Y = X^2.  A ciphertext switched to
 * one limb q_0 (bfv_mod_switch) is key-switched from s to s'(X^2), s' a
 * fresh ternary secret of R', with a one-digit key of modulus q_0 P (P the
 * special prime p_0), and its even coefficients (c_0e, c_1e) are then a
 * ciphertext of R' under s' of m_e(Y), m_e = the even part of m: half the
 * coefficients.  As slots (bfv_ringsw_lift then bfv_decode_batch in R),
 * slot j of 2 m_e(X^2) holds a_j + a_j', j' = bfv_ringsw_partner_slot(j)
 * (X -> -X is the Galois element n + 1 = 3^(n/4): column j + n/4 of the
 * same row): exact when every wanted slot's partner holds 0.
 *
 * bfv_ringsw_params: the subring's set for the set p, n/2, q = {q_0},
 * p = {P}, the same t, security and test flag; VEIL_EPARAM unless it passes
 * bfv_params_check (128-bit: log2(q_0 P) <= 218 for n/2 = 8192; P > q_0),
 * VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_ringsw_params(bfv_params_t *sub,
                                          const bfv_params_t *p) VEIL_WUR;

/* The key switching from s (ring of ctx) to s'(X^2) (s' of sub):
 *   b = -(a s'(X^2) + e) + P s mod q_0 P, a the expansion of seed,
 * e centred binomial.  data: b mod q_0, b mod P, a mod q_0, a mod P
 * (4 x n words, NTT form of ctx's plans 0 and n_q).  The key does not
 * depend on t: contexts differing only in t may use it. */
typedef struct {
    const bfv_context_t *ctx; /* R: dimension n                   */
    const bfv_context_t *sub; /* R': bfv_ringsw_params of ctx     */
    uint64_t *data;
    uint8_t seed[VEIL_SEED_BYTES];
} bfv_ringsw_key_t;

/* init: allocate (contents zero) for ctx and its subring context sub
 * (VEIL_EINVAL if sub is not n/2 with ctx's q_0 and P); clear: free, safe
 * twice and after a failed init. */
VEIL_EXPORT veil_status bfv_ringsw_key_init(bfv_ringsw_key_t *k,
                                            const bfv_context_t *ctx,
                                            const bfv_context_t *sub) VEIL_WUR;
VEIL_EXPORT void bfv_ringsw_key_clear(bfv_ringsw_key_t *k);

/* Recompute a (data rows 2, 3) from k->seed (after a deserialization). */
VEIL_EXPORT void bfv_ringsw_expand(bfv_ringsw_key_t *k);

/* The key from sk (ring of k->ctx, or of a context differing only in t)
 * to sk_sub (a fresh bfv_keygen_secret of a subring context).  Draws the
 * seed and e from rng; wipes its secrets.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_keygen_ringsw(bfv_ringsw_key_t *k,
                                          const bfv_secret_key_t *sk,
                                          const bfv_secret_key_t *sk_sub,
                                          veil_rng_t *rng) VEIL_WUR;

/* out (initialised for a subring context of k: n/2, q_0, P, any t) = the
 * ring switch of ct (size 2, one limb, RNS form, ring of k->ctx): size 2,
 * one limb, NTT form of R'.  A deterministic function of ct and the key.
 * Its phase is the even part of ct's phase less E, |E|_inf < n (q_0 - 1)
 * 21 / (2 P) + (1 + n/2) / 2.  out must not be ct.  Decrypt, measure,
 * compress (bfv_ms_compress) and serialize it as any switched ciphertext
 * of out->ctx.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status bfv_ring_switch(bfv_ms_ciphertext_t *out,
                                        const bfv_ms_ciphertext_t *ct,
                                        const bfv_ringsw_key_t *k) VEIL_WUR;

/* bfv_ms_compress_bits for a ring-switched ciphertext (sub: the subring
 * context, n = 2 sub->n): the smallest b0 + b1 (then b1) such that
 *     2^-(budget + 1) + t (1 + n) / (2 q_0) + t E / q_0
 *         + t (2^-b0 + (n/2) 2^-b1) / 2 <= 2^-(keep + 1),
 * E = n (q_0 - 1) 21 / (2 P) + (1 + n/2) / 2, and q_0 P > n 2^b1:
 * budget_bits at the full modulus (flooded), the switch to q_0 in R, the
 * key switch and the compression in R'.  VEIL_EINVAL, VEIL_ENOISE. */
VEIL_EXPORT veil_status bfv_ringsw_compress_bits(unsigned *b0, unsigned *b1,
                                                 const bfv_context_t *sub,
                                                 int budget_bits,
                                                 int keep_bits) VEIL_WUR;

/* out (ring of dimension 2 in->ctx->n, the same t) = 2 m(X^2) mod t for
 * in = m(Y): decoded in R, slot j holds a_j + a_partner(j).  VEIL_EINVAL. */
VEIL_EXPORT veil_status bfv_ringsw_lift(bfv_plaintext_t *out,
                                        const bfv_plaintext_t *in) VEIL_WUR;

/* The slot whose value ring switching adds to slot `slot` (row-major slot
 * index of ctx): column j + n/4 mod n/2 of the same row; -1 if slot >= n. */
VEIL_EXPORT int bfv_ringsw_partner_slot(const bfv_context_t *ctx, size_t slot);

/* ===================================================== in-place variants */

static inline VEIL_WUR veil_status bfv_add_inplace(bfv_ciphertext_t *a,
                                                   const bfv_ciphertext_t *b)
{
    return bfv_add(a, a, b);
}
static inline VEIL_WUR veil_status bfv_sub_inplace(bfv_ciphertext_t *a,
                                                   const bfv_ciphertext_t *b)
{
    return bfv_sub(a, a, b);
}
static inline VEIL_WUR veil_status bfv_negate_inplace(bfv_ciphertext_t *a)
{
    return bfv_negate(a, a);
}
static inline VEIL_WUR veil_status
bfv_add_plain_inplace(bfv_ciphertext_t *a, const bfv_plaintext_t *pt)
{
    return bfv_add_plain(a, a, pt);
}
static inline VEIL_WUR veil_status
bfv_sub_plain_inplace(bfv_ciphertext_t *a, const bfv_plaintext_t *pt)
{
    return bfv_sub_plain(a, a, pt);
}
static inline VEIL_WUR veil_status
bfv_mul_plain_inplace(bfv_ciphertext_t *a, const bfv_plaintext_ntt_t *pt)
{
    return bfv_mul_plain(a, a, pt);
}
static inline VEIL_WUR veil_status bfv_mul_scalar_inplace(bfv_ciphertext_t *a,
                                                          int64_t c)
{
    return bfv_mul_scalar(a, a, c);
}
static inline VEIL_WUR veil_status bfv_square_inplace(bfv_ciphertext_t *a)
{
    return bfv_square(a, a);
}
static inline VEIL_WUR veil_status
bfv_relinearize_inplace(bfv_ciphertext_t *a, const bfv_relin_key_t *rk)
{
    return bfv_relinearize(a, a, rk);
}
static inline VEIL_WUR veil_status bfv_rotate_rows_inplace(
    bfv_ciphertext_t *a, int64_t k, const bfv_galois_keys_t *gk)
{
    return bfv_rotate_rows(a, a, k, gk);
}
static inline VEIL_WUR veil_status
bfv_rotate_columns_inplace(bfv_ciphertext_t *a, const bfv_galois_keys_t *gk)
{
    return bfv_rotate_columns(a, a, gk);
}

#ifdef __cplusplus
}
#endif
#endif /* VEIL_BFV_H */
