/*
 * batch.c - convolution and dense layers over a whole mini-batch with
 * im2col and OpenBLAS's cblas_sgemm (doc/12-cnn-training.md).
 *
 * Convolution.  The batch is cut into chunks of nc samples (a function of
 * the layer and the batch size only).  For each chunk, im2col lays the
 * samples' K x P matrices side by side into one K x N matrix (N = nc P,
 * K = in.c k^2, P = out.h out.w); then
 *     forward   Y  (M x N) = W (M x K) cols (K x N)         (+ bias)
 *     weights   dW_chunk (M x K) = dY (M x N) cols^T (N x K)
 *     inputs    dcols (K x N) = W^T (K x M) dY (M x N), then col2im,
 * with M = out.c.  Y and dY are gathered from / scattered to the
 * channel-major per-sample layout of the activations, with the following
 * activation layer applied on the way (forward) or its derivative
 * (backward) when the caller fuses it.  Chunks are sized so that cols
 * stays in cache between im2col and the GEMM; the OpenMP threads take
 * whole chunks, each calling a one-threaded sgemm.
 *
 * A 1x1 convolution with stride 1 and no padding on one sample needs no
 * im2col: the sample itself is the K x P matrix.
 *
 * Dense.  With X (n x ni) and W (no x ni): Y = X W^T, dW = dY^T X,
 * dX = dY W.
 *
 * Determinism: each chunk's weight and bias gradients go to their own
 * slot and are summed in chunk order; every other value is computed by
 * exactly one chunk.  Chunks do not depend on the thread count, so neither
 * does the result.
 */
#include "batch.h"
#include "config.h"
#include "kernels.h"
#include <cblas.h>
#include <omp.h>
#include <string.h>

/* Samples per chunk if only the cache bound counted. */
static size_t chunk_cap(const nn_layer_t *l)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t per = (K > l->out.c ? K : l->out.c) * P;
    const size_t nc = NN_GEMM_CHUNK / per;
    return nc < 1 ? 1 : nc;
}

size_t _nn_conv_chunk(const nn_layer_t *l, uint32_t n)
{
    size_t nc = chunk_cap(l), spread, nch;
    if (n == 0)
        return 1;
    /* at least NN_MIN_CHUNKS chunks, then equal sizes */
    spread = (n + NN_MIN_CHUNKS - 1) / NN_MIN_CHUNKS;
    if (nc > spread)
        nc = spread;
    nch = (n + nc - 1) / nc;
    return (n + nch - 1) / nch;
}

size_t _nn_conv_nchunks(const nn_layer_t *l, uint32_t n)
{
    const size_t nc = _nn_conv_chunk(l, n);
    return (n + nc - 1) / nc;
}

size_t _nn_conv_scratch(const nn_layer_t *l, uint32_t n)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t spread = (n + NN_MIN_CHUNKS - 1) / NN_MIN_CHUNKS;
    size_t nc = chunk_cap(l);
    /* _nn_conv_chunk(l, m) <= min(cap, ceil(m / 8)) for every m <= n */
    if (nc > spread)
        nc = spread;
    if (nc < 1)
        nc = 1;
    return (K > l->out.c ? K : l->out.c) * P * nc;
}

size_t _nn_conv_part(const nn_layer_t *l, uint32_t n)
{
    /* chunks <= max(NN_MIN_CHUNKS, ceil(m / cap)) for every m <= n */
    const size_t cap = chunk_cap(l);
    size_t nch = (n + cap - 1) / cap;
    if (nch < NN_MIN_CHUNKS)
        nch = NN_MIN_CHUNKS;
    return nch * ((size_t)l->out.c * l->in.c * l->k * l->k + l->out.c);
}

/* Whether a one-sample chunk can use the sample as its K x P matrix. */
static int direct(const nn_layer_t *l, size_t cnt)
{
    return cnt == 1 && l->k == 1 && l->stride == 1 && l->pad == 0;
}

void _nn_conv_forward_batch(float *y, float *z, const nn_act_ref_t *act,
                            const nn_layer_t *l, const float *w, const float *b,
                            const float *x, uint32_t n, const nn_conv_ws_t *ws)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t M = l->out.c, si = nn_shape_size(l->in), so = M * P;
    const size_t nc = _nn_conv_chunk(l, n), nch = (n + nc - 1) / nc;

#pragma omp parallel for schedule(static) num_threads(ws->threads) if (nch > 1)
    for (long c = 0; c < (long)nch; c++) {
        const size_t b0 = (size_t)c * nc, cnt = n - b0 < nc ? n - b0 : nc;
        const size_t N = cnt * P;
        float *cols = ws->cols + (size_t)omp_get_thread_num() * ws->scratch;
        float *tmp = ws->tmp + (size_t)omp_get_thread_num() * ws->scratch;
        const float *B = cols;

        if (direct(l, cnt))
            B = x + b0 * si;
        else
            for (size_t s = 0; s < cnt; s++)
                _nn_im2col_ld(cols + s * P, N, l, x + (b0 + s) * si);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)N,
                    (int)K, 1.0f, w, (int)K, B, (int)N, 0.0f, tmp, (int)N);
        for (size_t s = 0; s < cnt; s++)
            for (size_t m = 0; m < M; m++) {
                const float *src = tmp + m * N + s * P;
                float *dst = y + (b0 + s) * so + m * P;
                const float bm = b[m];
#pragma omp simd
                for (size_t p = 0; p < P; p++)
                    dst[p] = src[p] + bm;
                if (act != NULL)
                    _nn_act_row_forward(
                        z + (b0 + s) * so + m * P, act->kinds[m],
                        act->a + (size_t)NN_ACT_COEFS * m, dst, P);
            }
    }
}

