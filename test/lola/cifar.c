/* The paper's CIFAR-10 network family (section 4.4: conv, square, conv,
 * square, dense) through the planner, end to end: generated weights of a
 * realistic scale (lola_model_generate), the planner's own kernels and
 * parameters, decrypted logits equal to the exact integer evaluator.  The
 * full CIFAR-10 size is run by `veil-bench lola` (op cifar10); here a
 * smaller member of the family: 3 x 12 x 12 input, conv 4 x 4 stride 2
 * pad 1 with 6 maps (6 x 6 x 6 = 216 nodes), square, conv 3 x 3 x 6 stride
 * 2 with 8 maps (8 x 2 x 2 = 32 nodes), square, dense 32 -> 10. */
#include "common.h"
#include "veil/lola_models.h"
#include <criterion/criterion.h>
#include <stdlib.h>

Test(lola_cifar, shape_matches_paper)
{
    lola_cnn2_shape_t sh;
    nn_model_t m;
    lola_cnn2_cifar10(&sh);
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    /* the paper's node counts: 3072 inputs, 16268 and 4075 hidden */
    cr_assert_eq(nn_shape_size(m.in), 3072);
    cr_assert_eq(nn_shape_size(m.layers[0].out), 16268);
    cr_assert_eq(nn_shape_size(m.layers[2].out), 4075);
    cr_assert_eq(nn_shape_size(m.layers[4].out), 10);
    nn_model_clear(&m);
}

Test(lola_cifar, generated_scale)
{
    /* the batch-norm-like scaling keeps every hidden value near the target
     * scale: the float pre-activations of a sample have rms about 1 */
    const lola_cnn2_shape_t sh = {{3, 12, 12}, 4, 2, 1, 6, 3, 2, 0, 8, 10};
    nn_model_t m;
    nn_qmodel_t q;
    veil_rng_t rng;
    vt_rng(&rng, "lola_cifar_scale");
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 32, 1.0f, 6, 4), VEIL_OK);
    {
        float x[3 * 12 * 12], *work, y[10];
        double ss = 0;
        work = malloc(nn_model_work_size(&m) * sizeof(float));
        cr_assert_not_null(work);
        for (int r = 0; r < 8; r++) {
            for (size_t i = 0; i < 3 * 12 * 12; i++)
                x[i] = (float)(veil_rng_u64(&rng) & 255) / NN_PIXEL_SCALE;
            nn_model_forward(y, &m, x, work);
            for (int j = 0; j < 10; j++)
                ss += (double)y[j] * y[j];
        }
        free(work);
        ss /= 80;
        cr_assert(ss > 0.05 && ss < 20.0, "logit mean square %g", ss);
    }
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

Test(lola_cifar, small_family_exact, .timeout = 600)
{
    const lola_cnn2_shape_t sh = {{3, 12, 12}, 4, 2, 1, 6, 3, 2, 0, 8, 10};
    nn_model_t m;
    nn_qmodel_t q;
    veil_rng_t rng;
    lola_options_t o;
    lola_spec_t spec;
    lola_report_t rep;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv;
    lola_msg_t in, out;
    nn_qtrace_t tr;
    const size_t size = 3 * 12 * 12, images = 2;
    uint8_t px[3 * 12 * 12];

    vt_rng(&rng, "lola_cifar_small");
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 32, 1.0f, 5, 4), VEIL_OK);
    lola_options_default(&o);
    o.allow_insecure = 1; /* small rings: the test is about exactness */
    o.n = 4096;
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_OK);
    cr_assert_eq(lola_setup_init(&su, &spec), VEIL_OK);
    cr_assert_eq(lola_client_init(&cl, &su, &rng), VEIL_OK);
    cr_assert_eq(lola_server_init(&sv, &su, &q), VEIL_OK);
    cr_assert_eq(nn_qtrace_init(&tr, &q), VEIL_OK);
    fmpz *logits = _fmpz_vec_init((slong)su.classes);
    for (size_t b = 0; b < images; b++) {
        for (size_t i = 0; i < size; i++)
            px[i] = (uint8_t)veil_rng_u64(&rng);
        cr_assert_eq(lola_client_encrypt(&in, &cl, px, 1, &rng), VEIL_OK);
        cr_assert_eq(lola_server_eval(&out, &sv, &in, &cl.ek), VEIL_OK);
        cr_assert_eq(lola_client_decrypt(logits, &cl, &out, 1), VEIL_OK);
        nn_qmodel_quantize_input(tr.v[0], &q, px);
        nn_qmodel_eval(&tr, &q);
        for (size_t j = 0; j < su.classes; j++)
            cr_assert(fmpz_equal(logits + j, tr.v[q.nlayers] + j),
                      "image %zu logit %zu differs", b, j);
        lola_msg_clear(&in);
        lola_msg_clear(&out);
    }
    _fmpz_vec_clear(logits, (slong)su.classes);
    nn_qtrace_clear(&tr);
    lola_server_clear(&sv);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

