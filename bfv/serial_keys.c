/*
 * serial_keys.c - formats of the secret, public, relinearization and
 * Galois keys (doc/09-serialization.md, "Keys").  Public keys and
 * key-switching keys always travel seeded: their uniform halves are
 * re-expanded from the 32-byte seed on arrival, exactly as keygen expanded
 * them (bfv_internal.h).
 */
#include "bfv_internal.h"
#include "serial_internal.h"
#include <string.h>

/* Header + body + checksum. */
static size_t framed(size_t body)
{
    return BFV_SERIAL_HEADER_BYTES + body + BFV_SERIAL_CHECKSUM_BYTES;
}

/* ------------------------------------------------------------ secret key */

/* Ternary coefficients as residues mod 3: -1 is sent as 2. */
static const uint64_t ternary_mod = 3;

static size_t sk_body(const bfv_context_t *ctx)
{
    return bfv_rows_bytes(1, ctx->n, &ternary_mod);
}

size_t bfv_secret_key_serial_size(const bfv_secret_key_t *sk)
{
    if (sk == NULL || sk->ctx == NULL)
        return 0;
    return framed(sk_body(sk->ctx));
}

veil_status bfv_secret_key_serialize(uint8_t *out, size_t cap, size_t *len,
                                     const bfv_secret_key_t *sk)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    uint64_t *codes;
    size_t size = bfv_secret_key_serial_size(sk);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 || sk->coeffs == NULL)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    const size_t n = sk->ctx->n;
    codes = veil_alloc(n * sizeof(uint64_t));
    if (codes == NULL)
        return VEIL_ENOMEM;
    for (size_t k = 0; k < n; k++)
        codes[k] = sk->coeffs[k] < 0 ? 2 : (uint64_t)sk->coeffs[k];
    bfv_ctx_hash(hash, sk->ctx);
    bfv_wr_header(&w, BFV_SERIAL_SECRET_KEY, 0, sk_body(sk->ctx), hash);
    bfv_wr_rows(&w, codes, 1, n, &ternary_mod);
    bfv_wr_seal(&w, out);
    veil_free_secret(codes, n * sizeof(uint64_t));
    *len = size;
    return VEIL_OK;
}

