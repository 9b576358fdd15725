/*
 * context.c - bfv_context_t: NTT plans for every prime of QP, the RNS bases,
 * the slot map of the batch encoder and the evaluator tables
 * (bfv_internal.h).  Everything here is computed once, with GMP where
 * convenient; nothing here is on an evaluation path.
 */
#include "bfv_internal.h"
#include <flint/ulong_extras.h>
#include <gmp.h>
#include <string.h>

/* Reverse the low `bits` bits of x (1 <= bits <= 32): swap halves,
 * quarters, ... of the 32-bit word, then drop the low 32 - bits bits. */
static inline uint32_t bitrev(uint32_t x, unsigned bits)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
    x = (x >> 16) | (x << 16);
    return x >> (32 - bits);
}

/* Slot s (row-major in the 2 x n/2 matrix) is the evaluation of m(X) at
 * zeta^e with e = 3^c (row 0) or -3^c (row 1) mod 2n, c its column; the NTT
 * puts the evaluation at zeta^(2k+1) at index bitrev(k) (ntt.h).  doc/06. */
static void build_slot_map(uint32_t *map, size_t n, unsigned logn)
{
    const uint64_t m = 2 * (uint64_t)n;
    uint64_t pow3 = 1;
    for (size_t c = 0; c < n / 2; c++) {
        uint64_t e0 = pow3, e1 = m - pow3;
        map[c] = bitrev((uint32_t)((e0 - 1) / 2), logn);
        map[n / 2 + c] = bitrev((uint32_t)((e1 - 1) / 2), logn);
        pow3 = pow3 * 3 % m;
    }
}

void bfv_galois_perm(uint32_t *perm, const bfv_context_t *ctx, uint64_t elt)
{
    const uint64_t m = 2 * (uint64_t)ctx->n, mmask = m - 1; /* m = 2^k */
    VEIL_ASSERT(perm != NULL && elt % 2 == 1 && elt < m);
    for (size_t k = 0; k < ctx->n; k++) {
        /* index k holds the value at zeta^e, e = 2 bitrev(k) + 1; after
         * X -> X^elt it holds the old value at zeta^(e elt). */
        uint64_t e = 2 * (uint64_t)bitrev((uint32_t)k, ctx->logn) + 1;
        uint64_t f = (e * elt) & mmask;
        perm[k] = bitrev((uint32_t)((f - 1) / 2), ctx->logn);
    }
}

static uint64_t mpz_mod_u64(const mpz_t x, uint64_t q)
{
    return mpz_fdiv_ui(x, q);
}

/* Key-switching tables (bfv_internal.h).  Returns VEIL_ENOMEM or a base
 * init status. */
static veil_status ks_tables_init(bfv_ks_tables_t *ks, const bfv_context_t *ctx)
{
    const size_t L = ctx->n_q, K = ctx->n_p, LK = ctx->n_qp;
    const size_t D = (L + K - 1) / K;
    uint64_t primes[BFV_MAX_Q + BFV_MAX_P];
    veil_status st = VEIL_OK;

    for (size_t i = 0; i < LK; i++)
        primes[i] = ctx->plans[i].q;
    ks->digits = D;
    ks->n_rows = LK;
    ks->first = veil_calloc(D, sizeof(size_t));
    ks->size = veil_calloc(D, sizeof(size_t));
    ks->digit_base = veil_calloc(D, sizeof(rns_base_t));
    ks->prime_base = veil_calloc(LK, sizeof(rns_base_t));
    ks->up = veil_calloc(D * LK, sizeof(rns_conv_t));
    ks->half_ntt = veil_calloc(LK * ctx->n, sizeof(uint64_t));
    ks->p_mod_q = veil_calloc(L, sizeof(uint64_t));
    ks->p_inv = veil_calloc(L, sizeof(uint64_t));
    if (!ks->first || !ks->size || !ks->digit_base || !ks->prime_base ||
        !ks->up || !ks->half_ntt || !ks->p_mod_q || !ks->p_inv)
        return VEIL_ENOMEM;

    for (size_t j = 0; j < LK && st == VEIL_OK; j++)
        st = rns_base_init(&ks->prime_base[j], primes + j, 1);
    for (size_t d = 0; d < D && st == VEIL_OK; d++) {
        ks->first[d] = d * K;
        ks->size[d] = (d * K + K <= L) ? K : L - d * K;
        st = rns_base_init(&ks->digit_base[d], primes + ks->first[d],
                           ks->size[d]);
        for (size_t j = 0; j < LK && st == VEIL_OK && ks->size[d] >= 2; j++)
            if (j < ks->first[d] || j >= ks->first[d] + ks->size[d])
                st = rns_conv_init(&ks->up[d * LK + j], &ks->digit_base[d],
                                   &ks->prime_base[j]);
    }
    if (st == VEIL_OK)
        st = rns_conv_init(&ks->down, &ctx->base_p, &ctx->base_q);
    if (st != VEIL_OK)
        return st;

    /* P mod q_i, P^-1 mod q_i, and the NTT of h (1 + X + ... + X^(n-1)),
     * h = floor(P/2), mod every prime of QP */
    for (size_t i = 0; i < LK; i++) {
        uint64_t *row = ks->half_ntt + i * ctx->n;
        uint64_t h = mpz_mod_u64(ctx->base_p.Q_half, primes[i]);
        for (size_t k = 0; k < ctx->n; k++)
            row[k] = h;
        ntt_forward(&ctx->plans[i], row);
    }
    for (size_t i = 0; i < L && st == VEIL_OK; i++) {
        ks->p_mod_q[i] = mpz_mod_u64(ctx->base_p.Q, primes[i]);
        st = ntt_inv_mod(&ks->p_inv[i], ks->p_mod_q[i], primes[i]);
    }
    return st;
}

