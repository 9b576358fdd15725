/*
 * dispatch.c - the mpc kernel tables: one per instruction-set path, filled
 * once from veil_cpu_has() (the library's one CPU probe) and what this
 * build contains; mpc_kernels() returns the active path's table, so
 * VEIL_ISA=scalar|avx2|avx512 (or veil_isa_set) picks the path here as it
 * does for the NTT.
 *
 *   scalar  portable constant-time AES and hashes, no IFMA
 *   avx2    AES-NI where the CPU has it, else portable; VAES on 256-bit
 *           registers for long inputs where the CPU has VAES (AMD Zen 3
 *           has it without AVX-512); the AVX2 transpose
 *   avx512  AES-NI, with VAES on 512-bit registers for long inputs, the
 *           GFNI transpose and the IFMA field kernels where the CPU has
 *           them
 */
#include "config.h"
#include "internal.h"
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static mpc_kernels_t tab[VEIL_ISA_COUNT];
/* the avx2 table with AES-NI, and with VAES-256 if the CPU has VAES */
static mpc_kernels_t avx2_aesni, avx2_vaes256;
static int have_vaes256;

static const mpc_kernels_t portable = {
    "portable",
    mpc_aes_expand_portable,
    mpc_aes_ecb_portable,
    mpc_aes_ctr_portable,
    mpc_hash_cr_portable,
    mpc_hash_ccr_portable,
    mpc_hash_tccr_portable,
    NULL,
    NULL,
    NULL,
};

static void pick(void)
{
    for (int i = 0; i < VEIL_ISA_COUNT; i++)
        tab[i] = portable;
#if defined(VEIL_HAVE_AVX2)
    for (int i = VEIL_ISA_AVX2; i < VEIL_ISA_COUNT; i++)
        tab[i].transpose128 = mpc_transpose128_avx2;
    if (veil_cpu_has(VEIL_CPU_AESNI)) {
        for (int i = VEIL_ISA_AVX2; i < VEIL_ISA_COUNT; i++) {
            tab[i].aes_name = "aesni";
            tab[i].aes_expand = mpc_aes_expand_aesni;
            tab[i].aes_ecb = mpc_aes_ecb_aesni;
            tab[i].aes_ctr = mpc_aes_ctr_aesni;
            tab[i].hash_cr = mpc_hash_cr_aesni;
            tab[i].hash_ccr = mpc_hash_ccr_aesni;
            tab[i].hash_tccr = mpc_hash_tccr_aesni;
        }
    }
    avx2_aesni = tab[VEIL_ISA_AVX2];
#endif
#if defined(VEIL_HAVE_AVX512) /* the compiler's VAES comes with AVX-512 */
    if (veil_cpu_has(VEIL_CPU_AVX2 | VEIL_CPU_AESNI | VEIL_CPU_VAES)) {
        mpc_kernels_t *k = &avx2_vaes256;
        *k = avx2_aesni;
        k->aes_name = "vaes256";
        k->aes_ecb = mpc_aes_ecb_vaes256;
        k->aes_ctr = mpc_aes_ctr_vaes256;
        k->hash_cr = mpc_hash_cr_vaes256;
        k->hash_ccr = mpc_hash_ccr_vaes256;
        k->hash_tccr = mpc_hash_tccr_vaes256;
        tab[VEIL_ISA_AVX2] = *k;
        have_vaes256 = 1;
    }
#endif
#if defined(VEIL_HAVE_AVX512)
    {
        mpc_kernels_t *k = &tab[VEIL_ISA_AVX512];
        const unsigned zmm = VEIL_CPU_AVX512F | VEIL_CPU_AVX512BW;
        if (veil_cpu_has(zmm | VEIL_CPU_AESNI | VEIL_CPU_VAES)) {
            k->aes_name = "vaes512";
            k->aes_ecb = mpc_aes_ecb_vaes;
            k->aes_ctr = mpc_aes_ctr_vaes;
            k->hash_cr = mpc_hash_cr_vaes;
            k->hash_ccr = mpc_hash_ccr_vaes;
            k->hash_tccr = mpc_hash_tccr_vaes;
        }
        if (veil_cpu_has(zmm | VEIL_CPU_AVX512VBMI | VEIL_CPU_GFNI))
            k->transpose128 = mpc_transpose128_gfni;
        if (veil_cpu_has(VEIL_CPU_AVX512F | VEIL_CPU_AVX512IFMA)) {
            k->vec_mul50 = mpc_vec_mul_ifma;
            k->beaver_finish50 = mpc_beaver_finish_ifma;
        }
    }
#endif
}

const mpc_kernels_t *mpc_kernels(void)
{
    pthread_once(&once, pick);
    return &tab[veil_isa_active()];
}

int mpc_vaes256_use(int on)
{
    pthread_once(&once, pick);
    on = on && have_vaes256;
    if (have_vaes256)
        tab[VEIL_ISA_AVX2] = on ? avx2_vaes256 : avx2_aesni;
    return on;
}
