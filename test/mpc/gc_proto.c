/*
 * Tests of the garbled-circuit protocol over a channel: batches of ReLUs in
 * the offline/online split, as two threads over a socket pair and as two
 * processes over TCP on 127.0.0.1, checked against the plaintext reference
 * on boundary and random shares; several batches prepared offline before
 * their online phases; generic random circuits with every split of the
 * garbler's inputs; and a wrong-sized or missing message, which must end
 * in a clean status on the evaluator's side.
 */
#include "gc_helpers.h"
#include <criterion/criterion.h>

/* ------------------------------------------------------------------ ReLU */

typedef struct {
    const mpc_circuit_t *relu;
    uint64_t p;
    size_t n_batches;
    size_t n[3];          /* instances per batch                    */
    const uint64_t *c[3]; /* client shares, server shares, masks    */
    const uint64_t *s[3];
    const uint64_t *r[3];
    uint64_t *y[3];     /* the client's outputs                   */
    int check_in_party; /* compare with the reference (processes) */
} relu_job_t;

static veil_status relu_party(mpc_chan_t *ch, int party, void *arg)
{
    relu_job_t *j = arg;
    mpc_gc_gparty_t g;
    mpc_gc_eparty_t e;
    mpc_gc_gbatch_t gb[3];
    mpc_gc_ebatch_t eb[3];
    veil_status st;
    for (size_t k = 0; k < 3; k++) {
        mpc_gc_gbatch_init(&gb[k]);
        mpc_gc_ebatch_init(&eb[k]);
    }
    st = party == 0 ? mpc_gc_gparty_init(&g, ch) : mpc_gc_eparty_init(&e, ch);
    if (st != VEIL_OK)
        return st;
    /* all offline phases first, then all online phases, as Delphi does */
    for (size_t k = 0; k < j->n_batches && st == VEIL_OK; k++)
        st = party == 0 ? mpc_relu_offline_server(&gb[k], &g, ch, j->relu, j->p,
                                                  j->r[k], j->n[k])
                        : mpc_relu_offline_client(&eb[k], &e, ch, j->relu, j->p,
                                                  j->c[k], j->n[k]);
    for (size_t k = 0; k < j->n_batches && st == VEIL_OK; k++)
        st = party == 0 ? mpc_relu_online_server(&gb[k], &g, ch, j->p, j->s[k])
                        : mpc_relu_online_client(&eb[k], &e, ch, j->y[k]);
    for (size_t k = 0; k < j->n_batches; k++) {
        if (party == 0) {
            mpc_gc_gbatch_clear(&gb[k]);
        } else {
            mpc_gc_ebatch_clear(&eb[k]);
            for (size_t i = 0;
                 st == VEIL_OK && j->check_in_party && i < j->n[k]; i++)
                if (j->y[k][i] !=
                    mpc_relu_ref(j->c[k][i], j->s[k][i], j->r[k][i], j->p))
                    st = VEIL_ERANGE;
        }
    }
    if (party == 0)
        mpc_gc_gparty_clear(&g);
    else
        mpc_gc_eparty_clear(&e);
    return st;
}

/* Shares of n values x: boundary x values first, then random ones; the
 * client's share is random, 0 or p - 1. */
static void make_shares(veil_rng_t *rng, uint64_t p, size_t n, uint64_t *c,
                        uint64_t *s, uint64_t *r)
{
    const uint64_t h = (p - 1) / 2;
    const uint64_t xs[] = {0,     1,     p - 1,    h,
                           h + 1, h - 1, 1u << 15, p - (1u << 15)};
    for (size_t i = 0; i < n; i++) {
        uint64_t x = i < 8 * 3 ? xs[i % 8] : veil_rng_u64(rng) % p;
        c[i] = i < 8 ? 0 : i < 16 ? p - 1 : veil_rng_u64(rng) % p;
        s[i] = (x + p - c[i]) % p;
        r[i] = i % 5 == 0 ? 0 : i % 5 == 1 ? p - 1 : veil_rng_u64(rng) % p;
    }
}

