/*
 * bench_bfv.c - veil-bench suite "bfv": every BFV operation at the 128-bit
 * presets n = 8192 (log QP = 218) and n = 16384 (log QP = 438), with
 * --threads OpenMP threads (median of --runs runs; key generation of whole
 * key sets is capped at BENCH_KEYSET_RUNS runs).  Op names are the API's
 * (rotate_rows, mul_relin, mul_plain, encrypt_pk, keygen_galois_pow2, ...);
 * sizes in bytes are reported as extra fields of the "sizes" row.
 */
#include "bench.h"
#include "veil/bfv.h"
#include "veil/bfv_serial.h"
#include <omp.h>
#include <stdio.h>
#include <string.h>

#define BENCH_KEYSET_RUNS 5 /* the power-of-two Galois key set */
#define BENCH_KEY_RUNS 21   /* one relinearization or Galois key */

typedef struct {
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk, gk1, gk_pow2;
    bfv_plaintext_t pt;
    bfv_plaintext_ntt_t ptn;
    bfv_ciphertext_t a, b, c, outs[16];
    bfv_hoisted_t h;
    bfv_ms_ciphertext_t ms; /* a switched to one limb (mod_switch) */
    uint64_t *slots;
    veil_rng_t rng;
    veil_status st; /* first failure inside a timed call */
} env_t;

#define CHECK(e, call)                                                         \
    do {                                                                       \
        veil_status s_ = (call);                                               \
        if (s_ != VEIL_OK && (e)->st == VEIL_OK)                               \
            (e)->st = s_;                                                      \
    } while (0)

static void op_keygen_secret(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_keygen_secret(&e->sk, &e->rng));
}
static void op_keygen_public(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_keygen_public(&e->pk, &e->sk, &e->rng));
}
static void op_keygen_relin(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_keygen_relin(&e->rk, &e->sk, &e->rng));
}
static void op_keygen_galois(void *p)
{
    env_t *e = p;
    const int64_t one = 1;
    bfv_galois_keys_clear(&e->gk1);
    CHECK(e, bfv_galois_keys_init(&e->gk1, &e->ctx));
    CHECK(e, bfv_keygen_galois_steps(&e->gk1, &e->sk, &one, 1, 0, &e->rng));
}
static void op_keygen_galois_pow2(void *p)
{
    env_t *e = p;
    bfv_galois_keys_clear(&e->gk_pow2);
    CHECK(e, bfv_galois_keys_init(&e->gk_pow2, &e->ctx));
    CHECK(e, bfv_keygen_galois_pow2(&e->gk_pow2, &e->sk, &e->rng));
}
static void op_encode(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_encode_batch(&e->pt, e->slots, e->ctx.n));
}
static void op_decode(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_decode_batch(e->slots, &e->pt));
}
static void op_encrypt_pk(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_encrypt(&e->c, &e->pk, &e->pt, &e->rng));
}
static void op_encrypt_sym(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_encrypt_symmetric(&e->c, &e->sk, &e->pt, &e->rng));
}
static void op_decrypt(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_decrypt(&e->pt, &e->sk, &e->a));
}
static void op_add(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_add(&e->c, &e->a, &e->b));
}
static void op_add_plain(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_add_plain(&e->c, &e->a, &e->pt));
}
static void op_mul_plain(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_mul_plain(&e->c, &e->a, &e->ptn));
}
static void op_mul_scalar(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_mul_scalar(&e->c, &e->a, 12345));
}
static void op_mul(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_mul(&e->c, &e->a, &e->b));
}
static void op_square(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_square(&e->c, &e->a));
}
static void op_relinearize(void *p)
{
    env_t *e = p;
    /* e->outs[0] holds a size-3 product (set up before timing) */
    CHECK(e, bfv_relinearize(&e->c, &e->outs[0], &e->rk));
}
static void op_mul_relin(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_mul_relin(&e->c, &e->a, &e->b, &e->rk));
}
static void op_rotate_rows(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_rotate_rows(&e->c, &e->a, 1, &e->gk));
}
static void op_rotate_columns(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_rotate_columns(&e->c, &e->a, &e->gk));
}
static void op_rotate_hoisted16(void *p)
{
    env_t *e = p;
    int64_t steps[16];
    for (int i = 0; i < 16; i++)
        steps[i] = i < 8 ? ((int64_t)1 << i) : -((int64_t)1 << (i - 8));
    CHECK(e, bfv_rotate_rows_many(e->outs, &e->a, steps, 16, &e->gk));
}
/* the answer-shrinking step: every limb but q_0 dropped (bfv.h) */
static void op_mod_switch(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_mod_switch(&e->ms, &e->a, 1));
}
static void op_decrypt_ms(void *p)
{
    env_t *e = p;
    CHECK(e, bfv_decrypt_ms(&e->pt, &e->sk, &e->ms));
}

