/*
 * baseot.c - base oblivious transfer: Chou and Orlandi, "The Simplest
 * Protocol for Oblivious Transfer" (LATINCRYPT 2015), semi-honest, over
 * libsodium's ristretto255 group (prime order, so no cofactor clearing).
 *
 *   sender                                   receiver (choice c_i)
 *   a <- Z_q, A = aG        ---- A ---->
 *                                            b_i <- Z_q
 *                           <--- B_i ---     B_i = b_i G + c_i A
 *   k0_i = H(i, A, B_i, a B_i)               k_i = H(i, A, B_i, b_i A)
 *   k1_i = H(i, A, B_i, a B_i - a A)
 *
 * If c_i = 0, a B_i = ab_i G = b_i A; if c_i = 1, a (B_i - A) = b_i A.  B_i
 * is uniform whatever c_i, and without b_i the receiver cannot compute the
 * other key (CDH).  H is BLAKE2b with a 16-byte output.  The chosen-message
 * versions add one message: the sender sends x0 ^ k0, x1 ^ k1.
 */
#include "veil/mpc.h"
#include <sodium.h>
#include <string.h>

#define PT crypto_core_ristretto255_BYTES       /* 32 */
#define SC crypto_core_ristretto255_SCALARBYTES /* 32 */

/* A uniform non-zero scalar from the veil CSPRNG. */
static void random_scalar(veil_rng_t *rng, uint8_t s[SC])
{
    uint8_t wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];
    static const uint8_t zero[SC];
    do {
        veil_rng_bytes(rng, wide, sizeof(wide));
        crypto_core_ristretto255_scalar_reduce(s, wide);
    } while (sodium_memcmp(s, zero, SC) == 0);
    veil_memzero(wide, sizeof(wide));
}

static void key_hash(mpc_block_t *k, uint64_t i, const uint8_t A[PT],
                     const uint8_t B[PT], const uint8_t P[PT])
{
    crypto_generichash_state h;
    uint8_t idx[8];
    for (int b = 0; b < 8; b++)
        idx[b] = (uint8_t)(i >> (8 * b));
    crypto_generichash_init(&h, NULL, 0, sizeof(*k));
    crypto_generichash_update(&h, idx, sizeof(idx));
    crypto_generichash_update(&h, A, PT);
    crypto_generichash_update(&h, B, PT);
    crypto_generichash_update(&h, P, PT);
    crypto_generichash_final(&h, (uint8_t *)k->w, sizeof(*k));
    veil_memzero(&h, sizeof(h));
}

static int bit(const uint8_t *v, size_t i)
{
    return (v[i / 8] >> (i % 8)) & 1;
}

veil_status mpc_baseot_send_random(mpc_chan_t *ch, mpc_block_t *m0,
                                   mpc_block_t *m1, size_t n)
{
    veil_rng_t rng;
    uint8_t a[SC], A[PT], aA[PT], P[PT], *B = NULL;
    veil_status st;
    if (ch == NULL || m0 == NULL || m1 == NULL || n == 0 ||
        n > ch->max_frame / PT)
        return VEIL_EINVAL;
    if ((st = veil_rng_init(&rng)) != VEIL_OK)
        return st;
    if ((B = veil_alloc(n * PT)) == NULL) {
        veil_rng_clear(&rng);
        return VEIL_ENOMEM;
    }
    /* 1. A = aG, and aA for the second key */
    random_scalar(&rng, a);
    if (crypto_scalarmult_ristretto255_base(A, a) != 0 ||
        crypto_scalarmult_ristretto255(aA, a, A) != 0) {
        st = VEIL_ERANDOM;
        goto done;
    }
    if ((st = mpc_chan_send(ch, A, PT)) != VEIL_OK ||
        (st = mpc_chan_recv(ch, B, n * PT)) != VEIL_OK)
        goto done;
    /* 2. k0 = H(aB), k1 = H(aB - aA); an invalid or degenerate B_i is a
     * malformed message */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *Bi = B + i * PT;
        if (crypto_scalarmult_ristretto255(P, a, Bi) != 0) {
            st = VEIL_EFORMAT;
            goto done;
        }
        key_hash(&m0[i], i, A, Bi, P);
        crypto_core_ristretto255_sub(P, P, aA);
        key_hash(&m1[i], i, A, Bi, P);
    }
