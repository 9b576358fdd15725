/*
 * encrypt.c - public-key and symmetric encryption, and D(m) = round(Q m / t),
 * the scaled message both add (doc/03-bfv.md, "Encryption").
 *
 * Fresh ciphertexts come out in NTT form, like every ciphertext.  Random
 * polynomials are drawn sequentially from the caller's generator before any
 * parallel loop, so a seeded generator gives the same ciphertext for any
 * OMP_NUM_THREADS.
 */
#include "bfv_internal.h"
#include <string.h>

/* round(r_t m / t) for m in [0, t): Shoup-style quotient from
 * r_t_quot = floor(r_t 2^64 / t) (off by at most one, then corrected), and
 * rounding half up from the remainder. */
static uint64_t round_frac(uint64_t m, const struct bfv_precomp *pre,
                           uint64_t t)
{
    uint64_t quo = (uint64_t)(((unsigned __int128)m * pre->r_t_quot) >> 64);
    uint64_t rem = m * pre->r_t - quo * t; /* true value in [0, 2t) */
    if (rem >= t) {
        quo++;
        rem -= t;
    }
    return quo + (2 * rem >= t ? 1 : 0);
}

void bfv_scale_plain(uint64_t *out, const bfv_context_t *ctx, const uint64_t *m,
                     const int8_t *e, uint64_t *frac)
{
    const struct bfv_precomp *pre = ctx->pre;
    const size_t n = ctx->n, L = ctx->n_q;
    const uint64_t t = ctx->params.t;
    /* w = round((Q mod t) m / t) + e, the same for every row, in (-128,
     * t + 128): the scratch words as signed integers */
    int64_t *w = (int64_t *)frac;

    VEIL_ASSERT(out != NULL && frac != NULL && veil_all_below(m, n, t));
    /* D(m) = floor(Q/t) m + round((Q mod t) m / t) */
    for (size_t k = 0; k < n; k++)
        w[k] = (int64_t)round_frac(m[k], pre, t) + (e != NULL ? e[k] : 0);
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(3 * L * n))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *o = out + i * n;
        bfv_reduce_row(o, m, n, t, pl);
        ntt_vec_mul_scalar(pl, o, o, pre->delta[i]);
        if (t < pl->q - 128) { /* |w| < q: one vector pass */
            ntt_vec_add_signed(pl, o, o, w);
        } else {
            for (size_t k = 0; k < n; k++) {
                uint64_t r = ntt_reduce128(
                    0, w[k] < 0 ? (uint64_t)-w[k] : (uint64_t)w[k], &pl->mod);
                o[k] = w[k] < 0 ? ntt_sub_mod(o[k], r, pl->q)
                                : ntt_add_mod(o[k], r, pl->q);
            }
        }
    }
}

/* c0 rows = NTT(D(m) + e) for the small error e[0..n). */
static veil_status encode_with_error(uint64_t *c0, const bfv_context_t *ctx,
                                     const bfv_plaintext_t *pt, const int8_t *e)
{
    const size_t n = ctx->n;
    uint64_t *frac = bfv_scratch(BFV_SCRATCH_PLAIN, n);
    if (frac == NULL)
        return VEIL_ENOMEM;
    bfv_scale_plain(c0, ctx, pt->coeffs, e, frac);
    veil_memzero(frac, n * sizeof(uint64_t)); /* depends on m and e */
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(ctx->n_q, n, 1)))
    for (size_t i = 0; i < ctx->n_q; i++)
        ntt_forward(&ctx->plans[i], c0 + i * n);
    return VEIL_OK;
}

veil_status bfv_encrypt(bfv_ciphertext_t *ct, const bfv_public_key_t *pk,
                        const bfv_plaintext_t *pt, veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    int8_t *small = NULL;
    uint64_t *u = NULL;
    veil_status st;

    if (ct == NULL || pk == NULL || pt == NULL || rng == NULL ||
        pk->ctx == NULL || ct->ctx != pk->ctx || pt->ctx != pk->ctx)
        return VEIL_EINVAL;
    ctx = pk->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    st = bfv_ciphertext_resize(ct, 2, 0);
    if (st != VEIL_OK)
        return st;
    small = veil_alloc(3 * n);
    u = bfv_scratch(BFV_SCRATCH_TMP, L * n);
    if (small == NULL || u == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    /* u ternary, e0 and e1 centred binomial, in this order */
    veil_rng_ternary(rng, small, n);
    veil_rng_cbd(rng, small + n, 2 * n);

    bfv_small_to_ntt(u, ctx, small, L);
    st = encode_with_error(bfv_ct_row(ct, 0, 0), ctx, pt, small + n);
    if (st != VEIL_OK)
        goto done;
    bfv_small_to_ntt(bfv_ct_row(ct, 1, 0), ctx, small + 2 * n, L);
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(4 * L * n))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        ntt_vec_muladd2(pl, bfv_ct_row(ct, 0, i), bfv_ct_row(ct, 1, i),
                        pk->data + i * n, pk->data + (L + i) * n, u + i * n);
    }
done:
    veil_free_secret(small, 3 * n);
    if (u != NULL) /* u would let anyone strip the encryption */
        veil_memzero(u, L * n * sizeof(uint64_t));
    return st;
}

veil_status bfv_encrypt_symmetric(bfv_ciphertext_t *ct,
                                  const bfv_secret_key_t *sk,
                                  const bfv_plaintext_t *pt, veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    int8_t *e;
    uint8_t seed[VEIL_SEED_BYTES];
    veil_status st;

    if (ct == NULL || sk == NULL || pt == NULL || rng == NULL ||
        sk->ctx == NULL || ct->ctx != sk->ctx || pt->ctx != sk->ctx)
        return VEIL_EINVAL;
    ctx = sk->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    st = bfv_ciphertext_resize(ct, 2, 0);
    if (st != VEIL_OK)
        return st;
    e = veil_alloc(n);
    if (e == NULL)
        return VEIL_ENOMEM;
    veil_rng_bytes(rng, seed, VEIL_SEED_BYTES);
    veil_rng_cbd(rng, e, n);

    /* c1 = a from the seed; c0 = D(m) + e - a s */
    bfv_expand_uniform(bfv_ct_row(ct, 1, 0), ctx, seed, 0, L);
    st = encode_with_error(bfv_ct_row(ct, 0, 0), ctx, pt, e);
    veil_free_secret(e, n);
    if (st != VEIL_OK)
        return st;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(4 * L * n))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *c0 = bfv_ct_row(ct, 0, i);
        /* c0 = -( -c0 + a s ) */
        ntt_vec_neg(pl, c0, c0);
        ntt_vec_muladd(pl, c0, bfv_ct_row(ct, 1, i), sk->ntt + i * n);
        ntt_vec_neg(pl, c0, c0);
    }
    memcpy(ct->seed, seed, VEIL_SEED_BYTES);
    ct->seeded = 1;
    return VEIL_OK;
}
