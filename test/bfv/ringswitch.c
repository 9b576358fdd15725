/* Ring switching to the subring of dimension n/2 (bfv.h, "ring
 * switching"): the even-part identity and the switched phase against
 * fmpz_poly arithmetic mod q_0 (with the proven bound on the key switch's
 * error), decryption of the slots (a_j + a_partner(j), the partner checked
 * against X -> -X applied to the coefficients), a negative test (partners
 * that are not zero spoil the slot), the exponents of the compression
 * against an exact rational oracle and the budget they promise, the
 * subring's security check, and the key's serialized form. */
#include "helpers.h"
#include "test/common/seed.h"
#include "veil/bfv_serial.h"
#include <criterion/criterion.h>
#include <flint/fmpz.h>
#include <flint/fmpz_poly.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

/* A test set (n 1024, q_0 40 bits, P 50 bits, t = 12289 = 1 mod 2048),
 * its subring context, a subring secret and the key. */
typedef struct {
    bt_env_t e;
    bfv_params_t sp;
    bfv_context_t sub;
    bfv_secret_key_t ssk;
    bfv_ringsw_key_t k;
} rs_env_t;

static void rs_init_params(rs_env_t *r, const bfv_params_t *p, const char *n)
{
    bt_env_init(&r->e, p, 0, n);
    cr_assert_eq(bfv_ringsw_params(&r->sp, &r->e.params), VEIL_OK);
    cr_assert_eq(bfv_context_init(&r->sub, &r->sp), VEIL_OK);
    cr_assert_eq(bfv_secret_key_init(&r->ssk, &r->sub), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&r->ssk, &r->e.rng), VEIL_OK);
    cr_assert_eq(bfv_ringsw_key_init(&r->k, &r->e.ctx, &r->sub), VEIL_OK);
    cr_assert_eq(bfv_keygen_ringsw(&r->k, &r->e.sk, &r->ssk, &r->e.rng),
                 VEIL_OK);
}

static void rs_init(rs_env_t *r, const char *name)
{
    const unsigned qb[3] = {40, 40, 40};
    bfv_params_t p;
    bt_params_small(&p, 1024, qb, 3, 50, 12289);
    rs_init_params(r, &p, name);
}

static void rs_clear(rs_env_t *r)
{
    bfv_ringsw_key_clear(&r->k);
    bfv_secret_key_clear(&r->ssk);
    bfv_context_clear(&r->sub);
    bt_env_clear(&r->e);
}

/* Oracle: the phase c_0 + c_1 s mod (X^n + 1, q) of a one-limb RNS-form
 * ciphertext, centred, with fmpz_poly. */
static void phase_oracle(fmpz *ph, const bfv_ms_ciphertext_t *ct,
                         const int8_t *s)
{
    const size_t n = ct->ctx->n;
    const uint64_t q = ct->ctx->params.q[0];
    uint64_t *c = malloc(2 * n * sizeof(uint64_t));
    fmpz_poly_t a, b, r;
    fmpz_t x, y;
    fmpz_poly_init(a);
    fmpz_poly_init(b);
    fmpz_poly_init(r);
    fmpz_init(x);
    fmpz_init(y);
    memcpy(c, ct->data, 2 * n * sizeof(uint64_t));
    ntt_inverse(&ct->ctx->plans[0], c);
    ntt_inverse(&ct->ctx->plans[0], c + n);
    for (size_t j = 0; j < n; j++) {
        fmpz_poly_set_coeff_ui(a, j, c[n + j]);
        fmpz_poly_set_coeff_si(b, j, s[j]);
    }
    fmpz_poly_mul(r, a, b);
    for (size_t j = 0; j < n; j++) {
        fmpz_poly_get_coeff_fmpz(x, r, j);
        fmpz_poly_get_coeff_fmpz(y, r, j + n);
        fmpz_sub(x, x, y);
        fmpz_add_ui(x, x, c[j]);
        fmpz_set_ui(y, q);
        fmpz_mod(x, x, y);
        if (fmpz_cmp_ui(x, q / 2) > 0)
            fmpz_sub_ui(x, x, q);
        fmpz_set(ph + j, x);
    }
    fmpz_clear(x);
    fmpz_clear(y);
    fmpz_poly_clear(a);
    fmpz_poly_clear(b);
    fmpz_poly_clear(r);
    free(c);
}

