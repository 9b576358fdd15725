/*
 * serial_params.c - the parameter hash that binds every serialized object
 * to its parameter set, and the format of a parameter set
 * (doc/09-serialization.md, "Parameters").
 */
#include "serial_internal.h"
#include <sodium.h>
#include <string.h>

/* Body: n, t (u64), n_q, n_p, security, allow_insecure (u32), q_i, p_j
 * (u64 each). */
#define PARAMS_FIXED 32

static void hash_u64(crypto_generichash_state *st, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_generichash_update(st, b, sizeof(b));
}

/* Absorb the domain string, n, the primes of Q and of P. */
static void hash_base(crypto_generichash_state *st, const char *domain,
                      const bfv_params_t *p)
{
    crypto_generichash_init(st, NULL, 0, BFV_PARAMS_HASH_BYTES);
    crypto_generichash_update(st, (const uint8_t *)domain, strlen(domain));
    hash_u64(st, p->n);
    hash_u64(st, p->n_q);
    for (size_t i = 0; i < p->n_q; i++)
        hash_u64(st, p->q[i]);
    hash_u64(st, p->n_p);
    for (size_t i = 0; i < p->n_p; i++)
        hash_u64(st, p->p[i]);
}

/* The hash of a parameter set whose counts are within bounds.  It covers
 * every field: also the security level and the allow_insecure flag, which
 * decide whether the set is accepted (v2; v1 left them out). */
static void params_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES],
                        const bfv_params_t *p)
{
    crypto_generichash_state st;
    hash_base(&st, "veil bfv params v2", p);
    hash_u64(&st, p->t);
    hash_u64(&st, (uint64_t)p->security);
    hash_u64(&st, p->allow_insecure ? 1 : 0);
    crypto_generichash_final(&st, hash, BFV_PARAMS_HASH_BYTES);
}

veil_status bfv_params_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES],
                            const bfv_params_t *p)
{
    if (hash == NULL || p == NULL || p->n_q > BFV_MAX_Q || p->n_p > BFV_MAX_P)
        return VEIL_EINVAL;
    params_hash(hash, p);
    return VEIL_OK;
}

void bfv_ctx_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES], const bfv_context_t *ctx)
{
    /* a context's parameters passed bfv_params_check */
    params_hash(hash, &ctx->params);
}

veil_status bfv_crt_params_hash(uint8_t hash[BFV_PARAMS_HASH_BYTES],
                                const bfv_crt_params_t *p)
{
    crypto_generichash_state st;
    if (hash == NULL || p == NULL || p->base.n_q > BFV_MAX_Q ||
        p->base.n_p > BFV_MAX_P || p->k > BFV_CRT_MAX)
        return VEIL_EINVAL;
    hash_base(&st, "veil bfv crt params v2", &p->base);
    hash_u64(&st, (uint64_t)p->base.security);
    hash_u64(&st, p->base.allow_insecure ? 1 : 0);
    hash_u64(&st, p->k);
    for (size_t i = 0; i < p->k; i++)
        hash_u64(&st, p->t[i]);
    crypto_generichash_final(&st, hash, BFV_PARAMS_HASH_BYTES);
    return VEIL_OK;
}

size_t bfv_params_body_bytes(const bfv_params_t *p)
{
    return PARAMS_FIXED + 8 * (p->n_q + p->n_p);
}

void bfv_wr_params_body(bfv_wr_t *w, const bfv_params_t *p)
{
    bfv_wr_u64(w, p->n);
    bfv_wr_u64(w, p->t);
    bfv_wr_u32(w, (uint32_t)p->n_q);
    bfv_wr_u32(w, (uint32_t)p->n_p);
    bfv_wr_u32(w, (uint32_t)p->security);
    bfv_wr_u32(w, p->allow_insecure ? 1 : 0);
    for (size_t i = 0; i < p->n_q; i++)
        bfv_wr_u64(w, p->q[i]);
    for (size_t i = 0; i < p->n_p; i++)
        bfv_wr_u64(w, p->p[i]);
}

