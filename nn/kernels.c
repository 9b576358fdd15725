/*
 * kernels.c - per-sample float kernels for the layers of a model (forward
 * and input gradients).  Inner loops run over contiguous memory with
 * `omp simd` so that they vectorise at -O2; a reduction's order is fixed by
 * the code, never by the number of threads.
 */
#include "kernels.h"
#include <math.h>
#include <string.h>

size_t _nn_cols_size(const nn_layer_t *l)
{
    return (size_t)l->in.c * l->k * l->k * l->out.h * l->out.w;
}

void _nn_im2col(float *cols, const nn_layer_t *l, const float *in)
{
    _nn_im2col_ld(cols, (size_t)l->out.h * l->out.w, l, in);
}

/* Output columns ox whose input column ox * s + kx - pad lies in
 * [0, w): [*lo, *hi). */
static void valid_range(uint32_t *lo, uint32_t *hi, uint32_t ow, uint32_t s,
                        uint32_t kx, uint32_t pad, uint32_t w)
{
    /* ox * s + kx >= pad  and  ox * s + kx < w + pad */
    uint32_t a = kx >= pad ? 0 : (pad - kx + s - 1) / s;
    uint32_t b = w + pad > kx ? (w + pad - kx + s - 1) / s : 0;
    if (b > ow)
        b = ow;
    if (a > b)
        a = b;
    *lo = a;
    *hi = b;
}

void _nn_im2col_ld(float *cols, size_t P, const nn_layer_t *l, const float *in)
{
    const uint32_t k = l->k, s = l->stride, oh = l->out.h, ow = l->out.w;
    const uint32_t ih = l->in.h, iw = l->in.w, pad = l->pad;

    for (uint32_t c = 0; c < l->in.c; c++)
        for (uint32_t ky = 0; ky < k; ky++)
            for (uint32_t kx = 0; kx < k; kx++) {
                float *row = cols + ((size_t)(c * k + ky) * k + kx) * P;
                uint32_t lo, hi;
                valid_range(&lo, &hi, ow, s, kx, pad, iw);
                for (uint32_t oy = 0; oy < oh; oy++) {
                    const long y = (long)oy * s + ky - pad;
                    float *r = row + (size_t)oy * ow;
                    if (y < 0 || y >= (long)ih || lo == hi) {
                        memset(r, 0, ow * sizeof(float));
                        continue;
                    }
                    /* the valid columns read src[ox * s + kx - pad] */
                    const float *src = in + ((size_t)c * ih + y) * iw +
                                       ((long)lo * s + kx - pad);
                    for (uint32_t ox = 0; ox < lo; ox++)
                        r[ox] = 0.0f;
                    if (s == 1)
                        memcpy(r + lo, src, (hi - lo) * sizeof(float));
                    else
                        for (uint32_t ox = lo; ox < hi; ox++)
                            r[ox] = src[(size_t)(ox - lo) * s];
                    for (uint32_t ox = hi; ox < ow; ox++)
                        r[ox] = 0.0f;
                }
            }
}

void _nn_col2im_add(float *dx, const nn_layer_t *l, const float *dcols)
{
    _nn_col2im_add_ld(dx, (size_t)l->out.h * l->out.w, l, dcols);
}

void _nn_col2im_add_ld(float *dx, size_t P, const nn_layer_t *l,
                       const float *dcols)
{
    const uint32_t k = l->k, s = l->stride, oh = l->out.h, ow = l->out.w;
    const uint32_t ih = l->in.h, iw = l->in.w, pad = l->pad;

    /* Each input element receives at most one value per tap, taps in
     * ascending order: the order of the sums is fixed by the layer. */
    for (uint32_t c = 0; c < l->in.c; c++)
        for (uint32_t ky = 0; ky < k; ky++)
            for (uint32_t kx = 0; kx < k; kx++) {
                const float *row = dcols + ((size_t)(c * k + ky) * k + kx) * P;
                uint32_t lo, hi;
                valid_range(&lo, &hi, ow, s, kx, pad, iw);
                if (lo == hi)
                    continue;
                for (uint32_t oy = 0; oy < oh; oy++) {
                    const long y = (long)oy * s + ky - pad;
                    if (y < 0 || y >= (long)ih)
                        continue;
                    float *dst = dx + ((size_t)c * ih + y) * iw +
                                 ((long)lo * s + kx - pad);
                    const float *r = row + (size_t)oy * ow + lo;
                    const uint32_t len = hi - lo;
                    if (s == 1) {
#pragma omp simd
                        for (uint32_t j = 0; j < len; j++)
                            dst[j] += r[j];
                    } else {
                        for (uint32_t j = 0; j < len; j++)
                            dst[(size_t)j * s] += r[j];
                    }
                }
            }
}

