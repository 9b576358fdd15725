/*
 * he_layer.c - compiling a linear layer for the offline phase (he.h):
 * the packing (slot maps), the baby, giant and fold rotations, and the
 * flooding bound.  Everything here depends only on the public shape and
 * the context, so client and server compile the same layer.
 * doc/22-safenet-he.md, "Packing" and "Why the reply hides W".
 */
#include "he_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Measured costs (microseconds, n = 8192, safenet_he_params, one thread,
 * this machine; doc/22 gives the command): a hoisted decomposition, a
 * rotation after it, a full rotation.  Only their ratios matter. */
#define COST_PREP 260.0
#define COST_HOIST 250.0
#define COST_ROT 520.0

/* Standard deviation assumed for the noise of a rotated input (in units
 * of c_0; measured about 2^4.5 for the division by P, doc/22). */
#define LOG_SIGMA_IN 5.0
/* The noise bound is this many standard deviations. */
#define LOG_TAIL 4.0

safenet_he_rot_t safenet_he_rot_make(const bfv_context_t *ctx, int64_t shift,
                                     uint32_t swap)
{
    const int64_t h = (int64_t)ctx->n / 2;
    safenet_he_rot_t r;
    int64_t sh = ((shift % h) + h) % h;
    r.shift = (uint32_t)sh;
    r.swap = swap & 1u;
    r.elt = sh == 0 ? 1 : bfv_galois_elt_from_step(ctx, -sh);
    if (r.swap) {
        uint64_t two_n = 2 * (uint64_t)ctx->n;
        r.elt = (r.elt * bfv_galois_elt_columns(ctx)) % two_n;
    }
    return r;
}

void safenet_he_layer_clear(safenet_he_layer_t *L)
{
    if (L == NULL)
        return;
    free(L->in_map);
    free(L->acc_map);
    free(L->out_pos);
    free(L->baby);
    free(L->giant);
    free(L->fold);
    memset(L, 0, sizeof(*L));
}

static size_t pow2_at_least(size_t x)
{
    size_t p = 1;
    while (p < x)
        p *= 2;
    return p;
}

static int rot_cmp(const void *a, const void *b)
{
    const safenet_he_rot_t *x = a, *y = b;
    if (x->swap != y->swap)
        return x->swap < y->swap ? -1 : 1;
    return x->shift < y->shift ? -1 : x->shift > y->shift;
}

/* Sort and deduplicate rots[0..*count). */
static void rot_unique(safenet_he_rot_t *rots, size_t *count)
{
    size_t k = 0;
    qsort(rots, *count, sizeof(*rots), rot_cmp);
    for (size_t i = 0; i < *count; i++)
        if (k == 0 || rot_cmp(&rots[k - 1], &rots[i]) != 0)
            rots[k++] = rots[i];
    *count = k;
}

static veil_status alloc_maps(safenet_he_layer_t *L)
{
    const size_t n = L->n;
    L->in_map = malloc(L->in_ct * n * sizeof(int32_t));
    L->acc_map = malloc(L->out_ct * n * sizeof(int32_t));
    L->out_pos = malloc(L->out_len * sizeof(uint32_t));
    if (L->in_map == NULL || L->acc_map == NULL || L->out_pos == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < L->in_ct * n; i++)
        L->in_map[i] = -1;
    for (size_t i = 0; i < L->out_ct * n; i++)
        L->acc_map[i] = -1;
    return VEIL_OK;
}

/* ------------------------------------------------------------ conv */

