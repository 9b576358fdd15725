/*
 * hash.c - the fixed-key AES hashes of aesni/hash.c with VAES on 256-bit
 * registers (the round loop and the one-pass loop are vaes256/aes.h);
 * inputs shorter than MPC_VAES_MIN_BLOCKS go to the AES-NI code.  Same
 * results as the portable reference (mpc/hash.c), which the tests check.
 */
#include "../internal.h"
#include "aes.h"

static inline __m256i same(__m256i x)
{
    return x;
}

VAES256_ONE_PASS(mpc_hash_cr_vaes256, same, _mm256_xor_si256, mpc_hash_cr_aesni)
VAES256_ONE_PASS(mpc_hash_ccr_vaes256, vaes256_sigma, _mm256_xor_si256,
                 mpc_hash_ccr_aesni)

/* TCCR: out = pi(pi(x) ^ tweak) ^ pi(x), eight registers at a time (the
 * last group shorter, an odd last block in the low lane). */
void mpc_hash_tccr_vaes256(mpc_block_t *out, const mpc_aes_key_t *pi,
                           const mpc_block_t *in, uint64_t tweak, size_t n)
{
    __m256i k[11], x[VAES256_W], b[VAES256_W];
    size_t i = 0;
    if (n < MPC_VAES_MIN_BLOCKS) {
        mpc_hash_tccr_aesni(out, pi, in, tweak, n);
        return;
    }
    vaes256_load_key(k, pi);
    for (; i < n; i += 2 * VAES256_W) {
        size_t left = n - i;
        int cnt = left >= 2 * VAES256_W ? VAES256_W : (int)((left + 1) / 2);
        for (int j = 0; j < cnt; j++) {
            size_t at = i + 2 * (size_t)j;
            x[j] = vaes256_load(&in[at], n - at >= 2);
        }
        vaes256_enc(x, cnt, k); /* x = pi(in) */
        for (int j = 0; j < cnt; j++)
            b[j] = _mm256_xor_si256(
                x[j], vaes256_counters(tweak + i + 2 * (uint64_t)j));
        vaes256_enc(b, cnt, k);
        for (int j = 0; j < cnt; j++) {
            size_t at = i + 2 * (size_t)j;
            vaes256_store(&out[at], _mm256_xor_si256(b[j], x[j]), n - at >= 2);
        }
    }
}
