/*
 * lola/plan.c - the planner: kernels and BFV parameters for a quantized
 * network, chosen by predicted cost, and its report.
 *
 * 1. Bound.  nn_ranges_compute gives the worst-case magnitude B of every
 *    intermediate value; the plaintext modulus T = t_0 ... t_{k-1} must
 *    exceed 2B.  For k primes we take the window of k consecutive primes
 *    = 1 mod 2n with the smallest largest member (the noise of a component
 *    grows with its t).
 * 2. Candidates.  Every combination of kernels the variant allows (conv-plain
 *    or conv-scalar for the first convolution; diag (two block sizes),
 *    stacked or dense-row for each later linear layer), compiled for each
 *    ring degree n (lola_program_build; combinations that cannot be laid
 *    out are skipped).  The forced kernel string replaces the enumeration.
 * 3. Parameters.  For each candidate program and ciphertext modulus (L
 *    primes of at most 50 bits plus one special prime, up to the 128-bit
 *    bound for n), the fewest plaintext primes k whose size keeps the
 *    predicted budget (bfv_estimate.h, with the largest t_i) above the
 *    margin after the last step.
 * 4. Cost.  k times the operation counts of one component weighted by the
 *    measured costs for n (lola_costs_t), scaled to L primes: key
 *    switches by L (L + 1), everything else by L.  The cheapest plan wins
 *    (ties: fewer Galois keys, then the earlier candidate).
 *    4b. With o->levels (the server evaluates at levels), the winning
 *    kernels' (L, k) are ranked again by their cost at the levels that
 *    keep the margin (primes_at_levels).
 * 5. Bytes (objective LOLA_OPT_BYTES).  The wire bytes per query, keys
 *    amortized over o->queries: keys / queries + query + answer, from the
 *    candidate's parameters (the bit-packed key and ciphertext sizes of
 *    bfv_serial.h), its Galois key count and its message counts
 *    (wire_bytes); the fewest bytes win (ties: the cheaper plan).  The
 *    CONV variant is then also tried with the DENSE input.  The chosen
 *    plan's report carries the exact sizes (lola_bytes_predict).
 */
#include "internal.h"
#include "veil/bfv_estimate.h"
#include "veil/bfv_serial.h"
#include "veil/lola_wire.h"
#include <flint/fmpz.h>
#include <flint/ulong_extras.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- costs */

static size_t max_total_bits(size_t n, bfv_security_t sec, int insecure)
{
    size_t b = bfv_security_max_bits(n, sec);
    if (insecure && b < 218)
        b = 218; /* tests: the n = 8192 budget at any degree */
    return b;
}

/* Ciphertext primes of the largest set at n with primes of at most
 * NTT_MAX_PRIME_BITS bits (one special prime). */
static size_t max_l(size_t n, bfv_security_t sec, int insecure)
{
    const size_t bits = max_total_bits(n, sec, insecure);
    return bits == 0 ? 0
                     : (bits + NTT_MAX_PRIME_BITS - 1) / NTT_MAX_PRIME_BITS - 1;
}

/* The planner also tries up to this many more, smaller, primes: a little
 * more of the budget for Q (the special prime shrinks with them) at a
 * higher cost per key switch. */
#define EXTRA_L 3

/* The parameter set with L ciphertext primes and one special prime at n:
 * log2(QP) = min(security bound, (L + 1) * 50 bits), spread over the L + 1
 * primes with sizes differing by at most one bit, the special prime the
 * largest (t a placeholder). */
static veil_status params_for(bfv_params_t *p, size_t n, size_t L,
                              const lola_options_t *o)
{
    size_t bits = (L + 1) * NTT_MAX_PRIME_BITS;
    const size_t maxb = max_total_bits(n, o->security, o->allow_insecure);
    unsigned qb[BFV_MAX_Q], pb[1];
    uint64_t t;
    veil_status s;
    if (bits > maxb)
        bits = maxb;
    if (L == 0 || L > BFV_MAX_Q || bits / (L + 1) < NTT_MIN_PRIME_BITS ||
        bits / (L + 1) <= lola_clog2(2 * n))
        return VEIL_EPARAM;
    for (size_t i = 0; i < L; i++)
        qb[i] = (unsigned)(bits / (L + 1) + (i + 1 < bits % (L + 1)));
    pb[0] = (unsigned)(bits / (L + 1) + (bits % (L + 1) != 0));
    s = ntt_primes_generate(
        &t, 1, 20 > lola_clog2(2 * n) + 2 ? 20 : lola_clog2(2 * n) + 2, n, NULL,
        0);
    if (s != VEIL_OK)
        return s;
    s = bfv_params_from_bits(p, n, qb, L, pb, 1, t, o->security);
    p->allow_insecure = o->allow_insecure;
    return s;
}

/* Costs for (n, L) from a measured set at (c->n, its planner L). */
static void costs_at(lola_costs_t *out, const lola_costs_t *c, size_t n,
                     size_t L, const lola_options_t *o)
{
    const double lm = (double)max_l(c->n, o->security, 0) > 0
                          ? (double)max_l(c->n, o->security, 0)
                          : 1.0;
    const double nf =
        ((double)n * log2((double)n)) / ((double)c->n * log2((double)c->n));
    const double lin = nf * (double)L / lm;
    const double ks = nf * (double)L * (double)(L + 1) / (lm * (lm + 1));
    out->n = n;
    out->rot = c->rot * ks;
    out->hoist_prep = c->hoist_prep * ks;
    out->hoist_rot = c->hoist_rot * ks;
    out->relin = c->relin * ks;
    out->mul_plain = c->mul_plain * lin;
    out->mul_scalar = c->mul_scalar * lin;
    out->add = c->add * lin;
    out->add_plain = c->add_plain * lin;
    out->square = c->square * lin;
}

static double step_cost(const lola_counts_t *k, const lola_costs_t *c)
{
    return (double)k->rot * c->rot + (double)k->hoist_prep * c->hoist_prep +
           (double)k->hoist_rot * c->hoist_rot +
           (double)k->mul_plain * c->mul_plain +
           (double)k->mul_scalar * c->mul_scalar + (double)k->add * c->add +
           (double)k->add_plain * c->add_plain + (double)k->square * c->square +
           (double)k->relin * c->relin;
}

/* ------------------------------------------------------------- bytes */

/* Bytes of n coefficients of each of the moduli m[0..count): bit-packed,
 * bitlen(m - 1) bits each (bfv_serial.h). */
static double rows_bytes(size_t n, const uint64_t *m, size_t count)
{
    double b = 0;
    for (size_t i = 0; i < count; i++)
        b += (double)(n / 8) * (64 - __builtin_clzll(m[i] - 1));
    return b;
}

