/*
 * train_cnn - train a convolutional network with the veil C trainer
 * (im2col + OpenBLAS) and write a .vmodel file:
 *
 *   --net cnn7        CNN-7 (MiniONN / Delphi / SAFENet, all activations
 *                     ReLU) on MNIST (images zero-padded to 1x32x32) or
 *                     CIFAR-10 (3x32x32); its activation layers are SAFENet
 *                     ACT layers with every channel ReLU.
 *   --net lola-cifar  the LoLa CIFAR-10 network (papers/lola-*.md section
 *                     4.4, lola_cnn2_cifar10): conv 8x8x3 stride 2 pad 1
 *                     with 83 maps, square, conv 6x6x83 stride 2 with 163
 *                     maps, square, dense to 10, on CIFAR-10; trained with
 *                     batch norm before each square (folded away), then
 *                     quantized (nn_model_set_qbits) and fine-tuned through
 *                     the quantization, so that `apps/lola --dataset
 *                     cifar10 --model FILE` runs it privately
 *                     (doc/12-cnn-training.md section 7).
 *   --eval FILE       no training: float and exact integer accuracy of a
 *                     model file on the test images.
 *
 * The result is a deterministic function of the options and the number of
 * threads.  With --checkpoint, an interrupted run continues with --resume.
 */
#include "common/cli.h"
#include "veil/lola_models.h"
#include "veil/nn.h"
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR NULL
#endif

static const char *P = "train_cnn";

typedef enum { NET_CNN7 = 0, NET_LOLA_CIFAR = 1 } net_t;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: train_cnn [--net cnn7|lola-cifar] [options]\n"
        "       train_cnn --eval FILE [--net ...] [--cifar] [--data DIR]\n"
        "  --net N          cnn7 (default): CNN-7, ReLU, MNIST or CIFAR-10;\n"
        "                   lola-cifar: the LoLa CIFAR-10 network (paper\n"
        "                   section 4.4: conv 8x8 stride 2 with 83 maps,\n"
        "                   square, conv 6x6 stride 2 with 163 maps, square,\n"
        "                   dense to 10), quantized for apps/lola\n"
        "  --cifar          CIFAR-10 (binary version, data_batch_1.bin ..\n"
        "                   data_batch_5.bin and test_batch.bin in --data\n"
        "                   DIR); default MNIST; implied by lola-cifar\n"
        "  --data DIR       data directory (MNIST default: $MNIST_DIR, then\n"
        "                   ../shared/data/mnist next to the sources)\n"
        "  --out FILE       model file (default models/cnn7-mnist.vmodel,\n"
        "                   models/cnn7-cifar.vmodel or\n"
        "                   models/lola-cifar.vmodel)\n"
        "  --epochs N       epochs (default 10)\n"
        "  --limit N        train on the first N training images only\n"
        "  --test-limit N   report accuracy on the first N test images\n"
        "  --batch N        mini-batch (default 64)\n"
        "  --lr X           initial Adam learning rate (default 1e-3)\n"
        "  --clip X         clip the gradient norm to X (default 5 cnn7,\n"
        "                   1 lola-cifar; 0: off)\n"
        "  --shift N        random shifts of up to N pixels (default 1\n"
        "                   MNIST, 4 CIFAR = random crop with padding 4)\n"
        "  --no-flip        CIFAR: no random horizontal mirroring\n"
        "  --seed N         seed (default 1)\n"
        "  --threads T      OpenMP (and OpenBLAS) threads\n"
        "  --checkpoint F   write F after every epoch (lola-cifar: and F.qat\n"
        "                   in the fine-tuning)\n"
        "  --resume         continue from the checkpoint if it exists\n"
        "lola-cifar only:\n"
        "  --maps A,B       maps of the two convolutions (default 83,163;\n"
        "                   smaller for quick runs and tests)\n"
        "  --wbits B        integer weights of B bits, 2..25 (default 4, as\n"
        "                   apps/lola's generated model: 2 plaintext primes\n"
        "                   at full size)\n"
        "  --in-exp E       input round(pixel * 2^E / 256), 0..8 (default 4)\n"
        "  --qat-epochs N   fine-tuning epochs through the quantization\n"
        "                   (default 2; 0: none)\n"
        "  --qat-lr X       its initial learning rate (default 1e-4)\n"
        "  --no-batchnorm   no batch norm before the squares (for\n"
        "                   comparison: doc/12-cnn-training.md section 7)\n"
        "  --eval FILE      no training: accuracy of FILE (float and, if it\n"
        "                   is quantizable, the exact integer evaluator's)\n"
        "                   on the test images\n");
}

