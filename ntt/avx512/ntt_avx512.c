/*
 * ntt_avx512.c - the negacyclic NTT on eight 64-bit lanes with AVX-512 IFMA
 * (vpmadd52luq / vpmadd52huq), and the AVX-512 kernel table.
 *
 * Same algorithm, butterflies and ranges as ntt_scalar.c; the Shoup
 * constants are 52-bit, wq[k] = floor(w[k] 2^52 / q) = floor(wp[k] / 2^12).
 *
 * Passes.  Butterflies at distance >= 64 run two stages per pass (radix 4:
 * the quarters x0 x1 x2 x3 of a group meet as (x0, x2), (x1, x3), then
 * (x0, x1), (x2, x3) for the forward transform, the mirror image for the
 * inverse), on eight consecutive coefficients per register with broadcast
 * twiddles; the inverse of a plan whose stages of distance >= 64 are odd in
 * number folds the radix-2 one (distance 64) into its register pass, on 128
 * coefficients at a time.  The last six stages (distance 32 .. 1) run in
 * registers on blocks of 64 coefficients, r[i] = a[64 B + 8 i .. 64 B + 8 i
 * + 8): distance 32, 16 and 8 pair whole registers; for 4, 2, 1 a
 * two-source shuffle puts the X of each pair in one register and its Y in
 * the same lane of another:
 *
 *   distance  X lanes hold coefficients      from (v0, v1) = (r[2s], r[2s+1])
 *      4      0 1 2 3  8  9 10 11            vshufi64x2 of (v0, v1)
 *      2      0 1 8 9  4  5 12 13            vshufi64x2 of distance-4 output
 *      1      0 2 8 10 4  6 12 14            vpunpcklqdq of distance-2 output
 *
 * (Y lanes hold X + distance), and two vpermt2q restore natural order.  The
 * inverse runs the mirror image (distance 1, 2, 4 from vpunpck, vpermt2q,
 * vpermt2q; vshufi64x2 back).  Twiddles of these three stages differ per
 * lane, so the plan holds them per 16-coefficient block, eight to a vector,
 * in exactly these lane orders: no gathers.  Plans with n < 128 use the
 * scalar kernels.
 *
 * Reductions.  Every multiplicand must stay below 2^52.  The forward
 * products are left unmasked (avx512_mul_shoup_raw): coefficients are their
 * true values plus multiples of 2^52, which the additions carry along and
 * the madd52 multiplicands ignore; X is masked only where it is compared
 * (reduced), and the outputs at the end.  A forward stage without reduction
 * takes [0, b q) to [0, (b + 2) q), so the forward transform has three
 * modes (fwd_mode_t):
 *
 *   FWD_FREE   (4 + 4 logn) q <= 2^52 (e.g. 44-bit q up to n = 2^17): no
 *              reduction at all until the last stage, and butterflies of
 *              two additions, (X + W Y, X - W Y) with W Y in [0, 2q).  The
 *              X inputs of the first stage get 2 logn q added, so every
 *              value entering stage s (0-based) is at least 2 (logn - s) q
 *              and X - W Y never goes negative; values stay below
 *              (4 + 2 logn + 2 s) q < 2^52.  The last pass reduces each
 *              output by one Shoup product by 1 (two madd52 and a mask) to
 *              [0, 2q).
 *   FWD_ALT    q < 2^49: 8q < 2^52 leaves room to reduce X only at every
 *              other stage (those of distance 2^odd), to [0, 4q) by a
 *              subtraction of 4q: inputs below 8q give outputs below 6q,
 *              and a stage without reduction takes [0, 6q) to [0, 8q).  A
 *              final subtraction of 4q restores the lazy range [0, 4q).
 *   FWD_EVERY  otherwise: Harvey's invariant [0, 4q), X reduced to [0, 2q)
 *              at every stage.
 *
 * The inverse has two modes.  For q < 2^45 (INV_FREE) no stage reduces:
 * a stage whose inputs are below B gives X + Y below 2 B and W (X + B - Y)
 * in [0, 2q) by a Shoup product (its multiplicand below 2 B <= 2^52); so
 * the six register stages take [0, 2q) below 128 q <= 2^52, one Shoup
 * product by 1 brings every value back to [0, 2q), and the later passes
 * track B the same way, reducing their inputs first only when a pass of
 * two stages would pass 2^52 (n >= 2^15 at 44 bits).  Three additions and
 * three madd52 per butterfly instead of nine instructions.  Otherwise the
 * inverse reduces at every stage, as the scalar code does.
 */
