/*
 * bench_train.c - veil-bench suite "train": CNN-7 training throughput
 * (forward, backward and an Adam step per mini-batch of 64, im2col +
 * OpenBLAS sgemm) for the CIFAR-10 input 3x32x32 and the padded MNIST input
 * 1x32x32, with 1 and 2 threads.  Each run is one epoch of nn_train over
 * BENCH_BATCHES mini-batches of random pixels (fine-tuning: no
 * initialisation inside the timing); images_per_s = images / median time.
 *
 * JSON rows: {"suite":"train","op":"cnn7_fwd_bwd","input":"3x32x32",
 * "batch":64,"threads":T,"images_per_s":...,"median_us":...,"runs":R}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "bench.h"
#include "veil/nn.h"

#define BENCH_BATCH 64
#define BENCH_BATCHES 4

typedef struct {
    nn_model_t *m;
    const nn_dataset_t *ds;
    nn_train_opts_t o;
    veil_status st;
} train_arg_t;

static void run_train(void *p)
{
    train_arg_t *a = p;
    if (a->st == VEIL_OK)
        a->st = nn_train(a->m, a->ds, NULL, &a->o);
}

static int bench_one(const bench_opts_t *o, uint32_t ch, int threads)
{
    const nn_shape_t in = {ch, 32, 32};
    const uint32_t count = BENCH_BATCH * BENCH_BATCHES;
    nn_model_t m;
    nn_dataset_t ds;
    veil_rng_t rng;
    train_arg_t a;
    uint8_t seed[VEIL_SEED_BYTES] = {7};
    char input[32];
    double us, ips;
    int runs = o->runs < 5 ? o->runs : 5;

    memset(&ds, 0, sizeof(ds));
    ds.count = count;
    ds.rows = 32;
    ds.cols = 32;
    ds.channels = ch;
    ds.images = malloc((size_t)count * ch * 32 * 32);
    ds.labels = malloc(count);
    if (ds.images == NULL || ds.labels == NULL ||
        nn_model_cnn7(&m, in) != VEIL_OK) {
        fprintf(stderr, "veil-bench train: out of memory\n");
        free(ds.images);
        free(ds.labels);
        return 1;
    }
    veil_rng_init_seed(&rng, seed);
    veil_rng_bytes(&rng, ds.images, (size_t)count * ch * 32 * 32);
    for (uint32_t i = 0; i < count; i++)
        ds.labels[i] = (uint8_t)(veil_rng_u64(&rng) % NN_CLASSES);
    nn_model_init_params(&m, &rng, 1.0f);
    veil_rng_clear(&rng);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    a.m = &m;
    a.ds = &ds;
    a.st = VEIL_OK;
    nn_train_opts_default(&a.o);
    a.o.epochs = 1;
    a.o.batch = BENCH_BATCH;
    a.o.finetune = 1;
    a.o.lr = 1e-4f;
    us = bench_median_us(run_train, &a, runs);
    if (a.st != VEIL_OK) {
        fprintf(stderr, "veil-bench train: %s\n", veil_strerror(a.st));
        nn_model_clear(&m);
        free(ds.images);
        free(ds.labels);
        return 1;
    }
    ips = count / (us * 1e-6);
    snprintf(input, sizeof(input), "%ux32x32", ch);
    if (o->json)
        printf("{\"suite\":\"train\",\"op\":\"cnn7_fwd_bwd\",\"input\":\"%s\","
               "\"batch\":%d,\"threads\":%d,\"images_per_s\":%.1f,"
               "\"median_us\":%.0f,\"runs\":%d}\n",
               input, BENCH_BATCH, threads, ips, us, runs);
    else
        printf("%-14s %-9s %6d %8d %14.1f %12.1f\n", "cnn7_fwd_bwd", input,
               BENCH_BATCH, threads, ips, us / BENCH_BATCHES / 1000.0);
    fflush(stdout);
    nn_model_clear(&m);
    free(ds.images);
    free(ds.labels);
    return 0;
}

int bench_train(const bench_opts_t *o)
{
    int rc = 0;
    if (!o->json) {
        printf("\n== train: CNN-7 forward + backward + Adam, batch %d ==\n",
               BENCH_BATCH);
        printf("%-14s %-9s %6s %8s %14s %12s\n", "op", "input", "batch",
               "threads", "images/s", "ms/batch");
    }
    for (int t = 1; t <= 2; t++) {
        rc |= bench_one(o, 3, t);
        rc |= bench_one(o, 1, t);
    }
    return rc;
}
