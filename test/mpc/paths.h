/*
 * paths.h - the kernel paths the mpc tests run: every instruction-set path
 * this build and CPU support (VEIL_ISA), and on CPUs with VAES but the
 * avx2 path's AES-NI kernels too (that path runs VAES-256 there, so
 * AES-NI would otherwise go untested on such a machine).
 */
#ifndef VEIL_TEST_MPC_PATHS_H
#define VEIL_TEST_MPC_PATHS_H

#include "../../mpc/gc/internal.h"
#include "../../mpc/internal.h"
#include <criterion/criterion.h>

/* Paths are numbered 0 .. VT_PATHS - 1: the veil_isa_t values, then the
 * avx2 path on AES-NI alone. */
#define VT_PATHS (VEIL_ISA_COUNT + 1)

/* Selects path v if this machine runs it (returns 1), else returns 0; a
 * path's AES kernel name is mpc_aes_kernel_name(). */
static inline int vt_path_set(int v)
{
    int aesni = v == VEIL_ISA_COUNT;
    veil_isa_t isa = aesni ? VEIL_ISA_AVX2 : (veil_isa_t)v;
    if (!veil_isa_supported(isa))
        return 0;
    /* without VAES the avx2 path already is AES-NI: nothing more to run */
    if (mpc_vaes256_use(1) == 0 && aesni)
        return 0;
    mpc_vaes256_use(!aesni);
    gc_vaes256_use(!aesni);
    cr_assert_eq(veil_isa_set(isa), VEIL_OK);
    return 1;
}

/* Back to path isa with the default kernels. */
static inline void vt_path_restore(veil_isa_t isa)
{
    mpc_vaes256_use(1);
    gc_vaes256_use(1);
    cr_assert_eq(veil_isa_set(isa), VEIL_OK);
}

#endif
