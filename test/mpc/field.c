/*
 * Tests of F_p arithmetic (against FLINT's n_mulmod2_preinv), fixed point,
 * sharing and local truncation (against the exact characterisation of
 * mpc_share_trunc: floor(v / 2^f) + {0, 1} unless the shares wrap).
 */
#include "../common/seed.h"
#include "veil/mpc_field.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P61 ((UINT64_C(1) << 61) - 1) /* a Mersenne prime */

static uint64_t oracle_mul(uint64_t a, uint64_t b, uint64_t p)
{
    return n_mulmod2_preinv(a, b, p, n_preinvert_limb(p));
}

/* 0, 1, 2, p/2 - 1, p/2, p/2 + 1, p - 2, p - 1 */
static void boundary(uint64_t v[8], uint64_t p)
{
    uint64_t h = (p - 1) / 2;
    uint64_t b[8] = {0, 1, 2 % p, h - 1, h, h + 1, p - 2, p - 1};
    memcpy(v, b, sizeof(b));
}

Test(mpc_field, init_checks_parameters)
{
    mpc_field_t f;
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, MPC_FRAC_BITS_DEFAULT),
                 VEIL_OK);
    cr_assert_eq(f.bits, 41);
    cr_assert_eq(f.half, (MPC_P_DELPHI - 1) / 2);
    cr_assert_eq(MPC_P_DELPHI, 15 * (UINT64_C(1) << 37) + 1);
    cr_assert_eq(mpc_field_init(&f, P61, 29), VEIL_OK);
    cr_assert_eq(mpc_field_init(&f, 3, 0), VEIL_OK);
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI + 2, 15), VEIL_EPARAM);
    cr_assert_eq(mpc_field_init(&f, 2, 0), VEIL_EPARAM);
    cr_assert_eq(mpc_field_init(&f, (UINT64_C(1) << 62) + 135, 15),
                 VEIL_EPARAM);
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 20), VEIL_EPARAM);
    cr_assert_eq(mpc_field_init(NULL, MPC_P_DELPHI, 15), VEIL_EINVAL);
}

Test(mpc_field, scalar_and_vector_ops_match_flint)
{
    static const uint64_t primes[] = {
        3, 65537, 1048573, MPC_P_DELPHI, (UINT64_C(1) << 50) - 27, P61};
    veil_rng_t rng;
    enum { N = 3 * MPC_OMP_MIN / 2 };
    uint64_t *a = malloc(N * 8), *b = malloc(N * 8), *o = malloc(N * 8);
    vt_rng(&rng, "field");
    for (size_t k = 0; k < sizeof(primes) / sizeof(primes[0]); k++) {
        mpc_field_t f;
        uint64_t p = primes[k], bd[8], w;
        cr_assert(n_is_prime(p));
        cr_assert_eq(mpc_field_init(&f, p, 0), VEIL_OK);
        mpc_field_vec_random(&f, &rng, a, N);
        mpc_field_vec_random(&f, &rng, b, N);
        boundary(bd, p);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++) {
                a[8 * i + j] = bd[i];
                b[8 * i + j] = bd[j];
            }
        w = b[N - 1];
        for (size_t i = 0; i < N; i++) {
            cr_assert_lt(a[i], p);
            cr_assert_eq(mpc_field_mul(&f, a[i], b[i]),
                         oracle_mul(a[i], b[i], p), "p %llu: %llu * %llu",
                         (unsigned long long)p, (unsigned long long)a[i],
                         (unsigned long long)b[i]);
            cr_assert_eq(mpc_field_add(&f, a[i], b[i]),
                         n_addmod(a[i], b[i], p));
            cr_assert_eq(mpc_field_sub(&f, a[i], b[i]),
                         n_submod(a[i], b[i], p));
            cr_assert_eq(mpc_field_neg(&f, a[i]), n_negmod(a[i], p));
            cr_assert_eq(
                mpc_field_mul_shoup(&f, a[i], b[i], mpc_field_shoup(&f, b[i])),
                oracle_mul(a[i], b[i], p));
        }
        /* vectors (OpenMP for this length), out aliasing an input, on
         * the IFMA path (VEIL_ISA=avx512, p < 2^50) and the scalar one */
        for (int isa = VEIL_ISA_AVX512; isa >= VEIL_ISA_SCALAR; isa -= 2) {
            if (veil_isa_set((veil_isa_t)isa) != VEIL_OK)
                continue;
            memcpy(o, a, N * 8);
            mpc_field_vec_mul(&f, o, o, b, N);
            for (size_t i = 0; i < N; i++)
                cr_assert_eq(o[i], oracle_mul(a[i], b[i], p), "isa %d", isa);
        }
        cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
        mpc_field_vec_scale(&f, o, a, w, N);
        for (size_t i = 0; i < N; i++)
            cr_assert_eq(o[i], oracle_mul(a[i], w, p));
        mpc_field_vec_add(&f, o, a, b, N);
        mpc_field_vec_sub(&f, o, o, b, N);
        cr_assert(memcmp(o, a, N * 8) == 0);
        mpc_field_vec_neg(&f, o, a, N);
        mpc_field_vec_add(&f, o, o, a, N);
        for (size_t i = 0; i < N; i++)
            cr_assert_eq(o[i], 0);
        /* signed lift */
        cr_assert_eq(mpc_field_to_signed(&f, f.half), (int64_t)f.half);
        cr_assert_eq(mpc_field_to_signed(&f, f.half + 1), -(int64_t)f.half);
        cr_assert_eq(mpc_field_to_signed(&f, p - 1), -1);
        cr_assert_eq(mpc_field_from_signed(&f, -(int64_t)f.half), f.half + 1);
    }
    free(a);
    free(b);
    free(o);
    veil_rng_clear(&rng);
}

