/* Helpers shared by the garbled-circuit test files. */
#ifndef VEIL_TEST_GC_HELPERS_H
#define VEIL_TEST_GC_HELPERS_H

#include "../common/seed.h"
#include "veil/mpc_gc.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bits[0..n) = the low n bits of v, least significant first */
static inline void gc_to_bits(uint8_t *bits, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        bits[i] = (uint8_t)((v >> i) & 1);
}

static inline uint64_t gc_from_bits(const uint8_t *bits, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)(bits[i] & 1) << i;
    return v;
}

/* A uniform value below 2^n (n <= 64). */
static inline uint64_t gc_rand_bits(veil_rng_t *rng, unsigned n)
{
    uint64_t v = veil_rng_u64(rng);
    return n >= 64 ? v : v & (((uint64_t)1 << n) - 1);
}

/* A random circuit with the given inputs and about n_gates gates of every
 * kind (AND about a third of them), reading earlier wires uniformly, and
 * n_out outputs among all wires.  Built with raw gate arrays, not the
 * builder, so that constants and repeated operands reach the garbler. */
static inline void gc_random_circuit(mpc_circuit_t *c, veil_rng_t *rng,
                                     uint32_t n_gin, uint32_t n_ein,
                                     uint32_t n_gates, uint32_t n_out)
{
    uint32_t n_in = n_gin + n_ein;
    mpc_circuit_init(c);
    c->n_gin = n_gin;
    c->n_ein = n_ein;
    c->n_gates = n_gates;
    c->n_out = n_out;
    c->gates = malloc(((size_t)n_gates + 1) * sizeof(mpc_gate_t));
    c->out = malloc(((size_t)n_out + 1) * sizeof(uint32_t));
    for (uint32_t k = 0; k < n_gates; k++) {
        uint32_t w = n_in + k, r = (uint32_t)(veil_rng_u64(rng) % 100);
        mpc_gate_t *g = &c->gates[k];
        g->a = g->b = 0;
        if (w == 0 || r < 3)
            g->op = r & 1 ? MPC_GATE_CONST1 : MPC_GATE_CONST0;
        else if (r < 13)
            g->op = MPC_GATE_NOT;
        else
            g->op = r < 50 ? MPC_GATE_AND : MPC_GATE_XOR;
        if (g->op <= MPC_GATE_NOT) {
            /* favour recent wires so that the circuit gets deep */
            uint32_t span = w < 16 ? w : 16;
            g->a = veil_rng_u64(rng) % 2
                       ? w - 1 - (uint32_t)(veil_rng_u64(rng) % span)
                       : (uint32_t)(veil_rng_u64(rng) % w);
            if (g->op != MPC_GATE_NOT)
                g->b = (uint32_t)(veil_rng_u64(rng) % w);
        }
        c->n_and += g->op == MPC_GATE_AND;
    }
    for (uint32_t k = 0; k < n_out; k++)
        c->out[k] = (uint32_t)(veil_rng_u64(rng) % (n_in + n_gates));
}

#endif
