/*
 * lola/kernel_diag.c - the diagonal method of Halevi and Shoup (CRYPTO 2014,
 * "Algorithms in HElib", section 4.3) for LoLa messages, with
 * baby-step / giant-step and hoisted rotations; not in the LoLa paper.
 *
 * Output row j is accumulated in the slots whose column is j mod D (D, the
 * block, a power of two >= rows).  A rotation by i brings the value of slot
 * s + i to slot s, so a copy of element c at column u can reach a slot of
 * row j exactly with i = (u - j) mod D.  Writing P_i[s] = W[j][c] for the
 * pairs (j, c) assigned to offset i,
 *
 *     y = sum_{i in I} P_i (.) rot_i(x)                                (1)
 *
 * holds, in the slots of row j of every block, partial sums of W_j . v
 * that add up to the whole dot product.  Step 1 picks I: a greedy cover
 * of all pairs (j, c) (each offset covers the pairs it can reach; most
 * first, ties to the smaller offset).  With a single copy of v this needs
 * about D offsets; with copies (CHUNKED: chunk g of c elements repeated in
 * block g) c offsets suffice.  Step 2 splits i = g B + b: x is rotated by
 * the baby steps b once (hoisted: one decomposition), and
 *     y = sum_g rot_{gB}( sum_b rot_{-gB}(P_{gB+b}) (.) rot_b(x) ),
 * so only the giant steps gB are full rotations.  Step 3 folds the blocks
 * holding partial sums: log2(#blocks) rotations by D, 2D, ... and a row
 * swap when both rows hold some; more doublings give more copies of the
 * result (a stacked kernel after this one does one round per copy).
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t npairs;
    uint32_t *prow, *pcol; /* pair p = (prow[p], pcol[p])                  */
    size_t *cstart;        /* copies of column c: slots[cstart[c]..c+1]    */
    size_t *slots;
} pairs_t;

static void pairs_clear(pairs_t *p)
{
    free(p->prow);
    free(p->pcol);
    free(p->cstart);
    free(p->slots);
}

static veil_status pairs_init(pairs_t *p, const lola_matrix_t *m,
                              const lola_layout_t *in)
{
    const size_t n = in->n;
    size_t total = 0;
    int64_t *cols = malloc(m->cols * sizeof(int64_t));

    memset(p, 0, sizeof(*p));
    p->cstart = calloc(m->cols + 1, sizeof(size_t));
    if (cols == NULL || p->cstart == NULL)
        goto nomem;
    for (size_t u = 0; u < n; u++)
        if (in->map[u] >= 0)
            p->cstart[in->map[u] + 1]++;
    for (size_t c = 0; c < m->cols; c++)
        p->cstart[c + 1] += p->cstart[c];
    p->slots = malloc((p->cstart[m->cols] + 1) * sizeof(size_t));
    if (p->slots == NULL)
        goto nomem;
    {
        size_t *fill = calloc(m->cols, sizeof(size_t));
        if (fill == NULL)
            goto nomem;
        for (size_t u = 0; u < n; u++)
            if (in->map[u] >= 0) {
                const size_t c = (size_t)in->map[u];
                p->slots[p->cstart[c] + fill[c]++] = u;
            }
        free(fill);
    }
    for (size_t j = 0; j < m->rows; j++)
        total += lola_matrix_row_cols(cols, m, j);
    if (total >= UINT32_MAX) { /* pairs are counted in 32 bits */
        free(cols);
        pairs_clear(p);
        return VEIL_EINVAL;
    }
    p->prow = malloc((total + 1) * sizeof(uint32_t));
    p->pcol = malloc((total + 1) * sizeof(uint32_t));
    if (p->prow == NULL || p->pcol == NULL)
        goto nomem;
    for (size_t j = 0; j < m->rows; j++) {
        const size_t nc = lola_matrix_row_cols(cols, m, j);
        for (size_t i = 0; i < nc; i++) {
            p->prow[p->npairs] = (uint32_t)j;
            p->pcol[p->npairs++] = (uint32_t)cols[i];
        }
    }
    free(cols);
    return VEIL_OK;
nomem:
    free(cols);
    pairs_clear(p);
    return VEIL_ENOMEM;
}

