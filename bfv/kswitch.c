/*
 * kswitch.c - hybrid (GHS) key switching with special primes, the core of
 * relinearization and Galois rotations.  doc/05-key-switching.md derives it;
 * the step numbers below are the document's.
 *
 * A key-switching key from s' to s is, for every digit d of Q (K = n_p
 * consecutive primes, product Q_d),
 *     ksk_d = (b_d, a_d),  b_d = -(a_d s + e_d) + P g_d s'  mod QP,
 *     g_d = (Q/Q_d) [(Q/Q_d)^-1]_{Q_d}    (= 1 mod Q_d, = 0 mod the rest of Q).
 * To switch c (a polynomial multiplying s'):
 *   1. bring c to coefficient form; its digit d is [c]_{Q_d};
 *   2. extend each digit to every prime of QP (exact for one-prime digits,
 *      fast base conversion otherwise) and back to NTT form;
 *   3. x_k = sum_d digit_d * ksk_d,k  over QP  (then x_0 + x_1 s = P c s' +
 *      small noise, mod QP);
 *   4. y_k = round(x_k / P) mod Q: subtract the centred residue mod P and
 *      multiply by P^-1 mod q_i.
 * Then y_0 + y_1 s = c s' + e_ks with |e_ks| about sum_d Q_d |e_d| n / P.
 *
 * Memory: step 3 reads every key row once, 2 D (L + K) rows of n words
 * (7.9 MB for n = 16384 and six primes), from memory rather than the cache
 * when keys outnumber the cache.  One thread therefore prefetches the two
 * key rows a digit row meets while that digit row is transformed
 * (ntt_forward_prefetch), so that the rows stream in during the NTT
 * instead of stalling the products after it.
 *
 * Threads: every loop is OpenMP over rows, (digit, row) or (component,
 * row) pairs; each iteration writes its own rows, and the inner product of a
 * row adds its digits in the fixed order d = 0, 1, ..., so results do not
 * depend on the thread count.
 */
#include "bfv_internal.h"
#include <omp.h>
#include <string.h>

size_t bfv_ks_digits_words(const bfv_context_t *ctx)
{
    return ctx->pre->ks.digits * ctx->n_qp * ctx->n;
}

veil_status bfv_kswitch_key_alloc(bfv_kswitch_key_t *ksk,
                                  const bfv_context_t *ctx)
{
    const size_t words = 2 * bfv_ks_digits_words(ctx);
    memset(ksk, 0, sizeof(*ksk));
    if (words > SIZE_MAX / sizeof(uint64_t))
        return VEIL_ENOMEM;
    ksk->data = bfv_keymem_alloc(words * sizeof(uint64_t));
    if (ksk->data == NULL)
        return VEIL_ENOMEM;
    ksk->digits = ctx->pre->ks.digits;
    return VEIL_OK;
}

void bfv_kswitch_key_free(bfv_kswitch_key_t *ksk)
{
    bfv_keymem_free(ksk->data);
    memset(ksk, 0, sizeof(*ksk));
}

/* Row i of component comp (0: b, 1: a) of digit d. */
static uint64_t *ksk_row(const bfv_kswitch_key_t *ksk, const bfv_context_t *ctx,
                         size_t d, size_t comp, size_t i)
{
    return ksk->data + ((d * 2 + comp) * ctx->n_qp + i) * ctx->n;
}

veil_status bfv_kswitch_keygen(bfv_kswitch_key_t *ksk,
                               const bfv_secret_key_t *sk,
                               const uint64_t *s_to_ntt,
                               const uint64_t *s_from_ntt, veil_rng_t *rng)
{
    const size_t bytes = sk->ctx->pre->ks.digits * sk->ctx->n;
    int8_t *err = veil_alloc(bytes);
    veil_status st;
    if (err == NULL)
        return VEIL_ENOMEM;
    st = bfv_kswitch_keygen_err(ksk, sk, s_to_ntt, s_from_ntt, err, rng);
    veil_free_secret(err, bytes);
    return st;
}

