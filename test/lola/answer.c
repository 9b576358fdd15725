/* The answer path (lola_server_answer, issue 12 point 7): a small network
 * planned with the flooding margin, evaluated, answered and decrypted.
 *  - the logits equal the exact evaluator's;
 *  - masking: decrypted with the secret key, the slots that are not
 *    outputs, and an element's shares (the last folds left to the client,
 *    lola_step_client_sums), no longer hold what the evaluation left there
 *    (partial sums, copies: the unmasked evaluation output decrypted slot
 *    by slot, which is what the exact evaluation predicts), while each
 *    element's shares still add up to it - this FAILS when masking is
 *    removed (checked below with opts.mask = 0);
 *  - flooding: the answer's noise is the flood's (its budget is at least
 *    lambda bits below the unflooded one) - fails when flooding is removed;
 *  - re-randomization: c_1 differs from the evaluation's;
 *  - switching: fewer limbs (one), then the power-of-two form
 *    (bfv_ms_compress), fewer bytes, the wire form round-trips and
 *    malformed answers are refused - fails when either switch is removed. */
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

static void env_init(env_t *e, const char *name)
{
    /* a last kernel that leaves partial sums beside the outputs (the
     * row-wise dense kernel: interleaved output, GARBAGE elsewhere) */
    const lt_answer_opts_t o = {1024,
                                0,
                                "conv-scalar,diag,dense-row",
                                LOLA_FLOOD_BITS,
                                LOLA_VARIANT_CONV,
                                0};
    lt_answer_env_init(e, name, &o);
}

/* All slots of component c, message i, of a full or switched ciphertext. */
static void slots_full(env_t *e, uint64_t *v, const bfv_ciphertext_t *ct,
                       size_t c)
{
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->su.ctx[c]), VEIL_OK);
    cr_assert_eq(bfv_decrypt(&pt, &e->cl.sk[c], ct), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(v, &pt), VEIL_OK);
    bfv_plaintext_clear(&pt);
}

static void slots_ms(env_t *e, uint64_t *v, const bfv_ms_ciphertext_t *ct,
                     size_t c)
{
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->su.ctx[c]), VEIL_OK);
    cr_assert_eq(bfv_decrypt_ms(&pt, &e->cl.sk[c], ct), VEIL_OK);
    cr_assert_eq(bfv_decode_batch(v, &pt), VEIL_OK);
    bfv_plaintext_clear(&pt);
}

/* How many slots of the answer that must be hidden still hold exactly
 * what the evaluation left there; *nonzero counts those where that was
 * not 0 (the partial sums there are to hide).  To hide: every slot that
 * is not an output, and the slots of an element with shares (the client's
 * folds: the evaluation left partial sums there, the answer must show only
 * a uniform split of their sum).  An element without shares must equal
 * the evaluation's, one with shares must sum (mod t) to the same value. */
static size_t leaked_slots(env_t *e, const lola_answer_t *a, size_t *nonzero,
                           size_t *total)
{
    const lola_layout_t *l = e->su.output;
    const size_t n = l->n;
    uint64_t *want = malloc(n * 8), *got = malloc(n * 8);
    uint64_t *sw = calloc(l->len, 8), *sg = calloc(l->len, 8);
    uint8_t *split = lt_split_elements(l, NULL);
    size_t same = 0;
    *nonzero = 0;
    *total = 0;
    for (size_t c = 0; c < e->su.ncomp; c++) {
        const uint64_t t = e->su.ctx[c].params.t;
        memset(sw, 0, l->len * 8);
        memset(sg, 0, l->len * 8);
        for (size_t i = 0; i < l->nct; i++) {
            slots_full(e, want, &e->out.ct[c * l->nct + i], c);
            slots_ms(e, got, &a->ct[c * l->nct + i], c);
            for (size_t s = 0; s < n; s++) {
                const int32_t x = lola_layout_at(l, i, s);
                const int part = x >= 0 || LOLA_IS_SHARE(x);
                const size_t el = x >= 0 ? (size_t)x : LOLA_SHARE_OF(x);
                if (x >= 0 && !split[x]) {
                    cr_assert_eq(got[s], want[s], "output slot %zu", s);
                    continue;
                }
                if (part) {
                    sw[el] = (sw[el] + want[s]) % t;
                    sg[el] = (sg[el] + got[s]) % t;
                }
                same += got[s] == want[s];
                *total += 1;
                *nonzero += want[s] != 0;
            }
        }
        for (size_t j = 0; j < l->len; j++)
            cr_assert_eq(sg[j], sw[j], "element %zu: the shares' sum", j);
    }
    free(want);
    free(got);
    free(sw);
    free(sg);
    free(split);
    return same;
}