/* Predicted wire bytes per query of a candidate (objective BYTES): keys
 * (one set: relinearization key, gal Galois keys and the public key, each
 * key-switching key ceil(L / K) digits of L + K rows and a seed, bfv_serial
 * framing) divided by the queries, the query (k nin seeded ciphertexts:
 * one polynomial at Q and a seed) and the answer (k nout ciphertexts
 * switched to one limb and compressed: about log2 t + 3 and log2 t +
 * log2 n + 3 bits per coefficient, bfv_ms_compress_bits; ring-switched
 * when `ringsw` (lola_layout_ringsw and bfv_ringsw_params): n/2
 * coefficients, about as many bits each (the key switch's noise costs
 * about the bit the smaller ring saves: bfv_ringsw_compress_bits), and
 * one more key (lola_ringsw_key_bytes)).  A ranking estimate; the
 * report's sizes are exact (lola_bytes_predict). */
static double wire_bytes(const bfv_params_t *p, size_t k, size_t gal,
                         size_t nin, size_t nout, size_t queries, int ringsw)
{
    const double frame = BFV_SERIAL_HEADER_BYTES + BFV_SERIAL_CHECKSUM_BYTES;
    const double n = (double)p->n;
    const size_t digits = (p->n_q + p->n_p - 1) / p->n_p;
    const double q = rows_bytes(p->n, p->q, p->n_q);
    const double ksk =
        32 + (double)digits * (q + rows_bytes(p->n, p->p, p->n_p));
    const double keys =
        16 + (frame + ksk) + (frame + 4 + (double)gal * (8 + ksk)) +
        (frame + q + 32) + (ringsw ? (double)lola_ringsw_key_bytes(p) : 0);
    const double query = 16 + (double)(k * nin) * (frame + 4 + q + 32);
    const double tb = log2((double)p->t);
    const double na = ringsw ? n / 2 : n;
    const double answer =
        16 +
        (double)(k * nout) * (frame + 16 + na / 8 * (2 * tb + 6 + log2(n)));
    return keys / (double)(queries ? queries : 1) + query + answer;
}

/* ------------------------------------------------------------- noise */

/* Predicted budgets of the program for parameters p (t = the largest
 * plaintext prime): after[i] = smallest over the outputs of step i (if
 * after != NULL); returns the budget after the last step (-1e9 when the
 * estimator refuses p).  wmax[l]: largest |weight| of model layer l. */
/* The modulus switch of a ciphertext *x from the estimator *from to *to,
 * the first primes of from's (bfv_mod_switch): the relative noise is kept
 * and the rounding adds t rho, rho = r_0 + r_1 s with r_k uniform in
 * [-1/2, 1/2] (variance 1/12) and s ternary (variance 2/3): rms(rho) =
 * sqrt((1 + 2n/3) / 12) (bfv.h, "Modulus switching").  Size-3 ciphertexts
 * are not switched: returns 0 then, 1 on success. */
static int est_switch(bfv_est_t *x, const bfv_estimator_t *from,
                      const bfv_estimator_t *to, size_t n)
{
    const double rho =
        log2(from->t) + 0.5 * log2((1.0 + 2.0 * (double)n / 3.0) / 12.0);
    double a;
    if (x->size != 2)
        return 0;
    a = x->log2_rms + to->log2_q - from->log2_q;
    /* log2(2^a + 2^rho) without overflow */
    x->log2_rms = a > rho ? a + log2(1.0 + exp2(rho - a))
                          : rho + log2(1.0 + exp2(a - rho));
    return 1;
}

/* *el = the estimator of the first `limbs` primes of p; 0 if refused. */
static int est_level(bfv_estimator_t *el, const bfv_params_t *p, size_t limbs)
{
    bfv_params_t pl = *p;
    pl.n_q = limbs;
    return limbs > 0 && limbs <= p->n_q && bfv_est_init(el, &pl) == VEIL_OK;
}

/* est_switch of every ciphertext of cur[0..ncur) from *e to `limbs`
 * primes of p, *e replaced; 0 when a switch or the estimator is refused. */
static int chain_switch(bfv_estimator_t *e, bfv_est_t *cur, size_t ncur,
                        const bfv_params_t *p, size_t limbs)
{
    bfv_estimator_t el;
    if (limbs >= p->n_q)
        return limbs == p->n_q;
    if (!est_level(&el, p, limbs))
        return 0;
    for (size_t i = 0; i < ncur; i++)
        if (!est_switch(&cur[i], e, &el, p->n))
            return 0;
    *e = el;
    return 1;
}

/* As chain_budget_levels with every step at the full modulus. */
static double chain_budget_levels(double *after, double *fresh,
                                  const lola_prog_t *prog,
                                  const bfv_params_t *p, const int64_t *wmax,
                                  const uint8_t *limbs);

static double chain_budget(double *after, double *fresh,
                           const lola_prog_t *prog, const bfv_params_t *p,
                           const int64_t *wmax)
{
    return chain_budget_levels(after, fresh, prog, p, wmax, NULL);
}

/* Predicted budgets with step i run at limbs[i] ciphertext primes (the
 * first limbs[i] of p; non-increasing; NULL: all at p->n_q): the inputs of
 * step i are switched down first (chain_switch), or, for a step with folds
 * before a lower level, each output after its terms, its folds and bias
 * then at that level (lola_step_out_limbs).  -1e9 when a switch is
 * impossible. */
