/*
 * ref.c - the plaintext reference evaluator: the protocol's arithmetic with
 * exact floors where the protocol truncates, plus, per element, the
 * interval of errors the local truncations' ±1 units can cause (interval
 * arithmetic, propagated through every layer).  See safenet.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "safenet_internal.h"

typedef __int128 i128;

static i128 i128_min(i128 a, i128 b)
{
    return a < b ? a : b;
}
static i128 i128_max(i128 a, i128 b)
{
    return a > b ? a : b;
}
static double i128_abs_d(i128 a)
{
    return (double)(a < 0 ? -a : a);
}

veil_status safenet_ref_init(safenet_ref_t *r, const safenet_net_t *net)
{
    size_t n;
    if (r == NULL || net == NULL)
        return VEIL_EINVAL;
    memset(r, 0, sizeof(*r));
    n = safenet_net_out_size(net);
    r->out = calloc(n, sizeof(uint64_t));
    r->lo = calloc(n, sizeof(int64_t));
    r->hi = calloc(n, sizeof(int64_t));
    if (r->out == NULL || r->lo == NULL || r->hi == NULL) {
        safenet_ref_clear(r);
        return VEIL_ENOMEM;
    }
    return VEIL_OK;
}

void safenet_ref_clear(safenet_ref_t *r)
{
    if (r == NULL)
        return;
    free(r->out);
    free(r->lo);
    free(r->hi);
    memset(r, 0, sizeof(*r));
}

/* A tensor of exact values v with error intervals [lo, hi]. */
typedef struct {
    i128 *v, *lo, *hi;
} tens_t;

static int tens_alloc(tens_t *t, size_t n)
{
    t->v = calloc(n ? n : 1, sizeof(i128));
    t->lo = calloc(n ? n : 1, sizeof(i128));
    t->hi = calloc(n ? n : 1, sizeof(i128));
    return t->v && t->lo && t->hi;
}

static void tens_free(tens_t *t)
{
    free(t->v);
    free(t->lo);
    free(t->hi);
    t->v = t->lo = t->hi = NULL;
}

/* What the protocol holds is the value mod p: bring v into the centred
 * range, counting an overflow when it was outside. */
static i128 wrap(i128 v, const mpc_field_t *f, size_t *overflow)
{
    i128 p = (i128)f->p, h = (i128)f->half;
    if (v > h || v < -h) {
        (*overflow)++;
        v %= p;
        if (v > h)
            v -= p;
        if (v < -h)
            v += p;
    }
    return v;
}

/* Truncation of v (error [lo, hi]) by s bits as sn_trunc does it: exact
 * floor, error interval widened by its one unit either way; a value above
 * sn_trunc_bound (about p / 4) counts as an overflow (the protocol's
 * truncation would be wrong). */
static void trunc_iv(i128 *v, i128 *lo, i128 *hi, unsigned s, size_t *overflow,
                     const mpc_field_t *f)
{
    i128 y = sn_fdiv(*v, s), b = (i128)sn_trunc_bound(f->p);
    if (*v > b || *v < -b)
        (*overflow)++;
    *lo = sn_fdiv(*v + *lo, s) - 1 - y;
    *hi = sn_fdiv(*v + *hi, s) + 1 - y;
    *v = y;
}

/* Interval product [a0, a1] x [b0, b1]. */
static void mul_iv(i128 *lo, i128 *hi, i128 a0, i128 a1, i128 b0, i128 b1)
{
    i128 c[4] = {a0 * b0, a0 * b1, a1 * b0, a1 * b1};
    *lo = *hi = c[0];
    for (int i = 1; i < 4; i++) {
        *lo = i128_min(*lo, c[i]);
        *hi = i128_max(*hi, c[i]);
    }
}