/* The default answer, in R: whether a plan ring-switches depends on the
 * random model and primes, and ring-switched answers (ciphertexts of the
 * subring, ZERO partner slots unmasked) are test/lola/ringsw.c's. */
static void answer_opts_r(lola_answer_opts_t *o)
{
    lola_answer_opts_default(o);
    o->ringsw = 0;
}

Test(lola_answer, masked_flooded_switched, .timeout = 240)
{
    env_t e;
    lola_answer_opts_t o;
    lola_answer_t a, plain;
    size_t nonzero, same, total;
    env_init(&e, "lola_answer.masked_flooded_switched");

    answer_opts_r(&o);
    cr_assert_eq(o.mask, 1);
    cr_assert_eq(o.lambda, LOLA_FLOOD_BITS);
    cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    lt_answer_assert_logits(&e, &a);

    /* masking: nothing of the evaluation's non-output slots, nor of the
     * partial sums in an element's shares (its last folds are the
     * client's), survives */
    {
        size_t shares;
        free(lt_split_elements(e.su.output, &shares));
        cr_assert_gt(shares, 0, "no shares in the output");
    }
    same = leaked_slots(&e, &a, &nonzero, &total);
    cr_assert_gt(nonzero, 0, "the evaluation left nothing to hide");
    /* a uniform mask keeps a slot's value with probability 1/t: about
     * mean = total / t slots match by chance; more than mean + 8 sqrt(mean)
     * + 12 has probability below 2^-28, and the bound is far below what an
     * unmasked answer shows (every slot) */
    {
        double mean = 0, bound;
        for (size_t c = 0; c < e.su.ncomp; c++)
            if ((double)total / (double)e.su.ctx[c].params.t > mean)
                mean = (double)total / (double)e.su.ctx[c].params.t;
        bound = mean + 8 * sqrt(mean) + 12;
        cr_assert_lt(bound, (double)total / 2);
        cr_assert_lt((double)same, bound,
                     "%zu of the non-output slots (%zu non-zero) are "
                     "the evaluation's partial sums (chance: %.1f)",
                     same, nonzero, mean);
    }
    /* ... and the check has teeth: without the mask they all survive */
    o.mask = 0;
    cr_assert_eq(
        lola_server_answer(&plain, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
        VEIL_OK);
    size_t nz2, total2;
    same = leaked_slots(&e, &plain, &nz2, &total2);
    cr_assert_eq(same, total2, "unmasked: %zu of %zu", same, total2);
    lt_answer_assert_logits(&e, &plain);
    lola_answer_clear(&plain);

    /* switched: fewer limbs than the context, here one, and then to the
     * power-of-two form with about log2 t bits for c_0 and log2 (t n) for
     * c_1 (fails when either switch is left out) */
    for (size_t c = 0; c < a.ncomp; c++)
        for (size_t i = 0; i < a.nct; i++) {
            const bfv_ms_ciphertext_t *ct = &a.ct[c * a.nct + i];
            const bfv_context_t *ctx = &e.su.ctx[c];
            const unsigned lt = 64 - __builtin_clzll(ctx->params.t);
            cr_assert_lt(ct->limbs, ctx->n_q);
            cr_assert_eq(ct->limbs, 1);
            cr_assert_gt(ct->bits[0], 0, "not compressed");
            cr_assert_leq(ct->bits[0], lt + 4, "b0 %u, t %u bits", ct->bits[0],
                          lt);
            cr_assert_leq(ct->bits[1], lt + ctx->logn + 4, "b1 %u",
                          ct->bits[1]);
        }
    {
        int b;
        cr_assert_eq(lola_client_answer_budget(&b, &e.cl, &a), VEIL_OK);
        cr_assert_geq(b, 1);
    }
    lola_answer_clear(&a);
    lt_answer_env_clear(&e);
}

/* Flooding and re-randomization, seen at the full modulus (no switch). */
Test(lola_answer, flood_and_rerandomize, .timeout = 240)
{
    env_t e;
    lola_answer_opts_t o;
    lola_answer_t a;
    int flooded, bare, eval;
    env_init(&e, "lola_answer.flood_and_rerandomize");
    answer_opts_r(&o);
    o.switch_limbs = 0;
    cr_assert_eq(lola_client_budget(&eval, &e.cl, &e.out), VEIL_OK);

    cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(a.ct[0].limbs, e.su.ctx[0].n_q);
    cr_assert_eq(lola_client_answer_budget(&flooded, &e.cl, &a), VEIL_OK);
    lt_answer_assert_logits(&e, &a);
    lola_answer_clear(&a);

    o.lambda = 0; /* re-randomized, not flooded */
    cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(lola_client_answer_budget(&bare, &e.cl, &a), VEIL_OK);
    /* c_1 is not the evaluation's */
    const bfv_ciphertext_t *ev = &e.out.ct[0];
    cr_assert_neq(memcmp(bfv_ms_ct_row(&a.ct[0], 1, 0), bfv_ct_row(ev, 1, 0),
                         e.su.ctx[0].n * 8),
                  0);
    lola_answer_clear(&a);
    /* the flood dominates the noise: lambda + log2 n bits of budget gone */
    cr_assert_geq(bare, eval - 2, "bare %d eval %d", bare, eval);
    cr_assert_leq(flooded, bare - (int)LOLA_FLOOD_BITS - 10,
                  "flooded %d, unflooded %d", flooded, bare);
    cr_assert_gt(flooded, 0);
    lt_answer_env_clear(&e);
}

Test(lola_answer, wire, .timeout = 240)
{
    env_t e;
    lola_answer_opts_t o;
    lola_answer_t a, back;
    uint8_t *buf, *full;
    size_t len, flen;
    env_init(&e, "lola_answer.wire");
    answer_opts_r(&o);
    cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(lola_answer_serialize(&buf, &len, &a), VEIL_OK);
    cr_assert_eq(lola_msg_serialize(&full, &flen, &e.out, 0), VEIL_OK);
    cr_assert_lt(len, flen, "answer %zu bytes, unswitched %zu", len, flen);
    /* exactly the header and the power-of-two ciphertexts */
    {
        size_t want = LOLA_WIRE_HEADER_BYTES;
        for (size_t i = 0; i < a.ncomp * a.nct; i++)
            want += BFV_SERIAL_HEADER_BYTES + 16 + BFV_SERIAL_CHECKSUM_BYTES +
                    a.ct[i].ctx->n / 8 * (a.ct[i].bits[0] + a.ct[i].bits[1]);
        cr_assert_eq(len, want, "%zu bytes, %zu expected (%u, %u)", len, want,
                     a.ct[0].bits[0], a.ct[0].bits[1]);
    }
    cr_assert_eq(lola_answer_parse(&back, &e.su, buf, len), VEIL_OK);
    lt_answer_assert_logits(&e, &back);
    lola_answer_clear(&back);
    /* truncated, trailing byte, bad envelope, a message where an answer is
     * expected */
    for (size_t cut = 0; cut < len; cut += 1 + len / 50)
        cr_assert_eq(lola_answer_parse(&back, &e.su, buf, cut), VEIL_EFORMAT,
                     "cut %zu", cut);
    uint8_t *more = malloc(len + 1);
    memcpy(more, buf, len);
    more[len] = 0;
    cr_assert_eq(lola_answer_parse(&back, &e.su, more, len + 1), VEIL_EFORMAT);
    more[8] ^= 1; /* ncomp */
    cr_assert_eq(lola_answer_parse(&back, &e.su, more, len), VEIL_EFORMAT);
    free(more);
    cr_assert_eq(lola_answer_parse(&back, &e.su, full, flen), VEIL_EFORMAT);
    cr_assert_eq(lola_answer_parse(NULL, &e.su, buf, len), VEIL_EINVAL);
    free(buf);
    free(full);
    lola_answer_clear(&a);
    lt_answer_env_clear(&e);
}

/* Components are answered in parallel, each with a generator seeded from
 * the caller's in component order: the same generator state gives the same
 * answer bytes on 1 and 2 threads. */
Test(lola_answer, same_bytes_on_any_thread_count, .timeout = 240)
{
    env_t e;
    lola_answer_opts_t o;
    lola_answer_t a;
    veil_rng_t again;
    uint8_t *buf[2];
    size_t len[2];
    const lt_answer_opts_t ao = {2048, 3, NULL, 8, LOLA_VARIANT_CONV, 0};
    lt_answer_env_init(&e, "lola_answer.same_bytes_on_any_thread_count", &ao);
    cr_assert_eq(e.su.ncomp, 3); /* 2 in parallel, then 1 */
    answer_opts_r(&o);
    o.lambda = 8; /* what this ring's budget leaves room for */
    again = e.rng;
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o,
                                        t == 0 ? &e.rng : &again),
                     VEIL_OK);
        cr_assert_eq(lola_answer_serialize(&buf[t], &len[t], &a), VEIL_OK);
        if (t == 1)
            lt_answer_assert_logits(&e, &a);
        lola_answer_clear(&a);
    }
    omp_set_num_threads(1);
    cr_assert_eq(len[0], len[1]);
    cr_assert(memcmp(buf[0], buf[1], len[0]) == 0);
    veil_rng_clear(&again);
    free(buf[0]);
    free(buf[1]);
    lt_answer_env_clear(&e);
}

