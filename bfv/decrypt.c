/*
 * decrypt.c - decryption in full RNS: the phase x = c0 + c1 s (+ c2 s^2) mod
 * Q, then m = round(t x / Q) mod t on the residues of x, without composing
 * it: the scale-and-round of Halevi, Polyakov and Shoup (CT-RSA 2019,
 * section 2.3), rns_scale_round in rns.h (doc/03-bfv.md, "Decryption in
 * RNS").  The rounding is exact except when the fractional part of t x / Q
 * lies within L 2^-63 above 1/2, i.e. only with a noise budget of 0.
 */
#include "bfv_internal.h"
#include <string.h>

void bfv_phase(uint64_t *x, const bfv_secret_key_t *sk,
               const bfv_ciphertext_t *ct)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(ctx->n_q, n, 2 * ct->size)))
    for (size_t i = 0; i < ctx->n_q; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t *s = sk->ntt + i * n;
        uint64_t *xi = x + i * n;
        /* Horner: ((c_{k-1} s + c_{k-2}) s + ...) s + c_0 */
        memcpy(xi, bfv_ct_row(ct, ct->size - 1, i), n * sizeof(uint64_t));
        for (size_t k = ct->size - 1; k-- > 0;) {
            ntt_vec_mul(pl, xi, xi, s);
            ntt_vec_add(pl, xi, xi, bfv_ct_row(ct, k, i));
        }
        ntt_inverse(pl, xi);
    }
}

veil_status bfv_decrypt(bfv_plaintext_t *pt, const bfv_secret_key_t *sk,
                        const bfv_ciphertext_t *ct)
{
    const bfv_context_t *ctx;
    uint64_t *x;

    if (pt == NULL || sk == NULL || ct == NULL || ct->ctx == NULL ||
        sk->ctx != ct->ctx || pt->ctx != ct->ctx || ct->size < 2 ||
        ct->size > 3)
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    x = bfv_scratch(BFV_SCRATCH_TMP, L * n);
    if (x == NULL)
        return VEIL_ENOMEM;
    bfv_phase(x, sk, ct);
    /* round(t x / Q) mod t, the columns split among the threads */
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par((ctx->n_q + 1) * n * BFV_WORK_CONV))
    for (size_t b = 0; b < BFV_COL_BLOCKS; b++) {
        const size_t len = n / BFV_COL_BLOCKS;
        _rns_scale_round(&ctx->pre->dec_scale, pt->coeffs + b * len,
                         x + b * len, len, n);
    }
    veil_memzero(x, L * n * sizeof(uint64_t)); /* the phase reveals m */
    return VEIL_OK;
}