Test(mpc_field, fixed_point_round_trip_and_range)
{
    mpc_field_t f;
    veil_rng_t rng;
    enum { N = 1000 };
    double x[N], y[N], ulp;
    uint64_t e[N];
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, MPC_FRAC_BITS_DEFAULT),
                 VEIL_OK);
    ulp = ldexp(1.0, -(int)f.frac);
    vt_rng(&rng, "fixed");
    for (int i = 0; i < N; i++)
        x[i] = ((double)(veil_rng_u64(&rng) >> 11) / 0x1p53 * 2 - 1) *
               mpc_fixed_max(&f);
    x[0] = 0;
    x[1] = 1;
    x[2] = -1;
    x[3] = mpc_fixed_max(&f);
    x[4] = -mpc_fixed_max(&f);
    x[5] = 1.5;
    cr_assert_eq(mpc_fixed_encode(&f, e, x, N), VEIL_OK);
    mpc_fixed_decode(&f, y, e, N);
    for (int i = 0; i < N; i++)
        cr_assert_leq(fabs(y[i] - x[i]), ulp / 2, "x = %g", x[i]);
    cr_assert_eq(e[0], 0);
    cr_assert_eq(e[1], UINT64_C(1) << 15);
    cr_assert_eq(e[2], MPC_P_DELPHI - (UINT64_C(1) << 15));
    cr_assert_eq(e[3], f.half);
    cr_assert_eq(e[4], f.half + 1);
    cr_assert_eq(e[5], 3 * (UINT64_C(1) << 14));
    cr_assert_eq(mpc_fixed_max(&f), (double)f.half / 32768.0);
    /* out of range: one ulp beyond the largest value, non-finite */
    x[0] = mpc_fixed_max(&f) + ulp;
    cr_assert_eq(mpc_fixed_encode(&f, e, x, 1), VEIL_ERANGE);
    x[0] = -mpc_fixed_max(&f) - ulp;
    cr_assert_eq(mpc_fixed_encode(&f, e, x, 1), VEIL_ERANGE);
    x[0] = NAN;
    cr_assert_eq(mpc_fixed_encode(&f, e, x, 1), VEIL_ERANGE);
    x[0] = INFINITY;
    cr_assert_eq(mpc_fixed_encode(&f, e, x, 1), VEIL_ERANGE);
    x[0] = 1e300;
    cr_assert_eq(mpc_fixed_encode(&f, e, x, 1), VEIL_ERANGE);
    veil_rng_clear(&rng);
}