static void linear_ref(const safenet_net_t *net, const safenet_layer_t *L,
                       tens_t *o, const tens_t *x, size_t *overflow)
{
    const uint64_t p = net->f.p, half = net->f.half;
    if (L->op == SAFENET_DENSE) {
        const size_t nin = nn_shape_size(L->in);
        for (size_t j = 0; j < L->out.c; j++) {
            i128 a = sn_centre(L->b[j], p, half), lo = 0, hi = 0;
            for (size_t i = 0; i < nin; i++) {
                int64_t w = sn_centre(L->w[j * nin + i], p, half);
                a += (i128)w * x->v[i];
                lo += w > 0 ? w * x->lo[i] : w * x->hi[i];
                hi += w > 0 ? w * x->hi[i] : w * x->lo[i];
            }
            o->v[j] = wrap(a, &net->f, overflow);
            o->lo[j] = lo;
            o->hi[j] = hi;
        }
        return;
    }
    const size_t H = L->in.h, W = L->in.w, C = L->in.c, k = L->k;
    const size_t oh = L->out.h, ow = L->out.w, s = L->stride;
    const long pad = (long)L->pad;
    for (size_t m = 0; m < L->out.c; m++)
        for (size_t oy = 0; oy < oh; oy++)
            for (size_t ox = 0; ox < ow; ox++) {
                i128 a = sn_centre(L->b[m], p, half), lo = 0, hi = 0;
                for (size_t c = 0; c < C; c++)
                    for (size_t ky = 0; ky < k; ky++)
                        for (size_t kx = 0; kx < k; kx++) {
                            long iy = (long)(oy * s + ky) - pad;
                            long ix = (long)(ox * s + kx) - pad;
                            size_t q;
                            int64_t w;
                            if (iy < 0 || ix < 0 || iy >= (long)H ||
                                ix >= (long)W)
                                continue;
                            q = (c * H + (size_t)iy) * W + (size_t)ix;
                            w = sn_centre(L->w[((m * C + c) * k + ky) * k + kx],
                                          p, half);
                            a += (i128)w * x->v[q];
                            lo += w > 0 ? w * x->lo[q] : w * x->hi[q];
                            hi += w > 0 ? w * x->hi[q] : w * x->lo[q];
                        }
                size_t q = (m * oh + oy) * ow + ox;
                o->v[q] = wrap(a, &net->f, overflow);
                o->lo[q] = lo;
                o->hi[q] = hi;
            }
}

/* t = trunc(t * m) + k with error intervals: m = [m + ml, m + mh], t
 * likewise (a public m has ml = mh = 0). */
static void horner_step(i128 *t, i128 *tl, i128 *th, i128 m, i128 ml, i128 mh,
                        i128 k, const mpc_field_t *f, size_t *overflow)
{
    i128 lo, hi, y = *t * m;
    mul_iv(&lo, &hi, *t + *tl, *t + *th, m + ml, m + mh);
    *tl = lo - y;
    *th = hi - y;
    y = wrap(y, f, overflow);
    trunc_iv(&y, tl, th, f->frac, overflow, f);
    *t = wrap(y + k, f, overflow);
}

/* One polynomial element as poly.c computes it (pre-truncation by shift,
 * then Horner's rule); v, lo, hi in and out. */
static void poly_ref(const safenet_net_t *net, const uint64_t *c4, unsigned deg,
                     unsigned shift, i128 *v, i128 *lo, i128 *hi,
                     size_t *overflow)
{
    const mpc_field_t *f = &net->f;
    i128 c[4], x = *v, xl = *lo, xh = *hi, t, tl = 0, th = 0;
    for (int i = 0; i < 4; i++)
        c[i] = sn_centre(c4[i], f->p, f->half);
    trunc_iv(&x, &xl, &xh, shift, overflow, f);
    /* t = trunc(c_d x) + c_(d-1), then t = trunc(t x) + c_(d-2) ... */
    t = c[deg];
    horner_step(&t, &tl, &th, x, xl, xh, c[deg - 1], f, overflow);
    for (int i = (int)deg - 2; i >= 0; i--)
        horner_step(&t, &tl, &th, x, xl, xh, c[i], f, overflow);
    *v = t;
    *lo = tl;
    *hi = th;
}

