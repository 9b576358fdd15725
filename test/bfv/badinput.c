/* Bad input: NULL pointers, objects of another context, wrong sizes,
 * missing keys, insecure or malformed parameters; every call answers with a
 * status and clears are safe twice. */
#include "helpers.h"
#include <criterion/criterion.h>

Test(badinput, nulls_and_mismatched_contexts)
{
    bt_env_t e, f;
    bfv_ciphertext_t a, b, fa;
    bfv_plaintext_t pt, fpt;
    bfv_plaintext_ntt_t ptn;
    bfv_hoisted_t h;
    int bits;

    bt_env_preset(&e, 4096, BT_RELIN, "badinput.e");
    bt_env_preset(&f, 4096, BT_RELIN, "badinput.f");
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&b, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&fa, &f.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&fpt, &f.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_ntt_init(&ptn, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&pt, 1), VEIL_OK);
    cr_assert_eq(bfv_plaintext_to_ntt(&ptn, &pt), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&a, &e.pk, &pt, &e.rng), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&b, &e.pk, &pt, &e.rng), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&fa, &f.pk, &fpt, &f.rng), VEIL_OK);

    /* init / keygen */
    cr_assert_eq(bfv_context_init(NULL, &e.params), VEIL_EINVAL);
    cr_assert_eq(bfv_context_init(&f.ctx, NULL), VEIL_EINVAL);
    cr_assert_eq(bfv_ciphertext_init(NULL, &e.ctx), VEIL_EINVAL);
    cr_assert_eq(bfv_ciphertext_init(&b, NULL), VEIL_EINVAL); /* b kept */
    cr_assert_eq(bfv_keygen_secret(NULL, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_keygen_public(&e.pk, &f.sk, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_keygen_relin(&e.rk, &f.sk, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_keygen_public(&e.pk, &e.sk, NULL), VEIL_EINVAL);

    /* encrypt / decrypt / noise */
    cr_assert_eq(bfv_encrypt(&a, &f.pk, &pt, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_encrypt(&a, &e.pk, &fpt, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_encrypt(NULL, &e.pk, &pt, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_encrypt_symmetric(&a, &f.sk, &pt, &e.rng), VEIL_EINVAL);
    cr_assert_eq(bfv_decrypt(&pt, &f.sk, &a), VEIL_EINVAL);
    cr_assert_eq(bfv_decrypt(&fpt, &e.sk, &a), VEIL_EINVAL);
    cr_assert_eq(bfv_decrypt(NULL, &e.sk, &a), VEIL_EINVAL);
    cr_assert_eq(bfv_noise_budget(&bits, &f.sk, &a), VEIL_EINVAL);
    cr_assert_eq(bfv_noise_budget(NULL, &e.sk, &a), VEIL_EINVAL);

    /* evaluator */
    cr_assert_eq(bfv_add(&b, &a, &fa), VEIL_EINVAL);
    cr_assert_eq(bfv_sub(&fa, &a, &b), VEIL_EINVAL);
    cr_assert_eq(bfv_add(&b, NULL, &a), VEIL_EINVAL);
    cr_assert_eq(bfv_negate(&fa, &a), VEIL_EINVAL);
    {
        /* a plaintext is mod t only: one of another context with the same n
         * and t is added (and decrypts: test/bfv/arith.c), another t or n
         * is refused */
        bfv_params_t gp = e.params;
        bfv_context_t g;
        bfv_plaintext_t gpt;
        gp.t = 40961; /* a prime = 1 mod 8192, not the preset's */
        cr_assert_neq(gp.t, e.params.t);
        cr_assert_eq(bfv_context_init(&g, &gp), VEIL_OK);
        cr_assert_eq(bfv_plaintext_init(&gpt, &g), VEIL_OK);
        cr_assert_eq(bfv_add_plain(&b, &a, &fpt), VEIL_OK);
        cr_assert_eq(bfv_add_plain(&b, &a, &gpt), VEIL_EINVAL);
        cr_assert_eq(bfv_sub_plain(&b, &a, &gpt), VEIL_EINVAL);
        bfv_plaintext_clear(&gpt);
        bfv_context_clear(&g);
    }
    cr_assert_eq(bfv_sub_plain(&b, &a, NULL), VEIL_EINVAL);
    cr_assert_eq(bfv_mul_plain(&b, &fa, &ptn), VEIL_EINVAL);
    cr_assert_eq(bfv_mul_scalar(&fa, &a, 3), VEIL_EINVAL);
    cr_assert_eq(bfv_mul(&b, &a, &fa), VEIL_EINVAL);
    cr_assert_eq(bfv_square(&fa, &a), VEIL_EINVAL);
    cr_assert_eq(bfv_relinearize(&b, &a, &f.rk), VEIL_EINVAL);
    cr_assert_eq(bfv_mul_relin(&b, &a, &a, &f.rk), VEIL_EINVAL);
    cr_assert_eq(bfv_mul_relin(&b, &a, &a, NULL), VEIL_EINVAL);
    cr_assert_eq(bfv_plaintext_to_ntt(&ptn, &fpt), VEIL_EINVAL);
    cr_assert_eq(bfv_ciphertext_copy(&fa, &a), VEIL_EINVAL);

    /* sizes: products need size-2 inputs; rotations too */
    cr_assert_eq(bfv_mul(&b, &a, &a), VEIL_OK);
    cr_assert_eq(b.size, 3);
    cr_assert_eq(bfv_mul(&a, &a, &b), VEIL_EINVAL);
    cr_assert_eq(bfv_square(&a, &b), VEIL_EINVAL);
    cr_assert_eq(bfv_rotate_rows(&a, &b, 1, &e.gk), VEIL_EINVAL);
    cr_assert_eq(bfv_hoisted_init(&h, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_hoisted_prepare(&h, &b), VEIL_EINVAL);
    cr_assert_eq(bfv_hoisted_prepare(&h, &fa), VEIL_EINVAL);
    bfv_hoisted_clear(&h);
    bfv_hoisted_clear(&h);
    /* a size-3 ciphertext still decrypts and can be relinearized */
    cr_assert_eq(bfv_relinearize(&b, &b, &e.rk), VEIL_OK);
    cr_assert_eq(b.size, 2);

    /* clears are safe twice */
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&a);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_ntt_clear(&ptn);
    bfv_plaintext_ntt_clear(&ptn);
    bfv_ciphertext_clear(&b);
    bfv_ciphertext_clear(&fa);
    bfv_plaintext_clear(&fpt);
    bt_env_clear(&e);
    bt_env_clear(&f);
    bfv_context_clear(NULL);
    bfv_ciphertext_clear(NULL);
    bfv_secret_key_clear(NULL);
    bfv_galois_keys_clear(NULL);
}

Test(badinput, missing_keys_and_no_batching)
{
    const unsigned qb[2] = {40, 40};
    bfv_params_t p;
    bt_env_t e;
    bfv_ciphertext_t a, r;
    bfv_plaintext_t pt;
    /* t = 256: no batching, so no rotations */
    bt_params_small(&p, 1024, qb, 2, 41, 256);
    bt_env_init(&e, &p, 0, "badinput.no_batching");
    cr_assert_eq(bfv_galois_keys_init(&e.gk, &e.ctx), VEIL_OK);
    e.have_gk = 1;
    const int64_t one = 1;
    cr_assert_eq(bfv_keygen_galois_steps(&e.gk, &e.sk, &one, 1, 0, &e.rng),
                 VEIL_EPARAM);
    cr_assert_eq(bfv_keygen_galois_pow2(&e.gk, &e.sk, &e.rng), VEIL_EPARAM);
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&pt, 200), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&a, &e.pk, &pt, &e.rng), VEIL_OK);
    cr_assert_eq(bfv_rotate_rows(&r, &a, 1, &e.gk), VEIL_EPARAM);
    /* the automorphism X -> X^(2n-1) still works with its key (scalar
     * plaintexts are fixed by every automorphism) */
    uint64_t elt = 2 * 1024 - 1;
    cr_assert_eq(bfv_apply_galois(&r, &a, elt, &e.gk), VEIL_ENOKEY);
    cr_assert_eq(bfv_keygen_galois_elts(&e.gk, &e.sk, &elt, 1, &e.rng),
                 VEIL_OK);
    cr_assert_eq(bfv_apply_galois(&r, &a, elt, &e.gk), VEIL_OK);
    cr_assert_eq(bfv_decrypt(&pt, &e.sk, &r), VEIL_OK);
    cr_assert_eq(pt.coeffs[0], 200);
    for (size_t k = 1; k < 1024; k++)
        cr_assert_eq(pt.coeffs[k], 0);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&r);
    bt_env_clear(&e);
}

Test(badinput, refused_parameters)
{
    bfv_params_t p;
    bfv_context_t ctx;
    cr_assert_eq(bfv_params_preset(&p, 8192), VEIL_OK);
    p.q[0] = 12345; /* not prime */
    cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_EPARAM);
    bfv_context_clear(&ctx);
    cr_assert_eq(bfv_params_from_budget(&p, 4096, 200, 65537, BFV_SEC_128),
                 VEIL_OK);
    cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_EPARAM); /* insecure */
    p.allow_insecure = 1;
    cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_OK);
    bfv_context_clear(&ctx);
    bfv_context_clear(&ctx);
}

#ifdef VEIL_DEBUG
/* --enable-debug: a ciphertext with a residue at or above its prime (a
 * corrupted object, never one the library made) stops the evaluator at
 * its entry (VEIL_ASSERT aborts); fails if the check is removed. */
#include <signal.h>

Test(debug, add_refuses_an_unreduced_ciphertext, .signal = SIGABRT)
{
    const unsigned qb[2] = {40, 40};
    bfv_params_t p;
    bt_env_t e;
    bfv_ciphertext_t a, r;
    bfv_plaintext_t pt;
    bt_params_small(&p, 1024, qb, 2, 41, 256);
    bt_env_init(&e, &p, 0, "debug.add_unreduced");
    cr_assert_eq(bfv_ciphertext_init(&a, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&pt, 7), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&a, &e.pk, &pt, &e.rng), VEIL_OK);
    cr_assert_eq(bfv_add(&r, &a, &a), VEIL_OK); /* reduced: accepted */
    bfv_ct_row(&a, 1, 1)[5] = e.ctx.plans[1].q;
    veil_status st = bfv_add(&r, &a, &a);
    cr_assert_fail("bfv_add returned %d instead of stopping", (int)st);
}
#endif
