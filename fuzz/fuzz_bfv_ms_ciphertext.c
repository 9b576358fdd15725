/*
 * fuzz_bfv_ms_ciphertext.c - libFuzzer target for
 * bfv_ms_ciphertext_deserialize (a modulus-switched ciphertext, bfv.h):
 * any input must give VEIL_OK or VEIL_EFORMAT, never a crash or an
 * out-of-bounds read, and an accepted input must serialize back to the
 * same bytes.  Both forms: RNS rows and the power-of-two form
 * (bfv_ms_compress, flag BFV_SERIAL_FLAG_POW2).  Build and run:
 * bfv_fuzz_env.h; fuzz/fuzz_bfv_corpus writes corpus/ms_ciphertext/seed-0
 * (one limb) and seed-1 (power-of-two form).
 */
#include "bfv_fuzz_env.h"

FZ_TARGET(bfv_ms_ciphertext_t, &fz_env()->ctx, bfv_ms_ciphertext_init,
          bfv_ms_ciphertext_deserialize, bfv_ms_ciphertext_serialize,
          bfv_ms_ciphertext_clear)
