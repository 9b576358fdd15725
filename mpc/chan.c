/*
 * chan.c - framed messages over a non-blocking stream socket.
 *
 * Everything goes through one loop, pump(): it moves pending output (the
 * write buffer, then optionally a large payload straight from the caller's
 * memory) and pending input (one frame: header, then payload into the
 * caller's memory, through the read buffer when that is cheaper) as far as
 * the socket allows, and waits in poll() for whichever direction is stuck.
 * Because both directions progress in the same loop, a receive also
 * flushes, and two parties exchanging large frames at the same time cannot
 * deadlock on full kernel buffers.
 */
#include "veil/mpc.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "veil's wire formats are little endian; port chan.c first"
#endif

/* One frame to receive: the header first, then len payload bytes. */
typedef struct {
    uint8_t *dst; /* payload destination */
    size_t cap;   /* room at dst; with grow: the largest length accepted */
    size_t exact; /* required payload length, or SIZE_MAX for any */
    int grow;     /* dst is ours (malloc), grown as bytes arrive */
    size_t room;  /* with grow: bytes reserved at dst */
    uint8_t hdr[MPC_CHAN_HEADER_BYTES];
    size_t hdr_got;
    size_t len; /* payload length from the header */
    size_t got; /* payload bytes received */
} frame_in_t;

