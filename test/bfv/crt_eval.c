/* The CRT evaluator with 3 plaintext primes: every operation against the
 * same computation over Z (FLINT integers), exact, and OpenMP thread-count
 * independence. */
#include "crt_env.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <string.h>

/* 3 primes of 20 bits (T ~ 2^60), Q of 135 bits: room for a product and
 * further operations at n = 1024. */
static const unsigned q_bits[3] = {45, 45, 45};

typedef struct {
    ce_env_t e;
    size_t n;
    fmpz *a, *b, *want, *got;
    bfv_crt_ciphertext_t ca, cb, out;
} fx_t;

static void fx_init(fx_t *f, const char *test)
{
    ce_init(&f->e, 1024, 3, 20, q_bits, 3, BFV_CRT_RELIN | BFV_CRT_GALOIS,
            test);
    f->n = f->e.n;
    f->a = _fmpz_vec_init((slong)f->n);
    f->b = _fmpz_vec_init((slong)f->n);
    f->want = _fmpz_vec_init((slong)f->n);
    f->got = _fmpz_vec_init((slong)f->n);
    /* |a|, |b| <= 2^27: products stay below 2^54 < T/2 */
    ce_random_fmpz(f->a, f->n, 27, &f->e.rng);
    ce_random_fmpz(f->b, f->n, 27, &f->e.rng);
    cr_assert_eq(bfv_crt_ciphertext_init(&f->ca, &f->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&f->cb, &f->e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&f->out, &f->e.ctx), VEIL_OK);
    ce_encrypt(&f->e, &f->ca, f->a);
    ce_encrypt(&f->e, &f->cb, f->b);
}

static void fx_clear(fx_t *f)
{
    _fmpz_vec_clear(f->a, (slong)f->n);
    _fmpz_vec_clear(f->b, (slong)f->n);
    _fmpz_vec_clear(f->want, (slong)f->n);
    _fmpz_vec_clear(f->got, (slong)f->n);
    bfv_crt_ciphertext_clear(&f->ca);
    bfv_crt_ciphertext_clear(&f->cb);
    bfv_crt_ciphertext_clear(&f->out);
    ce_clear(&f->e);
}

static void check(fx_t *f, const bfv_crt_ciphertext_t *ct, const char *what)
{
    ce_decrypt(&f->e, f->got, ct);
    ce_assert_equal(f->got, f->want, f->n, what);
}

/* Rotation of both rows of the 2 x n/2 slot matrix: column j -> j + k. */
static void rotate_oracle(fmpz *o, const fmpz *a, int64_t k, size_t n)
{
    const int64_t h = (int64_t)n / 2;
    for (int64_t r = 0; r < 2; r++)
        for (int64_t j = 0; j < h; j++)
            fmpz_set(o + r * h + (((j + k) % h) + h) % h, a + r * h + j);
}

Test(crt_eval, linear)
{
    fx_t f;
    fx_init(&f, "crt_eval.linear");
    _fmpz_vec_add(f.want, f.a, f.b, (slong)f.n);
    cr_assert_eq(bfv_crt_add(&f.out, &f.ca, &f.cb), VEIL_OK);
    check(&f, &f.out, "add");
    _fmpz_vec_sub(f.want, f.a, f.b, (slong)f.n);
    cr_assert_eq(bfv_crt_sub(&f.out, &f.ca, &f.cb), VEIL_OK);
    check(&f, &f.out, "sub");
    _fmpz_vec_neg(f.want, f.a, (slong)f.n);
    cr_assert_eq(bfv_crt_negate(&f.out, &f.ca), VEIL_OK);
    check(&f, &f.out, "negate");
    /* in place: out aliases an input */
    _fmpz_vec_add(f.want, f.a, f.a, (slong)f.n);
    cr_assert_eq(bfv_crt_ciphertext_copy(&f.out, &f.ca), VEIL_OK);
    cr_assert_eq(bfv_crt_add(&f.out, &f.out, &f.out), VEIL_OK);
    check(&f, &f.out, "add in place");
    fx_clear(&f);
}

