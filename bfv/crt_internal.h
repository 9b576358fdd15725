/*
 * crt_internal.h - what the bfv/crt_*.c files share: running one bfv_*
 * call per component in parallel and collecting the statuses.
 */
#ifndef VEIL_BFV_CRT_INTERNAL_H
#define VEIL_BFV_CRT_INTERNAL_H

#include "veil/bfv_crt.h"

/* The status of the lowest-numbered failing component of st[0..k), or
 * VEIL_OK. */
veil_status bfv_crt_first_error(const veil_status *st, size_t k);

/* st = the first error of `call` evaluated for every component index i in
 * [0, k), in parallel (OpenMP over components).  `call` is an expression
 * of i returning veil_status; each i must touch only component i. */
#define BFV_CRT_EACH(st, k, call)                                              \
    do {                                                                       \
        veil_status st_each_[BFV_CRT_MAX];                                     \
        const size_t k_each_ = (k);                                            \
        _Pragma("omp parallel for schedule(static)") for (size_t i = 0;        \
                                                          i < k_each_; i++)    \
            st_each_[i] = (call);                                              \
        (st) = bfv_crt_first_error(st_each_, k_each_);                         \
    } while (0)

/* Draw one seed per component from rng (in component order): the
 * generators of randomised component operations, so that the result does
 * not depend on the thread schedule. */
void bfv_crt_draw_seeds(uint8_t seeds[][VEIL_SEED_BYTES], size_t k,
                        veil_rng_t *rng);

#endif /* VEIL_BFV_CRT_INTERNAL_H */
