/*
 * lola/spec.c - the plan both sides share (lola_spec_t): variant names,
 * planner option defaults, and the spec's byte format.
 *
 * Format (little-endian, doc/11-lola.md):
 *   offset size
 *   0      8    magic "VEILLOLA"
 *   8      2    version (1)
 *   10     2    variant
 *   12     4    nlayers (1..NN_MAX_LAYERS)
 *   16     12   input shape c, h, w (u32 each)
 *   28     4    in_exp (i32)
 *   32     8    in_max (i64)
 *   40     8    batch (u64)
 *   48     2    kernel string length L (< LOLA_KERNELS_MAX), then L bytes
 *   ...    per layer: type u32, in c h w, out c h w (u32), k, stride, pad
 *               (u32): 11 x 4 bytes
 *   ...    nprimes u32 (1..LOLA_MAX_PRIMES), n u64, n_q u32, n_p u32,
 *          security u32, allow_insecure u32, q[n_q] u64, p[n_p] u64,
 *          t[nprimes] u64
 * The parser checks every field and that the parameter sets pass
 * bfv_params_check; the total length must match exactly.
 */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

#define SPEC_MAGIC "VEILLOLA"
#define SPEC_VERSION 1

const char *lola_variant_name(lola_variant_t v)
{
    switch (v) {
    case LOLA_VARIANT_CONV:
        return "lola";
    case LOLA_VARIANT_DENSE:
        return "lola-dense";
    case LOLA_VARIANT_SIMD:
        return "cryptonets";
    }
    return "?";
}

veil_status lola_variant_parse(lola_variant_t *v, const char *name)
{
    if (v == NULL || name == NULL)
        return VEIL_EINVAL;
    if (strcmp(name, "lola") == 0 || strcmp(name, "lola-small") == 0)
        *v = LOLA_VARIANT_CONV;
    else if (strcmp(name, "lola-dense") == 0)
        *v = LOLA_VARIANT_DENSE;
    else if (strcmp(name, "cryptonets") == 0)
        *v = LOLA_VARIANT_SIMD;
    else
        return VEIL_EINVAL;
    return VEIL_OK;
}

void lola_options_default(lola_options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->variant = LOLA_VARIANT_CONV;
    o->margin = 10;
    o->security = BFV_SEC_128;
}

/* ---------------------------------------------------------- writing */

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    int fail;
} wbuf_t;

static void put(wbuf_t *w, uint64_t v, size_t bytes)
{
    if (w->fail)
        return;
    if (w->len + bytes > w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 512;
        uint8_t *b = realloc(w->buf, cap);
        if (b == NULL) {
            w->fail = 1;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    for (size_t i = 0; i < bytes; i++)
        w->buf[w->len++] = (uint8_t)(v >> (8 * i));
}

static void put_shape(wbuf_t *w, nn_shape_t s)
{
    put(w, s.c, 4);
    put(w, s.h, 4);
    put(w, s.w, 4);
}

veil_status lola_spec_serialize(uint8_t **buf, size_t *len,
                                const lola_spec_t *spec)
{
    wbuf_t w = {NULL, 0, 0, 0};
    size_t klen;

    if (buf == NULL || len == NULL || spec == NULL)
        return VEIL_EINVAL;
    *buf = NULL;
    *len = 0;
    klen = strnlen(spec->kernels, LOLA_KERNELS_MAX);
    if (klen == LOLA_KERNELS_MAX || spec->nlayers == 0 ||
        spec->nlayers > NN_MAX_LAYERS || spec->nprimes == 0 ||
        spec->nprimes > LOLA_MAX_PRIMES)
        return VEIL_EINVAL;
    for (size_t i = 0; i < 8; i++)
        put(&w, (uint8_t)SPEC_MAGIC[i], 1);
    put(&w, SPEC_VERSION, 2);
    put(&w, (uint64_t)spec->variant, 2);
    put(&w, spec->nlayers, 4);
    put_shape(&w, spec->in);
    put(&w, (uint32_t)spec->in_exp, 4);
    put(&w, (uint64_t)spec->in_max, 8);
    put(&w, spec->batch, 8);
    put(&w, klen, 2);
    for (size_t i = 0; i < klen; i++)
        put(&w, (uint8_t)spec->kernels[i], 1);
    for (uint32_t i = 0; i < spec->nlayers; i++) {
        put(&w, (uint32_t)spec->layers[i].type, 4);
        put_shape(&w, spec->layers[i].in);
        put_shape(&w, spec->layers[i].out);
        put(&w, spec->layers[i].k, 4);
        put(&w, spec->layers[i].stride, 4);
        put(&w, spec->layers[i].pad, 4);
    }
    {
        const bfv_params_t *p = &spec->params[0];
        put(&w, spec->nprimes, 4);
        put(&w, p->n, 8);
        put(&w, p->n_q, 4);
        put(&w, p->n_p, 4);
        put(&w, (uint32_t)p->security, 4);
        put(&w, (uint32_t)p->allow_insecure, 4);
        for (size_t i = 0; i < p->n_q && i < BFV_MAX_Q; i++)
            put(&w, p->q[i], 8);
        for (size_t i = 0; i < p->n_p && i < BFV_MAX_P; i++)
            put(&w, p->p[i], 8);
        for (size_t i = 0; i < spec->nprimes; i++)
            put(&w, spec->params[i].t, 8);
    }
    if (w.fail) {
        free(w.buf);
        return VEIL_ENOMEM;
    }
    *buf = w.buf;
    *len = w.len;
    return VEIL_OK;
}

/* ---------------------------------------------------------- reading */

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
    int fail;
} rbuf_t;

static uint64_t get(rbuf_t *r, size_t bytes)
{
    uint64_t v = 0;
    if (r->fail || r->len - r->pos < bytes) {
        r->fail = 1;
        return 0;
    }
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)r->buf[r->pos++] << (8 * i);
    return v;
}

