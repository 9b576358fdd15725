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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he.h"
#include "safenet_internal.h"
#include "veil/bfv_serial.h"
#include "veil/mpc_bfv.h"

/* Largest key message the server accepts (the Galois keys of CNN-7 are
 * far below it). */
#define KEY_BYTES_MAX (UINT64_C(1) << 28)

typedef struct {
    int have_ctx;
    bfv_context_t ctx; /* triples: n = 16384, t = p */
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    /* HE linear layers: n = 8192, t = p (safenet/he.h) */
    int have_he;
    bfv_context_t hctx;
    bfv_secret_key_t hsk; /* client */
    bfv_public_key_t hpk; /* client: its own; server: the client's */
    bfv_galois_keys_t hgk;
    safenet_he_layer_t hl[SAFENET_MAX_LAYERS];
    int hl_made[SAFENET_MAX_LAYERS];
} sn_keys_t;

/* The HE context, the compiled layers and the client's keys (sent to the
 * server: public key, then Galois keys, each announced by its length). */
static veil_status he_setup(safenet_party_t *P, sn_keys_t *k)
{
    const safenet_net_t *net = P->net;
    bfv_params_t prm;
    safenet_he_layer_t *list = NULL;
    uint64_t *elts = NULL, lens[2];
    uint8_t *buf = NULL;
    size_t nelts = 0, nl = 0, len;
    veil_status st;
    if ((st = safenet_he_params(&prm, net->f.p)) != VEIL_OK ||
        (st = bfv_context_init(&k->hctx, &prm)) != VEIL_OK)
        return st;
    k->have_he = 1;
    if ((st = bfv_secret_key_init(&k->hsk, &k->hctx)) != VEIL_OK ||
        (st = bfv_public_key_init(&k->hpk, &k->hctx)) != VEIL_OK ||
        (st = bfv_galois_keys_init(&k->hgk, &k->hctx)) != VEIL_OK)
        return st;
    if ((list = calloc(SAFENET_MAX_LAYERS, sizeof(*list))) == NULL)
        return VEIL_ENOMEM;
    for (uint32_t i = 0; i < net->nlayers && st == VEIL_OK; i++) {
        const safenet_layer_t *L = &net->layers[i];
        safenet_he_shape_t sh;
        if (L->op != SAFENET_CONV && L->op != SAFENET_DENSE)
            continue;
        memset(&sh, 0, sizeof(sh));
        if (L->op == SAFENET_CONV) {
            sh.kind = SAFENET_HE_CONV;
            sh.c_in = L->in.c;
            sh.h = L->in.h;
            sh.w = L->in.w;
            sh.c_out = L->out.c;
            sh.k = L->k;
            sh.stride = L->stride;
            sh.pad = L->pad;
        } else {
            sh.kind = SAFENET_HE_DENSE;
            sh.c_in = (uint32_t)nn_shape_size(L->in);
            sh.h = sh.w = 1;
            sh.c_out = L->out.c;
            sh.k = sh.stride = 1;
        }
        st = safenet_he_layer_init(&k->hl[i], &sh, &k->hctx);
        if (st != VEIL_OK) {
            snprintf(P->why, sizeof(P->why),
                     "layer %u: no HE packing for this shape", (unsigned)i);
            break;
        }
        k->hl_made[i] = 1;
        list[nl++] = k->hl[i];
    }
    if (st == VEIL_OK && P->role == SAFENET_CLIENT) {
        st = safenet_he_galois_elts(&elts, &nelts, list, nl);
        if (st == VEIL_OK &&
            (st = bfv_keygen_secret(&k->hsk, &P->rng)) == VEIL_OK &&
            (st = bfv_keygen_public(&k->hpk, &k->hsk, &P->rng)) == VEIL_OK)
            st = bfv_keygen_galois_elts(&k->hgk, &k->hsk, elts, nelts, &P->rng);
        lens[0] = bfv_public_key_serial_size(&k->hpk);
        lens[1] = bfv_galois_keys_serial_size(&k->hgk);
        if (st == VEIL_OK &&
            (buf = veil_alloc(lens[0] > lens[1] ? lens[0] : lens[1])) == NULL)
            st = VEIL_ENOMEM;
        if (st == VEIL_OK)
            st = mpc_chan_send(P->ch, lens, sizeof(lens));
        if (st == VEIL_OK && (st = bfv_public_key_serialize(
                                  buf, lens[0], &len, &k->hpk)) == VEIL_OK)
            st = mpc_chan_send(P->ch, buf, len);
        if (st == VEIL_OK && lens[1] > 0 &&
            (st = bfv_galois_keys_serialize(buf, lens[1], &len, &k->hgk)) ==
                VEIL_OK)
            st = mpc_chan_send(P->ch, buf, len);
        if (st == VEIL_OK)
            st = mpc_chan_flush(P->ch);
    } else if (st == VEIL_OK) {
        size_t used;
        st = mpc_chan_recv(P->ch, lens, sizeof(lens));
        if (st == VEIL_OK && (lens[0] == 0 || lens[0] > KEY_BYTES_MAX ||
                              lens[1] > KEY_BYTES_MAX))
            st = VEIL_EFORMAT;
        if (st == VEIL_OK &&
            (buf = veil_alloc(lens[0] > lens[1] ? lens[0] : lens[1])) == NULL)
            st = VEIL_ENOMEM;
        if (st == VEIL_OK &&
            (st = mpc_chan_recv(P->ch, buf, lens[0])) == VEIL_OK)
            st = bfv_public_key_deserialize(&k->hpk, buf, lens[0], &used);
        if (st == VEIL_OK && lens[1] > 0 &&
            (st = mpc_chan_recv(P->ch, buf, lens[1])) == VEIL_OK)
            st = bfv_galois_keys_deserialize(&k->hgk, buf, lens[1], &used);
        if (st == VEIL_EFORMAT)
            snprintf(P->why, sizeof(P->why), "malformed keys from the client");
    }
    veil_free(buf);
    free(elts);
    free(list);
    return st;
}

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
    if (P->opts.insecure_dealer)
        return VEIL_OK;
    if ((st = he_setup(P, k)) != VEIL_OK)
        return st;
    if (safenet_net_polys(P->net) == 0)
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
    for (int i = 0; i < SAFENET_MAX_LAYERS; i++)
        if (k->hl_made[i])
            safenet_he_layer_clear(&k->hl[i]);
    if (k->have_he) {
        bfv_secret_key_clear(&k->hsk);
        bfv_public_key_clear(&k->hpk);
        bfv_galois_keys_clear(&k->hgk);
        bfv_context_clear(&k->hctx);
    }
    free(k);
    P->he = NULL;
}

