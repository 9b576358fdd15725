/*
 * field.c - F_p set-up and vector arithmetic (the scalar kernels are the
 * inline functions of mpc_field.h).  OpenMP splits long vectors into
 * static blocks; every element is computed the same way whatever the
 * thread count.
 */
#include "internal.h"
#include "veil/mpc_field.h"
#include <flint/ulong_extras.h>

veil_status mpc_field_init(mpc_field_t *f, uint64_t p, unsigned frac_bits)
{
    unsigned k;
    if (f == NULL)
        return VEIL_EINVAL;
    if (p < 3 || p >= (UINT64_C(1) << 62) || !n_is_prime(p))
        return VEIL_EPARAM;
    k = 64 - (unsigned)__builtin_clzll(p);
    if (2 * frac_bits + 2 > k)
        return VEIL_EPARAM;
    f->p = p;
    f->bits = k;
    f->mu = (uint64_t)(((unsigned __int128)1 << (2 * k)) / p);
    f->half = (p - 1) / 2;
    f->frac = frac_bits;
    return VEIL_OK;
}

/* Threads: the vector loops hand out chunks of MPC_OMP_MIN / 4 elements
 * (blocks of MPC_BLOCK for the kernels) dynamically, so a thread the
 * system deschedules delays only its own chunk; elementwise, so the result
 * does not depend on the threads. */
void mpc_field_vec_add(const mpc_field_t *f, uint64_t *out, const uint64_t *a,
                       const uint64_t *b, size_t n)
{
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
    for (size_t i = 0; i < n; i++)
        out[i] = mpc_field_add(f, a[i], b[i]);
}

void mpc_field_vec_sub(const mpc_field_t *f, uint64_t *out, const uint64_t *a,
                       const uint64_t *b, size_t n)
{
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
    for (size_t i = 0; i < n; i++)
        out[i] = mpc_field_sub(f, a[i], b[i]);
}

void mpc_field_vec_neg(const mpc_field_t *f, uint64_t *out, const uint64_t *a,
                       size_t n)
{
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
    for (size_t i = 0; i < n; i++)
        out[i] = mpc_field_neg(f, a[i]);
}

void mpc_field_vec_mul(const mpc_field_t *f, uint64_t *out, const uint64_t *a,
                       const uint64_t *b, size_t n)
{
    const mpc_kernels_t *k = mpc_kernels();
    if (f->bits <= 50 && k->vec_mul50 != NULL) {
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic)
        for (size_t i = 0; i < n; i += MPC_BLOCK) {
            size_t len = n - i < MPC_BLOCK ? n - i : MPC_BLOCK;
            k->vec_mul50(f, out + i, a + i, b + i, len);
        }
        return;
    }
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
    for (size_t i = 0; i < n; i++)
        out[i] = mpc_field_mul(f, a[i], b[i]);
}

void mpc_field_vec_scale(const mpc_field_t *f, uint64_t *out, const uint64_t *a,
                         uint64_t w, size_t n)
{
    const uint64_t ws = mpc_field_shoup(f, w);
#pragma omp parallel for num_threads(veil_team()) if (n >= MPC_OMP_MIN)        \
    schedule(dynamic, MPC_OMP_MIN / 4)
    for (size_t i = 0; i < n; i++)
        out[i] = mpc_field_mul_shoup(f, a[i], w, ws);
}

void mpc_field_vec_random(const mpc_field_t *f, veil_rng_t *rng, uint64_t *out,
                          size_t n)
{
    veil_rng_uniform_mod(rng, out, n, f->p);
}
