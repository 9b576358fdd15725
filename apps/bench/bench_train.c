/*
 * bench_train.c - veil-bench suite "train": CNN-7 training throughput
 * (forward, backward and an Adam step per mini-batch of 64, im2col +
 * OpenBLAS sgemm) for the CIFAR-10 input 3x32x32 and the padded MNIST input
 * 1x32x32, with 1 and 2 threads.  Each run is one epoch of nn_train
 * (fine-tuning: no initialisation) over BENCH_BATCHES mini-batches of
 * random pixels; the progress callback stamps the end of every step, and
 * the steps after the first are timed (the first one touches the freshly
 * allocated workspace).  median_us is the median step time over all runs,
 * images_per_s = 64 / that; cpu_us and images_per_cpu_s the same in
 * process CPU time (all threads), which depends less on the other
 * processes sharing the machine.
 *
 * JSON rows: {"suite":"train","op":"cnn7_fwd_bwd","input":"3x32x32",
 * "batch":64,"threads":T,"images_per_s":...,"median_us":...,
 * "images_per_cpu_s":...,"cpu_us":...,"runs":R} (R = steps timed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "bench.h"
#include "veil/nn.h"

#define BENCH_BATCH 64
#define BENCH_BATCHES 5
#define BENCH_MAX_STEPS 256

typedef struct {
    double wall[BENCH_MAX_STEPS], cpu[BENCH_MAX_STEPS];
    double last_wall, last_cpu;
    int steps;
} stamps_t;

/* After every step but the first of a run: the time since the last one. */
static void on_step(void *arg, const nn_progress_t *p)
{
    stamps_t *s = arg;
    const double w = bench_now(), c = bench_process_cpu();
    if (p->epoch_done)
        return;
    if (p->batch > 1 && s->steps < BENCH_MAX_STEPS) {
        s->wall[s->steps] = w - s->last_wall;
        s->cpu[s->steps] = c - s->last_cpu;
        s->steps++;
    }
    s->last_wall = w;
    s->last_cpu = c;
}

static int bench_one(const bench_opts_t *o, uint32_t ch, int threads)
{
    const nn_shape_t in = {ch, 32, 32};
    const uint32_t count = BENCH_BATCH * BENCH_BATCHES;
    nn_model_t m;
    nn_dataset_t ds;
    nn_train_opts_t to;
    veil_rng_t rng;
    stamps_t *st;
    veil_status rc = VEIL_OK;
    uint8_t seed[VEIL_SEED_BYTES] = {7};
    char input[32];
    double us, cpu;
    int runs = o->runs < 5 ? o->runs : 5;

    memset(&ds, 0, sizeof(ds));
    ds.count = count;
    ds.rows = 32;
    ds.cols = 32;
    ds.channels = ch;
    ds.images = malloc((size_t)count * ch * 32 * 32);
    ds.labels = malloc(count);
    st = calloc(1, sizeof(*st));
    if (ds.images == NULL || ds.labels == NULL || st == NULL ||
        nn_model_cnn7(&m, in) != VEIL_OK) {
        fprintf(stderr, "veil-bench train: out of memory\n");
        free(ds.images);
        free(ds.labels);
        free(st);
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
    nn_train_opts_default(&to);
    to.epochs = 1;
    to.batch = BENCH_BATCH;
    to.finetune = 1;
    to.lr = 1e-4f;
    to.progress = on_step;
    to.progress_arg = st;
    for (int r = 0; r < runs && rc == VEIL_OK; r++)
        rc = nn_train(&m, &ds, NULL, &to);
    if (rc != VEIL_OK || st->steps == 0) {
        fprintf(stderr, "veil-bench train: %s\n", veil_strerror(rc));
        nn_model_clear(&m);
        free(ds.images);
        free(ds.labels);
        free(st);
        return 1;
    }
    us = bench_median(st->wall, st->steps) * 1e6;
    cpu = bench_median(st->cpu, st->steps) * 1e6;
    snprintf(input, sizeof(input), "%ux32x32", ch);
    if (o->json)
        printf("{\"suite\":\"train\",\"op\":\"cnn7_fwd_bwd\",\"input\":\"%s\","
               "\"batch\":%d,\"threads\":%d,\"images_per_s\":%.1f,"
               "\"median_us\":%.0f,\"images_per_cpu_s\":%.1f,"
               "\"cpu_us\":%.0f,\"runs\":%d}\n",
               input, BENCH_BATCH, threads, BENCH_BATCH / (us * 1e-6), us,
               BENCH_BATCH / (cpu * 1e-6), cpu, st->steps);
    else
        printf("%-14s %-9s %6d %8d %10.1f %12.1f %10.1f\n", "cnn7_fwd_bwd",
               input, BENCH_BATCH, threads, BENCH_BATCH / (us * 1e-6),
               us / 1000.0, BENCH_BATCH / (cpu * 1e-6));
    fflush(stdout);
    nn_model_clear(&m);
    free(ds.images);
    free(ds.labels);
    free(st);
    return 0;
}

int bench_train(const bench_opts_t *o)
{
    int rc = 0;
    if (!o->json) {
        printf("\n== train: CNN-7 forward + backward + Adam, batch %d ==\n",
               BENCH_BATCH);
        printf("%-14s %-9s %6s %8s %10s %12s %10s\n", "op", "input", "batch",
               "threads", "images/s", "ms/batch", "img/cpu-s");
    }
    for (int t = 1; t <= 2; t++) {
        rc |= bench_one(o, 3, t);
        rc |= bench_one(o, 1, t);
    }
    return rc;
}
