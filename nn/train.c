/*
 * train.c - mini-batch training: shuffling and augmentation from the seeded
 * CSPRNG, SGD with momentum or Adam, decoupled weight decay, global
 * gradient-norm clipping, a cosine learning-rate schedule, batch-norm
 * running statistics, quantization-aware fine-tuning (straight-through:
 * the forward pass sees the quantized network, the update goes to the float
 * parameters), progress reports and checkpoints that resume a run.
 */
#include "backprop.h"
#include "batch.h"
#include <math.h>
#include <omp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define BN_MOMENTUM 0.1 /* running = (1 - m) running + m batch */

void nn_train_opts_default(nn_train_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->epochs = 20;
    o->batch = 64;
    o->opt = NN_OPT_ADAM;
    o->lr = 2e-3f;
    o->lr_min = 1e-5f;
    o->momentum = 0.9f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->adam_eps = 1e-8f;
    o->clip = 5.0f;
    o->init_gain = 1.0f;
    o->lr_gamma = 0.1f;
}

/* Optimiser state over the flat parameter vector. */
typedef struct {
    float *m1, *m2; /* Adam moments, or SGD velocity in m1 */
    uint8_t *decay; /* 1 for parameters under weight decay  */
    uint64_t t;     /* steps taken                          */
} opt_state_t;

static void opt_clear(opt_state_t *s)
{
    veil_free(s->m1);
    veil_free(s->m2);
    veil_free(s->decay);
    memset(s, 0, sizeof(*s));
}

static veil_status opt_init(opt_state_t *s, const nn_model_t *m)
{
    memset(s, 0, sizeof(*s));
    if ((s->m1 = veil_calloc(m->nparams, sizeof(float))) == NULL ||
        (s->m2 = veil_calloc(m->nparams, sizeof(float))) == NULL ||
        (s->decay = veil_calloc(m->nparams, 1)) == NULL) {
        opt_clear(s);
        return VEIL_ENOMEM;
    }
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        if (l->type == NN_LAYER_CONV2D || l->type == NN_LAYER_DENSE)
            memset(s->decay + l->w, 1, l->nw);
    }
    return VEIL_OK;
}

/* Scale g so that its Euclidean norm is at most clip (clip > 0). */
static void clip_norm(float *g, size_t n, float clip)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += (double)g[j] * g[j];
    s = sqrt(s);
    if (s > clip) {
        const float f = (float)(clip / s);
        for (size_t j = 0; j < n; j++)
            g[j] *= f;
    }
}

/* One optimiser step with learning rate lr. */
static void opt_step(opt_state_t *s, nn_model_t *m, const float *g, float lr,
                     const nn_train_opts_t *o)
{
    float *p = m->params;
    const float wd = lr * o->weight_decay;

    s->t++;
    if (o->opt == NN_OPT_ADAM) {
        const float b1 = o->beta1, b2 = o->beta2;
        const float c1 = 1.0f / (1.0f - powf(b1, (float)s->t));
        const float c2 = 1.0f / (1.0f - powf(b2, (float)s->t));
#pragma omp simd
        for (size_t j = 0; j < m->nparams; j++) {
            s->m1[j] = b1 * s->m1[j] + (1.0f - b1) * g[j];
            s->m2[j] = b2 * s->m2[j] + (1.0f - b2) * g[j] * g[j];
            p[j] -=
                lr * (s->m1[j] * c1) / (sqrtf(s->m2[j] * c2) + o->adam_eps) +
                (s->decay[j] ? wd * p[j] : 0.0f);
        }
    } else {
#pragma omp simd
        for (size_t j = 0; j < m->nparams; j++) {
            s->m1[j] = o->momentum * s->m1[j] + g[j];
            p[j] -= lr * s->m1[j] + (s->decay[j] ? wd * p[j] : 0.0f);
        }
    }
}

