/*
 * modswitch.c - modulus switching: a ciphertext mod Q = q_0 ... q_{L-1}
 * scaled to Q_l = q_0 ... q_{l-1} with one exact rounding, the number of
 * limbs a noise budget needs, and decryption and the noise budget at Q_l
 * (bfv.h, "modulus switching"; Kim, Polyakov and Zucca, ASIACRYPT 2021,
 * section 4; SEAL's divide_and_round_q_last for one prime).
 *
 * The rounding.  D = q_l ... q_{L-1} is odd, h = (D - 1) / 2.  For every
 * coefficient c of c_k, x = c + h, [x]_D in [0, D) and r = [x]_D - h the
 * centred remainder of c mod D, so that
 *     round(c / D) = floor(x / D) = (c - r) / D   (exact, no ties).
 * Steps, for each polynomial c_k:
 *   1. the dropped rows (primes d_j = q_{l+j}, j < k = L - l) are taken to
 *      coefficient form and h mod d_j is added: x mod d_j;
 *   2. per coefficient, mixed-radix conversion of x mod D:
 *      [x]_D = a_0 + d_0 (a_1 + d_1 (a_2 + ...)), a_j in [0, d_j), by
 *      a_j = x_j, then x_m <- (x_m - a_j) d_j^-1 mod d_m for m > j; then
 *      for every kept prime q_i, by Horner, r D^-1 mod q_i
 *      = ([x]_D mod q_i - h mod q_i) D^-1 mod q_i;
 *   3. that row goes to NTT form and c'_k = c_k D^-1 - r D^-1 mod q_i
 *      (the NTT is linear: the kept rows never leave NTT form).
 * Step 2 runs row by row on the pointwise kernels of ntt.h (vectorised
 * on every path), a residue of one prime being first reduced mod the other
 * (bfv_reduce_row).  Only integer arithmetic, every value fully reduced:
 * the same bits on every machine, ISA and thread count.
 */
#include "bfv_internal.h"
#include <string.h>

/* Largest ring degree is 2^17, so n^2 + n + 1 < 2^35 fits a word. */
static uint64_t rounding_r(const bfv_context_t *ctx, size_t size)
{
    const uint64_t n = ctx->n;
    return size == 3 ? 1 + n + n * n : 1 + n;
}

/* Q_l = q_0 ... q_{l-1}. */
static void q_prefix(mpz_t out, const bfv_context_t *ctx, size_t l)
{
    mpz_set_ui(out, 1);
    for (size_t i = 0; i < l; i++)
        mpz_mul_ui(out, out, ctx->params.q[i]);
}

/* ------------------------------------------------------------- storage */