static double chain_budget_levels(double *after, double *fresh,
                                  const lola_prog_t *prog,
                                  const bfv_params_t *p, const int64_t *wmax,
                                  const uint8_t *limbs)
{
    bfv_estimator_t e;
    bfv_est_t *cur = NULL, *nxt = NULL, x, grp, acc, r;
    size_t ncur, level;
    double last = -1e9;

    if (bfv_est_init(&e, p) != VEIL_OK)
        return -1e9;
    level = p->n_q;
    ncur = prog->input.nct;
    cur = malloc((ncur + 1) * sizeof(*cur));
    if (cur == NULL)
        return -1e9;
    for (size_t i = 0; i < ncur; i++) /* the client encrypts with sk */
        bfv_est_encrypt_symmetric(&cur[i], &e);
    if (fresh != NULL)
        *fresh = bfv_est_budget_real(&e, &cur[0]);
    for (size_t si = 0; si < prog->nsteps; si++) {
        const lola_step_t *st = &prog->steps[si];
        const double half_t = (double)p->t / 2;
        const double wm = st->layer >= 0 ? (double)wmax[st->layer] : half_t;
        double worst = 1e9;
        if (limbs != NULL && limbs[si] != level) {
            if (limbs[si] > level ||
                !chain_switch(&e, cur, ncur, p, limbs[si])) {
                free(cur);
                return -1e9;
            }
            level = limbs[si];
        }
        const size_t lo =
            limbs != NULL
                ? lola_step_out_limbs(prog->steps, prog->nsteps, limbs, si)
                : level;
        bfv_estimator_t eo = e; /* the outputs' level */
        nxt = malloc((st->nout + 1) * sizeof(*nxt));
        if (nxt == NULL || (lo != level && !est_level(&eo, p, lo))) {
            free(nxt);
            free(cur);
            return -1e9;
        }
        for (size_t o = 0; o < st->nout; o++) {
            if (st->kind == LOLA_STEP_SQUARE) {
                bfv_est_square(&nxt[o], &e, &cur[o]);
                if (st->relin)
                    bfv_est_relinearize(&nxt[o], &e, &nxt[o]);
            } else if (st->kind == LOLA_STEP_RELIN) {
                bfv_est_relinearize(&nxt[o], &e, &cur[o]);
            } else {
                const lola_output_t *op = &st->out[o];
                int have_acc = 0;
                for (size_t i = 0; i < op->nterms;) {
                    const lola_rot_t g = op->terms[i].giant;
                    int have = 0;
                    for (; i < op->nterms && op->terms[i].giant == g; i++) {
                        const lola_term_t *t = &op->terms[i];
                        x = cur[t->input];
                        if (t->baby)
                            bfv_est_rotate(&x, &e, &x, 1);
                        if (t->kind == LOLA_COEF_PLAIN)
                            bfv_est_mul_plain(&x, &e, &x, half_t);
                        else if (t->kind == LOLA_COEF_SCALAR)
                            bfv_est_mul_scalar(&x, &e, &x, wm);
                        if (have)
                            bfv_est_add(&grp, &e, &grp, &x);
                        else
                            grp = x;
                        have = 1;
                    }
                    if (g)
                        bfv_est_rotate(&grp, &e, &grp, 1);
                    if (have_acc)
                        bfv_est_add(&acc, &e, &acc, &grp);
                    else
                        acc = grp;
                    have_acc = 1;
                }
                if (!have_acc) { /* no term: an exact zero */
                    acc.log2_rms = -INFINITY;
                    acc.size = 2;
                }
                if (lo != level && !est_switch(&acc, &e, &eo, p->n)) {
                    free(nxt);
                    free(cur);
                    return -1e9;
                }
                /* a ciphertext and its rotation: independent noises
                 * (bfv_estimate.h) */
                for (size_t f = 0; f < op->nfold; f++) {
                    bfv_est_rotate(&r, &eo, &acc, 1);
                    bfv_est_add_independent(&acc, &eo, &acc, &r);
                }
                if (op->bias >= 0)
                    bfv_est_add_plain(&acc, &eo, &acc);
                nxt[o] = acc;
            }
            const double b = bfv_est_budget_real(&eo, &nxt[o]);
            if (b < worst)
                worst = b;
        }
        free(cur);
        cur = nxt;
        ncur = st->nout;
        e = eo;
        level = lo;
        if (after != NULL)
            after[si] = worst;
        last = worst;
    }
    free(cur);
    return last;
}

/* ------------------------------------------------------------- levels */

/* 1 if step st does work whose cost grows with the number of limbs enough
 * to pay for a modulus switch of its inputs: key switches or squares. */
static int step_heavy(const lola_step_t *st)
{
    const lola_counts_t *c = &st->counts;
    return c->rot + c->hoist_prep + c->hoist_rot + c->square + c->relin > 0;
}

/* The levels of prog for p (t the largest plaintext prime): limbs[i] for
 * step i, greedily step by step the fewest that keep the final prediction
 * at `keep` bits, the plan's margin (within one bit of the unswitched one
 * if that is less, or keep is 0), at least 2 limbs; one special prime
 * only: a level's keys are then the full keys' rows of its primes and of
 * P, lola/levels.c.  Returns the final prediction with them; limbs has
 * prog->nsteps entries.  -1e9 when out of memory.  (Keeping the
 * unswitched prediction instead left the 2-prime MNIST plan 46 bits above
 * its margin, at 7 7 6 5 4 primes where 7 6 5 4 3 keep it: 110 ms against
 * 81 ms on one thread.) */
static double levels_for(uint8_t *limbs, const lola_prog_t *prog,
                         const bfv_params_t *p, const int64_t *wmax,
                         unsigned keep)
{
    uint8_t *trial;
    double base, floor_bits;
    for (size_t i = 0; i < prog->nsteps; i++)
        limbs[i] = (uint8_t)p->n_q;
    base = chain_budget_levels(NULL, NULL, prog, p, wmax, NULL);
    floor_bits =
        keep > 0 && (double)keep < base - 1.0 ? (double)keep : base - 1.0;
    if (p->n_p != 1 || p->n_q < 3 || p->n_q > 255 || prog->nsteps == 0)
        return base;
    trial = malloc(prog->nsteps);
    if (trial == NULL)
        return -1e9;
    for (size_t si = 0; si < prog->nsteps; si++) {
        if (!step_heavy(&prog->steps[si]))
            continue;
        for (size_t l = 2; l < limbs[si]; l++) {
            memcpy(trial, limbs, prog->nsteps);
            for (size_t j = si; j < prog->nsteps; j++)
                trial[j] = (uint8_t)l;
            if (chain_budget_levels(NULL, NULL, prog, p, wmax, trial) >=
                floor_bits) {
                memcpy(limbs, trial, prog->nsteps);
                break;
            }
        }
    }
    free(trial);
    return chain_budget_levels(NULL, NULL, prog, p, wmax, limbs);
}

veil_status lola_levels_choose(uint8_t *limbs, double *final,
                               const lola_setup_t *su, const nn_qmodel_t *q)
{
    lola_prog_t prog;
    bfv_params_t p;
    int64_t wmax[NN_MAX_LAYERS];

    if (limbs == NULL || final == NULL || su == NULL || q == NULL ||
        su->nsteps == 0 || su->ncomp == 0 || q->nlayers > NN_MAX_LAYERS)
        return VEIL_EINVAL;
    p = su->spec.params[0];
    for (size_t i = 1; i < su->ncomp; i++)
        if (su->spec.params[i].t > p.t)
            p.t = su->spec.params[i].t; /* the noisiest component */
    for (uint32_t i = 0; i < q->nlayers; i++)
        wmax[i] = q->layers[i].type == NN_LAYER_AVGPOOL ? 1 : q->layers[i].wmax;
    prog.nsteps = su->nsteps;
    prog.steps = su->steps;
    prog.input = *su->input;
    *final = levels_for(limbs, &prog, &p, wmax, su->spec.margin);
    return *final > -1e8 ? VEIL_OK : VEIL_ENOMEM;
}

/* The answer of prog's outputs (lola_server_answer: mask, re-randomize,
 * flood, switch, ring switch), per component, at the key-switch cost of
 * *at: about three key switches per output message (measured on one
 * thread: 1.1 ms per message for lola-small, n = 8192 at 4 primes; 2.6 ms
 * for lola, n = 16384 at 4 primes).  0 unless o->answer. */