static nn_shape_t get_shape(rbuf_t *r)
{
    nn_shape_t s;
    s.c = (uint32_t)get(r, 4);
    s.h = (uint32_t)get(r, 4);
    s.w = (uint32_t)get(r, 4);
    return s;
}

static int shape_ok(nn_shape_t s)
{
    return s.c >= 1 && s.h >= 1 && s.w >= 1 && s.c <= NN_MAX_DIM &&
           s.h <= NN_MAX_DIM && s.w <= NN_MAX_DIM &&
           nn_shape_size(s) <= NN_MAX_ELEMS;
}

/* The layer chain must be consistent: each input is the previous output,
 * and each layer's output shape follows from its input and window. */
static int layers_ok(const lola_spec_t *s)
{
    nn_shape_t cur = s->in;
    for (uint32_t i = 0; i < s->nlayers; i++) {
        const nn_layer_type_t t = s->layers[i].type;
        const nn_shape_t in = s->layers[i].in, out = s->layers[i].out;
        const uint32_t k = s->layers[i].k, st = s->layers[i].stride,
                       pad = s->layers[i].pad;
        if (!shape_ok(in) || !shape_ok(out) || in.c != cur.c || in.h != cur.h ||
            in.w != cur.w)
            return 0;
        switch (t) {
        case NN_LAYER_CONV2D:
        case NN_LAYER_AVGPOOL:
            if (k == 0 || st == 0 || pad >= k ||
                (t == NN_LAYER_AVGPOOL && (pad != 0 || out.c != in.c)) ||
                (size_t)in.h + 2 * pad < k || (size_t)in.w + 2 * pad < k ||
                out.h != (in.h + 2 * pad - k) / st + 1 ||
                out.w != (in.w + 2 * pad - k) / st + 1)
                return 0;
            break;
        case NN_LAYER_DENSE:
            if (out.h != 1 || out.w != 1)
                return 0;
            break;
        case NN_LAYER_SQUARE:
            if (out.c != in.c || out.h != in.h || out.w != in.w)
                return 0;
            break;
        default:
            return 0;
        }
        cur = out;
    }
    return 1;
}