#include "avx512_internal.h"

#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), (v))
#define LOADA(p) _mm512_load_si512((const void *)(p))
#define BCAST(x) _mm512_set1_epi64((long long)(x))

#define MIN_LOGN 7 /* smaller plans use the scalar kernels */

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
    uint64_t *wq, *iwq;      /* [n] 52-bit Shoup constants of w, iw     */
    uint64_t *fw[3], *fp[3]; /* [n/2] forward distance 4, 2, 1 per lane  */
    uint64_t *iw[3], *ip[3]; /* [n/2] inverse distance 1, 2, 4 per lane  */
} tables512_t;

#define HEADER_WORDS ((sizeof(tables512_t) + 63) / 64 * 8)

static veil_status tables_init_avx512(ntt_plan_t *plan)
{
    const size_t n = plan->n;
    ntt_tables_t *t = plan->tables;
    tables512_t *s;
    uint64_t *mem, *next;

    if (plan->logn < MIN_LOGN)
        return VEIL_OK;
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
    /* lane l of 16-block b in a stage of distance d uses the twiddle of the
     * group holding coefficient e = 16 b + lane[l]: index n/(2d) + e/(2d) */
    for (int k = 0; k < 3; k++) {
        const size_t fd = fwd_dist[k], id = inv_dist[k];
        for (size_t b = 0; b < n / 16; b++) {
            for (int l = 0; l < 8; l++) {
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

/* Forward reduction modes, see the top of the file. */
typedef enum { FWD_FREE, FWD_ALT, FWD_EVERY } fwd_mode_t;

/* The modulus in the forms the butterflies want; red is the constant X is
 * reduced by in the forward transform (2q in FWD_EVERY, else 4q), onep the
 * 52-bit Shoup constant of 1, off the offset 2 logn q of FWD_FREE. */
typedef struct {
    __m512i q, q2, q4, negq, red, onep, off;
} mod512_t;

static inline mod512_t mod512(uint64_t q, unsigned logn, fwd_mode_t mode)
{
    mod512_t m;
    m.q = BCAST(q);
    m.q2 = BCAST(2 * q);
    m.q4 = BCAST(4 * q);
    m.negq = BCAST(-q);
    m.red = mode == FWD_EVERY ? m.q2 : m.q4;
    m.onep = BCAST((1ULL << 52) / q);
    m.off = BCAST(2 * (uint64_t)logn * q);
    return m;
}

/* Forward butterfly (X + W Y, X - W Y + 2q), W Y mod q in [0, 2q), or
 * (X + W Y, X - W Y) in FWD_FREE.  Coefficients are their true values plus
 * multiples of 2^52 (the products are left unmasked), so X is masked before
 * it is reduced by m->red: in FWD_EVERY, and in FWD_ALT if `odd` (a stage
 * of distance 2^odd). */
AVX512_INLINE void fwd_bfly(__m512i *x, __m512i *y, __m512i w, __m512i wp,
                            const mod512_t *m, fwd_mode_t mode, int odd)
{
    const int reduce = mode == FWD_EVERY || (mode == FWD_ALT && odd);
    __m512i u = *x, v;
    if (mode == FWD_FREE) {
        /* X accumulates the product itself: X + W Y, and 2X - (X + W Y) */
        const __m512i qhat =
            _mm512_madd52hi_epu64(_mm512_setzero_si512(), *y, wp);
        const __m512i x2 = _mm512_add_epi64(u, u);
        *x = _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(u, *y, w), qhat,
                                   m->negq);
        *y = _mm512_sub_epi64(x2, *x);
        return;
    }
    v = avx512_mul_shoup_raw(*y, w, wp, m->negq);
    if (reduce)
        u = avx512_csub(_mm512_and_si512(u, BCAST(MASK52)), m->red);
    *x = _mm512_add_epi64(u, v);
    *y = _mm512_sub_epi64(mode == FWD_FREE ? u : _mm512_add_epi64(u, m->q2), v);
}

/* X input of the first forward stage: plus 2 logn q in FWD_FREE. */
AVX512_INLINE __m512i fwd_first_x(__m512i x, const mod512_t *m, fwd_mode_t mode)
{
    return mode == FWD_FREE ? _mm512_add_epi64(x, m->off) : x;
}

/* Last forward step on one output vector: [0, 4q) (lazy) or [0, q) (`full`)
 * from the range the mode leaves.  In FWD_FREE x is a true value below 2^52
 * plus a multiple of 2^52, and x - floor(x onep / 2^52) q, masked, is in
 * [0, 2q) (a Shoup product by 1). */
AVX512_INLINE __m512i fwd_finish(__m512i x, const mod512_t *m, fwd_mode_t mode,
                                 int full)
{
    if (mode == FWD_FREE) {
        __m512i qhat =
            _mm512_madd52hi_epu64(_mm512_setzero_si512(), x, m->onep);
        x = _mm512_and_si512(_mm512_madd52lo_epu64(x, qhat, m->negq),
                             BCAST(MASK52));
        return full ? avx512_csub(x, m->q) : x;
    }
    x = _mm512_and_si512(x, BCAST(MASK52));
    if (mode == FWD_ALT)
        x = avx512_csub(x, m->q4);
    return full ? avx512_csub(avx512_csub(x, m->q2), m->q) : x;
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

/* Last inverse stage: (X + Y) n^-1 and (X - Y) psi^-1 n^-1, in [0, 2q), or
 * [0, q) if `full`. */
AVX512_INLINE void inv_last_bfly(__m512i *x, __m512i *y, const __m512i c[4],
                                 const mod512_t *m, int full)
{
    __m512i u = *x, v = *y;
    *x = avx512_mul_shoup_lazy(_mm512_add_epi64(u, v), c[0], c[1], m->negq);
    *y = avx512_mul_shoup_lazy(_mm512_sub_epi64(_mm512_add_epi64(u, m->q2), v),
                               c[2], c[3], m->negq);
    if (full) {
        *x = avx512_csub(*x, m->q);
        *y = avx512_csub(*y, m->q);
    }
}

/* The inverse without intermediate reductions (INV_FREE, q < 2^45): a
 * stage whose inputs are below B (true values; like the forward products,
 * the words may carry multiples of 2^52, which madd52 ignores) gives
 * X + Y below 2 B and W (X + B - Y) in [0, 2q) (a Shoup product of a
 * multiplicand below 2 B <= 2^52).  Three additions and three madd52
 * instead of the reducing butterfly's nine instructions. */
AVX512_INLINE void inv_bfly_free(__m512i *x, __m512i *y, __m512i w, __m512i wp,
                                 __m512i off, const mod512_t *m)
{
    const __m512i u = *x, v = *y;
    const __m512i d = _mm512_sub_epi64(_mm512_add_epi64(u, off), v);
    *x = _mm512_add_epi64(u, v);
    *y = avx512_mul_shoup_raw(d, w, wp, m->negq);
}

/* A value below 2^52 (plus multiples of 2^52) to [0, 2q) plus multiples
 * of 2^52: a Shoup product by 1. */
AVX512_INLINE __m512i inv_reduce_free(__m512i x, const mod512_t *m)
{
    const __m512i qhat =
        _mm512_madd52hi_epu64(_mm512_setzero_si512(), x, m->onep);
    return _mm512_madd52lo_epu64(x, qhat, m->negq);
}

/* The last stage of INV_FREE, inputs below B = off: as inv_last_bfly,
 * masked to [0, 2q), or [0, q) if `full`. */
AVX512_INLINE void inv_last_bfly_free(__m512i *x, __m512i *y,
                                      const __m512i c[4], __m512i off,
                                      const mod512_t *m, int full)
{
    const __m512i u = *x, v = *y;
    *x = avx512_mul_shoup_lazy(_mm512_add_epi64(u, v), c[0], c[1], m->negq);
    *y = avx512_mul_shoup_lazy(_mm512_sub_epi64(_mm512_add_epi64(u, off), v),
                               c[2], c[3], m->negq);
    if (full) {
        *x = avx512_csub(*x, m->q);
        *y = avx512_csub(*y, m->q);
    }
}

/* Butterfly of stage with bound `off` (INV_FREE) or the reducing one. */
AVX512_INLINE void inv_bfly_g(__m512i *x, __m512i *y, __m512i w, __m512i wp,
                              __m512i off, const mod512_t *m, int fr)
{
    if (fr)
        inv_bfly_free(x, y, w, wp, off, m);
    else
        inv_bfly(x, y, w, wp, m);
}

/* ------------------------------------------------------------- forward */

/* Prefetching (ntt_prefetch_t, ntt_internal.h): a transform makes about
 * n/32 (radix-4 passes) plus 2 n/64 (last pass) steps, more than the n/8
 * lines of a row. */

/* The first stage (a single group) at distance len = 2^even >= 64, read
 * from src (a itself, or the input of an out-of-place transform). */
AVX512_INLINE void fwd_radix2_first(uint64_t *a, const uint64_t *src,
                                    size_t len, __m512i w, __m512i wp,
                                    const mod512_t *m, fwd_mode_t mode)
{
    for (size_t j = 0; j < len; j += 8) {
        __m512i x = fwd_first_x(LOAD(src + j), m, mode);
        __m512i y = LOAD(src + len + j);
        fwd_bfly(&x, &y, w, wp, m, mode, 0);
        STORE(a + j, x);
        STORE(a + len + j, y);
    }
}

/* Stages with `groups` and 2 `groups` groups, distances len = 2^odd and
 * len / 2, reading src (a, or the input of an out-of-place transform) and
 * writing a; `first`: the first is the first stage of the transform. */
AVX512_INLINE void fwd_radix4(uint64_t *a, const uint64_t *src,
                              const ntt_tables_t *t, const tables512_t *s,
                              size_t groups, size_t len, const mod512_t *m,
                              fwd_mode_t mode, int first, ntt_prefetch_t *pf)
{
    const size_t h = len >> 1;
    for (size_t i = 0; i < groups; i++) {
        const size_t c = 2 * (groups + i);
        const __m512i w0 = BCAST(t->w[groups + i]);
        const __m512i p0 = BCAST(s->wq[groups + i]);
        const __m512i w1 = BCAST(t->w[c]), p1 = BCAST(s->wq[c]);
        const __m512i w2 = BCAST(t->w[c + 1]), p2 = BCAST(s->wq[c + 1]);
        uint64_t *x = a + 2 * i * len;
        const uint64_t *xs = src + 2 * i * len;
        for (size_t j = 0; j < h; j += 8) {
            ntt_prefetch_step(pf);
            __m512i x0 = LOAD(xs + j), x1 = LOAD(xs + h + j);
            __m512i x2 = LOAD(xs + len + j), x3 = LOAD(xs + len + h + j);
            if (first) {
                x0 = fwd_first_x(x0, m, mode);
                x1 = fwd_first_x(x1, m, mode);
            }
            fwd_bfly(&x0, &x2, w0, p0, m, mode, 1);
            fwd_bfly(&x1, &x3, w0, p0, m, mode, 1);
            fwd_bfly(&x0, &x1, w1, p1, m, mode, 0);
            fwd_bfly(&x2, &x3, w2, p2, m, mode, 0);
            STORE(x + j, x0);
            STORE(x + h + j, x1);
            STORE(x + len + j, x2);
            STORE(x + len + h + j, x3);
        }
    }
}

/* Distances 8, 4, 2, 1 on the four 16-blocks (r[2k], r[2k+1]) of the
 * 64-block B, stage by stage so that the four chains interleave.  Leaves the
 * distance-1 layout (X in r[2k], Y in r[2k+1]). */
AVX512_INLINE void fwd_last4(__m512i r[8], const ntt_tables_t *t,
                             const tables512_t *s, size_t n, size_t B,
                             const mod512_t *m, fwd_mode_t mode)
{
    __m512i x[4], y[4];
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        fwd_bfly(&r[2 * k], &r[2 * k + 1], BCAST(t->w[n / 16 + b]),
                 BCAST(s->wq[n / 16 + b]), m, mode, 1);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        x[k] = _mm512_shuffle_i64x2(r[2 * k], r[2 * k + 1], 0x44);
        y[k] = _mm512_shuffle_i64x2(r[2 * k], r[2 * k + 1], 0xee);
        fwd_bfly(&x[k], &y[k], LOADA(s->fw[0] + 8 * b), LOADA(s->fp[0] + 8 * b),
                 m, mode, 0);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        r[2 * k] = _mm512_shuffle_i64x2(x[k], y[k], 0x88);
        r[2 * k + 1] = _mm512_shuffle_i64x2(x[k], y[k], 0xdd);
        fwd_bfly(&r[2 * k], &r[2 * k + 1], LOADA(s->fw[1] + 8 * b),
                 LOADA(s->fp[1] + 8 * b), m, mode, 1);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        x[k] = _mm512_unpacklo_epi64(r[2 * k], r[2 * k + 1]);
        y[k] = _mm512_unpackhi_epi64(r[2 * k], r[2 * k + 1]);
        fwd_bfly(&x[k], &y[k], LOADA(s->fw[2] + 8 * b), LOADA(s->fp[2] + 8 * b),
                 m, mode, 0);
        r[2 * k] = x[k];
        r[2 * k + 1] = y[k];
    }
}

/* a = the transform of src (src == a: in place); src in [0, 4q). */
AVX512_INLINE void forward(const ntt_plan_t *plan, uint64_t *a,
                           const uint64_t *src, fwd_mode_t mode, int full,
                           ntt_prefetch_t *pf)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const tables512_t *s = t->simd;
    const size_t n = plan->n;
    const mod512_t m = mod512(plan->q, plan->logn, mode);
    const __m512i out0 = _mm512_setr_epi64(0, 8, 1, 9, 4, 12, 5, 13);
    const __m512i out1 = _mm512_setr_epi64(2, 10, 3, 11, 6, 14, 7, 15);
    size_t groups = 1, len = n >> 1;

    /* distances n/2 .. 64: radix 4, after one radix-2 stage if their number
     * is odd (its distance is 2^even) */
    if ((plan->logn - 6) % 2 == 1) {
        fwd_radix2_first(a, src, len, BCAST(t->w[1]), BCAST(s->wq[1]), &m,
                         mode);
        groups <<= 1, len >>= 1;
    } else {
        fwd_radix4(a, src, t, s, 1, len, &m, mode, 1, pf);
        groups <<= 2, len >>= 2;
    }
    for (; len >= 128; groups <<= 2, len >>= 2)
        fwd_radix4(a, a, t, s, groups, len, &m, mode, 0, pf);

    /* distances 32 .. 1 in registers, 64 coefficients at a time */
    for (size_t B = 0; B < n / 64; B++) {
        uint64_t *blk = a + 64 * B;
        __m512i r[8];
        ntt_prefetch_step(pf);
        ntt_prefetch_step(pf);
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++)
            r[i] = LOAD(blk + 8 * i);
        {
            const __m512i w = BCAST(t->w[n / 64 + B]);
            const __m512i wp = BCAST(s->wq[n / 64 + B]);
#pragma GCC unroll 8
            for (int i = 0; i < 4; i++)
                fwd_bfly(&r[i], &r[i + 4], w, wp, &m, mode, 1);
        }
#pragma GCC unroll 8
        for (int h = 0; h < 2; h++) {
            const size_t k = n / 32 + 2 * B + h;
            const __m512i w = BCAST(t->w[k]), wp = BCAST(s->wq[k]);
            fwd_bfly(&r[4 * h], &r[4 * h + 2], w, wp, &m, mode, 0);
            fwd_bfly(&r[4 * h + 1], &r[4 * h + 3], w, wp, &m, mode, 0);
        }
        fwd_last4(r, t, s, n, B, &m, mode);
#pragma GCC unroll 8
        for (int sb = 0; sb < 4; sb++) {
            __m512i x = fwd_finish(r[2 * sb], &m, mode, full);
            __m512i y = fwd_finish(r[2 * sb + 1], &m, mode, full);
            r[2 * sb] = _mm512_permutex2var_epi64(x, out0, y);
            r[2 * sb + 1] = _mm512_permutex2var_epi64(x, out1, y);
        }
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++)
            STORE(blk + 8 * i, r[i]);
    }
}

