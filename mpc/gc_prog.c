/*
 * gc_prog.c - compiling a circuit into a slot program (gc_internal.h):
 * linear-scan allocation of label slots by liveness, as a register
 * allocator does, so that garbling touches few cache lines per gate.
 */
#include <stdlib.h>
#include <string.h>
#include "gc_internal.h"

void gc_prog_clear(gc_prog_t *p)
{
    if (p == NULL)
        return;
    free(p->ops);
    free(p->out_slot);
    memset(p, 0, sizeof(*p));
}

#define LIVE_FOREVER UINT32_MAX /* an output: never freed        */
#define DEAD UINT32_MAX - 1     /* never read and not an output  */

veil_status gc_prog_compile(gc_prog_t *p, const mpc_circuit_t *c)
{
    uint32_t n_in = c->n_gin + c->n_ein, n_w = mpc_circuit_wires(c);
    uint32_t *last = NULL, *slot = NULL, *free_list = NULL, n_free = 0;
    veil_status st = VEIL_ENOMEM;
    memset(p, 0, sizeof(*p));
    last = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    slot = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    free_list = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    p->ops = malloc(((size_t)c->n_gates + 1) * sizeof(gc_op_t));
    p->out_slot = malloc(((size_t)c->n_out + 1) * sizeof(uint32_t));
    if (!last || !slot || !free_list || !p->ops || !p->out_slot)
        goto done;
    /* 1. the last gate reading each wire */
    for (uint32_t w = 0; w < n_w; w++)
        last[w] = DEAD;
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        if (g->op <= MPC_GATE_NOT)
            last[g->a] = k;
        if (g->op <= MPC_GATE_AND)
            last[g->b] = k;
    }
    for (uint32_t k = 0; k < c->n_out; k++)
        last[c->out[k]] = LIVE_FOREVER;
    /* 2. inputs in their own slots; unread ones are free from the start */
    p->n_in = n_in;
    p->n_slots = n_in;
    for (uint32_t w = n_in; w-- > 0;) {
        slot[w] = w;
        if (last[w] == DEAD)
            free_list[n_free++] = w;
    }
    /* 3. gates: release operands read for the last time, then take a slot
     *    (possibly one just released) for the output */
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        uint32_t w = n_in + k;
        gc_op_t *o = &p->ops[k];
        o->op = g->op;
        o->a = g->op <= MPC_GATE_NOT ? slot[g->a] : 0;
        o->b = g->op <= MPC_GATE_AND ? slot[g->b] : 0;
        if (g->op <= MPC_GATE_NOT && last[g->a] == k)
            free_list[n_free++] = slot[g->a];
        if (g->op <= MPC_GATE_AND && g->b != g->a && last[g->b] == k)
            free_list[n_free++] = slot[g->b];
        slot[w] = n_free > 0 ? free_list[--n_free] : p->n_slots++;
        o->out = slot[w];
        if (last[w] == DEAD)
            free_list[n_free++] = slot[w];
        p->n_and += g->op == MPC_GATE_AND;
    }
    p->n_ops = c->n_gates;
    p->n_out = c->n_out;
    for (uint32_t k = 0; k < c->n_out; k++)
        p->out_slot[k] = slot[c->out[k]];
    if (p->n_slots == 0)
        p->n_slots = 1; /* keep buffers non-empty */
    st = VEIL_OK;
done:
    free(last);
    free(slot);
    free(free_list);
    if (st != VEIL_OK)
        gc_prog_clear(p);
    return st;
}
