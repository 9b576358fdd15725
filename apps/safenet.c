/*
 * safenet - SAFENet private inference (Delphi's offline / online protocol
 * with channel-wise ReLU / polynomial activations).  doc/22-safenet.md.
 *
 *   apps/safenet                          CNN-7 on a few inputs, one process
 *   apps/safenet --plan delphi --json     Delphi's layer-wise baseline
 *   apps/safenet --serve 5555 &           server in its own process ...
 *   apps/safenet --connect 127.0.0.1:5555 ... and the client
 *
 * The client holds the input, the server the model; both load the same
 * model file (the client uses its public part: shapes, activation kinds
 * and coefficients; its hash is checked in the handshake).  The client
 * checks every prediction against the plaintext reference evaluator.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "veil/safenet.h"

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

#define PROG "safenet"
#define NET_TIMEOUT_MS 600000
#define MAX_COUNT 100000

typedef struct {
    const char *model, *plan, *serve, *connect, *bind, *data;
    int offset;
    int count, threads, json, dealer;
    unsigned frac, wfrac;
} opts_t;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: " PROG " [options]\n"
        "SAFENet private inference: a client holding an input and a server\n"
        "holding a CNN compute the prediction together (Delphi's protocol:\n"
        "HE offline linear layers, garbled-circuit ReLUs, Beaver-triple\n"
        "polynomials); only the client learns the logits.\n\n"
        "  --model FILE       .vmodel network (default: CNN-7 for 3x32x32\n"
        "                     with generated He-initialised weights)\n"
        "  --plan P           relu: every activation a ReLU (Gazelle, Delphi)\n"
        "                     delphi: the last six activation layers become\n"
        "                       degree-2 polynomials (Delphi's baseline)\n"
        "                     safenet80: 80%% of the channels of every\n"
        "                       activation layer replaced (mixed degrees)\n"
        "                     FILE: a .vmodel with its per-channel plan\n"
        "                     (default: the model's own activations)\n"
        "  --count N          inferences (default 2)\n"
        "  --data DIR         MNIST directory for a 1x32x32 model (default:\n"
        "                     $MNIST_DIR, ../shared/data/mnist, ./data/mnist)\n"
        "  --offset I         first MNIST test image (default 0)\n"
        "  --threads T        OpenMP threads per party (default: all)\n"
        "  --json             one JSON object per inference and a summary\n"
        "  --serve PORT       be the server, on PORT (--bind ADDR, default\n"
        "                     127.0.0.1)\n"
        "  --connect H:PORT   be the client of a server at H:PORT\n"
        "  --frac F           fractional bits of activations (default 15)\n"
        "  --wfrac F          fractional bits of weights (default 15)\n"
        "  --insecure-dealer  trusted-dealer stand-ins for the offline phase\n"
        "                     (INSECURE: testing only; both sides)\n"
        "  -h, --help         this text\n"
        "Without --serve / --connect both parties run in this process.\n");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* ============================================================ networks */

/* CNN-7 of MiniONN / Delphi / SAFENet (issue 9) for 3x32x32 inputs with
 * generated weights of realistic scale: He initialisation (variance
 * 2 / fan_in, nn_model_init_params with gain sqrt 2), biases 0, from a
 * fixed seed so that the two parties of a TCP run build the same model. */
static veil_status cnn7_generated(nn_model_t *m)
{
    nn_shape_t in = {3, 32, 32};
    uint8_t seed[VEIL_SEED_BYTES] = "veil safenet cnn7 generated";
    veil_rng_t rng;
    veil_status st = nn_model_cnn7(m, in);
    if (st != VEIL_OK)
        return st;
    veil_rng_init_seed(&rng, seed);
    nn_model_init_params(m, &rng, 1.41421356f);
    return VEIL_OK;
}

/* ============================================================ the run */

typedef struct {
    const safenet_net_t *net;
    safenet_opts_t sopts;
    int count;
    const uint64_t *x;      /* count inputs */
    uint64_t *out;          /* count outputs */
    safenet_stats_t *stats; /* count */
    double *offline_s, *online_s;
    int progress, threads;
    char why[160];
} party_arg_t;

