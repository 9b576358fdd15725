/*
 * galois.c - Galois keys and automorphisms: apply_galois, rotate_rows (with
 * composition of available steps), rotate_columns and hoisted rotations.
 * doc/06-rotations.md.
 *
 * Rotating (c0, c1) by sigma: X -> X^g, with the key ksk from s to
 * sigma^-1(s):
 *   1. decompose c1 (kswitch.c steps 1-2; shared by every g when hoisted,
 *      fused with step 2 otherwise);
 *   2. (y0, y1) = key switch of c1: y0 + y1 sigma^-1(s) = c1 s + e_ks;
 *   3. out = (sigma(c0 + y0), sigma(y1)), a permutation of NTT-form rows.
 * Then out0 + out1 s = sigma(c0 + c1 s + e_ks): the message is sigma(m).
 */
#include "bfv_internal.h"
#include <string.h>

/* ----------------------------------------------------------- elements */

uint64_t bfv_galois_elt_from_step(const bfv_context_t *ctx, int64_t step)
{
    const int64_t half = (int64_t)(ctx->n / 2);
    const uint64_t m = 2 * (uint64_t)ctx->n;
    /* a left rotation by r is 3^r; ours moves column j to j + step */
    uint64_t r = (uint64_t)(((-step) % half + half) % half);
    uint64_t g = 1, b = 3;
    for (; r > 0; r >>= 1) {
        if (r & 1)
            g = g * b % m;
        b = b * b % m;
    }
    return g;
}

uint64_t bfv_galois_elt_columns(const bfv_context_t *ctx)
{
    return 2 * (uint64_t)ctx->n - 1;
}

int64_t bfv_galois_elt_step(const bfv_context_t *ctx, uint64_t elt)
{
    const uint64_t m = 2 * (uint64_t)ctx->n, half = ctx->n / 2;
    uint64_t g = 1;
    for (uint64_t r = 0; r < half; r++) {
        if (g == elt)
            return (int64_t)((half - r) % half);
        g = g * 3 % m;
    }
    return -1;
}

void bfv_permute_row(uint64_t *out, const uint64_t *in, const uint32_t *perm,
                     size_t n)
{
    VEIL_ASSERT(out != NULL && in != NULL && perm != NULL);
    VEIL_ASSERT(veil_disjoint(out, n * sizeof(*out), in, n * sizeof(*in)));
    for (size_t k = 0; k < n; k++)
        out[k] = in[perm[k]];
}

/* --------------------------------------------------------------- keys */

