/*
 * doc_lola.h - the plans of doc/11-lola.md, section 6: each report there is
 * the output of `apps/mnist_lola --budget --count 1 --threads 1
 * [--raw-answer] [--variant V] [--kernels K]` between
 * "<!-- lola:NAME:begin -->" markers (test/doc/doc_lola.c checks them).
 */
#ifndef VEIL_TEST_DOC_LOLA_H
#define VEIL_TEST_DOC_LOLA_H

#include "veil/lola.h"

typedef struct {
    const char *name;    /* the block: lola:NAME */
    const char *model;   /* models/MODEL.vmodel  */
    const char *variant; /* --variant            */
    const char *kernels; /* --kernels, or NULL   */
    int raw;             /* --raw-answer         */
} dl_case_t;

#define DL_CASES 5
extern const dl_case_t dl_cases[DL_CASES];

/* Plan case c as apps/mnist_lola does (with its margin rule for the
 * answer): *m and *q are initialised (clear them) when VEIL_OK. */
veil_status dl_plan_case(lola_spec_t *spec, lola_report_t *rep, nn_qmodel_t *q,
                         nn_model_t *m, const dl_case_t *c);

#endif
