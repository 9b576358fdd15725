/*
 * fuzz_bfv_galois_keys.c - libFuzzer target for bfv_galois_keys_deserialize:
 * any input must give VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-
 * bounds read, and an accepted input must serialize back to the same bytes.
 * Build, corpus and run: bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"

FZ_TARGET(bfv_galois_keys_t, &fz_env()->ctx, bfv_galois_keys_init,
          bfv_galois_keys_deserialize, bfv_galois_keys_serialize,
          bfv_galois_keys_clear)
