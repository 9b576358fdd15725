/*
 * 04_two_party - the fourth veil tutorial: the two-party machinery of
 * SAFENet (doc/20-two-party.md, doc/21-garbled-circuits.md) small enough to
 * print every value:
 *
 *   1. one AND gate garbled with half-gates (Zahur, Rosulek and Evans,
 *      EUROCRYPT 2015), with 8-bit wire labels;
 *   2. a tiny IKNP oblivious-transfer extension (Ishai, Kilian, Nissim and
 *      Petrank, CRYPTO 2003): kappa = 4 base OTs extended to m = 3 OTs;
 *   3. one Beaver multiplication on additive shares over Delphi's field,
 *      compared with the library's mpc_beaver_mul;
 *   4. one ReLU on additive shares of an 8-bit value: a garbled adder,
 *      sign test and masked output, 21 AND gates.
 *
 *   apps/04_two_party
 *
 * The library's garbling and OT use 128-bit labels and kappa = 128; here
 * labels are 8 bits so that every value fits on a line, which makes them
 * guessable: a toy, never a protocol.  The hash H(x, j) is the library's
 * tweakable correlation-robust hash (mpc_hash_tccr, fixed-key AES) of the
 * 8-bit x with tweak j, truncated to 8 bits.  A fixed seed makes the
 * output the same on every run.  Exit status 0 when every check passes.
 */
#include "veil/mpc.h"
#include "veil/mpc_aes.h"
#include "veil/mpc_field.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(veil_status st, const char *what)
{
    if (st != VEIL_OK) {
        fprintf(stderr, "04_two_party: %s: %s\n", what, veil_strerror(st));
        exit(1);
    }
}

static void expect(int ok, const char *what)
{
    printf("  check: %-52s %s\n", what, ok ? "ok" : "WRONG");
    failures += !ok;
}

static mpc_aes_key_t pi; /* the public fixed key of the hash */
static veil_rng_t rng;

/* H(x, j): 8 bits of the library's tweakable hash of the label x */
static uint8_t H(uint8_t x, uint64_t j)
{
    mpc_block_t in = {{x, 0}}, out;
    mpc_hash_tccr(&out, &pi, &in, j, 1);
    return (uint8_t)out.w[0];
}

static uint8_t rand8(void)
{
    uint8_t b;
    veil_rng_bytes(&rng, &b, 1);
    return b;
}

static unsigned lsb(uint8_t x)
{
    return x & 1u;
}

/* ------------------------------------------------------- half-gates AND */

/* Garble c = a AND b, gate number g (tweaks 2g, 2g + 1): from the zero
 * labels of a and b and the global offset delta (odd), the table (TG, TE)
 * and the zero label of c.  verbose prints every intermediate value. */
static uint8_t garble_and(uint8_t tab[2], uint8_t a0, uint8_t b0, uint8_t delta,
                          uint64_t g, int verbose)
{
    const uint8_t a1 = a0 ^ delta, b1 = b0 ^ delta;
    const unsigned pa = lsb(a0), pb = lsb(b0);
    const uint8_t ha0 = H(a0, 2 * g), ha1 = H(a1, 2 * g);
    const uint8_t hb0 = H(b0, 2 * g + 1), hb1 = H(b1, 2 * g + 1);
    const uint8_t tg = ha0 ^ ha1 ^ (pb ? delta : 0);
    const uint8_t wg0 = ha0 ^ (pa ? tg : 0);
    const uint8_t te = hb0 ^ hb1 ^ a0;
    const uint8_t we0 = hb0 ^ (pb ? (te ^ a0) : 0);
    tab[0] = tg;
    tab[1] = te;
    if (verbose) {
        printf("  permute bits      p_a = lsb(W_a^0) = %u, p_b = %u\n", pa, pb);
        printf("  hashes            H(W_a^0) = %02x, H(W_a^1) = %02x, "
               "H(W_b^0) = %02x, H(W_b^1) = %02x\n",
               ha0, ha1, hb0, hb1);
        printf("  generator half    T_G = H(W_a^0) ^ H(W_a^1) ^ p_b delta = "
               "%02x, W_G^0 = H(W_a^0) ^ p_a T_G = %02x\n",
               tg, wg0);
        printf("  evaluator half    T_E = H(W_b^0) ^ H(W_b^1) ^ W_a^0 = %02x, "
               "W_E^0 = H(W_b^0) ^ p_b (T_E ^ W_a^0) = %02x\n",
               te, we0);
        printf("  output            W_c^0 = W_G^0 ^ W_E^0 = %02x, W_c^1 = "
               "W_c^0 ^ delta = %02x\n",
               wg0 ^ we0, wg0 ^ we0 ^ delta);
        printf("  table sent        (T_G, T_E) = (%02x, %02x): 2 bytes; "
               "a classical garbled table has 4 rows\n",
               tg, te);
    }
    return wg0 ^ we0;
}

