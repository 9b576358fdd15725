/*
 * ringswitch.c - ring switching of a one-limb ciphertext to the subring of
 * dimension n/2 (bfv.h, "ring switching"; Gentry, Halevi, Peikert and
 * Smart, "Field switching in BGV-style homomorphic encryption", SCN 2012,
 * specialised to power-of-two cyclotomics): the subring's parameters, the
 * key, the switch, the exponents of its power-of-two compression and the
 * client's lift of a subring plaintext back to R.
 *
 * The even part.  R = Z[X]/(X^n + 1), R' = Z[Y]/(Y^(n/2) + 1), a in R
 * written a = a_e(X^2) + X a_o(X^2).  For s' in R' and any c in R,
 *     (c s'(X^2))_e = c_e s'   in R'
 * (X^2 = Y and X^n = -1 is Y^(n/2) = -1: multiplying by s'(X^2) maps even
 * powers to even powers and odd to odd).  So when (c_0, c_1) mod q_0 has
 * the phase c_0 + c_1 s'(X^2) = v (in R), (c_0e, c_1e) has the phase v_e
 * under s' in R': t v_e = q_0 m_e + (noise)_e, every coefficient of the
 * noise's even part being one of the noise's coefficients.
 *
 * The key switch (one digit, modulus q_0 P, P = the special prime p_0).
 * The key is (b, a) in R mod q_0 P, a uniform (from a seed),
 *     b = -(a s'(X^2) + e) + P s,   e centred binomial in [-21, 21].
 * For c_1 centred in (-q_0/2, q_0/2], x_b = c_1 b and x_a = c_1 a mod q_0 P,
 * d_k = round(x_k / P) mod q_0 computed exactly as (x_k - r_k) / P with r_k
 * the centred residue of x_k mod P (P odd: no ties).  Then, mod q_0,
 *     d_b + d_a s'(X^2) = (c_1 (b + a s'(X^2)) - r_b - r_a s'(X^2)) / P
 *                       = c_1 s - (c_1 e + r_b + r_a s'(X^2)) / P,
 * so (c_0 + d_b, d_a) has the phase of (c_0, c_1) under s, less
 *     E = (c_1 e + r_b + r_a s'(X^2)) / P,
 *     |E|_inf <= (n (q_0 - 1) 21 / 2 + (P - 1) / 2 (1 + n/2)) / P
 *             <  n (q_0 - 1) 21 / (2 P) + (1 + n/2) / 2
 * (|c_1 e|_inf <= n ||c_1||_inf ||e||_inf, ||s'(X^2)||_1 <= n/2).
 * bfv_ringsw_compress_bits counts E with that bound.
 *
 * Security.  The key's even and odd halves are
 *     b_e = -(a_e s' + e_e) + P s_e,   b_o = -(a_o s' + e_o) + P s_o,
 * two RLWE samples of R' mod q_0 P under s' (a_e, a_o uniform, e_e, e_o
 * centred binomial): the subring's parameter set (n/2, q_0, P) is checked
 * against the 128-bit table for dimension n/2 (bfv_ringsw_params).
 */
#include "bfv_internal.h"
#include <string.h>

typedef unsigned __int128 u128;

#define RINGSW_POLY 0x52535700u /* the expansion stream of a ("RSW") */
#define CBD_BOUND 21            /* |e| <= 21 (veil_rng_cbd)         */

/* 1 if sub is the subring context of ctx: n/2, the same q_0 and P, one
 * ciphertext prime and one special prime (t may differ: keys do not
 * depend on it). */
static int is_sub(const bfv_context_t *ctx, const bfv_context_t *sub)
{
    return ctx != NULL && sub != NULL && sub->n * 2 == ctx->n &&
           sub->n_q == 1 && sub->n_p == 1 &&
           sub->params.q[0] == ctx->params.q[0] &&
           sub->params.p[0] == ctx->params.p[0];
}

veil_status bfv_ringsw_params(bfv_params_t *sub, const bfv_params_t *p)
{
    veil_status st;
    if (sub == NULL || p == NULL)
        return VEIL_EINVAL;
    memset(sub, 0, sizeof(*sub));
    if (p->n < 2 * ((size_t)1 << NTT_MIN_LOGN) || p->n_q < 1 || p->n_p < 1)
        return VEIL_EPARAM;
    sub->n = p->n / 2;
    sub->n_q = 1;
    sub->q[0] = p->q[0];
    sub->n_p = 1;
    sub->p[0] = p->p[0];
    sub->t = p->t;
    sub->security = p->security;
    sub->allow_insecure = p->allow_insecure;
    /* q_0 = 1 mod 2n is 1 mod n; P must exceed q_0 (one digit); log2(q_0
     * P) within the table's bound for n/2 unless the big set is itself a
     * test set (allow_insecure: never set by bytes from a peer) */
    st = bfv_params_check(sub, NULL, 0);
    if (st != VEIL_OK)
        memset(sub, 0, sizeof(*sub));
    return st;
}

