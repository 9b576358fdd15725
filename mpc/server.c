/*
 * server.c - a bounded pool of sessions on one TCP listener.
 *
 * The accept loop runs in the caller's thread and waits in poll() on two
 * descriptors: the listener (only while a slot is free) and a self-pipe
 * that session threads and mpc_server_stop write to.  Each session has a
 * slot: its thread, its channel and its state.  A finished session marks
 * its slot and wakes the loop, which joins the thread and frees the slot,
 * so nothing is ever detached and mpc_server_run joins everything before
 * it returns.  The listener queue (backlog) defaults to max_clients: at
 * most that many more connections wait while the pool is full.
 */
#include "veil/mpc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Pause after an accept that failed for lack of descriptors or memory:
 * the connection stays queued, so retrying at once would spin. */
#define ACCEPT_BACKOFF_MIN_MS 10
#define ACCEPT_BACKOFF_MAX_MS 1000

enum { SLOT_FREE = 0, SLOT_RUNNING = 1, SLOT_DONE = 2 };

typedef struct {
    struct mpc_server *srv;
    pthread_t tid;
    int state;        /* SLOT_*, under srv->mu */
    mpc_chan_t ch;    /* the session's channel, owned by the thread */
    int fd;           /* its socket while RUNNING (for stop), else -1 */
    uint64_t session; /* 1, 2, ... */
    int64_t start_ms;
    char peer[48];
} slot_t;

struct mpc_server {
    mpc_server_config_t cfg;
    mpc_listener_t l;
    int wake[2]; /* self-pipe: [0] read by the loop, [1] written */
    atomic_int stop;
    pthread_mutex_t mu; /* slots' state, fd and the counters */
    mpc_server_stats_t stats;
    uint64_t next_session;
    slot_t *slots; /* max_clients */
};

void mpc_server_config_default(mpc_server_config_t *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_clients = 8;
    cfg->backlog = 0;
    cfg->session_timeout_ms = 300000;
    cfg->msg_timeout_ms = 120000;
    cfg->idle_timeout_ms = 60000;
    cfg->max_frame = MPC_CHAN_MAX_FRAME_DEFAULT;
}

static void emit(struct mpc_server *s, mpc_server_event_t *ev)
{
    if (s->cfg.log != NULL)
        s->cfg.log(s->cfg.log_arg, ev);
}

static void wake(struct mpc_server *s)
{
    const char b = 1;
    ssize_t r;
    do { /* a full pipe already holds a wake-up: nothing lost */
        r = write(s->wake[1], &b, 1);
    } while (r < 0 && errno == EINTR);
}

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD);
    return fl < 0 || fdf < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
                   fcntl(fd, F_SETFD, fdf | FD_CLOEXEC) < 0
               ? -1
               : 0;
}

veil_status mpc_server_init(mpc_server_t **srv, const char *host, uint16_t port,
                            const mpc_server_config_t *cfg)
{
    struct mpc_server *s;
    veil_status st;
    int backlog;
    if (srv == NULL)
        return VEIL_EINVAL;
    *srv = NULL;
    if (cfg == NULL || cfg->handler == NULL || cfg->max_clients < 1 ||
        cfg->max_clients > MPC_SERVER_MAX_CLIENTS || cfg->backlog < 0 ||
        cfg->backlog > MPC_LISTEN_BACKLOG_MAX || cfg->session_timeout_ms <= 0 ||
        cfg->msg_timeout_ms == 0 || cfg->idle_timeout_ms == 0 ||
        cfg->max_frame == 0)
        return VEIL_EINVAL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return VEIL_ENOMEM;
    s->cfg = *cfg;
    s->l.fd = -1;
    s->wake[0] = s->wake[1] = -1;
    s->slots = calloc(cfg->max_clients, sizeof(slot_t));
    if (s->slots == NULL) {
        free(s);
        return VEIL_ENOMEM;
    }
    for (size_t i = 0; i < cfg->max_clients; i++) {
        s->slots[i].srv = s;
        s->slots[i].fd = -1;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->slots);
        free(s);
        return VEIL_ENOMEM;
    }
    atomic_init(&s->stop, 0);
    if (pipe(s->wake) < 0 || set_flags(s->wake[0]) < 0 ||
        set_flags(s->wake[1]) < 0) {
        mpc_server_clear(s);
        return VEIL_EIO;
    }
    backlog = cfg->backlog > 0 ? cfg->backlog : (int)cfg->max_clients;
    st = mpc_listener_init_backlog(&s->l, host, port, backlog);
    if (st != VEIL_OK) {
        int e = errno;
        mpc_server_clear(s);
        errno = e;
        return st;
    }
    *srv = s;
    return VEIL_OK;
}

uint16_t mpc_server_port(const mpc_server_t *srv)
{
    return srv == NULL ? 0 : srv->l.port;
}

