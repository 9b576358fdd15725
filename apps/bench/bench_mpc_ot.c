/*
 * bench_mpc_ot.c - veil-bench suite "mpc", part 1: IKNP OT extension over
 * TCP on 127.0.0.1 (correlated and chosen-message), Beaver multiplication
 * and degree-3 polynomials online over the same kind of channel, and the
 * generation of Beaver triples with BFV (offline).  The two parties run as two
 * threads of this process (one core each on a two-core machine); a one-byte
 * exchange lines them up before each timed repetition, and party 0's median is
 * reported; the OT rows add each party's median thread CPU time
 * (sender_cpu_us, receiver_cpu_us), which a busy machine disturbs far less
 * than the wall clock.
 */
#include "bench.h"
#include "veil/mpc.h"
#include "veil/mpc_bfv.h"
#include "veil/mpc_field.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define OT_COT_N (1u << 23)
#define OT_CHOSEN_N (1u << 21)
#define BEAVER_N 1000000
#define BFV_TRIPLES_N (4 * 16384)
#define BFV_REPS 3
#define MAX_REPS 11

static veil_status sync_parties(mpc_chan_t *ch)
{
    uint8_t out = 1, in;
    return mpc_chan_exchange(ch, &in, &out, 1);
}

/* --------------------------------------------------------------- OT */

typedef struct {
    int chosen; /* 0: correlated, 1: chosen-message */
    size_t n;
    int reps;
    double us[MAX_REPS];
    double cpu[2][MAX_REPS]; /* each party's thread CPU time, us */
} ot_bench_t;

static veil_status ot_bench_party(mpc_chan_t *ch, int party, void *arg)
{
    ot_bench_t *b = arg;
    mpc_ot_sender_t s;
    mpc_ot_receiver_t r;
    mpc_block_t *x0 = veil_alloc(b->n * sizeof(mpc_block_t));
    mpc_block_t *x1 = veil_alloc(b->n * sizeof(mpc_block_t));
    uint8_t *c = malloc(b->n / 8);
    veil_status st = VEIL_OK;
    veil_rng_t rng;

    if (x0 == NULL || x1 == NULL || c == NULL)
        st = VEIL_ENOMEM;
    if (st == VEIL_OK && (st = veil_rng_init(&rng)) == VEIL_OK) {
        veil_rng_bytes(&rng, c, b->n / 8);
        veil_rng_bytes(&rng, x0, b->n * sizeof(mpc_block_t));
        veil_rng_bytes(&rng, x1, b->n * sizeof(mpc_block_t));
        veil_rng_clear(&rng);
    }
    if (st == VEIL_OK)
        st = party == 0 ? mpc_ot_sender_init(&s, ch, NULL)
                        : mpc_ot_receiver_init(&r, ch);
    for (int k = -1; k < b->reps && st == VEIL_OK; k++) { /* -1: warm-up */
        double t0, c0;
        if ((st = sync_parties(ch)) != VEIL_OK)
            break;
        t0 = bench_now();
        c0 = bench_thread_cpu();
        if (party == 0)
            st = b->chosen ? mpc_ot_send(&s, ch, x0, x1, b->n)
                           : mpc_ot_send_cot(&s, ch, x0, b->n);
        else
            st = b->chosen ? mpc_ot_recv(&r, ch, x0, c, b->n)
                           : mpc_ot_recv_cot(&r, ch, x0, c, b->n);
        if (k >= 0 && party == 0)
            b->us[k] = (bench_now() - t0) * 1e6;
        if (k >= 0)
            b->cpu[party][k] = (bench_thread_cpu() - c0) * 1e6;
    }
    if (party == 0)
        mpc_ot_sender_clear(&s);
    else
        mpc_ot_receiver_clear(&r);
    veil_free(x0);
    veil_free(x1);
    free(c);
    return st;
}

static int run_ot(const bench_opts_t *o, int chosen, int reps)
{
    ot_bench_t b = {chosen, chosen ? OT_CHOSEN_N : OT_COT_N, reps, {0}, {{0}}};
    void *args[2] = {&b, &b};
    veil_status st[2], e;
    double med;
    char extra[160];

    e = mpc_run2(st, MPC_RUN_THREADS_TCP, ot_bench_party, args);
    if (e != VEIL_OK || st[0] != VEIL_OK || st[1] != VEIL_OK) {
        fprintf(stderr, "veil-bench: mpc OT: %s / %s / %s\n", veil_strerror(e),
                veil_strerror(st[0]), veil_strerror(st[1]));
        return 1;
    }
    med = bench_median(b.us, reps);
    snprintf(extra, sizeof(extra),
             "\"per_second\":%.0f,\"sender_cpu_us\":%.0f,"
             "\"receiver_cpu_us\":%.0f,\"aes\":\"%s\"",
             (double)b.n / med * 1e6, bench_median(b.cpu[0], reps),
             bench_median(b.cpu[1], reps), mpc_aes_kernel_name());
    bench_report(o, "mpc", chosen ? "ot_chosen" : "ot_iknp_correlated", b.n,
                 128, veil_isa_name(veil_isa_active()), 1, med, reps, extra);
    return 0;
}

