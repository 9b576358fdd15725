/*
 * private_head.h - one process holding both parties of a LoLa private head
 * (LoLa paper section 5; doc/11-lola.md section 11), for the programs and
 * tests that run the client and the server side by side (apps/lola_transfer,
 * the veil-bench head rows, test/lola/head.c): the server's plan (DENSE
 * variant: the client sends the feature vector in one message, with room
 * for the answer's flood), setup and weights, the client's keys, and one
 * private inference = encrypt, evaluate, answer (masked, flooded),
 * decrypt.
 *
 * Not a library API on purpose: a deployment never holds the client's
 * secret key and the server's model in one process (lola/client.c and
 * lola/server.c are the two sides; apps/common/lola_run.c talks between
 * them over TCP).
 */
#ifndef VEIL_APPS_PRIVATE_HEAD_H
#define VEIL_APPS_PRIVATE_HEAD_H

#include "veil/lola.h"
#include <flint/fmpz.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const nn_qmodel_t *q; /* borrowed: outlives the pair */
    lola_spec_t spec;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    lola_answer_opts_t ao; /* lola_answer_opts_default */
    nn_qtrace_t tr;        /* the exact evaluator, for private_head_exact */
    size_t dim, classes;   /* features in, logits out */
} private_head_t;

/* Wall-clock seconds of the server's evaluation and of its answer, and the
 * process CPU seconds of both (all threads). */
typedef struct {
    double eval_s, answer_s, server_cpu_s;
} private_head_times_t;

/* Plan q in the DENSE variant with `kernels` (NULL: the planner's choice;
 * lola_options_t.kernels) and the answer's margin LOLA_ANSWER_MARGIN(
 * LOLA_FLOOD_BITS), set up, draw the client's keys from rng, load the
 * server's weights.  *rep (may be NULL) gets the plan's report.  On failure
 * nothing is left to clear and *step (may be NULL) names the step that
 * failed ("planning the head", "setting up", "client keys", "server
 * weights", "exact evaluator").  Statuses of lola_plan, lola_setup_init,
 * lola_client_init, lola_server_init, nn_qtrace_init. */
veil_status private_head_init(private_head_t *h, lola_report_t *rep,
                              const nn_qmodel_t *q, const char *kernels,
                              veil_rng_t *rng, const char **step);
void private_head_clear(private_head_t *h);

/* One private inference of the features x[0 .. dim): the client encrypts
 * them (lola_client_encrypt, codes read as pixels), the server evaluates
 * and answers (lola_server_eval, lola_server_answer), the client decrypts
 * logits[0 .. classes).  *t (may be NULL) gets the server's times.  On
 * failure *step (may be NULL) is "encrypting", "server evaluation" or
 * "decrypting"; the statuses of those functions. */
veil_status private_head_infer(fmpz *logits, private_head_times_t *t,
                               const private_head_t *h, const uint8_t *x,
                               veil_rng_t *rng, const char **step);

/* 1 if logits[0 .. classes) equal the exact integer evaluator's
 * (nn_qmodel_eval) on the features x, else 0. */
int private_head_exact(private_head_t *h, const fmpz *logits, const uint8_t *x);

#endif /* VEIL_APPS_PRIVATE_HEAD_H */
