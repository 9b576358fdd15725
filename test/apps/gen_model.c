/*
 * gen_model - write a small valid quantizable model file for the end-to-end
 * checks of apps/mnist_lola (test/apps/mnist_lola.sh): input C x H x W, one
 * dense layer to CLASSES outputs, random weights (fixed seed), 8-bit
 * weights, in_exp 8.
 *
 *   test/apps/gen_model OUT C H W CLASSES
 */
#include "veil/nn.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    nn_model_t m;
    nn_shape_t in;
    veil_rng_t rng;
    uint8_t seed[VEIL_SEED_BYTES] = {7};
    long c, h, w, k;

    if (argc != 6) {
        fprintf(stderr, "usage: gen_model OUT C H W CLASSES\n");
        return 2;
    }
    c = atol(argv[2]);
    h = atol(argv[3]);
    w = atol(argv[4]);
    k = atol(argv[5]);
    if (c < 1 || h < 1 || w < 1 || k < 1 || c > NN_MAX_DIM || h > NN_MAX_DIM ||
        w > NN_MAX_DIM || k > NN_MAX_DIM) {
        fprintf(stderr, "gen_model: bad sizes\n");
        return 2;
    }
    in.c = (uint32_t)c;
    in.h = (uint32_t)h;
    in.w = (uint32_t)w;
    veil_rng_init_seed(&rng, seed);
    if (nn_model_init(&m, in) != VEIL_OK ||
        nn_model_add_dense(&m, (uint32_t)k) != VEIL_OK) {
        fprintf(stderr, "gen_model: cannot build the model\n");
        return 1;
    }
    nn_model_init_params(&m, &rng, 1.0f);
    if (nn_model_set_qbits(&m, 8, 8) != VEIL_OK ||
        nn_model_save(argv[1], &m) != VEIL_OK) {
        fprintf(stderr, "gen_model: cannot write %s\n", argv[1]);
        nn_model_clear(&m);
        return 1;
    }
    nn_model_clear(&m);
    veil_rng_clear(&rng);
    return 0;
}
