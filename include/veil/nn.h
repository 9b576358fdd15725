/*
 * nn.h - neural networks for private inference: MNIST data, float models and
 * their file format, training, quantization to integers, the exact integer
 * evaluator (the plaintext reference an encrypted evaluation must equal bit
 * for bit) and worst-case value ranges (which size the plaintext modulus).
 * See doc/10-nn.md for the mathematics and a tour of the code.
 *
 * Tensors are stored channel-major: element (c, y, x) of a tensor of shape
 * (C, H, W) is at index (c * H + y) * W + x.  A dense layer sees its input
 * flattened in that order.  Images are fed to float models as pixel / 256
 * (NN_PIXEL_SCALE), so that the quantized input pixel * 2^in_exp / 256 has an
 * exact power-of-two scale.
 *
 * Typical use by an encrypted-inference program:
 *
 *     nn_model_t m;  nn_qmodel_t q;  nn_qtrace_t t;  nn_ranges_t r;
 *     nn_model_load(&m, "models/lola.vmodel");       // float + quant. exps
 *     nn_qmodel_init(&q, &m);                         // exact integers
 *     nn_ranges_compute(&r, &q, 0, q.in_max);         // worst-case bounds
 *     // pick plaintext primes with product t > 2 * r.maxabs
 *     nn_qtrace_init(&t, &q);
 *     nn_qmodel_quantize_input(t.v[0], &q, pixels);   // what the client
 * encrypts nn_qmodel_eval(&t, &q);                         // t.v[q.nlayers] =
 * logits
 *
 * Threads: functions taking a const model or qmodel may run concurrently on
 * the same object.  Training and evaluation over data sets use OpenMP; their
 * results do not depend on the number of threads.
 */
#ifndef VEIL_NN_H
#define VEIL_NN_H

#include "veil/veil.h"
#include <flint/fmpq.h>
#include <flint/fmpz.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================== IDX, MNIST */

#define NN_IDX_MAX_DIMS 4
#define NN_IDX_MAX_BYTES ((size_t)1 << 30) /* larger payloads are refused  */

/* An IDX file of unsigned bytes (type code 0x08, the only one MNIST uses):
 * big-endian header 00 00 08 <ndims>, ndims 32-bit big-endian sizes, then
 * the product of the sizes in bytes. */
typedef struct {
    uint32_t ndims;
    uint32_t dims[NN_IDX_MAX_DIMS];
    size_t size; /* number of bytes in data: the product of dims */
    uint8_t *data;
} nn_idx_t;

/* Parse an IDX image held in memory.  Initialises *idx (on any error it is
 * left empty, and nn_idx_clear is still safe).  VEIL_EFORMAT if the magic,
 * type, number of dimensions (1..NN_IDX_MAX_DIMS), a zero size, the payload
 * size (<= NN_IDX_MAX_BYTES) or the length (truncated or trailing bytes) is
 * wrong; VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_idx_parse(nn_idx_t *idx, const uint8_t *buf,
                                     size_t len) VEIL_WUR;

/* Read an IDX file, raw or gzip-compressed (detected from its content).
 * VEIL_EIO if it cannot be opened or read, VEIL_EFORMAT if it is malformed,
 * truncated or a corrupt gzip stream, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_idx_read(nn_idx_t *idx, const char *path) VEIL_WUR;

/* Free the payload; safe twice and on a failed parse. */
VEIL_EXPORT void nn_idx_clear(nn_idx_t *idx);

/* A labelled image set: count images of rows x cols bytes, and labels. */
typedef struct {
    uint32_t count, rows, cols;
    uint8_t *images;   /* count * rows * cols pixels, 0..255, row-major */
    uint8_t *labels;   /* count labels, each in 0..9                   */
    uint32_t channels; /* images are channels x rows x cols, channel-major;
                          0 means 1 (grey-scale, as MNIST)            */
} nn_dataset_t;

/* Number of channels of a data set's images (ds->channels, or 1 if 0). */
static inline uint32_t nn_dataset_channels(const nn_dataset_t *ds)
{
    return ds->channels ? ds->channels : 1;
}

typedef enum { NN_MNIST_TRAIN = 0, NN_MNIST_TEST = 1 } nn_mnist_split_t;

/* Load an MNIST split from directory dir, which holds the files
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte, each optionally with the suffix .gz.  Initialises
 * *ds.  VEIL_EIO if a file is missing, VEIL_EFORMAT if a file is malformed,
 * image and label counts differ, images are not 28 x 28 or a label is > 9;
 * VEIL_ENOMEM; VEIL_EINVAL for a NULL argument. */
VEIL_EXPORT veil_status nn_mnist_load(nn_dataset_t *ds, const char *dir,
                                      nn_mnist_split_t split) VEIL_WUR;

/* Free a data set; safe twice. */
VEIL_EXPORT void nn_dataset_clear(nn_dataset_t *ds);

/* ================================================================= CIFAR-10 */

#define NN_CIFAR_RECORD 3073 /* 1 label byte + 3 x 32 x 32 pixel bytes   */
#define NN_CIFAR_MAX_RECORDS 10000 /* per file (the distribution's size) */

typedef enum { NN_CIFAR_TRAIN = 0, NN_CIFAR_TEST = 1 } nn_cifar_split_t;

/* Parse one file of the CIFAR-10 binary version held in memory: records of
 * a label byte (0..9) and 3072 pixel bytes (1024 red, 1024 green, 1024
 * blue, each 32 rows of 32: channel-major, as veil's tensors), appended to
 * *ds (which must be empty or hold 3x32x32 images; initialise it with
 * memset 0).  VEIL_EFORMAT if len is 0, not a multiple of NN_CIFAR_RECORD
 * or above NN_CIFAR_MAX_RECORDS records, or a label is > 9 (*ds is then
 * unchanged); VEIL_ENOMEM; VEIL_EINVAL for NULL arguments. */