/* "A,B" with A and B in [lo, hi]. */
static int parse_pair(uint32_t *a, uint32_t *b, const char *opt, const char *s,
                      uint32_t lo, uint32_t hi)
{
    char first[32];
    const char *comma = strchr(s, ',');
    if (comma == NULL || (size_t)(comma - s) >= sizeof(first)) {
        fprintf(stderr, "%s: %s wants two numbers A,B, not '%s'\n", P, opt, s);
        return -1;
    }
    memcpy(first, s, (size_t)(comma - s));
    first[comma - s] = '\0';
    if (cli_u32(a, P, opt, first, lo, hi) ||
        cli_u32(b, P, opt, comma + 1, lo, hi))
        return -1;
    return 0;
}

/* The LoLa CIFAR-10 network of shape sh with a batch norm before each
 * square: conv, bn, square, conv, bn, square, dense.  Folding the batch
 * norms into the convolutions before them gives lola_cnn2_model(sh). */
static veil_status build_lola(nn_model_t *m, const lola_cnn2_shape_t *sh,
                              int bn)
{
    veil_status st = nn_model_init(m, sh->in);
    if (st != VEIL_OK)
        return st;
    if ((st = nn_model_add_conv2d(m, sh->maps1, sh->k1, sh->s1, sh->p1)) ||
        (bn && (st = nn_model_add_batchnorm(m))) ||
        (st = nn_model_add_square(m)) ||
        (st = nn_model_add_conv2d(m, sh->maps2, sh->k2, sh->s2, sh->p2)) ||
        (bn && (st = nn_model_add_batchnorm(m))) ||
        (st = nn_model_add_square(m)) ||
        (st = nn_model_add_dense(m, sh->classes)))
        nn_model_clear(m);
    return st;
}

/* 1 if f has exactly the layers of lola_cnn2_model(sh) (types, shapes,
 * kernels): what apps/lola's CIFAR-10 plan and doc/11 describe. */
static int is_lola_shape(const nn_model_t *f, const lola_cnn2_shape_t *sh)
{
    nn_model_t ref;
    int same;
    if (lola_cnn2_model(&ref, sh) != VEIL_OK)
        return 0;
    same = ref.nlayers == f->nlayers && ref.nparams == f->nparams;
    for (uint32_t i = 0; same && i < ref.nlayers; i++) {
        const nn_layer_t *a = &ref.layers[i], *b = &f->layers[i];
        same = a->type == b->type && a->out.c == b->out.c &&
               a->out.h == b->out.h && a->out.w == b->out.w && a->k == b->k &&
               a->stride == b->stride && a->pad == b->pad;
    }
    nn_model_clear(&ref);
    return same;
}

/* Print the float and exact-integer accuracy of f on ds, and (if layers)
 * the quantized layers' weights and worst-case value bits. */
