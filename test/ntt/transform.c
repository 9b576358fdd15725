/*
 * Tests of the negacyclic NTT on every ISA path this machine runs: the
 * product NTT^-1(NTT(a) . NTT(b)) against the schoolbook negacyclic product
 * and FLINT, the evaluation order against direct evaluation, round trips,
 * lazy ranges and bit-for-bit agreement of every path with scalar.
 */
#include "ntt_helpers.h"
#include <criterion/criterion.h>
#include <fenv.h>
#include <stdlib.h>
#include <string.h>

#define MIN_TEST_LOGN 10
#define MAX_TEST_LOGN 16

/* Prime sizes exercised: small, the two benchmark sizes, the largest, and
 * 47 and 46 bits: with test_bits[logn % 6], 46 bits meets logn = 15, where
 * the AVX-512 forward without reductions is at its bound (4 + 4 logn) q <=
 * 2^52, and 47 bits logn = 8 and 14, just past it. */
static const unsigned test_bits[] = {30, 44, 47, 46, 49, NTT_MAX_PRIME_BITS};
#define N_BITS (sizeof(test_bits) / sizeof(test_bits[0]))

static uint64_t *alloc_words(size_t n)
{
    uint64_t *p = veil_calloc(n, sizeof(uint64_t));
    cr_assert_not_null(p);
    return p;
}

/* The product via one path: NTT(a), NTT(b), pointwise, inverse. */
static void ntt_product(uint64_t *out, const ntt_plan_t *p, const uint64_t *a,
                        const uint64_t *b, uint64_t *tmp)
{
    memcpy(out, a, p->n * sizeof(uint64_t));
    memcpy(tmp, b, p->n * sizeof(uint64_t));
    ntt_forward(p, out);
    ntt_forward(p, tmp);
    ntt_vec_mul(p, out, out, tmp);
    ntt_inverse(p, out);
}

Test(transform, product_matches_flint_and_schoolbook_every_isa_and_n)
{
    veil_rng_t rng;
    vt_rng(&rng, "transform/product");
    const size_t nmax = (size_t)1 << MAX_TEST_LOGN;
    uint64_t *a = alloc_words(nmax), *b = alloc_words(nmax);
    uint64_t *ref = alloc_words(nmax), *ref2 = alloc_words(nmax);
    uint64_t *got = alloc_words(nmax), *tmp = alloc_words(nmax);

    for (unsigned logn = MIN_TEST_LOGN; logn <= MAX_TEST_LOGN; logn++) {
        const size_t n = (size_t)1 << logn;
        /* one prime size per n, cycling, plus the largest for every n */
        unsigned bits_pair[2] = {test_bits[logn % N_BITS], NTT_MAX_PRIME_BITS};
        for (int bi = 0; bi < 2; bi++) {
            const uint64_t q = th_prime(bits_pair[bi], n);
            cr_assert_neq(q, 0);
            for (int pa = 0; pa < TH_PATTERNS; pa++) {
                /* a: the pattern; b: random, or the pattern too */
                th_fill(&rng, a, n, q, (th_pattern_t)pa);
                th_fill(&rng, b, n, q,
                        pa == TH_RANDOM ? TH_RANDOM : (th_pattern_t)pa);
                th_negacyclic_flint(ref, a, b, n, q);
                if (logn <= 11) {
                    th_negacyclic_schoolbook(ref2, a, b, n, q);
                    cr_assert_arr_eq(ref, ref2, n * sizeof(uint64_t),
                                     "FLINT and schoolbook disagree");
                }
                for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
                    ntt_plan_t p;
                    if (!veil_isa_supported((veil_isa_t)isa))
                        continue;
                    cr_assert_eq(ntt_plan_init_isa(&p, n, q, (veil_isa_t)isa),
                                 VEIL_OK);
                    ntt_product(got, &p, a, b, tmp);
                    cr_assert_arr_eq(got, ref, n * sizeof(uint64_t),
                                     "isa %s n %zu q %llu input %s",
                                     veil_isa_name((veil_isa_t)isa), n,
                                     (unsigned long long)q,
                                     th_pattern_name((th_pattern_t)pa));
                    ntt_plan_clear(&p);
                }
            }
        }
    }
    veil_free(a), veil_free(b), veil_free(ref), veil_free(ref2);
    veil_free(got), veil_free(tmp);
    veil_rng_clear(&rng);
}

