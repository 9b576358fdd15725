/*
 * cpu.c - library initialisation and instruction-set dispatch.
 *
 * The best path is chosen once from CPUID (as libsodium's
 * _pick_best_implementation does); VEIL_ISA=scalar|avx2|avx512 forces one.
 * Objects such as NTT plans copy the active path when they are created, so
 * they stay immutable and can be shared between threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "config.h"
#include "veil/veil.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static veil_status init_status = VEIL_OK;
static veil_isa_t isa_best = VEIL_ISA_SCALAR;
static veil_isa_t isa_active = VEIL_ISA_SCALAR;

#if defined(__x86_64__) || defined(__i386__)
/* XGETBV: which register states the OS saves (AVX needs YMM, AVX-512 ZMM). */
static uint64_t xgetbv0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static int cpu_has_fma(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_FMA);
}

static int cpu_has_avx2(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
        return 0;
    if ((xgetbv0() & 0x6) != 0x6)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    /* The AVX2 path computes exact products in doubles with FMA. */
    return (b & bit_AVX2) && (b & bit_BMI2) && cpu_has_fma();
}

static int cpu_has_avx512ifma(void)
{
    unsigned a, b, c, d;
    if (!cpu_has_avx2())
        return 0;
    if ((xgetbv0() & 0xe6) != 0xe6)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & bit_AVX512F) && (b & bit_AVX512IFMA) && (b & bit_AVX512VL) &&
           (b & bit_AVX512DQ) && (b & bit_AVX512BW);
}
#endif

int veil_isa_supported(veil_isa_t isa)
{
    switch (isa) {
    case VEIL_ISA_SCALAR:
        return 1;
    case VEIL_ISA_AVX2:
#if defined(VEIL_HAVE_AVX2)
        return cpu_has_avx2();
#else
        return 0;
#endif
    case VEIL_ISA_AVX512:
#if defined(VEIL_HAVE_AVX512)
        return cpu_has_avx512ifma();
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
    case VEIL_ISA_SCALAR: return "scalar";
    case VEIL_ISA_AVX2: return "avx2";
    case VEIL_ISA_AVX512: return "avx512";
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
