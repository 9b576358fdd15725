/*
 * crt_eval.c - the evaluator on CRT ciphertexts: every operation is the
 * bfv_* operation applied to each component, the components in parallel.
 * Ring operations commute with the reductions mod t_i, so component i
 * computes the result mod t_i and the CRT joins them
 * (doc/08-crt-plaintexts.md).  Integer constants are reduced mod each t_i.
 */
#include "crt_internal.h"

static int ok2(const bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *a)
{
    return out != NULL && a != NULL && a->ctx != NULL && out->ctx == a->ctx;
}

static int ok3(const bfv_crt_ciphertext_t *out, const bfv_crt_ciphertext_t *a,
               const bfv_crt_ciphertext_t *b)
{
    return ok2(out, a) && b != NULL && b->ctx == a->ctx;
}

/* VEIL_OK if keys belongs to a's context and holds `need`. */
static veil_status keys_ok(const bfv_crt_keys_t *keys,
                           const bfv_crt_ciphertext_t *a, unsigned need)
{
    if (keys == NULL || keys->ctx != a->ctx)
        return VEIL_EINVAL;
    return (keys->have & need) == need ? VEIL_OK : VEIL_ENOKEY;
}

veil_status bfv_crt_add(bfv_crt_ciphertext_t *out,
                        const bfv_crt_ciphertext_t *a,
                        const bfv_crt_ciphertext_t *b)
{
    veil_status st;
    if (!ok3(out, a, b))
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, a->ctx->k, bfv_add(&out->c[i], &a->c[i], &b->c[i]));
    return st;
}

veil_status bfv_crt_sub(bfv_crt_ciphertext_t *out,
                        const bfv_crt_ciphertext_t *a,
                        const bfv_crt_ciphertext_t *b)
{
    veil_status st;
    if (!ok3(out, a, b))
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, a->ctx->k, bfv_sub(&out->c[i], &a->c[i], &b->c[i]));
    return st;
}

veil_status bfv_crt_negate(bfv_crt_ciphertext_t *out,
                           const bfv_crt_ciphertext_t *a)
{
    veil_status st;
    if (!ok2(out, a))
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, a->ctx->k, bfv_negate(&out->c[i], &a->c[i]));
    return st;
}

veil_status bfv_crt_add_plain(bfv_crt_ciphertext_t *out,
                              const bfv_crt_ciphertext_t *ct,
                              const bfv_crt_plaintext_t *pt)
{
    veil_status st;
    if (!ok2(out, ct) || pt == NULL || pt->ctx != ct->ctx)
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_add_plain(&out->c[i], &ct->c[i], &pt->c[i]));
    return st;
}

veil_status bfv_crt_sub_plain(bfv_crt_ciphertext_t *out,
                              const bfv_crt_ciphertext_t *ct,
                              const bfv_crt_plaintext_t *pt)
{
    veil_status st;
    if (!ok2(out, ct) || pt == NULL || pt->ctx != ct->ctx)
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_sub_plain(&out->c[i], &ct->c[i], &pt->c[i]));
    return st;
}

veil_status bfv_crt_mul_plain(bfv_crt_ciphertext_t *out,
                              const bfv_crt_ciphertext_t *ct,
                              const bfv_crt_plaintext_ntt_t *pt)
{
    veil_status st;
    if (!ok2(out, ct) || pt == NULL || pt->ctx != ct->ctx)
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_mul_plain(&out->c[i], &ct->c[i], &pt->c[i]));
    return st;
}

veil_status bfv_crt_mul_scalar(bfv_crt_ciphertext_t *out,
                               const bfv_crt_ciphertext_t *ct, int64_t c)
{
    veil_status st;
    if (!ok2(out, ct))
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, ct->ctx->k, bfv_mul_scalar(&out->c[i], &ct->c[i], c));
    return st;
}

veil_status bfv_crt_mul_scalar_fmpz(bfv_crt_ciphertext_t *out,
                                    const bfv_crt_ciphertext_t *ct,
                                    const fmpz_t c)
{
    uint64_t r[BFV_CRT_MAX];
    veil_status st;
    if (!ok2(out, ct) || c == NULL)
        return VEIL_EINVAL;
    /* r[i] = c mod t_i; bfv_mul_scalar centres it */
    rns_decompose_fmpz(&ct->ctx->base_t, r, c);
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_mul_scalar(&out->c[i], &ct->c[i], (int64_t)r[i]));
    return st;
}

veil_status bfv_crt_mul(bfv_crt_ciphertext_t *out,
                        const bfv_crt_ciphertext_t *a,
                        const bfv_crt_ciphertext_t *b)
{
    veil_status st;
    if (!ok3(out, a, b))
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, a->ctx->k, bfv_mul(&out->c[i], &a->c[i], &b->c[i]));
    return st;
}

