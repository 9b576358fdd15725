/*
 * lola/exec.c - running a compiled step on the ciphertexts of one
 * component (lola_kernels.h, "executing a step").  A LINEAR step first makes
 * every baby-step rotation of every input it needs, one hoisted decomposition
 * per input (bfv_hoisted_prepare) and one cheap bfv_hoisted_apply_galois per
 * rotation; then each output multiplies and accumulates its terms group by
 * group, rotates each group by its giant step, folds and adds its bias.
 * Products are accumulated in place with the NTT-domain vector kernels
 * (ntt_vec_muladd for plaintexts, ntt_vec_mul_scalar + ntt_vec_add for
 * integers), avoiding a temporary ciphertext per term.
 *
 * Threads: the baby rotations of an input, and the outputs, run in parallel
 * (OpenMP, dynamic schedule, one job per rotation or output) unless the
 * caller is already inside a parallel region (the server parallelises over
 * components); the BFV operations inside a job run serially (team_begin). Every
 * output is computed by the same sequence of operations whatever the thread
 * count, so results are identical.
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "internal.h"

/* The threads lola's own loops of a step may use: 1 inside a parallel
 * region (the server runs components in parallel) or for small rings,
 * else veil_team() (the OpenMP thread count less the processors other
 * tasks are using now).  While a step runs with a team of more than
 * one, the calling thread's thread count is set to 1 (team_begin), so that
 * the BFV operations inside the jobs run serially instead of opening their
 * own limb-level teams: those regions are short (tens of microseconds at
 * n = 8192), and with passive waiting every one of them pays a wake-up of
 * the sleeping partner, or with a static split waits for a descheduled
 * one.  Measured: the 4096 -> 101 head took 15.2 ms on 2 threads against
 * 11.4 ms on 1 with them (doc/benchmarks.md). */
static int team_begin(size_t n, int *size)
{
#ifdef _OPENMP
    int t;
    *size = 1;
    if (omp_in_parallel() || n < LOLA_PARALLEL_MIN_N)
        return 1;
    t = omp_get_max_threads();
    *size = veil_team(); /* the free processors, at most t */
    if (t > 1)
        omp_set_num_threads(1);
    return t;
#else
    (void)n;
    *size = 1;
    return 1;
#endif
}

static void team_end(int team)
{
#ifdef _OPENMP
    if (team > 1)
        omp_set_num_threads(team);
#else
    (void)team;
#endif
}

/* c mod q for a centred c. */
static inline uint64_t residue(int64_t c, uint64_t q)
{
    if (c >= 0)
        return (uint64_t)c % q;
    uint64_t r = (uint64_t)(-(c + 1)) % q; /* -(c+1) >= 0, no overflow */
    return q - 1 - r;
}

/* acc += coef * x (or acc = coef * x when !*have).  tmp: n words; pb:
 * scratch for a streamed plaintext. */
static veil_status mac(bfv_ciphertext_t *acc, int *have,
                       const bfv_ciphertext_t *x, const lola_term_t *t,
                       const lola_coefs_t *c, uint64_t *tmp,
                       bfv_ciphertext_t *scratch, lola_plainbuf_t *pb)
{
    const bfv_context_t *ctx = c->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    const bfv_plaintext_ntt_t *pt = NULL;
    veil_status s;

    if (t->kind == LOLA_COEF_PLAIN) {
        s = lola_coefs_plain(&pt, c, t->coef, pb);
        if (s != VEIL_OK)
            return s;
    }

    if (!*have || acc->size != x->size) {
        bfv_ciphertext_t *dst = *have ? scratch : acc;
        switch (t->kind) {
        case LOLA_COEF_ONE:
            s = bfv_ciphertext_copy(dst, x);
            break;
        case LOLA_COEF_SCALAR:
            s = bfv_mul_scalar(dst, x, c->scalars[t->coef]);
            break;
        default:
            s = bfv_mul_plain(dst, x, pt);
            break;
        }
        if (s == VEIL_OK && *have)
            s = bfv_add(acc, acc, scratch);
        *have = 1;
        acc->seeded = 0;
        return s;
    }
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t q = pl->q;
        size_t k = 0;
        if (t->kind == LOLA_COEF_PLAIN) { /* rows 0 and 1 in one pass */
            ntt_vec_muladd2(pl, bfv_ct_row(acc, 0, i), bfv_ct_row(acc, 1, i),
                            bfv_ct_row(x, 0, i), bfv_ct_row(x, 1, i),
                            pt->data + i * n);
            k = 2;
        }
        for (; k < x->size; k++) {
            uint64_t *a = bfv_ct_row(acc, k, i);
            const uint64_t *xr = bfv_ct_row(x, k, i);
            switch (t->kind) {
            case LOLA_COEF_ONE:
                ntt_vec_add(pl, a, a, xr);
                continue;
            case LOLA_COEF_SCALAR:
                ntt_vec_mul_scalar(pl, tmp, xr,
                                   residue(c->scalars[t->coef], q));
                break;
            default: /* fused multiply-add: one pass */
                ntt_vec_muladd(pl, a, xr, pt->data + i * n);
                continue;
            }
            ntt_vec_add(pl, a, a, tmp);
        }
    }
    acc->seeded = 0;
    return VEIL_OK;
}

