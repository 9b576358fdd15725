/*
 * backprop.c - a mini-batch forward pass in training mode and
 * back-propagation of the mean softmax cross-entropy.
 *
 * Determinism: every parallel loop gives each output element to exactly one
 * iteration, and each iteration sums in a fixed order (samples in batch
 * order, positions in memory order).  Per-sample work runs in parallel over
 * samples; weight gradients run in parallel over weights, each summing over
 * the batch.  Scalar reductions (loss, polynomial coefficients, batch-norm
 * statistics) go through per-sample or per-channel partial sums added in
 * order.  The result is therefore the same for any number of threads.
 */
#include "backprop.h"
#include "batch.h"
#include "kernels.h"
#include <math.h>
#include <omp.h>
#include <string.h>

void _nn_backprop_clear(nn_backprop_t *bp)
{
    if (bp == NULL)
        return;
    for (uint32_t i = 0; i <= NN_MAX_LAYERS; i++) {
        veil_free(bp->act[i]);
        veil_free(bp->dact[i]);
    }
    for (uint32_t i = 0; i < NN_MAX_LAYERS; i++) {
        veil_free(bp->bn_mean[i]);
        veil_free(bp->bn_var[i]);
    }
    veil_free(bp->ws.cols);
    veil_free(bp->ws.tmp);
    veil_free(bp->ws.part);
    veil_free(bp->psum);
    veil_free(bp->loss);
    veil_free(bp->grad);
    memset(bp, 0, sizeof(*bp));
}

veil_status _nn_backprop_init(nn_backprop_t *bp, const nn_model_t *m,
                              uint32_t cap)
{
    size_t maxcols = 0, maxpart = 0;

    memset(bp, 0, sizeof(*bp));
    _nn_gemm_threads(1);
    bp->ws.threads = omp_get_max_threads();
    bp->m = m;
    bp->cap = cap;
    /* act[0] is the input batch; dact[0] stays NULL: layer 0 needs no input
     * gradient. */
    if ((bp->act[0] = veil_alloc(cap * nn_shape_size(m->in) * sizeof(float))) ==
        NULL)
        goto nomem;
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        const size_t s = cap * nn_shape_size(l->out);
        if ((bp->act[i + 1] = veil_alloc(s * sizeof(float))) == NULL ||
            (bp->dact[i + 1] = veil_alloc(s * sizeof(float))) == NULL)
            goto nomem;
        if (l->type == NN_LAYER_CONV2D && _nn_conv_scratch(l, cap) > maxcols)
            maxcols = _nn_conv_scratch(l, cap);
        if (l->type == NN_LAYER_CONV2D && _nn_conv_part(l, cap) > maxpart)
            maxpart = _nn_conv_part(l, cap);
        if (l->type == NN_LAYER_BATCHNORM &&
            ((bp->bn_mean[i] = veil_alloc(l->in.c * sizeof(double))) == NULL ||
             (bp->bn_var[i] = veil_alloc(l->in.c * sizeof(double))) == NULL))
            goto nomem;
    }
    bp->ws.scratch = maxcols;
    if ((maxcols > 0 &&
         ((bp->ws.cols = veil_alloc((size_t)bp->ws.threads * maxcols *
                                    sizeof(float))) == NULL ||
          (bp->ws.tmp = veil_alloc((size_t)bp->ws.threads * maxcols *
                                   sizeof(float))) == NULL ||
          (bp->ws.part = veil_alloc(maxpart * sizeof(float))) == NULL)) ||
        (bp->psum = veil_alloc(cap * (NN_POLY_MAX_DEGREE + 1) *
                               sizeof(double))) == NULL ||
        (bp->loss = veil_alloc(cap * sizeof(double))) == NULL ||
        (bp->grad = veil_calloc(m->nparams + 1, sizeof(float))) == NULL)
        goto nomem;
    return VEIL_OK;
nomem:
    _nn_backprop_clear(bp);
    return VEIL_ENOMEM;
}

/* ------------------------------------------------------------- batch norm */

/* Training-mode batch norm over n samples: statistics per channel over the
 * batch and the spatial positions, y = gamma xhat + beta. */
