/*
 * rerandomize.c - circuit privacy for a ciphertext that goes back to the
 * key holder (bfv.h, "modulus switching", last part): re-randomization by
 * a fresh public-key encryption of zero and noise flooding (Gentry's
 * thesis, section 21; as in mpc_bfv.h for triple replies).
 *
 * The phase of ct is c_0 + c_1 s = D(m) + e.  Adding Enc_pk(0) = (b u +
 * e_0, a u + e_1) makes c_1 pseudorandom (RLWE), so c_1 no longer tells
 * how it was computed; adding F, coefficients uniform in [-2^f, 2^f), to
 * c_0 turns e into e + F, and if |e_k| <= W for every coefficient,
 *     SD(e + F, F) <= n W / 2^(f + 1)
 * (per coefficient the two uniform windows overlap but for |e_k| values
 * out of 2^(f + 1)).  bfv_flood_bits picks f so that this is at most
 * 2^-lambda for the W a noise budget implies.
 */
#include "bfv_internal.h"
#include <string.h>

/* Largest centred-binomial error (veil_rng_cbd, sigma 3.24: 21 coin pairs). */
#define CBD_MAX 21

/* W = floor(Q / (t 2^(b + 1))) + t: a bound on the phase noise |e_k| of a
 * ciphertext with budget b (2 |v| 2^b <= Q and t e = v + (Q mod t) m, so
 * |e| <= |v| / t + t / 2); plus the fresh noise of Enc_pk(0), at most
 * CBD_MAX (2n + 1) (e_0 + e u + e_1 s with u, s ternary). */
static void noise_bound(mpz_t w, const bfv_context_t *ctx, int b)
{
    mpz_fdiv_q_2exp(w, ctx->base_q.Q, (mp_bitcnt_t)b + 1);
    mpz_fdiv_q_ui(w, w, ctx->params.t);
    mpz_add_ui(w, w, ctx->params.t);
    mpz_add_ui(w, w, CBD_MAX * (2 * (uint64_t)ctx->n + 1));
}

veil_status bfv_flood_bits(unsigned *bits, int *budget_after,
                           const bfv_context_t *ctx, int budget_bits,
                           unsigned lambda)
{
    mpz_t w;
    long f, after;
    if (bits == NULL || budget_after == NULL || ctx == NULL ||
        budget_bits < 0 || budget_bits > 4096 || lambda > 256)
        return VEIL_EINVAL;
    *bits = 0;
    *budget_after = 0;
    mpz_init(w);
    noise_bound(w, ctx, budget_bits);
    /* n W / 2^(f + 1) <= 2^-lambda with W < 2^bitlen(W) */
    f = (long)lambda + (long)ctx->logn + (long)mpz_sizeinbase(w, 2) - 1;
    mpz_clear(w);
    /* after flooding |e| < W + 2^f <= 2^(f + 1), |v| <= t |e| + t^2 / 2
     * < 2^(f + 2 + bitlen t): budget >= bitlen(Q) - 1 - (f + 3 + bitlen t)
     */
    after = (long)mpz_sizeinbase(ctx->base_q.Q, 2) - 1 -
            (f + 3 + (long)(64 - __builtin_clzll(ctx->params.t)));
    if (after < 1)
        return VEIL_ENOISE;
    *bits = (unsigned)f;
    *budget_after = (int)after;
    return VEIL_OK;
}

/* c_0 += F, F_k uniform in [-2^f, 2^f): U uniform in [0, 2^(f + 1)) from
 * W = ceil((f + 1) / 64) words u_v, reduced mod every q_i as
 *     U = sum_v u_v 2^(64 v) = sum_v u_v [2^(64 v) mod q_i]   (mod q_i),
 * one Shoup product per word (any 64-bit u_v, each in [0, 2 q_i), their
 * sum below 2 W q_i < 2^64) and one Barrett reduction, minus 2^f; then to
 * NTT form. */