/* ------------------------------------------------------------- inverse */

/* Distances 1, 2, 4, 8 on the four 16-blocks (r[2k], r[2k+1]) of the
 * 64-block B, stage by stage so that the four chains interleave. */
AVX512_INLINE void inv_first4(__m512i r[8], const ntt_tables_t *t,
                              const tables512_t *s, size_t n, size_t B,
                              const mod512_t *m, int fr, const __m512i off[4])
{
    const __m512i to2x = _mm512_setr_epi64(0, 8, 4, 12, 1, 9, 5, 13);
    const __m512i to2y = _mm512_setr_epi64(2, 10, 6, 14, 3, 11, 7, 15);
    const __m512i to4x = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i to4y = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    __m512i x[4], y[4];
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        x[k] = _mm512_unpacklo_epi64(r[2 * k], r[2 * k + 1]);
        y[k] = _mm512_unpackhi_epi64(r[2 * k], r[2 * k + 1]);
        inv_bfly_g(&x[k], &y[k], LOADA(s->iw[0] + 8 * b),
                   LOADA(s->ip[0] + 8 * b), off[0], m, fr);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        r[2 * k] = _mm512_permutex2var_epi64(x[k], to2x, y[k]);
        r[2 * k + 1] = _mm512_permutex2var_epi64(x[k], to2y, y[k]);
        inv_bfly_g(&r[2 * k], &r[2 * k + 1], LOADA(s->iw[1] + 8 * b),
                   LOADA(s->ip[1] + 8 * b), off[1], m, fr);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        x[k] = _mm512_permutex2var_epi64(r[2 * k], to4x, r[2 * k + 1]);
        y[k] = _mm512_permutex2var_epi64(r[2 * k], to4y, r[2 * k + 1]);
        inv_bfly_g(&x[k], &y[k], LOADA(s->iw[2] + 8 * b),
                   LOADA(s->ip[2] + 8 * b), off[2], m, fr);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        const size_t b = 4 * B + k;
        r[2 * k] = _mm512_shuffle_i64x2(x[k], y[k], 0x44);
        r[2 * k + 1] = _mm512_shuffle_i64x2(x[k], y[k], 0xee);
        inv_bfly_g(&r[2 * k], &r[2 * k + 1], BCAST(t->iw[n / 16 + b]),
                   BCAST(s->iwq[n / 16 + b]), off[3], m, fr);
    }
}

