/*
 * params.c - BFV parameter sets: the HomomorphicEncryption.org security
 * table, presets, prime generation from bit sizes or a total budget, and the
 * structural + security check behind bfv_context_init.  doc/07-parameters.md.
 */
#include "veil/bfv.h"
#include <flint/ulong_extras.h>
#include <gmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Largest log2(QP) for classical security with a ternary secret and error
 * standard deviation 3.2: Albrecht et al., "Homomorphic Encryption Security
 * Standard" (HomomorphicEncryption.org, 2018), Table 1 ("uSVP / dec / dual"
 * minimum over attacks, ternary secret).  The same figures as SEAL's
 * hestdparms.h. */
static const struct {
    size_t n;
    unsigned bits128, bits192, bits256;
} sec_table[] = {
    {1024, 27, 19, 14},    {2048, 54, 37, 29},     {4096, 109, 75, 58},
    {8192, 218, 152, 118}, {16384, 438, 305, 237}, {32768, 881, 611, 476},
};
#define SEC_ROWS (sizeof(sec_table) / sizeof(sec_table[0]))

/* Plaintext modulus of the presets: prime, and 65537 = 1 mod 2n for every
 * n <= 32768, so all presets batch. */
#define BFV_PRESET_T 65537

unsigned bfv_security_max_bits(size_t n, bfv_security_t sec)
{
    size_t row;
    if (n > sec_table[SEC_ROWS - 1].n) {
        row = SEC_ROWS - 1;
    } else {
        for (row = 0; row < SEC_ROWS && sec_table[row].n != n; row++)
            ;
        if (row == SEC_ROWS)
            return 0;
    }
    switch (sec) {
    case BFV_SEC_128:
        return sec_table[row].bits128;
    case BFV_SEC_192:
        return sec_table[row].bits192;
    case BFV_SEC_256:
        return sec_table[row].bits256;
    }
    return 0;
}

unsigned bfv_params_log_qp(const bfv_params_t *p)
{
    mpz_t qp;
    unsigned bits;
    size_t i;
    if (p == NULL || p->n_q > BFV_MAX_Q || p->n_p > BFV_MAX_P)
        return 0;
    mpz_init_set_ui(qp, 1);
    for (i = 0; i < p->n_q; i++)
        mpz_mul_ui(qp, qp, p->q[i]);
    for (i = 0; i < p->n_p; i++)
        mpz_mul_ui(qp, qp, p->p[i]);
    bits = (unsigned)mpz_sizeinbase(qp, 2);
    mpz_clear(qp);
    return bits;
}

static int is_pow2_degree(size_t n)
{
    return n >= ((size_t)1 << NTT_MIN_LOGN) &&
           n <= ((size_t)1 << NTT_MAX_LOGN) && (n & (n - 1)) == 0;
}

static int valid_sec(bfv_security_t sec)
{
    return sec == BFV_SEC_128 || sec == BFV_SEC_192 || sec == BFV_SEC_256;
}

/* Generate `count` primes for each size in bits[0..count), appending to
 * out[] and avoiding the `have` primes already in out[0..have). */
static veil_status gen_primes(uint64_t *out, size_t have, const unsigned *bits,
                              size_t count, size_t n)
{
    for (size_t i = 0; i < count; i++) {
        veil_status st =
            ntt_primes_generate(out + have + i, 1, bits[i], n, out, have + i);
        if (st != VEIL_OK)
            return st;
    }
    return VEIL_OK;
}