/* The offset by which copy u of a column reaches row j (block D, a power
 * of two). */
static inline size_t offset_of(size_t n, size_t u, size_t j, size_t D)
{
    return (lola_col(n, u) + D - (j & (D - 1))) & (D - 1);
}

/* Step 1: the greedy cover.  chosen[0..*nchosen) in the order picked;
 * order[i] = rank of offset i in chosen, or SIZE_MAX.  VEIL_EINVAL if some
 * pair cannot be reached (its element is missing from the input). */
static veil_status greedy_cover(size_t *chosen, size_t *nchosen, size_t *order,
                                const pairs_t *p, size_t n, size_t D)
{
    size_t *cnt = calloc(D, sizeof(size_t)),
           *stamp = malloc(D * sizeof(size_t));
    size_t *istart = calloc(D + 1, sizeof(size_t)), *fill = NULL;
    uint32_t *ilist =
        NULL; /* pair indices: rows <= n/2 times columns <= n, below 2^32 */
    uint8_t *covered = calloc(p->npairs + 1, 1);
    size_t left = p->npairs, total = 0;
    veil_status s = VEIL_ENOMEM;

    *nchosen = 0;
    if (cnt == NULL || stamp == NULL || istart == NULL || covered == NULL)
        goto done;
    for (size_t i = 0; i < D; i++) {
        stamp[i] = SIZE_MAX;
        order[i] = SIZE_MAX;
    }
    /* the distinct offsets of every pair, and the inverted index */
    for (size_t q = 0; q < p->npairs; q++) {
        const size_t c = p->pcol[q];
        if (p->cstart[c] == p->cstart[c + 1]) {
            s = VEIL_EINVAL;
            goto done;
        }
        for (size_t k = p->cstart[c]; k < p->cstart[c + 1]; k++) {
            const size_t i = offset_of(n, p->slots[k], p->prow[q], D);
            if (stamp[i] != q) {
                stamp[i] = q;
                cnt[i]++;
                total++;
            }
        }
    }
    ilist = malloc((total + 1) * sizeof(uint32_t));
    fill = calloc(D, sizeof(size_t));
    if (ilist == NULL || fill == NULL)
        goto done;
    for (size_t i = 0; i < D; i++) {
        istart[i + 1] = istart[i] + cnt[i];
        stamp[i] = SIZE_MAX;
    }
    for (size_t q = 0; q < p->npairs; q++) {
        const size_t c = p->pcol[q];
        for (size_t k = p->cstart[c]; k < p->cstart[c + 1]; k++) {
            const size_t i = offset_of(n, p->slots[k], p->prow[q], D);
            if (stamp[i] != q) {
                stamp[i] = q;
                ilist[istart[i] + fill[i]++] = (uint32_t)q;
            }
        }
    }
    while (left > 0) {
        size_t best = 0;
        for (size_t i = 1; i < D; i++)
            if (cnt[i] > cnt[best])
                best = i;
        order[best] = *nchosen;
        chosen[(*nchosen)++] = best;
        for (size_t k = istart[best]; k < istart[best + 1]; k++) {
            const size_t q = ilist[k], c = p->pcol[q];
            if (covered[q])
                continue;
            covered[q] = 1;
            left--;
            /* every offset that could have covered q loses it */
            for (size_t u = p->cstart[c]; u < p->cstart[c + 1]; u++) {
                const size_t i = offset_of(n, p->slots[u], p->prow[q], D);
                if (stamp[i] != q + p->npairs) {
                    stamp[i] = q + p->npairs;
                    cnt[i]--;
                }
            }
        }
    }
    s = VEIL_OK;
done:
    free(cnt);
    free(stamp);
    free(istart);
    free(ilist);
    free(fill);
    free(covered);
    return s;
}

