#include "common.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_env_init(lt_env_t *e, size_t n, const char *test)
{
    const unsigned qb[3] = {45, 45, 45}, pb[1] = {46};
    memset(e, 0, sizeof(*e));
    vt_rng(&e->rng, test);
    cr_assert_eq(veil_init(), VEIL_OK);
    omp_set_num_threads(1); /* small rings: see network.c */
    cr_assert_eq(
        bfv_params_from_bits(&e->params, n, qb, 3, pb, 1, LT_T, BFV_SEC_128),
        VEIL_OK);
    e->params.allow_insecure = 1;
    cr_assert_eq(bfv_context_init(&e->ctx, &e->params), VEIL_OK);
    cr_assert_eq(bfv_secret_key_init(&e->sk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_public_key_init(&e->pk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_relin_key_init(&e->rk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_galois_keys_init(&e->gk, &e->ctx), VEIL_OK);
    cr_assert_eq(bfv_keygen_secret(&e->sk, &e->rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_public(&e->pk, &e->sk, &e->rng), VEIL_OK);
    cr_assert_eq(bfv_keygen_relin(&e->rk, &e->sk, &e->rng), VEIL_OK);
    e->n = n;
    e->t = LT_T;
}

void lt_env_clear(lt_env_t *e)
{
    bfv_galois_keys_clear(&e->gk);
    bfv_relin_key_clear(&e->rk);
    bfv_public_key_clear(&e->pk);
    bfv_secret_key_clear(&e->sk);
    bfv_context_clear(&e->ctx);
    veil_rng_clear(&e->rng);
}

void lt_env_galois(lt_env_t *e, const lola_step_t *steps, size_t count)
{
    size_t cap = 0, k = 0;
    for (size_t i = 0; i < count; i++)
        if (steps[i].kind == LOLA_STEP_LINEAR)
            for (size_t o = 0; o < steps[i].nout; o++)
                cap += 2 * steps[i].out[o].nterms + steps[i].out[o].nfold;
    uint64_t *elts = malloc((cap + 1) * sizeof(uint64_t));
    for (size_t i = 0; i < count; i++)
        lola_step_galois(elts, &k, &steps[i]);
    cr_assert_eq(bfv_keygen_galois_elts(&e->gk, &e->sk, elts, k, &e->rng),
                 VEIL_OK);
    free(elts);
}

void lt_encrypt(lt_env_t *e, bfv_ciphertext_t *cts, const lola_layout_t *l,
                const int64_t *v)
{
    int64_t *slots = malloc(l->nct * l->n * sizeof(int64_t));
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    lola_layout_encode(slots, l, v);
    for (size_t m = 0; m < l->nct; m++) {
        cr_assert_eq(bfv_ciphertext_init(&cts[m], &e->ctx), VEIL_OK);
        cr_assert_eq(bfv_encode_batch_signed(&pt, slots + m * l->n, l->n),
                     VEIL_OK);
        cr_assert_eq(bfv_encrypt(&cts[m], &e->pk, &pt, &e->rng), VEIL_OK);
    }
    bfv_plaintext_clear(&pt);
    free(slots);
}

void lt_decrypt(lt_env_t *e, int64_t *out, const lola_layout_t *l,
                const bfv_ciphertext_t *cts)
{
    int64_t *slots = malloc(l->nct * l->n * sizeof(int64_t));
    bfv_plaintext_t pt;
    cr_assert_eq(bfv_plaintext_init(&pt, &e->ctx), VEIL_OK);
    for (size_t m = 0; m < l->nct; m++) {
        int bits;
        cr_assert_eq(bfv_noise_budget(&bits, &e->sk, &cts[m]), VEIL_OK);
        cr_assert_gt(bits, 0, "message %zu: noise budget exhausted", m);
        cr_assert_eq(bfv_decrypt(&pt, &e->sk, &cts[m]), VEIL_OK);
        cr_assert_eq(bfv_decode_batch_signed(slots + m * l->n, &pt), VEIL_OK);
    }
    veil_status s = lola_layout_decode(out, l, slots, 1);
    cr_assert_eq(s, VEIL_OK, "decode: %s", veil_strerror(s));
    bfv_plaintext_clear(&pt);
    free(slots);
}

void lt_run(lt_env_t *e, bfv_ciphertext_t *out, const lola_step_t *st,
            const lola_matrix_t *m, const bfv_ciphertext_t *in)
{
    lola_coefs_t c;
    veil_status s;
    cr_assert_eq(lola_coefs_init(&c, st, m, &e->ctx), VEIL_OK);
    for (size_t o = 0; o < st->nout; o++)
        cr_assert_eq(bfv_ciphertext_init(&out[o], &e->ctx), VEIL_OK);
    s = lola_step_exec(out, st, &c, in, &e->rk, &e->gk);
    cr_assert_eq(s, VEIL_OK, "exec %s: %s", st->kernel, veil_strerror(s));
    lola_coefs_clear(&c);
}

void lt_cts_clear(bfv_ciphertext_t *cts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        bfv_ciphertext_clear(&cts[i]);
}

static int64_t uniform(veil_rng_t *rng, int64_t lim)
{
    uint64_t r;
    veil_rng_uniform_mod(rng, &r, 1, (uint64_t)(2 * lim + 1));
    return (int64_t)r - lim;
}

void lt_random_vec(int64_t *v, veil_rng_t *rng, size_t len, int64_t lim)
{
    for (size_t i = 0; i < len; i++)
        v[i] = uniform(rng, lim);
}

static void random_bias(lt_matrix_t *a, veil_rng_t *rng, size_t nb,
                        int64_t bmax)
{
    a->nb = nb;
    a->b = _fmpz_vec_init((slong)nb);
    for (size_t i = 0; i < nb; i++)
        fmpz_set_si(a->b + i, uniform(rng, bmax));
    a->m.bias = bmax > 0 ? a->b : NULL;
}

void lt_matrix_dense(lt_matrix_t *a, veil_rng_t *rng, size_t rows, size_t cols,
                     int32_t wmax, int64_t bmax)
{
    memset(a, 0, sizeof(*a));
    a->w = malloc(rows * cols * sizeof(int32_t));
    for (size_t i = 0; i < rows * cols; i++)
        a->w[i] = (int32_t)uniform(rng, wmax);
    a->m.rows = rows;
    a->m.cols = cols;
    a->m.w = a->w;
    random_bias(a, rng, rows, bmax);
}

void lt_matrix_conv(lt_matrix_t *a, veil_rng_t *rng, nn_shape_t in,
                    uint32_t maps, uint32_t k, uint32_t stride, uint32_t pad,
                    int32_t wmax, int64_t bmax)
{
    memset(a, 0, sizeof(*a));
    a->m.conv = 1;
    a->m.in = in;
    a->m.k = k;
    a->m.stride = stride;
    a->m.pad = pad;
    a->m.out.c = maps;
    a->m.out.h = (in.h + 2 * pad - k) / stride + 1;
    a->m.out.w = (in.w + 2 * pad - k) / stride + 1;
    a->m.rows = nn_shape_size(a->m.out);
    a->m.cols = nn_shape_size(in);
    a->w = calloc(a->m.rows * a->m.cols, sizeof(int32_t));
    /* one kernel per map, shared by all positions */
    const size_t win = (size_t)in.c * k * k;
    int32_t *ker = malloc(maps * win * sizeof(int32_t));
    for (size_t i = 0; i < maps * win; i++)
        ker[i] = (int32_t)uniform(rng, wmax);
    a->m.w = a->w;
    /* the convolution written out directly (independent of the library's
     * window enumeration) */
    for (size_t mp = 0; mp < maps; mp++)
        for (size_t oy = 0; oy < a->m.out.h; oy++)
            for (size_t ox = 0; ox < a->m.out.w; ox++) {
                const size_t r = (mp * a->m.out.h + oy) * a->m.out.w + ox;
                for (size_t c = 0; c < in.c; c++)
                    for (size_t ky = 0; ky < k; ky++)
                        for (size_t kx = 0; kx < k; kx++) {
                            const long y = (long)(oy * stride + ky) - pad;
                            const long x = (long)(ox * stride + kx) - pad;
                            if (y < 0 || y >= (long)in.h || x < 0 ||
                                x >= (long)in.w)
                                continue;
                            a->w[r * a->m.cols + (c * in.h + (size_t)y) * in.w +
                                 (size_t)x] =
                                ker[mp * win + (c * k + ky) * k + kx];
                        }
            }
    free(ker);
    random_bias(a, rng, maps, bmax);
}

void lt_matrix_clear(lt_matrix_t *a)
{
    free(a->w);
    if (a->b != NULL)
        _fmpz_vec_clear(a->b, (slong)a->nb);
    memset(a, 0, sizeof(*a));
}

int64_t lt_centre(int64_t v, uint64_t t)
{
    int64_t r = v % (int64_t)t;
    if (r > (int64_t)t / 2)
        r -= (int64_t)t;
    if (r < -(int64_t)t / 2)
        r += (int64_t)t;
    return r;
}

void lt_matvec(int64_t *y, const lola_matrix_t *m, const int64_t *x, uint64_t t)
{
    const size_t hw = m->conv ? (size_t)m->out.h * m->out.w : 1;
    for (size_t j = 0; j < m->rows; j++) {
        __int128 acc = 0;
        for (size_t i = 0; i < m->cols; i++)
            acc += (__int128)m->w[j * m->cols + i] * x[i];
        if (m->bias != NULL)
            acc += fmpz_get_si(m->bias + (m->conv ? j / hw : j));
        y[j] = lt_centre((int64_t)(acc % (__int128)t), t);
    }
}

void lt_assert_vec(const int64_t *got, const int64_t *want, size_t len,
                   const char *what)
{
    for (size_t i = 0; i < len; i++)
        cr_assert_eq(got[i], want[i], "%s: element %zu is %lld, want %lld",
                     what, i, (long long)got[i], (long long)want[i]);
}

void lt_small_model(nn_qmodel_t *q, veil_rng_t *rng, int small, int biases)
{
    nn_model_t m;
    const nn_shape_t in = {1, 8, 8};
    cr_assert_eq(nn_model_init(&m, in), VEIL_OK);
    cr_assert_eq(nn_model_add_conv2d(&m, 2, 3, 2, 1), VEIL_OK);
    cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    if (!small) {
        cr_assert_eq(nn_model_add_dense(&m, 12), VEIL_OK);
        cr_assert_eq(nn_model_add_square(&m), VEIL_OK);
    }
    cr_assert_eq(nn_model_add_dense(&m, 10), VEIL_OK);
    nn_model_init_params(&m, rng, 1.0f);
    for (uint32_t i = 0; biases && i < m.nlayers; i++)
        for (size_t j = 0; j < m.layers[i].nb; j++)
            m.params[m.layers[i].b + j] =
                (float)((int)(veil_rng_u64(rng) % 200) - 100) / 400.0f;
    cr_assert_eq(nn_model_set_qbits(&m, 6, 4), VEIL_OK);
    cr_assert_eq(nn_qmodel_init(q, &m), VEIL_OK);
    nn_model_clear(&m);
}
