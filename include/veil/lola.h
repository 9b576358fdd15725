/*
 * lola.h - LoLa: low-latency private inference with BFV (papers/
 * lola-low-latency-privacy-preserving-inference.md, Brutzkus, Elisha and
 * Gilad-Bachrach, ICML 2019).  Message representations, the matrix-vector
 * kernels that move a vector from one representation to another, the
 * planner that chooses kernels and BFV parameters for a quantized network,
 * and the client / server split of an encrypted evaluation.
 * Chapter: doc/11-lola.md.
 *
 * This header is what a program calls; the representations, matrices,
 * compiled steps and kernels underneath are in lola_kernels.h (for kernel
 * authors and tests).
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
 * Conventions as in doc/DESIGN.md: output argument first; init / clear
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

#define LOLA_MAX_PRIMES 8 /* most plaintext CRT primes (components) */

/* Defined in lola_kernels.h. */
struct lola_step;
struct lola_layout;
struct lola_coefs;
struct lola_weights;

/* ============================================ shared with the kernels */
/* The plan report names representations, slot rotations and operation
 * counts; their meaning is in lola_kernels.h. */

/* A slot permutation of the Galois group (a cyclic shift of both slot
 * rows, then optionally a row swap), coded as r in [0, n); lola_kernels.h
 * says how it acts and composes. */
typedef uint32_t lola_rot_t;

/* Message representations (paper section 4.2.1; lola_kernels.h). */
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
VEIL_EXPORT const char *lola_rep_name(lola_rep_t rep);

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
VEIL_EXPORT const char *lola_variant_name(lola_variant_t v);

/* Parse "lola", "lola-small" (the same input representation as "lola", for
 * the small model), "lola-dense" or "cryptonets".  VEIL_EINVAL otherwise. */
VEIL_EXPORT veil_status lola_variant_parse(lola_variant_t *v,
                                           const char *name) VEIL_WUR;

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
VEIL_EXPORT veil_status lola_costs_default(lola_costs_t *c, size_t n) VEIL_WUR;

/* Measure the costs for parameter set p (medians of `runs` repetitions;
 * a few hundred milliseconds at n = 8192).  VEIL_EPARAM, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_costs_measure(lola_costs_t *c,
                                           const bfv_params_t *p,
                                           int runs) VEIL_WUR;

/* Kernel choices, one per linear layer, as a string: comma-separated
 * `kernel[:option]` items in layer order, e.g.
 *   "conv-plain,diag,stacked"     (the planner's choice for "lola")
 *   "conv-scalar,stacked,interleaved"  (Table 1 of the paper; alias "paper")
 * Kernels: conv-plain, conv-scalar (convolution layers of CONV / DENSE
 * variants), diag, stacked, dense-row (= interleaved), simd.  Options:
 * diag:B (block size), diag:B:c (block, chunk of a CHUNKED input). */
#define LOLA_KERNELS_MAX 128

/* What the planner minimizes (`--optimize latency|bytes` in the apps).
 *   LATENCY  the predicted server time (the cost model above);
 *   BYTES    the bytes on the wire per query, keys amortized:
 *            keys / queries + query + answer (lola_bytes_t), each
 *            predicted from the candidate's parameters and message counts
 *            (keys once for all components, seeded query ciphertexts, the
 *            answer switched and compressed as lola_server_answer does);
 *            ties go to the lower predicted time.  With variant CONV the
 *            planner also considers the DENSE input (one message per
 *            prime instead of one per kernel offset): the spec then says
 *            LOLA_VARIANT_DENSE.  Correctness (the bound on T), the margin
 *            and the security level are constraints under both. */
typedef enum { LOLA_OPT_LATENCY = 0, LOLA_OPT_BYTES = 1 } lola_objective_t;

/* "latency", "bytes". */
VEIL_EXPORT const char *lola_objective_name(lola_objective_t o);

/* Parse "latency" or "bytes".  VEIL_EINVAL otherwise. */
VEIL_EXPORT veil_status lola_objective_parse(lola_objective_t *o,
                                             const char *name) VEIL_WUR;

