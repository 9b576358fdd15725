/*
 * bench_lola.c - veil-bench suite "lola": private MNIST inference with the
 * shipped models (models/lola.vmodel, models/lola-small.vmodel) for each
 * variant (lola, lola-small, lola-dense, cryptonets) at the planner's
 * 128-bit parameters: key generation, encryption, server evaluation,
 * decryption; then the BFV operation costs the planner weighs (the table in
 * lola/costs.c) at n = 4096 .. 16384.
 *
 * Timing does not depend on the image, so the inputs are random pixels; the
 * decrypted logits are checked against the exact integer evaluator all the
 * same.  Models are read from $VEIL_MODELS, else ./models, else
 * ../models.  --threads T sets the OpenMP threads (components run in
 * parallel).  Medians of min(--runs, a per-variant cap) evaluations.
 * $VEIL_BENCH_LOLA (comma-separated: lola, lola-small, lola-dense,
 * cryptonets, costs, head, cifar10) runs only the parts listed.
 */
#include <flint/fmpz_vec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "../common/private_head.h"
#include "bench.h"
#include "veil/lola.h"
#include "veil/lola_models.h"
#include "veil/lola_wire.h"
#include <sys/resource.h>

typedef struct {
    const lola_server_t *sv;
    const lola_client_t *cl;
    const lola_msg_t *in;
    lola_msg_t out;
    veil_status st;
} eval_arg_t;

static void run_eval(void *p)
{
    eval_arg_t *a = p;
    lola_msg_clear(&a->out);
    if (a->st == VEIL_OK)
        a->st = lola_server_eval(&a->out, a->sv, a->in, &a->cl->ek);
}

typedef struct {
    const lola_client_t *cl;
    const uint8_t *pixels;
    size_t records;
    veil_rng_t *rng;
    lola_msg_t msg;
    veil_status st;
} enc_arg_t;

static void run_enc(void *p)
{
    enc_arg_t *a = p;
    lola_msg_clear(&a->msg);
    if (a->st == VEIL_OK)
        a->st =
            lola_client_encrypt(&a->msg, a->cl, a->pixels, a->records, a->rng);
}

typedef struct {
    const lola_client_t *cl;
    const lola_msg_t *out;
    fmpz *logits;
    size_t records;
    veil_status st;
} dec_arg_t;

static void run_dec(void *p)
{
    dec_arg_t *a = p;
    if (a->st == VEIL_OK)
        a->st = lola_client_decrypt(a->logits, a->cl, a->out, a->records);
}

static size_t msg_words(const lola_msg_t *m)
{
    size_t w = 0;
    for (size_t i = 0; i < m->ncomp * m->nct; i++)
        w += m->ct[i].size * m->ct[i].ctx->n_q * m->ct[i].ctx->n;
    return w;
}

static int load_model(nn_model_t *m, nn_qmodel_t *q, const char *file)
{
    const char *env = getenv("VEIL_MODELS");
    const char *dirs[3] = {env, "models", "../models"};
    for (int i = 0; i < 3; i++) {
        char path[1024];
        if (dirs[i] == NULL || dirs[i][0] == '\0')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dirs[i], file);
        if (nn_model_load(m, path) != VEIL_OK)
            continue;
        if (nn_qmodel_init(q, m) == VEIL_OK)
            return 0;
        nn_model_clear(m);
    }
    fprintf(stderr,
            "veil-bench lola: cannot load %s: set VEIL_MODELS to the "
            "directory holding the shipped models (the source tree's "
            "models/)\n",
            file);
    return -1;
}