static veil_status report(const nn_model_t *f, const nn_dataset_t *ds,
                          const char *what, int layers)
{
    nn_qmodel_t q;
    nn_ranges_t r;
    double facc, qacc, same;
    long correct;
    veil_status st;

    if ((st = nn_model_accuracy(&facc, f, ds)) != VEIL_OK)
        return st;
    if (!f->quantizable) {
        printf("%s: float %.2f%% (%u images; the model has no quantization)\n",
               what, 100 * facc, ds->count);
        return VEIL_OK;
    }
    if ((st = nn_qmodel_init(&q, f)) != VEIL_OK)
        return st;
    if ((st = nn_qmodel_accuracy(&qacc, &same, &q, f, ds)) != VEIL_OK) {
        nn_qmodel_clear(&q);
        return st;
    }
    correct = lround(qacc * ds->count);
    printf("%s: float %.2f%%, quantized (exact integer evaluator) %.2f%% = "
           "%ld of %u, agreement %.2f%%\n",
           what, 100 * facc, 100 * qacc, correct, ds->count, 100 * same);
    if (layers && (st = nn_ranges_compute(&r, &q, 0, q.in_max)) == VEIL_OK) {
        printf("  input round(pixel * 2^%d / 256) in [0, %lld]\n", q.in_exp,
               (long long)q.in_max);
        printf("  %-8s %-12s %5s %7s %5s\n", "layer", "output", "qexp",
               "max|w|", "bits");
        for (uint32_t i = 0; i < q.nlayers; i++) {
            const nn_qlayer_t *l = &q.layers[i];
            char shape[40], w[16] = "", e[16] = "";
            snprintf(shape, sizeof(shape), "%ux%ux%u", l->out.c, l->out.h,
                     l->out.w);
            if (l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE) {
                snprintf(w, sizeof(w), "%d", l->wmax);
                snprintf(e, sizeof(e), "%d", f->layers[i].qexp);
            }
            printf("  %-8s %-12s %5s %7s %5u\n", nn_layer_name(l->type), shape,
                   e, w, r.v[i + 1].bits);
        }
        printf("  worst-case |value| < 2^%u: the plaintext modulus needs "
               "more than %u bits\n",
               r.bits, r.bits + 1);
        nn_ranges_clear(&r);
    }
    nn_qmodel_clear(&q);
    return st;
}

typedef struct {
    uint32_t wbits, qat_epochs;
    int32_t in_exp;
    float qat_lr;
    int no_bn; /* --no-batchnorm: for comparison only */
} quant_opts_t;

/* Train the LoLa CIFAR-10 network of shape sh (with batch norm), fold,
 * quantize, fine-tune through the quantization; *f receives the result
 * (initialised here). */
static int train_lola(nn_model_t *f, const lola_cnn2_shape_t *sh,
                      const nn_dataset_t *train, const nn_dataset_t *test,
                      const nn_train_opts_t *o, const quant_opts_t *qa)
{
    nn_model_t m;
    nn_train_opts_t qo = *o;
    char ckpt[4096];
    veil_status st;
    double acc, t0 = cli_now();

    if ((st = build_lola(&m, sh, !qa->no_bn)) != VEIL_OK) {
        fprintf(stderr, "%s: cannot build the network: %s\n", P,
                veil_strerror(st));
        return 1;
    }
    fprintf(stderr,
            "LoLa CIFAR-10 network (maps %u,%u; %zu parameters) on %u "
            "training images, %u test images, %u epochs, batch %u, lr %g, "
            "clip %g, shift %u%s, %d threads\n",
            sh->maps1, sh->maps2, m.nparams, train->count, test->count,
            o->epochs, o->batch, o->lr, o->clip, o->shift,
            o->hflip ? ", mirroring" : "", omp_get_max_threads());
    if ((st = nn_train(&m, train, test, o)) != VEIL_OK) {
        fprintf(stderr, "%s: training failed: %s%s\n", P, veil_strerror(st),
                st == VEIL_ERANGE ? " (the loss diverged: try a smaller --lr "
                                    "or --clip)"
                                  : "");
        nn_model_clear(&m);
        return 1;
    }
    fprintf(stderr, "%s: trained in %.1f s\n", P, cli_now() - t0);
    st = nn_model_fold_batchnorm(f, &m);
    nn_model_clear(&m);
    if (st != VEIL_OK) {
        fprintf(stderr, "%s: folding batch norm: %s\n", P, veil_strerror(st));
        return 1;
    }
    if (!is_lola_shape(f, sh)) { /* cannot happen: a bug if it does */
        fprintf(stderr,
                "%s: internal error: folded network is not the LoLa "
                "shape\n",
                P);
        return 1;
    }
    /* float only: the exact integer evaluation of the full-size network
     * costs about 0.1 s per image, more than a training epoch for 10,000
     * test images; it is run once, at the end */
    if ((st = nn_model_accuracy(&acc, f, test)) != VEIL_OK ||
        (st = nn_model_set_qbits(f, qa->wbits, qa->in_exp)) != VEIL_OK) {
        fprintf(stderr, "%s: quantization: %s\n", P, veil_strerror(st));
        return 1;
    }
    printf("after training, batch norm folded: float %.2f%% on %u test "
           "images\n",
           100 * acc, test->count);
    if (qa->qat_epochs > 0) {
        qo.epochs = qa->qat_epochs;
        qo.lr = qa->qat_lr;
        qo.lr_min = qa->qat_lr / 100;
        qo.finetune = 1;
        qo.quant_aware = 1;
        qo.seed[8] ^= 1; /* its own stream of shuffles and shifts */
        if (o->checkpoint != NULL) {
            snprintf(ckpt, sizeof(ckpt), "%s.qat", o->checkpoint);
            qo.checkpoint = ckpt;
        }
        fprintf(stderr,
                "%s: fine-tuning through the quantization (%u-bit weights, "
                "input exponent %d): %u epochs, lr %g\n",
                P, qa->wbits, qa->in_exp, qo.epochs, qo.lr);
        if ((st = nn_train(f, train, test, &qo)) != VEIL_OK) {
            fprintf(stderr, "%s: fine-tuning failed: %s\n", P,
                    veil_strerror(st));
            return 1;
        }
        /* weights may have outgrown their bits: the exponents again */
        if ((st = nn_model_set_qbits(f, qa->wbits, qa->in_exp)) != VEIL_OK) {
            fprintf(stderr, "%s: quantization: %s\n", P, veil_strerror(st));
            return 1;
        }
    }
    return 0;
}