VEIL_EXPORT veil_status nn_cifar10_append(nn_dataset_t *ds, const uint8_t *buf,
                                          size_t len) VEIL_WUR;

/* Load a split from directory dir: data_batch_1.bin .. data_batch_5.bin
 * (training) or test_batch.bin (test), as distributed in
 * cifar-10-binary.tar.gz.  Initialises *ds (channels 3, 32 x 32).  VEIL_EIO
 * if a file is missing or unreadable, VEIL_EFORMAT if one is malformed (as
 * nn_cifar10_append; a file larger than NN_CIFAR_MAX_RECORDS records is
 * refused before it is read), VEIL_ENOMEM, VEIL_EINVAL. */
VEIL_EXPORT veil_status nn_cifar10_load(nn_dataset_t *ds, const char *dir,
                                        nn_cifar_split_t split) VEIL_WUR;

/* Choose the MNIST directory for a program: `arg` (from --data) if not NULL,
 * else $MNIST_DIR if set and not empty, else the first of "./data/mnist",
 * "<srcdir>/data/mnist" and the data cache "<srcdir>/../shared/data/mnist"
 * (the last two when srcdir is not NULL) that holds
 * train-images-idx3-ubyte(.gz), else "./data/mnist".  Writes the NUL-terminated
 * path to out[0..outlen). VEIL_EINVAL if it does not fit or out is NULL. */
VEIL_EXPORT veil_status nn_mnist_locate(char *out, size_t outlen,
                                        const char *arg,
                                        const char *srcdir) VEIL_WUR;

/* Write into msg[0..len) a one-paragraph explanation of why MNIST could not
 * be loaded from dir (given the status nn_mnist_load returned) and how to
 * get it: scripts/fetch-mnist DIR, or a copy passed with --data DIR or
 * MNIST_DIR.  Always NUL-terminates (truncating)
 * when len > 0. */
VEIL_EXPORT void nn_mnist_explain(char *msg, size_t len, const char *dir,
                                  veil_status st);

/* ==================================================================== models
 */

#define NN_PIXEL_SCALE 256.0f /* float input = pixel / NN_PIXEL_SCALE      */
#define NN_MAX_LAYERS 32
#define NN_MAX_DIM 4096         /* limit on every c, h, w                     */
#define NN_MAX_ELEMS (1u << 24) /* limit on any tensor or weight array size */
#define NN_POLY_MAX_DEGREE 8
#define NN_CLASSES 10

typedef enum {
    NN_LAYER_CONV2D = 1,    /* k x k kernel, stride, zero padding, bias     */
    NN_LAYER_DENSE = 2,     /* fully connected, bias                        */
    NN_LAYER_SQUARE = 3,    /* y = x^2                                      */
    NN_LAYER_POLY = 4,      /* y = sum_i a_i x^i, trainable a_i             */
    NN_LAYER_AVGPOOL = 5,   /* k x k window mean, stride, no padding        */
    NN_LAYER_BATCHNORM = 6, /* per channel; training only, folded away     */
    NN_LAYER_RELU = 7,      /* y = max(x, 0), element-wise                  */
    NN_LAYER_MAXPOOL = 8,   /* k x k window max, stride, no padding
                               (plaintext use only)                         */
    NN_LAYER_ACT = 9        /* SAFENet channel-wise activation (paper
                               eqs. 2-3): per channel a kind, 4 coefs      */
} nn_layer_type_t;

/* The activation of one channel of an NN_LAYER_ACT layer (SAFENet, paper
 * section 3.2, eqs. 2-3).  Coefficients c_0..c_3 of channel c sit at
 * params[layer.w + 4 c + i]; those above the kind's degree (all four for
 * RELU) are 0.  The paper's degree-3 "a1 x^3 + a2 x^2 + a3 x + a4" is
 * c3 = a1, c2 = a2, c1 = a3, c0 = a4. */
typedef enum {
    NN_ACT_RELU = 0,  /* max(x, 0): a garbled-circuit ReLU in SAFENet      */
    NN_ACT_CONST = 1, /* degree-0 "pruning": y = c0                        */
    NN_ACT_POLY2 = 2, /* y = c0 + c1 x + c2 x^2                            */
    NN_ACT_POLY3 = 3  /* y = c0 + c1 x + c2 x^2 + c3 x^3                   */
} nn_act_kind_t;

#define NN_ACT_COEFS 4 /* coefficients per channel of an ACT layer */

typedef struct {
    uint32_t c, h, w;
} nn_shape_t;

static inline size_t nn_shape_size(nn_shape_t s)
{
    return (size_t)s.c * s.h * s.w;
}

/* One layer of a float model.  Its parameters live in the model's params
 * array at the offsets below:
 *   CONV2D     w: out.c x in.c x k x k weights, b: out.c biases.
 *              out.h = (in.h + 2 pad - k) / stride + 1 (rounded down).
 *   DENSE      w: out.c x size(in) weights, b: out.c biases; out = (n,1,1).
 *   POLY       w: degree + 1 coefficients a_0 .. a_degree.
 *   AVGPOOL    no parameters; out.h = (in.h - k) / stride + 1.
 *   BATCHNORM  w: gamma[in.c], b: beta[in.c]; running mean and variance
 *              in the model's state array at `mean` and `var`.
 *   RELU       no parameters.
 *   MAXPOOL    no parameters; out.h = (in.h - k) / stride + 1.
 *   ACT        w: 4 in.c coefficients (channel c: w + 4 c + 0..3); the
 *              in.c kinds (nn_act_kind_t) in the model's kinds array at
 *              `kind`.
 * qexp (conv, dense, poly) is the quantization exponent: weights become
 * round(w * 2^qexp) (see nn_qmodel_init). */