void mpc_server_stop(mpc_server_t *srv)
{
    if (srv == NULL)
        return;
    atomic_store(&srv->stop, 1);
    wake(srv);
}

void mpc_server_stats(mpc_server_stats_t *out, mpc_server_t *srv)
{
    if (out == NULL || srv == NULL)
        return;
    pthread_mutex_lock(&srv->mu);
    *out = srv->stats;
    pthread_mutex_unlock(&srv->mu);
}

void mpc_server_clear(mpc_server_t *srv)
{
    if (srv == NULL)
        return;
    mpc_listener_clear(&srv->l);
    if (srv->wake[0] >= 0)
        close(srv->wake[0]);
    if (srv->wake[1] >= 0)
        close(srv->wake[1]);
    pthread_mutex_destroy(&srv->mu);
    free(srv->slots);
    free(srv);
}

/* ------------------------------------------------------------ sessions */

static void *session_main(void *arg)
{
    slot_t *sl = arg;
    struct mpc_server *s = sl->srv;
    mpc_server_event_t ev;
    veil_status st = s->cfg.handler(&sl->ch, s->cfg.handler_arg, sl->session);

    memset(&ev, 0, sizeof(ev));
    ev.kind = MPC_SERVER_EV_SESSION_END;
    ev.session = sl->session;
    ev.status = st;
    ev.duration_ms = (double)(mpc_now_ms() - sl->start_ms);
    memcpy(ev.peer, sl->peer, sizeof(ev.peer));
    pthread_mutex_lock(&s->mu);
    sl->fd = -1; /* from now on stop must not touch the socket */
    pthread_mutex_unlock(&s->mu);
    mpc_chan_clear(&sl->ch);
    pthread_mutex_lock(&s->mu);
    if (st == VEIL_OK) {
        s->stats.ok++;
    } else {
        s->stats.failed++;
        if (st == VEIL_ETIMEOUT)
            s->stats.timed_out++;
    }
    s->stats.active--;
    ev.active = s->stats.active;
    pthread_mutex_unlock(&s->mu);
    emit(s, &ev);
    pthread_mutex_lock(&s->mu);
    sl->state = SLOT_DONE;
    pthread_mutex_unlock(&s->mu);
    wake(s);
    return NULL;
}

/* Join finished sessions and free their slots; the number still running. */
static size_t reap(struct mpc_server *s)
{
    size_t running = 0;
    for (size_t i = 0; i < s->cfg.max_clients; i++) {
        slot_t *sl = &s->slots[i];
        int state;
        pthread_mutex_lock(&s->mu);
        state = sl->state;
        pthread_mutex_unlock(&s->mu);
        if (state == SLOT_DONE) {
            pthread_join(sl->tid, NULL);
            pthread_mutex_lock(&s->mu);
            sl->state = SLOT_FREE;
            pthread_mutex_unlock(&s->mu);
        } else if (state == SLOT_RUNNING) {
            running++;
        }
    }
    return running;
}

/* Cut every running session: shut its socket so its next wait fails. */
static void cut_sessions(struct mpc_server *s)
{
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->cfg.max_clients; i++)
        if (s->slots[i].state == SLOT_RUNNING && s->slots[i].fd >= 0)
            (void)shutdown(s->slots[i].fd, SHUT_RDWR);
    pthread_mutex_unlock(&s->mu);
}

static void drain_pipe(struct mpc_server *s)
{
    char b[64];
    while (read(s->wake[0], b, sizeof(b)) > 0) {
    }
}

static void peer_name(char *out, size_t len, int fd)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    char ip[INET_ADDRSTRLEN];
    out[0] = '\0';
    if (getpeername(fd, (struct sockaddr *)&sa, &sl) == 0 &&
        sa.sin_family == AF_INET &&
        inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip)) != NULL)
        snprintf(out, len, "%s:%u", ip, (unsigned)ntohs(sa.sin_port));
}

