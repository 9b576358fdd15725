/*
 * cli.c - helpers shared by the training programs (cli.h).
 */
#include "cli.h"
#include "config.h"
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
char *openblas_get_corename(void); /* OpenBLAS extension, beside it */
#endif

void cli_blas_tune(char **argv)
{
#if defined(HAVE_OPENBLAS_SET_NUM_THREADS) && defined(__x86_64__)
    const char *core = openblas_get_corename();
    if (getenv("OPENBLAS_CORETYPE") != NULL || core == NULL ||
        (strcmp(core, "Haswell") != 0 && strcmp(core, "Zen") != 0))
        return;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") ||
        !__builtin_cpu_supports("avx512cd") ||
        !__builtin_cpu_supports("avx512bw") ||
        !__builtin_cpu_supports("avx512dq") ||
        !__builtin_cpu_supports("avx512vl"))
        return;
    if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) == 0)
        execv("/proc/self/exe", argv);
#else
    (void)argv;
#endif
}

void cli_omp_passive(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") != NULL)
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) == 0)
        execv("/proc/self/exe", argv);
}

void cli_malloc_keep(void)
{
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* the largest glibc accepts */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
#ifdef M_ARENA_MAX
    /* one arena, which now keeps what it held: a server's session threads
     * reuse it instead of each new thread growing an arena of its own to a
     * session's peak (test/mpc/soak.sh: RSS over a round of three clients
     * varied by 10 to 35 MB with glibc's 8 arenas per core, by 0 to 6 MB
     * with one); small blocks still come from per-thread caches */
    mallopt(M_ARENA_MAX, 1);
#endif
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cli_long(long *out, const char *prog, const char *opt, const char *s,
             long lo, long hi)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
        fprintf(stderr, "%s: %s wants an integer in [%ld, %ld], not '%s'\n",
                prog, opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_u32(uint32_t *out, const char *prog, const char *opt, const char *s,
            uint32_t lo, uint32_t hi)
{
    long v;
    if (cli_long(&v, prog, opt, s, (long)lo, (long)hi) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int cli_double(double *out, const char *prog, const char *opt, const char *s,
               double lo, double hi)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < lo ||
        v > hi) {
        fprintf(stderr, "%s: %s wants a number in [%g, %g], not '%s'\n", prog,
                opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_float(float *out, const char *prog, const char *opt, const char *s,
              double lo, double hi)
{
    double v;
    if (cli_double(&v, prog, opt, s, lo, hi) != 0)
        return -1;
    *out = (float)v;
    return 0;
}

int cli_threads(const char *prog, const char *s)
{
    long t;
    if (cli_long(&t, prog, "--threads", s, 1, 1024) != 0)
        return -1;
    omp_set_num_threads((int)t);
    return 0;
}

void cli_seed(uint8_t seed[VEIL_SEED_BYTES], unsigned long n)
{
    memset(seed, 0, VEIL_SEED_BYTES);
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(n >> (8 * i));
}

void cli_progress_init(cli_progress_t *p)
{
    p->tty = isatty(2);
    p->start = cli_now();
    p->last_draw = 0;
}

void cli_on_progress(void *arg, const nn_progress_t *p)
{
    cli_progress_t *ctx = arg;
    const double t = cli_now();
    if (p->epoch_done) {
        if (ctx->tty)
            fprintf(stderr, "\r\033[K");
        fprintf(stderr, "epoch %2u/%u  loss %.4f  train acc %.2f%%", p->epoch,
                p->epochs, p->loss, 100 * p->accuracy);
        if (p->test_accuracy >= 0)
            fprintf(stderr, "  test acc %.2f%%", 100 * p->test_accuracy);
        fprintf(stderr, "  lr %.2e  %.0f s\n", p->lr, t - ctx->start);
        return;
    }
    if (!ctx->tty || (t - ctx->last_draw < 0.2 && p->batch != p->batches))
        return;
    ctx->last_draw = t;
    {
        const int width = 30;
        const int fill = (int)((double)p->batch / p->batches * width);
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr,
                "\r\033[Kepoch %2u/%u [%s] %5u/%u  loss %.4f  acc %.2f%%  "
                "%.0f s",
                p->epoch, p->epochs, bar, p->batch, p->batches, p->loss,
                100 * p->accuracy, t - ctx->start);
    }
}
