/*
 * poly.c - fixed-point polynomials of degree 2 and 3 on shared vectors,
 * the polynomial activations of SAFENet (Lou et al., ICLR 2021).
 *
 * With f fractional bits, x^2 has scale 2^(2f) and must be truncated before
 * it multiplies x again (2^(3f) would not fit a 41-bit p for f = 15).  A
 * power tuple (a, a^2, b, a b) per element gives both products with two
 * openings:
 *   1. d = x - a (opened);   x2 = trunc(d^2 + 2 d a + a^2)
 *   2. e = x2 - b (opened);  x3 = trunc(d e + d b + e a + a b)
 *   3. z = trunc(c1 x + c2 x2 + c3 x3) + c0   (public c_k, local)
 * since x x2 = (d + a)(e + b).  Products by the public c_k use Shoup's
 * precomputation.  mpc_fixed_poly truncates locally (mpc_share_trunc: fails
 * with probability |v| / p per truncation), mpc_fixed_poly_exact with the
 * garbled correction of mpc_trunc (never fails).
 */
#include "beaver_internal.h"
#include "internal.h"
#include "veil/mpc_gc.h"

/* Truncate v[0..m) by f->frac bits: locally (tr NULL) or exactly. */
static veil_status poly_trunc(const mpc_field_t *f, mpc_chan_t *ch, int party,
                              mpc_trunc_t *tr, uint64_t *v, size_t m)
{
    if (tr == NULL) {
        mpc_share_trunc(f, party, v, v, m);
        return VEIL_OK;
    }
    return mpc_trunc(tr, ch, v, v, m);
}

static veil_status poly(const mpc_field_t *f, mpc_chan_t *ch, int party,
                        mpc_trunc_t *tr, mpc_powers_t *t, uint64_t *z,
                        const uint64_t *x, const uint64_t *c, unsigned deg,
                        size_t n)
{
    mpc_open_t o1, o2 = {NULL, NULL};
    uint64_t cs[4], *x2 = NULL, *x3 = NULL;
    veil_status st;
    if (f == NULL || ch == NULL || t == NULL || z == NULL || x == NULL ||
        c == NULL || (party != 0 && party != 1) || n == 0 ||
        (deg != 2 && deg != 3) || t->deg < deg)
        return VEIL_EINVAL;
    for (unsigned k = 0; k <= deg; k++) {
        if (c[k] >= f->p)
            return VEIL_EINVAL;
        cs[k] = mpc_field_shoup(f, c[k]);
    }
    if (n > t->n - t->used)
        return VEIL_ERANGE;
    if ((st = mpc_open_init(&o1, 1)) != VEIL_OK)
        return st;
    x2 = veil_alloc(MPC_OPEN_CHUNK * sizeof(uint64_t));
    if (deg == 3) {
        x3 = veil_alloc(MPC_OPEN_CHUNK * sizeof(uint64_t));
        st = mpc_open_init(&o2, 1);
    }
    if (x2 == NULL || (deg == 3 && x3 == NULL))
        st = VEIL_ENOMEM;

    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += MPC_OPEN_CHUNK) {
        const size_t m = n - j0 < MPC_OPEN_CHUNK ? n - j0 : MPC_OPEN_CHUNK;
        const size_t u = t->used;
        const uint64_t *xs = x + j0, *d = o1.mine;
        /* 0. the tuples are used from here on: an opening that fails may
         * already have sent x - a (see mpc_beaver_mul) */
        t->used += m;
        /* 1 */
        mpc_field_vec_sub(f, o1.mine, xs, t->a + u, m);
        if ((st = mpc_open(f, ch, &o1, m)) != VEIL_OK)
            break;
        mpc_beaver_finish(f, party, x2, d, d, t->a + u, t->a + u, t->a2 + u, m);
        if ((st = poly_trunc(f, ch, party, tr, x2, m)) != VEIL_OK)
            break;
        /* 2 */
        if (deg == 3) {
            const uint64_t *b = t->b + u, *a = t->a + u, *ab = t->ab + u;
            const uint64_t *e = o2.mine;
            mpc_field_vec_sub(f, o2.mine, x2, b, m);
            if ((st = mpc_open(f, ch, &o2, m)) != VEIL_OK)
                break;
            mpc_beaver_finish(f, party, x3, d, e, a, b, ab, m);
            if ((st = poly_trunc(f, ch, party, tr, x3, m)) != VEIL_OK)
                break;
        }
#pragma omp parallel for num_threads(veil_team()) if (m >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
        for (size_t i = 0; i < m; i++) {
            /* 3: x is read before z is written, so z may alias x */
            uint64_t r = mpc_field_mul_shoup(f, xs[i], c[1], cs[1]);
            r = mpc_field_add(f, r, mpc_field_mul_shoup(f, x2[i], c[2], cs[2]));
            if (deg == 3)
                r = mpc_field_add(f, r,
                                  mpc_field_mul_shoup(f, x3[i], c[3], cs[3]));
            z[j0 + i] = r;
        }
        if ((st = poly_trunc(f, ch, party, tr, z + j0, m)) != VEIL_OK)
            break;
        if (party == 0)
            for (size_t i = 0; i < m; i++)
                z[j0 + i] = mpc_field_add(f, z[j0 + i], c[0]);
    }
    mpc_open_clear(&o1);
    mpc_open_clear(&o2);
    veil_free_secret(x2, MPC_OPEN_CHUNK * sizeof(uint64_t));
    veil_free_secret(x3, MPC_OPEN_CHUNK * sizeof(uint64_t));
    return st;
}

veil_status mpc_fixed_poly(const mpc_field_t *f, mpc_chan_t *ch, int party,
                           mpc_powers_t *t, uint64_t *z, const uint64_t *x,
                           const uint64_t *c, unsigned deg, size_t n)
{
    return poly(f, ch, party, NULL, t, z, x, c, deg, n);
}

veil_status mpc_fixed_poly_exact(const mpc_field_t *f, mpc_chan_t *ch,
                                 int party, mpc_trunc_t *tr, mpc_powers_t *t,
                                 uint64_t *z, const uint64_t *x,
                                 const uint64_t *c, unsigned deg, size_t n)
{
    if (f == NULL || tr == NULL || !tr->ready || tr->p != f->p ||
        tr->shift != f->frac || tr->party != party)
        return VEIL_EINVAL;
    return poly(f, ch, party, tr, t, z, x, c, deg, n);
}