/* Evaluate: from the one label held for a and for b, the label of c. */
static uint8_t eval_and(const uint8_t tab[2], uint8_t wa, uint8_t wb,
                        uint64_t g, int verbose)
{
    const unsigned sa = lsb(wa), sb = lsb(wb);
    const uint8_t wg = H(wa, 2 * g) ^ (sa ? tab[0] : 0);
    const uint8_t we = H(wb, 2 * g + 1) ^ (sb ? (tab[1] ^ wa) : 0);
    if (verbose)
        printf("    s_a = %u, s_b = %u: W_G = H(W_a) ^ s_a T_G = %02x, "
               "W_E = H(W_b) ^ s_b (T_E ^ W_a) = %02x, W_c = %02x\n",
               sa, sb, wg, we, wg ^ we);
    return wg ^ we;
}

static void part1_and_gate(void)
{
    uint8_t tab[2];
    const uint8_t delta = rand8() | 1; /* lsb 1: point and permute */
    const uint8_t a0 = rand8(), b0 = rand8();

    printf("1. One AND gate with half-gates, 8-bit labels\n");
    printf("  offset            delta = %02x (odd: W^0 and W^1 = W^0 ^ delta "
           "differ in the last bit)\n",
           delta);
    printf("  wire a            W_a^0 = %02x, W_a^1 = %02x\n", a0, a0 ^ delta);
    printf("  wire b            W_b^0 = %02x, W_b^1 = %02x\n", b0, b0 ^ delta);
    const uint8_t c0 = garble_and(tab, a0, b0, delta, 0, 1);
    printf("  decoding bit      lsb(W_c^0) = %u (sent so that the evaluator "
           "can read the output)\n",
           lsb(c0));
    for (unsigned a = 0; a < 2; a++)
        for (unsigned b = 0; b < 2; b++) {
            const uint8_t wa = a ? a0 ^ delta : a0, wb = b ? b0 ^ delta : b0;
            printf("  evaluate a = %u, b = %u: holds W_a = %02x, W_b = %02x\n",
                   a, b, wa, wb);
            const uint8_t wc = eval_and(tab, wa, wb, 0, 1);
            const unsigned bit = lsb(wc) ^ lsb(c0);
            printf("    output bit lsb(W_c) ^ lsb(W_c^0) = %u\n", bit);
            expect(wc == ((a & b) ? c0 ^ delta : c0) && bit == (a & b),
                   "the label of a AND b, and only that one");
        }
    printf("  (free XOR: W_{a^b}^0 = W_a^0 ^ W_b^0 needs no table)\n\n");
}

/* --------------------------------------------------------------- IKNP */

enum { KAPPA = 4, M = 3 };

static void bits4(char out[5], unsigned v)
{
    for (int i = 0; i < KAPPA; i++)
        out[i] = (char)('0' + ((v >> i) & 1));
    out[KAPPA] = '\0';
}