/* The even-part identity on its own: (c s'(X^2))_e = c_e s' mod q, for a
 * random c of R and a random ternary s' of R' (fmpz_poly both sides). */
Test(ringsw, even_part_identity)
{
    const size_t n = 256;
    const uint64_t q = 1099511480321ull;
    veil_rng_t rng;
    uint64_t *c = malloc(n * sizeof(uint64_t));
    int8_t *s = malloc(n / 2);
    fmpz_poly_t cc, ss, r, ce, rp;
    fmpz_t x, y, z;
    vt_rng(&rng, "ringsw.even_part_identity");
    veil_rng_uniform_mod(&rng, c, n, q);
    veil_rng_ternary(&rng, s, n / 2);
    fmpz_poly_init(cc);
    fmpz_poly_init(ss);
    fmpz_poly_init(r);
    fmpz_poly_init(ce);
    fmpz_poly_init(rp);
    fmpz_init(x);
    fmpz_init(y);
    fmpz_init(z);
    for (size_t j = 0; j < n; j++)
        fmpz_poly_set_coeff_ui(cc, j, c[j]);
    for (size_t j = 0; j < n / 2; j++) {
        fmpz_poly_set_coeff_si(ss, 2 * j, s[j]); /* s'(X^2) */
        fmpz_poly_set_coeff_ui(ce, j, c[2 * j]);
    }
    fmpz_poly_mul(r, cc, ss);
    fmpz_poly_zero(ss);
    for (size_t j = 0; j < n / 2; j++)
        fmpz_poly_set_coeff_si(ss, j, s[j]);
    fmpz_poly_mul(rp, ce, ss);
    fmpz_set_ui(z, q);
    for (size_t j = 0; j < n / 2; j++) {
        fmpz_poly_get_coeff_fmpz(x, r, 2 * j);
        fmpz_poly_get_coeff_fmpz(y, r, 2 * j + n);
        fmpz_sub(x, x, y); /* X^n = -1 */
        fmpz_mod(x, x, z);
        fmpz_poly_get_coeff_fmpz(y, rp, j);
        fmpz_poly_get_coeff_fmpz(z, rp, j + n / 2);
        fmpz_sub(y, y, z); /* Y^(n/2) = -1 */
        fmpz_set_ui(z, q);
        fmpz_mod(y, y, z);
        cr_assert(fmpz_equal(x, y), "coefficient %zu", j);
    }
    fmpz_clear(x);
    fmpz_clear(y);
    fmpz_clear(z);
    fmpz_poly_clear(cc);
    fmpz_poly_clear(ss);
    fmpz_poly_clear(r);
    fmpz_poly_clear(ce);
    fmpz_poly_clear(rp);
    free(c);
    free(s);
    veil_rng_clear(&rng);
}

/* The switched phase is the even part of the phase less E, with
 * 2 P |E| <= 21 n (q_0 - 1) + P (1 + n/2) (bfv/ringswitch.c). */
