/*
 * lola/client.c - the client's side of an encrypted LoLa evaluation: keys
 * (one secret, public, relinearization and only the Galois keys the
 * program uses, shared by every component), quantizing and laying out the
 * input, encryption, and decryption of the answer joined across components by
 * CRT.  Inputs are encrypted with the secret key (bfv_encrypt_symmetric): less
 * noise than public-key encryption (the planner counts on it) and seeded
 * ciphertexts, half the size on the wire.
 *
 * Encryptions of the components run in parallel: the caller's generator
 * first draws one seed per component, and each component then uses its own
 * generator, so the result does not depend on the number of threads.
 */
#include "internal.h"
#include <flint/fmpz.h>
#include <stdlib.h>
#include <string.h>

void lola_client_clear(lola_client_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; c->su != NULL && i < c->su->ncomp; i++) {
        bfv_secret_key_clear(&c->sk[i]);
        bfv_secret_key_clear(&c->ssk[i]);
        bfv_public_key_clear(&c->pk[i]);
    }
    lola_evalkeys_clear(&c->ek);
    veil_memzero(c, sizeof(*c));
}

static veil_status keygen_one(lola_client_t *c, size_t i,
                              const uint8_t seed[VEIL_SEED_BYTES])
{
    const bfv_context_t *ctx = &c->su->ctx[i];
    veil_rng_t rng;
    veil_status s;
    veil_rng_init_seed(&rng, seed);
    s = bfv_secret_key_init(&c->sk[i], ctx);
    if (s == VEIL_OK)
        s = bfv_public_key_init(&c->pk[i], ctx);
    if (s == VEIL_OK)
        s = bfv_keygen_secret(&c->sk[i], &rng);
    if (s == VEIL_OK)
        s = bfv_keygen_public(&c->pk[i], &c->sk[i], &rng);
    if (s == VEIL_OK) { /* the server's copy (lola_server_answer) */
        const size_t words = 2 * ctx->n_q * ctx->n;
        memcpy(c->ek.pk[i].data, c->pk[i].data, words * sizeof(uint64_t));
        memcpy(c->ek.pk[i].seed, c->pk[i].seed, VEIL_SEED_BYTES);
    }
    if (s == VEIL_OK)
        s = bfv_keygen_relin(&c->ek.rk[i], &c->sk[i], &rng);
    if (s == VEIL_OK && c->su->ngalois > 0)
        s = bfv_keygen_galois_elts(&c->ek.gk[i], &c->sk[i], c->su->galois,
                                   c->su->ngalois, &rng);
    /* answers ring-switched (lola_server_answer, step 4): a fresh ternary
     * s' of the subring and the key from s to s'(X^2) */
    if (s == VEIL_OK && c->su->ringsw)
        s = bfv_secret_key_init(&c->ssk[i], &c->su->sub[i]);
    if (s == VEIL_OK && c->su->ringsw)
        s = bfv_keygen_secret(&c->ssk[i], &rng);
    if (s == VEIL_OK && c->su->ringsw)
        s = bfv_keygen_ringsw(&c->ek.rsw, &c->sk[i], &c->ssk[i], &rng);
    veil_rng_clear(&rng);
    return s;
}

/* Component i > 0 gets component 0's secret and public key (keys do not
 * depend on t: lola_evalkeys_share). */
static veil_status share_one(lola_client_t *c, size_t i)
{
    const bfv_context_t *ctx = &c->su->ctx[i];
    veil_status s = bfv_secret_key_init(&c->sk[i], ctx);
    if (s == VEIL_OK)
        s = bfv_public_key_init(&c->pk[i], ctx);
    if (s == VEIL_OK) {
        memcpy(c->sk[i].coeffs, c->sk[0].coeffs, ctx->n);
        memcpy(c->sk[i].ntt, c->sk[0].ntt,
               ctx->n_qp * ctx->n * sizeof(uint64_t));
        memcpy(c->pk[i].data, c->pk[0].data,
               2 * ctx->n_q * ctx->n * sizeof(uint64_t));
        memcpy(c->pk[i].seed, c->pk[0].seed, VEIL_SEED_BYTES);
    }
    if (s == VEIL_OK && c->su->ringsw) { /* s' likewise (same q_0, P) */
        const bfv_context_t *sub = &c->su->sub[i];
        s = bfv_secret_key_init(&c->ssk[i], sub);
        if (s == VEIL_OK) {
            memcpy(c->ssk[i].coeffs, c->ssk[0].coeffs, sub->n);
            memcpy(c->ssk[i].ntt, c->ssk[0].ntt,
                   sub->n_qp * sub->n * sizeof(uint64_t));
        }
    }
    return s;
}

