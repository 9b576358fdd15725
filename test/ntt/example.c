/*
 * The worked example of doc/01-arithmetic.md: the chapter's printed trace
 * must be exactly what ntt_example.c computes from first principles, and
 * every path of the library must produce the same root, transforms,
 * product and inverse.  Regenerate the chapter's block with
 * test/ntt/print-example after changing the example.
 */
#include "ntt_example.h"
#include "veil/ntt.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN "<!-- example:begin -->\n```\n"
#define END "```\n<!-- example:end -->"

static char *read_chapter(void)
{
    const char *dir = getenv("srcdir");
    char path[4096];
    FILE *f;
    char *buf;
    long len;

    snprintf(path, sizeof(path), "%s/doc/01-arithmetic.md",
             dir != NULL ? dir : VEIL_SRCDIR);
    f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

Test(example, chapter_block_matches_first_principles)
{
    ex_values_t v;
    char *doc = read_chapter(), *trace = NULL, *from, *to;
    size_t trace_len = 0;
    FILE *mem = open_memstream(&trace, &trace_len);

    cr_assert_not_null(mem);
    ex_trace(mem, &v);
    fclose(mem);
    from = strstr(doc, BEGIN);
    cr_assert_not_null(from, "no example block in the chapter");
    from += strlen(BEGIN);
    to = strstr(from, END);
    cr_assert_not_null(to, "unterminated example block");
    *to = '\0';
    cr_assert_str_eq(from, trace,
                     "doc/01-arithmetic.md is stale: regenerate its block "
                     "with test/ntt/print-example");
    cr_assert_arr_eq(v.c, v.school, sizeof(v.c));
    free(trace);
    free(doc);
}

Test(example, library_reproduces_every_value_on_every_path)
{
    ex_values_t v;
    uint64_t psi, x[EX_N], y[EX_N];

    ex_trace(NULL, &v);
    cr_assert_eq(ntt_root_of_unity(&psi, EX_N, EX_Q), VEIL_OK);
    cr_assert_eq(psi, v.psi);
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
        ntt_plan_t p;
        if (!veil_isa_supported((veil_isa_t)isa))
            continue;
        cr_assert_eq(ntt_plan_init_isa(&p, EX_N, EX_Q, (veil_isa_t)isa),
                     VEIL_OK);
        cr_assert_eq(p.psi, v.psi);
        memcpy(x, v.a, sizeof(x));
        memcpy(y, v.b, sizeof(y));
        ntt_forward(&p, x);
        ntt_forward(&p, y);
        cr_assert_arr_eq(x, v.fa, sizeof(x));
        cr_assert_arr_eq(y, v.fb, sizeof(y));
        ntt_vec_mul(&p, x, x, y);
        cr_assert_arr_eq(x, v.prod, sizeof(x));
        ntt_inverse(&p, x);
        cr_assert_arr_eq(x, v.c, sizeof(x));
        ntt_plan_clear(&p);
    }
}
