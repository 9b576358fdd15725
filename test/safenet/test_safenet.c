/*
 * test_safenet.c - the SAFENet protocol against its plaintext reference
 * (safenet_ref_eval), its circuit against mpc_circuit_eval, power tuples
 * against their definition, and the failure paths: two processes, a
 * dropped peer, a corrupted frame, different models, and error messages
 * that carry no secrets.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/seed.h"
#include "safenet_internal.h"
#include "veil/safenet.h"

/* ------------------------------------------------------------ helpers */

static float frand(veil_rng_t *rng, double a)
{
    return (float)vt_uniform(rng, -a, a);
}

/* A random network over `in` covering every layer type: conv (kernel,
 * stride, padding), ACT with every kind mixed in one layer, mean pool,
 * conv, ACT, dense.  relu_only: all channels ReLU. */
static void random_net(safenet_net_t *net, veil_rng_t *rng, int relu_only,
                       unsigned frac, unsigned wfrac)
{
    nn_shape_t in = {2, 8, 8};
    float w[4096], b[64], coef[4 * 64];
    uint8_t kinds[64];
    cr_assert_eq(safenet_net_init(net, in, SAFENET_P_DEFAULT, frac, wfrac),
                 VEIL_OK);
    /* conv 3x3, 6 maps, stride 1, pad 1 -> 6x8x8 */
    for (int i = 0; i < 6 * 2 * 9; i++)
        w[i] = frand(rng, 0.5);
    for (int i = 0; i < 6; i++)
        b[i] = frand(rng, 0.2);
    cr_assert_eq(safenet_net_add_conv(net, 6, 3, 1, 1, w, b), VEIL_OK);
    for (int c = 0; c < 6; c++) {
        kinds[c] = relu_only ? SAFENET_RELU : (uint8_t)(c % 4);
        coef[4 * c] = frand(rng, 0.5);
        coef[4 * c + 1] = frand(rng, 1.0);
        coef[4 * c + 2] = frand(rng, 0.3);
        coef[4 * c + 3] = kinds[c] == SAFENET_POLY3 ? frand(rng, 0.1) : 0;
    }
    cr_assert_eq(safenet_net_add_act(net, kinds, coef), VEIL_OK);
    cr_assert_eq(safenet_net_add_pool(net, 2, 2), VEIL_OK); /* 6x4x4 */
    /* conv 3x3 stride 2 no pad -> 5x1x1?  use k=2 stride 2 -> 5x2x2 */
    for (int i = 0; i < 5 * 6 * 4; i++)
        w[i] = frand(rng, 0.5);
    for (int i = 0; i < 5; i++)
        b[i] = frand(rng, 0.2);
    cr_assert_eq(safenet_net_add_conv(net, 5, 2, 2, 0, w, b), VEIL_OK);
    for (int c = 0; c < 5; c++) {
        kinds[c] = relu_only ? SAFENET_RELU : (uint8_t)((c + 2) % 4);
        coef[4 * c] = frand(rng, 0.5);
        coef[4 * c + 1] = frand(rng, 1.0);
        coef[4 * c + 2] = frand(rng, 0.3);
        coef[4 * c + 3] = kinds[c] == SAFENET_POLY3 ? frand(rng, 0.1) : 0;
    }
    cr_assert_eq(safenet_net_add_act(net, kinds, coef), VEIL_OK);
    /* conv 1x1 -> pool 2 stride 1 -> ACT: an activation after a pool
     * (scale 2^(f + wf + 2), shift wf + 2) */
    for (int i = 0; i < 3 * 5; i++)
        w[i] = frand(rng, 0.5);
    cr_assert_eq(safenet_net_add_conv(net, 3, 1, 1, 0, w, b), VEIL_OK);
    cr_assert_eq(safenet_net_add_pool(net, 2, 1), VEIL_OK); /* 3x1x1 */
    for (int c = 0; c < 3; c++) {
        kinds[c] = relu_only ? SAFENET_RELU : (uint8_t)((c + 1) % 4);
        coef[4 * c] = frand(rng, 0.5);
        coef[4 * c + 1] = frand(rng, 1.0);
        coef[4 * c + 2] = frand(rng, 0.3);
        coef[4 * c + 3] = kinds[c] == SAFENET_POLY3 ? frand(rng, 0.1) : 0;
    }
    cr_assert_eq(safenet_net_add_act(net, kinds, coef), VEIL_OK);
    cr_assert_eq(net->layers[net->nlayers - 1].shift, wfrac + 2);
    for (int i = 0; i < 4 * 3; i++)
        w[i] = frand(rng, 0.5);
    for (int i = 0; i < 4; i++)
        b[i] = frand(rng, 0.2);
    cr_assert_eq(safenet_net_add_dense(net, 4, w, b), VEIL_OK);
    cr_assert_eq(safenet_net_finish(net), VEIL_OK);
}

