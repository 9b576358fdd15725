/*
 * lola.h - LoLa: low-latency private inference with BFV (papers/
 * lola-low-latency-privacy-preserving-inference.md, Brutzkus, Elisha and
 * Gilad-Bachrach, ICML 2019).  Message representations, the matrix-vector
 * kernels that move a vector from one representation to another, the
 * planner that chooses kernels and BFV parameters for a quantized network,
 * and the client / server split of an encrypted evaluation.
 * Chapter: doc/11-lola.md.
 *
 * Overview (what a program does):
 *
 *   // both sides: a plan (kernels + parameters), public
 *   lola_options_t o;  lola_spec_t spec;  lola_report_t rep;
 *   lola_options_default(&o);                      // variant "lola"
 *   lola_plan(&spec, &rep, &qmodel, &o);           // server, has weights
 *   lola_spec_serialize(&buf, &len, &spec);        // -> client
 *   lola_setup_t su;  lola_setup_init(&su, &spec);  // each side
 *
 *   // client: keys, encrypt, later decrypt
 *   lola_client_t cl;  lola_client_init(&cl, &su, &rng);
 *   //   cl.ek (relinearization + only the Galois keys the plan uses)
 *   //   is what the server needs; cl.sk never leaves the client.
 *   lola_msg_t in, out;
 *   lola_client_encrypt(&in, &cl, pixels, 1, &rng);
 *
 *   // server: holds the model, sees only ek and ciphertexts
 *   lola_server_t sv;  lola_server_init(&sv, &su, &qmodel);
 *   lola_server_eval(&out, &sv, &in, &cl.ek);
 *
 *   // client
 *   lola_client_decrypt(logits, &cl, &out);        // == nn_qmodel_eval
 *
 * Plaintext modulus.  The network is computed exactly over the integers
 * modulo T = t_0 t_1 ... t_{k-1}, a product of k plaintext primes (each
 * = 1 mod 2n, so that every BFV instance has n slots).  Each prime gets its
 * own BFV instance ("component"): same n and ciphertext modulus, its own
 * keys; the server runs the same kernels on every component with the
 * weights reduced mod t_i, and the client joins the decrypted logits by
 * CRT.  The planner picks the fewest primes with T > 2 * (largest
 * worst-case intermediate magnitude, nn_ranges_compute).
 *
 * Slots.  A message (one ciphertext of one component) holds n values of
 * Z_t seen, as in bfv.h, as a 2 x n/2 matrix; slot s (0 <= s < n) is row
 * s / (n/2), column s % (n/2).
 *
 * Conventions as in ../shared/DESIGN.md: output argument first; init / clear
 * pairs (clear safe twice and after a failed init, wipes secrets);
 * veil_status returns (VEIL_EINVAL bad argument, VEIL_EPARAM unusable
 * parameters or plan, VEIL_ENOMEM, VEIL_EFORMAT malformed bytes,
 * VEIL_ENOKEY missing Galois key, VEIL_EUNSUPPORTED a layer type the
 * kernels do not implement).  Setups, programs and servers are immutable
 * after init: threads share them.  Results never depend on the number of
 * OpenMP threads.
 */
#ifndef VEIL_LOLA_H
#define VEIL_LOLA_H

#include "veil/bfv.h"
#include "veil/nn.h"
#include <flint/fmpz.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOLA_MAX_PRIMES 8 /* most plaintext CRT primes (components)   */

/* ======================================================== slot rotations */

/* A slot permutation the Galois group gives, coded as r in [0, n):
 * shift = r % (n/2), swap = r / (n/2).  Applied to a message x it gives
 *     y[row][col] = x[row XOR swap][(col + shift) mod n/2],
 * i.e. the value in column col + shift moves to column col ("bring slot
 * s + shift to s"), then the rows are exchanged if swap.  0 is the
 * identity.  These commute, so they compose by adding shifts and XORing
 * swaps. */
typedef uint32_t lola_rot_t;

/* The code of (shift, swap) for ring degree n (shift taken mod n/2, may be
 * negative). */
lola_rot_t lola_rot(size_t n, int64_t shift, int swap);

/* a then b. */
lola_rot_t lola_rot_compose(size_t n, lola_rot_t a, lola_rot_t b);

/* The inverse permutation. */
lola_rot_t lola_rot_inverse(size_t n, lola_rot_t r);

