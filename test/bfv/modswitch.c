/* Modulus switching (bfv.h, "modulus switching"): the switched residues
 * against an exact FLINT oracle (compose with fmpz_CRT, round(Q_l / Q * c)
 * in fmpz, reduce), decryption and the noise budget at the reduced modulus,
 * the limb count a budget needs, the refusals, thread independence and the
 * serialized form (round trip and hostile inputs). */
#include "helpers.h"
#include "serial_util.h"
#include "test/common/seed.h"
#include "veil/bfv_serial.h"
#include <criterion/criterion.h>
#include <flint/fmpz.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- the oracle */

/* Uniform ciphertext of the given size (any residues: the switch is
 * defined on every ciphertext, not only on encryptions); initialises *ct. */
static void random_ct(bt_env_t *e, bfv_ciphertext_t *ct, size_t size)
{
    /* bfv_mul of two encryptions gives size 3; here the rows are simply
     * overwritten with uniform residues */
    cr_assert_eq(bfv_ciphertext_init(ct, &e->ctx), VEIL_OK);
    if (size == 3) {
        bfv_ciphertext_t a;
        uint64_t *v = calloc(e->n, sizeof(uint64_t));
        cr_assert_eq(bfv_ciphertext_init(&a, &e->ctx), VEIL_OK);
        bt_encrypt(e, &a, v);
        cr_assert_eq(bfv_mul(ct, &a, &a), VEIL_OK);
        bfv_ciphertext_clear(&a);
        free(v);
    }
    cr_assert_eq(ct->size, size);
    for (size_t k = 0; k < size; k++)
        for (size_t i = 0; i < e->ctx.n_q; i++)
            veil_rng_uniform_mod(&e->rng, bfv_ct_row(ct, k, i), e->n,
                                 e->ctx.params.q[i]);
}

/* want[(k * l + i) * n + col] = round(Q_l / Q * c_k[col]) mod q_i in
 * coefficient form, c_k composed from its residues with fmpz_CRT. */
static void oracle(uint64_t *want, const bfv_ciphertext_t *ct, size_t l)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    uint64_t *coef = malloc(L * n * sizeof(uint64_t));
    fmpz_t c, r, m, Q, Ql, num, den, tmp;

    fmpz_init(c);
    fmpz_init(r);
    fmpz_init(m);
    fmpz_init(num);
    fmpz_init(den);
    fmpz_init(tmp);
    fmpz_init_set_ui(Q, 1);
    fmpz_init_set_ui(Ql, 1);
    for (size_t i = 0; i < L; i++) {
        fmpz_mul_ui(Q, Q, ctx->params.q[i]);
        if (i < l)
            fmpz_mul_ui(Ql, Ql, ctx->params.q[i]);
    }
    for (size_t k = 0; k < ct->size; k++) {
        for (size_t i = 0; i < L; i++) {
            memcpy(coef + i * n, bfv_ct_row(ct, k, i), n * sizeof(uint64_t));
            ntt_inverse(&ctx->plans[i], coef + i * n);
        }
        for (size_t col = 0; col < n; col++) {
            fmpz_set_ui(c, coef[col]);
            fmpz_set_ui(m, ctx->params.q[0]);
            for (size_t i = 1; i < L; i++) {
                fmpz_set_ui(r, coef[i * n + col]);
                fmpz_set_ui(tmp, ctx->params.q[i]);
                fmpz_CRT(c, c, m, r, tmp, 0); /* c in [0, m q_i) */
                fmpz_mul_ui(m, m, ctx->params.q[i]);
            }
            cr_assert(fmpz_equal(m, Q));
            /* round(c Ql / Q) = floor((2 c Ql + Q) / (2 Q)) */
            fmpz_mul(num, c, Ql);
            fmpz_mul_2exp(num, num, 1);
            fmpz_add(num, num, Q);
            fmpz_mul_2exp(den, Q, 1);
            fmpz_fdiv_q(num, num, den);
            for (size_t i = 0; i < l; i++)
                want[(k * l + i) * n + col] =
                    fmpz_fdiv_ui(num, ctx->params.q[i]);
        }
    }
    fmpz_clear(c);
    fmpz_clear(r);
    fmpz_clear(m);
    fmpz_clear(num);
    fmpz_clear(den);
    fmpz_clear(tmp);
    fmpz_clear(Q);
    fmpz_clear(Ql);
    free(coef);
}

/* Compare the switched ciphertext (taken to coefficient form) with the
 * oracle, limb by limb. */
