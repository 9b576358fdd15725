/*
 * he_eval.c - the server's side of the offline linear layer (he.h):
 * Enc(W r - s), re-randomised.  doc/22-safenet-he.md, "Evaluation".
 *
 *   1. Baby rotations: one hoisted decomposition per input ciphertext
 *      (bfv_hoisted_prepare) and one bfv_hoisted_apply_galois per baby
 *      rotation (kernel offsets, plus channel shifts below the split b1).
 *   2. For every (output o, giant g): acc = sum_{i, b} P (.) rot_b(x_i),
 *      P made on the fly from W (he_encode.c) and skipped when it is all
 *      zero, accumulated in NTT form (ntt_vec_muladd); then rot_g(acc)
 *      (one full rotation unless g is the identity).
 *   3. For every output: the sum over g in a fixed order, the fold
 *      rotations (dense), then the reply: + Enc_pk(-mask) (mask uniform in
 *      every slot; the server's share s is the mask at the output slots)
 *      and + F (he_flood.c).
 *
 * Why not LoLa's executor (nn_lola_step_exec, lola_exec.c)?  Its programs
 * keep every coefficient plaintext in NTT form with Shoup constants,
 * built before the run (nn_lola_coefs_init): 4608 plaintexts of 512 KiB
 * for CNN-7's second convolution (2.3 GiB), and its coefficient sources
 * are int32 matrix entries, where Delphi's weights are elements of a
 * 41-bit field.  This file makes each plaintext right before its product.
 *
 * Slot P[u] of the term (o, g, i, b): the accumulator slot u is read by
 * output slot rot_g^-1(u), so it feeds output element acc_map[o][rot_g^-1
 * (u)]; the input slot it multiplies is rot_b's source of u, holding
 * element in_map[i][src_b(u)]; P[u] is the weight between the two (0
 * outside the kernel window, in padding, or for unused slots).
 *
 * Threads: step 1 over inputs then (input, baby) pairs, step 2 over
 * (output, giant) pairs, step 3 over outputs, each with its own random
 * generator seeded from rng in a fixed order: the result does not depend
 * on the number of threads.
 */
#include "he_internal.h"
#include <stdlib.h>
#include <string.h>

/* What a slot holds: conv (channel, y, x) with y, x already shifted for
 * outputs (oy stride - pad, ox stride - pad); dense: ch = element. */
typedef struct {
    int32_t ch;
    int16_t y, x;
} dec_t;

static void decompose(dec_t *d, const safenet_he_layer_t *L, int out)
{
    const safenet_he_shape_t *sh = &L->shape;
    const size_t n = L->n, cts = out ? L->out_ct : L->in_ct;
    const int32_t *map = out ? L->acc_map : L->in_map;
    for (size_t k = 0; k < cts * n; k++) {
        int32_t e = map[k];
        dec_t v = {-1, 0, 0};
        if (e >= 0) {
            if (sh->kind == SAFENET_HE_DENSE) {
                v.ch = e;
            } else if (out) {
                size_t plane = L->oh * L->ow, p = (size_t)e % plane;
                v.ch = (int32_t)((size_t)e / plane);
                v.y = (int16_t)((int)(p / L->ow) * (int)sh->stride -
                                (int)sh->pad);
                v.x = (int16_t)((int)(p % L->ow) * (int)sh->stride -
                                (int)sh->pad);
            } else {
                size_t plane = (size_t)sh->h * sh->w, p = (size_t)e % plane;
                v.ch = (int32_t)((size_t)e / plane);
                v.y = (int16_t)(p / sh->w);
                v.x = (int16_t)(p % sh->w);
            }
        }
        d[k] = v;
    }
}

