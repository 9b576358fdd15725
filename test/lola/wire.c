/* The evaluation keys on the wire, once for all CRT components
 * (lola_evalkeys_serialize / lola_evalkeys_parse, format version 3 in
 * include/veil/lola_wire.h):
 *  - a two-prime plan's keys travel as ONE key set: the size is exactly
 *    lola_evalkeys_bytes, and 1/ncomp of what a set per component takes;
 *  - the receiver rebuilds the shared set (views of component 0, each bound
 *    to its own context), evaluates with it, and the decrypted logits equal
 *    the exact integer evaluator's;
 *  - accepted keys serialize back to the same bytes;
 *  - truncated, oversized, corrupted, version-2, wrongly flagged, wrong
 *    component count, another plan's keys and a setup whose components do
 *    not share Q are all refused with VEIL_EFORMAT;
 *  - several components that are not one set cannot be serialized. */
#include "common.h"
#include "veil/bfv_serial.h"
#include "veil/lola.h"
#include "veil/lola_wire.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    nn_qmodel_t q;
    lola_spec_t spec;
    lola_setup_t su;
    lola_client_t cl;
    veil_rng_t rng;
} env_t;

static void env_init(env_t *e, const char *name, size_t primes,
                     const char *kernels)
{
    lola_options_t o;
    veil_status s;
    vt_rng(&e->rng, name);
    cr_assert_eq(veil_init(), VEIL_OK);
    omp_set_num_threads(1);
    lt_small_model(&e->q, &e->rng, 1, 0);
    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = 512;
    o.primes = primes;
    o.kernels = kernels;
    s = lola_plan(&e->spec, NULL, &e->q, &o);
    cr_assert_eq(s, VEIL_OK, "plan: %s", veil_strerror(s));
    cr_assert_eq(e->spec.nprimes, primes);
    cr_assert_eq(lola_setup_init(&e->su, &e->spec), VEIL_OK);
    cr_assert_eq(lola_client_init(&e->cl, &e->su, &e->rng), VEIL_OK);
}

static void env_clear(env_t *e)
{
    lola_client_clear(&e->cl);
    lola_setup_clear(&e->su);
    nn_qmodel_clear(&e->q);
    veil_rng_clear(&e->rng);
}

/* Bytes of one component's keys, as one set or as one of several. */
static size_t set_bytes(const lola_evalkeys_t *ek, size_t c)
{
    return bfv_relin_key_serial_size(&ek->rk[c]) +
           bfv_galois_keys_serial_size(&ek->gk[c]) +
           bfv_public_key_serial_size(&ek->pk[c]);
}

Test(lola_wire, keys_once_round_trip, .timeout = 120)
{
    env_t e;
    lola_evalkeys_t ek;
    lola_server_t sv;
    lola_msg_t in, out;
    nn_qtrace_t tr;
    uint8_t *buf, *back;
    size_t len, blen, per_comp = 0;
    int64_t x[64];
    fmpz *logits;

    env_init(&e, "lola_wire.keys_once", 3, NULL);
    cr_assert_eq(e.cl.ek.shared, 1);
    cr_assert_eq(lola_evalkeys_serialize(&buf, &len, &e.cl.ek), VEIL_OK);
    cr_assert_eq(len, lola_evalkeys_bytes(&e.su));
    for (size_t c = 0; c < e.su.ncomp; c++)
        per_comp += set_bytes(&e.cl.ek, c);
    /* once: one set, 1/3 of a set per component */
    cr_assert_eq(len, LOLA_WIRE_HEADER_BYTES + set_bytes(&e.cl.ek, 0));
    cr_assert_eq((len - LOLA_WIRE_HEADER_BYTES) * e.su.ncomp, per_comp);

    cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len), VEIL_OK);
    cr_assert_eq(ek.ncomp, e.su.ncomp);
    cr_assert_eq(ek.shared, 1);
    for (size_t c = 0; c < e.su.ncomp; c++) {
        cr_assert_eq(ek.rk[c].ctx, &e.su.ctx[c]);
        cr_assert_eq(ek.gk[c].ctx, &e.su.ctx[c]);
        cr_assert_eq(ek.pk[c].ctx, &e.su.ctx[c]);
        cr_assert_eq(ek.gk[c].count, e.su.ngalois);
    }
    cr_assert_eq(lola_evalkeys_serialize(&back, &blen, &ek), VEIL_OK);
    cr_assert_eq(blen, len);
    cr_assert_eq(memcmp(back, buf, len), 0);
    free(back);

    /* the server evaluates with the received set: exact logits */
    for (size_t i = 0; i < 64; i++)
        x[i] = (int64_t)(veil_rng_u64(&e.rng) % (uint64_t)(e.q.in_max + 1));
    cr_assert_eq(lola_server_init(&sv, &e.su, &e.q), VEIL_OK);
    cr_assert_eq(lola_client_encrypt_values(&in, &e.cl, x, 1, &e.rng), VEIL_OK);
    cr_assert_eq(lola_server_eval(&out, &sv, &in, &ek), VEIL_OK);
    logits = _fmpz_vec_init((slong)e.su.classes);
    cr_assert_eq(lola_client_decrypt(logits, &e.cl, &out, 1), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&tr, &e.q), VEIL_OK);
    for (size_t i = 0; i < 64; i++)
        fmpz_set_si(tr.v[0] + i, x[i]);
    nn_qmodel_eval(&tr, &e.q);
    for (size_t j = 0; j < e.su.classes; j++)
        cr_assert(fmpz_equal(logits + j, tr.v[e.q.nlayers] + j),
                  "logit %zu differs from the exact evaluator", j);
    nn_qtrace_clear(&tr);
    _fmpz_vec_clear(logits, (slong)e.su.classes);
    lola_msg_clear(&in);
    lola_msg_clear(&out);
    lola_server_clear(&sv);
    lola_evalkeys_clear(&ek);
    lola_evalkeys_clear(&ek); /* safe twice */
    free(buf);
    env_clear(&e);
}

