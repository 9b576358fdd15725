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
 *   TOY_MODSW    doc/03-bfv.md                one modulus-switching step,
 *                                             by hand and by bfv_mod_switch
 *   TOY_RELIN    doc/05-key-switching.md      one relinearization
 *   TOY_ROT      doc/06-rotations.md          one rotation
 *   TOY_LEAK     doc/07-parameters.md         the noise of a plaintext
 *                                             product gives away the weights
 *   TOY_MSRNS    doc/03-bfv.md                the rounding of a modulus
 *                                             switch in RNS, on (7, 11, 13)
 * and records, for each library result, whether it equals the first-
 * principles value (test/bfv/toy.c asserts them; test/doc/print_toy
 * prints the blocks to paste into the chapters).
 */
#ifndef VEIL_TEST_DOC_BFV_TOY_H
#define VEIL_TEST_DOC_BFV_TOY_H

#include <stdio.h>

enum {
    TOY_ENC,
    TOY_MUL,
    TOY_MODSW,
    TOY_RELIN,
    TOY_ROT,
    TOY_LEAK,
    TOY_MSRNS,
    TOY_BLOCKS
};

/* The chapter (relative to the source tree) and the name of each block. */
extern const char *const toy_block_file[TOY_BLOCKS];
extern const char *const toy_block_name[TOY_BLOCKS];

/* One library-versus-first-principles comparison. */
typedef struct {
    const char *what;
    int equal;
} toy_check_t;

#define TOY_MAX_CHECKS 64
#define TOY_MAX_VALUES 32

/* A number the chapters quote in their prose (doc_numbers.h: the marker
 * <!--#toy.NAME--> must be followed by value). */
typedef struct {
    const char *name;
    char value[32];
} toy_value_t;

typedef struct {
    int status;             /* 0, or -1 if the library refused something */
    char *text[TOY_BLOCKS]; /* malloc'd block texts */
    size_t n_checks;
    toy_check_t checks[TOY_MAX_CHECKS];
    size_t n_values;
    toy_value_t values[TOY_MAX_VALUES];
} toy_result_t;

/* The value of the prose number name, or NULL. */
const char *toy_value(const toy_result_t *r, const char *name);

/* Run the toy; 0 on success.  toy_result_free releases the texts. */
int toy_run(toy_result_t *r);
void toy_result_free(toy_result_t *r);

#endif
