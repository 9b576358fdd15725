/*
 * gc_prog.c - compiling a circuit into a slot program (gc_internal.h) by
 * linear-scan allocation of work slots over the wires' live ranges, as a
 * register allocator does, so that garbling touches few cache lines per
 * gate; and the workspace that garbling or evaluating groups needs.
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

/* Compile c (checked) into *p. */
static veil_status prog_compile(gc_prog_t *p, const mpc_circuit_t *c)
{
    uint32_t n_in = c->n_gin + c->n_ein, n_w = mpc_circuit_wires(c);
    uint32_t *last, *slot, *free_list, n_free = 0;
    veil_status st = VEIL_ENOMEM;
    memset(p, 0, sizeof(*p));
    last = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    slot = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    free_list = malloc(((size_t)c->n_gates + 1) * sizeof(uint32_t));
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
    /* 2. inputs stay where the caller put them */
    p->n_in = n_in;
    for (uint32_t w = 0; w < n_in; w++)
        slot[w] = w;
    /* 3. gates: release work slots read for the last time, then take one
     *    (possibly just released) for the output */
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        uint32_t w = n_in + k;
        gc_op_t *o = &p->ops[k];
        o->op = g->op;
        o->a = g->op <= MPC_GATE_NOT ? slot[g->a] : 0;
        o->b = g->op <= MPC_GATE_AND ? slot[g->b] : 0;
        if (g->op <= MPC_GATE_NOT && g->a >= n_in && last[g->a] == k)
            free_list[n_free++] = slot[g->a];
        if (g->op <= MPC_GATE_AND && g->b != g->a && g->b >= n_in &&
            last[g->b] == k)
            free_list[n_free++] = slot[g->b];
        slot[w] = n_free > 0 ? free_list[--n_free] : n_in + p->n_work++;
        o->out = slot[w];
        if (last[w] == DEAD)
            free_list[n_free++] = slot[w];
        p->n_and += g->op == MPC_GATE_AND;
    }
    p->n_ops = c->n_gates;
    p->n_out = c->n_out;
    for (uint32_t k = 0; k < c->n_out; k++)
        p->out_slot[k] = slot[c->out[k]];
    st = VEIL_OK;
done:
    free(last);
    free(slot);
    free(free_list);
    if (st != VEIL_OK)
        gc_prog_clear(p);
    return st;
}

veil_status gc_ws_init(gc_ws_t *w, const mpc_circuit_t *c)
{
    veil_status st;
    memset(w, 0, sizeof(*w));
    if ((w->kern = gc_kernel_pick()) == NULL)
        return VEIL_EUNSUPPORTED;
    if ((st = prog_compile(&w->prog, c)) != VEIL_OK)
        return st;
    w->work = veil_alloc(((size_t)w->prog.n_work + 1) * GC_L *
                         sizeof(mpc_block_t));
    w->scratch = veil_calloc(((size_t)w->prog.n_and + 1) * 2 * GC_L,
                             sizeof(mpc_block_t));
    w->in = veil_alloc(((size_t)w->prog.n_in + 1) * GC_L * sizeof(mpc_block_t));
    if (w->work == NULL || w->scratch == NULL || w->in == NULL) {
        gc_ws_clear(w);
        return VEIL_ENOMEM;
    }
    return VEIL_OK;
}

void gc_ws_clear(gc_ws_t *w)
{
    if (w == NULL)
        return;
    if (w->work != NULL)
        veil_free_secret(w->work, ((size_t)w->prog.n_work + 1) * GC_L *
                                      sizeof(mpc_block_t));
    if (w->in != NULL)
        veil_free_secret(w->in, ((size_t)w->prog.n_in + 1) * GC_L *
                                    sizeof(mpc_block_t));
    veil_free(w->scratch);
    gc_prog_clear(&w->prog);
    memset(w, 0, sizeof(*w));
}

void gc_ws_gather(gc_ws_t *w, const mpc_block_t *in, size_t i0, size_t m)
{
    size_t n_in = w->prog.n_in;
    for (size_t j = 0; j < n_in; j++)
        for (size_t l = 0; l < GC_L; l++)
            w->in[j * GC_L + l] =
                l < m ? in[(i0 + l) * n_in + j] : (mpc_block_t){{0, 0}};
}