/* ----------------------------------------------------------- Beaver */

typedef struct {
    int poly; /* 0: beaver_mul, 1: degree-3 polynomial */
    size_t n;
    int reps, threads;
    mpc_field_t f;
    mpc_triples_t t[2];
    mpc_powers_t pw[2];
    uint64_t *x[2], *y[2], *z[2], coef[4];
    double us[MAX_REPS];
    uint64_t bytes; /* sent by party 0 in the last repetition */
} beaver_bench_t;

static veil_status beaver_bench_party(mpc_chan_t *ch, int party, void *arg)
{
    beaver_bench_t *b = arg;
    veil_status st = VEIL_OK;
    veil_rng_t rng;
#ifdef _OPENMP
    omp_set_num_threads(b->threads);
#endif
    if (party == 0)
        st = veil_rng_init(&rng);
    for (int k = -1; k < b->reps && st == VEIL_OK; k++) { /* -1: warm-up */
        double t0;
        uint64_t sent = ch->bytes_sent;
        /* fresh tuples for every repetition, dealt before the clock */
        if (party == 0)
            st = b->poly ? mpc_powers_deal(&b->f, &rng, &b->pw[0], &b->pw[1])
                         : mpc_triples_deal(&b->f, &rng, &b->t[0], &b->t[1]);
        if (st != VEIL_OK || (st = sync_parties(ch)) != VEIL_OK)
            break;
        t0 = bench_now();
        if (b->poly)
            st = mpc_fixed_poly(&b->f, ch, party, &b->pw[party], b->z[party],
                                b->x[party], b->coef, 3, b->n);
        else
            st = mpc_beaver_mul(&b->f, ch, party, &b->t[party], b->z[party],
                                b->x[party], b->y[party], b->n);
        if (k >= 0 && party == 0) {
            b->us[k] = (bench_now() - t0) * 1e6;
            b->bytes = ch->bytes_sent - sent;
        }
    }
    if (party == 0)
        veil_rng_clear(&rng);
    return st;
}

static int run_beaver(const bench_opts_t *o, int poly, int reps)
{
    beaver_bench_t *b = calloc(1, sizeof(*b));
    const double c[4] = {0.125, 0.5, 0.25, -0.0625};
    void *args[2] = {b, b};
    veil_status st[2] = {VEIL_OK, VEIL_OK}, e = VEIL_ENOMEM;
    veil_rng_t rng;
    char extra[160];
    double med;
    int rc = 1;

    if (b == NULL)
        goto out;
    b->poly = poly;
    b->n = BEAVER_N;
    b->reps = reps;
    b->threads = o->threads;
    if ((e = mpc_field_init(&b->f, MPC_P_DELPHI, MPC_FRAC_BITS_DEFAULT)) ||
        (e = mpc_fixed_encode(&b->f, b->coef, c, 4)) ||
        (e = veil_rng_init(&rng)))
        goto out;
    for (int p = 0; p < 2; p++) {
        b->x[p] = veil_alloc(b->n * sizeof(uint64_t));
        b->y[p] = veil_alloc(b->n * sizeof(uint64_t));
        b->z[p] = veil_alloc(b->n * sizeof(uint64_t));
        if (b->x[p] == NULL || b->y[p] == NULL || b->z[p] == NULL) {
            e = VEIL_ENOMEM;
            goto out;
        }
        /* inputs: small fixed-point values (random shares of them) */
        mpc_field_vec_random(&b->f, &rng, b->x[p], b->n);
        mpc_field_vec_random(&b->f, &rng, b->y[p], b->n);
        if ((e = poly ? mpc_powers_init(&b->pw[p], b->n, 3)
                      : mpc_triples_init(&b->t[p], b->n)))
            goto out;
    }
    veil_rng_clear(&rng);
    e = mpc_run2(st, MPC_RUN_THREADS_TCP, beaver_bench_party, args);
    if (e != VEIL_OK || st[0] != VEIL_OK || st[1] != VEIL_OK)
        goto out;
    med = bench_median(b->us, reps);
    snprintf(extra, sizeof(extra),
             "\"us_per_element\":%.4f,\"bytes_per_element\":%.1f",
             med / (double)b->n, (double)b->bytes / (double)b->n);
    bench_report(o, "mpc", poly ? "poly3" : "beaver_mul", b->n, b->f.bits,
                 veil_isa_name(veil_isa_active()), o->threads, med, reps,
                 extra);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "veil-bench: mpc %s: %s / %s / %s\n",
                poly ? "poly3" : "beaver_mul", veil_strerror(e),
                veil_strerror(st[0]), veil_strerror(st[1]));
    if (b != NULL)
        for (int p = 0; p < 2; p++) {
            veil_free(b->x[p]);
            veil_free(b->y[p]);
            veil_free(b->z[p]);
            mpc_triples_clear(&b->t[p]);
            mpc_powers_clear(&b->pw[p]);
        }
    free(b);
    return rc;
}

/* ------------------------------------------------ triples from BFV */

