/* Tests of base conversion: the fast conversion's error e (checked exactly
 * with FLINT integers: 0 <= e < k, and e = 0 gives the exact residues) and
 * the exact (HPS) conversion of the centred representative. */
#include "ntt_helpers.h"
#include "rns_helpers.h"
#include <criterion/criterion.h>
#include <flint/ulong_extras.h>
#include <string.h>

enum { COLS = 64, MAXK = 128 };

/* (k_from, k_to, bits_from, bits_to).  61/62-bit sources make the chunk 2
 * or 3, so the 128-bit accumulator is reduced mid-sum; with 20 of them the
 * unreduced sum (near 128 * 2^122 on random input) overflows 128 bits. */
static const struct {
    size_t kf, kt;
    unsigned bf, bt;
} configs[] = {
    {4, 5, 50, 50}, {9, 4, 40, 45}, {6, 7, 45, 50},
    {2, 3, 50, 40}, {3, 2, 61, 62}, {7, 3, 62, 50},
    {1, 3, 50, 50}, {5, 9, 50, 44}, {128, 2, 62, 62},
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

typedef struct {
    uint64_t q[MAXK], p[MAXK];
    size_t kf, kt;
    rns_base_t from, to;
    rns_conv_t conv;
    /* FLINT oracle data for the source base */
    fmpz_t Q, qhat[MAXK];
    uint64_t qhat_mod_q[MAXK], qhat_inv[MAXK];
} setup_t;

static void setup_init(setup_t *s, veil_rng_t *rng, size_t c)
{
    s->kf = configs[c].kf;
    s->kt = configs[c].kt;
    trh_primes(rng, s->q, s->kf, configs[c].bf, NULL, 0);
    trh_primes(rng, s->p, s->kt, configs[c].bt, s->q, s->kf);
    cr_assert_eq(rns_base_init(&s->from, s->q, s->kf), VEIL_OK);
    cr_assert_eq(rns_base_init(&s->to, s->p, s->kt), VEIL_OK);
    cr_assert_eq(rns_conv_init(&s->conv, &s->from, &s->to), VEIL_OK);
    fmpz_init_set_ui(s->Q, 1);
    for (size_t i = 0; i < s->kf; i++)
        fmpz_mul_ui(s->Q, s->Q, s->q[i]);
    for (size_t i = 0; i < s->kf; i++) {
        fmpz_init(s->qhat[i]);
        fmpz_divexact_ui(s->qhat[i], s->Q, s->q[i]);
        s->qhat_mod_q[i] = fmpz_fdiv_ui(s->qhat[i], s->q[i]);
        s->qhat_inv[i] = n_invmod(s->qhat_mod_q[i], s->q[i]);
    }
}

static void setup_clear(setup_t *s)
{
    fmpz_clear(s->Q);
    for (size_t i = 0; i < s->kf; i++)
        fmpz_clear(s->qhat[i]);
    rns_conv_clear(&s->conv);
    rns_base_clear(&s->from);
    rns_base_clear(&s->to);
}

/* Column kinds: y_i = [x_i qhat_inv_i]_{q_i} chosen below q_i / k forces
 * e = 0; above q_i (1 - 1/k) forces e = k - 1 (the sum of y_i / q_i then
 * lies in (k - 1, k)); the rest are uniform. */
static void fill_columns(setup_t *s, veil_rng_t *rng, uint64_t *in)
{
    const size_t k = s->kf;
    for (size_t col = 0; col < COLS; col++) {
        for (size_t i = 0; i < k; i++) {
            const uint64_t q = s->q[i], w = q / k;
            uint64_t y;
            if (col % 4 == 0)
                veil_rng_uniform_mod(rng, &y, 1, w);
            else if (col % 4 == 1) { /* y in [q - w + 1, q - 1] */
                veil_rng_uniform_mod(rng, &y, 1, w - 1);
                y += q - w + 1;
            } else
                veil_rng_uniform_mod(rng, &y, 1, q);
            if (col % 4 < 2) /* x_i = y_i qhat_i mod q_i */
                in[i * COLS + col] = th_mulmod(y, s->qhat_mod_q[i], q);
            else
                in[i * COLS + col] = y;
        }
    }
}

Test(rns_conv, init_rejects_bad_input)
{
    rns_base_t b, zero;
    rns_conv_t c;
    const uint64_t q[2] = {65537, 12289};

    memset(&zero, 0, sizeof(zero));
    cr_assert_eq(rns_base_init(&b, q, 2), VEIL_OK);
    cr_assert_eq(rns_conv_init(NULL, &b, &b), VEIL_EINVAL);
    cr_assert_eq(rns_conv_init(&c, NULL, &b), VEIL_EINVAL);
    cr_assert_eq(rns_conv_init(&c, &b, NULL), VEIL_EINVAL);
    cr_assert_eq(rns_conv_init(&c, &zero, &b), VEIL_EINVAL);
    cr_assert_eq(rns_conv_init(&c, &b, &zero), VEIL_EINVAL);
    rns_conv_clear(&c);
    cr_assert_eq(rns_conv_init(&c, &b, &b), VEIL_OK);
    rns_conv_clear(&c);
    rns_conv_clear(&c);
    rns_conv_clear(NULL);
    rns_base_clear(&b);
}

Test(rns_conv, fast_conversion_error_is_below_k)
{
    veil_rng_t rng;
    const unsigned iters = vt_iters(4);
    uint64_t in[MAXK * COLS], out[MAXK * COLS], res[MAXK];
    fmpz_t x, S, e, d;

    vt_rng(&rng, "rns_conv.fast_conversion_error_is_below_k");
    fmpz_init(x);
    fmpz_init(S);
    fmpz_init(e);
    fmpz_init(d);
    for (size_t c = 0; c < NCONFIGS; c++) {
        setup_t s;
        size_t seen[MAXK] = {0};
        setup_init(&s, &rng, c);
        for (unsigned it = 0; it < iters; it++) {
            fill_columns(&s, &rng, in);
            rns_conv_apply(&s.conv, out, in, COLS);
            for (size_t col = 0; col < COLS; col++) {
                /* oracle: x in [0, Q) by fmpz_CRT, S = sum y_i qhat_i */
                trh_column(res, in, s.kf, COLS, col);
                trh_crt(x, NULL, res, s.q, s.kf, 0);
                fmpz_zero(S);
                for (size_t i = 0; i < s.kf; i++)
                    fmpz_addmul_ui(S, s.qhat[i],
                                   th_mulmod(res[i], s.qhat_inv[i], s.q[i]));
                fmpz_sub(d, S, x);
                cr_assert(fmpz_divisible(d, s.Q));
                fmpz_divexact(e, d, s.Q);
                cr_assert(fmpz_sgn(e) >= 0 && fmpz_cmp_ui(e, s.kf) < 0,
                          "config %zu col %zu: e out of [0, %zu)", c, col,
                          s.kf);
                seen[fmpz_get_ui(e)]++;
                if (col % 4 == 0)
                    cr_assert(fmpz_is_zero(e));
                if (col % 4 == 1)
                    cr_assert(fmpz_equal_ui(e, s.kf - 1));
                for (size_t j = 0; j < s.kt; j++) {
                    cr_assert_eq(out[j * COLS + col], fmpz_fdiv_ui(S, s.p[j]),
                                 "config %zu col %zu row %zu", c, col, j);
                    if (fmpz_is_zero(e)) /* e = 0: the exact residue */
                        cr_assert_eq(out[j * COLS + col],
                                     fmpz_fdiv_ui(x, s.p[j]));
                }
            }
        }
        /* both ends of the bound were met */
        cr_assert_gt(seen[0], 0);
        cr_assert_gt(seen[s.kf - 1], 0);
        setup_clear(&s);
    }
    fmpz_clear(x);
    fmpz_clear(S);
    fmpz_clear(e);
    fmpz_clear(d);
    veil_rng_clear(&rng);
}

/* Converting into the source base itself returns the input: (x + e Q) mod
 * q_i = x_i.  The strided form on column slices equals the whole call. */
Test(rns_conv, identity_and_strided_slices)
{
    veil_rng_t rng;
    uint64_t in[MAXK * COLS], out[MAXK * COLS], part[MAXK * COLS];

    vt_rng(&rng, "rns_conv.identity_and_strided_slices");
    for (size_t c = 0; c < NCONFIGS; c++) {
        setup_t s;
        rns_conv_t self;
        setup_init(&s, &rng, c);
        cr_assert_eq(rns_conv_init(&self, &s.from, &s.from), VEIL_OK);
        fill_columns(&s, &rng, in);
        rns_conv_apply(&self, out, in, COLS);
        cr_assert(memcmp(out, in, s.kf * COLS * sizeof(uint64_t)) == 0);
        rns_conv_apply_exact(&self, out, in, COLS);
        cr_assert(memcmp(out, in, s.kf * COLS * sizeof(uint64_t)) == 0);
        rns_conv_clear(&self);

        rns_conv_apply(&s.conv, out, in, COLS);
        _rns_conv_apply(&s.conv, part, in, 23, COLS);
        _rns_conv_apply(&s.conv, part + 23, in + 23, COLS - 23, COLS);
        cr_assert(memcmp(out, part, s.kt * COLS * sizeof(uint64_t)) == 0);
        rns_conv_apply_exact(&s.conv, out, in, COLS);
        _rns_conv_apply_exact(&s.conv, part, in, 40, COLS);
        _rns_conv_apply_exact(&s.conv, part + 40, in + 40, COLS - 40, COLS);
        cr_assert(memcmp(out, part, s.kt * COLS * sizeof(uint64_t)) == 0);
        setup_clear(&s);
    }
    veil_rng_clear(&rng);
}

/* The exact conversion returns the centred representative x_c, except
 * within k Q 2^-49 of -Q/2 where x_c + Q is allowed.  Random columns
 * plus the values next to 0 and +-Q/2. */
Test(rns_conv, exact_conversion_is_centred)
{
    veil_rng_t rng;
    const unsigned iters = vt_iters(4);
    uint64_t in[MAXK * COLS], out[MAXK * COLS], res[MAXK];
    fmpz_t x, y, h, a;

    vt_rng(&rng, "rns_conv.exact_conversion_is_centred");
    fmpz_init(x);
    fmpz_init(y);
    fmpz_init(h);
    fmpz_init(a);
    for (size_t c = 0; c < NCONFIGS; c++) {
        setup_t s;
        size_t exact = 0;
        setup_init(&s, &rng, c);
        fmpz_fdiv_q_2exp(h, s.Q, 1); /* floor(Q/2) */
        for (unsigned it = 0; it < iters; it++) {
            fill_columns(&s, &rng, in);
            /* first 12 columns: h - d, h + 1 + d (d < 4), 0, 1, -1, h - Q/2^40
             */
            for (size_t col = 0; col < 12 && it == 0; col++) {
                if (col < 4)
                    fmpz_sub_ui(x, h, col);
                else if (col < 8)
                    fmpz_add_ui(x, h, col - 3);
                else if (col < 11)
                    fmpz_set_si(x, (slong)col - 9);
                else {
                    fmpz_fdiv_q_2exp(x, s.Q, 40);
                    fmpz_sub(x, h, x);
                }
                trh_reduce(res, x, s.q, s.kf);
                for (size_t i = 0; i < s.kf; i++)
                    in[i * COLS + col] = res[i];
            }
            rns_conv_apply_exact(&s.conv, out, in, COLS);
            for (size_t col = 0; col < COLS; col++) {
                int near;
                trh_column(res, in, s.kf, COLS, col);
                trh_crt(x, NULL, res, s.q, s.kf, 1); /* x_c */
                /* near: |x_c| > (Q/2)(1 - k 2^-48), i.e.
                 * 2^48 (Q - 2 |x_c|) < k Q */
                fmpz_abs(a, x);
                fmpz_mul_2exp(a, a, 1);
                fmpz_sub(a, s.Q, a);
                fmpz_mul_2exp(a, a, 48);
                fmpz_mul_ui(y, s.Q, s.kf);
                near = fmpz_cmp(a, y) < 0;
                fmpz_add(y, x, s.Q);
                int all_xc = 1, all_xq = 1;
                for (size_t j = 0; j < s.kt; j++) {
                    all_xc &= out[j * COLS + col] == fmpz_fdiv_ui(x, s.p[j]);
                    all_xq &= out[j * COLS + col] == fmpz_fdiv_ui(y, s.p[j]);
                }
                exact += all_xc;
                cr_assert(all_xc || (near && all_xq),
                          "config %zu col %zu (near %d)", c, col, near);
            }
        }
        cr_assert_gt(exact, iters * COLS / 2);
        setup_clear(&s);
    }
    fmpz_clear(x);
    fmpz_clear(y);
    fmpz_clear(h);
    fmpz_clear(a);
    veil_rng_clear(&rng);
}

/* Every path gives the same bits: conversions built under each supported
 * ISA agree with the scalar one on random and all-(q - 1) columns, with a
 * column count that leaves a scalar tail (n % 8 != 0). */
Test(rns_conv, paths_agree)
{
    enum { N = COLS + 5 };
    veil_rng_t rng;
    static uint64_t in[MAXK * N], ref[MAXK * N], out[MAXK * N];

    vt_rng(&rng, "rns_conv.paths_agree");
    cr_assert_eq(veil_init(), VEIL_OK);
    for (size_t c = 0; c < NCONFIGS; c++) {
        setup_t s;
        rns_conv_t sc;
        setup_init(&s, &rng, c);
        for (size_t i = 0; i < s.kf; i++) {
            veil_rng_uniform_mod(&rng, in + i * N, N, s.q[i]);
            in[i * N] = s.q[i] - 1;
        }
        cr_assert_eq(veil_isa_set(VEIL_ISA_SCALAR), VEIL_OK);
        cr_assert_eq(rns_conv_init(&sc, &s.from, &s.to), VEIL_OK);
        cr_assert_eq(sc.isa, VEIL_ISA_SCALAR);
        for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
            rns_conv_t cv;
            if (!veil_isa_supported((veil_isa_t)isa))
                continue;
            cr_assert_eq(veil_isa_set((veil_isa_t)isa), VEIL_OK);
            cr_assert_eq(rns_conv_init(&cv, &s.from, &s.to), VEIL_OK);
            /* the IFMA and AVX2 kernels take primes in (2, 2^50) */
            if (isa != VEIL_ISA_SCALAR && configs[c].bf <= 50 &&
                configs[c].bt <= 50)
                cr_assert_eq(cv.isa, (veil_isa_t)isa);
            for (int exact = 0; exact < 2; exact++) {
                if (exact) {
                    rns_conv_apply_exact(&sc, ref, in, N);
                    rns_conv_apply_exact(&cv, out, in, N);
                } else {
                    rns_conv_apply(&sc, ref, in, N);
                    rns_conv_apply(&cv, out, in, N);
                }
                cr_assert(memcmp(ref, out, s.kt * N * sizeof(uint64_t)) == 0,
                          "config %zu isa %s exact %d", c,
                          veil_isa_name((veil_isa_t)isa), exact);
            }
            rns_conv_clear(&cv);
        }
        cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
        rns_conv_clear(&sc);
        setup_clear(&s);
    }
    veil_rng_clear(&rng);
}
