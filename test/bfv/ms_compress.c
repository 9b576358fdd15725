/* The power-of-two form of a switched ciphertext (bfv.h, bfv_ms_compress):
 * the rounding against an fmpz oracle, decryption and the exact budget
 * against a phase computed with fmpz_poly (c'_1 s over Z, reduced
 * mod X^n + 1 and 2^b1), the exponents bfv_ms_compress_bits picks (least,
 * and the budget they promise is kept), the refusals, and the serialized
 * form (round trip, size, hostile inputs). */
#include "helpers.h"
#include "serial_util.h"
#include "test/common/seed.h"
#include "veil/bfv_serial.h"
#include <criterion/criterion.h>
#include <flint/fmpz.h>
#include <flint/fmpz_poly.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

/* The coefficients of row k of a one-limb RNS-form ciphertext. */
static void coef_row(uint64_t *c, const bfv_ms_ciphertext_t *ct, size_t k)
{
    const size_t n = ct->ctx->n;
    memcpy(c, bfv_ms_ct_row(ct, k, 0), n * sizeof(uint64_t));
    ntt_inverse(&ct->ctx->plans[0], c);
}

/* Oracle: round(2^b c / q) mod 2^b in fmpz. */
static uint64_t round_oracle(uint64_t c, uint64_t q, unsigned b)
{
    fmpz_t x, d;
    uint64_t r;
    fmpz_init_set_ui(x, c);
    fmpz_init_set_ui(d, q);
    fmpz_mul_2exp(x, x, b + 1);
    fmpz_add(x, x, d);
    fmpz_mul_2exp(d, d, 1);
    fmpz_fdiv_q(x, x, d);
    fmpz_fdiv_r_2exp(x, x, b);
    r = fmpz_get_ui(x);
    fmpz_clear(x);
    fmpz_clear(d);
    return r;
}

/* Oracle phase p = 2^(b1 - b0) c'_0 + c'_1 s mod (X^n + 1, 2^b1). */
static void phase_oracle(uint64_t *p, const bfv_ms_ciphertext_t *ct,
                         const bfv_secret_key_t *sk)
{
    const size_t n = ct->ctx->n;
    const unsigned b0 = ct->bits[0], b1 = ct->bits[1];
    fmpz_poly_t a, s, r;
    fmpz_t x, y;
    fmpz_poly_init(a);
    fmpz_poly_init(s);
    fmpz_poly_init(r);
    fmpz_init(x);
    fmpz_init(y);
    for (size_t j = 0; j < n; j++) {
        fmpz_poly_set_coeff_ui(a, j, ct->data[n + j]);
        fmpz_poly_set_coeff_si(s, j, sk->coeffs[j]);
    }
    fmpz_poly_mul(r, a, s);
    for (size_t j = 0; j < n; j++) {
        fmpz_poly_get_coeff_fmpz(x, r, j);
        fmpz_poly_get_coeff_fmpz(y, r, j + n);
        fmpz_sub(x, x, y); /* X^n = -1 */
        fmpz_set_ui(y, ct->data[j]);
        fmpz_mul_2exp(y, y, b1 - b0);
        fmpz_add(x, x, y);
        fmpz_fdiv_r_2exp(x, x, b1);
        p[j] = fmpz_get_ui(x);
    }
    fmpz_clear(x);
    fmpz_clear(y);
    fmpz_poly_clear(a);
    fmpz_poly_clear(s);
    fmpz_poly_clear(r);
}

/* Oracle decryption and budget from the phase: m_j = round(t p_j / 2^b1)
 * mod t; budget = the largest b with 2 max|[t p]_{2^b1}| 2^b <= 2^b1. */
