/*
 * model_io.c - the .vmodel file format (models/README.md): a versioned,
 * little-endian layer list with float32 parameters and optional quantization
 * exponents, protected by a SHA-256 trailer.  The parser trusts nothing: it
 * checks the checksum, every field, every shape (through the same builder
 * functions a program uses) and every value before it is used.
 *
 * Version 2 adds the layers relu, maxpool and act (SAFENet's channel-wise
 * activation, whose per-channel kind bytes follow its record).  The writer
 * uses the lowest version that can hold the model, so that models without
 * those layers keep their version-1 bytes; the reader accepts both and
 * refuses a version-2 file without a version-2 layer (one encoding per
 * model).
 */
#include "veil/nn.h"
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VMODEL_VERSION 2u /* highest version written and read */
#define VMODEL_FLAG_QUANT 1u
#define VMODEL_HEADER 36
#define VMODEL_LAYER 32 /* type, 4 params, qexp, count: 7 words + reserved */
#define VMODEL_HASH crypto_hash_sha256_BYTES

static const uint8_t vmodel_magic[8] = {0x89, 'V',  'M',  'D',
                                        '\r', '\n', 0x1a, '\n'};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Layers that need version 2. */
static int is_v2_layer(nn_layer_type_t t)
{
    return t == NN_LAYER_RELU || t == NN_LAYER_MAXPOOL || t == NN_LAYER_ACT;
}

static uint32_t model_version(const nn_model_t *m)
{
    for (uint32_t i = 0; i < m->nlayers; i++)
        if (is_v2_layer(m->layers[i].type))
            return 2;
    return 1;
}

/* Bytes of an ACT layer's kind block: in.c kinds padded to 4 bytes. */
static size_t kind_bytes(const nn_layer_t *l)
{
    return l->type == NN_LAYER_ACT ? ((size_t)l->in.c + 3) / 4 * 4 : 0;
}

static int has_qexp(nn_layer_type_t t)
{
    return t == NN_LAYER_CONV2D || t == NN_LAYER_DENSE || t == NN_LAYER_POLY;
}

/* The four type-specific parameter words of layer l. */
static void layer_words(uint32_t w[4], const nn_layer_t *l)
{
    memset(w, 0, 4 * sizeof(uint32_t));
    switch (l->type) {
    case NN_LAYER_CONV2D:
        w[0] = l->out.c;
        w[1] = l->k;
        w[2] = l->stride;
        w[3] = l->pad;
        break;
    case NN_LAYER_DENSE:
        w[0] = l->out.c;
        break;
    case NN_LAYER_POLY:
        w[0] = l->degree;
        break;
    case NN_LAYER_AVGPOOL:
    case NN_LAYER_MAXPOOL:
        w[0] = l->k;
        w[1] = l->stride;
        break;
    case NN_LAYER_ACT:
        w[0] = l->in.c;
        break;
    case NN_LAYER_RELU:
    case NN_LAYER_BATCHNORM:
        w[0] = float_bits(l->eps);
        break;
    case NN_LAYER_SQUARE:
        break;
    }
}

/* Number of float32 values stored for layer l. */
static size_t layer_values(const nn_layer_t *l)
{
    return l->type == NN_LAYER_BATCHNORM ? 4 * (size_t)l->in.c : l->nw + l->nb;
}

