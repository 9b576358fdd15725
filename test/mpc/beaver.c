/*
 * Tests of Beaver multiplication, squaring and fixed-point polynomials on
 * shared vectors: two parties over TCP on loopback (threads, and one run
 * as two processes), checked against the plaintext product mod p (FLINT)
 * and the plaintext polynomial; tuples are consumed once; bad input gives
 * a status.
 */
#include "../common/seed.h"
#include "veil/mpc_field.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P61 ((UINT64_C(1) << 61) - 1)

enum { OP_MUL, OP_SQUARE, OP_POLY2, OP_POLY3 };

typedef struct {
    const mpc_field_t *f;
    int op;
    size_t n;
    uint64_t *x[2], *y[2], *z[2]; /* shares per party */
    mpc_triples_t *t;             /* t[0], t[1] */
    mpc_powers_t *pw;
    const uint64_t *coef;
} job_t;

static veil_status job_party(mpc_chan_t *ch, int party, void *arg)
{
    job_t *j = arg;
    switch (j->op) {
    case OP_MUL:
        return mpc_beaver_mul(j->f, ch, party, &j->t[party], j->z[party],
                              j->x[party], j->y[party], j->n);
    case OP_SQUARE:
        return mpc_beaver_square(j->f, ch, party, &j->pw[party], j->z[party],
                                 j->x[party], j->n);
    default:
        return mpc_fixed_poly(j->f, ch, party, &j->pw[party], j->z[party],
                              j->x[party], j->coef, j->op == OP_POLY2 ? 2 : 3,
                              j->n);
    }
}

/* Share x (and y), deal tuples, run, join z into out. */
static void run_job(const mpc_field_t *f, veil_rng_t *rng, int op, size_t n,
                    const uint64_t *x, const uint64_t *y, const uint64_t *coef,
                    uint64_t *out)
{
    mpc_triples_t t[2];
    mpc_powers_t pw[2];
    job_t j = {f, op, n, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}, t, pw, coef};
    void *args[2] = {&j, &j};
    veil_status st[2];
    for (int p = 0; p < 2; p++) {
        j.x[p] = malloc(n * 8);
        j.y[p] = malloc(n * 8);
        j.z[p] = malloc(n * 8);
    }
    mpc_share_split(f, rng, j.x[0], j.x[1], x, n);
    mpc_share_split(f, rng, j.y[0], j.y[1], y, n);
    cr_assert_eq(mpc_triples_init(&t[0], n), VEIL_OK);
    cr_assert_eq(mpc_triples_init(&t[1], n), VEIL_OK);
    cr_assert_eq(mpc_triples_deal(f, rng, &t[0], &t[1]), VEIL_OK);
    cr_assert_eq(mpc_powers_init(&pw[0], n, 3), VEIL_OK);
    cr_assert_eq(mpc_powers_init(&pw[1], n, 3), VEIL_OK);
    cr_assert_eq(mpc_powers_deal(f, rng, &pw[0], &pw[1]), VEIL_OK);
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS_TCP, job_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "party 0: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "party 1: %s", veil_strerror(st[1]));
    /* every tuple used exactly once, none left for a replay */
    cr_assert_eq(op == OP_MUL ? t[0].used : pw[0].used, n);
    cr_assert_eq(op == OP_MUL ? t[1].used : pw[1].used, n);
    mpc_share_join(f, out, j.z[0], j.z[1], n);
    for (int p = 0; p < 2; p++) {
        free(j.x[p]);
        free(j.y[p]);
        free(j.z[p]);
        mpc_triples_clear(&t[p]);
        mpc_powers_clear(&pw[p]);
        mpc_powers_clear(&pw[p]);
    }
}

static uint64_t oracle_mul(uint64_t a, uint64_t b, uint64_t p)
{
    return n_mulmod2_preinv(a, b, p, n_preinvert_limb(p));
}