veil_status bfv_kswitch_keygen_err(bfv_kswitch_key_t *ksk,
                                   const bfv_secret_key_t *sk,
                                   const uint64_t *s_to_ntt,
                                   const uint64_t *s_from_ntt, int8_t *err,
                                   veil_rng_t *rng)
{
    const bfv_context_t *ctx = sk->ctx;
    const bfv_ks_tables_t *ks = &ctx->pre->ks;
    const size_t n = ctx->n, LK = ctx->n_qp, D = ks->digits;
    const uint64_t *s_to = s_to_ntt != NULL ? s_to_ntt : sk->ntt;

    veil_rng_bytes(rng, ksk->seed, VEIL_SEED_BYTES);
    veil_rng_cbd(rng, err, D * n);

#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(bfv_work_ntt(D * LK, n, 4)))
    for (size_t d = 0; d < D; d++) {
        for (size_t i = 0; i < LK; i++) {
            const ntt_plan_t *pl = &ctx->plans[i];
            uint64_t *b = ksk_row(ksk, ctx, d, 0, i);
            uint64_t *a = ksk_row(ksk, ctx, d, 1, i);
            const int8_t *e = err + d * n;

            bfv_expand_uniform_row(a, ctx, ksk->seed, (uint32_t)d, (uint32_t)i);
            const uint64_t q = pl->q;
            for (size_t k = 0; k < n; k++)
                b[k] = bfv_lift_small(e[k], q);
            ntt_forward(pl, b);
            ntt_vec_muladd(pl, b, a, s_to + i * n); /* a s + e */
            ntt_vec_neg(pl, b, b);
            if (i >= ks->first[d] && i < ks->first[d] + ks->size[d]) {
                /* + P g_d s': g_d = 1 mod the primes of digit d */
                const uint64_t w = ks->p_mod_q[i];
                const uint64_t wp = ntt_shoup_precomp(w, pl->q);
                const uint64_t *sf = s_from_ntt + i * n;
                for (size_t k = 0; k < n; k++)
                    b[k] = ntt_add_mod(b[k], ntt_mul_shoup(sf[k], w, wp, pl->q),
                                       pl->q);
            }
        }
    }
    veil_memzero(err, D * n);
    return VEIL_OK;
}

void bfv_reduce_row(uint64_t *out, const uint64_t *in, size_t n,
                    uint64_t q_from, const ntt_plan_t *to)
{
    VEIL_ASSERT(out != NULL && to != NULL && n == to->n);
    VEIL_ASSERT(veil_all_below(in, n, q_from));
    VEIL_ASSERT(out == in ||
                veil_disjoint(out, n * sizeof(*out), in, n * sizeof(*in)));
    if (q_from <= to->q) {
        if (out != in)
            memcpy(out, in, n * sizeof(uint64_t));
    } else if (q_from <= 4 * to->q) {
        ntt_vec_reduce(to, out, in);
    } else {
        for (size_t k = 0; k < n; k++)
            out[k] = ntt_reduce128(0, in[k], &to->mod);
    }
}

/* ntt_forward_prefetch with nothing to prefetch. */
static const uint64_t *const no_prefetch[2] = {NULL, NULL};

/* Step 2 for one row: row j of QP of digit d of c, in NTT form.  coef holds
 * c in coefficient form.  The digit's own rows are c's (no work); a
 * one-prime digit [c]_{q_f} in [0, q_f) is reduced mod prime j (exact); a
 * wider one goes through the fast base conversion, whose result is the
 * digit plus a small multiple of Q_d - harmless, since g_d Q_d = 0 mod Q
 * (doc/05).  A one-prime digit below 4 q_j is already in the range the NTT
 * reads, so it is transformed straight from coef (no copy, no reduction
 * pass).  pf: two rows to prefetch during the NTT (NULLs: none). */
