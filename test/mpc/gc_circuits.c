/*
 * Tests of the circuit layer: the builder's constant folding and sticky
 * errors, the structural check, and every stock circuit against machine
 * arithmetic on random and boundary operands, with their AND counts.
 */
#include "gc_helpers.h"
#include <criterion/criterion.h>

/* Evaluate c on the garbler bits gin and evaluator bits ein. */
static void run(uint8_t *out, const mpc_circuit_t *c, const uint8_t *gin,
                const uint8_t *ein)
{
    cr_assert_eq(mpc_circuit_eval(out, c, gin, ein), VEIL_OK);
}

static uint64_t mask(unsigned n)
{
    return n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

/* Random operands plus the corners 0, 1, 2^n - 1, 2^(n-1), 2^(n-1) - 1. */
static uint64_t operand(veil_rng_t *rng, unsigned n, size_t it)
{
    static const int corner[] = {0, 1, -1, 2, 3};
    if (it < 5 * 5) {
        switch (corner[it % 5]) {
        case 0:
            return 0;
        case 1:
            return 1 & mask(n);
        case -1:
            return mask(n);
        case 2:
            return ((uint64_t)1 << (n - 1));
        default:
            return ((uint64_t)1 << (n - 1)) - 1;
        }
    }
    return gc_rand_bits(rng, n);
}

Test(gc_builder, folds_constants_and_counts_ands)
{
    mpc_cb_t b;
    mpc_circuit_t c;
    mpc_wire_t x, y, k0, k1, w[4];
    uint8_t gin[2] = {1, 0}, out[4];
    cr_assert_eq(mpc_cb_init(&b, 2, 0), VEIL_OK);
    x = mpc_cb_gin(&b, 0);
    y = mpc_cb_gin(&b, 1);
    k0 = mpc_cb_const(&b, 0);
    k1 = mpc_cb_const(&b, 1);
    cr_assert_eq(mpc_cb_const(&b, 0), k0, "constants are made once");
    cr_assert_eq(mpc_cb_and(&b, x, k0), k0);
    cr_assert_eq(mpc_cb_and(&b, k1, x), x);
    cr_assert_eq(mpc_cb_xor(&b, k0, y), y);
    cr_assert_eq(mpc_cb_xor(&b, x, x), k0);
    cr_assert_eq(mpc_cb_not(&b, k1), k0);
    cr_assert_eq(b.c.n_and, 0);
    w[0] = mpc_cb_xor(&b, x, k1); /* a NOT gate */
    w[1] = mpc_cb_or(&b, x, y);   /* one AND */
    w[2] = mpc_cb_mux(&b, x, y, k1);
    w[3] = mpc_cb_and(&b, x, y);
    cr_assert_eq(b.c.n_and, 3);
    cr_assert_eq(mpc_cb_finish(&c, &b, w, 4), VEIL_OK);
    cr_assert_eq(mpc_circuit_check(&c), VEIL_OK);
    for (int v = 0; v < 4; v++) {
        gin[0] = v & 1;
        gin[1] = (uint8_t)(v >> 1);
        cr_assert_eq(mpc_circuit_eval(out, &c, gin, NULL), VEIL_OK);
        cr_assert_eq(out[0], !gin[0]);
        cr_assert_eq(out[1], gin[0] | gin[1]);
        cr_assert_eq(out[2], gin[0] ? gin[1] : 1);
        cr_assert_eq(out[3], gin[0] & gin[1]);
    }
    mpc_circuit_clear(&c);
    mpc_circuit_clear(&c);
    mpc_cb_clear(&b);
}

Test(gc_builder, errors_are_sticky_and_reported)
{
    mpc_cb_t b;
    mpc_circuit_t c;
    mpc_wire_t x, w;
    cr_assert_eq(mpc_cb_init(&b, 1, 1), VEIL_OK);
    x = mpc_cb_gin(&b, 0);
    cr_assert_eq(mpc_cb_and(&b, x, 77), MPC_WIRE_NONE);
    w = mpc_cb_xor(&b, x, mpc_cb_ein(&b, 0));
    cr_assert_eq(w, MPC_WIRE_NONE, "sticky");
    cr_assert_eq(mpc_cb_finish(&c, &b, &x, 1), VEIL_EINVAL);
    cr_assert_eq(c.n_gates, 0);
    cr_assert_null(c.gates);

    cr_assert_eq(mpc_cb_init(&b, 1, 0), VEIL_OK);
    cr_assert_eq(mpc_cb_ein(&b, 0), MPC_WIRE_NONE);
    cr_assert_eq(mpc_cb_finish(&c, &b, NULL, 0), VEIL_EINVAL);

    cr_assert_eq(mpc_cb_init(&b, 1, 0), VEIL_OK);
    w = 5;
    cr_assert_eq(mpc_cb_finish(&c, &b, &w, 1), VEIL_EINVAL, "bad output");
    cr_assert_eq(mpc_cb_init(&b, MPC_CIRCUIT_MAX_WIRES, 1), VEIL_EINVAL);
    mpc_cb_clear(&b);
    cr_assert_eq(mpc_cb_init(NULL, 1, 1), VEIL_EINVAL);
}

Test(gc_circuit, check_rejects_broken_circuits)
{
    mpc_circuit_t c;
    uint8_t in[2] = {0, 1}, out[1];
    cr_assert_eq(mpc_circuit_compare(&c, 2), VEIL_OK);
    cr_assert_eq(mpc_circuit_check(&c), VEIL_OK);
    c.gates[0].a = 2 + 2 + 0; /* reads its own wire */
    cr_assert_eq(mpc_circuit_check(&c), VEIL_EFORMAT);
    cr_assert_eq(mpc_circuit_eval(out, &c, in, in), VEIL_EFORMAT);
    mpc_circuit_clear(&c);

    cr_assert_eq(mpc_circuit_compare(&c, 2), VEIL_OK);
    c.n_and++;
    cr_assert_eq(mpc_circuit_check(&c), VEIL_EFORMAT);
    c.n_and--;
    c.gates[1].op = 9;
    cr_assert_eq(mpc_circuit_check(&c), VEIL_EFORMAT);
    c.gates[1].op = MPC_GATE_CONST0; /* a constant with an operand */
    cr_assert_eq(mpc_circuit_check(&c), VEIL_EFORMAT);
    mpc_circuit_clear(&c);

    cr_assert_eq(mpc_circuit_compare(&c, 2), VEIL_OK);
    c.out[0] = mpc_circuit_wires(&c);
    cr_assert_eq(mpc_circuit_check(&c), VEIL_EFORMAT);
    c.out[0] = 0;
    in[0] = 2;
    cr_assert_eq(mpc_circuit_eval(out, &c, in, in), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_eval(NULL, &c, in, in), VEIL_EINVAL);
    mpc_circuit_clear(&c);
    cr_assert_eq(mpc_circuit_check(NULL), VEIL_EINVAL);
}

static const unsigned widths[] = {1, 2, 7, 8, 41, 63, 64};
#define N_WIDTHS (sizeof(widths) / sizeof(widths[0]))

Test(gc_circuit, adder_subtractor_compare_mux_match_arithmetic)
{
    veil_rng_t rng;
    size_t iters = vt_iters(200);
    vt_rng(&rng, "gc_arith");
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned n = widths[wi];
        mpc_circuit_t add, sub, cmp, mux;
        cr_assert_eq(mpc_circuit_adder(&add, n), VEIL_OK);
        cr_assert_eq(mpc_circuit_subtractor(&sub, n), VEIL_OK);
        cr_assert_eq(mpc_circuit_compare(&cmp, n), VEIL_OK);
        cr_assert_eq(mpc_circuit_mux(&mux, n), VEIL_OK);
        cr_assert_eq(add.n_and, n);
        cr_assert_eq(sub.n_and, n);
        cr_assert_eq(cmp.n_and, n);
        cr_assert_eq(mux.n_and, n);
        for (size_t it = 0; it < iters; it++) {
            uint64_t x = operand(&rng, n, it), y = operand(&rng, n, it / 5);
            uint64_t x1 = gc_rand_bits(&rng, n), m = mask(n);
            uint8_t gx[128], ey[64], out[65], sel;
            gc_to_bits(gx, x, n);
            gc_to_bits(gx + n, x1, n);
            gc_to_bits(ey, y, n);
            run(out, &add, gx, ey);
            cr_assert_eq(gc_from_bits(out, n), (x + y) & m,
                         "n=%u x=%llx y=%llx", n, (unsigned long long)x,
                         (unsigned long long)y);
            cr_assert_eq(out[n], n < 64 ? (x + y) >> n : (x + y < x));
            run(out, &sub, gx, ey);
            cr_assert_eq(gc_from_bits(out, n), (x - y) & m);
            cr_assert_eq(out[n], x >= y);
            run(out, &cmp, gx, ey);
            cr_assert_eq(out[0], x >= y);
            sel = (uint8_t)(it & 1);
            run(out, &mux, gx, &sel);
            cr_assert_eq(gc_from_bits(out, n), sel ? x1 : x);
        }
        mpc_circuit_clear(&add);
        mpc_circuit_clear(&sub);
        mpc_circuit_clear(&cmp);
        mpc_circuit_clear(&mux);
    }
    veil_rng_clear(&rng);
}