static double answer_cost(const lola_prog_t *prog, const lola_costs_t *at,
                          const lola_options_t *o)
{
    if (!o->answer || prog->nsteps == 0)
        return 0;
    return 3.0 * (double)prog->steps[prog->nsteps - 1].nout * at->rot;
}

/* The predicted time of one component of prog at (n, L) with step i at
 * limbs[i] primes (NULL: all at L), plus the switches between levels (a
 * switch of a message from l primes costs about 2 l NTTs, a hoisted
 * decomposition about l (l + 1): 2 / (l + 1) of one); the folds of a step
 * whose outputs end lower (lola_step_out_limbs) at that level. */
static double prog_cost(const lola_prog_t *prog, const lola_costs_t *base,
                        size_t n, size_t L, const uint8_t *limbs,
                        const lola_options_t *o)
{
    double cost = 0;
    size_t level = L;
    lola_costs_t at;
    costs_at(&at, base, n, L, o);
    for (size_t i = 0; i < prog->nsteps; i++) {
        const lola_step_t *st = &prog->steps[i];
        const size_t l = limbs != NULL ? limbs[i] : L;
        const size_t lo =
            limbs != NULL
                ? lola_step_out_limbs(prog->steps, prog->nsteps, limbs, i)
                : L;
        if (l != level) {
            const size_t m = i == 0 ? prog->input.nct : prog->steps[i - 1].nout;
            costs_at(&at, base, n, level, o);
            cost += (double)m * 2.0 * at.hoist_prep / (double)(level + 1);
            costs_at(&at, base, n, l, o);
            level = l;
        }
        cost += step_cost(&st->counts, &at);
        if (i + 1 == prog->nsteps)
            cost += answer_cost(prog, &at, o);
        if (lo != l) { /* the outputs switched, their folds at lo */
            double folds = 0;
            for (size_t j = 0; j < st->nout; j++)
                folds += (double)st->out[j].nfold;
            cost += (double)st->nout * 2.0 * at.hoist_prep / (double)(l + 1) -
                    folds * at.rot;
            costs_at(&at, base, n, lo, o);
            cost += folds * at.rot;
            level = lo;
        }
    }
    return cost;
}

/* ------------------------------------------------------------- search */

typedef struct {
    const nn_qmodel_t *q;
    const lola_options_t *o;
    fmpz_t bound;
    int64_t wmax[NN_MAX_LAYERS];
    lola_variant_t variant; /* the input representation being tried      */
    /* the best plan so far */
    int found;
    double cost, bytes;
    size_t galois;
    lola_spec_t best;
    size_t candidates;
    int by_levels; /* rank (L, k) by the cost at levels (levels_for) */
} search_t;

static size_t count_galois(const lola_prog_t *p)
{
    size_t cap = 0, k = 0;
    uint64_t *elts;
    for (size_t i = 0; i < p->nsteps; i++)
        if (p->steps[i].kind == LOLA_STEP_LINEAR)
            for (size_t o = 0; o < p->steps[i].nout; o++)
                cap += 2 * p->steps[i].out[o].nterms + p->steps[i].out[o].nfold;
    elts = malloc((cap + 1) * sizeof(uint64_t));
    if (elts == NULL)
        return SIZE_MAX;
    for (size_t i = 0; i < p->nsteps; i++)
        lola_step_galois(elts, &k, &p->steps[i]);
    free(elts);
    return k;
}

/* 1 if p (= 1 mod 2n) may be a plaintext prime. */
static int usable_prime(uint64_t p, const uint64_t *exclude, size_t nex)
{
    if (p < ((uint64_t)1 << NTT_MIN_PRIME_BITS) ||
        p >= ((uint64_t)1 << NTT_MAX_PRIME_BITS) || !n_is_prime(p))
        return 0;
    for (size_t i = 0; i < nex; i++)
        if (exclude[i] == p)
            return 0;
    return 1;
}

/* The k plaintext primes (= 1 mod 2n, of NTT_MIN_PRIME_BITS to
 * NTT_MAX_PRIME_BITS bits, not in exclude) whose product exceeds 2 bound
 * with the smallest largest prime, written to t[0..k) largest first; 0 if
 * none.  The best set is k consecutive such primes, and its largest is at
 * least the k-th root of 2 bound (the "mean"): so it lies among the k
 * primes below and the k primes above the mean. */
static int choose_primes(uint64_t *t, size_t k, const fmpz_t bound, size_t n,
                         const uint64_t *exclude, size_t nex)
{
    const uint64_t m = 2 * (uint64_t)n, top = (uint64_t)1 << NTT_MAX_PRIME_BITS;
    uint64_t a[2 * LOLA_MAX_PRIMES], mean, p;
    size_t below = 0, total;
    fmpz_t need, prod, root;
    int ok = 0;

    fmpz_init(need);
    fmpz_init(prod);
    fmpz_init(root);
    fmpz_mul_ui(need, bound, 2);
    fmpz_root(root, need, (slong)k);
    mean = fmpz_cmp_ui(root, top) >= 0 ? top : fmpz_get_ui(root);
    /* k primes below the mean, descending (stored from the middle down) */
    for (p = (mean / m) * m + 1; p > m && p > mean; p -= m)
        ;
    for (; p > m && below < k && p >= ((uint64_t)1 << NTT_MIN_PRIME_BITS);
         p -= m)
        if (usable_prime(p, exclude, nex))
            a[k - 1 - below++] = p;
    memmove(a, a + k - below, below * sizeof(uint64_t));
    total = below;
    /* k primes above it, ascending */
    for (p = (mean / m) * m + 1; p <= mean; p += m)
        ;
    for (; p < top && total < below + k; p += m)
        if (usable_prime(p, exclude, nex))
            a[total++] = p;
    /* the first window of k consecutive primes that is large enough */
    for (size_t s = 0; s + k <= total && !ok; s++) {
        fmpz_one(prod);
        for (size_t i = 0; i < k; i++)
            fmpz_mul_ui(prod, prod, a[s + i]);
        if (fmpz_cmp(prod, need) > 0) {
            ok = 1;
            for (size_t i = 0; i < k; i++)
                t[i] = a[s + k - 1 - i];
        }
    }
    fmpz_clear(need);
    fmpz_clear(prod);
    fmpz_clear(root);
    return ok;
}

/* The fewest plaintext primes that keep the budget for (prog, base): k and
 * t[0..k) or 0. */
