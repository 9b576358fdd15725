/*
 * lola/answer.c - the answer path: the server's last step (mask the slots
 * that are not outputs, re-randomize, flood, switch to the fewest limbs
 * and then to two powers of two, in the subring of dimension n/2 when the
 * output layout allows ring switching: bfv.h, "ring switching"),
 * the client's decryption of it, and its wire form (lola_wire.h, "VLAN").
 * Why each step, and what each side learns: doc/11-lola.md, "Threat
 * model".
 */
#include "internal.h"
#include "veil/bfv_serial.h"
#include "veil/lola_wire.h"
#include <flint/fmpz.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_ANSWER 0x4e414c56u /* "VLAN" little-endian */
#define ANSWER_RINGSW 1u         /* flag: ring-switched ciphertexts     */

void lola_answer_clear(lola_answer_t *a)
{
    if (a == NULL)
        return;
    if (a->ct != NULL)
        for (size_t i = 0; i < a->ncomp * a->nct; i++)
            bfv_ms_ciphertext_clear(&a->ct[i]);
    free(a->ct);
    memset(a, 0, sizeof(*a));
}

static veil_status answer_init(lola_answer_t *a, const lola_setup_t *su,
                               size_t nct, int ringsw)
{
    veil_status st = VEIL_OK;
    memset(a, 0, sizeof(*a));
    if (nct == 0 || (ringsw && (!su->ringsw || su->sub == NULL)))
        return VEIL_EINVAL;
    a->ct = calloc(su->ncomp * nct, sizeof(bfv_ms_ciphertext_t));
    if (a->ct == NULL)
        return VEIL_ENOMEM;
    a->ncomp = su->ncomp;
    a->nct = nct;
    a->ringsw = ringsw;
    for (size_t c = 0; c < su->ncomp && st == VEIL_OK; c++)
        for (size_t i = 0; i < nct && st == VEIL_OK; i++)
            st = bfv_ms_ciphertext_init(&a->ct[c * nct + i],
                                        ringsw ? &su->sub[c] : &su->ctx[c]);
    if (st != VEIL_OK)
        lola_answer_clear(a);
    return st;
}

/* ---------------------------------------------------- ring switching */

/* The slot ring switching adds to slot s (bfv_ringsw_partner_slot):
 * column + n/4 mod n/2 of the same row. */
static size_t partner(size_t n, size_t s)
{
    const size_t h = n / 2;
    return (s / h) * h + (s % h + n / 4) % h;
}

/* 1 if a slot of map entry e carries the result: an element or a share. */
static int carries(int32_t e)
{
    return e >= 0 || LOLA_IS_SHARE(e);
}

int lola_layout_ringsw(const lola_layout_t *l)
{
    if (l == NULL || l->n < 8 || (l->n & (l->n - 1)) != 0)
        return 0;
    for (size_t m = 0; m < l->nct; m++)
        for (size_t s = 0; s < l->n; s++)
            if (carries(lola_layout_at(l, m, s)) &&
                lola_layout_at(l, m, partner(l->n, s)) != LOLA_ZERO)
                return 0;
    return 1;
}

void lola_setup_ringsw_clear(lola_setup_t *su)
{
    if (su == NULL)
        return;
    if (su->sub != NULL)
        for (size_t c = 0; c < su->ncomp && c < LOLA_MAX_PRIMES; c++)
            bfv_context_clear(&su->sub[c]);
    free(su->sub);
    su->sub = NULL;
    su->ringsw = 0;
}

veil_status lola_setup_ringsw(lola_setup_t *su)
{
    bfv_params_t sp;
    veil_status st = VEIL_OK;
    su->ringsw = 0;
    su->sub = NULL;
    if (!lola_layout_ringsw(su->output))
        return VEIL_OK; /* an output slot's partner may hold something */
    for (size_t c = 0; c < su->ncomp; c++)
        if (bfv_ringsw_params(&sp, &su->ctx[c].params) != VEIL_OK)
            return VEIL_OK; /* q_0 P too large for n/2, or P < q_0 */
    su->sub = calloc(su->ncomp, sizeof(bfv_context_t));
    if (su->sub == NULL)
        return VEIL_ENOMEM;
    for (size_t c = 0; c < su->ncomp && st == VEIL_OK; c++) {
        st = bfv_ringsw_params(&sp, &su->ctx[c].params);
        if (st == VEIL_OK)
            st = bfv_context_init(&su->sub[c], &sp);
    }
    if (st != VEIL_OK) {
        lola_setup_ringsw_clear(su);
        return st == VEIL_ENOMEM ? st : VEIL_OK;
    }
    su->ringsw = 1;
    return VEIL_OK;
}

