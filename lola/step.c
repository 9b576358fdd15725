/*
 * lola/step.c - the compiled form every LoLa kernel produces (lola_kernels.h,
 * "programs"): building steps, sorting terms, counting operations, the
 * Galois elements a step needs, and the ZERO / GARBAGE status of output
 * slots, derived by running the step on non-zero patterns.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

void lola_step_clear(lola_step_t *st)
{
    if (st == NULL)
        return;
    if (st->out != NULL)
        for (size_t o = 0; o < st->nout; o++) {
            free(st->out[o].terms);
            free(st->out[o].fold);
        }
    free(st->out);
    free(st->scalars);
    free(st->plains);
    free(st->biases);
    lola_layout_clear(&st->layout);
    memset(st, 0, sizeof(*st));
}

veil_status lola_step_begin(lola_step_t *st, lola_step_kind_t kind,
                            const char *kernel, int32_t layer, size_t n,
                            size_t nin, size_t nout)
{
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    st->kernel = kernel;
    st->layer = layer;
    st->n = n;
    st->nin = nin;
    st->nout = nout;
    if (kind != LOLA_STEP_LINEAR)
        return VEIL_OK;
    st->out = calloc(nout, sizeof(lola_output_t));
    if (st->out == NULL)
        return VEIL_ENOMEM;
    for (size_t o = 0; o < nout; o++)
        st->out[o].bias = -1;
    return VEIL_OK;
}

veil_status lola_step_term(lola_step_t *st, size_t o, uint32_t input,
                           lola_rot_t baby, lola_rot_t giant,
                           lola_coef_kind_t kind, uint32_t coef)
{
    lola_output_t *out = &st->out[o];
    /* grow by doubling: capacity is the next power of two >= nterms */
    if (out->nterms == 0 || lola_pow2(out->nterms)) {
        size_t cap = out->nterms ? 2 * out->nterms : 1;
        lola_term_t *t = realloc(out->terms, cap * sizeof(*t));
        if (t == NULL)
            return VEIL_ENOMEM;
        out->terms = t;
    }
    out->terms[out->nterms].input = input;
    out->terms[out->nterms].baby = baby;
    out->terms[out->nterms].giant = giant;
    out->terms[out->nterms].kind = kind;
    out->terms[out->nterms].coef = coef;
    out->nterms++;
    return VEIL_OK;
}

veil_status lola_step_fold(lola_step_t *st, size_t o, const lola_rot_t *fold,
                           size_t nfold)
{
    lola_output_t *out = &st->out[o];
    free(out->fold);
    out->fold = NULL;
    out->nfold = 0;
    if (nfold == 0)
        return VEIL_OK;
    out->fold = malloc(nfold * sizeof(*fold));
    if (out->fold == NULL)
        return VEIL_ENOMEM;
    memcpy(out->fold, fold, nfold * sizeof(*fold));
    out->nfold = nfold;
    return VEIL_OK;
}

/* Grow an array of sources by `add` entries (capacity doubling). */
static veil_status grow_src(lola_src_t **a, size_t used, size_t add,
                            size_t *cap)
{
    if (used + add <= *cap)
        return VEIL_OK;
    size_t c = *cap ? *cap : add;
    while (c < used + add)
        c *= 2;
    lola_src_t *p = realloc(*a, c * sizeof(**a));
    if (p == NULL)
        return VEIL_ENOMEM;
    *a = p;
    *cap = c;
    return VEIL_OK;
}

/* Capacities are not stored in the step: recompute the next power of two
 * (in entries) that grow_src would have reached. */
static size_t cap_of(size_t used, size_t unit)
{
    size_t c = unit;
    if (used == 0)
        return 0;
    while (c < used)
        c *= 2;
    return c;
}

veil_status lola_step_scalar(lola_step_t *st, uint32_t *idx, int32_t row,
                             int32_t col)
{
    size_t cap = cap_of(st->nscalars, 1);
    veil_status s = grow_src(&st->scalars, st->nscalars, 1, &cap);
    if (s != VEIL_OK)
        return s;
    st->scalars[st->nscalars].row = row;
    st->scalars[st->nscalars].col = col;
    *idx = (uint32_t)st->nscalars++;
    return VEIL_OK;
}

static void fill_zero(lola_src_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s[i].row = LOLA_SRC_ZERO;
        s[i].col = 0;
    }
}