veil_status bfv_ms_ciphertext_init(bfv_ms_ciphertext_t *ct,
                                   const bfv_context_t *ctx)
{
    if (ct == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(ct, 0, sizeof(*ct));
    ct->capacity = 3 * ctx->n_q * ctx->n;
    ct->data = veil_calloc(ct->capacity, sizeof(uint64_t));
    if (ct->data == NULL) {
        ct->capacity = 0;
        return VEIL_ENOMEM;
    }
    ct->ctx = ctx;
    return VEIL_OK;
}

void bfv_ms_ciphertext_clear(bfv_ms_ciphertext_t *ct)
{
    if (ct == NULL)
        return;
    veil_free(ct->data);
    memset(ct, 0, sizeof(*ct));
}

/* ------------------------------------------------------------ the limbs */

/* 1 if Q_l (2^-keep - 2^-budget) >= t R, i.e.
 * Q_l (2^(budget - keep) - 1) >= t R 2^budget (budget > keep). */
static int limbs_fit(const mpz_t ql, const bfv_context_t *ctx, uint64_t r,
                     int budget, int keep)
{
    mpz_t lhs, rhs;
    int ok;
    mpz_inits(lhs, rhs, NULL);
    mpz_set_ui(lhs, 1);
    mpz_mul_2exp(lhs, lhs, (mp_bitcnt_t)(budget - keep));
    mpz_sub_ui(lhs, lhs, 1);
    mpz_mul(lhs, lhs, ql);
    mpz_set_ui(rhs, ctx->params.t);
    mpz_mul_ui(rhs, rhs, r);
    mpz_mul_2exp(rhs, rhs, (mp_bitcnt_t)budget);
    ok = mpz_cmp(lhs, rhs) >= 0;
    mpz_clears(lhs, rhs, NULL);
    return ok;
}

veil_status bfv_mod_switch_limbs(size_t *limbs, const bfv_context_t *ctx,
                                 size_t size, int budget_bits, int keep_bits)
{
    mpz_t ql;
    veil_status st = VEIL_ENOISE;

    if (limbs == NULL || ctx == NULL || size < 2 || size > 3 || keep_bits < 1 ||
        budget_bits < 0 || budget_bits > 4096)
        return VEIL_EINVAL;
    *limbs = 0;
    if (budget_bits <= keep_bits)
        return VEIL_ENOISE;
    const uint64_t r = rounding_r(ctx, size);
    mpz_init_set_ui(ql, 1);
    for (size_t l = 1; l <= ctx->n_q; l++) {
        mpz_mul_ui(ql, ql, ctx->params.q[l - 1]);
        if (limbs_fit(ql, ctx, r, budget_bits, keep_bits)) {
            *limbs = l;
            st = VEIL_OK;
            break;
        }
    }
    mpz_clear(ql);
    return st;
}

/* ------------------------------------------------------------ switching */

/* Constants of one switch, made per call: O(L^2) words. */
typedef struct {
    size_t l, k;                          /* kept and dropped primes    */
    uint64_t h_drop[BFV_MAX_Q];           /* h mod d_j                  */
    uint64_t dinv[BFV_MAX_Q * BFV_MAX_Q]; /* [j * k + m]: d_j^-1 mod d_m */
    uint64_t dmod[BFV_MAX_Q * BFV_MAX_Q]; /* [i * k + j]: d_j mod q_i   */
    uint64_t h_keep[BFV_MAX_Q];           /* h mod q_i                  */
    uint64_t Dinv[BFV_MAX_Q];             /* D^-1 mod q_i               */
} ms_consts_t;

static veil_status ms_consts_init(ms_consts_t *c, const bfv_context_t *ctx,
                                  size_t l)
{
    const uint64_t *q = ctx->params.q;
    const size_t L = ctx->n_q, k = L - l;
    mpz_t D, h;
    veil_status st = VEIL_OK;

    c->l = l;
    c->k = k;
    mpz_init_set_ui(D, 1);
    mpz_init(h);
    for (size_t j = 0; j < k; j++)
        mpz_mul_ui(D, D, q[l + j]);
    mpz_sub_ui(h, D, 1);
    mpz_fdiv_q_2exp(h, h, 1);
    for (size_t j = 0; j < k && st == VEIL_OK; j++) {
        c->h_drop[j] = mpz_fdiv_ui(h, q[l + j]);
        for (size_t m = j + 1; m < k && st == VEIL_OK; m++)
            st =
                ntt_inv_mod(&c->dinv[j * k + m], q[l + j] % q[l + m], q[l + m]);
    }
    for (size_t i = 0; i < l && st == VEIL_OK; i++) {
        c->h_keep[i] = mpz_fdiv_ui(h, q[i]);
        st = ntt_inv_mod(&c->Dinv[i], mpz_fdiv_ui(D, q[i]), q[i]);
        for (size_t j = 0; j < k; j++)
            c->dmod[i * k + j] = q[l + j] % q[i];
    }
    mpz_clears(D, h, NULL);
    return st;
}

/* Step 2 for one polynomial, row by row with the vector kernels: x (k rows)
 * holds x mod d_j and becomes the mixed-radix digits a_j; corr (l rows)
 * receives r D^-1 mod q_i; tmp is one row of scratch. */
static void ms_digits(uint64_t *corr, uint64_t *x, uint64_t *tmp,
                      const ms_consts_t *c, const bfv_context_t *ctx)
{
    const size_t l = c->l, k = c->k, n = ctx->n;
    const ntt_plan_t *pl = ctx->plans;
    /* x_m <- (x_m - a_j) d_j^-1 mod d_m, a_j = x_j in [0, d_j) */
    for (size_t j = 0; j + 1 < k; j++)
        for (size_t m = j + 1; m < k; m++) {
            uint64_t *xm = x + m * n;
            const ntt_plan_t *pm = &pl[l + m];
            bfv_reduce_row(tmp, x + j * n, n, pl[l + j].q, pm);
            ntt_vec_sub(pm, xm, xm, tmp);
            ntt_vec_mul_scalar(pm, xm, xm, c->dinv[j * k + m]);
        }
    /* [x]_D mod q_i by Horner, then ([x]_D - h) D^-1 */
    for (size_t i = 0; i < l; i++) {
        uint64_t *acc = corr + i * n;
        bfv_reduce_row(acc, x + (k - 1) * n, n, pl[l + k - 1].q, &pl[i]);
        for (size_t j = k - 1; j-- > 0;) {
            ntt_vec_mul_scalar(&pl[i], acc, acc, c->dmod[i * k + j]);
            bfv_reduce_row(tmp, x + j * n, n, pl[l + j].q, &pl[i]);
            ntt_vec_add(&pl[i], acc, acc, tmp);
        }
        for (size_t col = 0; col < n; col++)
            tmp[col] = c->h_keep[i];
        ntt_vec_sub(&pl[i], acc, acc, tmp);
        ntt_vec_mul_scalar(&pl[i], acc, acc, c->Dinv[i]);
    }
}

veil_status bfv_mod_switch(bfv_ms_ciphertext_t *out, const bfv_ciphertext_t *ct,
                           size_t limbs)
{
    const bfv_context_t *ctx;
    ms_consts_t *c;
    uint64_t *work;
    mpz_t ql, need;
    int fits;
    veil_status st;

    if (out == NULL || ct == NULL || ct->ctx == NULL || out->ctx != ct->ctx ||
        out->data == NULL || ct->size < 2 || ct->size > 3 || limbs == 0 ||
        limbs > ct->ctx->n_q)
        return VEIL_EINVAL;
    ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q, l = limbs, k = L - l;
    const size_t size = ct->size, rows = L + 1;
    const uint64_t *q = ctx->params.q;

    /* refuse a modulus the rounding noise alone could overflow */
    mpz_inits(ql, need, NULL);
    q_prefix(ql, ctx, l);
    mpz_set_ui(need, ctx->params.t);
    mpz_mul_ui(need, need, rounding_r(ctx, size));
    mpz_mul_2exp(need, need, 1);
    fits = mpz_cmp(ql, need) >= 0;
    mpz_clears(ql, need, NULL);
    if (!fits)
        return VEIL_ENOISE;

    out->bits[0] = out->bits[1] = 0;
    if (k == 0) {
        memcpy(out->data, ct->data, size * L * n * sizeof(uint64_t));
        out->size = size;
        out->limbs = L;
        return VEIL_OK;
    }
    c = veil_alloc(sizeof(*c));
    if (c == NULL)
        return VEIL_ENOMEM;
    st = ms_consts_init(c, ctx, l);
    if (st != VEIL_OK) {
        veil_free(c);
        return VEIL_EPARAM; /* cannot happen for distinct primes */
    }
    /* per polynomial: k rows x, l rows r D^-1, one row of scratch */
    work = bfv_scratch(BFV_SCRATCH_TMP, size * rows * n);
    if (work == NULL) {
        veil_free(c);
        return VEIL_ENOMEM;
    }
    out->size = size;
    out->limbs = l;

    /* step 1: dropped rows to coefficient form, + h */
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(size * k, n, 2)))
    for (size_t pj = 0; pj < size * k; pj++) {
        const size_t p = pj / k, j = pj % k;
        const ntt_plan_t *pl = &ctx->plans[l + j];
        uint64_t *x = work + (p * rows + j) * n;
        const uint64_t hj = c->h_drop[j], dj = q[l + j];
        memcpy(x, bfv_ct_row(ct, p, l + j), n * sizeof(uint64_t));
        ntt_inverse(pl, x);
        for (size_t col = 0; col < n; col++)
            x[col] = ntt_add_mod(x[col], hj, dj);
    }
    /* step 2: mixed radix and the corrections, one polynomial per thread */
