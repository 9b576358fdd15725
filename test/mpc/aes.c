/*
 * Tests of mpc_aes.h against a textbook byte-oriented AES-128 written here
 * from FIPS-197 (S-box from the GF(2^8) inverse and the affine map), plus
 * the FIPS-197 known answers (appendix A.1 key expansion, appendix C.1
 * cipher), on every path this machine runs: the portable constant-time AES
 * (scalar), AES-NI (avx2) and VAES (avx512), which must agree bit for bit.
 */
#include "../common/seed.h"
#include "paths.h"
#include "veil/mpc_aes.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------- reference AES-128 */

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    while (b) {
        if (b & 1)
            r ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return r;
}

static uint8_t sbox(uint8_t x)
{
    uint8_t inv = 0, y;
    for (int c = 1; c < 256 && x; c++)
        if (gmul(x, (uint8_t)c) == 1)
            inv = (uint8_t)c;
    y = inv;
    for (int i = 1; i < 5; i++)
        y ^= (uint8_t)((inv << i) | (inv >> (8 - i)));
    return y ^ 0x63;
}

static void ref_aes128(uint8_t out[16], const uint8_t key[16],
                       const uint8_t in[16])
{
    uint8_t S[256], w[176], s[16], t[16], rcon = 1;
    for (int i = 0; i < 256; i++)
        S[i] = sbox((uint8_t)i);
    memcpy(w, key, 16);
    for (int i = 4; i < 44; i++) {
        uint8_t tmp[4];
        memcpy(tmp, w + 4 * (i - 1), 4);
        if (i % 4 == 0) {
            uint8_t t0 = tmp[0];
            tmp[0] = S[tmp[1]] ^ rcon;
            tmp[1] = S[tmp[2]];
            tmp[2] = S[tmp[3]];
            tmp[3] = S[t0];
            rcon = gmul(rcon, 2);
        }
        for (int j = 0; j < 4; j++)
            w[4 * i + j] = w[4 * (i - 4) + j] ^ tmp[j];
    }
    for (int i = 0; i < 16; i++)
        s[i] = in[i] ^ w[i];
    for (int r = 1; r <= 10; r++) {
        for (int i = 0; i < 16; i++) /* SubBytes + ShiftRows */
            t[i] = S[s[(i + 4 * (i % 4)) % 16]];
        for (int c = 0; c < 4 && r < 10; c++) { /* MixColumns */
            uint8_t *a = t + 4 * c, b0 = a[0], b1 = a[1], b2 = a[2], b3 = a[3];
            a[0] = gmul(b0, 2) ^ gmul(b1, 3) ^ b2 ^ b3;
            a[1] = b0 ^ gmul(b1, 2) ^ gmul(b2, 3) ^ b3;
            a[2] = b0 ^ b1 ^ gmul(b2, 2) ^ gmul(b3, 3);
            a[3] = gmul(b0, 3) ^ b1 ^ b2 ^ gmul(b3, 2);
        }
        for (int i = 0; i < 16; i++)
            s[i] = t[i] ^ w[16 * r + i];
    }
    memcpy(out, s, 16);
}

/* ----------------------------------------------------------------- tests */

/* Run body(isa) on every path this build and CPU support (paths.h), then
 * restore the active path. */
static void each_path(void (*body)(veil_isa_t))
{
    veil_isa_t keep = veil_isa_active();
    for (int v = 0; v < VT_PATHS; v++)
        if (vt_path_set(v))
            body(veil_isa_active());
    vt_path_restore(keep);
}