Test(crt_eval, plain_and_scalar)
{
    fx_t f;
    bfv_crt_plaintext_t pw;
    bfv_crt_plaintext_ntt_t pn;
    fmpz_t c, T;
    fx_init(&f, "crt_eval.plain_and_scalar");
    cr_assert_eq(bfv_crt_plaintext_init(&pw, &f.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_plaintext_ntt_init(&pn, &f.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_encode_fmpz(&pw, f.b, f.n), VEIL_OK);
    cr_assert_eq(bfv_crt_plaintext_to_ntt(&pn, &pw), VEIL_OK);

    _fmpz_vec_add(f.want, f.a, f.b, (slong)f.n);
    cr_assert_eq(bfv_crt_add_plain(&f.out, &f.ca, &pw), VEIL_OK);
    check(&f, &f.out, "add_plain");
    _fmpz_vec_sub(f.want, f.a, f.b, (slong)f.n);
    cr_assert_eq(bfv_crt_sub_plain(&f.out, &f.ca, &pw), VEIL_OK);
    check(&f, &f.out, "sub_plain");
    for (size_t j = 0; j < f.n; j++)
        fmpz_mul(f.want + j, f.a + j, f.b + j);
    cr_assert_eq(bfv_crt_mul_plain(&f.out, &f.ca, &pn), VEIL_OK);
    check(&f, &f.out, "mul_plain");

    /* int64 scalar of 25 bits, and an fmpz scalar given as c + 3T */
    const int64_t s = -((int64_t)1 << 25) + 12345;
    _fmpz_vec_scalar_mul_si(f.want, f.a, (slong)f.n, s);
    cr_assert_eq(bfv_crt_mul_scalar(&f.out, &f.ca, s), VEIL_OK);
    check(&f, &f.out, "mul_scalar");
    fmpz_init(c);
    fmpz_init(T);
    fmpz_set_si(c, 20000003);
    _fmpz_vec_scalar_mul_fmpz(f.want, f.a, (slong)f.n, c);
    bfv_crt_modulus(T, &f.e.ctx);
    fmpz_addmul_ui(c, T, 3);
    cr_assert_eq(bfv_crt_mul_scalar_fmpz(&f.out, &f.ca, c), VEIL_OK);
    check(&f, &f.out, "mul_scalar_fmpz");
    fmpz_clear(c);
    fmpz_clear(T);
    bfv_crt_plaintext_clear(&pw);
    bfv_crt_plaintext_ntt_clear(&pn);
    fx_clear(&f);
}

Test(crt_eval, mul_relin)
{
    fx_t f;
    bfv_crt_ciphertext_t prod;
    fx_init(&f, "crt_eval.mul_relin");
    cr_assert_eq(bfv_crt_ciphertext_init(&prod, &f.e.ctx), VEIL_OK);
    for (size_t j = 0; j < f.n; j++)
        fmpz_mul(f.want + j, f.a + j, f.b + j);
    cr_assert_eq(bfv_crt_mul(&prod, &f.ca, &f.cb), VEIL_OK);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(prod.c[i].size, 3);
    check(&f, &prod, "mul (size 3)");
    cr_assert_eq(bfv_crt_relinearize(&f.out, &prod, &f.e.keys), VEIL_OK);
    cr_assert_eq(f.out.c[0].size, 2);
    check(&f, &f.out, "relinearize");
    cr_assert_eq(bfv_crt_mul_relin(&f.out, &f.ca, &f.cb, &f.e.keys), VEIL_OK);
    check(&f, &f.out, "mul_relin");
    for (size_t j = 0; j < f.n; j++)
        fmpz_mul(f.want + j, f.a + j, f.a + j);
    cr_assert_eq(bfv_crt_square(&prod, &f.ca), VEIL_OK);
    cr_assert_eq(bfv_crt_relinearize(&prod, &prod, &f.e.keys), VEIL_OK);
    check(&f, &prod, "square");
    bfv_crt_ciphertext_clear(&prod);
    fx_clear(&f);
}

Test(crt_eval, rotations)
{
    fx_t f;
    bfv_crt_ciphertext_t outs[3];
    const int64_t steps[3] = {0, 1, -3};
    fx_init(&f, "crt_eval.rotations");
    rotate_oracle(f.want, f.a, 1, f.n);
    cr_assert_eq(bfv_crt_rotate_rows(&f.out, &f.ca, 1, &f.e.keys), VEIL_OK);
    check(&f, &f.out, "rotate_rows(1)");
    /* 5 = 1 + 1 + 1 + 1 + 1 or -3 ... : composed from the keys 1, -3 */
    rotate_oracle(f.want, f.a, 5, f.n);
    cr_assert_eq(bfv_crt_rotate_rows(&f.out, &f.ca, 5, &f.e.keys), VEIL_OK);
    check(&f, &f.out, "rotate_rows(5)");
    rotate_oracle(f.want, f.a, -3, f.n);
    cr_assert_eq(bfv_crt_apply_galois(
                     &f.out, &f.ca,
                     bfv_galois_elt_from_step(&f.e.ctx.comp[0], -3), &f.e.keys),
                 VEIL_OK);
    check(&f, &f.out, "apply_galois(step -3)");
    for (size_t j = 0; j < f.n / 2; j++) {
        fmpz_set(f.want + j, f.a + f.n / 2 + j);
        fmpz_set(f.want + f.n / 2 + j, f.a + j);
    }
    cr_assert_eq(bfv_crt_rotate_columns(&f.out, &f.ca, &f.e.keys), VEIL_OK);
    check(&f, &f.out, "rotate_columns");
    /* hoisted, with the output aliasing the input last */
    for (int j = 0; j < 3; j++)
        cr_assert_eq(bfv_crt_ciphertext_init(&outs[j], &f.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_copy(&outs[2], &f.ca), VEIL_OK);
    cr_assert_eq(bfv_crt_rotate_rows_many(outs, &outs[2], steps, 3, &f.e.keys),
                 VEIL_OK);
    for (int j = 0; j < 3; j++) {
        rotate_oracle(f.want, f.a, steps[j], f.n);
        check(&f, &outs[j], "rotate_rows_many");
        bfv_crt_ciphertext_clear(&outs[j]);
    }
    fx_clear(&f);
}

Test(crt_eval, refusals)
{
    fx_t f;
    ce_env_t other;
    bfv_crt_keys_t pub;
    bfv_crt_ciphertext_t alien;
    fx_init(&f, "crt_eval.refusals");
    /* keys without relin / Galois: VEIL_ENOKEY */
    cr_assert_eq(bfv_crt_keys_init(&pub, &f.e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_mul_relin(&f.out, &f.ca, &f.cb, &pub), VEIL_ENOKEY);
    cr_assert_eq(bfv_crt_rotate_rows(&f.out, &f.ca, 1, &pub), VEIL_ENOKEY);
    cr_assert_eq(bfv_crt_decrypt(NULL, &pub, &f.ca), VEIL_EINVAL);
    /* an empty set makes its own secret key first */
    cr_assert_eq(bfv_crt_keygen(&pub, BFV_CRT_PUBLIC, NULL, 0, 0, &f.e.rng),
                 VEIL_OK);
    cr_assert_eq(pub.have, BFV_CRT_SECRET | BFV_CRT_PUBLIC);
    /* a set with keys but no secret cannot make more */
    bfv_secret_key_clear(&pub.sk[0]);
    pub.have = BFV_CRT_PUBLIC;
    cr_assert_eq(bfv_crt_keygen(&pub, BFV_CRT_RELIN, NULL, 0, 0, &f.e.rng),
                 VEIL_ENOKEY);
    cr_assert_eq(bfv_crt_keygen(&pub, 64, NULL, 0, 0, &f.e.rng), VEIL_EINVAL);
    bfv_crt_keys_clear(&pub);
    /* another context */
    ce_init(&other, 1024, 3, 20, q_bits, 3, 0, "crt_eval.refusals.other");
    cr_assert_eq(bfv_crt_ciphertext_init(&alien, &other.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_add(&f.out, &f.ca, &alien), VEIL_EINVAL);
    cr_assert_eq(bfv_crt_decrypt(NULL, &f.e.keys, &alien), VEIL_EINVAL);
    bfv_crt_ciphertext_clear(&alien);
    ce_clear(&other);
    fx_clear(&f);
}

/* Keys, encryptions and an evaluation from fixed seeds, as bytes. */
static size_t omp_run(uint64_t **out, int threads)
{
    const uint8_t seed[VEIL_SEED_BYTES] = {0xc7, 0x17};
    const int64_t steps[1] = {2};
    bfv_params_t base;
    bfv_crt_params_t p;
    bfv_crt_context_t ctx;
    bfv_crt_keys_t keys;
    bfv_crt_plaintext_t pt;
    bfv_crt_ciphertext_t x, y;
    uint64_t t[3];
    int64_t v[64];
    veil_rng_t rng;
    size_t words, off = 0;

    omp_set_num_threads(threads);
    veil_rng_init_seed(&rng, seed);
    bt_params_small(&base, 1024, q_bits, 3, 50, 0);
    cr_assert_eq(ntt_primes_generate(t, 3, 20, 1024, NULL, 0), VEIL_OK);
    cr_assert_eq(bfv_crt_params_init(&p, &base, t, 3, NULL, 0), VEIL_OK);
    cr_assert_eq(bfv_crt_context_init(&ctx, &p), VEIL_OK);
    cr_assert_eq(bfv_crt_keys_init(&keys, &ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_keygen(&keys,
                                BFV_CRT_PUBLIC | BFV_CRT_RELIN | BFV_CRT_GALOIS,
                                steps, 1, 0, &rng),
                 VEIL_OK);
    cr_assert_eq(bfv_crt_plaintext_init(&pt, &ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&x, &ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&y, &ctx), VEIL_OK);
    for (int j = 0; j < 64; j++)
        v[j] = (int64_t)veil_rng_u64(&rng) >> 40;
    cr_assert_eq(bfv_crt_encode_i64(&pt, v, 64), VEIL_OK);
    cr_assert_eq(bfv_crt_encrypt(&x, &keys, &pt, &rng), VEIL_OK);
    cr_assert_eq(bfv_crt_encrypt_symmetric(&y, &keys, &pt, &rng), VEIL_OK);
    cr_assert_eq(bfv_crt_mul_relin(&y, &x, &y, &keys), VEIL_OK);
    cr_assert_eq(bfv_crt_rotate_rows(&y, &y, 2, &keys), VEIL_OK);

    /* per component: the public key, x and y (2 polynomials of L = 3
     * rows of n = 1024 words each) */
    const size_t poly = 1024 * 3;
    words = 3 * 6 * poly;
    *out = malloc(words * sizeof(uint64_t));
    cr_assert_not_null(*out);
    for (size_t i = 0; i < 3; i++) {
        memcpy(*out + off, keys.pk[i].data, 2 * poly * sizeof(uint64_t));
        off += 2 * poly;
        memcpy(*out + off, x.c[i].data, 2 * poly * sizeof(uint64_t));
        off += 2 * poly;
        memcpy(*out + off, y.c[i].data, 2 * poly * sizeof(uint64_t));
        off += 2 * poly;
    }
    bfv_crt_plaintext_clear(&pt);
    bfv_crt_ciphertext_clear(&x);
    bfv_crt_ciphertext_clear(&y);
    bfv_crt_keys_clear(&keys);
    bfv_crt_context_clear(&ctx);
    return off;
}

Test(crt_eval, threads_identical)
{
    uint64_t *one, *two;
    int saved = omp_get_max_threads();
    size_t a = omp_run(&one, 1), b = omp_run(&two, 2);
    omp_set_num_threads(saved);
    cr_assert_eq(a, b);
    cr_assert_eq(memcmp(one, two, a * sizeof(uint64_t)), 0,
                 "1 and 2 threads differ");
    free(one);
    free(two);
}