/* Relative costs of a hoisted decomposition and of one hoisted rotation,
 * in full rotations (measured at n = 8192: doc/11-lola.md). */
#define DIAG_PREP 0.3
#define DIAG_HOIST 0.4

/* Step 2: the baby step size B minimising the rotation cost for the offsets
 * chosen[0..k) (ties: the smaller B). */
static size_t choose_baby(const size_t *chosen, size_t k, size_t D)
{
    uint8_t *seen = malloc(D);
    size_t best = 1;
    double best_cost = -1;
    if (seen == NULL)
        return 1;
    for (size_t B = 1; B <= D; B++) {
        size_t nb = 0, ng = 0;
        memset(seen, 0, D);
        for (size_t i = 0; i < k; i++) {
            const size_t b = chosen[i] % B;
            if (b != 0 && !(seen[b] & 1)) {
                seen[b] |= 1;
                nb++;
            }
        }
        for (size_t i = 0; i < k; i++) {
            const size_t g = chosen[i] / B;
            if (g != 0 && !(seen[g] & 2)) {
                seen[g] |= 2;
                ng++;
            }
        }
        const double cost =
            DIAG_HOIST * (double)nb + (nb ? DIAG_PREP : 0.0) + (double)ng;
        if (best_cost < 0 || cost < best_cost) {
            best_cost = cost;
            best = B;
        }
    }
    free(seen);
    return best;
}