/* Record the first error, shut the socket so the peer notices at once. */
static veil_status fail(mpc_chan_t *ch, veil_status st)
{
    if (ch->err == VEIL_OK) {
        ch->err = st;
        if (ch->fd >= 0)
            (void)shutdown(ch->fd, SHUT_RDWR);
    }
    return ch->err;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Validate a complete header; the frame's length goes to f->len. */
static veil_status check_header(const mpc_chan_t *ch, frame_in_t *f)
{
    uint32_t len = le32(f->hdr), check = le32(f->hdr + 4);
    if ((len ^ MPC_CHAN_MAGIC) != check || len > ch->max_frame)
        return VEIL_EFORMAT;
    if (f->exact != SIZE_MAX ? len != f->exact : len > f->cap)
        return VEIL_EFORMAT;
    f->len = len;
    if (f->grow) { /* first reservation: small, whatever the header says */
        f->room = len < MPC_CHAN_GROW_MIN ? len : MPC_CHAN_GROW_MIN;
        f->dst = malloc(f->room > 0 ? f->room : 1);
        if (f->dst == NULL)
            return VEIL_ENOMEM;
    }
    return VEIL_OK;
}

/* With grow: make room for more payload once the reservation is full,
 * doubling up to the frame's length.  Returns the room left at dst. */
static size_t payload_room(frame_in_t *f, veil_status *st)
{
    if (f->grow && f->got == f->room && f->room < f->len) {
        size_t want = f->room > f->len / 2 ? f->len : 2 * f->room;
        uint8_t *p = realloc(f->dst, want);
        if (p == NULL) {
            *st = VEIL_ENOMEM;
            return 0;
        }
        f->dst = p;
        f->room = want;
    }
    return (f->grow ? f->room : f->len) - f->got;
}

/* Consume buffered input into the frame; 1 if anything moved. */
static int take_buffered(mpc_chan_t *ch, frame_in_t *f, veil_status *st)
{
    size_t avail = ch->rlen - ch->rpos, k;
    if (avail == 0)
        return 0;
    if (f->hdr_got < MPC_CHAN_HEADER_BYTES) {
        k = MPC_CHAN_HEADER_BYTES - f->hdr_got;
        k = k < avail ? k : avail;
        memcpy(f->hdr + f->hdr_got, ch->rbuf + ch->rpos, k);
        f->hdr_got += k;
        if (f->hdr_got == MPC_CHAN_HEADER_BYTES)
            *st = check_header(ch, f);
    } else {
        k = payload_room(f, st);
        if (*st != VEIL_OK)
            return 1;
        k = k < avail ? k : avail;
        memcpy(f->dst + f->got, ch->rbuf + ch->rpos, k);
        f->got += k;
    }
    ch->rpos += k;
    if (ch->rpos == ch->rlen)
        ch->rpos = ch->rlen = 0;
    return 1;
}

static int frame_done(const frame_in_t *f)
{
    return f == NULL ||
           (f->hdr_got == MPC_CHAN_HEADER_BYTES && f->got == f->len);
}

int64_t mpc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mpc_chan_set_deadline(mpc_chan_t *ch, int64_t timeout_ms)
{
    if (ch != NULL)
        ch->deadline_ms = timeout_ms < 0 ? 0 : mpc_now_ms() + timeout_ms;
}

/* The deadline of a call starting now: the earlier of the session deadline
 * and now + msg_timeout_ms; 0 if neither is set. */
static int64_t call_deadline(const mpc_chan_t *ch)
{
    int64_t d = ch->deadline_ms;
    if (ch->msg_timeout_ms >= 0) {
        int64_t m = mpc_now_ms() + ch->msg_timeout_ms;
        if (d == 0 || m < d)
            d = m;
    }
    return d;
}

/* The loop described at the top.  out/out_len: payload to write after the
 * write buffer (may be NULL/0); f: frame to receive (may be NULL).  The
 * call fails with VEIL_ETIMEOUT at its absolute deadline (call_deadline),
 * whatever progress it makes, or after timeout_ms without progress. */
static veil_status pump(mpc_chan_t *ch, const uint8_t *out, size_t out_len,
                        frame_in_t *f)
{
    size_t out_done = 0;
    int64_t deadline = call_deadline(ch);
    for (;;) {
        int progress = 0, wait_ms, idle;
        short events = 0;
        struct pollfd pfd;
        veil_status st = VEIL_OK;

        if (deadline != 0 && mpc_now_ms() >= deadline)
            return fail(ch, VEIL_ETIMEOUT);

        /* 1. output: the buffer, then the caller's payload */
        while (ch->wpos < ch->wlen || out_done < out_len) {
            const uint8_t *src;
            size_t len;
            ssize_t r;
            if (ch->wpos < ch->wlen) {
                src = ch->wbuf + ch->wpos;
                len = ch->wlen - ch->wpos;
            } else {
                src = out + out_done;
                len = out_len - out_done;
            }
            r = send(ch->fd, src, len, MSG_NOSIGNAL);
            if (r > 0) {
                progress = 1;
                ch->bytes_sent += (uint64_t)r;
                if (ch->wpos < ch->wlen) {
                    ch->wpos += (size_t)r;
                    if (ch->wpos == ch->wlen)
                        ch->wpos = ch->wlen = 0;
                } else {
                    out_done += (size_t)r;
                }
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                events |= POLLOUT;
                break;
            } else if (errno != EINTR) {
                return fail(ch, errno == EPIPE || errno == ECONNRESET
                                    ? VEIL_ECLOSED
                                    : VEIL_EIO);
            }
        }

        /* 2. input: buffered bytes first, then the socket */
        while (!frame_done(f)) {
            uint8_t *dst;
            size_t room;
            ssize_t r;
            if (take_buffered(ch, f, &st)) {
                if (st != VEIL_OK)
                    return fail(ch, st);
                progress = 1;
                continue;
            }
            /* a large remaining payload goes straight to its place */
            if (f->hdr_got == MPC_CHAN_HEADER_BYTES &&
                f->len - f->got >= MPC_CHAN_BUF_BYTES / 4) {
                room = payload_room(f, &st);
                if (st != VEIL_OK)
                    return fail(ch, st);
                dst = f->dst + f->got;
            } else {
                dst = ch->rbuf;
                room = MPC_CHAN_BUF_BYTES;
            }
            r = recv(ch->fd, dst, room, 0);
            if (r > 0) {
                progress = 1;
                ch->bytes_received += (uint64_t)r;
                if (dst == ch->rbuf)
                    ch->rlen = (size_t)r;
                else
                    f->got += (size_t)r;
            } else if (r == 0) {
                /* EOF: clean between frames, truncation inside one */
                return fail(ch, f->hdr_got == 0 ? VEIL_ECLOSED : VEIL_EFORMAT);
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                events |= POLLIN;
                break;
            } else if (errno != EINTR) {
                return fail(ch, errno == ECONNRESET ? VEIL_ECLOSED : VEIL_EIO);
            }
        }

        if (events == 0 && ch->wlen == 0 && out_done == out_len &&
            frame_done(f))
            return VEIL_OK;
        if (progress)
            continue;
        /* 3. wait for the stuck direction(s) */
        pfd.fd = ch->fd;
        pfd.events = events;
        pfd.revents = 0;
        wait_ms = ch->timeout_ms;
        idle = 1;
        if (deadline != 0) {
            int64_t left = deadline - mpc_now_ms();
            if (left <= 0)
                return fail(ch, VEIL_ETIMEOUT);
            if (wait_ms < 0 || left < wait_ms) {
                wait_ms = left > INT_MAX ? INT_MAX : (int)left;
                idle = 0; /* the deadline check above ends the call */
            }
        }
        int pr = poll(&pfd, 1, wait_ms);
        if (pr == 0 && idle)
            return fail(ch, VEIL_ETIMEOUT);
        if (pr < 0 && errno != EINTR)
            return fail(ch, VEIL_EIO);
        /* POLLHUP / POLLERR: the next send or recv reports it */
    }
}

veil_status mpc_chan_init_fd(mpc_chan_t *ch, int fd)
{
    int one = 1, flags;
    if (ch == NULL) {
        if (fd >= 0)
            close(fd);
        return VEIL_EINVAL;
    }
    memset(ch, 0, sizeof(*ch));
    ch->fd = -1;
    if (fd < 0)
        return VEIL_EINVAL;
    ch->fd = fd;
    ch->timeout_ms = MPC_CHAN_TIMEOUT_DEFAULT;
    ch->msg_timeout_ms = -1;
    ch->deadline_ms = 0;
    ch->max_frame = MPC_CHAN_MAX_FRAME_DEFAULT;
    ch->wbuf = veil_alloc(MPC_CHAN_BUF_BYTES);
    ch->rbuf = veil_alloc(MPC_CHAN_BUF_BYTES);
    if (ch->wbuf == NULL || ch->rbuf == NULL) {
        mpc_chan_clear(ch);
        return VEIL_ENOMEM;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        mpc_chan_clear(ch);
        return VEIL_EIO;
    }
    /* fails harmlessly (ENOTSUP) on a UNIX socket */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return VEIL_OK;
}

veil_status mpc_chan_pair(mpc_chan_t *a, mpc_chan_t *b)
{
    int sv[2];
    veil_status st;
    if (a == NULL || b == NULL || a == b)
        return VEIL_EINVAL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return VEIL_EIO;
    st = mpc_chan_init_fd(a, sv[0]);
    if (st != VEIL_OK) {
        close(sv[1]);
        return st;
    }
    st = mpc_chan_init_fd(b, sv[1]);
    if (st != VEIL_OK)
        mpc_chan_clear(a);
    return st;
}

void mpc_chan_clear(mpc_chan_t *ch)
{
    if (ch == NULL)
        return;
    if (ch->fd >= 0)
        close(ch->fd);
    veil_free(ch->wbuf);
    veil_free(ch->rbuf);
    memset(ch, 0, sizeof(*ch));
    ch->fd = -1;
}

/* Make room for `need` bytes in the write buffer. */
static veil_status reserve(mpc_chan_t *ch, size_t need)
{
    if (MPC_CHAN_BUF_BYTES - ch->wlen >= need)
        return VEIL_OK;
    return pump(ch, NULL, 0, NULL);
}

/* Append a frame header for a payload of len bytes (room reserved). */
static void put_header(mpc_chan_t *ch, size_t len)
{
    put_le32(ch->wbuf + ch->wlen, (uint32_t)len);
    put_le32(ch->wbuf + ch->wlen + 4, (uint32_t)len ^ MPC_CHAN_MAGIC);
    ch->wlen += MPC_CHAN_HEADER_BYTES;
}

veil_status mpc_chan_send(mpc_chan_t *ch, const void *buf, size_t len)
{
    veil_status st;
    if (ch == NULL || ch->fd < 0 || (buf == NULL && len > 0))
        return VEIL_EINVAL;
    if (ch->err != VEIL_OK)
        return ch->err;
    if (len > ch->max_frame)
        return VEIL_EINVAL;
    if (MPC_CHAN_HEADER_BYTES + len <= MPC_CHAN_BUF_BYTES) {
        st = reserve(ch, MPC_CHAN_HEADER_BYTES + len);
        if (st != VEIL_OK)
            return st;
        put_header(ch, len);
        if (len > 0)
            memcpy(ch->wbuf + ch->wlen, buf, len);
        ch->wlen += len;
        return VEIL_OK;
    }
    st = reserve(ch, MPC_CHAN_HEADER_BYTES);
    if (st != VEIL_OK)
        return st;
    put_header(ch, len);
    return pump(ch, buf, len, NULL);
}

veil_status mpc_chan_flush(mpc_chan_t *ch)
{
    if (ch == NULL || ch->fd < 0)
        return VEIL_EINVAL;
    if (ch->err != VEIL_OK)
        return ch->err;
    return pump(ch, NULL, 0, NULL);
}

static veil_status recv_frame(mpc_chan_t *ch, void *buf, size_t cap,
                              size_t exact, size_t *len)
{
    frame_in_t f;
    veil_status st;
    if (ch == NULL || ch->fd < 0 || (buf == NULL && cap > 0))
        return VEIL_EINVAL;
    if (ch->err != VEIL_OK)
        return ch->err;
    memset(&f, 0, sizeof(f));
    f.dst = buf;
    f.cap = cap;
    f.exact = exact;
    st = pump(ch, NULL, 0, &f);
    if (st == VEIL_OK && len != NULL)
        *len = f.len;
    return st;
}

veil_status mpc_chan_recv(mpc_chan_t *ch, void *buf, size_t len)
{
    return recv_frame(ch, buf, len, len, NULL);
}

veil_status mpc_chan_recv_any(mpc_chan_t *ch, void *buf, size_t cap,
                              size_t *len)
{
    if (len == NULL)
        return VEIL_EINVAL;
    return recv_frame(ch, buf, cap, SIZE_MAX, len);
}

veil_status mpc_chan_recv_alloc(mpc_chan_t *ch, uint8_t **buf, size_t *len,
                                size_t cap)
{
    frame_in_t f;
    veil_status st;
    if (buf != NULL)
        *buf = NULL;
    if (ch == NULL || ch->fd < 0 || buf == NULL || len == NULL)
        return VEIL_EINVAL;
    if (ch->err != VEIL_OK)
        return ch->err;
    memset(&f, 0, sizeof(f));
    f.cap = cap;
    f.exact = SIZE_MAX;
    f.grow = 1;
    st = pump(ch, NULL, 0, &f);
    if (st != VEIL_OK) {
        free(f.dst);
        return st;
    }
    *buf = f.dst;
    *len = f.len;
    return VEIL_OK;
}

veil_status mpc_chan_exchange(mpc_chan_t *ch, void *in, const void *out,
                              size_t len)
{
    frame_in_t f;
    veil_status st;
    if (ch == NULL || ch->fd < 0 || ((in == NULL || out == NULL) && len > 0))
        return VEIL_EINVAL;
    if (ch->err != VEIL_OK)
        return ch->err;
    if (len > ch->max_frame)
        return VEIL_EINVAL;
    st = reserve(ch, MPC_CHAN_HEADER_BYTES);
    if (st != VEIL_OK)
        return st;
    put_header(ch, len);
    memset(&f, 0, sizeof(f));
    f.dst = in;
    f.cap = len;
    f.exact = len;
    return pump(ch, out, len, &f);
}
