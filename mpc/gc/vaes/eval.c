/*
 * eval.c - half-gates evaluation of one group with VAES on 512-bit
 * registers, the counterpart of gc/vaes/garble.c: four lanes per register,
 * the 2 * MPC_GC_LANES hash inputs of a gate as eight VAESENC streams,
 * and the tables prefetched a few gates ahead (they stream from memory:
 * 32 bytes per AND and lane).  Same labels as the portable reference
 * (gc/eval.c), bit for bit.
 */
#include "kernel.h"

void gc_eval_vaes(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                  const mpc_block_t *tables, const mpc_aes_key_t *pi,
                  const uint64_t *and_base, uint64_t hi)
{
    __m512i k[11], t[Z];
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
        default: { /* AND (an evaluator's program has no other gates) */
            __m512i a0[Z], b0[Z], h[2 * Z];
            UNROLL for (int j = 0; j < Z; j++)
            {
                a0[j] = ld(a + 4 * j);
                b0[j] = ld(b + 4 * j);
            }
            UNROLL for (int j = 0; j < Z; j++)
            {
                h[j] = _mm512_xor_si512(vaes_sigma(a0[j]), t[j]);
                h[Z + j] = _mm512_xor_si512(vaes_sigma(b0[j]),
                                            _mm512_or_si512(t[j], one));
            }
            /* the tables stream from memory: fetch a few gates ahead */
            UNROLL for (int j = 0; j < 2 * Z; j++) _mm_prefetch(
                (const char *)(tables + 2 * L * PREFETCH_ANDS + 4 * j),
                _MM_HINT_T0);
            mmo(h, 2 * Z, k);
            UNROLL for (int j = 0; j < Z; j++)
            {
                __m512i tg = ld(tables + 4 * j), te = ld(tables + L + 4 * j);
                __m512i wg =
                    _mm512_mask_xor_epi64(h[j], lsb_mask(a0[j]), h[j], tg);
                __m512i we =
                    _mm512_mask_xor_epi64(h[Z + j], lsb_mask(b0[j]), h[Z + j],
                                          _mm512_xor_si512(te, a0[j]));
                st(out + 4 * j, _mm512_xor_si512(wg, we));
                t[j] = _mm512_add_epi64(t[j], two);
            }
            tables += 2 * L;
            break;
        }
        }
    }
}
