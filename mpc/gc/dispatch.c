/*
 * gc_dispatch.c - choosing the garbling kernel: VAES on 512-bit registers
 * when this build has it, the CPU runs it (AVX-512 F/DQ with the OS saving
 * zmm state, which veil_isa_supported checks, plus the VAES CPUID bit) and
 * the active ISA is avx512; otherwise 128-bit AES-NI.  Both kernels give
 * identical results, so the choice never shows in the protocol.
 */
#include "config.h"
#include "internal.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static int cpu_has_vaes(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!veil_isa_supported(VEIL_ISA_AVX512))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (c >> 9) & 1; /* CPUID.(EAX=7,ECX=0):ECX.VAES[bit 9] */
#else
    return 0;
#endif
}

const gc_kernel_t *gc_kernel_pick(void)
{
    if (!mpc_aes_available())
        return NULL;
    if (veil_isa_active() == VEIL_ISA_AVX512 && gc_kernel_vaes() != NULL &&
        cpu_has_vaes())
        return gc_kernel_vaes();
    return gc_kernel_aesni();
}

const char *mpc_gc_kernel_name(void)
{
    const gc_kernel_t *k = gc_kernel_pick();
    return k != NULL ? k->name : "none";
}
