/*
 * helpers.h - shared by the bfv test files: a ready context with keys, slot
 * vectors and the plaintext oracles every homomorphic result is checked
 * against (arithmetic mod t, rotations as explicit permutations of the
 * 2 x n/2 slot matrix).  Seeds and iteration counts come from the toolkit,
 * test/common/seed.h (vt_rng prints the seed; VEIL_TEST_SEED replays it).
 */
#ifndef VEIL_TEST_BFV_HELPERS_H
#define VEIL_TEST_BFV_HELPERS_H

#include "../common/seed.h"
#include "veil/bfv.h"
#include <stdint.h>

/* A context with a secret and a public key (and, on request, a relin key
 * and the power-of-two Galois keys). */
typedef struct {
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    int have_rk, have_gk;
    veil_rng_t rng;
    size_t n;
    uint64_t t;
} bt_env_t;

#define BT_RELIN 1
#define BT_GALOIS 2

/* Build from params (asserts success). */
void bt_env_init(bt_env_t *e, const bfv_params_t *params, int keys,
                 const char *test);
/* Build from the 128-bit preset of ring degree n. */
void bt_env_preset(bt_env_t *e, size_t n, int keys, const char *test);
void bt_env_clear(bt_env_t *e);

/* A small insecure set for fast exhaustive tests: n, ciphertext primes of
 * the given sizes, one special prime, batching t. */
void bt_params_small(bfv_params_t *p, size_t n, const unsigned *q_bits,
                     size_t n_q, unsigned p_bits, uint64_t t);

/* v[0..n) uniform in [0, t). */
void bt_random_slots(veil_rng_t *rng, uint64_t *v, size_t n, uint64_t t);

/* ct = Enc_pk(slots v) / v = Dec(ct) as slots (assert success). */
void bt_encrypt(bt_env_t *e, bfv_ciphertext_t *ct, const uint64_t *v);
void bt_decrypt(bt_env_t *e, uint64_t *v, const bfv_ciphertext_t *ct);
int bt_budget(bt_env_t *e, const bfv_ciphertext_t *ct);

/* out = a fresh encryption of slots v switched to one limb
 * (bfv_mod_switch; out initialised in e's context). */
void bt_one_limb(bt_env_t *e, bfv_ms_ciphertext_t *out, const uint64_t *v);

/* Oracles over Z_t, slot-wise. */
void bt_add(uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
            uint64_t t);
void bt_sub(uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
            uint64_t t);
void bt_mul(uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
            uint64_t t);
/* Rotation of both rows: the value in column j moves to column j + k. */
void bt_rotate_rows(uint64_t *o, const uint64_t *a, int64_t k, size_t n);
/* Swap the two rows. */
void bt_swap_rows(uint64_t *o, const uint64_t *a, size_t n);

/* Assert a[0..n) == b[0..n), reporting the first difference. */
void bt_assert_slots(const uint64_t *got, const uint64_t *want, size_t n,
                     const char *what);

#endif
