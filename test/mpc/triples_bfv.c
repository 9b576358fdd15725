/*
 * Tests of Beaver triple generation with BFV: two parties (threads over a
 * socket pair) produce shares whose sums satisfy c = a b in every slot of
 * two batches (one full, one partial); parameter checks; a malformed key
 * from the client gives the server a clean VEIL_EFORMAT; the noise of the
 * server's reply, measured with the secret key, is that of the flood.
 */
#include "../../mpc/triples_bfv_internal.h"
#include "../common/seed.h"
#include "veil/bfv_serial.h"
#include "veil/mpc_bfv.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The field, its BFV context and the client's key pair: every test's
 * setup, seeded under NAME. */
typedef struct {
    mpc_field_t f;
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    veil_rng_t rng;
} bfv_keys_t;

static void keys_setup(bfv_keys_t *k, const char *name)
{
    cr_assert_eq(mpc_field_init(&k->f, MPC_P_DELPHI, 15), VEIL_OK);
    cr_assert_eq(mpc_bfv_params(&k->params, &k->f), VEIL_OK);
    cr_assert_eq(bfv_context_init(&k->ctx, &k->params), VEIL_OK);
    vt_rng(&k->rng, name);
    cr_assert_eq(bfv_secret_key_init(&k->sk, &k->ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&k->pk, &k->ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&k->sk, &k->rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&k->pk, &k->sk, &k->rng), VEIL_OK);
}

static void keys_teardown(bfv_keys_t *k)
{
    bfv_public_key_clear(&k->pk);
    bfv_secret_key_clear(&k->sk);
    bfv_context_clear(&k->ctx);
    veil_rng_clear(&k->rng);
}

typedef struct {
    const mpc_field_t *f;
    const bfv_context_t *ctx;
    const bfv_secret_key_t *sk;
    const bfv_public_key_t *pk;
    mpc_triples_t *t; /* t[0] server, t[1] client */
    int bad_key;      /* the client sends garbage instead */
} bfv_job_t;

static veil_status bfv_party(mpc_chan_t *ch, int party, void *arg)
{
    bfv_job_t *j = arg;
    veil_rng_t rng;
    veil_status st = veil_rng_init(&rng);
    if (st != VEIL_OK)
        return st;
    if (party == 0) {
        st = mpc_triples_bfv_server(&j->t[0], j->f, j->ctx, ch, &rng);
    } else if (j->bad_key) {
        size_t len = 4096; /* a frame the key deserializer must refuse */
        uint8_t *junk = malloc(len);
        memset(junk, 0xff, len);
        st = mpc_chan_send(ch, junk, len);
        if (st == VEIL_OK)
            st = mpc_chan_recv(ch, junk, 1); /* the server hangs up */
        free(junk);
    } else {
        st = mpc_triples_bfv_client(&j->t[1], j->f, j->sk, j->pk, ch, &rng);
    }
    veil_rng_clear(&rng);
    return st;
}

Test(mpc_bfv, triples_from_bfv_are_correct, .timeout = 120)
{
    bfv_keys_t k;
    mpc_triples_t t[2];
    veil_status st[2];
    const size_t n = 16384 + 1000;
    bfv_job_t j = {&k.f, &k.ctx, &k.sk, &k.pk, t, 0};
    void *args[2] = {&j, &j};

    keys_setup(&k, "bfv-triples");
    cr_assert_eq(mpc_triples_init(&t[0], n), VEIL_OK);
    cr_assert_eq(mpc_triples_init(&t[1], n), VEIL_OK);

    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, bfv_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "server: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "client: %s", veil_strerror(st[1]));
    for (size_t i = 0; i < n; i++) {
        uint64_t a = mpc_field_add(&k.f, t[0].a[i], t[1].a[i]);
        uint64_t b = mpc_field_add(&k.f, t[0].b[i], t[1].b[i]);
        uint64_t c = mpc_field_add(&k.f, t[0].c[i], t[1].c[i]);
        uint64_t want = n_mulmod2_preinv(a, b, k.f.p, n_preinvert_limb(k.f.p));
        if (c != want)
            cr_assert_fail("triple %zu: c != a b", i);
    }
    /* the server's shares are its own randomness, not the client's */
    cr_assert(memcmp(t[0].a, t[1].a, 64 * sizeof(uint64_t)) != 0);

    /* a malformed public key: the server refuses it */
    j.bad_key = 1;
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, bfv_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_EFORMAT, "%s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_ECLOSED, "%s", veil_strerror(st[1]));

    mpc_triples_clear(&t[0]);
    mpc_triples_clear(&t[1]);
    keys_teardown(&k);
}

