/*
 * bench_mpc_gc.c - veil-bench suite "mpc", part 2: garbled circuits.
 *
 *   garble_and / eval_and  half-gates AND gates per second in memory on
 *                          --threads cores (1 by default, the issue's
 *                          one-core figure), on a batch of GC_MEM_N ReLU
 *                          circuits (206 ANDs and their XORs each), for
 *                          every kernel the machine runs (--isa avx512:
 *                          VAES, avx2 / scalar: AES-NI)
 *   relu                   batches of 10^4 and 10^5 ReLUs on shares in the
 *                          Delphi offline/online split, server and client
 *                          as two threads over TCP on 127.0.0.1 (one core
 *                          each); time per element of each phase (the later
 *                          of the two parties to finish, median of the
 *                          repetitions) and bytes per element (both
 *                          directions, frame headers included; the one-off
 *                          base OTs are not counted)
 *
 * The development machine is shared, so every row also gives CPU times:
 * "cpu_per_second" for the in-memory rows is AND gates per second of CPU
 * time summed over the threads (a per-core rate), and the ReLU rows give
 * the server's and the client's thread CPU time per element and phase.
 * Wall time is what a dedicated machine would see only when the machine
 * is otherwise idle.
 */
#include "bench.h"
#include "veil/mpc_gc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define GC_MEM_N 8192
#define MAX_REPS 51

/* Medians of the wall and CPU times of `runs` calls of fn (after one
 * warm-up call), in microseconds; the CPU time is the process's, summed
 * over its (OpenMP) threads. */
static void time_runs(void (*fn)(void *), void *arg, int runs, double *wall,
                      double *cpu)
{
    double w[MAX_REPS], c[MAX_REPS];
    fn(arg);
    for (int i = 0; i < runs; i++) {
        double w0 = bench_now(), c0 = bench_process_cpu();
        fn(arg);
        c[i] = (bench_process_cpu() - c0) * 1e6;
        w[i] = (bench_now() - w0) * 1e6;
    }
    *wall = bench_median(w, runs);
    *cpu = bench_median(c, runs);
}

/* ------------------------------------------------------------- in memory */

typedef struct {
    mpc_circuit_t c;
    mpc_gc_garbler_t g;
    mpc_gc_evaluator_t e;
    mpc_block_t *zero, *lab, *tab;
    uint8_t *dec, *out;
    uint64_t ctr; /* the AND counter the tables were garbled at */
    veil_status st;
} mem_bench_t;

static void garble_once(void *arg)
{
    mem_bench_t *m = arg;
    m->ctr = m->g.and_ctr;
    if (m->st == VEIL_OK)
        m->st = mpc_gc_garble(&m->g, m->tab, m->dec, &m->c, m->zero, GC_MEM_N);
}

static void eval_once(void *arg)
{
    mem_bench_t *m = arg;
    m->e.and_ctr = m->ctr;
    if (m->st == VEIL_OK)
        m->st =
            mpc_gc_eval(&m->e, m->out, &m->c, m->lab, m->tab, m->dec, GC_MEM_N);
}

