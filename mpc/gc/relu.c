/*
 * gc_relu.c - the ReLU on additive shares mod p (SAFENet section 2.1,
 * Delphi): the circuit, its plaintext reference, and the server's
 * pre-processed garbler inputs.  206 AND gates for p = 15 * 2^37 + 1.
 *
 * Notation: n = bitlen(p), h = (p - 1) / 2, x = (c + s) mod p; x is
 * non-negative iff x <= h.  The server (garbler) knows s and r and may feed
 * the circuit any function of them at no gate cost; the client (evaluator)
 * feeds c.  The circuit, group by group (doc/21-garbled-circuits.md draws
 * it):
 *
 *  1. D1 = c + M1 mod 2^n and g1 = carry out, with M1 = sigma + 2^n - p,
 *     sigma = (s + h) mod p.  Then g1 = [c + sigma >= p] and
 *     D1 = c + sigma - p mod 2^n.                              n ANDs
 *  2. x' = D1 + p * !g1 mod 2^n = (c + sigma) mod p = (x + h) mod p.
 *     The shift by h moves the sign boundary onto a multiple of a large
 *     power of two: x >= 0 iff x' >= h.                        n - 1 ANDs
 *  3. pos = [x' >= h].  With h = m 2^k, m odd: the top n - k bits T of x'
 *     satisfy T <= 2m; if m = 2^j - 1 then T >= m iff T_j or T_0..T_(j-1)
 *     are all 1, and the two cases exclude each other (T <= 2^(j+1) - 2),
 *     so the OR is an XOR: j - 1 ANDs (3 for Delphi's p).  Otherwise a
 *     constant comparison.
 *  4. D2 = x' + M2 mod 2^n, g2 = carry out, M2 = K2 + 2^n - p with
 *     K2 = (-h - r) mod p; z = D2 + p * !g2 mod 2^n = (x' + K2) mod p
 *     = (x - r) mod p.                                      2n - 1 ANDs
 *  5. y = pos ? z : v with v = (-r) mod p.                     n ANDs
 *
 * Total 5n - 2 + (j - 1) = 206 for n = 41, j = 4.
 */
#include "internal.h"

/* The circuit's garbler input offsets, see mpc_gc.h. */
#define OFF_M2(n) 0
#define OFF_V(n) (n)
#define OFF_M1(n) (2 * (n))

static int relu_modulus_ok(uint64_t p)
{
    return p >= 3 && (p & 1) && gc_bitlen(p) <= 62;
}

uint64_t mpc_relu_ref(uint64_t c, uint64_t s, uint64_t r, uint64_t p)
{
    uint64_t x = (c + s) % p, h = (p - 1) / 2;
    uint64_t relu = x <= h ? x : 0;
    return (relu + (p - r)) % p;
}

/* bits[0..n) = the n low bits of v */
static void to_bits(uint8_t *bits, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        bits[i] = (uint8_t)((v >> i) & 1);
}

void mpc_relu_gin_offline(uint8_t *offline, uint64_t r, uint64_t p)
{
    unsigned n = gc_bitlen(p);
    uint64_t h = (p - 1) / 2, two_n = (uint64_t)1 << n;
    uint64_t k2 = ((p - h) + (p - r)) % p;
    to_bits(offline + OFF_M2(n), k2 + (two_n - p), n);
    to_bits(offline + OFF_V(n), (p - r) % p, n);
}

void mpc_relu_gin_online(uint8_t *online, uint64_t s, uint64_t p)
{
    unsigned n = gc_bitlen(p);
    uint64_t h = (p - 1) / 2, two_n = (uint64_t)1 << n;
    to_bits(online, (s + h) % p + (two_n - p), n);
}

/* pos = [x >= h] for x in [0, p) (step 3 above). */
static mpc_wire_t nonnegative(mpc_cb_t *b, const mpc_wire_t *x, uint64_t h,
                              unsigned n)
{
    unsigned k = 0, j = 0;
    uint64_t m = h;
    mpc_wire_t all;
    while ((m & 1) == 0) {
        m >>= 1;
        k++;
    }
    if ((m & (m + 1)) != 0)
        return mpc_cb_word_ge_const(b, x, h, n);
    while ((m >> j) != 0)
        j++;
    /* T = x >> k has at most j + 1 significant bits */
    all = x[k];
    for (unsigned i = 1; i < j; i++)
        all = mpc_cb_and(b, all, x[k + i]);
    return k + j < n ? mpc_cb_xor(b, all, x[k + j]) : all;
}

/* out = p * bit, as a word: bit where p has a 1, the constant 0 elsewhere
 * (the adders fold the constant bits). */
static void times_p(mpc_cb_t *b, mpc_wire_t *out, mpc_wire_t bit, uint64_t p,
                    unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = (p >> i) & 1 ? bit : mpc_cb_const(b, 0);
}

veil_status mpc_circuit_relu(mpc_circuit_t *c, uint64_t p)
{
    mpc_cb_t b;
    mpc_wire_t cw[62], m1[62], m2[62], v[62], pw[62], d[62], xs[62], z[62];
    mpc_wire_t g1, g2, pos;
    unsigned n;
    uint64_t h;
    veil_status st;
    if (c == NULL || !relu_modulus_ok(p))
        return VEIL_EINVAL;
    n = gc_bitlen(p);
    h = (p - 1) / 2;
    if ((st = mpc_cb_init(&b, 3 * n, n)) != VEIL_OK)
        return st;
    for (unsigned i = 0; i < n; i++) {
        cw[i] = mpc_cb_ein(&b, i);
        m2[i] = mpc_cb_gin(&b, OFF_M2(n) + i);
        v[i] = mpc_cb_gin(&b, OFF_V(n) + i);
        m1[i] = mpc_cb_gin(&b, OFF_M1(n) + i);
    }
    /* 1. D1, g1 */
    mpc_cb_word_add(&b, d, &g1, cw, m1, MPC_WIRE_NONE, n);
    /* 2. x' = D1 + p * !g1 */
    times_p(&b, pw, mpc_cb_not(&b, g1), p, n);
    mpc_cb_word_add(&b, xs, NULL, d, pw, MPC_WIRE_NONE, n);
    /* 3. sign */
    pos = nonnegative(&b, xs, h, n);
    /* 4. z = (x' + K2) mod p */
    mpc_cb_word_add(&b, d, &g2, xs, m2, MPC_WIRE_NONE, n);
    times_p(&b, pw, mpc_cb_not(&b, g2), p, n);
    mpc_cb_word_add(&b, z, NULL, d, pw, MPC_WIRE_NONE, n);
    /* 5. y = pos ? z : v */
    mpc_cb_word_mux(&b, z, pos, z, v, n);
    return mpc_cb_finish(c, &b, z, n);
}
