/* Encryption and decryption at every preset, seeded symmetric encryption,
 * the exact noise budget against a hand-made noise, and the exact phase of a
 * fresh encryption. */
#include "../../bfv/bfv_internal.h" /* bfv_phase */
#include "helpers.h"
#include <criterion/criterion.h>
#include <gmp.h>
#include <string.h>

static void round_trip(size_t n)
{
    bt_env_t e;
    bfv_ciphertext_t ct;
    bfv_plaintext_t pt;
    uint64_t *v = malloc(n * sizeof(uint64_t)), *back = malloc(n * 8);
    char name[64];

    snprintf(name, sizeof(name), "encrypt.round_trip_%zu", n);
    bt_env_preset(&e, n, 0, name);
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, v, n, e.t);
    bt_encrypt(&e, &ct, v);
    cr_assert_eq(ct.size, 2);
    cr_assert_eq(ct.seeded, 0);
    bt_decrypt(&e, back, &ct);
    bt_assert_slots(back, v, n, "public-key");
    int b_pk = bt_budget(&e, &ct);

    cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&ct, &e.sk, &pt, &e.rng), VEIL_OK);
    cr_assert_eq(ct.seeded, 1);
    bt_decrypt(&e, back, &ct);
    bt_assert_slots(back, v, n, "symmetric");
    int b_sym = bt_budget(&e, &ct);
    /* fresh noise: |v| = |t e - (Q mod t) m| is about t n for public-key
     * and about t for symmetric encryption */
    unsigned log_q = (unsigned)mpz_sizeinbase(e.ctx.base_q.Q, 2);
    unsigned log_t = 17;
    cr_assert_gt(b_pk, (int)(log_q - log_t - 30), "pk budget %d", b_pk);
    cr_assert_geq(b_sym, b_pk, "sym %d < pk %d", b_sym, b_pk);
    cr_assert_leq(b_sym, (int)(log_q - log_t), "sym budget %d", b_sym);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
    free(v);
    free(back);
}

Test(encrypt, round_trip_4096)
{
    round_trip(4096);
}
Test(encrypt, round_trip_8192)
{
    round_trip(8192);
}
Test(encrypt, round_trip_16384)
{
    round_trip(16384);
}
Test(encrypt, round_trip_32768)
{
    round_trip(32768);
}

/* The same seed gives the same ciphertext; c1 of a symmetric encryption is
 * a function of its 32-byte seed only. */
Test(encrypt, seeded_encryption_is_reproducible)
{
    bt_env_t e;
    bfv_ciphertext_t a, b;
    bfv_plaintext_t pt, pt2;
    veil_rng_t r1, r2;
    uint8_t seed[VEIL_SEED_BYTES] = {7};

    bt_env_preset(&e, 4096, 0, "encrypt.seeded");
    const size_t words = 2 * e.ctx.n_q * e.n * sizeof(uint64_t);
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&b, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt2, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&pt, 42), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&pt2, 43), VEIL_OK);
    veil_rng_init_seed(&r1, seed);
    veil_rng_init_seed(&r2, seed);
    cr_assert_eq(bfv_encrypt_symmetric(&a, &e.sk, &pt, &r1), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&b, &e.sk, &pt, &r2), VEIL_OK);
    cr_assert(memcmp(a.data, b.data, words) == 0);
    cr_assert(memcmp(a.seed, b.seed, VEIL_SEED_BYTES) == 0);
    /* another message, same randomness: same c1, different c0 */
    veil_rng_init_seed(&r2, seed);
    cr_assert_eq(bfv_encrypt_symmetric(&b, &e.sk, &pt2, &r2), VEIL_OK);
    cr_assert(memcmp(bfv_ct_row(&a, 1, 0), bfv_ct_row(&b, 1, 0), words / 2) ==
              0);
    cr_assert(memcmp(a.data, b.data, words / 2) != 0);
    /* fresh randomness: everything differs */
    cr_assert_eq(bfv_encrypt_symmetric(&b, &e.sk, &pt, &r2), VEIL_OK);
    cr_assert(memcmp(a.seed, b.seed, VEIL_SEED_BYTES) != 0);
    cr_assert(memcmp(a.data, b.data, words) != 0);
    /* public-key encryption is reproducible from the generator too */
    veil_rng_init_seed(&r1, seed);
    veil_rng_init_seed(&r2, seed);
    cr_assert_eq(bfv_encrypt(&a, &e.pk, &pt, &r1), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&b, &e.pk, &pt, &r2), VEIL_OK);
    cr_assert(memcmp(a.data, b.data, words) == 0);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_clear(&pt2);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&b);
    bt_env_clear(&e);
}

/* A ciphertext (c0, 0) with c0 = E (the constant polynomial) has phase E:
 * it decrypts to round(t E / Q) mod t and its budget is
 * floor(log2(Q / (2 |[t E]_Q|))), both computed here with GMP.  E sweeps all
 * sizes and the neighbourhood of the rounding boundaries (where the budget
 * is 0 and full-RNS rounding may differ from exact rounding). */
