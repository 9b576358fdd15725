/*
 * hash.c - the fixed-key AES hashes of aesni/hash.c with VAES on 512-bit
 * registers (the round loop and the one-pass loop are vaes/aes.h); inputs
 * shorter than MPC_VAES_MIN_BLOCKS go to the AES-NI code.  Same results
 * as the portable reference (mpc/hash.c), which the tests check.
 */
#include "../internal.h"
#include "aes.h"

static inline __m512i same(__m512i x)
{
    return x;
}

VAES_ONE_PASS(mpc_hash_cr_vaes, same, _mm512_xor_si512, mpc_hash_cr_aesni)
VAES_ONE_PASS(mpc_hash_ccr_vaes, vaes_sigma, _mm512_xor_si512,
              mpc_hash_ccr_aesni)

void mpc_hash_tccr_vaes(mpc_block_t *out, const mpc_aes_key_t *pi,
                        const mpc_block_t *in, uint64_t tweak, size_t n)
{
    __m512i k[11], x[VAES_W], b[VAES_W];
    size_t i = 0;
    if (n < MPC_VAES_MIN_BLOCKS) {
        mpc_hash_tccr_aesni(out, pi, in, tweak, n);
        return;
    }
    vaes_load_key(k, pi);
    for (; i < n; i += 4 * VAES_W) {
        size_t left = n - i;
        int cnt = left >= 4 * VAES_W ? VAES_W : (int)((left + 3) / 4);
        for (int j = 0; j < cnt; j++) {
            size_t at = i + 4 * (size_t)j;
            __mmask8 m = n - at >= 4 ? 0xff : vaes_tail_mask(n - at);
            x[j] = _mm512_maskz_loadu_epi64(m, (const void *)&in[at]);
        }
        vaes_enc(x, cnt, k); /* x = pi(in) */
        for (int j = 0; j < cnt; j++)
            b[j] = _mm512_xor_si512(x[j],
                                    vaes_counters(tweak + i + 4 * (uint64_t)j));
        vaes_enc(b, cnt, k);
        for (int j = 0; j < cnt; j++) {
            size_t at = i + 4 * (size_t)j;
            __mmask8 m = n - at >= 4 ? 0xff : vaes_tail_mask(n - at);
            _mm512_mask_storeu_epi64((void *)&out[at], m,
                                     _mm512_xor_si512(b[j], x[j]));
        }
    }
}
