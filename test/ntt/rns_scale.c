/* Tests of scale-and-round, against exact FLINT integer arithmetic:
 * round(t x / Q) mod t from base Q (BFV decryption), round(t x / Q) mod p_j
 * from base Q u P (BFV multiplication), and the whole HPS multiplication
 * step QP -> P -> Q. */
#include "ntt_helpers.h"
#include "rns_helpers.h"
#include <criterion/criterion.h>
#include <string.h>

enum { COLS = 64, MAXK = 128 };

/* The oracle: *rnd = round(t x / Q) = floor(t x / Q + 1/2), *fl =
 * floor(t x / Q), and whether the result may be fl instead of rnd: only
 * when the fraction of t x / Q lies in [1/2, 1/2 + eps), eps = 2^-104
 * sum_i (2^52 + q_i) (rns.h), that is when 0 <= 2r - Q and
 * (2r - Q) 2^104 < 2 Q sum_i (2^52 + q_i), with r = t x mod Q. */
static int oracle(fmpz_t rnd, fmpz_t fl, const fmpz_t x, uint64_t t,
                  const fmpz_t Q, const uint64_t *q, size_t k)
{
    fmpz_t r, a;
    int zone = 0;

    fmpz_init(r);
    fmpz_init(a);
    fmpz_mul_ui(a, x, t);
    fmpz_fdiv_qr(fl, r, a, Q);
    fmpz_mul_2exp(a, r, 1);
    fmpz_sub(a, a, Q); /* 2r - Q */
    fmpz_set(rnd, fl);
    if (fmpz_sgn(a) >= 0) {
        fmpz_add_ui(rnd, rnd, 1);
        fmpz_mul_2exp(a, a, 104);
        fmpz_zero(r);
        for (size_t i = 0; i < k; i++)
            fmpz_add_ui(r, r, (UINT64_C(1) << 52) + q[i]);
        fmpz_mul(r, r, Q);
        fmpz_mul_2exp(r, r, 1);
        zone = fmpz_cmp(a, r) < 0;
    }
    fmpz_clear(r);
    fmpz_clear(a);
    return zone;
}

/* The plaintext modulus of a test configuration: codes 0 and 1 stand for a
 * random 20-bit prime and a random t in [2^61, 2^62) (any t works, prime or
 * not); other values are used as they are. */
static uint64_t pick_t(veil_rng_t *rng, uint64_t code)
{
    uint64_t t = code;
    if (code == 0)
        trh_primes(rng, &t, 1, 20, NULL, 0);
    else if (code == 1)
        t = ((uint64_t)1 << 61) + veil_rng_u64(rng) % ((uint64_t)1 << 61);
    return t;
}

static fmpz_t g_Q, g_x, g_rnd, g_fl;

static void scale_setup(void)
{
    fmpz_init(g_Q);
    fmpz_init(g_x);
    fmpz_init(g_rnd);
    fmpz_init(g_fl);
}

static void scale_teardown(void)
{
    fmpz_clear(g_Q);
    fmpz_clear(g_x);
    fmpz_clear(g_rnd);
    fmpz_clear(g_fl);
}

TestSuite(rns_scale, .init = scale_setup, .fini = scale_teardown);

Test(rns_scale, init_rejects_bad_input)
{
    rns_base_t q, p, overlap, zero;
    rns_scale_t s;
    const uint64_t qp[3] = {65537, 12289, 40961};
    const uint64_t pp[2] = {7681, 786433};
    const uint64_t op[2] = {7681, 12289};

    memset(&zero, 0, sizeof(zero));
    cr_assert_eq(rns_base_init(&q, qp, 3), VEIL_OK);
    cr_assert_eq(rns_base_init(&p, pp, 2), VEIL_OK);
    cr_assert_eq(rns_base_init(&overlap, op, 2), VEIL_OK);
    cr_assert_eq(rns_scale_init(NULL, &q, NULL, 17), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, NULL, NULL, 17), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, &zero, NULL, 17), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, &q, &zero, 17), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, &q, NULL, 0), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, &q, NULL, 1), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, &q, NULL, (uint64_t)1 << 62), VEIL_EINVAL);
    cr_assert_eq(rns_scale_init(&s, &q, &overlap, 17), VEIL_EINVAL);
    rns_scale_clear(&s);
    cr_assert_eq(rns_scale_init(&s, &q, &p, 17), VEIL_OK);
    cr_assert_eq(s.m, 2);
    rns_scale_clear(&s);
    rns_scale_clear(&s);
    rns_scale_clear(NULL);
    cr_assert_eq(rns_scale_init(&s, &q, NULL, ((uint64_t)1 << 62) - 1),
                 VEIL_OK);
    cr_assert_eq(s.m, 1);
    rns_scale_clear(&s);
    rns_base_clear(&q);
    rns_base_clear(&p);
    rns_base_clear(&overlap);
}