done:
    veil_memzero(a, sizeof(a));
    veil_memzero(P, sizeof(P));
    veil_rng_clear(&rng);
    veil_free(B);
    return st;
}

veil_status mpc_baseot_recv_random(mpc_chan_t *ch, mpc_block_t *m,
                                   const uint8_t *choices, size_t n)
{
    veil_rng_t rng;
    uint8_t A[PT], P[PT], *b = NULL, *B = NULL;
    veil_status st;
    if (ch == NULL || m == NULL || choices == NULL || n == 0 ||
        n > ch->max_frame / PT)
        return VEIL_EINVAL;
    if ((st = veil_rng_init(&rng)) != VEIL_OK)
        return st;
    b = veil_alloc(n * SC);
    B = veil_alloc(n * PT);
    if (b == NULL || B == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    if ((st = mpc_chan_recv(ch, A, PT)) != VEIL_OK)
        goto done;
    if (!crypto_core_ristretto255_is_valid_point(A)) {
        st = VEIL_EFORMAT;
        goto done;
    }
    /* B_i = b_i G + c_i A */
    for (size_t i = 0; i < n; i++) {
        uint8_t *Bi = B + i * PT;
        random_scalar(&rng, b + i * SC);
        if (crypto_scalarmult_ristretto255_base(Bi, b + i * SC) != 0) {
            st = VEIL_ERANDOM;
            goto done;
        }
        if (bit(choices, i))
            crypto_core_ristretto255_add(Bi, Bi, A);
    }
    if ((st = mpc_chan_send(ch, B, n * PT)) != VEIL_OK ||
        (st = mpc_chan_flush(ch)) != VEIL_OK)
        goto done;
    /* k_i = H(b_i A) */
    for (size_t i = 0; i < n; i++) {
        if (crypto_scalarmult_ristretto255(P, b + i * SC, A) != 0) {
            st = VEIL_EFORMAT;
            goto done;
        }
        key_hash(&m[i], i, A, B + i * PT, P);
    }
done:
    veil_free_secret(b, n * SC);
    veil_memzero(P, sizeof(P));
    veil_rng_clear(&rng);
    veil_free(B);
    return st;
}

veil_status mpc_baseot_send(mpc_chan_t *ch, const mpc_block_t *x0,
                            const mpc_block_t *x1, size_t n)
{
    mpc_block_t *k, *e;
    veil_status st;
    if (ch == NULL || x0 == NULL || x1 == NULL || n == 0 ||
        n > ch->max_frame / (2 * sizeof(mpc_block_t)))
        return VEIL_EINVAL;
    k = veil_alloc(2 * n * sizeof(mpc_block_t));
    e = veil_alloc(2 * n * sizeof(mpc_block_t));
    if (k == NULL || e == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    if ((st = mpc_baseot_send_random(ch, k, k + n, n)) != VEIL_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        e[2 * i] = mpc_block_xor(x0[i], k[i]);
        e[2 * i + 1] = mpc_block_xor(x1[i], k[n + i]);
    }
    if ((st = mpc_chan_send(ch, e, 2 * n * sizeof(mpc_block_t))) == VEIL_OK)
        st = mpc_chan_flush(ch);
done:
    veil_free_secret(k, 2 * n * sizeof(mpc_block_t));
    veil_free(e);
    return st;
}

veil_status mpc_baseot_recv(mpc_chan_t *ch, mpc_block_t *x,
                            const uint8_t *choices, size_t n)
{
    mpc_block_t *e;
    veil_status st;
    if (ch == NULL || x == NULL || choices == NULL || n == 0 ||
        n > ch->max_frame / (2 * sizeof(mpc_block_t)))
        return VEIL_EINVAL;
    if ((e = veil_alloc(2 * n * sizeof(mpc_block_t))) == NULL)
        return VEIL_ENOMEM;
    st = mpc_baseot_recv_random(ch, x, choices, n);
    if (st == VEIL_OK)
        st = mpc_chan_recv(ch, e, 2 * n * sizeof(mpc_block_t));
    for (size_t i = 0; st == VEIL_OK && i < n; i++)
        x[i] = mpc_block_xor(x[i], e[2 * i + (size_t)bit(choices, i)]);
    if (st != VEIL_OK)
        veil_memzero(x, n * sizeof(mpc_block_t));
    veil_free(e);
    return st;
}
