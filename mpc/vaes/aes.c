/*
 * aes.c - the AES-128 kernels of aesni/aes.c (ECB, CTR) with VAES on
 * 512-bit registers: four blocks per instruction, eight registers (32
 * blocks) in flight (the round loop is vaes/aes.h).  The tail (fewer than
 * four blocks) uses masked loads and stores; inputs shorter than
 * MPC_VAES_MIN_BLOCKS go to the AES-NI code.  Compiled with AVX-512 flags
 * (mpc/local.mk); dispatch.c puts these in the avx512 table only where the
 * CPU has VAES.  Results are identical to the portable reference, which
 * the tests check.
 */
#include "aes.h"
#include "../internal.h"

/* b ^= x[i..i+3] ^ y[i..i+3] under mask m, either may be NULL. */
static inline __m512i add_terms(__m512i b, const mpc_block_t *x,
                                const mpc_block_t *y, size_t i, __mmask8 m)
{
    if (x != NULL)
        b = _mm512_xor_si512(b, _mm512_maskz_loadu_epi64(m, &x[i]));
    if (y != NULL)
        b = _mm512_xor_si512(b, _mm512_maskz_loadu_epi64(m, &y[i]));
    return b;
}

void mpc_aes_ctr_vaes(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                      size_t n, const mpc_block_t *x, const mpc_block_t *y)
{
    __m512i k[11], b[VAES_W];
    size_t i = 0;
    if (n < MPC_VAES_MIN_BLOCKS) {
        mpc_aes_ctr_aesni(out, key, ctr, n, x, y);
        return;
    }
    vaes_load_key(k, key);
    for (; i + 4 * VAES_W <= n; i += 4 * VAES_W) {
        for (int j = 0; j < VAES_W; j++)
            b[j] = vaes_counters(ctr + i + 4 * (uint64_t)j);
        vaes_enc(b, VAES_W, k);
        for (int j = 0; j < VAES_W; j++)
            _mm512_storeu_si512((void *)&out[i + 4 * (size_t)j],
                                add_terms(b[j], x, y, i + 4 * (size_t)j, 0xff));
    }
    for (; i < n; i += 4) {
        __mmask8 m = n - i >= 4 ? 0xff : vaes_tail_mask(n - i);
        b[0] = vaes_counters(ctr + i);
        vaes_enc(b, 1, k);
        _mm512_mask_storeu_epi64((void *)&out[i], m,
                                 add_terms(b[0], x, y, i, m));
    }
}

static inline __m512i same(__m512i x)
{
    return x;
}

static inline __m512i take_e(__m512i e, __m512i x)
{
    (void)x;
    return e;
}

VAES_ONE_PASS(mpc_aes_ecb_vaes, same, take_e, mpc_aes_ecb_aesni)