static int run_mem(const bench_opts_t *o, veil_isa_t isa)
{
    mem_bench_t m;
    size_t n_in;
    uint8_t *bits;
    int runs = o->runs < MAX_REPS ? o->runs : MAX_REPS, rc = 1;
    double us_g, us_e, cpu_g, cpu_e, ands;
    char extra[160];

    memset(&m, 0, sizeof(m));
    if (veil_isa_set(isa) != VEIL_OK)
        return 0;
#ifdef _OPENMP
    omp_set_num_threads(o->threads); /* --threads, 1 by default */
#endif
    if ((m.st = mpc_circuit_relu(&m.c, MPC_FIELD_P_DEFAULT)) ||
        (m.st = mpc_gc_garbler_init(&m.g, NULL)) ||
        (m.st = mpc_gc_evaluator_init(&m.e)))
        goto out;
    m.e.tweak = m.g.tweak; /* the session tweak the protocol would send */
    n_in = m.c.n_gin + m.c.n_ein;
    m.zero = veil_alloc(GC_MEM_N * n_in * sizeof(mpc_block_t));
    m.lab = veil_alloc(GC_MEM_N * n_in * sizeof(mpc_block_t));
    m.tab = veil_alloc((size_t)GC_MEM_N * m.c.n_and * 2 * sizeof(mpc_block_t));
    m.dec = malloc(GC_MEM_N * m.c.n_out);
    m.out = malloc(GC_MEM_N * m.c.n_out);
    bits = calloc(GC_MEM_N * n_in, 1);
    if (!m.zero || !m.lab || !m.tab || !m.dec || !m.out || !bits) {
        free(bits);
        m.st = VEIL_ENOMEM;
        goto out;
    }
    mpc_gc_random_labels(&m.g, m.zero, GC_MEM_N * n_in);
    mpc_gc_encode(m.lab, &m.g, m.zero, bits, GC_MEM_N * n_in);
    free(bits);
    time_runs(garble_once, &m, runs, &us_g, &cpu_g);
    time_runs(eval_once, &m, runs, &us_e, &cpu_e);
    if (m.st != VEIL_OK)
        goto out;
    ands = (double)GC_MEM_N * m.c.n_and;
    snprintf(extra, sizeof(extra),
             "\"per_second\":%.0f,\"cpu_per_second\":%.0f,"
             "\"bytes_per_and\":%zu,\"kernel\":\"%s\",\"circuit\":\"relu\"",
             ands / us_g * 1e6, ands / cpu_g * 1e6, 2 * sizeof(mpc_block_t),
             mpc_gc_kernel_name());
    bench_report(o, "mpc", "garble_and", GC_MEM_N, 41, veil_isa_name(isa),
                 o->threads, us_g, runs, extra);
    snprintf(extra, sizeof(extra),
             "\"per_second\":%.0f,\"cpu_per_second\":%.0f,\"kernel\":\"%s\","
             "\"circuit\":\"relu\"",
             ands / us_e * 1e6, ands / cpu_e * 1e6, mpc_gc_kernel_name());
    bench_report(o, "mpc", "eval_and", GC_MEM_N, 41, veil_isa_name(isa),
                 o->threads, us_e, runs, extra);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "veil-bench: mpc gc in memory: %s\n",
                veil_strerror(m.st));
    mpc_circuit_clear(&m.c);
    mpc_gc_garbler_clear(&m.g);
    mpc_gc_evaluator_clear(&m.e);
    veil_free(m.zero);
    veil_free(m.lab);
    veil_free(m.tab);
    free(m.dec);
    free(m.out);
    return rc;
}

/* ------------------------------------------------------- ReLU, two parties */

typedef struct {
    const mpc_circuit_t *relu;
    size_t n;
    int reps;
    uint64_t *c, *s, *r, *y;
    double off_us[2][MAX_REPS], on_us[2][MAX_REPS];   /* wall, per party */
    double off_cpu[2][MAX_REPS], on_cpu[2][MAX_REPS]; /* thread CPU      */
    uint64_t off_bytes, on_bytes; /* party 0, both directions, last rep */
} relu_bench_t;

static veil_status sync_parties(mpc_chan_t *ch)
{
    uint8_t out = 1, in;
    return mpc_chan_exchange(ch, &in, &out, 1);
}

static uint64_t traffic(const mpc_chan_t *ch)
{
    return ch->bytes_sent + ch->bytes_received;
}

