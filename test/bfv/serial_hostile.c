/* Every deserializer against hostile input: every truncation, bit flips in
 * the header, body and checksum, random garbage behind a plausible header,
 * objects of another type or another parameter set, and deliberately
 * invalid contents with a recomputed checksum (so that the semantic checks
 * must catch them).  Every case must give VEIL_EFORMAT; under
 * --enable-sanitize, reading out of bounds would abort the test. */
#include "crt_env.h"
#include "serial_util.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    su_env_t s;
    ce_env_t c;
    bfv_plaintext_t pt;
    bfv_ciphertext_t full, seeded, three;
    bfv_crt_ciphertext_t crt;
} hx_t;

static su_blob_t blob_of(size_t size)
{
    su_blob_t b = {malloc(size), size};
    cr_assert(size > 0);
    cr_assert_not_null(b.b);
    return b;
}

/* ---------------------------------------------------- makers, loaders */

#define MAKER(fn, call_size, call_ser)                                         \
    static su_blob_t fn(hx_t *h)                                               \
    {                                                                          \
        size_t len;                                                            \
        su_blob_t b = blob_of(call_size);                                      \
        cr_assert_eq(call_ser, VEIL_OK);                                       \
        cr_assert_eq(len, b.len);                                              \
        return b;                                                              \
    }

MAKER(mk_params, bfv_params_serial_size(&h->s.e.params),
      bfv_params_serialize(b.b, b.len, &len, &h->s.e.params))
MAKER(mk_sk, bfv_secret_key_serial_size(&h->s.e.sk),
      bfv_secret_key_serialize(b.b, b.len, &len, &h->s.e.sk))
MAKER(mk_pk, bfv_public_key_serial_size(&h->s.e.pk),
      bfv_public_key_serialize(b.b, b.len, &len, &h->s.e.pk))
MAKER(mk_rk, bfv_relin_key_serial_size(&h->s.e.rk),
      bfv_relin_key_serialize(b.b, b.len, &len, &h->s.e.rk))
MAKER(mk_gk, bfv_galois_keys_serial_size(&h->s.gk),
      bfv_galois_keys_serialize(b.b, b.len, &len, &h->s.gk))
MAKER(mk_pt, bfv_plaintext_serial_size(&h->pt),
      bfv_plaintext_serialize(b.b, b.len, &len, &h->pt))
MAKER(mk_ct_full, bfv_ciphertext_serial_size(&h->full, 0),
      bfv_ciphertext_serialize(b.b, b.len, &len, &h->full, 0))
MAKER(mk_ct_seeded, bfv_ciphertext_serial_size(&h->seeded, 0),
      bfv_ciphertext_serialize(b.b, b.len, &len, &h->seeded, 0))
MAKER(mk_ct_three, bfv_ciphertext_serial_size(&h->three, 0),
      bfv_ciphertext_serialize(b.b, b.len, &len, &h->three, 0))
MAKER(mk_crt_params, bfv_crt_params_serial_size(&h->c.params),
      bfv_crt_params_serialize(b.b, b.len, &len, &h->c.params))
MAKER(mk_crt_ct, bfv_crt_ciphertext_serial_size(&h->crt, 0),
      bfv_crt_ciphertext_serialize(b.b, b.len, &len, &h->crt, 0))

/* Loaders: a fresh object of the fixture's context, deserialize, free.
 * `ctx` is the context to load into (the fixture's, or another). */
typedef veil_status (*load_fn)(const bfv_context_t *ctx,
                               const bfv_crt_context_t *crt, const uint8_t *in,
                               size_t len, size_t *used);

static veil_status ld_params(const bfv_context_t *ctx,
                             const bfv_crt_context_t *crt, const uint8_t *in,
                             size_t len, size_t *used)
{
    bfv_params_t p;
    (void)ctx;
    (void)crt;
    return bfv_params_deserialize_insecure(&p, in, len, used); /* fixture */
}