static const struct {
    const char *name;
    void (*fn)(void *);
    int max_runs; /* 0: --runs */
} ops[] = {
    {"keygen_secret", op_keygen_secret, 0},
    {"keygen_public", op_keygen_public, 0},
    {"keygen_relin", op_keygen_relin, BENCH_KEY_RUNS},
    {"keygen_galois", op_keygen_galois, BENCH_KEY_RUNS},
    {"keygen_galois_pow2", op_keygen_galois_pow2, BENCH_KEYSET_RUNS},
    {"encode", op_encode, 0},
    {"decode", op_decode, 0},
    {"encrypt_pk", op_encrypt_pk, 0},
    {"encrypt_symmetric", op_encrypt_sym, 0},
    {"decrypt", op_decrypt, 0},
    {"add", op_add, 0},
    {"add_plain", op_add_plain, 0},
    {"mul_plain", op_mul_plain, 0},
    {"mul_scalar", op_mul_scalar, 0},
    {"mul", op_mul, 0},
    {"square", op_square, 0},
    {"relinearize", op_relinearize, 0},
    {"mul_relin", op_mul_relin, 0},
    {"rotate_rows", op_rotate_rows, 0},
    {"rotate_columns", op_rotate_columns, 0},
    {"rotate_rows_hoisted16", op_rotate_hoisted16, 0},
    {"mod_switch", op_mod_switch, 0},
    {"decrypt_ms", op_decrypt_ms, 0},
};

static void env_clear(env_t *e)
{
    bfv_hoisted_clear(&e->h);
    bfv_ms_ciphertext_clear(&e->ms);
    for (int i = 0; i < 16; i++)
        bfv_ciphertext_clear(&e->outs[i]);
    bfv_ciphertext_clear(&e->a);
    bfv_ciphertext_clear(&e->b);
    bfv_ciphertext_clear(&e->c);
    bfv_plaintext_ntt_clear(&e->ptn);
    bfv_plaintext_clear(&e->pt);
    bfv_galois_keys_clear(&e->gk);
    bfv_galois_keys_clear(&e->gk1);
    bfv_galois_keys_clear(&e->gk_pow2);
    bfv_relin_key_clear(&e->rk);
    bfv_public_key_clear(&e->pk);
    bfv_secret_key_clear(&e->sk);
    veil_free(e->slots);
    bfv_context_clear(&e->ctx);
    veil_rng_clear(&e->rng);
}

/* Keys and operands for the preset of degree n. */
static veil_status env_init(env_t *e, size_t n)
{
    bfv_params_t p;
    veil_status st;
    memset(e, 0, sizeof(*e));
    if ((st = bfv_params_preset(&p, n)) != VEIL_OK ||
        (st = bfv_context_init(&e->ctx, &p)) != VEIL_OK ||
        (st = veil_rng_init(&e->rng)) != VEIL_OK)
        return st;
    e->slots = veil_alloc(n * sizeof(uint64_t));
    if (e->slots == NULL)
        return VEIL_ENOMEM;
    veil_rng_uniform_mod(&e->rng, e->slots, n, p.t);
    if ((st = bfv_secret_key_init(&e->sk, &e->ctx)) != VEIL_OK ||
        (st = bfv_public_key_init(&e->pk, &e->ctx)) != VEIL_OK ||
        (st = bfv_relin_key_init(&e->rk, &e->ctx)) != VEIL_OK ||
        (st = bfv_galois_keys_init(&e->gk, &e->ctx)) != VEIL_OK ||
        (st = bfv_galois_keys_init(&e->gk1, &e->ctx)) != VEIL_OK ||
        (st = bfv_galois_keys_init(&e->gk_pow2, &e->ctx)) != VEIL_OK ||
        (st = bfv_plaintext_init(&e->pt, &e->ctx)) != VEIL_OK ||
        (st = bfv_plaintext_ntt_init(&e->ptn, &e->ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&e->a, &e->ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&e->b, &e->ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&e->c, &e->ctx)) != VEIL_OK ||
        (st = bfv_hoisted_init(&e->h, &e->ctx)) != VEIL_OK ||
        (st = bfv_ms_ciphertext_init(&e->ms, &e->ctx)) != VEIL_OK)
        return st;
    for (int i = 0; i < 16; i++)
        if ((st = bfv_ciphertext_init(&e->outs[i], &e->ctx)) != VEIL_OK)
            return st;
    /* the rotations use the steps +-1 .. +-128 and the row swap only: the
     * full power-of-two set is what keygen_galois_pow2 times */
    int64_t steps[16];
    for (int i = 0; i < 16; i++)
        steps[i] = i < 8 ? ((int64_t)1 << i) : -((int64_t)1 << (i - 8));
    if ((st = bfv_keygen_secret(&e->sk, &e->rng)) != VEIL_OK ||
        (st = bfv_keygen_public(&e->pk, &e->sk, &e->rng)) != VEIL_OK ||
        (st = bfv_keygen_relin(&e->rk, &e->sk, &e->rng)) != VEIL_OK ||
        (st = bfv_keygen_galois_steps(&e->gk, &e->sk, steps, 16, 1, &e->rng)) !=
            VEIL_OK ||
        (st = bfv_encode_batch(&e->pt, e->slots, n)) != VEIL_OK ||
        (st = bfv_plaintext_to_ntt(&e->ptn, &e->pt)) != VEIL_OK ||
        (st = bfv_encrypt(&e->a, &e->pk, &e->pt, &e->rng)) != VEIL_OK ||
        (st = bfv_encrypt(&e->b, &e->pk, &e->pt, &e->rng)) != VEIL_OK ||
        (st = bfv_mul(&e->outs[0], &e->a, &e->b)) != VEIL_OK ||
        (st = bfv_mod_switch(&e->ms, &e->a, 1)) != VEIL_OK)
        return st;
    return VEIL_OK;
}

