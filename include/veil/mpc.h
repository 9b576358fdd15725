/*
 * mpc.h - two-party computation, part 1: the channel between the parties, a
 * harness that runs both parties, and oblivious transfer (base OT over
 * ristretto255 and IKNP extension).  Field shares, fixed point and Beaver
 * triples are in mpc_field.h, AES and hashing in mpc_aes.h, garbled circuits
 * in mpc_gc.h.  See doc/20-two-party.md.
 *
 * Security model: semi-honest (passive) parties, as in SAFENet and Delphi.
 */
#ifndef VEIL_MPC_H
#define VEIL_MPC_H

#include "veil/mpc_aes.h"
#include "veil/veil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ channel
 *
 * A channel carries framed messages over a stream socket: a TCP connection
 * or one end of an in-process socket pair.  Every frame is an 8-byte header
 * (payload length L as 32-bit little endian, then the check word
 * L ^ MPC_CHAN_MAGIC) followed by L payload bytes.  The receiver validates
 * the header and the length before it reads a payload byte.
 *
 * Writes are buffered: mpc_chan_send usually only copies into the write
 * buffer; mpc_chan_flush pushes it out.  Every receive flushes first, so a
 * protocol that alternates send and recv cannot deadlock on a forgotten
 * flush; mpc_chan_exchange sends and receives at once (both parties may
 * call it at the same time with frames of any size).
 *
 * Errors are sticky: after the first failure every call returns the same
 * status, and on a malformed frame or a local error the channel shuts the
 * socket down so that the peer's next call fails cleanly (VEIL_ECLOSED)
 * instead of waiting.  Statuses:
 *   VEIL_ECLOSED   the peer closed the connection at a frame boundary
 *   VEIL_EFORMAT   bad header, a length above max_frame (or the caller's
 *                  cap), a payload length other than the one expected, or
 *                  a frame cut short by EOF
 *   VEIL_ETIMEOUT  one of the three time limits below expired
 *   VEIL_ENOMEM    mpc_chan_recv_alloc could not grow its buffer
 *   VEIL_EIO       any other socket error
 *
 * Time limits (a peer must not hold a party forever, see doc/20):
 *   timeout_ms      idle limit: no byte moved for this long (restarts on
 *                   progress; < 0 none)
 *   msg_timeout_ms  per call: each send/flush/recv/exchange must finish
 *                   within this many ms of its start, however the bytes
 *                   trickle in (absolute, not restarted; < 0 none)
 *   deadline_ms     per session: an absolute CLOCK_MONOTONIC time in ms
 *                   (mpc_now_ms) after which every call fails; 0 none.
 *                   Set it with mpc_chan_set_deadline.
 *
 * A channel is used by one thread at a time.  It is not encrypted or
 * authenticated: run it over a secure transport across real networks.
 */

#define MPC_CHAN_MAGIC UINT32_C(0x5645494c) /* "VEIL" */
#define MPC_CHAN_HEADER_BYTES 8
#define MPC_CHAN_MAX_FRAME_DEFAULT (UINT32_C(1) << 28) /* 256 MiB */
#define MPC_CHAN_TIMEOUT_DEFAULT 60000                 /* ms of no progress */
#define MPC_CHAN_BUF_BYTES (1u << 18)                  /* each of the buffers */
#define MPC_CHAN_GROW_MIN (1u << 16) /* first reservation of recv_alloc */

typedef struct {
    int fd;                  /* the socket, non-blocking; -1 if none */
    int timeout_ms;          /* idle limit per wait; < 0 waits forever */
    int msg_timeout_ms;      /* limit per call, from its start; < 0 none */
    int64_t deadline_ms;     /* session deadline (mpc_now_ms clock); 0 none */
    uint32_t max_frame;      /* largest payload sent or accepted */
    veil_status err;         /* sticky error, VEIL_OK while healthy */
    uint64_t bytes_sent;     /* bytes written to the socket (headers too) */
    uint64_t bytes_received; /* bytes read from the socket (headers too) */
    uint8_t *wbuf;           /* write buffer: [wpos, wlen) pending */
    size_t wpos, wlen;
    uint8_t *rbuf; /* read buffer: [rpos, rlen) unread */
    size_t rpos, rlen;
} mpc_chan_t;