/* Start a session on a free slot for the accepted channel *ch. */
static veil_status start_session(struct mpc_server *s, mpc_chan_t *ch)
{
    slot_t *sl = NULL;
    mpc_server_event_t ev;
    sigset_t all, old;
    int rc;
    for (size_t i = 0; i < s->cfg.max_clients && sl == NULL; i++)
        if (s->slots[i].state == SLOT_FREE)
            sl = &s->slots[i];
    if (sl == NULL) { /* cannot happen: the loop accepts only when free */
        mpc_chan_clear(ch);
        return VEIL_EINVAL;
    }
    ch->timeout_ms = s->cfg.idle_timeout_ms;
    ch->msg_timeout_ms = s->cfg.msg_timeout_ms;
    ch->max_frame = s->cfg.max_frame;
    mpc_chan_set_deadline(ch, s->cfg.session_timeout_ms);
    sl->ch = *ch;
    sl->start_ms = mpc_now_ms();
    peer_name(sl->peer, sizeof(sl->peer), ch->fd);
    pthread_mutex_lock(&s->mu);
    sl->session = ++s->next_session;
    sl->fd = ch->fd;
    sl->state = SLOT_RUNNING;
    s->stats.accepted++;
    s->stats.active++;
    if (s->stats.active > s->stats.peak_active)
        s->stats.peak_active = s->stats.active;
    memset(&ev, 0, sizeof(ev));
    ev.kind = MPC_SERVER_EV_SESSION_START;
    ev.session = sl->session;
    ev.active = s->stats.active;
    memcpy(ev.peer, sl->peer, sizeof(ev.peer));
    pthread_mutex_unlock(&s->mu);
    emit(s, &ev);
    /* session threads take no signals: they stay with the caller's thread */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&sl->tid, NULL, session_main, sl);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_lock(&s->mu);
        sl->state = SLOT_FREE;
        sl->fd = -1;
        s->stats.active--;
        s->stats.failed++;
        pthread_mutex_unlock(&s->mu);
        mpc_chan_clear(&sl->ch);
        return VEIL_ENOMEM;
    }
    return VEIL_OK;
}

/* ------------------------------------------------------------ the loop */

veil_status mpc_server_run(mpc_server_t *srv)
{
    struct mpc_server *s = srv;
    veil_status ret = VEIL_OK;
    int backoff_ms = 0;    /* current pause after a failed accept */
    int64_t resume_at = 0; /* no accept before this time */
    mpc_server_event_t ev;
    if (s == NULL || s->l.fd < 0)
        return VEIL_EINVAL;
    memset(&ev, 0, sizeof(ev));
    ev.kind = MPC_SERVER_EV_LISTENING;
    emit(s, &ev);
    for (;;) {
        struct pollfd pfd[2];
        size_t running = reap(s);
        int accepting, wait = -1, pr;
        int64_t now = mpc_now_ms();
        uint64_t accepted;
        if (atomic_load(&s->stop))
            break;
        pthread_mutex_lock(&s->mu);
        accepted = s->stats.accepted;
        pthread_mutex_unlock(&s->mu);
        if (s->cfg.max_sessions != 0 && accepted >= s->cfg.max_sessions) {
            if (running == 0)
                break;
            accepting = 0; /* drain: wait for the last sessions */
        } else if (running >= s->cfg.max_clients) {
            accepting = 0; /* full: new clients wait in the backlog */
        } else if (now < resume_at) {
            accepting = 0; /* pausing after a failed accept */
            wait = (int)(resume_at - now);
        } else {
            accepting = 1;
        }
        pfd[0].fd = s->wake[0];
        pfd[0].events = POLLIN;
        pfd[1].fd = s->l.fd;
        pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        pr = poll(pfd, accepting ? 2 : 1, wait);
        if (pr < 0 && errno != EINTR) {
            ret = VEIL_EIO;
            break;
        }
        if (pr > 0 && (pfd[0].revents & POLLIN))
            drain_pipe(s);
        if (pr > 0 && accepting && pfd[1].revents != 0) {
            mpc_chan_t ch;
            veil_status st = mpc_chan_accept(&ch, &s->l, 0);
            int e = errno;
            if (st == VEIL_OK) {
                backoff_ms = 0;
                st = start_session(s, &ch);
                e = EAGAIN;
            }
            if (st != VEIL_OK && st != VEIL_ETIMEOUT) {
                pthread_mutex_lock(&s->mu);
                s->stats.accept_errors++;
                pthread_mutex_unlock(&s->mu);
                memset(&ev, 0, sizeof(ev));
                ev.kind = MPC_SERVER_EV_ACCEPT_ERROR;
                ev.status = st;
                ev.sys_errno = e;
                emit(s, &ev);
                if (st == VEIL_EIO) { /* the listener itself is broken */
                    ret = VEIL_EIO;
                    break;
                }
                if (st == VEIL_ENOMEM) { /* out of descriptors: pause */
                    backoff_ms = backoff_ms == 0 ? ACCEPT_BACKOFF_MIN_MS
                                 : 2 * backoff_ms > ACCEPT_BACKOFF_MAX_MS
                                     ? ACCEPT_BACKOFF_MAX_MS
                                     : 2 * backoff_ms;
                    resume_at = mpc_now_ms() + backoff_ms;
                }
            }
        }
    }
    /* stop accepting; on stop (or a broken listener) cut what runs */
    if (atomic_load(&s->stop) || ret != VEIL_OK)
        cut_sessions(s);
    while (reap(s) > 0) {
        struct pollfd p = {s->wake[0], POLLIN, 0};
        if (atomic_load(&s->stop))
            cut_sessions(s); /* a stop may come while draining */
        if (poll(&p, 1, 100) > 0)
            drain_pipe(s);
    }
    return ret;
}