typedef struct {
    nn_layer_type_t type;
    nn_shape_t in, out;
    uint32_t k, stride, pad; /* conv2d, avgpool                     */
    uint32_t degree;         /* poly                                */
    size_t w, nw;            /* offset and count in params          */
    size_t b, nb;            /* offset and count in params          */
    size_t mean, var;        /* batchnorm: offsets in state         */
    float eps;               /* batchnorm: variance epsilon         */
    size_t kind;             /* act: offset of in.c kinds in kinds  */
    int32_t qexp;            /* quantization exponent               */
} nn_layer_t;

/* A float network: an input shape and a chain of layers.  All trainable
 * parameters sit in one array (so optimisers and gradients are flat
 * vectors); batch-norm running statistics in another. */
typedef struct {
    nn_shape_t in;
    uint32_t nlayers;
    nn_layer_t layers[NN_MAX_LAYERS];
    size_t nparams;
    float *params;
    size_t nstate;
    float *state;
    size_t nkinds;
    uint8_t *kinds;  /* ACT layers' per-channel nn_act_kind_t values       */
    int quantizable; /* 1 if in_exp and every layer's qexp were chosen     */
    int32_t in_exp;  /* quantized input = round(pixel * 2^in_exp / 256)    */
} nn_model_t;

/* An empty model taking inputs of shape `in`.  VEIL_EINVAL if a dimension is
 * 0 or > NN_MAX_DIM. */
VEIL_EXPORT veil_status nn_model_init(nn_model_t *m, nn_shape_t in) VEIL_WUR;

/* Free the parameters; safe twice. */
VEIL_EXPORT void nn_model_clear(nn_model_t *m);

/* Deep copy into a new model *dst (initialised here).  VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_copy(nn_model_t *dst,
                                      const nn_model_t *src) VEIL_WUR;

/* Append a layer to the chain; its input shape is the current output shape.
 * New parameters are zero (call nn_model_init_params), batch-norm gamma and
 * running variance 1, poly coefficients `coef[0..degree]`.  VEIL_EINVAL if
 * the shape does not allow it (kernel larger than the padded input, pad >= k,
 * stride 0, degree 0 or > NN_POLY_MAX_DEGREE, too many layers or elements);
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_add_conv2d(nn_model_t *m, uint32_t maps,
                                            uint32_t k, uint32_t stride,
                                            uint32_t pad) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_dense(nn_model_t *m,
                                           uint32_t out) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_square(nn_model_t *m) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_poly(nn_model_t *m, uint32_t degree,
                                          const float *coef) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_avgpool(nn_model_t *m, uint32_t k,
                                             uint32_t stride) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_batchnorm(nn_model_t *m) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_relu(nn_model_t *m) VEIL_WUR;
VEIL_EXPORT veil_status nn_model_add_maxpool(nn_model_t *m, uint32_t k,
                                             uint32_t stride) VEIL_WUR;
/* A SAFENet activation layer over the current output channels: every
 * channel NN_ACT_RELU, every coefficient 0. */
VEIL_EXPORT veil_status nn_model_add_act(nn_model_t *m) VEIL_WUR;

/* Set channel `channel` of ACT layer `layer` to `kind` with coefficients
 * c[0..3] (c may be NULL for NN_ACT_RELU).  Coefficients above the kind's
 * degree are stored as 0 whatever c holds.  VEIL_EINVAL if layer is not an
 * ACT layer, channel >= its channels, kind > NN_ACT_POLY3 or a used
 * coefficient is not finite. */
VEIL_EXPORT veil_status nn_model_set_act(nn_model_t *m, uint32_t layer,
                                         uint32_t channel, nn_act_kind_t kind,
                                         const float c[4]) VEIL_WUR;

/* Degree of an activation kind: RELU -1, CONST 0, POLY2 2, POLY3 3. */
VEIL_EXPORT int nn_act_degree(nn_act_kind_t kind);

/* Count the element-wise activations of layer `layer` of m (ACT: per
 * channel kind times h w; RELU: all ReLUs; other layers: 0): relus[0]
 * ReLUs, polys[kind] for NN_ACT_CONST..NN_ACT_POLY3 (index = kind).
 * Either output may be NULL. */
VEIL_EXPORT void nn_model_count_act(uint64_t *relus, uint64_t polys[4],
                                    const nn_model_t *m, uint32_t layer);

/* The same, summed over all layers. */
VEIL_EXPORT void nn_model_count_act_total(uint64_t *relus, uint64_t polys[4],
                                          const nn_model_t *m);

/* CNN-7 (MiniONN, Delphi and SAFENet's CIFAR-10 network): conv3x3 64 pad 1,
 * ACT, conv3x3 64 pad 1, ACT, meanpool 2, conv3x3 64 pad 1, ACT, conv3x3 64
 * pad 1, ACT, meanpool 2, conv3x3 64 pad 1, ACT, conv1x1 64, ACT, conv1x1
 * 16, ACT, dense 1024 -> 10, all activations ReLU (173,056 of them for
 * 32x32 inputs).  in must be 3x32x32 (CIFAR-10) or 1x32x32 (MNIST images
 * zero-padded by 2 on each side, nn_image_to_input).  Parameters are 0
 * (call nn_model_init_params).  Initialises *m.  VEIL_EINVAL for another
 * shape, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_cnn7(nn_model_t *m, nn_shape_t in) VEIL_WUR;

/* The float input of a model of input shape `in` from an image of
 * in.c x rows x cols bytes (channel-major): x[(c in.h + y) in.w + x] =
 * pixel / NN_PIXEL_SCALE with the image centred ((in.h - rows) / 2 zero
 * rows above, (in.w - cols) / 2 zero columns on the left) and zero
 * elsewhere; an MNIST 28x28 image becomes the 1x32x32 input of CNN-7.
 * Requires rows <= in.h, cols <= in.w. */
VEIL_EXPORT void nn_image_to_input(float *x, nn_shape_t in, const uint8_t *img,
                                   uint32_t rows, uint32_t cols);

