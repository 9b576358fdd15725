/*
 * ntt_avx2.c - the negacyclic NTT on four lanes with AVX2 and FMA in double
 * precision, and the AVX2 kernel table.
 *
 * Same transform as ntt_scalar.c (Cooley-Tukey forward, Gentleman-Sande
 * inverse with n^-1 folded into the last stage, twiddles psi^brv(k)), but
 * the coefficients are signed doubles during the transform and each twiddle
 * product is the exact avx2_mulmod of avx2_internal.h.  The first pass turns
 * the caller's integers into doubles in place, the last pass turns fully
 * reduced doubles back into integers in [0, q): so every output, lazy or
 * not, is already in [0, q), bit-identical to the other paths.
 *
 * Bounds.  With round-to-nearest, |y w - c q| <= q (1/2 + |y| 2^-52), so a
 * forward butterfly grows its outputs by at most that and an inverse one
 * doubles X + Y.  All values must stay below 2^52 = LIMIT q.  At plan time
 * tables_init_avx2 follows these bounds stage by stage and marks the stages
 * where X (forward) or X + Y (inverse) must first be reduced to about
 * [-q/2, q/2]: for a 44-bit prime at n = 8192 no forward stage needs it, for
 * primes near 2^50 every stage does.  The kernels check that the rounding
 * mode is round-to-nearest (the C default) and otherwise use the scalar
 * code, which does not depend on it.
 *
 * Layout.  Stages of distance >= 8 work on four consecutive X and four
 * consecutive Y with broadcast twiddles, two stages per pass over the array
 * (forward_pair, inverse_pair: four rows of a group through both stages in
 * registers), which halves the traffic through the caches; an odd stage
 * left over runs alone.  The last three stages run in
 * registers on blocks of eight coefficients v0 = a[8b .. 8b+4),
 * v1 = a[8b+4 .. 8b+8): distance 4 is (v0, v1); for distance 2 vperm2f128
 * makes X = (0 1 4 5), Y = (2 3 6 7); for distance 1 vunpcklpd makes
 * X = (0 2 4 6), Y = (1 3 5 7).  The inverse mirrors this (distance 1 from
 * vunpck of the natural order: X = (0 4 2 6)).  Per-lane twiddles come from
 * tables in exactly these lane orders.  Plans with n < 16 use the scalar
 * kernels.
 */
#include "avx2_internal.h"

#define MIN_LOGN 4

/* The plan's AVX2 tables, one veil_alloc: this header, then the arrays. */
typedef struct {
    double *w, *wq, *iw, *iwq;     /* [n] twiddles and fl(w / q)          */
    double *f2w, *f2q;             /* [n/2] forward distance 2, per lane   */
    double *i1w, *i1q, *i2w, *i2q; /* [n/2] inverse distance 1 and 2       */
    double last[4];                /* n^-1, iw[1] n^-1 and their fl(w/q)   */
    uint64_t fred, ired;           /* bit s: reduce at stage s             */
} tables256_t;

#define HEADER_WORDS ((sizeof(tables256_t) + 63) / 64 * 8)

/* Bounds (in units of q) of the stage-by-stage analysis in the file
 * comment; slack covers the 2^-52 terms rounded up. */
static double tbound(double y, double q)
{
    return 0.5 + y * q * 0x1p-52 * 1.001;
}

static double dmax(double x, double y)
{
    return x > y ? x : y;
}

static void plan_reductions(tables256_t *s, unsigned logn, double q)
{
    const double limit = 0x1p52 / q * 0.999, rb = 0.5 + 1.01 / q;
    double b = 4.0; /* forward input: [0, 4q) */

    s->fred = 0;
    for (unsigned st = 0; st < logn; st++) {
        double t = tbound(b, q);
        if (b + t > limit) {
            s->fred |= 1ULL << st;
            b = rb + t;
        } else {
            b = b + t;
        }
    }
    s->ired = 0;
    b = 2.0; /* inverse input: [0, 2q) */
    for (unsigned st = 0; st + 1 < logn; st++) {
        double t = tbound(2 * b, q), x = 2 * b;
        if (2 * dmax(x, t) > limit) {
            s->ired |= 1ULL << st;
            x = rb;
        }
        b = dmax(x, t);
    }
}

