/*
 * forward.c - float inference: one input through the model (batch norm with
 * its running statistics), and accuracy over a data set.
 */
#include "kernels.h"
#include <stdlib.h>
#include <string.h>

/* Largest activation of m (input included) and largest im2col matrix. */
static void work_sizes(size_t *act, size_t *cols, const nn_model_t *m)
{
    *act = nn_shape_size(m->in);
    *cols = 0;
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        size_t s = nn_shape_size(l->out);
        if (s > *act)
            *act = s;
        if (l->type == NN_LAYER_CONV2D && _nn_cols_size(l) > *cols)
            *cols = _nn_cols_size(l);
    }
}

size_t nn_model_work_size(const nn_model_t *m)
{
    size_t act, cols;
    work_sizes(&act, &cols, m);
    return 2 * act + cols;
}

void nn_model_forward(float *out, const nn_model_t *m, const float *in,
                      float *work)
{
    size_t act, ncols;
    float *cur, *next, *cols;
    const float *p = m->params;

    work_sizes(&act, &ncols, m);
    cur = work;
    next = work + act;
    cols = work + 2 * act;
    memcpy(cur, in, nn_shape_size(m->in) * sizeof(float));
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        float *t;
        switch (l->type) {
        case NN_LAYER_CONV2D:
            _nn_im2col(cols, l, cur);
            _nn_conv_forward(next, l, p + l->w, p + l->b, cols);
            break;
        case NN_LAYER_DENSE:
            _nn_dense_forward(next, l, p + l->w, p + l->b, cur);
            break;
        case NN_LAYER_SQUARE:
            for (size_t j = 0; j < nn_shape_size(l->in); j++)
                next[j] = cur[j] * cur[j];
            break;
        case NN_LAYER_POLY:
            _nn_poly_forward(next, p + l->w, l->degree, cur,
                             nn_shape_size(l->in));
            break;
        case NN_LAYER_AVGPOOL:
            _nn_avgpool_forward(next, l, cur);
            break;
        case NN_LAYER_BATCHNORM:
            _nn_bn_forward_infer(next, l, p + l->w, p + l->b,
                                 m->state + l->mean, m->state + l->var, cur);
            break;
        case NN_LAYER_RELU:
            for (size_t j = 0; j < nn_shape_size(l->in); j++)
                next[j] = cur[j] > 0.0f ? cur[j] : 0.0f;
            break;
        case NN_LAYER_MAXPOOL:
            _nn_maxpool_forward(next, l, cur);
            break;
        case NN_LAYER_ACT:
            _nn_act_forward(next, l, m->kinds + l->kind, p + l->w, cur);
            break;
        }
        t = cur;
        cur = next;
        next = t;
    }
    memcpy(out, cur, nn_shape_size(nn_model_out_shape(m)) * sizeof(float));
}

uint32_t nn_argmax(const float *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

veil_status nn_model_accuracy(double *acc, const nn_model_t *m,
                              const nn_dataset_t *ds)
{
    size_t npix, wsize;
    uint32_t nout;
    long correct = 0;
    int failed = 0;

    if (acc == NULL || m == NULL || ds == NULL || ds->count == 0 ||
        m->in.c != nn_dataset_channels(ds) || m->in.h < ds->rows ||
        m->in.w < ds->cols)
        return VEIL_EINVAL;
    npix = nn_shape_size(m->in);
    nout = (uint32_t)nn_shape_size(nn_model_out_shape(m));
    wsize = nn_model_work_size(m);
#pragma omp parallel reduction(+ : correct, failed)
    {
        float *work = veil_alloc((wsize + npix + nout) * sizeof(float));
#pragma omp for schedule(static)
        for (long i = 0; i < (long)ds->count; i++) {
            const uint8_t *img =
                ds->images + (size_t)i * m->in.c * ds->rows * ds->cols;
            if (work == NULL) {
                failed = 1;
                continue;
            }
            float *x = work + wsize, *y = x + npix;
            nn_image_to_input(x, m->in, img, ds->rows, ds->cols);
            nn_model_forward(y, m, x, work);
            correct += nn_argmax(y, nout) == ds->labels[i];
        }
        veil_free(work);
    }
    if (failed)
        return VEIL_ENOMEM;
    *acc = (double)correct / ds->count;
    return VEIL_OK;
}