veil_status lola_step_plain(lola_step_t *st, uint32_t *idx, lola_src_t **src)
{
    size_t cap = cap_of(st->nplains * st->n, st->n);
    veil_status s = grow_src(&st->plains, st->nplains * st->n, st->n, &cap);
    if (s != VEIL_OK)
        return s;
    *src = st->plains + st->nplains * st->n;
    fill_zero(*src, st->n);
    *idx = (uint32_t)st->nplains++;
    return VEIL_OK;
}

veil_status lola_step_bias(lola_step_t *st, size_t o, lola_src_t **src)
{
    size_t cap = cap_of(st->nbiases * st->n, st->n);
    veil_status s = grow_src(&st->biases, st->nbiases * st->n, st->n, &cap);
    if (s != VEIL_OK)
        return s;
    *src = st->biases + st->nbiases * st->n;
    fill_zero(*src, st->n);
    st->out[o].bias = (int32_t)st->nbiases++;
    return VEIL_OK;
}

veil_status lola_step_layout(lola_step_t *st, lola_rep_t rep, size_t len)
{
    veil_status s = lola_layout_init(&st->layout, rep, st->n, st->nout, len);
    if (s != VEIL_OK)
        return s;
    for (size_t i = 0; i < st->nout * st->n; i++)
        st->layout.map[i] = LOLA_UNSET;
    return VEIL_OK;
}

size_t lola_fold_steps(lola_rot_t *fold, size_t n, size_t block, size_t span,
                       int both_rows)
{
    size_t k = 0;
    for (size_t w = 1; w < span; w *= 2)
        fold[k++] = lola_rot(n, (int64_t)(block * w), 0);
    if (both_rows)
        fold[k++] = lola_rot(n, 0, 1);
    return k;
}

size_t lola_block_window(size_t *start, const uint8_t *used, size_t nblocks)
{
    size_t first = nblocks, best_gap = 0, best_end = 0;
    for (size_t b = 0; b < nblocks; b++)
        if (used[b]) {
            first = b;
            break;
        }
    *start = 0;
    if (first == nblocks)
        return 0;
    /* the largest run of unused blocks (cyclically) ends just before the
     * window; scan runs starting after each used block */
    for (size_t i = 0; i < nblocks; i++) {
        const size_t b = (first + i) % nblocks;
        if (!used[b])
            continue;
        size_t gap = 0;
        while (gap < nblocks && !used[(b + 1 + gap) % nblocks])
            gap++;
        if (gap > best_gap) {
            best_gap = gap;
            best_end = (b + 1 + gap) % nblocks;
        }
    }
    *start = best_gap ? best_end : first;
    return nblocks - best_gap;
}

static int term_cmp(const void *a, const void *b)
{
    const lola_term_t *x = a, *y = b;
    if (x->giant != y->giant)
        return x->giant < y->giant ? -1 : 1;
    if (x->input != y->input)
        return x->input < y->input ? -1 : 1;
    if (x->baby != y->baby)
        return x->baby < y->baby ? -1 : 1;
    return x->coef < y->coef ? -1 : x->coef > y->coef;
}

/* Distinct non-identity (input, baby rotation) pairs over all outputs:
 * one decomposition per input that has any, one hoisted rotation each. */
static int pair_cmp(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static veil_status count_hoisting(lola_step_t *st)
{
    size_t total = 0, k = 0;
    uint64_t *pairs;
    for (size_t o = 0; o < st->nout; o++)
        for (size_t i = 0; i < st->out[o].nterms; i++)
            total += st->out[o].terms[i].baby != 0;
    if (total == 0)
        return VEIL_OK;
    pairs = malloc(total * sizeof(uint64_t));
    if (pairs == NULL)
        return VEIL_ENOMEM;
    for (size_t o = 0; o < st->nout; o++)
        for (size_t i = 0; i < st->out[o].nterms; i++) {
            const lola_term_t *t = &st->out[o].terms[i];
            if (t->baby != 0)
                pairs[k++] = (uint64_t)t->input << 32 | t->baby;
        }
    qsort(pairs, total, sizeof(uint64_t), pair_cmp);
    for (size_t i = 0; i < total; i++) {
        if (i > 0 && pairs[i] == pairs[i - 1])
            continue;
        st->counts.hoist_rot++;
        if (i == 0 || pairs[i] >> 32 != pairs[i - 1] >> 32)
            st->counts.hoist_prep++;
    }
    free(pairs);
    return VEIL_OK;
}

static void count_output(lola_counts_t *c, const lola_output_t *out)
{
    for (size_t i = 0; i < out->nterms; i++) {
        const lola_term_t *t = &out->terms[i];
        if (t->kind == LOLA_COEF_PLAIN)
            c->mul_plain++;
        else if (t->kind == LOLA_COEF_SCALAR)
            c->mul_scalar++;
        if (i > 0)
            c->add++;
        if (t->giant != 0 &&
            (i + 1 == out->nterms || out->terms[i + 1].giant != t->giant))
            c->rot++;
    }
    c->rot += out->nfold;
    c->add += out->nfold;
    if (out->bias >= 0)
        c->add_plain++;
}

/* dst[i] |= src[i] for i < len, eight bytes at a time (the planner runs
 * this over whole messages for every candidate). */
static void or_bytes(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t a, b;
        memcpy(&a, dst + i, 8);
        memcpy(&b, src + i, 8);
        a |= b;
        memcpy(dst + i, &a, 8);
    }
    for (; i < len; i++)
        dst[i] |= src[i];
}

