/*
 * mpc_gc.h - two-party computation, part 3: Boolean circuits and garbled
 * circuits.  A circuit format with a builder and a text form, the stock
 * circuits (adder, subtractor, comparison, multiplexer, addition mod p and
 * the ReLU on additive shares that SAFENet and Delphi garble), half-gates
 * garbling with free-XOR and point-and-permute over fixed-key AES, and the
 * garbler / evaluator protocol over a channel, split into Delphi's offline
 * and online phases.  See doc/21-garbled-circuits.md.
 *
 * Security model: semi-honest parties, as in the rest of mpc.h.
 */
#ifndef VEIL_MPC_GC_H
#define VEIL_MPC_GC_H

#include "veil/mpc.h"
#include "veil/mpc_aes.h"
#include "veil/mpc_field.h"
#include "veil/veil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ circuits
 *
 * A circuit has n_gin garbler inputs, n_ein evaluator inputs and n_gates
 * gates.  Wires are numbered: wires [0, n_gin) are the garbler's inputs,
 * [n_gin, n_gin + n_ein) the evaluator's, and gate k defines wire
 * n_gin + n_ein + k.  A gate only reads wires defined before its own, so
 * the gate list is a topological order and every wire has exactly one
 * definition.  Outputs are a list of wires (repeats allowed).
 *
 * Bits are passed as bytes holding 0 or 1, one byte per bit; words are
 * stored least significant bit first.
 */

typedef enum {
    MPC_GATE_XOR = 0,    /* a ^ b                                  */
    MPC_GATE_AND = 1,    /* a & b                                  */
    MPC_GATE_NOT = 2,    /* !a  (b unused, 0)                      */
    MPC_GATE_CONST0 = 3, /* 0   (a, b unused, 0)                   */
    MPC_GATE_CONST1 = 4  /* 1   (a, b unused, 0)                   */
} mpc_gate_op_t;

typedef struct {
    uint32_t op;   /* an mpc_gate_op_t       */
    uint32_t a, b; /* input wires            */
} mpc_gate_t;

/* Largest number of wires (inputs + gates) and of outputs. */
#define MPC_CIRCUIT_MAX_WIRES (UINT32_C(1) << 28)

typedef struct {
    uint32_t n_gin; /* garbler input wires            */
    uint32_t n_ein; /* evaluator input wires          */
    uint32_t n_gates;
    uint32_t n_out;
    uint32_t n_and;    /* AND gates among the n_gates    */
    mpc_gate_t *gates; /* n_gates, owned                 */
    uint32_t *out;     /* n_out output wires, owned      */
} mpc_circuit_t;

/* Number of wires, n_gin + n_ein + n_gates. */
static inline uint32_t mpc_circuit_wires(const mpc_circuit_t *c)
{
    return c->n_gin + c->n_ein + c->n_gates;
}

/* An empty circuit (no inputs, gates or outputs); clear is then a no-op. */
VEIL_EXPORT void mpc_circuit_init(mpc_circuit_t *c);

/* Free the gate and output arrays; safe to call twice. */
VEIL_EXPORT void mpc_circuit_clear(mpc_circuit_t *c);

/* Check the invariants above (operand wires defined earlier, known ops,
 * output wires in range, counts within MPC_CIRCUIT_MAX_WIRES, n_and equal
 * to the number of AND gates).  VEIL_EFORMAT if one fails, VEIL_EINVAL for
 * NULL. */
VEIL_EXPORT veil_status mpc_circuit_check(const mpc_circuit_t *c) VEIL_WUR;

/* Plaintext evaluation of one instance: out[0..n_out) from the garbler's
 * bits gin[0..n_gin) and the evaluator's bits ein[0..n_ein) (each array may
 * be NULL when its count is 0).  This is the reference the garbled
 * evaluation is tested against.  VEIL_EINVAL for NULL arguments or an input
 * byte other than 0 and 1, VEIL_EFORMAT if the circuit fails the check,
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_circuit_eval(uint8_t *out, const mpc_circuit_t *c,
                                         const uint8_t *gin,
                                         const uint8_t *ein) VEIL_WUR;

/* ------------------------------------------------------------ text form
 *
 *   # a comment, to the end of the line
 *   circuit <n_gin> <n_ein> <n_gates> <n_out>
 *   <w> XOR <a> <b>        one line per gate, w the wire it defines,
 *   <w> AND <a> <b>        which must be n_gin + n_ein + (gate index)
 *   <w> NOT <a>
 *   <w> CONST 0 | 1
 *   output <w>             one line per output, in order
 *
 * Numbers are decimal without sign; fields are separated by spaces or tabs;
 * lines end with "\n" (a "\r" before it is accepted); blank lines and
 * comment lines may appear anywhere after the header. */

