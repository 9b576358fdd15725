/*
 * fuzz_bfv_plaintext.c - libFuzzer target for bfv_plaintext_deserialize: any
 * input must give VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-bounds
 * read, and an accepted input must serialize back to the same bytes.  Build,
 * corpus and run: bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"

FZ_TARGET(bfv_plaintext_t, &fz_env()->ctx, bfv_plaintext_init,
          bfv_plaintext_deserialize, bfv_plaintext_serialize,
          bfv_plaintext_clear)
