/*
 * act.c - SAFENet's channel-wise activation approximation (paper section 3,
 * eqs. 2-4): channel importance from the producing layer's L1 filter norm,
 * input statistics, least-squares initialisation of the polynomials, a
 * plan (alpha, beta) applied to a layer, and the score of eq. 4.
 */
#include "backprop.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CAL_BATCH 64

veil_status nn_act_importance(float *imp, const nn_model_t *m, uint32_t layer)
{
    const nn_layer_t *a, *p = NULL;
    if (imp == NULL || m == NULL || layer >= m->nlayers ||
        m->layers[layer].type != NN_LAYER_ACT)
        return VEIL_EINVAL;
    a = &m->layers[layer];
    for (uint32_t i = layer; i-- > 0;)
        if (m->layers[i].type == NN_LAYER_CONV2D ||
            m->layers[i].type == NN_LAYER_DENSE) {
            p = &m->layers[i];
            break;
        }
    /* the producer's output channels must be the act layer's channels */
    if (p == NULL || p->out.c != a->in.c)
        return VEIL_EINVAL;
    {
        const size_t per = p->nw / p->out.c;
        for (uint32_t c = 0; c < a->in.c; c++) {
            double s = 0.0;
            for (size_t j = 0; j < per; j++)
                s += fabs(m->params[p->w + c * per + j]);
            imp[c] = (float)s;
        }
    }
    return VEIL_OK;
}

void nn_act_calib_clear(nn_act_calib_t *cal)
{
    if (cal == NULL)
        return;
    for (uint32_t i = 0; i < NN_MAX_LAYERS; i++) {
        free(cal->mom[i]);
        free(cal->rmom[i]);
        free(cal->lo[i]);
        free(cal->hi[i]);
    }
    memset(cal, 0, sizeof(*cal));
}

veil_status nn_act_calibrate(nn_act_calib_t *cal, const nn_model_t *m,
                             const nn_dataset_t *ds, uint32_t count)
{
    nn_backprop_t bp;
    size_t isz, xsz;
    veil_status st;

    if (cal == NULL)
        return VEIL_EINVAL;
    memset(cal, 0, sizeof(*cal));
    if (m == NULL || ds == NULL || m->nlayers == 0 || count == 0 ||
        m->in.c != nn_dataset_channels(ds) || m->in.h < ds->rows ||
        m->in.w < ds->cols)
        return VEIL_EINVAL;
    if (count > ds->count)
        count = ds->count;
    cal->nlayers = m->nlayers;
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const uint32_t C = m->layers[i].in.c;
        if (m->layers[i].type != NN_LAYER_ACT)
            continue;
        if ((cal->mom[i] = calloc((size_t)C * 7, sizeof(double))) == NULL ||
            (cal->rmom[i] = calloc((size_t)C * 4, sizeof(double))) == NULL ||
            (cal->lo[i] = malloc(C * sizeof(float))) == NULL ||
            (cal->hi[i] = malloc(C * sizeof(float))) == NULL) {
            nn_act_calib_clear(cal);
            return VEIL_ENOMEM;
        }
        for (uint32_t c = 0; c < C; c++) {
            cal->lo[i][c] = INFINITY;
            cal->hi[i][c] = -INFINITY;
        }
    }
    if ((st = _nn_backprop_init(&bp, m, CAL_BATCH)) != VEIL_OK) {
        nn_act_calib_clear(cal);
        return st;
    }
    isz = (size_t)m->in.c * ds->rows * ds->cols;
    xsz = nn_shape_size(m->in);
    for (uint32_t b0 = 0; b0 < count; b0 += CAL_BATCH) {
        const uint32_t n = count - b0 < CAL_BATCH ? count - b0 : CAL_BATCH;
        for (uint32_t s = 0; s < n; s++)
            nn_image_to_input(bp.act[0] + s * xsz, m->in,
                              ds->images + (b0 + s) * isz, ds->rows, ds->cols);
        _nn_backprop_infer(&bp, n);
        for (uint32_t i = 0; i < m->nlayers; i++) {
            const nn_layer_t *l = &m->layers[i];
            const size_t hw = (size_t)l->in.h * l->in.w;
            const size_t S = nn_shape_size(l->in);
            if (l->type != NN_LAYER_ACT)
                continue;
#pragma omp parallel for schedule(static)
            for (long c = 0; c < (long)l->in.c; c++) {
                double *mo = cal->mom[i] + 7 * c, *rm = cal->rmom[i] + 4 * c;
                for (uint32_t s = 0; s < n; s++)
                    for (size_t p = 0; p < hw; p++) {
                        const double x = bp.act[i][s * S + c * hw + p];
                        const double r = x > 0 ? x : 0;
                        double pw = 1.0;
                        for (int k = 0; k < 7; k++) {
                            mo[k] += pw;
                            if (k < 4)
                                rm[k] += r * pw;
                            pw *= x;
                        }
                        if (x < cal->lo[i][c])
                            cal->lo[i][c] = (float)x;
                        if (x > cal->hi[i][c])
                            cal->hi[i][c] = (float)x;
                    }
            }
        }
    }
    _nn_backprop_clear(&bp);
    return VEIL_OK;
}

/* Solve the (d+1) x (d+1) system A a = b by Gaussian elimination with
 * partial pivoting; 0 if singular. */
