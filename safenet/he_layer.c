/*
 * he_layer.c - compiling a linear layer for the offline phase (he.h):
 * the packing (slot maps), the baby, giant and fold rotations, and the
 * flooding bound.  Everything here depends only on the public shape and
 * the context, so client and server compile the same layer.
 * doc/23-safenet-he.md, "Packing" and "Why the reply hides W".
 */
#include "he_internal.h"
#include "veil/lola_kernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Measured costs (microseconds, n = 8192, safenet_he_params, one thread,
 * this machine; doc/23 gives the command): a hoisted decomposition, a
 * rotation after it, a full rotation.  Only their ratios matter. */
#define COST_PREP 220.0
#define COST_HOIST 550.0
#define COST_ROT 750.0

/* Standard deviation assumed for the noise of a rotated input (in units
 * of c_0; measured about 2^4.5 for the division by P, doc/23). */
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
    r.aux = 0;
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
    free(L->out_pos);
    free(L->baby);
    free(L->giant);
    free(L->elts);
    if (L->dense != NULL) {
        lola_step_clear(L->dense);
        free(L->dense);
    }
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
    L->out_pos = malloc(L->out_len * sizeof(uint32_t));
    if (L->in_map == NULL || L->out_pos == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < L->in_ct * n; i++)
        L->in_map[i] = -1;
    for (size_t i = 0; i < L->out_len; i++)
        L->out_pos[i] = UINT32_MAX;
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
                L->out_pos[e] = (uint32_t)(base + oy * st * W + ox * st);
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
                safenet_he_rot_t r =
                    safenet_he_rot_make(ctx, (int64_t)(db * blk) + delta, 0);
                r.aux = (uint32_t)(db << 16 | ky << 8 | kx);
                L->baby[L->nbaby++] = r;
            }
        L->giant[L->ngiant++] =
            safenet_he_rot_make(ctx, (int64_t)(dg * blk), (uint32_t)sw);
    }
    free(diag);
    rot_unique(L->baby, &L->nbaby);
    rot_unique(L->giant, &L->ngiant);
    L->terms = (double)L->in_ct * (double)L->nbaby * (double)L->ngiant;
    return VEIL_OK;
}

/* ----------------------------------------------------------- dense */

/* LoLa's diagonal kernel (lola_kernels.h, lola_kernel_diag): the input in
 * one message, STACKED with as many copies as fit (copies let the kernel
 * cover the diagonals with fewer offsets), output row j accumulated in the
 * slots j mod block (block the power of two >= out), baby-step giant-step
 * with hoisted babies, then the fold.  Only the structure is compiled here
 * (no weights): both sides build the same program. */
static veil_status compile_dense(safenet_he_layer_t *L)
{
    const safenet_he_shape_t *sh = &L->shape;
    const size_t n = L->n, h = n / 2;
    lola_layout_t in;
    lola_matrix_t m;
    veil_status s;

    L->in_len = sh->c_in;
    L->out_len = sh->c_out;
    L->oh = L->ow = 1;
    const size_t block = pow2_at_least(sh->c_out);
    const size_t period = pow2_at_least(sh->c_in);
    if (block > h || sh->c_in > n)
        return VEIL_EUNSUPPORTED;
    if (period <= h)
        s = lola_layout_stacked(&in, n, sh->c_in, period, n / period);
    else
        s = lola_layout_dense(&in, n, sh->c_in, 0);
    if (s != VEIL_OK)
        return s;
    memset(&m, 0, sizeof(m));
    m.rows = sh->c_out;
    m.cols = sh->c_in;
    if ((L->dense = calloc(1, sizeof(lola_step_t))) == NULL) {
        lola_layout_clear(&in);
        return VEIL_ENOMEM;
    }
    s = lola_kernel_diag(L->dense, &m, &in, block, 0, 1);
    if (s != VEIL_OK) {
        free(L->dense);
        L->dense = NULL;
        lola_layout_clear(&in);
        return s == VEIL_EINVAL ? VEIL_EUNSUPPORTED : s;
    }
    L->blk = block;
    L->in_ct = in.nct;
    L->out_ct = L->dense->nout;
    if ((s = alloc_maps(L)) != VEIL_OK) {
        lola_layout_clear(&in);
        return s;
    }
    for (size_t c = 0; c < in.nct; c++)
        for (size_t k = 0; k < n; k++) {
            int32_t e = lola_layout_at(&in, c, k);
            L->in_map[c * n + k] = e >= 0 ? e : -1;
        }
    lola_layout_clear(&in);
    for (size_t c = 0; c < L->dense->layout.nct; c++)
        for (size_t k = 0; k < n; k++) {
            int32_t e = lola_layout_at(&L->dense->layout, c, k);
            if (e >= 0 && (size_t)e < L->out_len && L->out_pos[e] == UINT32_MAX)
                L->out_pos[e] = (uint32_t)(c * n + k);
        }
    for (size_t e = 0; e < L->out_len; e++)
        if (L->out_pos[e] == UINT32_MAX)
            return VEIL_EPARAM; /* an output the program does not make */
    /* products and folds per output, for the noise bound */
    for (size_t o = 0; o < L->dense->nout; o++) {
        const lola_output_t *out = &L->dense->out[o];
        if ((double)out->nterms > L->terms)
            L->terms = (double)out->nterms;
        if (out->nfold > L->folds)
            L->folds = (unsigned)out->nfold;
    }
    return VEIL_OK;
}