/* Planner options.  Defaults (lola_options_default): variant CONV,
 * automatic kernels, n and primes, 128-bit security, margin 10 bits,
 * objective LATENCY, keys amortized over 1 query, no levels. */
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
    lola_objective_t optimize; /* LATENCY (default) or BYTES            */
    size_t queries; /* BYTES: queries per key upload (0 = 1)        */
    int levels;     /* LATENCY: the server evaluates at levels
                     * (lola_server_init_levels): the winning kernels'
                     * primes are ranked by the cost at those levels */
    int answer;     /* LATENCY: the server answers privately
                     * (lola_server_answer): each output message's
                     * answer counts, about three key switches */
} lola_options_t;

VEIL_EXPORT void lola_options_default(lola_options_t *o);

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
    /* the server's: the budget the plan keeps after its last step
     * (lola_options_t.margin), which evaluation at levels keeps too
     * (lola_server_init_levels).  Not on the wire: a parsed spec has 0,
     * and levels then keep the unswitched prediction less one bit. */
    unsigned margin;
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
    /* at levels (lola_server_init_levels): the ciphertext primes each
     * step runs at, the predicted budget after the last step and the
     * predicted server time (all components, one thread) */
    uint8_t limbs[LOLA_REPORT_STEPS];
    double budget_levels, cost_levels_us;
    /* bytes on the wire (lola_bytes_predict; lola_plan only) */
    size_t bytes_keys, bytes_query, bytes_answer;
    /* answers ring-switched to n/2 (lola_setup_t.ringsw of this plan) */
    int answer_ringsw;
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
VEIL_EXPORT veil_status lola_plan(lola_spec_t *spec, lola_report_t *rep,
                                  const nn_qmodel_t *q,
                                  const lola_options_t *opt) VEIL_WUR;

/* The report of an existing spec (e.g. a forced one) for model q.  The
 * bytes fields are left 0 (lola_plan fills them with lola_bytes_predict on
 * a setup of the chosen spec; a caller with a setup can do the same). */
VEIL_EXPORT veil_status lola_predict(lola_report_t *rep,
                                     const lola_spec_t *spec,
                                     const nn_qmodel_t *q,
                                     const lola_costs_t *costs) VEIL_WUR;

/* The plan as text (several lines: parameters, per-step table with
 * rotations, multiplications, predicted budget and time; Galois keys).
 * measured[i] (NULL, or one entry per step, -1 for none) adds a column of
 * measured budgets.  Always NUL-terminates when len > 0 (truncating). */
VEIL_EXPORT void lola_report_format(char *buf, size_t len,
                                    const lola_report_t *rep,
                                    const lola_spec_t *spec,
                                    const int *measured);

/* A spec as bytes (little-endian, versioned, see doc/11-lola.md) and back.
 * serialize: *buf from malloc (free with free()).  parse: validates
 * everything (magic, version, lengths, enum values, shapes, parameter sets
 * via bfv_params_check); VEIL_EFORMAT on any violation, also when the
 * bytes set allow_insecure: a spec from a peer always meets its security
 * level.  parse_insecure: for a local caller that accepts toy parameters
 * (tests), honours the flag. */
VEIL_EXPORT veil_status lola_spec_serialize(uint8_t **buf, size_t *len,
                                            const lola_spec_t *spec) VEIL_WUR;
VEIL_EXPORT veil_status lola_spec_parse(lola_spec_t *spec, const uint8_t *buf,
                                        size_t len) VEIL_WUR;
VEIL_EXPORT veil_status lola_spec_parse_insecure(lola_spec_t *spec,
                                                 const uint8_t *buf,
                                                 size_t len) VEIL_WUR;

/* ================================================================= setup */

/* Everything derived from a spec that both sides share: one BFV context
 * per plaintext prime, the compiled program (steps with their layouts,
 * lola_kernels.h), the representation the client encrypts and the one it
 * decrypts, and the Galois elements the program uses.  Immutable after
 * init.  In one process client and server may share one setup (their
 * ciphertexts then share contexts); in two processes each side builds its
 * own from the spec.  A program needs only the sizes in_nct, out_nct and
 * classes; steps, input and output are for kernel code (lola_kernels.h). */
