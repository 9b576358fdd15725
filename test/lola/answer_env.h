/*
 * test/lola/answer_env.h - the environment of the answer tests
 * (test/lola/answer.c, test/lola/ringsw.c): the small model of
 * lt_small_model planned with room for flooding, keys, one encrypted
 * input and the server's evaluation of it; and the check of an answer's
 * logits against the exact evaluator.
 */
#ifndef VEIL_TEST_LOLA_ANSWER_ENV_H
#define VEIL_TEST_LOLA_ANSWER_ENV_H

#include "common.h"
#include "veil/lola.h"

typedef struct {
    nn_qmodel_t q;
    lola_spec_t spec;
    lola_report_t rep;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    lola_msg_t in, out;
    veil_rng_t rng;
    int64_t x[64];
} lt_answer_env_t;

/* How to plan (a test set: allow_insecure).  n: the ring degree; primes:
 * the plaintext primes (0: the planner's); kernels: forced, or NULL;
 * lambda: the flooding the margin leaves room for; bigp: replace the
 * special prime by a 50-bit one (ring switching's key switch needs P well
 * above 42 t n, which the planner's 28-bit primes of n = 1024 are not;
 * its 128-bit sets of n >= 8192 are: doc/11-lola.md 7.1). */
typedef struct {
    size_t n, primes;
    const char *kernels;
    unsigned lambda;
    lola_variant_t variant;
    int bigp;
} lt_answer_opts_t;

/* Plan, set up, make the keys, encrypt a random input and evaluate it,
 * on one thread, with the generator seeded for test `name`. */
void lt_answer_env_init(lt_answer_env_t *e, const char *name,
                        const lt_answer_opts_t *o);
void lt_answer_env_clear(lt_answer_env_t *e);

/* The logits of answer a (decrypted by the client) equal the exact
 * evaluator's on e->x. */
void lt_answer_assert_logits(lt_answer_env_t *e, const lola_answer_t *a);

/* For each element of l (len entries, malloc'd): 1 if it has shares (its
 * value is split over slots: the client's folds), else 0; *shares (if not
 * NULL) the number of share slots. */
uint8_t *lt_split_elements(const lola_layout_t *l, size_t *shares);

#endif
