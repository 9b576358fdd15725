/*
 * idx.c - the IDX file format of the MNIST distribution (LeCun et al.):
 * a 4-byte magic 00 00 <type> <ndims>, ndims big-endian 32-bit sizes, then
 * the payload.  Only unsigned bytes (type 0x08) are accepted.  Files may be
 * gzip-compressed (detected from the magic 1f 8b); a gzip member's CRC-32
 * and length trailer are checked by inflate.
 */
#include "veil/nn.h"
#include <errno.h>
#include <stdio.h>
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

/* A file read raw or through inflate.  zlib's gzread is not used: after
 * the last deflate block it may report a clean end of file although the
 * gzip trailer (CRC-32 and ISIZE, RFC 1952 section 2.3.1) is missing, so a
 * truncated file loaded silently.  Here inflate (gzip wrapper) checks the
 * trailer itself, and the stream must reach Z_STREAM_END at the end of the
 * file. */
#define SRC_CHUNK 65536
typedef struct {
    FILE *f;
    int gz;    /* 1: gzip stream, 0: raw bytes   */
    int ended; /* gzip: Z_STREAM_END seen        */
    z_stream z;
    uint8_t in[SRC_CHUNK];
} src_t;

static veil_status src_open(src_t *s, const char *path)
{
    uint8_t magic[2];
    size_t got;

    memset(s, 0, sizeof(*s));
    if ((s->f = fopen(path, "rb")) == NULL)
        return errno == ENOMEM ? VEIL_ENOMEM : VEIL_EIO;
    got = fread(magic, 1, 2, s->f);
    if (ferror(s->f) || fseek(s->f, 0, SEEK_SET) != 0) {
        fclose(s->f);
        return VEIL_EIO; /* a directory, an unreadable file */
    }
    s->gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (s->gz && inflateInit2(&s->z, 15 + 16) != Z_OK) {
        fclose(s->f);
        return VEIL_ENOMEM;
    }
    return VEIL_OK;
}

static void src_close(src_t *s)
{
    if (s->gz)
        inflateEnd(&s->z);
    fclose(s->f);
}

/* Read exactly len bytes.  A short read is VEIL_EFORMAT (truncated file or
 * corrupt gzip stream: a bad CRC-32 or ISIZE is Z_DATA_ERROR) unless the
 * system reported an I/O error. */
static veil_status src_read(src_t *s, uint8_t *p, size_t len)
{
    if (!s->gz) {
        size_t got = fread(p, 1, len, s->f);
        if (got == len)
            return VEIL_OK;
        return ferror(s->f) ? VEIL_EIO : VEIL_EFORMAT;
    }
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        int r;
        if (s->ended)
            return VEIL_EFORMAT; /* the stream ended before the payload */
        if (s->z.avail_in == 0) {
            size_t got = fread(s->in, 1, SRC_CHUNK, s->f);
            if (got == 0)
                return ferror(s->f) ? VEIL_EIO : VEIL_EFORMAT;
            s->z.next_in = s->in;
            s->z.avail_in = (uInt)got;
        }
        s->z.next_out = p;
        s->z.avail_out = chunk;
        r = inflate(&s->z, Z_NO_FLUSH);
        if (r == Z_STREAM_END)
            s->ended = 1;
        else if (r == Z_MEM_ERROR)
            return VEIL_ENOMEM;
        else if (r != Z_OK && r != Z_BUF_ERROR)
            return VEIL_EFORMAT; /* Z_DATA_ERROR: corrupt, bad CRC/ISIZE */
        p += chunk - s->z.avail_out;
        len -= chunk - s->z.avail_out;
    }
    return VEIL_OK;
}

/* VEIL_OK if s is at a clean end: for gzip, the member's trailer was read
 * and checked (Z_STREAM_END) and no byte follows it; VEIL_EFORMAT on
 * trailing data, a missing trailer or a damaged stream, VEIL_EIO. */
static veil_status src_expect_end(src_t *s)
{
    uint8_t extra;
    if (s->gz) {
        while (!s->ended) {
            veil_status st = src_read(s, &extra, 1);
            if (st != VEIL_EFORMAT || !s->ended)
                return st == VEIL_OK ? VEIL_EFORMAT : st; /* extra data */
        }
        if (s->z.avail_in != 0)
            return VEIL_EFORMAT;
    }
    if (fread(&extra, 1, 1, s->f) != 0)
        return VEIL_EFORMAT;
    return ferror(s->f) ? VEIL_EIO : VEIL_OK;
}

veil_status nn_idx_read(nn_idx_t *idx, const char *path)
{
    uint8_t hdr[4 * (NN_IDX_MAX_DIMS + 1)];
    veil_status st;
    src_t *s;

    if (idx == NULL)
        return VEIL_EINVAL;
    idx_empty(idx);
    if (path == NULL)
        return VEIL_EINVAL;
    if ((s = malloc(sizeof(*s))) == NULL)
        return VEIL_ENOMEM;
    if ((st = src_open(s, path)) != VEIL_OK) {
        free(s);
        return st;
    }
    if ((st = src_read(s, hdr, 4)) != VEIL_OK ||
        (st = idx_magic(&idx->ndims, hdr)) != VEIL_OK ||
        (st = src_read(s, hdr + 4, 4 * (size_t)idx->ndims)) != VEIL_OK ||
        (st = idx_dims(idx, hdr + 4)) != VEIL_OK)
        goto fail;
    if ((idx->data = malloc(idx->size)) == NULL) {
        st = VEIL_ENOMEM;
        goto fail;
    }
    if ((st = src_read(s, idx->data, idx->size)) != VEIL_OK ||
        (st = src_expect_end(s)) != VEIL_OK)
        goto fail;
    src_close(s);
    free(s);
    return VEIL_OK;
fail:
    src_close(s);
    free(s);
    nn_idx_clear(idx);
    return st;
}