#define LOADER(fn, type, init, deser, clear)                                   \
    static veil_status fn(const bfv_context_t *ctx,                            \
                          const bfv_crt_context_t *crt, const uint8_t *in,     \
                          size_t len, size_t *used)                            \
    {                                                                          \
        type o;                                                                \
        veil_status st;                                                        \
        (void)crt;                                                             \
        cr_assert_eq(init(&o, ctx), VEIL_OK);                                  \
        st = deser(&o, in, len, used);                                         \
        clear(&o);                                                             \
        return st;                                                             \
    }

LOADER(ld_sk, bfv_secret_key_t, bfv_secret_key_init, bfv_secret_key_deserialize,
       bfv_secret_key_clear)
LOADER(ld_pk, bfv_public_key_t, bfv_public_key_init, bfv_public_key_deserialize,
       bfv_public_key_clear)
LOADER(ld_rk, bfv_relin_key_t, bfv_relin_key_init, bfv_relin_key_deserialize,
       bfv_relin_key_clear)
LOADER(ld_gk, bfv_galois_keys_t, bfv_galois_keys_init,
       bfv_galois_keys_deserialize, bfv_galois_keys_clear)
LOADER(ld_pt, bfv_plaintext_t, bfv_plaintext_init, bfv_plaintext_deserialize,
       bfv_plaintext_clear)
LOADER(ld_ct, bfv_ciphertext_t, bfv_ciphertext_init, bfv_ciphertext_deserialize,
       bfv_ciphertext_clear)

static veil_status ld_crt_params(const bfv_context_t *ctx,
                                 const bfv_crt_context_t *crt,
                                 const uint8_t *in, size_t len, size_t *used)
{
    bfv_crt_params_t p;
    (void)ctx;
    (void)crt;
    return bfv_crt_params_deserialize_insecure(&p, in, len, used);
}

static veil_status ld_crt_ct(const bfv_context_t *ctx,
                             const bfv_crt_context_t *crt, const uint8_t *in,
                             size_t len, size_t *used)
{
    bfv_crt_ciphertext_t o;
    veil_status st;
    (void)ctx;
    cr_assert_eq(bfv_crt_ciphertext_init(&o, crt), VEIL_OK);
    st = bfv_crt_ciphertext_deserialize(&o, in, len, used);
    bfv_crt_ciphertext_clear(&o);
    return st;
}

/* dense: every body of the right length whose residues are below their
 * moduli is a valid object (the format has no redundancy to check), so a
 * random body with a valid checksum may load. */
typedef struct {
    const char *name;
    su_blob_t (*make)(hx_t *h);
    load_fn load;
    int dense;
} kind_t;

static const kind_t kinds[] = {
    {"params", mk_params, ld_params, 0},
    {"secret key", mk_sk, ld_sk, 0},
    {"public key", mk_pk, ld_pk, 1},
    {"relin key", mk_rk, ld_rk, 1},
    {"Galois keys", mk_gk, ld_gk, 0},
    {"plaintext", mk_pt, ld_pt, 0},
    {"ciphertext", mk_ct_full, ld_ct, 0},
    {"seeded ciphertext", mk_ct_seeded, ld_ct, 0},
    {"size-3 ciphertext", mk_ct_three, ld_ct, 0},
    {"CRT params", mk_crt_params, ld_crt_params, 0},
    {"CRT ciphertext", mk_crt_ct, ld_crt_ct, 0},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void hx_init(hx_t *h, const char *test)
{
    const unsigned qb[2] = {40, 40};
    su_init(&h->s, 2, test);
    ce_init(&h->c, 1024, 2, 20, qb, 2, 0, test);
    const bfv_context_t *ctx = &h->s.e.ctx;
    uint64_t *v = calloc(ctx->n, sizeof(uint64_t));
    bt_random_slots(&h->s.e.rng, v, ctx->n, h->s.e.t);
    cr_assert_eq(bfv_plaintext_init(&h->pt, ctx), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&h->pt, v, ctx->n), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&h->full, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&h->seeded, ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&h->three, ctx), VEIL_OK);
    cr_assert_eq(bfv_encrypt(&h->full, &h->s.e.pk, &h->pt, &h->s.e.rng),
                 VEIL_OK);
    cr_assert_eq(
        bfv_encrypt_symmetric(&h->seeded, &h->s.e.sk, &h->pt, &h->s.e.rng),
        VEIL_OK);
    cr_assert_eq(bfv_square(&h->three, &h->full), VEIL_OK);
    cr_assert_eq(bfv_crt_ciphertext_init(&h->crt, &h->c.ctx), VEIL_OK);
    {
        fmpz *x = _fmpz_vec_init((slong)h->c.n);
        ce_random_fmpz(x, h->c.n, 30, &h->c.rng);
        ce_encrypt(&h->c, &h->crt, x);
        _fmpz_vec_clear(x, (slong)h->c.n);
    }
    free(v);
}

