/*
 * serial_crt.c - formats of CRT parameter sets and CRT ciphertexts
 * (doc/09-serialization.md, "CRT objects").  A CRT ciphertext is a
 * container: its header carries the hash of the CRT parameter set, its
 * body k and the k component ciphertexts, each a complete serialized
 * ciphertext bound to its own component context.
 */
#include "serial_internal.h"
#include <string.h>

/* ----------------------------------------------------------- parameters */

/* Body: the base parameter body (its t = t_0), k (u32), t_0..t_{k-1}. */
static size_t crt_params_body(const bfv_crt_params_t *p)
{
    return bfv_params_body_bytes(&p->base) + 4 + 8 * p->k;
}

size_t bfv_crt_params_serial_size(const bfv_crt_params_t *p)
{
    if (p == NULL || p->base.n_q > BFV_MAX_Q || p->base.n_p > BFV_MAX_P ||
        p->k < 1 || p->k > BFV_CRT_MAX)
        return 0;
    return BFV_SERIAL_HEADER_BYTES + crt_params_body(p) +
           BFV_SERIAL_CHECKSUM_BYTES;
}

veil_status bfv_crt_params_serialize(uint8_t *out, size_t cap, size_t *len,
                                     const bfv_crt_params_t *p)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_crt_params_serial_size(p);
    bfv_params_t base;
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 ||
        bfv_crt_params_hash(hash, p) != VEIL_OK)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    bfv_crt_params_component(&base, p, 0);
    bfv_wr_header(&w, BFV_SERIAL_CRT_PARAMS, 0, crt_params_body(p), hash);
    bfv_wr_params_body(&w, &base);
    bfv_wr_u32(&w, (uint32_t)p->k);
    for (size_t i = 0; i < p->k; i++)
        bfv_wr_u64(&w, p->t[i]);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

static veil_status crt_params_deserialize(bfv_crt_params_t *p,
                                          const uint8_t *in, size_t len,
                                          size_t *used, int allow_insecure)
{
    uint8_t want[BFV_PARAMS_HASH_BYTES];
    uint64_t t[BFV_CRT_MAX];
    bfv_crt_params_t tmp;
    bfv_params_t base;
    bfv_rd_t r;
    unsigned flags;
    uint32_t k;
    veil_status st;

    if (p == NULL)
        return VEIL_EINVAL;
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_CRT_PARAMS, 0,
                       NULL);
    if (st != VEIL_OK)
        return st;
    if (!bfv_rd_params_body(&r, &base, allow_insecure))
        return VEIL_EFORMAT;
    k = bfv_rd_u32(&r);
    if (r.bad || k < 1 || k > BFV_CRT_MAX || r.left != 8 * (size_t)k)
        return VEIL_EFORMAT;
    for (size_t i = 0; i < k; i++)
        t[i] = bfv_rd_u64(&r);
    /* canonical: the base's t is t_0; the header hash covers the set */
    if (!bfv_rd_finish(&r) || base.t != t[0] ||
        bfv_crt_params_init(&tmp, &base, t, k, NULL, 0) != VEIL_OK ||
        bfv_crt_params_hash(want, &tmp) != VEIL_OK ||
        memcmp(want, in + 16, BFV_PARAMS_HASH_BYTES) != 0)
        return VEIL_EFORMAT;
    *p = tmp;
    return VEIL_OK;
}

veil_status bfv_crt_params_deserialize(bfv_crt_params_t *p, const uint8_t *in,
                                       size_t len, size_t *used)
{
    return crt_params_deserialize(p, in, len, used, 0);
}

veil_status bfv_crt_params_deserialize_insecure(bfv_crt_params_t *p,
                                                const uint8_t *in, size_t len,
                                                size_t *used)
{
    return crt_params_deserialize(p, in, len, used, 1);
}

/* ----------------------------------------------------------- ciphertext */

size_t bfv_crt_ciphertext_serial_size(const bfv_crt_ciphertext_t *ct,
                                      unsigned flags)
{
    size_t size = BFV_SERIAL_HEADER_BYTES + 4 + BFV_SERIAL_CHECKSUM_BYTES;
    if (ct == NULL || ct->ctx == NULL)
        return 0;
    for (size_t i = 0; i < ct->ctx->k; i++) {
        size_t s = bfv_ciphertext_serial_size(&ct->c[i], flags);
        if (s == 0)
            return 0;
        size += s;
    }
    return size;
}

veil_status bfv_crt_ciphertext_serialize(uint8_t *out, size_t cap, size_t *len,
                                         const bfv_crt_ciphertext_t *ct,
                                         unsigned flags)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_crt_ciphertext_serial_size(ct, flags), done;
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 ||
        bfv_crt_params_hash(hash, &ct->ctx->params) != VEIL_OK)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    bfv_wr_header(&w, BFV_SERIAL_CRT_CIPHERTEXT, 0,
                  size - BFV_SERIAL_HEADER_BYTES - BFV_SERIAL_CHECKSUM_BYTES,
                  hash);
    bfv_wr_u32(&w, (uint32_t)ct->ctx->k);
    for (size_t i = 0; i < ct->ctx->k; i++) {
        veil_status st = bfv_ciphertext_serialize(
            w.p, size - (size_t)(w.p - out), &done, &ct->c[i], flags);
        if (st != VEIL_OK)
            return st;
        w.p += done;
    }
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_crt_ciphertext_deserialize(bfv_crt_ciphertext_t *ct,
                                           const uint8_t *in, size_t len,
                                           size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    bfv_rd_t r;
    unsigned flags;
    veil_status st;

    if (ct == NULL || ct->ctx == NULL ||
        bfv_crt_params_hash(hash, &ct->ctx->params) != VEIL_OK)
        return VEIL_EINVAL;
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_CRT_CIPHERTEXT, 0,
                       hash);
    if (st != VEIL_OK)
        return st;
    if (bfv_rd_u32(&r) != ct->ctx->k || r.bad)
        return VEIL_EFORMAT;
    for (size_t i = 0; i < ct->ctx->k; i++) {
        size_t done;
        /* each component must lie within the body */
        st = bfv_ciphertext_deserialize(&ct->c[i], r.p, r.left, &done);
        if (st != VEIL_OK)
            return st;
        if (bfv_rd_bytes(&r, done) == NULL)
            return VEIL_EFORMAT;
        if (ct->c[i].size != ct->c[0].size)
            return VEIL_EFORMAT;
    }
    return bfv_rd_finish(&r) ? VEIL_OK : VEIL_EFORMAT;
}
