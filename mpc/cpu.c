/*
 * cpu.c - may the mpc AVX-512 kernels run?  The AVX-512 transpose and the
 * VAES AES kernels need AVX-512 F/BW/VBMI, GFNI and VAES.  The base layer
 * (veil_isa_supported) has already checked AVX-512 F and the OS's ZMM state
 * for its own AVX-512 path; this adds the extensions mpc uses, once, and
 * follows the active ISA so that VEIL_ISA=avx2 or scalar turns the kernels
 * off for tests and benchmarks.  The IFMA field kernels need only the base
 * layer's AVX-512 path (F + IFMA) and a prime below 2^50.
 */
#include "config.h"
#include "internal.h"
#include "veil/mpc_field.h"
#include <pthread.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int cpu_ok;

static void probe(void)
{
#if defined(VEIL_HAVE_AVX512) && (defined(__x86_64__) || defined(__i386__))
    unsigned a, b, c, d;
    if (!veil_isa_supported(VEIL_ISA_AVX512) ||
        !__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return;
    cpu_ok = (b & bit_AVX512F) && (b & bit_AVX512BW) && (c & bit_AVX512VBMI) &&
             (c & bit_GFNI) && (c & bit_VAES);
#endif
}

int mpc_avx512_active(void)
{
    pthread_once(&probe_once, probe);
    return cpu_ok && veil_isa_active() == VEIL_ISA_AVX512;
}

int mpc_ifma_active(const mpc_field_t *f)
{
#if defined(VEIL_HAVE_AVX512)
    return f->bits <= 50 && veil_isa_active() == VEIL_ISA_AVX512;
#else
    (void)f;
    return 0;
#endif
}
