/*
 * ntt_example.h - the worked n = 8, q = 17 example of doc/01-arithmetic.md,
 * recomputed from first principles (plain % arithmetic, no veil code) with
 * every intermediate value.  test/ntt/example.c checks the chapter's text
 * and the library against it; test/ntt/print_example.c prints it.
 */
#ifndef VEIL_TEST_NTT_EXAMPLE_H
#define VEIL_TEST_NTT_EXAMPLE_H

#include <stdint.h>
#include <stdio.h>

#define EX_N 8
#define EX_Q 17

typedef struct {
    uint64_t psi;                /* the smallest primitive 16th root   */
    uint64_t a[EX_N], b[EX_N];   /* the two inputs                     */
    uint64_t fa[EX_N], fb[EX_N]; /* their forward transforms           */
    uint64_t prod[EX_N];         /* fa * fb pointwise                  */
    uint64_t c[EX_N];            /* inverse transform of prod          */
    uint64_t school[EX_N];       /* schoolbook a b mod (X^8 + 1, 17)    */
} ex_values_t;

/* Compute the example, write its trace (the text between the chapter's
 * markers) to `out` if not NULL, and fill *v. */
void ex_trace(FILE *out, ex_values_t *v);

#endif
