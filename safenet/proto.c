/*
 * proto.c - the SAFENet / Delphi two-party protocol: handshake, offline
 * phase, online phase.  doc/22-safenet.md, sections 3 and 4, writes the
 * shares out step by step; in short, with the client as party 0:
 *
 *   offline, linear layer t:  client r_t random, learns C_t = W_t r_t - s_t;
 *                             server keeps s_t                  (HE)
 *   offline, ACT layer:       ReLU channels garbled by the server, the
 *                             client's input labels (its share, known now:
 *                             C_t after local pools) by OT; power tuples
 *                             for the polynomial channels       (GC, OT, BFV)
 *   online, linear layer t:   client sends u = <a>_c - r_t; server
 *                             z = u + <a>_s = a - r_t, its share
 *                             W z + b + s_t; the client's is C_t
 *   online, pool / trunc:     both parties locally
 *   online, ACT:              ReLU: the server sends its labels, the client
 *                             evaluates and holds relu(a) >> shift - m, the
 *                             server m; polynomials: mpc_fixed_poly after a
 *                             local truncation; CONST: server c0, client 0
 *   output:                   the server sends its share; only the client
 *                             learns the logits.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "safenet_internal.h"

#define HELLO_MAGIC UINT32_C(0x54454e53) /* "SNET" */
#define HELLO_BYTES (16 + SAFENET_HASH_BYTES)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static void set_why(safenet_party_t *P, const char *msg)
{
    snprintf(P->why, sizeof(P->why), "%s", msg);
}

/* --------------------------------------------------------------- state */

/* Free one inference's material.  The garbled-circuit batches keep their
 * buffers for the next inference unless `all` (mpc_gc: a batch reused with
 * the same sizes faults in no fresh memory; the garbler's labels are wiped
 * by the online call, the evaluator's tables are public). */
static void state_clear(safenet_party_t *P, int all)
{
    safenet_state_t *S = P->st;
    if (S == NULL)
        return;
    for (uint32_t i = 0; i < P->net->nlayers; i++) {
        const safenet_layer_t *L = &P->net->layers[i];
        if (S->r[i])
            veil_free_secret(S->r[i], nn_shape_size(L->in) * 8);
        if (S->c[i])
            veil_free_secret(S->c[i], nn_shape_size(L->out) * 8);
        if (S->rm[i])
            veil_free_secret(S->rm[i], L->relus * 8);
        S->r[i] = S->c[i] = S->rm[i] = NULL;
        if (all) {
            mpc_gc_gbatch_clear(&S->gb[i]);
            mpc_gc_ebatch_clear(&S->eb[i]);
        }
    }
    mpc_triples_clear(&S->tr);
    S->ready = 0;
}

static size_t max_elems(const safenet_net_t *net)
{
    size_t m = nn_shape_size(net->in);
    for (uint32_t i = 0; i < net->nlayers; i++)
        if (nn_shape_size(net->layers[i].out) > m)
            m = nn_shape_size(net->layers[i].out);
    return m;
}

/* ----------------------------------------------------------- handshake */