static int bench_variant(const bench_opts_t *o, const char *name,
                         const char *file, int cap)
{
    nn_model_t m;
    nn_qmodel_t q;
    lola_options_t opt;
    lola_spec_t spec;
    lola_report_t rep;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    veil_rng_t rng;
    nn_qtrace_t tr;
    uint8_t *pixels;
    size_t records, size, ncls;
    fmpz *logits;
    char extra[256];
    double t0, keygen_us, setup_us;
    const int runs = o->runs < cap ? o->runs : cap;
    int rc = 1;

    if (load_model(&m, &q, file) != 0)
        return 1;
    lola_options_default(&opt);
    opt.levels = 1; /* as lola_server_init_levels below */
    opt.answer = 1; /* the apps' plan (their answer is private) */
    if (lola_variant_parse(&opt.variant, name) != VEIL_OK ||
        lola_plan(&spec, &rep, &q, &opt) != VEIL_OK) {
        fprintf(stderr, "veil-bench lola: %s: no plan\n", name);
        goto out_model;
    }
    if (veil_rng_init(&rng) != VEIL_OK)
        goto out_model;
    t0 = bench_now();
    if (lola_setup_init(&su, &spec) != VEIL_OK)
        goto out_rng;
    setup_us = (bench_now() - t0) * 1e6;
    t0 = bench_now();
    if (lola_client_init(&cl, &su, &rng) != VEIL_OK)
        goto out_setup;
    keygen_us = (bench_now() - t0) * 1e6;
    /* evaluated at fewer primes where the noise allows (the outputs are
     * decrypted here, not serialized) */
    if (lola_server_init_levels(&sv, &su, &q, LOLA_PLAIN_BUDGET, 1) != VEIL_OK)
        goto out_client;
    size = nn_shape_size(q.in);
    ncls = su.classes;
    records = spec.batch;
    pixels = malloc(records * size);
    logits = _fmpz_vec_init((slong)(records * ncls));
    if (pixels == NULL || nn_qtrace_init(&tr, &q) != VEIL_OK)
        goto out_server;
    veil_rng_bytes(&rng, pixels, records * size);

    {
        enc_arg_t ea = {&cl, pixels, records, &rng, {0, 0, NULL}, VEIL_OK};
        eval_arg_t va;
        dec_arg_t da;
        double enc_us, eval_us, dec_us;
        char op[64];

        enc_us = bench_median_us(run_enc, &ea, runs);
        va.sv = &sv;
        va.cl = &cl;
        va.in = &ea.msg;
        memset(&va.out, 0, sizeof(va.out));
        va.st = ea.st;
        eval_us = bench_median_us(run_eval, &va, runs);
        da.cl = &cl;
        da.out = &va.out;
        da.logits = logits;
        da.records = records;
        da.st = va.st;
        dec_us = bench_median_us(run_dec, &da, runs);
        if (da.st != VEIL_OK) {
            fprintf(stderr, "veil-bench lola: %s: %s\n", name,
                    veil_strerror(da.st));
            lola_msg_clear(&ea.msg);
            lola_msg_clear(&va.out);
            goto out_trace;
        }
        /* the answer is the exact evaluator's */
        for (size_t b = 0; b < records; b++) {
            nn_qmodel_quantize_input(tr.v[0], &q, pixels + b * size);
            nn_qmodel_eval(&tr, &q);
            if (!_fmpz_vec_equal(logits + b * ncls, tr.v[q.nlayers],
                                 (slong)ncls)) {
                fprintf(stderr, "veil-bench lola: %s: wrong logits\n", name);
                lola_msg_clear(&ea.msg);
                lola_msg_clear(&va.out);
                goto out_trace;
            }
        }
        snprintf(extra, sizeof(extra),
                 "\"primes\":%zu,\"log_q\":%u,\"galois\":%zu,"
                 "\"predicted_us\":%.0f,\"records\":%zu",
                 rep.nprimes, rep.log_q, rep.ngalois, rep.cost_us, records);
        snprintf(op, sizeof(op), "%s.eval", name);
        bench_report(o, "lola", op, rep.n, rep.log_q, "auto", o->threads,
                     eval_us, runs, extra);
        if (spec.variant == LOLA_VARIANT_SIMD) {
            snprintf(extra, sizeof(extra), "\"per_hour\":%.0f",
                     (double)records * 3600e6 / eval_us);
            snprintf(op, sizeof(op), "%s.throughput", name);
            bench_report(o, "lola", op, rep.n, rep.log_q, "auto", o->threads,
                         eval_us, runs, extra);
        }
        snprintf(extra, sizeof(extra), "\"bytes_up\":%zu",
                 msg_words(&ea.msg) * 8);
        snprintf(op, sizeof(op), "%s.encrypt", name);
        bench_report(o, "lola", op, rep.n, rep.log_q, "auto", o->threads,
                     enc_us, runs, extra);
        snprintf(extra, sizeof(extra), "\"bytes_down\":%zu",
                 msg_words(&va.out) * 8);
        snprintf(op, sizeof(op), "%s.decrypt", name);
        bench_report(o, "lola", op, rep.n, rep.log_q, "auto", o->threads,
                     dec_us, runs, extra);
        snprintf(op, sizeof(op), "%s.keygen", name);
        bench_report(o, "lola", op, rep.n, rep.log_q, "auto", o->threads,
                     keygen_us, 1, NULL);
        snprintf(op, sizeof(op), "%s.setup", name);
        bench_report(o, "lola", op, rep.n, rep.log_q, "auto", o->threads,
                     setup_us, 1, NULL);
        lola_msg_clear(&ea.msg);
        lola_msg_clear(&va.out);
    }
    rc = 0;
out_trace:
    nn_qtrace_clear(&tr);
out_server:
    _fmpz_vec_clear(logits, (slong)(records * ncls));
    free(pixels);
    lola_server_clear(&sv);
out_client:
    lola_client_clear(&cl);
out_setup:
    lola_setup_clear(&su);
out_rng:
    veil_rng_clear(&rng);
out_model:
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
    return rc;
}

