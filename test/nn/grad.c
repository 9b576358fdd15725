/* Back-propagation against central finite differences, for every layer
 * type, on tiny networks; and the training-mode loss against the inference
 * path. */
#include "common.h"
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 4

typedef veil_status (*builder_t)(nn_model_t *m);

static veil_status net_conv_square_dense(nn_model_t *m)
{
    const nn_shape_t in = {1, 7, 7};
    veil_status st;
    if ((st = nn_model_init(m, in)) ||
        (st = nn_model_add_conv2d(m, 3, 3, 2, 1)) ||
        (st = nn_model_add_square(m)) ||
        (st = nn_model_add_dense(m, NN_CLASSES)))
        return st;
    return VEIL_OK;
}

/* Two input channels, batch norm, a cubic, pooling, a second convolution
 * (whose input gradient flows through all of them). */
static veil_status net_bn_poly_pool_conv(nn_model_t *m)
{
    const nn_shape_t in = {2, 6, 6};
    const float coef[4] = {0.1f, 0.5f, 0.3f, -0.2f};
    veil_status st;
    if ((st = nn_model_init(m, in)) ||
        (st = nn_model_add_conv2d(m, 2, 3, 1, 1)) ||
        (st = nn_model_add_batchnorm(m)) ||
        (st = nn_model_add_poly(m, 3, coef)) ||
        (st = nn_model_add_avgpool(m, 2, 2)) ||
        (st = nn_model_add_conv2d(m, 3, 2, 1, 0)) ||
        (st = nn_model_add_square(m)) ||
        (st = nn_model_add_dense(m, NN_CLASSES)))
        return st;
    return VEIL_OK;
}

/* Dense layers with batch norm on neurons (1 x 1 spatial). */
static veil_status net_dense_bn(nn_model_t *m)
{
    const nn_shape_t in = {1, 5, 5};
    veil_status st;
    if ((st = nn_model_init(m, in)) || (st = nn_model_add_dense(m, 6)) ||
        (st = nn_model_add_batchnorm(m)) || (st = nn_model_add_square(m)) ||
        (st = nn_model_add_dense(m, 5)) || (st = nn_model_add_batchnorm(m)) ||
        (st = nn_model_add_dense(m, NN_CLASSES)))
        return st;
    return VEIL_OK;
}

/* Overlapping pooling windows (stride 1 < k) and an unpadded conv. */
static veil_status net_overlap_pool(nn_model_t *m)
{
    const nn_shape_t in = {1, 6, 6};
    const float coef[3] = {0.0f, 1.0f, 0.5f};
    veil_status st;
    if ((st = nn_model_init(m, in)) ||
        (st = nn_model_add_conv2d(m, 2, 2, 1, 1)) ||
        (st = nn_model_add_avgpool(m, 3, 1)) ||
        (st = nn_model_add_poly(m, 2, coef)) ||
        (st = nn_model_add_conv2d(m, 2, 3, 2, 0)) ||
        (st = nn_model_add_dense(m, NN_CLASSES)))
        return st;
    return VEIL_OK;
}

/* A model from b with random parameters (biases and batch-norm affine
 * parameters too), a random batch and labels. */
static void setup(nn_model_t *m, float **x, uint8_t *y, builder_t b,
                  uint64_t seed)
{
    veil_rng_t rng;
    size_t n;
    cr_assert_eq(b(m), VEIL_OK);
    vt_rng_fixed(&rng, seed);
    nn_model_init_params(m, &rng, 1.0f);
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        if (l->type == NN_LAYER_BATCHNORM)
            for (size_t j = 0; j < l->nw + l->nb; j++)
                m->params[l->w + j] = (float)vt_uniform(&rng, 0.5, 1.5);
        else if (l->type != NN_LAYER_POLY)
            for (size_t j = 0; j < l->nb; j++)
                m->params[l->b + j] = (float)vt_uniform(&rng, -0.3, 0.3);
    }
    n = BATCH * nn_shape_size(m->in);
    *x = malloc(n * sizeof(float));
    for (size_t j = 0; j < n; j++)
        (*x)[j] = (float)vt_uniform(&rng, 0.0, 1.0);
    for (int j = 0; j < BATCH; j++)
        y[j] = (uint8_t)(veil_rng_u64(&rng) % NN_CLASSES);
}

