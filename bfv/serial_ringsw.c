/*
 * serial_ringsw.c - the format of a ring-switching key (bfv_serial.h,
 * "ring-switching keys"): the header of the big ring's context, then the
 * subring's dimension (u32, n/2), the seed of a (32 bytes) and b mod q_0
 * and mod P, bit-packed as every row.  a is expanded from the seed again
 * by the reader (bfv_ringsw_expand).
 */
#include "bfv_internal.h"
#include "serial_internal.h"
#include <string.h>

/* Body bytes: n/2 (u32), the seed, two rows of n residues. */
static size_t ringsw_body(const bfv_context_t *ctx, const uint64_t mods[2])
{
    return 4 + VEIL_SEED_BYTES + bfv_rows_bytes(2, ctx->n, mods);
}

static void ringsw_moduli(uint64_t mods[2], const bfv_context_t *ctx)
{
    mods[0] = ctx->plans[0].q;
    mods[1] = ctx->plans[ctx->n_q].q;
}

static int ringsw_ok(const bfv_ringsw_key_t *k)
{
    return k != NULL && k->ctx != NULL && k->sub != NULL && k->data != NULL &&
           k->sub->n * 2 == k->ctx->n && k->ctx->n_p >= 1;
}

size_t bfv_ringsw_key_serial_size(const bfv_ringsw_key_t *k)
{
    uint64_t mods[2];
    if (!ringsw_ok(k))
        return 0;
    ringsw_moduli(mods, k->ctx);
    return BFV_SERIAL_HEADER_BYTES + ringsw_body(k->ctx, mods) +
           BFV_SERIAL_CHECKSUM_BYTES;
}

veil_status bfv_ringsw_key_serialize(uint8_t *out, size_t cap, size_t *len,
                                     const bfv_ringsw_key_t *k)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    uint64_t mods[2];
    const size_t size = bfv_ringsw_key_serial_size(k);
    bfv_wr_t w = {out};
    if (out == NULL || len == NULL || size == 0)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    ringsw_moduli(mods, k->ctx);
    bfv_ctx_hash(hash, k->ctx);
    bfv_wr_header(&w, BFV_SERIAL_RINGSW_KEY, 0, ringsw_body(k->ctx, mods),
                  hash);
    bfv_wr_u32(&w, (uint32_t)k->sub->n);
    bfv_wr_bytes(&w, k->seed, VEIL_SEED_BYTES);
    bfv_wr_rows(&w, k->data, 1, k->ctx->n, &mods[0]);
    bfv_wr_rows(&w, k->data + k->ctx->n, 1, k->ctx->n, &mods[1]);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_ringsw_key_deserialize(bfv_ringsw_key_t *k, const uint8_t *in,
                                       size_t len, size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    uint64_t mods[2];
    const uint8_t *seed;
    bfv_rd_t r;
    unsigned flags;
    uint32_t half;
    veil_status st;
    if (!ringsw_ok(k))
        return VEIL_EINVAL;
    const bfv_context_t *ctx = k->ctx;
    const size_t n = ctx->n;
    ringsw_moduli(mods, ctx);
    bfv_ctx_hash(hash, ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_RINGSW_KEY, 0,
                       hash);
    if (st != VEIL_OK)
        return st;
    /* the dimension and the length against this context before any
     * write; every residue checked by bfv_rd_rows */
    half = bfv_rd_u32(&r);
    if (r.bad || half != n / 2 || r.left != ringsw_body(ctx, mods) - 4)
        return VEIL_EFORMAT;
    seed = bfv_rd_bytes(&r, VEIL_SEED_BYTES);
    if (seed == NULL || !bfv_rd_rows(&r, k->data, 1, n, &mods[0]) ||
        !bfv_rd_rows(&r, k->data + n, 1, n, &mods[1]) || !bfv_rd_finish(&r))
        return VEIL_EFORMAT;
    memcpy(k->seed, seed, VEIL_SEED_BYTES);
    bfv_ringsw_expand(k);
    return VEIL_OK;
}
