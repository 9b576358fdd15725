/*
 * Tests of the channel and the two-party harness: frames of every size
 * arrive intact and in order, counters add up, simultaneous exchanges of
 * large frames do not deadlock, and malformed, truncated, oversized or
 * missing frames give a clean status on both sides.
 */
#include "../common/seed.h"
#include "veil/mpc.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Deterministic test data both parties (even in two processes) can
 * recompute: byte i of message `tag` is a hash of (tag, i). */
static void fill(uint8_t *p, size_t len, uint32_t tag)
{
    uint64_t x = 0x9e3779b97f4a7c15ull * (tag + 1);
    for (size_t i = 0; i < len; i++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ull;
        x += i;
        p[i] = (uint8_t)(x >> 56);
    }
}

static int check(const uint8_t *p, size_t len, uint32_t tag)
{
    uint8_t *q = malloc(len + 1);
    int ok;
    fill(q, len, tag);
    ok = memcmp(p, q, len) == 0;
    free(q);
    return ok;
}

static const size_t sizes[] = {0,
                               1,
                               7,
                               1000,
                               MPC_CHAN_BUF_BYTES - 8,
                               MPC_CHAN_BUF_BYTES,
                               3 * MPC_CHAN_BUF_BYTES + 5};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

Test(mpc_chan, pair_frames_of_every_size_in_order)
{
    mpc_chan_t a, b;
    uint8_t *buf = malloc(3 * MPC_CHAN_BUF_BYTES + 5), small[8];
    size_t len;
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    /* small frames stay buffered until a flush */
    for (uint32_t t = 0; t < 3; t++) {
        fill(small, 8, t);
        cr_assert_eq(mpc_chan_send(&a, small, 8), VEIL_OK);
    }
    cr_assert_eq(a.bytes_sent, 0);
    cr_assert_eq(mpc_chan_flush(&a), VEIL_OK);
    cr_assert_eq(a.bytes_sent, 3 * (8 + MPC_CHAN_HEADER_BYTES));
    for (uint32_t t = 0; t < 3; t++) {
        cr_assert_eq(mpc_chan_recv_any(&b, small, 8, &len), VEIL_OK);
        cr_assert_eq(len, 8);
        cr_assert(check(small, 8, t));
    }
    /* small frames of several sizes, alternating directions (the large
     * ones need a concurrent reader: see echo_party) */
    for (size_t i = 0; i < N_SIZES && sizes[i] <= 1000; i++) {
        mpc_chan_t *s = i % 2 ? &a : &b, *r = i % 2 ? &b : &a;
        fill(buf, sizes[i], 100 + (uint32_t)i);
        cr_assert_eq(mpc_chan_send(s, buf, sizes[i]), VEIL_OK);
        cr_assert_eq(mpc_chan_flush(s), VEIL_OK);
        memset(buf, 0, sizes[i]);
        cr_assert_eq(mpc_chan_recv(r, buf, sizes[i]), VEIL_OK);
        cr_assert(check(buf, sizes[i], 100 + (uint32_t)i));
    }
    cr_assert_eq(a.bytes_sent, b.bytes_received);
    cr_assert_eq(b.bytes_sent, a.bytes_received);
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
    mpc_chan_clear(&b);
    free(buf);
}

/* Party 0 sends frames of every size then receives them back; party 1
 * echoes; then both exchange 6 MB at once. */
static veil_status echo_party(mpc_chan_t *ch, int party, void *arg)
{
    size_t big = 6u << 20;
    uint8_t *buf = malloc(big), *in = malloc(big);
    veil_status st = VEIL_OK;
    (void)arg;
    if (buf == NULL || in == NULL)
        st = VEIL_ENOMEM;
    for (size_t i = 0; i < N_SIZES && st == VEIL_OK; i++) {
        if (party == 0) {
            fill(buf, sizes[i], (uint32_t)i);
            st = mpc_chan_send(ch, buf, sizes[i]);
            if (st == VEIL_OK)
                st = mpc_chan_recv(ch, buf, sizes[i]);
            if (st == VEIL_OK && !check(buf, sizes[i], (uint32_t)i))
                st = VEIL_EFORMAT;
        } else {
            st = mpc_chan_recv(ch, buf, sizes[i]);
            if (st == VEIL_OK)
                st = mpc_chan_send(ch, buf, sizes[i]);
        }
    }
    if (st == VEIL_OK) {
        fill(buf, big, 1000 + (uint32_t)party);
        st = mpc_chan_exchange(ch, in, buf, big);
    }
    if (st == VEIL_OK && !check(in, big, 1000 + (uint32_t)(1 - party)))
        st = VEIL_EFORMAT;
    if (st == VEIL_OK && ch->bytes_sent != ch->bytes_received)
        st = VEIL_EFORMAT; /* symmetric traffic */
    free(buf);
    free(in);
    return st;
}

