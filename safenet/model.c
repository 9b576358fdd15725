/*
 * model.c - a SAFENet network from an nn model (the one CNN model format,
 * include/veil/nn.h and models/README.md): batch norm folded first, then
 * one SAFENet operation per layer, with an optional activation plan
 * applied on the way (safenet_plan_t).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safenet_internal.h"

/* ReLU approximations for generated plans: least-squares fits of max(x, 0)
 * on [-4, 4] (|x| ~ 3a/16 + 15 x^2 / (16 a), a = 4), and the mean of
 * max(x, 0) for x ~ N(0, 1) for pruned channels.  A plan trained with the
 * network (SAFENet's planner) carries its own coefficients instead. */
static const float FIT2[4] = {0.375f, 0.5f, 0.1171875f, 0.0f};
static const float FIT3[4] = {0.375f, 0.5f, 0.1171875f, 0.001f};
static const float FIT0[4] = {0.4f, 0.0f, 0.0f, 0.0f};

static veil_status refuse(char *why, size_t whylen, const char *msg,
                          uint32_t layer)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "layer %u: %s", (unsigned)layer, msg);
    return VEIL_EINVAL;
}

static int is_act(nn_layer_type_t t)
{
    return t == NN_LAYER_RELU || t == NN_LAYER_ACT || t == NN_LAYER_SQUARE ||
           t == NN_LAYER_POLY;
}

/* L1 norm of output channel c of the last linear layer before layer i
 * (paper eq. 3: the channel importance). */
static double importance(const nn_model_t *m, uint32_t i, uint32_t c)
{
    while (i-- > 0) {
        const nn_layer_t *l = &m->layers[i];
        if (l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE) {
            size_t per = l->nw / l->out.c;
            double s = 0;
            for (size_t j = 0; j < per; j++)
                s += fabs((double)m->params[l->w + c * per + j]);
            return s;
        }
    }
    return 0;
}

typedef struct {
    double imp;
    uint32_t c;
} imp_t;

static int cmp_imp(const void *a, const void *b)
{
    const imp_t *x = a, *y = b;
    if (x->imp != y->imp)
        return x->imp < y->imp ? -1 : 1;
    return x->c < y->c ? -1 : (x->c > y->c);
}

/* The kinds and coefficients of activation layer i (the act_index-th of
 * n_act) under the plan. */