veil_status safenet_ref_eval(safenet_ref_t *r, const safenet_net_t *net,
                             const uint64_t *x)
{
    tens_t a = {0}, b = {0};
    size_t maxn = nn_shape_size(net->in);
    veil_status st = VEIL_OK;
    if (r == NULL || net == NULL || x == NULL || r->out == NULL)
        return VEIL_EINVAL;
    for (uint32_t i = 0; i < net->nlayers; i++)
        if (nn_shape_size(net->layers[i].out) > maxn)
            maxn = nn_shape_size(net->layers[i].out);
    if (!tens_alloc(&a, maxn) || !tens_alloc(&b, maxn)) {
        st = VEIL_ENOMEM;
        goto done;
    }
    r->overflow = 0;
    r->unbounded = 0;
    for (size_t i = 0; i < nn_shape_size(net->in); i++) {
        if (x[i] >= net->f.p) {
            st = VEIL_EINVAL;
            goto done;
        }
        a.v[i] = sn_centre(x[i], net->f.p, net->f.half);
    }
    for (uint32_t li = 0; li < net->nlayers; li++) {
        const safenet_layer_t *L = &net->layers[li];
        const size_t nin = nn_shape_size(L->in);
        const size_t hw = (size_t)L->in.h * L->in.w;
        tens_t t;
        switch (L->op) {
        case SAFENET_CONV:
        case SAFENET_DENSE:
            linear_ref(net, L, &b, &a, &r->overflow);
            t = a;
            a = b;
            b = t;
            break;
        case SAFENET_POOL:
            for (size_t c = 0; c < L->out.c; c++)
                for (size_t oy = 0; oy < L->out.h; oy++)
                    for (size_t ox = 0; ox < L->out.w; ox++) {
                        i128 s = 0, lo = 0, hi = 0;
                        for (size_t ky = 0; ky < L->k; ky++)
                            for (size_t kx = 0; kx < L->k; kx++) {
                                size_t q = (c * L->in.h + oy * L->stride + ky) *
                                               L->in.w +
                                           ox * L->stride + kx;
                                s += a.v[q];
                                lo += a.lo[q];
                                hi += a.hi[q];
                            }
                        size_t q = (c * L->out.h + oy) * L->out.w + ox;
                        b.v[q] = wrap(s, &net->f, &r->overflow);
                        b.lo[q] = lo;
                        b.hi[q] = hi;
                    }
            t = a;
            a = b;
            b = t;
            break;
        case SAFENET_TRUNC:
            for (size_t i = 0; i < nin; i++)
                trunc_iv(&a.v[i], &a.lo[i], &a.hi[i], L->shift, &r->overflow,
                         &net->f);
            break;
        case SAFENET_ACT:
            for (size_t c = 0; c < L->in.c; c++)
                for (size_t j = c * hw; j < (c + 1) * hw; j++) {
                    i128 v = a.v[j], lo = a.lo[j], hi = a.hi[j];
                    switch (L->kind[c]) {
                    case SAFENET_RELU: {
                        i128 y = sn_fdiv(v > 0 ? v : 0, L->shift);
                        i128 y0 = sn_fdiv(i128_max(v + lo, 0), L->shift);
                        i128 y1 = sn_fdiv(i128_max(v + hi, 0), L->shift);
                        a.v[j] = y;
                        a.lo[j] = y0 - y;
                        a.hi[j] = y1 - y;
                        break;
                    }
                    case SAFENET_CONST:
                        a.v[j] =
                            sn_centre(L->coef[4 * c], net->f.p, net->f.half);
                        a.lo[j] = a.hi[j] = 0;
                        break;
                    default:
                        poly_ref(net, L->coef + 4 * c,
                                 L->kind[c] == SAFENET_POLY2 ? 2 : 3, L->shift,
                                 &v, &lo, &hi, &r->overflow);
                        a.v[j] = v;
                        a.lo[j] = lo;
                        a.hi[j] = hi;
                    }
                }
            break;
        }
        /* saturate the intervals (products of huge bounds would overflow
         * 128 bits) and record the layer's value range */
        {
            const i128 cap = (i128)1 << 60;
            const size_t nout = nn_shape_size(L->out);
            double mx = 0;
            for (size_t j = 0; j < nout; j++) {
                if (a.lo[j] < -cap || a.hi[j] > cap) {
                    r->unbounded = 1;
                    a.lo[j] = a.lo[j] < -cap ? -cap : a.lo[j];
                    a.hi[j] = a.hi[j] > cap ? cap : a.hi[j];
                }
                if (i128_abs_d(a.v[j]) > mx)
                    mx = i128_abs_d(a.v[j]);
            }
            r->max_abs[li] = mx / L->out_scale;
        }
    }
    for (size_t i = 0; i < safenet_net_out_size(net); i++) {
        i128 v = a.v[i];
        r->out[i] = v < 0 ? (uint64_t)((i128)net->f.p + v) : (uint64_t)v;
        r->lo[i] = a.lo[i] < INT64_MIN / 2 ? INT64_MIN / 2 : (int64_t)a.lo[i];
        r->hi[i] = a.hi[i] > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)a.hi[i];
    }
done:
    tens_free(&a);
    tens_free(&b);
    return st;
}
