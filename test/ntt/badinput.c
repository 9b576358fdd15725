/*
 * Bad input to NTT plans: every rejection is a status, never a crash, and a
 * failed init leaves a plan that ntt_plan_clear accepts.
 */
#include "ntt_helpers.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>

static void expect_init(veil_status want, size_t n, uint64_t q, veil_isa_t isa)
{
    ntt_plan_t p;
    cr_assert_eq(ntt_plan_init_isa(&p, n, q, isa), want, "n %zu q %llu isa %d",
                 n, (unsigned long long)q, (int)isa);
    ntt_plan_clear(&p);
    ntt_plan_clear(&p);
}

Test(badinput, plan_rejects_bad_n)
{
    const uint64_t q = th_prime(NTT_MAX_PRIME_BITS, 1u << NTT_MAX_LOGN);
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
        if (!veil_isa_supported((veil_isa_t)isa))
            continue;
        static const size_t bad_n[] = {
            0,       1,    2,
            4,       3,    12,
            1000,    4097, (size_t)1 << (NTT_MAX_LOGN + 1),
            SIZE_MAX};
        for (size_t i = 0; i < sizeof(bad_n) / sizeof(bad_n[0]); i++)
            expect_init(VEIL_EINVAL, bad_n[i], q, (veil_isa_t)isa);
    }
}

Test(badinput, plan_rejects_bad_q)
{
    const size_t n = 4096;
    const uint64_t good = th_prime(44, n);
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
        veil_isa_t i = (veil_isa_t)isa;
        if (!veil_isa_supported(i))
            continue;
        expect_init(VEIL_OK, n, good, i);
        expect_init(VEIL_EPARAM, n, 0, i);
        expect_init(VEIL_EPARAM, n, 1, i);
        expect_init(VEIL_EPARAM, n, 2, i);
        /* prime but not 1 mod 2n */
        expect_init(VEIL_EPARAM, n, 17, i);
        expect_init(VEIL_EPARAM, n, (1ULL << 31) - 1, i);
        /* 1 mod 2n but composite: (2n + 1)^2 = 1 mod 2n */
        expect_init(VEIL_EPARAM, n, (2 * n + 1) * (2 * n + 1), i);
        /* primes = 1 mod 2n just above the paths' limit 2^50 */
        int found = 0;
        for (uint64_t c = (1ULL << NTT_MAX_PRIME_BITS) + 1; found < 3;
             c += 2 * n) {
            if (n_is_prime(c)) {
                expect_init(VEIL_EPARAM, n, c, i);
                found++;
            }
        }
        expect_init(VEIL_EPARAM, n, (1ULL << 61) - 1, i); /* Mersenne prime */
        expect_init(VEIL_EPARAM, n, UINT64_MAX, i);
    }
}

Test(badinput, plan_rejects_null_and_unknown_isa)
{
    const uint64_t q = th_prime(44, 4096);
    cr_assert_eq(ntt_plan_init(NULL, 4096, q), VEIL_EINVAL);
    cr_assert_eq(ntt_plan_init_isa(NULL, 4096, q, VEIL_ISA_SCALAR),
                 VEIL_EINVAL);
    expect_init(VEIL_EINVAL, 4096, q, (veil_isa_t)7);
    expect_init(VEIL_EINVAL, 4096, q, (veil_isa_t)-1);
    ntt_plan_clear(NULL);
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++)
        if (!veil_isa_supported((veil_isa_t)isa))
            expect_init(VEIL_EUNSUPPORTED, 4096, q, (veil_isa_t)isa);
}

#ifdef VEIL_DEBUG
/* --enable-debug: a broken precondition stops at the kernel's entry
 * (VEIL_ASSERT aborts) instead of giving a silently wrong result.  Each
 * test fails if its check is removed. */
#include <signal.h>

static void debug_plan(ntt_plan_t *p, uint64_t *a)
{
    const size_t n = 64;
    const uint64_t q = th_prime(40, n);
    cr_assert_eq(ntt_plan_init(p, n, q), VEIL_OK);
    for (size_t i = 0; i < n; i++)
        a[i] = i;
}

Test(debug, forward_refuses_a_residue_of_q, .signal = SIGABRT)
{
    ntt_plan_t p;
    uint64_t a[64];
    debug_plan(&p, a);
    a[7] = p.q; /* ntt_forward wants [0, q) */
    ntt_forward(&p, a);
}

Test(debug, inverse_refuses_a_residue_of_2q, .signal = SIGABRT)
{
    ntt_plan_t p;
    uint64_t a[64];
    debug_plan(&p, a);
    a[63] = 2 * p.q; /* ntt_inverse wants [0, 2q) */
    ntt_inverse(&p, a);
}

Test(debug, pointwise_refuses_partial_overlap, .signal = SIGABRT)
{
    ntt_plan_t p;
    uint64_t a[65];
    debug_plan(&p, a);
    a[64] = 0;
    ntt_vec_add(&p, a + 1, a, a); /* out overlaps a without being a */
}

Test(debug, lazy_ranges_are_accepted)
{
    ntt_plan_t p;
    uint64_t a[64];
    debug_plan(&p, a);
    a[0] = 4 * p.q - 1; /* ntt_forward_lazy takes [0, 4q) */
    ntt_forward_lazy(&p, a);
    ntt_vec_reduce(&p, a, a);
    ntt_inverse(&p, a);
    ntt_plan_clear(&p);
}
#endif