veil_status bfv_secret_key_deserialize(bfv_secret_key_t *sk, const uint8_t *in,
                                       size_t len, size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    uint64_t *codes;
    bfv_rd_t r;
    unsigned flags;
    veil_status st;

    if (sk == NULL || sk->ctx == NULL || sk->coeffs == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = sk->ctx;
    const size_t n = ctx->n;
    bfv_ctx_hash(hash, ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_SECRET_KEY, 0,
                       hash);
    if (st != VEIL_OK)
        return st;
    if (r.left != sk_body(ctx))
        return VEIL_EFORMAT;
    codes = veil_alloc(n * sizeof(uint64_t));
    if (codes == NULL)
        return VEIL_ENOMEM;
    if (!bfv_rd_rows(&r, codes, 1, n, &ternary_mod) || !bfv_rd_finish(&r)) {
        st = VEIL_EFORMAT;
    } else {
        for (size_t k = 0; k < n; k++)
            sk->coeffs[k] = codes[k] == 2 ? -1 : (int8_t)codes[k];
        bfv_small_to_ntt(sk->ntt, ctx, sk->coeffs, ctx->n_qp);
    }
    veil_free_secret(codes, n * sizeof(uint64_t));
    return st;
}

/* ------------------------------------------------------------ public key */

/* Body: b (L rows mod q_i), the seed of a. */
static size_t pk_body(const bfv_context_t *ctx)
{
    return bfv_rows_bytes(ctx->n_q, ctx->n, ctx->params.q) + VEIL_SEED_BYTES;
}

size_t bfv_public_key_serial_size(const bfv_public_key_t *pk)
{
    if (pk == NULL || pk->ctx == NULL)
        return 0;
    return framed(pk_body(pk->ctx));
}

veil_status bfv_public_key_serialize(uint8_t *out, size_t cap, size_t *len,
                                     const bfv_public_key_t *pk)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_public_key_serial_size(pk);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 || pk->data == NULL)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    const bfv_context_t *ctx = pk->ctx;
    bfv_ctx_hash(hash, ctx);
    bfv_wr_header(&w, BFV_SERIAL_PUBLIC_KEY, BFV_SERIAL_FLAG_SEEDED,
                  pk_body(ctx), hash);
    bfv_wr_rows(&w, pk->data, ctx->n_q, ctx->n, ctx->params.q);
    bfv_wr_bytes(&w, pk->seed, VEIL_SEED_BYTES);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_public_key_deserialize(bfv_public_key_t *pk, const uint8_t *in,
                                       size_t len, size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    const uint8_t *seed;
    bfv_rd_t r;
    unsigned flags;
    veil_status st;

    if (pk == NULL || pk->ctx == NULL || pk->data == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = pk->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    bfv_ctx_hash(hash, ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_PUBLIC_KEY,
                       BFV_SERIAL_FLAG_SEEDED, hash);
    if (st != VEIL_OK)
        return st;
    if (flags != BFV_SERIAL_FLAG_SEEDED || r.left != pk_body(ctx) ||
        !bfv_rd_rows(&r, pk->data, L, n, ctx->params.q))
        return VEIL_EFORMAT;
    seed = bfv_rd_bytes(&r, VEIL_SEED_BYTES);
    if (seed == NULL || !bfv_rd_finish(&r))
        return VEIL_EFORMAT;
    memcpy(pk->seed, seed, VEIL_SEED_BYTES);
    bfv_expand_uniform(pk->data + L * n, ctx, pk->seed, 0, L);
    return VEIL_OK;
}

/* --------------------------------------------------- key-switching keys */

/* One key-switching key: the seed, then b_d over QP for every digit. */
static size_t ksk_bytes(const bfv_context_t *ctx)
{
    uint64_t mods[BFV_MAX_Q + BFV_MAX_P];
    bfv_qp_moduli(mods, ctx);
    return VEIL_SEED_BYTES +
           ctx->pre->ks.digits * bfv_rows_bytes(ctx->n_qp, ctx->n, mods);
}

static void ksk_write(bfv_wr_t *w, const bfv_kswitch_key_t *ksk,
                      const bfv_context_t *ctx)
{
    uint64_t mods[BFV_MAX_Q + BFV_MAX_P];
    const size_t n = ctx->n, LK = ctx->n_qp;
    bfv_qp_moduli(mods, ctx);
    bfv_wr_bytes(w, ksk->seed, VEIL_SEED_BYTES);
    for (size_t d = 0; d < ksk->digits; d++)
        bfv_wr_rows(w, ksk->data + 2 * d * LK * n, LK, n, mods);
}

/* Read the seed and the b_d of an allocated ksk; 0 on malformed input. */
static int ksk_read(bfv_rd_t *r, bfv_kswitch_key_t *ksk,
                    const bfv_context_t *ctx)
{
    uint64_t mods[BFV_MAX_Q + BFV_MAX_P];
    const uint8_t *seed = bfv_rd_bytes(r, VEIL_SEED_BYTES);
    const size_t n = ctx->n, LK = ctx->n_qp;
    if (seed == NULL)
        return 0;
    memcpy(ksk->seed, seed, VEIL_SEED_BYTES);
    bfv_qp_moduli(mods, ctx);
    for (size_t d = 0; d < ksk->digits; d++)
        if (!bfv_rd_rows(r, ksk->data + 2 * d * LK * n, LK, n, mods))
            return 0;
    return 1;
}

/* Expand the a_d of ksk from its seed. */
static void ksk_expand(bfv_kswitch_key_t *ksk, const bfv_context_t *ctx)
{
    const size_t n = ctx->n, LK = ctx->n_qp;
    for (size_t d = 0; d < ksk->digits; d++)
        bfv_expand_uniform(ksk->data + (2 * d + 1) * LK * n, ctx, ksk->seed,
                           (uint32_t)d, LK);
}

size_t bfv_relin_key_serial_size(const bfv_relin_key_t *rk)
{
    if (rk == NULL || rk->ctx == NULL)
        return 0;
    return framed(ksk_bytes(rk->ctx));
}

veil_status bfv_relin_key_serialize(uint8_t *out, size_t cap, size_t *len,
                                    const bfv_relin_key_t *rk)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_relin_key_serial_size(rk);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 || rk->ksk.data == NULL)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    bfv_ctx_hash(hash, rk->ctx);
    bfv_wr_header(&w, BFV_SERIAL_RELIN_KEY, BFV_SERIAL_FLAG_SEEDED,
                  ksk_bytes(rk->ctx), hash);
    ksk_write(&w, &rk->ksk, rk->ctx);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

veil_status bfv_relin_key_deserialize(bfv_relin_key_t *rk, const uint8_t *in,
                                      size_t len, size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    bfv_rd_t r;
    unsigned flags;
    veil_status st;

    if (rk == NULL || rk->ctx == NULL || rk->ksk.data == NULL)
        return VEIL_EINVAL;
    bfv_ctx_hash(hash, rk->ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_RELIN_KEY,
                       BFV_SERIAL_FLAG_SEEDED, hash);
    if (st != VEIL_OK)
        return st;
    if (flags != BFV_SERIAL_FLAG_SEEDED || r.left != ksk_bytes(rk->ctx) ||
        !ksk_read(&r, &rk->ksk, rk->ctx) || !bfv_rd_finish(&r))
        return VEIL_EFORMAT;
    ksk_expand(&rk->ksk, rk->ctx);
    return VEIL_OK;
}

