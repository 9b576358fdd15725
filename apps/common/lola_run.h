/*
 * lola_run.h - the LoLa client / server driver shared by apps/lola (any
 * network and data set: MNIST IDX, CIFAR-10 binary, features files) and
 * apps/mnist_lola (the MNIST front door): options, key generation,
 * queries, evaluation and answers, TCP server and client, JSON output and
 * the check of every decrypted logit vector against the exact integer
 * evaluator (doc/11-lola.md).
 */
#ifndef VEIL_APPS_LOLA_RUN_H
#define VEIL_APPS_LOLA_RUN_H

typedef struct {
    const char *prog; /* name in messages and usage: "lola", "mnist_lola" */
    int general;      /* 1: the options of apps/lola (--dataset,
                         --features, --maps, --head, --seed, --plan-only) */
} lola_run_config_t;

/* Run the program: parse argv, then one process, --serve or --connect.
 * Returns the exit status: 0 success, 1 failure, 2 bad options, 3 a
 * decrypted logit vector differs from the exact evaluator.  May re-execute
 * the program once to set OMP_WAIT_POLICY=passive. */
int lola_run_main(int argc, char **argv, const lola_run_config_t *c);

#endif /* VEIL_APPS_LOLA_RUN_H */
