/*
 * train_cnn - train CNN-7 (MiniONN / Delphi / SAFENet, all activations
 * ReLU) on MNIST (images zero-padded to 1x32x32) or CIFAR-10 (3x32x32) with
 * the veil C trainer (im2col + OpenBLAS), and write a .vmodel whose
 * activation layers are SAFENet ACT layers with every channel ReLU.
 *
 *   train_cnn [--cifar] [--data DIR] [--out FILE] [--epochs N] [--limit N]
 *             [--threads T] [--checkpoint FILE] [--resume] [options]
 *
 * The result is a deterministic function of the options and the number of
 * threads.  With --checkpoint, an interrupted run continues with --resume.
 */
#include "veil/nn.h"
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

typedef struct {
    int tty;
    double start, last_draw;
} progress_ctx_t;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A redrawn bar on a terminal, else one line per epoch. */
static void on_progress(void *arg, const nn_progress_t *p)
{
    progress_ctx_t *ctx = arg;
    const double t = now();
    if (p->epoch_done) {
        if (ctx->tty)
            fprintf(stderr, "\r\033[K");
        fprintf(stderr,
                "epoch %2u/%u  loss %.4f  train acc %.2f%%  test acc %.2f%%  "
                "lr %.2e  %.0f s\n",
                p->epoch, p->epochs, p->loss, 100 * p->accuracy,
                100 * p->test_accuracy, p->lr, t - ctx->start);
        return;
    }
    if (!ctx->tty || (t - ctx->last_draw < 0.2 && p->batch != p->batches))
        return;
    ctx->last_draw = t;
    {
        const int width = 30;
        const int fill = (int)((double)p->batch / p->batches * width);
        const double el = t - ctx->start;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr,
                "\r\033[Kepoch %2u/%u [%s] %5u/%u  loss %.4f  acc %.2f%%  "
                "%.0f s",
                p->epoch, p->epochs, bar, p->batch, p->batches, p->loss,
                100 * p->accuracy, el);
    }
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: train_cnn [options]\n"
        "  --cifar          CIFAR-10 (binary version, data_batch_*.bin,\n"
        "                   test_batch.bin in --data DIR); default MNIST\n"
        "  --data DIR       data directory (MNIST default: $MNIST_DIR, then\n"
        "                   ../shared/data/mnist next to the sources)\n"
        "  --out FILE       model file (default models/cnn7-mnist.vmodel\n"
        "                   or models/cnn7-cifar.vmodel)\n"
        "  --epochs N       epochs (default 10)\n"
        "  --limit N        train on the first N training images only\n"
        "  --test-limit N   report accuracy on the first N test images\n"
        "  --batch N        mini-batch (default 64)\n"
        "  --lr X           initial Adam learning rate (default 1e-3)\n"
        "  --shift N        random shifts of up to N pixels (default 1\n"
        "                   MNIST, 4 CIFAR = random crop with padding 4)\n"
        "  --seed N         seed (default 1)\n"
        "  --threads T      OpenMP (and OpenBLAS) threads\n"
        "  --checkpoint F   write F after every epoch\n"
        "  --resume         continue from the checkpoint if it exists\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"cifar", no_argument, NULL, 'C'},
        {"data", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"epochs", required_argument, NULL, 'e'},
        {"limit", required_argument, NULL, 'n'},
        {"test-limit", required_argument, NULL, 'T'},
        {"batch", required_argument, NULL, 'b'},
        {"lr", required_argument, NULL, 'l'},
        {"shift", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},
        {"checkpoint", required_argument, NULL, 'k'},
        {"resume", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *data = NULL, *out = NULL;
    char dir[4096], msg[2048];
    nn_train_opts_t o;
    nn_dataset_t train, test;
    nn_model_t m;
    progress_ctx_t ctx;
    long limit = 0, test_limit = 0, seed = 1, shift = -1;
    int cifar = 0, c;
    double acc;
    veil_status st;

    nn_train_opts_default(&o);
    o.epochs = 10;
    o.lr = 1e-3f;
    o.init_gain = 1.4142f; /* He initialisation for ReLU networks */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
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
            o.epochs = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'n':
            limit = strtol(optarg, NULL, 10);
            break;
        case 'T':
            test_limit = strtol(optarg, NULL, 10);
            break;
        case 'b':
            o.batch = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'l':
            o.lr = strtof(optarg, NULL);
            break;
        case 's':
            shift = strtol(optarg, NULL, 10);
            break;
        case 'S':
            seed = strtol(optarg, NULL, 10);
            break;
        case 't':
            omp_set_num_threads(atoi(optarg));
            break;
        case 'k':
            o.checkpoint = optarg;
            break;
        case 'r':
            o.resume = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (veil_init() != VEIL_OK) {
        fprintf(stderr, "train_cnn: library initialisation failed\n");
        return 1;
    }
    if (cifar) {
        if (data == NULL) {
            fprintf(stderr, "train_cnn: --cifar needs --data DIR\n");
            return 2;
        }
        snprintf(dir, sizeof(dir), "%s", data);
        if ((st = nn_cifar10_load(&train, dir, NN_CIFAR_TRAIN)) != VEIL_OK ||
            (st = nn_cifar10_load(&test, dir, NN_CIFAR_TEST)) != VEIL_OK) {
            fprintf(stderr,
                    "train_cnn: cannot load CIFAR-10 from %s: %s (expected "
                    "data_batch_1.bin .. data_batch_5.bin and test_batch.bin "
                    "of the binary version)\n",
                    dir, veil_strerror(st));
            return 1;
        }
    } else {
        if (nn_mnist_locate(dir, sizeof(dir), data, VEIL_SOURCE_DIR) !=
            VEIL_OK) {
            fprintf(stderr, "train_cnn: data path too long\n");
            return 2;
        }
        if ((st = nn_mnist_load(&train, dir, NN_MNIST_TRAIN)) != VEIL_OK ||
            (st = nn_mnist_load(&test, dir, NN_MNIST_TEST)) != VEIL_OK) {
            nn_mnist_explain(msg, sizeof(msg), dir, st);
            fprintf(stderr, "train_cnn: %s\n", msg);
            return 1;
        }
    }
    if (limit > 0 && (uint32_t)limit < train.count)
        train.count = (uint32_t)limit;
    if (test_limit > 0 && (uint32_t)test_limit < test.count)
        test.count = (uint32_t)test_limit;
    o.shift = shift >= 0 ? (uint32_t)shift : cifar ? 4 : 1;
    o.hflip = cifar;
    for (int i = 0; i < 8; i++)
        o.seed[i] = (uint8_t)((unsigned long)seed >> (8 * i));
    {
        const nn_shape_t in = {cifar ? 3u : 1u, 32, 32};
        if ((st = nn_model_cnn7(&m, in)) != VEIL_OK) {
            fprintf(stderr, "train_cnn: %s\n", veil_strerror(st));
            return 1;
        }
    }
    ctx.tty = isatty(2);
    ctx.start = now();
    ctx.last_draw = 0;
    o.progress = on_progress;
    o.progress_arg = &ctx;
    fprintf(stderr,
            "CNN-7 on %s: %u training images, %u test images, %u epochs, "
            "batch %u, %d threads\n",
            cifar ? "CIFAR-10" : "MNIST (1x32x32)", train.count, test.count,
            o.epochs, o.batch, omp_get_max_threads());
    if ((st = nn_train(&m, &train, &test, &o)) != VEIL_OK) {
        fprintf(stderr, "train_cnn: training failed: %s\n", veil_strerror(st));
        return 1;
    }
    if ((st = nn_model_accuracy(&acc, &m, &test)) != VEIL_OK) {
        fprintf(stderr, "train_cnn: %s\n", veil_strerror(st));
        return 1;
    }
    if (out == NULL)
        out = cifar ? "models/cnn7-cifar.vmodel" : "models/cnn7-mnist.vmodel";
    if ((st = nn_model_save(out, &m)) != VEIL_OK) {
        fprintf(stderr, "train_cnn: cannot write %s: %s\n", out,
                veil_strerror(st));
        return 1;
    }
    printf("test accuracy %.2f%% on %u images; wrote %s (%.0f s)\n", 100 * acc,
           test.count, out, now() - ctx.start);
    nn_model_clear(&m);
    nn_dataset_clear(&train);
    nn_dataset_clear(&test);
    return 0;
}
