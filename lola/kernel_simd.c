/*
 * lola/kernel_simd.c - the SIMD representation's matrix-vector product
 * (CryptoNets; paper section 3.2): message i holds feature i of up to n
 * records, so y_j = sum_i W[j][i] x_i + b_j is computed with scalar
 * multiplications and additions only, for all records at once.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

veil_status lola_kernel_simd(lola_step_t *st, const lola_matrix_t *m,
                             const lola_layout_t *in)
{
    const size_t n = in ? in->n : 0;
    int64_t *cols = NULL;
    veil_status s;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (m == NULL || in == NULL || in->rep != LOLA_SIMD || in->map != NULL ||
        in->nct != m->cols || in->len != m->cols)
        return VEIL_EINVAL;
    cols = malloc(m->cols * sizeof(int64_t));
    if (cols == NULL)
        return VEIL_ENOMEM;
    s = lola_step_begin(st, LOLA_STEP_LINEAR, "simd", -1, n, m->cols, m->rows);
    if (s == VEIL_OK)
        s = lola_layout_simd(&st->layout, n, m->rows, in->batch);
    for (size_t j = 0; j < m->rows && s == VEIL_OK; j++) {
        const size_t nc = lola_matrix_row_cols(cols, m, j);
        for (size_t i = 0; i < nc && s == VEIL_OK; i++) {
            uint32_t idx;
            s = lola_step_scalar(st, &idx, (int32_t)j, (int32_t)cols[i]);
            if (s == VEIL_OK)
                s = lola_step_term(st, j, (uint32_t)cols[i], 0, 0,
                                   LOLA_COEF_SCALAR, idx);
        }
        if (s == VEIL_OK && m->bias != NULL) {
            lola_src_t *b;
            s = lola_step_bias(st, j, &b);
            for (size_t k = 0; k < n && s == VEIL_OK; k++)
                b[k].row = (int32_t)j; /* the same in every record */
        }
    }
    if (s == VEIL_OK)
        s = lola_step_finish(st, in);
    if (s != VEIL_OK)
        lola_step_clear(st);
    free(cols);
    return s;
}
