/*
 * lola/wire.c - evaluation keys and messages as bytes (format in
 * include/veil/lola_wire.h).  Every object inside is a bfv_serial object,
 * so parameter checks, coefficient ranges and seed expansion are the bfv
 * serializer's; this file adds the envelope and checks it against the
 * receiver's setup.
 */
#include "veil/bfv_serial.h"
#include "veil/lola_wire.h"
#include <stdlib.h>
#include <string.h>

#define MAGIC_KEYS 0x4b454c56u /* "VLEK" little-endian */
#define MAGIC_MSG 0x534d4c56u  /* "VLMS" */

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void put_header(uint8_t *p, uint32_t magic, size_t ncomp, size_t nct)
{
    put_u32(p, magic);
    put_u16(p + 4, LOLA_WIRE_VERSION);
    put_u16(p + 6, 0);
    put_u32(p + 8, (uint32_t)ncomp);
    put_u32(p + 12, (uint32_t)nct);
}

/* Check the envelope: magic, version, flags, counts. */
static veil_status check_header(const uint8_t *buf, size_t len, uint32_t magic,
                                size_t ncomp, size_t nct)
{
    if (len < LOLA_WIRE_HEADER_BYTES || get_u32(buf) != magic ||
        (buf[4] | buf[5] << 8) != LOLA_WIRE_VERSION || (buf[6] | buf[7]) != 0 ||
        get_u32(buf + 8) != ncomp || get_u32(buf + 12) != nct)
        return VEIL_EFORMAT;
    return VEIL_OK;
}

size_t lola_evalkeys_bytes(const lola_setup_t *su)
{
    size_t total = LOLA_WIRE_HEADER_BYTES;
    if (su == NULL || su->ncomp == 0)
        return 0;
    for (size_t c = 0; c < su->ncomp; c++) {
        /* the sizes depend only on the context and the key count */
        bfv_relin_key_t rk;
        bfv_galois_keys_t gk;
        bfv_public_key_t pk;
        memset(&rk, 0, sizeof(rk));
        memset(&gk, 0, sizeof(gk));
        memset(&pk, 0, sizeof(pk));
        rk.ctx = &su->ctx[c];
        gk.ctx = &su->ctx[c];
        pk.ctx = &su->ctx[c];
        gk.count = su->ngalois;
        total += bfv_relin_key_serial_size(&rk) +
                 bfv_galois_keys_serial_size(&gk) +
                 bfv_public_key_serial_size(&pk);
    }
    return total;
}

size_t lola_msg_max_bytes(const lola_setup_t *su, size_t nct)
{
    size_t total = LOLA_WIRE_HEADER_BYTES;
    if (su == NULL || su->ncomp == 0 || nct == 0)
        return 0;
    for (size_t c = 0; c < su->ncomp; c++) {
        /* the largest form: size 3, not seeded */
        bfv_ciphertext_t ct;
        memset(&ct, 0, sizeof(ct));
        ct.ctx = &su->ctx[c];
        ct.size = 3;
        total += nct * bfv_ciphertext_serial_size(&ct, BFV_SERIAL_FULL);
    }
    return total;
}

