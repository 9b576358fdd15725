/* Serialization round trips: every object comes back bit-identical and
 * works (decryption, encryption, relinearization, rotation with the
 * received keys give the same results), seeded forms are about half the
 * size, several objects can share one stream. */
#include "crt_env.h"
#include "serial_util.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define DEF_SER(name, type)                                                    \
    static su_blob_t ser_##name(const type *o)                                 \
    {                                                                          \
        su_blob_t b;                                                           \
        size_t len = 0;                                                        \
        b.len = bfv_##name##_serial_size(o);                                   \
        cr_assert(b.len > BFV_SERIAL_HEADER_BYTES);                            \
        b.b = malloc(b.len);                                                   \
        cr_assert_not_null(b.b);                                               \
        cr_assert_eq(bfv_##name##_serialize(b.b, b.len - 1, &len, o),          \
                     VEIL_ERANGE);                                             \
        cr_assert_eq(bfv_##name##_serialize(b.b, b.len, &len, o), VEIL_OK);    \
        cr_assert_eq(len, b.len);                                              \
        return b;                                                              \
    }

DEF_SER(params, bfv_params_t)
DEF_SER(secret_key, bfv_secret_key_t)
DEF_SER(public_key, bfv_public_key_t)
DEF_SER(relin_key, bfv_relin_key_t)
DEF_SER(galois_keys, bfv_galois_keys_t)
DEF_SER(plaintext, bfv_plaintext_t)
DEF_SER(crt_params, bfv_crt_params_t)

static su_blob_t ser_ct(const bfv_ciphertext_t *ct, unsigned flags)
{
    su_blob_t b;
    size_t len = 0;
    b.len = bfv_ciphertext_serial_size(ct, flags);
    cr_assert(b.len > 0);
    b.b = malloc(b.len);
    cr_assert_eq(bfv_ciphertext_serialize(b.b, b.len, &len, ct, flags),
                 VEIL_OK);
    cr_assert_eq(len, b.len);
    return b;
}

static void assert_same_words(const uint64_t *a, const uint64_t *b,
                              size_t words, const char *what)
{
    cr_assert_eq(memcmp(a, b, words * sizeof(uint64_t)), 0, "%s differs", what);
}

Test(serial, params_and_hash)
{
    bfv_params_t p, q;
    uint8_t h[BFV_PARAMS_HASH_BYTES], h2[BFV_PARAMS_HASH_BYTES];
    bfv_serial_type_t type;
    uint64_t total;
    cr_assert_eq(bfv_params_preset(&p, 8192), VEIL_OK);
    su_blob_t b = ser_params(&p);
    cr_assert_eq(bfv_params_deserialize(&q, b.b, b.len, NULL), VEIL_OK);
    cr_assert_eq(q.n, p.n);
    cr_assert_eq(q.n_q, p.n_q);
    cr_assert_eq(q.n_p, p.n_p);
    cr_assert_eq(q.t, p.t);
    cr_assert_eq(q.security, p.security);
    cr_assert_eq(q.allow_insecure, p.allow_insecure);
    cr_assert_eq(memcmp(q.q, p.q, p.n_q * sizeof(uint64_t)), 0);
    cr_assert_eq(memcmp(q.p, p.p, p.n_p * sizeof(uint64_t)), 0);
    /* the header carries the hash; every field enters it: security, the
     * insecure flag, t */
    cr_assert_eq(bfv_params_hash(h, &p), VEIL_OK);
    cr_assert_eq(memcmp(b.b + 16, h, sizeof(h)), 0);
    q.security = BFV_SEC_192;
    cr_assert_eq(bfv_params_hash(h2, &q), VEIL_OK);
    cr_assert_neq(memcmp(h, h2, sizeof(h)), 0);
    q.security = p.security;
    q.allow_insecure = 1;
    cr_assert_eq(bfv_params_hash(h2, &q), VEIL_OK);
    cr_assert_neq(memcmp(h, h2, sizeof(h)), 0);
    q.allow_insecure = 0;
    q.t = 114689;
    cr_assert_eq(bfv_params_hash(h2, &q), VEIL_OK);
    cr_assert_neq(memcmp(h, h2, sizeof(h)), 0);
    cr_assert_eq(bfv_serial_peek(&type, &total, b.b, b.len), VEIL_OK);
    cr_assert_eq(type, BFV_SERIAL_PARAMS);
    cr_assert_eq(total, b.len);
    su_blob_free(&b);
}

/* Words of a key-switching key's data. */
static size_t ksk_words(const bfv_kswitch_key_t *k, const bfv_context_t *ctx)
{
    return k->digits * 2 * ctx->n_qp * ctx->n;
}

Test(serial, keys)
{
    su_env_t s;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_ciphertext_t ct, r1, r2;
    uint64_t *v, *w;
    su_init(&s, 2, "serial.keys");
    const bfv_context_t *ctx = &s.e.ctx;
    const size_t n = ctx->n, L = ctx->n_q;

    su_blob_t b = ser_secret_key(&s.e.sk);
    cr_assert_eq(bfv_secret_key_init(&sk, ctx), VEIL_OK);
    cr_assert_eq(bfv_secret_key_deserialize(&sk, b.b, b.len, NULL), VEIL_OK);
    cr_assert_eq(memcmp(sk.coeffs, s.e.sk.coeffs, n), 0);
    assert_same_words(sk.ntt, s.e.sk.ntt, ctx->n_qp * n, "secret key NTT");
    cr_assert_eq(b.len,
                 BFV_SERIAL_HEADER_BYTES + n / 4 + BFV_SERIAL_CHECKSUM_BYTES);
    veil_memzero(b.b, b.len);
    su_blob_free(&b);

    b = ser_public_key(&s.e.pk);
    cr_assert_eq(bfv_public_key_init(&pk, ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_deserialize(&pk, b.b, b.len, NULL), VEIL_OK);
    assert_same_words(pk.data, s.e.pk.data, 2 * L * n, "public key");
    cr_assert_eq(memcmp(pk.seed, s.e.pk.seed, VEIL_SEED_BYTES), 0);
    su_blob_free(&b);

    b = ser_relin_key(&s.e.rk);
    cr_assert_eq(bfv_relin_key_init(&rk, ctx), VEIL_OK);
    cr_assert_eq(bfv_relin_key_deserialize(&rk, b.b, b.len, NULL), VEIL_OK);
    assert_same_words(rk.ksk.data, s.e.rk.ksk.data, ksk_words(&rk.ksk, ctx),
                      "relin key");
    su_blob_free(&b);

    b = ser_galois_keys(&s.gk);
    cr_assert_eq(bfv_galois_keys_init(&gk, ctx), VEIL_OK);
    cr_assert_eq(bfv_galois_keys_deserialize(&gk, b.b, b.len, NULL), VEIL_OK);
    cr_assert_eq(gk.count, s.gk.count);
    cr_assert_eq(gk.count, 3);
    for (size_t j = 0; j < gk.count; j++) {
        const bfv_galois_key_t *x = &gk.keys[j], *y = &s.gk.keys[j];
        cr_assert_eq(x->elt, y->elt);
        cr_assert_eq(x->step, y->step, "key %zu: step %lld, want %lld", j,
                     (long long)x->step, (long long)y->step);
        cr_assert_eq(memcmp(x->perm, y->perm, n * sizeof(uint32_t)), 0);
        cr_assert_eq(x->ksk.digits, y->ksk.digits);
        assert_same_words(x->ksk.data, y->ksk.data, ksk_words(&x->ksk, ctx),
                          "Galois key");
    }
    /* loading again replaces the keys */
    cr_assert_eq(bfv_galois_keys_deserialize(&gk, b.b, b.len, NULL), VEIL_OK);
    cr_assert_eq(gk.count, 3);
    su_blob_free(&b);

    /* the received keys work: encrypt with pk, multiply with rk, rotate
     * with gk, decrypt with sk: the same ciphertexts as with the originals */
    v = calloc(n, sizeof(uint64_t));
    w = calloc(n, sizeof(uint64_t));
    bt_random_slots(&s.e.rng, v, n, s.e.t);
    cr_assert_eq(bfv_ciphertext_init(&ct, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r1, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&r2, ctx), VEIL_OK);
    {
        bfv_plaintext_t pt;
        cr_assert_eq(bfv_plaintext_init(&pt, ctx), VEIL_OK);
        cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
        cr_assert_eq(bfv_encrypt(&ct, &pk, &pt, &s.e.rng), VEIL_OK);
        bfv_plaintext_clear(&pt);
    }
    cr_assert_eq(bfv_square(&r1, &ct), VEIL_OK);
    cr_assert_eq(bfv_relinearize(&r2, &r1, &rk), VEIL_OK);
    cr_assert_eq(bfv_relinearize(&r1, &r1, &s.e.rk), VEIL_OK);
    assert_same_words(r1.data, r2.data, 2 * L * n, "relinearized");
    cr_assert_eq(bfv_rotate_rows(&r1, &r2, -3, &gk), VEIL_OK);
    cr_assert_eq(bfv_rotate_rows(&r2, &r2, -3, &s.gk), VEIL_OK);
    assert_same_words(r1.data, r2.data, 2 * L * n, "rotated");
    {
        bfv_plaintext_t pt;
        uint64_t *sq = calloc(n, sizeof(uint64_t));
        cr_assert_eq(bfv_plaintext_init(&pt, ctx), VEIL_OK);
        cr_assert_eq(bfv_decrypt(&pt, &sk, &r1), VEIL_OK);
        cr_assert_eq(bfv_decode_batch(w, &pt), VEIL_OK);
        bt_mul(sq, v, v, n, s.e.t);
        bt_rotate_rows(v, sq, -3, n);
        bt_assert_slots(w, v, n, "decrypted with the received secret key");
        bfv_plaintext_clear(&pt);
        free(sq);
    }
    free(v);
    free(w);
    bfv_ciphertext_clear(&ct);
    bfv_ciphertext_clear(&r1);
    bfv_ciphertext_clear(&r2);
    bfv_secret_key_clear(&sk);
    bfv_public_key_clear(&pk);
    bfv_relin_key_clear(&rk);
    bfv_galois_keys_clear(&gk);
    su_clear(&s);
}

Test(serial, plaintexts_and_ciphertexts)
{
    su_env_t s;
    bfv_plaintext_t pt, pt2;
    bfv_ciphertext_t ct, ct2;
    su_init(&s, 3, "serial.plaintexts_and_ciphertexts");
    const bfv_context_t *ctx = &s.e.ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    uint64_t *v = calloc(n, sizeof(uint64_t));
    bt_random_slots(&s.e.rng, v, n, s.e.t);
    cr_assert_eq(bfv_plaintext_init(&pt, ctx), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&pt2, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&ct, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&ct2, ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);

    su_blob_t b = ser_plaintext(&pt);
    /* 17 bits per coefficient mod 65537 */
    cr_assert_eq(b.len, BFV_SERIAL_HEADER_BYTES + n / 8 * 17 +
                            BFV_SERIAL_CHECKSUM_BYTES);
    cr_assert_eq(bfv_plaintext_deserialize(&pt2, b.b, b.len, NULL), VEIL_OK);
    assert_same_words(pt2.coeffs, pt.coeffs, n, "plaintext");
    su_blob_free(&b);

    /* public-key encryption: full */
    cr_assert_eq(bfv_encrypt(&ct, &s.e.pk, &pt, &s.e.rng), VEIL_OK);
    cr_assert(!ct.seeded);
    b = ser_ct(&ct, 0);
    cr_assert_eq(b.b[7], 0);
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, b.b, b.len, NULL), VEIL_OK);
    cr_assert_eq(ct2.size, 2);
    cr_assert(!ct2.seeded);
    assert_same_words(ct2.data, ct.data, 2 * L * n, "ciphertext");
    const size_t full = b.len;
    su_blob_free(&b);

    /* symmetric encryption: seeded, c_1 re-expanded, seed kept */
    cr_assert_eq(bfv_encrypt_symmetric(&ct, &s.e.sk, &pt, &s.e.rng), VEIL_OK);
    b = ser_ct(&ct, 0);
    cr_assert_eq(b.b[7], BFV_SERIAL_FLAG_SEEDED);
    /* c_1 (L rows of n 40-bit residues) replaced by its 32-byte seed */
    cr_assert_eq(b.len, full - L * n * 40 / 8 + VEIL_SEED_BYTES,
                 "seeded %zu vs full %zu", b.len, full);
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, b.b, b.len, NULL), VEIL_OK);
    cr_assert(ct2.seeded);
    cr_assert_eq(memcmp(ct2.seed, ct.seed, VEIL_SEED_BYTES), 0);
    assert_same_words(ct2.data, ct.data, 2 * L * n, "seeded ciphertext");
    su_blob_free(&b);
    /* ... or full on request */
    b = ser_ct(&ct, BFV_SERIAL_FULL);
    cr_assert_eq(b.len, full);
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, b.b, b.len, NULL), VEIL_OK);
    cr_assert(!ct2.seeded);
    assert_same_words(ct2.data, ct.data, 2 * L * n, "ciphertext sent full");
    su_blob_free(&b);

    /* size 3 */
    cr_assert_eq(bfv_square(&ct, &ct), VEIL_OK);
    b = ser_ct(&ct, 0);
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, b.b, b.len, NULL), VEIL_OK);
    cr_assert_eq(ct2.size, 3);
    assert_same_words(ct2.data, ct.data, 3 * L * n, "size-3 ciphertext");
    su_blob_free(&b);
    cr_assert_eq(bfv_ciphertext_serial_size(&ct, 2), 0);

    free(v);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_clear(&pt2);
    bfv_ciphertext_clear(&ct);
    bfv_ciphertext_clear(&ct2);
    su_clear(&s);
}

