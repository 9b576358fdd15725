/*
 * safenet_internal.h - what the files of safenet/ share (not installed).
 */
#ifndef VEIL_SAFENET_INTERNAL_H
#define VEIL_SAFENET_INTERNAL_H

#include "veil/safenet.h"

/* Largest TRUNC layer shift (sn_trunc takes up to SAFENET_MAX_SHIFT). */
#define SAFENET_MAX_TRUNC 19
/* Largest quantized weight magnitude: |w v| < 2^61 for |v| <= p / 2 < 2^48
 * would need 2^13; we bound |v| by the centred representative (< 2^40 for
 * Delphi's p) and keep |w| <= 2^21 so products fit an int64. */
#define SAFENET_MAX_WEIGHT (1u << 21)

/* Signed floor division by 2^s. */
static inline __int128 sn_fdiv(__int128 a, unsigned s)
{
    return a >= 0 ? a >> s : -((-a + (((__int128)1 << s) - 1)) >> s);
}

/* Centred representative of x in [0, p). */
static inline int64_t sn_centre(uint64_t x, uint64_t p, uint64_t half)
{
    return x <= half ? (int64_t)x : (int64_t)x - (int64_t)p;
}

/* out = W in over F_p (no bias) for a CONV or DENSE layer; in and out in
 * [0, p).  OpenMP over output channels. */
void sn_linear_apply(const safenet_net_t *net, const safenet_layer_t *L,
                     uint64_t *out, const uint64_t *in);

/* Sum pooling over F_p. */
void sn_pool_apply(const safenet_net_t *net, const safenet_layer_t *L,
                   uint64_t *out, const uint64_t *in);

#endif

/* ------------------------------------------------ offline engines */

/* Per-inference offline material (proto.c). */
struct safenet_state_s {
    uint64_t *r[SAFENET_MAX_LAYERS];  /* client: masks of linear inputs  */
    uint64_t *c[SAFENET_MAX_LAYERS];  /* client: W r - s; server: s      */
    uint64_t *rm[SAFENET_MAX_LAYERS]; /* server: ReLU output masks       */
    mpc_gc_gbatch_t gb[SAFENET_MAX_LAYERS];
    mpc_gc_ebatch_t eb[SAFENET_MAX_LAYERS];
    mpc_triples_t tr; /* triples left for the online truncations      */
    int ready;        /* offline done, online not yet run */
};

/* The offline linear layers: set-up once per session (keys), then per
 * layer the client turns its mask r into W r - s and the server draws s.
 * HE (safenet/he.h) normally; the insecure dealer when opts ask for it. */
veil_status sn_lin_setup(safenet_party_t *P) VEIL_WUR;
void sn_lin_clear(safenet_party_t *P);
veil_status sn_lin_client(safenet_party_t *P, uint32_t li, uint64_t *c,
                          const uint64_t *r) VEIL_WUR;
veil_status sn_lin_server(safenet_party_t *P, uint32_t li,
                          uint64_t *s) VEIL_WUR;

/* Triples for the polynomial channels: BFV (mpc_bfv.h) normally, the
 * insecure dealer when opts ask for it.  t initialised with t->n >= 1. */
veil_status sn_triples(safenet_party_t *P, mpc_triples_t *t) VEIL_WUR;

/* Truncation of shares by k bits (1 <= k <= SAFENET_MAX_SHIFT) that never
 * fails (trunc.c): v[0..n) in place, one triple of t per element, one
 * exchange.  For a shared value |v| <= sn_trunc_bound(p) the result is
 * floor(v / 2^k) + {-1, 0, 1}.  Both parties call it at the same time.
 * Channel statuses, VEIL_ERANGE (not enough triples), VEIL_ENOMEM. */
veil_status sn_trunc(const mpc_field_t *f, mpc_chan_t *ch, int party,
                     mpc_triples_t *t, uint64_t *v, size_t n,
                     unsigned k) VEIL_WUR;
/* The largest |v| sn_trunc takes: about p / 4, a multiple of
 * 2^SAFENET_MAX_SHIFT. */
uint64_t sn_trunc_bound(uint64_t p);

/* The polynomial channels of ACT layer L online (poly.c), on this party's
 * share cur of the layer input (other channels untouched); triples from tr
 * (4 per degree-2 element, 6 per degree-3 element). */
veil_status sn_poly_layer(const safenet_net_t *net, const safenet_layer_t *L,
                          mpc_chan_t *ch, int party, mpc_triples_t *tr,
                          uint64_t *cur) VEIL_WUR;

/* Send / receive a vector of field elements as one frame (little-endian
 * 64-bit words); the receiver checks every value is below p. */
veil_status sn_send_vec(mpc_chan_t *ch, const uint64_t *v, size_t n) VEIL_WUR;
veil_status sn_recv_vec(mpc_chan_t *ch, uint64_t *v, size_t n,
                        uint64_t p) VEIL_WUR;