static void ks_tables_clear(bfv_ks_tables_t *ks)
{
    /* the entries of a partially built table are zero-filled (veil_calloc),
     * which rns_*_clear accept */
    const size_t LK = ks->prime_base != NULL ? ks->n_rows : 0;
    if (ks->up != NULL)
        for (size_t i = 0; i < ks->digits * LK; i++)
            rns_conv_clear(&ks->up[i]);
    if (ks->digit_base != NULL)
        for (size_t d = 0; d < ks->digits; d++)
            rns_base_clear(&ks->digit_base[d]);
    for (size_t j = 0; j < LK; j++)
        rns_base_clear(&ks->prime_base[j]);
    rns_conv_clear(&ks->down);
    veil_free(ks->first);
    veil_free(ks->size);
    veil_free(ks->digit_base);
    veil_free(ks->prime_base);
    veil_free(ks->up);
    veil_free(ks->half_ntt);
    veil_free(ks->p_mod_q);
    veil_free(ks->p_inv);
    memset(ks, 0, sizeof(*ks));
}

/* The auxiliary base of multiplication: the largest NTT primes of
 * NTT_MAX_PRIME_BITS bits outside Q, P and t, as few as give
 * R >= 2^(log Q + log n + log t + 1) > 2 t n Q (doc/04, step 0). */
static veil_status mul_tables_init(bfv_mul_tables_t *mt,
                                   const bfv_context_t *ctx)
{
    uint64_t used[BFV_MAX_Q + BFV_MAX_P + 1], r[RNS_MAX_PRIMES];
    size_t n_used = 0;
    const size_t need = mpz_sizeinbase(ctx->base_q.Q, 2) + ctx->logn +
                        (size_t)(64 - __builtin_clzll(ctx->params.t)) + 1;
    veil_status st;

    for (size_t i = 0; i < ctx->n_qp; i++)
        used[n_used++] = ctx->plans[i].q;
    used[n_used++] = ctx->params.t;
    /* each prime exceeds 2^(bits - 1); one more if the product falls short */
    mt->m = (need + NTT_MAX_PRIME_BITS - 2) / (NTT_MAX_PRIME_BITS - 1);
    for (;;) {
        if (mt->m > RNS_MAX_PRIMES)
            return VEIL_EPARAM;
        st = ntt_primes_generate(r, mt->m, NTT_MAX_PRIME_BITS, ctx->n, used,
                                 n_used);
        if (st == VEIL_OK)
            st = rns_base_init(&mt->base_r, r, mt->m);
        if (st != VEIL_OK)
            return st;
        if (mpz_sizeinbase(mt->base_r.Q, 2) > need)
            break;
        rns_base_clear(&mt->base_r);
        mt->m++;
    }
    mt->plans = veil_calloc(mt->m, sizeof(ntt_plan_t));
    if (mt->plans == NULL)
        return VEIL_ENOMEM;
    for (size_t j = 0; j < mt->m && st == VEIL_OK; j++)
        st = ntt_plan_init(&mt->plans[j], ctx->n, r[j]);
    if (st == VEIL_OK)
        st = rns_conv_init(&mt->q_to_r, &ctx->base_q, &mt->base_r);
    if (st == VEIL_OK)
        st = rns_conv_init(&mt->r_to_q, &mt->base_r, &ctx->base_q);
    if (st == VEIL_OK)
        st = rns_scale_init(&mt->scale, &ctx->base_q, &mt->base_r,
                            ctx->params.t);
    return st;
}

static void mul_tables_clear(bfv_mul_tables_t *mt)
{
    if (mt->plans != NULL)
        for (size_t j = 0; j < mt->m; j++)
            ntt_plan_clear(&mt->plans[j]);
    veil_free(mt->plans);
    rns_scale_clear(&mt->scale);
    rns_conv_clear(&mt->q_to_r);
    rns_conv_clear(&mt->r_to_q);
    rns_base_clear(&mt->base_r);
    memset(mt, 0, sizeof(*mt));
}