Test(encrypt, noise_budget_and_rounding_are_exact)
{
    bt_env_t e;
    bfv_ciphertext_t ct;
    bfv_plaintext_t pt;
    mpz_t E, v, lim, m;

    bt_env_preset(&e, 4096, 0, "encrypt.noise_budget_is_exact");
    const size_t n = e.n, L = e.ctx.n_q;
    const mpz_srcptr Q = e.ctx.base_q.Q;
    const unsigned log_q = (unsigned)mpz_sizeinbase(Q, 2);
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    mpz_inits(E, v, lim, m, NULL);
    for (unsigned trial = 0; trial < 3 * log_q; trial++) {
        unsigned bits = trial % log_q;
        if (trial < log_q) { /* E = 2^bits + small */
            mpz_set_ui(E, 1);
            mpz_mul_2exp(E, E, bits);
            mpz_add_ui(E, E, bits * 12345u);
        } else { /* E = Q (k + 1/2) / t + offset 2^bits: near a boundary */
            mpz_mul_ui(E, Q, 2 * (trial % 7) + 1);
            mpz_fdiv_q_ui(E, E, 2 * e.t);
            mpz_set_ui(lim, 1);
            mpz_mul_2exp(lim, lim, bits);
            if (trial < 2 * log_q)
                mpz_add(E, E, lim);
            else
                mpz_sub(E, E, lim);
        }
        for (size_t i = 0; i < L; i++) {
            uint64_t r = mpz_fdiv_ui(E, e.ctx.params.q[i]);
            for (size_t k = 0; k < n; k++) {
                bfv_ct_row(&ct, 0, i)[k] = r;
                bfv_ct_row(&ct, 1, i)[k] = 0;
            }
        }
        /* oracle budget: the largest b >= 0 with 2 |v| 2^b <= Q */
        mpz_mul_ui(v, E, e.t);
        mpz_mod(v, v, Q);
        if (mpz_cmp(v, e.ctx.base_q.Q_half) > 0)
            mpz_sub(v, Q, v);
        int want = 0;
        mpz_mul_2exp(lim, v, 2);
        while (mpz_cmp(lim, Q) <= 0) {
            want++;
            mpz_mul_2exp(lim, lim, 1);
        }
        cr_assert_eq(bt_budget(&e, &ct), want, "trial %u", trial);
        /* oracle message: round(t E / Q) mod t */
        mpz_mul_ui(m, E, 2 * e.t);
        mpz_add(m, m, Q);
        mpz_fdiv_q(m, m, Q);
        mpz_fdiv_q_2exp(m, m, 1);
        cr_assert_eq(bfv_decrypt(&pt, &e.sk, &ct), VEIL_OK);
        for (size_t k = 1; k < n; k++)
            cr_assert_eq(pt.coeffs[k], 0);
        if (want > 0)
            cr_assert_eq(pt.coeffs[0], mpz_fdiv_ui(m, e.t), "trial %u", trial);
    }
    mpz_clears(E, v, lim, m, NULL);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
}

/* The phase c_0 + c_1 s of a fresh symmetric encryption is exactly
 * D(m) + e = round(Q m / t) + e (GMP), e the binomial error drawn from the
 * same seeded stream (32 bytes of seed for c_1, then veil_rng_cbd); at a
 * preset (every t < q_i: the signed vector addition) and at a set whose
 * first prime is below t (the row-by-row reduction). */
static void phase_is_dm_plus_e(const bfv_params_t *params, const char *name)
{
    bt_env_t e;
    bfv_ciphertext_t ct;
    bfv_plaintext_t pt;
    veil_rng_t r1, r2;
    uint8_t seed[VEIL_SEED_BYTES], skip[VEIL_SEED_BYTES];
    mpz_t d, two_t;

    bt_env_init(&e, params, 0, name);
    const size_t n = e.n, L = e.ctx.n_q;
    const mpz_srcptr Q = e.ctx.base_q.Q;
    uint64_t *x = malloc(L * n * sizeof(uint64_t));
    int8_t *err = malloc(n);
    cr_assert(x != NULL && err != NULL);
    cr_assert_eq(bfv_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    bt_random_slots(&e.rng, pt.coeffs, n, e.t);
    pt.coeffs[0] = 0, pt.coeffs[1] = e.t - 1;
    veil_rng_bytes(&e.rng, seed, sizeof(seed));
    veil_rng_init_seed(&r1, seed);
    veil_rng_init_seed(&r2, seed);
    cr_assert_eq(bfv_encrypt_symmetric(&ct, &e.sk, &pt, &r1), VEIL_OK);
    veil_rng_bytes(&r2, skip, sizeof(skip)); /* c_1's seed */
    veil_rng_cbd(&r2, err, n);
    bfv_phase(x, &e.sk, &ct);
    mpz_inits(d, two_t, NULL);
    mpz_set_ui(two_t, 2 * e.t);
    for (size_t k = 0; k < n; k++) {
        /* round(Q m / t) = floor((2 Q m + t) / 2t), plus e, mod Q */
        mpz_mul_ui(d, Q, 2 * pt.coeffs[k]);
        mpz_add_ui(d, d, e.t);
        mpz_fdiv_q(d, d, two_t);
        if (err[k] >= 0)
            mpz_add_ui(d, d, (unsigned long)err[k]);
        else
            mpz_sub_ui(d, d, (unsigned long)-err[k]);
        mpz_mod(d, d, Q);
        for (size_t i = 0; i < L; i++)
            cr_assert_eq(x[i * n + k], mpz_fdiv_ui(d, e.ctx.params.q[i]),
                         "%s: coefficient %zu, prime %zu", name, k, i);
    }
    mpz_clears(d, two_t, NULL);
    veil_rng_clear(&r1);
    veil_rng_clear(&r2);
    free(x);
    free(err);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ct);
    bt_env_clear(&e);
}

Test(encrypt, fresh_phase_is_exactly_dm_plus_e)
{
    const unsigned qb[3] = {16, 30, 30};
    bfv_params_t p;
    cr_assert_eq(bfv_params_preset(&p, 4096), VEIL_OK);
    phase_is_dm_plus_e(&p, "encrypt.phase_preset");
    bt_params_small(&p, 1024, qb, 3, 40, 114689); /* q_0 < 2^16 < t */
    cr_assert_lt(p.q[0], p.t);
    phase_is_dm_plus_e(&p, "encrypt.phase_small_q0");
}
