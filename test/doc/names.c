/*
 * Every function, type or macro of veil that a chapter names in backticks
 * (`bfv_mod_switch`, `lola_plan`, `NTT_MAX_PRIME_BITS`, ...) exists in the
 * sources: a renamed or removed function leaves no stale name in doc/.
 * A name counts when it starts with a module prefix (ntt_, rns_, bfv_,
 * nn_, mpc_, lola_, safenet_, veil_, in either case) and is found as a
 * whole word in a .c or .h file under include/, the module folders, apps/,
 * test/ or fuzz/.
 */
#include "docblock.h"
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

static const char *const chapters[] = {"doc/01-arithmetic.md",
                                       "doc/02-rns.md",
                                       "doc/03-bfv.md",
                                       "doc/04-bfv-multiplication.md",
                                       "doc/05-key-switching.md",
                                       "doc/06-rotations.md",
                                       "doc/07-parameters.md",
                                       "doc/08-crt-plaintexts.md",
                                       "doc/09-serialization.md",
                                       "doc/10-nn.md",
                                       "doc/11-lola.md",
                                       "doc/20-two-party.md",
                                       "doc/21-garbled-circuits.md",
                                       "doc/22-safenet.md",
                                       "doc/23-safenet-he.md",
                                       "doc/README.md",
                                       "doc/DESIGN.md",
                                       NULL};

static const char *const dirs[] = {"include", "ntt",  "bfv",     "nn",
                                   "mpc",     "lola", "safenet", "apps",
                                   "test",    "fuzz", NULL};

typedef struct {
    char *buf;
    size_t len, cap;
} text_t;

static void append_file(text_t *t, const char *path)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t got;
    if (f == NULL)
        return;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (t->len + got + 2 > t->cap) {
            t->cap = (t->len + got + 2) * 2;
            t->buf = realloc(t->buf, t->cap);
            cr_assert_not_null(t->buf);
        }
        memcpy(t->buf + t->len, chunk, got);
        t->len += got;
    }
    t->buf[t->len++] = '\n';
    t->buf[t->len] = '\0';
    fclose(f);
}

static void walk(text_t *t, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL || depth > 4) {
        if (d != NULL)
            closedir(d);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(t, path, depth + 1);
        else if (l > 2 && (strcmp(e->d_name + l - 2, ".c") == 0 ||
                           strcmp(e->d_name + l - 2, ".h") == 0))
            append_file(t, path);
    }
    closedir(d);
}

static int is_id(int c)
{
    return isalnum(c) || c == '_';
}

/* 1 if name occurs in t as a whole word */
static int has_word(const text_t *t, const char *name)
{
    const size_t l = strlen(name);
    for (const char *p = t->buf; (p = strstr(p, name)) != NULL; p++)
        if ((p == t->buf || !is_id((unsigned char)p[-1])) &&
            !is_id((unsigned char)p[l]))
            return 1;
    return 0;
}

static int veil_name(const char *s)
{
    static const char *const pre[] = {"ntt_",     "rns_",  "bfv_",
                                      "nn_",      "mpc_",  "lola_",
                                      "safenet_", "veil_", NULL};
    for (int i = 0; pre[i] != NULL; i++) {
        size_t l = strlen(pre[i]);
        int ok = 1;
        for (size_t k = 0; k < l && ok; k++)
            ok = tolower((unsigned char)s[k]) == pre[i][k];
        if (ok && is_id((unsigned char)s[l]))
            return 1;
    }
    return 0;
}

Test(doc_names, every_named_identifier_exists, .timeout = 120)
{
    text_t src = {0};
    const char *root = getenv("srcdir");
    size_t seen = 0, missing = 0;
    char path[4096];

    for (int i = 0; dirs[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s", root ? root : VEIL_SRCDIR,
                 dirs[i]);
        walk(&src, path, 0);
    }
    cr_assert_gt(src.len, 100000, "cannot read the sources");
    for (int c = 0; chapters[c] != NULL; c++) {
        char *doc = doc_read(chapters[c]);
        cr_assert_not_null(doc, "cannot read %s", chapters[c]);
        for (char *p = doc; (p = strchr(p, '`')) != NULL; p++) {
            char name[128];
            size_t l = 0;
            while (is_id((unsigned char)p[1 + l]) && l + 1 < sizeof(name))
                l++;
            if (l == 0 || (p[1 + l] != '`' && p[1 + l] != '('))
                continue;
            memcpy(name, p + 1, l);
            name[l] = '\0';
            if (!veil_name(name) || name[l - 1] == '_')
                continue;
            seen++;
            if (!has_word(&src, name)) {
                missing++;
                cr_expect_fail("%s names `%s`, which is nowhere in the "
                               "sources",
                               chapters[c], name);
            }
        }
        free(doc);
    }
    cr_log_info("%zu names checked, %zu missing", seen, missing);
    cr_expect_gt(seen, 300, "only %zu names found", seen);
    free(src.buf);
}