static void assert_matches(const bfv_ms_ciphertext_t *out,
                           const bfv_ciphertext_t *ct, size_t l)
{
    const size_t n = ct->ctx->n;
    uint64_t *want = malloc(ct->size * l * n * sizeof(uint64_t));
    uint64_t *row = malloc(n * sizeof(uint64_t));
    cr_assert_eq(out->size, ct->size);
    cr_assert_eq(out->limbs, l);
    oracle(want, ct, l);
    for (size_t k = 0; k < ct->size; k++)
        for (size_t i = 0; i < l; i++) {
            memcpy(row, bfv_ms_ct_row(out, k, i), n * sizeof(uint64_t));
            ntt_inverse(&ct->ctx->plans[i], row);
            for (size_t col = 0; col < n; col++)
                cr_assert_eq(row[col], want[(k * l + i) * n + col],
                             "poly %zu limb %zu/%zu coefficient %zu", k, i, l,
                             col);
        }
    free(want);
    free(row);
}

/* 1 if Q_l >= 2 t R (R = 1 + n, or 1 + n + n^2 at size 3): fmpz. */
static int oracle_allowed(const bfv_context_t *ctx, size_t size, size_t l)
{
    fmpz_t ql, need;
    int ok;
    fmpz_init_set_ui(ql, 1);
    for (size_t i = 0; i < l; i++)
        fmpz_mul_ui(ql, ql, ctx->params.q[i]);
    fmpz_init_set_ui(need, 1 + ctx->n);
    if (size == 3) {
        fmpz_set_ui(need, ctx->n);
        fmpz_mul_ui(need, need, ctx->n);
        fmpz_add_ui(need, need, 1 + ctx->n);
    }
    fmpz_mul_ui(need, need, 2 * ctx->params.t);
    ok = fmpz_cmp(ql, need) >= 0;
    fmpz_clear(ql);
    fmpz_clear(need);
    return ok;
}

/* Mixed prime sizes (a 20-bit first prime makes l = 1 refused at n =
 * 1024), every l, sizes 2 and 3. */
static void exact_case(const unsigned *bits, size_t n_q, const char *name)
{
    bt_env_t e;
    bfv_params_t p;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t out;
    bt_params_small(&p, 1024, bits, n_q, 50, 65537);
    bt_env_init(&e, &p, 0, name);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e.ctx), VEIL_OK);
    for (size_t size = 2; size <= 3; size++) {
        for (unsigned it = 0; it < vt_iters(2); it++) {
            random_ct(&e, &ct, size);
            for (size_t l = 1; l <= n_q; l++) {
                veil_status st = bfv_mod_switch(&out, &ct, l);
                if (!oracle_allowed(&e.ctx, size, l)) {
                    cr_assert_eq(st, VEIL_ENOISE, "size %zu l %zu", size, l);
                    continue;
                }
                cr_assert_eq(st, VEIL_OK, "size %zu l %zu", size, l);
                assert_matches(&out, &ct, l);
            }
            bfv_ciphertext_clear(&ct);
        }
    }
    bfv_ms_ciphertext_clear(&out);
    bt_env_clear(&e);
}

Test(modswitch, exact_against_flint_equal_primes)
{
    const unsigned b[4] = {40, 40, 40, 40};
    exact_case(b, 4, "modswitch.exact_equal");
}

Test(modswitch, exact_against_flint_mixed_primes)
{
    const unsigned b[6] = {20, 45, 30, 49, 15, 36};
    exact_case(b, 6, "modswitch.exact_mixed");
}

/* Coefficients on the rounding boundary: c = j D + h and j D + h + 1 with
 * h = (D - 1) / 2 (round down / up), and c = 0, Q - 1. */
