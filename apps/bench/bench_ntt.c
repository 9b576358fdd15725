/* bench_ntt.c - veil-bench suite "ntt" (filled in by the ntt module). */
#include <stdio.h>
#include "bench.h"

int bench_ntt(const bench_opts_t *o)
{
    (void)o;
    fprintf(stderr, "veil-bench: the ntt suite is not built yet\n");
    return 1;
}
