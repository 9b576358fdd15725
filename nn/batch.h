/*
 * batch.h - private: convolution and dense layers over a mini-batch of n
 * samples (activations channel-major per sample, samples one after the
 * other) through im2col and cblas_sgemm (batch.c).
 */
#ifndef VEIL_NN_BATCH_H
#define VEIL_NN_BATCH_H

#include "veil/nn.h"

/* A conv chunk's im2col matrix holds at most this many floats (unless a
 * single sample needs more): 4 MiB, so that the matrix im2col writes is
 * still in cache when the GEMM reads it (doc/12-cnn-training.md, 2). */
#define NN_GEMM_CHUNK ((size_t)1 << 20)

/* A batch is cut into at least this many chunks (when it has that many
 * samples) so that the threads share the work. */
#define NN_MIN_CHUNKS 8

/* Conv workspace: each of `threads` threads owns `scratch` floats of cols
 * and of tmp; part holds one weight-and-bias gradient (out.c K + out.c
 * floats) per chunk, summed in chunk order afterwards. */
typedef struct {
    int threads;
    size_t scratch;
    float *cols, *tmp, *part;
} nn_conv_ws_t;

/* An activation layer fused after a convolution: its kinds and
 * coefficients (4 per channel, the conv's output channels). */
typedef struct {
    const uint8_t *kinds;
    const float *a;
} nn_act_ref_t;

/* Samples per chunk of a conv layer for a batch of n (a function of the
 * layer and n only: never of the thread count), the number of chunks, and
 * bounds over every batch of up to n samples on the floats of one
 * thread's cols (or tmp) and of the chunk gradients. */
size_t _nn_conv_chunk(const nn_layer_t *l, uint32_t n);
size_t _nn_conv_nchunks(const nn_layer_t *l, uint32_t n);
size_t _nn_conv_scratch(const nn_layer_t *l, uint32_t n);
size_t _nn_conv_part(const nn_layer_t *l, uint32_t n);

/* y[n][out] from x[n][in].  If act is not NULL, also z = act(y) (the
 * activation layer that follows the convolution). */
void _nn_conv_forward_batch(float *y, float *z, const nn_act_ref_t *act,
                            const nn_layer_t *l, const float *w, const float *b,
                            const float *x, uint32_t n, const nn_conv_ws_t *ws);

/* dw (out.c x K) and db (out.c) = the gradients summed over the batch
 * (overwritten); dx[n][in] = the input gradient unless dx is NULL.  dy is
 * the gradient of the loss by y, or, if act is not NULL, by z = act(y)
 * (then y is the convolution's output, the activation's input). */
void _nn_conv_backward_batch(float *dw, float *db, float *dx,
                             const nn_act_ref_t *act, const float *y,
                             const nn_layer_t *l, const float *w,
                             const float *x, const float *dy, uint32_t n,
                             const nn_conv_ws_t *ws);

void _nn_dense_forward_batch(float *y, const nn_layer_t *l, const float *w,
                             const float *b, const float *x, uint32_t n);
void _nn_dense_backward_batch(float *dw, float *db, float *dx,
                              const nn_layer_t *l, const float *w,
                              const float *x, const float *dy, uint32_t n);

/* Number of threads OpenBLAS uses.  The trainer sets 1: its OpenMP
 * threads each run their own chunks' GEMMs, and two thread pools on the
 * same cores would compete. */
void _nn_gemm_threads(int threads);

#endif /* VEIL_NN_BATCH_H */