Test(modswitch, rounding_boundaries)
{
    const unsigned b[4] = {45, 40, 35, 30};
    bt_env_t e;
    bfv_params_t p;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t out;
    fmpz_t D, h, x, Q;
    bt_params_small(&p, 1024, b, 4, 50, 65537);
    bt_env_init(&e, &p, 0, "modswitch.boundaries");
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e.ctx), VEIL_OK);
    fmpz_init(D);
    fmpz_init(h);
    fmpz_init(x);
    fmpz_init_set_ui(Q, 1);
    for (size_t i = 0; i < 4; i++)
        fmpz_mul_ui(Q, Q, e.ctx.params.q[i]);
    for (size_t l = 1; l < 4; l++) {
        fmpz_one(D);
        for (size_t i = l; i < 4; i++)
            fmpz_mul_ui(D, D, e.ctx.params.q[i]);
        fmpz_sub_ui(h, D, 1);
        fmpz_fdiv_q_2exp(h, h, 1);
        for (size_t k = 0; k < 2; k++) {
            for (size_t col = 0; col < e.n; col++) {
                uint64_t j = veil_rng_u64(&e.rng) >> 40;
                fmpz_mul_ui(x, D, j);
                fmpz_add(x, x, h);
                if (col % 4 == 1)
                    fmpz_add_ui(x, x, 1);
                if (col % 4 == 2)
                    fmpz_zero(x);
                if (col % 4 == 3)
                    fmpz_sub_ui(x, Q, 1);
                fmpz_mod(x, x, Q);
                for (size_t i = 0; i < 4; i++)
                    bfv_ct_row(&ct, k, i)[col] =
                        fmpz_fdiv_ui(x, e.ctx.params.q[i]);
            }
            for (size_t i = 0; i < 4; i++)
                ntt_forward(&e.ctx.plans[i], bfv_ct_row(&ct, k, i));
        }
        cr_assert_eq(bfv_mod_switch(&out, &ct, l), VEIL_OK);
        assert_matches(&out, &ct, l);
    }
    fmpz_clear(D);
    fmpz_clear(h);
    fmpz_clear(x);
    fmpz_clear(Q);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
}

/* ------------------------------------------------ decryption and noise */

/* m(v) after a chain of plaintext products (to spend some budget): each
 * level, for every l the switch allows, the switched ciphertext decrypts
 * to the expected slots whenever l >= bfv_mod_switch_limbs(budget, 1), and
 * its measured budget is at least every keep the limb count promises. */
static void decrypt_chain(size_t n, const char *name)
{
    bt_env_t e;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t out;
    bfv_plaintext_t pt, w;
    bfv_plaintext_ntt_t wn;
    uint64_t *v = malloc(n * 8), *wv = malloc(n * 8), *got = malloc(n * 8);
    bt_env_preset(&e, n, 0, name);
    const size_t L = e.ctx.n_q;
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&w, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_ntt_init(&wn, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &ct, v);
    for (int level = 0; level < 4; level++) {
        int b = bt_budget(&e, &ct);
        if (b == 0)
            break;
        for (size_t l = 1; l <= L; l++) {
            size_t need = 0;
            veil_status st = bfv_mod_switch(&out, &ct, l);
            if (!oracle_allowed(&e.ctx, 2, l)) {
                cr_assert_eq(st, VEIL_ENOISE);
                continue;
            }
            cr_assert_eq(st, VEIL_OK);
            int b2;
            cr_assert_eq(bfv_noise_budget_ms(&b2, &e.sk, &out), VEIL_OK);
            /* the relative noise is kept: never more budget than before
             * (plus the one bit the floor in the definition can gain) */
            cr_assert_leq(b2, b + 1, "l %zu: %d after, %d before", l, b2, b);
            st = bfv_mod_switch_limbs(&need, &e.ctx, 2, b, 1);
            if (st == VEIL_OK && l >= need) {
                cr_assert_geq(b2, 1, "l %zu need %zu budget %d", l, need, b);
                cr_assert_eq(bfv_decrypt_ms(&pt, &e.sk, &out), VEIL_OK);
                cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
                bt_assert_slots(got, v, n, "switched");
            }
            for (int keep = 1; keep < b; keep++) {
                cr_assert_eq(bfv_mod_switch_limbs(&need, &e.ctx, 2, b, keep),
                             need ? VEIL_OK : VEIL_ENOISE);
                if (need != 0 && need == l)
                    cr_assert_geq(b2, keep, "l %zu keep %d budget %d", l, keep,
                                  b);
            }
        }
        /* spend budget: multiply by a random plaintext */
        bt_random_slots(&e.rng, wv, n, e.t);
        cr_assert_eq(bfv_encode_batch(&w, wv, n), VEIL_OK);
        cr_assert_eq(bfv_plaintext_to_ntt(&wn, &w), VEIL_OK);
        cr_assert_eq(bfv_mul_plain(&ct, &ct, &wn), VEIL_OK);
        bt_mul(v, v, wv, n, e.t);
    }
    bfv_plaintext_ntt_clear(&wn);
    bfv_plaintext_clear(&w);
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
    free(v);
    free(wv);
    free(got);
}

Test(modswitch, decrypt_chain_4096)
{
    decrypt_chain(4096, "modswitch.decrypt_chain_4096");
}
Test(modswitch, decrypt_chain_8192)
{
    decrypt_chain(8192, "modswitch.decrypt_chain_8192");
}

/* Fresh encryptions (public-key and symmetric) switched to one limb
 * decrypt correctly at every preset; so does a size-3 product switched
 * to the fewest limbs the size-3 bound allows. */