static int decrypt_oracle(uint64_t *m, const bfv_ms_ciphertext_t *ct,
                          const bfv_secret_key_t *sk)
{
    const size_t n = ct->ctx->n;
    const uint64_t t = ct->ctx->params.t;
    const unsigned b1 = ct->bits[1];
    uint64_t *p = malloc(n * sizeof(uint64_t));
    mpz_t x, mod, half, vmax, lhs;
    int b = 0;
    mpz_inits(x, mod, half, vmax, lhs, NULL);
    mpz_ui_pow_ui(mod, 2, b1);
    mpz_fdiv_q_2exp(half, mod, 1);
    phase_oracle(p, ct, sk);
    for (size_t j = 0; j < n; j++) {
        mpz_set_ui(x, p[j]);
        mpz_mul_ui(x, x, t);
        mpz_add(lhs, x, half);
        mpz_fdiv_q_2exp(lhs, lhs, b1);
        m[j] = mpz_fdiv_ui(lhs, t);
        mpz_fdiv_r_2exp(x, x, b1);
        if (mpz_cmp(x, half) > 0)
            mpz_sub(x, mod, x);
        if (mpz_cmp(x, vmax) > 0)
            mpz_set(vmax, x);
    }
    if (mpz_sgn(vmax) == 0)
        mpz_set_ui(vmax, 1);
    for (b = 0;; b++) {
        mpz_mul_2exp(lhs, vmax, (mp_bitcnt_t)b + 1);
        if (mpz_cmp(lhs, mod) > 0)
            break;
    }
    mpz_clears(x, mod, half, vmax, lhs, NULL);
    free(p);
    return b > 0 ? b - 1 : 0;
}

/* The promise of bfv_ms_compress_bits, as an exact rational test:
 * 2^-(budget+1) + t (1 + n) / (2 q_0) + t (2^-b0 + n 2^-b1) / 2
 * <= 2^-(keep+1), in fmpq. */
static int promise_holds(const bfv_context_t *ctx, unsigned b0, unsigned b1,
                         int budget, int keep)
{
    mpq_t l, x;
    int ok;
    mpq_inits(l, x, NULL);
    mpq_set_ui(l, 1, 1);
    mpq_div_2exp(l, l, (mp_bitcnt_t)budget + 1);
    mpq_set_ui(x, ctx->params.t * (1 + (uint64_t)ctx->n), 2 * ctx->params.q[0]);
    mpq_canonicalize(x);
    mpq_add(l, l, x);
    mpq_set_ui(x, ctx->params.t, 2);
    mpq_div_2exp(x, x, b0);
    mpq_add(l, l, x);
    mpq_set_ui(x, ctx->params.t * ctx->n, 2);
    mpq_div_2exp(x, x, b1);
    mpq_add(l, l, x);
    mpq_set_ui(x, 1, 1);
    mpq_div_2exp(x, x, (mp_bitcnt_t)keep + 1);
    ok = mpq_cmp(l, x) <= 0;
    mpq_clears(l, x, NULL);
    return ok;
}

/* ------------------------------------------------------------ rounding */

Test(ms_compress, rounding_against_fmpz)
{
    su_env_t s;
    bfv_ms_ciphertext_t ct;
    const size_t n = 1024;
    uint64_t *v = malloc(n * 8), *c0 = malloc(n * 8), *c1 = malloc(n * 8);
    const unsigned pairs[][2] = {{18, 28}, {1, 1}, {20, 56}, {40, 40}};
    su_init(&s, 4, "ms_compress.rounding_against_fmpz");
    bt_env_t *e = &s.e;
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &e->ctx), VEIL_OK);
    for (size_t pi = 0; pi < 4; pi++) {
        const unsigned b0 = pairs[pi][0], b1 = pairs[pi][1];
        bt_random_slots(&e->rng, v, n, e->t);
        bt_one_limb(e, &ct, v);
        /* any residues: the rounding is defined on every ciphertext */
        veil_rng_uniform_mod(&e->rng, bfv_ms_ct_row(&ct, 0, 0), n,
                             e->ctx.params.q[0]);
        coef_row(c0, &ct, 0);
        coef_row(c1, &ct, 1);
        c0[0] = 0; /* the ends of the range */
        c0[1] = e->ctx.params.q[0] - 1;
        c0[2] = e->ctx.params.q[0] / 2;
        c0[3] = e->ctx.params.q[0] / 2 + 1;
        memcpy(bfv_ms_ct_row(&ct, 0, 0), c0, n * 8);
        ntt_forward(&e->ctx.plans[0], bfv_ms_ct_row(&ct, 0, 0));
        veil_status st = bfv_ms_compress(&ct, b0, b1);
        if (st == VEIL_ENOISE) { /* (1, 1), (40, 40): rounding too coarse */
            cr_assert(b1 < 30 || b0 == b1);
            continue;
        }
        cr_assert_eq(st, VEIL_OK, "%u %u", b0, b1);
        cr_assert_eq(ct.bits[0], b0);
        cr_assert_eq(ct.bits[1], b1);
        for (size_t j = 0; j < n; j++) {
            cr_assert_eq(ct.data[j],
                         round_oracle(c0[j], e->ctx.params.q[0], b0), "c0[%zu]",
                         j);
            cr_assert_eq(ct.data[n + j],
                         round_oracle(c1[j], e->ctx.params.q[0], b1), "c1[%zu]",
                         j);
        }
    }
    bfv_ms_ciphertext_clear(&ct);
    su_clear(&s);
    free(v);
    free(c0);
    free(c1);
}