/* The server's compact convolution weights (lola_matrix_entry from the
 * kernel, no rows x cols expansion) give every entry of the expanded
 * matrix of lola_matrix_from_layer, padding included. */
Test(lola_cifar, matrix_entry_compact)
{
    const lola_cnn2_shape_t sh = {{3, 12, 12}, 4, 2, 1, 6, 3, 2, 0, 8, 10};
    nn_model_t m;
    nn_qmodel_t q;
    veil_rng_t rng;
    vt_rng(&rng, "lola_cifar_entry");
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 8, 1.0f, 4, 4), VEIL_OK);
    for (uint32_t li = 0; li < q.nlayers; li++) {
        const nn_qlayer_t *l = &q.layers[li];
        lola_matrix_t full, comp;
        int32_t *w;
        size_t nz = 0;
        if (l->type != NN_LAYER_CONV2D)
            continue;
        cr_assert_eq(lola_matrix_from_layer(&full, &w, l), VEIL_OK);
        comp = full;
        comp.w = NULL;
        comp.kernel = l->w;
        for (size_t r = 0; r < full.rows; r++)
            for (size_t c = 0; c < full.cols; c++) {
                int ok = 0;
                const int32_t v = lola_matrix_entry(&comp, r, c, &ok);
                cr_assert(ok);
                cr_assert_eq(v, w[r * full.cols + c], "layer %u (%zu, %zu)", li,
                             r, c);
                nz += v != 0;
            }
        cr_assert_gt(nz, 0);
        /* no weights at all: refused */
        comp.kernel = NULL;
        {
            int ok = 1;
            (void)lola_matrix_entry(&comp, 0, 0, &ok);
            cr_assert_eq(ok, 0);
        }
        free(w);
    }
    nn_qmodel_clear(&q);
    nn_model_clear(&m);
}

/* Distinct non-identity rotations a program's steps name (baby, giant,
 * fold): the Galois keys it would need without Horner's rule. */
static size_t rotations_named(const lola_setup_t *su)
{
    const size_t n = su->spec.params[0].n;
    uint8_t *seen = calloc(n, 1);
    size_t count = 0;
    cr_assert_not_null(seen);
    for (size_t k = 0; k < su->nsteps; k++) {
        const lola_step_t *st = &su->steps[k];
        if (st->kind != LOLA_STEP_LINEAR)
            continue;
        for (size_t o = 0; o < st->nout; o++) {
            const lola_output_t *op = &st->out[o];
            for (size_t i = 0; i < op->nterms; i++) {
                count += op->terms[i].baby && !seen[op->terms[i].baby]++;
                count += op->terms[i].giant && !seen[op->terms[i].giant]++;
            }
            for (size_t f = 0; f < op->nfold; f++)
                count += op->fold[f] && !seen[op->fold[f]]++;
        }
    }
    free(seen);
    return count;
}

/* The CIFAR-10 plan's kernels (conv-plain, diag, dense-row) on the small
 * family, several plaintext primes (4): every plaintext streamed (budget 0)
 * against every plaintext precomputed: the same output ciphertexts word
 * for word, and logits equal to the exact evaluator's; one secret key and
 * one set of evaluation keys for both components; the diagonal step's
 * giant steps need one Galois key (Horner's rule). */