static size_t bit_reverse(size_t k, unsigned bits)
{
    size_t r = 0;
    for (unsigned i = 0; i < bits; i++, k >>= 1)
        r = (r << 1) | (k & 1);
    return r;
}

/* Output k is a(psi^(2 brv(k) + 1)): evaluation at the odd powers of psi,
 * in bit-reversed order (the order ntt.h documents and bfv relies on). */
Test(transform, forward_is_evaluation_at_odd_powers_bit_reversed)
{
    veil_rng_t rng;
    vt_rng(&rng, "transform/evaluation");
    for (unsigned logn = NTT_MIN_LOGN; logn <= 9; logn++) {
        const size_t n = (size_t)1 << logn;
        const uint64_t q = th_prime(NTT_MAX_PRIME_BITS, n);
        uint64_t *a = alloc_words(n), *y = alloc_words(n);
        veil_rng_uniform_mod(&rng, a, n, q);
        for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
            ntt_plan_t p;
            if (!veil_isa_supported((veil_isa_t)isa))
                continue;
            cr_assert_eq(ntt_plan_init_isa(&p, n, q, (veil_isa_t)isa), VEIL_OK);
            memcpy(y, a, n * sizeof(uint64_t));
            ntt_forward(&p, y);
            for (size_t k = 0; k < n; k++) {
                /* Horner at x = psi^(2 brv(k) + 1) */
                uint64_t x = 1, e = 2 * bit_reverse(k, logn) + 1, v = 0;
                for (uint64_t i = 0; i < e; i++)
                    x = th_mulmod(x, p.psi, q);
                for (size_t i = n; i-- > 0;)
                    v = (uint64_t)((th_mulmod(v, x, q) +
                                    (unsigned __int128)a[i]) %
                                   q);
                cr_assert_eq(y[k], v, "isa %s n %zu k %zu",
                             veil_isa_name((veil_isa_t)isa), n, k);
            }
            ntt_plan_clear(&p);
        }
        veil_free(a), veil_free(y);
    }
    veil_rng_clear(&rng);
}

/* Every path equals scalar bit for bit (forward, inverse, on all patterns)
 * and every path's lazy outputs stay in their documented ranges and agree
 * modulo q.  Covers the whole plan range n = 2^3 .. 2^17. */
