/*
 * Tests of the ReLU circuit: its AND count, and its plaintext evaluation on
 * the server's pre-processed inputs against the reference
 * (ReLU((c + s) mod p) - r) mod p, on boundary values of x and of the
 * shares and on random ones, for Delphi's prime, exhaustively for small
 * primes, and for primes whose (p - 1) / 2 is not of the form (2^j - 1) 2^k.
 */
#include "gc_helpers.h"
#include <criterion/criterion.h>

/* The circuit's output for shares c, s and mask r. */
static uint64_t relu_circuit(const mpc_circuit_t *circ, uint64_t c, uint64_t s,
                             uint64_t r, uint64_t p)
{
    uint8_t gin[3 * 62], ein[62], out[62];
    unsigned n = circ->n_ein;
    mpc_relu_gin_offline(gin, r, p);
    mpc_relu_gin_online(gin + MPC_RELU_GIN_OFFLINE(n), s, p);
    gc_to_bits(ein, c, n);
    cr_assert_eq(mpc_circuit_eval(out, circ, gin, ein), VEIL_OK);
    return gc_from_bits(out, n);
}

static void check(const mpc_circuit_t *circ, uint64_t c, uint64_t s, uint64_t r,
                  uint64_t p)
{
    uint64_t want = mpc_relu_ref(c, s, r, p);
    uint64_t got = relu_circuit(circ, c, s, r, p);
    cr_assert_eq(got, want, "p=%llu c=%llu s=%llu r=%llu: got %llu want %llu",
                 (unsigned long long)p, (unsigned long long)c,
                 (unsigned long long)s, (unsigned long long)r,
                 (unsigned long long)got, (unsigned long long)want);
}

Test(gc_relu, reference_is_relu_minus_mask)
{
    const uint64_t p = MPC_FIELD_P_DEFAULT, h = (p - 1) / 2;
    /* x = c + s: positive values come back, negative ones become 0 */
    cr_assert_eq(mpc_relu_ref(5, 0, 0, p), 5);
    cr_assert_eq(mpc_relu_ref(h, 0, 0, p), h);
    cr_assert_eq(mpc_relu_ref(h + 1, 0, 0, p), 0);
    cr_assert_eq(mpc_relu_ref(p - 1, 0, 0, p), 0);
    cr_assert_eq(mpc_relu_ref(p - 1, 3, 0, p), 2);
    cr_assert_eq(mpc_relu_ref(0, 0, 1, p), p - 1);
    cr_assert_eq(mpc_relu_ref(7, 0, 7, p), 0);
}

Test(gc_relu, delphi_prime_has_206_ands)
{
    mpc_circuit_t c;
    cr_assert_eq(mpc_circuit_relu(&c, MPC_FIELD_P_DEFAULT), VEIL_OK);
    cr_assert_eq(c.n_gin, 3 * 41);
    cr_assert_eq(c.n_ein, 41);
    cr_assert_eq(c.n_out, 41);
    cr_assert_eq(c.n_and, 206);
    cr_assert_leq(c.n_and, 250, "the target of the issue");
    mpc_circuit_clear(&c);
}

Test(gc_relu, delphi_prime_boundaries_and_random)
{
    const uint64_t p = MPC_FIELD_P_DEFAULT, h = (p - 1) / 2;
    /* x values: 0, 1, -1, the largest and smallest signed values h and
     * h + 1 (= -h), their neighbours, and the fixed-point (15 fractional
     * bits) values +-1.0, +-0.5 */
    const uint64_t xs[] = {0,
                           1,
                           p - 1,
                           2,
                           p - 2,
                           h,
                           h + 1,
                           h - 1,
                           h + 2,
                           1u << 15,
                           p - (1u << 15),
                           1u << 14,
                           p - (1u << 14)};
    mpc_circuit_t c;
    veil_rng_t rng;
    vt_rng(&rng, "gc_relu");
    cr_assert_eq(mpc_circuit_relu(&c, p), VEIL_OK);
    for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        uint64_t x = xs[i];
        /* shares: client 0, client p - 1, client x, and random splits */
        uint64_t cs[5] = {0, p - 1, x, 0, 0};
        cs[3] = veil_rng_u64(&rng) % p;
        cs[4] = veil_rng_u64(&rng) % p;
        for (size_t j = 0; j < 5; j++) {
            uint64_t cc = cs[j], s = (x + p - cc) % p;
            const uint64_t rs[] = {0, 1, p - 1, h, veil_rng_u64(&rng) % p};
            for (size_t k = 0; k < 5; k++)
                check(&c, cc, s, rs[k], p);
        }
    }
    for (size_t it = 0; it < vt_iters(3000); it++) {
        uint64_t cc = veil_rng_u64(&rng) % p, s = veil_rng_u64(&rng) % p;
        check(&c, cc, s, veil_rng_u64(&rng) % p, p);
    }
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}

Test(gc_relu, small_primes_exhaustive)
{
    static const uint64_t ps[] = {3, 5, 7, 11, 13, 17, 31, 37};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        uint64_t p = ps[i];
        mpc_circuit_t c;
        cr_assert_eq(mpc_circuit_relu(&c, p), VEIL_OK);
        for (uint64_t cc = 0; cc < p; cc++)
            for (uint64_t s = 0; s < p; s++)
                for (uint64_t r = 0; r < p; r += (p > 13 ? 5 : 1))
                    check(&c, cc, s, r, p);
        mpc_circuit_clear(&c);
    }
}

Test(gc_relu, other_large_primes)
{
    /* 2^61 - 1 (h = 2^60 - 1, no trailing zeros), 65537, a 62-bit prime */
    static const uint64_t ps[] = {(UINT64_C(1) << 61) - 1, 65537,
                                  (UINT64_C(1) << 62) - 57, 8380417};
    veil_rng_t rng;
    vt_rng(&rng, "gc_relu_primes");
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        uint64_t p = ps[i], h = (p - 1) / 2;
        mpc_circuit_t c;
        unsigned n = 0;
        while (p >> n)
            n++;
        cr_assert_eq(mpc_circuit_relu(&c, p), VEIL_OK);
        cr_assert_leq(c.n_and, 6 * n);
        for (size_t it = 0; it < vt_iters(400); it++) {
            uint64_t cc = veil_rng_u64(&rng) % p, s = veil_rng_u64(&rng) % p;
            uint64_t r = veil_rng_u64(&rng) % p;
            if (it < 8) { /* x = h, h + 1, 0, p - 1 */
                static const int off[] = {0, 1};
                uint64_t x =
                    it < 4 ? h + (uint64_t)off[it & 1] : (it & 1 ? p - 1 : 0);
                s = (x + p - cc) % p;
            }
            check(&c, cc, s, r, p);
        }
        mpc_circuit_clear(&c);
    }
    veil_rng_clear(&rng);
}

Test(gc_relu, bad_moduli)
{
    mpc_circuit_t c;
    cr_assert_eq(mpc_circuit_relu(&c, 4), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_relu(&c, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_relu(&c, UINT64_C(1) << 62 | 1), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_relu(NULL, 5), VEIL_EINVAL);
}