/* Stages with 2 `groups` and `groups` groups, distances len and 2 len;
 * `last`: the second is the final stage (groups = 1) with n^-1. */
AVX512_INLINE void inv_radix4(uint64_t *a, const ntt_tables_t *t,
                              const tables512_t *s, size_t groups, size_t len,
                              const mod512_t *m, int last, int full, int fr,
                              int reduce_in, uint64_t bound)
{
    const __m512i off1 = BCAST(bound), off2 = BCAST(2 * bound);
    __m512i c[4];
    if (last) {
        c[0] = BCAST(t->ninv_w[0]), c[1] = BCAST(t->ninv_wp[0] >> 12);
        c[2] = BCAST(t->ninv_w[1]), c[3] = BCAST(t->ninv_wp[1] >> 12);
    }
    for (size_t i = 0; i < groups; i++) {
        const size_t k = 2 * (groups + i);
        const __m512i w1 = BCAST(t->iw[k]), p1 = BCAST(s->iwq[k]);
        const __m512i w2 = BCAST(t->iw[k + 1]), p2 = BCAST(s->iwq[k + 1]);
        const __m512i w0 = BCAST(t->iw[groups + i]);
        const __m512i p0 = BCAST(s->iwq[groups + i]);
        uint64_t *x = a + 4 * i * len;
        for (size_t j = 0; j < len; j += 8) {
            __m512i x0 = LOAD(x + j), x1 = LOAD(x + len + j);
            __m512i x2 = LOAD(x + 2 * len + j), x3 = LOAD(x + 3 * len + j);
            if (fr && reduce_in) {
                x0 = inv_reduce_free(x0, m);
                x1 = inv_reduce_free(x1, m);
                x2 = inv_reduce_free(x2, m);
                x3 = inv_reduce_free(x3, m);
            }
            inv_bfly_g(&x0, &x1, w1, p1, off1, m, fr);
            inv_bfly_g(&x2, &x3, w2, p2, off1, m, fr);
            if (last && fr) {
                inv_last_bfly_free(&x0, &x2, c, off2, m, full);
                inv_last_bfly_free(&x1, &x3, c, off2, m, full);
            } else if (last) {
                inv_last_bfly(&x0, &x2, c, m, full);
                inv_last_bfly(&x1, &x3, c, m, full);
            } else {
                inv_bfly_g(&x0, &x2, w0, p0, off2, m, fr);
                inv_bfly_g(&x1, &x3, w0, p0, off2, m, fr);
            }
            STORE(x + j, x0);
            STORE(x + len + j, x1);
            STORE(x + 2 * len + j, x2);
            STORE(x + 3 * len + j, x3);
        }
    }
}

