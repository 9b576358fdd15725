/*
 * lola_kernels.h - LoLa for kernel authors and tests: slot rotations,
 * message representations as data, linear layers as matrices, the compiled
 * form of a step (terms, folds, coefficient sources), the kernels that
 * compile a layer for a representation (paper section 4.2.2, plus the
 * diagonal method), step coefficients and executing a step.  A program
 * that only plans, encrypts, evaluates and decrypts needs lola.h alone.
 * Chapter: doc/11-lola.md.  Conventions as in lola.h.
 */
#ifndef VEIL_LOLA_KERNELS_H
#define VEIL_LOLA_KERNELS_H

#include "veil/lola.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================== slot rotations */

/* lola_rot_t (lola.h): a slot permutation the Galois group gives, coded
 * as r in [0, n): shift = r % (n/2), swap = r / (n/2).  Applied to a
 * message x it gives
 *     y[row][col] = x[row XOR swap][(col + shift) mod n/2],
 * i.e. the value in column col + shift moves to column col ("bring slot
 * s + shift to s"), then the rows are exchanged if swap.  0 is the
 * identity.  These commute, so they compose by adding shifts and XORing
 * swaps. */

/* The code of (shift, swap) for ring degree n (shift taken mod n/2, may be
 * negative). */
VEIL_EXPORT lola_rot_t lola_rot(size_t n, int64_t shift, int swap);

/* a then b. */
VEIL_EXPORT lola_rot_t lola_rot_compose(size_t n, lola_rot_t a, lola_rot_t b);

/* The inverse permutation. */
VEIL_EXPORT lola_rot_t lola_rot_inverse(size_t n, lola_rot_t r);

/* The slot that y[s] is read from: y[s] = x[lola_rot_source(n, r, s)]. */
VEIL_EXPORT size_t lola_rot_source(size_t n, lola_rot_t r, size_t s);

/* The Galois element of r for bfv_apply_galois: 3^shift * (2n-1)^swap
 * mod 2n (equal to bfv_galois_elt_from_step(ctx, -shift), times the row
 * swap). */
VEIL_EXPORT uint64_t lola_rot_galois(size_t n, lola_rot_t r);

/* ======================================================= representations */

/* A representation is data: for every message and slot, which element of
 * the vector it holds.  Map entries are an element index in [0, len),
 * LOLA_ZERO (the slot holds 0) or LOLA_GARBAGE (the slot holds some
 * value that must not be used).  The representations of the paper
 * (section 4.2.1), drawn for a vector v of length 4 and n = 16 in
 * doc/11-lola.md:
 *
 *   DENSE        one message, v_i in slot offset + i.
 *   SPARSE       len messages, message i holds v_i in every slot.
 *   STACKED      one message, v_i in slots i + p*j for copies j: the vector
 *                repeated with period p (a power of two >= len).
 *   INTERLEAVED  one message, v_i in slot perm(i) (any injective map; slots
 *                may also hold GARBAGE, e.g. after stacked-row kernels).
 *   CONV         the convolution representation: r messages for a window
 *                of r weights, message j holding in slot s the input value
 *                the j-th window weight meets when computing the output
 *                element placed in slot s.
 *   SIMD         CryptoNets: message i holds element i of `batch` different
 *                records, record b in slot b.
 *   CHUNKED      (ours) one message, the vector cut into chunks of c
 *                elements, chunk g repeated D/c times inside slot block g
 *                of D slots: v_{gc+e} in slots gD + ac + e.  An interleaved
 *                representation with copies; it lets the diagonal kernel
 *                work with c rotations instead of D. */
#define LOLA_ZERO (-1)
#define LOLA_GARBAGE (-2)

/* A share of element j: a slot whose value adds into element j (the sum
 * of the element's slot and its shares is the element).  Only the output
 * of a program whose last folds are left to the client has shares
 * (lola_step_client_sums, doc/11-lola.md section 7.3); encoding puts 0 in
 * them, decoding adds them in. */
#define LOLA_SHARE(j) (-4 - (int32_t)(j))
#define LOLA_IS_SHARE(e) ((e) <= -4)
#define LOLA_SHARE_OF(e) ((size_t)(-4 - (int64_t)(e)))

/* lola_rep_t and lola_rep_name: lola.h. */

