/*
 * cifar.c - the CIFAR-10 binary format (Krizhevsky 2009, "binary version"):
 * each file is a sequence of 3073-byte records, one label byte then the
 * 32x32 red, green and blue planes.  Validated like the IDX reader: exact
 * lengths, bounded sizes, labels 0..9.
 */
#include "veil/nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CIFAR_PIXELS (NN_CIFAR_RECORD - 1)

veil_status nn_cifar10_append(nn_dataset_t *ds, const uint8_t *buf, size_t len)
{
    size_t n, old;
    uint8_t *img, *lab;

    if (ds == NULL || buf == NULL)
        return VEIL_EINVAL;
    if (ds->count > 0 &&
        (nn_dataset_channels(ds) != 3 || ds->rows != 32 || ds->cols != 32))
        return VEIL_EINVAL;
    if (len == 0 || len % NN_CIFAR_RECORD != 0 ||
        len / NN_CIFAR_RECORD > NN_CIFAR_MAX_RECORDS)
        return VEIL_EFORMAT;
    n = len / NN_CIFAR_RECORD;
    for (size_t i = 0; i < n; i++)
        if (buf[i * NN_CIFAR_RECORD] >= NN_CLASSES)
            return VEIL_EFORMAT;
    old = ds->count;
    if (old + n > UINT32_MAX / CIFAR_PIXELS)
        return VEIL_EFORMAT;
    if ((img = realloc(ds->images, (old + n) * CIFAR_PIXELS)) == NULL)
        return VEIL_ENOMEM;
    ds->images = img;
    if ((lab = realloc(ds->labels, old + n)) == NULL)
        return VEIL_ENOMEM; /* images grew; count unchanged: still valid */
    ds->labels = lab;
    for (size_t i = 0; i < n; i++) {
        lab[old + i] = buf[i * NN_CIFAR_RECORD];
        memcpy(img + (old + i) * CIFAR_PIXELS, buf + i * NN_CIFAR_RECORD + 1,
               CIFAR_PIXELS);
    }
    ds->count = (uint32_t)(old + n);
    ds->rows = 32;
    ds->cols = 32;
    ds->channels = 3;
    return VEIL_OK;
}

/* Read one file (at most NN_CIFAR_MAX_RECORDS records) and append it. */
static veil_status load_file(nn_dataset_t *ds, const char *path)
{
    const size_t cap = (size_t)NN_CIFAR_MAX_RECORDS * NN_CIFAR_RECORD;
    uint8_t *buf;
    size_t len;
    veil_status st;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return VEIL_EIO;
    if ((buf = malloc(cap + 1)) == NULL) {
        fclose(f);
        return VEIL_ENOMEM;
    }
    len = fread(buf, 1, cap + 1, f); /* one byte more: detect oversize */
    if (ferror(f))
        st = VEIL_EIO;
    else if (len > cap)
        st = VEIL_EFORMAT;
    else
        st = nn_cifar10_append(ds, buf, len);
    fclose(f);
    free(buf);
    return st;
}

veil_status nn_cifar10_load(nn_dataset_t *ds, const char *dir,
                            nn_cifar_split_t split)
{
    char path[4096];
    veil_status st = VEIL_OK;

    if (ds == NULL)
        return VEIL_EINVAL;
    memset(ds, 0, sizeof(*ds));
    if (dir == NULL || (split != NN_CIFAR_TRAIN && split != NN_CIFAR_TEST))
        return VEIL_EINVAL;
    for (int i = 1; i <= (split == NN_CIFAR_TRAIN ? 5 : 1) && st == VEIL_OK;
         i++) {
        int w =
            split == NN_CIFAR_TRAIN
                ? snprintf(path, sizeof(path), "%s/data_batch_%d.bin", dir, i)
                : snprintf(path, sizeof(path), "%s/test_batch.bin", dir);
        st = w >= (int)sizeof(path) ? VEIL_EINVAL : load_file(ds, path);
    }
    if (st != VEIL_OK)
        nn_dataset_clear(ds);
    return st;
}
