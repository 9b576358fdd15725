/*
 * lola_transfer - private prediction on deep representations (LoLa paper
 * section 5; doc/11-lola.md section 11), on data available here.
 *
 *   1. A trunk is trained on MNIST digits 0-4 only (the public network:
 *      conv 5x5 stride 2 with 8 maps, ReLU, dense 64, ReLU, dense 10).
 *   2. The client runs the trunk in plaintext on images of digits 5-9,
 *      which the trunk never saw, and keeps its penultimate layer (64
 *      values after the ReLU) as the deep representation: a features file.
 *   3. The server trains a private linear head on 20 images per class and
 *      it is tested on 10 other images per class (the paper's CalTech-101
 *      protocol: the first 30 images of each class, 20 to train, 10 to
 *      test); class-balanced accuracy is reported.
 *   4. The head is evaluated under LoLa (the features encrypted, the head's
 *      weights private) with the dense-vector x row-major kernel, and every
 *      decrypted logit vector must equal the exact integer evaluator.
 *
 *   apps/lola_transfer                          the demonstration
 *   apps/lola_transfer --trunk-images 2000 --epochs 1   quick (make check)
 *   apps/lola_transfer --save DIR               also write DIR/train.vfea,
 *                                               DIR/test.vfea, DIR/head.vmodel
 *                                               (then: apps/lola --features
 *                                               DIR/test.vfea --model
 *                                               DIR/head.vmodel --all)
 *
 * Exit status: 0 if every decrypted logit vector equals the exact
 * evaluator's, 1 otherwise or on an error, 2 for bad options, 77 when MNIST
 * is not available (a skipped test).
 */
#include "common/cli.h"
#include "common/private_head.h"
#include "veil/lola.h"
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR "."
#endif

#define PROG "lola_transfer"
#define TRUNK_CLASSES 5 /* the trunk learns digits 0..4              */
#define HEAD_FIRST 5    /* the head classifies digits 5..9           */
#define HEAD_CLASSES 5  /*                                           */
#define TRAIN_PER_CLASS 20
#define TEST_PER_CLASS 10
#define TRUNK_LAYERS 4 /* conv, relu, dense 64, relu: the representation */

typedef struct {
    uint32_t trunk_images, epochs;
    unsigned long seed;
    const char *data, *save, *kernels;
    int threads;
} opts_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " [options]\n"
               "Transfer learning for private prediction (LoLa section 5): a "
               "trunk trained\non MNIST digits 0-4, its penultimate layer as "
               "the deep representation of\ndigits 5-9, a private linear head "
               "(20 training, 10 test images per\nclass) evaluated under LoLa "
               "and checked against the exact evaluator.\n\n"
               "  --trunk-images N   training images of digits 0-4 for the "
               "trunk\n"
               "                     (default 10000, at most those available)\n"
               "  --epochs E         trunk training epochs (default 2)\n"
               "  --seed N           training seed (default 1)\n"
               "  --data DIR         MNIST directory (default: $MNIST_DIR, "
               "then\n"
               "                     ../shared/data/mnist, then ./data/mnist)\n"
               "  --kernels K        LoLa kernel of the head (default "
               "dense-row,\n"
               "                     the paper's dense vector x row major)\n"
               "  --save DIR         write DIR/train.vfea, DIR/test.vfea and\n"
               "                     DIR/head.vmodel\n"
               "  --threads T        OpenMP threads (default: all cores)\n"
               "  -h, --help         this text\n");
}

