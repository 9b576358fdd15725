/*
 * serial_ms.c - the format of a modulus-switched ciphertext
 * (bfv_serial.h, "modulus-switched ciphertexts"): size, limbs, then the
 * size polynomials as limbs bit-packed rows each, mod q_0 .. q_{limbs-1}.
 */
#include "bfv_internal.h"
#include "serial_internal.h"

/* Body bytes: size and limbs (u32 each), size x limbs rows. */
static size_t ms_body(const bfv_context_t *ctx, size_t size, size_t limbs)
{
    return 8 + size * bfv_rows_bytes(limbs, ctx->n, ctx->params.q);
}

static int ms_written(const bfv_ms_ciphertext_t *ct)
{
    return ct != NULL && ct->ctx != NULL && ct->data != NULL && ct->size >= 2 &&
           ct->size <= 3 && ct->limbs >= 1 && ct->limbs <= ct->ctx->n_q &&
           ct->size * ct->limbs * ct->ctx->n <= ct->capacity;
}

size_t bfv_ms_ciphertext_serial_size(const bfv_ms_ciphertext_t *ct)
{
    if (!ms_written(ct))
        return 0;
    return BFV_SERIAL_HEADER_BYTES + ms_body(ct->ctx, ct->size, ct->limbs) +
           BFV_SERIAL_CHECKSUM_BYTES;
}

veil_status bfv_ms_ciphertext_serialize(uint8_t *out, size_t cap, size_t *len,
                                        const bfv_ms_ciphertext_t *ct)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    const size_t size = bfv_ms_ciphertext_serial_size(ct);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    const bfv_context_t *ctx = ct->ctx;
    bfv_ctx_hash(hash, ctx);
    bfv_wr_header(&w, BFV_SERIAL_MS_CIPHERTEXT, 0,
                  ms_body(ctx, ct->size, ct->limbs), hash);
    bfv_wr_u32(&w, (uint32_t)ct->size);
    bfv_wr_u32(&w, (uint32_t)ct->limbs);
    for (size_t k = 0; k < ct->size; k++)
        bfv_wr_rows(&w, bfv_ms_ct_row(ct, k, 0), ct->limbs, ctx->n,
                    ctx->params.q);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_ms_ciphertext_deserialize(bfv_ms_ciphertext_t *ct,
                                          const uint8_t *in, size_t len,
                                          size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    bfv_rd_t r;
    unsigned flags;
    uint32_t size, limbs;
    uint64_t *rows;
    veil_status st;

    if (ct == NULL || ct->ctx == NULL || ct->data == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n;
    if (ct->capacity < 3 * ctx->n_q * n)
        return VEIL_EINVAL;
    bfv_ctx_hash(hash, ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_MS_CIPHERTEXT, 0,
                       hash);
    if (st != VEIL_OK)
        return st;
    size = bfv_rd_u32(&r);
    limbs = bfv_rd_u32(&r);
    /* every count checked, and the body length against them, before any
     * byte of the output is written */
    if (r.bad || size < 2 || size > 3 || limbs < 1 || limbs > ctx->n_q ||
        r.left != ms_body(ctx, size, limbs) - 8)
        return VEIL_EFORMAT;
    rows = ct->data;
    for (size_t k = 0; k < size; k++)
        if (!bfv_rd_rows(&r, rows + k * limbs * n, limbs, n, ctx->params.q))
            return VEIL_EFORMAT;
    if (!bfv_rd_finish(&r))
        return VEIL_EFORMAT;
    ct->size = size;
    ct->limbs = limbs;
    return VEIL_OK;
}