/* Decryption: round(t x / Q) mod t for random x in [0, Q), for x next to
 * the half-integers (x = ceil((2c + 1) Q / 2t) + d, d in -1..1), and for
 * noisy encodings x = Delta m + e, |e| < Delta / 4, which must give m. */
Test(rns_scale, decryption_matches_exact_rounding)
{
    static const struct {
        size_t k;
        unsigned bits;
        uint64_t t; /* see pick_t */
    } cfg
        [] =
            {
                {4, 50, 65537}, {6, 45, 0}, {9, 40, 2}, {5, 50, 1},
                {3, 62, 0},     {8, 62, 3}, {1, 50, 0}, {7, 50, 1},
                {128, 62, 1}, /* sums beyond 2^128: reduced mid-way (chunk 2) */
            };
    veil_rng_t rng;
    const unsigned iters = vt_iters(4);
    uint64_t in[MAXK * COLS], out[COLS], part[COLS], res[MAXK], msg[COLS];
    fmpz_t d, c;

    vt_rng(&rng, "rns_scale.decryption_matches_exact_rounding");
    fmpz_init(d);
    fmpz_init(c);
    for (size_t ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++) {
        const size_t k = cfg[ci].k;
        uint64_t q[MAXK], t = cfg[ci].t;
        rns_base_t b;
        rns_scale_t s;
        t = pick_t(&rng, t);
        trh_primes(&rng, q, k, cfg[ci].bits, NULL, 0);
        cr_assert_eq(rns_base_init(&b, q, k), VEIL_OK);
        cr_assert_eq(rns_scale_init(&s, &b, NULL, t), VEIL_OK);
        fmpz_set_mpz(g_Q, b.Q);
        for (unsigned it = 0; it < iters; it++) {
            for (size_t col = 0; col < COLS; col++) {
                fmpz_set_ui(d, t);
                if (col % 4 == 1) { /* next to a half-integer */
                    veil_rng_uniform_mod(&rng, res, 1, t);
                    fmpz_set_ui(c, 2 * res[0] + 1);
                    fmpz_mul(c, c, g_Q);
                    fmpz_mul_2exp(d, d, 1);
                    fmpz_cdiv_q(g_x, c, d);
                    fmpz_add_si(g_x, g_x, (slong)(col / 4 % 3) - 1);
                    fmpz_mod(g_x, g_x, g_Q);
                } else if (col % 4 == 2) { /* Delta m + e */
                    uint64_t m;
                    veil_rng_uniform_mod(&rng, &m, 1, t);
                    fmpz_fdiv_q(d, g_Q, d); /* Delta */
                    fmpz_fdiv_q_2exp(c, d, 2);
                    trh_fmpz_below(&rng, g_x, c);
                    if (veil_rng_u64(&rng) & 1)
                        fmpz_neg(g_x, g_x);
                    fmpz_addmul_ui(g_x, d, m);
                    fmpz_mod(g_x, g_x, g_Q);
                    msg[col] = m;
                } else {
                    trh_fmpz_below(&rng, g_x, g_Q);
                }
                trh_reduce(res, g_x, q, k);
                for (size_t i = 0; i < k; i++)
                    in[i * COLS + col] = res[i];
            }
            rns_scale_round(&s, out, in, COLS);
            _rns_scale_round(&s, part, in, 17, COLS);
            _rns_scale_round(&s, part + 17, in + 17, COLS - 17, COLS);
            cr_assert(memcmp(out, part, sizeof(out)) == 0);
            for (size_t col = 0; col < COLS; col++) {
                int zone;
                trh_column(res, in, k, COLS, col);
                trh_crt(g_x, NULL, res, q, k, 0);
                zone = oracle(g_rnd, g_fl, g_x, t, g_Q, q, k);
                cr_assert(out[col] == fmpz_fdiv_ui(g_rnd, t) ||
                              (zone && out[col] == fmpz_fdiv_ui(g_fl, t)),
                          "config %zu col %zu", ci, col);
                cr_assert_lt(out[col], t);
                if (col % 4 == 2) /* a noisy encoding decrypts to m */
                    cr_assert_eq(out[col], msg[col]);
            }
        }
        rns_scale_clear(&s);
        rns_base_clear(&b);
    }
    fmpz_clear(d);
    fmpz_clear(c);
    veil_rng_clear(&rng);
}

/* Multiplication: x in base Q u P (random residues, any representative of
 * x mod QP), out_j = round(t x / Q) mod p_j. */
