/*
 * lola/coefs.c - the values a compiled step multiplies by, for one plaintext
 * prime: every source (matrix entry, 0 or 1) reduced mod t, plaintexts
 * batch-encoded and put in NTT form once (bfv_plaintext_to_ntt), biases
 * encoded for bfv_add_plain.  A streamed step keeps no plaintext: each is
 * encoded when a term needs it (lola_coefs_plain) from the step's sources
 * and the matrix, whose convolution weights may stay compact
 * (lola_matrix_entry).
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

void lola_coefs_clear(lola_coefs_t *c)
{
    if (c == NULL)
        return;
    if (c->plains != NULL && !c->stream)
        for (size_t i = 0; i < c->nplains; i++)
            bfv_plaintext_ntt_clear(&c->plains[i]);
    if (c->biases != NULL)
        for (size_t i = 0; i < c->nbiases; i++)
            bfv_plaintext_clear(&c->biases[i]);
    free(c->plains);
    free(c->tab);
    free(c->biases);
    free(c->scalars);
    memset(c, 0, sizeof(*c));
}

int32_t lola_matrix_entry(const lola_matrix_t *m, size_t row, size_t col,
                          int *ok)
{
    size_t hw, map, pos, ch;
    int64_t ky, kx;
    *ok = 1;
    if (m->w != NULL)
        return m->w[row * m->cols + col];
    if (!m->conv || (m->kernel == NULL && !m->pool)) {
        *ok = 0;
        return 0;
    }
    hw = (size_t)m->out.h * m->out.w;
    map = row / hw;
    pos = row % hw;
    ch = col / ((size_t)m->in.h * m->in.w);
    ky = (int64_t)((col / m->in.w) % m->in.h) -
         (int64_t)(pos / m->out.w) * m->stride + m->pad;
    kx = (int64_t)(col % m->in.w) - (int64_t)(pos % m->out.w) * m->stride +
         m->pad;
    if (ky < 0 || ky >= (int64_t)m->k || kx < 0 || kx >= (int64_t)m->k)
        return 0;
    if (m->pool)
        return ch == map;
    return m->kernel[((map * m->in.c + ch) * m->k + (size_t)ky) * m->k +
                     (size_t)kx];
}

/* The centred residue of a source mod t (t odd, < 2^50). */
static veil_status src_value(int64_t *v, const lola_src_t *src,
                             const lola_matrix_t *m, int64_t t)
{
    int64_t w;
    int ok;
    if (src->row == LOLA_SRC_ZERO) {
        *v = 0;
        return VEIL_OK;
    }
    if (src->row == LOLA_SRC_ONE) {
        *v = 1;
        return VEIL_OK;
    }
    if (m == NULL || src->row < 0 || src->col < 0 ||
        (size_t)src->row >= m->rows || (size_t)src->col >= m->cols)
        return VEIL_EINVAL;
    w = lola_matrix_entry(m, (size_t)src->row, (size_t)src->col, &ok) % t;
    if (!ok)
        return VEIL_EINVAL;
    if (w > t / 2)
        w -= t;
    else if (w < -(t / 2))
        w += t;
    *v = w;
    return VEIL_OK;
}

/* The row and column tables of a compact convolution (lola_coefs_t.tab). */
static int32_t *make_tab(const lola_matrix_t *m)
{
    const size_t hw = (size_t)m->out.h * m->out.w,
                 ihw = (size_t)m->in.h * m->in.w;
    int32_t *tab;
    if (m->rows > INT32_MAX || m->cols > INT32_MAX)
        return NULL;
    tab = malloc(3 * (m->rows + m->cols) * sizeof(int32_t));
    if (tab == NULL)
        return NULL;
    for (size_t r = 0; r < m->rows; r++) {
        const size_t pos = r % hw;
        tab[3 * r] = (int32_t)(r / hw);
        tab[3 * r + 1] = (int32_t)((pos / m->out.w) * m->stride) - m->pad;
        tab[3 * r + 2] = (int32_t)((pos % m->out.w) * m->stride) - m->pad;
    }
    for (size_t c = 0; c < m->cols; c++) {
        int32_t *e = tab + 3 * (m->rows + c);
        e[0] = (int32_t)(c / ihw);
        e[1] = (int32_t)((c / m->in.w) % m->in.h);
        e[2] = (int32_t)(c % m->in.w);
    }
    return tab;
}

/* The streamed values of plaintext src (n sources) of c: centred residues
 * mod t into vals, the entries of a compact convolution from c->tab. */
static veil_status stream_values(int64_t *vals, const lola_src_t *src,
                                 const lola_coefs_t *c)
{
    const lola_matrix_t *m = c->m;
    const size_t n = c->ctx->n;
    const int64_t t = (int64_t)c->ctx->params.t;
    const int32_t *rt = c->tab, *ct = c->tab ? c->tab + 3 * m->rows : NULL;
    for (size_t k = 0; k < n; k++) {
        const lola_src_t *sk = &src[k];
        const int32_t *re, *ce;
        int32_t ky, kx;
        int64_t w;
        if (sk->row < 0 || rt == NULL) {
            veil_status s = src_value(&vals[k], sk, m, t);
            if (s != VEIL_OK)
                return s;
            continue;
        }
        if ((size_t)sk->row >= m->rows || sk->col < 0 ||
            (size_t)sk->col >= m->cols)
            return VEIL_EINVAL;
        re = rt + 3 * (size_t)sk->row;
        ce = ct + 3 * (size_t)sk->col;
        ky = ce[1] - re[1];
        kx = ce[2] - re[2];
        if (ky < 0 || ky >= (int32_t)m->k || kx < 0 || kx >= (int32_t)m->k)
            w = 0;
        else if (m->pool)
            w = ce[0] == re[0];
        else
            w = m->kernel[(((size_t)re[0] * m->in.c + (size_t)ce[0]) * m->k +
                           (size_t)ky) *
                              m->k +
                          (size_t)kx];
        if (w > t / 2 || w < -(t / 2)) {
            w %= t;
            if (w > t / 2)
                w -= t;
            else if (w < -(t / 2))
                w += t;
        }
        vals[k] = w;
    }
    return VEIL_OK;
}