void _nn_conv_forward(float *out, const nn_layer_t *l, const float *w,
                      const float *b, const float *cols)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;

    for (uint32_t m = 0; m < l->out.c; m++) {
        float *o = out + m * P;
        const float *wm = w + m * K;
        for (size_t p = 0; p < P; p++)
            o[p] = b[m];
        for (size_t j = 0; j < K; j++) {
            const float wj = wm[j];
            const float *cj = cols + j * P;
#pragma omp simd
            for (size_t p = 0; p < P; p++)
                o[p] += wj * cj[p];
        }
    }
}

void _nn_conv_backward_cols(float *dcols, const nn_layer_t *l, const float *w,
                            const float *delta)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;

    memset(dcols, 0, K * P * sizeof(float));
    for (uint32_t m = 0; m < l->out.c; m++) {
        const float *dm = delta + m * P;
        for (size_t j = 0; j < K; j++) {
            const float wj = w[m * K + j];
            float *cj = dcols + j * P;
#pragma omp simd
            for (size_t p = 0; p < P; p++)
                cj[p] += wj * dm[p];
        }
    }
}

void _nn_dense_forward(float *out, const nn_layer_t *l, const float *w,
                       const float *b, const float *in)
{
    const size_t n = nn_shape_size(l->in);

    for (uint32_t i = 0; i < l->out.c; i++) {
        const float *wi = w + i * n;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (size_t j = 0; j < n; j++)
            s += wi[j] * in[j];
        out[i] = b[i] + s;
    }
}

void _nn_dense_backward_input(float *dx, const nn_layer_t *l, const float *w,
                              const float *delta)
{
    const size_t n = nn_shape_size(l->in);

    memset(dx, 0, n * sizeof(float));
    for (uint32_t i = 0; i < l->out.c; i++) {
        const float *wi = w + i * n;
        const float di = delta[i];
#pragma omp simd
        for (size_t j = 0; j < n; j++)
            dx[j] += di * wi[j];
    }
}

void _nn_poly_forward(float *out, const float *a, uint32_t degree,
                      const float *in, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        float y = a[degree];
        for (uint32_t i = degree; i-- > 0;)
            y = y * in[j] + a[i];
        out[j] = y;
    }
}

void _nn_poly_backward_input(float *dx, const float *a, uint32_t degree,
                             const float *x, const float *delta, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        /* p'(x) = sum_{i >= 1} i a_i x^(i-1), by Horner */
        float d = (float)degree * a[degree];
        for (uint32_t i = degree - 1; i >= 1; i--)
            d = d * x[j] + (float)i * a[i];
        dx[j] = delta[j] * d;
    }
}

void _nn_avgpool_forward(float *out, const nn_layer_t *l, const float *in)
{
    const uint32_t k = l->k, s = l->stride;
    const float inv = 1.0f / (float)(k * k);

    for (uint32_t c = 0; c < l->out.c; c++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                float sum = 0.0f;
                for (uint32_t ky = 0; ky < k; ky++) {
                    const float *r =
                        in + ((size_t)c * l->in.h + oy * s + ky) * l->in.w +
                        (size_t)ox * s;
                    for (uint32_t kx = 0; kx < k; kx++)
                        sum += r[kx];
                }
                out[((size_t)c * l->out.h + oy) * l->out.w + ox] = sum * inv;
            }
}

void _nn_avgpool_backward(float *dx, const nn_layer_t *l, const float *delta)
{
    const uint32_t k = l->k, s = l->stride;
    const float inv = 1.0f / (float)(k * k);

    memset(dx, 0, nn_shape_size(l->in) * sizeof(float));
    for (uint32_t c = 0; c < l->out.c; c++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                const float g =
                    delta[((size_t)c * l->out.h + oy) * l->out.w + ox] * inv;
                for (uint32_t ky = 0; ky < k; ky++) {
                    float *r = dx +
                               ((size_t)c * l->in.h + oy * s + ky) * l->in.w +
                               (size_t)ox * s;
                    for (uint32_t kx = 0; kx < k; kx++)
                        r[kx] += g;
                }
            }
}

