/*
 * fuzz_bfv_crt_params.c - libFuzzer target for bfv_crt_params_deserialize:
 * any input must give VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-
 * bounds read, and an accepted input must serialize back to the same bytes.
 * Build, corpus and run: bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"
#include <string.h>

/* parameter sets are plain data: nothing to allocate */
static veil_status crt_params_init(bfv_crt_params_t *p, const void *ctx)
{
    (void)ctx;
    memset(p, 0, sizeof(*p));
    return VEIL_OK;
}

static void crt_params_clear(bfv_crt_params_t *p)
{
    (void)p;
}

FZ_TARGET(bfv_crt_params_t, NULL, crt_params_init, bfv_crt_params_deserialize,
          bfv_crt_params_serialize, crt_params_clear)