typedef struct {
    const safenet_net_t *net;
    safenet_opts_t opts;
    const uint64_t *x; /* client */
    uint64_t *out;     /* client */
    int count;         /* inferences */
    int drop_after_handshake;
    int corrupt_after_handshake;
    char why[160];
    veil_status st;
} party_arg_t;

static veil_status party_fn(mpc_chan_t *ch, int party, void *varg)
{
    party_arg_t *a = varg;
    safenet_party_t P;
    veil_status st;
    st = safenet_party_init(&P, party == 0 ? SAFENET_CLIENT : SAFENET_SERVER,
                            a->net, &a->opts, ch);
    if (st == VEIL_OK && a->drop_after_handshake) {
        safenet_party_clear(&P);
        mpc_chan_clear(ch);
        return VEIL_OK;
    }
    if (st == VEIL_OK && a->corrupt_after_handshake) {
        /* a frame header with a wrong check word */
        uint8_t junk[8] = {16, 0, 0, 0, 1, 2, 3, 4};
        uint8_t *sink = malloc(1u << 20);
        size_t len;
        ssize_t w = write(ch->fd, junk, sizeof(junk));
        (void)w;
        /* keep the socket open until the peer gives up on it */
        while (mpc_chan_recv_any(ch, sink, 1u << 20, &len) == VEIL_OK)
            ;
        free(sink);
        safenet_party_clear(&P);
        return VEIL_OK;
    }
    for (int k = 0; k < a->count && st == VEIL_OK; k++) {
        st = safenet_offline(&P);
        if (st == VEIL_OK)
            st = party == 0 ? safenet_online_client(&P, a->out, a->x)
                            : safenet_online_server(&P);
    }
    snprintf(a->why, sizeof(a->why), "%s", P.why);
    safenet_party_clear(&P);
    a->st = st;
    return st;
}

static void run_pair(party_arg_t *c, party_arg_t *s, mpc_run_mode_t mode,
                     veil_status st[2])
{
    void *args[2] = {c, s};
    cr_assert_eq(mpc_run2(st, mode, party_fn, args), VEIL_OK);
}

static void random_input(const safenet_net_t *net, veil_rng_t *rng, uint64_t *x)
{
    size_t n = nn_shape_size(net->in);
    float *in = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        in[i] = frand(rng, 1.0);
    cr_assert_eq(safenet_encode_input(net, x, in), VEIL_OK);
    free(in);
}

/* Protocol output o against the reference: o - ref within [lo, hi]. */
static size_t outliers(const safenet_net_t *net, const safenet_ref_t *ref,
                       const uint64_t *o)
{
    size_t bad = 0;
    for (size_t i = 0; i < safenet_net_out_size(net); i++) {
        int64_t d = mpc_field_to_signed(
            &net->f, mpc_field_sub(&net->f, o[i], ref->out[i]));
        if (d < ref->lo[i] || d > ref->hi[i])
            bad++;
    }
    return bad;
}

/* ------------------------------------------------------------- circuit */

