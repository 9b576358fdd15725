/*
 * quant.c - quantization of a float model to integers with power-of-two
 * weight scales and exact scale bookkeeping (doc/10-nn.md, "Quantization").
 *
 * An integer X of a layer's output stands for the real X / S, S an exact
 * positive rational (fmpq).  Weights are rounded as round(w 2^qexp), biases
 * and polynomial coefficients as round(v * (their exact scale)); round is
 * round half away from zero, computed on exact rationals, so the integers
 * do not depend on the machine or on floating-point rounding modes.
 */
#include "veil/nn.h"
#include <flint/fmpz_vec.h>
#include <math.h>
#include <string.h>

/* q = v exactly (v finite): v = M 2^E with an integer |M| < 2^53. */
static void fmpq_set_float(fmpq_t q, float v)
{
    int e;
    const double fr = frexp((double)v, &e);
    const int64_t M = (int64_t)ldexp(fr, 53);
    const long E = (long)e - 53;
    fmpq_set_si(q, M, 1);
    if (E >= 0)
        fmpq_mul_2exp(q, q, (flint_bitcnt_t)E);
    else
        fmpq_div_2exp(q, q, (flint_bitcnt_t)-E);
}

/* q = q 2^e for any sign of e. */
static void fmpq_scale_2exp(fmpq_t q, long e)
{
    if (e >= 0)
        fmpq_mul_2exp(q, q, (flint_bitcnt_t)e);
    else
        fmpq_div_2exp(q, q, (flint_bitcnt_t)-e);
}

/* out = round(q), half away from zero: sign(q) floor((2|p| + d) / (2d)). */
static void fmpq_round(fmpz_t out, const fmpq_t q)
{
    fmpz_t n, d;
    fmpz_init(n);
    fmpz_init(d);
    fmpz_abs(n, fmpq_numref(q));
    fmpz_mul_2exp(n, n, 1);
    fmpz_add(n, n, fmpq_denref(q));
    fmpz_mul_2exp(d, fmpq_denref(q), 1);
    fmpz_fdiv_q(out, n, d);
    if (fmpz_sgn(fmpq_numref(q)) < 0)
        fmpz_neg(out, out);
    fmpz_clear(n);
    fmpz_clear(d);
}

/* out = round(v * s 2^e) exactly. */
static void round_scaled(fmpz_t out, float v, const fmpq_t s, long e)
{
    fmpq_t t;
    fmpq_init(t);
    fmpq_set_float(t, v);
    fmpq_mul(t, t, s);
    fmpq_scale_2exp(t, e);
    fmpq_round(out, t);
    fmpq_clear(t);
}

/* Largest exponent k in [NN_QEXP_MIN, NN_QEXP_MAX] with
 * round(maxabs 2^k) <= limit; 0 when maxabs is 0. */
static int32_t choose_exp(float maxabs, int64_t limit)
{
    int32_t k;
    if (maxabs == 0.0f)
        return 0;
    for (k = NN_QEXP_MAX; k > NN_QEXP_MIN; k--)
        if (round(ldexp((double)maxabs, k)) <= (double)limit)
            break;
    return k;
}

veil_status nn_model_set_qbits(nn_model_t *m, uint32_t bits, int32_t in_exp)
{
    const int64_t limit = ((int64_t)1 << (bits - 1)) - 1;

    if (m == NULL || bits < 2 || bits > 25 || in_exp < 0 || in_exp > 8)
        return VEIL_EINVAL;
    for (uint32_t i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == NN_LAYER_BATCHNORM ||
            m->layers[i].type >= NN_LAYER_RELU)
            return VEIL_EINVAL; /* batch norm, or no exact integer form */
    for (uint32_t i = 0; i < m->nlayers; i++) {
        nn_layer_t *l = &m->layers[i];
        float mx = 0.0f;
        if (l->type != NN_LAYER_CONV2D && l->type != NN_LAYER_DENSE &&
            l->type != NN_LAYER_POLY)
            continue;
        for (size_t j = 0; j < l->nw; j++)
            mx = fmaxf(mx, fabsf(m->params[l->w + j]));
        l->qexp = choose_exp(mx, limit);
    }
    m->in_exp = in_exp;
    m->quantizable = 1;
    return VEIL_OK;
}

void nn_qmodel_clear(nn_qmodel_t *q)
{
    if (q == NULL)
        return;
    for (uint32_t i = 0; i < q->nlayers; i++) {
        nn_qlayer_t *l = &q->layers[i];
        veil_free(l->w);
        if (l->b != NULL)
            _fmpz_vec_clear(l->b, (slong)l->nb);
        fmpq_clear(l->scale);
    }
    memset(q, 0, sizeof(*q));
}

