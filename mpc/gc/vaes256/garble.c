/*
 * garble.c - the half-gates garbler of gc/aesni/garble.c (which gives the
 * formulas) on 256-bit registers with VAES: one ymm register holds the
 * labels of two lanes, so a group of MPC_GC_LANES = 16 lanes is eight
 * registers and the 64 hash inputs of an AND gate are 32 VAESENC streams,
 * run eight at a time.  Compiled with -mavx2 -mvaes (mpc/gc/local.mk);
 * gc/dispatch.c picks it for the avx2 path where the CPU has VAES (AMD Zen
 * 3 and later: two VAESENC ymm per cycle).  Gives the tables and labels of
 * the portable reference (gc/garble.c), bit for bit; the evaluator is
 * gc/vaes256/eval.c.
 */
#include "kernel.h"

void gc_garble_vaes256(const gc_prog_t *p, const mpc_block_t *in,
                       mpc_block_t *work, mpc_block_t *tables,
                       const mpc_aes_key_t *pi, const mpc_block_t *delta,
                       const uint64_t *and_base, uint64_t hi)
{
    __m256i k[11], t[Y];
    const __m256i d =
        _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)delta));
    const __m256i sd = vaes256_sigma(d);
    const __m256i one = _mm256_set_epi64x(0, 1, 0, 1);
    const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
    vaes256_load_key(k, pi);
    load_tweaks(t, and_base, hi);
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        switch (o->op) {
        case MPC_GATE_XOR:
            UNROLL for (int j = 0; j < Y; j++)
                st(out + 2 * j, _mm256_xor_si256(ld(a + 2 * j), ld(b + 2 * j)));
            break;
        case MPC_GATE_NOT:
            UNROLL for (int j = 0; j < Y; j++)
                st(out + 2 * j, _mm256_xor_si256(ld(a + 2 * j), d));
            break;
        case MPC_GATE_CONST0:
        case MPC_GATE_CONST1: {
            __m256i v = o->op == MPC_GATE_CONST1 ? d : _mm256_setzero_si256();
            UNROLL for (int j = 0; j < Y; j++) st(out + 2 * j, v);
            break;
        }
        default: { /* AND */
            __m256i a0[Y], b0[Y], h[4 * Y];
            UNROLL for (int j = 0; j < Y; j++)
            {
                __m256i sa, sb;
                a0[j] = ld(a + 2 * j);
                b0[j] = ld(b + 2 * j);
                sa = _mm256_xor_si256(vaes256_sigma(a0[j]), t[j]);
                sb = _mm256_xor_si256(vaes256_sigma(b0[j]),
                                      _mm256_or_si256(t[j], one));
                h[4 * j] = sa;                           /* H(A0) */
                h[4 * j + 1] = _mm256_xor_si256(sa, sd); /* H(A1) */
                h[4 * j + 2] = sb;                       /* H(B0) */
                h[4 * j + 3] = _mm256_xor_si256(sb, sd); /* H(B1) */
            }
            mmo(h, 4 * Y, k);
            UNROLL for (int j = 0; j < Y; j++)
            {
                __m256i pa = lsb_mask(a0[j]), pb = lsb_mask(b0[j]);
                __m256i tg =
                    _mm256_xor_si256(_mm256_xor_si256(h[4 * j], h[4 * j + 1]),
                                     _mm256_and_si256(pb, d));
                __m256i te = _mm256_xor_si256(
                    _mm256_xor_si256(h[4 * j + 2], h[4 * j + 3]), a0[j]);
                __m256i wg =
                    _mm256_xor_si256(h[4 * j], _mm256_and_si256(pa, tg));
                __m256i we = _mm256_xor_si256(
                    h[4 * j + 2],
                    _mm256_and_si256(pb, _mm256_xor_si256(te, a0[j])));
                st(tables + 2 * j, tg);
                st(tables + L + 2 * j, te);
                st(out + 2 * j, _mm256_xor_si256(wg, we));
                t[j] = _mm256_add_epi64(t[j], two);
            }
            tables += 2 * L;
            break;
        }
        }
    }
}