/* Format 2 seals with Poly1305 under the public key of doc/09 (the bytes
 * equal a reseal computed from libsodium here); format 1 objects, sealed
 * with BLAKE2b-128, still load; a checksum of the other format, or an
 * unknown version, is refused. */
Test(serial, checksum_formats)
{
    su_env_t s;
    bfv_plaintext_t pt;
    bfv_ciphertext_t ct, ct2;
    su_init(&s, 2, "serial.checksum_formats");
    const bfv_context_t *ctx = &s.e.ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    uint64_t *v = calloc(n, sizeof(uint64_t));
    bt_random_slots(&s.e.rng, v, n, s.e.t);
    cr_assert_eq(bfv_plaintext_init(&pt, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&ct, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&ct2, ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, v, n), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&ct, &s.e.pk, &pt, &s.e.rng), VEIL_OK);

    su_blob_t b = ser_ct(&ct, 0);
    uint8_t *copy = malloc(b.len);
    cr_assert_eq(b.b[4] | b.b[5] << 8, 2);
    memcpy(copy, b.b, b.len);
    su_reseal(copy, b.len);
    cr_assert_eq(memcmp(copy, b.b, b.len), 0,
                 "format 2 is Poly1305, key of doc/09");

    /* the same object as format 1 */
    copy[4] = 1;
    su_reseal(copy, b.len);
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, copy, b.len, NULL), VEIL_OK);
    assert_same_words(ct2.data, ct.data, 2 * L * n, "format 1 ciphertext");
    /* a format-2 header over a BLAKE2b checksum, and the reverse */
    copy[4] = 2;
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, copy, b.len, NULL),
                 VEIL_EFORMAT);
    memcpy(copy, b.b, b.len);
    copy[4] = 1;
    cr_assert_eq(bfv_ciphertext_deserialize(&ct2, copy, b.len, NULL),
                 VEIL_EFORMAT);
    /* versions 0 and 3, even with a checksum of either kind */
    for (int ver = 0; ver <= 3; ver += 3) {
        copy[4] = (uint8_t)ver;
        su_reseal(copy, b.len);
        cr_assert_eq(bfv_ciphertext_deserialize(&ct2, copy, b.len, NULL),
                     VEIL_EFORMAT, "version %d", ver);
    }
    free(copy);
    su_blob_free(&b);
    free(v);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ct);
    bfv_ciphertext_clear(&ct2);
    su_clear(&s);
}

