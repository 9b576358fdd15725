/*
 * model.c - float models: building a chain of layers, shapes and parameter
 * offsets, copying and freeing.
 */
#include "veil/nn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *nn_layer_name(nn_layer_type_t type)
{
    switch (type) {
    case NN_LAYER_CONV2D:
        return "conv2d";
    case NN_LAYER_DENSE:
        return "dense";
    case NN_LAYER_SQUARE:
        return "square";
    case NN_LAYER_POLY:
        return "poly";
    case NN_LAYER_AVGPOOL:
        return "avgpool";
    case NN_LAYER_BATCHNORM:
        return "batchnorm";
    case NN_LAYER_RELU:
        return "relu";
    case NN_LAYER_MAXPOOL:
        return "maxpool";
    case NN_LAYER_ACT:
        return "act";
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
    veil_free(m->kinds);
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

/* Grow a zero-filled byte array from n to n + extra. */
static veil_status grow_bytes(uint8_t **a, size_t n, size_t extra)
{
    uint8_t *p;
    if (extra == 0)
        return VEIL_OK;
    if ((p = veil_calloc(n + extra, 1)) == NULL)
        return VEIL_ENOMEM;
    if (n > 0)
        memcpy(p, *a, n);
    veil_free(*a);
    *a = p;
    return VEIL_OK;
}

/* Append layer l (type, shapes and hyper-parameters filled in) with nw + nb
 * parameters, nstate state values and nkinds kind bytes; sets its
 * offsets. */
static veil_status push(nn_model_t *m, nn_layer_t *l, size_t nw, size_t nb,
                        size_t nstate, size_t nkinds)
{
    veil_status st;
    if (m->nlayers >= NN_MAX_LAYERS || !shape_ok(l->out) || nw > NN_MAX_ELEMS ||
        m->nparams + nw + nb > NN_MAX_ELEMS ||
        m->nkinds + nkinds > NN_MAX_ELEMS)
        return VEIL_EINVAL;
    if ((st = grow(&m->params, m->nparams, nw + nb)) != VEIL_OK ||
        (st = grow(&m->state, m->nstate, nstate)) != VEIL_OK ||
        (st = grow_bytes(&m->kinds, m->nkinds, nkinds)) != VEIL_OK)
        return st;
    l->kind = m->nkinds;
    m->nkinds += nkinds;
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
        stride > NN_MAX_DIM || pad >= k || k > l.in.h + 2 * pad ||
        k > l.in.w + 2 * pad)
        return VEIL_EINVAL;
    l.k = k;
    l.stride = stride;
    l.pad = pad;
    l.out.c = maps;
    l.out.h = (l.in.h + 2 * pad - k) / stride + 1;
    l.out.w = (l.in.w + 2 * pad - k) / stride + 1;
    if (maps > NN_MAX_DIM || (size_t)l.in.c * k * k > NN_MAX_ELEMS / maps)
        return VEIL_EINVAL;
    return push(m, &l, (size_t)maps * l.in.c * k * k, maps, 0, 0);
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
    return push(m, &l, (size_t)out * nn_shape_size(l.in), out, 0, 0);
}

veil_status nn_model_add_square(nn_model_t *m)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_SQUARE);
    return push(m, &l, 0, 0, 0, 0);
}

veil_status nn_model_add_poly(nn_model_t *m, uint32_t degree, const float *coef)
{
    nn_layer_t l;
    veil_status st;
    if (m == NULL || coef == NULL || degree == 0 || degree > NN_POLY_MAX_DEGREE)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_POLY);
    l.degree = degree;
    if ((st = push(m, &l, degree + 1, 0, 0, 0)) != VEIL_OK)
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
    return push(m, &l, 0, 0, 0, 0);
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
    if ((st = push(m, &l, l.in.c, l.in.c, 2 * (size_t)l.in.c, 0)) != VEIL_OK)
        return st;
    p = &m->layers[m->nlayers - 1];
    for (uint32_t c = 0; c < l.in.c; c++) {
        m->params[p->w + c] = 1.0f; /* gamma */
        m->state[p->var + c] = 1.0f;
    }
    return VEIL_OK;
}

veil_status nn_model_add_relu(nn_model_t *m)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_RELU);
    return push(m, &l, 0, 0, 0, 0);
}

veil_status nn_model_add_maxpool(nn_model_t *m, uint32_t k, uint32_t stride)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_MAXPOOL);
    if (k == 0 || stride == 0 || stride > NN_MAX_DIM || k > l.in.h ||
        k > l.in.w)
        return VEIL_EINVAL;
    l.k = k;
    l.stride = stride;
    l.out.h = (l.in.h - k) / stride + 1;
    l.out.w = (l.in.w - k) / stride + 1;
    return push(m, &l, 0, 0, 0, 0);
}

veil_status nn_model_add_act(nn_model_t *m)
{
    nn_layer_t l;
    if (m == NULL)
        return VEIL_EINVAL;
    l = layer_new(m, NN_LAYER_ACT);
    /* kinds start as NN_ACT_RELU = 0, coefficients as 0 */
    return push(m, &l, (size_t)NN_ACT_COEFS * l.in.c, 0, 0, l.in.c);
}

int nn_act_degree(nn_act_kind_t kind)
{
    switch (kind) {
    case NN_ACT_RELU:
        return -1;
    case NN_ACT_CONST:
        return 0;
    case NN_ACT_POLY2:
        return 2;
    case NN_ACT_POLY3:
        return 3;
    }
    return -1;
}