veil_status bfv_galois_keys_init(bfv_galois_keys_t *gk,
                                 const bfv_context_t *ctx)
{
    if (gk == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(gk, 0, sizeof(*gk));
    gk->ctx = ctx;
    return VEIL_OK;
}

void bfv_galois_keys_clear(bfv_galois_keys_t *gk)
{
    if (gk == NULL)
        return;
    for (size_t i = 0; i < gk->count; i++) {
        veil_free(gk->keys[i].perm);
        bfv_kswitch_key_free(&gk->keys[i].ksk);
    }
    veil_free(gk->keys);
    memset(gk, 0, sizeof(*gk));
}

const bfv_galois_key_t *bfv_galois_keys_find(const bfv_galois_keys_t *gk,
                                             uint64_t elt)
{
    size_t lo = 0, hi;
    if (gk == NULL)
        return NULL;
    hi = gk->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gk->keys[mid].elt == elt)
            return &gk->keys[mid];
        if (gk->keys[mid].elt < elt)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Make room for one more key at sorted position of elt; return its slot. */
static bfv_galois_key_t *insert_slot(bfv_galois_keys_t *gk, uint64_t elt)
{
    size_t pos = 0;
    if (gk->count == gk->capacity) {
        size_t cap = gk->capacity ? 2 * gk->capacity : 8;
        bfv_galois_key_t *k = veil_calloc(cap, sizeof(*k));
        if (k == NULL)
            return NULL;
        if (gk->count)
            memcpy(k, gk->keys, gk->count * sizeof(*k));
        veil_free(gk->keys);
        gk->keys = k;
        gk->capacity = cap;
    }
    while (pos < gk->count && gk->keys[pos].elt < elt)
        pos++;
    memmove(gk->keys + pos + 1, gk->keys + pos,
            (gk->count - pos) * sizeof(*gk->keys));
    memset(gk->keys + pos, 0, sizeof(*gk->keys));
    gk->count++;
    return gk->keys + pos;
}

/* Generate the key for elt into *key (fields allocated here). */
static veil_status make_key(bfv_galois_key_t *key, const bfv_secret_key_t *sk,
                            uint64_t elt, uint64_t *s_to, uint32_t *inv_perm,
                            int8_t *err, veil_rng_t *rng)
{
    const bfv_context_t *ctx = sk->ctx;
    const size_t n = ctx->n;
    veil_status st;

    key->perm = veil_alloc(n * sizeof(uint32_t));
    if (key->perm == NULL)
        return VEIL_ENOMEM;
    st = bfv_kswitch_key_alloc(&key->ksk, ctx);
    if (st != VEIL_OK) {
        veil_free(key->perm);
        key->perm = NULL;
        return st;
    }
    key->elt = elt;
    key->step = bfv_galois_elt_step(ctx, elt);
    bfv_galois_perm(key->perm, ctx, elt);
    /* s_to = sigma^-1(s) on every row of QP: sigma^-1's permutation is
     * the inverse of sigma's (out[k] = in[perm[k]] undone by
     * in[perm[k]] = out[k]) */
    for (size_t k = 0; k < n; k++)
        inv_perm[key->perm[k]] = (uint32_t)k;
    for (size_t i = 0; i < ctx->n_qp; i++)
        bfv_permute_row(s_to + i * n, sk->ntt + i * n, inv_perm, n);
    st = bfv_kswitch_keygen_err(&key->ksk, sk, s_to, sk->ntt, err, rng);
    if (st != VEIL_OK) {
        veil_free(key->perm);
        key->perm = NULL;
        bfv_kswitch_key_free(&key->ksk);
    }
    return st;
}

veil_status bfv_keygen_galois_elts(bfv_galois_keys_t *gk,
                                   const bfv_secret_key_t *sk,
                                   const uint64_t *elts, size_t count,
                                   veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    uint64_t *s_to;
    uint32_t *inv_perm;
    int8_t *err;
    veil_status st = VEIL_OK;

    if (gk == NULL || sk == NULL || rng == NULL || sk->ctx == NULL ||
        gk->ctx != sk->ctx || (elts == NULL && count > 0))
        return VEIL_EINVAL;
    ctx = sk->ctx;
    for (size_t i = 0; i < count; i++)
        if (elts[i] % 2 == 0 || elts[i] >= 2 * (uint64_t)ctx->n)
            return VEIL_EINVAL;
    /* scratch of the whole call: s_to, sigma^-1's permutation and the
     * errors of one key (made once, not per key: fresh pages fault) */
    s_to = veil_alloc(ctx->n_qp * ctx->n * sizeof(uint64_t));
    inv_perm = veil_alloc(ctx->n * sizeof(uint32_t));
    err = veil_alloc(ctx->pre->ks.digits * ctx->n);
    if (s_to == NULL || inv_perm == NULL || err == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < count && st == VEIL_OK; i++) {
        bfv_galois_key_t tmp, *slot;
        if (elts[i] == 1 || bfv_galois_keys_find(gk, elts[i]) != NULL)
            continue;
        memset(&tmp, 0, sizeof(tmp));
        st = make_key(&tmp, sk, elts[i], s_to, inv_perm, err, rng);
        if (st != VEIL_OK)
            break;
        slot = insert_slot(gk, elts[i]);
        if (slot == NULL) {
            veil_free(tmp.perm);
            bfv_kswitch_key_free(&tmp.ksk);
            st = VEIL_ENOMEM;
            break;
        }
        *slot = tmp;
    }
done:
    veil_free_secret(s_to, ctx->n_qp * ctx->n * sizeof(uint64_t));
    veil_free_secret(err, ctx->pre->ks.digits * ctx->n);
    veil_free(inv_perm);
    return st;
}

veil_status bfv_keygen_galois_steps(bfv_galois_keys_t *gk,
                                    const bfv_secret_key_t *sk,
                                    const int64_t *steps, size_t count,
                                    int columns, veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    uint64_t *elts;
    size_t ne = 0;
    veil_status st;

    if (gk == NULL || sk == NULL || sk->ctx == NULL ||
        (steps == NULL && count > 0))
        return VEIL_EINVAL;
    ctx = sk->ctx;
    if (!ctx->batching)
        return VEIL_EPARAM;
    elts = veil_alloc((count + 1) * sizeof(uint64_t));
    if (elts == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < count; i++)
        elts[ne++] = bfv_galois_elt_from_step(ctx, steps[i]);
    if (columns)
        elts[ne++] = bfv_galois_elt_columns(ctx);
    st = bfv_keygen_galois_elts(gk, sk, elts, ne, rng);
    veil_free(elts);
    return st;
}

veil_status bfv_keygen_galois_pow2(bfv_galois_keys_t *gk,
                                   const bfv_secret_key_t *sk, veil_rng_t *rng)
{
    int64_t steps[2 * NTT_MAX_LOGN];
    size_t count = 0;
    if (gk == NULL || sk == NULL || sk->ctx == NULL)
        return VEIL_EINVAL;
    for (int64_t s = 1; s <= (int64_t)sk->ctx->n / 4; s *= 2) {
        steps[count++] = s;
        steps[count++] = -s;
    }
    return bfv_keygen_galois_steps(gk, sk, steps, count, 1, rng);
}

/* ---------------------------------------------------------- rotations */

/* Scratch of one key switch: the key-switching work area and y. */
typedef struct {
    uint64_t *work; /* bfv_ks_work_words */
    uint64_t *y;    /* 2 x L x n */
} galois_work_t;

static veil_status work_alloc(galois_work_t *w, const bfv_context_t *ctx)
{
    const size_t words = bfv_ks_work_words(ctx);
    w->work = bfv_scratch(BFV_SCRATCH_KS, words + 2 * ctx->n_q * ctx->n);
    w->y = w->work == NULL ? NULL : w->work + words;
    return w->work == NULL ? VEIL_ENOMEM : VEIL_OK;
}

/* Step 3 from the key-switched c1 in w->y and the given c0 (L rows): a
 * permutation (a gather, costed as a transform per word) and an add.  out
 * already has size 2 and may share its c0 rows with c0. */
static void galois_finish(bfv_ciphertext_t *out, const uint64_t *c0,
                          const bfv_galois_key_t *key, galois_work_t *w)
{
    const bfv_context_t *ctx = out->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
#pragma omp parallel for num_threads(veil_team()) schedule(static)             \
    collapse(2) if (bfv_par(2 * L * n * BFV_WORK_NTT))
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < L; i++) {
            /* y0 + c0 first: out's rows may be c0's own */
            uint64_t *yk = w->y + (k * L + i) * n;
            if (k == 0)
                ntt_vec_add(&ctx->plans[i], yk, yk, c0 + i * n);
            bfv_permute_row(bfv_ct_row(out, k, i), yk, key->perm, n);
        }
    }
}