void _nn_conv_backward_batch(float *dw, float *db, float *dx,
                             const nn_act_ref_t *act, const float *y,
                             const nn_layer_t *l, const float *w,
                             const float *x, const float *dy, uint32_t n,
                             const nn_conv_ws_t *ws)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t M = l->out.c, si = nn_shape_size(l->in), so = M * P;
    const size_t nc = _nn_conv_chunk(l, n), nch = (n + nc - 1) / nc;
    const size_t G = M * K + M; /* one chunk's gradient */

#pragma omp parallel for schedule(static) num_threads(ws->threads) if (nch > 1)
    for (long c = 0; c < (long)nch; c++) {
        const size_t b0 = (size_t)c * nc, cnt = n - b0 < nc ? n - b0 : nc;
        const size_t N = cnt * P;
        float *cols = ws->cols + (size_t)omp_get_thread_num() * ws->scratch;
        float *tmp = ws->tmp + (size_t)omp_get_thread_num() * ws->scratch;
        float *part = ws->part + (size_t)c * G;
        const int dir = direct(l, cnt);
        const float *B = dir ? x + b0 * si : cols;

        /* dY of the chunk, through the activation's derivative if fused */
        for (size_t s = 0; s < cnt; s++)
            for (size_t m = 0; m < M; m++) {
                const size_t at = (b0 + s) * so + m * P;
                float *t = tmp + m * N + s * P;
                if (act != NULL)
                    _nn_act_row_backward(t, act->kinds[m],
                                         act->a + (size_t)NN_ACT_COEFS * m,
                                         y + at, dy + at, P);
                else
                    memcpy(t, dy + at, P * sizeof(float));
            }
        if (!dir)
            for (size_t s = 0; s < cnt; s++)
                _nn_im2col_ld(cols + s * P, N, l, x + (b0 + s) * si);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)K,
                    (int)N, 1.0f, tmp, (int)N, B, (int)N, 0.0f, part, (int)K);
        for (size_t m = 0; m < M; m++) {
            const float *t = tmp + m * N;
            float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
            for (size_t j = 0; j < N; j++)
                sum += t[j];
            part[M * K + m] = sum;
        }
        if (dx == NULL)
            continue;
        if (dir) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N,
                        (int)M, 1.0f, w, (int)K, tmp, (int)N, 0.0f,
                        dx + b0 * si, (int)N);
            continue;
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N,
                    (int)M, 1.0f, w, (int)K, tmp, (int)N, 0.0f, cols, (int)N);
        for (size_t s = 0; s < cnt; s++) {
            float *d = dx + (b0 + s) * si;
            memset(d, 0, si * sizeof(float));
            _nn_col2im_add_ld(d, N, l, cols + s * P);
        }
    }
    /* the chunks' gradients, summed in chunk order */
#pragma omp parallel for schedule(static)                                      \
    num_threads(ws->threads) if (G * nch >= ((size_t)1 << 16))
    for (long j = 0; j < (long)G; j++) {
        float sum = ws->part[j];
        for (size_t c = 1; c < nch; c++)
            sum += ws->part[c * G + (size_t)j];
        if ((size_t)j < M * K)
            dw[j] = sum;
        else
            db[(size_t)j - M * K] = sum;
    }
}

void _nn_dense_forward_batch(float *y, const nn_layer_t *l, const float *w,
                             const float *b, const float *x, uint32_t n)
{
    const size_t ni = nn_shape_size(l->in), no = l->out.c;

    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)no,
                (int)ni, 1.0f, x, (int)ni, w, (int)ni, 0.0f, y, (int)no);
    for (size_t s = 0; s < n; s++)
        for (size_t o = 0; o < no; o++)
            y[s * no + o] += b[o];
}

void _nn_dense_backward_batch(float *dw, float *db, float *dx,
                              const nn_layer_t *l, const float *w,
                              const float *x, const float *dy, uint32_t n)
{
    const size_t ni = nn_shape_size(l->in), no = l->out.c;

    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)no, (int)ni,
                (int)n, 1.0f, dy, (int)no, x, (int)ni, 0.0f, dw, (int)ni);
    for (size_t o = 0; o < no; o++) {
        float s = 0.0f;
        for (size_t b = 0; b < n; b++)
            s += dy[b * no + o];
        db[o] = s;
    }
    if (dx != NULL)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)ni,
                    (int)no, 1.0f, dy, (int)no, w, (int)ni, 0.0f, dx, (int)ni);
}

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int num_threads);
#endif

void _nn_gemm_threads(int threads)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(threads < 1 ? 1 : threads);
#else
    (void)threads;
#endif
}