static void bn_forward(nn_backprop_t *bp, uint32_t i, uint32_t n)
{
    const nn_layer_t *l = &bp->m->layers[i];
    const float *gamma = bp->m->params + l->w, *beta = bp->m->params + l->b;
    const size_t hw = (size_t)l->in.h * l->in.w, S = nn_shape_size(l->in);
    const float *x = bp->act[i];
    float *y = bp->act[i + 1];

#pragma omp parallel for schedule(static) if (n * S >= NN_PAR_MIN)
    for (long c = 0; c < (long)l->in.c; c++) {
        double s = 0.0, s2 = 0.0, mean, var;
        float g, o;
        for (uint32_t b = 0; b < n; b++)
            for (size_t p = 0; p < hw; p++)
                s += x[b * S + c * hw + p];
        mean = s / ((double)n * hw);
        for (uint32_t b = 0; b < n; b++)
            for (size_t p = 0; p < hw; p++) {
                double d = x[b * S + c * hw + p] - mean;
                s2 += d * d;
            }
        var = s2 / ((double)n * hw);
        bp->bn_mean[i][c] = mean;
        bp->bn_var[i][c] = var;
        g = (float)(gamma[c] / sqrt(var + l->eps));
        o = (float)(beta[c] - g * mean);
        for (uint32_t b = 0; b < n; b++)
            for (size_t p = 0; p < hw; p++)
                y[b * S + c * hw + p] = g * x[b * S + c * hw + p] + o;
    }
}

/* Gradients of batch norm: with N = n hw values per channel and
 * xhat = (x - mean) istd, dgamma = sum dy xhat, dbeta = sum dy and
 * dx = gamma istd / N (N dy - dbeta - xhat dgamma). */
static void bn_backward(nn_backprop_t *bp, uint32_t i, uint32_t n)
{
    const nn_layer_t *l = &bp->m->layers[i];
    const float *gamma = bp->m->params + l->w;
    const size_t hw = (size_t)l->in.h * l->in.w, S = nn_shape_size(l->in);
    const float *x = bp->act[i], *dy = bp->dact[i + 1];
    float *dx = bp->dact[i];

#pragma omp parallel for schedule(static) if (n * S >= NN_PAR_MIN)
    for (long c = 0; c < (long)l->in.c; c++) {
        const double mean = bp->bn_mean[i][c];
        const double istd = 1.0 / sqrt(bp->bn_var[i][c] + l->eps);
        const double N = (double)n * hw;
        double dg = 0.0, db = 0.0;
        for (uint32_t b = 0; b < n; b++)
            for (size_t p = 0; p < hw; p++) {
                const size_t at = b * S + c * hw + p;
                dg += dy[at] * (x[at] - mean) * istd;
                db += dy[at];
            }
        bp->grad[l->w + c] = (float)dg;
        bp->grad[l->b + c] = (float)db;
        if (dx == NULL)
            continue;
        for (uint32_t b = 0; b < n; b++)
            for (size_t p = 0; p < hw; p++) {
                const size_t at = b * S + c * hw + p;
                const double xhat = (x[at] - mean) * istd;
                dx[at] = (float)(gamma[c] * istd / N *
                                 (N * dy[at] - db - xhat * dg));
            }
    }
}

/* ---------------------------------------------------------------- forward */

static void layer_forward(nn_backprop_t *bp, uint32_t i, uint32_t n, int infer)
{
    const nn_layer_t *l = &bp->m->layers[i];
    const float *p = bp->m->params;
    const size_t si = nn_shape_size(l->in), so = nn_shape_size(l->out);
    const float *x = bp->act[i];
    float *y = bp->act[i + 1];

    switch (l->type) {
    case NN_LAYER_CONV2D:
        _nn_conv_forward_batch(y, NULL, NULL, l, p + l->w, p + l->b, x, n,
                               &bp->ws);
        break;
    case NN_LAYER_DENSE:
        _nn_dense_forward_batch(y, l, p + l->w, p + l->b, x, n);
        break;
    case NN_LAYER_SQUARE:
#pragma omp simd
        for (size_t j = 0; j < n * si; j++)
            y[j] = x[j] * x[j];
        break;
    case NN_LAYER_POLY:
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_poly_forward(y + b * so, p + l->w, l->degree, x + b * si, si);
        break;
    case NN_LAYER_AVGPOOL:
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_avgpool_forward(y + b * so, l, x + b * si);
        break;
    case NN_LAYER_BATCHNORM:
        if (!infer) {
            bn_forward(bp, i, n);
            break;
        }
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_bn_forward_infer(y + b * so, l, p + l->w, p + l->b,
                                 bp->m->state + l->mean, bp->m->state + l->var,
                                 x + b * si);
        break;
    case NN_LAYER_RELU:
#pragma omp simd
        for (size_t j = 0; j < n * si; j++)
            y[j] = x[j] > 0.0f ? x[j] : 0.0f;
        break;
    case NN_LAYER_MAXPOOL:
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_maxpool_forward(y + b * so, l, x + b * si);
        break;
    case NN_LAYER_ACT:
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_act_forward(y + b * so, l, bp->m->kinds + l->kind, p + l->w,
                            x + b * si);
        break;
    }
}

/* --------------------------------------------------------------- backward */

