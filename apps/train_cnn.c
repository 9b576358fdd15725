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
#include "common/cli.h"
#include "veil/nn.h"
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR NULL
#endif

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
    cli_progress_t ctx;
    long limit = 0, test_limit = 0, seed = 1, shift = -1;
    const char *P = "train_cnn";
    int cifar = 0, c;
    double acc;
    veil_status st;

    cli_blas_tune(argv);
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
        case 's':
            if (cli_long(&shift, P, "--shift", optarg, 0, 16))
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
    cli_seed(o.seed, (unsigned long)seed);
    {
        const nn_shape_t in = {cifar ? 3u : 1u, 32, 32};
        if ((st = nn_model_cnn7(&m, in)) != VEIL_OK) {
            fprintf(stderr, "train_cnn: %s\n", veil_strerror(st));
            return 1;
        }
    }
    cli_progress_init(&ctx);
    o.progress = cli_on_progress;
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
           test.count, out, cli_now() - ctx.start);
    nn_model_clear(&m);
    nn_dataset_clear(&train);
    nn_dataset_clear(&test);
    return 0;
}
