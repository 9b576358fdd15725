/*
 * doc_nn.c - the numbers of doc/10-nn.md that follow from the committed
 * models (models/lola.vmodel, models/lola-small.vmodel) and MNIST: keys
 * NAME.NET or NAME.NET:LAYER (see doc_numbers.h), NET = lola or
 * lola-small:
 *   nn_params.NET        trainable parameters of the float model
 *   nn_inexp.NET         the input exponent (pixel * 2^in_exp / 256)
 *   nn_inmax.NET         the largest quantized input
 *   nn_qexp.NET:I        the quantization exponent of layer I (0-based)
 *   nn_wmax.NET:I        the largest |integer weight| of layer I
 *   nn_bits.NET:I        bits of the worst-case |value| after layer I - 1
 *                        (I = 0: the input), nn_ranges_compute
 *   nn_worst.NET         bits of the worst case over all layers
 *   nn_worst_raw.NET:B   the same with B-bit weights in every layer and raw
 *                        pixels (nn_model_set_qbits(B, 8))
 *   nn_acc_float.NET     float accuracy on the 10,000 test images, "99.10%"
 *   nn_acc_quant.NET     quantized (exact integer) accuracy, same set
 *   nn_agree.NET         agreement float / quantized on the test images
 *   nn_seen.NET          bits of the largest |value| of any layer over the
 *                        test set (exact evaluation of every image)
 * The last four need MNIST (nn_mnist_locate: MNIST_DIR, ./data/mnist, ...);
 * without it the key is unknown and the check fails, as test/nn does.
 */
#include "doc_numbers.h"
#include "veil/nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

typedef struct {
    int ready, data_ready;
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    double facc, qacc, agree;
    unsigned seen;
} nn_entry_t;

static nn_entry_t nets[2];
static const char *const net_names[2] = {"lola", "lola-small"};

static nn_entry_t *net(const char *name)
{
    char path[4096];
    const char *dir = getenv("srcdir");
    int i;
    for (i = 0; i < 2 && strcmp(name, net_names[i]) != 0; i++)
        ;
    if (i == 2)
        return NULL;
    nn_entry_t *e = &nets[i];
    if (!e->ready) {
        snprintf(path, sizeof(path), "%s/models/%s.vmodel",
                 dir != NULL ? dir : VEIL_SRCDIR, name);
        if (nn_model_load(&e->m, path) != VEIL_OK)
            return NULL;
        if (nn_qmodel_init(&e->q, &e->m) != VEIL_OK) {
            nn_model_clear(&e->m);
            return NULL;
        }
        if (nn_ranges_compute(&e->r, &e->q, 0, e->q.in_max) != VEIL_OK) {
            nn_qmodel_clear(&e->q);
            nn_model_clear(&e->m);
            return NULL;
        }
        e->ready = 1;
    }
    return e;
}

/* accuracies and the largest value seen, over the MNIST test set */
static int net_data(nn_entry_t *e)
{
    char dir[4096];
    nn_dataset_t ds;
    nn_qtrace_t t;
    fmpz_t seen;
    const char *src = getenv("srcdir");
    if (e->data_ready)
        return 0;
    if (nn_mnist_locate(dir, sizeof(dir), NULL,
                        src != NULL ? src : VEIL_SRCDIR) != VEIL_OK ||
        nn_mnist_load(&ds, dir, NN_MNIST_TEST) != VEIL_OK)
        return -1;
    if (nn_model_accuracy(&e->facc, &e->m, &ds) != VEIL_OK ||
        nn_qmodel_accuracy(&e->qacc, &e->agree, &e->q, &e->m, &ds) != VEIL_OK ||
        nn_qtrace_init(&t, &e->q) != VEIL_OK) {
        nn_dataset_clear(&ds);
        return -1;
    }
    fmpz_init(seen);
    for (uint32_t i = 0; i < ds.count; i++) {
        nn_qmodel_quantize_input(t.v[0], &e->q,
                                 ds.images + (size_t)i * ds.rows * ds.cols);
        nn_qmodel_eval(&t, &e->q);
        for (uint32_t l = 1; l <= t.nlayers; l++)
            for (size_t j = 0; j < t.len[l]; j++)
                if (fmpz_cmpabs(t.v[l] + j, seen) > 0)
                    fmpz_abs(seen, t.v[l] + j);
    }
    e->seen = (unsigned)fmpz_bits(seen);
    fmpz_clear(seen);
    nn_qtrace_clear(&t);
    nn_dataset_clear(&ds);
    e->data_ready = 1;
    return 0;
}