/* ------------------------------------------------------ linear layers */

/* Ciphertexts for one layer's exchange. */
static bfv_ciphertext_t *cts_new(const bfv_context_t *ctx, size_t n)
{
    bfv_ciphertext_t *c = calloc(n, sizeof(*c));
    for (size_t i = 0; c != NULL && i < n; i++)
        if (bfv_ciphertext_init(&c[i], ctx) != VEIL_OK) {
            for (size_t j = 0; j < i; j++)
                bfv_ciphertext_clear(&c[j]);
            free(c);
            return NULL;
        }
    return c;
}

static void cts_free(bfv_ciphertext_t *c, size_t n)
{
    for (size_t i = 0; c != NULL && i < n; i++)
        bfv_ciphertext_clear(&c[i]);
    free(c);
}

/* HE, client: Enc(r) up, Enc(W r - s) back, decrypted. */
static veil_status he_client(safenet_party_t *P, sn_keys_t *k, uint32_t li,
                             uint64_t *c, const uint64_t *r)
{
    const safenet_he_layer_t *L = &k->hl[li];
    const size_t cap_up = safenet_he_upload_bytes(L);
    const size_t cap_dn = safenet_he_download_bytes(L);
    bfv_ciphertext_t *in = cts_new(&k->hctx, L->in_ct);
    bfv_ms_ciphertext_t *out = safenet_he_ms_new(&k->hctx, L->out_ct);
    uint8_t *buf = veil_alloc(cap_up > cap_dn ? cap_up : cap_dn);
    size_t len;
    veil_status st = VEIL_ENOMEM;
    if (in != NULL && out != NULL && buf != NULL &&
        (st = safenet_he_encrypt(in, L, &k->hsk, r, &P->rng)) == VEIL_OK &&
        (st = safenet_he_batch_serialize(buf, cap_up, &len, in, L->in_ct)) ==
            VEIL_OK &&
        (st = mpc_chan_send(P->ch, buf, len)) == VEIL_OK &&
        (st = mpc_chan_recv_any(P->ch, buf, cap_dn, &len)) == VEIL_OK &&
        (st = safenet_he_reply_deserialize(out, L->out_ct, L->reply_limbs, buf,
                                           len)) == VEIL_OK)
        st = safenet_he_decrypt(c, L, &k->hsk, out);
    cts_free(in, L->in_ct);
    safenet_he_ms_free(out, L->out_ct);
    veil_free(buf);
    return st;
}