Test(serial, stream_of_objects)
{
    su_env_t s;
    bfv_ciphertext_t a, b2;
    bfv_public_key_t pk;
    bfv_plaintext_t pt;
    su_init(&s, 2, "serial.stream_of_objects");
    const bfv_context_t *ctx = &s.e.ctx;
    cr_assert_eq(bfv_plaintext_init(&pt, ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_scalar(&pt, 7), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&a, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&b2, ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&pk, ctx), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&a, &s.e.sk, &pt, &s.e.rng), VEIL_OK);

    su_blob_t x = ser_public_key(&s.e.pk), y = ser_ct(&a, 0);
    uint8_t *stream = malloc(x.len + y.len + 5);
    size_t used = 0, off;
    bfv_serial_type_t type;
    uint64_t total;
    memcpy(stream, x.b, x.len);
    memcpy(stream + x.len, y.b, y.len);
    memset(stream + x.len + y.len, 0xee, 5);
    /* frame by peeking, then read each object */
    cr_assert_eq(bfv_serial_peek(&type, &total, stream, x.len + y.len + 5),
                 VEIL_OK);
    cr_assert_eq(type, BFV_SERIAL_PUBLIC_KEY);
    cr_assert_eq(total, x.len);
    cr_assert_eq(
        bfv_public_key_deserialize(&pk, stream, x.len + y.len + 5, &used),
        VEIL_OK);
    cr_assert_eq(used, x.len);
    off = used;
    cr_assert_eq(
        bfv_ciphertext_deserialize(&b2, stream + off, y.len + 5, &used),
        VEIL_OK);
    cr_assert_eq(used, y.len);
    /* without `used`, trailing bytes are an error */
    cr_assert_eq(bfv_ciphertext_deserialize(&b2, stream + off, y.len + 5, NULL),
                 VEIL_EFORMAT);
    free(stream);
    su_blob_free(&x);
    su_blob_free(&y);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&a);
    bfv_ciphertext_clear(&b2);
    bfv_public_key_clear(&pk);
    su_clear(&s);
}

