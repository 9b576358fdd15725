/*
 * 03_crt_plaintexts - tutorial: exact integer arithmetic far beyond the
 * plaintext modulus, with a CRT-composed plaintext modulus
 * (doc/08-crt-plaintexts.md).
 *
 * We compute, slot by slot on encrypted vectors a and b of signed 40-bit
 * integers,
 *     r = a * b * a + 12345 * rotate(b, 1),
 * whose values reach 2^120: far more than any single plaintext prime can
 * hold (primes are below 2^50, and the noise grows with t).  Instead, we
 * use k primes t_i of 30 bits: each component computes r mod t_i, and the
 * Chinese remainder theorem gives back r exactly, as long as |r| < T/2,
 * T = t_0 ... t_{k-1}.  The steps:
 *   1. bound the result and choose the fewest primes (bfv_crt_choose_primes);
 *   2. predict the noise budget before generating anything (bfv_estimate.h);
 *   3. generate the keys, encode and encrypt;
 *   4. evaluate, printing the exact noise budget after every step;
 *   5. decrypt, decode by CRT, and compare with the same computation done
 *      in the clear with FLINT integers;
 *   6. send the result through the serialization format (bfv_serial.h).
 * The program prints "checks: N passed, M failed" and exits with 1 if a
 * check failed.
 *
 *   apps/03_crt_plaintexts
 */
#include "veil/bfv_crt.h"
#include "veil/bfv_estimate.h"
#include "veil/bfv_serial.h"
#include <flint/fmpz_vec.h>
#include <stdio.h>
#include <stdlib.h>

#define VALUE_BITS 40 /* |a|, |b| < 2^40 */
#define PRIME_BITS 30
#define SCALE 12345

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("  check: %-52s %s\n", what, ok ? "ok" : "FAILED");
    if (ok)
        passed++;
    else
        failed++;
}

/* Stop with a message when a library call fails (a tutorial keeps error
 * handling short; a real program would clean up and propagate). */
static void need(veil_status st, const char *what)
{
    if (st != VEIL_OK) {
        fprintf(stderr, "03_crt_plaintexts: %s: %s\n", what, veil_strerror(st));
        exit(1);
    }
}

/* Uniform signed values in (-2^bits, 2^bits). */
static void random_values(fmpz *v, size_t n, unsigned bits, veil_rng_t *rng)
{
    const uint64_t range = (uint64_t)1 << bits;
    for (size_t j = 0; j < n; j++) {
        uint64_t x = veil_rng_u64(rng) % (2 * range - 1);
        fmpz_set_si(v + j, (slong)x - (slong)(range - 1));
    }
}

static void print_budget(const char *step, const bfv_crt_keys_t *keys,
                         const bfv_crt_ciphertext_t *ct,
                         const bfv_estimator_t *model, const bfv_est_t *est)
{
    int bits;
    need(bfv_crt_noise_budget(&bits, keys, ct), "noise budget");
    printf("  %-36s budget %3d bits (predicted %3d)\n", step, bits,
           bfv_est_budget(model, est));
}

