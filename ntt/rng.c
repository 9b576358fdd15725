/*
 * rng.c - the CSPRNG: an OS seed (getrandom) expanded with ChaCha20, and the
 * samplers BFV needs (uniform mod q, ternary, centred binomial).
 *
 * Output is a deterministic function of the 32-byte key, so a seeded
 * generator reproduces a uniform polynomial from its seed on any machine.
 * The keystream is libsodium's ChaCha20 (IETF: 96-bit nonce, 32-bit block
 * counter), or, on the SIMD paths, the same bytes from eight or sixteen
 * blocks at a time in ntt/avx2/chacha_avx2.c and ntt/avx512/chacha_avx512.c
 * (the AVX-512 kernel about 3x faster than libsodium's AVX2 code on the
 * Intel machine; the uniform and binomial samplers consume the keystream
 * straight from the registers).
 */
#include "config.h"
#include "rng_internal.h"
#include "veil/veil.h"
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/random.h>

/* Whether the AVX-512 / AVX2 keystream kernels run (the active ISA
 * path). */
static int use_avx512(void)
{
#if defined(VEIL_HAVE_AVX512)
    return veil_isa_active() == VEIL_ISA_AVX512;
#else
    return 0;
#endif
}

static int use_avx2(void)
{
#if defined(VEIL_HAVE_AVX2)
    return veil_isa_active() == VEIL_ISA_AVX2;
#else
    return 0;
#endif
}

/* out[0 .. 64 blocks) = the keystream of rng's key and nonce from block
 * counter (not carried into the nonce: counter + blocks - 1 <= UINT32_MAX). */
static void keystream(uint8_t *out, size_t blocks, const veil_rng_t *rng,
                      uint32_t counter)
{
#if defined(VEIL_HAVE_AVX512)
    if (use_avx512()) {
        veil_chacha20_avx512(out, blocks, rng->key, rng->nonce, counter);
        return;
    }
#endif
#if defined(VEIL_HAVE_AVX2)
    if (use_avx2()) {
        veil_chacha20_avx2(out, blocks, rng->key, rng->nonce, counter);
        return;
    }
#endif
    memset(out, 0, 64 * blocks);
    crypto_stream_chacha20_ietf_xor_ic(out, out, 64 * blocks, rng->nonce,
                                       counter, rng->key);
}

/* Refill buf with the next sizeof(buf) bytes of keystream. */
static void rng_refill(veil_rng_t *rng)
{
    const uint32_t blocks = sizeof(rng->buf) / 64;
    keystream(rng->buf, blocks, rng, rng->block);
    if (rng->block > UINT32_MAX - blocks) {
        /* 256 GiB used under this nonce: move to the next one. */
        sodium_increment(rng->nonce, sizeof(rng->nonce));
        rng->block = 0;
    } else {
        rng->block += blocks;
    }
    rng->pos = 0;
}

void veil_rng_init_seed(veil_rng_t *rng, const uint8_t seed[VEIL_SEED_BYTES])
{
    memcpy(rng->key, seed, sizeof(rng->key));
    memset(rng->nonce, 0, sizeof(rng->nonce));
    rng->block = 0;
    rng->pos = sizeof(rng->buf); /* empty: refill on first use */
}

veil_status veil_rng_init(veil_rng_t *rng)
{
    uint8_t seed[VEIL_SEED_BYTES];
    size_t got = 0;

    if (rng == NULL)
        return VEIL_EINVAL;
    while (got < sizeof(seed)) {
        ssize_t r = getrandom(seed + got, sizeof(seed) - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            veil_memzero(seed, sizeof(seed));
            return VEIL_ERANDOM;
        }
        got += (size_t)r;
    }
    veil_rng_init_seed(rng, seed);
    veil_memzero(seed, sizeof(seed));
    return VEIL_OK;
}

void veil_rng_clear(veil_rng_t *rng)
{
    if (rng != NULL)
        veil_memzero(rng, sizeof(*rng));
}

void veil_rng_bytes(veil_rng_t *rng, void *out, size_t len)
{
    uint8_t *o = out;
    while (len > 0) {
        size_t take;
        if (rng->pos >= sizeof(rng->buf))
            rng_refill(rng);
        take = sizeof(rng->buf) - rng->pos;
        if (take > len)
            take = len;
        memcpy(o, rng->buf + rng->pos, take);
        /* Keystream once handed out is erased from the buffer. */
        memset(rng->buf + rng->pos, 0, take);
        rng->pos += (uint32_t)take;
        o += take;
        len -= take;
    }
}

uint64_t veil_rng_u64(veil_rng_t *rng)
{
    uint64_t x;
    veil_rng_bytes(rng, &x, sizeof(x));
    return x;
}

/* The direct path of veil_rng_uniform_mod: the words of blocks whole
 * blocks from rng->block on, masked, those below q written to out in
 * order; returns how many.  out has room for 8 blocks words. */