static void run_echo(mpc_run_mode_t mode)
{
    veil_status st[2];
    void *args[2] = {NULL, NULL};
    cr_assert_eq(mpc_run2(st, mode, echo_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "party 0: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "party 1: %s", veil_strerror(st[1]));
}

Test(mpc_chan, echo_and_exchange_threads)
{
    run_echo(MPC_RUN_THREADS);
}

Test(mpc_chan, echo_and_exchange_threads_tcp)
{
    run_echo(MPC_RUN_THREADS_TCP);
}

Test(mpc_chan, echo_and_exchange_processes_tcp)
{
    run_echo(MPC_RUN_PROCESSES);
}

/* ------------------------------------------------------- bad frames */

enum { BAD_HEADER, BAD_TRUNCATED, BAD_OVERSIZE, BAD_LENGTH, BAD_CLOSE };

/* Party 1 writes a bad frame raw on the socket (or closes), then waits for
 * a frame; party 0 expects one frame of 100 bytes.  Both must fail
 * cleanly: party 0 with the reason, party 1 with VEIL_ECLOSED. */
static veil_status bad_party(mpc_chan_t *ch, int party, void *arg)
{
    int kind = *(const int *)arg;
    uint8_t buf[100], raw[40];
    uint32_t len = kind == BAD_OVERSIZE ? 5000 : kind == BAD_LENGTH ? 99 : 100;
    uint32_t chk = len ^ MPC_CHAN_MAGIC;
    if (party == 0) {
        ch->max_frame = 1000;
        return mpc_chan_recv(ch, buf, sizeof(buf));
    }
    if (kind == BAD_CLOSE)
        return VEIL_OK; /* the harness closes the channel */
    if (kind == BAD_HEADER)
        chk ^= 0x10; /* one flipped bit */
    memcpy(raw, &len, 4);
    memcpy(raw + 4, &chk, 4);
    memset(raw + 8, 0x5a, sizeof(raw) - 8);
    if (send(ch->fd, raw, sizeof(raw), MSG_NOSIGNAL) != (ssize_t)sizeof(raw))
        return VEIL_EIO;
    if (kind == BAD_TRUNCATED)
        shutdown(ch->fd, SHUT_WR); /* 32 of 100 payload bytes, then EOF */
    return mpc_chan_recv(ch, buf, sizeof(buf));
}

static void run_bad(int kind, veil_status want0, mpc_run_mode_t mode)
{
    veil_status st[2];
    void *args[2] = {&kind, &kind};
    cr_assert_eq(mpc_run2(st, mode, bad_party, args), VEIL_OK);
    cr_assert_eq(st[0], want0, "kind %d party 0: %s", kind,
                 veil_strerror(st[0]));
    if (kind != BAD_CLOSE)
        cr_assert_eq(st[1], VEIL_ECLOSED, "kind %d party 1: %s", kind,
                     veil_strerror(st[1]));
}

Test(mpc_chan, malformed_frames_fail_cleanly_on_both_sides)
{
    for (int m = MPC_RUN_THREADS; m <= MPC_RUN_PROCESSES; m++) {
        run_bad(BAD_HEADER, VEIL_EFORMAT, (mpc_run_mode_t)m);
        run_bad(BAD_TRUNCATED, VEIL_EFORMAT, (mpc_run_mode_t)m);
        run_bad(BAD_OVERSIZE, VEIL_EFORMAT, (mpc_run_mode_t)m);
        run_bad(BAD_LENGTH, VEIL_EFORMAT, (mpc_run_mode_t)m);
        run_bad(BAD_CLOSE, VEIL_ECLOSED, (mpc_run_mode_t)m);
    }
}

Test(mpc_chan, errors_are_sticky_and_recv_any_checks_capacity)
{
    mpc_chan_t a, b;
    uint8_t buf[64] = {0};
    size_t len = 0;
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    cr_assert_eq(mpc_chan_send(&a, buf, 64), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&a), VEIL_OK);
    cr_assert_eq(mpc_chan_recv_any(&b, buf, 63, &len), VEIL_EFORMAT);
    cr_assert_eq(mpc_chan_recv(&b, buf, 64), VEIL_EFORMAT);
    cr_assert_eq(mpc_chan_send(&b, buf, 1), VEIL_EFORMAT);
    cr_assert_eq(mpc_chan_recv(&a, buf, 1), VEIL_ECLOSED);
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
}

Test(mpc_chan, timeout_and_bad_arguments)
{
    mpc_chan_t a, b, c;
    mpc_listener_t l;
    uint8_t buf[4];
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    a.timeout_ms = 50;
    cr_assert_eq(mpc_chan_recv(&a, buf, 4), VEIL_ETIMEOUT);
    b.max_frame = 3;
    cr_assert_eq(mpc_chan_send(&b, buf, 4), VEIL_EINVAL);
    cr_assert_eq(mpc_chan_send(&b, NULL, 4), VEIL_EINVAL);
    cr_assert_eq(mpc_chan_recv_any(&b, buf, 4, NULL), VEIL_EINVAL);
    cr_assert_eq(mpc_chan_pair(&a, &a), VEIL_EINVAL);
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
    cr_assert_eq(mpc_chan_init_fd(&c, -1), VEIL_EINVAL);
    mpc_chan_clear(&c);
    cr_assert_eq(mpc_listener_init(&l, "not-an-address", 0), VEIL_EINVAL);
    cr_assert_eq(mpc_listener_init(&l, "127.0.0.1", 0), VEIL_OK);
    cr_assert_neq(l.port, 0);
    cr_assert_eq(mpc_chan_accept(&c, &l, 20), VEIL_ETIMEOUT);
    mpc_listener_clear(&l);
    mpc_listener_clear(&l);
    cr_assert_eq(mpc_chan_connect(&c, "127.0.0.1", 0, 10), VEIL_EINVAL);
    cr_assert_eq(mpc_chan_connect(&c, "::1", 5, 10), VEIL_EINVAL);
}