static size_t fewest_primes(uint64_t *t, const lola_prog_t *prog,
                            const bfv_params_t *base, const search_t *sr)
{
    uint64_t exclude[BFV_MAX_Q + BFV_MAX_P];
    size_t nex = 0;
    for (size_t i = 0; i < base->n_q; i++)
        exclude[nex++] = base->q[i];
    for (size_t i = 0; i < base->n_p; i++)
        exclude[nex++] = base->p[i];
    for (size_t k = sr->o->primes ? sr->o->primes : 1;
         k <= (sr->o->primes ? sr->o->primes : LOLA_MAX_PRIMES); k++) {
        uint64_t cand[LOLA_MAX_PRIMES];
        bfv_params_t p = *base;
        if (!choose_primes(cand, k, sr->bound, base->n, exclude, nex))
            continue;
        p.t = cand[0]; /* the largest: the noisiest component */
        if (chain_budget(NULL, NULL, prog, &p, sr->wmax) >= sr->o->margin) {
            memcpy(t, cand, k * sizeof(uint64_t));
            return k;
        }
    }
    return 0;
}

/* A candidate's results: for each ciphertext prime count L it can use,
 * the plaintext primes and the predicted cost and bytes (what try_candidate
 * ranks), computed without touching the search's state. */
typedef struct {
    size_t L, k;
    uint64_t t[LOLA_MAX_PRIMES];
    double cost, bytes;
} cand_row_t;

typedef struct {
    int built; /* the kernels could be laid out at n */
    size_t galois;
    size_t nrows;
    cand_row_t rows[BFV_MAX_Q + EXTRA_L];
} cand_t;

/* The spec of a candidate before its parameters. */
static veil_status cand_spec(lola_spec_t *spec, const search_t *sr,
                             lola_variant_t variant, const char *kernels,
                             size_t n)
{
    veil_status s;
    memset(spec, 0, sizeof(*spec));
    s = lola_spec_from_model(spec, sr->q);
    if (s != VEIL_OK)
        return s;
    spec->variant = variant;
    spec->batch =
        variant == LOLA_VARIANT_SIMD ? (sr->o->batch ? sr->o->batch : n) : 1;
    snprintf(spec->kernels, sizeof(spec->kernels), "%s", kernels);
    return VEIL_OK;
}

/* Steps 3-5 for one kernel string at ring degree n: compile it, then for
 * each L the fewest plaintext primes and the cost (and bytes).  Reads sr
 * and writes only c, so candidates are evaluated in parallel. */
static veil_status cand_eval(cand_t *c, const search_t *sr,
                             lola_variant_t variant, const char *kernels,
                             size_t n)
{
    lola_spec_t spec;
    lola_prog_t prog;
    lola_costs_t base, at;
    lola_counts_t tot;
    veil_status s;

    memset(c, 0, offsetof(cand_t, rows));
    s = cand_spec(&spec, sr, variant, kernels, n);
    if (s != VEIL_OK || spec.batch > n)
        return s;
    s = lola_program_build(&prog, &spec, n);
    if (s == VEIL_EINVAL)
        return VEIL_OK; /* this combination cannot be laid out at n */
    if (s != VEIL_OK)
        return s;
    c->built = 1;
    memset(&tot, 0, sizeof(tot));
    for (size_t i = 0; i < prog.nsteps; i++) {
        const lola_counts_t *k = &prog.steps[i].counts;
        tot.rot += k->rot;
        tot.hoist_prep += k->hoist_prep;
        tot.hoist_rot += k->hoist_rot;
        tot.mul_plain += k->mul_plain;
        tot.mul_scalar += k->mul_scalar;
        tot.add += k->add;
        tot.add_plain += k->add_plain;
        tot.square += k->square;
        tot.relin += k->relin;
    }
    c->galois = count_galois(&prog);
    if (sr->o->costs != NULL)
        base = *sr->o->costs;
    else
        s = lola_costs_default(&base, n);
    for (size_t L = 1;
         s == VEIL_OK &&
         L <= max_l(n, sr->o->security, sr->o->allow_insecure) + EXTRA_L &&
         c->nrows < sizeof(c->rows) / sizeof(c->rows[0]);
         L++) {
        cand_row_t *r = &c->rows[c->nrows];
        bfv_params_t p;
        if (params_for(&p, n, L, sr->o) != VEIL_OK)
            continue;
        r->k = fewest_primes(r->t, &prog, &p, sr);
        if (r->k == 0)
            continue;
        p.t = r->t[0]; /* the largest: the noisiest component */
        r->L = L;
        r->bytes = 0;
        if (sr->by_levels) {
            uint8_t *limbs = malloc(prog.nsteps + 1);
            if (limbs == NULL ||
                levels_for(limbs, &prog, &p, sr->wmax, sr->o->margin) < -1e8) {
                free(limbs);
                s = VEIL_ENOMEM;
                break;
            }
            r->cost =
                (double)r->k * prog_cost(&prog, &base, n, L, limbs, sr->o);
            free(limbs);
        } else {
            /* ranked at the full modulus across kernels: costing each
             * step at its level picked kernels that ran slower (the
             * L (L + 1) scaling of costs_at overstates the saving at few
             * primes: 584 ms against 382 ms for lola-dense); the
             * winner's primes are then ranked at levels (lola_plan) */
            costs_at(&at, &base, n, L, sr->o);
            r->cost = (double)r->k *
                      (step_cost(&tot, &at) + answer_cost(&prog, &at, sr->o));
        }
        if (sr->o->optimize == LOLA_OPT_BYTES) {
            bfv_params_t sp;
            r->bytes = wire_bytes(
                &p, r->k, c->galois, prog.input.nct,
                prog.nsteps ? prog.steps[prog.nsteps - 1].nout : 0,
                sr->o->queries,
                prog.nsteps &&
                    lola_layout_ringsw(&prog.steps[prog.nsteps - 1].layout) &&
                    bfv_ringsw_params(&sp, &p) == VEIL_OK);
        }
        c->nrows++;
    }
    lola_program_clear(&prog);
    return s;
}

/* Rank an evaluated candidate against the best so far, (L, k) in order:
 * the cheapest wins (ties: fewer Galois keys, then the earlier one), or
 * under LOLA_OPT_BYTES the fewest bytes (ties: the cheaper). */
static veil_status cand_merge(search_t *sr, const cand_t *c,
                              lola_variant_t variant, const char *kernels,
                              size_t n)
{
    if (!c->built)
        return VEIL_OK;
    sr->candidates++;
    for (size_t i = 0; i < c->nrows; i++) {
        const cand_row_t *r = &c->rows[i];
        bfv_params_t p;
        veil_status s;
        if (sr->o->optimize == LOLA_OPT_BYTES) {
            if (sr->found && (r->bytes > sr->bytes ||
                              (r->bytes == sr->bytes && r->cost >= sr->cost)))
                continue;
        } else if (sr->found &&
                   (r->cost > sr->cost ||
                    (r->cost == sr->cost && c->galois >= sr->galois))) {
            continue;
        }
        if ((s = cand_spec(&sr->best, sr, variant, kernels, n)) != VEIL_OK ||
            (s = params_for(&p, n, r->L, sr->o)) != VEIL_OK)
            return s;
        sr->found = 1;
        sr->bytes = r->bytes;
        sr->cost = r->cost;
        sr->galois = c->galois;
        sr->best.nprimes = r->k;
        sr->best.margin = sr->o->margin;
        for (size_t j = 0; j < r->k; j++) {
            sr->best.params[j] = p;
            sr->best.params[j].t = r->t[j];
        }
    }
    return VEIL_OK;
}

