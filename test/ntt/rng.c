/* The CSPRNG's keystream and samplers on every ISA path against libsodium
 * (crypto_stream_chacha20_ietf_xor_ic, the oracle) and against each
 * other: the AVX2 and AVX-512 ChaCha20 kernels (ntt/avx2/chacha_avx2.c,
 * ntt/avx512/chacha_avx512.c) block for block, their fused uniform and
 * binomial samplers word for word. */
#include "../../ntt/rng_internal.h"
#include "../common/seed.h"
#include "config.h"
#include "veil/veil.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* libsodium's keystream of blocks blocks from counter. */
static void oracle(uint8_t *out, size_t blocks, const uint8_t key[32],
                   const uint8_t nonce[12], uint32_t counter)
{
    memset(out, 0, 64 * blocks);
    crypto_stream_chacha20_ietf_xor_ic(out, out, 64 * blocks, nonce, counter,
                                       key);
}

/* The generator's bytes on every ISA path: libsodium's stream of its
 * seed, nonce 0, counter 0 (read in pieces of odd sizes). */
Test(rng, stream_is_chacha20_ietf_on_every_path)
{
    enum { LEN = 70001 };
    static uint8_t got[LEN], want[(LEN + 63) / 64 * 64];
    const uint8_t zero_nonce[12] = {0};
    veil_rng_t seedgen, r;
    uint8_t seed[VEIL_SEED_BYTES];
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&seedgen, "rng.stream_is_chacha20_ietf_on_every_path");
    veil_rng_bytes(&seedgen, seed, sizeof(seed));
    oracle(want, sizeof(want) / 64, seed, zero_nonce, 0);
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
        if (!veil_isa_supported((veil_isa_t)isa))
            continue;
        cr_assert_eq(veil_isa_set((veil_isa_t)isa), VEIL_OK);
        veil_rng_init_seed(&r, seed);
        for (size_t off = 0; off < LEN;) {
            size_t take = 1 + (off * 7 + 13) % 3001;
            if (take > LEN - off)
                take = LEN - off;
            veil_rng_bytes(&r, got + off, take);
            off += take;
        }
        cr_assert(memcmp(got, want, LEN) == 0, "isa %s",
                  veil_isa_name((veil_isa_t)isa));
        veil_rng_clear(&r);
    }
    cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
    veil_rng_clear(&seedgen);
}

/* The SIMD kernels of ntt/rng_internal.h, one row per ISA built. */
typedef struct {
    veil_isa_t isa;
    void (*stream)(uint8_t *, size_t, const uint8_t *, const uint8_t *,
                   uint32_t);
    size_t (*uniform)(uint64_t *, size_t, const uint8_t *, const uint8_t *,
                      uint32_t, uint64_t, uint64_t);
    void (*cbd)(int8_t *, const uint64_t *, size_t);
} kernels_t;

static const kernels_t kernels[] = {
#if defined(VEIL_HAVE_AVX2)
    {VEIL_ISA_AVX2, veil_chacha20_avx2, veil_chacha20_uniform_avx2,
     veil_cbd21_avx2},
#endif
#if defined(VEIL_HAVE_AVX512)
    {VEIL_ISA_AVX512, veil_chacha20_avx512, veil_chacha20_uniform_avx512,
     veil_cbd21_avx512},
#endif
    {VEIL_ISA_SCALAR, NULL, NULL, NULL}, /* the end */
};

/* The kernels this machine runs (at least one row is checked on an AVX2
 * machine; none on a scalar one). */
#define FOR_KERNELS(k)                                                         \
    for (const kernels_t *k = kernels; k->stream != NULL; k++)                 \
        if (veil_isa_supported(k->isa))

/* The keystream itself: random keys, nonces and counters (up to the last
 * block before the counter wraps), 1 .. 40 blocks (partial batches). */
Test(rng, chacha20_simd_matches_libsodium)
{
    static uint8_t got[64 * 40], want[64 * 40];
    veil_rng_t g;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&g, "rng.chacha20_simd_matches_libsodium");
    FOR_KERNELS(k)
    for (unsigned it = 0; it < vt_iters(200); it++) {
        uint8_t key[32], nonce[12];
        const size_t blocks = 1 + it % 40;
        uint32_t counter = (uint32_t)veil_rng_u64(&g);
        veil_rng_bytes(&g, key, sizeof(key));
        veil_rng_bytes(&g, nonce, sizeof(nonce));
        if (it % 4 == 1)
            counter = 0;
        if (it % 4 == 2 || counter > UINT32_MAX - blocks + 1)
            counter = (uint32_t)(UINT32_MAX - blocks + 1);
        oracle(want, blocks, key, nonce, counter);
        memset(got, 0xee, sizeof(got));
        k->stream(got, blocks, key, nonce, counter);
        cr_assert(memcmp(got, want, 64 * blocks) == 0,
                  "%s: blocks %zu counter %u", veil_isa_name(k->isa), blocks,
                  counter);
        for (size_t b = 64 * blocks; b < sizeof(got); b++)
            cr_assert_eq(got[b], 0xee, "wrote past the last block");
    }
    veil_rng_clear(&g);
}

