/*
 * test/lola/common.h - shared by the LoLa test files (test/lola/): small
 * insecure BFV environments, encryption of a vector in a representation,
 * decryption and decoding, random matrices and the plaintext reference
 * (W x + b over the integers, compared mod t).  Seeds are printed;
 * VEIL_TEST_SEED=hex replays them.
 */
#ifndef VEIL_TEST_LOLA_COMMON_H
#define VEIL_TEST_LOLA_COMMON_H

#include "../common/seed.h"
#include "veil/lola_kernels.h"
#include "veil/nn.h"
#include <stdint.h>

#define LT_T 786433 /* 3 * 2^18 + 1: prime, = 1 mod 2n for n <= 2^17 */

typedef struct {
    bfv_params_t params;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    veil_rng_t rng;
    size_t n;
    uint64_t t;
} lt_env_t;

/* Insecure context of degree n, plaintext modulus LT_T, three 45-bit
 * ciphertext primes and one special prime; secret, public, relin keys. */
void lt_env_init(lt_env_t *e, size_t n, const char *test);
void lt_env_clear(lt_env_t *e);

/* Galois keys for every rotation the steps use. */
void lt_env_galois(lt_env_t *e, const lola_step_t *steps, size_t count);

/* Encrypt v (len entries, or batch * len for SIMD) laid out as l: cts[0..
 * l->nct) are initialised here. */
void lt_encrypt(lt_env_t *e, bfv_ciphertext_t *cts, const lola_layout_t *l,
                const int64_t *v);

/* Decrypt cts (l->nct of them) and decode per l with checks (copies agree,
 * ZERO slots are 0): out gets centred residues mod t. */
void lt_decrypt(lt_env_t *e, int64_t *out, const lola_layout_t *l,
                const bfv_ciphertext_t *cts);

/* Run step st (coefficients from m) on in; out[0..st->nout) initialised
 * here. */
void lt_run(lt_env_t *e, bfv_ciphertext_t *out, const lola_step_t *st,
            const lola_matrix_t *m, const bfv_ciphertext_t *in);

void lt_cts_clear(bfv_ciphertext_t *cts, size_t count);

/* A random dense (or, with conv geometry set in *m, convolution) matrix
 * with weights in [-wmax, wmax] and biases in [-bmax, bmax]; storage owned
 * by the returned struct (free with lt_matrix_clear). */
typedef struct {
    lola_matrix_t m;
    int32_t *w;
    fmpz *b;
    size_t nb;
} lt_matrix_t;

void lt_matrix_dense(lt_matrix_t *a, veil_rng_t *rng, size_t rows, size_t cols,
                     int32_t wmax, int64_t bmax);
void lt_matrix_conv(lt_matrix_t *a, veil_rng_t *rng, nn_shape_t in,
                    uint32_t maps, uint32_t k, uint32_t stride, uint32_t pad,
                    int32_t wmax, int64_t bmax);
void lt_matrix_clear(lt_matrix_t *a);

/* y = W x + b, reduced to the centred residue mod t. */
void lt_matvec(int64_t *y, const lola_matrix_t *m, const int64_t *x,
               uint64_t t);

/* Centred residue of v mod t. */
int64_t lt_centre(int64_t v, uint64_t t);

/* v[0..len) uniform in [-lim, lim]. */
void lt_random_vec(int64_t *v, veil_rng_t *rng, size_t len, int64_t lim);

/* The small random quantized network of the end-to-end tests: 1 x 8 x 8
 * input, 3 x 3 convolution with stride 2, padding 1 and 2 maps (32
 * outputs), square, dense 32 -> 12, square, dense 12 -> 10 (or, small !=
 * 0, conv, square, dense 32 -> 10); 6-bit weights, input exponent 4;
 * biases zero, or random non-zero if biases != 0 (so that they are tested
 * too). */
void lt_small_model(nn_qmodel_t *q, veil_rng_t *rng, int small, int biases);

/* Assert got[i] == want[i] for i < len. */
void lt_assert_vec(const int64_t *got, const int64_t *want, size_t len,
                   const char *what);

#endif