veil_status bfv_crt_square(bfv_crt_ciphertext_t *out,
                           const bfv_crt_ciphertext_t *a)
{
    veil_status st;
    if (!ok2(out, a))
        return VEIL_EINVAL;
    BFV_CRT_EACH(st, a->ctx->k, bfv_square(&out->c[i], &a->c[i]));
    return st;
}

veil_status bfv_crt_relinearize(bfv_crt_ciphertext_t *out,
                                const bfv_crt_ciphertext_t *ct,
                                const bfv_crt_keys_t *keys)
{
    veil_status st;
    if (!ok2(out, ct))
        return VEIL_EINVAL;
    st = keys_ok(keys, ct, BFV_CRT_RELIN);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_relinearize(&out->c[i], &ct->c[i], &keys->rk[i]));
    return st;
}

veil_status bfv_crt_mul_relin(bfv_crt_ciphertext_t *out,
                              const bfv_crt_ciphertext_t *a,
                              const bfv_crt_ciphertext_t *b,
                              const bfv_crt_keys_t *keys)
{
    veil_status st;
    if (!ok3(out, a, b))
        return VEIL_EINVAL;
    st = keys_ok(keys, a, BFV_CRT_RELIN);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, a->ctx->k,
                 bfv_mul_relin(&out->c[i], &a->c[i], &b->c[i], &keys->rk[i]));
    return st;
}

veil_status bfv_crt_rotate_rows(bfv_crt_ciphertext_t *out,
                                const bfv_crt_ciphertext_t *ct, int64_t k,
                                const bfv_crt_keys_t *keys)
{
    veil_status st;
    if (!ok2(out, ct))
        return VEIL_EINVAL;
    st = keys_ok(keys, ct, BFV_CRT_GALOIS);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_rotate_rows(&out->c[i], &ct->c[i], k, &keys->gk[i]));
    return st;
}

veil_status bfv_crt_rotate_columns(bfv_crt_ciphertext_t *out,
                                   const bfv_crt_ciphertext_t *ct,
                                   const bfv_crt_keys_t *keys)
{
    veil_status st;
    if (!ok2(out, ct))
        return VEIL_EINVAL;
    st = keys_ok(keys, ct, BFV_CRT_GALOIS);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_rotate_columns(&out->c[i], &ct->c[i], &keys->gk[i]));
    return st;
}

veil_status bfv_crt_apply_galois(bfv_crt_ciphertext_t *out,
                                 const bfv_crt_ciphertext_t *ct, uint64_t elt,
                                 const bfv_crt_keys_t *keys)
{
    veil_status st;
    if (!ok2(out, ct))
        return VEIL_EINVAL;
    st = keys_ok(keys, ct, BFV_CRT_GALOIS);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, ct->ctx->k,
                 bfv_apply_galois(&out->c[i], &ct->c[i], elt, &keys->gk[i]));
    return st;
}

/* Component i of bfv_crt_rotate_rows_many: decompose once, rotate many. */
static veil_status rotate_many_one(bfv_crt_ciphertext_t *outs,
                                   const bfv_crt_ciphertext_t *ct, size_t i,
                                   const int64_t *steps, size_t count,
                                   const bfv_galois_keys_t *gk)
{
    bfv_hoisted_t h;
    veil_status st = bfv_hoisted_init(&h, ct->c[i].ctx);
    if (st != VEIL_OK)
        return st;
    st = bfv_hoisted_prepare(&h, &ct->c[i]);
    for (size_t j = 0; j < count && st == VEIL_OK; j++)
        st = bfv_hoisted_rotate_rows(&outs[j].c[i], &h, steps[j], gk);
    bfv_hoisted_clear(&h);
    return st;
}

veil_status bfv_crt_rotate_rows_many(bfv_crt_ciphertext_t *outs,
                                     const bfv_crt_ciphertext_t *ct,
                                     const int64_t *steps, size_t count,
                                     const bfv_crt_keys_t *keys)
{
    veil_status st;
    if (outs == NULL || ct == NULL || ct->ctx == NULL ||
        (steps == NULL && count > 0))
        return VEIL_EINVAL;
    for (size_t j = 0; j < count; j++)
        if (outs[j].ctx != ct->ctx)
            return VEIL_EINVAL;
    st = keys_ok(keys, ct, BFV_CRT_GALOIS);
    if (st != VEIL_OK)
        return st;
    BFV_CRT_EACH(st, ct->ctx->k,
                 rotate_many_one(outs, ct, i, steps, count, &keys->gk[i]));
    return st;
}
