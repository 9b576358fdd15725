/*
 * lola/layout.c - message representations as data (lola_kernels.h,
 * "representations"; paper section 4.2.1): which slot of which message
 * holds which element of a vector, the constructors of the paper's
 * representations and of the chunked one, and encoding / decoding of slot
 * values.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

const char *lola_rep_name(lola_rep_t rep)
{
    switch (rep) {
    case LOLA_DENSE:
        return "dense";
    case LOLA_SPARSE:
        return "sparse";
    case LOLA_STACKED:
        return "stacked";
    case LOLA_INTERLEAVED:
        return "interleaved";
    case LOLA_CONV:
        return "convolution";
    case LOLA_SIMD:
        return "simd";
    case LOLA_CHUNKED:
        return "chunked";
    }
    return "?";
}

static int slots_ok(size_t n)
{
    return lola_pow2(n) && n >= 8 && n <= ((size_t)1 << NTT_MAX_LOGN) &&
           n <= (size_t)INT32_MAX;
}

veil_status lola_layout_init(lola_layout_t *l, lola_rep_t rep, size_t n,
                             size_t nct, size_t len)
{
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (!slots_ok(n) || nct == 0 || len == 0 || len > (size_t)INT32_MAX ||
        nct > SIZE_MAX / n / sizeof(int32_t))
        return VEIL_EINVAL;
    l->map = malloc(nct * n * sizeof(int32_t));
    if (l->map == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < nct * n; i++)
        l->map[i] = LOLA_ZERO;
    l->rep = rep;
    l->n = n;
    l->nct = nct;
    l->len = len;
    return VEIL_OK;
}

void lola_layout_clear(lola_layout_t *l)
{
    if (l == NULL)
        return;
    free(l->map);
    free(l->target);
    memset(l, 0, sizeof(*l));
}

veil_status lola_layout_copy(lola_layout_t *dst, const lola_layout_t *src)
{
    if (dst == NULL || src == NULL)
        return VEIL_EINVAL;
    *dst = *src;
    dst->map = NULL;
    dst->target = NULL;
    if (src->map != NULL) {
        dst->map = malloc(src->nct * src->n * sizeof(int32_t));
        if (dst->map == NULL)
            goto nomem;
        memcpy(dst->map, src->map, src->nct * src->n * sizeof(int32_t));
    }
    if (src->target != NULL) {
        dst->target = malloc(src->n * sizeof(int32_t));
        if (dst->target == NULL)
            goto nomem;
        memcpy(dst->target, src->target, src->n * sizeof(int32_t));
    }
    return VEIL_OK;
nomem:
    lola_layout_clear(dst);
    return VEIL_ENOMEM;
}

veil_status lola_layout_dense(lola_layout_t *l, size_t n, size_t len,
                              size_t offset)
{
    veil_status st;
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (offset > n || len > n - offset)
        return VEIL_EINVAL;
    st = lola_layout_init(l, LOLA_DENSE, n, 1, len);
    if (st != VEIL_OK)
        return st;
    for (size_t i = 0; i < len; i++)
        l->map[offset + i] = (int32_t)i;
    return VEIL_OK;
}

veil_status lola_layout_stacked(lola_layout_t *l, size_t n, size_t len,
                                size_t period, size_t copies)
{
    veil_status st;
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (!slots_ok(n) || !lola_pow2(period) || period > n / 2 || len > period ||
        copies == 0 || copies > n / period)
        return VEIL_EINVAL;
    st = lola_layout_init(l, LOLA_STACKED, n, 1, len);
    if (st != VEIL_OK)
        return st;
    for (size_t j = 0; j < copies; j++)
        for (size_t i = 0; i < len; i++)
            l->map[j * period + i] = (int32_t)i;
    l->period = period;
    return VEIL_OK;
}

veil_status lola_layout_interleaved(lola_layout_t *l, size_t n, size_t len,
                                    const size_t *perm)
{
    veil_status st;
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (perm == NULL)
        return VEIL_EINVAL;
    st = lola_layout_init(l, LOLA_INTERLEAVED, n, 1, len);
    if (st != VEIL_OK)
        return st;
    for (size_t i = 0; i < len; i++) {
        if (perm[i] >= n || l->map[perm[i]] != LOLA_ZERO) {
            lola_layout_clear(l);
            return VEIL_EINVAL;
        }
        l->map[perm[i]] = (int32_t)i;
    }
    return VEIL_OK;
}

veil_status lola_layout_chunked(lola_layout_t *l, size_t n, size_t len,
                                size_t block, size_t chunk)
{
    veil_status st;
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (!slots_ok(n) || !lola_pow2(block) || block > n / 2 ||
        !lola_pow2(chunk) || chunk > block || len == 0 ||
        (len + chunk - 1) / chunk > n / block)
        return VEIL_EINVAL;
    st = lola_layout_init(l, LOLA_CHUNKED, n, 1, len);
    if (st != VEIL_OK)
        return st;
    for (size_t g = 0; g * chunk < len; g++)
        for (size_t a = 0; a < block / chunk; a++)
            for (size_t e = 0; e < chunk && g * chunk + e < len; e++)
                l->map[g * block + a * chunk + e] = (int32_t)(g * chunk + e);
    l->block = block;
    l->chunk = chunk;
    return VEIL_OK;
}

veil_status lola_layout_sparse(lola_layout_t *l, size_t n, size_t len)
{
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (!slots_ok(n) || len == 0 || len > (size_t)INT32_MAX)
        return VEIL_EINVAL;
    l->rep = LOLA_SPARSE;
    l->n = n;
    l->nct = len;
    l->len = len;
    return VEIL_OK;
}

veil_status lola_layout_simd(lola_layout_t *l, size_t n, size_t len,
                             size_t batch)
{
    if (l == NULL)
        return VEIL_EINVAL;
    memset(l, 0, sizeof(*l));
    if (!slots_ok(n) || len == 0 || len > (size_t)INT32_MAX || batch == 0 ||
        batch > n)
        return VEIL_EINVAL;
    l->rep = LOLA_SIMD;
    l->n = n;
    l->nct = len;
    l->len = len;
    l->batch = batch;
    return VEIL_OK;
}

int32_t lola_layout_at(const lola_layout_t *l, size_t m, size_t s)
{
    if (l->map != NULL)
        return l->map[m * l->n + s];
    if (l->rep == LOLA_SIMD && s >= l->batch)
        return LOLA_GARBAGE; /* unused records: biases land there */
    return (int32_t)m;
}

