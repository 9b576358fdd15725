/*
 * qeval.c - the exact integer evaluator: the plaintext reference of an
 * encrypted evaluation.  Every operation is an exact integer operation
 * (fmpz), so the result is a polynomial with integer coefficients in the
 * input, exactly what BFV computes modulo the plaintext modulus t.
 *
 * Speed: sums of products accumulate in a signed 128-bit integer while the
 * input values are small fmpz (|x| < 2^62, stored inline by FLINT), and in
 * an fmpz otherwise.  With |w| <= NN_QWEIGHT_MAX < 2^24 each product is
 * below 2^86 and a sum has at most NN_MAX_ELEMS = 2^24 terms, so the 128-bit
 * accumulator stays below 2^110 and never overflows.
 */
#include "veil/nn.h"
#include <flint/fmpz_vec.h>
#include <string.h>

__extension__ typedef __int128 i128;

typedef struct {
    i128 small; /* sum of the products with small inputs */
    fmpz_t big; /* sum of the products with large inputs */
} acc_t;

static inline void acc_add(acc_t *a, int32_t w, const fmpz *x)
{
    if (!COEFF_IS_MPZ(*x))
        a->small += (i128)w * (slong)*x;
    else
        fmpz_addmul_si(a->big, x, w);
}

/* out = b + the accumulated sum; resets the accumulator. */
static void acc_finish(fmpz_t out, acc_t *a, const fmpz_t b)
{
    fmpz_set_signed_uiui(out, (ulong)((unsigned __int128)a->small >> 64),
                         (ulong)a->small);
    fmpz_add(out, out, a->big);
    fmpz_add(out, out, b);
    a->small = 0;
    fmpz_zero(a->big);
}

static void conv_eval(fmpz *out, const nn_qlayer_t *l, const fmpz *in, acc_t *a)
{
    const uint32_t k = l->k;
    for (uint32_t m = 0; m < l->out.c; m++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                for (uint32_t c = 0; c < l->in.c; c++)
                    for (uint32_t ky = 0; ky < k; ky++) {
                        const long y = (long)oy * l->stride + ky - l->pad;
                        const int32_t *w =
                            l->w + ((size_t)(m * l->in.c + c) * k + ky) * k;
                        if (y < 0 || y >= (long)l->in.h)
                            continue;
                        for (uint32_t kx = 0; kx < k; kx++) {
                            const long x = (long)ox * l->stride + kx - l->pad;
                            if (x >= 0 && x < (long)l->in.w)
                                acc_add(
                                    a, w[kx],
                                    in + ((size_t)c * l->in.h + y) * l->in.w +
                                        x);
                        }
                    }
                acc_finish(out + ((size_t)m * l->out.h + oy) * l->out.w + ox, a,
                           l->b + m);
            }
}

static void dense_eval(fmpz *out, const nn_qlayer_t *l, const fmpz *in,
                       acc_t *a)
{
    const size_t n = nn_shape_size(l->in);
    for (uint32_t o = 0; o < l->out.c; o++) {
        const int32_t *w = l->w + (size_t)o * n;
        for (size_t j = 0; j < n; j++)
            acc_add(a, w[j], in + j);
        acc_finish(out + o, a, l->b + o);
    }
}

static void sumpool_eval(fmpz *out, const nn_qlayer_t *l, const fmpz *in)
{
    for (uint32_t c = 0; c < l->out.c; c++)
        for (uint32_t oy = 0; oy < l->out.h; oy++)
            for (uint32_t ox = 0; ox < l->out.w; ox++) {
                fmpz *o = out + ((size_t)c * l->out.h + oy) * l->out.w + ox;
                fmpz_zero(o);
                for (uint32_t ky = 0; ky < l->k; ky++)
                    for (uint32_t kx = 0; kx < l->k; kx++)
                        fmpz_add(
                            o, o,
                            in +
                                ((size_t)c * l->in.h + oy * l->stride + ky) *
                                    l->in.w +
                                (size_t)ox * l->stride + kx);
            }
}

