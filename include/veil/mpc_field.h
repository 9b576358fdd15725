/*
 * mpc_field.h - arithmetic in F_p, additive 2-out-of-2 shares, signed fixed
 * point, local truncation of shares, and Beaver multiplication on shared
 * vectors (triples from a trusted dealer here; mpc.h has the channel).
 * See doc/20-two-party.md.
 *
 * Elements of F_p are uint64_t in [0, p).  A signed integer v with
 * |v| <= (p - 1) / 2 is represented by v mod p; a real number x in fixed
 * point with f fractional bits by round(x * 2^f) mod p.  Party i holds the
 * share x_i and x = x_0 + x_1 mod p; party 0's share of a fresh sharing is
 * uniform, so either share alone is uniform and says nothing about x.
 *
 * Vector functions take the output first, allow out to alias any input
 * (element-wise operations), and run OpenMP threads for n >= MPC_OMP_MIN.
 * Results do not depend on the thread count.
 */
#ifndef VEIL_MPC_FIELD_H
#define VEIL_MPC_FIELD_H

#include "veil/mpc.h"
#include "veil/veil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Delphi's prime 15 * 2^37 + 1 (41 bits), also a BFV batching modulus
 * for n = 8192 (p = 1 mod 2^14). */
#define MPC_P_DELPHI UINT64_C(2061584302081)
#define MPC_FRAC_BITS_DEFAULT 15
#define MPC_OMP_MIN 16384

/* The field and the fixed-point format; immutable after init, shareable
 * between threads. */
typedef struct mpc_field_s {
    uint64_t p;    /* the prime, 3 <= p < 2^62 */
    unsigned bits; /* bit length k of p */
    uint64_t mu;   /* Barrett constant floor(2^(2k) / p) */
    uint64_t half; /* (p - 1) / 2, the largest positive signed value */
    unsigned frac; /* fixed-point fractional bits f */
} mpc_field_t;

/* Set up F_p with f fractional bits.  p must be a prime with
 * 3 <= p < 2^62 and f must leave room for a product of two fixed-point
 * numbers: 2 f + 2 <= bit length of p.  VEIL_EINVAL if f is NULL,
 * VEIL_EPARAM otherwise. */
VEIL_EXPORT veil_status mpc_field_init(mpc_field_t *f, uint64_t p,
                                       unsigned frac_bits) VEIL_WUR;

/* --------------------------------------------------- scalar arithmetic
 * Inputs in [0, p), outputs in [0, p). */

static inline uint64_t mpc_field_add(const mpc_field_t *f, uint64_t a,
                                     uint64_t b)
{
    uint64_t s = a + b;
    return s >= f->p ? s - f->p : s;
}

static inline uint64_t mpc_field_sub(const mpc_field_t *f, uint64_t a,
                                     uint64_t b)
{
    return a >= b ? a - b : a + f->p - b;
}

static inline uint64_t mpc_field_neg(const mpc_field_t *f, uint64_t a)
{
    return a == 0 ? 0 : f->p - a;
}

/* Barrett reduction (Menezes et al., Handbook of Applied Cryptography,
 * 14.42) of x < 2^(2k): q = ((x >> (k-1)) mu) >> (k+1) is floor(x / p) or
 * at most 2 below it. */
static inline uint64_t mpc_field_reduce(const mpc_field_t *f,
                                        unsigned __int128 x)
{
    uint64_t q1 = (uint64_t)(x >> (f->bits - 1));
    uint64_t q = (uint64_t)(((unsigned __int128)q1 * f->mu) >> (f->bits + 1));
    uint64_t r = (uint64_t)x - q * f->p; /* true value < 3p < 2^64 */
    r = r >= f->p ? r - f->p : r;
    return r >= f->p ? r - f->p : r;
}

static inline uint64_t mpc_field_mul(const mpc_field_t *f, uint64_t a,
                                     uint64_t b)
{
    return mpc_field_reduce(f, (unsigned __int128)a * b);
}

/* Shoup's precomputation for multiplying by a fixed w: floor(w 2^64 / p). */
static inline uint64_t mpc_field_shoup(const mpc_field_t *f, uint64_t w)
{
    return (uint64_t)(((unsigned __int128)w << 64) / f->p);
}

/* a w mod p with w_shoup = mpc_field_shoup(f, w): one high product and one
 * low product (Harvey, "Faster arithmetic for number-theoretic
 * transforms", 2014). */
static inline uint64_t mpc_field_mul_shoup(const mpc_field_t *f, uint64_t a,
                                           uint64_t w, uint64_t w_shoup)
{
    uint64_t q = (uint64_t)(((unsigned __int128)a * w_shoup) >> 64);
    uint64_t r = a * w - q * f->p; /* in [0, 2p) */
    return r >= f->p ? r - f->p : r;
}