Test(safenet, relu_trunc_circuit)
{
    veil_rng_t rng;
    const uint64_t p = SAFENET_P_DEFAULT;
    const unsigned n = 41;
    vt_rng(&rng, "safenet.relu_trunc_circuit");
    for (unsigned shift = 0; shift <= 20; shift += 5) {
        mpc_circuit_t c;
        cr_assert_eq(safenet_circuit_relu_trunc(&c, p, shift), VEIL_OK);
        cr_assert_eq(c.n_gin, 3 * n);
        cr_assert_eq(c.n_ein, n);
        cr_assert(c.n_and <= 220, "%u AND gates", c.n_and);
        for (unsigned it = 0; it < vt_iters(200); it++) {
            uint8_t gin[3 * 41], ein[41], out[41];
            uint64_t cs, s, r, x, y, want;
            int64_t v;
            veil_rng_bytes(&rng, &x, sizeof(x));
            /* values near 0, near +-p/2, and uniform */
            v = (int64_t)(x % (2 * (uint64_t)1e9)) - (int64_t)1e9;
            if (it % 4 == 1)
                v = (int64_t)((p - 1) / 2) - (int64_t)(x % 5);
            if (it % 4 == 2)
                v = -(int64_t)((p - 1) / 2) + (int64_t)(x % 5);
            if (it % 4 == 3)
                v = (int64_t)(x % 3) - 1;
            veil_rng_bytes(&rng, &cs, sizeof(cs));
            veil_rng_bytes(&rng, &r, sizeof(r));
            cs %= p;
            r %= p;
            x = v >= 0 ? (uint64_t)v : p - (uint64_t)(-v);
            s = (x + p - cs) % p;
            mpc_relu_gin_offline(gin, r, p);
            mpc_relu_gin_online(gin + 2 * n, s, p);
            for (unsigned j = 0; j < n; j++)
                ein[j] = (uint8_t)((cs >> j) & 1);
            cr_assert_eq(mpc_circuit_eval(out, &c, gin, ein), VEIL_OK);
            y = 0;
            for (unsigned j = 0; j < n; j++)
                y |= (uint64_t)out[j] << j;
            want = v > 0 ? ((uint64_t)v >> shift) : 0;
            want = (want + p - r) % p;
            cr_assert_eq(y, want, "v=%lld shift=%u", (long long)v, shift);
        }
        mpc_circuit_clear(&c);
    }
}

/* -------------------------------------------------------- power tuples */

typedef struct {
    const mpc_field_t *f;
    mpc_triples_t *t;
    mpc_powers_t *pw;
} pw_arg_t;

static veil_status pw_fn(mpc_chan_t *ch, int party, void *varg)
{
    pw_arg_t *a = varg;
    return safenet_powers_from_triples(a->pw, a->f, ch, party, a->t);
}

Test(safenet, powers_from_triples)
{
    veil_rng_t rng;
    mpc_field_t f;
    vt_rng(&rng, "safenet.powers_from_triples");
    cr_assert_eq(mpc_field_init(&f, SAFENET_P_DEFAULT, 15), VEIL_OK);
    for (unsigned deg = 2; deg <= 3; deg++) {
        const size_t n = 1000;
        mpc_triples_t t[2];
        mpc_powers_t pw[2];
        pw_arg_t a[2];
        veil_status st[2];
        void *args[2] = {&a[0], &a[1]};
        for (int i = 0; i < 2; i++) {
            cr_assert_eq(mpc_triples_init(&t[i], 2 * n), VEIL_OK);
            cr_assert_eq(mpc_powers_init(&pw[i], n, deg), VEIL_OK);
            a[i].f = &f;
            a[i].t = &t[i];
            a[i].pw = &pw[i];
        }
        cr_assert_eq(mpc_triples_deal(&f, &rng, &t[0], &t[1]), VEIL_OK);
        cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, pw_fn, args), VEIL_OK);
        cr_assert_eq(st[0], VEIL_OK);
        cr_assert_eq(st[1], VEIL_OK);
        for (size_t i = 0; i < n; i++) {
            uint64_t av = mpc_field_add(&f, pw[0].a[i], pw[1].a[i]);
            uint64_t a2 = mpc_field_add(&f, pw[0].a2[i], pw[1].a2[i]);
            cr_assert_eq(a2, mpc_field_mul(&f, av, av));
            if (deg == 3) {
                uint64_t bv = mpc_field_add(&f, pw[0].b[i], pw[1].b[i]);
                uint64_t ab = mpc_field_add(&f, pw[0].ab[i], pw[1].ab[i]);
                cr_assert_eq(ab, mpc_field_mul(&f, av, bv));
            }
        }
        cr_assert_eq(t[0].used, deg == 3 ? 2 * n : n);
        for (int i = 0; i < 2; i++) {
            mpc_triples_clear(&t[i]);
            mpc_powers_clear(&pw[i]);
        }
    }
}

/* ---------------------------------------------------------- truncation */