static size_t uniform_blocks(uint64_t *out, size_t blocks,
                             const veil_rng_t *rng, uint64_t mask, uint64_t q)
{
    uint64_t chunk[128]; /* 16 blocks */
    uint32_t counter = rng->block;
    size_t i = 0;
#if defined(VEIL_HAVE_AVX512)
    if (use_avx512())
        return veil_chacha20_uniform_avx512(out, blocks, rng->key, rng->nonce,
                                            counter, mask, q);
#endif
#if defined(VEIL_HAVE_AVX2)
    if (use_avx2())
        return veil_chacha20_uniform_avx2(out, blocks, rng->key, rng->nonce,
                                          counter, mask, q);
#endif
    while (blocks > 0) {
        const size_t take = blocks < 16 ? blocks : 16;
        keystream((uint8_t *)chunk, take, rng, counter);
        /* branch-free: out[i] is always below i_0 + 8 blocks */
        for (size_t j = 0; j < 8 * take; j++) {
            uint64_t x = chunk[j] & mask;
            out[i] = x;
            i += x < q;
        }
        counter += (uint32_t)take;
        blocks -= take;
    }
    veil_memzero(chunk, sizeof(chunk));
    return i;
}

void veil_rng_uniform_mod(veil_rng_t *rng, uint64_t *out, size_t n, uint64_t q)
{
    /* Draw words masked to the bit length of q-1 and reject those >= q:
     * at most half are rejected, and the accepted ones are exactly uniform. */
    unsigned bits = 64 - (unsigned)__builtin_clzll(q - 1);
    uint64_t mask = bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1);
    uint64_t chunk[64];
    size_t i = 0;
    while (i < n) {
        size_t want = n - i < 64 ? n - i : 64, j;
        if (rng->pos >= sizeof(rng->buf) && n - i >= 64) {
            /* The buffer is empty, so the stream continues at block
             * rng->block: take whole blocks of it sixteen at a time (in
             * registers or a 1 KiB buffer that stays in cache) and write
             * the accepted words to out.  The same words as the buffered
             * path, and the stream goes on from the same position,
             * without its copies or a second pass over out. */
            size_t blocks = (n - i) / 8;
            if (rng->block > UINT32_MAX - 16 ||
                blocks > UINT32_MAX - 16 - rng->block)
                blocks = 0; /* near the nonce change: buffered path */
            if (blocks > 0) {
                i += uniform_blocks(out + i, blocks, rng, mask, q);
                rng->block += (uint32_t)blocks;
                continue;
            }
        }
        veil_rng_bytes(rng, chunk, want * sizeof(uint64_t));
        for (j = 0; j < want; j++) {
            uint64_t x = chunk[j] & mask;
            if (x < q)
                out[i++] = x;
        }
    }
    veil_memzero(chunk, sizeof(chunk));
}

void veil_rng_ternary(veil_rng_t *rng, int8_t *out, size_t n)
{
    /* Each byte gives a value in [0, 255); rejecting 255 leaves 255 = 3 * 85
     * equally likely values, so byte mod 3 is exactly uniform. */
    uint8_t chunk[256];
    size_t i = 0;
    while (i < n) {
        size_t j;
        veil_rng_bytes(rng, chunk, sizeof(chunk));
        for (j = 0; j < sizeof(chunk) && i < n; j++)
            if (chunk[j] != 255)
                out[i++] = (int8_t)(chunk[j] % 3) - 1;
    }
    veil_memzero(chunk, sizeof(chunk));
}

/* Population count without the POPCNT instruction (this file is built for
 * any x86-64, where __builtin_popcountll becomes a call to libgcc's
 * __popcountdi2): the classic SWAR sum of bits in 2, 4, 8 bits, then of the
 * bytes by one multiplication. */
static inline int popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

void veil_rng_cbd(veil_rng_t *rng, int8_t *out, size_t n)
{
    /* 42 random bits per sample: popcount(21 bits) - popcount(21 bits). */
    uint64_t chunk[64];
    const uint64_t m21 = ((uint64_t)1 << 21) - 1;
    size_t i = 0;
    while (i < n) {
        size_t want = n - i < 64 ? n - i : 64, j;
        veil_rng_bytes(rng, chunk, want * sizeof(uint64_t));
#if defined(VEIL_HAVE_AVX512)
        if (use_avx512()) {
            veil_cbd21_avx512(out + i, chunk, want);
            i += want;
            continue;
        }
#endif
#if defined(VEIL_HAVE_AVX2)
        if (use_avx2()) {
            veil_cbd21_avx2(out + i, chunk, want);
            i += want;
            continue;
        }
#endif
        for (j = 0; j < want; j++) {
            uint64_t x = chunk[j];
            out[i++] =
                (int8_t)(popcount64(x & m21) - popcount64((x >> 21) & m21));
        }
    }
    veil_memzero(chunk, sizeof(chunk));
}