/* ---------------------------------------------------------- Galois keys */

/* Body: count (u32), then per key: elt (u64), its key-switching key. */
static size_t gk_body(const bfv_context_t *ctx, size_t count)
{
    return 4 + count * (8 + ksk_bytes(ctx));
}

size_t bfv_galois_keys_serial_size(const bfv_galois_keys_t *gk)
{
    if (gk == NULL || gk->ctx == NULL)
        return 0;
    return framed(gk_body(gk->ctx, gk->count));
}

veil_status bfv_galois_keys_serialize(uint8_t *out, size_t cap, size_t *len,
                                      const bfv_galois_keys_t *gk)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_galois_keys_serial_size(gk);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    bfv_ctx_hash(hash, gk->ctx);
    bfv_wr_header(&w, BFV_SERIAL_GALOIS_KEYS, BFV_SERIAL_FLAG_SEEDED,
                  gk_body(gk->ctx, gk->count), hash);
    bfv_wr_u32(&w, (uint32_t)gk->count);
    for (size_t j = 0; j < gk->count; j++) {
        bfv_wr_u64(&w, gk->keys[j].elt);
        ksk_write(&w, &gk->keys[j].ksk, gk->ctx);
    }
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

/* The row step of elt in [0, n/2) (bfv_galois_elt_from_step inverted), or
 * -1 if elt is not a power of 3 mod 2n. */
static int64_t elt_step(const bfv_context_t *ctx, uint64_t elt)
{
    for (int64_t s = 0; s < (int64_t)(ctx->n / 2); s++)
        if (bfv_galois_elt_from_step(ctx, s) == elt)
            return s;
    return -1;
}

/* Allocate the zero-filled *key for elt and read its seed and b_d. */
static veil_status gk_read_key(bfv_galois_key_t *key, bfv_rd_t *r, uint64_t elt,
                               const bfv_context_t *ctx)
{
    veil_status st;
    key->perm = veil_alloc(ctx->n * sizeof(uint32_t));
    if (key->perm == NULL)
        return VEIL_ENOMEM;
    st = bfv_kswitch_key_alloc(&key->ksk, ctx);
    if (st != VEIL_OK)
        return st;
    key->elt = elt;
    return ksk_read(r, &key->ksk, ctx) ? VEIL_OK : VEIL_EFORMAT;
}

veil_status bfv_galois_keys_deserialize(bfv_galois_keys_t *gk,
                                        const uint8_t *in, size_t len,
                                        size_t *used)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    bfv_galois_keys_t tmp;
    bfv_rd_t r;
    unsigned flags;
    uint64_t prev = 1;
    size_t count;
    veil_status st;

    if (gk == NULL || gk->ctx == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = gk->ctx;
    bfv_ctx_hash(hash, ctx);
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_GALOIS_KEYS,
                       BFV_SERIAL_FLAG_SEEDED, hash);
    if (st != VEIL_OK)
        return st;
    count = bfv_rd_u32(&r);
    /* distinct odd elements in (1, 2n): at most n - 1 keys */
    if (flags != BFV_SERIAL_FLAG_SEEDED || r.bad || count >= ctx->n ||
        r.left != gk_body(ctx, count) - 4)
        return VEIL_EFORMAT;
    st = bfv_galois_keys_init(&tmp, ctx);
    if (st != VEIL_OK)
        return st;
    if (count > 0) {
        tmp.keys = veil_calloc(count, sizeof(bfv_galois_key_t));
        if (tmp.keys == NULL)
            return VEIL_ENOMEM;
        tmp.capacity = count;
    }
    for (size_t j = 0; j < count && st == VEIL_OK; j++) {
        uint64_t elt = bfv_rd_u64(&r);
        /* sorted, no duplicates, odd, not the identity, below 2n */
        if (elt <= prev || elt % 2 == 0 || elt >= 2 * (uint64_t)ctx->n) {
            st = VEIL_EFORMAT;
            break;
        }
        prev = elt;
        tmp.count = j + 1; /* from here on bfv_galois_keys_clear frees it */
        st = gk_read_key(&tmp.keys[j], &r, elt, ctx);
    }
    if (st == VEIL_OK && !bfv_rd_finish(&r))
        st = VEIL_EFORMAT;
    if (st != VEIL_OK) {
        bfv_galois_keys_clear(&tmp);
        return st;
    }
    /* the input is sound: derive what is not sent */
    for (size_t j = 0; j < count; j++) {
        bfv_galois_key_t *key = &tmp.keys[j];
        key->step = elt_step(ctx, key->elt);
        bfv_galois_perm(key->perm, ctx, key->elt);
        ksk_expand(&key->ksk, ctx);
    }
    bfv_galois_keys_clear(gk);
    *gk = tmp;
    return VEIL_OK;
}
