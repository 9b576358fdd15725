/*
 * lola - LoLa private inference on any network the compiler supports
 * (papers/lola-*.md; doc/11-lola.md): MNIST IDX, CIFAR-10 binary or a
 * features file (deep representations, section 11 of the chapter), with
 * trained or generated weights.
 *
 *   apps/lola --count 2                             MNIST, shipped model
 *   apps/lola --dataset cifar10 --plan-only         the paper's CIFAR-10
 *                                                   network, planned
 *   apps/lola --dataset cifar10 --data DIR --maps 4,8 --count 1
 *   apps/lola --dataset cifar10 --data DIR --model lola-cifar.vmodel \
 *             --kernels conv-plain,diag,dense-row --count 1
 *                                                   a network trained by
 *                                                   train_cnn --net
 *                                                   lola-cifar (doc/12
 *                                                   section 7)
 *   apps/lola --features head.vfea --model head.vmodel   a private head
 *   apps/lola --serve 5555 ... / --connect 127.0.0.1:5555 ...
 *
 * The driver is shared with apps/mnist_lola: apps/common/lola_run.c.
 */
#include "common/lola_run.h"

int main(int argc, char **argv)
{
    static const lola_run_config_t cfg = {"lola", 1};
    return lola_run_main(argc, argv, &cfg);
}