static void part2_iknp(void)
{
    uint8_t x[M][2], y[M][2], got[M];
    unsigned r[M] = {1, 0, 1};  /* the receiver's choice bits */
    unsigned s = 0, t[M], q[M]; /* rows of kappa = 4 bits */
    char b1[5], b2[5];

    printf("2. IKNP: kappa = %d base OTs extended to m = %d OTs\n", KAPPA, M);
    for (int j = 0; j < M; j++) {
        x[j][0] = rand8();
        x[j][1] = rand8();
        printf("  sender's pair %d   (x_0, x_1) = (%02x, %02x); receiver's "
               "choice r_%d = %u\n",
               j, x[j][0], x[j][1], j, r[j]);
    }
    s = rand8() & ((1u << KAPPA) - 1);
    bits4(b1, s);
    printf("  sender's secret   s = %s (one bit per base OT, s_0 first)\n", b1);
    for (int j = 0; j < M; j++)
        t[j] = rand8() & ((1u << KAPPA) - 1);
    printf("  receiver's matrix T (m x kappa bits), rows t_j:");
    for (int j = 0; j < M; j++) {
        bits4(b1, t[j]);
        printf(" %s", b1);
    }
    printf("\n  base OT i (roles reversed): the receiver offers column i of "
           "T and of T ^ r,\n  the sender picks with s_i and learns column i "
           "of Q = T ^ (r s):\n");
    const unsigned rv = r[0] | r[1] << 1 | r[2] << 2;
    for (int i = 0; i < KAPPA; i++) {
        unsigned col_t = 0, col_q = 0;
        for (int j = 0; j < M; j++) {
            const unsigned tb = (t[j] >> i) & 1;
            col_t |= tb << j;
            col_q |= (tb ^ (r[j] & ((s >> i) & 1))) << j;
        }
        printf(
            "    i = %d: offers (%u%u%u, %u%u%u), s_%d = %u, learns %u%u%u\n",
            i, col_t & 1, (col_t >> 1) & 1, (col_t >> 2) & 1, (col_t ^ rv) & 1,
            ((col_t ^ rv) >> 1) & 1, ((col_t ^ rv) >> 2) & 1, i, (s >> i) & 1,
            col_q & 1, (col_q >> 1) & 1, (col_q >> 2) & 1);
    }
    for (int j = 0; j < M; j++)
        q[j] = t[j] ^ (r[j] ? s : 0);
    printf("  rows of Q: q_j = t_j ^ r_j s:");
    for (int j = 0; j < M; j++) {
        bits4(b1, q[j]);
        printf(" %s", b1);
    }
    printf("\n");
    for (int j = 0; j < M; j++) {
        y[j][0] = x[j][0] ^ H((uint8_t)q[j], 100 + (uint64_t)j);
        y[j][1] = x[j][1] ^ H((uint8_t)(q[j] ^ s), 100 + (uint64_t)j);
        got[j] = y[j][r[j]] ^ H((uint8_t)t[j], 100 + (uint64_t)j);
        bits4(b1, q[j]);
        bits4(b2, q[j] ^ s);
        printf("  OT %d: sender sends y_0 = x_0 ^ H(%s) = %02x, y_1 = x_1 ^ "
               "H(%s) = %02x;\n        receiver computes y_%u ^ H(t_%d) = "
               "%02x\n",
               j, b1, y[j][0], b2, y[j][1], r[j], j, got[j]);
        expect(got[j] == x[j][r[j]], "the receiver gets x_{r_j}");
    }
    printf("  The receiver cannot open the other message: it would need "
           "H(t_j ^ s),\n  and s is the sender's.  veil's IKNP "
           "(mpc/ot_ext.c) uses kappa = 128 and\n  expands each base OT's "
           "128-bit seed into a column of millions of bits.\n\n");
}

/* ------------------------------------------------------------- Beaver */

typedef struct {
    const mpc_field_t *f;
    uint64_t a, b, c, x, y, z;
} beaver_party_t;

static veil_status beaver_party(mpc_chan_t *ch, int party, void *arg)
{
    beaver_party_t *p = arg;
    mpc_triples_t t;
    veil_status st = mpc_triples_init(&t, 1);
    if (st != VEIL_OK)
        return st;
    t.a[0] = p->a;
    t.b[0] = p->b;
    t.c[0] = p->c;
    t.used = 0;
    st = mpc_beaver_mul(p->f, ch, party, &t, &p->z, &p->x, &p->y, 1);
    mpc_triples_clear(&t);
    return st;
}