Test(serial, crt_objects)
{
    const unsigned qb[2] = {45, 45};
    ce_env_t e;
    bfv_crt_params_t p;
    bfv_crt_ciphertext_t ct, ct2;
    size_t len;
    ce_init(&e, 1024, 3, 25, qb, 2, 0, "serial.crt_objects");
    const size_t n = e.n;
    fmpz *v = _fmpz_vec_init((slong)n), *w = _fmpz_vec_init((slong)n);

    su_blob_t b = ser_crt_params(&e.params);
    cr_assert_eq(bfv_crt_params_deserialize(&p, b.b, b.len, NULL),
                 VEIL_EFORMAT); /* n = 1024: insecure, from bytes */
    cr_assert_eq(bfv_crt_params_deserialize_insecure(&p, b.b, b.len, NULL),
                 VEIL_OK);
    cr_assert_eq(p.k, e.params.k);
    cr_assert_eq(memcmp(p.t, e.params.t, p.k * sizeof(uint64_t)), 0);
    cr_assert_eq(p.base.n, e.params.base.n);
    cr_assert_eq(
        memcmp(p.base.q, e.params.base.q, p.base.n_q * sizeof(uint64_t)), 0);
    su_blob_free(&b);

    ce_random_fmpz(v, n, 60, &e.rng);
    cr_assert_eq(bfv_crt_ciphertext_init(&ct, &e.ctx), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&ct2, &e.ctx), VEIL_OK);
    ce_encrypt(&e, &ct, v);
    b.len = bfv_crt_ciphertext_serial_size(&ct, 0);
    b.b = malloc(b.len);
    cr_assert_eq(bfv_crt_ciphertext_serialize(b.b, b.len - 1, &len, &ct, 0),
                 VEIL_ERANGE);
    cr_assert_eq(bfv_crt_ciphertext_serialize(b.b, b.len, &len, &ct, 0),
                 VEIL_OK);
    cr_assert_eq(len, b.len);
    cr_assert_eq(bfv_crt_ciphertext_deserialize(&ct2, b.b, b.len, NULL),
                 VEIL_OK);
    for (size_t i = 0; i < e.k; i++)
        assert_same_words(ct2.c[i].data, ct.c[i].data,
                          2 * e.ctx.comp[i].n_q * n, "CRT component");
    ce_decrypt(&e, w, &ct2);
    ce_assert_equal(w, v, n, "CRT ciphertext after the trip");
    su_blob_free(&b);
    _fmpz_vec_clear(v, (slong)n);
    _fmpz_vec_clear(w, (slong)n);
    bfv_crt_ciphertext_clear(&ct);
    bfv_crt_ciphertext_clear(&ct2);
    ce_clear(&e);
}