/* ------------------------------------------- decryption, budget, bits */

/* Fresh encryptions, one limb, then the exponents for their exact budget:
 * decryption and budget equal the fmpz_poly oracle, the values come back,
 * the promised budget is kept, and a smaller pair would break the
 * promise. */
static void decrypt_case(bt_env_t *e, int keep, const char *what)
{
    const size_t n = e->n;
    bfv_ms_ciphertext_t ct;
    bfv_plaintext_t pt;
    uint64_t *v = malloc(n * 8), *got = malloc(n * 8), *m = malloc(n * 8);
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    for (unsigned it = 0; it < vt_iters(2); it++) {
        int before, after, want;
        unsigned b0, b1;
        bt_random_slots(&e->rng, v, n, e->t);
        bt_one_limb(e, &ct, v);
        cr_assert_eq(bfv_noise_budget_ms(&before, &e->sk, &ct), VEIL_OK);
        cr_assert_gt(before, keep, "%s: budget %d", what, before);
        cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &e->ctx, before, keep),
                     VEIL_OK);
        cr_assert(promise_holds(&e->ctx, b0, b1, before, keep));
        /* least: no pair with a smaller sum keeps the promise */
        for (unsigned x = 1; x + 1 < b0 + b1; x++)
            for (unsigned y = x; x + y < b0 + b1; y++)
                cr_assert(!promise_holds(&e->ctx, x, y, before, keep),
                          "%s: (%u, %u) beats (%u, %u)", what, x, y, b0, b1);
        cr_assert_eq(bfv_ms_compress(&ct, b0, b1), VEIL_OK);
        cr_assert_eq(bfv_decrypt_ms(&pt, &e->sk, &ct), VEIL_OK);
        want = decrypt_oracle(m, &ct, &e->sk);
        cr_assert_eq(memcmp(pt.coeffs, m, n * 8), 0, "%s: oracle", what);
        cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
        bt_assert_slots(got, v, n, what);
        cr_assert_eq(bfv_noise_budget_ms(&after, &e->sk, &ct), VEIL_OK);
        cr_assert_eq(after, want, "%s: budget %d, oracle %d", what, after,
                     want);
        cr_assert_geq(after, keep, "%s: %d < %d (%u, %u)", what, after, keep,
                      b0, b1);
        /* a compressed ciphertext is final */
        cr_assert_eq(bfv_ms_compress(&ct, b0, b1), VEIL_EINVAL);
    }
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&ct);
    free(v);
    free(got);
    free(m);
}

Test(ms_compress, decrypt_small, .timeout = 120)
{
    su_env_t s;
    su_init(&s, 4, "ms_compress.decrypt_small");
    decrypt_case(&s.e, 1, "n 1024, keep 1");
    decrypt_case(&s.e, 5, "n 1024, keep 5");
    su_clear(&s);
}

Test(ms_compress, decrypt_preset_8192, .timeout = 240)
{
    bt_env_t e;
    bt_env_preset(&e, 8192, 0, "ms_compress.decrypt_8192");
    decrypt_case(&e, 1, "n 8192");
    bt_env_clear(&e);
}

