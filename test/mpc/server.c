/*
 * Tests of the channel's resource bounds and the bounded server pool
 * (mpc/server.c): a client that stalls inside a frame header does not
 * delay another; a client that drips bytes is cut at its message and
 * session deadlines, however steady its progress; a length header beyond
 * the caller's cap is refused before any memory is reserved, and one
 * within the cap reserves only about what arrived; failed accepts
 * (EMFILE) leave the listener serving; connect tells a refusal from a
 * time-out.  Only 127.0.0.1, ports picked by the kernel, every wait
 * bounded.
 */
#include "veil/mpc.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAP (1u << 20) /* the echo handler's message cap */

/* The handler: echo every frame (at most CAP bytes) until the peer closes
 * at a frame boundary, which is a normal end. */
static veil_status echo(mpc_chan_t *ch, void *arg, uint64_t session)
{
    (void)arg;
    (void)session;
    for (;;) {
        uint8_t *buf;
        size_t len;
        veil_status st = mpc_chan_recv_alloc(ch, &buf, &len, CAP);
        if (st == VEIL_ECLOSED)
            return VEIL_OK;
        if (st != VEIL_OK)
            return st;
        st = mpc_chan_send(ch, buf, len);
        free(buf);
        if (st == VEIL_OK)
            st = mpc_chan_flush(ch);
        if (st != VEIL_OK)
            return st;
    }
}

typedef struct {
    mpc_server_t *srv;
    pthread_t tid;
    veil_status st;
} running_t;

static void *run_thread(void *arg)
{
    running_t *r = arg;
    r->st = mpc_server_run(r->srv);
    return NULL;
}

static void start(running_t *r, const mpc_server_config_t *cfg)
{
    cr_assert_eq(mpc_server_init(&r->srv, "127.0.0.1", 0, cfg), VEIL_OK);
    cr_assert_neq(mpc_server_port(r->srv), 0);
    cr_assert_eq(pthread_create(&r->tid, NULL, run_thread, r), 0);
}

/* Stop, join (the loop joins every session) and free. */
static void finish(running_t *r, mpc_server_stats_t *stats)
{
    mpc_server_stop(r->srv);
    cr_assert_eq(pthread_join(r->tid, NULL), 0);
    cr_assert_eq(r->st, VEIL_OK);
    mpc_server_stats(stats, r->srv);
    cr_assert_eq(stats->active, 0);
    mpc_server_clear(r->srv);
}

static void config(mpc_server_config_t *cfg)
{
    mpc_server_config_default(cfg);
    cfg->handler = echo;
    cfg->max_clients = 4;
    cfg->session_timeout_ms = 20000;
    cfg->msg_timeout_ms = 10000;
    cfg->idle_timeout_ms = 10000;
}

/* A raw TCP connection to the server (no framing). */
static int raw_connect(uint16_t port)
{
    mpc_chan_t ch;
    int fd;
    cr_assert_eq(mpc_chan_connect(&ch, "127.0.0.1", port, 5000), VEIL_OK);
    fd = dup(ch.fd);
    mpc_chan_clear(&ch);
    cr_assert_geq(fd, 0);
    return fd;
}

/* Wait (at most limit_ms) until the server closes fd: the ms it took, or
 * -1 if it did not. */
