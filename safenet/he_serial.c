/*
 * he_serial.c - the batches of ciphertexts of the offline linear layers on
 * the wire (he.h): a 4-byte little-endian count, then that many
 * bfv_serial.h ciphertext objects back to back.  The client's fresh
 * symmetric encryptions are seeded (c_1 travels as its 32-byte seed); the
 * server's replies are switched to L->reply_limbs primes (bfv_ms objects).
 * The bfv deserializers check each object (parameter hash, sizes, residues,
 * checksum); here: the count against what the receiver expects, size 2,
 * the replies' number of primes, and no trailing bytes.
 */
#include "he_internal.h"
#include "veil/bfv_serial.h"
#include <stdlib.h>

#define COUNT_BYTES 4

static size_t ct_bytes(const bfv_context_t *ctx, int seeded)
{
    size_t body = 0;
    /* bfv_ciphertext_serial_size needs an object: compute from a dummy
     * with the same context instead of duplicating doc/09's table */
    bfv_ciphertext_t ct;
    if (bfv_ciphertext_init(&ct, ctx) != VEIL_OK)
        return 0;
    ct.seeded = seeded;
    body = bfv_ciphertext_serial_size(&ct, 0);
    bfv_ciphertext_clear(&ct);
    return body;
}

size_t safenet_he_upload_bytes(const safenet_he_layer_t *L)
{
    if (L == NULL || L->ctx == NULL)
        return 0;
    return COUNT_BYTES + L->in_ct * ct_bytes(L->ctx, 1);
}

/* Bytes of one switched reply ciphertext (size 2, L->reply_limbs). */
static size_t ms_bytes(const safenet_he_layer_t *L)
{
    size_t body = 0;
    bfv_ms_ciphertext_t ms;
    if (bfv_ms_ciphertext_init(&ms, L->ctx) != VEIL_OK)
        return 0;
    ms.size = 2;
    ms.limbs = L->reply_limbs;
    body = bfv_ms_ciphertext_serial_size(&ms);
    bfv_ms_ciphertext_clear(&ms);
    return body;
}

size_t safenet_he_download_bytes(const safenet_he_layer_t *L)
{
    if (L == NULL || L->ctx == NULL)
        return 0;
    return COUNT_BYTES + L->out_ct * ms_bytes(L);
}

size_t safenet_he_batch_size(const bfv_ciphertext_t *cts, size_t count)
{
    size_t total = COUNT_BYTES;
    if (cts == NULL || count > UINT32_MAX)
        return 0;
    for (size_t i = 0; i < count; i++) {
        size_t b = bfv_ciphertext_serial_size(&cts[i], 0);
        if (b == 0)
            return 0;
        total += b;
    }
    return total;
}

/* One object of a batch: write item i at out (cap bytes left), or read
 * it from in (len bytes left); *used = its bytes. */
typedef veil_status (*put_fn)(uint8_t *out, size_t cap, size_t *used,
                              const void *items, size_t i);
typedef veil_status (*get_fn)(void *items, size_t i, const uint8_t *in,
                              size_t len, size_t *used, size_t limbs);

static veil_status batch_write(uint8_t *out, size_t cap, size_t *len,
                               const void *items, size_t count, put_fn put)
{
    size_t pos = COUNT_BYTES;
    if (out == NULL || len == NULL || items == NULL || count > UINT32_MAX)
        return VEIL_EINVAL;
    if (cap < COUNT_BYTES)
        return VEIL_ERANGE;
    for (int k = 0; k < COUNT_BYTES; k++)
        out[k] = (uint8_t)(count >> (8 * k));
    for (size_t i = 0; i < count; i++) {
        size_t l;
        veil_status st = put(out + pos, cap - pos, &l, items, i);
        if (st != VEIL_OK)
            return st;
        pos += l;
    }
    *len = pos;
    return VEIL_OK;
}

