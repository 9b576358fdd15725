/*
 * Tests of oblivious transfer: the transpose against its scalar reference,
 * base OT, and IKNP correlated / random / chosen-message OT, checked
 * against the defining relations (t = q ^ c Delta, m = m_c, x = x_c) on
 * 10^6 OTs and on sizes around the chunk boundaries; two processes over
 * TCP; bad arguments.
 */
#include "../../mpc/internal.h"
#include "../common/seed.h"
#include "veil/mpc.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bit(const uint8_t *v, size_t i)
{
    return (v[i / 8] >> (i % 8)) & 1;
}

Test(mpc_ot, transpose_matches_scalar_and_is_an_involution)
{
    veil_rng_t rng;
    static const size_t shapes[][2] = {
        {16, 8}, {128, 128}, {128, 16384}, {48, 24}, {256, 136}};
    vt_rng(&rng, "transpose");
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1], len = rows * cols / 8;
        uint8_t *in = malloc(len), *a = malloc(len), *b = malloc(len);
        veil_rng_bytes(&rng, in, len);
        mpc_transpose(a, in, rows, cols);
        mpc_transpose_scalar(b, in, rows, cols);
        cr_assert(memcmp(a, b, len) == 0, "shape %zu x %zu", rows, cols);
        for (size_t r = 0; r < rows; r += 7) /* spot-check the definition */
            for (size_t c = 0; c < cols; c += 5)
                cr_assert_eq(bit(in + r * cols / 8, c),
                             bit(a + c * rows / 8, r));
        if (cols % 16 == 0 && rows % 8 == 0) {
            mpc_transpose(b, a, cols, rows);
            cr_assert(memcmp(in, b, len) == 0);
        }
        free(in);
        free(a);
        free(b);
    }
    veil_rng_clear(&rng);
}

/* Every path's transpose128 (AVX2 movemask, AVX-512 GFNI) and the
 * dispatch against the scalar reference. */
Test(mpc_ot, transpose128_kernels_match_scalar)
{
    veil_rng_t rng;
    static const size_t cols[] = {512, 1024, 640, 16384};
    vt_rng(&rng, "transpose128");
    for (int isa = VEIL_ISA_AVX2; isa < VEIL_ISA_COUNT; isa++) {
        const mpc_kernels_t *k;
        if (!veil_isa_supported((veil_isa_t)isa))
            continue;
        cr_assert_eq(veil_isa_set((veil_isa_t)isa), VEIL_OK);
        k = mpc_kernels();
        cr_assert(k->transpose128 != NULL, "isa %s: no transpose128",
                  veil_isa_name((veil_isa_t)isa));
        for (size_t s = 0; s < sizeof(cols) / sizeof(cols[0]); s++) {
            size_t len = 16 * cols[s];
            uint8_t *in = malloc(len), *a = malloc(len), *b = malloc(len);
            veil_rng_bytes(&rng, in, len);
            mpc_transpose_scalar(b, in, 128, cols[s]);
            mpc_transpose128(a, in, cols[s]);
            cr_assert(memcmp(a, b, len) == 0, "dispatch, cols %zu", cols[s]);
            if (cols[s] % 512 == 0) {
                memset(a, 0, len);
                k->transpose128(a, in, cols[s]);
                cr_assert(memcmp(a, b, len) == 0, "isa %s kernel, cols %zu",
                          veil_isa_name((veil_isa_t)isa), cols[s]);
            }
            free(in);
            free(a);
            free(b);
        }
    }
    cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
    veil_rng_clear(&rng);
}

/* ------------------------------------------------- one OT run, 2 threads */

enum { OT_BASE_RANDOM, OT_BASE_CHOSEN, OT_COT, OT_ROT, OT_CHOSEN };

typedef struct {
    int kind;
    size_t n;
    const mpc_block_t *delta; /* sender's Delta or NULL */
    uint8_t *choices;
    mpc_block_t *s0, *s1; /* sender: q or m0 / m1, or inputs x0/x1 */
    mpc_block_t *r;       /* receiver's outputs */
    mpc_block_t got_delta;
} ot_case_t;