veil_status nn_model_serialize(uint8_t **buf, size_t *len, const nn_model_t *m)
{
    size_t n = VMODEL_HEADER + VMODEL_HASH, at;
    uint8_t *p;

    if (buf == NULL || len == NULL || m == NULL || m->nlayers == 0 ||
        (m->quantizable && model_version(m) > 1))
        return VEIL_EINVAL;
    for (uint32_t i = 0; i < m->nlayers; i++)
        n += VMODEL_LAYER + kind_bytes(&m->layers[i]) +
             4 * layer_values(&m->layers[i]);
    if ((p = malloc(n)) == NULL)
        return VEIL_ENOMEM;
    memcpy(p, vmodel_magic, 8);
    put32(p + 8, model_version(m));
    put32(p + 12, m->quantizable ? VMODEL_FLAG_QUANT : 0);
    put32(p + 16, m->in.c);
    put32(p + 20, m->in.h);
    put32(p + 24, m->in.w);
    put32(p + 28, m->quantizable ? (uint32_t)m->in_exp : 0);
    put32(p + 32, m->nlayers);
    at = VMODEL_HEADER;
    for (uint32_t i = 0; i < m->nlayers; i++) {
        const nn_layer_t *l = &m->layers[i];
        const size_t cnt = layer_values(l);
        uint32_t w[4];
        layer_words(w, l);
        put32(p + at, (uint32_t)l->type);
        for (int k = 0; k < 4; k++)
            put32(p + at + 4 + 4 * k, w[k]);
        put32(p + at + 20,
              m->quantizable && has_qexp(l->type) ? (uint32_t)l->qexp : 0);
        put32(p + at + 24, (uint32_t)cnt);
        put32(p + at + 28, 0); /* reserved */
        at += VMODEL_LAYER;
        if (l->type == NN_LAYER_ACT) {
            memset(p + at, 0, kind_bytes(l));
            memcpy(p + at, m->kinds + l->kind, l->in.c);
            at += kind_bytes(l);
        }
        for (size_t j = 0; j < cnt; j++) {
            float v;
            if (l->type == NN_LAYER_BATCHNORM && j >= 2 * (size_t)l->in.c)
                v = m->state[l->mean + j - 2 * (size_t)l->in.c];
            else
                v = m->params[l->w + j];
            put32(p + at, float_bits(v));
            at += 4;
        }
    }
    crypto_hash_sha256(p + at, p, at);
    *buf = p;
    *len = n;
    return VEIL_OK;
}

veil_status nn_model_save(const char *path, const nn_model_t *m)
{
    uint8_t *buf;
    size_t len;
    veil_status st;
    FILE *f;

    if (path == NULL)
        return VEIL_EINVAL;
    if ((st = nn_model_serialize(&buf, &len, m)) != VEIL_OK)
        return st;
    if ((f = fopen(path, "wb")) == NULL) {
        free(buf);
        return VEIL_EIO;
    }
    st = fwrite(buf, 1, len, f) == len ? VEIL_OK : VEIL_EIO;
    if (fclose(f) != 0)
        st = VEIL_EIO;
    free(buf);
    return st;
}

/* Append the layer described by type and w[4] to m, as a program would;
 * the builder's VEIL_EINVAL (impossible shape) becomes VEIL_EFORMAT. */
static veil_status parse_layer(nn_model_t *m, uint32_t type,
                               const uint32_t w[4], const float *poly)
{
    veil_status st;
    switch (type) {
    case NN_LAYER_CONV2D:
        st = nn_model_add_conv2d(m, w[0], w[1], w[2], w[3]);
        break;
    case NN_LAYER_DENSE:
        st = w[1] | w[2] | w[3] ? VEIL_EINVAL : nn_model_add_dense(m, w[0]);
        break;
    case NN_LAYER_SQUARE:
        st = w[0] | w[1] | w[2] | w[3] ? VEIL_EINVAL : nn_model_add_square(m);
        break;
    case NN_LAYER_POLY:
        st =
            w[1] | w[2] | w[3] ? VEIL_EINVAL : nn_model_add_poly(m, w[0], poly);
        break;
    case NN_LAYER_AVGPOOL:
        st = w[2] | w[3] ? VEIL_EINVAL : nn_model_add_avgpool(m, w[0], w[1]);
        break;
    case NN_LAYER_RELU:
        st = w[0] | w[1] | w[2] | w[3] ? VEIL_EINVAL : nn_model_add_relu(m);
        break;
    case NN_LAYER_MAXPOOL:
        st = w[2] | w[3] ? VEIL_EINVAL : nn_model_add_maxpool(m, w[0], w[1]);
        break;
    case NN_LAYER_ACT:
        st = w[0] != nn_model_out_shape(m).c || w[1] | w[2] | w[3]
                 ? VEIL_EINVAL
                 : nn_model_add_act(m);
        break;
    case NN_LAYER_BATCHNORM: {
        const float eps = bits_float(w[0]);
        if (w[1] | w[2] | w[3] || !isfinite(eps) || !(eps > 0))
            return VEIL_EFORMAT;
        if ((st = nn_model_add_batchnorm(m)) == VEIL_OK)
            m->layers[m->nlayers - 1].eps = eps;
        break;
    }
    default:
        return VEIL_EFORMAT;
    }
    return st == VEIL_EINVAL ? VEIL_EFORMAT : st;
}