void lola_layout_nonzero(uint8_t *nz, const lola_layout_t *l, size_t m)
{
    for (size_t s = 0; s < l->n; s++)
        nz[s] = lola_layout_at(l, m, s) != LOLA_ZERO;
}

void lola_layout_encode(int64_t *slots, const lola_layout_t *l,
                        const int64_t *v)
{
    for (size_t m = 0; m < l->nct; m++)
        for (size_t s = 0; s < l->n; s++) {
            const int32_t e = lola_layout_at(l, m, s);
            int64_t x = 0;
            if (e >= 0)
                x = l->rep == LOLA_SIMD ? v[s * l->len + (size_t)e] : v[e];
            slots[m * l->n + s] = x;
        }
}

veil_status lola_layout_decode(int64_t *v, const lola_layout_t *l,
                               const int64_t *slots, int check)
{
    const size_t records = l->rep == LOLA_SIMD ? l->batch : 1;
    uint8_t *seen = calloc(records * l->len, 1);
    int64_t *shares = calloc(records * l->len + 1, sizeof(int64_t));
    veil_status st = VEIL_OK;

    if (seen == NULL || shares == NULL) {
        free(seen);
        free(shares);
        return VEIL_ENOMEM;
    }
    for (size_t m = 0; m < l->nct && st == VEIL_OK; m++)
        for (size_t s = 0; s < l->n; s++) {
            const int32_t e = lola_layout_at(l, m, s);
            const int64_t x = slots[m * l->n + s];
            size_t i;
            if (LOLA_IS_SHARE(e) && l->rep != LOLA_SIMD) {
                if (LOLA_SHARE_OF(e) >= l->len) {
                    st = VEIL_EINVAL;
                    break;
                }
                shares[LOLA_SHARE_OF(e)] += x;
                continue;
            }
            if (e == LOLA_ZERO) {
                if (check && x != 0) {
                    st = VEIL_ERANGE;
                    break;
                }
                continue;
            }
            if (e < 0)
                continue;
            i = l->rep == LOLA_SIMD ? s * l->len + (size_t)e : (size_t)e;
            if (!seen[i]) {
                seen[i] = 1;
                v[i] = x;
            } else if (check && v[i] != x) {
                st = VEIL_ERANGE;
                break;
            }
        }
    for (size_t i = 0; i < records * l->len && st == VEIL_OK; i++) {
        if (!seen[i])
            st = VEIL_EINVAL;
        v[i] += shares[i];
    }
    free(seen);
    free(shares);
    return st;
}