static veil_status tables_init_avx2(ntt_plan_t *plan)
{
    const size_t n = plan->n;
    const double q = (double)plan->q;
    ntt_tables_t *t = plan->tables;
    tables256_t *s;
    double *next;
    void *mem;

    if (plan->logn < MIN_LOGN)
        return VEIL_OK;
    mem = veil_alloc((HEADER_WORDS + 7 * n) * sizeof(double));
    if (mem == NULL)
        return VEIL_ENOMEM;
    s = mem;
    next = (double *)mem + HEADER_WORDS;
    s->w = next, next += n;
    s->wq = next, next += n;
    s->iw = next, next += n;
    s->iwq = next, next += n;
    s->f2w = next, next += n / 2;
    s->f2q = next, next += n / 2;
    s->i1w = next, next += n / 2;
    s->i1q = next, next += n / 2;
    s->i2w = next, next += n / 2;
    s->i2q = next;
    for (size_t k = 0; k < n; k++) {
        s->w[k] = (double)t->w[k];
        s->wq[k] = (double)t->w[k] / q;
        s->iw[k] = (double)t->iw[k];
        s->iwq[k] = (double)t->iw[k] / q;
    }
    /* lane l of 8-block b: forward distance 2 has X = (0 1 4 5), group
     * (8b + X[l]) / 4; inverse distance 1 has X = (0 4 2 6), group
     * (8b + X[l]) / 2; inverse distance 2 as forward */
    for (size_t b = 0; b < n / 8; b++) {
        static const unsigned x2[4] = {0, 1, 4, 5}, x1[4] = {0, 4, 2, 6};
        for (int l = 0; l < 4; l++) {
            size_t g2 = n / 4 + (8 * b + x2[l]) / 4;
            size_t g1 = n / 2 + (8 * b + x1[l]) / 2;
            s->f2w[4 * b + l] = s->w[g2];
            s->f2q[4 * b + l] = s->wq[g2];
            s->i2w[4 * b + l] = s->iw[g2];
            s->i2q[4 * b + l] = s->iwq[g2];
            s->i1w[4 * b + l] = s->iw[g1];
            s->i1q[4 * b + l] = s->iwq[g1];
        }
    }
    s->last[0] = (double)t->ninv_w[0];
    s->last[1] = (double)t->ninv_w[0] / q;
    s->last[2] = (double)t->ninv_w[1];
    s->last[3] = (double)t->ninv_w[1] / q;
    plan_reductions(s, plan->logn, q);
    t->simd = mem;
    return VEIL_OK;
}

typedef struct {
    __m256d q, qinv;
} mod256_t;

#define LOADD(p) _mm256_loadu_pd(p)
#define STORED(p, v) _mm256_storeu_pd((p), (v))
#define LOADU(p)                                                               \
    avx2_u2d(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), avx2_d2u(v))
#define BCAST(x) _mm256_set1_pd(x)

/* Forward butterfly (X, Y) -> (X + W Y, X - W Y), X reduced first if red. */
AVX2_INLINE void fwd_bfly(__m256d *x, __m256d *y, __m256d w, __m256d wq,
                          const mod256_t *m, int red)
{
    __m256d u = red ? avx2_reduce(*x, m->q, m->qinv) : *x;
    __m256d v = avx2_mulmod(*y, w, wq, m->q);
    *x = _mm256_add_pd(u, v);
    *y = _mm256_sub_pd(u, v);
}