/* Layers, values and exponents after the header; m holds the input shape. */
static veil_status parse_body(nn_model_t *m, const uint8_t *p, size_t len,
                              uint32_t nlayers, int quant, uint32_t version)
{
    int v2 = 0;
    size_t at = VMODEL_HEADER;
    veil_status st;

    for (uint32_t i = 0; i < nlayers; i++) {
        uint32_t type, w[4], cnt;
        int32_t qexp;
        float poly[NN_POLY_MAX_DEGREE + 1];
        nn_layer_t *l;
        if (len - at < VMODEL_LAYER)
            return VEIL_EFORMAT;
        type = get32(p + at);
        for (int k = 0; k < 4; k++)
            w[k] = get32(p + at + 4 + 4 * k);
        qexp = (int32_t)get32(p + at + 20);
        cnt = get32(p + at + 24);
        if (get32(p + at + 28) != 0)
            return VEIL_EFORMAT;
        at += VMODEL_LAYER;
        if (type >= NN_LAYER_RELU && type <= NN_LAYER_ACT) {
            if (version < 2)
                return VEIL_EFORMAT;
            v2 = 1;
        }
        if (type == NN_LAYER_POLY) {
            if (cnt > (len - at) / 4)
                return VEIL_EFORMAT;
            if (w[0] == 0 || w[0] > NN_POLY_MAX_DEGREE || cnt != w[0] + 1)
                return VEIL_EFORMAT;
            for (uint32_t j = 0; j <= w[0]; j++)
                poly[j] = bits_float(get32(p + at + 4 * j));
        }
        if ((st = parse_layer(m, type, w, poly)) != VEIL_OK)
            return st;
        l = &m->layers[m->nlayers - 1];
        if (l->type == NN_LAYER_ACT) {
            const size_t kb = kind_bytes(l);
            if (len - at < kb)
                return VEIL_EFORMAT;
            for (size_t j = 0; j < kb; j++)
                if (p[at + j] > (j < l->in.c ? NN_ACT_POLY3 : 0))
                    return VEIL_EFORMAT; /* unknown kind or padding */
            memcpy(m->kinds + l->kind, p + at, l->in.c);
            at += kb;
        }
        if (cnt != layer_values(l) || cnt > (len - at) / 4)
            return VEIL_EFORMAT;
        if (has_qexp(l->type) && quant) {
            if (qexp < NN_QEXP_MIN || qexp > NN_QEXP_MAX)
                return VEIL_EFORMAT;
            l->qexp = qexp;
        } else if (qexp != 0) {
            return VEIL_EFORMAT;
        }
        for (uint32_t j = 0; j < cnt; j++) {
            const float v = bits_float(get32(p + at + 4 * (size_t)j));
            if (!isfinite(v))
                return VEIL_EFORMAT;
            if (l->type == NN_LAYER_ACT &&
                (int)(j % NN_ACT_COEFS) >
                    nn_act_degree(
                        (nn_act_kind_t)m->kinds[l->kind + j / NN_ACT_COEFS]) &&
                v != 0.0f)
                return VEIL_EFORMAT; /* unused coefficients are 0 */
            if (l->type == NN_LAYER_BATCHNORM && j >= 2 * l->in.c) {
                if (j >= 3 * l->in.c && v < 0)
                    return VEIL_EFORMAT; /* negative variance */
                m->state[l->mean + j - 2 * l->in.c] = v;
            } else {
                m->params[l->w + j] = v;
            }
        }
        at += 4 * (size_t)cnt;
    }
    if (version == 2 && !v2)
        return VEIL_EFORMAT; /* version 2 only for version-2 layers */
    return at == len ? VEIL_OK : VEIL_EFORMAT;
}