static int64_t wait_closed(int fd, int limit_ms)
{
    int64_t t0 = mpc_now_ms();
    struct timeval tv = {0, 50 * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (mpc_now_ms() - t0 < limit_ms) {
        char b[256];
        ssize_t r = recv(fd, b, sizeof(b), 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return mpc_now_ms() - t0;
    }
    return -1;
}

/* One echo round trip on a fresh framed connection; its time in ms. */
static int64_t echo_once(uint16_t port, size_t len)
{
    mpc_chan_t ch;
    uint8_t *out = malloc(len + 1), *in = malloc(len + 1);
    int64_t t0 = mpc_now_ms();
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 7 + 1);
    cr_assert_eq(mpc_chan_connect(&ch, "127.0.0.1", port, 5000), VEIL_OK);
    ch.msg_timeout_ms = 5000;
    cr_assert_eq(mpc_chan_send(&ch, out, len), VEIL_OK);
    cr_assert_eq(mpc_chan_recv(&ch, in, len), VEIL_OK);
    cr_assert(memcmp(in, out, len) == 0);
    mpc_chan_clear(&ch);
    free(out);
    free(in);
    return mpc_now_ms() - t0;
}

Test(mpc_server, stalled_half_header_does_not_block_others)
{
    mpc_server_config_t cfg;
    mpc_server_stats_t stats;
    running_t r;
    const uint8_t half[4] = {16, 0, 0, 0};
    int64_t waited;
    int stall;

    config(&cfg);
    cfg.msg_timeout_ms = 4000;
    start(&r, &cfg);
    stall = raw_connect(mpc_server_port(r.srv));
    cr_assert_eq(send(stall, half, sizeof(half), MSG_NOSIGNAL), 4);
    /* real clients are served at once, while the stalled one waits */
    for (int i = 0; i < 3; i++)
        cr_assert_lt(echo_once(mpc_server_port(r.srv), 1000 + 40000 * i), 2000,
                     "a real client waited behind a stalled one");
    /* the stalled one is cut at its message deadline, not later */
    waited = wait_closed(stall, 10000);
    cr_assert_geq(waited, 0, "the stalled client was never cut");
    cr_assert_lt(waited, 4000 + 2000);
    close(stall);
    finish(&r, &stats);
    cr_assert_eq(stats.accepted, 4);
    cr_assert_eq(stats.ok, 3);
    cr_assert_eq(stats.timed_out, 1);
}

/* A client that keeps the connection busy with a small frame every 100
 * ms: every message is on time, so only the session deadline cuts it. */
Test(mpc_server, slow_drip_is_cut_at_the_session_deadline)
{
    mpc_server_config_t cfg;
    mpc_server_stats_t stats;
    running_t r;
    mpc_chan_t ch;
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8}, in[8];
    int64_t t0;
    veil_status st = VEIL_OK;
    int frames = 0;

    config(&cfg);
    cfg.session_timeout_ms = 1500;
    cfg.idle_timeout_ms = 1000; /* never reached: a frame every 100 ms */
    start(&r, &cfg);
    cr_assert_eq(
        mpc_chan_connect(&ch, "127.0.0.1", mpc_server_port(r.srv), 5000),
        VEIL_OK);
    t0 = mpc_now_ms();
    while (st == VEIL_OK && mpc_now_ms() - t0 < 10000) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        st = mpc_chan_send(&ch, b, sizeof(b));
        if (st == VEIL_OK)
            st = mpc_chan_recv(&ch, in, sizeof(in));
        frames += st == VEIL_OK;
        nanosleep(&pause, NULL);
    }
    cr_assert_neq(st, VEIL_OK, "a steady client outlived its session");
    cr_assert_geq(mpc_now_ms() - t0, 1400);
    cr_assert_lt(mpc_now_ms() - t0, 1500 + 2000);
    cr_assert_geq(frames, 5);
    mpc_chan_clear(&ch);
    finish(&r, &stats);
    cr_assert_eq(stats.timed_out, 1);
}

/* One frame dripped one byte every 50 ms: always making progress, so the
 * idle limit never fires, but the message deadline does. */
Test(mpc_server, byte_drip_is_cut_at_the_message_deadline)
{
    mpc_server_config_t cfg;
    mpc_server_stats_t stats;
    running_t r;
    const uint8_t hdr[8] = {100, 0, 0, 0, 100 ^ 0x4c, 0x49, 0x45, 0x56};
    int64_t t0;
    int fd, cut = 0;

    config(&cfg);
    cfg.msg_timeout_ms = 1000;
    cfg.idle_timeout_ms = 500;
    start(&r, &cfg);
    fd = raw_connect(mpc_server_port(r.srv));
    t0 = mpc_now_ms();
    for (int i = 0; i < 108 && mpc_now_ms() - t0 < 10000; i++) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        uint8_t x = i < 8 ? hdr[i] : (uint8_t)i;
        if (send(fd, &x, 1, MSG_NOSIGNAL) != 1) {
            cut = 1;
            break;
        }
        nanosleep(&pause, NULL);
    }
    if (!cut)
        cut = wait_closed(fd, 3000) >= 0;
    cr_assert(cut, "the drip was never cut");
    cr_assert_lt(mpc_now_ms() - t0, 1000 + 2500);
    close(fd);
    finish(&r, &stats);
    cr_assert_eq(stats.timed_out, 1);
}

