/*
 * ntt_avx512.c - the negacyclic NTT on eight 64-bit lanes with AVX-512 IFMA
 * (vpmadd52luq / vpmadd52huq), and the AVX-512 kernel table.
 *
 * Same algorithm, butterflies and ranges as ntt_scalar.c; the Shoup
 * constants are 52-bit, wq[k] = floor(w[k] 2^52 / q) = floor(wp[k] / 2^12).
 *
 * Layout.  Stages whose butterflies are >= 16 apart work on eight
 * consecutive X and eight consecutive Y with one broadcast twiddle.  The
 * last four stages (distance 8, 4, 2, 1) run in registers on blocks of 16
 * coefficients v0 = a[16b .. 16b+8), v1 = a[16b+8 .. 16b+16): distance 8 is
 * (v0, v1) itself; for the others a two-source shuffle puts the X of each
 * pair in one register and its Y in the same lane of another:
 *
 *   distance  X lanes hold coefficients    from
 *      4      0 1 2 3  8  9 10 11          vshufi64x2 of (v0, v1)
 *      2      0 1 8 9  4  5 12 13          vshufi64x2 of distance-4 output
 *      1      0 2 8 10 4  6 12 14          vpunpcklqdq of distance-2 output
 *
 * (Y lanes hold X + distance) and two vpermt2q restore natural order.  The
 * inverse runs the mirror image (distance 1, 2, 4 from vpunpck, vpermt2q,
 * vpermt2q; vshufi64x2 back).  Their twiddles differ per lane, so plan
 * tables hold them per block, eight to a vector, in exactly these lane
 * orders: no gathers.  Plans with n = 8 use the scalar kernels.
 */
#include <string.h>
#include "avx512_internal.h"

#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), (v))
#define LOADA(p) _mm512_load_si512((const void *)(p))

/* Coefficient (within its 16-block) in each X lane of the shuffled stages:
 * forward distance 4, 2, 1 and inverse distance 1, 2, 4. */
static const unsigned fwd_lane[3][8] = {
    {0, 1, 2, 3, 8, 9, 10, 11},
    {0, 1, 8, 9, 4, 5, 12, 13},
    {0, 2, 8, 10, 4, 6, 12, 14},
};
static const unsigned inv_lane[3][8] = {
    {0, 8, 2, 10, 4, 12, 6, 14},
    {0, 1, 4, 5, 8, 9, 12, 13},
    {0, 1, 2, 3, 8, 9, 10, 11},
};
static const size_t fwd_dist[3] = {4, 2, 1}, inv_dist[3] = {1, 2, 4};

/* The plan's AVX-512 tables, one veil_alloc: this header, then the arrays. */
typedef struct {
    uint64_t *wq, *iwq;       /* [n] 52-bit Shoup constants of w, iw    */
    uint64_t *fw[3], *fp[3];  /* [n/2] forward distance 4, 2, 1 per lane */
    uint64_t *iw[3], *ip[3];  /* [n/2] inverse distance 1, 2, 4 per lane */
} tables512_t;

#define HEADER_WORDS ((sizeof(tables512_t) + 63) / 64 * 8)

static veil_status tables_init_avx512(ntt_plan_t *plan)
{
    const size_t n = plan->n;
    ntt_tables_t *t = plan->tables;
    tables512_t *s;
    uint64_t *mem, *next;

    if (n < 16)
        return VEIL_OK; /* scalar kernels only */
    mem = veil_alloc((HEADER_WORDS + 8 * n) * sizeof(uint64_t));
    if (mem == NULL)
        return VEIL_ENOMEM;
    s = (tables512_t *)mem;
    next = mem + HEADER_WORDS;
    s->wq = next, next += n;
    s->iwq = next, next += n;
    for (int k = 0; k < 3; k++) {
        s->fw[k] = next, next += n / 2;
        s->fp[k] = next, next += n / 2;
        s->iw[k] = next, next += n / 2;
        s->ip[k] = next, next += n / 2;
    }
    for (size_t k = 0; k < n; k++) {
        s->wq[k] = t->wp[k] >> 12;
        s->iwq[k] = t->iwp[k] >> 12;
    }
    /* lane l of block b in a stage of distance d uses the twiddle of the
     * group holding coefficient e = 16 b + lane[l]: index n/(2d) + e/(2d) */
    for (int k = 0; k < 3; k++) {
        for (size_t b = 0; b < n / 16; b++) {
            for (int l = 0; l < 8; l++) {
                size_t fd = fwd_dist[k], id = inv_dist[k];
                size_t fi = n / (2 * fd) + (16 * b + fwd_lane[k][l]) / (2 * fd);
                size_t ii = n / (2 * id) + (16 * b + inv_lane[k][l]) / (2 * id);
                s->fw[k][8 * b + l] = t->w[fi];
                s->fp[k][8 * b + l] = t->wp[fi] >> 12;
                s->iw[k][8 * b + l] = t->iw[ii];
                s->ip[k][8 * b + l] = t->iwp[ii] >> 12;
            }
        }
    }
    t->simd = mem;
    return VEIL_OK;
}