typedef struct {
    lola_spec_t spec;
    size_t ncomp;
    bfv_context_t ctx[LOLA_MAX_PRIMES];
    size_t in_nct;  /* messages per component the client sends         */
    size_t out_nct; /* messages per component of the server's answer   */
    size_t classes; /* logits per record (the last layer's size)       */
    size_t nsteps;
    struct lola_step *steps;
    struct lola_layout *input;        /* what the client encrypts    */
    const struct lola_layout *output; /* = &steps[nsteps - 1].layout */
    size_t ngalois;
    uint64_t *galois; /* sorted Galois elements                    */
    /* Answers ring-switched to dimension n/2 (lola_server_answer, step
     * 4): 1 when no output slot's partner (bfv_ringsw_partner_slot) is an
     * output or GARBAGE slot of its message (lola_layout_ringsw) and the
     * subring set (bfv_ringsw_params) passes its security check; sub[c]
     * is then component c's subring context (NULL otherwise). */
    int ringsw;
    bfv_context_t *sub;
} lola_setup_t;

/* Build the setup.  VEIL_EPARAM (parameter set refused, see
 * bfv_params_check), VEIL_EINVAL (inconsistent spec), VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_setup_init(lola_setup_t *su,
                                        const lola_spec_t *spec) VEIL_WUR;
VEIL_EXPORT void lola_setup_clear(lola_setup_t *su);

/* Bytes on the wire of a plan, as lola_wire.h's serializers write them:
 *   keys    lola_evalkeys_bytes (one key set for all components);
 *   query   lola_msg_serialize of the client's seeded input (in_nct
 *           ciphertexts per component, each one polynomial and a seed);
 *   answer  lola_answer_serialize of lola_server_answer's output with the
 *           default options (mask, re-randomize, flood LOLA_FLOOD_BITS,
 *           switch and compress) when the predicted budget `budget` of the
 *           last step allows the flood; otherwise (a plan without the
 *           answer margin, apps' --raw-answer) lola_msg_serialize of the
 *           unswitched output messages.
 * Exact for the sizes the serializers write (test/lola/plan_bytes.c). */
typedef struct {
    size_t keys, query, answer;
} lola_bytes_t;

/* The bytes of setup su when its last step is predicted to keep `budget`
 * bits (lola_report_t.steps[nsteps - 1].budget).  Reads su->ncomp, ctx,
 * in_nct, out_nct and ngalois only (lola_plan passes contexts and the
 * report's counts without compiling the program again).  VEIL_EINVAL,
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_bytes_predict(lola_bytes_t *b,
                                           const lola_setup_t *su,
                                           double budget) VEIL_WUR;

/* A set of messages: nct ciphertexts per component,
 * ct[comp * nct + i] in context su->ctx[comp]. */
typedef struct {
    size_t ncomp, nct;
    bfv_ciphertext_t *ct;
} lola_msg_t;

VEIL_EXPORT veil_status lola_msg_init(lola_msg_t *m, const lola_setup_t *su,
                                      size_t nct) VEIL_WUR;
VEIL_EXPORT void lola_msg_clear(lola_msg_t *m);

/* The keys a server evaluates with: per component a relinearization key,
 * Galois keys for exactly su->galois, and the public key (the server
 * re-randomizes its answer with a fresh encryption of zero,
 * lola_server_answer). */
typedef struct {
    size_t ncomp;
    bfv_relin_key_t rk[LOLA_MAX_PRIMES];
    bfv_galois_keys_t gk[LOLA_MAX_PRIMES];
    bfv_public_key_t pk[LOLA_MAX_PRIMES];
    /* when su->ringsw: the key switching s to s'(X^2) of component 0's
     * context (bfv_ringsw_key_t; it does not depend on t: one key serves
     * every component); data == NULL otherwise */
    bfv_ringsw_key_t rsw;
    int shared; /* components c > 0 are views of component 0's keys   */
    /* the keys restricted to the levels of a server that evaluates at
     * fewer primes (lola_server_init_levels), derived by its first
     * evaluation with this set and freed by lola_evalkeys_clear */
    struct lola_ek_levels *levels;
} lola_evalkeys_t;

