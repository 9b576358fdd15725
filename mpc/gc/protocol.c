/*
 * gc_proto.c - the garbler and evaluator parties over a channel: set-up
 * (the garbler's session tweak block, 16 bytes garbler -> evaluator, then
 * IKNP with Delta as the correlation), and a batch's offline and online
 * phases, chunk by chunk.  Per chunk of MPC_GC_CHUNK instances:
 *
 *   offline  1. correlated OT for the evaluator's input bits: the
 *               garbler's q[j] is the 0-label, the evaluator's t[j] its
 *               active label (16 bytes per bit, evaluator -> garbler)
 *            2. the offline garbler inputs are hardwired: the garbler picks
 *               their 0-labels bit * Delta, so that their active label is
 *               the all-zero block, which the evaluator knows; nothing is
 *               sent for them (see mpc_gc.h)
 *            3. garbler -> evaluator: the garbled tables and the output
 *               decoding bits (packed 8 per byte)
 *   online   4. garbler -> evaluator: the active labels of the online
 *               garbler inputs; the evaluator evaluates the chunk while the
 *               next one travels, and decodes
 *
 * Labels are kept and sent in the grouped layout of the kernels
 * (gc_internal.h: [group][input][lane], the last group padded to
 * MPC_GC_LANES lanes), the correlated OTs included, so that no one gathers
 * or scatters labels instance by instance; tables and decoding bits are in
 * the layout of mpc_gc.h.  Bulk data travels in frames of at most GC_PIECE
 * bytes; both parties know every length in advance, so a frame of another
 * size is VEIL_EFORMAT.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

#define GC_PIECE ((size_t)1 << 22)

static veil_status send_bulk(mpc_chan_t *ch, const void *buf, size_t len)
{
    veil_status st = VEIL_OK;
    for (size_t off = 0; off < len && st == VEIL_OK; off += GC_PIECE)
        st = mpc_chan_send(ch, (const uint8_t *)buf + off,
                           len - off < GC_PIECE ? len - off : GC_PIECE);
    return st;
}

static veil_status recv_bulk(mpc_chan_t *ch, void *buf, size_t len)
{
    veil_status st = VEIL_OK;
    for (size_t off = 0; off < len && st == VEIL_OK; off += GC_PIECE)
        st = mpc_chan_recv(ch, (uint8_t *)buf + off,
                           len - off < GC_PIECE ? len - off : GC_PIECE);
    return st;
}

/* bits (one per byte) <-> packed (bit i at bit i % 8 of byte i / 8) */
static void pack_bits(uint8_t *packed, const uint8_t *bits, size_t n)
{
    memset(packed, 0, (n + 7) / 8);
    for (size_t i = 0; i < n; i++)
        packed[i / 8] |= (uint8_t)((bits[i] & 1) << (i % 8));
}

static void unpack_bits(uint8_t *bits, const uint8_t *packed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bits[i] = (packed[i / 8] >> (i % 8)) & 1;
}