/* The modulus in the forms the butterflies want. */
typedef struct {
    __m512i q, q2, negq;
} mod512_t;

static inline mod512_t mod512(uint64_t q)
{
    mod512_t m;
    m.q = _mm512_set1_epi64((long long)q);
    m.q2 = _mm512_set1_epi64((long long)(2 * q));
    m.negq = _mm512_set1_epi64(-(long long)q);
    return m;
}

/* Forward butterfly, (X, Y) in [0, 4q) -> [0, 4q). */
AVX512_INLINE void fwd_bfly(__m512i *x, __m512i *y, __m512i w, __m512i wp,
                            const mod512_t *m)
{
    __m512i u = avx512_csub(*x, m->q2);
    __m512i v = avx512_mul_shoup_lazy(*y, w, wp, m->negq);
    *x = _mm512_add_epi64(u, v);
    *y = _mm512_sub_epi64(_mm512_add_epi64(u, m->q2), v);
}

/* Inverse butterfly, (X, Y) in [0, 2q) -> [0, 2q). */
AVX512_INLINE void inv_bfly(__m512i *x, __m512i *y, __m512i w, __m512i wp,
                            const mod512_t *m)
{
    __m512i u = *x, v = *y;
    *x = avx512_csub(_mm512_add_epi64(u, v), m->q2);
    *y = avx512_mul_shoup_lazy(_mm512_sub_epi64(_mm512_add_epi64(u, m->q2), v),
                               w, wp, m->negq);
}

AVX512_INLINE void forward(const ntt_plan_t *plan, uint64_t *a, int full)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const tables512_t *s = t->simd;
    const size_t n = plan->n;
    const mod512_t m = mod512(plan->q);
    const __m512i out0 = _mm512_setr_epi64(0, 8, 1, 9, 4, 12, 5, 13);
    const __m512i out1 = _mm512_setr_epi64(2, 10, 3, 11, 6, 14, 7, 15);
    size_t groups = 1, len = n >> 1;

    /* stages with distance >= 16 */
    for (; len >= 16; groups <<= 1, len >>= 1) {
        for (size_t i = 0; i < groups; i++) {
            const __m512i w = _mm512_set1_epi64((long long)t->w[groups + i]);
            const __m512i wp = _mm512_set1_epi64((long long)s->wq[groups + i]);
            uint64_t *x = a + 2 * i * len, *y = x + len;
            for (size_t j = 0; j < len; j += 8) {
                __m512i vx = LOAD(x + j), vy = LOAD(y + j);
                fwd_bfly(&vx, &vy, w, wp, &m);
                STORE(x + j, vx);
                STORE(y + j, vy);
            }
        }
    }
    /* distances 8, 4, 2, 1 in registers, 16 coefficients at a time */
    for (size_t b = 0; b < n / 16; b++) {
        __m512i v0 = LOAD(a + 16 * b), v1 = LOAD(a + 16 * b + 8), x, y;
        fwd_bfly(&v0, &v1, _mm512_set1_epi64((long long)t->w[n / 16 + b]),
                 _mm512_set1_epi64((long long)s->wq[n / 16 + b]), &m);
        x = _mm512_shuffle_i64x2(v0, v1, 0x44);
        y = _mm512_shuffle_i64x2(v0, v1, 0xee);
        fwd_bfly(&x, &y, LOADA(s->fw[0] + 8 * b), LOADA(s->fp[0] + 8 * b), &m);
        v0 = _mm512_shuffle_i64x2(x, y, 0x88);
        v1 = _mm512_shuffle_i64x2(x, y, 0xdd);
        fwd_bfly(&v0, &v1, LOADA(s->fw[1] + 8 * b), LOADA(s->fp[1] + 8 * b),
                 &m);
        x = _mm512_unpacklo_epi64(v0, v1);
        y = _mm512_unpackhi_epi64(v0, v1);
        fwd_bfly(&x, &y, LOADA(s->fw[2] + 8 * b), LOADA(s->fp[2] + 8 * b), &m);
        if (full) {
            x = avx512_csub(avx512_csub(x, m.q2), m.q);
            y = avx512_csub(avx512_csub(y, m.q2), m.q);
        }
        STORE(a + 16 * b, _mm512_permutex2var_epi64(x, out0, y));
        STORE(a + 16 * b + 8, _mm512_permutex2var_epi64(x, out1, y));
    }
}

