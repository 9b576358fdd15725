/* Every LoLa kernel on small random examples: encrypt a random vector in
 * the kernel's input representation, run the compiled step, decrypt, read
 * the result through the step's output representation (all copies must
 * agree, ZERO slots must be 0) and compare with W x + b over Z_t. */
#include "common.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Encrypt x in `in`, run st, decrypt through st->layout, compare with
 * W x + b (rows entries; SIMD: records x rows). */
static void check_step(lt_env_t *e, const lola_step_t *st,
                       const lola_matrix_t *m, const lola_layout_t *in,
                       const int64_t *x, const char *what)
{
    const size_t records = in->rep == LOLA_SIMD ? in->batch : 1;
    bfv_ciphertext_t *ci = calloc(in->nct, sizeof(*ci));
    bfv_ciphertext_t *co = calloc(st->nout, sizeof(*co));
    int64_t *got = malloc(records * st->layout.len * sizeof(int64_t));
    int64_t *want = malloc(records * st->layout.len * sizeof(int64_t));

    lt_encrypt(e, ci, in, x);
    lt_run(e, co, st, m, ci);
    lt_decrypt(e, got, &st->layout, co);
    for (size_t b = 0; b < records; b++)
        lt_matvec(want + b * m->rows, m, x + b * m->cols, e->t);
    lt_assert_vec(got, want, records * m->rows, what);
    lt_cts_clear(ci, in->nct);
    lt_cts_clear(co, st->nout);
    free(ci);
    free(co);
    free(got);
    free(want);
}

Test(lola_kernels, dense_row)
{
    lt_env_t e;
    lt_matrix_t a;
    lola_layout_t in;
    lola_step_t st;
    size_t perm[20];
    int64_t x[20];

    lt_env_init(&e, 64, "lola_kernels.dense_row");
    for (unsigned it = 0; it < vt_iters(1); it++) {
        lt_matrix_dense(&a, &e.rng, 5, 20, 50, 1000);
        lt_random_vec(x, &e.rng, 20, 100);
        for (int full = 0; full < 2; full++) {
            /* dense, crossing into row 1 */
            cr_assert_eq(lola_layout_dense(&in, 64, 20, 25), VEIL_OK);
            cr_assert_eq(lola_kernel_dense_row(&st, &a.m, &in, full), VEIL_OK);
            cr_assert_eq(st.nout, 5);
            cr_assert_eq(st.counts.mul_plain, 5);
            /* window of 20 columns (7..19 and 25..31 share columns):
             * 5 rotations + swap per row, or log2(32) + 1 with full */
            cr_assert_eq(st.counts.rot, 5 * (full ? 6 : 5 + 1));
            lt_env_galois(&e, &st, 1);
            check_step(&e, &st, &a.m, &in, x, full ? "dense full" : "dense");
            lola_step_clear(&st);
            lola_layout_clear(&in);
        }
        /* interleaved: a random injective placement */
        for (size_t i = 0; i < 20; i++) {
            size_t s;
            int used;
            do {
                s = veil_rng_u64(&e.rng) % 64;
                used = 0;
                for (size_t j = 0; j < i; j++)
                    used |= perm[j] == s;
            } while (used);
            perm[i] = s;
        }
        cr_assert_eq(lola_layout_interleaved(&in, 64, 20, perm), VEIL_OK);
        cr_assert_eq(lola_kernel_dense_row(&st, &a.m, &in, 0), VEIL_OK);
        lt_env_galois(&e, &st, 1);
        check_step(&e, &st, &a.m, &in, x, "interleaved");
        lola_step_clear(&st);
        lola_layout_clear(&in);
        lt_matrix_clear(&a);
    }
    lt_env_clear(&e);
}

