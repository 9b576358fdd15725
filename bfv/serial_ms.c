/*
 * serial_ms.c - the format of a modulus-switched ciphertext
 * (bfv_serial.h, "modulus-switched ciphertexts"): size, limbs, then the
 * size polynomials as limbs bit-packed rows each, mod q_0 .. q_{limbs-1};
 * or, flag BFV_SERIAL_FLAG_POW2, the power-of-two form (bfv_ms_compress):
 * b0, b1 and the two polynomials in b0 and b1 bits per coefficient.
 */
#include "bfv_internal.h"
#include "serial_internal.h"

/* Body bytes: size and limbs (u32 each), size x limbs rows. */
static size_t ms_body(const bfv_context_t *ctx, size_t size, size_t limbs)
{
    return 8 + size * bfv_rows_bytes(limbs, ctx->n, ctx->params.q);
}

/* The power-of-two form (flag BFV_SERIAL_FLAG_POW2): size, limbs, b0, b1
 * (u32 each), c_0 in b0 bits and c_1 in b1 bits per coefficient. */
static size_t pow2_body(const bfv_context_t *ctx, unsigned b0, unsigned b1)
{
    return 16 + ctx->n / 8 * ((size_t)b0 + b1);
}

static int ms_written(const bfv_ms_ciphertext_t *ct)
{
    return ct != NULL && ct->ctx != NULL && ct->data != NULL && ct->size >= 2 &&
           ct->size <= 3 && ct->limbs >= 1 && ct->limbs <= ct->ctx->n_q &&
           ct->size * ct->limbs * ct->ctx->n <= ct->capacity &&
           (ct->bits[0] == 0 ||
            (ct->size == 2 && ct->limbs == 1 &&
             bfv_ms_bits_valid(ct->ctx, ct->bits[0], ct->bits[1])));
}

size_t bfv_ms_ciphertext_serial_size(const bfv_ms_ciphertext_t *ct)
{
    if (!ms_written(ct))
        return 0;
    return BFV_SERIAL_HEADER_BYTES +
           (ct->bits[0] != 0 ? pow2_body(ct->ctx, ct->bits[0], ct->bits[1])
                             : ms_body(ct->ctx, ct->size, ct->limbs)) +
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
    if (ct->bits[0] != 0) {
        /* a modulus 2^b packs in bfv_bits(2^b) = b bits */
        const uint64_t m0 = (uint64_t)1 << ct->bits[0];
        const uint64_t m1 = (uint64_t)1 << ct->bits[1];
        bfv_wr_header(&w, BFV_SERIAL_MS_CIPHERTEXT, BFV_SERIAL_FLAG_POW2,
                      pow2_body(ctx, ct->bits[0], ct->bits[1]), hash);
        bfv_wr_u32(&w, 2);
        bfv_wr_u32(&w, 1);
        bfv_wr_u32(&w, ct->bits[0]);
        bfv_wr_u32(&w, ct->bits[1]);
        bfv_wr_rows(&w, ct->data, 1, ctx->n, &m0);
        bfv_wr_rows(&w, ct->data + ctx->n, 1, ctx->n, &m1);
        bfv_wr_seal(&w, out);
        *len = size;
        return VEIL_OK;
    }
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
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_MS_CIPHERTEXT,
                       BFV_SERIAL_FLAG_POW2, hash);
    if (st != VEIL_OK)
        return st;
    size = bfv_rd_u32(&r);
    limbs = bfv_rd_u32(&r);
    if (flags & BFV_SERIAL_FLAG_POW2) {
        const uint32_t b0 = bfv_rd_u32(&r), b1 = bfv_rd_u32(&r);
        uint64_t m0, m1;
        /* the exponents as bfv_ms_compress accepts them (which bounds the
         * body: at most 2 n words), then the length, before any write */
        if (r.bad || size != 2 || limbs != 1 || b0 > BFV_MS_MAX_BITS ||
            b1 > BFV_MS_MAX_BITS || !bfv_ms_bits_valid(ctx, b0, b1) ||
            r.left != pow2_body(ctx, b0, b1) - 16)
            return VEIL_EFORMAT;
        m0 = (uint64_t)1 << b0;
        m1 = (uint64_t)1 << b1;
        if (!bfv_rd_rows(&r, ct->data, 1, n, &m0) ||
            !bfv_rd_rows(&r, ct->data + n, 1, n, &m1) || !bfv_rd_finish(&r))
            return VEIL_EFORMAT;
        ct->size = 2;
        ct->limbs = 1;
        ct->bits[0] = b0;
        ct->bits[1] = b1;
        return VEIL_OK;
    }
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
    ct->bits[0] = ct->bits[1] = 0;
    return VEIL_OK;
}
