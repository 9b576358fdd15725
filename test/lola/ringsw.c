/* Ring-switched answers (lola_server_answer step 4, doc/11-lola.md 7.1):
 *  - a plan whose output slots all have ZERO partners gets su.ringsw, the
 *    answer's ciphertexts are of the subring contexts (n/2) and the logits
 *    equal the exact evaluator's, from the object and from its bytes;
 *  - fewer bytes than the same answer without ring switching, exactly
 *    lola_bytes_predict's, and the keys exactly lola_evalkeys_bytes's;
 *  - the masking still hides the non-output slots (fails without it);
 *  - a server at levels ring-switches from its last level's context;
 *  - a plan whose outputs have partners that are not ZERO (the SIMD
 *    variant) does not ring-switch (checked against the layout with
 *    bfv_ringsw_partner_slot);
 *  - the wire forms refuse a flag the setup does not allow, keys without
 *    the ring-switching key and a cut key. */
#include "answer_env.h"
#include "veil/bfv_serial.h"
#include "veil/lola.h"
#include "veil/lola_wire.h"
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef lt_answer_env_t env_t;

/* The small model at n = 1024 with a 50-bit special prime when bigp
 * (answer_env.h). */
static void env_init(env_t *e, const char *name, lola_variant_t variant,
                     int bigp)
{
    const lt_answer_opts_t o = {1024, 0, NULL, LOLA_FLOOD_BITS, variant, bigp};
    lt_answer_env_init(e, name, &o);
}

/* 1 if every output slot's partner is a ZERO slot (the condition,
 * computed here from the layout and bfv's partner). */
static int partners_zero(const lola_setup_t *su)
{
    const lola_layout_t *l = su->output;
    for (size_t m = 0; m < l->nct; m++)
        for (size_t s = 0; s < l->n; s++) {
            const int p = bfv_ringsw_partner_slot(&su->ctx[0], s);
            if (lola_layout_at(l, m, s) >= 0 &&
                lola_layout_at(l, m, (size_t)p) != LOLA_ZERO)
                return 0;
        }
    return 1;
}

/* Slots of the evaluation's output (full modulus) and of a ring-switched
 * answer (decrypted in R' with s', lifted: a_s + a_partner(s)). */
static void slots_full(env_t *e, uint64_t *v, size_t c, size_t i)
{
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->su.ctx[c]), VEIL_OK);
    cr_assert_eq(
        bfv_decrypt(&pt, &e->cl.sk[c], &e->out.ct[c * e->su.output->nct + i]),
        VEIL_OK);
    cr_assert_eq(bfv_decode_batch(v, &pt), VEIL_OK);
    bfv_plaintext_clear(&pt);
}

static void slots_rsw(env_t *e, uint64_t *v, const lola_answer_t *a, size_t c,
                      size_t i)
{
    bfv_plaintext_t pt, ps;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->su.ctx[c]), VEIL_OK);
    cr_assert_eq(bfv_plaintext_init(&ps, &e->su.sub[c]), VEIL_OK);
    cr_assert_eq(bfv_decrypt_ms(&ps, &e->cl.ssk[c], &a->ct[c * a->nct + i]),
                 VEIL_OK);
    cr_assert_eq(bfv_ringsw_lift(&pt, &ps), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(v, &pt), VEIL_OK);
    bfv_plaintext_clear(&pt);
    bfv_plaintext_clear(&ps);
}

/* Slots to hide (non-output slots whose partner is not an output, and
 * the slots of an element with shares) of a ring-switched answer that
 * still hold what the evaluation left there (a_s + a_partner(s)); an
 * element without shares must hold the evaluation's value (the sums of
 * shares are checked by the decrypted logits). */
static size_t leaked(env_t *e, const lola_answer_t *a, size_t *total)
{
    const lola_layout_t *l = e->su.output;
    uint8_t *split = lt_split_elements(l, NULL);
    const size_t n = l->n;
    uint64_t *w = malloc(n * 8), *g = malloc(n * 8);
    size_t same = 0;
    *total = 0;
    for (size_t c = 0; c < e->su.ncomp; c++) {
        const uint64_t t = e->su.ctx[c].params.t;
        for (size_t i = 0; i < l->nct; i++) {
            slots_full(e, w, c, i);
            slots_rsw(e, g, a, c, i);
            for (size_t s = 0; s < n; s++) {
                const size_t p =
                    (size_t)bfv_ringsw_partner_slot(&e->su.ctx[c], s);
                const int32_t x = lola_layout_at(l, i, s);
                if (x >= 0 && !split[x]) {
                    cr_assert_eq(w[p], 0, "partner %zu of output %zu", p, s);
                    cr_assert_eq(g[s], w[s], "output slot %zu", s);
                } else if (x >= 0 || LOLA_IS_SHARE(x)) {
                    cr_assert_eq(w[p], 0, "partner %zu of share %zu", p, s);
                    same += g[s] == w[s];
                    *total += 1;
                } else if (lola_layout_at(l, i, p) < 0 &&
                           !LOLA_IS_SHARE(lola_layout_at(l, i, p))) {
                    same += g[s] == (w[s] + w[p]) % t;
                    *total += 1;
                }
            }
        }
    }
    free(w);
    free(g);
    free(split);
    return same;
}