Test(ringsw, phase_against_fmpz)
{
    rs_env_t r;
    bfv_ms_ciphertext_t ct, out;
    rs_init(&r, "ringsw.phase_against_fmpz");
    const size_t n = r.e.n, h = n / 2;
    const uint64_t q = r.e.ctx.params.q[0], P = r.e.ctx.params.p[0];
    uint64_t *v = malloc(n * sizeof(uint64_t));
    fmpz *ph = _fmpz_vec_init((slong)n), *ph2 = _fmpz_vec_init((slong)h);
    fmpz_t d, lim, qq;
    fmpz_init(d);
    fmpz_init(lim);
    fmpz_init_set_ui(qq, q);
    /* 21 n (q_0 - 1) + P (1 + n/2) */
    fmpz_set_ui(lim, 21 * n);
    fmpz_mul_ui(lim, lim, q - 1);
    fmpz_set_ui(d, P);
    fmpz_mul_ui(d, d, 1 + h);
    fmpz_add(lim, lim, d);
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &r.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &r.sub), VEIL_OK);
    for (unsigned it = 0; it < vt_iters(3); it++) {
        bt_random_slots(&r.e.rng, v, n, r.e.t);
        bt_one_limb(&r.e, &ct, v);
        if (it == 1) /* any residues: the bound holds for every c_1 */
            veil_rng_uniform_mod(&r.e.rng, ct.data + n, n, q);
        cr_assert_eq(bfv_ring_switch(&out, &ct, &r.k), VEIL_OK);
        cr_assert_eq(out.size, 2);
        cr_assert_eq(out.limbs, 1);
        phase_oracle(ph, &ct, r.e.sk.coeffs);
        phase_oracle(ph2, &out, r.ssk.coeffs);
        for (size_t j = 0; j < h; j++) {
            fmpz_sub(d, ph2 + j, ph + 2 * j);
            fmpz_mod(d, d, qq);
            if (fmpz_cmp_ui(d, q / 2) > 0)
                fmpz_sub_ui(d, d, q);
            fmpz_abs(d, d);
            fmpz_mul_ui(d, d, 2 * P);
            cr_assert(fmpz_cmp(d, lim) <= 0, "coefficient %zu", j);
        }
    }
    _fmpz_vec_clear(ph, (slong)n);
    _fmpz_vec_clear(ph2, (slong)h);
    fmpz_clear(d);
    fmpz_clear(lim);
    fmpz_clear(qq);
    bfv_ms_ciphertext_clear(&ct);
    bfv_ms_ciphertext_clear(&out);
    free(v);
    rs_clear(&r);
}

/* The partner slot against the encoder: negating the odd coefficients
 * (m(-X)) moves slot partner(j) to slot j. */
Test(ringsw, partner_is_x_to_minus_x)
{
    rs_env_t r;
    bfv_plaintext_t pt;
    rs_init(&r, "ringsw.partner_is_x_to_minus_x");
    const size_t n = r.e.n;
    const uint64_t t = r.e.t;
    uint64_t *v = malloc(n * 8), *w = malloc(n * 8);
    cr_assert_eq(bfv_plaintext_init(&pt, &r.e.ctx), VEIL_OK);
    bt_random_slots(&r.e.rng, v, n, t);
    cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
    for (size_t j = 1; j < n; j += 2)
        pt.coeffs[j] = pt.coeffs[j] == 0 ? 0 : t - pt.coeffs[j];
    cr_assert_eq(bfv_decode_batch(w, &pt), VEIL_OK);
    for (size_t j = 0; j < n; j++) {
        const int p = bfv_ringsw_partner_slot(&r.e.ctx, j);
        cr_assert(p >= 0 && (size_t)p != j);
        cr_assert_eq(bfv_ringsw_partner_slot(&r.e.ctx, (size_t)p), (int)j);
        cr_assert_eq(w[j], v[p], "slot %zu", j);
    }
    cr_assert_eq(bfv_ringsw_partner_slot(&r.e.ctx, n), -1);
    bfv_plaintext_clear(&pt);
    free(v);
    free(w);
    rs_clear(&r);
}

