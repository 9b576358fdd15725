/*
 * batch.h - private: convolution and dense layers over a mini-batch of n
 * samples (activations channel-major per sample, samples one after the
 * other) through im2col and cblas_sgemm (batch.c).
 */
#ifndef VEIL_NN_BATCH_H
#define VEIL_NN_BATCH_H

#include "veil/nn.h"

/* Scratch matrices hold at most this many floats per conv chunk (unless a
 * single sample needs more). */
#define NN_GEMM_CHUNK ((size_t)1 << 23)

/* Samples per chunk of a conv layer, and the floats each of its two
 * scratch matrices (cols, tmp) needs for batches of up to n samples. */
size_t _nn_conv_chunk(const nn_layer_t *l, uint32_t n);
size_t _nn_conv_scratch(const nn_layer_t *l, uint32_t n);

/* y[n][out] from x[n][in]; cols and tmp hold _nn_conv_scratch floats. */
void _nn_conv_forward_batch(float *y, const nn_layer_t *l, const float *w,
                            const float *b, const float *x, uint32_t n,
                            float *cols, float *tmp);

/* dw (out.c x K) and db (out.c) = the gradients summed over the batch
 * (overwritten); dx[n][in] = the input gradient unless dx is NULL. */
void _nn_conv_backward_batch(float *dw, float *db, float *dx,
                             const nn_layer_t *l, const float *w,
                             const float *x, const float *dy, uint32_t n,
                             float *cols, float *tmp);

void _nn_dense_forward_batch(float *y, const nn_layer_t *l, const float *w,
                             const float *b, const float *x, uint32_t n);
void _nn_dense_backward_batch(float *dw, float *db, float *dx,
                              const nn_layer_t *l, const float *w,
                              const float *x, const float *dy, uint32_t n);

/* Number of threads OpenBLAS uses (the caller passes omp_get_max_threads()
 * so that GEMMs and OpenMP loops use the same cores). */
void _nn_gemm_threads(int threads);

#endif /* VEIL_NN_BATCH_H */