static void part3_beaver(void)
{
    mpc_field_t f;
    uint64_t x = 1234, y = 5678, a, b, c, x0, x1, y0, y1, a0, a1, b0, b1, c0,
             c1, d, e, z0, z1;
    check(mpc_field_init(&f, 2061584302081ULL, MPC_FRAC_BITS_DEFAULT), "field");
    const uint64_t p = f.p;

    printf("3. One Beaver multiplication over F_p, p = %llu\n",
           (unsigned long long)p);
    mpc_field_vec_random(&f, &rng, &a, 1);
    mpc_field_vec_random(&f, &rng, &b, 1);
    c = mpc_field_mul(&f, a, b);
    mpc_share_split(&f, &rng, &x0, &x1, &x, 1);
    mpc_share_split(&f, &rng, &y0, &y1, &y, 1);
    mpc_share_split(&f, &rng, &a0, &a1, &a, 1);
    mpc_share_split(&f, &rng, &b0, &b1, &b, 1);
    mpc_share_split(&f, &rng, &c0, &c1, &c, 1);
    printf("  inputs            x = %llu = %llu + %llu, y = %llu = %llu + "
           "%llu (mod p)\n",
           (unsigned long long)x, (unsigned long long)x0,
           (unsigned long long)x1, (unsigned long long)y,
           (unsigned long long)y0, (unsigned long long)y1);
    printf("  triple            a = %llu, b = %llu, c = a b = %llu\n",
           (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
    printf("  party 0 holds     a_0 = %llu, b_0 = %llu, c_0 = %llu\n",
           (unsigned long long)a0, (unsigned long long)b0,
           (unsigned long long)c0);
    printf("  party 1 holds     a_1 = %llu, b_1 = %llu, c_1 = %llu\n",
           (unsigned long long)a1, (unsigned long long)b1,
           (unsigned long long)c1);
    d = mpc_field_add(&f, mpc_field_sub(&f, x0, a0), mpc_field_sub(&f, x1, a1));
    e = mpc_field_add(&f, mpc_field_sub(&f, y0, b0), mpc_field_sub(&f, y1, b1));
    printf("  opened            d = x - a = %llu, e = y - b = %llu (uniform: "
           "they hide x and y)\n",
           (unsigned long long)d, (unsigned long long)e);
    z0 = mpc_field_add(&f,
                       mpc_field_add(&f, c0,
                                     mpc_field_add(&f, mpc_field_mul(&f, d, b0),
                                                   mpc_field_mul(&f, e, a0))),
                       mpc_field_mul(&f, d, e));
    z1 = mpc_field_add(
        &f, c1,
        mpc_field_add(&f, mpc_field_mul(&f, d, b1), mpc_field_mul(&f, e, a1)));
    printf("  party 0           z_0 = c_0 + d b_0 + e a_0 + d e = %llu\n",
           (unsigned long long)z0);
    printf("  party 1           z_1 = c_1 + d b_1 + e a_1 = %llu\n",
           (unsigned long long)z1);
    printf("  z_0 + z_1         = %llu (x y = %llu)\n",
           (unsigned long long)mpc_field_add(&f, z0, z1),
           (unsigned long long)(x * y));
    expect(mpc_field_add(&f, z0, z1) == x * y, "z_0 + z_1 = x y");

    /* the same with the library, the two parties in two threads */
    beaver_party_t pp[2] = {{&f, a0, b0, c0, x0, y0, 0},
                            {&f, a1, b1, c1, x1, y1, 0}};
    void *args[2] = {&pp[0], &pp[1]};
    veil_status st[2];
    check(mpc_run2(st, MPC_RUN_THREADS, beaver_party, args), "run2");
    check(st[0], "party 0");
    check(st[1], "party 1");
    printf("  mpc_beaver_mul    z_0 = %llu, z_1 = %llu\n",
           (unsigned long long)pp[0].z, (unsigned long long)pp[1].z);
    expect(pp[0].z == z0 && pp[1].z == z1,
           "the library computes the same shares");
    printf("\n");
}

/* ------------------------------------------------ ReLU on shares (GC) */

enum { G_XOR, G_AND, G_NOT };

typedef struct {
    int op, a, b, out;
} gate_t;

enum { W = 8, MAXW = 128, MAXG = 128 };

static gate_t gates[MAXG];
static int n_gates, n_wires;

static int wire(void)
{
    return n_wires++;
}

static int gate(int op, int a, int b)
{
    gates[n_gates] = (gate_t){op, a, b, wire()};
    return gates[n_gates++].out;
}

/* out = x + y + cin mod 2^8, ripple carry: carry' = c ^ ((x ^ c) & (y ^ c)) */
static void adder(int *out, const int *x, const int *y, int cin)
{
    int c = cin;
    for (int i = 0; i < W; i++) {
        const int xc = gate(G_XOR, x[i], c), yc = gate(G_XOR, y[i], c);
        out[i] = gate(G_XOR, xc, y[i]);
        if (i + 1 < W)
            c = gate(G_XOR, c, gate(G_AND, xc, yc));
    }
}

static void part4_relu(void)
{
    int x0w[W], x1w[W], rw[W], sum[W], relu[W], nr[W], out[W];
    uint8_t w0[MAXW], ev[MAXW], tab[MAXG][2];
    const int8_t x = -37; /* then also +37, below */

    for (int round = 0; round < 2; round++) {
        const int8_t xv = round == 0 ? x : (int8_t)-x;
        const uint8_t x0 = rand8(), x1 = (uint8_t)((uint8_t)xv - x0);
        const uint8_t r = rand8();
        const uint8_t delta = rand8() | 1;
        int ands = 0;

        n_gates = 0;
        n_wires = 0;
        const int zero = wire(); /* constant 0, garbler's input */
        for (int i = 0; i < W; i++)
            x0w[i] = wire();
        for (int i = 0; i < W; i++)
            rw[i] = wire();
        for (int i = 0; i < W; i++)
            x1w[i] = wire();
        adder(sum, x0w, x1w, zero); /* x = x0 + x1 */
        const int pos = gate(G_NOT, sum[W - 1], -1);
        for (int i = 0; i < W - 1; i++)
            relu[i] = gate(G_AND, sum[i], pos);
        relu[W - 1] = zero;
        for (int i = 0; i < W; i++)
            nr[i] = gate(G_NOT, rw[i], -1);
        const int one = gate(G_NOT, zero, -1);
        adder(out, relu, nr, one); /* relu - r = relu + ~r + 1 */

        printf("4%c. ReLU on shares: x = %d = %u + %u (mod 256), garbled by "
               "party 0\n",
               'a' + round, xv, x0, x1);
        printf("  party 0 (garbler) holds x_0 = %u and draws its output share "
               "r = %u;\n  the circuit gives party 1 y = ReLU(x_0 + x_1) - r "
               "(mod 256)\n",
               x0, r);
        /* garble: zero labels of the inputs, then gate by gate */
        for (int w = 0; w < n_wires; w++)
            w0[w] = rand8();
        for (int g = 0; g < n_gates; g++) {
            const gate_t *gt = &gates[g];
            if (gt->op == G_XOR)
                w0[gt->out] = w0[gt->a] ^ w0[gt->b];
            else if (gt->op == G_NOT)
                w0[gt->out] = w0[gt->a] ^ delta;
            else
                w0[gt->out] = garble_and(tab[g], w0[gt->a], w0[gt->b], delta,
                                         10 + (uint64_t)g, 0);
        }
        /* inputs: party 0's labels sent in the clear, party 1's by OT
         * (part 2), here handed over */
        ev[zero] = w0[zero];
        for (int i = 0; i < W; i++) {
            ev[x0w[i]] = ((x0 >> i) & 1) ? w0[x0w[i]] ^ delta : w0[x0w[i]];
            ev[rw[i]] = ((r >> i) & 1) ? w0[rw[i]] ^ delta : w0[rw[i]];
            ev[x1w[i]] = ((x1 >> i) & 1) ? w0[x1w[i]] ^ delta : w0[x1w[i]];
        }
        printf("  delta = %02x; party 1's labels for x_1 (by OT):", delta);
        for (int i = 0; i < W; i++)
            printf(" %02x", ev[x1w[i]]);
        printf("\n  %d gates, of which AND (table T_G T_E -> evaluator's "
               "output label):\n  ",
               n_gates);
        for (int g = 0; g < n_gates; g++) {
            const gate_t *gt = &gates[g];
            if (gt->op == G_XOR)
                ev[gt->out] = ev[gt->a] ^ ev[gt->b];
            else if (gt->op == G_NOT)
                ev[gt->out] = ev[gt->a];
            else {
                ev[gt->out] =
                    eval_and(tab[g], ev[gt->a], ev[gt->b], 10 + (uint64_t)g, 0);
                printf("%02x%02x->%02x%s", tab[g][0], tab[g][1], ev[gt->out],
                       ++ands % 7 == 0 ? "\n  " : " ");
            }
        }
        uint8_t y = 0;
        int labels_ok = 1;
        printf("decoding bits:");
        for (int i = 0; i < W; i++) {
            const unsigned bit = lsb(ev[out[i]]) ^ lsb(w0[out[i]]);
            labels_ok &= ev[out[i]] == (bit ? w0[out[i]] ^ delta : w0[out[i]]);
            y |= (uint8_t)(bit << i);
            printf(" %u", lsb(w0[out[i]]));
        }
        const int relu_x = xv > 0 ? xv : 0;
        printf("\n  party 1 decodes y = %u; y + r = %u = ReLU(%d) = %d\n", y,
               (uint8_t)(y + r), xv, relu_x);
        expect(ands == 21 && labels_ok && (uint8_t)(y + r) == relu_x,
               "21 AND gates, and the shares add up to ReLU(x)");
        printf("\n");
    }
}

int main(void)
{
    static const uint8_t seed[VEIL_SEED_BYTES] =
        "veil tutorial 04: two parties!";
    check(veil_init(), "init");
    check(mpc_aes_init_fixed(&pi), "fixed-key AES");
    veil_rng_init_seed(&rng, seed);
    part1_and_gate();
    part2_iknp();
    part3_beaver();
    part4_relu();
    printf("%s\n", failures ? "FAILED" : "all checks passed");
    veil_rng_clear(&rng);
    return failures ? 1 : 0;
}