static veil_status compile_conv(safenet_he_layer_t *L)
{
    const safenet_he_shape_t *sh = &L->shape;
    const bfv_context_t *ctx = L->ctx;
    const size_t n = L->n, h = n / 2;
    const size_t H = sh->h, W = sh->w, HW = H * W, k = sh->k;
    const size_t st = sh->stride, pad = sh->pad;
    veil_status s;

    if (k == 0 || st == 0 || k > H + 2 * pad || k > W + 2 * pad)
        return VEIL_EINVAL;
    L->oh = (H + 2 * pad - k) / st + 1;
    L->ow = (W + 2 * pad - k) / st + 1;
    L->in_len = (size_t)sh->c_in * HW;
    L->out_len = (size_t)sh->c_out * L->oh * L->ow;
    L->blk = pow2_at_least(HW);
    if (L->blk > h)
        return VEIL_EUNSUPPORTED;
    const size_t blk = L->blk, R = h / blk, cn = 2 * R;
    /* kernel offsets: distinct and spanning less than a block (he.h) */
    const int64_t dmin = -(int64_t)pad * (int64_t)W - (int64_t)pad;
    const int64_t dmax = ((int64_t)k - 1 - (int64_t)pad) * (int64_t)W +
                         (int64_t)k - 1 - (int64_t)pad;
    if (k > W || dmax - dmin >= (int64_t)blk)
        return VEIL_EUNSUPPORTED;
    L->in_ct = (sh->c_in + cn - 1) / cn;
    L->out_ct = (sh->c_out + cn - 1) / cn;
    if ((s = alloc_maps(L)) != VEIL_OK)
        return s;

    /* maps: channel j of a ciphertext in block j (row j / R, column
     * block j % R); position (y, x) at offset y W + x; outputs at the
     * offset of input position (oy st, ox st) */
    for (size_t c = 0; c < sh->c_in; c++) {
        const size_t ct = c / cn, b = c % cn;
        const size_t base = ct * n + (b / R) * h + (b % R) * blk;
        for (size_t p = 0; p < HW; p++)
            L->in_map[base + p] = (int32_t)(c * HW + p);
    }
    for (size_t m = 0; m < sh->c_out; m++) {
        const size_t ct = m / cn, b = m % cn;
        const size_t base = ct * n + (b / R) * h + (b % R) * blk;
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++) {
                const size_t e = (m * L->oh + oy) * L->ow + ox;
                const size_t slot = base + oy * st * W + ox * st;
                L->acc_map[slot] = (int32_t)e;
                L->out_pos[e] = (uint32_t)slot;
            }
    }

    /* the channel diagonals (swap, dc) that pair some input block with
     * some output block */
    uint8_t *diag = calloc(cn, 1);
    if (diag == NULL)
        return VEIL_ENOMEM;
    for (size_t bi = 0; bi < cn && bi < sh->c_in; bi++)
        for (size_t bo = 0; bo < cn && bo < sh->c_out; bo++) {
            size_t sw = (bi / R) ^ (bo / R);
            size_t dc = (bi % R + R - bo % R) % R;
            diag[sw * R + dc] = 1;
        }

    /* choose the split B1 (a power of two dividing R) */
    const size_t kk = k * k;
    double best = INFINITY;
    size_t best_b1 = 1;
    for (size_t b1 = 1; b1 <= R; b1 *= 2) {
        size_t nb = 0, ng = 0;
        uint8_t *bseen = calloc(b1, 1), *gseen = calloc(2 * (R / b1), 1);
        if (bseen == NULL || gseen == NULL) {
            free(bseen);
            free(gseen);
            free(diag);
            return VEIL_ENOMEM;
        }
        for (size_t d = 0; d < cn; d++)
            if (diag[d]) {
                size_t sw = d / R, dc = d % R;
                bseen[dc % b1] = 1;
                gseen[sw * (R / b1) + dc / b1] = 1;
            }
        for (size_t j = 0; j < b1; j++)
            nb += bseen[j];
        for (size_t j = 0; j < 2 * (R / b1); j++)
            ng += gseen[j];
        free(bseen);
        free(gseen);
        /* baby rotations: nb * kk, one of them the identity if the kernel
         * has the zero offset and channel shift 0 is used */
        double babies = (double)(nb * kk);
        double cost = (double)L->in_ct * (COST_PREP + babies * COST_HOIST) +
                      (double)L->out_ct * (double)(ng - 1) * COST_ROT;
        if (cost < best) {
            best = cost;
            best_b1 = b1;
        }
    }
    L->b1 = best_b1;

    /* the rotations of that split */
    L->baby = malloc(cn * kk * sizeof(safenet_he_rot_t));
    L->giant = malloc(cn * sizeof(safenet_he_rot_t));
    if (L->baby == NULL || L->giant == NULL) {
        free(diag);
        return VEIL_ENOMEM;
    }
    for (size_t d = 0; d < cn; d++) {
        if (!diag[d])
            continue;
        size_t sw = d / R, dc = d % R;
        size_t db = dc % L->b1, dg = dc - db;
        for (size_t ky = 0; ky < k; ky++)
            for (size_t kx = 0; kx < k; kx++) {
                int64_t delta = ((int64_t)ky - (int64_t)pad) * (int64_t)W +
                                (int64_t)kx - (int64_t)pad;
                L->baby[L->nbaby++] =
                    safenet_he_rot_make(ctx, (int64_t)(db * blk) + delta, 0);
            }
        L->giant[L->ngiant++] =
            safenet_he_rot_make(ctx, (int64_t)(dg * blk), (uint32_t)sw);
    }
    free(diag);
    rot_unique(L->baby, &L->nbaby);
    rot_unique(L->giant, &L->ngiant);
    return VEIL_OK;
}

