/*
 * doc_numbers.h - the numbers of doc/ that follow from the code, computed
 * from the library, and the checker that compares them with the text.
 *
 * A chapter marks a number by putting an HTML comment (invisible when the
 * Markdown is rendered) right before it:
 *
 *     a ciphertext is <!--#ct_kib.8192-->512 KiB
 *
 * The checker finds every "<!--#KEY-->" and requires the text that follows
 * to begin with the value of KEY.  A key is NAME.ARG, ARG a ring degree of
 * the 128-bit presets (4096 .. 32768) unless the name says otherwise
 * ("toy.NAME": a number of the toy BFV, bfv_toy.h; "nn_*.NET": the
 * committed models, doc_nn.c; "cnn_*": CNN-7 and its SAFENet plan,
 * doc_cnn.c; "mpc_*", "fixed_max.BITS", "safenet_*": SAFENet,
 * doc_safenet.c);
 * test/doc/print-numbers lists every key with its value.  Numbers that are
 * measurements (timings, measured budgets) are not marked: the chapters
 * give the command that measures them.
 */
#ifndef VEIL_TEST_DOC_NUMBERS_H
#define VEIL_TEST_DOC_NUMBERS_H

#include <stddef.h>

/* 1234567 -> "1,234,567" (NUL-terminated, truncated to cap). */
void dn_thousands(char *out, size_t cap, unsigned long long v);

/* The chapters the checker reads (NULL-terminated). */
extern const char *const dn_chapters[];

/* Write the value of key into out (NUL-terminated); 0 on success, -1 for
 * an unknown key or a library failure. */
int dn_value(char *out, size_t cap, const char *key);

/* Call report(ctx, chapter, line, key, want, found) for every marker of
 * the chapter text doc whose value does not match (want is NULL for an
 * unknown key); returns the number of markers seen. */
size_t dn_check(const char *chapter, const char *doc,
                void (*report)(void *ctx, const char *chapter, int line,
                               const char *key, const char *want,
                               const char *found),
                void *ctx);

/* The nn_* keys (doc_nn.c): ARG is a network name, with ":LAYER" for
 * per-layer numbers. */
int dn_nn_value(char *out, size_t cap, const char *name, const char *arg);
void dn_nn_free(void);

/* The safenet_* keys (doc_safenet.c): counts of doc/22. */
int dn_safenet_value(char *out, size_t cap, const char *name, const char *arg);

/* The cnn_* keys (doc_cnn.c): CNN-7 and the committed SAFENet plan. */
int dn_cnn_value(char *out, size_t cap, const char *name, const char *arg);

/* lola_evalkeys_bytes of the plan apps/mnist_lola makes by default for
 * models/lola.vmodel (doc_lola.c), with thousands separators. */
int dl_evalkeys_bytes(char *out, size_t cap);

/* Every key with an ARG, for listing: NAME patterns and their ARGs. */
extern const char *const dn_names[];
void dn_free_cache(void);

#endif