/* out = sigma_key(ct) for a size-2 ct (out may be ct): steps 1-2 fused
 * (bfv_ks_switch), the same bits as the hoisted path. */
static veil_status apply_key(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                             const bfv_galois_key_t *key)
{
    galois_work_t w;
    veil_status st = work_alloc(&w, ct->ctx);
    if (st != VEIL_OK)
        return st;
    bfv_ks_switch(w.y, ct->ctx, bfv_ct_row(ct, 1, 0), &key->ksk, w.work);
    st = bfv_ciphertext_resize(out, 2, 1);
    if (st == VEIL_OK)
        galois_finish(out, bfv_ct_row(ct, 0, 0), key, &w);
    return st;
}

static int ct_ok(const bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                 const bfv_galois_keys_t *gk)
{
    return out != NULL && ct != NULL && gk != NULL && ct->ctx != NULL &&
           out->ctx == ct->ctx && gk->ctx == ct->ctx && ct->size == 2;
}

veil_status bfv_apply_galois(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                             uint64_t elt, const bfv_galois_keys_t *gk)
{
    const bfv_galois_key_t *key;
    if (!ct_ok(out, ct, gk) || elt % 2 == 0 || elt >= 2 * (uint64_t)ct->ctx->n)
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    if (elt == 1)
        return bfv_ciphertext_copy(out, ct);
    key = bfv_galois_keys_find(gk, elt);
    if (key == NULL)
        return VEIL_ENOKEY;
    return apply_key(out, ct, key);
}

