/*
 * bench_safenet.c - veil-bench suite "safenet": CNN-7 (3x32x32, generated
 * He-initialised weights) end to end, both parties in this process over
 * TCP on 127.0.0.1, for the plans relu, delphi and safenet80, with 1 and 2
 * OpenMP threads per party (only T with --threads T).  One JSON object per
 * (plan, threads):
 * {"suite":"safenet","op":"cnn7","plan":"relu","threads":1,
 *  "offline_he_s":...,"offline_act_s":...,"online_s":...,"total_s":...,
 *  "bytes_offline":...,"bytes_online":...,"relus":...,"polys":...,
 *  "peak_rss_mb":...,"agree":true,"runs":R,"setup_s":...}
 * Times are medians over R = min(--runs, 3) inferences (one CNN-7
 * inference takes tens of seconds); set-up (keys, base OTs) is reported
 * apart and not in total_s.  agree: every inference's logits equal the
 * reference evaluator's (within its error interval) with the same class.
 * cpu_s_per_run: user + system CPU of both parties (set-up included),
 * per inference: the figure that does not depend on how busy the machine
 * is.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "veil/safenet.h"

#define MAX_RUNS 3

typedef struct {
    const safenet_net_t *net;
    int runs, threads;
    const uint64_t *x;
    uint64_t *out;
    safenet_stats_t st[MAX_RUNS];
    char why[160];
} party_t;

static veil_status party_fn(mpc_chan_t *ch, int party, void *varg)
{
    party_t *a = varg;
    safenet_party_t P;
    const size_t nin = nn_shape_size(a->net->in);
    /* OpenMP's thread count is per thread: set it in each party's */
    omp_set_num_threads(a->threads);
    const size_t nout = safenet_net_out_size(a->net);
    /* a CNN-7 step can take minutes on a loaded machine (the client's
     * Galois keys, a layer's garbled tables): the channel's 60 s idle
     * limit would cut the benchmark short */
    safenet_opts_t opts = {0, 600000};
    veil_status st = safenet_party_init(
        &P, party == 0 ? SAFENET_CLIENT : SAFENET_SERVER, a->net, &opts, ch);
    for (int k = 0; st == VEIL_OK && k < a->runs; k++) {
        st = safenet_offline(&P);
        if (st == VEIL_OK)
            st = party == 0 ? safenet_online_client(&P, a->out + k * nout,
                                                    a->x + k * nin)
                            : safenet_online_server(&P);
        a->st[k] = P.stats;
    }
    snprintf(a->why, sizeof(a->why), "%s", P.why);
    safenet_party_clear(&P);
    return st;
}

