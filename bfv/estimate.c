/*
 * estimate.c - the static noise estimator (bfv_estimate.h): average-case
 * bounds on the rms of the invariant noise v = [t (c_0 + c_1 s + ...)]_Q,
 * carried as base-2 logarithms.  doc/08-crt-plaintexts.md, "Predicting the
 * budget", derives every rule; the labels (E1) ... (E7) are the document's.
 *
 * Notation: n ring degree, V_s = 2/3 the variance of a ternary coefficient
 * (secret s, encryption randomness u), V_e = 10.5 the variance of a
 * centred binomial error coefficient, rms(.) the root mean square of a
 * polynomial's coefficients.  For independent polynomials a, b with
 * uncorrelated, mean-zero coefficients, rms(a b) = sqrt(n) rms(a) rms(b).
 */
#include "veil/bfv_estimate.h"
#include <math.h>

#define VAR_S (2.0 / 3.0) /* uniform ternary */
#define VAR_E 10.5        /* centred binomial, parameter 21 */

/* log2(2^a + 2^b): the rms bound of a sum (Minkowski). */
static double lg_add(double a, double b)
{
    double hi = a > b ? a : b, lo = a > b ? b : a;
    if (hi == -INFINITY)
        return -INFINITY;
    return hi + log2(1.0 + exp2(lo - hi));
}

/* log2 sqrt(4^a + 4^b): the rms of a sum of independent terms. */
static double lg_hyp(double a, double b)
{
    return 0.5 * lg_add(2.0 * a, 2.0 * b);
}

static double half_log2(double x)
{
    return 0.5 * log2(x);
}

veil_status bfv_est_init(bfv_estimator_t *e, const bfv_params_t *p)
{
    double sum;
    if (e == NULL || p == NULL || p->n < 2 || (p->n & (p->n - 1)) != 0 ||
        p->n_q < 1 || p->n_q > BFV_MAX_Q || p->n_p < 1 || p->n_p > BFV_MAX_P ||
        p->t < 2)
        return VEIL_EINVAL;
    for (size_t i = 0; i < p->n_q; i++)
        if (p->q[i] < 2)
            return VEIL_EINVAL;
    for (size_t i = 0; i < p->n_p; i++)
        if (p->p[i] < 2)
            return VEIL_EINVAL;
    e->n = p->n;
    e->t = (double)p->t;
    e->n_p = p->n_p;
    e->log2_q = 0.0;
    for (size_t i = 0; i < p->n_q; i++)
        e->log2_q += log2((double)p->q[i]);
    e->log2_p = 0.0;
    for (size_t i = 0; i < p->n_p; i++)
        e->log2_p += log2((double)p->p[i]);
    /* key-switching digits: K consecutive ciphertext primes each */
    e->digits = (p->n_q + p->n_p - 1) / p->n_p;
    for (size_t d = 0; d < e->digits; d++) {
        size_t first = d * p->n_p;
        e->digit_size[d] = first + p->n_p <= p->n_q ? p->n_p : p->n_q - first;
        e->log2_digit[d] = 0.0;
        for (size_t i = first; i < first + e->digit_size[d]; i++)
            e->log2_digit[d] += log2((double)p->q[i]);
    }

    /* (E6) one key switch adds e_ks = -sum_d D_d e_d / P + r_0 + r_1 s'.
     * A digit D_d (size k, fast base conversion for k >= 2) lies in
     * [0, k Q_d) with E[D_d^2] <= Q_d^2 (k/12 + k^2/4); the rounding r
     * (and for K >= 2 the conversion of the remainder mod P, off by up to
     * K - 1) is at most K - 1/2 in absolute value. */
    sum = -INFINITY;
    for (size_t d = 0; d < e->digits; d++) {
        double k = (double)e->digit_size[d];
        sum = lg_add(sum, 2.0 * (e->log2_digit[d] - e->log2_p) +
                              log2(k / 12.0 + k * k / 4.0));
    }
    {
        const double n = (double)e->n, r = (double)e->n_p - 0.5;
        double digit_part = 0.5 * (sum + log2(n * VAR_E));
        double round_part = log2(r) + half_log2(1.0 + n * VAR_S);
        e->log2_ks = lg_hyp(digit_part, round_part);
    }
    return VEIL_OK;
}

void bfv_est_encrypt(bfv_est_t *out, const bfv_estimator_t *e)
{
    /* (E1) v = t (e_0 + e_1 s - e u + eps), |eps| <= 1/2 the rounding of
     * D(m): variance t^2 (V_e (1 + 2 n V_s) + 1/4) */
    const double n = (double)e->n;
    out->log2_rms =
        log2(e->t) + half_log2(VAR_E * (1.0 + 2.0 * n * VAR_S) + 0.25);
    out->size = 2;
}

void bfv_est_encrypt_symmetric(bfv_est_t *out, const bfv_estimator_t *e)
{
    /* (E1) v = t (e + eps) */
    out->log2_rms = log2(e->t) + half_log2(VAR_E + 0.25);
    out->size = 2;
}

static size_t max_size(const bfv_est_t *a, const bfv_est_t *b)
{
    return a->size > b->size ? a->size : b->size;
}

void bfv_est_add(bfv_est_t *out, const bfv_estimator_t *e, const bfv_est_t *a,
                 const bfv_est_t *b)
{
    (void)e;
    /* (E2) v = v_a + v_b */
    size_t size = max_size(a, b);
    out->log2_rms = lg_add(a->log2_rms, b->log2_rms);
    out->size = size;
}