/* The exponents: limits and refusals. */
Test(ms_compress, bits_and_refusals)
{
    su_env_t s;
    bfv_ms_ciphertext_t ct, two;
    bfv_ciphertext_t sq;
    unsigned b0, b1;
    uint64_t *v = calloc(1024, 8);
    su_init(&s, 4, "ms_compress.bits_and_refusals");
    bt_env_t *e = &s.e;
    cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &e->ctx, 3, 3), VEIL_ENOISE);
    cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &e->ctx, 3, 0), VEIL_EINVAL);
    cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &e->ctx, -1, 1), VEIL_EINVAL);
    cr_assert_eq(bfv_ms_compress_bits(NULL, &b1, &e->ctx, 9, 1), VEIL_EINVAL);
    /* more budget kept: never fewer bits */
    unsigned last = 0;
    for (int keep = 1; keep < 12; keep++) { /* t n / q_0 ~ 2^-14 */
        cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &e->ctx, 40, keep),
                     VEIL_OK);
        cr_assert_leq(b0, b1);
        cr_assert_leq(b1, BFV_MS_MAX_BITS);
        cr_assert_geq(b0 + b1, last);
        last = b0 + b1;
    }
    /* t 2^17 n 2^10: at most 56 bits for c_1 cannot keep 40 bits */
    cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &e->ctx, 60, 40), VEIL_ENOISE);

    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&two, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&sq, &e->ctx), VEIL_OK);
    bt_one_limb(e, &ct, v);
    cr_assert_eq(bfv_ms_compress(&ct, 0, 30), VEIL_EINVAL);
    cr_assert_eq(bfv_ms_compress(&ct, 31, 30), VEIL_EINVAL);
    cr_assert_eq(bfv_ms_compress(&ct, 20, BFV_MS_MAX_BITS + 1), VEIL_EINVAL);
    cr_assert_eq(bfv_ms_compress(&ct, 10, 20), VEIL_ENOISE); /* < t n */
    cr_assert_eq(bfv_ms_compress(NULL, 18, 30), VEIL_EINVAL);
    /* two limbs, size 3: refused */
    bt_encrypt(e, &sq, v);
    cr_assert_eq(bfv_mod_switch(&two, &sq, 2), VEIL_OK);
    cr_assert_eq(bfv_ms_compress(&two, 18, 30), VEIL_EINVAL);
    cr_assert_eq(bfv_square(&sq, &sq), VEIL_OK);
    cr_assert_eq(bfv_mod_switch(&two, &sq, 1), VEIL_OK);
    cr_assert_eq(bfv_ms_compress(&two, 18, 30), VEIL_EINVAL);
    /* the switch resets the form */
    cr_assert_eq(bfv_ms_compress(&ct, 18, 30), VEIL_OK);
    bt_encrypt(e, &sq, v);
    cr_assert_eq(bfv_mod_switch(&ct, &sq, 1), VEIL_OK);
    cr_assert_eq(ct.bits[0], 0);
    bfv_ciphertext_clear(&sq);
    bfv_ms_ciphertext_clear(&two);
    bfv_ms_ciphertext_clear(&ct);
    su_clear(&s);
    free(v);
}

/* --------------------------------------------------------- serialization */