Test(rns_scale, qp_to_p_matches_exact_rounding)
{
    static const struct {
        size_t kq, kp;
        unsigned bq, bp;
        uint64_t t; /* see pick_t */
    } cfg[] = {
        {4, 5, 50, 50, 65537}, {6, 7, 45, 50, 0}, {9, 9, 40, 50, 2},
        {5, 6, 50, 49, 0},     {3, 4, 62, 60, 0}, {1, 2, 50, 50, 65537},
        {120, 3, 62, 62, 1}, /* sums beyond 2^128: reduced mid-way */
    };
    veil_rng_t rng;
    const unsigned iters = vt_iters(4);
    uint64_t in[MAXK * COLS], out[MAXK * COLS], part[MAXK * COLS];
    uint64_t res[MAXK];

    vt_rng(&rng, "rns_scale.qp_to_p_matches_exact_rounding");
    for (size_t ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++) {
        const size_t kq = cfg[ci].kq, kp = cfg[ci].kp;
        uint64_t qp[MAXK], t = cfg[ci].t;
        rns_base_t bq, bp;
        rns_scale_t s;
        t = pick_t(&rng, t);
        trh_primes(&rng, qp, kq, cfg[ci].bq, NULL, 0);
        trh_primes(&rng, qp + kq, kp, cfg[ci].bp, qp, kq);
        cr_assert_eq(rns_base_init(&bq, qp, kq), VEIL_OK);
        cr_assert_eq(rns_base_init(&bp, qp + kq, kp), VEIL_OK);
        cr_assert_eq(rns_scale_init(&s, &bq, &bp, t), VEIL_OK);
        fmpz_set_mpz(g_Q, bq.Q);
        for (unsigned it = 0; it < iters; it++) {
            for (size_t col = 0; col < COLS; col++) {
                trh_residues(&rng, res, qp, kq + kp);
                for (size_t i = 0; i < kq + kp; i++)
                    in[i * COLS + col] = res[i];
            }
            rns_scale_round(&s, out, in, COLS);
            _rns_scale_round(&s, part, in, 31, COLS);
            _rns_scale_round(&s, part + 31, in + 31, COLS - 31, COLS);
            cr_assert(memcmp(out, part, kp * COLS * sizeof(uint64_t)) == 0);
            for (size_t col = 0; col < COLS; col++) {
                int zone;
                trh_column(res, in, kq + kp, COLS, col);
                /* the centred representative; any other gives the same */
                trh_crt(g_x, NULL, res, qp, kq + kp, 1);
                zone = oracle(g_rnd, g_fl, g_x, t, g_Q, qp, kq);
                for (size_t j = 0; j < kp; j++) {
                    const uint64_t pj = qp[kq + j], o = out[j * COLS + col];
                    cr_assert(o == fmpz_fdiv_ui(g_rnd, pj) ||
                                  (zone && o == fmpz_fdiv_ui(g_fl, pj)),
                              "config %zu col %zu row %zu", ci, col, j);
                }
            }
        }
        rns_scale_clear(&s);
        rns_base_clear(&bq);
        rns_base_clear(&bp);
    }
    veil_rng_clear(&rng);
}

/* The HPS multiplication step end to end, as full-RNS BFV runs it: x is a
 * sum of 8 products of centred values mod Q (a tensor-product coefficient),
 * held in base Q u P; scale to P (rns_scale_round), then back to Q with the
 * exact conversion; the result is round(t x / Q) mod q_i.  P has two more
 * primes than Q, so |round(t x / Q)| <= 2 t Q + 1 is far below P/2. */