/* The operation costs of lola_costs_t for the planner's parameter set at
 * each n (the table in lola/costs.c is filled from this). */
static int bench_costs(const bench_opts_t *o)
{
    for (size_t n = 4096; n <= 16384; n *= 2) {
        const int runs = o->runs < 31 ? o->runs : 31;
        bfv_params_t p;
        uint64_t t;
        lola_costs_t c;
        struct {
            const char *name;
            double us;
        } ops[9];
        if (ntt_primes_generate(&t, 1, 20, n, NULL, 0) != VEIL_OK ||
            bfv_params_from_budget(&p, n, bfv_security_max_bits(n, BFV_SEC_128),
                                   t, BFV_SEC_128) != VEIL_OK ||
            lola_costs_measure(&c, &p, runs) != VEIL_OK) {
            fprintf(stderr, "veil-bench lola: costs at n = %zu failed\n", n);
            return 1;
        }
        ops[0].name = "cost.rot", ops[0].us = c.rot;
        ops[1].name = "cost.hoist_prep", ops[1].us = c.hoist_prep;
        ops[2].name = "cost.hoist_rot", ops[2].us = c.hoist_rot;
        ops[3].name = "cost.mul_plain", ops[3].us = c.mul_plain;
        ops[4].name = "cost.mul_scalar", ops[4].us = c.mul_scalar;
        ops[5].name = "cost.add", ops[5].us = c.add;
        ops[6].name = "cost.add_plain", ops[6].us = c.add_plain;
        ops[7].name = "cost.square", ops[7].us = c.square;
        ops[8].name = "cost.relin", ops[8].us = c.relin;
        for (int i = 0; i < 9; i++)
            bench_report(o, "lola", ops[i].name, n, bfv_params_log_qp(&p),
                         "auto", 1, ops[i].us, runs, NULL);
    }
    return 0;
}

