/*
 * lola/levels.c - evaluation at fewer ciphertext primes ("levels").
 *
 * In BFV a modulus switch from Q to Q_l = q_0 ... q_{l-1} keeps the
 * relative noise v / Q and adds a rounding term t (r_0 + r_1 s) (bfv.h,
 * bfv_mod_switch): as long as Q_l leaves room above that rounding, the
 * budget is kept, and every later operation costs less (a key switch
 * about l (l + 1) instead of L (L + 1) row products and NTTs, a square
 * about l / L).  The server switches the messages down between steps where
 * lola_levels_choose (lola/plan.c) predicts that the final budget stays
 * within one bit of the unswitched evaluation's.  A level is a context of
 * its own (same n, t and special prime, the first l primes of Q); its
 * evaluation keys are the client's keys restricted to those primes:
 *
 *   a key-switching key for one special prime P has one digit per prime
 *   q_d, b_d = -(a_d s + e_d) + P g_d s' mod QP with g_d = 1 mod q_d and
 *   0 mod the other primes of Q; for Q_l the gadget g'_d has the same
 *   residues mod q_0 .. q_{l-1}, and P g_d = 0 = P g'_d mod P.  So the
 *   digits d < l, rows q_0 .. q_{l-1} and P of the full key are exactly a
 *   key for Q_l P (same secret, same errors: nothing new is revealed).
 *
 * Level keys are derived once per key set and server (lola_ek_levels, kept
 * in the key set and freed with it).
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

void lola_levels_free(struct lola_levels *lv)
{
    if (lv == NULL)
        return;
    for (size_t c = 0; c < LOLA_MAX_PRIMES; c++)
        for (size_t l = 0; l <= BFV_MAX_Q; l++)
            if (lv->ctx[c][l] != NULL) {
                bfv_context_clear(lv->ctx[c][l]);
                free(lv->ctx[c][l]);
            }
    free(lv);
}

veil_status lola_levels_init(struct lola_levels **out, const lola_setup_t *su,
                             const uint8_t *limbs)
{
    struct lola_levels *lv;
    veil_status s = VEIL_OK;
    *out = NULL;
    lv = calloc(1, sizeof(*lv));
    if (lv == NULL)
        return VEIL_ENOMEM;
    for (size_t k = 0; k < su->nsteps && s == VEIL_OK; k++) {
        const size_t l = limbs[k];
        for (size_t c = 0; c < su->ncomp && s == VEIL_OK; c++) {
            bfv_params_t p = su->ctx[c].params;
            if (l == p.n_q || lv->ctx[c][l] != NULL)
                continue;
            if (l < 2 || l > p.n_q || p.n_p != 1) {
                s = VEIL_EINVAL;
                break;
            }
            p.n_q = l;
            lv->ctx[c][l] = calloc(1, sizeof(bfv_context_t));
            if (lv->ctx[c][l] == NULL) {
                s = VEIL_ENOMEM;
                break;
            }
            s = bfv_context_init(lv->ctx[c][l], &p);
            if (s != VEIL_OK) {
                free(lv->ctx[c][l]);
                lv->ctx[c][l] = NULL;
            }
        }
    }
    if (s != VEIL_OK) {
        lola_levels_free(lv);
        return s;
    }
    *out = lv;
    return VEIL_OK;
}

const bfv_context_t *lola_levels_ctx(const lola_server_t *s, size_t c, size_t l)
{
    if (s->levels == NULL || l >= s->su->ctx[c].n_q)
        return &s->su->ctx[c];
    return s->levels->ctx[c][l];
}

int lola_ctx_is_level(const bfv_context_t *lo, const bfv_context_t *hi)
{
    const bfv_params_t *a = &lo->params, *b = &hi->params;
    return a->n == b->n && a->t == b->t && a->n_q <= b->n_q &&
           a->n_p == b->n_p &&
           memcmp(a->q, b->q, a->n_q * sizeof(uint64_t)) == 0 &&
           memcmp(a->p, b->p, a->n_p * sizeof(uint64_t)) == 0;
}

size_t lola_step_out_limbs(const lola_step_t *steps, size_t nsteps,
                           const uint8_t *limbs, size_t k)
{
    int folds = 0;
    if (k + 1 >= nsteps || limbs[k + 1] >= limbs[k] ||
        steps[k].kind != LOLA_STEP_LINEAR)
        return limbs[k];
    for (size_t o = 0; o < steps[k].nout; o++)
        folds |= steps[k].out[o].nfold > 0;
    return folds ? limbs[k + 1] : limbs[k];
}

veil_status lola_ct_switch(bfv_ciphertext_t *dst, const bfv_ciphertext_t *src)
{
    const bfv_context_t *to = dst->ctx;
    const size_t l = to->n_q, n = to->n;
    bfv_ms_ciphertext_t ms;
    veil_status s;
    if (src->size != 2 || src->ctx->n != n || l > src->ctx->n_q ||
        dst->capacity < 2 || dst == src)
        return VEIL_EINVAL;
    /* switched straight into dst's rows: both layouts are (k l + i) n, and
     * a view of them holds the 2 l n words bfv_mod_switch writes (no
     * buffer of 3 L n words to allocate, fault in and copy per message) */
    memset(&ms, 0, sizeof(ms));
    ms.ctx = src->ctx;
    ms.capacity = 2 * l * n;
    ms.data = dst->data;
    s = bfv_mod_switch(&ms, src, l);
    if (s == VEIL_OK) {
        dst->size = 2;
        dst->seeded = 0;
    }
    return s;
}