/* dst |= src permuted by r (dst[s] |= src[source(r, s)]: two runs per
 * row; src distinct from dst). */
static void or_rotated(uint8_t *dst, const uint8_t *src, size_t n, lola_rot_t r)
{
    const size_t h = n / 2, shift = r % h, swap = r / h;
    for (size_t row = 0; row < 2; row++) {
        const uint8_t *from = src + (row ^ swap) * h;
        uint8_t *to = dst + row * h;
        or_bytes(to, from + shift, h - shift);
        or_bytes(to + h - shift, from, shift);
    }
}

/* The inputs' non-zero slots as lists: slots[start[a] .. start[a + 1]) are
 * those of input a.  Most inputs hold a few elements in many slots, so the
 * non-zero pattern of an output is found from these lists rather than
 * from whole rotated patterns. */
typedef struct {
    uint32_t *slots;
    size_t *start;
} nz_lists_t;

static void nz_lists_clear(nz_lists_t *z)
{
    free(z->slots);
    free(z->start);
    z->slots = NULL;
    z->start = NULL;
}

/* scratch: n bytes. */
static veil_status nz_lists_init(nz_lists_t *z, const lola_step_t *st,
                                 const lola_layout_t *in, uint8_t *scratch)
{
    const size_t n = st->n;
    size_t count = 0;
    z->slots = malloc(st->nin * n * sizeof(uint32_t) + 1);
    z->start = malloc((st->nin + 1) * sizeof(size_t));
    if (z->slots == NULL || z->start == NULL) {
        nz_lists_clear(z);
        return VEIL_ENOMEM;
    }
    z->start[0] = 0;
    for (size_t a = 0; a < st->nin; a++) {
        lola_layout_nonzero(scratch, in, a);
        for (size_t x = 0; x < n; x++)
            if (scratch[x])
                z->slots[count++] = (uint32_t)x;
        z->start[a + 1] = count;
    }
    return VEIL_OK;
}

/* Non-zero pattern of output o into acc, given the inputs' non-zero slots
 * z; grp, tmp: n bytes of scratch.  A term rotated by r moves input slot u
 * to the slot s with source(r, s) = u, that is s = source(r^-1, u). */
static void output_nonzero(uint8_t *acc, uint8_t *grp, uint8_t *tmp,
                           const lola_step_t *st, size_t o, const nz_lists_t *z)
{
    const size_t n = st->n, h = n / 2;
    const lola_output_t *out = &st->out[o];
    memset(acc, 0, n);
    for (size_t i = 0; i < out->nterms;) {
        const lola_rot_t g = out->terms[i].giant;
        memset(grp, 0, n);
        for (; i < out->nterms && out->terms[i].giant == g; i++) {
            const lola_term_t *t = &out->terms[i];
            const lola_rot_t back = lola_rot_inverse(n, t->baby);
            const size_t shift = lola_col(n, back), swap = lola_row(n, back);
            const lola_src_t *p = t->kind == LOLA_COEF_PLAIN
                                      ? st->plains + (size_t)t->coef * n
                                      : NULL;
            for (size_t k = z->start[t->input]; k < z->start[t->input + 1];
                 k++) {
                const size_t u = z->slots[k];
                const size_t sl = lola_slot(n, lola_row(n, u) ^ swap,
                                            (lola_col(n, u) + shift) & (h - 1));
                if (p == NULL || p[sl].row != LOLA_SRC_ZERO)
                    grp[sl] = 1;
            }
        }
        or_rotated(acc, grp, n, g);
    }
    for (size_t f = 0; f < out->nfold; f++) {
        memcpy(tmp, acc, n);
        or_rotated(acc, tmp, n, out->fold[f]);
    }
    if (out->bias >= 0) {
        const lola_src_t *b = st->biases + (size_t)out->bias * n;
        for (size_t s = 0; s < n; s++)
            acc[s] |= b[s].row != LOLA_SRC_ZERO;
    }
}