static void fresh_one_limb(size_t n, const char *name)
{
    bt_env_t e;
    bfv_ciphertext_t ct, sq;
    bfv_ms_ciphertext_t out;
    bfv_plaintext_t pt;
    uint64_t *v = malloc(n * 8), *got = malloc(n * 8), *want = malloc(n * 8);
    size_t need;
    bt_env_preset(&e, n, 0, name);
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&sq, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    for (unsigned it = 0; it < vt_iters(2); it++) {
        int b, b2;
        bt_random_slots(&e.rng, v, n, e.t);
        bt_encrypt(&e, &ct, v);
        b = bt_budget(&e, &ct);
        cr_assert_eq(bfv_mod_switch_limbs(&need, &e.ctx, 2, b, 1), VEIL_OK);
        cr_assert_eq(need, 1, "fresh, budget %d: %zu limbs", b, need);
        cr_assert_eq(bfv_mod_switch(&out, &ct, 1), VEIL_OK);
        cr_assert_eq(bfv_decrypt_ms(&pt, &e.sk, &out), VEIL_OK);
        cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
        bt_assert_slots(got, v, n, "public-key, one limb");
        cr_assert_eq(bfv_noise_budget_ms(&b2, &e.sk, &out), VEIL_OK);
        cr_assert_geq(b2, 1);

        cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
        cr_assert_eq(bfv_encrypt_symmetric(&ct, &e.sk, &pt, &e.rng), VEIL_OK);
        cr_assert_eq(bfv_mod_switch(&out, &ct, 1), VEIL_OK);
        cr_assert_eq(bfv_decrypt_ms(&pt, &e.sk, &out), VEIL_OK);
        cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
        bt_assert_slots(got, v, n, "symmetric, one limb");

        /* size 3: v^2, not relinearized */
        cr_assert_eq(bfv_square(&sq, &ct), VEIL_OK);
        bt_mul(want, v, v, n, e.t);
        b = bt_budget(&e, &sq);
        if (bfv_mod_switch_limbs(&need, &e.ctx, 3, b, 1) == VEIL_OK) {
            cr_assert_eq(bfv_mod_switch(&out, &sq, need), VEIL_OK);
            cr_assert_eq(out.size, 3);
            cr_assert_eq(bfv_decrypt_ms(&pt, &e.sk, &out), VEIL_OK);
            cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
            bt_assert_slots(got, want, n, "size 3");
        }
    }
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&sq);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
    free(v);
    free(got);
    free(want);
}

Test(modswitch, fresh_to_one_limb_4096)
{
    fresh_one_limb(4096, "modswitch.fresh_4096");
}
Test(modswitch, fresh_to_one_limb_8192)
{
    fresh_one_limb(8192, "modswitch.fresh_8192");
}
Test(modswitch, fresh_to_one_limb_16384)
{
    fresh_one_limb(16384, "modswitch.fresh_16384");
}

/* ----------------------------------------------------- limbs and refusals */

/* bfv_mod_switch_limbs is the least l satisfying the documented
 * inequality, checked in fmpz for many budgets and keeps. */
Test(modswitch, limbs_is_least)
{
    const unsigned b[5] = {30, 44, 20, 49, 36};
    bt_env_t e;
    bfv_params_t p;
    fmpz_t ql, lhs, rhs;
    bt_params_small(&p, 2048, b, 5, 50, 12289);
    bt_env_init(&e, &p, 0, "modswitch.limbs");
    fmpz_init(ql);
    fmpz_init(lhs);
    fmpz_init(rhs);
    for (size_t size = 2; size <= 3; size++)
        for (int budget = 0; budget < 200; budget += 3)
            for (int keep = 1; keep < 60; keep += 4) {
                size_t got = 99, want = 0;
                veil_status st =
                    bfv_mod_switch_limbs(&got, &e.ctx, size, budget, keep);
                const uint64_t nn = e.n;
                const uint64_t R = size == 3 ? 1 + nn + nn * nn : 1 + nn;
                fmpz_one(ql);
                for (size_t l = 1; l <= 5 && budget > keep; l++) {
                    fmpz_mul_ui(ql, ql, e.ctx.params.q[l - 1]);
                    /* Q_l (2^(budget-keep) - 1) >= t R 2^budget */
                    fmpz_one(lhs);
                    fmpz_mul_2exp(lhs, lhs, (ulong)(budget - keep));
                    fmpz_sub_ui(lhs, lhs, 1);
                    fmpz_mul(lhs, lhs, ql);
                    fmpz_set_ui(rhs, e.t);
                    fmpz_mul_ui(rhs, rhs, R);
                    fmpz_mul_2exp(rhs, rhs, (ulong)budget);
                    if (fmpz_cmp(lhs, rhs) >= 0) {
                        want = l;
                        break;
                    }
                }
                cr_assert_eq(st, want ? VEIL_OK : VEIL_ENOISE,
                             "size %zu budget %d keep %d", size, budget, keep);
                cr_assert_eq(got, want, "size %zu budget %d keep %d: %zu", size,
                             budget, keep, got);
            }
    fmpz_clear(ql);
    fmpz_clear(lhs);
    fmpz_clear(rhs);
    bt_env_clear(&e);
}

