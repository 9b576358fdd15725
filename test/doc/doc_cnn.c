/*
 * doc_cnn.c - the numbers of doc/12-cnn-training.md that follow from the
 * code and the committed SAFENet plan: keys NAME.ARG (see doc_numbers.h):
 *   cnn_acts.mnist      activations of CNN-7 on 1x32x32 inputs
 *   cnn_tail.mnist      activations of its last five ACT layers
 *   cnn_tailfrac.mnist  their fraction of all, 4 decimals
 *   cnn_r.default       R(2) = R(3) = 1 - 0.208 / 24.6 (the planner's
 *                       built-in costs, us per element), 4 decimals
 *   cnn_score.example   eq. 4 (nn_plan_score) for the last five ACT layers
 *                       at degree 2 and accuracy 0.85, 4 decimals
 *   cnn_kept.plan:L     ReLUs kept by ACT layer L (model layer index) of
 *                       models/cnn7-mnist-safenet.vmodel
 *   cnn_poly.plan:L     its polynomial (or constant) activations
 *   cnn_alpha.plan:L    its alpha (fraction of channels replaced), 2 dec.
 *   cnn_beta.plan:L     its degree (-1: none replaced)
 *   cnn_replaced.plan   activations replaced in the whole plan
 *   cnn_pct.plan        their percentage, 2 decimals
 *   cnn_fit.c0|c1|c2|err  section 4's worked example: the degree-2
 *                       least-squares fit of ReLU on {-1, 0, 1, 2}
 * The accuracies of the committed models need MNIST and are checked by
 * test/nn (cnn_model::committed_cnn7_accuracy).
 */
#include "doc_numbers.h"
#include "veil/nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

/* R(2) = R(3) from the planner's built-in costs (apps/safenet_plan.c) */
static double r_default(void)
{
    return 1.0 - 0.208 / 24.6;
}

static int cnn7(nn_model_t *m)
{
    const nn_shape_t in = {1, 32, 32};
    return nn_model_cnn7(m, in) == VEIL_OK ? 0 : -1;
}

/* the last five ACT layers of m: activations, and set them to degree 2 */
static unsigned long long tail5(nn_model_t *m, int set)
{
    unsigned long long n = 0;
    int seen = 0;
    for (uint32_t i = m->nlayers; i-- > 0 && seen < 5;) {
        const float c[4] = {0.1f, 0.5f, 0.25f, 0.0f};
        if (m->layers[i].type != NN_LAYER_ACT)
            continue;
        seen++;
        n += nn_shape_size(m->layers[i].in);
        for (uint32_t ch = 0; set && ch < m->layers[i].in.c; ch++)
            if (nn_model_set_act(m, i, ch, NN_ACT_POLY2, c) != VEIL_OK)
                return 0;
    }
    return n;
}

static int plan_value(char *out, size_t cap, const char *name, const char *arg)
{
    char path[4096];
    const char *dir = getenv("srcdir");
    nn_model_t m;
    int ok = -1;
    snprintf(path, sizeof(path), "%s/models/cnn7-mnist-safenet.vmodel",
             dir != NULL ? dir : VEIL_SRCDIR);
    if (nn_model_load(&m, path) != VEIL_OK)
        return -1;
    if (strcmp(arg, "plan") == 0) {
        uint64_t relus, polys[4], p;
        nn_model_count_act_total(&relus, polys, &m);
        p = polys[1] + polys[2] + polys[3];
        if (strcmp(name, "cnn_replaced") == 0) {
            dn_thousands(out, cap, p);
            ok = 0;
        } else if (strcmp(name, "cnn_pct") == 0) {
            snprintf(out, cap, "%.2f", 100.0 * (double)p / (double)(relus + p));
            ok = 0;
        }
    } else if (strncmp(arg, "plan:", 5) == 0) {
        const unsigned long l = strtoul(arg + 5, NULL, 10);
        if (l < m.nlayers && m.layers[l].type == NN_LAYER_ACT) {
            uint64_t relus, polys[4];
            double a;
            int b;
            nn_model_count_act(&relus, polys, &m, (uint32_t)l);
            nn_act_plan_of(&a, &b, &m, (uint32_t)l);
            ok = 0;
            if (strcmp(name, "cnn_kept") == 0)
                dn_thousands(out, cap, relus);
            else if (strcmp(name, "cnn_poly") == 0)
                dn_thousands(out, cap, polys[1] + polys[2] + polys[3]);
            else if (strcmp(name, "cnn_alpha") == 0)
                snprintf(out, cap, "%.2f", a);
            else if (strcmp(name, "cnn_beta") == 0)
                snprintf(out, cap, "%d", a > 0 ? b : -1);
            else
                ok = -1;
        }
    }
    nn_model_clear(&m);
    return ok;
}