/*   rep    the kind (descriptive: kernels only read map);
 *   n      slots per message;  nct  messages;  len  vector length;
 *   batch  SIMD: records, in slots [0, batch); 0 otherwise;
 *   map    nct x n entries (message-major), or NULL for SPARSE and SIMD,
 *          whose map is implied (message i holds element i in every slot,
 *          resp. in slots [0, batch));
 *   target CONV only (else NULL): n entries, the output the convolution
 *          computes in each slot (a row of its matrix, or a position
 *          oy * out.w + ox when positions != 0), or LOLA_ZERO;
 *          target_rep is the representation those outputs form;
 *   period, block, chunk  STACKED period p; CHUNKED block D and chunk c
 *          (0 when not applicable; descriptive; a CONV layout keeps its
 *          target's). */
typedef struct lola_layout {
    lola_rep_t rep;
    size_t n, nct, len, batch;
    int32_t *map;
    int32_t *target;
    int positions;
    lola_rep_t target_rep;
    size_t period, block, chunk;
} lola_layout_t;

/* Constructors (initialise *l).  VEIL_EINVAL if the vector does not fit
 * (len 0, n not a power of two >= 8, offset + len > n, period not a power
 * of two dividing n/2 or smaller than len, c not a power of two dividing
 * D, D not dividing n/2, more than n/D chunks), VEIL_ENOMEM.
 *   dense:        v_i at slot offset + i (crossing into row 1 is allowed);
 *   stacked:      v_i at i + p*j for j < copies (copies <= n / p; the
 *                 copies fill row 0 first), other slots ZERO;
 *   interleaved:  v_i at perm[i] (distinct slots < n);
 *   chunked:      as above, blocks 0, 1, ... (row 0 first), unused ZERO;
 *   sparse:       len messages, implied map;
 *   simd:         len messages, batch records (1 <= batch <= n). */
VEIL_EXPORT veil_status lola_layout_dense(lola_layout_t *l, size_t n,
                                          size_t len, size_t offset) VEIL_WUR;
VEIL_EXPORT veil_status lola_layout_stacked(lola_layout_t *l, size_t n,
                                            size_t len, size_t period,
                                            size_t copies) VEIL_WUR;
VEIL_EXPORT veil_status lola_layout_interleaved(lola_layout_t *l, size_t n,
                                                size_t len,
                                                const size_t *perm) VEIL_WUR;
VEIL_EXPORT veil_status lola_layout_chunked(lola_layout_t *l, size_t n,
                                            size_t len, size_t block,
                                            size_t chunk) VEIL_WUR;
VEIL_EXPORT veil_status lola_layout_sparse(lola_layout_t *l, size_t n,
                                           size_t len) VEIL_WUR;
VEIL_EXPORT veil_status lola_layout_simd(lola_layout_t *l, size_t n, size_t len,
                                         size_t batch) VEIL_WUR;

/* An explicit layout: nct messages, all entries LOLA_ZERO, rep as given
 * (the caller fills map).  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_layout_init(lola_layout_t *l, lola_rep_t rep,
                                         size_t n, size_t nct,
                                         size_t len) VEIL_WUR;

/* Deep copy into *dst (initialised here). */
VEIL_EXPORT veil_status lola_layout_copy(lola_layout_t *dst,
                                         const lola_layout_t *src) VEIL_WUR;
VEIL_EXPORT void lola_layout_clear(lola_layout_t *l);

/* The entry of message m, slot s (implied maps included; SIMD gives the
 * element for slots < batch and LOLA_GARBAGE above). */
VEIL_EXPORT int32_t lola_layout_at(const lola_layout_t *l, size_t m, size_t s);

/* Slot values of a vector: slots[m * n + s] for every message, from
 * v[0..len) (SIMD: v[b * len + i] is element i of record b).  ZERO and
 * GARBAGE slots get 0.  No allocation. */
VEIL_EXPORT void lola_layout_encode(int64_t *slots, const lola_layout_t *l,
                                    const int64_t *v);

/* Read the vector back from slot values (centred or not, as given).  Every
 * element must appear at least once (VEIL_EINVAL otherwise); with check,
 * every copy must hold the same value (VEIL_ERANGE otherwise) and every
 * ZERO slot 0.  The shares of an element (LOLA_SHARE) are added to it: the
 * result is then their integer sum, which the caller reduces mod t.  SIMD:
 * v[b * len + i]. */
VEIL_EXPORT veil_status lola_layout_decode(int64_t *v, const lola_layout_t *l,
                                           const int64_t *slots,
                                           int check) VEIL_WUR;

/* ============================================================== matrices */

