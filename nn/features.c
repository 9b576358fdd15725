/*
 * features.c - deep representations (LoLa paper section 5): the features
 * file format (a checked header, then byte codes and labels; layout in
 * include/veil/nn.h and doc/11-lola.md section 11) and the client's
 * extraction of features from a trunk network run in plaintext.
 */
#include "veil/nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t features_magic[4] = {'V', 'F', 'E', 'A'};

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static float f32_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

static uint32_t u32_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return u;
}

/* The limits of nn.h: 1 if a set of these sizes may exist. */
static int sizes_ok(uint32_t count, uint32_t dim, uint32_t classes, float scale)
{
    return count >= 1 && count <= NN_FEATURES_MAX_COUNT && dim >= 1 &&
           dim <= NN_FEATURES_MAX_DIM && classes >= 2 &&
           classes <= NN_FEATURES_MAX_CLASSES && isfinite(scale) &&
           scale > 0.0f && (size_t)count * dim <= NN_FEATURES_MAX_BYTES;
}

static size_t file_bytes(uint32_t count, uint32_t dim)
{
    return NN_FEATURES_HEADER + (size_t)count * ((size_t)dim + 1);
}

void nn_features_clear(nn_features_t *f)
{
    if (f == NULL)
        return;
    free(f->codes);
    free(f->labels);
    memset(f, 0, sizeof(*f));
}

veil_status nn_features_init(nn_features_t *f, uint32_t count, uint32_t dim,
                             uint32_t classes, float scale)
{
    if (f == NULL)
        return VEIL_EINVAL;
    memset(f, 0, sizeof(*f));
    if (!sizes_ok(count, dim, classes, scale))
        return VEIL_EINVAL;
    f->codes = calloc((size_t)count * dim, 1);
    f->labels = calloc(count, 1);
    if (f->codes == NULL || f->labels == NULL) {
        nn_features_clear(f);
        return VEIL_ENOMEM;
    }
    f->count = count;
    f->dim = dim;
    f->classes = classes;
    f->scale = scale;
    return VEIL_OK;
}

veil_status nn_features_serialize(uint8_t **buf, size_t *len,
                                  const nn_features_t *f)
{
    uint8_t *b;
    size_t n;
    if (buf == NULL || len == NULL || f == NULL || f->codes == NULL ||
        f->labels == NULL || !sizes_ok(f->count, f->dim, f->classes, f->scale))
        return VEIL_EINVAL;
    for (uint32_t r = 0; r < f->count; r++)
        if (f->labels[r] >= f->classes)
            return VEIL_EINVAL;
    n = file_bytes(f->count, f->dim);
    if ((b = malloc(n)) == NULL)
        return VEIL_ENOMEM;
    memcpy(b, features_magic, 4);
    store_le32(b + 4, NN_FEATURES_VERSION);
    store_le32(b + 8, f->count);
    store_le32(b + 12, f->dim);
    store_le32(b + 16, f->classes);
    store_le32(b + 20, u32_of(f->scale));
    store_le32(b + 24, 0);
    store_le32(b + 28, 0);
    memcpy(b + NN_FEATURES_HEADER, f->codes, (size_t)f->count * f->dim);
    memcpy(b + NN_FEATURES_HEADER + (size_t)f->count * f->dim, f->labels,
           f->count);
    *buf = b;
    *len = n;
    return VEIL_OK;
}

/* Check a header (len >= NN_FEATURES_HEADER bytes at h); on success the
 * sizes and the scale. */
static veil_status parse_header(uint32_t *count, uint32_t *dim,
                                uint32_t *classes, float *scale,
                                const uint8_t *h)
{
    if (memcmp(h, features_magic, 4) != 0 ||
        load_le32(h + 4) != NN_FEATURES_VERSION || load_le32(h + 24) != 0 ||
        load_le32(h + 28) != 0)
        return VEIL_EFORMAT;
    *count = load_le32(h + 8);
    *dim = load_le32(h + 12);
    *classes = load_le32(h + 16);
    *scale = f32_of(load_le32(h + 20));
    return sizes_ok(*count, *dim, *classes, *scale) ? VEIL_OK : VEIL_EFORMAT;
}

veil_status nn_features_parse(nn_features_t *f, const uint8_t *buf, size_t len)
{
    uint32_t count, dim, classes;
    float scale;
    veil_status st;
    const uint8_t *labels;

    if (f == NULL)
        return VEIL_EINVAL;
    memset(f, 0, sizeof(*f));
    if (buf == NULL || len < NN_FEATURES_HEADER)
        return VEIL_EFORMAT;
    st = parse_header(&count, &dim, &classes, &scale, buf);
    if (st != VEIL_OK)
        return st;
    if (len != file_bytes(count, dim))
        return VEIL_EFORMAT;
    labels = buf + NN_FEATURES_HEADER + (size_t)count * dim;
    for (uint32_t r = 0; r < count; r++)
        if (labels[r] >= classes)
            return VEIL_EFORMAT;
    if ((st = nn_features_init(f, count, dim, classes, scale)) != VEIL_OK)
        return st == VEIL_EINVAL ? VEIL_EFORMAT : st;
    memcpy(f->codes, buf + NN_FEATURES_HEADER, (size_t)count * dim);
    memcpy(f->labels, labels, count);
    return VEIL_OK;
}

veil_status nn_features_save(const char *path, const nn_features_t *f)
{
    uint8_t *buf;
    size_t len;
    FILE *fp;
    veil_status st;
    int bad;

    if (path == NULL)
        return VEIL_EINVAL;
    if ((st = nn_features_serialize(&buf, &len, f)) != VEIL_OK)
        return st;
    if ((fp = fopen(path, "wb")) == NULL) {
        free(buf);
        return VEIL_EIO;
    }
    bad = fwrite(buf, 1, len, fp) != len;
    bad |= fclose(fp) != 0;
    free(buf);
    return bad ? VEIL_EIO : VEIL_OK;
}