/* Inverse butterfly (X, Y) -> (X + Y, W (X - Y)), X + Y reduced if red. */
AVX2_INLINE void inv_bfly(__m256d *x, __m256d *y, __m256d w, __m256d wq,
                          const mod256_t *m, int red)
{
    __m256d s = _mm256_add_pd(*x, *y), d = _mm256_sub_pd(*x, *y);
    *x = red ? avx2_reduce(s, m->q, m->qinv) : s;
    *y = avx2_mulmod(d, w, wq, m->q);
}

/* Fully reduced: [0, q). */
AVX2_INLINE __m256d finish(__m256d x, const mod256_t *m)
{
    return avx2_fix_sign(avx2_reduce(x, m->q, m->qinv), m->q);
}

/* The caller's array, viewed as doubles while the transform runs. */
static inline double *as_double(uint64_t *a)
{
    return (double *)(void *)a;
}

/* Prefetching (ntt_prefetch_t, ntt_internal.h): the first two passes make
 * n/8 steps, one per line of a row. */

/* Four rows at distance d from x, and back. */
AVX2_INLINE void load4(__m256d v[4], const double *x, size_t d)
{
    for (int r = 0; r < 4; r++)
        v[r] = LOADD(x + (size_t)r * d);
}
AVX2_INLINE void store4(double *x, size_t d, const __m256d v[4])
{
    for (int r = 0; r < 4; r++)
        STORED(x + (size_t)r * d, v[r]);
}

/* Forward stages st and st + 1 (distances len and len / 2, len / 2 >= 8)
 * in one pass: four rows of a group, x0..x3 at distance len / 2, go through
 * both stages in registers.  The first pass reads the integers of src (a
 * itself or the input of an out-of-place transform); src == NULL: the
 * doubles of a. */
AVX2_INLINE void forward_pair_red(const tables256_t *s, double *a,
                                  const uint64_t *src, size_t groups,
                                  size_t len, const mod256_t *m,
                                  ntt_prefetch_t *pf, const int r0,
                                  const int r1)
{
    const size_t h = len / 2;

    for (size_t i = 0; i < groups; i++) {
        const __m256d w = BCAST(s->w[groups + i]),
                      wq = BCAST(s->wq[groups + i]);
        const __m256d wa = BCAST(s->w[2 * groups + 2 * i]);
        const __m256d wqa = BCAST(s->wq[2 * groups + 2 * i]);
        const __m256d wb = BCAST(s->w[2 * groups + 2 * i + 1]);
        const __m256d wqb = BCAST(s->wq[2 * groups + 2 * i + 1]);
        double *x = a + 2 * i * len;
        for (size_t j = 0; j < h; j += 4) {
            __m256d v[4];
            if (src != NULL)
                for (int r = 0; r < 4; r++)
                    v[r] = LOADU(src + (size_t)r * h + j);
            else
                load4(v, x + j, h);
            ntt_prefetch_step(pf);
            fwd_bfly(&v[0], &v[2], w, wq, m, r0);
            fwd_bfly(&v[1], &v[3], w, wq, m, r0);
            fwd_bfly(&v[0], &v[1], wa, wqa, m, r1);
            fwd_bfly(&v[2], &v[3], wb, wqb, m, r1);
            store4(x + j, h, v);
        }
    }
}

/* forward_pair_red with the reductions of stages st and st + 1 as
 * constants, so that none is tested in the loop. */
AVX2_INLINE void forward_pair(const tables256_t *s, double *a,
                              const uint64_t *src, size_t groups, size_t len,
                              unsigned st, const mod256_t *m,
                              ntt_prefetch_t *pf)
{
    switch (s->fred >> st & 3) {
    case 0:
        forward_pair_red(s, a, src, groups, len, m, pf, 0, 0);
        break;
    case 1:
        forward_pair_red(s, a, src, groups, len, m, pf, 1, 0);
        break;
    case 2:
        forward_pair_red(s, a, src, groups, len, m, pf, 0, 1);
        break;
    default:
        forward_pair_red(s, a, src, groups, len, m, pf, 1, 1);
    }
}

