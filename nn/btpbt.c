/*
 * btpbt.c - SAFENet's mixed-precision activation planner (paper section 3,
 * Algorithm 1): population-based training (PBT, Jaderberg et al. 2017) of
 * the per-layer approximation ratio alpha and degree beta, run over a
 * binary tree of the activation layers (BTPBT), then a global search.
 *
 * A PBT run searches the (alpha, beta) of a few groups of ACT layers (a
 * group shares one alpha and one beta; the other layers keep their plan).
 * Each of P workers applies its plan (nn_act_apply), fine-tunes on its own
 * slice of the training set, and is scored on the validation images by
 * eq. 4; then the worst quarter copies the weights and hyper-parameters
 * of a random member of the best quarter (exploit) and perturbs them
 * (explore).  A plan below the accuracy threshold scores accuracy - 1, so
 * that every plan that meets it ranks above every plan that does not.
 * Each stage also keeps, for the final fine-tune, a copy of the worker
 * with the best eq.-4 score without the threshold in any generation.
 */
#include "veil/nn.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    uint32_t lo, hi; /* ACT-layer indices [lo, hi) */
} group_t;

typedef struct {
    nn_model_t m;
    double alpha[NN_MAX_LAYERS]; /* per group */
    int beta[NN_MAX_LAYERS];
    double acc, score;
} worker_t;

typedef struct {
    const nn_plan_opts_t *o;
    const nn_dataset_t *train, *val;
    nn_dataset_t valv;                 /* the first val_images of val */
    uint32_t act[NN_MAX_LAYERS], nact; /* model layer of each ACT layer */
    uint32_t stage;                    /* PBT runs started             */
    uint32_t slice;                    /* next training slice          */
    veil_rng_t rng;
    nn_model_t pool[2 * NN_MAX_LAYERS]; /* every stage's result         */
    double pool_acc[2 * NN_MAX_LAYERS];
    uint32_t npool;
} planner_t;

