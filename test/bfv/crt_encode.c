/* CRT encoding: round trips of signed integers of up to 150 bits through
 * encoding alone and through encryption, the edges of (-T/2, T/2], int64
 * decoding and the scalar encoding, against FLINT integers. */
#include "crt_env.h"
#include <criterion/criterion.h>
#include <limits.h>

/* 4 primes of 40 bits: T > 2^156, so every 150-bit value round-trips. */
static const unsigned q_wide[2] = {50, 50};

Test(crt_encode, round_trip_150_bits)
{
    ce_env_t e;
    bfv_crt_plaintext_t pt;
    bfv_crt_ciphertext_t ct;
    ce_init(&e, 1024, 4, 40, q_wide, 2, 0, "crt_encode.round_trip_150_bits");
    const size_t n = e.n;
    fmpz *v = _fmpz_vec_init((slong)n), *w = _fmpz_vec_init((slong)n);
    cr_assert_eq(bfv_crt_plaintext_init(&pt, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    for (unsigned it = 0; it < vt_iters(2); it++) {
        ce_random_fmpz(v, n, 150, &e.rng);
        /* encoding alone */
        cr_assert_eq(bfv_crt_encode_fmpz(&pt, v, n), VEIL_OK);
        cr_assert_eq(bfv_crt_decode_fmpz(w, &pt), VEIL_OK);
        ce_assert_equal(w, v, n, "encode/decode");
        /* public-key and symmetric encryption */
        cr_assert_eq(bfv_crt_encrypt(&ct, &e.keys, &pt, &e.rng), VEIL_OK);
        ce_decrypt(&e, w, &ct);
        ce_assert_equal(w, v, n, "encrypt/decrypt");
        cr_assert_eq(bfv_crt_encrypt_symmetric(&ct, &e.keys, &pt, &e.rng),
                     VEIL_OK);
        for (size_t i = 0; i < e.k; i++)
            cr_assert(ct.c[i].seeded);
        ce_decrypt(&e, w, &ct);
        ce_assert_equal(w, v, n, "symmetric encrypt/decrypt");
    }
    /* fewer values than slots: the rest are 0 */
    cr_assert_eq(bfv_crt_encode_fmpz(&pt, v, 3), VEIL_OK);
    cr_assert_eq(bfv_crt_decode_fmpz(w, &pt), VEIL_OK);
    ce_assert_equal(w, v, 3, "prefix");
    for (size_t j = 3; j < n; j++)
        cr_assert(fmpz_is_zero(w + j));
    cr_assert_eq(bfv_crt_encode_fmpz(&pt, v, n + 1), VEIL_EINVAL);
    _fmpz_vec_clear(v, (slong)n);
    _fmpz_vec_clear(w, (slong)n);
    bfv_crt_plaintext_clear(&pt);
    bfv_crt_ciphertext_clear(&ct);
    ce_clear(&e);
}

Test(crt_encode, centred_range_edges)
{
    ce_env_t e;
    bfv_crt_plaintext_t pt;
    fmpz_t T, half;
    fmpz v[6], w[6];
    ce_init(&e, 1024, 3, 30, q_wide, 2, 0, "crt_encode.centred_range_edges");
    fmpz_init(T);
    fmpz_init(half);
    for (int j = 0; j < 6; j++) {
        fmpz_init(v + j);
        fmpz_init(w + j);
    }
    bfv_crt_modulus(T, &e.ctx);
    fmpz_fdiv_q_2exp(half, T, 1); /* (T - 1) / 2: T is odd */
    cr_assert_eq(bfv_crt_plaintext_init(&pt, &e.ctx), VEIL_OK);
    /* v: T/2-ish extremes, and values outside taken mod T */
    fmpz_set(v + 0, half);
    fmpz_neg(v + 1, half);
    fmpz_add_ui(v + 2, half, 1); /* = -(T-1)/2 mod T */
    fmpz_sub_ui(v + 3, T, 1);    /* = -1 mod T */
    fmpz_mul_ui(v + 4, T, 5);
    fmpz_add_ui(v + 4, v + 4, 17); /* = 17 mod T */
    fmpz_set_si(v + 5, -12345);
    cr_assert_eq(bfv_crt_encode_fmpz(&pt, v, 6), VEIL_OK);
    {
        fmpz *all = _fmpz_vec_init((slong)e.n);
        cr_assert_eq(bfv_crt_decode_fmpz(all, &pt), VEIL_OK);
        for (int j = 0; j < 6; j++)
            fmpz_set(w + j, all + j);
        _fmpz_vec_clear(all, (slong)e.n);
    }
    cr_assert(fmpz_equal(w + 0, half));
    cr_assert(fmpz_equal(w + 1, v + 1));
    cr_assert(fmpz_equal(w + 2, v + 1));
    cr_assert(fmpz_equal_si(w + 3, -1));
    cr_assert(fmpz_equal_si(w + 4, 17));
    cr_assert(fmpz_equal_si(w + 5, -12345));
    for (int j = 0; j < 6; j++) {
        fmpz_clear(v + j);
        fmpz_clear(w + j);
    }
    fmpz_clear(T);
    fmpz_clear(half);
    bfv_crt_plaintext_clear(&pt);
    ce_clear(&e);
}

Test(crt_encode, int64_and_scalar)
{
    ce_env_t e;
    bfv_crt_plaintext_t pt;
    ce_init(&e, 1024, 3, 40, q_wide, 2, 0, "crt_encode.int64_and_scalar");
    const size_t n = e.n;
    int64_t *x = calloc(n, sizeof(int64_t)), *y = calloc(n, sizeof(int64_t));
    fmpz *w = _fmpz_vec_init((slong)n);
    fmpz_t c;
    cr_assert_eq(bfv_crt_plaintext_init(&pt, &e.ctx), VEIL_OK);
    for (size_t j = 0; j < n; j++)
        x[j] = (int64_t)veil_rng_u64(&e.rng);
    x[0] = INT64_MIN;
    x[1] = INT64_MAX;
    x[2] = 0;
    cr_assert_eq(bfv_crt_encode_i64(&pt, x, n), VEIL_OK);
    cr_assert_eq(bfv_crt_decode_i64(y, &pt), VEIL_OK);
    for (size_t j = 0; j < n; j++)
        cr_assert_eq(y[j], x[j], "slot %zu", j);
    /* a value beyond int64: ERANGE with saturation, others intact */
    fmpz_init_set_si(c, -1);
    fmpz_mul_2exp(c, c, 100);
    cr_assert_eq(bfv_crt_encode_scalar_fmpz(&pt, c), VEIL_OK);
    cr_assert_eq(bfv_crt_decode_fmpz(w, &pt), VEIL_OK);
    for (size_t j = 0; j < n; j++)
        cr_assert(fmpz_equal(w + j, c), "scalar slot %zu", j);
    cr_assert_eq(bfv_crt_decode_i64(y, &pt), VEIL_ERANGE);
    cr_assert_eq(y[0], INT64_MIN);
    fmpz_set_si(c, 3);
    cr_assert_eq(bfv_crt_encode_scalar_fmpz(&pt, c), VEIL_OK);
    cr_assert_eq(bfv_crt_decode_i64(y, &pt), VEIL_OK);
    for (size_t j = 0; j < n; j++)
        cr_assert_eq(y[j], 3);
    cr_assert_eq(bfv_crt_encode_i64(NULL, x, 1), VEIL_EINVAL);
    cr_assert_eq(bfv_crt_decode_i64(NULL, &pt), VEIL_EINVAL);
    fmpz_clear(c);
    _fmpz_vec_clear(w, (slong)n);
    free(x);
    free(y);
    bfv_crt_plaintext_clear(&pt);
    ce_clear(&e);
}
