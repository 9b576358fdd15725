/*
 * lola/program.c - compiling a network (a spec: layer structure + kernel
 * choices) into LoLa steps, and the kernel strings that name the choices.
 *
 * The compiler walks the layers keeping the representation of the current
 * vector.  For each linear layer it takes the chosen kernel, first changing
 * the representation into what that kernel needs:
 *
 *   kernel        needs                        after it
 *   conv-plain    (first layer) CONV input     whatever the next kernel
 *                 placing (map, position)      wants (chosen here)
 *   conv-scalar   (first layer) CONV input     one message per map ->
 *                 placing positions            "combine" -> DENSE
 *   diag          one message, any layout      STACKED with a copy per row
 *                 (CHUNKED is cheapest)        of a stacked kernel next, or
 *                                              one copy
 *   stacked       STACKED, period >= cols      rounds -> "interleave"
 *                 ("stack" makes it from a     (masked combine) when the
 *                 vector in [0, period))       next kernel needs one message
 *   dense-row     one message, any layout      one message per row (all
 *                                              slots if sparse-col follows)
 *   sparse-col    SPARSE (from dense-row)      any layout
 *   simd          SIMD                         SIMD
 *
 * and several messages are gathered into one by a masked combine when a
 * kernel needs one.  Squares keep the representation; the conversions are
 * placed right before the kernel that needs them (after the square), as in
 * Table 1 of the paper.
 *
 * Input representations per variant: CONV ("lola") sends the convolution
 * representation of the first layer (no rotation on the server); DENSE
 * ("lola-dense") sends the image in a zero-padded frame (one copy per map
 * region for conv-plain) and the server makes the convolution
 * representation with one hoisted rotation per window offset; SIMD
 * ("cryptonets") sends one message per pixel.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- kernel strings */

static const struct {
    const char *name;
    lola_kind_t kind;
} knames[] = {
    {"conv-plain", LOLA_K_CONV_PLAIN},
    {"conv-scalar", LOLA_K_CONV_SCALAR},
    {"diag", LOLA_K_DIAG},
    {"stacked", LOLA_K_STACKED},
    {"dense-row", LOLA_K_DENSE_ROW},
    {"interleaved", LOLA_K_DENSE_ROW},
    {"sparse-col", LOLA_K_SPARSE_COL},
    {"simd", LOLA_K_SIMD},
};
#define NKNAMES (sizeof(knames) / sizeof(knames[0]))

static int parse_size(size_t *out, const char *s, size_t len)
{
    size_t v = 0;
    if (len == 0 || len > 6)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

veil_status lola_kernels_parse(lola_kchoice_t *k, size_t *count, size_t max,
                               const char *s)
{
    *count = 0;
    if (s == NULL)
        return VEIL_EINVAL;
    if (strcmp(s, "paper") == 0) /* Table 1 of the paper */
        s = "conv-scalar,stacked,interleaved";
    while (*s != '\0') {
        const char *end = strchr(s, ','), *colon;
        size_t len = end ? (size_t)(end - s) : strlen(s), nlen, i;
        if (*count == max || len == 0)
            return VEIL_EINVAL;
        colon = memchr(s, ':', len);
        nlen = colon ? (size_t)(colon - s) : len;
        for (i = 0; i < NKNAMES; i++)
            if (strlen(knames[i].name) == nlen &&
                memcmp(knames[i].name, s, nlen) == 0)
                break;
        if (i == NKNAMES)
            return VEIL_EINVAL;
        k[*count].kind = knames[i].kind;
        k[*count].block = 0;
        k[*count].chunk = 0;
        if (colon != NULL) {
            const char *opt = colon + 1, *c2;
            size_t olen = len - nlen - 1;
            if (knames[i].kind != LOLA_K_DIAG)
                return VEIL_EINVAL;
            c2 = memchr(opt, ':', olen);
            if (parse_size(&k[*count].block, opt,
                           c2 ? (size_t)(c2 - opt) : olen) ||
                !lola_pow2(k[*count].block))
                return VEIL_EINVAL;
            if (c2 != NULL && (parse_size(&k[*count].chunk, c2 + 1,
                                          olen - (size_t)(c2 - opt) - 1) ||
                               !lola_pow2(k[*count].chunk)))
                return VEIL_EINVAL;
        }
        (*count)++;
        s += len;
        if (*s == ',' && *++s == '\0')
            return VEIL_EINVAL;
    }
    return *count ? VEIL_OK : VEIL_EINVAL;
}

size_t lola_kernels_format(char *buf, size_t len, const lola_kchoice_t *k,
                           size_t count)
{
    size_t used = 0;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        const char *name = "?";
        char opt[48] = "";
        for (size_t j = 0; j < NKNAMES; j++)
            if (knames[j].kind == k[i].kind) {
                name = knames[j].name;
                break;
            }
        if (k[i].kind == LOLA_K_DIAG && k[i].block && k[i].chunk)
            snprintf(opt, sizeof(opt), ":%zu:%zu", k[i].block, k[i].chunk);
        else if (k[i].kind == LOLA_K_DIAG && k[i].block)
            snprintf(opt, sizeof(opt), ":%zu", k[i].block);
        int w = snprintf(len > used ? buf + used : NULL,
                         len > used ? len - used : 0, "%s%s%s", i ? "," : "",
                         name, opt);
        used += (size_t)w;
    }
    return used;
}

