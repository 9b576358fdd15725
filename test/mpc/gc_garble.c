/*
 * Tests of garbling in memory: random circuits (with constants, NOT gates
 * and repeated operands) and the stock circuits garbled and evaluated for
 * batches of every size around the lane count, against direct plaintext
 * evaluation; the VAES and AES-NI kernels against each other bit for bit;
 * the table layout's independence of how a batch is split into calls and
 * of the number of OpenMP threads; the tweaks actually mattering; bad
 * arguments.
 */
#include "gc_helpers.h"
#include <criterion/criterion.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Garble n instances of c on random inputs, evaluate, compare every output
 * bit with mpc_circuit_eval. */
static void garble_and_check(const mpc_circuit_t *c, size_t n, veil_rng_t *rng)
{
    mpc_gc_garbler_t g;
    mpc_gc_evaluator_t e;
    size_t n_in = c->n_gin + c->n_ein;
    mpc_block_t *zero = veil_alloc((n * n_in + 1) * sizeof(mpc_block_t));
    mpc_block_t *lab = veil_alloc((n * n_in + 1) * sizeof(mpc_block_t));
    mpc_block_t *tab = veil_alloc((n * c->n_and * 2 + 1) * sizeof(mpc_block_t));
    uint8_t *bits = malloc(n * n_in + 1), *dec = malloc(n * c->n_out + 1);
    uint8_t *out = malloc(n * c->n_out + 1), *want = malloc(c->n_out + 1);
    cr_assert_eq(mpc_gc_garbler_init(&g, NULL), VEIL_OK);
    cr_assert_eq(mpc_gc_evaluator_init(&e), VEIL_OK);
    cr_assert_eq(g.delta.w[0] & 1, 1);
    for (size_t j = 0; j < n * n_in; j++)
        bits[j] = (uint8_t)(veil_rng_u64(rng) & 1);
    mpc_gc_random_labels(&g, zero, n * n_in);
    cr_assert_eq(mpc_gc_garble(&g, tab, dec, c, zero, n), VEIL_OK);
    cr_assert_eq(g.and_ctr, (uint64_t)n * c->n_and);
    mpc_gc_encode(lab, &g, zero, bits, n * n_in);
    cr_assert_eq(mpc_gc_eval(&e, out, c, lab, tab, dec, n), VEIL_OK);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *in = bits + i * n_in;
        cr_assert_eq(mpc_circuit_eval(want, c, in, in + c->n_gin), VEIL_OK);
        cr_assert(memcmp(want, out + i * c->n_out, c->n_out) == 0,
                  "instance %zu of %zu (%u gates, %u ANDs)", i, n, c->n_gates,
                  c->n_and);
    }
    mpc_gc_garbler_clear(&g);
    mpc_gc_evaluator_clear(&e);
    veil_free(zero);
    veil_free(lab);
    veil_free(tab);
    free(bits);
    free(dec);
    free(out);
    free(want);
}

/* Select the path `which` (scalar: the portable kernel, avx2: AES-NI,
 * avx512: VAES) if this machine runs it; restore_isa() afterwards. */
enum { N_KERNELS = VEIL_ISA_COUNT };
static int set_kernel(int which)
{
    veil_isa_t isa = (veil_isa_t)which;
    if (!veil_isa_supported(isa))
        return 0;
    cr_assert_eq(veil_isa_set(isa), VEIL_OK);
    return 1;
}

static void restore_isa(void)
{
    cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
}

Test(gc_garble, every_path_has_a_kernel)
{
    mpc_gc_garbler_t g;
    cr_assert_eq(veil_init(), VEIL_OK);
    for (int kern = 0; kern < N_KERNELS; kern++) {
        if (!set_kernel(kern))
            continue;
        cr_assert_eq(mpc_gc_garbler_init(&g, NULL), VEIL_OK);
        fprintf(stderr, "gc kernel under %s: %s\n",
                veil_isa_name(veil_isa_active()), mpc_gc_kernel_name());
        if (kern == VEIL_ISA_SCALAR)
            cr_assert_str_eq(mpc_gc_kernel_name(), "portable");
        mpc_gc_garbler_clear(&g);
        mpc_gc_garbler_clear(&g);
    }
    restore_isa();
}

