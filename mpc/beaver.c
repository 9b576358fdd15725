/*
 * beaver.c - Beaver triples and power tuples (storage, trusted dealer) and
 * the online multiplication and squaring on shared vectors (Beaver,
 * "Efficient multiparty protocols using circuit randomization", CRYPTO
 * 1991).
 *
 * With x = d + a and y = e + b, where d = x - a and e = y - b are opened
 * (a, b uniform, so d, e reveal nothing):
 *     x y = d e + d b + e a + a b.
 * Every term but d e is linear in the shares of a, b, c = a b; party 0
 * adds the public d e.  Squaring opens only d: x^2 = d^2 + 2 d a + a^2.
 */
#include "beaver_internal.h"
#include "internal.h"
#include <string.h>

static veil_status alloc_arrays(uint64_t **arr[], int k, size_t n)
{
    for (int i = 0; i < k; i++)
        *arr[i] = NULL;
    if (n == 0 || n > SIZE_MAX / (4 * sizeof(uint64_t)))
        return VEIL_EINVAL;
    for (int i = 0; i < k; i++)
        if ((*arr[i] = veil_alloc(n * sizeof(uint64_t))) == NULL)
            return VEIL_ENOMEM;
    return VEIL_OK;
}

veil_status mpc_triples_init(mpc_triples_t *t, size_t n)
{
    uint64_t **arr[3];
    veil_status st;
    if (t == NULL)
        return VEIL_EINVAL;
    arr[0] = &t->a;
    arr[1] = &t->b;
    arr[2] = &t->c;
    t->n = n;
    t->used = 0;
    st = alloc_arrays(arr, 3, n);
    if (st != VEIL_OK)
        mpc_triples_clear(t);
    return st;
}

void mpc_triples_clear(mpc_triples_t *t)
{
    if (t == NULL)
        return;
    veil_free_secret(t->a, t->n * sizeof(uint64_t));
    veil_free_secret(t->b, t->n * sizeof(uint64_t));
    veil_free_secret(t->c, t->n * sizeof(uint64_t));
    memset(t, 0, sizeof(*t));
}

veil_status mpc_powers_init(mpc_powers_t *t, size_t n, unsigned deg)
{
    uint64_t **arr[4];
    veil_status st;
    if (t == NULL)
        return VEIL_EINVAL;
    memset(t, 0, sizeof(*t));
    if (deg != 2 && deg != 3)
        return VEIL_EINVAL;
    arr[0] = &t->a;
    arr[1] = &t->a2;
    arr[2] = &t->b;
    arr[3] = &t->ab;
    t->n = n;
    t->deg = deg;
    st = alloc_arrays(arr, deg == 3 ? 4 : 2, n);
    if (st != VEIL_OK)
        mpc_powers_clear(t);
    return st;
}

void mpc_powers_clear(mpc_powers_t *t)
{
    if (t == NULL)
        return;
    veil_free_secret(t->a, t->n * sizeof(uint64_t));
    veil_free_secret(t->a2, t->n * sizeof(uint64_t));
    veil_free_secret(t->b, t->n * sizeof(uint64_t));
    veil_free_secret(t->ab, t->n * sizeof(uint64_t));
    memset(t, 0, sizeof(*t));
}

/* v1 holds secret values; split them: v0 uniform, v1 = v1 - v0. */
static void deal_split(const mpc_field_t *f, veil_rng_t *rng, uint64_t *v0,
                       uint64_t *v1, size_t n)
{
    mpc_field_vec_random(f, rng, v0, n);
    mpc_field_vec_sub(f, v1, v1, v0, n);
}

veil_status mpc_triples_deal(const mpc_field_t *f, veil_rng_t *rng,
                             mpc_triples_t *t0, mpc_triples_t *t1)
{
    size_t n;
    if (f == NULL || rng == NULL || t0 == NULL || t1 == NULL || t0 == t1 ||
        t0->n != t1->n || t0->a == NULL || t1->a == NULL)
        return VEIL_EINVAL;
    n = t0->n;
    mpc_field_vec_random(f, rng, t1->a, n);
    mpc_field_vec_random(f, rng, t1->b, n);
    mpc_field_vec_mul(f, t1->c, t1->a, t1->b, n);
    deal_split(f, rng, t0->a, t1->a, n);
    deal_split(f, rng, t0->b, t1->b, n);
    deal_split(f, rng, t0->c, t1->c, n);
    t0->used = t1->used = 0;
    return VEIL_OK;
}

veil_status mpc_powers_deal(const mpc_field_t *f, veil_rng_t *rng,
                            mpc_powers_t *t0, mpc_powers_t *t1)
{
    size_t n;
    if (f == NULL || rng == NULL || t0 == NULL || t1 == NULL || t0 == t1 ||
        t0->n != t1->n || t0->deg != t1->deg || t0->a == NULL || t1->a == NULL)
        return VEIL_EINVAL;
    n = t0->n;
    mpc_field_vec_random(f, rng, t1->a, n);
    mpc_field_vec_mul(f, t1->a2, t1->a, t1->a, n);
    if (t1->deg == 3) {
        mpc_field_vec_random(f, rng, t1->b, n);
        mpc_field_vec_mul(f, t1->ab, t1->a, t1->b, n);
        deal_split(f, rng, t0->b, t1->b, n);
        deal_split(f, rng, t0->ab, t1->ab, n);
    }
    deal_split(f, rng, t0->a, t1->a, n);
    deal_split(f, rng, t0->a2, t1->a2, n);
    t0->used = t1->used = 0;
    return VEIL_OK;
}

