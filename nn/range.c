/*
 * range.c - worst-case value ranges of a quantized model by exact interval
 * arithmetic (doc/10-nn.md, "Value ranges").  Each value carries an
 * interval [lo, hi] of fmpz; every layer maps input intervals to output
 * intervals that contain every possible output:
 *   linear   lo' = b + sum_j (w_j > 0 ? w_j lo_j : w_j hi_j), hi' likewise
 *            (exact: attained by choosing each input at an end point);
 *   square   [lo^2, hi^2] if lo >= 0, [hi^2, lo^2] if hi <= 0, else
 *            [0, max(lo^2, hi^2)];
 *   poly     the sum over i of c_i times the interval of x^i;
 *   sumpool  the sum of the window's intervals.
 */
#include "veil/nn.h"
#include <flint/fmpz_vec.h>
#include <string.h>

/* [lo, hi] of w * [a, b] added into [*lo, *hi]. */
static void add_scaled(fmpz_t lo, fmpz_t hi, int32_t w, const fmpz_t a,
                       const fmpz_t b)
{
    if (w > 0) {
        fmpz_addmul_si(lo, a, w);
        fmpz_addmul_si(hi, b, w);
    } else if (w < 0) {
        fmpz_addmul_si(lo, b, w);
        fmpz_addmul_si(hi, a, w);
    }
}

static void conv_range(nn_range_t *o, const nn_qlayer_t *l, const nn_range_t *x)
{
    const uint32_t k = l->k;
    for (uint32_t m = 0; m < l->out.c; m++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                const size_t at = ((size_t)m * l->out.h + oy) * l->out.w + ox;
                fmpz_set(o->lo + at, l->b + m);
                fmpz_set(o->hi + at, l->b + m);
                for (uint32_t c = 0; c < l->in.c; c++)
                    for (uint32_t ky = 0; ky < k; ky++) {
                        const long y = (long)oy * l->stride + ky - l->pad;
                        if (y < 0 || y >= (long)l->in.h)
                            continue;
                        for (uint32_t kx = 0; kx < k; kx++) {
                            const long xx = (long)ox * l->stride + kx - l->pad;
                            const size_t j =
                                ((size_t)c * l->in.h + y) * l->in.w + xx;
                            if (xx < 0 || xx >= (long)l->in.w)
                                continue;
                            add_scaled(
                                o->lo + at, o->hi + at,
                                l->w[((size_t)(m * l->in.c + c) * k + ky) * k +
                                     kx],
                                x->lo + j, x->hi + j);
                        }
                    }
            }
}

static void dense_range(nn_range_t *o, const nn_qlayer_t *l,
                        const nn_range_t *x)
{
    const size_t n = nn_shape_size(l->in);
    for (uint32_t i = 0; i < l->out.c; i++) {
        fmpz_set(o->lo + i, l->b + i);
        fmpz_set(o->hi + i, l->b + i);
        for (size_t j = 0; j < n; j++)
            add_scaled(o->lo + i, o->hi + i, l->w[i * n + j], x->lo + j,
                       x->hi + j);
    }
}

/* [lo, hi] = the range of t^e over t in [a, b] (e >= 0). */
static void pow_range(fmpz_t lo, fmpz_t hi, const fmpz_t a, const fmpz_t b,
                      ulong e)
{
    fmpz_pow_ui(lo, a, e);
    fmpz_pow_ui(hi, b, e);
    if (e == 0 || e % 2 == 1 || fmpz_sgn(a) >= 0)
        return;             /* monotone increasing */
    if (fmpz_sgn(b) <= 0) { /* even power of non-positive values */
        fmpz_swap(lo, hi);
        return;
    }
    if (fmpz_cmp(lo, hi) > 0) /* 0 inside: minimum 0, maximum at an end */
        fmpz_swap(lo, hi);
    fmpz_zero(lo);
}

static void poly_range(fmpz_t lo, fmpz_t hi, const nn_qlayer_t *l,
                       const fmpz_t a, const fmpz_t b)
{
    fmpz_t plo, phi;
    fmpz_init(plo);
    fmpz_init(phi);
    fmpz_zero(lo);
    fmpz_zero(hi);
    for (uint32_t i = 0; i <= l->degree; i++) {
        const fmpz *c = l->b + i;
        pow_range(plo, phi, a, b, i);
        if (fmpz_sgn(c) < 0)
            fmpz_swap(plo, phi);
        fmpz_addmul(lo, c, plo);
        fmpz_addmul(hi, c, phi);
    }
    fmpz_clear(plo);
    fmpz_clear(phi);
}