/* ------------------------------------------------------------- matrices */

int lola_layer_linear(nn_layer_type_t t)
{
    return t == NN_LAYER_CONV2D || t == NN_LAYER_DENSE || t == NN_LAYER_AVGPOOL;
}

/* Stands for "this layer has a bias" in structure-only matrices; never
 * read (the server's matrices carry the model's biases). */
static const fmpz bias_present[1] = {0};

void lola_matrix_shape(lola_matrix_t *m, const lola_spec_t *spec, size_t i)
{
    const nn_layer_type_t t = spec->layers[i].type;
    memset(m, 0, sizeof(*m));
    m->in = spec->layers[i].in;
    m->out = spec->layers[i].out;
    m->rows = nn_shape_size(m->out);
    m->cols = nn_shape_size(m->in);
    m->conv = t != NN_LAYER_DENSE;
    m->k = spec->layers[i].k;
    m->stride = spec->layers[i].stride;
    m->pad = t == NN_LAYER_CONV2D ? spec->layers[i].pad : 0;
    m->bias = t == NN_LAYER_AVGPOOL ? NULL : bias_present;
}

/* ------------------------------------------------------------- building */

typedef struct {
    lola_prog_t *p;
    size_t n;
    size_t cap;
} builder_t;

/* Append st (moved) to the program. */
static veil_status push(builder_t *b, lola_step_t *st)
{
    if (b->p->nsteps == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        lola_step_t *s = realloc(b->p->steps, cap * sizeof(*s));
        if (s == NULL) {
            lola_step_clear(st);
            return VEIL_ENOMEM;
        }
        b->p->steps = s;
        b->cap = cap;
    }
    b->p->steps[b->p->nsteps++] = *st;
    memset(st, 0, sizeof(*st));
    return VEIL_OK;
}

static const lola_layout_t *current(const builder_t *b)
{
    return b->p->nsteps ? &b->p->steps[b->p->nsteps - 1].layout : &b->p->input;
}

static size_t next_pow2(size_t x)
{
    size_t p = 1;
    while (p < x)
        p *= 2;
    return p;
}

/* The diag kernel's block and (for a chunked input) chunk. */
static void diag_params(size_t *block, size_t *chunk, const lola_kchoice_t *k,
                        const lola_matrix_t *m, size_t n)
{
    *block = k->block ? k->block : next_pow2(m->rows);
    *chunk = k->chunk;
    if (*chunk == 0) {
        *chunk = 1;
        while (*chunk < *block && (m->cols + *chunk - 1) / *chunk > n / *block)
            *chunk *= 2;
    }
}

/* The representation a kernel would like its input in, when the producer
 * can place the vector anywhere (one message). */
static veil_status preferred(lola_layout_t *l, const lola_kchoice_t *k,
                             const lola_matrix_t *m, size_t n)
{
    size_t block, chunk;
    switch (k ? k->kind : LOLA_K_DENSE_ROW) {
    case LOLA_K_DIAG:
        diag_params(&block, &chunk, k, m, n);
        return lola_layout_chunked(l, n, m->cols, block, chunk);
    case LOLA_K_STACKED: {
        const size_t p = next_pow2(m->cols);
        if (p > n / 2)
            return VEIL_EINVAL;
        return lola_layout_stacked(l, n, m->cols, p, n / p);
    }
    default:
        return lola_layout_dense(l, n, m->cols, 0);
    }
}

/* Several messages -> one, by a masked combine moving message a by a
 * slots (Table 1's "combine ... rotations and additions"). */