/* HE, server: evaluate the layer on Enc(r), mask with fresh s. */
static veil_status he_server(safenet_party_t *P, sn_keys_t *k, uint32_t li,
                             uint64_t *s)
{
    const safenet_he_layer_t *L = &k->hl[li];
    const size_t cap_up = safenet_he_upload_bytes(L);
    const size_t cap_dn = safenet_he_download_bytes(L);
    bfv_ciphertext_t *in = cts_new(&k->hctx, L->in_ct);
    bfv_ciphertext_t *out = cts_new(&k->hctx, L->out_ct);
    bfv_ms_ciphertext_t *ms = safenet_he_ms_new(&k->hctx, L->out_ct);
    uint8_t *buf = veil_alloc(cap_up > cap_dn ? cap_up : cap_dn);
    size_t len;
    veil_status st = VEIL_ENOMEM;
    if (in != NULL && out != NULL && ms != NULL && buf != NULL &&
        (st = mpc_chan_recv_any(P->ch, buf, cap_up, &len)) == VEIL_OK &&
        (st = safenet_he_batch_deserialize(in, L->in_ct, buf, len)) ==
            VEIL_OK &&
        (st = safenet_he_eval(out, s, L, P->net->layers[li].w, in, &k->hpk,
                              &k->hgk, &P->rng)) == VEIL_OK &&
        (st = safenet_he_switch(ms, L, out)) == VEIL_OK &&
        (st = safenet_he_reply_serialize(buf, cap_dn, &len, ms, L->out_ct)) ==
            VEIL_OK &&
        (st = mpc_chan_send(P->ch, buf, len)) == VEIL_OK)
        st = mpc_chan_flush(P->ch);
    cts_free(in, L->in_ct);
    cts_free(out, L->out_ct);
    safenet_he_ms_free(ms, L->out_ct);
    veil_free(buf);
    return st;
}

veil_status sn_lin_client(safenet_party_t *P, uint32_t li, uint64_t *c,
                          const uint64_t *r)
{
    const safenet_layer_t *L = &P->net->layers[li];
    sn_keys_t *k = P->he;
    veil_status st;
    if (!P->opts.insecure_dealer)
        return he_client(P, k, li, c, r);
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
    uint64_t *r, *y;
    veil_status st = VEIL_ENOMEM;
    if (!P->opts.insecure_dealer)
        return he_server(P, P->he, li, s);
    r = veil_alloc(nin * sizeof(uint64_t));
    y = veil_alloc(nout * sizeof(uint64_t));
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
