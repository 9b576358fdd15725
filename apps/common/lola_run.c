/*
 * lola_run.c - the LoLa client / server driver shared by apps/lola and
 * apps/mnist_lola (lola_run.h): options, the data sets (MNIST IDX, CIFAR-10
 * binary, features files), models (a file, or generated weights of a
 * realistic scale), the key generation / query / evaluation / answer loop,
 * the TCP server and client, JSON output, and the check of every decrypted
 * logit vector against the exact integer evaluator.
 *
 * The program is written in three parts that mirror who knows what:
 * the server side (model, plan, evaluation), the client side (keys,
 * encryption, decryption) and the transport between them (in process, or
 * TCP frames from mpc.h carrying lola_wire.h bytes).  See doc/11-lola.md.
 */
#include "lola_run.h"
#include "cli.h"
#include "veil/lola.h"
#include "veil/lola_models.h"
#include "veil/lola_wire.h"
#include "veil/mpc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#ifdef __linux__
#include <malloc.h> /* malloc_trim */
#endif
#include <omp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

static const lola_run_config_t *cfg; /* the program running */

/* "prog" then the formatted text, on stderr. */
static void lr_err(const char *fmt, ...)
{
    va_list ap;
    fputs(cfg->prog, stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

#define MAX_FRAME ((uint64_t)1 << 31) /* largest object accepted: 2 GiB  */
#define NET_TIMEOUT_MS 600000         /* a peer silent this long is gone */
#define CONNECT_WAIT_S 120            /* default --wait                  */
#define MAX_THREADS 256               /* largest --threads               */
#define MAX_IMAGES 1000000            /* largest --count / --offset      */
#define MAX_CLIENTS_DEFAULT 8         /* --max-clients: sessions at once */
#define MAX_CLIENTS_CAP 64            /* (each holds ~56 MB of keys)     */
#define SESSION_TIMEOUT_S 3600        /* --session-timeout: whole session */
#define MESSAGE_TIMEOUT_S 300         /* --message-timeout: each message */

/* ================================================================ options */

typedef enum { DATA_MNIST = 0, DATA_CIFAR10 = 1, DATA_FEATURES = 2 } data_t;

typedef struct {
    size_t count;          /* images to classify                       */
    size_t offset;         /* first test image                          */
    int all;               /* the whole test set                        */
    const char *variant;   /* lola, lola-dense, lola-small, cryptonets  */
    int variant_set;       /* --variant given                           */
    int threads;           /* OpenMP threads (0: library default)       */
    const char *model;     /* model file (NULL: shipped or generated)   */
    const char *data;      /* data directory (NULL: nn_mnist_locate)    */
    data_t dataset;        /* --dataset mnist | cifar10 | features      */
    const char *features;  /* --features FILE                          */
    uint32_t maps1, maps2; /* --maps A,B: generated CIFAR-10 network  */
    int maps_set;          /* --maps given                              */
    uint32_t head_dim, head_classes; /* --head D,C: generated head    */
    unsigned long seed;  /* --seed N: generated weights               */
    int plan_only;       /* --plan-only: print the plan and stop      */
    const char *kernels; /* forced kernel string (NULL: planner)      */
    int json;            /* JSON lines on stdout                      */
    int budget;          /* measure noise budgets per step            */
    const char *serve;   /* --serve PORT                              */
    const char *bind;    /* --bind ADDR for --serve                   */
    int once;            /* --once: serve one client, then exit       */
    const char *connect; /* --connect HOST:PORT                       */
    size_t wait_s;       /* --wait S: retry a refused connect S seconds */
    size_t max_clients;  /* --max-clients N: concurrent sessions      */
    size_t session_s;    /* --session-timeout S: deadline per session */
    size_t message_s;    /* --message-timeout S: deadline per message */
    size_t flood_bits;   /* --flood-bits B: answer flooding (lola.h)  */
    int raw_answer;      /* --raw-answer: unmasked, unswitched answers */

    lola_objective_t optimize; /* --optimize latency|bytes           */
    size_t queries;            /* --queries N: keys amortized (bytes) */
} opts_t;

/* Classes of the loaded data (NN_CLASSES, or a features file's). */
static size_t data_classes = NN_CLASSES;

static void usage(FILE *f)
{
    fprintf(f, "usage: %s [options]\n", cfg->prog);
    if (cfg->general)
        fprintf(
            f,
            "LoLa private inference on any network the compiler supports:\n"
            "the client encrypts, the server evaluates on ciphertexts, the\n"
            "client decrypts, and every decrypted logit vector is checked\n"
            "against the exact integer evaluator.\n\n"
            "  --dataset D        mnist (default), cifar10 or features\n"
            "  --data DIR         MNIST directory (default: $MNIST_DIR, then\n"
            "                     ../shared/data/mnist, then ./data/mnist);\n"
            "                     CIFAR-10: the folder holding test_batch.bin\n"
            "                     of cifar-10-binary.tar.gz (required)\n"
            "  --features FILE    a features file (deep representations,\n"
            "                     doc/11-lola.md section 11); implies\n"
            "                     --dataset features\n"
            "  --model FILE       model file (MNIST default: the shipped\n"
            "                     models/lola.vmodel; CIFAR-10 and features\n"
            "                     default: generated weights, below; a\n"
            "                     CIFAR-10 model trained on the user's data:\n"
            "                     train_cnn --net lola-cifar, then for the\n"
            "                     full size --kernels conv-plain,diag,"
            "dense-row)\n"
            "  --maps A,B         generated CIFAR-10 network: A and B maps in\n"
            "                     the two convolutions (default 83,163: the\n"
            "                     paper's section 4.4)\n"
            "  --head D,C         generated head: D features -> C classes\n"
            "                     (default: the features file's sizes)\n"
            "  --seed N           seed of the generated weights (default 1;\n"
            "                     client and server must agree)\n"
            "  --plan-only        print the plan (parameters, kernels,\n"
            "                     predicted time) and stop\n");
    else
        fprintf(f, "Classify MNIST test images with LoLa private inference: "
                   "the client\nencrypts, the server evaluates on "
                   "ciphertexts, the client decrypts.\n"
                   "(apps/lola runs other networks and data sets.)\n\n"
                   "  --data DIR         MNIST directory (default: "
                   "$MNIST_DIR, then\n"
                   "                     ../shared/data/mnist, then "
                   "./data/mnist)\n"
                   "  --model FILE       model file (default: the shipped\n"
                   "                     models/<network>.vmodel of the "
                   "source tree\n"
                   "                     the program was built from; the "
                   "file used\n"
                   "                     is printed)\n");
    fprintf(
        f,
        "  --count N          classify N test images (default 5)\n"
        "  --offset I         start at test image I (default 0); offset +\n"
        "                     count must not exceed the loaded test set\n"
        "  --all              the whole loaded test set (MNIST: 10,000)\n"
        "  --variant V        lola (default; lola-dense for a network whose\n"
        "                     first layer is dense), lola-dense, lola-small,\n"
        "                     cryptonets\n"
        "  --threads T        OpenMP threads, 1..256 (default: all cores)\n"
        "  --kernels LIST     force the kernel choice, e.g. \"paper\" or\n"
        "                     \"conv-plain,diag,stacked\" (doc/11-lola.md)\n"
        "  --optimize O       what the planner minimizes: latency (default,\n"
        "                     predicted server time) or bytes (keys / N +\n"
        "                     query + answer on the wire; lola may then\n"
        "                     send the dense input, doc/11-lola.md)\n"
        "  --queries N        with --optimize bytes: queries per key\n"
        "                     upload the keys are amortized over (default 1)\n"
        "  --flood-bits B     statistical security of the answer's noise\n"
        "                     flooding (default 40; 0: mask, re-randomize\n"
        "                     and switch only; doc/11-lola.md)\n"
        "  --raw-answer       send the evaluation's ciphertexts as they are\n"
        "                     (no masking, flooding or switching: for\n"
        "                     comparison only, leaks the model)\n"
        "  --budget           also measure the noise budget after each step\n"
        "                     (diagnostics: uses the secret key)\n"
        "  --json             one JSON object per image, then a summary\n"
        "  --serve PORT       run only the server, listening on PORT\n"
        "  --bind ADDR        numeric IPv4 address to listen on (default\n"
        "                     127.0.0.1)\n"
        "  --once             with --serve: exit after one client\n"
        "  --max-clients N    with --serve: sessions at once (default 8,\n"
        "                     at most 64; more clients wait in the queue)\n"
        "  --session-timeout S  with --serve: a session ends after S\n"
        "                     seconds (default 3600)\n"
        "  --message-timeout S  with --serve: each message must arrive\n"
        "                     within S seconds (default 300)\n"
        "  --connect H:P      run only the client, against a server at H:P\n"
        "  --wait S           with --connect: keep retrying a refused\n"
        "                     connection for S seconds (default 120)\n"
        "  -h, --help         this text\n");
}

/* "A,B" with A and B in [lo, hi]. */
static int parse_pair(uint32_t *a, uint32_t *b, const char *opt, const char *s,
                      uint32_t lo, uint32_t hi)
{
    char first[32];
    const char *comma = strchr(s, ',');
    if (comma == NULL || (size_t)(comma - s) >= sizeof(first)) {
        lr_err(": %s wants two numbers A,B, not '%s'\n", opt, s);
        return -1;
    }
    memcpy(first, s, (size_t)(comma - s));
    first[comma - s] = '\0';
    if (cli_u32(a, cfg->prog, opt, first, lo, hi) ||
        cli_u32(b, cfg->prog, opt, comma + 1, lo, hi))
        return -1;
    return 0;
}

static int parse_size(const char *s, size_t *out, size_t lo, size_t hi)
{
    char *end;
    unsigned long long v;
    if (s == NULL || *s == '\0' || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_opts(opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->count = 5;
    o->variant = "lola";
    o->bind = "127.0.0.1";
    o->wait_s = CONNECT_WAIT_S;
    o->max_clients = MAX_CLIENTS_DEFAULT;
    o->session_s = SESSION_TIMEOUT_S;
    o->message_s = MESSAGE_TIMEOUT_S;
    o->flood_bits = LOLA_FLOOD_BITS;
    o->seed = 1;
    o->maps1 = 83;
    o->maps2 = 163;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t x;
#define NEED_ARG                                                               \
    do {                                                                       \
        if (v == NULL) {                                                       \
            lr_err(": %s needs a value\n", a);                                 \
            return -1;                                                         \
        }                                                                      \
        i++;                                                                   \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--count")) {
            NEED_ARG;
            if (parse_size(v, &o->count, 1, MAX_IMAGES)) {
                lr_err(": --count wants 1..%d\n", MAX_IMAGES);
                return -1;
            }
        } else if (!strcmp(a, "--offset")) {
            NEED_ARG;
            if (parse_size(v, &o->offset, 0, MAX_IMAGES - 1)) {
                lr_err(": --offset wants 0..%d\n", MAX_IMAGES - 1);
                return -1;
            }
        } else if (!strcmp(a, "--all")) {
            o->all = 1;
        } else if (!strcmp(a, "--variant")) {
            NEED_ARG;
            o->variant = v;
            o->variant_set = 1;
        } else if (!strcmp(a, "--optimize")) {
            NEED_ARG;
            if (lola_objective_parse(&o->optimize, v) != VEIL_OK) {
                lr_err(": --optimize wants latency or bytes\n");
                return -1;
            }
        } else if (!strcmp(a, "--queries")) {
            NEED_ARG;
            if (parse_size(v, &o->queries, 1, 1000000000)) {
                lr_err(": --queries wants 1..1000000000\n");
                return -1;
            }
        } else if (cfg->general && !strcmp(a, "--dataset")) {
            NEED_ARG;
            if (!strcmp(v, "mnist"))
                o->dataset = DATA_MNIST;
            else if (!strcmp(v, "cifar10"))
                o->dataset = DATA_CIFAR10;
            else if (!strcmp(v, "features"))
                o->dataset = DATA_FEATURES;
            else {
                lr_err(": unknown data set '%s' (mnist, cifar10, "
                       "features)\n",
                       v);
                return -1;
            }
        } else if (cfg->general && !strcmp(a, "--features")) {
            NEED_ARG;
            o->features = v;
            o->dataset = DATA_FEATURES;
        } else if (cfg->general && !strcmp(a, "--maps")) {
            NEED_ARG;
            if (parse_pair(&o->maps1, &o->maps2, a, v, 1, 1024))
                return -1;
            o->maps_set = 1;
        } else if (cfg->general && !strcmp(a, "--head")) {
            NEED_ARG;
            if (parse_pair(&o->head_dim, &o->head_classes, a, v, 1,
                           NN_FEATURES_MAX_DIM))
                return -1;
            if (o->head_classes < 2 ||
                o->head_classes > NN_FEATURES_MAX_CLASSES) {
                lr_err(": --head wants 2..%d classes\n",
                       NN_FEATURES_MAX_CLASSES);
                return -1;
            }
        } else if (cfg->general && !strcmp(a, "--seed")) {
            long sd;
            NEED_ARG;
            if (cli_long(&sd, cfg->prog, a, v, 0, LONG_MAX))
                return -1;
            o->seed = (unsigned long)sd;
        } else if (cfg->general && !strcmp(a, "--plan-only")) {
            o->plan_only = 1;
        } else if (!strcmp(a, "--threads")) {
            NEED_ARG;
            if (parse_size(v, &x, 1, MAX_THREADS)) {
                lr_err(": --threads wants 1..%d\n", MAX_THREADS);
                return -1;
            }
            o->threads = (int)x;
        } else if (!strcmp(a, "--model")) {
            NEED_ARG;
            o->model = v;
        } else if (!strcmp(a, "--data")) {
            NEED_ARG;
            o->data = v;
        } else if (!strcmp(a, "--kernels")) {
            NEED_ARG;
            o->kernels = v;
        } else if (!strcmp(a, "--flood-bits")) {
            NEED_ARG;
            if (parse_size(v, &o->flood_bits, 0, 256)) {
                lr_err(": --flood-bits wants 0..256\n");
                return -1;
            }
        } else if (!strcmp(a, "--raw-answer")) {
            o->raw_answer = 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--budget")) {
            o->budget = 1;
        } else if (!strcmp(a, "--serve")) {
            NEED_ARG;
            o->serve = v;
        } else if (!strcmp(a, "--bind")) {
            struct in_addr ia;
            NEED_ARG;
            if (inet_pton(AF_INET, v, &ia) != 1) {
                lr_err(": --bind wants a numeric IPv4 address such "
                       "as 127.0.0.1 or 0.0.0.0, not '%s'\n",
                       v);
                return -1;
            }
            o->bind = v;
        } else if (!strcmp(a, "--once")) {
            o->once = 1;
        } else if (!strcmp(a, "--wait")) {
            NEED_ARG;
            if (parse_size(v, &o->wait_s, 0, 86400)) {
                lr_err(": --wait wants seconds, 0..86400\n");
                return -1;
            }
        } else if (!strcmp(a, "--max-clients")) {
            NEED_ARG;
            if (parse_size(v, &o->max_clients, 1, MAX_CLIENTS_CAP)) {
                lr_err(": --max-clients wants 1..%d\n", MAX_CLIENTS_CAP);
                return -1;
            }
        } else if (!strcmp(a, "--session-timeout")) {
            NEED_ARG;
            if (parse_size(v, &o->session_s, 1, 86400)) {
                lr_err(": --session-timeout wants seconds, "
                       "1..86400\n");
                return -1;
            }
        } else if (!strcmp(a, "--message-timeout")) {
            NEED_ARG;
            if (parse_size(v, &o->message_s, 1, 86400)) {
                lr_err(": --message-timeout wants seconds, "
                       "1..86400\n");
                return -1;
            }
        } else if (!strcmp(a, "--connect")) {
            NEED_ARG;
            o->connect = v;
        } else {
            lr_err(": unknown option '%s' (try --help)\n", a);
            return -1;
        }
#undef NEED_ARG
    }
    if (o->serve && o->connect) {
        lr_err(": --serve and --connect exclude each other\n");
        return -1;
    }
    if (o->all)
        o->offset = 0; /* count: the loaded set's size (fit_images) */
    if (o->dataset == DATA_FEATURES && o->features == NULL &&
        (o->connect != NULL || (o->serve == NULL && !o->plan_only))) {
        lr_err(": --dataset features needs --features FILE\n");
        return -1;
    }
    if (o->maps_set && o->model != NULL) {
        lr_err(": --maps shapes the generated network; the model file "
               "has its own (train_cnn --net lola-cifar --maps A,B)\n");
        return -1;
    }
    if (o->plan_only && (o->serve || o->connect)) {
        lr_err(": --plan-only runs alone (no --serve or --connect)\n");
        return -1;
    }
    return 0;
}

/* Check --offset and --count against the number of test images actually
 * loaded (a set may hold fewer than MNIST's 10,000); --all takes them all. */
static int fit_images(opts_t *o, const nn_dataset_t *ds)
{
    if (o->all)
        o->count = ds->count;
    if (o->offset >= ds->count || o->count > ds->count - o->offset) {
        lr_err(": --offset %zu + --count %zu exceeds the %u test "
               "images loaded\n",
               o->offset, o->count, ds->count);
        return -1;
    }
    return 0;
}

/* Bytes of one image of ds. */
static size_t image_bytes(const nn_dataset_t *ds)
{
    return (size_t)nn_dataset_channels(ds) * ds->rows * ds->cols;
}

static int same_shape(nn_shape_t a, nn_shape_t b)
{
    return a.c == b.c && a.h == b.h && a.w == b.w;
}

/* A network's input must be the images the program holds and its output
 * the data's classes (data_classes): the client reads image_bytes pixels
 * per image and compares `classes` logits.  `what` names the network. */
static int check_network(const char *what, nn_shape_t in, size_t classes,
                         const nn_dataset_t *ds)
{
    const nn_shape_t img = {nn_dataset_channels(ds), ds->rows, ds->cols};
    if (!same_shape(in, img)) {
        lr_err(": %s takes %ux%ux%u inputs, but the test images "
               "are %ux%ux%u; refusing\n",
               what, in.c, in.h, in.w, img.c, img.h, img.w);
        return -1;
    }
    if (classes != data_classes) {
        lr_err(": %s has %zu outputs, but the data have %zu "
               "classes; refusing\n",
               what, classes, data_classes);
        return -1;
    }
    return 0;
}

/* The number of outputs of a quantized model. */
static size_t qmodel_classes(const nn_qmodel_t *q)
{
    return nn_shape_size(q->layers[q->nlayers - 1].out);
}

/* ================================================================ helpers */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(const char *what, veil_status st)
{
    lr_err(": %s: %s\n", what, veil_strerror(st));
    return 1;
}

/* A progress bar on stderr, only when stderr is a terminal. */
static void progress(size_t done, size_t total, size_t correct)
{
    static int tty = -1;
    if (tty < 0)
        tty = isatty(STDERR_FILENO);
    if (!tty || total < 2)
        return;
    int width = 40, fill = (int)(width * done / total);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu images, %.2f%% correct", fill,
            "########################################", width - fill, "", done,
            total, done ? 100.0 * (double)correct / (double)done : 0.0);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* The network a variant runs and the model file shipped for it. */
static const char *default_model_name(const char *variant)
{
    return strcmp(variant, "lola-small") == 0 ? "lola-small" : "lola";
}

/* No --model for CIFAR-10 or features: generated weights. */
static int model_generated(const opts_t *o)
{
    return o->model == NULL && o->dataset != DATA_MNIST;
}

/* Find the model: --model, else the shipped models/NAME.vmodel of the
 * source tree the program was built from (VEIL_SRCDIR), so that a models/
 * folder in the working directory never silently replaces it.  Only when
 * the source tree is gone (an installed program) is models/NAME.vmodel in
 * the working directory tried; the programs print the file they use.  A
 * generated model gets a description instead. */
static void model_path(char *out, size_t len, const opts_t *o)
{
    const char *name = default_model_name(o->variant);
    if (o->model != NULL) {
        snprintf(out, len, "%s", o->model);
        return;
    }
    if (o->dataset == DATA_CIFAR10) {
        snprintf(out, len, "generated CIFAR-10 network (maps %u,%u, seed %lu)",
                 o->maps1, o->maps2, o->seed);
        return;
    }
    if (o->dataset == DATA_FEATURES) {
        snprintf(out, len, "generated head (seed %lu)", o->seed);
        return;
    }
    snprintf(out, len, "%s/models/%s.vmodel", VEIL_SRCDIR, name);
    if (access(out, R_OK) != 0)
        snprintf(out, len, "models/%s.vmodel", name);
}

/* The generated head's sizes: --head, else the features file's. */
static int head_shape(uint32_t *dim, uint32_t *classes, const opts_t *o)
{
    nn_features_t f;
    veil_status st;
    if (o->head_dim != 0) {
        *dim = o->head_dim;
        *classes = o->head_classes;
        return 0;
    }
    if (o->features == NULL) {
        lr_err(": a generated head needs its sizes: --head D,C or "
               "--features FILE\n");
        return -1;
    }
    if ((st = nn_features_load(&f, o->features)) != VEIL_OK) {
        lr_err(": cannot read features file '%s': %s\n", o->features,
               veil_strerror(st));
        return -1;
    }
    *dim = f.dim;
    *classes = f.classes;
    nn_features_clear(&f);
    return 0;
}

/* Generated weights of a realistic scale (lola_model_generate) from the
 * seed: the same model on both sides.  CIFAR-10: the paper's network of
 * section 4.4 (maps from --maps), 4-bit weights, 4-bit inputs; a head:
 * dense D -> C on 8-bit features with 8-bit weights. */
static int generate_model(nn_model_t *m, nn_qmodel_t *q, const opts_t *o)
{
    uint8_t seed[VEIL_SEED_BYTES];
    veil_rng_t rng;
    veil_status st;
    uint32_t wbits, in_exp;

    if (o->dataset == DATA_CIFAR10) {
        lola_cnn2_shape_t sh;
        lola_cnn2_cifar10(&sh);
        sh.maps1 = o->maps1;
        sh.maps2 = o->maps2;
        st = lola_cnn2_model(m, &sh);
        wbits = 4;
        in_exp = 4;
    } else {
        uint32_t dim, classes;
        if (head_shape(&dim, &classes, o))
            return -1;
        st = nn_model_init(m, (nn_shape_t){dim, 1, 1});
        if (st == VEIL_OK && (st = nn_model_add_dense(m, classes)) != VEIL_OK)
            nn_model_clear(m);
        wbits = 8;
        in_exp = 8;
    }
    if (st != VEIL_OK) {
        lr_err(": cannot build the generated network: %s\n", veil_strerror(st));
        return -1;
    }
    cli_seed(seed, o->seed);
    veil_rng_init_seed(&rng, seed);
    st = lola_model_generate(q, m, &rng, 16, 1.0f, wbits, (int32_t)in_exp);
    veil_rng_clear(&rng);
    if (st != VEIL_OK) {
        nn_model_clear(m);
        lr_err(": generating weights: %s\n", veil_strerror(st));
        return -1;
    }
    return 0;
}

/* Load (or generate) and quantize the model.  Prints the reason on
 * failure. */
static int load_model(nn_model_t *m, nn_qmodel_t *q, const opts_t *o,
                      const char *path)
{
    veil_status st;
    if (model_generated(o))
        return generate_model(m, q, o);
    st = nn_model_load(m, path);
    if (st != VEIL_OK) {
        lr_err(": cannot load model '%s': %s\n"
               "  (the shipped models are in models/; `make models` "
               "retrains them)\n",
               path, veil_strerror(st));
        return -1;
    }
    st = nn_qmodel_init(q, m);
    if (st != VEIL_OK) {
        lr_err(": model '%s' cannot be quantized: %s\n", path,
               veil_strerror(st));
        nn_model_clear(m);
        return -1;
    }
    return 0;
}

static int load_data(nn_dataset_t *ds, const opts_t *o)
{
    char dir[4096], msg[1024];
    veil_status st;

    memset(ds, 0, sizeof(*ds));
    data_classes = NN_CLASSES;
    if (o->dataset == DATA_CIFAR10) {
        if (o->data == NULL) {
            lr_err(": CIFAR-10 needs --data DIR, the folder holding "
                   "test_batch.bin of cifar-10-binary.tar.gz\n");
            return -1;
        }
        st = nn_cifar10_load(ds, o->data, NN_CIFAR_TEST);
        if (st != VEIL_OK) {
            lr_err(": cannot load CIFAR-10 from '%s': %s (expected "
                   "%s/test_batch.bin: records of 1 label byte and 3072 "
                   "pixel bytes)\n",
                   o->data, veil_strerror(st), o->data);
            return -1;
        }
        return 0;
    }
    if (o->dataset == DATA_FEATURES) {
        nn_features_t f;
        st = nn_features_load(&f, o->features);
        if (st != VEIL_OK) {
            lr_err(": cannot read features file '%s': %s\n", o->features,
                   st == VEIL_EFORMAT ? "malformed (not a version-1 "
                                        "features file, or truncated)"
                                      : veil_strerror(st));
            return -1;
        }
        st = nn_features_dataset(ds, &f);
        data_classes = f.classes;
        nn_features_clear(&f);
        if (st != VEIL_OK)
            return fail("reading the features", st), -1;
        return 0;
    }
    st = nn_mnist_locate(dir, sizeof(dir), o->data, VEIL_SRCDIR);
    if (st != VEIL_OK)
        return fail("MNIST directory path too long", st), -1;
    st = nn_mnist_load(ds, dir, NN_MNIST_TEST);
    if (st != VEIL_OK) {
        nn_mnist_explain(msg, sizeof(msg), dir, st);
        lr_err(": %s\n", msg);
        return -1;
    }
    return 0;
}

/* ================================================================ server */

typedef struct {
    nn_model_t model;
    nn_qmodel_t q;
    lola_spec_t spec;
    lola_report_t report;
    lola_setup_t setup;
    lola_server_t server;
    double setup_ms; /* planning + weight preparation              */
    int stage;       /* 1 model, 2 + setup, 3 + server prepared    */
} server_side_t;

/* Load the model, check it against the images ds (when not NULL), plan the
 * evaluation and prepare the weights. */
static int server_open_for(server_side_t *s, const opts_t *o, const char *path,
                           const nn_dataset_t *ds)
{
    lola_options_t lo;
    veil_status st;
    double t0 = now_ms();

    memset(s, 0, sizeof(*s));
    if (load_model(&s->model, &s->q, o, path))
        return -1;
    s->stage = 1;
    if (ds != NULL &&
        check_network("the model", s->q.in, qmodel_classes(&s->q), ds))
        return -1;
    lola_options_default(&lo);
    if (lola_variant_parse(&lo.variant, o->variant) != VEIL_OK) {
        lr_err(": unknown variant '%s' (lola, lola-dense, "
               "lola-small, cryptonets)\n",
               o->variant);
        return -1;
    }
    /* a dense first layer (a head on deep representations) has no
     * convolution representation to send: the client sends the vector */
    if (!o->variant_set && s->q.nlayers > 0 &&
        s->q.layers[0].type == NN_LAYER_DENSE)
        lo.variant = LOLA_VARIANT_DENSE;
    lo.kernels = o->kernels;
    lo.levels = !o->raw_answer; /* as lola_server_init_levels below */
    lo.answer = !o->raw_answer; /* as make_answer below */
    lo.optimize = o->optimize;
    lo.queries = o->queries;
    /* room for the answer's flooding (lola_server_answer) */
    if (!o->raw_answer &&
        lo.margin < (unsigned)LOLA_ANSWER_MARGIN(o->flood_bits))
        lo.margin = (unsigned)LOLA_ANSWER_MARGIN(o->flood_bits);
    st = lola_plan(&s->spec, &s->report, &s->q, &lo);
    if (st != VEIL_OK) {
        lr_err(": no encrypted plan for this model and "
               "variant: %s%s\n",
               veil_strerror(st),
               st == VEIL_EUNSUPPORTED && s->q.layers[0].type == NN_LAYER_DENSE
                   ? " (a network whose first layer is dense needs "
                     "--variant lola-dense or cryptonets)"
                   : "");
        return -1;
    }
    if (o->plan_only) {
        s->setup_ms = now_ms() - t0;
        return 0;
    }
    if ((st = lola_setup_init(&s->setup, &s->spec)) != VEIL_OK)
        return fail("setting up the BFV contexts", st), -1;
    s->stage = 2;
    /* private answers are made from the last step's ciphertexts in the
     * server: it may evaluate at fewer primes where the noise allows
     * (lola_server_init_levels); a raw answer travels at the full modulus */
    if ((st = lola_server_init_levels(&s->server, &s->setup, &s->q,
                                      LOLA_PLAIN_BUDGET, !o->raw_answer)) !=
        VEIL_OK)
        return fail("preparing the model weights", st), -1;
    s->stage = 3;
    s->setup_ms = now_ms() - t0;
    return 0;
}

static int server_open(server_side_t *s, const opts_t *o, const char *path)
{
    return server_open_for(s, o, path, NULL);
}

static void server_close(server_side_t *s)
{
    if (s->stage >= 3)
        lola_server_clear(&s->server);
    if (s->stage >= 2)
        lola_setup_clear(&s->setup);
    if (s->stage >= 1) {
        nn_qmodel_clear(&s->q);
        nn_model_clear(&s->model);
    }
    s->stage = 0;
}

/* ================================================================ client */

typedef struct {
    lola_client_t cl;
    veil_rng_t rng;
    double keygen_ms;
    size_t classes;
    fmpz *logits; /* batch * classes                             */
    size_t nlogits;
    int have_keys;
} client_side_t;

static int client_open(client_side_t *c, const lola_setup_t *su)
{
    veil_status st;
    double t0;
    const lola_spec_t *sp = &su->spec;

    memset(c, 0, sizeof(*c));
    if ((st = veil_rng_init(&c->rng)) != VEIL_OK)
        return fail("seeding the random generator", st), -1;
    t0 = now_ms();
    if ((st = lola_client_init(&c->cl, su, &c->rng)) != VEIL_OK)
        return fail("generating keys", st), -1;
    c->have_keys = 1;
    c->keygen_ms = now_ms() - t0;
    c->classes = nn_shape_size(sp->layers[sp->nlayers - 1].out);
    c->nlogits = c->classes * (sp->batch > 0 ? sp->batch : 1);
    c->logits = _fmpz_vec_init((slong)c->nlogits);
    return 0;
}

static void client_close(client_side_t *c)
{
    if (c->logits != NULL)
        _fmpz_vec_clear(c->logits, (slong)c->nlogits);
    c->logits = NULL;
    if (c->have_keys)
        lola_client_clear(&c->cl);
    c->have_keys = 0;
    veil_rng_clear(&c->rng);
}

/* ============================================================= the run */

/* One image's account. */
typedef struct {
    size_t index;
    int label, plain, encrypted, agree;
    double encrypt_ms, eval_ms, decrypt_ms;
} result_t;

typedef struct {
    const opts_t *o;
    const nn_dataset_t *ds;
    const nn_qmodel_t *q; /* reference model, NULL if the client has none */
    size_t done, agree, correct, with_ref;
    double *eval_ms; /* per image (per batch / records)            */
    double *total_ms;
    uint64_t bytes_up, bytes_down;
    /* the parts: keys once, the largest query and answer (per batch) */
    uint64_t bytes_keys, bytes_query, bytes_answer;
} tally_t;

/* The plaintext reference for image `idx`: the exact integer evaluator's
 * logits in ref[0..classes); returns its predicted class. */
static int reference(fmpz *ref, const nn_qmodel_t *q, const uint8_t *pixels,
                     size_t classes)
{
    nn_qtrace_t t;
    int cls;
    if (nn_qtrace_init(&t, q) != VEIL_OK)
        return -1;
    nn_qmodel_quantize_input(t.v[0], q, pixels);
    nn_qmodel_eval(&t, q);
    _fmpz_vec_set(ref, t.v[t.nlayers], (slong)classes);
    cls = (int)nn_argmax_fmpz(t.v[t.nlayers], (uint32_t)classes);
    nn_qtrace_clear(&t);
    return cls;
}

static void report_result(tally_t *t, const result_t *r)
{
    t->done++;
    t->correct += r->encrypted == r->label;
    if (r->plain >= 0) {
        t->with_ref++;
        t->agree += r->agree;
    }
    if (t->o->json) {
        printf("{\"index\":%zu,\"label\":%d,\"plain\":", r->index, r->label);
        if (r->plain >= 0)
            printf("%d", r->plain);
        else
            printf("null");
        printf(",\"encrypted\":%d,\"agree\":%s,\"encrypt_ms\":%.3f,"
               "\"eval_ms\":%.3f,\"decrypt_ms\":%.3f}\n",
               r->encrypted,
               r->plain < 0 ? "null"
               : r->agree   ? "true"
                            : "false",
               r->encrypt_ms, r->eval_ms, r->decrypt_ms);
    } else if (!t->o->all) {
        char plain[16] = "-";
        if (r->plain >= 0)
            snprintf(plain, sizeof(plain), "%d", r->plain);
        printf("%6zu %6d %6s %9d %11.1f %11.1f %11.1f  %s\n", r->index,
               r->label, plain, r->encrypted, r->encrypt_ms, r->eval_ms,
               r->decrypt_ms,
               r->plain < 0 ? "(no local model)"
               : r->agree   ? "exact"
                            : "MISMATCH");
    }
    fflush(stdout);
}

static void print_table_header(const opts_t *o)
{
    if (o->json || o->all)
        return;
    printf("\n%6s %6s %6s %9s %11s %11s %11s  %s\n", "image", "label", "plain",
           "encrypted", "encrypt_ms", "eval_ms", "decrypt_ms",
           "logits vs exact evaluator");
}

/* Decrypt an answer for `records` images starting at test image first,
 * compare with the reference and report each image.  enc/eval ms are the
 * batch's times. */
static int finish_batch(tally_t *t, client_side_t *c, const lola_msg_t *out,
                        const lola_answer_t *ans, size_t first, size_t records,
                        double enc_ms, double eval_ms)
{
    veil_status st;
    double t0 = now_ms(), dec_ms;
    fmpz *ref = _fmpz_vec_init((slong)c->classes);

    st = ans != NULL
             ? lola_client_decrypt_answer(c->logits, &c->cl, ans, records)
             : lola_client_decrypt(c->logits, &c->cl, out, records);
    dec_ms = now_ms() - t0;
    if (st != VEIL_OK) {
        _fmpz_vec_clear(ref, (slong)c->classes);
        return fail("decrypting the answer", st);
    }
    for (size_t b = 0; b < records; b++) {
        size_t idx = first + b;
        const uint8_t *px = t->ds->images + idx * image_bytes(t->ds);
        const fmpz *lg = c->logits + b * c->classes;
        result_t r;
        r.index = idx;
        r.label = t->ds->labels[idx];
        r.encrypted = (int)nn_argmax_fmpz(lg, (uint32_t)c->classes);
        r.plain = t->q ? reference(ref, t->q, px, c->classes) : -1;
        r.agree = r.plain >= 0 && _fmpz_vec_equal(ref, lg, (slong)c->classes);
        r.encrypt_ms = enc_ms / (double)records;
        r.eval_ms = eval_ms / (double)records;
        r.decrypt_ms = dec_ms / (double)records;
        t->eval_ms[t->done] = r.eval_ms;
        t->total_ms[t->done] = r.encrypt_ms + r.eval_ms + r.decrypt_ms;
        report_result(t, &r);
        progress(t->done, t->o->count, t->correct);
    }
    _fmpz_vec_clear(ref, (slong)c->classes);
    return 0;
}

/* Encrypt images [first, first + records) into *in. */
static int encrypt_batch(lola_msg_t *in, client_side_t *c,
                         const nn_dataset_t *ds, size_t first, size_t records)
{
    veil_status st = lola_client_encrypt(
        in, &c->cl, ds->images + first * image_bytes(ds), records, &c->rng);
    return st == VEIL_OK ? 0 : fail("encrypting", st);
}

static size_t answer_bytes(const lola_answer_t *a)
{
    uint8_t *buf;
    size_t len = 0;
    if (lola_answer_serialize(&buf, &len, a) != VEIL_OK)
        return 0;
    free(buf);
    return len;
}

/* The server's last step (lola_server_answer): mask, re-randomize, flood,
 * switch. */
static veil_status make_answer(lola_answer_t *a, const opts_t *o,
                               const lola_server_t *sv, const lola_msg_t *out,
                               const lola_evalkeys_t *ek, veil_rng_t *rng)
{
    lola_answer_opts_t ao;
    lola_answer_opts_default(&ao);
    ao.lambda = (unsigned)o->flood_bits;
    return lola_server_answer(a, sv, out, ek, &ao, rng);
}

static size_t keys_bytes(const lola_evalkeys_t *ek)
{
    uint8_t *buf;
    size_t len = 0;
    if (lola_evalkeys_serialize(&buf, &len, ek) != VEIL_OK)
        return 0;
    free(buf);
    return len;
}

/* The variant named on the command line, else the one planned (also when
 * --optimize bytes replaced lola's input by the dense one). */
static const char *variant_shown(const opts_t *o, const lola_spec_t *spec)
{
    lola_variant_t v;
    return o->variant_set && lola_variant_parse(&v, o->variant) == VEIL_OK &&
                   v == spec->variant
               ? o->variant
               : lola_variant_name(spec->variant);
}

static void print_plan(const opts_t *o, const server_side_t *s,
                       const int *measured)
{
    static char buf[16384];
    if (o->json)
        return;
    lola_report_format(buf, sizeof(buf), &s->report, &s->spec, measured);
    printf("%s", buf);
}

static void print_summary(const tally_t *t, const client_side_t *c,
                          const lola_setup_t *su, double setup_ms)
{
    const opts_t *o = t->o;
    double eval_med = median(t->eval_ms, t->done);
    double total_med = median(t->total_ms, t->done);
    size_t images = t->done;

    if (o->json) {
        printf("{\"summary\":true,\"variant\":\"%s\",\"images\":%zu,"
               "\"agree\":%zu,\"correct\":%zu,\"accuracy\":%.4f,"
               "\"eval_ms_median\":%.3f,\"end_to_end_ms_median\":%.3f,"
               "\"keygen_ms\":%.1f,\"server_setup_ms\":%.1f,"
               "\"peak_rss_mb\":%.1f,\"bytes_up\":%" PRIu64
               ",\"bytes_down\":%" PRIu64 ",\"n\":%zu,\"primes\":%zu,"
               "\"threads\":%d,\"answer\":\"%s\",\"flood_bits\":%zu,"
               "\"bytes_keys\":%" PRIu64 ",\"bytes_query\":%" PRIu64
               ",\"bytes_answer\":%" PRIu64 ",\"optimize\":\"%s\"}\n",
               variant_shown(o, &su->spec), images, t->agree, t->correct,
               images ? (double)t->correct / (double)images : 0.0, eval_med,
               total_med, c->keygen_ms, setup_ms, peak_rss_mb(), t->bytes_up,
               t->bytes_down, su->spec.params[0].n, su->ncomp,
               omp_get_max_threads(), o->raw_answer ? "raw" : "private",
               o->raw_answer ? (size_t)0 : o->flood_bits, t->bytes_keys,
               t->bytes_query, t->bytes_answer,
               lola_objective_name(o->optimize));
        return;
    }
    printf("\n%s: %zu images, %zu correct (%.2f%%)",
           variant_shown(o, &su->spec), images, t->correct,
           images ? 100.0 * (double)t->correct / images : 0.0);
    if (t->with_ref)
        printf(", decrypted logits equal the exact integer evaluator on "
               "%zu of %zu (%.2f%%)",
               t->agree, t->with_ref, 100.0 * (double)t->agree / t->with_ref);
    printf("\n");
    printf("  key generation      %10.1f ms (client, once)\n", c->keygen_ms);
    if (setup_ms > 0)
        printf("  server setup        %10.1f ms (plan + weights, once)\n",
               setup_ms);
    printf("  server evaluation   %10.1f ms median per image (%d threads)\n",
           eval_med, omp_get_max_threads());
    printf("  end to end          %10.1f ms median per image\n", total_med);
    if (su->spec.variant == LOLA_VARIANT_SIMD && eval_med > 0)
        printf("  throughput          %10.0f predictions per hour\n",
               3.6e6 / eval_med);
    printf("  sent up             %10.2f MB (evaluation keys + queries)\n",
           (double)t->bytes_up / 1e6);
    printf("  sent down           %10.2f MB (answers)\n",
           (double)t->bytes_down / 1e6);
    if (t->bytes_keys > 0)
        printf(
            "  of which            %10.2f MB keys (once), %.2f MB per query, "
            "%.1f kB per answer\n",
            (double)t->bytes_keys / 1e6, (double)t->bytes_query / 1e6,
            (double)t->bytes_answer / 1e3);
    printf("  peak memory         %10.1f MB\n", peak_rss_mb());
}

static int tally_init(tally_t *t, const opts_t *o, const nn_dataset_t *ds,
                      const nn_qmodel_t *q)
{
    memset(t, 0, sizeof(*t));
    t->o = o;
    t->ds = ds;
    t->q = q;
    t->eval_ms = calloc(o->count, sizeof(double));
    t->total_ms = calloc(o->count, sizeof(double));
    if (t->eval_ms == NULL || t->total_ms == NULL) {
        lr_err(": out of memory\n");
        return -1;
    }
    return 0;
}

static void tally_clear(tally_t *t)
{
    free(t->eval_ms);
    free(t->total_ms);
}

/* Budget tracing (--budget): the smallest measured budget after each step,
 * for the first query only. */
typedef struct {
    const lola_client_t *cl;
    int *measured;
    size_t nsteps;
} budget_trace_t;

static int trace_budget(void *arg, size_t step, const lola_msg_t *msg)
{
    budget_trace_t *bt = arg;
    int bits;
    if (step < bt->nsteps && lola_client_budget(&bits, bt->cl, msg) == VEIL_OK)
        bt->measured[step] = bits;
    return 0;
}

/* ---------------------------------------------------- one process */

/* --plan-only: the server's plan for the model, no keys, no data. */
static int plan_only(const opts_t *o, const char *path)
{
    server_side_t s;
    const lola_report_t *r = &s.report;
    if (server_open_for(&s, o, path, NULL)) {
        server_close(&s);
        return 1;
    }
    if (o->json)
        printf("{\"plan\":true,\"model\":\"%s\",\"variant\":\"%s\","
               "\"kernels\":\"%s\",\"n\":%zu,\"primes\":%zu,"
               "\"log_q\":%u,\"bound_bits\":%u,\"galois_keys\":%zu,"
               "\"input_messages\":%zu,\"output_messages\":%zu,"
               "\"predicted_ms\":%.3f,\"plan_ms\":%.1f,\"optimize\":\"%s\","
               "\"bytes_keys\":%zu,\"bytes_query\":%zu,"
               "\"bytes_answer\":%zu}\n",
               path, lola_variant_name(s.spec.variant), s.spec.kernels, r->n,
               r->nprimes, r->log_q, r->bound_bits, r->ngalois,
               r->input_messages, r->output_messages, r->cost_us / 1e3,
               s.setup_ms, lola_objective_name(o->optimize), r->bytes_keys,
               r->bytes_query, r->bytes_answer);
    else {
        printf("%s: model %s (plan only)\n", cfg->prog, path);
        print_plan(o, &s, NULL);
        printf("  bytes on the wire (predicted, --optimize %s): keys once "
               "%zu, query %zu, answer %zu\n",
               lola_objective_name(o->optimize), r->bytes_keys, r->bytes_query,
               r->bytes_answer);
    }
    server_close(&s);
    return 0;
}

static int run_local(opts_t *o)
{
    server_side_t s;
    client_side_t c;
    nn_dataset_t ds;
    tally_t t;
    char path[4096];
    int rc = 1;
    size_t batch, first;
    int *measured = NULL;

    memset(&ds, 0, sizeof(ds));
    memset(&c, 0, sizeof(c));
    memset(&t, 0, sizeof(t));
    model_path(path, sizeof(path), o);
    if (o->plan_only)
        return plan_only(o, path);
    if (load_data(&ds, o) || fit_images(o, &ds)) {
        memset(&s, 0, sizeof(s));
        goto out_server;
    }
    if (server_open_for(&s, o, path, &ds))
        goto out_server;
    if (!o->json)
        printf("%s: variant %s, model %s, %d threads\n", cfg->prog,
               variant_shown(o, &s.spec), path, omp_get_max_threads());
    print_plan(o, &s, NULL);
    if (client_open(&c, &s.setup))
        goto out_client;
    if (tally_init(&t, o, &ds, &s.q))
        goto out_tally;
    t.bytes_up = t.bytes_keys = keys_bytes(&c.cl.ek);
    if (o->budget) {
        measured = malloc(s.setup.nsteps * sizeof(int));
        if (measured == NULL)
            goto out_tally;
        for (size_t i = 0; i < s.setup.nsteps; i++)
            measured[i] = -1;
    }
    print_table_header(o);
    /* the keys for the server's levels, once, before the first query */
    {
        const veil_status pk = lola_server_prepare_keys(&s.server, &c.cl.ek);
        if (pk != VEIL_OK) {
            fail("deriving the keys for the server's levels", pk);
            goto out_tally;
        }
    }

    batch = s.spec.batch > 0 ? s.spec.batch : 1;
    for (first = o->offset; first < o->offset + o->count; first += batch) {
        size_t records = o->offset + o->count - first;
        lola_msg_t in, out;
        lola_answer_t ans;
        double t0, enc_ms, eval_ms;
        veil_status st;

        if (records > batch)
            records = batch;
        t0 = now_ms();
        if (encrypt_batch(&in, &c, &ds, first, records))
            goto out_tally;
        enc_ms = now_ms() - t0;
        {
            const uint64_t qb = lola_msg_bytes(&in, 0);
            t.bytes_up += qb;
            if (qb > t.bytes_query)
                t.bytes_query = qb;
        }

        t0 = now_ms();
        if (measured != NULL && first == o->offset) {
            budget_trace_t bt = {&c.cl, measured, s.setup.nsteps};
            st = lola_server_eval_trace(&out, &s.server, &in, &c.cl.ek,
                                        trace_budget, &bt);
        } else {
            st = lola_server_eval(&out, &s.server, &in, &c.cl.ek);
        }
        lola_msg_clear(&in);
        if (st == VEIL_OK && !o->raw_answer)
            st = make_answer(&ans, o, &s.server, &out, &c.cl.ek, &c.rng);
        eval_ms = now_ms() - t0;
        if (st != VEIL_OK) {
            lola_msg_clear(&out);
            fail("server evaluation", st);
            goto out_tally;
        }
        {
            const uint64_t ab =
                o->raw_answer ? lola_msg_bytes(&out, 0) : answer_bytes(&ans);
            t.bytes_down += ab;
            if (ab > t.bytes_answer)
                t.bytes_answer = ab;
        }
        rc = finish_batch(&t, &c, &out, o->raw_answer ? NULL : &ans, first,
                          records, enc_ms, eval_ms);
        lola_msg_clear(&out);
        if (!o->raw_answer)
            lola_answer_clear(&ans);
        if (rc)
            goto out_tally;
        rc = 1;
    }
    if (measured != NULL) {
        if (!o->json)
            printf("\nMeasured noise budgets (first image, secret key):\n");
        print_plan(o, &s, measured);
    }
    print_summary(&t, &c, &s.setup, s.setup_ms);
    rc = (t.with_ref && t.agree != t.with_ref) ? 3 : 0;
    if (rc)
        lr_err(": %zu images disagree with the exact "
               "evaluator\n",
               t.with_ref - t.agree);
out_tally:
    free(measured);
    tally_clear(&t);
out_client:
    client_close(&c);
out_server:
    server_close(&s);
    nn_dataset_clear(&ds);
    return rc;
}

/* ---------------------------------------------------- transport */

/* An object of any size as two frames: its 8-byte length, then itself. */
static veil_status send_blob(mpc_chan_t *ch, const uint8_t *buf, size_t len)
{
    uint8_t hdr[8];
    veil_status st;
    for (int i = 0; i < 8; i++)
        hdr[i] = (uint8_t)((uint64_t)len >> (8 * i));
    if ((st = mpc_chan_send(ch, hdr, 8)) != VEIL_OK)
        return st;
    if ((st = mpc_chan_send(ch, buf, len)) != VEIL_OK)
        return st;
    return mpc_chan_flush(ch);
}

/* Receive an object of at most cap bytes into a fresh buffer (free()).
 * The announced length is checked against cap before anything is
 * reserved, and memory grows only as the bytes arrive. */
static veil_status recv_blob_cap(mpc_chan_t *ch, uint8_t **buf, size_t *len,
                                 uint64_t cap)
{
    uint8_t hdr[8];
    uint64_t n = 0;
    size_t got = 0;
    veil_status st = mpc_chan_recv(ch, hdr, 8);
    *buf = NULL;
    if (st != VEIL_OK)
        return st;
    for (int i = 0; i < 8; i++)
        n |= (uint64_t)hdr[i] << (8 * i);
    if (n > cap || n > MAX_FRAME)
        return VEIL_EFORMAT;
    st = mpc_chan_recv_alloc(ch, buf, &got, (size_t)n);
    if (st == VEIL_OK && got != n) {
        free(*buf);
        *buf = NULL;
        st = VEIL_EFORMAT;
    }
    if (st == VEIL_OK)
        *len = got;
    return st;
}

/* Receive an object of at most MAX_FRAME bytes into a fresh buffer. */
static veil_status recv_blob(mpc_chan_t *ch, uint8_t **buf, size_t *len)
{
    return recv_blob_cap(ch, buf, len, MAX_FRAME);
}

static void chan_setup(mpc_chan_t *ch)
{
    ch->timeout_ms = NET_TIMEOUT_MS;
    ch->max_frame = (uint32_t)MAX_FRAME;
}

static int net_fail(const char *what, veil_status st)
{
    if (st == VEIL_ECLOSED)
        lr_err(": %s: the other side closed the connection\n", what);
    else
        lr_err(": %s: %s\n", what, veil_strerror(st));
    return 1;
}

/* Query frames carry a 4-byte record count before the message; a query
 * with record count 0 ends the session. */

/* ---------------------------------------------------- server process */

/* What every session shares (mpc_server_t runs them on their own threads):
 * the prepared model (read only), the limits derived from the plan, and a
 * lock so that one evaluation at a time uses the cores. */
typedef struct {
    server_side_t *s;
    const opts_t *o;
    uint8_t *plan; /* the serialized plan, sent to every client */
    size_t plan_len;
    size_t keys_bytes; /* exact size of the evaluation keys */
    size_t query_cap;  /* largest query: record count + message */
    pthread_mutex_t eval_mu;
} serve_ctx_t;

static veil_status session_fail(uint64_t id, const char *what, veil_status st)
{
    if (st == VEIL_ECLOSED)
        lr_err(" server: session %" PRIu64 ": %s: the client "
               "closed the connection\n",
               id, what);
    else
        lr_err(" server: session %" PRIu64 ": %s: %s\n", id, what,
               veil_strerror(st));
    return st;
}

/* One client: the plan out, the keys in (exactly the size the plan
 * implies), then queries (each at most the size the plan implies) until a
 * query with record count 0.  Runs on a session thread; the channel's
 * deadlines and caps were set by the pool. */
static veil_status serve_session(mpc_chan_t *ch, void *arg, uint64_t id)
{
    serve_ctx_t *x = arg;
    server_side_t *s = x->s;
    uint8_t *buf = NULL;
    size_t len = 0, queries = 0;
    lola_evalkeys_t ek;
    veil_status st;

    if (x->o->threads > 0)
        omp_set_num_threads(x->o->threads);
    if ((st = send_blob(ch, x->plan, x->plan_len)) != VEIL_OK)
        return session_fail(id, "sending the plan", st);
    st = recv_blob_cap(ch, &buf, &len, x->keys_bytes);
    if (st != VEIL_OK)
        return session_fail(id, "receiving the evaluation keys", st);
    st = lola_evalkeys_parse(&ek, &s->setup, buf, len);
    free(buf);
    if (st == VEIL_OK) /* the keys for the server's levels, once */
        st = lola_server_prepare_keys(&s->server, &ek);
    if (st != VEIL_OK)
        return session_fail(id, "the client's evaluation keys are invalid", st);
    if (!x->o->json)
        lr_err(" server: session %" PRIu64 ": client keys received "
               "(%zu bytes)\n",
               id, len);
    for (;;) {
        lola_msg_t in, out;
        uint32_t records;
        double t0;
        if ((st = recv_blob_cap(ch, &buf, &len, x->query_cap)) != VEIL_OK) {
            session_fail(id, "receiving a query", st);
            break;
        }
        if (len < 4) {
            free(buf);
            st = session_fail(id, "malformed query", VEIL_EFORMAT);
            break;
        }
        records = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
                  (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
        if (records == 0) { /* end of session */
            free(buf);
            st = VEIL_OK;
            break;
        }
        if (records > (s->spec.batch > 0 ? s->spec.batch : 1)) {
            free(buf);
            st = session_fail(id, "query with too many records", VEIL_EFORMAT);
            break;
        }
        st = lola_msg_parse(&in, &s->setup, s->setup.in_nct, buf + 4, len - 4);
        free(buf);
        if (st != VEIL_OK) {
            session_fail(id, "malformed query", st);
            break;
        }
        pthread_mutex_lock(&x->eval_mu);
        t0 = now_ms();
        st = lola_server_eval(&out, &s->server, &in, &ek);
        t0 = now_ms() - t0;
        pthread_mutex_unlock(&x->eval_mu);
        lola_msg_clear(&in);
        if (st != VEIL_OK) {
            session_fail(id, "evaluation", st);
            break;
        }
        if (!x->o->json)
            lr_err(" server: session %" PRIu64 ": query %zu evaluated "
                   "in %.1f ms\n",
                   id, ++queries, t0);
        if (x->o->raw_answer) {
            st = lola_msg_serialize(&buf, &len, &out, 0);
        } else {
            lola_answer_t ans;
            veil_rng_t rng;
            st = veil_rng_init(&rng);
            if (st == VEIL_OK)
                st = make_answer(&ans, x->o, &s->server, &out, &ek, &rng);
            veil_rng_clear(&rng);
            if (st == VEIL_OK) {
                st = lola_answer_serialize(&buf, &len, &ans);
                lola_answer_clear(&ans);
            }
        }
        lola_msg_clear(&out);
        if (st == VEIL_OK) {
            st = send_blob(ch, buf, len);
            free(buf);
        }
        if (st != VEIL_OK) {
            session_fail(id, "sending an answer", st);
            break;
        }
    }
    lola_evalkeys_clear(&ek);
#ifdef __GLIBC__
    malloc_trim(0); /* give the session's key memory back to the system */
#endif
    return st;
}

/* The pool's log hook: one line per event on stderr. */
static void serve_log(void *arg, const mpc_server_event_t *ev)
{
    (void)arg;
    switch (ev->kind) {
    case MPC_SERVER_EV_LISTENING:
        break;
    case MPC_SERVER_EV_ACCEPT_ERROR:
        lr_err(" server: accepting a connection failed: %s "
               "(%s); still listening\n",
               veil_strerror(ev->status), strerror(ev->sys_errno));
        break;
    case MPC_SERVER_EV_SESSION_START:
        lr_err(" server: session %" PRIu64 " from %s started "
               "(%zu running)\n",
               ev->session, ev->peer, ev->active);
        break;
    case MPC_SERVER_EV_SESSION_END:
        lr_err(" server: session %" PRIu64 " %s after %.0f ms%s%s\n",
               ev->session,
               ev->status == VEIL_OK ? "finished" : "ended with an error",
               ev->duration_ms, ev->status == VEIL_OK ? "" : ": ",
               ev->status == VEIL_OK ? "" : veil_strerror(ev->status));
        break;
    }
}

static mpc_server_t *volatile serve_pool; /* for the signal handler */

static void serve_stop(int sig)
{
    (void)sig;
    mpc_server_stop(serve_pool); /* async-signal-safe */
}

static int run_server(const opts_t *o)
{
    server_side_t s;
    serve_ctx_t x;
    mpc_server_config_t cfg;
    mpc_server_stats_t stats;
    mpc_server_t *pool = NULL;
    struct sigaction sa;
    char path[4096];
    size_t port;
    veil_status st;

    if (parse_size(o->serve, &port, 0, 65535)) {
        lr_err(": --serve wants a port number 0..65535 (0: "
               "any free port, printed)\n");
        return 2;
    }
    model_path(path, sizeof(path), o);
    if (server_open(&s, o, path)) {
        server_close(&s);
        return 1;
    }
    print_plan(o, &s, NULL);
    memset(&x, 0, sizeof(x));
    x.s = &s;
    x.o = o;
    /* the message caps the agreed plan implies, not a fixed 2 GiB */
    x.keys_bytes = lola_evalkeys_bytes(&s.setup);
    x.query_cap = 4 + lola_msg_max_bytes(&s.setup, s.setup.in_nct);
    if ((st = lola_spec_serialize(&x.plan, &x.plan_len, &s.spec)) != VEIL_OK) {
        server_close(&s);
        return fail("encoding the plan", st);
    }
    if (x.keys_bytes == 0 || x.query_cap <= 4 || x.keys_bytes > MAX_FRAME ||
        x.query_cap > MAX_FRAME) {
        free(x.plan);
        server_close(&s);
        return fail("message sizes of the plan", VEIL_ERANGE);
    }
    pthread_mutex_init(&x.eval_mu, NULL);
    mpc_server_config_default(&cfg);
    cfg.max_clients = o->max_clients;
    cfg.backlog = (int)o->max_clients;
    cfg.session_timeout_ms = (int)(o->session_s * 1000);
    cfg.msg_timeout_ms = (int)(o->message_s * 1000);
    cfg.idle_timeout_ms = cfg.msg_timeout_ms;
    cfg.max_frame =
        (uint32_t)(x.keys_bytes > x.query_cap ? x.keys_bytes : x.query_cap);
    cfg.max_sessions = o->once ? 1 : 0;
    cfg.handler = serve_session;
    cfg.handler_arg = &x;
    cfg.log = serve_log;
    st = mpc_server_init(&pool, o->bind, (uint16_t)port, &cfg);
    if (st != VEIL_OK) {
        if (st == VEIL_EINVAL)
            lr_err(": cannot listen on %s:%zu: not a numeric "
                   "IPv4 address\n",
                   o->bind, port);
        else
            lr_err(": cannot listen on %s:%zu: %s (%s)\n", o->bind, port,
                   veil_strerror(st), strerror(errno));
        pthread_mutex_destroy(&x.eval_mu);
        free(x.plan);
        server_close(&s);
        return 1;
    }
    serve_pool = pool;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = serve_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    lr_err(" server: model %s, listening on %s:%u (at most %zu "
           "clients, %zu s per session, keys %zu bytes, queries at "
           "most %zu bytes)\n",
           path, o->bind, mpc_server_port(pool), o->max_clients, o->session_s,
           x.keys_bytes, x.query_cap);
    st = mpc_server_run(pool);
    mpc_server_stats(&stats, pool);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    serve_pool = NULL;
    mpc_server_clear(pool);
    lr_err(" server: stopped after %" PRIu64 " sessions (%" PRIu64
           " finished, %" PRIu64 " failed, %" PRIu64 " timed out, "
           "%" PRIu64 " failed accepts)\n",
           stats.accepted, stats.ok, stats.failed, stats.timed_out,
           stats.accept_errors);
    pthread_mutex_destroy(&x.eval_mu);
    free(x.plan);
    server_close(&s);
    if (st != VEIL_OK)
        return fail("the listener failed", st);
    return o->once && stats.ok != 1 ? 1 : 0;
}

/* ---------------------------------------------------- client process */

static int parse_hostport(const char *s, char *host, size_t hlen,
                          uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    size_t p;
    if (colon == NULL || (size_t)(colon - s) >= hlen || colon == s ||
        parse_size(colon + 1, &p, 1, 65535))
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, hlen, "127.0.0.1");
    *port = (uint16_t)p;
    return 0;
}

static int run_client(opts_t *o)
{
    char host[256], path[4096];
    uint16_t port;
    mpc_chan_t ch;
    lola_spec_t spec;
    lola_setup_t su;
    client_side_t c;
    nn_dataset_t ds;
    nn_model_t model;
    nn_qmodel_t q;
    int have_ref = 0, rc = 1;
    tally_t t;
    uint8_t *buf = NULL;
    size_t len = 0, batch;
    veil_status st;

    if (parse_hostport(o->connect, host, sizeof(host), &port)) {
        lr_err(": --connect wants HOST:PORT with a numeric "
               "IPv4 host, e.g. 127.0.0.1:5555\n");
        return 2;
    }
    memset(&ds, 0, sizeof(ds));
    memset(&c, 0, sizeof(c));
    memset(&su, 0, sizeof(su));
    memset(&t, 0, sizeof(t));
    if (load_data(&ds, o) || fit_images(o, &ds)) {
        nn_dataset_clear(&ds);
        return 1;
    }
    /* The client does not need the model.  When it has a copy (a test
     * set-up) it uses the exact evaluator to check the answers, if that
     * copy takes these images. */
    model_path(path, sizeof(path), o);
    if (model_generated(o)) {
        /* the same seed gives the server's generated weights */
        if (load_model(&model, &q, o, path) == 0) {
            have_ref = 1;
            nn_model_clear(&model);
        }
    } else if (access(path, R_OK) == 0 &&
               nn_model_load(&model, path) == VEIL_OK) {
        if (nn_qmodel_init(&q, &model) == VEIL_OK)
            have_ref = 1;
        nn_model_clear(&model);
        if (have_ref &&
            check_network("the local model", q.in, qmodel_classes(&q), &ds)) {
            nn_qmodel_clear(&q);
            have_ref = 0;
            nn_dataset_clear(&ds);
            return 1;
        }
    }
    /* retry while the server is still starting (planning, weights) */
    st = mpc_chan_connect(&ch, host, port, (int)(o->wait_s * 1000));
    if (st != VEIL_OK) {
        lr_err(": cannot connect to %s:%u: %s\n", host, port,
               veil_strerror(st));
        goto out_data;
    }
    chan_setup(&ch);
    if ((st = recv_blob(&ch, &buf, &len)) != VEIL_OK) {
        net_fail("receiving the plan", st);
        goto out_chan;
    }
    st = lola_spec_parse(&spec, buf, len);
    free(buf);
    if (st != VEIL_OK) {
        fail("the server's plan is invalid", st);
        goto out_chan;
    }
    for (size_t i = 0; i < spec.nprimes; i++)
        if (spec.params[i].allow_insecure) {
            lr_err(": the server proposed parameters below "
                   "the security level; refusing\n");
            goto out_chan;
        }
    /* The plan must take the images held here and give NN_CLASSES logits,
     * and match the local model the answers are checked with. */
    if (check_network("the server's plan", spec.in,
                      nn_shape_size(spec.layers[spec.nlayers - 1].out), &ds))
        goto out_chan;
    if (have_ref && (!same_shape(spec.in, q.in) ||
                     nn_shape_size(spec.layers[spec.nlayers - 1].out) !=
                         qmodel_classes(&q))) {
        lr_err(": the server's plan does not match the local "
               "model %s; refusing\n",
               path);
        goto out_chan;
    }
    if ((st = lola_setup_init(&su, &spec)) != VEIL_OK) {
        fail("setting up from the server's plan", st);
        goto out_chan;
    }
    if (client_open(&c, &su))
        goto out_setup;
    if (tally_init(&t, o, &ds, have_ref ? &q : NULL))
        goto out_tally;
    if ((st = lola_evalkeys_serialize(&buf, &len, &c.cl.ek)) != VEIL_OK) {
        fail("encoding the evaluation keys", st);
        goto out_tally;
    }
    st = send_blob(&ch, buf, len);
    free(buf);
    t.bytes_keys = len;
    if (st != VEIL_OK) {
        net_fail("sending the evaluation keys", st);
        goto out_tally;
    }
    if (!o->json)
        printf("%s client: connected to %s:%u, variant %s, n = %zu, "
               "%zu plaintext primes%s%s\n",
               cfg->prog, host, port, lola_variant_name(spec.variant),
               spec.params[0].n, spec.nprimes,
               have_ref ? ", checking with the local model " : "",
               have_ref ? path : "");
    print_table_header(o);
    batch = spec.batch > 0 ? spec.batch : 1;
    for (size_t first = o->offset; first < o->offset + o->count;
         first += batch) {
        size_t records = o->offset + o->count - first;
        lola_msg_t in, out;
        lola_answer_t ans;
        int is_answer;
        double t0, enc_ms, eval_ms;
        if (records > batch)
            records = batch;
        t0 = now_ms();
        if (encrypt_batch(&in, &c, &ds, first, records))
            goto out_tally;
        /* the record count, then the message, in one frame */
        len = lola_msg_bytes(&in, 0);
        buf = len > 0 ? malloc(4 + len) : NULL;
        st = buf == NULL ? (len > 0 ? VEIL_ENOMEM : VEIL_EINVAL)
                         : lola_msg_write(buf + 4, len, &len, &in, 0);
        lola_msg_clear(&in);
        if (st != VEIL_OK) {
            free(buf);
            fail("encoding a query", st);
            goto out_tally;
        }
        for (int i = 0; i < 4; i++)
            buf[i] = (uint8_t)(records >> (8 * i));
        enc_ms = now_ms() - t0;
        if (len > t.bytes_query) /* the message, as in process */
            t.bytes_query = len;
        t0 = now_ms();
        st = send_blob(&ch, buf, 4 + len);
        free(buf);
        if (st == VEIL_OK)
            st = recv_blob(&ch, &buf, &len);
        eval_ms = now_ms() - t0; /* includes both transfers */
        if (st != VEIL_OK) {
            net_fail("waiting for the server's answer", st);
            goto out_tally;
        }
        if (len > t.bytes_answer)
            t.bytes_answer = len;
        /* a private answer ("VLAN"), or a --raw-answer server's message */
        is_answer = len >= 4 && !memcmp(buf, "VLAN", 4);
        if (is_answer)
            st = lola_answer_parse(&ans, &su, buf, len);
        else
            st = lola_msg_parse(&out, &su, su.out_nct, buf, len);
        free(buf);
        if (st != VEIL_OK) {
            fail("the server's answer is malformed", st);
            goto out_tally;
        }
        rc = finish_batch(&t, &c, is_answer ? NULL : &out,
                          is_answer ? &ans : NULL, first, records, enc_ms,
                          eval_ms);
        if (is_answer)
            lola_answer_clear(&ans);
        else
            lola_msg_clear(&out);
        if (rc)
            goto out_tally;
        rc = 1;
    }
    {
        uint8_t end[4] = {0, 0, 0, 0};
        if ((st = send_blob(&ch, end, 4)) != VEIL_OK) {
            net_fail("ending the session", st);
            goto out_tally;
        }
    }
    t.bytes_up = ch.bytes_sent;
    t.bytes_down = ch.bytes_received;
    print_summary(&t, &c, &su, 0.0);
    rc = (t.with_ref && t.agree != t.with_ref) ? 3 : 0;
out_tally:
    tally_clear(&t);
    client_close(&c);
out_setup:
    lola_setup_clear(&su);
out_chan:
    mpc_chan_clear(&ch);
out_data:
    if (have_ref)
        nn_qmodel_clear(&q);
    nn_dataset_clear(&ds);
    return rc;
}

int lola_run_main(int argc, char **argv, const lola_run_config_t *c)
{
    opts_t o;
    veil_status st;

    cfg = c;
    if (parse_opts(&o, argc, argv))
        return 2;
    cli_omp_passive(argv);
    cli_malloc_keep();
    st = veil_init();
    if (st != VEIL_OK)
        lr_err(": warning: %s\n", veil_strerror(st));
    if (o.threads > 0)
        omp_set_num_threads(o.threads);
    if (o.serve)
        return run_server(&o);
    if (o.connect)
        return run_client(&o);
    return run_local(&o);
}
