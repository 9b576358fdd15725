/* rns_helpers.c - see rns_helpers.h. */
#include "rns_helpers.h"
#include <flint/ulong_extras.h>

void trh_primes(veil_rng_t *rng, uint64_t *out, size_t k, unsigned bits,
                const uint64_t *avoid, size_t n_avoid)
{
    const uint64_t lo = (uint64_t)1 << (bits - 1);
    size_t have = 0;

    while (have < k) {
        uint64_t q = n_nextprime(lo + veil_rng_u64(rng) % lo, 1);
        int fresh = q < 2 * lo;
        for (size_t i = 0; i < have && fresh; i++)
            fresh = out[i] != q;
        for (size_t i = 0; i < n_avoid && fresh; i++)
            fresh = avoid[i] != q;
        if (fresh)
            out[have++] = q;
    }
}

void trh_fmpz_below(veil_rng_t *rng, fmpz_t x, const fmpz_t bound)
{
    /* 64 bits more than the bound, then reduce: bias below 2^-64 */
    const size_t words = fmpz_bits(bound) / 64 + 2;
    fmpz_t w;

    fmpz_init(w);
    fmpz_zero(x);
    for (size_t i = 0; i < words; i++) {
        fmpz_set_ui(w, veil_rng_u64(rng));
        fmpz_mul_2exp(x, x, 64);
        fmpz_add(x, x, w);
    }
    fmpz_mod(x, x, bound);
    fmpz_clear(w);
}

void trh_fmpz_signed(veil_rng_t *rng, fmpz_t x, unsigned bits)
{
    fmpz_t bound;

    fmpz_init(bound);
    fmpz_one(bound);
    fmpz_mul_2exp(bound, bound, bits);
    trh_fmpz_below(rng, x, bound);
    if (veil_rng_u64(rng) & 1)
        fmpz_neg(x, x);
    fmpz_clear(bound);
}

void trh_residues(veil_rng_t *rng, uint64_t *res, const uint64_t *q, size_t k)
{
    for (size_t i = 0; i < k; i++)
        veil_rng_uniform_mod(rng, &res[i], 1, q[i]);
}

void trh_crt(fmpz_t x, fmpz_t M, const uint64_t *res, const uint64_t *q,
             size_t k, int sign)
{
    fmpz_t m;

    /* start from the first residue; fmpz_CRT_ui wants moduli above 1 */
    fmpz_set_ui(x, res[0] % q[0]);
    fmpz_init_set_ui(m, q[0]);
    for (size_t i = 1; i < k; i++) {
        /* the last step centres if asked; the earlier ones stay in [0, m) */
        fmpz_CRT_ui(x, x, m, res[i] % q[i], q[i], i + 1 == k ? sign : 0);
        fmpz_mul_ui(m, m, q[i]);
    }
    if (k == 1 && sign && fmpz_cmp_ui(x, q[0] / 2) > 0)
        fmpz_sub_ui(x, x, q[0]);
    if (M != NULL)
        fmpz_set(M, m);
    fmpz_clear(m);
}

void trh_reduce(uint64_t *res, const fmpz_t x, const uint64_t *q, size_t k)
{
    fmpz_t r;

    fmpz_init(r);
    for (size_t i = 0; i < k; i++)
        res[i] = fmpz_mod_ui(r, x, q[i]);
    fmpz_clear(r);
}

void trh_column(uint64_t *res, const uint64_t *rows, size_t k, size_t stride,
                size_t col)
{
    for (size_t i = 0; i < k; i++)
        res[i] = rows[i * stride + col];
}
