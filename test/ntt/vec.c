/*
 * Tests of the pointwise kernels (ntt_vec_*) on every ISA path against
 * unsigned __int128 arithmetic, including aliasing out = a and the extreme
 * inputs.
 */
#include "ntt_helpers.h"
#include <criterion/criterion.h>
#include <string.h>

enum { VN = 1024 }; /* plan length for these tests */

typedef struct {
    uint64_t a[VN], b[VN], w[VN], wp[VN], acc[VN], lazy[VN];
    uint64_t out[VN], alias[VN];
    int64_t sw[VN];
} vec_data_t;

static void fill(veil_rng_t *rng, vec_data_t *d, uint64_t q, int pattern)
{
    th_fill(rng, d->a, VN, q, (th_pattern_t)pattern);
    th_fill(rng, d->b, VN, q,
            pattern == TH_ALTERNATING ? TH_ALL_MAX : (th_pattern_t)pattern);
    th_fill(rng, d->w, VN, q, TH_RANDOM);
    th_fill(rng, d->acc, VN, q, (th_pattern_t)pattern);
    veil_rng_uniform_mod(rng, d->lazy, VN, 4 * q);
    d->w[0] = q - 1;
    d->lazy[0] = 4 * q - 1;
    d->lazy[1] = 2 * q;
    d->lazy[2] = q;
}

/* Run op twice, into out and in place over a copy of `in_place_src`, and
 * check both against the expected values computed by `expect`. */
#define CHECK_OP(name, call_out, call_alias, src, expect)                      \
    do {                                                                       \
        call_out;                                                              \
        memcpy(d->alias, src, sizeof(d->alias));                               \
        call_alias;                                                            \
        for (size_t i = 0; i < VN; i++) {                                      \
            uint64_t e = (expect);                                             \
            cr_assert_eq(d->out[i], e, "%s %s i %zu q %llu", name, isa_name,   \
                         i, (unsigned long long)q);                            \
            cr_assert_eq(d->alias[i], e, "%s (aliased) %s i %zu", name,        \
                         isa_name, i);                                         \
        }                                                                      \
    } while (0)

