/* Quantization: exact rounding checked with GMP rationals, the scale
 * bookkeeping, agreement with the float model, and the integer evaluator
 * against a naive GMP evaluator written here. */
#include "common.h"
#include <criterion/criterion.h>
#include <flint/fmpz_vec.h>
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A float model without batch norm and every quantizable layer type. */
static void random_model(nn_model_t *m, uint64_t seed, float wscale)
{
    const nn_shape_t in = {1, 9, 9};
    const float coef[4] = {0.05f, -0.7f, 0.3f, 0.11f};
    veil_rng_t rng;
    cr_assert_eq(nn_model_init(m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(m, 3, 3, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_square(m), VEIL_OK);
    cr_assert_eq(nn_model_add_avgpool(m, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, 8), VEIL_OK);
    cr_assert_eq(nn_model_add_poly(m, 3, coef), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, NN_CLASSES), VEIL_OK);
    vt_rng_fixed(&rng, seed);
    nn_model_init_params(m, &rng, 1.0f);
    for (size_t j = 0; j < m->nparams; j++)
        if (j < m->layers[0].nw + m->layers[0].nb || veil_rng_u64(&rng) % 2)
            m->params[j] *= wscale;
    for (uint32_t i = 0; i < m->nlayers; i++)
        for (size_t j = 0; j < m->layers[i].nb; j++)
            m->params[m->layers[i].b + j] = (float)vt_uniform(&rng, -0.5, 0.5);
}

/* |z - v * s| <= 1/2 with z an fmpz, v a float and s an fmpq, and the
 * rounding direction of ties away from zero. */
static void assert_rounded(const fmpz_t z, float v, const fmpq_t s)
{
    mpq_t exact, zq, d, half;
    mpz_t zz;
    mpq_inits(exact, zq, d, half, NULL);
    mpz_init(zz);
    mpq_set_d(exact, v); /* exact: every float is a dyadic rational */
    {
        mpq_t sq;
        mpq_init(sq);
        fmpq_get_mpq(sq, s);
        mpq_mul(exact, exact, sq);
        mpq_clear(sq);
    }
    fmpz_get_mpz(zz, z);
    mpq_set_z(zq, zz);
    mpq_sub(d, zq, exact);
    mpq_abs(d, d);
    mpq_set_ui(half, 1, 2);
    cr_assert_leq(mpq_cmp(d, half), 0, "|round error| > 1/2");
    if (mpq_cmp(d, half) == 0) { /* a tie goes away from zero */
        mpq_abs(zq, zq);
        mpq_abs(exact, exact);
        cr_assert_gt(mpq_cmp(zq, exact), 0, "tie not rounded away from zero");
    }
    mpz_clear(zz);
    mpq_clears(exact, zq, d, half, NULL);
}

/* The scales of q recomputed from the rules of nn.h. */
static void assert_scales(const nn_qmodel_t *q, const nn_model_t *m)
{
    fmpq_t s, t;
    fmpq_init(s);
    fmpq_init(t);
    fmpq_set_si(s, 1 << m->in_exp, 1);
    for (uint32_t i = 0; i < q->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        fmpq_set_si(t, 1, 1);
        if (l->qexp >= 0)
            fmpq_mul_2exp(t, t, (ulong)l->qexp);
        else
            fmpq_div_2exp(t, t, (ulong)-l->qexp);
        switch (l->type) {
        case NN_LAYER_CONV2D:
        case NN_LAYER_DENSE:
            fmpq_mul(s, s, t);
            break;
        case NN_LAYER_SQUARE:
            fmpq_mul(s, s, s);
            break;
        case NN_LAYER_POLY:
            fmpq_pow_si(s, s, l->degree);
            fmpq_mul(s, s, t);
            break;
        case NN_LAYER_AVGPOOL:
            fmpq_mul_2exp(s, s, 2); /* k = 2: k^2 = 4 */
            break;
        case NN_LAYER_BATCHNORM:
            cr_assert_fail("batch norm in a quantized model");
        }
        cr_assert(fmpq_equal(s, q->layers[i].scale), "scale of layer %u", i);
    }
    fmpq_clear(s);
    fmpq_clear(t);
}

Test(quant, rounding_is_exact_and_widths_are_respected)
{
    for (uint64_t seed = 1; seed <= vt_iters(6); seed++) {
        const float wscale = seed % 3 == 0   ? 1e-4f
                             : seed % 3 == 1 ? 1.0f
                                             : 300.0f;
        const uint32_t bits = 3 + (uint32_t)(seed * 5 % 20);
        const int32_t in_exp = (int32_t)(seed % 9);
        const int64_t limit = ((int64_t)1 << (bits - 1)) - 1;
        nn_model_t m;
        nn_qmodel_t q;
        fmpq_t s, t;

        cr_log_info("quant rounding: seed %llu bits %u in_exp %d",
                    (unsigned long long)seed, bits, in_exp);
        random_model(&m, seed, wscale);
        cr_assert_eq(nn_model_set_qbits(&m, bits, in_exp), VEIL_OK);
        cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
        assert_scales(&q, &m);
        fmpq_init(s);
        fmpq_init(t);
        fmpq_set_si(s, 1 << in_exp, 1);
        for (uint32_t i = 0; i < q.nlayers; i++) {
            const nn_layer_t *l = &m.layers[i];
            const nn_qlayer_t *ql = &q.layers[i];
            fmpz_t z;
            double mx = 0;
            fmpz_init(z);
            fmpq_set_si(t, 1, 1);
            if (l->qexp >= 0)
                fmpq_mul_2exp(t, t, (ulong)l->qexp);
            else
                fmpq_div_2exp(t, t, (ulong)-l->qexp);
            if (l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE) {
                int32_t wmax = 0;
                for (size_t j = 0; j < l->nw; j++) {
                    fmpz_set_si(z, ql->w[j]);
                    assert_rounded(z, m.params[l->w + j], t);
                    cr_assert_leq(abs(ql->w[j]), limit);
                    wmax = abs(ql->w[j]) > wmax ? abs(ql->w[j]) : wmax;
                    mx = fmax(mx, fabs(m.params[l->w + j]));
                }
                cr_assert_eq(ql->wmax, wmax);
                /* the exponent is the largest that fits */
                cr_assert_gt(round(ldexp(mx, l->qexp + 1)), (double)limit);
                fmpq_mul(t, t, s); /* bias scale: input scale 2^qexp */
                for (size_t j = 0; j < l->nb; j++)
                    assert_rounded(ql->b + j, m.params[l->b + j], t);
            } else if (l->type == NN_LAYER_POLY) {
                for (uint32_t k = 0; k <= l->degree; k++) {
                    fmpq_t c;
                    fmpq_init(c);
                    fmpq_pow_si(c, s, l->degree - k);
                    fmpq_mul(c, c, t);
                    assert_rounded(ql->b + k, m.params[l->w + k], c);
                    fmpq_clear(c);
                }
            }
            fmpq_set(s, ql->scale);
            fmpz_clear(z);
        }
        fmpq_clear(s);
        fmpq_clear(t);
        nn_qmodel_clear(&q);
        nn_qmodel_clear(&q);
        nn_model_clear(&m);
    }
}

Test(quant, input_quantization)
{
    const nn_shape_t in = {1, 16, 16};
    uint8_t pix[256];
    fmpz *x = _fmpz_vec_init(256);
    nn_model_t m;

    for (int p = 0; p < 256; p++)
        pix[p] = (uint8_t)p;
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, NN_CLASSES), VEIL_OK);
    for (int32_t e = 0; e <= 8; e++) {
        nn_qmodel_t q;
        cr_assert_eq(nn_model_set_qbits(&m, 8, e), VEIL_OK);
        cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
        nn_qmodel_quantize_input(x, &q, pix);
        for (int p = 0; p < 256; p++)
            cr_assert(
                fmpz_equal_si(x + p, (slong)floor(p * ldexp(1, e) / 256 + 0.5)),
                "pixel %d in_exp %d", p, e);
        cr_assert(fmpz_equal_si(x + 255, q.in_max));
        nn_qmodel_clear(&q);
    }
    _fmpz_vec_clear(x, 256);
    nn_model_clear(&m);
}

