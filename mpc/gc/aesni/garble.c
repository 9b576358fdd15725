/*
 * garble.c - half-gates garbling of one group of
 * MPC_GC_LANES instances with 128-bit AES-NI (gc_internal.h describes the
 * slot and table layout).  Compiled with -maes -msse4.1 (mpc/gc/local.mk);
 * gc/dispatch.c picks it where the CPU has AES-NI.  It must give the
 * tables and labels of the portable reference (gc/garble.c, gc/eval.c) bit
 * for bit, which the tests check; the evaluator is gc/aesni/eval.c.
 *
 * Per AND gate (Zahur, Rosulek and Evans 2015, figure 2), lane by lane,
 * with H(X, t) = pi(K) ^ K for K = sigma(X) ^ t:
 *   garble:  pa, pb = lsb(A0), lsb(B0); A1 = A0 ^ D, B1 = B0 ^ D
 *            TG = H(A0, 2j) ^ H(A1, 2j) ^ pb D
 *            WG = H(A0, 2j) ^ pa TG
 *            TE = H(B0, 2j+1) ^ H(B1, 2j+1) ^ A0
 *            WE = H(B0, 2j+1) ^ pb (TE ^ A0)
 *            W0 = WG ^ WE
 *   eval:    sa, sb = lsb(A), lsb(B)
 *            W = H(A, 2j) ^ sa TG ^ H(B, 2j+1) ^ sb (TE ^ A)
 * sigma is linear, so sigma(A1) = sigma(A0) ^ sigma(D) costs one XOR.  The
 * 4 * LANES (garble) or 2 * LANES (eval) AES inputs of a gate are
 * independent and go through the AES pipeline together.
 */
#include "kernel.h"

void gc_garble_aesni(const gc_prog_t *p, const mpc_block_t *in,
                     mpc_block_t *work, mpc_block_t *tables,
                     const mpc_aes_key_t *pi, const mpc_block_t *delta,
                     const uint64_t *and_base, uint64_t hi)
{
    __m128i k[11], d = ld(delta), sd = aesni_sigma(d), t[L];
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
        case MPC_GATE_NOT:
            UNROLL for (int l = 0; l < L; l++)
                st(&out[l], _mm_xor_si128(ld(&a[l]), d));
            break;
        case MPC_GATE_CONST0:
        case MPC_GATE_CONST1: {
            __m128i v = o->op == MPC_GATE_CONST1 ? d : _mm_setzero_si128();
            UNROLL for (int l = 0; l < L; l++) st(&out[l], v);
            break;
        }
        default: { /* AND */
            __m128i a0[L], b0[L], h[4 * L];
            const __m128i one = _mm_set_epi64x(0, 1);
            UNROLL for (int l = 0; l < L; l++)
            {
                __m128i sa, sb;
                a0[l] = ld(&a[l]);
                b0[l] = ld(&b[l]);
                sa = _mm_xor_si128(aesni_sigma(a0[l]), t[l]);
                sb = _mm_xor_si128(aesni_sigma(b0[l]), _mm_or_si128(t[l], one));
                h[4 * l] = sa;
                h[4 * l + 1] = _mm_xor_si128(sa, sd);
                h[4 * l + 2] = sb;
                h[4 * l + 3] = _mm_xor_si128(sb, sd);
            }
            mmo(h, 4 * L, k);
            UNROLL for (int l = 0; l < L; l++)
            {
                __m128i pa = lsb_mask(a0[l]), pb = lsb_mask(b0[l]);
                __m128i tg =
                    _mm_xor_si128(_mm_xor_si128(h[4 * l], h[4 * l + 1]),
                                  _mm_and_si128(pb, d));
                __m128i te = _mm_xor_si128(
                    _mm_xor_si128(h[4 * l + 2], h[4 * l + 3]), a0[l]);
                __m128i wg = _mm_xor_si128(h[4 * l], _mm_and_si128(pa, tg));
                __m128i we = _mm_xor_si128(
                    h[4 * l + 2], _mm_and_si128(pb, _mm_xor_si128(te, a0[l])));
                st(&tables[l], tg);
                st(&tables[L + l], te);
                st(&out[l], _mm_xor_si128(wg, we));
                t[l] = _mm_add_epi64(t[l], _mm_set_epi64x(0, 2));
            }
            tables += 2 * L;
            break;
        }
        }
    }
}
