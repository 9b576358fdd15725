/*
 * lola/server.c - the server's side: the model's weights turned into step
 * coefficients for every component (NTT-form plaintexts, reduced scalars,
 * biases: made once, reused for every query), and the evaluation of the
 * program on the client's messages with the client's evaluation keys only.
 * Steps run in order; within a step the components run in parallel
 * (OpenMP, one dynamically scheduled job per component); with a single
 * component (or one thread) the step parallelises internally
 * (lola/exec.c).
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "internal.h"

void lola_server_clear(lola_server_t *s)
{
    if (s == NULL)
        return;
    if (s->coefs != NULL && s->su != NULL)
        for (size_t i = 0; i < s->su->ncomp * s->su->nsteps; i++)
            lola_coefs_clear(&s->coefs[i]);
    free(s->coefs);
    memset(s, 0, sizeof(*s));
}

/* q must have exactly the spec's layer structure. */
static int model_matches(const lola_spec_t *sp, const nn_qmodel_t *q)
{
    if (q->nlayers != sp->nlayers || q->in.c != sp->in.c ||
        q->in.h != sp->in.h || q->in.w != sp->in.w)
        return 0;
    for (uint32_t i = 0; i < q->nlayers; i++) {
        const nn_qlayer_t *l = &q->layers[i];
        if (l->type != sp->layers[i].type ||
            memcmp(&l->in, &sp->layers[i].in, sizeof(nn_shape_t)) != 0 ||
            memcmp(&l->out, &sp->layers[i].out, sizeof(nn_shape_t)) != 0 ||
            (lola_layer_linear(l->type) && l->type != NN_LAYER_DENSE &&
             (l->k != sp->layers[i].k || l->stride != sp->layers[i].stride ||
              (l->type == NN_LAYER_CONV2D && l->pad != sp->layers[i].pad))))
            return 0;
    }
    return 1;
}

veil_status lola_server_init(lola_server_t *s, const lola_setup_t *su,
                             const nn_qmodel_t *q)
{
    lola_matrix_t m[NN_MAX_LAYERS];
    int32_t *w[NN_MAX_LAYERS] = {NULL};
    veil_status st = VEIL_OK, err = VEIL_OK;

    if (s == NULL)
        return VEIL_EINVAL;
    memset(s, 0, sizeof(*s));
    if (su == NULL || q == NULL || su->nsteps == 0 ||
        !model_matches(&su->spec, q))
        return VEIL_EINVAL;
    for (uint32_t i = 0; i < q->nlayers && st == VEIL_OK; i++)
        if (lola_layer_linear(q->layers[i].type))
            st = lola_matrix_from_layer(&m[i], &w[i], &q->layers[i]);
    if (st == VEIL_OK) {
        s->su = su;
        s->coefs = calloc(su->ncomp * su->nsteps, sizeof(lola_coefs_t));
        if (s->coefs == NULL)
            st = VEIL_ENOMEM;
    }
    if (st == VEIL_OK) {
        const size_t jobs = su->ncomp * su->nsteps;
#pragma omp parallel for schedule(dynamic) if (su->spec.params[0].n >=         \
                                               LOLA_PARALLEL_MIN_N)
        for (size_t j = 0; j < jobs; j++) {
            const size_t c = j / su->nsteps, k = j % su->nsteps;
            const lola_step_t *stp = &su->steps[k];
            const lola_matrix_t *mat =
                stp->kind == LOLA_STEP_LINEAR && stp->layer >= 0
                    ? &m[stp->layer]
                    : NULL;
            veil_status e =
                lola_coefs_init(&s->coefs[j], stp, mat, &su->ctx[c]);
            if (e != VEIL_OK) {
#pragma omp critical(lola_server_err)
                err = e;
            }
        }
        st = err;
    }
    for (uint32_t i = 0; i < q->nlayers; i++)
        free(w[i]);
    if (st == VEIL_OK) { /* the budget the answer's flooding is sized on */
        lola_report_t *rep = malloc(sizeof(*rep));
        if (rep == NULL)
            st = VEIL_ENOMEM;
        else if (lola_predict(rep, &su->spec, q, NULL) == VEIL_OK &&
                 rep->nsteps > 0)
            s->budget = rep->steps[rep->nsteps - 1].budget;
        free(rep);
    }
    if (st != VEIL_OK)
        lola_server_clear(s);
    return st;
}

