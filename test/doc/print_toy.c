/* print_toy - print the toy BFV blocks of doc/03-06 (the text between each
 * chapter's "toy:NAME" markers) and the library-versus-first-principles
 * checks:  test/doc/print-toy [NAME] */
#include "bfv_toy.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    toy_result_t r;
    int bad = toy_run(&r) != 0;

    for (int i = 0; i < TOY_BLOCKS; i++) {
        if (argc > 1 && strcmp(argv[1], toy_block_name[i]) != 0)
            continue;
        if (argc == 1)
            printf("==== %s, block toy:%s\n", toy_block_file[i],
                   toy_block_name[i]);
        fputs(r.text[i] != NULL ? r.text[i] : "", stdout);
    }
    for (size_t i = 0; i < r.n_checks; i++) {
        if (argc == 1 || !r.checks[i].equal)
            fprintf(stderr, "%-60s %s\n", r.checks[i].what,
                    r.checks[i].equal ? "library = first principles"
                                      : "MISMATCH");
        bad |= !r.checks[i].equal;
    }
    toy_result_free(&r);
    return bad;
}
