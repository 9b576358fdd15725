/*
 * gc_builder.c - the circuit builder's gate layer: allocating wires,
 * emitting XOR / AND / NOT / constant gates with constant folding, and
 * handing the finished circuit over.  Word-level helpers are in gc_words.c.
 */
#include "veil/mpc_gc.h"
#include <stdlib.h>
#include <string.h>

/* cst[] codes */
enum { CST_NONE = 0, CST_0 = 1, CST_1 = 2 };

veil_status mpc_cb_init(mpc_cb_t *b, uint32_t n_gin, uint32_t n_ein)
{
    uint64_t n_in = (uint64_t)n_gin + n_ein;
    if (b == NULL)
        return VEIL_EINVAL;
    memset(b, 0, sizeof(*b));
    b->k[0] = b->k[1] = MPC_WIRE_NONE;
    if (n_in > MPC_CIRCUIT_MAX_WIRES)
        return b->err = VEIL_EINVAL;
    b->c.n_gin = n_gin;
    b->c.n_ein = n_ein;
    b->cap = 64;
    b->c.gates = malloc(b->cap * sizeof(mpc_gate_t));
    b->cst = calloc((size_t)n_in + b->cap, 1);
    if (b->c.gates == NULL || b->cst == NULL) {
        mpc_cb_clear(b);
        return b->err = VEIL_ENOMEM;
    }
    return VEIL_OK;
}

void mpc_cb_clear(mpc_cb_t *b)
{
    veil_status err;
    if (b == NULL)
        return;
    err = b->err;
    mpc_circuit_clear(&b->c);
    free(b->cst);
    memset(b, 0, sizeof(*b));
    b->k[0] = b->k[1] = MPC_WIRE_NONE;
    /* a cleared builder stays unusable until the next init */
    b->err = err != VEIL_OK ? err : VEIL_EINVAL;
}

/* Record the first error; every later call then returns MPC_WIRE_NONE. */
static mpc_wire_t fail(mpc_cb_t *b, veil_status st)
{
    if (b->err == VEIL_OK)
        b->err = st;
    return MPC_WIRE_NONE;
}

/* 1 if the builder is healthy and every operand names an existing wire. */
static int usable(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y, unsigned ar)
{
    uint32_t n = mpc_circuit_wires(&b->c);
    if (b->err != VEIL_OK)
        return 0;
    if ((ar >= 1 && x >= n) || (ar == 2 && y >= n)) {
        fail(b, VEIL_EINVAL);
        return 0;
    }
    return 1;
}

/* Append one gate; its output wire, constant code `cst`. */
static mpc_wire_t emit(mpc_cb_t *b, uint32_t op, mpc_wire_t x, mpc_wire_t y,
                       uint8_t cst)
{
    uint32_t w = mpc_circuit_wires(&b->c);
    if (w >= MPC_CIRCUIT_MAX_WIRES)
        return fail(b, VEIL_ENOMEM);
    if (b->c.n_gates == b->cap) {
        size_t cap = 2 * b->cap;
        size_t n_in = (size_t)b->c.n_gin + b->c.n_ein;
        mpc_gate_t *g = realloc(b->c.gates, cap * sizeof(mpc_gate_t));
        uint8_t *k;
        if (g == NULL)
            return fail(b, VEIL_ENOMEM);
        b->c.gates = g;
        k = realloc(b->cst, n_in + cap);
        if (k == NULL)
            return fail(b, VEIL_ENOMEM);
        b->cst = k;
        b->cap = cap;
    }
    b->c.gates[b->c.n_gates].op = op;
    b->c.gates[b->c.n_gates].a = x;
    b->c.gates[b->c.n_gates].b = y;
    b->c.n_gates++;
    b->c.n_and += op == MPC_GATE_AND;
    b->cst[w] = cst;
    return w;
}

mpc_wire_t mpc_cb_gin(mpc_cb_t *b, uint32_t i)
{
    if (b == NULL || b->err != VEIL_OK)
        return MPC_WIRE_NONE;
    return i < b->c.n_gin ? i : fail(b, VEIL_EINVAL);
}