Test(lola_cifar, stream_shared_keys_exact, .timeout = 600)
{
    const lola_cnn2_shape_t sh = {{3, 12, 12}, 4, 2, 1, 6, 3, 2, 0, 8, 10};
    nn_model_t m;
    nn_qmodel_t q;
    veil_rng_t rng;
    lola_options_t o;
    lola_spec_t spec;
    lola_report_t rep;
    lola_setup_t su;
    lola_client_t cl;
    lola_server_t sv_pre, sv_str;
    nn_qtrace_t tr;
    const size_t size = 3 * 12 * 12, images = 2;
    uint8_t px[3 * 12 * 12];
    size_t with_plains = 0;

    vt_rng(&rng, "lola_cifar_stream");
    cr_assert_eq(lola_cnn2_model(&m, &sh), VEIL_OK);
    cr_assert_eq(lola_model_generate(&q, &m, &rng, 32, 1.0f, 5, 4), VEIL_OK);
    lola_options_default(&o);
    o.allow_insecure = 1; /* small rings: the test is about exactness */
    o.n = 4096;
    /* the full size's kernels; block 32 and chunks of 32 give the diagonal
     * step 32 offsets: 8 baby steps and giant steps 8, 16, 24 */
    o.kernels = "conv-plain,diag:32:32,dense-row";
    cr_assert_eq(lola_plan(&spec, &rep, &q, &o), VEIL_OK);
    cr_assert_eq(lola_setup_init(&su, &spec), VEIL_OK);
    cr_assert_geq(su.ncomp, 2); /* several plaintext primes */
    /* Horner: fewer keys than rotations named */
    cr_assert_lt(su.ngalois, rotations_named(&su), "%zu keys", su.ngalois);

    cr_assert_eq(lola_client_init(&cl, &su, &rng), VEIL_OK);
    cr_assert(cl.ek.shared);
    cr_assert_eq(cl.ek.gk[1].keys, cl.ek.gk[0].keys);
    cr_assert_eq(cl.ek.gk[1].ctx, &su.ctx[1]);
    cr_assert_eq(cl.ek.rk[1].ksk.data, cl.ek.rk[0].ksk.data);
    cr_assert_eq(memcmp(cl.sk[1].coeffs, cl.sk[0].coeffs, su.ctx[0].n), 0);

    cr_assert_eq(lola_server_init_budget(&sv_pre, &su, &q, SIZE_MAX), VEIL_OK);
    cr_assert_eq(lola_server_init_budget(&sv_str, &su, &q, 0), VEIL_OK);
    for (size_t k = 0; k < su.nsteps; k++)
        with_plains +=
            su.steps[k].kind == LOLA_STEP_LINEAR && su.steps[k].nplains > 0;
    cr_assert_gt(with_plains, 0);
    cr_assert_eq(sv_pre.streamed, 0);
    cr_assert_gt(sv_pre.plain_bytes, 0);
    cr_assert_eq(sv_str.streamed, with_plains);
    cr_assert_eq(sv_str.plain_bytes, 0);
    {
        /* a budget just below everything: the largest step streamed */
        lola_server_t sv_mid;
        cr_assert_eq(
            lola_server_init_budget(&sv_mid, &su, &q, sv_pre.plain_bytes - 1),
            VEIL_OK);
        cr_assert_eq(sv_mid.streamed, 1);
        cr_assert_lt(sv_mid.plain_bytes, sv_pre.plain_bytes);
        lola_server_clear(&sv_mid);
    }
    for (size_t j = 0; j < su.ncomp * su.nsteps; j++)
        if (sv_str.coefs[j].nplains > 0)
            cr_assert(sv_str.coefs[j].stream && sv_str.coefs[j].plains == NULL);
    nn_model_clear(&m);

    cr_assert_eq(nn_qtrace_init(&tr, &q), VEIL_OK);
    fmpz *logits = _fmpz_vec_init((slong)su.classes);
    for (size_t b = 0; b < images; b++) {
        lola_msg_t in, out_pre, out_str;
        for (size_t i = 0; i < size; i++)
            px[i] = (uint8_t)veil_rng_u64(&rng);
        cr_assert_eq(lola_client_encrypt(&in, &cl, px, 1, &rng), VEIL_OK);
        cr_assert_eq(lola_server_eval(&out_pre, &sv_pre, &in, &cl.ek), VEIL_OK);
        cr_assert_eq(lola_server_eval(&out_str, &sv_str, &in, &cl.ek), VEIL_OK);
        for (size_t i = 0; i < out_pre.ncomp * out_pre.nct; i++) {
            const bfv_ciphertext_t *a = &out_pre.ct[i], *c = &out_str.ct[i];
            cr_assert_eq(a->size, c->size);
            cr_assert_eq(memcmp(a->data, c->data,
                                a->size * su.ctx[0].n_q * su.ctx[0].n *
                                    sizeof(uint64_t)),
                         0, "image %zu ciphertext %zu differs", b, i);
        }
        cr_assert_eq(lola_client_decrypt(logits, &cl, &out_str, 1), VEIL_OK);
        nn_qmodel_quantize_input(tr.v[0], &q, px);
        nn_qmodel_eval(&tr, &q);
        for (size_t j = 0; j < su.classes; j++)
            cr_assert(fmpz_equal(logits + j, tr.v[q.nlayers] + j),
                      "image %zu logit %zu differs", b, j);
        lola_msg_clear(&in);
        lola_msg_clear(&out_pre);
        lola_msg_clear(&out_str);
    }
    _fmpz_vec_clear(logits, (slong)su.classes);
    nn_qtrace_clear(&tr);
    lola_server_clear(&sv_pre);
    lola_server_clear(&sv_str);
    lola_client_clear(&cl);
    lola_setup_clear(&su);
    nn_qmodel_clear(&q);
}