/* Parse text[0..len) (need not be NUL-terminated) into *c, which the call
 * initialises.  VEIL_EFORMAT for anything malformed, truncated, out of
 * range or inconsistent (c is then left empty), VEIL_EINVAL for NULL,
 * VEIL_ENOMEM.  Memory is bounded by a constant times len whatever the
 * header claims. */
VEIL_EXPORT veil_status mpc_circuit_parse(mpc_circuit_t *c, const char *text,
                                          size_t len) VEIL_WUR;

/* Write the text form of c into buf[0..cap) with a final NUL, as snprintf:
 * *len receives the length without the NUL; if cap <= *len nothing useful
 * is written and the call can be repeated with a larger buffer (buf may be
 * NULL when cap is 0).  VEIL_EINVAL for NULL c or len, VEIL_EFORMAT if c
 * fails the check, VEIL_ERANGE if the buffer was too small. */
VEIL_EXPORT veil_status mpc_circuit_format(char *buf, size_t cap, size_t *len,
                                           const mpc_circuit_t *c) VEIL_WUR;

/* ================================================================ builder
 *
 * Builds a circuit gate by gate.  Gate functions return the wire they
 * define.  They fold constants (x & 0 = 0, x & 1 = x, x ^ 0 = x,
 * x ^ 1 = !x, !const = const) so that word-level helpers fed with constant
 * operands only emit the gates that matter.  Errors are sticky: after a bad
 * wire number or a failed allocation every call returns MPC_WIRE_NONE and
 * mpc_cb_finish reports the first error. */

typedef uint32_t mpc_wire_t;
#define MPC_WIRE_NONE UINT32_MAX

typedef struct {
    mpc_circuit_t c; /* the circuit so far (gates, n_and)           */
    size_t cap;      /* allocated gate slots                         */
    uint8_t *cst;    /* per wire: 0 not constant, 1 const 0, 2 const 1 */
    mpc_wire_t k[2]; /* the constant-0 and constant-1 wires, or NONE */
    veil_status err; /* sticky error                                 */
} mpc_cb_t;

/* Start a circuit with n_gin garbler and n_ein evaluator inputs.
 * VEIL_EINVAL for NULL or counts above MPC_CIRCUIT_MAX_WIRES, VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_cb_init(mpc_cb_t *b, uint32_t n_gin,
                                    uint32_t n_ein) VEIL_WUR;

/* Free the builder; safe to call twice and after mpc_cb_finish. */
VEIL_EXPORT void mpc_cb_clear(mpc_cb_t *b);

/* Wire of garbler input i / evaluator input i (MPC_WIRE_NONE and a sticky
 * VEIL_EINVAL if i is out of range). */
VEIL_EXPORT mpc_wire_t mpc_cb_gin(mpc_cb_t *b, uint32_t i);
VEIL_EXPORT mpc_wire_t mpc_cb_ein(mpc_cb_t *b, uint32_t i);

/* One gate each (x, y: wires already defined). */
VEIL_EXPORT mpc_wire_t mpc_cb_xor(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y);
VEIL_EXPORT mpc_wire_t mpc_cb_and(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y);
VEIL_EXPORT mpc_wire_t mpc_cb_not(mpc_cb_t *b, mpc_wire_t x);
/* The constant `bit` (0 or 1); made once and reused. */
VEIL_EXPORT mpc_wire_t mpc_cb_const(mpc_cb_t *b, int bit);
/* x | y = x ^ y ^ (x & y): one AND. */
VEIL_EXPORT mpc_wire_t mpc_cb_or(mpc_cb_t *b, mpc_wire_t x, mpc_wire_t y);
/* sel ? x1 : x0 = x0 ^ (sel & (x1 ^ x0)): one AND. */
VEIL_EXPORT mpc_wire_t mpc_cb_mux(mpc_cb_t *b, mpc_wire_t sel, mpc_wire_t x1,
                                  mpc_wire_t x0);

/* ---------------------------------------------------------- word helpers
 *
 * Words are arrays of n wires, least significant first, 1 <= n <= 64.
 * Output arrays may alias input arrays of the same length only where
 * stated.  The AND counts are for operands without constant bits; constant
 * bits fold and cost less. */

