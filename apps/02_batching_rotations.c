/*
 * 02_batching_rotations - the second veil tutorial: the 2 x n/2 slot matrix
 * of the batch encoder, row rotations, the row swap, hoisted rotations and
 * a rotate-and-add sum over all slots, as LoLa's kernels use them
 * (papers/lola, section 3.1; doc/06-rotations.md).
 *
 *   apps/02_batching_rotations
 *
 * Every step is decrypted and compared with the same permutation applied to
 * the plaintext matrix.  It also times four rotations done one by one
 * against the same four hoisted (one decomposition shared), and checks that
 * both give identical ciphertexts.  Exit status 0 when every check passes.
 */
#include "veil/bfv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void check(veil_status st, const char *what)
{
    if (st != VEIL_OK) {
        fprintf(stderr, "02_batching_rotations: %s: %s\n", what,
                veil_strerror(st));
        exit(1);
    }
}

typedef struct {
    const bfv_context_t *ctx;
    const bfv_secret_key_t *sk;
    bfv_plaintext_t pt;
    uint64_t *slots;
    int failures;
} viewer_t;

/* Decrypt ct, print the corners of the slot matrix and compare it with
 * want[0..n). */
static void show(viewer_t *v, const char *what, const bfv_ciphertext_t *ct,
                 const uint64_t *want)
{
    const size_t n = v->ctx->n, h = n / 2;
    int bits, ok = 1;
    check(bfv_decrypt(&v->pt, v->sk, ct), "decrypt");
    check(bfv_decode_batch(v->slots, &v->pt), "decode");
    check(bfv_noise_budget(&bits, v->sk, ct), "budget");
    for (size_t i = 0; i < n; i++)
        ok &= v->slots[i] == want[i];
    printf("%-28s [%5llu %5llu %5llu ... %5llu]  budget %3d  %s\n", what,
           (unsigned long long)v->slots[0], (unsigned long long)v->slots[1],
           (unsigned long long)v->slots[2], (unsigned long long)v->slots[h - 1],
           bits, ok ? "ok" : "WRONG");
    printf("%-28s [%5llu %5llu %5llu ... %5llu]\n", "",
           (unsigned long long)v->slots[h], (unsigned long long)v->slots[h + 1],
           (unsigned long long)v->slots[h + 2],
           (unsigned long long)v->slots[n - 1]);
    v->failures += !ok;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The plaintext model: rotate both rows so that column j moves to j + k. */
static void model_rotate(uint64_t *out, const uint64_t *in, int64_t k, size_t n)
{
    const int64_t h = (int64_t)n / 2;
    for (int64_t r = 0; r < 2; r++)
        for (int64_t j = 0; j < h; j++)
            out[r * h + (((j + k) % h) + h) % h] = in[r * h + j];
}

static void model_swap(uint64_t *out, const uint64_t *in, size_t n)
{
    for (size_t j = 0; j < n / 2; j++) {
        out[j] = in[n / 2 + j];
        out[n / 2 + j] = in[j];
    }
}

int main(void)
{
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_galois_keys_t gk;
    bfv_ciphertext_t x, y, sum, outs[4];
    veil_rng_t rng;
    viewer_t v;

    /* n = 4096: 2 rows of 2048 slots */
    check(bfv_params_preset(&params, 4096), "preset");
    check(bfv_context_init(&ctx, &params), "context");
    const size_t n = ctx.n, h = n / 2;
    const uint64_t t = params.t;
    check(veil_rng_init(&rng), "randomness");
    check(bfv_secret_key_init(&sk, &ctx), "secret key");
    check(bfv_public_key_init(&pk, &ctx), "public key");
    check(bfv_keygen_secret(&sk, &rng), "keygen");
    check(bfv_keygen_public(&pk, &sk, &rng), "keygen");

    /* Galois keys: the power-of-two steps in both directions and the row
     * swap.  Any rotation is then a sum of at most (log2(n) + 1)/2 of them. */
    check(bfv_galois_keys_init(&gk, &ctx), "galois keys");
    check(bfv_keygen_galois_pow2(&gk, &sk, &rng), "keygen galois");
    printf("n = %zu: slots form a 2 x %zu matrix; %zu Galois keys "
           "(+-1, +-2, ..., +-%zu and the row swap)\n\n",
           n, h, gk.count, n / 4);

    /* row 0 holds 1, 2, 3, ...; row 1 holds 1001, 1002, ... */
    uint64_t *m = malloc(4 * n * sizeof(uint64_t));
    uint64_t *want = m + n, *tmp = want + n, *acc = tmp + n;
    v.slots = malloc(n * sizeof(uint64_t));
    if (m == NULL || v.slots == NULL) {
        fprintf(stderr, "02_batching_rotations: out of memory\n");
        return 1;
    }
    for (size_t j = 0; j < h; j++) {
        m[j] = (j + 1) % t;
        m[h + j] = (1001 + j) % t;
    }
    v.ctx = &ctx;
    v.sk = &sk;
    v.failures = 0;
    check(bfv_plaintext_init(&v.pt, &ctx), "plaintext");
    check(bfv_encode_batch(&v.pt, m, n), "encode");
    check(bfv_ciphertext_init(&x, &ctx), "ciphertext");
    check(bfv_ciphertext_init(&y, &ctx), "ciphertext");
    check(bfv_ciphertext_init(&sum, &ctx), "ciphertext");
    for (int i = 0; i < 4; i++)
        check(bfv_ciphertext_init(&outs[i], &ctx), "ciphertext");
    check(bfv_encrypt(&x, &pk, &v.pt, &rng), "encrypt");
    show(&v, "encrypted matrix", &x, m);

    /* rotate_rows(k): the value in column j moves to column j + k */
    check(bfv_rotate_rows(&y, &x, 1, &gk), "rotate 1");
    model_rotate(want, m, 1, n);
    show(&v, "rotate_rows(1)", &y, want);
    check(bfv_rotate_rows(&y, &x, -3, &gk), "rotate -3");
    model_rotate(want, m, -3, n);
    show(&v, "rotate_rows(-3)", &y, want);
    /* 100 = 128 - 32 + 4: three key switches */
    check(bfv_rotate_rows(&y, &x, 100, &gk), "rotate 100");
    model_rotate(want, m, 100, n);
    show(&v, "rotate_rows(100), composed", &y, want);
    check(bfv_rotate_columns(&y, &x, &gk), "rotate columns");
    model_swap(want, m, n);
    show(&v, "rotate_columns (row swap)", &y, want);

    /* Hoisting: decompose x once, then four rotations cost one inner
     * product and one division by P each. */
    const int64_t steps[4] = {1, 2, 4, 8};
    check(bfv_rotate_rows_many(outs, &x, steps, 4, &gk), "hoisted");
    for (int i = 0; i < 4; i++) {
        char what[40];
        snprintf(what, sizeof(what), "hoisted rotate_rows(%lld)",
                 (long long)steps[i]);
        model_rotate(want, m, steps[i], n);
        show(&v, what, &outs[i], want);
    }

    /* Timing: the same four rotations one by one (each decomposes x again)
     * and hoisted (one decomposition, doc/06-rotations.md, section 4).
     * Median of 9 runs of each; the results must be identical. */
    {
        double plain[9], hoisted[9];
        int same = 1;
        for (int r = 0; r < 9; r++) {
            double t0 = now_ms();
            for (int i = 0; i < 4; i++)
                check(bfv_rotate_rows(&outs[i], &x, steps[i], &gk), "rotate");
            double t1 = now_ms();
            check(bfv_rotate_rows_many(outs, &x, steps, 4, &gk), "hoisted");
            double t2 = now_ms();
            plain[r] = t1 - t0;
            hoisted[r] = t2 - t1;
        }
        for (int i = 0; i < 4; i++) {
            check(bfv_rotate_rows(&y, &x, steps[i], &gk), "rotate");
            same &= memcmp(y.data, outs[i].data,
                           2 * ctx.n_q * n * sizeof(uint64_t)) == 0;
        }
        qsort(plain, 9, sizeof(double), cmp_double);
        qsort(hoisted, 9, sizeof(double), cmp_double);
        printf("4 rotations one by one: %.2f ms; hoisted: %.2f ms "
               "(median of 9); ciphertexts %s\n",
               plain[4], hoisted[4], same ? "identical" : "DIFFERENT");
        v.failures += !same;
    }

    /* Sum of each row in every slot: log2(n/2) rotate-and-add steps, then
     * the row swap adds the two rows: every slot holds the total. */
    check(bfv_ciphertext_copy(&sum, &x), "copy");
    for (size_t j = 0; j < n; j++)
        acc[j] = m[j];
    for (int64_t k = 1; k < (int64_t)h; k *= 2) {
        check(bfv_rotate_rows(&y, &sum, k, &gk), "rotate");
        check(bfv_add(&sum, &sum, &y), "add");
        model_rotate(tmp, acc, k, n);
        for (size_t j = 0; j < n; j++)
            acc[j] = (acc[j] + tmp[j]) % t;
    }
    check(bfv_rotate_columns(&y, &sum, &gk), "rotate columns");
    check(bfv_add(&sum, &sum, &y), "add");
    model_swap(tmp, acc, n);
    for (size_t j = 0; j < n; j++)
        acc[j] = (acc[j] + tmp[j]) % t;
    show(&v, "sum of all slots", &sum, acc);

    printf("\n%s\n", v.failures ? "FAILED" : "all checks passed");
    free(m);
    free(v.slots);
    for (int i = 0; i < 4; i++)
        bfv_ciphertext_clear(&outs[i]);
    bfv_ciphertext_clear(&x);
    bfv_ciphertext_clear(&y);
    bfv_ciphertext_clear(&sum);
    bfv_plaintext_clear(&v.pt);
    bfv_galois_keys_clear(&gk);
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
    veil_rng_clear(&rng);
    return v.failures ? 1 : 0;
}