mpc_wire_t mpc_cb_ein(mpc_cb_t *b, uint32_t i)
{
    if (b == NULL || b->err != VEIL_OK)
        return MPC_WIRE_NONE;
    return i < b->c.n_ein ? b->c.n_gin + i : fail(b, VEIL_EINVAL);
}

mpc_wire_t mpc_cb_const(mpc_cb_t *b, int bit)
{
    bit = bit != 0;
    if (b == NULL || !usable(b, 0, 0, 0))
        return MPC_WIRE_NONE;
    if (b->k[bit] == MPC_WIRE_NONE)
        b->k[bit] = emit(b, bit ? MPC_GATE_CONST1 : MPC_GATE_CONST0, 0, 0,
                         bit ? CST_1 : CST_0);
    return b->k[bit];
}

mpc_wire_t mpc_cb_not(mpc_cb_t *b, mpc_wire_t x)
{
    if (b == NULL || !usable(b, x, 0, 1))
        return MPC_WIRE_NONE;
    if (b->cst[x] != CST_NONE)
        return mpc_cb_const(b, b->cst[x] == CST_0);
    return emit(b, MPC_GATE_NOT, x, 0, CST_NONE);
}

mpc_wire_t mpc_cb_xor(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y)
{
    if (b == NULL || !usable(b, x, y, 2))
        return MPC_WIRE_NONE;
    if (x == y)
        return mpc_cb_const(b, 0);
    if (b->cst[x] != CST_NONE) { /* put the constant, if any, in y */
        mpc_wire_t t = x;
        x = y;
        y = t;
    }
    if (b->cst[y] == CST_0)
        return x;
    if (b->cst[y] == CST_1)
        return mpc_cb_not(b, x);
    return emit(b, MPC_GATE_XOR, x, y, CST_NONE);
}

mpc_wire_t mpc_cb_and(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y)
{
    if (b == NULL || !usable(b, x, y, 2))
        return MPC_WIRE_NONE;
    if (x == y)
        return x;
    if (b->cst[x] != CST_NONE) {
        mpc_wire_t t = x;
        x = y;
        y = t;
    }
    if (b->cst[y] == CST_0)
        return y;
    if (b->cst[y] == CST_1)
        return x;
    return emit(b, MPC_GATE_AND, x, y, CST_NONE);
}

mpc_wire_t mpc_cb_or(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y)
{
    return mpc_cb_xor(b, mpc_cb_xor(b, x, y), mpc_cb_and(b, x, y));
}

mpc_wire_t mpc_cb_mux(mpc_cb_t *b, mpc_wire_t sel, mpc_wire_t x1, mpc_wire_t x0)
{
    return mpc_cb_xor(b, x0, mpc_cb_and(b, sel, mpc_cb_xor(b, x1, x0)));
}

veil_status mpc_cb_finish(mpc_circuit_t *c, mpc_cb_t *b, const mpc_wire_t *out,
                          uint32_t n_out)
{
    veil_status st = VEIL_OK;
    if (c == NULL || b == NULL) {
        mpc_cb_clear(b);
        return VEIL_EINVAL;
    }
    mpc_circuit_init(c);
    if (b->err != VEIL_OK)
        st = b->err;
    else if (n_out > MPC_CIRCUIT_MAX_WIRES || (out == NULL && n_out > 0))
        st = VEIL_EINVAL;
    for (uint32_t k = 0; st == VEIL_OK && k < n_out; k++)
        if (out[k] >= mpc_circuit_wires(&b->c))
            st = VEIL_EINVAL;
    if (st == VEIL_OK && n_out > 0) {
        b->c.out = malloc((size_t)n_out * sizeof(uint32_t));
        if (b->c.out == NULL)
            st = VEIL_ENOMEM;
        else
            memcpy(b->c.out, out, (size_t)n_out * sizeof(uint32_t));
    }
    if (st == VEIL_OK) {
        b->c.n_out = n_out;
        *c = b->c;
        memset(&b->c, 0, sizeof(b->c)); /* ownership moved to *c */
    }
    mpc_cb_clear(b);
    return st;
}
