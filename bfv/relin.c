/*
 * relin.c - relinearization: the key switching s^2 -> s applied to c_2 of a
 * product (doc/05-key-switching.md, "Relinearization").
 */
#include "bfv_internal.h"
#include <string.h>

veil_status bfv_relin_key_init(bfv_relin_key_t *rk, const bfv_context_t *ctx)
{
    veil_status st;
    if (rk == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(rk, 0, sizeof(*rk));
    st = bfv_kswitch_key_alloc(&rk->ksk, ctx);
    if (st != VEIL_OK)
        return st;
    rk->ctx = ctx;
    return VEIL_OK;
}

void bfv_relin_key_clear(bfv_relin_key_t *rk)
{
    if (rk == NULL)
        return;
    if (rk->ctx != NULL)
        bfv_kswitch_key_free(&rk->ksk);
    memset(rk, 0, sizeof(*rk));
}

veil_status bfv_keygen_relin(bfv_relin_key_t *rk, const bfv_secret_key_t *sk,
                             veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    uint64_t *s2;
    veil_status st;
    if (rk == NULL || sk == NULL || rng == NULL || sk->ctx == NULL ||
        rk->ctx != sk->ctx)
        return VEIL_EINVAL;
    ctx = sk->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    s2 = veil_alloc(L * n * sizeof(uint64_t));
    if (s2 == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < L; i++)
        ntt_vec_mul(&ctx->plans[i], s2 + i * n, sk->ntt + i * n,
                    sk->ntt + i * n);
    st = bfv_kswitch_keygen(&rk->ksk, sk, NULL, s2, rng);
    veil_free_secret(s2, L * n * sizeof(uint64_t));
    return st;
}

veil_status bfv_relinearize(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                            const bfv_relin_key_t *rk)
{
    const bfv_context_t *ctx;
    uint64_t *work;
    veil_status st;

    if (out == NULL || ct == NULL || rk == NULL || ct->ctx == NULL ||
        out->ctx != ct->ctx || rk->ctx != ct->ctx)
        return VEIL_EINVAL;
    if (ct->size == 3 && rk->ksk.data == NULL)
        return VEIL_ENOKEY; /* initialised, never generated or restricted */
    if (ct->size == 2)
        return bfv_ciphertext_copy(out, ct);
    if (ct->size != 3)
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q, words = bfv_ks_work_words(ctx);
    work = bfv_scratch(BFV_SCRATCH_KS, words + 2 * L * n);
    if (work == NULL)
        return VEIL_ENOMEM;
    uint64_t *y = work + words;

    /* (c0 + y0, c1 + y1) with y0 + y1 s = c2 s^2 + e_ks */
    bfv_ks_switch(y, ctx, bfv_ct_row(ct, 2, 0), &rk->ksk, work);
    st = bfv_ciphertext_resize(out, 2, 1);
    if (st == VEIL_OK) {
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(2 * L * n))
        for (size_t k = 0; k < 2; k++)
            for (size_t i = 0; i < L; i++)
                ntt_vec_add(&ctx->plans[i], bfv_ct_row(out, k, i),
                            bfv_ct_row(ct, k, i), y + (k * L + i) * n);
    }
    return st;
}