/* Empty keys for su's contexts (to deserialize into).  VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_evalkeys_init(lola_evalkeys_t *ek,
                                           const lola_setup_t *su) VEIL_WUR;

/* Make the keys of components 1..ncomp-1 views of component 0's (their
 * own are freed): same key data, each view bound to its own context.
 * Key-switching, relinearization and public keys depend on the secret s,
 * n and the ciphertext modulus Q P only, never on the plaintext prime t,
 * and the components of a setup differ only in t (lola_setup_init checks
 * it): one secret key and one set of evaluation keys serve every
 * component (doc/11-lola.md, section 10).  Component 0's keys must be
 * complete.  Memory: 1/ncomp of separate keys.  VEIL_EINVAL. */
VEIL_EXPORT veil_status lola_evalkeys_share(lola_evalkeys_t *ek,
                                            const lola_setup_t *su) VEIL_WUR;
VEIL_EXPORT void lola_evalkeys_clear(lola_evalkeys_t *ek);

/* ================================================================ client */

typedef struct {
    const lola_setup_t *su;
    bfv_secret_key_t sk[LOLA_MAX_PRIMES];
    bfv_public_key_t pk[LOLA_MAX_PRIMES];
    /* the subring secret s' (su->ringsw), one per component's subring
     * context, the same coefficients */
    bfv_secret_key_t ssk[LOLA_MAX_PRIMES];
    lola_evalkeys_t ek; /* send to the server                        */
} lola_client_t;

/* Generate all keys from rng: one secret key, its public and
 * relinearization keys and the Galois keys of su->galois only, shared by
 * every component (sk[c], pk[c] are copies for su->ctx[c]; c.ek views,
 * lola_evalkeys_share).  VEIL_ENOMEM, VEIL_EINVAL. */
VEIL_EXPORT veil_status lola_client_init(lola_client_t *c,
                                         const lola_setup_t *su,
                                         veil_rng_t *rng) VEIL_WUR;
VEIL_EXPORT void lola_client_clear(lola_client_t *c);

/* Quantize `records` images (pixels[b * size(in) + i], 0..255; records = 1
 * except for SIMD, where 1 <= records <= spec.batch), lay them out as
 * su->input and encrypt with the secret key (bfv_encrypt_symmetric: less
 * noise, which the planner counts on, and seeded ciphertexts that travel at
 * half size): *m is initialised here with su->input.nct messages per
 * component.  VEIL_EINVAL, VEIL_ENOMEM, VEIL_ERANGE (a value not in
 * int64). */
VEIL_EXPORT veil_status lola_client_encrypt(lola_msg_t *m,
                                            const lola_client_t *c,
                                            const uint8_t *pixels,
                                            size_t records,
                                            veil_rng_t *rng) VEIL_WUR;

/* The same from quantized inputs x[b * size(in) + i] (any integers; the
 * exact evaluator's v[0]). */
VEIL_EXPORT veil_status lola_client_encrypt_values(lola_msg_t *m,
                                                   const lola_client_t *c,
                                                   const int64_t *x,
                                                   size_t records,
                                                   veil_rng_t *rng) VEIL_WUR;

/* Decrypt the server's answer and join the components by CRT:
 * logits[b * classes + j] (fmpz vector of records * classes entries,
 * classes = the last layer's size), each the centred residue mod T, equal
 * to the exact evaluator's output when the plan's bound holds.  Checks that
 * all copies of each logit agree (VEIL_ERANGE otherwise: noise overflow).
 * Measures each ciphertext's exact noise budget with the secret key
 * (bfv_noise_budget) and refuses one without budget left, which may have
 * decrypted wrongly: VEIL_ENOISE.  VEIL_EINVAL (message shape),
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_client_decrypt(fmpz *logits,
                                            const lola_client_t *c,
                                            const lola_msg_t *m,
                                            size_t records) VEIL_WUR;

/* Diagnostics with the secret key: the smallest exact noise budget (bits,
 * bfv_noise_budget) over all messages and components of m. */
VEIL_EXPORT veil_status lola_client_budget(int *bits, const lola_client_t *c,
                                           const lola_msg_t *m) VEIL_WUR;

/* ================================================================ server */

typedef struct {
    const lola_setup_t *su;
    struct lola_coefs *coefs; /* ncomp x nsteps                           */
    double budget;      /* predicted budget of the last step's outputs (bits,
                           lola_predict), sizes the answer's flooding      */
    size_t plain_bytes; /* NTT plaintexts kept, all components (bytes)  */
    size_t streamed;    /* steps whose plaintexts are encoded per query */
    struct lola_weights *weights; /* the model's weights, kept          */
    uint8_t *limbs; /* ciphertext primes each step runs at (NULL: all)  */
    struct lola_levels *levels; /* contexts of the smaller levels       */
} lola_server_t;

