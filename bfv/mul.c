/*
 * mul.c - ciphertext multiplication in full RNS, the algorithm of Halevi,
 * Polyakov and Shoup ("An improved RNS variant of the BFV homomorphic
 * encryption scheme", CT-RSA 2019, section 4), on NTT-form ciphertexts.
 * doc/04-bfv-multiplication.md explains every step; the numbers match.
 *
 * The product of a = (a0, a1) and b = (b0, b1) is
 *     c = round(t/Q (a0 b0, a0 b1 + a1 b0, a1 b1)) mod Q,
 * the products taken over the integers with centred representatives.
 *   0. (context.c) an auxiliary base R with R > 2 t n Q: the integer
 *      products (|c| <= n Q^2 / 2) fit Q R, and t c / Q fits R;
 *   1. extend every input polynomial exactly from Q to R (centred, HPS
 *      "exact" conversion) and transform the new rows;
 *   2. tensor: multiply pointwise over Q u R (NTT form);
 *   3. inverse-transform the three products over Q u R;
 *   4. scale: round(t c / Q) mod R, from the residues over Q u R;
 *   5. convert the result exactly from R back to Q (centred);
 *   6. transform back to NTT form mod Q.
 * Steps 1, 4 and 5 are independent per coefficient: OpenMP splits the
 * columns into BFV_COL_BLOCKS blocks; the transforms and the tensor run in
 * parallel over rows.  Results do not depend on the thread count.
 */
#include "bfv_internal.h"
#include <string.h>

/* Workspace (the thread's MUL scratch): inputs in coefficient form mod Q
 * (np x L rows), the R rows of the extended inputs (np x M rows), the
 * products over Q u R (3 x (L + M) rows), the scaled result mod R
 * (3 x M rows). */
typedef struct {
    uint64_t *in_q;  /* np x L   */
    uint64_t *in_r;  /* np x M   */
    uint64_t *prod;  /* 3 x (L + M) */
    uint64_t *res_r; /* 3 x M    */
} mul_work_t;

static veil_status work_alloc(mul_work_t *w, const bfv_context_t *ctx,
                              size_t np)
{
    const size_t n = ctx->n, L = ctx->n_q, M = ctx->pre->mul.m;
    const size_t words = (np * L + np * M + 3 * (L + M) + 3 * M) * n;
    w->in_q = bfv_scratch(BFV_SCRATCH_MUL, words);
    if (w->in_q == NULL)
        return VEIL_ENOMEM;
    w->in_r = w->in_q + np * L * n;
    w->prod = w->in_r + np * M * n;
    w->res_r = w->prod + 3 * (L + M) * n;
    return VEIL_OK;
}

/* Step 1 for the np polynomials in[0..np) (each L rows, NTT form). */
static void extend(mul_work_t *w, const bfv_context_t *ctx,
                   const uint64_t *const *in, size_t np)
{
    const bfv_mul_tables_t *mt = &ctx->pre->mul;
    const size_t n = ctx->n, L = ctx->n_q, M = mt->m;
    const size_t blk = n / BFV_COL_BLOCKS;

#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par_op(ctx, bfv_work_ntt(np * L, n, 1)))
    for (size_t p = 0; p < np; p++)
        for (size_t i = 0; i < L; i++) {
            uint64_t *row = w->in_q + (p * L + i) * n;
            memcpy(row, in[p] + i * n, n * sizeof(uint64_t));
            ntt_inverse(&ctx->plans[i], row);
        }
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par_op(ctx, np * (L + M) * n * BFV_WORK_CONV))
    for (size_t p = 0; p < np; p++)
        for (size_t b = 0; b < BFV_COL_BLOCKS; b++)
            _rns_conv_apply_exact(&mt->q_to_r, w->in_r + p * M * n + b * blk,
                                  w->in_q + p * L * n + b * blk, blk, n);
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par_op(ctx, bfv_work_ntt(np * M, n, 0)))
    for (size_t p = 0; p < np; p++)
        for (size_t j = 0; j < M; j++)
            ntt_forward(&mt->plans[j], w->in_r + (p * M + j) * n);
}

/* The plan of row j of Q u R. */
static const ntt_plan_t *qr_plan(const bfv_context_t *ctx, size_t j)
{
    return j < ctx->n_q ? &ctx->plans[j] : &ctx->pre->mul.plans[j - ctx->n_q];
}

/* Row j of input polynomial p over Q u R (NTT form). */
static const uint64_t *qr_row(const mul_work_t *w, const bfv_context_t *ctx,
                              const uint64_t *const *in, size_t p, size_t j)
{
    const size_t n = ctx->n, L = ctx->n_q;
    return j < L ? in[p] + j * n : w->in_r + (p * ctx->pre->mul.m + j - L) * n;
}

/* Steps 3-6: from the three NTT-form products over Q u R in w->prod to the
 * size-3 NTT-form result in out. */
