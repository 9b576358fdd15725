/*
 * aes.c - AES-128 in portable, constant-time C: the reference every AES
 * kernel (aesni/aes.c, vaes/aes.c) must match bit for bit, the path used
 * where the CPU has no AES instructions or VEIL_ISA=scalar, and the
 * version doc/21-garbled-circuits.md teaches from.  Also the public entry
 * points of mpc_aes.h, which call the kernel table (dispatch.c).
 *
 * FIPS-197: the state is 16 bytes in column order (byte 4c + r is row r of
 * column c), which is also the byte order AES-NI uses in an __m128i, so a
 * key schedule made here works with the AES-NI kernels and vice versa.
 *
 * Constant time.  Wire labels are secret, and the usual AES code looks the
 * S-box up in a table indexed by the state, which leaks the state through
 * the cache.  Here SubBytes is computed: the inverse in GF(2^8) as x^254
 * (11 multiplications of an addition chain; 0 maps to 0 as FIPS-197
 * requires), then the affine map of FIPS-197 section 5.1.1.  The eight
 * bytes of a 64-bit word go through it at once (SWAR: shifts, masks and
 * XORs only), so no branch and no address depends on data.  About ten
 * times slower than a table AES; the accelerated paths are what run when
 * the CPU has AES instructions.
 */
#include "internal.h"
#include <string.h>

/* The fractional part of pi, 0x243f6a8885a308d3 13198a2e03707344 (the
 * digits Blowfish and many "nothing up my sleeve" constants start with). */
static const mpc_block_t fixed_user_key = {
    {UINT64_C(0x13198a2e03707344), UINT64_C(0x243f6a8885a308d3)}};

#define LO7 UINT64_C(0x7f7f7f7f7f7f7f7f)
#define HI1 UINT64_C(0x8080808080808080)
#define LSB UINT64_C(0x0101010101010101)

/* Each byte times x in GF(2^8) = GF(2)[x] / (x^8 + x^4 + x^3 + x + 1). */
static inline uint64_t xtime8(uint64_t a)
{
    return ((a & LO7) << 1) ^ (((a & HI1) >> 7) * 0x1b);
}

/* Bytewise product a * b in GF(2^8): shift-and-add over the bits of b,
 * each step selecting with a mask, never a branch. */
static inline uint64_t gmul8(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++) {
        r ^= a & (((b >> i) & LSB) * 0xff);
        a = xtime8(a);
    }
    return r;
}

/* Rotate every byte left by k (1 <= k <= 7). */
static inline uint64_t rotl8(uint64_t x, int k)
{
    const uint64_t keep = LSB * (uint64_t)((0xffu << k) & 0xffu);
    return ((x << k) & keep) | ((x >> (8 - k)) & ~keep);
}

/* SubBytes on eight bytes: y = x^254 = x^-1, then the affine map
 * b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63. */
static uint64_t sub8(uint64_t x)
{
    uint64_t x2 = gmul8(x, x), x3 = gmul8(x2, x), x6 = gmul8(x3, x3);
    uint64_t x12 = gmul8(x6, x6), x14 = gmul8(x12, x2);
    uint64_t x15 = gmul8(x12, x3), y = gmul8(x15, x15); /* x^30 */
    y = gmul8(y, y);                                    /* x^60 */
    y = gmul8(y, y);                                    /* x^120 */
    y = gmul8(y, y);                                    /* x^240 */
    y = gmul8(y, x14);                                  /* x^254 */
    return y ^ rotl8(y, 1) ^ rotl8(y, 2) ^ rotl8(y, 3) ^ rotl8(y, 4) ^
           (LSB * 0x63);
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline void store64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void sub_bytes(uint8_t s[16])
{
    store64(s, sub8(load64(s)));
    store64(s + 8, sub8(load64(s + 8)));
}

/* Row r moves r columns to the left. */
static void shift_rows(uint8_t s[16])
{
    uint8_t t[16];
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++)
            t[4 * c + r] = s[4 * ((c + r) % 4) + r];
    memcpy(s, t, 16);
}

/* Each column times 3x^3 + x^2 + x + 2 (FIPS-197 section 5.1.3):
 * b_r = 2 a_r ^ 3 a_{r+1} ^ a_{r+2} ^ a_{r+3}, two columns per word. */
static void mix_columns(uint8_t s[16])
{
    for (int h = 0; h < 16; h += 8) {
        uint64_t a = load64(s + h), r1, r2, r3;
        /* rk: byte r of each 32-bit column = a_{r+k} */
        r1 = ((a >> 8) & UINT64_C(0x00ffffff00ffffff)) |
             ((a << 24) & UINT64_C(0xff000000ff000000));
        r2 = ((a >> 16) & UINT64_C(0x0000ffff0000ffff)) |
             ((a << 16) & UINT64_C(0xffff0000ffff0000));
        r3 = ((a >> 24) & UINT64_C(0x000000ff000000ff)) |
             ((a << 8) & UINT64_C(0xffffff00ffffff00));
        store64(s + h, xtime8(a ^ r1) ^ r1 ^ r2 ^ r3);
    }
}