/* ------------------------------------------------------------- keys */

/* Memory the level keys own (everything else are views). */
typedef struct {
    size_t count, cap;
    void **p;
} owned_t;

static veil_status own(owned_t *o, void *p)
{
    if (p == NULL)
        return VEIL_ENOMEM;
    if (o->count == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 16;
        void **q = realloc(o->p, cap * sizeof(void *));
        if (q == NULL) {
            veil_free(p);
            return VEIL_ENOMEM;
        }
        o->p = q;
        o->cap = cap;
    }
    o->p[o->count++] = p;
    return VEIL_OK;
}

typedef struct {
    bfv_relin_key_t rk[LOLA_MAX_PRIMES];
    bfv_galois_keys_t gk[LOLA_MAX_PRIMES];
    bfv_public_key_t pk[LOLA_MAX_PRIMES];
} level_keys_t;

struct lola_ek_levels {
    const struct lola_levels *owner; /* the server's levels they serve */
    level_keys_t *k[BFV_MAX_Q + 1];
    owned_t mem;
};

void lola_ek_levels_free(struct lola_ek_levels *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->mem.count; i++)
        veil_free(e->mem.p[i]);
    free(e->mem.p);
    for (size_t l = 0; l <= BFV_MAX_Q; l++)
        free(e->k[l]);
    free(e);
}

/* dst = src restricted to the first l primes of full (and P). */
static veil_status ksk_restrict(bfv_kswitch_key_t *dst,
                                const bfv_kswitch_key_t *src,
                                const bfv_context_t *full, size_t l,
                                owned_t *mem)
{
    const size_t n = full->n, L = full->n_q, LK = full->n_qp, lk = l + 1;
    uint64_t *d;
    veil_status s;
    if (full->n_p != 1 || src->digits != L || src->data == NULL)
        return VEIL_EINVAL;
    d = veil_alloc(2 * l * lk * n * sizeof(uint64_t));
    s = own(mem, d);
    if (s != VEIL_OK)
        return s;
    for (size_t dg = 0; dg < l; dg++)
        for (size_t comp = 0; comp < 2; comp++)
            for (size_t i = 0; i < lk; i++)
                memcpy(d + ((dg * 2 + comp) * lk + i) * n,
                       src->data + ((dg * 2 + comp) * LK + (i < l ? i : L)) * n,
                       n * sizeof(uint64_t));
    dst->digits = l;
    dst->data = d;
    memcpy(dst->seed, src->seed, sizeof(dst->seed));
    return VEIL_OK;
}

