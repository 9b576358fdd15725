/*
 * ms_compress.c - the power-of-two form of a switched ciphertext
 * (bfv.h, "modulus switching", compression): choosing the two exponents,
 * the rounding, and decryption and the exact noise budget of that form.
 *
 * The rounding.  c in [0, q_0) (a coefficient of c_k in coefficient
 * form), q_0 odd:
 *     round(2^b c / q_0) = floor((2^(b + 1) c + q_0) / (2 q_0)),
 * 128-bit integers (c < 2^51, b <= 56), reduced mod 2^b.  Adding q_0 to c
 * adds 2^b to the quotient, so the result does not depend on the
 * representative.
 *
 * Decryption.  p = 2^(b1 - b0) c'_0 + c'_1 s mod 2^b1.  c'_1 s is computed
 * exactly: |c'_1 s|_k <= n (2^b1 - 1) < (q_0 q_1) / 2, so the product mod
 * q_0 and mod q_1 (NTTs with the key's rows), joined by Garner's formula
 * and centred, is the integer; its residue mod 2^b1 is its low bits.
 *
 * Noise.  With p = 2^b1 / q_0 (c_0 + c_1 s) + 2^(b1 - b0) e_0 + e_1 s,
 * |e_k| <= 1/2, the relative invariant noise t p / 2^b1 - m grows by at
 * most t (2^-b0 + ||s||_1 2^-b1) / 2; bfv_ms_compress_bits asks that this
 * plus the noise before stays below 2^-(keep + 1).
 */
#include "bfv_internal.h"
#include <string.h>

typedef unsigned __int128 u128;

/* 1 if q_0 q_1 > 2 n 2^b1 (the exact product c'_1 s of two primes). */
static int garner_fits(const bfv_context_t *ctx, unsigned b1)
{
    const u128 qq = (u128)ctx->plans[0].q * ctx->plans[1].q;
    return ctx->n_qp >= 2 && b1 <= BFV_MS_MAX_BITS &&
           qq > ((u128)ctx->n << (b1 + 1));
}

/* 1 if 2^-(budget + 1) + t (1 + n) / (2 q_0) + t (2^-b0 + n 2^-b1) / 2
 * <= 2^-(keep + 1) (budget > keep): the noise before the switch to q_0,
 * that switch's rounding (bfv.h) and this one's.  Times 2^(budget + 1 +
 * b0 + b1) q_0:
 *     q_0 2^(b0 + b1) + t (1 + n) 2^(budget + b0 + b1)
 *         + q_0 t 2^budget (2^b1 + n 2^b0) <= q_0 2^(b0 + b1 + budget - keep).
 */
static int bits_fit(const bfv_context_t *ctx, unsigned b0, unsigned b1,
                    int budget, int keep)
{
    const uint64_t q0 = ctx->params.q[0], t = ctx->params.t;
    mpz_t lhs, rhs, x;
    int ok;
    mpz_inits(lhs, rhs, x, NULL);
    mpz_set_ui(lhs, q0);
    mpz_mul_2exp(lhs, lhs, b0 + b1);
    mpz_set_ui(x, t);
    mpz_mul_ui(x, x, 1 + (uint64_t)ctx->n);
    mpz_mul_2exp(x, x, (mp_bitcnt_t)budget + b0 + b1);
    mpz_add(lhs, lhs, x);
    mpz_set_ui(x, 1);
    mpz_mul_2exp(x, x, b1);
    mpz_set_ui(rhs, ctx->n);
    mpz_mul_2exp(rhs, rhs, b0);
    mpz_add(x, x, rhs);
    mpz_mul_ui(x, x, t);
    mpz_mul_ui(x, x, q0);
    mpz_mul_2exp(x, x, (mp_bitcnt_t)budget);
    mpz_add(lhs, lhs, x);
    mpz_set_ui(rhs, q0);
    mpz_mul_2exp(rhs, rhs,
                 (mp_bitcnt_t)(b0 + b1) + (mp_bitcnt_t)(budget - keep));
    ok = mpz_cmp(lhs, rhs) <= 0;
    mpz_clears(lhs, rhs, x, NULL);
    return ok;
}

/* 1 if the rounding alone leaves the noise below 1/2:
 * t (2^-b0 + n 2^-b1) / 2 < 1/2, i.e. t (2^b1 + n 2^b0) < 2^(b0 + b1). */
