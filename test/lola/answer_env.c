/*
 * test/lola/answer_env.c - the environment of the answer tests
 * (answer_env.h).
 */
#include "answer_env.h"
#include <criterion/criterion.h>
#include <omp.h>

void lt_answer_env_init(lt_answer_env_t *e, const char *name,
                        const lt_answer_opts_t *ao)
{
    lola_options_t o;
    veil_status s;
    vt_rng(&e->rng, name);
    cr_assert_eq(veil_init(), VEIL_OK);
    omp_set_num_threads(1);
    lt_small_model(&e->q, &e->rng, 0, 0);
    for (size_t i = 0; i < 64; i++)
        e->x[i] =
            (int64_t)(veil_rng_u64(&e->rng) % (uint64_t)(e->q.in_max + 1));
    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = ao->n;
    o.primes = ao->primes;
    o.kernels = ao->kernels;
    o.variant = ao->variant;
    o.margin = LOLA_ANSWER_MARGIN(ao->lambda);
    s = lola_plan(&e->spec, &e->rep, &e->q, &o);
    cr_assert_eq(s, VEIL_OK, "plan: %s", veil_strerror(s));
    if (ao->bigp) {
        uint64_t p;
        cr_assert_eq(ntt_primes_generate(&p, 1, 50, e->spec.params[0].n,
                                         e->spec.params[0].q,
                                         e->spec.params[0].n_q),
                     VEIL_OK);
        for (size_t c = 0; c < e->spec.nprimes; c++)
            e->spec.params[c].p[0] = p;
    }
    cr_assert_eq(lola_setup_init(&e->su, &e->spec), VEIL_OK);
    cr_assert_eq(lola_client_init(&e->cl, &e->su, &e->rng), VEIL_OK);
    cr_assert_eq(lola_server_init(&e->sv, &e->su, &e->q), VEIL_OK);
    cr_assert_geq(e->sv.budget, (double)o.margin);
    cr_assert_eq(lola_client_encrypt_values(&e->in, &e->cl, e->x, 1, &e->rng),
                 VEIL_OK);
    cr_assert_eq(lola_server_eval(&e->out, &e->sv, &e->in, &e->cl.ek), VEIL_OK);
}

void lt_answer_env_clear(lt_answer_env_t *e)
{
    lola_msg_clear(&e->in);
    lola_msg_clear(&e->out);
    lola_server_clear(&e->sv);
    lola_client_clear(&e->cl);
    lola_setup_clear(&e->su);
    nn_qmodel_clear(&e->q);
    veil_rng_clear(&e->rng);
}

void lt_answer_assert_logits(lt_answer_env_t *e, const lola_answer_t *a)
{
    nn_qtrace_t tr;
    fmpz *logits = _fmpz_vec_init((slong)e->su.classes);
    cr_assert_eq(lola_client_decrypt_answer(logits, &e->cl, a, 1), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&tr, &e->q), VEIL_OK);
    for (size_t i = 0; i < 64; i++)
        fmpz_set_si(tr.v[0] + i, e->x[i]);
    nn_qmodel_eval(&tr, &e->q);
    for (size_t j = 0; j < e->su.classes; j++)
        cr_assert(fmpz_equal(logits + j, tr.v[e->q.nlayers] + j),
                  "logit %zu differs from the exact evaluator", j);
    nn_qtrace_clear(&tr);
    _fmpz_vec_clear(logits, (slong)e->su.classes);
}

uint8_t *lt_split_elements(const lola_layout_t *l, size_t *shares)
{
    uint8_t *split = calloc(l->len + 1, 1);
    size_t k = 0;
    cr_assert_not_null(split);
    for (size_t i = 0; i < l->nct; i++)
        for (size_t s = 0; s < l->n; s++) {
            const int32_t x = lola_layout_at(l, i, s);
            if (LOLA_IS_SHARE(x)) {
                cr_assert_lt(LOLA_SHARE_OF(x), l->len);
                split[LOLA_SHARE_OF(x)] = 1;
                k++;
            }
        }
    if (shares != NULL)
        *shares = k;
    return split;
}