static veil_status plan_layer(uint8_t *kinds, float *coef, const nn_model_t *m,
                              uint32_t i, safenet_plan_t plan, int act_index,
                              int n_act)
{
    const nn_layer_t *l = &m->layers[i];
    const uint32_t C = l->in.c;
    float pc[4] = {0, 0, 0, 0};
    /* 1. what the model says */
    for (uint32_t c = 0; c < C; c++) {
        const float *src = FIT2;
        kinds[c] = SAFENET_RELU;
        if (l->type == NN_LAYER_ACT) {
            kinds[c] = m->kinds[l->kind + c];
            src = m->params + l->w + 4 * c;
        } else if (l->type == NN_LAYER_SQUARE) {
            static const float sq[4] = {0, 0, 1, 0};
            kinds[c] = SAFENET_POLY2;
            src = sq;
        } else if (l->type == NN_LAYER_POLY) {
            if (l->degree < 2 || l->degree > 3)
                return VEIL_EINVAL;
            for (uint32_t j = 0; j <= l->degree; j++)
                pc[j] = m->params[l->w + j];
            kinds[c] = l->degree == 2 ? SAFENET_POLY2 : SAFENET_POLY3;
            src = pc;
        }
        memcpy(coef + 4 * c, src, 4 * sizeof(float));
    }
    /* 2. the plan */
    if (plan == SAFENET_PLAN_RELU) {
        memset(kinds, SAFENET_RELU, C);
    } else if (plan == SAFENET_PLAN_DELPHI) {
        /* Delphi's layer-wise baseline: the last six activation layers
         * become degree-2 polynomials, the others ReLU */
        for (uint32_t c = 0; c < C; c++) {
            if (act_index < n_act - 6) {
                kinds[c] = SAFENET_RELU;
            } else if (kinds[c] != SAFENET_POLY2) {
                kinds[c] = SAFENET_POLY2;
                memcpy(coef + 4 * c, FIT2, sizeof(FIT2));
            }
        }
    } else if (plan == SAFENET_PLAN_SAFENET80) {
        /* channel-wise (paper eqs. 2-3): the 80 % least important channels
         * by L1 norm of their weights are approximated, the degrees mixed
         * 3, 2, 2, 0 in order of importance */
        imp_t *o = malloc(C * sizeof(imp_t));
        uint32_t nrep = (uint32_t)((uint64_t)C * 4 / 5);
        if (o == NULL)
            return VEIL_ENOMEM;
        for (uint32_t c = 0; c < C; c++) {
            o[c].imp = importance(m, i, c);
            o[c].c = c;
        }
        qsort(o, C, sizeof(imp_t), cmp_imp);
        memset(kinds, SAFENET_RELU, C);
        for (uint32_t j = 0; j < nrep; j++) {
            uint32_t c = o[j].c;
            static const uint8_t cyc[4] = {SAFENET_POLY3, SAFENET_POLY2,
                                           SAFENET_POLY2, SAFENET_CONST};
            kinds[c] = cyc[j % 4];
            memcpy(coef + 4 * c,
                   kinds[c] == SAFENET_POLY3   ? FIT3
                   : kinds[c] == SAFENET_POLY2 ? FIT2
                                               : FIT0,
                   4 * sizeof(float));
        }
        free(o);
    }
    return VEIL_OK;
}

veil_status safenet_net_from_model(safenet_net_t *net, const nn_model_t *m,
                                   uint64_t p, unsigned frac, unsigned wfrac,
                                   safenet_plan_t plan, char *why,
                                   size_t whylen)
{
    nn_model_t fm;
    uint8_t *kinds = NULL;
    float *coef = NULL;
    int n_act = 0, act_index = 0;
    veil_status st;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    if (net == NULL || m == NULL || plan > SAFENET_PLAN_SAFENET80)
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
    kinds = malloc(NN_MAX_DIM);
    coef = malloc(4 * NN_MAX_DIM * sizeof(float));
    if (kinds == NULL || coef == NULL)
        st = VEIL_ENOMEM;
    for (uint32_t i = 0; i < fm.nlayers; i++)
        n_act += is_act(fm.layers[i].type);
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
        case NN_LAYER_MAXPOOL:
            st = refuse(why, whylen,
                        "max pooling has no SAFENet protocol (use mean "
                        "pooling)",
                        i);
            break;
        case NN_LAYER_RELU:
        case NN_LAYER_ACT:
        case NN_LAYER_SQUARE:
        case NN_LAYER_POLY:
            st = plan_layer(kinds, coef, &fm, i, plan, act_index++, n_act);
            if (st == VEIL_EINVAL)
                st = refuse(why, whylen,
                            "polynomial activation of degree other than 2 "
                            "or 3",
                            i);
            if (st == VEIL_OK)
                st = safenet_net_add_act(net, kinds, coef);
            break;
        default:
            st = refuse(why, whylen, "layer type not supported by SAFENet", i);
        }
        if (st != VEIL_OK && why != NULL && whylen > 0 && why[0] == '\0')
            snprintf(why, whylen,
                     "layer %u (%s) cannot be mapped (%s): an activation "
                     "must follow a linear layer, |weights| < 2^21 / "
                     "2^wfrac, and a mean pool before an activation needs "
                     "a power-of-two area",
                     (unsigned)i, nn_layer_name(l->type), veil_strerror(st));
    }
    if (st == VEIL_OK)
        st = safenet_net_finish(net);
    if (st != VEIL_OK)
        safenet_net_clear(net);
    free(kinds);
    free(coef);
    nn_model_clear(&fm);
    return st;
}
