/* Key memory (bfv/keymem.c): freed key mappings are reused for the next
 * key of the same size, never for another size, stay 2 MiB-aligned, the
 * cache stays within its bound, and a key generated into a reused mapping
 * full of stale words is bit-identical to one generated into fresh
 * memory. */
#include "../../bfv/bfv_internal.h"
#include "helpers.h"
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#define HUGE ((uintptr_t)2 << 20)

Test(keymem, reuse_same_size_only)
{
    const size_t a_bytes = (size_t)5 << 20, b_bytes = (size_t)3 << 20;
    uint64_t *a, *a2, *b;

    bfv_keymem_trim();
    cr_assert_eq(bfv_keymem_cached_bytes(), 0);
    a = bfv_keymem_alloc(a_bytes);
    cr_assert_not_null(a);
    /* the mapping (64-byte header, then the data) starts on 2 MiB */
    cr_assert_eq(((uintptr_t)a - 64) % HUGE, 0);
    memset(a, 0xa5, a_bytes);
    bfv_keymem_free(a);
    cr_assert_geq(bfv_keymem_cached_bytes(), a_bytes);
    /* another size maps anew; the same size takes the cached mapping */
    b = bfv_keymem_alloc(b_bytes);
    cr_assert_not_null(b);
    cr_assert_neq(b, a);
    a2 = bfv_keymem_alloc(a_bytes);
    cr_assert_eq(a2, a, "a freed mapping of the same size is reused");
    cr_assert_eq(bfv_keymem_cached_bytes(), 0);
    bfv_keymem_free(b);
    bfv_keymem_free(a2);
    bfv_keymem_trim();
    cr_assert_eq(bfv_keymem_cached_bytes(), 0);
    bfv_keymem_free(NULL);
}

Test(keymem, cache_bounded)
{
    /* six mappings of a quarter of the bound freed: four stay cached, the
     * most recently freed first */
    const size_t bytes = BFV_KEYMEM_CACHE_BYTES / 4 - 4096;
    uint64_t *m[6];
    bfv_keymem_trim();
    for (int i = 0; i < 6; i++) {
        m[i] = bfv_keymem_alloc(bytes);
        cr_assert_not_null(m[i]);
    }
    for (int i = 0; i < 6; i++) {
        bfv_keymem_free(m[i]);
        cr_assert_leq(bfv_keymem_cached_bytes(), BFV_KEYMEM_CACHE_BYTES);
    }
    cr_assert_eq(bfv_keymem_cached_bytes(), BFV_KEYMEM_CACHE_BYTES);
    cr_assert_eq(bfv_keymem_alloc(bytes), m[5]);
    bfv_keymem_free(m[5]);
    /* larger than the whole cache: unmapped at once */
    m[0] = bfv_keymem_alloc(BFV_KEYMEM_CACHE_BYTES + 1);
    cr_assert_not_null(m[0]);
    bfv_keymem_trim();
    bfv_keymem_free(m[0]);
    cr_assert_eq(bfv_keymem_cached_bytes(), 0);
}

/* A relinearization and a Galois key from a fixed stream, into fresh
 * mappings and again into reused mappings filled with stale words: the
 * same bits. */
Test(keymem, stale_memory_overwritten)
{
    bfv_params_t p;
    bfv_context_t ctx;
    bfv_secret_key_t sk;
    bfv_relin_key_t rk[2];
    bfv_galois_keys_t gk[2];
    veil_rng_t rng;
    const int64_t step = 3;
    size_t bytes;

    cr_assert_eq(bfv_params_preset(&p, 4096), VEIL_OK);
    cr_assert_eq(bfv_context_init(&ctx, &p), VEIL_OK);
    bytes = 2 * bfv_ks_digits_words(&ctx) * sizeof(uint64_t);
    cr_assert_eq(bfv_secret_key_init(&sk, &ctx), VEIL_OK);
    vt_rng(&rng, "keymem.stale_memory_overwritten");
    cr_assert_eq(bfv_keygen_secret(&sk, &rng), VEIL_OK);
    veil_rng_clear(&rng);
    for (int round = 0; round < 2; round++) {
        bfv_keymem_trim();
        if (round == 1) {
            /* two stale mappings of the key size in the cache */
            uint64_t *s0 = bfv_keymem_alloc(bytes);
            uint64_t *s1 = bfv_keymem_alloc(bytes);
            cr_assert(s0 != NULL && s1 != NULL);
            memset(s0, 0xff, bytes);
            memset(s1, 0x5a, bytes);
            bfv_keymem_free(s0);
            bfv_keymem_free(s1);
        }
        vt_rng_fixed(&rng, 1313);
        cr_assert_eq(bfv_relin_key_init(&rk[round], &ctx), VEIL_OK);
        cr_assert_eq(bfv_galois_keys_init(&gk[round], &ctx), VEIL_OK);
        cr_assert_eq(bfv_keygen_relin(&rk[round], &sk, &rng), VEIL_OK);
        cr_assert_eq(
            bfv_keygen_galois_steps(&gk[round], &sk, &step, 1, 0, &rng),
            VEIL_OK);
        veil_rng_clear(&rng);
        if (round == 1) /* both keys took the stale mappings */
            cr_assert_eq(bfv_keymem_cached_bytes(), 0);
    }
    cr_assert_eq(memcmp(rk[0].ksk.data, rk[1].ksk.data, bytes), 0);
    cr_assert_eq(gk[0].count, 1);
    cr_assert_eq(gk[1].count, 1);
    cr_assert_eq(memcmp(gk[0].keys[0].ksk.data, gk[1].keys[0].ksk.data, bytes),
                 0);
    for (int r = 0; r < 2; r++) {
        bfv_relin_key_clear(&rk[r]);
        bfv_galois_keys_clear(&gk[r]);
    }
    bfv_keymem_trim();
    bfv_secret_key_clear(&sk);
    bfv_context_clear(&ctx);
}
