/*
 * mnist_lola - private inference on MNIST with LoLa.
 *
 * A client encrypts a handwritten digit with BFV; a server that never sees
 * the image (and never holds a secret key) evaluates a trained network on
 * the ciphertexts; the client decrypts the ten scores and takes the largest.
 * The integer network the server evaluates is also run in the clear by the
 * exact evaluator, and the decrypted scores must equal it bit for bit.
 *
 *   apps/mnist_lola                      a few test images, one process
 *   apps/mnist_lola --all --json         the whole test set, JSON lines
 *   apps/mnist_lola --serve 5555 &       server in its own process ...
 *   apps/mnist_lola --connect 127.0.0.1:5555   ... and the client
 *
 * The program is written in three parts that mirror who knows what:
 * the server side (model, plan, evaluation), the client side (keys,
 * encryption, decryption) and the transport between them (in process, or
 * TCP frames from mpc.h carrying lola_wire.h bytes).  See doc/11-lola.md.
 */
#include "veil/lola.h"
#include "veil/lola_wire.h"
#include "veil/mpc.h"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

#define PROG "mnist_lola"
#define MAX_FRAME ((uint64_t)1 << 31) /* largest object accepted: 2 GiB  */
#define NET_TIMEOUT_MS 600000         /* a peer silent this long is gone */
#define CONNECT_WAIT_S 120            /* default --wait                  */

/* ================================================================ options */

typedef struct {
    size_t count;        /* images to classify                       */
    size_t offset;       /* first test image                          */
    int all;             /* the whole test set                        */
    const char *variant; /* lola, lola-dense, lola-small, cryptonets  */
    int threads;         /* OpenMP threads (0: library default)       */
    const char *model;   /* model file (NULL: the shipped one)        */
    const char *data;    /* MNIST directory (NULL: nn_mnist_locate)   */
    const char *kernels; /* forced kernel string (NULL: planner)      */
    int json;            /* JSON lines on stdout                      */
    int budget;          /* measure noise budgets per step            */
    const char *serve;   /* --serve PORT                              */
    const char *bind;    /* --bind ADDR for --serve                   */
    int once;            /* --once: serve one client, then exit       */
    const char *connect; /* --connect HOST:PORT                       */
    size_t wait_s;       /* --wait S: retry a refused connect S seconds */
} opts_t;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: " PROG " [options]\n"
        "Classify MNIST test images with LoLa private inference: the client\n"
        "encrypts, the server evaluates on ciphertexts, the client "
        "decrypts.\n\n"
        "  --count N          classify N test images (default 5)\n"
        "  --offset I         start at test image I (default 0)\n"
        "  --all              the whole test set (10,000 images)\n"
        "  --variant V        lola (default), lola-dense, lola-small, "
        "cryptonets\n"
        "  --threads T        OpenMP threads (default: all cores)\n"
        "  --model FILE       model file (default: models/<network>.vmodel)\n"
        "  --data DIR         MNIST directory (default: $MNIST_DIR, then\n"
        "                     ../shared/data/mnist, then ./data/mnist)\n"
        "  --kernels LIST     force the kernel choice, e.g. \"paper\" or\n"
        "                     \"conv-plain,diag,stacked\" (doc/11-lola.md)\n"
        "  --budget           also measure the noise budget after each step\n"
        "                     (diagnostics: uses the secret key)\n"
        "  --json             one JSON object per image, then a summary\n"
        "  --serve PORT       run only the server, listening on PORT\n"
        "  --bind ADDR        address to listen on (default 127.0.0.1)\n"
        "  --once             with --serve: exit after one client\n"
        "  --connect H:P      run only the client, against a server at H:P\n"
        "  --wait S           with --connect: keep retrying a refused\n"
        "                     connection for S seconds (default 120)\n"
        "  -h, --help         this text\n");
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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t x;
#define NEED_ARG                                                               \
    do {                                                                       \
        if (v == NULL) {                                                       \
            fprintf(stderr, PROG ": %s needs a value\n", a);                   \
            return -1;                                                         \
        }                                                                      \
        i++;                                                                   \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--count")) {
            NEED_ARG;
            if (parse_size(v, &o->count, 1, 10000)) {
                fprintf(stderr, PROG ": --count wants 1..10000\n");
                return -1;
            }
        } else if (!strcmp(a, "--offset")) {
            NEED_ARG;
            if (parse_size(v, &o->offset, 0, 9999)) {
                fprintf(stderr, PROG ": --offset wants 0..9999\n");
                return -1;
            }
        } else if (!strcmp(a, "--all")) {
            o->all = 1;
        } else if (!strcmp(a, "--variant")) {
            NEED_ARG;
            o->variant = v;
        } else if (!strcmp(a, "--threads")) {
            NEED_ARG;
            if (parse_size(v, &x, 1, 1024)) {
                fprintf(stderr, PROG ": --threads wants 1..1024\n");
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
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--budget")) {
            o->budget = 1;
        } else if (!strcmp(a, "--serve")) {
            NEED_ARG;
            o->serve = v;
        } else if (!strcmp(a, "--bind")) {
            NEED_ARG;
            o->bind = v;
        } else if (!strcmp(a, "--once")) {
            o->once = 1;
        } else if (!strcmp(a, "--wait")) {
            NEED_ARG;
            if (parse_size(v, &o->wait_s, 0, 86400)) {
                fprintf(stderr, PROG ": --wait wants seconds, 0..86400\n");
                return -1;
            }
        } else if (!strcmp(a, "--connect")) {
            NEED_ARG;
            o->connect = v;
        } else {
            fprintf(stderr, PROG ": unknown option '%s' (try --help)\n", a);
            return -1;
        }
#undef NEED_ARG
    }
    if (o->serve && o->connect) {
        fprintf(stderr, PROG ": --serve and --connect exclude each other\n");
        return -1;
    }
    if (o->all) {
        o->offset = 0;
        o->count = 10000;
    }
    if (o->offset + o->count > 10000) {
        fprintf(stderr, PROG ": --offset + --count exceeds the 10,000 test "
                             "images\n");
        return -1;
    }
    return 0;
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
    fprintf(stderr, PROG ": %s: %s\n", what, veil_strerror(st));
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

