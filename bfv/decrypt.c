/*
 * decrypt.c - decryption in full RNS: the phase x = c0 + c1 s (+ c2 s^2) mod
 * Q, then m = round(t x / Q) mod t without composing x
 * (doc/03-bfv.md, "Decryption in RNS").
 *
 * With y_i = [x_i (Q/q_i)^-1]_{q_i}, x = sum_i y_i Q/q_i - a Q for an integer
 * a, so t x / Q = sum_i y_i t / q_i - a t and
 *     m = round(sum_i y_i t / q_i) mod t.
 * Write t / q_i = w_i + f_i (integer part w_i, fraction f_i in [0, 1)) and
 * keep F_i = floor(f_i 2^64): then
 *     m = sum_i y_i w_i + round(sum_i y_i F_i / 2^64)  mod t,
 * with a total error below L 2^50 / 2^64 = L 2^-14 in the rounded sum.  It
 * can only matter when the noise is within a 2^-12 fraction of the
 * decryption bound, that is with a noise budget of 0 bits (Halevi, Polyakov
 * and Shoup, "An improved RNS variant of the BFV homomorphic encryption
 * scheme", CT-RSA 2019, section 3.1, with 64-bit fixed point in place of
 * floating point).
 */
#include <string.h>
#include "bfv_internal.h"

void bfv_phase(uint64_t *x, const bfv_secret_key_t *sk,
               const bfv_ciphertext_t *ct)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n;
#pragma omp parallel for schedule(static)
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
    const struct bfv_precomp *pre;
    uint64_t *x;

    if (pt == NULL || sk == NULL || ct == NULL || ct->ctx == NULL ||
        sk->ctx != ct->ctx || pt->ctx != ct->ctx || ct->size < 2 ||
        ct->size > 3)
        return VEIL_EINVAL;
    ctx = ct->ctx;
    pre = ctx->pre;
    const size_t n = ctx->n, L = ctx->n_q;
    const uint64_t t = ctx->params.t;
    x = veil_alloc(L * n * sizeof(uint64_t));
    if (x == NULL)
        return VEIL_ENOMEM;
    bfv_phase(x, sk, ct);
    /* y_i = x_i (Q/q_i)^-1 mod q_i, in place */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < L; i++)
        ntt_vec_mul_scalar(&ctx->plans[i], x + i * n, x + i * n,
                           ctx->base_q.qhat_inv[i]);
    for (size_t k = 0; k < n; k++) {
        unsigned __int128 s = (unsigned __int128)1 << 63; /* rounds */
        uint64_t m;
        for (size_t i = 0; i < L; i++)
            s += (unsigned __int128)x[i * n + k] * pre->dec_frac[i];
        m = ntt_reduce128(0, (uint64_t)(s >> 64), &pre->t_mod);
        if (pre->dec_has_int) /* t > some q_i: the integer parts w_i */
            for (size_t i = 0; i < L; i++)
                m = ntt_add_mod(m, ntt_mul_mod(x[i * n + k] % t,
                                               pre->dec_int[i], &pre->t_mod),
                                t);
        pt->coeffs[k] = m;
    }
    veil_free_secret(x, L * n * sizeof(uint64_t));
    return VEIL_OK;
}
