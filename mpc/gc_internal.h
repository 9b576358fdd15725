/*
 * gc_internal.h - private declarations of the garbled-circuit sources.
 */
#ifndef VEIL_GC_INTERNAL_H
#define VEIL_GC_INTERNAL_H

#include "veil/mpc_gc.h"

/* Bit length of v (0 for 0). */
static inline unsigned gc_bitlen(uint64_t v)
{
    unsigned n = 0;
    while (v != 0) {
        n++;
        v >>= 1;
    }
    return n;
}

/* ------------------------------------------------------------- programs
 *
 * A circuit compiled for garbling: the same gates, but reading and writing
 * "slots" instead of wires.  A slot is reused once the wire in it is dead
 * (after its last reader), so the labels of a group of MPC_GC_LANES
 * instances stay in the L1 cache however many wires the circuit has.
 * Input j sits in slot j; an operation's output slot may be one of its own
 * operand slots (kernels read operands first).  Outputs stay live to the
 * end. */
typedef struct {
    uint32_t op;        /* mpc_gate_op_t */
    uint32_t a, b, out; /* slots         */
} gc_op_t;

typedef struct {
    uint32_t n_in;      /* input slots, n_gin + n_ein         */
    uint32_t n_slots;
    uint32_t n_ops;     /* = the circuit's n_gates            */
    uint32_t n_and;
    uint32_t n_out;
    gc_op_t *ops;
    uint32_t *out_slot; /* n_out                              */
} gc_prog_t;

/* Compile a circuit that passed mpc_circuit_check.  VEIL_ENOMEM. */
veil_status gc_prog_compile(gc_prog_t *p, const mpc_circuit_t *c);
void gc_prog_clear(gc_prog_t *p);

/* -------------------------------------------------------------- kernels
 *
 * One group of MPC_GC_LANES instances in lock step.  slots[s * LANES + l]
 * is slot s of lane l, inputs filled in by the caller (0-labels for the
 * garbler, active labels for the evaluator); tables[2 * LANES * k + l] and
 * tables[2 * LANES * k + LANES + l] are TG and TE of the k-th AND of lane
 * l (the layout of mpc_gc.h); and_base[l] is the global
 * AND index of lane l's first AND (tweaks 2 (and_base[l] + k) and
 * 2 (and_base[l] + k) + 1).  All lanes are computed; unused lanes carry
 * harmless junk.  slots and tables are 64-byte aligned. */
typedef struct {
    const char *name;
    void (*garble)(const gc_prog_t *p, mpc_block_t *slots,
                   mpc_block_t *tables, const mpc_aes_key_t *pi,
                   const mpc_block_t *delta, const uint64_t *and_base);
    void (*eval)(const gc_prog_t *p, mpc_block_t *slots,
                 const mpc_block_t *tables, const mpc_aes_key_t *pi,
                 const uint64_t *and_base);
} gc_kernel_t;

/* The kernels of this build, NULL where not compiled in (gc_kernel_*.c). */
const gc_kernel_t *gc_kernel_aesni(void);
const gc_kernel_t *gc_kernel_vaes(void);

/* The kernel to use now: VAES if this build and CPU have it and the active
 * ISA is avx512, else AES-NI; NULL without AES-NI (gc_dispatch.c). */
const gc_kernel_t *gc_kernel_pick(void);

/* ------------------------------------------------------ shared helpers */

/* 1 if n instances of n_and ANDs from AND index ctr keep every tweak
 * 2 * index + 1 and every table index below 2^64 (with room to spare). */
static inline int gc_counter_ok(uint64_t ctr, uint32_t n_and, size_t n)
{
    return n <= (UINT64_MAX >> 2) / ((uint64_t)n_and + 1) &&
           ctr <= (UINT64_MAX >> 2) - (uint64_t)n * n_and;
}

/* mpc_gc_eval with an explicit AND counter and no argument checks (the
 * online phase evaluates a batch whose counters were reserved offline).
 * c must have passed mpc_circuit_check. */
veil_status gc_eval_at(const mpc_aes_key_t *pi, uint64_t and_ctr,
                       uint8_t *out, const mpc_circuit_t *c,
                       const mpc_block_t *in, const mpc_block_t *tables,
                       const uint8_t *decode, size_t n);

#endif
