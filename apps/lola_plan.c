/* lola_plan: the LoLa planner's plan for the paper's CIFAR-10 network
 * (section 4.4; lola_cnn2_cifar10) with generated weights of a realistic
 * scale (lola_model_generate), printed as the plan report plus the sizes
 * that decide memory; with --run N, N encrypted evaluations at full size
 * (random images: no CIFAR-10 here), each checked against the exact
 * integer evaluator (doc/11-lola.md section 10).
 *
 *   apps/lola_plan [--wbits B] [--in-exp E] [--kernels K] [--run N]
 *                  [--threads T] [--budget MiB] [--optimize latency|bytes]
 *                  [--queries N] [--margin BITS] */
#include "common/cli.h"
#include "veil/lola.h"
#include "veil/lola_models.h"
#include "veil/lola_wire.h"
#include <flint/fmpz_vec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

/* Bytes the Galois keys of component 0 hold in memory (every component
 * shares them, lola_evalkeys_share). */
static size_t galois_bytes(const lola_evalkeys_t *ek)
{
    const bfv_galois_keys_t *gk = &ek->gk[0];
    const bfv_context_t *ctx = gk->ctx;
    size_t total = 0;
    for (size_t i = 0; i < gk->count; i++)
        total += gk->keys[i].ksk.digits * 2 * ctx->n_qp * ctx->n * 8 +
                 ctx->n * sizeof(uint32_t);
    return total;
}

/* N encrypted evaluations of q with spec: keys, server (plaintexts within
 * budget), then per image encrypt, evaluate, decrypt and compare with
 * nn_qmodel_eval.  Returns the number of images whose logits all agree,
 * or -1 on an error. */
