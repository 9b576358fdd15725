/*
 * iknp.c - IKNP OT extension (Ishai, Kilian, Nissim, Petrank, CRYPTO 2003),
 * semi-honest, kappa = 128: set-up with 128 base OTs, then correlated OTs.
 *
 * Set-up (roles reversed): the OT receiver is the base-OT sender with
 * random seed pairs (k0_i, k1_i); the OT sender is the base-OT receiver
 * with choice bits s = Delta and learns k_{s_i, i}.  G_k is AES-CTR under
 * key k.
 *
 * Extension of m OTs, choice vector r (m bits), by chunks of columns:
 *   1. receiver: t_i = G_{k0_i}, u_i = t_i ^ G_{k1_i} ^ r, sends u_0..127
 *      (the XORs ride on the key stream: mpc_aes_ctr_xor)
 *   2. sender:   q_i = G_{k_{s_i}} ^ s_i u_i  (= t_i ^ s_i r)
 *   3. both transpose the 128 x m bit matrices: row j of Q and T satisfy
 *      q_j = t_j ^ r_j s = t_j ^ r_j Delta.
 * The receiver holds t_j = q_j ^ r_j Delta: a correlated OT.  Each chunk
 * continues the PRG streams at the shared counter `ctr`, so any sequence
 * of calls with matching sizes stays in step.
 */
#include "../internal.h"
#include <string.h>

/* OTs per chunk: 128 columns of 2 KiB, one 256 KiB frame, which the
 * channel writes straight from this buffer. */
#define IKNP_CHUNK 16384
#define COLS MPC_OT_KAPPA
/* Rows of a chunk rounded up to 512, the transpose kernel's tile (the
 * padding OTs are computed and dropped, the same on both sides). */
#define PAD(m) (((m) + 511) / 512 * 512)

static int bit(const uint8_t *v, size_t i)
{
    return (v[i / 8] >> (i % 8)) & 1;
}

void mpc_ot_sender_clear(mpc_ot_sender_t *s)
{
    if (s != NULL)
        veil_memzero(s, sizeof(*s));
}

void mpc_ot_receiver_clear(mpc_ot_receiver_t *r)
{
    if (r != NULL)
        veil_memzero(r, sizeof(*r));
}

veil_status mpc_ot_sender_init(mpc_ot_sender_t *s, mpc_chan_t *ch,
                               const mpc_block_t *delta)
{
    mpc_block_t seeds[COLS];
    veil_rng_t rng;
    veil_status st;
    if (s == NULL || ch == NULL)
        return VEIL_EINVAL;
    memset(s, 0, sizeof(*s));
    if (delta != NULL) {
        s->delta = *delta;
    } else {
        if ((st = veil_rng_init(&rng)) != VEIL_OK)
            return st;
        veil_rng_bytes(&rng, &s->delta, sizeof(s->delta));
        veil_rng_clear(&rng);
    }
    st = mpc_baseot_recv_random(ch, seeds, (const uint8_t *)s->delta.w, COLS);
    for (int i = 0; i < COLS && st == VEIL_OK; i++)
        st = mpc_aes_init(&s->col[i], &seeds[i]);
    if (st == VEIL_OK)
        st = mpc_aes_init_fixed(&s->pi);
    veil_memzero(seeds, sizeof(seeds));
    if (st != VEIL_OK)
        mpc_ot_sender_clear(s);
    return st;
}

veil_status mpc_ot_receiver_init(mpc_ot_receiver_t *r, mpc_chan_t *ch)
{
    mpc_block_t k0[COLS], k1[COLS];
    veil_status st;
    if (r == NULL || ch == NULL)
        return VEIL_EINVAL;
    memset(r, 0, sizeof(*r));
    st = mpc_baseot_send_random(ch, k0, k1, COLS);
    for (int i = 0; i < COLS && st == VEIL_OK; i++) {
        st = mpc_aes_init(&r->col0[i], &k0[i]);
        if (st == VEIL_OK)
            st = mpc_aes_init(&r->col1[i], &k1[i]);
    }
    if (st == VEIL_OK)
        st = mpc_aes_init_fixed(&r->pi);
    veil_memzero(k0, sizeof(k0));
    veil_memzero(k1, sizeof(k1));
    if (st != VEIL_OK)
        mpc_ot_receiver_clear(r);
    return st;
}

/* Work space of one extension call. */
typedef struct {
    uint8_t *a, *b;    /* two 128 x IKNP_CHUNK bit matrices (columns) */
    mpc_block_t *tail; /* rows of a last, partial chunk */
} work_t;