veil_status bfv_params_from_bits(bfv_params_t *p, size_t n,
                                 const unsigned *q_bits, size_t n_q,
                                 const unsigned *p_bits, size_t n_p, uint64_t t,
                                 bfv_security_t sec)
{
    uint64_t all[BFV_MAX_Q + BFV_MAX_P];
    veil_status st;

    if (p == NULL || q_bits == NULL || p_bits == NULL || n_q == 0 ||
        n_q > BFV_MAX_Q || n_p == 0 || n_p > BFV_MAX_P || !is_pow2_degree(n) ||
        !valid_sec(sec))
        return VEIL_EINVAL;
    for (size_t i = 0; i < n_q + n_p; i++) {
        unsigned b = i < n_p ? p_bits[i] : q_bits[i - n_p];
        if (b < NTT_MIN_PRIME_BITS || b > NTT_MAX_PRIME_BITS)
            return VEIL_EINVAL;
    }
    /* Special primes first: each is then the largest prime of its size, so
     * P exceeds the ciphertext primes of the same size. */
    st = gen_primes(all, 0, p_bits, n_p, n);
    if (st == VEIL_OK)
        st = gen_primes(all, n_p, q_bits, n_q, n);
    if (st != VEIL_OK)
        return st;
    memset(p, 0, sizeof(*p));
    p->n = n;
    p->n_p = n_p;
    memcpy(p->p, all, n_p * sizeof(uint64_t));
    p->n_q = n_q;
    memcpy(p->q, all + n_p, n_q * sizeof(uint64_t));
    p->t = t;
    p->security = sec;
    p->allow_insecure = 0;
    return VEIL_OK;
}

veil_status bfv_params_from_budget(bfv_params_t *p, size_t n,
                                   unsigned total_bits, uint64_t t,
                                   bfv_security_t sec)
{
    unsigned bits[BFV_MAX_Q + 1];
    size_t count, rem, i;
    unsigned base;

    if (total_bits < 2 * NTT_MIN_PRIME_BITS)
        return VEIL_EINVAL;
    /* the fewest primes of at most NTT_MAX_PRIME_BITS bits; the first
     * (total mod count) of them one bit larger than the rest */
    count = (total_bits + NTT_MAX_PRIME_BITS - 1) / NTT_MAX_PRIME_BITS;
    if (count < 2)
        count = 2; /* at least one ciphertext and one special prime */
    if (count > BFV_MAX_Q + 1)
        return VEIL_EINVAL;
    base = total_bits / (unsigned)count;
    rem = total_bits % count;
    for (i = 0; i < count; i++)
        bits[i] = base + (i < rem ? 1 : 0);
    /* bits[0] is a largest size: it goes to the special prime */
    return bfv_params_from_bits(p, n, bits + 1, count - 1, bits, 1, t, sec);
}

veil_status bfv_params_preset(bfv_params_t *p, size_t n)
{
    if (n != 4096 && n != 8192 && n != 16384 && n != 32768)
        return VEIL_EINVAL;
    return bfv_params_from_budget(p, n, bfv_security_max_bits(n, BFV_SEC_128),
                                  BFV_PRESET_T, BFV_SEC_128);
}

/* Write a formatted reason to why[0..len) (if any) and return VEIL_EPARAM. */
static veil_status refuse(char *why, size_t len, const char *fmt, ...)
{
    if (why != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, len, fmt, ap);
        va_end(ap);
    }
    return VEIL_EPARAM;
}

/* Check one prime of the parameter set; name is "q" or "p". */
static veil_status check_prime(uint64_t v, const char *name, size_t idx,
                               size_t n, char *why, size_t len)
{
    if (v < ((uint64_t)1 << NTT_MIN_PRIME_BITS) ||
        v >= ((uint64_t)1 << NTT_MAX_PRIME_BITS))
        return refuse(why, len, "%s[%zu] = %llu is not between 2^%d and 2^%d",
                      name, idx, (unsigned long long)v, NTT_MIN_PRIME_BITS,
                      NTT_MAX_PRIME_BITS);
    if (v % (2 * (uint64_t)n) != 1)
        return refuse(why, len, "%s[%zu] = %llu is not 1 mod 2n = %zu", name,
                      idx, (unsigned long long)v, 2 * n);
    if (!n_is_prime(v))
        return refuse(why, len, "%s[%zu] = %llu is not prime", name, idx,
                      (unsigned long long)v);
    return VEIL_OK;
}

