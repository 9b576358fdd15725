/*
 * dispatch.c - the garbling kernel of each instruction-set path, picked
 * once from veil_cpu_has() and what this build contains:
 *
 *   scalar  the portable reference (gc/garble.c, gc/eval.c)
 *   avx2    AES-NI, 128-bit (gc/aesni/) where the CPU has it; VAES on
 *           256-bit registers (gc/vaes256/) where it also has VAES
 *   avx512  VAES on 512-bit registers (gc/vaes/) where the CPU has VAES
 *           and AVX-512 F/DQ/BW, else as avx2
 *
 * gc_kernel_pick() returns the active path's kernel (VEIL_ISA forces it).
 * Every kernel gives the same tables and labels, so the choice never shows
 * in the protocol.
 */
#include "config.h"
#include "internal.h"
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static gc_kernel_t tab[VEIL_ISA_COUNT];
static gc_kernel_t avx2_aesni; /* the avx2 kernel without VAES-256 */
static int have_vaes256;
#if defined(VEIL_HAVE_AVX512) /* the compiler's VAES comes with AVX-512 */
static const gc_kernel_t vaes256 = {"vaes256", gc_garble_vaes256,
                                    gc_eval_vaes256};
#endif

static void pick(void)
{
    static const gc_kernel_t portable = {"portable", gc_garble_portable,
                                         gc_eval_portable};
    for (int i = 0; i < VEIL_ISA_COUNT; i++)
        tab[i] = portable;
#if defined(VEIL_HAVE_AVX2)
    if (veil_cpu_has(VEIL_CPU_AESNI)) {
        static const gc_kernel_t aesni = {"aesni", gc_garble_aesni,
                                          gc_eval_aesni};
        tab[VEIL_ISA_AVX2] = tab[VEIL_ISA_AVX512] = aesni;
    }
    avx2_aesni = tab[VEIL_ISA_AVX2];
#endif
#if defined(VEIL_HAVE_AVX512) /* the compiler's VAES comes with AVX-512 */
    if (veil_cpu_has(VEIL_CPU_AVX2 | VEIL_CPU_AESNI | VEIL_CPU_VAES)) {
        tab[VEIL_ISA_AVX2] = vaes256;
        have_vaes256 = 1;
    }
    if (veil_cpu_has(VEIL_CPU_AESNI | VEIL_CPU_VAES | VEIL_CPU_AVX512F |
                     VEIL_CPU_AVX512DQ | VEIL_CPU_AVX512BW)) {
        static const gc_kernel_t vaes = {"vaes512", gc_garble_vaes,
                                         gc_eval_vaes};
        tab[VEIL_ISA_AVX512] = vaes;
    }
#endif
}

int gc_vaes256_use(int on)
{
    pthread_once(&once, pick);
    on = on && have_vaes256;
#if defined(VEIL_HAVE_AVX512)
    if (have_vaes256)
        tab[VEIL_ISA_AVX2] = on ? vaes256 : avx2_aesni;
#endif
    return on;
}

const gc_kernel_t *gc_kernel_pick(void)
{
    pthread_once(&once, pick);
    return &tab[veil_isa_active()];
}

const char *mpc_gc_kernel_name(void)
{
    return gc_kernel_pick()->name;
}
