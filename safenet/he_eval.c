/*
 * he_eval.c - the server's side of the offline linear layer (he.h):
 * Enc(W r - s), re-randomised.  doc/23-safenet-he.md, "Evaluation".
 *
 * Convolutions (Gazelle's packing, he.h):
 *   1. Baby rotations: one hoisted decomposition per input ciphertext
 *      (bfv_hoisted_prepare) and one bfv_hoisted_apply_galois per baby
 *      rotation (kernel offsets, plus channel shifts below the split b1),
 *      into one arena.
 *   2. For every (output o, giant g): acc = sum_{i, b} P (.) rot_b(x_i),
 *      P made on the fly from W (term_values_conv, he_encode.c) and
 *      skipped when it is all zero, accumulated limb by limb in NTT form
 *      (ntt_vec_muladd); then rot_g(acc) (one full rotation unless g is
 *      the identity), added into out[o].
 * Dense layers: LoLa's diagonal program (lola_kernel_diag, compiled in
 * he_layer.c) run by lola_step_exec, with coefficients made here.
 *   3. For every output, the reply: + Enc_pk(-mask) (mask uniform in every
 *      slot; the server's share s is the mask at the output slots) and
 *      + F (he_flood.c).
 *
 * Why not LoLa's executor for convolutions too?  Its programs keep every
 * coefficient plaintext in NTT form with Shoup constants, built before the
 * run (lola_coefs_init): 4608 plaintexts of 512 KiB for CNN-7's second
 * convolution (2.3 GiB; the issue allows 4 GB per party for everything),
 * and its kernels have no Gazelle channel packing (lola_kernel_conv_row
 * wants the client to send the convolution representation, one message
 * per window offset).  Its coefficient sources are int32 matrix entries,
 * where Delphi's weights are 41-bit field elements: eval_dense makes the
 * coefficients itself and then runs LoLa's executor unchanged.
 *
 * Threads: step 1 over inputs then (input, baby) pairs, step 2 over
 * (output, giant) pairs (sums mod q are exact, so the order of the
 * additions into out[o] does not matter), step 3 over outputs, each with
 * its own random generator seeded from rng in a fixed order: the result
 * does not depend on the number of threads.
 */
#include "he_internal.h"
#include "veil/lola_kernels.h"
#include <stdlib.h>
#include <string.h>

/* Keep the first error of a parallel loop in var. */
#define KEEP(var, expr)                                                        \
    do {                                                                       \
        veil_status s_ = (expr);                                               \
        if (s_ != VEIL_OK) {                                                   \
            _Pragma("omp critical(safenet_he_status)") if (var == VEIL_OK)     \
                var = s_;                                                      \
        }                                                                      \
    } while (0)

/* The slot values of term (o, g, i, b) of a convolution, block by block:
 * the giant shifts whole blocks, so accumulator block beta_u
 * feeds output channel m of block rot_g^-1(beta_u); the baby (db, ky, kx)
 * reads input channel c of block beta_u + db at offset delta(ky, kx), and
 * the pair has weight w[m][c][ky][kx] exactly at the positions of
 * masks[ky k + kx] (output grid slots whose input lies in the image);
 * every other slot of the block reads padding, another image row or an
 * unused slot, whose weight is 0. */
static int term_values_conv(uint64_t *vals, const safenet_he_layer_t *L,
                            const uint64_t *w, const uint8_t *masks, size_t o,
                            size_t i, const safenet_he_rot_t *g,
                            const safenet_he_rot_t *b)
{
    const safenet_he_shape_t *sh = &L->shape;
    const size_t n = L->n, h = n / 2, blk = L->blk, R = h / blk, cn = 2 * R;
    const size_t k = sh->k;
    const size_t ginv = (R - (g->shift / blk) % R) % R;
    const size_t db = b->aux >> 16, ky = (b->aux >> 8) & 0xff,
                 kx = b->aux & 0xff;
    const uint8_t *mask = masks + (ky * k + kx) * blk;
    int any = 0;
    for (size_t bu = 0; bu < cn; bu++) {
        const size_t row = bu / R, col = bu % R;
        const size_t m = o * cn + (row ^ g->swap) * R + (col + ginv) % R;
        const size_t c = i * cn + row * R + (col + db) % R;
        uint64_t *v = vals + row * h + col * blk;
        uint64_t wv = 0;
        if (m < sh->c_out && c < sh->c_in)
            wv = w[((m * sh->c_in + c) * k + ky) * k + kx];
        if (wv == 0) {
            memset(v, 0, blk * sizeof(uint64_t));
            continue;
        }
        for (size_t p = 0; p < blk; p++)
            v[p] = mask[p] ? wv : 0;
        any = 1;
    }
    return any;
}

