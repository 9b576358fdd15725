/*
 * chan_tcp.c - TCP channels: listen, accept, connect (IPv4, numeric
 * addresses; the tests and benchmarks use 127.0.0.1 with port 0).
 */
#include "veil/mpc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int parse_addr(struct sockaddr_in *sa, const char *host, uint16_t port)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    return host != NULL && inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

veil_status mpc_listener_init_backlog(mpc_listener_t *l, const char *host,
                                      uint16_t port, int backlog)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int one = 1;
    if (l == NULL)
        return VEIL_EINVAL;
    l->fd = -1;
    l->port = 0;
    if (backlog < 0 || backlog > MPC_LISTEN_BACKLOG_MAX ||
        !parse_addr(&sa, host, port))
        return VEIL_EINVAL;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        return VEIL_EIO;
    (void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* non-blocking, so that accept never hangs on a connection that went
     * away between poll and accept */
    if (fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) | O_NONBLOCK) < 0 ||
        bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(l->fd, backlog) < 0 ||
        getsockname(l->fd, (struct sockaddr *)&sa, &sl) < 0) {
        int e = errno;
        mpc_listener_clear(l);
        errno = e;
        return VEIL_EIO;
    }
    l->port = ntohs(sa.sin_port);
    return VEIL_OK;
}

veil_status mpc_listener_init(mpc_listener_t *l, const char *host,
                              uint16_t port)
{
    return mpc_listener_init_backlog(l, host, port, MPC_LISTEN_BACKLOG_DEFAULT);
}

void mpc_listener_clear(mpc_listener_t *l)
{
    if (l == NULL)
        return;
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->port = 0;
}

/* The status for a failed accept4, by errno (see mpc.h). */
static veil_status accept_status(int e)
{
    switch (e) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
        return VEIL_ENOMEM;
    case ECONNABORTED:
    case EPROTO:
    case EPERM:
    case EINTR:
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
        return VEIL_ECLOSED;
    default:
        return VEIL_EIO;
    }
}

veil_status mpc_chan_accept(mpc_chan_t *ch, const mpc_listener_t *l,
                            int timeout_ms)
{
    struct pollfd pfd;
    int fd, pr;
    if (ch == NULL || l == NULL || l->fd < 0)
        return VEIL_EINVAL;
    ch->fd = -1;
    pfd.fd = l->fd;
    pfd.events = POLLIN;
    do {
        pr = poll(&pfd, 1, timeout_ms);
    } while (pr < 0 && errno == EINTR);
    if (pr == 0)
        return VEIL_ETIMEOUT;
    if (pr < 0)
        return VEIL_EIO;
    /* non-blocking: a connection that vanished between poll and accept
     * must not block us */
    fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return accept_status(errno);
    return mpc_chan_init_fd(ch, fd);
}

static void pause_ms(int ms)
{
    struct timespec pause = {0, (long)ms * 1000 * 1000};
    nanosleep(&pause, NULL);
}

/* The status of a failed connect, by errno; VEIL_OK for "retry". */
static veil_status connect_status(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return VEIL_EREFUSED;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
        return VEIL_EUNREACH;
    case ETIMEDOUT:
        return VEIL_ETIMEOUT;
    case ENOMEM:
    case ENOBUFS:
        return VEIL_ENOMEM;
    default:
        return VEIL_EIO;
    }
}

/* One non-blocking attempt, waiting until deadline (< 0: forever).
 * VEIL_OK with *out set, else a connect status. */
static veil_status connect_once(int *out, const struct sockaddr_in *sa,
                                int64_t deadline)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int err = 0;
    socklen_t el = sizeof(err);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE ? VEIL_ENOMEM : VEIL_EIO;
    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
        *out = fd;
        return VEIL_OK;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
        err = errno;
        close(fd);
        return connect_status(err);
    }
    for (;;) {
        struct pollfd pfd = {fd, POLLOUT, 0};
        int wait = -1, pr;
        if (deadline >= 0) { /* at least one look, even past the deadline */
            int64_t left = deadline - mpc_now_ms();
            wait = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
        }
        pr = poll(&pfd, 1, wait);
        if (pr < 0 && errno != EINTR) {
            close(fd);
            return VEIL_EIO;
        }
        if (pr > 0)
            break;
        if (pr == 0 && wait == 0) {
            close(fd);
            return VEIL_ETIMEOUT;
        }
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
        err = errno;
    if (err != 0) {
        close(fd);
        return connect_status(err);
    }
    *out = fd;
    return VEIL_OK;
}

veil_status mpc_chan_connect(mpc_chan_t *ch, const char *host, uint16_t port,
                             int timeout_ms)
{
    struct sockaddr_in sa;
    int64_t deadline = timeout_ms < 0 ? -1 : mpc_now_ms() + timeout_ms;
    if (ch == NULL)
        return VEIL_EINVAL;
    ch->fd = -1;
    if (!parse_addr(&sa, host, port) || port == 0)
        return VEIL_EINVAL;
    for (;;) {
        int fd = -1;
        veil_status st = connect_once(&fd, &sa, deadline);
        if (st == VEIL_OK)
            return mpc_chan_init_fd(ch, fd);
        if (st != VEIL_EREFUSED)
            return st;
        /* refused: the listener may not be up yet; retry until the
         * deadline, then report the refusal (not a time-out) */
        if (deadline >= 0 && mpc_now_ms() + 10 > deadline)
            return VEIL_EREFUSED;
        pause_ms(10);
    }
}