static veil_status add_flood(bfv_ciphertext_t *ct, unsigned f, veil_rng_t *rng)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    const size_t words = (f + 1 + 63) / 64;
    const unsigned top = (f + 1) % 64; /* bits used in the top word */
    uint64_t *u = veil_alloc(n * words * sizeof(uint64_t));
    uint64_t *rows = veil_alloc(L * n * sizeof(uint64_t));
    /* pw[2 (i W + v)], pw[2 (i W + v) + 1]: 2^(64 v) mod q_i, its Shoup
     * constant */
    uint64_t *pw = veil_alloc(2 * L * words * sizeof(uint64_t));
    uint64_t half[BFV_MAX_Q];
    if (u == NULL || rows == NULL || pw == NULL) {
        veil_free(u);
        veil_free(rows);
        veil_free(pw);
        return VEIL_ENOMEM;
    }
    veil_rng_bytes(rng, u, n * words * sizeof(uint64_t));
    if (top != 0)
        for (size_t k = 0; k < n; k++)
            u[k * words + words - 1] &= (UINT64_C(1) << top) - 1;
    for (size_t i = 0; i < L; i++) {
        const ntt_modulus_t *m = &ctx->plans[i].mod;
        uint64_t p = 1, w = 1;
        for (unsigned b = 0; b < f; b++)
            p = ntt_add_mod(p, p, m->q);
        half[i] = p; /* 2^f mod q_i */
        for (size_t v = 0; v < words; v++) {
            pw[2 * (i * words + v)] = w;
            pw[2 * (i * words + v) + 1] = ntt_shoup_precomp(w, m->q);
            w = ntt_reduce128(w, 0, m); /* times 2^64 */
        }
    }
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(L, n, 2 + words)))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t *wi = pw + 2 * i * words;
        uint64_t *row = rows + i * n;
        for (size_t k = 0; k < n; k++) {
            const uint64_t *uk = u + k * words;
            uint64_t r = 0;
            for (size_t v = 0; v < words; v++)
                r += ntt_mul_shoup_lazy(uk[v], wi[2 * v], wi[2 * v + 1], pl->q);
            row[k] = ntt_sub_mod(ntt_reduce128(0, r, &pl->mod), half[i], pl->q);
        }
        ntt_forward(pl, row);
        ntt_vec_add(pl, bfv_ct_row(ct, 0, i), bfv_ct_row(ct, 0, i), row);
    }
    veil_free_secret(u, n * words * sizeof(uint64_t));
    veil_free_secret(rows, L * n * sizeof(uint64_t));
    veil_free(pw);
    return VEIL_OK;
}

veil_status bfv_rerandomize(bfv_ciphertext_t *ct, const bfv_public_key_t *pk,
                            unsigned flood_bits, veil_rng_t *rng)
{
    bfv_ciphertext_t z;
    bfv_plaintext_t zero;
    veil_status st;
    if (ct == NULL || pk == NULL || rng == NULL || ct->ctx == NULL ||
        pk->ctx != ct->ctx || ct->size != 2 ||
        flood_bits + 3 > mpz_sizeinbase(ct->ctx->base_q.Q, 2))
        return VEIL_EINVAL;
    memset(&z, 0, sizeof(z));
    memset(&zero, 0, sizeof(zero));
    st = bfv_plaintext_init(&zero, ct->ctx); /* all zero */
    if (st == VEIL_OK)
        st = bfv_ciphertext_init(&z, ct->ctx);
    if (st == VEIL_OK)
        st = bfv_encrypt(&z, pk, &zero, rng);
    if (st == VEIL_OK)
        st = bfv_add(ct, ct, &z);
    if (st == VEIL_OK && flood_bits > 0)
        st = add_flood(ct, flood_bits, rng);
    bfv_ciphertext_clear(&z);
    bfv_plaintext_clear(&zero);
    return st;
}