static int solve(double *a, double A[4][4], double b[4], int d)
{
    const int n = d + 1;
    for (int col = 0; col < n; col++) {
        int piv = col;
        for (int r = col + 1; r < n; r++)
            if (fabs(A[r][col]) > fabs(A[piv][col]))
                piv = r;
        if (!(fabs(A[piv][col]) > 1e-12))
            return 0;
        for (int k = 0; k < n; k++) {
            double t = A[col][k];
            A[col][k] = A[piv][k];
            A[piv][k] = t;
        }
        {
            double t = b[col];
            b[col] = b[piv];
            b[piv] = t;
        }
        for (int r = col + 1; r < n; r++) {
            const double f = A[r][col] / A[col][col];
            for (int k = col; k < n; k++)
                A[r][k] -= f * A[col][k];
            b[r] -= f * b[col];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < n; k++)
            s -= A[r][k] * a[k];
        a[r] = s / A[r][r];
    }
    return 1;
}

void nn_act_fit_relu(float c[4], const nn_act_calib_t *cal, uint32_t layer,
                     uint32_t channel, int degree)
{
    const double *mo = cal->mom[layer] + 7 * channel;
    const double *rm = cal->rmom[layer] + 4 * channel;
    const double lo = cal->lo[layer][channel], hi = cal->hi[layer][channel];
    double s = fmax(fabs(lo), fabs(hi)), A[4][4], b[4], a[4] = {0, 0, 0, 0};
    int ok;

    memset(c, 0, 4 * sizeof(float));
    if (mo[0] == 0)
        return;
    if (!(s > 0) || !isfinite(s))
        s = 1.0;
    /* in t = x / s: sum t^(j+k) and sum relu(t) t^j */
    for (int j = 0; j <= degree; j++) {
        for (int k = 0; k <= degree; k++)
            A[j][k] = mo[j + k] / pow(s, j + k);
        b[j] = rm[j] / pow(s, j + 1);
    }
    ok = degree == 0 ? (a[0] = b[0] / A[0][0], 1) : solve(a, A, b, degree);
    if (!ok) {
        /* all inputs (nearly) equal: the constant relu(mean), slope step */
        const double mean = mo[1] / mo[0];
        c[0] = (float)(mean > 0 ? mean : 0);
        if (degree > 0)
            c[1] = 0.0f;
        return;
    }
    for (int k = 0; k <= degree; k++)
        c[k] = (float)(a[k] * pow(s, 1 - k)); /* relu(x) = s relu(t) */
}

static nn_act_kind_t kind_of_beta(int beta)
{
    return beta == 0 ? NN_ACT_CONST : beta == 2 ? NN_ACT_POLY2 : NN_ACT_POLY3;
}

veil_status nn_act_apply(nn_model_t *m, uint32_t layer, double alpha, int beta,
                         const nn_act_calib_t *cal)
{
    const nn_layer_t *l;
    float imp[NN_MAX_DIM];
    uint32_t order[NN_MAX_DIM], C, r;
    veil_status st;

    if (m == NULL || cal == NULL || layer >= m->nlayers ||
        m->layers[layer].type != NN_LAYER_ACT || !(alpha >= 0) ||
        !(alpha <= 1) || (beta != 0 && beta != 2 && beta != 3) ||
        cal->mom[layer] == NULL)
        return VEIL_EINVAL;
    l = &m->layers[layer];
    C = l->in.c;
    if ((st = nn_act_importance(imp, m, layer)) != VEIL_OK)
        return st;
    /* ascending importance, ties by index (insertion sort: C <= 4096) */
    for (uint32_t c = 0; c < C; c++) {
        uint32_t at = c;
        while (at > 0 && imp[order[at - 1]] > imp[c]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = c;
    }
    r = (uint32_t)floor(alpha * C + 0.5);
    for (uint32_t j = 0; j < C; j++) {
        const uint32_t c = order[j];
        const nn_act_kind_t want = j < r ? kind_of_beta(beta) : NN_ACT_RELU;
        float co[4];
        if (m->kinds[l->kind + c] == (uint8_t)want)
            continue; /* keep trained coefficients */
        if (want == NN_ACT_RELU) {
            st = nn_model_set_act(m, layer, c, NN_ACT_RELU, NULL);
        } else {
            nn_act_fit_relu(co, cal, layer, c, beta);
            st = nn_model_set_act(m, layer, c, want, co);
        }
        if (st != VEIL_OK)
            return st;
    }
    return VEIL_OK;
}

void nn_act_plan_of(double *alpha, int *beta, const nn_model_t *m,
                    uint32_t layer)
{
    const nn_layer_t *l = &m->layers[layer];
    uint32_t r = 0;
    int b = 2, found = 0;
    for (uint32_t c = 0; c < l->in.c; c++) {
        const uint8_t k = m->kinds[l->kind + c];
        if (k == NN_ACT_RELU)
            continue;
        r++;
        if (!found) {
            b = nn_act_degree((nn_act_kind_t)k);
            found = 1;
        }
    }
    *alpha = (double)r / l->in.c;
    *beta = b;
}

double nn_plan_score(double accuracy, const nn_model_t *m,
                     const nn_act_costs_t *costs)
{
    uint64_t relus, polys[4], total;
    double saved = 0.0;
    nn_model_count_act_total(&relus, polys, m);
    total = relus + polys[1] + polys[2] + polys[3];
    if (total == 0)
        return accuracy;
    for (int k = 1; k < 4; k++)
        saved += (double)polys[k] * costs->r[k];
    return accuracy * (1.0 + saved / (double)total);
}
