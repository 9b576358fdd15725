/*
 * safenet.h - SAFENet secure inference (Lou et al., ICLR 2021; papers/
 * safenet-*.md sections 2.1, 3 and 5) on Delphi's offline / online protocol
 * (Mishra et al., USENIX Security 2020).  A client holding an image and a
 * server holding a CNN compute the logits together; the server learns
 * nothing about the image, the client learns the logits (and the public
 * architecture: shapes, activation kinds and polynomial coefficients).
 * Semi-honest security.  See doc/22-safenet.md.
 *
 * Part 1: the fixed-point network over F_p and its plaintext reference.
 * Part 2: the two-party protocol (offline and online phases).
 */
#ifndef VEIL_SAFENET_H
#define VEIL_SAFENET_H

#include "veil/mpc.h"
#include "veil/mpc_field.h"
#include "veil/mpc_gc.h"
#include "veil/nn.h"
#include "veil/veil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================= the network
 *
 * A SAFENet network is a chain of operations on tensors of shape (c, h, w),
 * values in F_p read as signed integers with a per-tensor scale S (the real
 * value is v / S):
 *
 *   CONV   2-D convolution (kernel k, stride, zero padding) + bias: weights
 *          w_int = round(w 2^wfrac), output scale S_in 2^wfrac, bias at the
 *          output scale.  Evaluated by the HE offline phase.
 *   DENSE  fully connected + bias (input flattened channel-major); as CONV.
 *   POOL   mean pool k x k, stride, no padding, computed as the window SUM
 *          (exact on shares, no truncation): output scale S_in k^2.
 *   ACT    channel-wise activation, paper eq. 2: per channel one of
 *            RELU   y = floor(max(x, 0) / 2^shift), garbled circuit (exact)
 *            POLY2  y = c0 + c1 x + c2 x^2          Beaver power tuples
 *            POLY3  y = c0 + c1 x + c2 x^2 + c3 x^3 Beaver power tuples
 *            CONST  y = c0 (degree-0 "pruning"), free
 *          The input has scale S = 2^(frac + shift) (after a linear layer
 *          shift = wfrac): ReLU truncates inside the circuit, polynomials
 *          first truncate x by `shift` bits, then evaluate the polynomial
 *          at scale 2^frac with power tuples, truncating x^2, x^3 and the
 *          sum.  Output scale 2^frac.
 *   TRUNC  share truncation by `shift` bits (inserted by the builder only
 *          between two linear layers with no activation between).
 *
 * Truncation.  ReLU channels truncate inside the garbled circuit: exact.
 * Polynomial channels (and TRUNC) truncate shares with a protocol that
 * computes the wrap bit (one Beaver product of two bits per element, one
 * exchange): it never fails for a value |v| <= about p / 4 (2^38.9 for
 * Delphi's p, at the value's fine scale) and returns floor(v / 2^shift)
 * plus an error in {-1, 0, 1} units.  doc/22-safenet.md, "Truncation".
 * The reference evaluator below tracks for every element the interval of
 * errors the ±1 units can produce, so that the protocol's output can be
 * compared exactly: the protocol's value lies in [ref + lo, ref + hi].
 */

#define SAFENET_MAX_LAYERS 64
#define SAFENET_P_DEFAULT UINT64_C(2061584302081) /* Delphi's 15 2^37 + 1 */
#define SAFENET_FRAC_DEFAULT 15
#define SAFENET_WFRAC_DEFAULT 15
#define SAFENET_HASH_BYTES 32
#define SAFENET_MAX_SHIFT 30
#define SAFENET_MAX_ELEMS (1u << 24) /* largest tensor or weight array */

typedef enum {
    SAFENET_CONV = 1,
    SAFENET_DENSE = 2,
    SAFENET_POOL = 3,
    SAFENET_ACT = 4,
    SAFENET_TRUNC = 5
} safenet_op_t;

/* Activation kinds, numbered as nn's NN_ACT_* (CNN model format). */
typedef enum {
    SAFENET_RELU = 0,
    SAFENET_CONST = 1,
    SAFENET_POLY2 = 2,
    SAFENET_POLY3 = 3
} safenet_act_t;

