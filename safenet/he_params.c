/*
 * he_params.c - the BFV parameter set of the offline linear layers
 * (he.h, doc/23-safenet-he.md "Parameters").
 *
 * n = 8192 is the smallest ring with p = 1 mod 2n batching and room for
 * the flood: at the 128-bit bound log2 QP <= 218 (bfv_security_max_bits)
 * we take one 50-bit special prime and four 42-bit ciphertext primes, so
 * Q has 168 bits and Q / (2t) about 2^126 for the 41-bit Delphi prime.
 * Key-switching digits are single 42-bit primes, 8 bits below P: the
 * key-switching noise stays below the rounding noise of the division by P.
 */
#include "he.h"

veil_status safenet_he_params(bfv_params_t *params, uint64_t p)
{
    static const unsigned q_bits[4] = {42, 42, 42, 42};
    static const unsigned p_bits[1] = {50};
    char why[160];
    veil_status st;
    if (params == NULL)
        return VEIL_EINVAL;
    if (p < 3 || p >> 49 != 0 || (p - 1) % (2 * SAFENET_HE_N) != 0)
        return VEIL_EPARAM;
    st = bfv_params_from_bits(params, SAFENET_HE_N, q_bits, 4, p_bits, 1, p,
                              BFV_SEC_128);
    if (st != VEIL_OK)
        return st;
    return bfv_params_check(params, why, sizeof(why));
}
