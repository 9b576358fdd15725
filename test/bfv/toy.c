/*
 * The toy BFV of doc/03-06 (n = 8, t = 17, Q = 16417 * 16433, P = 16481):
 * the library must compute exactly the numbers that the first-principles
 * evaluator of test/doc/bfv_toy.c computes with plain integers, and the
 * chapters must print exactly those numbers.  Regenerate the chapters'
 * blocks with test/doc/print-toy after changing the toy.
 */
#include "../doc/bfv_toy.h"
#include "../doc/docblock.h"
#include <criterion/criterion.h>
#include <stdlib.h>

Test(toy, library_equals_first_principles)
{
    toy_result_t r;
    cr_assert_eq(toy_run(&r), 0, "the library refused a step of the toy");
    cr_assert_gt(r.n_checks, 20);
    for (size_t i = 0; i < r.n_checks; i++)
        cr_expect(r.checks[i].equal, "toy: %s differs", r.checks[i].what);
    toy_result_free(&r);
}

Test(toy, chapters_print_the_toy)
{
    toy_result_t r;
    cr_assert_eq(toy_run(&r), 0);
    for (int i = 0; i < TOY_BLOCKS; i++) {
        char *doc = doc_read(toy_block_file[i]), *blk;
        cr_assert_not_null(doc, "cannot read %s", toy_block_file[i]);
        blk = doc_block(doc, "toy", toy_block_name[i]);
        cr_assert_not_null(blk, "%s has no toy:%s block", toy_block_file[i],
                           toy_block_name[i]);
        cr_expect_str_eq(blk, r.text[i],
                         "%s is stale: regenerate its toy:%s block with "
                         "test/doc/print-toy %s",
                         toy_block_file[i], toy_block_name[i],
                         toy_block_name[i]);
        free(blk);
        free(doc);
    }
    toy_result_free(&r);
}
