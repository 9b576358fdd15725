/* Whole networks: plan, set up both sides, encrypt, evaluate on the server
 * with only the evaluation keys, decrypt, and compare with the exact integer
 * evaluator (nn_qmodel_eval) bit for bit.  Small random models at small
 * insecure ring degrees cover every variant and kernel combination; the
 * shipped models run at the planner's 128-bit parameters on MNIST test
 * images.  The noise budget measured after every step must not be more
 * than 3 bits below the planner's prediction.
 * Small rings run on one thread: the library does not parallelise below
 * LOLA_PARALLEL_MIN_N, and on a loaded machine the bfv layer's tiny OpenMP
 * regions would only spin; results do not depend on the thread count
 * (checked on the shipped models). */
#include "common.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#ifndef VEIL_SOURCE_DIR
#define VEIL_SOURCE_DIR "."
#endif

typedef struct {
    lola_client_t *c;
    int *bits;
    size_t primes[LOLA_REPORT_STEPS]; /* of each step's outputs */
} trace_t;

static int on_step(void *arg, size_t step, const lola_msg_t *msg)
{
    trace_t *t = arg;
    t->primes[step] = msg->ct[0].ctx->n_q;
    return lola_client_budget(&t->bits[step], t->c, msg) != VEIL_OK;
}

/* Plans in which a step with folds ended at the next step's level (its
 * outputs switched before the folds, lola_step_exec_level). */
static size_t folds_lower;

/* The primes step k's outputs must have at levels: the next step's when k
 * is LINEAR with folds and the next step runs at fewer primes (its folds
 * then run there), else step k's own. */
static size_t want_primes(const lola_setup_t *su, const uint8_t *limbs,
                          size_t k)
{
    const lola_step_t *st = &su->steps[k];
    size_t folds = 0;
    if (st->kind == LOLA_STEP_LINEAR)
        for (size_t o = 0; o < st->nout; o++)
            folds += st->out[o].nfold;
    if (k + 1 < su->nsteps && folds > 0 && limbs[k + 1] < limbs[k]) {
        folds_lower++;
        return limbs[k + 1];
    }
    return limbs[k];
}

/* Plan q with the options, run `records` inputs x (quantized values, record
 * major) end to end and compare every logit with the exact evaluator. */
/* Every logit of `records` records equals the exact integer evaluator's
 * on the inputs x (records x the model's input size). */
static void logits_are_exact(const fmpz *logits, const nn_qmodel_t *q,
                             const int64_t *x, size_t records, size_t classes,
                             const char *what, const char *tag)
{
    const size_t size = nn_shape_size(q->in);
    nn_qtrace_t tr;
    cr_assert_eq(nn_qtrace_init(&tr, q), VEIL_OK);
    for (size_t b = 0; b < records; b++) {
        for (size_t i = 0; i < size; i++)
            fmpz_set_si(tr.v[0] + i, x[b * size + i]);
        nn_qmodel_eval(&tr, q);
        for (size_t j = 0; j < classes; j++)
            cr_assert(
                fmpz_equal(logits + b * classes + j, tr.v[q->nlayers] + j),
                "%s: %srecord %zu logit %zu differs", what, tag, b, j);
    }
    nn_qtrace_clear(&tr);
}