/* Each run is two calls; the second one's choices start at a byte. */
static size_t split(size_t n)
{
    return n / 16 * 8;
}

static veil_status ot_party(mpc_chan_t *ch, int party, void *arg)
{
    ot_case_t *c = arg;
    veil_status st = VEIL_OK;
    if (c->kind == OT_BASE_RANDOM)
        return party == 0 ? mpc_baseot_send_random(ch, c->s0, c->s1, c->n)
                          : mpc_baseot_recv_random(ch, c->r, c->choices, c->n);
    if (c->kind == OT_BASE_CHOSEN)
        return party == 0 ? mpc_baseot_send(ch, c->s0, c->s1, c->n)
                          : mpc_baseot_recv(ch, c->r, c->choices, c->n);
    if (party == 0) {
        mpc_ot_sender_t s;
        st = mpc_ot_sender_init(&s, ch, c->delta);
        c->got_delta = s.delta;
        /* two calls: the second continues the PRG and tweak streams */
        for (size_t half = 0; half < 2 && st == VEIL_OK; half++) {
            size_t off = half ? split(c->n) : 0,
                   len = half ? c->n - split(c->n) : split(c->n);
            if (len == 0)
                continue;
            if (c->kind == OT_COT)
                st = mpc_ot_send_cot(&s, ch, c->s0 + off, len);
            else if (c->kind == OT_ROT)
                st = mpc_ot_send_rot(&s, ch, c->s0 + off, c->s1 + off, len);
            else
                st = mpc_ot_send(&s, ch, c->s0 + off, c->s1 + off, len);
        }
        mpc_ot_sender_clear(&s);
    } else {
        mpc_ot_receiver_t r;
        st = mpc_ot_receiver_init(&r, ch);
        for (size_t half = 0; half < 2 && st == VEIL_OK; half++) {
            size_t off = half ? split(c->n) : 0,
                   len = half ? c->n - split(c->n) : split(c->n);
            if (len == 0)
                continue;
            if (c->kind == OT_COT)
                st = mpc_ot_recv_cot(&r, ch, c->r + off, c->choices + off / 8,
                                     len);
            else if (c->kind == OT_ROT)
                st = mpc_ot_recv_rot(&r, ch, c->r + off, c->choices + off / 8,
                                     len);
            else
                st = mpc_ot_recv(&r, ch, c->r + off, c->choices + off / 8, len);
        }
        mpc_ot_receiver_clear(&r);
    }
    return st;
}

static void run_case(ot_case_t *c, veil_rng_t *rng)
{
    veil_status st[2];
    void *args[2] = {c, c};
    size_t n = c->n;
    c->choices = calloc(n / 8 + 1, 1);
    c->s0 = veil_alloc(n * sizeof(mpc_block_t));
    c->s1 = veil_alloc(n * sizeof(mpc_block_t));
    c->r = veil_alloc(n * sizeof(mpc_block_t));
    cr_assert(c->choices && c->s0 && c->s1 && c->r);
    veil_rng_bytes(rng, c->choices, n / 8 + 1);
    veil_rng_bytes(rng, c->s0, n * sizeof(mpc_block_t));
    veil_rng_bytes(rng, c->s1, n * sizeof(mpc_block_t));
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, ot_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "sender: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "receiver: %s", veil_strerror(st[1]));
}

static void free_case(ot_case_t *c)
{
    free(c->choices);
    veil_free(c->s0);
    veil_free(c->s1);
    veil_free(c->r);
}

Test(mpc_ot, base_ot_random_and_chosen)
{
    veil_rng_t rng;
    vt_rng(&rng, "baseot");
    for (int kind = OT_BASE_RANDOM; kind <= OT_BASE_CHOSEN; kind++) {
        static const size_t ns[] = {1, 3, 130};
        for (size_t k = 0; k < 3; k++) {
            ot_case_t c = {kind, ns[k], NULL, NULL, NULL, NULL, NULL, {{0, 0}}};
            run_case(&c, &rng);
            for (size_t j = 0; j < c.n; j++) {
                int b = bit(c.choices, j);
                cr_assert(mpc_block_eq(c.r[j], b ? c.s1[j] : c.s0[j]),
                          "kind %d n %zu j %zu", kind, c.n, j);
                cr_assert(!mpc_block_eq(c.r[j], b ? c.s0[j] : c.s1[j]));
            }
            free_case(&c);
        }
    }
    veil_rng_clear(&rng);
}