Test(mpc_bfv, parameters_follow_the_field)
{
    mpc_field_t f;
    bfv_params_t params;
    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    cr_assert_eq(mpc_bfv_params(&params, &f), VEIL_OK);
    cr_assert_eq(params.t, MPC_P_DELPHI);
    cr_assert_eq(params.n, 16384);
    /* not 1 mod 2n, then too large for the NTT primes */
    cr_assert_eq(mpc_field_init(&f, 1000003, 0), VEIL_OK);
    cr_assert_eq(mpc_bfv_params(&params, &f), VEIL_EPARAM);
    cr_assert_eq(mpc_field_init(&f, (UINT64_C(1) << 61) - 1, 15), VEIL_OK);
    cr_assert_eq(mpc_bfv_params(&params, &f), VEIL_EPARAM);
    cr_assert_eq(mpc_bfv_params(NULL, &f), VEIL_EINVAL);
}

/* ------------------------------------------------ the reply's noise
 *
 * The client's side of mpc_triples_bfv_client written out here, so that
 * the test holds the server's reply R itself and measures its noise with
 * the secret key (bfv_noise_budget: exact, GMP).  mpc_bfv.h promises a
 * flood F uniform in [-B, B] with B = 2^(MPC_BFV_FLOOD_BITS + log2 n)
 * times 2^(log2 n + 2 log2 t + 4), the bound on the rest of the noise.
 * With v = [t (c_0 + c_1 s)]_Q = t (e + F) - (Q mod t) m, and
 * max_k |F_k| >= B / 2 except with probability 2^-n, max |v| >= t B / 4,
 * so the budget floor(log2(Q / (2 max |v|))) is at most
 * log2 Q - log2 t - log2 B + 1 = 51.  Without the flood the noise is at
 * most 2^(log2 n + 2 log2 t + 4), a budget of at least 104 bits (measured:
 * 152 bits with the flood removed from mpc/triples_bfv.c, 49 with it):
 * the test fails when the flooding is removed.
 *
 * The reply travels switched to l < L primes (bfv_mod_switch keeps the
 * relative noise v / Q, adding at most t (1 + n) / 2): the same bound with
 * log2 Q_l for log2 Q, measured with bfv_noise_budget_ms; the test fails
 * when the reply keeps all L primes (limbs and bytes checked). */

typedef struct {
    const mpc_field_t *f;
    const bfv_context_t *ctx;
    const bfv_secret_key_t *sk;
    const bfv_public_key_t *pk;
    mpc_triples_t *t;
    int budget;       /* measured on the reply          */
    uint64_t slot[2]; /* c1 = a1 b1 + Dec(R), two slots */
    size_t limbs;     /* primes the reply kept          */
    size_t bytes;     /* the reply's frame              */
    size_t full;      /* a full ciphertext's serial size */
} noise_job_t;

