/* The planner's bytes objective (lola_options_t.optimize = LOLA_OPT_BYTES,
 * issue 13 point 4) and its byte predictions (lola_bytes_predict):
 *  - the report's keys, query and answer bytes equal the lengths the
 *    serializers really write, for a flooded answer and for a raw one;
 *  - the plan chosen for bytes decrypts exactly (exact integer evaluator);
 *  - it sends no more bytes (keys + query + answer, measured) than the plan
 *    chosen for latency, and its predicted time is no smaller (the two
 *    objectives are honest opposites, not the same plan relabelled). */
#include "common.h"
#include "veil/lola.h"
#include "veil/lola_wire.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t keys, query, answer;
} measured_t;

/* Plan q with o, run one input end to end (answer flooded and switched if
 * `answer`, else the raw output messages), check the logits against the
 * exact evaluator and the report's bytes against the serialized lengths. */
static void run(measured_t *mb, lola_report_t *rep, const nn_qmodel_t *q,
                const lola_options_t *o, int answer, veil_rng_t *rng)
{
    lola_spec_t spec;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    lola_msg_t in, out;
    lola_answer_t ans;
    lola_answer_opts_t ao;
    nn_qtrace_t tr;
    int64_t x[64];
    uint8_t *buf;
    size_t len;
    fmpz *logits;
    veil_status s;

    s = lola_plan(&spec, rep, q, o);
    cr_assert_eq(s, VEIL_OK, "plan: %s", veil_strerror(s));
    cr_assert_gt(rep->bytes_keys, 0);
    cr_assert_gt(rep->bytes_query, 0);
    cr_assert_gt(rep->bytes_answer, 0);
    cr_assert_eq(lola_setup_init(&su, &spec), VEIL_OK);
    cr_assert_eq(lola_client_init(&cl, &su, rng), VEIL_OK);
    cr_assert_eq(lola_server_init(&sv, &su, q), VEIL_OK);
    for (size_t i = 0; i < 64; i++)
        x[i] = (int64_t)(veil_rng_u64(rng) % (uint64_t)(q->in_max + 1));
    cr_assert_eq(lola_client_encrypt_values(&in, &cl, x, 1, rng), VEIL_OK);
    cr_assert_eq(lola_server_eval(&out, &sv, &in, &cl.ek), VEIL_OK);

    cr_assert_eq(lola_evalkeys_serialize(&buf, &len, &cl.ek), VEIL_OK);
    mb->keys = len;
    free(buf);
    cr_assert_eq(lola_msg_serialize(&buf, &len, &in, 0), VEIL_OK);
    cr_assert_eq(lola_msg_bytes(&in, 0), len); /* counted, not written */
    cr_assert_eq(lola_msg_bytes(NULL, 0), 0);
    { /* written into the caller's buffer: the same bytes, and no more */
        uint8_t *w = malloc(len);
        size_t wlen = 0;
        cr_assert_not_null(w);
        cr_assert_eq(lola_msg_write(w, len - 1, &wlen, &in, 0), VEIL_ERANGE);
        cr_assert_eq(lola_msg_write(w, len, &wlen, &in, 0), VEIL_OK);
        cr_assert_eq(wlen, len);
        cr_assert_arr_eq(w, buf, len);
        free(w);
    }
    mb->query = len;
    free(buf);
    logits = _fmpz_vec_init((slong)su.classes);
    if (answer) {
        lola_answer_opts_default(&ao);
        cr_assert_eq(lola_server_answer(&ans, &sv, &out, &cl.ek, &ao, rng),
                     VEIL_OK);
        cr_assert_eq(lola_answer_serialize(&buf, &len, &ans), VEIL_OK);
        cr_assert_eq(lola_client_decrypt_answer(logits, &cl, &ans, 1), VEIL_OK);
        lola_answer_clear(&ans);
    } else {
        cr_assert_eq(lola_msg_serialize(&buf, &len, &out, 0), VEIL_OK);
        cr_assert_eq(lola_msg_bytes(&out, 0), len);
        cr_assert_eq(lola_client_decrypt(logits, &cl, &out, 1), VEIL_OK);
    }
    mb->answer = len;
    free(buf);
    cr_assert_eq(rep->bytes_keys, mb->keys, "keys: predicted %zu, sent %zu",
                 rep->bytes_keys, mb->keys);
    cr_assert_eq(rep->bytes_query, mb->query, "query: predicted %zu, sent %zu",
                 rep->bytes_query, mb->query);
    cr_assert_eq(rep->bytes_answer, mb->answer,
                 "answer: predicted %zu, sent %zu", rep->bytes_answer,
                 mb->answer);

    cr_assert_eq(nn_qtrace_init(&tr, q), VEIL_OK);
    for (size_t i = 0; i < 64; i++)
        fmpz_set_si(tr.v[0] + i, x[i]);
    nn_qmodel_eval(&tr, q);
    for (size_t j = 0; j < su.classes; j++)
        cr_assert(fmpz_equal(logits + j, tr.v[q->nlayers] + j),
                  "logit %zu differs from the exact evaluator", j);
    nn_qtrace_clear(&tr);
    _fmpz_vec_clear(logits, (slong)su.classes);
    lola_msg_clear(&in);
    lola_msg_clear(&out);
    lola_server_clear(&sv);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
}

