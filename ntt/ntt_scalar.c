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
 *   forward  (X, Y)  ->  (X + W Y, X - W Y + 2q), W Y mod q in [0, 2q) for
 *            any 64-bit Y, so each stage adds at most 2q to the bound; X is
 *            not reduced (Harvey's X' = X mod 2q is skipped: the 64-bit word
 *            has room for the 2q of every stage, see forward_stages) until
 *            the last stage, which reduces X with one Shoup multiplication
 *            by 1 and ends in [0, 4q) (lazy) or [0, q);
 *   inverse  (X, Y) below b  ->  (X + Y, W (X - Y + b) in [0, 2q)): X is
 *            not reduced either, so the bound b doubles at every stage,
 *            from 2q to at most 2^13 2q <= 2^64 for n <= 2^14 (more stages
 *            reduce once to [0, 2q) first, see inverse_stages); the last
 *            stage's Shoup products by n^-1 and psi^-1 n^-1 reduce.
 *
 * Forward values stay below 36q < 2^56 and inverse ones below 2^64 (checked
 * per stage), so no step overflows.
 */
#include "ntt_internal.h"

/* One forward butterfly without the reduction of X: (X, Y) -> (X + W Y,
 * X - W Y + 2q) with W Y mod q in [0, 2q) for any 64-bit Y, so both outputs
 * are below max(X) + 2q. */
static inline void fwd_bfly(uint64_t *x, uint64_t *y, uint64_t w, uint64_t wp,
                            uint64_t q, uint64_t q2)
{
    const uint64_t u = *x;
    const uint64_t v = ntt_mul_shoup_lazy(*y, w, wp, q);
    *x = u + v;
    *y = u - v + q2;
}

/* Every stage but the last: m = 1 .. n/8 groups (len = n/2 .. 4), then the
 * stage len = 2 unrolled.  Nothing is reduced: from inputs below 4q the
 * values after logn - 1 stages are below (4 + 2 (logn - 1)) q <= 36 q <
 * 2^56 (q < 2^50, logn <= 17), and the last stage reduces X once. */
static void forward_stages(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q;
    const size_t n = plan->n;
    size_t len = n; /* distance between X and Y in this stage */
    size_t m;

    for (m = 1; m < n / 4; m <<= 1) {
        len >>= 1;
        for (size_t i = 0; i < m; i++) {
            const uint64_t w = t->w[m + i], wp = t->wp[m + i];
            uint64_t *x = a + 2 * i * len, *y = x + len;
            for (size_t j = 0; j < len; j++)
                fwd_bfly(x + j, y + j, w, wp, q, q2);
        }
    }
    /* m = n/4, len = 2 */
    for (size_t i = 0; i < m; i++) {
        const uint64_t w = t->w[m + i], wp = t->wp[m + i];
        uint64_t *x = a + 4 * i;
        fwd_bfly(x, x + 2, w, wp, q, q2);
        fwd_bfly(x + 1, x + 3, w, wp, q, q2);
    }
}

/* Last stage, m = n/2 groups of one butterfly: X < 2^56 is first brought to
 * [0, 2q) by a lazy Shoup multiplication by 1 (one_p = floor(2^64 / q)),
 * then Harvey's butterfly gives [0, 4q). */
void ntt_forward_lazy_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q;
    const uint64_t one_p = ntt_shoup_precomp(1, q);
    const size_t h = plan->n >> 1;

    forward_stages(plan, a);
    for (size_t i = 0; i < h; i++) {
        const uint64_t u = ntt_mul_shoup_lazy(a[2 * i], 1, one_p, q);
        const uint64_t v =
            ntt_mul_shoup_lazy(a[2 * i + 1], t->w[h + i], t->wp[h + i], q);
        a[2 * i] = u + v;
        a[2 * i + 1] = u - v + q2;
    }
}

/* The same with the final reduction folded in: u = X mod q and v = W Y mod
 * q in [0, q), then X' = u + v and Y' = u - v each with one subtraction. */
void ntt_forward_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q;
    const uint64_t one_p = ntt_shoup_precomp(1, q);
    const size_t h = plan->n >> 1;

    forward_stages(plan, a);
    for (size_t i = 0; i < h; i++) {
        const uint64_t u = ntt_mul_shoup(a[2 * i], 1, one_p, q);
        const uint64_t v =
            ntt_mul_shoup(a[2 * i + 1], t->w[h + i], t->wp[h + i], q);
        a[2 * i] = ntt_add_mod(u, v, q);
        a[2 * i + 1] = ntt_sub_mod(u, v, q);
    }
}

