/*
 * 01_bfv_basics - the first veil tutorial: BFV from key generation to
 * decryption, printing the noise budget after every step.
 *
 * We evaluate p(x) = 3 x^2 + 2 x + 1 on 8192 encrypted integers at once
 * (one per slot), with the 128-bit preset for n = 8192, and check every
 * slot against the same computation on the plaintexts, mod t = 65537.
 *
 *   apps/01_bfv_basics
 *
 * Read alongside doc/03-bfv.md (keys, encryption, noise) and
 * doc/04-bfv-multiplication.md.  Exit status 0 when every check passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include "veil/bfv.h"

/* Stop with a message when a call fails. */
static void check(veil_status st, const char *what)
{
    if (st != VEIL_OK) {
        fprintf(stderr, "01_bfv_basics: %s: %s\n", what, veil_strerror(st));
        exit(1);
    }
}

static int budget(const bfv_secret_key_t *sk, const bfv_ciphertext_t *ct)
{
    int bits;
    check(bfv_noise_budget(&bits, sk, ct), "noise budget");
    return bits;
}

int main(void)
{
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_plaintext_t pt, two, one;
    bfv_ciphertext_t x, y;
    veil_rng_t rng;
    char why[256];

    /* 1. Parameters: ring degree n, ciphertext primes Q, one special prime
     * P for key switching, plaintext modulus t.  The preset is checked
     * against the HomomorphicEncryption.org table (doc/07-parameters.md). */
    check(bfv_params_preset(&params, 8192), "preset");
    check(bfv_params_check(&params, why, sizeof(why)), why);
    check(bfv_context_init(&ctx, &params), "context");
    printf("parameters: n = %zu, %zu ciphertext primes + %zu special, "
           "log2(QP) = %u bits (128-bit limit %u), t = %llu\n",
           ctx.n, ctx.n_q, ctx.n_p, bfv_params_log_qp(&params),
           bfv_security_max_bits(ctx.n, BFV_SEC_128),
           (unsigned long long)params.t);

    /* 2. Keys: a ternary secret s, the public key (-(a s + e), a) and the
     * relinearization key that turns s^2 back into s after a product. */
    check(veil_rng_init(&rng), "randomness");
    check(bfv_secret_key_init(&sk, &ctx), "secret key");
    check(bfv_public_key_init(&pk, &ctx), "public key");
    check(bfv_relin_key_init(&rk, &ctx), "relin key");
    check(bfv_keygen_secret(&sk, &rng), "keygen secret");
    check(bfv_keygen_public(&pk, &sk, &rng), "keygen public");
    check(bfv_keygen_relin(&rk, &sk, &rng), "keygen relin");
    printf("keys: secret, public and relinearization keys made\n");

    /* 3. Encode: the 8192 slots hold the values -4096 .. 4095 (signed
     * values are centred mod t). */
    const size_t n = ctx.n;
    int64_t *vals = malloc(n * sizeof(int64_t));
    int64_t *got = malloc(n * sizeof(int64_t));
    if (vals == NULL || got == NULL) {
        fprintf(stderr, "01_bfv_basics: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        vals[i] = (int64_t)i - (int64_t)(n / 2);
    check(bfv_plaintext_init(&pt, &ctx), "plaintext");
    check(bfv_plaintext_init(&two, &ctx), "plaintext");
    check(bfv_plaintext_init(&one, &ctx), "plaintext");
    check(bfv_encode_batch_signed(&pt, vals, n), "encode");

    /* 4. Encrypt with the public key.  The fresh budget is about
     * log2(Q) - log2(t) - log2(noise) bits. */
    check(bfv_ciphertext_init(&x, &ctx), "ciphertext");
    check(bfv_ciphertext_init(&y, &ctx), "ciphertext");
    check(bfv_encrypt(&x, &pk, &pt, &rng), "encrypt");
    printf("encrypt            budget %3d bits\n", budget(&sk, &x));

    /* 5. Compute p(x) = 3 x^2 + 2 x + 1 by Horner: (3 x + 2) x + 1. */
    check(bfv_mul_scalar(&y, &x, 3), "mul_scalar");
    printf(
        "y = 3 x            budget %3d bits  (times c: about log2(c) bits)\n",
        budget(&sk, &y));
    check(bfv_encode_scalar(&two, 2), "encode 2");
    check(bfv_add_plain(&y, &y, &two), "add_plain");
    printf("y = y + 2          budget %3d bits  (adding a plaintext: ~0)\n",
           budget(&sk, &y));
    check(bfv_mul(&y, &y, &x), "mul");
    printf("y = y * x          budget %3d bits  (a product: about log2(t n))\n",
           budget(&sk, &y));
    check(bfv_relinearize(&y, &y, &rk), "relinearize");
    printf("relinearize        budget %3d bits  (key switching: ~0)\n",
           budget(&sk, &y));
    check(bfv_encode_scalar(&one, 1), "encode 1");
    check(bfv_add_plain(&y, &y, &one), "add_plain");
    printf("y = y + 1          budget %3d bits\n", budget(&sk, &y));

    /* 6. Decrypt, decode and compare with the plaintext computation. */
    check(bfv_decrypt(&pt, &sk, &y), "decrypt");
    check(bfv_decode_batch_signed(got, &pt), "decode");
    const int64_t t = (int64_t)params.t;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v = vals[i];
        int64_t want = ((3 * v * v + 2 * v + 1) % t + t) % t;
        if (want > t / 2)
            want -= t;
        if (got[i] != want)
            bad++;
    }
    printf("decrypt: p(%lld) = %lld, p(%lld) = %lld, ... ", (long long)vals[0],
           (long long)got[0], (long long)vals[n - 1], (long long)got[n - 1]);
    printf("%s (%zu of %zu slots wrong)\n", bad ? "FAILED" : "all correct", bad,
           n);

    free(vals);
    free(got);
    bfv_ciphertext_clear(&x);
    bfv_ciphertext_clear(&y);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_clear(&two);
    bfv_plaintext_clear(&one);
    bfv_relin_key_clear(&rk);
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
    veil_rng_clear(&rng);
    return bad ? 1 : 0;
}