/* The six register stages (distances 1 .. 32) of the 64-block B, then,
 * in INV_FREE, every value back to [0, 2q) (plus multiples of 2^52). */
AVX512_INLINE void inv_block64(__m512i r[8], const ntt_tables_t *t,
                               const tables512_t *s, size_t n, size_t B,
                               const mod512_t *m, int fr, const __m512i off[6])
{
    inv_first4(r, t, s, n, B, m, fr, off);
#pragma GCC unroll 8
    for (int h = 0; h < 2; h++) {
        const size_t k = n / 32 + 2 * B + h;
        const __m512i w = BCAST(t->iw[k]), wp = BCAST(s->iwq[k]);
        inv_bfly_g(&r[4 * h], &r[4 * h + 2], w, wp, off[4], m, fr);
        inv_bfly_g(&r[4 * h + 1], &r[4 * h + 3], w, wp, off[4], m, fr);
    }
    {
        const __m512i w = BCAST(t->iw[n / 64 + B]);
        const __m512i wp = BCAST(s->iwq[n / 64 + B]);
#pragma GCC unroll 8
        for (int i = 0; i < 4; i++)
            inv_bfly_g(&r[i], &r[i + 4], w, wp, off[5], m, fr);
    }
    /* INV_FREE: below 128 q, back to [0, 2q) (plus multiples of 2^52) */
    if (fr) {
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++)
            r[i] = inv_reduce_free(r[i], m);
    }
}

