/*
 * aes.c - the AES-128 kernels of aesni/aes.c (ECB, CTR) with VAES on
 * 256-bit registers: two blocks per instruction, eight registers (16
 * blocks) in flight (the round loop is vaes256/aes.h); an odd last block
 * goes through the low lane.  Inputs shorter than MPC_VAES_MIN_BLOCKS go
 * to the AES-NI code.  Compiled with -mavx2 -mvaes (mpc/local.mk);
 * dispatch.c puts these in the avx2 table where the CPU has VAES.  Results
 * are identical to the portable reference, which the tests check.
 */
#include "aes.h"
#include "../internal.h"

/* b ^= x[i..] ^ y[i..] (two blocks, or one if two == 0), either may be
 * NULL. */
static inline __m256i add_terms(__m256i b, const mpc_block_t *x,
                                const mpc_block_t *y, size_t i, int two)
{
    if (x != NULL)
        b = _mm256_xor_si256(b, vaes256_load(&x[i], two));
    if (y != NULL)
        b = _mm256_xor_si256(b, vaes256_load(&y[i], two));
    return b;
}

void mpc_aes_ctr_vaes256(mpc_block_t *out, const mpc_aes_key_t *key,
                         uint64_t ctr, size_t n, const mpc_block_t *x,
                         const mpc_block_t *y)
{
    __m256i k[11], b[VAES256_W];
    size_t i = 0;
    if (n < MPC_VAES_MIN_BLOCKS) {
        mpc_aes_ctr_aesni(out, key, ctr, n, x, y);
        return;
    }
    vaes256_load_key(k, key);
    for (; i + 2 * VAES256_W <= n; i += 2 * VAES256_W) {
        for (int j = 0; j < VAES256_W; j++)
            b[j] = vaes256_counters(ctr + i + 2 * (uint64_t)j);
        vaes256_enc(b, VAES256_W, k);
        for (int j = 0; j < VAES256_W; j++)
            vaes256_store(&out[i + 2 * (size_t)j],
                          add_terms(b[j], x, y, i + 2 * (size_t)j, 1), 1);
    }
    for (; i < n; i += 2) {
        int two = n - i >= 2;
        b[0] = vaes256_counters(ctr + i);
        vaes256_enc(b, 1, k);
        vaes256_store(&out[i], add_terms(b[0], x, y, i, two), two);
    }
}

static inline __m256i same(__m256i x)
{
    return x;
}

static inline __m256i take_e(__m256i e, __m256i x)
{
    (void)x;
    return e;
}

VAES256_ONE_PASS(mpc_aes_ecb_vaes256, same, take_e, mpc_aes_ecb_aesni)
