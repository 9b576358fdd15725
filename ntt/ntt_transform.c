/*
 * ntt_transform.c - the public transform and pointwise entry points: each
 * forwards to the kernel table the plan chose when it was built, so a plan
 * gives the same path in every thread.  Preconditions in veil/ntt.h,
 * checked here by VEIL_ASSERT in a debug build (--enable-debug).
 */
#include "ntt_internal.h"

/* A plan and a length-n array with every entry below `bound`. */
#define CHECK_IN(plan, a, bound)                                               \
    do {                                                                       \
        VEIL_ASSERT((plan) != NULL && (plan)->k != NULL);                      \
        VEIL_ASSERT((a) != NULL);                                              \
        VEIL_ASSERT(veil_all_below((a), (plan)->n, (bound)));                  \
    } while (0)

/* The output of a pointwise kernel: n words, allowed to alias an input
 * exactly but not to overlap it partially. */
#define CHECK_OUT(plan, out, in)                                               \
    VEIL_ASSERT((out) != NULL &&                                               \
                ((const void *)(out) == (const void *)(in) ||                  \
                 veil_disjoint((out), (plan)->n * sizeof(uint64_t), (in),      \
                               (plan)->n * sizeof(uint64_t))))

void ntt_forward(const ntt_plan_t *plan, uint64_t *a)
{
    CHECK_IN(plan, a, plan->q);
    plan->k->forward(plan, a);
}

void ntt_forward_prefetch(const ntt_plan_t *plan, uint64_t *out,
                          const uint64_t *in, const uint64_t *const pf[2])
{
    CHECK_IN(plan, in, 4 * plan->q);
    CHECK_OUT(plan, out, in);
    VEIL_ASSERT(pf != NULL);
    if (plan->k->forward_prefetch != NULL) {
        plan->k->forward_prefetch(plan, out, in, pf);
        return;
    }
    plan->k->vec_reduce(out, in, plan->n, plan->q);
    plan->k->forward(plan, out);
}

void ntt_forward_lazy(const ntt_plan_t *plan, uint64_t *a)
{
    CHECK_IN(plan, a, 4 * plan->q);
    plan->k->forward_lazy(plan, a);
}

void ntt_inverse(const ntt_plan_t *plan, uint64_t *a)
{
    CHECK_IN(plan, a, 2 * plan->q);
    plan->k->inverse(plan, a);
}

void ntt_inverse_lazy(const ntt_plan_t *plan, uint64_t *a)
{
    CHECK_IN(plan, a, 2 * plan->q);
    plan->k->inverse_lazy(plan, a);
}

void ntt_vec_add(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                 const uint64_t *b)
{
    CHECK_IN(p, a, p->q);
    CHECK_IN(p, b, p->q);
    CHECK_OUT(p, out, a);
    CHECK_OUT(p, out, b);
    p->k->vec_add(out, a, b, p->n, p->q);
}

#ifdef VEIL_DEBUG
/* 1 if |w[i]| < q for every i < n (the precondition of vec_add_signed). */
static int signed_below(const int64_t *w, size_t n, uint64_t q)
{
    for (size_t i = 0; i < n; i++)
        if ((w[i] < 0 ? (uint64_t)0 - (uint64_t)w[i] : (uint64_t)w[i]) >= q)
            return 0;
    return 1;
}
#endif

void ntt_vec_add_signed(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                        const int64_t *w)
{
    CHECK_IN(p, a, p->q);
    VEIL_ASSERT(w != NULL && signed_below(w, p->n, p->q));
    CHECK_OUT(p, out, a);
    p->k->vec_add_signed(out, a, w, p->n, p->q);
}

void ntt_vec_sub(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                 const uint64_t *b)
{
    CHECK_IN(p, a, p->q);
    CHECK_IN(p, b, p->q);
    CHECK_OUT(p, out, a);
    CHECK_OUT(p, out, b);
    p->k->vec_sub(out, a, b, p->n, p->q);
}

void ntt_vec_neg(const ntt_plan_t *p, uint64_t *out, const uint64_t *a)
{
    CHECK_IN(p, a, p->q);
    CHECK_OUT(p, out, a);
    p->k->vec_neg(out, a, p->n, p->q);
}

