/*
 * share.c - additive 2-out-of-2 sharing and local truncation of shares.
 *
 * Truncation (SecureML, Mohassel and Zhang 2017, section 4.1, here over
 * F_p): let v be the signed value of x = s0 + s1 and u = -s1 mod p.  When
 * the shares do not wrap, i.e. u = s0 - v as integers (0 <= s0 - v < p),
 *     floor(s0 / 2^f) - floor(u / 2^f) = floor(v / 2^f) + e,  e in {0, 1},
 * because floor(a) - floor(a - b) is floor(b) or floor(b) + 1.  Party 0
 * keeps floor(s0 / 2^f), party 1 keeps -floor(u / 2^f) mod p.  The shares
 * wrap exactly when s0 < v (v >= 0) or s0 >= p + v (v < 0): probability
 * |v| / p for a uniform s0.
 */
#include "veil/mpc_field.h"

void mpc_share_split(const mpc_field_t *f, veil_rng_t *rng, uint64_t *s0,
                     uint64_t *s1, const uint64_t *x, size_t n)
{
    uint64_t r[256];
    /* blocks of fresh randomness; x[i] is read before s0[i], s1[i] are
     * written, so either share may alias x */
    for (size_t i0 = 0; i0 < n; i0 += 256) {
        size_t m = n - i0 < 256 ? n - i0 : 256;
        mpc_field_vec_random(f, rng, r, m);
        for (size_t i = 0; i < m; i++) {
            uint64_t v = x[i0 + i];
            s1[i0 + i] = mpc_field_sub(f, v, r[i]);
            s0[i0 + i] = r[i];
        }
    }
    veil_memzero(r, sizeof(r));
}

void mpc_share_join(const mpc_field_t *f, uint64_t *x, const uint64_t *s0,
                    const uint64_t *s1, size_t n)
{
    mpc_field_vec_add(f, x, s0, s1, n);
}

void mpc_share_trunc(const mpc_field_t *f, int party, uint64_t *out,
                     const uint64_t *in, size_t n)
{
    const unsigned sh = f->frac;
    if (party == 0) {
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] >> sh;
    } else {
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
        for (size_t i = 0; i < n; i++)
            out[i] = mpc_field_neg(f, mpc_field_neg(f, in[i]) >> sh);
    }
}
