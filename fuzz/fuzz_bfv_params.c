/*
 * fuzz_bfv_params.c - libFuzzer target for bfv_params_deserialize: any input
 * must give VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-bounds read,
 * and an accepted input must serialize back to the same bytes.  Build, corpus
 * and run: bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"
#include <string.h>

/* parameter sets are plain data: nothing to allocate */
static veil_status params_init(bfv_params_t *p, const void *ctx)
{
    (void)ctx;
    memset(p, 0, sizeof(*p));
    return VEIL_OK;
}

static void params_clear(bfv_params_t *p)
{
    (void)p;
}

FZ_TARGET(bfv_params_t, NULL, params_init, bfv_params_deserialize,
          bfv_params_serialize, params_clear)