/* Tables for D(m) = round(Q m / t). */
static veil_status scale_tables_init(struct bfv_precomp *pre,
                                     const bfv_context_t *ctx)
{
    const uint64_t t = ctx->params.t;
    mpz_t delta;
    veil_status st;

    st = ntt_modulus_init(&pre->t_mod, t);
    if (st != VEIL_OK)
        return st;
    pre->delta = veil_calloc(ctx->n_q, sizeof(uint64_t));
    if (pre->delta == NULL)
        return VEIL_ENOMEM;
    st = rns_scale_init(&pre->dec_scale, &ctx->base_q, NULL, t);
    if (st != VEIL_OK)
        return st;
    pre->r_t = mpz_fdiv_ui(ctx->base_q.Q, t);
    pre->r_t_quot = (uint64_t)(((unsigned __int128)pre->r_t << 64) / t);
    mpz_init(delta);
    mpz_fdiv_q_ui(delta, ctx->base_q.Q, t);
    for (size_t i = 0; i < ctx->n_q; i++)
        pre->delta[i] = mpz_mod_u64(delta, ctx->params.q[i]);
    mpz_clear(delta);
    return VEIL_OK;
}

veil_status bfv_context_init(bfv_context_t *ctx, const bfv_params_t *params)
{
    veil_status st;
    uint64_t primes[BFV_MAX_Q + BFV_MAX_P];

    if (ctx == NULL || params == NULL)
        return VEIL_EINVAL;
    memset(ctx, 0, sizeof(*ctx));
    st = bfv_params_check(params, NULL, 0);
    if (st != VEIL_OK)
        return st;
    st = veil_init();
    if (st != VEIL_OK && st != VEIL_EUNSUPPORTED)
        return st;
    ctx->params = *params;
    ctx->n = params->n;
    ctx->logn = (unsigned)__builtin_ctzll(params->n);
    ctx->n_q = params->n_q;
    ctx->n_p = params->n_p;
    ctx->n_qp = params->n_q + params->n_p;
    memcpy(primes, params->q, ctx->n_q * sizeof(uint64_t));
    memcpy(primes + ctx->n_q, params->p, ctx->n_p * sizeof(uint64_t));

    ctx->plans = veil_calloc(ctx->n_qp, sizeof(ntt_plan_t));
    ctx->pre = veil_calloc(1, sizeof(struct bfv_precomp));
    if (ctx->plans == NULL || ctx->pre == NULL) {
        st = VEIL_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < ctx->n_qp; i++) {
        st = ntt_plan_init(&ctx->plans[i], ctx->n, primes[i]);
        if (st != VEIL_OK)
            goto fail;
    }
    st = rns_base_init(&ctx->base_q, params->q, ctx->n_q);
    if (st == VEIL_OK)
        st = rns_base_init(&ctx->base_p, params->p, ctx->n_p);
    if (st != VEIL_OK)
        goto fail;

    /* Batching needs a prime t = 1 mod 2n (an NTT mod t). */
    if (n_is_prime(params->t) && params->t % (2 * ctx->n) == 1 &&
        ntt_plan_init(&ctx->plan_t, ctx->n, params->t) == VEIL_OK) {
        ctx->batching = 1;
        ctx->slot_to_ntt = veil_calloc(ctx->n, sizeof(uint32_t));
        if (ctx->slot_to_ntt == NULL) {
            st = VEIL_ENOMEM;
            goto fail;
        }
        build_slot_map(ctx->slot_to_ntt, ctx->n, ctx->logn);
    }

    st = scale_tables_init(ctx->pre, ctx);
    if (st == VEIL_OK)
        st = ks_tables_init(&ctx->pre->ks, ctx);
    if (st == VEIL_OK)
        st = mul_tables_init(&ctx->pre->mul, ctx);
    if (st != VEIL_OK)
        goto fail;
    return VEIL_OK;
fail:
    bfv_context_clear(ctx);
    return st;
}

void bfv_context_clear(bfv_context_t *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->plans != NULL)
        for (size_t i = 0; i < ctx->n_qp; i++)
            ntt_plan_clear(&ctx->plans[i]);
    veil_free(ctx->plans);
    if (ctx->pre != NULL) {
        ks_tables_clear(&ctx->pre->ks);
        mul_tables_clear(&ctx->pre->mul);
        veil_free(ctx->pre->delta);
        rns_scale_clear(&ctx->pre->dec_scale);
        veil_free(ctx->pre);
    }
    rns_base_clear(&ctx->base_q);
    rns_base_clear(&ctx->base_p);
    if (ctx->batching)
        ntt_plan_clear(&ctx->plan_t);
    veil_free(ctx->slot_to_ntt);
    memset(ctx, 0, sizeof(*ctx));
}
