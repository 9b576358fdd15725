/*
 * run2.c - run both parties of a two-party protocol: as two threads over a
 * socket pair or TCP on 127.0.0.1, or as two processes over TCP.  Each
 * party's channel is closed as soon as its function returns, so a party
 * that fails makes its peer fail with VEIL_ECLOSED instead of waiting.
 */
#include "veil/mpc.h"
#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN2_CONNECT_MS 10000

typedef struct {
    mpc_party_fn fn;
    void *arg;
    mpc_chan_t ch;
    uint16_t port; /* TCP: connect here first; 0: ch is ready */
    veil_status st;
} party_t;

static veil_status run_party(party_t *p, int party)
{
    veil_status st = VEIL_OK;
    if (p->port != 0)
        st = mpc_chan_connect(&p->ch, "127.0.0.1", p->port, RUN2_CONNECT_MS);
    if (st == VEIL_OK)
        st = p->fn(&p->ch, party, p->arg);
    mpc_chan_clear(&p->ch);
    return st;
}

static void *party1_thread(void *v)
{
    party_t *p = v;
    p->st = run_party(p, 1);
    return NULL;
}

static veil_status both_fail(veil_status st[2], veil_status e)
{
    st[0] = st[1] = e;
    return e;
}

veil_status mpc_run2(veil_status st[2], mpc_run_mode_t mode, mpc_party_fn fn,
                     void *const arg[2])
{
    party_t p[2] = {{fn, arg[0], {.fd = -1}, 0, VEIL_OK},
                    {fn, arg[1], {.fd = -1}, 0, VEIL_OK}};
    mpc_listener_t l = {-1, 0};
    veil_status e;
    pthread_t th;
    pid_t pid = 0;
    int ws;

    if (st == NULL || fn == NULL || arg == NULL)
        return VEIL_EINVAL;
    if (mode == MPC_RUN_THREADS) {
        e = mpc_chan_pair(&p[0].ch, &p[1].ch);
        if (e != VEIL_OK)
            return both_fail(st, e);
    } else if (mode == MPC_RUN_THREADS_TCP || mode == MPC_RUN_PROCESSES) {
        e = mpc_listener_init(&l, "127.0.0.1", 0);
        if (e != VEIL_OK)
            return both_fail(st, e);
        p[1].port = l.port;
    } else {
        return both_fail(st, VEIL_EINVAL);
    }

    /* 1. start party 1 */
    if (mode == MPC_RUN_PROCESSES) {
        pid = fork();
        if (pid < 0) {
            mpc_listener_clear(&l);
            return both_fail(st, VEIL_EIO);
        }
        if (pid == 0) {
            mpc_listener_clear(&l);
            _exit(-(int)run_party(&p[1], 1));
        }
    } else if (pthread_create(&th, NULL, party1_thread, &p[1]) != 0) {
        mpc_chan_clear(&p[0].ch);
        mpc_chan_clear(&p[1].ch);
        mpc_listener_clear(&l);
        return both_fail(st, VEIL_EIO);
    }

    /* 2. party 0 here */
    e = VEIL_OK;
    if (l.fd >= 0) {
        e = mpc_chan_accept(&p[0].ch, &l, RUN2_CONNECT_MS);
        mpc_listener_clear(&l);
    }
    p[0].st = e == VEIL_OK ? run_party(&p[0], 0) : e;

    /* 3. collect party 1 */
    if (mode == MPC_RUN_PROCESSES) {
        pid_t w;
        do {
            w = waitpid(pid, &ws, 0);
        } while (w < 0 && errno == EINTR);
        p[1].st = w == pid && WIFEXITED(ws) && WEXITSTATUS(ws) <= -VEIL_ENOKEY
                      ? (veil_status)-WEXITSTATUS(ws)
                      : VEIL_EIO;
    } else {
        pthread_join(th, NULL);
    }
    st[0] = p[0].st;
    st[1] = p[1].st;
    return VEIL_OK;
}
