/*
 * mkmodel - write a small random CNN in the CNN model format for the
 * apps/safenet end-to-end test: mkmodel FILE SEED [mnist]
 * (3x8x8 input, or 1x32x32 with "mnist"): conv 3x3 4 pad 1, ACT (channels
 * ReLU, POLY2, POLY3, CONST), mean pool 2, conv 3x3 4 pad 1, RELU, dense 10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/nn.h"

int main(int argc, char **argv)
{
    nn_model_t m;
    nn_shape_t in = {3, 8, 8};
    uint8_t seed[VEIL_SEED_BYTES] = {0};
    veil_rng_t rng;
    const float c2[4] = {0.375f, 0.5f, 0.117f, 0},
                c3[4] = {0.3f, 0.5f, 0.1f, 0.01f};
    const float c0[4] = {0.4f, 0, 0, 0};
    if (argc < 3) {
        fprintf(stderr, "usage: mkmodel FILE SEED [mnist]\n");
        return 1;
    }
    if (argc > 3 && strcmp(argv[3], "mnist") == 0)
        in = (nn_shape_t){1, 32, 32};
    snprintf((char *)seed, sizeof(seed), "mkmodel %s", argv[2]);
    veil_rng_init_seed(&rng, seed);
    if (nn_model_init(&m, in) != VEIL_OK ||
        nn_model_add_conv2d(&m, 4, 3, 1, 1) != VEIL_OK ||
        nn_model_add_act(&m) != VEIL_OK ||
        nn_model_add_avgpool(&m, 2, 2) != VEIL_OK ||
        nn_model_add_conv2d(&m, 4, 3, 1, 1) != VEIL_OK ||
        nn_model_add_relu(&m) != VEIL_OK ||
        nn_model_add_dense(&m, 10) != VEIL_OK)
        return 1;
    nn_model_init_params(&m, &rng, 1.41421356f);
    if (nn_model_set_act(&m, 1, 1, NN_ACT_POLY2, c2) != VEIL_OK ||
        nn_model_set_act(&m, 1, 2, NN_ACT_POLY3, c3) != VEIL_OK ||
        nn_model_set_act(&m, 1, 3, NN_ACT_CONST, c0) != VEIL_OK ||
        nn_model_save(argv[1], &m) != VEIL_OK)
        return 1;
    nn_model_clear(&m);
    return 0;
}