veil_status lola_spec_parse(lola_spec_t *spec, const uint8_t *buf, size_t len)
{
    rbuf_t r = {buf, len, 0, 0};
    size_t klen, nprimes;
    uint64_t v;
    bfv_params_t base;

    if (spec == NULL || (buf == NULL && len > 0))
        return VEIL_EINVAL;
    memset(spec, 0, sizeof(*spec));
    if (len < 8 || memcmp(buf, SPEC_MAGIC, 8) != 0)
        return VEIL_EFORMAT;
    r.pos = 8;
    if (get(&r, 2) != SPEC_VERSION)
        return VEIL_EFORMAT;
    v = get(&r, 2);
    if (v > LOLA_VARIANT_SIMD)
        return VEIL_EFORMAT;
    spec->variant = (lola_variant_t)v;
    v = get(&r, 4);
    if (v == 0 || v > NN_MAX_LAYERS)
        return VEIL_EFORMAT;
    spec->nlayers = (uint32_t)v;
    spec->in = get_shape(&r);
    spec->in_exp = (int32_t)(uint32_t)get(&r, 4);
    spec->in_max = (int64_t)get(&r, 8);
    spec->batch = (size_t)get(&r, 8);
    klen = (size_t)get(&r, 2);
    if (r.fail || klen >= LOLA_KERNELS_MAX || r.len - r.pos < klen)
        return VEIL_EFORMAT;
    for (size_t i = 0; i < klen; i++) {
        const char c = (char)r.buf[r.pos++];
        if (c < 0x21 || c > 0x7e)
            return VEIL_EFORMAT;
        spec->kernels[i] = c;
    }
    for (uint32_t i = 0; i < spec->nlayers; i++) {
        spec->layers[i].type = (nn_layer_type_t)(uint32_t)get(&r, 4);
        spec->layers[i].in = get_shape(&r);
        spec->layers[i].out = get_shape(&r);
        spec->layers[i].k = (uint32_t)get(&r, 4);
        spec->layers[i].stride = (uint32_t)get(&r, 4);
        spec->layers[i].pad = (uint32_t)get(&r, 4);
    }
    if (r.fail || !shape_ok(spec->in) || spec->in_exp < 0 ||
        spec->in_exp > 30 || spec->in_max < 0 || !layers_ok(spec))
        return VEIL_EFORMAT;
    {
        lola_kchoice_t k[NN_MAX_LAYERS];
        size_t nk;
        if (lola_kernels_parse(k, &nk, NN_MAX_LAYERS, spec->kernels) != VEIL_OK)
            return VEIL_EFORMAT;
    }
    memset(&base, 0, sizeof(base));
    nprimes = (size_t)get(&r, 4);
    base.n = (size_t)get(&r, 8);
    base.n_q = (size_t)get(&r, 4);
    base.n_p = (size_t)get(&r, 4);
    v = get(&r, 4);
    base.security = (bfv_security_t)v;
    base.allow_insecure = (int)get(&r, 4);
    if (r.fail || nprimes == 0 || nprimes > LOLA_MAX_PRIMES ||
        !lola_pow2(base.n) || base.n < ((size_t)1 << NTT_MIN_LOGN) ||
        base.n > ((size_t)1 << NTT_MAX_LOGN) || base.n_q == 0 ||
        base.n_q > BFV_MAX_Q || base.n_p == 0 || base.n_p > BFV_MAX_P ||
        base.allow_insecure < 0 || base.allow_insecure > 1 ||
        (v != BFV_SEC_128 && v != BFV_SEC_192 && v != BFV_SEC_256))
        return VEIL_EFORMAT;
    for (size_t i = 0; i < base.n_q; i++)
        base.q[i] = get(&r, 8);
    for (size_t i = 0; i < base.n_p; i++)
        base.p[i] = get(&r, 8);
    for (size_t i = 0; i < nprimes; i++) {
        spec->params[i] = base;
        spec->params[i].t = get(&r, 8);
    }
    if (r.fail || r.pos != r.len)
        return VEIL_EFORMAT;
    spec->nprimes = nprimes;
    if (spec->batch == 0 || spec->batch > base.n ||
        (spec->variant != LOLA_VARIANT_SIMD && spec->batch != 1))
        return VEIL_EFORMAT;
    for (size_t i = 0; i < nprimes; i++) {
        /* batching: t = 1 mod 2n (bfv_params_check tests the rest) */
        if (spec->params[i].t % (2 * (uint64_t)base.n) != 1 ||
            bfv_params_check(&spec->params[i], NULL, 0) != VEIL_OK)
            return VEIL_EFORMAT;
        for (size_t j = 0; j < i; j++)
            if (spec->params[j].t == spec->params[i].t)
                return VEIL_EFORMAT;
    }
    return VEIL_OK;
}
