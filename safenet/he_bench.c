/*
 * he_bench.c - one process plays client and server of the offline linear
 * layers (he.h, safenet_he_bench), for veil-bench and the protocol's
 * benchmark, and the CNN-7 layer table.
 */
#include "he_internal.h"
#include "veil/bfv_serial.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

const safenet_he_shape_t safenet_he_cnn7[SAFENET_HE_CNN7_LAYERS] = {
    {SAFENET_HE_CONV, 3, 32, 32, 64, 3, 1, 1},
    {SAFENET_HE_CONV, 64, 32, 32, 64, 3, 1, 1},
    {SAFENET_HE_CONV, 64, 16, 16, 64, 3, 1, 1},
    {SAFENET_HE_CONV, 64, 16, 16, 64, 3, 1, 1},
    {SAFENET_HE_CONV, 64, 8, 8, 64, 3, 1, 1},
    {SAFENET_HE_CONV, 64, 8, 8, 64, 1, 1, 0},
    {SAFENET_HE_CONV, 64, 8, 8, 16, 1, 1, 0},
    {SAFENET_HE_DENSE, 1024, 1, 1, 10, 0, 0, 0},
};

double safenet_he_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* y = W r mod p, straight from the definition (he.h, "Element orders"). */
static void plain_apply(uint64_t *y, const safenet_he_layer_t *L,
                        const uint64_t *w, const uint64_t *r, uint64_t p)
{
    const safenet_he_shape_t *sh = &L->shape;
    if (sh->kind == SAFENET_HE_DENSE) {
        for (size_t j = 0; j < sh->c_out; j++) {
            unsigned __int128 acc = 0;
            for (size_t i = 0; i < sh->c_in; i++)
                acc += (unsigned __int128)w[j * sh->c_in + i] * r[i];
            y[j] = (uint64_t)(acc % p);
        }
        return;
    }
    const long H = sh->h, W = sh->w, k = sh->k, S = sh->stride, pd = sh->pad;
    for (size_t m = 0; m < sh->c_out; m++)
        for (long oy = 0; oy < (long)L->oh; oy++)
            for (long ox = 0; ox < (long)L->ow; ox++) {
                unsigned __int128 acc = 0;
                for (size_t c = 0; c < sh->c_in; c++)
                    for (long ky = 0; ky < k; ky++)
                        for (long kx = 0; kx < k; kx++) {
                            long iy = oy * S + ky - pd, ix = ox * S + kx - pd;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                continue;
                            acc +=
                                (unsigned __int128)
                                    w[((m * sh->c_in + c) * k + ky) * k + kx] *
                                r[(c * H + iy) * W + ix];
                        }
                y[(m * L->oh + oy) * L->ow + ox] = (uint64_t)(acc % p);
            }
}

/* a: the client's Enc(r), b: as the server reads it, c: the server's
 * reply, d: switched, e: switched as the client reads it. */
typedef struct {
    bfv_ciphertext_t *a, *b, *c;
    bfv_ms_ciphertext_t *d, *e;
    size_t na, nb;
} bench_cts_t;

static void bench_cts_clear(bench_cts_t *x)
{
    bfv_ciphertext_t *all[3] = {x->a, x->b, x->c};
    size_t cnt[3] = {x->na, x->na, x->nb};
    for (int j = 0; j < 3; j++) {
        if (all[j] == NULL)
            continue;
        for (size_t i = 0; i < cnt[j]; i++)
            bfv_ciphertext_clear(&all[j][i]);
        free(all[j]);
    }
    safenet_he_ms_free(x->d, x->nb);
    safenet_he_ms_free(x->e, x->nb);
    memset(x, 0, sizeof(*x));
}

static veil_status bench_cts_init(bench_cts_t *x, const bfv_context_t *ctx,
                                  size_t na, size_t nb)
{
    veil_status st = VEIL_OK;
    memset(x, 0, sizeof(*x));
    x->na = na;
    x->nb = nb;
    x->a = calloc(na, sizeof(bfv_ciphertext_t));
    x->b = calloc(na, sizeof(bfv_ciphertext_t));
    x->c = calloc(nb, sizeof(bfv_ciphertext_t));
    x->d = safenet_he_ms_new(ctx, nb);
    x->e = safenet_he_ms_new(ctx, nb);
    if (!x->a || !x->b || !x->c || !x->d || !x->e)
        return VEIL_ENOMEM;
    for (size_t i = 0; i < na && st == VEIL_OK; i++)
        if ((st = bfv_ciphertext_init(&x->a[i], ctx)) == VEIL_OK)
            st = bfv_ciphertext_init(&x->b[i], ctx);
    for (size_t i = 0; i < nb && st == VEIL_OK; i++)
        st = bfv_ciphertext_init(&x->c[i], ctx);
    return st;
}