size_t lola_ringsw_key_bytes(const bfv_params_t *p)
{
    /* bfv_serial.h, "ring-switching keys": n/2, the seed, b mod q_0 and
     * mod P bit-packed (bfv_bits(m) = bit length of m - 1) */
    const unsigned bq = 64u - (unsigned)__builtin_clzll(p->q[0] - 1);
    const unsigned bp = 64u - (unsigned)__builtin_clzll(p->p[0] - 1);
    return BFV_SERIAL_HEADER_BYTES + 4 + VEIL_SEED_BYTES +
           p->n / 8 * (bq + bp) + BFV_SERIAL_CHECKSUM_BYTES;
}

/* ------------------------------------------------------------ server */

/* Step 1: m += mask, the mask uniform in every slot that is not an output
 * of message i (ZERO and GARBAGE slots), 0 in the output slots and, when
 * the answer is ring-switched, in their partners (ZERO slots by
 * lola_layout_ringsw: they hold 0 and reveal nothing).  An element with
 * shares (the client's folds, lola_step_client_sums) gets shares of zero
 * instead: uniform in its shares and minus their sum in its slot, so that
 * the client sees a uniform split of the element and nothing of the
 * partial sums that make it up. */
static veil_status mask_one(bfv_ciphertext_t *ct, const lola_layout_t *l,
                            size_t i, int ringsw, veil_rng_t *rng)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n;
    const uint64_t t = ctx->params.t;
    uint64_t *v = malloc(n * sizeof(uint64_t));
    uint64_t *sum = calloc(l->len + 1, sizeof(uint64_t));
    bfv_plaintext_t pt;
    veil_status st;
    if (v == NULL || sum == NULL) {
        free(v);
        free(sum);
        return VEIL_ENOMEM;
    }
    veil_rng_uniform_mod(rng, v, n, t);
    for (size_t s = 0; s < n; s++) {
        const int32_t e = lola_layout_at(l, i, s);
        if (LOLA_IS_SHARE(e) && LOLA_SHARE_OF(e) < l->len)
            sum[LOLA_SHARE_OF(e)] = (sum[LOLA_SHARE_OF(e)] + v[s]) % t;
        else if (e >= 0 ||
                 (ringsw && carries(lola_layout_at(l, i, partner(n, s)))))
            v[s] = 0; /* an output, or (ring switching) the ZERO slot that
                       * is its partner: it holds 0 and must stay 0 */
    }
    for (size_t s = 0; s < n; s++) {
        const int32_t e = lola_layout_at(l, i, s);
        if (e >= 0 && (size_t)e < l->len)
            v[s] = (t - sum[e]) % t;
    }
    st = bfv_plaintext_init(&pt, ctx);
    if (st == VEIL_OK)
        st = bfv_encode_batch(&pt, v, n);
    if (st == VEIL_OK)
        st = bfv_add_plain(ct, ct, &pt);
    bfv_plaintext_clear(&pt);
    veil_memzero(v, n * sizeof(uint64_t));
    veil_memzero(sum, (l->len + 1) * sizeof(uint64_t));
    free(v);
    free(sum);
    return st;
}

/* Step 4's moduli for an answer whose budget is at least `after` bits
 * once flooded: the fewest limbs that keep 1 bit (all limbs if none
 * does), and with one limb, the power-of-two exponents that keep 1 bit
 * after both roundings (bits = 0, 0 if none fits: the RNS form is sent).
 * Both switches are public functions of the flooded ciphertext
 * (doc/11-lola.md, "Threat model"). */
static veil_status answer_moduli(size_t *limbs, unsigned bits[2],
                                 const bfv_context_t *ctx, int after)
{
    bits[0] = bits[1] = 0;
    if (bfv_mod_switch_limbs(limbs, ctx, 2, after, 1) != VEIL_OK) {
        *limbs = ctx->n_q; /* too little budget to shrink: keep all */
        return VEIL_OK;
    }
    if (*limbs == 1 &&
        bfv_ms_compress_bits(&bits[0], &bits[1], ctx, after, 1) != VEIL_OK)
        bits[0] = bits[1] = 0;
    return VEIL_OK;
}