Test(transform, paths_agree_round_trip_and_lazy_ranges)
{
    veil_rng_t rng;
    vt_rng(&rng, "transform/paths");
    const size_t nmax = (size_t)1 << NTT_MAX_LOGN;
    uint64_t *a = alloc_words(nmax), *ref = alloc_words(nmax);
    uint64_t *y = alloc_words(nmax), *z = alloc_words(nmax);

    for (unsigned logn = NTT_MIN_LOGN; logn <= NTT_MAX_LOGN; logn++) {
        const size_t n = (size_t)1 << logn;
        const size_t bytes = n * sizeof(uint64_t);
        const uint64_t q = th_prime(test_bits[logn % N_BITS], n);
        ntt_plan_t ps;
        cr_assert_eq(ntt_plan_init_isa(&ps, n, q, VEIL_ISA_SCALAR), VEIL_OK);
        for (int pa = 0; pa < TH_PATTERNS + 2; pa++) {
            /* patterns, then lazy-range extremes: all 4q-1, random < 4q */
            if (pa < TH_PATTERNS) {
                th_fill(&rng, a, n, q, (th_pattern_t)pa);
            } else {
                veil_rng_uniform_mod(&rng, a, n, 4 * q);
                if (pa == TH_PATTERNS)
                    for (size_t i = 0; i < n; i++)
                        a[i] = 4 * q - 1;
            }
            const int lazy_in = pa >= TH_PATTERNS;
            /* scalar reference of the fully reduced forward */
            memcpy(ref, a, bytes);
            if (lazy_in)
                ntt_vec_reduce(&ps, ref, ref);
            ntt_forward(&ps, ref);
            for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
                ntt_plan_t p;
                if (!veil_isa_supported((veil_isa_t)isa))
                    continue;
                cr_assert_eq(ntt_plan_init_isa(&p, n, q, (veil_isa_t)isa),
                             VEIL_OK);
                const char *name = veil_isa_name((veil_isa_t)isa);
                /* lazy forward: [0, 4q) -> [0, 4q), = ref mod q */
                memcpy(y, a, bytes);
                ntt_forward_lazy(&p, y);
                for (size_t i = 0; i < n; i++) {
                    cr_assert_lt(y[i], 4 * q, "%s fwd_lazy n %zu", name, n);
                    cr_assert_eq(y[i] % q, ref[i], "%s fwd_lazy n %zu", name,
                                 n);
                }
                /* lazy inverse of a [0, 2q) input: stays in [0, 2q) */
                for (size_t i = 0; i < n; i++)
                    z[i] = y[i] >= 2 * q ? y[i] - 2 * q : y[i];
                ntt_inverse_lazy(&p, z);
                for (size_t i = 0; i < n; i++) {
                    cr_assert_lt(z[i], 2 * q, "%s inv_lazy n %zu", name, n);
                    cr_assert_eq(z[i] % q, a[i] % q, "%s inv_lazy n %zu", name,
                                 n);
                }
                /* out of place from a [0, 4q) input (prefetching two rows,
                 * one of them NULL on odd patterns), and in place: the
                 * fully reduced forward */
                {
                    const uint64_t *const pf[2] = {ref, pa % 2 ? NULL : a};
                    ntt_forward_prefetch(&p, y, a, pf);
                    cr_assert_arr_eq(y, ref, bytes, "%s fwd+prefetch n %zu",
                                     name, n);
                    memcpy(y, a, bytes);
                    ntt_forward_prefetch(&p, y, y, pf);
                    cr_assert_arr_eq(y, ref, bytes,
                                     "%s fwd+prefetch in place n %zu", name, n);
                }
                if (lazy_in) {
                    ntt_plan_clear(&p);
                    continue;
                }
                /* full forward equals scalar; full inverse round-trips */
                memcpy(y, a, bytes);
                ntt_forward(&p, y);
                cr_assert_arr_eq(y, ref, bytes, "%s fwd n %zu %s", name, n,
                                 th_pattern_name((th_pattern_t)pa));
                ntt_inverse(&p, y);
                cr_assert_arr_eq(y, a, bytes, "%s inv n %zu %s", name, n,
                                 th_pattern_name((th_pattern_t)pa));
                /* inverse alone on a [0, 2q) input equals scalar's */
                for (size_t i = 0; i < n; i++)
                    y[i] = a[i] + (i % 3 == 0 ? q : 0);
                memcpy(z, y, bytes);
                ntt_inverse(&p, y);
                ntt_inverse(&ps, z);
                cr_assert_arr_eq(y, z, bytes, "%s inv vs scalar n %zu", name,
                                 n);
                ntt_plan_clear(&p);
            }
        }
        ntt_plan_clear(&ps);
    }
    veil_free(a), veil_free(ref), veil_free(y), veil_free(z);
    veil_rng_clear(&rng);
}

Test(transform, plan_fields_and_active_isa)
{
    ntt_plan_t p;
    const uint64_t q = th_prime(44, 4096);
    cr_assert_eq(veil_init(), VEIL_OK);
    cr_assert_eq(ntt_plan_init(&p, 4096, q), VEIL_OK);
    cr_assert_eq(p.isa, veil_isa_active());
    cr_assert_eq(p.n, 4096);
    cr_assert_eq(p.logn, 12);
    cr_assert_eq(p.q, q);
    cr_assert_eq(th_mulmod(p.n_inv, 4096, q), 1);
    uint64_t x = p.psi;
    for (int i = 0; i < 12; i++) /* psi^4096 = -1 */
        x = th_mulmod(x, x, q);
    cr_assert_eq(x, q - 1);
    ntt_plan_clear(&p);
    ntt_plan_clear(&p); /* safe twice */
}

/* The AVX2 path computes in doubles; its bounds assume round-to-nearest and
 * it falls back to the scalar code otherwise.  Results must not depend on
 * the caller's rounding mode on any path. */