static veil_status relu_bench_party(mpc_chan_t *ch, int party, void *arg)
{
    relu_bench_t *b = arg;
    const uint64_t p = MPC_FIELD_P_DEFAULT;
    mpc_gc_gparty_t g;
    mpc_gc_eparty_t e;
    veil_status st;
    mpc_gc_gbatch_t gb;
    mpc_gc_ebatch_t eb;
    mpc_gc_gbatch_init(&gb);
    mpc_gc_ebatch_init(&eb);
    st = party == 0 ? mpc_gc_gparty_init(&g, ch) : mpc_gc_eparty_init(&e, ch);
    if (st != VEIL_OK)
        return st;
    /* one batch object serves every repetition, as it would a stream of
     * batches: its buffers are faulted in once, in the warm-up */
    for (int k = -1; k < b->reps && st == VEIL_OK; k++) { /* -1: warm-up */
        uint64_t bytes0;
        double t0, t1, c0;
        if ((st = sync_parties(ch)) != VEIL_OK)
            break;
        bytes0 = traffic(ch);
        t0 = bench_now();
        c0 = bench_thread_cpu();
        st = party == 0
                 ? mpc_relu_offline_server(&gb, &g, ch, b->relu, p, b->r, b->n)
                 : mpc_relu_offline_client(&eb, &e, ch, b->relu, p, b->c, b->n);
        t1 = bench_now();
        if (k >= 0) {
            b->off_us[party][k] = (t1 - t0) * 1e6;
            b->off_cpu[party][k] = (bench_thread_cpu() - c0) * 1e6;
            if (party == 0)
                b->off_bytes = traffic(ch) - bytes0;
        }
        if (st == VEIL_OK && (st = sync_parties(ch)) == VEIL_OK) {
            bytes0 = traffic(ch);
            t0 = bench_now();
            c0 = bench_thread_cpu();
            st = party == 0 ? mpc_relu_online_server(&gb, &g, ch, p, b->s)
                            : mpc_relu_online_client(&eb, &e, ch, b->y);
            t1 = bench_now();
            if (k >= 0) {
                b->on_us[party][k] = (t1 - t0) * 1e6;
                b->on_cpu[party][k] = (bench_thread_cpu() - c0) * 1e6;
                if (party == 0)
                    b->on_bytes = traffic(ch) - bytes0;
            }
        }
    }
    mpc_gc_gbatch_clear(&gb);
    mpc_gc_ebatch_clear(&eb);
    if (party == 0)
        mpc_gc_gparty_clear(&g);
    else
        mpc_gc_eparty_clear(&e);
    return st;
}

