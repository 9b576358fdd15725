/*
 * crt_keygen.c - key generation for every component of a CRT key set.
 * One seed per component is drawn from the caller's generator first; each
 * component then makes its keys from its own generator, in parallel, so
 * the keys do not depend on the number of threads.
 */
#include "crt_internal.h"

#define KINDS (BFV_CRT_SECRET | BFV_CRT_PUBLIC | BFV_CRT_RELIN | BFV_CRT_GALOIS)

/* Make the kinds in `need` for component i from seed. */
static veil_status keygen_one(bfv_crt_keys_t *keys, size_t i, unsigned need,
                              const int64_t *steps, size_t nsteps, int columns,
                              const uint8_t seed[VEIL_SEED_BYTES])
{
    const bfv_context_t *ctx = &keys->ctx->comp[i];
    veil_rng_t g;
    veil_status st = VEIL_OK;

    veil_rng_init_seed(&g, seed);
    if (need & BFV_CRT_SECRET) {
        bfv_secret_key_clear(&keys->sk[i]);
        st = bfv_secret_key_init(&keys->sk[i], ctx);
        if (st == VEIL_OK)
            st = bfv_keygen_secret(&keys->sk[i], &g);
    }
    if (st == VEIL_OK && (need & BFV_CRT_PUBLIC)) {
        bfv_public_key_clear(&keys->pk[i]);
        st = bfv_public_key_init(&keys->pk[i], ctx);
        if (st == VEIL_OK)
            st = bfv_keygen_public(&keys->pk[i], &keys->sk[i], &g);
    }
    if (st == VEIL_OK && (need & BFV_CRT_RELIN)) {
        bfv_relin_key_clear(&keys->rk[i]);
        st = bfv_relin_key_init(&keys->rk[i], ctx);
        if (st == VEIL_OK)
            st = bfv_keygen_relin(&keys->rk[i], &keys->sk[i], &g);
    }
    if (st == VEIL_OK && (need & BFV_CRT_GALOIS)) {
        if (steps == NULL)
            st = bfv_keygen_galois_pow2(&keys->gk[i], &keys->sk[i], &g);
        else
            st = bfv_keygen_galois_steps(&keys->gk[i], &keys->sk[i], steps,
                                         nsteps, columns, &g);
    }
    veil_rng_clear(&g);
    return st;
}

veil_status bfv_crt_keygen(bfv_crt_keys_t *keys, unsigned what,
                           const int64_t *steps, size_t nsteps, int columns,
                           veil_rng_t *rng)
{
    uint8_t seeds[BFV_CRT_MAX][VEIL_SEED_BYTES];
    unsigned need;
    veil_status st;

    if (keys == NULL || keys->ctx == NULL || rng == NULL ||
        (what & ~KINDS) != 0 || (steps == NULL && nsteps > 0))
        return VEIL_EINVAL;
    /* Galois keys are always added to; the other kinds only if missing */
    need = (what & ~keys->have) | (what & BFV_CRT_GALOIS);
    if (need == 0)
        return VEIL_OK;
    if ((need & ~BFV_CRT_SECRET) && !(keys->have & BFV_CRT_SECRET)) {
        /* a fresh secret key would not match keys already present */
        if (keys->have != 0)
            return VEIL_ENOKEY;
        need |= BFV_CRT_SECRET;
    }
    bfv_crt_draw_seeds(seeds, keys->ctx->k, rng);
    BFV_CRT_EACH(st, keys->ctx->k,
                 keygen_one(keys, i, need, steps, nsteps, columns, seeds[i]));
    veil_memzero(seeds, sizeof(seeds));
    if (st == VEIL_OK)
        keys->have |= need;
    return st;
}
