/* The .vmodel format: round trips, and a loader that answers every
 * truncated, bit-flipped or hostile file with VEIL_EFORMAT. */
#include "common.h"
#include <criterion/criterion.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small model with every layer type (batch norm included). */
static void small_model(nn_model_t *m, uint64_t seed)
{
    const nn_shape_t in = {1, 8, 8};
    const float coef[3] = {0.1f, 0.5f, 0.25f};
    veil_rng_t rng;
    cr_assert_eq(nn_model_init(m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(m, 3, 3, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_batchnorm(m), VEIL_OK);
    cr_assert_eq(nn_model_add_poly(m, 2, coef), VEIL_OK);
    cr_assert_eq(nn_model_add_avgpool(m, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, 7), VEIL_OK);
    cr_assert_eq(nn_model_add_square(m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(m, NN_CLASSES), VEIL_OK);
    vt_rng_fixed(&rng, seed);
    nn_model_init_params(m, &rng, 1.0f);
    for (size_t j = 0; j < m->nstate; j++) /* non-trivial running stats */
        m->state[j] = (float)vt_uniform(&rng, 0.1, 2.0);
}

/* Recompute the SHA-256 trailer after an edit, so that only the field
 * checks can catch it. */
static void rehash(uint8_t *buf, size_t len)
{
    crypto_hash_sha256(buf + len - 32, buf, len - 32);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void assert_same_model(const nn_model_t *a, const nn_model_t *b)
{
    cr_assert_eq(a->nlayers, b->nlayers);
    cr_assert_eq(a->nparams, b->nparams);
    cr_assert_eq(a->nstate, b->nstate);
    cr_assert_eq(a->quantizable, b->quantizable);
    cr_assert_eq(a->in_exp, b->in_exp);
    cr_assert(memcmp(a->params, b->params, a->nparams * sizeof(float)) == 0);
    if (a->nstate > 0)
        cr_assert(memcmp(a->state, b->state, a->nstate * sizeof(float)) == 0);
    for (uint32_t i = 0; i < a->nlayers; i++) {
        cr_assert_eq(a->layers[i].type, b->layers[i].type);
        cr_assert_eq(a->layers[i].qexp, b->layers[i].qexp);
        cr_assert_eq(nn_shape_size(a->layers[i].out),
                     nn_shape_size(b->layers[i].out));
    }
}

Test(model_io, round_trip_file_and_memory)
{
    nn_model_t m, f, back;
    uint8_t *buf;
    size_t len;
    char path[] = "/tmp/veil-nn-model-XXXXXX";
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    small_model(&m, 1);
    cr_assert_eq(nn_model_serialize(&buf, &len, &m), VEIL_OK);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_OK);
    assert_same_model(&m, &back);
    nn_model_clear(&back);
    free(buf);

    /* folded and quantizable: the exponents travel too */
    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_OK);
    cr_assert_eq(nn_model_set_qbits(&f, 7, 5), VEIL_OK);
    cr_assert_eq(nn_model_save(path, &f), VEIL_OK);
    cr_assert_eq(nn_model_load(&back, path), VEIL_OK);
    assert_same_model(&f, &back);
    nn_model_clear(&back);
    unlink(path);
    cr_assert_eq(nn_model_load(&back, path), VEIL_EIO);
    cr_assert_eq(nn_model_save("/nonexistent-dir/x.vmodel", &f), VEIL_EIO);
    nn_model_clear(&f);
    nn_model_clear(&m);
    nn_model_clear(&m);
}

Test(model_io, every_truncation_and_every_bit_flip_is_rejected)
{
    nn_model_t m, back;
    uint8_t *buf;
    size_t len;

    small_model(&m, 2);
    cr_assert_eq(nn_model_serialize(&buf, &len, &m), VEIL_OK);
    for (size_t l = 0; l < len; l++)
        cr_assert_eq(nn_model_parse(&back, buf, l), VEIL_EFORMAT,
                     "length %zu of %zu", l, len);
    for (size_t at = 0; at < len; at++) {
        const int bit = (int)(at % 8);
        buf[at] ^= (uint8_t)(1 << bit);
        cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT,
                     "bit %d of byte %zu", bit, at);
        cr_assert_null(back.params);
        buf[at] ^= (uint8_t)(1 << bit);
    }
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_OK);
    nn_model_clear(&back);
    free(buf);
    nn_model_clear(&m);
}

/* Byte offsets in the serialization of small_model (models/README.md). */
enum {
    OFF_VERSION = 8,
    OFF_FLAGS = 12,
    OFF_IN_C = 16,
    OFF_IN_EXP = 28,
    OFF_NLAYERS = 32,
    OFF_L0 = 36,             /* first layer record: conv2d          */
    OFF_L0_VALUES = 36 + 32, /* its float32 values                   */
};

