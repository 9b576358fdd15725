/*
 * compare.c - veil-bench --compare OLD.json NEW.json: match the JSON lines
 * of two runs row by row and print new / old for every measurement.
 *
 * A row's identity is every field that describes what was measured, not
 * how fast: the string fields (suite, op, isa, kernel, circuit, ...) and
 * the integer parameters n, bits, threads, q, batch, records, primes,
 * log_q, galois, and_gates.  Every other numeric field is a measurement
 * (median_us, per_second, bytes_per_element, ...) except runs, which is
 * neither compared nor matched.  Rows present in one file only are listed
 * at the end.  Ratios are new / old: above 1 means a time (or a byte
 * count) grew, or a rate (per_second, per_hour) improved.
 */
#include "bench.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 48
#define MAX_ROWS 4096

typedef struct {
    char name[48];
    char value[96];
    int is_string;
} field_t;

typedef struct {
    char id[768];   /* identity fields, sorted, "k=v " joined */
    char show[768]; /* the same in the file's order, values only */
    int nmeas;      /* measurement fields                     */
    char mname[MAX_FIELDS][48];
    double mval[MAX_FIELDS];
    int matched;
} row_t;

static const char *const params[] = {"n",      "bits",     "threads", "q",
                                     "batch",  "records",  "primes",  "log_q",
                                     "galois", "and_gates"};

static int is_param(const char *name)
{
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
        if (strcmp(name, params[i]) == 0)
            return 1;
    return 0;
}

/* Copy a token of at most cap - 1 bytes; 0 when it did not fit. */
static int copy_tok(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        return 0;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 1;
}

/* Fields of one flat JSON object (strings without escapes, numbers,
 * true/false); returns the count, -1 on a line that is not such an
 * object. */
static int parse_line(field_t *f, const char *p)
{
    int nf = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '{')
        return -1;
    for (;;) {
        const char *s, *e;
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '}')
            return nf;
        if (*p++ != '"' || nf == MAX_FIELDS)
            return -1;
        s = p;
        e = strchr(s, '"');
        if (e == NULL || !copy_tok(f[nf].name, sizeof(f[nf].name), s, e - s))
            return -1;
        p = e + 1;
        while (*p == ' ')
            p++;
        if (*p++ != ':')
            return -1;
        while (*p == ' ')
            p++;
        if (*p == '"') {
            s = ++p;
            e = strchr(s, '"');
            f[nf].is_string = 1;
        } else {
            s = p;
            e = s + strcspn(s, ",} \n");
            f[nf].is_string = 0;
        }
        if (e == NULL || (e == s && !f[nf].is_string) ||
            !copy_tok(f[nf].value, sizeof(f[nf].value), s, e - s))
            return -1;
        p = f[nf].is_string ? e + 1 : e;
        nf++;
    }
}

static int field_cmp(const void *a, const void *b)
{
    return strcmp(((const field_t *)a)->name, ((const field_t *)b)->name);
}

/* Read the rows of one file; NULL (and a message) on failure. */
static row_t *load(const char *path, size_t *count)
{
    FILE *fp = fopen(path, "r");
    char line[4096];
    row_t *rows;
    size_t nr = 0;

    if (fp == NULL) {
        fprintf(stderr, "veil-bench: cannot open %s\n", path);
        return NULL;
    }
    rows = calloc(MAX_ROWS, sizeof(row_t));
    if (rows == NULL) {
        fclose(fp);
        return NULL;
    }
    while (fgets(line, sizeof(line), fp) != NULL && nr < MAX_ROWS) {
        field_t f[MAX_FIELDS];
        int nf = parse_line(f, line);
        row_t *r = &rows[nr];
        size_t used = 0;
        if (nf <= 0)
            continue; /* not a result line (blank, text output) */
        size_t shown = 0;
        for (int i = 0; i < nf; i++)
            if (f[i].is_string || is_param(f[i].name)) {
                int w = snprintf(r->show + shown, sizeof(r->show) - shown,
                                 "%s%s", shown ? " " : "", f[i].value);
                if (w > 0 && (size_t)w < sizeof(r->show) - shown)
                    shown += (size_t)w;
            }
        qsort(f, (size_t)nf, sizeof(field_t), field_cmp);
        for (int i = 0; i < nf; i++) {
            if (f[i].is_string || is_param(f[i].name)) {
                int w = snprintf(r->id + used, sizeof(r->id) - used, "%s=%s ",
                                 f[i].name, f[i].value);
                if (w > 0 && (size_t)w < sizeof(r->id) - used)
                    used += (size_t)w;
            } else if (strcmp(f[i].name, "runs") != 0 &&
                       strcmp(f[i].value, "true") != 0 &&
                       strcmp(f[i].value, "false") != 0) {
                strcpy(r->mname[r->nmeas], f[i].name);
                r->mval[r->nmeas++] = strtod(f[i].value, NULL);
            }
        }
        if (used > 0)
            r->id[used - 1] = '\0';
        nr++;
    }
    fclose(fp);
    *count = nr;
    return rows;
}

int bench_compare(const char *old_path, const char *new_path)
{
    size_t nold = 0, nnew = 0, matched = 0, nratio = 0;
    row_t *o = load(old_path, &nold), *n = NULL;
    double logsum = 0;
    int rc = 1;

    if (o == NULL || (n = load(new_path, &nnew)) == NULL)
        goto out;
    printf("%-60s %-22s %12s %12s %7s\n", "row", "measurement", "old", "new",
           "new/old");
    for (size_t j = 0; j < nnew; j++) {
        row_t *b = &n[j], *a = NULL;
        for (size_t i = 0; i < nold && a == NULL; i++)
            if (!o[i].matched && strcmp(o[i].id, b->id) == 0)
                a = &o[i];
        if (a == NULL)
            continue;
        a->matched = b->matched = 1;
        matched++;
        for (int k = 0; k < b->nmeas; k++)
            for (int m = 0; m < a->nmeas; m++) {
                if (strcmp(a->mname[m], b->mname[k]) != 0)
                    continue;
                if (a->mval[m] != 0) {
                    double r = b->mval[k] / a->mval[m];
                    printf("%-60s %-22s %12.2f %12.2f %7.3f\n", b->show,
                           b->mname[k], a->mval[m], b->mval[k], r);
                    if (strcmp(b->mname[k], "median_us") == 0 && r > 0) {
                        logsum += log(r);
                        nratio++;
                    }
                } else {
                    printf("%-60s %-22s %12.2f %12.2f %7s\n", b->show,
                           b->mname[k], a->mval[m], b->mval[k], "-");
                }
            }
    }
    for (size_t i = 0; i < nold; i++)
        if (!o[i].matched)
            printf("only in %s: %s\n", old_path, o[i].id);
    for (size_t j = 0; j < nnew; j++)
        if (!n[j].matched)
            printf("only in %s: %s\n", new_path, n[j].id);
    printf("%zu rows matched", matched);
    if (nratio > 0)
        printf(", geometric mean of median_us new/old %.3f",
               exp(logsum / (double)nratio));
    printf("\n");
    rc = 0;
out:
    free(o);
    free(n);
    return rc;
}
