/*
 * trunc.c - truncation of shares over F_p that never fails
 * (doc/22-safenet.md, section 4).
 *
 * Local (SecureML) truncation fails, off by about p / 2^k, when the two
 * shares of v straddle the wrap at p: probability |v| / p, about 2^-11
 * per truncation at 15 + 15 fractional bits with Delphi's 41-bit p.  Here
 * the wrap bit is computed instead, with one Beaver product of two bits:
 *
 *   1. The server adds the public offset B to its share, so the shared
 *      value is x = v + B, and 0 <= x < H = (p + 1) / 2 when |v| <= B.
 *   2. With shares c (client) and s (server, offset included) in [0, p),
 *      c + s = x + w p for the wrap bit w.  For 0 <= x < H,
 *          w = a OR b,   a = [c >= H],  b = [s >= H]:
 *      both below H: c + s <= p - 1, no wrap; both at least H:
 *      c + s >= p + 1, a wrap; one of each: c + s >= H, and without a wrap
 *      x = c + s >= H, impossible.
 *   3. a OR b = a + b - a b; a b by Beaver's multiplication on the sharings
 *      (a, 0) and (0, b): one triple, one opening of two uniform values.
 *   4. Writing c = c_h 2^k + c_l (and s, p alike),
 *          floor(x / 2^k) = c_h + s_h - w p_h + e,
 *      e = floor((c_l + s_l - w p_l) / 2^k) in {-1, 0, 1}; each party keeps
 *      its high part minus p_h times its share of w, and the server
 *      removes B / 2^k (B is a multiple of 2^k).
 *
 * The result is floor(v / 2^k) + {-1, 0, 1} for every |v| <= B, with no
 * failure probability.  B is about p / 4 (2^38.9 for Delphi's p).
 */
#include "safenet_internal.h"

uint64_t sn_trunc_bound(uint64_t p)
{
    const uint64_t h = (p + 1) / 2;
    return ((h - 1) / 2) & ~((UINT64_C(1) << SAFENET_MAX_SHIFT) - 1);
}

veil_status sn_trunc(const mpc_field_t *f, mpc_chan_t *ch, int party,
                     mpc_triples_t *t, uint64_t *v, size_t n, unsigned k)
{
    const uint64_t p = f->p, h = (p + 1) / 2, bnd = sn_trunc_bound(p);
    const uint64_t ph = p >> k, boff = bnd >> k;
    uint64_t *x = NULL, *y = NULL;
    veil_status st;
    if (k == 0 || n == 0)
        return VEIL_OK;
    if (k > SAFENET_MAX_SHIFT || (party != 0 && party != 1))
        return VEIL_EINVAL;
    if (n > t->n - t->used)
        return VEIL_ERANGE;
    x = veil_alloc(n * sizeof(uint64_t));
    y = veil_alloc(n * sizeof(uint64_t));
    if (x == NULL || y == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    /* 1-2: the bits a (client) and b (server) as sharings (a, 0), (0, b) */
    for (size_t i = 0; i < n; i++) {
        uint64_t s = party == 1 ? mpc_field_add(f, v[i], bnd) : v[i];
        uint64_t bit = s >= h;
        v[i] = s;
        x[i] = party == 0 ? bit : 0;
        y[i] = party == 1 ? bit : 0;
    }
    /* 3: shares of a b; then of w = a + b - a b (x[i] + y[i] is our bit) */
    {
        uint64_t *xy = veil_alloc(n * sizeof(uint64_t));
        if (xy == NULL) {
            st = VEIL_ENOMEM;
            goto done;
        }
        st = mpc_beaver_mul(f, ch, party, t, xy, x, y, n);
        for (size_t i = 0; st == VEIL_OK && i < n; i++)
            x[i] = mpc_field_sub(f, x[i] + y[i], xy[i]);
        veil_free_secret(xy, n * sizeof(uint64_t));
        if (st != VEIL_OK)
            goto done;
    }
    /* 4: high part minus p_h <w>, the server also minus B / 2^k */
    for (size_t i = 0; i < n; i++) {
        uint64_t r =
            mpc_field_sub(f, v[i] >> k, mpc_field_mul(f, ph % p, x[i]));
        v[i] = party == 1 ? mpc_field_sub(f, r, boff) : r;
    }
done:
    if (x)
        veil_free_secret(x, n * sizeof(uint64_t));
    if (y)
        veil_free_secret(y, n * sizeof(uint64_t));
    return st;
}