static void run_network(const nn_qmodel_t *q, const lola_options_t *o,
                        const int64_t *x, size_t records, veil_rng_t *rng,
                        const char *what, int check_threads)
{
    lola_spec_t spec, back;
    lola_report_t rep;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    lola_msg_t in, out;
    int bits[LOLA_REPORT_STEPS];
    trace_t tt;
    uint8_t *buf;
    size_t len;
    veil_status s;

    s = lola_plan(&spec, &rep, q, o);
    cr_assert_eq(s, VEIL_OK, "%s: plan: %s", what, veil_strerror(s));
    /* the spec survives its byte format */
    cr_assert_eq(lola_spec_serialize(&buf, &len, &spec), VEIL_OK);
    cr_assert_eq(spec.params[0].allow_insecure
                     ? lola_spec_parse_insecure(&back, buf, len)
                     : lola_spec_parse(&back, buf, len),
                 VEIL_OK);
    cr_assert_str_eq(back.kernels, spec.kernels);
    cr_assert_eq(back.nprimes, spec.nprimes);
    free(buf);

    cr_assert_eq(lola_setup_init(&su, &back), VEIL_OK, "%s: setup", what);
    cr_assert_eq(lola_client_init(&cl, &su, rng), VEIL_OK);
    cr_assert_eq(cl.ek.gk[0].count, su.ngalois);
    cr_assert_eq(lola_server_init(&sv, &su, q), VEIL_OK);
    cr_assert_eq(lola_client_encrypt_values(&in, &cl, x, records, rng),
                 VEIL_OK);
    tt.c = &cl;
    tt.bits = bits;
    s = lola_server_eval_trace(&out, &sv, &in, &cl.ek, on_step, &tt);
    cr_assert_eq(s, VEIL_OK, "%s: eval: %s", what, veil_strerror(s));
    /* the prediction may exceed the measured budget by a bit or two (it
     * bounds the noise's rms, and a tail factor turns that into a maximum);
     * the planner keeps a margin of o->margin bits for that */
    for (size_t i = 0; i < rep.nsteps; i++)
        cr_assert_geq((double)bits[i], rep.steps[i].budget - 3.0,
                      "%s: step %zu (%s): measured budget %d below the "
                      "prediction %.1f",
                      what, i, rep.steps[i].kernel, bits[i],
                      rep.steps[i].budget);
    cr_assert_gt(bits[rep.nsteps - 1], 0);
    if (check_threads) {
        /* the same answer, word for word, with one and with two threads */
        for (int th = 1; th <= 2; th++) {
            lola_msg_t again;
            omp_set_num_threads(th);
            cr_assert_eq(lola_server_eval(&again, &sv, &in, &cl.ek), VEIL_OK);
            for (size_t i = 0; i < out.ncomp * out.nct; i++) {
                const bfv_ciphertext_t *a = &out.ct[i], *b = &again.ct[i];
                cr_assert_eq(a->size, b->size);
                cr_assert(memcmp(a->data, b->data,
                                 a->size * a->ctx->n_q * a->ctx->n *
                                     sizeof(uint64_t)) == 0,
                          "%s: %d threads changed ciphertext %zu", what, th, i);
            }
            lola_msg_clear(&again);
        }
    }

    fmpz *logits = _fmpz_vec_init((slong)(records * su.classes));
    s = lola_client_decrypt(logits, &cl, &out, records);
    cr_assert_eq(s, VEIL_OK, "%s: decrypt: %s", what, veil_strerror(s));
    logits_are_exact(logits, q, x, records, su.classes, what, "");

    /* the same at levels (lola_server_init_levels): steps switched down to
     * fewer primes where the prediction allows; the logits must still be
     * the exact evaluator's, the final budget at least the level
     * prediction (within the same 3 bits), and where the server chose a
     * level the output really has fewer primes */
    {
        lola_server_t lv;
        lola_msg_t lout;
        int lbits[LOLA_REPORT_STEPS];
        tt.bits = lbits;
        cr_assert_eq(lola_server_init_levels(&lv, &su, q, LOLA_PLAIN_BUDGET, 1),
                     VEIL_OK);
        cr_assert_geq(lv.budget, sv.budget - 1.0, "%s: levels cost budget",
                      what);
        s = lola_server_eval_trace(&lout, &lv, &in, &cl.ek, on_step, &tt);
        cr_assert_eq(s, VEIL_OK, "%s: levels eval: %s", what, veil_strerror(s));
        cr_assert_geq((double)lbits[rep.nsteps - 1], lv.budget - 3.0,
                      "%s: levels: measured final budget %d below the "
                      "prediction %.1f",
                      what, lbits[rep.nsteps - 1], lv.budget);
        for (size_t c = 0; c < su.ncomp; c++)
            cr_assert_eq(lout.ct[c * lout.nct].ctx->n_q,
                         lv.limbs != NULL ? lv.limbs[su.nsteps - 1]
                                          : su.ctx[c].n_q,
                         "%s: output primes", what);
        for (size_t k = 0; lv.limbs != NULL && k < su.nsteps; k++)
            cr_assert_eq(tt.primes[k], want_primes(&su, lv.limbs, k),
                         "%s: step %zu's outputs at %zu primes", what, k,
                         tt.primes[k]);
        cr_assert_eq(lola_client_decrypt(logits, &cl, &lout, records), VEIL_OK,
                     "%s: levels decrypt", what);
        logits_are_exact(logits, q, x, records, su.classes, what, "levels: ");
        lola_msg_clear(&lout);
        lola_server_clear(&lv);
    }
    _fmpz_vec_clear(logits, (slong)(records * su.classes));
    lola_msg_clear(&in);
    lola_msg_clear(&out);
    lola_server_clear(&sv);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
}