typedef struct {
    size_t count;
    uint64_t *key;        /* input << 32 | baby, sorted */
    bfv_ciphertext_t *ct; /* the rotated inputs          */
} babies_t;

static int key_cmp(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void babies_clear(babies_t *b)
{
    if (b->ct != NULL)
        for (size_t i = 0; i < b->count; i++)
            bfv_ciphertext_clear(&b->ct[i]);
    free(b->ct);
    free(b->key);
    memset(b, 0, sizeof(*b));
}

static const bfv_ciphertext_t *baby_find(const babies_t *b, uint32_t input,
                                         lola_rot_t r)
{
    const uint64_t key = (uint64_t)input << 32 | r;
    const uint64_t *f =
        bsearch(&key, b->key, b->count, sizeof(uint64_t), key_cmp);
    return f ? &b->ct[f - b->key] : NULL;
}

/* Every distinct (input, baby != 0): one decomposition per input. */
static veil_status babies_make(babies_t *b, const lola_step_t *st,
                               const bfv_context_t *ctx,
                               const bfv_ciphertext_t *in,
                               const bfv_galois_keys_t *gk, int team)
{
    size_t total = 0;
    veil_status s = VEIL_OK;

    memset(b, 0, sizeof(*b));
    for (size_t o = 0; o < st->nout; o++)
        for (size_t i = 0; i < st->out[o].nterms; i++)
            total += st->out[o].terms[i].baby != 0;
    if (total == 0)
        return VEIL_OK;
    b->key = malloc(total * sizeof(uint64_t));
    if (b->key == NULL)
        return VEIL_ENOMEM;
    for (size_t o = 0; o < st->nout; o++)
        for (size_t i = 0; i < st->out[o].nterms; i++) {
            const lola_term_t *t = &st->out[o].terms[i];
            if (t->baby != 0)
                b->key[b->count++] = (uint64_t)t->input << 32 | t->baby;
        }
    qsort(b->key, b->count, sizeof(uint64_t), key_cmp);
    total = 0;
    for (size_t i = 0; i < b->count; i++)
        if (i == 0 || b->key[i] != b->key[i - 1])
            b->key[total++] = b->key[i];
    b->count = total;
    b->ct = calloc(total, sizeof(bfv_ciphertext_t));
    if (b->ct == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < total && s == VEIL_OK; i++)
        s = bfv_ciphertext_init(&b->ct[i], ctx);
    if (gk == NULL && s == VEIL_OK)
        s = VEIL_ENOKEY;
    for (size_t first = 0; first < total && s == VEIL_OK;) {
        const uint32_t input = (uint32_t)(b->key[first] >> 32);
        size_t last = first;
        bfv_hoisted_t h;
        while (last < total && (uint32_t)(b->key[last] >> 32) == input)
            last++;
        if (input >= st->nin) {
            s = VEIL_EINVAL;
            break;
        }
        s = bfv_hoisted_init(&h, ctx);
        if (s == VEIL_OK)
            s = bfv_hoisted_prepare(&h, &in[input]);
        if (s == VEIL_OK) {
            veil_status err = VEIL_OK;
#pragma omp parallel for schedule(dynamic)                                     \
    num_threads(team) if (team > 1 && last - first > 1)
            for (size_t i = first; i < last; i++) {
                const lola_rot_t r = (lola_rot_t)(b->key[i] & 0xffffffffu);
                veil_status e = bfv_hoisted_apply_galois(
                    &b->ct[i], &h, lola_rot_galois(ctx->n, r), gk);
                if (e != VEIL_OK) {
#pragma omp critical(lola_exec_err)
                    err = e;
                }
            }
            s = err;
        }
        bfv_hoisted_clear(&h);
        first = last;
    }
    return s;
}

/* The sum of the terms of group [first, last) of output op into *grp
 * (*have set when anything was added). */
static veil_status run_group(bfv_ciphertext_t *grp, int *have,
                             const lola_step_t *st, const lola_output_t *op,
                             size_t first, size_t last, const lola_coefs_t *c,
                             const bfv_ciphertext_t *in, const babies_t *bb,
                             uint64_t *buf, bfv_ciphertext_t *tmp,
                             lola_plainbuf_t *pb)
{
    veil_status s = VEIL_OK;
    *have = 0;
    for (size_t i = first; i < last && s == VEIL_OK; i++) {
        const lola_term_t *t = &op->terms[i];
        const bfv_ciphertext_t *x =
            t->baby ? baby_find(bb, t->input, t->baby) : &in[t->input];
        if (x == NULL || t->input >= st->nin)
            return VEIL_EINVAL;
        s = mac(grp, have, x, t, c, buf, tmp, pb);
    }
    return s;
}

/* Whether output op can accumulate its rotations lazily (bfv_rotsum_t):
 * it rotates something (its folds only when `folds`) and every input is of
 * size 2. */
static int lazy_ok(const lola_step_t *st, const lola_output_t *op,
                   const bfv_ciphertext_t *in, lola_rot_t base, int folds)
{
    int rotates = base != 0 || (folds && op->nfold > 0);
    for (size_t i = 0; i < op->nterms; i++) {
        if (op->terms[i].input >= st->nin || in[op->terms[i].input].size != 2)
            return 0;
        rotates |= op->terms[i].giant != 0;
    }
    return rotates;
}

/* run_output with its rotations summed lazily: c_0 stays in the extended
 * basis from the first giant step to the last fold and is divided by P
 * once (bfv_rotsum_t, doc/06 "Sums of rotations"); the same rotations and
 * keys as the eager path below, and the same message. */
static veil_status run_output_lazy(
    bfv_ciphertext_t *acc, const lola_step_t *st, const lola_output_t *op,
    lola_rot_t base, const size_t *starts, size_t ngroups,
    const lola_coefs_t *c, const bfv_ciphertext_t *in, const babies_t *bb,
    const bfv_galois_keys_t *gk, int folds, uint64_t *buf,
    bfv_ciphertext_t *grp, bfv_ciphertext_t *tmp, lola_plainbuf_t *pb)
{
    const bfv_context_t *ctx = c->ctx;
    bfv_rotsum_t r;
    veil_status s = bfv_rotsum_init(&r, ctx);
    if (base != 0) {
        /* Horner: groups in decreasing k = giant / base */
        const uint64_t elt = lola_rot_galois(ctx->n, base);
        size_t cur = 0; /* k of what r holds */
        int have_r = 0;
        for (size_t gi = ngroups; gi-- > 0 && s == VEIL_OK;) {
            const size_t k = op->terms[starts[gi]].giant / base;
            int have;
            s = run_group(grp, &have, st, op, starts[gi], starts[gi + 1], c, in,
                          bb, buf, tmp, pb);
            for (; s == VEIL_OK && have_r && cur > k; cur--)
                s = bfv_rotsum_apply_galois(&r, elt, gk);
            if (s != VEIL_OK || !have)
                continue;
            s = bfv_rotsum_add(&r, grp);
            if (!have_r)
                cur = k;
            have_r = 1;
        }
        for (; s == VEIL_OK && have_r && cur > 0; cur--)
            s = bfv_rotsum_apply_galois(&r, elt, gk);
    }
    for (size_t gi = 0; base == 0 && gi < ngroups && s == VEIL_OK; gi++) {
        const lola_rot_t g = op->terms[starts[gi]].giant;
        int have;
        s = run_group(grp, &have, st, op, starts[gi], starts[gi + 1], c, in, bb,
                      buf, tmp, pb);
        if (s == VEIL_OK && have)
            s = bfv_rotsum_add_galois(&r, grp, lola_rot_galois(ctx->n, g), gk);
    }
    for (size_t f = 0; folds && f < op->nfold && s == VEIL_OK; f++)
        s = bfv_rotsum_fold(&r, lola_rot_galois(ctx->n, op->fold[f]), gk);
    if (s == VEIL_OK)
        s = bfv_rotsum_finish(acc, &r);
    bfv_rotsum_clear(&r);
    return s;
}

/* ct += its rotations by op's folds, one after the other (each adds the
 * sum so far, rotated), summed lazily in ct's context with gk, ct's keys. */
static veil_status fold_lazy(bfv_ciphertext_t *ct, const lola_output_t *op,
                             const bfv_galois_keys_t *gk)
{
    bfv_rotsum_t r;
    veil_status s = gk == NULL ? VEIL_ENOKEY : bfv_rotsum_init(&r, ct->ctx);
    if (s != VEIL_OK)
        return s;
    s = bfv_rotsum_add(&r, ct);
    for (size_t f = 0; f < op->nfold && s == VEIL_OK; f++)
        s = bfv_rotsum_fold(&r, lola_rot_galois(ct->ctx->n, op->fold[f]), gk);
    if (s == VEIL_OK)
        s = bfv_rotsum_finish(ct, &r);
    bfv_rotsum_clear(&r);
    return s;
}

/* One output of a LINEAR step into *out.  Giant groups are rotated one by
 * one (sum_g rot_g(group_g)), or, when the giants are the multiples 1..K
 * of one rotation b (lola_output_giant_base), by Horner's rule from the
 * last group down, acc = rot_b(acc) + group_k: the same K rotations with
 * one Galois key instead of K.  When *out is of a level below c->ctx
 * (`down`), the sum of the groups is switched to it (lola_ct_switch) and
 * the folds (with ogk, that level's keys) and the bias follow there. */
static veil_status run_output(bfv_ciphertext_t *out, const lola_step_t *st,
                              size_t o, const lola_coefs_t *c,
                              const bfv_ciphertext_t *in, const babies_t *bb,
                              const bfv_galois_keys_t *gk,
                              const bfv_galois_keys_t *ogk)
{
    const bfv_context_t *ctx = c->ctx;
    const int down = out->ctx != ctx;
    const lola_output_t *op = &st->out[o];
    lola_rot_t base = lola_output_giant_base(op, ctx->n);
    bfv_ciphertext_t acc, grp, tmp;
    lola_plainbuf_t pb;
    uint64_t *buf = malloc(ctx->n * sizeof(uint64_t));
    size_t *starts = malloc((op->nterms + 1) * sizeof(size_t)), ngroups = 0;
    int have_acc = 0, lazy = 0;
    veil_status s;

    memset(&acc, 0, sizeof(acc));
    memset(&grp, 0, sizeof(grp));
    memset(&tmp, 0, sizeof(tmp));
    memset(&pb, 0, sizeof(pb));
    s = buf == NULL || starts == NULL ? VEIL_ENOMEM
                                      : bfv_ciphertext_init(&acc, ctx);
    if (s == VEIL_OK)
        s = bfv_ciphertext_init(&grp, ctx);
    if (s == VEIL_OK)
        s = bfv_ciphertext_init(&tmp, ctx);
    if (s == VEIL_OK && c->stream)
        s = lola_plainbuf_init(&pb, ctx);
    if (s == VEIL_OK && (base != 0 || op->nfold > 0) &&
        (down ? ogk : gk) == NULL)
        s = VEIL_ENOKEY;
    for (size_t i = 0; i < op->nterms && s == VEIL_OK; i++)
        if (i == 0 || op->terms[i].giant != op->terms[i - 1].giant)
            starts[ngroups++] = i;
    if (starts != NULL)
        starts[ngroups] = op->nterms;
    if (s == VEIL_OK && gk != NULL && lazy_ok(st, op, in, base, !down)) {
        s = run_output_lazy(&acc, st, op, base, starts, ngroups, c, in, bb, gk,
                            !down, buf, &grp, &tmp, &pb);
        have_acc = lazy = 1;
        base = 0;
        ngroups = 0;
    } else if (base != 0) {
        /* Horner: groups in decreasing k = giant / base */
        const uint64_t elt = lola_rot_galois(ctx->n, base);
        size_t cur = 0; /* k of what acc holds */
        for (size_t gi = ngroups; gi-- > 0 && s == VEIL_OK;) {
            const size_t k = op->terms[starts[gi]].giant / base;
            int have;
            s = run_group(&grp, &have, st, op, starts[gi], starts[gi + 1], c,
                          in, bb, buf, &tmp, &pb);
            for (; s == VEIL_OK && have_acc && cur > k; cur--)
                s = bfv_apply_galois(&acc, &acc, elt, gk);
            if (s != VEIL_OK || !have)
                continue;
            if (have_acc) {
                s = bfv_add(&acc, &acc, &grp);
            } else {
                bfv_ciphertext_t sw = acc;
                acc = grp;
                grp = sw;
                have_acc = 1;
                cur = k;
            }
        }
        for (; s == VEIL_OK && have_acc && cur > 0; cur--)
            s = bfv_apply_galois(&acc, &acc, elt, gk);
    }
    for (size_t gi = 0; base == 0 && gi < ngroups && s == VEIL_OK; gi++) {
        const lola_rot_t g = op->terms[starts[gi]].giant;
        int have;
        s = run_group(&grp, &have, st, op, starts[gi], starts[gi + 1], c, in,
                      bb, buf, &tmp, &pb);
        if (s == VEIL_OK && g != 0)
            s = gk == NULL ? VEIL_ENOKEY
                           : bfv_apply_galois(&grp, &grp,
                                              lola_rot_galois(ctx->n, g), gk);
        if (s == VEIL_OK && have_acc) {
            s = bfv_add(&acc, &acc, &grp);
        } else if (s == VEIL_OK) {
            bfv_ciphertext_t sw = acc;
            acc = grp;
            grp = sw;
            have_acc = 1;
        }
    }
    for (size_t f = 0; f < op->nfold && s == VEIL_OK && !lazy && !down; f++) {
        s = bfv_apply_galois(&tmp, &acc, lola_rot_galois(ctx->n, op->fold[f]),
                             gk);
        if (s == VEIL_OK)
            s = bfv_add(&acc, &acc, &tmp);
    }
    if (s == VEIL_OK && down) {
        s = lola_ct_switch(out, &acc);
        if (s == VEIL_OK && op->nfold > 0)
            s = fold_lazy(out, op, ogk);
        if (s == VEIL_OK && op->bias >= 0)
            s = bfv_add_plain(out, out, &c->biases[op->bias]);
    } else if (s == VEIL_OK && op->bias >= 0)
        s = bfv_add_plain(&acc, &acc, &c->biases[op->bias]);
    if (s == VEIL_OK && !down) {
        /* hand the accumulator's buffers to out (same context) */
        bfv_ciphertext_t sw = *out;
        *out = acc;
        acc = sw;
    }
    bfv_ciphertext_clear(&acc);
    bfv_ciphertext_clear(&grp);
    bfv_ciphertext_clear(&tmp);
    lola_plainbuf_clear(&pb);
    free(buf);
    free(starts);
    return s;
}

/* 1 if every term of st is a plain multiply-accumulate: no rotation, no
 * fold. */
static int pure_mac(const lola_step_t *st)
{
    for (size_t o = 0; o < st->nout; o++) {
        if (st->out[o].nfold)
            return 0;
        for (size_t i = 0; i < st->out[o].nterms; i++)
            if (st->out[o].terms[i].baby || st->out[o].terms[i].giant)
                return 0;
    }
    return 1;
}

/* Inputs per tile of the multiply-accumulate sweep: their rows (64 KB at
 * n = 8192) stay in the 1 MB level-2 cache while every output reads them. */
#define MAC_TILE 8

/* Term t of an output into rows [k0, k1) of prime i of *o (first: the
 * output's first term, which writes those rows; tmp: n words).
 * A plaintext term on polynomials 0 and 1 is one pass that reads the
 * plaintext row once for both (ntt_vec_mul2 / ntt_vec_muladd2). */
static void mac_term(bfv_ciphertext_t *o, const lola_term_t *t,
                     const lola_coefs_t *c, const bfv_ciphertext_t *x, size_t i,
                     size_t k0, size_t k1, int first, uint64_t *tmp)
{
    const ntt_plan_t *pl = &c->ctx->plans[i];
    const size_t n = c->ctx->n;
    if (t->kind == LOLA_COEF_PLAIN && k0 == 0 && k1 == 2) {
        const uint64_t *w = c->plains[t->coef].data + i * n;
        if (first)
            ntt_vec_mul2(pl, bfv_ct_row(o, 0, i), bfv_ct_row(o, 1, i),
                         bfv_ct_row(x, 0, i), bfv_ct_row(x, 1, i), w);
        else
            ntt_vec_muladd2(pl, bfv_ct_row(o, 0, i), bfv_ct_row(o, 1, i),
                            bfv_ct_row(x, 0, i), bfv_ct_row(x, 1, i), w);
        return;
    }
    for (size_t k = k0; k < k1; k++) {
        uint64_t *a = bfv_ct_row(o, k, i), *dst = first ? a : tmp;
        const uint64_t *xr;
        if (k >= x->size) { /* a smaller input: nothing here */
            if (first)
                memset(a, 0, n * sizeof(uint64_t));
            continue;
        }
        xr = bfv_ct_row(x, k, i);
        switch (t->kind) {
        case LOLA_COEF_ONE:
            if (first)
                memcpy(a, xr, n * sizeof(uint64_t));
            else
                ntt_vec_add(pl, a, a, xr);
            continue;
        case LOLA_COEF_SCALAR:
            ntt_vec_mul_scalar(pl, dst, xr,
                               residue(c->scalars[t->coef], pl->q));
            break;
        default:
            if (first)
                ntt_vec_mul_shoup(pl, a, xr, c->plains[t->coef].data + i * n,
                                  c->plains[t->coef].shoup + i * n);
            else /* fused: one pass */
                ntt_vec_muladd(pl, a, xr, c->plains[t->coef].data + i * n);
            continue;
        }
        if (!first)
            ntt_vec_add(pl, a, a, tmp);
    }
}

/* A multiply-accumulate step, row by row: for each prime q_i (polynomials 0
 * and 1 together, then 2), the inputs are swept in tiles and every output
 * adds its terms from the tile, so each input row is read once per tile
 * instead of once per output (CryptoNets' 845 x 100 layer: 650 MB of
 * inputs per component).  Terms are sorted by input (lola_step_finish).
 * The rows are independent: they run in parallel. */
static veil_status run_mac(bfv_ciphertext_t *out, const lola_step_t *st,
                           const lola_coefs_t *c, const bfv_ciphertext_t *in,
                           int team)
{
    const bfv_context_t *ctx = c->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    veil_status err = VEIL_OK;

    /* output sizes: the largest input size among the terms (2 if none);
     * out gets that size (copying such an input when out's size differs:
     * bfv_ciphertext_copy resizes), every row then overwritten */
    for (size_t o = 0; o < st->nout && err == VEIL_OK; o++) {
        const bfv_ciphertext_t *big = NULL;
        for (size_t i = 0; i < st->out[o].nterms; i++) {
            const bfv_ciphertext_t *x = &in[st->out[o].terms[i].input];
            if (big == NULL || x->size > big->size)
                big = x;
        }
        if (big == NULL) { /* no term: the zero ciphertext (exact) */
            memset(out[o].data, 0, 2 * L * n * sizeof(uint64_t));
            out[o].size = 2;
        } else if (big->size != out[o].size) {
            err = bfv_ciphertext_copy(&out[o], big); /* to resize it */
        }
        out[o].seeded = 0;
    }
    if (err != VEIL_OK)
        return err;
#pragma omp parallel for schedule(dynamic) num_threads(team) if (team > 1)
    for (size_t job = 0; job < L * 2; job++) {
        /* polynomials [k0, k1): 0 and 1, or 2 */
        const size_t i = job / 2, k0 = job % 2 ? 2 : 0, k1 = job % 2 ? 3 : 2;
        size_t *next = calloc(st->nout, sizeof(size_t));
        uint64_t *tmp = malloc(n * sizeof(uint64_t));
        if (next == NULL || tmp == NULL) {
#pragma omp critical(lola_exec_err)
            err = VEIL_ENOMEM;
            free(next);
            free(tmp);
            continue;
        }
        for (size_t j0 = 0; j0 < st->nin; j0 += MAC_TILE)
            for (size_t o = 0; o < st->nout; o++) {
                const lola_output_t *op = &st->out[o];
                const size_t k1o = k1 < out[o].size ? k1 : out[o].size;
                if (k0 >= k1o)
                    continue;
                for (; next[o] < op->nterms &&
                       op->terms[next[o]].input < j0 + MAC_TILE;
                     next[o]++) {
                    const lola_term_t *t = &op->terms[next[o]];
                    mac_term(&out[o], t, c, &in[t->input], i, k0, k1o,
                             next[o] == 0, tmp);
                }
            }
        free(next);
        free(tmp);
    }
    for (size_t o = 0; o < st->nout && err == VEIL_OK; o++)
        if (st->out[o].bias >= 0)
            err = bfv_add_plain(&out[o], &out[o], &c->biases[st->out[o].bias]);
    return err;
}

veil_status lola_step_exec(bfv_ciphertext_t *out, const lola_step_t *st,
                           const lola_coefs_t *c, const bfv_ciphertext_t *in,
                           const bfv_relin_key_t *rk,
                           const bfv_galois_keys_t *gk)
{
    return lola_step_exec_level(out, st, c, in, rk, gk, gk);
}

veil_status lola_step_exec_level(bfv_ciphertext_t *out, const lola_step_t *st,
                                 const lola_coefs_t *c,
                                 const bfv_ciphertext_t *in,
                                 const bfv_relin_key_t *rk,
                                 const bfv_galois_keys_t *gk,
                                 const bfv_galois_keys_t *ogk)
{
    const bfv_context_t *octx;
    veil_status err = VEIL_OK;
    babies_t bb;
    int team, size;

    if (out == NULL || st == NULL || c == NULL || in == NULL || c->ctx == NULL)
        return VEIL_EINVAL;
    octx = st->nout > 0 ? out[0].ctx : c->ctx;
    for (size_t i = 0; i < st->nout; i++)
        if (out[i].ctx != octx)
            return VEIL_EINVAL;
    for (size_t i = 0; i < st->nin; i++)
        if (in[i].ctx != c->ctx)
            return VEIL_EINVAL;
    if (octx != c->ctx &&
        (st->kind != LOLA_STEP_LINEAR || !lola_ctx_is_level(octx, c->ctx) ||
         (ogk != NULL && ogk->ctx != octx)))
        return VEIL_EINVAL;
    if (st->kind != LOLA_STEP_LINEAR) {
        if ((st->relin || st->kind == LOLA_STEP_RELIN) && rk == NULL)
            return VEIL_EINVAL;
        team = team_begin(st->n, &size);
#pragma omp parallel for schedule(dynamic)                                     \
    num_threads(size) if (size > 1 && st->nout > 1)
        for (size_t i = 0; i < st->nout; i++) {
            veil_status s = VEIL_OK;
            if (st->kind == LOLA_STEP_SQUARE)
                s = bfv_square(&out[i], &in[i]);
            else
                s = bfv_ciphertext_copy(&out[i], &in[i]);
            if (s == VEIL_OK && (st->relin || st->kind == LOLA_STEP_RELIN))
                s = bfv_relinearize(&out[i], &out[i], rk);
            if (s != VEIL_OK) {
#pragma omp critical(lola_exec_err)
                err = s;
            }
        }
        team_end(team);
        return err;
    }
    if (c->nscalars != st->nscalars || c->nplains != st->nplains ||
        c->nbiases != st->nbiases)
        return VEIL_EINVAL;
    for (size_t o = 0; o < st->nout; o++)
        for (size_t i = 0; i < st->out[o].nterms; i++)
            if (st->out[o].terms[i].input >= st->nin)
                return VEIL_EINVAL;
    team = team_begin(st->n, &size);
    if (pure_mac(st) && !c->stream && octx == c->ctx) {
        err = run_mac(out, st, c, in, size);
        team_end(team);
        return err;
    }
    err = babies_make(&bb, st, c->ctx, in, gk, size);
    if (err == VEIL_OK) {
#pragma omp parallel for schedule(dynamic)                                     \
    num_threads(size) if (size > 1 && st->nout > 1)
        for (size_t o = 0; o < st->nout; o++) {
            veil_status s = run_output(&out[o], st, o, c, in, &bb, gk, ogk);
            if (s != VEIL_OK) {
#pragma omp critical(lola_exec_err)
                err = s;
            }
        }
    }
    babies_clear(&bb);
    team_end(team);
    return err;
}