/* The paper's CIFAR-10 network (section 4.4) at full size with generated
 * weights (doc/11-lola.md section 10): planned with the kernels
 * conv-plain, diag, dense-row, one secret key and one key set for both
 * CRT components, the large steps' plaintexts streamed (LOLA_PLAIN_BUDGET).
 * Minutes per run and about 4 GB, so only with VEIL_BENCH_CIFAR=N (N
 * images, each checked against the exact evaluator; the median server
 * evaluation over them).  Row: {"suite":"lola","op":"cifar10",
 * "threads":T,"eval_ms_median":..,"peak_rss_mb":..,"agree":A,"images":N,
 * "bytes_up":..,"bytes_down":..,"key_bytes":..}. */
static int bench_cifar10(const bench_opts_t *o)
{
    const char *env = getenv("VEIL_BENCH_CIFAR");
    const int images = env != NULL ? atoi(env) : 0;
    lola_cnn2_shape_t sh;
    nn_model_t m;
    nn_qmodel_t q;
    nn_qtrace_t tr;
    veil_rng_t rng;
    lola_options_t opt;
    lola_spec_t spec;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    double *ms;
    uint8_t *px;
    fmpz *logits;
    size_t size, up = 0, down = 0;
    int agree = 0, done = 0;
    struct rusage ru;

    if (images <= 0 || images > 1000)
        return 0;
    lola_cnn2_cifar10(&sh);
    if (veil_rng_init(&rng) != VEIL_OK)
        return 1;
    if (lola_cnn2_model(&m, &sh) != VEIL_OK ||
        lola_model_generate(&q, &m, &rng, 16, 1.0f, 4, 4) != VEIL_OK) {
        fprintf(stderr, "veil-bench lola: cifar10: no model\n");
        veil_rng_clear(&rng);
        return 1;
    }
    nn_model_clear(&m);
    lola_options_default(&opt);
    opt.kernels = "conv-plain,diag,dense-row";
    if (lola_plan(&spec, NULL, &q, &opt) != VEIL_OK ||
        lola_setup_init(&su, &spec) != VEIL_OK) {
        fprintf(stderr, "veil-bench lola: cifar10: no plan\n");
        nn_qmodel_clear(&q);
        veil_rng_clear(&rng);
        return 1;
    }
    if (lola_client_init(&cl, &su, &rng) != VEIL_OK ||
        lola_server_init(&sv, &su, &q) != VEIL_OK ||
        nn_qtrace_init(&tr, &q) != VEIL_OK) {
        fprintf(stderr, "veil-bench lola: cifar10: keys or server failed\n");
        return 1;
    }
    size = nn_shape_size(q.in);
    ms = calloc((size_t)images, sizeof(double));
    px = malloc(size);
    logits = _fmpz_vec_init((slong)su.classes);
    for (int b = 0; b < images && ms != NULL && px != NULL; b++) {
        lola_msg_t in, out;
        uint8_t *buf;
        double t0;
        int ok = 1;
        veil_rng_bytes(&rng, px, size);
        if (lola_client_encrypt(&in, &cl, px, 1, &rng) != VEIL_OK)
            break;
        if (lola_msg_serialize(&buf, &up, &in, 0) == VEIL_OK)
            free(buf);
        t0 = bench_now();
        if (lola_server_eval(&out, &sv, &in, &cl.ek) != VEIL_OK) {
            lola_msg_clear(&in);
            break;
        }
        ms[done++] = (bench_now() - t0) * 1e3;
        lola_msg_clear(&in);
        if (lola_msg_serialize(&buf, &down, &out, 0) == VEIL_OK)
            free(buf);
        if (lola_client_decrypt(logits, &cl, &out, 1) != VEIL_OK)
            ok = 0;
        lola_msg_clear(&out);
        nn_qmodel_quantize_input(tr.v[0], &q, px);
        nn_qmodel_eval(&tr, &q);
        ok = ok && _fmpz_vec_equal(logits, tr.v[q.nlayers], (slong)su.classes);
        agree += ok;
    }
    getrusage(RUSAGE_SELF, &ru);
    if (done > 0) {
        char extra[256];
        const double med = bench_median(ms, done);
        if (o->json) {
            printf("{\"suite\":\"lola\",\"op\":\"cifar10\",\"threads\":%d,"
                   "\"eval_ms_median\":%.0f,\"peak_rss_mb\":%.0f,"
                   "\"agree\":%d,\"images\":%d,\"bytes_up\":%zu,"
                   "\"bytes_down\":%zu,\"key_bytes\":%zu}\n",
                   o->threads, med, ru.ru_maxrss / 1024.0, agree, done, up,
                   down, lola_evalkeys_bytes(&su));
        } else {
            snprintf(extra, sizeof(extra),
                     "\"peak_rss_mb\":%.0f,\"agree\":%d,\"images\":%d,"
                     "\"bytes_up\":%zu,\"bytes_down\":%zu",
                     ru.ru_maxrss / 1024.0, agree, done, up, down);
            bench_report(o, "lola", "cifar10", su.spec.params[0].n,
                         bfv_params_log_qp(&su.spec.params[0]), "auto",
                         o->threads, med * 1e3, done, extra);
        }
    }
    _fmpz_vec_clear(logits, (slong)su.classes);
    free(px);
    free(ms);
    nn_qtrace_clear(&tr);
    lola_server_clear(&sv);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
    if (done < images || agree < images) {
        fprintf(stderr, "veil-bench lola: cifar10: %d of %d images agree\n",
                agree, images);
        return 1;
    }
    return 0;
}