/* Milliseconds on the monotonic clock (the time base of deadline_ms). */
VEIL_EXPORT int64_t mpc_now_ms(void);

/* Set the session deadline to timeout_ms from now (< 0: no deadline). */
VEIL_EXPORT void mpc_chan_set_deadline(mpc_chan_t *ch, int64_t timeout_ms);

/* Wrap a connected stream socket; the channel owns fd from now on (also on
 * failure, when fd is closed).  Sets O_NONBLOCK and, for TCP, TCP_NODELAY;
 * default timeout and max_frame, no message or session deadline.
 * VEIL_EINVAL if fd < 0, VEIL_ENOMEM, VEIL_EIO. */
VEIL_EXPORT veil_status mpc_chan_init_fd(mpc_chan_t *ch, int fd) VEIL_WUR;

/* Two connected in-process channels (an AF_UNIX socket pair): what one
 * sends the other receives.  VEIL_ENOMEM, VEIL_EIO. */
VEIL_EXPORT veil_status mpc_chan_pair(mpc_chan_t *a, mpc_chan_t *b) VEIL_WUR;

/* Close the socket and free the buffers; safe to call twice.  Pending
 * buffered writes are dropped: flush first. */
VEIL_EXPORT void mpc_chan_clear(mpc_chan_t *ch);

/* A TCP listening socket. */
typedef struct {
    int fd;        /* -1 if none */
    uint16_t port; /* the bound port (the one the OS picked) */
} mpc_listener_t;

#define MPC_LISTEN_BACKLOG_DEFAULT 16
#define MPC_LISTEN_BACKLOG_MAX 4096

/* Listen on IPv4 address `host` (numeric, e.g. "127.0.0.1") and `port`
 * with a backlog of MPC_LISTEN_BACKLOG_DEFAULT; port 0 lets the OS pick a
 * free one, reported in l->port.  VEIL_EINVAL for a bad address, VEIL_EIO
 * if bind/listen fail (errno tells why). */
VEIL_EXPORT veil_status mpc_listener_init(mpc_listener_t *l, const char *host,
                                          uint16_t port) VEIL_WUR;

/* The same with an explicit backlog, 0..MPC_LISTEN_BACKLOG_MAX: how many
 * completed connections the kernel queues while nobody accepts (Linux
 * queues backlog + 1 and drops further SYNs, so those clients wait and
 * retry instead of being refused).  VEIL_EINVAL out of range. */
VEIL_EXPORT veil_status mpc_listener_init_backlog(mpc_listener_t *l,
                                                  const char *host,
                                                  uint16_t port,
                                                  int backlog) VEIL_WUR;

/* Close the listening socket; safe to call twice. */
VEIL_EXPORT void mpc_listener_clear(mpc_listener_t *l);

/* Accept one connection (waiting at most timeout_ms; < 0 forever) and wrap
 * it in *ch.  A failure never closes the listener; errno keeps the
 * system's code.  Statuses:
 *   VEIL_ETIMEOUT  nobody connected in time
 *   VEIL_ENOMEM    out of descriptors or kernel memory (EMFILE, ENFILE,
 *                  ENOBUFS, ENOMEM): the connection stays queued, so back
 *                  off before trying again; or no memory for the buffers
 *   VEIL_ECLOSED   that connection went away before it was accepted
 *                  (ECONNABORTED, EPROTO, EPERM, or a spurious wake-up)
 *   VEIL_EIO       the listener itself is unusable (EBADF, EINVAL, ...)
 *   VEIL_EINVAL    bad arguments. */
VEIL_EXPORT veil_status mpc_chan_accept(mpc_chan_t *ch, const mpc_listener_t *l,
                                        int timeout_ms) VEIL_WUR;