/* masks[(ky k + kx) blk + p] = 1 iff p is the slot of an output (oy, ox)
 * whose input (oy s + ky - pad, ox s + kx - pad) lies in the image. */
static uint8_t *conv_masks(const safenet_he_layer_t *L)
{
    const safenet_he_shape_t *sh = &L->shape;
    const size_t k = sh->k, blk = L->blk;
    uint8_t *m = calloc(k * k * blk, 1);
    if (m == NULL)
        return NULL;
    for (size_t ky = 0; ky < k; ky++)
        for (size_t kx = 0; kx < k; kx++)
            for (size_t oy = 0; oy < L->oh; oy++)
                for (size_t ox = 0; ox < L->ow; ox++) {
                    long iy = (long)(oy * sh->stride + ky) - (long)sh->pad;
                    long ix = (long)(ox * sh->stride + kx) - (long)sh->pad;
                    if (iy < 0 || ix < 0 || iy >= (long)sh->h ||
                        ix >= (long)sh->w)
                        continue;
                    m[(ky * k + kx) * blk + oy * sh->stride * sh->w +
                      ox * sh->stride] = 1;
                }
    return m;
}

/* ------------------------------------------------------------- dense */

/* The F_p value of a LoLa coefficient source: W[row][col], 0 or 1. */
static uint64_t src_value(const lola_src_t *src, const uint64_t *w, size_t cols)
{
    if (src->row == LOLA_SRC_ZERO)
        return 0;
    if (src->row == LOLA_SRC_ONE)
        return 1;
    return w[(size_t)src->row * cols + (size_t)src->col];
}

/* out = the dense layer's products (LoLa's program, lola_step_exec), with
 * the coefficients made here from F_p weights (lola_coefs_init reads int32
 * matrix entries; Delphi's weights are 41-bit field elements). */
static veil_status eval_dense(bfv_ciphertext_t *out,
                              const safenet_he_layer_t *L, const uint64_t *w,
                              const bfv_ciphertext_t *in,
                              const bfv_galois_keys_t *gk)
{
    const lola_step_t *st = L->dense;
    const bfv_context_t *ctx = L->ctx;
    const size_t n = L->n, cols = L->shape.c_in;
    const uint64_t t = ctx->params.t;
    lola_coefs_t c;
    veil_status s = VEIL_OK;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    if (st->nbiases != 0)
        return VEIL_EINVAL;
    c.scalars = calloc(st->nscalars + 1, sizeof(int64_t));
    c.plains = calloc(st->nplains + 1, sizeof(bfv_plaintext_ntt_t));
    if (c.scalars == NULL || c.plains == NULL) {
        free(c.scalars);
        free(c.plains);
        return VEIL_ENOMEM;
    }
    c.nscalars = st->nscalars;
    for (size_t i = 0; i < st->nscalars; i++) {
        uint64_t v = src_value(&st->scalars[i], w, cols);
        c.scalars[i] = v > t / 2 ? (int64_t)v - (int64_t)t : (int64_t)v;
    }
    for (size_t i = 0; i < st->nplains && s == VEIL_OK; i++) {
        c.nplains = i + 1;
        s = bfv_plaintext_ntt_init(&c.plains[i], ctx);
    }
    if (s == VEIL_OK) {
#pragma omp parallel num_threads(veil_team())
        {
            uint64_t *vals = malloc(n * sizeof(uint64_t));
            bfv_plaintext_t pt;
            veil_status ts = bfv_plaintext_init(&pt, ctx);
            if (vals == NULL)
                ts = VEIL_ENOMEM;
            KEEP(s, ts);
#pragma omp for schedule(dynamic, 1)
            for (size_t i = 0; i < st->nplains; i++) {
                veil_status ls = ts;
                for (size_t k = 0; k < n && ls == VEIL_OK; k++)
                    vals[k] = src_value(&st->plains[i * n + k], w, cols);
                if (ls == VEIL_OK)
                    ls = bfv_encode_batch(&pt, vals, n);
                if (ls == VEIL_OK)
                    ls = bfv_plaintext_to_ntt(&c.plains[i], &pt);
                KEEP(s, ls);
            }
            if (vals != NULL)
                veil_memzero(vals, n * sizeof(uint64_t));
            free(vals);
            bfv_plaintext_clear(&pt);
        }
    }
    if (s == VEIL_OK)
        s = lola_step_exec(out, st, &c, in, NULL, gk);
    lola_coefs_clear(&c);
    return s;
}