/* Shape of the model's output (its input shape if it has no layers). */
VEIL_EXPORT nn_shape_t nn_model_out_shape(const nn_model_t *m);

/* "conv2d", "dense", "square", "poly", "avgpool", "batchnorm", "relu",
 * "maxpool", "act" or "?". */
VEIL_EXPORT const char *nn_layer_name(nn_layer_type_t type);

/* Random initialisation from rng: conv and dense weights uniform in
 * [-gain * sqrt(3 / fan_in), +gain * sqrt(3 / fan_in)] (variance
 * gain^2 / fan_in), biases and batch-norm beta 0, gamma 1; poly coefficients
 * are left as given.  gain <= 1 keeps square activations from blowing up. */
VEIL_EXPORT void nn_model_init_params(nn_model_t *m, veil_rng_t *rng,
                                      float gain);

/* Fold every batch-norm layer into the neighbouring linear layer: into the
 * conv2d/dense layer just before it, otherwise into a dense layer (or an
 * unpadded conv2d) just after it.  *dst is initialised here; src is not
 * changed.  The result computes the same function as src in inference mode
 * (up to float rounding).  VEIL_EINVAL if some batch-norm layer has no
 * linear neighbour it can be folded into; VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_fold_batchnorm(nn_model_t *dst,
                                                const nn_model_t *src) VEIL_WUR;

/* Float inference (batch norm with running statistics) of one input:
 * out[0..size(out shape)) from in[0..size(in shape)).  `work` must hold
 * nn_model_work_size(m) floats; out and in must not overlap work. */
VEIL_EXPORT size_t nn_model_work_size(const nn_model_t *m);
VEIL_EXPORT void nn_model_forward(float *out, const nn_model_t *m,
                                  const float *in, float *work);

/* Index of the largest of v[0..n) (the first one on ties). */
VEIL_EXPORT uint32_t nn_argmax(const float *v, uint32_t n);

/* Float test accuracy (fraction in [0, 1]) of m on a data set whose images
 * fit m's input shape (same channels, rows <= in.h, cols <= in.w; smaller
 * images are centred as by nn_image_to_input).  VEIL_EINVAL on a shape
 * mismatch, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_accuracy(double *acc, const nn_model_t *m,
                                          const nn_dataset_t *ds) VEIL_WUR;

/* ======================================================= model file format */

/* Write m to a .vmodel file (format: models/README.md; little-endian,
 * versioned, SHA-256 protected), with its quantization exponents if
 * m->quantizable.  VEIL_EIO on a write error, VEIL_EINVAL on a NULL
 * argument. */
VEIL_EXPORT veil_status nn_model_save(const char *path,
                                      const nn_model_t *m) VEIL_WUR;

/* The same bytes in memory: *buf (free with free()) of *len bytes. */
VEIL_EXPORT veil_status nn_model_serialize(uint8_t **buf, size_t *len,
                                           const nn_model_t *m) VEIL_WUR;

/* Parse a .vmodel image into *m (initialised here; left empty on error).
 * Validates everything: magic, version, flags, checksum, exact length,
 * layer types, shapes and limits, finite parameters, positive batch-norm
 * variances, exponent ranges.  VEIL_EFORMAT on any violation, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_parse(nn_model_t *m, const uint8_t *buf,
                                       size_t len) VEIL_WUR;

/* Read a .vmodel file: as nn_model_parse, plus VEIL_EIO if it cannot be
 * read. */
VEIL_EXPORT veil_status nn_model_load(nn_model_t *m, const char *path) VEIL_WUR;

/* ================================================================== training
 */

typedef enum { NN_OPT_SGD = 0, NN_OPT_ADAM = 1 } nn_optimizer_t;

/* Learning-rate schedules over the whole run (step s of S):
 *   COSINE    lr_min + (lr - lr_min) (1 + cos(pi s / S)) / 2
 *   CONSTANT  lr
 *   STEP      lr, times lr_gamma after half the steps and again after
 *             three quarters. */
typedef enum {
    NN_LR_COSINE = 0,
    NN_LR_CONSTANT = 1,
    NN_LR_STEP = 2
} nn_lr_schedule_t;

/* Progress report handed to the caller's callback (the library never
 * prints).  Called after every mini-batch and once more at the end of each
 * epoch with epoch_done = 1. */
typedef struct {
    uint32_t epoch, epochs;  /* current epoch, 1-based, and total      */
    uint32_t batch, batches; /* mini-batches done in this epoch, total */
    double loss;             /* mean training loss so far this epoch   */
    double accuracy;         /* training accuracy so far this epoch    */
    double test_accuracy;    /* end of epoch with a test set, else -1  */
    double lr;               /* learning rate of the last step         */
    int epoch_done;
} nn_progress_t;

typedef void (*nn_progress_fn)(void *arg, const nn_progress_t *p);

typedef struct {
    uint32_t epochs, batch;
    nn_optimizer_t opt;
    float lr;       /* initial learning rate                          */
    float lr_min;   /* cosine decay from lr to lr_min over training   */
    float momentum; /* SGD (heavy ball)                               */
    float beta1, beta2, adam_eps; /* Adam                                 */
    float weight_decay; /* decoupled (AdamW-style) on conv/dense weights  */
    float clip;         /* clip the global gradient norm to this; 0: off  */
    nn_lr_schedule_t schedule; /* default cosine                          */
    float lr_gamma;  /* NN_LR_STEP factor                              */
    uint32_t shift;  /* augmentation: random translation, +-shift px
                        with zero fill (for CIFAR: "random crop with
                        padding shift")                               */
    int hflip;       /* augmentation: mirror each image with prob. 1/2 */
    float init_gain; /* see nn_model_init_params                       */
    int finetune;    /* 1: keep m's parameters, do not initialise      */
    int quant_aware; /* 1: forward through the quantized network (m
                        quantizable, no batch norm): weights, biases,
                        coefficients and inputs replaced by the values
                        their integers stand for; gradients pass
                        straight through to the float parameters      */
    uint8_t seed[VEIL_SEED_BYTES]; /* init, shuffling and augmentation     */
    nn_progress_fn progress;
    void *progress_arg;
    const char *checkpoint; /* if not NULL: written (atomically) after
                               every epoch: parameters, optimiser moments,
                               generator state and order of the data      */
    int resume;             /* 1: continue from `checkpoint` if that file
                               exists (same model shape, data and options);
                               the result equals the uninterrupted run's      */
    uint32_t stop_epoch;    /* if not 0: return VEIL_OK after this epoch (a
                               run split into sessions with resume)         */
} nn_train_opts_t;

