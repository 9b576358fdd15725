/*
 * rns_base.c - an RNS base: validation of the primes and the CRT constants
 * Q, floor(Q/2), qhat_i = Q / q_i and qhat_inv_i = qhat_i^-1 mod q_i
 * (doc/02-rns.md, "The CRT").
 */
#include "veil/rns.h"
#include <flint/ulong_extras.h>
#include <limits.h>
#include <string.h>

#if ULONG_MAX < UINT64_MAX
#error "veil needs 64-bit unsigned long (GMP and FLINT word-size calls)"
#endif

static int primes_valid(const uint64_t *primes, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        if (primes[i] < 2 || primes[i] >> 62 != 0 || !n_is_prime(primes[i]))
            return 0;
        for (size_t j = 0; j < i; j++)
            if (primes[j] == primes[i])
                return 0;
    }
    return 1;
}

veil_status rns_base_init(rns_base_t *b, const uint64_t *primes, size_t k)
{
    uint64_t *q, *qhat_inv, *qhat_inv_shoup;
    ntt_modulus_t *mod;
    mpz_t *qhat;

    if (b == NULL)
        return VEIL_EINVAL;
    memset(b, 0, sizeof(*b));
    if (primes == NULL || k == 0 || k > RNS_MAX_PRIMES ||
        !primes_valid(primes, k))
        return VEIL_EINVAL;

    q = veil_calloc(k, sizeof(uint64_t));
    qhat_inv = veil_calloc(k, sizeof(uint64_t));
    qhat_inv_shoup = veil_calloc(k, sizeof(uint64_t));
    mod = veil_calloc(k, sizeof(ntt_modulus_t));
    qhat = veil_calloc(k, sizeof(mpz_t));
    if (q == NULL || qhat_inv == NULL || qhat_inv_shoup == NULL ||
        mod == NULL || qhat == NULL) {
        veil_free(q);
        veil_free(qhat_inv);
        veil_free(qhat_inv_shoup);
        veil_free(mod);
        veil_free(qhat);
        return VEIL_ENOMEM;
    }
    /* From here on every field is owned by b and rns_base_clear frees it;
     * b->q != NULL marks an initialised base. */
    b->k = k;
    b->q = q;
    b->mod = mod;
    b->qhat_inv = qhat_inv;
    b->qhat_inv_shoup = qhat_inv_shoup;
    b->qhat = qhat;
    mpz_init_set_ui(b->Q, 1);
    mpz_init(b->Q_half);
    for (size_t i = 0; i < k; i++)
        mpz_init(b->qhat[i]);

    memcpy(q, primes, k * sizeof(uint64_t));
    for (size_t i = 0; i < k; i++)
        mpz_mul_ui(b->Q, b->Q, q[i]);
    mpz_fdiv_q_2exp(b->Q_half, b->Q, 1);
    for (size_t i = 0; i < k; i++) {
        veil_status st = ntt_modulus_init(&mod[i], q[i]);
        if (st == VEIL_OK) {
            mpz_divexact_ui(b->qhat[i], b->Q, q[i]);
            /* the primes are distinct, so Q / q_i is a unit mod q_i */
            st = ntt_inv_mod(&qhat_inv[i], mpz_fdiv_ui(b->qhat[i], q[i]), q[i]);
        }
        if (st != VEIL_OK) { /* unreachable for validated primes */
            rns_base_clear(b);
            return st;
        }
        qhat_inv_shoup[i] = ntt_shoup_precomp(qhat_inv[i], q[i]);
    }
    return VEIL_OK;
}

void rns_base_clear(rns_base_t *b)
{
    if (b == NULL || b->q == NULL)
        return;
    for (size_t i = 0; i < b->k; i++)
        mpz_clear(b->qhat[i]);
    mpz_clear(b->Q);
    mpz_clear(b->Q_half);
    veil_free(b->q);
    veil_free(b->mod);
    veil_free(b->qhat_inv);
    veil_free(b->qhat_inv_shoup);
    veil_free(b->qhat);
    memset(b, 0, sizeof(*b));
}