/* A linear layer y = W x + b as the kernels see it.
 *   rows, cols   sizes of W;
 *   w            rows x cols integer weights, row-major, or NULL when only
 *                the structure is needed (planning, client side);
 *   bias         rows integers (out.c, one per map, for a convolution),
 *                or NULL for none;
 *   conv         non-zero for a 2-D convolution, whose geometry then
 *                fixes the structure: column index (c, y, x) of an input of
 *                shape `in`, row index (m, oy, ox) of an output of shape
 *                `out`; W[(m,oy,ox)][(c,y,x)] is the weight of window
 *                offset (c, y - oy*stride + pad, x - ox*stride + pad) of map
 *                m, and structurally 0 outside the window.
 * The windows of a convolution are enumerated in the order
 * (c, ky, kx) -> index (c * k + ky) * k + kx, window size in.c * k * k. */
typedef struct {
    size_t rows, cols;
    const int32_t *w;
    const fmpz *bias;
    int conv;
    nn_shape_t in, out;
    uint32_t k, stride, pad;
    /* Compact weights of a convolution (lola_coefs_*, the server's
     * streaming path: no rows x cols expansion), used when w is NULL:
     * kernel = the layer's out.c x in.c x k x k weights (nn's layout), or
     * pool != 0 for sum pooling (weight 1 on its own channel). */
    const int32_t *kernel;
    int pool;
} lola_matrix_t;

/* W[row][col] of m from w, or from kernel / pool when w is NULL (0 outside
 * the window; row < rows, col < cols not checked).  VEIL_EINVAL through
 * *ok = 0 when m holds no weights. */
VEIL_EXPORT int32_t lola_matrix_entry(const lola_matrix_t *m, size_t row,
                                      size_t col, int *ok);

/* The matrix of quantized layer l (CONV2D, DENSE or AVGPOOL (sum pooling,
 * a convolution with weight 1 on its own channel)): *w is allocated here
 * (rows x cols, free with free()), m->w points to it, m->bias to l->b (NULL
 * for AVGPOOL).  VEIL_EUNSUPPORTED for other layer types, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_matrix_from_layer(lola_matrix_t *m, int32_t **w,
                                               const nn_qlayer_t *l) VEIL_WUR;

/* The column read by window offset `win` of output row `row`, or -1 when
 * the window reaches into the zero padding (conv only). */
VEIL_EXPORT int64_t lola_matrix_window(const lola_matrix_t *m, size_t row,
                                       size_t win);

/* ============================================================== programs */

/* The kernels compile into one small intermediate form.  A LINEAR step
 * maps nin input messages to nout output messages; output o is
 *
 *     y_o = F_o( sum_g rot_g( sum_{terms with giant g}
 *                             coef (.) rot_baby(x_input) ) ) + bias_o
 *
 * where F_o applies the fold rotations in order (y += rot_f(y)), coef is 1,
 * an integer (bfv_mul_scalar) or a slot vector (bfv_mul_plain).  All
 * rotations of one input share one hoisted decomposition (Halevi-Shoup,
 * bfv_hoisted_*): baby steps are hoisted, giant steps and folds are
 * ordinary rotations.  Coefficient values are not stored in the program,
 * only where they come from (matrix entries), so that the client can build
 * the same program without the weights. */
typedef enum {
    LOLA_COEF_ONE = 0,
    LOLA_COEF_SCALAR = 1,
    LOLA_COEF_PLAIN = 2
} lola_coef_kind_t;

typedef struct {
    uint32_t input;   /* input message index                       */
    lola_rot_t baby;  /* applied to the input before coef          */
    lola_rot_t giant; /* applied to the sum of its terms           */
    lola_coef_kind_t kind;
    uint32_t coef; /* index into scalars or plains              */
} lola_term_t;

/* Source of a coefficient value: entry W[row][col] of the step's matrix,
 * LOLA_SRC_ZERO (0) or LOLA_SRC_ONE (1, masks). */
#define LOLA_SRC_ZERO (-1)
#define LOLA_SRC_ONE (-2)
typedef struct {
    int32_t row, col;
} lola_src_t;

typedef struct {
    size_t nterms;
    lola_term_t *terms; /* sorted by giant                           */
    size_t nfold;
    lola_rot_t *fold;
    int32_t bias; /* index into biases, or -1                  */
} lola_output_t;

typedef enum {
    LOLA_STEP_LINEAR = 0,
    LOLA_STEP_SQUARE = 1, /* every message squared (and relinearized)  */
    LOLA_STEP_RELIN = 2   /* relinearize every message (size 3 -> 2)   */
} lola_step_kind_t;