veil_status bfv_params_check(const bfv_params_t *p, char *why, size_t len)
{
    veil_status st = VEIL_OK;
    uint64_t all[BFV_MAX_Q + BFV_MAX_P];
    size_t n_all, i, j;
    unsigned log_qp, max_bits, log_q;
    mpz_t prod, digit;

    if (p == NULL)
        return VEIL_EINVAL;
    if (!is_pow2_degree(p->n))
        return refuse(why, len,
                      "ring degree n = %zu is not a power of two "
                      "in [2^%d, 2^%d]",
                      p->n, NTT_MIN_LOGN, NTT_MAX_LOGN);
    if (p->n_q < 1 || p->n_q > BFV_MAX_Q)
        return refuse(why, len, "need 1 to %d ciphertext primes, got %zu",
                      BFV_MAX_Q, p->n_q);
    if (p->n_p < 1 || p->n_p > BFV_MAX_P)
        return refuse(why, len, "need 1 to %d special primes, got %zu",
                      BFV_MAX_P, p->n_p);
    if (!valid_sec(p->security))
        return refuse(why, len, "security level %d is not 128, 192 or 256",
                      (int)p->security);
    n_all = 0;
    for (i = 0; i < p->n_q && st == VEIL_OK; i++) {
        st = check_prime(p->q[i], "q", i, p->n, why, len);
        all[n_all++] = p->q[i];
    }
    for (i = 0; i < p->n_p && st == VEIL_OK; i++) {
        st = check_prime(p->p[i], "p", i, p->n, why, len);
        all[n_all++] = p->p[i];
    }
    if (st != VEIL_OK)
        return st;
    for (i = 0; i < n_all; i++)
        for (j = i + 1; j < n_all; j++)
            if (all[i] == all[j])
                return refuse(why, len, "prime %llu appears twice",
                              (unsigned long long)all[i]);
    if (p->t < 2 || p->t >= ((uint64_t)1 << NTT_MAX_PRIME_BITS))
        return refuse(why, len,
                      "plaintext modulus t = %llu is not in "
                      "[2, 2^%d)",
                      (unsigned long long)p->t, NTT_MAX_PRIME_BITS);
    for (i = 0; i < p->n_q; i++)
        if (p->t % p->q[i] == 0)
            return refuse(why, len, "t = %llu is not coprime to Q",
                          (unsigned long long)p->t);

    /* Q must leave room for the plaintext, P must exceed every digit. */
    mpz_init_set_ui(prod, 1);
    mpz_init(digit);
    for (i = 0; i < p->n_q; i++)
        mpz_mul_ui(prod, prod, p->q[i]);
    log_q = (unsigned)mpz_sizeinbase(prod, 2);
    mpz_set_ui(prod, 1);
    for (i = 0; i < p->n_p; i++)
        mpz_mul_ui(prod, prod, p->p[i]);
    for (i = 0; i < p->n_q && st == VEIL_OK; i += p->n_p) {
        mpz_set_ui(digit, 1);
        for (j = i; j < i + p->n_p && j < p->n_q; j++)
            mpz_mul_ui(digit, digit, p->q[j]);
        if (mpz_cmp(prod, digit) < 0)
            st = refuse(why, len,
                        "the special primes' product P is smaller "
                        "than the key-switching digit q[%zu..%zu]; make the "
                        "special primes larger",
                        i, j - 1);
    }
    mpz_clear(prod);
    mpz_clear(digit);
    if (st != VEIL_OK)
        return st;
    if (log_q <= 64 - (unsigned)__builtin_clzll(p->t))
        return refuse(why, len, "Q (%u bits) must be larger than t", log_q);

    log_qp = bfv_params_log_qp(p);
    max_bits = bfv_security_max_bits(p->n, p->security);
    if (!p->allow_insecure && log_qp > max_bits) {
        if (max_bits == 0)
            return refuse(why, len,
                          "n = %zu is below the security table "
                          "(n >= 1024): insecure at any modulus",
                          p->n);
        return refuse(why, len,
                      "log2(QP) = %u bits exceeds %u, the largest "
                      "modulus the HomomorphicEncryption.org standard allows "
                      "for %d-bit security at n = %zu; use fewer or smaller "
                      "primes or a larger n",
                      log_qp, max_bits, (int)p->security, p->n);
    }
    if (why != NULL && len > 0)
        snprintf(why, len, "ok");
    return VEIL_OK;
}