/* The sizes at the presets, against the byte tables of
 * doc/09-serialization.md: header 48, checksum 16, a row of n residues mod
 * q takes n bitlen(q - 1) / 8 bytes.  Printed for the documentation. */
static size_t row_bytes(size_t n, uint64_t q)
{
    return n / 8 * (size_t)(64 - __builtin_clzll(q - 1));
}

Test(serial, preset_sizes)
{
    const size_t ns[3] = {4096, 8192, 16384};
    for (size_t c = 0; c < 3; c++) {
        bfv_params_t p;
        bfv_context_t ctx;
        bfv_secret_key_t sk;
        bfv_public_key_t pk;
        bfv_relin_key_t rk;
        bfv_galois_keys_t gk;
        bfv_plaintext_t pt;
        bfv_ciphertext_t ct;
        veil_rng_t rng;
        const int64_t one = 1;
        size_t poly_q = 0, poly_qp = 0;
        const size_t frame =
            BFV_SERIAL_HEADER_BYTES + BFV_SERIAL_CHECKSUM_BYTES;

        vt_rng(&rng, "serial.preset_sizes");
        cr_assert_eq(bfv_params_preset(&p, ns[c]), VEIL_OK);
        cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_OK);
        const size_t n = p.n, digits = (p.n_q + p.n_p - 1) / p.n_p;
        for (size_t i = 0; i < p.n_q; i++)
            poly_q += row_bytes(n, p.q[i]);
        poly_qp = poly_q;
        for (size_t i = 0; i < p.n_p; i++)
            poly_qp += row_bytes(n, p.p[i]);
        cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
        cr_assert_eq(bfv_public_key_init(&pk, &ctx), VEIL_OK);
        cr_assert_eq(bfv_relin_key_init(&rk, &ctx), VEIL_OK);
        cr_assert_eq(bfv_galois_keys_init(&gk, &ctx), VEIL_OK);
        cr_assert_eq(bfv_plaintext_init(&pt, &ctx), VEIL_OK);
        cr_assert_eq(bfv_ciphertext_init(&ct, &ctx), VEIL_OK);
        cr_assert_eq(bfv_keygen_secret(&sk, &rng), VEIL_OK);
        cr_assert_eq(bfv_keygen_galois_steps(&gk, &sk, &one, 1, 0, &rng),
                     VEIL_OK);
        cr_assert_eq(bfv_encrypt_symmetric(&ct, &sk, &pt, &rng), VEIL_OK);

        const size_t ksk = VEIL_SEED_BYTES + digits * poly_qp;
        const size_t ct_seeded = bfv_ciphertext_serial_size(&ct, 0);
        const size_t ct_full = bfv_ciphertext_serial_size(&ct, BFV_SERIAL_FULL);
        const size_t s_pk = bfv_public_key_serial_size(&pk);
        const size_t s_rk = bfv_relin_key_serial_size(&rk);
        const size_t s_gk = bfv_galois_keys_serial_size(&gk);
        cr_assert_eq(ct_full, frame + 4 + 2 * poly_q);
        cr_assert_eq(ct_seeded, frame + 4 + poly_q + VEIL_SEED_BYTES);
        cr_assert_eq(bfv_secret_key_serial_size(&sk), frame + n / 4);
        cr_assert_eq(bfv_plaintext_serial_size(&pt), frame + row_bytes(n, p.t));
        cr_assert_eq(s_pk, frame + poly_q + VEIL_SEED_BYTES);
        cr_assert_eq(s_rk, frame + ksk);
        cr_assert_eq(s_gk, frame + 4 + (8 + ksk));
        /* in memory: 64-bit words, and keys hold both halves */
        fprintf(stderr,
                "[sizes] n=%zu log2(QP)=%u: ciphertext %zu (seeded %zu, "
                "in memory %zu), public key %zu (full %zu), relin key %zu "
                "(full %zu), one Galois key %zu (full %zu), secret key "
                "%zu\n",
                n, bfv_params_log_qp(&p), ct_full, ct_seeded, 2 * p.n_q * n * 8,
                s_pk, s_pk - VEIL_SEED_BYTES + poly_q, s_rk,
                s_rk - VEIL_SEED_BYTES + digits * poly_qp, s_gk,
                s_gk - VEIL_SEED_BYTES + digits * poly_qp,
                bfv_secret_key_serial_size(&sk));
        bfv_secret_key_clear(&sk);
        bfv_public_key_clear(&pk);
        bfv_relin_key_clear(&rk);
        bfv_galois_keys_clear(&gk);
        bfv_plaintext_clear(&pt);
        bfv_ciphertext_clear(&ct);
        bfv_context_clear(&ctx);
        veil_rng_clear(&rng);
    }
}

