/* serial_util.c - see serial_util.h. */
#include "serial_util.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void su_init(su_env_t *s, size_t n_q, const char *test)
{
    const unsigned qb[4] = {40, 40, 40, 40};
    const int64_t steps[2] = {1, -3};
    bfv_params_t p;
    cr_assert(n_q <= 4);
    bt_params_small(&p, 1024, qb, n_q, 50, 65537);
    bt_env_init(&s->e, &p, BT_RELIN, test);
    cr_assert_eq(bfv_galois_keys_init(&s->gk, &s->e.ctx), VEIL_OK);
    cr_assert_eq(
        bfv_keygen_galois_steps(&s->gk, &s->e.sk, steps, 2, 1, &s->e.rng),
        VEIL_OK);
}

void su_clear(su_env_t *s)
{
    bfv_galois_keys_clear(&s->gk);
    bt_env_clear(&s->e);
}

void su_blob_free(su_blob_t *b)
{
    free(b->b);
    b->b = NULL;
    b->len = 0;
}

uint64_t su_body_len(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[8 + i] << (8 * i);
    return v;
}

void su_set_body_len(uint8_t *b, uint64_t body)
{
    for (int i = 0; i < 8; i++)
        b[8 + i] = (uint8_t)(body >> (8 * i));
}

void su_reseal(uint8_t *b, size_t len)
{
    /* doc/09-serialization.md: format 1, BLAKE2b-128; format 2, Poly1305
     * under the public key "veil bfv checksum key, format 2" (31 bytes and
     * a zero byte) */
    static const uint8_t key2[32] = "veil bfv checksum key, format 2";
    uint64_t body = su_body_len(b);
    size_t end = BFV_SERIAL_HEADER_BYTES + (size_t)body;
    cr_assert(end + BFV_SERIAL_CHECKSUM_BYTES <= len);
    if ((b[4] | b[5] << 8) == 1)
        crypto_generichash(b + end, BFV_SERIAL_CHECKSUM_BYTES, b, end, NULL, 0);
    else
        crypto_onetimeauth_poly1305(b + end, b, end, key2);
}
