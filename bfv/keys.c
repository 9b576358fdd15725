/*
 * keys.c - the secret key (ternary s) and the public key
 * (b, a) = (-(a s + e), a) mod Q.  doc/03-bfv.md, "Keys".
 */
#include "bfv_internal.h"
#include <string.h>

veil_status bfv_secret_key_init(bfv_secret_key_t *sk, const bfv_context_t *ctx)
{
    if (sk == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(sk, 0, sizeof(*sk));
    sk->coeffs = veil_calloc(ctx->n, 1);
    sk->ntt = veil_calloc(ctx->n_qp * ctx->n, sizeof(uint64_t));
    if (sk->coeffs == NULL || sk->ntt == NULL) {
        veil_free(sk->coeffs);
        veil_free(sk->ntt);
        memset(sk, 0, sizeof(*sk));
        return VEIL_ENOMEM;
    }
    sk->ctx = ctx;
    return VEIL_OK;
}

void bfv_secret_key_clear(bfv_secret_key_t *sk)
{
    if (sk == NULL)
        return;
    if (sk->ctx != NULL) {
        veil_free_secret(sk->coeffs, sk->ctx->n);
        veil_free_secret(sk->ntt,
                         sk->ctx->n_qp * sk->ctx->n * sizeof(uint64_t));
    }
    memset(sk, 0, sizeof(*sk));
}

veil_status bfv_keygen_secret(bfv_secret_key_t *sk, veil_rng_t *rng)
{
    if (sk == NULL || sk->ctx == NULL || rng == NULL)
        return VEIL_EINVAL;
    veil_rng_ternary(rng, sk->coeffs, sk->ctx->n);
    bfv_small_to_ntt(sk->ntt, sk->ctx, sk->coeffs, sk->ctx->n_qp);
    return VEIL_OK;
}

veil_status bfv_public_key_init(bfv_public_key_t *pk, const bfv_context_t *ctx)
{
    if (pk == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(pk, 0, sizeof(*pk));
    pk->data = veil_calloc(2 * ctx->n_q * ctx->n, sizeof(uint64_t));
    if (pk->data == NULL)
        return VEIL_ENOMEM;
    pk->ctx = ctx;
    return VEIL_OK;
}

void bfv_public_key_clear(bfv_public_key_t *pk)
{
    if (pk == NULL)
        return;
    veil_free(pk->data);
    memset(pk, 0, sizeof(*pk));
}

veil_status bfv_keygen_public(bfv_public_key_t *pk, const bfv_secret_key_t *sk,
                              veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    int8_t *e;

    if (pk == NULL || sk == NULL || rng == NULL || sk->ctx == NULL ||
        pk->ctx != sk->ctx)
        return VEIL_EINVAL;
    ctx = sk->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    e = veil_alloc(n);
    if (e == NULL)
        return VEIL_ENOMEM;
    veil_rng_bytes(rng, pk->seed, VEIL_SEED_BYTES);
    veil_rng_cbd(rng, e, n);
    bfv_expand_uniform(pk->data + L * n, ctx, pk->seed, 0, L);
    bfv_small_to_ntt(pk->data, ctx, e, L);
    veil_free_secret(e, n);
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(3 * L * n))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *b = pk->data + i * n;
        ntt_vec_muladd(pl, b, pk->data + (L + i) * n, sk->ntt + i * n);
        ntt_vec_neg(pl, b, b);
    }
    return VEIL_OK;
}