/* out = the n-bit constant v (bits above n ignored). */
VEIL_EXPORT void mpc_cb_word_const(mpc_cb_t *b, mpc_wire_t *out, uint64_t v,
                                   unsigned n);

/* Ripple-carry addition: sum = x + y + cin mod 2^n, and *cout (if not
 * NULL) the carry out.  Each bit's carry is c' = c ^ ((x ^ c) & (y ^ c)):
 * n ANDs with cout, n - 1 without.  cin may be MPC_WIRE_NONE for 0.
 * sum may alias x or y. */
VEIL_EXPORT void mpc_cb_word_add(mpc_cb_t *b, mpc_wire_t *sum, mpc_wire_t *cout,
                                 const mpc_wire_t *x, const mpc_wire_t *y,
                                 mpc_wire_t cin, unsigned n);

/* Subtraction x + !y + 1: diff = x - y mod 2^n (if diff is not NULL) and
 * *ge = [x >= y] as unsigned numbers (if ge is not NULL): n ANDs.  diff may
 * alias x or y. */
VEIL_EXPORT void mpc_cb_word_sub(mpc_cb_t *b, mpc_wire_t *diff, mpc_wire_t *ge,
                                 const mpc_wire_t *x, const mpc_wire_t *y,
                                 unsigned n);

/* Comparison with a constant: [x >= k] for unsigned x (n ANDs at most,
 * fewer when k has trailing zero bits; k >= 2^n gives constant 0). */
VEIL_EXPORT mpc_wire_t mpc_cb_word_ge_const(mpc_cb_t *b, const mpc_wire_t *x,
                                            uint64_t k, unsigned n);

/* out = sel ? x1 : x0, n ANDs.  out may alias x1 or x0. */
VEIL_EXPORT void mpc_cb_word_mux(mpc_cb_t *b, mpc_wire_t *out, mpc_wire_t sel,
                                 const mpc_wire_t *x1, const mpc_wire_t *x0,
                                 unsigned n);

/* out = x & bit, bitwise: n ANDs.  out may alias x. */
VEIL_EXPORT void mpc_cb_word_and_bit(mpc_cb_t *b, mpc_wire_t *out,
                                     const mpc_wire_t *x, mpc_wire_t bit,
                                     unsigned n);

/* Addition mod p for x, y in [0, p), n = bit length of p, 3 <= p < 2^63
 * odd or even: t = x + y (n ANDs with carry), d = t - p over n + 1 bits
 * (a constant subtraction, <= n + 1 ANDs) and out = [t >= p] ? d : t
 * (n ANDs).  out may alias x or y.  Inputs outside [0, p) give
 * unspecified (but in-range) results. */
VEIL_EXPORT void mpc_cb_word_add_mod(mpc_cb_t *b, mpc_wire_t *out,
                                     const mpc_wire_t *x, const mpc_wire_t *y,
                                     uint64_t p, unsigned n);

/* Move the built circuit into *c (initialised by the call) with outputs
 * out[0..n_out), and clear the builder (also on error).  Returns the first
 * sticky error, VEIL_EINVAL for an output wire that does not exist or more
 * than MPC_CIRCUIT_MAX_WIRES outputs, VEIL_ENOMEM; on error *c is empty. */
VEIL_EXPORT veil_status mpc_cb_finish(mpc_circuit_t *c, mpc_cb_t *b,
                                      const mpc_wire_t *out,
                                      uint32_t n_out) VEIL_WUR;

/* ========================================================= stock circuits
 *
 * Each builds a complete circuit into *c (initialised by the call).
 * VEIL_EINVAL for a bad size or modulus, VEIL_ENOMEM. */

/* Garbler x (n bits), evaluator y (n bits); outputs x + y, n + 1 bits.
 * n ANDs.  1 <= n <= 64. */
VEIL_EXPORT veil_status mpc_circuit_adder(mpc_circuit_t *c,
                                          unsigned n) VEIL_WUR;

/* Garbler x, evaluator y (n bits each); outputs x - y mod 2^n (n bits),
 * then [x >= y].  n ANDs. */
VEIL_EXPORT veil_status mpc_circuit_subtractor(mpc_circuit_t *c,
                                               unsigned n) VEIL_WUR;