Test(lola_ringsw, answer, .timeout = 240)
{
    env_t e;
    lola_answer_opts_t o;
    lola_answer_t a, b, back;
    lola_bytes_t pred;
    uint8_t *buf, *bbuf;
    size_t len, blen, total, same;
    env_init(&e, "lola_ringsw.answer", LOLA_VARIANT_CONV, 1);
    cr_assert(partners_zero(&e.su), "the default plan's outputs have "
                                    "partners that are not ZERO");
    cr_assert_eq(e.su.ringsw, 1);
    cr_assert_eq(e.rep.answer_ringsw, 1);
    cr_assert_not_null(e.cl.ek.rsw.data);

    lola_answer_opts_default(&o);
    cr_assert_eq(o.ringsw, 1);
    cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(a.ringsw, 1);
    for (size_t c = 0; c < a.ncomp; c++)
        for (size_t i = 0; i < a.nct; i++) {
            const bfv_ms_ciphertext_t *ct = &a.ct[c * a.nct + i];
            cr_assert_eq(ct->ctx, &e.su.sub[c]);
            cr_assert_eq(ct->ctx->n * 2, e.su.ctx[c].n);
            cr_assert_gt(ct->bits[0], 0, "not compressed");
        }
    lt_answer_assert_logits(&e, &a);
    {
        int bud;
        cr_assert_eq(lola_client_answer_budget(&bud, &e.cl, &a), VEIL_OK);
        cr_assert_geq(bud, 1);
    }

    /* the mask still hides every slot that is neither an output nor an
     * output's partner (chance: about total / t) */
    same = leaked(&e, &a, &total);
    cr_assert_gt(total, 0);
    cr_assert_lt((double)same, (double)total / 1000 + 12, "%zu of %zu", same,
                 total);
    {
        lola_answer_t un;
        size_t t2;
        o.mask = 0; /* the check has teeth */
        cr_assert_eq(
            lola_server_answer(&un, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
            VEIL_OK);
        cr_assert_eq(leaked(&e, &un, &t2), t2);
        lola_answer_clear(&un);
        o.mask = 1;
    }

    /* bytes: about half of the answer in R, exactly the prediction */
    o.ringsw = 0;
    cr_assert_eq(lola_server_answer(&b, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(b.ringsw, 0);
    lt_answer_assert_logits(&e, &b);
    cr_assert_eq(lola_answer_serialize(&buf, &len, &a), VEIL_OK);
    cr_assert_eq(lola_answer_serialize(&bbuf, &blen, &b), VEIL_OK);
    cr_assert_lt(len * 10, blen * 6, "ring-switched %zu, in R %zu", len, blen);
    cr_assert_eq(lola_bytes_predict(&pred, &e.su, e.sv.budget), VEIL_OK);
    cr_assert_eq(pred.answer, len);

    /* the wire form: round trip, the flag checked against the setup */
    cr_assert_eq(lola_answer_parse(&back, &e.su, buf, len), VEIL_OK);
    cr_assert_eq(back.ringsw, 1);
    lt_answer_assert_logits(&e, &back);
    lola_answer_clear(&back);
    cr_assert_eq(lola_answer_parse(&back, &e.su, bbuf, blen), VEIL_OK);
    lt_answer_assert_logits(&e, &back);
    lola_answer_clear(&back);
    buf[6] = 0; /* claims R: the ciphertexts are of R' */
    cr_assert_eq(lola_answer_parse(&back, &e.su, buf, len), VEIL_EFORMAT);
    buf[6] = 2;
    cr_assert_eq(lola_answer_parse(&back, &e.su, buf, len), VEIL_EFORMAT);
    bbuf[6] = 1; /* claims R': the ciphertexts are of R */
    cr_assert_eq(lola_answer_parse(&back, &e.su, bbuf, blen), VEIL_EFORMAT);
    free(buf);
    free(bbuf);
    lola_answer_clear(&a);
    lola_answer_clear(&b);

    /* keys: the ring-switching key travels, exactly the predicted bytes */
    o.ringsw = 1;
    {
        lola_evalkeys_t ek;
        size_t kb = bfv_ringsw_key_serial_size(&e.cl.ek.rsw);
        cr_assert_eq(lola_evalkeys_serialize(&buf, &len, &e.cl.ek), VEIL_OK);
        cr_assert_eq(len, lola_evalkeys_bytes(&e.su));
        cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len), VEIL_OK);
        cr_assert_eq(memcmp(ek.rsw.data, e.cl.ek.rsw.data,
                            4 * e.su.ctx[0].n * sizeof(uint64_t)),
                     0);
        /* the parsed keys answer as well */
        cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &ek, &o, &e.rng),
                     VEIL_OK);
        lt_answer_assert_logits(&e, &a);
        lola_answer_clear(&a);
        lola_evalkeys_clear(&ek);
        /* without the ring-switching key, cut in it, an old version */
        cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len - kb),
                     VEIL_EFORMAT);
        cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len - 1),
                     VEIL_EFORMAT);
        buf[4] = 3;
        cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len), VEIL_EFORMAT);
        free(buf);
    }
    lt_answer_env_clear(&e);
}