/* Plaintext `src` (n sources) batch-encoded into *pt and put in NTT form in
 * *out (both initialised for ctx). */
static veil_status encode_plain(bfv_plaintext_ntt_t *out, const lola_src_t *src,
                                const lola_matrix_t *m,
                                const bfv_context_t *ctx, int64_t *vals,
                                bfv_plaintext_t *pt)
{
    const size_t n = ctx->n;
    const int64_t t = (int64_t)ctx->params.t;
    veil_status s = VEIL_OK;
    for (size_t k = 0; k < n && s == VEIL_OK; k++)
        s = src_value(&vals[k], &src[k], m, t);
    if (s == VEIL_OK)
        s = bfv_encode_batch_signed(pt, vals, n);
    if (s == VEIL_OK)
        s = bfv_plaintext_to_ntt(out, pt);
    return s;
}

static veil_status make_plain(bfv_plaintext_ntt_t *out, const lola_src_t *src,
                              const lola_matrix_t *m, const bfv_context_t *ctx,
                              int64_t *vals, bfv_plaintext_t *pt)
{
    veil_status s = bfv_plaintext_ntt_init(out, ctx);
    if (s == VEIL_OK)
        s = encode_plain(out, src, m, ctx, vals, pt);
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

static veil_status coefs_init(lola_coefs_t *c, const lola_step_t *st,
                              const lola_matrix_t *m, const bfv_context_t *ctx,
                              int stream)
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
    c->plains =
        stream ? NULL : calloc(st->nplains + 1, sizeof(bfv_plaintext_ntt_t));
    c->biases = calloc(st->nbiases + 1, sizeof(bfv_plaintext_t));
    vals = malloc(ctx->n * sizeof(int64_t));
    if (c->scalars == NULL || (c->plains == NULL && !stream) ||
        c->biases == NULL || vals == NULL) {
        s = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < st->nscalars && s == VEIL_OK; i++)
        s = src_value(&c->scalars[i], &st->scalars[i], m,
                      (int64_t)ctx->params.t);
    c->nscalars = st->nscalars;
    if (stream) { /* plaintexts made by lola_coefs_plain */
        c->stream = 1;
        c->st = st;
        c->m = m;
        c->nplains = st->nplains;
        if (m != NULL && m->w == NULL && m->conv && st->nplains > 0 &&
            (c->tab = make_tab(m)) == NULL)
            s = VEIL_ENOMEM;
    }
    if (s == VEIL_OK && st->nplains && !stream)
        s = bfv_plaintext_init(&pt, ctx);
    for (size_t i = 0; i < st->nplains && s == VEIL_OK && !stream; i++) {
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

veil_status lola_coefs_init(lola_coefs_t *c, const lola_step_t *st,
                            const lola_matrix_t *m, const bfv_context_t *ctx)
{
    return coefs_init(c, st, m, ctx, 0);
}

veil_status lola_coefs_init_stream(lola_coefs_t *c, const lola_step_t *st,
                                   const lola_matrix_t *m,
                                   const bfv_context_t *ctx)
{
    return coefs_init(c, st, m, ctx, 1);
}

veil_status lola_plainbuf_init(lola_plainbuf_t *b, const bfv_context_t *ctx)
{
    veil_status s;
    if (b == NULL)
        return VEIL_EINVAL;
    memset(b, 0, sizeof(*b));
    if (ctx == NULL)
        return VEIL_EINVAL;
    b->vals = malloc(ctx->n * sizeof(int64_t));
    s = b->vals == NULL ? VEIL_ENOMEM : bfv_plaintext_init(&b->pt, ctx);
    if (s == VEIL_OK)
        s = bfv_plaintext_ntt_init(&b->ntt, ctx);
    if (s != VEIL_OK)
        lola_plainbuf_clear(b);
    return s;
}

void lola_plainbuf_clear(lola_plainbuf_t *b)
{
    if (b == NULL)
        return;
    bfv_plaintext_clear(&b->pt);
    bfv_plaintext_ntt_clear(&b->ntt);
    free(b->vals);
    memset(b, 0, sizeof(*b));
}

veil_status lola_coefs_plain(const bfv_plaintext_ntt_t **out,
                             const lola_coefs_t *c, uint32_t idx,
                             lola_plainbuf_t *b)
{
    veil_status s;
    if (out == NULL || c == NULL || idx >= c->nplains)
        return VEIL_EINVAL;
    if (!c->stream) {
        *out = &c->plains[idx];
        return VEIL_OK;
    }
    if (b == NULL || b->ntt.ctx != c->ctx || b->pt.ctx != c->ctx ||
        c->st == NULL || c->st->n != c->ctx->n)
        return VEIL_EINVAL;
    s = stream_values(b->vals, c->st->plains + (size_t)idx * c->st->n, c);
    if (s == VEIL_OK)
        s = bfv_encode_batch_signed(&b->pt, b->vals, c->ctx->n);
    if (s == VEIL_OK)
        s = bfv_plaintext_to_ntt(&b->ntt, &b->pt);
    *out = s == VEIL_OK ? &b->ntt : NULL;
    return s;
}
