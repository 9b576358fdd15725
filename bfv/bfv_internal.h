/*
 * bfv_internal.h - what the bfv/ files share but users do not see: the
 * evaluator tables hanging off bfv_context_t, the samplers and seed
 * expansion, the key-switching core and small row kernels.
 */
#ifndef VEIL_BFV_INTERNAL_H
#define VEIL_BFV_INTERNAL_H

#include "veil/bfv.h"

/* ---------------------------------------------------------- tables */

/* The column-wise RNS steps (conversions, scalings) split the n columns
 * into this many blocks, run in parallel; n >= 8 is a multiple of it. */
#define BFV_COL_BLOCKS 8

/* Key switching (hybrid / GHS, doc/05-key-switching.md).  Q is split into
 * `digits` digits of up to K = n_p consecutive primes; digit d covers the
 * QP rows [first[d], first[d] + size[d]).  A one-prime digit is extended
 * to another prime by a reduction; a wider one by the fast base conversion
 * up[d * (L + K) + j] from its primes to the single prime j of QP. */
typedef struct {
    size_t digits;
    size_t n_rows;          /* L + K */
    size_t *first;          /* digits */
    size_t *size;           /* digits */
    rns_base_t *digit_base; /* digits: the primes of digit d            */
    rns_base_t *prime_base; /* L + K: prime j of QP alone               */
    rns_conv_t *up;         /* digits x (L + K): digit d -> prime j,
                             * set for size[d] >= 2 and j outside d     */
    rns_conv_t down;        /* P -> Q (used when K >= 2)                */
    uint64_t *half_ntt;     /* (L + K) x n: NTT of floor(P/2) (1 + X + ...
                             * + X^(n-1)) mod each prime (rounding)     */
    uint64_t *p_mod_q;      /* L: P mod q_i                              */
    uint64_t *p_inv;        /* L: P^-1 mod q_i                           */
} bfv_ks_tables_t;

/* Multiplication (HPS, doc/04-bfv-multiplication.md): the auxiliary base R
 * of M primes, R > t n Q, so that the tensor product fits Q R and its
 * scaling by t/Q fits R. */
typedef struct {
    size_t m;          /* M                                         */
    ntt_plan_t *plans; /* M plans, one per prime of R               */
    rns_base_t base_r;
    rns_conv_t q_to_r; /* exact (centred) extension Q -> R          */
    rns_conv_t r_to_q; /* exact (centred) conversion R -> Q         */
    rns_scale_t scale; /* round(t x / Q) mod R for x in base Q u R  */
} bfv_mul_tables_t;

struct bfv_precomp {
    /* D(m) = round(Q m / t) = delta m + round(r_t m / t), delta =
     * floor(Q / t), r_t = Q mod t (doc/03, "encoding the message"). */
    uint64_t r_t;          /* Q mod t                                    */
    uint64_t r_t_quot;     /* floor(r_t 2^64 / t), for round(r_t m / t)  */
    ntt_modulus_t t_mod;   /* Barrett data of t                          */
    uint64_t *delta;       /* L: floor(Q / t) mod q_i                    */
    rns_scale_t dec_scale; /* round(t x / Q) mod t (decrypt.c)           */
    bfv_ks_tables_t ks;
    bfv_mul_tables_t mul;
};

/* ---------------------------------------------------- seed expansion */

/* The uniform polynomials of keys and seeded ciphertexts come from a 32-byte
 * seed: polynomial `poly` (0 for a ciphertext or public key, digit d for a
 * key-switching key), row `row` (index of its prime in QP order) is
 *   veil_rng_uniform_mod(G, out, n, prime)
 * where G is veil_rng_init_seed(seed) with its ChaCha20 nonce set to the
 * little-endian words (poly, row, 0): an independent stream per row, so rows
 * expand in parallel.  The values are taken as the NTT form directly (the
 * NTT of a uniform polynomial is uniform). */