/* With wide weights the dequantized logits X / S follow the float model. */
Test(quant, dequantized_outputs_follow_the_float_model)
{
    nn_model_t m;
    nn_qmodel_t q;
    nn_qtrace_t t;
    veil_rng_t rng;
    uint8_t pix[81];
    float x[81], y[NN_CLASSES];
    float *work;
    int agree = 0;
    const int trials = (int)vt_iters(50);

    random_model(&m, 99, 1.0f);
    cr_assert_eq(nn_model_set_qbits(&m, 18, 8), VEIL_OK);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
    work = malloc(nn_model_work_size(&m) * sizeof(float));
    vt_rng_fixed(&rng, 7);
    for (int trial = 0; trial < trials; trial++) {
        double scale = fmpz_get_d(fmpq_numref(q.layers[q.nlayers - 1].scale)) /
                       fmpz_get_d(fmpq_denref(q.layers[q.nlayers - 1].scale));
        double ymax = 0;
        for (int j = 0; j < 81; j++) {
            pix[j] = (uint8_t)(veil_rng_u64(&rng) & 0xFF);
            x[j] = pix[j] / NN_PIXEL_SCALE;
        }
        nn_model_forward(y, &m, x, work);
        nn_qmodel_quantize_input(t.v[0], &q, pix);
        nn_qmodel_eval(&t, &q);
        for (int k = 0; k < NN_CLASSES; k++)
            ymax = fmax(ymax, fabs(y[k]));
        for (int k = 0; k < NN_CLASSES; k++) {
            const double deq = fmpz_get_d(t.v[q.nlayers] + k) / scale;
            cr_assert_lt(fabs(deq - y[k]), 1e-3 * (1 + ymax),
                         "trial %d logit %d: %g vs %g", trial, k, deq, y[k]);
        }
        agree += nn_argmax(y, NN_CLASSES) ==
                 nn_argmax_fmpz(t.v[q.nlayers], NN_CLASSES);
    }
    cr_assert_geq(agree, trials - 1);
    free(work);
    nn_qtrace_clear(&t);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

/* The float network with the dequantized parameters, fed the values the
 * quantized inputs stand for, computes the integer network divided by its
 * scales (what quantization-aware training relies on). */
Test(quant, dequantized_parameters_reproduce_the_integer_network)
{
    nn_model_t m, d;
    nn_qmodel_t q;
    nn_qtrace_t t;
    veil_rng_t rng;
    uint8_t pix[81];
    float x[81], y[NN_CLASSES], *work;

    random_model(&m, 31, 1.0f);
    cr_assert_eq(nn_model_set_qbits(&m, 4, 3), VEIL_OK);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_model_copy(&d, &m), VEIL_OK);
    nn_qmodel_dequantize(d.params, &q, &m);
    /* the dequantized model quantizes to the same integers */
    {
        nn_qmodel_t q2;
        cr_assert_eq(nn_qmodel_init(&q2, &d), VEIL_OK);
        for (uint32_t i = 0; i < q.nlayers; i++) {
            for (size_t j = 0; j < q.layers[i].nw; j++)
                cr_assert_eq(q.layers[i].w[j], q2.layers[i].w[j]);
            for (size_t j = 0; j < q.layers[i].nb; j++)
                cr_assert(fmpz_equal(q.layers[i].b + j, q2.layers[i].b + j));
        }
        nn_qmodel_clear(&q2);
    }
    cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
    work = malloc(nn_model_work_size(&d) * sizeof(float));
    vt_rng_fixed(&rng, 8);
    for (int trial = 0; trial < 20; trial++) {
        const fmpq *s = q.layers[q.nlayers - 1].scale;
        double ymax = 0;
        for (int j = 0; j < 81; j++) {
            pix[j] = (uint8_t)(veil_rng_u64(&rng) & 0xFF);
            x[j] = (float)ldexp((double)nn_quantize_pixel(pix[j], 3), -3);
        }
        nn_model_forward(y, &d, x, work);
        nn_qmodel_quantize_input(t.v[0], &q, pix);
        nn_qmodel_eval(&t, &q);
        for (int k = 0; k < NN_CLASSES; k++)
            ymax = fmax(ymax, fabs(y[k]));
        for (int k = 0; k < NN_CLASSES; k++) {
            fmpq_t v;
            fmpq_init(v);
            fmpq_set_fmpz_frac(v, t.v[q.nlayers] + k, fmpq_numref(s));
            fmpq_mul_fmpz(v, v, fmpq_denref(s));
            cr_assert_lt(fabs(fmpq_get_d(v) - y[k]), 1e-4 * (1 + ymax),
                         "trial %d logit %d", trial, k);
            fmpq_clear(v);
        }
    }
    free(work);
    nn_qtrace_clear(&t);
    nn_qmodel_clear(&q);
    nn_model_clear(&d);
    nn_model_clear(&m);
}

