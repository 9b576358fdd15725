/*
 * Every number that doc/ marks with "<!--#KEY-->" (test/doc/doc_numbers.h)
 * must be what the library computes: sizes, key counts, transform counts,
 * the presets, the budget formula.  List the values with
 * test/doc/print-numbers; find stale markers with
 * test/doc/print-numbers --check.
 */
#include "doc_numbers.h"
#include "docblock.h"
#include <criterion/criterion.h>
#include <stdlib.h>

static void report(void *ctx, const char *chapter, int line, const char *key,
                   const char *want, const char *found)
{
    (void)ctx;
    if (want == NULL)
        cr_expect_fail("%s:%d: unknown number key %s", chapter, line, key);
    else
        cr_expect_fail("%s:%d: %s is %s in the code, the text says \"%s\"",
                       chapter, line, key, want, found);
}

Test(doc_numbers, marked_numbers_match_the_code, .timeout = 300)
{
    size_t total = 0;
    for (int i = 0; dn_chapters[i] != NULL; i++) {
        char *doc = doc_read(dn_chapters[i]);
        cr_assert_not_null(doc, "cannot read %s", dn_chapters[i]);
        total += dn_check(dn_chapters[i], doc, report, NULL);
        free(doc);
    }
    dn_free_cache();
    cr_expect_gt(total, 40, "only %zu marked numbers in doc/", total);
}

static void count(void *ctx, const char *chapter, int line, const char *key,
                  const char *want, const char *found)
{
    (void)chapter;
    (void)line;
    (void)key;
    (void)want;
    (void)found;
    (*(int *)ctx)++;
}

Test(doc_numbers, a_wrong_marker_is_caught)
{
    /* the checker itself: a wrong value and an unknown key are reported,
     * a right one is not */
    int bad = 0;
    const char *doc = "a <!--#logq.8192-->999 bit Q, <!--#nosuch.1-->5 and "
                      "<!--#logq.8192-->174 bits";
    cr_assert_eq(dn_check("inline", doc, count, &bad), 3);
    cr_assert_eq(bad, 2);
    dn_free_cache();
}