Test(mpc_beaver, mul_and_square_match_plaintext)
{
    static const uint64_t primes[] = {MPC_P_DELPHI, P61, 65537};
    veil_rng_t rng;
    const size_t n = 3 * MPC_OPEN_CHUNK / 2 + 7; /* two chunks, OpenMP */
    uint64_t *x = malloc(n * 8), *y = malloc(n * 8), *z = malloc(n * 8);
    vt_rng(&rng, "beaver");
    for (size_t k = 0; k < 3; k++) {
        mpc_field_t f;
        uint64_t p = primes[k], h = (p - 1) / 2;
        uint64_t bd[8] = {0, 1, 2, h - 1, h, h + 1, p - 2, p - 1};
        cr_assert_eq(mpc_field_init(&f, p, 0), VEIL_OK);
        mpc_field_vec_random(&f, &rng, x, n);
        mpc_field_vec_random(&f, &rng, y, n);
        for (int i = 0; i < 64; i++) { /* all pairs of boundary values */
            x[i] = bd[i / 8];
            y[i] = bd[i % 8];
        }
        /* IFMA kernels where they run (p < 2^50), then the scalar code */
        for (int isa = VEIL_ISA_AVX512; isa >= VEIL_ISA_SCALAR; isa -= 2) {
            if (veil_isa_set((veil_isa_t)isa) != VEIL_OK)
                continue;
            run_job(&f, &rng, OP_MUL, n, x, y, NULL, z);
            for (size_t i = 0; i < n; i++)
                if (z[i] != oracle_mul(x[i], y[i], p))
                    cr_assert_fail("p %llu isa %d mul %zu",
                                   (unsigned long long)p, isa, i);
        }
        cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
        run_job(&f, &rng, OP_SQUARE, n, x, y, NULL, z);
        for (size_t i = 0; i < n; i++)
            if (z[i] != oracle_mul(x[i], x[i], p))
                cr_assert_fail("p %llu square %zu", (unsigned long long)p, i);
    }
    free(x);
    free(y);
    free(z);
    veil_rng_clear(&rng);
}

/* Plaintext reference of the fixed-point polynomial, and the bound on the
 * MPC result's distance to it when no truncation wraps: x2 and x3 are each
 * off by less than 2 ulp (floor + e), x3 also inherits |x| times the error
 * of x2, and the last truncation adds 2 ulp. */
static double poly_ref(const double *c, unsigned deg, double x)
{
    double r = 0;
    for (int k = (int)deg; k >= 0; k--)
        r = r * x + c[k];
    return r;
}

static void poly_case(const mpc_field_t *f, veil_rng_t *rng, size_t n,
                      double range, size_t max_bad)
{
    const double c[4] = {0.125, 0.5, 0.25, -0.0625};
    const double ulp = ldexp(1.0, -(int)f->frac);
    uint64_t ce[4], *x = malloc(n * 8), *z = malloc(n * 8);
    double *xd = malloc(n * sizeof(double)), *zd = malloc(n * sizeof(double));
    cr_assert_eq(mpc_fixed_encode(f, ce, c, 4), VEIL_OK);
    for (unsigned deg = 2; deg <= 3; deg++) {
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            xd[i] =
                ((double)(veil_rng_u64(rng) >> 11) / 0x1p53 * 2 - 1) * range;
        xd[0] = 0;
        xd[1] = range;
        xd[2] = -range;
        cr_assert_eq(mpc_fixed_encode(f, x, xd, n), VEIL_OK);
        mpc_fixed_decode(f, xd, x, n); /* the encoded inputs */
        run_job(f, rng, deg == 2 ? OP_POLY2 : OP_POLY3, n, x, x, ce, z);
        mpc_fixed_decode(f, zd, z, n);
        for (size_t i = 0; i < n; i++) {
            double ax = fabs(xd[i]);
            double e2 = 2 * ulp, e3 = ax * e2 + 2 * ulp;
            double tol = fabs(c[2]) * e2 + (deg == 3 ? fabs(c[3]) * e3 : 0) +
                         2 * ulp + 1e-12;
            double cc[4] = {c[0], c[1], c[2], deg == 3 ? c[3] : 0};
            if (fabs(zd[i] - poly_ref(cc, 3, xd[i])) > tol)
                bad++;
        }
        cr_assert_leq(bad, max_bad, "deg %u: %zu of %zu outside the bound", deg,
                      bad, n);
    }
    free(x);
    free(z);
    free(xd);
    free(zd);
}