void _nn_maxpool_forward(float *out, const nn_layer_t *l, const float *in)
{
    const uint32_t k = l->k, s = l->stride;

    for (uint32_t c = 0; c < l->out.c; c++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                float mx = -INFINITY;
                for (uint32_t ky = 0; ky < k; ky++) {
                    const float *r =
                        in + ((size_t)c * l->in.h + oy * s + ky) * l->in.w +
                        (size_t)ox * s;
                    for (uint32_t kx = 0; kx < k; kx++)
                        mx = r[kx] > mx ? r[kx] : mx;
                }
                out[((size_t)c * l->out.h + oy) * l->out.w + ox] = mx;
            }
}

void _nn_maxpool_backward(float *dx, const nn_layer_t *l, const float *in,
                          const float *delta)
{
    const uint32_t k = l->k, s = l->stride;

    memset(dx, 0, nn_shape_size(l->in) * sizeof(float));
    for (uint32_t c = 0; c < l->out.c; c++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                size_t best = 0;
                float mx = -INFINITY;
                for (uint32_t ky = 0; ky < k; ky++)
                    for (uint32_t kx = 0; kx < k; kx++) {
                        const size_t at =
                            ((size_t)c * l->in.h + oy * s + ky) * l->in.w +
                            (size_t)ox * s + kx;
                        if (in[at] > mx) {
                            mx = in[at];
                            best = at;
                        }
                    }
                dx[best] += delta[((size_t)c * l->out.h + oy) * l->out.w + ox];
            }
}

void _nn_act_row_forward(float *y, uint8_t kind, const float *a, const float *x,
                         size_t len)
{
    const float c0 = a[0], c1 = a[1], c2 = a[2], c3 = a[3];

    switch (kind) {
    case NN_ACT_RELU:
#pragma omp simd
        for (size_t p = 0; p < len; p++)
            y[p] = x[p] > 0.0f ? x[p] : 0.0f;
        break;
    case NN_ACT_CONST:
        for (size_t p = 0; p < len; p++)
            y[p] = c0;
        break;
    case NN_ACT_POLY2:
#pragma omp simd
        for (size_t p = 0; p < len; p++)
            y[p] = (c2 * x[p] + c1) * x[p] + c0;
        break;
    default: /* NN_ACT_POLY3 */
#pragma omp simd
        for (size_t p = 0; p < len; p++)
            y[p] = ((c3 * x[p] + c2) * x[p] + c1) * x[p] + c0;
        break;
    }
}

void _nn_act_row_backward(float *dx, uint8_t kind, const float *a,
                          const float *x, const float *d, size_t len)
{
    const float c1 = a[1], c2 = a[2], c3 = a[3];

    switch (kind) {
    case NN_ACT_RELU:
#pragma omp simd
        for (size_t p = 0; p < len; p++)
            dx[p] = x[p] > 0.0f ? d[p] : 0.0f;
        break;
    case NN_ACT_CONST:
        memset(dx, 0, len * sizeof(float));
        break;
    case NN_ACT_POLY2:
#pragma omp simd
        for (size_t p = 0; p < len; p++)
            dx[p] = d[p] * (2.0f * c2 * x[p] + c1);
        break;
    default:
#pragma omp simd
        for (size_t p = 0; p < len; p++)
            dx[p] = d[p] * ((3.0f * c3 * x[p] + 2.0f * c2) * x[p] + c1);
        break;
    }
}

void _nn_act_forward(float *out, const nn_layer_t *l, const uint8_t *kinds,
                     const float *a, const float *in)
{
    const size_t hw = (size_t)l->in.h * l->in.w;

    for (uint32_t c = 0; c < l->in.c; c++)
        _nn_act_row_forward(out + c * hw, kinds[c],
                            a + (size_t)NN_ACT_COEFS * c, in + c * hw, hw);
}

void _nn_act_backward_input(float *dx, const nn_layer_t *l,
                            const uint8_t *kinds, const float *a,
                            const float *x, const float *delta)
{
    const size_t hw = (size_t)l->in.h * l->in.w;

    for (uint32_t c = 0; c < l->in.c; c++)
        _nn_act_row_backward(dx + c * hw, kinds[c],
                             a + (size_t)NN_ACT_COEFS * c, x + c * hw,
                             delta + c * hw, hw);
}

void _nn_bn_forward_infer(float *out, const nn_layer_t *l, const float *gamma,
                          const float *beta, const float *mean,
                          const float *var, const float *in)
{
    const size_t hw = (size_t)l->in.h * l->in.w;

    for (uint32_t c = 0; c < l->in.c; c++) {
        const float g = gamma[c] / sqrtf(var[c] + l->eps);
        const float o = beta[c] - g * mean[c];
        for (size_t p = 0; p < hw; p++)
            out[c * hw + p] = g * in[c * hw + p] + o;
    }
}
