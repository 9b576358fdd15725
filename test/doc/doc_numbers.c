/* doc_numbers.c - see doc_numbers.h */
#include "doc_numbers.h"
#include "../../bfv/bfv_internal.h"
#include "../../mpc/gc/internal.h"
#include "bfv_toy.h"
#include "veil/bfv.h"
#include "veil/bfv_serial.h"
#include "veil/lola_kernels.h"
#include "veil/mpc_bfv.h"
#include "veil/mpc_field.h"
#include "veil/mpc_gc.h"
#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dn_chapters[] = {"doc/03-bfv.md",
                                   "doc/04-bfv-multiplication.md",
                                   "doc/05-key-switching.md",
                                   "doc/06-rotations.md",
                                   "doc/07-parameters.md",
                                   "doc/08-crt-plaintexts.md",
                                   "doc/09-serialization.md",
                                   "doc/10-nn.md",
                                   "doc/11-lola.md",
                                   "doc/12-cnn-training.md",
                                   "doc/20-two-party.md",
                                   "doc/21-garbled-circuits.md",
                                   "doc/22-safenet.md",
                                   "doc/23-safenet-he.md",
                                   NULL};

/* ------------------------------------------- the toy of doc/03-07, cached */

static toy_result_t toy;
static int toy_ready;

static const char *toy_number(const char *name)
{
    if (!toy_ready) {
        if (toy_run(&toy) != 0) {
            toy_result_free(&toy);
            return NULL;
        }
        toy_ready = 1;
    }
    return toy_value(&toy, name);
}

const char *const dn_names[] = {
    "qbits",   "pbits",       "logq",       "logqp",
    "log2q",   "L",           "K",          "D",
    "M",       "rbits",       "rneed",      "logtn",
    "ct_kib",  "ksk_mib",     "ksk_mb",     "hoist_mb",
    "gk_pow2", "ntt_ks",      "ntt_decomp", "ntt_apply",
    "ntt_mul", "fresh_est",   "ser_ct",     "ser_ct_seeded",
    "ser_pk",  "ser_pk_full", "ser_rk",     "ser_rk_full",
    "ser_gk1", "ser_gk_pow2", "ser_sk",     "packed_pct",
    NULL};

/* ------------------------------------------------- one preset, cached */

typedef struct {
    size_t n;
    int ready, keys;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_ciphertext_t ct;
} preset_t;

static preset_t cache[4];

static preset_t *preset(size_t n, int keys)
{
    preset_t *p = NULL;
    bfv_params_t prm;
    for (int i = 0; i < 4; i++)
        if (n == ((size_t)4096 << i))
            p = &cache[i];
    if (p == NULL)
        return NULL;
    if (!p->ready) {
        if (bfv_params_preset(&prm, n) != VEIL_OK ||
            bfv_context_init(&p->ctx, &prm) != VEIL_OK)
            return NULL;
        p->n = n;
        p->ready = 1;
    }
    if (keys && !p->keys) {
        veil_rng_t rng;
        bfv_plaintext_t pt;
        const int64_t step = 1;
        int ok;
        if (veil_rng_init(&rng) != VEIL_OK)
            return NULL;
        ok = bfv_secret_key_init(&p->sk, &p->ctx) == VEIL_OK &&
             bfv_public_key_init(&p->pk, &p->ctx) == VEIL_OK &&
             bfv_relin_key_init(&p->rk, &p->ctx) == VEIL_OK &&
             bfv_galois_keys_init(&p->gk, &p->ctx) == VEIL_OK &&
             bfv_ciphertext_init(&p->ct, &p->ctx) == VEIL_OK &&
             bfv_keygen_secret(&p->sk, &rng) == VEIL_OK &&
             bfv_keygen_public(&p->pk, &p->sk, &rng) == VEIL_OK &&
             bfv_keygen_relin(&p->rk, &p->sk, &rng) == VEIL_OK &&
             bfv_keygen_galois_steps(&p->gk, &p->sk, &step, 1, 0, &rng) ==
                 VEIL_OK &&
             bfv_plaintext_init(&pt, &p->ctx) == VEIL_OK;
        if (ok) {
            ok = bfv_encode_scalar(&pt, 1) == VEIL_OK &&
                 bfv_encrypt_symmetric(&p->ct, &p->sk, &pt, &rng) == VEIL_OK;
            bfv_plaintext_clear(&pt);
        }
        veil_rng_clear(&rng);
        if (!ok)
            return NULL;
        p->keys = 1;
    }
    return p;
}

