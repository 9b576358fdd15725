/*
 * he_serial.c - the batches of ciphertexts of the offline linear layers on
 * the wire (he.h): a 4-byte little-endian count, then that many
 * bfv_serial.h ciphertext objects back to back.  The client's fresh
 * symmetric encryptions are seeded (c_1 travels as its 32-byte seed); the
 * server's replies are full.  bfv_ciphertext_deserialize checks each
 * object (parameter hash, sizes, residues, checksum); here: the count
 * against what the receiver expects, size 2, and no trailing bytes.
 */
#include "he_internal.h"
#include "veil/bfv_serial.h"

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

size_t safenet_he_download_bytes(const safenet_he_layer_t *L)
{
    if (L == NULL || L->ctx == NULL)
        return 0;
    return COUNT_BYTES + L->out_ct * ct_bytes(L->ctx, 0);
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

veil_status safenet_he_batch_serialize(uint8_t *out, size_t cap, size_t *len,
                                       const bfv_ciphertext_t *cts,
                                       size_t count)
{
    size_t pos = COUNT_BYTES;
    if (out == NULL || len == NULL || cts == NULL || count > UINT32_MAX)
        return VEIL_EINVAL;
    if (cap < COUNT_BYTES)
        return VEIL_ERANGE;
    for (int k = 0; k < COUNT_BYTES; k++)
        out[k] = (uint8_t)(count >> (8 * k));
    for (size_t i = 0; i < count; i++) {
        size_t l;
        veil_status st =
            bfv_ciphertext_serialize(out + pos, cap - pos, &l, &cts[i], 0);
        if (st != VEIL_OK)
            return st;
        pos += l;
    }
    *len = pos;
    return VEIL_OK;
}

veil_status safenet_he_batch_deserialize(bfv_ciphertext_t *cts, size_t count,
                                         const uint8_t *in, size_t len)
{
    size_t pos = COUNT_BYTES;
    uint32_t c = 0;
    if (cts == NULL || in == NULL)
        return VEIL_EINVAL;
    if (len < COUNT_BYTES)
        return VEIL_EFORMAT;
    for (int k = 0; k < COUNT_BYTES; k++)
        c |= (uint32_t)in[k] << (8 * k);
    if (c != count)
        return VEIL_EFORMAT;
    for (size_t i = 0; i < count; i++) {
        size_t used = 0;
        veil_status st =
            bfv_ciphertext_deserialize(&cts[i], in + pos, len - pos, &used);
        if (st != VEIL_OK)
            return st == VEIL_EINVAL ? VEIL_EINVAL : VEIL_EFORMAT;
        if (cts[i].size != 2)
            return VEIL_EFORMAT;
        pos += used;
    }
    return pos == len ? VEIL_OK : VEIL_EFORMAT;
}
