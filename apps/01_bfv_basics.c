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
 * It also prints what things cost: the size of keys and ciphertexts (a
 * ciphertext has 2 polynomials, 3 right after a product), in memory and
 * serialized (doc/09-serialization.md), and the time of every step (one
 * run; veil-bench gives medians).  It ends by multiplying a ciphertext
 * until its noise budget is gone, and shows the decryption going wrong.
 *
 * Read alongside doc/03-bfv.md (keys, encryption, noise) and
 * doc/04-bfv-multiplication.md.  Exit status 0 when every check passes:
 * p(x) is right in every slot, every decryption with a positive budget is
 * right, and the last one, at budget 0, is wrong.
 */
#include "veil/bfv.h"
#include "veil/bfv_serial.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Stop with a message when a call fails. */
static void check(veil_status st, const char *what)
{
    if (st != VEIL_OK) {
        fprintf(stderr, "01_bfv_basics: %s: %s\n", what, veil_strerror(st));
        exit(1);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Bytes of a ciphertext in memory: size x L rows x n words. */
static size_t ct_bytes(const bfv_ciphertext_t *ct)
{
    return ct->size * ct->ctx->n_q * ct->ctx->n * sizeof(uint64_t);
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
    double t0, t1, t2, t3;
    check(veil_rng_init(&rng), "randomness");
    check(bfv_secret_key_init(&sk, &ctx), "secret key");
    check(bfv_public_key_init(&pk, &ctx), "public key");
    check(bfv_relin_key_init(&rk, &ctx), "relin key");
    t0 = now_ms();
    check(bfv_keygen_secret(&sk, &rng), "keygen secret");
    t1 = now_ms();
    check(bfv_keygen_public(&pk, &sk, &rng), "keygen public");
    t2 = now_ms();
    check(bfv_keygen_relin(&rk, &sk, &rng), "keygen relin");
    t3 = now_ms();
    /* Sizes: in memory every residue is a 64-bit word; serialized, residues
     * are bit-packed and uniform halves travel as 32-byte seeds. */
    const size_t L = ctx.n_q, K = ctx.n_p, words = ctx.n * sizeof(uint64_t);
    printf("keys (time, bytes in memory, bytes serialized):\n");
    printf("  secret key  %7.2f ms  %9zu  %9zu\n", t1 - t0,
           ctx.n + (L + K) * words, bfv_secret_key_serial_size(&sk));
    printf("  public key  %7.2f ms  %9zu  %9zu  (b, a: 2 x %zu rows)\n",
           t2 - t1, 2 * L * words, bfv_public_key_serial_size(&pk), L);
    printf("  relin key   %7.2f ms  %9zu  %9zu  (%zu digits x 2 x %zu rows)\n",
           t3 - t2, rk.ksk.digits * 2 * (L + K) * words,
           bfv_relin_key_serial_size(&rk), rk.ksk.digits, L + K);

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
    t0 = now_ms();
    check(bfv_encrypt(&x, &pk, &pt, &rng), "encrypt");
    t1 = now_ms();
    printf("encrypt            budget %3d bits  %7.2f ms; %zu polynomials, "
           "%zu bytes (%zu serialized)\n",
           budget(&sk, &x), t1 - t0, x.size, ct_bytes(&x),
           bfv_ciphertext_serial_size(&x, 0));

    /* 5. Compute p(x) = 3 x^2 + 2 x + 1 by Horner: (3 x + 2) x + 1. */
    check(bfv_mul_scalar(&y, &x, 3), "mul_scalar");
    printf(
        "y = 3 x            budget %3d bits  (times c: about log2(c) bits)\n",
        budget(&sk, &y));
    check(bfv_encode_scalar(&two, 2), "encode 2");
    check(bfv_add_plain(&y, &y, &two), "add_plain");
    printf("y = y + 2          budget %3d bits  (adding a plaintext: ~0)\n",
           budget(&sk, &y));
    t0 = now_ms();
    check(bfv_mul(&y, &y, &x), "mul");
    t1 = now_ms();
    printf("y = y * x          budget %3d bits  (a product: about log2(t n))\n"
           "                   %7.2f ms; %zu polynomials, %zu bytes\n",
           budget(&sk, &y), t1 - t0, y.size, ct_bytes(&y));
    t0 = now_ms();
    check(bfv_relinearize(&y, &y, &rk), "relinearize");
    t1 = now_ms();
    printf("relinearize        budget %3d bits  (key switching: ~0)\n"
           "                   %7.2f ms; %zu polynomials, %zu bytes\n",
           budget(&sk, &y), t1 - t0, y.size, ct_bytes(&y));
    check(bfv_encode_scalar(&one, 1), "encode 1");
    check(bfv_add_plain(&y, &y, &one), "add_plain");
    printf("y = y + 1          budget %3d bits\n", budget(&sk, &y));

    /* 6. Decrypt, decode and compare with the plaintext computation. */
    t0 = now_ms();
    check(bfv_decrypt(&pt, &sk, &y), "decrypt");
    t1 = now_ms();
    printf("decrypt            %7.2f ms\n", t1 - t0);
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

    /* 7. Spend the budget: multiply z by fresh encryptions of 1 until the
     * budget is 0.  The message never changes, so every decryption should
     * give back the same slots; once the noise has passed Q/2 it does not
     * (doc/03-bfv.md, section 5). */
    int wrong_with_budget = 0, last_wrong = 0;
    bfv_ciphertext_t z;
    check(bfv_ciphertext_init(&z, &ctx), "ciphertext");
    for (size_t i = 0; i < n; i++)
        vals[i] = (int64_t)(i % 5) - 2;
    check(bfv_encode_batch_signed(&pt, vals, n), "encode");
    check(bfv_encrypt(&z, &pk, &pt, &rng), "encrypt");
    check(bfv_encode_scalar(&one, 1), "encode 1");
    printf("\nmultiplying z = Enc(-2 -1 0 1 2 ...) by fresh encryptions of 1:"
           "\n");
    for (int level = 0; level <= 12; level++) {
        size_t wrong = 0;
        int b;
        if (level > 0) {
            check(bfv_encrypt(&x, &pk, &one, &rng), "encrypt 1");
            check(bfv_mul_relin(&z, &z, &x, &rk), "mul_relin");
        }
        b = budget(&sk, &z);
        check(bfv_decrypt(&pt, &sk, &z), "decrypt");
        check(bfv_decode_batch_signed(got, &pt), "decode");
        for (size_t i = 0; i < n; i++)
            wrong += got[i] != vals[i];
        printf("  %2d products   budget %3d bits   slots [%lld %lld %lld %lld "
               "%lld ...]   %zu of %zu wrong\n",
               level, b, (long long)got[0], (long long)got[1],
               (long long)got[2], (long long)got[3], (long long)got[4], wrong,
               n);
        if (b > 0 && wrong > 0)
            wrong_with_budget = 1;
        last_wrong = wrong > 0;
        if (b == 0)
            break;
    }
    printf("%s\n", !wrong_with_budget && last_wrong
                       ? "right while the budget lasted, wrong at 0"
                       : "UNEXPECTED: see doc/03-bfv.md, section 5");
    bad += wrong_with_budget || !last_wrong;
    bfv_ciphertext_clear(&z);

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