veil_status mpc_open_init(mpc_open_t *o, size_t width)
{
    o->mine = veil_alloc(width * MPC_OPEN_CHUNK * sizeof(uint64_t));
    o->theirs = veil_alloc(width * MPC_OPEN_CHUNK * sizeof(uint64_t));
    if (o->mine == NULL || o->theirs == NULL) {
        mpc_open_clear(o);
        return VEIL_ENOMEM;
    }
    return VEIL_OK;
}

void mpc_open_clear(mpc_open_t *o)
{
    veil_free(o->mine);
    veil_free(o->theirs);
    o->mine = o->theirs = NULL;
}

veil_status mpc_open(const mpc_field_t *f, mpc_chan_t *ch, mpc_open_t *o,
                     size_t len)
{
    veil_status st =
        mpc_chan_exchange(ch, o->theirs, o->mine, len * sizeof(uint64_t));
    if (st != VEIL_OK)
        return st;
    /* a value of the peer outside [0, p) is a malformed message */
    for (size_t i = 0; i < len; i++)
        if (o->theirs[i] >= f->p)
            return VEIL_EFORMAT;
    mpc_field_vec_add(f, o->mine, o->mine, o->theirs, len);
    return VEIL_OK;
}

veil_status mpc_beaver_mul(const mpc_field_t *f, mpc_chan_t *ch, int party,
                           mpc_triples_t *t, uint64_t *z, const uint64_t *x,
                           const uint64_t *y, size_t n)
{
    mpc_open_t o;
    veil_status st = VEIL_OK;
    if (f == NULL || ch == NULL || t == NULL || z == NULL || x == NULL ||
        y == NULL || (party != 0 && party != 1) || n == 0)
        return VEIL_EINVAL;
    if (n > t->n - t->used)
        return VEIL_ERANGE;
    if ((st = mpc_open_init(&o, 2)) != VEIL_OK)
        return st;
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += MPC_OPEN_CHUNK) {
        const size_t m = n - j0 < MPC_OPEN_CHUNK ? n - j0 : MPC_OPEN_CHUNK;
        const uint64_t *a = t->a + t->used, *b = t->b + t->used,
                       *c = t->c + t->used;
        uint64_t *d = o.mine, *e = o.mine + m;
        /* 0. the triples are used from here on: an opening that fails may
         * already have sent x - a, so a retry must never reuse them */
        t->used += m;
        /* 1. my shares of d = x - a, e = y - b; open both */
        mpc_field_vec_sub(f, d, x + j0, a, m);
        mpc_field_vec_sub(f, e, y + j0, b, m);
        if ((st = mpc_open(f, ch, &o, 2 * m)) != VEIL_OK)
            break;
        /* 2. z = c + d b + e a (+ d e) */
        mpc_beaver_finish(f, party, z + j0, d, e, a, b, c, m);
    }
    mpc_open_clear(&o);
    return st;
}

void mpc_beaver_finish(const mpc_field_t *f, int party, uint64_t *z,
                       const uint64_t *d, const uint64_t *e, const uint64_t *a,
                       const uint64_t *b, const uint64_t *c, size_t m)
{
    const mpc_kernels_t *k = mpc_kernels();
    const int ifma = f->bits <= 50 && k->beaver_finish50 != NULL;
#pragma omp parallel for num_threads(veil_team()) if (m >= MPC_OMP_MIN)        \
    schedule(dynamic)
    for (size_t i0 = 0; i0 < m; i0 += MPC_BLOCK) {
        size_t len = m - i0 < MPC_BLOCK ? m - i0 : MPC_BLOCK;
        if (ifma) {
            k->beaver_finish50(f, party, z + i0, d + i0, e + i0, a + i0, b + i0,
                               c + i0, len);
            continue;
        }
        for (size_t i = i0; i < i0 + len; i++) {
            uint64_t r = mpc_field_add(f, c[i], mpc_field_mul(f, d[i], b[i]));
            r = mpc_field_add(f, r, mpc_field_mul(f, e[i], a[i]));
            if (party == 0)
                r = mpc_field_add(f, r, mpc_field_mul(f, d[i], e[i]));
            z[i] = r;
        }
    }
}

veil_status mpc_beaver_square(const mpc_field_t *f, mpc_chan_t *ch, int party,
                              mpc_powers_t *t, uint64_t *z, const uint64_t *x,
                              size_t n)
{
    mpc_open_t o;
    veil_status st = VEIL_OK;
    if (f == NULL || ch == NULL || t == NULL || z == NULL || x == NULL ||
        (party != 0 && party != 1) || n == 0)
        return VEIL_EINVAL;
    if (n > t->n - t->used)
        return VEIL_ERANGE;
    if ((st = mpc_open_init(&o, 1)) != VEIL_OK)
        return st;
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += MPC_OPEN_CHUNK) {
        const size_t m = n - j0 < MPC_OPEN_CHUNK ? n - j0 : MPC_OPEN_CHUNK;
        const uint64_t *a = t->a + t->used, *a2 = t->a2 + t->used;
        t->used += m; /* used before the opening (see mpc_beaver_mul) */
        mpc_field_vec_sub(f, o.mine, x + j0, a, m);
        if ((st = mpc_open(f, ch, &o, m)) != VEIL_OK)
            break;
        mpc_beaver_finish(f, party, z + j0, o.mine, o.mine, a, a, a2, m);
    }
    mpc_open_clear(&o);
    return st;
}
