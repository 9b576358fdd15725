/*
 * veil.h - the library-wide base layer: status codes, initialisation and CPU
 * dispatch, memory helpers and the CSPRNG.  Every other veil header includes
 * this one.  See doc/01-arithmetic.md.
 */
#ifndef VEIL_VEIL_H
#define VEIL_VEIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define VEIL_WUR __attribute__((warn_unused_result))
#else
#define VEIL_WUR
#endif

/* VEIL_EXPORT marks the public API.  The library is compiled with
 * -fvisibility=hidden, so only functions declared with VEIL_EXPORT in
 * the headers of include/veil/ are exported from libveil.so; internals
 * (kernels, scratch areas, step builders) stay private to the library.  Tests
 * and veil-bench link the static archive, where internals remain reachable
 * (doc/DESIGN.md, section 5). */
#if defined(__GNUC__) || defined(__clang__)
#define VEIL_EXPORT __attribute__((visibility("default")))
#else
#define VEIL_EXPORT
#endif

/* ------------------------------------------------------ debug assertions */

/* VEIL_ASSERT(cond): a precondition check at a kernel's entry (residues
 * below their modulus, sizes, powers of two, aliasing rules, non-NULL
 * pointers) that costs nothing in a normal build.
 *
 * With VEIL_DEBUG defined (./configure --enable-debug) a false cond prints
 * "veil: FILE:LINE: precondition failed: cond" on stderr and calls abort().
 * This is the one place the library prints or ends the process, and only
 * in a debug build: a violated precondition is a bug in the caller, whose
 * result would otherwise be silently wrong, and stopping at the line that
 * names it is the most useful answer.  Functions that can fail on bad input
 * (sizes from a file or peer, ...) still return a veil_status in every
 * build; VEIL_ASSERT guards what the documentation says the caller must
 * ensure.
 *
 * Without VEIL_DEBUG the macro expands to nothing and cond is not
 * evaluated: keep side effects out of cond. */
#if defined(__GNUC__) || defined(__clang__)
#define VEIL_NORETURN __attribute__((noreturn))
#else
#define VEIL_NORETURN
#endif

/* Report a failed VEIL_ASSERT and abort() (always in the library, so that
 * a debug caller can link a normal build). */
VEIL_EXPORT VEIL_NORETURN void veil_assert_fail(const char *cond,
                                                const char *file, int line);

#ifdef VEIL_DEBUG
#define VEIL_ASSERT(cond)                                                      \
    ((cond) ? (void)0 : veil_assert_fail(#cond, __FILE__, __LINE__))
#else
#define VEIL_ASSERT(cond) ((void)0)
#endif

/* Conditions for VEIL_ASSERT: 1 if a[0..n) are all below `bound`; 1 if
 * the byte ranges [a, a + alen) and [b, b + blen) do not overlap. */
static inline int veil_all_below(const uint64_t *a, size_t n, uint64_t bound)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] >= bound)
            return 0;
    return 1;
}

static inline int veil_disjoint(const void *a, size_t alen, const void *b,
                                size_t blen)
{
    const char *x = (const char *)a, *y = (const char *)b;
    return x + alen <= y || y + blen <= x;
}

/* ------------------------------------------------------------------ status */

/* Every public function that can fail returns one of these.  VEIL_OK is 0;
 * errors are negative so that `if (st)` and `if (st < 0)` both work. */
typedef enum {
    VEIL_OK = 0,
    VEIL_EINVAL = -1,       /* bad argument: NULL, size out of range, ...     */
    VEIL_ENOMEM = -2,       /* allocation failed                              */
    VEIL_EPARAM = -3,       /* parameters insecure, inconsistent or unusable  */
    VEIL_ENOISE = -4,       /* noise budget exhausted: result would be wrong  */
    VEIL_EFORMAT = -5,      /* malformed, truncated or mismatched input data  */
    VEIL_EIO = -6,          /* file or socket I/O failed                      */
    VEIL_EUNSUPPORTED = -7, /* not available on this CPU or build             */
    VEIL_ECLOSED = -8,      /* peer closed the connection                     */
    VEIL_ETIMEOUT = -9,     /* operation timed out                            */
    VEIL_ERANGE = -10,      /* value does not fit the target range            */
    VEIL_ERANDOM = -11,     /* the operating system gave no randomness        */
    VEIL_ENOKEY = -12,      /* a needed key (e.g. a Galois key) is missing    */
    VEIL_EREFUSED = -13,    /* the peer refused the connection (no listener)  */
    VEIL_EUNREACH = -14     /* no route to the peer's network or host         */
} veil_status;

