/*
 * serial_io.c - the byte-level layer of the formats: little-endian
 * integers, the common 48-byte header, bit-packed residue rows, and a
 * reader that never passes the end of its input (doc/09-serialization.md).
 */
#include "serial_internal.h"
#include <sodium.h>
#include <string.h>

static const uint8_t magic[4] = {'V', 'B', 'F', 'V'};

/* ------------------------------------------------------------- writing */

/* 64-bit little-endian words: one load or store on little-endian hosts. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_IS_LE 1
#else
#define HOST_IS_LE 0
#endif

static inline void put_le64(uint8_t *p, uint64_t v)
{
    if (HOST_IS_LE) {
        memcpy(p, &v, 8);
        return;
    }
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    if (HOST_IS_LE) {
        memcpy(&v, p, 8);
        return v;
    }
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void bfv_wr_u32(bfv_wr_t *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *w->p++ = (uint8_t)(v >> (8 * i));
}

void bfv_wr_u64(bfv_wr_t *w, uint64_t v)
{
    put_le64(w->p, v);
    w->p += 8;
}

void bfv_wr_bytes(bfv_wr_t *w, const void *src, size_t len)
{
    memcpy(w->p, src, len);
    w->p += len;
}

void bfv_wr_header(bfv_wr_t *w, bfv_serial_type_t type, unsigned flags,
                   uint64_t body, const uint8_t hash[BFV_PARAMS_HASH_BYTES])
{
    bfv_wr_bytes(w, magic, sizeof(magic));
    *w->p++ = (uint8_t)(BFV_SERIAL_VERSION & 0xff);
    *w->p++ = (uint8_t)(BFV_SERIAL_VERSION >> 8);
    *w->p++ = (uint8_t)type;
    *w->p++ = (uint8_t)flags;
    bfv_wr_u64(w, body);
    bfv_wr_bytes(w, hash, BFV_PARAMS_HASH_BYTES);
}

/* Poly1305's key for the checksum of format 2: public, so the tag is a
 * keyless checksum (a polynomial in the message's 16-byte blocks evaluated
 * mod 2^130 - 5), not an authenticator. */
static const uint8_t checksum_key[32] = "veil bfv checksum key, format 2";

void bfv_checksum(uint8_t out[BFV_SERIAL_CHECKSUM_BYTES], const uint8_t *in,
                  size_t len, unsigned version)
{
    if (version == 1)
        crypto_generichash(out, BFV_SERIAL_CHECKSUM_BYTES, in,
                           (unsigned long long)len, NULL, 0);
    else
        crypto_onetimeauth_poly1305(out, in, (unsigned long long)len,
                                    checksum_key);
}

void bfv_wr_seal(bfv_wr_t *w, const uint8_t *start)
{
    bfv_checksum(w->p, start, (size_t)(w->p - start), BFV_SERIAL_VERSION);
    w->p += BFV_SERIAL_CHECKSUM_BYTES;
}

/* 1 if the header's format is one this code reads. */
static int version_read(const uint8_t *h)
{
    unsigned v = h[4] | (unsigned)h[5] << 8;
    return v >= BFV_SERIAL_VERSION_OLDEST && v <= BFV_SERIAL_VERSION;
}

/* The bits of a value below m.  Every modulus, prime or t, is below
 * 2^NTT_MAX_PRIME_BITS (bfv_params_check), so a value and the at most 63
 * bits waiting before it fit a 128-bit accumulator. */
unsigned bfv_bits(uint64_t m)
{
    return 64u - (unsigned)__builtin_clzll(m - 1);
}

size_t bfv_rows_bytes(size_t nrows, size_t n, const uint64_t *mods)
{
    size_t bytes = 0;
    for (size_t r = 0; r < nrows; r++)
        bytes += n / 8 * bfv_bits(mods[r]);
    return bytes;
}

/* Rows are packed a 64-bit word at a time: values enter a 128-bit
 * accumulator at its fill, and every full word leaves it as 8 little-endian
 * bytes. */
void bfv_wr_rows(bfv_wr_t *w, const uint64_t *rows, size_t nrows, size_t n,
                 const uint64_t *mods)
{
    for (size_t r = 0; r < nrows; r++) {
        const unsigned bits = bfv_bits(mods[r]);
        const uint64_t *v = rows + r * n;
        unsigned __int128 acc = 0;
        unsigned fill = 0; /* bits waiting in acc, < 64 between values */
        for (size_t k = 0; k < n; k++) {
            acc |= (unsigned __int128)v[k] << fill;
            fill += bits;
            if (fill >= 64) {
                put_le64(w->p, (uint64_t)acc);
                w->p += 8;
                acc >>= 64;
                fill -= 64;
            }
        }
        /* n is a multiple of 8, so every row ends on a byte boundary */
        for (; fill > 0; fill -= 8, acc >>= 8)
            *w->p++ = (uint8_t)acc;
    }
}

/* ------------------------------------------------------------- reading */

const uint8_t *bfv_rd_bytes(bfv_rd_t *r, size_t len)
{
    const uint8_t *p;
    if (r->bad || len > r->left) {
        r->bad = 1;
        return NULL;
    }
    p = r->p;
    r->p += len;
    r->left -= len;
    return p;
}

uint32_t bfv_rd_u32(bfv_rd_t *r)
{
    const uint8_t *p = bfv_rd_bytes(r, 4);
    uint32_t v = 0;
    if (p != NULL)
        for (int i = 0; i < 4; i++)
            v |= (uint32_t)p[i] << (8 * i);
    return v;
}

