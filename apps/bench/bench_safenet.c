/* placeholder, filled below */
#include "bench.h"
int bench_safenet(const bench_opts_t *o)
{
    (void)o;
    return 0;
}
