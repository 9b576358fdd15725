/*
 * lola/kernel_sparse.c - sparse vector x column-major (paper section 4.2.2):
 * W v = sum_i v_i c_i.  Message i holds v_i in every slot, so one
 * mul_plain by column c_i (laid out as the wanted output) and additions
 * give the product in any representation, without rotations.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

veil_status lola_kernel_sparse_col(lola_step_t *st, const lola_matrix_t *m,
                                   const lola_layout_t *in,
                                   const lola_layout_t *target)
{
    const size_t n = in ? in->n : 0;
    veil_status s;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (m == NULL || in == NULL || target == NULL || target->map == NULL ||
        target->nct != 1 || target->n != n || in->nct != m->cols ||
        in->len != m->cols || target->len != m->rows)
        return VEIL_EINVAL;
    for (size_t k = 0; k < n; k++)
        if (target->map[k] >= (int32_t)m->rows || target->map[k] < -1)
            return VEIL_EINVAL;

    s = lola_step_begin(st, LOLA_STEP_LINEAR, "sparse-col", -1, n, m->cols, 1);
    if (s == VEIL_OK)
        s = lola_step_layout(st, target->rep, m->rows);
    for (size_t i = 0; i < m->cols && s == VEIL_OK; i++) {
        lola_src_t *p;
        uint32_t idx;
        size_t cnt = 0;
        s = lola_step_plain(st, &idx, &p);
        if (s != VEIL_OK)
            break;
        for (size_t k = 0; k < n; k++) {
            const int32_t j = target->map[k];
            if (j < 0 || !lola_matrix_nz(m, (size_t)j, i))
                continue;
            if (lola_layout_at(in, i, k) != (int32_t)i) {
                s = VEIL_EINVAL; /* v_i is not where the output needs it */
                break;
            }
            p[k].row = j;
            p[k].col = (int32_t)i;
            cnt++;
        }
        if (s == VEIL_OK && cnt == 0)
            st->nplains--; /* column never used: drop its plaintext */
        else if (s == VEIL_OK)
            s = lola_step_term(st, 0, (uint32_t)i, 0, 0, LOLA_COEF_PLAIN, idx);
    }
    if (s == VEIL_OK) {
        lola_src_t *b = NULL;
        if (m->bias != NULL)
            s = lola_step_bias(st, 0, &b);
        for (size_t k = 0; k < n && s == VEIL_OK; k++)
            if (target->map[k] >= 0) {
                st->layout.map[k] = target->map[k];
                if (b != NULL)
                    b[k].row = target->map[k];
            }
    }
    if (s == VEIL_OK) {
        st->layout.period = target->period;
        st->layout.block = target->block;
        st->layout.chunk = target->chunk;
        s = lola_step_finish(st, in);
    }
    if (s != VEIL_OK)
        lola_step_clear(st);
    return s;
}