uint64_t bfv_rd_u64(bfv_rd_t *r)
{
    const uint8_t *p = bfv_rd_bytes(r, 8);
    return p != NULL ? get_le64(p) : 0;
}

veil_status bfv_rd_header(bfv_rd_t *body, unsigned *flags, size_t *used,
                          const uint8_t *in, size_t len, bfv_serial_type_t want,
                          unsigned allowed,
                          const uint8_t hash[BFV_PARAMS_HASH_BYTES])
{
    bfv_rd_t r = {in, len, 0, NULL, 0, 0};
    const uint8_t *h;
    uint64_t blen;

    if (in == NULL || len < BFV_SERIAL_HEADER_BYTES)
        return VEIL_EFORMAT;
    h = bfv_rd_bytes(&r, BFV_SERIAL_HEADER_BYTES);
    if (memcmp(h, magic, 4) != 0 || !version_read(h) || h[6] != want ||
        (h[7] & ~allowed) != 0)
        return VEIL_EFORMAT;
    r.p = h + 8;
    r.left = 8;
    blen = bfv_rd_u64(&r);
    /* len >= header: the subtraction cannot wrap */
    if (len - BFV_SERIAL_HEADER_BYTES < BFV_SERIAL_CHECKSUM_BYTES ||
        blen > len - BFV_SERIAL_HEADER_BYTES - BFV_SERIAL_CHECKSUM_BYTES)
        return VEIL_EFORMAT;
    if (used == NULL &&
        blen != len - BFV_SERIAL_HEADER_BYTES - BFV_SERIAL_CHECKSUM_BYTES)
        return VEIL_EFORMAT;
    if (hash != NULL && memcmp(h + 16, hash, BFV_PARAMS_HASH_BYTES) != 0)
        return VEIL_EFORMAT;
    *flags = h[7];
    body->p = in + BFV_SERIAL_HEADER_BYTES;
    body->left = (size_t)blen;
    body->bad = 0;
    body->start = in;
    body->sealed = BFV_SERIAL_HEADER_BYTES + (size_t)blen;
    body->version = h[4] | (unsigned)h[5] << 8;
    if (used != NULL)
        *used = body->sealed + BFV_SERIAL_CHECKSUM_BYTES;
    return VEIL_OK;
}

int bfv_rd_finish(const bfv_rd_t *body)
{
    uint8_t sum[BFV_SERIAL_CHECKSUM_BYTES];
    if (body->bad || body->left != 0 || body->start == NULL)
        return 0;
    bfv_checksum(sum, body->start, body->sealed, body->version);
    return sodium_memcmp(sum, body->start + body->sealed, sizeof(sum)) == 0;
}

int bfv_rd_rows(bfv_rd_t *r, uint64_t *rows, size_t nrows, size_t n,
                const uint64_t *mods)
{
    for (size_t row = 0; row < nrows; row++) {
        const unsigned bits = bfv_bits(mods[row]);
        const uint64_t mask = ((uint64_t)1 << bits) - 1;
        const size_t len = n / 8 * bits;
        const uint8_t *p = bfv_rd_bytes(r, len), *end = p + len;
        uint64_t *v = rows + row * n, bad = 0;
        unsigned __int128 acc = 0;
        unsigned fill = 0;
        if (p == NULL)
            return 0;
        for (size_t k = 0; k < n; k++) {
            if (fill < bits) {
                if (end - p >= 8) {
                    acc |= (unsigned __int128)get_le64(p) << fill;
                    p += 8;
                    fill += 64;
                } else {
                    for (; fill < bits; fill += 8)
                        acc |= (unsigned __int128)*p++ << fill;
                }
            }
            v[k] = (uint64_t)acc & mask;
            acc >>= bits;
            fill -= bits;
            bad |= v[k] >= mods[row];
        }
        if (bad) {
            r->bad = 1;
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------- helpers */

void bfv_qp_moduli(uint64_t *mods, const bfv_context_t *ctx)
{
    for (size_t i = 0; i < ctx->n_qp; i++)
        mods[i] = ctx->plans[i].q;
}

veil_status bfv_serial_peek(bfv_serial_type_t *type, uint64_t *total,
                            const uint8_t *in, size_t len)
{
    bfv_rd_t r = {in, len, 0, NULL, 0, 0};
    const uint8_t *h;
    uint64_t blen;
    if (type == NULL || total == NULL || in == NULL)
        return VEIL_EINVAL;
    h = bfv_rd_bytes(&r, BFV_SERIAL_HEADER_BYTES);
    if (h == NULL || memcmp(h, magic, 4) != 0 || !version_read(h) ||
        h[6] < BFV_SERIAL_PARAMS || h[6] > BFV_SERIAL_RINGSW_KEY)
        return VEIL_EFORMAT;
    r.p = h + 8;
    r.left = 8;
    blen = bfv_rd_u64(&r);
    if (blen > UINT64_MAX - BFV_SERIAL_HEADER_BYTES - BFV_SERIAL_CHECKSUM_BYTES)
        return VEIL_EFORMAT;
    *type = (bfv_serial_type_t)h[6];
    *total = BFV_SERIAL_HEADER_BYTES + blen + BFV_SERIAL_CHECKSUM_BYTES;
    return VEIL_OK;
}