/* dst (of the setup's context) = src (switched at a level context of it,
 * RNS or power-of-two form): the same words, which depend only on n, the
 * limbs and the first primes (shared by both contexts). */
static veil_status ms_move(bfv_ms_ciphertext_t *dst,
                           const bfv_ms_ciphertext_t *src)
{
    const size_t n = src->ctx->n;
    const size_t words = src->bits[0] != 0 ? 2 * n : src->size * src->limbs * n;
    if (dst->ctx->n != n || words > dst->capacity ||
        memcmp(dst->ctx->params.q, src->ctx->params.q,
               src->limbs * sizeof(uint64_t)) != 0)
        return VEIL_EINVAL;
    memcpy(dst->data, src->data, words * sizeof(uint64_t));
    dst->size = src->size;
    dst->limbs = src->limbs;
    dst->bits[0] = src->bits[0];
    dst->bits[1] = src->bits[1];
    return VEIL_OK;
}

/* What step 2-4 do for one component: the flood, the limbs, the
 * power-of-two exponents in R and, ring-switched, in R'. */
typedef struct {
    const bfv_context_t *ctx; /* the last step's context */
    const bfv_public_key_t *pk;
    unsigned flood;
    int after;
    size_t limbs;
    unsigned bits[2], rbits[2];
} answer_plan_t;

/* Step 4 for the messages of component c (lola_server_answer). */
static veil_status answer_component(lola_answer_t *a, const lola_setup_t *su,
                                    const answer_plan_t *p,
                                    const lola_msg_t *out,
                                    const lola_evalkeys_t *ek,
                                    const struct lola_ek_levels *lk,
                                    const lola_answer_opts_t *o, size_t c,
                                    int rsw, veil_rng_t *rng)
{
    const bfv_context_t *ctx = p->ctx;
    /* the one-limb ciphertext is switched in its own context, then
     * moved (RNS or power-of-two form) or ring-switched into dst */
    const int direct = ctx == &su->ctx[c] && !rsw;
    bfv_ciphertext_t ct;
    bfv_ms_ciphertext_t sw;
    veil_status st;
    memset(&sw, 0, sizeof(sw));
    memset(&ct, 0, sizeof(ct)); /* cleared below even if never made */
    st = bfv_ciphertext_init(&ct, ctx);
    if (st == VEIL_OK && !direct)
        st = bfv_ms_ciphertext_init(&sw, ctx);
    for (size_t i = 0; i < out->nct && st == VEIL_OK; i++) {
        bfv_ms_ciphertext_t *dst = &a->ct[c * out->nct + i];
        st = out->ct[c * out->nct + i].ctx != ctx
                 ? VEIL_EINVAL
                 : bfv_ciphertext_copy(&ct, &out->ct[c * out->nct + i]);
        /* a program that ends in a square without relinearizing
         * (the CryptoNets plan) leaves size 3: the answer's steps
         * and the client's decryption take size 2 */
        if (st == VEIL_OK && ct.size == 3)
            st = bfv_relinearize(&ct, &ct,
                                 lola_ek_levels_rk(lk, ek, c, ctx->n_q));
        if (st == VEIL_OK && o->mask)
            st = mask_one(&ct, su->output, i, rsw, rng);
        if (st == VEIL_OK && o->rerandomize)
            st = bfv_rerandomize(&ct, p->pk, p->flood, rng);
        if (st == VEIL_OK)
            st = bfv_mod_switch(direct ? dst : &sw, &ct, p->limbs);
        if (rsw) {
            /* step 4: a deterministic function of the flooded,
             * switched ciphertext and the client's key */
            if (st == VEIL_OK)
                st = bfv_ring_switch(dst, &sw, &ek->rsw);
            if (st == VEIL_OK)
                st = bfv_ms_compress(dst, p->rbits[0], p->rbits[1]);
            continue;
        }
        if (st == VEIL_OK && p->bits[0] != 0)
            st = bfv_ms_compress(direct ? dst : &sw, p->bits[0], p->bits[1]);
        if (st == VEIL_OK && !direct)
            st = ms_move(dst, &sw);
    }
    bfv_ms_ciphertext_clear(&sw);
    bfv_ciphertext_clear(&ct);
    return st;
}