static inline void add_round_key(uint8_t s[16], const mpc_block_t *rk)
{
    uint8_t k[16];
    memcpy(k, rk, 16);
    for (int i = 0; i < 16; i++)
        s[i] ^= k[i];
}

/* FIPS-197 section 5.2: w[i] = w[i-4] ^ SubWord(RotWord(w[i-1])) ^ Rcon
 * for i % 4 == 0, w[i-4] ^ w[i-1] otherwise. */
void mpc_aes_expand_portable(mpc_aes_key_t *key, const mpc_block_t *user)
{
    uint8_t w[176];
    uint8_t rcon = 1;
    memcpy(w, user, 16);
    for (int i = 4; i < 44; i++) {
        uint8_t t[8] = {0};
        memcpy(t, w + 4 * (i - 1), 4);
        if (i % 4 == 0) {
            uint8_t r[8] = {t[1], t[2], t[3], t[0], 0, 0, 0, 0};
            store64(t, sub8(load64(r)));
            t[0] ^= rcon;
            rcon = (uint8_t)((rcon << 1) ^ ((rcon >> 7) * 0x1b));
        }
        for (int j = 0; j < 4; j++)
            w[4 * i + j] = w[4 * (i - 4) + j] ^ t[j];
    }
    memcpy(key->rk, w, sizeof(w));
    veil_memzero(w, sizeof(w));
}

void mpc_aes_block_portable(mpc_block_t *out, const mpc_aes_key_t *key,
                            const mpc_block_t *in)
{
    uint8_t s[16];
    memcpy(s, in, 16);
    add_round_key(s, &key->rk[0]);
    for (int r = 1; r < 10; r++) {
        sub_bytes(s);
        shift_rows(s);
        mix_columns(s);
        add_round_key(s, &key->rk[r]);
    }
    sub_bytes(s);
    shift_rows(s);
    add_round_key(s, &key->rk[10]);
    memcpy(out, s, 16);
    veil_memzero(s, sizeof(s));
}

void mpc_aes_ecb_portable(mpc_block_t *out, const mpc_aes_key_t *key,
                          const mpc_block_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mpc_aes_block_portable(&out[i], key, &in[i]);
}

void mpc_aes_ctr_portable(mpc_block_t *out, const mpc_aes_key_t *key,
                          uint64_t ctr, size_t n, const mpc_block_t *x,
                          const mpc_block_t *y)
{
    for (size_t i = 0; i < n; i++) {
        mpc_block_t c = {{ctr + i, 0}};
        mpc_block_t t;
        mpc_aes_block_portable(&c, key, &c);
        for (int k = 0; k < 2; k++) {
            const mpc_block_t *v = k == 0 ? x : y;
            if (v == NULL)
                continue;
            memcpy(&t, &v[i], sizeof(t)); /* v may be unaligned */
            c.w[0] ^= t.w[0];
            c.w[1] ^= t.w[1];
        }
        memcpy(&out[i], &c, sizeof(c));
    }
}

/* ------------------------------------------------- public entry points */

int mpc_aes_available(void)
{
    return strcmp(mpc_kernels()->aes_name, "portable") != 0;
}

const char *mpc_aes_kernel_name(void)
{
    return mpc_kernels()->aes_name;
}

veil_status mpc_aes_init(mpc_aes_key_t *key, const mpc_block_t *user)
{
    if (key == NULL || user == NULL)
        return VEIL_EINVAL;
    mpc_kernels()->aes_expand(key, user);
    return VEIL_OK;
}

veil_status mpc_aes_init_fixed(mpc_aes_key_t *key)
{
    return mpc_aes_init(key, &fixed_user_key);
}

void mpc_aes_clear(mpc_aes_key_t *key)
{
    if (key != NULL)
        veil_memzero(key, sizeof(*key));
}

void mpc_aes_ecb(mpc_block_t *out, const mpc_aes_key_t *key,
                 const mpc_block_t *in, size_t n)
{
    mpc_kernels()->aes_ecb(out, key, in, n);
}

void mpc_aes_ctr(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                 size_t n)
{
    mpc_kernels()->aes_ctr(out, key, ctr, n, NULL, NULL);
}

void mpc_aes_ctr_xor(mpc_block_t *out, const mpc_aes_key_t *key, uint64_t ctr,
                     size_t n, const mpc_block_t *x, const mpc_block_t *y)
{
    mpc_kernels()->aes_ctr(out, key, ctr, n, x, y);
}
