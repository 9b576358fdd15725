/*
 * The garbling kernels against the portable reference, directly: for
 * random circuits and the ReLU circuit, one full group garbled and
 * evaluated by the kernel of every path this machine runs (scalar: the
 * portable reference; avx2: AES-NI; avx512: VAES) must give the same
 * tables, the same output 0-labels and the same active output labels, bit
 * for bit; and every active output label is the 0-label or the 0-label
 * XOR Delta (the evaluator learns a label, not a value).
 */
#include "gc_helpers.h"
#include "paths.h"
#include <criterion/criterion.h>

enum { L = MPC_GC_LANES };

typedef struct {
    mpc_block_t *tables; /* 2 n_and L */
    mpc_block_t *out0;   /* n_out L: output 0-labels */
    mpc_block_t *outa;   /* n_out L: active output labels */
} run_t;

/* Garble and evaluate one group of c through the active path's kernel:
 * in0 and act are the grouped 0-labels and active labels of all inputs. */
static void run_kernel(run_t *r, const mpc_circuit_t *c, const mpc_block_t *d,
                       const mpc_block_t *in0, const mpc_block_t *act)
{
    gc_ws_t g, e;
    mpc_aes_key_t pi;
    uint64_t base[L];
    cr_assert_eq(mpc_aes_init_fixed(&pi), VEIL_OK);
    for (size_t l = 0; l < L; l++)
        base[l] = 1000 + l * c->n_and;
    r->tables =
        veil_alloc(((size_t)c->n_and * 2 + 1) * L * sizeof(mpc_block_t));
    r->out0 = veil_alloc(((size_t)c->n_out + 1) * L * sizeof(mpc_block_t));
    r->outa = veil_alloc(((size_t)c->n_out + 1) * L * sizeof(mpc_block_t));
    cr_assert(r->tables != NULL && r->out0 != NULL && r->outa != NULL);
    cr_assert_eq(gc_ws_init(&g, c, 0, 0), VEIL_OK);
    cr_assert_eq(gc_ws_init(&e, c, 1, 0), VEIL_OK);
    cr_assert_eq(g.prog.in_first, 0);
    cr_assert_eq(e.prog.in_first, 0);
    g.kern->garble(&g.prog, in0, g.work, r->tables, &pi, d, base,
                   0x0123456789abcdefull);
    e.kern->eval(&e.prog, act, e.work, r->tables, &pi, base,
                 0x0123456789abcdefull);
    for (uint32_t k = 0; k < c->n_out; k++) {
        memcpy(r->out0 + (size_t)k * L,
               gc_slot(&g.prog, in0, g.work, g.prog.out_slot[k]),
               L * sizeof(mpc_block_t));
        memcpy(r->outa + (size_t)k * L,
               gc_slot(&e.prog, act, e.work, e.prog.out_slot[k]),
               L * sizeof(mpc_block_t));
    }
    gc_ws_clear(&g);
    gc_ws_clear(&e);
}

static void run_free(run_t *r)
{
    veil_free(r->tables);
    veil_free(r->out0);
    veil_free(r->outa);
}

static int check_circuit(const mpc_circuit_t *c, veil_rng_t *rng)
{
    const size_t n_in = (size_t)c->n_gin + c->n_ein;
    const size_t tb = (size_t)c->n_and * 2 * L * sizeof(mpc_block_t);
    const size_t ob = (size_t)c->n_out * L * sizeof(mpc_block_t);
    mpc_block_t d, *in0, *act;
    veil_isa_t keep = veil_isa_active();
    run_t ref, got;
    int paths = 0;
    in0 = veil_alloc((n_in + 1) * L * sizeof(mpc_block_t));
    act = veil_alloc((n_in + 1) * L * sizeof(mpc_block_t));
    cr_assert(in0 != NULL && act != NULL);
    veil_rng_bytes(rng, &d, sizeof(d));
    d.w[0] |= 1;
    veil_rng_bytes(rng, in0, n_in * L * sizeof(mpc_block_t));
    for (size_t i = 0; i < n_in * L; i++)
        act[i] = veil_rng_u64(rng) & 1 ? mpc_block_xor(in0[i], d) : in0[i];

    cr_assert_eq(veil_isa_set(VEIL_ISA_SCALAR), VEIL_OK);
    cr_assert_str_eq(mpc_gc_kernel_name(), "portable");
    run_kernel(&ref, c, &d, in0, act);
    for (size_t i = 0; i < (size_t)c->n_out * L; i++)
        cr_assert(mpc_block_eq(ref.outa[i], ref.out0[i]) ||
                      mpc_block_eq(ref.outa[i], mpc_block_xor(ref.out0[i], d)),
                  "output label %zu is neither W0 nor W0 ^ Delta", i);
    for (int v = VEIL_ISA_AVX2; v < VT_PATHS; v++) {
        if (!vt_path_set(v))
            continue;
        run_kernel(&got, c, &d, in0, act);
        cr_assert(memcmp(got.tables, ref.tables, tb) == 0, "%s: tables",
                  mpc_gc_kernel_name());
        cr_assert(memcmp(got.out0, ref.out0, ob) == 0, "%s: 0-labels",
                  mpc_gc_kernel_name());
        cr_assert(memcmp(got.outa, ref.outa, ob) == 0, "%s: active labels",
                  mpc_gc_kernel_name());
        run_free(&got);
        paths++;
    }
    vt_path_restore(keep);
    run_free(&ref);
    veil_free(in0);
    veil_free(act);
    return paths;
}

Test(gc_kernels, random_circuits_bit_identical_to_portable)
{
    veil_rng_t rng;
    int paths = 0;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_kernels_random");
    for (size_t t = 0; t < vt_iters(8); t++) {
        mpc_circuit_t c;
        uint32_t gi = 1 + (uint32_t)(veil_rng_u64(&rng) % 6);
        uint32_t ei = 1 + (uint32_t)(veil_rng_u64(&rng) % 6);
        gc_random_circuit(&c, &rng, gi, ei,
                          1 + (uint32_t)(veil_rng_u64(&rng) % 400),
                          1 + (uint32_t)(veil_rng_u64(&rng) % 30));
        cr_assert_eq(mpc_circuit_check(&c), VEIL_OK);
        paths = check_circuit(&c, &rng);
        mpc_circuit_clear(&c);
    }
    fprintf(stderr, "gc_kernels: %d accelerated kernel(s) checked\n", paths);
    veil_rng_clear(&rng);
}

Test(gc_kernels, relu_circuit_bit_identical_to_portable)
{
    veil_rng_t rng;
    mpc_circuit_t c;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&rng, "gc_kernels_relu");
    cr_assert_eq(mpc_circuit_relu(&c, MPC_FIELD_P_DEFAULT), VEIL_OK);
    check_circuit(&c, &rng);
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}
