/*
 * lola/setup.c - what client and server both derive from a spec: the BFV
 * context of every plaintext prime, the compiled program, the input and
 * output representations and the Galois elements; message sets and
 * evaluation-key containers over the components.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

static int elt_cmp(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int same_but_t(const bfv_params_t *a, const bfv_params_t *b)
{
    if (a->n != b->n || a->n_q != b->n_q || a->n_p != b->n_p ||
        a->security != b->security || a->allow_insecure != b->allow_insecure ||
        a->n_q > BFV_MAX_Q || a->n_p > BFV_MAX_P)
        return 0;
    return memcmp(a->q, b->q, a->n_q * sizeof(uint64_t)) == 0 &&
           memcmp(a->p, b->p, a->n_p * sizeof(uint64_t)) == 0;
}

void lola_setup_clear(lola_setup_t *su)
{
    lola_prog_t prog;
    if (su == NULL)
        return;
    lola_setup_ringsw_clear(su);
    for (size_t i = 0; i < su->ncomp && i < LOLA_MAX_PRIMES; i++)
        bfv_context_clear(&su->ctx[i]);
    memset(&prog, 0, sizeof(prog));
    prog.nsteps = su->nsteps;
    prog.steps = su->steps;
    if (su->input != NULL)
        prog.input = *su->input;
    lola_program_clear(&prog);
    free(su->input);
    free(su->galois);
    memset(su, 0, sizeof(*su));
}

veil_status lola_setup_init(lola_setup_t *su, const lola_spec_t *spec)
{
    lola_prog_t prog;
    size_t cap = 0;
    veil_status s = VEIL_OK;

    if (su == NULL)
        return VEIL_EINVAL;
    memset(su, 0, sizeof(*su));
    if (spec == NULL || spec->nprimes == 0 || spec->nprimes > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    /* components differ only in t */
    for (size_t i = 1; i < spec->nprimes; i++) {
        if (!same_but_t(&spec->params[0], &spec->params[i]))
            return VEIL_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (spec->params[j].t == spec->params[i].t)
                return VEIL_EINVAL;
    }
    su->spec = *spec;
    for (size_t i = 0; i < spec->nprimes && s == VEIL_OK; i++) {
        s = bfv_context_init(&su->ctx[i], &spec->params[i]);
        su->ncomp = i + 1;
        if (s == VEIL_OK && !su->ctx[i].batching)
            s = VEIL_EPARAM;
    }
    if (s == VEIL_OK)
        s = lola_program_build(&prog, spec, spec->params[0].n);
    if (s != VEIL_OK) {
        lola_setup_clear(su);
        return s;
    }
    su->input = malloc(sizeof(*su->input));
    if (su->input == NULL) {
        lola_program_clear(&prog);
        lola_setup_clear(su);
        return VEIL_ENOMEM;
    }
    su->nsteps = prog.nsteps;
    su->steps = prog.steps;
    *su->input = prog.input;
    su->output = &su->steps[su->nsteps - 1].layout;
    su->in_nct = su->input->nct;
    su->out_nct = su->output->nct;
    su->classes = su->output->len;
    for (size_t i = 0; i < su->nsteps; i++)
        if (su->steps[i].kind == LOLA_STEP_LINEAR)
            for (size_t o = 0; o < su->steps[i].nout; o++)
                cap +=
                    2 * su->steps[i].out[o].nterms + su->steps[i].out[o].nfold;
    su->galois = malloc((cap + 1) * sizeof(uint64_t));
    if (su->galois == NULL) {
        lola_setup_clear(su);
        return VEIL_ENOMEM;
    }
    for (size_t i = 0; i < su->nsteps; i++)
        lola_step_galois(su->galois, &su->ngalois, &su->steps[i]);
    qsort(su->galois, su->ngalois, sizeof(uint64_t), elt_cmp);
    s = lola_setup_ringsw(su);
    if (s != VEIL_OK)
        lola_setup_clear(su);
    return s;
}

veil_status lola_msg_init_at(lola_msg_t *m, size_t ncomp, size_t nct,
                             const bfv_context_t *const *ctx)
{
    veil_status s = VEIL_OK;
    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (ncomp == 0 || ncomp > LOLA_MAX_PRIMES || nct == 0 ||
        nct > SIZE_MAX / ncomp / sizeof(bfv_ciphertext_t))
        return VEIL_EINVAL;
    m->ct = calloc(ncomp * nct, sizeof(bfv_ciphertext_t));
    if (m->ct == NULL)
        return VEIL_ENOMEM;
    m->ncomp = ncomp;
    m->nct = nct;
    for (size_t c = 0; c < ncomp && s == VEIL_OK; c++)
        for (size_t i = 0; i < nct && s == VEIL_OK; i++)
            s = bfv_ciphertext_init(&m->ct[c * nct + i], ctx[c]);
    if (s != VEIL_OK)
        lola_msg_clear(m);
    return s;
}

