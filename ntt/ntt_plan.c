/*
 * ntt_plan.c - building and freeing NTT plans: parameter checks, the root
 * psi, the scalar twiddle tables (bit-reversed powers of psi and psi^-1 with
 * Shoup constants, layout in ntt_internal.h) and the choice of kernel table.
 */
#include "config.h"
#include "ntt_internal.h"
#include <flint/ulong_extras.h>

static const struct ntt_kernels *kernels_for(veil_isa_t isa)
{
    switch (isa) {
    case VEIL_ISA_SCALAR:
        return &ntt_kernels_scalar;
    case VEIL_ISA_AVX2:
#if defined(VEIL_HAVE_AVX2)
        return &ntt_kernels_avx2;
#else
        return NULL;
#endif
    case VEIL_ISA_AVX512:
#if defined(VEIL_HAVE_AVX512)
        return &ntt_kernels_avx512;
#else
        return NULL;
#endif
    }
    return NULL;
}

static unsigned bit_reverse(size_t k, unsigned bits)
{
    size_t r = 0;
    for (unsigned i = 0; i < bits; i++, k >>= 1)
        r = (r << 1) | (k & 1);
    return (unsigned)r;
}

/* Fill the scalar tables of ntt_internal.h; VEIL_ENOMEM or VEIL_EPARAM. */
static veil_status tables_init_scalar(ntt_plan_t *plan)
{
    const size_t n = plan->n;
    const uint64_t q = plan->q;
    ntt_tables_t *t;
    uint64_t psi_inv, *pw, *ipw;

    if (ntt_inv_mod(&psi_inv, plan->psi, q) != VEIL_OK)
        return VEIL_EPARAM;
    t = veil_calloc(1, sizeof(*t));
    if (t == NULL)
        return VEIL_ENOMEM;
    t->w = veil_calloc(4 * n, sizeof(uint64_t));
    pw = veil_calloc(2 * n, sizeof(uint64_t));
    if (t->w == NULL || pw == NULL) {
        veil_free(t->w);
        veil_free(t);
        veil_free(pw);
        return VEIL_ENOMEM;
    }
    t->wp = t->w + n;
    t->iw = t->w + 2 * n;
    t->iwp = t->w + 3 * n;

    /* powers psi^j and psi^-j in natural order, then scattered */
    ipw = pw + n;
    pw[0] = ipw[0] = 1;
    for (size_t j = 1; j < n; j++) {
        pw[j] = ntt_mul_mod(pw[j - 1], plan->psi, &plan->mod);
        ipw[j] = ntt_mul_mod(ipw[j - 1], psi_inv, &plan->mod);
    }
    for (size_t k = 0; k < n; k++) {
        unsigned r = bit_reverse(k, plan->logn);
        t->w[k] = pw[r];
        t->iw[k] = ipw[r];
        t->wp[k] = ntt_shoup_precomp(t->w[k], q);
        t->iwp[k] = ntt_shoup_precomp(t->iw[k], q);
    }
    veil_free(pw);

    t->ninv_w[0] = plan->n_inv;
    t->ninv_w[1] = ntt_mul_mod(t->iw[1], plan->n_inv, &plan->mod);
    for (int i = 0; i < 2; i++)
        t->ninv_wp[i] = ntt_shoup_precomp(t->ninv_w[i], q);
    plan->tables = t;
    return VEIL_OK;
}

veil_status ntt_plan_init_isa(ntt_plan_t *plan, size_t n, uint64_t q,
                              veil_isa_t isa)
{
    const struct ntt_kernels *k;
    veil_status st;
    unsigned logn = 0;

    if (plan == NULL)
        return VEIL_EINVAL;
    plan->tables = NULL;
    plan->k = NULL;
    if (n == 0 || (n & (n - 1)) != 0)
        return VEIL_EINVAL;
    while (((size_t)1 << logn) < n)
        logn++;
    if (logn < NTT_MIN_LOGN || logn > NTT_MAX_LOGN)
        return VEIL_EINVAL;
    if (q >> NTT_MAX_PRIME_BITS != 0 || q % (2 * (uint64_t)n) != 1 ||
        !n_is_prime(q))
        return VEIL_EPARAM;
    if ((unsigned)isa >= VEIL_ISA_COUNT)
        return VEIL_EINVAL;
    k = kernels_for(isa);
    if (k == NULL || !veil_isa_supported(isa))
        return VEIL_EUNSUPPORTED;

    plan->n = n;
    plan->logn = logn;
    plan->q = q;
    plan->isa = isa;
    if ((st = ntt_modulus_init(&plan->mod, q)) != VEIL_OK ||
        (st = ntt_root_of_unity(&plan->psi, n, q)) != VEIL_OK ||
        (st = ntt_inv_mod(&plan->n_inv, n % q, q)) != VEIL_OK ||
        (st = tables_init_scalar(plan)) != VEIL_OK)
        return st;
    if (k->tables_init != NULL && (st = k->tables_init(plan)) != VEIL_OK) {
        ntt_plan_clear(plan);
        return st;
    }
    plan->k = k;
    return VEIL_OK;
}

veil_status ntt_plan_init(ntt_plan_t *plan, size_t n, uint64_t q)
{
    return ntt_plan_init_isa(plan, n, q, veil_isa_active());
}

void ntt_plan_clear(ntt_plan_t *plan)
{
    ntt_tables_t *t;

    if (plan == NULL || plan->tables == NULL)
        return;
    t = plan->tables;
    veil_free(t->simd);
    veil_free(t->w);
    veil_free(t);
    plan->tables = NULL;
    plan->k = NULL;
}