veil_status lola_kernel_diag(lola_step_t *st, const lola_matrix_t *m,
                             const lola_layout_t *in, size_t block, size_t baby,
                             size_t copies)
{
    const size_t n = in ? in->n : 0, h = n / 2, D = block;
    size_t *chosen = NULL, *order = NULL, *plain_of = NULL, nchosen = 0;
    size_t start = 0, nfold, nvalid = 0, valid_rows[2];
    lola_src_t *raw = NULL;
    uint8_t *used = NULL;
    int rows_used[2] = {0, 0};
    lola_rot_t fold[64];
    pairs_t p;
    veil_status s;

    if (st == NULL)
        return VEIL_EINVAL;
    memset(st, 0, sizeof(*st));
    if (m == NULL || in == NULL || in->map == NULL || in->nct != 1 ||
        in->len != m->cols || !lola_pow2(D) || D < m->rows || D > h || baby > D)
        return VEIL_EINVAL;
    s = pairs_init(&p, m, in);
    if (s != VEIL_OK)
        return s;
    chosen = malloc(D * sizeof(size_t));
    order = malloc(D * sizeof(size_t));
    plain_of = malloc(D * sizeof(size_t));
    used = calloc(h / D, 1);
    raw = malloc(n * sizeof(*raw));
    if (chosen == NULL || order == NULL || plain_of == NULL || used == NULL ||
        raw == NULL) {
        s = VEIL_ENOMEM;
        goto done;
    }
    /* 1. offsets */
    s = greedy_cover(chosen, &nchosen, order, &p, n, D);
    if (s != VEIL_OK)
        goto done;
    if (baby == 0)
        baby = choose_baby(chosen, nchosen, D);

    s = lola_step_begin(st, LOLA_STEP_LINEAR, "diag", -1, n, 1, 1);
    if (s == VEIL_OK)
        s = lola_step_layout(st, LOLA_INTERLEAVED, m->rows);
    if (s != VEIL_OK)
        goto done;
    for (size_t r = 0; r < nchosen; r++) {
        uint32_t idx;
        lola_src_t *pl;
        s = lola_step_plain(st, &idx, &pl);
        if (s != VEIL_OK)
            goto done;
        plain_of[r] = idx;
    }
    /* (1): each pair goes to the first chosen offset that reaches it; the
     * plaintexts are written unrotated here and rotated in step 2 */
    for (size_t q = 0; q < p.npairs; q++) {
        const size_t c = p.pcol[q], j = p.prow[q];
        size_t best = SIZE_MAX, best_u = 0;
        for (size_t k = p.cstart[c]; k < p.cstart[c + 1]; k++) {
            const size_t u = p.slots[k], i = offset_of(n, u, j, D);
            if (order[i] < best) {
                best = order[i];
                best_u = u;
            }
        }
        const size_t i = chosen[best];
        const size_t sl = lola_slot(n, lola_row(n, best_u),
                                    (lola_col(n, best_u) + h - i) % h);
        lola_src_t *pl = st->plains + plain_of[best] * n;
        pl[sl].row = (int32_t)j;
        pl[sl].col = (int32_t)c;
        used[lola_col(n, sl) / D] = 1;
        rows_used[lola_row(n, sl)] = 1;
    }
    /* 2. baby and giant steps: P'_i = rot_{-G}(P_i) */
    for (size_t r = 0; r < nchosen; r++) {
        const size_t i = chosen[r], b = i % baby, G = i - b;
        lola_src_t *pl = st->plains + plain_of[r] * n;
        memcpy(raw, pl, n * sizeof(*raw));
        for (size_t row = 0; row < 2 && G != 0; row++) {
            /* pl[row][c] = raw[row][c - G] */
            memcpy(pl + row * h + G, raw + row * h, (h - G) * sizeof(*raw));
            memcpy(pl + row * h, raw + row * h + h - G, G * sizeof(*raw));
        }
        s = lola_step_term(st, 0, 0, lola_rot(n, (int64_t)b, 0),
                           lola_rot(n, (int64_t)G, 0), LOLA_COEF_PLAIN,
                           (uint32_t)plain_of[r]);
        if (s != VEIL_OK)
            goto done;
    }
    /* 3. fold the blocks: the window of used blocks first, then further
     * doublings until enough blocks hold the whole sum (a row swap when
     * both rows hold partial sums, or when one row has too few blocks) */
    {
        const size_t nb = h / D;
        const int both = rows_used[0] && rows_used[1];
        size_t w = lola_block_window(&start, used, nb), span = 1, have;
        int swap = both;
        while (span < w)
            span *= 2;
        for (;;) {
            have = span == nb ? nb : span - w + 1;
            if (have * (swap ? 2 : 1) >= copies || (span == nb && swap))
                break;
            if (span < nb)
                span *= 2;
            else
                swap = 1;
        }
        nfold = lola_fold_steps(fold, n, D, span, swap);
        for (size_t r = 0; r < 2; r++)
            if (swap || rows_used[r])
                valid_rows[nvalid++] = r;
        /* block start - i holds the sum for i < have */
        s = lola_step_fold(st, 0, fold, nfold);
        if (s == VEIL_OK) {
            lola_src_t *b = NULL;
            if (m->bias != NULL)
                s = lola_step_bias(st, 0, &b);
            for (size_t v = 0; v < nvalid && s == VEIL_OK; v++)
                for (size_t i = 0; i < have; i++) {
                    const size_t blk = (start + nb - i) % nb;
                    for (size_t j = 0; j < m->rows; j++) {
                        const size_t sl =
                            lola_slot(n, valid_rows[v], blk * D + j);
                        st->layout.map[sl] = (int32_t)j;
                        if (b != NULL)
                            b[sl].row = (int32_t)j;
                    }
                }
        }
        if (s == VEIL_OK) {
            const size_t total = have * nvalid;
            st->layout.rep = total > 1 ? LOLA_STACKED : LOLA_INTERLEAVED;
            st->layout.period = total > 1 ? D : 0;
            s = lola_step_finish(st, in);
        }
    }
done:
    if (s != VEIL_OK)
        lola_step_clear(st);
    pairs_clear(&p);
    free(chosen);
    free(order);
    free(plain_of);
    free(used);
    free(raw);
    return s;
}
