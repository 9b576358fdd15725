/*
 * The plans of doc/11-lola.md, section 6, are what the planner makes now
 * (doc_lola.h).  Everything in a report but its last column (the budgets
 * measured on one image) follows from the model, the options and the cost
 * table, so this test plans again with the same options, formats the
 * report with lola_report_format, taking the measured column from the
 * chapter, and requires the whole block to match.
 */
#include "doc_lola.h"
#include "docblock.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The measured column of a report block: the last number of every step
 * line ("  <step> <kernel> ..."); returns the number of steps. */
static size_t measured_of(int *measured, size_t cap, const char *blk)
{
    size_t k = 0;
    const char *line = blk;
    while (line != NULL && *line != '\0') {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (len > 3 && line[0] == ' ' && line[1] == ' ' && line[2] >= '0' &&
            line[2] <= '9' && k < cap) {
            const char *last = line + len;
            while (last > line && last[-1] != ' ')
                last--;
            measured[k++] = atoi(last);
        }
        line = end != NULL ? end + 1 : NULL;
    }
    return k;
}

Test(doc_lola, reports_of_chapter_11_are_the_planners, .timeout = 600)
{
    char *doc = doc_read("doc/11-lola.md");
    static char buf[16384];
    cr_assert_not_null(doc, "cannot read doc/11-lola.md");
    for (size_t i = 0; i < DL_CASES; i++) {
        const dl_case_t *c = &dl_cases[i];
        char *blk = doc_block(doc, "lola", c->name);
        int measured[LOLA_REPORT_STEPS];
        lola_spec_t spec;
        lola_report_t rep;
        nn_qmodel_t q;
        nn_model_t m;
        size_t steps;
        cr_assert_not_null(blk, "doc/11-lola.md has no lola:%s block", c->name);
        steps = measured_of(measured, LOLA_REPORT_STEPS, blk);
        cr_assert_eq(dl_plan_case(&spec, &rep, &q, &m, c), VEIL_OK, "%s",
                     c->name);
        cr_expect_eq(steps, rep.nsteps,
                     "%s: %zu steps in the text, %zu planned", c->name, steps,
                     rep.nsteps);
        lola_report_format(buf, sizeof(buf), &rep, &spec,
                           steps == rep.nsteps ? measured : NULL);
        cr_expect_str_eq(blk, buf,
                         "doc/11-lola.md, lola:%s is not the planner's "
                         "plan: rerun apps/mnist_lola --budget --count 1 "
                         "--threads 1%s%s%s%s%s and paste its report",
                         c->name, c->raw ? " --raw-answer" : "",
                         strcmp(c->variant, "lola") ? " --variant " : "",
                         strcmp(c->variant, "lola") ? c->variant : "",
                         c->kernels ? " --kernels " : "",
                         c->kernels ? c->kernels : "");
        nn_qmodel_clear(&q);
        nn_model_clear(&m);
        free(blk);
    }
    free(doc);
}
