/*
 * eval.c - half-gates evaluation of one group of MPC_GC_LANES instances
 * with 128-bit AES-NI, the counterpart of gc/aesni/garble.c (whose comment
 * gives the formulas): W = H(A, 2j) ^ sa TG ^ H(B, 2j+1) ^ sb (TE ^ A),
 * the 2 * LANES hash inputs of a gate through the AES pipeline together.
 * Same labels as the portable reference (gc/eval.c), bit for bit.
 */
#include "kernel.h"

void gc_eval_aesni(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                   const mpc_block_t *tables, const mpc_aes_key_t *pi,
                   const uint64_t *and_base, uint64_t hi)
{
    __m128i k[11], t[L];
    aesni_load_key(k, pi);
    for (int l = 0; l < L; l++)
        t[l] = _mm_set_epi64x((long long)hi, (long long)(2 * and_base[l]));
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        switch (o->op) {
        case MPC_GATE_XOR:
            UNROLL for (int l = 0; l < L; l++)
                st(&out[l], _mm_xor_si128(ld(&a[l]), ld(&b[l])));
            break;
        default: { /* AND (an evaluator's program has no other gates) */
            __m128i a0[L], b0[L], h[2 * L];
            const __m128i one = _mm_set_epi64x(0, 1);
            UNROLL for (int l = 0; l < L; l++)
            {
                a0[l] = ld(&a[l]);
                b0[l] = ld(&b[l]);
                h[2 * l] = _mm_xor_si128(aesni_sigma(a0[l]), t[l]);
                h[2 * l + 1] =
                    _mm_xor_si128(aesni_sigma(b0[l]), _mm_or_si128(t[l], one));
            }
            mmo(h, 2 * L, k);
            UNROLL for (int l = 0; l < L; l++)
            {
                __m128i tg = ld(&tables[l]), te = ld(&tables[L + l]);
                __m128i wg =
                    _mm_xor_si128(h[2 * l], _mm_and_si128(lsb_mask(a0[l]), tg));
                __m128i we = _mm_xor_si128(
                    h[2 * l + 1],
                    _mm_and_si128(lsb_mask(b0[l]), _mm_xor_si128(te, a0[l])));
                st(&out[l], _mm_xor_si128(wg, we));
                t[l] = _mm_add_epi64(t[l], _mm_set_epi64x(0, 2));
            }
            tables += 2 * L;
            break;
        }
        }
    }
}