/* The slot that y[s] is read from: y[s] = x[lola_rot_source(n, r, s)]. */
size_t lola_rot_source(size_t n, lola_rot_t r, size_t s);

/* The Galois element of r for bfv_apply_galois: 3^shift * (2n-1)^swap
 * mod 2n (equal to bfv_galois_elt_from_step(ctx, -shift), times the row
 * swap). */
uint64_t lola_rot_galois(size_t n, lola_rot_t r);

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

typedef enum {
    LOLA_DENSE = 0,
    LOLA_SPARSE = 1,
    LOLA_STACKED = 2,
    LOLA_INTERLEAVED = 3,
    LOLA_CONV = 4,
    LOLA_SIMD = 5,
    LOLA_CHUNKED = 6
} lola_rep_t;

/* "dense", "sparse", "stacked", "interleaved", "convolution", "simd",
 * "chunked" or "?". */
const char *lola_rep_name(lola_rep_t rep);

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
typedef struct {
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
veil_status lola_layout_dense(lola_layout_t *l, size_t n, size_t len,
                              size_t offset) VEIL_WUR;
veil_status lola_layout_stacked(lola_layout_t *l, size_t n, size_t len,
                                size_t period, size_t copies) VEIL_WUR;
veil_status lola_layout_interleaved(lola_layout_t *l, size_t n, size_t len,
                                    const size_t *perm) VEIL_WUR;
veil_status lola_layout_chunked(lola_layout_t *l, size_t n, size_t len,
                                size_t block, size_t chunk) VEIL_WUR;
veil_status lola_layout_sparse(lola_layout_t *l, size_t n, size_t len) VEIL_WUR;
veil_status lola_layout_simd(lola_layout_t *l, size_t n, size_t len,
                             size_t batch) VEIL_WUR;

/* An explicit layout: nct messages, all entries LOLA_ZERO, rep as given
 * (the caller fills map).  VEIL_EINVAL, VEIL_ENOMEM. */
veil_status lola_layout_init(lola_layout_t *l, lola_rep_t rep, size_t n,
                             size_t nct, size_t len) VEIL_WUR;

/* Deep copy into *dst (initialised here). */
veil_status lola_layout_copy(lola_layout_t *dst,
                             const lola_layout_t *src) VEIL_WUR;
void lola_layout_clear(lola_layout_t *l);

/* The entry of message m, slot s (implied maps included; SIMD gives the
 * element for slots < batch and LOLA_GARBAGE above). */
int32_t lola_layout_at(const lola_layout_t *l, size_t m, size_t s);

/* Slot values of a vector: slots[m * n + s] for every message, from
 * v[0..len) (SIMD: v[b * len + i] is element i of record b).  ZERO and
 * GARBAGE slots get 0.  No allocation. */
void lola_layout_encode(int64_t *slots, const lola_layout_t *l,
                        const int64_t *v);

/* Read the vector back from slot values (centred or not, as given).  Every
 * element must appear at least once (VEIL_EINVAL otherwise); with check,
 * every copy must hold the same value (VEIL_ERANGE otherwise) and every
 * ZERO slot 0.  SIMD: v[b * len + i]. */
veil_status lola_layout_decode(int64_t *v, const lola_layout_t *l,
                               const int64_t *slots, int check) VEIL_WUR;

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
} lola_matrix_t;

/* The matrix of quantized layer l (CONV2D, DENSE or AVGPOOL (sum pooling,
 * a convolution with weight 1 on its own channel)): *w is allocated here
 * (rows x cols, free with free()), m->w points to it, m->bias to l->b (NULL
 * for AVGPOOL).  VEIL_EUNSUPPORTED for other layer types, VEIL_ENOMEM. */
veil_status lola_matrix_from_layer(lola_matrix_t *m, int32_t **w,
                                   const nn_qlayer_t *l) VEIL_WUR;

/* The column read by window offset `win` of output row `row`, or -1 when
 * the window reaches into the zero padding (conv only). */
int64_t lola_matrix_window(const lola_matrix_t *m, size_t row, size_t win);

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

/* Operation counts of one step for one component (what the cost model and
 * the reports use).  A key switch is a full rotation, a hoisted rotation
 * after its decomposition, or a relinearization. */