static su_blob_t ser(const bfv_ms_ciphertext_t *ct)
{
    su_blob_t b;
    size_t len = 0;
    b.len = bfv_ms_ciphertext_serial_size(ct);
    cr_assert_gt(b.len, 0);
    b.b = malloc(b.len);
    cr_assert_eq(bfv_ms_ciphertext_serialize(b.b, b.len, &len, ct), VEIL_OK);
    cr_assert_eq(len, b.len);
    return b;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

Test(ms_compress, serial)
{
    su_env_t s;
    bfv_ms_ciphertext_t ct, back;
    bfv_plaintext_t pt;
    const size_t n = 1024, H = BFV_SERIAL_HEADER_BYTES;
    uint64_t *v = malloc(n * 8), *got = malloc(n * 8);
    su_init(&s, 4, "ms_compress.serial");
    bt_env_t *e = &s.e;
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&back, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    bt_random_slots(&e->rng, v, n, e->t);
    bt_one_limb(e, &ct, v);
    const size_t rns = bfv_ms_ciphertext_serial_size(&ct);
    cr_assert_eq(bfv_ms_compress(&ct, 19, 30), VEIL_OK);
    su_blob_t b = ser(&ct);
    /* header, size limbs b0 b1, n (19 + 30) / 8 bytes, checksum */
    cr_assert_eq(b.len, H + 16 + n * 49 / 8 + 16);
    cr_assert_lt(b.len, rns * 49 / 80 + 100, "%zu vs %zu", b.len, rns);
    cr_assert_eq(b.b[7], BFV_SERIAL_FLAG_POW2);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, b.b, b.len, NULL),
                 VEIL_OK);
    cr_assert_eq(back.bits[0], 19);
    cr_assert_eq(back.bits[1], 30);
    cr_assert_eq(back.limbs, 1);
    cr_assert_eq(memcmp(back.data, ct.data, 2 * n * 8), 0);
    cr_assert_eq(bfv_decrypt_ms(&pt, &e->sk, &back), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
    bt_assert_slots(got, v, n, "deserialized");

    uint8_t *m = malloc(b.len + 64);
    /* every truncation, trailing bytes, flipped bytes */
    for (size_t cut = 0; cut < b.len; cut += (cut < 128 ? 1 : 89))
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, b.b, cut, NULL),
                     VEIL_EFORMAT, "cut %zu", cut);
    memcpy(m, b.b, b.len);
    m[b.len] = 0;
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len + 1, NULL),
                 VEIL_EFORMAT);
    for (size_t i = 0; i < b.len; i += 37) {
        memcpy(m, b.b, b.len);
        m[i] ^= 0x04;
        cr_assert_neq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                      VEIL_OK, "byte %zu", i);
    }
    /* resealed semantic changes: size, limbs, exponents, flags */
    const struct {
        size_t at;
        uint32_t v;
    } bad[] = {{0, 3},  {0, 1},  {1, 2},           {1, 0},
               {2, 0},  {2, 31}, {3, 18},          {3, 57},
               {3, 64}, {2, 9},  {3, 0xffffffffu}, {2, 0xffffffffu}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memcpy(m, b.b, b.len);
        put_u32(m + H + 4 * bad[i].at, bad[i].v);
        su_reseal(m, b.len);
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                     VEIL_EFORMAT, "field %zu = %u", bad[i].at, bad[i].v);
    }
    /* other exponents with a body length to match: (10, 20) is refused
     * (its rounding alone spoils decryption), (20, 29) accepted */
    {
        const size_t nb = 16 + n * 30 / 8;
        memcpy(m, b.b, H + 16);
        put_u32(m + H + 8, 10);
        put_u32(m + H + 12, 20);
        su_set_body_len(m, nb);
        memset(m + H + 16, 0xa5, nb - 16);
        su_reseal(m, H + nb + 16);
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, H + nb + 16, NULL),
                     VEIL_EFORMAT);
        const size_t nb2 = 16 + n * 49 / 8;
        memcpy(m, b.b, H + 16);
        put_u32(m + H + 8, 20);
        put_u32(m + H + 12, 29);
        su_set_body_len(m, nb2);
        memset(m + H + 16, 0xff, nb2 - 16); /* every value 2^b - 1 */
        su_reseal(m, H + nb2 + 16);
        cr_assert_eq(
            bfv_ms_ciphertext_deserialize(&back, m, H + nb2 + 16, NULL),
            VEIL_OK);
        cr_assert_eq(back.bits[0], 20);
        cr_assert_eq(back.data[0], (UINT64_C(1) << 20) - 1);
        cr_assert_eq(back.data[n], (UINT64_C(1) << 29) - 1);
        /* the same body without the flag: an RNS body of the wrong length */
        m[7] = 0;
        su_reseal(m, H + nb2 + 16);
        cr_assert_eq(
            bfv_ms_ciphertext_deserialize(&back, m, H + nb2 + 16, NULL),
            VEIL_EFORMAT);
    }
    memcpy(m, b.b, b.len);
    m[7] = BFV_SERIAL_FLAG_POW2 | 4; /* an unknown flag */
    su_reseal(m, b.len);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                 VEIL_EFORMAT);
    free(m);
    su_blob_free(&b);
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&back);
    bfv_ms_ciphertext_clear(&ct);
    su_clear(&s);
    free(v);
    free(got);
}