typedef struct {
    const mpc_field_t *f;
    mpc_triples_t *t;
    uint64_t *v;
    size_t n;
    unsigned k;
    int local; /* 1: mpc_share_trunc instead (the mechanism removed) */
} tr_arg_t;

static veil_status tr_fn(mpc_chan_t *ch, int party, void *varg)
{
    tr_arg_t *a = varg;
    if (a->local) {
        mpc_field_t fk;
        veil_status st = mpc_field_init(&fk, a->f->p, a->k);
        if (st == VEIL_OK)
            mpc_share_trunc(&fk, party, a->v, a->v, a->n);
        return st;
    }
    return sn_trunc(a->f, ch, party, a->t, a->v, a->n, a->k);
}

/* Shares of n values v, |v| <= bound (a quarter of them at the edges of
 * the range), truncated by k bits; returns the number of results outside
 * floor(v / 2^k) + {-1, 0, 1}. */
static size_t trunc_run(veil_rng_t *rng, const mpc_field_t *f, size_t n,
                        unsigned k, int local)
{
    const int64_t bound = (int64_t)sn_trunc_bound(f->p);
    int64_t *v = malloc(n * sizeof(int64_t));
    uint64_t *sh[2] = {malloc(n * 8), malloc(n * 8)};
    mpc_triples_t t[2];
    tr_arg_t a[2];
    veil_status st[2];
    void *args[2] = {&a[0], &a[1]};
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        veil_rng_bytes(rng, &u, sizeof(u));
        v[i] = (int64_t)(u % (2 * (uint64_t)bound + 1)) - bound;
        if (i % 4 == 0)
            v[i] = i % 8 == 0 ? bound - (int64_t)(u % 64)
                              : -bound + (int64_t)(u % 64);
        sh[1][i] = mpc_field_from_signed(f, v[i]);
    }
    {
        uint64_t *x = malloc(n * 8);
        memcpy(x, sh[1], n * 8);
        mpc_share_split(f, rng, sh[0], sh[1], x, n);
        free(x);
    }
    for (int p = 0; p < 2; p++) {
        cr_assert_eq(mpc_triples_init(&t[p], n), VEIL_OK);
        a[p] = (tr_arg_t){f, &t[p], sh[p], n, k, local};
    }
    cr_assert_eq(mpc_triples_deal(f, rng, &t[0], &t[1]), VEIL_OK);
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, tr_fn, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK);
    cr_assert_eq(st[1], VEIL_OK);
    if (!local)
        cr_assert_eq(t[0].used, n);
    for (size_t i = 0; i < n; i++) {
        int64_t got =
            mpc_field_to_signed(f, mpc_field_add(f, sh[0][i], sh[1][i]));
        int64_t want = (int64_t)sn_fdiv(v[i], k);
        if (got < want - 1 || got > want + 1)
            bad++;
    }
    for (int p = 0; p < 2; p++) {
        mpc_triples_clear(&t[p]);
        free(sh[p]);
    }
    free(v);
    return bad;
}

/* sn_trunc: floor(v / 2^k) within one unit for every |v| <= the bound,
 * the edges included; local truncation of the same shares fails often
 * there (about |v| / p = 1/4 of the time), so the test sees the
 * difference the wrap bit makes. */
Test(safenet, trunc_never_fails)
{
    veil_rng_t rng;
    mpc_field_t f;
    const unsigned ks[] = {1, 8, 15, 17, 30};
    vt_rng(&rng, "safenet.trunc_never_fails");
    cr_assert_eq(mpc_field_init(&f, SAFENET_P_DEFAULT, 15), VEIL_OK);
    cr_assert(sn_trunc_bound(f.p) > (UINT64_C(1) << 38));
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
        cr_assert_eq(trunc_run(&rng, &f, 20000, ks[i], 0), 0, "k = %u", ks[i]);
    cr_assert_gt(trunc_run(&rng, &f, 20000, 15, 1), 1000);
}

/* ------------------------------------------------ protocol vs reference */

