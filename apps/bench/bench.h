/*
 * bench.h - the veil-bench harness: time an operation many times, report the
 * median as a table row or a JSON line (format in doc/DESIGN.md, section 9):
 * {"suite":"ntt","op":"fwd","n":8192,"bits":50,"isa":"avx512","threads":1,
 *  "median_us":7.1,"runs":201}
 */
#ifndef VEIL_BENCH_H
#define VEIL_BENCH_H

#include "veil/veil.h"
#include <stddef.h>

typedef struct {
    int json;        /* --json: JSON lines instead of the table          */
    int runs;        /* --runs N: repetitions per measurement (>= 1)     */
    int threads;     /* --threads T: OpenMP threads for suites that thread */
    int threads_set; /* --threads was given (suites that default to 1 and
                        2 then run T only) */
    const char *isa; /* --isa NAME: only this path (NULL: every path)    */
} bench_opts_t;

/* Seconds since an arbitrary epoch (monotonic clock). */
double bench_now(void);

/* Median of v[0..n) (n >= 1); sorts v in place. */
double bench_median(double *v, int n);

/* CPU seconds of the calling thread / of the whole process (all threads),
 * from an arbitrary epoch. */
double bench_thread_cpu(void);
double bench_process_cpu(void);

/* Run fn(arg) `runs` times after a few warm-up calls; return the median time
 * of one call in microseconds. */
double bench_median_us(void (*fn)(void *), void *arg, int runs);

/* Print one result: a table row, or a JSON line when o->json.  `extra` is
 * NULL or a preformatted JSON fragment such as "\"bytes\":1234" appended to
 * the object and shown in the table's last column. */
void bench_report(const bench_opts_t *o, const char *suite, const char *op,
                  size_t n, unsigned bits, const char *isa, int threads,
                  double median_us, int runs, const char *extra);

/* Print the table header (nothing with --json). */
void bench_header(const bench_opts_t *o, const char *title);

/* Suites: each returns 0 on success, non-zero after printing an error. */
/* veil-bench --compare (compare.c): print new/old per matched row of two
 * --json outputs; 0 on success. */
int bench_compare(const char *old_path, const char *new_path);

int bench_ntt(const bench_opts_t *o);
int bench_bfv(const bench_opts_t *o);
int bench_mpc_ot(const bench_opts_t *o);
int bench_mpc_gc(const bench_opts_t *o);
int bench_lola(const bench_opts_t *o);
int bench_safenet(const bench_opts_t *o);
int bench_safenet_he(const bench_opts_t *o);
int bench_train(const bench_opts_t *o);

#endif