/* The client measures the noise of what it decrypts (it holds the key): an
 * answer or output whose budget is gone is refused with VEIL_ENOISE, not
 * turned into wrong logits (issue 12 point 9).  The noise is added the way
 * a careless server would: half a plaintext step on a switched answer's
 * phase, an output flooded to within 3 bits of Q. */
Test(lola_answer, exhausted_noise_is_refused, .timeout = 240)
{
    env_t e;
    lola_answer_opts_t o;
    lola_answer_t a;
    fmpz *logits;
    env_init(&e, "lola_answer.exhausted_noise_is_refused");
    logits = _fmpz_vec_init((slong)e.su.classes);
    answer_opts_r(&o);
    cr_assert_eq(lola_server_answer(&a, &e.sv, &e.out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    cr_assert_eq(lola_client_decrypt_answer(logits, &e.cl, &a, 1), VEIL_OK);
    {
        /* half a plaintext step q_0 / (2 t) on the residues mod q_0 of
         * the phase (every coefficient, or coefficient 0 if the row is in
         * NTT form): an invariant noise of about q_0 / 2 with one limb
         * left, a CRT-random offset with more */
        uint64_t *c0 = bfv_ms_ct_row(&a.ct[0], 0, 0);
        /* the power-of-two form: c_0 mod 2^b0, coefficient form */
        const uint64_t q0 = a.ct[0].bits[0] != 0
                                ? UINT64_C(1) << a.ct[0].bits[0]
                                : e.su.ctx[0].params.q[0];
        const uint64_t h = q0 / (2 * e.su.ctx[0].params.t);
        for (size_t k = 0; k < e.su.ctx[0].n; k++)
            c0[k] = (c0[k] + h) % q0;
    }
    cr_assert_eq(lola_client_decrypt_answer(logits, &e.cl, &a, 1), VEIL_ENOISE);
    lola_answer_clear(&a);

    /* the raw path: the evaluation's output flooded past its budget */
    cr_assert_eq(lola_client_decrypt(logits, &e.cl, &e.out, 1), VEIL_OK);
    {
        unsigned logq = 0;
        for (size_t i = 0; i < e.su.ctx[0].n_q; i++)
            logq += 63 - (unsigned)__builtin_clzll(e.su.ctx[0].params.q[i]);
        cr_assert_eq(
            bfv_rerandomize(&e.out.ct[0], &e.cl.ek.pk[0], logq - 3, &e.rng),
            VEIL_OK);
    }
    cr_assert_eq(lola_client_decrypt(logits, &e.cl, &e.out, 1), VEIL_ENOISE);
    _fmpz_vec_clear(logits, (slong)e.su.classes);
    lt_answer_env_clear(&e);
}

/* The answer of a server that evaluates at levels (lola_server_init_levels,
 * lola/levels.c): the last steps run at fewer primes, the answer is
 * flooded and switched from there, and the logits are still the exact
 * evaluator's; the answer has the same form (one limb, power-of-two) and
 * keeps a positive exact budget.  With the flooding margin the toy plan
 * leaves room to drop primes: the check that the output really has fewer
 * primes fails when levels are switched off. */
Test(lola_answer, levels, .timeout = 240)
{
    env_t e;
    lola_server_t lv;
    lola_msg_t out;
    lola_answer_opts_t o;
    lola_answer_t a;
    int bits;
    env_init(&e, "lola_answer.levels");
    cr_assert_eq(
        lola_server_init_levels(&lv, &e.su, &e.q, LOLA_PLAIN_BUDGET, 1),
        VEIL_OK);
    /* the levels keep the plan's margin (or the unswitched prediction
     * less one bit, when that is less) */
    cr_assert_eq(e.su.spec.margin, LOLA_ANSWER_MARGIN(LOLA_FLOOD_BITS));
    cr_assert_geq(lv.budget, fmin((double)e.su.spec.margin, e.sv.budget - 1.0));
    cr_assert_not_null(lv.limbs, "no step runs at fewer primes");
    cr_assert_null(e.cl.ek.levels);
    cr_assert_eq(lola_server_prepare_keys(&lv, &e.cl.ek), VEIL_OK);
    cr_assert_not_null(e.cl.ek.levels);
    cr_assert_lt(lv.limbs[e.su.nsteps - 1], e.su.ctx[0].n_q);
    cr_assert_eq(lola_server_eval(&out, &lv, &e.in, &e.cl.ek), VEIL_OK);
    for (size_t c = 0; c < e.su.ncomp; c++)
        cr_assert_eq(out.ct[c * out.nct].ctx->n_q, lv.limbs[e.su.nsteps - 1]);
    answer_opts_r(&o);
    cr_assert_eq(lola_server_answer(&a, &lv, &out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    lt_answer_assert_logits(&e, &a);
    cr_assert_eq(lola_client_answer_budget(&bits, &e.cl, &a), VEIL_OK);
    cr_assert_gt(bits, 0);
    for (size_t i = 0; i < a.ncomp * a.nct; i++) {
        cr_assert_eq(a.ct[i].limbs, 1);
        cr_assert_neq(a.ct[i].bits[0], 0);
    }
    /* a second evaluation reuses the key set's level keys */
    lola_answer_clear(&a);
    lola_msg_clear(&out);
    cr_assert_not_null(e.cl.ek.levels);
    cr_assert_eq(lola_server_eval(&out, &lv, &e.in, &e.cl.ek), VEIL_OK);
    cr_assert_eq(lola_server_answer(&a, &lv, &out, &e.cl.ek, &o, &e.rng),
                 VEIL_OK);
    lt_answer_assert_logits(&e, &a);
    lola_answer_clear(&a);
    lola_msg_clear(&out);
    lola_server_clear(&lv);
    lt_answer_env_clear(&e);
}
