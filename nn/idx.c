/*
 * idx.c - the IDX file format of the MNIST distribution (LeCun et al.):
 * a 4-byte magic 00 00 <type> <ndims>, ndims big-endian 32-bit sizes, then
 * the payload.  Only unsigned bytes (type 0x08) are accepted.  Files may be
 * gzip-compressed; zlib's gzread reads plain files unchanged.
 */
#include "veil/nn.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_TYPE_UBYTE 0x08

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Check the 4-byte magic; on success *ndims is the number of dimensions. */
static veil_status idx_magic(uint32_t *ndims, const uint8_t m[4])
{
    if (m[0] != 0 || m[1] != 0 || m[2] != IDX_TYPE_UBYTE || m[3] == 0 ||
        m[3] > NN_IDX_MAX_DIMS)
        return VEIL_EFORMAT;
    *ndims = m[3];
    return VEIL_OK;
}

/* Decode the sizes of idx->ndims dimensions from p and set idx->size;
 * VEIL_EFORMAT on a zero size or a payload above NN_IDX_MAX_BYTES. */
static veil_status idx_dims(nn_idx_t *idx, const uint8_t *p)
{
    size_t size = 1;
    for (uint32_t i = 0; i < idx->ndims; i++) {
        idx->dims[i] = load_be32(p + 4 * i);
        if (idx->dims[i] == 0 || idx->dims[i] > NN_IDX_MAX_BYTES / size)
            return VEIL_EFORMAT;
        size *= idx->dims[i];
    }
    idx->size = size;
    return VEIL_OK;
}

static void idx_empty(nn_idx_t *idx)
{
    memset(idx, 0, sizeof(*idx));
}

void nn_idx_clear(nn_idx_t *idx)
{
    if (idx == NULL)
        return;
    free(idx->data);
    idx_empty(idx);
}

veil_status nn_idx_parse(nn_idx_t *idx, const uint8_t *buf, size_t len)
{
    veil_status st;
    size_t hdr;

    if (idx == NULL)
        return VEIL_EINVAL;
    idx_empty(idx);
    if (buf == NULL || len < 4)
        return VEIL_EFORMAT;
    if ((st = idx_magic(&idx->ndims, buf)) != VEIL_OK)
        return st;
    hdr = 4 + 4 * (size_t)idx->ndims;
    if (len < hdr)
        return VEIL_EFORMAT;
    if ((st = idx_dims(idx, buf + 4)) != VEIL_OK || len - hdr != idx->size) {
        idx_empty(idx);
        return VEIL_EFORMAT;
    }
    if ((idx->data = malloc(idx->size)) == NULL) {
        idx_empty(idx);
        return VEIL_ENOMEM;
    }
    memcpy(idx->data, buf + hdr, idx->size);
    return VEIL_OK;
}

/* Read exactly len bytes.  A short read is VEIL_EFORMAT (truncated file or
 * corrupt gzip stream) unless the system reported an I/O error. */
static veil_status gz_read_exact(gzFile f, uint8_t *p, size_t len)
{
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        int r = gzread(f, p, chunk);
        if (r <= 0) {
            int err;
            gzerror(f, &err);
            return err == Z_ERRNO ? VEIL_EIO : VEIL_EFORMAT;
        }
        p += r;
        len -= (size_t)r;
    }
    return VEIL_OK;
}

/* VEIL_OK if f is at a clean end of stream, VEIL_EFORMAT on trailing data
 * or a damaged stream (bad CRC, truncated trailer), VEIL_EIO on I/O error. */
static veil_status gz_expect_end(gzFile f)
{
    uint8_t extra;
    int err;
    int r = gzread(f, &extra, 1);

    gzerror(f, &err);
    if (err == Z_ERRNO)
        return VEIL_EIO;
    if (r != 0 || (err != Z_OK && err != Z_STREAM_END))
        return VEIL_EFORMAT;
    return VEIL_OK;
}

veil_status nn_idx_read(nn_idx_t *idx, const char *path)
{
    uint8_t hdr[4 * (NN_IDX_MAX_DIMS + 1)];
    veil_status st;
    gzFile f;

    if (idx == NULL)
        return VEIL_EINVAL;
    idx_empty(idx);
    if (path == NULL)
        return VEIL_EINVAL;
    if ((f = gzopen(path, "rb")) == NULL)
        return errno == ENOMEM ? VEIL_ENOMEM : VEIL_EIO;
    if ((st = gz_read_exact(f, hdr, 4)) != VEIL_OK ||
        (st = idx_magic(&idx->ndims, hdr)) != VEIL_OK ||
        (st = gz_read_exact(f, hdr + 4, 4 * (size_t)idx->ndims)) != VEIL_OK ||
        (st = idx_dims(idx, hdr + 4)) != VEIL_OK)
        goto fail;
    if ((idx->data = malloc(idx->size)) == NULL) {
        st = VEIL_ENOMEM;
        goto fail;
    }
    if ((st = gz_read_exact(f, idx->data, idx->size)) != VEIL_OK ||
        (st = gz_expect_end(f)) != VEIL_OK)
        goto fail;
    if (gzclose(f) != Z_OK) {
        nn_idx_clear(idx);
        return VEIL_EFORMAT;
    }
    return VEIL_OK;
fail:
    gzclose(f);
    nn_idx_clear(idx);
    return st;
}
