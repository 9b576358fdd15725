/*
 * ntt_scalar.c - the portable negacyclic NTT, the reference every SIMD path
 * must match bit for bit (after full reduction).
 *
 * Forward: Cooley-Tukey, decimation in time, natural order in, bit-reversed
 * order out, with the twist by powers of psi merged into the twiddles
 * (Longa and Naehrig, "Speeding up the NTT ...", CANS 2016, Alg. 1).
 * Inverse: Gentleman-Sande, bit-reversed in, natural out (ibid., Alg. 2),
 * with n^-1 folded into the last stage.  Butterflies are Harvey's lazy ones
 * ("Faster arithmetic for number-theoretic transforms", J. Symb. Comp.
 * 2014, Alg. 4 and 3) with Shoup multiplications:
 *
 *   forward  (X, Y) in [0, 4q)^2  ->  (X' + W Y, X' - W Y + 2q) in [0, 4q)^2
 *            where X' = X reduced to [0, 2q) and W Y mod q is in [0, 2q);
 *   inverse  (X, Y) in [0, 2q)^2  ->  (X + Y reduced to [0, 2q),
 *                                      W (X - Y + 2q) in [0, 2q)).
 *
 * Every value stays below 4q < 2^52, far from 2^64, so no step overflows.
 */
#include "ntt_internal.h"

void ntt_forward_lazy_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q;
    const size_t n = plan->n;
    size_t len = n; /* distance between X and Y in this stage */

    for (size_t m = 1; m < n; m <<= 1) {
        len >>= 1;
        for (size_t i = 0; i < m; i++) {
            const uint64_t w = t->w[m + i], wp = t->wp[m + i];
            uint64_t *x = a + 2 * i * len, *y = x + len;
            for (size_t j = 0; j < len; j++) {
                uint64_t u = ntt_csub(x[j], q2);
                uint64_t v = ntt_mul_shoup_lazy(y[j], w, wp, q);
                x[j] = u + v;
                y[j] = u - v + q2;
            }
        }
    }
}

void ntt_forward_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const uint64_t q = plan->q, q2 = 2 * q;

    ntt_forward_lazy_scalar(plan, a);
    for (size_t j = 0; j < plan->n; j++)
        a[j] = ntt_csub(ntt_csub(a[j], q2), q);
}

/* All stages but the last: (X, Y) in [0, 2q) stays in [0, 2q). */
static void inverse_stages(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q;
    const size_t n = plan->n;
    size_t len = 1;

    for (size_t h = n >> 1; h > 1; h >>= 1) {
        for (size_t i = 0; i < h; i++) {
            const uint64_t w = t->iw[h + i], wp = t->iwp[h + i];
            uint64_t *x = a + 2 * i * len, *y = x + len;
            for (size_t j = 0; j < len; j++) {
                uint64_t u = x[j], v = y[j];
                x[j] = ntt_csub(u + v, q2);
                y[j] = ntt_mul_shoup_lazy(u - v + q2, w, wp, q);
            }
        }
        len <<= 1;
    }
}

void ntt_inverse_lazy_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q;
    const size_t half = plan->n >> 1;

    inverse_stages(plan, a);
    /* last stage, one group: X + Y and X - Y times n^-1 and psi^-1 n^-1 */
    for (size_t j = 0; j < half; j++) {
        uint64_t u = a[j], v = a[j + half];
        a[j] = ntt_mul_shoup_lazy(u + v, t->ninv_w[0], t->ninv_wp[0], q);
        a[j + half] =
            ntt_mul_shoup_lazy(u - v + q2, t->ninv_w[1], t->ninv_wp[1], q);
    }
}

void ntt_inverse_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q;
    const size_t half = plan->n >> 1;

    inverse_stages(plan, a);
    for (size_t j = 0; j < half; j++) {
        uint64_t u = a[j], v = a[j + half];
        a[j] = ntt_mul_shoup(u + v, t->ninv_w[0], t->ninv_wp[0], q);
        a[j + half] = ntt_mul_shoup(u - v + q2, t->ninv_w[1], t->ninv_wp[1], q);
    }
}