#pragma omp parallel for num_threads(veil_team()) schedule(                    \
    static) if (bfv_par(size * n * 3 * (k * (k - 1) / 2 + l * k + 2)))
    for (size_t p = 0; p < size; p++) {
        uint64_t *x = work + p * rows * n;
        ms_digits(x + k * n, x, x + L * n, c, ctx);
    }
    /* step 3: c' = c D^-1 - NTT(r D^-1) on the kept rows */
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(size * l, n, 2)))
    for (size_t pi = 0; pi < size * l; pi++) {
        const size_t p = pi / l, i = pi % l;
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *corr = work + (p * rows + k + i) * n;
        uint64_t *o = bfv_ms_ct_row(out, p, i);
        ntt_forward(pl, corr);
        ntt_vec_mul_scalar(pl, o, bfv_ct_row(ct, p, i), c->Dinv[i]);
        ntt_vec_sub(pl, o, o, corr);
    }
    veil_free(c);
    return VEIL_OK;
}

/* ---------------------------------------------------- decryption at Q_l */

/* x = c_0 + c_1 s (+ c_2 s^2) mod Q_l, coefficient form (l x n). */
static void ms_phase(uint64_t *x, const bfv_secret_key_t *sk,
                     const bfv_ms_ciphertext_t *ct)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(ct->limbs, n, 2 * ct->size)))
    for (size_t i = 0; i < ct->limbs; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t *s = sk->ntt + i * n; /* QP order: q_i first */
        uint64_t *xi = x + i * n;
        memcpy(xi, bfv_ms_ct_row(ct, ct->size - 1, i), n * sizeof(uint64_t));
        for (size_t k = ct->size - 1; k-- > 0;) {
            ntt_vec_mul(pl, xi, xi, s);
            ntt_vec_add(pl, xi, xi, bfv_ms_ct_row(ct, k, i));
        }
        ntt_inverse(pl, xi);
    }
}