static veil_status noise_party(mpc_chan_t *ch, int party, void *arg)
{
    noise_job_t *j = arg;
    const bfv_context_t *ctx = j->ctx;
    bfv_plaintext_t pt = {0};
    bfv_ciphertext_t ca = {0}, cb = {0};
    bfv_ms_ciphertext_t r = {0};
    veil_rng_t rng;
    uint8_t *buf = NULL;
    uint64_t *a = NULL, *b = NULL, *m = NULL;
    size_t len, cap;
    veil_status st = veil_rng_init(&rng);
    if (st != VEIL_OK)
        return st;
    if (party == 0) {
        st = mpc_triples_bfv_server(j->t, j->f, ctx, ch, &rng);
        veil_rng_clear(&rng);
        return st;
    }
    a = malloc(ctx->n * sizeof(uint64_t));
    b = malloc(ctx->n * sizeof(uint64_t));
    m = malloc(ctx->n * sizeof(uint64_t));
    if ((st = bfv_plaintext_init(&pt, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&ca, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&cb, ctx)) != VEIL_OK ||
        (st = bfv_ms_ciphertext_init(&r, ctx)) != VEIL_OK)
        goto done;
    cap = bfv_ciphertext_serial_size(&ca, BFV_SERIAL_FULL) + 64;
    j->full = bfv_ciphertext_serial_size(&ca, BFV_SERIAL_FULL);
    buf = malloc(cap);
    if ((st = bfv_public_key_serialize(buf, cap, &len, j->pk)) != VEIL_OK ||
        (st = mpc_chan_send(ch, buf, len)) != VEIL_OK)
        goto done;
    mpc_field_vec_random(j->f, &rng, a, ctx->n);
    mpc_field_vec_random(j->f, &rng, b, ctx->n);
    if ((st = bfv_encode_batch(&pt, a, ctx->n)) != VEIL_OK ||
        (st = bfv_encrypt_symmetric(&ca, j->sk, &pt, &rng)) != VEIL_OK ||
        (st = bfv_ciphertext_serialize(buf, cap, &len, &ca, 0)) != VEIL_OK ||
        (st = mpc_chan_send(ch, buf, len)) != VEIL_OK ||
        (st = bfv_encode_batch(&pt, b, ctx->n)) != VEIL_OK ||
        (st = bfv_encrypt_symmetric(&cb, j->sk, &pt, &rng)) != VEIL_OK ||
        (st = bfv_ciphertext_serialize(buf, cap, &len, &cb, 0)) != VEIL_OK ||
        (st = mpc_chan_send(ch, buf, len)) != VEIL_OK ||
        (st = mpc_chan_recv_any(ch, buf, cap, &len)) != VEIL_OK ||
        (st = bfv_ms_ciphertext_deserialize(&r, buf, len, NULL)) != VEIL_OK)
        goto done;
    j->limbs = r.limbs;
    j->bytes = len;
    /* the measurement: the exact noise budget of the reply as received */
    if ((st = bfv_noise_budget_ms(&j->budget, j->sk, &r)) != VEIL_OK ||
        (st = bfv_decrypt_ms(&pt, j->sk, &r)) != VEIL_OK ||
        (st = bfv_decode_batch(m, &pt)) != VEIL_OK)
        goto done;
    /* the reply still makes a triple with the server's shares */
    for (int k = 0; k < 2; k++) {
        size_t i = k ? ctx->n - 1 : 0;
        j->slot[k] = mpc_field_add(j->f, mpc_field_mul(j->f, a[i], b[i]), m[i]);
        j->t[1].a[k] = a[i];
        j->t[1].b[k] = b[i];
    }
done:
    free(buf);
    free(a);
    free(b);
    free(m);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ca);
    bfv_ciphertext_clear(&cb);
    bfv_ms_ciphertext_clear(&r);
    veil_rng_clear(&rng);
    return st;
}

Test(mpc_bfv, reply_is_switched_to_fewer_primes, .timeout = 120)
{
    bfv_keys_t k;
    mpc_triples_t t[2];
    veil_status st[2];
    noise_job_t j = {&k.f, &k.ctx, &k.sk, &k.pk, t, -1, {0, 0}, 0, 0, 0};
    void *args[2] = {&j, &j};

    keys_setup(&k, "bfv-reply-switched");
    /* one batch: the server fills n triples, the client two of its own */
    cr_assert_eq(mpc_triples_init(&t[0], k.ctx.n), VEIL_OK);
    cr_assert_eq(mpc_triples_init(&t[1], 2), VEIL_OK);

    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, noise_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "server: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "client: %s", veil_strerror(st[1]));

    /* the reply is switched: fewer primes, fewer bytes */
    printf("triple reply: %zu of %zu primes, %zu bytes (a full ciphertext: "
           "%zu bytes)\n",
           j.limbs, k.ctx.n_q, j.bytes, j.full);
    cr_assert(j.limbs >= 1 && j.limbs < k.ctx.n_q,
              "the reply keeps %zu of %zu primes", j.limbs, k.ctx.n_q);
    cr_assert_lt(j.bytes, j.full * (j.limbs + 1) / k.ctx.n_q);
    printf("triple reply: budget %d bits at the reply's modulus\n", j.budget);
    cr_assert_geq(j.budget, 1, "the reply must still decrypt");
    /* and it is a reply of the protocol: c1 + c2 = (a1 + a2)(b1 + b2) */
    for (int s = 0; s < 2; s++) {
        size_t i = s ? k.ctx.n - 1 : 0;
        uint64_t a = mpc_field_add(&k.f, t[0].a[i], t[1].a[s]);
        uint64_t b = mpc_field_add(&k.f, t[0].b[i], t[1].b[s]);
        uint64_t c = mpc_field_add(&k.f, t[0].c[i], j.slot[s]);
        cr_assert_eq(c, mpc_field_mul(&k.f, a, b), "slot %zu", i);
    }

    mpc_triples_clear(&t[0]);
    mpc_triples_clear(&t[1]);
    keys_teardown(&k);
}