static void protocol_vs_ref(int relu_only, int dealer, mpc_run_mode_t mode,
                            unsigned frac, unsigned wfrac, int reps)
{
    veil_rng_t rng;
    safenet_net_t net;
    safenet_ref_t ref;
    vt_rng(&rng, "safenet.protocol_vs_ref");
    for (int it = 0; it < reps; it++) {
        uint64_t x[128], out[4];
        party_arg_t c = {0}, s = {0};
        veil_status st[2];
        random_net(&net, &rng, relu_only, frac, wfrac);
        random_input(&net, &rng, x);
        cr_assert_eq(safenet_ref_init(&ref, &net), VEIL_OK);
        cr_assert_eq(safenet_ref_eval(&ref, &net, x), VEIL_OK);
        cr_assert_eq(ref.overflow, 0);
        c.net = s.net = &net;
        c.opts.insecure_dealer = s.opts.insecure_dealer = dealer;
        c.x = x;
        c.out = out;
        c.count = s.count = 1;
        run_pair(&c, &s, mode, st);
        cr_assert_eq(st[0], VEIL_OK, "client: %s (%s)", veil_strerror(st[0]),
                     c.why);
        cr_assert_eq(st[1], VEIL_OK, "server: %s (%s)", veil_strerror(st[1]),
                     s.why);
        if (relu_only)
            for (size_t i = 0; i < 4; i++) {
                cr_assert_eq(ref.lo[i], 0);
                cr_assert_eq(ref.hi[i], 0);
                cr_assert_eq(out[i], ref.out[i], "logit %zu", i);
            }
        else
            cr_assert_eq(outliers(&net, &ref, out), 0, "outliers");
        safenet_ref_clear(&ref);
        safenet_net_clear(&net);
    }
}

/* All-ReLU networks: truncation happens inside the circuits, so the
 * protocol equals the reference exactly. */
Test(safenet, relu_net_equals_reference)
{
    protocol_vs_ref(1, 1, MPC_RUN_THREADS, 15, 15, (int)vt_iters(3));
}

/* Every kind mixed in one layer, at the default 15 + 15 fractional bits:
 * within the reference's error interval (one unit per truncation,
 * propagated), every run: the truncations cannot fail (sn_trunc). */
Test(safenet, mixed_net_within_reference_interval)
{
    protocol_vs_ref(0, 1, MPC_RUN_THREADS, 15, 15, (int)vt_iters(8));
}

/* Other precisions. */
Test(safenet, mixed_net_other_precisions)
{
    protocol_vs_ref(0, 1, MPC_RUN_THREADS, 10, 6, (int)vt_iters(2));
    protocol_vs_ref(0, 1, MPC_RUN_THREADS, 12, 12, (int)vt_iters(2));
}

/* The real offline engines (triples from BFV). */
Test(safenet, mixed_net_bfv_triples, .timeout = 300)
{
    protocol_vs_ref(0, 0, MPC_RUN_THREADS, 15, 15, 1);
}

/* Two processes over TCP. */
Test(safenet, two_processes, .timeout = 300)
{
    veil_rng_t rng;
    safenet_net_t net;
    party_arg_t c = {0}, s = {0};
    veil_status st[2];
    uint64_t x[128], out[4];
    vt_rng(&rng, "safenet.two_processes");
    random_net(&net, &rng, 1, 15, 15);
    random_input(&net, &rng, x);
    c.net = s.net = &net;
    c.opts.insecure_dealer = s.opts.insecure_dealer = 1;
    c.x = x;
    c.out = out;
    c.count = s.count = 2;
    run_pair(&c, &s, MPC_RUN_PROCESSES, st);
    cr_assert_eq(st[0], VEIL_OK, "%s", c.why);
    cr_assert_eq(st[1], VEIL_OK);
    {
        safenet_ref_t ref;
        cr_assert_eq(safenet_ref_init(&ref, &net), VEIL_OK);
        cr_assert_eq(safenet_ref_eval(&ref, &net, x), VEIL_OK);
        for (int i = 0; i < 4; i++)
            cr_assert_eq(out[i], ref.out[i]);
        safenet_ref_clear(&ref);
    }
    safenet_net_clear(&net);
}

/* ------------------------------------------------------ failure paths */

/* No digit run of 4 or more and no hex run of 8 or more: the messages name
 * what went wrong, never values. */
static void assert_no_secrets(const char *why)
{
    int dig = 0, hex = 0;
    for (const char *q = why; *q; q++) {
        dig = (*q >= '0' && *q <= '9') ? dig + 1 : 0;
        hex = ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')) ? hex + 1
                                                                     : 0;
        cr_assert(dig < 4 && hex < 8, "suspicious message: %s", why);
    }
}