veil_status bfv_rotate_columns(bfv_ciphertext_t *out,
                               const bfv_ciphertext_t *ct,
                               const bfv_galois_keys_t *gk)
{
    if (ct == NULL || ct->ctx == NULL)
        return VEIL_EINVAL;
    return bfv_apply_galois(out, ct, bfv_galois_elt_columns(ct->ctx), gk);
}

/* Append to seq the signed powers of two of the non-adjacent form of r
 * (|r| <= n/4), if every one has a key; returns the count or -1. */
static long naf_plan(const bfv_galois_key_t **seq, const bfv_galois_keys_t *gk,
                     int64_t r)
{
    const bfv_context_t *ctx = gk->ctx;
    long len = 0;
    for (int64_t bit = 1; r != 0; bit *= 2) {
        if (r & 1) {
            /* digit +-1: choose so that the rest is divisible by 4 */
            int64_t dgt = (r & 3) == 3 ? -1 : 1;
            const bfv_galois_key_t *k = bfv_galois_keys_find(
                gk, bfv_galois_elt_from_step(ctx, dgt * bit));
            if (k == NULL)
                return -1;
            seq[len++] = k;
            r -= dgt;
        }
        r /= 2;
    }
    return len;
}

/* Shortest sequence of available row steps summing to r mod n/2
 * (breadth-first search over Z_{n/2}); returns the count or -1. */
static long bfs_plan(const bfv_galois_key_t **seq, const bfv_galois_keys_t *gk,
                     int64_t r, int32_t *from, int32_t *via)
{
    const int64_t half = (int64_t)(gk->ctx->n / 2);
    int32_t *queue = from + half; /* from and queue share one allocation */
    size_t head = 0, tail = 0;
    long len = 0;

    for (int64_t v = 0; v < half; v++)
        from[v] = -1;
    from[0] = 0;
    queue[tail++] = 0;
    while (head < tail && from[r] < 0) {
        int64_t v = queue[head++];
        for (size_t j = 0; j < gk->count; j++) {
            int64_t s = gk->keys[j].step;
            int64_t w;
            if (s <= 0)
                continue;
            w = (v + s) % half;
            if (from[w] < 0) {
                from[w] = (int32_t)v;
                via[w] = (int32_t)j;
                queue[tail++] = (int32_t)w;
            }
        }
    }
    if (from[r] < 0)
        return -1;
    for (int64_t v = r; v != 0; v = from[v])
        seq[len++] = &gk->keys[via[v]];
    return len;
}

veil_status bfv_rotate_rows(bfv_ciphertext_t *out, const bfv_ciphertext_t *ct,
                            int64_t k, const bfv_galois_keys_t *gk)
{
    const bfv_galois_key_t *direct, **seq;
    int64_t half, r;
    long len;
    veil_status st;

    if (!ct_ok(out, ct, gk))
        return VEIL_EINVAL;
    if (!ct->ctx->batching)
        return VEIL_EPARAM;
    half = (int64_t)(ct->ctx->n / 2);
    r = (k % half + half) % half;
    if (r == 0)
        return bfv_ciphertext_copy(out, ct);
    direct = bfv_galois_keys_find(gk, bfv_galois_elt_from_step(ct->ctx, r));
    if (direct != NULL)
        return apply_key(out, ct, direct);

    /* compose: the non-adjacent form over power-of-two keys when they are
     * all there, else a shortest path over whatever steps exist */
    seq = veil_alloc((size_t)half * sizeof(*seq) +
                     3 * (size_t)half * sizeof(int32_t));
    if (seq == NULL)
        return VEIL_ENOMEM;
    len = naf_plan(seq, gk, r <= half / 2 ? r : r - half);
    if (len < 0) {
        int32_t *from = (int32_t *)(seq + half);
        len = bfs_plan(seq, gk, r, from, from + 2 * half);
    }
    st = len < 0 ? VEIL_ENOKEY : VEIL_OK;
    for (long i = 0; i < len && st == VEIL_OK; i++)
        st = apply_key(out, i == 0 ? ct : out, seq[i]);
    veil_free(seq);
    return st;
}