/* Garbler x, evaluator y (n bits each); one output [x >= y].  n ANDs. */
VEIL_EXPORT veil_status mpc_circuit_compare(mpc_circuit_t *c,
                                            unsigned n) VEIL_WUR;

/* Garbler x0 then x1 (n bits each), evaluator sel (1 bit); outputs
 * sel ? x1 : x0.  n ANDs. */
VEIL_EXPORT veil_status mpc_circuit_mux(mpc_circuit_t *c, unsigned n) VEIL_WUR;

/* Garbler x, evaluator y, both in [0, p) on n = bitlen(p) bits; outputs
 * (x + y) mod p.  3 <= p < 2^63. */
VEIL_EXPORT veil_status mpc_circuit_add_mod(mpc_circuit_t *c,
                                            uint64_t p) VEIL_WUR;

/* ==================================================================== ReLU
 *
 * The ReLU of SAFENet / Delphi on additive shares in F_p, p odd:
 * the client (evaluator) holds c, the server (garbler) holds s and a fresh
 * mask r, all in [0, p); x = (c + s) mod p is read as a signed value
 * (x > (p - 1) / 2 means x - p < 0).  The client learns
 *     y = (ReLU(x) - r) mod p,
 * so that y and r are fresh shares of ReLU(x).  The circuit takes the
 * server's values in a pre-processed form (the server computes them from
 * its own s and r, which costs no gate), see doc/21-garbled-circuits.md:
 *
 *   garbler inputs  [0, n)    M2 = ((-h - r) mod p) + 2^n - p   offline
 *                   [n, 2n)   v  = (-r) mod p                   offline
 *                   [2n, 3n)  M1 = ((s + h) mod p) + 2^n - p    online
 *   evaluator inputs [0, n)   c
 *   outputs          [0, n)   y
 *
 * with n = bitlen(p) and h = (p - 1) / 2.  The first 2n garbler inputs
 * depend on r only and are hardwired offline; only M1 depends on s.
 * For Delphi's p = 2061584302081 the circuit has 206 AND gates.
 * MPC_RELU_GIN_OFFLINE(n) / MPC_RELU_GIN_ONLINE(n) give the split. */

#define MPC_FIELD_P_DEFAULT UINT64_C(2061584302081) /* 15 * 2^37 + 1 */
#define MPC_RELU_GIN_OFFLINE(n) (2 * (n))
#define MPC_RELU_GIN_ONLINE(n) (n)

/* Build the ReLU circuit for the odd modulus p, 3 <= p < 2^62.
 * VEIL_EINVAL for another p, VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_circuit_relu(mpc_circuit_t *c, uint64_t p) VEIL_WUR;

/* Plaintext reference: (ReLU((c + s) mod p) - r) mod p, inputs in [0, p). */
VEIL_EXPORT uint64_t mpc_relu_ref(uint64_t c, uint64_t s, uint64_t r,
                                  uint64_t p);

/* The server's garbler-input bits for one ReLU: offline[0..2n) from r,
 * online[0..n) from s (r, s in [0, p), p as for mpc_circuit_relu). */
VEIL_EXPORT void mpc_relu_gin_offline(uint8_t *offline, uint64_t r, uint64_t p);
VEIL_EXPORT void mpc_relu_gin_online(uint8_t *online, uint64_t s, uint64_t p);

/* ===================================================== garbling in memory
 *
 * Half-gates garbling (Zahur, Rosulek and Evans, "Two Halves Make a Whole",
 * EUROCRYPT 2015) with free-XOR (Kolesnikov and Schneider, ICALP 2008) and
 * point-and-permute: every wire has a 0-label W0 and the 1-label
 * W0 ^ Delta, with one secret Delta per garbler whose low bit is 1, so the
 * low bit of a label is the wire's permute bit XOR its value.  XOR and NOT
 * cost nothing; an AND costs two 16-byte ciphertexts, four hash calls to
 * garble and two to evaluate, with
 *     H(X, t) = pi(sigma(X) ^ t) ^ sigma(X) ^ t,
 * pi fixed-key AES and sigma GKWY20's orthomorphism (mpc_aes.h), t a
 * 128-bit tweak.  AND gate j (counted across everything one garbler
 * garbles) uses the tweaks T + 2j and T + 2j + 1, the sums taken in the
 * low 64-bit word only: T is the garbler's session tweak block, drawn
 * fresh at random (128 bits, low bit 0) for each garbler, so that two
 * sessions share a tweak only if their T agree in the high word and
 * their counter ranges overlap in the low one (doc/21, "Tweaks across
 * sessions", has the bound).
 *
 * A call garbles n instances of one circuit.  Instances run in lock step
 * in groups of MPC_GC_LANES, the AES calls of one gate in all lanes going
 * through the pipeline together.  Instance i's AND gate k has the global
 * index ctr + i * n_and + k, where ctr is the garbler's counter before the
 * call.  The garbled tables of group q (the m <= L = MPC_GC_LANES
 * instances from qL on) are stored gate after gate; for each AND gate the
 * m first ciphertexts TG of the lanes in order, then their m second
 * ciphertexts TE: n * n_and * 2 blocks in all.  The layout is part of the
 * protocol, so that both parties may process any whole number of groups at
 * a time.
 *
 * Kernels, one per path of veil_isa_active(): a portable reference (one
 * gate at a time in plain C on a constant-time software AES) for scalar,
 * AES-NI (128-bit) for avx2, or VAES on 256-bit registers there where the
 * CPU has VAES, VAES on 512-bit registers for avx512 where the CPU has
 * it; a path whose instructions the CPU lacks falls back to the
 * next simpler kernel.  All give identical tables and labels. */