static int ms_valid(const bfv_secret_key_t *sk, const bfv_ms_ciphertext_t *ct)
{
    return sk != NULL && ct != NULL && ct->ctx != NULL && sk->ctx == ct->ctx &&
           ct->data != NULL && ct->size >= 2 && ct->size <= 3 &&
           ct->limbs >= 1 && ct->limbs <= ct->ctx->n_q &&
           (ct->bits[0] == 0 ||
            (ct->size == 2 && ct->limbs == 1 &&
             bfv_ms_bits_valid(ct->ctx, ct->bits[0], ct->bits[1])));
}

veil_status bfv_decrypt_ms(bfv_plaintext_t *pt, const bfv_secret_key_t *sk,
                           const bfv_ms_ciphertext_t *ct)
{
    rns_base_t base;
    rns_scale_t scale;
    uint64_t *x;
    veil_status st;

    if (pt == NULL || !ms_valid(sk, ct) || pt->ctx != ct->ctx)
        return VEIL_EINVAL;
    if (ct->bits[0] != 0)
        return bfv_decrypt_pow2(pt, sk, ct);
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, l = ct->limbs;
    memset(&base, 0, sizeof(base));
    memset(&scale, 0, sizeof(scale));
    st = rns_base_init(&base, ctx->params.q, l);
    if (st == VEIL_OK)
        st = rns_scale_init(&scale, &base, NULL, ctx->params.t);
    x = st == VEIL_OK ? bfv_scratch(BFV_SCRATCH_TMP, l * n) : NULL;
    if (st == VEIL_OK && x == NULL)
        st = VEIL_ENOMEM;
    if (st == VEIL_OK) {
        ms_phase(x, sk, ct);
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par((l + 1) * n * BFV_WORK_CONV))
        for (size_t b = 0; b < BFV_COL_BLOCKS; b++) {
            const size_t len = n / BFV_COL_BLOCKS;
            _rns_scale_round(&scale, pt->coeffs + b * len, x + b * len, len, n);
        }
        veil_memzero(x, l * n * sizeof(uint64_t)); /* the phase reveals m */
    }
    rns_scale_clear(&scale);
    rns_base_clear(&base);
    return st;
}

veil_status bfv_noise_budget_ms(int *bits, const bfv_secret_key_t *sk,
                                const bfv_ms_ciphertext_t *ct)
{
    rns_base_t base;
    uint64_t *x, res[BFV_MAX_Q];
    mpz_t v, vmax, bound;
    long b;
    veil_status st;

    if (bits == NULL || !ms_valid(sk, ct))
        return VEIL_EINVAL;
    if (ct->bits[0] != 0)
        return bfv_noise_budget_pow2(bits, sk, ct);
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, l = ct->limbs;
    memset(&base, 0, sizeof(base));
    st = rns_base_init(&base, ctx->params.q, l);
    if (st != VEIL_OK)
        return st;
    x = veil_alloc(l * n * sizeof(uint64_t));
    if (x == NULL) {
        rns_base_clear(&base);
        return VEIL_ENOMEM;
    }
    ms_phase(x, sk, ct);
    mpz_inits(v, vmax, bound, NULL);
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < l; i++)
            res[i] = x[i * n + k];
        rns_compose_mpz(&base, v, res);
        mpz_mul_ui(v, v, ctx->params.t);
        mpz_mod(v, v, base.Q);
        if (mpz_cmp(v, base.Q_half) > 0)
            mpz_sub(v, base.Q, v); /* |centred v| */
        if (mpz_cmp(v, vmax) > 0)
            mpz_set(vmax, v);
    }
    /* the largest b with 2 max|v| 2^b <= Q_l, as bfv_noise_budget */
    if (mpz_sgn(vmax) == 0)
        mpz_set_ui(vmax, 1);
    mpz_mul_2exp(vmax, vmax, 1);
    b = (long)mpz_sizeinbase(base.Q, 2) - (long)mpz_sizeinbase(vmax, 2);
    mpz_mul_2exp(bound, vmax, b > 0 ? (mp_bitcnt_t)b : 0);
    if (b > 0 && mpz_cmp(bound, base.Q) > 0)
        b--;
    *bits = b > 0 ? (int)b : 0;
    mpz_clears(v, vmax, bound, NULL);
    veil_free_secret(x, l * n * sizeof(uint64_t));
    rns_base_clear(&base);
    return VEIL_OK;
}
