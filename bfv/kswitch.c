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
 * Threads: every loop is OpenMP over (digit, row) or (component, row)
 * pairs; each iteration writes its own rows, so results do not depend on the
 * thread count.
 */
#include <string.h>
#include "bfv_internal.h"

size_t bfv_ks_digits_words(const bfv_context_t *ctx)
{
    return ctx->pre->ks.digits * ctx->n_qp * ctx->n;
}

size_t bfv_ks_tmp_words(const bfv_context_t *ctx)
{
    return (2 * ctx->n_q + ctx->n_p) * ctx->n;
}

veil_status bfv_kswitch_key_alloc(bfv_kswitch_key_t *ksk,
                                  const bfv_context_t *ctx)
{
    const size_t words = 2 * bfv_ks_digits_words(ctx);
    memset(ksk, 0, sizeof(*ksk));
    ksk->data = veil_alloc(words * sizeof(uint64_t));
    if (ksk->data == NULL)
        return VEIL_ENOMEM;
    ksk->digits = ctx->pre->ks.digits;
    return VEIL_OK;
}

void bfv_kswitch_key_free(bfv_kswitch_key_t *ksk)
{
    veil_free(ksk->data);
    memset(ksk, 0, sizeof(*ksk));
}

/* Row i of component comp (0: b, 1: a) of digit d. */
static uint64_t *ksk_row(const bfv_kswitch_key_t *ksk, const bfv_context_t *ctx,
                         size_t d, size_t comp, size_t i)
{
    return ksk->data + ((d * 2 + comp) * ctx->n_qp + i) * ctx->n;
}