typedef struct {
    safenet_op_t op;
    nn_shape_t in, out;
    uint32_t k, stride, pad; /* CONV, POOL                               */
    unsigned shift;          /* ACT (RELU and POLY), TRUNC              */
    uint64_t *w;             /* CONV: out.c x in.c x k x k (OIHW);
                                DENSE: out.c x size(in); signed in F_p   */
    uint64_t *b;             /* CONV, DENSE: out.c biases, output scale  */
    size_t nw;
    uint8_t *kind;  /* ACT: in.c kinds (safenet_act_t)          */
    uint64_t *coef; /* ACT: 4 per channel, c0..c3 encoded for
                       mpc_fixed_poly (c0 at scale 2^frac)      */
    double in_scale, out_scale;
    size_t relus, polys; /* ACT: elements per kind (polys: 2 and 3)  */
} safenet_layer_t;

/* The network.  Immutable after it is built; shareable between threads. */
typedef struct {
    mpc_field_t f;  /* p and frac                                  */
    unsigned wfrac; /* fractional bits of weights                  */
    nn_shape_t in;
    uint32_t nlayers;
    safenet_layer_t layers[SAFENET_MAX_LAYERS];
    uint8_t hash[SAFENET_HASH_BYTES]; /* BLAKE2b-256 of everything above,
                                         set by safenet_net_finish       */
    int finished;
} safenet_net_t;

/* An empty network for inputs of shape `in` (scale 2^frac) over F_p.
 * p prime with p = 1 mod 2^14 as the HE layers need (VEIL_EPARAM
 * otherwise), 2 frac + 2 <= bitlen(p), 1 <= wfrac <= 20.  VEIL_EINVAL. */
VEIL_EXPORT veil_status safenet_net_init(safenet_net_t *net, nn_shape_t in,
                                         uint64_t p, unsigned frac,
                                         unsigned wfrac) VEIL_WUR;
VEIL_EXPORT void safenet_net_clear(safenet_net_t *net);

/* Append an operation; input shape and scale are the current output's.
 * Weights are floats in nn's layout, quantized here.  VEIL_EINVAL for a
 * shape that does not work, VEIL_ERANGE if a quantized weight, bias or
 * coefficient does not fit, VEIL_ENOMEM.  The builder inserts a TRUNC
 * before a linear layer whose input scale exceeds 2^(frac + 1).
 * An ACT must follow a linear layer (possibly through pools): the client's
 * share of its input is then known offline, as Delphi needs (VEIL_EINVAL
 * otherwise).  kinds[c] in 0..3, coef[4 c + i] = c_i. */
VEIL_EXPORT veil_status safenet_net_add_conv(safenet_net_t *net, uint32_t maps,
                                             uint32_t k, uint32_t stride,
                                             uint32_t pad, const float *w,
                                             const float *b) VEIL_WUR;
VEIL_EXPORT veil_status safenet_net_add_dense(safenet_net_t *net, uint32_t out,
                                              const float *w,
                                              const float *b) VEIL_WUR;
VEIL_EXPORT veil_status safenet_net_add_pool(safenet_net_t *net, uint32_t k,
                                             uint32_t stride) VEIL_WUR;
VEIL_EXPORT veil_status safenet_net_add_act(safenet_net_t *net,
                                            const uint8_t *kinds,
                                            const float *coef) VEIL_WUR;

/* Compute the hash; no more layers after this.  VEIL_EINVAL for an empty
 * network or one that ends in an activation. */
VEIL_EXPORT veil_status safenet_net_finish(safenet_net_t *net) VEIL_WUR;

/* Activation plans applied while building from a model:
 *   MODEL      the model's own activations (RELU layers all ReLU, ACT
 *              layers their per-channel kinds and coefficients);
 *   RELU       every activation a ReLU (Gazelle, Delphi all-ReLU);
 *   DELPHI     Delphi's layer-wise baseline: the last six activation
 *              layers degree-2 polynomials (the model's coefficients where
 *              it has a degree-2 channel, else a least-squares fit of ReLU
 *              on [-4, 4]), the rest ReLU;
 *   SAFENET80  channel-wise: in every activation layer the 80 % least
 *              important channels (L1 norm of their weights, paper eq. 3)
 *              approximated, degrees mixed 3, 2, 2, 0 (fits as above). */
typedef enum {
    SAFENET_PLAN_MODEL = 0,
    SAFENET_PLAN_RELU = 1,
    SAFENET_PLAN_DELPHI = 2,
    SAFENET_PLAN_SAFENET80 = 3
} safenet_plan_t;

