/*
 * lola_models.h - networks for LoLa beyond MNIST (papers/lola-*.md
 * section 4.4): the CIFAR-10 network of the paper, and generated weights of
 * a realistic scale when no trained model exists.  Chapter: doc/11-lola.md
 * section 10.
 */
#ifndef VEIL_LOLA_MODELS_H
#define VEIL_LOLA_MODELS_H

#include "veil/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shape of a two-convolution LoLa network (paper section 4.4):
 * in -> conv k1 x k1 stride s1 pad p1, maps1 -> square -> conv k2 x k2
 * stride s2 pad p2, maps2 -> square -> dense classes. */
typedef struct {
    nn_shape_t in;
    uint32_t k1, s1, p1, maps1;
    uint32_t k2, s2, p2, maps2;
    uint32_t classes;
} lola_cnn2_shape_t;

/* The paper's CIFAR-10 network: 3 x 32 x 32, conv 8 x 8 stride 2 with 83
 * maps (padding 1, so 83 x 14 x 14 = 16268 nodes as in the paper), square,
 * conv 6 x 6 x 83 stride 2 with 163 maps (no padding: 163 x 5 x 5 = 4075
 * nodes), square, dense 4075 -> 10. */
VEIL_EXPORT void lola_cnn2_cifar10(lola_cnn2_shape_t *s);

/* An empty float model (*m initialised here) of shape s, weights zero.
 * VEIL_EINVAL (a shape nn_model_add_* refuses), VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_cnn2_model(nn_model_t *m,
                                        const lola_cnn2_shape_t *s) VEIL_WUR;

/* Generated weights of a realistic scale for any model made of conv2d,
 * dense and square layers (no trained model available, e.g. CIFAR-10,
 * which cannot be downloaded here): He-scaled random weights (uniform,
 * variance 2 / fan_in, from rng), then, layer by layer, a batch-norm-like
 * rescaling of every output channel of a linear layer (weights and bias)
 * so that over `samples` random images (uniform pixels, from rng) its
 * values have mean 0 (through the bias) and standard deviation `target`
 * (the squares then stay bounded: about target^2).  The last layer is
 * scaled to standard deviation 1.  Then quantized: weights to `wbits`
 * bits, input exponent in_exp (nn_model_set_qbits), *q initialised here.
 * m keeps the float weights.  VEIL_EINVAL (bad arguments, other layer
 * types), VEIL_ENOMEM, statuses of nn_model_set_qbits / nn_qmodel_init. */
VEIL_EXPORT veil_status lola_model_generate(nn_qmodel_t *q, nn_model_t *m,
                                            veil_rng_t *rng, size_t samples,
                                            float target, uint32_t wbits,
                                            int32_t in_exp) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_LOLA_MODELS_H */