static int parse_opts(opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->trunk_images = 10000;
    o->epochs = 2;
    o->seed = 1;
    o->kernels = "dense-row";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long x;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        }
        if (v == NULL) {
            fprintf(stderr,
                    PROG ": unknown option or missing value: '%s' "
                         "(try --help)\n",
                    a);
            return -1;
        }
        i++;
        if (!strcmp(a, "--trunk-images")) {
            if (cli_u32(&o->trunk_images, PROG, a, v, 100, 1000000))
                return -1;
        } else if (!strcmp(a, "--epochs")) {
            if (cli_u32(&o->epochs, PROG, a, v, 1, 100))
                return -1;
        } else if (!strcmp(a, "--seed")) {
            if (cli_long(&x, PROG, a, v, 0, 2147483647L))
                return -1;
            o->seed = (unsigned long)x;
        } else if (!strcmp(a, "--threads")) {
            if (cli_threads(PROG, v))
                return -1;
        } else if (!strcmp(a, "--data")) {
            o->data = v;
        } else if (!strcmp(a, "--save")) {
            o->save = v;
        } else if (!strcmp(a, "--kernels")) {
            o->kernels = v;
        } else {
            fprintf(stderr, PROG ": unknown option '%s' (try --help)\n", a);
            return -1;
        }
    }
    return 0;
}

/* Images of ds whose label is in [lo, lo + classes), relabelled label - lo:
 * the first `limit` of them (0: all), or the first per_class of each class
 * after skipping skip of each. */
static veil_status subset(nn_dataset_t *out, const nn_dataset_t *ds, int lo,
                          int classes, uint32_t limit, uint32_t skip,
                          uint32_t per_class)
{
    const size_t isz = (size_t)ds->rows * ds->cols;
    uint32_t seen[NN_CLASSES] = {0}, n = 0;
    memset(out, 0, sizeof(*out));
    out->images = malloc((size_t)ds->count * isz);
    out->labels = malloc(ds->count);
    if (out->images == NULL || out->labels == NULL) {
        nn_dataset_clear(out);
        return VEIL_ENOMEM;
    }
    out->rows = ds->rows;
    out->cols = ds->cols;
    for (uint32_t i = 0; i < ds->count; i++) {
        const int l = ds->labels[i] - lo;
        if (l < 0 || l >= classes)
            continue;
        if (per_class) {
            const uint32_t k = seen[l]++;
            if (k < skip || k >= skip + per_class)
                continue;
        } else if (limit && n >= limit) {
            break;
        }
        memcpy(out->images + (size_t)n * isz, ds->images + (size_t)i * isz,
               isz);
        out->labels[n++] = (uint8_t)l;
    }
    out->count = n;
    return n ? VEIL_OK : VEIL_EINVAL;
}

/* The public trunk of step 1. */
static veil_status make_trunk(nn_model_t *m)
{
    veil_status st = nn_model_init(m, (nn_shape_t){1, 28, 28});
    if (st == VEIL_OK)
        st = nn_model_add_conv2d(m, 8, 5, 2, 0);
    if (st == VEIL_OK)
        st = nn_model_add_relu(m);
    if (st == VEIL_OK)
        st = nn_model_add_dense(m, 64);
    if (st == VEIL_OK)
        st = nn_model_add_relu(m);
    if (st == VEIL_OK)
        st = nn_model_add_dense(m, NN_CLASSES);
    return st;
}

/* The private head: multinomial logistic regression on x = code / 256
 * (the float input of a LoLa model, nn.h), full-batch gradient descent
 * with L2 regularisation, deterministic.  W is classes x dim, b classes. */
static void train_head(float *W, float *b, const nn_features_t *f)
{
    const uint32_t d = f->dim, c = f->classes, n = f->count;
    const int steps = 2000;
    const double lr = 1.0, l2 = 1e-3;
    double *gw = calloc((size_t)c * d, sizeof(double));
    double *gb = calloc(c, sizeof(double)), p[NN_FEATURES_MAX_CLASSES];
    if (gw == NULL || gb == NULL) {
        free(gw);
        free(gb);
        return;
    }
    memset(W, 0, (size_t)c * d * sizeof(float));
    memset(b, 0, c * sizeof(float));
    for (int s = 0; s < steps; s++) {
        memset(gw, 0, (size_t)c * d * sizeof(double));
        memset(gb, 0, c * sizeof(double));
        for (uint32_t r = 0; r < n; r++) {
            const uint8_t *x = f->codes + (size_t)r * d;
            double mx = -1e300, z = 0;
            for (uint32_t j = 0; j < c; j++) {
                double v = b[j];
                for (uint32_t i = 0; i < d; i++)
                    v += W[(size_t)j * d + i] * (x[i] / 256.0);
                p[j] = v;
                mx = v > mx ? v : mx;
            }
            for (uint32_t j = 0; j < c; j++)
                z += p[j] = exp(p[j] - mx);
            for (uint32_t j = 0; j < c; j++) {
                const double g = p[j] / z - (f->labels[r] == j);
                gb[j] += g;
                for (uint32_t i = 0; i < d; i++)
                    gw[(size_t)j * d + i] += g * (x[i] / 256.0);
            }
        }
        for (uint32_t j = 0; j < c; j++) {
            b[j] -= (float)(lr * gb[j] / n);
            for (uint32_t i = 0; i < d; i++) {
                float *w = &W[(size_t)j * d + i];
                *w -= (float)(lr * (gw[(size_t)j * d + i] / n + l2 * *w));
            }
        }
    }
    free(gw);
    free(gb);
}

