/*
 * safenet_plan - SAFENet's activation planner (paper section 3, eq. 4,
 * Algorithm 1): from a trained all-ReLU model, search which channels of
 * which layers keep a ReLU and which get a degree-3, degree-2 or degree-0
 * replacement, fine-tuning the weights and polynomial coefficients, under
 * an accuracy threshold.  Writes the fine-tuned model with its plan (ACT
 * layers) and prints the plan per layer.
 *
 *   safenet_plan --model models/cnn7-mnist.vmodel \
 *                --out models/cnn7-mnist-safenet.vmodel --drop 0.3
 *
 * R(beta) of eq. 4 comes from measured costs: --costs FILE holds the output
 * of `veil-bench --json mpc` (the "relu" row's total_us_per_element and
 * the "poly3" row's us_per_element); without it the built-in defaults are
 * this machine's figures in doc/benchmarks.md (ReLU 24.6 us/element, degree-3
 * polynomial 0.208 us/element; degree 2 is charged as degree 3; degree 0
 * costs nothing).
 *
 * Validation: the planner never sees the test set: it fine-tunes on the
 * first training images and measures accuracy on the last --val of them;
 * the test accuracy is reported at the end.
 */
#include "common/cli.h"
#include "veil/nn.h"
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR NULL
#endif

static double start_time;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_log(void *arg, const char *line)
{
    (void)arg;
    fprintf(stderr, "[%6.0f s] %s\n", now() - start_time, line);
}

/* A number after "key": in a JSON line, or NAN. */
static double json_num(const char *line, const char *key)
{
    char pat[128];
    const char *p;
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    if ((p = strstr(line, pat)) == NULL)
        return NAN;
    return strtod(p + strlen(pat), NULL);
}

static int read_costs(nn_act_costs_t *c, double *relu_us, double *poly_us,
                      const char *path)
{
    char line[4096];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, "\"suite\":\"mpc\"") == NULL)
            continue;
        if (strstr(line, "\"op\":\"relu\"") != NULL &&
            isfinite(json_num(line, "total_us_per_element")))
            *relu_us = json_num(line, "total_us_per_element");
        if (strstr(line, "\"op\":\"poly3\"") != NULL &&
            isfinite(json_num(line, "us_per_element")))
            *poly_us = json_num(line, "us_per_element");
    }
    fclose(f);
    if (!(*relu_us > 0) || !(*poly_us >= 0))
        return -1;
    c->r[NN_ACT_CONST] = 1.0;
    c->r[NN_ACT_POLY2] = c->r[NN_ACT_POLY3] = 1.0 - *poly_us / *relu_us;
    return 0;
}

static void print_plan(const nn_model_t *m)
{
    uint64_t tot_r = 0, tot_p = 0;
    printf("%-6s %-6s %8s %6s %5s %12s %12s\n", "layer", "type", "channels",
           "alpha", "beta", "ReLUs kept", "polys");
    for (uint32_t i = 0; i < m->nlayers; i++) {
        uint64_t r, p[4];
        double a;
        int b;
        if (m->layers[i].type != NN_LAYER_ACT)
            continue;
        nn_model_count_act(&r, p, m, i);
        nn_act_plan_of(&a, &b, m, i);
        printf("%-6u %-6s %8u %6.2f %5d %12llu %12llu\n", i, "act",
               m->layers[i].in.c, a, a > 0 ? b : -1, (unsigned long long)r,
               (unsigned long long)(p[1] + p[2] + p[3]));
        tot_r += r;
        tot_p += p[1] + p[2] + p[3];
    }
    printf("total: %llu ReLUs kept, %llu replaced: %.2f%% of the ReLUs "
           "replaced\n",
           (unsigned long long)tot_r, (unsigned long long)tot_p,
           100.0 * (double)tot_p / (double)(tot_r + tot_p));
}

/* Delphi's layer-wise replacement (the baseline of Figure 5a): whole ACT
 * layers to degree 2, from the last backwards, each followed by a short
 * fine-tune, while the validation accuracy stays at the threshold. */
