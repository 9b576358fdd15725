/*
 * fuzz_lola_evalkeys.c - libFuzzer target for lola_evalkeys_parse, what a
 * server reads from a client it does not trust: any input must be parsed
 * or refused with VEIL_EFORMAT (VEIL_ENOMEM aside), never crash or read out
 * of bounds, and accepted keys must serialize back to the same bytes.
 * Environment, input modes, build and run: lola_fuzz_env.h.
 */
#include "lola_fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const lz_env_t *e = lz_env();
    lola_evalkeys_t ek;
    uint8_t *buf, *back;
    size_t len, blen;
    veil_status st;

    if (!lz_input(&buf, &len, data, size, e->keys, e->keys_len))
        return 0;
    st = lola_evalkeys_parse(&ek, &e->setup, buf, len);
    if (st == VEIL_OK) {
        if (lola_evalkeys_serialize(&back, &blen, &ek) != VEIL_OK)
            abort();
        lz_same_bytes(buf, len, back, blen);
        free(back);
        lola_evalkeys_clear(&ek);
    } else if (st != VEIL_EFORMAT && st != VEIL_ENOMEM) {
        abort();
    }
    free(buf);
    return 0;
}
