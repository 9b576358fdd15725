/*
 * bfv_toy.h - the toy BFV of doc/03-06 (n = 8, t = 17, two 15-bit
 * ciphertext primes and one special prime), computed twice: by the library
 * (keys, encryption, decryption, noise budget, product, relinearization,
 * rotation) and from first principles with plain integer arithmetic
 * (negacyclic products, CRT, rounding; no veil code except the random
 * draws, replayed from a copy of the generator).
 *
 * toy_run() writes the blocks that the chapters print between their
 * "<!-- toy:NAME:begin -->" and "<!-- toy:NAME:end -->" markers:
 *   TOY_ENC      doc/03-bfv.md                keys, encryption, decryption
 *   TOY_MUL      doc/04-bfv-multiplication.md tensor product, HPS scaling
 *   TOY_MODSW    doc/04-bfv-multiplication.md one modulus-switching step
 *   TOY_RELIN    doc/05-key-switching.md      one relinearization
 *   TOY_ROT      doc/06-rotations.md          one rotation
 *   TOY_LEAK     doc/07-parameters.md         the noise of a plaintext
 *                                             product gives away the weights
 * and records, for each library result, whether it equals the first-
 * principles value (test/bfv/toy.c asserts them; test/doc/print_toy
 * prints the blocks to paste into the chapters).
 */
#ifndef VEIL_TEST_DOC_BFV_TOY_H
#define VEIL_TEST_DOC_BFV_TOY_H

#include <stdio.h>

enum { TOY_ENC, TOY_MUL, TOY_MODSW, TOY_RELIN, TOY_ROT, TOY_LEAK, TOY_BLOCKS };

/* The chapter (relative to the source tree) and the name of each block. */
extern const char *const toy_block_file[TOY_BLOCKS];
extern const char *const toy_block_name[TOY_BLOCKS];

/* One library-versus-first-principles comparison. */
typedef struct {
    const char *what;
    int equal;
} toy_check_t;

#define TOY_MAX_CHECKS 64

typedef struct {
    int status;             /* 0, or -1 if the library refused something */
    char *text[TOY_BLOCKS]; /* malloc'd block texts */
    size_t n_checks;
    toy_check_t checks[TOY_MAX_CHECKS];
} toy_result_t;

/* Run the toy; 0 on success.  toy_result_free releases the texts. */
int toy_run(toy_result_t *r);
void toy_result_free(toy_result_t *r);

#endif
