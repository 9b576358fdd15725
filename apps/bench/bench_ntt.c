/*
 * bench_ntt.c - veil-bench suite "ntt": forward, inverse and lazy forward
 * NTT and the pointwise product, for n = 4096 .. 32768 on every ISA path
 * this machine runs (or only --isa), one thread, median of --runs runs.
 *
 * Primes: the largest NTT prime below 2^50 (the biggest every path takes)
 * for every n, plus the ~44-bit case at n = 8192 and the ~49-bit case at
 * n = 16384 against which the performance targets are stated.
 */
#include "bench.h"
#include "veil/ntt.h"
#include <stdio.h>
#include <string.h>

typedef struct {
    const ntt_plan_t *plan;
    uint64_t *a, *b;
} ntt_arg_t;

static void run_fwd(void *p)
{
    ntt_arg_t *x = p;
    ntt_forward(x->plan, x->a);
}

static void run_inv(void *p)
{
    ntt_arg_t *x = p;
    ntt_inverse(x->plan, x->a);
}

static void run_fwd_lazy(void *p)
{
    ntt_arg_t *x = p;
    ntt_forward_lazy(x->plan, x->a);
}

static void run_mul(void *p)
{
    ntt_arg_t *x = p;
    ntt_vec_mul(x->plan, x->a, x->a, x->b);
}

static const struct {
    const char *name;
    void (*fn)(void *);
} ops[] = {
    {"fwd", run_fwd},
    {"inv", run_inv},
    {"fwd_lazy", run_fwd_lazy},
    {"mul", run_mul},
};

/* Measure every op for one (isa, n, bits); 0 or 1 after printing an error. */
static int bench_one(const bench_opts_t *o, veil_isa_t isa, size_t n,
                     unsigned bits, veil_rng_t *rng)
{
    ntt_plan_t plan;
    ntt_arg_t arg;
    uint64_t q;
    veil_status st;
    char extra[64];

    if ((st = ntt_primes_generate(&q, 1, bits, n, NULL, 0)) != VEIL_OK ||
        (st = ntt_plan_init_isa(&plan, n, q, isa)) != VEIL_OK) {
        fprintf(stderr, "veil-bench ntt: n=%zu bits=%u isa=%s: %s\n", n, bits,
                veil_isa_name(isa), veil_strerror(st));
        return 1;
    }
    arg.plan = &plan;
    arg.a = veil_alloc(n * sizeof(uint64_t));
    arg.b = veil_alloc(n * sizeof(uint64_t));
    if (arg.a == NULL || arg.b == NULL) {
        fprintf(stderr, "veil-bench ntt: out of memory\n");
        veil_free(arg.a);
        veil_free(arg.b);
        ntt_plan_clear(&plan);
        return 1;
    }
    snprintf(extra, sizeof(extra), "\"q\":%llu", (unsigned long long)q);
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        /* fresh inputs in [0, q): every op keeps its input range valid
         * for the next repetition (fwd_lazy maps [0, 4q) to [0, 4q)) */
        veil_rng_uniform_mod(rng, arg.a, n, q);
        veil_rng_uniform_mod(rng, arg.b, n, q);
        double us = bench_median_us(ops[i].fn, &arg, o->runs);
        bench_report(o, "ntt", ops[i].name, n, bits, veil_isa_name(isa), 1, us,
                     o->runs, extra);
    }
    veil_free(arg.a);
    veil_free(arg.b);
    ntt_plan_clear(&plan);
    return 0;
}

int bench_ntt(const bench_opts_t *o)
{
    static const struct {
        size_t n;
        unsigned bits;
    } cases[] = {
        {4096, 50},  {8192, 44},  {8192, 50},
        {16384, 49}, {16384, 50}, {32768, 50},
    };
    veil_rng_t rng;
    veil_isa_t only = VEIL_ISA_SCALAR;
    int rc = 0;

    if (o->isa != NULL && veil_isa_parse(&only, o->isa) != VEIL_OK) {
        fprintf(stderr, "veil-bench ntt: unknown ISA '%s'\n", o->isa);
        return 1;
    }
    if (o->isa != NULL && !veil_isa_supported(only)) {
        fprintf(stderr, "veil-bench ntt: ISA '%s' not available here\n",
                o->isa);
        return 1;
    }
    if (veil_rng_init(&rng) != VEIL_OK) {
        fprintf(stderr, "veil-bench ntt: no randomness from the OS\n");
        return 1;
    }
    bench_header(o, "ntt: negacyclic NTT and pointwise product, 1 thread "
                    "(extra: the prime q)");
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
        if (o->isa != NULL ? (veil_isa_t)isa != only
                           : !veil_isa_supported((veil_isa_t)isa))
            continue;
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
            rc |=
                bench_one(o, (veil_isa_t)isa, cases[c].n, cases[c].bits, &rng);
    }
    veil_rng_clear(&rng);
    return rc;
}