static int run(const lola_spec_t *spec, const nn_qmodel_t *q, int images,
               size_t budget, veil_rng_t *rng)
{
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    nn_qtrace_t tr;
    const size_t size = nn_shape_size(q->in);
    uint8_t *px = malloc(size);
    fmpz *logits = NULL;
    double t0;
    int agree = 0;
    veil_status s;

    if (px == NULL)
        return -1;
    t0 = now_s();
    s = lola_setup_init(&su, spec);
    if (s != VEIL_OK) {
        fprintf(stderr, "setup: %s\n", veil_strerror(s));
        free(px);
        return -1;
    }
    printf("setup %.1f s, %zu Galois elements\n", now_s() - t0, su.ngalois);
    t0 = now_s();
    s = lola_client_init(&cl, &su, rng);
    if (s != VEIL_OK) {
        fprintf(stderr, "keys: %s\n", veil_strerror(s));
        lola_setup_clear(&su);
        free(px);
        return -1;
    }
    printf("keys %.1f s: one secret key and one set of %zu Galois keys for "
           "%zu components, %.1f MiB in memory (%.1f MiB on the wire)\n",
           now_s() - t0, cl.ek.gk[0].count, su.ncomp,
           galois_bytes(&cl.ek) / 1048576.0,
           lola_evalkeys_bytes(&su) / 1048576.0);
    t0 = now_s();
    s = lola_server_init_budget(&sv, &su, q, budget);
    if (s != VEIL_OK) {
        fprintf(stderr, "server: %s\n", veil_strerror(s));
        lola_client_clear(&cl);
        lola_setup_clear(&su);
        free(px);
        return -1;
    }
    printf("server %.1f s: %.1f MiB of NTT plaintexts kept, %zu step%s "
           "streamed (budget %.0f MiB)\n",
           now_s() - t0, sv.plain_bytes / 1048576.0, sv.streamed,
           sv.streamed == 1 ? "" : "s", budget / 1048576.0);
    logits = _fmpz_vec_init((slong)su.classes);
    s = nn_qtrace_init(&tr, q);
    for (int b = 0; b < images && s == VEIL_OK; b++) {
        lola_msg_t in, out;
        size_t up = 0, down = 0;
        double te, tv, td, tc;
        int ok = 1;
        veil_rng_bytes(rng, px, size);
        t0 = now_s();
        s = lola_client_encrypt(&in, &cl, px, 1, rng);
        te = now_s() - t0;
        if (s == VEIL_OK)
            up = lola_msg_bytes(&in, 0);
        t0 = now_s();
        tc = cpu_s();
        if (s == VEIL_OK)
            s = lola_server_eval(&out, &sv, &in, &cl.ek);
        tv = now_s() - t0;
        tc = cpu_s() - tc;
        lola_msg_clear(&in);
        if (s != VEIL_OK)
            break;
        down = lola_msg_bytes(&out, 0);
        t0 = now_s();
        s = lola_client_decrypt(logits, &cl, &out, 1);
        td = now_s() - t0;
        lola_msg_clear(&out);
        if (s != VEIL_OK)
            break;
        nn_qmodel_quantize_input(tr.v[0], q, px);
        nn_qmodel_eval(&tr, q);
        for (size_t j = 0; j < su.classes; j++)
            ok &= fmpz_equal(logits + j, tr.v[q->nlayers] + j);
        agree += ok;
        printf("image %d: encrypt %.2f s, server %.2f s (process CPU %.2f "
               "s), decrypt %.2f s, logits %s the exact evaluator's, up %.1f "
               "MiB, down %.1f MiB, peak RSS %.0f MiB\n",
               b, te, tv, tc, td, ok ? "equal" : "DIFFER FROM", up / 1048576.0,
               down / 1048576.0, peak_rss_mb());
        fflush(stdout);
    }
    if (s != VEIL_OK) {
        fprintf(stderr, "evaluation: %s\n", veil_strerror(s));
        agree = -1;
    }
    nn_qtrace_clear(&tr);
    _fmpz_vec_clear(logits, (slong)su.classes);
    lola_server_clear(&sv);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
    free(px);
    return agree;
}

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s [--wbits B] [--in-exp E] [--kernels K] [--run N] "
            "[--threads T] [--budget MiB]\n"
            "       [--optimize latency|bytes] [--queries N] [--margin BITS]\n"
            "  the LoLa plan of the paper's CIFAR-10 network with generated "
            "weights\n"
            "  (doc/11-lola.md, section 10); --run N: N encrypted evaluations "
            "at full\n"
            "  size, each checked against the exact evaluator (minutes, about "
            "4 GB);\n"
            "  --optimize bytes: least keys / N + query + answer on the wire "
            "(--queries N,\n"
            "  default 1); --margin BITS: the budget the plan keeps (62: room "
            "for the\n"
            "  answer's 40-bit flooding)\n",
            prog);
}