#define MPC_GC_LANES 16

typedef struct {
    mpc_block_t delta; /* secret free-XOR offset, low bit 1            */
    mpc_block_t tweak; /* the session's tweak block T (public), w[0] even */
    mpc_aes_key_t pi;  /* the public fixed key                          */
    uint64_t and_ctr;  /* AND gates garbled so far                      */
    mpc_prg_t prg;     /* randomness for input labels                   */
} mpc_gc_garbler_t;

typedef struct {
    mpc_block_t tweak; /* the garbler's T: set it before evaluating     */
    mpc_aes_key_t pi;  /* the public fixed key                          */
    uint64_t and_ctr;  /* AND gates evaluated so far                    */
} mpc_gc_evaluator_t;

/* A garbler with offset *delta (its low bit is forced to 1), or a fresh
 * random one if delta is NULL; the label PRG is seeded from the OS, and so
 * is the session tweak block T (128 bits, the low one cleared).
 * VEIL_EINVAL, VEIL_ERANDOM.  An evaluator starts with T = 0: the caller
 * copies the garbler's T into it (the protocol below sends it). */
VEIL_EXPORT veil_status mpc_gc_garbler_init(mpc_gc_garbler_t *g,
                                            const mpc_block_t *delta) VEIL_WUR;
VEIL_EXPORT void mpc_gc_garbler_clear(mpc_gc_garbler_t *g);

VEIL_EXPORT veil_status mpc_gc_evaluator_init(mpc_gc_evaluator_t *e) VEIL_WUR;
VEIL_EXPORT void mpc_gc_evaluator_clear(mpc_gc_evaluator_t *e);

/* Fresh random 0-labels: zero[0..count). */
VEIL_EXPORT void mpc_gc_random_labels(mpc_gc_garbler_t *g, mpc_block_t *zero,
                                      size_t count);

/* Active labels for plaintext bits: label[j] = zero[j] ^ bits[j] * Delta.
 * label may alias zero.  Bits other than 0, 1 count as their low bit. */
VEIL_EXPORT void mpc_gc_encode(mpc_block_t *label, const mpc_gc_garbler_t *g,
                               const mpc_block_t *zero, const uint8_t *bits,
                               size_t count);

/* Garble n >= 1 instances of c.  in0[i * n_in + j] is the 0-label of input
 * j of instance i (n_in = n_gin + n_ein, garbler inputs first).  Writes
 * tables[0 .. n * n_and * 2) in the layout above and decode[i * n_out + k],
 * the permute bit of output k of instance i (the evaluator's output bit is
 * the low bit of its label XOR this).  Advances g->and_ctr by n * n_and.
 * VEIL_EINVAL (NULL, n == 0, or an index overflow), VEIL_EFORMAT (c fails
 * the check), VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_gc_garble(mpc_gc_garbler_t *g, mpc_block_t *tables,
                                      uint8_t *decode, const mpc_circuit_t *c,
                                      const mpc_block_t *in0,
                                      size_t n) VEIL_WUR;

/* Evaluate n instances garbled by one mpc_gc_garble call, or by several
 * calls of whole groups at the same AND-counter positions: in[i * n_in + j]
 * the active input labels, tables and decode as produced;
 * out[i * n_out + k] receives the output bits.  Advances e->and_ctr by
 * n * n_and: the caller keeps it equal to the garbler's counter at
 * garbling time (the tweaks bind the tables to it).  Statuses as
 * mpc_gc_garble. */