/* Bytes the allocator has handed out (all arenas, mmapped blocks too). */
static size_t heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

typedef struct {
    mpc_chan_t *ch;
    uint32_t claim;  /* length in the header */
    size_t send;     /* payload bytes actually sent */
    size_t during;   /* heap_bytes() while the receiver waits */
    int64_t wait_ms; /* how long to wait before measuring */
} dripper_t;

static void *dripper(void *arg)
{
    dripper_t *d = arg;
    uint8_t hdr[8], *p = calloc(d->send + 1, 1);
    struct timespec pause = {0, 0};
    for (int i = 0; i < 4; i++) {
        hdr[i] = (uint8_t)(d->claim >> (8 * i));
        hdr[4 + i] = (uint8_t)((d->claim ^ MPC_CHAN_MAGIC) >> (8 * i));
    }
    (void)!write(d->ch->fd, hdr, 8);
    for (size_t off = 0; off < d->send;) {
        ssize_t w = write(d->ch->fd, p + off, d->send - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    pause.tv_nsec = (long)d->wait_ms * 1000 * 1000;
    nanosleep(&pause, NULL);
    d->during = heap_bytes();
    free(p);
    return NULL;
}

Test(mpc_server, length_beyond_the_cap_is_refused_before_allocation)
{
    mpc_chan_t a, b;
    dripper_t d;
    pthread_t t;
    uint8_t *buf = (uint8_t *)1;
    size_t len = 0, before;
    int64_t t0;

    /* 2 GiB announced, cap 1 MiB: refused at the header, nothing kept */
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    /* make the blocking writes of the dripper possible */
    b.max_frame = UINT32_MAX;
    d.ch = &a;
    d.claim = UINT32_C(1) << 31;
    d.send = 0;
    d.wait_ms = 0;
    cr_assert_eq(pthread_create(&t, NULL, dripper, &d), 0);
    t0 = mpc_now_ms();
    cr_assert_eq(mpc_chan_recv_alloc(&b, &buf, &len, CAP), VEIL_EFORMAT);
    cr_assert_null(buf);
    cr_assert_lt(mpc_now_ms() - t0, 2000);
    pthread_join(t, NULL);
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);

    /* 1 GiB announced within a 1 GiB cap, 100 KB sent: while it waits the
     * receiver holds about what arrived (at most 2x plus the first
     * reservation), not the announced size */
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    b.max_frame = UINT32_MAX;
    b.msg_timeout_ms = 1500;
    d.claim = UINT32_C(1) << 30;
    d.send = 100000;
    d.wait_ms = 500;
    before = heap_bytes();
    cr_assert_eq(pthread_create(&t, NULL, dripper, &d), 0);
    cr_assert_eq(mpc_chan_recv_alloc(&b, &buf, &len, (size_t)1 << 30),
                 VEIL_ETIMEOUT);
    pthread_join(t, NULL);
    cr_assert_null(buf);
    cr_assert_lt(d.during > before ? d.during - before : 0, (size_t)1 << 20,
                 "%zu bytes reserved for 100 KB received", d.during - before);
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
}

Test(mpc_server, recv_alloc_frames_of_every_size)
{
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 300000, 1 << 20};
    mpc_chan_t a, b;
    cr_assert_eq(mpc_chan_pair(&a, &b), VEIL_OK);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t n = sizes[k], len = 7;
        uint8_t *out = malloc(n + 1), *in = NULL;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(i * 13 + k);
        /* a small frame fits the socket buffers; a large one needs a
         * reader at the same time, so a forked child sends it */
        if (n + 8 <= MPC_CHAN_BUF_BYTES) {
            cr_assert_eq(mpc_chan_send(&a, out, n), VEIL_OK);
            cr_assert_eq(mpc_chan_flush(&a), VEIL_OK);
            cr_assert_eq(mpc_chan_recv_alloc(&b, &in, &len, 1 << 20), VEIL_OK);
        } else {
            pid_t pid = fork();
            cr_assert_geq(pid, 0);
            if (pid == 0) {
                int ok = mpc_chan_send(&a, out, n) == VEIL_OK &&
                         mpc_chan_flush(&a) == VEIL_OK;
                _exit(ok ? 0 : 1);
            }
            cr_assert_eq(mpc_chan_recv_alloc(&b, &in, &len, 1 << 20), VEIL_OK);
            int ws;
            cr_assert_eq(waitpid(pid, &ws, 0), pid);
            cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
        }
        cr_assert_eq(len, n);
        cr_assert_not_null(in);
        cr_assert(n == 0 || memcmp(in, out, n) == 0);
        free(in);
        free(out);
    }
    /* one byte over the cap */
    {
        uint8_t x[9] = {0}, *in = NULL;
        size_t len;
        cr_assert_eq(mpc_chan_send(&a, x, 9), VEIL_OK);
        cr_assert_eq(mpc_chan_flush(&a), VEIL_OK);
        cr_assert_eq(mpc_chan_recv_alloc(&b, &in, &len, 8), VEIL_EFORMAT);
        cr_assert_null(in);
    }
    mpc_chan_clear(&a);
    mpc_chan_clear(&b);
}

