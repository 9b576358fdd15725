/*
 * gc_circuits.c - the stock circuits: adder, subtractor, comparison,
 * multiplexer and addition mod p, each a complete circuit with the garbler
 * holding the first operand and the evaluator the second.  They are thin
 * wrappers over the word helpers, used by the tests and benchmarks and as
 * examples of the builder.
 */
#include "internal.h"

/* Words x = garbler inputs [0, n) and y = evaluator inputs [0, n). */
static void operands(mpc_cb_t *b, mpc_wire_t *x, mpc_wire_t *y, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        x[i] = mpc_cb_gin(b, i);
        y[i] = mpc_cb_ein(b, i);
    }
}

veil_status mpc_circuit_adder(mpc_circuit_t *c, unsigned n)
{
    mpc_cb_t b;
    mpc_wire_t x[64], y[64], s[65];
    veil_status st;
    if (c == NULL || n < 1 || n > 64)
        return VEIL_EINVAL;
    if ((st = mpc_cb_init(&b, n, n)) != VEIL_OK)
        return st;
    operands(&b, x, y, n);
    mpc_cb_word_add(&b, s, &s[n], x, y, MPC_WIRE_NONE, n);
    return mpc_cb_finish(c, &b, s, n + 1);
}

veil_status mpc_circuit_subtractor(mpc_circuit_t *c, unsigned n)
{
    mpc_cb_t b;
    mpc_wire_t x[64], y[64], d[65];
    veil_status st;
    if (c == NULL || n < 1 || n > 64)
        return VEIL_EINVAL;
    if ((st = mpc_cb_init(&b, n, n)) != VEIL_OK)
        return st;
    operands(&b, x, y, n);
    mpc_cb_word_sub(&b, d, &d[n], x, y, n);
    return mpc_cb_finish(c, &b, d, n + 1);
}

veil_status mpc_circuit_compare(mpc_circuit_t *c, unsigned n)
{
    mpc_cb_t b;
    mpc_wire_t x[64], y[64], ge;
    veil_status st;
    if (c == NULL || n < 1 || n > 64)
        return VEIL_EINVAL;
    if ((st = mpc_cb_init(&b, n, n)) != VEIL_OK)
        return st;
    operands(&b, x, y, n);
    mpc_cb_word_sub(&b, NULL, &ge, x, y, n);
    return mpc_cb_finish(c, &b, &ge, 1);
}

veil_status mpc_circuit_mux(mpc_circuit_t *c, unsigned n)
{
    mpc_cb_t b;
    mpc_wire_t x0[64], x1[64], out[64];
    veil_status st;
    if (c == NULL || n < 1 || n > 64)
        return VEIL_EINVAL;
    if ((st = mpc_cb_init(&b, 2 * n, 1)) != VEIL_OK)
        return st;
    for (unsigned i = 0; i < n; i++) {
        x0[i] = mpc_cb_gin(&b, i);
        x1[i] = mpc_cb_gin(&b, n + i);
    }
    mpc_cb_word_mux(&b, out, mpc_cb_ein(&b, 0), x1, x0, n);
    return mpc_cb_finish(c, &b, out, n);
}

veil_status mpc_circuit_add_mod(mpc_circuit_t *c, uint64_t p)
{
    mpc_cb_t b;
    mpc_wire_t x[63], y[63], out[63];
    unsigned n = gc_bitlen(p);
    veil_status st;
    if (c == NULL || p < 3 || n > 63)
        return VEIL_EINVAL;
    if ((st = mpc_cb_init(&b, n, n)) != VEIL_OK)
        return st;
    operands(&b, x, y, n);
    mpc_cb_word_add_mod(&b, out, x, y, p, n);
    return mpc_cb_finish(c, &b, out, n);
}
