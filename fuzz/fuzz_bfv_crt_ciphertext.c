/*
 * fuzz_bfv_crt_ciphertext.c - libFuzzer target for
 * bfv_crt_ciphertext_deserialize: any input must give VEIL_OK or
 * VEIL_EFORMAT, never a crash or an out-of-bounds read, and an accepted input
 * must serialize back to the same bytes.  Build, corpus and run:
 * bfv_fuzz_env.h.
 */
#include "bfv_fuzz_env.h"

/* components go back in their own forms */
static veil_status crt_ct_serialize(uint8_t *out, size_t cap, size_t *len,
                                    const bfv_crt_ciphertext_t *ct)
{
    return bfv_crt_ciphertext_serialize(out, cap, len, ct, 0);
}

FZ_TARGET(bfv_crt_ciphertext_t, &fz_env()->crt, bfv_crt_ciphertext_init,
          bfv_crt_ciphertext_deserialize, crt_ct_serialize,
          bfv_crt_ciphertext_clear)