/* Evaluate one candidate kernel string at ring degree n and rank it. */
static veil_status try_candidate(search_t *sr, const char *kernels, size_t n)
{
    cand_t *c = malloc(sizeof(*c));
    veil_status s =
        c == NULL ? VEIL_ENOMEM : cand_eval(c, sr, sr->variant, kernels, n);
    if (s == VEIL_OK)
        s = cand_merge(sr, c, sr->variant, kernels, n);
    free(c);
    return s;
}

/* Enumerate the kernel strings of the variant for q's linear layers,
 * evaluate them in parallel (each compiles its own program) and rank them
 * in enumeration order, so the plan does not depend on the threads. */
static veil_status enumerate(search_t *sr, size_t n)
{
    static const char *first[] = {"conv-plain", "conv-scalar"};
    static const char *later[] = {"diag", "diag2", "stacked", "dense-row"};
    size_t lin[NN_MAX_LAYERS], nlin = 0, idx[NN_MAX_LAYERS] = {0};
    size_t count = 0, cap = 0;
    char(*list)[LOLA_KERNELS_MAX] = NULL;
    cand_t *res;
    veil_status *st;
    const nn_qmodel_t *q = sr->q;
    veil_status s = VEIL_OK;
    int dense_first;

    for (uint32_t i = 0; i < q->nlayers; i++)
        if (lola_layer_linear(q->layers[i].type))
            lin[nlin++] = i;
    if (nlin == 0)
        return VEIL_EUNSUPPORTED;
    /* a dense first layer (DENSE variant) takes the later kernels */
    dense_first = q->layers[lin[0]].type == NN_LAYER_DENSE;
    if (sr->variant == LOLA_VARIANT_SIMD) {
        char buf[LOLA_KERNELS_MAX] = "";
        for (size_t i = 0; i < nlin; i++)
            strcat(buf, i ? ",simd" : "simd");
        return try_candidate(sr, buf, n);
    }
    for (int more = 1; more;) {
        size_t used = 0;
        if (count == cap) {
            void *grown = realloc(list, (cap = 2 * cap + 16) * sizeof(*list));
            if (grown == NULL) {
                free(list);
                return VEIL_ENOMEM;
            }
            list = grown;
        }
        for (size_t i = 0; i < nlin; i++) {
            const char *name =
                i == 0 && !dense_first ? first[idx[0]] : later[idx[i]];
            char item[48];
            if (strcmp(name, "diag2") == 0) {
                /* diag with twice the smallest block */
                size_t r = nn_shape_size(q->layers[lin[i]].out), b = 1;
                while (b < r)
                    b *= 2;
                snprintf(item, sizeof(item), "diag:%zu", 2 * b);
            } else {
                snprintf(item, sizeof(item), "%s", name);
            }
            used +=
                (size_t)snprintf(list[count] + used, sizeof(list[count]) - used,
                                 "%s%s", i ? "," : "", item);
        }
        count++;
        /* next combination (odometer) */
        size_t i = 0;
        for (; i < nlin; i++) {
            const size_t lim = i == 0 && !dense_first ? 2 : 4;
            if (++idx[i] < lim)
                break;
            idx[i] = 0;
        }
        more = i < nlin;
    }
    res = malloc(count * sizeof(*res));
    st = malloc(count * sizeof(*st));
    if (res == NULL || st == NULL) {
        free(list);
        free(res);
        free(st);
        return VEIL_ENOMEM;
    }
#pragma omp parallel for num_threads(veil_team()) schedule(dynamic, 1)
    for (size_t i = 0; i < count; i++)
        st[i] = cand_eval(&res[i], sr, sr->variant, list[i], n);
    for (size_t i = 0; i < count && s == VEIL_OK; i++)
        s = st[i] != VEIL_OK ? st[i]
                             : cand_merge(sr, &res[i], sr->variant, list[i], n);
    free(list);
    free(res);
    free(st);
    return s;
}

static veil_status search_init(search_t *sr, const nn_qmodel_t *q,
                               const lola_options_t *o)
{
    nn_ranges_t r;
    veil_status s;
    memset(sr, 0, sizeof(*sr));
    sr->q = q;
    sr->o = o;
    sr->variant = o->variant;
    fmpz_init(sr->bound);
    s = nn_ranges_compute(&r, q, 0, q->in_max);
    if (s != VEIL_OK)
        return s;
    fmpz_set(sr->bound, r.maxabs);
    nn_ranges_clear(&r);
    for (uint32_t i = 0; i < q->nlayers; i++)
        sr->wmax[i] =
            q->layers[i].type == NN_LAYER_AVGPOOL ? 1 : q->layers[i].wmax;
    return VEIL_OK;
}

/* The exact bytes of the chosen plan (lola_bytes_predict): what they
 * need of a setup is its contexts, message counts and Galois key count,
 * which the report has; the program itself is not compiled again. */
static veil_status report_bytes(lola_report_t *rep, const lola_spec_t *spec)
{
    lola_setup_t *su = calloc(1, sizeof(*su));
    lola_bytes_t b;
    veil_status s = su == NULL ? VEIL_ENOMEM : VEIL_OK;
    size_t c = 0;
    for (; s == VEIL_OK && c < spec->nprimes; c++)
        s = bfv_context_init(&su->ctx[c], &spec->params[c]);
    if (s != VEIL_OK && c > 0)
        c--; /* the failed one needs no clearing */
    if (s == VEIL_OK) {
        su->ncomp = spec->nprimes;
        su->in_nct = rep->input_messages;
        su->out_nct = rep->output_messages;
        su->ngalois = rep->ngalois;
        su->ringsw = rep->answer_ringsw; /* sub contexts built as needed */
        s = lola_bytes_predict(&b, su, rep->steps[rep->nsteps - 1].budget);
    }
    if (s == VEIL_OK) {
        rep->bytes_keys = b.keys;
        rep->bytes_query = b.query;
        rep->bytes_answer = b.answer;
    }
    if (su != NULL)
        for (size_t i = 0; i < c; i++)
            bfv_context_clear(&su->ctx[i]);
    free(su);
    return s;
}

/* Step 4b: the winning kernels' ciphertext and plaintext primes again,
 * ranked by the cost at the levels the server evaluates at (levels_for,
 * keeping the margin).  Fewer plaintext primes need a larger Q, whose
 * surplus the levels shed: for MNIST lola, 2 primes at 7 6 5 4 3 limbs
 * (81-85 ms on one thread) beat 3 at 5 5 4 4 3 (97-98 ms). */