/* Step k on component c: nxt from `in` (k == 0) or cur. */
static veil_status run_component(lola_msg_t *nxt, const lola_server_t *s,
                                 const lola_msg_t *in, const lola_msg_t *cur,
                                 const lola_evalkeys_t *ek, size_t k, size_t c)
{
    const lola_setup_t *su = s->su;
    const lola_step_t *stp = &su->steps[k];
    const lola_msg_t *src = k == 0 ? in : cur;
    return lola_step_exec(&nxt->ct[c * stp->nout], stp,
                          &s->coefs[c * su->nsteps + k], &src->ct[c * src->nct],
                          &ek->rk[c], &ek->gk[c]);
}

veil_status lola_server_eval_trace(lola_msg_t *out, const lola_server_t *s,
                                   const lola_msg_t *in,
                                   const lola_evalkeys_t *ek,
                                   lola_trace_fn trace, void *arg)
{
    const lola_setup_t *su;
    lola_msg_t cur, nxt;
    size_t threads, together;
    veil_status st = VEIL_OK;

    if (out == NULL)
        return VEIL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (s == NULL || s->su == NULL || in == NULL || ek == NULL)
        return VEIL_EINVAL;
    su = s->su;
    if (in->ncomp != su->ncomp || in->nct != su->in_nct ||
        ek->ncomp != su->ncomp)
        return VEIL_EINVAL;
    for (size_t c = 0; c < su->ncomp; c++)
        for (size_t i = 0; i < in->nct; i++)
            if (in->ct[c * in->nct + i].ctx != &su->ctx[c])
                return VEIL_EINVAL;
    /* components in parallel: one parallel region per step, one dynamic
     * job per component, each run serially inside (lola/exec.c does not
     * open nested teams).  Few, coarse jobs and no static split: a thread
     * that the system deschedules delays only its own component, and there
     * is one barrier per step rather than one per limb loop.  Components
     * are independent, so the result does not depend on the threads. */
    threads = 1;
#ifdef _OPENMP
    if (su->spec.params[0].n >= LOLA_PARALLEL_MIN_N)
        threads = (size_t)omp_get_max_threads();
#endif
    together = threads > 1 && su->ncomp > 1;
    memset(&cur, 0, sizeof(cur));
    for (size_t k = 0; k < su->nsteps && st == VEIL_OK; k++) {
        const lola_step_t *stp = &su->steps[k];
        veil_status err = VEIL_OK;
        st = lola_msg_init(&nxt, su, stp->nout);
        if (st != VEIL_OK)
            break;
#pragma omp parallel for schedule(dynamic, 1) if (together)
        for (size_t c = 0; c < su->ncomp; c++) {
            veil_status e = run_component(&nxt, s, in, &cur, ek, k, c);
            if (e != VEIL_OK) {
#pragma omp critical(lola_server_err)
                err = e;
            }
        }
        lola_msg_clear(&cur);
        cur = nxt;
        st = err;
        if (st == VEIL_OK && trace != NULL && trace(arg, k, &cur) != 0)
            st = VEIL_EINVAL;
    }
    if (st != VEIL_OK) {
        lola_msg_clear(&cur);
        return st;
    }
    *out = cur;
    return VEIL_OK;
}

veil_status lola_server_eval(lola_msg_t *out, const lola_server_t *s,
                             const lola_msg_t *in, const lola_evalkeys_t *ek)
{
    return lola_server_eval_trace(out, s, in, ek, NULL, NULL);
}