void bfv_kswitch_keygen(bfv_kswitch_key_t *ksk, const bfv_secret_key_t *sk,
                        const uint64_t *s_to_ntt, const uint64_t *s_from_ntt,
                        veil_rng_t *rng)
{
    const bfv_context_t *ctx = sk->ctx;
    const bfv_ks_tables_t *ks = &ctx->pre->ks;
    const size_t n = ctx->n, LK = ctx->n_qp, D = ks->digits;
    const uint64_t *s_to = s_to_ntt != NULL ? s_to_ntt : sk->ntt;
    int8_t *err = veil_alloc(D * n);

    /* Errors first, sequentially from rng: the key depends on the seed and
     * rng only, never on the thread schedule. */
    veil_rng_bytes(rng, ksk->seed, VEIL_SEED_BYTES);
    veil_rng_cbd(rng, err, D * n);

#pragma omp parallel for schedule(static) collapse(2)
    for (size_t d = 0; d < D; d++) {
        for (size_t i = 0; i < LK; i++) {
            const ntt_plan_t *pl = &ctx->plans[i];
            uint64_t *b = ksk_row(ksk, ctx, d, 0, i);
            uint64_t *a = ksk_row(ksk, ctx, d, 1, i);
            const int8_t *e = err + d * n;

            bfv_expand_uniform_row(a, ctx, ksk->seed, (uint32_t)d,
                                   (uint32_t)i);
            for (size_t k = 0; k < n; k++)
                b[k] = bfv_lift_small(e[k], pl->q);
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
    veil_free_secret(err, D * n);
}

void bfv_reduce_row(uint64_t *out, const uint64_t *in, size_t n,
                    uint64_t q_from, const ntt_plan_t *to)
{
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

void bfv_ks_decompose(uint64_t *out, const bfv_context_t *ctx,
                      const uint64_t *c, uint64_t *tmp)
{
    const bfv_ks_tables_t *ks = &ctx->pre->ks;
    const size_t n = ctx->n, L = ctx->n_q, LK = ctx->n_qp, D = ks->digits;

    /* Step 1: coefficient form of c (tmp) */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < L; i++) {
        memcpy(tmp + i * n, c + i * n, n * sizeof(uint64_t));
        ntt_inverse(&ctx->plans[i], tmp + i * n);
    }

    /* Step 2: extend digit d to the rows outside it.  One-prime digits are
     * exact: [c]_{q_i} in [0, q_i) is reduced mod the other primes.  Wider
     * digits use the fast base conversion (rns.h), whose result is the
     * digit plus a small multiple of Q_d - harmless, since g_d Q_d = 0 mod
     * Q (doc/05). */
    for (size_t d = 0; d < D; d++) {
        uint64_t *od = out + d * LK * n;
        const size_t f = ks->first[d], sz = ks->size[d];
        /* the digit's own rows are c itself, already in NTT form */
        memcpy(od + f * n, c + f * n, sz * n * sizeof(uint64_t));
        if (sz >= 2) {
            /* the conversion writes the rest rows contiguously; they are
             * rows [0, f) and [f + sz, LK) of od */
            uint64_t *rest = tmp + L * n;
            rns_conv_apply(&ks->up[d], rest, tmp + f * n, n);
            memcpy(od, rest, f * n * sizeof(uint64_t));
            memcpy(od + (f + sz) * n, rest + f * n,
                   (LK - f - sz) * n * sizeof(uint64_t));
        }
    }
#pragma omp parallel for schedule(static) collapse(2)
    for (size_t d = 0; d < D; d++) {
        for (size_t j = 0; j < LK; j++) {
            const size_t f = ks->first[d], sz = ks->size[d];
            uint64_t *row = out + (d * LK + j) * n;
            if (j >= f && j < f + sz)
                continue;
            if (sz == 1)
                bfv_reduce_row(row, tmp + f * n, n, ctx->plans[f].q,
                               &ctx->plans[j]);
            ntt_forward(&ctx->plans[j], row);
        }
    }
}

void bfv_ks_apply(uint64_t *y, const bfv_context_t *ctx,
                  const uint64_t *digits, const bfv_kswitch_key_t *ksk,
                  uint64_t *acc)
{
    const bfv_ks_tables_t *ks = &ctx->pre->ks;
    const size_t n = ctx->n, L = ctx->n_q, K = ctx->n_p, LK = ctx->n_qp;
    const size_t D = ks->digits;

    /* Step 3: x_k = sum_d digit_d * ksk_d,k, row by row over QP.  The two
     * components of a row are consecutive tasks, so the digit rows the
     * first one reads are still in cache for the second. */
#pragma omp parallel for schedule(static) collapse(2)
    for (size_t j = 0; j < LK; j++) {
        for (size_t comp = 0; comp < 2; comp++) {
            const ntt_plan_t *pl = &ctx->plans[j];
            uint64_t *x = acc + (comp * LK + j) * n;
            ntt_vec_mul(pl, x, digits + j * n, ksk_row(ksk, ctx, 0, comp, j));
            for (size_t d = 1; d < D; d++)
                ntt_vec_muladd(pl, x, digits + (d * LK + j) * n,
                               ksk_row(ksk, ctx, d, comp, j));
        }
    }

    /* Step 4a: v = (x + h) mod P in coefficient form, h = floor(P/2): add
     * the NTT of h (1 + X + ... + X^(n-1)) and transform back. */
#pragma omp parallel for schedule(static) collapse(2)
    for (size_t comp = 0; comp < 2; comp++) {
        for (size_t j = L; j < LK; j++) {
            uint64_t *x = acc + (comp * LK + j) * n;
            ntt_vec_add(&ctx->plans[j], x, x, ks->half_ntt + j * n);
            ntt_inverse(&ctx->plans[j], x);
        }
    }
    /* Step 4b: v mod q_i (exact for K = 1, fast base conversion with an
     * error of a few P otherwise, which shifts y by a few units) */
    if (K >= 2)
        for (size_t comp = 0; comp < 2; comp++)
            rns_conv_apply(&ks->down, y + comp * L * n,
                           acc + (comp * LK + L) * n, n);
    /* Step 4c: y_i = (x_i - v + h) P^-1 mod q_i, in NTT form */
#pragma omp parallel for schedule(static) collapse(2)
    for (size_t comp = 0; comp < 2; comp++) {
        for (size_t i = 0; i < L; i++) {
            const ntt_plan_t *pl = &ctx->plans[i];
            uint64_t *yi = y + (comp * L + i) * n;
            if (K == 1)
                bfv_reduce_row(yi, acc + (comp * LK + L) * n, n,
                               ctx->plans[L].q, pl);
            ntt_forward(pl, yi);
            ntt_vec_sub(pl, yi, acc + (comp * LK + i) * n, yi);
            ntt_vec_add(pl, yi, yi, ks->half_ntt + i * n);
            ntt_vec_mul_scalar(pl, yi, yi, ks->p_inv[i]);
        }
    }
}