static veil_status primes_at_levels(search_t *sr)
{
    const lola_spec_t keep = sr->best;
    const size_t candidates = sr->candidates;
    char kernels[LOLA_KERNELS_MAX];
    veil_status s;
    memcpy(kernels, keep.kernels, sizeof(kernels));
    sr->found = 0;
    sr->by_levels = 1;
    sr->variant = keep.variant;
    s = try_candidate(sr, kernels, keep.params[0].n);
    sr->by_levels = 0;
    sr->candidates = candidates;
    if (!sr->found) {
        sr->best = keep;
        sr->found = 1;
    }
    return s;
}

veil_status lola_plan(lola_spec_t *spec, lola_report_t *rep,
                      const nn_qmodel_t *q, const lola_options_t *opt)
{
    search_t sr;
    veil_status s;
    size_t nmin = 4096, nmax = 32768;

    if (spec == NULL || q == NULL || opt == NULL || q->nlayers == 0 ||
        opt->primes > LOLA_MAX_PRIMES || opt->variant > LOLA_VARIANT_SIMD ||
        opt->optimize > LOLA_OPT_BYTES)
        return VEIL_EINVAL;
    memset(spec, 0, sizeof(*spec));
    if (opt->kernels != NULL && opt->kernels[0] != '\0') {
        lola_kchoice_t k[NN_MAX_LAYERS];
        size_t nk, nlin = 0;
        for (uint32_t i = 0; i < q->nlayers; i++)
            nlin += lola_layer_linear(q->layers[i].type);
        if (lola_kernels_parse(k, &nk, NN_MAX_LAYERS, opt->kernels) !=
                VEIL_OK ||
            nk != nlin)
            return VEIL_EINVAL;
    }
    if (opt->n != 0) {
        if (!lola_pow2(opt->n) || opt->n < ((size_t)1 << NTT_MIN_LOGN) ||
            opt->n > ((size_t)1 << NTT_MAX_LOGN))
            return VEIL_EINVAL;
        nmin = nmax = opt->n;
    }
    for (uint32_t i = 0; i < q->nlayers; i++)
        if (!lola_layer_linear(q->layers[i].type) &&
            q->layers[i].type != NN_LAYER_SQUARE)
            return VEIL_EUNSUPPORTED;
    s = search_init(&sr, q, opt);
    for (size_t n = nmin; n <= nmax && s == VEIL_OK; n *= 2) {
        if (sr.found && n > 2 * sr.best.params[0].n)
            break; /* larger rings only get slower */
        /* under BYTES, CONV also tries the one-message DENSE input */
        const int nvar =
            opt->optimize == LOLA_OPT_BYTES && opt->variant == LOLA_VARIANT_CONV
                ? 2
                : 1;
        for (int v = 0; v < nvar && s == VEIL_OK; v++) {
            sr.variant = v == 0 ? opt->variant : LOLA_VARIANT_DENSE;
            if (opt->kernels != NULL && opt->kernels[0] != '\0')
                s = try_candidate(&sr, opt->kernels, n);
            else
                s = enumerate(&sr, n);
        }
    }
    if (s == VEIL_OK && !sr.found)
        s = VEIL_EPARAM;
    if (s == VEIL_OK && opt->levels && opt->optimize == LOLA_OPT_LATENCY)
        s = primes_at_levels(&sr);
    if (s == VEIL_OK) {
        /* canonical kernel string */
        lola_kchoice_t k[NN_MAX_LAYERS];
        size_t nk;
        *spec = sr.best;
        if (lola_kernels_parse(k, &nk, NN_MAX_LAYERS, spec->kernels) == VEIL_OK)
            lola_kernels_format(spec->kernels, sizeof(spec->kernels), k, nk);
        if (rep != NULL)
            s = lola_predict(rep, spec, q, opt->costs);
        if (rep != NULL && s == VEIL_OK)
            rep->candidates = sr.candidates;
        if (rep != NULL && s == VEIL_OK && rep->nsteps > 0)
            s = report_bytes(rep, spec);
    }
    fmpz_clear(sr.bound);
    return s;
}

/* ------------------------------------------------------------- report */

static int rot_cmp(const void *a, const void *b)
{
    const lola_rot_t x = *(const lola_rot_t *)a, y = *(const lola_rot_t *)b;
    return x < y ? -1 : x > y;
}

static void add_rot(lola_report_t *rep, size_t *k, lola_rot_t r)
{
    if (r == 0)
        return;
    for (size_t i = 0; i < *k; i++)
        if (rep->rots[i] == r)
            return;
    if (*k < LOLA_REPORT_ROTS)
        rep->rots[(*k)++] = r;
}

/* The distinct slot moves of the program (one Galois key each). */
static void collect_rots(lola_report_t *rep, const lola_prog_t *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        const lola_step_t *st = &p->steps[i];
        if (st->kind != LOLA_STEP_LINEAR)
            continue;
        for (size_t o = 0; o < st->nout; o++) {
            /* Horner's rule: the giant base only (lola_step_galois) */
            const lola_rot_t base = lola_output_giant_base(&st->out[o], st->n);
            add_rot(rep, &k, base);
            for (size_t j = 0; j < st->out[o].nterms; j++) {
                add_rot(rep, &k, st->out[o].terms[j].baby);
                if (base == 0)
                    add_rot(rep, &k, st->out[o].terms[j].giant);
            }
            for (size_t f = 0; f < st->out[o].nfold; f++)
                add_rot(rep, &k, st->out[o].fold[f]);
        }
    }
    qsort(rep->rots, k, sizeof(lola_rot_t), rot_cmp);
}