Test(lola_kernels, sparse_col)
{
    lt_env_t e;
    lt_matrix_t a;
    lola_layout_t in, tg;
    lola_step_t st;
    int64_t x[6];

    lt_env_init(&e, 64, "lola_kernels.sparse_col");
    for (unsigned it = 0; it < vt_iters(1); it++) {
        lt_matrix_dense(&a, &e.rng, 12, 6, 1000, 100000);
        lt_random_vec(x, &e.rng, 6, 1000);
        cr_assert_eq(lola_layout_sparse(&in, 64, 6), VEIL_OK);
        /* the output in any representation: dense, then stacked */
        cr_assert_eq(lola_layout_dense(&tg, 64, 12, 5), VEIL_OK);
        cr_assert_eq(lola_kernel_sparse_col(&st, &a.m, &in, &tg), VEIL_OK);
        cr_assert_eq(st.counts.mul_plain, 6);
        cr_assert_eq(st.counts.rot + st.counts.hoist_rot, 0);
        check_step(&e, &st, &a.m, &in, x, "sparse -> dense");
        lola_step_clear(&st);
        lola_layout_clear(&tg);
        cr_assert_eq(lola_layout_stacked(&tg, 64, 12, 16, 4), VEIL_OK);
        cr_assert_eq(lola_kernel_sparse_col(&st, &a.m, &in, &tg), VEIL_OK);
        check_step(&e, &st, &a.m, &in, x, "sparse -> stacked");
        lola_step_clear(&st);
        lola_layout_clear(&tg);
        lola_layout_clear(&in);
        lt_matrix_clear(&a);
    }
    lt_env_clear(&e);
}

Test(lola_kernels, stacked_row_and_interleave)
{
    lt_env_t e;
    lt_matrix_t a;
    lola_layout_t in;
    lola_step_t st[2];
    lola_rot_t rots[3];
    int64_t x[12], want[9], got[9];
    bfv_ciphertext_t ci, co[3], cc;

    lt_env_init(&e, 64, "lola_kernels.stacked_row_and_interleave");
    for (unsigned it = 0; it < vt_iters(1); it++) {
        lt_matrix_dense(&a, &e.rng, 9, 12, 100, 10000);
        lt_random_vec(x, &e.rng, 12, 100);
        /* 4 copies of a vector of 12 with period 16: 4 rows per round */
        cr_assert_eq(lola_layout_stacked(&in, 64, 12, 16, 4), VEIL_OK);
        cr_assert_eq(lola_kernel_stacked_row(&st[0], &a.m, &in), VEIL_OK);
        cr_assert_eq(st[0].nout, 3);
        cr_assert_eq(st[0].counts.mul_plain, 3);
        cr_assert_eq(st[0].counts.rot, 3 * 4);
        /* move round q's results one slot further per round, masking the
         * partial sums away: one interleaved vector of 9 */
        for (size_t q = 0; q < 3; q++)
            rots[q] = lola_rot(64, -(int64_t)q, 0);
        cr_assert_eq(lola_kernel_combine(&st[1], &st[0].layout, rots, 1),
                     VEIL_OK);
        cr_assert_eq(st[1].counts.mul_plain, 3);
        cr_assert_eq(st[1].counts.rot, 2);
        /* without masks the partial sums would collide */
        lola_step_t bad;
        cr_assert_eq(lola_kernel_combine(&bad, &st[0].layout, rots, 0),
                     VEIL_EINVAL);
        lt_env_galois(&e, st, 2);
        check_step(&e, &st[0], &a.m, &in, x, "stacked-row");

        lt_encrypt(&e, &ci, &in, x);
        lt_run(&e, co, &st[0], &a.m, &ci);
        lt_run(&e, &cc, &st[1], NULL, co);
        lt_decrypt(&e, got, &st[1].layout, &cc);
        lt_matvec(want, &a.m, x, e.t);
        lt_assert_vec(got, want, 9, "interleave");
        for (size_t j = 0; j < 9; j++) /* row j = 4q + b at 16 b + q */
            cr_assert_eq(st[1].layout.map[16 * (j % 4) + j / 4], (int32_t)j);
        bfv_ciphertext_clear(&ci);
        bfv_ciphertext_clear(&cc);
        lt_cts_clear(co, 3);
        lola_step_clear(&st[0]);
        lola_step_clear(&st[1]);
        lola_layout_clear(&in);
        lt_matrix_clear(&a);
    }
    lt_env_clear(&e);
}