veil_status bfv_ringsw_key_init(bfv_ringsw_key_t *k, const bfv_context_t *ctx,
                                const bfv_context_t *sub)
{
    if (k == NULL)
        return VEIL_EINVAL;
    memset(k, 0, sizeof(*k));
    if (!is_sub(ctx, sub))
        return VEIL_EINVAL;
    k->data = veil_calloc(4 * ctx->n, sizeof(uint64_t));
    if (k->data == NULL)
        return VEIL_ENOMEM;
    k->ctx = ctx;
    k->sub = sub;
    return VEIL_OK;
}

void bfv_ringsw_key_clear(bfv_ringsw_key_t *k)
{
    if (k == NULL)
        return;
    veil_free(k->data);
    memset(k, 0, sizeof(*k));
}

/* The rows of a from the seed: a mod q_0 (QP row 0) and a mod P (QP row
 * n_q) of ctx. */
void bfv_ringsw_expand(bfv_ringsw_key_t *k)
{
    const bfv_context_t *ctx = k->ctx;
    bfv_expand_uniform_row(k->data + 2 * ctx->n, ctx, k->seed, RINGSW_POLY, 0);
    bfv_expand_uniform_row(k->data + 3 * ctx->n, ctx, k->seed, RINGSW_POLY,
                           (uint32_t)ctx->n_q);
}

veil_status bfv_keygen_ringsw(bfv_ringsw_key_t *k, const bfv_secret_key_t *sk,
                              const bfv_secret_key_t *sk_sub, veil_rng_t *rng)
{
    if (k == NULL || k->data == NULL || sk == NULL || sk_sub == NULL ||
        rng == NULL || sk->ctx == NULL || sk_sub->ctx == NULL ||
        sk->ctx->n != k->ctx->n || !is_sub(sk->ctx, sk_sub->ctx) ||
        !is_sub(k->ctx, sk_sub->ctx) ||
        sk->ctx->params.q[0] != k->ctx->params.q[0] ||
        sk->ctx->params.p[0] != k->ctx->params.p[0])
        return VEIL_EINVAL;
    const bfv_context_t *ctx = k->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    const ntt_plan_t *pl[2] = {&ctx->plans[0], &ctx->plans[L]};
    const uint64_t pmodq = ctx->params.p[0] % pl[0]->q;
    int8_t *e = veil_alloc(n), *s2 = veil_calloc(n, 1);
    uint64_t *w = veil_alloc(n * sizeof(uint64_t));
    if (e == NULL || s2 == NULL || w == NULL) {
        veil_free(e);
        veil_free(s2);
        veil_free(w);
        return VEIL_ENOMEM;
    }
    veil_rng_bytes(rng, k->seed, VEIL_SEED_BYTES);
    bfv_ringsw_expand(k);
    veil_rng_cbd(rng, e, n);
    for (size_t j = 0; j < n / 2; j++)
        s2[2 * j] = sk_sub->coeffs[j]; /* s'(X^2) */
    for (size_t i = 0; i < 2; i++) {
        const uint64_t q = pl[i]->q;
        uint64_t *b = k->data + i * n;
        const uint64_t *a = k->data + (2 + i) * n;
        /* b = -(a s'(X^2) + e) + P s: the sk rows are QP order, so row 0
         * is s mod q_0 (P s mod P = 0) */
        for (size_t j = 0; j < n; j++)
            w[j] = bfv_lift_small(s2[j], q);
        ntt_forward(pl[i], w);
        ntt_vec_mul(pl[i], b, a, w);
        for (size_t j = 0; j < n; j++)
            w[j] = bfv_lift_small(e[j], q);
        ntt_forward(pl[i], w);
        ntt_vec_add(pl[i], b, b, w);
        ntt_vec_neg(pl[i], b, b);
        if (i == 0) {
            ntt_vec_mul_scalar(pl[0], w, sk->ntt, pmodq);
            ntt_vec_add(pl[0], b, b, w);
        }
    }
    veil_memzero(e, n);
    veil_memzero(s2, n);
    veil_free_secret(w, n * sizeof(uint64_t));
    veil_free(e);
    veil_free(s2);
    return VEIL_OK;
}

/* x in [0, from) read as its centred representative in (-from/2, from/2],
 * reduced mod to->q (Barrett: no division). */
