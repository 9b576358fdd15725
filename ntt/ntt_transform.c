/*
 * ntt_transform.c - the public transform and pointwise entry points: each
 * forwards to the kernel table the plan chose when it was built, so a plan
 * gives the same path in every thread.  Preconditions in veil/ntt.h.
 */
#include "ntt_internal.h"

void ntt_forward(const ntt_plan_t *plan, uint64_t *a)
{
    plan->k->forward(plan, a);
}

void ntt_forward_lazy(const ntt_plan_t *plan, uint64_t *a)
{
    plan->k->forward_lazy(plan, a);
}

void ntt_inverse(const ntt_plan_t *plan, uint64_t *a)
{
    plan->k->inverse(plan, a);
}

void ntt_inverse_lazy(const ntt_plan_t *plan, uint64_t *a)
{
    plan->k->inverse_lazy(plan, a);
}

void ntt_vec_add(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                 const uint64_t *b)
{
    p->k->vec_add(out, a, b, p->n, p->q);
}

void ntt_vec_sub(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                 const uint64_t *b)
{
    p->k->vec_sub(out, a, b, p->n, p->q);
}

void ntt_vec_neg(const ntt_plan_t *p, uint64_t *out, const uint64_t *a)
{
    p->k->vec_neg(out, a, p->n, p->q);
}

void ntt_vec_mul(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                 const uint64_t *b)
{
    p->k->vec_mul(out, a, b, p->n, &p->mod);
}

void ntt_vec_mul_scalar(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                        uint64_t w)
{
    p->k->vec_mul_const(out, a, w, p->n, p->q);
}

void ntt_vec_mul_shoup(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                       const uint64_t *w, const uint64_t *wp)
{
    p->k->vec_mul_shoup(out, a, w, wp, p->n, p->q);
}

void ntt_vec_muladd(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                    const uint64_t *b)
{
    p->k->vec_muladd(out, a, b, p->n, &p->mod);
}

void ntt_vec_reduce(const ntt_plan_t *p, uint64_t *out, const uint64_t *a)
{
    p->k->vec_reduce(out, a, p->n, p->q);
}

void ntt_vec_shoup_precomp(const ntt_plan_t *p, uint64_t *wp, const uint64_t *w)
{
    for (size_t i = 0; i < p->n; i++)
        wp[i] = ntt_shoup_precomp(w[i], p->q);
}