AVX512_INLINE void inverse(const ntt_plan_t *plan, uint64_t *a, int full,
                           int fr)
{
    const ntt_tables_t *t = ntt_tables(plan);
    const tables512_t *s = t->simd;
    const size_t n = plan->n, half = n >> 1;
    const uint64_t q = plan->q;
    const mod512_t m = mod512(q, plan->logn, FWD_EVERY);
    /* INV_FREE bounds: the inputs of stage i (distance 2^i) of the
     * register block are below 2^(i + 1) q (inputs in [0, 2q)) */
    const __m512i off[6] = {BCAST(2 * q),  BCAST(4 * q),  BCAST(8 * q),
                            BCAST(16 * q), BCAST(32 * q), BCAST(64 * q)};
    uint64_t bound = 2 * q; /* INV_FREE: inputs of the next stage below */
    int reduce_in = 0;
    size_t len;

    /* distances 1 .. 32 in registers, 64 coefficients at a time; when the
     * stages of distance >= 64 are odd in number and not only the last,
     * distance 64 too, on 128 coefficients (two 64-blocks) at a time */
    len = 64;
    if ((plan->logn - 6) % 2 == 1 && len < half) {
        for (size_t B = 0; B < n / 64; B += 2) {
            uint64_t *blk = a + 64 * B;
            const __m512i w = BCAST(t->iw[n / 128 + B / 2]);
            const __m512i wp = BCAST(s->iwq[n / 128 + B / 2]);
            __m512i r[16];
#pragma GCC unroll 16
            for (int i = 0; i < 16; i++)
                r[i] = LOAD(blk + 8 * i);
            inv_block64(r, t, s, n, B, &m, fr, off);
            inv_block64(r + 8, t, s, n, B + 1, &m, fr, off);
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                inv_bfly_g(&r[i], &r[i + 8], w, wp, off[0], &m, fr);
#pragma GCC unroll 16
            for (int i = 0; i < 16; i++)
                STORE(blk + 8 * i, r[i]);
        }
        len = 128;
        bound = 4 * q;
    } else {
        for (size_t B = 0; B < n / 64; B++) {
            uint64_t *blk = a + 64 * B;
            __m512i r[8];
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                r[i] = LOAD(blk + 8 * i);
            inv_block64(r, t, s, n, B, &m, fr, off);
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                STORE(blk + 8 * i, r[i]);
        }
    }

    /* distances len .. n/2, the last with n^-1: n = 128 has only that
     * one (radix 2), larger plans radix 4 */
    if (len == half) {
        __m512i c[4] = {BCAST(t->ninv_w[0]), BCAST(t->ninv_wp[0] >> 12),
                        BCAST(t->ninv_w[1]), BCAST(t->ninv_wp[1] >> 12)};
        for (size_t j = 0; j < half; j += 8) {
            __m512i x = LOAD(a + j), y = LOAD(a + half + j);
            if (fr)
                inv_last_bfly_free(&x, &y, c, off[0], &m, full);
            else
                inv_last_bfly(&x, &y, c, &m, full);
            STORE(a + j, x);
            STORE(a + half + j, y);
        }
        return;
    }
    /* INV_FREE: a pass of two stages needs 4 bound <= 2^52, else its
     * inputs are reduced first (never for n <= 2^13 and q < 2^45) */
    for (; 2 * len < half; len <<= 2) {
        reduce_in = fr && bound > (UINT64_C(1) << 50);
        if (reduce_in)
            bound = 2 * q;
        inv_radix4(a, t, s, n / (4 * len), len, &m, 0, 0, fr, reduce_in, bound);
        bound *= 4;
    }
    reduce_in = fr && bound > (UINT64_C(1) << 50);
    if (reduce_in)
        bound = 2 * q;
    if (full)
        inv_radix4(a, t, s, 1, len, &m, 1, 1, fr, reduce_in, bound);
    else
        inv_radix4(a, t, s, 1, len, &m, 1, 0, fr, reduce_in, bound);
}