/* Connect to host:port (numeric IPv4) within timeout_ms (< 0: no limit),
 * with a non-blocking connect: an attempt that gets no answer is abandoned
 * at the deadline; a refused one is retried every 10 ms until the deadline
 * (the listener may not be up yet).  Statuses:
 *   VEIL_EREFUSED  every attempt was refused (nothing listening)
 *   VEIL_ETIMEOUT  the last attempt got no answer before the deadline
 *   VEIL_EUNREACH  network or host unreachable (not retried)
 *   VEIL_EINVAL (bad address, port 0), VEIL_EIO, VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_chan_connect(mpc_chan_t *ch, const char *host,
                                         uint16_t port,
                                         int timeout_ms) VEIL_WUR;

/* Send one frame with payload buf[0..len).  len == 0 is a valid empty
 * frame.  VEIL_EINVAL if len > ch->max_frame or buf is NULL with len > 0;
 * else the channel statuses above. */
VEIL_EXPORT veil_status mpc_chan_send(mpc_chan_t *ch, const void *buf,
                                      size_t len) VEIL_WUR;

/* Write out everything buffered. */
VEIL_EXPORT veil_status mpc_chan_flush(mpc_chan_t *ch) VEIL_WUR;

/* Receive one frame whose payload must be exactly len bytes, into buf.
 * Flushes pending writes first.  VEIL_EFORMAT if the frame has another
 * length. */
VEIL_EXPORT veil_status mpc_chan_recv(mpc_chan_t *ch, void *buf,
                                      size_t len) VEIL_WUR;

/* Receive one frame of any length up to cap into buf; its length in *len.
 * VEIL_EFORMAT if it is longer than cap. */
VEIL_EXPORT veil_status mpc_chan_recv_any(mpc_chan_t *ch, void *buf, size_t cap,
                                          size_t *len) VEIL_WUR;

/* Receive one frame of any length up to cap (and max_frame) into a fresh
 * buffer *buf (malloc; free with free(), also for length 0), length in
 * *len.  The header's length is checked against cap before anything is
 * reserved, and memory is reserved only as payload bytes arrive: first
 * MPC_CHAN_GROW_MIN bytes, then doubling, never more than the header's
 * length; so a peer that announces a large frame and sends little makes
 * us hold at most about twice what it sent.  On failure *buf is NULL.
 * VEIL_EFORMAT (longer than cap), VEIL_ENOMEM, channel statuses. */
VEIL_EXPORT veil_status mpc_chan_recv_alloc(mpc_chan_t *ch, uint8_t **buf,
                                            size_t *len, size_t cap) VEIL_WUR;

/* Send out[0..len) as one frame and receive one frame of exactly len bytes
 * into in, moving both directions at once: both parties may call it
 * simultaneously with any len (the opening step of Beaver
 * multiplication).  in and out must not overlap. */
VEIL_EXPORT veil_status mpc_chan_exchange(mpc_chan_t *ch, void *in,
                                          const void *out, size_t len) VEIL_WUR;

/* ================================================================ server
 *
 * A bounded pool serving framed sessions on one TCP listener (mpc/server.c;
 * apps/mnist_lola --serve is one user).  The calling thread runs the accept
 * loop; each accepted connection is handed, on its own thread, to the
 * caller's handler, with its channel's limits already set from the
 * configuration:
 *   max_clients         at most this many sessions at once; while all are
 *                       busy the loop stops accepting and new connections
 *                       wait in the kernel's queue (the backlog)
 *   backlog             listen backlog; 0 means max_clients
 *   session_timeout_ms  the whole session, from accept, must end within
 *                       this (the channel's deadline_ms)
 *   msg_timeout_ms, idle_timeout_ms, max_frame  copied into the channel
 * A failing session (error, time-out, malformed frames, a peer that hangs
 * up) ends only that session; failed accepts (EMFILE and friends) are
 * reported and retried after a pause; the loop ends only when asked to
 * (mpc_server_stop), after max_sessions sessions, or if the listener
 * itself breaks.  The library never prints: every event goes to the
 * optional log hook, called from the loop and from session threads (it
 * must be thread-safe).
 */

#define MPC_SERVER_MAX_CLIENTS 256

typedef enum {
    MPC_SERVER_EV_LISTENING = 0,    /* the loop started (port known)        */
    MPC_SERVER_EV_ACCEPT_ERROR = 1, /* accept failed; status, sys_errno     */
    MPC_SERVER_EV_SESSION_START = 2,
    MPC_SERVER_EV_SESSION_END = 3 /* status: the handler's result         */
} mpc_server_event_kind_t;