static veil_status gather(builder_t *b)
{
    const lola_layout_t *cur = current(b);
    lola_step_t st;
    lola_rot_t *rots;
    veil_status s;
    if (cur->nct == 1)
        return VEIL_OK;
    if (cur->map == NULL || cur->nct > b->n / 2)
        return VEIL_EINVAL;
    rots = malloc(cur->nct * sizeof(*rots));
    if (rots == NULL)
        return VEIL_ENOMEM;
    for (size_t a = 0; a < cur->nct; a++)
        rots[a] = lola_rot(b->n, -(int64_t)a, 0);
    s = lola_kernel_combine(&st, cur, rots, 1);
    free(rots);
    return s == VEIL_OK ? push(b, &st) : s;
}

/* Make the current vector STACKED with a period >= cols. */
static veil_status to_stacked(builder_t *b, size_t cols)
{
    const lola_layout_t *cur;
    lola_step_t st;
    veil_status s = gather(b);
    if (s != VEIL_OK)
        return s;
    cur = current(b);
    if (cur->rep == LOLA_STACKED && cur->period >= cols)
        return VEIL_OK;
    s = lola_kernel_stack(&st, cur, next_pow2(cols));
    return s == VEIL_OK ? push(b, &st) : s;
}

/* -------------------------------------------------- the first layer */

/* Frame geometry of the DENSE variant: the image zero-padded by `pad` on
 * every side, channels one after the other, in regions of R slots. */
typedef struct {
    size_t fw, fh, region;
} frame_t;

static void frame_of(frame_t *f, const lola_matrix_t *m)
{
    f->fw = m->in.w + 2 * (size_t)m->pad;
    f->fh = m->in.h + 2 * (size_t)m->pad;
    f->region = next_pow2((size_t)m->in.c * f->fh * f->fw);
}

/* Slot of region r (row-major over both rows). */
static size_t region_base(const frame_t *f, size_t r)
{
    return r * f->region;
}

/* The rotation moving region 0 to region r (within the rows, plus the
 * row swap when region r lies in row 1). */
static lola_rot_t region_rot(size_t n, const frame_t *f, size_t r)
{
    const size_t base = region_base(f, r);
    return lola_rot(n, -(int64_t)(base % (n / 2)), base >= n / 2);
}

/* The DENSE variant's input and the rotations making the convolution
 * representation; maps regions (plain) or one (scalar). */
static veil_status dense_input(builder_t *b, const lola_matrix_t *m, int scalar)
{
    const size_t n = b->n, win = lola_matrix_window_size(m);
    const size_t regions = scalar ? 1 : m->out.c;
    const size_t hw = (size_t)m->out.h * m->out.w;
    lola_layout_t *in = &b->p->input, tg, conv;
    lola_rot_t *rots = NULL;
    lola_step_t st;
    frame_t f;
    veil_status s;

    frame_of(&f, m);
    if (f.region > n / 2 || regions * f.region > n)
        return VEIL_EINVAL;
    s = lola_layout_init(in, LOLA_DENSE, n, 1, m->cols);
    if (s != VEIL_OK)
        return s;
    for (size_t r = 0; r < regions; r++)
        for (size_t c = 0; c < m->in.c; c++)
            for (size_t y = 0; y < m->in.h; y++)
                for (size_t x = 0; x < m->in.w; x++)
                    in->map[region_base(&f, r) +
                            (c * f.fh + y + m->pad) * f.fw + x + m->pad] =
                        (int32_t)((c * m->in.h + y) * m->in.w + x);
    /* window offset j = (c, ky, kx) reads frame offset c fh fw + ky fw + kx
     * from the top-left corner of the window */
    rots = malloc(win * sizeof(*rots));
    if (rots == NULL)
        return VEIL_ENOMEM;
    for (size_t j = 0; j < win; j++) {
        const size_t c = j / ((size_t)m->k * m->k), ky = (j / m->k) % m->k,
                     kx = j % m->k;
        rots[j] = lola_rot(n, (int64_t)((c * f.fh + ky) * f.fw + kx), 0);
    }
    s = lola_kernel_rotations(&st, in, rots, win);
    free(rots);
    if (s != VEIL_OK)
        return s;
    /* the outputs' slots: window corners, in each region */
    s = lola_layout_init(&tg, LOLA_INTERLEAVED, n, 1, scalar ? hw : m->rows);
    for (size_t r = 0; r < regions && s == VEIL_OK; r++)
        for (size_t p = 0; p < hw; p++) {
            const size_t oy = p / m->out.w, ox = p % m->out.w;
            tg.map[region_base(&f, r) + oy * m->stride * f.fw +
                   ox * m->stride] = (int32_t)(r * hw + p);
        }
    if (s == VEIL_OK)
        s = lola_layout_conv(&conv, m, &tg, scalar);
    lola_layout_clear(&tg);
    /* the rotated frames must be that representation at every output slot;
     * elsewhere they hold other pixels: GARBAGE */
    for (size_t j = 0; j < win && s == VEIL_OK; j++)
        for (size_t k = 0; k < n; k++) {
            const int32_t got = st.layout.map[j * n + k];
            if (conv.target[k] >= 0) {
                if (got != conv.map[j * n + k])
                    s = VEIL_EINVAL;
            } else if (got != LOLA_ZERO) {
                conv.map[j * n + k] = LOLA_GARBAGE;
            }
        }
    if (s == VEIL_OK) {
        lola_layout_clear(&st.layout);
        st.layout = conv;
        return push(b, &st);
    }
    lola_layout_clear(&conv);
    lola_step_clear(&st);
    return s;
}