/* ------------------------------------------------------------- dispatch */

/* The forward mode of a plan: FWD_FREE when the bound (4 + 4 logn) q of
 * the last stage's outputs is at most 2^52. */
static fwd_mode_t fwd_mode(const ntt_plan_t *plan)
{
    if ((4 + 4 * (uint64_t)plan->logn) * plan->q <= 1ULL << 52)
        return FWD_FREE;
    return plan->q >> 49 == 0 ? FWD_ALT : FWD_EVERY;
}

/* The one place the forward mode is chosen.  Each case passes a constant
 * mode, so forward() and every butterfly below it are specialised per mode
 * (the tests on `mode` fold away); both callers inline this function with a
 * constant `full`: six specialised transforms, no per-butterfly branch. */
AVX512_INLINE void forward_dispatch(const ntt_plan_t *plan, uint64_t *a,
                                    const uint64_t *src, int full,
                                    ntt_prefetch_t *pf)
{
    if (plan->logn < MIN_LOGN) { /* src == a here */
        if (full)
            ntt_forward_scalar(plan, a);
        else
            ntt_forward_lazy_scalar(plan, a);
        return;
    }
    switch (fwd_mode(plan)) {
    case FWD_FREE:
        forward(plan, a, src, FWD_FREE, full, pf);
        break;
    case FWD_ALT:
        forward(plan, a, src, FWD_ALT, full, pf);
        break;
    case FWD_EVERY:
        forward(plan, a, src, FWD_EVERY, full, pf);
        break;
    }
}