AVX512_INLINE void inverse(const ntt_plan_t *plan, uint64_t *a, int full)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const tables512_t *s = t->simd;
    const size_t n = plan->n, half = n >> 1;
    const mod512_t m = mod512(plan->q);
    const __m512i to2x = _mm512_setr_epi64(0, 8, 4, 12, 1, 9, 5, 13);
    const __m512i to2y = _mm512_setr_epi64(2, 10, 6, 14, 3, 11, 7, 15);
    const __m512i to4x = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i to4y = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    size_t len;

    /* distances 1, 2, 4 (and 8 unless it is the last stage) in registers */
    for (size_t b = 0; b < n / 16; b++) {
        __m512i v0 = LOAD(a + 16 * b), v1 = LOAD(a + 16 * b + 8), x, y;
        x = _mm512_unpacklo_epi64(v0, v1);
        y = _mm512_unpackhi_epi64(v0, v1);
        inv_bfly(&x, &y, LOADA(s->iw[0] + 8 * b), LOADA(s->ip[0] + 8 * b), &m);
        v0 = _mm512_permutex2var_epi64(x, to2x, y);
        v1 = _mm512_permutex2var_epi64(x, to2y, y);
        inv_bfly(&v0, &v1, LOADA(s->iw[1] + 8 * b), LOADA(s->ip[1] + 8 * b),
                 &m);
        x = _mm512_permutex2var_epi64(v0, to4x, v1);
        y = _mm512_permutex2var_epi64(v0, to4y, v1);
        inv_bfly(&x, &y, LOADA(s->iw[2] + 8 * b), LOADA(s->ip[2] + 8 * b), &m);
        v0 = _mm512_shuffle_i64x2(x, y, 0x44);
        v1 = _mm512_shuffle_i64x2(x, y, 0xee);
        if (n > 16)
            inv_bfly(&v0, &v1, _mm512_set1_epi64((long long)t->iw[n / 16 + b]),
                     _mm512_set1_epi64((long long)s->iwq[n / 16 + b]), &m);
        STORE(a + 16 * b, v0);
        STORE(a + 16 * b + 8, v1);
    }
    /* distances 16 .. n/4 */
    for (len = 16; len < half; len <<= 1) {
        const size_t groups = n / (2 * len);
        for (size_t i = 0; i < groups; i++) {
            const __m512i w = _mm512_set1_epi64((long long)t->iw[groups + i]);
            const __m512i wp =
                _mm512_set1_epi64((long long)s->iwq[groups + i]);
            uint64_t *x = a + 2 * i * len, *y = x + len;
            for (size_t j = 0; j < len; j += 8) {
                __m512i vx = LOAD(x + j), vy = LOAD(y + j);
                inv_bfly(&vx, &vy, w, wp, &m);
                STORE(x + j, vx);
                STORE(y + j, vy);
            }
        }
    }
    /* last stage, distance n/2, with n^-1 folded in */
    {
        const __m512i w0 = _mm512_set1_epi64((long long)t->ninv_w[0]);
        const __m512i p0 = _mm512_set1_epi64((long long)(t->ninv_wp[0] >> 12));
        const __m512i w1 = _mm512_set1_epi64((long long)t->ninv_w[1]);
        const __m512i p1 = _mm512_set1_epi64((long long)(t->ninv_wp[1] >> 12));
        for (size_t j = 0; j < half; j += 8) {
            __m512i u = LOAD(a + j), v = LOAD(a + half + j);
            __m512i x = avx512_mul_shoup_lazy(_mm512_add_epi64(u, v), w0, p0,
                                              m.negq);
            __m512i y = avx512_mul_shoup_lazy(
                _mm512_sub_epi64(_mm512_add_epi64(u, m.q2), v), w1, p1,
                m.negq);
            if (full) {
                x = avx512_csub(x, m.q);
                y = avx512_csub(y, m.q);
            }
            STORE(a + j, x);
            STORE(a + half + j, y);
        }
    }
}

static void forward_lazy_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    if (plan->n < 16)
        ntt_forward_lazy_scalar(plan, a);
    else
        forward(plan, a, 0);
}

static void forward_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    if (plan->n < 16)
        ntt_forward_scalar(plan, a);
    else
        forward(plan, a, 1);
}

static void inverse_lazy_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    if (plan->n < 16)
        ntt_inverse_lazy_scalar(plan, a);
    else
        inverse(plan, a, 0);
}

static void inverse_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    if (plan->n < 16)
        ntt_inverse_scalar(plan, a);
    else
        inverse(plan, a, 1);
}

const struct ntt_kernels ntt_kernels_avx512 = {
    .isa = VEIL_ISA_AVX512,
    .tables_init = tables_init_avx512,
    .forward = forward_avx512,
    .forward_lazy = forward_lazy_avx512,
    .inverse = inverse_avx512,
    .inverse_lazy = inverse_lazy_avx512,
    .vec_add = ntt_vec_add_avx512,
    .vec_sub = ntt_vec_sub_avx512,
    .vec_neg = ntt_vec_neg_avx512,
    .vec_mul = ntt_vec_mul_avx512,
    .vec_muladd = ntt_vec_muladd_avx512,
    .vec_mul_shoup = ntt_vec_mul_shoup_avx512,
    .vec_mul_const = ntt_vec_mul_const_avx512,
    .vec_reduce = ntt_vec_reduce_avx512,
};