void ntt_forward_from_lazy_scalar(const ntt_plan_t *plan, uint64_t *out,
                                  const uint64_t *in)
{
    ntt_kernels_scalar.vec_reduce(out, in, plan->n, plan->q);
    ntt_forward_scalar(plan, out);
}

/* One inverse butterfly without reductions: for X, Y < b <= 2^63,
 * (X, Y) -> (X + Y, W (X - Y + b)), the first below 2b, the second in
 * [0, 2q) (Shoup's lazy product takes any 64-bit operand). */
static inline void inv_bfly(uint64_t *x, uint64_t *y, uint64_t w, uint64_t wp,
                            uint64_t q, uint64_t b)
{
    const uint64_t u = *x, v = *y;
    *x = u + v;
    *y = ntt_mul_shoup_lazy(u - v + b, w, wp, q);
}

/* Bring every a[k] < 2^64 to [0, 2q): a lazy Shoup product by 1. */
static void reduce_2q(uint64_t *a, size_t n, uint64_t q)
{
    const uint64_t one_p = ntt_shoup_precomp(1, q);
    for (size_t k = 0; k < n; k++)
        a[k] = ntt_mul_shoup_lazy(a[k], 1, one_p, q);
}

/* All stages but the last, on inputs in [0, 2q).  No butterfly reduces:
 * X + Y doubles the bound b of a stage's inputs (Y' is in [0, 2q) < b),
 * so after s stages the values are below 2^s 2q.  A stage needs b <= 2^63
 * (X - Y + b and X + Y must fit 64 bits): with q < 2^50 that holds for
 * the first 13 stages, every stage of n <= 2^13 and of n = 2^14 with
 * q < 2^49; larger transforms reduce everything to [0, 2q) once, before
 * the stage that would overflow (reduce_2q).  Returns the bound of the
 * outputs. */
static uint64_t inverse_stages(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q, q2 = 2 * q, top = (uint64_t)1 << 63;
    const size_t n = plan->n;
    uint64_t b = q2; /* all values are below b (b is never a power of 2) */
    size_t h = n >> 1, len;

    /* h = n/2, len = 1, then h = n/4, len = 2, unrolled (n >= 8) */
    for (size_t i = 0; i < h; i++)
        inv_bfly(a + 2 * i, a + 2 * i + 1, t->iw[h + i], t->iwp[h + i], q, b);
    b <<= 1;
    h >>= 1;
    for (size_t i = 0; i < h; i++) {
        const uint64_t w = t->iw[h + i], wp = t->iwp[h + i];
        uint64_t *x = a + 4 * i;
        inv_bfly(x, x + 2, w, wp, q, b);
        inv_bfly(x + 1, x + 3, w, wp, q, b);
    }
    b <<= 1;
    len = 4;
    for (h >>= 1; h > 1; h >>= 1) {
        if (b > top) {
            reduce_2q(a, n, q);
            b = q2;
        }
        for (size_t i = 0; i < h; i++) {
            const uint64_t w = t->iw[h + i], wp = t->iwp[h + i];
            uint64_t *x = a + 2 * i * len, *y = x + len;
            for (size_t j = 0; j < len; j++)
                inv_bfly(x + j, y + j, w, wp, q, b);
        }
        b <<= 1;
        len <<= 1;
    }
    if (b > top) {
        reduce_2q(a, n, q);
        b = q2;
    }
    return b;
}

/* The last stage, one group: (X + Y) n^-1 and (X - Y + b) psi^-1 n^-1
 * (Shoup, any 64-bit operand), lazy: in [0, 2q). */
void ntt_inverse_lazy_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q;
    const size_t half = plan->n >> 1;
    const uint64_t b = inverse_stages(plan, a);

    for (size_t j = 0; j < half; j++) {
        uint64_t u = a[j], v = a[j + half];
        a[j] = ntt_mul_shoup_lazy(u + v, t->ninv_w[0], t->ninv_wp[0], q);
        a[j + half] =
            ntt_mul_shoup_lazy(u - v + b, t->ninv_w[1], t->ninv_wp[1], q);
    }
}

void ntt_inverse_scalar(const ntt_plan_t *plan, uint64_t *a)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const uint64_t q = plan->q;
    const size_t half = plan->n >> 1;
    const uint64_t b = inverse_stages(plan, a);

    for (size_t j = 0; j < half; j++) {
        uint64_t u = a[j], v = a[j + half];
        a[j] = ntt_mul_shoup(u + v, t->ninv_w[0], t->ninv_wp[0], q);
        a[j + half] = ntt_mul_shoup(u - v + b, t->ninv_w[1], t->ninv_wp[1], q);
    }
}