VEIL_EXPORT veil_status mpc_gc_eval(mpc_gc_evaluator_t *e, uint8_t *out,
                                    const mpc_circuit_t *c,
                                    const mpc_block_t *in,
                                    const mpc_block_t *tables,
                                    const uint8_t *decode, size_t n) VEIL_WUR;

/* The kernel the calls above use now: "vaes512", "vaes256", "aesni" or
 * "portable". */
VEIL_EXPORT const char *mpc_gc_kernel_name(void);

/* ==================================================== two-party protocol
 *
 * The garbler party (the server) and the evaluator party (the client) over
 * one channel.  Set-up runs the base OTs of an IKNP extension in which the
 * garbler is the OT sender and its free-XOR offset Delta is the extension's
 * correlation: a correlated OT then hands the evaluator the active label of
 * each of its input bits and the garbler that bit's 0-label, for 16 bytes
 * per bit (mpc_ot_send_cot).
 *
 * A batch of n instances of one circuit runs in two phases (Delphi, Mishra
 * et al., USENIX Security 2020):
 *   offline  the garbler garbles and sends the tables and the output
 *            decoding bits; the evaluator gets its input labels by
 *            correlated OT.  The first n_gin_off garbler inputs of each
 *            instance (those known ahead, e.g. the ReLU's masks) are
 *            hardwired into the garbling at no cost: their 0-label is
 *            bit * Delta, so their active label is the all-zero block for
 *            either value.  To the evaluator that is a constant-0 wire
 *            followed by a NOT gate or not, which free-XOR makes look
 *            alike (doc/21-garbled-circuits.md gives the argument).
 *            Everything the evaluator receives is stored in its batch.
 *   online   the garbler sends the labels of its remaining
 *            n_gin - n_gin_off inputs; the evaluator evaluates and decodes.
 * Messages go in chunks of MPC_GC_CHUNK instances so that the two parties
 * overlap work.  Batches may be prepared offline in any number before their
 * online phases, which must then run in the same order on both sides.
 * Each party's calls are made by one thread at a time, on the channel the
 * party was set up on.  Statuses: channel and OT statuses, VEIL_EINVAL,
 * VEIL_ENOMEM, VEIL_EFORMAT (circuit check, or a message of the wrong
 * size). */

#define MPC_GC_CHUNK 2048

typedef struct {
    mpc_gc_garbler_t gc;
    mpc_ot_sender_t ot;
} mpc_gc_gparty_t;

typedef struct {
    mpc_gc_evaluator_t gc;
    mpc_ot_receiver_t ot;
} mpc_gc_eparty_t;

VEIL_EXPORT veil_status mpc_gc_gparty_init(mpc_gc_gparty_t *g,
                                           mpc_chan_t *ch) VEIL_WUR;
VEIL_EXPORT veil_status mpc_gc_eparty_init(mpc_gc_eparty_t *e,
                                           mpc_chan_t *ch) VEIL_WUR;
VEIL_EXPORT void mpc_gc_gparty_clear(mpc_gc_gparty_t *g);
VEIL_EXPORT void mpc_gc_eparty_clear(mpc_gc_eparty_t *e);

/* What the garbler keeps between the phases of one batch.  A batch is
 * initialised once (mpc_gc_gbatch_init) and may then serve any number of
 * batches one after the other: its buffer is reused when large enough, so
 * that a steady stream of batches does not fault in fresh memory each
 * time. */
typedef struct {
    const mpc_circuit_t *c; /* borrowed: must outlive the batch; NULL
                               when empty or spent                     */
    size_t n;               /* instances                               */
    uint32_t n_gin_off;     /* garbler inputs hardwired offline        */
    mpc_block_t *on0;       /* 0-labels of the online garbler inputs,
                               in the kernels' grouped layout          */
    size_t on0_cap;         /* bytes allocated at on0                  */
} mpc_gc_gbatch_t;

/* What the evaluator keeps between the phases of one batch (reused the
 * same way). */