void dn_free_cache(void)
{
    if (toy_ready)
        toy_result_free(&toy);
    toy_ready = 0;
    dn_nn_free();
    for (int i = 0; i < 4; i++) {
        preset_t *p = &cache[i];
        if (p->keys) {
            bfv_ciphertext_clear(&p->ct);
            bfv_galois_keys_clear(&p->gk);
            bfv_relin_key_clear(&p->rk);
            bfv_public_key_clear(&p->pk);
            bfv_secret_key_clear(&p->sk);
        }
        if (p->ready)
            bfv_context_clear(&p->ctx);
        memset(p, 0, sizeof(*p));
    }
}

/* ------------------------------------------------------------- formats */

static unsigned bits(uint64_t v)
{
    return 64 - (unsigned)__builtin_clzll(v);
}

/* "44, 44, 43, 43" or "49 x 5, 48 x 3": runs of 3 or more are counted */
static void fmt_bits(char *out, size_t cap, const uint64_t *q, size_t k)
{
    size_t pos = 0, i = 0;
    out[0] = '\0';
    while (i < k) {
        size_t j = i;
        while (j < k && bits(q[j]) == bits(q[i]))
            j++;
        for (size_t r = 0; r < (j - i >= 3 ? 1 : j - i); r++)
            pos += (size_t)snprintf(out + pos, cap - pos, "%s%u",
                                    pos ? ", " : "", bits(q[i]));
        if (j - i >= 3)
            pos += (size_t)snprintf(out + pos, cap - pos, " x %zu", j - i);
        i = j;
    }
}

/* shortest of "%.1f" with a trailing ".0" dropped */
static void fmt_1(char *out, size_t cap, double v)
{
    snprintf(out, cap, "%.1f", v);
    size_t l = strlen(out);
    if (l > 2 && strcmp(out + l - 2, ".0") == 0)
        out[l - 2] = '\0';
}

/* 1234567 -> "1,234,567" */
void dn_thousands(char *out, size_t cap, unsigned long long v)
{
    char tmp[32];
    size_t l, pos = 0;
    snprintf(tmp, sizeof(tmp), "%llu", v);
    l = strlen(tmp);
    for (size_t i = 0; i < l && pos + 2 < cap; i++) {
        if (i > 0 && (l - i) % 3 == 0)
            out[pos++] = ',';
        out[pos++] = tmp[i];
    }
    out[pos] = '\0';
}

static size_t bitlen_prod(const uint64_t *q, size_t k)
{
    mpz_t x;
    size_t b;
    mpz_init_set_ui(x, 1);
    for (size_t i = 0; i < k; i++)
        mpz_mul_ui(x, x, q[i]);
    b = mpz_sizeinbase(x, 2);
    mpz_clear(x);
    return b;
}

static double log2_prod(const uint64_t *q, size_t k)
{
    double s = 0;
    for (size_t i = 0; i < k; i++)
        s += log2((double)q[i]);
    return s;
}

/* bytes of one row of n residues mod q, bit-packed (doc/09) */
static size_t row_bytes(size_t n, uint64_t q)
{
    return n * bits(q - 1) / 8;
}

/* the distinct Galois elements of bfv_keygen_galois_pow2 */
static size_t pow2_count(const bfv_context_t *ctx)
{
    uint64_t e[2 * 64 + 1];
    size_t c = 0;
    for (int64_t s = 1; s <= (int64_t)ctx->n / 4; s *= 2)
        for (int sg = -1; sg <= 1; sg += 2) {
            uint64_t g = bfv_galois_elt_from_step(ctx, sg * s);
            size_t i;
            for (i = 0; i < c && e[i] != g; i++)
                ;
            if (i == c)
                e[c++] = g;
        }
    e[c++] = bfv_galois_elt_columns(ctx);
    return c;
}

/* ------------------------------------------------------------- values */