veil_status safenet_party_init(safenet_party_t *P, safenet_role_t role,
                               const safenet_net_t *net,
                               const safenet_opts_t *opts, mpc_chan_t *ch)
{
    uint8_t mine[HELLO_BYTES], theirs[HELLO_BYTES];
    uint64_t b0, b1;
    double t0 = now_s();
    veil_status st;
    if (P == NULL)
        return VEIL_EINVAL;
    memset(P, 0, sizeof(*P));
    for (unsigned s = 0; s <= SAFENET_MAX_SHIFT; s++)
        mpc_circuit_init(&P->relu[s]);
    if (net == NULL || !net->finished || ch == NULL ||
        (role != SAFENET_CLIENT && role != SAFENET_SERVER)) {
        set_why(P, "invalid arguments");
        return VEIL_EINVAL;
    }
    P->role = role;
    P->net = net;
    P->ch = ch;
    if (opts != NULL)
        P->opts = *opts;
    if (P->opts.timeout_ms > 0)
        ch->timeout_ms = P->opts.timeout_ms;
    b0 = ch->bytes_sent;
    b1 = ch->bytes_received;
    if ((st = veil_rng_init(&P->rng)) != VEIL_OK) {
        set_why(P, "no randomness from the operating system");
        return st;
    }
    if ((P->st = veil_calloc(1, sizeof(safenet_state_t))) == NULL)
        return VEIL_ENOMEM;
    for (int i = 0; i < SAFENET_MAX_LAYERS; i++) {
        mpc_gc_gbatch_init(&P->st->gb[i]);
        mpc_gc_ebatch_init(&P->st->eb[i]);
    }
    /* 1. hello: magic, version, role, options, model hash */
    put32(mine, HELLO_MAGIC);
    put32(mine + 4, SAFENET_VERSION);
    put32(mine + 8, (uint32_t)role);
    put32(mine + 12, P->opts.insecure_dealer ? 1u : 0u);
    memcpy(mine + 16, net->hash, SAFENET_HASH_BYTES);
    if ((st = mpc_chan_exchange(ch, theirs, mine, HELLO_BYTES)) != VEIL_OK) {
        set_why(P, "handshake failed: no answer from the peer");
        return st;
    }
    if (get32(theirs) != HELLO_MAGIC || get32(theirs + 4) != SAFENET_VERSION) {
        set_why(P, "the peer does not speak this SAFENet protocol version");
        return VEIL_EFORMAT;
    }
    if (get32(theirs + 8) != (uint32_t)(1 - (int)role)) {
        set_why(P, "the peer has the same role (two clients or two servers)");
        return VEIL_EFORMAT;
    }
    if (get32(theirs + 12) != get32(mine + 12)) {
        set_why(P, "options mismatch: the insecure test dealer is on at one "
                   "side only");
        return VEIL_EFORMAT;
    }
    if (memcmp(theirs + 16, net->hash, SAFENET_HASH_BYTES) != 0) {
        set_why(P, "model hash mismatch: client and server hold different "
                   "models, plans or fixed-point precisions");
        return VEIL_EFORMAT;
    }
    /* 2. circuits, one per ReLU shift */
    for (uint32_t i = 0; i < net->nlayers; i++) {
        const safenet_layer_t *L = &net->layers[i];
        if (L->op != SAFENET_ACT || L->relus == 0 ||
            P->relu[L->shift].n_gates != 0)
            continue;
        if ((st = safenet_circuit_relu_trunc(&P->relu[L->shift], net->f.p,
                                             L->shift)) != VEIL_OK)
            return st;
    }
    /* 3. OT extension base OTs (garbler = server = OT sender) */
    if (safenet_net_relus(net) > 0) {
        st = role == SAFENET_SERVER ? mpc_gc_gparty_init(&P->gp, ch)
                                    : mpc_gc_eparty_init(&P->ep, ch);
        if (st != VEIL_OK) {
            set_why(P, "set-up of the garbled-circuit party failed");
            return st;
        }
    }
    /* 4. keys for the offline engines */
    if ((st = sn_lin_setup(P)) != VEIL_OK) {
        set_why(P, "set-up of the offline engines failed");
        return st;
    }
    P->stats.setup_s = now_s() - t0;
    P->stats.setup_bytes = ch->bytes_sent - b0 + ch->bytes_received - b1;
    return VEIL_OK;
}

void safenet_party_clear(safenet_party_t *P)
{
    if (P == NULL)
        return;
    if (P->net != NULL) {
        if (P->st != NULL)
            state_clear(P, 1);
        if (safenet_net_relus(P->net) > 0) {
            if (P->role == SAFENET_SERVER)
                mpc_gc_gparty_clear(&P->gp);
            else
                mpc_gc_eparty_clear(&P->ep);
        }
        sn_lin_clear(P);
    }
    veil_free(P->st);
    P->st = NULL;
    for (unsigned s = 0; s <= SAFENET_MAX_SHIFT; s++)
        mpc_circuit_clear(&P->relu[s]);
    veil_memzero(&P->rng, sizeof(P->rng));
}