/* Build from an nn model: batch norm folded first; CONV2D, DENSE, AVGPOOL
 * map one to one; RELU, ACT, SQUARE and POLY (degree 2 or 3) become ACT
 * layers (per-channel kinds as the plan says).  MAXPOOL and other layers
 * are refused with VEIL_EINVAL and a reason in why[0..whylen).  Finished
 * (hash set) on success. */
VEIL_EXPORT veil_status safenet_net_from_model(safenet_net_t *net,
                                               const nn_model_t *m, uint64_t p,
                                               unsigned frac, unsigned wfrac,
                                               safenet_plan_t plan, char *why,
                                               size_t whylen) VEIL_WUR;

/* Totals over the network. */
VEIL_EXPORT size_t safenet_net_relus(const safenet_net_t *net);
VEIL_EXPORT size_t safenet_net_polys(const safenet_net_t *net);
/* Number of output values (logits). */
VEIL_EXPORT size_t safenet_net_out_size(const safenet_net_t *net);
/* Scale of the output: logit = signed value / scale. */
VEIL_EXPORT double safenet_net_out_scale(const safenet_net_t *net);
/* "conv", "dense", "pool", "act", "trunc". */
VEIL_EXPORT const char *safenet_op_name(safenet_op_t op);

/* Encode a float input (nn layout, size(in) values) at scale 2^frac.
 * VEIL_ERANGE for a value out of range. */
VEIL_EXPORT veil_status safenet_encode_input(const safenet_net_t *net,
                                             uint64_t *x,
                                             const float *in) VEIL_WUR;

/* ---------------------------------------------------- reference evaluator
 *
 * Computes what the protocol computes when every truncation returns
 * floor(v / 2^shift) exactly, and for every output the interval [lo, hi]
 * (in units of the output) of what the ±1 truncation errors can add: the
 * protocol's output o satisfies lo <= signed(o - out) <= hi.  When the
 * network has no polynomial channel and no TRUNC, lo = hi = 0: the outputs
 * are equal.  `overflow` counts intermediate values whose magnitude
 * exceeded (p - 1) / 2 (the protocol would wrap) and truncated values
 * above the truncation's bound (about p / 4): 0 for a network used within
 * its range, and then the bounds above hold with certainty. */
typedef struct {
    uint64_t *out;    /* out_size values in F_p                */
    int64_t *lo, *hi; /* error interval per output             */
    size_t overflow;  /* values out of range                   */
    double max_abs[SAFENET_MAX_LAYERS]; /* per layer: largest |value|
                          of its output, in real units           */
    int unbounded; /* 1 if some error interval grew past 2^60
                      units (lo, hi then saturate)           */
} safenet_ref_t;

VEIL_EXPORT veil_status safenet_ref_init(safenet_ref_t *r,
                                         const safenet_net_t *net) VEIL_WUR;
VEIL_EXPORT void safenet_ref_clear(safenet_ref_t *r);
VEIL_EXPORT veil_status safenet_ref_eval(safenet_ref_t *r,
                                         const safenet_net_t *net,
                                         const uint64_t *x) VEIL_WUR;

/* ===================================================== the protocol
 *
 * Roles: the client (party 0 of every mpc call: garbled-circuit evaluator,
 * OT receiver, BFV key owner) and the server (party 1, garbler, model
 * owner).  A session: safenet_party_init (handshake + set-up), then per
 * inference safenet_offline and the online call of the role.  The client
 * also needs the network: it uses only its public part (shapes, kinds,
 * coefficients, scales) and its hash; the weights are touched only on the
 * server (and by the insecure test dealer).
 *
 * Handshake: both send {magic, version, role, options, hash} and check the
 * peer's: a different model is refused with VEIL_EFORMAT and the message
 * "model hash mismatch" in the party's `why`.
 */

#define SAFENET_VERSION 2 /* 2: wrap-bit truncation, Horner polynomials */

typedef enum { SAFENET_CLIENT = 0, SAFENET_SERVER = 1 } safenet_role_t;

typedef struct {
    /* 1: the offline linear layers and the polynomial tuples come from a
     * trusted dealer simulated over the channel (the client reveals r to
     * the server).  INSECURE: tests only.  Both parties must agree. */
    int insecure_dealer;
    int timeout_ms; /* channel idle limit; 0: the channel's default */
} safenet_opts_t;