veil_status lola_client_init(lola_client_t *c, const lola_setup_t *su,
                             veil_rng_t *rng)
{
    uint8_t seeds[LOLA_MAX_PRIMES][VEIL_SEED_BYTES];
    veil_status s, err = VEIL_OK;

    if (c == NULL)
        return VEIL_EINVAL;
    memset(c, 0, sizeof(*c));
    if (su == NULL || rng == NULL || su->ncomp == 0)
        return VEIL_EINVAL;
    c->su = su;
    s = lola_evalkeys_init(&c->ek, su);
    if (s != VEIL_OK) {
        lola_client_clear(c);
        return s;
    }
    for (size_t i = 0; i < su->ncomp; i++)
        veil_rng_bytes(rng, seeds[i], VEIL_SEED_BYTES);
    /* one secret and one set of evaluation keys for every component */
    err = keygen_one(c, 0, seeds[0]);
    for (size_t i = 1; i < su->ncomp && err == VEIL_OK; i++)
        err = share_one(c, i);
    if (err == VEIL_OK)
        err = lola_evalkeys_share(&c->ek, su);
    veil_memzero(seeds, sizeof(seeds));
    if (err != VEIL_OK)
        lola_client_clear(c);
    return err;
}

veil_status lola_client_encrypt_values(lola_msg_t *m, const lola_client_t *c,
                                       const int64_t *x, size_t records,
                                       veil_rng_t *rng)
{
    const lola_setup_t *su;
    const lola_layout_t *l;
    uint8_t seeds[LOLA_MAX_PRIMES][VEIL_SEED_BYTES];
    int64_t *slots = NULL, *v = NULL;
    size_t size;
    veil_status s, err = VEIL_OK;

    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (c == NULL || c->su == NULL || x == NULL || rng == NULL)
        return VEIL_EINVAL;
    su = c->su;
    l = su->input;
    size = nn_shape_size(su->spec.in);
    if (records == 0 || records > su->spec.batch ||
        (l->rep != LOLA_SIMD && records != 1))
        return VEIL_EINVAL;
    slots = malloc(l->nct * l->n * sizeof(int64_t));
    v = calloc(l->rep == LOLA_SIMD ? l->batch * size : size, sizeof(int64_t));
    if (slots == NULL || v == NULL) {
        free(slots);
        free(v);
        return VEIL_ENOMEM;
    }
    memcpy(v, x, records * size * sizeof(int64_t)); /* other records: 0 */
    lola_layout_encode(slots, l, v);
    free(v);
    s = lola_msg_init(m, su, l->nct);
    if (s != VEIL_OK) {
        free(slots);
        return s;
    }
    for (size_t i = 0; i < su->ncomp; i++)
        veil_rng_bytes(rng, seeds[i], VEIL_SEED_BYTES);
#pragma omp parallel for schedule(dynamic)                                     \
    num_threads(veil_team()) if (su->ncomp > 1 &&                              \
                                 su->spec.params[0].n >= LOLA_PARALLEL_MIN_N)
    for (size_t i = 0; i < su->ncomp; i++) {
        bfv_plaintext_t pt;
        veil_rng_t r;
        veil_status e = bfv_plaintext_init(&pt, &su->ctx[i]);
        veil_rng_init_seed(&r, seeds[i]);
        for (size_t j = 0; j < l->nct && e == VEIL_OK; j++) {
            e = bfv_encode_batch_signed(&pt, slots + j * l->n, l->n);
            if (e == VEIL_OK)
                e = bfv_encrypt_symmetric(&m->ct[i * l->nct + j], &c->sk[i],
                                          &pt, &r);
        }
        bfv_plaintext_clear(&pt);
        veil_rng_clear(&r);
        if (e != VEIL_OK) {
#pragma omp critical(lola_client_err)
            err = e;
        }
    }
    veil_memzero(seeds, sizeof(seeds));
    veil_memzero(slots, l->nct * l->n * sizeof(int64_t));
    free(slots);
    if (err != VEIL_OK)
        lola_msg_clear(m);
    return err;
}

