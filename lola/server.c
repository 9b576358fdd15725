/*
 * lola/server.c - the server's side: the model's weights turned into step
 * coefficients for every component (NTT-form plaintexts, reduced scalars,
 * biases: made once, reused for every query; the plaintexts of the largest
 * steps encoded per query instead when they do not fit the memory budget),
 * and the evaluation of the
 * program on the client's messages with the client's evaluation keys only.
 * Steps run in order; within a step the components run in parallel
 * (OpenMP, one dynamically scheduled job per component); with a single
 * component, or the components that do not divide evenly among the
 * threads, the step parallelises internally (lola/exec.c).
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "internal.h"

/* The model's weights as the server keeps them: one matrix per linear
 * layer, dense weights rows x cols, convolutions compactly (the layer's
 * out.c x in.c x k x k kernel, lola_matrix_entry), so that streamed steps
 * can encode their plaintexts at every query. */
struct lola_weights {
    lola_matrix_t m[NN_MAX_LAYERS];
    int32_t *w[NN_MAX_LAYERS];
    size_t nw[NN_MAX_LAYERS]; /* entries of w[i] */
};

static void weights_free(struct lola_weights *wt)
{
    if (wt == NULL)
        return;
    for (size_t i = 0; i < NN_MAX_LAYERS; i++)
        if (wt->w[i] != NULL) {
            veil_memzero(wt->w[i], wt->nw[i] * sizeof(int32_t));
            free(wt->w[i]);
        }
    free(wt);
}

void lola_server_clear(lola_server_t *s)
{
    if (s == NULL)
        return;
    if (s->coefs != NULL && s->su != NULL)
        for (size_t i = 0; i < s->su->ncomp * s->su->nsteps; i++)
            lola_coefs_clear(&s->coefs[i]);
    free(s->coefs);
    weights_free(s->weights);
    lola_levels_free(s->levels);
    free(s->limbs);
    memset(s, 0, sizeof(*s));
}

/* The matrix of linear layer l with a copy of its weights (compact for
 * convolutions and pooling); m->bias points to l's biases. */
