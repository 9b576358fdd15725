/* Tests of the base layer: status strings, ISA parsing, memory, CSPRNG. */
#include "veil/veil.h"
#include <criterion/criterion.h>
#include <string.h>

Test(base, strerror_covers_all_codes)
{
    for (int s = 0; s >= VEIL_ENOKEY; s--)
        cr_assert_str_neq(veil_strerror((veil_status)s), "unknown status");
    cr_assert_str_eq(veil_strerror((veil_status)-999), "unknown status");
}

Test(base, isa_parse_and_names)
{
    veil_isa_t isa;
    cr_assert_eq(veil_init(), VEIL_OK);
    for (int i = 0; i < VEIL_ISA_COUNT; i++) {
        cr_assert_eq(veil_isa_parse(&isa, veil_isa_name((veil_isa_t)i)),
                     VEIL_OK);
        cr_assert_eq((int)isa, i);
    }
    cr_assert_eq(veil_isa_parse(&isa, "sse9"), VEIL_EINVAL);
    cr_assert_eq(veil_isa_parse(NULL, "avx2"), VEIL_EINVAL);
    cr_assert(veil_isa_supported(VEIL_ISA_SCALAR));
    cr_assert(veil_isa_supported(veil_isa_best()));
}

Test(base, seeded_rng_is_deterministic_and_chunking_invariant)
{
    uint8_t seed[VEIL_SEED_BYTES] = {1, 2, 3};
    veil_rng_t a, b;
    uint8_t x[5000], y[5000];
    veil_rng_init_seed(&a, seed);
    veil_rng_init_seed(&b, seed);
    veil_rng_bytes(&a, x, sizeof(x));
    /* the same stream read in odd-sized pieces */
    for (size_t off = 0; off < sizeof(y);) {
        size_t take = 1 + off % 777;
        if (take > sizeof(y) - off)
            take = sizeof(y) - off;
        veil_rng_bytes(&b, y + off, take);
        off += take;
    }
    cr_assert(memcmp(x, y, sizeof(x)) == 0);
    veil_rng_clear(&a);
    veil_rng_clear(&b);
}

Test(base, uniform_mod_in_range_and_roughly_uniform)
{
    veil_rng_t r;
    enum { N = 60000 };
    static uint64_t v[N];
    unsigned count[3] = {0, 0, 0};
    cr_assert_eq(veil_rng_init(&r), VEIL_OK);
    veil_rng_uniform_mod(&r, v, N, 3);
    for (int i = 0; i < N; i++) {
        cr_assert_lt(v[i], 3);
        count[v[i]]++;
    }
    /* each bucket within 5 standard deviations (sd ~ 115) of 20000 */
    for (int i = 0; i < 3; i++)
        cr_assert(count[i] > 19400 && count[i] < 20600, "bucket %d: %u", i,
                  count[i]);
    veil_rng_uniform_mod(&r, v, N, ((uint64_t)1 << 50) - 27);
    for (int i = 0; i < N; i++)
        cr_assert_lt(v[i], ((uint64_t)1 << 50) - 27);
    veil_rng_clear(&r);
}

/* veil_rng_uniform_mod writes whole keystream blocks straight into its
 * output when its buffer is empty: it must give the words of the plain
 * definition (8-byte words of the stream, masked to the bit length of
 * q - 1, those >= q rejected), in order, and leave the stream where that
 * definition leaves it - for lengths that start on and off a block, with
 * many rejections (q just above a power of two) and with few. */