/* The signed value of x: x if x <= (p-1)/2, else x - p. */
static inline int64_t mpc_field_to_signed(const mpc_field_t *f, uint64_t x)
{
    return x <= f->half ? (int64_t)x : (int64_t)x - (int64_t)f->p;
}

/* v mod p for |v| <= (p-1)/2 (not checked). */
static inline uint64_t mpc_field_from_signed(const mpc_field_t *f, int64_t v)
{
    return v >= 0 ? (uint64_t)v : f->p - (uint64_t)(-v);
}

/* --------------------------------------------------- vector arithmetic */

VEIL_EXPORT void mpc_field_vec_add(const mpc_field_t *f, uint64_t *out,
                                   const uint64_t *a, const uint64_t *b,
                                   size_t n);
VEIL_EXPORT void mpc_field_vec_sub(const mpc_field_t *f, uint64_t *out,
                                   const uint64_t *a, const uint64_t *b,
                                   size_t n);
VEIL_EXPORT void mpc_field_vec_neg(const mpc_field_t *f, uint64_t *out,
                                   const uint64_t *a, size_t n);
VEIL_EXPORT void mpc_field_vec_mul(const mpc_field_t *f, uint64_t *out,
                                   const uint64_t *a, const uint64_t *b,
                                   size_t n);
/* out[i] = w a[i] (Shoup). */
VEIL_EXPORT void mpc_field_vec_scale(const mpc_field_t *f, uint64_t *out,
                                     const uint64_t *a, uint64_t w, size_t n);
/* out[i] uniform in [0, p). */
VEIL_EXPORT void mpc_field_vec_random(const mpc_field_t *f, veil_rng_t *rng,
                                      uint64_t *out, size_t n);

/* ---------------------------------------------------------- fixed point
 * Representable values: integers v = round(x 2^f) with |v| <= (p-1)/2,
 * i.e. x in [-(p-1)/2^(f+1), (p-1)/2^(f+1)]; the largest value is
 * mpc_fixed_max(f).  Rounding is to nearest, ties away from zero. */

/* out[i] = round(x[i] 2^f) mod p.  VEIL_ERANGE if some x[i] is not finite
 * or out of range (out is then unspecified). */
VEIL_EXPORT veil_status mpc_fixed_encode(const mpc_field_t *f, uint64_t *out,
                                         const double *x, size_t n) VEIL_WUR;

/* out[i] = signed(x[i]) / 2^f. */
VEIL_EXPORT void mpc_fixed_decode(const mpc_field_t *f, double *out,
                                  const uint64_t *x, size_t n);

/* The largest representable value, (p-1)/2 / 2^f; the smallest is its
 * negative. */
VEIL_EXPORT double mpc_fixed_max(const mpc_field_t *f);

/* --------------------------------------------------------------- shares */

/* Split x into shares: s0 uniform, s1 = x - s0.  s0 and s1 must not alias
 * each other; either may alias x. */
VEIL_EXPORT void mpc_share_split(const mpc_field_t *f, veil_rng_t *rng,
                                 uint64_t *s0, uint64_t *s1, const uint64_t *x,
                                 size_t n);

/* x = s0 + s1 (any aliasing). */
VEIL_EXPORT void mpc_share_join(const mpc_field_t *f, uint64_t *x,
                                const uint64_t *s0, const uint64_t *s1,
                                size_t n);

/* Local truncation by f bits, SecureML style (Mohassel and Zhang, S&P
 * 2017, section 4.1) carried to F_p: party 0 maps its share s0 to
 * floor(s0 / 2^f), party 1 maps s1 to p - floor((p - s1) / 2^f) (mod p);
 * no communication.  If x = s0 + s1 has signed value v and s0 is uniform,
 * the new shares hold floor(v / 2^f) + e with e in {0, 1}, except with
 * probability exactly |v| / p, when the result is off by about p / 2^f
 * (s0 < v for v >= 0, or s0 >= p + v for v < 0: the shares wrapped).
 * With p = 2^41 and products of magnitude |v| < 2^30 (two values below
 * 1 in fixed point with f = 15) that probability is about 2^-11 per
 * element, and no bound on the values makes it negligible at that p
 * (2^-40 would need |v| <= 2).  mpc_trunc (mpc_gc.h) corrects the wrap
 * with a garbled circuit and never fails.  `party` is 0 or 1. */
VEIL_EXPORT void mpc_share_trunc(const mpc_field_t *f, int party, uint64_t *out,
                                 const uint64_t *in, size_t n);