void bfv_expand_uniform_row(uint64_t *out, const bfv_context_t *ctx,
                            const uint8_t seed[VEIL_SEED_BYTES], uint32_t poly,
                            uint32_t row);

/* rows[r * n ..] for r in [0, nrows): the expansion of rows 0..nrows-1 of
 * polynomial `poly` (OpenMP over rows). */
void bfv_expand_uniform(uint64_t *rows, const bfv_context_t *ctx,
                        const uint8_t seed[VEIL_SEED_BYTES], uint32_t poly,
                        size_t nrows);

/* Lift a small signed polynomial v[0..n) (int8 coefficients) into rows
 * 0..nrows-1 of QP order and transform them (NTT form), OpenMP over rows. */
void bfv_small_to_ntt(uint64_t *rows, const bfv_context_t *ctx, const int8_t *v,
                      size_t nrows);

/* ---------------------------------------------------- key switching */

/* Fill ksk (already allocated: digits x 2 x (L + K) x n) with a key
 * switching from s_from to sk (doc/05):
 *   b_d = -(a_d s_to + e_d) + (P mod q_i) s_from on the rows of digit d,
 * where s_to is sk itself when s_to_ntt == NULL, else the (L + K)-row
 * NTT form in s_to_ntt (Galois keys use s_to = sigma^-1(s)).
 * s_from_ntt: L rows, NTT form.  Draws the seed and the errors from rng.
 * VEIL_ENOMEM. */
veil_status bfv_kswitch_keygen(bfv_kswitch_key_t *ksk,
                               const bfv_secret_key_t *sk,
                               const uint64_t *s_to_ntt,
                               const uint64_t *s_from_ntt,
                               veil_rng_t *rng) VEIL_WUR;
/* The same with the errors' scratch from the caller: err holds digits x n
 * bytes (wiped before returning).  Never fails (VEIL_OK). */
veil_status bfv_kswitch_keygen_err(bfv_kswitch_key_t *ksk,
                                   const bfv_secret_key_t *sk,
                                   const uint64_t *s_to_ntt,
                                   const uint64_t *s_from_ntt, int8_t *err,
                                   veil_rng_t *rng) VEIL_WUR;

/* Memory of key-switching keys (bfv/keymem.c): bytes rounded up to whole
 * pages in a 2 MiB-aligned mapping with transparent huge pages, populated
 * at once; contents unspecified (a cached mapping keeps an old key's
 * words).  Freed mappings are cached, most recent first, up to
 * BFV_KEYMEM_CACHE_BYTES, and the next allocation of the same size takes
 * one back.  alloc: NULL when out of memory.  free: NULL is fine.
 * Thread-safe.  trim: unmap every cached mapping. */
#define BFV_KEYMEM_CACHE_BYTES ((size_t)32 << 20)
uint64_t *bfv_keymem_alloc(size_t bytes);
void bfv_keymem_free(uint64_t *data);
size_t bfv_keymem_cached_bytes(void);
void bfv_keymem_trim(void);

/* Allocate / free a key-switching key's data for ctx. */
veil_status bfv_kswitch_key_alloc(bfv_kswitch_key_t *ksk,
                                  const bfv_context_t *ctx) VEIL_WUR;
void bfv_kswitch_key_free(bfv_kswitch_key_t *ksk);

/* Words of workspace the decomposition of one polynomial needs:
 * digits x (L + K) x n. */
size_t bfv_ks_digits_words(const bfv_context_t *ctx);

/* Decompose c (L rows, NTT form) into digits x (L + K) rows, NTT form:
 * digit d extended to all of QP (doc/05 steps 1-2).  coef: L x n words of
 * scratch.  out, c and coef must not overlap. */
void bfv_ks_decompose(uint64_t *out, const bfv_context_t *ctx,
                      const uint64_t *c, uint64_t *coef);

/* Words of the scratch bfv_ks_apply and bfv_ks_switch need, for the
 * calling thread's OpenMP setting: (L + 2 (L + K)) x n, plus n (one thread)
 * or the digits x (L + K) x n of a decomposition (a team of threads). */