Test(lola_kernels, conv_row)
{
    lt_env_t e;
    lt_matrix_t a;
    lola_layout_t tg, in;
    lola_step_t st, comb;
    const nn_shape_t img = {2, 6, 6};
    int64_t x[72];

    lt_env_init(&e, 64, "lola_kernels.conv_row");
    for (unsigned it = 0; it < vt_iters(1); it++) {
        /* 2 input channels, 3x3 kernel, stride 2, padding 1: 3x3 outputs
         * for each of 2 maps, window of 18 */
        lt_matrix_conv(&a, &e.rng, img, 2, 3, 2, 1, 100, 10000);
        cr_assert_eq(a.m.rows, 18);
        lt_random_vec(x, &e.rng, 72, 255);

        /* plain: the outputs straight into a chunked representation */
        cr_assert_eq(lola_layout_chunked(&tg, 64, 18, 8, 4), VEIL_OK);
        cr_assert_eq(lola_layout_conv(&in, &a.m, &tg, 0), VEIL_OK);
        cr_assert_eq(in.nct, 18);
        cr_assert_eq(lola_kernel_conv_row(&st, &a.m, &in, 0), VEIL_OK);
        cr_assert_eq(st.nout, 1);
        cr_assert_eq(st.counts.mul_plain, 18);
        cr_assert_eq(st.counts.rot + st.counts.hoist_rot, 0);
        cr_assert_eq(st.layout.map[5], 1); /* chunk 0, second copy */
        cr_assert_eq(st.layout.map[9], 5); /* chunk 1 */
        check_step(&e, &st, &a.m, &in, x, "conv plain");
        lola_step_clear(&st);
        lola_layout_clear(&in);
        lola_layout_clear(&tg);

        /* scalar (the paper): positions at slots 0..8, one output per map,
         * then combine map c at offset 9c */
        cr_assert_eq(lola_layout_dense(&tg, 64, 9, 0), VEIL_OK);
        cr_assert_eq(lola_layout_conv(&in, &a.m, &tg, 1), VEIL_OK);
        cr_assert_eq(lola_kernel_conv_row(&st, &a.m, &in, 1), VEIL_OK);
        cr_assert_eq(st.nout, 2);
        cr_assert_eq(st.counts.mul_scalar, 2 * 18);
        cr_assert_eq(st.counts.mul_plain, 0);
        check_step(&e, &st, &a.m, &in, x, "conv scalar");
        lola_rot_t rots[2] = {0, lola_rot(64, -9, 0)};
        cr_assert_eq(lola_kernel_combine(&comb, &st.layout, rots, 0), VEIL_OK);
        cr_assert_eq(comb.counts.rot, 1);
        for (size_t j = 0; j < 18; j++)
            cr_assert_eq(comb.layout.map[j], (int32_t)j);
        {
            bfv_ciphertext_t ci[18], co[2], cc;
            int64_t got[18], want[18];
            lt_env_galois(&e, &comb, 1);
            lt_encrypt(&e, ci, &in, x);
            lt_run(&e, co, &st, &a.m, ci);
            lt_run(&e, &cc, &comb, NULL, co);
            lt_decrypt(&e, got, &comb.layout, &cc);
            lt_matvec(want, &a.m, x, e.t);
            lt_assert_vec(got, want, 18, "conv scalar + combine");
            lt_cts_clear(ci, 18);
            lt_cts_clear(co, 2);
            bfv_ciphertext_clear(&cc);
        }
        /* a layout of the wrong kind is refused */
        lola_step_clear(&comb);
        cr_assert_eq(lola_kernel_conv_row(&comb, &a.m, &in, 0), VEIL_EINVAL);
        lola_step_clear(&st);
        lola_layout_clear(&in);
        lola_layout_clear(&tg);
        lt_matrix_clear(&a);
    }
    lt_env_clear(&e);
}