static void hx_clear(hx_t *h)
{
    bfv_plaintext_clear(&h->pt);
    bfv_ciphertext_clear(&h->full);
    bfv_ciphertext_clear(&h->seeded);
    bfv_ciphertext_clear(&h->three);
    bfv_crt_ciphertext_clear(&h->crt);
    ce_clear(&h->c);
    su_clear(&h->s);
}

/* Load b[0..len) as kind k into the fixture's contexts. */
static veil_status load(const hx_t *h, size_t k, const uint8_t *b, size_t len,
                        size_t *used)
{
    return kinds[k].load(&h->s.e.ctx, &h->c.ctx, b, len, used);
}

/* -------------------------------------------------------------- tests */

Test(serial_hostile, sound_blobs_load)
{
    hx_t h;
    hx_init(&h, "serial_hostile.sound_blobs_load");
    for (size_t k = 0; k < NKINDS; k++) {
        su_blob_t b = kinds[k].make(&h);
        size_t used = 0;
        cr_assert_eq(load(&h, k, b.b, b.len, NULL), VEIL_OK, "%s",
                     kinds[k].name);
        cr_assert_eq(load(&h, k, b.b, b.len, &used), VEIL_OK);
        cr_assert_eq(used, b.len);
        su_blob_free(&b);
    }
    hx_clear(&h);
}

Test(serial_hostile, every_truncation)
{
    hx_t h;
    hx_init(&h, "serial_hostile.every_truncation");
    for (size_t k = 0; k < NKINDS; k++) {
        su_blob_t b = kinds[k].make(&h);
        for (size_t len = 0; len < b.len; len++) {
            size_t used;
            /* a copy of exactly len bytes: any read past it is caught by
             * the address sanitizer */
            uint8_t *cut = malloc(len ? len : 1);
            memcpy(cut, b.b, len);
            cr_assert_eq(load(&h, k, cut, len, NULL), VEIL_EFORMAT,
                         "%s truncated to %zu of %zu bytes", kinds[k].name, len,
                         b.len);
            cr_assert_eq(load(&h, k, cut, len, &used), VEIL_EFORMAT);
            free(cut);
        }
        /* a shorter body announced and resealed: the size no longer
         * matches what the context implies */
        if (su_body_len(b.b) > 8) {
            uint64_t body = su_body_len(b.b) - 8;
            size_t len =
                BFV_SERIAL_HEADER_BYTES + body + BFV_SERIAL_CHECKSUM_BYTES;
            su_set_body_len(b.b, body);
            su_reseal(b.b, len);
            cr_assert_eq(load(&h, k, b.b, len, NULL), VEIL_EFORMAT,
                         "%s with a short body", kinds[k].name);
        }
        su_blob_free(&b);
    }
    hx_clear(&h);
}

