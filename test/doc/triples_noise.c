/*
 * doc/20-two-party.md, section 3.4: the reply of the BFV triple generator
 * (mpc/triples_bfv.c), R = Enc(a1) b2 + Enc(b1) a2 + (a2 b2 - c2) +
 * Enc_pk(0), before the flood, has a noise far below the bound the code
 * floods against, 2^(log2 n + 2 log2 t + 4).  The same operations as the
 * server, at the same parameters (mpc_bfv_params), with the exact budget;
 * the log line gives the figure the chapter quotes:
 *   test/doc/test_doc --verbose --filter 'doc_triples/ *'  (no space)
 */
#include "../common/seed.h"
#include "veil/bfv.h"
#include "veil/mpc_bfv.h"
#include "veil/mpc_field.h"
#include "veil/mpc_gc.h"
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdlib.h>

Test(doc_triples, raw_reply_noise_is_far_below_the_flood_bound, .timeout = 300)
{
    mpc_field_t f;
    bfv_params_t prm;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_plaintext_t pt, zero;
    bfv_plaintext_ntt_t ptn;
    bfv_ciphertext_t ca, cb, z;
    veil_rng_t rng;
    uint64_t *a1, *b1, *a2, *b2, *c2, *d;
    int budget;

    vt_rng(&rng, "doc_triples");
    cr_assert_eq(mpc_field_init(&f, MPC_FIELD_P_DEFAULT, 15), VEIL_OK);
    cr_assert_eq(mpc_bfv_params(&prm, &f), VEIL_OK);
    cr_assert_eq(bfv_context_init(&ctx, &prm), VEIL_OK);
    const size_t n = ctx.n;
    a1 = malloc(6 * n * sizeof(uint64_t));
    cr_assert_not_null(a1);
    b1 = a1 + n, a2 = b1 + n, b2 = a2 + n, c2 = b2 + n, d = c2 + n;
    cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&pk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&zero, &ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_ntt_init(&ptn, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&ca, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&cb, &ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&z, &ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&pk, &sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&zero, 0), VEIL_OK);

    /* the client: symmetric encryptions of random a1, b1 */
    mpc_field_vec_random(&f, &rng, a1, n);
    mpc_field_vec_random(&f, &rng, b1, n);
    cr_assert_eq(bfv_encode_batch(&pt, a1, n), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&ca, &sk, &pt, &rng), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, b1, n), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&cb, &sk, &pt, &rng), VEIL_OK);

    /* the server, as mpc/triples_bfv.c, without the flood */
    mpc_field_vec_random(&f, &rng, a2, n);
    mpc_field_vec_random(&f, &rng, b2, n);
    mpc_field_vec_random(&f, &rng, c2, n);
    mpc_field_vec_mul(&f, d, a2, b2, n);
    mpc_field_vec_sub(&f, d, d, c2, n);
    cr_assert_eq(bfv_encode_batch(&pt, b2, n), VEIL_OK);
    cr_assert_eq(bfv_plaintext_to_ntt(&ptn, &pt), VEIL_OK);
    cr_assert_eq(bfv_mul_plain(&ca, &ca, &ptn), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, a2, n), VEIL_OK);
    cr_assert_eq(bfv_plaintext_to_ntt(&ptn, &pt), VEIL_OK);
    cr_assert_eq(bfv_mul_plain(&cb, &cb, &ptn), VEIL_OK);
    cr_assert_eq(bfv_add(&ca, &ca, &cb), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, d, n), VEIL_OK);
    cr_assert_eq(bfv_add_plain(&ca, &ca, &pt), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&z, &pk, &zero, &rng), VEIL_OK);
    cr_assert_eq(bfv_add(&ca, &ca, &z), VEIL_OK);

    /* budget b: Q / 2^(b+2) < |t v + r| <= Q / 2^(b+1), so the phase
     * noise v has between log2 Q - log2 t - b - 2 and
     * log2 Q - log2 t - b - 1 bits (up to the rounding r) */
    cr_assert_eq(bfv_noise_budget(&budget, &sk, &ca), VEIL_OK);
    double logq = 0;
    for (size_t i = 0; i < ctx.n_q; i++)
        logq += log2((double)prm.q[i]);
    const double hi = logq - log2((double)prm.t) - budget - 1;
    unsigned logn = 0, logt = 64 - (unsigned)__builtin_clzll(prm.t);
    while (((size_t)1 << logn) < n)
        logn++;
    const unsigned bound = logn + 2 * logt + 4; /* mpc/triples_bfv.c */
    cr_log_info("triples reply before the flood: budget %d bits, raw noise "
                "between 2^%.1f and 2^%.1f; the flood's bound is 2^%u",
                budget, hi - 1, hi, bound);
    cr_expect_gt(budget, 0);
    cr_expect_lt(hi, (double)bound - 20,
                 "the raw noise 2^%.1f is not far below the bound 2^%u", hi,
                 bound);

    bfv_ciphertext_clear(&z);
    bfv_ciphertext_clear(&cb);
    bfv_ciphertext_clear(&ca);
    bfv_plaintext_ntt_clear(&ptn);
    bfv_plaintext_clear(&zero);
    bfv_plaintext_clear(&pt);
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
    veil_rng_clear(&rng);
    free(a1);
}