/* The fused uniform samplers against masking and rejecting the oracle's
 * words one by one, with many rejections (q just above a power of two),
 * none, and some; they write exactly the accepted words. */
Test(rng, chacha20_uniform_simd_matches_definition)
{
    enum { MAXB = 37 };
    static uint64_t ks[8 * MAXB], got[8 * MAXB + 8], want[8 * MAXB];
    const uint64_t qs[] = {((uint64_t)1 << 40) + 1, 0xffffff6c001ULL, 3, 65537,
                           ((uint64_t)1 << 50) - 27};
    veil_rng_t g;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&g, "rng.chacha20_uniform_simd_matches_definition");
    FOR_KERNELS(k)
    for (unsigned it = 0; it < vt_iters(100); it++) {
        uint8_t key[32], nonce[12];
        const uint64_t q = qs[it % 5];
        const unsigned bits = 64 - (unsigned)__builtin_clzll(q - 1);
        const uint64_t mask = ((uint64_t)1 << bits) - 1;
        const size_t blocks = 1 + (it * 11) % MAXB;
        const uint32_t counter = (uint32_t)veil_rng_u64(&g) >> 1;
        size_t n = 0, m;
        veil_rng_bytes(&g, key, sizeof(key));
        veil_rng_bytes(&g, nonce, sizeof(nonce));
        oracle((uint8_t *)ks, blocks, key, nonce, counter);
        for (size_t j = 0; j < 8 * blocks; j++)
            if ((ks[j] & mask) < q)
                want[n++] = ks[j] & mask;
        for (size_t j = 0; j < sizeof(got) / sizeof(got[0]); j++)
            got[j] = 0xdeadbeef;
        m = k->uniform(got, blocks, key, nonce, counter, mask, q);
        cr_assert_eq(m, n, "%s: q %llu blocks %zu", veil_isa_name(k->isa),
                     (unsigned long long)q, blocks);
        cr_assert(memcmp(got, want, n * sizeof(uint64_t)) == 0);
        cr_assert_eq(got[n], 0xdeadbeef, "wrote past the accepted words");
    }
    veil_rng_clear(&g);
}

/* The binomial kernels against the compiler's popcount, every length
 * 0 .. 70 (the tail after whole vectors). */
Test(rng, cbd21_simd_matches_definition)
{
    uint64_t in[70];
    int8_t got[71];
    veil_rng_t g;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&g, "rng.cbd21_simd_matches_definition");
    FOR_KERNELS(k)
    for (size_t n = 0; n <= 70; n++) {
        veil_rng_bytes(&g, in, sizeof(in));
        if (n == 3) /* the extremes: +21 and -21 */
            in[0] = ((uint64_t)1 << 21) - 1, in[1] = in[0] << 21;
        memset(got, 0x77, sizeof(got));
        k->cbd(got, in, n);
        for (size_t j = 0; j < n; j++) {
            const uint64_t m21 = ((uint64_t)1 << 21) - 1;
            int want = __builtin_popcountll(in[j] & m21) -
                       __builtin_popcountll((in[j] >> 21) & m21);
            cr_assert_eq(got[j], want, "%s: n %zu j %zu", veil_isa_name(k->isa),
                         n, j);
        }
        cr_assert_eq(got[n], 0x77);
    }
    veil_rng_clear(&g);
}

/* The samplers give the same values on every path from the same seed. */
Test(rng, samplers_identical_on_every_path)
{
    enum { N = 20000 };
    static uint64_t u[VEIL_ISA_COUNT][N];
    static int8_t c[VEIL_ISA_COUNT][N];
    const uint64_t q = 0xfffffebc001ULL;
    uint8_t seed[VEIL_SEED_BYTES];
    veil_rng_t g, r;
    int first = -1;
    cr_assert_eq(veil_init(), VEIL_OK);
    vt_rng(&g, "rng.samplers_identical_on_every_path");
    veil_rng_bytes(&g, seed, sizeof(seed));
    for (int isa = 0; isa < VEIL_ISA_COUNT; isa++) {
        if (!veil_isa_supported((veil_isa_t)isa))
            continue;
        cr_assert_eq(veil_isa_set((veil_isa_t)isa), VEIL_OK);
        veil_rng_init_seed(&r, seed);
        veil_rng_uniform_mod(&r, u[isa], N, q);
        veil_rng_cbd(&r, c[isa], N);
        veil_rng_uniform_mod(&r, u[isa] + 5, N - 5, 3);
        veil_rng_clear(&r);
        if (first < 0) {
            first = isa;
            continue;
        }
        cr_assert(memcmp(u[isa], u[first], sizeof(u[0])) == 0, "isa %s",
                  veil_isa_name((veil_isa_t)isa));
        cr_assert(memcmp(c[isa], c[first], sizeof(c[0])) == 0, "isa %s",
                  veil_isa_name((veil_isa_t)isa));
    }
    cr_assert_eq(veil_isa_set(veil_isa_best()), VEIL_OK);
    veil_rng_clear(&g);
}