Test(quant, refuses_what_it_cannot_quantize)
{
    nn_model_t m, f;
    nn_qmodel_t q;
    const nn_shape_t in = {1, 4, 4};

    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 3), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(&m), VEIL_OK);
    cr_assert_eq(nn_model_set_qbits(&m, 8, 8), VEIL_EINVAL);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_EINVAL); /* not quantizable */
    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_OK);
    cr_assert_eq(nn_model_set_qbits(&f, 1, 8), VEIL_EINVAL);
    cr_assert_eq(nn_model_set_qbits(&f, 26, 8), VEIL_EINVAL);
    cr_assert_eq(nn_model_set_qbits(&f, 8, 9), VEIL_EINVAL);
    cr_assert_eq(nn_model_set_qbits(&f, 8, 8), VEIL_OK);
    f.params[0] = 1.0f;
    f.layers[0].qexp = 30; /* 2^30 > NN_QWEIGHT_MAX */
    cr_assert_eq(nn_qmodel_init(&q, &f), VEIL_ERANGE);
    nn_qmodel_clear(&q);
    nn_model_clear(&f);
    nn_model_clear(&m);
}

/* ---------------------------------------------------- naive GMP evaluator */

/* Layer l of q on in (mpz), written from the definitions without sharing
 * code with the library: the convolution reads an explicitly zero-padded
 * copy of the input, the polynomial sums c_i x^i with powers. */
