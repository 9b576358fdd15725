/*
 * hostile - open N hostile connections to a framed server on 127.0.0.1
 * (for the soak test test/mpc/soak.sh) and keep them misbehaving for at
 * most S seconds.  Kinds, in turn:
 *   0 half     half a frame header, then silence
 *   1 drip     a valid header announcing 4 MiB, then one byte every 200 ms
 *   2 huge     a length frame announcing 2 GiB (then silence)
 *   3 hugehdr  a frame header announcing 4 GiB - 1 bytes directly
 *   4 garbage  256 random bytes
 *   5 hangup   connect and close at once (with a reset)
 *   6 silent   connect, read nothing, send nothing
 * Every connection is non-blocking; one poll loop drives them all and
 * ends at the time limit.  Prints one line: how many connections were
 * opened, how many the server closed (cut) before the end, how many were
 * still open.  Exit status 0 unless the tool itself failed.
 *
 *   hostile PORT N SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KINDS 7
#define MAXN 1000
#define MAGIC UINT32_C(0x5645494c)

typedef struct {
    int fd;
    int kind;
    int connected;
    int closed;   /* the server closed it */
    size_t sent;  /* bytes of the script sent */
    int64_t next; /* next drip byte (ms) */
} conn_t;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The bytes connection kind k sends (all at once, or dripped). */
static size_t script(uint8_t *out, int kind, unsigned seed)
{
    switch (kind) {
    case 0: /* half a header */
        put32(out, 8);
        return 4;
    case 1: /* header of a 4 MiB frame, then its payload, dripped */
        put32(out, 1u << 22);
        put32(out + 4, (1u << 22) ^ MAGIC);
        memset(out + 8, 0x55, 248);
        return 256;
    case 2: /* the 8-byte length frame of a blob, announcing 2 GiB */
        put32(out, 8);
        put32(out + 4, 8 ^ MAGIC);
        memset(out + 8, 0, 8);
        out[11] = 0x80; /* 2^31 */
        return 16;
    case 3: /* a frame header announcing 4 GiB - 1 */
        put32(out, UINT32_MAX);
        put32(out + 4, UINT32_MAX ^ MAGIC);
        return 8;
    case 4: { /* garbage */
        uint32_t x = seed * 2654435761u + 1;
        for (int i = 0; i < 256; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out[i] = (uint8_t)x;
        }
        return 256;
    }
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    static conn_t c[MAXN];
    static struct pollfd pfd[MAXN];
    struct sockaddr_in sa;
    int port, n, secs, opened = 0, cut = 0, open_at_end = 0;
    int64_t end;
    if (argc != 4 || (port = atoi(argv[1])) <= 0 || port > 65535 ||
        (n = atoi(argv[2])) <= 0 || n > MAXN || (secs = atoi(argv[3])) <= 0 ||
        secs > 600) {
        fprintf(stderr, "usage: hostile PORT N SECONDS\n");
        return 2;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    end = now_ms() + 1000 * (int64_t)secs;
    for (int i = 0; i < n; i++) {
        c[i].kind = i % KINDS;
        c[i].fd =
            socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c[i].fd < 0) {
            perror("hostile: socket");
            return 1;
        }
        if (connect(c[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
            errno != EINPROGRESS) {
            c[i].closed = 1; /* refused: counts as cut */
            close(c[i].fd);
            c[i].fd = -1;
        }
        opened++;
    }
    while (now_ms() < end) {
        int live = 0;
        int64_t t = now_ms();
        for (int i = 0; i < n; i++) {
            pfd[i].fd = c[i].closed ? -1 : c[i].fd;
            pfd[i].events = POLLIN | (c[i].connected ? 0 : POLLOUT);
            pfd[i].revents = 0;
            live += !c[i].closed;
        }
        if (live == 0)
            break;
        if (poll(pfd, (nfds_t)n, 50) < 0 && errno != EINTR) {
            perror("hostile: poll");
            return 1;
        }
        t = now_ms();
        for (int i = 0; i < n; i++) {
            conn_t *x = &c[i];
            uint8_t buf[4096];
            size_t len;
            if (x->closed)
                continue;
            if (!x->connected && (pfd[i].revents & (POLLOUT | POLLERR))) {
                int err = 0;
                socklen_t el = sizeof(err);
                getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err != 0) {
                    x->closed = 1;
                    close(x->fd);
                    continue;
                }
                x->connected = 1;
                if (x->kind == 5) { /* hang up with a reset */
                    struct linger lg = {1, 0};
                    setsockopt(x->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                    close(x->fd);
                    x->fd = -1;
                    x->closed = 2; /* ours, not the server's */
                    continue;
                }
            }
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                /* read and drop what the server sends (the plan); EOF or
                 * reset means the server cut us */
                ssize_t r = recv(x->fd, buf, sizeof(buf), 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                    x->closed = 1;
                    close(x->fd);
                    x->fd = -1;
                    cut++;
                    continue;
                }
            }
            if (!x->connected)
                continue;
            len = script(buf, x->kind, (unsigned)i);
            if (x->kind == 1) { /* drip one byte at a time */
                if (t >= x->next && x->sent < len) {
                    if (send(x->fd, buf + x->sent, 1, MSG_NOSIGNAL) == 1)
                        x->sent++;
                    x->next = t + 200;
                    if (x->sent == len)
                        x->sent = 8; /* keep dripping payload bytes */
                }
            } else if (x->sent < len) {
                ssize_t w =
                    send(x->fd, buf + x->sent, len - x->sent, MSG_NOSIGNAL);
                if (w > 0)
                    x->sent += (size_t)w;
            }
        }
    }
    for (int i = 0; i < n; i++)
        if (!c[i].closed) {
            open_at_end++;
            close(c[i].fd);
        }
    printf("hostile: %d connections, %d cut by the server, %d still open at "
           "the end\n",
           opened, cut, open_at_end);
    return 0;
}