veil_status lola_step_finish(lola_step_t *st, const lola_layout_t *in)
{
    const size_t n = st->n;
    veil_status s;

    for (size_t o = 0; o < st->nout; o++) {
        qsort(st->out[o].terms, st->out[o].nterms, sizeof(lola_term_t),
              term_cmp);
        count_output(&st->counts, &st->out[o]);
    }
    s = count_hoisting(st);
    if (s != VEIL_OK || st->layout.map == NULL)
        return s;

    uint8_t *buf = malloc(3 * n);
    nz_lists_t z;
    if (buf == NULL)
        return VEIL_ENOMEM;
    s = nz_lists_init(&z, st, in, buf);
    if (s != VEIL_OK) {
        free(buf);
        return s;
    }
    for (size_t o = 0; o < st->nout; o++) {
        int32_t *map = st->layout.map + o * n;
        output_nonzero(buf, buf + n, buf + 2 * n, st, o, &z);
        for (size_t k = 0; k < n; k++)
            if (map[k] == LOLA_UNSET)
                map[k] = buf[k] ? LOLA_GARBAGE : LOLA_ZERO;
    }
    nz_lists_clear(&z);
    free(buf);
    return VEIL_OK;
}

/* S_j of every element whose first slot is in message o (first[j] =
 * message * n + slot) into owner (n entries: the element, or -1), or 0 if
 * two sets meet or a set is not of 2^nfold distinct slots.  set: n
 * entries of scratch. */
static int share_sets(int32_t *owner, size_t *set, const lola_step_t *st,
                      size_t o, const size_t *first)
{
    const size_t n = st->n, len = st->layout.len;
    const lola_output_t *op = &st->out[o];
    for (size_t x = 0; x < n; x++)
        owner[x] = -1;
    for (size_t j = 0; j < len; j++) {
        size_t count = 1;
        if (first[j] / n != o)
            continue;
        /* the slots the folds add into the first one: closed under each
         * fold's source map (row swaps and column shifts commute) */
        set[0] = first[j] % n;
        for (size_t f = 0; f < op->nfold; f++)
            for (size_t k = 0, c = count; k < c; k++)
                set[count++] = lola_rot_source(n, op->fold[f], set[k]);
        for (size_t k = 0; k < count; k++) {
            if (owner[set[k]] >= 0)
                return 0;
            owner[set[k]] = (int32_t)j;
        }
    }
    return 1;
}

