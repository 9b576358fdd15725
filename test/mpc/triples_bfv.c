/*
 * Tests of Beaver triple generation with BFV: two parties (threads over a
 * socket pair) produce shares whose sums satisfy c = a b in every slot of
 * two batches (one full, one partial); parameter checks; a malformed key
 * from the client gives the server a clean VEIL_EFORMAT.
 */
#include "../common/seed.h"
#include "veil/mpc_bfv.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    mpc_field_t f;
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    mpc_triples_t t[2];
    veil_rng_t rng;
    veil_status st[2];
    const size_t n = 16384 + 1000;
    bfv_job_t j = {&f, &ctx, &sk, &pk, t, 0};
    void *args[2] = {&j, &j};

    cr_assert_eq(mpc_field_init(&f, MPC_P_DELPHI, 15), VEIL_OK);
    cr_assert_eq(mpc_bfv_params(&params, &f), VEIL_OK);
    cr_assert_eq(bfv_context_init(&ctx, &params), VEIL_OK);
    vt_rng(&rng, "bfv-triples");
    cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&pk, &ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&sk, &rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&pk, &sk, &rng), VEIL_OK);
    cr_assert_eq(mpc_triples_init(&t[0], n), VEIL_OK);
    cr_assert_eq(mpc_triples_init(&t[1], n), VEIL_OK);

    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, bfv_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "server: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "client: %s", veil_strerror(st[1]));
    for (size_t i = 0; i < n; i++) {
        uint64_t a = mpc_field_add(&f, t[0].a[i], t[1].a[i]);
        uint64_t b = mpc_field_add(&f, t[0].b[i], t[1].b[i]);
        uint64_t c = mpc_field_add(&f, t[0].c[i], t[1].c[i]);
        uint64_t want = n_mulmod2_preinv(a, b, f.p, n_preinvert_limb(f.p));
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
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
    veil_rng_clear(&rng);
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