/* Decrypt in R', lift, decode in R: slot j = v_j + v_partner(j). */
static void decode_switched(rs_env_t *r, uint64_t *w,
                            const bfv_ms_ciphertext_t *out)
{
    bfv_plaintext_t ps, pb;
    cr_assert_eq(bfv_plaintext_init(&ps, &r->sub), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pb, &r->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_decrypt_ms(&ps, &r->ssk, out), VEIL_OK);
    cr_assert_eq(bfv_ringsw_lift(&pb, &ps), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(w, &pb), VEIL_OK);
    bfv_plaintext_clear(&ps);
    bfv_plaintext_clear(&pb);
}

Test(ringsw, decrypt_slots)
{
    rs_env_t r;
    bfv_ms_ciphertext_t ct, out;
    rs_init(&r, "ringsw.decrypt_slots");
    const size_t n = r.e.n;
    const uint64_t t = r.e.t;
    uint64_t *v = malloc(n * 8), *w = malloc(n * 8);
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &r.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &r.sub), VEIL_OK);
    for (int zero = 0; zero < 2; zero++) {
        bt_random_slots(&r.e.rng, v, n, t);
        if (zero) /* the partners of columns < n/4 hold 0 */
            for (size_t j = 0; j < n; j++)
                if (j % (n / 2) >= n / 4)
                    v[j] = 0;
        bt_one_limb(&r.e, &ct, v);
        cr_assert_eq(bfv_ring_switch(&out, &ct, &r.k), VEIL_OK);
        decode_switched(&r, w, &out);
        for (size_t j = 0; j < n; j++) {
            const size_t p = (size_t)bfv_ringsw_partner_slot(&r.e.ctx, j);
            cr_assert_eq(w[j], (v[j] + v[p]) % t, "slot %zu", j);
            if (zero && j % (n / 2) < n / 4)
                cr_assert_eq(w[j], v[j]);
        }
        /* the budget in R' is that of a ciphertext that decrypts */
        int b;
        cr_assert_eq(bfv_noise_budget_ms(&b, &r.ssk, &out), VEIL_OK);
        cr_assert_gt(b, 0);
    }
    bfv_ms_ciphertext_clear(&ct);
    bfv_ms_ciphertext_clear(&out);
    free(v);
    free(w);
    rs_clear(&r);
}

/* Negative: ignoring the partner condition spoils the wanted slots (so a
 * caller must check it, as lola's answers do). */
Test(ringsw, nonzero_partner_spoils)
{
    rs_env_t r;
    bfv_ms_ciphertext_t ct, out;
    rs_init(&r, "ringsw.nonzero_partner_spoils");
    const size_t n = r.e.n;
    uint64_t *v = malloc(n * 8), *w = malloc(n * 8);
    size_t wrong = 0;
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &r.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &r.sub), VEIL_OK);
    bt_random_slots(&r.e.rng, v, n, r.e.t); /* partners random too */
    for (size_t j = 0; j < n; j++)
        v[j] |= (j % (n / 2) >= n / 4); /* and never 0 */
    bt_one_limb(&r.e, &ct, v);
    cr_assert_eq(bfv_ring_switch(&out, &ct, &r.k), VEIL_OK);
    decode_switched(&r, w, &out);
    for (size_t j = 0; j < n; j++)
        if (j % (n / 2) < n / 4)
            wrong += w[j] != v[j];
    cr_assert_eq(wrong, n / 2, "every wanted slot is off by its partner");
    bfv_ms_ciphertext_clear(&ct);
    bfv_ms_ciphertext_clear(&out);
    free(v);
    free(w);
    rs_clear(&r);
}

