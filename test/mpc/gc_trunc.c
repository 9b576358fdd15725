/*
 * Tests of exact truncation (mpc_trunc, mpc_fixed_poly_exact): the circuit
 * against floor(v / 2^k) + {0, 1} for every pair of shares of small
 * fields (exhaustive, wraps included); local truncation's failure rate at a
 * weakened setting against its predicted |v| / p, on the very shares the
 * exact protocol then truncates without a failure; the protocol at
 * Delphi's field and 15 fractional bits on shares built to wrap; fixed-
 * point polynomials whose local truncations fail often, exact.
 */
#include "gc_helpers.h"
#include "veil/mpc_field.h"
#include <criterion/criterion.h>
#include <math.h>

/* floor(v / 2^k) for signed v */
static int64_t floor_shift(int64_t v, unsigned k)
{
    int64_t d = (int64_t)1 << k;
    return v >= 0 ? v / d : -((-v + d - 1) / d);
}

/* 1 if the shares r0 + r1 hold floor(v / 2^k) + e, e in {0, 1} */
static int is_trunc(const mpc_field_t *f, uint64_t r0, uint64_t r1, int64_t v,
                    unsigned k)
{
    int64_t got = mpc_field_to_signed(f, mpc_field_add(f, r0, r1));
    int64_t d = got - floor_shift(v, k);
    return d == 0 || d == 1;
}

/* The circuit in the clear for every s0, s1 of F_p: the corrected shares
 * are always right, local truncation fails on some (the wraps). */
static void exhaustive(uint64_t p, unsigned k, veil_rng_t *rng)
{
    mpc_field_t f;
    mpc_circuit_t c;
    uint8_t *gin, *ein, out[64];
    size_t local_fail = 0;
    cr_assert_eq(mpc_field_init(&f, p, 0), VEIL_OK);
    f.frac = k;
    cr_assert_eq(mpc_circuit_trunc(&c, p, k), VEIL_OK);
    gin = malloc(c.n_gin);
    ein = malloc(c.n_ein);
    for (uint64_t s0 = 0; s0 < p; s0++)
        for (uint64_t s1 = 0; s1 < p; s1++) {
            uint64_t mask, keep, y = 0, r0, l0, l1;
            int64_t v = mpc_field_to_signed(&f, mpc_field_add(&f, s0, s1));
            veil_rng_uniform_mod(rng, &mask, 1, p);
            mpc_trunc_gin(gin, &keep, s1, mask, p, k);
            mpc_trunc_ein(ein, s0, p);
            cr_assert_eq(mpc_circuit_eval(out, &c, gin, ein), VEIL_OK);
            y = gc_from_bits(out, c.n_out);
            cr_assert_lt(y, p);
            r0 = mpc_field_add(&f, s0 >> k, y);
            cr_assert(is_trunc(&f, r0, keep, v, k),
                      "p %llu k %u: s0 %llu s1 %llu", (unsigned long long)p, k,
                      (unsigned long long)s0, (unsigned long long)s1);
            mpc_share_trunc(&f, 0, &l0, &s0, 1);
            mpc_share_trunc(&f, 1, &l1, &s1, 1);
            local_fail += !is_trunc(&f, l0, l1, v, k);
        }
    /* sum over v of |v| / p * p^2 pairs: about p^2 / 4 wraps */
    cr_assert_gt(local_fail, p * p / 8, "the wraps were not exercised");
    free(gin);
    free(ein);
    mpc_circuit_clear(&c);
}

Test(gc_trunc, circuit_is_exact_for_every_pair_of_shares, .timeout = 120)
{
    veil_rng_t rng;
    mpc_circuit_t c;
    vt_rng(&rng, "gc_trunc_exhaustive");
    exhaustive(251, 3, &rng); /* just below 2^8 */
    exhaustive(257, 1, &rng); /* just above 2^8 */
    exhaustive(509, 8, &rng); /* the largest shift */
    /* Delphi's field: 289 AND gates, as doc/20 says */
    cr_assert_eq(mpc_circuit_trunc(&c, MPC_P_DELPHI, 15), VEIL_OK);
    cr_assert_eq(c.n_and, 289, "%u ANDs", c.n_and);
    cr_assert_eq(c.n_ein, 83);
    mpc_circuit_clear(&c);
    cr_assert_eq(mpc_circuit_trunc(&c, 256, 3), VEIL_EINVAL); /* even */
    cr_assert_eq(mpc_circuit_trunc(&c, 251, 0), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_trunc(&c, 251, 8), VEIL_EINVAL);
    veil_rng_clear(&rng);
}

/* ------------------------------------------------------------ protocol */

typedef struct {
    const mpc_field_t *f;
    unsigned k;
    size_t n;
    const uint64_t *in[2];
    uint64_t *out[2];
} trunc_job_t;

static veil_status trunc_party(mpc_chan_t *ch, int party, void *arg)
{
    trunc_job_t *j = arg;
    mpc_trunc_t tr;
    veil_status st = mpc_trunc_init(&tr, j->f, j->k, ch, party);
    if (st == VEIL_OK)
        st = mpc_trunc(&tr, ch, j->out[party], j->in[party], j->n);
    mpc_trunc_clear(&tr);
    return st;
}

