/*
 * relu_circuit.c - the ReLU circuit of SAFENet with the fixed-point
 * truncation inside: (floor(max(x, 0) / 2^shift) - r) mod p, x = c + s.
 *
 * It reads the garbler inputs exactly as mpc_circuit_relu does (same
 * encoding: M2 = ((-h - r) mod p) + 2^n - p and V = (-r) mod p offline,
 * M1 = ((s + h) mod p) + 2^n - p online, h = (p - 1) / 2), so that the mpc
 * ReLU protocol (mpc_relu_offline_* / mpc_relu_online_*) runs it unchanged.
 * Steps (labels in the code):
 *   1. xs = (c + s + h) mod p           c + M1 with carry g1, + p !g1
 *   2. pos = [xs >= h]                  x >= 0 (x signed)
 *   3. x = xs - h                       (the value when pos)
 *   4. t = x >> shift                   free: wiring
 *   5. th = t + h                       a constant addition (free when t
 *                                       fits below h's trailing zeros)
 *   6. z = (th + M2) mod p = t - r      add with carry g2, + p !g2
 *   7. y = pos ? z : V
 * Truncating inside the circuit is exact: no share-truncation error, no
 * failure probability (doc/22-safenet.md, "Truncation").  For Delphi's p
 * and shift 15 the circuit has about the 206 AND gates of the plain ReLU.
 */
#include "safenet_internal.h"

static unsigned bitlen(uint64_t v)
{
    unsigned n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

static void times_p(mpc_cb_t *b, mpc_wire_t *out, mpc_wire_t bit, uint64_t p,
                    unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = (p >> i) & 1 ? bit : mpc_cb_const(b, 0);
}

veil_status safenet_circuit_relu_trunc(mpc_circuit_t *c, uint64_t p,
                                       unsigned shift)
{
    mpc_cb_t b;
    mpc_wire_t cw[62], m1[62], m2[62], v[62], pw[62], d[62], xs[62], x[62];
    mpc_wire_t t[62], hw[62], z[62], g1, g2, pos;
    unsigned n;
    uint64_t h;
    veil_status st;
    if (c == NULL || p < 3 || !(p & 1) || bitlen(p) > 62 ||
        shift > SAFENET_MAX_SHIFT)
        return VEIL_EINVAL;
    n = bitlen(p);
    h = (p - 1) / 2;
    if ((st = mpc_cb_init(&b, 3 * n, n)) != VEIL_OK)
        return st;
    for (unsigned i = 0; i < n; i++) {
        cw[i] = mpc_cb_ein(&b, i);
        m2[i] = mpc_cb_gin(&b, i);
        v[i] = mpc_cb_gin(&b, n + i);
        m1[i] = mpc_cb_gin(&b, 2 * n + i);
    }
    /* 1 */
    mpc_cb_word_add(&b, d, &g1, cw, m1, MPC_WIRE_NONE, n);
    times_p(&b, pw, mpc_cb_not(&b, g1), p, n);
    mpc_cb_word_add(&b, xs, NULL, d, pw, MPC_WIRE_NONE, n);
    /* 2 */
    pos = mpc_cb_word_ge_const(&b, xs, h, n);
    /* 3 */
    mpc_cb_word_const(&b, hw, h, n);
    mpc_cb_word_sub(&b, x, NULL, xs, hw, n);
    /* 4 */
    for (unsigned i = 0; i < n; i++)
        t[i] = i + shift < n ? x[i + shift] : mpc_cb_const(&b, 0);
    /* 5 */
    mpc_cb_word_add(&b, t, NULL, t, hw, MPC_WIRE_NONE, n);
    /* 6 */
    mpc_cb_word_add(&b, d, &g2, t, m2, MPC_WIRE_NONE, n);
    times_p(&b, pw, mpc_cb_not(&b, g2), p, n);
    mpc_cb_word_add(&b, z, NULL, d, pw, MPC_WIRE_NONE, n);
    /* 7 */
    mpc_cb_word_mux(&b, z, pos, z, v, n);
    return mpc_cb_finish(c, &b, z, n);
}