/* In a child whose descriptor limit leaves room for one connection: the
 * second connection makes accept fail with EMFILE (again and again, with
 * back-off) while the first is served; when the first ends, the second is
 * accepted and served.  The child's exit code: 0 if accept errors were
 * counted and both sessions ended well. */
static int child_server(int report_fd)
{
    mpc_server_config_t cfg;
    mpc_server_stats_t stats;
    mpc_server_t *srv;
    struct rlimit rl;
    uint16_t port;
    int lowest;
    config(&cfg);
    cfg.max_sessions = 2;
    if (mpc_server_init(&srv, "127.0.0.1", 0, &cfg) != VEIL_OK)
        return 20;
    port = mpc_server_port(srv);
    if (write(report_fd, &port, sizeof(port)) != sizeof(port))
        return 21;
    close(report_fd);
    lowest = dup(0); /* the lowest free descriptor */
    if (lowest < 0)
        return 22;
    close(lowest);
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 23;
    rl.rlim_cur = (rlim_t)lowest + 1; /* exactly one more descriptor */
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 24;
    if (mpc_server_run(srv) != VEIL_OK)
        return 25;
    mpc_server_stats(&stats, srv);
    mpc_server_clear(srv);
    if (stats.accept_errors == 0)
        return 26;
    if (stats.ok != 2)
        return 27;
    return 0;
}