static void sumpool_range(nn_range_t *o, const nn_qlayer_t *l,
                          const nn_range_t *x)
{
    for (uint32_t c = 0; c < l->out.c; c++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                const size_t at = ((size_t)c * l->out.h + oy) * l->out.w + ox;
                fmpz_zero(o->lo + at);
                fmpz_zero(o->hi + at);
                for (uint32_t ky = 0; ky < l->k; ky++)
                    for (uint32_t kx = 0; kx < l->k; kx++) {
                        const size_t j =
                            ((size_t)c * l->in.h + oy * l->stride + ky) *
                                l->in.w +
                            (size_t)ox * l->stride + kx;
                        fmpz_add(o->lo + at, o->lo + at, x->lo + j);
                        fmpz_add(o->hi + at, o->hi + at, x->hi + j);
                    }
            }
}

static void layer_range(nn_range_t *o, const nn_qlayer_t *l,
                        const nn_range_t *x)
{
    switch (l->type) {
    case NN_LAYER_CONV2D:
        conv_range(o, l, x);
        break;
    case NN_LAYER_DENSE:
        dense_range(o, l, x);
        break;
    case NN_LAYER_SQUARE:
        for (size_t j = 0; j < o->len; j++)
            pow_range(o->lo + j, o->hi + j, x->lo + j, x->hi + j, 2);
        break;
    case NN_LAYER_POLY:
        for (size_t j = 0; j < o->len; j++)
            poly_range(o->lo + j, o->hi + j, l, x->lo + j, x->hi + j);
        break;
    case NN_LAYER_AVGPOOL:
        sumpool_range(o, l, x);
        break;
    case NN_LAYER_BATCHNORM:
    case NN_LAYER_RELU:
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_ACT:
        break; /* never in a quantized model */
    }
}

/* maxabs and bits of one range. */
static void range_summary(nn_range_t *r)
{
    fmpz_zero(r->maxabs);
    for (size_t j = 0; j < r->len; j++) {
        if (fmpz_cmpabs(r->lo + j, r->maxabs) > 0)
            fmpz_abs(r->maxabs, r->lo + j);
        if (fmpz_cmpabs(r->hi + j, r->maxabs) > 0)
            fmpz_abs(r->maxabs, r->hi + j);
    }
    r->bits = (uint32_t)fmpz_bits(r->maxabs);
}

void nn_ranges_clear(nn_ranges_t *r)
{
    if (r == NULL)
        return;
    for (uint32_t i = 0; i <= r->nlayers; i++) {
        nn_range_t *v = &r->v[i];
        if (v->lo != NULL)
            _fmpz_vec_clear(v->lo, (slong)v->len);
        if (v->hi != NULL)
            _fmpz_vec_clear(v->hi, (slong)v->len);
        fmpz_clear(v->maxabs);
    }
    fmpz_clear(r->maxabs);
    memset(r, 0, sizeof(*r));
}

veil_status nn_ranges_compute(nn_ranges_t *r, const nn_qmodel_t *q,
                              int64_t in_lo, int64_t in_hi)
{
    if (r == NULL)
        return VEIL_EINVAL;
    memset(r, 0, sizeof(*r));
    if (q == NULL || q->nlayers == 0 || in_lo > in_hi)
        return VEIL_EINVAL;
    r->nlayers = q->nlayers;
    fmpz_init(r->maxabs);
    for (uint32_t i = 0; i <= q->nlayers; i++) {
        nn_range_t *v = &r->v[i];
        v->len = nn_shape_size(i == 0 ? q->in : q->layers[i - 1].out);
        v->lo = _fmpz_vec_init((slong)v->len);
        v->hi = _fmpz_vec_init((slong)v->len);
        fmpz_init(v->maxabs);
    }
    for (size_t j = 0; j < r->v[0].len; j++) {
        fmpz_set_si(r->v[0].lo + j, in_lo);
        fmpz_set_si(r->v[0].hi + j, in_hi);
    }
    for (uint32_t i = 0; i < q->nlayers; i++)
        layer_range(&r->v[i + 1], &q->layers[i], &r->v[i]);
    for (uint32_t i = 0; i <= q->nlayers; i++) {
        range_summary(&r->v[i]);
        if (fmpz_cmp(r->v[i].maxabs, r->maxabs) > 0)
            fmpz_set(r->maxabs, r->v[i].maxabs);
    }
    r->bits = (uint32_t)fmpz_bits(r->maxabs);
    return VEIL_OK;
}