/* Shares of v: s0 given, s1 = v - s0. */
static void share_of(const mpc_field_t *f, uint64_t *s0, uint64_t *s1,
                     int64_t v, uint64_t r)
{
    *s0 = r;
    *s1 = mpc_field_sub(f, mpc_field_from_signed(f, v), r);
}

/* Run the protocol on the shares s[0], s[1] of v and compare with local
 * truncation; returns how many local truncations failed (the protocol
 * must never fail). */
static size_t run_and_check(const mpc_field_t *f, unsigned k, size_t n,
                            uint64_t *s[2], const int64_t *v)
{
    trunc_job_t j = {f, k, n, {s[0], s[1]}, {NULL, NULL}};
    void *args[2] = {&j, &j};
    veil_status st[2];
    size_t local_fail = 0;
    j.out[0] = malloc(n * sizeof(uint64_t));
    j.out[1] = malloc(n * sizeof(uint64_t));
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, trunc_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "%s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "%s", veil_strerror(st[1]));
    for (size_t i = 0; i < n; i++) {
        uint64_t l0, l1;
        if (!is_trunc(f, j.out[0][i], j.out[1][i], v[i], k))
            cr_assert_fail("element %zu: v %lld, s0 %llu", i, (long long)v[i],
                           (unsigned long long)s[0][i]);
        mpc_share_trunc(f, 0, &l0, &s[0][i], 1);
        mpc_share_trunc(f, 1, &l1, &s[1][i], 1);
        local_fail += !is_trunc(f, l0, l1, v[i], k);
    }
    free(j.out[0]);
    free(j.out[1]);
    return local_fail;
}

/* Delphi's field, 15 bits: shares built to wrap (s0 < v for v > 0,
 * s0 >= p + v for v < 0), boundary values, then uniform shares of values
 * of every magnitude; more than one batch of 4096. */
Test(gc_trunc, protocol_never_fails_where_local_truncation_does, .timeout = 240)
{
    mpc_field_t f;
    veil_rng_t rng;
    const size_t n = 2 * 4096 + 123;
    uint64_t *s[2];
    int64_t *v;
    size_t wrapped = 0, fails;
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    vt_rng(&rng, "gc_trunc_protocol");
    s[0] = malloc(n * sizeof(uint64_t));
    s[1] = malloc(n * sizeof(uint64_t));
    v = malloc(n * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        uint64_t r;
        veil_rng_uniform_mod(&rng, &r, 1, f.p);
        if (i < 1000) { /* wrapping on purpose */
            int64_t m = 1 + (int64_t)(r % (uint64_t)f.half);
            v[i] = i % 2 ? m : -m;
            r = v[i] > 0 ? r % (uint64_t)v[i] : f.p - 1 - r % (uint64_t)(-v[i]);
            wrapped++;
        } else if (i < 1016) { /* boundaries */
            const int64_t h = (int64_t)f.half;
            const int64_t vs[] = {0, 1, -1, h, -h, (int64_t)1 << 30};
            v[i] = vs[i % 6];
            r = i % 3 == 0 ? 0 : i % 3 == 1 ? f.p - 1 : r;
        } else { /* magnitudes 2^0 .. 2^40 */
            unsigned b = (unsigned)(i % 41);
            v[i] = (int64_t)(veil_rng_u64(&rng) % ((uint64_t)1 << b));
            if (v[i] > (int64_t)f.half)
                v[i] = (int64_t)f.half;
            if (i % 2)
                v[i] = -v[i];
        }
        share_of(&f, &s[0][i], &s[1][i], v[i], r);
    }
    fails = run_and_check(&f, 15, n, s, v);
    printf("exact truncation: %zu elements, local truncation failed on "
           "%zu of them, the protocol on none\n",
           n, fails);
    cr_assert_geq(fails, wrapped, "the wraps built on purpose must fail");
    free(s[0]);
    free(s[1]);
    free(v);
    veil_rng_clear(&rng);
}

/* A deliberately weakened setting, a 20-bit field with |v| = 2^12: local
 * truncation fails at its predicted rate |v| / p = 2^-7.9 on uniform
 * shares (two-sided, 5 sigma), and the protocol on the same shares never
 * does. */
Test(gc_trunc, local_failure_rate_matches_prediction, .timeout = 240)
{
    mpc_field_t f;
    veil_rng_t rng;
    const uint64_t p = 1000003;
    const size_t n = 3 * 4096;
    uint64_t *s[2];
    int64_t *v;
    double lam, sd;
    size_t fails;
    cr_assert_eq(mpc_field_init(&f, p, 5), VEIL_OK);
    vt_rng(&rng, "gc_trunc_rate");
    s[0] = malloc(n * sizeof(uint64_t));
    s[1] = malloc(n * sizeof(uint64_t));
    v = malloc(n * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        uint64_t r;
        veil_rng_uniform_mod(&rng, &r, 1, p);
        v[i] = i % 2 ? 4096 : -4096;
        share_of(&f, &s[0][i], &s[1][i], v[i], r);
    }
    fails = run_and_check(&f, 5, n, s, v);
    lam = (double)n * 4096.0 / (double)p;
    sd = sqrt(lam * (1 - 4096.0 / (double)p));
    printf("local truncation, |v| / p = 2^%.2f: %zu failures in %zu, "
           "predicted %.1f\n",
           log2(4096.0 / (double)p), fails, n, lam);
    cr_assert(fabs((double)fails - lam) <= 5 * sd,
              "%zu failures, predicted %.1f", fails, lam);
    free(s[0]);
    free(s[1]);
    free(v);
    veil_rng_clear(&rng);
}

