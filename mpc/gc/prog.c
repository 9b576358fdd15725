/*
 * gc_prog.c - compiling a circuit into a slot program (gc_internal.h) by
 * linear-scan allocation of work slots over the wires' live ranges, as a
 * register allocator does, so that garbling touches few cache lines per
 * gate; and the workspace that garbling or evaluating groups needs.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

void gc_prog_clear(gc_prog_t *p)
{
    if (p == NULL)
        return;
    free(p->ops);
    free(p->out_slot);
    memset(p, 0, sizeof(*p));
}

#define LIVE_FOREVER UINT32_MAX /* an output: never released    */
#define DEAD UINT32_MAX - 1     /* never read and not an output  */

/* The compiler's state: each wire's slot, each work slot's count of live
 * wires kept in it, the free work slots, and the evaluator's zero slot
 * (UINT32_MAX for the garbler). */
typedef struct {
    gc_prog_t *p;
    uint32_t *slot, *users, *free_list, n_free, zero;
} alloc_t;

/* 1 for a work slot that is allocated and freed (not an input, not the
 * zero slot, which is never handed out and so never overwritten). */
static int counted(const alloc_t *a, uint32_t s)
{
    return s >= a->p->n_in && s != a->zero;
}

/* A wire starts to live in slot s. */
static void hold(alloc_t *a, uint32_t w, uint32_t s)
{
    a->slot[w] = s;
    if (counted(a, s))
        a->users[s - a->p->n_in]++;
}

/* Wire w dies: its slot is free once nothing else lives in it. */
static void release(alloc_t *a, uint32_t w)
{
    uint32_t s = a->slot[w];
    if (counted(a, s) && --a->users[s - a->p->n_in] == 0)
        a->free_list[a->n_free++] = s;
}

/* A fresh work slot for an operation's output. */
static uint32_t fresh(alloc_t *a)
{
    return a->n_free > 0 ? a->free_list[--a->n_free]
                         : a->p->n_in + a->p->n_work++;
}

/* Compile c (checked) into *p; see gc_internal.h. */
static veil_status prog_compile(gc_prog_t *p, const mpc_circuit_t *c,
                                int evaluator, uint32_t n_zero)
{
    uint32_t n_in = c->n_gin + c->n_ein, n_w = mpc_circuit_wires(c);
    uint32_t *last, zero_slot = n_in;
    alloc_t a = {p, NULL, NULL, NULL, 0, evaluator ? n_in : UINT32_MAX};
    veil_status st = VEIL_ENOMEM;
    memset(p, 0, sizeof(*p));
    last = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    a.slot = malloc(((size_t)n_w + 1) * sizeof(uint32_t));
    a.users = calloc((size_t)c->n_gates + 2, sizeof(uint32_t));
    a.free_list = malloc(((size_t)c->n_gates + 2) * sizeof(uint32_t));
    p->ops = malloc(((size_t)c->n_gates + 1) * sizeof(gc_op_t));
    p->out_slot = malloc(((size_t)c->n_out + 1) * sizeof(uint32_t));
    if (!last || !a.slot || !a.users || !a.free_list || !p->ops || !p->out_slot)
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
    /* 2. inputs stay where the caller put them; the evaluator's hardwired
     *    ones are the zero slot, the first work slot */
    p->n_in = n_in;
    p->in_first = evaluator ? n_zero : 0;
    if (evaluator)
        p->n_work = 1;
    for (uint32_t w = 0; w < n_in; w++)
        hold(&a, w, w < p->in_first ? zero_slot : w);
    /* 3. gates, in order */
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        uint32_t w = n_in + k, sa = 0, sb = 0, alias = UINT32_MAX;
        int ar = g->op <= MPC_GATE_AND ? 2 : g->op == MPC_GATE_NOT ? 1 : 0;
        if (ar >= 1)
            sa = a.slot[g->a];
        if (ar == 2)
            sb = a.slot[g->b];
        /* 3a. for the evaluator, gates that only rename a label */
        if (evaluator) {
            if (g->op == MPC_GATE_NOT)
                alias = sa;
            else if (g->op >= MPC_GATE_CONST0)
                alias = zero_slot;
            else if (g->op == MPC_GATE_XOR)
                alias = sa == zero_slot   ? sb
                        : sb == zero_slot ? sa
                        : sa == sb        ? zero_slot /* x ^ x */
                                          : UINT32_MAX;
        }
        if (alias != UINT32_MAX)
            hold(&a, w, alias);
        /* 3b. operands read for the last time die (an output slot may
         *     then reuse theirs) */
        if (ar >= 1 && last[g->a] == k)
            release(&a, g->a);
        if (ar == 2 && g->b != g->a && last[g->b] == k)
            release(&a, g->b);
        /* 3c. an operation */
        if (alias == UINT32_MAX) {
            gc_op_t *o = &p->ops[p->n_ops++];
            o->op = g->op;
            o->a = sa;
            o->b = sb;
            hold(&a, w, fresh(&a));
            o->out = a.slot[w];
            p->n_and += g->op == MPC_GATE_AND;
        }
        if (last[w] == DEAD)
            release(&a, w);
    }
    p->n_out = c->n_out;
    for (uint32_t k = 0; k < c->n_out; k++)
        p->out_slot[k] = a.slot[c->out[k]];
    st = VEIL_OK;
done:
    free(last);
    free(a.slot);
    free(a.users);
    free(a.free_list);
    if (st != VEIL_OK)
        gc_prog_clear(p);
    return st;
}

veil_status gc_ws_init(gc_ws_t *w, const mpc_circuit_t *c, int evaluator,
                       uint32_t n_zero)
{
    veil_status st;
    memset(w, 0, sizeof(*w));
    w->kern = gc_kernel_pick();
    if ((st = prog_compile(&w->prog, c, evaluator, n_zero)) != VEIL_OK)
        return st;
    w->work =
        veil_calloc(((size_t)w->prog.n_work + 1) * GC_L, sizeof(mpc_block_t));
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
    size_t n_in = w->prog.n_in, first = w->prog.in_first;
    for (size_t j = first; j < n_in; j++)
        for (size_t l = 0; l < GC_L; l++)
            w->in[(j - first) * GC_L + l] =
                l < m ? in[(i0 + l) * n_in + j] : (mpc_block_t){{0, 0}};
}
