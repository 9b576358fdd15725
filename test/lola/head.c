/*
 * test/lola/head.c - the private head of deep representations (LoLa paper
 * section 5; doc/11-lola.md section 11): a network whose first layer is
 * dense, planned in the DENSE variant (the client sends the feature vector
 * in one message), evaluated at 128-bit parameters with the masked,
 * flooded answer; every decrypted logit vector must equal the exact
 * integer evaluator.  Includes the chapter's worked example.
 */
#include "../../apps/common/private_head.h"
#include "../common/seed.h"
#include "veil/lola.h"
#include "veil/lola_models.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Encrypt each of `count` inputs x (dim codes each), evaluate, answer,
 * decrypt (private_head_infer); every logit vector must equal
 * nn_qmodel_eval's.  *rep gets the plan's report. */
static void run_head(lola_report_t *rep, const nn_qmodel_t *q,
                     const char *kernels, const uint8_t *x, size_t count,
                     const char *test)
{
    private_head_t h;
    veil_rng_t rng;
    const size_t dim = nn_shape_size(q->in);
    const size_t classes = nn_shape_size(q->layers[q->nlayers - 1].out);
    fmpz *logits = _fmpz_vec_init((slong)classes);

    vt_rng(&rng, test);
    cr_assert_eq(private_head_init(&h, rep, q, kernels, &rng, NULL), VEIL_OK);
    cr_assert_eq(h.spec.variant, LOLA_VARIANT_DENSE);
    cr_assert_eq(rep->input_messages, 1,
                 "the features travel in one "
                 "message");
    for (size_t r = 0; r < count; r++) {
        cr_assert_eq(
            private_head_infer(logits, NULL, &h, x + r * dim, &rng, NULL),
            VEIL_OK);
        cr_assert(private_head_exact(&h, logits, x + r * dim),
                  "record %zu: decrypted logits differ from the exact "
                  "evaluator",
                  r);
    }
    private_head_clear(&h);
    veil_rng_clear(&rng);
    _fmpz_vec_clear(logits, (slong)classes);
}

/* doc/11-lola.md section 11, the worked example: features v = (3, 1, 0, 2),
 * W = [[1, -2, 0, 1], [2, 0, -1, 3]], b = (4, -9): logits (7, 3); the
 * dense-vector x row-major kernel needs 2 products and 2 x log2(4) = 4
 * rotations. */
Test(lola_head, worked_example)
{
    static const float w[8] = {1, -2, 0, 1, 2, 0, -1, 3};
    static const float b[2] = {4, -9};
    static const uint8_t v[4] = {3, 1, 0, 2};
    nn_model_t m;
    nn_qmodel_t q;
    lola_report_t rep;
    nn_qtrace_t tr;

    cr_assert_eq(nn_model_init(&m, (nn_shape_t){4, 1, 1}), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 2), VEIL_OK);
    memcpy(m.params + m.layers[0].w, w, sizeof(w));
    /* input X = code exactly (in_exp 8, scale 256), integer weights = w
     * (qexp 0), integer bias = b_f * 256 */
    for (int j = 0; j < 2; j++)
        m.params[m.layers[0].b + j] = b[j] / 256.0f;
    m.in_exp = 8;
    m.layers[0].qexp = 0;
    m.quantizable = 1;
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&tr, &q), VEIL_OK);
    nn_qmodel_quantize_input(tr.v[0], &q, v);
    nn_qmodel_eval(&tr, &q);
    cr_assert_eq(fmpz_get_si(tr.v[1] + 0), 7);
    cr_assert_eq(fmpz_get_si(tr.v[1] + 1), 3);
    nn_qtrace_clear(&tr);
    run_head(&rep, &q, "dense-row", v, 1, "lola_head_worked_example");
    cr_assert_eq(rep.nsteps, 1);
    cr_assert_eq(rep.steps[0].counts.mul_plain, 2);
    /* the kernel's 4 rotations (2 per row) are the last step's folds: the
     * client's (lola_step_client_sums, doc/11-lola.md 7.3) */
    cr_assert_eq(rep.steps[0].counts.rot, 0);
    cr_assert_eq(rep.output_messages, 2, "one message per row");
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

/* A generated head (realistic scale, 8-bit weights and codes) with the
 * paper's kernel and with the planner's choice: exact on random codes. */
Test(lola_head, generated_head_exact, .timeout = 600)
{
    enum { DIM = 300, CLASSES = 37, COUNT = 3 };
    uint8_t seed[VEIL_SEED_BYTES] = {0};
    nn_model_t m;
    nn_qmodel_t q;
    lola_report_t rep;
    veil_rng_t rng;
    uint8_t x[COUNT * DIM];

    vt_rng(&rng, "lola_head_generated");
    veil_rng_bytes(&rng, seed, sizeof(seed));
    veil_rng_bytes(&rng, x, sizeof(x));
    veil_rng_clear(&rng);
    veil_rng_init_seed(&rng, seed);
    cr_assert_eq(nn_model_init(&m, (nn_shape_t){DIM, 1, 1}), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, CLASSES), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 8, 1.0f, 8, 8), VEIL_OK);
    run_head(&rep, &q, "dense-row", x, COUNT, "lola_head_dense_row");
    cr_assert_eq(rep.steps[0].counts.mul_plain, CLASSES);
    cr_assert_eq(rep.steps[0].counts.rot, 0,
                 "log2(512) = 9 rotations per row, all the client's folds");
    run_head(&rep, &q, NULL, x, COUNT, "lola_head_planner");
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
    veil_rng_clear(&rng);
}

/* The CONV variant sends a convolution's representation: a dense first
 * layer has none, and the planner says so. */
Test(lola_head, conv_variant_refused)
{
    nn_model_t m;
    nn_qmodel_t q;
    lola_options_t lo;
    lola_spec_t spec;
    veil_rng_t rng;
    vt_rng(&rng, "lola_head_refused");
    cr_assert_eq(nn_model_init(&m, (nn_shape_t){16, 1, 1}), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 3), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 4, 1.0f, 8, 8), VEIL_OK);
    lola_options_default(&lo);
    cr_expect_eq(lola_plan(&spec, NULL, &q, &lo), VEIL_EUNSUPPORTED);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
    veil_rng_clear(&rng);
}