typedef struct {
    mpc_server_event_kind_t kind;
    uint64_t session; /* 1, 2, ... in accept order (0 for loop events) */
    veil_status status;
    int sys_errno;      /* errno of a failed accept, else 0 */
    size_t active;      /* sessions running after the event */
    double duration_ms; /* SESSION_END: time since accept */
    char peer[48];      /* "a.b.c.d:port" of the session's peer, or "" */
} mpc_server_event_t;

/* The handler serves one session on ch (already connected, limits set)
 * and returns its status; the pool closes the channel afterwards.  arg is
 * the configuration's handler_arg, shared by all sessions: what it points
 * to must be safe to use from several threads. */
typedef veil_status (*mpc_server_handler_fn)(mpc_chan_t *ch, void *arg,
                                             uint64_t session);
typedef void (*mpc_server_log_fn)(void *arg, const mpc_server_event_t *ev);

typedef struct {
    size_t max_clients;     /* 1..MPC_SERVER_MAX_CLIENTS */
    int backlog;            /* 0 (= max_clients) .. MPC_LISTEN_BACKLOG_MAX */
    int session_timeout_ms; /* > 0 */
    int msg_timeout_ms;     /* > 0, or < 0 for none */
    int idle_timeout_ms;    /* > 0, or < 0 for none */
    uint32_t max_frame;     /* channel max_frame, >= 1 */
    uint64_t max_sessions;  /* end after this many sessions; 0: no limit */
    mpc_server_handler_fn handler;
    void *handler_arg;
    mpc_server_log_fn log; /* may be NULL */
    void *log_arg;
} mpc_server_config_t;

/* Counters, read with mpc_server_stats at any time. */
typedef struct {
    uint64_t accepted;      /* sessions started */
    uint64_t ok;            /* handler returned VEIL_OK */
    uint64_t failed;        /* handler returned another status ... */
    uint64_t timed_out;     /* ... of which VEIL_ETIMEOUT */
    uint64_t accept_errors; /* failed accepts survived */
    size_t active;          /* sessions running now */
    size_t peak_active;     /* most sessions at once */
} mpc_server_stats_t;

typedef struct mpc_server mpc_server_t;

/* Defaults: 8 clients, backlog = max_clients, 300 s per session, 120 s
 * per message, 60 s idle, MPC_CHAN_MAX_FRAME_DEFAULT, no session limit,
 * no handler (the caller must set one), no log. */
VEIL_EXPORT void mpc_server_config_default(mpc_server_config_t *cfg);

/* Validate cfg, listen on host:port (numeric IPv4; port 0 picks a free
 * one, see mpc_server_port) and allocate the pool in *srv.  Nothing is
 * accepted before mpc_server_run.  VEIL_EINVAL (bad configuration or
 * address), VEIL_EIO (bind/listen failed: errno tells why),
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status
mpc_server_init(mpc_server_t **srv, const char *host, uint16_t port,
                const mpc_server_config_t *cfg) VEIL_WUR;

/* The port the listener is bound to. */
VEIL_EXPORT uint16_t mpc_server_port(const mpc_server_t *srv);

/* Run the accept loop in the calling thread until mpc_server_stop (running
 * sessions are then cut: their sockets are shut down), max_sessions
 * sessions have been accepted (the loop then waits for them to finish
 * normally) or the listener breaks (VEIL_EIO).  Joins every session
 * thread before it returns: nothing is left running.  VEIL_OK, VEIL_EIO,
 * VEIL_ENOMEM (no thread could be created), VEIL_EINVAL. */
VEIL_EXPORT veil_status mpc_server_run(mpc_server_t *srv) VEIL_WUR;

/* Ask a running (or not yet running) loop to stop.  Async-signal-safe and
 * thread-safe: it only sets a flag and writes one byte to a pipe. */
VEIL_EXPORT void mpc_server_stop(mpc_server_t *srv);

/* A snapshot of the counters (thread-safe). */
VEIL_EXPORT void mpc_server_stats(mpc_server_stats_t *out, mpc_server_t *srv);