/* Class-balanced accuracy: the mean over classes of the fraction of that
 * class's records predicted right. */
static double balanced(const int *pred, const uint8_t *labels, uint32_t n,
                       uint32_t classes)
{
    uint32_t hit[NN_FEATURES_MAX_CLASSES] = {0},
             tot[NN_FEATURES_MAX_CLASSES] = {0};
    double s = 0;
    uint32_t used = 0;
    for (uint32_t r = 0; r < n; r++) {
        tot[labels[r]]++;
        hit[labels[r]] += pred[r] == labels[r];
    }
    for (uint32_t j = 0; j < classes; j++)
        if (tot[j]) {
            s += (double)hit[j] / tot[j];
            used++;
        }
    return used ? s / used : 0;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, veil_status st)
{
    fprintf(stderr, PROG ": %s: %s\n", what, veil_strerror(st));
    return 1;
}

/* Step 4: the head under LoLa on the test features.  *agree and *pred. */
static int run_private(size_t *agree, int *pred, double *eval_med,
                       const nn_qmodel_t *q, const nn_features_t *test,
                       const opts_t *o)
{
    private_head_t h;
    lola_report_t rep;
    veil_rng_t rng;
    veil_status st;
    const char *step = "client keys";
    static char buf[8192];
    const size_t classes = nn_shape_size(q->layers[q->nlayers - 1].out);
    fmpz *logits = _fmpz_vec_init((slong)classes);
    double *ms = calloc(test->count, sizeof(double));
    int rc = 1;

    *agree = 0;
    if (ms == NULL) {
        _fmpz_vec_clear(logits, (slong)classes);
        return fail("timing", VEIL_ENOMEM);
    }
    if ((st = veil_rng_init(&rng)) != VEIL_OK ||
        (st = private_head_init(&h, &rep, q, o->kernels, &rng, &step)) !=
            VEIL_OK) {
        veil_rng_clear(&rng);
        free(ms);
        _fmpz_vec_clear(logits, (slong)classes);
        return fail(step, st);
    }
    lola_report_format(buf, sizeof(buf), &rep, &h.spec, NULL);
    printf("\nThe server's plan for the head:\n%s", buf);
    for (uint32_t r = 0; r < test->count; r++) {
        const uint8_t *x = test->codes + (size_t)r * test->dim;
        private_head_times_t t = {0, 0, 0};
        /* client: encrypt the features (codes read as pixels); server: the
         * private head, then the masked, flooded answer; client: decrypt
         * and compare with the exact evaluator */
        st = private_head_infer(logits, &t, &h, x, &rng, &step);
        ms[r] = 1e3 * t.eval_s;
        if (st != VEIL_OK) {
            fail(step, st);
            goto out;
        }
        *agree += private_head_exact(&h, logits, x);
        pred[r] = (int)nn_argmax_fmpz(logits, (uint32_t)classes);
    }
    qsort(ms, test->count, sizeof(double), cmp_double);
    *eval_med = ms[test->count / 2];
    printf("server evaluation of the head: %.2f ms median per image (%d "
           "threads, n = %zu, %zu plaintext primes, kernels %s)\n",
           *eval_med, omp_get_max_threads(), h.spec.params[0].n, h.spec.nprimes,
           h.spec.kernels);
    rc = 0;
out:
    private_head_clear(&h);
    veil_rng_clear(&rng);
    free(ms);
    _fmpz_vec_clear(logits, (slong)classes);
    return rc;
}