int main(void)
{
    bfv_params_t base;
    bfv_crt_params_t params;
    bfv_crt_context_t ctx;
    bfv_crt_keys_t keys;
    bfv_crt_plaintext_t pt;
    bfv_crt_ciphertext_t ca, cb, r, tmp;
    bfv_estimator_t model;
    bfv_est_t ea, eb, er, etmp;
    uint64_t t[BFV_CRT_MAX], avoid[BFV_MAX_Q + BFV_MAX_P];
    size_t k;
    fmpz_t bound, T;
    veil_rng_t rng;
    const int64_t step = 1;
    char why[256];

    need(veil_rng_init(&rng), "random generator");
    need(bfv_params_preset(&base, 8192), "preset");
    const size_t n = base.n;

    /* 1. The largest |r| is 2^40 * 2^40 * 2^40 + 12345 * 2^40 < 2^121. */
    printf("1. Choosing the plaintext primes\n");
    fmpz_init(bound);
    fmpz_init(T);
    fmpz_one(bound);
    fmpz_mul_2exp(bound, bound, 3 * VALUE_BITS + 1);
    for (size_t i = 0; i < base.n_q; i++)
        avoid[i] = base.q[i];
    for (size_t i = 0; i < base.n_p; i++)
        avoid[base.n_q + i] = base.p[i];
    need(bfv_crt_choose_primes(t, &k, BFV_CRT_MAX, bound, PRIME_BITS, n, avoid,
                               base.n_q + base.n_p),
         "choosing primes");
    if (bfv_crt_params_init(&params, &base, t, k, why, sizeof(why)) !=
        VEIL_OK) {
        fprintf(stderr, "03_crt_plaintexts: %s\n", why);
        return 1;
    }
    need(bfv_crt_context_init(&ctx, &params), "context");
    bfv_crt_modulus(T, &ctx);
    printf("  values up to 2^%lu in absolute value need T > 2^%lu:\n",
           (unsigned long)fmpz_bits(bound) - 1,
           (unsigned long)fmpz_bits(bound));
    for (size_t i = 0; i < k; i++)
        printf("    t_%zu = %llu  (= 1 mod 2n = %zu: batching)\n", i,
               (unsigned long long)t[i], 2 * n);
    printf("  k = %zu primes, T has %lu bits; ring degree n = %zu, "
           "log2 QP = %u\n",
           k, (unsigned long)fmpz_bits(T), n, bfv_params_log_qp(&base));

    /* 2. Predict before generating anything: the largest t_i is the worst
     * component. */
    printf("2. Predicting the noise budget (bfv_estimate.h)\n");
    {
        bfv_params_t worst = base;
        worst.t = t[0]; /* the primes come largest first */
        need(bfv_est_init(&model, &worst), "estimator");
    }
    bfv_est_encrypt(&ea, &model);
    eb = ea;
    bfv_est_mul_relin(&er, &model, &ea, &eb);
    bfv_est_mul_relin(&er, &model, &er, &ea);
    bfv_est_rotate(&etmp, &model, &eb, 1);
    bfv_est_mul_scalar(&etmp, &model, &etmp, SCALE);
    bfv_est_add(&er, &model, &er, &etmp);
    printf("  fresh: %d bits, predicted at the end: %d bits (> 0: the "
           "parameters suffice)\n",
           bfv_est_budget(&model, &ea), bfv_est_budget(&model, &er));
    check(bfv_est_budget(&model, &er) > 0, "predicted final budget positive");

    /* 3. Keys (k secret, public, relinearization and Galois keys), data. */
    printf("3. Keys, encoding, encryption\n");
    need(bfv_crt_keys_init(&keys, &ctx), "keys");
    need(bfv_crt_keygen(&keys, BFV_CRT_PUBLIC | BFV_CRT_RELIN | BFV_CRT_GALOIS,
                        &step, 1, 0, &rng),
         "key generation");
    fmpz *a = _fmpz_vec_init((slong)n), *b = _fmpz_vec_init((slong)n);
    fmpz *want = _fmpz_vec_init((slong)n), *got = _fmpz_vec_init((slong)n);
    random_values(a, n, VALUE_BITS, &rng);
    random_values(b, n, VALUE_BITS, &rng);
    need(bfv_crt_plaintext_init(&pt, &ctx), "plaintext");
    need(bfv_crt_ciphertext_init(&ca, &ctx), "ciphertext");
    need(bfv_crt_ciphertext_init(&cb, &ctx), "ciphertext");
    need(bfv_crt_ciphertext_init(&r, &ctx), "ciphertext");
    need(bfv_crt_ciphertext_init(&tmp, &ctx), "ciphertext");
    need(bfv_crt_encode_fmpz(&pt, a, n), "encode a");
    need(bfv_crt_encrypt(&ca, &keys, &pt, &rng), "encrypt a");
    need(bfv_crt_encode_fmpz(&pt, b, n), "encode b");
    need(bfv_crt_encrypt(&cb, &keys, &pt, &rng), "encrypt b");
    printf("  %zu slots of 40-bit integers, each split into %zu residues\n", n,
           k);
    print_budget("a = Enc(a)", &keys, &ca, &model, &ea);

    /* 4. r = a * b * a + 12345 * rotate(b, 1), component by component. */
    printf("4. Evaluating r = a * b * a + %d * rotate(b, 1)\n", SCALE);
    er = ea;
    need(bfv_crt_mul_relin(&r, &ca, &cb, &keys), "a * b");
    bfv_est_mul_relin(&er, &model, &ea, &eb);
    print_budget("a * b (relinearized)", &keys, &r, &model, &er);
    need(bfv_crt_mul_relin(&r, &r, &ca, &keys), "a * b * a");
    bfv_est_mul_relin(&er, &model, &er, &ea);
    print_budget("a * b * a", &keys, &r, &model, &er);
    need(bfv_crt_rotate_rows(&tmp, &cb, step, &keys), "rotate b");
    bfv_est_rotate(&etmp, &model, &eb, 1);
    print_budget("rotate(b, 1)", &keys, &tmp, &model, &etmp);
    need(bfv_crt_mul_scalar(&tmp, &tmp, SCALE), "scale");
    bfv_est_mul_scalar(&etmp, &model, &etmp, SCALE);
    need(bfv_crt_add(&r, &r, &tmp), "add");
    bfv_est_add(&er, &model, &er, &etmp);
    print_budget("r", &keys, &r, &model, &er);

    /* 5. Decrypt, join by CRT, compare with the computation over Z. */
    printf("5. Decrypting and joining the residues by CRT\n");
    need(bfv_crt_decrypt(&pt, &keys, &r), "decrypt");
    need(bfv_crt_decode_fmpz(got, &pt), "decode");
    {
        const size_t half = n / 2;
        int all = 1;
        for (size_t j = 0; j < n; j++) {
            /* rotate(b, 1) moves column c to c + 1 in both rows, so slot
             * j holds b from column j - 1 of its row */
            size_t row = j / half, col = j % half;
            size_t src = row * half + (col + half - 1) % half;
            fmpz_mul(want + j, a + j, b + j);
            fmpz_mul(want + j, want + j, a + j);
            fmpz_addmul_ui(want + j, b + src, SCALE);
            if (!fmpz_equal(want + j, got + j))
                all = 0;
        }
        printf("  slot 0: ");
        fmpz_print(got);
        printf("\n  exact : ");
        fmpz_print(want);
        printf("\n  (%lu bits; no single prime below 2^50 could hold it)\n",
               (unsigned long)fmpz_bits(want));
        check(all, "every slot equals the computation over Z");
    }

    /* 6. The result on the wire: k component ciphertexts in one object. */
    printf("6. Serializing the result\n");
    {
        size_t len, size = bfv_crt_ciphertext_serial_size(&r, 0);
        uint8_t *buf = malloc(size);
        if (buf == NULL)
            need(VEIL_ENOMEM, "buffer");
        need(bfv_crt_ciphertext_serialize(buf, size, &len, &r, 0), "serialize");
        need(bfv_crt_ciphertext_deserialize(&tmp, buf, len, NULL),
             "deserialize");
        printf("  %zu bytes for %zu components\n", len, k);
        need(bfv_crt_decrypt(&pt, &keys, &tmp), "decrypt");
        need(bfv_crt_decode_fmpz(got, &pt), "decode");
        check(_fmpz_vec_equal(got, want, (slong)n),
              "the received ciphertext decrypts to r");
        free(buf);
    }

    _fmpz_vec_clear(a, (slong)n);
    _fmpz_vec_clear(b, (slong)n);
    _fmpz_vec_clear(want, (slong)n);
    _fmpz_vec_clear(got, (slong)n);
    fmpz_clear(bound);
    fmpz_clear(T);
    bfv_crt_plaintext_clear(&pt);
    bfv_crt_ciphertext_clear(&ca);
    bfv_crt_ciphertext_clear(&cb);
    bfv_crt_ciphertext_clear(&r);
    bfv_crt_ciphertext_clear(&tmp);
    bfv_crt_keys_clear(&keys);
    bfv_crt_context_clear(&ctx);
    veil_rng_clear(&rng);
    printf("checks: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
