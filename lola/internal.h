/*
 * lola/internal.h - helpers shared by the LoLa kernels, the executor and
 * the planner (the .c files of lola/).  Not installed.
 */
#ifndef VEIL_LOLA_INTERNAL_H
#define VEIL_LOLA_INTERNAL_H

#include "veil/lola_kernels.h"

/* A layout entry a kernel has not decided yet: lola_step_finish turns it
 * into LOLA_ZERO or LOLA_GARBAGE from the non-zero pattern. */
#define LOLA_UNSET (-3)

/* Row and column of slot s in the 2 x n/2 matrix, and back.  n is a power
 * of two (layouts are checked), so these are a shift and a mask: the
 * planner calls them in its innermost loops. */
static inline size_t lola_row(size_t n, size_t s)
{
    return s >> (__builtin_ctzll(n) - 1);
}
static inline size_t lola_col(size_t n, size_t s)
{
    return s & (n / 2 - 1);
}
static inline size_t lola_slot(size_t n, size_t row, size_t col)
{
    return row * (n / 2) + col;
}

/* Ring degree from which ciphertext operations are long enough (about
 * 0.1 ms) for an OpenMP region to pay; below it everything runs in the
 * calling thread (threads spinning at barriers cost more than they give). */
#define LOLA_PARALLEL_MIN_N 2048