veil_status lola_step_client_sums(lola_step_t *st, const lola_layout_t *in)
{
    const size_t n = st->n, len = st->layout.len;
    size_t folds = 0, *first = NULL, *set = NULL;
    int32_t *owner = NULL;
    uint8_t *buf = NULL;
    nz_lists_t z = {NULL, NULL};
    veil_status s = VEIL_ENOMEM;

    if (st->kind != LOLA_STEP_LINEAR || st->layout.map == NULL ||
        st->layout.rep == LOLA_SIMD || st->layout.nct != st->nout || len == 0)
        return VEIL_OK;
    for (size_t o = 0; o < st->nout; o++) {
        folds = folds > st->out[o].nfold ? folds : st->out[o].nfold;
        for (size_t p = 0; p < o; p++) /* a bias is rewritten per output */
            if (st->out[o].bias >= 0 && st->out[p].bias == st->out[o].bias)
                return VEIL_OK;
    }
    if (folds == 0 || (size_t)1 << folds > n)
        return VEIL_OK;
    first = malloc(len * sizeof(size_t));
    owner = malloc(st->nout * n * sizeof(int32_t));
    set = malloc(n * sizeof(size_t));
    buf = malloc(3 * n);
    if (first == NULL || owner == NULL || set == NULL || buf == NULL ||
        nz_lists_init(&z, st, in, buf) != VEIL_OK)
        goto done;
    s = VEIL_OK;
    /* each element's first slot: the sum the folds make there is the one
     * the client makes */
    for (size_t j = 0; j < len; j++)
        first[j] = SIZE_MAX;
    for (size_t i = 0; i < st->nout * n; i++) {
        const int32_t e = st->layout.map[i];
        if (e >= 0 && (size_t)e < len && first[e] == SIZE_MAX)
            first[e] = i;
    }
    for (size_t j = 0; j < len; j++)
        if (first[j] == SIZE_MAX)
            goto done; /* an element without a slot: the step stays */
    for (size_t o = 0; o < st->nout; o++) {
        const int32_t b = st->out[o].bias;
        if (!share_sets(owner + o * n, set, st, o, first))
            goto done; /* sets that meet: the step stays */
        for (size_t j = 0; j < len && b >= 0; j++)
            if (first[j] / n == o &&
                st->biases[(size_t)b * n + first[j] % n].row != (int32_t)j)
                goto done; /* a bias elsewhere than the first slot */
    }
    /* committed: the bias only in each element's first slot, no folds,
     * shares in the other slots of each set, and the slots outside the
     * sets ZERO or GARBAGE as the terms make them */
    for (size_t o = 0; o < st->nout; o++) {
        lola_output_t *op = &st->out[o];
        const int32_t *own = owner + o * n;
        int32_t *map = st->layout.map + o * n;
        if (op->bias >= 0) {
            lola_src_t *b = st->biases + (size_t)op->bias * n;
            for (size_t x = 0; x < n; x++)
                if (own[x] < 0 || first[own[x]] != o * n + x)
                    b[x].row = LOLA_SRC_ZERO;
        }
        st->counts.rot -= op->nfold;
        st->counts.add -= op->nfold;
        s = lola_step_fold(st, o, NULL, 0); /* frees: VEIL_OK */
        output_nonzero(buf, buf + n, buf + 2 * n, st, o, &z);
        for (size_t x = 0; x < n; x++)
            map[x] = own[x] < 0 ? (buf[x] ? LOLA_GARBAGE : LOLA_ZERO)
                     : first[own[x]] == o * n + x ? own[x]
                                                  : LOLA_SHARE(own[x]);
    }
    st->layout.rep = LOLA_INTERLEAVED;
    st->layout.period = st->layout.block = st->layout.chunk = 0;
done:
    free(first);
    free(owner);
    free(set);
    nz_lists_clear(&z);
    free(buf);
    return s;
}

static void add_elt(uint64_t *elts, size_t *count, size_t *added, uint64_t e)
{
    for (size_t i = 0; i < *count; i++)
        if (elts[i] == e)
            return;
    elts[(*count)++] = e;
    (*added)++;
}

lola_rot_t lola_output_giant_base(const lola_output_t *out, size_t n)
{
    lola_rot_t base = 0, prev = 0;
    size_t k = 0;
    /* terms are sorted by giant: the non-zero giants must be exactly
     * base, 2 base, ..., K base with K >= 2, all plain shifts (no swap, no
     * wrap), so that rot_base applied k times is rot_{k base} */
    for (size_t i = 0; i < out->nterms; i++) {
        const lola_rot_t g = out->terms[i].giant;
        if (g == 0 || g == prev)
            continue;
        if (g >= n / 2)
            return 0;
        if (base == 0)
            base = g;
        if (g != (lola_rot_t)(++k) * base)
            return 0;
        prev = g;
    }
    return k >= 2 ? base : 0;
}

size_t lola_step_galois(uint64_t *elts, size_t *count, const lola_step_t *st)
{
    return lola_step_galois_of(elts, count, st, 1, 1);
}

size_t lola_step_galois_of(uint64_t *elts, size_t *count, const lola_step_t *st,
                           int terms, int folds)
{
    size_t added = 0;
    if (st->kind != LOLA_STEP_LINEAR)
        return 0;
    for (size_t o = 0; o < st->nout; o++) {
        const lola_output_t *out = &st->out[o];
        const lola_rot_t base = lola_output_giant_base(out, st->n);
        if (base != 0 && terms) /* Horner's rule: one key for every giant */
            add_elt(elts, count, &added, lola_rot_galois(st->n, base));
        for (size_t i = 0; i < out->nterms && terms; i++) {
            if (out->terms[i].baby != 0)
                add_elt(elts, count, &added,
                        lola_rot_galois(st->n, out->terms[i].baby));
            if (out->terms[i].giant != 0 && base == 0)
                add_elt(elts, count, &added,
                        lola_rot_galois(st->n, out->terms[i].giant));
        }
        for (size_t f = 0; f < out->nfold && folds; f++)
            add_elt(elts, count, &added, lola_rot_galois(st->n, out->fold[f]));
    }
    return added;
}