static void check_cot(const ot_case_t *c)
{
    mpc_block_t d = c->got_delta;
    for (size_t j = 0; j < c->n; j++) {
        mpc_block_t want =
            bit(c->choices, j) ? mpc_block_xor(c->s0[j], d) : c->s0[j];
        if (!mpc_block_eq(c->r[j], want))
            cr_assert_fail("cot n=%zu: OT %zu wrong", c->n, j);
    }
}

Test(mpc_ot, iknp_correlated_1e6_and_chunk_edges)
{
    veil_rng_t rng;
    static const size_t ns[] = {1, 16, 128, 136, 16384, 2 * 16384 + 8, 1000000};
    mpc_block_t delta = {{0x0123456789abcdefull | 1, 0xfedcba9876543210ull}};
    vt_rng(&rng, "cot");
    for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
        ot_case_t c = {OT_COT, ns[k],   k % 2 ? &delta : NULL, NULL, NULL, NULL,
                       NULL,   {{0, 0}}};
        run_case(&c, &rng);
        if (k % 2)
            cr_assert(mpc_block_eq(c.got_delta, delta));
        check_cot(&c);
        /* a zero Delta would make every OT trivial */
        cr_assert(c.got_delta.w[0] | c.got_delta.w[1]);
        free_case(&c);
    }
    veil_rng_clear(&rng);
}

Test(mpc_ot, iknp_random_ot)
{
    veil_rng_t rng;
    static const size_t ns[] = {8, 200, 100000};
    vt_rng(&rng, "rot");
    for (size_t k = 0; k < 3; k++) {
        ot_case_t c = {OT_ROT, ns[k], NULL, NULL, NULL, NULL, NULL, {{0, 0}}};
        run_case(&c, &rng);
        for (size_t j = 0; j < c.n; j++) {
            int b = bit(c.choices, j);
            cr_assert(mpc_block_eq(c.r[j], b ? c.s1[j] : c.s0[j]));
            /* hashed: no visible Delta correlation, no repeats */
            cr_assert(!mpc_block_eq(c.s0[j], c.s1[j]));
            cr_assert(
                !mpc_block_eq(mpc_block_xor(c.s0[j], c.s1[j]), c.got_delta));
            cr_assert(j == 0 || !mpc_block_eq(c.s0[j], c.s0[j - 1]));
        }
        free_case(&c);
    }
    veil_rng_clear(&rng);
}

Test(mpc_ot, iknp_chosen_ot_1e6)
{
    veil_rng_t rng;
    static const size_t ns[] = {16, 70000, 1000000};
    vt_rng(&rng, "chosen");
    for (size_t k = 0; k < 3; k++) {
        ot_case_t c = {OT_CHOSEN, ns[k], NULL, NULL,
                       NULL,      NULL,  NULL, {{0, 0}}};
        run_case(&c, &rng);
        for (size_t j = 0; j < c.n; j++)
            if (!mpc_block_eq(c.r[j], bit(c.choices, j) ? c.s1[j] : c.s0[j]))
                cr_assert_fail("chosen n=%zu: OT %zu wrong", c.n, j);
        free_case(&c);
    }
    veil_rng_clear(&rng);
}

/* Two processes: both derive the sender's messages and the choices from a
 * shared seed; the receiver checks its outputs itself. */
static void derive(mpc_block_t *x0, mpc_block_t *x1, uint8_t *ch, size_t n)
{
    uint8_t seed[VEIL_SEED_BYTES] = {42};
    veil_rng_t g;
    veil_rng_init_seed(&g, seed);
    veil_rng_bytes(&g, x0, n * sizeof(mpc_block_t));
    veil_rng_bytes(&g, x1, n * sizeof(mpc_block_t));
    veil_rng_bytes(&g, ch, n / 8);
    veil_rng_clear(&g);
}