Test(modswitch, refusals)
{
    const unsigned b[3] = {20, 40, 40};
    bt_env_t e, e2;
    bfv_params_t p;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t out, other;
    bfv_plaintext_t pt;
    size_t l;
    int bits;
    bt_params_small(&p, 1024, b, 3, 50, 65537);
    bt_env_init(&e, &p, 0, "modswitch.refusals");
    bt_env_preset(&e2, 4096, 0, "modswitch.refusals2");
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&other, &e2.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    uint64_t *v = calloc(e.n, 8);
    bt_encrypt(&e, &ct, v);
    /* too few limbs: none, more than L, and a 20-bit q_0 < 2 t (n + 1) */
    cr_assert_eq(bfv_mod_switch(&out, &ct, 0), VEIL_EINVAL);
    cr_assert_eq(bfv_mod_switch(&out, &ct, 4), VEIL_EINVAL);
    cr_assert_eq(bfv_mod_switch(&out, &ct, 1), VEIL_ENOISE);
    cr_assert_eq(bfv_mod_switch(&out, &ct, 2), VEIL_OK);
    cr_assert_eq(bfv_mod_switch(&other, &ct, 2), VEIL_EINVAL); /* ctx */
    cr_assert_eq(bfv_mod_switch(NULL, &ct, 2), VEIL_EINVAL);
    /* the noise would not fit */
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 2, 5, 5), VEIL_ENOISE);
    cr_assert_eq(l, 0);
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 2, 3, 1), VEIL_OK);
    cr_assert_eq(l, 2); /* 2^60 (1/2 - 1/8) >= t (n + 1) */
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 2, 6, 1), VEIL_OK);
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 3, 99, 70), VEIL_ENOISE);
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 2, 10, 0), VEIL_EINVAL);
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 4, 10, 1), VEIL_EINVAL);
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 2, -1, 1), VEIL_EINVAL);
    cr_assert_eq(bfv_mod_switch_limbs(NULL, &e.ctx, 2, 10, 1), VEIL_EINVAL);
    /* decrypting / measuring an unwritten or foreign switched ciphertext */
    cr_assert_eq(bfv_decrypt_ms(&pt, &e.sk, &other), VEIL_EINVAL);
    cr_assert_eq(bfv_decrypt_ms(&pt, &e2.sk, &out), VEIL_EINVAL);
    cr_assert_eq(bfv_noise_budget_ms(&bits, &e2.sk, &out), VEIL_EINVAL);
    bfv_ms_ciphertext_clear(&other);
    cr_assert_eq(bfv_ms_ciphertext_init(&other, &e2.ctx), VEIL_OK);
    cr_assert_eq(bfv_noise_budget_ms(&bits, &e2.sk, &other), VEIL_EINVAL);
    bfv_ms_ciphertext_clear(&other);
    bfv_ms_ciphertext_clear(&other); /* twice is fine */
    free(v);
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e2);
    bt_env_clear(&e);
}

/* The same bits with 1 and 2 threads. */
Test(modswitch, thread_independent)
{
    const unsigned b[5] = {44, 44, 44, 44, 44};
    bt_env_t e;
    bfv_params_t p;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t o1, o2;
    bt_params_small(&p, 4096, b, 5, 50, 65537);
    bt_env_init(&e, &p, 0, "modswitch.threads");
    cr_assert_eq(bfv_ms_ciphertext_init(&o1, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&o2, &e.ctx), VEIL_OK);
    random_ct(&e, &ct, 2);
    const int saved = omp_get_max_threads();
    for (size_t l = 1; l <= 5; l++) {
        omp_set_num_threads(1);
        cr_assert_eq(bfv_mod_switch(&o1, &ct, l), VEIL_OK);
        omp_set_num_threads(2);
        cr_assert_eq(bfv_mod_switch(&o2, &ct, l), VEIL_OK);
        cr_assert_eq(memcmp(o1.data, o2.data, 2 * l * e.n * 8), 0);
    }
    omp_set_num_threads(saved);
    bfv_ciphertext_clear(&ct);
    bfv_ms_ciphertext_clear(&o1);
    bfv_ms_ciphertext_clear(&o2);
    bt_env_clear(&e);
}