static int run_relu(const bench_opts_t *o, size_t n)
{
    const uint64_t p = MPC_FIELD_P_DEFAULT;
    relu_bench_t *b = calloc(1, sizeof(*b));
    mpc_circuit_t relu;
    void *args[2] = {b, b};
    veil_status st[2] = {VEIL_OK, VEIL_OK}, e = VEIL_ENOMEM;
    veil_rng_t rng;
    double off[MAX_REPS], on[MAX_REPS], tot[MAX_REPS], moff, mon;
    char extra[512];
    int rc = 1, cap = n >= 100000 ? 5 : 11;

    mpc_circuit_init(&relu);
    if (b == NULL || (e = mpc_circuit_relu(&relu, p)) != VEIL_OK ||
        (e = veil_rng_init(&rng)) != VEIL_OK)
        goto out;
    b->relu = &relu;
    b->n = n;
    b->reps = o->runs < cap ? o->runs : cap;
    b->c = malloc(n * sizeof(uint64_t));
    b->s = malloc(n * sizeof(uint64_t));
    b->r = malloc(n * sizeof(uint64_t));
    b->y = malloc(n * sizeof(uint64_t));
    e = VEIL_ENOMEM;
    if (!b->c || !b->s || !b->r || !b->y) {
        veil_rng_clear(&rng);
        goto out;
    }
    veil_rng_uniform_mod(&rng, b->c, n, p);
    veil_rng_uniform_mod(&rng, b->s, n, p);
    veil_rng_uniform_mod(&rng, b->r, n, p);
    veil_rng_clear(&rng);
    e = mpc_run2(st, MPC_RUN_THREADS_TCP, relu_bench_party, args);
    if (e != VEIL_OK || st[0] != VEIL_OK || st[1] != VEIL_OK)
        goto out;
    /* the output must be right, or the timing means nothing */
    for (size_t i = 0; i < n; i++)
        if (b->y[i] != mpc_relu_ref(b->c[i], b->s[i], b->r[i], p)) {
            fprintf(stderr, "veil-bench: mpc relu: wrong output\n");
            goto out;
        }
    for (int k = 0; k < b->reps; k++) {
        off[k] = b->off_us[0][k] > b->off_us[1][k] ? b->off_us[0][k]
                                                   : b->off_us[1][k];
        on[k] =
            b->on_us[0][k] > b->on_us[1][k] ? b->on_us[0][k] : b->on_us[1][k];
        tot[k] = off[k] + on[k];
    }
    moff = bench_median(off, b->reps) / (double)n;
    mon = bench_median(on, b->reps) / (double)n;
    snprintf(extra, sizeof(extra),
             "\"batch\":%zu,\"and_gates\":%u,\"offline_us_per_element\":%.3f,"
             "\"online_us_per_element\":%.3f,\"total_us_per_element\":%.3f,"
             "\"offline_bytes_per_element\":%.0f,"
             "\"online_bytes_per_element\":%.0f,\"bytes_per_element\":%.0f,"
             "\"cpu_us_per_element\":{\"server_offline\":%.3f,"
             "\"client_offline\":%.3f,\"server_online\":%.3f,"
             "\"client_online\":%.3f},\"kernel\":\"%s\"",
             n, relu.n_and, moff, mon, bench_median(tot, b->reps) / (double)n,
             (double)b->off_bytes / (double)n, (double)b->on_bytes / (double)n,
             (double)(b->off_bytes + b->on_bytes) / (double)n,
             bench_median(b->off_cpu[0], b->reps) / (double)n,
             bench_median(b->off_cpu[1], b->reps) / (double)n,
             bench_median(b->on_cpu[0], b->reps) / (double)n,
             bench_median(b->on_cpu[1], b->reps) / (double)n,
             mpc_gc_kernel_name());
    bench_report(o, "mpc", "relu", n, 41, veil_isa_name(veil_isa_active()), 1,
                 bench_median(tot, b->reps), b->reps, extra);
    rc = 0;
out:
    if (rc && (e != VEIL_OK || st[0] != VEIL_OK || st[1] != VEIL_OK))
        fprintf(stderr, "veil-bench: mpc relu: %s / %s / %s\n",
                veil_strerror(e), veil_strerror(st[0]), veil_strerror(st[1]));
    if (b != NULL) {
        free(b->c);
        free(b->s);
        free(b->r);
        free(b->y);
    }
    free(b);
    mpc_circuit_clear(&relu);
    return rc;
}

int bench_mpc_gc(const bench_opts_t *o)
{
    veil_isa_t want;
    int rc = 0;
    bench_header(o, "mpc: garbled circuits (half-gates, ReLU over F_p)");
    /* in memory: the kernel --isa selects, or VAES (avx512) and AES-NI */
    if (o->isa != NULL && veil_isa_parse(&want, o->isa) == VEIL_OK) {
        if (veil_isa_supported(want))
            rc |= run_mem(o, want);
    } else {
        if (veil_isa_supported(VEIL_ISA_AVX512))
            rc |= run_mem(o, VEIL_ISA_AVX512);
        rc |= run_mem(o, veil_isa_supported(VEIL_ISA_AVX2) ? VEIL_ISA_AVX2
                                                           : VEIL_ISA_SCALAR);
    }
    /* the protocol on the same choice: --isa, else the best path */
    if (o->isa == NULL || veil_isa_parse(&want, o->isa) != VEIL_OK ||
        !veil_isa_supported(want))
        want = veil_isa_best();
    rc |= veil_isa_set(want) != VEIL_OK;
    rc |= run_relu(o, 10000);
    rc |= run_relu(o, 100000);
    rc |= veil_isa_set(veil_isa_best()) != VEIL_OK;
    return rc;
}