/* Defaults: 20 epochs, batch 64, Adam (0.9, 0.999, 1e-8), lr 2e-3 decaying
 * to 1e-5 (cosine; lr_gamma 0.1 for the step schedule), weight decay 0,
 * clip 5, shift 0, no flip, gain 1, seed all zero, no checkpoint. */
VEIL_EXPORT void nn_train_opts_default(nn_train_opts_t *o);

/* Initialise m's parameters from o->seed (unless o->finetune) and train it
 * on `train` (images with m's channels, at most m's height and width; smaller
 * ones are centred, nn_image_to_input) with softmax cross-entropy.  If test
 * is not NULL, its accuracy is reported at the end of each epoch.  The
 * result is a deterministic function of m's architecture, the data, *o and
 * the number of OpenMP threads (which is also the number of OpenBLAS
 * threads the GEMMs use).  VEIL_EINVAL on shape mismatch or bad options
 * (batch 0, lr <= 0, m without parameters or whose output is not
 * NN_CLASSES values, quant_aware on a model that is not quantizable or has
 * batch norm), VEIL_ERANGE if the loss becomes non-finite or a quantized
 * weight exceeds NN_QWEIGHT_MAX, VEIL_EIO if the checkpoint cannot be
 * written, VEIL_EFORMAT if a checkpoint to resume from is corrupt or
 * belongs to another run, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_train(nn_model_t *m, const nn_dataset_t *train,
                                 const nn_dataset_t *test,
                                 const nn_train_opts_t *o) VEIL_WUR;

/* Mean softmax cross-entropy of m on the mini-batch x[n][size(in)],
 * labels y[n] < NN_CLASSES, with batch norm in training mode (batch
 * statistics, running statistics untouched), and its gradient with respect
 * to every parameter: grad[0..m->nparams).  This is the step nn_train
 * takes; it is exposed for gradient checks.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_loss_grad(float *grad, double *loss,
                                           const nn_model_t *m, const float *x,
                                           const uint8_t *y,
                                           uint32_t n) VEIL_WUR;

/* =========================================== SAFENet activation planning */

/* Channel importance of ACT layer `layer` (paper section 3, eq. 3): imp[c]
 * = the L1 norm of the filter of the convolution (or the row of the dense
 * layer) that produces channel c: the nearest conv2d/dense layer before
 * it.  imp holds in.c floats.  VEIL_EINVAL if `layer` is not an ACT layer
 * or no linear layer produces its channels. */
VEIL_EXPORT veil_status nn_act_importance(float *imp, const nn_model_t *m,
                                          uint32_t layer) VEIL_WUR;

/* Input statistics of every ACT layer over a calibration set: for layer i
 * and channel c, the moments sum x^k (k = 0..6) and sum relu(x) x^k
 * (k = 0..3) of the layer's inputs, which give the least-squares
 * polynomial fit of ReLU over the observed inputs, and their range. */
typedef struct {
    uint32_t nlayers;
    double *mom[NN_MAX_LAYERS];  /* in.c x 7 for ACT layers, else NULL  */
    double *rmom[NN_MAX_LAYERS]; /* in.c x 4                            */
    float *lo[NN_MAX_LAYERS], *hi[NN_MAX_LAYERS]; /* observed range     */
} nn_act_calib_t;

/* Run the first `count` images of ds through m (inference mode) and
 * collect the statistics.  Initialises *cal.  VEIL_EINVAL on a shape
 * mismatch, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_act_calibrate(nn_act_calib_t *cal,
                                         const nn_model_t *m,
                                         const nn_dataset_t *ds,
                                         uint32_t count) VEIL_WUR;
VEIL_EXPORT void nn_act_calib_clear(nn_act_calib_t *cal);

/* Coefficients c[0..3] of the degree-`degree` (0, 2 or 3) polynomial that
 * fits ReLU best in the least-squares sense over the observed inputs of
 * channel `channel` of ACT layer `layer` (higher coefficients 0): the
 * normal equations of the moments, solved in the variable x / max|x|.
 * If they are singular (all inputs equal), the constant relu(mean). */
VEIL_EXPORT void nn_act_fit_relu(float c[4], const nn_act_calib_t *cal,
                                 uint32_t layer, uint32_t channel, int degree);

/* Set ACT layer `layer` to SAFENet's plan (eqs. 2-3): the
 * floor(alpha * C + 0.5) least important channels (nn_act_importance; ties
 * by channel index) get the degree-beta approximation (beta 0: constant,
 * 2, 3), the others ReLU.  A channel that already has that kind keeps its
 * (trained) coefficients; a newly replaced one starts from
 * nn_act_fit_relu.  VEIL_EINVAL for alpha outside [0, 1], beta not in
 * {0, 2, 3}, a layer that is not ACT or has no statistics in cal. */
VEIL_EXPORT veil_status nn_act_apply(nn_model_t *m, uint32_t layer,
                                     double alpha, int beta,
                                     const nn_act_calib_t *cal) VEIL_WUR;

/* The fraction of ACT layer `layer`'s channels that are not ReLU, and the
 * degree of the first such channel (2 if none). */