size_t bfv_ks_work_words(const bfv_context_t *ctx);

/* The inner product of decomposed digits with a key, divided by P
 * (steps 3-4): y_k = round(sum_d digit_d * key_k,d / P) mod Q for k = 0, 1,
 * written to y (2 x L x n, NTT form).  work: bfv_ks_work_words words. */
void bfv_ks_apply(uint64_t *y, const bfv_context_t *ctx, const uint64_t *digits,
                  const bfv_kswitch_key_t *ksk, uint64_t *work);

/* Steps 1-4 for one polynomial c (L rows, NTT form), the same bits as
 * bfv_ks_decompose then bfv_ks_apply.  With one thread each digit row is
 * made, used and dropped while in cache; a team decomposes first, for
 * balanced parallel loops.  work as above; y must not overlap c. */
void bfv_ks_switch(uint64_t *y, const bfv_context_t *ctx, const uint64_t *c,
                   const bfv_kswitch_key_t *ksk, uint64_t *work);

/* Steps 1-3 only (no division by P): the extended-basis pair
 * x = (x_0, x_1), 2 x (L + K) rows in NTT form with x_0 + x_1 s' = P c s +
 * E mod QP, |E| the key-switching error (doc/05, "Lazy mod-down").  The
 * result lives in work (bfv_ks_work_words words) and is returned: it is
 * valid until work is used again.  c must not overlap work. */
uint64_t *bfv_ks_switch_ext(const bfv_context_t *ctx, const uint64_t *c,
                            const bfv_kswitch_key_t *ksk, uint64_t *work);

/* Step 4 alone: y_k = round(x_k / P) mod Q for the ncomp (1 or 2)
 * components of x (ncomp x (L + K) rows, NTT form; destroyed) into y
 * (ncomp x L rows, NTT form).  y and x must not overlap. */
void bfv_ks_mod_down(uint64_t *y, const bfv_context_t *ctx, uint64_t *x,
                     size_t ncomp);

/* ---------------------------------------------------- parallel regions */

/* Every OpenMP region of bfv/ is
 *     #pragma omp parallel for num_threads(veil_team()) if (bfv_par(work))
 * so that the team is woken only for a region whose work pays for it.
 * With OMP_WAIT_POLICY=passive (what veil-bench and the apps set) the other
 * threads sleep between regions: an empty two-thread region took 9-10 us
 * here against 1 us for one thread (load average 5), and whole operations
 * lose more.  On the
 * quietest runs available (doc/benchmarks.md, bfv table of main b875e4f,
 * every region with a team) two threads made the n = 8192 operations whose
 * regions take 20-40 us of one-thread work slower (bfv_decrypt 1.24x,
 * bfv_add_plain 1.36x, bfv_decrypt_ms 2.1x), while the n = 16384
 * encryptions, whose regions take about 120 us, got 1.4-1.5x faster
 * (region times estimated with the unit costs below).  A region gets a
 * team from BFV_PAR_MIN_WORK, about 120 us of one-thread work.
 *
 * Work is counted in units of about 0.13 ns with AVX-512 (one word of a
 * pointwise pass such as ntt_vec_mul, 1.1 us per 8192-word row), measured
 * with perf record on bfv_mul at n = 8192: an n-point transform costs
 * BFV_WORK_NTT units per word (7.2 us per 8192 points), an RNS conversion
 * or scaling (rns_conv, rns_scale) BFV_WORK_CONV per residue read or
 * written (39 us for 8192 columns of Q -> R, 4 + 5 rows), the ChaCha20
 * expansion of a uniform row BFV_WORK_EXPAND per word (12.9 us per 8192
 * words).  BFV_PAR_MIN_WORK = 7 x 2^17 units is L = 8 transforms (with one
 * pass each) at n = 16384, or 16 at n = 8192: at n = 8192 decryption,
 * encryption, the plaintext operations, modulus switching and the small
 * regions of bfv_mul / bfv_square run on one thread; at n = 16384 every
 * region of bfv_mul and bfv_square and the transforms of encryption and
 * decryption get the team. */