typedef struct {
    size_t rot;        /* full rotations (giant steps, folds)             */
    size_t hoist_prep; /* hoisted decompositions                          */
    size_t hoist_rot;  /* hoisted rotations                               */
    size_t mul_plain, mul_scalar, add, add_plain;
    size_t square, relin;
} lola_counts_t;

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
typedef struct {
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

void lola_step_clear(lola_step_t *st);

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
veil_status lola_kernel_dense_row(lola_step_t *st, const lola_matrix_t *m,
                                  const lola_layout_t *in, int full) VEIL_WUR;

/* Sparse vector x column-major (4.2.2): k input messages, message i holding
 * v_i in every slot the output uses (SPARSE, or SIMD-like maps).  One
 * output laid out as `target` (one message, entries row indices or ZERO):
 * y = sum_i v_i (.) column_i.  k mul_plain, no rotation. */
veil_status lola_kernel_sparse_col(lola_step_t *st, const lola_matrix_t *m,
                                   const lola_layout_t *in,
                                   const lola_layout_t *target) VEIL_WUR;

/* Stacked vector x row-major (4.2.2): one input message, STACKED with
 * period p >= k and c copies.  Round q multiplies by rows qc .. qc+c-1
 * concatenated (row qc+j in the block of copy j) and sums each block with
 * log2(p) rotations; row qc+j then sits at the last slot of block j.
 * ceil(r / c) outputs (INTERLEAVED with GARBAGE), as many mul_plain,
 * log2(p) rotations each. */
veil_status lola_kernel_stacked_row(lola_step_t *st, const lola_matrix_t *m,
                                    const lola_layout_t *in) VEIL_WUR;

/* Convolution vector x row-major (4.2.2): the input is a CONV layout made
 * by lola_layout_conv.  scalar != 0 (the paper): one output per map,
 * map c = sum_j w_c[j] x_j with mul_scalar (maps * window mul_scalar; the
 * input layout must place positions only, see lola_layout_conv).
 * scalar == 0: the input places (map, position) pairs, and one output
 * y = sum_j W_j (.) x_j needs window mul_plain and no rotation. */
veil_status lola_kernel_conv_row(lola_step_t *st, const lola_matrix_t *m,
                                 const lola_layout_t *in, int scalar) VEIL_WUR;

/* The convolution representation of the input of conv matrix m: window
 * messages, message j holding at slot s the input element that window
 * offset j of output target[s] reads (ZERO for padding and for target
 * entries that are not elements).  target is one message whose entries are
 * output rows of m (scalar == 0) or output positions oy * out.w + ox, the
 * same for every map (scalar != 0).  VEIL_EINVAL, VEIL_ENOMEM. */
veil_status lola_layout_conv(lola_layout_t *l, const lola_matrix_t *m,
                             const lola_layout_t *target, int scalar) VEIL_WUR;

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
veil_status lola_kernel_diag(lola_step_t *st, const lola_matrix_t *m,
                             const lola_layout_t *in, size_t block, size_t baby,
                             size_t copies) VEIL_WUR;

/* SIMD matrix-vector product (CryptoNets, 3.2): k SIMD messages in, r out,
 * y_j = sum_i W[j][i] x_i + b_j with mul_scalar only (structural zeros
 * skipped).  No rotation.  Inputs may have size 3 (not relinearized). */
veil_status lola_kernel_simd(lola_step_t *st, const lola_matrix_t *m,
                             const lola_layout_t *in) VEIL_WUR;

/* Combine (Table 1, "combine to one vector"): y = sum_a rot_a(mask_a (.)
 * x_a) over the nin input messages, rots[a] given, mask_a keeping exactly
 * the element slots when masked != 0 (one mul_plain per input).  The
 * element slots after rotation must not meet another input's non-zero
 * slots (VEIL_EINVAL otherwise; unmasked GARBAGE counts as non-zero).
 * Also the "interleave" step (masked != 0, kernel name "interleave"). */
veil_status lola_kernel_combine(lola_step_t *st, const lola_layout_t *in,
                                const lola_rot_t *rots, int masked) VEIL_WUR;

/* Stack (Table 1, "stack vectors"): one message whose non-zero slots lie in
 * [0, period) of row 0 -> STACKED with period `period` and n / period
 * copies, by log2(n / period) rotations (the last one a row swap). */
veil_status lola_kernel_stack(lola_step_t *st, const lola_layout_t *in,
                              size_t period) VEIL_WUR;

/* Rotations: output o = rot_o(x) of the one input message, all hoisted
 * (count - 1 hoisted rotations if a rotation is 0).  Used to turn a dense
 * image into the convolution representation (LoLa-Dense). */
veil_status lola_kernel_rotations(lola_step_t *st, const lola_layout_t *in,
                                  const lola_rot_t *rots,
                                  size_t count) VEIL_WUR;

/* Square every message (relinearizing if relin != 0).  layer is recorded. */
veil_status lola_kernel_square(lola_step_t *st, const lola_layout_t *in,
                               int relin, int32_t layer) VEIL_WUR;

/* Relinearize every message. */
veil_status lola_kernel_relin(lola_step_t *st,
                              const lola_layout_t *in) VEIL_WUR;

/* The Galois elements the step's rotations need (baby, giant and fold
 * rotations, deduplicated, identity left out), appended to elts[*count..]
 * when not already there; elts must have room for *count + the step's
 * rotations.  Returns the number added. */
size_t lola_step_galois(uint64_t *elts, size_t *count, const lola_step_t *st);

/* ---------------------------------------------------- executing a step */

/* The values a step multiplies by, for one component (one context):
 * scalars reduced mod t, plaintexts in NTT form (bfv_plaintext_ntt_t) and
 * biases as plaintexts.  Built once at server setup. */
typedef struct {
    const bfv_context_t *ctx;
    size_t nscalars, nplains, nbiases;
    int64_t *scalars; /* centred residues mod t                 */
    bfv_plaintext_ntt_t *plains;
    bfv_plaintext_t *biases;
} lola_coefs_t;

/* Fill the coefficients of st for ctx from matrix m (whose weights must be
 * present when the step has matrix sources).  VEIL_EINVAL (mismatch, no
 * batching), VEIL_ENOMEM. */
veil_status lola_coefs_init(lola_coefs_t *c, const lola_step_t *st,
                            const lola_matrix_t *m,
                            const bfv_context_t *ctx) VEIL_WUR;
void lola_coefs_clear(lola_coefs_t *c);

/* Run a step on one component: out[0..st->nout) from in[0..st->nin)
 * (all initialised ciphertexts of c->ctx; out must not alias in).  rk is
 * needed by SQUARE (with relin) and RELIN, gk by rotations (VEIL_ENOKEY if
 * a key is missing).  Independent outputs run in parallel (OpenMP) when
 * not already inside a parallel region. */
veil_status lola_step_exec(bfv_ciphertext_t *out, const lola_step_t *st,
                           const lola_coefs_t *c, const bfv_ciphertext_t *in,
                           const bfv_relin_key_t *rk,
                           const bfv_galois_keys_t *gk) VEIL_WUR;

/* ================================================================ plans */

/* Which input representation the client sends.
 *   CONV   "lola", "lola-small": the convolution representation of the
 *          first (convolution) layer; the server never rotates to build it;
 *   DENSE  "lola-dense": the image in one message (zero-padded frame,
 *          copies for the maps); the convolution representation is made
 *          with hoisted rotations on the server;
 *   SIMD   "cryptonets": one message per pixel, up to n images per batch. */
typedef enum {
    LOLA_VARIANT_CONV = 0,
    LOLA_VARIANT_DENSE = 1,
    LOLA_VARIANT_SIMD = 2
} lola_variant_t;

/* "lola", "lola-dense", "cryptonets". */
const char *lola_variant_name(lola_variant_t v);

/* Parse "lola", "lola-small" (the same input representation as "lola", for
 * the small model), "lola-dense" or "cryptonets".  VEIL_EINVAL otherwise. */
veil_status lola_variant_parse(lola_variant_t *v, const char *name) VEIL_WUR;

/* Measured costs of the BFV operations, in microseconds per operation for
 * one component at ring degree n with the ciphertext modulus the planner
 * uses for n (bfv_params_from_budget at the security bound).  The planner
 * weighs the counts of a candidate plan with them. */
typedef struct {
    size_t n;
    double rot;        /* full rotation (key switch + automorphism)       */
    double hoist_prep; /* hoisted decomposition                           */
    double hoist_rot;  /* one rotation after a decomposition              */
    double mul_plain, mul_scalar, add, add_plain;
    double square; /* tensor product, no relinearization              */
    double relin;
} lola_costs_t;

/* The costs measured on the reference machine for ring degree n (values
 * and command in doc/11-lola.md; n between the table's entries is
 * interpolated by n log n).  VEIL_EINVAL if n is not a power of two in
 * [2^NTT_MIN_LOGN, 2^NTT_MAX_LOGN]. */
veil_status lola_costs_default(lola_costs_t *c, size_t n) VEIL_WUR;

/* Measure the costs for parameter set p (medians of `runs` repetitions;
 * a few hundred milliseconds at n = 8192).  VEIL_EPARAM, VEIL_ENOMEM. */
veil_status lola_costs_measure(lola_costs_t *c, const bfv_params_t *p,
                               int runs) VEIL_WUR;

/* Kernel choices, one per linear layer, as a string: comma-separated
 * `kernel[:option]` items in layer order, e.g.
 *   "conv-plain,diag,stacked"     (the planner's choice for "lola")
 *   "conv-scalar,stacked,interleaved"  (Table 1 of the paper; alias "paper")
 * Kernels: conv-plain, conv-scalar (convolution layers of CONV / DENSE
 * variants), diag, stacked, dense-row (= interleaved), simd.  Options:
 * diag:B (block size), diag:B:c (block, chunk of a CHUNKED input). */
#define LOLA_KERNELS_MAX 128

/* Planner options.  Defaults (lola_options_default): variant CONV,
 * automatic kernels, n and primes, 128-bit security, margin 10 bits. */
typedef struct {
    lola_variant_t variant;
    const char *kernels; /* NULL or "": automatic; else forced (above)  */
    size_t n;            /* 0: automatic; else this ring degree         */
    size_t primes;       /* 0: automatic; else this many plaintext primes */
    unsigned margin;     /* bits the predicted budget must keep at the end */
    bfv_security_t security;
    int allow_insecure;        /* tests: accept any n (no security check)     */
    size_t batch;              /* SIMD: records per message (0: n)            */
    const lola_costs_t *costs; /* NULL: lola_costs_default per n    */
} lola_options_t;

void lola_options_default(lola_options_t *o);

/* What both sides need to build the same program: plain data (copy it
 * freely), no weights, no keys.
 *   layers   the model's layer structure (types, shapes, windows);
 *   kernels  the kernel choice string, canonical form;
 *   in_exp, in_max  input quantization (nn_qmodel_t);
 *   batch    SIMD records per batch (1 otherwise);
 *   params   one BFV parameter set per plaintext prime, equal but for t. */
typedef struct {
    lola_variant_t variant;
    char kernels[LOLA_KERNELS_MAX];
    nn_shape_t in;
    int32_t in_exp;
    int64_t in_max;
    uint32_t nlayers;
    struct {
        nn_layer_type_t type;
        nn_shape_t in, out;
        uint32_t k, stride, pad;
    } layers[NN_MAX_LAYERS];
    size_t batch;
    size_t nprimes;
    bfv_params_t params[LOLA_MAX_PRIMES];
} lola_spec_t;

/* Per-step line of a plan report, for one component (multiply by nprimes
 * for the whole evaluation). */
typedef struct {
    const char *kernel;
    int32_t layer;
    lola_rep_t rep; /* representation of the step's output       */
    size_t nout;
    lola_counts_t counts;
    double cost_us; /* predicted time, from the costs            */
    double budget;  /* predicted noise budget after it (bits)    */
} lola_report_step_t;

#define LOLA_REPORT_STEPS 64
#define LOLA_REPORT_ROTS 256

/* The planner's account of a plan: the value bound, the primes, n, log q,
 * the steps with predicted budgets, the Galois keys, the predicted time. */
typedef struct {
    uint32_t bound_bits; /* bits of 2 * max |intermediate|            */
    size_t nprimes;
    uint64_t primes[LOLA_MAX_PRIMES];
    size_t n;
    unsigned log_q, log_qp;
    double fresh_budget; /* predicted budget of a fresh encryption   */
    size_t nsteps;
    lola_report_step_t steps[LOLA_REPORT_STEPS];
    size_t ngalois; /* Galois keys per component                 */
    lola_rot_t rots[LOLA_REPORT_ROTS]; /* their slot moves, sorted  */
    /* (the first LOLA_REPORT_ROTS)           */
    size_t input_messages, output_messages;
    double cost_us;    /* predicted server time, all components,    */
                       /* one thread                                */
    size_t candidates; /* kernel/parameter combinations considered  */
} lola_report_t;

/* Plan an encrypted evaluation of q: choose the kernels (least predicted
 * cost over every combination the variant allows, or opt->kernels), the
 * plaintext primes (fewest with product > 2 * nn_ranges maxabs) and the
 * smallest n with its 128-bit ciphertext modulus whose predicted noise
 * budget stays above opt->margin after the last step; fills *spec and,
 * if rep != NULL, *rep.  VEIL_EINVAL (bad options, unknown kernel names or
 * not one kernel per linear layer), VEIL_EUNSUPPORTED (a layer the kernels
 * cannot do: only conv2d, dense, avgpool and square are supported),
 * VEIL_EPARAM (no plan: the forced kernels cannot be laid out (e.g. no
 * convolution first for the CONV and DENSE variants), or no parameters up
 * to n = 32768 and LOLA_MAX_PRIMES primes survive), VEIL_ENOMEM. */
veil_status lola_plan(lola_spec_t *spec, lola_report_t *rep,
                      const nn_qmodel_t *q, const lola_options_t *opt) VEIL_WUR;

/* The report of an existing spec (e.g. a forced one) for model q. */
veil_status lola_predict(lola_report_t *rep, const lola_spec_t *spec,
                         const nn_qmodel_t *q,
                         const lola_costs_t *costs) VEIL_WUR;

/* The plan as text (several lines: parameters, per-step table with
 * rotations, multiplications, predicted budget and time; Galois keys).
 * measured[i] (NULL, or one entry per step, -1 for none) adds a column of
 * measured budgets.  Always NUL-terminates when len > 0 (truncating). */
void lola_report_format(char *buf, size_t len, const lola_report_t *rep,
                        const lola_spec_t *spec, const int *measured);

/* A spec as bytes (little-endian, versioned, see doc/11-lola.md) and back.
 * serialize: *buf from malloc (free with free()).  parse: validates
 * everything (magic, version, lengths, enum values, shapes, parameter sets
 * via bfv_params_check); VEIL_EFORMAT on any violation. */
veil_status lola_spec_serialize(uint8_t **buf, size_t *len,
                                const lola_spec_t *spec) VEIL_WUR;
veil_status lola_spec_parse(lola_spec_t *spec, const uint8_t *buf,
                            size_t len) VEIL_WUR;

/* ================================================================= setup */

/* Everything derived from a spec that both sides share: one BFV context
 * per plaintext prime, the compiled program (steps with their layouts),
 * the representation the client encrypts and the one it decrypts, and the
 * Galois elements the program uses.  Immutable after init.  In one process
 * client and server may share one setup (their ciphertexts then share
 * contexts); in two processes each side builds its own from the spec. */
typedef struct {
    lola_spec_t spec;
    size_t ncomp;
    bfv_context_t ctx[LOLA_MAX_PRIMES];
    size_t nsteps;
    lola_step_t *steps;
    lola_layout_t input;         /* what the client encrypts                  */
    const lola_layout_t *output; /* = &steps[nsteps - 1].layout       */
    size_t ngalois;
    uint64_t *galois; /* sorted Galois elements                    */
} lola_setup_t;

/* Build the setup.  VEIL_EPARAM (parameter set refused, see
 * bfv_params_check), VEIL_EINVAL (inconsistent spec), VEIL_ENOMEM. */
veil_status lola_setup_init(lola_setup_t *su, const lola_spec_t *spec) VEIL_WUR;
void lola_setup_clear(lola_setup_t *su);

/* A set of messages: nct ciphertexts per component,
 * ct[comp * nct + i] in context su->ctx[comp]. */
typedef struct {
    size_t ncomp, nct;
    bfv_ciphertext_t *ct;
} lola_msg_t;

veil_status lola_msg_init(lola_msg_t *m, const lola_setup_t *su,
                          size_t nct) VEIL_WUR;
void lola_msg_clear(lola_msg_t *m);

/* The keys a server evaluates with: per component a relinearization key and
 * Galois keys for exactly su->galois. */
typedef struct {
    size_t ncomp;
    bfv_relin_key_t rk[LOLA_MAX_PRIMES];
    bfv_galois_keys_t gk[LOLA_MAX_PRIMES];
} lola_evalkeys_t;

/* Empty keys for su's contexts (to deserialize into).  VEIL_ENOMEM. */
veil_status lola_evalkeys_init(lola_evalkeys_t *ek,
                               const lola_setup_t *su) VEIL_WUR;
void lola_evalkeys_clear(lola_evalkeys_t *ek);

/* ================================================================ client */

typedef struct {
    const lola_setup_t *su;
    bfv_secret_key_t sk[LOLA_MAX_PRIMES];
    bfv_public_key_t pk[LOLA_MAX_PRIMES];
    lola_evalkeys_t ek; /* send to the server                        */
} lola_client_t;

/* Generate all keys from rng: per component secret, public, relinearization
 * and the Galois keys of su->galois only.  VEIL_ENOMEM, VEIL_EINVAL. */
veil_status lola_client_init(lola_client_t *c, const lola_setup_t *su,
                             veil_rng_t *rng) VEIL_WUR;
void lola_client_clear(lola_client_t *c);

/* Quantize `records` images (pixels[b * size(in) + i], 0..255; records = 1
 * except for SIMD, where 1 <= records <= spec.batch), lay them out as
 * su->input and encrypt with the secret key (bfv_encrypt_symmetric: less
 * noise, which the planner counts on, and seeded ciphertexts that travel at
 * half size): *m is initialised here with su->input.nct messages per
 * component.  VEIL_EINVAL, VEIL_ENOMEM, VEIL_ERANGE (a value not in
 * int64). */
veil_status lola_client_encrypt(lola_msg_t *m, const lola_client_t *c,
                                const uint8_t *pixels, size_t records,
                                veil_rng_t *rng) VEIL_WUR;

/* The same from quantized inputs x[b * size(in) + i] (any integers; the
 * exact evaluator's v[0]). */
veil_status lola_client_encrypt_values(lola_msg_t *m, const lola_client_t *c,
                                       const int64_t *x, size_t records,
                                       veil_rng_t *rng) VEIL_WUR;

/* Decrypt the server's answer and join the components by CRT:
 * logits[b * classes + j] (fmpz vector of records * classes entries,
 * classes = the last layer's size), each the centred residue mod T, equal
 * to the exact evaluator's output when the plan's bound holds.  Checks that
 * all copies of each logit agree (VEIL_ERANGE otherwise: noise overflow).
 * VEIL_EINVAL (message shape), VEIL_ENOMEM. */
veil_status lola_client_decrypt(fmpz *logits, const lola_client_t *c,
                                const lola_msg_t *m, size_t records) VEIL_WUR;

/* Diagnostics with the secret key: the smallest exact noise budget (bits,
 * bfv_noise_budget) over all messages and components of m. */
veil_status lola_client_budget(int *bits, const lola_client_t *c,
                               const lola_msg_t *m) VEIL_WUR;

/* ================================================================ server */

typedef struct {
    const lola_setup_t *su;
    lola_coefs_t *coefs; /* ncomp x nsteps                           */
} lola_server_t;

/* Prepare the weights of q (which must have the spec's layer structure,
 * VEIL_EINVAL otherwise) for every step and component: scalars mod t_i,
 * NTT-form plaintexts.  VEIL_ENOMEM. */
veil_status lola_server_init(lola_server_t *s, const lola_setup_t *su,
                             const nn_qmodel_t *q) VEIL_WUR;
void lola_server_clear(lola_server_t *s);

/* Called after each step with the step index and its outputs (for
 * diagnostics such as measured noise budgets); a non-zero return stops the
 * evaluation with VEIL_EINVAL. */
typedef int (*lola_trace_fn)(void *arg, size_t step, const lola_msg_t *msg);

/* Evaluate the network on the client's messages: *out is initialised here
 * (the output representation su->output).  Components run in parallel
 * (OpenMP).  VEIL_EINVAL (message shape), VEIL_ENOKEY (missing Galois
 * key), VEIL_ENOMEM.  eval_trace calls trace(arg, i, outputs of step i). */
veil_status lola_server_eval(lola_msg_t *out, const lola_server_t *s,
                             const lola_msg_t *in,
                             const lola_evalkeys_t *ek) VEIL_WUR;
veil_status lola_server_eval_trace(lola_msg_t *out, const lola_server_t *s,
                                   const lola_msg_t *in,
                                   const lola_evalkeys_t *ek,
                                   lola_trace_fn trace, void *arg) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_LOLA_H */