static void fips197(veil_isa_t isa)
{
    mpc_block_t k, p, c;
    mpc_aes_key_t key;
    /* appendix A.1: key 2b7e1516 28aed2a6 abf71588 09cf4f3c, last round key
     * w[40..43] = d014f9a8 c9ee2589 e13f0cc8 b6630ca6 */
    static const uint8_t a1_key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae,
                                       0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88,
                                       0x09, 0xcf, 0x4f, 0x3c};
    static const uint8_t a1_rk10[16] = {0xd0, 0x14, 0xf9, 0xa8, 0xc9, 0xee,
                                        0x25, 0x89, 0xe1, 0x3f, 0x0c, 0xc8,
                                        0xb6, 0x63, 0x0c, 0xa6};
    /* appendix C.1: key 00..0f, plaintext 00112233..ff */
    static const uint8_t want[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b,
                                     0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80,
                                     0x70, 0xb4, 0xc5, 0x5a};
    uint8_t ref[16];
    memcpy(k.w, a1_key, 16);
    cr_assert_eq(mpc_aes_init(&key, &k), VEIL_OK);
    cr_assert(memcmp(key.rk[0].w, a1_key, 16) == 0, "%s", veil_isa_name(isa));
    cr_assert(memcmp(key.rk[10].w, a1_rk10, 16) == 0, "%s: A.1 w[40..43]",
              veil_isa_name(isa));
    for (int i = 0; i < 16; i++) {
        ((uint8_t *)k.w)[i] = (uint8_t)i;
        ((uint8_t *)p.w)[i] = (uint8_t)(0x11 * i);
    }
    cr_assert_eq(mpc_aes_init(&key, &k), VEIL_OK);
    mpc_aes_ecb(&c, &key, &p, 1);
    cr_assert(memcmp(c.w, want, 16) == 0, "%s (%s): C.1", veil_isa_name(isa),
              mpc_aes_kernel_name());
    ref_aes128(ref, (const uint8_t *)k.w, (const uint8_t *)p.w);
    cr_assert(memcmp(ref, want, 16) == 0, "reference AES disagrees");
    mpc_aes_clear(&key);
    mpc_aes_clear(&key);
}

Test(mpc_aes, fips197_known_answers_on_every_path)
{
    each_path(fips197);
}

/* VEIL_ISA=scalar means the portable AES: no AES instruction runs. */
Test(mpc_aes, scalar_path_is_the_portable_aes)
{
    veil_isa_t keep = veil_isa_active();
    cr_assert_eq(veil_isa_set(VEIL_ISA_SCALAR), VEIL_OK);
    cr_assert_str_eq(mpc_aes_kernel_name(), "portable");
    cr_assert_eq(mpc_aes_available(), 0);
    cr_assert_eq(veil_isa_set(keep), VEIL_OK);
}

static void ecb_ctr(veil_isa_t isa)
{
    veil_rng_t rng;
    mpc_block_t k, in[100], out[100], ctr_out[100], x[100];
    mpc_aes_key_t key;
    uint8_t ref[16];
    vt_rng(&rng, veil_isa_name(isa));
    /* up to 100 blocks: the VAES kernels take over from 32 where they run */
    for (size_t n = 0; n <= 100; n += n < 40 ? 1 : 7) {
        uint64_t ctr = veil_rng_u64(&rng);
        veil_rng_bytes(&rng, &k, sizeof(k));
        veil_rng_bytes(&rng, in, sizeof(in));
        veil_rng_bytes(&rng, x, sizeof(x));
        cr_assert_eq(mpc_aes_init(&key, &k), VEIL_OK);
        mpc_aes_ecb(out, &key, in, n);
        mpc_aes_ctr(ctr_out, &key, ctr, n);
        for (size_t j = 0; j < n; j++) {
            mpc_block_t cb = {{ctr + j, 0}};
            ref_aes128(ref, (const uint8_t *)k.w, (const uint8_t *)in[j].w);
            cr_assert(memcmp(ref, out[j].w, 16) == 0, "ecb n=%zu j=%zu", n, j);
            ref_aes128(ref, (const uint8_t *)k.w, (const uint8_t *)cb.w);
            cr_assert(memcmp(ref, ctr_out[j].w, 16) == 0, "ctr n=%zu j=%zu", n,
                      j);
        }
        /* CTR added to x and y (and to x alone, in place) */
        mpc_aes_ctr_xor(out, &key, ctr, n, in, x);
        for (size_t j = 0; j < n; j++)
            for (int w = 0; w < 2; w++)
                cr_assert_eq(out[j].w[w],
                             ctr_out[j].w[w] ^ in[j].w[w] ^ x[j].w[w],
                             "ctr_xor n=%zu j=%zu", n, j);
        memcpy(out, x, sizeof(x));
        mpc_aes_ctr_xor(out, &key, ctr, n, out, NULL);
        for (size_t j = 0; j < n; j++)
            for (int w = 0; w < 2; w++)
                cr_assert_eq(out[j].w[w], ctr_out[j].w[w] ^ x[j].w[w],
                             "ctr_xor in place n=%zu j=%zu", n, j);
        /* in place */
        mpc_aes_ecb(out, &key, in, n);
        mpc_aes_ecb(in, &key, in, n);
        cr_assert(n == 0 || memcmp(in, out, n * 16) == 0);
    }
    veil_rng_clear(&rng);
}

