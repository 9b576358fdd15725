/*
 * fuzz_bfv_ciphertext.c - libFuzzer target for bfv_ciphertext_deserialize:
 * any input must give VEIL_OK or VEIL_EFORMAT, never a crash or an out-of-
 * bounds read, and an accepted input must serialize back to the same bytes.
 * Build, corpus and run: bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"

/* a ciphertext goes back in its own form (seeded if it came seeded) */
static veil_status ct_serialize(uint8_t *out, size_t cap, size_t *len,
                                const bfv_ciphertext_t *ct)
{
    return bfv_ciphertext_serialize(out, cap, len, ct, 0);
}

FZ_TARGET(bfv_ciphertext_t, &fz_env()->ctx, bfv_ciphertext_init,
          bfv_ciphertext_deserialize, ct_serialize, bfv_ciphertext_clear)
