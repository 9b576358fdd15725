/*
 * Tests of the offline homomorphic linear layers (safenet/he.h): the
 * decrypted reply plus the server's mask equals W r mod p computed here in
 * plain integers, for random convolutions (kernel sizes, strides,
 * paddings, channel counts that do not divide the slot count), dense
 * layers and a CNN-7 layer; the reply is re-randomised (c_1 is not the
 * server's linear function of the client's c_1, and the flood dominates
 * the noise by 2^(40 + log2 n)); thread counts do not change the reply;
 * the wire format round-trips with the announced byte counts and refuses
 * damaged batches.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "../common/seed.h"
#include "he.h"
#include "veil/bfv_serial.h"

#define P_DELPHI UINT64_C(2061584302081)

typedef struct {
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_galois_keys_t gk;
    veil_rng_t rng;
} env_t;

/* One context and key pair per test (Galois keys added per layer). */
static void env_init(env_t *e, const char *name)
{
    bfv_params_t prm;
    vt_rng(&e->rng, name);
    cr_assert_eq(safenet_he_params(&prm, P_DELPHI), VEIL_OK);
    cr_assert_eq(bfv_context_init(&e->ctx, &prm), VEIL_OK);
    cr_assert_eq(bfv_secret_key_init(&e->sk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&e->pk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_galois_keys_init(&e->gk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&e->sk, &e->rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&e->pk, &e->sk, &e->rng), VEIL_OK);
}

static void env_keys(env_t *e, const safenet_he_layer_t *L)
{
    uint64_t *elts;
    size_t n;
    cr_assert_eq(safenet_he_galois_elts(&elts, &n, L, 1), VEIL_OK);
    cr_assert_eq(bfv_keygen_galois_elts(&e->gk, &e->sk, elts, n, &e->rng),
                 VEIL_OK);
    free(elts);
}

static void env_clear(env_t *e)
{
    bfv_galois_keys_clear(&e->gk);
    bfv_public_key_clear(&e->pk);
    bfv_secret_key_clear(&e->sk);
    bfv_context_clear(&e->ctx);
    veil_rng_clear(&e->rng);
}

static size_t weight_count(const safenet_he_shape_t *sh)
{
    return sh->kind == SAFENET_HE_DENSE
               ? (size_t)sh->c_in * sh->c_out
               : (size_t)sh->c_out * sh->c_in * sh->k * sh->k;
}

/* The oracle: y = W r mod p from the definition, element by element. */
static void oracle(uint64_t *y, const safenet_he_shape_t *sh, const uint64_t *w,
                   const uint64_t *r)
{
    if (sh->kind == SAFENET_HE_DENSE) {
        for (uint32_t j = 0; j < sh->c_out; j++) {
            uint64_t acc = 0;
            for (uint32_t i = 0; i < sh->c_in; i++)
                acc =
                    (uint64_t)((acc +
                                (unsigned __int128)w[(size_t)j * sh->c_in + i] *
                                    r[i]) %
                               P_DELPHI);
            y[j] = acc;
        }
        return;
    }
    const int H = (int)sh->h, W = (int)sh->w, k = (int)sh->k;
    const int OH = (H + 2 * (int)sh->pad - k) / (int)sh->stride + 1;
    const int OW = (W + 2 * (int)sh->pad - k) / (int)sh->stride + 1;
    for (int m = 0; m < (int)sh->c_out; m++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                uint64_t acc = 0;
                for (int c = 0; c < (int)sh->c_in; c++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * (int)sh->stride + ky - (int)sh->pad;
                            int ix = ox * (int)sh->stride + kx - (int)sh->pad;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                continue;
                            uint64_t wv =
                                w[((m * (int)sh->c_in + c) * k + ky) * k + kx];
                            uint64_t rv = r[(c * H + iy) * W + ix];
                            acc =
                                (uint64_t)((acc + (unsigned __int128)wv * rv) %
                                           P_DELPHI);
                        }
                y[(m * OH + oy) * OW + ox] = acc;
            }
}

static bfv_ciphertext_t *cts_new(const bfv_context_t *ctx, size_t n)
{
    bfv_ciphertext_t *c = calloc(n, sizeof(*c));
    cr_assert_not_null(c);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(bfv_ciphertext_init(&c[i], ctx), VEIL_OK);
    return c;
}

static void cts_free(bfv_ciphertext_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bfv_ciphertext_clear(&c[i]);
    free(c);
}

/* Random r and W (uniform in F_p, or small when `small`), the exchange,
 * and the check against the oracle. */
static void check_layer(env_t *e, const safenet_he_shape_t *sh)
{
    safenet_he_layer_t L;
    cr_assert_eq(safenet_he_layer_init(&L, sh, &e->ctx), VEIL_OK,
                 "layer %u %ux%ux%u -> %u k%u s%u p%u", sh->kind, sh->c_in,
                 sh->h, sh->w, sh->c_out, sh->k, sh->stride, sh->pad);
    cr_assert_geq(L.stat_sec, SAFENET_HE_STAT_SEC);
    env_keys(e, &L);
    const size_t nw = weight_count(sh);
    uint64_t *r = malloc(L.in_len * 8), *w = malloc(nw * 8);
    uint64_t *s = malloc(L.out_len * 8), *y = malloc(L.out_len * 8);
    uint64_t *ref = malloc(L.out_len * 8);
    veil_rng_uniform_mod(&e->rng, r, L.in_len, P_DELPHI);
    veil_rng_uniform_mod(&e->rng, w, nw, P_DELPHI);
    bfv_ciphertext_t *in = cts_new(&e->ctx, L.in_ct);
    bfv_ciphertext_t *out = cts_new(&e->ctx, L.out_ct);
    cr_assert_eq(safenet_he_encrypt(in, &L, &e->sk, r, &e->rng), VEIL_OK);
    cr_assert_eq(safenet_he_eval(out, s, &L, w, in, &e->pk, &e->gk, &e->rng),
                 VEIL_OK);
    cr_assert_eq(safenet_he_decrypt(y, &L, &e->sk, out), VEIL_OK);
    oracle(ref, sh, w, r);
    for (size_t j = 0; j < L.out_len; j++)
        cr_assert_eq((y[j] + s[j]) % P_DELPHI, ref[j],
                     "element %zu of %zu (shape %ux%ux%u -> %u k%u s%u p%u)", j,
                     L.out_len, sh->c_in, sh->h, sh->w, sh->c_out, sh->k,
                     sh->stride, sh->pad);
    cts_free(in, L.in_ct);
    cts_free(out, L.out_ct);
    free(r);
    free(w);
    free(s);
    free(y);
    free(ref);
    safenet_he_layer_clear(&L);
}

Test(safenet_he, params_are_128_bit)
{
    bfv_params_t p;
    char why[160];
    cr_assert_eq(safenet_he_params(&p, P_DELPHI), VEIL_OK);
    cr_assert_eq(p.n, 8192);
    cr_assert_eq(p.t, P_DELPHI);
    cr_assert_eq(p.allow_insecure, 0);
    cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_OK, "%s", why);
    cr_assert_leq(bfv_params_log_qp(&p),
                  bfv_security_max_bits(8192, BFV_SEC_128));
    cr_assert_eq(p.n_q, 4);
    cr_assert_eq(safenet_he_params(&p, 65537 * 2 + 1), VEIL_EPARAM);
    cr_assert_eq(safenet_he_params(NULL, P_DELPHI), VEIL_EINVAL);
}

