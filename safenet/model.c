/*
 * model.c - a SAFENet network from an nn model (the one CNN model format,
 * include/veil/nn.h and models/README.md): batch norm folded first, then
 * one SAFENet operation per layer.
 */
#include <stdio.h>
#include <string.h>

#include "safenet_internal.h"

static veil_status refuse(char *why, size_t whylen, const char *msg,
                          uint32_t layer)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "layer %u: %s", (unsigned)layer, msg);
    return VEIL_EINVAL;
}

/* An all-channel ACT with one kind and coefficients c[0..3]. */
static veil_status add_uniform_act(safenet_net_t *net, uint32_t channels,
                                   uint8_t kind, const float c[4])
{
    uint8_t *kinds = veil_alloc(channels);
    float *coef = veil_alloc((size_t)channels * 4 * sizeof(float));
    veil_status st;
    if (kinds == NULL || coef == NULL) {
        veil_free(kinds);
        veil_free(coef);
        return VEIL_ENOMEM;
    }
    for (uint32_t i = 0; i < channels; i++) {
        kinds[i] = kind;
        for (int j = 0; j < 4; j++)
            coef[4 * i + j] = c[j];
    }
    st = safenet_net_add_act(net, kinds, coef);
    veil_free(kinds);
    veil_free(coef);
    return st;
}

veil_status safenet_net_from_model(safenet_net_t *net, const nn_model_t *m,
                                   uint64_t p, unsigned frac, unsigned wfrac,
                                   char *why, size_t whylen)
{
    nn_model_t fm;
    veil_status st;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    if (net == NULL || m == NULL)
        return VEIL_EINVAL;
    memset(net, 0, sizeof(*net));
    if ((st = nn_model_fold_batchnorm(&fm, m)) != VEIL_OK) {
        if (why != NULL && whylen > 0)
            snprintf(why, whylen, "batch norm cannot be folded");
        return st;
    }
    if ((st = safenet_net_init(net, fm.in, p, frac, wfrac)) != VEIL_OK) {
        nn_model_clear(&fm);
        return st;
    }
    for (uint32_t i = 0; i < fm.nlayers && st == VEIL_OK; i++) {
        const nn_layer_t *l = &fm.layers[i];
        const float *w = fm.params + l->w, *b = fm.params + l->b;
        switch ((int)l->type) {
        case NN_LAYER_CONV2D:
            st = safenet_net_add_conv(net, l->out.c, l->k, l->stride, l->pad, w,
                                      b);
            break;
        case NN_LAYER_DENSE:
            st = safenet_net_add_dense(net, l->out.c, w, b);
            break;
        case NN_LAYER_AVGPOOL:
            st = safenet_net_add_pool(net, l->k, l->stride);
            break;
        case NN_LAYER_SQUARE: {
            const float c[4] = {0, 0, 1, 0};
            st = add_uniform_act(net, l->in.c, SAFENET_POLY2, c);
            break;
        }
        case NN_LAYER_POLY: {
            float c[4] = {0, 0, 0, 0};
            if (l->degree < 2 || l->degree > 3) {
                st = refuse(why, whylen,
                            "polynomial activation of degree other than 2 "
                            "or 3",
                            i);
                break;
            }
            for (uint32_t j = 0; j <= l->degree; j++)
                c[j] = w[j];
            st = add_uniform_act(net, l->in.c,
                                 l->degree == 2 ? SAFENET_POLY2 : SAFENET_POLY3,
                                 c);
            break;
        }
        default:
            st = refuse(why, whylen,
                        "layer type not supported by SAFENet (max pooling "
                        "and other non-linear layers are refused)",
                        i);
        }
        if (st != VEIL_OK && why != NULL && whylen > 0 && why[0] == '\0')
            snprintf(why, whylen,
                     "layer %u (%s): cannot be mapped (%s): an activation "
                     "must follow a linear layer, weights |w| < 64, mean "
                     "pools before an activation need a power-of-two area",
                     (unsigned)i, nn_layer_name(l->type), veil_strerror(st));
    }
    if (st == VEIL_OK)
        st = safenet_net_finish(net);
    if (st != VEIL_OK)
        safenet_net_clear(net);
    nn_model_clear(&fm);
    return st;
}