void bfv_est_add_independent(bfv_est_t *out, const bfv_estimator_t *e,
                             const bfv_est_t *a, const bfv_est_t *b)
{
    (void)e;
    size_t size = max_size(a, b);
    out->log2_rms = lg_hyp(a->log2_rms, b->log2_rms);
    out->size = size;
}

void bfv_est_add_plain(bfv_est_t *out, const bfv_estimator_t *e,
                       const bfv_est_t *a)
{
    /* (E2) v = v_a + t eps, |eps| <= 1/2 the rounding of D(m) */
    out->log2_rms = lg_add(a->log2_rms, log2(e->t / 2.0));
    out->size = a->size;
}

/* min(x, t/2): a centred residue mod t is at most t/2. */
static double clamp_half_t(const bfv_estimator_t *e, double x)
{
    return x < e->t / 2.0 ? x : e->t / 2.0;
}

void bfv_est_mul_scalar(bfv_est_t *out, const bfv_estimator_t *e,
                        const bfv_est_t *a, double abs_c)
{
    /* (E3) v = c v_a */
    out->log2_rms = a->log2_rms + log2(clamp_half_t(e, abs_c));
    out->size = a->size;
}

void bfv_est_mul_plain(bfv_est_t *out, const bfv_estimator_t *e,
                       const bfv_est_t *a, double max_abs)
{
    /* (E4) v = m v_a: every coefficient is a sum of n products m_j v_i */
    out->log2_rms =
        a->log2_rms + half_log2((double)e->n) + log2(clamp_half_t(e, max_abs));
    out->size = a->size;
}

void bfv_est_mul_plain_l1(bfv_est_t *out, const bfv_estimator_t *e,
                          const bfv_est_t *a, double l1)
{
    (void)e;
    /* (E4') rms(m v) <= sum_j |m_j| rms(v) (Minkowski) */
    out->log2_rms = a->log2_rms + log2(l1);
    out->size = a->size;
}

void bfv_est_mul(bfv_est_t *out, const bfv_estimator_t *e, const bfv_est_t *a,
                 const bfv_est_t *b)
{
    /* (E5) with t x_a / Q = m_a + v_a / Q + t I_a (I_a integral, mean 0,
     * E[I^2] <= ((1 + n V_s) / 12) from c_0, c_1 uniform mod Q, plus the
     * 1/2 of m_a / t), the product's noise is
     *   v = m_a v_b + m_b v_a + t (I_a v_b + I_b v_a) + v_a v_b / Q + t r,
     * r = r_0 + r_1 s + r_2 s^2 the rounding of the tensor (|r_i| <= 1/2). */
    const double n = (double)e->n;
    const double lg_sn = half_log2(n);
    const double rms_i = sqrt((1.0 + n * VAR_S) / 12.0) + 0.5;
    const double lg_mt = log2(e->t / 2.0 + e->t * rms_i); /* m + t I */
    double s;
    s = lg_add(lg_sn + lg_mt + a->log2_rms, lg_sn + lg_mt + b->log2_rms);
    s = lg_add(s, lg_sn + a->log2_rms + b->log2_rms - e->log2_q);
    s = lg_add(s, log2(e->t) + half_log2(0.25 * (1.0 + n * VAR_S +
                                                 n * n * VAR_S * VAR_S)));
    out->log2_rms = s;
    out->size = 3;
}

void bfv_est_square(bfv_est_t *out, const bfv_estimator_t *e,
                    const bfv_est_t *a)
{
    bfv_est_mul(out, e, a, a);
}

/* v + t e_ks for `count` independent key switches (E6, E7). */
static void key_switch(bfv_est_t *out, const bfv_estimator_t *e,
                       const bfv_est_t *a, unsigned count)
{
    double ks = log2(e->t) + e->log2_ks + half_log2((double)count);
    out->log2_rms = lg_hyp(a->log2_rms, ks);
}

void bfv_est_relinearize(bfv_est_t *out, const bfv_estimator_t *e,
                         const bfv_est_t *a)
{
    if (a->size == 3)
        key_switch(out, e, a, 1);
    else
        out->log2_rms = a->log2_rms;
    out->size = 2;
}

void bfv_est_mul_relin(bfv_est_t *out, const bfv_estimator_t *e,
                       const bfv_est_t *a, const bfv_est_t *b)
{
    bfv_est_mul(out, e, a, b);
    bfv_est_relinearize(out, e, out);
}

void bfv_est_rotate(bfv_est_t *out, const bfv_estimator_t *e,
                    const bfv_est_t *a, unsigned switches)
{
    /* (E7) sigma permutes the coefficients of v (with signs): rms kept */
    size_t size = a->size;
    if (switches > 0)
        key_switch(out, e, a, switches);
    else
        out->log2_rms = a->log2_rms;
    out->size = size;
}

double bfv_est_budget_real(const bfv_estimator_t *e, const bfv_est_t *a)
{
    return e->log2_q - 1.0 - log2(BFV_EST_TAIL) - a->log2_rms;
}

int bfv_est_budget(const bfv_estimator_t *e, const bfv_est_t *a)
{
    double b = floor(bfv_est_budget_real(e, a));
    double top = floor(e->log2_q) - 1.0;
    if (!(b > 0.0)) /* also NaN */
        return 0;
    return (int)(b < top ? b : top);
}