veil_status lola_evalkeys_serialize(uint8_t **buf, size_t *len,
                                    const lola_evalkeys_t *ek)
{
    size_t total = LOLA_WIRE_HEADER_BYTES, off, used;
    uint8_t *out;
    veil_status st;

    if (buf == NULL || len == NULL || ek == NULL || ek->ncomp == 0 ||
        ek->ncomp > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    for (size_t c = 0; c < ek->ncomp; c++)
        total += bfv_relin_key_serial_size(&ek->rk[c]) +
                 bfv_galois_keys_serial_size(&ek->gk[c]) +
                 bfv_public_key_serial_size(&ek->pk[c]);
    out = malloc(total);
    if (out == NULL)
        return VEIL_ENOMEM;
    put_header(out, MAGIC_KEYS, ek->ncomp, 0);
    off = LOLA_WIRE_HEADER_BYTES;
    for (size_t c = 0; c < ek->ncomp; c++) {
        st = bfv_relin_key_serialize(out + off, total - off, &used, &ek->rk[c]);
        if (st != VEIL_OK)
            goto fail;
        off += used;
        st = bfv_galois_keys_serialize(out + off, total - off, &used,
                                       &ek->gk[c]);
        if (st != VEIL_OK)
            goto fail;
        off += used;
        st =
            bfv_public_key_serialize(out + off, total - off, &used, &ek->pk[c]);
        if (st != VEIL_OK)
            goto fail;
        off += used;
    }
    *buf = out;
    *len = off;
    return VEIL_OK;
fail:
    free(out);
    return st;
}

veil_status lola_evalkeys_parse(lola_evalkeys_t *ek, const lola_setup_t *su,
                                const uint8_t *buf, size_t len)
{
    size_t off = LOLA_WIRE_HEADER_BYTES, used;
    veil_status st;

    if (ek == NULL || su == NULL || (buf == NULL && len > 0))
        return VEIL_EINVAL;
    st = lola_evalkeys_init(ek, su);
    if (st != VEIL_OK)
        return st;
    st = check_header(buf, len, MAGIC_KEYS, su->ncomp, 0);
    for (size_t c = 0; c < su->ncomp && st == VEIL_OK; c++) {
        st = bfv_relin_key_deserialize(&ek->rk[c], buf + off, len - off, &used);
        if (st != VEIL_OK)
            break;
        off += used;
        st = bfv_galois_keys_deserialize(&ek->gk[c], buf + off, len - off,
                                         &used);
        if (st != VEIL_OK)
            break;
        off += used;
        st =
            bfv_public_key_deserialize(&ek->pk[c], buf + off, len - off, &used);
        if (st != VEIL_OK)
            break;
        off += used;
        /* Exactly the keys the plan uses: no more (a server has no use for
         * them), no fewer (evaluation would fail later). */
        if (ek->gk[c].count != su->ngalois) {
            st = VEIL_EFORMAT;
            break;
        }
        for (size_t g = 0; g < su->ngalois; g++)
            if (ek->gk[c].keys[g].elt != su->galois[g])
                st = VEIL_EFORMAT;
    }
    if (st == VEIL_OK && off != len)
        st = VEIL_EFORMAT;
    if (st != VEIL_OK) {
        lola_evalkeys_clear(ek);
        return st == VEIL_ENOMEM ? st : VEIL_EFORMAT;
    }
    return VEIL_OK;
}

veil_status lola_msg_serialize(uint8_t **buf, size_t *len, const lola_msg_t *m,
                               int full)
{
    unsigned flags = full ? BFV_SERIAL_FULL : 0;
    size_t total = LOLA_WIRE_HEADER_BYTES, off, used, count;
    uint8_t *out;
    veil_status st;

    if (buf == NULL || len == NULL || m == NULL || m->ct == NULL ||
        m->ncomp == 0 || m->nct == 0)
        return VEIL_EINVAL;
    count = m->ncomp * m->nct;
    for (size_t i = 0; i < count; i++)
        total += bfv_ciphertext_serial_size(&m->ct[i], flags);
    out = malloc(total);
    if (out == NULL)
        return VEIL_ENOMEM;
    put_header(out, MAGIC_MSG, m->ncomp, m->nct);
    off = LOLA_WIRE_HEADER_BYTES;
    for (size_t i = 0; i < count; i++) {
        st = bfv_ciphertext_serialize(out + off, total - off, &used, &m->ct[i],
                                      flags);
        if (st != VEIL_OK) {
            free(out);
            return st;
        }
        off += used;
    }
    *buf = out;
    *len = off;
    return VEIL_OK;
}

veil_status lola_msg_parse(lola_msg_t *m, const lola_setup_t *su, size_t nct,
                           const uint8_t *buf, size_t len)
{
    size_t off = LOLA_WIRE_HEADER_BYTES, used;
    veil_status st;

    if (m == NULL || su == NULL || nct == 0 || (buf == NULL && len > 0))
        return VEIL_EINVAL;
    st = lola_msg_init(m, su, nct);
    if (st != VEIL_OK)
        return st;
    st = check_header(buf, len, MAGIC_MSG, su->ncomp, nct);
    for (size_t i = 0; i < su->ncomp * nct && st == VEIL_OK; i++) {
        st = bfv_ciphertext_deserialize(&m->ct[i], buf + off, len - off, &used);
        if (st == VEIL_OK)
            off += used;
    }
    if (st == VEIL_OK && off != len)
        st = VEIL_EFORMAT;
    if (st != VEIL_OK) {
        lola_msg_clear(m);
        return st == VEIL_ENOMEM ? st : VEIL_EFORMAT;
    }
    return VEIL_OK;
}
