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
#include <criterion/logging.h>
#include <math.h>
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

/* The reply as the client gets it: switched to L->reply_limbs, decrypted. */
static void switch_decrypt(uint64_t *y, const safenet_he_layer_t *L,
                           const bfv_secret_key_t *sk,
                           const bfv_ciphertext_t *out)
{
    bfv_ms_ciphertext_t *ms = safenet_he_ms_new(L->ctx, L->out_ct);
    cr_assert_not_null(ms);
    cr_assert_eq(safenet_he_switch(ms, L, out), VEIL_OK);
    cr_assert_eq(safenet_he_decrypt(y, L, sk, ms), VEIL_OK);
    safenet_he_ms_free(ms, L->out_ct);
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
    switch_decrypt(y, &L, &e->sk, out);
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

/* Everything one exchange needs, for the privacy and thread tests. */
typedef struct {
    safenet_he_layer_t L;
    uint64_t *r, *w, *s, *y;
    bfv_ciphertext_t *in, *out;
} run_t;

static void run_init(run_t *x, env_t *e, const safenet_he_shape_t *sh)
{
    cr_assert_eq(safenet_he_layer_init(&x->L, sh, &e->ctx), VEIL_OK);
    env_keys(e, &x->L);
    const size_t nw = weight_count(sh);
    x->r = malloc(x->L.in_len * 8);
    x->w = malloc(nw * 8);
    x->s = malloc(x->L.out_len * 8);
    x->y = malloc(x->L.out_len * 8);
    veil_rng_uniform_mod(&e->rng, x->r, x->L.in_len, P_DELPHI);
    veil_rng_uniform_mod(&e->rng, x->w, nw, P_DELPHI);
    x->in = cts_new(&e->ctx, x->L.in_ct);
    x->out = cts_new(&e->ctx, x->L.out_ct);
    cr_assert_eq(safenet_he_encrypt(x->in, &x->L, &e->sk, x->r, &e->rng),
                 VEIL_OK);
}

static void run_clear(run_t *x)
{
    cts_free(x->in, x->L.in_ct);
    cts_free(x->out, x->L.out_ct);
    free(x->r);
    free(x->w);
    free(x->s);
    free(x->y);
    safenet_he_layer_clear(&x->L);
}

/* The smallest exact noise budget over the reply's ciphertexts. */
static int reply_budget(env_t *e, const run_t *x)
{
    int least = 1 << 30;
    for (size_t o = 0; o < x->L.out_ct; o++) {
        int b;
        cr_assert_eq(bfv_noise_budget(&b, &e->sk, &x->out[o]), VEIL_OK);
        if (b < least)
            least = b;
    }
    return least;
}

/* The same after the switch to L.reply_limbs primes, as the client gets it. */
static int switched_budget(env_t *e, const run_t *x)
{
    int least = 1 << 30;
    bfv_ms_ciphertext_t *ms = safenet_he_ms_new(&e->ctx, x->L.out_ct);
    cr_assert_not_null(ms);
    cr_assert_eq(safenet_he_switch(ms, &x->L, x->out), VEIL_OK);
    for (size_t o = 0; o < x->L.out_ct; o++) {
        int b;
        cr_assert_eq(bfv_noise_budget_ms(&b, &e->sk, &ms[o]), VEIL_OK);
        if (b < least)
            least = b;
    }
    safenet_he_ms_free(ms, x->L.out_ct);
    return least;
}

/* The flood must dominate the noise W leaves in the reply by at least
 * 2^(40 + log2 n): the budget of the reply without the flood (the noise
 * the products, rotations and Enc_pk(0) leave) minus the budget of the
 * real reply is the number of bits by which the flood exceeds it.
 * Removing the flood makes the difference 0 and the test fail.  The
 * measured pre-flood noise must also respect the bound the layer's
 * statistical security is computed from. */
Test(safenet_he, flooding_dominates_the_noise, .timeout = 300)
{
    env_t e;
    env_init(&e, "safenet_he.flooding");
    static const int pick[] = {1, 4, 7};
    for (size_t k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
        run_t x;
        run_init(&x, &e, &safenet_he_cnn7[pick[k]]);
        cr_assert_eq(safenet_he_eval_flags(x.out, x.s, &x.L, x.w, x.in, &e.pk,
                                           &e.gk, &e.rng, SAFENET_HE_NO_FLOOD),
                     VEIL_OK);
        const int quiet = reply_budget(&e, &x);
        cr_assert_eq(
            safenet_he_eval(x.out, x.s, &x.L, x.w, x.in, &e.pk, &e.gk, &e.rng),
            VEIL_OK);
        const int loud = reply_budget(&e, &x);
        /* budget = floor(log2(Q / (2 max |t v|))): the flood is 2^f */
        double logq = 0;
        for (size_t i = 0; i < e.ctx.n_q; i++)
            logq += log2((double)e.ctx.params.q[i]);
        const double logt = log2((double)P_DELPHI);
        cr_log_info("layer %d: budget without flood %d, with %d, "
                    "stat_sec %.1f, bound 2^%.1f, measured <= 2^%.1f",
                    pick[k], quiet, loud, x.L.stat_sec, x.L.noise_bits,
                    logq - 1 - logt - quiet);
        cr_assert_geq(loud, 1, "the reply must still decrypt");
        cr_assert_geq(quiet - loud, SAFENET_HE_STAT_SEC + (int)e.ctx.logn,
                      "flood %d bits above the noise, need %d", quiet - loud,
                      SAFENET_HE_STAT_SEC + (int)e.ctx.logn);
        /* measured noise (< 2^(logq - 1 - logt - quiet + 1)) within the
         * bound the statistical security assumes */
        cr_assert_leq(logq - logt - quiet, x.L.noise_bits,
                      "pre-flood noise above the assumed bound");
        cr_assert_leq(loud, 4, "the flood should fill the budget");
        /* switched to fewer primes the reply keeps a budget: the flood is
         * relative to Q, the rounding of the switch is far below it */
        cr_assert_lt(x.L.reply_limbs, e.ctx.n_q);
        cr_assert_geq(switched_budget(&e, &x), 1,
                      "the switched reply must still decrypt");
        /* and the result is still right */
        switch_decrypt(x.y, &x.L, &e.sk, x.out);
        uint64_t *ref = malloc(x.L.out_len * 8);
        oracle(ref, &x.L.shape, x.w, x.r);
        for (size_t j = 0; j < x.L.out_len; j++)
            cr_assert_eq((x.y[j] + x.s[j]) % P_DELPHI, ref[j]);
        free(ref);
        run_clear(&x);
    }
    env_clear(&e);
}

/* Without Enc_pk(0), c_1 of the reply is sum P (.) rot(c_1 of Enc(r)): a
 * function of W and of what the client sent, so the client could solve
 * for W.  The real reply's c_1 must differ from that function in almost
 * every coefficient; removing the re-randomisation makes them equal. */
Test(safenet_he, reply_c1_is_rerandomised, .timeout = 300)
{
    env_t e;
    env_init(&e, "safenet_he.rerand");
    run_t x;
    run_init(&x, &e, &safenet_he_cnn7[5]);
    bfv_ciphertext_t *det = cts_new(&e.ctx, x.L.out_ct);
    uint64_t *sdet = malloc(x.L.out_len * 8);
    cr_assert_eq(
        safenet_he_eval_flags(det, sdet, &x.L, x.w, x.in, &e.pk, &e.gk, &e.rng,
                              SAFENET_HE_NO_FLOOD | SAFENET_HE_NO_RERAND),
        VEIL_OK);
    cr_assert_eq(
        safenet_he_eval(x.out, x.s, &x.L, x.w, x.in, &e.pk, &e.gk, &e.rng),
        VEIL_OK);
    const size_t words = e.ctx.n_q * e.ctx.n;
    for (size_t o = 0; o < x.L.out_ct; o++) {
        size_t same = 0;
        const uint64_t *a = bfv_ct_row(&det[o], 1, 0);
        const uint64_t *b = bfv_ct_row(&x.out[o], 1, 0);
        for (size_t k = 0; k < words; k++)
            same += a[k] == b[k];
        cr_assert_lt(same, words / 1000, "c_1: %zu of %zu words unchanged",
                     same, words);
    }
    /* the test hook without re-randomisation still computes W r - s */
    switch_decrypt(x.y, &x.L, &e.sk, det);
    uint64_t *ref = malloc(x.L.out_len * 8);
    oracle(ref, &x.L.shape, x.w, x.r);
    for (size_t j = 0; j < x.L.out_len; j++)
        cr_assert_eq((x.y[j] + sdet[j]) % P_DELPHI, ref[j]);
    free(ref);
    free(sdet);
    cts_free(det, x.L.out_ct);
    run_clear(&x);
    env_clear(&e);
}

/* The same rng state gives byte-identical replies and masks with 1 and 2
 * threads. */
Test(safenet_he, threads_do_not_change_the_reply, .timeout = 300)
{
#ifdef _OPENMP
    env_t e;
    env_init(&e, "safenet_he.threads");
    static const safenet_he_shape_t shapes[] = {
        {SAFENET_HE_CONV, 20, 9, 9, 37, 3, 2, 1},
        {SAFENET_HE_DENSE, 3000, 1, 1, 12, 0, 0, 0},
    };
    for (size_t k = 0; k < 2; k++) {
        run_t x;
        veil_rng_t r1, r2;
        uint8_t seed[VEIL_SEED_BYTES];
        run_init(&x, &e, &shapes[k]);
        bfv_ciphertext_t *o2 = cts_new(&e.ctx, x.L.out_ct);
        uint64_t *s2 = malloc(x.L.out_len * 8);
        veil_rng_bytes(&e.rng, seed, sizeof(seed));
        veil_rng_init_seed(&r1, seed);
        veil_rng_init_seed(&r2, seed);
        int before = omp_get_max_threads();
        omp_set_num_threads(1);
        cr_assert_eq(
            safenet_he_eval(x.out, x.s, &x.L, x.w, x.in, &e.pk, &e.gk, &r1),
            VEIL_OK);
        omp_set_num_threads(2);
        cr_assert_eq(
            safenet_he_eval(o2, s2, &x.L, x.w, x.in, &e.pk, &e.gk, &r2),
            VEIL_OK);
        omp_set_num_threads(before);
        cr_assert_eq(memcmp(x.s, s2, x.L.out_len * 8), 0);
        for (size_t o = 0; o < x.L.out_ct; o++)
            cr_assert_eq(
                memcmp(x.out[o].data, o2[o].data, 2 * e.ctx.n_q * e.ctx.n * 8),
                0, "ciphertext %zu differs", o);
        cts_free(o2, x.L.out_ct);
        free(s2);
        run_clear(&x);
    }
    env_clear(&e);
#endif
}

/* The wire: exact byte counts, a round trip through serialize /
 * deserialize gives the same result, damaged batches are refused. */
Test(safenet_he, wire_round_trip_and_damage, .timeout = 300)
{
    env_t e;
    env_init(&e, "safenet_he.wire");
    run_t x;
    const safenet_he_shape_t sh = {SAFENET_HE_CONV, 9, 8, 8, 5, 3, 1, 1};
    run_init(&x, &e, &sh);
    size_t up = safenet_he_upload_bytes(&x.L),
           down = safenet_he_download_bytes(&x.L);
    cr_assert_eq(safenet_he_batch_size(x.in, x.L.in_ct), up);
    uint8_t *buf = malloc(up > down ? up : down);
    size_t len;
    cr_assert_eq(safenet_he_batch_serialize(buf, up - 1, &len, x.in, x.L.in_ct),
                 VEIL_ERANGE);
    cr_assert_eq(safenet_he_batch_serialize(buf, up, &len, x.in, x.L.in_ct),
                 VEIL_OK);
    cr_assert_eq(len, up);
    /* seeded: c_0 and a seed per ciphertext, about half of full */
    cr_assert_lt(up, x.L.in_ct * 4 * e.ctx.n * 42 / 8 * 2 * 6 / 10);
    bfv_ciphertext_t *srv = cts_new(&e.ctx, x.L.in_ct);
    cr_assert_eq(safenet_he_batch_deserialize(srv, x.L.in_ct, buf, len),
                 VEIL_OK);
    /* damage: truncation, trailing byte, wrong count, flipped bytes */
    cr_assert_eq(safenet_he_batch_deserialize(srv, x.L.in_ct, buf, len - 1),
                 VEIL_EFORMAT);
    cr_assert_eq(safenet_he_batch_deserialize(srv, x.L.in_ct, buf, 3),
                 VEIL_EFORMAT);
    cr_assert_eq(safenet_he_batch_deserialize(srv, x.L.in_ct + 1, buf, len),
                 VEIL_EFORMAT);
    for (int k = 0; k < 20; k++) {
        size_t pos = veil_rng_u64(&e.rng) % len;
        buf[pos] ^= 0x40;
        cr_assert_eq(safenet_he_batch_deserialize(srv, x.L.in_ct, buf, len),
                     VEIL_EFORMAT, "flipped byte %zu accepted", pos);
        buf[pos] ^= 0x40;
    }
    cr_assert_eq(safenet_he_batch_deserialize(srv, x.L.in_ct, buf, len),
                 VEIL_OK);
    cr_assert_eq(
        safenet_he_eval(x.out, x.s, &x.L, x.w, srv, &e.pk, &e.gk, &e.rng),
        VEIL_OK);
    /* the reply: switched to fewer primes, about reply_limbs / n_q of the
     * full size; a reply at any other number of primes is refused */
    cr_assert_lt(x.L.reply_limbs, e.ctx.n_q);
    bfv_ms_ciphertext_t *ms = safenet_he_ms_new(&e.ctx, x.L.out_ct);
    bfv_ms_ciphertext_t *cl = safenet_he_ms_new(&e.ctx, x.L.out_ct);
    cr_assert(ms != NULL && cl != NULL);
    cr_assert_eq(safenet_he_switch(ms, &x.L, x.out), VEIL_OK);
    cr_assert_eq(safenet_he_reply_serialize(buf, down, &len, ms, x.L.out_ct),
                 VEIL_OK);
    cr_assert_eq(len, down);
    cr_assert_lt(down,
                 x.L.out_ct * 2 * e.ctx.n * 42 / 8 * (x.L.reply_limbs + 1));
    cr_assert_eq(safenet_he_reply_deserialize(cl, x.L.out_ct,
                                              x.L.reply_limbs + 1, buf, len),
                 VEIL_EFORMAT);
    cr_assert_eq(safenet_he_reply_deserialize(cl, x.L.out_ct, x.L.reply_limbs,
                                              buf, len - 1),
                 VEIL_EFORMAT);
    cr_assert_eq(
        safenet_he_reply_deserialize(cl, x.L.out_ct, x.L.reply_limbs, buf, len),
        VEIL_OK);
    cr_assert_eq(safenet_he_decrypt(x.y, &x.L, &e.sk, cl), VEIL_OK);
    safenet_he_ms_free(ms, x.L.out_ct);
    uint64_t *ref = malloc(x.L.out_len * 8);
    oracle(ref, &sh, x.w, x.r);
    for (size_t j = 0; j < x.L.out_len; j++)
        cr_assert_eq((x.y[j] + x.s[j]) % P_DELPHI, ref[j]);
    free(ref);
    free(buf);
    cts_free(srv, x.L.in_ct);
    safenet_he_ms_free(cl, x.L.out_ct);
    run_clear(&x);
    env_clear(&e);
}

Test(safenet_he, bad_arguments_are_refused, .timeout = 120)
{
    env_t e;
    env_init(&e, "safenet_he.bad");
    safenet_he_layer_t L;
    safenet_he_shape_t sh = {SAFENET_HE_CONV, 3, 8, 8, 4, 3, 1, 1};
    safenet_he_shape_t bad = sh;
    bad.stride = 0;
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EINVAL);
    bad = sh;
    bad.c_in = 0;
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EINVAL);
    bad = sh;
    bad.k = 20;
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EINVAL);
    bad = sh;
    bad.h = bad.w = 100; /* 10000 slots per channel > n/2 */
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EUNSUPPORTED);
    bad = (safenet_he_shape_t){SAFENET_HE_DENSE, 10, 1, 1, 5000, 0, 0, 0};
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EUNSUPPORTED);
    bad = (safenet_he_shape_t){SAFENET_HE_DENSE, 9000, 1, 1, 10, 0, 0, 0};
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EUNSUPPORTED);
    bad.h = 2;
    cr_assert_eq(safenet_he_layer_init(&L, &bad, &e.ctx), VEIL_EINVAL);
    cr_assert_eq(safenet_he_layer_init(&L, NULL, &e.ctx), VEIL_EINVAL);
    safenet_he_layer_clear(&L);
    safenet_he_layer_clear(&L);

    run_t x;
    run_init(&x, &e, &sh);
    /* a weight outside F_p */
    x.w[3] = P_DELPHI;
    cr_assert_eq(
        safenet_he_eval(x.out, x.s, &x.L, x.w, x.in, &e.pk, &e.gk, &e.rng),
        VEIL_ERANGE);
    x.w[3] = 1;
    /* r outside F_p */
    x.r[0] = P_DELPHI + 5;
    cr_assert_eq(safenet_he_encrypt(x.in, &x.L, &e.sk, x.r, &e.rng),
                 VEIL_ERANGE);
    /* missing Galois keys */
    bfv_galois_keys_t none;
    cr_assert_eq(bfv_galois_keys_init(&none, &e.ctx), VEIL_OK);
    cr_assert_eq(
        safenet_he_eval(x.out, x.s, &x.L, x.w, x.in, &e.pk, &none, &e.rng),
        VEIL_ENOKEY);
    bfv_galois_keys_clear(&none);
    /* a size-3 input */
    x.in[0].size = 3;
    cr_assert_eq(
        safenet_he_eval(x.out, x.s, &x.L, x.w, x.in, &e.pk, &e.gk, &e.rng),
        VEIL_EINVAL);
    x.in[0].size = 2;
    run_clear(&x);
    env_clear(&e);
}
