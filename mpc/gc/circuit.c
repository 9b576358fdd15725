/*
 * gc_circuit.c - the Boolean circuit object: initialisation, the structural
 * check every consumer relies on, and direct plaintext evaluation (the
 * reference the garbled evaluation is tested against).
 */
#include "veil/mpc_gc.h"
#include <stdlib.h>
#include <string.h>

void mpc_circuit_init(mpc_circuit_t *c)
{
    if (c != NULL)
        memset(c, 0, sizeof(*c));
}

void mpc_circuit_clear(mpc_circuit_t *c)
{
    if (c == NULL)
        return;
    free(c->gates);
    free(c->out);
    memset(c, 0, sizeof(*c));
}

/* Operands a gate of type op reads: 2, 1 or 0. */
static unsigned arity(uint32_t op)
{
    switch (op) {
    case MPC_GATE_XOR:
    case MPC_GATE_AND:
        return 2;
    case MPC_GATE_NOT:
        return 1;
    default:
        return 0;
    }
}

veil_status mpc_circuit_check(const mpc_circuit_t *c)
{
    uint64_t n_wires;
    uint32_t n_and = 0;
    if (c == NULL)
        return VEIL_EINVAL;
    n_wires = (uint64_t)c->n_gin + c->n_ein + c->n_gates;
    if (n_wires > MPC_CIRCUIT_MAX_WIRES || c->n_out > MPC_CIRCUIT_MAX_WIRES)
        return VEIL_EFORMAT;
    if ((c->n_gates > 0 && c->gates == NULL) ||
        (c->n_out > 0 && c->out == NULL))
        return VEIL_EFORMAT;
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        uint32_t w = c->n_gin + c->n_ein + k;
        unsigned ar;
        if (g->op > MPC_GATE_CONST1)
            return VEIL_EFORMAT;
        ar = arity(g->op);
        if ((ar >= 1 && g->a >= w) || (ar == 2 && g->b >= w) ||
            (ar < 1 && g->a != 0) || (ar < 2 && g->b != 0))
            return VEIL_EFORMAT;
        n_and += g->op == MPC_GATE_AND;
    }
    if (n_and != c->n_and)
        return VEIL_EFORMAT;
    for (uint32_t k = 0; k < c->n_out; k++)
        if (c->out[k] >= n_wires)
            return VEIL_EFORMAT;
    return VEIL_OK;
}

veil_status mpc_circuit_eval(uint8_t *out, const mpc_circuit_t *c,
                             const uint8_t *gin, const uint8_t *ein)
{
    uint8_t *v;
    uint32_t n_in;
    veil_status st;
    if (c == NULL || (out == NULL && c->n_out > 0) ||
        (gin == NULL && c->n_gin > 0) || (ein == NULL && c->n_ein > 0))
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    for (uint32_t i = 0; i < c->n_gin; i++)
        if (gin[i] > 1)
            return VEIL_EINVAL;
    for (uint32_t i = 0; i < c->n_ein; i++)
        if (ein[i] > 1)
            return VEIL_EINVAL;
    v = malloc((size_t)mpc_circuit_wires(c) + 1);
    if (v == NULL)
        return VEIL_ENOMEM;
    n_in = c->n_gin + c->n_ein;
    if (c->n_gin)
        memcpy(v, gin, c->n_gin);
    if (c->n_ein)
        memcpy(v + c->n_gin, ein, c->n_ein);
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        uint8_t r;
        switch (g->op) {
        case MPC_GATE_XOR:
            r = v[g->a] ^ v[g->b];
            break;
        case MPC_GATE_AND:
            r = v[g->a] & v[g->b];
            break;
        case MPC_GATE_NOT:
            r = v[g->a] ^ 1;
            break;
        case MPC_GATE_CONST0:
            r = 0;
            break;
        default:
            r = 1;
            break;
        }
        v[n_in + k] = r;
    }
    for (uint32_t k = 0; k < c->n_out; k++)
        out[k] = v[c->out[k]];
    free(v);
    return VEIL_OK;
}
