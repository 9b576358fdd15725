/*
 * hash.c - the fixed-key AES hash functions of Guo, Katz, Wang and Yu
 * (IEEE S&P 2020) in portable C on the constant-time AES of aes.c (the
 * reference for aesni/hash.c and vaes/hash.c), and their public entry
 * points, which call the kernel table.  pi is AES-128 under a public key
 * (mpc_aes_init_fixed), modelled as a random permutation.
 *
 *   CR    H(x)    = pi(x) ^ x                     correlation robust
 *   CCR   H(x)    = pi(sigma(x)) ^ sigma(x)       circular corr. robust
 *   TCCR  H(x, i) = pi(pi(x) ^ i) ^ pi(x)         tweakable, 2 AES calls
 *
 * sigma(xL || xR) = (xL ^ xR || xL) with xL the high 64 bits.
 */
#include "internal.h"

void mpc_hash_cr_portable(mpc_block_t *out, const mpc_aes_key_t *pi,
                          const mpc_block_t *in, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        mpc_block_t x = in[j], e;
        mpc_aes_block_portable(&e, pi, &x);
        out[j] = mpc_block_xor(e, x);
    }
}

void mpc_hash_ccr_portable(mpc_block_t *out, const mpc_aes_key_t *pi,
                           const mpc_block_t *in, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        mpc_block_t x = mpc_block_sigma(in[j]), e;
        mpc_aes_block_portable(&e, pi, &x);
        out[j] = mpc_block_xor(e, x);
    }
}

void mpc_hash_tccr_portable(mpc_block_t *out, const mpc_aes_key_t *pi,
                            const mpc_block_t *in, uint64_t tweak, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        mpc_block_t x = in[j], p, e;
        mpc_aes_block_portable(&p, pi, &x); /* pi(x) */
        x = p;
        x.w[0] ^= tweak + j;
        mpc_aes_block_portable(&e, pi, &x);
        out[j] = mpc_block_xor(e, p);
    }
}

void mpc_hash_cr(mpc_block_t *out, const mpc_aes_key_t *pi,
                 const mpc_block_t *in, size_t n)
{
    mpc_kernels()->hash_cr(out, pi, in, n);
}

void mpc_hash_ccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                  const mpc_block_t *in, size_t n)
{
    mpc_kernels()->hash_ccr(out, pi, in, n);
}

void mpc_hash_tccr(mpc_block_t *out, const mpc_aes_key_t *pi,
                   const mpc_block_t *in, uint64_t tweak, size_t n)
{
    mpc_kernels()->hash_tccr(out, pi, in, tweak, n);
}