void nn_plan_opts_default(nn_plan_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->population = 4;
    o->generations = 3;
    o->images = 512;
    o->val_images = 1000;
    o->final_tries = 2;
    o->multi_degree = 1;
    o->mixed = 1;
    o->costs.r[NN_ACT_CONST] = 1.0;
    o->costs.r[NN_ACT_POLY2] = 0.99;
    o->costs.r[NN_ACT_POLY3] = 0.99;
    nn_train_opts_default(&o->train);
    o->train.lr = 1e-4f;
    o->train.schedule = NN_LR_CONSTANT;
    o->train.clip = 1.0f;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void logf_(planner_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(planner_t *p, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    if (p->o->log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    p->o->log(p->o->log_arg, line);
}

static double uniform01(planner_t *p)
{
    return (double)(veil_rng_u64(&p->rng) >> 11) * 0x1p-53;
}

static int random_beta(planner_t *p)
{
    static const int betas[3] = {0, 2, 3};
    return p->o->multi_degree ? betas[veil_rng_u64(&p->rng) % 3] : 2;
}

static double snap(double a)
{
    a = floor(a * 20 + 0.5) / 20; /* multiples of 0.05, as the paper */
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

/* Activations in ACT layers [g.lo, g.hi). */
static uint64_t group_neurons(const planner_t *p, const nn_model_t *m,
                              group_t g)
{
    uint64_t n = 0;
    for (uint32_t a = g.lo; a < g.hi; a++)
        n += nn_shape_size(m->layers[p->act[a]].in);
    return n;
}

static uint64_t group_replaced(const planner_t *p, const nn_model_t *m,
                               group_t g)
{
    uint64_t n = 0;
    for (uint32_t a = g.lo; a < g.hi; a++) {
        uint64_t r, q[4];
        nn_model_count_act(&r, q, m, p->act[a]);
        n += q[1] + q[2] + q[3];
    }
    return n;
}

static veil_status apply_plan(planner_t *p, worker_t *w, const group_t *g,
                              uint32_t ng, const nn_act_calib_t *cal)
{
    veil_status st;
    for (uint32_t k = 0; k < ng; k++)
        for (uint32_t a = g[k].lo; a < g[k].hi; a++)
            if ((st = nn_act_apply(&w->m, p->act[a], w->alpha[k], w->beta[k],
                                   cal)) != VEIL_OK)
                return st;
    return VEIL_OK;
}

/* Children must replace at least `need` activations together (Algorithm 1,
 * lines 6-7): raise the smaller alpha in steps of 0.05 until they do. */
static void enforce(planner_t *p, worker_t *w, const group_t *g, uint32_t ng,
                    uint64_t need)
{
    for (int guard = 0; guard < 200 && need > 0; guard++) {
        double tot = 0;
        uint32_t low = 0;
        for (uint32_t k = 0; k < ng; k++) {
            tot += w->alpha[k] * (double)group_neurons(p, &w->m, g[k]);
            if (w->alpha[k] < w->alpha[low])
                low = k;
        }
        if (tot + 0.5 >= (double)need || w->alpha[low] >= 1)
            return;
        w->alpha[low] = snap(w->alpha[low] + 0.05);
    }
}

static void scored(planner_t *p, worker_t *w, double acc)
{
    w->acc = acc;
    w->score = acc >= p->o->threshold ? nn_plan_score(acc, &w->m, &p->o->costs)
                                      : acc - 1.0;
}

/* Keep a copy of a candidate for the final fine-tune. */
static veil_status pool_add(planner_t *p, const nn_model_t *m, double acc)
{
    veil_status st;
    if (p->o->final_images == 0 || p->npool == 2 * NN_MAX_LAYERS)
        return VEIL_OK;
    if ((st = nn_model_copy(&p->pool[p->npool], m)) != VEIL_OK)
        return st;
    p->pool_acc[p->npool++] = acc;
    return VEIL_OK;
}

/* Fine-tune worker w on the next slice of the training set. */
static veil_status finetune(planner_t *p, worker_t *w, uint32_t tag)
{
    nn_train_opts_t t = p->o->train;
    nn_dataset_t v = *p->train;
    const uint32_t n =
        p->o->images < p->train->count ? p->o->images : p->train->count;
    const size_t isz =
        (size_t)nn_dataset_channels(p->train) * p->train->rows * p->train->cols;
    uint32_t start = p->slice;
    if (start + n > p->train->count)
        start = 0;
    p->slice = start + n;
    v.images = p->train->images + (size_t)start * isz;
    v.labels = p->train->labels + start;
    v.count = n;
    t.epochs = 1;
    t.finetune = 1;
    t.progress = NULL;
    t.checkpoint = NULL;
    t.resume = 0;
    t.stop_epoch = 0;
    for (int i = 0; i < 4; i++)
        t.seed[VEIL_SEED_BYTES - 4 + i] ^= (uint8_t)(tag >> (8 * i));
    return nn_train(&w->m, &v, NULL, &t);
}

static veil_status evaluate(planner_t *p, worker_t *w)
{
    double acc;
    veil_status st = nn_model_accuracy(&acc, &w->m, &p->valv);
    if (st == VEIL_OK)
        scored(p, w, acc);
    return st;
}

/* One PBT run over groups g[0..ng) from model `start`; the best worker's
 * model goes to *best (initialised here).  *complete = 0 if the deadline
 * cut its generations short. */
static veil_status pbt(nn_model_t *best, double *bacc, double *bscore,
                       int *complete, planner_t *p, const nn_model_t *start,
                       const group_t *g, uint32_t ng, uint64_t need)
{
    const nn_plan_opts_t *o = p->o;
    const uint32_t P = o->population, q = P / 4 > 0 ? P / 4 : 1;
    worker_t *w = calloc(P, sizeof(worker_t));
    nn_model_t xm; /* best score without the threshold so far */
    double xacc = 0, xpot = -INFINITY;
    uint32_t xgen = 0, xi = 0, lastgen = 0;
    nn_act_calib_t cal;
    uint32_t *rank = calloc(P, sizeof(uint32_t));
    veil_status st;

    *complete = 1;
    memset(&xm, 0, sizeof(xm));
    if (w == NULL || rank == NULL) {
        free(w);
        free(rank);
        return VEIL_ENOMEM;
    }
    /* each stage has its own generator and data slices, so that a resumed
     * plan continues exactly as an uninterrupted one */
    {
        uint8_t seed[VEIL_SEED_BYTES];
        memcpy(seed, o->seed, sizeof(seed));
        for (int i = 0; i < 4; i++)
            seed[i] ^= (uint8_t)(p->stage >> (8 * i));
        veil_rng_clear(&p->rng);
        veil_rng_init_seed(&p->rng, seed);
        p->slice =
            (uint32_t)(((uint64_t)p->stage * P * o->generations * o->images) %
                       p->train->count);
    }
    if ((st = nn_act_calibrate(&cal, start, p->train, 256)) != VEIL_OK)
        goto out;
    for (uint32_t i = 0; i < P; i++) {
        if ((st = nn_model_copy(&w[i].m, start)) != VEIL_OK)
            goto out;
        for (uint32_t k = 0; k < ng; k++) {
            double a0 = 0;
            int b0 = 2;
            /* worker 0 continues the start plan; the others explore */
            nn_act_plan_of(&a0, &b0, start, p->act[g[k].lo]);
            if (i == 0 && a0 > 0) {
                w[i].alpha[k] = snap(a0);
                w[i].beta[k] = o->multi_degree ? b0 : 2;
            } else {
                /* stratified: worker i draws from the ((i - 1 + k) mod
                 * (P - 1))-th of P - 1 equal slices of [a0, 1], so that a
                 * small population still spans the range */
                const double u =
                    ((double)((i - 1 + k) % (P - 1)) + uniform01(p)) /
                    (double)(P - 1);
                w[i].alpha[k] = snap(a0 + (1 - a0) * u);
                w[i].beta[k] = random_beta(p);
            }
        }
        enforce(p, &w[i], g, ng, need);
    }
    for (uint32_t gen = 0; gen < o->generations; gen++) {
        for (uint32_t i = 0; i < P; i++) {
            if ((st = apply_plan(p, &w[i], g, ng, &cal)) != VEIL_OK)
                goto out;
            st = finetune(p, &w[i], (p->stage << 16) ^ (gen << 8) ^ i);
            if (st == VEIL_ERANGE) { /* diverged: worst possible score */
                w[i].acc = 0;
                w[i].score = -2;
                continue;
            }
            if (st != VEIL_OK || (st = evaluate(p, &w[i])) != VEIL_OK)
                goto out;
            {
                uint64_t r, q[4];
                nn_model_count_act_total(&r, q, &w[i].m);
                logf_(p,
                      "stage %u gen %u worker %u: acc %.4f replaced %.2f%% "
                      "score-without-threshold %.6f",
                      p->stage, gen, i, w[i].acc,
                      100.0 * (double)(q[1] + q[2] + q[3]) /
                          (double)(r + q[1] + q[2] + q[3]),
                      nn_plan_score(w[i].acc, &w[i].m, &o->costs));
            }
        }
        /* rank by score, best first (stable: ties by index) */
        for (uint32_t i = 0; i < P; i++) {
            uint32_t at = i;
            while (at > 0 && w[rank[at - 1]].score < w[i].score) {
                rank[at] = rank[at - 1];
                at--;
            }
            rank[at] = i;
        }
        for (uint32_t k = 0; k < ng; k++)
            logf_(p,
                  "stage %u gen %u: best acc %.4f score %.4f group %u "
                  "alpha %.2f beta %d",
                  p->stage, gen, w[rank[0]].acc, w[rank[0]].score, k,
                  w[rank[0]].alpha[k], w[rank[0]].beta[k]);
        /* the worker with the best score of eq. 4 without the threshold
         * in any generation so far (a copy: exploit may overwrite it) */
        lastgen = gen;
        for (uint32_t i = 0; i < P; i++) {
            double pot;
            if (w[i].score <= -2)
                continue;
            pot = nn_plan_score(w[i].acc, &w[i].m, &o->costs);
            if (pot > xpot) {
                nn_model_clear(&xm);
                if ((st = nn_model_copy(&xm, &w[i].m)) != VEIL_OK)
                    goto out;
                xpot = pot;
                xacc = w[i].acc;
                xgen = gen;
                xi = i;
            }
        }
        if (gen + 1 == o->generations)
            break;
        if (o->deadline > 0 && wall() > o->deadline) {
            *complete = 0;
            break;
        }
        /* exploit: the worst q copy a random one of the best q; explore */
        for (uint32_t j = 0; j < q && P >= 2; j++) {
            worker_t *lo = &w[rank[P - 1 - j]];
            const worker_t *hi = &w[rank[veil_rng_u64(&p->rng) % q]];
            if (lo == hi)
                continue;
            nn_model_clear(&lo->m);
            if ((st = nn_model_copy(&lo->m, &hi->m)) != VEIL_OK)
                goto out;
            for (uint32_t k = 0; k < ng; k++) {
                static const double step[4] = {-0.1, -0.05, 0.05, 0.1};
                lo->alpha[k] =
                    snap(hi->alpha[k] + step[veil_rng_u64(&p->rng) % 4]);
                lo->beta[k] =
                    uniform01(p) < 0.25 ? random_beta(p) : hi->beta[k];
            }
            enforce(p, lo, g, ng, need);
        }
    }
    *bacc = w[rank[0]].acc;
    *bscore = w[rank[0]].score;
    /* the worker with the best score by eq. 4 without the threshold, in
     * whichever generation it had it, joins the candidates of the final
     * fine-tune too, unless it is the stage's result itself */
    if (xm.nlayers > 0 && !(xgen == lastgen && xi == rank[0])) {
        logf_(p,
              "stage %u: final candidate besides the best: gen %u worker "
              "%u, acc %.4f score-without-threshold %.6f",
              p->stage, xgen, xi, xacc, xpot);
        if ((st = pool_add(p, &xm, xacc)) != VEIL_OK)
            goto out;
    }
    st = nn_model_copy(best, &w[rank[0]].m);
out:
    nn_model_clear(&xm);
    nn_act_calib_clear(&cal);
    for (uint32_t i = 0; i < P; i++)
        nn_model_clear(&w[i].m);
    free(w);
    free(rank);
    p->stage++;
    return st;
}

/* Fine-tune m on the first o->final_images training images with a cosine
 * decay and measure it on the validation images. */
static veil_status final_tune(double *acc, planner_t *p, nn_model_t *m)
{
    nn_train_opts_t t = p->o->train;
    nn_dataset_t v = *p->train;
    veil_status st;
    if (v.count > p->o->final_images)
        v.count = p->o->final_images;
    t.epochs = 1;
    t.finetune = 1;
    t.schedule = NN_LR_COSINE;
    t.lr_min = t.lr / 100;
    t.progress = NULL;
    t.checkpoint = NULL;
    t.resume = 0;
    t.stop_epoch = 0;
    t.seed[VEIL_SEED_BYTES - 1] ^= 0xf1;
    if ((st = nn_train(m, &v, NULL, &t)) != VEIL_OK)
        return st;
    return nn_model_accuracy(acc, m, &p->valv);
}

/* A stage: PBT, or its saved result when resuming. */
static veil_status stage(nn_model_t *res, double *acc, double *score,
                         planner_t *p, const nn_model_t *start,
                         const group_t *g, uint32_t ng, uint64_t need)
{
    char path[4096], tpath[4096];
    veil_status st;
    FILE *f;
    const uint32_t k = p->stage;
    const uint32_t npool0 = p->npool;
    char xpath[4096];

    if (p->o->state_dir != NULL) {
        snprintf(path, sizeof(path), "%s/stage-%u.vmodel", p->o->state_dir, k);
        snprintf(xpath, sizeof(xpath), "%s/stage-%u-extra.vmodel",
                 p->o->state_dir, k);
        snprintf(tpath, sizeof(tpath), "%s/stage-%u.txt", p->o->state_dir, k);
        if ((f = fopen(tpath, "r")) != NULL) {
            double xacc = -1;
            int ok = fscanf(f, "%lf %lf", acc, score) == 2;
            if (ok && fscanf(f, "%lf", &xacc) != 1)
                xacc = -1;
            fclose(f);
            if (ok && nn_model_load(res, path) == VEIL_OK) {
                p->stage++;
                logf_(p, "stage %u: resumed (acc %.4f score %.4f)", k, *acc,
                      *score);
                /* the stage's final-fine-tune candidate besides its best,
                 * in the order pbt() added it */
                if (xacc >= 0 && p->o->final_images > 0) {
                    nn_model_t x;
                    if ((st = nn_model_load(&x, xpath)) != VEIL_OK) {
                        nn_model_clear(res);
                        return st;
                    }
                    st = pool_add(p, &x, xacc);
                    nn_model_clear(&x);
                    if (st != VEIL_OK) {
                        nn_model_clear(res);
                        return st;
                    }
                }
                return pool_add(p, res, *acc);
            }
        }
    }
    int complete;
    if ((st = pbt(res, acc, score, &complete, p, start, g, ng, need)) !=
        VEIL_OK)
        return st;
    /* a stage the deadline cut short is used but not saved: a rerun does
     * it in full */
    if (p->o->state_dir != NULL && complete) {
        const int extra = p->npool > npool0;
        if ((st = nn_model_save(path, res)) != VEIL_OK)
            return st;
        if (extra && (st = nn_model_save(xpath, &p->pool[npool0])) != VEIL_OK)
            return st;
        if ((f = fopen(tpath, "w")) == NULL)
            return VEIL_EIO;
        fprintf(f, "%.17g %.17g", *acc, *score);
        if (extra)
            fprintf(f, " %.17g", p->pool_acc[npool0]);
        fprintf(f, "\n");
        if (fclose(f) != 0)
            return VEIL_EIO;
    }
    return pool_add(p, res, *acc);
}

veil_status nn_plan_btpbt(nn_model_t *out, double *acc, double *score,
                          const nn_model_t *base, const nn_dataset_t *train,
                          const nn_dataset_t *val, const nn_plan_opts_t *o)
{
    planner_t p;
    nn_model_t cur, cand, best;
    double cacc, cscore, bacc = -1, bscore = -INFINITY;
    group_t nodes[2 * NN_MAX_LAYERS];
    uint32_t levels = 0;
    veil_status st;

    if (out == NULL)
        return VEIL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (acc == NULL || score == NULL || base == NULL || train == NULL ||
        val == NULL || o == NULL || o->population < 2 || o->generations == 0 ||
        o->images == 0 || o->val_images == 0 || train->count == 0 ||
        val->count == 0)
        return VEIL_EINVAL;
    memset(&p, 0, sizeof(p));
    p.o = o;
    p.train = train;
    p.val = val;
    p.valv = *val;
    if (p.valv.count > o->val_images)
        p.valv.count = o->val_images;
    for (uint32_t i = 0; i < base->nlayers; i++)
        if (base->layers[i].type == NN_LAYER_ACT)
            p.act[p.nact++] = i;
    if (p.nact == 0)
        return VEIL_EINVAL;
    veil_rng_init_seed(&p.rng, o->seed);
    memset(&best, 0, sizeof(best));
    if ((st = nn_model_copy(&cur, base)) != VEIL_OK)
        goto done;

    while ((1u << levels) < p.nact)
        levels++;
    /* root (Algorithm 1, line 3), or the single shared-alpha PBT */
    {
        group_t root = {0, p.nact};
        if ((st = stage(&cand, &cacc, &cscore, &p, &cur, &root, 1, 0)) !=
            VEIL_OK)
            goto done;
        nn_model_clear(&cur);
        cur = cand;
        if (cacc >= o->threshold && cscore > bscore) {
            nn_model_clear(&best);
            if ((st = nn_model_copy(&best, &cur)) != VEIL_OK)
                goto done;
            bacc = cacc;
            bscore = cscore;
        }
    }
    if (o->mixed) {
        /* levels of the tree: node sets by halving (lines 4-10) */
        uint32_t nn = 1;
        nodes[0].lo = 0;
        nodes[0].hi = p.nact;
        for (uint32_t i = 0; i + 1 < levels; i++) {
            group_t next[2 * NN_MAX_LAYERS];
            uint32_t nx = 0;
            for (uint32_t j = 0; j < nn; j++) {
                const group_t par = nodes[j];
                group_t ch[2];
                if (par.hi - par.lo < 2) {
                    next[nx++] = par;
                    continue;
                }
                ch[0].lo = par.lo;
                ch[0].hi = par.lo + (par.hi - par.lo + 1) / 2;
                ch[1].lo = ch[0].hi;
                ch[1].hi = par.hi;
                if (o->deadline == 0 || wall() < o->deadline) {
                    const uint64_t need = group_replaced(&p, &cur, par);
                    if ((st = stage(&cand, &cacc, &cscore, &p, &cur, ch, 2,
                                    need)) != VEIL_OK)
                        goto done;
                    nn_model_clear(&cur);
                    cur = cand;
                }
                next[nx++] = ch[0];
                next[nx++] = ch[1];
            }
            memcpy(nodes, next, nx * sizeof(group_t));
            nn = nx;
            if (cacc >= o->threshold && cscore > bscore) { /* lines 9-11 */
                nn_model_clear(&best);
                if ((st = nn_model_copy(&best, &cur)) != VEIL_OK)
                    goto done;
                bacc = cacc;
                bscore = cscore;
            }
        }
        /* line 12: global search over the leaves from the best candidate */
        if (o->deadline == 0 || wall() < o->deadline) {
            group_t leaves[NN_MAX_LAYERS];
            for (uint32_t a = 0; a < p.nact; a++) {
                leaves[a].lo = a;
                leaves[a].hi = a + 1;
            }
            if ((st = stage(&cand, &cacc, &cscore, &p,
                            best.nlayers ? &best : &cur, leaves, p.nact, 0)) !=
                VEIL_OK)
                goto done;
            if (cacc >= o->threshold && cscore > bscore) {
                nn_model_clear(&best);
                best = cand;
                bacc = cacc;
                bscore = cscore;
            } else {
                nn_model_clear(&cand);
            }
        }
    }
    if (p.npool > 0) { /* bounded: final_tries + 1 fine-tunes at most */
        /* Final fine-tune.  Our PBT stages are far shorter than the
         * paper's 20 epochs, so a stage's accuracy is that of a model
         * still recovering from its replacements.  The stage results are
         * taken in the order of their eq.-4 score without the threshold
         * (their replaced fraction): the first final_tries (at most)
         * get a longer fine-tune with the same plan, and the first that
         * meets the threshold after it, or else the best plan that met it
         * before (fine-tuned too if that keeps it above the threshold),
         * is the result: lines 9-11 with converged accuracies.  Besides
         * each stage's best, the candidates include each stage's worker
         * with the best score without the threshold.  The deadline does
         * not apply: this is at most final_tries + 1 fine-tunes. */
        uint32_t order[2 * NN_MAX_LAYERS], tried = 0;
        double pot[2 * NN_MAX_LAYERS];
        for (uint32_t i = 0; i < p.npool; i++) {
            uint32_t at = i;
            pot[i] = nn_plan_score(p.pool_acc[i], &p.pool[i], &o->costs);
            while (at > 0 && pot[order[at - 1]] < pot[i]) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = i;
        }
        for (uint32_t j = 0; j < p.npool; j++) {
            const uint32_t i = order[j];
            const int met = p.pool_acc[i] >= o->threshold;
            double facc = 0;
            if (tried >= o->final_tries && !(met && pot[i] >= bscore))
                continue;
            if ((st = nn_model_copy(&cand, &p.pool[i])) != VEIL_OK)
                goto done;
            st = final_tune(&facc, &p, &cand);
            tried++;
            if (st != VEIL_OK && st != VEIL_ERANGE) {
                nn_model_clear(&cand);
                goto done;
            }
            logf_(&p,
                  "final fine-tune of stage result %u (replaced-score %.4f) "
                  "on %u images: accuracy %.4f (before %.4f)",
                  i, pot[i], o->final_images, st == VEIL_OK ? facc : 0.0,
                  p.pool_acc[i]);
            if (st == VEIL_OK && facc >= o->threshold &&
                nn_plan_score(facc, &cand, &o->costs) > bscore) {
                nn_model_clear(&best);
                best = cand;
                bacc = facc;
                bscore = nn_plan_score(facc, &best, &o->costs);
                st = VEIL_OK;
                break;
            }
            nn_model_clear(&cand);
            st = VEIL_OK;
            if (met && pot[i] >= bscore) /* the best plan that met it */
                break;
        }
    }
    if (best.nlayers == 0) { /* nothing met the threshold */
        if ((st = nn_model_copy(out, base)) != VEIL_OK)
            goto done;
        st = nn_model_accuracy(acc, out, &p.valv);
        *score = *acc;
    } else {
        *out = best;
        memset(&best, 0, sizeof(best));
        *acc = bacc;
        *score = bscore;
    }
done:
    for (uint32_t i = 0; i < p.npool; i++)
        nn_model_clear(&p.pool[i]);
    nn_model_clear(&cur);
    nn_model_clear(&best);
    veil_rng_clear(&p.rng);
    return st;
}