static veil_status bench_one(safenet_he_stats_t *stat,
                             const safenet_he_layer_t *L,
                             const bfv_secret_key_t *sk,
                             const bfv_public_key_t *pk,
                             const bfv_galois_keys_t *gk, veil_rng_t *rng)
{
    const bfv_context_t *ctx = L->ctx;
    const uint64_t p = ctx->params.t;
    const safenet_he_shape_t *sh = &L->shape;
    const size_t nw = sh->kind == SAFENET_HE_DENSE
                          ? (size_t)sh->c_in * sh->c_out
                          : (size_t)sh->c_out * sh->c_in * sh->k * sh->k;
    uint64_t *r = malloc(L->in_len * sizeof(uint64_t));
    uint64_t *w = malloc(nw * sizeof(uint64_t));
    uint64_t *s = malloc(L->out_len * sizeof(uint64_t));
    uint64_t *y = malloc(L->out_len * sizeof(uint64_t));
    uint64_t *ref = malloc(L->out_len * sizeof(uint64_t));
    size_t cap = safenet_he_download_bytes(L) > safenet_he_upload_bytes(L)
                     ? safenet_he_download_bytes(L)
                     : safenet_he_upload_bytes(L);
    uint8_t *buf = malloc(cap);
    bench_cts_t c;
    size_t len;
    double t0, t1, t2, t3;
    veil_status st = bench_cts_init(&c, ctx, L->in_ct, L->out_ct);
    if (!r || !w || !s || !y || !ref || !buf)
        st = VEIL_ENOMEM;
    if (st != VEIL_OK)
        goto done;
    veil_rng_uniform_mod(rng, r, L->in_len, p);
    veil_rng_uniform_mod(rng, w, nw, p);

    t0 = safenet_he_now();
    st = safenet_he_encrypt(c.a, L, sk, r, rng);
    if (st == VEIL_OK)
        st = safenet_he_batch_serialize(buf, cap, &len, c.a, L->in_ct);
    t1 = safenet_he_now();
    if (st != VEIL_OK)
        goto done;
    stat->bytes_up = len;
    st = safenet_he_batch_deserialize(c.b, L->in_ct, buf, len);
    if (st == VEIL_OK)
        st = safenet_he_eval(c.c, s, L, w, c.b, pk, gk, rng);
    if (st == VEIL_OK)
        st = safenet_he_switch(c.d, L, c.c);
    if (st == VEIL_OK)
        st = safenet_he_reply_serialize(buf, cap, &len, c.d, L->out_ct);
    t2 = safenet_he_now();
    if (st != VEIL_OK)
        goto done;
    stat->bytes_down = len;
    st = safenet_he_reply_deserialize(c.e, L->out_ct, L->reply_limbs, buf, len);
    if (st == VEIL_OK)
        st = safenet_he_decrypt(y, L, sk, c.e);
    t3 = safenet_he_now();
    if (st != VEIL_OK)
        goto done;
    stat->enc_s = t1 - t0;
    stat->eval_s = t2 - t1;
    stat->dec_s = t3 - t2;
    stat->stat_sec = L->stat_sec;
    plain_apply(ref, L, w, r, p);
    for (size_t e = 0; e < L->out_len; e++)
        if ((y[e] + s[e]) % p != ref[e]) {
            st = VEIL_EINVAL;
            break;
        }
done:
    bench_cts_clear(&c);
    free(r);
    free(w);
    free(s);
    free(y);
    free(ref);
    free(buf);
    return st;
}

veil_status safenet_he_bench(safenet_he_stats_t *stats,
                             const safenet_he_shape_t *shapes, size_t count,
                             veil_rng_t *rng)
{
    bfv_params_t prm;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_galois_keys_t gk;
    safenet_he_layer_t *L = NULL;
    uint64_t *elts = NULL;
    size_t nelts = 0, made = 0;
    veil_status st;
    if (stats == NULL || shapes == NULL || rng == NULL || count == 0)
        return VEIL_EINVAL;
    memset(&ctx, 0, sizeof(ctx));
    memset(&sk, 0, sizeof(sk));
    memset(&pk, 0, sizeof(pk));
    memset(&gk, 0, sizeof(gk));
    if ((st = safenet_he_params(&prm, UINT64_C(2061584302081))) != VEIL_OK ||
        (st = bfv_context_init(&ctx, &prm)) != VEIL_OK)
        return st;
    if ((L = calloc(count, sizeof(*L))) == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    for (made = 0; made < count; made++)
        if ((st = safenet_he_layer_init(&L[made], &shapes[made], &ctx)) !=
            VEIL_OK)
            goto done;
    if ((st = safenet_he_galois_elts(&elts, &nelts, L, count)) != VEIL_OK ||
        (st = bfv_secret_key_init(&sk, &ctx)) != VEIL_OK ||
        (st = bfv_public_key_init(&pk, &ctx)) != VEIL_OK ||
        (st = bfv_galois_keys_init(&gk, &ctx)) != VEIL_OK ||
        (st = bfv_keygen_secret(&sk, rng)) != VEIL_OK ||
        (st = bfv_keygen_public(&pk, &sk, rng)) != VEIL_OK ||
        (st = bfv_keygen_galois_elts(&gk, &sk, elts, nelts, rng)) != VEIL_OK)
        goto done;
    for (size_t l = 0; l < count && st == VEIL_OK; l++)
        st = bench_one(&stats[l], &L[l], &sk, &pk, &gk, rng);
done:
    if (L != NULL)
        for (size_t l = 0; l < made; l++)
            safenet_he_layer_clear(&L[l]);
    free(L);
    free(elts);
    bfv_galois_keys_clear(&gk);
    bfv_public_key_clear(&pk);
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
    return st;
}