static const uint64_t *digit_row(uint64_t *out, const bfv_context_t *ctx,
                                 const uint64_t *c, const uint64_t *coef,
                                 size_t d, size_t j,
                                 const uint64_t *const pf[2])
{
    const bfv_ks_tables_t *ks = &ctx->pre->ks;
    const size_t n = ctx->n, f = ks->first[d], sz = ks->size[d];
    const uint64_t *src = out;
    if (j >= f && j < f + sz)
        return c + j * n;
    if (sz == 1 && ctx->plans[f].q <= 4 * ctx->plans[j].q)
        src = coef + f * n;
    else if (sz == 1)
        bfv_reduce_row(out, coef + f * n, n, ctx->plans[f].q, &ctx->plans[j]);
    else
        rns_conv_apply(&ks->up[d * ctx->n_qp + j], out, coef + f * n, n);
    ntt_forward_prefetch(&ctx->plans[j], out, src, pf);
    return out;
}

/* Step 1: coef = c in coefficient form (L rows). */
static void to_coef(uint64_t *coef, const bfv_context_t *ctx, const uint64_t *c)
{
    const size_t n = ctx->n;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(ctx->n_q, n, 1)))
    for (size_t i = 0; i < ctx->n_q; i++) {
        memcpy(coef + i * n, c + i * n, n * sizeof(uint64_t));
        ntt_inverse(&ctx->plans[i], coef + i * n);
    }
}

void bfv_ks_decompose(uint64_t *out, const bfv_context_t *ctx,
                      const uint64_t *c, uint64_t *coef)
{
    const size_t n = ctx->n, LK = ctx->n_qp, D = ctx->pre->ks.digits;
    VEIL_ASSERT(out != NULL && coef != NULL);
    VEIL_ASSERT(bfv_rows_reduced(ctx, c, ctx->n_q));
    VEIL_ASSERT(veil_disjoint(out, D * LK * n * sizeof(uint64_t), c,
                              ctx->n_q * n * sizeof(uint64_t)));
    VEIL_ASSERT(veil_disjoint(out, D * LK * n * sizeof(uint64_t), coef,
                              ctx->n_q * n * sizeof(uint64_t)));
    VEIL_ASSERT(veil_disjoint(c, ctx->n_q * n * sizeof(uint64_t), coef,
                              ctx->n_q * n * sizeof(uint64_t)));
    to_coef(coef, ctx, c);
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(bfv_work_ntt(D * LK, n, 1)))
    for (size_t d = 0; d < D; d++) {
        for (size_t j = 0; j < LK; j++) {
            uint64_t *row = out + (d * LK + j) * n;
            const uint64_t *r = digit_row(row, ctx, c, coef, d, j, no_prefetch);
            if (r != row)
                memcpy(row, r, n * sizeof(uint64_t));
        }
    }
}

/* The work (bfv_par units: words read and written) of step 3's products. */
static size_t products_work(const bfv_context_t *ctx)
{
    return 4 * ctx->n_qp * ctx->pre->ks.digits * ctx->n;
}

/* Whether bfv_ks_switch will run with a team of several threads: only when
 * its products pay for one (n = 16384, not n = 8192), since the team's
 * path writes every digit row before the products read them, across the
 * cores' caches, where one thread makes each row and uses it at once. */
static int team_parallel(const bfv_context_t *ctx)
{
    return omp_get_max_threads() > 1 && !omp_in_parallel() &&
           bfv_par(products_work(ctx));
}

size_t bfv_ks_work_words(const bfv_context_t *ctx)
{
    const size_t n = ctx->n, base = (ctx->n_q + 2 * ctx->n_qp) * n;
    /* a team stores all digits (bfv_ks_switch); one thread needs a row */
    return base + (team_parallel(ctx) ? bfv_ks_digits_words(ctx) : n);
}

/* Step 3, one term: x += digit_d * ksk_d,comp on row j (x = for d = 0).
 * Every path adds the digits of a row in the order d = 0, 1, ... */
