/*
 * docblock.h - read a chapter of doc/ and find the text a program must
 * reproduce: fenced blocks between "<!-- KIND:NAME:begin -->" and
 * "<!-- KIND:NAME:end -->" markers (the mechanism of doc/01's example,
 * test/ntt/example.c, with a kind and a name so that a chapter can hold
 * several blocks).
 */
#ifndef VEIL_TEST_DOC_DOCBLOCK_H
#define VEIL_TEST_DOC_DOCBLOCK_H

#include <stddef.h>

/* The chapter `rel` (e.g. "doc/03-bfv.md") under $srcdir (or VEIL_SRCDIR,
 * or "."), NUL-terminated and malloc'd; NULL if it cannot be read. */
char *doc_read(const char *rel);

/* A malloc'd copy of the contents of the fenced block between the markers
 * of KIND:NAME (without the ``` lines), or NULL if there is none. */
char *doc_block(const char *doc, const char *kind, const char *name);

#endif