static veil_status batch_read(void *items, size_t count, size_t limbs,
                              const uint8_t *in, size_t len, get_fn get)
{
    size_t pos = COUNT_BYTES;
    uint32_t c = 0;
    if (items == NULL || in == NULL)
        return VEIL_EINVAL;
    if (len < COUNT_BYTES)
        return VEIL_EFORMAT;
    for (int k = 0; k < COUNT_BYTES; k++)
        c |= (uint32_t)in[k] << (8 * k);
    if (c != count)
        return VEIL_EFORMAT;
    for (size_t i = 0; i < count; i++) {
        size_t used = 0;
        veil_status st = get(items, i, in + pos, len - pos, &used, limbs);
        if (st != VEIL_OK)
            return st == VEIL_EINVAL ? VEIL_EINVAL : VEIL_EFORMAT;
        pos += used;
    }
    return pos == len ? VEIL_OK : VEIL_EFORMAT;
}

static veil_status put_ct(uint8_t *out, size_t cap, size_t *used,
                          const void *items, size_t i)
{
    return bfv_ciphertext_serialize(out, cap, used,
                                    &((const bfv_ciphertext_t *)items)[i], 0);
}

static veil_status get_ct(void *items, size_t i, const uint8_t *in, size_t len,
                          size_t *used, size_t limbs)
{
    bfv_ciphertext_t *ct = &((bfv_ciphertext_t *)items)[i];
    veil_status st = bfv_ciphertext_deserialize(ct, in, len, used);
    (void)limbs;
    return st == VEIL_OK && ct->size != 2 ? VEIL_EFORMAT : st;
}

static veil_status put_ms(uint8_t *out, size_t cap, size_t *used,
                          const void *items, size_t i)
{
    return bfv_ms_ciphertext_serialize(
        out, cap, used, &((const bfv_ms_ciphertext_t *)items)[i]);
}

static veil_status get_ms(void *items, size_t i, const uint8_t *in, size_t len,
                          size_t *used, size_t limbs)
{
    bfv_ms_ciphertext_t *ms = &((bfv_ms_ciphertext_t *)items)[i];
    veil_status st = bfv_ms_ciphertext_deserialize(ms, in, len, used);
    return st == VEIL_OK && (ms->size != 2 || ms->limbs != limbs) ? VEIL_EFORMAT
                                                                  : st;
}

veil_status safenet_he_batch_serialize(uint8_t *out, size_t cap, size_t *len,
                                       const bfv_ciphertext_t *cts,
                                       size_t count)
{
    return batch_write(out, cap, len, cts, count, put_ct);
}

veil_status safenet_he_batch_deserialize(bfv_ciphertext_t *cts, size_t count,
                                         const uint8_t *in, size_t len)
{
    return batch_read(cts, count, 0, in, len, get_ct);
}

veil_status safenet_he_reply_serialize(uint8_t *out, size_t cap, size_t *len,
                                       const bfv_ms_ciphertext_t *ms,
                                       size_t count)
{
    return batch_write(out, cap, len, ms, count, put_ms);
}

veil_status safenet_he_reply_deserialize(bfv_ms_ciphertext_t *ms, size_t count,
                                         size_t limbs, const uint8_t *in,
                                         size_t len)
{
    return batch_read(ms, count, limbs, in, len, get_ms);
}

bfv_ms_ciphertext_t *safenet_he_ms_new(const bfv_context_t *ctx, size_t n)
{
    bfv_ms_ciphertext_t *ms = calloc(n > 0 ? n : 1, sizeof(*ms));
    for (size_t i = 0; ms != NULL && i < n; i++)
        if (bfv_ms_ciphertext_init(&ms[i], ctx) != VEIL_OK) {
            safenet_he_ms_free(ms, i);
            return NULL;
        }
    return ms;
}

void safenet_he_ms_free(bfv_ms_ciphertext_t *ms, size_t n)
{
    for (size_t i = 0; ms != NULL && i < n; i++)
        bfv_ms_ciphertext_clear(&ms[i]);
    free(ms);
}