/* Polynomial coefficient gradients da_k = sum dy x^k, through per-sample
 * partial sums. */
static void poly_param_grad(nn_backprop_t *bp, uint32_t i, uint32_t n)
{
    const nn_layer_t *l = &bp->m->layers[i];
    const size_t si = nn_shape_size(l->in);
    const uint32_t d1 = l->degree + 1;
    const float *x = bp->act[i], *dy = bp->dact[i + 1];

#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
    for (long b = 0; b < (long)n; b++) {
        double *ps = bp->psum + b * d1;
        for (uint32_t k = 0; k < d1; k++)
            ps[k] = 0.0;
        for (size_t j = 0; j < si; j++) {
            double pw = 1.0;
            for (uint32_t k = 0; k < d1; k++) {
                ps[k] += dy[b * si + j] * pw;
                pw *= x[b * si + j];
            }
        }
    }
    for (uint32_t k = 0; k < d1; k++) {
        double s = 0.0;
        for (uint32_t b = 0; b < n; b++)
            s += bp->psum[b * d1 + k];
        bp->grad[l->w + k] = (float)s;
    }
}

/* Activation coefficient gradients: dc_k = sum over the batch and the
 * channel's positions of dy x^k for k up to the channel's degree, 0 above
 * it (and for ReLU channels).  One parallel item per channel. */
static void act_param_grad(nn_backprop_t *bp, uint32_t i, uint32_t n)
{
    const nn_layer_t *l = &bp->m->layers[i];
    const size_t hw = (size_t)l->in.h * l->in.w, si = nn_shape_size(l->in);
    const float *x = bp->act[i], *dy = bp->dact[i + 1];

#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
    for (long c = 0; c < (long)l->in.c; c++) {
        const int deg = nn_act_degree((nn_act_kind_t)bp->m->kinds[l->kind + c]);
        double s[NN_ACT_COEFS] = {0, 0, 0, 0};
        for (uint32_t b = 0; b < n && deg >= 0; b++) {
            const float *xb = x + b * si + c * hw, *db = dy + b * si + c * hw;
            for (size_t t = 0; t < hw; t++) {
                double pw = 1.0;
                for (int k = 0; k <= deg; k++) {
                    s[k] += db[t] * pw;
                    pw *= xb[t];
                }
            }
        }
        for (int k = 0; k < NN_ACT_COEFS; k++)
            bp->grad[l->w + (size_t)NN_ACT_COEFS * c + k] = (float)s[k];
    }
}

/* Gradients of layer i's parameters from dact[i + 1], and its input
 * gradient into dact[i] unless i == 0. */
static void layer_backward(nn_backprop_t *bp, uint32_t i, uint32_t n)
{
    const nn_layer_t *l = &bp->m->layers[i];
    const float *p = bp->m->params;
    const size_t si = nn_shape_size(l->in), so = nn_shape_size(l->out);
    const float *x = bp->act[i], *dy = bp->dact[i + 1];
    float *dx = bp->dact[i];

    switch (l->type) {
    case NN_LAYER_CONV2D:
        _nn_conv_backward_batch(bp->grad + l->w, bp->grad + l->b, dx, NULL,
                                NULL, l, p + l->w, x, dy, n, &bp->ws);
        break;
    case NN_LAYER_DENSE:
        _nn_dense_backward_batch(bp->grad + l->w, bp->grad + l->b, dx, l,
                                 p + l->w, x, dy, n);
        break;
    case NN_LAYER_SQUARE:
        if (dx == NULL)
            break;
#pragma omp simd
        for (size_t j = 0; j < n * si; j++)
            dx[j] = 2.0f * x[j] * dy[j];
        break;
    case NN_LAYER_POLY:
        poly_param_grad(bp, i, n);
        if (dx == NULL)
            break;
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_poly_backward_input(dx + b * si, p + l->w, l->degree,
                                    x + b * si, dy + b * so, si);
        break;
    case NN_LAYER_AVGPOOL:
        if (dx == NULL)
            break;
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_avgpool_backward(dx + b * si, l, dy + b * so);
        break;
    case NN_LAYER_BATCHNORM:
        bn_backward(bp, i, n);
        break;
    case NN_LAYER_RELU:
        if (dx == NULL)
            break;
#pragma omp simd
        for (size_t j = 0; j < n * si; j++)
            dx[j] = x[j] > 0.0f ? dy[j] : 0.0f;
        break;
    case NN_LAYER_MAXPOOL:
        if (dx == NULL)
            break;
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_maxpool_backward(dx + b * si, l, x + b * si, dy + b * so);
        break;
    case NN_LAYER_ACT:
        act_param_grad(bp, i, n);
        if (dx == NULL)
            break;
#pragma omp parallel for schedule(static) if (n * si >= NN_PAR_MIN)
        for (long b = 0; b < (long)n; b++)
            _nn_act_backward_input(dx + b * si, l, bp->m->kinds + l->kind,
                                   p + l->w, x + b * si, dy + b * so);
        break;
    }
}