static void random_inputs(int64_t *x, veil_rng_t *rng, size_t count,
                          int64_t max)
{
    for (size_t i = 0; i < count; i++)
        x[i] = (int64_t)(veil_rng_u64(rng) % (uint64_t)(max + 1));
}

/* Every kernel combination the compiler accepts, each variant, n = 512.
 * LoLa-Dense's convolution outputs sit in the image frames, so it has no
 * stacked input for the next layer. */
Test(lola_network, small_models_every_plan, .timeout = 240)
{
    static const struct {
        const char *kernels;
        int dense_too;
    } plans[] = {{"conv-plain,diag,stacked", 1},
                 {"conv-plain,diag,diag", 1},
                 {"conv-plain,stacked,dense-row", 0},
                 {"conv-scalar,diag,dense-row", 1},
                 {"paper", 0},
                 {"conv-plain,dense-row,sparse-col", 1},
                 {"conv-scalar,diag:64,diag", 1}};
    nn_qmodel_t q;
    lola_options_t o;
    veil_rng_t rng;
    int64_t x[64 * 4];

    vt_rng(&rng, "lola_network.small_models_every_plan");
    cr_assert_eq(veil_init(), VEIL_OK);
    omp_set_num_threads(1);
    lt_small_model(&q, &rng, 0, 1);
    random_inputs(x, &rng, 64 * 4, q.in_max);
    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = 512;
    for (size_t i = 0; i < sizeof(plans) / sizeof(*plans); i++) {
        o.kernels = plans[i].kernels;
        o.variant = LOLA_VARIANT_CONV;
        run_network(&q, &o, x, 1, &rng, plans[i].kernels, 0);
        if (!plans[i].dense_too)
            continue;
        o.variant = LOLA_VARIANT_DENSE;
        run_network(&q, &o, x, 1, &rng, plans[i].kernels, 0);
    }
    /* automatic choices, and CryptoNets with 4 records in a batch of 16 */
    o.kernels = NULL;
    o.variant = LOLA_VARIANT_CONV;
    run_network(&q, &o, x, 1, &rng, "auto", 0);
    o.variant = LOLA_VARIANT_SIMD;
    o.batch = 16;
    run_network(&q, &o, x, 4, &rng, "cryptonets", 0);
    nn_qmodel_clear(&q);

    lt_small_model(&q, &rng, 1, 1);
    o.variant = LOLA_VARIANT_CONV;
    o.batch = 0;
    run_network(&q, &o, x, 1, &rng, "small auto", 0);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
    cr_assert_gt(folds_lower, 0, "no plan folded at the next step's level");
}

/* Kernel strings that do not fit the network are refused. */
Test(lola_network, bad_plans)
{
    nn_qmodel_t q;
    lola_options_t o;
    lola_spec_t spec;
    lola_report_t rep;
    veil_rng_t rng;

    vt_rng(&rng, "lola_network.bad_plans");
    omp_set_num_threads(1);
    lt_small_model(&q, &rng, 0, 1);
    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = 512;
    o.kernels = "conv-plain,diag"; /* one kernel short */
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_EINVAL);
    o.kernels = "diag,diag,diag"; /* no conv first */
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_EPARAM);
    o.kernels = "conv-plain,fancy,diag";
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_EINVAL);
    o.kernels = "conv-plain,diag:12,diag"; /* block not a power of two */
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_EINVAL);
    o.kernels = NULL;
    o.n = 500;
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_EINVAL);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
}

/* The spec parser refuses malformed bytes: every truncation, and single
 * byte changes in the fields it checks. */