Test(base, uniform_mod_matches_word_by_word_definition)
{
    uint8_t seed[VEIL_SEED_BYTES] = {7, 1, 9};
    const uint64_t qs[] = {((uint64_t)1 << 44) - 21 * ((uint64_t)1 << 14) + 1,
                           ((uint64_t)1 << 40) + 1, 3, 65537};
    const size_t lens[] = {8192, 63, 64, 65, 1000, 4097};
    enum { NMAX = 8192 };
    static uint64_t got[NMAX], want[NMAX];
    for (size_t qi = 0; qi < sizeof(qs) / sizeof(qs[0]); qi++) {
        const uint64_t q = qs[qi];
        const unsigned bits = 64 - (unsigned)__builtin_clzll(q - 1);
        const uint64_t mask = ((uint64_t)1 << bits) - 1;
        for (size_t skip = 0; skip < 3; skip++) {
            veil_rng_t a, b;
            veil_rng_init_seed(&a, seed);
            veil_rng_init_seed(&b, seed);
            /* skip = 1: start mid-buffer; 2: start at a refill boundary */
            if (skip > 0) {
                uint8_t pre[1024];
                const size_t k = skip == 1 ? 40 : sizeof(pre);
                veil_rng_bytes(&a, pre, k);
                veil_rng_bytes(&b, pre, k);
            }
            for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
                const size_t n = lens[li];
                veil_rng_uniform_mod(&a, got, n, q);
                for (size_t i = 0; i < n;) {
                    uint64_t x = veil_rng_u64(&b) & mask;
                    if (x < q)
                        want[i++] = x;
                }
                cr_assert(memcmp(got, want, n * sizeof(uint64_t)) == 0,
                          "q %llu skip %zu n %zu", (unsigned long long)q, skip,
                          n);
                /* the stream goes on from the same place */
                cr_assert_eq(veil_rng_u64(&a), veil_rng_u64(&b));
            }
            veil_rng_clear(&a);
            veil_rng_clear(&b);
        }
    }
}

/* The centred binomial sampler against its definition on the same stream:
 * popcount of the low 21 bits of each 8-byte word minus popcount of the
 * next 21 (the compiler's popcount as the oracle). */
Test(base, cbd_matches_definition)
{
    uint8_t seed[VEIL_SEED_BYTES] = {4, 2};
    const uint64_t m21 = ((uint64_t)1 << 21) - 1;
    enum { N = 3000 };
    int8_t v[N];
    veil_rng_t a, b;
    veil_rng_init_seed(&a, seed);
    veil_rng_init_seed(&b, seed);
    veil_rng_cbd(&a, v, N);
    for (int i = 0; i < N; i++) {
        uint64_t x = veil_rng_u64(&b);
        int want = __builtin_popcountll(x & m21) -
                   __builtin_popcountll((x >> 21) & m21);
        cr_assert_eq(v[i], want, "sample %d", i);
    }
    veil_rng_clear(&a);
    veil_rng_clear(&b);
}

Test(base, ternary_and_cbd_distributions)
{
    veil_rng_t r;
    enum { N = 100000 };
    static int8_t v[N];
    double mean = 0, var = 0;
    long cnt[3] = {0, 0, 0};
    cr_assert_eq(veil_rng_init(&r), VEIL_OK);
    veil_rng_ternary(&r, v, N);
    for (int i = 0; i < N; i++) {
        cr_assert(v[i] >= -1 && v[i] <= 1);
        cnt[v[i] + 1]++;
    }
    for (int i = 0; i < 3; i++)
        cr_assert(cnt[i] > 32300 && cnt[i] < 34400);
    veil_rng_cbd(&r, v, N);
    for (int i = 0; i < N; i++) {
        cr_assert(v[i] >= -21 && v[i] <= 21);
        mean += v[i];
    }
    mean /= N;
    for (int i = 0; i < N; i++)
        var += (v[i] - mean) * (v[i] - mean);
    var /= N;
    cr_assert(mean > -0.1 && mean < 0.1, "mean %f", mean);
    cr_assert(var > 10.0 && var < 11.0, "variance %f (expected 10.5)", var);
    veil_rng_clear(&r);
}

Test(base, aligned_alloc_and_overflow)
{
    void *p = veil_alloc(100);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p % 64, 0);
    veil_free(p);
    cr_assert_null(veil_alloc(0));
    cr_assert_null(veil_calloc(SIZE_MAX / 2, 4));
    veil_free(NULL);
    veil_free_secret(NULL, 10);
}