void ntt_vec_mul(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                 const uint64_t *b)
{
    CHECK_IN(p, a, p->q);
    CHECK_IN(p, b, p->q);
    CHECK_OUT(p, out, a);
    CHECK_OUT(p, out, b);
    p->k->vec_mul(out, a, b, p->n, &p->mod);
}

void ntt_vec_mul2(const ntt_plan_t *p, uint64_t *out0, uint64_t *out1,
                  const uint64_t *a0, const uint64_t *a1, const uint64_t *b)
{
    CHECK_IN(p, a0, p->q);
    CHECK_IN(p, a1, p->q);
    CHECK_IN(p, b, p->q);
    CHECK_OUT(p, out0, a0);
    CHECK_OUT(p, out0, a1);
    CHECK_OUT(p, out0, b);
    CHECK_OUT(p, out1, a0);
    CHECK_OUT(p, out1, a1);
    CHECK_OUT(p, out1, b);
    VEIL_ASSERT(veil_disjoint(out0, p->n * sizeof(uint64_t), out1,
                              p->n * sizeof(uint64_t)));
    p->k->vec_mul2(out0, out1, a0, a1, b, p->n, &p->mod);
}

void ntt_vec_muladd2(const ntt_plan_t *p, uint64_t *out0, uint64_t *out1,
                     const uint64_t *a0, const uint64_t *a1, const uint64_t *b)
{
    const size_t bytes = p->n * sizeof(uint64_t);
    CHECK_IN(p, out0, p->q);
    CHECK_IN(p, out1, p->q);
    CHECK_IN(p, a0, p->q);
    CHECK_IN(p, a1, p->q);
    CHECK_IN(p, b, p->q);
    VEIL_ASSERT(veil_disjoint(out0, bytes, out1, bytes) &&
                veil_disjoint(out0, bytes, a0, bytes) &&
                veil_disjoint(out0, bytes, a1, bytes) &&
                veil_disjoint(out0, bytes, b, bytes) &&
                veil_disjoint(out1, bytes, a0, bytes) &&
                veil_disjoint(out1, bytes, a1, bytes) &&
                veil_disjoint(out1, bytes, b, bytes));
    (void)bytes; /* read only by the assertions */
    p->k->vec_muladd2(out0, out1, a0, a1, b, p->n, &p->mod);
}

void ntt_vec_mul_scalar(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                        uint64_t w)
{
    CHECK_IN(p, a, p->q);
    CHECK_OUT(p, out, a);
    VEIL_ASSERT(w < p->q);
    p->k->vec_mul_const(out, a, w, p->n, p->q);
}

void ntt_vec_mul_shoup(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                       const uint64_t *w, const uint64_t *wp)
{
    CHECK_IN(p, a, p->q);
    CHECK_IN(p, w, p->q);
    CHECK_OUT(p, out, a);
    VEIL_ASSERT(wp != NULL);
    p->k->vec_mul_shoup(out, a, w, wp, p->n, p->q);
}

void ntt_vec_muladd(const ntt_plan_t *p, uint64_t *out, const uint64_t *a,
                    const uint64_t *b)
{
    CHECK_IN(p, out, p->q);
    CHECK_IN(p, a, p->q);
    CHECK_IN(p, b, p->q);
    CHECK_OUT(p, out, a);
    CHECK_OUT(p, out, b);
    p->k->vec_muladd(out, a, b, p->n, &p->mod);
}

void ntt_vec_reduce(const ntt_plan_t *p, uint64_t *out, const uint64_t *a)
{
    CHECK_IN(p, a, 4 * p->q);
    CHECK_OUT(p, out, a);
    p->k->vec_reduce(out, a, p->n, p->q);
}

void ntt_vec_shoup_precomp(const ntt_plan_t *p, uint64_t *wp, const uint64_t *w)
{
    CHECK_IN(p, w, p->q);
    CHECK_OUT(p, wp, w);
    for (size_t i = 0; i < p->n; i++)
        wp[i] = ntt_shoup_precomp(w[i], p->q);
}