/* section 4's worked example: the degree-2 least-squares fit of ReLU
 * over the inputs {-1, 0, 1, 2} (nn_act_fit_relu); ARG c0, c1, c2 or err
 * (the squared error over the four inputs) */
static int fit_value(char *out, size_t cap, const char *arg)
{
    static const double xs[4] = {-1, 0, 1, 2};
    double mom[7] = {0}, rmom[4] = {0}, err = 0;
    float lo = -1, hi = 2, c[4];
    nn_act_calib_t cal;
    memset(&cal, 0, sizeof(cal));
    for (int i = 0; i < 4; i++) {
        double pw = 1;
        for (int k = 0; k < 7; k++) {
            mom[k] += pw;
            if (k < 4)
                rmom[k] += (xs[i] > 0 ? xs[i] : 0) * pw;
            pw *= xs[i];
        }
    }
    cal.nlayers = 1;
    cal.mom[0] = mom;
    cal.rmom[0] = rmom;
    cal.lo[0] = &lo;
    cal.hi[0] = &hi;
    nn_act_fit_relu(c, &cal, 0, 0, 2);
    for (int i = 0; i < 4; i++) {
        const double y = c[0] + c[1] * xs[i] + c[2] * xs[i] * xs[i];
        const double r = xs[i] > 0 ? xs[i] : 0;
        err += (y - r) * (y - r);
    }
    if (strcmp(arg, "c0") == 0 || strcmp(arg, "c1") == 0 ||
        strcmp(arg, "c2") == 0)
        snprintf(out, cap, "%.2f", c[arg[1] - '0']);
    else if (strcmp(arg, "err") == 0)
        snprintf(out, cap, "%.2f", err);
    else
        return -1;
    return 0;
}

int dn_cnn_value(char *out, size_t cap, const char *name, const char *arg)
{
    nn_model_t m;
    if (strcmp(name, "cnn_fit") == 0)
        return fit_value(out, cap, arg);
    if (strncmp(arg, "plan", 4) == 0)
        return plan_value(out, cap, name, arg);
    if (strcmp(name, "cnn_r") == 0 && strcmp(arg, "default") == 0) {
        snprintf(out, cap, "%.4f", r_default());
        return 0;
    }
    if (strcmp(arg, "mnist") == 0 || strcmp(arg, "example") == 0) {
        uint64_t relus, polys[4];
        unsigned long long tail;
        int ok = 0;
        if (cnn7(&m) != 0)
            return -1;
        nn_model_count_act_total(&relus, polys, &m);
        tail = tail5(&m, strcmp(name, "cnn_score") == 0);
        if (strcmp(name, "cnn_acts") == 0 && strcmp(arg, "mnist") == 0)
            dn_thousands(out, cap, relus + polys[1] + polys[2] + polys[3]);
        else if (strcmp(name, "cnn_tail") == 0 && strcmp(arg, "mnist") == 0)
            dn_thousands(out, cap, tail);
        else if (strcmp(name, "cnn_tailfrac") == 0 && strcmp(arg, "mnist") == 0)
            snprintf(out, cap, "%.4f", (double)tail / (double)relus);
        else if (strcmp(name, "cnn_score") == 0 &&
                 strcmp(arg, "example") == 0 && tail > 0) {
            nn_act_costs_t c;
            c.r[0] = 0;
            c.r[NN_ACT_CONST] = 1;
            c.r[NN_ACT_POLY2] = c.r[NN_ACT_POLY3] = r_default();
            snprintf(out, cap, "%.4f", nn_plan_score(0.85, &m, &c));
        } else
            ok = -1;
        nn_model_clear(&m);
        return ok;
    }
    return -1;
}