Test(gc_garble, random_circuits_match_plaintext_on_every_kernel)
{
    veil_rng_t rng;
    enum { L = MPC_GC_LANES };
    static const size_t ns[] = {1, 2, L - 1, L, L + 1, 2 * L, 2 * L + 5};
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_random_circuits");
    for (int kern = 0; kern < N_KERNELS; kern++) {
        if (!set_kernel(kern))
            continue;
        for (size_t t = 0; t < vt_iters(12); t++) {
            mpc_circuit_t c;
            uint32_t gi = (uint32_t)(veil_rng_u64(&rng) % 6);
            uint32_t ei = (uint32_t)(veil_rng_u64(&rng) % 6);
            uint32_t gates = 1 + (uint32_t)(veil_rng_u64(&rng) % 600);
            gc_random_circuit(&c, &rng, gi, ei, gates,
                              1 + (uint32_t)(veil_rng_u64(&rng) % 40));
            cr_assert_eq(mpc_circuit_check(&c), VEIL_OK);
            garble_and_check(&c, ns[t % (sizeof(ns) / sizeof(ns[0]))], &rng);
            mpc_circuit_clear(&c);
        }
    }
    restore_isa();
    veil_rng_clear(&rng);
}

Test(gc_garble, stock_circuits_match_plaintext)
{
    veil_rng_t rng;
    mpc_circuit_t cs[6];
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_stock");
    cr_assert_eq(mpc_circuit_adder(&cs[0], 64), VEIL_OK);
    cr_assert_eq(mpc_circuit_subtractor(&cs[1], 41), VEIL_OK);
    cr_assert_eq(mpc_circuit_compare(&cs[2], 41), VEIL_OK);
    cr_assert_eq(mpc_circuit_mux(&cs[3], 41), VEIL_OK);
    cr_assert_eq(mpc_circuit_add_mod(&cs[4], MPC_FIELD_P_DEFAULT), VEIL_OK);
    cr_assert_eq(mpc_circuit_relu(&cs[5], MPC_FIELD_P_DEFAULT), VEIL_OK);
    for (int i = 0; i < 6; i++) {
        garble_and_check(&cs[i], 37, &rng);
        mpc_circuit_clear(&cs[i]);
    }
    veil_rng_clear(&rng);
}

/* The tables of n instances of c for a fixed Delta and fixed 0-labels,
 * garbled in calls of `step` instances. */
static mpc_block_t *tables_for(const mpc_circuit_t *c, const mpc_block_t *d,
                               const mpc_block_t *zero, size_t n, size_t step,
                               uint8_t *dec)
{
    mpc_gc_garbler_t g;
    size_t n_in = c->n_gin + c->n_ein;
    mpc_block_t *tab = veil_alloc(n * c->n_and * 2 * sizeof(mpc_block_t));
    cr_assert_eq(mpc_gc_garbler_init(&g, d), VEIL_OK);
    for (size_t i = 0; i < n; i += step) {
        size_t m = n - i < step ? n - i : step;
        cr_assert_eq(mpc_gc_garble(&g, tab + i * c->n_and * 2,
                                   dec + i * c->n_out, c, zero + i * n_in, m),
                     VEIL_OK);
    }
    mpc_gc_garbler_clear(&g);
    return tab;
}

Test(gc_garble, kernels_and_call_splits_give_identical_tables)
{
    enum { L = MPC_GC_LANES, N = 2 * L + 11 }; /* two groups and a part */
    veil_rng_t rng;
    mpc_circuit_t c;
    mpc_block_t d, *zero, *ref;
    size_t n_in, tbytes;
    uint8_t dref[N * 41], dec[N * 41];
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_identical");
    cr_assert_eq(mpc_circuit_relu(&c, MPC_FIELD_P_DEFAULT), VEIL_OK);
    n_in = c.n_gin + c.n_ein;
    tbytes = N * c.n_and * 2 * sizeof(mpc_block_t);
    zero = veil_alloc(N * n_in * sizeof(mpc_block_t));
    veil_rng_bytes(&rng, zero, N * n_in * sizeof(mpc_block_t));
    veil_rng_bytes(&rng, &d, sizeof(d));
    cr_assert(set_kernel(VEIL_ISA_SCALAR)); /* the portable reference */
    ref = tables_for(&c, &d, zero, N, N, dref);
    for (int kern = 0; kern < N_KERNELS; kern++) {
        /* calls of whole groups give the layout of one call */
        static const size_t steps[] = {N, L, 2 * L};
        if (!set_kernel(kern))
            continue;
        for (size_t s = 0; s < 3; s++) {
            mpc_block_t *t = tables_for(&c, &d, zero, N, steps[s], dec);
            cr_assert(memcmp(t, ref, tbytes) == 0, "kernel %s, step %zu",
                      mpc_gc_kernel_name(), steps[s]);
            cr_assert(memcmp(dec, dref, sizeof(dec)) == 0);
            veil_free(t);
        }
    }
    restore_isa();
    veil_free(ref);
    veil_free(zero);
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}