/* A static, human-readable description of a status code (never NULL). */
VEIL_EXPORT const char *veil_strerror(veil_status st);

/* --------------------------------------------------------- init, dispatch */

typedef enum {
    VEIL_ISA_SCALAR = 0, /* portable C: the reference every path must match */
    VEIL_ISA_AVX2 = 1,   /* AVX2 intrinsics                                 */
    VEIL_ISA_AVX512 = 2  /* AVX-512F + AVX-512 IFMA (vpmadd52luq/huq)       */
} veil_isa_t;

#define VEIL_ISA_COUNT 3

/* Initialise the library once (thread-safe, idempotent): initialises
 * libsodium and picks the instruction set: the best one that both this build
 * and this CPU support, or the one named by the environment variable
 * VEIL_ISA=scalar|avx2|avx512.  Returns VEIL_EUNSUPPORTED if VEIL_ISA names a
 * path this machine cannot run (the best path is then used), VEIL_ERANDOM if
 * libsodium cannot initialise. */
VEIL_EXPORT veil_status veil_init(void) VEIL_WUR;

/* The path new objects (NTT plans, ...) use.  Calls veil_init() if needed. */
VEIL_EXPORT veil_isa_t veil_isa_active(void);

/* The fastest path this build and CPU support. */
VEIL_EXPORT veil_isa_t veil_isa_best(void);

/* 1 if this build contains path `isa` and this CPU can run it, else 0. */
VEIL_EXPORT int veil_isa_supported(veil_isa_t isa);

/* Force a path for objects created afterwards (tests and benchmarks).
 * VEIL_EUNSUPPORTED if !veil_isa_supported(isa). Not thread-safe. */
VEIL_EXPORT veil_status veil_isa_set(veil_isa_t isa) VEIL_WUR;

/* "scalar", "avx2" or "avx512". */
VEIL_EXPORT const char *veil_isa_name(veil_isa_t isa);

/* Parse a name as above into *isa; VEIL_EINVAL if unknown. */
VEIL_EXPORT veil_status veil_isa_parse(veil_isa_t *isa,
                                       const char *name) VEIL_WUR;

/* CPU features, probed once with CPUID and XGETBV (the first call probes;
 * thread-safe).  A vector feature counts only if the OS saves its register
 * state (YMM for AVX2 and VAES, ZMM and mask registers for AVX-512).  They
 * say what the CPU can run, not what this build contains or what VEIL_ISA
 * allows: modules pick their kernels from veil_cpu_has() and the path. */
typedef enum {
    VEIL_CPU_AESNI = 1u << 0,       /* AES-NI and SSE4.1                */
    VEIL_CPU_PCLMUL = 1u << 1,      /* carry-less multiply              */
    VEIL_CPU_AVX2 = 1u << 2,        /* AVX2 with FMA and BMI2           */
    VEIL_CPU_AVX512F = 1u << 3,     /* AVX-512 Foundation               */
    VEIL_CPU_AVX512DQ = 1u << 4,    /* doubleword and quadword          */
    VEIL_CPU_AVX512BW = 1u << 5,    /* byte and word                    */
    VEIL_CPU_AVX512VL = 1u << 6,    /* 128/256-bit forms                */
    VEIL_CPU_AVX512IFMA = 1u << 7,  /* 52-bit multiply-add              */
    VEIL_CPU_AVX512VBMI = 1u << 8,  /* byte permutes                    */
    VEIL_CPU_AVX512VBMI2 = 1u << 9, /* byte and word shifts, expands    */
    VEIL_CPU_VAES = 1u << 10,       /* AES on 256/512-bit registers     */
    VEIL_CPU_GFNI = 1u << 11        /* Galois-field affine instructions */
} veil_cpu_feature_t;

/* 1 if the CPU has every feature in `features` (an OR of
 * veil_cpu_feature_t values), else 0; 1 for 0. */