/* A server at levels (lola_server_init_levels): the last step runs at
 * fewer primes, the one-limb answer is ring-switched from that level's
 * context (same n and q_0) and still decrypts exactly. */
Test(lola_ringsw, levels, .timeout = 240)
{
    env_t e;
    lola_server_t lv;
    lola_msg_t out;
    lola_answer_opts_t o;
    lola_answer_t a;
    env_init(&e, "lola_ringsw.levels", LOLA_VARIANT_CONV, 1);
    cr_assert_eq(e.su.ringsw, 1);
    cr_assert_eq(
        lola_server_init_levels(&lv, &e.su, &e.q, LOLA_PLAIN_BUDGET, 1),
        VEIL_OK);
    cr_assert_not_null(lv.limbs, "no step runs at fewer primes");
    cr_assert_lt(lv.limbs[e.su.nsteps - 1], e.su.ctx[0].n_q);
    cr_assert_eq(lola_server_eval(&out, &lv, &e.in, &e.cl.ek), VEIL_OK);
    lola_answer_opts_default(&o);
    cr_assert_eq(lola_server_answer(&a, &lv, &out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(a.ringsw, 1);
    lt_answer_assert_logits(&e, &a);
    lola_answer_clear(&a);
    lola_msg_clear(&out);
    lola_server_clear(&lv);
    lt_answer_env_clear(&e);
}

/* Outputs whose partners are outputs too (the SIMD variant: one record
 * per slot, a full batch): no ring switching, the answer in R. */
Test(lola_ringsw, garbage_partners_refused, .timeout = 240)
{
    env_t e;
    lola_answer_t a;
    uint8_t hdr[LOLA_WIRE_HEADER_BYTES] = {'V', 'L', 'A', 'N'};
    env_init(&e, "lola_ringsw.garbage_partners_refused", LOLA_VARIANT_SIMD, 1);
    cr_assert(!partners_zero(&e.su));
    cr_assert_eq(e.su.ringsw, 0);
    cr_assert_eq(e.rep.answer_ringsw, 0);
    cr_assert_null(e.su.sub);
    cr_assert_null(e.cl.ek.rsw.data);
    /* a ring-switched answer this setup cannot have: refused at the
     * envelope, before any ciphertext */
    hdr[4] = LOLA_WIRE_VERSION;
    hdr[6] = 1;
    hdr[8] = (uint8_t)e.su.ncomp;
    hdr[12] = (uint8_t)e.su.output->nct;
    cr_assert_eq(lola_answer_parse(&a, &e.su, hdr, sizeof(hdr)), VEIL_EFORMAT);
    /* its keys carry no ring-switching key, and must not */
    {
        uint8_t *buf;
        size_t len;
        lola_evalkeys_t ek;
        cr_assert_eq(lola_evalkeys_serialize(&buf, &len, &e.cl.ek), VEIL_OK);
        cr_assert_eq(len, lola_evalkeys_bytes(&e.su));
        cr_assert_eq(lola_evalkeys_parse(&ek, &e.su, buf, len), VEIL_OK);
        cr_assert_null(ek.rsw.data);
        lola_evalkeys_clear(&ek);
        free(buf);
    }
    lt_answer_env_clear(&e);
}