VEIL_EXPORT void nn_act_plan_of(double *alpha, int *beta, const nn_model_t *m,
                                uint32_t layer);

/* R(beta) of eq. 4: the time saved by a degree-beta replacement of one
 * ReLU, as a fraction of the ReLU's cost.  r[NN_ACT_CONST] = R(0),
 * r[NN_ACT_POLY2] = R(2), r[NN_ACT_POLY3] = R(3) (r[0] unused). */
typedef struct {
    double r[4];
} nn_act_costs_t;

/* Eq. 4, normalised by the number N of activations of m:
 * accuracy * (1 + sum_t alpha_t n_t R(beta_t) / N), the sum running over
 * the replaced activations of each kind. */
VEIL_EXPORT double nn_plan_score(double accuracy, const nn_model_t *m,
                                 const nn_act_costs_t *costs);

/* Options of the planner (PBT, Jaderberg et al. 2017; BTPBT, SAFENet
 * Algorithm 1). */
typedef struct {
    double threshold;      /* accuracy the plan must keep (fraction)       */
    uint32_t population;   /* PBT workers (>= 2)                           */
    uint32_t generations;  /* exploit/explore cycles per PBT               */
    uint32_t images;       /* training images per worker per generation    */
    uint32_t val_images;   /* validation images for accuracy (from val)    */
    uint32_t final_images; /* if not 0: a final fine-tune on this many
                              training images (same plan, cosine decay
                              from train.lr to train.lr / 100) of the
                              stage results and each stage's worker with
                              the best eq.-4 score without the threshold
                              (in any generation), largest replaced
                              fraction first, at most
                              final_tries of them besides the best one
                              that met the threshold; the first that
                              meets it after the fine-tune wins          */
    uint32_t final_tries;
    int multi_degree;      /* 1: beta searched in {0, 2, 3}; 0: beta = 2   */
    int mixed;             /* 1: BTPBT (per-node alpha); 0: one PBT with
                              one alpha and beta shared by all layers      */
    nn_act_costs_t costs;  /* R(beta)                                      */
    nn_train_opts_t train; /* fine-tuning: optimiser, lr, batch, clip      */
    double deadline;       /* CLOCK_REALTIME seconds at which to stop
                              searching (finishing the current
                              generation); 0: none                        */
    const char *state_dir; /* if not NULL: each finished stage is saved
                              there (stage-K.vmodel, stage-K.txt, and its
                              final-fine-tune candidate besides the best,
                              stage-K-extra.vmodel) and reused on a rerun:
                              a plan resumes; a stage the deadline cut
                              short is not saved                         */
    uint8_t seed[VEIL_SEED_BYTES];
    void (*log)(void *arg, const char *line); /* progress lines, or NULL */
    void *log_arg;
} nn_plan_opts_t;

/* Defaults: threshold 0, population 4, 3 generations, 512 images, 1000
 * validation images, no final fine-tune (final_tries 2), multi-degree and
 * mixed on, R = 1, 0.99, 0.99, fine-tuning with Adam at lr 1e-4
 * (constant), batch 64, clip 1. */
VEIL_EXPORT void nn_plan_opts_default(nn_plan_opts_t *o);

/* Search an activation plan for `base` (a model whose activations are ACT
 * layers, normally all ReLU and trained): BTPBT (Algorithm 1) over a
 * binary tree of the ACT layers, or one shared-alpha PBT if !o->mixed.
 * Writes the best plan that meets o->threshold on val (accuracy on its
 * first o->val_images images) into *out (initialised here): the
 * fine-tuned weights with the ACT kinds and coefficients of the plan; *acc
 * and *score are its validation accuracy and eq.-4 score.  If no plan
 * meets the threshold, *out is a copy of base.  The result is a
 * deterministic function of the inputs, *o and the number of threads.
 * VEIL_EINVAL (bad options, no ACT layer), VEIL_EIO (state_dir),
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_plan_btpbt(nn_model_t *out, double *acc,
                                      double *score, const nn_model_t *base,
                                      const nn_dataset_t *train,
                                      const nn_dataset_t *val,
                                      const nn_plan_opts_t *o) VEIL_WUR;

/* ============================================================== quantization
 */

/* A quantized layer.  Values carry a scale S (an exact positive rational):
 * an integer X stands for the real X / S.  With S the scale of the input:
 *   CONV2D, DENSE  Y = b + sum w X with integer w = round(w_f 2^qexp) and
 *                  b = round(b_f S 2^qexp); output scale S 2^qexp.
 *   SQUARE         Y = X^2; output scale S^2.
 *   POLY           Y = sum_i c_i X^i, c_i = round(a_i 2^qexp S^(degree-i));
 *                  output scale 2^qexp S^degree.
 *   AVGPOOL        Y = sum of the k x k window (sum pooling); scale S k^2.
 * round() is round half away from zero, computed exactly. */
typedef struct {
    nn_layer_type_t type;
    nn_shape_t in, out;
    uint32_t k, stride, pad, degree;
    int32_t *w; /* conv, dense: nw integer weights, float layout   */
    size_t nw;
    fmpz *b; /* conv, dense: out.c biases; poly: degree+1 coefs */
    size_t nb;
    int32_t wmax; /* max |w| (conv, dense)                           */
    fmpq_t scale; /* scale of this layer's output                    */
} nn_qlayer_t;

/* A quantized network: integer input X = round(pixel * 2^in_exp / 256) in
 * [0, in_max], scale 2^in_exp; logits = the last layer's output. */
typedef struct {
    nn_shape_t in;
    int32_t in_exp;
    int64_t in_max;
    uint32_t nlayers;
    nn_qlayer_t layers[NN_MAX_LAYERS];
} nn_qmodel_t;