static void accumulate(uint64_t *acc, const bfv_context_t *ctx,
                       const uint64_t *dig, const bfv_kswitch_key_t *ksk,
                       size_t d, size_t j, size_t comp)
{
    const ntt_plan_t *pl = &ctx->plans[j];
    uint64_t *x = acc + (comp * ctx->n_qp + j) * ctx->n;
    if (d == 0)
        ntt_vec_mul(pl, x, dig, ksk_row(ksk, ctx, 0, comp, j));
    else
        ntt_vec_muladd(pl, x, dig, ksk_row(ksk, ctx, d, comp, j));
}

/* Step 4: y_k = round(x_k / P) mod Q from acc (ncomp x (L + K) rows, acc
 * destroyed) into y (ncomp x L rows). */
static void mod_down(uint64_t *y, const bfv_context_t *ctx, uint64_t *acc,
                     size_t ncomp)
{
    const bfv_ks_tables_t *ks = &ctx->pre->ks;
    const size_t n = ctx->n, L = ctx->n_q, K = ctx->n_p, LK = ctx->n_qp;

    /* 4a: v = (x + h) mod P in coefficient form, h = floor(P/2): add the
     * NTT of h (1 + X + ... + X^(n-1)) and transform back */
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(bfv_work_ntt(ncomp * K, n, 1)))
    for (size_t comp = 0; comp < ncomp; comp++) {
        for (size_t j = L; j < LK; j++) {
            uint64_t *x = acc + (comp * LK + j) * n;
            ntt_vec_add(&ctx->plans[j], x, x, ks->half_ntt + j * n);
            ntt_inverse(&ctx->plans[j], x);
        }
    }
    /* 4b: v mod q_i (exact for K = 1; the fast base conversion otherwise,
     * whose error of a few P shifts y by a few units) */
    if (K >= 2)
        for (size_t comp = 0; comp < ncomp; comp++)
            rns_conv_apply(&ks->down, y + comp * L * n,
                           acc + (comp * LK + L) * n, n);
            /* 4c: y_i = (x_i - v + h) P^-1 mod q_i, in NTT form */
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(bfv_work_ntt(ncomp * L, n, 3)))
    for (size_t comp = 0; comp < ncomp; comp++) {
        for (size_t i = 0; i < L; i++) {
            const ntt_plan_t *pl = &ctx->plans[i];
            uint64_t *yi = y + (comp * L + i) * n;
            const uint64_t *v = yi; /* K >= 2: 4b wrote v mod q_i there */
            if (K == 1 && ctx->plans[L].q <= 4 * pl->q)
                v = acc + (comp * LK + L) * n; /* in the NTT's input range */
            else if (K == 1)
                bfv_reduce_row(yi, acc + (comp * LK + L) * n, n,
                               ctx->plans[L].q, pl);
            ntt_forward_prefetch(pl, yi, v, no_prefetch);
            ntt_vec_sub(pl, yi, acc + (comp * LK + i) * n, yi);
            ntt_vec_add(pl, yi, yi, ks->half_ntt + i * n);
            ntt_vec_mul_scalar(pl, yi, yi, ks->p_inv[i]);
        }
    }
}

/* Step 3 from decomposed digits: acc (2 x (L + K) rows) = sum_d digit_d *
 * ksk_d. */
static void products(uint64_t *acc, const bfv_context_t *ctx,
                     const uint64_t *digits, const bfv_kswitch_key_t *ksk)
{
    const size_t n = ctx->n, LK = ctx->n_qp, D = ctx->pre->ks.digits;
    /* the two components of a row are consecutive tasks, so the digit rows
     * the first reads are still in cache for the second */
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(products_work(ctx)))
    for (size_t j = 0; j < LK; j++)
        for (size_t comp = 0; comp < 2; comp++)
            for (size_t d = 0; d < D; d++)
                accumulate(acc, ctx, digits + (d * LK + j) * n, ksk, d, j,
                           comp);
}

