/*
 * veil-bench - benchmarks for every veil module.
 *
 *   veil-bench [--json] [--runs N] [--threads T] [--isa NAME] SUITE...
 *   veil-bench --compare OLD.json NEW.json   (apps/bench/compare.c)
 *
 * Each measurement is the median of --runs repetitions (default 201).
 */
#include "../common/cli.h"
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *name;
    int (*run)(const bench_opts_t *);
    const char *what;
} suite_t;

static const suite_t suites[] = {
    {"ntt", bench_ntt, "NTT forward/inverse/lazy, pointwise mul, every ISA"},
    {"bfv", bench_bfv, "every BFV operation at n = 8192 and 16384"},
    {"mpc", bench_mpc_ot, "OT extension (IKNP), Beaver multiplication, poly3"},
    {"mpc", bench_mpc_gc, "garbled circuits: AND gates/s, ReLU offline/online"},
    {"lola", bench_lola, "LoLa MNIST inference (4 variants), planner op costs"},
    {"safenet", bench_safenet,
     "SAFENet CNN-7 end to end: relu, delphi, safenet80"},
    {"safenet-he", bench_safenet_he, "SAFENet offline HE linear layers, CNN-7"},
    {"train", bench_train,
     "CNN-7 training: forward + backward + Adam, batch 64"},
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: veil-bench [--json] [--runs N] [--threads T] "
               "[--isa scalar|avx2|avx512] SUITE...\n"
               "       veil-bench --compare OLD.json NEW.json\n"
               "           (per-row new/old ratios of two --json runs)\n"
               "\nsuites:\n");
    for (size_t i = 0; i < N_SUITES; i++)
        fprintf(f, "  %-6s %s\n", suites[i].name, suites[i].what);
    fprintf(f, "  all    every suite\n");
}

static int parse_int(const char *s, int *out, int lo, int hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts_t o = {0, 201, 1, 0, NULL};
    const char *want[16];
    int n_want = 0, rc = 0;
    veil_status st;

    cli_blas_tune(argv); /* OpenBLAS kernels for the train suite */
    cli_omp_passive(argv);
    st = veil_init();
    if (st != VEIL_OK)
        fprintf(stderr, "veil-bench: warning: %s (VEIL_ISA=%s)\n",
                veil_strerror(st),
                getenv("VEIL_ISA") ? getenv("VEIL_ISA") : "");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(a, "--runs") == 0 && i + 1 < argc) {
            if (parse_int(argv[++i], &o.runs, 1, 1000000)) {
                fprintf(stderr, "veil-bench: --runs wants a number >= 1\n");
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            if (parse_int(argv[++i], &o.threads, 1, 1024)) {
                fprintf(stderr, "veil-bench: --threads wants a number >= 1\n");
                return 2;
            }
            o.threads_set = 1;
        } else if (strcmp(a, "--isa") == 0 && i + 1 < argc) {
            veil_isa_t isa;
            o.isa = argv[++i];
            if (veil_isa_parse(&isa, o.isa) != VEIL_OK) {
                fprintf(stderr, "veil-bench: unknown ISA '%s'\n", o.isa);
                return 2;
            }
        } else if (strcmp(a, "--compare") == 0) {
            if (i + 2 >= argc) {
                fprintf(stderr, "veil-bench: --compare wants OLD.json "
                                "NEW.json\n");
                return 2;
            }
            return bench_compare(argv[i + 1], argv[i + 2]) ? 1 : 0;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "veil-bench: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (n_want < 16) {
            want[n_want++] = a;
        }
    }
    if (n_want == 0) {
        usage(stderr);
        return 2;
    }
    for (int w = 0; w < n_want; w++) {
        int found = 0;
        for (size_t i = 0; i < N_SUITES; i++) {
            if (strcmp(want[w], "all") == 0 ||
                strcmp(want[w], suites[i].name) == 0) {
                found = 1;
                rc |= suites[i].run(&o);
            }
        }
        if (!found) {
            fprintf(stderr, "veil-bench: unknown suite '%s'\n", want[w]);
            usage(stderr);
            return 2;
        }
    }
    return rc ? 1 : 0;
}