/* lola_counts_t (operation counts of one step): lola.h. */

/* One compiled step.
 *   kernel      short name of the kernel that made it ("conv-row",
 *               "diag", "stacked-row", "dense-row", "sparse-col", "simd",
 *               "combine", "stack", "interleave", "rotations", "square",
 *               "relin");
 *   layer       the model layer it implements (-1: a representation change);
 *   out         nout outputs (LINEAR);
 *   scalars     nscalars sources;  plains  nplains x n sources (slot-major
 *               per plaintext);  biases  nbiases x n sources (row = the
 *               bias element, col unused);
 *   relin       SQUARE: relinearize after squaring;
 *   layout      representation of the outputs;
 *   counts      for one component. */
typedef struct lola_step {
    lola_step_kind_t kind;
    const char *kernel;
    int32_t layer;
    size_t n, nin, nout;
    lola_output_t *out;
    size_t nscalars, nplains, nbiases;
    lola_src_t *scalars, *plains, *biases;
    int relin;
    lola_layout_t layout;
    lola_counts_t counts;
} lola_step_t;

VEIL_EXPORT void lola_step_clear(lola_step_t *st);

/* ================================================================ kernels */
/* Each kernel compiles a step from a matrix (structure only: m->w may be
 * NULL) and the representation of its input; *st is initialised here and
 * st->layout says where the results are.  VEIL_EINVAL if the input
 * representation does not suit the kernel (named below), VEIL_ENOMEM.
 * Costs per component, r = rows, k = cols (section numbers: the paper). */

/* Dense (or interleaved) vector x row-major (4.2.2): one input message
 * holding every element at least once.  For each row j: one mul_plain with
 * row j laid out like the input, then rotate-and-add over the smallest
 * power-of-two window of slots holding the row's weights (log2 of it
 * rotations; both rows: +1 swap).  full != 0 folds over all n slots so that
 * the result is SPARSE (element j in every slot of output j); otherwise
 * output j holds element j in one slot, GARBAGE elsewhere.
 * r outputs, r mul_plain, r * log2(window) rotations. */
VEIL_EXPORT veil_status lola_kernel_dense_row(lola_step_t *st,
                                              const lola_matrix_t *m,
                                              const lola_layout_t *in,
                                              int full) VEIL_WUR;

/* Sparse vector x column-major (4.2.2): k input messages, message i holding
 * v_i in every slot the output uses (SPARSE, or SIMD-like maps).  One
 * output laid out as `target` (one message, entries row indices or ZERO):
 * y = sum_i v_i (.) column_i.  k mul_plain, no rotation. */
VEIL_EXPORT veil_status lola_kernel_sparse_col(
    lola_step_t *st, const lola_matrix_t *m, const lola_layout_t *in,
    const lola_layout_t *target) VEIL_WUR;

/* Stacked vector x row-major (4.2.2): one input message, STACKED with
 * period p >= k and c copies.  Round q multiplies by rows qc .. qc+c-1
 * concatenated (row qc+j in the block of copy j) and sums each block with
 * log2(p) rotations; row qc+j then sits at the last slot of block j.
 * ceil(r / c) outputs (INTERLEAVED with GARBAGE), as many mul_plain,
 * log2(p) rotations each. */
VEIL_EXPORT veil_status lola_kernel_stacked_row(
    lola_step_t *st, const lola_matrix_t *m, const lola_layout_t *in) VEIL_WUR;

/* Convolution vector x row-major (4.2.2): the input is a CONV layout made
 * by lola_layout_conv.  scalar != 0 (the paper): one output per map,
 * map c = sum_j w_c[j] x_j with mul_scalar (maps * window mul_scalar; the
 * input layout must place positions only, see lola_layout_conv).
 * scalar == 0: the input places (map, position) pairs, and one output
 * y = sum_j W_j (.) x_j needs window mul_plain and no rotation. */
VEIL_EXPORT veil_status lola_kernel_conv_row(lola_step_t *st,
                                             const lola_matrix_t *m,
                                             const lola_layout_t *in,
                                             int scalar) VEIL_WUR;