static veil_status process_party(mpc_chan_t *ch, int party, void *arg)
{
    size_t n = *(const size_t *)arg;
    mpc_block_t *x0 = veil_alloc(n * 16), *x1 = veil_alloc(n * 16),
                *x = veil_alloc(n * 16);
    uint8_t *c = malloc(n / 8);
    veil_status st;
    if (!x0 || !x1 || !x || !c)
        return VEIL_ENOMEM;
    derive(x0, x1, c, n);
    if (party == 0) {
        mpc_ot_sender_t s;
        st = mpc_ot_sender_init(&s, ch, NULL);
        if (st == VEIL_OK)
            st = mpc_ot_send(&s, ch, x0, x1, n);
        mpc_ot_sender_clear(&s);
    } else {
        mpc_ot_receiver_t r;
        st = mpc_ot_receiver_init(&r, ch);
        if (st == VEIL_OK)
            st = mpc_ot_recv(&r, ch, x, c, n);
        for (size_t j = 0; j < n && st == VEIL_OK; j++)
            if (!mpc_block_eq(x[j], bit(c, j) ? x1[j] : x0[j]))
                st = VEIL_EFORMAT; /* reported through the exit code */
        mpc_ot_receiver_clear(&r);
    }
    veil_free(x0);
    veil_free(x1);
    veil_free(x);
    free(c);
    return st;
}

Test(mpc_ot, chosen_ot_between_two_processes)
{
    size_t n = 100000;
    veil_status st[2];
    void *args[2] = {&n, &n};
    cr_assert_eq(mpc_run2(st, MPC_RUN_PROCESSES, process_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "sender: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "receiver: %s", veil_strerror(st[1]));
}

/* The receiver vanishes after set-up: the sender gets a status. */
static veil_status quitter_party(mpc_chan_t *ch, int party, void *arg)
{
    mpc_block_t q[64];
    (void)arg;
    if (party == 0) {
        mpc_ot_sender_t s;
        veil_status st = mpc_ot_sender_init(&s, ch, NULL);
        if (st == VEIL_OK)
            st = mpc_ot_send_cot(&s, ch, q, 64);
        mpc_ot_sender_clear(&s);
        return st;
    } else {
        mpc_ot_receiver_t r;
        veil_status st = mpc_ot_receiver_init(&r, ch);
        mpc_ot_receiver_clear(&r);
        return st;
    }
}

Test(mpc_ot, peer_leaving_and_bad_arguments)
{
    veil_status st[2];
    void *args[2] = {NULL, NULL};
    mpc_chan_t a, b;
    mpc_block_t x[2] = {{{0, 0}}, {{0, 0}}};
    uint8_t c = 0;
    mpc_ot_sender_t s;
    mpc_ot_receiver_t r;
    cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, quitter_party, args), VEIL_OK);
    cr_assert_eq(st[1], VEIL_OK);
    cr_assert_eq(st[0], VEIL_ECLOSED, "%s", veil_strerror(st[0]));

    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    memset(&s, 0, sizeof(s));
    memset(&r, 0, sizeof(r));
    cr_assert_eq(mpc_ot_send_cot(&s, &a, x, 0), VEIL_EINVAL);
    cr_assert_eq(mpc_ot_recv_cot(&r, &a, x, NULL, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_ot_send(&s, &a, x, NULL, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_ot_recv(&r, NULL, x, &c, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_ot_send_rot(&s, &a, x, NULL, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_baseot_send(&a, x, x, 0), VEIL_EINVAL);
    cr_assert_eq(mpc_baseot_recv_random(&a, x, NULL, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_ot_sender_init(NULL, &a, NULL), VEIL_EINVAL);
    cr_assert_eq(mpc_ot_receiver_init(&r, NULL), VEIL_EINVAL);
    /* an invalid group element from the "sender" */
    {
        uint8_t bad[32];
        memset(bad, 0xff, sizeof(bad));
        cr_assert_eq(mpc_chan_send(&a, bad, 32), VEIL_OK);
        cr_assert_eq(mpc_chan_flush(&a), VEIL_OK);
        cr_assert_eq(mpc_baseot_recv_random(&b, x, &c, 1), VEIL_EFORMAT);
    }
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
}