static void naive_layer(mpz_t *out, const nn_qlayer_t *l, mpz_t *in)
{
    const size_t no = nn_shape_size(l->out), ni = nn_shape_size(l->in);
    mpz_t t, c;
    mpz_inits(t, c, NULL);
    if (l->type == NN_LAYER_CONV2D) {
        const uint32_t H = l->in.h + 2 * l->pad, W = l->in.w + 2 * l->pad;
        mpz_t *pad = malloc((size_t)l->in.c * H * W * sizeof(mpz_t));
        for (size_t j = 0; j < (size_t)l->in.c * H * W; j++)
            mpz_init(pad[j]);
        for (uint32_t ch = 0; ch < l->in.c; ch++)
            for (uint32_t y = 0; y < l->in.h; y++)
                for (uint32_t x = 0; x < l->in.w; x++)
                    mpz_set(pad[((size_t)ch * H + y + l->pad) * W + x + l->pad],
                            in[((size_t)ch * l->in.h + y) * l->in.w + x]);
        for (uint32_t mo = 0; mo < l->out.c; mo++)
            for (uint32_t oy = 0; oy < l->out.h; oy++)
                for (uint32_t ox = 0; ox < l->out.w; ox++) {
                    mpz_t *o =
                        &out[((size_t)mo * l->out.h + oy) * l->out.w + ox];
                    fmpz_get_mpz(*o, l->b + mo);
                    for (uint32_t ch = 0; ch < l->in.c; ch++)
                        for (uint32_t ky = 0; ky < l->k; ky++)
                            for (uint32_t kx = 0; kx < l->k; kx++) {
                                const int32_t w =
                                    l->w[(((size_t)mo * l->in.c + ch) * l->k +
                                          ky) *
                                             l->k +
                                         kx];
                                mpz_mul_si(
                                    t,
                                    pad[((size_t)ch * H + oy * l->stride + ky) *
                                            W +
                                        ox * l->stride + kx],
                                    w);
                                mpz_add(*o, *o, t);
                            }
                }
        for (size_t j = 0; j < (size_t)l->in.c * H * W; j++)
            mpz_clear(pad[j]);
        free(pad);
    } else if (l->type == NN_LAYER_DENSE) {
        for (size_t o = 0; o < no; o++) {
            fmpz_get_mpz(out[o], l->b + o);
            for (size_t j = 0; j < ni; j++) {
                mpz_mul_si(t, in[j], l->w[o * ni + j]);
                mpz_add(out[o], out[o], t);
            }
        }
    } else if (l->type == NN_LAYER_SQUARE) {
        for (size_t j = 0; j < ni; j++)
            mpz_mul(out[j], in[j], in[j]);
    } else if (l->type == NN_LAYER_POLY) {
        for (size_t j = 0; j < ni; j++) {
            mpz_set_ui(out[j], 0);
            for (uint32_t k = 0; k <= l->degree; k++) {
                mpz_pow_ui(t, in[j], k);
                fmpz_get_mpz(c, l->b + k);
                mpz_addmul(out[j], t, c);
            }
        }
    } else if (l->type == NN_LAYER_AVGPOOL) {
        for (uint32_t ch = 0; ch < l->out.c; ch++)
            for (uint32_t oy = 0; oy < l->out.h; oy++)
                for (uint32_t ox = 0; ox < l->out.w; ox++) {
                    mpz_t *o =
                        &out[((size_t)ch * l->out.h + oy) * l->out.w + ox];
                    mpz_set_ui(*o, 0);
                    for (uint32_t ky = 0; ky < l->k; ky++)
                        for (uint32_t kx = 0; kx < l->k; kx++)
                            mpz_add(*o, *o,
                                    in[((size_t)ch * l->in.h + oy * l->stride +
                                        ky) *
                                           l->in.w +
                                       ox * l->stride + kx]);
                }
    }
    mpz_clears(t, c, NULL);
}