Test(safenet, model_mismatch_refused)
{
    veil_rng_t rng;
    safenet_net_t n1, n2;
    party_arg_t c = {0}, s = {0};
    veil_status st[2];
    uint64_t x[128], out[4];
    vt_rng(&rng, "safenet.model_mismatch");
    random_net(&n1, &rng, 1, 15, 15);
    random_net(&n2, &rng, 1, 15, 15);
    random_input(&n1, &rng, x);
    c.net = &n1;
    s.net = &n2;
    c.opts.insecure_dealer = s.opts.insecure_dealer = 1;
    c.x = x;
    c.out = out;
    c.count = s.count = 1;
    run_pair(&c, &s, MPC_RUN_THREADS, st);
    cr_assert_eq(st[0], VEIL_EFORMAT);
    cr_assert_eq(st[1], VEIL_EFORMAT);
    cr_assert(strstr(c.why, "model hash mismatch") != NULL, "%s", c.why);
    cr_assert(strstr(s.why, "model hash mismatch") != NULL, "%s", s.why);
    assert_no_secrets(c.why);
    assert_no_secrets(s.why);
    /* options mismatch too */
    s.net = &n1;
    s.opts.insecure_dealer = 0;
    run_pair(&c, &s, MPC_RUN_THREADS, st);
    cr_assert_eq(st[0], VEIL_EFORMAT);
    cr_assert(strstr(c.why, "options mismatch") != NULL, "%s", c.why);
    safenet_net_clear(&n1);
    safenet_net_clear(&n2);
}

Test(safenet, dropped_peer)
{
    veil_rng_t rng;
    safenet_net_t net;
    veil_status st[2];
    uint64_t x[128], out[4];
    vt_rng(&rng, "safenet.dropped_peer");
    random_net(&net, &rng, 0, 15, 15);
    random_input(&net, &rng, x);
    for (int who = 0; who < 2; who++) {
        party_arg_t c = {0}, s = {0};
        c.net = s.net = &net;
        c.opts.insecure_dealer = s.opts.insecure_dealer = 1;
        c.opts.timeout_ms = s.opts.timeout_ms = 5000;
        c.x = x;
        c.out = out;
        c.count = s.count = 1;
        if (who == 0)
            s.drop_after_handshake = 1;
        else
            c.drop_after_handshake = 1;
        run_pair(&c, &s, MPC_RUN_THREADS, st);
        cr_assert_eq(st[who], VEIL_ECLOSED, "%s", veil_strerror(st[who]));
        assert_no_secrets(who == 0 ? c.why : s.why);
    }
    safenet_net_clear(&net);
}

Test(safenet, corrupted_frame)
{
    veil_rng_t rng;
    safenet_net_t net;
    veil_status st[2];
    uint64_t x[128], out[4];
    vt_rng(&rng, "safenet.corrupted_frame");
    random_net(&net, &rng, 0, 15, 15);
    random_input(&net, &rng, x);
    for (int who = 0; who < 2; who++) {
        party_arg_t c = {0}, s = {0};
        c.net = s.net = &net;
        c.opts.insecure_dealer = s.opts.insecure_dealer = 1;
        c.opts.timeout_ms = s.opts.timeout_ms = 5000;
        c.x = x;
        c.out = out;
        c.count = s.count = 1;
        if (who == 0)
            s.corrupt_after_handshake = 1;
        else
            c.corrupt_after_handshake = 1;
        run_pair(&c, &s, MPC_RUN_THREADS, st);
        cr_assert_eq(st[who], VEIL_EFORMAT, "%s", veil_strerror(st[who]));
        assert_no_secrets(who == 0 ? c.why : s.why);
    }
    safenet_net_clear(&net);
}

/* ------------------------------------------------------- net building */

Test(safenet, builder_refuses)
{
    safenet_net_t net;
    nn_shape_t in = {1, 4, 4};
    float w[16] = {0}, coef[4] = {0};
    uint8_t k = SAFENET_RELU;
    cr_assert_eq(safenet_net_init(&net, in, SAFENET_P_DEFAULT, 15, 15),
                 VEIL_OK);
    /* an activation right after the input: the client's share is online */
    cr_assert_eq(safenet_net_add_act(&net, &k, coef), VEIL_EINVAL);
    cr_assert_eq(safenet_net_add_conv(&net, 1, 3, 1, 1, w, NULL), VEIL_OK);
    /* a weight too large for the fixed point */
    w[0] = 1e9f;
    cr_assert_eq(safenet_net_add_conv(&net, 1, 1, 1, 0, w, NULL), VEIL_ERANGE);
    safenet_net_clear(&net);
    /* a prime the HE layers cannot batch with */
    cr_assert_eq(safenet_net_init(&net, in, 1000003, 15, 15), VEIL_EPARAM);
}