Test(mpc_aes, ecb_ctr_match_reference_for_every_length_and_path)
{
    each_path(ecb_ctr);
}

static void hashes(veil_isa_t isa)
{
    veil_rng_t rng;
    mpc_aes_key_t pi;
    mpc_block_t x[21], h[21], e[21], t[21];
    uint64_t tweak;
    vt_rng(&rng, veil_isa_name(isa));
    cr_assert_eq(mpc_aes_init_fixed(&pi), VEIL_OK);
    veil_rng_bytes(&rng, x, sizeof(x));
    tweak = veil_rng_u64(&rng);

    mpc_hash_cr(h, &pi, x, 21);
    mpc_aes_ecb(e, &pi, x, 21);
    for (int j = 0; j < 21; j++)
        cr_assert(mpc_block_eq(h[j], mpc_block_xor(e[j], x[j])));

    mpc_hash_ccr(h, &pi, x, 21);
    for (int j = 0; j < 21; j++) {
        mpc_block_t s = mpc_block_sigma(x[j]);
        mpc_aes_ecb(e, &pi, &s, 1);
        cr_assert(mpc_block_eq(h[j], mpc_block_xor(e[0], s)));
        /* sigma is linear and sigma(x) ^ x is a bijection too */
        cr_assert_eq(s.w[0], x[j].w[1]);
        cr_assert_eq(s.w[1], x[j].w[0] ^ x[j].w[1]);
    }

    mpc_hash_tccr(h, &pi, x, tweak, 21);
    mpc_aes_ecb(e, &pi, x, 21);
    for (int j = 0; j < 21; j++) {
        mpc_block_t tw = {{tweak + (uint64_t)j, 0}};
        t[j] = mpc_block_xor(e[j], tw);
    }
    mpc_aes_ecb(t, &pi, t, 21);
    for (int j = 0; j < 21; j++)
        cr_assert(mpc_block_eq(h[j], mpc_block_xor(t[j], e[j])));

    /* out == in */
    memcpy(e, x, sizeof(x));
    mpc_hash_tccr(e, &pi, e, tweak, 21);
    cr_assert(memcmp(e, h, sizeof(h)) == 0);
    veil_rng_clear(&rng);
}

Test(mpc_aes, hashes_match_their_definitions_on_every_path)
{
    each_path(hashes);
}

Test(mpc_aes, prg_is_ctr_stream_whatever_the_chunking)
{
    veil_rng_t rng;
    mpc_block_t seed, want[40];
    mpc_aes_key_t key;
    mpc_prg_t g;
    uint8_t got[640];
    vt_rng(&rng, "prg");
    veil_rng_bytes(&rng, &seed, sizeof(seed));
    cr_assert_eq(mpc_aes_init(&key, &seed), VEIL_OK);
    mpc_aes_ctr(want, &key, 0, 40);
    cr_assert_eq(mpc_prg_init(&g, &seed), VEIL_OK);
    for (size_t off = 0; off < sizeof(got);) {
        size_t take = 1 + veil_rng_u64(&rng) % 70;
        if (take > sizeof(got) - off)
            take = sizeof(got) - off;
        mpc_prg_bytes(&g, got + off, take);
        off += take;
    }
    cr_assert(memcmp(got, want, sizeof(got)) == 0);
    /* mpc_prg_blocks continues block aligned */
    cr_assert_eq(mpc_prg_init(&g, &seed), VEIL_OK);
    mpc_prg_bytes(&g, got, 5);
    mpc_prg_blocks(&g, &seed, 1);
    cr_assert(mpc_block_eq(seed, want[1]));
    mpc_prg_clear(&g);
    mpc_prg_clear(&g);
    veil_rng_clear(&rng);
}