Test(model_io, hostile_fields_with_valid_checksum_are_rejected)
{
    nn_model_t m, back;
    uint8_t *buf, *bad;
    size_t len;
    const struct {
        size_t at;
        uint32_t v;
        const char *what;
    } cases[] = {
        {0, 0x00, "magic"},
        {OFF_VERSION, 2, "version"},
        {OFF_VERSION, 0, "version 0"},
        {OFF_FLAGS, 4, "unknown flag"},
        {OFF_IN_C, 0, "zero input channels"},
        {OFF_IN_C, 0xFFFFFFFFu, "absurd input channels"},
        {OFF_IN_EXP, 3, "in_exp without the quantization flag"},
        {OFF_NLAYERS, 0, "no layers"},
        {OFF_NLAYERS, NN_MAX_LAYERS + 1, "too many layers"},
        {OFF_NLAYERS, 6, "fewer layers than stored"},
        {OFF_NLAYERS, 8, "more layers than stored"},
        {OFF_L0, 99, "unknown layer type"},
        {OFF_L0, 0, "layer type 0"},
        {OFF_L0 + 4, 0x7FFFFFFFu, "absurd number of maps"},
        {OFF_L0 + 8, 0, "kernel 0"},
        {OFF_L0 + 8, 11, "kernel larger than the padded input"},
        {OFF_L0 + 8, 0xFFFFFFFFu, "absurd kernel"},
        {OFF_L0 + 12, 0, "stride 0"},
        {OFF_L0 + 16, 3, "padding >= kernel"},
        {OFF_L0 + 16, 0x80000000u, "absurd padding"},
        {OFF_L0 + 20, 5, "qexp without the quantization flag"},
        {OFF_L0 + 24, 0xFFFFFFFFu, "absurd value count"},
        {OFF_L0 + 24, 29, "value count off by one"},
        {OFF_L0 + 28, 1, "reserved word"},
        {OFF_L0_VALUES, 0x7FC00000u, "NaN weight"},
        {OFF_L0_VALUES + 4, 0x7F800000u, "infinite weight"},
    };

    small_model(&m, 3);
    cr_assert_eq(nn_model_serialize(&buf, &len, &m), VEIL_OK);
    bad = malloc(len);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        memcpy(bad, buf, len);
        if (cases[c].at == 0)
            bad[0] = 0x88;
        else
            put32(bad + cases[c].at, cases[c].v);
        rehash(bad, len);
        cr_assert_eq(nn_model_parse(&back, bad, len), VEIL_EFORMAT, "%s",
                     cases[c].what);
    }
    /* a trailing byte, with the checksum over everything before it */
    {
        uint8_t *longer = malloc(len + 1);
        memcpy(longer, buf, len - 32);
        longer[len - 32] = 0;
        memcpy(longer + len - 31, buf + len - 32, 32);
        rehash(longer, len + 1);
        cr_assert_eq(nn_model_parse(&back, longer, len + 1), VEIL_EFORMAT);
        free(longer);
    }
    free(bad);
    free(buf);
    nn_model_clear(&m);
}

Test(model_io, hostile_batchnorm_and_quantization_fields)
{
    nn_model_t m, f, back;
    uint8_t *buf;
    size_t len, bn_at, var_at;

    small_model(&m, 4);
    cr_assert_eq(nn_model_serialize(&buf, &len, &m), VEIL_OK);
    /* batch norm record follows the conv record (27 weights, 3 biases) */
    bn_at = OFF_L0 + 32 + 4 * 30;
    var_at = bn_at + 32 + 4 * 9;      /* gamma, beta, mean, then var */
    put32(buf + var_at, 0xBF800000u); /* -1.0f */
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT);
    put32(buf + var_at, 0x3F800000u); /* 1.0f is fine */
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_OK);
    nn_model_clear(&back);
    put32(buf + bn_at + 4, 0); /* eps = 0 */
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT);
    /* a quantization flag on a model with batch norm */
    put32(buf + bn_at + 4, 0x3727C5ACu); /* 1e-5f */
    put32(buf + OFF_FLAGS, 1);
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT);
    free(buf);

    cr_assert_eq(nn_model_fold_batchnorm(&f, &m), VEIL_OK);
    cr_assert_eq(nn_model_set_qbits(&f, 6, 8), VEIL_OK);
    cr_assert_eq(nn_model_serialize(&buf, &len, &f), VEIL_OK);
    put32(buf + OFF_IN_EXP, 9);
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT);
    put32(buf + OFF_IN_EXP, 8);
    put32(buf + OFF_L0 + 20, (uint32_t)(NN_QEXP_MAX + 1));
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT);
    put32(buf + OFF_L0 + 20, (uint32_t)(NN_QEXP_MIN - 1));
    rehash(buf, len);
    cr_assert_eq(nn_model_parse(&back, buf, len), VEIL_EFORMAT);
    free(buf);
    nn_model_clear(&f);
    nn_model_clear(&m);
}

/* The committed models load, are quantizable, and have the shapes of the
 * paper's networks. */
Test(model_io, committed_models_load)
{
    const char *names[2] = {"models/lola.vmodel", "models/lola-small.vmodel"};
    const uint32_t nlayers[2] = {5, 3};
    for (int i = 0; i < 2; i++) {
        nn_model_t m;
        cr_assert_eq(nn_model_load(&m, nt_src_path(names[i])), VEIL_OK, "%s",
                     names[i]);
        cr_assert_eq(m.nlayers, nlayers[i]);
        cr_assert(m.quantizable);
        cr_assert_eq(m.layers[0].type, NN_LAYER_CONV2D);
        cr_assert_eq(nn_shape_size(m.layers[0].out), 845);
        cr_assert_eq(nn_shape_size(nn_model_out_shape(&m)), NN_CLASSES);
        nn_model_clear(&m);
    }
}