veil_status lola_msg_init(lola_msg_t *m, const lola_setup_t *su, size_t nct)
{
    const bfv_context_t *ctx[LOLA_MAX_PRIMES];
    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (su == NULL || su->ncomp > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    for (size_t c = 0; c < su->ncomp; c++)
        ctx[c] = &su->ctx[c];
    return lola_msg_init_at(m, su->ncomp, nct, ctx);
}

void lola_msg_clear(lola_msg_t *m)
{
    if (m == NULL)
        return;
    if (m->ct != NULL)
        for (size_t i = 0; i < m->ncomp * m->nct; i++)
            bfv_ciphertext_clear(&m->ct[i]);
    free(m->ct);
    memset(m, 0, sizeof(*m));
}

veil_status lola_evalkeys_init(lola_evalkeys_t *ek, const lola_setup_t *su)
{
    veil_status s = VEIL_OK;
    if (ek == NULL)
        return VEIL_EINVAL;
    memset(ek, 0, sizeof(*ek));
    if (su == NULL || su->ncomp == 0 || su->ncomp > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    for (size_t c = 0; c < su->ncomp && s == VEIL_OK; c++) {
        ek->ncomp = c + 1;
        s = bfv_relin_key_init(&ek->rk[c], &su->ctx[c]);
        if (s == VEIL_OK)
            s = bfv_galois_keys_init(&ek->gk[c], &su->ctx[c]);
        if (s == VEIL_OK)
            s = bfv_public_key_init(&ek->pk[c], &su->ctx[c]);
    }
    if (s == VEIL_OK && su->ringsw) /* one key for all: lola/answer.c */
        s = bfv_ringsw_key_init(&ek->rsw, &su->ctx[0], &su->sub[0]);
    if (s != VEIL_OK)
        lola_evalkeys_clear(ek);
    return s;
}

veil_status lola_evalkeys_share(lola_evalkeys_t *ek, const lola_setup_t *su)
{
    if (ek == NULL || su == NULL || ek->ncomp != su->ncomp || su->ncomp == 0 ||
        su->ncomp > LOLA_MAX_PRIMES || ek->rk[0].ctx != &su->ctx[0] ||
        ek->gk[0].ctx != &su->ctx[0] || ek->pk[0].ctx != &su->ctx[0])
        return VEIL_EINVAL;
    for (size_t c = 1; c < su->ncomp; c++) {
        const bfv_params_t *a = &su->ctx[0].params, *b = &su->ctx[c].params;
        /* what the keys depend on: n, Q, P (lola_setup_init checks it) */
        if (a->n != b->n || a->n_q != b->n_q || a->n_p != b->n_p ||
            memcmp(a->q, b->q, a->n_q * sizeof(uint64_t)) != 0 ||
            memcmp(a->p, b->p, a->n_p * sizeof(uint64_t)) != 0)
            return VEIL_EINVAL;
    }
    for (size_t c = 1; c < su->ncomp; c++) {
        if (!ek->shared) {
            bfv_relin_key_clear(&ek->rk[c]);
            bfv_galois_keys_clear(&ek->gk[c]);
            bfv_public_key_clear(&ek->pk[c]);
        }
        ek->rk[c] = ek->rk[0];
        ek->gk[c] = ek->gk[0];
        ek->pk[c] = ek->pk[0];
        ek->rk[c].ctx = &su->ctx[c];
        ek->gk[c].ctx = &su->ctx[c];
        ek->pk[c].ctx = &su->ctx[c];
    }
    ek->shared = 1;
    return VEIL_OK;
}

void lola_evalkeys_clear(lola_evalkeys_t *ek)
{
    if (ek == NULL)
        return;
    lola_ek_levels_free(ek->levels);
    if (ek->shared) /* views: only component 0 owns memory */
        ek->ncomp = ek->ncomp > 0 ? 1 : 0;
    for (size_t c = 0; c < ek->ncomp && c < LOLA_MAX_PRIMES; c++) {
        bfv_relin_key_clear(&ek->rk[c]);
        bfv_galois_keys_clear(&ek->gk[c]);
        bfv_public_key_clear(&ek->pk[c]);
    }
    bfv_ringsw_key_clear(&ek->rsw);
    memset(ek, 0, sizeof(*ek));
}