static void run_relu(mpc_run_mode_t mode, const size_t *sizes, size_t nb,
                     const char *what)
{
    const uint64_t p = MPC_FIELD_P_DEFAULT;
    mpc_circuit_t relu;
    relu_job_t job;
    void *args[2] = {&job, &job};
    veil_status st[2];
    veil_rng_t rng;
    uint64_t *buf[3][4];
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, what);
    cr_assert_eq(mpc_circuit_relu(&relu, p), VEIL_OK);
    memset(&job, 0, sizeof(job));
    job.relu = &relu;
    job.p = p;
    job.n_batches = nb;
    job.check_in_party = mode == MPC_RUN_PROCESSES;
    for (size_t k = 0; k < nb; k++) {
        for (int a = 0; a < 4; a++)
            buf[k][a] = calloc(sizes[k], sizeof(uint64_t));
        job.n[k] = sizes[k];
        make_shares(&rng, p, sizes[k], buf[k][0], buf[k][1], buf[k][2]);
        job.c[k] = buf[k][0];
        job.s[k] = buf[k][1];
        job.r[k] = buf[k][2];
        job.y[k] = buf[k][3];
    }
    cr_assert_eq(mpc_run2(st, mode, relu_party, args), VEIL_OK);
    cr_assert_eq(st[0], VEIL_OK, "garbler: %s", veil_strerror(st[0]));
    cr_assert_eq(st[1], VEIL_OK, "evaluator: %s", veil_strerror(st[1]));
    for (size_t k = 0; k < nb; k++) {
        for (size_t i = 0; mode != MPC_RUN_PROCESSES && i < sizes[k]; i++) {
            uint64_t want =
                mpc_relu_ref(job.c[k][i], job.s[k][i], job.r[k][i], p);
            cr_assert_eq(job.y[k][i], want, "batch %zu, element %zu", k, i);
            /* y and r are shares of ReLU(x) */
            cr_assert_eq((job.y[k][i] + job.r[k][i]) % p,
                         mpc_relu_ref(job.c[k][i], job.s[k][i], 0, p));
        }
        for (int a = 0; a < 4; a++)
            free(buf[k][a]);
    }
    mpc_circuit_clear(&relu);
    veil_rng_clear(&rng);
}

Test(gc_proto, relu_batch_over_a_socket_pair)
{
    /* two full chunks, a partial one ending in a partial lane group */
    const size_t sizes[] = {2 * MPC_GC_CHUNK + 907};
    run_relu(MPC_RUN_THREADS, sizes, 1, "gc_relu_threads");
}

Test(gc_proto, several_batches_offline_then_online)
{
    const size_t sizes[] = {1, 37, 300};
    run_relu(MPC_RUN_THREADS_TCP, sizes, 3, "gc_relu_batches");
}

Test(gc_proto, relu_in_two_processes_over_tcp)
{
    const size_t sizes[] = {1000};
    run_relu(MPC_RUN_PROCESSES, sizes, 1, "gc_relu_processes");
}

/* ------------------------------------------------------- generic circuits */

typedef struct {
    const mpc_circuit_t *c;
    size_t n;
    uint32_t n_gin_off;
    const uint8_t *gin; /* n * n_gin  */
    const uint8_t *ein; /* n * n_ein  */
    uint8_t *out;       /* n * n_out  */
    int fault;          /* 1: bad online frame, 2: garbler leaves */
} gen_job_t;