int main(int argc, char **argv)
{
    const char *P = "lola_plan";
    lola_cnn2_shape_t sh;
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    veil_rng_t rng;
    lola_spec_t spec;
    lola_report_t rep;
    lola_options_t o;
    int wbits = 4, ie = 4, images = 0, agree = 0;
    lola_objective_t opt = LOLA_OPT_LATENCY;
    size_t queries = 1;
    unsigned margin = 0;
    size_t budget = LOLA_PLAIN_BUDGET;
    const char *kernels = "conv-plain,diag,dense-row";
    static char buf[1 << 16];
    setvbuf(stdout, NULL, _IOLBF, 0);
    veil_status s;

    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long x;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout, argv[0]);
            return 0;
        }
        if (v == NULL) {
            usage(stderr, argv[0]);
            return 2;
        }
        if (strcmp(a, "--wbits") == 0) {
            if (cli_long(&x, P, a, v, 2, 25))
                return 2;
            wbits = (int)x;
        } else if (strcmp(a, "--in-exp") == 0) {
            if (cli_long(&x, P, a, v, 0, 8))
                return 2;
            ie = (int)x;
        } else if (strcmp(a, "--kernels") == 0) {
            kernels = v;
        } else if (strcmp(a, "--run") == 0) {
            if (cli_long(&x, P, a, v, 0, 1000))
                return 2;
            images = (int)x;
        } else if (strcmp(a, "--budget") == 0) {
            if (cli_long(&x, P, a, v, 0, 1L << 20))
                return 2;
            budget = (size_t)x << 20;
        } else if (strcmp(a, "--optimize") == 0) {
            if (lola_objective_parse(&opt, v) != VEIL_OK) {
                fprintf(stderr, "%s: --optimize wants latency or bytes\n", P);
                return 2;
            }
        } else if (strcmp(a, "--queries") == 0) {
            if (cli_long(&x, P, a, v, 1, 1000000000))
                return 2;
            queries = (size_t)x;
        } else if (strcmp(a, "--margin") == 0) {
            if (cli_long(&x, P, a, v, 1, 200))
                return 2;
            margin = (unsigned)x;
        } else if (strcmp(a, "--threads") == 0) {
            if (cli_threads(P, v))
                return 2;
        } else {
            usage(stderr, argv[0]);
            return 2;
        }
    }
    lola_cnn2_cifar10(&sh);
    s = veil_rng_init(&rng);
    if (s == VEIL_OK)
        s = lola_cnn2_model(&m, &sh);
    if (s != VEIL_OK) {
        fprintf(stderr, "model: %s\n", veil_strerror(s));
        return 1;
    }
    s = lola_model_generate(&q, &m, &rng, 16, 1.0f, (uint32_t)wbits, ie);
    if (s != VEIL_OK) {
        fprintf(stderr, "generate: %s\n", veil_strerror(s));
        return 1;
    }
    for (uint32_t i = 0; i < q.nlayers; i++)
        printf("layer %u %-7s out %6zu  max |w| %d\n", i,
               nn_layer_name(q.layers[i].type), nn_shape_size(q.layers[i].out),
               q.layers[i].wmax);
    if (nn_ranges_compute(&r, &q, 0, q.in_max) == VEIL_OK) {
        for (uint32_t i = 0; i <= q.nlayers; i++)
            printf("values after layer %d: %u bits (worst case)\n", (int)i - 1,
                   r.v[i].bits);
        nn_ranges_clear(&r);
    }
    lola_options_default(&o);
    o.kernels = kernels;
    o.optimize = opt;
    o.queries = queries;
    if (margin > 0)
        o.margin = margin;
    {
        double t0 = now_s();
        s = lola_plan(&spec, &rep, &q, &o);
        printf("planning %.1f s\n", now_s() - t0);
    }
    if (s != VEIL_OK) {
        fprintf(stderr, "plan: %s\n", veil_strerror(s));
        return 1;
    }
    lola_report_format(buf, sizeof buf, &rep, &spec, NULL);
    fputs(buf, stdout);
    printf("bytes on the wire (predicted, --optimize %s): keys once %zu, "
           "query %zu, answer %zu\n",
           lola_objective_name(opt), rep.bytes_keys, rep.bytes_query,
           rep.bytes_answer);
    {
        const bfv_params_t *p = &spec.params[0];
        const double mb = 1.0 / (1 << 20);
        size_t plains = 0;
        for (size_t i = 0; i < rep.nsteps; i++)
            plains += rep.steps[i].counts.mul_plain;
        /* an NTT plaintext: n_q rows of n words, and as many Shoup words;
         * a ciphertext: 2 polynomials of n_q rows; a Galois key: n_q digits
         * of 2 polynomials over the n_q + n_p primes */
        printf("per component: %zu NTT plaintexts of %.1f MiB, %zu input "
               "ciphertexts of %.1f MiB, %zu Galois keys of %.1f MiB\n",
               plains, 2.0 * p->n * p->n_q * 8 * mb, rep.input_messages,
               2.0 * p->n * p->n_q * 8 * mb, rep.ngalois,
               2.0 * p->n_q * p->n * (p->n_q + p->n_p) * 8 * mb);
    }
    nn_model_clear(&m); /* the float weights: not needed any more */
    if (images > 0) {
        agree = run(&spec, &q, images, budget, &rng);
        printf("%d of %d images agree with the exact evaluator; peak RSS "
               "%.0f MiB\n",
               agree < 0 ? 0 : agree, images, peak_rss_mb());
    }
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
    return agree == images ? 0 : 1;
}