Test(mpc_field, sharing_round_trip_with_aliasing)
{
    mpc_field_t f;
    veil_rng_t rng;
    enum { N = 777 };
    uint64_t x[N], s0[N], s1[N], y[N];
    size_t same = 0;
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    vt_rng(&rng, "share");
    mpc_field_vec_random(&f, &rng, x, N);
    boundary(x, f.p);
    mpc_share_split(&f, &rng, s0, s1, x, N);
    mpc_share_join(&f, y, s0, s1, N);
    cr_assert(memcmp(x, y, sizeof(x)) == 0);
    for (int i = 0; i < N; i++) {
        cr_assert(s0[i] < f.p && s1[i] < f.p);
        same += s0[i] == x[i];
    }
    cr_assert_leq(same, 1); /* s0 is fresh randomness, not x */
    /* s0 aliasing x, then s1 aliasing x */
    memcpy(y, x, sizeof(x));
    mpc_share_split(&f, &rng, y, s1, y, N);
    mpc_share_join(&f, y, y, s1, N);
    cr_assert(memcmp(x, y, sizeof(x)) == 0);
    memcpy(y, x, sizeof(x));
    mpc_share_split(&f, &rng, s0, y, y, N);
    mpc_share_join(&f, y, s0, y, N);
    cr_assert(memcmp(x, y, sizeof(x)) == 0);
    veil_rng_clear(&rng);
}

/* floor(v / 2^f) for signed v */
static int64_t floor_shift(int64_t v, unsigned f)
{
    return v >= 0 ? v >> f : -((-v + ((int64_t)1 << f) - 1) >> f);
}

/* One truncation; 1 if the shares wrapped (and the result must be far),
 * 0 if not (and the result must be floor(v / 2^f) + {0, 1}). */
static int trunc_case(const mpc_field_t *f, int64_t v, uint64_t s0)
{
    uint64_t x = mpc_field_from_signed(f, v), s1 = mpc_field_sub(f, x, s0);
    uint64_t t0, t1;
    int64_t got, want = floor_shift(v, f->frac);
    int wrapped = v >= 0 ? s0 < (uint64_t)v : s0 >= f->p - (uint64_t)(-v);
    mpc_share_trunc(f, 0, &t0, &s0, 1);
    mpc_share_trunc(f, 1, &t1, &s1, 1);
    got = mpc_field_to_signed(f, mpc_field_add(f, t0, t1));
    if (!wrapped)
        cr_assert(got == want || got == want + 1,
                  "v %lld s0 %llu: got %lld want %lld", (long long)v,
                  (unsigned long long)s0, (long long)got, (long long)want);
    else
        cr_assert(got - want > 2 || got - want < -2,
                  "v %lld s0 %llu: wrapped but close", (long long)v,
                  (unsigned long long)s0);
    return wrapped;
}

Test(mpc_field, truncation_error_is_as_documented)
{
    mpc_field_t f;
    veil_rng_t rng;
    size_t iters = vt_iters(200000), wraps = 0;
    int64_t h;
    uint64_t sb[8];
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    h = (int64_t)f.half;
    vt_rng(&rng, "trunc");
    /* boundary values of v and of the share s0 */
    {
        const int64_t vs[] = {0, 1,  -1,    32767,  32768,   -32768,    -32769,
                              h, -h, h - 1, -h + 1, 1 << 30, -(1 << 30)};
        boundary(sb, f.p);
        for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
            for (int j = 0; j < 8; j++)
                trunc_case(&f, vs[i], sb[j]);
    }
    /* products of fixed-point numbers below 2^15 in magnitude (|v| < 2^30):
     * wraps at rate |v| / p < 2^-11 */
    for (size_t i = 0; i < iters; i++) {
        uint64_t s0, r = veil_rng_u64(&rng);
        int64_t v = (int64_t)(r >> 34) - ((int64_t)1 << 29);
        veil_rng_uniform_mod(&rng, &s0, 1, f.p);
        wraps += (size_t)trunc_case(&f, 2 * v, s0);
    }
    /* expected wraps: sum |v| / p <= iters * 2^30 / p; allow 6 sigma */
    {
        double lam = (double)iters * 0x1p29 / (double)f.p;
        cr_assert_leq((double)wraps, lam + 6 * sqrt(lam) + 6, "%zu wraps",
                      wraps);
    }
    /* |v| near p / 4: about a quarter wrap, and the count matches */
    wraps = 0;
    for (size_t i = 0; i < 20000; i++) {
        uint64_t s0;
        int64_t v = (i % 2 ? 1 : -1) * (int64_t)(f.p / 4);
        veil_rng_uniform_mod(&rng, &s0, 1, f.p);
        wraps += (size_t)trunc_case(&f, v, s0);
    }
    cr_assert(wraps > 5000 - 6 * 62 && wraps < 5000 + 6 * 62, "%zu", wraps);
    veil_rng_clear(&rng);
}
