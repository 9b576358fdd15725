/*
 * doc_lola_plan.c - the plans of doc/11-lola.md (doc_lola.h), and the
 * number doc/20 quotes for the evaluation keys of the default plan
 * (dl_evalkeys_bytes, doc_numbers.h).
 */
#include "doc_lola.h"
#include "doc_numbers.h"
#include "docblock.h"
#include "veil/lola.h"
#include "veil/lola_wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

const dl_case_t dl_cases[DL_CASES] = {
    {"raw-paper", "lola", "lola", "paper", 1},
    {"raw", "lola", "lola", NULL, 1},
    {"raw-small", "lola-small", "lola-small", NULL, 1},
    {"raw-dense", "lola", "lola-dense", NULL, 1},
    {"flood", "lola", "lola", NULL, 0},
};

/* Plan as apps/mnist_lola does (its margin rule for the answer). */
veil_status dl_plan_case(lola_spec_t *spec, lola_report_t *rep, nn_qmodel_t *q,
                         nn_model_t *m, const dl_case_t *c)
{
    char path[4096];
    const char *dir = getenv("srcdir");
    lola_options_t o;
    veil_status st;

    snprintf(path, sizeof(path), "%s/models/%s.vmodel",
             dir != NULL ? dir : VEIL_SRCDIR, c->model);
    if ((st = nn_model_load(m, path)) != VEIL_OK)
        return st;
    if ((st = nn_qmodel_init(q, m)) != VEIL_OK) {
        nn_model_clear(m);
        return st;
    }
    lola_options_default(&o);
    st = lola_variant_parse(&o.variant, c->variant);
    o.kernels = c->kernels;
    o.levels = !c->raw;
    o.answer = !c->raw; /* as apps/mnist_lola */
    if (!c->raw && o.margin < (unsigned)LOLA_ANSWER_MARGIN(LOLA_FLOOD_BITS))
        o.margin = (unsigned)LOLA_ANSWER_MARGIN(LOLA_FLOOD_BITS);
    if (st == VEIL_OK)
        st = lola_plan(spec, rep, q, &o);
    if (st != VEIL_OK) {
        nn_qmodel_clear(q);
        nn_model_clear(m);
    }
    return st;
}

int dl_evalkeys_bytes(char *out, size_t cap)
{
    lola_spec_t spec;
    lola_report_t rep;
    lola_setup_t su;
    nn_qmodel_t q;
    nn_model_t m;
    static char cached[64];
    if (cached[0] == '\0') {
        size_t v, l, pos = 0;
        char tmp[32];
        if (dl_plan_case(&spec, &rep, &q, &m, &dl_cases[4]) != VEIL_OK)
            return -1;
        if (lola_setup_init(&su, &spec) != VEIL_OK) {
            nn_qmodel_clear(&q);
            nn_model_clear(&m);
            return -1;
        }
        v = lola_evalkeys_bytes(&su);
        lola_setup_clear(&su);
        nn_qmodel_clear(&q);
        nn_model_clear(&m);
        snprintf(tmp, sizeof(tmp), "%zu", v);
        l = strlen(tmp);
        for (size_t i = 0; i < l; i++) {
            if (i > 0 && (l - i) % 3 == 0)
                cached[pos++] = ',';
            cached[pos++] = tmp[i];
        }
        cached[pos] = '\0';
    }
    snprintf(out, cap, "%s", cached);
    return 0;
}