/* ----------------------------------------------------------- dense */

static veil_status compile_dense(safenet_he_layer_t *L)
{
    const safenet_he_shape_t *sh = &L->shape;
    const bfv_context_t *ctx = L->ctx;
    const size_t n = L->n, h = n / 2;
    veil_status s;

    L->in_len = sh->c_in;
    L->out_len = sh->c_out;
    L->oh = L->ow = 1;
    const size_t B = pow2_at_least(sh->c_out);
    if (B > h / 2)
        return VEIL_EUNSUPPORTED;
    size_t c = pow2_at_least(sh->c_in);
    if (c > h / 2)
        c = h / 2;
    if (c < B)
        c = B;
    L->blk = c; /* the chunk of the input each ciphertext holds */
    L->in_ct = (sh->c_in + c - 1) / c;
    L->out_ct = 1;
    if ((s = alloc_maps(L)) != VEIL_OK)
        return s;
    /* input chunk i at slots [0, c) of row 0, then its first B elements
     * again at [c, c + B) (the cyclic extension the diagonals read) */
    for (size_t i = 0; i < L->in_ct; i++)
        for (size_t e = 0; e < c; e++) {
            size_t x = i * c + e;
            if (x >= sh->c_in)
                continue;
            L->in_map[i * n + e] = (int32_t)x;
            if (e < B)
                L->in_map[i * n + c + e] = (int32_t)x;
        }
    /* accumulator slot u < c adds to output u mod B; fold to slots < B */
    for (size_t u = 0; u < c; u++)
        if (u % B < sh->c_out)
            L->acc_map[u] = (int32_t)(u % B);
    for (size_t j = 0; j < sh->c_out; j++)
        L->out_pos[j] = (uint32_t)j;

    /* split B into babies [0, b1) and giants b1 * [0, B / b1) */
    double best = INFINITY;
    L->b1 = 1;
    for (size_t b1 = 1; b1 <= B; b1 *= 2) {
        double cost =
            (double)L->in_ct *
                (b1 > 1 ? COST_PREP + (double)(b1 - 1) * COST_HOIST : 0.0) +
            (double)(B / b1 - 1) * COST_ROT;
        if (cost < best) {
            best = cost;
            L->b1 = b1;
        }
    }
    L->nbaby = L->b1;
    L->ngiant = B / L->b1;
    for (size_t f = c / 2; f >= B; f /= 2)
        L->nfold++;
    L->baby = malloc(L->nbaby * sizeof(safenet_he_rot_t));
    L->giant = malloc(L->ngiant * sizeof(safenet_he_rot_t));
    L->fold = malloc((L->nfold + 1) * sizeof(safenet_he_rot_t));
    if (L->baby == NULL || L->giant == NULL || L->fold == NULL)
        return VEIL_ENOMEM;
    for (size_t b = 0; b < L->nbaby; b++)
        L->baby[b] = safenet_he_rot_make(ctx, (int64_t)b, 0);
    for (size_t g = 0; g < L->ngiant; g++)
        L->giant[g] = safenet_he_rot_make(ctx, (int64_t)(g * L->b1), 0);
    size_t nf = 0;
    for (size_t f = c / 2; f >= B; f /= 2)
        L->fold[nf++] = safenet_he_rot_make(ctx, (int64_t)f, 0);
    return VEIL_OK;
}

/* ------------------------------------------------------------ init */

