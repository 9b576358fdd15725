/*
 * private_head.c - both parties of a LoLa private head in one process
 * (private_head.h).
 */
#include "private_head.h"
#include <flint/fmpz_vec.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

veil_status private_head_init(private_head_t *h, lola_report_t *rep,
                              const nn_qmodel_t *q, const char *kernels,
                              veil_rng_t *rng, const char **step)
{
    lola_options_t lo;
    const char *what = "planning the head";
    veil_status st;

    h->q = q;
    h->dim = nn_shape_size(q->in);
    h->classes = nn_shape_size(q->layers[q->nlayers - 1].out);
    lola_options_default(&lo);
    lo.variant = LOLA_VARIANT_DENSE; /* the client sends the vector */
    lo.kernels = kernels;
    lo.margin = LOLA_ANSWER_MARGIN(LOLA_FLOOD_BITS);
    lo.answer = 1; /* lola_server_answer, private_head_run */
    lola_answer_opts_default(&h->ao);
    if ((st = lola_plan(&h->spec, rep, q, &lo)) != VEIL_OK)
        goto out;
    what = "setting up";
    if ((st = lola_setup_init(&h->su, &h->spec)) != VEIL_OK)
        goto out;
    what = "client keys";
    if ((st = lola_client_init(&h->cl, &h->su, rng)) != VEIL_OK)
        goto out_setup;
    what = "server weights";
    if ((st = lola_server_init(&h->sv, &h->su, q)) != VEIL_OK)
        goto out_client;
    what = "exact evaluator";
    if ((st = nn_qtrace_init(&h->tr, q)) != VEIL_OK)
        goto out_server;
    return VEIL_OK;
out_server:
    lola_server_clear(&h->sv);
out_client:
    lola_client_clear(&h->cl);
out_setup:
    lola_setup_clear(&h->su);
out:
    if (step != NULL)
        *step = what;
    return st;
}

void private_head_clear(private_head_t *h)
{
    nn_qtrace_clear(&h->tr);
    lola_server_clear(&h->sv);
    lola_client_clear(&h->cl);
    lola_setup_clear(&h->su);
}

veil_status private_head_infer(fmpz *logits, private_head_times_t *t,
                               const private_head_t *h, const uint8_t *x,
                               veil_rng_t *rng, const char **step)
{
    lola_msg_t in, out;
    lola_answer_t ans;
    double t0, t1, c0;
    veil_status st;

    /* client: encrypt the features */
    if ((st = lola_client_encrypt(&in, &h->cl, x, 1, rng)) != VEIL_OK) {
        if (step != NULL)
            *step = "encrypting";
        return st;
    }
    /* server: the private head, then the masked, flooded answer */
    c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    t0 = clock_s(CLOCK_MONOTONIC);
    st = lola_server_eval(&out, &h->sv, &in, &h->cl.ek);
    t1 = clock_s(CLOCK_MONOTONIC);
    if (st == VEIL_OK) {
        st = lola_server_answer(&ans, &h->sv, &out, &h->cl.ek, &h->ao, rng);
        lola_msg_clear(&out);
    }
    if (t != NULL) {
        t->eval_s = t1 - t0;
        t->answer_s = clock_s(CLOCK_MONOTONIC) - t1;
        t->server_cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    lola_msg_clear(&in);
    if (st != VEIL_OK) {
        if (step != NULL)
            *step = "server evaluation";
        return st;
    }
    /* client: decrypt */
    st = lola_client_decrypt_answer(logits, &h->cl, &ans, 1);
    lola_answer_clear(&ans);
    if (st != VEIL_OK && step != NULL)
        *step = "decrypting";
    return st;
}

int private_head_exact(private_head_t *h, const fmpz *logits, const uint8_t *x)
{
    nn_qmodel_quantize_input(h->tr.v[0], h->q, x);
    nn_qmodel_eval(&h->tr, h->q);
    return _fmpz_vec_equal(logits, h->tr.v[h->q->nlayers], (slong)h->classes);
}