/* The convolution representation of the input of conv matrix m: window
 * messages, message j holding at slot s the input element that window
 * offset j of output target[s] reads (ZERO for padding and for target
 * entries that are not elements).  target is one message whose entries are
 * output rows of m (scalar == 0) or output positions oy * out.w + ox, the
 * same for every map (scalar != 0).  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_layout_conv(lola_layout_t *l,
                                         const lola_matrix_t *m,
                                         const lola_layout_t *target,
                                         int scalar) VEIL_WUR;

/* The diagonal method (Halevi-Shoup) with baby-step / giant-step and hoisted
 * rotations (our addition to the paper's kernels).  One input message in
 * any layout (copies help).  Output row j is accumulated in the slots
 * s = j mod `block` (block a power of two >= r dividing n/2):
 *     y = sum_{i in I} P_i (.) rot_i(x),
 * where I is a smallest-first greedy cover of the pairs (j, column) by the
 * offsets i in [0, block) that bring some copy of the column's element to a
 * slot of row j; I = b + B*g is then split into baby steps b (hoisted) and
 * giant steps B*g (plaintexts pre-rotated), B chosen to minimise
 * hoisted + full rotations (baby == 0: automatic).  The partial sums of the
 * blocks are then folded with log2(#blocks) rotations (+1 swap for two
 * rows), and further doublings until at least `copies` blocks hold y (at
 * most all n/block; copies 0 or 1: one).  With more than one copy the
 * output is STACKED with period `block` (for stacked-row: one round per
 * copy); otherwise y sits in one block.  Costs: |I| mul_plain,
 * (#baby - 1) hoisted + (#giant - 1) full rotations, plus the fold.  On a
 * CHUNKED input with chunk c and the same block, I = {0..c-1}. */
VEIL_EXPORT veil_status lola_kernel_diag(lola_step_t *st,
                                         const lola_matrix_t *m,
                                         const lola_layout_t *in, size_t block,
                                         size_t baby, size_t copies) VEIL_WUR;

/* SIMD matrix-vector product (CryptoNets, 3.2): k SIMD messages in, r out,
 * y_j = sum_i W[j][i] x_i + b_j with mul_scalar only (structural zeros
 * skipped).  No rotation.  Inputs may have size 3 (not relinearized). */
VEIL_EXPORT veil_status lola_kernel_simd(lola_step_t *st,
                                         const lola_matrix_t *m,
                                         const lola_layout_t *in) VEIL_WUR;

/* Combine (Table 1, "combine to one vector"): y = sum_a rot_a(mask_a (.)
 * x_a) over the nin input messages, rots[a] given, mask_a keeping exactly
 * the element slots when masked != 0 (one mul_plain per input).  The
 * element slots after rotation must not meet another input's non-zero
 * slots (VEIL_EINVAL otherwise; unmasked GARBAGE counts as non-zero).
 * Also the "interleave" step (masked != 0, kernel name "interleave"). */
VEIL_EXPORT veil_status lola_kernel_combine(lola_step_t *st,
                                            const lola_layout_t *in,
                                            const lola_rot_t *rots,
                                            int masked) VEIL_WUR;

/* Stack (Table 1, "stack vectors"): one message whose non-zero slots lie in
 * [0, period) of row 0 -> STACKED with period `period` and n / period
 * copies, by log2(n / period) rotations (the last one a row swap). */
VEIL_EXPORT veil_status lola_kernel_stack(lola_step_t *st,
                                          const lola_layout_t *in,
                                          size_t period) VEIL_WUR;

/* Rotations: output o = rot_o(x) of the one input message, all hoisted
 * (count - 1 hoisted rotations if a rotation is 0).  Used to turn a dense
 * image into the convolution representation (LoLa-Dense). */
VEIL_EXPORT veil_status lola_kernel_rotations(lola_step_t *st,
                                              const lola_layout_t *in,
                                              const lola_rot_t *rots,
                                              size_t count) VEIL_WUR;

/* Square every message (relinearizing if relin != 0).  layer is recorded. */
VEIL_EXPORT veil_status lola_kernel_square(lola_step_t *st,
                                           const lola_layout_t *in, int relin,
                                           int32_t layer) VEIL_WUR;

/* Relinearize every message. */
VEIL_EXPORT veil_status lola_kernel_relin(lola_step_t *st,
                                          const lola_layout_t *in) VEIL_WUR;

/* The Galois elements the step's rotations need (baby, giant and fold
 * rotations, deduplicated, identity left out), appended to elts[*count..]
 * when not already there; elts must have room for *count + the step's
 * rotations.  Returns the number added. */
VEIL_EXPORT size_t lola_step_galois(uint64_t *elts, size_t *count,
                                    const lola_step_t *st);

/* ---------------------------------------------------- executing a step */