/* The promise of bfv_ringsw_compress_bits as an exact rational test. */
static int promise_holds(const bfv_context_t *sub, unsigned b0, unsigned b1,
                         int budget, int keep)
{
    const uint64_t q = sub->params.q[0], P = sub->params.p[0];
    const uint64_t t = sub->params.t, h = sub->n, n = 2 * h;
    mpq_t l, x;
    mpz_t z;
    int ok;
    mpq_inits(l, x, NULL);
    mpz_init(z);
    mpq_set_ui(l, 1, 1);
    mpq_div_2exp(l, l, (mp_bitcnt_t)budget + 1);
    mpq_set_ui(x, t * (1 + n), 2 * q);
    mpq_canonicalize(x);
    mpq_add(l, l, x);
    /* t E / q, E = (21 n (q - 1) + P (1 + h)) / (2 P) */
    mpz_set_ui(z, 21 * n);
    mpz_mul_ui(z, z, q - 1);
    mpq_set_z(x, z);
    mpz_set_ui(z, P);
    mpz_mul_ui(z, z, 1 + h);
    {
        mpq_t y;
        mpq_init(y);
        mpq_set_z(y, z);
        mpq_add(x, x, y);
        mpz_set_ui(z, 2 * P);
        mpz_mul_ui(z, z, q);
        mpq_set_z(y, z);
        mpq_div(x, x, y);
        mpq_set_ui(y, t, 1);
        mpq_mul(x, x, y);
        mpq_clear(y);
    }
    mpq_add(l, l, x);
    mpq_set_ui(x, t, 2);
    mpq_div_2exp(x, x, b0);
    mpq_add(l, l, x);
    mpq_set_ui(x, t * h, 2);
    mpq_div_2exp(x, x, b1);
    mpq_add(l, l, x);
    mpq_set_ui(x, 1, 1);
    mpq_div_2exp(x, x, (mp_bitcnt_t)keep + 1);
    ok = mpq_cmp(l, x) <= 0;
    /* and the exact product c'_1 s' fits q_0 P */
    mpz_set_ui(z, q);
    mpz_mul_ui(z, z, P);
    {
        mpz_t m;
        mpz_init_set_ui(m, n);
        mpz_mul_2exp(m, m, b1);
        ok = ok && mpz_cmp(z, m) > 0;
        mpz_clear(m);
    }
    mpq_clears(l, x, NULL);
    mpz_clear(z);
    return ok;
}

/* Flooded as an answer, switched to q_0, ring-switched and compressed
 * with the exponents bfv_ringsw_compress_bits picks from the measured
 * budget: the least pair the promise allows, decryption exact, the budget
 * left at least keep bits. */