typedef struct {
    const mpc_circuit_t *c; /* NULL when empty                         */
    size_t n;
    uint32_t n_gin_off;
    uint64_t and_ctr;    /* the batch's first AND index             */
    mpc_block_t *in;     /* active input labels but the hardwired,
                            in the kernels' grouped layout          */
    mpc_block_t *tables; /* n * n_and * 2                           */
    uint8_t *decode;     /* n * n_out                               */
    size_t in_cap, tables_cap, decode_cap; /* bytes allocated           */
} mpc_gc_ebatch_t;

/* An empty batch. */
VEIL_EXPORT void mpc_gc_gbatch_init(mpc_gc_gbatch_t *b);
VEIL_EXPORT void mpc_gc_ebatch_init(mpc_gc_ebatch_t *b);

/* Free a batch's buffers (wiping labels); it is empty afterwards, and
 * clearing again is safe. */
VEIL_EXPORT void mpc_gc_gbatch_clear(mpc_gc_gbatch_t *b);
VEIL_EXPORT void mpc_gc_ebatch_clear(mpc_gc_ebatch_t *b);

/* Offline, garbler: b initialised (any earlier content is dropped);
 * gin_off[i * n_gin_off + j] is offline garbler input j of instance i
 * (NULL if n_gin_off == 0).  n >= 1, n_gin_off <= n_gin.  On error the
 * batch is left empty (still initialised). */
VEIL_EXPORT veil_status mpc_gc_offline_garbler(mpc_gc_gbatch_t *b,
                                               mpc_gc_gparty_t *g,
                                               mpc_chan_t *ch,
                                               const mpc_circuit_t *c, size_t n,
                                               uint32_t n_gin_off,
                                               const uint8_t *gin_off) VEIL_WUR;

/* Offline, evaluator: b initialised; ein[i * n_ein + j] is its input j of
 * instance i (NULL if n_ein == 0); n and n_gin_off as the garbler's. */
VEIL_EXPORT veil_status mpc_gc_offline_evaluator(mpc_gc_ebatch_t *b,
                                                 mpc_gc_eparty_t *e,
                                                 mpc_chan_t *ch,
                                                 const mpc_circuit_t *c,
                                                 size_t n, uint32_t n_gin_off,
                                                 const uint8_t *ein) VEIL_WUR;

/* Online, garbler: gin_on[i * (n_gin - n_gin_off) + j] (NULL if there are
 * none).  The call wipes the batch's 0-labels and marks it spent (c =
 * NULL), also on error: they must never encode a second input, since two
 * active labels of a wire reveal Delta.  VEIL_EINVAL for a spent batch. */
VEIL_EXPORT veil_status mpc_gc_online_garbler(mpc_gc_gbatch_t *b,
                                              mpc_gc_gparty_t *g,
                                              mpc_chan_t *ch,
                                              const uint8_t *gin_on) VEIL_WUR;

/* Online, evaluator: out[i * n_out + k]. */
VEIL_EXPORT veil_status mpc_gc_online_evaluator(mpc_gc_ebatch_t *b,
                                                mpc_gc_eparty_t *e,
                                                mpc_chan_t *ch,
                                                uint8_t *out) VEIL_WUR;

/* ------------------------------------------------ ReLU, offline / online
 *
 * Batches of n ReLUs with the circuit of mpc_circuit_relu (built once by
 * the caller for p, and passed to both phases).  Offline the server inputs
 * its masks r[0..n), the client its shares c[0..n); online the server
 * inputs its shares s[0..n) and the client receives
 * y[i] = (ReLU((c[i] + s[i]) mod p) - r[i]) mod p.  Batches as for the
 * generic calls above.  Values outside [0, p) give VEIL_EINVAL. */

