/*
 * lola/kernel_conv.c - the convolution representation and convolution vector x
 * row-major (paper sections 4.2.1, 4.2.2).  For a window of r weights the
 * representation is r messages: message j holds, in the slot where an
 * output is computed, the input value the j-th weight meets there.  The
 * convolution is then sum_j w_j m_j: with one output message per map and
 * scalar weights (the paper), or, when the slots already name (map,
 * position) pairs, with one plaintext per window offset and a single output
 * message in whatever representation the next layer wants.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

veil_status lola_layout_conv(lola_layout_t *l, const lola_matrix_t *m,
                             const lola_layout_t *target, int scalar)
{
    const size_t n = target ? target->n : 0;
    size_t win, hw, limit;
    veil_status s;

    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (m == NULL || !m->conv || target == NULL || target->map == NULL ||
        target->nct != 1)
        return VEIL_EINVAL;
    win = lola_matrix_window_size(m);
    hw = (size_t)m->out.h * m->out.w;
    limit = scalar ? hw : m->rows;
    for (size_t k = 0; k < n; k++)
        if (target->map[k] < -1 || target->map[k] >= (int32_t)limit)
            return VEIL_EINVAL;
    s = lola_layout_init(l, LOLA_CONV, n, win, m->cols);
    if (s != VEIL_OK)
        return s;
    l->target = malloc(n * sizeof(int32_t));
    if (l->target == NULL) {
        lola_layout_clear(l);
        return VEIL_ENOMEM;
    }
    memcpy(l->target, target->map, n * sizeof(int32_t));
    l->positions = scalar != 0;
    l->target_rep = target->rep;
    l->period = target->period;
    l->block = target->block;
    l->chunk = target->chunk;
    for (size_t k = 0; k < n; k++) {
        if (target->map[k] < 0)
            continue;
        for (size_t j = 0; j < win; j++) {
            const int64_t c = lola_matrix_window(m, (size_t)target->map[k], j);
            l->map[j * n + k] = c >= 0 ? (int32_t)c : LOLA_ZERO;
        }
    }
    return VEIL_OK;
}

/* One output message: y = sum_j W_j (.) x_j, W_j[s] = the weight of window
 * offset j for the output computed in slot s. */
static veil_status conv_plain(lola_step_t *st, const lola_matrix_t *m,
                              const lola_layout_t *in)
{
    const size_t n = in->n;
    lola_src_t *b = NULL;
    veil_status s = lola_step_layout(st, in->target_rep, m->rows);

    for (size_t j = 0; j < in->nct && s == VEIL_OK; j++) {
        lola_src_t *p;
        uint32_t idx;
        size_t cnt = 0;
        s = lola_step_plain(st, &idx, &p);
        for (size_t k = 0; k < n && s == VEIL_OK; k++) {
            const int32_t col = in->map[j * n + k];
            if (in->target[k] < 0 || col < 0)
                continue;
            p[k].row = in->target[k];
            p[k].col = col;
            cnt++;
        }
        if (s != VEIL_OK)
            break;
        if (cnt == 0)
            st->nplains--; /* offset only ever meets padding */
        else
            s = lola_step_term(st, 0, (uint32_t)j, 0, 0, LOLA_COEF_PLAIN, idx);
    }
    if (s == VEIL_OK && m->bias != NULL)
        s = lola_step_bias(st, 0, &b);
    for (size_t k = 0; k < n && s == VEIL_OK; k++)
        if (in->target[k] >= 0) {
            st->layout.map[k] = in->target[k];
            if (b != NULL)
                b[k].row = in->target[k];
        }
    return s;
}

/* One output message per map c: y_c = sum_j w_c[j] x_j (mul_scalar); the
 * slots name positions, the same for every map. */
static veil_status conv_scalar(lola_step_t *st, const lola_matrix_t *m,
                               const lola_layout_t *in)
{
    const size_t n = in->n, hw = (size_t)m->out.h * m->out.w;
    veil_status s = lola_step_layout(st, in->target_rep, m->rows);

    for (size_t c = 0; c < st->nout && s == VEIL_OK; c++) {
        lola_src_t *b = NULL;
        for (size_t j = 0; j < in->nct && s == VEIL_OK; j++) {
            /* the weight w_c[j] as an entry of W: a row of map c whose
             * window offset j is inside the image */
            int64_t col = -1;
            size_t pos;
            uint32_t idx;
            for (pos = 0; pos < hw && col < 0; pos++)
                col = lola_matrix_window(m, c * hw + pos, j);
            if (col < 0)
                continue; /* only ever padding */
            s = lola_step_scalar(st, &idx, (int32_t)(c * hw + pos - 1),
                                 (int32_t)col);
            if (s == VEIL_OK)
                s = lola_step_term(st, c, (uint32_t)j, 0, 0, LOLA_COEF_SCALAR,
                                   idx);
        }
        if (s == VEIL_OK && m->bias != NULL)
            s = lola_step_bias(st, c, &b);
        for (size_t k = 0; k < n && s == VEIL_OK; k++)
            if (in->target[k] >= 0) {
                const int32_t row = (int32_t)(c * hw) + in->target[k];
                st->layout.map[c * n + k] = row;
                if (b != NULL)
                    b[k].row = row;
            }
    }
    return s;
}

veil_status lola_kernel_conv_row(lola_step_t *st, const lola_matrix_t *m,
                                 const lola_layout_t *in, int scalar)
{
    veil_status s;
    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (m == NULL || !m->conv || in == NULL || in->rep != LOLA_CONV ||
        in->map == NULL || in->target == NULL ||
        in->nct != lola_matrix_window_size(m) || in->len != m->cols ||
        in->positions != (scalar != 0))
        return VEIL_EINVAL;
    s = lola_step_begin(st, LOLA_STEP_LINEAR, "conv-row", -1, in->n, in->nct,
                        scalar ? m->out.c : 1);
    if (s == VEIL_OK)
        s = scalar ? conv_scalar(st, m, in) : conv_plain(st, m, in);
    if (s == VEIL_OK) {
        st->layout.period = in->period;
        st->layout.block = in->block;
        st->layout.chunk = in->chunk;
        s = lola_step_finish(st, in);
    }
    if (s != VEIL_OK)
        lola_step_clear(st);
    return s;
}