static veil_status party_fn(mpc_chan_t *ch, int party, void *varg)
{
    party_arg_t *a = varg;
    safenet_party_t P;
    veil_status st;
    const size_t nin = nn_shape_size(a->net->in);
    const size_t nout = safenet_net_out_size(a->net);
    ch->timeout_ms = NET_TIMEOUT_MS;
    /* OpenMP's thread count is per thread: set it in each party's */
    if (a->threads > 0)
        omp_set_num_threads(a->threads);
    st = safenet_party_init(&P, party == 0 ? SAFENET_CLIENT : SAFENET_SERVER,
                            a->net, &a->sopts, ch);
    for (int k = 0; st == VEIL_OK && (party == 1 || k < a->count); k++) {
        if (party == 0 && a->progress)
            fprintf(stderr, "\r" PROG ": inference %d/%d: offline...   ", k + 1,
                    a->count);
        st = safenet_offline(&P);
        if (party == 1 && st == VEIL_ECLOSED) { /* the client is done */
            st = VEIL_OK;
            break;
        }
        if (st == VEIL_OK && party == 0 && a->progress)
            fprintf(stderr, "\r" PROG ": inference %d/%d: online...    ", k + 1,
                    a->count);
        if (st == VEIL_OK)
            st = party == 0 ? safenet_online_client(&P, a->out + k * nout,
                                                    a->x + k * nin)
                            : safenet_online_server(&P);
        if (st == VEIL_OK && party == 0) {
            a->stats[k] = P.stats;
            a->offline_s[k] = P.stats.offline_s;
            a->online_s[k] = P.stats.online_s;
        }
    }
    if (st == VEIL_OK && party == 0)
        st = safenet_client_done(&P);
    if (party == 0 && a->progress)
        fprintf(stderr, "\r%60s\r", "");
    snprintf(a->why, sizeof(a->why), "%s", P.why);
    safenet_party_clear(&P);
    return st;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static size_t argmax_signed(const safenet_net_t *net, const uint64_t *v,
                            size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (mpc_field_to_signed(&net->f, v[i]) >
            mpc_field_to_signed(&net->f, v[best]))
            best = i;
    return best;
}

/* The client's report: per-layer table, per-inference lines, summary. */
static int report(const opts_t *o, const safenet_net_t *net,
                  const party_arg_t *c, const uint64_t *x,
                  const char *plan_name, const uint8_t *labels)
{
    const size_t nout = safenet_net_out_size(net);
    const double sc = safenet_net_out_scale(net);
    safenet_ref_t ref;
    int agree = 0, correct = 0;
    char corr[24];
    double *tot = malloc(sizeof(double) * (size_t)o->count);
    double *on = malloc(sizeof(double) * (size_t)o->count);
    if (tot == NULL || on == NULL || safenet_ref_init(&ref, net) != VEIL_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        return 1;
    }
    if (!o->json) {
        const safenet_stats_t *s = &c->stats[0];
        uint64_t ts = 0, tr = 0;
        double the = 0, tac = 0, ton = 0;
        printf("%-3s %-6s %-10s %8s %8s %9s %9s %9s %11s %11s\n", "#", "op",
               "out", "relus", "polys", "off.he_s", "off.act_s", "online_s",
               "sent_MB", "recv_MB");
        for (uint32_t i = 0; i < net->nlayers; i++) {
            const safenet_layer_t *L = &net->layers[i];
            const safenet_layer_stats_t *l = &s->layer[i];
            char shp[32];
            snprintf(shp, sizeof(shp), "%ux%ux%u", L->out.c, L->out.h,
                     L->out.w);
            printf("%-3u %-6s %-10s %8zu %8zu %9.3f %9.3f %9.3f %11.2f "
                   "%11.2f\n",
                   i, safenet_op_name(L->op), shp, L->relus, L->polys,
                   l->offline_he_s, l->offline_act_s, l->online_s,
                   (double)(l->off_sent + l->on_sent) / 1e6,
                   (double)(l->off_recv + l->on_recv) / 1e6);
            the += l->offline_he_s;
            tac += l->offline_act_s;
            ton += l->online_s;
            ts += l->off_sent + l->on_sent;
            tr += l->off_recv + l->on_recv;
        }
        printf("%-3s %-6s %-10s %8zu %8zu %9.3f %9.3f %9.3f %11.2f %11.2f\n",
               "", "total", "", safenet_net_relus(net), safenet_net_polys(net),
               the, tac, ton, (double)ts / 1e6, (double)tr / 1e6);
        printf("(first inference, client's view; sent = client to server; "
               "set-up %.3f s)\n\n",
               s->setup_s);
    }
    for (int k = 0; k < o->count; k++) {
        const uint64_t *out = c->out + (size_t)k * nout;
        size_t cls, rcls, outl = 0;
        double maxerr = 0;
        if (safenet_ref_eval(
                &ref, net, x + (size_t)k * nn_shape_size(net->in)) != VEIL_OK) {
            fprintf(stderr, PROG ": reference evaluation failed\n");
            return 1;
        }
        for (size_t i = 0; i < nout; i++) {
            int64_t d = mpc_field_to_signed(
                &net->f, mpc_field_sub(&net->f, out[i], ref.out[i]));
            /* outside the reference's error interval, or, when the
             * worst-case interval saturated (deep networks), more than
             * 1/8 in real units off (doc/22, "Checking the protocol") */
            if (d < ref.lo[i] || d > ref.hi[i] ||
                (ref.unbounded && fabs((double)d) > sc / 8))
                outl++;
            if (fabs((double)d) / sc > maxerr)
                maxerr = fabs((double)d) / sc;
        }
        cls = argmax_signed(net, out, nout);
        rcls = argmax_signed(net, ref.out, nout);
        if (cls == rcls && outl == 0)
            agree++;
        if (labels != NULL && cls == labels[k])
            correct++;
        tot[k] = c->offline_s[k] + c->online_s[k];
        on[k] = c->online_s[k];
        if (o->json)
            printf("{\"image\":%d,\"plan\":\"%s\",\"class\":%zu,"
                   "\"ref_class\":%zu,\"agree\":%s,\"outliers\":%zu,"
                   "\"max_abs_err\":%.6g,\"offline_s\":%.3f,\"online_s\":%.3f,"
                   "\"total_s\":%.3f}\n",
                   k, plan_name, cls, rcls,
                   cls == rcls && outl == 0 ? "true" : "false", outl, maxerr,
                   c->offline_s[k], c->online_s[k], tot[k]);
        else
            printf("inference %d: class %zu (reference %zu) %s, outliers %zu, "
                   "max |logit error| %.2g, overflows %zu, offline %.2f s, "
                   "online %.3f s\n",
                   k, cls, rcls, cls == rcls ? "same" : "DIFFERENT", outl,
                   maxerr, ref.overflow, c->offline_s[k], c->online_s[k]);
        if (getenv("SAFENET_RANGES") != NULL)
            for (uint32_t i = 0; i < net->nlayers; i++)
                fprintf(stderr, "layer %u %s: max |value| %.3g\n", i,
                        safenet_op_name(net->layers[i].op), ref.max_abs[i]);
    }
    if (labels != NULL)
        snprintf(corr, sizeof(corr), "%d", correct);
    else
        snprintf(corr, sizeof(corr), "null");
    if (o->json)
        printf("{\"summary\":true,\"plan\":\"%s\",\"images\":%d,\"agree\":%d,"
               "\"correct\":%s,\"relus\":%zu,\"polys\":%zu,"
               "\"online_s_median\":%.3f,\"total_s_median\":%.3f,"
               "\"peak_rss_mb\":%.0f}\n",
               plan_name, o->count, agree, corr, safenet_net_relus(net),
               safenet_net_polys(net), median(on, o->count),
               median(tot, o->count), peak_rss_mb());
    else
        printf("\n%d of %d predictions agree with the reference; %s%s"
               "median online %.3f s, total %.3f s; peak RSS %.0f MB\n",
               agree, o->count, labels ? corr : "",
               labels ? " correct (labels); " : "", median(on, o->count),
               median(tot, o->count), peak_rss_mb());
    safenet_ref_clear(&ref);
    free(tot);
    free(on);
    return agree == o->count ? 0 : 2;
}

int main(int argc, char **argv)
{
    opts_t o = {0};
    safenet_net_t net;
    const char *plan_name = "model";
    int plan = 0;
    veil_status st;
    cli_omp_passive(argv);
    cli_malloc_keep();
    o.count = 2;
    o.frac = SAFENET_FRAC_DEFAULT;
    o.wfrac = SAFENET_WFRAC_DEFAULT;
    o.bind = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int iv;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            o.json = 1;
        } else if (!strcmp(a, "--insecure-dealer")) {
            o.dealer = 1;
        } else if (v == NULL &&
                   (!strcmp(a, "--model") || !strcmp(a, "--plan") ||
                    !strcmp(a, "--count") || !strcmp(a, "--threads") ||
                    !strcmp(a, "--serve") || !strcmp(a, "--connect") ||
                    !strcmp(a, "--bind") || !strcmp(a, "--frac"))) {
            fprintf(stderr, PROG ": %s needs a value (try --help)\n", a);
            return 1;
        } else if (!strcmp(a, "--data")) {
            o.data = argv[++i];
        } else if (!strcmp(a, "--offset")) {
            if (parse_int(argv[++i], 0, 1000000, &o.offset)) {
                fprintf(stderr, PROG ": --offset must be 0..1000000\n");
                return 1;
            }
        } else if (!strcmp(a, "--model")) {
            o.model = argv[++i];
        } else if (!strcmp(a, "--plan")) {
            o.plan = argv[++i];
        } else if (!strcmp(a, "--serve")) {
            o.serve = argv[++i];
        } else if (!strcmp(a, "--bind")) {
            o.bind = argv[++i];
        } else if (!strcmp(a, "--connect")) {
            o.connect = argv[++i];
        } else if (!strcmp(a, "--count")) {
            if (parse_int(argv[++i], 1, MAX_COUNT, &o.count)) {
                fprintf(stderr, PROG ": --count must be 1..%d\n", MAX_COUNT);
                return 1;
            }
        } else if (!strcmp(a, "--threads")) {
            if (parse_int(argv[++i], 1, 256, &o.threads)) {
                fprintf(stderr, PROG ": --threads must be 1..256\n");
                return 1;
            }
        } else if (!strcmp(a, "--frac")) {
            if (parse_int(argv[++i], 4, 19, &iv)) {
                fprintf(stderr, PROG ": --frac must be 4..19\n");
                return 1;
            }
            o.frac = (unsigned)iv;
        } else if (!strcmp(a, "--wfrac")) {
            if (parse_int(argv[++i], 1, 20, &iv)) {
                fprintf(stderr, PROG ": --wfrac must be 1..20\n");
                return 1;
            }
            o.wfrac = (unsigned)iv;
        } else {
            fprintf(stderr, PROG ": unknown option '%s' (try --help)\n", a);
            return 1;
        }
    }
    if (o.serve && o.connect) {
        fprintf(stderr, PROG ": --serve and --connect exclude each other\n");
        return 1;
    }
    if ((st = veil_init()) != VEIL_OK && st != VEIL_EUNSUPPORTED) {
        fprintf(stderr, PROG ": %s\n", veil_strerror(st));
        return 1;
    }
    if (o.threads > 0)
        omp_set_num_threads(o.threads);
    if (o.plan != NULL) {
        if (!strcmp(o.plan, "relu"))
            plan = 0;
        else if (!strcmp(o.plan, "delphi"))
            plan = 1;
        else if (!strcmp(o.plan, "safenet80"))
            plan = 2;
        else
            plan = -1; /* a model file with its own plan */
        plan_name = o.plan;
    }
    /* the network: a model file or the generated CNN-7, with the plan */
    {
        nn_model_t m;
        char why[200];
        const char *path = plan < 0 ? o.plan : o.model;
        safenet_plan_t sp = plan < 0    ? SAFENET_PLAN_MODEL
                            : plan == 0 ? SAFENET_PLAN_RELU
                            : plan == 1 ? SAFENET_PLAN_DELPHI
                                        : SAFENET_PLAN_SAFENET80;
        if (o.plan == NULL)
            sp = SAFENET_PLAN_MODEL;
        st = path ? nn_model_load(&m, path) : cnn7_generated(&m);
        if (st != VEIL_OK) {
            fprintf(stderr, PROG ": cannot load model '%s': %s\n",
                    path ? path : "CNN-7", veil_strerror(st));
            return 1;
        }
        st = safenet_net_from_model(&net, &m, SAFENET_P_DEFAULT, o.frac,
                                    o.wfrac, sp, why, sizeof(why));
        nn_model_clear(&m);
        if (st != VEIL_OK) {
            fprintf(stderr, PROG ": model '%s' cannot run under SAFENet: %s\n",
                    path ? path : "CNN-7", why[0] ? why : veil_strerror(st));
            return 1;
        }
        if (plan < 0)
            plan_name = "file";
    }
    {
        const size_t nin = nn_shape_size(net.in);
        const size_t nout = safenet_net_out_size(&net);
        uint64_t *x = calloc((size_t)o.count * nin, sizeof(uint64_t));
        uint64_t *out = calloc((size_t)o.count * nout, sizeof(uint64_t));
        safenet_stats_t *stats = calloc((size_t)o.count, sizeof(*stats));
        double *offs = calloc((size_t)o.count, sizeof(double));
        double *ons = calloc((size_t)o.count, sizeof(double));
        float *fin = malloc(nin * sizeof(float));
        party_arg_t c = {0}, s = {0};
        veil_rng_t irng;
        nn_dataset_t mnist;
        uint8_t *labels = NULL;
        int rc = 1, have_mnist = 0;
        if (!x || !out || !stats || !offs || !ons || !fin) {
            fprintf(stderr, PROG ": out of memory\n");
            goto done;
        }
        /* inputs: MNIST test images for a 1 x 32 x 32 (or 1 x 28 x 28)
         * model, else uniform in [0, 1) like normalised pixels */
        if (veil_rng_init(&irng) != VEIL_OK)
            goto done;
        if (net.in.c == 1 && net.in.h >= 28 && net.in.w >= 28) {
            char dir[4096], msg[512];
            if (nn_mnist_locate(dir, sizeof(dir), o.data, VEIL_SRCDIR) !=
                    VEIL_OK ||
                (st = nn_mnist_load(&mnist, dir, NN_MNIST_TEST)) != VEIL_OK) {
                fprintf(stderr,
                        PROG ": cannot load MNIST from '%s' (%s); "
                             "set --data DIR or MNIST_DIR\n",
                        dir, veil_strerror(st));
                (void)msg;
                goto done;
            }
            have_mnist = 1;
            if ((size_t)o.offset + (size_t)o.count > mnist.count) {
                fprintf(stderr,
                        PROG ": --offset %d + --count %d exceeds the "
                             "%u test images loaded\n",
                        o.offset, o.count, mnist.count);
                goto done;
            }
            labels = malloc((size_t)o.count);
            if (labels == NULL)
                goto done;
        }
        for (int k = 0; k < o.count; k++) {
            if (labels != NULL) {
                size_t idx = (size_t)o.offset + (size_t)k;
                nn_image_to_input(fin, net.in,
                                  mnist.images + idx * mnist.rows * mnist.cols,
                                  mnist.rows, mnist.cols);
                labels[k] = mnist.labels[idx];
            } else {
                for (size_t i = 0; i < nin; i++) {
                    uint32_t u;
                    veil_rng_bytes(&irng, &u, sizeof(u));
                    fin[i] = (float)u / 4294967296.0f;
                }
            }
            if (safenet_encode_input(&net, x + (size_t)k * nin, fin) != VEIL_OK)
                goto done;
        }
        if (have_mnist)
            nn_dataset_clear(&mnist);
        have_mnist = 0;
        c.net = s.net = &net;
        c.sopts.insecure_dealer = s.sopts.insecure_dealer = o.dealer;
        c.count = s.count = o.count;
        c.threads = s.threads = o.threads;
        c.x = x;
        c.out = out;
        c.stats = stats;
        c.offline_s = offs;
        c.online_s = ons;
        c.progress = !o.json && isatty(STDERR_FILENO);
        if (o.dealer)
            fprintf(stderr, PROG ": WARNING: --insecure-dealer: the offline "
                                 "phase is NOT private (testing only)\n");
        if (!o.json)
            printf(PROG ": %s, plan %s: %zu ReLUs, %zu polynomial units, "
                        "%u layers, p = %llu, %u fractional bits\n",
                   o.model ? o.model : "CNN-7 (generated weights)", plan_name,
                   safenet_net_relus(&net), safenet_net_polys(&net),
                   net.nlayers, (unsigned long long)net.f.p, net.f.frac);
        if (o.serve || o.connect) {
            mpc_chan_t ch;
            if (o.serve) {
                mpc_listener_t l;
                int port;
                if (parse_int(o.serve, 1, 65535, &port)) {
                    fprintf(stderr, PROG ": bad port '%s'\n", o.serve);
                    goto done;
                }
                if ((st = mpc_listener_init(&l, o.bind, (uint16_t)port)) !=
                    VEIL_OK) {
                    fprintf(stderr, PROG ": cannot listen on %s:%d: %s\n",
                            o.bind, port, veil_strerror(st));
                    goto done;
                }
                fprintf(stderr, PROG ": serving on %s:%u\n", o.bind, l.port);
                st = mpc_chan_accept(&ch, &l, -1);
                mpc_listener_clear(&l);
                if (st == VEIL_OK)
                    st = party_fn(&ch, 1, &s);
                mpc_chan_clear(&ch);
                if (st != VEIL_OK) {
                    fprintf(stderr, PROG ": server: %s (%s)\n",
                            s.why[0] ? s.why : "session failed",
                            veil_strerror(st));
                    goto done;
                }
                fprintf(stderr, PROG ": session done\n");
                rc = 0;
                goto done;
            } else {
                char host[64];
                const char *colon = strrchr(o.connect, ':');
                int port;
                if (colon == NULL ||
                    (size_t)(colon - o.connect) >= sizeof(host) ||
                    parse_int(colon + 1, 1, 65535, &port)) {
                    fprintf(stderr, PROG ": --connect wants HOST:PORT\n");
                    goto done;
                }
                memcpy(host, o.connect, (size_t)(colon - o.connect));
                host[colon - o.connect] = '\0';
                if ((st = mpc_chan_connect(&ch, host, (uint16_t)port, 30000)) !=
                    VEIL_OK) {
                    fprintf(stderr, PROG ": cannot connect to %s: %s\n",
                            o.connect, veil_strerror(st));
                    goto done;
                }
                st = party_fn(&ch, 0, &c);
                mpc_chan_clear(&ch);
            }
        } else {
            veil_status pst[2];
            void *args[2] = {&c, &s};
            st = mpc_run2(pst, MPC_RUN_THREADS, party_fn, args);
            if (st == VEIL_OK && pst[1] != VEIL_OK && pst[0] == VEIL_OK)
                st = pst[1];
            else if (st == VEIL_OK)
                st = pst[0];
        }
        if (st != VEIL_OK) {
            fprintf(stderr, PROG ": %s (%s)\n",
                    c.why[0] ? c.why : (s.why[0] ? s.why : "session failed"),
                    veil_strerror(st));
            goto done;
        }
        rc = report(&o, &net, &c, x, plan_name, labels);
    done:
        if (have_mnist)
            nn_dataset_clear(&mnist);
        free(labels);
        free(x);
        free(out);
        free(stats);
        free(offs);
        free(ons);
        free(fin);
        safenet_net_clear(&net);
        return rc;
    }
}
