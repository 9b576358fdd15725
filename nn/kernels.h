/*
 * kernels.h - private per-sample float kernels shared by inference
 * (forward.c) and training (train.c).  Leading underscore: raw pointers, no
 * allocation, no aliasing between outputs and inputs, shapes taken from the
 * layer and assumed valid.
 *
 * Convolution goes through im2col: cols is a K x P matrix with
 * K = in.c * k * k (one row per kernel tap) and P = out.h * out.w (one
 * column per output position), padded taps holding 0.  The convolution is
 * then the matrix product W (out.c x K) * cols.
 */
#ifndef VEIL_NN_KERNELS_H
#define VEIL_NN_KERNELS_H

#include "veil/nn.h"

/* K * P, the number of floats of a conv layer's cols matrix. */
size_t _nn_cols_size(const nn_layer_t *l);

void _nn_im2col(float *cols, const nn_layer_t *l, const float *in);

/* The same into a wider matrix: row j of the sample's K x P block starts at
 * cols + j * ld (ld >= P), so that several samples sit side by side. */
void _nn_im2col_ld(float *cols, size_t ld, const nn_layer_t *l,
                   const float *in);
void _nn_col2im_add_ld(float *dx, size_t ld, const nn_layer_t *l,
                       const float *dcols);

/* dx[0..size(in)) += the scatter of dcols (the adjoint of im2col). */
void _nn_col2im_add(float *dx, const nn_layer_t *l, const float *dcols);

void _nn_conv_forward(float *out, const nn_layer_t *l, const float *w,
                      const float *b, const float *cols);

/* dcols = W^T delta (K x P), the input gradient before col2im. */
void _nn_conv_backward_cols(float *dcols, const nn_layer_t *l, const float *w,
                            const float *delta);

void _nn_dense_forward(float *out, const nn_layer_t *l, const float *w,
                       const float *b, const float *in);

/* dx = W^T delta. */
void _nn_dense_backward_input(float *dx, const nn_layer_t *l, const float *w,
                              const float *delta);

/* y = a_0 + a_1 x + ... + a_d x^d elementwise (Horner), n values. */
void _nn_poly_forward(float *out, const float *a, uint32_t degree,
                      const float *in, size_t n);

/* dx = delta * p'(x). */
void _nn_poly_backward_input(float *dx, const float *a, uint32_t degree,
                             const float *x, const float *delta, size_t n);

void _nn_avgpool_forward(float *out, const nn_layer_t *l, const float *in);

/* dx = the adjoint of average pooling applied to delta (dx overwritten). */
void _nn_avgpool_backward(float *dx, const nn_layer_t *l, const float *delta);

void _nn_maxpool_forward(float *out, const nn_layer_t *l, const float *in);

/* dx = delta routed to the first maximum of each window (dx overwritten);
 * in is the layer's forward input. */
void _nn_maxpool_backward(float *dx, const nn_layer_t *l, const float *in,
                          const float *delta);

/* One channel's SAFENet activation over len values: y = f(x) for the
 * channel's kind and coefficients a[0..3]; and its input gradient
 * dx = d f'(x) (ReLU: d for x > 0, else 0). */
void _nn_act_row_forward(float *y, uint8_t kind, const float *a, const float *x,
                         size_t len);
void _nn_act_row_backward(float *dx, uint8_t kind, const float *a,
                          const float *x, const float *d, size_t len);

/* SAFENet activation (NN_LAYER_ACT) of one sample: channel c with kind
 * kinds[c] and coefficients a[4 c .. 4 c + 3]. */
void _nn_act_forward(float *out, const nn_layer_t *l, const uint8_t *kinds,
                     const float *a, const float *in);

/* dx = delta * f_c'(x) (ReLU: 1 for x > 0, else 0). */
void _nn_act_backward_input(float *dx, const nn_layer_t *l,
                            const uint8_t *kinds, const float *a,
                            const float *x, const float *delta);

/* Batch norm with fixed statistics: y = gamma (x - mean) / sqrt(var + eps)
 * + beta, per channel. */
void _nn_bn_forward_infer(float *out, const nn_layer_t *l, const float *gamma,
                          const float *beta, const float *mean,
                          const float *var, const float *in);

#endif /* VEIL_NN_KERNELS_H */