/* The slot values of term (o, g, i, b); returns whether any is non-zero. */
static int term_values(uint64_t *vals, const safenet_he_layer_t *L,
                       const uint64_t *w, const dec_t *od, const dec_t *id,
                       const safenet_he_rot_t *g, const safenet_he_rot_t *b)
{
    const safenet_he_shape_t *sh = &L->shape;
    const size_t n = L->n, h = n / 2;
    const uint32_t ginv = (uint32_t)((h - g->shift) % h);
    const int dense = sh->kind == SAFENET_HE_DENSE;
    const int k = (int)sh->k;
    const size_t cin = sh->c_in;
    int any = 0;
    for (size_t u = 0; u < n; u++) {
        const size_t row = u / h, col = u % h;
        const dec_t *y = &od[((row ^ g->swap) * h) + ((col + ginv) & (h - 1))];
        uint64_t v = 0;
        if (y->ch >= 0) {
            const dec_t *x =
                &id[((row ^ b->swap) * h) + ((col + b->shift) & (h - 1))];
            if (x->ch >= 0) {
                if (dense) {
                    v = w[(size_t)y->ch * cin + (size_t)x->ch];
                } else {
                    int ky = x->y - y->y, kx = x->x - y->x;
                    if ((unsigned)ky < (unsigned)k &&
                        (unsigned)kx < (unsigned)k)
                        v = w[(((size_t)y->ch * cin + (size_t)x->ch) *
                                   (size_t)k +
                               (size_t)ky) *
                                  (size_t)k +
                              (size_t)kx];
                }
            }
        }
        vals[u] = v;
        any |= v != 0;
    }
    return any;
}

/* acc (+)= x (.) P, P in NTT form (L x n); first: acc = x (.) P. */
static void mac(bfv_ciphertext_t *acc, const bfv_ciphertext_t *x,
                const uint64_t *P, int first)
{
    const bfv_context_t *ctx = acc->ctx;
    const size_t n = ctx->n;
    for (size_t i = 0; i < ctx->n_q; i++)
        for (size_t c = 0; c < 2; c++) {
            uint64_t *a = bfv_ct_row(acc, c, i);
            const uint64_t *xr = bfv_ct_row(x, c, i);
            if (first)
                ntt_vec_mul(&ctx->plans[i], a, xr, P + i * n);
            else
                ntt_vec_muladd(&ctx->plans[i], a, xr, P + i * n);
        }
    acc->size = 2;
    acc->seeded = 0;
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

static void cts_clear(bfv_ciphertext_t *c, size_t count)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        bfv_ciphertext_clear(&c[i]);
    free(c);
}

static veil_status cts_init(bfv_ciphertext_t **c, size_t count,
                            const bfv_context_t *ctx)
{
    veil_status st = VEIL_OK;
    *c = calloc(count ? count : 1, sizeof(bfv_ciphertext_t));
    if (*c == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < count && st == VEIL_OK; i++)
        st = bfv_ciphertext_init(&(*c)[i], ctx);
    return st;
}