int dn_value(char *out, size_t cap, const char *key)
{
    char name[64];
    const char *dot = strchr(key, '.');
    size_t n;
    preset_t *p;

    if (dot == NULL || (size_t)(dot - key) >= sizeof(name))
        return -1;
    memcpy(name, key, (size_t)(dot - key));
    name[dot - key] = '\0';
    n = (size_t)strtoull(dot + 1, NULL, 10);

    if (strcmp(name, "toy") == 0) { /* ARG = a value of toy_run */
        const char *v = toy_number(dot + 1);
        if (v == NULL)
            return -1;
        snprintf(out, cap, "%s", v);
        return 0;
    }
    if (strncmp(name, "gc_", 3) == 0) { /* doc/21: the ReLU circuit, ARG 0 */
        mpc_circuit_t c;
        gc_ws_t w;
        uint32_t k[5] = {0};
        long v = -1;
        if (mpc_circuit_relu(&c, MPC_FIELD_P_DEFAULT) != VEIL_OK)
            return -1;
        for (uint32_t g = 0; g < c.n_gates; g++)
            if (c.gates[g].op < 5)
                k[c.gates[g].op]++;
        if (strcmp(name, "gc_and") == 0)
            v = k[MPC_GATE_AND];
        else if (strcmp(name, "gc_xor") == 0)
            v = k[MPC_GATE_XOR];
        else if (strcmp(name, "gc_not") == 0)
            v = k[MPC_GATE_NOT];
        else if (strcmp(name, "gc_const") == 0)
            v = k[MPC_GATE_CONST0] + k[MPC_GATE_CONST1];
        else if (strcmp(name, "gc_gates") == 0)
            v = c.n_gates;
        else if (strcmp(name, "gc_ops_garbler") == 0 ||
                 strcmp(name, "gc_ops_evaluator") == 0 ||
                 strcmp(name, "gc_work") == 0) {
            const int ev = strcmp(name, "gc_ops_evaluator") == 0;
            /* the evaluator of the protocol: the offline garbler inputs
             * are hardwired (mpc/gc/relu_protocol.c) */
            if (gc_ws_init(&w, &c, ev,
                           ev ? (uint32_t)MPC_RELU_GIN_OFFLINE(c.n_ein) : 0) ==
                VEIL_OK) {
                v = strcmp(name, "gc_work") == 0 ? (long)w.prog.n_work
                                                 : (long)w.prog.n_ops;
                gc_ws_clear(&w);
            }
        }
        mpc_circuit_clear(&c);
        if (v < 0)
            return -1;
        snprintf(out, cap, "%ld", v);
        return 0;
    }
    if (strcmp(name, "lola_shares") == 0 && n >= 16) {
        /* doc/11 7.3: the slots the folds by 2 and 4 add into slot 1 at
         * ring degree n, in the order lola_step_client_sums makes them */
        const lola_rot_t folds[2] = {2, 4};
        size_t set[4] = {1}, count = 1, len = 0;
        for (size_t f = 0; f < 2; f++)
            for (size_t k = 0, c = count; k < c; k++)
                set[count++] = lola_rot_source(n, folds[f], set[k]);
        for (size_t k = 0; k < count; k++)
            len += (size_t)snprintf(out + len, cap - len, k ? ", %zu" : "%zu",
                                    set[k]);
        return 0;
    }
    if (strcmp(name, "lola_evalkeys") == 0) /* doc_lola.c, the default plan */
        return strcmp(dot + 1, "lola") == 0 ? dl_evalkeys_bytes(out, cap) : -1;
    if (strncmp(name, "cnn_", 4) == 0) /* doc_cnn.c */
        return dn_cnn_value(out, cap, name, dot + 1);
    if (strncmp(name, "nn_", 3) == 0) /* ARG = lola, lola-small[:layer] */
        return dn_nn_value(out, cap, name, dot + 1);
    if (strncmp(name, "safenet_", 8) == 0) /* ARG = shift or plan */
        return dn_safenet_value(out, cap, name, dot + 1);

    if (strcmp(name, "fixed_max") == 0) { /* ARG = fractional bits */
        mpc_field_t f;
        if (mpc_field_init(&f, 2061584302081ULL, (unsigned)n) != VEIL_OK)
            return -1;
        snprintf(out, cap, "%.0f", mpc_fixed_max(&f));
        return 0;
    }

    if (strncmp(name, "mpc_", 4) == 0) { /* SAFENet's triple generator */
        mpc_field_t f;
        bfv_params_t mp;
        unsigned logn = 0, logt;
        if (mpc_field_init(&f, 2061584302081ULL, 15) != VEIL_OK ||
            mpc_bfv_params(&mp, &f) != VEIL_OK)
            return -1;
        while (((size_t)1 << logn) < mp.n)
            logn++;
        logt = bits(mp.t);
        if (strcmp(name, "mpc_logq") == 0)
            snprintf(out, cap, "%zu", bitlen_prod(mp.q, mp.n_q));
        else if (strcmp(name, "mpc_logqp") == 0)
            snprintf(out, cap, "%u", bfv_params_log_qp(&mp));
        else if (strcmp(name, "mpc_n") == 0)
            snprintf(out, cap, "%zu", mp.n);
        else if (strcmp(name, "mpc_noise") == 0) /* mpc/triples_bfv.c */
            snprintf(out, cap, "%u", logn + 2 * logt + 4);
        else if (strcmp(name, "mpc_triple_bytes") == 0) {
            /* two seeded symmetric ciphertexts in, one full reply out,
             * per batch of n triples (mpc/triples_bfv.c) */
            bfv_context_t c;
            bfv_ciphertext_t ct;
            if (bfv_context_init(&c, &mp) != VEIL_OK)
                return -1;
            if (bfv_ciphertext_init(&ct, &c) != VEIL_OK) {
                bfv_context_clear(&c);
                return -1;
            }
            ct.seeded = 1;
            fmt_1(out, cap,
                  (2.0 * (double)bfv_ciphertext_serial_size(&ct, 0) +
                   (double)bfv_ciphertext_serial_size(&ct, BFV_SERIAL_FULL)) /
                      (double)mp.n);
            bfv_ciphertext_clear(&ct);
            bfv_context_clear(&c);
        } else if (strcmp(name, "mpc_flood") == 0)
            snprintf(out, cap, "%u",
                     logn + 2 * logt + 4 + MPC_BFV_FLOOD_BITS + logn);
        else
            return -1;
        return 0;
    }

    const int keys = strncmp(name, "ser_", 4) == 0;
    p = preset(n, keys);
    if (p == NULL)
        return -1;
    const bfv_context_t *ctx = &p->ctx;
    const bfv_params_t *prm = &ctx->params;
    const size_t L = ctx->n_q, K = ctx->n_p, D = ctx->pre->ks.digits,
                 M = ctx->pre->mul.m;
    size_t rows_q = 0, rows_qp;
    for (size_t i = 0; i < L; i++)
        rows_q += row_bytes(n, prm->q[i]);
    rows_qp = rows_q;
    for (size_t i = 0; i < K; i++)
        rows_qp += row_bytes(n, prm->p[i]);

    if (strcmp(name, "qbits") == 0)
        fmt_bits(out, cap, prm->q, L);
    else if (strcmp(name, "pbits") == 0)
        fmt_bits(out, cap, prm->p, K);
    else if (strcmp(name, "logq") == 0)
        snprintf(out, cap, "%zu", bitlen_prod(prm->q, L));
    else if (strcmp(name, "logqp") == 0)
        snprintf(out, cap, "%u", bfv_params_log_qp(prm));
    else if (strcmp(name, "log2q") == 0)
        snprintf(out, cap, "%.2f", log2_prod(prm->q, L));
    else if (strcmp(name, "L") == 0)
        snprintf(out, cap, "%zu", L);
    else if (strcmp(name, "K") == 0)
        snprintf(out, cap, "%zu", K);
    else if (strcmp(name, "D") == 0)
        snprintf(out, cap, "%zu", D);
    else if (strcmp(name, "M") == 0)
        snprintf(out, cap, "%zu", M);
    else if (strcmp(name, "rbits") == 0)
        snprintf(out, cap, "%zu", mpz_sizeinbase(ctx->pre->mul.base_r.Q, 2));
    else if (strcmp(name, "rneed") == 0)
        snprintf(out, cap, "%zu",
                 bitlen_prod(prm->q, L) + ctx->logn + bits(prm->t) + 1);
    else if (strcmp(name, "logtn") == 0)
        snprintf(out, cap, "%.0f", log2((double)prm->t * (double)n));
    else if (strcmp(name, "ct_kib") == 0)
        fmt_1(out, cap, 2.0 * (double)(L * n * 8) / 1024.0);
    else if (strcmp(name, "ksk_mib") == 0)
        fmt_1(out, cap, (double)(D * 2 * (L + K) * n * 8) / 1048576.0);
    else if (strcmp(name, "ksk_mb") == 0)
        fmt_1(out, cap, (double)(D * 2 * (L + K) * n * 8) / 1e6);
    else if (strcmp(name, "hoist_mb") == 0)
        fmt_1(out, cap, (double)(D * (L + K) * n * 8) / 1e6);
    else if (strcmp(name, "gk_pow2") == 0)
        snprintf(out, cap, "%zu", pow2_count(ctx));
    else if (strcmp(name, "ntt_ks") == 0) /* doc/05, "Counting" */
        snprintf(out, cap, "%zu", L + D * (L + K - 1) + 2 * K + 2 * L);
    else if (strcmp(name, "ntt_decomp") == 0)
        snprintf(out, cap, "%zu", L + D * (L + K - 1));
    else if (strcmp(name, "ntt_apply") == 0)
        snprintf(out, cap, "%zu", 2 * K + 2 * L);
    else if (strcmp(name, "ntt_mul") == 0) /* doc/04, "Counting" */
        snprintf(out, cap, "%zu", 4 * L + 4 * M + 3 * (L + M) + 3 * L);
    else if (strcmp(name, "packed_pct") == 0) /* doc/09: rows(Q) / 8 L n */
        snprintf(out, cap, "%.0f%%",
                 100.0 * (double)rows_q / (double)(8 * L * n));
    else if (strcmp(name, "fresh_est") == 0) /* doc/03, "Fresh noise" */
        snprintf(out, cap, "%.1f",
                 log2_prod(prm->q, L) - log2((double)prm->t) -
                     log2(34.0 * sqrt((double)n)));
    else if (strcmp(name, "ser_ct") == 0 ||
             strcmp(name, "ser_ct_seeded") == 0) {
        /* p->ct is a fresh symmetric encryption, hence seeded */
        dn_thousands(
            out, cap,
            bfv_ciphertext_serial_size(
                &p->ct, strcmp(name, "ser_ct") == 0 ? BFV_SERIAL_FULL : 0));
    } else if (strcmp(name, "ser_pk") == 0)
        dn_thousands(out, cap, bfv_public_key_serial_size(&p->pk));
    else if (strcmp(name, "ser_pk_full") == 0) /* a instead of its seed */
        dn_thousands(out, cap,
                     bfv_public_key_serial_size(&p->pk) - 32 + rows_q);
    else if (strcmp(name, "ser_rk") == 0)
        dn_thousands(out, cap, bfv_relin_key_serial_size(&p->rk));
    else if (strcmp(name, "ser_rk_full") == 0)
        dn_thousands(out, cap,
                     bfv_relin_key_serial_size(&p->rk) - 32 + D * rows_qp);
    else if (strcmp(name, "ser_gk1") == 0)
        dn_thousands(out, cap, bfv_galois_keys_serial_size(&p->gk));
    else if (strcmp(name, "ser_gk_pow2") == 0) {
        /* the set holds one key: header + count + c keys of equal size */
        const size_t one = bfv_galois_keys_serial_size(&p->gk);
        const size_t per = 8 + 32 + D * rows_qp, fixed = one - per;
        dn_thousands(out, cap, fixed + pow2_count(ctx) * per);
    } else if (strcmp(name, "ser_sk") == 0)
        dn_thousands(out, cap, bfv_secret_key_serial_size(&p->sk));
    else
        return -1;
    return 0;
}

/* ------------------------------------------------------------ checking */

size_t dn_check(const char *chapter, const char *doc,
                void (*report)(void *ctx, const char *chapter, int line,
                               const char *key, const char *want,
                               const char *found),
                void *rctx)
{
    const char *at = doc;
    size_t seen = 0;
    while ((at = strstr(at, "<!--#")) != NULL) {
        const char *k = at + 5, *end = strstr(k, "-->");
        char key[96], want[128], found[128];
        int line = 1;
        if (end == NULL || (size_t)(end - k) >= sizeof(key)) {
            report(rctx, chapter, -1, "(unterminated marker)", NULL, "");
            break;
        }
        for (const char *c = doc; c < at; c++)
            line += *c == '\n';
        memcpy(key, k, (size_t)(end - k));
        key[end - k] = '\0';
        end += 3;
        snprintf(found, sizeof(found), "%.*s", (int)strcspn(end, "\n"), end);
        seen++;
        if (dn_value(want, sizeof(want), key) != 0)
            report(rctx, chapter, line, key, NULL, found);
        else if (strncmp(end, want, strlen(want)) != 0)
            report(rctx, chapter, line, key, want, found);
        at = end;
    }
    return seen;
}