/* The flood at the full modulus (before the switch), measured on the
 * server's reply function itself: the bound of the comment above. */
Test(mpc_bfv, reply_noise_is_flooded, .timeout = 120)
{
    bfv_keys_t k;
    bfv_plaintext_t pt;
    bfv_ciphertext_t ca, cb;
    uint64_t *a1, *b1, *a2, *b2, *c2, *m;
    double log2q = 0, log2t, bound;
    unsigned logn, bitt, log2b;
    int budget = -1;

    keys_setup(&k, "bfv-reply-noise");
    cr_assert_eq(bfv_plaintext_init(&pt, &k.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&ca, &k.ctx), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&cb, &k.ctx), VEIL_OK);
    a1 = malloc(k.ctx.n * sizeof(uint64_t));
    b1 = malloc(k.ctx.n * sizeof(uint64_t));
    a2 = malloc(k.ctx.n * sizeof(uint64_t));
    b2 = malloc(k.ctx.n * sizeof(uint64_t));
    c2 = malloc(k.ctx.n * sizeof(uint64_t));
    m = malloc(k.ctx.n * sizeof(uint64_t));
    cr_assert(a1 && b1 && a2 && b2 && c2 && m);
    mpc_field_vec_random(&k.f, &k.rng, a1, k.ctx.n);
    mpc_field_vec_random(&k.f, &k.rng, b1, k.ctx.n);
    mpc_field_vec_random(&k.f, &k.rng, a2, k.ctx.n);
    mpc_field_vec_random(&k.f, &k.rng, b2, k.ctx.n);
    mpc_field_vec_random(&k.f, &k.rng, c2, k.ctx.n);
    cr_assert_eq(bfv_encode_batch(&pt, a1, k.ctx.n), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&ca, &k.sk, &pt, &k.rng), VEIL_OK);
    cr_assert_eq(bfv_encode_batch(&pt, b1, k.ctx.n), VEIL_OK);
    cr_assert_eq(bfv_encrypt_symmetric(&cb, &k.sk, &pt, &k.rng), VEIL_OK);
    cr_assert_eq(mpc_triples_bfv_reply(&ca, &cb, &k.f, &k.pk, a2, b2, c2,
                                       k.ctx.n, &k.rng),
                 VEIL_OK);
    cr_assert_eq(bfv_noise_budget(&budget, &k.sk, &ca), VEIL_OK);

    /* the bound of the comment above, from the header's definition of B */
    for (size_t i = 0; i < k.ctx.n_q; i++)
        log2q += log2((double)k.params.q[i]);
    log2t = log2((double)k.params.t);
    logn = (unsigned)log2((double)k.ctx.n);
    bitt = 64 - (unsigned)__builtin_clzll(k.params.t);
    log2b = MPC_BFV_FLOOD_BITS + logn + (logn + 2 * bitt + 4);
    bound = floor(log2q - log2t - log2b + 1);
    printf("triple reply: log2 Q %.1f, log2 t %.1f, flood 2^%u: measured "
           "budget %d bits, at most %.0f with the flood (at least %.0f "
           "without)\n",
           log2q, log2t, log2b, budget, bound,
           floor(log2q - log2t - (logn + 2 * bitt + 4)));
    cr_assert_geq(budget, 1, "the reply must still decrypt");
    cr_assert_leq(budget, (int)bound,
                  "the reply's noise is below the flood: budget %d > %.0f",
                  budget, bound);
    /* and it is a reply: a1 b1 + Dec(R) + c2 = (a1 + a2)(b1 + b2) */
    cr_assert_eq(bfv_decrypt(&pt, &k.sk, &ca), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(m, &pt), VEIL_OK);
    for (size_t i = 0; i < k.ctx.n; i++) {
        uint64_t c1 =
            mpc_field_add(&k.f, mpc_field_mul(&k.f, a1[i], b1[i]), m[i]);
        uint64_t a = mpc_field_add(&k.f, a1[i], a2[i]);
        uint64_t b = mpc_field_add(&k.f, b1[i], b2[i]);
        cr_assert_eq(mpc_field_add(&k.f, c1, c2[i]), mpc_field_mul(&k.f, a, b),
                     "slot %zu", i);
    }

    free(a1);
    free(b1);
    free(a2);
    free(b2);
    free(c2);
    free(m);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ca);
    bfv_ciphertext_clear(&cb);
    keys_teardown(&k);
}
