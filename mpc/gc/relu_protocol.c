/*
 * gc_relu_proto.c - batches of ReLUs on shares in Delphi's offline/online
 * split: the server's masks r and the client's shares c enter offline, the
 * server's shares s online.  The server turns r and s into the circuit's
 * garbler inputs (mpc_relu_gin_offline / _online, gc_relu.c); the first
 * 2 bitlen(p) garbler inputs depend on r only and travel offline.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* 1 if relu is the ReLU circuit's shape for p and all v[0..n) < p. */
static int relu_args_ok(const mpc_circuit_t *relu, uint64_t p,
                        const uint64_t *v, size_t n)
{
    unsigned nb = gc_bitlen(p);
    if (relu == NULL || v == NULL || n == 0 || p < 3 || !(p & 1) || nb > 62 ||
        relu->n_ein != nb || relu->n_gin != 3 * nb || relu->n_out != nb)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= p)
            return 0;
    return 1;
}

veil_status mpc_relu_offline_server(mpc_gc_gbatch_t *b, mpc_gc_gparty_t *g,
                                    mpc_chan_t *ch, const mpc_circuit_t *relu,
                                    uint64_t p, const uint64_t *r, size_t n)
{
    size_t k;
    uint8_t *bits;
    veil_status st;
    if (!relu_args_ok(relu, p, r, n))
        return VEIL_EINVAL;
    k = MPC_RELU_GIN_OFFLINE(relu->n_ein);
    if (n > SIZE_MAX / k || (bits = malloc(n * k)) == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        mpc_relu_gin_offline(bits + i * k, r[i], p);
    st = mpc_gc_offline_garbler(b, g, ch, relu, n, (uint32_t)k, bits);
    veil_memzero(bits, n * k);
    free(bits);
    return st;
}

veil_status mpc_relu_offline_client(mpc_gc_ebatch_t *b, mpc_gc_eparty_t *e,
                                    mpc_chan_t *ch, const mpc_circuit_t *relu,
                                    uint64_t p, const uint64_t *c, size_t n)
{
    size_t k;
    uint8_t *bits;
    veil_status st;
    if (!relu_args_ok(relu, p, c, n))
        return VEIL_EINVAL;
    k = relu->n_ein;
    if (n > SIZE_MAX / k || (bits = malloc(n * k)) == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            bits[i * k + j] = (uint8_t)((c[i] >> j) & 1);
    st = mpc_gc_offline_evaluator(b, e, ch, relu, n,
                                  (uint32_t)MPC_RELU_GIN_OFFLINE(k), bits);
    veil_memzero(bits, n * k);
    free(bits);
    return st;
}

veil_status mpc_relu_online_server(mpc_gc_gbatch_t *b, mpc_gc_gparty_t *g,
                                   mpc_chan_t *ch, uint64_t p,
                                   const uint64_t *s)
{
    size_t k;
    uint8_t *bits;
    veil_status st;
    if (b == NULL || !relu_args_ok(b->c, p, s, b->n))
        return VEIL_EINVAL;
    k = MPC_RELU_GIN_ONLINE(b->c->n_ein);
    if ((bits = malloc(b->n * k)) == NULL)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        mpc_relu_gin_online(bits + i * k, s[i], p);
    st = mpc_gc_online_garbler(b, g, ch, bits);
    veil_memzero(bits, b->n * k);
    free(bits);
    return st;
}

veil_status mpc_relu_online_client(mpc_gc_ebatch_t *b, mpc_gc_eparty_t *e,
                                   mpc_chan_t *ch, uint64_t *y)
{
    size_t k;
    uint8_t *bits;
    veil_status st;
    if (b == NULL || b->c == NULL || y == NULL)
        return VEIL_EINVAL;
    k = b->c->n_out;
    if ((bits = malloc(b->n * k + 1)) == NULL)
        return VEIL_ENOMEM;
    st = mpc_gc_online_evaluator(b, e, ch, bits);
    for (size_t i = 0; st == VEIL_OK && i < b->n; i++) {
        y[i] = 0;
        for (size_t j = 0; j < k; j++)
            y[i] |= (uint64_t)bits[i * k + j] << j;
    }
    veil_memzero(bits, b->n * k);
    free(bits);
    return st;
}
