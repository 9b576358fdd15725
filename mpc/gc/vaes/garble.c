/*
 * garble.c - the half-gates garbler of gc/aesni/garble.c on 512-bit
 * registers with VAES: one zmm register holds the labels of four lanes, so
 * a group of MPC_GC_LANES = 16 lanes is four registers, and the 64 hash
 * inputs of an AND gate (32 to evaluate) are sixteen (eight) independent
 * VAESENC streams, enough to keep the AES units busy across the latency of
 * each round.  Point-and-permute selections use AVX-512 mask registers, and
 * the evaluator prefetches the tables a few gates ahead (they stream from
 * memory: 32 bytes per AND and lane).  Compiled with AVX-512 flags
 * (mpc/gc/local.mk); gc/dispatch.c picks it for the avx512 path where the
 * CPU has VAES.  Gives the tables and labels of the portable reference
 * (gc/garble.c), bit for bit; the evaluator is gc/vaes/eval.c.
 */
#include "kernel.h"

void gc_garble_vaes(const gc_prog_t *p, const mpc_block_t *in,
                    mpc_block_t *work, mpc_block_t *tables,
                    const mpc_aes_key_t *pi, const mpc_block_t *delta,
                    const uint64_t *and_base, uint64_t hi)
{
    __m512i k[11], t[Z];
    const __m512i d =
        _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)delta));
    const __m512i sd = vaes_sigma(d);
    const __m512i one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    const __m512i two = _mm512_set_epi64(0, 2, 0, 2, 0, 2, 0, 2);
    vaes_load_key(k, pi);
    load_tweaks(t, and_base, hi);
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        switch (o->op) {
        case MPC_GATE_XOR: {
            __m512i x[Z];
            UNROLL for (int j = 0; j < Z; j++) x[j] =
                _mm512_xor_si512(ld(a + 4 * j), ld(b + 4 * j));
            UNROLL for (int j = 0; j < Z; j++) st(out + 4 * j, x[j]);
            break;
        }
        case MPC_GATE_NOT: {
            __m512i x[Z];
            UNROLL for (int j = 0; j < Z; j++) x[j] =
                _mm512_xor_si512(ld(a + 4 * j), d);
            UNROLL for (int j = 0; j < Z; j++) st(out + 4 * j, x[j]);
            break;
        }
        case MPC_GATE_CONST0:
        case MPC_GATE_CONST1: {
            __m512i v = o->op == MPC_GATE_CONST1 ? d : _mm512_setzero_si512();
            UNROLL for (int j = 0; j < Z; j++) st(out + 4 * j, v);
            break;
        }
        default: { /* AND */
            __m512i a0[Z], b0[Z], h[4 * Z];
            UNROLL for (int j = 0; j < Z; j++)
            {
                a0[j] = ld(a + 4 * j);
                b0[j] = ld(b + 4 * j);
            }
            UNROLL for (int j = 0; j < Z; j++)
            {
                __m512i sa = _mm512_xor_si512(vaes_sigma(a0[j]), t[j]);
                __m512i sb = _mm512_xor_si512(vaes_sigma(b0[j]),
                                              _mm512_or_si512(t[j], one));
                h[j] = sa;                               /* H(A0) */
                h[Z + j] = _mm512_xor_si512(sa, sd);     /* H(A1) */
                h[2 * Z + j] = sb;                       /* H(B0) */
                h[3 * Z + j] = _mm512_xor_si512(sb, sd); /* H(B1) */
            }
            mmo(h, 4 * Z, k);
            UNROLL for (int j = 0; j < Z; j++)
            {
                __mmask8 pa = lsb_mask(a0[j]), pb = lsb_mask(b0[j]);
                __m512i tg = _mm512_xor_si512(h[j], h[Z + j]);
                __m512i te = _mm512_ternarylogic_epi64(
                    h[2 * Z + j], h[3 * Z + j], a0[j], 0x96);
                __m512i wg, we;
                tg = _mm512_mask_xor_epi64(tg, pb, tg, d);
                wg = _mm512_mask_xor_epi64(h[j], pa, h[j], tg);
                we = _mm512_mask_xor_epi64(h[2 * Z + j], pb, h[2 * Z + j],
                                           _mm512_xor_si512(te, a0[j]));
                st(tables + 4 * j, tg);
                st(tables + L + 4 * j, te);
                st(out + 4 * j, _mm512_xor_si512(wg, we));
                t[j] = _mm512_add_epi64(t[j], two);
            }
            tables += 2 * L;
            break;
        }
        }
    }
}