/* The private head of deep representations (LoLa section 5; doc/11-lola.md
 * section 11) at the paper's CalTech-101 scale: 4096 features -> 101
 * classes, generated weights of a realistic scale (8-bit weights, 8-bit
 * feature codes), random codes, at 1 and 2 threads; the planner's kernel
 * and the paper's dense-vector x row-major kernel.  eval_ms_median: server
 * latency per image (evaluation + the masked, flooded answer), wall clock;
 * eval_cpu_ms_median: the process CPU time of the same; every decrypted
 * logit vector is checked against the exact integer evaluator (agree of
 * images). */

static int bench_head_run(const bench_opts_t *o, const char *op,
                          const char *kernels, int cap)
{
    enum { DIM = 4096, CLASSES = 101 };
    const int images = o->runs < cap ? (o->runs > 3 ? o->runs : 3) : cap;
    uint8_t seed[VEIL_SEED_BYTES] = {'h', 'e', 'a', 'd'};
    nn_model_t m;
    nn_qmodel_t q;
    private_head_t h;
    veil_rng_t rng;
    uint8_t *x = malloc((size_t)images * DIM);
    double *ms = malloc((size_t)images * sizeof(double));
    double *cpu = malloc((size_t)images * sizeof(double));
    fmpz *logits = _fmpz_vec_init(CLASSES);
    const char *step = NULL;
    veil_status st;
    int rc = 1;

    veil_rng_init_seed(&rng, seed);
    st = x && ms && cpu ? nn_model_init(&m, (nn_shape_t){DIM, 1, 1})
                        : VEIL_ENOMEM;
    if (st == VEIL_OK && (st = nn_model_add_dense(&m, CLASSES)) == VEIL_OK)
        st = lola_model_generate(&q, &m, &rng, 16, 1.0f, 8, 8);
    if (st != VEIL_OK) {
        fprintf(stderr, "veil-bench lola: head model: %s\n", veil_strerror(st));
        goto out_buf;
    }
    if ((st = private_head_init(&h, NULL, &q, kernels, &rng, &step)) !=
        VEIL_OK) {
        fprintf(stderr, "veil-bench lola: head: %s: %s\n", step,
                veil_strerror(st));
        goto out_model;
    }
    veil_rng_bytes(&rng, x, (size_t)images * DIM);
    for (int threads = 1; threads <= 2; threads++) {
        size_t agree = 0;
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        for (int r = 0; r < images && st == VEIL_OK; r++) {
            private_head_times_t t = {0, 0, 0};
            st = private_head_infer(logits, &t, &h, x + (size_t)r * DIM, &rng,
                                    NULL);
            ms[r] = 1e3 * (t.eval_s + t.answer_s);
            cpu[r] = 1e3 * t.server_cpu_s;
            agree += st == VEIL_OK &&
                     private_head_exact(&h, logits, x + (size_t)r * DIM);
        }
        if (st != VEIL_OK)
            break;
        const double ms_med = bench_median(ms, images),
                     cpu_med = bench_median(cpu, images);
        if (o->json)
            printf("{\"suite\":\"lola\",\"op\":\"%s\","
                   "\"threads\":%d,\"eval_ms_median\":%.3f,\"agree\":%zu,"
                   "\"images\":%d,\"eval_cpu_ms_median\":%.3f,\"n\":%zu,"
                   "\"primes\":%zu,\"kernels\":\"%s\"}\n",
                   op, threads, ms_med, agree, images, cpu_med,
                   h.spec.params[0].n, h.spec.nprimes, h.spec.kernels);
        else {
            char extra[256];
            snprintf(extra, sizeof(extra),
                     "agree %zu/%d, cpu %.1f ms, %zu primes, %s", agree, images,
                     cpu_med, h.spec.nprimes, h.spec.kernels);
            bench_report(o, "lola", op, h.spec.params[0].n, 0, "auto", threads,
                         1e3 * ms_med, images, extra);
        }
        fflush(stdout);
        if (agree != (size_t)images) {
            fprintf(stderr,
                    "veil-bench lola: head: %zu of %d images "
                    "disagree with the exact evaluator\n",
                    (size_t)images - agree, images);
            st = VEIL_EINVAL;
        }
    }
#ifdef _OPENMP
    omp_set_num_threads(o->threads);
#endif
    rc = st == VEIL_OK ? 0 : 1;
    if (st != VEIL_OK)
        fprintf(stderr, "veil-bench lola: %s: %s\n", op, veil_strerror(st));
    private_head_clear(&h);
out_model:
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
out_buf:
    veil_rng_clear(&rng);
    _fmpz_vec_clear(logits, CLASSES);
    free(x);
    free(ms);
    free(cpu);
    return rc;
}