static veil_status weights_layer(lola_matrix_t *m, int32_t **w, size_t *nwp,
                                 const nn_qlayer_t *l)
{
    const size_t rows = nn_shape_size(l->out), cols = nn_shape_size(l->in);
    memset(m, 0, sizeof(*m));
    *w = NULL;
    m->rows = rows;
    m->cols = cols;
    m->in = l->in;
    m->out = l->out;
    switch (l->type) {
    case NN_LAYER_DENSE:
        if (l->w == NULL || l->nw != rows * cols)
            return VEIL_EINVAL;
        *w = malloc(rows * cols * sizeof(int32_t));
        if (*w == NULL)
            return VEIL_ENOMEM;
        memcpy(*w, l->w, rows * cols * sizeof(int32_t));
        *nwp = rows * cols;
        m->w = *w;
        m->bias = l->b;
        return VEIL_OK;
    case NN_LAYER_CONV2D: {
        const size_t nw = (size_t)l->out.c * l->in.c * l->k * l->k;
        if (l->w == NULL || l->nw != nw)
            return VEIL_EINVAL;
        *w = malloc(nw * sizeof(int32_t));
        if (*w == NULL)
            return VEIL_ENOMEM;
        memcpy(*w, l->w, nw * sizeof(int32_t));
        *nwp = nw;
        m->kernel = *w;
        m->bias = l->b;
        break;
    }
    case NN_LAYER_AVGPOOL:
        m->pool = 1;
        break;
    default:
        return VEIL_EUNSUPPORTED;
    }
    m->conv = 1;
    m->k = l->k;
    m->stride = l->stride;
    m->pad = l->type == NN_LAYER_CONV2D ? l->pad : 0;
    return VEIL_OK;
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

/* Bytes of step k's NTT plaintexts over all components (data + shoup). */
static size_t plain_bytes(const lola_setup_t *su, size_t k)
{
    const lola_step_t *st = &su->steps[k];
    if (st->kind != LOLA_STEP_LINEAR)
        return 0;
    return st->nplains * su->ncomp * su->ctx[0].n_q * st->n * 2 *
           sizeof(uint64_t);
}

/* stream[k] = 1 for the steps to stream: the largest first, until the
 * precomputed rest fits in budget; returns the bytes kept. */
static size_t choose_stream(uint8_t *stream, const lola_setup_t *su,
                            size_t budget)
{
    size_t total = 0;
    for (size_t k = 0; k < su->nsteps; k++) {
        stream[k] = 0;
        total += plain_bytes(su, k);
    }
    while (total > budget) {
        size_t best = su->nsteps;
        for (size_t k = 0; k < su->nsteps; k++)
            if (!stream[k] && plain_bytes(su, k) > 0 &&
                (best == su->nsteps ||
                 plain_bytes(su, k) > plain_bytes(su, best)))
                best = k;
        if (best == su->nsteps)
            break;
        stream[best] = 1;
        total -= plain_bytes(su, best);
    }
    return total;
}

/* The context step k of component c runs in. */
static const bfv_context_t *step_ctx(const lola_server_t *s, size_t c, size_t k)
{
    return s->limbs == NULL ? &s->su->ctx[c]
                            : lola_levels_ctx(s, c, s->limbs[k]);
}

/* The primes step k runs at, and those its outputs end at. */
static size_t step_limbs(const lola_server_t *s, size_t k)
{
    return s->limbs == NULL ? s->su->ctx[0].n_q : s->limbs[k];
}

static size_t out_limbs(const lola_server_t *s, size_t k)
{
    return s->limbs == NULL
               ? s->su->ctx[0].n_q
               : lola_step_out_limbs(s->su->steps, s->su->nsteps, s->limbs, k);
}

veil_status lola_server_init_budget(lola_server_t *s, const lola_setup_t *su,
                                    const nn_qmodel_t *q, size_t budget)
{
    return lola_server_init_levels(s, su, q, budget, 0);
}

/* s->limbs and s->levels when some step can run at fewer primes; the
 * predicted final budget with them in *final. */
static veil_status levels_setup(lola_server_t *s, const lola_setup_t *su,
                                const nn_qmodel_t *q, double *final)
{
    int any = 0;
    veil_status st;
    s->limbs = malloc(su->nsteps);
    if (s->limbs == NULL)
        return VEIL_ENOMEM;
    st = lola_levels_choose(s->limbs, final, su, q);
    for (size_t k = 0; st == VEIL_OK && k < su->nsteps; k++)
        any |= s->limbs[k] != su->ctx[0].n_q;
    if (st == VEIL_OK && any)
        st = lola_levels_init(&s->levels, su, s->limbs);
    if (st != VEIL_OK || !any) {
        free(s->limbs);
        s->limbs = NULL;
    }
    return st;
}

veil_status lola_server_init_levels(lola_server_t *s, const lola_setup_t *su,
                                    const nn_qmodel_t *q, size_t budget,
                                    int levels)
{
    double level_budget = 0;
    struct lola_weights *wt;
    uint8_t *stream = NULL;
    veil_status st = VEIL_OK, err = VEIL_OK;

    if (s == NULL)
        return VEIL_EINVAL;
    memset(s, 0, sizeof(*s));
    if (su == NULL || q == NULL || su->nsteps == 0 ||
        !model_matches(&su->spec, q))
        return VEIL_EINVAL;
    wt = calloc(1, sizeof(*wt));
    stream = malloc(su->nsteps);
    if (wt == NULL || stream == NULL) {
        free(wt);
        free(stream);
        return VEIL_ENOMEM;
    }
    s->weights = wt;
    s->su = su;
    if (levels)
        st = levels_setup(s, su, q, &level_budget);
    for (uint32_t i = 0; i < q->nlayers && st == VEIL_OK; i++)
        if (lola_layer_linear(q->layers[i].type))
            st = weights_layer(&wt->m[i], &wt->w[i], &wt->nw[i], &q->layers[i]);
    if (st == VEIL_OK) {
        s->coefs = calloc(su->ncomp * su->nsteps, sizeof(lola_coefs_t));
        if (s->coefs == NULL)
            st = VEIL_ENOMEM;
    }
    if (st == VEIL_OK) {
        const size_t jobs = su->ncomp * su->nsteps;
        s->plain_bytes = choose_stream(stream, su, budget);
        for (size_t k = 0; k < su->nsteps; k++)
            s->streamed += stream[k];
#pragma omp parallel for schedule(dynamic)                                     \
    num_threads(veil_team()) if (su->spec.params[0].n >= LOLA_PARALLEL_MIN_N)
        for (size_t j = 0; j < jobs; j++) {
            const size_t c = j / su->nsteps, k = j % su->nsteps;
            const lola_step_t *stp = &su->steps[k];
            const lola_matrix_t *mat =
                stp->kind == LOLA_STEP_LINEAR && stp->layer >= 0
                    ? &wt->m[stp->layer]
                    : NULL;
            veil_status e = stream[k]
                                ? lola_coefs_init_stream(&s->coefs[j], stp, mat,
                                                         step_ctx(s, c, k))
                                : lola_coefs_init(&s->coefs[j], stp, mat,
                                                  step_ctx(s, c, k));
            if (e != VEIL_OK) {
#pragma omp critical(lola_server_err)
                err = e;
            }
        }
        st = err;
    }
    free(stream);
    for (size_t i = 0; i < NN_MAX_LAYERS; i++)
        wt->m[i].bias = NULL; /* biases are encoded: q may go */
    if (st == VEIL_OK) {      /* the budget the answer's flooding is sized on */
        lola_report_t *rep = malloc(sizeof(*rep));
        if (rep == NULL)
            st = VEIL_ENOMEM;
        else if (lola_predict(rep, &su->spec, q, NULL) == VEIL_OK &&
                 rep->nsteps > 0)
            s->budget = rep->steps[rep->nsteps - 1].budget;
        free(rep);
        /* with levels: their own prediction (at most one bit less) */
        if (s->limbs != NULL && level_budget < s->budget)
            s->budget = level_budget;
    }
    if (st != VEIL_OK)
        lola_server_clear(s);
    return st;
}

veil_status lola_server_init(lola_server_t *s, const lola_setup_t *su,
                             const nn_qmodel_t *q)
{
    return lola_server_init_budget(s, su, q, LOLA_PLAIN_BUDGET);
}

/* Step k on component c: nxt from `in` (k == 0) or cur; lk: the key
 * set's level keys (NULL without levels). */
static veil_status run_component(lola_msg_t *nxt, const lola_server_t *s,
                                 const lola_msg_t *in, const lola_msg_t *cur,
                                 const lola_evalkeys_t *ek,
                                 const struct lola_ek_levels *lk, size_t k,
                                 size_t c)
{
    const lola_setup_t *su = s->su;
    const lola_step_t *stp = &su->steps[k];
    const lola_msg_t *src = k == 0 ? in : cur;
    const size_t l = step_limbs(s, k), lo = out_limbs(s, k);
    return lola_step_exec_level(
        &nxt->ct[c * stp->nout], stp, &s->coefs[c * su->nsteps + k],
        &src->ct[c * src->nct], lola_ek_levels_rk(lk, ek, c, l),
        lola_ek_levels_gk(lk, ek, c, l), lola_ek_levels_gk(lk, ek, c, lo));
}

/* m = nct messages per component at l primes. */
static veil_status msg_init_limbs(lola_msg_t *m, const lola_server_t *s,
                                  size_t nct, size_t l)
{
    const bfv_context_t *ctx[LOLA_MAX_PRIMES];
    if (s->su->ncomp > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    for (size_t c = 0; c < s->su->ncomp; c++)
        ctx[c] = lola_levels_ctx(s, c, l);
    return lola_msg_init_at(m, s->su->ncomp, nct, ctx);
}

/* The messages *src (k == 0: the query, kept; else owned, replaced) in
 * step k's contexts: switched down (bfv_mod_switch) where step k runs at
 * fewer primes than they have.  Components and messages in parallel. */
static veil_status switch_down(lola_msg_t *cur, const lola_msg_t *in,
                               const lola_server_t *s, size_t k, int team)
{
    const lola_msg_t *src = k == 0 ? in : cur;
    const size_t total = src->ncomp * src->nct;
    lola_msg_t dst;
    veil_status st, err = VEIL_OK;
    if (s->limbs == NULL || src->ct[0].ctx == step_ctx(s, 0, k))
        return VEIL_OK;
    st = msg_init_limbs(&dst, s, src->nct, step_limbs(s, k));
    if (st != VEIL_OK)
        return st;
#pragma omp parallel for schedule(dynamic, 1)                                  \
    num_threads(team) if (team > 1 && total > 1)
    for (size_t j = 0; j < total; j++) {
        veil_status e = lola_ct_switch(&dst.ct[j], &src->ct[j]);
        if (e != VEIL_OK) {
#pragma omp critical(lola_server_err)
            err = e;
        }
    }
    if (err != VEIL_OK) {
        lola_msg_clear(&dst);
        return err;
    }
    if (k > 0)
        lola_msg_clear(cur);
    *cur = dst;
    return VEIL_OK;
}

veil_status lola_server_eval_trace(lola_msg_t *out, const lola_server_t *s,
                                   const lola_msg_t *in,
                                   const lola_evalkeys_t *ek,
                                   lola_trace_fn trace, void *arg)
{
    const lola_setup_t *su;
    lola_msg_t cur, nxt;
    const struct lola_ek_levels *lk = NULL;
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
     * is one barrier per step rather than one per limb loop.  When the
     * components do not divide evenly among the threads (3 on 2), the
     * `rest` that would leave threads idle run one after the other with
     * the whole team inside them (rotations and outputs in parallel,
     * lola/exec.c) instead.  Components are independent, so the result
     * does not depend on the threads. */
    threads = 1;
#ifdef _OPENMP
    if (su->spec.params[0].n >= LOLA_PARALLEL_MIN_N)
        threads = (size_t)veil_team(); /* the processors free now */
#endif
    together = su->ncomp;
    if (threads > 1 && su->ncomp > threads)
        together = su->ncomp - su->ncomp % threads;
    if (threads < 2)
        together = 0;
    memset(&cur, 0, sizeof(cur));
    st = lola_ek_levels_get(&lk, s, ek);
    for (size_t k = 0; k < su->nsteps && st == VEIL_OK; k++) {
        const lola_step_t *stp = &su->steps[k];
        const lola_msg_t *src0 = in;
        veil_status err = VEIL_OK;
        st = switch_down(&cur, in, s, k, (int)threads);
        if (st != VEIL_OK)
            break;
        if (k == 0 && cur.ct != NULL)
            src0 = &cur; /* the query switched down */
        st = msg_init_limbs(&nxt, s, stp->nout, out_limbs(s, k));
        if (st != VEIL_OK)
            break;
#pragma omp parallel for schedule(dynamic, 1) if (together > 1)                \
    num_threads(together > 1 && together < threads ? together : threads)
        for (size_t c = 0; c < together; c++) {
            veil_status e = run_component(&nxt, s, src0, &cur, ek, lk, k, c);
            if (e != VEIL_OK) {
#pragma omp critical(lola_server_err)
                err = e;
            }
        }
        for (size_t c = together; c < su->ncomp && err == VEIL_OK; c++)
            err = run_component(&nxt, s, src0, &cur, ek, lk, k, c);
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

veil_status lola_server_prepare_keys(const lola_server_t *s,
                                     const lola_evalkeys_t *ek)
{
    const struct lola_ek_levels *lk;
    if (s == NULL || s->su == NULL || ek == NULL || ek->ncomp != s->su->ncomp)
        return VEIL_EINVAL;
    return lola_ek_levels_get(&lk, s, ek);
}

veil_status lola_server_eval(lola_msg_t *out, const lola_server_t *s,
                             const lola_msg_t *in, const lola_evalkeys_t *ek)
{
    return lola_server_eval_trace(out, s, in, ek, NULL, NULL);
}