#define NN_QEXP_MIN (-32)
#define NN_QEXP_MAX 64
#define NN_QWEIGHT_MAX ((1 << 24) - 1) /* |integer weight| limit */
/* Limit on the bits of every exact number the quantizer and the range
 * analysis produce: a layer scale's numerator and denominator, an integer
 * bias or polynomial coefficient, a value bound.  Each square layer doubles
 * the scale's bits, so without it a file of 30 square layers needed 2^30-bit
 * numbers.  The shipped models use at most 59 bits. */
#define NN_QBITS_MAX 4096

/* Quantize a float model that has quantization exponents (m->quantizable)
 * and no batch norm.  VEIL_EINVAL if m is not quantizable or holds a batch
 * norm layer, VEIL_ERANGE if an integer weight would exceed NN_QWEIGHT_MAX
 * or a scale, bias or coefficient would exceed NN_QBITS_MAX bits,
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_qmodel_init(nn_qmodel_t *q,
                                       const nn_model_t *m) VEIL_WUR;

/* Free; safe twice. */
VEIL_EXPORT void nn_qmodel_clear(nn_qmodel_t *q);

/* Set every conv/dense/poly exponent of m to the largest one for which the
 * integer weights fit `bits` bits (|w| <= 2^(bits-1) - 1), and m->in_exp to
 * in_exp; marks m quantizable.  VEIL_EINVAL if bits not in 2..25 or in_exp
 * not in 0..8, or if m holds a batch norm layer. */
VEIL_EXPORT veil_status nn_model_set_qbits(nn_model_t *m, uint32_t bits,
                                           int32_t in_exp) VEIL_WUR;

/* Choose m's quantization exponents (in_exp and every layer's qexp) for
 * the fewest worst-case bits (nn_ranges_compute over inputs [0, in_max])
 * such that the quantized model predicts the same class as the float model
 * on at least a fraction 1 - tol of ds (use a held-out set; tol = 0.001
 * allows 0.1% disagreement, which bounds the accuracy change on ds by 0.1
 * points).  Marks m quantizable and sets *agree to the agreement reached.
 * The search (doc/10-nn.md) starts from the smallest uniform width that
 * meets tol, then lowers one exponent at a time.  VEIL_EINVAL (bad
 * arguments, batch norm present), VEIL_ERANGE if no uniform width up to 25
 * bits meets tol, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_model_choose_qparams(nn_model_t *m, double *agree,
                                                const nn_dataset_t *ds,
                                                double tol) VEIL_WUR;

/* round(pixel * 2^in_exp / 256) for in_exp in 0..8: a value in
 * [0, 2^in_exp]. */
VEIL_EXPORT int64_t nn_quantize_pixel(uint8_t pixel, int32_t in_exp);

/* The float parameters q's integers stand for: a copy of m->params in which
 * every conv/dense weight and bias and every poly coefficient is replaced by
 * integer / scale (rounded to float).  q must come from nn_qmodel_init(q, m);
 * params holds m->nparams floats.  Used for quantization-aware training. */
VEIL_EXPORT void nn_qmodel_dequantize(float *params, const nn_qmodel_t *q,
                                      const nn_model_t *m);

/* The quantized input of one image: x[i] = nn_quantize_pixel(pixels[i],
 * q->in_exp) for i < size(q->in).  x must be an fmpz vector of that
 * length. */
VEIL_EXPORT void nn_qmodel_quantize_input(fmpz *x, const nn_qmodel_t *q,
                                          const uint8_t *pixels);

/* All intermediate values of one exact evaluation: v[0] is the input,
 * v[i + 1] the output of layer i (len[i + 1] entries), v[nlayers] the
 * logits. */
typedef struct {
    uint32_t nlayers;
    fmpz *v[NN_MAX_LAYERS + 1];
    size_t len[NN_MAX_LAYERS + 1];
} nn_qtrace_t;

VEIL_EXPORT veil_status nn_qtrace_init(nn_qtrace_t *t,
                                       const nn_qmodel_t *q) VEIL_WUR;
VEIL_EXPORT void nn_qtrace_clear(nn_qtrace_t *t);

/* Exact integer evaluation: from t->v[0] (the quantized input; any integers
 * are accepted), fill t->v[1..nlayers].  No rounding anywhere: this is the
 * reference every encrypted evaluation must match exactly. */
VEIL_EXPORT void nn_qmodel_eval(nn_qtrace_t *t, const nn_qmodel_t *q);

/* One layer: out[0..size(l->out)) from in[0..size(l->in)).  out and in must
 * not overlap. */
VEIL_EXPORT void nn_qlayer_eval(fmpz *out, const nn_qlayer_t *l,
                                const fmpz *in);

/* Index of the largest of v[0..n) (the first one on ties). */
VEIL_EXPORT uint32_t nn_argmax_fmpz(const fmpz *v, uint32_t n);

/* Quantized accuracy of q on a data set (grey-scale or colour: q's input
 * shape must be the images' channels x rows x cols), and (if agree is not
 * NULL) the fraction of images on which q and the float model m (same input
 * shape) predict the same class (m may be NULL when agree is NULL).
 * VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_qmodel_accuracy(double *acc, double *agree,
                                           const nn_qmodel_t *q,
                                           const nn_model_t *m,
                                           const nn_dataset_t *ds) VEIL_WUR;

/* ============================================ deep representations (files) */