/* The planner's kernel for the head (the head_4096x101 row), then
 * the paper's dense-vector x row-major kernel (fewer images: ~60 times
 * slower). */
static int bench_head(const bench_opts_t *o)
{
    return bench_head_run(o, "head_4096x101", NULL, 21) |
           bench_head_run(o, "head_4096x101.dense-row", "dense-row", 3);
}

/* 1 if part `name` runs: every part, or those listed (comma-separated) in
 * $VEIL_BENCH_LOLA, e.g. VEIL_BENCH_LOLA=lola,head to time only those. */
static int part(const char *name)
{
    const char *l = getenv("VEIL_BENCH_LOLA");
    const size_t len = strlen(name);
    if (l == NULL || *l == '\0')
        return 1;
    for (const char *p = l; *p != '\0';) {
        const char *e = strchr(p, ',');
        const size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == len && strncmp(p, name, len) == 0)
            return 1;
        p += n + (e != NULL);
    }
    return 0;
}

int bench_lola(const bench_opts_t *o)
{
    int rc = 0;
#ifdef _OPENMP
    omp_set_num_threads(o->threads);
#endif
    bench_header(o, "LoLa private inference (MNIST), 128-bit");
    if (part("lola"))
        rc |= bench_variant(o, "lola", "lola.vmodel", 21);
    if (part("lola-small"))
        rc |= bench_variant(o, "lola-small", "lola-small.vmodel", 51);
    if (part("lola-dense"))
        rc |= bench_variant(o, "lola-dense", "lola.vmodel", 11);
    if (part("cryptonets"))
        rc |= bench_variant(o, "cryptonets", "lola.vmodel", 3);
    if (part("costs"))
        rc |= bench_costs(o);
    if (part("head"))
        rc |= bench_head(o);
    if (part("cifar10"))
        rc |= bench_cifar10(o);
    return rc;
}
