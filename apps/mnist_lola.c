/*
 * mnist_lola - private inference on MNIST with LoLa.
 *
 * A client encrypts a handwritten digit with BFV; a server that never sees
 * the image (and never holds a secret key) evaluates a trained network on
 * the ciphertexts; the client decrypts the ten scores and takes the largest.
 * The integer network the server evaluates is also run in the clear by the
 * exact evaluator, and the decrypted scores must equal it bit for bit.
 *
 *   apps/mnist_lola                      a few test images, one process
 *   apps/mnist_lola --all --json         the whole test set, JSON lines
 *   apps/mnist_lola --serve 5555 &       server in its own process ...
 *   apps/mnist_lola --connect 127.0.0.1:5555   ... and the client
 *
 * The driver is shared with apps/lola (other networks and data sets):
 * apps/common/lola_run.c.  See doc/11-lola.md.
 */
#include "common/lola_run.h"

int main(int argc, char **argv)
{
    static const lola_run_config_t cfg = {"mnist_lola", 0};
    return lola_run_main(argc, argv, &cfg);
}
