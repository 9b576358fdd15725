/*
 * model.c - float models: building a chain of layers, shapes and parameter
 * offsets, copying and freeing.
 */
#include <stdlib.h>
#include <string.h>
#include "veil/nn.h"

const char *nn_layer_name(nn_layer_type_t type)
{
    switch (type) {
    case NN_LAYER_CONV2D: return "conv2d";
    case NN_LAYER_DENSE: return "dense";
    case NN_LAYER_SQUARE: return "square";
    case NN_LAYER_POLY: return "poly";
    case NN_LAYER_AVGPOOL: return "avgpool";
    case NN_LAYER_BATCHNORM: return "batchnorm";
    }
    return "?";
}

static int shape_ok(nn_shape_t s)
{
    return s.c >= 1 && s.h >= 1 && s.w >= 1 && s.c <= NN_MAX_DIM &&
           s.h <= NN_MAX_DIM && s.w <= NN_MAX_DIM &&
           nn_shape_size(s) <= NN_MAX_ELEMS;
}

veil_status nn_model_init(nn_model_t *m, nn_shape_t in)
{
    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (!shape_ok(in))
        return VEIL_EINVAL;
    m->in = in;
    return VEIL_OK;
}

void nn_model_clear(nn_model_t *m)
{
    if (m == NULL)
        return;
    veil_free(m->params);
    veil_free(m->state);
    memset(m, 0, sizeof(*m));
}

nn_shape_t nn_model_out_shape(const nn_model_t *m)
{
    return m->nlayers == 0 ? m->in : m->layers[m->nlayers - 1].out;
}

/* Grow a zero-filled, 64-byte aligned float array from n to n + extra. */
static veil_status grow(float **a, size_t n, size_t extra)
{
    float *p;
    if (extra == 0)
        return VEIL_OK;
    if ((p = veil_calloc(n + extra, sizeof(float))) == NULL)
        return VEIL_ENOMEM;
    if (n > 0)
        memcpy(p, *a, n * sizeof(float));
    veil_free(*a);
    *a = p;
    return VEIL_OK;
}

/* Append layer l (type, shapes and hyper-parameters filled in) with nw + nb
 * parameters and nstate state values; sets its offsets. */
static veil_status push(nn_model_t *m, nn_layer_t *l, size_t nw, size_t nb,
                        size_t nstate)
{
    veil_status st;
    if (m->nlayers >= NN_MAX_LAYERS || !shape_ok(l->out) ||
        nw > NN_MAX_ELEMS || m->nparams + nw + nb > NN_MAX_ELEMS)
        return VEIL_EINVAL;
    if ((st = grow(&m->params, m->nparams, nw + nb)) != VEIL_OK ||
        (st = grow(&m->state, m->nstate, nstate)) != VEIL_OK)
        return st;
    l->w = m->nparams;
    l->nw = nw;
    l->b = m->nparams + nw;
    l->nb = nb;
    m->nparams += nw + nb;
    l->mean = m->nstate;
    l->var = m->nstate + nstate / 2;
    m->nstate += nstate;
    m->layers[m->nlayers++] = *l;
    return VEIL_OK;
}

static nn_layer_t layer_new(const nn_model_t *m, nn_layer_type_t type)
{
    nn_layer_t l;
    memset(&l, 0, sizeof(l));
    l.type = type;
    l.in = nn_model_out_shape(m);
    l.out = l.in;
    return l;
}

veil_status nn_model_add_conv2d(nn_model_t *m, uint32_t maps, uint32_t k,
                                uint32_t stride, uint32_t pad)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_CONV2D);
    if (maps == 0 || k == 0 || k > NN_MAX_DIM || stride == 0 ||
        stride > NN_MAX_DIM || pad >= k ||
        k > l.in.h + 2 * pad || k > l.in.w + 2 * pad)
        return VEIL_EINVAL;
    l.k = k;
    l.stride = stride;
    l.pad = pad;
    l.out.c = maps;
    l.out.h = (l.in.h + 2 * pad - k) / stride + 1;
    l.out.w = (l.in.w + 2 * pad - k) / stride + 1;
    if (maps > NN_MAX_DIM || (size_t)l.in.c * k * k > NN_MAX_ELEMS / maps)
        return VEIL_EINVAL;
    return push(m, &l, (size_t)maps * l.in.c * k * k, maps, 0);
}

veil_status nn_model_add_dense(nn_model_t *m, uint32_t out)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_DENSE);
    if (out == 0 || out > NN_MAX_DIM ||
        nn_shape_size(l.in) > NN_MAX_ELEMS / out)
        return VEIL_EINVAL;
    l.out.c = out;
    l.out.h = 1;
    l.out.w = 1;
    return push(m, &l, (size_t)out * nn_shape_size(l.in), out, 0);
}

veil_status nn_model_add_square(nn_model_t *m)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_SQUARE);
    return push(m, &l, 0, 0, 0);
}

veil_status nn_model_add_poly(nn_model_t *m, uint32_t degree,
                              const float *coef)
{
    nn_layer_t l;
    veil_status st;
    if (m == NULL || coef == NULL || degree == 0 ||
        degree > NN_POLY_MAX_DEGREE)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_POLY);
    l.degree = degree;
    if ((st = push(m, &l, degree + 1, 0, 0)) != VEIL_OK)
        return st;
    memcpy(m->params + m->layers[m->nlayers - 1].w, coef,
           (degree + 1) * sizeof(float));
    return VEIL_OK;
}

veil_status nn_model_add_avgpool(nn_model_t *m, uint32_t k, uint32_t stride)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_AVGPOOL);
    if (k == 0 || stride == 0 || stride > NN_MAX_DIM || k > l.in.h ||
        k > l.in.w)
        return VEIL_EINVAL;
    l.k = k;
    l.stride = stride;
    l.out.h = (l.in.h - k) / stride + 1;
    l.out.w = (l.in.w - k) / stride + 1;
    return push(m, &l, 0, 0, 0);
}

veil_status nn_model_add_batchnorm(nn_model_t *m)
{
    nn_layer_t l;
    veil_status st;
    const nn_layer_t *p;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_BATCHNORM);
    l.eps = 1e-5f;
    if ((st = push(m, &l, l.in.c, l.in.c, 2 * (size_t)l.in.c)) != VEIL_OK)
        return st;
    p = &m->layers[m->nlayers - 1];
    for (uint32_t c = 0; c < l.in.c; c++) {
        m->params[p->w + c] = 1.0f; /* gamma */
        m->state[p->var + c] = 1.0f;
    }
    return VEIL_OK;
}

veil_status nn_model_copy(nn_model_t *dst, const nn_model_t *src)
{
    if (dst == NULL || src == NULL)
        return VEIL_EINVAL;
    *dst = *src;
    dst->params = NULL;
    dst->state = NULL;
    if ((src->nparams > 0 &&
         (dst->params = veil_alloc(src->nparams * sizeof(float))) == NULL) ||
        (src->nstate > 0 &&
         (dst->state = veil_alloc(src->nstate * sizeof(float))) == NULL)) {
        nn_model_clear(dst);
        return VEIL_ENOMEM;
    }
    if (src->nparams > 0)
        memcpy(dst->params, src->params, src->nparams * sizeof(float));
    if (src->nstate > 0)
        memcpy(dst->state, src->state, src->nstate * sizeof(float));
    return VEIL_OK;
}