static int run_plan(const bench_opts_t *o, safenet_plan_t plan,
                    const char *name, int threads)
{
    nn_model_t m;
    nn_shape_t in = {3, 32, 32};
    safenet_net_t net;
    uint8_t seed[VEIL_SEED_BYTES] = "veil safenet cnn7 generated";
    veil_rng_t rng;
    party_t c, s;
    safenet_ref_t ref;
    veil_status pst[2];
    void *args[2] = {&c, &s};
    const int runs = o->runs < MAX_RUNS ? o->runs : MAX_RUNS;
    double he[MAX_RUNS], act[MAX_RUNS], on[MAX_RUNS], tot[MAX_RUNS];
    uint64_t boff = 0, bon = 0;
    int agree = 1;
    unsigned frac = SAFENET_FRAC_DEFAULT;
    char why[200];
    struct rusage ru;
    double cpu0, cpu;
    size_t nin, nout;

    omp_set_num_threads(threads);
    if (nn_model_cnn7(&m, in) != VEIL_OK)
        return 1;
    veil_rng_init_seed(&rng, seed);
    nn_model_init_params(&m, &rng, 1.41421356f);
    if (safenet_net_from_model(&net, &m, SAFENET_P_DEFAULT, frac, frac, plan,
                               why, sizeof(why)) != VEIL_OK) {
        fprintf(stderr, "veil-bench safenet: %s\n", why);
        nn_model_clear(&m);
        return 1;
    }
    nn_model_clear(&m);
    nin = nn_shape_size(net.in);
    nout = safenet_net_out_size(&net);
    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    c.net = s.net = &net;
    c.runs = s.runs = runs;
    c.threads = s.threads = threads;
    c.x = calloc((size_t)runs * nin, sizeof(uint64_t));
    c.out = calloc((size_t)runs * nout, sizeof(uint64_t));
    if (c.x == NULL || c.out == NULL)
        return 1;
    for (int k = 0; k < runs; k++) {
        float *fin = malloc(nin * sizeof(float));
        for (size_t i = 0; i < nin; i++) {
            uint32_t u;
            veil_rng_bytes(&rng, &u, sizeof(u));
            fin[i] = (float)u / 4294967296.0f;
        }
        if (safenet_encode_input(&net, (uint64_t *)c.x + k * nin, fin) !=
            VEIL_OK)
            return 1;
        free(fin);
    }
    getrusage(RUSAGE_SELF, &ru);
    cpu0 = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    if (mpc_run2(pst, MPC_RUN_THREADS_TCP, party_fn, args) != VEIL_OK ||
        pst[0] != VEIL_OK || pst[1] != VEIL_OK) {
        fprintf(stderr, "veil-bench safenet: %s: %s (%s) / %s (%s)\n", name,
                c.why, veil_strerror(pst[0]), s.why, veil_strerror(pst[1]));
        return 1;
    }
    if (safenet_ref_init(&ref, &net) != VEIL_OK)
        return 1;
    for (int k = 0; k < runs; k++) {
        const safenet_stats_t *st = &c.st[k];
        const uint64_t *out = c.out + k * nout;
        size_t cls = 0, rcls = 0;
        he[k] = act[k] = 0;
        for (uint32_t i = 0; i < net.nlayers; i++) {
            he[k] += st->layer[i].offline_he_s;
            act[k] += st->layer[i].offline_act_s;
            if (k == 0) {
                boff += st->layer[i].off_sent + st->layer[i].off_recv;
                bon += st->layer[i].on_sent + st->layer[i].on_recv;
            }
        }
        on[k] = st->online_s;
        tot[k] = st->offline_s + st->online_s;
        if (safenet_ref_eval(&ref, &net, c.x + k * nin) != VEIL_OK)
            return 1;
        for (size_t i = 0; i < nout; i++) {
            int64_t d = mpc_field_to_signed(
                &net.f, mpc_field_sub(&net.f, out[i], ref.out[i]));
            if (d < ref.lo[i] || d > ref.hi[i] ||
                (ref.unbounded &&
                 (double)(d < 0 ? -d : d) > safenet_net_out_scale(&net) / 8))
                agree = 0;
            if (mpc_field_to_signed(&net.f, out[i]) >
                mpc_field_to_signed(&net.f, out[cls]))
                cls = i;
            if (mpc_field_to_signed(&net.f, ref.out[i]) >
                mpc_field_to_signed(&net.f, ref.out[rcls]))
                rcls = i;
        }
        agree &= cls == rcls;
    }
    getrusage(RUSAGE_SELF, &ru);
    cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
          (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec -
          cpu0;
    if (o->json) {
        printf("{\"suite\":\"safenet\",\"op\":\"cnn7\",\"plan\":\"%s\","
               "\"threads\":%d,\"offline_he_s\":%.3f,\"offline_act_s\":%.3f,"
               "\"online_s\":%.3f,\"total_s\":%.3f,\"bytes_offline\":%llu,"
               "\"bytes_online\":%llu,\"relus\":%zu,\"polys\":%zu,"
               "\"peak_rss_mb\":%.0f,\"agree\":%s,\"runs\":%d,"
               "\"setup_s\":%.3f,\"frac\":%u,\"cpu_s_per_run\":%.2f}\n",
               name, threads, bench_median(he, runs), bench_median(act, runs),
               bench_median(on, runs), bench_median(tot, runs),
               (unsigned long long)boff, (unsigned long long)bon,
               safenet_net_relus(&net), safenet_net_polys(&net),
               (double)ru.ru_maxrss / 1024.0, agree ? "true" : "false", runs,
               c.st[0].setup_s, frac, cpu / runs);
    } else {
        printf("  cnn7 %-10s T=%d  HE %7.2f s  act %7.2f s  online %6.3f s  "
               "total %7.2f s  off %8.1f MB  on %7.1f MB  relus %6zu  "
               "polys %6zu  rss %5.0f MB  cpu/run %6.1f s  agree %s\n",
               name, threads, bench_median(he, runs), bench_median(act, runs),
               bench_median(on, runs), bench_median(tot, runs),
               (double)boff / 1e6, (double)bon / 1e6, safenet_net_relus(&net),
               safenet_net_polys(&net), (double)ru.ru_maxrss / 1024.0,
               cpu / runs, agree ? "yes" : "NO");
    }
    fflush(stdout);
    safenet_ref_clear(&ref);
    free((void *)c.x);
    free(c.out);
    safenet_net_clear(&net);
    return agree ? 0 : 1;
}

int bench_safenet(const bench_opts_t *o)
{
    static const struct {
        safenet_plan_t plan;
        const char *name;
    } plans[] = {{SAFENET_PLAN_RELU, "relu"},
                 {SAFENET_PLAN_DELPHI, "delphi"},
                 {SAFENET_PLAN_SAFENET80, "safenet80"}};
    const char *only = getenv("VEIL_BENCH_SAFENET_PLAN");
    int rc = 0;
    bench_header(o, "safenet: CNN-7 3x32x32 end to end (both parties, TCP "
                    "loopback)");
    const int t0 = o->threads_set ? o->threads : 1;
    const int t1 = o->threads_set ? o->threads : 2;
    for (size_t p = 0; p < sizeof(plans) / sizeof(plans[0]); p++)
        for (int t = t0; t <= t1; t++) {
            if (only != NULL && strcmp(only, plans[p].name) != 0)
                continue;
            rc |= run_plan(o, plans[p].plan, plans[p].name, t);
        }
    return rc;
}