/* ------------------------------------------------------------- reply */

/* out = out - mask (+ Enc_pk(0)) (+ F); s gets the mask at the output
 * slots of ciphertext o. */
static veil_status reply(bfv_ciphertext_t *out, uint64_t *s,
                         const safenet_he_layer_t *L, size_t o,
                         const bfv_public_key_t *pk, veil_rng_t *rng,
                         unsigned flags)
{
    const bfv_context_t *ctx = L->ctx;
    const size_t n = L->n;
    const uint64_t t = ctx->params.t;
    bfv_plaintext_t pt;
    bfv_ciphertext_t z;
    uint64_t *mask = malloc(n * sizeof(uint64_t));
    veil_status st;
    if (mask == NULL)
        return VEIL_ENOMEM;
    veil_rng_uniform_mod(rng, mask, n, t);
    for (size_t e = 0; e < L->out_len; e++)
        if (L->out_pos[e] / n == o)
            s[e] = mask[L->out_pos[e] % n];
    if ((st = bfv_plaintext_init(&pt, ctx)) != VEIL_OK) {
        free(mask);
        return st;
    }
    if ((st = bfv_ciphertext_init(&z, ctx)) != VEIL_OK)
        goto done;
    if (flags & SAFENET_HE_NO_RERAND) {
        st = bfv_encode_batch(&pt, mask, n);
        if (st == VEIL_OK)
            st = bfv_sub_plain(out, out, &pt);
    } else {
        for (size_t k = 0; k < n; k++)
            mask[k] = mask[k] == 0 ? 0 : t - mask[k];
        st = bfv_encode_batch(&pt, mask, n);
        if (st == VEIL_OK)
            st = bfv_encrypt(&z, pk, &pt, rng);
        if (st == VEIL_OK)
            st = bfv_add(out, out, &z);
    }
    if (st == VEIL_OK && !(flags & SAFENET_HE_NO_FLOOD))
        st = safenet_he_flood(out, L->flood_bits, rng);
done:
    bfv_ciphertext_clear(&z);
    bfv_plaintext_clear(&pt);
    veil_memzero(mask, n * sizeof(uint64_t));
    free(mask);
    return st;
}

/* -------------------------------------------------------------- eval */

static int rot_is_id(const safenet_he_rot_t *r)
{
    return r->elt == 1;
}

/* One allocation for the baby rotations, in transparent huge pages where
 * the system offers them (madvise): tens of megabytes of fresh memory
 * would otherwise take a page fault per 4 KiB. */
typedef struct {
    void *p;
    size_t len;
} arena_t;

#define ARENA_ALIGN ((size_t)2 << 20)