/* Quantize layer fl of m, whose input has scale s_in, into ql. */
static veil_status quantize_layer(nn_qlayer_t *ql, const nn_model_t *m,
                                  const nn_layer_t *fl, const fmpq_t s_in)
{
    const float *p = m->params;
    fmpq_t t;
    fmpz_t r;

    ql->type = fl->type;
    ql->in = fl->in;
    ql->out = fl->out;
    ql->k = fl->k;
    ql->stride = fl->stride;
    ql->pad = fl->pad;
    ql->degree = fl->degree;
    fmpq_init(ql->scale);
    switch (fl->type) {
    case NN_LAYER_CONV2D:
    case NN_LAYER_DENSE:
        ql->nw = fl->nw;
        ql->nb = fl->nb;
        if ((ql->w = veil_alloc(fl->nw * sizeof(int32_t))) == NULL ||
            (ql->b = _fmpz_vec_init((slong)fl->nb)) == NULL)
            return VEIL_ENOMEM;
        for (size_t j = 0; j < fl->nw; j++) {
            const double v = round(ldexp((double)p[fl->w + j], fl->qexp));
            if (fabs(v) > NN_QWEIGHT_MAX)
                return VEIL_ERANGE;
            ql->w[j] = (int32_t)v;
            if (abs(ql->w[j]) > ql->wmax)
                ql->wmax = abs(ql->w[j]);
        }
        for (size_t j = 0; j < fl->nb; j++)
            round_scaled(ql->b + j, p[fl->b + j], s_in, fl->qexp);
        fmpq_set(ql->scale, s_in);
        fmpq_scale_2exp(ql->scale, fl->qexp);
        break;
    case NN_LAYER_SQUARE:
        fmpq_mul(ql->scale, s_in, s_in);
        break;
    case NN_LAYER_POLY:
        ql->nb = fl->degree + 1;
        if ((ql->b = _fmpz_vec_init((slong)ql->nb)) == NULL)
            return VEIL_ENOMEM;
        fmpq_init(t);
        for (uint32_t i = 0; i <= fl->degree; i++) {
            fmpq_pow_si(t, s_in, (slong)(fl->degree - i));
            round_scaled(ql->b + i, p[fl->w + i], t, fl->qexp);
        }
        fmpq_pow_si(ql->scale, s_in, (slong)fl->degree);
        fmpq_scale_2exp(ql->scale, fl->qexp);
        fmpq_clear(t);
        break;
    case NN_LAYER_AVGPOOL:
        fmpz_init_set_ui(r, (ulong)fl->k * fl->k);
        fmpq_mul_fmpz(ql->scale, s_in, r);
        fmpz_clear(r);
        break;
    case NN_LAYER_BATCHNORM:
    case NN_LAYER_RELU: /* not a polynomial: no exact integer form */
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_ACT:
        return VEIL_EINVAL;
    }
    return VEIL_OK;
}

veil_status nn_qmodel_init(nn_qmodel_t *q, const nn_model_t *m)
{
    fmpq_t s;
    veil_status st = VEIL_OK;

    if (q == NULL)
        return VEIL_EINVAL;
    memset(q, 0, sizeof(*q));
    if (m == NULL || !m->quantizable || m->nlayers == 0 || m->in_exp < 0 ||
        m->in_exp > 8)
        return VEIL_EINVAL;
    q->in = m->in;
    q->in_exp = m->in_exp;
    q->in_max = ((int64_t)255 * (1 << m->in_exp) + 128) >> 8;
    fmpq_init(s);
    fmpq_set_si(s, 1, 1);
    fmpq_scale_2exp(s, m->in_exp);
    for (uint32_t i = 0; i < m->nlayers && st == VEIL_OK; i++) {
        q->nlayers = i + 1; /* so that clear frees a partial layer */
        st = quantize_layer(&q->layers[i], m, &m->layers[i], s);
        fmpq_set(s, q->layers[i].scale);
    }
    fmpq_clear(s);
    if (st != VEIL_OK)
        nn_qmodel_clear(q);
    return st;
}

int64_t nn_quantize_pixel(uint8_t pixel, int32_t in_exp)
{
    return (((int64_t)pixel << in_exp) + 128) >> 8; /* half rounds up */
}

void nn_qmodel_quantize_input(fmpz *x, const nn_qmodel_t *q,
                              const uint8_t *pixels)
{
    const size_t n = nn_shape_size(q->in);
    for (size_t i = 0; i < n; i++)
        fmpz_set_si(x + i, nn_quantize_pixel(pixels[i], q->in_exp));
}

/* z / s rounded to float. */
static float fmpz_over(const fmpz_t z, const fmpq_t s)
{
    fmpq_t t;
    double v;
    fmpq_init(t);
    fmpq_inv(t, s);
    fmpq_mul_fmpz(t, t, z);
    v = fmpq_get_d(t);
    fmpq_clear(t);
    return (float)v;
}

void nn_qmodel_dequantize(float *params, const nn_qmodel_t *q,
                          const nn_model_t *m)
{
    fmpq_t s, c;
    fmpq_init(s);
    fmpq_init(c);
    if (m->nparams > 0)
        memcpy(params, m->params, m->nparams * sizeof(float));
    fmpq_set_si(s, 1, 1);
    fmpq_scale_2exp(s, q->in_exp); /* scale of the current layer's input */
    for (uint32_t i = 0; i < q->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        const nn_qlayer_t *ql = &q->layers[i];
        switch (l->type) {
        case NN_LAYER_CONV2D:
        case NN_LAYER_DENSE:
            for (size_t j = 0; j < l->nw; j++)
                params[l->w + j] = (float)ldexp((double)ql->w[j], -l->qexp);
            for (size_t j = 0; j < l->nb; j++)
                params[l->b + j] = fmpz_over(ql->b + j, ql->scale);
            break;
        case NN_LAYER_POLY:
            for (uint32_t k = 0; k <= l->degree; k++) {
                /* c_k stands for a_k = c_k / (2^qexp S^(d-k)) */
                fmpq_pow_si(c, s, (slong)(l->degree - k));
                fmpq_scale_2exp(c, l->qexp);
                params[l->w + k] = fmpz_over(ql->b + k, c);
            }
            break;
        default:
            break;
        }
        fmpq_set(s, ql->scale);
    }
    fmpq_clear(s);
    fmpq_clear(c);
}