static veil_status gen_party(mpc_chan_t *ch, int party, void *arg)
{
    gen_job_t *j = arg;
    const mpc_circuit_t *c = j->c;
    size_t n_on = c->n_gin - j->n_gin_off;
    veil_status st;
    if (party == 0) {
        mpc_gc_gparty_t g;
        mpc_gc_gbatch_t b;
        uint8_t *off = malloc(j->n * j->n_gin_off + 1);
        uint8_t *on = malloc(j->n * n_on + 1);
        mpc_gc_gbatch_init(&b);
        for (size_t i = 0; i < j->n; i++) {
            memcpy(off + i * j->n_gin_off, j->gin + i * c->n_gin, j->n_gin_off);
            memcpy(on + i * n_on, j->gin + i * c->n_gin + j->n_gin_off, n_on);
        }
        if ((st = mpc_gc_gparty_init(&g, ch)) == VEIL_OK)
            st = mpc_gc_offline_garbler(&b, &g, ch, c, j->n, j->n_gin_off, off);
        if (st == VEIL_OK && j->fault == 0)
            st = mpc_gc_online_garbler(&b, &g, ch, on);
        else if (st == VEIL_OK && j->fault == 1) {
            uint8_t junk[5] = {0};
            st = mpc_chan_send(ch, junk, sizeof(junk));
            if (st == VEIL_OK)
                st = mpc_chan_flush(ch);
        }
        mpc_gc_gbatch_clear(&b);
        mpc_gc_gparty_clear(&g);
        free(off);
        free(on);
    } else {
        mpc_gc_eparty_t e;
        mpc_gc_ebatch_t b;
        mpc_gc_ebatch_init(&b);
        if ((st = mpc_gc_eparty_init(&e, ch)) == VEIL_OK)
            st = mpc_gc_offline_evaluator(&b, &e, ch, c, j->n, j->n_gin_off,
                                          j->ein);
        if (st == VEIL_OK)
            st = mpc_gc_online_evaluator(&b, &e, ch, j->out);
        mpc_gc_ebatch_clear(&b);
        mpc_gc_eparty_clear(&e);
    }
    return st;
}

Test(gc_proto, random_circuits_with_every_input_split)
{
    veil_rng_t rng;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_proto_random");
    for (int t = 0; t < 6; t++) {
        mpc_circuit_t c;
        gen_job_t job;
        void *args[2] = {&job, &job};
        veil_status st[2];
        uint32_t n_gin = (uint32_t)(t % 3) * 3, n_ein = t == 4 ? 0 : 5;
        size_t n = t == 5 ? MPC_GC_CHUNK + 3 : 1 + veil_rng_u64(&rng) % 40;
        uint8_t *gin, *ein, *out, want[64];
        gc_random_circuit(&c, &rng, n_gin, n_ein, 300, 20);
        gin = malloc(n * n_gin + 1);
        ein = malloc(n * n_ein + 1);
        out = malloc(n * c.n_out);
        for (size_t i = 0; i < n * n_gin; i++)
            gin[i] = (uint8_t)(veil_rng_u64(&rng) & 1);
        for (size_t i = 0; i < n * n_ein; i++)
            ein[i] = (uint8_t)(veil_rng_u64(&rng) & 1);
        job = (gen_job_t){&c,  n, n_gin ? (uint32_t)(t % 2) * 2 : 0, gin, ein,
                          out, 0};
        if (t == 3)
            job.n_gin_off = n_gin; /* everything offline */
        cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, gen_party, args), VEIL_OK);
        cr_assert_eq(st[0], VEIL_OK, "%s", veil_strerror(st[0]));
        cr_assert_eq(st[1], VEIL_OK, "%s", veil_strerror(st[1]));
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(
                mpc_circuit_eval(want, &c, gin + i * n_gin, ein + i * n_ein),
                VEIL_OK);
            cr_assert(memcmp(want, out + i * c.n_out, c.n_out) == 0,
                      "case %d instance %zu", t, i);
        }
        free(gin);
        free(ein);
        free(out);
        mpc_circuit_clear(&c);
    }
    veil_rng_clear(&rng);
}

Test(gc_proto, bad_or_missing_online_message_is_a_clean_error)
{
    mpc_circuit_t c;
    uint8_t gin[10 * 4] = {0}, ein[10 * 4] = {0}, out[10 * 2];
    cr_assert_eq(veil_init(), VEIL_OK);
    cr_assert_eq(mpc_circuit_compare(&c, 4), VEIL_OK);
    for (int fault = 1; fault <= 2; fault++) {
        gen_job_t job = {&c, 10, 0, gin, ein, out, fault};
        void *args[2] = {&job, &job};
        veil_status st[2];
        cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, gen_party, args), VEIL_OK);
        cr_assert_eq(st[0], VEIL_OK);
        if (fault == 1)
            cr_assert_eq(st[1], VEIL_EFORMAT, "%s", veil_strerror(st[1]));
        else
            cr_assert_eq(st[1], VEIL_ECLOSED, "%s", veil_strerror(st[1]));
    }
    mpc_circuit_clear(&c);
}