/* Load the training (unless eval_only) and test images. */
static int load_data(nn_dataset_t *train, nn_dataset_t *test, int cifar,
                     const char *data, int eval_only)
{
    char dir[4096], msg[2048];
    veil_status st = VEIL_OK;

    memset(train, 0, sizeof(*train));
    memset(test, 0, sizeof(*test));
    if (cifar) {
        if (data == NULL) {
            fprintf(stderr,
                    "%s: CIFAR-10 needs --data DIR (the folder of "
                    "data_batch_1.bin .. data_batch_5.bin and "
                    "test_batch.bin)\n",
                    P);
            return 2;
        }
        if ((!eval_only &&
             (st = nn_cifar10_load(train, data, NN_CIFAR_TRAIN)) != VEIL_OK) ||
            (st = nn_cifar10_load(test, data, NN_CIFAR_TEST)) != VEIL_OK) {
            fprintf(stderr,
                    "%s: cannot load CIFAR-10 from %s: %s (expected "
                    "data_batch_1.bin .. data_batch_5.bin and test_batch.bin "
                    "of the binary version: records of 1 label byte and "
                    "3072 pixel bytes)\n",
                    P, data, veil_strerror(st));
            nn_dataset_clear(train);
            return 1;
        }
        return 0;
    }
    if (nn_mnist_locate(dir, sizeof(dir), data, VEIL_SOURCE_DIR) != VEIL_OK) {
        fprintf(stderr, "%s: data path too long\n", P);
        return 2;
    }
    if ((!eval_only &&
         (st = nn_mnist_load(train, dir, NN_MNIST_TRAIN)) != VEIL_OK) ||
        (st = nn_mnist_load(test, dir, NN_MNIST_TEST)) != VEIL_OK) {
        nn_mnist_explain(msg, sizeof(msg), dir, st);
        fprintf(stderr, "%s: %s\n", P, msg);
        nn_dataset_clear(train);
        return 1;
    }
    return 0;
}