Test(rns_scale, hps_multiplication_step)
{
    static const struct {
        size_t k;
        unsigned bits;
        uint64_t t;
    } cfg[] = {{4, 50, 65537}, {6, 45, 786433}, {9, 40, 2}, {5, 50, 0}};
    veil_rng_t rng;
    const unsigned iters = vt_iters(2);
    uint64_t in[MAXK * COLS], mid[MAXK * COLS], out[MAXK * COLS];
    uint64_t res[MAXK];
    fmpz_t a, b;

    vt_rng(&rng, "rns_scale.hps_multiplication_step");
    fmpz_init(a);
    fmpz_init(b);
    for (size_t ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++) {
        const size_t k = cfg[ci].k, kp = k + 2;
        uint64_t qp[MAXK], t = cfg[ci].t;
        rns_base_t bq, bp;
        rns_scale_t s;
        rns_conv_t back;
        t = pick_t(&rng, t);
        trh_primes(&rng, qp, k, cfg[ci].bits, NULL, 0);
        trh_primes(&rng, qp + k, kp, 50, qp, k);
        cr_assert_eq(rns_base_init(&bq, qp, k), VEIL_OK);
        cr_assert_eq(rns_base_init(&bp, qp + k, kp), VEIL_OK);
        cr_assert_eq(rns_scale_init(&s, &bq, &bp, t), VEIL_OK);
        cr_assert_eq(rns_conv_init(&back, &bp, &bq), VEIL_OK);
        fmpz_set_mpz(g_Q, bq.Q);
        for (unsigned it = 0; it < iters; it++) {
            for (size_t col = 0; col < COLS; col++) {
                fmpz_zero(g_x);
                for (int term = 0; term < 8; term++) {
                    trh_fmpz_below(&rng, a, g_Q);
                    trh_fmpz_below(&rng, b, g_Q);
                    fmpz_fdiv_q_2exp(g_fl, g_Q, 1);
                    fmpz_sub(a, a, g_fl);
                    fmpz_sub(b, b, g_fl);
                    fmpz_addmul(g_x, a, b);
                }
                trh_reduce(res, g_x, qp, k + kp);
                for (size_t i = 0; i < k + kp; i++)
                    in[i * COLS + col] = res[i];
            }
            rns_scale_round(&s, mid, in, COLS);
            rns_conv_apply_exact(&back, out, mid, COLS);
            for (size_t col = 0; col < COLS; col++) {
                int zone;
                trh_column(res, in, k + kp, COLS, col);
                trh_crt(g_x, NULL, res, qp, k + kp, 1); /* |x| < QP/2 */
                zone = oracle(g_rnd, g_fl, g_x, t, g_Q, qp, k);
                for (size_t i = 0; i < k; i++) {
                    const uint64_t o = out[i * COLS + col];
                    cr_assert(o == fmpz_fdiv_ui(g_rnd, qp[i]) ||
                                  (zone && o == fmpz_fdiv_ui(g_fl, qp[i])),
                              "config %zu col %zu row %zu", ci, col, i);
                }
            }
        }
        rns_conv_clear(&back);
        rns_scale_clear(&s);
        rns_base_clear(&bq);
        rns_base_clear(&bp);
    }
    fmpz_clear(a);
    fmpz_clear(b);
    veil_rng_clear(&rng);
}

/* Every path gives the same bits, for decryption and for QP -> P, with a
 * column count that leaves a scalar tail. */
Test(rns_scale, paths_agree)
{
    enum { N = COLS + 3 };
    static const struct {
        size_t kq, kp;
        unsigned bits;
        uint64_t t; /* see pick_t */
    } cfg[] = {
        {4, 0, 50, 65537},   {9, 0, 40, 0}, {20, 0, 50, 2}, {5, 6, 50, 0},
        {17, 18, 49, 65537}, {3, 4, 62, 0}, {4, 0, 45, 1},
    };
    veil_rng_t rng;
    static uint64_t in[2 * MAXK * N], ref[MAXK * N], out[MAXK * N];

    vt_rng(&rng, "rns_scale.paths_agree");
    cr_assert_eq(veil_init(), VEIL_OK);
    for (size_t ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++) {
        const size_t kq = cfg[ci].kq, kp = cfg[ci].kp;
        uint64_t qp[2 * MAXK], t = pick_t(&rng, cfg[ci].t);
        const int simd = cfg[ci].bits <= 50 && t >> 50 == 0;
        rns_base_t bq, bp;
        rns_scale_t sc;
        trh_primes(&rng, qp, kq + kp, cfg[ci].bits, NULL, 0);
        cr_assert_eq(rns_base_init(&bq, qp, kq), VEIL_OK);
        if (kp > 0)
            cr_assert_eq(rns_base_init(&bp, qp + kq, kp), VEIL_OK);
        for (size_t i = 0; i < kq + kp; i++) {
            veil_rng_uniform_mod(&rng, in + i * N, N, qp[i]);
            in[i * N] = qp[i] - 1;
        }
        cr_assert_eq(veil_isa_set(VEIL_ISA_SCALAR), VEIL_OK);
        cr_assert_eq(rns_scale_init(&sc, &bq, kp ? &bp : NULL, t), VEIL_OK);
        cr_assert_eq(sc.isa, VEIL_ISA_SCALAR);
        rns_scale_round(&sc, ref, in, N);
        for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
            rns_scale_t sv;
            if (!veil_isa_supported((veil_isa_t)isa))
                continue;
            cr_assert_eq(veil_isa_set((veil_isa_t)isa), VEIL_OK);
            cr_assert_eq(rns_scale_init(&sv, &bq, kp ? &bp : NULL, t), VEIL_OK);
            if (isa != VEIL_ISA_SCALAR && simd)
                cr_assert_eq(sv.isa, (veil_isa_t)isa);
            rns_scale_round(&sv, out, in, N);
            cr_assert(memcmp(ref, out, sc.m * N * sizeof(uint64_t)) == 0,
                      "config %zu isa %s", ci, veil_isa_name((veil_isa_t)isa));
            rns_scale_clear(&sv);
        }
        cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
        rns_scale_clear(&sc);
        rns_base_clear(&bq);
        if (kp > 0)
            rns_base_clear(&bp);
    }
    veil_rng_clear(&rng);
}