/* --------------------------------------------------------- serialization */

static su_blob_t ser(const bfv_ms_ciphertext_t *ct)
{
    su_blob_t b;
    b.len = bfv_ms_ciphertext_serial_size(ct);
    cr_assert_gt(b.len, 0);
    b.b = malloc(b.len);
    size_t len = 0;
    cr_assert_eq(bfv_ms_ciphertext_serialize(b.b, b.len, &len, ct), VEIL_OK);
    cr_assert_eq(len, b.len);
    return b;
}

Test(modswitch, serial_round_trip_and_size)
{
    su_env_t s;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t out, back;
    bfv_plaintext_t pt;
    uint64_t *v = malloc(1024 * 8), *got = malloc(1024 * 8);
    su_init(&s, 4, "modswitch.serial_round_trip");
    bt_env_t *e = &s.e;
    cr_assert_eq(bfv_ciphertext_init(&ct, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&back, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    bt_random_slots(&e->rng, v, 1024, e->t);
    bt_encrypt(e, &ct, v);
    const size_t full = bfv_ciphertext_serial_size(&ct, BFV_SERIAL_FULL);
    for (size_t l = 1; l <= 4; l++) {
        cr_assert_eq(bfv_mod_switch(&out, &ct, l), VEIL_OK);
        su_blob_t b = ser(&out);
        /* 40-bit primes: 2 l n 40 / 8 bytes of rows, 8 + 64 of framing */
        cr_assert_eq(b.len, 48 + 8 + 2 * l * 1024 * 40 / 8 + 16);
        if (l == 4)
            cr_assert_eq(b.len, full + 4); /* the extra u32: limbs */
        size_t used = 0;
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, b.b, b.len, NULL),
                     VEIL_OK);
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, b.b, b.len, &used),
                     VEIL_OK);
        cr_assert_eq(used, b.len);
        cr_assert_eq(back.limbs, l);
        cr_assert_eq(back.size, 2);
        cr_assert_eq(memcmp(back.data, out.data, 2 * l * 1024 * 8), 0);
        cr_assert_eq(bfv_decrypt_ms(&pt, &e->sk, &back), VEIL_OK);
        cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
        bt_assert_slots(got, v, 1024, "deserialized");
        su_blob_free(&b);
    }
    /* size 3 */
    cr_assert_eq(bfv_square(&ct, &ct), VEIL_OK);
    cr_assert_eq(bfv_mod_switch(&out, &ct, 3), VEIL_OK);
    su_blob_t b = ser(&out);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, b.b, b.len, NULL),
                 VEIL_OK);
    cr_assert_eq(back.size, 3);
    cr_assert_eq(back.limbs, 3);
    cr_assert_eq(memcmp(back.data, out.data, 3 * 3 * 1024 * 8), 0);
    su_blob_free(&b);
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&back);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&ct);
    su_clear(&s);
    free(v);
    free(got);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