Test(safenet_he, small_convolutions_match_the_oracle, .timeout = 300)
{
    env_t e;
    env_init(&e, "safenet_he.small_conv");
    /* c_in, h, w, c_out, k, stride, pad: channel counts that do not divide
     * the slots per ciphertext, odd sizes, strides 1..3, padding 0..2 */
    static const uint32_t cases[][7] = {
        {1, 5, 5, 1, 3, 1, 1},   {3, 7, 6, 5, 3, 1, 1},
        {5, 9, 9, 3, 3, 2, 1},   {2, 8, 8, 7, 5, 1, 2},
        {3, 10, 7, 2, 2, 2, 0},  {7, 6, 6, 9, 1, 1, 0},
        {4, 11, 11, 3, 3, 3, 0}, {70, 4, 4, 66, 3, 1, 1},
        {3, 28, 28, 5, 5, 1, 0}, {130, 5, 5, 3, 3, 1, 1},
    };
    const unsigned iters = vt_iters(1);
    for (unsigned it = 0; it < iters; it++)
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            safenet_he_shape_t sh = {SAFENET_HE_CONV, cases[c][0], cases[c][1],
                                     cases[c][2],     cases[c][3], cases[c][4],
                                     cases[c][5],     cases[c][6]};
            check_layer(&e, &sh);
        }
    env_clear(&e);
}

Test(safenet_he, dense_layers_match_the_oracle, .timeout = 300)
{
    env_t e;
    env_init(&e, "safenet_he.dense");
    static const uint32_t cases[][2] = {
        {1, 1},    {10, 3},     {1024, 10}, {100, 37},
        {3000, 5}, {5000, 100}, {17, 600},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        safenet_he_shape_t sh = {SAFENET_HE_DENSE, cases[c][0], 1, 1,
                                 cases[c][1],      0,           0, 0};
        check_layer(&e, &sh);
    }
    env_clear(&e);
}

Test(safenet_he, cnn7_layers_match_the_oracle, .timeout = 600)
{
    env_t e;
    env_init(&e, "safenet_he.cnn7");
    /* the 32x32x64 convolution, a 16x16 one, the 1x1 ones and the dense */
    static const int pick[] = {1, 2, 6, 7};
    for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]); i++)
        check_layer(&e, &safenet_he_cnn7[pick[i]]);
    env_clear(&e);
}