/* conv-scalar before diag: each map's positions CHUNKED in `blocks` blocks
 * of the diag's block size, the maps side by side (per_row in a row, at
 * most two rows), so that the combined vector is CHUNKED too and the diag
 * kernel needs only `chunk` offsets. */
typedef struct {
    size_t block, chunk, blocks, per_row;
} maps_block_t;

static int maps_chunk(maps_block_t *mb, const lola_matrix_t *m,
                      const lola_kchoice_t *knext, const lola_matrix_t *mnext,
                      size_t n)
{
    const size_t hw = (size_t)m->out.h * m->out.w;
    size_t block, chunk;
    if (knext == NULL || knext->kind != LOLA_K_DIAG)
        return 0;
    diag_params(&block, &chunk, knext, mnext, n);
    for (chunk = 1; chunk <= block; chunk *= 2) {
        const size_t blocks = (hw + chunk - 1) / chunk;
        const size_t per_row = blocks ? n / 2 / block / blocks : 0;
        if (per_row > 0 && (m->out.c + per_row - 1) / per_row <= 2) {
            mb->block = block;
            mb->chunk = chunk;
            mb->blocks = blocks;
            mb->per_row = per_row;
            return 1;
        }
    }
    return 0;
}

static veil_status first_layer(builder_t *b, const lola_spec_t *spec, size_t i,
                               const lola_matrix_t *m, const lola_kchoice_t *k,
                               const lola_kchoice_t *knext,
                               const lola_matrix_t *mnext)
{
    const size_t n = b->n, hw = (size_t)m->out.h * m->out.w;
    const int scalar = k->kind == LOLA_K_CONV_SCALAR;
    maps_block_t mb = {0, 0, 0, 0};
    lola_step_t st;
    lola_layout_t tg;
    veil_status s;

    if (!m->conv || (k->kind != LOLA_K_CONV_PLAIN && !scalar))
        return VEIL_EINVAL;
    if (spec->variant == LOLA_VARIANT_DENSE) {
        s = dense_input(b, m, scalar);
    } else {
        if (scalar && maps_chunk(&mb, m, knext, mnext, n))
            s = lola_layout_chunked(&tg, n, hw, mb.block, mb.chunk);
        else if (scalar)
            s = lola_layout_dense(&tg, n, hw, 0);
        else if (mnext != NULL)
            s = preferred(&tg, knext, mnext, n);
        else
            s = lola_layout_dense(&tg, n, m->rows, 0);
        if (s == VEIL_OK)
            s = lola_layout_conv(&b->p->input, m, &tg, scalar);
        lola_layout_clear(&tg);
    }
    if (s == VEIL_OK)
        s = lola_kernel_conv_row(&st, m, current(b), scalar);
    if (s != VEIL_OK)
        return s;
    st.layer = (int32_t)i;
    s = push(b, &st);
    if (s != VEIL_OK || !scalar)
        return s;
    /* one message per map: place map c after the others */
    {
        lola_rot_t *rots = malloc(m->out.c * sizeof(*rots));
        frame_t f;
        if (rots == NULL)
            return VEIL_ENOMEM;
        frame_of(&f, m);
        for (size_t c = 0; c < m->out.c; c++)
            rots[c] = spec->variant == LOLA_VARIANT_DENSE ? region_rot(n, &f, c)
                      : mb.block                          ? lola_rot(n,
                                                                     -(int64_t)((c % mb.per_row) *
                                                       mb.blocks * mb.block),
                                                                     (int)(c / mb.per_row))
                                 : lola_rot(n, -(int64_t)(c * hw), 0);
        if (spec->variant != LOLA_VARIANT_DENSE && !mb.block && m->rows > n / 2)
            s = VEIL_EINVAL;
        if (spec->variant == LOLA_VARIANT_DENSE && m->out.c * f.region > n)
            s = VEIL_EINVAL;
        /* without masks when the maps' other slots do not meet (the
         * rotated frames of LoLa-Dense spill into neighbouring regions) */
        if (s == VEIL_OK)
            s = lola_kernel_combine(&st, current(b), rots, 0);
        if (s == VEIL_EINVAL && spec->variant == LOLA_VARIANT_DENSE)
            s = lola_kernel_combine(&st, current(b), rots, 1);
        free(rots);
        return s == VEIL_OK ? push(b, &st) : s;
    }
}

