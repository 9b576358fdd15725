/*
 * poly.c - the polynomial channels of one activation layer, online, all
 * channels of the layer in one batch (doc/22-safenet.md, sections 3.3 and
 * 4), by Horner's rule: with x the layer input at scale 2^(frac + shift),
 *
 *   x = trunc(x, shift)                          scale 2^frac
 *   t = trunc(c_d x) + c_(d-1)                   local product
 *   t = trunc(t x) + c_(d-2)                     Beaver product
 *   degree 3: t = trunc(t x) + c0                Beaver product
 *
 * Horner keeps every intermediate near the size of the polynomial's
 * value, where the powers x^2, x^3 at scale 2^(2 frac) would overflow the
 * field for |x| above about 8 at 15 fractional bits.  Every trunc is
 * sn_trunc (no failure, at most one unit of error); the reference
 * evaluator (ref.c, poly_ref) takes exactly these steps.  Triples: 4 per
 * degree-2 element, 6 per degree-3 element; rounds: 4, or 6 with a
 * degree-3 channel, per layer whatever the number of channels.
 */
#include <string.h>

#include "safenet_internal.h"

/* For every batch element j (poly3 channels first, then poly2) the
 * coefficient c_i3 of its channel if it is degree 3, c_i2 if degree 2. */
static void coef_vec(const safenet_layer_t *L, uint64_t *out, unsigned i3,
                     unsigned i2, size_t n3)
{
    const size_t hw = (size_t)L->in.h * L->in.w;
    size_t j3 = 0, j2 = n3;
    for (uint32_t c = 0; c < L->in.c; c++) {
        size_t j0;
        uint64_t v;
        if (L->kind[c] == SAFENET_POLY3) {
            j0 = j3;
            j3 += hw;
            v = L->coef[4 * c + i3];
        } else if (L->kind[c] == SAFENET_POLY2) {
            j0 = j2;
            j2 += hw;
            v = L->coef[4 * c + i2];
        } else
            continue;
        for (size_t j = j0; j < j0 + hw; j++)
            out[j] = v;
    }
}

veil_status sn_poly_layer(const safenet_net_t *net, const safenet_layer_t *L,
                          mpc_chan_t *ch, int party, mpc_triples_t *tr,
                          uint64_t *cur)
{
    const mpc_field_t *f = &net->f;
    const size_t hw = (size_t)L->in.h * L->in.w;
    size_t n2 = 0, n3 = 0, n;
    uint64_t *x, *t, *k;
    veil_status st;
    for (uint32_t c = 0; c < L->in.c; c++) {
        n2 += L->kind[c] == SAFENET_POLY2 ? hw : 0;
        n3 += L->kind[c] == SAFENET_POLY3 ? hw : 0;
    }
    if ((n = n2 + n3) == 0)
        return VEIL_OK;
    x = veil_alloc(3 * n * sizeof(uint64_t));
    if (x == NULL)
        return VEIL_ENOMEM;
    t = x + n;
    k = t + n;
    /* gather: poly3 channels first */
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
    /* t = trunc(c_d x) + c_(d-1) */
    coef_vec(L, k, 3, 2, n3);
    mpc_field_vec_mul(f, t, x, k, n);
    if ((st = sn_trunc(f, ch, party, tr, t, n, f->frac)) != VEIL_OK)
        goto done;
    coef_vec(L, k, 2, 1, n3);
    if (party == 0)
        mpc_field_vec_add(f, t, t, k, n);
    /* t = trunc(t x) + c_(d-2) */
    if ((st = mpc_beaver_mul(f, ch, party, tr, t, t, x, n)) != VEIL_OK ||
        (st = sn_trunc(f, ch, party, tr, t, n, f->frac)) != VEIL_OK)
        goto done;
    coef_vec(L, k, 1, 0, n3);
    if (party == 0)
        mpc_field_vec_add(f, t, t, k, n);
    /* degree 3: t = trunc(t x) + c0 */
    if (n3 > 0) {
        if ((st = mpc_beaver_mul(f, ch, party, tr, t, t, x, n3)) != VEIL_OK ||
            (st = sn_trunc(f, ch, party, tr, t, n3, f->frac)) != VEIL_OK)
            goto done;
        coef_vec(L, k, 0, 0, n3);
        if (party == 0)
            mpc_field_vec_add(f, t, t, k, n3);
    }
    /* scatter */
    {
        size_t j3 = 0, j2 = n3;
        for (uint32_t c = 0; c < L->in.c; c++) {
            if (L->kind[c] == SAFENET_POLY3) {
                memcpy(cur + c * hw, t + j3, hw * sizeof(uint64_t));
                j3 += hw;
            } else if (L->kind[c] == SAFENET_POLY2) {
                memcpy(cur + c * hw, t + j2, hw * sizeof(uint64_t));
                j2 += hw;
            }
        }
    }
done:
    veil_free_secret(x, 3 * n * sizeof(uint64_t));
    return st;
}