Test(lola_plan_bytes, predicted_equals_sent, .timeout = 300)
{
    nn_qmodel_t q;
    veil_rng_t rng;
    lola_options_t o;
    lola_report_t rb, rl;
    measured_t mb, ml;

    vt_rng(&rng, "lola_plan_bytes.predicted_equals_sent");
    cr_assert_eq(veil_init(), VEIL_OK);
    omp_set_num_threads(1);
    lt_small_model(&q, &rng, 0, 0);
    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = 1024;
    o.margin = LOLA_ANSWER_MARGIN(LOLA_FLOOD_BITS);

    o.optimize = LOLA_OPT_BYTES;
    run(&mb, &rb, &q, &o, 1, &rng);
    o.optimize = LOLA_OPT_LATENCY;
    run(&ml, &rl, &q, &o, 1, &rng);
    cr_assert_leq(
        mb.keys + mb.query + mb.answer, ml.keys + ml.query + ml.answer,
        "bytes plan %zu B, latency plan %zu B", mb.keys + mb.query + mb.answer,
        ml.keys + ml.query + ml.answer);
    cr_assert_geq(rb.cost_us, rl.cost_us);

    /* keys amortized over many queries: the per-query bytes decide */
    o.optimize = LOLA_OPT_BYTES;
    o.queries = 1000;
    run(&mb, &rb, &q, &o, 1, &rng);
    cr_assert_leq(mb.query + mb.answer, ml.query + ml.answer);

    /* a raw answer (the default margin: no room for the flood) */
    o.margin = 10;
    o.queries = 0;
    run(&mb, &rb, &q, &o, 0, &rng);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
}

Test(lola_plan_bytes, objective_names)
{
    lola_objective_t ob;
    lola_options_t o;
    lola_spec_t spec;
    nn_qmodel_t q;
    veil_rng_t rng;
    cr_assert_eq(lola_objective_parse(&ob, "bytes"), VEIL_OK);
    cr_assert_eq(ob, LOLA_OPT_BYTES);
    cr_assert_eq(lola_objective_parse(&ob, "latency"), VEIL_OK);
    cr_assert_eq(ob, LOLA_OPT_LATENCY);
    cr_assert_eq(lola_objective_parse(&ob, "size"), VEIL_EINVAL);
    cr_assert_eq(lola_objective_parse(NULL, "bytes"), VEIL_EINVAL);
    cr_assert_str_eq(lola_objective_name(LOLA_OPT_BYTES), "bytes");
    cr_assert_str_eq(lola_objective_name(LOLA_OPT_LATENCY), "latency");
    lola_options_default(&o);
    cr_assert_eq(o.optimize, LOLA_OPT_LATENCY);
    vt_rng(&rng, "lola_plan_bytes.objective_names");
    cr_assert_eq(veil_init(), VEIL_OK);
    lt_small_model(&q, &rng, 0, 0);
    o.allow_insecure = 1;
    o.n = 1024;
    o.optimize = (lola_objective_t)7;
    cr_assert_eq(lola_plan(&spec, NULL, &q, &o), VEIL_EINVAL);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
}
