/*
 * gc_garble.c - the garbler in memory: its secret offset Delta and label
 * generator, input encoding, and garbling a batch of instances group by
 * group through the kernel (tables in the layout of mpc_gc.h, output
 * decoding bits).
 */
#include <string.h>
#include "gc_internal.h"

#define L MPC_GC_LANES

veil_status mpc_gc_garbler_init(mpc_gc_garbler_t *g, const mpc_block_t *delta)
{
    mpc_block_t seed;
    veil_rng_t rng;
    veil_status st;
    if (g == NULL)
        return VEIL_EINVAL;
    memset(g, 0, sizeof(*g));
    if ((st = mpc_aes_init_fixed(&g->pi)) != VEIL_OK)
        return st;
    if ((st = veil_rng_init(&rng)) != VEIL_OK)
        return st;
    if (delta != NULL)
        g->delta = *delta;
    else
        veil_rng_bytes(&rng, &g->delta, sizeof(g->delta));
    g->delta.w[0] |= 1; /* point-and-permute: lsb(W0) ^ lsb(W1) = 1 */
    veil_rng_bytes(&rng, &seed, sizeof(seed));
    veil_rng_clear(&rng);
    st = mpc_prg_init(&g->prg, &seed);
    veil_memzero(&seed, sizeof(seed));
    if (st != VEIL_OK)
        mpc_gc_garbler_clear(g);
    return st;
}

void mpc_gc_garbler_clear(mpc_gc_garbler_t *g)
{
    if (g == NULL)
        return;
    mpc_prg_clear(&g->prg);
    veil_memzero(g, sizeof(*g));
}

void mpc_gc_random_labels(mpc_gc_garbler_t *g, mpc_block_t *zero,
                          size_t count)
{
    mpc_prg_blocks(&g->prg, zero, count);
}

void mpc_gc_encode(mpc_block_t *label, const mpc_gc_garbler_t *g,
                   const mpc_block_t *zero, const uint8_t *bits, size_t count)
{
    for (size_t j = 0; j < count; j++) {
        uint64_t m = (uint64_t)0 - (uint64_t)(bits[j] & 1);
        label[j].w[0] = zero[j].w[0] ^ (g->delta.w[0] & m);
        label[j].w[1] = zero[j].w[1] ^ (g->delta.w[1] & m);
    }
}

veil_status mpc_gc_garble(mpc_gc_garbler_t *g, mpc_block_t *tables,
                          uint8_t *decode, const mpc_circuit_t *c,
                          const mpc_block_t *in0, size_t n)
{
    const gc_kernel_t *kern;
    gc_prog_t prog;
    mpc_block_t *slots = NULL, *scratch = NULL;
    uint64_t base[L];
    size_t n_in, slot_bytes;
    veil_status st;
    if (g == NULL || c == NULL || n == 0 || in0 == NULL ||
        (tables == NULL && c->n_and > 0) || (decode == NULL && c->n_out > 0))
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    if ((kern = gc_kernel_pick()) == NULL)
        return VEIL_EUNSUPPORTED;
    if (!gc_counter_ok(g->and_ctr, c->n_and, n))
        return VEIL_EINVAL;
    if ((st = gc_prog_compile(&prog, c)) != VEIL_OK)
        return st;
    n_in = prog.n_in;
    slot_bytes = (size_t)prog.n_slots * L * sizeof(mpc_block_t);
    slots = veil_alloc(slot_bytes);
    scratch = veil_alloc(((size_t)prog.n_and + 1) * 2 * L * sizeof(mpc_block_t));
    if (slots == NULL || scratch == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (size_t i0 = 0; i0 < n; i0 += L) {
        size_t m = n - i0 < L ? n - i0 : L;
        mpc_block_t *tab = tables + i0 * prog.n_and * 2;
        /* 1. gather the lanes' input 0-labels (unused lanes: zero) */
        for (size_t j = 0; j < n_in; j++)
            for (size_t l = 0; l < L; l++)
                slots[j * L + l] = l < m ? in0[(i0 + l) * n_in + j]
                                         : (mpc_block_t){{0, 0}};
        for (size_t l = 0; l < L; l++)
            base[l] = g->and_ctr + (i0 + l) * prog.n_and;
        /* 2. garble; a partial group goes through the scratch tables */
        kern->garble(&prog, slots, m == L ? tab : scratch, &g->pi, &g->delta,
                     base);
        if (m < L)
            for (size_t k = 0; k < 2 * (size_t)prog.n_and; k++)
                memcpy(tab + k * m, scratch + k * L, m * sizeof(mpc_block_t));
        /* 3. decoding bits: the permute bits of the output 0-labels */
        for (size_t k = 0; k < prog.n_out; k++)
            for (size_t l = 0; l < m; l++)
                decode[(i0 + l) * prog.n_out + k] =
                    (uint8_t)(slots[(size_t)prog.out_slot[k] * L + l].w[0] & 1);
    }
    g->and_ctr += (uint64_t)n * prog.n_and;
    st = VEIL_OK;
done:
    veil_free_secret(slots, slots ? slot_bytes : 0);
    veil_free(scratch);
    gc_prog_clear(&prog);
    return st;
}