#define BFV_WORK_NTT 6
#define BFV_WORK_CONV 4
#define BFV_WORK_EXPAND 12
#define BFV_PAR_MIN_WORK ((size_t)7 << 17)

/* Whether a region of `work` units (above) gets a team. */
static inline int bfv_par(size_t work)
{
    return work >= BFV_PAR_MIN_WORK;
}

/* Whether an operation on ciphertexts of ctx spreads its regions over a
 * team at all: only when one polynomial (L rows) takes 512 KiB or more
 * (n = 16384 with 8 primes, not n = 8192 with 4).  Below that a ciphertext
 * fits one core's 1 MiB L2, and a team, which splits every region's rows
 * between the cores, moves them from one core's cache to the other's at
 * each region: two threads took 1.03-1.09x the time of one for bfv_mul and
 * bfv_square at n = 8192 with every region above BFV_PAR_MIN_WORK
 * (doc/benchmarks.md, "Threads"). */
#define BFV_PAR_MIN_POLY_BYTES ((size_t)512 << 10)

/* bfv_par(work) for a region of an operation on ciphertexts of ctx. */
static inline int bfv_par_op(const bfv_context_t *ctx, size_t work)
{
    return ctx->n * ctx->n_q * sizeof(uint64_t) >= BFV_PAR_MIN_POLY_BYTES &&
           bfv_par(work);
}

/* The work of `count` n-point transforms, each with `passes` pointwise
 * passes over its row beside it. */
static inline size_t bfv_work_ntt(size_t count, size_t n, size_t passes)
{
    return count * n * (BFV_WORK_NTT + passes);
}

/* ---------------------------------------------------- scratch */

/* Per-thread work areas (scratch.c), one per slot.  A function takes a slot
 * on entry and keeps it until it returns; no slot is taken again by what it
 * calls meanwhile:
 *   KS     key switching: relinearize, apply_key, hoisted apply;
 *   MUL    bfv_mul / bfv_square (bfv_mul_relin then relinearizes: KS);
 *   TMP    decryption phase, encryption's u, the hoisted decomposition's
 *          coefficient rows;
 *   PLAIN  scaled plaintexts (add_plain, encryption's D(m) fractions);
 *   HOIST  the decomposition held by bfv_rotate_rows_many. */
typedef enum {
    BFV_SCRATCH_KS,
    BFV_SCRATCH_MUL,
    BFV_SCRATCH_TMP,
    BFV_SCRATCH_PLAIN,
    BFV_SCRATCH_HOIST,
    BFV_SCRATCH_SLOTS
} bfv_scratch_slot;

/* The calling thread's area for slot, at least `words` words (64-byte
 * aligned), the same memory from call to call; freed when the thread
 * exits.  NULL if memory runs out.  Callers wipe secret contents. */
uint64_t *bfv_scratch(bfv_scratch_slot slot, size_t words);

/* ---------------------------------------------------- helpers */

/* v mod q in [0, q) for a small signed v (|v| < q), without a branch: the
 * signs of errors are random, so a branch would mispredict half the time. */
static inline uint64_t bfv_lift_small(int8_t v, uint64_t q)
{
    return (uint64_t)(int64_t)v + (q & (0 - (uint64_t)(v < 0)));
}

/* x = c_0 + c_1 s + ... + c_{size-1} s^(size-1) mod Q in coefficient form
 * (L x n), the "phase" decryption rounds (decrypt.c). */
void bfv_phase(uint64_t *x, const bfv_secret_key_t *sk,
               const bfv_ciphertext_t *ct);

/* Grow ct to hold `size` polynomials (keeps the first min(size, old) when
 * keep != 0), set ct->size and clear the seed flag.  VEIL_ENOMEM. */
veil_status bfv_ciphertext_resize(bfv_ciphertext_t *ct, size_t size,
                                  int keep) VEIL_WUR;

