/*
 * bfv_toy.c - the toy BFV of doc/03-06, by the library and from first
 * principles (see bfv_toy.h).  The first-principles side uses only
 * integers: polynomials are arrays of N centred residues, products are
 * schoolbook negacyclic convolutions in 128-bit arithmetic, the CRT is the
 * textbook formula.  From the library it takes only what is random: the
 * secret s (read from the key), the uniform polynomials a (expanded from
 * the keys' seeds, read back from the keys) and the small draws u, e,
 * which it replays from a copy of the generator in the order the library
 * documents (bfv/keys.c, bfv/encrypt.c, bfv/kswitch.c).  Everything else
 * (b = -(a s + e), the ciphertexts, phases, products, relinearization,
 * rotation, decryptions, budgets) it computes itself, and toy_run records
 * whether the library got the same.
 */
#include "bfv_toy.h"
#include "veil/bfv.h"
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 8
#define T 17
#define L 2
typedef __int128 i128;

static const uint64_t QS[L] = {16417, 16433};
static const uint64_t PS = 16481;
static const int64_t QQ = 16417LL * 16433LL; /* 269780561 */
static const int64_t QP = 16417LL * 16433LL * 16481LL;

const char *const toy_block_file[TOY_BLOCKS] = {
    "doc/03-bfv.md",       "doc/04-bfv-multiplication.md",
    "doc/03-bfv.md",       "doc/05-key-switching.md",
    "doc/06-rotations.md", "doc/07-parameters.md",
    "doc/03-bfv.md"};
const char *const toy_block_name[TOY_BLOCKS] = {
    "enc", "mul", "modswitch", "relin", "rot", "leak", "modswitch-rns"};

/* ------------------------------------------------ first-principles tools */

/* centred residue of x mod m, in (-m/2, m/2] */
static int64_t cmod(i128 x, int64_t m)
{
    i128 r = x % m;
    if (r < 0)
        r += m;
    if (r > m / 2)
        r -= m;
    return (int64_t)r;
}

/* round(a / b) = floor(a / b + 1/2) for b > 0 */
static i128 rdiv(i128 a, i128 b)
{
    i128 num = 2 * a + b, den = 2 * b;
    i128 q = num / den;
    if ((num % den) != 0 && ((num < 0) != (den < 0)))
        q--;
    return q;
}

/* out = a b in Z[X]/(X^N + 1), exactly */
static void pmul(i128 *out, const i128 *a, const i128 *b)
{
    i128 r[N] = {0};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            i128 p = a[i] * b[j];
            if (i + j < N)
                r[i + j] += p;
            else
                r[i + j - N] -= p;
        }
    memcpy(out, r, sizeof(r));
}

/* out = [a b]_m, centred, for centred inputs */
static void pmulm(int64_t *out, const int64_t *a, const int64_t *b, int64_t m)
{
    i128 x[N], y[N], z[N];
    for (int k = 0; k < N; k++) {
        x[k] = a[k];
        y[k] = b[k];
    }
    pmul(z, x, y);
    for (int k = 0; k < N; k++)
        out[k] = cmod(z[k], m);
}

static void padd(int64_t *out, const int64_t *a, const int64_t *b, int64_t m)
{
    for (int k = 0; k < N; k++)
        out[k] = cmod((i128)a[k] + b[k], m);
}

static void small(int64_t *out, const int8_t *v)
{
    for (int k = 0; k < N; k++)
        out[k] = v[k];
}

static int64_t inv_mod(int64_t a, int64_t m)
{
    int64_t t0 = 0, t1 = 1, r0 = m, r1 = cmod(a, m);
    if (r1 < 0)
        r1 += m;
    while (r1 != 0) {
        int64_t q = r0 / r1, tmp;
        tmp = r0 - q * r1, r0 = r1, r1 = tmp;
        tmp = t0 - q * t1, t0 = t1, t1 = tmp;
    }
    return cmod(t0, m);
}

/* sigma_g(c)(X) = c(X^g) in Z[X]/(X^N + 1) */
static void automorph(int64_t *out, const int64_t *c, int g, int64_t m)
{
    int64_t r[N];
    for (int k = 0; k < N; k++) {
        int e = (g * k) % (2 * N);
        if (e < N)
            r[e] = c[k];
        else
            r[e - N] = cmod(-(i128)c[k], m);
    }
    memcpy(out, r, sizeof(r));
}

static int64_t max_abs(const int64_t *v)
{
    int64_t m = 0;
    for (int k = 0; k < N; k++)
        m = llabs(v[k]) > m ? llabs(v[k]) : m;
    return m;
}

/* floor(log2(Q / (2 vmax))), 0 if negative (vmax 0 counts as 1) */
static int budget_of(int64_t vmax, int64_t Q)
{
    int b = 0;
    if (vmax == 0)
        vmax = 1;
    while ((i128)vmax * 2 * ((i128)1 << (b + 1)) <= Q)
        b++;
    return (i128)vmax * 2 * ((i128)1 << b) <= Q ? b : 0;
}

/* ------------------------------------------------------- the library side */

/* a polynomial of the library (rows of NTT form, the first `rows` primes of
 * QP in the context's order) in coefficient form, composed mod the product
 * of those primes by the CRT and centred */
static void from_lib(int64_t *out, const bfv_context_t *ctx,
                     const uint64_t *data, size_t rows)
{
    uint64_t row[N];
    i128 x[N] = {0}, M = 1;
    for (size_t i = 0; i < rows; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const int64_t q = (int64_t)pl->q;
        memcpy(row, data + i * N, sizeof(row));
        ntt_inverse(pl, row);
        for (int k = 0; k < N; k++) {
            /* x += M [(r - x) M^-1]_q */
            int64_t d = cmod((i128)row[k] - x[k], q);
            int64_t w = cmod((i128)d * inv_mod((int64_t)(M % q), q), q);
            if (w < 0)
                w += q;
            x[k] += M * w;
        }
        M *= q;
    }
    for (int k = 0; k < N; k++)
        out[k] = cmod(x[k], (int64_t)M);
}

static int same(const int64_t *a, const int64_t *b)
{
    return memcmp(a, b, N * sizeof(int64_t)) == 0;
}

static void check(toy_result_t *r, const char *what, int equal)
{
    if (r->n_checks < TOY_MAX_CHECKS) {
        r->checks[r->n_checks].what = what;
        r->checks[r->n_checks].equal = equal;
        r->n_checks++;
    }
}