veil_status lola_client_encrypt(lola_msg_t *m, const lola_client_t *c,
                                const uint8_t *pixels, size_t records,
                                veil_rng_t *rng)
{
    nn_qmodel_t q;
    fmpz *xq;
    int64_t *x;
    size_t size;
    veil_status s;

    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (c == NULL || c->su == NULL || pixels == NULL || records == 0 ||
        records > c->su->spec.batch)
        return VEIL_EINVAL;
    /* the quantization of nn.h needs only the input shape and exponent */
    memset(&q, 0, sizeof(q));
    q.in = c->su->spec.in;
    q.in_exp = c->su->spec.in_exp;
    q.in_max = c->su->spec.in_max;
    size = nn_shape_size(q.in);
    xq = _fmpz_vec_init((slong)size);
    x = malloc(records * size * sizeof(int64_t));
    if (x == NULL) {
        _fmpz_vec_clear(xq, (slong)size);
        return VEIL_ENOMEM;
    }
    s = VEIL_OK;
    for (size_t b = 0; b < records && s == VEIL_OK; b++) {
        nn_qmodel_quantize_input(xq, &q, pixels + b * size);
        for (size_t i = 0; i < size; i++) {
            if (!fmpz_fits_si(xq + i)) {
                s = VEIL_ERANGE;
                break;
            }
            x[b * size + i] = fmpz_get_si(xq + i);
        }
    }
    if (s == VEIL_OK)
        s = lola_client_encrypt_values(m, c, x, records, rng);
    veil_memzero(x, records * size * sizeof(int64_t));
    free(x);
    _fmpz_vec_clear(xq, (slong)size);
    return s;
}

/* The centred residue mod T = t_0 ... t_{ncomp-1} of each of the first
 * count logits, from res[i * stride + k], the value of logit k mod t_i
 * (centred) for component i (CRT). */
static void crt_join(fmpz *logits, const lola_setup_t *su, const int64_t *res,
                     size_t stride, size_t count)
{
    fmpz_t M, r, t;
    fmpz_init(M);
    fmpz_init(r);
    fmpz_init(t);
    for (size_t k = 0; k < count; k++) {
        fmpz_set_si(logits + k, res[k]);
        fmpz_set_ui(M, su->spec.params[0].t);
        for (size_t i = 1; i < su->ncomp; i++) {
            fmpz_set_ui(t, su->spec.params[i].t);
            fmpz_set_si(r, res[i * stride + k]);
            fmpz_mod(r, r, t);
            fmpz_mod(logits + k, logits + k, M);
            fmpz_CRT(logits + k, logits + k, M, r, t, 1);
            fmpz_mul(M, M, t);
        }
    }
    fmpz_clear(M);
    fmpz_clear(r);
    fmpz_clear(t);
}