/* The flood and the bound it must hide (doc/22).  The reply's noise before
 * the flood is a sum of T products P (.) e, P a plaintext with coefficients
 * spread over (-t/2, t/2] (variance t^2 / 12), e the noise of a rotated
 * input (standard deviation below 2^LOG_SIGMA_IN): each coefficient has
 * variance at most T n t^2 sigma^2 / 12; the bound B is 2^LOG_TAIL
 * standard deviations.  The flood is the largest power of two that keeps
 * the total below Q / (8t): decryption stays correct with two bits to
 * spare, and the statistical distance to a W-independent reply is at most
 * n B / 2^f. */
static void flood_bound(safenet_he_layer_t *L)
{
    const bfv_context_t *ctx = L->ctx;
    double terms = (double)L->in_ct * (double)L->nbaby * (double)L->ngiant *
                   ldexp(1.0, (int)L->nfold);
    double logt = log2((double)ctx->params.t);
    double logq = 0;
    for (size_t i = 0; i < ctx->n_q; i++)
        logq += log2((double)ctx->params.q[i]);
    L->noise_bits = 0.5 * (log2(terms) + (double)ctx->logn + 2 * logt -
                           log2(12.0) + 2 * LOG_SIGMA_IN) +
                    LOG_TAIL;
    L->flood_bits = (unsigned)floor(logq - logt - 3.0);
    L->stat_sec = (double)L->flood_bits - (double)ctx->logn - L->noise_bits;
}

veil_status safenet_he_layer_init(safenet_he_layer_t *L,
                                  const safenet_he_shape_t *shape,
                                  const bfv_context_t *ctx)
{
    veil_status s;
    if (L == NULL)
        return VEIL_EINVAL;
    memset(L, 0, sizeof(*L));
    if (shape == NULL || ctx == NULL || !ctx->batching || shape->c_in == 0 ||
        shape->c_out == 0 || shape->h == 0 || shape->w == 0 ||
        ctx->params.t >> 49 != 0)
        return VEIL_EINVAL;
    L->shape = *shape;
    L->ctx = ctx;
    L->n = ctx->n;
    if (shape->kind == SAFENET_HE_CONV) {
        if ((uint64_t)shape->c_in * shape->h * shape->w > INT32_MAX ||
            (uint64_t)shape->c_out * shape->h * shape->w > INT32_MAX)
            return VEIL_EUNSUPPORTED;
        s = compile_conv(L);
    } else if (shape->kind == SAFENET_HE_DENSE) {
        if (shape->h != 1 || shape->w != 1)
            return VEIL_EINVAL;
        s = compile_dense(L);
    } else {
        s = VEIL_EINVAL;
    }
    if (s == VEIL_OK) {
        flood_bound(L);
        if (L->stat_sec < SAFENET_HE_STAT_SEC)
            s = VEIL_EPARAM;
    }
    if (s != VEIL_OK)
        safenet_he_layer_clear(L);
    return s;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

veil_status safenet_he_galois_elts(uint64_t **elts, size_t *count,
                                   const safenet_he_layer_t *layers,
                                   size_t nlayers)
{
    size_t total = 0, k = 0;
    uint64_t *e;
    if (elts == NULL || count == NULL || (layers == NULL && nlayers > 0))
        return VEIL_EINVAL;
    *elts = NULL;
    *count = 0;
    for (size_t l = 0; l < nlayers; l++)
        total += layers[l].nbaby + layers[l].ngiant + layers[l].nfold;
    if (total == 0)
        return VEIL_OK;
    if ((e = malloc(total * sizeof(uint64_t))) == NULL)
        return VEIL_ENOMEM;
    for (size_t l = 0; l < nlayers; l++) {
        const safenet_he_layer_t *L = &layers[l];
        for (size_t i = 0; i < L->nbaby; i++)
            e[k++] = L->baby[i].elt;
        for (size_t i = 0; i < L->ngiant; i++)
            e[k++] = L->giant[i].elt;
        for (size_t i = 0; i < L->nfold; i++)
            e[k++] = L->fold[i].elt;
    }
    qsort(e, k, sizeof(uint64_t), u64_cmp);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (e[i] != 1 && (m == 0 || e[m - 1] != e[i]))
            e[m++] = e[i];
    if (m == 0) {
        free(e);
        return VEIL_OK;
    }
    *elts = e;
    *count = m;
    return VEIL_OK;
}
