/*
 * bench_mpc_ot.c - veil-bench suite "mpc", part 1: IKNP OT extension over
 * TCP on 127.0.0.1 (correlated and chosen-message), and Beaver
 * multiplication and degree-3 polynomials online over the same kind of
 * channel.  The two parties run as two threads of this process (one core
 * each on a two-core machine); a one-byte exchange lines them up before
 * each timed repetition, and party 0's median is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "veil/mpc.h"
#include "bench.h"

#define OT_COT_N (1u << 23)
#define OT_CHOSEN_N (1u << 21)
#define MAX_REPS 11

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int k)
{
    qsort(t, (size_t)k, sizeof(double), cmp_double);
    return k % 2 ? t[k / 2] : 0.5 * (t[k / 2 - 1] + t[k / 2]);
}

static veil_status sync_parties(mpc_chan_t *ch)
{
    uint8_t out = 1, in;
    return mpc_chan_exchange(ch, &in, &out, 1);
}

/* --------------------------------------------------------------- OT */

typedef struct {
    int chosen;         /* 0: correlated, 1: chosen-message */
    size_t n;
    int reps;
    double us[MAX_REPS];
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
        double t0;
        if ((st = sync_parties(ch)) != VEIL_OK)
            break;
        t0 = bench_now();
        if (party == 0)
            st = b->chosen ? mpc_ot_send(&s, ch, x0, x1, b->n)
                           : mpc_ot_send_cot(&s, ch, x0, b->n);
        else
            st = b->chosen ? mpc_ot_recv(&r, ch, x0, c, b->n)
                           : mpc_ot_recv_cot(&r, ch, x0, c, b->n);
        if (k >= 0 && party == 0)
            b->us[k] = (bench_now() - t0) * 1e6;
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
    ot_bench_t b = {chosen, chosen ? OT_CHOSEN_N : OT_COT_N, reps, {0}};
    void *args[2] = {&b, &b};
    veil_status st[2], e;
    double med;
    char extra[96];

    e = mpc_run2(st, MPC_RUN_THREADS_TCP, ot_bench_party, args);
    if (e != VEIL_OK || st[0] != VEIL_OK || st[1] != VEIL_OK) {
        fprintf(stderr, "veil-bench: mpc OT: %s / %s / %s\n", veil_strerror(e),
                veil_strerror(st[0]), veil_strerror(st[1]));
        return 1;
    }
    med = median(b.us, reps);
    snprintf(extra, sizeof(extra), "\"per_second\":%.0f", (double)b.n / med * 1e6);
    bench_report(o, "mpc", chosen ? "ot_chosen" : "ot_iknp_correlated", b.n,
                 128, veil_isa_name(veil_isa_active()), 1, med, reps, extra);
    return 0;
}

int bench_mpc_ot(const bench_opts_t *o)
{
    int reps = o->runs < MAX_REPS ? o->runs : MAX_REPS, rc = 0;
    if (!mpc_aes_available()) {
        fprintf(stderr, "veil-bench: mpc: this CPU has no AES-NI\n");
        return 1;
    }
    bench_header(o, "mpc: OT extension over TCP loopback, Beaver online "
                    "(2 threads, medians)");
    rc |= run_ot(o, 0, reps);
    rc |= run_ot(o, 1, reps);
    return rc;
}
