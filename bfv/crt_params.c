/*
 * crt_params.c - CRT parameter sets: choosing the plaintext primes for a
 * value bound, and checking k component sets that differ only in t
 * (doc/08-crt-plaintexts.md, "Choosing the primes").
 */
#include "veil/bfv_crt.h"
#include <flint/ulong_extras.h>
#include <stdio.h>
#include <string.h>

veil_status bfv_crt_choose_primes(uint64_t *t, size_t *k, size_t max_k,
                                  const fmpz_t bound, unsigned bits, size_t n,
                                  const uint64_t *exclude, size_t n_exclude)
{
    uint64_t *avoid;
    fmpz_t prod, target;
    size_t j;
    veil_status st = VEIL_OK;

    if (t == NULL || k == NULL || bound == NULL ||
        (exclude == NULL && n_exclude > 0) || fmpz_sgn(bound) < 0 ||
        n < ((size_t)1 << NTT_MIN_LOGN) || n > ((size_t)1 << NTT_MAX_LOGN) ||
        (n & (n - 1)) != 0 || bits < NTT_MIN_PRIME_BITS ||
        bits > NTT_MAX_PRIME_BITS)
        return VEIL_EINVAL;
    *k = 0;
    /* the excluded primes followed by the ones chosen so far */
    avoid = veil_calloc(n_exclude + max_k + 1, sizeof(uint64_t));
    if (avoid == NULL)
        return VEIL_ENOMEM;
    if (n_exclude > 0)
        memcpy(avoid, exclude, n_exclude * sizeof(uint64_t));
    fmpz_init_set_ui(prod, 1);
    fmpz_init(target);
    fmpz_mul_2exp(target, bound, 1);
    /* the largest primes of the size, one at a time, until T > 2 bound
     * (at least one prime) */
    for (j = 0; j == 0 || fmpz_cmp(prod, target) <= 0; j++) {
        if (j == max_k) {
            st = VEIL_EPARAM;
            break;
        }
        st = ntt_primes_generate(t + j, 1, bits, n, avoid, n_exclude + j);
        if (st != VEIL_OK)
            break;
        avoid[n_exclude + j] = t[j];
        fmpz_mul_ui(prod, prod, t[j]);
    }
    if (st == VEIL_OK)
        *k = j;
    fmpz_clear(prod);
    fmpz_clear(target);
    veil_free(avoid);
    return st;
}

void bfv_crt_params_component(bfv_params_t *out, const bfv_crt_params_t *p,
                              size_t i)
{
    *out = p->base;
    out->t = p->t[i];
}

veil_status bfv_crt_params_init(bfv_crt_params_t *p, const bfv_params_t *base,
                                const uint64_t *t, size_t k, char *why,
                                size_t why_len)
{
    bfv_crt_params_t tmp;
    const char *fail = NULL;
    size_t i, j;

    if (p == NULL || base == NULL || t == NULL)
        return VEIL_EINVAL;
    if (k < 1 || k > BFV_CRT_MAX)
        fail = "the number of plaintext primes must be between 1 and "
               "BFV_CRT_MAX";
    for (i = 0; fail == NULL && i < k; i++) {
        if (t[i] < 3 || !n_is_prime(t[i]) ||
            t[i] % (2 * (uint64_t)base->n) != 1)
            fail = "every plaintext prime t_i must be a prime = 1 mod 2n "
                   "(batching)";
        for (j = 0; fail == NULL && j < i; j++)
            if (t[j] == t[i])
                fail = "the plaintext primes must be distinct";
    }
    if (fail != NULL) {
        if (why != NULL && why_len > 0)
            snprintf(why, why_len, "%s", fail);
        return VEIL_EPARAM;
    }
    memset(&tmp, 0, sizeof(tmp));
    tmp.base = *base;
    tmp.k = k;
    memcpy(tmp.t, t, k * sizeof(uint64_t));
    for (i = 0; i < k; i++) {
        bfv_params_t comp;
        veil_status st;
        bfv_crt_params_component(&comp, &tmp, i);
        st = bfv_params_check(&comp, why, why_len);
        if (st != VEIL_OK)
            return st;
    }
    tmp.base.t = t[0];
    *p = tmp;
    return VEIL_OK;
}