Test(gc_proto, bad_arguments)
{
    mpc_circuit_t relu;
    mpc_gc_gbatch_t gb;
    mpc_gc_ebatch_t eb;
    mpc_gc_gparty_t g;
    mpc_gc_eparty_t e;
    mpc_chan_t ch;
    uint64_t v[2] = {1, MPC_FIELD_P_DEFAULT}, y[2];
    memset(&g, 0, sizeof(g));
    memset(&e, 0, sizeof(e));
    memset(&ch, 0, sizeof(ch));
    mpc_gc_gbatch_init(&gb);
    mpc_gc_ebatch_init(&eb);
    cr_assert_eq(mpc_circuit_relu(&relu, MPC_FIELD_P_DEFAULT), VEIL_OK);
    /* a value outside [0, p) */
    cr_assert_eq(
        mpc_relu_offline_server(&gb, &g, &ch, &relu, MPC_FIELD_P_DEFAULT, v, 2),
        VEIL_EINVAL);
    cr_assert_eq(
        mpc_relu_offline_client(&eb, &e, &ch, &relu, MPC_FIELD_P_DEFAULT, v, 2),
        VEIL_EINVAL);
    /* the circuit of another modulus */
    cr_assert_eq(mpc_relu_offline_client(&eb, &e, &ch, &relu, 97, v, 1),
                 VEIL_EINVAL);
    cr_assert_eq(mpc_gc_offline_garbler(&gb, &g, &ch, &relu, 0, 0, NULL),
                 VEIL_EINVAL);
    cr_assert_eq(mpc_gc_offline_garbler(&gb, &g, &ch, &relu, 1, 1000, NULL),
                 VEIL_EINVAL);
    cr_assert_eq(mpc_relu_online_client(&eb, &e, &ch, y), VEIL_EINVAL,
                 "an empty batch");
    cr_assert_eq(mpc_relu_online_server(&gb, &g, &ch, MPC_FIELD_P_DEFAULT, v),
                 VEIL_EINVAL, "an empty batch");
    cr_assert_eq(mpc_gc_gparty_init(NULL, &ch), VEIL_EINVAL);
    mpc_gc_gbatch_clear(&gb);
    mpc_gc_ebatch_clear(&eb);
    mpc_circuit_clear(&relu);
}

/* ------------------------------------------------ the session tweak block */

typedef struct {
    mpc_block_t g, e; /* the garbler's T and the evaluator's copy */
} tweak_job_t;

static veil_status tweak_party(mpc_chan_t *ch, int party, void *arg)
{
    tweak_job_t *j = arg;
    veil_status st;
    if (party == 0) {
        mpc_gc_gparty_t g;
        if ((st = mpc_gc_gparty_init(&g, ch)) == VEIL_OK)
            j->g = g.gc.tweak;
        mpc_gc_gparty_clear(&g);
    } else {
        mpc_gc_eparty_t e;
        if ((st = mpc_gc_eparty_init(&e, ch)) == VEIL_OK)
            j->e = e.gc.tweak;
        mpc_gc_eparty_clear(&e);
    }
    return st;
}

/* The set-up hands the evaluator the garbler's tweak block; a new session
 * has a new one (so the tweaks of two sessions never coincide: see
 * test/mpc/gc_garble.c, two_sessions_never_share_tweaks). */
Test(gc_proto, each_session_agrees_on_a_fresh_tweak_block)
{
    tweak_job_t j[3];
    veil_status st[2];
    for (int s = 0; s < 3; s++) {
        void *args[2] = {&j[s], &j[s]};
        cr_assert_eq(mpc_run2(st, MPC_RUN_THREADS, tweak_party, args), VEIL_OK);
        cr_assert_eq(st[0], VEIL_OK, "%s", veil_strerror(st[0]));
        cr_assert_eq(st[1], VEIL_OK, "%s", veil_strerror(st[1]));
        cr_assert(memcmp(&j[s].g, &j[s].e, sizeof(mpc_block_t)) == 0);
        for (int r = 0; r < s; r++)
            cr_assert_neq(j[s].g.w[1], j[r].g.w[1]);
    }
}