/* -------------------------------------------------- Beaver correlations
 * One party's shares of n correlated tuples; `used` counts the tuples
 * already consumed: each is used once (reuse would leak), and a call that
 * needs more than n - used returns VEIL_ERANGE.
 *
 * Triples (a, b, c = a b) serve multiplication.  Power tuples serve
 * squaring and polynomials: (a, a^2) for degree 2, plus (b, a b) with an
 * independent b for degree 3, which lets the x^2 * x product reuse the
 * opening of x - a.  a, b are uniform. */

typedef struct {
    size_t n, used;
    uint64_t *a, *b, *c;
} mpc_triples_t;

typedef struct {
    size_t n, used;
    unsigned deg;     /* 2 or 3 */
    uint64_t *a, *a2; /* shares of a, a^2 */
    uint64_t *b, *ab; /* shares of b, a b (deg 3, else NULL) */
} mpc_powers_t;

/* Allocate room for n tuples (n >= 1, deg 2 or 3).  VEIL_EINVAL,
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status mpc_triples_init(mpc_triples_t *t, size_t n) VEIL_WUR;
VEIL_EXPORT veil_status mpc_powers_init(mpc_powers_t *t, size_t n,
                                        unsigned deg) VEIL_WUR;

/* Wipe and free; safe to call twice. */
VEIL_EXPORT void mpc_triples_clear(mpc_triples_t *t);
VEIL_EXPORT void mpc_powers_clear(mpc_powers_t *t);

/* Trusted dealer (tests and benchmarks): fill both parties' tuples with
 * shares of fresh random tuples and reset `used`.  t0 and t1 must have the
 * same n (and deg).  VEIL_EINVAL otherwise. */
VEIL_EXPORT veil_status mpc_triples_deal(const mpc_field_t *f, veil_rng_t *rng,
                                         mpc_triples_t *t0,
                                         mpc_triples_t *t1) VEIL_WUR;
VEIL_EXPORT veil_status mpc_powers_deal(const mpc_field_t *f, veil_rng_t *rng,
                                        mpc_powers_t *t0,
                                        mpc_powers_t *t1) VEIL_WUR;

/* ------------------------------------------------------- Beaver online
 * Both parties call the same function with the same n at the same time,
 * party = 0 or 1, over the channel between them; each opening is one
 * simultaneous exchange (mpc_chan_exchange) per MPC_OPEN_CHUNK elements.
 * Outputs are shares; out may alias the inputs.  Statuses: channel
 * statuses, VEIL_ERANGE (not enough tuples left), VEIL_EINVAL,
 * VEIL_ENOMEM. */

#define MPC_OPEN_CHUNK 65536

/* Beaver's multiplication (CRYPTO 1991): open d = x - a and e = y - b,
 * then z = c + d b + e a (+ d e for party 0) = x y.  Integer product:
 * no truncation (see mpc_share_trunc for fixed point). */
VEIL_EXPORT veil_status mpc_beaver_mul(const mpc_field_t *f, mpc_chan_t *ch,
                                       int party, mpc_triples_t *t, uint64_t *z,
                                       const uint64_t *x, const uint64_t *y,
                                       size_t n) VEIL_WUR;

/* z = x^2 with one opening d = x - a: z = a^2 + 2 d a (+ d^2 for party 0).
 * Uses power tuples of degree 2 or 3. */
VEIL_EXPORT veil_status mpc_beaver_square(const mpc_field_t *f, mpc_chan_t *ch,
                                          int party, mpc_powers_t *t,
                                          uint64_t *z, const uint64_t *x,
                                          size_t n) VEIL_WUR;

/* Fixed-point polynomial z = c[0] + c[1] x + ... + c[deg] x^deg, deg 2 or
 * 3, coefficients public and fixed-point encoded (mpc_fixed_encode):
 *   round 1: open d = x - a; x2 = trunc(x^2)
 *   round 2 (deg 3): open e = x2 - b; x3 = trunc(x x2) with
 *            x x2 = d e + d b + e a + a b
 *   local:   z = trunc(c[1] x + c[2] x2 + c[3] x3) + c[0]
 * One power tuple of degree >= deg per element; 1 (deg 2) or 2 (deg 3)
 * openings.  Each trunc adds the error of mpc_share_trunc, so z is within
 * a few units in the last place of the rounded exact result when no
 * truncation fails; intermediate values must stay representable.
 * mpc_fixed_poly_exact (mpc_gc.h) is the same with truncations that never
 * fail.  Tuples are counted as used before their openings: after a failed
 * call they are spent. */
VEIL_EXPORT veil_status mpc_fixed_poly(const mpc_field_t *f, mpc_chan_t *ch,
                                       int party, mpc_powers_t *t, uint64_t *z,
                                       const uint64_t *x, const uint64_t *c,
                                       unsigned deg, size_t n) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_MPC_FIELD_H */