Test(ringsw, compress_keeps_budget)
{
    rs_env_t r;
    bfv_ciphertext_t c;
    bfv_ms_ciphertext_t ct, out;
    rs_init(&r, "ringsw.compress_keeps_budget");
    const size_t n = r.e.n;
    const uint64_t t = r.e.t;
    uint64_t *v = malloc(n * 8), *w = malloc(n * 8);
    cr_assert_eq(bfv_ciphertext_init(&c, &r.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &r.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &r.sub), VEIL_OK);
    for (int keep = 1; keep <= 4; keep += 3) {
        unsigned flood, b0, b1;
        int budget, after, measured, left;
        bt_random_slots(&r.e.rng, v, n, t);
        for (size_t j = 0; j < n; j++)
            if (j % (n / 2) >= n / 4)
                v[j] = 0;
        bt_encrypt(&r.e, &c, v);
        budget = bt_budget(&r.e, &c);
        cr_assert_eq(bfv_flood_bits(&flood, &after, &r.e.ctx, budget, 20),
                     VEIL_OK);
        cr_assert_eq(bfv_rerandomize(&c, &r.e.pk, flood, &r.e.rng), VEIL_OK);
        measured = bt_budget(&r.e, &c);
        cr_assert_geq(measured, after);
        cr_assert_eq(bfv_ringsw_compress_bits(&b0, &b1, &r.sub, measured, keep),
                     VEIL_OK);
        cr_assert(promise_holds(&r.sub, b0, b1, measured, keep));
        for (unsigned x = 1; x <= BFV_MS_MAX_BITS; x++)
            for (unsigned y = x; y <= BFV_MS_MAX_BITS && x + y <= b0 + b1; y++)
                if (x + y < b0 + b1 || y < b1)
                    cr_assert(!promise_holds(&r.sub, x, y, measured, keep),
                              "%u %u beats %u %u", x, y, b0, b1);
        cr_assert_eq(bfv_mod_switch(&ct, &c, 1), VEIL_OK);
        cr_assert_eq(bfv_ring_switch(&out, &ct, &r.k), VEIL_OK);
        cr_assert_eq(bfv_ms_compress(&out, b0, b1), VEIL_OK);
        cr_assert_eq(bfv_noise_budget_ms(&left, &r.ssk, &out), VEIL_OK);
        cr_assert_geq(left, keep, "left %d keep %d", left, keep);
        decode_switched(&r, w, &out);
        for (size_t j = 0; j < n; j++)
            if (j % (n / 2) < n / 4)
                cr_assert_eq(w[j], v[j], "slot %zu", j);
        /* the wire form of the answer: n/2 (b0 + b1) / 8 bytes of body */
        size_t len = bfv_ms_ciphertext_serial_size(&out);
        cr_assert_eq(len, BFV_SERIAL_HEADER_BYTES + 16 + n / 2 / 8 * (b0 + b1) +
                              BFV_SERIAL_CHECKSUM_BYTES);
    }
    cr_assert_eq(
        bfv_ringsw_compress_bits(&(unsigned){0}, &(unsigned){0}, &r.sub, 1, 1),
        VEIL_ENOISE);
    cr_assert_eq(bfv_ringsw_compress_bits(&(unsigned){0}, &(unsigned){0},
                                          &r.e.ctx, 40, 1),
                 VEIL_EINVAL); /* not a subring context */
    bfv_ciphertext_clear(&c);
    bfv_ms_ciphertext_clear(&ct);
    bfv_ms_ciphertext_clear(&out);
    free(v);
    free(w);
    rs_clear(&r);
}

/* The subring must pass the 128-bit table for n/2 (no test flag). */
Test(ringsw, subring_security)
{
    bfv_params_t p, s;
    cr_assert_eq(bfv_params_preset(&p, 16384), VEIL_OK);
    cr_assert_eq(bfv_ringsw_params(&s, &p), VEIL_OK);
    cr_assert_eq(s.n, 8192);
    cr_assert_eq(s.allow_insecure, 0);
    cr_assert_leq(bfv_params_log_qp(&s),
                  bfv_security_max_bits(8192, BFV_SEC_128));
    /* n = 4096: q_0 P (about 72 bits) exceeds the 54 of n = 2048 */
    cr_assert_eq(bfv_params_preset(&p, 4096), VEIL_OK);
    cr_assert_gt(bfv_params_log_qp(&(bfv_params_t){.n = 2048,
                                                   .n_q = 1,
                                                   .q = {p.q[0]},
                                                   .n_p = 1,
                                                   .p = {p.p[0]},
                                                   .t = p.t,
                                                   .security = BFV_SEC_128}),
                 bfv_security_max_bits(2048, BFV_SEC_128));
    cr_assert_eq(bfv_ringsw_params(&s, &p), VEIL_EPARAM);
}

