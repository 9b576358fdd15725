/*
 * he_flood.c - noise flooding (he_internal.h; doc/23-safenet-he.md, "Why
 * the reply hides W").  c_0 += F with F's coefficients uniform in
 * [-2^bits, 2^bits): 128-bit words masked to bits + 1 bits, minus 2^bits,
 * reduced mod every q_i and put in NTT form.  A uniform shift of a
 * uniform interval: every value of the interval has the same probability,
 * so an added noise e with |e| <= B moves the distribution by at most
 * B / 2^bits in statistical distance per coefficient.
 */
#include "he_internal.h"
#include <string.h>

veil_status safenet_he_flood(bfv_ciphertext_t *ct, unsigned bits,
                             veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    if (ct == NULL || ct->ctx == NULL || rng == NULL || bits > 126 ||
        ct->size < 2)
        return VEIL_EINVAL;
    ctx = ct->ctx;
    const size_t n = ctx->n;
    const unsigned __int128 one = 1;
    const unsigned __int128 mask = (one << (bits + 1)) - 1;
    const unsigned __int128 off = one << bits;
    unsigned __int128 *f = veil_alloc(n * sizeof(*f));
    uint64_t *row = veil_alloc(n * sizeof(uint64_t));
    veil_status st = VEIL_OK;
    if (f == NULL || row == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    veil_rng_bytes(rng, f, n * sizeof(*f));
    for (size_t k = 0; k < n; k++)
        f[k] &= mask; /* uniform in [0, 2^(bits+1)); value f - 2^bits */
    for (size_t i = 0; i < ctx->n_q; i++) {
        const ntt_plan_t *pl = &ctx->plans[i];
        const uint64_t q = pl->q;
        const uint64_t offq =
            ntt_reduce128((uint64_t)(off >> 64) % q, (uint64_t)off, &pl->mod);
        uint64_t *c0 = bfv_ct_row(ct, 0, i);
        for (size_t k = 0; k < n; k++) {
            uint64_t hi = (uint64_t)(f[k] >> 64), lo = (uint64_t)f[k];
            /* hi < 2^63 may exceed q: reduce it first */
            uint64_t r = ntt_reduce128(hi % q, lo, &pl->mod);
            row[k] = ntt_sub_mod(r, offq, q);
        }
        ntt_forward(pl, row);
        ntt_vec_add(pl, c0, c0, row);
    }
    ct->seeded = 0;
done:
    veil_free_secret(f, n * sizeof(*f));
    veil_free_secret(row, n * sizeof(uint64_t));
    return st;
}