Test(mpc_aes, bad_arguments)
{
    mpc_aes_key_t key;
    mpc_block_t k = {{0, 0}};
    cr_assert_eq(mpc_aes_init(NULL, &k), VEIL_EINVAL);
    cr_assert_eq(mpc_aes_init(&key, NULL), VEIL_EINVAL);
    cr_assert_eq(mpc_prg_init(NULL, &k), VEIL_EINVAL);
    mpc_aes_clear(NULL);
    mpc_prg_clear(NULL);
}

/* Every path gives the blocks of the portable reference (the scalar
 * path), for lengths around every tail case (8-block groups of AES-NI,
 * 4-block registers and 32-block rounds of VAES), and the same key
 * schedule. */
Test(mpc_aes, every_path_matches_the_portable_reference)
{
    veil_rng_t rng;
    enum { N = 301, F = 7 };
    static mpc_block_t in[N + 3], ref[F][N], got[F][N];
    mpc_aes_key_t key, pi, key_ref;
    mpc_block_t k;
    veil_isa_t keep = veil_isa_active();
    int paths = 0;
    vt_rng(&rng, "aes_paths");
    veil_rng_bytes(&rng, &k, sizeof(k));
    veil_rng_bytes(&rng, in, sizeof(in));
    for (size_t n = 1; n <= N; n += n < 40 ? 1 : 29) {
        for (int isa = VEIL_ISA_SCALAR; isa < VT_PATHS; isa++) {
            mpc_block_t(*o)[N] = isa == VEIL_ISA_SCALAR ? ref : got;
            if (!vt_path_set(isa))
                continue;
            cr_assert_eq(mpc_aes_init(&key, &k), VEIL_OK);
            cr_assert_eq(mpc_aes_init_fixed(&pi), VEIL_OK);
            if (isa == VEIL_ISA_SCALAR)
                key_ref = key;
            else
                cr_assert(memcmp(key.rk, key_ref.rk, sizeof(key.rk)) == 0,
                          "key schedule of %s", mpc_aes_kernel_name());
            memset(o, 0, sizeof(ref));
            mpc_aes_ecb(o[0], &key, in, n);
            mpc_aes_ctr(o[1], &key, UINT64_MAX - 40, n); /* counter wraps */
            /* key stream onto unaligned x and y */
            mpc_aes_ctr_xor(o[6], &key, 7, n,
                            (const mpc_block_t *)((const uint8_t *)in + 3),
                            (const mpc_block_t *)((const uint8_t *)in + 40));
            mpc_hash_cr(o[2], &pi, in, n);
            mpc_hash_ccr(o[3], &pi, in, n);
            mpc_hash_tccr(o[4], &pi, in, 12345, n);
            /* the PRG as the IKNP parties use it */
            {
                mpc_prg_t g;
                cr_assert_eq(mpc_prg_init(&g, &k), VEIL_OK);
                mpc_prg_blocks(&g, o[5], n);
                mpc_prg_clear(&g);
            }
            if (isa == VEIL_ISA_SCALAR)
                continue;
            paths += n == 1;
            for (int f = 0; f < F; f++)
                cr_assert(memcmp(ref[f], got[f], sizeof(ref[f])) == 0,
                          "%s: function %d n %zu", mpc_aes_kernel_name(), f, n);
        }
    }
    vt_path_restore(keep);
    fprintf(stderr, "aes: %d accelerated path(s) checked\n", paths);
    veil_rng_clear(&rng);
}
