/*
 * init.c - random initialisation of a model's parameters from the CSPRNG.
 */
#include "veil/nn.h"
#include <math.h>

/* Uniform in [-a, a] from the top 24 bits of a 64-bit word. */
static float uniform_sym(veil_rng_t *rng, float a)
{
    const float u = (float)(veil_rng_u64(rng) >> 40) / (float)(1u << 24);
    return a * (2.0f * u - 1.0f);
}

void nn_model_init_params(nn_model_t *m, veil_rng_t *rng, float gain)
{
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        float *w = m->params + l->w, *b = m->params + l->b;
        size_t fan_in;
        float a;
        switch (l->type) {
        case NN_LAYER_CONV2D:
        case NN_LAYER_DENSE:
            fan_in = l->nw / l->nb;
            a = gain * sqrtf(3.0f / (float)fan_in);
            for (size_t j = 0; j < l->nw; j++)
                w[j] = uniform_sym(rng, a);
            for (size_t j = 0; j < l->nb; j++)
                b[j] = 0.0f;
            break;
        case NN_LAYER_BATCHNORM:
            for (uint32_t c = 0; c < l->in.c; c++) {
                w[c] = 1.0f;
                b[c] = 0.0f;
                m->state[l->mean + c] = 0.0f;
                m->state[l->var + c] = 1.0f;
            }
            break;
        case NN_LAYER_SQUARE:
        case NN_LAYER_POLY:
        case NN_LAYER_AVGPOOL:
        case NN_LAYER_RELU:
        case NN_LAYER_MAXPOOL:
        case NN_LAYER_ACT:
            break;
        }
    }
}