static uint64_t *arena_alloc(arena_t *a, size_t words)
{
    size_t len = words * sizeof(uint64_t);
    len = (len + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    a->p = aligned_alloc(ARENA_ALIGN, len);
    if (a->p == NULL)
        return NULL;
    a->len = len;
#ifdef MADV_HUGEPAGE
    (void)madvise(a->p, len, MADV_HUGEPAGE);
#endif
    return a->p;
}

static void arena_free(arena_t *a)
{
    free(a->p);
    a->p = NULL;
    a->len = 0;
}

veil_status safenet_he_eval_flags(bfv_ciphertext_t *out, uint64_t *s,
                                  const safenet_he_layer_t *L,
                                  const uint64_t *w, const bfv_ciphertext_t *in,
                                  const bfv_public_key_t *pk,
                                  const bfv_galois_keys_t *gk, veil_rng_t *rng,
                                  unsigned flags)
{
    veil_status st = VEIL_OK;
    if (out == NULL || s == NULL || L == NULL || w == NULL || in == NULL ||
        rng == NULL || L->ctx == NULL)
        return VEIL_EINVAL;
    const bfv_context_t *ctx = L->ctx;
    const size_t n = L->n, nb = L->nbaby, ng = L->ngiant;
    const size_t nin = L->in_ct, nout = L->out_ct;
    const safenet_he_shape_t *sh = &L->shape;
    if (!(flags & SAFENET_HE_NO_RERAND) && (pk == NULL || pk->ctx != ctx))
        return VEIL_EINVAL;
    if (gk != NULL && gk->ctx != ctx)
        return VEIL_EINVAL;
    for (size_t i = 0; i < nin; i++)
        if (in[i].ctx != ctx || in[i].size != 2)
            return VEIL_EINVAL;
    for (size_t o = 0; o < nout; o++)
        if (out[o].ctx != ctx)
            return VEIL_EINVAL;
    {
        const size_t nw = sh->kind == SAFENET_HE_DENSE
                              ? (size_t)sh->c_in * sh->c_out
                              : (size_t)sh->c_out * sh->c_in * sh->k * sh->k;
        for (size_t j = 0; j < nw; j++)
            if (w[j] >= ctx->params.t)
                return VEIL_ERANGE;
    }

    const size_t poly = 2 * ctx->n_q * n; /* words of a size-2 ciphertext */
    bfv_ciphertext_t *rot = calloc(nin * nb + 1, sizeof(bfv_ciphertext_t));
    const bfv_ciphertext_t **rotp = malloc((nin * nb + 1) * sizeof(void *));
    bfv_hoisted_t *hs = calloc(nin, sizeof(bfv_hoisted_t));
    uint8_t *have = calloc(nout, 1);
    uint8_t(*seeds)[VEIL_SEED_BYTES] = malloc(nout * VEIL_SEED_BYTES);
    arena_t ar = {NULL, 0};
    uint8_t *masks = NULL;
    size_t nrot = 0;
    if (rot == NULL || rotp == NULL || hs == NULL || have == NULL ||
        seeds == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t o = 0; o < nout; o++)
        veil_rng_bytes(rng, seeds[o], VEIL_SEED_BYTES);
    if (L->dense != NULL) {
        /* dense: LoLa's diagonal program does steps 1 and 2 */
        st = eval_dense(out, L, w, in, gk);
        memset(have, 1, nout);
        if (st != VEIL_OK)
            goto done;
        goto reply;
    }
    if ((masks = conv_masks(L)) == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t b = 0; b < nb; b++)
        nrot += !rot_is_id(&L->baby[b]);

    /* 1. baby rotations, into one arena */
    if (nrot > 0) {
        uint64_t *base = arena_alloc(&ar, nin * nrot * poly);
        if (base == NULL) {
            st = VEIL_ENOMEM;
            goto done;
        }
        for (size_t i = 0, k = 0; i < nin; i++)
            for (size_t b = 0; b < nb; b++) {
                bfv_ciphertext_t *c = &rot[i * nb + b];
                if (rot_is_id(&L->baby[b]))
                    continue;
                c->ctx = ctx;
                c->size = c->capacity = 2;
                c->data = base + (k++) * poly;
            }
        for (size_t i = 0; i < nin && st == VEIL_OK; i++)
            st = bfv_hoisted_init(&hs[i], ctx);
        if (st != VEIL_OK)
            goto done;
#pragma omp parallel for num_threads(veil_team()) schedule(dynamic, 1)
        for (size_t i = 0; i < nin; i++)
            KEEP(st, bfv_hoisted_prepare(&hs[i], &in[i]));
        if (st != VEIL_OK)
            goto done;
    }
#pragma omp parallel for num_threads(veil_team()) schedule(dynamic, 1)
    for (size_t ib = 0; ib < nin * nb; ib++) {
        const size_t i = ib / nb, b = ib % nb;
        if (rot_is_id(&L->baby[b])) {
            rotp[ib] = &in[i];
        } else {
            rotp[ib] = &rot[ib];
            KEEP(st, bfv_hoisted_apply_galois(&rot[ib], &hs[i], L->baby[b].elt,
                                              gk));
        }
    }
    if (st != VEIL_OK)
        goto done;
    for (size_t i = 0; i < nin; i++)
        bfv_hoisted_clear(&hs[i]);

        /* 2. products and giant rotations, per (output, giant); scratch per
         * thread.  Each rot_g(acc) is added into out[o] under a lock: sums mod
         * q are exact, so the order (which depends on the threads) does not
         * change the result. */
#pragma omp parallel num_threads(veil_team())
    {
        uint64_t *vals = malloc(n * sizeof(uint64_t));
        uint64_t *tmp = malloc(n * sizeof(uint64_t));
        uint64_t *row = malloc(n * sizeof(uint64_t));
        const bfv_ciphertext_t **xs = malloc((nin * nb + 1) * sizeof(void *));
        arena_t car = {NULL, 0};
        uint64_t *coef = arena_alloc(&car, nin * nb * n);
        bfv_ciphertext_t acc, racc;
        veil_status ts = bfv_ciphertext_init(&acc, ctx);
        if (ts == VEIL_OK)
            ts = bfv_ciphertext_init(&racc, ctx);
        if (vals == NULL || tmp == NULL || row == NULL || xs == NULL ||
            coef == NULL)
            ts = VEIL_ENOMEM;
        KEEP(st, ts);
#pragma omp for schedule(dynamic, 1)
        for (size_t og = 0; og < nout * ng; og++) {
            const size_t o = og / ng, g = og % ng;
            const bfv_ciphertext_t *res = &acc;
            veil_status ls = VEIL_OK;
            size_t T = 0;
            if (ts != VEIL_OK)
                continue;
            /* the terms' plaintexts, as coefficients mod t */
            for (size_t i = 0; i < nin; i++)
                for (size_t b = 0; b < nb; b++) {
                    if (!term_values_conv(vals, L, w, masks, o, i, &L->giant[g],
                                          &L->baby[b]))
                        continue;
                    safenet_he_encode_coeffs(coef + T * n, ctx, vals, tmp);
                    xs[T++] = rotp[i * nb + b];
                }
            if (T == 0)
                continue;
            /* limb by limb, so that acc's rows stay in cache */
            for (size_t li = 0; li < ctx->n_q; li++) {
                const ntt_plan_t *pl = &ctx->plans[li];
                uint64_t *a0 = bfv_ct_row(&acc, 0, li);
                uint64_t *a1 = bfv_ct_row(&acc, 1, li);
                for (size_t tt = 0; tt < T; tt++) {
                    safenet_he_encode_limb(row, ctx, li, coef + tt * n);
                    /* both rows of the term in one pass over row */
                    if (tt == 0)
                        ntt_vec_mul2(pl, a0, a1, bfv_ct_row(xs[tt], 0, li),
                                     bfv_ct_row(xs[tt], 1, li), row);
                    else
                        ntt_vec_muladd2(pl, a0, a1, bfv_ct_row(xs[tt], 0, li),
                                        bfv_ct_row(xs[tt], 1, li), row);
                }
            }
            acc.size = 2;
            acc.seeded = 0;
            if (!rot_is_id(&L->giant[g])) {
                ls = bfv_apply_galois(&racc, &acc, L->giant[g].elt, gk);
                res = &racc;
            }
            if (ls == VEIL_OK) {
#pragma omp critical(safenet_he_sum)
                {
                    if (!have[o]) {
                        ls = bfv_ciphertext_copy(&out[o], res);
                        have[o] = 1;
                    } else {
                        ls = bfv_add(&out[o], &out[o], res);
                    }
                }
            }
            KEEP(st, ls);
        }
        bfv_ciphertext_clear(&acc);
        bfv_ciphertext_clear(&racc);
        /* the buffers held plaintexts made from W */
        if (vals != NULL)
            veil_memzero(vals, n * sizeof(uint64_t));
        if (tmp != NULL)
            veil_memzero(tmp, n * sizeof(uint64_t));
        if (row != NULL)
            veil_memzero(row, n * sizeof(uint64_t));
        if (coef != NULL)
            veil_memzero(coef, car.len);
        arena_free(&car);
        free(vals);
        free(tmp);
        free(row);
        free(xs);
    }
    if (st != VEIL_OK)
        goto done;

reply:
    /* 3. the reply, per output */
#pragma omp parallel for num_threads(veil_team()) schedule(dynamic, 1)
    for (size_t o = 0; o < nout; o++) {
        veil_rng_t r;
        veil_status ls = VEIL_OK;
        veil_rng_init_seed(&r, seeds[o]);
        if (ls == VEIL_OK && !have[o]) {
            /* no term at all (all weights zero): (0, 0) encrypts 0 */
            ls = bfv_ciphertext_copy(&out[o], &in[0]);
            if (ls == VEIL_OK)
                memset(out[o].data, 0, poly * sizeof(uint64_t));
            out[o].seeded = 0;
        }
        if (ls == VEIL_OK)
            ls = reply(&out[o], s, L, o, pk, &r, flags);
        KEEP(st, ls);
        veil_rng_clear(&r);
    }

done:
    if (hs != NULL)
        for (size_t i = 0; i < nin; i++)
            bfv_hoisted_clear(&hs[i]);
    free(hs);
    free(rot); /* data lives in the arena */
    arena_free(&ar);
    free(rotp);
    free(masks);
    free(have);
    if (seeds != NULL)
        veil_memzero(seeds, nout * VEIL_SEED_BYTES);
    free(seeds);
    return st;
}

veil_status safenet_he_eval(bfv_ciphertext_t *out, uint64_t *s,
                            const safenet_he_layer_t *L, const uint64_t *w,
                            const bfv_ciphertext_t *in,
                            const bfv_public_key_t *pk,
                            const bfv_galois_keys_t *gk, veil_rng_t *rng)
{
    return safenet_he_eval_flags(out, s, L, w, in, pk, gk, rng, 0);
}
