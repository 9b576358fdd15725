/*
 * batch.c - convolution and dense layers over a whole mini-batch with
 * im2col and OpenBLAS's cblas_sgemm (doc/12-cnn-training.md).
 *
 * Convolution.  For a chunk of nc samples, im2col lays the samples' K x P
 * matrices side by side into one K x N matrix (N = nc P, K = in.c k^2,
 * P = out.h out.w); then
 *     forward   Y  (M x N) = W (M x K) cols (K x N)         (+ bias)
 *     weights   dW (M x K) += dY (M x N) cols^T (N x K)
 *     inputs    dcols (K x N) = W^T (K x M) dY (M x N), then col2im,
 * with M = out.c.  Y and dY are gathered from / scattered to the
 * channel-major per-sample layout of the activations.  Chunks bound the
 * scratch memory (NN_GEMM_CHUNK floats per matrix).
 *
 * Dense.  With X (n x ni) and W (no x ni): Y = X W^T, dW = dY^T X,
 * dX = dY W.
 *
 * Determinism: OpenBLAS partitions a product over the output (never over
 * the summed dimension), so each result is a fixed sum for a given number
 * of threads; bias sums run in a fixed order.
 */
#include "batch.h"
#include "config.h"
#include "kernels.h"
#include <cblas.h>
#include <string.h>

size_t _nn_conv_chunk(const nn_layer_t *l, uint32_t n)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t per = (K > l->out.c ? K : l->out.c) * P;
    size_t nc = NN_GEMM_CHUNK / per;
    if (nc < 1)
        nc = 1;
    return nc < n ? nc : n;
}

size_t _nn_conv_scratch(const nn_layer_t *l, uint32_t n)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t nc = _nn_conv_chunk(l, n);
    return (K > l->out.c ? K : l->out.c) * P * nc;
}

void _nn_conv_forward_batch(float *y, const nn_layer_t *l, const float *w,
                            const float *b, const float *x, uint32_t n,
                            float *cols, float *tmp)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t M = l->out.c, si = nn_shape_size(l->in), so = M * P;
    const size_t nc = _nn_conv_chunk(l, n);

    for (size_t b0 = 0; b0 < n; b0 += nc) {
        const size_t cnt = n - b0 < nc ? n - b0 : nc, N = cnt * P;
#pragma omp parallel for schedule(static)
        for (long s = 0; s < (long)cnt; s++)
            _nn_im2col_ld(cols + s * P, N, l, x + (b0 + s) * si);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)N,
                    (int)K, 1.0f, w, (int)K, cols, (int)N, 0.0f, tmp, (int)N);
#pragma omp parallel for schedule(static)
        for (long q = 0; q < (long)(cnt * M); q++) {
            const size_t s = (size_t)q / M, m = (size_t)q % M;
            const float *src = tmp + m * N + s * P;
            float *dst = y + (b0 + s) * so + m * P;
            const float bm = b[m];
#pragma omp simd
            for (size_t p = 0; p < P; p++)
                dst[p] = src[p] + bm;
        }
    }
}

void _nn_conv_backward_batch(float *dw, float *db, float *dx,
                             const nn_layer_t *l, const float *w,
                             const float *x, const float *dy, uint32_t n,
                             float *cols, float *tmp)
{
    const size_t P = (size_t)l->out.h * l->out.w;
    const size_t K = (size_t)l->in.c * l->k * l->k;
    const size_t M = l->out.c, si = nn_shape_size(l->in), so = M * P;
    const size_t nc = _nn_conv_chunk(l, n);

    for (size_t b0 = 0; b0 < n; b0 += nc) {
        const size_t cnt = n - b0 < nc ? n - b0 : nc, N = cnt * P;
#pragma omp parallel for schedule(static)
        for (long s = 0; s < (long)cnt; s++)
            _nn_im2col_ld(cols + s * P, N, l, x + (b0 + s) * si);
#pragma omp parallel for schedule(static)
        for (long q = 0; q < (long)(cnt * M); q++) {
            const size_t s = (size_t)q / M, m = (size_t)q % M;
            memcpy(tmp + m * N + s * P, dy + (b0 + s) * so + m * P,
                   P * sizeof(float));
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)K,
                    (int)N, 1.0f, tmp, (int)N, cols, (int)N,
                    b0 == 0 ? 0.0f : 1.0f, dw, (int)K);
        for (size_t m = 0; m < M; m++) {
            const float *t = tmp + m * N;
            float s = 0.0f;
#pragma omp simd reduction(+ : s)
            for (size_t j = 0; j < N; j++)
                s += t[j];
            db[m] = b0 == 0 ? s : db[m] + s;
        }
        if (dx == NULL)
            continue;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)N,
                    (int)M, 1.0f, w, (int)K, tmp, (int)N, 0.0f, cols, (int)N);
#pragma omp parallel for schedule(static)
        for (long s = 0; s < (long)cnt; s++) {
            float *d = dx + (b0 + s) * si;
            memset(d, 0, si * sizeof(float));
            _nn_col2im_add_ld(d, N, l, cols + s * P);
        }
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
