/*
 * linear.c - the plaintext linear maps over F_p that both parties apply to
 * their shares: convolution and dense (the server, on the masked input
 * x - r, online) and sum pooling (both parties).  Exact: products of the
 * centred representatives in 128-bit integers, one reduction per output.
 */
#include <stdlib.h>

#include "safenet_internal.h"

static uint64_t reduce128(__int128 a, uint64_t p)
{
    __int128 r = a % (__int128)p;
    return (uint64_t)(r < 0 ? r + (__int128)p : r);
}

/* [lo, hi) of the outputs o with 0 <= o * stride + off < n. */
static void valid_range(size_t *lo, size_t *hi, long off, size_t n, size_t nout,
                        size_t stride)
{
    size_t a = 0, b = nout;
    while (a < b && (long)(a * stride) + off < 0)
        a++;
    while (b > a && (long)((b - 1) * stride) + off >= (long)n)
        b--;
    *lo = a;
    *hi = b;
}

void sn_linear_apply(const safenet_net_t *net, const safenet_layer_t *L,
                     uint64_t *out, const uint64_t *in)
{
    const uint64_t p = net->f.p, half = net->f.half;
    const size_t nin = nn_shape_size(L->in);
    int64_t *x = malloc(nin * sizeof(int64_t));
    if (x == NULL) { /* callers size-check; keep the output defined */
        for (size_t i = 0; i < nn_shape_size(L->out); i++)
            out[i] = 0;
        return;
    }
    for (size_t i = 0; i < nin; i++)
        x[i] = sn_centre(in[i], p, half);
    if (L->op == SAFENET_DENSE) {
#pragma omp parallel for num_threads(veil_team()) schedule(static)
        for (size_t j = 0; j < L->out.c; j++) {
            const uint64_t *w = L->w + j * nin;
            __int128 acc = 0;
            for (size_t i = 0; i < nin; i++)
                acc += (__int128)sn_centre(w[i], p, half) * x[i];
            out[j] = reduce128(acc, p);
        }
    } else {
        const size_t H = L->in.h, W = L->in.w, C = L->in.c, k = L->k;
        const size_t oh = L->out.h, ow = L->out.w, s = L->stride;
        const long pad = (long)L->pad;
#pragma omp parallel num_threads(veil_team())
        {
            __int128 *acc = malloc(oh * ow * sizeof(__int128));
#pragma omp for schedule(dynamic)
            for (size_t m = 0; m < L->out.c; m++) {
                if (acc == NULL)
                    continue;
                for (size_t i = 0; i < oh * ow; i++)
                    acc[i] = 0;
                for (size_t c = 0; c < C; c++) {
                    const int64_t *xc = x + c * H * W;
                    for (size_t ky = 0; ky < k; ky++) {
                        size_t y0, y1;
                        valid_range(&y0, &y1, (long)ky - pad, H, oh, s);
                        for (size_t kx = 0; kx < k; kx++) {
                            int64_t wv = sn_centre(
                                L->w[((m * C + c) * k + ky) * k + kx], p, half);
                            size_t x0, x1;
                            if (wv == 0)
                                continue;
                            valid_range(&x0, &x1, (long)kx - pad, W, ow, s);
                            for (size_t oy = y0; oy < y1; oy++) {
                                const int64_t *row =
                                    xc + (oy * s + ky - pad) * W;
                                __int128 *a = acc + oy * ow;
                                for (size_t ox = x0; ox < x1; ox++)
                                    a[ox] +=
                                        (__int128)wv * row[ox * s + kx - pad];
                            }
                        }
                    }
                }
                for (size_t i = 0; i < oh * ow; i++)
                    out[m * oh * ow + i] = reduce128(acc[i], p);
            }
            free(acc);
        }
    }
    free(x);
}

void sn_pool_apply(const safenet_net_t *net, const safenet_layer_t *L,
                   uint64_t *out, const uint64_t *in)
{
    const uint64_t p = net->f.p;
    const size_t H = L->in.h, W = L->in.w, k = L->k, s = L->stride;
    const size_t oh = L->out.h, ow = L->out.w;
    for (size_t c = 0; c < L->in.c; c++)
        for (size_t oy = 0; oy < oh; oy++)
            for (size_t ox = 0; ox < ow; ox++) {
                uint64_t a = 0;
                for (size_t ky = 0; ky < k; ky++)
                    for (size_t kx = 0; kx < k; kx++) {
                        a += in[(c * H + oy * s + ky) * W + ox * s + kx];
                        a = a >= p ? a - p : a;
                    }
                out[(c * oh + oy) * ow + ox] = a;
            }
}