veil_status lola_predict(lola_report_t *rep, const lola_spec_t *spec,
                         const nn_qmodel_t *q, const lola_costs_t *costs)
{
    lola_options_t o;
    lola_prog_t prog;
    lola_costs_t base, at;
    double after[LOLA_REPORT_STEPS];
    search_t sr;
    bfv_params_t p;
    fmpz_t T;
    veil_status s;

    if (rep == NULL || spec == NULL || q == NULL || spec->nprimes == 0 ||
        spec->nprimes > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    memset(rep, 0, sizeof(*rep));
    lola_options_default(&o);
    o.security = spec->params[0].security;
    s = search_init(&sr, q, &o);
    if (s == VEIL_OK)
        s = lola_program_build(&prog, spec, spec->params[0].n);
    if (s != VEIL_OK) {
        fmpz_clear(sr.bound);
        return s;
    }
    if (prog.nsteps > LOLA_REPORT_STEPS) {
        lola_program_clear(&prog);
        fmpz_clear(sr.bound);
        return VEIL_EINVAL;
    }
    rep->bound_bits = (uint32_t)fmpz_bits(sr.bound) + 1;
    rep->nprimes = spec->nprimes;
    p = spec->params[0];
    fmpz_init_set_ui(T, 1);
    for (size_t i = 0; i < spec->nprimes; i++) {
        rep->primes[i] = spec->params[i].t;
        fmpz_mul_ui(T, T, spec->params[i].t);
        if (spec->params[i].t > p.t)
            p.t = spec->params[i].t;
    }
    fmpz_clear(T);
    rep->n = p.n;
    rep->log_qp = bfv_params_log_qp(&p);
    chain_budget(after, &rep->fresh_budget, &prog, &p, sr.wmax);
    {
        bfv_estimator_t e;
        if (bfv_est_init(&e, &p) == VEIL_OK)
            rep->log_q = (unsigned)floor(e.log2_q);
    }
    if (costs != NULL)
        base = *costs;
    else
        s = lola_costs_default(&base, p.n);
    costs_at(&at, &base, p.n, p.n_q, &o);
    rep->nsteps = prog.nsteps;
    for (size_t i = 0; i < prog.nsteps && s == VEIL_OK; i++) {
        const lola_step_t *st = &prog.steps[i];
        lola_report_step_t *r = &rep->steps[i];
        r->kernel = st->kernel;
        r->layer = st->layer;
        r->rep = st->layout.rep;
        r->nout = st->nout;
        r->counts = st->counts;
        r->cost_us = step_cost(&st->counts, &at);
        r->budget = after[i];
        rep->cost_us += r->cost_us * (double)spec->nprimes;
    }
    if (s == VEIL_OK) {
        rep->budget_levels =
            levels_for(rep->limbs, &prog, &p, sr.wmax, spec->margin);
        rep->cost_levels_us =
            (double)spec->nprimes *
            prog_cost(&prog, &base, p.n, p.n_q, rep->limbs, &o);
    }
    rep->ngalois = count_galois(&prog);
    collect_rots(rep, &prog);
    rep->input_messages = prog.input.nct;
    rep->output_messages = prog.nsteps ? prog.steps[prog.nsteps - 1].nout : 0;
    {
        bfv_params_t sp;
        rep->answer_ringsw =
            prog.nsteps &&
            lola_layout_ringsw(&prog.steps[prog.nsteps - 1].layout) &&
            bfv_ringsw_params(&sp, &spec->params[0]) == VEIL_OK;
    }
    lola_program_clear(&prog);
    fmpz_clear(sr.bound);
    return s;
}

void lola_report_format(char *buf, size_t len, const lola_report_t *rep,
                        const lola_spec_t *spec, const int *measured)
{
    size_t used = 0;
#define OUT(...)                                                               \
    do {                                                                       \
        int w_ = snprintf(used < len ? buf + used : NULL,                      \
                          used < len ? len - used : 0, __VA_ARGS__);           \
        if (w_ > 0)                                                            \
            used += (size_t)w_;                                                \
    } while (0)
    if (len > 0)
        buf[0] = '\0';
    if (rep == NULL || spec == NULL)
        return;
    OUT("plan: %s, kernels %s\n", lola_variant_name(spec->variant),
        spec->kernels);
    OUT("  values need %u bits (2 x worst-case |intermediate|); %zu "
        "plaintext prime%s:",
        rep->bound_bits, rep->nprimes, rep->nprimes == 1 ? "" : "s");
    for (size_t i = 0; i < rep->nprimes; i++)
        OUT(" %llu", (unsigned long long)rep->primes[i]);
    OUT("\n  n = %zu, log2 q = %u (%zu primes), log2 qp = %u; %zu Galois "
        "key%s; %zu message%s in, %zu out\n",
        rep->n, rep->log_q, spec->params[0].n_q, rep->log_qp, rep->ngalois,
        rep->ngalois == 1 ? "" : "s", rep->input_messages,
        rep->input_messages == 1 ? "" : "s", rep->output_messages);
    OUT("  fresh budget %.1f bits (predicted)\n", rep->fresh_budget);
    OUT("  %-4s %-11s %-5s %-11s %4s %5s %5s %6s %6s %5s %9s %8s%s\n", "step",
        "kernel", "layer", "output", "msgs", "rot", "hoist", "mplain", "mscal",
        "sq", "time/ms", "budget", measured ? " measured" : "");
    for (size_t i = 0; i < rep->nsteps; i++) {
        const lola_report_step_t *r = &rep->steps[i];
        char layer[16] = "-";
        if (r->layer >= 0)
            snprintf(layer, sizeof(layer), "%d", (int)r->layer);
        OUT("  %-4zu %-11s %-5s %-11s %4zu %5zu %5zu %6zu %6zu %5zu %9.2f "
            "%8.1f",
            i, r->kernel, layer, lola_rep_name(r->rep), r->nout, r->counts.rot,
            r->counts.hoist_rot, r->counts.mul_plain, r->counts.mul_scalar,
            r->counts.square, r->cost_us * (double)rep->nprimes / 1000.0,
            r->budget);
        if (measured != NULL && measured[i] >= 0)
            OUT(" %8d", measured[i]);
        OUT("\n");
    }
    OUT("  predicted server time %.1f ms on one thread (%zu components); "
        "%zu candidate plans considered\n",
        rep->cost_us / 1000.0, rep->nprimes, rep->candidates);
    if (rep->nsteps > 0 && rep->limbs[rep->nsteps - 1] != 0 &&
        rep->limbs[rep->nsteps - 1] < spec->params[0].n_q) {
        OUT("  at levels (ciphertext primes per step:");
        for (size_t i = 0; i < rep->nsteps; i++)
            OUT(" %u", (unsigned)rep->limbs[i]);
        OUT("): budget %.1f at the end, %.1f ms\n", rep->budget_levels,
            rep->cost_levels_us / 1000.0);
    }
    if (rep->ngalois > 0) {
        const size_t h = rep->n / 2;
        OUT("  Galois keys for the slot moves (shift, s = with row swap):");
        for (size_t i = 0; i < rep->ngalois && i < LOLA_REPORT_ROTS; i++)
            OUT(" %zu%s", (size_t)(rep->rots[i] % h),
                rep->rots[i] / h ? "s" : "");
        OUT("\n");
    }
#undef OUT
}

const char *lola_objective_name(lola_objective_t o)
{
    return o == LOLA_OPT_LATENCY ? "latency"
           : o == LOLA_OPT_BYTES ? "bytes"
                                 : "?";
}

veil_status lola_objective_parse(lola_objective_t *o, const char *name)
{
    if (o == NULL || name == NULL)
        return VEIL_EINVAL;
    if (strcmp(name, "latency") == 0)
        *o = LOLA_OPT_LATENCY;
    else if (strcmp(name, "bytes") == 0)
        *o = LOLA_OPT_BYTES;
    else
        return VEIL_EINVAL;
    return VEIL_OK;
}
