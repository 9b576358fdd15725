/*
 * he_encode.c - slot values to an NTT-form plaintext for pointwise
 * products (he_internal.h).  The server makes every weight plaintext on
 * the fly, right before its one product, instead of keeping thousands of
 * them (CNN-7's second convolution alone has 4608, 256 KiB each): the
 * work is bfv_encode_batch + bfv_plaintext_to_ntt without the Shoup
 * constants nobody reads and without allocation.
 */
#include "he_internal.h"
#include <string.h>

void safenet_he_encode_coeffs(uint64_t *coef, const bfv_context_t *ctx,
                              const uint64_t *vals, uint64_t *tmp)
{
    const size_t n = ctx->n;
    for (size_t s = 0; s < n; s++)
        tmp[ctx->slot_to_ntt[s]] = vals[s];
    ntt_inverse(&ctx->plan_t, tmp); /* coefficients in [0, t) */
    if (coef != tmp)
        memcpy(coef, tmp, n * sizeof(uint64_t));
}

void safenet_he_encode_limb(uint64_t *row, const bfv_context_t *ctx, size_t i,
                            const uint64_t *coef)
{
    const size_t n = ctx->n;
    const uint64_t t = ctx->params.t, half = t / 2;
    const ntt_plan_t *pl = &ctx->plans[i];
    const uint64_t q = pl->q;
    if (t <= q) {
        /* centred lift: m > t/2 stands for m - t = -(t - m) */
        for (size_t k = 0; k < n; k++) {
            uint64_t m = coef[k];
            row[k] = m > half ? q - (t - m) : m;
        }
    } else {
        for (size_t k = 0; k < n; k++) {
            uint64_t m = coef[k];
            row[k] = m > half
                         ? ntt_neg_mod(ntt_reduce128(0, t - m, &pl->mod), q)
                         : ntt_reduce128(0, m, &pl->mod);
        }
    }
    ntt_forward(pl, row);
}

void safenet_he_encode_ntt(uint64_t *out, const bfv_context_t *ctx,
                           const uint64_t *vals, uint64_t *tmp)
{
    safenet_he_encode_coeffs(tmp, ctx, vals, tmp);
    for (size_t i = 0; i < ctx->n_q; i++)
        safenet_he_encode_limb(out + i * ctx->n, ctx, i, tmp);
}
