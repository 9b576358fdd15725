/*
 * cli.h - helpers shared by the programs in apps/: checked numeric
 * options, the seed and thread options, the OpenBLAS and OpenMP runtime
 * settings, a clock, and the training progress bar.
 */
#ifndef VEIL_APPS_CLI_H
#define VEIL_APPS_CLI_H

#include "veil/nn.h"
#include <stdint.h>

/* OpenBLAS 0.3.21 picks its AVX2 ("Haswell") kernels on AMD processors
 * that have AVX-512 (it predates Zen 4), and reads OPENBLAS_CORETYPE only
 * when it loads.  If the processor has AVX-512 F, CD, BW, DQ and VL,
 * OpenBLAS chose Haswell or Zen, and the user did not set the variable,
 * this sets OPENBLAS_CORETYPE=SkylakeX and re-executes the program once
 * (argv unchanged); otherwise, or if that fails, it returns and the
 * program goes on as it is.  Call it first thing in main. */
void cli_blas_tune(char **argv);

/* OpenMP threads that wait passively (OMP_WAIT_POLICY=passive) unless the
 * user chose a policy: libgomp's default spins at every barrier, which on a
 * machine where another process holds a core makes 2 threads several times
 * slower than 1 (doc/benchmarks.md, "Threads").  The runtime reads the
 * variable when it loads, so this sets it and re-executes the program once
 * (argv unchanged); if that fails it returns and the program goes on with
 * the runtime's default.  Call it before the first OpenMP region. */
void cli_omp_passive(char **argv);

/* Keep freed memory for reuse: the allocator serves blocks below 32 MiB
 * from its heaps (not fresh mmap(2) pages) and does not give freed memory
 * back to the system below 1 GiB.  The programs allocate and free
 * ciphertext-sized blocks (0.1-3 MB) by the thousand; with glibc's
 * defaults every one was a fresh mapping whose pages faulted in again:
 * `apps/mnist_lola --count 20` spent 5.2 s of 17.7 in the kernel (850,627
 * page faults) and the server's setup took 10.6 s instead of 4.4 s.  One
 * arena for all threads, so that a server's memory is its peak, not one
 * peak per thread that ever ran a session.  Call it first thing in main. */
void cli_malloc_keep(void);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* *out = the number s spells, if all of s is a number in [lo, hi];
 * otherwise print "prog: opt wants ..." to stderr and return -1 (*out
 * unchanged).  0 on success. */
int cli_long(long *out, const char *prog, const char *opt, const char *s,
             long lo, long hi);
int cli_u32(uint32_t *out, const char *prog, const char *opt, const char *s,
            uint32_t lo, uint32_t hi);
int cli_double(double *out, const char *prog, const char *opt, const char *s,
               double lo, double hi);
int cli_float(float *out, const char *prog, const char *opt, const char *s,
              double lo, double hi);

/* --threads T: OpenMP (and so training) threads, 1..1024. */
int cli_threads(const char *prog, const char *s);

/* --seed N: the seed bytes from N (little-endian in the first 8). */
void cli_seed(uint8_t seed[VEIL_SEED_BYTES], unsigned long n);

/* Training progress on stderr: a bar redrawn at most every 0.2 s when
 * stderr is a terminal, and one line per epoch in any case. */
typedef struct {
    int tty;
    double start, last_draw;
} cli_progress_t;

void cli_progress_init(cli_progress_t *p);

/* An nn_progress_fn; arg is a cli_progress_t. */
void cli_on_progress(void *arg, const nn_progress_t *p);

#endif /* VEIL_APPS_CLI_H */