Test(modswitch, serial_hostile)
{
    su_env_t s, s3;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t out, back, foreign;
    su_init(&s, 4, "modswitch.serial_hostile");
    su_init(&s3, 3, "modswitch.serial_hostile3");
    bt_env_t *e = &s.e;
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&back, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&foreign, &s3.e.ctx), VEIL_OK);
    random_ct(e, &ct, 2);
    cr_assert_eq(bfv_mod_switch(&out, &ct, 2), VEIL_OK);
    su_blob_t b = ser(&out);
    uint8_t *m = malloc(b.len + 64);
    const size_t body = BFV_SERIAL_HEADER_BYTES;

    /* nothing serializes from an unwritten object, or into a short buffer */
    size_t len;
    cr_assert_eq(bfv_ms_ciphertext_serial_size(&back), 0);
    bfv_ms_ciphertext_t unw;
    cr_assert_eq(bfv_ms_ciphertext_init(&unw, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_serialize(m, b.len, &len, &unw),
                 VEIL_EINVAL);
    bfv_ms_ciphertext_clear(&unw);
    cr_assert_eq(bfv_ms_ciphertext_serialize(m, b.len - 1, &len, &out),
                 VEIL_ERANGE);

    /* every truncation */
    for (size_t cut = 0; cut < b.len; cut += (cut < 128 ? 1 : 97))
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, b.b, cut, NULL),
                     VEIL_EFORMAT, "cut %zu", cut);
    /* trailing bytes without `used` */
    memcpy(m, b.b, b.len);
    m[b.len] = 0;
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len + 1, NULL),
                 VEIL_EFORMAT);
    /* flipped bytes (checksum) */
    for (size_t i = 0; i < b.len; i += 41) {
        memcpy(m, b.b, b.len);
        m[i] ^= 0x10;
        cr_assert_neq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                      VEIL_OK, "byte %zu", i);
    }
    /* resealed semantic changes: size, limbs, flags, type */
    const uint32_t bad_sizes[] = {0, 1, 4, 0xffffffffu};
    for (size_t i = 0; i < 4; i++) {
        memcpy(m, b.b, b.len);
        put_u32(m + body, bad_sizes[i]);
        su_reseal(m, b.len);
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                     VEIL_EFORMAT, "size %u", bad_sizes[i]);
    }
    const uint32_t bad_limbs[] = {0, 1, 3, 5, 64, 0xffffffffu};
    for (size_t i = 0; i < 6; i++) {
        memcpy(m, b.b, b.len);
        put_u32(m + body + 4, bad_limbs[i]); /* body length no longer fits */
        su_reseal(m, b.len);
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                     VEIL_EFORMAT, "limbs %u", bad_limbs[i]);
    }
    /* limbs = 1 with a body length that matches it: accepted, and decoded
     * as the first limb rows of the blob */
    memcpy(m, b.b, b.len);
    put_u32(m + body + 4, 1);
    {
        const size_t row = 1024 * 40 / 8, nb = 8 + 2 * row;
        su_set_body_len(m, nb);
        memmove(m + body + 8 + row, m + body + 8 + 2 * row, row);
        su_reseal(m, body + nb + 16);
        cr_assert_eq(
            bfv_ms_ciphertext_deserialize(&back, m, body + nb + 16, NULL),
            VEIL_OK);
        cr_assert_eq(back.limbs, 1);
        cr_assert_eq(memcmp(back.data, out.data, 1024 * 8), 0);
        cr_assert_eq(
            memcmp(back.data + 1024, bfv_ms_ct_row(&out, 1, 0), 1024 * 8), 0);
    }
    /* a residue >= its prime */
    memcpy(m, b.b, b.len);
    memset(m + body + 8, 0xff, 5); /* first 40-bit residue = 2^40 - 1 */
    su_reseal(m, b.len);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                 VEIL_EFORMAT);
    memcpy(m, b.b, b.len);
    m[7] = 1; /* seeded flag: not allowed here */
    su_reseal(m, b.len);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                 VEIL_EFORMAT);
    memcpy(m, b.b, b.len);
    m[6] = BFV_SERIAL_CIPHERTEXT;
    su_reseal(m, b.len);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                 VEIL_EFORMAT);
    /* a huge body length */
    memcpy(m, b.b, b.len);
    su_set_body_len(m, UINT64_C(1) << 40);
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, m, b.len, NULL),
                 VEIL_EFORMAT);
    /* another context (other parameter hash), and a full ciphertext blob */
    cr_assert_eq(bfv_ms_ciphertext_deserialize(&foreign, b.b, b.len, NULL),
                 VEIL_EFORMAT);
    {
        size_t fl = bfv_ciphertext_serial_size(&ct, BFV_SERIAL_FULL);
        uint8_t *f = malloc(fl);
        cr_assert_eq(
            bfv_ciphertext_serialize(f, fl, &len, &ct, BFV_SERIAL_FULL),
            VEIL_OK);
        cr_assert_eq(bfv_ms_ciphertext_deserialize(&back, f, fl, NULL),
                     VEIL_EFORMAT);
        free(f);
    }
    /* peek knows the new type */
    bfv_serial_type_t type;
    uint64_t total;
    cr_assert_eq(bfv_serial_peek(&type, &total, b.b, b.len), VEIL_OK);
    cr_assert_eq(type, BFV_SERIAL_MS_CIPHERTEXT);
    cr_assert_eq(total, b.len);
    /* NULLs */
    cr_assert_eq(bfv_ms_ciphertext_deserialize(NULL, b.b, b.len, NULL),
                 VEIL_EINVAL);
    cr_assert_neq(bfv_ms_ciphertext_deserialize(&back, NULL, b.len, NULL),
                  VEIL_OK);
    free(m);
    su_blob_free(&b);
    bfv_ms_ciphertext_clear(&foreign);
    bfv_ms_ciphertext_clear(&back);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&ct);
    su_clear(&s3);
    su_clear(&s);
}

/* ------------------------------------------- re-randomization, flooding */

/* Flooding to hide a fresh ciphertext's noise at 40 bits: the result still
 * decrypts (also switched to the limbs the flooded budget needs), its
 * measured noise is as large as the flood (this fails when the flood is
 * left out), and c_1 has changed (re-randomized). */