/* ------------------------------------------------------------ hoisting */

veil_status bfv_hoisted_init(bfv_hoisted_t *h, const bfv_context_t *ctx)
{
    if (h == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(h, 0, sizeof(*h));
    h->c0 = veil_alloc(ctx->n_q * ctx->n * sizeof(uint64_t));
    h->digits = veil_alloc(bfv_ks_digits_words(ctx) * sizeof(uint64_t));
    if (h->c0 == NULL || h->digits == NULL) {
        veil_free(h->c0);
        veil_free(h->digits);
        memset(h, 0, sizeof(*h));
        return VEIL_ENOMEM;
    }
    h->ctx = ctx;
    return VEIL_OK;
}

void bfv_hoisted_clear(bfv_hoisted_t *h)
{
    if (h == NULL)
        return;
    veil_free(h->c0);
    veil_free(h->digits);
    memset(h, 0, sizeof(*h));
}

veil_status bfv_hoisted_prepare(bfv_hoisted_t *h, const bfv_ciphertext_t *ct)
{
    const bfv_context_t *ctx;
    uint64_t *tmp;
    if (h == NULL || ct == NULL || h->ctx == NULL || ct->ctx != h->ctx ||
        ct->size != 2)
        return VEIL_EINVAL;
    ctx = ct->ctx;
    tmp = bfv_scratch(BFV_SCRATCH_TMP, ctx->n_q * ctx->n);
    if (tmp == NULL)
        return VEIL_ENOMEM;
    memcpy(h->c0, bfv_ct_row(ct, 0, 0), ctx->n_q * ctx->n * sizeof(uint64_t));
    bfv_ks_decompose(h->digits, ctx, bfv_ct_row(ct, 1, 0), tmp);
    h->ready = 1;
    return VEIL_OK;
}

/* out = the prepared ciphertext itself: c1 row i is row i of the digit
 * containing q_i (digits keep their own rows untransformed). */
static veil_status hoisted_copy(bfv_ciphertext_t *out, const bfv_hoisted_t *h)
{
    const bfv_context_t *ctx = h->ctx;
    const size_t n = ctx->n;
    veil_status st = bfv_ciphertext_resize(out, 2, 0);
    if (st != VEIL_OK)
        return st;
    memcpy(bfv_ct_row(out, 0, 0), h->c0, ctx->n_q * n * sizeof(uint64_t));
    for (size_t i = 0; i < ctx->n_q; i++) {
        size_t d = i / ctx->n_p;
        memcpy(bfv_ct_row(out, 1, i), h->digits + (d * ctx->n_qp + i) * n,
               n * sizeof(uint64_t));
    }
    return VEIL_OK;
}

veil_status bfv_hoisted_apply_galois(bfv_ciphertext_t *out,
                                     const bfv_hoisted_t *h, uint64_t elt,
                                     const bfv_galois_keys_t *gk)
{
    const bfv_galois_key_t *key;
    galois_work_t w;
    veil_status st;

    if (out == NULL || h == NULL || gk == NULL || h->ctx == NULL || !h->ready ||
        out->ctx != h->ctx || gk->ctx != h->ctx || elt % 2 == 0 ||
        elt >= 2 * (uint64_t)h->ctx->n)
        return VEIL_EINVAL;
    if (elt == 1)
        return hoisted_copy(out, h);
    key = bfv_galois_keys_find(gk, elt);
    if (key == NULL)
        return VEIL_ENOKEY;
    st = work_alloc(&w, h->ctx);
    if (st != VEIL_OK)
        return st;
    bfv_ks_apply(w.y, h->ctx, h->digits, &key->ksk, w.work);
    st = bfv_ciphertext_resize(out, 2, 0);
    if (st == VEIL_OK)
        galois_finish(out, h->c0, key, &w);
    return st;
}

veil_status bfv_hoisted_rotate_rows(bfv_ciphertext_t *out,
                                    const bfv_hoisted_t *h, int64_t k,
                                    const bfv_galois_keys_t *gk)
{
    if (h == NULL || h->ctx == NULL)
        return VEIL_EINVAL;
    if (!h->ctx->batching)
        return VEIL_EPARAM;
    return bfv_hoisted_apply_galois(out, h, bfv_galois_elt_from_step(h->ctx, k),
                                    gk);
}

veil_status bfv_rotate_rows_many(bfv_ciphertext_t *outs,
                                 const bfv_ciphertext_t *ct,
                                 const int64_t *steps, size_t count,
                                 const bfv_galois_keys_t *gk)
{
    bfv_hoisted_t h;
    uint64_t *mem;
    veil_status st;
    if (outs == NULL || ct == NULL || ct->ctx == NULL ||
        (steps == NULL && count > 0))
        return VEIL_EINVAL;
    /* a hoisted object living in the thread's HOIST scratch (not
     * bfv_hoisted_init: no fresh megabytes on every call) */
    const bfv_context_t *ctx = ct->ctx;
    const size_t c0_words = ctx->n_q * ctx->n;
    mem = bfv_scratch(BFV_SCRATCH_HOIST, c0_words + bfv_ks_digits_words(ctx));
    if (mem == NULL)
        return VEIL_ENOMEM;
    h.ctx = ctx;
    h.ready = 0;
    h.c0 = mem;
    h.digits = mem + c0_words;
    st = bfv_hoisted_prepare(&h, ct);
    for (size_t i = 0; i < count && st == VEIL_OK; i++)
        st = bfv_hoisted_rotate_rows(&outs[i], &h, steps[i], gk);
    return st;
}

/* ------------------------------------------------- sums of rotations */

/* The lazy accumulator (bfv.h, doc/06 "Sums of rotations").  Its meaning:
 * r = (c_0, c_1) with c_0 = round(z / P) mod Q.  Write Phi = z + P c_1 s
 * mod QP (P times the phase, before rounding).  A step with input
 * (w, c) -- w in QP (P c_0 of an ordinary ciphertext, or r's own z) --
 * key-switches c: x_0 + x_1 s' = P c s + E, s' = sigma^-1(s); divides x_1
 * only, y_1 = (x_1 - u_1) / P with |u_1| <= P/2 (exactly, mod Q); and sets
 *     z   <- keep z   + sigma(w + x_0),
 *     c_1 <- keep c_1 + sigma(y_1).
 * Then Phi grows by sigma(w + x_0 + (x_1 - u_1) s') = sigma(w + P c s + E -
 * u_1 s') = sigma(Phi_in) + sigma(E - u_1 s'): the input's phase, rotated,
 * plus (E - u_1 s') / P after the final division -- bfv_apply_galois adds
 * (E - u_0 - u_1 s') / P, with |u_0| <= P/2 more.  bfv_rotsum_finish
 * rounds once: c_0 = (z - u) / P, |u| <= P/2, so c_0 + c_1 s = (Phi - u) / P
 * mod Q.  Every step's error is thus at most the bfv_apply_galois one
 * less u_0 / P, and the finish adds |u / P| <= 1/2 once.  With K >= 2 the
 * fast base conversion of mod_down adds a few units to u, as for every
 * key switch (doc/05). */

static int rotsum_ct_ok(const bfv_rotsum_t *r, const bfv_ciphertext_t *ct)
{
    return r != NULL && r->ctx != NULL && r->z != NULL && ct != NULL &&
           ct->ctx == r->ctx && ct->size == 2;
}

veil_status bfv_rotsum_init(bfv_rotsum_t *r, const bfv_context_t *ctx)
{
    if (r == NULL || ctx == NULL)
        return VEIL_EINVAL;
    memset(r, 0, sizeof(*r));
    r->z = veil_alloc((ctx->n_qp + ctx->n_q) * ctx->n * sizeof(uint64_t));
    if (r->z == NULL)
        return VEIL_ENOMEM;
    r->c1 = r->z + ctx->n_qp * ctx->n;
    r->ctx = ctx;
    bfv_rotsum_zero(r);
    return VEIL_OK;
}

void bfv_rotsum_clear(bfv_rotsum_t *r)
{
    if (r == NULL)
        return;
    veil_free(r->z);
    memset(r, 0, sizeof(*r));
}

void bfv_rotsum_zero(bfv_rotsum_t *r)
{
    if (r == NULL || r->z == NULL)
        return;
    memset(r->z, 0,
           (r->ctx->n_qp + r->ctx->n_q) * r->ctx->n * sizeof(uint64_t));
}

veil_status bfv_rotsum_add(bfv_rotsum_t *r, const bfv_ciphertext_t *ct)
{
    if (!rotsum_ct_ok(r, ct))
        return VEIL_EINVAL;
    VEIL_ASSERT(bfv_ct_reduced(ct));
    const bfv_context_t *ctx = r->ctx;
    const size_t n = ctx->n, L = ctx->n_q;
    const uint64_t *pmq = ctx->pre->ks.p_mod_q;
    uint64_t *tmp = bfv_scratch(BFV_SCRATCH_TMP, L * n);
    if (tmp == NULL)
        return VEIL_ENOMEM;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(4 * L * n))
    for (size_t i = 0; i < L; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        uint64_t *zi = r->z + i * n, *ti = tmp + i * n;
        /* z += P c_0 (P = 0 mod the special primes: those rows keep) */
        ntt_vec_mul_scalar(pl, ti, bfv_ct_row(ct, 0, i), pmq[i]);
        ntt_vec_add(pl, zi, zi, ti);
        ntt_vec_add(pl, r->c1 + i * n, r->c1 + i * n, bfv_ct_row(ct, 1, i));
    }
    return VEIL_OK;
}

