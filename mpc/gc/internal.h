/*
 * gc_internal.h - private declarations of the garbled-circuit sources.
 */
#ifndef VEIL_GC_INTERNAL_H
#define VEIL_GC_INTERNAL_H

#include "../internal.h"
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
 * A circuit compiled for garbling or for evaluation: the same AND gates in
 * the same order, reading and writing "slots" instead of wires.  Slots
 * [in_first, n_in) are inputs, read in place from the caller's input
 * labels; slots from n_in on are the work area, where a slot is reused
 * once no live wire is kept in it, so that a group's live labels stay in
 * the L1 cache however many wires the circuit has.  An operation's output
 * slot may be one of its own operand slots (kernels read operands first).
 * Outputs stay live to the end.
 *
 * The evaluator's program is shorter than the garbler's: a NOT gate, a
 * constant, and an XOR with a wire whose active label is known to be the
 * all-zero block (a constant, or a hardwired garbler input) only rename
 * labels on the evaluator's side, so its wire shares the slot of its
 * operand, or the work slot n_in, which holds zeros; its program has XOR
 * and AND operations only. */
typedef struct {
    uint32_t op;        /* mpc_gate_op_t */
    uint32_t a, b, out; /* slots         */
} gc_op_t;

typedef struct {
    uint32_t in_first; /* first input slot read (the evaluator's inputs
                          below it are hardwired, label 0)          */
    uint32_t n_in;     /* input slots end, n_gin + n_ein           */
    uint32_t n_work;   /* work slots                                */
    uint32_t n_ops;
    uint32_t n_and;
    uint32_t n_out;
    gc_op_t *ops;
    uint32_t *out_slot; /* n_out                                     */
} gc_prog_t;

/* ----------------------------------------------------------- the layout
 *
 * Labels of a group of L = MPC_GC_LANES instances are "grouped": block
 * j * L + l holds input (or slot) j of lane l, so that one slot of all
 * lanes is L consecutive blocks (L / 4 zmm registers).  A batch in grouped
 * layout is its groups one after the other, the last one padded to L
 * lanes. */
#define GC_L MPC_GC_LANES

/* Groups of a batch of n instances. */
static inline size_t gc_groups(size_t n)
{
    return (n + GC_L - 1) / GC_L;
}

/* The labels of slot s: in the inputs (grouped, from input in_first on)
 * or in the work area. */
static inline mpc_block_t *gc_slot(const gc_prog_t *p, const mpc_block_t *in,
                                   mpc_block_t *work, uint32_t s)
{
    return s < p->n_in ? (mpc_block_t *)in + (size_t)(s - p->in_first) * GC_L
                       : work + (size_t)(s - p->n_in) * GC_L;
}

/* -------------------------------------------------------------- kernels
 *
 * One group in lock step.  in: the group's input labels, grouped
 * (0-labels for the garbler, active labels for the evaluator); work:
 * n_work * L blocks; tables[2 L k + l] and tables[2 L k + L + l] are TG and
 * TE of the k-th AND of lane l (the layout of mpc_gc.h for a full group);
 * and_base[l] is the index of lane l's first AND offset by the session's
 * tweak (see gc_tweak_base): its k-th AND uses the tweaks whose low words
 * are 2 (and_base[l] + k) and 2 (and_base[l] + k) + 1 mod 2^64 and whose
 * high word is tweak_hi.  All lanes are
 * computed; padding lanes carry harmless junk.  in, work and tables are
 * 64-byte aligned. */
typedef struct {
    const char *name;
    void (*garble)(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                   mpc_block_t *tables, const mpc_aes_key_t *pi,
                   const mpc_block_t *delta, const uint64_t *and_base,
                   uint64_t tweak_hi);
    void (*eval)(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                 const mpc_block_t *tables, const mpc_aes_key_t *pi,
                 const uint64_t *and_base, uint64_t tweak_hi);
} gc_kernel_t;

/* The kernels: the portable reference, one gate at a time in plain C on
 * the constant-time software AES (gc/garble.c, gc/eval.c), and the AES-NI
 * and VAES kernels (gc/aesni/, gc/vaes256/, gc/vaes/), which give the same
 * tables and labels bit for bit. */
void gc_garble_portable(const gc_prog_t *p, const mpc_block_t *in,
                        mpc_block_t *work, mpc_block_t *tables,
                        const mpc_aes_key_t *pi, const mpc_block_t *delta,
                        const uint64_t *and_base, uint64_t tweak_hi);
void gc_eval_portable(const gc_prog_t *p, const mpc_block_t *in,
                      mpc_block_t *work, const mpc_block_t *tables,
                      const mpc_aes_key_t *pi, const uint64_t *and_base,
                      uint64_t tweak_hi);
void gc_garble_aesni(const gc_prog_t *p, const mpc_block_t *in,
                     mpc_block_t *work, mpc_block_t *tables,
                     const mpc_aes_key_t *pi, const mpc_block_t *delta,
                     const uint64_t *and_base, uint64_t tweak_hi);
