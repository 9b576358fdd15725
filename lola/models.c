/* Networks for LoLa beyond MNIST (papers/lola-*.md section 4.4) and
 * generated weights of a realistic scale (lola_models.h). */
#include "veil/lola_models.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void lola_cnn2_cifar10(lola_cnn2_shape_t *s)
{
    const lola_cnn2_shape_t c = {{3, 32, 32}, 8, 2, 1, 83, 6, 2, 0, 163, 10};
    *s = c;
}

veil_status lola_cnn2_model(nn_model_t *m, const lola_cnn2_shape_t *s)
{
    veil_status st;
    if (m == NULL || s == NULL)
        return VEIL_EINVAL;
    st = nn_model_init(m, s->in);
    if (st == VEIL_OK)
        st = nn_model_add_conv2d(m, s->maps1, s->k1, s->s1, s->p1);
    if (st == VEIL_OK)
        st = nn_model_add_square(m);
    if (st == VEIL_OK)
        st = nn_model_add_conv2d(m, s->maps2, s->k2, s->s2, s->p2);
    if (st == VEIL_OK)
        st = nn_model_add_square(m);
    if (st == VEIL_OK)
        st = nn_model_add_dense(m, s->classes);
    if (st != VEIL_OK)
        nn_model_clear(m);
    return st;
}

/* Rescale the output channels of linear layer li so that their values over
 * the sample inputs have mean 0 and standard deviation target. */
static veil_status normalise(nn_model_t *m, uint32_t li, const float *x,
                             size_t samples, float target)
{
    nn_layer_t *l = &m->layers[li];
    const uint32_t full = m->nlayers;
    const size_t insz = nn_shape_size(m->in), outsz = nn_shape_size(l->out);
    const size_t hw = (size_t)l->out.h * l->out.w;
    const size_t per = l->out.c ? l->nw / l->out.c : 0;
    double *sum = calloc(2 * (size_t)l->out.c, sizeof(double));
    float *y = malloc(outsz * sizeof(float)), *work;
    veil_status st = VEIL_OK;

    m->nlayers = li + 1;
    work = malloc(nn_model_work_size(m) * sizeof(float));
    if (sum == NULL || y == NULL || work == NULL) {
        st = VEIL_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < samples; i++) {
        nn_model_forward(y, m, x + i * insz, work);
        for (size_t j = 0; j < outsz; j++) {
            sum[j / hw] += y[j];
            sum[l->out.c + j / hw] += (double)y[j] * y[j];
        }
    }
    for (uint32_t c = 0; c < l->out.c; c++) {
        const double cnt = (double)samples * hw;
        const double mean = sum[c] / cnt;
        const double var = sum[l->out.c + c] / cnt - mean * mean;
        const double f = var > 1e-20 ? target / sqrt(var) : 1.0;
        for (size_t j = 0; j < per; j++)
            m->params[l->w + c * per + j] *= (float)f;
        m->params[l->b + c] = (float)((m->params[l->b + c] - mean) * f);
    }
out:
    m->nlayers = full;
    free(sum);
    free(y);
    free(work);
    return st;
}

veil_status lola_model_generate(nn_qmodel_t *q, nn_model_t *m, veil_rng_t *rng,
                                size_t samples, float target, uint32_t wbits,
                                int32_t in_exp)
{
    size_t insz;
    float *x;
    veil_status st = VEIL_OK;

    if (q == NULL || m == NULL || rng == NULL || samples == 0 ||
        !(target > 0.0f) || m->nlayers == 0)
        return VEIL_EINVAL;
    for (uint32_t i = 0; i < m->nlayers; i++)
        if (m->layers[i].type != NN_LAYER_CONV2D &&
            m->layers[i].type != NN_LAYER_DENSE &&
            m->layers[i].type != NN_LAYER_SQUARE)
            return VEIL_EINVAL;
    insz = nn_shape_size(m->in);
    if (samples > NN_MAX_ELEMS / insz)
        return VEIL_EINVAL;
    x = malloc(samples * insz * sizeof(float));
    if (x == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < samples * insz; i++)
        x[i] = (float)(veil_rng_u64(rng) & 255) / NN_PIXEL_SCALE;
    nn_model_init_params(m, rng, (float)M_SQRT2); /* He: 2 / fan_in */
    for (uint32_t i = 0; i < m->nlayers && st == VEIL_OK; i++)
        if (m->layers[i].type != NN_LAYER_SQUARE)
            st = normalise(m, i, x, samples,
                           i + 1 == m->nlayers ? 1.0f : target);
    free(x);
    if (st == VEIL_OK)
        st = nn_model_set_qbits(m, wbits, in_exp);
    if (st == VEIL_OK)
        st = nn_qmodel_init(q, m);
    return st;
}