static inline uint64_t lift_centred(uint64_t x, uint64_t from,
                                    const ntt_modulus_t *to)
{
    uint64_t r;
    if (x <= from / 2)
        return ntt_reduce128(0, x, to);
    r = ntt_reduce128(0, from - x, to);
    return r != 0 ? to->q - r : 0;
}

veil_status bfv_ring_switch(bfv_ms_ciphertext_t *out,
                            const bfv_ms_ciphertext_t *ct,
                            const bfv_ringsw_key_t *k)
{
    if (out == NULL || ct == NULL || k == NULL || k->data == NULL ||
        out->ctx == NULL || out->data == NULL || ct->ctx == NULL ||
        ct->data == NULL || ct->size != 2 || ct->limbs != 1 ||
        ct->bits[0] != 0 || ct->ctx->n != k->ctx->n ||
        ct->ctx->params.q[0] != k->ctx->params.q[0] ||
        !is_sub(k->ctx, out->ctx) || out->capacity < 2 * out->ctx->n ||
        out == ct)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = k->ctx;
    const size_t n = ctx->n, h = n / 2;
    const ntt_plan_t *pq = &ctx->plans[0], *pp = &ctx->plans[ctx->n_q];
    const uint64_t q = pq->q, P = pp->q;
    uint64_t pinv;
    uint64_t *w = veil_alloc(6 * n * sizeof(uint64_t));
    if (w == NULL)
        return VEIL_ENOMEM;
    if (ntt_inv_mod(&pinv, P % q, q) != VEIL_OK) {
        veil_free(w);
        return VEIL_EPARAM; /* distinct primes: cannot happen */
    }
    uint64_t *cq = w, *cp = w + n, *xb = w + 2 * n, *xa = w + 4 * n;
    /* c_1 mod q_0 (NTT form as given) and its centred lift mod P */
    memcpy(cq, ct->data + n, n * sizeof(uint64_t));
    memcpy(cp, cq, n * sizeof(uint64_t));
    ntt_inverse(pq, cp);
    for (size_t j = 0; j < n; j++)
        cp[j] = lift_centred(cp[j], q, &pp->mod);
    ntt_forward(pp, cp);
    /* x_b, x_a mod q_0 (rows xb, xa) and mod P (rows xb + n, xa + n) */
    ntt_vec_mul(pq, xb, cq, k->data);
    ntt_vec_mul(pp, xb + n, cp, k->data + n);
    ntt_vec_mul(pq, xa, cq, k->data + 2 * n);
    ntt_vec_mul(pp, xa + n, cp, k->data + 3 * n);
    ntt_inverse(pq, xb);
    ntt_inverse(pp, xb + n);
    ntt_inverse(pq, xa);
    ntt_inverse(pp, xa + n);
    /* d = (x - r) P^-1 mod q_0, r the centred residue mod P */
    for (size_t m = 0; m < 2; m++) {
        uint64_t *x = m == 0 ? xb : xa;
        for (size_t j = 0; j < n; j++) {
            const uint64_t r = lift_centred(x[n + j], P, &pq->mod);
            x[j] = ntt_mul_mod(ntt_sub_mod(x[j], r, q), pinv, &pq->mod);
        }
    }
    /* c_0 + d_b and d_a, even coefficients, to R' (NTT form mod q_0) */
    memcpy(cq, ct->data, n * sizeof(uint64_t));
    ntt_inverse(pq, cq);
    {
        const ntt_plan_t *ps = &out->ctx->plans[0];
        uint64_t *o0 = out->data, *o1 = out->data + h;
        for (size_t j = 0; j < h; j++) {
            o0[j] = ntt_add_mod(cq[2 * j], xb[2 * j], q);
            o1[j] = xa[2 * j];
        }
        ntt_forward(ps, o0);
        ntt_forward(ps, o1);
    }
    out->size = 2;
    out->limbs = 1;
    out->bits[0] = out->bits[1] = 0;
    veil_free(w);
    return VEIL_OK;
}

/* 1 if 2^-(budget + 1) + t (1 + n) / (2 q_0) + t E / q_0
 *       + t (2^-b0 + (n/2) 2^-b1) / 2 <= 2^-(keep + 1),
 * E = n (q_0 - 1) 21 / (2 P) + (1 + n/2) / 2 (the key switch, top of the
 * file), n = 2 sub->n.  Times 2^(budget + 1 + b0 + b1) 2 P q_0:
 *   2 P q_0 2^(b0 + b1) + 2 P t (1 + n) 2^(budget + b0 + b1)
 *     + t 2^(budget + 1 + b0 + b1) (21 n (q_0 - 1) + P (1 + n/2))
 *     + 2 P q_0 t 2^budget (2^b1 + (n/2) 2^b0)
 *   <= 2 P q_0 2^(b0 + b1 + budget - keep). */