static int elt_cmp(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The keys of level l for every component: the relinearization key if a
 * step at l squares or relinearizes, the Galois keys of the steps at l
 * (of their folds only for a step whose outputs end at l, switched down
 * before them: lola_step_out_limbs), the public key if l is the last
 * step's level (the answer). */
static veil_status level_make(level_keys_t *lk, const lola_server_t *sv,
                              const lola_evalkeys_t *ek, size_t l, owned_t *mem)
{
    const lola_setup_t *su = sv->su;
    const bfv_context_t *full = &su->ctx[0];
    size_t cap = 1, ne = 0;
    int relin = 0, last = sv->limbs[su->nsteps - 1] == l;
    uint64_t *elts;
    veil_status s = VEIL_OK;

    for (size_t k = 0; k < su->nsteps; k++) {
        const lola_step_t *st = &su->steps[k];
        if (sv->limbs[k] != l &&
            lola_step_out_limbs(su->steps, su->nsteps, sv->limbs, k) != l)
            continue;
        if (sv->limbs[k] != l) { /* its folds only */
            for (size_t o = 0; o < st->nout; o++)
                cap += st->out[o].nfold;
        } else if (st->kind != LOLA_STEP_LINEAR)
            relin |= st->relin || st->kind == LOLA_STEP_RELIN;
        else
            for (size_t o = 0; o < st->nout; o++)
                cap += 2 * st->out[o].nterms + st->out[o].nfold;
    }
    /* the answer relinearizes an output a program leaves at size 3 (it
     * ends in a square: the CryptoNets plan), at the last level */
    relin |= last;
    elts = malloc(cap * sizeof(uint64_t));
    if (elts == NULL)
        return VEIL_ENOMEM;
    for (size_t k = 0; k < su->nsteps; k++)
        lola_step_galois_of(
            elts, &ne, &su->steps[k], sv->limbs[k] == l,
            lola_step_out_limbs(su->steps, su->nsteps, sv->limbs, k) == l);
    qsort(elts, ne, sizeof(uint64_t), elt_cmp);
    for (size_t c = 0; c < su->ncomp && s == VEIL_OK; c++) {
        const bfv_context_t *ctx = lola_levels_ctx(sv, c, l);
        const size_t n = ctx->n, L = full->n_q;
        if (ek->rk[c].ctx != &su->ctx[c] || ek->gk[c].ctx != &su->ctx[c] ||
            ek->pk[c].ctx != &su->ctx[c]) {
            s = VEIL_EINVAL;
            break;
        }
        if (c > 0 && ek->shared) { /* views of component 0's */
            lk->rk[c] = lk->rk[0];
            lk->gk[c] = lk->gk[0];
            lk->pk[c] = lk->pk[0];
            lk->rk[c].ctx = lk->gk[c].ctx = lk->pk[c].ctx = ctx;
            continue;
        }
        lk->rk[c].ctx = lk->gk[c].ctx = lk->pk[c].ctx = ctx;
        if (relin)
            s = ksk_restrict(&lk->rk[c].ksk, &ek->rk[c].ksk, &su->ctx[c], l,
                             mem);
        if (s == VEIL_OK && ne > 0) {
            lk->gk[c].keys = veil_calloc(ne, sizeof(bfv_galois_key_t));
            s = own(mem, lk->gk[c].keys);
            lk->gk[c].count = lk->gk[c].capacity = s == VEIL_OK ? ne : 0;
        }
        for (size_t i = 0; i < ne && s == VEIL_OK; i++) {
            const bfv_galois_key_t *g =
                bfv_galois_keys_find(&ek->gk[c], elts[i]);
            bfv_galois_key_t *d = &lk->gk[c].keys[i];
            if (g == NULL) {
                s = VEIL_ENOKEY;
                break;
            }
            d->elt = g->elt;
            d->step = g->step;
            d->perm = g->perm; /* the same for every prime */
            s = ksk_restrict(&d->ksk, &g->ksk, &su->ctx[c], l, mem);
        }
        if (s == VEIL_OK && last && ek->pk[c].data != NULL) {
            uint64_t *d = veil_alloc(2 * l * n * sizeof(uint64_t));
            s = own(mem, d);
            if (s == VEIL_OK) {
                memcpy(d, ek->pk[c].data, l * n * sizeof(uint64_t));
                memcpy(d + l * n, ek->pk[c].data + L * n,
                       l * n * sizeof(uint64_t));
                lk->pk[c].data = d;
                memcpy(lk->pk[c].seed, ek->pk[c].seed, sizeof(lk->pk[c].seed));
            }
        }
    }
    free(elts);
    return s;
}

veil_status lola_ek_levels_get(const struct lola_ek_levels **out,
                               const lola_server_t *sv,
                               const lola_evalkeys_t *ek)
{
    lola_evalkeys_t *mut = (lola_evalkeys_t *)ek; /* the cache only */
    veil_status s = VEIL_OK;
    *out = NULL;
    if (sv->levels == NULL)
        return VEIL_OK;
#pragma omp critical(lola_ek_levels)
    {
        struct lola_ek_levels *e = mut->levels;
        if (e != NULL && e->owner != sv->levels) {
            lola_ek_levels_free(e);
            e = mut->levels = NULL;
        }
        if (e == NULL) {
            e = calloc(1, sizeof(*e));
            if (e == NULL)
                s = VEIL_ENOMEM;
            for (size_t k = 0; k < sv->su->nsteps && s == VEIL_OK; k++) {
                const size_t l = sv->limbs[k];
                if (l >= sv->su->ctx[0].n_q || e->k[l] != NULL)
                    continue;
                e->k[l] = calloc(1, sizeof(level_keys_t));
                s = e->k[l] == NULL ? VEIL_ENOMEM
                                    : level_make(e->k[l], sv, ek, l, &e->mem);
            }
            if (s == VEIL_OK) {
                e->owner = sv->levels;
                mut->levels = e;
            } else {
                lola_ek_levels_free(e);
            }
        }
        if (s == VEIL_OK)
            *out = mut->levels;
    }
    return s;
}

const bfv_relin_key_t *lola_ek_levels_rk(const struct lola_ek_levels *h,
                                         const lola_evalkeys_t *ek, size_t c,
                                         size_t l)
{
    const struct lola_ek_levels *e = h;
    if (e == NULL || e->k[l] == NULL)
        return &ek->rk[c];
    return &e->k[l]->rk[c];
}

const bfv_galois_keys_t *lola_ek_levels_gk(const struct lola_ek_levels *h,
                                           const lola_evalkeys_t *ek, size_t c,
                                           size_t l)
{
    const struct lola_ek_levels *e = h;
    if (e == NULL || e->k[l] == NULL)
        return &ek->gk[c];
    return &e->k[l]->gk[c];
}

const bfv_public_key_t *lola_ek_levels_pk(const struct lola_ek_levels *h,
                                          const lola_evalkeys_t *ek, size_t c,
                                          size_t l)
{
    const struct lola_ek_levels *e = h;
    if (e == NULL || e->k[l] == NULL)
        return &ek->pk[c];
    return &e->k[l]->pk[c];
}

veil_status lola_ct_to_ms(bfv_ms_ciphertext_t *ms, const bfv_ciphertext_t *ct)
{
    const bfv_context_t *full = ms->ctx, *lc = ct->ctx;
    const size_t n = full->n, l = lc->n_q;
    if (lc->n != n || lc->params.t != full->params.t || l > full->n_q ||
        ct->size < 2 || ct->size > 3 ||
        memcmp(lc->params.q, full->params.q, l * sizeof(uint64_t)) != 0 ||
        ms->capacity < ct->size * l * n)
        return VEIL_EINVAL;
    memcpy(ms->data, ct->data, ct->size * l * n * sizeof(uint64_t));
    ms->size = ct->size;
    ms->limbs = l;
    ms->bits[0] = ms->bits[1] = 0;
    return VEIL_OK;
}