static int rounding_fits(const bfv_context_t *ctx, unsigned b0, unsigned b1)
{
    mpz_t lhs, rhs;
    int ok;
    mpz_inits(lhs, rhs, NULL);
    mpz_set_ui(lhs, ctx->n);
    mpz_mul_2exp(lhs, lhs, b0);
    mpz_set_ui(rhs, 1);
    mpz_mul_2exp(rhs, rhs, b1);
    mpz_add(lhs, lhs, rhs);
    mpz_mul_ui(lhs, lhs, ctx->params.t);
    mpz_set_ui(rhs, 1);
    mpz_mul_2exp(rhs, rhs, b0 + b1);
    ok = mpz_cmp(lhs, rhs) < 0;
    mpz_clears(lhs, rhs, NULL);
    return ok;
}

int bfv_ms_bits_valid(const bfv_context_t *ctx, unsigned b0, unsigned b1)
{
    return b0 >= 1 && b0 <= b1 && b1 <= BFV_MS_MAX_BITS &&
           garner_fits(ctx, b1) && rounding_fits(ctx, b0, b1);
}

veil_status bfv_ms_search_bits(unsigned *b0, unsigned *b1,
                               const bfv_context_t *ctx, int budget_bits,
                               int keep_bits, bfv_ms_fit_fn fit)
{
    unsigned best0 = 0, best1 = 0;
    *b0 = *b1 = 0;
    if (budget_bits <= keep_bits)
        return VEIL_ENOISE;
    for (unsigned x = 1; x <= BFV_MS_MAX_BITS; x++)
        for (unsigned y = x; y <= BFV_MS_MAX_BITS; y++) {
            if (best0 != 0 && (x + y > best0 + best1 ||
                               (x + y == best0 + best1 && y >= best1)))
                break;
            if (fit(ctx, x, y, budget_bits, keep_bits)) {
                best0 = x; /* a smaller sum, or the same with a smaller y */
                best1 = y;
                break; /* the smallest y for this x */
            }
        }
    if (best0 == 0)
        return VEIL_ENOISE;
    *b0 = best0;
    *b1 = best1;
    return VEIL_OK;
}

/* The exponents' two conditions in R (bfv_ms_fit_fn). */
static int ms_fit(const bfv_context_t *ctx, unsigned b0, unsigned b1,
                  int budget, int keep)
{
    return garner_fits(ctx, b1) && bits_fit(ctx, b0, b1, budget, keep);
}

veil_status bfv_ms_compress_bits(unsigned *b0, unsigned *b1,
                                 const bfv_context_t *ctx, int budget_bits,
                                 int keep_bits)
{
    if (b0 == NULL || b1 == NULL || ctx == NULL || keep_bits < 1 ||
        budget_bits < 0 || budget_bits > 4096)
        return VEIL_EINVAL;
    return bfv_ms_search_bits(b0, b1, ctx, budget_bits, keep_bits, ms_fit);
}

veil_status bfv_ms_compress(bfv_ms_ciphertext_t *ct, unsigned b0, unsigned b1)
{
    if (ct == NULL || ct->ctx == NULL || ct->data == NULL || ct->size != 2 ||
        ct->limbs != 1 || ct->bits[0] != 0 || b0 < 1 || b0 > b1 ||
        b1 > BFV_MS_MAX_BITS || !garner_fits(ct->ctx, b1))
        return VEIL_EINVAL;
    if (!rounding_fits(ct->ctx, b0, b1))
        return VEIL_ENOISE;
    const bfv_context_t *ctx = ct->ctx;
    const ntt_plan_t *pl = &ctx->plans[0];
    const size_t n = ctx->n;
    const uint64_t q = pl->q;
    const unsigned bits[2] = {b0, b1};
    /* rows 0 and 1 are c_0 and c_1 (limbs 1): each in place */
    for (size_t k = 0; k < 2; k++) {
        uint64_t *row = ct->data + k * n;
        const uint64_t mask = ((uint64_t)1 << bits[k]) - 1;
        ntt_inverse(pl, row);
        for (size_t j = 0; j < n; j++) {
            const u128 num = ((u128)row[j] << (bits[k] + 1)) + q;
            row[j] = (uint64_t)(num / ((u128)q << 1)) & mask;
        }
    }
    ct->bits[0] = b0;
    ct->bits[1] = b1;
    return VEIL_OK;
}

