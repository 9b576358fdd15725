/*
 * gc_words.c - word-level circuit helpers on top of the builder's gates:
 * constants, ripple-carry addition and subtraction, comparison with a
 * constant, multiplexers, masking and addition mod p.  Words are arrays of
 * wires, least significant bit first.  The AND counts quoted in mpc_gc.h
 * follow from one AND per full adder (the carry c' = c ^ ((x ^ c) & (y ^ c))
 * of Boyar, Peralta and Pochuev) and one per multiplexer bit.
 */
#include "veil/mpc_gc.h"

void mpc_cb_word_const(mpc_cb_t *b, mpc_wire_t *out, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = mpc_cb_const(b, i < 64 ? (int)((v >> i) & 1) : 0);
}

/* One full adder: *s = x ^ y ^ c and, if co is not NULL, the carry
 * *co = maj(x, y, c) = c ^ ((x ^ c) & (y ^ c)), sharing x ^ c:
 * s = (x ^ c) ^ y.  One AND, four XORs (fewer when operands are constant).
 * c == MPC_WIRE_NONE stands for a 0 carry (a half adder, so that no
 * constant gate is needed). */
static void full_add(mpc_cb_t *b, mpc_wire_t *s, mpc_wire_t *co, mpc_wire_t x,
                     mpc_wire_t y, mpc_wire_t c)
{
    mpc_wire_t xc;
    if (c == MPC_WIRE_NONE) {
        if (co != NULL)
            *co = mpc_cb_and(b, x, y);
        *s = mpc_cb_xor(b, x, y);
        return;
    }
    xc = mpc_cb_xor(b, x, c);
    if (co != NULL)
        *co = mpc_cb_xor(b, c, mpc_cb_and(b, xc, mpc_cb_xor(b, y, c)));
    *s = mpc_cb_xor(b, xc, y);
}

void mpc_cb_word_add(mpc_cb_t *b, mpc_wire_t *sum, mpc_wire_t *cout,
                     const mpc_wire_t *x, const mpc_wire_t *y, mpc_wire_t cin,
                     unsigned n)
{
    mpc_wire_t c = cin;
    for (unsigned i = 0; i < n; i++) {
        mpc_wire_t xi = x[i], yi = y[i], co = MPC_WIRE_NONE;
        int last = i + 1 == n;
        full_add(b, &sum[i], last && cout == NULL ? NULL : &co, xi, yi, c);
        c = co;
    }
    if (cout != NULL)
        *cout = c == MPC_WIRE_NONE ? mpc_cb_const(b, 0) : c;
}

void mpc_cb_word_sub(mpc_cb_t *b, mpc_wire_t *diff, mpc_wire_t *ge,
                     const mpc_wire_t *x, const mpc_wire_t *y, unsigned n)
{
    /* x + !y + 1.  Bit 0 with the carry-in 1 folded by hand:
     * s = x ^ !y ^ 1 = x ^ y and c = x | !y = !(!x & y). */
    mpc_wire_t c, s, x0 = x[0], y0 = y[0];
    c = mpc_cb_not(b, mpc_cb_and(b, mpc_cb_not(b, x0), y0));
    s = mpc_cb_xor(b, x0, y0);
    if (diff != NULL)
        diff[0] = s;
    for (unsigned i = 1; i < n; i++) {
        mpc_wire_t co;
        full_add(b, &s, &co, x[i], mpc_cb_not(b, y[i]), c);
        if (diff != NULL)
            diff[i] = s;
        c = co;
    }
    if (ge != NULL)
        *ge = c;
}

/* x + k over n bits for a constant k: sum (if not NULL) and the carry out.
 * A constant bit turns the carry into c & x (bit 0) or c | x (bit 1), one
 * AND, and nothing at all while the carry is still the constant 0. */
static mpc_wire_t add_const(mpc_cb_t *b, mpc_wire_t *sum, const mpc_wire_t *x,
                            uint64_t k, unsigned n)
{
    mpc_wire_t c = MPC_WIRE_NONE; /* the constant 0 */
    for (unsigned i = 0; i < n; i++) {
        int ki = i < 64 ? (int)((k >> i) & 1) : 0;
        mpc_wire_t xi = x[i], co;
        if (c == MPC_WIRE_NONE)
            co = ki ? xi : MPC_WIRE_NONE;
        else
            co = ki ? mpc_cb_or(b, xi, c) : mpc_cb_and(b, xi, c);
        if (sum != NULL) {
            mpc_wire_t s = ki ? mpc_cb_not(b, xi) : xi;
            sum[i] = c == MPC_WIRE_NONE ? s : mpc_cb_xor(b, s, c);
        }
        c = co;
    }
    return c == MPC_WIRE_NONE ? mpc_cb_const(b, 0) : c;
}

mpc_wire_t mpc_cb_word_ge_const(mpc_cb_t *b, const mpc_wire_t *x, uint64_t k,
                                unsigned n)
{
    /* [x >= k] is the carry out of x + (2^n - k). */
    if (k == 0)
        return mpc_cb_const(b, 1);
    if (n < 64 && k >> n != 0)
        return mpc_cb_const(b, 0);
    return add_const(b, NULL, x, (uint64_t)0 - k, n);
}

void mpc_cb_word_mux(mpc_cb_t *b, mpc_wire_t *out, mpc_wire_t sel,
                     const mpc_wire_t *x1, const mpc_wire_t *x0, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = mpc_cb_mux(b, sel, x1[i], x0[i]);
}

void mpc_cb_word_and_bit(mpc_cb_t *b, mpc_wire_t *out, const mpc_wire_t *x,
                         mpc_wire_t bit, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = mpc_cb_and(b, x[i], bit);
}

void mpc_cb_word_add_mod(mpc_cb_t *b, mpc_wire_t *out, const mpc_wire_t *x,
                         const mpc_wire_t *y, uint64_t p, unsigned n)
{
    mpc_wire_t t[65], d[65], ge;
    /* 1. t = x + y on n + 1 bits */
    mpc_cb_word_add(b, t, &t[n], x, y, MPC_WIRE_NONE, n);
    /* 2. d = t - p = t + (2^(n+1) - p) mod 2^(n+1), carry out [t >= p] */
    ge = add_const(b, d, t, (uint64_t)0 - p, n + 1);
    /* 3. the reduced sum fits n bits */
    mpc_cb_word_mux(b, out, ge, d, t, n);
}
