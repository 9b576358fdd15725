/*
 * cpu.c - library initialisation and instruction-set dispatch.
 *
 * The CPU is probed once (veil_cpu_has, the library's only CPUID probe) and
 * the best path is chosen from it (as libsodium's
 * _pick_best_implementation does); VEIL_ISA=scalar|avx2|avx512 forces one.
 * Objects such as NTT plans copy the active path when they are created, so
 * they stay immutable and can be shared between threads.
 */
#include "config.h"
#include "veil/veil.h"
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static veil_status init_status = VEIL_OK;
static veil_isa_t isa_best = VEIL_ISA_SCALAR;
static veil_isa_t isa_active = VEIL_ISA_SCALAR;

/* ------------------------------------------------------------ the probe
 *
 * The one CPUID probe of the library: every module asks veil_cpu_has(). */
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static unsigned cpu_features;

#if defined(__x86_64__) || defined(__i386__)
/* XGETBV: which register states the OS saves (AVX needs YMM, AVX-512 ZMM). */
static uint64_t xgetbv0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static void cpu_probe(void)
{
    unsigned a, b, c, d, f = 0, b7 = 0, c7 = 0;
    int ymm = 0, zmm = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    if ((c & bit_AES) && (c & bit_SSE4_1))
        f |= VEIL_CPU_AESNI;
    if (c & bit_PCLMUL)
        f |= VEIL_CPU_PCLMUL;
    if ((c & bit_OSXSAVE) && (c & bit_AVX)) {
        uint64_t xcr0 = xgetbv0();
        ymm = (xcr0 & 0x6) == 0x6;
        zmm = (xcr0 & 0xe6) == 0xe6;
    }
    if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d)) {
        /* the AVX2 path computes exact products in doubles with FMA */
        if (ymm && (b7 & bit_AVX2) && (b7 & bit_BMI2) && (c & bit_FMA))
            f |= VEIL_CPU_AVX2;
        if (ymm && (c7 & bit_VAES))
            f |= VEIL_CPU_VAES;
        if (c7 & bit_GFNI)
            f |= VEIL_CPU_GFNI;
        if (zmm && (b7 & bit_AVX512F)) {
            f |= VEIL_CPU_AVX512F;
            f |= (b7 & bit_AVX512DQ) ? VEIL_CPU_AVX512DQ : 0;
            f |= (b7 & bit_AVX512BW) ? VEIL_CPU_AVX512BW : 0;
            f |= (b7 & bit_AVX512VL) ? VEIL_CPU_AVX512VL : 0;
            f |= (b7 & bit_AVX512IFMA) ? VEIL_CPU_AVX512IFMA : 0;
            f |= (c7 & bit_AVX512VBMI) ? VEIL_CPU_AVX512VBMI : 0;
            f |= (c7 & bit_AVX512VBMI2) ? VEIL_CPU_AVX512VBMI2 : 0;
        }
    }
    cpu_features = f;
}
#else
static void cpu_probe(void)
{
    cpu_features = 0;
}
#endif

int veil_cpu_has(unsigned features)
{
    pthread_once(&cpu_once, cpu_probe);
    return (cpu_features & features) == features;
}

/* What each path needs of the CPU. */
#define NEED_AVX2 VEIL_CPU_AVX2
#define NEED_AVX512                                                            \
    (VEIL_CPU_AVX2 | VEIL_CPU_AVX512F | VEIL_CPU_AVX512IFMA |                  \
     VEIL_CPU_AVX512VL | VEIL_CPU_AVX512DQ | VEIL_CPU_AVX512BW)

int veil_isa_supported(veil_isa_t isa)
{
    switch (isa) {
    case VEIL_ISA_SCALAR:
        return 1;
    case VEIL_ISA_AVX2:
#if defined(VEIL_HAVE_AVX2)
        return veil_cpu_has(NEED_AVX2);
#else
        return 0;
#endif
    case VEIL_ISA_AVX512:
#if defined(VEIL_HAVE_AVX512)
        return veil_cpu_has(NEED_AVX512);
#else
        return 0;
#endif
    }
    return 0;
}

static void init_once_fn(void)
{
    const char *env;
    veil_isa_t forced;

    if (sodium_init() < 0) {
        init_status = VEIL_ERANDOM;
        return;
    }
    if (veil_isa_supported(VEIL_ISA_AVX512))
        isa_best = VEIL_ISA_AVX512;
    else if (veil_isa_supported(VEIL_ISA_AVX2))
        isa_best = VEIL_ISA_AVX2;
    else
        isa_best = VEIL_ISA_SCALAR;
    isa_active = isa_best;

    env = getenv("VEIL_ISA");
    if (env != NULL && *env != '\0') {
        if (veil_isa_parse(&forced, env) != VEIL_OK ||
            !veil_isa_supported(forced))
            init_status = VEIL_EUNSUPPORTED;
        else
            isa_active = forced;
    }
}

veil_status veil_init(void)
{
    pthread_once(&init_once, init_once_fn);
    return init_status;
}

/* For the queries below: initialise if needed; a failed VEIL_ISA request
 * leaves the best path active, which is what they report. */
static void ensure_init(void)
{
    pthread_once(&init_once, init_once_fn);
}

veil_isa_t veil_isa_active(void)
{
    ensure_init();
    return isa_active;
}

veil_isa_t veil_isa_best(void)
{
    ensure_init();
    return isa_best;
}

veil_status veil_isa_set(veil_isa_t isa)
{
    ensure_init();
    if (!veil_isa_supported(isa))
        return VEIL_EUNSUPPORTED;
    isa_active = isa;
    return VEIL_OK;
}

const char *veil_isa_name(veil_isa_t isa)
{
    switch (isa) {
    case VEIL_ISA_SCALAR:
        return "scalar";
    case VEIL_ISA_AVX2:
        return "avx2";
    case VEIL_ISA_AVX512:
        return "avx512";
    }
    return "unknown";
}

veil_status veil_isa_parse(veil_isa_t *isa, const char *name)
{
    if (isa == NULL || name == NULL)
        return VEIL_EINVAL;
    if (strcmp(name, "scalar") == 0)
        *isa = VEIL_ISA_SCALAR;
    else if (strcmp(name, "avx2") == 0)
        *isa = VEIL_ISA_AVX2;
    else if (strcmp(name, "avx512") == 0)
        *isa = VEIL_ISA_AVX512;
    else
        return VEIL_EINVAL;
    return VEIL_OK;
}
