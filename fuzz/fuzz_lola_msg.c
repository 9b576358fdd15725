/*
 * fuzz_lola_msg.c - libFuzzer target for lola_msg_parse, what each side
 * reads from the other: a query (the server, nct = the input layout's
 * count) or an answer (the client, the output layout's count; mode bit 1 of
 * the first byte picks which).  Any input must be parsed or refused with
 * VEIL_EFORMAT (VEIL_ENOMEM aside), never crash or read out of bounds, and
 * an accepted message must serialize back to the same bytes (each
 * ciphertext in its own form, seeded or not).  Environment, input modes,
 * build and run: lola_fuzz_env.h.
 */
#include "lola_fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const lz_env_t *e = lz_env();
    lola_msg_t m;
    uint8_t *buf, *back;
    size_t len, blen, nct;
    veil_status st;

    if (size < 1)
        return 0;
    nct = data[0] & 2 ? e->setup.out_nct : e->setup.in_nct;
    if (!lz_input(&buf, &len, data, size, e->msg, e->msg_len))
        return 0;
    st = lola_msg_parse(&m, &e->setup, nct, buf, len);
    if (st == VEIL_OK) {
        if (lola_msg_serialize(&back, &blen, &m, 0) != VEIL_OK)
            abort();
        lz_same_bytes(buf, len, back, blen);
        free(back);
        lola_msg_clear(&m);
    } else if (st != VEIL_EFORMAT && st != VEIL_ENOMEM) {
        abort();
    }
    free(buf);
    return 0;
}
