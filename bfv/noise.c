/*
 * noise.c - the exact invariant noise budget (doc/03-bfv.md, "Noise").
 *
 * With x = c0 + c1 s + ... mod Q, t x = Q (m + k t) + v for the centred
 * v = [t x]_Q, and decryption rounds t x / Q = m + k t + v / Q: it is right
 * exactly while |v| < Q / 2 for every coefficient.  The budget is the
 * number of doublings v can still take: floor(log2(Q / (2 max |v|))).
 * Every coefficient is composed exactly with GMP (rns.h): a diagnostic.
 */
#include "bfv_internal.h"

veil_status bfv_noise_budget(int *bits, const bfv_secret_key_t *sk,
                             const bfv_ciphertext_t *ct)
{
    const bfv_context_t *ctx;
    uint64_t *x, res[BFV_MAX_Q];
    mpz_t v, vmax, bound;
    long b;

    if (bits == NULL || sk == NULL || ct == NULL || ct->ctx == NULL ||
        sk->ctx != ct->ctx || ct->size < 2 || ct->size > 3)
        return VEIL_EINVAL;
    ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    const mpz_srcptr Q = ctx->base_q.Q;
    x = veil_alloc(L * n * sizeof(uint64_t));
    if (x == NULL)
        return VEIL_ENOMEM;
    bfv_phase(x, sk, ct);
    mpz_inits(v, vmax, bound, NULL);
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < L; i++)
            res[i] = x[i * n + k];
        rns_compose_mpz(&ctx->base_q, v, res);
        mpz_mul_ui(v, v, ctx->params.t);
        mpz_mod(v, v, Q);
        if (mpz_cmp(v, ctx->base_q.Q_half) > 0)
            mpz_sub(v, Q, v); /* |centred v| */
        if (mpz_cmp(v, vmax) > 0)
            mpz_set(vmax, v);
    }
    /* the largest b with 2 max|v| 2^b <= Q (b = log2(Q) - 1 if v = 0) */
    if (mpz_sgn(vmax) == 0)
        mpz_set_ui(vmax, 1);
    mpz_mul_2exp(vmax, vmax, 1);
    b = (long)mpz_sizeinbase(Q, 2) - (long)mpz_sizeinbase(vmax, 2);
    mpz_mul_2exp(bound, vmax, b > 0 ? (mp_bitcnt_t)b : 0);
    if (b > 0 && mpz_cmp(bound, Q) > 0)
        b--;
    *bits = b > 0 ? (int)b : 0;
    mpz_clears(v, vmax, bound, NULL);
    veil_free_secret(x, L * n * sizeof(uint64_t));
    return VEIL_OK;
}
