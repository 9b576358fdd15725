/*
 * lola/kernel_reshape.c - the steps that change a representation without a
 * matrix (paper Table 1): combine several messages into one by rotations
 * and additions (optionally masking away their GARBAGE first: "interleave"),
 * stack a vector into copies, rotate one message many ways (hoisted), and
 * the square and relinearization steps.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

veil_status lola_kernel_combine(lola_step_t *st, const lola_layout_t *in,
                                const lola_rot_t *rots, int masked)
{
    const size_t n = in ? in->n : 0;
    uint8_t *cover = NULL;
    veil_status s;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (in == NULL || in->map == NULL || rots == NULL)
        return VEIL_EINVAL;
    for (size_t a = 0; a < in->nct; a++)
        if (rots[a] >= n)
            return VEIL_EINVAL;
    cover = calloc(n, 1);
    if (cover == NULL)
        return VEIL_ENOMEM;
    s = lola_step_begin(st, LOLA_STEP_LINEAR, masked ? "interleave" : "combine",
                        -1, n, in->nct, 1);
    if (s == VEIL_OK)
        s = lola_step_layout(
            st, in->rep == LOLA_INTERLEAVED ? LOLA_INTERLEAVED : LOLA_DENSE,
            in->len);
    /* how many inputs may be non-zero in each output slot */
    for (size_t a = 0; a < in->nct && s == VEIL_OK; a++) {
        const int32_t *map = in->map + a * n;
        uint32_t idx = 0;
        if (masked) {
            lola_src_t *p;
            s = lola_step_plain(st, &idx, &p);
            for (size_t u = 0; u < n && s == VEIL_OK; u++)
                if (map[u] >= 0)
                    p[u].row = LOLA_SRC_ONE;
        }
        if (s == VEIL_OK)
            s = lola_step_term(st, 0, (uint32_t)a, 0, rots[a],
                               masked ? LOLA_COEF_PLAIN : LOLA_COEF_ONE, idx);
        for (size_t k = 0; k < n && s == VEIL_OK; k++) {
            const int32_t e = map[lola_rot_source(n, rots[a], k)];
            if (e >= 0 || (!masked && e == LOLA_GARBAGE))
                cover[k]++;
        }
    }
    for (size_t a = 0; a < in->nct && s == VEIL_OK; a++)
        for (size_t k = 0; k < n; k++) {
            const int32_t e = in->map[a * n + lola_rot_source(n, rots[a], k)];
            if (e < 0)
                continue;
            if (cover[k] != 1) {
                s = VEIL_EINVAL; /* two messages meet in an element slot */
                break;
            }
            st->layout.map[k] = e;
        }
    if (s == VEIL_OK)
        s = lola_step_finish(st, in);
    if (s != VEIL_OK)
        lola_step_clear(st);
    free(cover);
    return s;
}

veil_status lola_kernel_stack(lola_step_t *st, const lola_layout_t *in,
                              size_t period)
{
    const size_t n = in ? in->n : 0;
    lola_rot_t fold[64];
    size_t nfold;
    veil_status s;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (in == NULL || in->map == NULL || in->nct != 1 || !lola_pow2(period) ||
        period > n / 2 || period < in->len)
        return VEIL_EINVAL;
    for (size_t k = period; k < n; k++)
        if (in->map[k] != LOLA_ZERO)
            return VEIL_EINVAL; /* something outside the first block */
    nfold = lola_fold_steps(fold, n, period, n / 2 / period, 1);
    s = lola_step_begin(st, LOLA_STEP_LINEAR, "stack", -1, n, 1, 1);
    if (s == VEIL_OK)
        s = lola_step_layout(st, LOLA_STACKED, in->len);
    if (s == VEIL_OK)
        s = lola_step_term(st, 0, 0, 0, 0, LOLA_COEF_ONE, 0);
    if (s == VEIL_OK)
        s = lola_step_fold(st, 0, fold, nfold);
    if (s == VEIL_OK) {
        for (size_t k = 0; k < n; k++)
            st->layout.map[k] = in->map[k % period] == LOLA_GARBAGE
                                    ? LOLA_UNSET
                                    : in->map[k % period];
        st->layout.period = period;
        s = lola_step_finish(st, in);
    }
    if (s != VEIL_OK)
        lola_step_clear(st);
    return s;
}

veil_status lola_kernel_rotations(lola_step_t *st, const lola_layout_t *in,
                                  const lola_rot_t *rots, size_t count)
{
    const size_t n = in ? in->n : 0;
    veil_status s;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (in == NULL || in->map == NULL || in->nct != 1 || rots == NULL ||
        count == 0)
        return VEIL_EINVAL;
    for (size_t o = 0; o < count; o++)
        if (rots[o] >= n)
            return VEIL_EINVAL;
    s = lola_step_begin(st, LOLA_STEP_LINEAR, "rotations", -1, n, 1, count);
    if (s == VEIL_OK)
        s = lola_step_layout(st, in->rep, in->len);
    for (size_t o = 0; o < count && s == VEIL_OK; o++) {
        s = lola_step_term(st, o, 0, rots[o], 0, LOLA_COEF_ONE, 0);
        for (size_t k = 0; k < n && s == VEIL_OK; k++) {
            const int32_t e = in->map[lola_rot_source(n, rots[o], k)];
            st->layout.map[o * n + k] = e == LOLA_GARBAGE ? LOLA_UNSET : e;
        }
    }
    if (s == VEIL_OK)
        s = lola_step_finish(st, in);
    if (s != VEIL_OK)
        lola_step_clear(st);
    return s;
}

static veil_status same_layout_step(lola_step_t *st, lola_step_kind_t kind,
                                    const char *name, const lola_layout_t *in,
                                    int32_t layer)
{
    veil_status s;
    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (in == NULL)
        return VEIL_EINVAL;
    s = lola_step_begin(st, kind, name, layer, in->n, in->nct, in->nct);
    if (s == VEIL_OK)
        s = lola_layout_copy(&st->layout, in);
    if (s != VEIL_OK) {
        lola_step_clear(st);
        return s;
    }
    return VEIL_OK;
}

veil_status lola_kernel_square(lola_step_t *st, const lola_layout_t *in,
                               int relin, int32_t layer)
{
    veil_status s = same_layout_step(st, LOLA_STEP_SQUARE, "square", in, layer);
    if (s == VEIL_OK) {
        st->relin = relin != 0;
        st->counts.square = in->nct;
        st->counts.relin = relin ? in->nct : 0;
    }
    return s;
}

veil_status lola_kernel_relin(lola_step_t *st, const lola_layout_t *in)
{
    veil_status s = same_layout_step(st, LOLA_STEP_RELIN, "relin", in, -1);
    if (s == VEIL_OK)
        st->counts.relin = in->nct;
    return s;
}
