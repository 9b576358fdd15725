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
#include "paths.h"
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
    e.tweak = g.tweak; /* what the protocol's set-up sends */
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

/* Select the path `which` (scalar: the portable kernel, avx2: AES-NI or
 * VAES-256, avx512: VAES; paths.h) if this machine runs it; restore_isa()
 * afterwards. */
enum { N_KERNELS = VT_PATHS };
static int set_kernel(int which)
{
    return vt_path_set(which);
}

static void restore_isa(void)
{
    vt_path_restore(veil_isa_best());
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

/* A fixed session tweak block T (low bit 0), high word not 0, and a low
 * word that makes the counter wrap around 2^64 within the first instances
 * (the kernels add in the low word mod 2^64). */
static const mpc_block_t fixed_tweak = {
    {UINT64_MAX - 7, 0x0badc0ffee15900dull}};

/* The tables of n instances of c for a fixed Delta, fixed 0-labels and the
 * fixed session tweak, garbled in calls of `step` instances. */
static mpc_block_t *tables_for(const mpc_circuit_t *c, const mpc_block_t *d,
                               const mpc_block_t *zero, size_t n, size_t step,
                               uint8_t *dec)
{
    mpc_gc_garbler_t g;
    size_t n_in = c->n_gin + c->n_ein;
    mpc_block_t *tab = veil_alloc(n * c->n_and * 2 * sizeof(mpc_block_t));
    cr_assert_eq(mpc_gc_garbler_init(&g, d), VEIL_OK);
    g.tweak = fixed_tweak;
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
    e.tweak = g.tweak;
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
    /* an evaluator with another session's tweak block decodes garbage */
    e.and_ctr = 1000;
    e.tweak.w[1] ^= 1;
    wrong = 0;
    cr_assert_eq(mpc_gc_eval(&e, out, &c, lab, tab, dec, n), VEIL_OK);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(
            mpc_circuit_eval(want, &c, bits + i * n_in, bits + i * n_in + 16),
            VEIL_OK);
        wrong += out[i] != want[0];
    }
    cr_assert_gt(wrong, 0, "the session tweak must bind the tables");
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

/* ------------------------------------------------ known-answer tables */

/* H(X, t) = pi(K) ^ K, K = sigma(X) ^ T', T' the session's tweak block T
 * with t added to its low word (mod 2^64), sigma(xL || xR) =
 * (xL ^ xR || xL) with xL = w[1]: written here from GKWY20 section 7.3
 * with the AES of mpc_aes_ecb (checked against FIPS-197 in test/mpc/aes.c),
 * sharing no code with the kernels. */
static mpc_block_t kat_hash(const mpc_aes_key_t *pi, mpc_block_t x, uint64_t t)
{
    mpc_block_t k, e;
    /* the tweak: the session's T plus t in the low word */
    k.w[1] = x.w[1] ^ x.w[0] ^ fixed_tweak.w[1];
    k.w[0] = x.w[1] ^ (fixed_tweak.w[0] + t);
    mpc_aes_ecb(&e, pi, &k, 1);
    e.w[0] ^= k.w[0];
    e.w[1] ^= k.w[1];
    return e;
}

static mpc_block_t kat_xor(mpc_block_t a, mpc_block_t b)
{
    mpc_block_t r = {{a.w[0] ^ b.w[0], a.w[1] ^ b.w[1]}};
    return r;
}

/* One half-gates AND (ZRE15 figure 2) with tweaks 2j and 2j + 1: TG, TE
 * and the output 0-label. */
static mpc_block_t kat_and(mpc_block_t *tg, mpc_block_t *te,
                           const mpc_aes_key_t *pi, mpc_block_t d,
                           mpc_block_t a0, mpc_block_t b0, uint64_t j)
{
    const mpc_block_t a1 = kat_xor(a0, d), b1 = kat_xor(b0, d);
    const mpc_block_t z = {{0, 0}};
    const uint64_t pa = a0.w[0] & 1, pb = b0.w[0] & 1;
    const mpc_block_t ha0 = kat_hash(pi, a0, 2 * j);
    const mpc_block_t hb0 = kat_hash(pi, b0, 2 * j + 1);
    mpc_block_t wg, we;
    *tg = kat_xor(kat_xor(ha0, kat_hash(pi, a1, 2 * j)), pb ? d : z);
    wg = kat_xor(ha0, pa ? *tg : z);
    *te = kat_xor(kat_xor(hb0, kat_hash(pi, b1, 2 * j + 1)), a0);
    we = kat_xor(hb0, pb ? kat_xor(*te, a0) : z);
    return kat_xor(wg, we);
}

/* Fixed Delta, fixed 0-labels, fixed session tweak, counter from 0: every
 * kernel's tables equal the straightforward half-gates above, gate by
 * gate.  Giving both half gates one tweak (which lets the evaluator learn
 * Delta from TG ^ TE on equal labels), reusing tweaks across gates or
 * instances, or leaving out the session's tweak fails here. */
Test(gc_garble, known_answer_tables_fixed_delta)
{
    enum { N = 3, N_IN = 2, N_AND = 2 };
    static const char text[] = "circuit 1 1 2 1\n"
                               "2 AND 0 1\n"
                               "3 AND 2 1\n"
                               "output 3\n";
    mpc_circuit_t c;
    mpc_aes_key_t pi;
    mpc_block_t d = {{0x0123456789abcdefull | 1, 0xfedcba9876543210ull}};
    mpc_block_t zero[N * N_IN], want[N * N_AND * 2];
    uint8_t dec[N], want_dec[N];

    cr_assert_eq(mpc_circuit_parse(&c, text, sizeof(text) - 1), VEIL_OK);
    cr_assert_eq(mpc_aes_init_fixed(&pi), VEIL_OK);
    for (size_t i = 0; i < N * N_IN; i++) {
        zero[i].w[0] = 0x1111111111111111ull * (i + 1) + (i & 1);
        zero[i].w[1] = 0x0f0f0f0f0f0f0f0full ^ (i << 40);
    }
    /* expected: group of N lanes, per gate the N TGs then the N TEs */
    for (size_t i = 0; i < N; i++) {
        const mpc_block_t a = zero[i * N_IN], b = zero[i * N_IN + 1];
        mpc_block_t tg, te, w;
        w = kat_and(&tg, &te, &pi, d, a, b, i * N_AND + 0);
        want[0 * 2 * N + i] = tg;
        want[0 * 2 * N + N + i] = te;
        w = kat_and(&tg, &te, &pi, d, w, b, i * N_AND + 1);
        want[1 * 2 * N + i] = tg;
        want[1 * 2 * N + N + i] = te;
        want_dec[i] = (uint8_t)(w.w[0] & 1);
    }
    for (int k = 0; k < N_KERNELS; k++) {
        mpc_block_t *tab;
        if (!set_kernel(k))
            continue;
        tab = tables_for(&c, &d, zero, N, N, dec);
        for (size_t x = 0; x < N * N_AND * 2; x++)
            cr_assert(memcmp(&tab[x], &want[x], sizeof(mpc_block_t)) == 0,
                      "kernel %d: table block %zu", k, x);
        cr_assert(memcmp(dec, want_dec, N) == 0, "kernel %d: decoding", k);
        veil_free(tab);
    }
    restore_isa();
    mpc_aes_clear(&pi);
    mpc_circuit_clear(&c);
}

/* ------------------------------------------------ tweaks across sessions */

/* Two garblers (two sessions) with the same Delta and the same 0-labels:
 * their session tweak blocks differ in the high word, so no tweak of one
 * session's sequence (T + 2j, T + 2j + 1 in the low word) appears in the
 * other's, and their tables differ in every block.  Before the tweaks were per
 * session, both sessions hashed under 0, 1, 2, ... and gave identical tables.
 */
Test(gc_garble, two_sessions_never_share_tweaks)
{
    enum { N = MPC_GC_LANES + 3, SESSIONS = 8 };
    static const char text[] = "circuit 1 1 2 1\n"
                               "2 AND 0 1\n"
                               "3 AND 2 1\n"
                               "output 3\n";
    mpc_circuit_t c;
    mpc_gc_garbler_t g[SESSIONS];
    mpc_block_t d = {{0x0123456789abcdefull | 1, 0xfedcba9876543210ull}};
    mpc_block_t zero[N * 2], *tab[SESSIONS];
    uint8_t dec[N];
    veil_rng_t rng;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_sessions");
    cr_assert_eq(mpc_circuit_parse(&c, text, sizeof(text) - 1), VEIL_OK);
    veil_rng_bytes(&rng, zero, sizeof(zero));
    for (int s = 0; s < SESSIONS; s++) {
        cr_assert_eq(mpc_gc_garbler_init(&g[s], &d), VEIL_OK);
        cr_assert_eq(g[s].tweak.w[0] & 1, 0, "T + 2j must be even");
        tab[s] = veil_alloc(N * c.n_and * 2 * sizeof(mpc_block_t));
        cr_assert_eq(mpc_gc_garble(&g[s], tab[s], dec, &c, zero, N), VEIL_OK);
    }
    for (int s = 0; s < SESSIONS; s++)
        for (int r = 0; r < s; r++) {
            /* a session's tweaks are (T.hi, T.lo + k mod 2^64), k < 2^63
             * (gc_counter_ok): two sessions can share one only if their
             * high words agree (probability 2^-64 per pair); doc/21 */
            cr_assert_neq(g[s].tweak.w[1], g[r].tweak.w[1],
                          "sessions %d and %d share tweaks", r, s);
            for (size_t x = 0; x < N * c.n_and * 2; x++)
                cr_assert(
                    memcmp(&tab[s][x], &tab[r][x], sizeof(mpc_block_t)) != 0,
                    "sessions %d and %d: table block %zu repeats", r, s, x);
        }
    for (int s = 0; s < SESSIONS; s++) {
        veil_free(tab[s]);
        mpc_gc_garbler_clear(&g[s]);
    }
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}