/* ------------------------------------------------------------ helpers */

/* Gather the elements of the channels of one kind class: relu (kind
 * RELU) into out; returns the count. */
static size_t gather_relu(const safenet_layer_t *L, uint64_t *out,
                          const uint64_t *in)
{
    const size_t hw = (size_t)L->in.h * L->in.w;
    size_t n = 0;
    for (uint32_t c = 0; c < L->in.c; c++)
        if (L->kind[c] == SAFENET_RELU) {
            memcpy(out + n, in + c * hw, hw * sizeof(uint64_t));
            n += hw;
        }
    return n;
}

static void scatter_relu(const safenet_layer_t *L, uint64_t *out,
                         const uint64_t *in)
{
    const size_t hw = (size_t)L->in.h * L->in.w;
    size_t n = 0;
    for (uint32_t c = 0; c < L->in.c; c++)
        if (L->kind[c] == SAFENET_RELU) {
            memcpy(out + c * hw, in + n, hw * sizeof(uint64_t));
            n += hw;
        }
}

static void count_polys(const safenet_layer_t *L, size_t *n2, size_t *n3)
{
    const size_t hw = (size_t)L->in.h * L->in.w;
    *n2 = *n3 = 0;
    for (uint32_t c = 0; c < L->in.c; c++) {
        if (L->kind[c] == SAFENET_POLY2)
            *n2 += hw;
        else if (L->kind[c] == SAFENET_POLY3)
            *n3 += hw;
    }
}

/* Triples layer L consumes online (poly.c, sn_trunc): per degree-2
 * element 1 product + 3 truncations, per degree-3 element 2 + 4, per TRUNC
 * element 1. */
static size_t layer_triples(const safenet_layer_t *L)
{
    size_t n2, n3;
    if (L->op == SAFENET_TRUNC)
        return nn_shape_size(L->in);
    if (L->op != SAFENET_ACT)
        return 0;
    count_polys(L, &n2, &n3);
    return 4 * n2 + 6 * n3;
}

typedef struct {
    double t;
    uint64_t s, r;
} mark_t;

static mark_t mark(const safenet_party_t *P)
{
    mark_t m = {now_s(), P->ch->bytes_sent, P->ch->bytes_received};
    return m;
}

/* -------------------------------------------------------------- offline */