/* Close the listener and free the pool; the loop must have returned.
 * Safe with NULL. */
VEIL_EXPORT void mpc_server_clear(mpc_server_t *srv);

/* ================================================================ harness
 *
 * Run a two-party protocol: fn(ch, 0, arg[0]) and fn(ch, 1, arg[1]) on the
 * two ends of one channel.
 *   MPC_RUN_THREADS      party 1 in a new thread, over a socket pair
 *   MPC_RUN_THREADS_TCP  party 1 in a new thread, over TCP on 127.0.0.1
 *                        (port chosen by the OS)
 *   MPC_RUN_PROCESSES    party 1 in a forked child process, over TCP on
 *                        127.0.0.1; the child ends with _exit and returns
 *                        its status as exit code, and whatever it writes
 *                        to arg[1] stays in the child.  Parties should not
 *                        use OpenMP in this mode (libgomp is not fork-safe).
 * Party 0 always runs in the calling thread.  Each party's status goes to
 * st[0], st[1]; the harness returns VEIL_OK if it could run both, else its
 * own error (VEIL_EIO, VEIL_ENOMEM, VEIL_ETIMEOUT), with st[] set to it. */

typedef veil_status (*mpc_party_fn)(mpc_chan_t *ch, int party, void *arg);

typedef enum {
    MPC_RUN_THREADS = 0,
    MPC_RUN_THREADS_TCP = 1,
    MPC_RUN_PROCESSES = 2
} mpc_run_mode_t;

VEIL_EXPORT veil_status mpc_run2(veil_status st[2], mpc_run_mode_t mode,
                                 mpc_party_fn fn, void *const arg[2]) VEIL_WUR;

/* ============================================================ base OT
 *
 * Chou and Orlandi, "The Simplest Protocol for Oblivious Transfer"
 * (LATINCRYPT 2015) in libsodium's ristretto255 group, semi-honest:
 * the sender sends A = aG; for each i the receiver sends
 * B_i = b_i G + c_i A; the keys are k_0 = H(i, A, B_i, a B_i),
 * k_1 = H(i, A, B_i, a (B_i - A)) and the receiver computes
 * k_{c_i} = H(i, A, B_i, b_i A), with H = BLAKE2b-128.
 * Two messages, one per direction.  Choices are packed bits: choice i is
 * bit (i % 8) of byte i / 8.  n >= 1; statuses: channel statuses,
 * VEIL_EFORMAT for an invalid group element, VEIL_EINVAL, VEIL_ENOMEM,
 * VEIL_ERANDOM. */

/* Random OT, sender: m0[i], m1[i] random. */
VEIL_EXPORT veil_status mpc_baseot_send_random(mpc_chan_t *ch, mpc_block_t *m0,
                                               mpc_block_t *m1,
                                               size_t n) VEIL_WUR;
/* Random OT, receiver: m[i] = m_{c_i}[i]. */
VEIL_EXPORT veil_status mpc_baseot_recv_random(mpc_chan_t *ch, mpc_block_t *m,
                                               const uint8_t *choices,
                                               size_t n) VEIL_WUR;

/* Chosen-message OT: the sender inputs x0[i], x1[i]; the receiver learns
 * x[i] = x_{c_i}[i] (random OT, then the sender sends x_b ^ k_b). */