VEIL_EXPORT veil_status mpc_relu_offline_server(mpc_gc_gbatch_t *b,
                                                mpc_gc_gparty_t *g,
                                                mpc_chan_t *ch,
                                                const mpc_circuit_t *relu,
                                                uint64_t p, const uint64_t *r,
                                                size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_relu_offline_client(mpc_gc_ebatch_t *b,
                                                mpc_gc_eparty_t *e,
                                                mpc_chan_t *ch,
                                                const mpc_circuit_t *relu,
                                                uint64_t p, const uint64_t *c,
                                                size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_relu_online_server(mpc_gc_gbatch_t *b,
                                               mpc_gc_gparty_t *g,
                                               mpc_chan_t *ch, uint64_t p,
                                               const uint64_t *s) VEIL_WUR;
VEIL_EXPORT veil_status mpc_relu_online_client(mpc_gc_ebatch_t *b,
                                               mpc_gc_eparty_t *e,
                                               mpc_chan_t *ch,
                                               uint64_t *y) VEIL_WUR;

/* ===================================================== exact truncation
 *
 * Truncation of additive shares in F_p by `shift` bits that never fails:
 * the local truncation of mpc_share_trunc (mpc_field.h), which is wrong
 * with probability |v| / p (2^-11 for a product of two 15-bit fixed-point
 * values below 1 in Delphi's 41-bit field), plus a garbled circuit that
 * detects the wrap around p and corrects it.  Party 1 garbles, party 0
 * evaluates; the result is floor(v / 2^shift) + e, e in {0, 1}, for every
 * pair of shares: the outcome local truncation gives when it does not
 * fail.  doc/20-two-party.md, "Truncation", has the derivation, the
 * failure bound of local truncation and the costs (289 AND gates, 9.2 KB of
 * tables and 83 OTs per element for the 41-bit p). */

typedef struct {
    int party;      /* 0: evaluator, 1: garbler             */
    int ready;      /* set up (the GC party below is live)  */
    int has_rng;    /* rng initialised                      */
    uint64_t p;     /* the field                            */
    unsigned shift; /* bits truncated                       */
    mpc_circuit_t c;
    mpc_gc_gparty_t g; /* party 1 */
    mpc_gc_eparty_t e; /* party 0 */
    mpc_gc_gbatch_t gb;
    mpc_gc_ebatch_t eb;
    veil_rng_t rng; /* party 1's masks */
} mpc_trunc_t;

/* The circuit: garbler inputs (5 bitlen(p) + 1 bits) from
 * mpc_trunc_gin, evaluator inputs (2 bitlen(p) + 1) from mpc_trunc_ein,
 * output y (bitlen(p) bits): party 0's correction.  p odd, 3 <= p < 2^62,
 * 1 <= shift < bitlen(p); VEIL_EINVAL otherwise, VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_circuit_trunc(mpc_circuit_t *c, uint64_t p,
                                          unsigned shift) VEIL_WUR;

/* Party 1's input bits for its share s1 < p and a mask M < p (uniform);
 * *keep receives its share of the result.  Party 0's for its share s0,
 * which keeps floor(s0 / 2^shift) + y.  (For tests and the protocol.) */
VEIL_EXPORT void mpc_trunc_gin(uint8_t *bits, uint64_t *keep, uint64_t s1,
                               uint64_t mask, uint64_t p, unsigned shift);
VEIL_EXPORT void mpc_trunc_ein(uint8_t *bits, uint64_t s0, uint64_t p);

/* Set up over ch: party 1 becomes the garbler (base OTs, session tweak),
 * party 0 the evaluator; both call it at the same time with the same f
 * and shift.  VEIL_EINVAL (arguments as for mpc_circuit_trunc), channel
 * and OT statuses, VEIL_ENOMEM.  *tr is cleared on error. */
VEIL_EXPORT veil_status mpc_trunc_init(mpc_trunc_t *tr, const mpc_field_t *f,
                                       unsigned shift, mpc_chan_t *ch,
                                       int party) VEIL_WUR;
/* Free; safe twice and after a failed init. */
VEIL_EXPORT void mpc_trunc_clear(mpc_trunc_t *tr);

/* out[i] = my share of floor(v_i / 2^shift) + e_i, e_i in {0, 1}, v_i the
 * signed value of the shared in[i] (every in[i] < p).  Both parties call
 * it with the same n; out may alias in.  Batches of 4096 elements, one
 * garbled batch each.  VEIL_EINVAL, channel and OT statuses, VEIL_EFORMAT
 * (a malformed message), VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_trunc(mpc_trunc_t *tr, mpc_chan_t *ch,
                                  uint64_t *out, const uint64_t *in,
                                  size_t n) VEIL_WUR;

/* mpc_fixed_poly (mpc_field.h) with every truncation exact (mpc_trunc):
 * never fails, whatever the magnitudes, as long as the intermediate values
 * stay representable.  tr->shift must be f->frac and tr->p f->p
 * (VEIL_EINVAL otherwise). */
VEIL_EXPORT veil_status mpc_fixed_poly_exact(const mpc_field_t *f,
                                             mpc_chan_t *ch, int party,
                                             mpc_trunc_t *tr, mpc_powers_t *t,
                                             uint64_t *z, const uint64_t *x,
                                             const uint64_t *c, unsigned deg,
                                             size_t n) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_MPC_GC_H */