Test(modswitch, rerandomize_and_flood)
{
    bt_env_t e;
    bfv_ciphertext_t ct, orig;
    bfv_ms_ciphertext_t out;
    bfv_plaintext_t pt;
    const size_t n = 8192;
    uint64_t *v = malloc(n * 8), *got = malloc(n * 8);
    unsigned f;
    int after, b0, b1, b2;
    size_t l;
    bt_env_preset(&e, n, 0, "modswitch.flood");
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&orig, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ms_ciphertext_init(&out, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &ct, v);
    cr_assert_eq(bfv_ciphertext_copy(&orig, &ct), VEIL_OK);
    b0 = bt_budget(&e, &ct);
    cr_assert_eq(bfv_flood_bits(&f, &after, &e.ctx, b0, 40), VEIL_OK);
    const long logq = (long)mpz_sizeinbase(e.ctx.base_q.Q, 2);
    /* f = 40 + log2 n + bitlen(W) - 1, W = Q / (t 2^(b0 + 1)) + t +
     * 21 (2n + 1), recomputed here with fmpz */
    {
        fmpz_t w;
        fmpz_init(w);
        fmpz_one(w);
        for (size_t i = 0; i < e.ctx.n_q; i++)
            fmpz_mul_ui(w, w, e.ctx.params.q[i]);
        fmpz_fdiv_q_2exp(w, w, (ulong)b0 + 1);
        fmpz_fdiv_q_ui(w, w, e.t);
        fmpz_add_ui(w, w, e.t + 21 * (2 * n + 1));
        cr_assert_eq((long)f, 40 + 13 + (long)fmpz_bits(w) - 1, "f %u", f);
        fmpz_clear(w);
    }
    cr_assert_eq(bfv_rerandomize(&ct, &e.pk, f, &e.rng), VEIL_OK);
    cr_assert_neq(memcmp(bfv_ct_row(&ct, 1, 0), bfv_ct_row(&orig, 1, 0), n * 8),
                  0);
    bt_decrypt(&e, got, &ct);
    bt_assert_slots(got, v, n, "flooded");
    b1 = bt_budget(&e, &ct);
    /* the noise is the flood: |v| ~ t 2^f, budget ~ log Q - log t - f */
    cr_assert_geq(b1, after, "measured %d, promised %d", b1, after);
    cr_assert_leq(b1, logq - 17 - (long)f + 1,
                  "measured %d, f %u, fresh %d, log Q %ld", b1, f, b0, logq);
    cr_assert_eq(bfv_mod_switch_limbs(&l, &e.ctx, 2, after, 1), VEIL_OK);
    cr_assert_eq(bfv_mod_switch(&out, &ct, l), VEIL_OK);
    cr_assert_eq(bfv_decrypt_ms(&pt, &e.sk, &out), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(got, &pt), VEIL_OK);
    bt_assert_slots(got, v, n, "flooded and switched");
    cr_assert_eq(bfv_noise_budget_ms(&b2, &e.sk, &out), VEIL_OK);
    cr_assert_geq(b2, 1);

    /* no flood: re-randomized only, the budget stays near b0 */
    cr_assert_eq(bfv_ciphertext_copy(&ct, &orig), VEIL_OK);
    cr_assert_eq(bfv_rerandomize(&ct, &e.pk, 0, &e.rng), VEIL_OK);
    cr_assert_neq(memcmp(bfv_ct_row(&ct, 1, 0), bfv_ct_row(&orig, 1, 0), n * 8),
                  0);
    bt_decrypt(&e, got, &ct);
    bt_assert_slots(got, v, n, "re-randomized");
    cr_assert_geq(bt_budget(&e, &ct), b0 - 2);

    /* refusals */
    cr_assert_eq(bfv_flood_bits(&f, &after, &e.ctx, 20, 40), VEIL_ENOISE);
    cr_assert_eq(bfv_flood_bits(&f, &after, &e.ctx, -1, 40), VEIL_EINVAL);
    cr_assert_eq(bfv_flood_bits(NULL, &after, &e.ctx, 20, 40), VEIL_EINVAL);
    cr_assert_eq(bfv_rerandomize(&ct, &e.pk, (unsigned)logq, &e.rng),
                 VEIL_EINVAL);
    cr_assert_eq(bfv_square(&ct, &orig), VEIL_OK);
    cr_assert_eq(bfv_rerandomize(&ct, &e.pk, 0, &e.rng), VEIL_EINVAL);
    bfv_plaintext_clear(&pt);
    bfv_ms_ciphertext_clear(&out);
    bfv_ciphertext_clear(&orig);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
    free(v);
    free(got);
}
