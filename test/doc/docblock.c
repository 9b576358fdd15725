/* docblock.c - see docblock.h */
#include "docblock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

char *doc_read(const char *rel)
{
    const char *dir = getenv("srcdir");
    char path[4096];
    FILE *f;
    char *buf;
    long len;

    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : VEIL_SRCDIR, rel);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)len + 1);
    if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        buf[len] = '\0';
    fclose(f);
    return buf;
}

char *doc_block(const char *doc, const char *kind, const char *name)
{
    char begin[256], end[256];
    const char *from, *to;
    char *out;

    snprintf(begin, sizeof(begin), "<!-- %s:%s:begin -->\n```\n", kind, name);
    snprintf(end, sizeof(end), "```\n<!-- %s:%s:end -->", kind, name);
    from = strstr(doc, begin);
    if (from == NULL)
        return NULL;
    from += strlen(begin);
    to = strstr(from, end);
    if (to == NULL)
        return NULL;
    out = malloc((size_t)(to - from) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, from, (size_t)(to - from));
    out[to - from] = '\0';
    return out;
}
