/*
 * assert.c - the report of a failed VEIL_ASSERT (veil/veil.h): the one
 * place the library prints and aborts, reached only from the precondition
 * checks of a debug build (VEIL_DEBUG, ./configure --enable-debug).
 */
#include "veil/veil.h"
#include <stdio.h>
#include <stdlib.h>

void veil_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "veil: %s:%d: precondition failed: %s\n", file, line, cond);
    abort();
}
