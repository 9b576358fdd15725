/*
 * train_mnist - train the LoLa MNIST networks (paper section 4.3) with the
 * veil C trainer, fold batch norm, choose the quantization and write a
 * .vmodel file.
 *
 *   train_mnist --net lola|lola-small [--out FILE] [--data DIR] [options]
 *
 * The result is a deterministic function of the options (the seed included),
 * whatever the number of threads.
 */
#include "common/cli.h"
#include "veil/nn.h"
#include <errno.h>
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR NULL
#endif

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: train_mnist --net lola|lola-small [options]\n"
        "  --out FILE       model file (default models/<net>.vmodel)\n"
        "  --data DIR       MNIST directory (default: $MNIST_DIR, then\n"
        "                   ../shared/data/mnist next to the sources, then\n"
        "                   ./data/mnist)\n"
        "  --epochs N       training epochs\n"
        "  --batch N        mini-batch size\n"
        "  --lr X           initial Adam learning rate\n"
        "  --shift N        augmentation: random shifts of up to N pixels\n"
        "  --seed N         seed (default 1)\n"
        "  --holdout N      the last N training images are not trained on;\n"
        "                   the quantization is chosen on them (default "
        "10000)\n"
        "  --qtol P         allowed disagreement between quantized and float\n"
        "                   predictions on them before fine-tuning, in "
        "percent\n"
        "                   (default 0.3)\n"
        "  --qat-epochs N   quantization-aware fine-tuning epochs (default 5)\n"
        "  --qat-lr X       its initial learning rate (default 5e-5)\n"
        "  --from FILE      skip training: quantize the float model in FILE\n"
        "  --threads T      OpenMP threads\n");
}

/* The networks of the paper, section 4.3, with batch norm before each
 * square (folded into the preceding linear layer after training). */
static veil_status build(nn_model_t *m, const char *net)
{
    nn_shape_t in = {1, 28, 28};
    veil_status st;
    if ((st = nn_model_init(m, in)) != VEIL_OK)
        return st;
    if ((st = nn_model_add_conv2d(m, 5, 5, 2, 1)) != VEIL_OK ||
        (st = nn_model_add_batchnorm(m)) != VEIL_OK ||
        (st = nn_model_add_square(m)) != VEIL_OK)
        return st;
    if (strcmp(net, "lola") == 0) {
        if ((st = nn_model_add_dense(m, 100)) != VEIL_OK ||
            (st = nn_model_add_batchnorm(m)) != VEIL_OK ||
            (st = nn_model_add_square(m)) != VEIL_OK)
            return st;
    } else if (strcmp(net, "lola-small") != 0) {
        return VEIL_EINVAL;
    }
    return nn_model_add_dense(m, NN_CLASSES);
}

/* Choose the quantization of the folded model f on the held-out images,
 * fine-tune it through the quantization for qo->epochs epochs (if any) on
 * the training images, then report its accuracy and value ranges. */