Test(gc_circuit, add_mod_matches_arithmetic)
{
    /* small primes exhaustively, then large moduli (odd and even) */
    static const uint64_t small[] = {3, 4, 5, 7, 13, 16, 17};
    static const uint64_t large[] = {MPC_FIELD_P_DEFAULT, 65537,
                                     (UINT64_C(1) << 62) - 57,
                                     (UINT64_C(1) << 63) - 25, 1000000};
    veil_rng_t rng;
    vt_rng(&rng, "gc_add_mod");
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
        uint64_t p = small[i];
        unsigned n = 0;
        mpc_circuit_t c;
        while (p >> n)
            n++;
        cr_assert_eq(mpc_circuit_add_mod(&c, p), VEIL_OK);
        for (uint64_t x = 0; x < p; x++)
            for (uint64_t y = 0; y < p; y++) {
                uint8_t gx[8], ey[8], out[8];
                gc_to_bits(gx, x, n);
                gc_to_bits(ey, y, n);
                run(out, &c, gx, ey);
                cr_assert_eq(gc_from_bits(out, n), (x + y) % p);
            }
        mpc_circuit_clear(&c);
    }
    for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++) {
        uint64_t p = large[i];
        unsigned n = 0;
        mpc_circuit_t c;
        while (p >> n)
            n++;
        cr_assert_eq(mpc_circuit_add_mod(&c, p), VEIL_OK);
        cr_assert_leq(c.n_and, 3 * n + 1);
        for (size_t it = 0; it < vt_iters(300); it++) {
            uint64_t x = veil_rng_u64(&rng) % p, y = veil_rng_u64(&rng) % p;
            uint8_t gx[64], ey[64], out[64];
            if (it < 4) { /* corners: 0, p - 1 */
                x = it & 1 ? p - 1 : 0;
                y = it & 2 ? p - 1 : 0;
            }
            gc_to_bits(gx, x, n);
            gc_to_bits(ey, y, n);
            run(out, &c, gx, ey);
            cr_assert_eq(gc_from_bits(out, n),
                         (uint64_t)(((unsigned __int128)x + y) % p), "p=%llu",
                         (unsigned long long)p);
        }
        mpc_circuit_clear(&c);
    }
    cr_assert_eq(mpc_circuit_add_mod(NULL, 5), VEIL_EINVAL);
    {
        mpc_circuit_t c;
        cr_assert_eq(mpc_circuit_add_mod(&c, 2), VEIL_EINVAL);
        cr_assert_eq(mpc_circuit_add_mod(&c, UINT64_MAX), VEIL_EINVAL);
        cr_assert_eq(mpc_circuit_adder(&c, 0), VEIL_EINVAL);
        cr_assert_eq(mpc_circuit_mux(&c, 65), VEIL_EINVAL);
    }
    veil_rng_clear(&rng);
}

