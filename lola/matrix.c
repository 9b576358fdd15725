/*
 * lola/matrix.c - linear layers as matrices for the LoLa kernels: the
 * integer matrix of a quantized conv2d / dense / sum-pooling layer, and its
 * structure (which entries can be non-zero, the windows of a convolution).
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

size_t lola_matrix_window_size(const lola_matrix_t *m)
{
    return m->conv ? (size_t)m->in.c * m->k * m->k : 0;
}

int64_t lola_matrix_window(const lola_matrix_t *m, size_t row, size_t win)
{
    const size_t hw = (size_t)m->out.h * m->out.w, kk = (size_t)m->k * m->k;
    const size_t pos = row % hw, c = win / kk;
    const int64_t oy = (int64_t)(pos / m->out.w),
                  ox = (int64_t)(pos % m->out.w);
    const int64_t y = oy * m->stride + (int64_t)((win % kk) / m->k) - m->pad;
    const int64_t x = ox * m->stride + (int64_t)(win % m->k) - m->pad;

    if (!m->conv || row >= m->rows || win >= lola_matrix_window_size(m))
        return -1;
    if (y < 0 || y >= (int64_t)m->in.h || x < 0 || x >= (int64_t)m->in.w)
        return -1;
    return ((int64_t)c * m->in.h + y) * m->in.w + x;
}

size_t lola_matrix_row_cols(int64_t *cols, const lola_matrix_t *m, size_t row)
{
    size_t cnt = 0;
    if (!m->conv) {
        for (size_t c = 0; c < m->cols; c++)
            cols[cnt++] = (int64_t)c;
        return cnt;
    }
    for (size_t w = 0; w < lola_matrix_window_size(m); w++) {
        const int64_t c = lola_matrix_window(m, row, w);
        if (c >= 0)
            cols[cnt++] = c;
    }
    return cnt;
}

int lola_matrix_nz(const lola_matrix_t *m, size_t row, size_t col)
{
    const size_t hw = (size_t)m->out.h * m->out.w;
    int64_t dy, dx, y, x;
    if (row >= m->rows || col >= m->cols)
        return 0;
    if (!m->conv)
        return 1;
    y = (int64_t)((col / m->in.w) % m->in.h);
    x = (int64_t)(col % m->in.w);
    dy = y - (int64_t)((row % hw) / m->out.w) * m->stride + m->pad;
    dx = x - (int64_t)((row % hw) % m->out.w) * m->stride + m->pad;
    return dy >= 0 && dy < (int64_t)m->k && dx >= 0 && dx < (int64_t)m->k;
}

veil_status lola_matrix_from_layer(lola_matrix_t *m, int32_t **w,
                                   const nn_qlayer_t *l)
{
    size_t rows, cols;
    if (m == NULL || w == NULL || l == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    *w = NULL;
    rows = nn_shape_size(l->out);
    cols = nn_shape_size(l->in);
    m->rows = rows;
    m->cols = cols;
    m->in = l->in;
    m->out = l->out;
    switch (l->type) {
    case NN_LAYER_DENSE:
        *w = malloc(rows * cols * sizeof(int32_t));
        if (*w == NULL)
            return VEIL_ENOMEM;
        memcpy(*w, l->w, rows * cols * sizeof(int32_t));
        m->bias = l->b;
        break;
    case NN_LAYER_CONV2D:
    case NN_LAYER_AVGPOOL: {
        const size_t hw = (size_t)l->out.h * l->out.w;
        const size_t kk = (size_t)l->k * l->k;
        m->conv = 1;
        m->k = l->k;
        m->stride = l->stride;
        m->pad = l->type == NN_LAYER_CONV2D ? l->pad : 0;
        *w = calloc(rows * cols, sizeof(int32_t));
        if (*w == NULL)
            return VEIL_ENOMEM;
        for (size_t r = 0; r < rows; r++) {
            const size_t map = r / hw;
            for (size_t win = 0; win < lola_matrix_window_size(m); win++) {
                const int64_t c = lola_matrix_window(m, r, win);
                int32_t v;
                if (c < 0)
                    continue;
                if (l->type == NN_LAYER_CONV2D)
                    v = l->w[(map * l->in.c + win / kk) * kk + win % kk];
                else /* sum pooling: channel map only, weight 1 */
                    v = (win / kk == map);
                (*w)[r * cols + (size_t)c] = v;
            }
        }
        /* sum pooling is a convolution whose map c has weight 1 on input
         * channel c only (the structure still spans every channel) */
        m->bias = l->type == NN_LAYER_CONV2D ? l->b : NULL;
        break;
    }
    default:
        return VEIL_EUNSUPPORTED;
    }
    m->w = *w;
    return VEIL_OK;
}