/* One forward stage (distance len >= 8) as a pass of its own; src as in
 * forward_pair. */
static void forward_single(const tables256_t *s, double *a, const uint64_t *src,
                           size_t groups, size_t len, unsigned st,
                           const mod256_t *m)
{
    const int red = (int)(s->fred >> st & 1);

    for (size_t i = 0; i < groups; i++) {
        const __m256d w = BCAST(s->w[groups + i]),
                      wq = BCAST(s->wq[groups + i]);
        double *x = a + 2 * i * len, *y = x + len;
        for (size_t j = 0; j < len; j += 4) {
            __m256d vx, vy;
            if (src != NULL) {
                vx = LOADU(src + j);
                vy = LOADU(src + len + j);
            } else {
                vx = LOADD(x + j), vy = LOADD(y + j);
            }
            fwd_bfly(&vx, &vy, w, wq, m, red);
            STORED(x + j, vx);
            STORED(y + j, vy);
        }
    }
}

/* The forward transform of in (integers in [0, 4q)) into ai (in == ai for
 * the in-place transform), prefetching with pf. */
AVX2_INLINE void forward(const ntt_plan_t *plan, uint64_t *ai,
                         const uint64_t *in, ntt_prefetch_t *pf)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const tables256_t *s = t->simd;
    const size_t n = plan->n;
    const mod256_t m = {BCAST((double)plan->q), BCAST(1.0 / (double)plan->q)};
    double *a = as_double(ai);
    size_t groups = 1, len = n >> 1;
    unsigned st = 0;

    /* stages of distance >= 8, two per pass; the first reads integers */
    if (len >= 16) {
        forward_pair(s, a, in, groups, len, st, &m, pf);
        groups <<= 2, len >>= 2, st += 2;
    }
    for (; len >= 16; groups <<= 2, len >>= 2, st += 2)
        forward_pair(s, a, NULL, groups, len, st, &m, st < 4 ? pf : NULL);
    if (len >= 8) {
        forward_single(s, a, st == 0 ? in : NULL, groups, len, st, &m);
        groups <<= 1, len >>= 1, st++;
    }
    /* distances 4, 2, 1 on 8-blocks; write integers in [0, q) */
    {
        const int r4 = (int)(s->fred >> st & 1);
        const int r2 = (int)(s->fred >> (st + 1) & 1);
        const int r1 = (int)(s->fred >> (st + 2) & 1);
        for (size_t b = 0; b < n / 8; b++) {
            __m256d v0 = LOADD(a + 8 * b), v1 = LOADD(a + 8 * b + 4), x, y;
            fwd_bfly(&v0, &v1, BCAST(s->w[n / 8 + b]), BCAST(s->wq[n / 8 + b]),
                     &m, r4);
            x = _mm256_permute2f128_pd(v0, v1, 0x20);
            y = _mm256_permute2f128_pd(v0, v1, 0x31);
            fwd_bfly(&x, &y, LOADD(s->f2w + 4 * b), LOADD(s->f2q + 4 * b), &m,
                     r2);
            v0 = _mm256_unpacklo_pd(x, y);
            v1 = _mm256_unpackhi_pd(x, y);
            fwd_bfly(&v0, &v1, LOADD(s->w + n / 2 + 4 * b),
                     LOADD(s->wq + n / 2 + 4 * b), &m, r1);
            x = finish(_mm256_unpacklo_pd(v0, v1), &m);
            y = finish(_mm256_unpackhi_pd(v0, v1), &m);
            STOREU(ai + 8 * b, _mm256_permute2f128_pd(x, y, 0x20));
            STOREU(ai + 8 * b + 4, _mm256_permute2f128_pd(x, y, 0x31));
        }
    }
}

/* Inverse stages st and st + 1 (distances len and 2 len) in one pass: rows
 * x0..x3 at distance len of a group of 4 len go through both stages in
 * registers. */