void nn_qlayer_eval(fmpz *out, const nn_qlayer_t *l, const fmpz *in)
{
    const size_t n = nn_shape_size(l->in);
    acc_t a;

    a.small = 0;
    fmpz_init(a.big);
    switch (l->type) {
    case NN_LAYER_CONV2D:
        conv_eval(out, l, in, &a);
        break;
    case NN_LAYER_DENSE:
        dense_eval(out, l, in, &a);
        break;
    case NN_LAYER_SQUARE:
        for (size_t j = 0; j < n; j++)
            fmpz_mul(out + j, in + j, in + j);
        break;
    case NN_LAYER_POLY:
        /* Horner: c_d, then y = y x + c_i */
        for (size_t j = 0; j < n; j++) {
            fmpz_set(out + j, l->b + l->degree);
            for (uint32_t i = l->degree; i-- > 0;) {
                fmpz_mul(out + j, out + j, in + j);
                fmpz_add(out + j, out + j, l->b + i);
            }
        }
        break;
    case NN_LAYER_AVGPOOL:
        sumpool_eval(out, l, in);
        break;
    case NN_LAYER_BATCHNORM:
    case NN_LAYER_RELU:
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_ACT:
        break; /* never in a quantized model */
    }
    fmpz_clear(a.big);
}

veil_status nn_qtrace_init(nn_qtrace_t *t, const nn_qmodel_t *q)
{
    if (t == NULL)
        return VEIL_EINVAL;
    memset(t, 0, sizeof(*t));
    if (q == NULL || q->nlayers == 0)
        return VEIL_EINVAL;
    t->nlayers = q->nlayers;
    t->len[0] = nn_shape_size(q->in);
    for (uint32_t i = 0; i < q->nlayers; i++)
        t->len[i + 1] = nn_shape_size(q->layers[i].out);
    for (uint32_t i = 0; i <= q->nlayers; i++)
        t->v[i] = _fmpz_vec_init((slong)t->len[i]);
    return VEIL_OK;
}

void nn_qtrace_clear(nn_qtrace_t *t)
{
    if (t == NULL)
        return;
    for (uint32_t i = 0; i <= t->nlayers; i++)
        if (t->v[i] != NULL)
            _fmpz_vec_clear(t->v[i], (slong)t->len[i]);
    memset(t, 0, sizeof(*t));
}

void nn_qmodel_eval(nn_qtrace_t *t, const nn_qmodel_t *q)
{
    for (uint32_t i = 0; i < q->nlayers; i++)
        nn_qlayer_eval(t->v[i + 1], &q->layers[i], t->v[i]);
}

uint32_t nn_argmax_fmpz(const fmpz *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (fmpz_cmp(v + i, v + best) > 0)
            best = i;
    return best;
}

veil_status nn_qmodel_accuracy(double *acc, double *agree, const nn_qmodel_t *q,
                               const nn_model_t *m, const nn_dataset_t *ds)
{
    size_t npix, wsize = 0;
    uint32_t nout;
    long correct = 0, same = 0;
    int failed = 0;

    if (acc == NULL || q == NULL || ds == NULL || ds->count == 0 ||
        q->nlayers == 0 || q->in.c != nn_dataset_channels(ds) ||
        q->in.h != ds->rows || q->in.w != ds->cols ||
        (agree != NULL && m == NULL) ||
        (m != NULL &&
         (m->in.h != q->in.h || m->in.w != q->in.w || m->in.c != q->in.c)))
        return VEIL_EINVAL;
    npix = (size_t)q->in.c * ds->rows * ds->cols;
    nout = (uint32_t)nn_shape_size(q->layers[q->nlayers - 1].out);
    if (agree != NULL) {
        if (nn_shape_size(nn_model_out_shape(m)) != nout)
            return VEIL_EINVAL;
        wsize = nn_model_work_size(m) + npix + nout;
    }
#pragma omp parallel reduction(+ : correct, same, failed)
    {
        nn_qtrace_t t;
        float *work = NULL;
        const int ok = nn_qtrace_init(&t, q) == VEIL_OK &&
                       (agree == NULL ||
                        (work = veil_alloc(wsize * sizeof(float))) != NULL);
#pragma omp for schedule(dynamic, 16)
        for (long i = 0; i < (long)ds->count; i++) {
            const uint8_t *img = ds->images + (size_t)i * npix;
            uint32_t pred;
            if (!ok) {
                failed = 1;
                continue;
            }
            nn_qmodel_quantize_input(t.v[0], q, img);
            nn_qmodel_eval(&t, q);
            pred = nn_argmax_fmpz(t.v[q->nlayers], nout);
            correct += pred == ds->labels[i];
            if (agree != NULL) {
                float *x = work + wsize - npix - nout, *y = x + npix;
                nn_image_to_input(x, m->in, img, ds->rows, ds->cols);
                nn_model_forward(y, m, x, work);
                same += nn_argmax(y, nout) == pred;
            }
        }
        veil_free(work);
        nn_qtrace_clear(&t);
    }
    if (failed)
        return VEIL_ENOMEM;
    *acc = (double)correct / ds->count;
    if (agree != NULL)
        *agree = (double)same / ds->count;
    return VEIL_OK;
}