static void scale_down(bfv_ciphertext_t *out, mul_work_t *w,
                       const bfv_context_t *ctx)
{
    const bfv_mul_tables_t *mt = &ctx->pre->mul;
    const size_t n = ctx->n, L = ctx->n_q, M = mt->m, E = L + M;
    const size_t blk = n / BFV_COL_BLOCKS;

    /* Step 3 */
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par_op(ctx, bfv_work_ntt(3 * E, n, 0)))
    for (size_t k = 0; k < 3; k++)
        for (size_t j = 0; j < E; j++)
            ntt_inverse(qr_plan(ctx, j), w->prod + (k * E + j) * n);
            /* Steps 4 and 5 */
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par_op(ctx, 3 * (E + 2 * M + L) * n * BFV_WORK_CONV))
    for (size_t k = 0; k < 3; k++)
        for (size_t b = 0; b < BFV_COL_BLOCKS; b++) {
            _rns_scale_round(&mt->scale, w->res_r + k * M * n + b * blk,
                             w->prod + k * E * n + b * blk, blk, n);
            _rns_conv_apply_exact(&mt->r_to_q, bfv_ct_row(out, k, 0) + b * blk,
                                  w->res_r + k * M * n + b * blk, blk, n);
        }
        /* Step 6 */
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par_op(ctx, bfv_work_ntt(3 * L, n, 0)))
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < L; i++)
            ntt_forward(&ctx->plans[i], bfv_ct_row(out, k, i));
}

static int mul_args_ok(const bfv_ciphertext_t *out, const bfv_ciphertext_t *a,
                       const bfv_ciphertext_t *b)
{
    return out != NULL && a != NULL && b != NULL && a->ctx != NULL &&
           out->ctx == a->ctx && b->ctx == a->ctx && a->size == 2 &&
           b->size == 2;
}

veil_status bfv_mul(bfv_ciphertext_t *out, const bfv_ciphertext_t *a,
                    const bfv_ciphertext_t *b)
{
    const bfv_context_t *ctx;
    mul_work_t w;
    veil_status st;

    if (!mul_args_ok(out, a, b))
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(a) && bfv_ct_reduced(b));
    if (a == b)
        return bfv_square(out, a);
    ctx = a->ctx;
    const size_t n = ctx->n, E = ctx->n_q + ctx->pre->mul.m;
    const uint64_t *in[4] = {bfv_ct_row(a, 0, 0), bfv_ct_row(a, 1, 0),
                             bfv_ct_row(b, 0, 0), bfv_ct_row(b, 1, 0)};
    st = work_alloc(&w, ctx, 4);
    if (st != VEIL_OK)
        return st;
    extend(&w, ctx, in, 4);
    /* Step 2: (a0 b0, a0 b1 + a1 b0, a1 b1) */
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par_op(ctx, 8 * E * n))
    for (size_t j = 0; j < E; j++) {
        const ntt_plan_t *pl = qr_plan(ctx, j);
        const uint64_t *a0 = qr_row(&w, ctx, in, 0, j);
        const uint64_t *a1 = qr_row(&w, ctx, in, 1, j);
        const uint64_t *b0 = qr_row(&w, ctx, in, 2, j);
        const uint64_t *b1 = qr_row(&w, ctx, in, 3, j);
        uint64_t *c0 = w.prod + j * n, *c1 = w.prod + (E + j) * n;
        uint64_t *c2 = w.prod + (2 * E + j) * n;
        ntt_vec_mul(pl, c0, a0, b0);
        ntt_vec_mul(pl, c1, a0, b1);
        ntt_vec_muladd(pl, c1, a1, b0);
        ntt_vec_mul(pl, c2, a1, b1);
    }
    /* the inputs are consumed: out may be a or b from here on */
    st = bfv_ciphertext_resize(out, 3, 0);
    if (st == VEIL_OK)
        scale_down(out, &w, ctx);
    return st;
}

veil_status bfv_square(bfv_ciphertext_t *out, const bfv_ciphertext_t *a)
{
    const bfv_context_t *ctx;
    mul_work_t w;
    veil_status st;

    if (!mul_args_ok(out, a, a))
        return VEIL_EINVAL;
    ctx = a->ctx;
    const size_t n = ctx->n, E = ctx->n_q + ctx->pre->mul.m;
    const uint64_t *in[2] = {bfv_ct_row(a, 0, 0), bfv_ct_row(a, 1, 0)};
    st = work_alloc(&w, ctx, 2);
    if (st != VEIL_OK)
        return st;
    extend(&w, ctx, in, 2);
    /* Step 2: (a0^2, 2 a0 a1, a1^2) */
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par_op(ctx, 8 * E * n))
    for (size_t j = 0; j < E; j++) {
        const ntt_plan_t *pl = qr_plan(ctx, j);
        const uint64_t *a0 = qr_row(&w, ctx, in, 0, j);
        const uint64_t *a1 = qr_row(&w, ctx, in, 1, j);
        uint64_t *c0 = w.prod + j * n, *c1 = w.prod + (E + j) * n;
        uint64_t *c2 = w.prod + (2 * E + j) * n;
        ntt_vec_mul(pl, c0, a0, a0);
        ntt_vec_mul(pl, c1, a0, a1);
        ntt_vec_add(pl, c1, c1, c1);
        ntt_vec_mul(pl, c2, a1, a1);
    }
    st = bfv_ciphertext_resize(out, 3, 0);
    if (st == VEIL_OK)
        scale_down(out, &w, ctx);
    return st;
}

veil_status bfv_mul_relin(bfv_ciphertext_t *out, const bfv_ciphertext_t *a,
                          const bfv_ciphertext_t *b, const bfv_relin_key_t *rk)
{
    veil_status st;
    if (rk == NULL || out == NULL || rk->ctx != out->ctx)
        return VEIL_EINVAL;
    st = bfv_mul(out, a, b);
    if (st == VEIL_OK)
        st = bfv_relinearize(out, out, rk);
    return st;
}