/* -------------------------------------------------- later linear layers */

static veil_status linear_layer(builder_t *b, size_t i, const lola_matrix_t *m,
                                const lola_kchoice_t *k,
                                const lola_kchoice_t *knext,
                                const lola_matrix_t *mnext)
{
    const int last = knext == NULL;
    lola_step_t st;
    veil_status s = VEIL_OK;
    size_t block, chunk;

    switch (k->kind) {
    case LOLA_K_DIAG:
        s = gather(b);
        diag_params(&block, &chunk, k, m, b->n);
        /* a stacked kernel next does one round per copy of the result */
        if (s == VEIL_OK)
            s = lola_kernel_diag(
                &st, m, current(b), block, 0,
                !last && knext->kind == LOLA_K_STACKED ? mnext->rows : 1);
        break;
    case LOLA_K_STACKED:
        s = to_stacked(b, m->cols);
        if (s == VEIL_OK)
            s = lola_kernel_stacked_row(&st, m, current(b));
        break;
    case LOLA_K_DENSE_ROW:
        s = gather(b);
        if (s == VEIL_OK)
            s = lola_kernel_dense_row(
                &st, m, current(b), !last && knext->kind == LOLA_K_SPARSE_COL);
        break;
    case LOLA_K_SPARSE_COL: {
        lola_layout_t tg;
        const lola_layout_t *cur = current(b);
        if (cur->nct != m->cols)
            return VEIL_EINVAL;
        /* the output goes wherever the next kernel wants it */
        s = last ? lola_layout_dense(&tg, b->n, m->rows, 0)
                 : preferred(&tg, knext, mnext, b->n);
        if (s == VEIL_OK)
            s = lola_kernel_sparse_col(&st, m, cur, &tg);
        lola_layout_clear(&tg);
        break;
    }
    default:
        return VEIL_EINVAL; /* conv-* only first, simd only in SIMD */
    }
    if (s != VEIL_OK)
        return s;
    st.layer = (int32_t)i;
    return push(b, &st);
}

void lola_program_clear(lola_prog_t *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nsteps; i++)
        lola_step_clear(&p->steps[i]);
    free(p->steps);
    lola_layout_clear(&p->input);
    memset(p, 0, sizeof(*p));
}

static veil_status build_simd(builder_t *b, const lola_spec_t *spec,
                              const lola_kchoice_t *k)
{
    int size3 = 0;
    veil_status s = lola_layout_simd(&b->p->input, b->n,
                                     nn_shape_size(spec->in), spec->batch);
    for (size_t i = 0, li = 0; i < spec->nlayers && s == VEIL_OK; i++) {
        lola_step_t st;
        if (spec->layers[i].type == NN_LAYER_SQUARE) {
            if (size3) {
                s = lola_kernel_relin(&st, current(b));
                if (s == VEIL_OK)
                    s = push(b, &st);
            }
            if (s == VEIL_OK)
                s = lola_kernel_square(&st, current(b), 0, (int32_t)i);
            if (s == VEIL_OK)
                s = push(b, &st);
            size3 = 1;
            continue;
        }
        lola_matrix_t m;
        if (k[li++].kind != LOLA_K_SIMD)
            return VEIL_EINVAL;
        lola_matrix_shape(&m, spec, i);
        s = lola_kernel_simd(&st, &m, current(b));
        if (s == VEIL_OK) {
            st.layer = (int32_t)i;
            s = push(b, &st);
        }
    }
    return s;
}