typedef struct {
    double offline_he_s;  /* offline linear (HE or dealer)             */
    double offline_act_s; /* garbling, OT, power tuples                */
    double online_s;
    uint64_t off_sent, off_recv; /* bytes this party sent / received */
    uint64_t on_sent, on_recv;
} safenet_layer_stats_t;

typedef struct {
    safenet_layer_stats_t layer[SAFENET_MAX_LAYERS];
    double setup_s;             /* handshake, base OTs, keys         */
    double offline_s, online_s; /* totals of the last inference      */
    uint64_t setup_bytes;       /* both directions                   */
} safenet_stats_t;

typedef struct safenet_state_s safenet_state_t; /* per-inference state */

typedef struct {
    safenet_role_t role;
    const safenet_net_t *net;
    safenet_opts_t opts;
    mpc_chan_t *ch;
    veil_rng_t rng;
    mpc_circuit_t relu[SAFENET_MAX_SHIFT + 1]; /* ReLU-with-truncation
                             circuit per shift the network uses        */
    mpc_gc_gparty_t gp;                        /* server */
    mpc_gc_eparty_t ep;                        /* client */
    void *he;            /* HE keys and contexts (NULL with the dealer) */
    safenet_state_t *st; /* offline material awaiting its online phase */
    safenet_stats_t stats;
    char why[160]; /* a reason for the last error, no secrets  */
} safenet_party_t;

/* Handshake and set-up over ch (borrowed; net too).  VEIL_EFORMAT for a
 * peer with another model, version, role or options (why says which),
 * channel statuses, VEIL_ENOMEM, VEIL_EPARAM, VEIL_EUNSUPPORTED. */
VEIL_EXPORT veil_status safenet_party_init(safenet_party_t *P,
                                           safenet_role_t role,
                                           const safenet_net_t *net,
                                           const safenet_opts_t *opts,
                                           mpc_chan_t *ch) VEIL_WUR;
VEIL_EXPORT void safenet_party_clear(safenet_party_t *P);

/* The input-independent phase for one inference.  The client starts it
 * with a one-byte frame "another inference"; a server whose client said
 * "done" (safenet_client_done) or closed the connection gets
 * VEIL_ECLOSED: the normal end of a session.  The: per linear layer the HE
 * exchange, per activation layer the garbled circuits with the client's
 * labels by OT and the power tuples. */
VEIL_EXPORT veil_status safenet_offline(safenet_party_t *P) VEIL_WUR;

/* Client: tell the server the session is over (it then gets VEIL_ECLOSED
 * from safenet_offline). */
VEIL_EXPORT veil_status safenet_client_done(safenet_party_t *P) VEIL_WUR;

/* The online phase (after safenet_offline).  Client: x[0..size(in)) the
 * encoded input (safenet_encode_input); out[0..out_size) the logits in
 * F_p.  Server: no data in or out. */
VEIL_EXPORT veil_status safenet_online_client(safenet_party_t *P, uint64_t *out,
                                              const uint64_t *x) VEIL_WUR;
VEIL_EXPORT veil_status safenet_online_server(safenet_party_t *P) VEIL_WUR;

/* The circuit a ReLU channel is garbled with: the inputs of
 * mpc_circuit_relu (the same garbler-input encoding, so mpc_relu_* run it)
 * and the output (floor(max(x, 0) / 2^shift) - r) mod p.  shift <= 30.
 * VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status safenet_circuit_relu_trunc(mpc_circuit_t *c, uint64_t p,
                                                   unsigned shift) VEIL_WUR;

/* Degree-2 / degree-3 power tuples from Beaver triples (from BFV, or the
 * dealer): one triple and one opening per degree-2 tuple, two and two per
 * degree-3 (doc/22: a^2 = c + (a - b) a with a - b opened).  The triples
 * are consumed.  Both parties call it at the same time.  VEIL_ERANGE if
 * there are not enough triples. */
VEIL_EXPORT veil_status safenet_powers_from_triples(mpc_powers_t *pw,
                                                    const mpc_field_t *f,
                                                    mpc_chan_t *ch, int party,
                                                    mpc_triples_t *t) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_SAFENET_H */