static veil_status work_init(work_t *w)
{
    w->a = veil_alloc(COLS * IKNP_CHUNK / 8);
    w->b = veil_alloc(COLS * IKNP_CHUNK / 8);
    w->tail = veil_alloc(IKNP_CHUNK * sizeof(mpc_block_t));
    if (w->a == NULL || w->b == NULL || w->tail == NULL)
        return VEIL_ENOMEM;
    return VEIL_OK;
}

static void work_clear(work_t *w)
{
    veil_free_secret(w->a, COLS * IKNP_CHUNK / 8);
    veil_free_secret(w->b, COLS * IKNP_CHUNK / 8);
    veil_free_secret(w->tail, IKNP_CHUNK * sizeof(mpc_block_t));
}

/* Step 3: transpose the columns into out[0..m) (mb = PAD(m) rows; a
 * partial chunk goes through w->tail). */
static void to_rows(work_t *w, mpc_block_t *out, const uint8_t *cols, size_t m,
                    size_t mb)
{
    if (m == mb) {
        mpc_transpose128((uint8_t *)out, cols, mb);
    } else {
        mpc_transpose128((uint8_t *)w->tail, cols, mb);
        memcpy(out, w->tail, m * sizeof(mpc_block_t));
    }
}

veil_status mpc_ot_send_cot(mpc_ot_sender_t *s, mpc_chan_t *ch, mpc_block_t *q,
                            size_t n)
{
    work_t w = {NULL, NULL, NULL};
    veil_status st;
    if (s == NULL || ch == NULL || q == NULL || n == 0)
        return VEIL_EINVAL;
    st = work_init(&w);
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += IKNP_CHUNK) {
        size_t m = n - j0 < IKNP_CHUNK ? n - j0 : IKNP_CHUNK;
        size_t mb = PAD(m), cb = mb / 8; /* bytes per column */
        /* 2. q_i = G(k_{s_i}) ^ s_i u_i */
        if ((st = mpc_chan_recv(ch, w.b, COLS * cb)) != VEIL_OK)
            break;
        for (size_t i = 0; i < COLS; i++) {
            const mpc_block_t *ui = (const mpc_block_t *)(w.b + i * cb);
            mpc_aes_ctr_xor(
                (mpc_block_t *)(w.a + i * cb), &s->col[i], s->ctr, mb / 128,
                bit((const uint8_t *)s->delta.w, i) ? ui : NULL, NULL);
        }
        s->ctr += mb / 128;
        to_rows(&w, q + j0, w.a, m, mb);
    }
    work_clear(&w);
    return st;
}

veil_status mpc_ot_recv_cot(mpc_ot_receiver_t *r, mpc_chan_t *ch,
                            mpc_block_t *t, const uint8_t *choices, size_t n)
{
    work_t w = {NULL, NULL, NULL};
    _Alignas(16) uint8_t rpad[IKNP_CHUNK / 8];
    veil_status st;
    if (r == NULL || ch == NULL || t == NULL || choices == NULL || n == 0)
        return VEIL_EINVAL;
    st = work_init(&w);
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += IKNP_CHUNK) {
        size_t m = n - j0 < IKNP_CHUNK ? n - j0 : IKNP_CHUNK;
        size_t mb = PAD(m), cb = mb / 8;
        const uint8_t *rc = choices + j0 / 8;
        if (m != mb) { /* zero-pad the choices of the last chunk */
            memset(rpad, 0, cb);
            memcpy(rpad, rc, (m + 7) / 8);
            if (m % 8)
                rpad[m / 8] &= (uint8_t)((1u << (m % 8)) - 1);
            rc = rpad;
        }
        /* 1. t_i = G(k0_i), u_i = t_i ^ G(k1_i) ^ r */
        for (size_t i = 0; i < COLS; i++) {
            mpc_block_t *ti = (mpc_block_t *)(w.a + i * cb);
            mpc_aes_ctr(ti, &r->col0[i], r->ctr, mb / 128);
            mpc_aes_ctr_xor((mpc_block_t *)(w.b + i * cb), &r->col1[i], r->ctr,
                            mb / 128, ti, (const mpc_block_t *)rc);
        }
        r->ctr += mb / 128;
        if ((st = mpc_chan_send(ch, w.b, COLS * cb)) != VEIL_OK ||
            (st = mpc_chan_flush(ch)) != VEIL_OK)
            break;
        to_rows(&w, t + j0, w.a, m, mb);
    }
    veil_memzero(rpad, sizeof(rpad));
    work_clear(&w);
    return st;
}