veil_status lola_program_build(lola_prog_t *p, const lola_spec_t *spec,
                               size_t n)
{
    lola_kchoice_t k[NN_MAX_LAYERS];
    size_t nk, nlin = 0, lin[NN_MAX_LAYERS];
    builder_t b;
    veil_status s;

    if (p == NULL)
        return VEIL_EINVAL;
    memset(p, 0, sizeof(*p));
    if (spec == NULL || spec->nlayers == 0 || spec->nlayers > NN_MAX_LAYERS)
        return VEIL_EINVAL;
    for (size_t i = 0; i < spec->nlayers; i++) {
        if (lola_layer_linear(spec->layers[i].type))
            lin[nlin++] = i;
        else if (spec->layers[i].type != NN_LAYER_SQUARE)
            return VEIL_EUNSUPPORTED;
    }
    s = lola_kernels_parse(k, &nk, NN_MAX_LAYERS, spec->kernels);
    if (s != VEIL_OK || nk != nlin || nlin == 0)
        return VEIL_EINVAL;
    b.p = p;
    b.n = n;
    b.cap = 0;
    if (spec->variant == LOLA_VARIANT_SIMD) {
        s = build_simd(&b, spec, k);
        goto out;
    }
    if (spec->variant != LOLA_VARIANT_CONV &&
        spec->variant != LOLA_VARIANT_DENSE)
        return VEIL_EINVAL;
    /* the input representation is a conv's, or (DENSE variant) the
     * vector a dense first layer's kernel wants: a head on deep
     * representations, paper section 5 */
    if (lin[0] != 0 || (spec->layers[0].type != NN_LAYER_CONV2D &&
                        (spec->layers[0].type != NN_LAYER_DENSE ||
                         spec->variant != LOLA_VARIANT_DENSE)))
        return VEIL_EUNSUPPORTED;
    for (size_t li = 0, i = 0; i < spec->nlayers && s == VEIL_OK; i++) {
        lola_matrix_t m, mnext;
        lola_step_t st;
        if (spec->layers[i].type == NN_LAYER_SQUARE) {
            s = lola_kernel_square(&st, current(&b), 1, (int32_t)i);
            if (s == VEIL_OK)
                s = push(&b, &st);
            continue;
        }
        lola_matrix_shape(&m, spec, i);
        if (li + 1 < nlin)
            lola_matrix_shape(&mnext, spec, lin[li + 1]);
        if (li == 0 && spec->layers[i].type == NN_LAYER_DENSE) {
            s = preferred(&b.p->input, &k[0], &m, n);
            if (s == VEIL_OK)
                s = linear_layer(&b, i, &m, &k[0], nlin > 1 ? &k[1] : NULL,
                                 nlin > 1 ? &mnext : NULL);
        } else if (li == 0)
            s = first_layer(&b, spec, i, &m, &k[0], nlin > 1 ? &k[1] : NULL,
                            nlin > 1 ? &mnext : NULL);
        else
            s = linear_layer(&b, i, &m, &k[li],
                             li + 1 < nlin ? &k[li + 1] : NULL,
                             li + 1 < nlin ? &mnext : NULL);
        li++;
    }
    /* the last step's folds are the client's (doc/11-lola.md, 7.3) */
    if (s == VEIL_OK && p->nsteps > 0)
        s = lola_step_client_sums(
            &p->steps[p->nsteps - 1],
            p->nsteps > 1 ? &p->steps[p->nsteps - 2].layout : &p->input);
out:
    if (s != VEIL_OK)
        lola_program_clear(p);
    return s;
}

veil_status lola_spec_from_model(lola_spec_t *spec, const nn_qmodel_t *q)
{
    if (spec == NULL || q == NULL || q->nlayers == 0 ||
        q->nlayers > NN_MAX_LAYERS)
        return VEIL_EINVAL;
    spec->in = q->in;
    spec->in_exp = q->in_exp;
    spec->in_max = q->in_max;
    spec->nlayers = q->nlayers;
    for (uint32_t i = 0; i < q->nlayers; i++) {
        spec->layers[i].type = q->layers[i].type;
        spec->layers[i].in = q->layers[i].in;
        spec->layers[i].out = q->layers[i].out;
        spec->layers[i].k = q->layers[i].k;
        spec->layers[i].stride = q->layers[i].stride;
        spec->layers[i].pad = q->layers[i].pad;
    }
    return VEIL_OK;
}
