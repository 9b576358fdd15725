/*
 * serial_ct.c - formats of plaintexts and ciphertexts
 * (doc/09-serialization.md, "Plaintexts and ciphertexts").  A fresh
 * symmetric ciphertext (ct->seeded) travels as c_0 and the seed of c_1.
 */
#include "bfv_internal.h"
#include "serial_internal.h"
#include <string.h>

/* ------------------------------------------------------------ plaintext */

size_t bfv_plaintext_serial_size(const bfv_plaintext_t *pt)
{
    if (pt == NULL || pt->ctx == NULL)
        return 0;
    return BFV_SERIAL_HEADER_BYTES +
           bfv_rows_bytes(1, pt->ctx->n, &pt->ctx->params.t) +
           BFV_SERIAL_CHECKSUM_BYTES;
}

veil_status bfv_plaintext_serialize(uint8_t *out, size_t cap, size_t *len,
                                    const bfv_plaintext_t *pt)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_plaintext_serial_size(pt);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 || pt->coeffs == NULL)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    bfv_ctx_hash(hash, pt->ctx);
    bfv_wr_header(&w, BFV_SERIAL_PLAINTEXT, 0,
                  bfv_rows_bytes(1, pt->ctx->n, &pt->ctx->params.t), hash);
    bfv_wr_rows(&w, pt->coeffs, 1, pt->ctx->n, &pt->ctx->params.t);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_plaintext_deserialize(bfv_plaintext_t *pt, const uint8_t *in,
                                      size_t len, size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    bfv_rd_t r;
    unsigned flags;
    veil_status st;

    if (pt == NULL || pt->ctx == NULL || pt->coeffs == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = pt->ctx;
    bfv_ctx_hash(hash, ctx);
    st =
        bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_PLAINTEXT, 0, hash);
    if (st != VEIL_OK)
        return st;
    if (r.left != bfv_rows_bytes(1, ctx->n, &ctx->params.t) ||
        !bfv_rd_rows(&r, pt->coeffs, 1, ctx->n, &ctx->params.t) ||
        !bfv_rd_finish(&r))
        return VEIL_EFORMAT;
    return VEIL_OK;
}

/* ----------------------------------------------------------- ciphertext */

/* Body: size (u32), then size x L rows, or (seeded) c_0 and the seed. */
static size_t ct_body(const bfv_context_t *ctx, size_t size, int seeded)
{
    size_t poly = bfv_rows_bytes(ctx->n_q, ctx->n, ctx->params.q);
    return 4 + (seeded ? poly + VEIL_SEED_BYTES : size * poly);
}

static int send_seeded(const bfv_ciphertext_t *ct, unsigned flags)
{
    return ct->seeded && ct->size == 2 && !(flags & BFV_SERIAL_FULL);
}

size_t bfv_ciphertext_serial_size(const bfv_ciphertext_t *ct, unsigned flags)
{
    if (ct == NULL || ct->ctx == NULL || ct->size < 2 || ct->size > 3 ||
        (flags & ~BFV_SERIAL_FULL) != 0)
        return 0;
    return BFV_SERIAL_HEADER_BYTES +
           ct_body(ct->ctx, ct->size, send_seeded(ct, flags)) +
           BFV_SERIAL_CHECKSUM_BYTES;
}

veil_status bfv_ciphertext_serialize(uint8_t *out, size_t cap, size_t *len,
                                     const bfv_ciphertext_t *ct, unsigned flags)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_ciphertext_serial_size(ct, flags);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    const bfv_context_t *ctx = ct->ctx;
    const int seeded = send_seeded(ct, flags);
    bfv_ctx_hash(hash, ctx);
    bfv_wr_header(&w, BFV_SERIAL_CIPHERTEXT,
                  seeded ? BFV_SERIAL_FLAG_SEEDED : 0,
                  ct_body(ctx, ct->size, seeded), hash);
    bfv_wr_u32(&w, (uint32_t)ct->size);
    if (seeded) {
        bfv_wr_rows(&w, bfv_ct_row(ct, 0, 0), ctx->n_q, ctx->n, ctx->params.q);
        bfv_wr_bytes(&w, ct->seed, VEIL_SEED_BYTES);
    } else {
        for (size_t k = 0; k < ct->size; k++)
            bfv_wr_rows(&w, bfv_ct_row(ct, k, 0), ctx->n_q, ctx->n,
                        ctx->params.q);
    }
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_ciphertext_deserialize(bfv_ciphertext_t *ct, const uint8_t *in,
                                       size_t len, size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    const uint8_t *seed;
    bfv_rd_t r;
    unsigned flags;
    uint32_t size;
    int seeded;
    veil_status st;

    if (ct == NULL || ct->ctx == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    bfv_ctx_hash(hash, ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_CIPHERTEXT,
                       BFV_SERIAL_FLAG_SEEDED, hash);
    if (st != VEIL_OK)
        return st;
    seeded = (flags & BFV_SERIAL_FLAG_SEEDED) != 0;
    size = bfv_rd_u32(&r);
    if (r.bad || size < 2 || size > 3 || (seeded && size != 2) ||
        r.left != ct_body(ctx, size, seeded) - 4)
        return VEIL_EFORMAT;
    /* resize also clears the seed flag */
    st = bfv_ciphertext_resize(ct, size, 0);
    if (st != VEIL_OK)
        return st;
    for (size_t k = 0; k < (seeded ? 1 : size); k++)
        if (!bfv_rd_rows(&r, bfv_ct_row(ct, k, 0), L, n, ctx->params.q))
            return VEIL_EFORMAT;
    seed = seeded ? bfv_rd_bytes(&r, VEIL_SEED_BYTES) : NULL;
    if (!bfv_rd_finish(&r))
        return VEIL_EFORMAT;
    if (seeded) {
        memcpy(ct->seed, seed, VEIL_SEED_BYTES);
        bfv_expand_uniform(bfv_ct_row(ct, 1, 0), ctx, ct->seed, 0, L);
        ct->seeded = 1;
    }
    return VEIL_OK;
}
