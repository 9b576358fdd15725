/*
 * rns_crt.c - exact conversions between residues and integers (GMP mpz and
 * FLINT fmpz): decomposition x -> (x mod q_i) and the CRT composition
 *     x = sum_i [res_i qhat_inv_i]_{q_i} qhat_i  mod Q,
 * plain in [0, Q) or centred in (-Q/2, Q/2] (doc/02-rns.md, "The CRT").
 * These serve set-up, decoding and exact noise measurement, never a
 * per-operation hot path.
 */
#include "veil/rns.h"

void rns_decompose_mpz(const rns_base_t *b, uint64_t *res, const mpz_t x)
{
    /* fdiv: the remainder takes the sign of the divisor, so x < 0 is fine */
    for (size_t i = 0; i < b->k; i++)
        res[i] = mpz_fdiv_ui(x, b->q[i]);
}

void rns_decompose_fmpz(const rns_base_t *b, uint64_t *res, const fmpz_t x)
{
    for (size_t i = 0; i < b->k; i++)
        res[i] = fmpz_fdiv_ui(x, b->q[i]);
}

void rns_compose_mpz(const rns_base_t *b, mpz_t x, const uint64_t *res)
{
    /* 1. y_i = [res_i qhat_inv_i]_{q_i}; Shoup's product accepts any 64-bit
     *    res_i and returns y_i in [0, q_i). */
    /* 2. s = sum_i y_i qhat_i is congruent to x mod Q and lies in [0, k Q),
     *    so one division with a quotient below k finishes. */
    mpz_set_ui(x, 0);
    for (size_t i = 0; i < b->k; i++) {
        uint64_t y = ntt_mul_shoup(res[i], b->qhat_inv[i], b->qhat_inv_shoup[i],
                                   b->q[i]);
        mpz_addmul_ui(x, b->qhat[i], y);
    }
    if (mpz_cmp(x, b->Q) >= 0)
        mpz_tdiv_r(x, x, b->Q);
}

void rns_compose_centered_mpz(const rns_base_t *b, mpz_t x, const uint64_t *res)
{
    rns_compose_mpz(b, x, res);
    if (mpz_cmp(x, b->Q_half) > 0) /* x > floor(Q/2), i.e. x > Q/2 */
        mpz_sub(x, x, b->Q);
}

/* The fmpz versions work on x's own mpz: _fmpz_promote turns x into an mpz
 * (its old value is overwritten anyway) and _fmpz_demote_val turns the
 * result back into a small fmpz when it fits, as FLINT's own functions do. */
void rns_compose_fmpz(const rns_base_t *b, fmpz_t x, const uint64_t *res)
{
    rns_compose_mpz(b, _fmpz_promote(x), res);
    _fmpz_demote_val(x);
}

void rns_compose_centered_fmpz(const rns_base_t *b, fmpz_t x,
                               const uint64_t *res)
{
    rns_compose_centered_mpz(b, _fmpz_promote(x), res);
    _fmpz_demote_val(x);
}