/* ----------------------------------------------------------------- driver */

/* Whether layer i is a convolution followed by an activation layer: the
 * two run as one pass over the convolution's output (batch.h). */
static int conv_act(const nn_model_t *m, uint32_t i)
{
    return i + 1 < m->nlayers && m->layers[i].type == NN_LAYER_CONV2D &&
           m->layers[i + 1].type == NN_LAYER_ACT;
}

static void forward_all(nn_backprop_t *bp, uint32_t n, int infer)
{
    const nn_model_t *m = bp->m;
    const float *p = m->params;

    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i], *a = l + 1;
        if (!conv_act(m, i)) {
            layer_forward(bp, i, n, infer);
            continue;
        }
        const nn_act_ref_t ar = {m->kinds + a->kind, p + a->w};
        _nn_conv_forward_batch(bp->act[i + 1], bp->act[i + 2], &ar, l, p + l->w,
                               p + l->b, bp->act[i], n, &bp->ws);
        i++;
    }
}

static void backward_all(nn_backprop_t *bp, uint32_t n)
{
    const nn_model_t *m = bp->m;
    const float *p = m->params;

    for (uint32_t i = m->nlayers; i-- > 0;) {
        if (i == 0 || !conv_act(m, i - 1)) {
            layer_backward(bp, i, n);
            continue;
        }
        /* activation i after convolution i - 1 */
        const nn_layer_t *l = &m->layers[i - 1], *a = l + 1;
        const nn_act_ref_t ar = {m->kinds + a->kind, p + a->w};
        act_param_grad(bp, i, n);
        _nn_conv_backward_batch(bp->grad + l->w, bp->grad + l->b,
                                bp->dact[i - 1], &ar, bp->act[i], l, p + l->w,
                                bp->act[i - 1], bp->dact[i + 1], n, &bp->ws);
        i--;
    }
}

void _nn_backprop_infer(nn_backprop_t *bp, uint32_t n)
{
    forward_all(bp, n, 1);
}

void _nn_backprop_run(nn_backprop_t *bp, double *loss, uint32_t *correct,
                      const uint8_t *labels, uint32_t n)
{
    const nn_model_t *m = bp->m;
    const uint32_t L = m->nlayers;
    const uint32_t nout = (uint32_t)nn_shape_size(m->layers[L - 1].out);
    const float *z = bp->act[L];
    float *dz = bp->dact[L];
    uint32_t ok = 0;
    double sum = 0.0;

    forward_all(bp, n, 0);

    /* Softmax cross-entropy: loss_b = log sum_k e^{z_k} - z_y, and
     * d(mean loss)/dz_k = (softmax_k - [k == y]) / n. */
    for (uint32_t b = 0; b < n; b++) {
        const float *zb = z + b * nout;
        float *db = dz + b * nout;
        const uint32_t top = nn_argmax(zb, nout);
        double se = 0.0;
        for (uint32_t k = 0; k < nout; k++)
            se += exp((double)zb[k] - zb[top]);
        for (uint32_t k = 0; k < nout; k++)
            db[k] =
                (float)((exp((double)zb[k] - zb[top]) / se - (k == labels[b])) /
                        n);
        bp->loss[b] = log(se) + zb[top] - zb[labels[b]];
        ok += top == labels[b];
    }
    for (uint32_t b = 0; b < n; b++)
        sum += bp->loss[b];
    *loss = sum / n;
    *correct = ok;

    backward_all(bp, n);
}

veil_status nn_model_loss_grad(float *grad, double *loss, const nn_model_t *m,
                               const float *x, const uint8_t *y, uint32_t n)
{
    nn_backprop_t bp;
    uint32_t correct;
    veil_status st;

    if (grad == NULL || loss == NULL || m == NULL || x == NULL || y == NULL ||
        n == 0 || m->nlayers == 0 ||
        nn_shape_size(nn_model_out_shape(m)) != NN_CLASSES)
        return VEIL_EINVAL;
    for (uint32_t b = 0; b < n; b++)
        if (y[b] >= NN_CLASSES)
            return VEIL_EINVAL;
    if ((st = _nn_backprop_init(&bp, m, n)) != VEIL_OK)
        return st;
    memcpy(bp.act[0], x, n * nn_shape_size(m->in) * sizeof(float));
    _nn_backprop_run(&bp, loss, &correct, y, n);
    memcpy(grad, bp.grad, m->nparams * sizeof(float));
    _nn_backprop_clear(&bp);
    return VEIL_OK;
}