static int save_all(const opts_t *o, const nn_features_t *tr,
                    const nn_features_t *te, const nn_model_t *head)
{
    char path[4096];
    veil_status st;
    snprintf(path, sizeof(path), "%s/train.vfea", o->save);
    st = nn_features_save(path, tr);
    if (st == VEIL_OK) {
        snprintf(path, sizeof(path), "%s/test.vfea", o->save);
        st = nn_features_save(path, te);
    }
    if (st == VEIL_OK) {
        snprintf(path, sizeof(path), "%s/head.vmodel", o->save);
        st = nn_model_save(path, head);
    }
    if (st != VEIL_OK)
        return fail("writing into --save", st);
    printf("wrote %s/train.vfea, %s/test.vfea and %s/head.vmodel\n", o->save,
           o->save, o->save);
    return 0;
}

int main(int argc, char **argv)
{
    opts_t o;
    nn_dataset_t train, ds_trunk, ds_head_tr, ds_head_te, trunk_test, test;
    nn_model_t trunk, head;
    nn_qmodel_t qhead;
    nn_features_t ftr, fte, check;
    nn_train_opts_t to;
    cli_progress_t prog;
    char dir[4096], msg[1024];
    uint8_t *bytes;
    size_t len, agree = 0;
    int pred_f[HEAD_CLASSES * TEST_PER_CLASS],
        pred_q[HEAD_CLASSES * TEST_PER_CLASS],
        pred_p[HEAD_CLASSES * TEST_PER_CLASS];
    double acc, eval_med = 0, t0;
    veil_status st;
    int rc = 1;

    cli_blas_tune(argv);
    if (parse_opts(&o, argc, argv))
        return 2;
    if ((st = veil_init()) != VEIL_OK)
        fprintf(stderr, PROG ": warning: %s\n", veil_strerror(st));
    if (nn_mnist_locate(dir, sizeof(dir), o.data, VEIL_SOURCE_DIR) != VEIL_OK)
        return fail("MNIST directory", VEIL_EINVAL);
    st = nn_mnist_load(&train, dir, NN_MNIST_TRAIN);
    if (st == VEIL_OK)
        st = nn_mnist_load(&test, dir, NN_MNIST_TEST);
    if (st != VEIL_OK) {
        nn_mnist_explain(msg, sizeof(msg), dir, st);
        fprintf(stderr, PROG ": %s\n", msg);
        nn_dataset_clear(&train);
        return 77; /* skipped */
    }
    memset(&ds_trunk, 0, sizeof(ds_trunk));
    memset(&ds_head_tr, 0, sizeof(ds_head_tr));
    memset(&ds_head_te, 0, sizeof(ds_head_te));
    memset(&trunk_test, 0, sizeof(trunk_test));
    memset(&ftr, 0, sizeof(ftr));
    memset(&fte, 0, sizeof(fte));
    memset(&head, 0, sizeof(head));
    memset(&trunk, 0, sizeof(trunk));
    memset(&qhead, 0, sizeof(qhead));

    /* the data: digits 0-4 for the trunk; the first 30 training images of
     * each digit 5-9 for the head (20 to train, 10 to test) */
    st = subset(&ds_trunk, &train, 0, TRUNK_CLASSES, o.trunk_images, 0, 0);
    if (st == VEIL_OK)
        st = subset(&trunk_test, &test, 0, TRUNK_CLASSES, 0, 0, 0);
    if (st == VEIL_OK)
        st = subset(&ds_head_tr, &train, HEAD_FIRST, HEAD_CLASSES, 0, 0,
                    TRAIN_PER_CLASS);
    if (st == VEIL_OK)
        st = subset(&ds_head_te, &train, HEAD_FIRST, HEAD_CLASSES, 0,
                    TRAIN_PER_CLASS, TEST_PER_CLASS);
    if (st != VEIL_OK) {
        fail("selecting the digits", st);
        goto out;
    }

    /* 1. the public trunk, on digits 0-4 only */
    printf("1. trunk: conv 5x5/2 x 8, ReLU, dense 64, ReLU, dense 10, "
           "trained on %u images of digits 0-4 (%u epochs)\n",
           ds_trunk.count, o.epochs);
    if ((st = make_trunk(&trunk)) != VEIL_OK) {
        fail("building the trunk", st);
        goto out;
    }
    nn_train_opts_default(&to);
    to.epochs = o.epochs;
    cli_seed(to.seed, o.seed);
    cli_progress_init(&prog);
    to.progress = cli_on_progress;
    to.progress_arg = &prog;
    t0 = cli_now();
    if ((st = nn_train(&trunk, &ds_trunk, NULL, &to)) != VEIL_OK) {
        fail("training the trunk", st);
        goto out;
    }
    if ((st = nn_model_accuracy(&acc, &trunk, &trunk_test)) != VEIL_OK) {
        fail("trunk accuracy", st);
        goto out;
    }
    printf("   trained in %.1f s; accuracy on the %u test images of digits "
           "0-4: %.2f%%\n",
           cli_now() - t0, trunk_test.count, 100 * acc);

    /* 2. the client's deep representation of digits 5-9 (penultimate
     * layer), one scale for both sets, through a features file */
    st = nn_features_extract(&ftr, &trunk, TRUNK_LAYERS, &ds_head_tr, 0,
                             ds_head_tr.count, HEAD_CLASSES, 0.0f);
    if (st == VEIL_OK)
        st = nn_features_extract(&fte, &trunk, TRUNK_LAYERS, &ds_head_te, 0,
                                 ds_head_te.count, HEAD_CLASSES, ftr.scale);
    if (st == VEIL_OK)
        st = nn_features_serialize(&bytes, &len, &fte);
    if (st == VEIL_OK) {
        st = nn_features_parse(&check, bytes, len);
        free(bytes);
        if (st == VEIL_OK &&
            memcmp(check.codes, fte.codes, (size_t)fte.count * fte.dim) != 0)
            st = VEIL_EFORMAT;
        nn_features_clear(&check);
    }
    if (st != VEIL_OK) {
        fail("extracting the features", st);
        goto out;
    }
    printf("2. client: features of digits 5-9 (never seen by the trunk): "
           "%u values per image, 8-bit codes of scale %.4g; features file "
           "of %zu bytes for the %u test images\n",
           fte.dim, ftr.scale, len, fte.count);

    /* 3. the server's private linear head: 20 images per class */
    if ((st = nn_model_init(&head, (nn_shape_t){ftr.dim, 1, 1})) != VEIL_OK ||
        (st = nn_model_add_dense(&head, HEAD_CLASSES)) != VEIL_OK) {
        fail("building the head", st);
        goto out;
    }
    train_head(head.params + head.layers[0].w, head.params + head.layers[0].b,
               &ftr);
    if ((st = nn_model_set_qbits(&head, 8, 8)) != VEIL_OK ||
        (st = nn_qmodel_init(&qhead, &head)) != VEIL_OK) {
        fail("quantizing the head", st);
        goto out;
    }
    {
        float x[NN_FEATURES_MAX_DIM], y[HEAD_CLASSES], *work;
        nn_qtrace_t tr;
        work = malloc(nn_model_work_size(&head) * sizeof(float));
        if (work == NULL || nn_qtrace_init(&tr, &qhead) != VEIL_OK) {
            free(work);
            fail("evaluating the head", VEIL_ENOMEM);
            goto out;
        }
        for (uint32_t r = 0; r < fte.count; r++) {
            for (uint32_t i = 0; i < fte.dim; i++)
                x[i] = fte.codes[(size_t)r * fte.dim + i] / NN_PIXEL_SCALE;
            nn_model_forward(y, &head, x, work);
            pred_f[r] = (int)nn_argmax(y, HEAD_CLASSES);
            nn_qmodel_quantize_input(tr.v[0], &qhead,
                                     fte.codes + (size_t)r * fte.dim);
            nn_qmodel_eval(&tr, &qhead);
            pred_q[r] = (int)nn_argmax_fmpz(tr.v[1], HEAD_CLASSES);
        }
        nn_qtrace_clear(&tr);
        free(work);
    }
    printf("3. server: linear head %u -> %u trained on %u images (20 per "
           "class); class-balanced test accuracy on %u images (10 per "
           "class): float %.1f%%, 8-bit integer %.1f%% (chance 20%%)\n",
           ftr.dim, HEAD_CLASSES, ftr.count, fte.count,
           100 * balanced(pred_f, fte.labels, fte.count, HEAD_CLASSES),
           100 * balanced(pred_q, fte.labels, fte.count, HEAD_CLASSES));
    /* the baseline: the same head on the raw pixels (no trunk) */
    {
        nn_features_t ptr, pte;
        float *bw, bb[HEAD_CLASSES];
        int pred_b[HEAD_CLASSES * TEST_PER_CLASS];
        const uint32_t d = ds_head_tr.rows * ds_head_tr.cols;
        st = nn_features_init(&ptr, ds_head_tr.count, d, HEAD_CLASSES,
                              1.0f / 256);
        if (st == VEIL_OK &&
            (st = nn_features_init(&pte, ds_head_te.count, d, HEAD_CLASSES,
                                   1.0f / 256)) != VEIL_OK)
            nn_features_clear(&ptr);
        bw = malloc((size_t)HEAD_CLASSES * d * sizeof(float));
        if (st != VEIL_OK || bw == NULL) {
            free(bw);
            if (st == VEIL_OK) {
                nn_features_clear(&ptr);
                nn_features_clear(&pte);
            }
            fail("the pixel baseline", st == VEIL_OK ? VEIL_ENOMEM : st);
            goto out;
        }
        memcpy(ptr.codes, ds_head_tr.images, (size_t)ptr.count * d);
        memcpy(ptr.labels, ds_head_tr.labels, ptr.count);
        memcpy(pte.codes, ds_head_te.images, (size_t)pte.count * d);
        memcpy(pte.labels, ds_head_te.labels, pte.count);
        train_head(bw, bb, &ptr);
        for (uint32_t r = 0; r < pte.count; r++) {
            float y[HEAD_CLASSES];
            for (uint32_t j = 0; j < HEAD_CLASSES; j++) {
                y[j] = bb[j];
                for (uint32_t i = 0; i < d; i++)
                    y[j] += bw[(size_t)j * d + i] *
                            (pte.codes[(size_t)r * d + i] / NN_PIXEL_SCALE);
            }
            pred_b[r] = (int)nn_argmax(y, HEAD_CLASSES);
        }
        printf("   baseline: the same linear head on the %u raw pixels: "
               "%.1f%%\n",
               d, 100 * balanced(pred_b, pte.labels, pte.count, HEAD_CLASSES));
        free(bw);
        nn_features_clear(&ptr);
        nn_features_clear(&pte);
    }
    if (o.save != NULL && save_all(&o, &ftr, &fte, &head))
        goto out;

    /* 4. the head under LoLa */
    if (run_private(&agree, pred_p, &eval_med, &qhead, &fte, &o))
        goto out;
    printf("4. private prediction: class-balanced accuracy %.1f%%; decrypted "
           "logits equal the exact integer evaluator on %zu of %u images\n",
           100 * balanced(pred_p, fte.labels, fte.count, HEAD_CLASSES), agree,
           fte.count);
    rc = agree == fte.count ? 0 : 1;
    if (rc)
        fprintf(stderr,
                PROG ": %zu images disagree with the exact "
                     "evaluator\n",
                (size_t)fte.count - agree);
out:
    nn_qmodel_clear(&qhead);
    nn_model_clear(&head);
    nn_model_clear(&trunk);
    nn_features_clear(&ftr);
    nn_features_clear(&fte);
    nn_dataset_clear(&ds_trunk);
    nn_dataset_clear(&ds_head_tr);
    nn_dataset_clear(&ds_head_te);
    nn_dataset_clear(&trunk_test);
    nn_dataset_clear(&train);
    nn_dataset_clear(&test);
    return rc;
}
