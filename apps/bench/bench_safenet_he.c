/*
 * bench_safenet_he.c - veil-bench suite "safenet-he": the offline
 * homomorphic linear layers of SAFENet / Delphi on CNN-7 (safenet/he.h,
 * doc/22-safenet-he.md).  Each run plays client and server in one process
 * through the wire format (safenet_he_bench: encrypt + serialize, server
 * deserialize + evaluate + serialize, client deserialize + decrypt, result
 * checked against a plain evaluation).  Per layer and for the whole
 * network: the median over min(--runs, 5) runs of the offline HE time
 * (client + server), the server's part, and the bytes each way.
 * --threads T sets the OpenMP threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "../../safenet/he.h"
#include "bench.h"

#define MAX_RUNS 5

int bench_safenet_he(const bench_opts_t *o)
{
    enum { NL = SAFENET_HE_CNN7_LAYERS };
    const int runs = o->runs < MAX_RUNS ? o->runs : MAX_RUNS;
    safenet_he_stats_t st[MAX_RUNS][NL];
    double tot[MAX_RUNS], srv[MAX_RUNS], lay[MAX_RUNS], lsrv[MAX_RUNS];
    size_t up = 0, down = 0;
    veil_rng_t rng;
    char extra[256];
#ifdef _OPENMP
    omp_set_num_threads(o->threads);
#endif
    if (veil_rng_init(&rng) != VEIL_OK) {
        fprintf(stderr, "safenet-he: no randomness\n");
        return 1;
    }
    for (int r = 0; r < runs; r++) {
        veil_status s = safenet_he_bench(st[r], safenet_he_cnn7, NL, &rng);
        if (s != VEIL_OK) {
            fprintf(stderr, "safenet-he: %s\n", veil_strerror(s));
            veil_rng_clear(&rng);
            return 1;
        }
        tot[r] = srv[r] = 0;
        for (int l = 0; l < NL; l++) {
            tot[r] += st[r][l].enc_s + st[r][l].eval_s + st[r][l].dec_s;
            srv[r] += st[r][l].eval_s;
        }
    }
    bench_header(o, "safenet-he: CNN-7 offline HE linear layers (n = 8192)");
    for (int l = 0; l < NL; l++) {
        const safenet_he_shape_t *sh = &safenet_he_cnn7[l];
        char op[48];
        for (int r = 0; r < runs; r++) {
            lay[r] = st[r][l].enc_s + st[r][l].eval_s + st[r][l].dec_s;
            lsrv[r] = st[r][l].eval_s;
        }
        if (sh->kind == SAFENET_HE_CONV)
            snprintf(op, sizeof(op), "conv%d-%ux%ux%u-k%u-%u", l + 1, sh->h,
                     sh->w, sh->c_in, sh->k, sh->c_out);
        else
            snprintf(op, sizeof(op), "dense-%u-%u", sh->c_in, sh->c_out);
        snprintf(extra, sizeof(extra),
                 "\"server_us\":%.0f,\"bytes_up\":%zu,\"bytes_down\":%zu,"
                 "\"stat_sec\":%.1f",
                 bench_median(lsrv, runs) * 1e6, st[0][l].bytes_up,
                 st[0][l].bytes_down, st[0][l].stat_sec);
        bench_report(o, "safenet-he", op, 8192, 0, "", o->threads,
                     bench_median(lay, runs) * 1e6, runs, extra);
        up += st[0][l].bytes_up;
        down += st[0][l].bytes_down;
    }
    snprintf(extra, sizeof(extra),
             "\"server_us\":%.0f,\"bytes_up\":%zu,\"bytes_down\":%zu",
             bench_median(srv, runs) * 1e6, up, down);
    bench_report(o, "safenet-he", "cnn7", 8192, 0, "", o->threads,
                 bench_median(tot, runs) * 1e6, runs, extra);
    veil_rng_clear(&rng);
    return 0;
}
