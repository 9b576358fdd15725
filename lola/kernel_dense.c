/*
 * lola/kernel_dense.c - dense (or interleaved) vector x row-major (paper
 * section 4.2.2): one dot product per row of W, each a mul_plain by the row
 * laid out like the input vector and a rotate-and-add over the slots it covers.
 * The result is sparse: output j holds W_j . v (in every slot with `full`,
 * else in the first slot of the window it summed).
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

veil_status lola_kernel_dense_row(lola_step_t *st, const lola_matrix_t *m,
                                  const lola_layout_t *in, int full)
{
    const size_t n = in ? in->n : 0, h = n / 2;
    size_t *copy = NULL, start = 0, span, nfold, nval = 0;
    int64_t *cols = NULL;
    uint8_t *used = NULL;
    lola_rot_t fold[64];
    size_t valid[2];
    int rows_used[2] = {0, 0};
    veil_status s = VEIL_EINVAL;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (m == NULL || in == NULL || in->map == NULL || in->nct != 1 ||
        in->len != m->cols)
        return VEIL_EINVAL;
    copy = malloc(m->cols * sizeof(size_t));
    cols = malloc(m->cols * sizeof(int64_t));
    used = calloc(h, 1);
    if (copy == NULL || cols == NULL || used == NULL) {
        s = VEIL_ENOMEM;
        goto done;
    }
    /* the first copy of every element carries its weights */
    for (size_t c = 0; c < m->cols; c++)
        copy[c] = SIZE_MAX;
    for (size_t u = n; u-- > 0;)
        if (in->map[u] >= 0)
            copy[in->map[u]] = u;
    for (size_t c = 0; c < m->cols; c++) {
        if (copy[c] == SIZE_MAX)
            goto done; /* element missing: not a representation of v */
        used[lola_col(n, copy[c])] = 1;
        rows_used[lola_row(n, copy[c])] = 1;
    }
    if (full) {
        span = h;
        valid[nval++] = SIZE_MAX; /* every slot */
    } else {
        span = lola_block_window(&start, used, h);
        if (rows_used[0])
            valid[nval++] = lola_slot(n, 0, start);
        if (rows_used[1])
            valid[nval++] = lola_slot(n, 1, start);
    }
    nfold = lola_fold_steps(fold, n, 1, span,
                            full || (rows_used[0] && rows_used[1]));

    s = lola_step_begin(st, LOLA_STEP_LINEAR, "dense-row", -1, n, 1, m->rows);
    if (s == VEIL_OK)
        s = lola_step_layout(st, full ? LOLA_SPARSE : LOLA_INTERLEAVED,
                             m->rows);
    for (size_t j = 0; j < m->rows && s == VEIL_OK; j++) {
        lola_src_t *p, *b = NULL;
        int32_t *map = st->layout.map + j * n;
        uint32_t idx;
        const size_t nc = lola_matrix_row_cols(cols, m, j);
        s = lola_step_plain(st, &idx, &p);
        if (s != VEIL_OK)
            break;
        for (size_t i = 0; i < nc; i++) {
            p[copy[cols[i]]].row = (int32_t)j;
            p[copy[cols[i]]].col = (int32_t)cols[i];
        }
        s = lola_step_term(st, j, 0, 0, 0, LOLA_COEF_PLAIN, idx);
        if (s == VEIL_OK)
            s = lola_step_fold(st, j, fold, nfold);
        if (s == VEIL_OK && m->bias != NULL)
            s = lola_step_bias(st, j, &b);
        if (s != VEIL_OK)
            break;
        /* valid slots: with full, all of them (rows of a sum over both
         * rows); else the window start, in each row that was used (the
         * swap, if any, brought both rows' sums to both) */
        for (size_t v = 0; v < nval; v++) {
            const size_t lo = valid[v] == SIZE_MAX ? 0 : valid[v];
            const size_t hi = valid[v] == SIZE_MAX ? n : valid[v] + 1;
            for (size_t k = lo; k < hi; k++) {
                map[k] = (int32_t)j;
                if (b != NULL)
                    b[k].row = (int32_t)j;
            }
        }
    }
    if (s == VEIL_OK)
        s = lola_step_finish(st, in);
    if (s != VEIL_OK)
        lola_step_clear(st);
done:
    free(copy);
    free(cols);
    free(used);
    return s;
}