/* p = 2^(b1 - b0) c'_0 + c'_1 s mod 2^b1, coefficient form (n words). */
static veil_status pow2_phase(uint64_t *p, const bfv_secret_key_t *sk,
                              const bfv_ms_ciphertext_t *ct)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n;
    const unsigned b0 = ct->bits[0], b1 = ct->bits[1];
    const uint64_t mask = ((uint64_t)1 << b1) - 1;
    const uint64_t q0 = ctx->plans[0].q, q1 = ctx->plans[1].q;
    uint64_t inv; /* q_0^-1 mod q_1 */
    uint64_t *x = veil_alloc(2 * n * sizeof(uint64_t));
    if (x == NULL)
        return VEIL_ENOMEM;
    if (ntt_inv_mod(&inv, q0 % q1, q1) != VEIL_OK) {
        veil_free(x);
        return VEIL_EPARAM; /* distinct primes: cannot happen */
    }
    /* c'_1 s mod q_i, i = 0, 1 (QP row order: the key's rows match) */
    for (size_t i = 0; i < 2; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *xi = x + i * n;
        const uint64_t *c1 = ct->data + n;
        for (size_t j = 0; j < n; j++)
            xi[j] = c1[j] % pl->q;
        ntt_forward(pl, xi);
        ntt_vec_mul(pl, xi, xi, sk->ntt + i * n);
        ntt_inverse(pl, xi);
    }
    /* Garner: v = a_0 + q_0 ((a_1 - a_0) q_0^-1 mod q_1) in [0, q_0 q_1),
     * centred, low b1 bits (two's complement: 2^b1 divides 2^128) */
    const u128 Q = (u128)q0 * q1, half = Q >> 1;
    for (size_t j = 0; j < n; j++) {
        const uint64_t a0 = x[j], a1 = x[n + j];
        const uint64_t d = ntt_sub_mod(a1, a0 % q1, q1);
        const uint64_t h = ntt_mul_mod(d, inv, &ctx->plans[1].mod);
        u128 v = (u128)a0 + (u128)q0 * h;
        if (v > half)
            v -= Q; /* wraps: the low bits are those of v - Q */
        p[j] = ((uint64_t)v + (ct->data[j] << (b1 - b0))) & mask;
    }
    veil_free_secret(x, 2 * n * sizeof(uint64_t));
    return VEIL_OK;
}

veil_status bfv_decrypt_pow2(bfv_plaintext_t *pt, const bfv_secret_key_t *sk,
                             const bfv_ms_ciphertext_t *ct)
{
    const size_t n = ct->ctx->n;
    const uint64_t t = ct->ctx->params.t;
    const unsigned b1 = ct->bits[1];
    uint64_t *p = veil_alloc(n * sizeof(uint64_t));
    veil_status st;
    if (p == NULL)
        return VEIL_ENOMEM;
    st = pow2_phase(p, sk, ct);
    for (size_t j = 0; j < n && st == VEIL_OK; j++) {
        const u128 r = ((u128)t * p[j] + ((u128)1 << (b1 - 1))) >> b1;
        pt->coeffs[j] = (uint64_t)(r % t);
    }
    veil_free_secret(p, n * sizeof(uint64_t));
    return st;
}

veil_status bfv_noise_budget_pow2(int *bits, const bfv_secret_key_t *sk,
                                  const bfv_ms_ciphertext_t *ct)
{
    const size_t n = ct->ctx->n;
    const uint64_t t = ct->ctx->params.t;
    const unsigned b1 = ct->bits[1];
    const u128 mod = (u128)1 << b1, mask = mod - 1;
    uint64_t *p = veil_alloc(n * sizeof(uint64_t));
    u128 vmax = 0;
    veil_status st;
    if (p == NULL)
        return VEIL_ENOMEM;
    st = pow2_phase(p, sk, ct);
    for (size_t j = 0; j < n && st == VEIL_OK; j++) {
        u128 v = ((u128)t * p[j]) & mask; /* [t p]_{2^b1} in [0, 2^b1) */
        if (v > mod >> 1)
            v = mod - v; /* |centred| */
        if (v > vmax)
            vmax = v;
    }
    veil_free_secret(p, n * sizeof(uint64_t));
    if (st != VEIL_OK)
        return st;
    /* the largest b with 2 vmax 2^b <= 2^b1: b1 - 1 - ceil(log2 vmax) */
    {
        int lg = 0; /* ceil(log2 vmax), vmax >= 1 */
        if (vmax == 0)
            vmax = 1;
        while (((u128)1 << lg) < vmax)
            lg++;
        *bits = (int)b1 - 1 - lg > 0 ? (int)b1 - 1 - lg : 0;
    }
    return VEIL_OK;
}
