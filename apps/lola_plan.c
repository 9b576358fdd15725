/* lola_plan: the LoLa planner's plan for the paper's CIFAR-10 network
 * (section 4.4; lola_cnn2_cifar10) with generated weights of a realistic
 * scale (lola_model_generate), printed as the plan report plus the sizes
 * that decide memory.  No encryption: the full evaluation needs streamed
 * weights (doc/11-lola.md section 10).
 *
 *   apps/lola_plan [--wbits B] [--in-exp E] [--kernels K] */
#include "veil/lola.h"
#include "veil/lola_models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    lola_cnn2_shape_t sh;
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    veil_rng_t rng;
    lola_spec_t spec;
    lola_report_t rep;
    lola_options_t o;
    int wbits = 4, ie = 4;
    const char *kernels = "conv-plain,diag,dense-row";
    static char buf[1 << 16];
    veil_status s;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--wbits") == 0)
            wbits = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--in-exp") == 0)
            ie = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--kernels") == 0)
            kernels = argv[i + 1];
        else {
            fprintf(stderr,
                    "usage: %s [--wbits B] [--in-exp E] "
                    "[--kernels K]\n",
                    argv[0]);
            return 2;
        }
    }
    lola_cnn2_cifar10(&sh);
    s = veil_rng_init(&rng);
    if (s == VEIL_OK)
        s = lola_cnn2_model(&m, &sh);
    if (s != VEIL_OK) {
        fprintf(stderr, "model: %s\n", veil_strerror(s));
        return 1;
    }
    s = lola_model_generate(&q, &m, &rng, 16, 1.0f, (uint32_t)wbits, ie);
    if (s != VEIL_OK) {
        fprintf(stderr, "generate: %s\n", veil_strerror(s));
        return 1;
    }
    for (uint32_t i = 0; i < q.nlayers; i++)
        printf("layer %u %-7s out %6zu  max |w| %d\n", i,
               nn_layer_name(q.layers[i].type), nn_shape_size(q.layers[i].out),
               q.layers[i].wmax);
    if (nn_ranges_compute(&r, &q, 0, q.in_max) == VEIL_OK) {
        for (uint32_t i = 0; i <= q.nlayers; i++)
            printf("values after layer %d: %u bits (worst case)\n", (int)i - 1,
                   r.v[i].bits);
        nn_ranges_clear(&r);
    }
    lola_options_default(&o);
    o.kernels = kernels;
    s = lola_plan(&spec, &rep, &q, &o);
    if (s != VEIL_OK) {
        fprintf(stderr, "plan: %s\n", veil_strerror(s));
        return 1;
    }
    lola_report_format(buf, sizeof buf, &rep, &spec, NULL);
    fputs(buf, stdout);
    {
        const bfv_params_t *p = &spec.params[0];
        const double mb = 1.0 / (1 << 20);
        size_t plains = 0;
        for (size_t i = 0; i < rep.nsteps; i++)
            plains += rep.steps[i].counts.mul_plain;
        /* an NTT plaintext: n_q rows of n words, and as many Shoup words;
         * a ciphertext: 2 polynomials of n_q rows; a Galois key: n_q digits
         * of 2 polynomials over the n_q + n_p primes */
        printf("per component: %zu NTT plaintexts of %.1f MB, %zu input "
               "ciphertexts of %.1f MB, %zu Galois keys of %.1f MB\n",
               plains, 2.0 * p->n * p->n_q * 8 * mb, rep.input_messages,
               2.0 * p->n * p->n_q * 8 * mb, rep.ngalois,
               2.0 * p->n_q * p->n * (p->n_q + p->n_p) * 8 * mb);
    }
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
    veil_rng_clear(&rng);
    return 0;
}