typedef struct {
    mpc_field_t f;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    mpc_triples_t t[2];
    int reps, threads;
    double us[BFV_REPS];
    uint64_t bytes[2]; /* sent by server, client in the last run */
} bfv_bench_t;

static veil_status bfv_bench_party(mpc_chan_t *ch, int party, void *arg)
{
    bfv_bench_t *b = arg;
    veil_rng_t rng;
    veil_status st = veil_rng_init(&rng);
#ifdef _OPENMP
    omp_set_num_threads(b->threads);
#endif
    for (int k = -1; k < b->reps && st == VEIL_OK; k++) {
        double t0;
        uint64_t sent = ch->bytes_sent;
        if ((st = sync_parties(ch)) != VEIL_OK)
            break;
        t0 = bench_now();
        st = party == 0
                 ? mpc_triples_bfv_server(&b->t[0], &b->f, &b->ctx, ch, &rng)
                 : mpc_triples_bfv_client(&b->t[1], &b->f, &b->sk, &b->pk, ch,
                                          &rng);
        if (k >= 0 && party == 1) /* the client sees the whole exchange */
            b->us[k] = (bench_now() - t0) * 1e6;
        b->bytes[party] = ch->bytes_sent - sent;
    }
    veil_rng_clear(&rng);
    return st;
}

static int run_triples_bfv(const bench_opts_t *o)
{
    bfv_bench_t *b = calloc(1, sizeof(*b));
    bfv_params_t params;
    void *args[2] = {b, b};
    veil_status st[2] = {VEIL_OK, VEIL_OK}, e = VEIL_ENOMEM;
    veil_rng_t rng;
    int rc = 1, reps = o->runs < BFV_REPS ? o->runs : BFV_REPS;
    char extra[160];
    double med;

    if (b == NULL)
        goto out;
    b->reps = reps;
    b->threads = o->threads;
    if ((e = mpc_field_init(&b->f, MPC_P_DELPHI, MPC_FRAC_BITS_DEFAULT)) ||
        (e = mpc_bfv_params(&params, &b->f)) ||
        (e = bfv_context_init(&b->ctx, &params)) ||
        (e = bfv_secret_key_init(&b->sk, &b->ctx)) ||
        (e = bfv_public_key_init(&b->pk, &b->ctx)) || (e = veil_rng_init(&rng)))
        goto out;
    e = bfv_keygen_secret(&b->sk, &rng);
    if (e == VEIL_OK)
        e = bfv_keygen_public(&b->pk, &b->sk, &rng);
    veil_rng_clear(&rng);
    if (e || (e = mpc_triples_init(&b->t[0], BFV_TRIPLES_N)) ||
        (e = mpc_triples_init(&b->t[1], BFV_TRIPLES_N)))
        goto out;
    e = mpc_run2(st, MPC_RUN_THREADS_TCP, bfv_bench_party, args);
    if (e != VEIL_OK || st[0] != VEIL_OK || st[1] != VEIL_OK)
        goto out;
    med = bench_median(b->us, reps);
    snprintf(extra, sizeof(extra),
             "\"us_per_element\":%.3f,\"bytes_per_element\":%.1f",
             med / BFV_TRIPLES_N,
             (double)(b->bytes[0] + b->bytes[1]) / BFV_TRIPLES_N);
    bench_report(o, "mpc", "triples_bfv", BFV_TRIPLES_N, b->f.bits,
                 veil_isa_name(veil_isa_active()), o->threads, med, reps,
                 extra);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "veil-bench: mpc triples_bfv: %s / %s / %s\n",
                veil_strerror(e), veil_strerror(st[0]), veil_strerror(st[1]));
    if (b != NULL) {
        mpc_triples_clear(&b->t[0]);
        mpc_triples_clear(&b->t[1]);
        bfv_public_key_clear(&b->pk);
        bfv_secret_key_clear(&b->sk);
        bfv_context_clear(&b->ctx);
    }
    free(b);
    return rc;
}

int bench_mpc_ot(const bench_opts_t *o)
{
    int reps = o->runs < MAX_REPS ? o->runs : MAX_REPS, rc = 0;
    veil_isa_t keep = veil_isa_active(), isa;
    /* --isa: run on that path (avx512 enables the VAES, GFNI and IFMA
     * kernels, avx2 AES-NI; scalar runs the portable software AES) */
    if (o->isa != NULL && (veil_isa_parse(&isa, o->isa) != VEIL_OK ||
                           veil_isa_set(isa) != VEIL_OK)) {
        fprintf(stderr, "veil-bench: mpc: ISA '%s' not available\n", o->isa);
        return 1;
    }
    bench_header(o, "mpc: OT extension over TCP loopback, Beaver online "
                    "(2 threads, medians)");
    rc |= run_ot(o, 0, reps);
    rc |= run_ot(o, 1, reps);
    rc |= run_beaver(o, 0, reps);
    rc |= run_beaver(o, 1, reps);
    rc |= run_triples_bfv(o);
    if (veil_isa_set(keep) != VEIL_OK)
        rc = 1;
    return rc;
}
