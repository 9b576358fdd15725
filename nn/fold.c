/*
 * fold.c - fold batch-norm layers into the neighbouring linear layer, so
 * that the inference network holds only conv2d, dense, activations and
 * pooling (what quantization and the encrypted kernels know).
 *
 * Batch norm in inference is the per-channel affine map
 *     x -> s_c x + o_c,   s_c = gamma_c / sqrt(var_c + eps),
 *                         o_c = beta_c - s_c mean_c.
 * After a linear layer with weights W and bias b (output channel c):
 *     W'[c][.] = s_c W[c][.],   b'[c] = s_c b[c] + o_c.
 * Before a linear layer (input channel c of input index j):
 *     W'[.][j] = W[.][j] s_c,   b'[i] = b[i] + sum_j W[i][j] o_c.
 * The second form is exact only without zero padding (a padded zero would
 * have to become o_c), so a padded conv2d only accepts the first.
 */
#include "veil/nn.h"
#include <math.h>
#include <string.h>

static int is_linear(const nn_layer_t *l)
{
    return l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE;
}

/* Append a copy of layer sl (not batch norm) of src to dst, with its
 * parameters. */
static veil_status copy_layer(nn_model_t *dst, const nn_model_t *src,
                              const nn_layer_t *sl)
{
    veil_status st = VEIL_EINVAL;
    const nn_layer_t *dl;
    switch (sl->type) {
    case NN_LAYER_CONV2D:
        st = nn_model_add_conv2d(dst, sl->out.c, sl->k, sl->stride, sl->pad);
        break;
    case NN_LAYER_DENSE:
        st = nn_model_add_dense(dst, sl->out.c);
        break;
    case NN_LAYER_SQUARE:
        st = nn_model_add_square(dst);
        break;
    case NN_LAYER_POLY:
        st = nn_model_add_poly(dst, sl->degree, src->params + sl->w);
        break;
    case NN_LAYER_AVGPOOL:
        st = nn_model_add_avgpool(dst, sl->k, sl->stride);
        break;
    case NN_LAYER_RELU:
        st = nn_model_add_relu(dst);
        break;
    case NN_LAYER_MAXPOOL:
        st = nn_model_add_maxpool(dst, sl->k, sl->stride);
        break;
    case NN_LAYER_ACT:
        st = nn_model_add_act(dst);
        break;
    case NN_LAYER_BATCHNORM:
        break;
    }
    if (st != VEIL_OK)
        return st;
    dl = &dst->layers[dst->nlayers - 1];
    if (sl->type == NN_LAYER_ACT)
        memcpy(dst->kinds + dl->kind, src->kinds + sl->kind, sl->in.c);
    if (sl->nw + sl->nb > 0)
        memcpy(dst->params + dl->w, src->params + sl->w,
               (sl->nw + sl->nb) * sizeof(float));
    return VEIL_OK;
}

/* Per-channel scale s and offset o of batch-norm layer bn of src. */
static void bn_affine(double *s, double *o, const nn_model_t *src,
                      const nn_layer_t *bn, uint32_t c)
{
    const double g = src->params[bn->w + c], beta = src->params[bn->b + c];
    const double mean = src->state[bn->mean + c];
    const double var = src->state[bn->var + c];
    *s = g / sqrt(var + bn->eps);
    *o = beta - *s * mean;
}

/* Fold bn into the output side of linear layer l of dst. */
static void fold_after(nn_model_t *dst, const nn_layer_t *l,
                       const nn_model_t *src, const nn_layer_t *bn)
{
    const size_t per = l->nw / l->out.c;
    for (uint32_t c = 0; c < l->out.c; c++) {
        double s, o;
        float *w = dst->params + l->w + c * per, *b = dst->params + l->b + c;
        bn_affine(&s, &o, src, bn, c);
        for (size_t j = 0; j < per; j++)
            w[j] = (float)(s * w[j]);
        *b = (float)(s * *b + o);
    }
}

/* Fold bn into the input side of linear layer l of dst (dense, or conv2d
 * without padding). */
static void fold_before(nn_model_t *dst, const nn_layer_t *l,
                        const nn_model_t *src, const nn_layer_t *bn)
{
    const size_t per = l->nw / l->out.c; /* inputs per output     */
    const size_t taps = per / l->in.c;   /* per input channel     */
    for (uint32_t i = 0; i < l->out.c; i++) {
        float *w = dst->params + l->w + i * per;
        double add = 0.0;
        for (size_t j = 0; j < per; j++) {
            double s, o;
            bn_affine(&s, &o, src, bn, (uint32_t)(j / taps));
            add += (double)w[j] * o;
            w[j] = (float)(w[j] * s);
        }
        dst->params[l->b + i] = (float)(dst->params[l->b + i] + add);
    }
}

veil_status nn_model_fold_batchnorm(nn_model_t *dst, const nn_model_t *src)
{
    uint32_t map[NN_MAX_LAYERS];
    veil_status st;

    if (dst == NULL || src == NULL)
        return VEIL_EINVAL;
    if ((st = nn_model_init(dst, src->in)) != VEIL_OK)
        return st;
    for (uint32_t i = 0; i < src->nlayers; i++) {
        const nn_layer_t *sl = &src->layers[i];
        if (sl->type == NN_LAYER_BATCHNORM)
            continue;
        if ((st = copy_layer(dst, src, sl)) != VEIL_OK)
            goto fail;
        map[i] = dst->nlayers - 1;
    }
    for (uint32_t i = 0; i < src->nlayers; i++) {
        const nn_layer_t *bn = &src->layers[i];
        if (bn->type != NN_LAYER_BATCHNORM)
            continue;
        if (i > 0 && is_linear(&src->layers[i - 1])) {
            fold_after(dst, &dst->layers[map[i - 1]], src, bn);
        } else if (i + 1 < src->nlayers &&
                   (src->layers[i + 1].type == NN_LAYER_DENSE ||
                    (src->layers[i + 1].type == NN_LAYER_CONV2D &&
                     src->layers[i + 1].pad == 0))) {
            fold_before(dst, &dst->layers[map[i + 1]], src, bn);
        } else {
            st = VEIL_EINVAL;
            goto fail;
        }
    }
    return VEIL_OK;
fail:
    nn_model_clear(dst);
    return st;
}
