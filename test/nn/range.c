/* Value ranges: exact for the first linear layer (attained), checked by
 * brute force on a tiny network, and sound for random, extreme and real
 * inputs (the whole MNIST test set through the committed models). */
#include "common.h"
#include <criterion/criterion.h>
#include <flint/fmpz_vec.h>
#include <stdlib.h>
#include <string.h>

/* Every value of trace t lies within r. */
static void assert_within(const nn_ranges_t *r, const nn_qtrace_t *t,
                          const char *what)
{
    for (uint32_t i = 0; i <= t->nlayers; i++)
        for (size_t j = 0; j < t->len[i]; j++) {
            cr_assert_geq(fmpz_cmp(t->v[i] + j, r->v[i].lo + j), 0,
                          "%s: value %zu of layer %u below its range", what, j,
                          i);
            cr_assert_leq(fmpz_cmp(t->v[i] + j, r->v[i].hi + j), 0,
                          "%s: value %zu of layer %u above its range", what, j,
                          i);
            cr_assert_leq(fmpz_cmpabs(t->v[i] + j, r->v[i].maxabs), 0);
        }
}

static void random_model(nn_model_t *m, uint64_t seed)
{
    const nn_shape_t in = {2, 7, 7};
    const float coef[4] = {-0.2f, 0.4f, -0.6f, 0.3f};
    veil_rng_t rng;
    cr_assert_eq(nn_model_init(m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(m, 3, 3, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_poly(m, 3, coef), VEIL_OK);
    cr_assert_eq(nn_model_add_avgpool(m, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_square(m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, 6), VEIL_OK);
    cr_assert_eq(nn_model_add_square(m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, NN_CLASSES), VEIL_OK);
    vt_rng_fixed(&rng, seed);
    nn_model_init_params(m, &rng, 1.0f);
    for (uint32_t i = 0; i < m->nlayers; i++)
        for (size_t j = 0; j < m->layers[i].nb; j++)
            m->params[m->layers[i].b + j] = (float)vt_uniform(&rng, -0.5, 0.5);
    cr_assert_eq(nn_model_set_qbits(m, 5, 4), VEIL_OK);
}

/* Random inputs, all-min, all-max and random corners of [lo, hi]. */
Test(range, sound_on_random_and_extreme_inputs)
{
    veil_rng_t rng;
    vt_rng_fixed(&rng, 77);
    for (uint64_t seed = 1; seed <= vt_iters(4); seed++) {
        const int64_t lo = seed % 2 ? 0 : -9, hi = 16;
        nn_model_t m;
        nn_qmodel_t q;
        nn_ranges_t r;
        nn_qtrace_t t;

        cr_log_info("range soundness: seed %llu inputs [%lld, %lld]",
                    (unsigned long long)seed, (long long)lo, (long long)hi);
        random_model(&m, seed);
        cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
        cr_assert_eq(nn_ranges_compute(&r, &q, lo, hi), VEIL_OK);
        cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
        for (int trial = 0; trial < 200; trial++) {
            for (size_t j = 0; j < t.len[0]; j++) {
                const uint64_t u = veil_rng_u64(&rng);
                int64_t v;
                if (trial == 0)
                    v = lo;
                else if (trial == 1)
                    v = hi;
                else if (trial < 100)
                    v = u & 1 ? hi : lo; /* a corner */
                else
                    v = lo + (int64_t)(u % (uint64_t)(hi - lo + 1));
                fmpz_set_si(t.v[0] + j, v);
            }
            nn_qmodel_eval(&t, &q);
            assert_within(&r, &t, "random model");
        }
        /* the totals summarise the layers */
        for (uint32_t i = 0; i <= r.nlayers; i++) {
            cr_assert_leq(fmpz_cmp(r.v[i].maxabs, r.maxabs), 0);
            cr_assert_eq(r.v[i].bits, fmpz_bits(r.v[i].maxabs));
        }
        cr_assert_eq(r.bits, fmpz_bits(r.maxabs));
        nn_qtrace_clear(&t);
        nn_ranges_clear(&r);
        nn_ranges_clear(&r);
        nn_qmodel_clear(&q);
        nn_model_clear(&m);
    }
}

/* For the first (linear) layer every bound is attained: the input at hi
 * where the weight is positive and at lo elsewhere reaches hi'. */
Test(range, first_layer_bounds_are_attained)
{
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    nn_qtrace_t t;
    const int64_t lo = -3, hi = 11;

    random_model(&m, 9);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_ranges_compute(&r, &q, lo, hi), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
    {
        const nn_qlayer_t *l = &q.layers[0];
        const uint32_t P = l->out.h * l->out.w, k = l->k;
        for (uint32_t o = 0; o < nn_shape_size(l->out); o++)
            for (int side = 0; side < 2; side++) {
                const uint32_t mo = o / P, oy = o % P / l->out.w,
                               ox = o % l->out.w;
                _fmpz_vec_zero(t.v[0], (slong)t.len[0]);
                for (size_t j = 0; j < t.len[0]; j++)
                    fmpz_set_si(t.v[0] + j, side ? hi : lo);
                for (uint32_t c = 0; c < l->in.c; c++)
                    for (uint32_t ky = 0; ky < k; ky++)
                        for (uint32_t kx = 0; kx < k; kx++) {
                            const long y = (long)oy * l->stride + ky - l->pad;
                            const long x = (long)ox * l->stride + kx - l->pad;
                            const int32_t w =
                                l->w[((mo * l->in.c + c) * k + ky) * k + kx];
                            if (y < 0 || x < 0 || y >= (long)l->in.h ||
                                x >= (long)l->in.w)
                                continue;
                            fmpz_set_si(t.v[0] + (c * l->in.h + y) * l->in.w +
                                            x,
                                        (w > 0) == (side == 1) ? hi : lo);
                        }
                nn_qlayer_eval(t.v[1], l, t.v[0]);
                cr_assert(fmpz_equal(t.v[1] + o,
                                     side ? r.v[1].hi + o : r.v[1].lo + o),
                          "output %u side %d", o, side);
            }
    }
    nn_qtrace_clear(&t);
    nn_ranges_clear(&r);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

/* dense 2 -> 2, square, poly, dense 2 -> 10 over [-2, 2]^2: the ranges of
 * the first two layers equal the brute-force extremes (a square of an exact
 * interval is exact), and the later ones contain them. */
Test(range, brute_force_on_a_tiny_network)
{
    const nn_shape_t in = {1, 1, 2};
    const float coef[3] = {0.5f, -1.0f, 0.25f};
    const float w1[6] = {0.75f, -0.5f, 0.25f, 0.5f, 0.125f, -0.25f};
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    nn_qtrace_t t;
    fmpz *mn[5], *mx[5];

    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 2), VEIL_OK);
    cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_poly(&m, 2, coef), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, NN_CLASSES), VEIL_OK);
    memcpy(m.params, w1, sizeof(w1)); /* weights 4, biases 2 */
    for (size_t j = 6; j < m.nparams; j++)
        m.params[j] = (float)((int)(j % 7) - 3) / 4;
    cr_assert_eq(nn_model_set_qbits(&m, 6, 2), VEIL_OK);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_ranges_compute(&r, &q, -2, 2), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
    for (int i = 0; i <= 4; i++) {
        mn[i] = _fmpz_vec_init((slong)t.len[i]);
        mx[i] = _fmpz_vec_init((slong)t.len[i]);
    }
    for (int a = -2; a <= 2; a++)
        for (int b = -2; b <= 2; b++) {
            fmpz_set_si(t.v[0], a);
            fmpz_set_si(t.v[0] + 1, b);
            nn_qmodel_eval(&t, &q);
            assert_within(&r, &t, "brute force");
            for (int i = 0; i <= 4; i++)
                for (size_t j = 0; j < t.len[i]; j++) {
                    if ((a == -2 && b == -2) ||
                        fmpz_cmp(t.v[i] + j, mn[i] + j) < 0)
                        fmpz_set(mn[i] + j, t.v[i] + j);
                    if ((a == -2 && b == -2) ||
                        fmpz_cmp(t.v[i] + j, mx[i] + j) > 0)
                        fmpz_set(mx[i] + j, t.v[i] + j);
                }
        }
    for (int i = 0; i <= 2; i++)
        for (size_t j = 0; j < t.len[i]; j++) {
            cr_assert(fmpz_equal(mn[i] + j, r.v[i].lo + j), "layer %d lo", i);
            cr_assert(fmpz_equal(mx[i] + j, r.v[i].hi + j), "layer %d hi", i);
        }
    for (int i = 0; i <= 4; i++) {
        _fmpz_vec_clear(mn[i], (slong)t.len[i]);
        _fmpz_vec_clear(mx[i], (slong)t.len[i]);
    }
    nn_ranges_clear(&r);
    cr_assert_eq(nn_ranges_compute(&r, &q, 3, 2), VEIL_EINVAL);
    nn_qtrace_clear(&t);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

/* The committed models on every MNIST test image and on the all-0 and
 * all-max images: values within the computed ranges; float accuracy at
 * least the paper's and quantized accuracy within 0.1 points of it. */
static void check_committed(const char *name, double min_float_acc)
{
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    nn_qtrace_t t;
    nn_dataset_t ds;
    double facc, qacc, agree;
    fmpz_t seen;
    uint8_t *flat;
    char msg[1024];
    veil_status st;

    cr_assert_eq(nn_model_load(&m, nt_src_path(name)), VEIL_OK, "%s", name);
    st = nn_mnist_load(&ds, nt_mnist_dir(), NN_MNIST_TEST);
    nn_mnist_explain(msg, sizeof(msg), nt_mnist_dir(), st);
    cr_assert_eq(st, VEIL_OK, "%s", msg);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_ranges_compute(&r, &q, 0, q.in_max), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
    fmpz_init(seen);
    for (uint32_t i = 0; i < ds.count; i++) {
        nn_qmodel_quantize_input(t.v[0], &q, ds.images + (size_t)i * 784);
        nn_qmodel_eval(&t, &q);
        assert_within(&r, &t, name);
        for (uint32_t l = 1; l <= t.nlayers; l++)
            for (size_t j = 0; j < t.len[l]; j++)
                if (fmpz_cmpabs(t.v[l] + j, seen) > 0)
                    fmpz_abs(seen, t.v[l] + j);
    }
    flat = malloc(784);
    for (int v = 0; v < 2; v++) {
        memset(flat, v ? 255 : 0, 784);
        nn_qmodel_quantize_input(t.v[0], &q, flat);
        nn_qmodel_eval(&t, &q);
        assert_within(&r, &t, v ? "all-max image" : "all-zero image");
    }
    free(flat);
    cr_assert_eq(nn_model_accuracy(&facc, &m, &ds), VEIL_OK);
    cr_assert_eq(nn_qmodel_accuracy(&qacc, &agree, &q, &m, &ds), VEIL_OK);
    cr_log_info("%s: float %.2f%%, quantized %.2f%%, agreement %.2f%%, "
                "worst-case bound %u bits, largest value seen on the test "
                "set %u bits",
                name, 100 * facc, 100 * qacc, 100 * agree, r.bits,
                (unsigned)fmpz_bits(seen));
    cr_assert_geq(facc, min_float_acc);
    cr_assert_leq(qacc - facc, 0.001);
    cr_assert_leq(facc - qacc, 0.001);
    fmpz_clear(seen);
    nn_dataset_clear(&ds);
    nn_qtrace_clear(&t);
    nn_ranges_clear(&r);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

Test(range, committed_lola_whole_test_set, .timeout = 120)
{
    check_committed("models/lola.vmodel", 0.989);
}

Test(range, committed_lola_small_whole_test_set, .timeout = 120)
{
    check_committed("models/lola-small.vmodel", 0.969);
}
