/* Thread-count independence: keys, ciphertexts and evaluation results made
 * from the same seeds are byte-identical with 1 and with 2 OpenMP threads. */
#include "helpers.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Everything one run produces, concatenated. */
typedef struct {
    uint8_t *bytes;
    size_t len, cap;
} blob_t;

static void put(blob_t *b, const void *p, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = 2 * (b->len + len);
        b->bytes = realloc(b->bytes, b->cap);
        cr_assert_not_null(b->bytes);
    }
    memcpy(b->bytes + b->len, p, len);
    b->len += len;
}

static void put_ct(blob_t *b, const bfv_ciphertext_t *ct)
{
    put(b, ct->data, ct->size * ct->ctx->n_q * ct->ctx->n * sizeof(uint64_t));
}

static void run(blob_t *b, int threads, const bfv_params_t *p)
{
    const uint8_t seed[VEIL_SEED_BYTES] = {0x5e, 0xed};
    const int64_t steps[3] = {1, -2, 5};
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_plaintext_t pt;
    bfv_ciphertext_t x, y, z, outs[3];
    veil_rng_t rng;

    omp_set_num_threads(threads);
    veil_rng_init_seed(&rng, seed);
    cr_assert_eq(bfv_context_init(&ctx, p), VEIL_OK);
    cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&pk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_relin_key_init(&rk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_galois_keys_init(&gk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&x, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&y, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&z, &ctx), VEIL_OK);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(bfv_ciphertext_init(&outs[i], &ctx), VEIL_OK);

    cr_assert_eq(bfv_keygen_secret(&sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&pk, &sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_relin(&rk, &sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_galois_steps(&gk, &sk, steps, 3, 1, &rng), VEIL_OK);
    put(b, sk.ntt, ctx.n_qp * ctx.n * sizeof(uint64_t));
    put(b, pk.data, 2 * ctx.n_q * ctx.n * sizeof(uint64_t));
    put(b, rk.ksk.data, 2 * rk.ksk.digits * ctx.n_qp * ctx.n * 8);
    for (size_t k = 0; k < gk.count; k++)
        put(b, gk.keys[k].ksk.data,
            2 * gk.keys[k].ksk.digits * ctx.n_qp * ctx.n * 8);

    uint64_t *v = malloc(ctx.n * sizeof(uint64_t));
    veil_rng_uniform_mod(&rng, v, ctx.n, p->t);
    cr_assert_eq(bfv_encode_batch(&pt, v, ctx.n), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&x, &pk, &pt, &rng), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&y, &sk, &pt, &rng), VEIL_OK);
    put_ct(b, &x);
    put_ct(b, &y);
    cr_assert_eq(bfv_mul_relin(&z, &x, &y, &rk), VEIL_OK);
    put_ct(b, &z);
    cr_assert_eq(bfv_square(&z, &x), VEIL_OK);
    put_ct(b, &z);
    cr_assert_eq(bfv_rotate_rows(&z, &x, 3, &gk), VEIL_OK); /* composed */
    put_ct(b, &z);
    cr_assert_eq(bfv_rotate_rows_many(outs, &y, steps, 3, &gk), VEIL_OK);
    for (int i = 0; i < 3; i++)
        put_ct(b, &outs[i]);
    cr_assert_eq(bfv_add_plain(&z, &x, &pt), VEIL_OK);
    put_ct(b, &z);
    cr_assert_eq(bfv_decrypt(&pt, &sk, &z), VEIL_OK);
    put(b, pt.coeffs, ctx.n * sizeof(uint64_t));

    free(v);
    for (int i = 0; i < 3; i++)
        bfv_ciphertext_clear(&outs[i]);
    bfv_ciphertext_clear(&x);
    bfv_ciphertext_clear(&y);
    bfv_ciphertext_clear(&z);
    bfv_plaintext_clear(&pt);
    bfv_galois_keys_clear(&gk);
    bfv_relin_key_clear(&rk);
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
}

static void same_for_1_and_2(const bfv_params_t *p)
{
    blob_t one = {0}, two = {0};
    int saved = omp_get_max_threads();
    run(&one, 1, p);
    run(&two, 2, p);
    omp_set_num_threads(saved);
    cr_assert_eq(one.len, two.len);
    cr_assert(memcmp(one.bytes, two.bytes, one.len) == 0,
              "1 and 2 threads differ");
    free(one.bytes);
    free(two.bytes);
}

Test(omp, identical_for_1_and_2_threads_8192)
{
    bfv_params_t p;
    cr_assert_eq(bfv_params_preset(&p, 8192), VEIL_OK);
    same_for_1_and_2(&p);
}

/* two special primes: the digit conversion and the division by P go
 * through the fast base conversion */
Test(omp, identical_for_1_and_2_threads_two_special_primes)
{
    const unsigned qb[3] = {40, 40, 40}, pb[2] = {41, 41};
    bfv_params_t p;
    cr_assert_eq(
        bfv_params_from_bits(&p, 4096, qb, 3, pb, 2, 65537, BFV_SEC_128),
        VEIL_OK);
    p.allow_insecure = 1;
    same_for_1_and_2(&p);
}
