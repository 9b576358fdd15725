/*
 * poly.c - the polynomial channels of one activation layer, online, all
 * channels of the layer in one batch (doc/22-safenet.md, sections 3.3 and
 * 4).  With x the layer input at scale 2^(frac + shift) and power tuples
 * (a, a^2[, b, a b]) per element:
 *
 *   x  = trunc(x, shift)                        scale 2^frac
 *   open d = x - a;   x2 = trunc(a^2 + 2 d a + d^2)
 *   degree 3: open e = x2 - b;  x3 = trunc(a b + d b + e a + d e)
 *   z  = trunc(c1 x + c2 x2 + c3 x3) + c0
 *
 * (d^2 and d e added by party 0 only).  Every trunc is sn_trunc: no
 * failure, an error of at most one unit, exactly the steps of the
 * reference evaluator (ref.c, poly_ref).  Six rounds per layer whatever
 * the number of channels.
 */
#include <string.h>

#include "safenet_internal.h"

#define CHUNK 32768

veil_status sn_open(const mpc_field_t *f, mpc_chan_t *ch, uint64_t *v, size_t n)
{
    uint64_t *theirs = veil_alloc((n < CHUNK ? n : CHUNK) * sizeof(uint64_t));
    veil_status st = VEIL_OK;
    if (theirs == NULL)
        return VEIL_ENOMEM;
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += CHUNK) {
        const size_t m = n - j0 < CHUNK ? n - j0 : CHUNK;
        st = mpc_chan_exchange(ch, theirs, v + j0, m * sizeof(uint64_t));
        for (size_t i = 0; st == VEIL_OK && i < m; i++)
            if (theirs[i] >= f->p)
                st = VEIL_EFORMAT;
        if (st == VEIL_OK)
            mpc_field_vec_add(f, v + j0, v + j0, theirs, m);
    }
    veil_free(theirs);
    return st;
}

/* Element j of the batch: poly3 channels first, then poly2. */
veil_status sn_poly_layer(const safenet_net_t *net, const safenet_layer_t *L,
                          mpc_chan_t *ch, int party, const mpc_powers_t *pw3,
                          const mpc_powers_t *pw2, mpc_triples_t *tr,
                          uint64_t *cur)
{
    const mpc_field_t *f = &net->f;
    const size_t hw = (size_t)L->in.h * L->in.w;
    const size_t n3 = pw3->n, n = pw2->n + pw3->n;
    uint64_t *x, *x2, *x3, *d, *e;
    veil_status st;
    if (n == 0)
        return VEIL_OK;
    x = veil_alloc(5 * n * sizeof(uint64_t));
    if (x == NULL)
        return VEIL_ENOMEM;
    x2 = x + n;
    x3 = x2 + n;
    d = x3 + n;
    e = d + n;
    /* gather */
    {
        size_t j3 = 0, j2 = n3;
        for (uint32_t c = 0; c < L->in.c; c++) {
            if (L->kind[c] == SAFENET_POLY3) {
                memcpy(x + j3, cur + c * hw, hw * sizeof(uint64_t));
                j3 += hw;
            } else if (L->kind[c] == SAFENET_POLY2) {
                memcpy(x + j2, cur + c * hw, hw * sizeof(uint64_t));
                j2 += hw;
            }
        }
    }
    /* x = trunc(x, shift) */
    if ((st = sn_trunc(f, ch, party, tr, x, n, L->shift)) != VEIL_OK)
        goto done;
    /* d = x - a (opened); x2 = a^2 + 2 d a (+ d^2) */
    mpc_field_vec_sub(f, d, x, pw3->a, n3);
    mpc_field_vec_sub(f, d + n3, x + n3, pw2->a, n - n3);
    if ((st = sn_open(f, ch, d, n)) != VEIL_OK)
        goto done;
    for (size_t j = 0; j < n; j++) {
        const uint64_t a = j < n3 ? pw3->a[j] : pw2->a[j - n3];
        const uint64_t a2 = j < n3 ? pw3->a2[j] : pw2->a2[j - n3];
        uint64_t r = mpc_field_add(f, a2, mpc_field_mul(f, 2 * d[j] % f->p, a));
        if (party == 0)
            r = mpc_field_add(f, r, mpc_field_mul(f, d[j], d[j]));
        x2[j] = r;
    }
    if ((st = sn_trunc(f, ch, party, tr, x2, n, f->frac)) != VEIL_OK)
        goto done;
    /* degree 3: e = x2 - b (opened); x3 = a b + d b + e a (+ d e) */
    if (n3 > 0) {
        mpc_field_vec_sub(f, e, x2, pw3->b, n3);
        if ((st = sn_open(f, ch, e, n3)) != VEIL_OK)
            goto done;
        for (size_t j = 0; j < n3; j++) {
            uint64_t r =
                mpc_field_add(f, pw3->ab[j], mpc_field_mul(f, d[j], pw3->b[j]));
            r = mpc_field_add(f, r, mpc_field_mul(f, e[j], pw3->a[j]));
            if (party == 0)
                r = mpc_field_add(f, r, mpc_field_mul(f, d[j], e[j]));
            x3[j] = r;
        }
        if ((st = sn_trunc(f, ch, party, tr, x3, n3, f->frac)) != VEIL_OK)
            goto done;
    }
    /* z = trunc(c1 x + c2 x2 + c3 x3) + c0, written back to cur */
    {
        size_t j3 = 0, j2 = n3;
        for (uint32_t c = 0; c < L->in.c; c++) {
            const uint64_t *cf = L->coef + 4 * c;
            size_t j0;
            if (L->kind[c] == SAFENET_POLY3) {
                j0 = j3;
                j3 += hw;
            } else if (L->kind[c] == SAFENET_POLY2) {
                j0 = j2;
                j2 += hw;
            } else
                continue;
            for (size_t j = j0; j < j0 + hw; j++) {
                uint64_t r = mpc_field_mul(f, cf[1], x[j]);
                r = mpc_field_add(f, r, mpc_field_mul(f, cf[2], x2[j]));
                if (j < n3)
                    r = mpc_field_add(f, r, mpc_field_mul(f, cf[3], x3[j]));
                e[j] = r; /* e is free now */
            }
        }
        if ((st = sn_trunc(f, ch, party, tr, e, n, f->frac)) != VEIL_OK)
            goto done;
        j3 = 0;
        j2 = n3;
        for (uint32_t c = 0; c < L->in.c; c++) {
            const uint64_t c0 = party == 0 ? L->coef[4 * c] : 0;
            size_t j0;
            if (L->kind[c] == SAFENET_POLY3) {
                j0 = j3;
                j3 += hw;
            } else if (L->kind[c] == SAFENET_POLY2) {
                j0 = j2;
                j2 += hw;
            } else
                continue;
            for (size_t i = 0; i < hw; i++)
                cur[c * hw + i] = mpc_field_add(f, e[j0 + i], c0);
        }
    }
done:
    veil_free_secret(x, 5 * n * sizeof(uint64_t));
    return st;
}
