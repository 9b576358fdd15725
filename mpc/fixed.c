/*
 * fixed.c - signed fixed point in F_p: x <-> round(x 2^f) mod p.
 */
#include "veil/mpc_field.h"
#include <math.h>

veil_status mpc_fixed_encode(const mpc_field_t *f, uint64_t *out,
                             const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double r = round(ldexp(x[i], (int)f->frac));
        int64_t v;
        /* |r| < 2^62 first, so the conversion is exact and defined */
        if (!isfinite(r) || fabs(r) >= 0x1p62)
            return VEIL_ERANGE;
        v = (int64_t)r;
        if ((v < 0 ? (uint64_t)-v : (uint64_t)v) > f->half)
            return VEIL_ERANGE;
        out[i] = mpc_field_from_signed(f, v);
    }
    return VEIL_OK;
}

void mpc_fixed_decode(const mpc_field_t *f, double *out, const uint64_t *x,
                      size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ldexp((double)mpc_field_to_signed(f, x[i]), -(int)f->frac);
}

double mpc_fixed_max(const mpc_field_t *f)
{
    return ldexp((double)f->half, -(int)f->frac);
}