AVX2_INLINE void inverse_pair_red(const tables256_t *s, double *a, size_t n,
                                  size_t len, const mod256_t *m, const int r0,
                                  const int r1)
{
    const size_t g = n / (2 * len);

    for (size_t k = 0; k < g / 2; k++) {
        const __m256d wa = BCAST(s->iw[g + 2 * k]);
        const __m256d wqa = BCAST(s->iwq[g + 2 * k]);
        const __m256d wb = BCAST(s->iw[g + 2 * k + 1]);
        const __m256d wqb = BCAST(s->iwq[g + 2 * k + 1]);
        const __m256d w = BCAST(s->iw[g / 2 + k]),
                      wq = BCAST(s->iwq[g / 2 + k]);
        double *x = a + 4 * k * len;
        for (size_t j = 0; j < len; j += 4) {
            __m256d v[4];
            load4(v, x + j, len);
            inv_bfly(&v[0], &v[1], wa, wqa, m, r0);
            inv_bfly(&v[2], &v[3], wb, wqb, m, r0);
            inv_bfly(&v[0], &v[2], w, wq, m, r1);
            inv_bfly(&v[1], &v[3], w, wq, m, r1);
            store4(x + j, len, v);
        }
    }
}

/* inverse_pair_red with constant reductions, as forward_pair. */
static void inverse_pair(const tables256_t *s, double *a, size_t n, size_t len,
                         unsigned st, const mod256_t *m)
{
    switch (s->ired >> st & 3) {
    case 0:
        inverse_pair_red(s, a, n, len, m, 0, 0);
        break;
    case 1:
        inverse_pair_red(s, a, n, len, m, 1, 0);
        break;
    case 2:
        inverse_pair_red(s, a, n, len, m, 0, 1);
        break;
    default:
        inverse_pair_red(s, a, n, len, m, 1, 1);
    }
}

/* One inverse stage (distance len) as a pass of its own. */
static void inverse_single(const tables256_t *s, double *a, size_t n,
                           size_t len, unsigned st, const mod256_t *m)
{
    const size_t groups = n / (2 * len);
    const int red = (int)(s->ired >> st & 1);

    for (size_t i = 0; i < groups; i++) {
        const __m256d w = BCAST(s->iw[groups + i]);
        const __m256d wq = BCAST(s->iwq[groups + i]);
        double *x = a + 2 * i * len, *y = x + len;
        for (size_t j = 0; j < len; j += 4) {
            __m256d vx = LOADD(x + j), vy = LOADD(y + j);
            inv_bfly(&vx, &vy, w, wq, m, red);
            STORED(x + j, vx);
            STORED(y + j, vy);
        }
    }
}