void bfv_ks_apply(uint64_t *y, const bfv_context_t *ctx, const uint64_t *digits,
                  const bfv_kswitch_key_t *ksk, uint64_t *work)
{
    uint64_t *acc = work + ctx->n_q * ctx->n;
    products(acc, ctx, digits, ksk);
    mod_down(y, ctx, acc, 2);
}

/* Steps 1-3 for c into the accumulator of work (work + L n, 2 x (L + K)
 * rows); returns it. */
static uint64_t *switch_ext(const bfv_context_t *ctx, const uint64_t *c,
                            const bfv_kswitch_key_t *ksk, uint64_t *work)
{
    const size_t n = ctx->n, L = ctx->n_q, LK = ctx->n_qp;
    const size_t D = ctx->pre->ks.digits;
    uint64_t *coef = work, *acc = coef + L * n, *extra = acc + 2 * LK * n;

    if (team_parallel(ctx)) {
        /* several threads: all digits first (D (L + K) - L balanced
         * tasks), then the products (2 (L + K) tasks) */
        bfv_ks_decompose(extra, ctx, c, coef);
        products(acc, ctx, extra, ksk);
        return acc;
    }
    /* one thread: row by row, each digit row made in one buffer and used
     * at once, so the digits never leave the cache */
    to_coef(coef, ctx, c);
    for (size_t j = 0; j < LK; j++) {
        for (size_t d = 0; d < D; d++) {
            const uint64_t *const key[2] = {ksk_row(ksk, ctx, d, 0, j),
                                            ksk_row(ksk, ctx, d, 1, j)};
            const uint64_t *dig = digit_row(extra, ctx, c, coef, d, j, key);
            accumulate(acc, ctx, dig, ksk, d, j, 0);
            accumulate(acc, ctx, dig, ksk, d, j, 1);
        }
    }
    return acc;
}

uint64_t *bfv_ks_switch_ext(const bfv_context_t *ctx, const uint64_t *c,
                            const bfv_kswitch_key_t *ksk, uint64_t *work)
{
    VEIL_ASSERT(c != NULL && ksk != NULL && work != NULL);
    VEIL_ASSERT(bfv_rows_reduced(ctx, c, ctx->n_q));
    VEIL_ASSERT(veil_disjoint(c, ctx->n_q * ctx->n * sizeof(uint64_t), work,
                              bfv_ks_work_words(ctx) * sizeof(uint64_t)));
    return switch_ext(ctx, c, ksk, work);
}

void bfv_ks_mod_down(uint64_t *y, const bfv_context_t *ctx, uint64_t *x,
                     size_t ncomp)
{
    VEIL_ASSERT(y != NULL && x != NULL && (ncomp == 1 || ncomp == 2));
    VEIL_ASSERT(veil_disjoint(y, ncomp * ctx->n_q * ctx->n * sizeof(uint64_t),
                              x,
                              ncomp * ctx->n_qp * ctx->n * sizeof(uint64_t)));
    mod_down(y, ctx, x, ncomp);
}

void bfv_ks_switch(uint64_t *y, const bfv_context_t *ctx, const uint64_t *c,
                   const bfv_kswitch_key_t *ksk, uint64_t *work)
{
    VEIL_ASSERT(y != NULL && c != NULL && ksk != NULL && work != NULL);
    VEIL_ASSERT(bfv_rows_reduced(ctx, c, ctx->n_q));
    VEIL_ASSERT(veil_disjoint(y, 2 * ctx->n_q * ctx->n * sizeof(uint64_t), c,
                              ctx->n_q * ctx->n * sizeof(uint64_t)));
    VEIL_ASSERT(veil_disjoint(y, 2 * ctx->n_q * ctx->n * sizeof(uint64_t), work,
                              bfv_ks_work_words(ctx) * sizeof(uint64_t)));
    mod_down(y, ctx, switch_ext(ctx, c, ksk, work), 2);
}
