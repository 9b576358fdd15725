/* Training: bit-for-bit determinism whatever the thread count, learning
 * on a slice of MNIST with both optimisers, and batch-norm folding. */
#include "common.h"
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static nn_dataset_t slice; /* the first SLICE training images */
#define SLICE 1024

static void load_slice(void)
{
    char msg[1024];
    veil_status st = nn_mnist_load(&slice, nt_mnist_dir(), NN_MNIST_TRAIN);
    nn_mnist_explain(msg, sizeof(msg), nt_mnist_dir(), st);
    cr_assert_eq(st, VEIL_OK, "%s", msg);
    slice.count = SLICE;
}

static void free_slice(void)
{
    nn_dataset_clear(&slice);
}

static void small_net(nn_model_t *m)
{
    const nn_shape_t in = {1, 28, 28};
    cr_assert_eq(nn_model_init(m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(m, 3, 5, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(m), VEIL_OK);
    cr_assert_eq(nn_model_add_square(m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, NN_CLASSES), VEIL_OK);
}

typedef struct {
    double first_loss, last_loss;
} losses_t;

static void record(void *arg, const nn_progress_t *p)
{
    losses_t *l = arg;
    if (!p->epoch_done)
        return;
    if (p->epoch == 1)
        l->first_loss = p->loss;
    l->last_loss = p->loss;
}

static void train_with_threads(nn_model_t *m, int threads, nn_optimizer_t opt,
                               losses_t *l)
{
    nn_train_opts_t o;
    nn_train_opts_default(&o);
    o.epochs = 3;
    o.batch = 32;
    o.shift = 1;
    o.opt = opt;
    if (opt == NN_OPT_SGD)
        o.lr = 0.05f;
    o.seed[0] = 42;
    o.progress = record;
    o.progress_arg = l;
    small_net(m);
    omp_set_num_threads(threads);
    cr_assert_eq(nn_train(m, &slice, NULL, &o), VEIL_OK);
}

Test(train, deterministic_for_any_thread_count, .init = load_slice,
     .fini = free_slice)
{
    nn_model_t a, b, c;
    losses_t la, lb, lc;

    train_with_threads(&a, 1, NN_OPT_ADAM, &la);
    train_with_threads(&b, 2, NN_OPT_ADAM, &lb);
    train_with_threads(&c, 3, NN_OPT_ADAM, &lc);
    cr_assert(memcmp(a.params, b.params, a.nparams * sizeof(float)) == 0);
    cr_assert(memcmp(a.params, c.params, a.nparams * sizeof(float)) == 0);
    cr_assert(memcmp(a.state, b.state, a.nstate * sizeof(float)) == 0);
    cr_assert(memcmp(a.state, c.state, a.nstate * sizeof(float)) == 0);
    cr_assert_eq(la.last_loss, lc.last_loss);
    nn_model_clear(&a);
    nn_model_clear(&b);
    nn_model_clear(&c);
}

Test(train, both_optimisers_learn, .init = load_slice, .fini = free_slice)
{
    const nn_optimizer_t opts[2] = {NN_OPT_ADAM, NN_OPT_SGD};
    for (int i = 0; i < 2; i++) {
        nn_model_t m;
        losses_t l;
        double acc;
        train_with_threads(&m, 2, opts[i], &l);
        cr_assert_lt(l.last_loss, 0.7 * l.first_loss, "optimiser %d", i);
        cr_assert_eq(nn_model_accuracy(&acc, &m, &slice), VEIL_OK);
        cr_assert_gt(acc, 0.8, "optimiser %d: accuracy %.3f", i, acc);
        nn_model_clear(&m);
    }
}

/* Quantization-aware fine-tuning of a coarsely quantized network raises its
 * quantized accuracy, and keeps the parameters it starts from. */
Test(train, quant_aware_finetuning, .init = load_slice, .fini = free_slice)
{
    nn_model_t m, f;
    nn_train_opts_t o;
    nn_qmodel_t q;
    losses_t l;
    double before, after;

    train_with_threads(&m, 2, NN_OPT_ADAM, &l);
    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_OK);
    nn_train_opts_default(&o);
    o.quant_aware = 1;
    cr_assert_eq(nn_train(&f, &slice, NULL, &o), VEIL_EINVAL); /* no exps */
    cr_assert_eq(nn_model_set_qbits(&f, 3, 1), VEIL_OK);
    cr_assert_eq(nn_qmodel_init(&q, &f), VEIL_OK);
    cr_assert_eq(nn_qmodel_accuracy(&before, NULL, &q, NULL, &slice), VEIL_OK);
    nn_qmodel_clear(&q);
    o.finetune = 1;
    o.epochs = 2;
    o.batch = 32;
    o.lr = 1e-3f;
    o.progress = record;
    o.progress_arg = &l;
    cr_assert_eq(nn_train(&f, &slice, NULL, &o), VEIL_OK);
    cr_assert_eq(nn_qmodel_init(&q, &f), VEIL_OK);
    cr_assert_eq(nn_qmodel_accuracy(&after, NULL, &q, NULL, &slice), VEIL_OK);
    cr_log_info("quantization-aware fine-tuning: quantized accuracy %.3f -> "
                "%.3f, first epoch loss %.3f",
                before, after, l.first_loss);
    cr_assert_gt(after, before + 0.02);
    cr_assert_lt(l.first_loss, 1.0); /* started from the trained weights */
    nn_qmodel_clear(&q);
    nn_model_clear(&f);
    /* batch norm cannot be trained through the quantization */
    m.quantizable = 1;
    o.finetune = 1;
    cr_assert_eq(nn_train(&m, &slice, NULL, &o), VEIL_EINVAL);
    nn_model_clear(&m);
}

Test(train, rejects_bad_options)
{
    nn_model_t m;
    nn_train_opts_t o;
    nn_dataset_t ds = {0};
    uint8_t img[28 * 28] = {0}, lab = 0;

    ds.count = 1;
    ds.rows = 28;
    ds.cols = 28;
    ds.images = img;
    ds.labels = &lab;
    nn_train_opts_default(&o);
    small_net(&m);
    o.batch = 0;
    cr_assert_eq(nn_train(&m, &ds, NULL, &o), VEIL_EINVAL);
    nn_train_opts_default(&o);
    o.lr = 0;
    cr_assert_eq(nn_train(&m, &ds, NULL, &o), VEIL_EINVAL);
    nn_train_opts_default(&o);
    ds.rows = 27;
    cr_assert_eq(nn_train(&m, &ds, NULL, &o), VEIL_EINVAL);
    nn_model_clear(&m);
}

/* Max relative difference of the inference outputs of a and b on random
 * inputs. */
static double max_output_diff(const nn_model_t *a, const nn_model_t *b,
                              veil_rng_t *rng)
{
    const size_t n = nn_shape_size(a->in);
    const size_t no = nn_shape_size(nn_model_out_shape(a));
    float *x = malloc(n * sizeof(float)), ya[64], yb[64];
    float *wa = malloc(nn_model_work_size(a) * sizeof(float));
    float *wb = malloc(nn_model_work_size(b) * sizeof(float));
    double worst = 0;
    for (int t = 0; t < 20; t++) {
        for (size_t j = 0; j < n; j++)
            x[j] = (float)vt_uniform(rng, 0, 1);
        nn_model_forward(ya, a, x, wa);
        nn_model_forward(yb, b, x, wb);
        for (size_t k = 0; k < no; k++)
            worst = fmax(worst, fabs(ya[k] - yb[k]) / (1 + fabs(ya[k])));
    }
    free(x);
    free(wa);
    free(wb);
    return worst;
}

Test(train, batchnorm_folds_into_either_neighbour)
{
    const nn_shape_t in = {1, 9, 9};
    nn_model_t m, f;
    veil_rng_t rng;

    vt_rng_fixed(&rng, 5);
    /* after a padded conv, after a dense layer, before a dense layer and
     * before an unpadded conv */
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 3, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 2, 0), VEIL_OK);
    cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 6), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, NN_CLASSES), VEIL_OK);
    nn_model_init_params(&m, &rng, 1.0f);
    for (uint32_t i = 0; i < m.nlayers; i++) {
        const nn_layer_t *l = &m.layers[i];
        if (l->type != NN_LAYER_BATCHNORM)
            continue;
        for (uint32_t c = 0; c < l->in.c; c++) {
            m.params[l->w + c] = (float)vt_uniform(&rng, 0.5, 2);
            m.params[l->b + c] = (float)vt_uniform(&rng, -1, 1);
            m.state[l->mean + c] = (float)vt_uniform(&rng, -1, 1);
            m.state[l->var + c] = (float)vt_uniform(&rng, 0.2, 3);
        }
    }
    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_OK);
    cr_assert_eq(f.nlayers, m.nlayers - 4);
    for (uint32_t i = 0; i < f.nlayers; i++)
        cr_assert_neq(f.layers[i].type, NN_LAYER_BATCHNORM);
    cr_assert_lt(max_output_diff(&m, &f, &rng), 1e-4);
    nn_model_clear(&f);
    nn_model_clear(&m);

    /* between two squares: no linear neighbour */
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_EINVAL);
    nn_model_clear(&m);
    /* before a padded conv: padding would not stay zero */
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 1, 1), VEIL_OK);
    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_EINVAL);
    nn_model_clear(&m);
}
