/*
 * lola/wire.c - evaluation keys and messages as bytes (format in
 * include/veil/lola_wire.h).  Every object inside is a bfv_serial object,
 * so parameter checks, coefficient ranges and seed expansion are the bfv
 * serializer's; this file adds the envelope and checks it against the
 * receiver's setup.
 */
#include "internal.h"
#include "veil/bfv_serial.h"
#include "veil/lola_wire.h"
#include <math.h>
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

static void put_header(uint8_t *p, uint32_t magic, unsigned version,
                       unsigned flags, size_t ncomp, size_t nct)
{
    put_u32(p, magic);
    put_u16(p + 4, (uint16_t)version);
    put_u16(p + 6, (uint16_t)flags);
    put_u32(p + 8, (uint32_t)ncomp);
    put_u32(p + 12, (uint32_t)nct);
}

/* Check the envelope: magic, version, flags, counts. */
static veil_status check_header(const uint8_t *buf, size_t len, uint32_t magic,
                                unsigned version, unsigned flags, size_t ncomp,
                                size_t nct)
{
    if (len < LOLA_WIRE_HEADER_BYTES || get_u32(buf) != magic ||
        (unsigned)(buf[4] | buf[5] << 8) != version ||
        (unsigned)(buf[6] | buf[7] << 8) != flags ||
        get_u32(buf + 8) != ncomp || get_u32(buf + 12) != nct)
        return VEIL_EFORMAT;
    return VEIL_OK;
}

/* 1 if the components of su may share one key set: the keys depend on n,
 * Q and P only (lola_evalkeys_share), and those must be equal. */
static int setup_shareable(const lola_setup_t *su)
{
    const bfv_params_t *a = &su->ctx[0].params;
    for (size_t c = 1; c < su->ncomp; c++) {
        const bfv_params_t *b = &su->ctx[c].params;
        if (a->n != b->n || a->n_q != b->n_q || a->n_p != b->n_p ||
            memcmp(a->q, b->q, a->n_q * sizeof(uint64_t)) != 0 ||
            memcmp(a->p, b->p, a->n_p * sizeof(uint64_t)) != 0)
            return 0;
    }
    return 1;
}

size_t lola_evalkeys_bytes(const lola_setup_t *su)
{
    /* the sizes depend only on the context and the key count */
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_public_key_t pk;
    if (su == NULL || su->ncomp == 0 || su->ncomp > LOLA_MAX_PRIMES ||
        !setup_shareable(su))
        return 0;
    memset(&rk, 0, sizeof(rk));
    memset(&gk, 0, sizeof(gk));
    memset(&pk, 0, sizeof(pk));
    rk.ctx = &su->ctx[0];
    gk.ctx = &su->ctx[0];
    pk.ctx = &su->ctx[0];
    gk.count = su->ngalois;
    return LOLA_WIRE_HEADER_BYTES + bfv_relin_key_serial_size(&rk) +
           bfv_galois_keys_serial_size(&gk) + bfv_public_key_serial_size(&pk) +
           (su->ringsw ? lola_ringsw_key_bytes(&su->ctx[0].params) : 0);
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

    /* one key set for every component: only keys that are one set
     * (lola_evalkeys_share, or a single component) can travel */
    if (buf == NULL || len == NULL || ek == NULL || ek->ncomp == 0 ||
        ek->ncomp > LOLA_MAX_PRIMES || (ek->ncomp > 1 && !ek->shared))
        return VEIL_EINVAL;
    total += bfv_relin_key_serial_size(&ek->rk[0]) +
             bfv_galois_keys_serial_size(&ek->gk[0]) +
             bfv_public_key_serial_size(&ek->pk[0]);
    if (ek->rsw.data != NULL) /* answers ring-switched (lola/answer.c) */
        total += bfv_ringsw_key_serial_size(&ek->rsw);
    out = malloc(total);
    if (out == NULL)
        return VEIL_ENOMEM;
    put_header(out, MAGIC_KEYS, LOLA_WIRE_KEYS_VERSION, LOLA_WIRE_KEYS_SHARED,
               ek->ncomp, 0);
    off = LOLA_WIRE_HEADER_BYTES;
    st = bfv_relin_key_serialize(out + off, total - off, &used, &ek->rk[0]);
    if (st == VEIL_OK) {
        off += used;
        st = bfv_galois_keys_serialize(out + off, total - off, &used,
                                       &ek->gk[0]);
    }
    if (st == VEIL_OK) {
        off += used;
        st =
            bfv_public_key_serialize(out + off, total - off, &used, &ek->pk[0]);
    }
    if (st == VEIL_OK && ek->rsw.data != NULL) {
        off += used;
        st = bfv_ringsw_key_serialize(out + off, total - off, &used, &ek->rsw);
    }
    if (st != VEIL_OK) {
        free(out);
        return st;
    }
    *buf = out;
    *len = off + used;
    return VEIL_OK;
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
    /* The one key set is parsed in component 0's context (its parameter
     * hash binds it to n, Q, P and t_0) and then shared: the receiver's own
     * setup says the components may share it, never the bytes. */
    st = setup_shareable(su) ? VEIL_OK : VEIL_EFORMAT;
    if (st == VEIL_OK)
        st = check_header(buf, len, MAGIC_KEYS, LOLA_WIRE_KEYS_VERSION,
                          LOLA_WIRE_KEYS_SHARED, su->ncomp, 0);
    if (st == VEIL_OK)
        st = bfv_relin_key_deserialize(&ek->rk[0], buf + off, len - off, &used);
    if (st == VEIL_OK) {
        off += used;
        st = bfv_galois_keys_deserialize(&ek->gk[0], buf + off, len - off,
                                         &used);
    }
    if (st == VEIL_OK) {
        off += used;
        st =
            bfv_public_key_deserialize(&ek->pk[0], buf + off, len - off, &used);
    }
    /* the ring-switching key exactly when this setup ring-switches its
     * answers (lola_evalkeys_init made ek->rsw for its own contexts) */
    if (st == VEIL_OK && su->ringsw) {
        off += used;
        st = bfv_ringsw_key_deserialize(&ek->rsw, buf + off, len - off, &used);
    }
    if (st == VEIL_OK) {
        off += used;
        /* Exactly the keys the plan uses: no more (a server has no use for
         * them), no fewer (evaluation would fail later). */
        if (ek->gk[0].count != su->ngalois)
            st = VEIL_EFORMAT;
        for (size_t g = 0; g < su->ngalois && st == VEIL_OK; g++)
            if (ek->gk[0].keys[g].elt != su->galois[g])
                st = VEIL_EFORMAT;
    }
    if (st == VEIL_OK && off != len)
        st = VEIL_EFORMAT;
    if (st == VEIL_OK && su->ncomp > 1)
        st = lola_evalkeys_share(ek, su);
    if (st != VEIL_OK) {
        lola_evalkeys_clear(ek);
        return st == VEIL_ENOMEM ? st : VEIL_EFORMAT;
    }
    return VEIL_OK;
}