static void inverse(const ntt_plan_t *plan, uint64_t *ai)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const tables256_t *s = t->simd;
    const size_t n = plan->n, half = n >> 1;
    const mod256_t m = {BCAST((double)plan->q), BCAST(1.0 / (double)plan->q)};
    double *a = as_double(ai);
    size_t len;
    unsigned st;

    /* distances 1, 2, 4 on 8-blocks, reading the integers */
    {
        const int r1 = (int)(s->ired & 1), r2 = (int)(s->ired >> 1 & 1);
        const int r4 = (int)(s->ired >> 2 & 1);
        for (size_t b = 0; b < n / 8; b++) {
            __m256d v0 = LOADU(ai + 8 * b), v1 = LOADU(ai + 8 * b + 4), x, y;
            x = _mm256_unpacklo_pd(v0, v1);
            y = _mm256_unpackhi_pd(v0, v1);
            inv_bfly(&x, &y, LOADD(s->i1w + 4 * b), LOADD(s->i1q + 4 * b), &m,
                     r1);
            v0 = _mm256_unpacklo_pd(x, y);
            v1 = _mm256_unpackhi_pd(x, y);
            x = _mm256_permute2f128_pd(v0, v1, 0x20);
            y = _mm256_permute2f128_pd(v0, v1, 0x31);
            inv_bfly(&x, &y, LOADD(s->i2w + 4 * b), LOADD(s->i2q + 4 * b), &m,
                     r2);
            v0 = _mm256_permute2f128_pd(x, y, 0x20);
            v1 = _mm256_permute2f128_pd(x, y, 0x31);
            inv_bfly(&v0, &v1, BCAST(s->iw[n / 8 + b]),
                     BCAST(s->iwq[n / 8 + b]), &m, r4);
            STORED(a + 8 * b, v0);
            STORED(a + 8 * b + 4, v1);
        }
    }
    /* stages of distance 8 .. half / 2, two per pass */
    for (len = 8, st = 3; 2 * len < half; len <<= 2, st += 2)
        inverse_pair(s, a, n, len, st, &m);
    if (len < half)
        inverse_single(s, a, n, len, st, &m);
    /* last stage with n^-1; write integers in [0, q) */
    {
        const __m256d w0 = BCAST(s->last[0]), q0 = BCAST(s->last[1]);
        const __m256d w1 = BCAST(s->last[2]), q1 = BCAST(s->last[3]);
        for (size_t j = 0; j < half; j += 4) {
            __m256d x = LOADD(a + j), y = LOADD(a + half + j);
            __m256d u = avx2_mulmod(_mm256_add_pd(x, y), w0, q0, m.q);
            __m256d v = avx2_mulmod(_mm256_sub_pd(x, y), w1, q1, m.q);
            STOREU(ai + j, finish(u, &m));
            STOREU(ai + half + j, finish(v, &m));
        }
    }
}

static void forward_avx2(const ntt_plan_t *plan, uint64_t *a)
{
    if (plan->logn < MIN_LOGN || !avx2_rounding_ok())
        ntt_forward_scalar(plan, a);
    else
        forward(plan, a, a, NULL);
}

/* Out of place from the lazy range [0, 4q), which the transform takes as
 * it is (no reduction pass), prefetching the two rows. */
static void forward_prefetch_avx2(const ntt_plan_t *plan, uint64_t *out,
                                  const uint64_t *in,
                                  const uint64_t *const rows[2])
{
    ntt_prefetch_t pf;
    if (plan->logn < MIN_LOGN || !avx2_rounding_ok()) {
        ntt_forward_from_lazy_scalar(plan, out, in);
        return;
    }
    ntt_prefetch_init(&pf, rows, plan->n);
    forward(plan, out, in, &pf);
}

static void inverse_avx2(const ntt_plan_t *plan, uint64_t *a)
{
    if (plan->logn < MIN_LOGN || !avx2_rounding_ok())
        ntt_inverse_scalar(plan, a);
    else
        inverse(plan, a);
}

/* Outputs are fully reduced either way, so the lazy variants are the same
 * functions ([0, q) is inside every lazy range). */
const struct ntt_kernels ntt_kernels_avx2 = {
    .isa = VEIL_ISA_AVX2,
    .tables_init = tables_init_avx2,
    .forward = forward_avx2,
    .forward_lazy = forward_avx2,
    .forward_prefetch = forward_prefetch_avx2,
    .inverse = inverse_avx2,
    .inverse_lazy = inverse_avx2,
    .vec_add = ntt_vec_add_avx2,
    .vec_add_signed = ntt_vec_add_signed_avx2,
    .vec_sub = ntt_vec_sub_avx2,
    .vec_neg = ntt_vec_neg_avx2,
    .vec_mul = ntt_vec_mul_avx2,
    .vec_muladd = ntt_vec_muladd_avx2,
    .vec_muladd2 = ntt_vec_muladd2_avx2,
    .vec_mul2 = ntt_vec_mul2_avx2,
    .vec_mul_shoup = ntt_vec_mul_shoup_avx2,
    .vec_mul_const = ntt_vec_mul_const_avx2,
    .vec_reduce = ntt_vec_reduce_avx2,
};
