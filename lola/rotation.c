/*
 * lola/rotation.c - slot permutations of the Galois group as LoLa uses them:
 * a cyclic shift of both rows of the 2 x n/2 slot matrix, optionally
 * followed by the row swap (lola_kernels.h, "slot rotations";
 * doc/06-rotations.md for why X -> X^(3^k) shifts the rows and X -> X^(2n-1)
 * swaps them).
 */
#include "internal.h"

lola_rot_t lola_rot(size_t n, int64_t shift, int swap)
{
    const int64_t h = (int64_t)(n / 2);
    int64_t s = shift % h;
    if (s < 0)
        s += h;
    return (lola_rot_t)(s + (swap ? h : 0));
}

lola_rot_t lola_rot_compose(size_t n, lola_rot_t a, lola_rot_t b)
{
    const size_t h = n / 2;
    return lola_rot(n, (int64_t)(a % h + b % h), (int)((a / h) ^ (b / h)));
}

lola_rot_t lola_rot_inverse(size_t n, lola_rot_t r)
{
    const size_t h = n / 2;
    return lola_rot(n, -(int64_t)(r % h), (int)(r / h));
}

size_t lola_rot_source(size_t n, lola_rot_t r, size_t s)
{
    const size_t h = n / 2;
    return lola_slot(n, lola_row(n, s) ^ lola_row(n, r),
                     (lola_col(n, s) + lola_col(n, r)) & (h - 1));
}

/* The row shift bringing column c + k to column c is bfv's rotation by
 * step -k, whose Galois element is 3^k mod 2n (bfv.h); the swap is
 * 2n - 1. */
uint64_t lola_rot_galois(size_t n, lola_rot_t r)
{
    const uint64_t m = 2 * (uint64_t)n, h = n / 2;
    uint64_t e = 1, b = 3, k = r % h;
    while (k) {
        if (k & 1)
            e = e * b % m;
        b = b * b % m;
        k >>= 1;
    }
    if (r / h)
        e = e * (m - 1) % m;
    return e;
}