/* Default memory budget for precomputed NTT plaintexts (bytes, all
 * components): 512 MiB.  MNIST's plans need 50 MB (lola), 22 MB
 * (lola-small), 258 MB (lola-dense), 0 (cryptonets); the CIFAR-10 network
 * of doc/11-lola.md section 10 would need 15 GB. */
#define LOLA_PLAIN_BUDGET ((size_t)512 << 20)

/* Prepare the weights of q (which must have the spec's layer structure,
 * VEIL_EINVAL otherwise) for every step and component: scalars mod t_i,
 * biases, and NTT-form plaintexts for as many steps as fit in `budget`
 * bytes: when all of them do not, the steps with the most plaintext bytes
 * are streamed (lola_coefs_init_stream: each plaintext encoded when used,
 * in a per-thread buffer) until the rest fits.  The weights are copied
 * (convolutions compactly): q may be freed afterwards.  init uses
 * LOLA_PLAIN_BUDGET; budget 0 streams every step with plaintexts,
 * SIZE_MAX precomputes everything.  Results do not depend on the choice.
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_server_init(lola_server_t *s,
                                         const lola_setup_t *su,
                                         const nn_qmodel_t *q) VEIL_WUR;
VEIL_EXPORT veil_status lola_server_init_budget(lola_server_t *s,
                                                const lola_setup_t *su,
                                                const nn_qmodel_t *q,
                                                size_t budget) VEIL_WUR;
/* As lola_server_init_budget, evaluating at fewer ciphertext primes
 * where the plan's noise allows (levels != 0): between steps the messages
 * are switched down (bfv_mod_switch), step by step, to the fewest primes
 * that keep the predicted final budget at the plan's margin
 * (su->spec.margin; within one bit of the full-modulus evaluation's when
 * that is less, or the margin is 0) (s->budget is that prediction), so
 * that later key switches, squares and
 * the answer cost less; the Galois, relinearization and public keys are
 * restricted to those primes (the same keys: lola/levels.c), once per key
 * set.  The evaluation's output messages are then ciphertexts of smaller
 * contexts than su->ctx: lola_server_answer, lola_client_decrypt and
 * lola_client_budget take them, lola_msg_serialize does not (a raw answer
 * needs levels == 0).  levels == 0 is lola_server_init_budget. */
VEIL_EXPORT veil_status lola_server_init_levels(lola_server_t *s,
                                                const lola_setup_t *su,
                                                const nn_qmodel_t *q,
                                                size_t budget,
                                                int levels) VEIL_WUR;
/* The key set's keys for the levels of s (lola_server_init_levels; a
 * no-op for a server without levels), derived now rather than by the
 * first evaluation with ek: restricted copies of the full keys (85 MB for
 * MNIST lola), kept in ek until lola_evalkeys_clear.  A server calls it
 * when a client's keys arrive.  VEIL_EINVAL (keys of another setup),
 * VEIL_ENOKEY, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_server_prepare_keys(
    const lola_server_t *s, const lola_evalkeys_t *ek) VEIL_WUR;
VEIL_EXPORT void lola_server_clear(lola_server_t *s);

/* Called after each step with the step index and its outputs (for
 * diagnostics such as measured noise budgets); a non-zero return stops the
 * evaluation with VEIL_EINVAL. */
typedef int (*lola_trace_fn)(void *arg, size_t step, const lola_msg_t *msg);

/* Evaluate the network on the client's messages: *out is initialised here
 * (the output representation su->output).  Components run in parallel
 * (OpenMP).  VEIL_EINVAL (message shape), VEIL_ENOKEY (missing Galois
 * key), VEIL_ENOMEM.  eval_trace calls trace(arg, i, outputs of step i). */
VEIL_EXPORT veil_status lola_server_eval(lola_msg_t *out,
                                         const lola_server_t *s,
                                         const lola_msg_t *in,
                                         const lola_evalkeys_t *ek) VEIL_WUR;
VEIL_EXPORT veil_status lola_server_eval_trace(
    lola_msg_t *out, const lola_server_t *s, const lola_msg_t *in,
    const lola_evalkeys_t *ek, lola_trace_fn trace, void *arg) VEIL_WUR;

