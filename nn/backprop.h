/*
 * backprop.h - private: the workspace that runs a mini-batch forward in
 * training mode and back-propagates the softmax cross-entropy loss.  Used by
 * nn_train (train.c) and nn_model_loss_grad (backprop.c).
 */
#ifndef VEIL_NN_BACKPROP_H
#define VEIL_NN_BACKPROP_H

#include "batch.h"
#include "veil/nn.h"

/* Loops touching fewer values than this run on one thread: a parallel
 * region's barrier costs more than it saves there, and far more when other
 * processes compete for the cores. */
#define NN_PAR_MIN ((size_t)1 << 17)

typedef struct {
    const nn_model_t *m;
    uint32_t cap;                   /* largest batch                   */
    float *act[NN_MAX_LAYERS + 1];  /* act[0] input, act[i+1] layer i  */
    float *dact[NN_MAX_LAYERS + 1]; /* d loss / d act (dact[0] unused) */
    nn_conv_ws_t ws;                /* conv: GEMM scratch (batch.h)    */
    double *bn_mean[NN_MAX_LAYERS]; /* batch norm: batch statistics    */
    double *bn_var[NN_MAX_LAYERS];  /* (biased variance)               */
    double *psum;                   /* per-sample partial sums         */
    double *loss;                   /* per-sample loss                 */
    float *grad;                    /* m->nparams gradient             */
} nn_backprop_t;

/* Workspace for batches of up to cap samples of model m (borrowed: its
 * architecture must not change while the workspace lives), for as many
 * threads as omp_get_max_threads() returns now.  Sets OpenBLAS to one
 * thread (batch.h). */
veil_status _nn_backprop_init(nn_backprop_t *bp, const nn_model_t *m,
                              uint32_t cap) VEIL_WUR;
void _nn_backprop_clear(nn_backprop_t *bp);

/* With bp->act[0] holding n <= cap inputs: forward only, in inference mode
 * (batch norm with running statistics); outputs in bp->act[nlayers]. */
void _nn_backprop_infer(nn_backprop_t *bp, uint32_t n);

/* With bp->act[0] holding n <= cap inputs: forward in training mode, mean
 * loss into *loss, number of correct predictions into *correct, and the
 * gradient of the mean loss into bp->grad.  Deterministic for any number
 * of threads. */
void _nn_backprop_run(nn_backprop_t *bp, double *loss, uint32_t *correct,
                      const uint8_t *labels, uint32_t n);

#endif /* VEIL_NN_BACKPROP_H */