/* 1 if x is a power of two (x > 0). */
static inline int lola_pow2(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* ceil(log2(x)) for x >= 1. */
static inline unsigned lola_clog2(size_t x)
{
    unsigned l = 0;
    while (((size_t)1 << l) < x)
        l++;
    return l;
}

/* ------------------------------------------------------------ matrices */

/* The structurally non-zero columns of row `row` of m, in window order for
 * a convolution (padding skipped), ascending for a dense matrix: written to
 * cols[0..) (room for m->cols entries), count returned. */
size_t lola_matrix_row_cols(int64_t *cols, const lola_matrix_t *m, size_t row);

/* 1 if W[row][col] is structurally non-zero. */
int lola_matrix_nz(const lola_matrix_t *m, size_t row, size_t col);

/* The bias of row `row` (one per map for a convolution), or NULL. */
static inline const fmpz *lola_matrix_bias(const lola_matrix_t *m, size_t row)
{
    if (m->bias == NULL)
        return NULL;
    return m->bias + (m->conv ? row / ((size_t)m->out.h * m->out.w) : row);
}

/* The window size of a convolution (in.c * k * k); 0 for dense. */
size_t lola_matrix_window_size(const lola_matrix_t *m);

/* -------------------------------------------------------- step building */

/* Start a step: zeroes *st and, for LINEAR steps, allocates nout empty
 * outputs (no bias). */
veil_status lola_step_begin(lola_step_t *st, lola_step_kind_t kind,
                            const char *kernel, int32_t layer, size_t n,
                            size_t nin, size_t nout) VEIL_WUR;

/* The output layout: nout messages of n slots, all LOLA_UNSET. */
veil_status lola_step_layout(lola_step_t *st, lola_rep_t rep,
                             size_t len) VEIL_WUR;

/* Append a term to output o.  VEIL_ENOMEM. */
veil_status lola_step_term(lola_step_t *st, size_t o, uint32_t input,
                           lola_rot_t baby, lola_rot_t giant,
                           lola_coef_kind_t kind, uint32_t coef) VEIL_WUR;

/* Set the fold rotations of output o (copied).  VEIL_ENOMEM. */
veil_status lola_step_fold(lola_step_t *st, size_t o, const lola_rot_t *fold,
                           size_t nfold) VEIL_WUR;

/* A new scalar coefficient with source (row, col); its index in *idx. */
veil_status lola_step_scalar(lola_step_t *st, uint32_t *idx, int32_t row,
                             int32_t col) VEIL_WUR;

/* A new plaintext (n sources, all LOLA_SRC_ZERO); its index in *idx and
 * its sources in *src (valid until the next lola_step_plain call). */
veil_status lola_step_plain(lola_step_t *st, uint32_t *idx,
                            lola_src_t **src) VEIL_WUR;

/* A new bias (n sources, all LOLA_SRC_ZERO) for output o. */
veil_status lola_step_bias(lola_step_t *st, size_t o,
                           lola_src_t **src) VEIL_WUR;

/* The giant-step base b of output `out` (terms sorted by giant) when its
 * non-zero giant rotations are exactly b, 2b, ..., Kb (K >= 2, shifts only,
 * K b < n/2): the executor then applies them by Horner's rule with the one
 * Galois key of b, and lola_step_galois asks for that key only.  0 when
 * they are not. */
lola_rot_t lola_output_giant_base(const lola_output_t *out, size_t n);

/* Finish a LINEAR step whose output layout (st->layout, nct = nout) holds
 * element indices where the kernel put results and LOLA_UNSET elsewhere:
 * sort terms by giant, fill the UNSET entries (GARBAGE where the step can
 * leave something non-zero given the input layout `in`, ZERO elsewhere),
 * count the operations.  A map-less output layout (SPARSE/SIMD) is kept. */
veil_status lola_step_finish(lola_step_t *st, const lola_layout_t *in) VEIL_WUR;

/* The non-zero pattern of message m of layout l (n bytes, 1 = may be
 * non-zero). */
void lola_layout_nonzero(uint8_t *nz, const lola_layout_t *l, size_t m);

/* Rotation-and-add folds: the rotations summing `span` consecutive blocks of
 * `block` columns into the first block of the span (block * 2^i for
 * 2^i < span), plus the row swap if both_rows.  fold must hold 64 entries;
 * count returned. */
size_t lola_fold_steps(lola_rot_t *fold, size_t n, size_t block, size_t span,
                       int both_rows);

/* The smallest cyclic window of the n/2 / block block positions of a row
 * that contains every block with used[b] != 0: its first block in *start
 * and its length (in blocks) returned; 0 if no block is used. */
size_t lola_block_window(size_t *start, const uint8_t *used, size_t nblocks);

/* ------------------------------------------------- programs from specs */

/* Kernel choice of one linear layer (the spec's kernel string). */
typedef enum {
    LOLA_K_CONV_PLAIN = 0,
    LOLA_K_CONV_SCALAR,
    LOLA_K_DIAG,
    LOLA_K_STACKED,
    LOLA_K_DENSE_ROW,
    LOLA_K_SPARSE_COL,
    LOLA_K_SIMD
} lola_kind_t;

typedef struct {
    lola_kind_t kind;
    size_t block, chunk; /* diag options, 0: automatic */
} lola_kchoice_t;

/* Parse a kernel string ("paper" expands to Table 1's choices) into
 * k[0..*count), at most max.  VEIL_EINVAL on unknown names or options. */
veil_status lola_kernels_parse(lola_kchoice_t *k, size_t *count, size_t max,
                               const char *s) VEIL_WUR;

/* The canonical string of k[0..count) into buf (NUL-terminated, truncated
 * to len).  Returns the length it needed. */
size_t lola_kernels_format(char *buf, size_t len, const lola_kchoice_t *k,
                           size_t count);

/* 1 if spec layer i is linear (conv2d, dense, avgpool). */
int lola_layer_linear(nn_layer_type_t t);

/* The structure of linear layer i of a spec as a matrix without weights
 * (bias non-NULL, but not dereferenceable, for layer types that have one). */
void lola_matrix_shape(lola_matrix_t *m, const lola_spec_t *spec, size_t i);

/* A compiled network: the steps and the representation of the client's
 * input. */
typedef struct {
    size_t nsteps;
    lola_step_t *steps;
    lola_layout_t input;
} lola_prog_t;

/* Compile spec's layers with its kernel string for ring degree n (the
 * spec's parameters are not used).  VEIL_EINVAL (kernel string does not
 * fit the layers or a representation cannot be made: the kernel choice is
 * impossible), VEIL_EUNSUPPORTED (layer types), VEIL_ENOMEM. */
veil_status lola_program_build(lola_prog_t *p, const lola_spec_t *spec,
                               size_t n) VEIL_WUR;
void lola_program_clear(lola_prog_t *p);

/* Fill spec's variant-independent structure from q (layers, input
 * quantization); kernels, batch and params untouched. */
veil_status lola_spec_from_model(lola_spec_t *spec,
                                 const nn_qmodel_t *q) VEIL_WUR;

/* Decrypt, decode and CRT-join the logits of the first `records` records
 * from ncomp x nct ciphertexts: either full-modulus ones (`full`, a query
 * result) or switched ones (`ms`, an answer, whose non-output slots are
 * masked and ignored); exactly one of the two is non-NULL.  Shared by
 * lola_client_decrypt and lola_client_decrypt_answer (lola/client.c). */
veil_status lola_client_decrypt_cts(fmpz *logits, const lola_client_t *c,
                                    size_t ncomp, size_t nct,
                                    const bfv_ciphertext_t *full,
                                    const bfv_ms_ciphertext_t *ms,
                                    size_t records) VEIL_WUR;

/* ----------------------------------------------------- ring switching */

/* 1 if answers laid out as l may be ring-switched (bfv.h, "ring
 * switching"): for every message and every output slot s, the partner
 * slot bfv_ringsw_partner_slot(s) (column + n/4 of the same row) is a
 * ZERO slot, so that it holds 0 and slot s decodes exactly (lola/answer.c).
 */
int lola_layout_ringsw(const lola_layout_t *l);

/* su->ringsw and su->sub (lola_setup_init's last step; lola/answer.c):
 * ring switching when lola_layout_ringsw(su->output) and the subring set
 * of every component passes bfv_params_check.  VEIL_ENOMEM (a refused
 * subring set only turns ring switching off).  clear: free su->sub. */
veil_status lola_setup_ringsw(lola_setup_t *su) VEIL_WUR;
void lola_setup_ringsw_clear(lola_setup_t *su);

/* Bytes of the ring-switching key of params p (bfv_ringsw_key_serial_size
 * without a key object), for lola_evalkeys_bytes. */
size_t lola_ringsw_key_bytes(const bfv_params_t *p);

/* ------------------------------------------------------------- levels */

/* The server's level contexts (lola/levels.c): ctx[c][l] for component c
 * at the first l ciphertext primes, for every l < L some step runs at;
 * NULL elsewhere. */
struct lola_levels {
    bfv_context_t *ctx[LOLA_MAX_PRIMES][BFV_MAX_Q + 1];
};

/* The limbs each step of su runs at (limbs[0..nsteps), non-increasing,
 * the full L where nothing is gained) and the predicted budget after the
 * last step with them (*final): the fewest limbs, step by step, that keep
 * the final prediction at su->spec.margin bits (within one bit of the
 * unswitched one if that is less, or the margin is 0; lola/plan.c).
 * VEIL_EINVAL, VEIL_ENOMEM. */
veil_status lola_levels_choose(uint8_t *limbs, double *final,
                               const lola_setup_t *su,
                               const nn_qmodel_t *q) VEIL_WUR;

/* m = nct messages per component, those of component c in ctx[c]
 * (lola_msg_init: the setup's contexts; the server: a step's level).
 * VEIL_EINVAL, VEIL_ENOMEM. */
veil_status lola_msg_init_at(lola_msg_t *m, size_t ncomp, size_t nct,
                             const bfv_context_t *const *ctx) VEIL_WUR;

/* Contexts for the levels of limbs (lola_levels_free frees). */
veil_status lola_levels_init(struct lola_levels **lv, const lola_setup_t *su,
                             const uint8_t *limbs) VEIL_WUR;
void lola_levels_free(struct lola_levels *lv);

/* The context of component c at l limbs (the setup's at l = L). */
const bfv_context_t *lola_levels_ctx(const lola_server_t *s, size_t c,
                                     size_t l);

/* Leave the folds of st, a program's last step (input layout in), to the
 * client: each output element's sum is then spread over the 2^f slots
 * the f folds would have added into its first slot, which keeps the
 * element index (and the bias, only there now), the others becoming its
 * LOLA_SHAREs; the answer masks them with shares of zero
 * (lola/answer.c).  No change (VEIL_OK) when st has no folds, is not
 * LINEAR, or its sets would meet. VEIL_ENOMEM. */
veil_status lola_step_client_sums(lola_step_t *st, const lola_layout_t *in);

/* lola_step_galois for the rotations of the terms (babies and giants)
 * and/or of the folds only. */
size_t lola_step_galois_of(uint64_t *elts, size_t *count, const lola_step_t *st,
                           int terms, int folds);

/* 1 if lo is a level of hi: the same n, t and special primes, and the
 * first lo->n_q of hi's ciphertext primes. */
int lola_ctx_is_level(const bfv_context_t *lo, const bfv_context_t *hi);

/* The primes step k's outputs end with when step i runs at limbs[i]: a
 * LINEAR step with folds followed by a step at fewer primes switches its
 * outputs down before the folds (lola_step_exec_level), so they end at
 * limbs[k + 1]; every other step at limbs[k] (its outputs are switched at
 * the start of the next step).  The planner's estimator and cost and the
 * server follow this one rule. */
size_t lola_step_out_limbs(const lola_step_t *steps, size_t nsteps,
                           const uint8_t *limbs, size_t k);

/* dst (initialised for the smaller context) = src switched to dst's
 * primes (bfv_mod_switch).  src of size 2.  VEIL_EINVAL, VEIL_ENOMEM. */
veil_status lola_ct_switch(bfv_ciphertext_t *dst,
                           const bfv_ciphertext_t *src) VEIL_WUR;

/* ms (initialised for the full context) = ct, a ciphertext of a level
 * context of it, as a switched ciphertext (for the client's decryption and
 * budget).  VEIL_EINVAL when ct's context is not a level of ms's. */
veil_status lola_ct_to_ms(bfv_ms_ciphertext_t *ms,
                          const bfv_ciphertext_t *ct) VEIL_WUR;

/* The key set's level keys for server sv, derived on first use and kept
 * in ek (freed by lola_evalkeys_clear); *out NULL when sv has no levels.
 * Then the keys of component c at l limbs (ek's own at the full L). */
struct lola_ek_levels;
veil_status lola_ek_levels_get(const struct lola_ek_levels **out,
                               const lola_server_t *sv,
                               const lola_evalkeys_t *ek) VEIL_WUR;
void lola_ek_levels_free(struct lola_ek_levels *e);
const bfv_relin_key_t *lola_ek_levels_rk(const struct lola_ek_levels *h,
                                         const lola_evalkeys_t *ek, size_t c,
                                         size_t l);
const bfv_galois_keys_t *lola_ek_levels_gk(const struct lola_ek_levels *h,
                                           const lola_evalkeys_t *ek, size_t c,
                                           size_t l);
const bfv_public_key_t *lola_ek_levels_pk(const struct lola_ek_levels *h,
                                          const lola_evalkeys_t *ek, size_t c,
                                          size_t l);

#endif