veil_status lola_client_decrypt_cts(fmpz *logits, const lola_client_t *c,
                                    size_t ncomp, size_t nct,
                                    const bfv_ciphertext_t *full,
                                    const bfv_ms_ciphertext_t *ms,
                                    size_t records)
{
    const lola_setup_t *su;
    const lola_layout_t *l;
    size_t total, ncls;
    int64_t *slots = NULL, *res = NULL;
    veil_status s = VEIL_OK;

    if (logits == NULL || c == NULL || c->su == NULL ||
        (full == NULL) == (ms == NULL))
        return VEIL_EINVAL;
    su = c->su;
    l = su->output;
    ncls = l->len;
    if (ncomp != su->ncomp || nct != l->nct || records == 0 ||
        records > (l->rep == LOLA_SIMD ? l->batch : 1))
        return VEIL_EINVAL;
    total = (l->rep == LOLA_SIMD ? l->batch : 1) * ncls;
    slots = malloc(l->nct * l->n * sizeof(int64_t));
    res = malloc(su->ncomp * total * sizeof(int64_t));
    if (slots == NULL || res == NULL) {
        free(slots);
        free(res);
        return VEIL_ENOMEM;
    }
    for (size_t i = 0; i < su->ncomp && s == VEIL_OK; i++) {
        bfv_plaintext_t pt, ps;
        memset(&ps, 0, sizeof(ps));
        s = bfv_plaintext_init(&pt, &su->ctx[i]);
        if (s == VEIL_OK && su->ringsw)
            s = bfv_plaintext_init(&ps, &su->sub[i]);
        for (size_t j = 0; j < l->nct && s == VEIL_OK; j++) {
            size_t at = i * l->nct + j;
            bfv_ms_ciphertext_t lv; /* a ciphertext at fewer primes */
            int level = full != NULL && full[at].ctx != &su->ctx[i];
            /* ring-switched (an answer, step 4): decrypt in R' with s',
             * lift 2 m_e(X^2) to R: output slot k holds a_k + a_partner,
             * the partner a ZERO slot (lola_layout_ringsw) */
            int ring = ms != NULL && su->ringsw && ms[at].ctx == &su->sub[i];
            memset(&lv, 0, sizeof(lv));
            if (ring) {
                int b;
                s = bfv_decrypt_ms(&ps, &c->ssk[i], &ms[at]);
                if (s == VEIL_OK)
                    s = bfv_ringsw_lift(&pt, &ps);
                if (s == VEIL_OK)
                    s = bfv_noise_budget_ms(&b, &c->ssk[i], &ms[at]);
                if (s == VEIL_OK && b < 1)
                    s = VEIL_ENOISE;
            } else if (level) {
                s = bfv_ms_ciphertext_init(&lv, &su->ctx[i]);
                if (s == VEIL_OK)
                    s = lola_ct_to_ms(&lv, &full[at]);
            } else if ((full != NULL ? full[at].ctx : ms[at].ctx) !=
                       &su->ctx[i]) {
                s = VEIL_EINVAL;
            }
            if (ring)
                ; /* decrypted and measured above */
            else if (s == VEIL_OK && full != NULL && !level)
                s = bfv_decrypt(&pt, &c->sk[i], &full[at]);
            else if (s == VEIL_OK)
                s = bfv_decrypt_ms(&pt, &c->sk[i], level ? &lv : &ms[at]);
            /* refuse an output whose noise may have spoilt the decryption
             * (exact budget: the client holds the key) */
            if (s == VEIL_OK && !ring) {
                int b;
                s = full != NULL && !level
                        ? bfv_noise_budget(&b, &c->sk[i], &full[at])
                        : bfv_noise_budget_ms(&b, &c->sk[i],
                                              level ? &lv : &ms[at]);
                if (s == VEIL_OK && b < 1)
                    s = VEIL_ENOISE;
            }
            bfv_ms_ciphertext_clear(&lv);
            if (s == VEIL_OK)
                s = bfv_decode_batch_signed(slots + j * l->n, &pt);
            /* in an answer only the output slots (elements and their
             * shares) carry anything: the others are masked */
            for (size_t k = 0; ms != NULL && k < l->n && s == VEIL_OK; k++) {
                const int32_t e = lola_layout_at(l, j, k);
                if (e < 0 && !LOLA_IS_SHARE(e))
                    slots[j * l->n + k] = 0;
            }
        }
        bfv_plaintext_clear(&pt);
        bfv_plaintext_clear(&ps);
        if (s == VEIL_OK)
            s = lola_layout_decode(res + i * total, l, slots, 1);
        /* an element with shares decodes to their integer sum: mod t */
        for (size_t k = 0; k < total && s == VEIL_OK; k++) {
            const int64_t t = (int64_t)su->spec.params[i].t;
            int64_t r = res[i * total + k] % t;
            r += r < 0 ? t : 0;
            res[i * total + k] = r > t / 2 ? r - t : r;
        }
    }
    if (s == VEIL_OK)
        crt_join(logits, su, res, total, records * ncls);
    veil_memzero(slots, l->nct * l->n * sizeof(int64_t));
    veil_memzero(res, su->ncomp * total * sizeof(int64_t));
    free(slots);
    free(res);
    return s;
}

veil_status lola_client_decrypt(fmpz *logits, const lola_client_t *c,
                                const lola_msg_t *m, size_t records)
{
    if (m == NULL)
        return VEIL_EINVAL;
    return lola_client_decrypt_cts(logits, c, m->ncomp, m->nct, m->ct, NULL,
                                   records);
}

veil_status lola_client_budget(int *bits, const lola_client_t *c,
                               const lola_msg_t *m)
{
    veil_status s = VEIL_OK;
    if (bits == NULL || c == NULL || c->su == NULL || m == NULL ||
        m->ncomp != c->su->ncomp)
        return VEIL_EINVAL;
    *bits = 1 << 30;
    for (size_t i = 0; i < m->ncomp && s == VEIL_OK; i++)
        for (size_t j = 0; j < m->nct && s == VEIL_OK; j++) {
            const bfv_ciphertext_t *ct = &m->ct[i * m->nct + j];
            int b;
            if (ct->ctx != &c->su->ctx[i]) { /* at fewer primes */
                bfv_ms_ciphertext_t lv;
                s = bfv_ms_ciphertext_init(&lv, &c->su->ctx[i]);
                if (s == VEIL_OK)
                    s = lola_ct_to_ms(&lv, ct);
                if (s == VEIL_OK)
                    s = bfv_noise_budget_ms(&b, &c->sk[i], &lv);
                bfv_ms_ciphertext_clear(&lv);
            } else {
                s = bfv_noise_budget(&b, &c->sk[i], ct);
            }
            if (s == VEIL_OK && b < *bits)
                *bits = b;
        }
    return s;
}