Test(serial_hostile, bit_flips)
{
    hx_t h;
    hx_init(&h, "serial_hostile.bit_flips");
    for (size_t k = 0; k < NKINDS; k++) {
        su_blob_t b = kinds[k].make(&h);
        const size_t bits = 8 * b.len;
        const size_t tail =
            8 * (BFV_SERIAL_HEADER_BYTES + BFV_SERIAL_CHECKSUM_BYTES);
        /* every bit of small objects; else the header, the checksum and
         * 200 random body bits */
        const size_t tries = bits <= 4096 ? bits : tail + vt_iters(200);
        for (size_t i = 0; i < tries; i++) {
            size_t bit;
            if (bits <= 4096)
                bit = i;
            else if (i < 8 * BFV_SERIAL_HEADER_BYTES)
                bit = i;
            else if (i < tail)
                bit = bits - (tail - i);
            else
                bit = veil_rng_u64(&h.s.e.rng) % bits;
            b.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            cr_assert_eq(load(&h, k, b.b, b.len, NULL), VEIL_EFORMAT,
                         "%s with bit %zu flipped", kinds[k].name, bit);
            b.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        cr_assert_eq(load(&h, k, b.b, b.len, NULL), VEIL_OK);
        su_blob_free(&b);
    }
    hx_clear(&h);
}

Test(serial_hostile, garbage_and_wrong_type)
{
    hx_t h;
    hx_init(&h, "serial_hostile.garbage_and_wrong_type");
    for (size_t k = 0; k < NKINDS; k++) {
        su_blob_t b = kinds[k].make(&h);
        /* every other loader refuses it (same-type ciphertext kinds
         * excepted: they are one format) */
        for (size_t j = 0; j < NKINDS; j++)
            if (kinds[j].load != kinds[k].load)
                cr_assert_eq(load(&h, j, b.b, b.len, NULL), VEIL_EFORMAT,
                             "%s read as %s", kinds[k].name, kinds[j].name);
        /* the header kept, everything after it random */
        for (unsigned r = 0; r < vt_iters(20); r++) {
            veil_rng_bytes(&h.s.e.rng, b.b + BFV_SERIAL_HEADER_BYTES,
                           b.len - BFV_SERIAL_HEADER_BYTES);
            cr_assert_eq(load(&h, k, b.b, b.len, NULL), VEIL_EFORMAT);
            su_reseal(b.b, b.len);
            veil_status st = load(&h, k, b.b, b.len, NULL);
            if (kinds[k].dense)
                cr_assert(st == VEIL_OK || st == VEIL_EFORMAT);
            else
                cr_assert_eq(st, VEIL_EFORMAT,
                             "%s: random body with a valid checksum",
                             kinds[k].name);
        }
        su_blob_free(&b);
    }
    hx_clear(&h);
}

Test(serial_hostile, mismatched_parameters)
{
    const unsigned qb[2] = {40, 40};
    hx_t h;
    su_env_t other_q;
    bt_env_t other_t;
    ce_env_t other_crt;
    bfv_params_t p;
    hx_init(&h, "serial_hostile.mismatched_parameters");
    su_init(&other_q, 3, "serial_hostile.mismatched_parameters.q");
    bt_params_small(&p, 1024, qb, 2, 50, 12289); /* another t */
    bt_env_init(&other_t, &p, 0, "serial_hostile.mismatched_parameters.t");
    ce_init(&other_crt, 1024, 3, 20, qb, 2, 0,
            "serial_hostile.mismatched_parameters.crt");
    for (size_t k = 0; k < NKINDS; k++) {
        su_blob_t b = kinds[k].make(&h);
        if (kinds[k].load == ld_params || kinds[k].load == ld_crt_params) {
            su_blob_free(&b);
            continue; /* parameter sets are not bound to a context */
        }
        cr_assert_eq(
            kinds[k].load(&other_q.e.ctx, &other_crt.ctx, b.b, b.len, NULL),
            VEIL_EFORMAT, "%s under other primes", kinds[k].name);
        cr_assert_eq(
            kinds[k].load(&other_t.ctx, &other_crt.ctx, b.b, b.len, NULL),
            VEIL_EFORMAT, "%s under another t", kinds[k].name);
        su_blob_free(&b);
    }
    bt_env_clear(&other_t);
    su_clear(&other_q);
    ce_clear(&other_crt);
    hx_clear(&h);
}

/* Change b (a blob of kind k), reseal, expect VEIL_EFORMAT. */
static void expect_refused(const hx_t *h, size_t k, su_blob_t *b,
                           const char *what)
{
    su_reseal(b->b, b->len);
    cr_assert_eq(load(h, k, b->b, b->len, NULL), VEIL_EFORMAT, "%s: %s",
                 kinds[k].name, what);
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

enum {
    K_PARAMS,
    K_SK,
    K_PK,
    K_RK,
    K_GK,
    K_PT,
    K_CT,
    K_CT_SEEDED,
    K_CT3,
    K_CRT_PARAMS,
    K_CRT_CT
};

Test(serial_hostile, semantic_violations)
{
    hx_t h;
    su_blob_t b;
    const size_t H = BFV_SERIAL_HEADER_BYTES;
    hx_init(&h, "serial_hostile.semantic_violations");
    const size_t n = h.s.e.ctx.n;

    /* header: magic, version, unknown flag, other hash */
    b = mk_ct_full(&h);
    b.b[0] ^= 0x20;
    expect_refused(&h, K_CT, &b, "magic");
    b.b[0] ^= 0x20;
    b.b[4] = BFV_SERIAL_VERSION + 1;
    expect_refused(&h, K_CT, &b, "a later version");
    b.b[4] = BFV_SERIAL_VERSION;
    b.b[7] = 0x80;
    expect_refused(&h, K_CT, &b, "unknown flag");
    b.b[7] = BFV_SERIAL_FLAG_SEEDED;
    expect_refused(&h, K_CT, &b, "seeded flag on a full body");
    b.b[7] = 0;
    b.b[20] ^= 1;
    expect_refused(&h, K_CT, &b, "parameter hash");
    b.b[20] ^= 1;
    /* ciphertext body: size field, a residue >= q */
    put_le(b.b + H, 1, 4);
    expect_refused(&h, K_CT, &b, "size 1");
    put_le(b.b + H, 4, 4);
    expect_refused(&h, K_CT, &b, "size 4");
    put_le(b.b + H, 3, 4);
    expect_refused(&h, K_CT, &b, "size 3 with a size-2 body");
    put_le(b.b + H, 2, 4);
    memset(b.b + H + 4, 0xff, 5); /* 2^40 - 1 >= q_0 */
    expect_refused(&h, K_CT, &b, "residue above q");
    su_blob_free(&b);
    b = mk_ct_seeded(&h);
    put_le(b.b + H, 3, 4);
    expect_refused(&h, K_CT_SEEDED, &b, "seeded size 3");
    su_blob_free(&b);
    b = mk_ct_three(&h);
    put_le(b.b + H, 2, 4);
    expect_refused(&h, K_CT3, &b, "size 2 with a size-3 body");
    su_blob_free(&b);

    /* plaintext: a coefficient >= t (17 bits: 2^17 - 1) */
    b = mk_pt(&h);
    b.b[H] = 0xff;
    b.b[H + 1] = 0xff;
    b.b[H + 2] |= 0x01;
    expect_refused(&h, K_PT, &b, "coefficient above t");
    su_blob_free(&b);

    /* secret key: the code 3 is not a ternary value */
    b = mk_sk(&h);
    b.b[H] |= 0x03;
    expect_refused(&h, K_SK, &b, "ternary code 3");
    su_blob_free(&b);

    /* keys must be seeded */
    b = mk_pk(&h);
    b.b[7] = 0;
    expect_refused(&h, K_PK, &b, "unseeded public key");
    su_blob_free(&b);
    b = mk_rk(&h);
    b.b[7] = 0;
    expect_refused(&h, K_RK, &b, "unseeded relin key");
    su_blob_free(&b);

    /* Galois keys: count, order, parity, range */
    b = mk_gk(&h);
    {
        const size_t count = (size_t)get_le(b.b + H, 4);
        const size_t per = (su_body_len(b.b) - 4) / count;
        uint8_t *e0 = b.b + H + 4, *e1 = e0 + per;
        const uint64_t g0 = get_le(e0, 8), g1 = get_le(e1, 8);
        cr_assert_eq(count, 3);
        put_le(b.b + H, n, 4);
        expect_refused(&h, K_GK, &b, "count n");
        put_le(b.b + H, 2, 4);
        expect_refused(&h, K_GK, &b, "count 2 with 3 keys");
        put_le(b.b + H, 3, 4);
        put_le(e1, g0, 8);
        expect_refused(&h, K_GK, &b, "duplicate element");
        put_le(e0, g1, 8);
        put_le(e1, g0, 8);
        expect_refused(&h, K_GK, &b, "unsorted elements");
        put_le(e1, g1, 8);
        put_le(e0, 1, 8);
        expect_refused(&h, K_GK, &b, "identity element");
        put_le(e0, g0 + 1, 8);
        expect_refused(&h, K_GK, &b, "even element");
        put_le(e0, g0, 8);
        put_le(b.b + H + 4 + 2 * per, 2 * n + 1, 8);
        expect_refused(&h, K_GK, &b, "element >= 2n");
    }
    su_blob_free(&b);

    /* parameter sets: counts, flag, structure, security, hash */
    b = mk_params(&h);
    {
        bfv_params_t p = h.s.e.params;
        uint8_t hash[BFV_PARAMS_HASH_BYTES];
        put_le(b.b + H + 16, 0, 4);
        expect_refused(&h, K_PARAMS, &b, "n_q = 0");
        put_le(b.b + H + 16, BFV_MAX_Q + 1, 4);
        expect_refused(&h, K_PARAMS, &b, "n_q too large");
        put_le(b.b + H + 16, p.n_q, 4);
        put_le(b.b + H + 28, 2, 4);
        expect_refused(&h, K_PARAMS, &b, "allow_insecure = 2");
        /* the set is insecure (n = 1024): without the flag it is refused */
        put_le(b.b + H + 28, 0, 4);
        expect_refused(&h, K_PARAMS, &b, "insecure set without the flag");
        put_le(b.b + H + 28, 1, 4);
        { /* with the flag: refused unless the local caller opts in */
            bfv_params_t pp;
            su_reseal(b.b, b.len);
            cr_assert_eq(bfv_params_deserialize(&pp, b.b, b.len, NULL),
                         VEIL_EFORMAT);
            cr_assert_eq(bfv_params_deserialize_insecure(&pp, b.b, b.len, NULL),
                         VEIL_OK);
        }
        /* q_0 + 2 is not 1 mod 2n; the header hash is made to match */
        p.q[0] += 2;
        cr_assert_eq(bfv_params_hash(hash, &p), VEIL_OK);
        memcpy(b.b + 16, hash, sizeof(hash));
        put_le(b.b + H + 32, p.q[0], 8);
        expect_refused(&h, K_PARAMS, &b, "q_0 not a suitable prime");
        p.q[0] -= 2;
        put_le(b.b + H + 32, p.q[0], 8);
        expect_refused(&h, K_PARAMS, &b, "hash of another set");
        cr_assert_eq(bfv_params_hash(hash, &p), VEIL_OK);
        memcpy(b.b + 16, hash, sizeof(hash));
        su_reseal(b.b, b.len);
        cr_assert_eq(load(&h, K_PARAMS, b.b, b.len, NULL), VEIL_OK);
    }
    su_blob_free(&b);

    /* CRT parameter sets: k, base t, duplicate primes */
    b = mk_crt_params(&h);
    {
        bfv_crt_params_t p = h.c.params;
        uint8_t hash[BFV_PARAMS_HASH_BYTES];
        const size_t kpos = H + 32 + 8 * (p.base.n_q + p.base.n_p);
        put_le(b.b + kpos, 0, 4);
        expect_refused(&h, K_CRT_PARAMS, &b, "k = 0");
        put_le(b.b + kpos, p.k, 4);
        put_le(b.b + H + 8, p.t[1], 8);
        expect_refused(&h, K_CRT_PARAMS, &b, "base t is not t_0");
        put_le(b.b + H + 8, p.t[0], 8);
        p.t[1] = p.t[0];
        cr_assert_eq(bfv_crt_params_hash(hash, &p), VEIL_OK);
        memcpy(b.b + 16, hash, sizeof(hash));
        put_le(b.b + kpos + 4 + 8, p.t[0], 8);
        expect_refused(&h, K_CRT_PARAMS, &b, "duplicate plaintext primes");
    }
    su_blob_free(&b);

    /* CRT ciphertexts: k, components of different sizes */
    b = mk_crt_ct(&h);
    put_le(b.b + H, 3, 4);
    expect_refused(&h, K_CRT_CT, &b, "k = 3 for 2 components");
    su_blob_free(&b);
    cr_assert_eq(bfv_square(&h.crt.c[1], &h.crt.c[1]), VEIL_OK);
    b = mk_crt_ct(&h);
    expect_refused(&h, K_CRT_CT, &b, "components of sizes 2 and 3");
    su_blob_free(&b);
    hx_clear(&h);
}