Test(lola_network, spec_parse_hostile)
{
    nn_qmodel_t q;
    lola_options_t o;
    lola_spec_t spec, back;
    lola_report_t rep;
    veil_rng_t rng;
    uint8_t *buf;
    size_t len;

    vt_rng(&rng, "lola_network.spec_parse_hostile");
    omp_set_num_threads(1);
    lt_small_model(&q, &rng, 0, 1);
    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = 512;
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_OK);
    cr_assert_eq(lola_spec_serialize(&buf, &len, &spec), VEIL_OK);
    /* n = 512 with the insecure flag: refused from bytes, accepted only
     * when the local caller opts in */
    cr_assert_eq(lola_spec_parse(&back, buf, len), VEIL_EFORMAT);
    cr_assert_eq(lola_spec_parse_insecure(&back, buf, len), VEIL_OK);
    for (size_t cut = 0; cut < len; cut++)
        cr_assert_eq(lola_spec_parse_insecure(&back, buf, cut), VEIL_EFORMAT,
                     "truncated to %zu", cut);
    uint8_t *big = malloc(len + 1);
    memcpy(big, buf, len);
    big[len] = 0;
    cr_assert_eq(lola_spec_parse_insecure(&back, big, len + 1), VEIL_EFORMAT);
    free(big);
    /* magic, version, variant, layer count, a layer type, a shape, a
     * kernel name character, the prime count */
    const size_t spots[] = {0, 8, 10, 12, 16, 50, 60, 80};
    for (size_t i = 0; i < sizeof(spots) / sizeof(*spots); i++) {
        buf[spots[i]] ^= 0x5a;
        veil_status s = lola_spec_parse_insecure(&back, buf, len);
        cr_assert(s == VEIL_EFORMAT || s == VEIL_OK, "offset %zu", spots[i]);
        if (s == VEIL_OK) /* a change the format allows must still plan */
            cr_assert_eq(back.nlayers, spec.nlayers);
        buf[spots[i]] ^= 0x5a;
    }
    /* random garbage of every length up to 300 bytes */
    for (size_t l = 0; l < 300; l++) {
        uint8_t g[300];
        veil_rng_bytes(&rng, g, l);
        cr_assert_eq(lola_spec_parse(&back, g, l), VEIL_EFORMAT);
    }
    free(buf);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
}

/* The shipped models at the planner's 128-bit parameters, on MNIST test
 * images. */
static void shipped(const char *file, const char *variant, size_t images,
                    int check_threads)
{
    char path[1024], dir[1024];
    nn_model_t m;
    nn_qmodel_t q;
    nn_dataset_t ds;
    lola_options_t o;
    veil_rng_t rng;
    nn_qtrace_t tr;
    const size_t size = 784;
    int64_t *x = malloc(images * size * sizeof(int64_t));

    vt_rng(&rng, file);
    cr_assert_eq(veil_init(), VEIL_OK);
    snprintf(path, sizeof(path), "%s/models/%s", VEIL_SOURCE_DIR, file);
    cr_assert_eq(nn_model_load(&m, path), VEIL_OK, "%s", path);
    cr_assert_eq(nn_qmodel_init(&q, &m), VEIL_OK);
    cr_assert_eq(nn_mnist_locate(dir, sizeof(dir), NULL, VEIL_SOURCE_DIR),
                 VEIL_OK);
    cr_assert_eq(nn_mnist_load(&ds, dir, NN_MNIST_TEST), VEIL_OK, "%s", dir);
    cr_assert_eq(nn_qtrace_init(&tr, &q), VEIL_OK);
    for (size_t b = 0; b < images; b++) {
        nn_qmodel_quantize_input(tr.v[0], &q, ds.images + b * size);
        for (size_t i = 0; i < size; i++)
            x[b * size + i] = fmpz_get_si(tr.v[0] + i);
    }
    lola_options_default(&o);
    cr_assert_eq(lola_variant_parse(&o.variant, variant), VEIL_OK);
    for (size_t b = 0; b < images; b++)
        run_network(&q, &o, x + b * size, 1, &rng, variant, check_threads);
    nn_qtrace_clear(&tr);
    nn_dataset_clear(&ds);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
    veil_rng_clear(&rng);
    free(x);
}

Test(lola_network, shipped_lola, .timeout = 240)
{
    shipped("lola.vmodel", "lola", 1, 0);
}
Test(lola_network, shipped_lola_small, .timeout = 240)
{
    shipped("lola-small.vmodel", "lola-small", 2, 1);
}
Test(lola_network, shipped_lola_dense, .timeout = 240)
{
    shipped("lola.vmodel", "lola-dense", 1, 0);
}