Test(quant, integer_evaluator_matches_naive_gmp)
{
    veil_rng_t rng;
    vt_rng_fixed(&rng, 2024);
    for (uint64_t seed = 1; seed <= vt_iters(8); seed++) {
        nn_model_t m;
        nn_qmodel_t q;
        nn_qtrace_t t;
        mpz_t *cur, *next;
        size_t maxlen = 81;
        /* inputs: pixels, signed small values, or values beyond 2^62 that
         * take the multiprecision path */
        const int kind = (int)(seed % 3);

        cr_log_info("integer evaluator: seed %llu input kind %d",
                    (unsigned long long)seed, kind);
        random_model(&m, seed + 100, 1.0f);
        cr_assert_eq(nn_model_set_qbits(&m, 4 + (uint32_t)seed, 8), VEIL_OK);
        cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
        cr_assert_eq(nn_qtrace_init(&t, &q), VEIL_OK);
        for (uint32_t i = 0; i < q.nlayers; i++)
            if (nn_shape_size(q.layers[i].out) > maxlen)
                maxlen = nn_shape_size(q.layers[i].out);
        cur = malloc(maxlen * sizeof(mpz_t));
        next = malloc(maxlen * sizeof(mpz_t));
        for (size_t j = 0; j < maxlen; j++) {
            mpz_init(cur[j]);
            mpz_init(next[j]);
        }
        for (size_t j = 0; j < 81; j++) {
            const uint64_t r = veil_rng_u64(&rng);
            if (kind == 0) {
                fmpz_set_ui(t.v[0] + j, r & 0xFF);
            } else if (kind == 1) {
                fmpz_set_si(t.v[0] + j, (slong)(r % 2001) - 1000);
            } else {
                fmpz_set_ui(t.v[0] + j, r);
                fmpz_mul_2exp(t.v[0] + j, t.v[0] + j, 10);
                if (r & 1)
                    fmpz_neg(t.v[0] + j, t.v[0] + j);
            }
            fmpz_get_mpz(cur[j], t.v[0] + j);
        }
        nn_qmodel_eval(&t, &q);
        for (uint32_t i = 0; i < q.nlayers; i++) {
            mpz_t *sw;
            naive_layer(next, &q.layers[i], cur);
            for (size_t j = 0; j < t.len[i + 1]; j++) {
                mpz_t lib;
                mpz_init(lib);
                fmpz_get_mpz(lib, t.v[i + 1] + j);
                cr_assert_eq(mpz_cmp(lib, next[j]), 0,
                             "seed %llu layer %u value %zu",
                             (unsigned long long)seed, i, j);
                mpz_clear(lib);
            }
            sw = cur;
            cur = next;
            next = sw;
        }
        for (size_t j = 0; j < maxlen; j++) {
            mpz_clear(cur[j]);
            mpz_clear(next[j]);
        }
        free(cur);
        free(next);
        nn_qtrace_clear(&t);
        nn_qmodel_clear(&q);
        nn_model_clear(&m);
    }
}
