/* Features files (deep representations, doc/11-lola.md section 11):
 * written and read back bit for bit, every malformed header, a truncated or
 * oversized file and a bad label rejected, and features extracted from a
 * trunk equal to the float forward pass quantized by hand. */
#include "common.h"
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A random set of count x dim codes and labels below classes. */
static void random_set(nn_features_t *f, veil_rng_t *rng, uint32_t count,
                       uint32_t dim, uint32_t classes)
{
    cr_assert_eq(nn_features_init(f, count, dim, classes, 0.0375f), VEIL_OK);
    veil_rng_bytes(rng, f->codes, (size_t)count * dim);
    for (uint32_t r = 0; r < count; r++)
        f->labels[r] =
            (uint8_t)((uint32_t)vt_uniform(rng, 0, classes) % classes);
}

static void assert_same(const nn_features_t *a, const nn_features_t *b)
{
    cr_assert_eq(a->count, b->count);
    cr_assert_eq(a->dim, b->dim);
    cr_assert_eq(a->classes, b->classes);
    cr_assert_eq(memcmp(&a->scale, &b->scale, sizeof(float)), 0);
    cr_assert_eq(memcmp(a->codes, b->codes, (size_t)a->count * a->dim), 0);
    cr_assert_eq(memcmp(a->labels, b->labels, a->count), 0);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

Test(features, roundtrip_memory_and_file)
{
    veil_rng_t rng;
    nn_features_t f, g, h;
    uint8_t *buf;
    size_t len;
    char path[] = "/tmp/veil-features-XXXXXX";
    int fd;

    vt_rng(&rng, "features_roundtrip");
    random_set(&f, &rng, 17, 33, 7);
    cr_assert_eq(nn_features_serialize(&buf, &len, &f), VEIL_OK);
    cr_assert_eq(len, NN_FEATURES_HEADER + 17 * (33 + 1));
    cr_assert_eq(memcmp(buf, "VFEA", 4), 0);
    cr_assert_eq(buf[4], NN_FEATURES_VERSION);
    cr_assert_eq(nn_features_parse(&g, buf, len), VEIL_OK);
    assert_same(&f, &g);
    fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(nn_features_save(path, &f), VEIL_OK);
    cr_assert_eq(nn_features_load(&h, path), VEIL_OK);
    assert_same(&f, &h);
    /* a file with one byte more or less is refused before parsing */
    {
        FILE *fp = fopen(path, "ab");
        cr_assert_not_null(fp);
        fputc(0, fp);
        fclose(fp);
        nn_features_clear(&h);
        cr_assert_eq(nn_features_load(&h, path), VEIL_EFORMAT);
        cr_assert_eq(truncate(path, (off_t)len - 1), 0);
        cr_assert_eq(nn_features_load(&h, path), VEIL_EFORMAT);
        cr_assert_null(h.codes);
    }
    unlink(path);
    cr_assert_eq(nn_features_load(&h, path), VEIL_EIO);
    free(buf);
    nn_features_clear(&f);
    nn_features_clear(&g);
    nn_features_clear(&h);
    nn_features_clear(&h); /* twice */
    veil_rng_clear(&rng);
}

/* Every header field set to each bad value must be refused (EFORMAT), and
 * the output left empty. */
Test(features, malformed_headers)
{
    veil_rng_t rng;
    nn_features_t f, g;
    uint8_t *buf, *bad;
    size_t len;
    const float nan = NAN, inf = INFINITY, neg = -1.0f, zero = 0.0f;
    uint32_t u;
    struct {
        size_t off;
        uint32_t value;
        const char *what;
    } cases[] = {
        {0, 0x41454656 ^ 1, "magic"},
        {4, 0, "version 0"},
        {4, 2, "version 2"},
        {8, 0, "count 0"},
        {8, NN_FEATURES_MAX_COUNT + 1, "count too large"},
        {8, 16, "count smaller than the payload"},
        {8, 18, "count larger than the payload"},
        {12, 0, "dim 0"},
        {12, NN_FEATURES_MAX_DIM + 1, "dim too large"},
        {12, 32, "dim smaller"},
        {16, 0, "classes 0"},
        {16, 1, "classes 1"},
        {16, NN_FEATURES_MAX_CLASSES + 1, "classes too large"},
        {24, 1, "flags"},
        {28, 0x80000000u, "reserved"},
        {20, 0, "scale 0"},
        {20, 0, "scale NaN"},
        {20, 0, "scale inf"},
        {20, 0, "scale negative"},
    };

    vt_rng(&rng, "features_malformed");
    random_set(&f, &rng, 17, 33, 7);
    cr_assert_eq(nn_features_serialize(&buf, &len, &f), VEIL_OK);
    bad = malloc(len + 1);
    cr_assert_not_null(bad);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(bad, buf, len);
        if (i == 0) {
            bad[0] ^= 1;
        } else if (cases[i].off == 20) {
            const float *v = strstr(cases[i].what, "NaN")   ? &nan
                             : strstr(cases[i].what, "inf") ? &inf
                             : strstr(cases[i].what, "neg") ? &neg
                                                            : &zero;
            memcpy(&u, v, 4);
            put32(bad + 20, u);
        } else {
            put32(bad + cases[i].off, cases[i].value);
        }
        cr_expect_eq(nn_features_parse(&g, bad, len), VEIL_EFORMAT, "%s",
                     cases[i].what);
        cr_expect_null(g.codes, "%s", cases[i].what);
    }
    /* count * dim above NN_FEATURES_MAX_BYTES with both in range */
    memcpy(bad, buf, len);
    put32(bad + 8, NN_FEATURES_MAX_COUNT);
    put32(bad + 12, NN_FEATURES_MAX_DIM);
    cr_expect_eq(nn_features_parse(&g, bad, len), VEIL_EFORMAT);
    /* a label >= classes */
    memcpy(bad, buf, len);
    bad[len - 1] = 7;
    cr_expect_eq(nn_features_parse(&g, bad, len), VEIL_EFORMAT);
    /* every truncation, and one trailing byte */
    for (size_t l = 0; l < len; l++)
        cr_expect_eq(nn_features_parse(&g, buf, l), VEIL_EFORMAT, "len %zu", l);
    memcpy(bad, buf, len);
    bad[len] = 0;
    cr_expect_eq(nn_features_parse(&g, bad, len + 1), VEIL_EFORMAT);
    cr_expect_eq(nn_features_parse(&g, NULL, len), VEIL_EFORMAT);
    /* the unchanged bytes still parse */
    cr_assert_eq(nn_features_parse(&g, buf, len), VEIL_OK);
    nn_features_clear(&g);
    free(bad);
    free(buf);
    nn_features_clear(&f);
    veil_rng_clear(&rng);
}