/* worst-case bits of the same network with every layer at `bits`-bit
 * weights and raw pixels (in_exp 8) */
static int worst_at(unsigned *out, const nn_model_t *m0, uint32_t bits)
{
    nn_model_t m;
    nn_qmodel_t q;
    nn_ranges_t r;
    int ok = -1;
    if (nn_model_copy(&m, m0) != VEIL_OK)
        return -1;
    if (nn_model_set_qbits(&m, bits, 8) == VEIL_OK &&
        nn_qmodel_init(&q, &m) == VEIL_OK) {
        if (nn_ranges_compute(&r, &q, 0, q.in_max) == VEIL_OK) {
            *out = r.bits;
            ok = 0;
            nn_ranges_clear(&r);
        }
        nn_qmodel_clear(&q);
    }
    nn_model_clear(&m);
    return ok;
}

int dn_nn_value(char *out, size_t cap, const char *name, const char *arg)
{
    char nname[32];
    const char *colon = strchr(arg, ':');
    long layer = -1;
    nn_entry_t *e;
    size_t len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);

    if (len >= sizeof(nname))
        return -1;
    memcpy(nname, arg, len);
    nname[len] = '\0';
    if (colon != NULL)
        layer = strtol(colon + 1, NULL, 10);
    e = net(nname);
    if (e == NULL)
        return -1;
    if (strcmp(name, "nn_params") == 0)
        dn_thousands(out, cap, e->m.nparams);
    else if (strcmp(name, "nn_worst_raw") == 0) { /* ARG layer = bits */
        unsigned b;
        if (layer < 2 || layer > 25 || worst_at(&b, &e->m, (uint32_t)layer))
            return -1;
        snprintf(out, cap, "%u", b);
    } else if (strcmp(name, "nn_inexp") == 0)
        snprintf(out, cap, "%d", (int)e->q.in_exp);
    else if (strcmp(name, "nn_inmax") == 0)
        snprintf(out, cap, "%lld", (long long)e->q.in_max);
    else if (strcmp(name, "nn_worst") == 0)
        snprintf(out, cap, "%u", e->r.bits);
    else if (strcmp(name, "nn_qexp") == 0 || strcmp(name, "nn_wmax") == 0) {
        if (layer < 0 || layer >= (long)e->q.nlayers)
            return -1;
        if (strcmp(name, "nn_qexp") == 0)
            snprintf(out, cap, "%d", (int)e->m.layers[layer].qexp);
        else
            snprintf(out, cap, "%d", (int)e->q.layers[layer].wmax);
    } else if (strcmp(name, "nn_bits") == 0) {
        if (layer < 0 || layer > (long)e->r.nlayers)
            return -1;
        snprintf(out, cap, "%u", e->r.v[layer].bits);
    } else if (strcmp(name, "nn_acc_float") == 0 ||
               strcmp(name, "nn_acc_quant") == 0 ||
               strcmp(name, "nn_agree") == 0 || strcmp(name, "nn_seen") == 0) {
        if (net_data(e) != 0)
            return -1;
        if (strcmp(name, "nn_seen") == 0)
            snprintf(out, cap, "%u", e->seen);
        else
            snprintf(out, cap, "%.2f%%",
                     100.0 * (strcmp(name, "nn_acc_float") == 0   ? e->facc
                              : strcmp(name, "nn_acc_quant") == 0 ? e->qacc
                                                                  : e->agree));
    } else
        return -1;
    return 0;
}

void dn_nn_free(void)
{
    for (int i = 0; i < 2; i++) {
        if (nets[i].ready) {
            nn_ranges_clear(&nets[i].r);
            nn_qmodel_clear(&nets[i].q);
            nn_model_clear(&nets[i].m);
        }
        memset(&nets[i], 0, sizeof(nets[i]));
    }
}