/* With a 61-bit prime the truncations wrap with probability below 2^-26
 * per element here: every element must be within the bound. */
Test(mpc_beaver, fixed_poly_exact_bound_61_bit_prime)
{
    mpc_field_t f;
    veil_rng_t rng;
    cr_assert_eq(mpc_field_init(&f, P61, 15), VEIL_OK);
    vt_rng(&rng, "poly61");
    poly_case(&f, &rng, 5000, 2.0, 0);
    veil_rng_clear(&rng);
}

/* Delphi's 41-bit prime: intermediate values up to 2^33 (|x| <= 2 at
 * f = 15) wrap with probability up to 2^-8 per truncation, three
 * truncations per element: at most about 2^-6.4 of the elements may miss
 * the bound, and the rest must meet it. */
Test(mpc_beaver, fixed_poly_delphi_prime_within_documented_rate)
{
    mpc_field_t f;
    veil_rng_t rng;
    const size_t n = 20000;
    double lam = (double)n * 3 * 0x1p33 / (double)MPC_P_DELPHI;
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    vt_rng(&rng, "poly41");
    poly_case(&f, &rng, n, 2.0, (size_t)(lam + 6 * sqrt(lam)));
    veil_rng_clear(&rng);
}

/* Two processes: both derive the inputs and a dealer's tuples from a
 * shared seed; party 1 sends its output shares back at the end and party
 * 0 checks the product. */
static veil_status proc_party(mpc_chan_t *ch, int party, void *arg)
{
    enum { N = 5000 };
    static uint64_t x[N], y[N], s[2][2][N], z[N], z1[N];
    uint8_t seed[VEIL_SEED_BYTES] = {7};
    mpc_field_t f;
    mpc_triples_t t[2];
    veil_rng_t g;
    veil_status st;
    (void)arg;
    if ((st = mpc_field_init(&f, MPC_P_DELPHI, 15)) != VEIL_OK)
        return st;
    veil_rng_init_seed(&g, seed);
    mpc_field_vec_random(&f, &g, x, N);
    mpc_field_vec_random(&f, &g, y, N);
    mpc_share_split(&f, &g, s[0][0], s[1][0], x, N);
    mpc_share_split(&f, &g, s[0][1], s[1][1], y, N);
    if ((st = mpc_triples_init(&t[0], N)) != VEIL_OK ||
        (st = mpc_triples_init(&t[1], N)) != VEIL_OK ||
        (st = mpc_triples_deal(&f, &g, &t[0], &t[1])) != VEIL_OK)
        return st;
    st = mpc_beaver_mul(&f, ch, party, &t[party], z, s[party][0], s[party][1],
                        N);
    if (st == VEIL_OK && party == 1)
        st = mpc_chan_send(ch, z, sizeof(z));
    if (st == VEIL_OK && party == 1)
        st = mpc_chan_flush(ch);
    if (st == VEIL_OK && party == 0 &&
        (st = mpc_chan_recv(ch, z1, sizeof(z1))) == VEIL_OK)
        for (size_t i = 0; i < N; i++)
            if (mpc_field_add(&f, z[i], z1[i]) != mpc_field_mul(&f, x[i], y[i]))
                st = VEIL_EFORMAT;
    mpc_triples_clear(&t[0]);
    mpc_triples_clear(&t[1]);
    veil_rng_clear(&g);
    return st;
}