size_t lola_msg_bytes(const lola_msg_t *m, int full)
{
    unsigned flags = full ? BFV_SERIAL_FULL : 0;
    size_t total = LOLA_WIRE_HEADER_BYTES;

    if (m == NULL || m->ct == NULL || m->ncomp == 0 || m->nct == 0)
        return 0;
    for (size_t i = 0; i < m->ncomp * m->nct; i++) {
        size_t s = bfv_ciphertext_serial_size(&m->ct[i], flags);
        if (s == 0)
            return 0;
        total += s;
    }
    return total;
}

veil_status lola_msg_write(uint8_t *out, size_t cap, size_t *len,
                           const lola_msg_t *m, int full)
{
    unsigned flags = full ? BFV_SERIAL_FULL : 0;
    size_t total = lola_msg_bytes(m, full), off, used;
    veil_status st;

    if (out == NULL || len == NULL || total == 0)
        return VEIL_EINVAL;
    if (cap < total)
        return VEIL_ERANGE;
    put_header(out, MAGIC_MSG, LOLA_WIRE_VERSION, 0, m->ncomp, m->nct);
    off = LOLA_WIRE_HEADER_BYTES;
    for (size_t i = 0; i < m->ncomp * m->nct; i++) {
        st = bfv_ciphertext_serialize(out + off, total - off, &used, &m->ct[i],
                                      flags);
        if (st != VEIL_OK)
            return st;
        off += used;
    }
    *len = off;
    return VEIL_OK;
}

