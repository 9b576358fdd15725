/*
 * doc_safenet.c - the safenet_* keys of doc_numbers.h: the counts
 * doc/22-safenet.md quotes, computed from the library.
 *   safenet_relu_and.SHIFT     AND gates of the truncating ReLU circuit
 *                              (safenet_circuit_relu_trunc, default p)
 *   safenet_relus.PLAN         ReLU elements of CNN-7 (3x32x32) under the
 *   safenet_polys.PLAN         plan relu, delphi or safenet80, and its
 *                              polynomial elements
 *   safenet_tables_gb.relu     offline garbled tables of the relu plan,
 *                              relus x AND gates x 32 bytes, in GB
 *   safenet_labels_mb.relu     the client's OT traffic for its labels
 *                              (relus x bits of p x 16 bytes), in MB
 *   safenet_he_up.L, _down.L   bytes of the offline HE exchange of CNN-7's
 *                              linear layer L (0 .. 7) or "total"
 *                              (safenet_he_upload_bytes, _download_bytes)
 *   safenet_he_limbs.0         primes of a switched reply (doc/23)
 * Counts do not depend on the weights (the plans replace a fixed share of
 * the channels of each layer), so the model is initialised from a fixed
 * seed.
 */
#include "../../safenet/he.h"
#include "doc_numbers.h"
#include "veil/nn.h"
#include "veil/safenet.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long and_gates(unsigned shift)
{
    mpc_circuit_t c;
    long k = 0;
    if (safenet_circuit_relu_trunc(&c, SAFENET_P_DEFAULT, shift) != VEIL_OK)
        return -1;
    for (uint32_t g = 0; g < c.n_gates; g++)
        k += c.gates[g].op == MPC_GATE_AND;
    mpc_circuit_clear(&c);
    return k;
}

static unsigned p_bits(void)
{
    unsigned b = 0;
    while (b < 64 && (SAFENET_P_DEFAULT >> b) != 0)
        b++;
    return b;
}

/* ReLU and polynomial elements of CNN-7 under a plan; 0 on success. */
static int cnn7_counts(const char *plan, size_t *relus, size_t *polys)
{
    static const struct {
        const char *name;
        safenet_plan_t plan;
    } plans[] = {{"relu", SAFENET_PLAN_RELU},
                 {"delphi", SAFENET_PLAN_DELPHI},
                 {"safenet80", SAFENET_PLAN_SAFENET80}};
    const nn_shape_t in = {3, 32, 32};
    nn_model_t m;
    safenet_net_t net;
    veil_rng_t rng;
    const uint8_t seed[VEIL_SEED_BYTES] = {22};
    char why[128];
    int rc = -1;
    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
        if (strcmp(plan, plans[i].name) != 0)
            continue;
        if (nn_model_cnn7(&m, in) != VEIL_OK)
            return -1;
        veil_rng_init_seed(&rng, seed);
        nn_model_init_params(&m, &rng, 1.41421356f);
        if (safenet_net_from_model(&net, &m, SAFENET_P_DEFAULT, 15, 15,
                                   plans[i].plan, why,
                                   sizeof(why)) == VEIL_OK) {
            *relus = safenet_net_relus(&net);
            *polys = safenet_net_polys(&net);
            safenet_net_clear(&net);
            rc = 0;
        }
        veil_rng_clear(&rng);
        nn_model_clear(&m);
    }
    return rc;
}

/* The HE keys of doc/23 for CNN-7's linear layers. */
static int he_value(char *out, size_t cap, const char *name, const char *arg)
{
    bfv_params_t prm;
    bfv_context_t ctx;
    size_t up = 0, down = 0, limbs = 0;
    const int total = strcmp(arg, "total") == 0;
    const size_t only = total ? 0 : (size_t)strtoul(arg, NULL, 10);
    int rc = 0;
    if (!total && only >= SAFENET_HE_CNN7_LAYERS)
        return -1;
    if (safenet_he_params(&prm, SAFENET_P_DEFAULT) != VEIL_OK ||
        bfv_context_init(&ctx, &prm) != VEIL_OK)
        return -1;
    for (size_t i = 0; i < SAFENET_HE_CNN7_LAYERS && rc == 0; i++) {
        safenet_he_layer_t L;
        if (!total && i != only)
            continue;
        if (safenet_he_layer_init(&L, &safenet_he_cnn7[i], &ctx) != VEIL_OK) {
            rc = -1;
            break;
        }
        up += safenet_he_upload_bytes(&L);
        down += safenet_he_download_bytes(&L);
        limbs = L.reply_limbs;
        safenet_he_layer_clear(&L);
    }
    bfv_context_clear(&ctx);
    if (rc != 0)
        return -1;
    if (strcmp(name, "safenet_he_up") == 0)
        dn_thousands(out, cap, up);
    else if (strcmp(name, "safenet_he_down") == 0)
        dn_thousands(out, cap, down);
    else if (strcmp(name, "safenet_he_limbs") == 0)
        snprintf(out, cap, "%zu", limbs);
    else
        return -1;
    return 0;
}

int dn_safenet_value(char *out, size_t cap, const char *name, const char *arg)
{
    size_t relus, polys;
    if (strncmp(name, "safenet_he_", 11) == 0)
        return he_value(out, cap, name, arg);
    if (strcmp(name, "safenet_relu_and") == 0) {
        long k = and_gates((unsigned)strtoul(arg, NULL, 10));
        if (k < 0)
            return -1;
        snprintf(out, cap, "%ld", k);
        return 0;
    }
    if (cnn7_counts(strcmp(arg, "relu") == 0 || strcmp(arg, "delphi") == 0 ||
                            strcmp(arg, "safenet80") == 0
                        ? arg
                        : "",
                    &relus, &polys) != 0)
        return -1;
    if (strcmp(name, "safenet_relus") == 0)
        dn_thousands(out, cap, relus);
    else if (strcmp(name, "safenet_polys") == 0)
        dn_thousands(out, cap, polys);
    else if (strcmp(name, "safenet_tables_gb") == 0)
        snprintf(out, cap, "%.2f", (double)relus * and_gates(15) * 32 / 1e9);
    else if (strcmp(name, "safenet_labels_mb") == 0)
        snprintf(out, cap, "%.0f", (double)relus * p_bits() * 16 / 1e6);
    else
        return -1;
    return 0;
}