/* CNN model format layers: RELU and ACT map to activation layers with the
 * model's kinds and coefficients; MAXPOOL is refused with a reason. */
Test(safenet, from_model_act_relu_maxpool)
{
    veil_rng_t rng;
    nn_model_t m;
    safenet_net_t net;
    char why[200];
    nn_shape_t in = {1, 8, 8};
    const float c2[4] = {0.25f, 0.5f, 0.125f, 0}, c3[4] = {0, 1, 0, 0.5f};
    vt_rng(&rng, "safenet.from_model_act");
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 4, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_act(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_avgpool(&m, 2, 2), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_relu(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 3), VEIL_OK);
    nn_model_init_params(&m, &rng, 1.0f);
    cr_assert_eq(nn_model_set_act(&m, 1, 1, NN_ACT_POLY2, c2), VEIL_OK);
    cr_assert_eq(nn_model_set_act(&m, 1, 2, NN_ACT_POLY3, c3), VEIL_OK);
    cr_assert_eq(nn_model_set_act(&m, 1, 3, NN_ACT_CONST, c2), VEIL_OK);
    cr_assert_eq(safenet_net_from_model(&net, &m, SAFENET_P_DEFAULT, 10, 8,
                                        SAFENET_PLAN_MODEL, why, sizeof(why)),
                 VEIL_OK, "%s", why);
    cr_assert_eq(net.layers[1].op, SAFENET_ACT);
    cr_assert_eq(net.layers[1].kind[0], SAFENET_RELU);
    cr_assert_eq(net.layers[1].kind[1], SAFENET_POLY2);
    cr_assert_eq(net.layers[1].kind[2], SAFENET_POLY3);
    cr_assert_eq(net.layers[1].kind[3], SAFENET_CONST);
    cr_assert_eq(net.layers[1].coef[4 * 1 + 2], 128); /* 0.125 * 2^10 */
    cr_assert_eq(net.layers[4].op, SAFENET_ACT);
    cr_assert_eq(net.layers[4].relus, 2 * 16);
    cr_assert_eq(safenet_net_relus(&net), 64 + 32);
    cr_assert_eq(safenet_net_polys(&net), 128);
    safenet_net_clear(&net);
    /* the relu plan makes every channel a ReLU; the hash changes */
    {
        safenet_net_t n2;
        cr_assert_eq(safenet_net_from_model(&n2, &m, SAFENET_P_DEFAULT, 10, 8,
                                            SAFENET_PLAN_RELU, why,
                                            sizeof(why)),
                     VEIL_OK);
        cr_assert_eq(safenet_net_polys(&n2), 0);
        cr_assert_eq(safenet_net_relus(&n2), 256 + 32);
        safenet_net_clear(&n2);
    }
    nn_model_clear(&m);
    /* max pooling is refused, with the reason */
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_relu(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_maxpool(&m, 2, 2), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 3), VEIL_OK);
    cr_assert_eq(safenet_net_from_model(&net, &m, SAFENET_P_DEFAULT, 15, 15,
                                        SAFENET_PLAN_MODEL, why, sizeof(why)),
                 VEIL_EINVAL);
    cr_assert(strstr(why, "max pooling") != NULL, "%s", why);
    nn_model_clear(&m);
}

/* Two consecutive linear layers get a local truncation between them, and
 * the network from an nn model matches the float model's prediction. */