static int ringsw_fit(const bfv_context_t *sub, unsigned b0, unsigned b1,
                      int budget, int keep)
{
    const uint64_t q0 = sub->params.q[0], P = sub->params.p[0];
    const uint64_t t = sub->params.t, h = sub->n, n = 2 * sub->n;
    const mp_bitcnt_t bg = (mp_bitcnt_t)budget;
    mpz_t lhs, x, y;
    int ok;
    mpz_inits(lhs, x, y, NULL);
    /* 2 P q_0 2^(b0 + b1) */
    mpz_set_ui(lhs, P);
    mpz_mul_ui(lhs, lhs, q0);
    mpz_mul_2exp(lhs, lhs, 1 + b0 + b1);
    /* 2 P t (1 + n) 2^(budget + b0 + b1) */
    mpz_set_ui(x, P);
    mpz_mul_ui(x, x, t);
    mpz_mul_ui(x, x, 1 + n);
    mpz_mul_2exp(x, x, 1 + bg + b0 + b1);
    mpz_add(lhs, lhs, x);
    /* t 2^(budget + 1 + b0 + b1) (21 n (q_0 - 1) + P (1 + n/2)) */
    mpz_set_ui(x, CBD_BOUND * n);
    mpz_mul_ui(x, x, q0 - 1);
    mpz_set_ui(y, P);
    mpz_mul_ui(y, y, 1 + h);
    mpz_add(x, x, y);
    mpz_mul_ui(x, x, t);
    mpz_mul_2exp(x, x, bg + 1 + b0 + b1);
    mpz_add(lhs, lhs, x);
    /* 2 P q_0 t 2^budget (2^b1 + (n/2) 2^b0) */
    mpz_set_ui(x, 1);
    mpz_mul_2exp(x, x, b1);
    mpz_set_ui(y, h);
    mpz_mul_2exp(y, y, b0);
    mpz_add(x, x, y);
    mpz_mul_ui(x, x, t);
    mpz_mul_ui(x, x, q0);
    mpz_mul_ui(x, x, P);
    mpz_mul_2exp(x, x, bg + 1);
    mpz_add(lhs, lhs, x);
    /* right-hand side */
    mpz_set_ui(y, P);
    mpz_mul_ui(y, y, q0);
    mpz_mul_2exp(y, y,
                 1 + (mp_bitcnt_t)(b0 + b1) + (mp_bitcnt_t)(budget - keep));
    ok = mpz_cmp(lhs, y) <= 0;
    mpz_clears(lhs, x, y, NULL);
    return ok;
}

/* The exponents' two conditions in R' (bfv_ms_fit_fn). */
static int ringsw_bits_fit(const bfv_context_t *sub, unsigned b0, unsigned b1,
                           int budget, int keep)
{
    return bfv_ms_bits_valid(sub, b0, b1) &&
           ringsw_fit(sub, b0, b1, budget, keep);
}

veil_status bfv_ringsw_compress_bits(unsigned *b0, unsigned *b1,
                                     const bfv_context_t *sub, int budget_bits,
                                     int keep_bits)
{
    if (b0 == NULL || b1 == NULL || sub == NULL || sub->n_q != 1 ||
        sub->n_p != 1 || keep_bits < 1 || budget_bits < 0 || budget_bits > 4096)
        return VEIL_EINVAL;
    return bfv_ms_search_bits(b0, b1, sub, budget_bits, keep_bits,
                              ringsw_bits_fit);
}

veil_status bfv_ringsw_lift(bfv_plaintext_t *out, const bfv_plaintext_t *in)
{
    if (out == NULL || in == NULL || out->ctx == NULL || in->ctx == NULL ||
        out->coeffs == NULL || in->coeffs == NULL ||
        in->ctx->n * 2 != out->ctx->n ||
        in->ctx->params.t != out->ctx->params.t)
        return VEIL_EINVAL;
    const uint64_t t = out->ctx->params.t;
    for (size_t j = 0; j < in->ctx->n; j++) {
        const uint64_t m = in->coeffs[j];
        out->coeffs[2 * j] = ntt_add_mod(m, m, t);
        out->coeffs[2 * j + 1] = 0;
    }
    return VEIL_OK;
}

int bfv_ringsw_partner_slot(const bfv_context_t *ctx, size_t slot)
{
    const size_t h = ctx->n / 2, q = ctx->n / 4;
    if (slot >= ctx->n)
        return -1;
    return (int)((slot / h) * h + (slot % h + q) % h);
}
