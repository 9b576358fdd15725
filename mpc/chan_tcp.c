/*
 * chan_tcp.c - TCP channels: listen, accept, connect (IPv4, numeric
 * addresses; the tests and benchmarks use 127.0.0.1 with port 0).
 */
#include "veil/mpc.h"
#include <arpa/inet.h>
#include <errno.h>
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

veil_status mpc_listener_init(mpc_listener_t *l, const char *host,
                              uint16_t port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int one = 1;
    if (l == NULL)
        return VEIL_EINVAL;
    l->fd = -1;
    l->port = 0;
    if (!parse_addr(&sa, host, port))
        return VEIL_EINVAL;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        return VEIL_EIO;
    (void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(l->fd, 8) < 0 ||
        getsockname(l->fd, (struct sockaddr *)&sa, &sl) < 0) {
        mpc_listener_clear(l);
        return VEIL_EIO;
    }
    l->port = ntohs(sa.sin_port);
    return VEIL_OK;
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
    fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return VEIL_EIO;
    return mpc_chan_init_fd(ch, fd);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

veil_status mpc_chan_connect(mpc_chan_t *ch, const char *host, uint16_t port,
                             int timeout_ms)
{
    struct sockaddr_in sa;
    double deadline = now_ms() + (timeout_ms < 0 ? 1e15 : timeout_ms);
    if (ch == NULL)
        return VEIL_EINVAL;
    ch->fd = -1;
    if (!parse_addr(&sa, host, port) || port == 0)
        return VEIL_EINVAL;
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return VEIL_EIO;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return mpc_chan_init_fd(ch, fd);
        close(fd);
        if (errno != ECONNREFUSED && errno != EINTR)
            return VEIL_EIO;
        if (now_ms() >= deadline)
            return VEIL_ETIMEOUT;
        {
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
}
