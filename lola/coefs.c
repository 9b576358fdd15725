/*
 * lola/coefs.c - the values a compiled step multiplies by, for one plaintext
 * prime: every source (matrix entry, 0 or 1) reduced mod t, plaintexts
 * batch-encoded and put in NTT form once (bfv_plaintext_to_ntt), biases
 * encoded for bfv_add_plain.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

void lola_coefs_clear(lola_coefs_t *c)
{
    if (c == NULL)
        return;
    if (c->plains != NULL)
        for (size_t i = 0; i < c->nplains; i++)
            bfv_plaintext_ntt_clear(&c->plains[i]);
    if (c->biases != NULL)
        for (size_t i = 0; i < c->nbiases; i++)
            bfv_plaintext_clear(&c->biases[i]);
    free(c->plains);
    free(c->biases);
    free(c->scalars);
    memset(c, 0, sizeof(*c));
}

/* The centred residue of a source mod t (t odd, < 2^50). */
static veil_status src_value(int64_t *v, const lola_src_t *src,
                             const lola_matrix_t *m, int64_t t)
{
    int64_t w;
    if (src->row == LOLA_SRC_ZERO) {
        *v = 0;
        return VEIL_OK;
    }
    if (src->row == LOLA_SRC_ONE) {
        *v = 1;
        return VEIL_OK;
    }
    if (m == NULL || m->w == NULL || src->row < 0 || src->col < 0 ||
        (size_t)src->row >= m->rows || (size_t)src->col >= m->cols)
        return VEIL_EINVAL;
    w = m->w[(size_t)src->row * m->cols + (size_t)src->col] % t;
    if (w > t / 2)
        w -= t;
    else if (w < -(t / 2))
        w += t;
    *v = w;
    return VEIL_OK;
}

static veil_status make_plain(bfv_plaintext_ntt_t *out, const lola_src_t *src,
                              const lola_matrix_t *m, const bfv_context_t *ctx,
                              int64_t *vals, bfv_plaintext_t *pt)
{
    const size_t n = ctx->n;
    const int64_t t = (int64_t)ctx->params.t;
    veil_status s = VEIL_OK;
    for (size_t k = 0; k < n && s == VEIL_OK; k++)
        s = src_value(&vals[k], &src[k], m, t);
    if (s == VEIL_OK)
        s = bfv_encode_batch_signed(pt, vals, n);
    if (s == VEIL_OK)
        s = bfv_plaintext_ntt_init(out, ctx);
    if (s == VEIL_OK)
        s = bfv_plaintext_to_ntt(out, pt);
    return s;
}

static veil_status make_bias(bfv_plaintext_t *out, const lola_src_t *src,
                             const lola_matrix_t *m, const bfv_context_t *ctx,
                             uint64_t *vals)
{
    const size_t n = ctx->n;
    const uint64_t t = ctx->params.t;
    for (size_t k = 0; k < n; k++) {
        const fmpz *b;
        vals[k] = 0;
        if (src[k].row == LOLA_SRC_ZERO)
            continue;
        if (m == NULL || src[k].row < 0 || (size_t)src[k].row >= m->rows)
            return VEIL_EINVAL;
        b = lola_matrix_bias(m, (size_t)src[k].row);
        if (b == NULL)
            return VEIL_EINVAL;
        vals[k] = fmpz_fdiv_ui(b, t);
    }
    veil_status s = bfv_plaintext_init(out, ctx);
    if (s == VEIL_OK)
        s = bfv_encode_batch(out, vals, n);
    return s;
}

veil_status lola_coefs_init(lola_coefs_t *c, const lola_step_t *st,
                            const lola_matrix_t *m, const bfv_context_t *ctx)
{
    int64_t *vals = NULL;
    bfv_plaintext_t pt;
    veil_status s = VEIL_OK;

    if (c == NULL)
        return VEIL_EINVAL;
    memset(c, 0, sizeof(*c));
    memset(&pt, 0, sizeof(pt));
    if (st == NULL || ctx == NULL || ctx->n != st->n ||
        (st->kind == LOLA_STEP_LINEAR && !ctx->batching))
        return VEIL_EINVAL;
    c->ctx = ctx;
    if (st->kind != LOLA_STEP_LINEAR)
        return VEIL_OK;
    c->scalars = calloc(st->nscalars + 1, sizeof(int64_t));
    c->plains = calloc(st->nplains + 1, sizeof(bfv_plaintext_ntt_t));
    c->biases = calloc(st->nbiases + 1, sizeof(bfv_plaintext_t));
    vals = malloc(ctx->n * sizeof(int64_t));
    if (c->scalars == NULL || c->plains == NULL || c->biases == NULL ||
        vals == NULL) {
        s = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < st->nscalars && s == VEIL_OK; i++)
        s = src_value(&c->scalars[i], &st->scalars[i], m,
                      (int64_t)ctx->params.t);
    c->nscalars = st->nscalars;
    if (s == VEIL_OK && st->nplains)
        s = bfv_plaintext_init(&pt, ctx);
    for (size_t i = 0; i < st->nplains && s == VEIL_OK; i++) {
        s = make_plain(&c->plains[i], st->plains + i * st->n, m, ctx, vals,
                       &pt);
        c->nplains = i + 1;
    }
    for (size_t i = 0; i < st->nbiases && s == VEIL_OK; i++) {
        s = make_bias(&c->biases[i], st->biases + i * st->n, m, ctx,
                      (uint64_t *)vals);
        c->nbiases = i + 1;
    }
done:
    bfv_plaintext_clear(&pt);
    free(vals);
    if (s != VEIL_OK)
        lola_coefs_clear(c);
    return s;
}