Test(vec, pointwise_kernels_every_isa)
{
    static vec_data_t data;
    static uint64_t out1[VN], alias1[VN];
    vec_data_t *d = &data;
    veil_rng_t rng;
    vt_rng(&rng, "vec/pointwise");
    static const unsigned bits[] = {20, 44, 49, NTT_MAX_PRIME_BITS};
    for (size_t bi = 0; bi < sizeof(bits) / sizeof(bits[0]); bi++) {
        const uint64_t q = th_prime(bits[bi], VN);
        for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
            ntt_plan_t p;
            const char *isa_name = veil_isa_name((veil_isa_t)isa);
            if (!veil_isa_supported((veil_isa_t)isa))
                continue;
            cr_assert_eq(ntt_plan_init_isa(&p, VN, q, (veil_isa_t)isa),
                         VEIL_OK);
            for (int pa = 0; pa < TH_PATTERNS; pa++) {
                fill(&rng, d, q, pa);
                CHECK_OP(
                    "add", ntt_vec_add(&p, d->out, d->a, d->b),
                    ntt_vec_add(&p, d->alias, d->alias, d->b), d->a,
                    (uint64_t)(((unsigned __int128)d->a[i] + d->b[i]) % q));
                /* signed terms of either sign up to |w| = q - 1 */
                for (size_t i = 0; i < VN; i++)
                    d->sw[i] = (int64_t)(d->b[i] % q) * (i % 2 ? -1 : 1);
                d->sw[0] = (int64_t)(q - 1), d->sw[1] = -(int64_t)(q - 1);
                CHECK_OP(
                    "add_signed", ntt_vec_add_signed(&p, d->out, d->a, d->sw),
                    ntt_vec_add_signed(&p, d->alias, d->alias, d->sw), d->a,
                    (uint64_t)(((unsigned __int128)d->a[i] + q +
                                (unsigned __int128)(__int128)d->sw[i]) %
                               q));
                CHECK_OP(
                    "sub", ntt_vec_sub(&p, d->out, d->a, d->b),
                    ntt_vec_sub(&p, d->alias, d->alias, d->b), d->a,
                    (uint64_t)(((unsigned __int128)d->a[i] + q - d->b[i]) % q));
                CHECK_OP("neg", ntt_vec_neg(&p, d->out, d->a),
                         ntt_vec_neg(&p, d->alias, d->alias), d->a,
                         (q - d->a[i]) % q);
                CHECK_OP("mul", ntt_vec_mul(&p, d->out, d->a, d->b),
                         ntt_vec_mul(&p, d->alias, d->alias, d->b), d->a,
                         th_mulmod(d->a[i], d->b[i], q));
                CHECK_OP("mul_scalar",
                         ntt_vec_mul_scalar(&p, d->out, d->a, d->w[0]),
                         ntt_vec_mul_scalar(&p, d->alias, d->alias, d->w[0]),
                         d->a, th_mulmod(d->a[i], d->w[0], q));
                ntt_vec_shoup_precomp(&p, d->wp, d->w);
                for (size_t i = 0; i < VN; i++)
                    cr_assert_eq(d->wp[i], ntt_shoup_precomp(d->w[i], q));
                CHECK_OP("mul_shoup",
                         ntt_vec_mul_shoup(&p, d->out, d->a, d->w, d->wp),
                         ntt_vec_mul_shoup(&p, d->alias, d->alias, d->w, d->wp),
                         d->a, th_mulmod(d->a[i], d->w[i], q));
                memcpy(d->out, d->acc, sizeof(d->out));
                CHECK_OP("muladd", ntt_vec_muladd(&p, d->out, d->a, d->b),
                         ntt_vec_muladd(&p, d->alias, d->a, d->b), d->acc,
                         (uint64_t)((d->acc[i] + (unsigned __int128)th_mulmod(
                                                     d->a[i], d->b[i], q)) %
                                    q));
                CHECK_OP("reduce", ntt_vec_reduce(&p, d->out, d->lazy),
                         ntt_vec_reduce(&p, d->alias, d->alias), d->lazy,
                         d->lazy[i] % q);
                /* ntt_vec_mul2 (bfv_mul_plain's kernel): both products,
                 * into separate rows and in place (a1 = acc: the same
                 * pattern, other values) */
                /* ntt_vec_muladd2: out0 += a b, out1 += acc b */
                memcpy(d->out, d->acc, sizeof(d->out));
                memcpy(out1, d->a, sizeof(out1));
                ntt_vec_muladd2(&p, d->out, out1, d->a, d->acc, d->b);
                for (size_t i = 0; i < VN; i++) {
                    const uint64_t e0 =
                        (d->acc[i] + th_mulmod(d->a[i], d->b[i], q)) % q;
                    const uint64_t e1 =
                        (d->a[i] + th_mulmod(d->acc[i], d->b[i], q)) % q;
                    cr_assert_eq(d->out[i], e0, "muladd2 %s i %zu q %llu",
                                 isa_name, i, (unsigned long long)q);
                    cr_assert_eq(out1[i], e1, "muladd2 %s i %zu", isa_name, i);
                }
                ntt_vec_mul2(&p, d->out, out1, d->a, d->acc, d->b);
                memcpy(d->alias, d->a, sizeof(d->alias));
                memcpy(alias1, d->acc, sizeof(alias1));
                ntt_vec_mul2(&p, d->alias, alias1, d->alias, alias1, d->b);
                for (size_t i = 0; i < VN; i++) {
                    const uint64_t e0 = th_mulmod(d->a[i], d->b[i], q);
                    const uint64_t e1 = th_mulmod(d->acc[i], d->b[i], q);
                    cr_assert_eq(d->out[i], e0, "mul2 %s i %zu q %llu",
                                 isa_name, i, (unsigned long long)q);
                    cr_assert_eq(out1[i], e1, "mul2 %s i %zu", isa_name, i);
                    cr_assert_eq(d->alias[i], e0, "mul2 (aliased) %s i %zu",
                                 isa_name, i);
                    cr_assert_eq(alias1[i], e1, "mul2 (aliased) %s i %zu",
                                 isa_name, i);
                }
            }
            ntt_plan_clear(&p);
        }
    }
    veil_rng_clear(&rng);
}