/* out = (keep ? out : 0) + in[perm[.]] mod q, one row. */
static void permute_acc(uint64_t *out, const uint64_t *in, const uint32_t *perm,
                        size_t n, uint64_t q, int keep)
{
    if (!keep) {
        bfv_permute_row(out, in, perm, n);
        return;
    }
    for (size_t k = 0; k < n; k++)
        out[k] = ntt_add_mod(out[k], in[perm[k]], q);
}

/* r = keep r + sigma_key(w, c): w is P c_0 of an ordinary ciphertext
 * (c0 != NULL, L rows) or r's own z (c0 == NULL); c is the c_1 to
 * key-switch (may be r->c1).  See the comment above. */
static veil_status rotsum_step(bfv_rotsum_t *r, const uint64_t *c0,
                               const uint64_t *c, const bfv_galois_key_t *key,
                               int keep)
{
    const bfv_context_t *ctx = r->ctx;
    const size_t n = ctx->n, L = ctx->n_q, LK = ctx->n_qp;
    const uint64_t *pmq = ctx->pre->ks.p_mod_q;
    galois_work_t w;
    uint64_t *x;
    veil_status st = work_alloc(&w, ctx);
    if (st != VEIL_OK)
        return st;
    x = bfv_ks_switch_ext(ctx, c, &key->ksk, w.work);
    /* c_1 part: y_1 = round(x_1 / P) into w.y (L rows) */
    bfv_ks_mod_down(w.y, ctx, x + LK * n, 1);
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par((LK + L) * n * BFV_WORK_NTT))
    for (size_t j = 0; j < LK + L; j++) {
        if (j < LK) {
            /* z_j = keep z_j + sigma(w_j + x_0,j) */
            const ntt_plan_t *pl = &ctx->plans[j];
            uint64_t *xj = x + j * n, *zj = r->z + j * n;
            if (c0 == NULL)
                ntt_vec_add(pl, xj, xj, zj);
            else if (j < L) { /* + P c_0 (0 mod the special primes) */
                uint64_t *tj = w.y + (L + j) * n; /* free: y_1 is L rows */
                ntt_vec_mul_scalar(pl, tj, c0 + j * n, pmq[j]);
                ntt_vec_add(pl, xj, xj, tj);
            }
            permute_acc(zj, xj, key->perm, n, pl->q, keep);
        } else {
            const size_t i = j - LK;
            permute_acc(r->c1 + i * n, w.y + i * n, key->perm, n,
                        ctx->plans[i].q, keep);
        }
    }
    return VEIL_OK;
}