/* a number the prose quotes */
static void val(toy_result_t *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (r->n_values >= TOY_MAX_VALUES)
        return;
    r->values[r->n_values].name = name;
    va_start(ap, fmt);
    vsnprintf(r->values[r->n_values].value,
              sizeof(r->values[r->n_values].value), fmt, ap);
    va_end(ap);
    r->n_values++;
}

const char *toy_value(const toy_result_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_values; i++)
        if (strcmp(r->values[i].name, name) == 0)
            return r->values[i].value;
    return NULL;
}

/* ------------------------------------------------------------- printing */

static void pv(FILE *f, const char *name, const int64_t *v, int width)
{
    int per = width > 15 ? 3 : width > 7 ? 4 : 8;
    fprintf(f, "%-9s = [", name);
    for (int k = 0; k < N; k++) {
        if (k > 0 && k % per == 0)
            fprintf(f, "\n%12s", "");
        fprintf(f, "%*lld", width, (long long)v[k]);
    }
    fprintf(f, " ]\n");
}

static void pv128(FILE *f, const char *name, const i128 *v)
{
    int64_t hi[N];
    int big = 0;
    for (int k = 0; k < N; k++) {
        hi[k] = (int64_t)v[k];
        if ((i128)hi[k] != v[k])
            big = 1;
    }
    if (!big)
        pv(f, name, hi, 19);
}

/* "t c / Q = <decimal> -> round -> [.]_Q = want": one scaling by hand */
static void pdec(FILE *f, int64_t t, i128 c, int64_t Q, int64_t want)
{
    i128 num = (i128)t * c, a = num < 0 ? -num : num;
    i128 ip = a / Q, fr = (a % Q) * 10000 / Q;
    i128 r = rdiv(num, Q);
    fprintf(
        f, "  %lld * %lld / %lld = %s%lld.%04lld\n  rounded %lld, mod Q %lld\n",
        (long long)t, (long long)c, (long long)Q, num < 0 ? "-" : "",
        (long long)ip, (long long)fr, (long long)r, (long long)want);
}

/* slot values of a plaintext (chapter 06's order: row 0 then row 1) */
static const int ZETA = 3; /* smallest primitive 16th root of unity mod 17 */

static int64_t powm(int64_t b, int64_t e, int64_t m)
{
    int64_t r = 1;
    b = cmod(b, m);
    if (b < 0)
        b += m;
    for (; e > 0; e >>= 1) {
        if (e & 1)
            r = r * b % m;
        b = b * b % m;
    }
    return r;
}

static int slot_exp(int j) /* e = +-3^c mod 2N for slot j = (row, c) */
{
    int c = j % (N / 2), e = (int)powm(3, c, 2 * N);
    return j < N / 2 ? e : 2 * N - e;
}

/* m_k = N^-1 sum_j v_j zeta^(-e_j k) mod T, in [0, T) */
static void encode_fp(int64_t *m, const int64_t *slots)
{
    const int64_t ninv = inv_mod(N, T), zinv = inv_mod(ZETA, T);
    for (int k = 0; k < N; k++) {
        int64_t acc = 0;
        for (int j = 0; j < N; j++)
            acc += slots[j] * powm(zinv, (int64_t)slot_exp(j) * k, T);
        m[k] = cmod(acc % T * ((ninv + T) % T), T);
        if (m[k] < 0)
            m[k] += T;
    }
}

static void decode_fp(int64_t *slots, const int64_t *m)
{
    for (int j = 0; j < N; j++) {
        int64_t acc = 0, z = powm(ZETA, slot_exp(j), T);
        for (int k = 0; k < N; k++)
            acc += m[k] * powm(z, k, T);
        slots[j] = acc % T;
        if (slots[j] < 0)
            slots[j] += T;
    }
}

/* decrypted message round(t x / Q) mod t of a phase x mod Q (centred) */
static void decrypt_fp(int64_t *m, const int64_t *x, int64_t Q)
{
    for (int k = 0; k < N; k++) {
        int64_t r = (int64_t)(rdiv((i128)T * x[k], Q) % T);
        m[k] = r < 0 ? r + T : r;
    }
}

static void lib_plain(int64_t *m, const bfv_plaintext_t *pt)
{
    for (int k = 0; k < N; k++)
        m[k] = (int64_t)pt->coeffs[k];
}

/* Solve w f = y in Z_p[X]/(X^N + 1) for w (p prime, f invertible):
 * Gaussian elimination on the negacyclic matrix of f.  0, or -1 if f is
 * singular mod p.  w is returned centred mod p. */
static int solve_negacyclic(int64_t *w, const int64_t *f, const int64_t *y,
                            int64_t p)
{
    int64_t A[N][N + 1];
    for (int i = 0; i < N; i++) { /* (w f)_i = sum_j w_j (X^j f)_i */
        for (int j = 0; j < N; j++) {
            int k = i - j;
            A[i][j] = k >= 0 ? f[k] : -f[k + N];
            A[i][j] = cmod(A[i][j], p);
        }
        A[i][N] = cmod(y[i], p);
    }
    for (int c = 0; c < N; c++) {
        int piv = -1;
        for (int r = c; r < N && piv < 0; r++)
            if (A[r][c] != 0)
                piv = r;
        if (piv < 0)
            return -1;
        for (int j = 0; j <= N; j++) {
            int64_t tmp = A[c][j];
            A[c][j] = A[piv][j];
            A[piv][j] = tmp;
        }
        const int64_t inv = inv_mod(A[c][c], p);
        for (int j = 0; j <= N; j++)
            A[c][j] = cmod((i128)A[c][j] * inv, p);
        for (int r = 0; r < N; r++)
            if (r != c && A[r][c] != 0) {
                const int64_t fct = A[r][c];
                for (int j = 0; j <= N; j++)
                    A[r][j] = cmod(A[r][j] - (i128)fct * A[c][j], p);
            }
    }
    for (int i = 0; i < N; i++)
        w[i] = A[i][N];
    return 0;
}

/* ------------------------------------------------------------ the toy */

typedef struct {
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_plaintext_t pt;
    bfv_ciphertext_t ct, ct2, prod, rel, rot;
} lib_t;

static FILE *blk(char **buf, size_t *len)
{
    return open_memstream(buf, len);
}

/* the key-switching key components of digit d, over QP */
static void ksk_fp(int64_t *b, int64_t *a, const bfv_context_t *ctx,
                   const bfv_kswitch_key_t *ksk, size_t d)
{
    const size_t LK = ctx->n_qp;
    from_lib(b, ctx, ksk->data + (d * 2 + 0) * LK * N, LK);
    from_lib(a, ctx, ksk->data + (d * 2 + 1) * LK * N, LK);
}