/* The allow_insecure flag of the bytes is accepted only when the local
 * caller allows it (allow_insecure != 0, a decision made in code): bytes
 * from a peer or a file never lower the security check by themselves. */
int bfv_rd_params_body(bfv_rd_t *r, bfv_params_t *p, int allow_insecure)
{
    uint32_t sec, insecure;
    memset(p, 0, sizeof(*p));
    p->n = (size_t)bfv_rd_u64(r);
    p->t = bfv_rd_u64(r);
    p->n_q = bfv_rd_u32(r);
    p->n_p = bfv_rd_u32(r);
    sec = bfv_rd_u32(r);
    insecure = bfv_rd_u32(r);
    if (r->bad || p->n_q < 1 || p->n_q > BFV_MAX_Q || p->n_p < 1 ||
        p->n_p > BFV_MAX_P || insecure > (allow_insecure ? 1u : 0u))
        return 0;
    p->security = (bfv_security_t)sec;
    p->allow_insecure = (int)insecure;
    for (size_t i = 0; i < p->n_q; i++)
        p->q[i] = bfv_rd_u64(r);
    for (size_t i = 0; i < p->n_p; i++)
        p->p[i] = bfv_rd_u64(r);
    return !r->bad;
}

size_t bfv_params_serial_size(const bfv_params_t *p)
{
    if (p == NULL || p->n_q > BFV_MAX_Q || p->n_p > BFV_MAX_P)
        return 0;
    return BFV_SERIAL_HEADER_BYTES + bfv_params_body_bytes(p) +
           BFV_SERIAL_CHECKSUM_BYTES;
}

veil_status bfv_params_serialize(uint8_t *out, size_t cap, size_t *len,
                                 const bfv_params_t *p)
{
    uint8_t hash[BFV_PARAMS_HASH_BYTES];
    size_t size = bfv_params_serial_size(p);
    bfv_wr_t w = {out};

    if (out == NULL || len == NULL || size == 0 ||
        bfv_params_hash(hash, p) != VEIL_OK)
        return VEIL_EINVAL;
    if (cap < size)
        return VEIL_ERANGE;
    bfv_wr_header(&w, BFV_SERIAL_PARAMS, 0, bfv_params_body_bytes(p), hash);
    bfv_wr_params_body(&w, p);
    bfv_wr_seal(&w, out);
    *len = size;
    return VEIL_OK;
}

static veil_status params_deserialize(bfv_params_t *p, const uint8_t *in,
                                      size_t len, size_t *used,
                                      int allow_insecure)
{
    uint8_t want[BFV_PARAMS_HASH_BYTES];
    bfv_params_t tmp;
    bfv_rd_t r;
    unsigned flags;
    veil_status st;

    if (p == NULL)
        return VEIL_EINVAL;
    /* the hash is checked below, against the parameters read */
    st = bfv_rd_header(&r, &flags, used, in, len, BFV_SERIAL_PARAMS, 0, NULL);
    if (st != VEIL_OK)
        return st;
    if (!bfv_rd_params_body(&r, &tmp, allow_insecure) || !bfv_rd_finish(&r) ||
        bfv_params_check(&tmp, NULL, 0) != VEIL_OK ||
        bfv_params_hash(want, &tmp) != VEIL_OK ||
        memcmp(want, in + 16, BFV_PARAMS_HASH_BYTES) != 0)
        return VEIL_EFORMAT;
    *p = tmp;
    return VEIL_OK;
}

veil_status bfv_params_deserialize(bfv_params_t *p, const uint8_t *in,
                                   size_t len, size_t *used)
{
    return params_deserialize(p, in, len, used, 0);
}

veil_status bfv_params_deserialize_insecure(bfv_params_t *p, const uint8_t *in,
                                            size_t len, size_t *used)
{
    return params_deserialize(p, in, len, used, 1);
}