Test(features, init_and_serialize_refuse_bad_sets)
{
    nn_features_t f;
    uint8_t *buf;
    size_t len;
    cr_expect_eq(nn_features_init(&f, 0, 4, 3, 1.0f), VEIL_EINVAL);
    cr_expect_eq(nn_features_init(&f, 1, NN_FEATURES_MAX_DIM + 1, 3, 1.0f),
                 VEIL_EINVAL);
    cr_expect_eq(nn_features_init(&f, 1, 4, 1, 1.0f), VEIL_EINVAL);
    cr_expect_eq(nn_features_init(&f, 1, 4, 3, -2.0f), VEIL_EINVAL);
    cr_assert_eq(nn_features_init(&f, 2, 4, 3, 1.0f), VEIL_OK);
    f.labels[1] = 3;
    cr_expect_eq(nn_features_serialize(&buf, &len, &f), VEIL_EINVAL);
    nn_features_clear(&f);
}

/* Extraction: the codes are the trunk's float outputs (the first `layers`
 * layers, computed here with nn_model_forward on the cut model) quantized
 * by round(max(v, 0) / scale), clipped at 255; the automatic scale maps the
 * largest value to 255. */
Test(features, extract_matches_forward_pass)
{
    veil_rng_t rng;
    nn_model_t m, cut;
    nn_dataset_t ds, back;
    nn_features_t f;
    const uint32_t count = 6;
    float x[64], y[8], *work;

    vt_rng(&rng, "features_extract");
    cr_assert_eq(nn_model_init(&m, (nn_shape_t){1, 8, 8}), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 2, 0), VEIL_OK);
    cr_assert_eq(nn_model_add_relu(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 8), VEIL_OK);
    cr_assert_eq(nn_model_add_relu(&m), VEIL_OK);
    cr_assert_eq(nn_model_add_dense(&m, 10), VEIL_OK);
    memset(&ds, 0, sizeof(ds));
    ds.count = count;
    ds.rows = ds.cols = 8;
    ds.images = malloc(count * 64);
    ds.labels = malloc(count);
    cr_assert(ds.images && ds.labels);
    veil_rng_bytes(&rng, ds.images, count * 64);
    for (uint32_t r = 0; r < count; r++)
        ds.labels[r] = (uint8_t)(r % 4);
    cut = m;
    cut.nlayers = 4;
    work = malloc(nn_model_work_size(&cut) * sizeof(float));
    cr_assert_not_null(work);
    /* A dead trunk (every value <= 0 on every image) falls back to scale 1
     * and all-zero codes. */
    memset(m.params, 0, m.nparams * sizeof(float));
    cr_assert_eq(nn_features_extract(&f, &m, 4, &ds, 0, count, 4, 0.0f),
                 VEIL_OK);
    cr_expect_eq(f.scale, 1.0f);
    for (uint32_t i = 0; i < count * 8; i++)
        cr_expect_eq(f.codes[i], 0);
    nn_features_clear(&f);
    /* Random parameters, drawn again while the trunk is dead on the first
     * image, so that the automatic scale below comes from a positive
     * maximum. */
    for (int tries = 0;; tries++) {
        int alive = 0;
        cr_assert_lt(tries, 64, "no live trunk in 64 draws");
        nn_model_init_params(&m, &rng, 1.0f);
        nn_image_to_input(x, m.in, ds.images, 8, 8);
        nn_model_forward(y, &cut, x, work);
        for (int i = 0; i < 8; i++)
            alive |= y[i] > 0.0f;
        if (alive)
            break;
    }
    /* labels must be below classes */
    cr_expect_eq(nn_features_extract(&f, &m, 4, &ds, 0, count, 3, 0.0f),
                 VEIL_EINVAL);
    cr_expect_eq(nn_features_extract(&f, &m, 6, &ds, 0, count, 4, 0.0f),
                 VEIL_EINVAL);
    cr_expect_eq(nn_features_extract(&f, &m, 4, &ds, 1, count, 4, 0.0f),
                 VEIL_EINVAL);
    cr_assert_eq(nn_features_extract(&f, &m, 4, &ds, 0, count, 4, 0.0f),
                 VEIL_OK);
    cr_assert_eq(f.dim, 8);
    cr_assert_eq(f.classes, 4);
    cr_assert_gt(f.scale, 0.0f);
    {
        float vmax = 0;
        int top = 0;
        for (uint32_t r = 0; r < count; r++) {
            nn_image_to_input(x, m.in, ds.images + r * 64, 8, 8);
            nn_model_forward(y, &cut, x, work);
            for (int i = 0; i < 8; i++) {
                float c = y[i] > 0 ? roundf(y[i] / f.scale) : 0;
                if (c > 255)
                    c = 255;
                cr_expect_eq(f.codes[r * 8 + i], (uint8_t)c, "r %u i %d", r, i);
                cr_expect_geq(y[i], 0.0f); /* after a ReLU */
                vmax = y[i] > vmax ? y[i] : vmax;
                top |= f.codes[r * 8 + i] == 255;
            }
            cr_expect_eq(f.labels[r], ds.labels[r]);
        }
        cr_expect_float_eq(f.scale, vmax / 255.0f, 1e-6);
        cr_expect(top, "the largest value maps to 255");
    }
    cr_assert_eq(nn_features_dataset(&back, &f), VEIL_OK);
    cr_expect_eq(back.count, count);
    cr_expect_eq(nn_dataset_channels(&back), 8);
    cr_expect_eq(back.rows * back.cols, 1);
    cr_expect_eq(memcmp(back.images, f.codes, count * 8), 0);
    nn_dataset_clear(&back);
    free(work);
    nn_features_clear(&f);
    nn_dataset_clear(&ds);
    nn_model_clear(&m);
    veil_rng_clear(&rng);
}