/* ================================================================ answers */

/* The answer (issue 12 point 7; doc/11-lola.md, "Threat model"): what the
 * server sends back instead of its last step's messages.  For every
 * output message of every component, lola_server_answer
 *   1. masks: adds a plaintext uniform in every slot that is not an output
 *      slot of the layout (ZERO and GARBAGE slots: partial sums, copies
 *      the kernels leave behind), 0 in the output slots;
 *   2. re-randomizes and floods (bfv_rerandomize): + Enc_pk(0), and c_0 +=
 *      F uniform in [-2^f, 2^f), f = bfv_flood_bits(predicted budget,
 *      lambda): the noise, which depends on the weights, is then within
 *      statistical distance 2^-lambda of F alone;
 *   3. switches to the fewest limbs that still decrypt
 *      (bfv_mod_switch_limbs on the budget left after flooding, keeping 1
 *      bit): about 1/L of the bytes; with one limb, compresses to two
 *      powers of two (bfv_ms_compress);
 *   4. when su->ringsw (and o->ringsw), instead of compressing in R:
 *      ring-switches the one-limb ciphertext to dimension n/2 with the
 *      client's key ek->rsw (bfv_ring_switch) and compresses it there
 *      (bfv_ringsw_compress_bits): half the coefficients.  The partners
 *      of the output slots are ZERO slots and are left unmasked (they hold
 *      0), so every output slot decodes exactly (doc/11-lola.md, 7.1).
 *      All components or none: a->ringsw says which.
 * The flooding needs lambda + log2(n) + 4 bits of predicted budget beyond
 * the plan's own margin: plan with margin >= LOLA_ANSWER_MARGIN(lambda).
 * a->ct[comp * nct + i], nct = su->output->nct. */
#define LOLA_FLOOD_BITS 40 /* statistical security of the flooding */
#define LOLA_ANSWER_MARGIN(lambda) ((lambda) > 0 ? (lambda) + 22 : 10)

typedef struct {
    size_t ncomp, nct;
    int ringsw; /* ct[comp * nct + i] of su->sub[comp] (ring-switched)  */
    bfv_ms_ciphertext_t *ct;
} lola_answer_t;

/* Which steps to run (all by default; tests turn single ones off to show
 * what each one hides).  lambda: flooding bits of statistical security
 * (LOLA_FLOOD_BITS; 0: no flooding). */
typedef struct {
    int mask, rerandomize, switch_limbs;
    unsigned lambda;
    int ringsw; /* ring-switch when su->ringsw and the budget allows (1) */
} lola_answer_opts_t;

VEIL_EXPORT void lola_answer_opts_default(lola_answer_opts_t *o);
VEIL_EXPORT void lola_answer_clear(lola_answer_t *a);

/* The server's last step: *a (initialised here) from the evaluation's
 * output `out` (lola_server_eval) with the client's public keys ek->pk.
 * Draws the masks, encryptions of zero and floods from rng.  VEIL_EINVAL
 * (shapes, contexts, lambda > 256), VEIL_ENOISE (the predicted budget
 * s->budget cannot absorb the flood: plan with a larger margin),
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_server_answer(lola_answer_t *a,
                                           const lola_server_t *s,
                                           const lola_msg_t *out,
                                           const lola_evalkeys_t *ek,
                                           const lola_answer_opts_t *o,
                                           veil_rng_t *rng) VEIL_WUR;

/* The client's decryption of an answer: as lola_client_decrypt, reading
 * only the output slots (the others are masked), at the answer's reduced
 * modulus; VEIL_ENOISE for a ciphertext whose exact budget
 * (bfv_noise_budget_ms) is 0. */
VEIL_EXPORT veil_status lola_client_decrypt_answer(fmpz *logits,
                                                   const lola_client_t *c,
                                                   const lola_answer_t *a,
                                                   size_t records) VEIL_WUR;

/* Diagnostics: the smallest exact noise budget of the answer's
 * ciphertexts (bfv_noise_budget_ms). */
VEIL_EXPORT veil_status lola_client_answer_budget(
    int *bits, const lola_client_t *c, const lola_answer_t *a) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_LOLA_H */