/* D(m) + e = round(Q m / t) + e mod q_i for every row i < L, in
 * coefficient form, for m[0..n) in [0, t) and a small error e[0..n) (NULL:
 * none): out is L x n, frac n words of scratch. */
void bfv_scale_plain(uint64_t *out, const bfv_context_t *ctx, const uint64_t *m,
                     const int8_t *e, uint64_t *frac);

/* x mod p for every x in in[0..n) with 0 <= x < q_from (OpenMP-free). */
void bfv_reduce_row(uint64_t *out, const uint64_t *in, size_t n,
                    uint64_t q_from, const ntt_plan_t *to);

/* The permutation of NTT-form rows for X -> X^elt: perm[k] = index whose
 * value moves to k (doc/06). */
void bfv_galois_perm(uint32_t *perm, const bfv_context_t *ctx, uint64_t elt);

/* The row step of a Galois element (elt = 3^(-step) mod 2n, step in
 * [0, n/2)), or -1 when elt is not a power of 3 (bfv_galois_key_t.step). */
int64_t bfv_galois_elt_step(const bfv_context_t *ctx, uint64_t elt);

/* ---------------------------------------------------- debug checks */

/* For VEIL_ASSERT (debug builds): rows i < count of n residues at rows +
 * i n are in [0, q_i) (the primes of Q, then of P). */
static inline int bfv_rows_reduced(const bfv_context_t *ctx,
                                   const uint64_t *rows, size_t count)
{
    if (ctx == NULL || rows == NULL || count > ctx->n_qp)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (!veil_all_below(rows + i * ctx->n, ctx->n, ctx->plans[i].q))
            return 0;
    return 1;
}

/* Every residue of ct (size polynomials of L rows) is in [0, q_i). */
static inline int bfv_ct_reduced(const bfv_ciphertext_t *ct)
{
    if (ct == NULL || ct->ctx == NULL || ct->data == NULL)
        return 0;
    for (size_t k = 0; k < ct->size; k++)
        if (!bfv_rows_reduced(ct->ctx, bfv_ct_row(ct, k, 0), ct->ctx->n_q))
            return 0;
    return 1;
}

/* out[k] = in[perm[k]] for n words; out and in must not overlap. */
void bfv_permute_row(uint64_t *out, const uint64_t *in, const uint32_t *perm,
                     size_t n);

/* Whether exponents (b0, b1) keep keep_bits of a budget of budget_bits
 * (ms_compress.c for R, ringswitch.c for the subring). */
typedef int (*bfv_ms_fit_fn)(const bfv_context_t *ctx, unsigned b0, unsigned b1,
                             int budget_bits, int keep_bits);

/* The pair 1 <= b0 <= b1 <= BFV_MS_MAX_BITS that fit accepts with the
 * smallest b0 + b1 (then the smallest b1): VEIL_ENOISE if none, or if
 * budget_bits <= keep_bits.  Arguments checked by the caller. */
veil_status bfv_ms_search_bits(unsigned *b0, unsigned *b1,
                               const bfv_context_t *ctx, int budget_bits,
                               int keep_bits, bfv_ms_fit_fn fit);

/* The power-of-two form of a switched ciphertext (ms_compress.c):
 * 1 if (b0, b1) is a pair bfv_ms_compress accepts for ctx; decryption and
 * the exact budget of ct in that form (ct->bits[0] != 0, checked by the
 * callers in modswitch.c). */
int bfv_ms_bits_valid(const bfv_context_t *ctx, unsigned b0, unsigned b1);
veil_status bfv_decrypt_pow2(bfv_plaintext_t *pt, const bfv_secret_key_t *sk,
                             const bfv_ms_ciphertext_t *ct);
veil_status bfv_noise_budget_pow2(int *bits, const bfv_secret_key_t *sk,
                                  const bfv_ms_ciphertext_t *ct);

#endif /* VEIL_BFV_INTERNAL_H */