/* ---------------------------------------------------------- polynomials */

typedef struct {
    const mpc_field_t *f;
    size_t n;
    int exact;
    mpc_powers_t *pw;
    const uint64_t *x[2], *c;
    uint64_t *z[2];
} poly_job_t;

static veil_status poly_party(mpc_chan_t *ch, int party, void *arg)
{
    poly_job_t *j = arg;
    mpc_trunc_t tr;
    veil_status st;
    if (!j->exact)
        return mpc_fixed_poly(j->f, ch, party, &j->pw[party], j->z[party],
                              j->x[party], j->c, 2, j->n);
    st = mpc_trunc_init(&tr, j->f, j->f->frac, ch, party);
    if (st == VEIL_OK)
        st = mpc_fixed_poly_exact(j->f, ch, party, &tr, &j->pw[party],
                                  j->z[party], j->x[party], j->c, 2, j->n);
    mpc_trunc_clear(&tr);
    return st;
}

/* 0.25 + 0.5 x + 0.125 x^2 for |x| < 16 at 15 fractional bits: x^2 at its
 * fine scale reaches 2^38, so local truncation fails on about one element
 * in 16 (|v| / p summed over the two truncations); the exact protocol on
 * none: every output within 4 units of the exact value of the
 * polynomial at the encoded input. */
Test(gc_trunc, polynomial_with_large_inputs_is_exact, .timeout = 240)
{
    mpc_field_t f;
    veil_rng_t rng;
    const size_t n = 3000;
    const double cr[3] = {0.25, 0.5, 0.125};
    double *xr = malloc(n * sizeof(double));
    uint64_t *x = malloc(n * sizeof(uint64_t)), c[3], *xs[2], *z[2], *out;
    mpc_powers_t pw[2];
    size_t bad[2] = {0, 0};
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    vt_rng(&rng, "gc_trunc_poly");
    cr_assert_eq(mpc_fixed_encode(&f, c, cr, 3), VEIL_OK);
    for (size_t i = 0; i < n; i++)
        xr[i] = ((double)(veil_rng_u64(&rng) >> 11) * 0x1p-53 - 0.5) * 31.9;
    cr_assert_eq(mpc_fixed_encode(&f, x, xr, n), VEIL_OK);
    mpc_fixed_decode(&f, xr, x, n); /* the encoded values, exactly */
    for (int q = 0; q < 2; q++) {
        xs[q] = malloc(n * sizeof(uint64_t));
        z[q] = malloc(n * sizeof(uint64_t));
    }
    out = malloc(n * sizeof(uint64_t));
    mpc_share_split(&f, &rng, xs[0], xs[1], x, n);
    for (int exact = 0; exact < 2; exact++) {
        poly_job_t j = {&f, n, exact, pw, {xs[0], xs[1]}, c, {z[0], z[1]}};
        void *args[2] = {&j, &j};
        veil_status st[2];
        cr_assert_eq(mpc_powers_init(&pw[0], n, 2), VEIL_OK);
        cr_assert_eq(mpc_powers_init(&pw[1], n, 2), VEIL_OK);
        cr_assert_eq(mpc_powers_deal(&f, &rng, &pw[0], &pw[1]), VEIL_OK);
        cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, poly_party, args), VEIL_OK);
        cr_assert_eq(st[0], VEIL_OK, "%s", veil_strerror(st[0]));
        cr_assert_eq(st[1], VEIL_OK, "%s", veil_strerror(st[1]));
        mpc_share_join(&f, out, z[0], z[1], n);
        for (size_t i = 0; i < n; i++) {
            double want = cr[0] + cr[1] * xr[i] + cr[2] * xr[i] * xr[i], got;
            mpc_fixed_decode(&f, &got, &out[i], 1);
            bad[exact] += fabs(got - want) > 4 * 0x1p-15;
        }
        mpc_powers_clear(&pw[0]);
        mpc_powers_clear(&pw[1]);
    }
    printf("polynomial, |x| < 16: %zu of %zu wrong with local truncation, "
           "%zu exact\n",
           bad[0], n, bad[1]);
    cr_assert_gt(bad[0], n / 64, "local truncation should fail here");
    cr_assert_eq(bad[1], 0);
    for (int q = 0; q < 2; q++) {
        free(xs[q]);
        free(z[q]);
    }
    free(out);
    free(x);
    free(xr);
    veil_rng_clear(&rng);
}
