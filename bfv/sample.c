/*
 * sample.c - random polynomials for keys and encryption: uniform rows
 * expanded from a 32-byte seed (one ChaCha20 stream per row, so they expand
 * in parallel and identically for any thread count), and small signed
 * polynomials (ternary secrets, centred-binomial errors) lifted to RNS and
 * NTT form.  The samplers themselves are veil_rng_* (ntt/rng.c).
 */
#include "bfv_internal.h"

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void bfv_expand_uniform_row(uint64_t *out, const bfv_context_t *ctx,
                            const uint8_t seed[VEIL_SEED_BYTES], uint32_t poly,
                            uint32_t row)
{
    veil_rng_t g;
    veil_rng_init_seed(&g, seed);
    /* the stream of (poly, row): veil_rng_t's nonce is a public field that
     * veil_rng_init_seed sets to zero and the generator only reads */
    put_le32(g.nonce, poly);
    put_le32(g.nonce + 4, row);
    veil_rng_uniform_mod(&g, out, ctx->n, ctx->plans[row].q);
    veil_rng_clear(&g);
}

void bfv_expand_uniform(uint64_t *rows, const bfv_context_t *ctx,
                        const uint8_t seed[VEIL_SEED_BYTES], uint32_t poly,
                        size_t nrows)
{
    const size_t n = ctx->n;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(nrows * n * BFV_WORK_EXPAND))
    for (size_t r = 0; r < nrows; r++)
        bfv_expand_uniform_row(rows + r * n, ctx, seed, poly, (uint32_t)r);
}

void bfv_small_to_ntt(uint64_t *rows, const bfv_context_t *ctx, const int8_t *v,
                      size_t nrows)
{
    const size_t n = ctx->n;
#pragma omp parallel for num_threads(veil_team())                              \
    schedule(static) if (bfv_par(bfv_work_ntt(nrows, n, 1)))
    for (size_t r = 0; r < nrows; r++) {
        const ntt_plan_t *pl = &ctx->plans[r];
        const uint64_t q = pl->q;
        uint64_t *restrict o = rows + r * n;
        for (size_t k = 0; k < n; k++)
            o[k] = bfv_lift_small(v[k], q);
        ntt_forward(pl, o);
    }
}