/* One key switch from first principles: digits of c (mod Q) times the key
 * over QP, then y = round(x / P) mod Q (the library's mod-down, chapter 05
 * step 4).  Writes the digits, x_0, x_1 (mod QP) and y_0, y_1 (mod Q). */
static void kswitch_fp(int64_t dig[L][N], int64_t x[2][N], int64_t y[2][N],
                       const int64_t *c, const int64_t kb[L][N],
                       const int64_t ka[L][N])
{
    memset(x, 0, 2 * N * sizeof(int64_t));
    for (int d = 0; d < L; d++) {
        int64_t t0[N], t1[N];
        for (int k = 0; k < N; k++) {
            dig[d][k] = cmod(c[k], (int64_t)QS[d]);
            if (dig[d][k] < 0)
                dig[d][k] += (int64_t)QS[d]; /* digit in [0, q_d) */
        }
        pmulm(t0, dig[d], kb[d], QP);
        pmulm(t1, dig[d], ka[d], QP);
        padd(x[0], x[0], t0, QP);
        padd(x[1], x[1], t1, QP);
    }
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < N; k++)
            y[j][k] = cmod(rdiv(x[j][k], (i128)PS), QQ);
}

int toy_run(toy_result_t *R)
{
    static const uint8_t seed[VEIL_SEED_BYTES] =
        "veil doc/03-06: the toy BFV n=8";
    static const int64_t slots1[N] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const int64_t slots2[N] = {3, 1, 4, 1, 5, 9, 2, 6};
    lib_t lb;
    bfv_params_t prm;
    veil_rng_t rng, rep;
    int8_t sm[3 * N];
    int64_t s[N], a[N], e[N], b[N], m1[N], m2[N], dm1[N], dm2[N], u[N], e0[N],
        e1[N], c0[N], c1[N], x[N], v[N], tvr[N], dec[N], tmp[N], lib[N], d0[N],
        d1[N], u2[N], f0[N], f1[N];
    size_t len[TOY_BLOCKS];
    FILE *f;
    int ok = 1;

    memset(R, 0, sizeof(*R));
    memset(&lb, 0, sizeof(lb));
    memset(&prm, 0, sizeof(prm));
    prm.n = N;
    prm.n_q = L;
    prm.q[0] = QS[0];
    prm.q[1] = QS[1];
    prm.n_p = 1;
    prm.p[0] = PS;
    prm.t = T;
    prm.security = BFV_SEC_128;
    prm.allow_insecure = 1; /* a toy: 8 coefficients hide nothing */
    if (bfv_context_init(&lb.ctx, &prm) != VEIL_OK) {
        R->status = -1;
        return -1;
    }
    bfv_context_t *ctx = &lb.ctx;
    ok &= bfv_secret_key_init(&lb.sk, ctx) == VEIL_OK;
    ok &= bfv_public_key_init(&lb.pk, ctx) == VEIL_OK;
    ok &= bfv_relin_key_init(&lb.rk, ctx) == VEIL_OK;
    ok &= bfv_galois_keys_init(&lb.gk, ctx) == VEIL_OK;
    ok &= bfv_plaintext_init(&lb.pt, ctx) == VEIL_OK;
    ok &= bfv_ciphertext_init(&lb.ct, ctx) == VEIL_OK;
    ok &= bfv_ciphertext_init(&lb.ct2, ctx) == VEIL_OK;
    ok &= bfv_ciphertext_init(&lb.prod, ctx) == VEIL_OK;
    ok &= bfv_ciphertext_init(&lb.rel, ctx) == VEIL_OK;
    ok &= bfv_ciphertext_init(&lb.rot, ctx) == VEIL_OK;
    veil_rng_init_seed(&rng, seed);

    /* ---- keys: s, then (seed of a, e) for the public key */
    ok &= bfv_keygen_secret(&lb.sk, &rng) == VEIL_OK;
    for (int k = 0; k < N; k++)
        s[k] = lb.sk.coeffs[k];
    rep = rng;
    ok &= bfv_keygen_public(&lb.pk, &lb.sk, &rng) == VEIL_OK;
    {
        uint8_t skip[VEIL_SEED_BYTES];
        veil_rng_bytes(&rep, skip, sizeof(skip));
        veil_rng_cbd(&rep, sm, N);
        small(e, sm);
    }
    from_lib(a, ctx, lb.pk.data + L * N, L);
    pmulm(b, a, s, QQ);
    for (int k = 0; k < N; k++)
        b[k] = cmod(-(i128)b[k] - e[k], QQ);
    from_lib(lib, ctx, lb.pk.data, L);
    check(R, "public key b = -(a s + e)", same(lib, b));

    /* ---- encoding and D(m) */
    {
        uint64_t sv[N];
        for (int k = 0; k < N; k++)
            sv[k] = (uint64_t)slots1[k];
        ok &= bfv_encode_batch(&lb.pt, sv, N) == VEIL_OK;
    }
    encode_fp(m1, slots1);
    lib_plain(lib, &lb.pt);
    check(R, "batch encoding of (1..8)", same(lib, m1));
    const int64_t delta = QQ / T, rt = QQ % T;
    for (int k = 0; k < N; k++)
        dm1[k] = cmod(rdiv((i128)QQ * m1[k], T), QQ);

    /* ---- public-key encryption: u, e_0, e_1 */
    rep = rng;
    ok &= bfv_encrypt(&lb.ct, &lb.pk, &lb.pt, &rng) == VEIL_OK;
    veil_rng_ternary(&rep, sm, N);
    veil_rng_cbd(&rep, sm + N, 2 * N);
    small(u, sm);
    small(e0, sm + N);
    small(e1, sm + 2 * N);
    pmulm(c0, b, u, QQ);
    padd(c0, c0, e0, QQ);
    padd(c0, c0, dm1, QQ);
    pmulm(c1, a, u, QQ);
    padd(c1, c1, e1, QQ);
    from_lib(lib, ctx, bfv_ct_row(&lb.ct, 0, 0), L);
    check(R, "ciphertext c_0 = b u + e_0 + D(m)", same(lib, c0));
    from_lib(lib, ctx, bfv_ct_row(&lb.ct, 1, 0), L);
    check(R, "ciphertext c_1 = a u + e_1", same(lib, c1));

    /* phase, noise, decryption */
    pmulm(x, c1, s, QQ);
    padd(x, x, c0, QQ);
    {
        int64_t eu[N], e1s[N];
        pmulm(eu, e, u, QQ);
        pmulm(e1s, e1, s, QQ);
        for (int k = 0; k < N; k++) {
            v[k] = e0[k] + e1s[k] - eu[k];
            tvr[k] = (int64_t)((i128)T * x[k] - (i128)QQ * m1[k]);
            tvr[k] = cmod(tvr[k], QQ);
        }
    }
    decrypt_fp(dec, x, QQ);
    ok &= bfv_decrypt(&lb.pt, &lb.sk, &lb.ct) == VEIL_OK;
    lib_plain(lib, &lb.pt);
    check(R, "decryption of the fresh ciphertext", same(lib, dec));
    check(R, "fresh decryption equals m", same(dec, m1));
    int bud_fresh, lib_bud;
    bud_fresh = budget_of(max_abs(tvr), QQ);
    ok &= bfv_noise_budget(&lib_bud, &lb.sk, &lb.ct) == VEIL_OK;
    check(R, "fresh noise budget", lib_bud == bud_fresh);
    val(R, "budget_fresh", "%d", bud_fresh);
    val(R, "noise_fresh", "%lld", (long long)max_abs(tvr));

    f = blk(&R->text[TOY_ENC], &len[TOY_ENC]);
    fprintf(f, "n = %d, t = %d, q = (%llu, %llu), Q = %lld, P = %llu\n", N, T,
            (unsigned long long)QS[0], (unsigned long long)QS[1], (long long)QQ,
            (unsigned long long)PS);
    fprintf(f, "Delta = floor(Q/t) = %lld, r_t = Q mod t = %lld\n",
            (long long)delta, (long long)rt);
    fprintf(f, "\nkeys\n");
    pv(f, "s", s, 4);
    pv(f, "a", a, 11);
    pv(f, "e", e, 4);
    pv(f, "b", b, 11);
    fprintf(f, "\nencryption of the slots (1 2 3 4 | 5 6 7 8)\n");
    pv(f, "m", m1, 4);
    pv(f, "D(m)", dm1, 11);
    pv(f, "u", u, 4);
    pv(f, "e_0", e0, 4);
    pv(f, "e_1", e1, 4);
    pv(f, "c_0", c0, 11);
    pv(f, "c_1", c1, 11);
    fprintf(f, "\ndecryption\n");
    pv(f, "x", x, 11);
    pv(f, "v", v, 4);
    pv(f, "tv + r", tvr, 11);
    pv(f, "m", dec, 4);
    fprintf(f, "budget    = floor(log2(Q / (2 * %lld))) = %d bits\n",
            (long long)max_abs(tvr), bud_fresh);
    fclose(f);

    /* ---- a second ciphertext and the product */
    {
        uint64_t sv[N];
        for (int k = 0; k < N; k++)
            sv[k] = (uint64_t)slots2[k];
        ok &= bfv_encode_batch(&lb.pt, sv, N) == VEIL_OK;
    }
    encode_fp(m2, slots2);
    lib_plain(lib, &lb.pt);
    check(R, "batch encoding of (3 1 4 1 5 9 2 6)", same(lib, m2));
    for (int k = 0; k < N; k++)
        dm2[k] = cmod(rdiv((i128)QQ * m2[k], T), QQ);
    rep = rng;
    ok &= bfv_encrypt(&lb.ct2, &lb.pk, &lb.pt, &rng) == VEIL_OK;
    veil_rng_ternary(&rep, sm, N);
    veil_rng_cbd(&rep, sm + N, 2 * N);
    small(u2, sm);
    small(e0, sm + N);
    small(e1, sm + 2 * N);
    pmulm(d0, b, u2, QQ);
    padd(d0, d0, e0, QQ);
    padd(d0, d0, dm2, QQ);
    pmulm(d1, a, u2, QQ);
    padd(d1, d1, e1, QQ);
    from_lib(lib, ctx, bfv_ct_row(&lb.ct2, 0, 0), L);
    check(R, "second ciphertext c'_0", same(lib, d0));
    from_lib(lib, ctx, bfv_ct_row(&lb.ct2, 1, 0), L);
    check(R, "second ciphertext c'_1", same(lib, d1));

    i128 A0[N], A1[N], B0[N], B1[N], T0[N], T1[N], T2[N], tt[N];
    int64_t pc[3][N], s2[N], xp[N], m12[N], decp[N];
    for (int k = 0; k < N; k++) {
        A0[k] = c0[k], A1[k] = c1[k], B0[k] = d0[k], B1[k] = d1[k];
    }
    pmul(T0, A0, B0);
    pmul(T1, A0, B1);
    pmul(tt, A1, B0);
    for (int k = 0; k < N; k++)
        T1[k] += tt[k];
    pmul(T2, A1, B1);
    for (int k = 0; k < N; k++) {
        pc[0][k] = cmod(rdiv((i128)T * T0[k], QQ), QQ);
        pc[1][k] = cmod(rdiv((i128)T * T1[k], QQ), QQ);
        pc[2][k] = cmod(rdiv((i128)T * T2[k], QQ), QQ);
    }
    ok &= bfv_mul(&lb.prod, &lb.ct, &lb.ct2) == VEIL_OK;
    for (int j = 0; j < 3; j++) {
        from_lib(lib, ctx, bfv_ct_row(&lb.prod, (size_t)j, 0), L);
        check(R,
              j == 0   ? "product c_0 = round(t c~_0 / Q)"
              : j == 1 ? "product c_1 = round(t c~_1 / Q)"
                       : "product c_2 = round(t c~_2 / Q)",
              same(lib, pc[j]));
    }
    pmulm(s2, s, s, QQ);
    pmulm(xp, pc[2], s2, QQ);
    pmulm(tmp, pc[1], s, QQ);
    padd(xp, xp, tmp, QQ);
    padd(xp, xp, pc[0], QQ);
    pmulm(m12, m1, m2, T);
    for (int k = 0; k < N; k++)
        if (m12[k] < 0)
            m12[k] += T;
    decrypt_fp(decp, xp, QQ);
    check(R, "product decrypts to m m'", same(decp, m12));
    ok &= bfv_decrypt(&lb.pt, &lb.sk, &lb.prod) == VEIL_OK;
    lib_plain(lib, &lb.pt);
    check(R, "library decryption of the product", same(lib, decp));
    int64_t tvp[N];
    for (int k = 0; k < N; k++)
        tvp[k] = cmod((i128)T * xp[k], QQ);
    int bud_prod = budget_of(max_abs(tvp), QQ);
    ok &= bfv_noise_budget(&lib_bud, &lb.sk, &lb.prod) == VEIL_OK;
    check(R, "product noise budget", lib_bud == bud_prod);
    val(R, "budget_prod", "%d", bud_prod);
    val(R, "prod_loss", "%d", bud_fresh - bud_prod);
    val(R, "logtn", "%.1f", log2((double)T * N));
    {
        int64_t sl[N];
        decode_fp(sl, decp);
        f = blk(&R->text[TOY_MUL], &len[TOY_MUL]);
        fprintf(f, "second ciphertext: the slots (3 1 4 1 | 5 9 2 6)\n");
        pv(f, "m'", m2, 4);
        pv(f, "u'", u2, 4);
        pv(f, "c'_0", d0, 11);
        pv(f, "c'_1", d1, 11);
        fprintf(f, "\ntensor over the integers (centred inputs)\n");
        pv128(f, "c~_0", T0);
        pv128(f, "c~_1", T1);
        pv128(f, "c~_2", T2);
        fprintf(f,
                "\nscaled: c_k = [round(t c~_k / Q)]_Q, e.g. for coefficient 0 "
                "of c_0:\n");
        pdec(f, T, T0[0], QQ, pc[0][0]);
        pv(f, "c_0", pc[0], 11);
        pv(f, "c_1", pc[1], 11);
        pv(f, "c_2", pc[2], 11);
        fprintf(f, "\ndecryption with (1, s, s^2)\n");
        pv(f, "s^2", s2, 4);
        pv(f, "x", xp, 11);
        pv(f, "m m'", decp, 4);
        fprintf(f, "slots     = (");
        for (int j = 0; j < N; j++)
            fprintf(f, "%s%lld",
                    j == 0       ? ""
                    : j == N / 2 ? " | "
                                 : " ",
                    (long long)sl[j]);
        fprintf(f, ")\n");
        fprintf(f,
                "budget    = floor(log2(Q / (2 * %lld))) = %d bits "
                "(fresh: %d)\n",
                (long long)max_abs(tvp), bud_prod, bud_fresh);
        fclose(f);
    }

    /* ---- modulus switching of the fresh ciphertext: Q -> q_0 (doc/03,
     * section 8), by the formula round(Q' c / Q) with integers, by the
     * RNS steps of bfv/modswitch.c redone by hand, and by bfv_mod_switch */
    {
        const int64_t q0 = (int64_t)QS[0], q1 = (int64_t)QS[1];
        int64_t s0[N], s1[N], xs[N], ds[N], tvs[N], ms0[N], ms1[N];
        int64_t rns_ok = 1, c0q0, c0q1, r0c, q1inv, crns;
        for (int k = 0; k < N; k++) {
            s0[k] = cmod(rdiv((i128)q0 * c0[k], QQ), q0);
            s1[k] = cmod(rdiv((i128)q0 * c1[k], QQ), q0);
        }
        /* the RNS route for every coefficient: r = [c]_q1 centred,
         * c' = (c mod q_0 - r) q_1^-1 mod q_0 */
        q1inv = inv_mod(q1, q0);
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < N; k++) {
                const int64_t c = j == 0 ? c0[k] : c1[k];
                const int64_t r = cmod(c, q1);
                const int64_t cr = cmod((i128)(cmod(c, q0) - r) * q1inv, q0);
                rns_ok &= cr == (j == 0 ? s0[k] : s1[k]);
            }
        check(R, "mod switch: RNS steps = round(Q' c / Q)", (int)rns_ok);
        c0q0 = cmod(c0[0], q0);
        c0q0 += c0q0 < 0 ? q0 : 0;
        c0q1 = cmod(c0[0], q1);
        c0q1 += c0q1 < 0 ? q1 : 0;
        r0c = cmod(c0[0], q1);
        crns = cmod((i128)(c0q0 - r0c) * q1inv, q0);
        pmulm(xs, s1, s, q0);
        padd(xs, xs, s0, q0);
        decrypt_fp(ds, xs, q0);
        check(R, "modulus-switched ciphertext decrypts to m", same(ds, m1));
        for (int k = 0; k < N; k++)
            tvs[k] = cmod((i128)T * xs[k], q0);
        const int bud_ms = budget_of(max_abs(tvs), q0);

        /* the library: bfv_mod_switch to one limb, its decryption and
         * budget, and the number of limbs bfv_mod_switch_limbs asks for */
        bfv_ms_ciphertext_t ms;
        size_t need = 0;
        int lib_ms_bud = -1, keep = 0;
        memset(&ms, 0, sizeof(ms));
        ok &= bfv_ms_ciphertext_init(&ms, ctx) == VEIL_OK &&
              bfv_mod_switch(&ms, &lb.ct, 1) == VEIL_OK && ms.limbs == 1 &&
              ms.size == 2;
        from_lib(ms0, ctx, bfv_ms_ct_row(&ms, 0, 0), 1);
        from_lib(ms1, ctx, bfv_ms_ct_row(&ms, 1, 0), 1);
        check(R, "bfv_mod_switch c'_0 = round(Q' c_0 / Q)", same(ms0, s0));
        check(R, "bfv_mod_switch c'_1 = round(Q' c_1 / Q)", same(ms1, s1));
        ok &= bfv_decrypt_ms(&lb.pt, &lb.sk, &ms) == VEIL_OK;
        lib_plain(lib, &lb.pt);
        check(R, "bfv_decrypt_ms of the switched ciphertext", same(lib, ds));
        ok &= bfv_noise_budget_ms(&lib_ms_bud, &lb.sk, &ms) == VEIL_OK;
        check(R, "bfv_noise_budget_ms of the switched ciphertext",
              lib_ms_bud == bud_ms);
        ok &= bfv_mod_switch_limbs(&need, ctx, 2, bud_fresh, 1) == VEIL_OK;
        /* the bound of section 8: the largest keep with
         * Q' (2^-keep - 2^-b) >= t (1 + n), b the budget before */
        while ((i128)q0 * (((i128)1 << (bud_fresh - keep - 1)) - 1) >=
               (i128)T * (1 + N) * ((i128)1 << bud_fresh))
            keep++;
        check(R, "the switched budget is at least the guaranteed one",
              bud_ms >= keep);
        check(R, "bfv_mod_switch_limbs(budget, keep 1) = 1 limb", need == 1);
        bfv_ms_ciphertext_clear(&ms);
        val(R, "ms_budget", "%d", bud_ms);
        val(R, "ms_noise", "%lld", (long long)max_abs(tvs));
        val(R, "ms_bound", "%d", keep);
        val(R, "ms_worst", "%.1f", T * (1 + N) / 2.0);
        val(R, "ms_dropped_bits", "%.0f", floor(log2((double)q1)));
        val(R, "ms_scaled", "%.2f", (double)max_abs(tvr) / (double)q1);

        f = blk(&R->text[TOY_MODSW], &len[TOY_MODSW]);
        fprintf(f,
                "Q = %lld -> Q' = q_0 = %lld, dropping q_1 = %lld\n"
                "c'_k = [round(Q' c_k / Q)]_Q' = [round(c_k / q_1)]_Q'\n",
                (long long)QQ, (long long)q0, (long long)q1);
        fprintf(f, "\ncoefficient 0 of c_0, c = %lld:\n", (long long)c0[0]);
        {
            const i128 num = c0[0], a = num < 0 ? -num : num;
            fprintf(f, "  c / q_1 = %s%lld.%04lld, rounded %lld\n",
                    num < 0 ? "-" : "", (long long)(a / q1),
                    (long long)((a % q1) * 10000 / q1),
                    (long long)rdiv(num, q1));
        }
        fprintf(f,
                "  in RNS: c = (%lld, %lld) mod (q_0, q_1), "
                "r = [c]_q1 centred = %lld\n"
                "  c' = (c - r) q_1^-1 = (%lld %c %lld) * %lld mod q_0 = "
                "%lld\n",
                (long long)c0q0, (long long)c0q1, (long long)r0c,
                (long long)c0q0, r0c < 0 ? '+' : '-', (long long)llabs(r0c),
                (long long)(q1inv < 0 ? q1inv + q0 : q1inv), (long long)crns);
        fprintf(f, "\nthe switched ciphertext (bfv_mod_switch: the same)\n");
        pv(f, "c'_0", s0, 7);
        pv(f, "c'_1", s1, 7);
        fprintf(f, "\ndecryption mod Q'\n");
        pv(f, "x'", xs, 7);
        pv(f, "[t x']_Q'", tvs, 7);
        pv(f, "m", ds, 4);
        fprintf(f,
                "budget    = floor(log2(Q' / (2 * %lld))) = %d bits "
                "(before: %d)\n",
                (long long)max_abs(tvs), bud_ms, bud_fresh);
        fprintf(f,
                "bound     = the largest k with Q' (2^-k - 2^-%d) >= "
                "t (1 + n) = %d: %d bits\n",
                bud_fresh, T * (1 + N), keep);
        fprintf(f,
                "bfv_mod_switch_limbs(size 2, budget %d, keep 1) = %zu "
                "limb\n",
                bud_fresh, need);
        fclose(f);
    }

    /* ---- the same rounding on chapter 02's base (7, 11, 13), by hand:
     * x = 500 = (3, 5, 6), drop 13 (doc/03, section 8) */
    {
        static const int64_t B[3] = {7, 11, 13};
        const int64_t D = B[2], Qb = 7 * 11 * 13;
        int all = 1;
        /* every x mod 1001: the RNS route equals round(x / 13) mod 77 */
        for (int64_t xv = 0; xv < Qb; xv++) {
            const int64_t r = cmod(xv, D);
            const int64_t want = (int64_t)(rdiv(xv, D) % 77);
            for (int i = 0; i < 2; i++) {
                int64_t y =
                    cmod((i128)(xv % B[i] - r) * inv_mod(D, B[i]), B[i]);
                y += y < 0 ? B[i] : 0;
                all &= y == want % B[i];
            }
        }
        check(R, "RNS rounding on (7, 11, 13) = round(x / 13) for all x", all);
        f = blk(&R->text[TOY_MSRNS], &len[TOY_MSRNS]);
        for (int64_t xv = 500; xv <= 501; xv++) {
            const int64_t r = cmod(xv, D);
            int64_t y[2];
            fprintf(f,
                    "x = %lld = (%lld, %lld, %lld), r = [x]_13 centred "
                    "= %lld\n",
                    (long long)xv, (long long)(xv % 7), (long long)(xv % 11),
                    (long long)(xv % 13), (long long)r);
            for (int i = 0; i < 2; i++) {
                const int64_t inv = inv_mod(D, B[i]) < 0
                                        ? inv_mod(D, B[i]) + B[i]
                                        : inv_mod(D, B[i]);
                y[i] = cmod((i128)(xv % B[i] - r) * inv, B[i]);
                y[i] += y[i] < 0 ? B[i] : 0;
                fprintf(f,
                        "  mod %2lld: (%lld %c %lld) * 13^-1 = %lld * %lld "
                        "= %lld\n",
                        (long long)B[i], (long long)(xv % B[i]),
                        r < 0 ? '+' : '-', (long long)llabs(r),
                        (long long)(xv % B[i] - r), (long long)inv,
                        (long long)y[i]);
            }
            fprintf(f,
                    "  x' = (%lld, %lld) mod (7, 11) = %lld = "
                    "round(%lld / 13)\n",
                    (long long)y[0], (long long)y[1],
                    (long long)(rdiv(xv, D) % 77), (long long)xv);
        }
        fclose(f);
    }

    /* ---- relinearization */
    rep = rng;
    ok &= bfv_keygen_relin(&lb.rk, &lb.sk, &rng) == VEIL_OK;
    int64_t kb[L][N], ka[L][N], ke[L][N], g[L];
    {
        uint8_t skip[VEIL_SEED_BYTES];
        int8_t er[L * N];
        veil_rng_bytes(&rep, skip, sizeof(skip));
        veil_rng_cbd(&rep, er, L * N);
        for (int d = 0; d < L; d++) {
            int64_t want[N], as[N], s2qp[N];
            small(ke[d], er + d * N);
            /* g_d = (Q/q_d) [(Q/q_d)^-1]_{q_d} */
            int64_t qh = QQ / (int64_t)QS[d];
            int64_t qi = inv_mod(qh, (int64_t)QS[d]);
            if (qi < 0)
                qi += (int64_t)QS[d];
            g[d] = qh * qi;
            ksk_fp(lib, ka[d], ctx, &lb.rk.ksk, (size_t)d);
            pmulm(as, ka[d], s, QP);
            pmulm(s2qp, s, s, QP);
            for (int k = 0; k < N; k++)
                want[k] = cmod(-(i128)as[k] - ke[d][k] +
                                   (i128)PS * g[d] % QP * s2qp[k],
                               QP);
            memcpy(kb[d], want, sizeof(want));
            check(R,
                  d == 0 ? "relin key b_0 = -(a_0 s + e_0) + P g_0 s^2"
                         : "relin key b_1 = -(a_1 s + e_1) + P g_1 s^2",
                  same(lib, want));
        }
    }
    int64_t dig[L][N], xk[2][N], yk[2][N], r0[N], r1[N];
    kswitch_fp(dig, xk, yk, pc[2], kb, ka);
    padd(r0, pc[0], yk[0], QQ);
    padd(r1, pc[1], yk[1], QQ);
    ok &= bfv_relinearize(&lb.rel, &lb.prod, &lb.rk) == VEIL_OK;
    from_lib(lib, ctx, bfv_ct_row(&lb.rel, 0, 0), L);
    check(R, "relinearized c_0 + y_0", same(lib, r0));
    from_lib(lib, ctx, bfv_ct_row(&lb.rel, 1, 0), L);
    check(R, "relinearized c_1 + y_1", same(lib, r1));
    {
        int64_t xr[N], dr[N], tvrl[N], eks[N];
        pmulm(xr, r1, s, QQ);
        padd(xr, xr, r0, QQ);
        decrypt_fp(dr, xr, QQ);
        check(R, "relinearized product decrypts to m m'", same(dr, m12));
        for (int k = 0; k < N; k++) {
            tvrl[k] = cmod((i128)T * xr[k], QQ);
            eks[k] = cmod((i128)xr[k] - xp[k], QQ); /* the added noise */
        }
        int bud_rel = budget_of(max_abs(tvrl), QQ);
        ok &= bfv_noise_budget(&lib_bud, &lb.sk, &lb.rel) == VEIL_OK;
        check(R, "relinearized noise budget", lib_bud == bud_rel);
        val(R, "budget_relin", "%d", bud_rel);
        /* doc/05: the worst case and the deviation of sum_d digit_d e_d / P
         * (two digits of up to q_1 - 1, errors up to 21, variance 10.5) */
        val(R, "relin_worst", "%.0f",
            ceil(2.0 * N * (double)(QS[1] - 1) * 21 / (double)PS));
        val(R, "relin_sd", "%.1f",
            sqrt(2.0 * N * (double)QS[1] * (double)QS[1] / 3 * 10.5) /
                (double)PS);
        f = blk(&R->text[TOY_RELIN], &len[TOY_RELIN]);
        fprintf(f, "g_0 = %lld, g_1 = %lld, P = %llu, QP = %lld\n",
                (long long)g[0], (long long)g[1], (unsigned long long)PS,
                (long long)QP);
        fprintf(f, "\ndigits of c_2 (the product's third polynomial)\n");
        pv(f, "c_2", pc[2], 11);
        pv(f, "[c_2]_q0", dig[0], 6);
        pv(f, "[c_2]_q1", dig[1], 6);
        fprintf(f, "\nrelinearization key, digit 0 (mod QP)\n");
        pv(f, "a_0", ka[0], 15);
        pv(f, "e_0", ke[0], 4);
        pv(f, "b_0", kb[0], 15);
        fprintf(f, "digit 1: e_1 = ");
        for (int k = 0; k < N; k++)
            fprintf(f, "%s%lld", k ? " " : "(", (long long)ke[1][k]);
        fprintf(f, ")\n");
        fprintf(f, "\ninner product mod QP and division by P\n");
        pv(f, "x_0", xk[0], 15);
        pv(f, "x_1", xk[1], 15);
        pv(f, "y_0", yk[0], 11);
        pv(f, "y_1", yk[1], 11);
        fprintf(f, "\nresult (c_0 + y_0, c_1 + y_1)\n");
        pv(f, "c_0", r0, 11);
        pv(f, "c_1", r1, 11);
        pv(f, "e_ks", eks, 11);
        pv(f, "m m'", dr, 4);
        fprintf(f, "budget    = %d bits (before relinearization: %d)\n",
                bud_rel, bud_prod);
        fclose(f);
    }

    /* ---- rotation by one column: g = 3^-1 = 11 mod 16 */
    {
        const int64_t step = 1;
        const int ge = (int)bfv_galois_elt_from_step(ctx, step);
        int64_t gb[L][N], ga[L][N], gerr[L][N], sinv[N], o0[N], o1[N], xo[N],
            dro[N], slo[N], tvo[N];
        int ginv = 1;
        while ((ginv * ge) % (2 * N) != 1)
            ginv += 2;
        automorph(sinv, s, ginv, QP);
        rep = rng;
        ok &= bfv_keygen_galois_steps(&lb.gk, &lb.sk, &step, 1, 0, &rng) ==
              VEIL_OK;
        const bfv_galois_key_t *key =
            bfv_galois_keys_find(&lb.gk, (uint64_t)ge);
        if (key == NULL) {
            ok = 0;
        } else {
            uint8_t skip[VEIL_SEED_BYTES];
            int8_t er[L * N];
            veil_rng_bytes(&rep, skip, sizeof(skip));
            veil_rng_cbd(&rep, er, L * N);
            for (int d = 0; d < L; d++) {
                int64_t as[N];
                small(gerr[d], er + d * N);
                ksk_fp(lib, ga[d], ctx, &key->ksk, (size_t)d);
                pmulm(as, ga[d], sinv, QP);
                for (int k = 0; k < N; k++)
                    gb[d][k] = cmod(-(i128)as[k] - gerr[d][k] +
                                        (i128)PS * g[d] % QP * s[k],
                                    QP);
                check(R,
                      d == 0
                          ? "Galois key b_0 = -(a_0 s(X^-g) + e_0) + P g_0 s"
                          : "Galois key b_1 = -(a_1 s(X^-g) + e_1) + P g_1 s",
                      same(lib, gb[d]));
            }
        }
        kswitch_fp(dig, xk, yk, c1, gb, ga);
        padd(o0, c0, yk[0], QQ);
        automorph(o0, o0, ge, QQ);
        automorph(o1, yk[1], ge, QQ);
        ok &= bfv_rotate_rows(&lb.rot, &lb.ct, step, &lb.gk) == VEIL_OK;
        from_lib(lib, ctx, bfv_ct_row(&lb.rot, 0, 0), L);
        check(R, "rotated c_0 = sigma_g(c_0 + y_0)", same(lib, o0));
        from_lib(lib, ctx, bfv_ct_row(&lb.rot, 1, 0), L);
        check(R, "rotated c_1 = sigma_g(y_1)", same(lib, o1));
        pmulm(xo, o1, s, QQ);
        padd(xo, xo, o0, QQ);
        decrypt_fp(dro, xo, QQ);
        decode_fp(slo, dro);
        {
            int64_t want[N];
            for (int j = 0; j < N; j++) /* column c receives column c - 1 */
                want[j] = slots1[(j / (N / 2)) * (N / 2) +
                                 (j % (N / 2) + N / 2 - 1) % (N / 2)];
            check(R, "rotation moves column c to c + 1", same(slo, want));
        }
        ok &= bfv_decrypt(&lb.pt, &lb.sk, &lb.rot) == VEIL_OK;
        lib_plain(lib, &lb.pt);
        check(R, "library decryption of the rotation", same(lib, dro));
        for (int k = 0; k < N; k++)
            tvo[k] = cmod((i128)T * xo[k], QQ);
        int bud_rot = budget_of(max_abs(tvo), QQ);
        ok &= bfv_noise_budget(&lib_bud, &lb.sk, &lb.rot) == VEIL_OK;
        check(R, "rotation noise budget", lib_bud == bud_rot);
        val(R, "budget_rot", "%d", bud_rot);

        f = blk(&R->text[TOY_ROT], &len[TOY_ROT]);
        fprintf(f,
                "rotation by 1: g = %d (3 * %d = %d = 1 mod 16), "
                "g^-1 = %d\n",
                ge, ge, 3 * ge, ginv);
        pv(f, "s(X^g^-1)", sinv, 4);
        fprintf(f, "Galois key errors: e_0 = ");
        for (int k = 0; k < N; k++)
            fprintf(f, "%s%lld", k ? " " : "(", (long long)gerr[0][k]);
        fprintf(f, "), e_1 = ");
        for (int k = 0; k < N; k++)
            fprintf(f, "%s%lld", k ? " " : "(", (long long)gerr[1][k]);
        fprintf(f, ")\n\nswitch c_1 from s to s(X^g^-1)\n");
        pv(f, "c_1", c1, 11);
        pv(f, "[c_1]_q0", dig[0], 6);
        pv(f, "[c_1]_q1", dig[1], 6);
        pv(f, "y_0", yk[0], 11);
        pv(f, "y_1", yk[1], 11);
        fprintf(f, "\nthen apply X -> X^%d\n", ge);
        pv(f, "c_0 + y_0", (padd(tmp, c0, yk[0], QQ), tmp), 11);
        pv(f, "out_0", o0, 11);
        pv(f, "out_1", o1, 11);
        pv(f, "m", dro, 4);
        fprintf(f, "slots     = (");
        for (int j = 0; j < N; j++)
            fprintf(f, "%s%lld",
                    j == 0       ? ""
                    : j == N / 2 ? " | "
                                 : " ",
                    (long long)slo[j]);
        fprintf(f, ")\nbudget    = %d bits (before: %d)\n", bud_rot, bud_fresh);
        fclose(f);
    }
    /* ---- what the noise of a reply reveals (doc/07, section 11): the
     * server multiplies the fresh ciphertext by its weights w (slots
     * (2 7 1 8 | 2 8 1 8)); the client, who knows t v + r of its own
     * ciphertext, reads w off the noise of the reply */
    {
        static const int64_t wslots[N] = {2, 7, 1, 8, 2, 8, 1, 8};
        bfv_plaintext_ntt_t wn;
        int64_t w[N], wc[N], y0[N], y1[N], xy[N], ny[N], wrec[N], my[N], dy[N];
        encode_fp(w, wslots);
        for (int k = 0; k < N; k++)
            wc[k] = w[k] > T / 2 ? w[k] - T : w[k]; /* centred lift */
        {
            uint64_t sv[N];
            for (int k = 0; k < N; k++)
                sv[k] = (uint64_t)wslots[k];
            ok &= bfv_encode_batch(&lb.pt, sv, N) == VEIL_OK;
        }
        ok &= bfv_plaintext_ntt_init(&wn, ctx) == VEIL_OK &&
              bfv_plaintext_to_ntt(&wn, &lb.pt) == VEIL_OK &&
              bfv_mul_plain(&lb.rel, &lb.ct, &wn) == VEIL_OK;
        bfv_plaintext_ntt_clear(&wn);
        pmulm(y0, c0, wc, QQ);
        pmulm(y1, c1, wc, QQ);
        from_lib(lib, ctx, bfv_ct_row(&lb.rel, 0, 0), L);
        check(R, "mul_plain c_0 w", same(lib, y0));
        from_lib(lib, ctx, bfv_ct_row(&lb.rel, 1, 0), L);
        check(R, "mul_plain c_1 w", same(lib, y1));
        pmulm(xy, y1, s, QQ);
        padd(xy, xy, y0, QQ);
        decrypt_fp(dy, xy, QQ);
        pmulm(my, m1, w, T);
        for (int k = 0; k < N; k++) {
            my[k] = my[k] < 0 ? my[k] + T : my[k];
            ny[k] = cmod((i128)T * xy[k], QQ); /* what the client measures */
        }
        check(R, "the reply decrypts to m w", same(dy, my));
        /* ny = w (t v + r) exactly (no wrap): solve mod q_0 */
        int solved = solve_negacyclic(wrec, tvr, ny, (int64_t)QS[0]) == 0;
        check(R, "the client recovers the weights from the noise",
              solved && same(wrec, wc));
        f = blk(&R->text[TOY_LEAK], &len[TOY_LEAK]);
        fprintf(f, "server's weights: the slots (2 7 1 8 | 2 8 1 8), "
                   "lifted centred\n");
        pv(f, "w", wc, 4);
        fprintf(f, "reply (c_0 w, c_1 w) decrypts to m w\n");
        pv(f, "m w", dy, 4);
        fprintf(f, "\nthe client's view\n");
        pv(f, "t v + r", tvr, 7);
        pv(f, "[t x_w]_Q", ny, 7);
        fprintf(f, "solve [t x_w]_Q = w' (t v + r) mod q_0 = %llu for w'\n",
                (unsigned long long)QS[0]);
        pv(f, "w'", wrec, 4);
        fprintf(f, "w' = w: %s\n", same(wrec, wc) ? "yes" : "no");
        fclose(f);
    }
    (void)f0;
    (void)f1;
    (void)len;

    bfv_ciphertext_clear(&lb.rot);
    bfv_ciphertext_clear(&lb.rel);
    bfv_ciphertext_clear(&lb.prod);
    bfv_ciphertext_clear(&lb.ct2);
    bfv_ciphertext_clear(&lb.ct);
    bfv_plaintext_clear(&lb.pt);
    bfv_galois_keys_clear(&lb.gk);
    bfv_relin_key_clear(&lb.rk);
    bfv_public_key_clear(&lb.pk);
    bfv_secret_key_clear(&lb.sk);
    bfv_context_clear(&lb.ctx);
    veil_rng_clear(&rng);
    veil_rng_clear(&rep);
    R->status = ok ? 0 : -1;
    return R->status;
}

void toy_result_free(toy_result_t *r)
{
    for (int i = 0; i < TOY_BLOCKS; i++) {
        free(r->text[i]);
        r->text[i] = NULL;
    }
}