Test(mpc_beaver, mul_between_two_processes)
{
    veil_status st[2];
    void *args[2] = {NULL, NULL};
    cr_assert_eq(mpc_run2(st, MPC_RUN_PROCESSES, proc_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "party 0: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "party 1: %s", veil_strerror(st[1]));
}

Test(mpc_beaver, bad_input_gives_a_status)
{
    mpc_field_t f;
    mpc_triples_t t;
    mpc_powers_t pw, pw2;
    mpc_chan_t a, b;
    veil_rng_t rng;
    uint64_t x[4] = {1, 2, 3, 4}, z[4], c[4] = {0, 0, 0, 0}, bad[8];
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    cr_assert_eq(veil_rng_init(&rng), VEIL_OK);
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    cr_assert_eq(mpc_triples_init(&t, 0), VEIL_EINVAL);
    mpc_triples_clear(&t);
    cr_assert_eq(mpc_powers_init(&pw, 4, 4), VEIL_EINVAL);
    cr_assert_eq(mpc_triples_init(&t, 2), VEIL_OK);
    cr_assert_eq(mpc_powers_init(&pw, 4, 2), VEIL_OK);
    cr_assert_eq(mpc_powers_init(&pw2, 4, 3), VEIL_OK);
    cr_assert_eq(mpc_powers_deal(&f, &rng, &pw, &pw2), VEIL_EINVAL);
    cr_assert_eq(mpc_triples_deal(&f, &rng, &t, &t), VEIL_EINVAL);
    /* more than the tuples left, a bad party, a degree above the tuples' */
    cr_assert_eq(mpc_beaver_mul(&f, &a, 0, &t, z, x, x, 4), VEIL_ERANGE);
    cr_assert_eq(mpc_beaver_mul(&f, &a, 2, &t, z, x, x, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_beaver_square(&f, &a, 0, &pw, z, NULL, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_fixed_poly(&f, &a, 0, &pw, z, x, c, 3, 1), VEIL_EINVAL);
    c[1] = f.p;
    cr_assert_eq(mpc_fixed_poly(&f, &a, 0, &pw2, z, x, c, 3, 1), VEIL_EINVAL);
    /* the peer's opening holds values >= p: malformed */
    memset(bad, 0xff, sizeof(bad));
    cr_assert_eq(mpc_chan_send(&b, bad, 2 * 8), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&b), VEIL_OK);
    cr_assert_eq(mpc_beaver_mul(&f, &a, 0, &t, z, x, x, 1), VEIL_EFORMAT);
    /* the failed opening had sent x - a: that triple is spent, a retry
     * takes the next one (and then none is left) */
    cr_assert_eq(t.used, 1);
    cr_assert_eq(mpc_chan_send(&b, bad, 2 * 8), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&b), VEIL_OK);
    cr_assert_eq(mpc_beaver_mul(&f, &a, 0, &t, z, x, x, 1), VEIL_EFORMAT);
    cr_assert_eq(t.used, 2);
    cr_assert_eq(mpc_beaver_mul(&f, &a, 0, &t, z, x, x, 1), VEIL_ERANGE);
    /* the same for squaring tuples */
    cr_assert_eq(mpc_chan_send(&b, bad, 8), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&b), VEIL_OK);
    cr_assert_eq(mpc_beaver_square(&f, &a, 0, &pw, z, x, 1), VEIL_EFORMAT);
    cr_assert_eq(pw.used, 1);
    /* and for polynomials: the first opening fails (degree 2), then the
     * second of a degree-3 polynomial; both tuples are spent */
    c[1] = 1;
    cr_assert_eq(mpc_chan_send(&b, bad, 8), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&b), VEIL_OK);
    cr_assert_eq(mpc_fixed_poly(&f, &a, 0, &pw, z, x, c, 2, 1), VEIL_EFORMAT);
    cr_assert_eq(pw.used, 2);
    /* a valid first opening (x[0] < p), then a bad second one */
    cr_assert_eq(mpc_chan_send(&b, x, 8), VEIL_OK);
    cr_assert_eq(mpc_chan_send(&b, bad, 8), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&b), VEIL_OK);
    cr_assert_eq(mpc_fixed_poly(&f, &a, 0, &pw2, z, x, c, 3, 1), VEIL_EFORMAT);
    cr_assert_eq(pw2.used, 1);
    mpc_triples_clear(&t);
    mpc_powers_clear(&pw);
    mpc_powers_clear(&pw2);
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
    veil_rng_clear(&rng);
}