Test(mpc_server, accept_errors_do_not_end_the_listener)
{
    int p[2], ws = 0;
    uint16_t port = 0;
    pid_t pid;
    mpc_chan_t c1, c2;
    uint8_t x[5] = {1, 2, 3, 4, 5}, y[5];
    int64_t t0;

    cr_assert_eq(pipe(p), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(p[0]);
        alarm(30); /* never outlive the test */
        _exit(child_server(p[1]));
    }
    close(p[1]);
    cr_assert_eq(read(p[0], &port, sizeof(port)), (ssize_t)sizeof(port));
    close(p[0]);
    {
        struct timespec pause = {0, 200 * 1000 * 1000}; /* rlimit set */
        nanosleep(&pause, NULL);
    }
    cr_assert_eq(mpc_chan_connect(&c1, "127.0.0.1", port, 5000), VEIL_OK);
    c1.msg_timeout_ms = 5000;
    cr_assert_eq(mpc_chan_send(&c1, x, 5), VEIL_OK);
    cr_assert_eq(mpc_chan_recv(&c1, y, 5), VEIL_OK); /* c1 is in session */
    /* c2 completes the TCP handshake (kernel queue) but accept fails */
    cr_assert_eq(mpc_chan_connect(&c2, "127.0.0.1", port, 5000), VEIL_OK);
    c2.msg_timeout_ms = 8000;
    cr_assert_eq(mpc_chan_send(&c2, x, 5), VEIL_OK);
    cr_assert_eq(mpc_chan_flush(&c2), VEIL_OK);
    {
        struct timespec pause = {0, 300 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    mpc_chan_clear(&c1); /* frees the child's descriptor */
    cr_assert_eq(mpc_chan_recv(&c2, y, 5), VEIL_OK, "the listener died");
    cr_assert(memcmp(x, y, 5) == 0);
    mpc_chan_clear(&c2);
    t0 = mpc_now_ms();
    while (waitpid(pid, &ws, WNOHANG) == 0 && mpc_now_ms() - t0 < 10000) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (mpc_now_ms() - t0 >= 10000) {
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
        cr_assert_fail("the server child did not finish");
    }
    cr_assert(WIFEXITED(ws), "the server child crashed");
    cr_assert_eq(WEXITSTATUS(ws), 0, "child status %d", WEXITSTATUS(ws));
}

Test(mpc_server, connect_tells_refused_from_timed_out)
{
    mpc_listener_t l;
    mpc_chan_t held[8], c;
    uint16_t port;
    int64_t t0;
    veil_status st = VEIL_OK;
    int n = 0;

    /* refused: a port that was just ours and is closed now */
    cr_assert_eq(mpc_listener_init(&l, "127.0.0.1", 0), VEIL_OK);
    port = l.port;
    mpc_listener_clear(&l);
    t0 = mpc_now_ms();
    cr_assert_eq(mpc_chan_connect(&c, "127.0.0.1", port, 300), VEIL_EREFUSED);
    cr_assert_geq(mpc_now_ms() - t0, 250, "refusals are retried");
    cr_assert_lt(mpc_now_ms() - t0, 2000);
    cr_assert_eq(mpc_chan_connect(&c, "127.0.0.1", port, 0), VEIL_EREFUSED);

    /* timed out: a listener whose queue is full drops further SYNs, so
     * the handshake gets no answer */
    cr_assert_eq(mpc_listener_init_backlog(&l, "127.0.0.1", 0, 0), VEIL_OK);
    while (n < 8) {
        t0 = mpc_now_ms();
        st = mpc_chan_connect(&held[n], "127.0.0.1", l.port, 400);
        if (st != VEIL_OK)
            break;
        n++;
    }
    cr_assert_eq(st, VEIL_ETIMEOUT, "%s", veil_strerror(st));
    cr_assert_geq(mpc_now_ms() - t0, 390);
    cr_assert_lt(mpc_now_ms() - t0, 3000);
    cr_assert_lt(n, 8);
    for (int i = 0; i < n; i++)
        mpc_chan_clear(&held[i]);
    mpc_listener_clear(&l);
    cr_assert_neq(
        strcmp(veil_strerror(VEIL_EREFUSED), veil_strerror(VEIL_ETIMEOUT)), 0);
    cr_assert_neq(
        strcmp(veil_strerror(VEIL_EUNREACH), veil_strerror(VEIL_ETIMEOUT)), 0);
}

/* At most max_clients at once: a third client waits in the backlog until
 * a slot frees, then is served; stop cuts running sessions promptly. */
Test(mpc_server, pool_is_bounded_and_stop_is_prompt)
{
    mpc_server_config_t cfg;
    mpc_server_stats_t stats;
    running_t r;
    mpc_chan_t c[3];
    uint8_t x[3] = {9, 8, 7}, y[3];
    int64_t t0;

    config(&cfg);
    cfg.max_clients = 2;
    start(&r, &cfg);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(
            mpc_chan_connect(&c[i], "127.0.0.1", mpc_server_port(r.srv), 5000),
            VEIL_OK);
        c[i].msg_timeout_ms = 600;
    }
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(mpc_chan_send(&c[i], x, 3), VEIL_OK);
        cr_assert_eq(mpc_chan_recv(&c[i], y, 3), VEIL_OK);
    }
    /* the third is queued, not served */
    cr_assert_eq(mpc_chan_send(&c[2], x, 3), VEIL_OK);
    cr_assert_eq(mpc_chan_recv(&c[2], y, 3), VEIL_ETIMEOUT);
    mpc_server_stats(&stats, r.srv);
    cr_assert_eq(stats.active, 2);
    cr_assert_eq(stats.peak_active, 2);
    mpc_chan_clear(&c[2]);
    mpc_chan_clear(&c[0]); /* a slot frees; a new client gets it */
    cr_assert_lt(echo_once(mpc_server_port(r.srv), 100), 3000);
    /* c[1] is still in session: stop must cut it, not wait 20 s */
    t0 = mpc_now_ms();
    finish(&r, &stats);
    cr_assert_lt(mpc_now_ms() - t0, 2000);
    cr_assert_leq(stats.peak_active, 2);
    mpc_chan_clear(&c[1]);
}