static veil_status rotsum_key(const bfv_galois_key_t **key,
                              const bfv_rotsum_t *r, uint64_t elt,
                              const bfv_galois_keys_t *gk)
{
    if (r == NULL || r->ctx == NULL || r->z == NULL || gk == NULL ||
        gk->ctx != r->ctx || elt % 2 == 0 || elt >= 2 * (uint64_t)r->ctx->n)
        return VEIL_EINVAL;
    *key = elt == 1 ? NULL : bfv_galois_keys_find(gk, elt);
    return elt != 1 && *key == NULL ? VEIL_ENOKEY : VEIL_OK;
}

veil_status bfv_rotsum_add_galois(bfv_rotsum_t *r, const bfv_ciphertext_t *ct,
                                  uint64_t elt, const bfv_galois_keys_t *gk)
{
    const bfv_galois_key_t *key;
    veil_status st;
    if (!rotsum_ct_ok(r, ct))
        return VEIL_EINVAL;
    if ((st = rotsum_key(&key, r, elt, gk)) != VEIL_OK)
        return st;
    if (key == NULL)
        return bfv_rotsum_add(r, ct);
    VEIL_ASSERT(bfv_ct_reduced(ct));
    return rotsum_step(r, bfv_ct_row(ct, 0, 0), bfv_ct_row(ct, 1, 0), key, 1);
}