static veil_status quantize(nn_model_t *f, const nn_dataset_t *fit,
                            const nn_dataset_t *held, const nn_dataset_t *test,
                            double qtol, const nn_train_opts_t *qo)
{
    nn_qmodel_t q;
    nn_ranges_t r;
    double sel_agree, facc, acc, agree, t0 = cli_now();
    veil_status st;

    fprintf(stderr,
            "train_mnist: choosing the quantization on %u held-out "
            "images (at most %.2f%% disagreement)...\n",
            held->count, qtol);
    if ((st = nn_model_choose_qparams(f, &sel_agree, held, qtol / 100)) !=
        VEIL_OK)
        return st;
    printf("quantization chosen: agreement with float %.2f%% on the held-out "
           "images\n",
           100 * sel_agree);
    if (qo->epochs > 0) {
        fprintf(stderr,
                "train_mnist: quantization-aware fine-tuning, %u "
                "epochs, lr %g\n",
                qo->epochs, qo->lr);
        if ((st = nn_train(f, fit, test, qo)) != VEIL_OK)
            return st;
    }
    if ((st = nn_qmodel_init(&q, f)) != VEIL_OK)
        return st;
    if ((st = nn_model_accuracy(&facc, f, held)) != VEIL_OK ||
        (st = nn_qmodel_accuracy(&acc, &agree, &q, f, held)) != VEIL_OK) {
        nn_qmodel_clear(&q);
        return st;
    }
    printf("held-out images: float %.2f%%, quantized %.2f%%, agreement "
           "%.2f%%\n",
           100 * facc, 100 * acc, 100 * agree);
    if ((st = nn_model_accuracy(&facc, f, test)) != VEIL_OK ||
        (st = nn_qmodel_accuracy(&acc, &agree, &q, f, test)) != VEIL_OK ||
        (st = nn_ranges_compute(&r, &q, 0, q.in_max)) != VEIL_OK) {
        nn_qmodel_clear(&q);
        return st;
    }
    printf("quantization (%.0f s): input round(pixel * 2^%d / 256) "
           "in [0, %lld]\n",
           cli_now() - t0, q.in_exp, (long long)q.in_max);
    printf("  %-10s %-12s %5s %8s %6s\n", "layer", "output", "qexp", "max|w|",
           "bits");
    printf("  %-10s %-12s %5s %8s %6u\n", "input", "", "", "", r.v[0].bits);
    for (uint32_t i = 0; i < q.nlayers; i++) {
        const nn_qlayer_t *l = &q.layers[i];
        char shape[32], w[16] = "", e[16] = "";
        snprintf(shape, sizeof(shape), "%ux%ux%u", l->out.c, l->out.h,
                 l->out.w);
        if (l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE) {
            snprintf(w, sizeof(w), "%d", l->wmax);
            snprintf(e, sizeof(e), "%d", f->layers[i].qexp);
        }
        printf("  %-10s %-12s %5s %8s %6u\n", nn_layer_name(l->type), shape, e,
               w, r.v[i + 1].bits);
    }
    printf("worst-case magnitude: %u bits (plaintext modulus t > 2^%u "
           "suffices)\n",
           r.bits, r.bits + 1);
    printf("test images: float %.2f%%, quantized %.2f%%, agreement %.2f%%\n",
           100 * facc, 100 * acc, 100 * agree);
    nn_ranges_clear(&r);
    nn_qmodel_clear(&q);
    return VEIL_OK;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"net", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},
        {"data", required_argument, NULL, 'd'},
        {"epochs", required_argument, NULL, 'e'},
        {"batch", required_argument, NULL, 'b'},
        {"lr", required_argument, NULL, 'l'},
        {"shift", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},
        {"holdout", required_argument, NULL, 'H'},
        {"qat-epochs", required_argument, NULL, 'E'},
        {"qat-lr", required_argument, NULL, 'L'},
        {"from", required_argument, NULL, 'F'},
        {"qtol", required_argument, NULL, 'Q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *net = NULL, *out = NULL, *data = NULL, *from = NULL;
    char dir[4096], outbuf[256], msg[1024];
    nn_train_opts_t o, qo;
    nn_dataset_t train, test, fit, held;
    nn_model_t m, f;
    cli_progress_t ctx;
    veil_status st;
    long seed = 1;
    const char *P = "train_mnist";
    uint32_t holdout = 10000;
    double qtol = 0.3, acc, t0;
    int c;

    cli_blas_tune(argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    nn_train_opts_default(&o);
    o.epochs = 30;
    o.shift = 1;
    qo = o;
    qo.epochs = 5;
    qo.lr = 5e-5f;
    qo.lr_min = 1e-6f;
    qo.finetune = 1;
    qo.quant_aware = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            net = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'e':
            if (cli_u32(&o.epochs, P, "--epochs", optarg, 1, 100000))
                return 2;
            break;
        case 'b':
            if (cli_u32(&o.batch, P, "--batch", optarg, 1, 65536))
                return 2;
            break;
        case 'l':
            if (cli_float(&o.lr, P, "--lr", optarg, 1e-9, 10))
                return 2;
            break;
        case 's':
            if (cli_u32(&o.shift, P, "--shift", optarg, 0, 16))
                return 2;
            break;
        case 'S':
            if (cli_long(&seed, P, "--seed", optarg, 0, 1L << 62))
                return 2;
            break;
        case 't':
            if (cli_threads(P, optarg))
                return 2;
            break;
        case 'H':
            if (cli_u32(&holdout, P, "--holdout", optarg, 0, 1u << 30))
                return 2;
            break;
        case 'Q':
            if (cli_double(&qtol, P, "--qtol", optarg, 0, 100))
                return 2;
            break;
        case 'E':
            if (cli_u32(&qo.epochs, P, "--qat-epochs", optarg, 0, 100000))
                return 2;
            break;
        case 'L':
            if (cli_float(&qo.lr, P, "--qat-lr", optarg, 1e-12, 10))
                return 2;
            break;
        case 'F':
            from = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (net == NULL || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (out == NULL) {
        snprintf(outbuf, sizeof(outbuf), "models/%s.vmodel", net);
        out = outbuf;
    }
    cli_seed(o.seed, (unsigned long)seed);
    cli_seed(qo.seed, (unsigned long)seed);
    qo.seed[8] = 1; /* its own stream of shuffles and shifts */

    if (veil_init() != VEIL_OK) {
        fprintf(stderr, "train_mnist: cannot initialise veil\n");
        return 1;
    }
    if (nn_mnist_locate(dir, sizeof(dir), data, VEIL_SOURCE_DIR) != VEIL_OK) {
        fprintf(stderr, "train_mnist: data directory name too long\n");
        return 2;
    }
    if ((st = nn_mnist_load(&train, dir, NN_MNIST_TRAIN)) != VEIL_OK ||
        (st = nn_mnist_load(&test, dir, NN_MNIST_TEST)) != VEIL_OK) {
        nn_mnist_explain(msg, sizeof(msg), dir, st);
        fprintf(stderr, "train_mnist: %s\n", msg);
        nn_dataset_clear(&train);
        return 1;
    }
    if (holdout >= train.count) {
        fprintf(stderr, "train_mnist: --holdout must be below %u\n",
                train.count);
        return 2;
    }
    /* held: a view of the last `holdout` training images */
    held = train;
    held.count = holdout;
    held.images += (size_t)(train.count - holdout) * train.rows * train.cols;
    held.labels += train.count - holdout;
    fit = train;
    fit.count = train.count - holdout;
    cli_progress_init(&ctx);
    o.progress = qo.progress = cli_on_progress;
    o.progress_arg = qo.progress_arg = &ctx;
    if (from != NULL) {
        if ((st = nn_model_load(&m, from)) != VEIL_OK) {
            fprintf(stderr, "train_mnist: cannot load %s: %s\n", from,
                    veil_strerror(st));
            return 1;
        }
    } else {
        if ((st = build(&m, net)) != VEIL_OK) {
            fprintf(stderr,
                    "train_mnist: unknown network '%s' (lola, lola-small)\n",
                    net);
            return 2;
        }
        fprintf(stderr,
                "train_mnist: %s, %zu parameters, %u epochs, batch %u, lr %g, "
                "shift %u, seed %lu, %d threads, %u training images, data "
                "%s\n",
                net, m.nparams, o.epochs, o.batch, o.lr, o.shift, seed,
                omp_get_max_threads(), fit.count, dir);
        t0 = cli_now();
        if ((st = nn_train(&m, &fit, &test, &o)) != VEIL_OK) {
            fprintf(stderr, "train_mnist: training failed: %s\n",
                    veil_strerror(st));
            return 1;
        }
        fprintf(stderr, "train_mnist: trained in %.1f s\n", cli_now() - t0);
    }
    if ((st = nn_model_fold_batchnorm(&f, &m)) != VEIL_OK ||
        (st = nn_model_accuracy(&acc, &f, &test)) != VEIL_OK) {
        fprintf(stderr, "train_mnist: %s\n", veil_strerror(st));
        return 1;
    }
    printf("float test accuracy (batch norm folded): %.2f%%\n", 100 * acc);
    if ((st = quantize(&f, &fit, &held, &test, qtol, &qo)) != VEIL_OK) {
        fprintf(stderr, "train_mnist: quantization failed: %s\n",
                veil_strerror(st));
        return 1;
    }
    if ((st = nn_model_save(out, &f)) != VEIL_OK) {
        fprintf(stderr, "train_mnist: cannot write %s: %s\n", out,
                veil_strerror(st));
        return 1;
    }
    printf("wrote %s\n", out);
    nn_model_clear(&f);
    nn_model_clear(&m);
    nn_dataset_clear(&train);
    nn_dataset_clear(&test);
    return 0;
}
