/*
 * qsearch.c - choosing the quantization exponents of a model: the fewest
 * worst-case bits (nn_ranges_compute) for which the quantized model still
 * predicts the float model's class on all but a fraction tol of a data set
 * (a held-out set, not the test set).  Disagreement bounds the accuracy
 * change, |acc_q - acc_f| <= 1 - agreement, without looking at labels.
 *
 * 1. Uniform start: the smallest weight width b (every layer's integers in
 *    b bits, input as raw pixels, in_exp = 8) that meets the tolerance.
 * 2. Greedy descent: among the moves "lower in_exp by one" and "lower one
 *    layer's qexp by one", try those that shrink the bound, biggest saving
 *    first, and take the first one that still meets the tolerance; repeat
 *    until no move is accepted.
 */
#include "veil/nn.h"
#include <string.h>

/* Bound bits and (if agree != NULL) the agreement of the quantized and
 * float predictions of m as it stands. */
static veil_status measure(uint32_t *bits, double *agree, const nn_model_t *m,
                           const nn_dataset_t *ds)
{
    nn_qmodel_t q;
    nn_ranges_t r;
    veil_status st;

    if ((st = nn_qmodel_init(&q, m)) != VEIL_OK)
        return st;
    if ((st = nn_ranges_compute(&r, &q, 0, q.in_max)) == VEIL_OK) {
        *bits = r.bits;
        nn_ranges_clear(&r);
        if (agree != NULL) {
            double acc;
            st = nn_qmodel_accuracy(&acc, agree, &q, m, ds);
        }
    }
    nn_qmodel_clear(&q);
    return st;
}

/* Exponent that move j changes: j = 0 is in_exp, j = i + 1 layer i. */
static int32_t *move_target(nn_model_t *m, uint32_t j)
{
    if (j == 0)
        return m->in_exp > 0 ? &m->in_exp : NULL;
    {
        nn_layer_t *l = &m->layers[j - 1];
        if ((l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE ||
             l->type == NN_LAYER_POLY) &&
            l->qexp > NN_QEXP_MIN)
            return &l->qexp;
    }
    return NULL;
}

veil_status nn_model_choose_qparams(nn_model_t *m, double *agree,
                                    const nn_dataset_t *ds, double tol)
{
    double ag = 0;
    uint32_t bits = 0, b;
    veil_status st;

    if (m == NULL || agree == NULL || ds == NULL || !(tol >= 0))
        return VEIL_EINVAL;

    /* 1. uniform start */
    for (b = 2; b <= 25; b++) {
        if ((st = nn_model_set_qbits(m, b, 8)) != VEIL_OK ||
            (st = measure(&bits, &ag, m, ds)) != VEIL_OK)
            return st;
        if (ag >= 1 - tol)
            break;
    }
    if (b > 25)
        return VEIL_ERANGE;

    /* 2. greedy descent */
    for (;;) {
        uint32_t cand_bits[NN_MAX_LAYERS + 1], order[NN_MAX_LAYERS + 1];
        uint32_t nc = 0, taken = 0;
        for (uint32_t j = 0; j <= m->nlayers; j++) {
            int32_t *e = move_target(m, j);
            uint32_t nb;
            if (e == NULL)
                continue;
            (*e)--;
            st = measure(&nb, NULL, m, ds);
            (*e)++;
            if (st == VEIL_ERANGE)
                continue;
            if (st != VEIL_OK)
                return st;
            if (nb < bits) {
                /* insertion sort by bits, smallest first */
                uint32_t at = nc++;
                while (at > 0 && cand_bits[order[at - 1]] > nb) {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = j;
                cand_bits[j] = nb;
            }
        }
        for (uint32_t c = 0; c < nc && !taken; c++) {
            int32_t *e = move_target(m, order[c]);
            double a;
            uint32_t nb;
            (*e)--;
            if ((st = measure(&nb, &a, m, ds)) != VEIL_OK)
                return st;
            if (a >= 1 - tol) {
                bits = nb;
                ag = a;
                taken = 1;
            } else {
                (*e)++;
            }
        }
        if (!taken)
            break;
    }
    *agree = ag;
    return VEIL_OK;
}