Test(lola_kernels, diag)
{
    lt_env_t e;
    lt_matrix_t a;
    lola_layout_t in;
    lola_step_t st;
    int64_t x[40];

    lt_env_init(&e, 256, "lola_kernels.diag");
    for (unsigned it = 0; it < vt_iters(1); it++) {
        lt_matrix_dense(&a, &e.rng, 10, 40, 100, 10000);
        lt_random_vec(x, &e.rng, 40, 100);
        for (int full = 0; full < 2; full++) {
            /* one copy, crossing the rows: every offset mod 16 is needed */
            cr_assert_eq(lola_layout_dense(&in, 256, 40, 110), VEIL_OK);
            cr_assert_eq(lola_kernel_diag(&st, &a.m, &in, 16, 0, full ? 16 : 1),
                         VEIL_OK);
            cr_assert_eq(st.counts.mul_plain, 16);
            cr_assert_eq(st.counts.hoist_prep, 1);
            /* baby-step / giant-step: 16 = (babies) x (giants) */
            cr_assert_eq((st.counts.hoist_rot + 1) *
                             (st.counts.rot - st.out[0].nfold + 1),
                         16, "hoisted %zu rot %zu", st.counts.hoist_rot,
                         st.counts.rot);
            cr_assert_gt(st.counts.hoist_rot, 0);
            cr_assert_lt(st.counts.hoist_rot, 15);
            lt_env_galois(&e, &st, 1);
            check_step(&e, &st, &a.m, &in, x, full ? "diag full" : "diag");
            lola_step_clear(&st);
            lola_layout_clear(&in);
        }
        /* forced baby steps: all 16 hoisted, no giant step */
        cr_assert_eq(lola_layout_dense(&in, 256, 40, 0), VEIL_OK);
        cr_assert_eq(lola_kernel_diag(&st, &a.m, &in, 16, 16, 1), VEIL_OK);
        cr_assert_eq(st.counts.hoist_rot, 15);
        lt_env_galois(&e, &st, 1);
        check_step(&e, &st, &a.m, &in, x, "diag baby 16");
        lola_step_clear(&st);
        lola_layout_clear(&in);
        /* chunked copies: chunk c = 4 -> offsets 0..3 only */
        cr_assert_eq(lola_layout_chunked(&in, 256, 40, 16, 4), VEIL_OK);
        cr_assert_eq(lola_kernel_diag(&st, &a.m, &in, 16, 0, 16), VEIL_OK);
        cr_assert_eq(st.counts.mul_plain, 4);
        cr_assert_eq(st.counts.hoist_rot, 3);
        cr_assert_eq(st.layout.period, 16);
        lt_env_galois(&e, &st, 1);
        check_step(&e, &st, &a.m, &in, x, "diag chunked");
        lola_step_clear(&st);
        lola_layout_clear(&in);
        /* block smaller than the rows: refused */
        cr_assert_eq(lola_layout_dense(&in, 256, 40, 0), VEIL_OK);
        cr_assert_eq(lola_kernel_diag(&st, &a.m, &in, 8, 0, 1), VEIL_EINVAL);
        lola_layout_clear(&in);
        lt_matrix_clear(&a);
    }
    lt_env_clear(&e);
}