/* Sizes in bytes of the wire objects: a ciphertext (2 polynomials of L
 * rows of n 64-bit words), a seeded one (c1 replaced by its seed), the
 * public key (seeded), a relinearization or Galois key (seeded a parts);
 * and the serialized (bit-packed) ciphertext, full and switched to one
 * limb (bfv_serial.h). */
static void report_sizes(const bench_opts_t *o, const env_t *e, size_t n,
                         unsigned bits)
{
    const size_t poly = e->ctx.n_q * n * 8, kpoly = e->ctx.n_qp * n * 8;
    const size_t digits = (e->ctx.n_q + e->ctx.n_p - 1) / e->ctx.n_p;
    char extra[384];
    snprintf(extra, sizeof(extra),
             "\"ct_bytes\":%zu,\"ct_seeded_bytes\":%zu,\"pk_bytes\":%zu,"
             "\"relin_key_bytes\":%zu,\"galois_key_bytes\":%zu,"
             "\"ct_serial_bytes\":%zu,\"ct_1limb_serial_bytes\":%zu",
             2 * poly, poly + VEIL_SEED_BYTES, poly + VEIL_SEED_BYTES,
             digits * kpoly + VEIL_SEED_BYTES, digits * kpoly + VEIL_SEED_BYTES,
             bfv_ciphertext_serial_size(&e->a, BFV_SERIAL_FULL),
             bfv_ms_ciphertext_serial_size(&e->ms));
    bench_report(o, "bfv", "sizes", n, bits, veil_isa_name(veil_isa_active()),
                 o->threads, 0.0, 0, extra);
}

int bench_bfv(const bench_opts_t *o)
{
    static const size_t degrees[2] = {8192, 16384};
    int rc = 0;

    if (o->isa != NULL) {
        veil_isa_t isa;
        if (veil_isa_parse(&isa, o->isa) != VEIL_OK ||
            veil_isa_set(isa) != VEIL_OK) {
            fprintf(stderr, "veil-bench bfv: ISA '%s' not available here\n",
                    o->isa);
            return 1;
        }
    }
    omp_set_num_threads(o->threads);
    bench_header(o, "bfv: BFV operations at the 128-bit presets");
    for (int d = 0; d < 2 && rc == 0; d++) {
        const size_t n = degrees[d];
        env_t e;
        veil_status st = env_init(&e, n);
        unsigned bits;
        if (st != VEIL_OK) {
            fprintf(stderr, "veil-bench bfv: n=%zu: set-up failed: %s\n", n,
                    veil_strerror(st));
            env_clear(&e);
            return 1;
        }
        {
            bfv_params_t p = e.ctx.params;
            bits = bfv_params_log_qp(&p);
        }
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            int runs = ops[i].max_runs && ops[i].max_runs < o->runs
                           ? ops[i].max_runs
                           : o->runs;
            double us = bench_median_us(ops[i].fn, &e, runs);
            if (e.st != VEIL_OK) {
                fprintf(stderr, "veil-bench bfv: n=%zu %s: %s\n", n,
                        ops[i].name, veil_strerror(e.st));
                rc = 1;
                break;
            }
            bench_report(o, "bfv", ops[i].name, n, bits,
                         veil_isa_name(veil_isa_active()), o->threads, us, runs,
                         NULL);
        }
        if (rc == 0)
            report_sizes(o, &e, n, bits);
        env_clear(&e);
    }
    return rc;
}