/* ------------------------------------------------------------ init */

static veil_status layer_elts(safenet_he_layer_t *L);

/* The flood and the bound it must hide (doc/23).  Before the folds the
 * reply's noise is a sum of T products P (.) e, P a plaintext whose
 * coefficients are spread over (-t/2, t/2] (variance t^2 / 12), e the
 * noise of a rotated input (standard deviation below 2^LOG_SIGMA_IN): each
 * coefficient has variance at most T n t^2 sigma^2 / 12, and we bound it
 * by 2^LOG_TAIL standard deviations.  A fold y + rot(y) at most doubles
 * the largest coefficient (measured: it does double it), so each fold adds
 * one bit.  The flood 2^f is the largest power of two that keeps the total
 * below Q / (8t): decryption stays correct with two bits to spare, and
 * the statistical distance to a W-independent reply is at most
 * n B / 2^f (he_flood.c).  test/safenet/he.c checks the measured noise
 * against B.  The flood is relative to Q, so the reply keeps its budget
 * when switched to fewer primes, down to the limbs where the rounding
 * t (1 + n) / 2 of bfv_mod_switch would eat it. */
static void flood_bound(safenet_he_layer_t *L)
{
    const bfv_context_t *ctx = L->ctx;
    int budget;
    double terms = L->terms;
    double logt = log2((double)ctx->params.t);
    double logq = 0;
    for (size_t i = 0; i < ctx->n_q; i++)
        logq += log2((double)ctx->params.q[i]);
    L->noise_bits = 0.5 * (log2(terms) + (double)ctx->logn + 2 * logt -
                           log2(12.0) + 2 * LOG_SIGMA_IN) +
                    LOG_TAIL + (double)L->folds;
    L->flood_bits = (unsigned)floor(logq - logt - 3.0);
    L->stat_sec = (double)L->flood_bits - (double)ctx->logn - L->noise_bits;
    /* budget b once flooded: 2 t |e| 2^b <= Q with |e| <= 2^f + 2^noise */
    budget =
        (int)floor(logq - 1.0 - logt -
                   log2(ldexp(1.0, (int)L->flood_bits) + exp2(L->noise_bits)));
    if (bfv_mod_switch_limbs(&L->reply_limbs, ctx, 2, budget, 1) != VEIL_OK)
        L->reply_limbs = ctx->n_q;
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
    if (s == VEIL_OK)
        s = layer_elts(L);
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

/* Sort, drop the identity and duplicates. */
static size_t elts_unique(uint64_t *e, size_t k)
{
    size_t m = 0;
    qsort(e, k, sizeof(uint64_t), u64_cmp);
    for (size_t i = 0; i < k; i++)
        if (e[i] != 1 && (m == 0 || e[m - 1] != e[i]))
            e[m++] = e[i];
    return m;
}

/* L->elts: the Galois elements of the layer's rotations. */
static veil_status layer_elts(safenet_he_layer_t *L)
{
    size_t cap = L->nbaby + L->ngiant + 1, k = 0;
    if (L->dense != NULL)
        for (size_t o = 0; o < L->dense->nout; o++)
            cap += 2 * L->dense->out[o].nterms + L->dense->out[o].nfold;
    if ((L->elts = malloc(cap * sizeof(uint64_t))) == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < L->nbaby; i++)
        L->elts[k++] = L->baby[i].elt;
    for (size_t i = 0; i < L->ngiant; i++)
        L->elts[k++] = L->giant[i].elt;
    if (L->dense != NULL)
        (void)lola_step_galois(L->elts, &k, L->dense);
    L->nelts = elts_unique(L->elts, k);
    return VEIL_OK;
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
        total += layers[l].nelts;
    if (total == 0)
        return VEIL_OK;
    if ((e = malloc(total * sizeof(uint64_t))) == NULL)
        return VEIL_ENOMEM;
    for (size_t l = 0; l < nlayers; l++)
        for (size_t i = 0; i < layers[l].nelts; i++)
            e[k++] = layers[l].elts[i];
    *elts = e;
    *count = elts_unique(e, k);
    return VEIL_OK;
}
