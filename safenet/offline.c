/*
 * offline.c - where the offline correlations come from: the linear layers'
 * shares of W r (HE, or the insecure test dealer) and the Beaver triples
 * of the polynomial channels (BFV, mpc_bfv.h, or the insecure test
 * dealer).  doc/22-safenet.md, section 3.
 *
 * The dealer stand-ins keep the meaning of the real exchanges (the client
 * ends with W r - s, the server with s; both with shares of triples) but
 * run over the channel in the clear: the client shows r to the server and
 * the server chooses the client's triple shares.  INSECURE: tests only,
 * switched on by safenet_opts_t.insecure_dealer on both sides.
 */
#include <stdlib.h>
#include <string.h>

#include "safenet_internal.h"
#include "veil/mpc_bfv.h"

typedef struct {
    int have_ctx;
    bfv_context_t ctx; /* triples: n = 16384, t = p */
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
} sn_keys_t;

/* ------------------------------------------------------------ wire */

veil_status sn_send_vec(mpc_chan_t *ch, const uint64_t *v, size_t n)
{
    /* x86-64 and every target we build for are little endian; the frame
     * is the array's bytes */
    return mpc_chan_send(ch, v, n * sizeof(uint64_t));
}

veil_status sn_recv_vec(mpc_chan_t *ch, uint64_t *v, size_t n, uint64_t p)
{
    veil_status st = mpc_chan_recv(ch, v, n * sizeof(uint64_t));
    for (size_t i = 0; st == VEIL_OK && i < n; i++)
        if (v[i] >= p)
            st = VEIL_EFORMAT;
    return st;
}

/* ----------------------------------------------------------- set-up */

veil_status sn_lin_setup(safenet_party_t *P)
{
    sn_keys_t *k;
    bfv_params_t params;
    veil_status st;
    if ((k = calloc(1, sizeof(*k))) == NULL)
        return VEIL_ENOMEM;
    P->he = k;
    if (P->opts.insecure_dealer || safenet_net_polys(P->net) == 0)
        return VEIL_OK;
    /* BFV for the triples; the client's key pair */
    if ((st = mpc_bfv_params(&params, &P->net->f)) != VEIL_OK ||
        (st = bfv_context_init(&k->ctx, &params)) != VEIL_OK)
        return st;
    k->have_ctx = 1;
    if (P->role == SAFENET_CLIENT) {
        if ((st = bfv_secret_key_init(&k->sk, &k->ctx)) != VEIL_OK ||
            (st = bfv_public_key_init(&k->pk, &k->ctx)) != VEIL_OK ||
            (st = bfv_keygen_secret(&k->sk, &P->rng)) != VEIL_OK ||
            (st = bfv_keygen_public(&k->pk, &k->sk, &P->rng)) != VEIL_OK)
            return st;
    }
    return VEIL_OK;
}

void sn_lin_clear(safenet_party_t *P)
{
    sn_keys_t *k = P->he;
    if (k == NULL)
        return;
    if (k->have_ctx) {
        bfv_secret_key_clear(&k->sk);
        bfv_public_key_clear(&k->pk);
        bfv_context_clear(&k->ctx);
    }
    free(k);
    P->he = NULL;
}

/* ------------------------------------------------------ linear layers */

veil_status sn_lin_client(safenet_party_t *P, uint32_t li, uint64_t *c,
                          const uint64_t *r)
{
    const safenet_layer_t *L = &P->net->layers[li];
    veil_status st;
    /* INSECURE dealer: r in the clear, W r - s back */
    if ((st = sn_send_vec(P->ch, r, nn_shape_size(L->in))) != VEIL_OK)
        return st;
    return sn_recv_vec(P->ch, c, nn_shape_size(L->out), P->net->f.p);
}

veil_status sn_lin_server(safenet_party_t *P, uint32_t li, uint64_t *s)
{
    const safenet_net_t *net = P->net;
    const safenet_layer_t *L = &net->layers[li];
    const size_t nin = nn_shape_size(L->in), nout = nn_shape_size(L->out);
    uint64_t *r = veil_alloc(nin * sizeof(uint64_t));
    uint64_t *y = veil_alloc(nout * sizeof(uint64_t));
    veil_status st = VEIL_ENOMEM;
    if (r != NULL && y != NULL &&
        (st = sn_recv_vec(P->ch, r, nin, net->f.p)) == VEIL_OK) {
        sn_linear_apply(net, L, y, r);
        mpc_field_vec_random(&net->f, &P->rng, s, nout);
        mpc_field_vec_sub(&net->f, y, y, s, nout);
        st = sn_send_vec(P->ch, y, nout);
    }
    veil_free_secret(r, nin * sizeof(uint64_t));
    veil_free_secret(y, nout * sizeof(uint64_t));
    return st;
}

/* ----------------------------------------------------------- triples */

veil_status sn_triples(safenet_party_t *P, mpc_triples_t *t)
{
    const mpc_field_t *f = &P->net->f;
    sn_keys_t *k = P->he;
    veil_status st;
    if (!P->opts.insecure_dealer) {
        if (k == NULL || !k->have_ctx)
            return VEIL_EINVAL;
        if (P->role == SAFENET_CLIENT)
            return mpc_triples_bfv_client(t, f, &k->sk, &k->pk, P->ch, &P->rng);
        return mpc_triples_bfv_server(t, f, &k->ctx, P->ch, &P->rng);
    }
    /* INSECURE dealer: the server deals and sends the client's shares */
    if (P->role == SAFENET_CLIENT) {
        if ((st = sn_recv_vec(P->ch, t->a, t->n, f->p)) != VEIL_OK ||
            (st = sn_recv_vec(P->ch, t->b, t->n, f->p)) != VEIL_OK ||
            (st = sn_recv_vec(P->ch, t->c, t->n, f->p)) != VEIL_OK)
            return st;
        t->used = 0;
        return VEIL_OK;
    }
    {
        mpc_triples_t other;
        if ((st = mpc_triples_init(&other, t->n)) != VEIL_OK)
            return st;
        st = mpc_triples_deal(f, &P->rng, &other, t);
        if (st == VEIL_OK)
            st = sn_send_vec(P->ch, other.a, t->n);
        if (st == VEIL_OK)
            st = sn_send_vec(P->ch, other.b, t->n);
        if (st == VEIL_OK)
            st = sn_send_vec(P->ch, other.c, t->n);
        if (st == VEIL_OK)
            st = mpc_chan_flush(P->ch);
        mpc_triples_clear(&other);
        return st;
    }
}