Test(transform, results_independent_of_rounding_mode)
{
    static const int modes[] = {FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    veil_rng_t rng;
    vt_rng(&rng, "transform/rounding");
    const size_t n = 4096;
    const uint64_t q = th_prime(NTT_MAX_PRIME_BITS, n);
    uint64_t *a = alloc_words(n), *b = alloc_words(n), *ref = alloc_words(n);
    uint64_t *got = alloc_words(n), *tmp = alloc_words(n);
    ntt_plan_t ps;
    veil_rng_uniform_mod(&rng, a, n, q);
    veil_rng_uniform_mod(&rng, b, n, q);
    cr_assert_eq(ntt_plan_init_isa(&ps, n, q, VEIL_ISA_SCALAR), VEIL_OK);
    ntt_product(ref, &ps, a, b, tmp);
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
            ntt_plan_t p;
            if (!veil_isa_supported((veil_isa_t)isa))
                continue;
            cr_assert_eq(ntt_plan_init_isa(&p, n, q, (veil_isa_t)isa), VEIL_OK);
            cr_assert_eq(fesetround(modes[m]), 0);
            ntt_product(got, &p, a, b, tmp);
            fesetround(FE_TONEAREST);
            cr_assert_arr_eq(got, ref, n * sizeof(uint64_t), "isa %s mode %zu",
                             veil_isa_name((veil_isa_t)isa), m);
            ntt_plan_clear(&p);
        }
    }
    ntt_plan_clear(&ps);
    veil_free(a), veil_free(b), veil_free(ref), veil_free(got), veil_free(tmp);
    veil_rng_clear(&rng);
}

/* The inverse without intermediate reductions (AVX-512, q < 2^45) and
 * the reducing one above it: every size, with primes of 44 and 45 bits
 * (INV_FREE, so that the passes that must reduce their inputs first run
 * too) and 46, 48 and 49 bits; inputs at the top of [0, 2q).  Full
 * inverse equals scalar's, the lazy one stays in [0, 2q). */
Test(transform, inverse_free_every_size)
{
    veil_rng_t rng;
    vt_rng(&rng, "transform/inverse_free");
    const size_t nmax = (size_t)1 << NTT_MAX_LOGN;
    uint64_t *a = alloc_words(nmax), *y = alloc_words(nmax);
    uint64_t *z = alloc_words(nmax);
    const unsigned bits[5] = {44, 45, 46, 48, 49};
    for (unsigned logn = 7; logn <= NTT_MAX_LOGN; logn++)
        for (int bi = 0; bi < 5; bi++)
            for (int pa = 0; pa < 2; pa++) {
                const size_t n = (size_t)1 << logn;
                const size_t bytes = n * sizeof(uint64_t);
                const uint64_t q = th_prime(bits[bi], n);
                ntt_plan_t ps;
                cr_assert_eq(ntt_plan_init_isa(&ps, n, q, VEIL_ISA_SCALAR),
                             VEIL_OK);
                veil_rng_uniform_mod(&rng, a, n, 2 * q);
                if (pa == 1)
                    for (size_t i = 0; i < n; i++)
                        a[i] = 2 * q - 1 - (i & 1);
                memcpy(z, a, bytes);
                ntt_inverse(&ps, z);
                for (int isa = 1; isa < VEIL_ISA_COUNT; isa++) {
                    ntt_plan_t p;
                    if (!veil_isa_supported((veil_isa_t)isa))
                        continue;
                    cr_assert_eq(ntt_plan_init_isa(&p, n, q, (veil_isa_t)isa),
                                 VEIL_OK);
                    memcpy(y, a, bytes);
                    ntt_inverse(&p, y);
                    cr_assert_arr_eq(y, z, bytes, "%s inv n %zu q %u bits",
                                     veil_isa_name((veil_isa_t)isa), n,
                                     bits[bi]);
                    memcpy(y, a, bytes);
                    ntt_inverse_lazy(&p, y);
                    for (size_t i = 0; i < n; i++) {
                        cr_assert_lt(y[i], 2 * q);
                        cr_assert_eq(y[i] % q, z[i]);
                    }
                    ntt_plan_clear(&p);
                }
                ntt_plan_clear(&ps);
            }
    veil_free(a);
    veil_free(y);
    veil_free(z);
}