veil_status lola_server_answer(lola_answer_t *a, const lola_server_t *s,
                               const lola_msg_t *out, const lola_evalkeys_t *ek,
                               const lola_answer_opts_t *o, veil_rng_t *rng)
{
    const lola_setup_t *su;
    const struct lola_ek_levels *lk = NULL;
    answer_plan_t pl[LOLA_MAX_PRIMES];
    uint8_t seeds[LOLA_MAX_PRIMES][VEIL_SEED_BYTES];
    int rsw;
    veil_status st;

    if (a == NULL)
        return VEIL_EINVAL;
    memset(a, 0, sizeof(*a));
    if (s == NULL || s->su == NULL || out == NULL || ek == NULL || o == NULL ||
        rng == NULL || o->lambda > 256)
        return VEIL_EINVAL;
    su = s->su;
    if (out->ncomp != su->ncomp || out->nct != su->output->nct ||
        ek->ncomp != su->ncomp || su->ncomp > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    st = lola_ek_levels_get(&lk, s, ek);
    /* ring switching (step 4): when the setup allows it, the client sent
     * the key, and every component has one limb and the exponents */
    rsw = o->ringsw && o->switch_limbs && su->ringsw && ek->rsw.data != NULL;
    for (size_t c = 0; c < su->ncomp && st == VEIL_OK; c++) {
        /* the last step's context: fewer primes when the server
         * evaluates at levels (lola_server_init_levels) */
        const size_t lv =
            s->limbs != NULL ? s->limbs[su->nsteps - 1] : su->ctx[c].n_q;
        answer_plan_t *p = &pl[c];
        int budget = (int)floor(s->budget);
        memset(p, 0, sizeof(*p));
        p->ctx = lola_levels_ctx(s, c, lv);
        p->pk = lola_ek_levels_pk(lk, ek, c, lv);
        p->after = budget - 1;
        p->limbs = p->ctx != NULL ? p->ctx->n_q : 0;
        if (p->ctx == NULL || p->pk->ctx != p->ctx ||
            ek->pk[c].ctx != &su->ctx[c])
            st = VEIL_EINVAL;
        else if (o->lambda > 0)
            st = bfv_flood_bits(&p->flood, &p->after, p->ctx,
                                budget < 0 ? 0 : budget, o->lambda);
        if (st == VEIL_OK && o->switch_limbs)
            st = answer_moduli(&p->limbs, p->bits, p->ctx, p->after);
        if (st == VEIL_OK && rsw &&
            (p->limbs != 1 ||
             bfv_ringsw_compress_bits(&p->rbits[0], &p->rbits[1], &su->sub[c],
                                      p->after, 1) != VEIL_OK))
            rsw = 0;
    }
    if (st == VEIL_OK)
        st = answer_init(a, su, out->nct, rsw);
    if (st != VEIL_OK) {
        lola_answer_clear(a);
        return st;
    }
    /* components in parallel, each with its own generator seeded from rng
     * in component order: the answer does not depend on the threads */
    for (size_t c = 0; c < su->ncomp; c++)
        veil_rng_bytes(rng, seeds[c], VEIL_SEED_BYTES);
#pragma omp parallel for schedule(dynamic)                                     \
    num_threads(veil_team()) if (su->ncomp > 1 &&                              \
                                 su->spec.params[0].n >= LOLA_PARALLEL_MIN_N)
    for (size_t c = 0; c < su->ncomp; c++) {
        veil_rng_t r;
        veil_status e;
        veil_rng_init_seed(&r, seeds[c]);
        e = answer_component(a, su, &pl[c], out, ek, lk, o, c, rsw, &r);
        veil_rng_clear(&r);
        if (e != VEIL_OK) {
#pragma omp critical(lola_answer_err)
            st = e;
        }
    }
    veil_memzero(seeds, sizeof(seeds));
    if (st != VEIL_OK)
        lola_answer_clear(a);
    return st;
}

void lola_answer_opts_default(lola_answer_opts_t *o)
{
    o->mask = 1;
    o->rerandomize = 1;
    o->lambda = LOLA_FLOOD_BITS;
    o->switch_limbs = 1;
    o->ringsw = 1;
}

/* ------------------------------------------------------------ client */

veil_status lola_client_decrypt_answer(fmpz *logits, const lola_client_t *c,
                                       const lola_answer_t *a, size_t records)
{
    if (a == NULL)
        return VEIL_EINVAL;
    return lola_client_decrypt_cts(logits, c, a->ncomp, a->nct, NULL, a->ct,
                                   records);
}

veil_status lola_client_answer_budget(int *bits, const lola_client_t *c,
                                      const lola_answer_t *a)
{
    veil_status s = VEIL_OK;
    if (bits == NULL || c == NULL || c->su == NULL || a == NULL ||
        a->ncomp != c->su->ncomp || (a->ringsw && !c->su->ringsw))
        return VEIL_EINVAL;
    *bits = 1 << 30;
    for (size_t i = 0; i < a->ncomp && s == VEIL_OK; i++)
        for (size_t j = 0; j < a->nct && s == VEIL_OK; j++) {
            int b;
            s = bfv_noise_budget_ms(&b, a->ringsw ? &c->ssk[i] : &c->sk[i],
                                    &a->ct[i * a->nct + j]);
            if (s == VEIL_OK && b < *bits)
                *bits = b;
        }
    return s;
}

/* -------------------------------------------------------------- wire */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

veil_status lola_answer_serialize(uint8_t **buf, size_t *len,
                                  const lola_answer_t *a)
{
    size_t total = LOLA_WIRE_HEADER_BYTES, off, used;
    uint8_t *out;
    veil_status st = VEIL_OK;
    if (buf == NULL || len == NULL || a == NULL || a->ct == NULL)
        return VEIL_EINVAL;
    for (size_t i = 0; i < a->ncomp * a->nct; i++) {
        size_t sz = bfv_ms_ciphertext_serial_size(&a->ct[i]);
        if (sz == 0)
            return VEIL_EINVAL;
        total += sz;
    }
    out = malloc(total);
    if (out == NULL)
        return VEIL_ENOMEM;
    put_u32(out, MAGIC_ANSWER);
    out[4] = (uint8_t)LOLA_WIRE_VERSION;
    out[5] = (uint8_t)(LOLA_WIRE_VERSION >> 8);
    out[6] = a->ringsw ? ANSWER_RINGSW : 0; /* flags */
    out[7] = 0;
    put_u32(out + 8, (uint32_t)a->ncomp);
    put_u32(out + 12, (uint32_t)a->nct);
    off = LOLA_WIRE_HEADER_BYTES;
    for (size_t i = 0; i < a->ncomp * a->nct && st == VEIL_OK; i++) {
        st = bfv_ms_ciphertext_serialize(out + off, total - off, &used,
                                         &a->ct[i]);
        off += used;
    }
    if (st != VEIL_OK) {
        free(out);
        return st;
    }
    *buf = out;
    *len = off;
    return VEIL_OK;
}

veil_status lola_answer_parse(lola_answer_t *a, const lola_setup_t *su,
                              const uint8_t *buf, size_t len)
{
    size_t off = LOLA_WIRE_HEADER_BYTES, used, nct;
    unsigned flags;
    veil_status st;
    if (a == NULL)
        return VEIL_EINVAL;
    memset(a, 0, sizeof(*a));
    if (su == NULL || su->output == NULL || (buf == NULL && len > 0))
        return VEIL_EINVAL;
    nct = su->output->nct;
    /* the envelope, against what this setup's answer must be */
    if (len < LOLA_WIRE_HEADER_BYTES || get_u32(buf) != MAGIC_ANSWER ||
        (buf[4] | buf[5] << 8) != LOLA_WIRE_VERSION)
        return VEIL_EFORMAT;
    /* ring-switched only if this setup allows it (then the ciphertexts
     * must be of its subring contexts: their headers' hashes) */
    flags = (unsigned)(buf[6] | buf[7] << 8);
    if ((flags != 0 && (flags != ANSWER_RINGSW || !su->ringsw)) ||
        get_u32(buf + 8) != su->ncomp || get_u32(buf + 12) != nct)
        return VEIL_EFORMAT;
    st = answer_init(a, su, nct, flags == ANSWER_RINGSW);
    for (size_t i = 0; i < su->ncomp * nct && st == VEIL_OK; i++) {
        st = bfv_ms_ciphertext_deserialize(&a->ct[i], buf + off, len - off,
                                           &used);
        off += used;
    }
    if (st == VEIL_OK && off != len)
        st = VEIL_EFORMAT;
    if (st != VEIL_OK) {
        lola_answer_clear(a);
        return st == VEIL_ENOMEM ? st : VEIL_EFORMAT;
    }
    return VEIL_OK;
}
