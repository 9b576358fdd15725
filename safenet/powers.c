/*
 * powers.c - power tuples for the polynomial channels from Beaver triples.
 *
 * From a triple (a, b, c = a b): open delta = a - b (uniform, since b is
 * independent of a, so a stays uniform given delta); then
 *     a^2 = a b + a (a - b) = c + delta a,
 * a local step.  A degree-3 tuple also needs (b', a b') with b'
 * independent: from a second triple (a', b', c' = a' b') open
 * eps = a - a' and take a b' = c' + eps b'.  So a degree-2 tuple costs one
 * triple, a degree-3 tuple two, and both openings of a batch travel in one
 * exchange.  The triples come from BFV (mpc_triples_bfv_*) in the
 * protocol, from the dealer in tests.  doc/22-safenet.md, section 4.
 */
#include <stdlib.h>

#include "safenet_internal.h"

#define CHUNK 32768

veil_status safenet_powers_from_triples(mpc_powers_t *pw, const mpc_field_t *f,
                                        mpc_chan_t *ch, int party,
                                        mpc_triples_t *t)
{
    const size_t n = pw ? pw->n : 0;
    const unsigned deg = pw ? pw->deg : 0;
    const size_t need = deg == 3 ? 2 * n : n;
    uint64_t *mine = NULL, *theirs = NULL;
    veil_status st = VEIL_OK;
    if (pw == NULL || f == NULL || ch == NULL || t == NULL ||
        (party != 0 && party != 1) || (deg != 2 && deg != 3) || n == 0)
        return VEIL_EINVAL;
    if (need > t->n - t->used)
        return VEIL_ERANGE;
    mine = veil_alloc(2 * CHUNK * sizeof(uint64_t));
    theirs = veil_alloc(2 * CHUNK * sizeof(uint64_t));
    if (mine == NULL || theirs == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    {
        const size_t u1 = t->used, u2 = t->used + n;
        t->used += need; /* consumed even if the opening fails */
        for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += CHUNK) {
            const size_t m = n - j0 < CHUNK ? n - j0 : CHUNK;
            const size_t w = deg == 3 ? 2 * m : m;
            const uint64_t *a = t->a + u1 + j0, *b = t->b + u1 + j0;
            const uint64_t *c = t->c + u1 + j0;
            mpc_field_vec_sub(f, mine, a, b, m);
            if (deg == 3)
                mpc_field_vec_sub(f, mine + m, a, t->a + u2 + j0, m);
            st = mpc_chan_exchange(ch, theirs, mine, w * sizeof(uint64_t));
            for (size_t i = 0; st == VEIL_OK && i < w; i++)
                if (theirs[i] >= f->p)
                    st = VEIL_EFORMAT;
            if (st != VEIL_OK)
                break;
            mpc_field_vec_add(f, mine, mine, theirs, w); /* delta, eps */
            for (size_t i = 0; i < m; i++) {
                pw->a[j0 + i] = a[i];
                pw->a2[j0 + i] =
                    mpc_field_add(f, c[i], mpc_field_mul(f, mine[i], a[i]));
            }
            if (deg == 3)
                for (size_t i = 0; i < m; i++) {
                    uint64_t b2 = t->b[u2 + j0 + i], c2 = t->c[u2 + j0 + i];
                    pw->b[j0 + i] = b2;
                    pw->ab[j0 + i] =
                        mpc_field_add(f, c2, mpc_field_mul(f, mine[m + i], b2));
                }
        }
    }
    pw->used = 0;
done:
    if (mine)
        veil_free_secret(mine, 2 * CHUNK * sizeof(uint64_t));
    if (theirs)
        veil_free_secret(theirs, 2 * CHUNK * sizeof(uint64_t));
    return st;
}