veil_status lola_msg_serialize(uint8_t **buf, size_t *len, const lola_msg_t *m,
                               int full)
{
    size_t total = lola_msg_bytes(m, full);
    uint8_t *out;
    veil_status st;

    if (buf == NULL || len == NULL || total == 0)
        return VEIL_EINVAL;
    out = malloc(total);
    if (out == NULL)
        return VEIL_ENOMEM;
    st = lola_msg_write(out, total, len, m, full);
    if (st != VEIL_OK) {
        free(out);
        return st;
    }
    *buf = out;
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
    st =
        check_header(buf, len, MAGIC_MSG, LOLA_WIRE_VERSION, 0, su->ncomp, nct);
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

/* The switch lola_server_answer makes (lola/answer.c, answer_moduli). */
static void answer_shape(size_t *limbs, unsigned bits[2],
                         const bfv_context_t *ctx, int after)
{
    bits[0] = bits[1] = 0;
    if (bfv_mod_switch_limbs(limbs, ctx, 2, after, 1) != VEIL_OK) {
        *limbs = ctx->n_q;
        return;
    }
    if (*limbs == 1 &&
        bfv_ms_compress_bits(&bits[0], &bits[1], ctx, after, 1) != VEIL_OK)
        bits[0] = bits[1] = 0;
}

/* The exponents of a ring-switched answer of component c (step 4 of
 * lola_server_answer): 1 and rbits set when it applies.  The subring
 * context is su->sub[c], or built here when su has none (the planner's
 * setups).  VEIL_ENOMEM. */
static veil_status ringsw_shape(int *ok, unsigned rbits[2],
                                const lola_setup_t *su, size_t c, int after)
{
    bfv_params_t sp;
    bfv_context_t tmp;
    const bfv_context_t *sub = su->sub != NULL ? &su->sub[c] : NULL;
    veil_status st = VEIL_OK;
    *ok = 0;
    if (sub == NULL) {
        if (bfv_ringsw_params(&sp, &su->ctx[c].params) != VEIL_OK)
            return VEIL_OK;
        st = bfv_context_init(&tmp, &sp);
        if (st != VEIL_OK)
            return st == VEIL_ENOMEM ? st : VEIL_OK;
        sub = &tmp;
    }
    *ok = bfv_ringsw_compress_bits(&rbits[0], &rbits[1], sub, after, 1) ==
          VEIL_OK;
    if (sub == &tmp)
        bfv_context_clear(&tmp);
    return st;
}

veil_status lola_bytes_predict(lola_bytes_t *b, const lola_setup_t *su,
                               double budget)
{
    const int bud = budget < 0 ? 0 : budget > 4096 ? 4096 : (int)floor(budget);
    int flooded = 1, rsw = su != NULL && su->ringsw;
    size_t rsw_bytes = LOLA_WIRE_HEADER_BYTES;
    veil_status st = VEIL_OK;

    if (b == NULL || su == NULL || su->ncomp == 0 ||
        su->ncomp > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    memset(b, 0, sizeof(*b));
    b->keys = lola_evalkeys_bytes(su);
    b->query = LOLA_WIRE_HEADER_BYTES;
    for (size_t c = 0; c < su->ncomp; c++) {
        /* the client's fresh symmetric encryptions: sent seeded */
        bfv_ciphertext_t ct;
        memset(&ct, 0, sizeof(ct));
        ct.ctx = &su->ctx[c];
        ct.size = 2;
        ct.seeded = 1;
        b->query += su->in_nct * bfv_ciphertext_serial_size(&ct, 0);
    }
    /* the answer: flooded, switched and compressed if the budget allows
     * the flood in every component; ring-switched (n/2 coefficients in
     * the power-of-two form: bfv_serial.h) if every component can be */
    b->answer = LOLA_WIRE_HEADER_BYTES;
    for (size_t c = 0; c < su->ncomp && st == VEIL_OK && flooded; c++) {
        const bfv_context_t *ctx = &su->ctx[c];
        bfv_ms_ciphertext_t ms;
        unsigned flood, bits[2], rbits[2];
        int after = bud - 1, ok = 0;
        size_t limbs;
        if (bfv_flood_bits(&flood, &after, ctx, bud, LOLA_FLOOD_BITS) !=
            VEIL_OK) {
            flooded = 0;
            break;
        }
        answer_shape(&limbs, bits, ctx, after);
        if (rsw && limbs == 1)
            st = ringsw_shape(&ok, rbits, su, c, after);
        if (st != VEIL_OK)
            break;
        if (!ok)
            rsw = 0;
        else
            rsw_bytes += su->out_nct * (BFV_SERIAL_HEADER_BYTES + 16 +
                                        ctx->n / 2 / 8 * (rbits[0] + rbits[1]) +
                                        BFV_SERIAL_CHECKSUM_BYTES);
        st = bfv_ms_ciphertext_init(&ms, ctx);
        if (st != VEIL_OK)
            break;
        ms.size = 2;
        ms.limbs = limbs;
        ms.bits[0] = bits[0];
        ms.bits[1] = bits[1];
        b->answer += su->out_nct * bfv_ms_ciphertext_serial_size(&ms);
        bfv_ms_ciphertext_clear(&ms);
    }
    if (st == VEIL_OK && flooded && rsw)
        b->answer = rsw_bytes;
    if (st == VEIL_OK && !flooded) {
        /* no room for the flood: the unswitched messages (--raw-answer) */
        b->answer = LOLA_WIRE_HEADER_BYTES;
        for (size_t c = 0; c < su->ncomp; c++) {
            bfv_ciphertext_t ct;
            memset(&ct, 0, sizeof(ct));
            ct.ctx = &su->ctx[c];
            ct.size = 2;
            b->answer += su->out_nct * bfv_ciphertext_serial_size(&ct, 0);
        }
    }
    return st;
}