Test(ringsw, key_serial)
{
    rs_env_t r;
    bfv_ringsw_key_t k2;
    bfv_ms_ciphertext_t ct, o1, o2;
    rs_init(&r, "ringsw.key_serial");
    const size_t n = r.e.n;
    uint64_t *v = malloc(n * 8);
    size_t size = bfv_ringsw_key_serial_size(&r.k), len, used;
    uint8_t *buf = malloc(size), *bad = malloc(size);
    bfv_serial_type_t type;
    uint64_t total;
    cr_assert_gt(size, 0);
    /* 48 + 4 + 32 + n (40 + 50) / 8 + 16 */
    cr_assert_eq(size, BFV_SERIAL_HEADER_BYTES + 36 + n / 8 * (40 + 50) +
                           BFV_SERIAL_CHECKSUM_BYTES);
    cr_assert_eq(bfv_ringsw_key_serialize(buf, size - 1, &len, &r.k),
                 VEIL_ERANGE);
    cr_assert_eq(bfv_ringsw_key_serialize(buf, size, &len, &r.k), VEIL_OK);
    cr_assert_eq(len, size);
    cr_assert_eq(bfv_serial_peek(&type, &total, buf, len), VEIL_OK);
    cr_assert_eq(type, BFV_SERIAL_RINGSW_KEY);
    cr_assert_eq(total, size);
    cr_assert_eq(bfv_ringsw_key_init(&k2, &r.e.ctx, &r.sub), VEIL_OK);
    cr_assert_eq(bfv_ringsw_key_deserialize(&k2, buf, len, &used), VEIL_OK);
    cr_assert_eq(used, len);
    cr_assert_eq(memcmp(k2.data, r.k.data, 4 * n * sizeof(uint64_t)), 0);
    /* the same switch with either copy */
    cr_assert_eq(bfv_ms_ciphertext_init(&ct, &r.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&o1, &r.sub), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&o2, &r.sub), VEIL_OK);
    bt_random_slots(&r.e.rng, v, n, r.e.t);
    bt_one_limb(&r.e, &ct, v);
    cr_assert_eq(bfv_ring_switch(&o1, &ct, &r.k), VEIL_OK);
    cr_assert_eq(bfv_ring_switch(&o2, &ct, &k2), VEIL_OK);
    cr_assert_eq(memcmp(o1.data, o2.data, n * sizeof(uint64_t)), 0);
    /* hostile: every truncation, a flag, a byte of the body, a residue
     * out of range (checksum recomputed is not needed: any change fails) */
    for (size_t cut = 0; cut < len; cut += 1 + cut / 3)
        cr_assert_eq(bfv_ringsw_key_deserialize(&k2, buf, cut, &used),
                     VEIL_EFORMAT, "cut %zu", cut);
    memcpy(bad, buf, len);
    bad[7] = 1; /* flags */
    cr_assert_eq(bfv_ringsw_key_deserialize(&k2, bad, len, &used),
                 VEIL_EFORMAT);
    memcpy(bad, buf, len);
    bad[BFV_SERIAL_HEADER_BYTES] ^= 1; /* n/2 */
    cr_assert_eq(bfv_ringsw_key_deserialize(&k2, bad, len, &used),
                 VEIL_EFORMAT);
    memcpy(bad, buf, len);
    bad[BFV_SERIAL_HEADER_BYTES + 40] ^= 0x80;
    cr_assert_eq(bfv_ringsw_key_deserialize(&k2, bad, len, &used),
                 VEIL_EFORMAT);
    /* a key for another context (another t: another hash) */
    {
        bfv_params_t p2 = r.e.params;
        bfv_context_t c2;
        bfv_ringsw_key_t k3;
        p2.t = 40961; /* = 1 mod 2048 */
        cr_assert_eq(bfv_context_init(&c2, &p2), VEIL_OK);
        cr_assert_eq(bfv_ringsw_key_init(&k3, &c2, &r.sub), VEIL_OK);
        cr_assert_eq(bfv_ringsw_key_deserialize(&k3, buf, len, &used),
                     VEIL_EFORMAT);
        bfv_ringsw_key_clear(&k3);
        bfv_context_clear(&c2);
    }
    /* a key object for a context that is not its subring's */
    cr_assert_eq(
        bfv_ringsw_key_init(&(bfv_ringsw_key_t){0}, &r.e.ctx, &r.e.ctx),
        VEIL_EINVAL);
    bfv_ringsw_key_clear(&k2);
    bfv_ms_ciphertext_clear(&ct);
    bfv_ms_ciphertext_clear(&o1);
    bfv_ms_ciphertext_clear(&o2);
    free(v);
    free(buf);
    free(bad);
    rs_clear(&r);
}