/* ------------------------------------------------------------- the toy */

/* doc/03-bfv.md, section 8, "Compression to powers of two": the toy
 * ciphertext switched to q_0 = 16417 (n = 8, t = 17, budget 18 bits at Q)
 * compressed to (b0, b1) = (7, 9), every number of the text. */
Test(ms_compress, doc_toy)
{
    static const int64_t s[8] = {0, 1, -1, 0, 1, -1, -1, 1};
    static const int64_t c0[8] = {4612, 5548,  -1679, -1555,
                                  1320, -7550, -3438, 870};
    static const int64_t c1[8] = {-3963, 2537,  -5854, 2358,
                                  6544,  -3064, 5944,  1841};
    static const uint64_t w0[8] = {36, 43, 115, 116, 10, 69, 101, 7};
    static const uint64_t w1[8] = {388, 79, 329, 74, 204, 416, 185, 57};
    static const uint64_t m[8] = {13, 5, 0, 1, 0, 16, 14, 12};
    bfv_params_t prm;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_ms_ciphertext_t ct;
    bfv_plaintext_t pt;
    unsigned b0, b1;
    int b;
    memset(&prm, 0, sizeof(prm));
    prm.n = 8;
    prm.n_q = 2;
    prm.q[0] = 16417;
    prm.q[1] = 16433;
    prm.n_p = 1;
    prm.p[0] = 16481;
    prm.t = 17;
    prm.security = BFV_SEC_128;
    prm.allow_insecure = 1;
    cr_assert_eq(veil_init(), VEIL_OK);
    cr_assert_eq(bfv_context_init(&ctx, &prm), VEIL_OK);
    cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
    for (size_t i = 0; i < ctx.n_qp; i++) {
        const uint64_t q = ctx.plans[i].q;
        for (size_t k = 0; k < 8; k++) {
            sk.coeffs[k] = (int8_t)s[k];
            sk.ntt[i * 8 + k] = s[k] < 0 ? q - 1 : (uint64_t)s[k];
        }
        ntt_forward(&ctx.plans[i], sk.ntt + i * 8);
    }
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
    ct.size = 2;
    ct.limbs = 1;
    for (size_t k = 0; k < 8; k++) {
        ct.data[k] = (uint64_t)((c0[k] + 16417) % 16417);
        ct.data[8 + k] = (uint64_t)((c1[k] + 16417) % 16417);
    }
    ntt_forward(&ctx.plans[0], ct.data);
    ntt_forward(&ctx.plans[0], ct.data + 8);
    /* the one-limb ciphertext of the text: budget 8 bits, m */
    cr_assert_eq(bfv_noise_budget_ms(&b, &sk, &ct), VEIL_OK);
    cr_assert_eq(b, 8);
    cr_assert_eq(bfv_decrypt_ms(&pt, &sk, &ct), VEIL_OK);
    cr_assert_eq(memcmp(pt.coeffs, m, sizeof(m)), 0);
    /* the exponents for budget 18 at Q, keep 1 */
    cr_assert_eq(bfv_ms_compress_bits(&b0, &b1, &ctx, 18, 1), VEIL_OK);
    cr_assert_eq(b0, 7, "(%u, %u)", b0, b1);
    cr_assert_eq(b1, 9);
    cr_assert_eq(bfv_ms_compress(&ct, b0, b1), VEIL_OK);
    cr_assert_eq(memcmp(ct.data, w0, sizeof(w0)), 0);
    cr_assert_eq(memcmp(ct.data + 8, w1, sizeof(w1)), 0);
    cr_assert_eq(bfv_decrypt_ms(&pt, &sk, &ct), VEIL_OK);
    cr_assert_eq(memcmp(pt.coeffs, m, sizeof(m)), 0);
    cr_assert_eq(bfv_noise_budget_ms(&b, &sk, &ct), VEIL_OK);
    cr_assert_eq(b, 3);
    cr_assert_eq(bfv_ms_ciphertext_serial_size(&ct), 48 + 16 + 16 + 16);
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&ct);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
}
