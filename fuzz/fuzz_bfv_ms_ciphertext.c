/*
 * fuzz_bfv_ms_ciphertext.c - libFuzzer target for
 * bfv_ms_ciphertext_deserialize (a modulus-switched ciphertext, bfv.h):
 * any input must give VEIL_OK or VEIL_EFORMAT, never a crash or an
 * out-of-bounds read, and an accepted input must serialize back to the
 * same bytes.  Build and run: bfv_fuzz_env.h (no seed corpus: start from
 * an empty directory or from blobs of bfv_ms_ciphertext_serialize).
 */
#include "bfv_fuzz_env.h"

FZ_TARGET(bfv_ms_ciphertext_t, &fz_env()->ctx, bfv_ms_ciphertext_init,
          bfv_ms_ciphertext_deserialize, bfv_ms_ciphertext_serialize,
          bfv_ms_ciphertext_clear)