/* Find the model: --model, else models/NAME.vmodel in the current
 * directory, else in the source tree the program was built from. */
static void model_path(char *out, size_t len, const opts_t *o)
{
    const char *name = default_model_name(o->variant);
    if (o->model != NULL) {
        snprintf(out, len, "%s", o->model);
        return;
    }
    snprintf(out, len, "models/%s.vmodel", name);
    if (access(out, R_OK) != 0)
        snprintf(out, len, "%s/models/%s.vmodel", VEIL_SRCDIR, name);
}

/* Load and quantize a model.  Prints the reason on failure. */
static int load_model(nn_model_t *m, nn_qmodel_t *q, const char *path)
{
    veil_status st = nn_model_load(m, path);
    if (st != VEIL_OK) {
        fprintf(stderr,
                PROG ": cannot load model '%s': %s\n"
                     "  (the shipped models are in models/; `make models` "
                     "retrains them)\n",
                path, veil_strerror(st));
        return -1;
    }
    st = nn_qmodel_init(q, m);
    if (st != VEIL_OK) {
        fprintf(stderr, PROG ": model '%s' cannot be quantized: %s\n", path,
                veil_strerror(st));
        nn_model_clear(m);
        return -1;
    }
    return 0;
}

static int load_data(nn_dataset_t *ds, const opts_t *o)
{
    char dir[4096], msg[1024];
    veil_status st = nn_mnist_locate(dir, sizeof(dir), o->data, VEIL_SRCDIR);
    if (st != VEIL_OK)
        return fail("MNIST directory path too long", st), -1;
    st = nn_mnist_load(ds, dir, NN_MNIST_TEST);
    if (st != VEIL_OK) {
        nn_mnist_explain(msg, sizeof(msg), dir, st);
        fprintf(stderr, PROG ": %s\n", msg);
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

/* Load the model, plan the evaluation and prepare the weights. */
static int server_open(server_side_t *s, const opts_t *o, const char *path)
{
    lola_options_t lo;
    veil_status st;
    double t0 = now_ms();

    memset(s, 0, sizeof(*s));
    if (load_model(&s->model, &s->q, path))
        return -1;
    s->stage = 1;
    lola_options_default(&lo);
    if (lola_variant_parse(&lo.variant, o->variant) != VEIL_OK) {
        fprintf(stderr,
                PROG ": unknown variant '%s' (lola, lola-dense, "
                     "lola-small, cryptonets)\n",
                o->variant);
        return -1;
    }
    lo.kernels = o->kernels;
    st = lola_plan(&s->spec, &s->report, &s->q, &lo);
    if (st != VEIL_OK) {
        fprintf(stderr,
                PROG ": no encrypted plan for this model and "
                     "variant: %s\n",
                veil_strerror(st));
        return -1;
    }
    if ((st = lola_setup_init(&s->setup, &s->spec)) != VEIL_OK)
        return fail("setting up the BFV contexts", st), -1;
    s->stage = 2;
    if ((st = lola_server_init(&s->server, &s->setup, &s->q)) != VEIL_OK)
        return fail("preparing the model weights", st), -1;
    s->stage = 3;
    s->setup_ms = now_ms() - t0;
    return 0;
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
                        size_t first, size_t records, double enc_ms,
                        double eval_ms)
{
    veil_status st;
    double t0 = now_ms(), dec_ms;
    fmpz *ref = _fmpz_vec_init((slong)c->classes);

    st = lola_client_decrypt(c->logits, &c->cl, out, records);
    dec_ms = now_ms() - t0;
    if (st != VEIL_OK) {
        _fmpz_vec_clear(ref, (slong)c->classes);
        return fail("decrypting the answer", st);
    }
    for (size_t b = 0; b < records; b++) {
        size_t idx = first + b;
        const uint8_t *px = t->ds->images + idx * 784;
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
    veil_status st = lola_client_encrypt(in, &c->cl, ds->images + first * 784,
                                         records, &c->rng);
    return st == VEIL_OK ? 0 : fail("encrypting", st);
}

static size_t msg_bytes(const lola_msg_t *m, int full)
{
    uint8_t *buf;
    size_t len = 0;
    if (lola_msg_serialize(&buf, &len, m, full) != VEIL_OK)
        return 0;
    free(buf);
    return len;
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
               "\"threads\":%d}\n",
               o->variant, images, t->agree, t->correct,
               images ? (double)t->correct / (double)images : 0.0, eval_med,
               total_med, c->keygen_ms, setup_ms, peak_rss_mb(), t->bytes_up,
               t->bytes_down, su->spec.params[0].n, su->ncomp,
               omp_get_max_threads());
        return;
    }
    printf("\n%s: %zu images, %zu correct (%.2f%%)", o->variant, images,
           t->correct, images ? 100.0 * (double)t->correct / images : 0.0);
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
        fprintf(stderr, PROG ": out of memory\n");
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

static int run_local(const opts_t *o)
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
    if (server_open(&s, o, path))
        goto out_server;
    if (load_data(&ds, o))
        goto out_server;
    if (!o->json)
        printf("mnist_lola: variant %s, model %s, %d threads\n", o->variant,
               path, omp_get_max_threads());
    print_plan(o, &s, NULL);
    if (client_open(&c, &s.setup))
        goto out_client;
    if (tally_init(&t, o, &ds, &s.q))
        goto out_tally;
    t.bytes_up = keys_bytes(&c.cl.ek);
    if (o->budget) {
        measured = malloc(s.setup.nsteps * sizeof(int));
        if (measured == NULL)
            goto out_tally;
        for (size_t i = 0; i < s.setup.nsteps; i++)
            measured[i] = -1;
    }
    print_table_header(o);

    batch = s.spec.batch > 0 ? s.spec.batch : 1;
    for (first = o->offset; first < o->offset + o->count; first += batch) {
        size_t records = o->offset + o->count - first;
        lola_msg_t in, out;
        double t0, enc_ms, eval_ms;
        veil_status st;

        if (records > batch)
            records = batch;
        t0 = now_ms();
        if (encrypt_batch(&in, &c, &ds, first, records))
            goto out_tally;
        enc_ms = now_ms() - t0;
        t.bytes_up += msg_bytes(&in, 0);

        t0 = now_ms();
        if (measured != NULL && first == o->offset) {
            budget_trace_t bt = {&c.cl, measured, s.setup.nsteps};
            st = lola_server_eval_trace(&out, &s.server, &in, &c.cl.ek,
                                        trace_budget, &bt);
        } else {
            st = lola_server_eval(&out, &s.server, &in, &c.cl.ek);
        }
        eval_ms = now_ms() - t0;
        lola_msg_clear(&in);
        if (st != VEIL_OK) {
            fail("server evaluation", st);
            goto out_tally;
        }
        t.bytes_down += msg_bytes(&out, 0);
        rc = finish_batch(&t, &c, &out, first, records, enc_ms, eval_ms);
        lola_msg_clear(&out);
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
        fprintf(stderr,
                PROG ": %zu images disagree with the exact "
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

/* Receive an object of at most MAX_FRAME bytes into a fresh buffer. */
static veil_status recv_blob(mpc_chan_t *ch, uint8_t **buf, size_t *len)
{
    uint8_t hdr[8];
    uint64_t n = 0;
    veil_status st = mpc_chan_recv(ch, hdr, 8);
    if (st != VEIL_OK)
        return st;
    for (int i = 0; i < 8; i++)
        n |= (uint64_t)hdr[i] << (8 * i);
    if (n > MAX_FRAME)
        return VEIL_EFORMAT;
    *buf = malloc(n ? n : 1);
    if (*buf == NULL)
        return VEIL_ENOMEM;
    st = mpc_chan_recv(ch, *buf, n);
    if (st != VEIL_OK) {
        free(*buf);
        *buf = NULL;
        return st;
    }
    *len = n;
    return VEIL_OK;
}

static void chan_setup(mpc_chan_t *ch)
{
    ch->timeout_ms = NET_TIMEOUT_MS;
    ch->max_frame = (uint32_t)MAX_FRAME;
}

static int net_fail(const char *what, veil_status st)
{
    if (st == VEIL_ECLOSED)
        fprintf(stderr, PROG ": %s: the other side closed the connection\n",
                what);
    else
        fprintf(stderr, PROG ": %s: %s\n", what, veil_strerror(st));
    return 1;
}

/* Query frames carry a 4-byte record count before the message; a query
 * with record count 0 ends the session. */

/* ---------------------------------------------------- server process */

static int serve_session(server_side_t *s, mpc_chan_t *ch, const opts_t *o)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    lola_evalkeys_t ek;
    veil_status st;
    size_t queries = 0;

    if ((st = lola_spec_serialize(&buf, &len, &s->spec)) != VEIL_OK)
        return fail("encoding the plan", st);
    st = send_blob(ch, buf, len);
    free(buf);
    if (st != VEIL_OK)
        return net_fail("sending the plan", st);
    if ((st = recv_blob(ch, &buf, &len)) != VEIL_OK)
        return net_fail("receiving the evaluation keys", st);
    st = lola_evalkeys_parse(&ek, &s->setup, buf, len);
    free(buf);
    if (st != VEIL_OK)
        return fail("the client's evaluation keys are invalid", st);
    if (!o->json)
        fprintf(stderr, PROG " server: client keys received (%zu bytes)\n",
                len);
    for (;;) {
        lola_msg_t in, out;
        uint32_t records;
        double t0;
        if ((st = recv_blob(ch, &buf, &len)) != VEIL_OK) {
            lola_evalkeys_clear(&ek);
            return net_fail("receiving a query", st);
        }
        if (len < 4) {
            free(buf);
            lola_evalkeys_clear(&ek);
            return fail("malformed query", VEIL_EFORMAT);
        }
        records = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
                  (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
        if (records == 0) { /* end of session */
            free(buf);
            break;
        }
        if (records > s->spec.batch) {
            free(buf);
            lola_evalkeys_clear(&ek);
            return fail("query with too many records", VEIL_EFORMAT);
        }
        st = lola_msg_parse(&in, &s->setup, s->setup.in_nct, buf + 4, len - 4);
        free(buf);
        if (st != VEIL_OK) {
            lola_evalkeys_clear(&ek);
            return fail("malformed query", st);
        }
        t0 = now_ms();
        st = lola_server_eval(&out, &s->server, &in, &ek);
        lola_msg_clear(&in);
        if (st != VEIL_OK) {
            lola_evalkeys_clear(&ek);
            return fail("evaluation", st);
        }
        if (!o->json)
            fprintf(stderr, PROG " server: query %zu evaluated in %.1f ms\n",
                    ++queries, now_ms() - t0);
        st = lola_msg_serialize(&buf, &len, &out, 0);
        lola_msg_clear(&out);
        if (st == VEIL_OK) {
            st = send_blob(ch, buf, len);
            free(buf);
        }
        if (st != VEIL_OK) {
            lola_evalkeys_clear(&ek);
            return net_fail("sending an answer", st);
        }
    }
    lola_evalkeys_clear(&ek);
    return 0;
}

static int run_server(const opts_t *o)
{
    server_side_t s;
    mpc_listener_t l;
    char path[4096];
    size_t port;
    veil_status st;
    int rc = 1;

    if (parse_size(o->serve, &port, 1, 65535)) {
        fprintf(stderr, PROG ": --serve wants a port number 1..65535\n");
        return 2;
    }
    model_path(path, sizeof(path), o);
    if (server_open(&s, o, path)) {
        server_close(&s);
        return 1;
    }
    print_plan(o, &s, NULL);
    st = mpc_listener_init(&l, o->bind, (uint16_t)port);
    if (st != VEIL_OK) {
        fprintf(stderr, PROG ": cannot listen on %s:%zu: %s (%s)\n", o->bind,
                port, veil_strerror(st), strerror(errno));
        server_close(&s);
        return 1;
    }
    fprintf(stderr, PROG " server: model %s, listening on %s:%u\n", path,
            o->bind, l.port);
    for (;;) {
        mpc_chan_t ch;
        st = mpc_chan_accept(&ch, &l, -1);
        if (st != VEIL_OK) {
            fail("accepting a connection", st);
            break;
        }
        chan_setup(&ch);
        rc = serve_session(&s, &ch, o);
        mpc_chan_clear(&ch);
        fprintf(stderr, PROG " server: session %s\n",
                rc ? "ended with an error" : "finished");
        if (o->once)
            break;
    }
    mpc_listener_clear(&l);
    server_close(&s);
    return rc;
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

static int run_client(const opts_t *o)
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
        fprintf(stderr, PROG ": --connect wants HOST:PORT with a numeric "
                             "IPv4 host, e.g. 127.0.0.1:5555\n");
        return 2;
    }
    memset(&ds, 0, sizeof(ds));
    memset(&c, 0, sizeof(c));
    memset(&su, 0, sizeof(su));
    memset(&t, 0, sizeof(t));
    if (load_data(&ds, o))
        return 1;
    /* The client does not need the model.  When it has a copy (a test
     * set-up) it uses the exact evaluator to check the answers. */
    model_path(path, sizeof(path), o);
    if (access(path, R_OK) == 0 && nn_model_load(&model, path) == VEIL_OK) {
        if (nn_qmodel_init(&q, &model) == VEIL_OK)
            have_ref = 1;
        nn_model_clear(&model);
    }
    /* retry while the server is still starting (planning, weights) */
    st = mpc_chan_connect(&ch, host, port, (int)(o->wait_s * 1000));
    if (st != VEIL_OK) {
        fprintf(stderr, PROG ": cannot connect to %s:%u: %s\n", host, port,
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
            fprintf(stderr, PROG ": the server proposed parameters below "
                                 "the security level; refusing\n");
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
    if (st != VEIL_OK) {
        net_fail("sending the evaluation keys", st);
        goto out_tally;
    }
    if (!o->json)
        printf("mnist_lola client: connected to %s:%u, variant %s, n = %zu, "
               "%zu plaintext primes%s\n",
               host, port, lola_variant_name(spec.variant), spec.params[0].n,
               spec.nprimes, have_ref ? ", checking with the local model" : "");
    print_table_header(o);
    batch = spec.batch > 0 ? spec.batch : 1;
    for (size_t first = o->offset; first < o->offset + o->count;
         first += batch) {
        size_t records = o->offset + o->count - first;
        lola_msg_t in, out;
        double t0, enc_ms, eval_ms;
        uint8_t *q_buf;
        if (records > batch)
            records = batch;
        t0 = now_ms();
        if (encrypt_batch(&in, &c, &ds, first, records))
            goto out_tally;
        st = lola_msg_serialize(&buf, &len, &in, 0);
        lola_msg_clear(&in);
        if (st != VEIL_OK) {
            fail("encoding a query", st);
            goto out_tally;
        }
        q_buf = malloc(len + 4);
        if (q_buf == NULL) {
            free(buf);
            fail("encoding a query", VEIL_ENOMEM);
            goto out_tally;
        }
        for (int i = 0; i < 4; i++)
            q_buf[i] = (uint8_t)(records >> (8 * i));
        memcpy(q_buf + 4, buf, len);
        free(buf);
        enc_ms = now_ms() - t0;
        t0 = now_ms();
        st = send_blob(&ch, q_buf, len + 4);
        free(q_buf);
        if (st == VEIL_OK)
            st = recv_blob(&ch, &buf, &len);
        eval_ms = now_ms() - t0; /* includes both transfers */
        if (st != VEIL_OK) {
            net_fail("waiting for the server's answer", st);
            goto out_tally;
        }
        st = lola_msg_parse(&out, &su, su.out_nct, buf, len);
        free(buf);
        if (st != VEIL_OK) {
            fail("the server's answer is malformed", st);
            goto out_tally;
        }
        rc = finish_batch(&t, &c, &out, first, records, enc_ms, eval_ms);
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

/* OpenMP threads that wait passively (OMP_WAIT_POLICY=passive) unless the
 * user chose a policy: libgomp's default spins at every barrier, which on a
 * machine where another process holds a core makes 2 threads several times
 * slower than 1 (doc/benchmarks.md, "Threads").  The runtime reads the
 * variable when it loads, so the program re-executes itself once with it
 * set; if that fails it goes on with the runtime's default. */
static void passive_wait(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") != NULL)
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) == 0)
        execv("/proc/self/exe", argv);
}

int main(int argc, char **argv)
{
    opts_t o;
    veil_status st;

    if (parse_opts(&o, argc, argv))
        return 2;
    passive_wait(argv);
    st = veil_init();
    if (st != VEIL_OK)
        fprintf(stderr, PROG ": warning: %s\n", veil_strerror(st));
    if (o.threads > 0)
        omp_set_num_threads(o.threads);
    if (o.serve)
        return run_server(&o);
    if (o.connect)
        return run_client(&o);
    return run_local(&o);
}