/* Deep representations (LoLa paper section 5; doc/11-lola.md section 11):
 * the client runs a public trunk network in plaintext and sends only its
 * features, encrypted; the server's private head classifies them.  A
 * features file holds such features quantized to bytes: feature i of record
 * r is codes[r * dim + i] * scale (the trunk's representation is taken
 * after a ReLU, so it is >= 0; values above 255 * scale are clipped).  A
 * LoLa head reads the codes as it reads pixels: its float input is
 * code / NN_PIXEL_SCALE, its input shape (dim, 1, 1).
 *
 * File layout (little-endian; doc/11-lola.md section 11 has the table):
 *   0  4  magic "VFEA"
 *   4  4  version (NN_FEATURES_VERSION)
 *   8  4  count     records, 1..NN_FEATURES_MAX_COUNT
 *  12  4  dim       features per record, 1..NN_FEATURES_MAX_DIM
 *  16  4  classes   2..NN_FEATURES_MAX_CLASSES
 *  20  4  scale     IEEE-754 binary32, finite and > 0
 *  24  4  flags     0
 *  28  4  reserved  0
 *  32     codes     count * dim bytes, record-major
 *  32 + count * dim labels   count bytes, each < classes
 * and nothing after: the length is exactly 32 + count * (dim + 1). */
#define NN_FEATURES_VERSION 1
#define NN_FEATURES_HEADER 32
#define NN_FEATURES_MAX_COUNT (1u << 20)
#define NN_FEATURES_MAX_DIM NN_MAX_DIM /* a head's input (dim, 1, 1) */
#define NN_FEATURES_MAX_CLASSES 256
#define NN_FEATURES_MAX_BYTES ((size_t)1 << 30) /* count * dim limit */

typedef struct {
    uint32_t count, dim, classes;
    float scale;     /* feature value = code * scale                    */
    uint8_t *codes;  /* count * dim, record-major                       */
    uint8_t *labels; /* count, each < classes                           */
} nn_features_t;

/* An empty set of count records of dim features (codes and labels 0).
 * VEIL_EINVAL if a size or the scale is outside the limits above (the same
 * the parser enforces), VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_features_init(nn_features_t *f, uint32_t count,
                                         uint32_t dim, uint32_t classes,
                                         float scale) VEIL_WUR;

/* Free; safe twice and after a failed init or parse. */
VEIL_EXPORT void nn_features_clear(nn_features_t *f);

/* The file bytes of f: *buf from malloc (free()), *len bytes.  VEIL_EINVAL
 * if f breaks a limit (a label >= classes included), VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_features_serialize(uint8_t **buf, size_t *len,
                                              const nn_features_t *f) VEIL_WUR;

/* Parse a features file held in memory into *f (initialised here; empty
 * on error).  VEIL_EFORMAT for a wrong magic, version, flags or reserved
 * word, a count, dim, classes or scale outside the limits, count * dim
 * above NN_FEATURES_MAX_BYTES, a length other than 32 + count (dim + 1)
 * (truncated or trailing bytes), or a label >= classes; VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_features_parse(nn_features_t *f, const uint8_t *buf,
                                          size_t len) VEIL_WUR;

/* Write / read a file.  Reading checks the file's size against the header
 * before anything is reserved.  VEIL_EIO (cannot open, read or write), as
 * nn_features_serialize / nn_features_parse otherwise. */
VEIL_EXPORT veil_status nn_features_save(const char *path,
                                         const nn_features_t *f) VEIL_WUR;
VEIL_EXPORT veil_status nn_features_load(nn_features_t *f,
                                         const char *path) VEIL_WUR;

/* The client's side: the deep representation of images [first, first +
 * count) of ds, the output of the first `layers` layers of the float model
 * m run in plaintext (the trunk; its image input as nn_image_to_input),
 * quantized as codes = min(255, round(max(v, 0) / scale)).  scale <= 0:
 * the largest value seen / 255 (1 if all are 0).  Labels are ds's, classes
 * `classes` (every label must be below it).  *f initialised here.
 * VEIL_EINVAL (layers 0 or > m->nlayers, an empty or out-of-range image
 * interval, images that do not fit m's input, a representation of more
 * than NN_FEATURES_MAX_DIM values, a label >= classes), VEIL_ENOMEM. */
VEIL_EXPORT veil_status
nn_features_extract(nn_features_t *f, const nn_model_t *m, uint32_t layers,
                    const nn_dataset_t *ds, uint32_t first, uint32_t count,
                    uint32_t classes, float scale) VEIL_WUR;

/* The records as a data set of dim x 1 x 1 "images" (the codes) for the
 * programs that read pixels (apps/lola, lola_client_encrypt): *ds
 * initialised here, a copy.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_features_dataset(nn_dataset_t *ds,
                                            const nn_features_t *f) VEIL_WUR;

/* ============================================================== value ranges
 */

/* Worst-case ranges by exact interval arithmetic: every value v[i][j] of an
 * evaluation (nn_qtrace_t indexing: 0 is the input) lies in
 * [lo[i][j], hi[i][j]] for every input in [in_lo, in_hi]^size(in).  maxabs
 * is the largest |lo|, |hi| of a layer, bits the number of bits of maxabs
 * (so |v| < 2^bits); the totals cover all layers.  A plaintext modulus t
 * (e.g. a product of CRT primes) represents every value exactly in the
 * centred range (-t/2, t/2) iff t > 2 * maxabs. */
typedef struct {
    size_t len;
    fmpz *lo, *hi;
    fmpz_t maxabs;
    uint32_t bits;
} nn_range_t;

typedef struct {
    uint32_t nlayers;
    nn_range_t v[NN_MAX_LAYERS + 1];
    fmpz_t maxabs;
    uint32_t bits;
} nn_ranges_t;

/* Compute the ranges of q for inputs in [in_lo, in_hi] (in_lo <= in_hi).
 * Each bound is attained per value by some input for the first linear
 * layer; later layers are sound over-approximations.  VEIL_EINVAL,
 * VEIL_ERANGE if a bound exceeds NN_QBITS_MAX bits (r is then empty),
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status nn_ranges_compute(nn_ranges_t *r, const nn_qmodel_t *q,
                                          int64_t in_lo,
                                          int64_t in_hi) VEIL_WUR;

/* Free; safe twice. */
VEIL_EXPORT void nn_ranges_clear(nn_ranges_t *r);

#ifdef __cplusplus
}
#endif
#endif /* VEIL_NN_H */