veil_status nn_model_set_act(nn_model_t *m, uint32_t layer, uint32_t channel,
                             nn_act_kind_t kind, const float c[4])
{
    const nn_layer_t *l;
    int deg;
    if (m == NULL || layer >= m->nlayers ||
        m->layers[layer].type != NN_LAYER_ACT ||
        channel >= m->layers[layer].in.c || (unsigned)kind > NN_ACT_POLY3)
        return VEIL_EINVAL;
    l = &m->layers[layer];
    deg = nn_act_degree(kind);
    if (deg >= 0 && c == NULL)
        return VEIL_EINVAL;
    for (int i = 0; i <= deg; i++)
        if (!isfinite(c[i]))
            return VEIL_EINVAL;
    for (int i = 0; i < NN_ACT_COEFS; i++)
        m->params[l->w + (size_t)NN_ACT_COEFS * channel + i] =
            i <= deg ? c[i] : 0.0f;
    m->kinds[l->kind + channel] = (uint8_t)kind;
    return VEIL_OK;
}

void nn_model_count_act(uint64_t *relus, uint64_t polys[4], const nn_model_t *m,
                        uint32_t layer)
{
    const nn_layer_t *l = &m->layers[layer];
    const uint64_t hw = (uint64_t)l->in.h * l->in.w;
    uint64_t r = 0, p[4] = {0, 0, 0, 0};
    if (l->type == NN_LAYER_RELU)
        r = nn_shape_size(l->in);
    else if (l->type == NN_LAYER_ACT)
        for (uint32_t c = 0; c < l->in.c; c++) {
            const uint8_t k = m->kinds[l->kind + c];
            if (k == NN_ACT_RELU)
                r += hw;
            else if (k <= NN_ACT_POLY3)
                p[k] += hw;
        }
    if (relus != NULL)
        *relus = r;
    if (polys != NULL)
        memcpy(polys, p, sizeof(p));
}

void nn_model_count_act_total(uint64_t *relus, uint64_t polys[4],
                              const nn_model_t *m)
{
    uint64_t r = 0, p[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < m->nlayers; i++) {
        uint64_t ri, pi[4];
        nn_model_count_act(&ri, pi, m, i);
        r += ri;
        for (int k = 0; k < 4; k++)
            p[k] += pi[k];
    }
    if (relus != NULL)
        *relus = r;
    if (polys != NULL)
        memcpy(polys, p, sizeof(p));
}

veil_status nn_model_cnn7(nn_model_t *m, nn_shape_t in)
{
    veil_status st;
    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if ((in.c != 1 && in.c != 3) || in.h != 32 || in.w != 32)
        return VEIL_EINVAL;
    if ((st = nn_model_init(m, in)) != VEIL_OK)
        return st;
    if ((st = nn_model_add_conv2d(m, 64, 3, 1, 1)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_conv2d(m, 64, 3, 1, 1)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_avgpool(m, 2, 2)) != VEIL_OK ||
        (st = nn_model_add_conv2d(m, 64, 3, 1, 1)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_conv2d(m, 64, 3, 1, 1)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_avgpool(m, 2, 2)) != VEIL_OK ||
        (st = nn_model_add_conv2d(m, 64, 3, 1, 1)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_conv2d(m, 64, 1, 1, 0)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_conv2d(m, 16, 1, 1, 0)) != VEIL_OK ||
        (st = nn_model_add_act(m)) != VEIL_OK ||
        (st = nn_model_add_dense(m, NN_CLASSES)) != VEIL_OK)
        nn_model_clear(m);
    return st;
}

void nn_image_to_input(float *x, nn_shape_t in, const uint8_t *img,
                       uint32_t rows, uint32_t cols)
{
    const uint32_t top = (in.h - rows) / 2, left = (in.w - cols) / 2;
    memset(x, 0, nn_shape_size(in) * sizeof(float));
    for (uint32_t c = 0; c < in.c; c++)
        for (uint32_t r = 0; r < rows; r++) {
            const uint8_t *src = img + ((size_t)c * rows + r) * cols;
            float *dst = x + ((size_t)c * in.h + top + r) * in.w + left;
            for (uint32_t j = 0; j < cols; j++)
                dst[j] = (float)src[j] / NN_PIXEL_SCALE;
        }
}

veil_status nn_model_copy(nn_model_t *dst, const nn_model_t *src)
{
    if (dst == NULL || src == NULL)
        return VEIL_EINVAL;
    *dst = *src;
    dst->params = NULL;
    dst->state = NULL;
    dst->kinds = NULL;
    if ((src->nparams > 0 &&
         (dst->params = veil_alloc(src->nparams * sizeof(float))) == NULL) ||
        (src->nstate > 0 &&
         (dst->state = veil_alloc(src->nstate * sizeof(float))) == NULL) ||
        (src->nkinds > 0 && (dst->kinds = veil_alloc(src->nkinds)) == NULL)) {
        nn_model_clear(dst);
        return VEIL_ENOMEM;
    }
    if (src->nkinds > 0)
        memcpy(dst->kinds, src->kinds, src->nkinds);
    if (src->nparams > 0)
        memcpy(dst->params, src->params, src->nparams * sizeof(float));
    if (src->nstate > 0)
        memcpy(dst->state, src->state, src->nstate * sizeof(float));
    return VEIL_OK;
}