static double loss_at(const nn_model_t *m, const float *x, const uint8_t *y)
{
    float *g = malloc(m->nparams * sizeof(float));
    double loss;
    cr_assert_eq(nn_model_loss_grad(g, &loss, m, x, y, BATCH), VEIL_OK);
    free(g);
    return loss;
}

/* Every analytic partial derivative against (L(p + h) - L(p - h)) / 2h. */
static void check_gradient(builder_t b, uint64_t seed)
{
    nn_model_t m;
    float *x, *g;
    uint8_t y[BATCH];
    double loss, worst = 0;
    const float h = 1e-3f;

    setup(&m, &x, y, b, seed);
    g = malloc(m.nparams * sizeof(float));
    cr_assert_eq(nn_model_loss_grad(g, &loss, &m, x, y, BATCH), VEIL_OK);
    cr_assert(isfinite(loss) && loss > 0);
    for (size_t j = 0; j < m.nparams; j++) {
        const float p = m.params[j];
        double lp, lm, num, err;
        m.params[j] = p + h;
        lp = loss_at(&m, x, y);
        m.params[j] = p - h;
        lm = loss_at(&m, x, y);
        m.params[j] = p;
        num = (lp - lm) / (2.0 * h);
        err = fabs(num - g[j]) / (1e-2 + fabs(num) + fabs(g[j]));
        if (err > worst)
            worst = err;
        cr_assert_lt(err, 2e-2,
                     "seed %llu param %zu: analytic %.6g numeric %.6g",
                     (unsigned long long)seed, j, g[j], num);
    }
    cr_log_info("gradient check seed %llu: %zu parameters, worst relative "
                "error %.2e",
                (unsigned long long)seed, m.nparams, worst);
    free(g);
    free(x);
    nn_model_clear(&m);
}

Test(grad, conv_square_dense)
{
    check_gradient(net_conv_square_dense, 11);
}

Test(grad, batchnorm_poly_avgpool_conv_input_gradient)
{
    check_gradient(net_bn_poly_pool_conv, 12);
}

Test(grad, dense_batchnorm)
{
    check_gradient(net_dense_bn, 13);
}

Test(grad, overlapping_pool_unpadded_conv)
{
    check_gradient(net_overlap_pool, 14);
}

/* Without batch norm, training mode and inference agree: the loss of
 * nn_model_loss_grad equals the cross-entropy of nn_model_forward's logits
 * computed here. */
Test(grad, loss_matches_inference_path)
{
    nn_model_t m;
    float *x, logits[NN_CLASSES];
    uint8_t y[BATCH];
    double loss, ref = 0;
    float *work;

    setup(&m, &x, y, net_overlap_pool, 15);
    work = malloc(nn_model_work_size(&m) * sizeof(float));
    for (int b = 0; b < BATCH; b++) {
        double mx = -INFINITY, se = 0;
        nn_model_forward(logits, &m, x + b * nn_shape_size(m.in), work);
        for (int k = 0; k < NN_CLASSES; k++)
            mx = fmax(mx, logits[k]);
        for (int k = 0; k < NN_CLASSES; k++)
            se += exp(logits[k] - mx);
        ref += (log(se) + mx - logits[y[b]]) / BATCH;
    }
    cr_assert_eq(nn_model_loss_grad(x, &loss, &m, x, y, 0), VEIL_EINVAL);
    {
        float *g = malloc(m.nparams * sizeof(float));
        cr_assert_eq(nn_model_loss_grad(g, &loss, &m, x, y, BATCH), VEIL_OK);
        free(g);
    }
    cr_assert_float_eq(loss, ref, 1e-5 * fabs(ref));
    free(work);
    free(x);
    nn_model_clear(&m);
}