Test(lola_kernels, simd)
{
    lt_env_t e;
    lt_matrix_t a, d;
    lola_layout_t in;
    lola_step_t st;
    const nn_shape_t img = {1, 5, 5};
    const size_t batch = 50;
    int64_t *x = malloc(batch * 25 * sizeof(int64_t));

    lt_env_init(&e, 64, "lola_kernels.simd");
    for (unsigned it = 0; it < vt_iters(1); it++) {
        lt_matrix_conv(&a, &e.rng, img, 3, 3, 2, 0, 100, 1000);
        lt_random_vec(x, &e.rng, batch * 25, 255);
        cr_assert_eq(lola_layout_simd(&in, 64, 25, batch), VEIL_OK);
        cr_assert_eq(lola_kernel_simd(&st, &a.m, &in), VEIL_OK);
        cr_assert_eq(st.nout, 12);
        cr_assert_eq(st.counts.mul_scalar, 12 * 9); /* window, no padding */
        cr_assert_eq(st.counts.rot + st.counts.hoist_rot, 0);
        check_step(&e, &st, &a.m, &in, x, "simd conv");
        lola_step_clear(&st);
        lola_layout_clear(&in);

        lt_matrix_dense(&d, &e.rng, 4, 25, 100, 1000);
        cr_assert_eq(lola_layout_simd(&in, 64, 25, batch), VEIL_OK);
        cr_assert_eq(lola_kernel_simd(&st, &d.m, &in), VEIL_OK);
        check_step(&e, &st, &d.m, &in, x, "simd dense");
        lola_step_clear(&st);
        lola_layout_clear(&in);
        lt_matrix_clear(&a);
        lt_matrix_clear(&d);
    }
    free(x);
    lt_env_clear(&e);
}

/* Stack, square, relinearize and plain rotations: element values follow
 * the representations the steps announce. */
Test(lola_kernels, stack_square_rotations)
{
    lt_env_t e;
    lola_layout_t in;
    lola_step_t st[4];
    int64_t x[12], got[12], sq[12];
    bfv_ciphertext_t c0, c1, c2, c3[2];
    lola_rot_t rots[2];

    lt_env_init(&e, 64, "lola_kernels.stack_square_rotations");
    lt_random_vec(x, &e.rng, 12, 1000);
    for (size_t i = 0; i < 12; i++)
        sq[i] = lt_centre(x[i] * x[i], e.t);
    cr_assert_eq(lola_layout_dense(&in, 64, 12, 0), VEIL_OK);
    cr_assert_eq(lola_kernel_stack(&st[0], &in, 16), VEIL_OK);
    cr_assert_eq(st[0].counts.rot, 2); /* 16 -> 32 in a row, then swap */
    cr_assert_eq(st[0].layout.map[48 + 11], 11);
    cr_assert_eq(lola_kernel_square(&st[1], &st[0].layout, 0, 3), VEIL_OK);
    cr_assert_eq(lola_kernel_relin(&st[2], &st[1].layout), VEIL_OK);
    rots[0] = lola_rot(64, 5, 0);
    rots[1] = lola_rot(64, -3, 1);
    cr_assert_eq(lola_kernel_rotations(&st[3], &st[2].layout, rots, 2),
                 VEIL_OK);
    cr_assert_eq(st[3].counts.hoist_prep, 1);
    cr_assert_eq(st[3].counts.hoist_rot, 2);
    lt_env_galois(&e, st, 4);

    lt_encrypt(&e, &c0, &in, x);
    lt_run(&e, &c1, &st[0], NULL, &c0);
    lt_decrypt(&e, got, &st[0].layout, &c1);
    lt_assert_vec(got, x, 12, "stack");
    lt_run(&e, &c2, &st[1], NULL, &c1);
    cr_assert_eq(c2.size, 3);
    lt_decrypt(&e, got, &st[1].layout, &c2);
    lt_assert_vec(got, sq, 12, "square");
    bfv_ciphertext_clear(&c0);
    lt_run(&e, &c0, &st[2], NULL, &c2);
    cr_assert_eq(c0.size, 2);
    lt_run(&e, c3, &st[3], NULL, &c0);
    lt_decrypt(&e, got, &st[3].layout, c3);
    lt_assert_vec(got, sq, 12, "rotations");
    /* the element that was at slot 16 + 5 is at slot 16 in output 0 */
    cr_assert_eq(st[3].layout.map[16], 5);
    /* a stack of a vector reaching past the period is refused */
    lola_step_t bad;
    cr_assert_eq(lola_kernel_stack(&bad, &in, 8), VEIL_EINVAL);
    for (int i = 0; i < 4; i++)
        lola_step_clear(&st[i]);
    bfv_ciphertext_clear(&c0);
    bfv_ciphertext_clear(&c1);
    bfv_ciphertext_clear(&c2);
    lt_cts_clear(c3, 2);
    lola_layout_clear(&in);
    lt_env_clear(&e);
}