VEIL_EXPORT veil_status mpc_baseot_send(mpc_chan_t *ch, const mpc_block_t *x0,
                                        const mpc_block_t *x1,
                                        size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_baseot_recv(mpc_chan_t *ch, mpc_block_t *x,
                                        const uint8_t *choices,
                                        size_t n) VEIL_WUR;

/* ======================================================= IKNP extension
 *
 * Ishai, Kilian, Nissim and Petrank, "Extending Oblivious Transfers
 * Efficiently" (CRYPTO 2003), semi-honest, kappa = 128: 128 base OTs (with
 * the roles reversed) once at set-up, then any number of 128-bit OTs for
 * 16 bytes per OT from receiver to sender plus AES.
 *
 * The sender holds a secret 128-bit Delta for the lifetime of the session.
 * Three flavours, all with the receiver's choice bits packed as above:
 *
 *   correlated (cot):  the sender gets q[j]; the receiver with choice c_j
 *                      gets t[j] = q[j] ^ c_j * Delta.  No hashing: this is
 *                      what a free-XOR garbler needs when Delta is its
 *                      global offset (the sender's 0-label is q[j]).
 *   random (rot):      the sender gets m0[j] = H(q[j]), m1[j] =
 *                      H(q[j] ^ Delta); the receiver m[j] = m_{c_j}[j],
 *                      H the tweakable hash mpc_hash_tccr with a fresh
 *                      tweak per OT.
 *   chosen (send/recv): the sender inputs x0[j], x1[j]; the receiver gets
 *                      x_{c_j}[j]; random OT plus 32 bytes per OT back.
 *
 * Sender and receiver must call matching functions with the same n, in
 * the same order.  n >= 1 and any size (padded to a multiple of 512
 * internally).  Statuses: channel statuses, VEIL_EINVAL, VEIL_ENOMEM,
 * VEIL_ERANDOM.  Output and input arrays
 * must not overlap.  A sender or receiver is used by one thread at a time
 * and with the channel it was set up on.  After a failed call the two
 * sides are out of step: clear them (and the channel). */

#define MPC_OT_KAPPA 128

typedef struct {
    mpc_block_t delta;               /* secret correlation (= choice bits s) */
    mpc_aes_key_t col[MPC_OT_KAPPA]; /* PRG keys k_{s_i} */
    mpc_aes_key_t pi;                /* fixed-key permutation for hashing */
    uint64_t ctr;                    /* PRG blocks used per column */
    uint64_t tweak;                  /* next hash tweak */
} mpc_ot_sender_t;

typedef struct {
    mpc_aes_key_t col0[MPC_OT_KAPPA]; /* PRG keys k_{0,i} */
    mpc_aes_key_t col1[MPC_OT_KAPPA]; /* PRG keys k_{1,i} */
    mpc_aes_key_t pi;
    uint64_t ctr;
    uint64_t tweak;
} mpc_ot_receiver_t;

/* Set-up, run by the two parties together: 128 base OTs.  delta is the
 * sender's correlation (NULL: a fresh random one; a free-XOR garbler
 * passes its offset, e.g. with the low bit set for point-and-permute). */
VEIL_EXPORT veil_status mpc_ot_sender_init(mpc_ot_sender_t *s, mpc_chan_t *ch,
                                           const mpc_block_t *delta) VEIL_WUR;
VEIL_EXPORT veil_status mpc_ot_receiver_init(mpc_ot_receiver_t *r,
                                             mpc_chan_t *ch) VEIL_WUR;

/* Wipe the keys; safe to call twice. */
VEIL_EXPORT void mpc_ot_sender_clear(mpc_ot_sender_t *s);
VEIL_EXPORT void mpc_ot_receiver_clear(mpc_ot_receiver_t *r);

/* Correlated OT: q[0..n) for the sender, t[0..n) for the receiver. */
VEIL_EXPORT veil_status mpc_ot_send_cot(mpc_ot_sender_t *s, mpc_chan_t *ch,
                                        mpc_block_t *q, size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_ot_recv_cot(mpc_ot_receiver_t *r, mpc_chan_t *ch,
                                        mpc_block_t *t, const uint8_t *choices,
                                        size_t n) VEIL_WUR;

/* Random OT. */
VEIL_EXPORT veil_status mpc_ot_send_rot(mpc_ot_sender_t *s, mpc_chan_t *ch,
                                        mpc_block_t *m0, mpc_block_t *m1,
                                        size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_ot_recv_rot(mpc_ot_receiver_t *r, mpc_chan_t *ch,
                                        mpc_block_t *m, const uint8_t *choices,
                                        size_t n) VEIL_WUR;

/* Chosen-message OT. */
VEIL_EXPORT veil_status mpc_ot_send(mpc_ot_sender_t *s, mpc_chan_t *ch,
                                    const mpc_block_t *x0,
                                    const mpc_block_t *x1, size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_ot_recv(mpc_ot_receiver_t *r, mpc_chan_t *ch,
                                    mpc_block_t *x, const uint8_t *choices,
                                    size_t n) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_MPC_H */