Test(gc_garble, thread_count_does_not_change_tables)
{
    enum { N = 5 * MPC_GC_LANES + 3 };
    veil_rng_t rng;
    mpc_circuit_t c;
    mpc_block_t d, *zero, *t1, *t2;
    uint8_t d1[N * 41], d2[N * 41];
    size_t n_in;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_threads");
    cr_assert_eq(mpc_circuit_relu(&c, MPC_FIELD_P_DEFAULT), VEIL_OK);
    n_in = c.n_gin + c.n_ein;
    zero = veil_alloc(N * n_in * sizeof(mpc_block_t));
    veil_rng_bytes(&rng, zero, N * n_in * sizeof(mpc_block_t));
    veil_rng_bytes(&rng, &d, sizeof(d));
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    t1 = tables_for(&c, &d, zero, N, N, d1);
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    t2 = tables_for(&c, &d, zero, N, N, d2);
    cr_assert(memcmp(t1, t2, N * c.n_and * 2 * sizeof(mpc_block_t)) == 0);
    cr_assert(memcmp(d1, d2, sizeof(d1)) == 0);
    garble_and_check(&c, N, &rng); /* garbled and evaluated on 2 threads */
    veil_free(t1);
    veil_free(t2);
    veil_free(zero);
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}

Test(gc_garble, evaluation_splits_and_wrong_tweaks)
{
    veil_rng_t rng;
    mpc_circuit_t c;
    mpc_gc_garbler_t g;
    mpc_gc_evaluator_t e;
    enum { L = MPC_GC_LANES };
    const size_t n = L + L / 2;
    size_t n_in;
    mpc_block_t *zero, *lab, *tab;
    uint8_t *bits, dec[L + L / 2], out[L + L / 2], want[1];
    int wrong = 0;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_splits");
    cr_assert_eq(mpc_circuit_compare(&c, 16), VEIL_OK);
    n_in = c.n_gin + c.n_ein;
    zero = veil_alloc(n * n_in * sizeof(mpc_block_t));
    lab = veil_alloc(n * n_in * sizeof(mpc_block_t));
    tab = veil_alloc(n * c.n_and * 2 * sizeof(mpc_block_t));
    bits = malloc(n * n_in);
    cr_assert_eq(mpc_gc_garbler_init(&g, NULL), VEIL_OK);
    cr_assert_eq(mpc_gc_evaluator_init(&e), VEIL_OK);
    for (size_t j = 0; j < n * n_in; j++)
        bits[j] = (uint8_t)(veil_rng_u64(&rng) & 1);
    g.and_ctr = e.and_ctr = 1000; /* a session that already garbled */
    mpc_gc_random_labels(&g, zero, n * n_in);
    mpc_gc_encode(lab, &g, zero, bits, n * n_in);
    cr_assert_eq(mpc_gc_garble(&g, tab, dec, &c, zero, n), VEIL_OK);
    /* evaluate as one group, then the partial one: any split into whole
     * groups */
    cr_assert_eq(mpc_gc_eval(&e, out, &c, lab, tab, dec, L), VEIL_OK);
    cr_assert_eq(mpc_gc_eval(&e, out + L, &c, lab + L * n_in,
                             tab + L * c.n_and * 2, dec + L, L / 2),
                 VEIL_OK);
    cr_assert_eq(e.and_ctr, g.and_ctr);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(
            mpc_circuit_eval(want, &c, bits + i * n_in, bits + i * n_in + 16),
            VEIL_OK);
        cr_assert_eq(out[i], want[0]);
    }
    /* an evaluator whose counter is off decodes garbage */
    e.and_ctr = 1001;
    cr_assert_eq(mpc_gc_eval(&e, out, &c, lab, tab, dec, n), VEIL_OK);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(
            mpc_circuit_eval(want, &c, bits + i * n_in, bits + i * n_in + 16),
            VEIL_OK);
        wrong += out[i] != want[0];
    }
    cr_assert_gt(wrong, 0, "tweaks must bind the tables to their gates");
    /* bad arguments */
    cr_assert_eq(mpc_gc_garble(&g, tab, dec, &c, zero, 0), VEIL_EINVAL);
    cr_assert_eq(mpc_gc_garble(&g, NULL, dec, &c, zero, 1), VEIL_EINVAL);
    cr_assert_eq(mpc_gc_eval(&e, out, &c, lab, tab, NULL, 1), VEIL_EINVAL);
    c.n_and++;
    cr_assert_eq(mpc_gc_garble(&g, tab, dec, &c, zero, 1), VEIL_EFORMAT);
    cr_assert_eq(mpc_gc_eval(&e, out, &c, lab, tab, dec, 1), VEIL_EFORMAT);
    c.n_and--;
    g.and_ctr = UINT64_MAX >> 2;
    cr_assert_eq(mpc_gc_garble(&g, tab, dec, &c, zero, 1), VEIL_EINVAL);
    mpc_gc_garbler_clear(&g);
    mpc_gc_evaluator_clear(&e);
    veil_free(zero);
    veil_free(lab);
    veil_free(tab);
    free(bits);
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}