static void forward_lazy_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    forward_dispatch(plan, a, a, 0, NULL);
}

static void forward_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    forward_dispatch(plan, a, a, 1, NULL);
}

static void forward_prefetch_avx512(const ntt_plan_t *plan, uint64_t *out,
                                    const uint64_t *in,
                                    const uint64_t *const rows[2])
{
    ntt_prefetch_t pf;
    if (plan->logn < MIN_LOGN) {
        ntt_forward_from_lazy_scalar(plan, out, in);
        return;
    }
    ntt_prefetch_init(&pf, rows, plan->n);
    forward_dispatch(plan, out, in, 1, &pf);
}

/* The inverse's mode: INV_FREE when the register block's last bound 128 q
 * is at most 2^52, else reducing at every stage. */
AVX512_INLINE void inverse_dispatch(const ntt_plan_t *plan, uint64_t *a,
                                    int full)
{
    if (plan->logn < MIN_LOGN) {
        if (full)
            ntt_inverse_scalar(plan, a);
        else
            ntt_inverse_lazy_scalar(plan, a);
    } else if (plan->q <= (UINT64_C(1) << 45)) {
        inverse(plan, a, full, 1);
    } else {
        inverse(plan, a, full, 0);
    }
}

static void inverse_lazy_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    inverse_dispatch(plan, a, 0);
}

static void inverse_avx512(const ntt_plan_t *plan, uint64_t *a)
{
    inverse_dispatch(plan, a, 1);
}

const struct ntt_kernels ntt_kernels_avx512 = {
    .isa = VEIL_ISA_AVX512,
    .tables_init = tables_init_avx512,
    .forward = forward_avx512,
    .forward_lazy = forward_lazy_avx512,
    .forward_prefetch = forward_prefetch_avx512,
    .inverse = inverse_avx512,
    .inverse_lazy = inverse_lazy_avx512,
    .vec_add = ntt_vec_add_avx512,
    .vec_add_signed = ntt_vec_add_signed_avx512,
    .vec_sub = ntt_vec_sub_avx512,
    .vec_neg = ntt_vec_neg_avx512,
    .vec_mul = ntt_vec_mul_avx512,
    .vec_muladd = ntt_vec_muladd_avx512,
    .vec_muladd2 = ntt_vec_muladd2_avx512,
    .vec_mul2 = ntt_vec_mul2_avx512,
    .vec_mul_shoup = ntt_vec_mul_shoup_avx512,
    .vec_mul_const = ntt_vec_mul_const_avx512,
    .vec_reduce = ntt_vec_reduce_avx512,
};