VEIL_EXPORT int veil_cpu_has(unsigned features);

/* ----------------------------------------------------------------- threads */

/* The number of threads for the library's next parallel region: OpenMP's
 * omp_get_max_threads(), less the processors that other tasks are using
 * at this moment (the runnable tasks of /proc/loadavg, the caller not
 * counted), at least 1.  Every parallel region of the library asks it
 * (`num_threads(veil_team())`), so that where another process keeps a
 * core busy, two threads do not wait at every barrier for the one the
 * scheduler put aside.  Cached for a tick of the coarse clock; inside a
 * parallel region, without /proc/loadavg or with VEIL_TEAM=fixed in the
 * environment it is omp_get_max_threads(); 1 without OpenMP. */
VEIL_EXPORT int veil_team(void);

/* ------------------------------------------------------------------ memory */

/* Zero `len` bytes in a way the compiler cannot elide (for secrets). */
VEIL_EXPORT void veil_memzero(void *p, size_t len);

/* 64-byte aligned allocation (for SIMD); NULL on failure or len == 0.
 * Free with veil_free. */
VEIL_EXPORT void *veil_alloc(size_t len);

/* 64-byte aligned, zero-filled allocation of count * size bytes, with an
 * overflow check; NULL on failure. */
VEIL_EXPORT void *veil_calloc(size_t count, size_t size);

/* Free memory from veil_alloc / veil_calloc; NULL is fine. */
VEIL_EXPORT void veil_free(void *p);

/* Wipe `len` bytes, then free (for secret buffers); NULL is fine. */
VEIL_EXPORT void veil_free_secret(void *p, size_t len);

/* ------------------------------------------------------------------ CSPRNG */

/* A cryptographically secure generator: a 256-bit key expanded with the
 * ChaCha20 stream cipher (IETF variant; libsodium's implementation, or on
 * the AVX-512 path the same bytes sixteen blocks at a time).
 * Seeded either from the operating system (getrandom) or from a 32-byte
 * seed, in which case its output is a deterministic function of the seed:
 * that is how a uniform polynomial travels as 32 bytes.  One generator must
 * not be used by two threads at once; give each thread its own. */
#define VEIL_SEED_BYTES 32

typedef struct {
    uint8_t key[32];
    uint8_t nonce[12];
    uint32_t block;    /* next ChaCha20 block counter                   */
    uint32_t pos;      /* next unread byte in buf                       */
    uint8_t buf[1024]; /* buffered keystream                            */
} veil_rng_t;

/* Seed from the operating system. VEIL_ERANDOM if getrandom fails. */
VEIL_EXPORT veil_status veil_rng_init(veil_rng_t *rng) VEIL_WUR;

/* Seed deterministically from 32 bytes (a seed from another veil_rng_t or
 * received with a seeded key/ciphertext). */
VEIL_EXPORT void veil_rng_init_seed(veil_rng_t *rng,
                                    const uint8_t seed[VEIL_SEED_BYTES]);

/* Wipe the generator state; safe to call twice. */
VEIL_EXPORT void veil_rng_clear(veil_rng_t *rng);

/* Fill out[0..len) with random bytes. */
VEIL_EXPORT void veil_rng_bytes(veil_rng_t *rng, void *out, size_t len);

/* A uniform 64-bit word. */
VEIL_EXPORT uint64_t veil_rng_u64(veil_rng_t *rng);

/* out[i] uniform in [0, q) by rejection sampling (no modulo bias);
 * requires 2 <= q < 2^63. */
VEIL_EXPORT void veil_rng_uniform_mod(veil_rng_t *rng, uint64_t *out, size_t n,
                                      uint64_t q);

/* out[i] uniform in {-1, 0, 1} (the ternary secret distribution). */
VEIL_EXPORT void veil_rng_ternary(veil_rng_t *rng, int8_t *out, size_t n);

/* out[i] from the centred binomial distribution with parameter 21: the sum of
 * 21 fair coin differences, in [-21, 21], variance 10.5, i.e. standard
 * deviation 3.24 (the HE standard's sigma = 3.2; SEAL samples it the same
 * way). */
VEIL_EXPORT void veil_rng_cbd(veil_rng_t *rng, int8_t *out, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* VEIL_VEIL_H */
