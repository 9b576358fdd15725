/* The paper's CIFAR-10 network family (section 4.4: conv, square, conv,
 * square, dense) through the planner, end to end: generated weights of a
 * realistic scale (lola_model_generate), the planner's own kernels and
 * parameters, decrypted logits equal to the exact integer evaluator.  The
 * full CIFAR-10 size is run by `veil-bench lola` (op cifar10); here a
 * smaller member of the family: 3 x 12 x 12 input, conv 4 x 4 stride 2
 * pad 1 with 6 maps (6 x 6 x 6 = 216 nodes), square, conv 3 x 3 x 6 stride
 * 2 with 8 maps (8 x 2 x 2 = 32 nodes), square, dense 32 -> 10. */
#include "common.h"
#include "veil/lola_models.h"
#include <criterion/criterion.h>
#include <stdlib.h>

Test(lola_cifar, shape_matches_paper)
{
    lola_cnn2_shape_t sh;
    nn_model_t m;
    lola_cnn2_cifar10(&sh);
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    /* the paper's node counts: 3072 inputs, 16268 and 4075 hidden */
    cr_assert_eq(nn_shape_size(m.in), 3072);
    cr_assert_eq(nn_shape_size(m.layers[0].out), 16268);
    cr_assert_eq(nn_shape_size(m.layers[2].out), 4075);
    cr_assert_eq(nn_shape_size(m.layers[4].out), 10);
    nn_model_clear(&m);
}

Test(lola_cifar, generated_scale)
{
    /* the batch-norm-like scaling keeps every hidden value near the target
     * scale: the float pre-activations of a sample have rms about 1 */
    const lola_cnn2_shape_t sh = {{3, 12, 12}, 4, 2, 1, 6, 3, 2, 0, 8, 10};
    nn_model_t m;
    nn_qmodel_t q;
    veil_rng_t rng;
    vt_rng(&rng, "lola_cifar_scale");
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 32, 1.0f, 6, 4), VEIL_OK);
    {
        float x[3 * 12 * 12], *work, y[10];
        double ss = 0;
        work = malloc(nn_model_work_size(&m) * sizeof(float));
        cr_assert_not_null(work);
        for (int r = 0; r < 8; r++) {
            for (size_t i = 0; i < 3 * 12 * 12; i++)
                x[i] = (float)(veil_rng_u64(&rng) & 255) / NN_PIXEL_SCALE;
            nn_model_forward(y, &m, x, work);
            for (int j = 0; j < 10; j++)
                ss += (double)y[j] * y[j];
        }
        free(work);
        ss /= 80;
        cr_assert(ss > 0.05 && ss < 20.0, "logit mean square %g", ss);
    }
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

Test(lola_cifar, small_family_exact, .timeout = 600)
{
    const lola_cnn2_shape_t sh = {{3, 12, 12}, 4, 2, 1, 6, 3, 2, 0, 8, 10};
    nn_model_t m;
    nn_qmodel_t q;
    veil_rng_t rng;
    lola_options_t o;
    lola_spec_t spec;
    lola_report_t rep;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    lola_msg_t in, out;
    nn_qtrace_t tr;
    const size_t size = 3 * 12 * 12, images = 2;
    uint8_t px[3 * 12 * 12];

    vt_rng(&rng, "lola_cifar_small");
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 32, 1.0f, 5, 4), VEIL_OK);
    lola_options_default(&o);
    o.allow_insecure = 1; /* small rings: the test is about exactness */
    o.n = 4096;
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_OK);
    cr_assert_eq(lola_setup_init(&su, &spec), VEIL_OK);
    cr_assert_eq(lola_client_init(&cl, &su, &rng), VEIL_OK);
    cr_assert_eq(lola_server_init(&sv, &su, &q), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&tr, &q), VEIL_OK);
    fmpz *logits = _fmpz_vec_init((slong)su.classes);
    for (size_t b = 0; b < images; b++) {
        for (size_t i = 0; i < size; i++)
            px[i] = (uint8_t)veil_rng_u64(&rng);
        cr_assert_eq(lola_client_encrypt(&in, &cl, px, 1, &rng), VEIL_OK);
        cr_assert_eq(lola_server_eval(&out, &sv, &in, &cl.ek), VEIL_OK);
        cr_assert_eq(lola_client_decrypt(logits, &cl, &out, 1), VEIL_OK);
        nn_qmodel_quantize_input(tr.v[0], &q, px);
        nn_qmodel_eval(&tr, &q);
        for (size_t j = 0; j < su.classes; j++)
            cr_assert(fmpz_equal(logits + j, tr.v[q.nlayers] + j),
                      "image %zu logit %zu differs", b, j);
        lola_msg_clear(&in);
        lola_msg_clear(&out);
    }
    _fmpz_vec_clear(logits, (slong)su.classes);
    nn_qtrace_clear(&tr);
    lola_server_clear(&sv);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}