#define KEEP(var, expr)                                                        \
    do {                                                                       \
        veil_status s_ = (expr);                                               \
        if (s_ != VEIL_OK) {                                                   \
            _Pragma("omp critical(safenet_he_status)") if (var == VEIL_OK)     \
                var = s_;                                                      \
        }                                                                      \
    } while (0)

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

    dec_t *od = malloc(nout * n * sizeof(dec_t));
    dec_t *id = malloc(nin * n * sizeof(dec_t));
    bfv_ciphertext_t *rot = NULL, *part = NULL;
    bfv_hoisted_t *hs = calloc(nin, sizeof(bfv_hoisted_t));
    uint8_t *have = calloc(nout * ng, 1);
    uint8_t(*seeds)[VEIL_SEED_BYTES] = malloc(nout * VEIL_SEED_BYTES);
    int need_hoist = 0;
    if (od == NULL || id == NULL || hs == NULL || have == NULL ||
        seeds == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t o = 0; o < nout; o++)
        veil_rng_bytes(rng, seeds[o], VEIL_SEED_BYTES);
    decompose(od, L, 1);
    decompose(id, L, 0);
    if ((st = cts_init(&rot, nin * nb, ctx)) != VEIL_OK ||
        (st = cts_init(&part, nout * ng, ctx)) != VEIL_OK)
        goto done;
    for (size_t b = 0; b < nb; b++)
        need_hoist |= !rot_is_id(&L->baby[b]);

    /* 1. baby rotations */
    if (need_hoist) {
        for (size_t i = 0; i < nin && st == VEIL_OK; i++)
            st = bfv_hoisted_init(&hs[i], ctx);
        if (st != VEIL_OK)
            goto done;
#pragma omp parallel for schedule(dynamic, 1)
        for (size_t i = 0; i < nin; i++)
            KEEP(st, bfv_hoisted_prepare(&hs[i], &in[i]));
        if (st != VEIL_OK)
            goto done;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t ib = 0; ib < nin * nb; ib++) {
        const size_t i = ib / nb, b = ib % nb;
        if (rot_is_id(&L->baby[b]))
            KEEP(st, bfv_ciphertext_copy(&rot[ib], &in[i]));
        else
            KEEP(st, bfv_hoisted_apply_galois(&rot[ib], &hs[i], L->baby[b].elt,
                                              gk));
    }
    if (st != VEIL_OK)
        goto done;

        /* 2. products and giant rotations, per (output, giant) */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t og = 0; og < nout * ng; og++) {
        const size_t o = og / ng, g = og % ng;
        uint64_t *vals = malloc(n * sizeof(uint64_t));
        uint64_t *tmp = malloc(n * sizeof(uint64_t));
        uint64_t *P = malloc(ctx->n_q * n * sizeof(uint64_t));
        bfv_ciphertext_t acc;
        int first = 1;
        veil_status ls = bfv_ciphertext_init(&acc, ctx);
        if (vals == NULL || tmp == NULL || P == NULL)
            ls = VEIL_ENOMEM;
        for (size_t i = 0; i < nin && ls == VEIL_OK; i++)
            for (size_t b = 0; b < nb; b++) {
                if (!term_values(vals, L, w, od + o * n, id + i * n,
                                 &L->giant[g], &L->baby[b]))
                    continue;
                safenet_he_encode_ntt(P, ctx, vals, tmp);
                mac(&acc, &rot[i * nb + b], P, first);
                first = 0;
            }
        if (ls == VEIL_OK && !first) {
            if (rot_is_id(&L->giant[g]))
                ls = bfv_ciphertext_copy(&part[og], &acc);
            else
                ls = bfv_apply_galois(&part[og], &acc, L->giant[g].elt, gk);
            have[og] = 1;
        }
        KEEP(st, ls);
        bfv_ciphertext_clear(&acc);
        if (vals != NULL)
            veil_memzero(vals, n * sizeof(uint64_t));
        free(vals);
        free(tmp);
        free(P);
    }
    if (st != VEIL_OK)
        goto done;

        /* 3. sums, folds and the reply, per output */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t o = 0; o < nout; o++) {
        veil_rng_t r;
        bfv_ciphertext_t tmp;
        int first = 1;
        veil_status ls = bfv_ciphertext_init(&tmp, ctx);
        veil_rng_init_seed(&r, seeds[o]);
        for (size_t g = 0; g < ng && ls == VEIL_OK; g++) {
            if (!have[o * ng + g])
                continue;
            ls = first ? bfv_ciphertext_copy(&out[o], &part[o * ng + g])
                       : bfv_add(&out[o], &out[o], &part[o * ng + g]);
            first = 0;
        }
        if (ls == VEIL_OK && first) {
            /* no term at all (all weights zero): an encryption of 0 with
             * zero noise is (0, 0) */
            ls = bfv_ciphertext_copy(&out[o], &in[0]);
            if (ls == VEIL_OK)
                memset(out[o].data, 0, 2 * ctx->n_q * n * sizeof(uint64_t));
            out[o].seeded = 0;
        }
        for (size_t f = 0; f < L->nfold && ls == VEIL_OK; f++) {
            ls = bfv_apply_galois(&tmp, &out[o], L->fold[f].elt, gk);
            if (ls == VEIL_OK)
                ls = bfv_add(&out[o], &out[o], &tmp);
        }
        if (ls == VEIL_OK)
            ls = reply(&out[o], s, L, o, pk, &r, flags);
        KEEP(st, ls);
        bfv_ciphertext_clear(&tmp);
        veil_rng_clear(&r);
    }

done:
    if (hs != NULL)
        for (size_t i = 0; i < nin; i++)
            bfv_hoisted_clear(&hs[i]);
    free(hs);
    cts_clear(rot, nin * nb);
    cts_clear(part, nout * ng);
    free(od);
    free(id);
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
