/*
 * gc_eval.c - the evaluator in memory: evaluating a garbled batch group by
 * group through the kernel and decoding the outputs with the garbler's
 * permute bits.
 */
#include <string.h>
#include "gc_internal.h"

#define L MPC_GC_LANES

veil_status mpc_gc_evaluator_init(mpc_gc_evaluator_t *e)
{
    if (e == NULL)
        return VEIL_EINVAL;
    memset(e, 0, sizeof(*e));
    return mpc_aes_init_fixed(&e->pi);
}

void mpc_gc_evaluator_clear(mpc_gc_evaluator_t *e)
{
    if (e != NULL)
        veil_memzero(e, sizeof(*e));
}

veil_status gc_eval_at(const mpc_aes_key_t *pi, uint64_t and_ctr,
                       uint8_t *out, const mpc_circuit_t *c,
                       const mpc_block_t *in, const mpc_block_t *tables,
                       const uint8_t *decode, size_t n)
{
    const gc_kernel_t *kern;
    gc_prog_t prog;
    mpc_block_t *slots = NULL, *scratch = NULL;
    uint64_t base[L];
    size_t n_in, slot_bytes;
    veil_status st;
    if ((kern = gc_kernel_pick()) == NULL)
        return VEIL_EUNSUPPORTED;
    if ((st = gc_prog_compile(&prog, c)) != VEIL_OK)
        return st;
    n_in = prog.n_in;
    slot_bytes = (size_t)prog.n_slots * L * sizeof(mpc_block_t);
    slots = veil_alloc(slot_bytes);
    scratch = veil_calloc(((size_t)prog.n_and + 1) * 2 * L,
                          sizeof(mpc_block_t));
    if (slots == NULL || scratch == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i0 = 0; i0 < n; i0 += L) {
        size_t m = n - i0 < L ? n - i0 : L;
        const mpc_block_t *tab = tables + i0 * prog.n_and * 2;
        for (size_t j = 0; j < n_in; j++)
            for (size_t l = 0; l < L; l++)
                slots[j * L + l] = l < m ? in[(i0 + l) * n_in + j]
                                         : (mpc_block_t){{0, 0}};
        for (size_t l = 0; l < L; l++)
            base[l] = and_ctr + (i0 + l) * prog.n_and;
        if (m < L) /* spread a partial group's tables over all lanes */
            for (size_t k = 0; k < 2 * (size_t)prog.n_and; k++)
                memcpy(scratch + k * L, tab + k * m, m * sizeof(mpc_block_t));
        kern->eval(&prog, slots, m == L ? tab : scratch, pi, base);
        for (size_t k = 0; k < prog.n_out; k++)
            for (size_t l = 0; l < m; l++) {
                size_t o = (i0 + l) * prog.n_out + k;
                out[o] = (uint8_t)((slots[(size_t)prog.out_slot[k] * L + l]
                                        .w[0] ^ decode[o]) & 1);
            }
    }
    st = VEIL_OK;
done:
    veil_free_secret(slots, slots ? slot_bytes : 0);
    veil_free(scratch);
    gc_prog_clear(&prog);
    return st;
}

veil_status mpc_gc_eval(mpc_gc_evaluator_t *e, uint8_t *out,
                        const mpc_circuit_t *c, const mpc_block_t *in,
                        const mpc_block_t *tables, const uint8_t *decode,
                        size_t n)
{
    veil_status st;
    if (e == NULL || c == NULL || n == 0 || in == NULL ||
        (tables == NULL && c->n_and > 0) ||
        ((decode == NULL || out == NULL) && c->n_out > 0))
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    if (!gc_counter_ok(e->and_ctr, c->n_and, n))
        return VEIL_EINVAL;
    st = gc_eval_at(&e->pi, e->and_ctr, out, c, in, tables, decode, n);
    if (st == VEIL_OK)
        e->and_ctr += (uint64_t)n * c->n_and;
    return st;
}
