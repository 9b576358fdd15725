/*
 * lola/costs.c - what BFV operations cost, for the planner's cost model:
 * a table measured on the reference machine, and a routine that measures
 * them for a parameter set (medians of repeated runs of the thread CPU
 * time, which a busy machine disturbs less than wall time).
 */
#include "internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Microseconds per operation, one thread, at the parameters the planner
 * uses for each n (bfv_params_from_budget at the 128-bit bound).  Measured
 * with lola_costs_measure (veil-bench lola --costs) on the reference
 * machine; doc/11-lola.md has the command and the machine. */
static const lola_costs_t table[] = {
    /* n     rot     prep    hrot    mplain mscal  add    addpl  square
     *       relin */
    {4096, 114.3, 36.4, 71.6, 5.7, 3.6, 3.4, 23.6, 339.4, 104.7},
    {8192, 799.4, 245.1, 318.8, 35.6, 24.1, 19.1, 92.7, 1554.9, 602.7},
    {16384, 6554.4, 3075.7, 3931.7, 136.5, 70.8, 68.4, 390.7, 9518.4, 6608.0},
    {32768, 130292.5, 34213.8, 28870.2, 1149.6, 442.0, 571.2, 5123.9, 100788.0,
     147946.4},
};
#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

veil_status lola_costs_default(lola_costs_t *c, size_t n)
{
    size_t i = 0;
    double f;
    if (c == NULL || !lola_pow2(n) || n < ((size_t)1 << NTT_MIN_LOGN) ||
        n > ((size_t)1 << NTT_MAX_LOGN))
        return VEIL_EINVAL;
    while (i + 1 < TABLE_LEN && table[i].n < n)
        i++;
    *c = table[i];
    /* outside the table: scale by n log n (NTTs dominate every operation) */
    f = ((double)n * log2((double)n)) /
        ((double)table[i].n * log2((double)table[i].n));
    c->n = n;
    c->rot *= f;
    c->hoist_prep *= f;
    c->hoist_rot *= f;
    c->mul_plain *= f;
    c->mul_scalar *= f;
    c->add *= f;
    c->add_plain *= f;
    c->square *= f;
    c->relin *= f;
    return VEIL_OK;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int dbl_cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum {
    OP_ROT,
    OP_PREP,
    OP_HROT,
    OP_MPLAIN,
    OP_MSCAL,
    OP_ADD,
    OP_ADDPL,
    OP_SQUARE,
    OP_RELIN,
    OP_COUNT
};

typedef struct {
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_public_key_t pk;
    bfv_relin_key_t rk;
    bfv_galois_keys_t gk;
    bfv_plaintext_t pt;
    bfv_plaintext_ntt_t ptn;
    bfv_ciphertext_t a, b, c3;
    bfv_hoisted_t h;
    uint64_t elt;
} bench_t;

static veil_status run_op(bench_t *w, int op)
{
    switch (op) {
    case OP_ROT:
        return bfv_apply_galois(&w->b, &w->a, w->elt, &w->gk);
    case OP_PREP:
        return bfv_hoisted_prepare(&w->h, &w->a);
    case OP_HROT:
        return bfv_hoisted_apply_galois(&w->b, &w->h, w->elt, &w->gk);
    case OP_MPLAIN:
        return bfv_mul_plain(&w->b, &w->a, &w->ptn);
    case OP_MSCAL:
        return bfv_mul_scalar(&w->b, &w->a, 12345);
    case OP_ADD:
        return bfv_add(&w->b, &w->a, &w->a);
    case OP_ADDPL:
        return bfv_add_plain(&w->b, &w->a, &w->pt);
    case OP_SQUARE:
        return bfv_square(&w->c3, &w->a);
    default:
        return bfv_relinearize(&w->b, &w->c3, &w->rk);
    }
}

veil_status lola_costs_measure(lola_costs_t *c, const bfv_params_t *p, int runs)
{
    bench_t w;
    veil_rng_t rng;
    double *t = NULL, med[OP_COUNT];
    veil_status s;

    if (c == NULL || p == NULL || runs < 1)
        return VEIL_EINVAL;
    memset(&w, 0, sizeof(w));
    s = veil_rng_init(&rng);
    if (s != VEIL_OK)
        return s;
    t = malloc((size_t)runs * sizeof(double));
    if (t == NULL) {
        veil_rng_clear(&rng);
        return VEIL_ENOMEM;
    }
    s = bfv_context_init(&w.ctx, p);
    if (s == VEIL_OK && !w.ctx.batching)
        s = VEIL_EPARAM;
    if (s == VEIL_OK)
        s = bfv_secret_key_init(&w.sk, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_public_key_init(&w.pk, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_relin_key_init(&w.rk, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_galois_keys_init(&w.gk, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_plaintext_init(&w.pt, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_plaintext_ntt_init(&w.ptn, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_ciphertext_init(&w.a, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_ciphertext_init(&w.b, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_ciphertext_init(&w.c3, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_hoisted_init(&w.h, &w.ctx);
    if (s == VEIL_OK)
        s = bfv_keygen_secret(&w.sk, &rng);
    if (s == VEIL_OK)
        s = bfv_keygen_public(&w.pk, &w.sk, &rng);
    if (s == VEIL_OK)
        s = bfv_keygen_relin(&w.rk, &w.sk, &rng);
    w.elt = lola_rot_galois(p->n, lola_rot(p->n, 7, 0));
    if (s == VEIL_OK)
        s = bfv_keygen_galois_elts(&w.gk, &w.sk, &w.elt, 1, &rng);
    if (s == VEIL_OK)
        s = bfv_encode_scalar(&w.pt, 3);
    if (s == VEIL_OK)
        s = bfv_plaintext_to_ntt(&w.ptn, &w.pt);
    if (s == VEIL_OK)
        s = bfv_encrypt(&w.a, &w.pk, &w.pt, &rng);
    if (s == VEIL_OK)
        s = bfv_square(&w.c3, &w.a);
    if (s == VEIL_OK)
        s = bfv_hoisted_prepare(&w.h, &w.a);
    for (int op = 0; op < OP_COUNT && s == VEIL_OK; op++) {
        for (int r = 0; r < runs && s == VEIL_OK; r++) {
            const double t0 = now_us();
            s = run_op(&w, op);
            t[r] = now_us() - t0;
        }
        qsort(t, (size_t)runs, sizeof(double), dbl_cmp);
        med[op] = t[runs / 2];
    }
    if (s == VEIL_OK) {
        c->n = p->n;
        c->rot = med[OP_ROT];
        c->hoist_prep = med[OP_PREP];
        c->hoist_rot = med[OP_HROT];
        c->mul_plain = med[OP_MPLAIN];
        c->mul_scalar = med[OP_MSCAL];
        c->add = med[OP_ADD];
        c->add_plain = med[OP_ADDPL];
        c->square = med[OP_SQUARE];
        c->relin = med[OP_RELIN];
    }
    bfv_hoisted_clear(&w.h);
    bfv_ciphertext_clear(&w.c3);
    bfv_ciphertext_clear(&w.b);
    bfv_ciphertext_clear(&w.a);
    bfv_plaintext_ntt_clear(&w.ptn);
    bfv_plaintext_clear(&w.pt);
    bfv_galois_keys_clear(&w.gk);
    bfv_relin_key_clear(&w.rk);
    bfv_public_key_clear(&w.pk);
    bfv_secret_key_clear(&w.sk);
    bfv_context_clear(&w.ctx);
    veil_rng_clear(&rng);
    free(t);
    return s;
}
