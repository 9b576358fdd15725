/*
 * fuzz_bfv_relin_key.c - libFuzzer target for bfv_relin_key_deserialize: any
 * input must give VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-bounds
 * read, and an accepted input must serialize back to the same bytes.  Build,
 * corpus and run: bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"

FZ_TARGET(bfv_relin_key_t, &fz_env()->ctx, bfv_relin_key_init,
          bfv_relin_key_deserialize, bfv_relin_key_serialize,
          bfv_relin_key_clear)