Test(safenet, from_model)
{
    veil_rng_t rng;
    nn_model_t m;
    safenet_net_t net;
    safenet_ref_t ref;
    char why[200];
    nn_shape_t in = {1, 8, 8};
    const float sq[3] = {0, 0, 1};
    vt_rng(&rng, "safenet.from_model");
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 3, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_poly(&m, 2, sq), VEIL_OK);
    cr_assert_eq(nn_model_add_avgpool(&m, 2, 2), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 8), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 4), VEIL_OK);
    nn_model_init_params(&m, &rng, 1.0f);
    cr_assert_eq(safenet_net_from_model(&net, &m, SAFENET_P_DEFAULT, 15, 15,
                                        SAFENET_PLAN_MODEL, why, sizeof(why)),
                 VEIL_OK, "%s", why);
    /* conv, act, pool, dense, trunc, dense */
    cr_assert_eq(net.nlayers, 6);
    cr_assert_eq(net.layers[4].op, SAFENET_TRUNC);
    {
        float xin[64], fo[4], *work = malloc(nn_model_work_size(&m) * 4);
        uint64_t x[64];
        for (int i = 0; i < 64; i++)
            xin[i] = frand(&rng, 1.0);
        nn_model_forward(fo, &m, xin, work);
        cr_assert_eq(safenet_encode_input(&net, x, xin), VEIL_OK);
        cr_assert_eq(safenet_ref_init(&ref, &net), VEIL_OK);
        cr_assert_eq(safenet_ref_eval(&ref, &net, x), VEIL_OK);
        for (int i = 0; i < 4; i++) {
            double v = (double)mpc_field_to_signed(&net.f, ref.out[i]) /
                       safenet_net_out_scale(&net);
            cr_assert(fabs(v - fo[i]) < 1e-2, "logit %d: %g vs %g", i, v,
                      fo[i]);
        }
        safenet_ref_clear(&ref);
        free(work);
    }
    safenet_net_clear(&net);
    nn_model_clear(&m);
}

/* ------------------------------------------------------------ privacy */

/* The masks that hide the client's input from the server (r_t: the server
 * sees u = x - r_t) and the ReLU outputs from the client (m: the client
 * sees relu(y) >> shift - m) must be uniform in F_p: a test that fails if
 * either mask is removed (set to 0) or made small. */
typedef struct {
    const safenet_net_t *net;
    uint64_t *u;    /* client: what the server receives first */
    uint64_t *mask; /* server: the first ReLU layer's output masks */
    size_t nmask;
} mask_arg_t;

static veil_status mask_fn(mpc_chan_t *ch, int party, void *varg)
{
    mask_arg_t *a = varg;
    safenet_party_t P;
    safenet_opts_t o = {.insecure_dealer = 1};
    veil_status st = safenet_party_init(
        &P, party == 0 ? SAFENET_CLIENT : SAFENET_SERVER, a->net, &o, ch);
    if (st == VEIL_OK)
        st = safenet_offline(&P);
    if (st == VEIL_OK && party == 0) {
        /* the input is 0: u = 0 - r_0 */
        const size_t n = nn_shape_size(a->net->in);
        for (size_t i = 0; i < n; i++)
            a->u[i] = mpc_field_neg(&a->net->f, P.st->r[0][i]);
    }
    if (st == VEIL_OK && party == 1) {
        a->nmask = a->net->layers[1].relus;
        memcpy(a->mask, P.st->rm[1], a->nmask * sizeof(uint64_t));
    }
    safenet_party_clear(&P);
    return st;
}

static double small_fraction(const mpc_field_t *f, const uint64_t *v, size_t n)
{
    size_t small = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t s = mpc_field_to_signed(f, v[i]);
        if (s > -(INT64_C(1) << 36) && s < (INT64_C(1) << 36))
            small++;
    }
    return (double)small / (double)n;
}

Test(safenet, masks_are_uniform)
{
    veil_rng_t rng;
    safenet_net_t net;
    uint64_t u[128], mask[512];
    mask_arg_t c = {0}, s = {0};
    veil_status st[2];
    void *args[2] = {&c, &s};
    vt_rng(&rng, "safenet.masks_are_uniform");
    random_net(&net, &rng, 1, 15, 15);
    c.net = s.net = &net;
    c.u = u;
    s.mask = mask;
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, mask_fn, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK);
    cr_assert_eq(st[1], VEIL_OK);
    /* |v| < 2^36 has probability 2^37 / p = 1/15 for uniform v */
    cr_assert(small_fraction(&net.f, u, nn_shape_size(net.in)) < 0.25,
              "the server would see the input");
    cr_assert(s.nmask == 6 * 64);
    cr_assert(small_fraction(&net.f, mask, s.nmask) < 0.25,
              "the client would see the ReLU outputs");
    safenet_net_clear(&net);
}