static veil_status delphi(nn_model_t *out, double *acc, const nn_model_t *m,
                          const nn_dataset_t *tr, const nn_dataset_t *va,
                          const nn_plan_opts_t *po)
{
    nn_model_t cur, trial;
    veil_status st;
    if ((st = nn_model_copy(&cur, m)) != VEIL_OK)
        return st;
    if ((st = nn_model_accuracy(acc, &cur, va)) != VEIL_OK)
        return st;
    for (uint32_t i = m->nlayers; i-- > 0;) {
        nn_act_calib_t cal;
        nn_train_opts_t t = po->train;
        nn_dataset_t v = *tr;
        double a;
        if (m->layers[i].type != NN_LAYER_ACT)
            continue;
        if ((st = nn_model_copy(&trial, &cur)) != VEIL_OK ||
            (st = nn_act_calibrate(&cal, &trial, tr, 256)) != VEIL_OK)
            return st;
        st = nn_act_apply(&trial, i, 1.0, 2, &cal);
        nn_act_calib_clear(&cal);
        if (st != VEIL_OK)
            return st;
        v.count = po->images * po->population < tr->count
                      ? po->images * po->population
                      : tr->count;
        t.epochs = 1;
        t.finetune = 1;
        if ((st = nn_train(&trial, &v, NULL, &t)) != VEIL_OK &&
            st != VEIL_ERANGE)
            return st;
        if (st == VEIL_ERANGE ||
            (st = nn_model_accuracy(&a, &trial, va)) != VEIL_OK ||
            a < po->threshold) {
            fprintf(stderr,
                    "delphi: layer %u to degree 2: %.4f < "
                    "threshold, stop\n",
                    i, st == VEIL_OK ? a : 0.0);
            nn_model_clear(&trial);
            break;
        }
        fprintf(stderr, "delphi: layer %u to degree 2: accuracy %.4f\n", i, a);
        nn_model_clear(&cur);
        cur = trial;
        *acc = a;
    }
    *out = cur;
    return VEIL_OK;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: safenet_plan [options]\n"
        "  --model FILE     trained all-ReLU model (default\n"
        "                   models/cnn7-mnist.vmodel)\n"
        "  --out FILE       plan (default models/cnn7-mnist-safenet.vmodel)\n"
        "  --data DIR       MNIST directory (default as train_mnist)\n"
        "  --cifar DIR      CIFAR-10 binary directory instead of MNIST\n"
        "  --threshold ACC  validation accuracy to keep, in percent\n"
        "  --drop P         or: the base model's validation accuracy\n"
        "                   minus P points (default 0.3)\n"
        "  --costs FILE     `veil-bench --json mpc` output for R(beta)\n"
        "  --mode M         cw-mp-md (BTPBT, beta in {0,2,3}; default),\n"
        "                   cw-mp (BTPBT, beta 2), cw (alpha 0.5, beta 2\n"
        "                   everywhere, fine-tuned), delphi (layer-wise)\n"
        "  --hours H        stop searching after H hours (default 2)\n"
        "  --population P   PBT workers (default 4)\n"
        "  --generations G  exploit/explore cycles per PBT (default 3)\n"
        "  --images N       training images per worker per generation\n"
        "                   (default 512)\n"
        "  --val N          validation images (the last N training\n"
        "                   images; default 1000)\n"
        "  --final-images N fine-tune the best plans once more on N\n"
        "                   images, cosine decay (default 0: none)\n"
        "  --final-tries K  first fine-tune the K stage results with the\n"
        "                   most replacements (default 2)\n"
        "  --test-limit N   test images for the final report (default all)\n"
        "  --state DIR      save finished stages in DIR; rerun to resume\n"
        "  --lr X           fine-tuning learning rate (default 1e-4)\n"
        "  --schedule S     learning rate of each worker's fine-tune in a\n"
        "                   generation: constant (--lr; default) or\n"
        "                   cosine (from --lr to --lr / 100)\n"
        "  --seed N         seed (default 1)\n"
        "  --threads T      OpenMP / OpenBLAS threads\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"out", required_argument, NULL, 'o'},
        {"data", required_argument, NULL, 'd'},
        {"cifar", required_argument, NULL, 'C'},
        {"threshold", required_argument, NULL, 'T'},
        {"drop", required_argument, NULL, 'D'},
        {"costs", required_argument, NULL, 'c'},
        {"mode", required_argument, NULL, 'M'},
        {"hours", required_argument, NULL, 'H'},
        {"population", required_argument, NULL, 'P'},
        {"generations", required_argument, NULL, 'G'},
        {"images", required_argument, NULL, 'I'},
        {"val", required_argument, NULL, 'V'},
        {"final-images", required_argument, NULL, 'F'},
        {"final-tries", required_argument, NULL, 'R'},
        {"test-limit", required_argument, NULL, 'L'},
        {"state", required_argument, NULL, 's'},
        {"lr", required_argument, NULL, 'l'},
        {"schedule", required_argument, NULL, 'k'},
        {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model = "models/cnn7-mnist.vmodel";
    const char *out = "models/cnn7-mnist-safenet.vmodel";
    const char *data = NULL, *cifar = NULL, *costs = NULL, *mode = "cw-mp-md";
    double threshold = -1, drop = 0.3, hours = 2, relu_us = 24.6,
           poly_us = 0.208;
    long val_n = 1000, test_limit = 0, seed = 1;
    const char *P = "safenet_plan";
    char dir[4096], msg[2048];
    nn_plan_opts_t po;
    nn_model_t base, plan;
    nn_dataset_t train, test, tr, va;
    double base_acc, acc, score, tacc, bacc;
    veil_status st;
    int c;

    cli_blas_tune(argv);
    nn_plan_opts_default(&po);
    po.costs.r[NN_ACT_CONST] = 1.0;
    po.costs.r[NN_ACT_POLY2] = po.costs.r[NN_ACT_POLY3] =
        1.0 - poly_us / relu_us;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            model = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'C':
            cifar = optarg;
            break;
        case 'T':
            if (cli_double(&threshold, P, "--threshold", optarg, 0, 100))
                return 2;
            threshold /= 100;
            break;
        case 'D':
            if (cli_double(&drop, P, "--drop", optarg, 0, 100))
                return 2;
            break;
        case 'c':
            costs = optarg;
            break;
        case 'M':
            mode = optarg;
            break;
        case 'H':
            if (cli_double(&hours, P, "--hours", optarg, 0, 1e4))
                return 2;
            break;
        case 'P':
            if (cli_u32(&po.population, P, "--population", optarg, 1, 1024))
                return 2;
            break;
        case 'G':
            if (cli_u32(&po.generations, P, "--generations", optarg, 1,
                        1u << 20))
                return 2;
            break;
        case 'I':
            if (cli_u32(&po.images, P, "--images", optarg, 1, 1u << 30))
                return 2;
            break;
        case 'V':
            if (cli_long(&val_n, P, "--val", optarg, 1, 1L << 30))
                return 2;
            break;
        case 'F':
            if (cli_u32(&po.final_images, P, "--final-images", optarg, 0,
                        1u << 30))
                return 2;
            break;
        case 'R':
            if (cli_u32(&po.final_tries, P, "--final-tries", optarg, 0, 64))
                return 2;
            break;
        case 'L':
            if (cli_long(&test_limit, P, "--test-limit", optarg, 1, 1L << 30))
                return 2;
            break;
        case 's':
            po.state_dir = optarg;
            break;
        case 'l':
            if (cli_float(&po.train.lr, P, "--lr", optarg, 1e-12, 10))
                return 2;
            break;
        case 'k':
            if (strcmp(optarg, "constant") == 0)
                po.train.schedule = NN_LR_CONSTANT;
            else if (strcmp(optarg, "cosine") == 0)
                po.train.schedule = NN_LR_COSINE;
            else {
                fprintf(stderr,
                        "safenet_plan: --schedule must be constant or "
                        "cosine, not %s\n",
                        optarg);
                return 2;
            }
            break;
        case 'S':
            if (cli_long(&seed, P, "--seed", optarg, 0, 1L << 62))
                return 2;
            break;
        case 't':
            if (cli_threads(P, optarg))
                return 2;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    po.train.lr_min = po.train.lr / 100; /* used by --schedule cosine */
    if (veil_init() != VEIL_OK)
        return 1;
    start_time = now();
    if (costs != NULL &&
        read_costs(&po.costs, &relu_us, &poly_us, costs) != 0) {
        fprintf(stderr,
                "safenet_plan: %s has no mpc \"relu\" and \"poly3\" rows "
                "(run apps/veil-bench --json mpc > %s)\n",
                costs, costs);
        return 1;
    }
    printf("costs: ReLU %.3f us/element, polynomial %.3f us/element: "
           "R(0) = %.4f, R(2) = R(3) = %.4f\n",
           relu_us, poly_us, po.costs.r[NN_ACT_CONST],
           po.costs.r[NN_ACT_POLY3]);
    if ((st = nn_model_load(&base, model)) != VEIL_OK) {
        fprintf(stderr, "safenet_plan: cannot load %s: %s\n", model,
                veil_strerror(st));
        return 1;
    }
    if (cifar != NULL) {
        if ((st = nn_cifar10_load(&train, cifar, NN_CIFAR_TRAIN)) != VEIL_OK ||
            (st = nn_cifar10_load(&test, cifar, NN_CIFAR_TEST)) != VEIL_OK) {
            fprintf(stderr, "safenet_plan: CIFAR-10 from %s: %s\n", cifar,
                    veil_strerror(st));
            return 1;
        }
    } else {
        if (nn_mnist_locate(dir, sizeof(dir), data, VEIL_SOURCE_DIR) != VEIL_OK)
            return 2;
        if ((st = nn_mnist_load(&train, dir, NN_MNIST_TRAIN)) != VEIL_OK ||
            (st = nn_mnist_load(&test, dir, NN_MNIST_TEST)) != VEIL_OK) {
            nn_mnist_explain(msg, sizeof(msg), dir, st);
            fprintf(stderr, "safenet_plan: %s\n", msg);
            return 1;
        }
    }
    if (val_n <= 0 || (uint32_t)val_n >= train.count) {
        fprintf(stderr, "safenet_plan: --val out of range\n");
        return 2;
    }
    if (test_limit > 0 && (uint32_t)test_limit < test.count)
        test.count = (uint32_t)test_limit;
    /* the last val_n training images validate; the others fine-tune */
    tr = train;
    tr.count = train.count - (uint32_t)val_n;
    va = train;
    va.count = (uint32_t)val_n;
    {
        const size_t isz =
            (size_t)nn_dataset_channels(&train) * train.rows * train.cols;
        va.images = train.images + (size_t)tr.count * isz;
        va.labels = train.labels + tr.count;
    }
    po.val_images = (uint32_t)val_n;
    if ((st = nn_model_accuracy(&base_acc, &base, &va)) != VEIL_OK ||
        (st = nn_model_accuracy(&bacc, &base, &test)) != VEIL_OK) {
        fprintf(stderr, "safenet_plan: %s\n", veil_strerror(st));
        return 1;
    }
    po.threshold = threshold >= 0 ? threshold : base_acc - drop / 100;
    po.deadline = hours > 0 ? start_time + hours * 3600 : 0;
    cli_seed(po.seed, (unsigned long)seed);
    po.log = on_log;
    if (po.state_dir != NULL)
        mkdir(po.state_dir, 0700);
    printf("base model %s: validation %.2f%% (%ld images), test %.2f%% (%u "
           "images); threshold %.2f%%; mode %s\n",
           model, 100 * base_acc, val_n, 100 * bacc, test.count,
           100 * po.threshold, mode);
    fflush(stdout);
    if (strcmp(mode, "delphi") == 0) {
        st = delphi(&plan, &acc, &base, &tr, &va, &po);
        score = nn_plan_score(acc, &plan, &po.costs);
    } else if (strcmp(mode, "cw") == 0) {
        /* alpha 0.5, beta 2 on every layer, then fine-tuning */
        nn_act_calib_t cal;
        nn_train_opts_t t = po.train;
        nn_dataset_t v = tr;
        st = nn_model_copy(&plan, &base);
        if (st == VEIL_OK)
            st = nn_act_calibrate(&cal, &plan, &tr, 256);
        for (uint32_t i = 0; st == VEIL_OK && i < plan.nlayers; i++)
            if (plan.layers[i].type == NN_LAYER_ACT)
                st = nn_act_apply(&plan, i, 0.5, 2, &cal);
        nn_act_calib_clear(&cal);
        /* as many images as the lineage of a BTPBT plan of CNN-7's seven
         * ACT layers fine-tunes on (five stages of generations x images)
         * and the final fine-tune */
        v.count = po.images * po.generations * 5 + po.final_images;
        if (v.count > tr.count)
            v.count = tr.count;
        t.epochs = 1;
        t.finetune = 1;
        if (st == VEIL_OK)
            st = nn_train(&plan, &v, NULL, &t);
        if (st == VEIL_OK)
            st = nn_model_accuracy(&acc, &plan, &va);
        score = nn_plan_score(acc, &plan, &po.costs);
    } else {
        po.multi_degree = strcmp(mode, "cw-mp-md") == 0;
        if (!po.multi_degree && strcmp(mode, "cw-mp") != 0) {
            fprintf(stderr, "safenet_plan: unknown mode %s\n", mode);
            return 2;
        }
        st = nn_plan_btpbt(&plan, &acc, &score, &base, &tr, &va, &po);
    }
    if (st != VEIL_OK) {
        fprintf(stderr, "safenet_plan: planning failed: %s\n",
                veil_strerror(st));
        return 1;
    }
    if ((st = nn_model_accuracy(&tacc, &plan, &test)) != VEIL_OK ||
        (st = nn_model_save(out, &plan)) != VEIL_OK) {
        fprintf(stderr, "safenet_plan: %s: %s\n", out, veil_strerror(st));
        return 1;
    }
    print_plan(&plan);
    printf("plan: validation %.2f%% (threshold %.2f%%), test %.2f%% "
           "(all-ReLU %.2f%%, drop %.2f points), score %.4f; wrote %s "
           "(%.0f s)\n",
           100 * acc, 100 * po.threshold, 100 * tacc, 100 * bacc,
           100 * (bacc - tacc), score, out, now() - start_time);
    nn_model_clear(&plan);
    nn_model_clear(&base);
    nn_dataset_clear(&train);
    nn_dataset_clear(&test);
    return 0;
}
