/*
 * eval.c - half-gates evaluation of one group with VAES on 256-bit
 * registers, the counterpart of gc/vaes256/garble.c: two lanes per
 * register, the 2 * MPC_GC_LANES hash inputs of a gate as sixteen VAESENC
 * streams, run eight at a time.  Same labels as the portable reference
 * (gc/eval.c), bit for bit.
 */
#include "kernel.h"

void gc_eval_vaes256(const gc_prog_t *p, const mpc_block_t *in,
                     mpc_block_t *work, const mpc_block_t *tables,
                     const mpc_aes_key_t *pi, const uint64_t *and_base,
                     uint64_t hi)
{
    __m256i k[11], t[Y];
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
        default: { /* AND (an evaluator's program has no other gates) */
            __m256i a0[Y], b0[Y], h[2 * Y];
            UNROLL for (int j = 0; j < Y; j++)
            {
                a0[j] = ld(a + 2 * j);
                b0[j] = ld(b + 2 * j);
                h[2 * j] = _mm256_xor_si256(vaes256_sigma(a0[j]), t[j]);
                h[2 * j + 1] = _mm256_xor_si256(vaes256_sigma(b0[j]),
                                                _mm256_or_si256(t[j], one));
            }
            mmo(h, 2 * Y, k);
            UNROLL for (int j = 0; j < Y; j++)
            {
                __m256i tg = ld(tables + 2 * j), te = ld(tables + L + 2 * j);
                __m256i wg = _mm256_xor_si256(
                    h[2 * j], _mm256_and_si256(lsb_mask(a0[j]), tg));
                __m256i we = _mm256_xor_si256(
                    h[2 * j + 1],
                    _mm256_and_si256(lsb_mask(b0[j]),
                                     _mm256_xor_si256(te, a0[j])));
                st(out + 2 * j, _mm256_xor_si256(wg, we));
                t[j] = _mm256_add_epi64(t[j], two);
            }
            tables += 2 * L;
            break;
        }
        }
    }
}