/* --eval FILE: float and exact integer accuracy on the test images. */
static int eval_file(const char *path, const nn_dataset_t *test)
{
    nn_model_t m;
    char what[4200];
    veil_status st = nn_model_load(&m, path);
    if (st != VEIL_OK) {
        fprintf(stderr, "%s: cannot load model %s: %s\n", P, path,
                veil_strerror(st));
        return 1;
    }
    snprintf(what, sizeof(what), "%s on the test images", path);
    st = report(&m, test, what, 1);
    nn_model_clear(&m);
    if (st != VEIL_OK) {
        fprintf(stderr, "%s: evaluating %s: %s\n", P, path, veil_strerror(st));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"net", required_argument, NULL, 'N'},
        {"cifar", no_argument, NULL, 'C'},
        {"data", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"epochs", required_argument, NULL, 'e'},
        {"limit", required_argument, NULL, 'n'},
        {"test-limit", required_argument, NULL, 'T'},
        {"batch", required_argument, NULL, 'b'},
        {"lr", required_argument, NULL, 'l'},
        {"clip", required_argument, NULL, 'c'},
        {"shift", required_argument, NULL, 's'},
        {"no-flip", no_argument, NULL, 'F'},
        {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},
        {"checkpoint", required_argument, NULL, 'k'},
        {"resume", no_argument, NULL, 'r'},
        {"maps", required_argument, NULL, 'M'},
        {"wbits", required_argument, NULL, 'W'},
        {"in-exp", required_argument, NULL, 'I'},
        {"qat-epochs", required_argument, NULL, 'E'},
        {"qat-lr", required_argument, NULL, 'L'},
        {"eval", required_argument, NULL, 'V'},
        {"no-batchnorm", no_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *data = NULL, *out = NULL, *eval = NULL;
    nn_train_opts_t o;
    nn_dataset_t train, test;
    nn_model_t m;
    cli_progress_t ctx;
    lola_cnn2_shape_t sh;
    quant_opts_t qa = {4, 2, 4, 1e-4f, 0};
    long limit = 0, test_limit = 0, seed = 1, shift = -1, in_exp = 4;
    net_t net = NET_CNN7;
    int cifar = 0, noflip = 0, clip_set = 0, lola_opt = 0, c, rc;
    double acc;
    veil_status st;

    cli_blas_tune(argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    nn_train_opts_default(&o);
    o.epochs = 10;
    o.lr = 1e-3f;
    lola_cnn2_cifar10(&sh);
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'N':
            if (strcmp(optarg, "cnn7") == 0)
                net = NET_CNN7;
            else if (strcmp(optarg, "lola-cifar") == 0)
                net = NET_LOLA_CIFAR;
            else {
                fprintf(stderr,
                        "%s: unknown network '%s' (cnn7, "
                        "lola-cifar)\n",
                        P, optarg);
                return 2;
            }
            break;
        case 'C':
            cifar = 1;
            break;
        case 'd':
            data = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'e':
            if (cli_u32(&o.epochs, P, "--epochs", optarg, 1, 100000))
                return 2;
            break;
        case 'n':
            if (cli_long(&limit, P, "--limit", optarg, 1, 1L << 30))
                return 2;
            break;
        case 'T':
            if (cli_long(&test_limit, P, "--test-limit", optarg, 1, 1L << 30))
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
        case 'c':
            if (cli_float(&o.clip, P, "--clip", optarg, 0, 1e6))
                return 2;
            clip_set = 1;
            break;
        case 's':
            if (cli_long(&shift, P, "--shift", optarg, 0, 16))
                return 2;
            break;
        case 'F':
            noflip = 1;
            break;
        case 'S':
            if (cli_long(&seed, P, "--seed", optarg, 0, 1L << 62))
                return 2;
            break;
        case 't':
            if (cli_threads(P, optarg))
                return 2;
            break;
        case 'k':
            o.checkpoint = optarg;
            break;
        case 'r':
            o.resume = 1;
            break;
        case 'M':
            if (parse_pair(&sh.maps1, &sh.maps2, "--maps", optarg, 1, 1024))
                return 2;
            lola_opt = 1;
            break;
        case 'W':
            if (cli_u32(&qa.wbits, P, "--wbits", optarg, 2, 25))
                return 2;
            lola_opt = 1;
            break;
        case 'I':
            if (cli_long(&in_exp, P, "--in-exp", optarg, 0, 8))
                return 2;
            qa.in_exp = (int32_t)in_exp;
            lola_opt = 1;
            break;
        case 'E':
            if (cli_u32(&qa.qat_epochs, P, "--qat-epochs", optarg, 0, 100000))
                return 2;
            lola_opt = 1;
            break;
        case 'L':
            if (cli_float(&qa.qat_lr, P, "--qat-lr", optarg, 1e-12, 10))
                return 2;
            lola_opt = 1;
            break;
        case 'V':
            eval = optarg;
            break;
        case 'B':
            qa.no_bn = 1;
            lola_opt = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", P,
                argv[optind]);
        return 2;
    }
    if (net == NET_LOLA_CIFAR)
        cifar = 1;
    else if (lola_opt && eval == NULL) {
        fprintf(stderr,
                "%s: --maps, --wbits, --in-exp, --qat-epochs, --qat-lr "
                "and --no-batchnorm need --net lola-cifar\n",
                P);
        return 2;
    }
    if (veil_init() != VEIL_OK) {
        fprintf(stderr, "%s: library initialisation failed\n", P);
        return 1;
    }
    if ((rc = load_data(&train, &test, cifar, data, eval != NULL)) != 0)
        return rc;
    if (limit > 0 && (uint32_t)limit < train.count)
        train.count = (uint32_t)limit;
    if (test_limit > 0 && (uint32_t)test_limit < test.count)
        test.count = (uint32_t)test_limit;
    if (eval != NULL) {
        rc = eval_file(eval, &test);
        nn_dataset_clear(&test);
        return rc;
    }
    o.shift = shift >= 0 ? (uint32_t)shift : cifar ? 4 : 1;
    o.hflip = cifar && !noflip;
    cli_seed(o.seed, (unsigned long)seed);
    cli_progress_init(&ctx);
    o.progress = cli_on_progress;
    o.progress_arg = &ctx;
    if (net == NET_LOLA_CIFAR) {
        /* batch norm before each square keeps its input near N(0, 1);
         * gain 1 (nn_model_init_params) and a clipped gradient keep the
         * squares from blowing up (doc/12-cnn-training.md section 7) */
        if (!clip_set)
            o.clip = 1.0f;
        if (out == NULL)
            out = "models/lola-cifar.vmodel";
        if (train_lola(&m, &sh, &train, &test, &o, &qa) != 0) {
            nn_dataset_clear(&train);
            nn_dataset_clear(&test);
            return 1;
        }
        if ((st = report(&m, &test, "test images", 1)) != VEIL_OK) {
            fprintf(stderr, "%s: %s\n", P, veil_strerror(st));
            return 1;
        }
    } else {
        const nn_shape_t in = {cifar ? 3u : 1u, 32, 32};
        o.init_gain = 1.4142f; /* He initialisation for ReLU networks */
        if ((st = nn_model_cnn7(&m, in)) != VEIL_OK) {
            fprintf(stderr, "%s: %s\n", P, veil_strerror(st));
            return 1;
        }
        fprintf(stderr,
                "CNN-7 on %s: %u training images, %u test images, %u "
                "epochs, batch %u, %d threads\n",
                cifar ? "CIFAR-10" : "MNIST (1x32x32)", train.count, test.count,
                o.epochs, o.batch, omp_get_max_threads());
        if ((st = nn_train(&m, &train, &test, &o)) != VEIL_OK) {
            fprintf(stderr, "%s: training failed: %s\n", P, veil_strerror(st));
            return 1;
        }
        if ((st = nn_model_accuracy(&acc, &m, &test)) != VEIL_OK) {
            fprintf(stderr, "%s: %s\n", P, veil_strerror(st));
            return 1;
        }
        if (out == NULL)
            out =
                cifar ? "models/cnn7-cifar.vmodel" : "models/cnn7-mnist.vmodel";
    }
    if ((st = nn_model_save(out, &m)) != VEIL_OK) {
        fprintf(stderr, "%s: cannot write %s: %s\n", P, out, veil_strerror(st));
        return 1;
    }
    if (net == NET_CNN7)
        printf("test accuracy %.2f%% on %u images; wrote %s (%.0f s)\n",
               100 * acc, test.count, out, cli_now() - ctx.start);
    else
        printf("wrote %s (%.0f s)\n", out, cli_now() - ctx.start);
    nn_model_clear(&m);
    nn_dataset_clear(&train);
    nn_dataset_clear(&test);
    return 0;
}