/* lola_step_exec_level refuses outputs of a context that is not a level of
 * the step's (another t), and a lower level for a step that is not LINEAR;
 * at the step's own context it is lola_step_exec.  (Its results at a level
 * are checked end to end: lola_network, want_primes.) */
Test(lola_kernels, exec_level_refuses)
{
    lt_env_t e;
    lt_matrix_t a;
    lola_layout_t in;
    lola_step_t st, sq;
    lola_coefs_t c, cs;
    bfv_params_t lp, fp;
    bfv_context_t lc, fc;
    bfv_ciphertext_t ci, lo, fo, same;
    int64_t x[40];

    lt_env_init(&e, 256, "lola_kernels.exec_level_refuses");
    lt_matrix_dense(&a, &e.rng, 10, 40, 100, 10000);
    lt_random_vec(x, &e.rng, 40, 100);
    cr_assert_eq(lola_layout_dense(&in, 256, 40, 0), VEIL_OK);
    cr_assert_eq(lola_kernel_diag(&st, &a.m, &in, 16, 0, 1), VEIL_OK);
    cr_assert_eq(lola_kernel_square(&sq, &in, 1, -1), VEIL_OK);
    lt_env_galois(&e, &st, 1);
    lt_encrypt(&e, &ci, &in, x);
    lp = e.ctx.params;
    lp.n_q = 2; /* a level */
    fp = e.ctx.params;
    fp.t = 7681; /* 15 * 512 + 1, prime: another plaintext modulus */
    cr_assert_eq(bfv_context_init(&lc, &lp), VEIL_OK);
    cr_assert_eq(bfv_context_init(&fc, &fp), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&lo, &lc), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&fo, &fc), VEIL_OK);
    cr_assert_eq(bfv_ciphertext_init(&same, &e.ctx), VEIL_OK);
    cr_assert_eq(lola_coefs_init(&c, &st, &a.m, &e.ctx), VEIL_OK);
    cr_assert_eq(lola_coefs_init(&cs, &sq, NULL, &e.ctx), VEIL_OK);
    cr_assert_eq(lola_step_exec_level(&fo, &st, &c, &ci, &e.rk, &e.gk, &e.gk),
                 VEIL_EINVAL);
    cr_assert_eq(lola_step_exec_level(&lo, &st, &c, &ci, &e.rk, &e.gk, &e.gk),
                 VEIL_EINVAL); /* keys of another context than lo's */
    cr_assert_eq(lola_step_exec_level(&lo, &sq, &cs, &ci, &e.rk, &e.gk, NULL),
                 VEIL_EINVAL);
    cr_assert_eq(lola_step_exec_level(&lo, &st, &c, &ci, &e.rk, &e.gk, NULL),
                 VEIL_ENOKEY); /* the folds need lo's keys */
    cr_assert_eq(lola_step_exec_level(&same, &st, &c, &ci, &e.rk, &e.gk, NULL),
                 VEIL_OK);
    lola_coefs_clear(&c);
    lola_coefs_clear(&cs);
    bfv_ciphertext_clear(&ci);
    bfv_ciphertext_clear(&lo);
    bfv_ciphertext_clear(&fo);
    bfv_ciphertext_clear(&same);
    bfv_context_clear(&lc);
    bfv_context_clear(&fc);
    lola_step_clear(&st);
    lola_step_clear(&sq);
    lola_layout_clear(&in);
    lt_matrix_clear(&a);
    lt_env_clear(&e);
}