/* Blend the batch statistics of the last step into the running ones. */
static void bn_update_running(nn_model_t *m, const nn_backprop_t *bp,
                              uint32_t n)
{
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        const double N = (double)n * l->in.h * l->in.w;
        if (l->type != NN_LAYER_BATCHNORM)
            continue;
        for (uint32_t c = 0; c < l->in.c; c++) {
            const double var = N > 1 ? bp->bn_var[i][c] * N / (N - 1) : 1.0;
            float *rm = m->state + l->mean + c, *rv = m->state + l->var + c;
            *rm = (float)((1 - BN_MOMENTUM) * *rm +
                          BN_MOMENTUM * bp->bn_mean[i][c]);
            *rv = (float)((1 - BN_MOMENTUM) * *rv + BN_MOMENTUM * var);
        }
    }
}

/* Fisher-Yates shuffle of perm[0..n) from rng. */
static void shuffle(uint32_t *perm, uint32_t n, veil_rng_t *rng)
{
    for (uint32_t i = n - 1; i >= 1; i--) {
        uint64_t j;
        veil_rng_uniform_mod(rng, &j, 1, (uint64_t)i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* Fill x with n images perm[0..n) of ds, centred in the model's input shape
 * `in`, each mirrored left-right with probability 1/2 if hflip, then
 * translated by (dx, dy) in [-shift, shift]^2 drawn from rng (zero fill).
 * Pixels become pixel / 256, or, if in_exp >= 0, the value their quantized
 * integer stands for. */
static void load_batch(float *x, uint8_t *y, const nn_dataset_t *ds,
                       nn_shape_t in, const uint32_t *perm, uint32_t n,
                       uint32_t shift, int hflip, int32_t in_exp,
                       veil_rng_t *rng)
{
    float value[256];
    const uint32_t R = ds->rows, C = ds->cols, H = in.h, W = in.w;
    const int32_t top = (int32_t)(H - R) / 2, left = (int32_t)(W - C) / 2;
    const size_t isz = (size_t)in.c * R * C, osz = nn_shape_size(in);
    int32_t off[2 * 1024];
    uint8_t flip[1024];
    uint32_t done = 0;

    for (int p = 0; p < 256; p++)
        value[p] =
            in_exp >= 0
                ? (float)ldexp((double)nn_quantize_pixel((uint8_t)p, in_exp),
                               -in_exp)
                : p / NN_PIXEL_SCALE;
    while (done < n) {
        /* draw the shifts, then fill the images */
        const uint32_t cnt = n - done > 1024 ? 1024 : n - done;
        for (uint32_t b = 0; b < 2 * cnt; b++) {
            uint64_t r = 0;
            if (shift > 0)
                veil_rng_uniform_mod(rng, &r, 1, 2 * (uint64_t)shift + 1);
            off[b] = (int32_t)r - (int32_t)shift;
        }
        memset(flip, 0, cnt);
        if (hflip) {
            uint8_t bits[128];
            veil_rng_bytes(rng, bits, (cnt + 7) / 8);
            for (uint32_t b = 0; b < cnt; b++)
                flip[b] = (bits[b / 8] >> (b % 8)) & 1;
        }
        for (uint32_t b = 0; b < cnt; b++) {
            const uint8_t *img = ds->images + (size_t)perm[done + b] * isz;
            float *xb = x + (size_t)(done + b) * osz;
            const int32_t dy = off[2 * b] + top, dx = off[2 * b + 1] + left;
            for (uint32_t ch = 0; ch < in.c; ch++)
                for (uint32_t r = 0; r < H; r++)
                    for (uint32_t c = 0; c < W; c++) {
                        const int32_t sr = (int32_t)r - dy;
                        int32_t sc = (int32_t)c - dx;
                        if (flip[b])
                            sc = (int32_t)C - 1 - sc;
                        xb[((size_t)ch * H + r) * W + c] =
                            (sr < 0 || sr >= (int32_t)R || sc < 0 ||
                             sc >= (int32_t)C)
                                ? 0.0f
                                : value[img[((size_t)ch * R + sr) * C + sc]];
                    }
        }
        for (uint32_t b = 0; b < cnt; b++)
            y[done + b] = ds->labels[perm[done + b]];
        done += cnt;
    }
}

/* Quantization-aware training: qparams = the parameters m's quantized
 * integers stand for. */
static veil_status dequantized(float *qparams, const nn_model_t *m)
{
    nn_qmodel_t q;
    veil_status st = nn_qmodel_init(&q, m);
    if (st != VEIL_OK)
        return st;
    nn_qmodel_dequantize(qparams, &q, m);
    nn_qmodel_clear(&q);
    return VEIL_OK;
}

static int has_batchnorm(const nn_model_t *m)
{
    for (uint32_t i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == NN_LAYER_BATCHNORM)
            return 1;
    return 0;
}

/* ---------------------------------------------------------- checkpoints */

/* A checkpoint (native byte order: it resumes a run on the machine that
 * wrote it): magic, then u32 epochs done, u32 data count, u64 step, u64
 * optimiser steps, u64 nparams, u64 nstate, the generator state, the data
 * order perm[count], params, state, the two optimiser moment arrays, and
 * the SHA-256 of everything before. */
static const char ckpt_magic[8] = {'V', 'E', 'I', 'L', 'C', 'K', 'P', '1'};

typedef struct {
    uint32_t epochs, count;
    uint64_t step, t, nparams, nstate;
} ckpt_head_t;

static size_t ckpt_size(const nn_model_t *m, uint32_t count)
{
    return 8 + sizeof(ckpt_head_t) + sizeof(veil_rng_t) + (size_t)count * 4 +
           (3 * m->nparams + m->nstate) * 4 + crypto_hash_sha256_BYTES;
}

static veil_status ckpt_write(const char *path, const nn_model_t *m,
                              const opt_state_t *os, const veil_rng_t *rng,
                              const uint32_t *perm, uint32_t count,
                              uint32_t epochs, uint64_t step)
{
    const size_t len = ckpt_size(m, count);
    const ckpt_head_t h = {epochs, count, step, os->t, m->nparams, m->nstate};
    uint8_t *buf = veil_alloc(len), *p;
    char tmp[4096];
    veil_status st = VEIL_OK;
    FILE *f;

    if (buf == NULL)
        return VEIL_ENOMEM;
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        veil_free(buf);
        return VEIL_EINVAL;
    }
    p = buf;
#define PUT(src, n)                                                            \
    do {                                                                       \
        memcpy(p, (src), (n));                                                 \
        p += (n);                                                              \
    } while (0)
    PUT(ckpt_magic, 8);
    PUT(&h, sizeof(h));
    PUT(rng, sizeof(*rng));
    PUT(perm, (size_t)count * 4);
    PUT(m->params, m->nparams * 4);
    if (m->nstate > 0)
        PUT(m->state, m->nstate * 4);
    PUT(os->m1, m->nparams * 4);
    PUT(os->m2, m->nparams * 4);
#undef PUT
    crypto_hash_sha256(p, buf, (size_t)(p - buf));
    if ((f = fopen(tmp, "wb")) == NULL) {
        veil_memzero(buf, len);
        veil_free(buf);
        return VEIL_EIO;
    }
    if (fwrite(buf, 1, len, f) != len)
        st = VEIL_EIO;
    if (fclose(f) != 0)
        st = VEIL_EIO;
    if (st == VEIL_OK && rename(tmp, path) != 0)
        st = VEIL_EIO;
    if (st != VEIL_OK)
        remove(tmp);
    veil_memzero(buf, len); /* holds generator state */
    veil_free(buf);
    return st;
}

/* Load a checkpoint written for this model and data.  VEIL_EIO if the file
 * does not exist (the caller then starts afresh), VEIL_EFORMAT if it is
 * corrupt or belongs to another run. */
static veil_status ckpt_read(const char *path, nn_model_t *m, opt_state_t *os,
                             veil_rng_t *rng, uint32_t *perm, uint32_t count,
                             uint32_t *epochs, uint64_t *step)
{
    const size_t len = ckpt_size(m, count);
    uint8_t hash[crypto_hash_sha256_BYTES], *buf, *p, *seen = NULL;
    ckpt_head_t h;
    veil_status st = VEIL_EFORMAT;
    FILE *f;
    size_t got;

    if ((f = fopen(path, "rb")) == NULL)
        return VEIL_EIO;
    if ((buf = veil_alloc(len + 1)) == NULL) {
        fclose(f);
        return VEIL_ENOMEM;
    }
    got = fread(buf, 1, len + 1, f);
    fclose(f);
    if (got != len)
        goto done;
    crypto_hash_sha256(hash, buf, len - sizeof(hash));
    if (memcmp(buf, ckpt_magic, 8) != 0 ||
        sodium_memcmp(hash, buf + len - sizeof(hash), sizeof(hash)) != 0)
        goto done;
    memcpy(&h, buf + 8, sizeof(h));
    if (h.count != count || h.nparams != m->nparams || h.nstate != m->nstate)
        goto done;
    p = buf + 8 + sizeof(h);
    memcpy(rng, p, sizeof(*rng));
    p += sizeof(*rng);
    memcpy(perm, p, (size_t)count * 4);
    p += (size_t)count * 4;
    if ((seen = veil_calloc(count, 1)) == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < count; i++) { /* must be a permutation */
        if (perm[i] >= count || seen[perm[i]])
            goto done;
        seen[perm[i]] = 1;
    }
    memcpy(m->params, p, m->nparams * 4);
    p += m->nparams * 4;
    if (m->nstate > 0)
        memcpy(m->state, p, m->nstate * 4);
    p += m->nstate * 4;
    memcpy(os->m1, p, m->nparams * 4);
    p += m->nparams * 4;
    memcpy(os->m2, p, m->nparams * 4);
    for (size_t j = 0; j < m->nparams; j++)
        if (!isfinite(m->params[j]) || !isfinite(os->m1[j]) ||
            !isfinite(os->m2[j]))
            goto done;
    os->t = h.t;
    *epochs = h.epochs;
    *step = h.step;
    st = VEIL_OK;
done:
    veil_memzero(buf, len + 1);
    veil_free(buf);
    veil_free(seen);
    return st;
}

/* Learning rate of step `step` of `steps`. */
static float schedule_lr(const nn_train_opts_t *o, uint64_t step,
                         uint64_t steps)
{
    switch (o->schedule) {
    case NN_LR_CONSTANT:
        return o->lr;
    case NN_LR_STEP:
        return o->lr * (4 * step >= 3 * steps ? o->lr_gamma * o->lr_gamma
                        : 2 * step >= steps   ? o->lr_gamma
                                              : 1.0f);
    case NN_LR_COSINE:
        break;
    }
    return (float)(o->lr_min +
                   0.5 * (o->lr - o->lr_min) *
                       (1 + cos(M_PI * (double)step / (double)steps)));
}

veil_status nn_train(nn_model_t *m, const nn_dataset_t *train,
                     const nn_dataset_t *test, const nn_train_opts_t *o)
{
    nn_model_t shadow; /* quant_aware: m with dequantized parameters */
    const nn_model_t *fwd = m;
    float *qparams = NULL;
    nn_backprop_t bp;
    opt_state_t os;
    veil_rng_t rng;
    uint32_t *perm = NULL, nb, first = 1;
    uint8_t *labels = NULL;
    veil_status st;
    uint64_t step = 0, steps;

    if (m == NULL || train == NULL || o == NULL || m->nparams == 0 ||
        train->count == 0 || o->batch == 0 || o->epochs == 0 || !(o->lr > 0) ||
        !(o->lr_min >= 0) || o->clip < 0 ||
        (unsigned)o->schedule > NN_LR_STEP || !(o->lr_gamma > 0) ||
        m->in.c != nn_dataset_channels(train) || m->in.h < train->rows ||
        m->in.w < train->cols ||
        nn_shape_size(nn_model_out_shape(m)) != NN_CLASSES ||
        (test != NULL &&
         (test->rows != train->rows || test->cols != train->cols ||
          nn_dataset_channels(test) != m->in.c)) ||
        (o->quant_aware && (!m->quantizable || has_batchnorm(m))))
        return VEIL_EINVAL;
    nb = (train->count + o->batch - 1) / o->batch;
    steps = (uint64_t)nb * o->epochs;

    veil_rng_init_seed(&rng, o->seed);
    if (!o->finetune)
        nn_model_init_params(m, &rng, o->init_gain);
    if (o->quant_aware) {
        if ((qparams = veil_alloc(m->nparams * sizeof(float))) == NULL)
            return VEIL_ENOMEM;
        shadow = *m;
        shadow.params = qparams;
        fwd = &shadow;
    }
    if ((st = _nn_backprop_init(&bp, fwd, o->batch)) != VEIL_OK) {
        veil_free(qparams);
        return st;
    }
    if ((st = opt_init(&os, m)) != VEIL_OK)
        goto done;
    st = VEIL_ENOMEM;
    if ((perm = veil_alloc(train->count * sizeof(uint32_t))) == NULL ||
        (labels = veil_alloc(o->batch)) == NULL)
        goto done;
    for (uint32_t i = 0; i < train->count; i++)
        perm[i] = i;
    if (o->checkpoint != NULL && o->resume) {
        uint32_t done_epochs;
        st = ckpt_read(o->checkpoint, m, &os, &rng, perm, train->count,
                       &done_epochs, &step);
        if (st == VEIL_OK)
            first = done_epochs + 1;
        else if (st != VEIL_EIO)
            goto done;
    }

    for (uint32_t e = first; e <= o->epochs; e++) {
        nn_progress_t pr = {e, o->epochs, 0, nb, 0, 0, -1, 0, 0};
        double loss_sum = 0.0;
        uint64_t correct_sum = 0, seen = 0;
        shuffle(perm, train->count, &rng);
        for (uint32_t k = 0; k < nb; k++, step++) {
            const uint32_t start = k * o->batch;
            const uint32_t n = train->count - start < o->batch
                                   ? train->count - start
                                   : o->batch;
            const float lr = schedule_lr(o, step, steps);
            double loss;
            uint32_t correct;

            if (o->quant_aware && (st = dequantized(qparams, m)) != VEIL_OK)
                goto done;
            load_batch(bp.act[0], labels, train, m->in, perm + start, n,
                       o->shift, o->hflip, o->quant_aware ? m->in_exp : -1,
                       &rng);
            _nn_backprop_run(&bp, &loss, &correct, labels, n);
            if (!isfinite(loss)) {
                st = VEIL_ERANGE;
                goto done;
            }
            if (o->clip > 0)
                clip_norm(bp.grad, m->nparams, o->clip);
            opt_step(&os, m, bp.grad, lr, o);
            bn_update_running(m, &bp, n);
            loss_sum += loss * n;
            correct_sum += correct;
            seen += n;
            pr.batch = k + 1;
            pr.loss = loss_sum / seen;
            pr.accuracy = (double)correct_sum / seen;
            pr.lr = lr;
            if (o->progress != NULL)
                o->progress(o->progress_arg, &pr);
        }
        if (o->checkpoint != NULL &&
            (st = ckpt_write(o->checkpoint, m, &os, &rng, perm, train->count, e,
                             step)) != VEIL_OK)
            goto done;
        if (test != NULL &&
            (st = nn_model_accuracy(&pr.test_accuracy, m, test)) != VEIL_OK)
            goto done;
        pr.epoch_done = 1;
        if (o->progress != NULL)
            o->progress(o->progress_arg, &pr);
        if (o->stop_epoch != 0 && e >= o->stop_epoch)
            break;
    }
    st = VEIL_OK;
done:
    veil_rng_clear(&rng);
    veil_free(qparams);
    veil_free(perm);
    veil_free(labels);
    opt_clear(&os);
    _nn_backprop_clear(&bp);
    return st;
}