veil_status nn_features_load(nn_features_t *f, const char *path)
{
    uint8_t hdr[NN_FEATURES_HEADER], *buf;
    uint32_t count, dim, classes;
    float scale;
    size_t want;
    long size;
    FILE *fp;
    veil_status st;

    if (f == NULL || path == NULL)
        return VEIL_EINVAL;
    memset(f, 0, sizeof(*f));
    if ((fp = fopen(path, "rb")) == NULL)
        return VEIL_EIO;
    /* the size the header announces must be the file's, before anything
     * is reserved */
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return VEIL_EIO;
    }
    if ((size_t)size < NN_FEATURES_HEADER ||
        fread(hdr, 1, NN_FEATURES_HEADER, fp) != NN_FEATURES_HEADER) {
        fclose(fp);
        return VEIL_EFORMAT;
    }
    st = parse_header(&count, &dim, &classes, &scale, hdr);
    want = st == VEIL_OK ? file_bytes(count, dim) : 0;
    if (st != VEIL_OK || (size_t)size != want) {
        fclose(fp);
        return VEIL_EFORMAT;
    }
    if ((buf = malloc(want)) == NULL) {
        fclose(fp);
        return VEIL_ENOMEM;
    }
    memcpy(buf, hdr, NN_FEATURES_HEADER);
    if (fread(buf + NN_FEATURES_HEADER, 1, want - NN_FEATURES_HEADER, fp) !=
        want - NN_FEATURES_HEADER) {
        fclose(fp);
        free(buf);
        return VEIL_EIO;
    }
    fclose(fp);
    st = nn_features_parse(f, buf, want);
    free(buf);
    return st;
}

veil_status nn_features_extract(nn_features_t *f, const nn_model_t *m,
                                uint32_t layers, const nn_dataset_t *ds,
                                uint32_t first, uint32_t count,
                                uint32_t classes, float scale)
{
    nn_model_t trunk;
    nn_shape_t out;
    size_t dim, isz;
    float *x = NULL, *work = NULL, *all = NULL, vmax = 0.0f;
    veil_status st;

    if (f == NULL)
        return VEIL_EINVAL;
    memset(f, 0, sizeof(*f));
    if (m == NULL || ds == NULL || ds->images == NULL || layers == 0 ||
        layers > m->nlayers || count == 0 || first > ds->count ||
        count > ds->count - first || nn_dataset_channels(ds) != m->in.c ||
        ds->rows > m->in.h || ds->cols > m->in.w ||
        classes > NN_FEATURES_MAX_CLASSES)
        return VEIL_EINVAL;
    for (uint32_t r = 0; r < count; r++)
        if (ds->labels[first + r] >= classes)
            return VEIL_EINVAL;
    /* the trunk: m cut after `layers` layers (the parameters it keeps are
     * read at the same offsets) */
    trunk = *m;
    trunk.nlayers = layers;
    out = nn_model_out_shape(&trunk);
    dim = nn_shape_size(out);
    if (dim > NN_FEATURES_MAX_DIM)
        return VEIL_EINVAL;
    isz = (size_t)nn_dataset_channels(ds) * ds->rows * ds->cols;
    x = malloc(nn_shape_size(m->in) * sizeof(float));
    work = malloc(nn_model_work_size(&trunk) * sizeof(float));
    all = malloc((size_t)count * dim * sizeof(float));
    st = x && work && all ? VEIL_OK : VEIL_ENOMEM;
    for (uint32_t r = 0; st == VEIL_OK && r < count; r++) {
        nn_image_to_input(x, m->in, ds->images + (size_t)(first + r) * isz,
                          ds->rows, ds->cols);
        nn_model_forward(all + (size_t)r * dim, &trunk, x, work);
        for (size_t i = 0; i < dim; i++)
            if (all[(size_t)r * dim + i] > vmax)
                vmax = all[(size_t)r * dim + i];
    }
    if (st == VEIL_OK && !(scale > 0.0f))
        scale = vmax > 0.0f ? vmax / 255.0f : 1.0f;
    if (st == VEIL_OK)
        st = nn_features_init(f, count, (uint32_t)dim, classes, scale);
    for (uint32_t r = 0; st == VEIL_OK && r < count; r++) {
        for (size_t i = 0; i < dim; i++) {
            const float v = all[(size_t)r * dim + i];
            float c = v > 0.0f ? roundf(v / scale) : 0.0f;
            if (!(c <= 255.0f)) /* also NaN */
                c = 255.0f;
            f->codes[(size_t)r * dim + i] = (uint8_t)c;
        }
        f->labels[r] = ds->labels[first + r];
    }
    free(x);
    free(work);
    free(all);
    return st;
}

veil_status nn_features_dataset(nn_dataset_t *ds, const nn_features_t *f)
{
    if (ds == NULL)
        return VEIL_EINVAL;
    memset(ds, 0, sizeof(*ds));
    if (f == NULL || f->codes == NULL || f->labels == NULL ||
        !sizes_ok(f->count, f->dim, f->classes, f->scale))
        return VEIL_EINVAL;
    ds->images = malloc((size_t)f->count * f->dim);
    ds->labels = malloc(f->count);
    if (ds->images == NULL || ds->labels == NULL) {
        nn_dataset_clear(ds);
        return VEIL_ENOMEM;
    }
    memcpy(ds->images, f->codes, (size_t)f->count * f->dim);
    memcpy(ds->labels, f->labels, f->count);
    ds->count = f->count;
    ds->channels = f->dim;
    ds->rows = 1;
    ds->cols = 1;
    return VEIL_OK;
}
