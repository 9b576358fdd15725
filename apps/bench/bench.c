/* bench.c - timing and reporting for veil-bench. */
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median_us(void (*fn)(void *), void *arg, int runs)
{
    double *t, med;
    int i, warm = runs < 10 ? 1 : 5;
    if (runs < 1)
        runs = 1;
    t = malloc((size_t)runs * sizeof(double));
    if (t == NULL)
        return -1.0;
    for (i = 0; i < warm; i++)
        fn(arg);
    for (i = 0; i < runs; i++) {
        double t0 = bench_now();
        fn(arg);
        t[i] = (bench_now() - t0) * 1e6;
    }
    med = bench_median(t, runs);
    free(t);
    return med;
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double cpu_clock(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double bench_thread_cpu(void)
{
    return cpu_clock(CLOCK_THREAD_CPUTIME_ID);
}

double bench_process_cpu(void)
{
    return cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
}

void bench_header(const bench_opts_t *o, const char *title)
{
    if (o->json)
        return;
    printf("\n%s\n", title);
    printf("%-8s %-22s %7s %5s %-7s %4s %12s %6s  %s\n", "suite", "op", "n",
           "bits", "isa", "thr", "median_us", "runs", "extra");
}

void bench_report(const bench_opts_t *o, const char *suite, const char *op,
                  size_t n, unsigned bits, const char *isa, int threads,
                  double median_us, int runs, const char *extra)
{
    if (o->json) {
        printf("{\"suite\":\"%s\",\"op\":\"%s\",\"n\":%zu,\"bits\":%u,"
               "\"isa\":\"%s\",\"threads\":%d,\"median_us\":%.2f,\"runs\":%d%s%"
               "s}\n",
               suite, op, n, bits, isa, threads, median_us, runs,
               extra ? "," : "", extra ? extra : "");
    } else {
        printf("%-8s %-22s %7zu %5u %-7s %4d %12.2f %6d  %s\n", suite, op, n,
               bits, isa, threads, median_us, runs, extra ? extra : "");
    }
    fflush(stdout);
}