Test(gc_circuit, word_ge_const_matches_and_is_cheap_for_round_constants)
{
    veil_rng_t rng;
    static const uint64_t ks[] = {0,
                                  1,
                                  2,
                                  15ull << 36,
                                  (15ull << 36) + 1,
                                  1ull << 40,
                                  (1ull << 41) - 1,
                                  1ull << 41,
                                  UINT64_MAX};
    vt_rng(&rng, "gc_ge_const");
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        mpc_cb_t b;
        mpc_circuit_t c;
        mpc_wire_t x[41], ge;
        cr_assert_eq(mpc_cb_init(&b, 0, 41), VEIL_OK);
        for (unsigned j = 0; j < 41; j++)
            x[j] = mpc_cb_ein(&b, j);
        ge = mpc_cb_word_ge_const(&b, x, ks[i], 41);
        cr_assert_eq(mpc_cb_finish(&c, &b, &ge, 1), VEIL_OK);
        if (ks[i] == (15ull << 36))
            cr_assert_eq(c.n_and, 4, "trailing zeros cost nothing");
        cr_assert_leq(c.n_and, 41);
        for (size_t it = 0; it < vt_iters(300); it++) {
            uint64_t v = gc_rand_bits(&rng, 41);
            uint8_t in[41], out;
            if (it < 3 && ks[i] >= it && ks[i] - it < (1ull << 41))
                v = ks[i] - it; /* at and just below the constant */
            gc_to_bits(in, v, 41);
            run(&out, &c, NULL, in);
            cr_assert_eq(out, v >= ks[i]);
        }
        mpc_circuit_clear(&c);
    }
    veil_rng_clear(&rng);
}