void gc_eval_aesni(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                   const mpc_block_t *tables, const mpc_aes_key_t *pi,
                   const uint64_t *and_base, uint64_t tweak_hi);
void gc_garble_vaes(const gc_prog_t *p, const mpc_block_t *in,
                    mpc_block_t *work, mpc_block_t *tables,
                    const mpc_aes_key_t *pi, const mpc_block_t *delta,
                    const uint64_t *and_base, uint64_t tweak_hi);
void gc_eval_vaes(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                  const mpc_block_t *tables, const mpc_aes_key_t *pi,
                  const uint64_t *and_base, uint64_t tweak_hi);

void gc_garble_vaes256(const gc_prog_t *p, const mpc_block_t *in,
                       mpc_block_t *work, mpc_block_t *tables,
                       const mpc_aes_key_t *pi, const mpc_block_t *delta,
                       const uint64_t *and_base, uint64_t tweak_hi);
void gc_eval_vaes256(const gc_prog_t *p, const mpc_block_t *in,
                     mpc_block_t *work, const mpc_block_t *tables,
                     const mpc_aes_key_t *pi, const uint64_t *and_base,
                     uint64_t tweak_hi);

/* The avx2 path's garbling kernel: VAES-256 if on and the CPU has VAES
 * (the default), else AES-NI; returns whether VAES-256 is now in use.
 * For tests and benchmarks, as mpc_vaes256_use. */
int gc_vaes256_use(int on);

/* The kernel of the active path (gc/dispatch.c): one table per path,
 * filled once from veil_cpu_has(); never NULL. */
const gc_kernel_t *gc_kernel_pick(void);

/* ------------------------------------------------------------ workspaces
 *
 * What garbling or evaluating groups of one circuit needs: the compiled
 * program, the kernel, the work area, scratch tables for a partial group,
 * and room for one group of gathered inputs (gc_prog.c). */
typedef struct {
    gc_prog_t prog;
    const gc_kernel_t *kern;
    mpc_block_t *work;    /* n_work * L, zero-initialised      */
    mpc_block_t *scratch; /* 2 * n_and * L                     */
    mpc_block_t *in;      /* (n_in - in_first) * L: one group   */
} gc_ws_t;

/* Compile c (which passed mpc_circuit_check) for the garbler (evaluator =
 * 0) or the evaluator (1, with the first n_zero garbler inputs hardwired),
 * and allocate.  VEIL_ENOMEM. */
veil_status gc_ws_init(gc_ws_t *w, const mpc_circuit_t *c, int evaluator,
                       uint32_t n_zero);
/* Free, wiping the labels; safe to call twice. */
void gc_ws_clear(gc_ws_t *w);

/* Gather inputs [in_first, n_in) of instances i0 .. i0 + m - 1 (m <= L)
 * of an instance-major label array (in[i * n_in + j]) into w->in, padding
 * lanes zero. */
void gc_ws_gather(gc_ws_t *w, const mpc_block_t *in, size_t i0, size_t m);

/* Garble one group of m <= L instances from grouped 0-labels in0, its
 * first AND having the global index ctr: tables in the compact layout of
 * mpc_gc.h (m lanes), decode[l * n_out + k] for l < m.  g is only read
 * (Delta and the key), so threads may garble groups of one garbler. */
void gc_garble_group(gc_ws_t *w, const mpc_gc_garbler_t *g, uint64_t ctr,
                     mpc_block_t *tables, uint8_t *decode,
                     const mpc_block_t *in0, size_t m);

/* Evaluate one group of m <= L instances garbled at AND counter ctr under
 * the session tweak *tweak, from
 * grouped active labels in (inputs from in_first on); out[l * n_out + k]
 * for l < m. */
void gc_eval_group(gc_ws_t *w, const mpc_aes_key_t *pi,
                   const mpc_block_t *tweak, uint64_t ctr, uint8_t *out,
                   const mpc_block_t *in, const mpc_block_t *tables,
                   const uint8_t *decode, size_t m);

/* ------------------------------------------------------ shared helpers */

/* The kernels' and_base for global AND index ctr in a session with tweak
 * block T: (T.w[0] >> 1) + ctr mod 2^64, so that the low tweak words
 * 2 and_base and 2 and_base + 1 are T.w[0] + 2 ctr and T.w[0] + 2 ctr + 1
 * mod 2^64 (T.w[0] is even, see mpc_gc.h). */
static inline uint64_t gc_tweak_base(const mpc_block_t *tweak, uint64_t ctr)
{
    return (tweak->w[0] >> 1) + ctr;
}

/* 1 if n instances of n_and ANDs from AND index ctr keep every tweak
 * 2 * index + 1 and every table index below 2^64 (with room to spare). */
static inline int gc_counter_ok(uint64_t ctr, uint32_t n_and, size_t n)
{
    return n <= (UINT64_MAX >> 2) / ((uint64_t)n_and + 1) &&
           ctr <= (UINT64_MAX >> 2) - (uint64_t)n * n_and;
}

#endif