static void refused(const lola_setup_t *su, const uint8_t *b, size_t n,
                    const char *what)
{
    lola_evalkeys_t ek;
    veil_status s = lola_evalkeys_parse(&ek, su, b, n);
    cr_assert_eq(s, VEIL_EFORMAT, "%s: %s", what, veil_strerror(s));
    /* cleared on failure: clearing again is harmless */
    lola_evalkeys_clear(&ek);
}

Test(lola_wire, keys_refused, .timeout = 120)
{
    env_t e, other;
    uint8_t *buf, *bad, *obuf;
    size_t len, olen;
    lola_evalkeys_t ek;
    lola_setup_t fake;

    env_init(&e, "lola_wire.keys_refused", 2, NULL);
    cr_assert_eq(lola_evalkeys_serialize(&buf, &len, &e.cl.ek), VEIL_OK);
    bad = malloc(len + 1);
    cr_assert_not_null(bad);

    /* truncated: every length in the header, then a spread of cuts */
    for (size_t cut = 0; cut < len; cut += cut < 64 ? 1 : 4093)
        refused(&e.su, buf, cut, "truncated");
    refused(&e.su, buf, len - 1, "truncated by one");
    /* oversized: one trailing byte */
    memcpy(bad, buf, len);
    bad[len] = 0;
    refused(&e.su, bad, len + 1, "trailing byte");
    /* garbage: one flipped bit anywhere (checksums, hashes, counts) */
    for (int k = 0; k < 64; k++) {
        const size_t at = (size_t)(veil_rng_u64(&e.rng) % len);
        memcpy(bad, buf, len);
        bad[at] ^= (uint8_t)(1u << (veil_rng_u64(&e.rng) % 8));
        refused(&e.su, bad, len, "flipped bit");
    }
    for (size_t i = 0; i < len; i++)
        bad[i] = (uint8_t)veil_rng_u64(&e.rng);
    refused(&e.su, bad, len, "random bytes");
    /* envelope fields one at a time */
    memcpy(bad, buf, len);
    bad[4] = 2; /* version 2: a set per component */
    refused(&e.su, bad, len, "version 2");
    memcpy(bad, buf, len);
    bad[6] = 0; /* not flagged as one set */
    refused(&e.su, bad, len, "flags 0");
    memcpy(bad, buf, len);
    bad[8] = 3; /* three components announced, the setup has two */
    refused(&e.su, bad, len, "component count");
    memcpy(bad, buf, len);
    bad[12] = 1; /* a message count on keys */
    refused(&e.su, bad, len, "nct");
    memcpy(bad, buf, len);
    bad[0] = 'X';
    refused(&e.su, bad, len, "magic");

    /* another plan's keys (other Galois elements) for this setup */
    env_init(&other, "lola_wire.keys_refused.other", 2, "conv-scalar,stacked");
    cr_assert_neq(other.su.ngalois == e.su.ngalois &&
                      memcmp(other.su.galois, e.su.galois,
                             e.su.ngalois * sizeof(uint64_t)) == 0,
                  1, "the two plans must use different Galois keys");
    cr_assert_eq(lola_evalkeys_serialize(&obuf, &olen, &other.cl.ek), VEIL_OK);
    refused(&e.su, obuf, olen, "another plan's Galois keys");
    free(obuf);
    env_clear(&other);

    /* a receiver whose components do not share Q cannot share keys */
    fake = e.su;
    fake.ctx[1].params.q[0] += 2;
    refused(&fake, buf, len, "components without a common Q");
    cr_assert_eq(lola_evalkeys_bytes(&fake), 0);

    /* the intact bytes still parse */
    cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len), VEIL_OK);
    lola_evalkeys_clear(&ek);

    /* separate keys per component are not one set: not serialized */
    cr_assert_eq(lola_evalkeys_init(&ek, &e.su), VEIL_OK);
    cr_assert_eq(lola_evalkeys_serialize(&obuf, &olen, &ek), VEIL_EINVAL);
    lola_evalkeys_clear(&ek);
    cr_assert_eq(lola_evalkeys_parse(NULL, &e.su, buf, len), VEIL_EINVAL);
    free(bad);
    free(buf);
    env_clear(&e);
}