veil_status safenet_offline(safenet_party_t *P)
{
    const safenet_net_t *net;
    safenet_state_t *S;
    uint64_t *sc = NULL, *tmp = NULL;
    size_t maxn, ntr = 0;
    int known = 0;
    double t_start;
    mpc_triples_t *tr;
    veil_status st = VEIL_OK;
    if (P == NULL || P->st == NULL || P->net == NULL)
        return VEIL_EINVAL;
    net = P->net;
    S = P->st;
    tr = &S->tr;
    state_clear(P, 0);
    /* 0. another inference? */
    {
        uint8_t go = 1;
        if (P->role == SAFENET_CLIENT) {
            st = mpc_chan_send(P->ch, &go, 1);
        } else {
            st = mpc_chan_recv(P->ch, &go, 1);
            if (st == VEIL_OK && go != 1) {
                set_why(P, "the client ended the session");
                return VEIL_ECLOSED;
            }
        }
        if (st == VEIL_ECLOSED)
            set_why(P, "the peer closed the connection");
        if (st != VEIL_OK)
            return st;
    }
    memset(P->stats.layer, 0, sizeof(P->stats.layer));
    maxn = max_elems(net);
    t_start = now_s();
    sc = veil_alloc(maxn * sizeof(uint64_t));
    tmp = veil_alloc(maxn * sizeof(uint64_t));
    if (sc == NULL || tmp == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    /* 1. linear layers and garbled ReLUs, layer by layer */
    for (uint32_t i = 0; i < net->nlayers && st == VEIL_OK; i++) {
        const safenet_layer_t *L = &net->layers[i];
        const size_t nin = nn_shape_size(L->in), nout = nn_shape_size(L->out);
        safenet_layer_stats_t *ls = &P->stats.layer[i];
        mark_t m0 = mark(P);
        switch (L->op) {
        case SAFENET_CONV:
        case SAFENET_DENSE:
            S->c[i] = veil_alloc(nout * sizeof(uint64_t));
            if (S->c[i] == NULL) {
                st = VEIL_ENOMEM;
                break;
            }
            if (P->role == SAFENET_CLIENT) {
                if ((S->r[i] = veil_alloc(nin * sizeof(uint64_t))) == NULL) {
                    st = VEIL_ENOMEM;
                    break;
                }
                mpc_field_vec_random(&net->f, &P->rng, S->r[i], nin);
                st = sn_lin_client(P, i, S->c[i], S->r[i]);
                memcpy(sc, S->c[i], nout * sizeof(uint64_t));
                known = 1;
            } else {
                st = sn_lin_server(P, i, S->c[i]);
            }
            if (st != VEIL_OK)
                set_why(P, "offline linear layer failed");
            ls->offline_he_s = now_s() - m0.t;
            break;
        case SAFENET_POOL:
            if (P->role == SAFENET_CLIENT && known) {
                sn_pool_apply(net, L, tmp, sc);
                memcpy(sc, tmp, nout * sizeof(uint64_t));
            }
            break;
        case SAFENET_TRUNC:
            /* sn_trunc online; the client's share is not known offline
             * (a linear layer follows, net.c) */
            ntr += layer_triples(L);
            known = 0;
            break;
        case SAFENET_ACT: {
            size_t n2, n3;
            count_polys(L, &n2, &n3);
            /* tuples, and the triples of the truncations (poly.c) */
            ntr += layer_triples(L);
            if (L->relus > 0) {
                if (P->role == SAFENET_CLIENT) {
                    size_t n = gather_relu(L, tmp, sc);
                    st = mpc_relu_offline_client(&S->eb[i], &P->ep, P->ch,
                                                 &P->relu[L->shift], net->f.p,
                                                 tmp, n);
                } else {
                    S->rm[i] = veil_alloc(L->relus * sizeof(uint64_t));
                    if (S->rm[i] == NULL) {
                        st = VEIL_ENOMEM;
                        break;
                    }
                    mpc_field_vec_random(&net->f, &P->rng, S->rm[i], L->relus);
                    st = mpc_relu_offline_server(&S->gb[i], &P->gp, P->ch,
                                                 &P->relu[L->shift], net->f.p,
                                                 S->rm[i], L->relus);
                    if (st == VEIL_OK)
                        st = mpc_chan_flush(P->ch);
                }
                if (st != VEIL_OK)
                    set_why(P, "offline garbled ReLU failed");
            }
            known = 0;
            ls->offline_act_s = now_s() - m0.t;
            break;
        }
        }
        ls->off_sent = P->ch->bytes_sent - m0.s;
        ls->off_recv = P->ch->bytes_received - m0.r;
    }
    /* 2. the triples of every polynomial channel and TRUNC layer (used
     * online: Horner's products and sn_trunc), BFV, one run for the whole
     * network; each layer is charged its share, by count */
    if (st == VEIL_OK && ntr > 0) {
        mark_t m0 = mark(P);
        double tgen, tsent, trecv;
        if ((st = mpc_triples_init(tr, ntr)) == VEIL_OK)
            st = sn_triples(P, tr);
        if (st != VEIL_OK)
            set_why(P, "offline triple generation failed");
        tgen = now_s() - m0.t;
        tsent = (double)(P->ch->bytes_sent - m0.s);
        trecv = (double)(P->ch->bytes_received - m0.r);
        for (uint32_t i = 0; i < net->nlayers && st == VEIL_OK; i++) {
            safenet_layer_stats_t *ls = &P->stats.layer[i];
            const double share =
                (double)layer_triples(&net->layers[i]) / (double)ntr;
            ls->offline_act_s += share * tgen;
            ls->off_sent += (uint64_t)(tsent * share);
            ls->off_recv += (uint64_t)(trecv * share);
        }
    }
    if (st == VEIL_OK)
        st = mpc_chan_flush(P->ch);
    if (st == VEIL_OK)
        S->ready = 1;
    else
        state_clear(P, 1);
done:
    if (sc)
        veil_free_secret(sc, maxn * sizeof(uint64_t));
    if (tmp)
        veil_free_secret(tmp, maxn * sizeof(uint64_t));
    P->stats.offline_s = now_s() - t_start;
    return st;
}

/* --------------------------------------------------------------- online */

/* The activation layer on this party's share cur (in place). */
static veil_status act_online(safenet_party_t *P, uint32_t li, uint64_t *cur,
                              uint64_t *tmp)
{
    const safenet_net_t *net = P->net;
    const safenet_layer_t *L = &net->layers[li];
    safenet_state_t *S = P->st;
    const size_t hw = (size_t)L->in.h * L->in.w;
    const int party = (int)P->role;
    veil_status st = VEIL_OK;
    /* 1. ReLU channels: garbled circuits */
    if (L->relus > 0) {
        if (P->role == SAFENET_CLIENT) {
            st = mpc_relu_online_client(&S->eb[li], &P->ep, P->ch, tmp);
        } else {
            gather_relu(L, tmp, cur);
            st = mpc_relu_online_server(&S->gb[li], &P->gp, P->ch, net->f.p,
                                        tmp);
            memcpy(tmp, S->rm[li], L->relus * sizeof(uint64_t));
        }
        if (st != VEIL_OK)
            return st;
        scatter_relu(L, cur, tmp);
    }
    /* 2. constant channels */
    for (uint32_t c = 0; c < L->in.c; c++) {
        uint64_t *x = cur + c * hw;
        if (L->kind[c] != SAFENET_CONST)
            continue;
        if (P->role == SAFENET_CLIENT)
            memset(x, 0, hw * sizeof(uint64_t));
        else
            for (size_t j = 0; j < hw; j++)
                x[j] = L->coef[4 * c];
    }
    /* 3. polynomial channels, all of the layer in one batch */
    return sn_poly_layer(net, L, P->ch, party, &S->tr, cur);
}

/* Both roles: walk the layers on this party's share. */
static veil_status online(safenet_party_t *P, uint64_t *out, const uint64_t *x)
{
    const safenet_net_t *net = P->net;
    safenet_state_t *S = P->st;
    const int client = P->role == SAFENET_CLIENT;
    size_t maxn = max_elems(net), nfinal = safenet_net_out_size(net);
    uint64_t *cur = veil_alloc(maxn * sizeof(uint64_t));
    uint64_t *tmp = veil_alloc(maxn * sizeof(uint64_t));
    double t_start = now_s();
    veil_status st = VEIL_OK;
    if (cur == NULL || tmp == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    if (client)
        memcpy(cur, x, nn_shape_size(net->in) * sizeof(uint64_t));
    else
        memset(cur, 0, nn_shape_size(net->in) * sizeof(uint64_t));
    for (uint32_t i = 0; i < net->nlayers && st == VEIL_OK; i++) {
        const safenet_layer_t *L = &net->layers[i];
        const size_t nin = nn_shape_size(L->in), nout = nn_shape_size(L->out);
        safenet_layer_stats_t *ls = &P->stats.layer[i];
        mark_t m0 = mark(P);
        switch (L->op) {
        case SAFENET_CONV:
        case SAFENET_DENSE:
            if (client) {
                /* u = <a>_c - r_t; our new share is C_t */
                mpc_field_vec_sub(&net->f, tmp, cur, S->r[i], nin);
                st = sn_send_vec(P->ch, tmp, nin);
                if (st == VEIL_OK)
                    st = mpc_chan_flush(P->ch);
                memcpy(cur, S->c[i], nout * sizeof(uint64_t));
            } else {
                /* z = u + <a>_s = a - r_t; share W z + b + s_t */
                st = sn_recv_vec(P->ch, tmp, nin, net->f.p);
                if (st != VEIL_OK)
                    break;
                mpc_field_vec_add(&net->f, tmp, tmp, cur, nin);
                sn_linear_apply(net, L, cur, tmp);
                mpc_field_vec_add(&net->f, cur, cur, S->c[i], nout);
                {
                    const size_t per = nout / L->out.c;
                    for (size_t j = 0; j < nout; j++)
                        cur[j] = mpc_field_add(&net->f, cur[j], L->b[j / per]);
                }
            }
            break;
        case SAFENET_POOL:
            sn_pool_apply(net, L, tmp, cur);
            memcpy(cur, tmp, nout * sizeof(uint64_t));
            break;
        case SAFENET_TRUNC:
            st = sn_trunc(&net->f, P->ch, (int)P->role, &S->tr, cur, nin,
                          L->shift);
            break;
        case SAFENET_ACT:
            st = act_online(P, i, cur, tmp);
            break;
        }
        if (st != VEIL_OK)
            set_why(P, "online phase failed (peer closed, timed out or sent "
                       "a malformed message)");
        ls->online_s = now_s() - m0.t;
        ls->on_sent = P->ch->bytes_sent - m0.s;
        ls->on_recv = P->ch->bytes_received - m0.r;
    }
    /* output: the server's share goes to the client */
    if (st == VEIL_OK) {
        if (client) {
            st = sn_recv_vec(P->ch, tmp, nfinal, net->f.p);
            if (st == VEIL_OK)
                mpc_field_vec_add(&net->f, out, cur, tmp, nfinal);
            else
                set_why(P, "no output share from the server");
        } else {
            st = sn_send_vec(P->ch, cur, nfinal);
            if (st == VEIL_OK)
                st = mpc_chan_flush(P->ch);
        }
    }
done:
    if (cur)
        veil_free_secret(cur, maxn * sizeof(uint64_t));
    if (tmp)
        veil_free_secret(tmp, maxn * sizeof(uint64_t));
    state_clear(P, st != VEIL_OK); /* the offline material is single use */
    P->stats.online_s = now_s() - t_start;
    return st;
}

veil_status safenet_client_done(safenet_party_t *P)
{
    uint8_t done = 0;
    veil_status st;
    if (P == NULL || P->ch == NULL || P->role != SAFENET_CLIENT)
        return VEIL_EINVAL;
    st = mpc_chan_send(P->ch, &done, 1);
    return st == VEIL_OK ? mpc_chan_flush(P->ch) : st;
}

veil_status safenet_online_client(safenet_party_t *P, uint64_t *out,
                                  const uint64_t *x)
{
    if (P == NULL || P->st == NULL || out == NULL || x == NULL ||
        P->role != SAFENET_CLIENT)
        return VEIL_EINVAL;
    if (!P->st->ready) {
        set_why(P, "online phase without a prepared offline phase");
        return VEIL_EINVAL;
    }
    for (size_t i = 0; i < nn_shape_size(P->net->in); i++)
        if (x[i] >= P->net->f.p)
            return VEIL_EINVAL;
    return online(P, out, x);
}

veil_status safenet_online_server(safenet_party_t *P)
{
    if (P == NULL || P->st == NULL || P->role != SAFENET_SERVER)
        return VEIL_EINVAL;
    if (!P->st->ready) {
        set_why(P, "online phase without a prepared offline phase");
        return VEIL_EINVAL;
    }
    return online(P, NULL, NULL);
}
