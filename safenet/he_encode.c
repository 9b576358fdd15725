/*
 * he_encode.c - slot values to an NTT-form plaintext for pointwise
 * products (he_internal.h).  The server makes every weight plaintext on
 * the fly, right before its one product, instead of keeping thousands of
 * them (CNN-7's second convolution alone has 4608, 256 KiB each): the
 * work is bfv_encode_batch + bfv_plaintext_to_ntt without the Shoup
 * constants nobody reads and without allocation.
 */
#include "he_internal.h"

void safenet_he_encode_ntt(uint64_t *out, const bfv_context_t *ctx,
                           const uint64_t *vals, uint64_t *tmp)
{
    const size_t n = ctx->n;
    const uint64_t t = ctx->params.t, half = t / 2;
    for (size_t s = 0; s < n; s++)
        tmp[ctx->slot_to_ntt[s]] = vals[s];
    ntt_inverse(&ctx->plan_t, tmp); /* coefficients in [0, t) */
    for (size_t i = 0; i < ctx->n_q; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t q = pl->q;
        uint64_t *o = out + i * n;
        if (t <= q) {
            /* centred lift: m > t/2 stands for m - t = -(t - m) */
            for (size_t k = 0; k < n; k++) {
                uint64_t m = tmp[k];
                o[k] = m > half ? q - (t - m) : m;
            }
        } else {
            for (size_t k = 0; k < n; k++) {
                uint64_t m = tmp[k];
                o[k] = m > half
                           ? ntt_neg_mod(ntt_reduce128(0, t - m, &pl->mod), q)
                           : ntt_reduce128(0, m, &pl->mod);
            }
        }
        ntt_forward(pl, o);
    }
}
