/* print_numbers - list the values of the doc/ number markers
 * (test/doc/doc_numbers.h) for every preset, or check the chapters:
 *   test/doc/print-numbers            every NAME.N for N = 4096 .. 32768,
 *                                     the circuit, model and toy numbers
 *                                     (nn_acc_*, nn_seen, lola_evalkeys
 *                                     only on request: they take time)
 *   test/doc/print-numbers KEY...     the given keys
 *   test/doc/print-numbers --check    the markers of the chapters that
 *                                     differ from the code */
#include "bfv_toy.h"
#include "doc_numbers.h"
#include "docblock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad;

static void report(void *ctx, const char *chapter, int line, const char *key,
                   const char *want, const char *found)
{
    (void)ctx;
    bad = 1;
    printf("%s:%d: %s: %s%s, text has \"%s\"\n", chapter, line, key,
           want == NULL ? "unknown key" : "code says ",
           want == NULL ? "" : want, found);
}

int main(int argc, char **argv)
{
    char v[128], key[96];
    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        for (int i = 0; dn_chapters[i] != NULL; i++) {
            char *doc = doc_read(dn_chapters[i]);
            if (doc == NULL) {
                printf("%s: cannot read\n", dn_chapters[i]);
                bad = 1;
                continue;
            }
            printf("%s: %zu markers\n", dn_chapters[i],
                   dn_check(dn_chapters[i], doc, report, NULL));
            free(doc);
        }
    } else if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            if (dn_value(v, sizeof(v), argv[i]) != 0) {
                printf("%s: unknown\n", argv[i]);
                bad = 1;
            } else
                printf("%s = %s\n", argv[i], v);
        }
    } else {
        for (int i = 0; dn_names[i] != NULL; i++)
            for (size_t n = 4096; n <= 32768; n *= 2) {
                if (strncmp(dn_names[i], "ser_", 4) == 0 && n > 16384)
                    continue;
                snprintf(key, sizeof(key), "%s.%zu", dn_names[i], n);
                if (dn_value(v, sizeof(v), key) == 0)
                    printf("%-22s %s\n", key, v);
            }
        static const char *const more[] = {"fixed_max.15",
                                           "gc_and.0",
                                           "gc_xor.0",
                                           "gc_not.0",
                                           "gc_const.0",
                                           "gc_gates.0",
                                           "gc_ops_garbler.0",
                                           "gc_ops_evaluator.0",
                                           "gc_work.0",
                                           "nn_params.lola",
                                           "nn_worst.lola",
                                           "nn_inmax.lola",
                                           "nn_params.lola-small",
                                           "nn_worst.lola-small",
                                           NULL};
        toy_result_t r;
        for (int i = 0; more[i] != NULL; i++)
            if (dn_value(v, sizeof(v), more[i]) == 0)
                printf("%-22s %s\n", more[i], v);
        if (toy_run(&r) == 0)
            for (size_t i = 0; i < r.n_values; i++) {
                snprintf(key, sizeof(key), "toy.%s", r.values[i].name);
                printf("%-22s %s\n", key, r.values[i].value);
            }
        toy_result_free(&r);
    }
    dn_free_cache();
    return bad;
}