/* 1 if every byte of bits[0..n) is 0 or 1 (NULL is fine when n == 0). */
static int are_bits(const uint8_t *bits, size_t n)
{
    if (n > 0 && bits == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (bits[i] > 1)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- set-up */

veil_status mpc_gc_gparty_init(mpc_gc_gparty_t *g, mpc_chan_t *ch)
{
    veil_status st;
    if (g == NULL || ch == NULL)
        return VEIL_EINVAL;
    memset(g, 0, sizeof(*g));
    /* the session's tweak block goes first: the evaluator hashes under it */
    if ((st = mpc_gc_garbler_init(&g->gc, NULL)) == VEIL_OK &&
        (st = mpc_chan_send(ch, &g->gc.tweak, sizeof(g->gc.tweak))) == VEIL_OK)
        st = mpc_ot_sender_init(&g->ot, ch, &g->gc.delta);
    if (st != VEIL_OK)
        mpc_gc_gparty_clear(g);
    return st;
}

veil_status mpc_gc_eparty_init(mpc_gc_eparty_t *e, mpc_chan_t *ch)
{
    veil_status st;
    if (e == NULL || ch == NULL)
        return VEIL_EINVAL;
    memset(e, 0, sizeof(*e));
    if ((st = mpc_gc_evaluator_init(&e->gc)) == VEIL_OK &&
        (st = mpc_chan_recv(ch, &e->gc.tweak, sizeof(e->gc.tweak))) == VEIL_OK)
        st = mpc_ot_receiver_init(&e->ot, ch);
    e->gc.tweak.w[0] &= ~(uint64_t)1; /* even, as the garbler's */
    if (st != VEIL_OK)
        mpc_gc_eparty_clear(e);
    return st;
}

void mpc_gc_gparty_clear(mpc_gc_gparty_t *g)
{
    if (g == NULL)
        return;
    mpc_gc_garbler_clear(&g->gc);
    mpc_ot_sender_clear(&g->ot);
}

void mpc_gc_eparty_clear(mpc_gc_eparty_t *e)
{
    if (e == NULL)
        return;
    mpc_gc_evaluator_clear(&e->gc);
    mpc_ot_receiver_clear(&e->ot);
}

/* Bytes of a batch's grouped labels, k per instance. */
static size_t grouped_bytes(size_t n, size_t k)
{
    return gc_groups(n) * k * GC_L * sizeof(mpc_block_t) + 1;
}

/* A buffer of at least len bytes in place of buf (cap bytes allocated):
 * buf itself if it is large enough, else a new allocation after freeing
 * buf (wiping it if `secret`).  NULL on allocation failure, with *cap 0. */
static void *reserve(void *buf, size_t *cap, size_t len, int secret)
{
    if (buf != NULL && *cap >= len)
        return buf;
    if (secret && buf != NULL)
        veil_free_secret(buf, *cap);
    else
        veil_free(buf);
    buf = veil_alloc(len);
    *cap = buf != NULL ? len : 0;
    return buf;
}

void mpc_gc_gbatch_init(mpc_gc_gbatch_t *b)
{
    if (b != NULL)
        memset(b, 0, sizeof(*b));
}

void mpc_gc_ebatch_init(mpc_gc_ebatch_t *b)
{
    if (b != NULL)
        memset(b, 0, sizeof(*b));
}

void mpc_gc_gbatch_clear(mpc_gc_gbatch_t *b)
{
    if (b == NULL)
        return;
    if (b->on0 != NULL)
        veil_free_secret(b->on0, b->on0_cap);
    memset(b, 0, sizeof(*b));
}

void mpc_gc_ebatch_clear(mpc_gc_ebatch_t *b)
{
    if (b == NULL)
        return;
    if (b->in != NULL)
        veil_free_secret(b->in, b->in_cap);
    veil_free(b->tables);
    veil_free(b->decode);
    memset(b, 0, sizeof(*b));
}

/* Argument checks common to both parties' offline phase. */
static veil_status offline_args(const mpc_circuit_t *c, size_t n,
                                uint32_t n_gin_off, uint64_t and_ctr)
{
    veil_status st;
    if (c == NULL || n == 0 || n_gin_off > c->n_gin)
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    if (!gc_counter_ok(and_ctr, c->n_and, n) ||
        n > SIZE_MAX / 64 / ((size_t)c->n_gin + c->n_ein + 2 * c->n_and + 1))
        return VEIL_EINVAL;
    return VEIL_OK;
}

/* Grouped active labels of nj inputs for the m <= L instances of a group:
 * dst[j L + l] = zero[j L + l] ^ bits[l * stride + j] Delta (padding lanes
 * get their 0-label). */
static void encode_group(mpc_block_t *dst, const mpc_gc_garbler_t *g,
                         const mpc_block_t *zero, const uint8_t *bits,
                         size_t stride, size_t nj, size_t m)
{
    for (size_t j = 0; j < nj; j++)
        for (size_t l = 0; l < GC_L; l++) {
            uint64_t bit = l < m ? bits[l * stride + j] & 1 : 0;
            uint64_t mask = (uint64_t)0 - bit;
            dst[j * GC_L + l].w[0] =
                zero[j * GC_L + l].w[0] ^ (g->delta.w[0] & mask);
            dst[j * GC_L + l].w[1] =
                zero[j * GC_L + l].w[1] ^ (g->delta.w[1] & mask);
        }
}

/* --------------------------------------------------------------- garbler */

veil_status mpc_gc_offline_garbler(mpc_gc_gbatch_t *b, mpc_gc_gparty_t *g,
                                   mpc_chan_t *ch, const mpc_circuit_t *c,
                                   size_t n, uint32_t n_gin_off,
                                   const uint8_t *gin_off)
{
    const size_t C = MPC_GC_CHUNK;
    size_t n_gin, n_ein, n_in, n_on;
    mpc_block_t *zero = NULL, *q = NULL, *tab = NULL, *zero_block = NULL;
    uint8_t *dec = NULL, *packed = NULL;
    gc_ws_t w;
    veil_status st;
    memset(&w, 0, sizeof(w));
    if (b == NULL || g == NULL || ch == NULL)
        return VEIL_EINVAL;
    b->c = NULL; /* empty until the batch is complete */
    if ((st = offline_args(c, n, n_gin_off, g->gc.and_ctr)) != VEIL_OK)
        return st;
    if (!are_bits(gin_off, n * n_gin_off))
        return VEIL_EINVAL;
    if ((st = gc_ws_init(&w, c, 0, 0)) != VEIL_OK)
        return st;
    n_gin = c->n_gin;
    n_ein = c->n_ein;
    n_in = n_gin + n_ein;
    n_on = n_gin - n_gin_off;
    b->n = n;
    b->n_gin_off = n_gin_off;
    b->on0 = reserve(b->on0, &b->on0_cap, grouped_bytes(n, n_on), 1);
    if (b->on0 == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    zero = veil_alloc(grouped_bytes(C, n_in));
    q = veil_alloc(grouped_bytes(C, n_ein));
    zero_block = veil_calloc(grouped_bytes(GC_L, n_gin_off), 1);
    tab = veil_alloc((C * c->n_and * 2 + 1) * sizeof(mpc_block_t));
    dec = malloc(C * c->n_out + 1);
    packed = malloc(C * c->n_out / 8 + 1);
    if (!zero || !q || !zero_block || !tab || !dec || !packed) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i0 = 0; i0 < n && st == VEIL_OK; i0 += C) {
        size_t m = n - i0 < C ? n - i0 : C, groups = gc_groups(m);
        /* 1. 0-labels: random for the garbler's inputs, from the
         *    correlated OT (grouped order) for the evaluator's */
        if (n_ein > 0 &&
            (st = mpc_ot_send_cot(&g->ot, ch, q, groups * n_ein * GC_L)))
            break;
        for (size_t k = 0; k < groups; k++) {
            size_t i = k * GC_L, mk = m - i < GC_L ? m - i : GC_L;
            mpc_block_t *z = zero + k * n_in * GC_L;
            /* hardwired: the 0-label is bit * Delta, the active label 0 */
            encode_group(z, &g->gc, zero_block, gin_off + (i0 + i) * n_gin_off,
                         n_gin_off, n_gin_off, mk);
            mpc_gc_random_labels(&g->gc, z + n_gin_off * GC_L, n_on * GC_L);
            memcpy(z + n_gin * GC_L, q + k * n_ein * GC_L,
                   n_ein * GC_L * sizeof(mpc_block_t));
        }
        /* 2. garble; keep the online inputs' 0-labels */
        for (size_t k = 0; k < groups; k++) {
            size_t i = k * GC_L, mk = m - i < GC_L ? m - i : GC_L;
            const mpc_block_t *z = zero + k * n_in * GC_L;
            gc_garble_group(&w, &g->gc, g->gc.and_ctr, tab + i * c->n_and * 2,
                            dec + i * c->n_out, z, mk);
            g->gc.and_ctr += (uint64_t)mk * c->n_and;
            memcpy(b->on0 + (i0 / GC_L + k) * n_on * GC_L, z + n_gin_off * GC_L,
                   n_on * GC_L * sizeof(mpc_block_t));
        }
        pack_bits(packed, dec, m * c->n_out);
        if ((st = send_bulk(ch, tab, m * c->n_and * 2 * sizeof(mpc_block_t))) ||
            (st = mpc_chan_send(ch, packed, (m * c->n_out + 7) / 8)))
            break;
    }
    if (st == VEIL_OK)
        st = mpc_chan_flush(ch);
    if (st == VEIL_OK)
        b->c = c;
done:
    gc_ws_clear(&w);
    veil_free_secret(zero, zero ? grouped_bytes(C, n_in) : 0);
    veil_free_secret(q, q ? grouped_bytes(C, n_ein) : 0);
    veil_free(zero_block);
    veil_free(tab);
    free(dec);
    free(packed);
    return st;
}

veil_status mpc_gc_online_garbler(mpc_gc_gbatch_t *b, mpc_gc_gparty_t *g,
                                  mpc_chan_t *ch, const uint8_t *gin_on)
{
    const size_t C = MPC_GC_CHUNK;
    size_t n_on;
    mpc_block_t *lab = NULL;
    veil_status st = VEIL_OK;
    if (b == NULL || g == NULL || ch == NULL || b->c == NULL)
        return VEIL_EINVAL;
    n_on = b->c->n_gin - b->n_gin_off;
    if (!are_bits(gin_on, b->n * n_on))
        return VEIL_EINVAL;
    if (n_on > 0 && (lab = veil_alloc(grouped_bytes(C, n_on))) == NULL)
        st = VEIL_ENOMEM;
    for (size_t i0 = 0; i0 < b->n && n_on > 0 && st == VEIL_OK; i0 += C) {
        size_t m = b->n - i0 < C ? b->n - i0 : C, groups = gc_groups(m);
        for (size_t k = 0; k < groups; k++) {
            size_t i = k * GC_L, mk = m - i < GC_L ? m - i : GC_L;
            encode_group(lab + k * n_on * GC_L, &g->gc,
                         b->on0 + (i0 / GC_L + k) * n_on * GC_L,
                         gin_on + (i0 + i) * n_on, n_on, n_on, mk);
        }
        st = send_bulk(ch, lab, groups * n_on * GC_L * sizeof(mpc_block_t));
    }
    if (st == VEIL_OK)
        st = mpc_chan_flush(ch);
    veil_free(lab);
    /* the 0-labels must never encode a second input: two active labels of
     * one wire differ by Delta */
    veil_memzero(b->on0, b->on0_cap);
    b->c = NULL;
    return st;
}

/* ------------------------------------------------------------- evaluator */

/* The choice bits of a chunk's correlated OTs in grouped order: bit
 * (k n_ein + j) L + l is input j of lane l of group k (0 for padding). */
static void pack_choices(uint8_t *packed, const uint8_t *ein, size_t n_ein,
                         size_t m)
{
    size_t groups = gc_groups(m), nbits = groups * n_ein * GC_L;
    memset(packed, 0, (nbits + 7) / 8);
    for (size_t k = 0; k < groups; k++)
        for (size_t j = 0; j < n_ein; j++)
            for (size_t l = 0; l < GC_L && k * GC_L + l < m; l++) {
                size_t bit = (k * n_ein + j) * GC_L + l;
                packed[bit / 8] |=
                    (uint8_t)((ein[(k * GC_L + l) * n_ein + j] & 1)
                              << (bit % 8));
            }
}

veil_status mpc_gc_offline_evaluator(mpc_gc_ebatch_t *b, mpc_gc_eparty_t *e,
                                     mpc_chan_t *ch, const mpc_circuit_t *c,
                                     size_t n, uint32_t n_gin_off,
                                     const uint8_t *ein)
{
    const size_t C = MPC_GC_CHUNK;
    size_t n_ein, n_on, n_keep;
    mpc_block_t *t = NULL;
    uint8_t *choice = NULL, *packed = NULL;
    veil_status st;
    if (b == NULL || e == NULL || ch == NULL)
        return VEIL_EINVAL;
    b->c = NULL; /* empty until the batch is complete */
    if ((st = offline_args(c, n, n_gin_off, e->gc.and_ctr)) != VEIL_OK)
        return st;
    if (!are_bits(ein, n * c->n_ein))
        return VEIL_EINVAL;
    n_ein = c->n_ein;
    n_on = c->n_gin - n_gin_off;
    n_keep = n_on + n_ein; /* stored per instance: the hardwired are 0 */
    b->n = n;
    b->n_gin_off = n_gin_off;
    b->and_ctr = e->gc.and_ctr;
    b->in = reserve(b->in, &b->in_cap, grouped_bytes(n, n_keep), 1);
    b->tables = reserve(b->tables, &b->tables_cap,
                        (n * c->n_and * 2 + 1) * sizeof(mpc_block_t), 0);
    b->decode = reserve(b->decode, &b->decode_cap, n * c->n_out + 1, 0);
    if (b->in == NULL || b->tables == NULL || b->decode == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    t = veil_alloc(grouped_bytes(C, n_ein));
    choice = malloc((gc_groups(C) * n_ein * GC_L + 7) / 8 + 1);
    packed = malloc(C * c->n_out / 8 + 1);
    if (!t || !choice || !packed) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i0 = 0; i0 < n && st == VEIL_OK; i0 += C) {
        size_t m = n - i0 < C ? n - i0 : C, groups = gc_groups(m);
        mpc_block_t *in = b->in + (i0 / GC_L) * n_keep * GC_L;
        /* 1. the active labels of the own inputs */
        if (n_ein > 0) {
            pack_choices(choice, ein + i0 * n_ein, n_ein, m);
            st = mpc_ot_recv_cot(&e->ot, ch, t, choice, groups * n_ein * GC_L);
            if (st != VEIL_OK)
                break;
        }
        /* 2. tables and decoding bits (the hardwired garbler inputs have
         *    the active label 0, which the evaluator's program knows) */
        if ((st = recv_bulk(ch, b->tables + i0 * c->n_and * 2,
                            m * c->n_and * 2 * sizeof(mpc_block_t))) ||
            (st = mpc_chan_recv(ch, packed, (m * c->n_out + 7) / 8)))
            break;
        unpack_bits(b->decode + i0 * c->n_out, packed, m * c->n_out);
        for (size_t k = 0; k < groups; k++)
            memcpy(in + (k * n_keep + n_on) * GC_L, t + k * n_ein * GC_L,
                   n_ein * GC_L * sizeof(mpc_block_t));
    }
    if (st == VEIL_OK) {
        e->gc.and_ctr += (uint64_t)n * c->n_and;
        b->c = c;
    }
done:
    veil_free_secret(t, t ? grouped_bytes(C, n_ein) : 0);
    free(choice);
    free(packed);
    return st;
}

veil_status mpc_gc_online_evaluator(mpc_gc_ebatch_t *b, mpc_gc_eparty_t *e,
                                    mpc_chan_t *ch, uint8_t *out)
{
    const size_t C = MPC_GC_CHUNK;
    const mpc_circuit_t *c;
    size_t n_keep, n_on;
    mpc_block_t *lab = NULL;
    gc_ws_t w;
    veil_status st;
    if (b == NULL || e == NULL || ch == NULL || b->c == NULL ||
        (out == NULL && b->c->n_out > 0))
        return VEIL_EINVAL;
    c = b->c;
    n_on = c->n_gin - b->n_gin_off;
    n_keep = n_on + c->n_ein;
    if ((st = gc_ws_init(&w, c, 1, b->n_gin_off)) != VEIL_OK)
        return st;
    if ((lab = veil_alloc(grouped_bytes(C, n_on))) == NULL)
        st = VEIL_ENOMEM;
    for (size_t i0 = 0; i0 < b->n && st == VEIL_OK; i0 += C) {
        size_t m = b->n - i0 < C ? b->n - i0 : C, groups = gc_groups(m);
        mpc_block_t *in = b->in + (i0 / GC_L) * n_keep * GC_L;
        if ((st = recv_bulk(ch, lab,
                            groups * n_on * GC_L * sizeof(mpc_block_t))))
            break;
        for (size_t k = 0; k < groups; k++) {
            size_t i = i0 + k * GC_L,
                   mk = m - k * GC_L < GC_L ? m - k * GC_L : GC_L;
            mpc_block_t *gin = in + k * n_keep * GC_L;
            memcpy(gin, lab + k * n_on * GC_L,
                   n_on * GC_L * sizeof(mpc_block_t));
            gc_eval_group(&w, &e->gc.pi, &e->gc.tweak,
                          b->and_ctr + i * c->n_and, out + i * c->n_out, gin,
                          b->tables + i * c->n_and * 2,
                          b->decode + i * c->n_out, mk);
        }
    }
    veil_free(lab);
    gc_ws_clear(&w);
    return st;
}
