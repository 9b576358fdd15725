/*
 * lola/kernel_stacked.c - stacked vector x row-major (paper section 4.2.2).
 * The input holds c copies of v, one per block of p slots (p a power of two
 * >= len).  One round multiplies by c rows of W, row j in the block of copy
 * j, and sums every block with log2(p) rotations: ceil(r / c) rounds give
 * the product in the interleaved representation (row j of round q in the
 * first slot of block j; the other slots hold partial sums: GARBAGE).
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

veil_status lola_kernel_stacked_row(lola_step_t *st, const lola_matrix_t *m,
                                    const lola_layout_t *in)
{
    const size_t n = in ? in->n : 0;
    size_t p, nblocks, c = 0, rounds, nfold;
    size_t *blocks = NULL;
    int64_t *cols = NULL;
    lola_rot_t fold[64];
    veil_status s = VEIL_EINVAL;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (m == NULL || in == NULL || in->map == NULL || in->nct != 1 ||
        in->len != m->cols || !lola_pow2(in->period) || in->period < m->cols ||
        in->period > n / 2)
        return VEIL_EINVAL;
    p = in->period;
    nblocks = n / p;
    blocks = malloc(nblocks * sizeof(size_t));
    cols = malloc(m->cols * sizeof(int64_t));
    if (blocks == NULL || cols == NULL) {
        s = VEIL_ENOMEM;
        goto done;
    }
    /* the blocks holding a complete copy of v at offsets 0..len-1 */
    for (size_t b = 0; b < nblocks; b++) {
        size_t e = 0;
        while (e < m->cols && in->map[b * p + e] == (int32_t)e)
            e++;
        if (e == m->cols)
            blocks[c++] = b;
    }
    if (c == 0)
        goto done;
    rounds = (m->rows + c - 1) / c;
    nfold = lola_fold_steps(fold, n, 1, p, 0);

    s = lola_step_begin(st, LOLA_STEP_LINEAR, "stacked-row", -1, n, 1, rounds);
    if (s == VEIL_OK)
        s = lola_step_layout(st, LOLA_INTERLEAVED, m->rows);
    for (size_t q = 0; q < rounds && s == VEIL_OK; q++) {
        lola_src_t *pl, *bias = NULL;
        uint32_t idx;
        s = lola_step_plain(st, &idx, &pl);
        if (s == VEIL_OK)
            s = lola_step_term(st, q, 0, 0, 0, LOLA_COEF_PLAIN, idx);
        if (s == VEIL_OK)
            s = lola_step_fold(st, q, fold, nfold);
        if (s == VEIL_OK && m->bias != NULL)
            s = lola_step_bias(st, q, &bias);
        for (size_t j = 0; j < c && s == VEIL_OK; j++) {
            const size_t row = q * c + j, base = blocks[j] * p;
            if (row >= m->rows)
                break;
            const size_t nc = lola_matrix_row_cols(cols, m, row);
            for (size_t i = 0; i < nc; i++) {
                pl[base + (size_t)cols[i]].row = (int32_t)row;
                pl[base + (size_t)cols[i]].col = (int32_t)cols[i];
            }
            st->layout.map[q * n + base] = (int32_t)row;
            if (bias != NULL)
                bias[base].row = (int32_t)row;
        }
    }
    if (s == VEIL_OK)
        s = lola_step_finish(st, in);
    if (s != VEIL_OK)
        lola_step_clear(st);
done:
    free(blocks);
    free(cols);
    return s;
}