veil_status nn_model_parse(nn_model_t *m, const uint8_t *buf, size_t len)
{
    uint8_t hash[VMODEL_HASH];
    uint32_t flags, nlayers, version;
    nn_shape_t in;
    int32_t in_exp;
    veil_status st;

    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (buf == NULL || len < VMODEL_HEADER + VMODEL_HASH ||
        memcmp(buf, vmodel_magic, 8) != 0)
        return VEIL_EFORMAT;
    version = get32(buf + 8);
    if (version < 1 || version > VMODEL_VERSION)
        return VEIL_EFORMAT;
    len -= VMODEL_HASH;
    crypto_hash_sha256(hash, buf, len);
    if (sodium_memcmp(hash, buf + len, VMODEL_HASH) != 0)
        return VEIL_EFORMAT;
    flags = get32(buf + 12);
    in.c = get32(buf + 16);
    in.h = get32(buf + 20);
    in.w = get32(buf + 24);
    in_exp = (int32_t)get32(buf + 28);
    nlayers = get32(buf + 32);
    if ((flags & ~VMODEL_FLAG_QUANT) != 0 || nlayers == 0 ||
        nlayers > NN_MAX_LAYERS ||
        ((flags & VMODEL_FLAG_QUANT) ? (in_exp < 0 || in_exp > 8)
                                     : in_exp != 0))
        return VEIL_EFORMAT;
    if (nn_model_init(m, in) != VEIL_OK)
        return VEIL_EFORMAT;
    st = parse_body(m, buf, len, nlayers, (flags & VMODEL_FLAG_QUANT) != 0,
                    version);
    if (st == VEIL_OK && (flags & VMODEL_FLAG_QUANT)) {
        m->quantizable = 1;
        m->in_exp = in_exp;
        for (uint32_t i = 0; i < m->nlayers; i++)
            if (m->layers[i].type == NN_LAYER_BATCHNORM ||
                is_v2_layer(m->layers[i].type))
                st = VEIL_EFORMAT; /* only folded polynomial models are
                                      quantized */
    }
    if (st != VEIL_OK)
        nn_model_clear(m);
    return st;
}

veil_status nn_model_load(nn_model_t *m, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    veil_status st;
    FILE *f;

    if (m == NULL)
        return VEIL_EINVAL;
    memset(m, 0, sizeof(*m));
    if (path == NULL)
        return VEIL_EINVAL;
    if ((f = fopen(path, "rb")) == NULL)
        return VEIL_EIO;
    for (;;) {
        size_t got;
        if (len == cap) {
            uint8_t *nb;
            /* the largest valid file is below 8 * NN_MAX_ELEMS bytes */
            if (cap >= (size_t)8 * NN_MAX_ELEMS) {
                st = VEIL_EFORMAT;
                goto done;
            }
            cap = cap ? 2 * cap : 1 << 16;
            if ((nb = realloc(buf, cap)) == NULL) {
                st = VEIL_ENOMEM;
                goto done;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        st = VEIL_EIO;
        goto done;
    }
    st = nn_model_parse(m, buf, len);
done:
    fclose(f);
    free(buf);
    return st;
}