/* A malicious peer's parameter set: n = 8 with the insecure flag set, and
 * a correct header hash and checksum.  It is refused, as a plain set and
 * as a CRT set; only a local caller that opts in in code may load it. */
Test(serial, insecure_flag_from_bytes_is_refused)
{
    const unsigned qb[2] = {30, 30}, pb[1] = {31};
    bfv_params_t p, q;
    bfv_crt_params_t c, d;
    const uint64_t t[2] = {17, 97}; /* = 1 mod 16 */
    cr_assert_eq(bfv_params_from_bits(&p, 8, qb, 2, pb, 1, 17, BFV_SEC_128),
                 VEIL_OK);
    cr_assert_neq(bfv_params_check(&p, NULL, 0), VEIL_OK);
    p.allow_insecure = 1;
    cr_assert_eq(bfv_params_check(&p, NULL, 0), VEIL_OK);
    su_blob_t b = ser_params(&p);
    cr_assert_eq(bfv_params_deserialize(&q, b.b, b.len, NULL), VEIL_EFORMAT);
    cr_assert_eq(bfv_params_deserialize_insecure(&q, b.b, b.len, NULL),
                 VEIL_OK);
    cr_assert_eq(q.n, 8);
    su_blob_free(&b);

    cr_assert_eq(bfv_crt_params_init(&c, &p, t, 2, NULL, 0), VEIL_OK);
    b = ser_crt_params(&c);
    cr_assert_eq(bfv_crt_params_deserialize(&d, b.b, b.len, NULL),
                 VEIL_EFORMAT);
    cr_assert_eq(bfv_crt_params_deserialize_insecure(&d, b.b, b.len, NULL),
                 VEIL_OK);
    su_blob_free(&b);
}