/* The values a step multiplies by, for one component (one context):
 * scalars reduced mod t, plaintexts in NTT form (bfv_plaintext_ntt_t) and
 * biases as plaintexts.  Built once at server setup. */
typedef struct lola_coefs {
    const bfv_context_t *ctx;
    size_t nscalars, nplains, nbiases;
    int64_t *scalars;            /* centred residues mod t                 */
    bfv_plaintext_ntt_t *plains; /* NULL when streamed            */
    bfv_plaintext_t *biases;
    /* Streamed plaintexts (lola_coefs_init_stream): made on the fly by
     * lola_coefs_plain from the step's sources and the matrix, which the
     * caller keeps alive and unchanged while c is used. */
    int stream;
    const lola_step_t *st;
    const lola_matrix_t *m;
    int32_t *tab; /* compact convolution: rows x 3 (map, first input row
                     and column of the window), then cols x 3 (channel,
                     row, column): an entry without divisions          */
} lola_coefs_t;

/* Fill the coefficients of st for ctx from matrix m (whose weights must be
 * present when the step has matrix sources).  VEIL_EINVAL (mismatch, no
 * batching), VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_coefs_init(lola_coefs_t *c, const lola_step_t *st,
                                        const lola_matrix_t *m,
                                        const bfv_context_t *ctx) VEIL_WUR;

/* The same without precomputing the plaintexts: scalars and biases are
 * made here, every plaintext is encoded when a term uses it
 * (lola_coefs_plain, inside lola_step_exec), from st and m, which must
 * outlive c.  Memory: no plaintext kept (the NTT form of one plaintext is
 * L x n x 16 bytes); time: one batch encoding and L NTTs per term and
 * evaluation.  Errors as lola_coefs_init. */
VEIL_EXPORT veil_status lola_coefs_init_stream(
    lola_coefs_t *c, const lola_step_t *st, const lola_matrix_t *m,
    const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void lola_coefs_clear(lola_coefs_t *c);

/* Scratch for one streamed plaintext (one per thread). */
typedef struct {
    bfv_plaintext_t pt;
    bfv_plaintext_ntt_t ntt;
    int64_t *vals;
} lola_plainbuf_t;

VEIL_EXPORT veil_status lola_plainbuf_init(lola_plainbuf_t *b,
                                           const bfv_context_t *ctx) VEIL_WUR;
VEIL_EXPORT void lola_plainbuf_clear(lola_plainbuf_t *b);

/* Plaintext `idx` of c in NTT form: c->plains[idx] when precomputed,
 * otherwise encoded into b->ntt (b from lola_plainbuf_init for c->ctx).
 * VEIL_EINVAL (idx out of range, a source outside the matrix). */
VEIL_EXPORT veil_status lola_coefs_plain(const bfv_plaintext_ntt_t **out,
                                         const lola_coefs_t *c, uint32_t idx,
                                         lola_plainbuf_t *b) VEIL_WUR;

/* Run a step on one component: out[0..st->nout) from in[0..st->nin)
 * (all initialised ciphertexts of c->ctx; out must not alias in).  rk is
 * needed by SQUARE (with relin) and RELIN, gk by rotations (VEIL_ENOKEY if
 * a key is missing).  Independent outputs run in parallel (OpenMP) when
 * not already inside a parallel region. */
VEIL_EXPORT veil_status lola_step_exec(bfv_ciphertext_t *out,
                                       const lola_step_t *st,
                                       const lola_coefs_t *c,
                                       const bfv_ciphertext_t *in,
                                       const bfv_relin_key_t *rk,
                                       const bfv_galois_keys_t *gk) VEIL_WUR;

/* The same, ending at a level: out[] may belong to a context with the first
 * l of c->ctx's primes (same n, t and special primes; a LINEAR step only).
 * Each output's terms are summed in c->ctx, then switched down
 * (bfv_mod_switch), and its folds (with ogk, keys of out's context) and
 * bias run at the level: fewer primes for every fold rotation.  With out
 * in c->ctx it is lola_step_exec (ogk unused).  VEIL_EINVAL also when out's
 * context is not such a level or ogk is not of it. */
VEIL_EXPORT veil_status lola_step_exec_level(
    bfv_ciphertext_t *out, const lola_step_t *st, const lola_coefs_t *c,
    const bfv_ciphertext_t *in, const bfv_relin_key_t *rk,
    const bfv_galois_keys_t *gk, const bfv_galois_keys_t *ogk) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_LOLA_KERNELS_H */