veil_status bfv_rotsum_apply_galois(bfv_rotsum_t *r, uint64_t elt,
                                    const bfv_galois_keys_t *gk)
{
    const bfv_galois_key_t *key;
    veil_status st = rotsum_key(&key, r, elt, gk);
    if (st != VEIL_OK || key == NULL)
        return st;
    return rotsum_step(r, NULL, r->c1, key, 0);
}

veil_status bfv_rotsum_fold(bfv_rotsum_t *r, uint64_t elt,
                            const bfv_galois_keys_t *gk)
{
    const bfv_galois_key_t *key;
    veil_status st = rotsum_key(&key, r, elt, gk);
    if (st != VEIL_OK)
        return st;
    if (key == NULL) { /* r += r */
        const bfv_context_t *ctx = r->ctx;
        for (size_t j = 0; j < ctx->n_qp + ctx->n_q; j++) {
            const ntt_plan_t *pl =
                &ctx->plans[j < ctx->n_qp ? j : j - ctx->n_qp];
            uint64_t *row = r->z + j * ctx->n;
            ntt_vec_add(pl, row, row, row);
        }
        return VEIL_OK;
    }
    return rotsum_step(r, NULL, r->c1, key, 1);
}

veil_status bfv_rotsum_finish(bfv_ciphertext_t *out, const bfv_rotsum_t *r)
{
    const bfv_context_t *ctx;
    galois_work_t w;
    veil_status st;
    if (out == NULL || r == NULL || r->ctx == NULL || r->z == NULL ||
        out->ctx != r->ctx)
        return VEIL_EINVAL;
    ctx = r->ctx;
    if ((st = work_alloc(&w, ctx)) != VEIL_OK)
        return st;
    if ((st = bfv_ciphertext_resize(out, 2, 0)) != VEIL_OK)
        return st;
    /* the division destroys its input: a copy in the work area */
    memcpy(w.work, r->z, ctx->n_qp * ctx->n * sizeof(uint64_t));
    bfv_ks_mod_down(bfv_ct_row(out, 0, 0), ctx, w.work, 1);
    memcpy(bfv_ct_row(out, 1, 0), r->c1, ctx->n_q * ctx->n * sizeof(uint64_t));
    return VEIL_OK;
}
