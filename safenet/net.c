/*
 * net.c - the SAFENet fixed-point network: building it layer by layer
 * (quantization and scale bookkeeping), from an nn model, and its hash.
 * See safenet.h ("the network") and doc/22-safenet.md, section 2.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "safenet_internal.h"

const char *safenet_op_name(safenet_op_t op)
{
    switch (op) {
    case SAFENET_CONV:
        return "conv";
    case SAFENET_DENSE:
        return "dense";
    case SAFENET_POOL:
        return "pool";
    case SAFENET_ACT:
        return "act";
    case SAFENET_TRUNC:
        return "trunc";
    }
    return "?";
}

static int is_prime_u64(uint64_t n)
{
    if (n < 2)
        return 0;
    for (uint64_t d = 2; d * d <= n && d < (UINT64_C(1) << 32); d++)
        if (n % d == 0)
            return 0;
    return 1;
}

veil_status safenet_net_init(safenet_net_t *net, nn_shape_t in, uint64_t p,
                             unsigned frac, unsigned wfrac)
{
    veil_status st;
    if (net == NULL)
        return VEIL_EINVAL;
    memset(net, 0, sizeof(*net));
    if (in.c == 0 || in.h == 0 || in.w == 0 || in.c > NN_MAX_DIM ||
        in.h > NN_MAX_DIM || in.w > NN_MAX_DIM ||
        nn_shape_size(in) > SAFENET_MAX_ELEMS || wfrac < 1 || wfrac > 20 ||
        frac < 1)
        return VEIL_EINVAL;
    /* the HE layers batch with n = 8192 and the triples with n = 16384 */
    if (p >= (UINT64_C(1) << 49) || (p - 1) % (UINT64_C(1) << 15) != 0 ||
        !is_prime_u64(p))
        return VEIL_EPARAM;
    if ((st = mpc_field_init(&net->f, p, frac)) != VEIL_OK)
        return st;
    net->wfrac = wfrac;
    net->in = in;
    return VEIL_OK;
}

void safenet_net_clear(safenet_net_t *net)
{
    if (net == NULL)
        return;
    for (uint32_t i = 0; i < net->nlayers; i++) {
        safenet_layer_t *L = &net->layers[i];
        veil_free(L->w);
        veil_free(L->b);
        veil_free(L->kind);
        veil_free(L->coef);
    }
    memset(net, 0, sizeof(*net));
}

/* Current output shape and scale. */
static nn_shape_t cur_shape(const safenet_net_t *net)
{
    return net->nlayers ? net->layers[net->nlayers - 1].out : net->in;
}

static double cur_scale(const safenet_net_t *net)
{
    return net->nlayers ? net->layers[net->nlayers - 1].out_scale
                        : ldexp(1.0, (int)net->f.frac);
}

/* 1 if the client's share of the current output is known offline: a
 * linear layer came after the last activation (or input). */
static int client_share_offline(const safenet_net_t *net)
{
    for (uint32_t i = net->nlayers; i-- > 0;) {
        safenet_op_t op = net->layers[i].op;
        if (op == SAFENET_CONV || op == SAFENET_DENSE)
            return 1;
        if (op == SAFENET_ACT)
            return 0;
    }
    return 0;
}

/* log2 of s if s is a power of two, else -1000. */
static int exact_log2(double s)
{
    int e;
    double m = frexp(s, &e);
    return m == 0.5 ? e - 1 : -1000;
}

static veil_status encode_signed(const safenet_net_t *net, uint64_t *out,
                                 double v, double limit)
{
    double r = round(v);
    if (!isfinite(r) || fabs(r) > limit || fabs(r) > (double)net->f.half)
        return VEIL_ERANGE;
    *out = mpc_field_from_signed(&net->f, (int64_t)r);
    return VEIL_OK;
}

static safenet_layer_t *new_layer(safenet_net_t *net, safenet_op_t op)
{
    safenet_layer_t *L;
    if (net->finished || net->nlayers >= SAFENET_MAX_LAYERS)
        return NULL;
    L = &net->layers[net->nlayers];
    memset(L, 0, sizeof(*L));
    L->op = op;
    L->in = cur_shape(net);
    L->in_scale = cur_scale(net);
    return L;
}

/* Before a linear layer: bring a scale above 2^(frac + 8) (that is, the
 * output of an earlier linear layer: two linear layers in a row) back down
 * to [2^frac, 2^(frac + 1)) with a local truncation.  Mean pools alone
 * (at most 16 x 16, 2^8) stay below the threshold. */
static veil_status maybe_trunc(safenet_net_t *net)
{
    double s = cur_scale(net), target = ldexp(1.0, (int)net->f.frac + 8);
    safenet_layer_t *L;
    unsigned sh = 0;
    if (s <= target)
        return VEIL_OK;
    while (ldexp(s, -(int)(sh + 1)) >= ldexp(1.0, (int)net->f.frac))
        sh++;
    if (sh > SAFENET_MAX_TRUNC || (L = new_layer(net, SAFENET_TRUNC)) == NULL)
        return VEIL_EINVAL;
    L->out = L->in;
    L->shift = sh;
    L->out_scale = ldexp(L->in_scale, -(int)sh);
    net->nlayers++;
    return VEIL_OK;
}

/* Weight multiplier of a linear layer with input scale s: 2^wfrac, times
 * 2^e / s when s is not a power of two (a mean pool of odd area before
 * it), so that the output scale 2^(e + wfrac) is a power of two. */
static double weight_mult(const safenet_net_t *net, double s, double *out)
{
    int e;
    double m = frexp(s, &e); /* s = m 2^e, m in [0.5, 1) */
    if (m == 0.5) {
        *out = ldexp(s, (int)net->wfrac);
        return ldexp(1.0, (int)net->wfrac);
    }
    *out = ldexp(1.0, e + (int)net->wfrac);
    return ldexp(1.0, e + (int)net->wfrac) / s;
}

static veil_status add_linear(safenet_net_t *net, safenet_op_t op,
                              uint32_t maps, uint32_t k, uint32_t stride,
                              uint32_t pad, const float *w, const float *b)
{
    safenet_layer_t *L;
    nn_shape_t in;
    double mult, oscale;
    size_t nw;
    veil_status st;
    if (w == NULL || maps == 0 || maps > NN_MAX_DIM)
        return VEIL_EINVAL;
    if ((st = maybe_trunc(net)) != VEIL_OK)
        return st;
    in = cur_shape(net);
    if (op == SAFENET_CONV) {
        if (k == 0 || stride == 0 || pad >= k || in.h + 2 * pad < k ||
            in.w + 2 * pad < k)
            return VEIL_EINVAL;
        nw = (size_t)maps * in.c * k * k;
    } else {
        nw = (size_t)maps * nn_shape_size(in);
    }
    if (nw > SAFENET_MAX_ELEMS)
        return VEIL_EINVAL;
    if ((L = new_layer(net, op)) == NULL)
        return VEIL_EINVAL;
    if (op == SAFENET_CONV) {
        L->k = k;
        L->stride = stride;
        L->pad = pad;
        L->out.c = maps;
        L->out.h = (in.h + 2 * pad - k) / stride + 1;
        L->out.w = (in.w + 2 * pad - k) / stride + 1;
    } else {
        L->out.c = maps;
        L->out.h = L->out.w = 1;
    }
    if (nn_shape_size(L->out) > SAFENET_MAX_ELEMS)
        return VEIL_EINVAL;
    mult = weight_mult(net, L->in_scale, &oscale);
    L->out_scale = oscale;
    L->nw = nw;
    L->w = veil_alloc(nw * sizeof(uint64_t));
    L->b = veil_alloc((size_t)maps * sizeof(uint64_t));
    if (L->w == NULL || L->b == NULL) {
        veil_free(L->w);
        veil_free(L->b);
        L->w = L->b = NULL;
        return VEIL_ENOMEM;
    }
    st = VEIL_OK;
    for (size_t i = 0; i < nw && st == VEIL_OK; i++)
        st = encode_signed(net, &L->w[i], (double)w[i] * mult,
                           (double)SAFENET_MAX_WEIGHT);
    for (uint32_t i = 0; i < maps && st == VEIL_OK; i++)
        st = encode_signed(net, &L->b[i], b ? (double)b[i] * oscale : 0.0,
                           ldexp(1.0, 39));
    if (st != VEIL_OK) {
        veil_free(L->w);
        veil_free(L->b);
        L->w = L->b = NULL;
        return st;
    }
    net->nlayers++;
    return VEIL_OK;
}

veil_status safenet_net_add_conv(safenet_net_t *net, uint32_t maps, uint32_t k,
                                 uint32_t stride, uint32_t pad, const float *w,
                                 const float *b)
{
    if (net == NULL)
        return VEIL_EINVAL;
    return add_linear(net, SAFENET_CONV, maps, k, stride, pad, w, b);
}

veil_status safenet_net_add_dense(safenet_net_t *net, uint32_t out,
                                  const float *w, const float *b)
{
    if (net == NULL)
        return VEIL_EINVAL;
    return add_linear(net, SAFENET_DENSE, out, 0, 0, 0, w, b);
}

veil_status safenet_net_add_pool(safenet_net_t *net, uint32_t k,
                                 uint32_t stride)
{
    safenet_layer_t *L;
    nn_shape_t in;
    if (net == NULL || k == 0 || stride == 0 || k > 16)
        return VEIL_EINVAL;
    in = cur_shape(net);
    if (in.h < k || in.w < k || (L = new_layer(net, SAFENET_POOL)) == NULL)
        return VEIL_EINVAL;
    L->k = k;
    L->stride = stride;
    L->out.c = in.c;
    L->out.h = (in.h - k) / stride + 1;
    L->out.w = (in.w - k) / stride + 1;
    L->out_scale = L->in_scale * k * k;
    net->nlayers++;
    return VEIL_OK;
}

veil_status safenet_net_add_act(safenet_net_t *net, const uint8_t *kinds,
                                const float *coef)
{
    safenet_layer_t *L;
    nn_shape_t in;
    int e;
    size_t hw;
    veil_status st = VEIL_OK;
    if (net == NULL || kinds == NULL)
        return VEIL_EINVAL;
    in = cur_shape(net);
    hw = (size_t)in.h * in.w;
    /* the client's share must be known offline (Delphi), and the input
     * scale a power of two 2^(frac + shift) */
    if (!client_share_offline(net))
        return VEIL_EINVAL;
    e = exact_log2(cur_scale(net));
    if (e < (int)net->f.frac || e - (int)net->f.frac > SAFENET_MAX_SHIFT)
        return VEIL_EINVAL;
    for (uint32_t c = 0; c < in.c; c++) {
        if (kinds[c] > SAFENET_POLY3)
            return VEIL_EINVAL;
        if (kinds[c] >= SAFENET_POLY2 &&
            (unsigned)(e - (int)net->f.frac) > SAFENET_MAX_TRUNC)
            return VEIL_EINVAL;
    }
    if ((L = new_layer(net, SAFENET_ACT)) == NULL)
        return VEIL_EINVAL;
    L->out = in;
    L->shift = (unsigned)(e - (int)net->f.frac);
    L->out_scale = ldexp(1.0, (int)net->f.frac);
    L->kind = veil_alloc(in.c);
    L->coef = veil_calloc((size_t)in.c * 4, sizeof(uint64_t));
    if (L->kind == NULL || L->coef == NULL) {
        veil_free(L->kind);
        veil_free(L->coef);
        L->kind = NULL;
        L->coef = NULL;
        return VEIL_ENOMEM;
    }
    memcpy(L->kind, kinds, in.c);
    for (uint32_t c = 0; c < in.c && st == VEIL_OK; c++) {
        unsigned deg = kinds[c] == SAFENET_RELU    ? 0
                       : kinds[c] == SAFENET_CONST ? 1
                       : kinds[c] == SAFENET_POLY2 ? 3
                                                   : 4;
        if (kinds[c] == SAFENET_RELU)
            L->relus += hw;
        else if (kinds[c] != SAFENET_CONST)
            L->polys += hw;
        for (unsigned i = 0; i < deg && st == VEIL_OK; i++) {
            double v = coef ? (double)coef[4 * c + i] : 0.0;
            st = encode_signed(net, &L->coef[4 * c + i],
                               ldexp(v, (int)net->f.frac), ldexp(1.0, 30));
        }
    }
    if (st != VEIL_OK) {
        veil_free(L->kind);
        veil_free(L->coef);
        L->kind = NULL;
        L->coef = NULL;
        return st;
    }
    net->nlayers++;
    return VEIL_OK;
}

/* ------------------------------------------------------------- hash */

static void hash_u64(crypto_generichash_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_generichash_update(h, b, 8);
}

static void hash_shape(crypto_generichash_state *h, nn_shape_t s)
{
    hash_u64(h, s.c);
    hash_u64(h, s.h);
    hash_u64(h, s.w);
}

veil_status safenet_net_finish(safenet_net_t *net)
{
    crypto_generichash_state h;
    static const char tag[] = "veil safenet net v1";
    if (net == NULL || net->nlayers == 0 ||
        net->layers[net->nlayers - 1].op == SAFENET_ACT)
        return VEIL_EINVAL;
    crypto_generichash_init(&h, NULL, 0, SAFENET_HASH_BYTES);
    crypto_generichash_update(&h, (const uint8_t *)tag, sizeof(tag));
    hash_u64(&h, net->f.p);
    hash_u64(&h, net->f.frac);
    hash_u64(&h, net->wfrac);
    hash_shape(&h, net->in);
    hash_u64(&h, net->nlayers);
    for (uint32_t i = 0; i < net->nlayers; i++) {
        const safenet_layer_t *L = &net->layers[i];
        hash_u64(&h, (uint64_t)L->op);
        hash_shape(&h, L->in);
        hash_shape(&h, L->out);
        hash_u64(&h, L->k);
        hash_u64(&h, L->stride);
        hash_u64(&h, L->pad);
        hash_u64(&h, L->shift);
        if (L->w != NULL) {
            for (size_t j = 0; j < L->nw; j++)
                hash_u64(&h, L->w[j]);
            for (uint32_t j = 0; j < L->out.c; j++)
                hash_u64(&h, L->b[j]);
        }
        if (L->kind != NULL) {
            crypto_generichash_update(&h, L->kind, L->in.c);
            for (size_t j = 0; j < (size_t)L->in.c * 4; j++)
                hash_u64(&h, L->coef[j]);
        }
    }
    crypto_generichash_final(&h, net->hash, SAFENET_HASH_BYTES);
    net->finished = 1;
    return VEIL_OK;
}

/* ------------------------------------------------------------ queries */

size_t safenet_net_relus(const safenet_net_t *net)
{
    size_t n = 0;
    for (uint32_t i = 0; i < net->nlayers; i++)
        n += net->layers[i].relus;
    return n;
}

size_t safenet_net_polys(const safenet_net_t *net)
{
    size_t n = 0;
    for (uint32_t i = 0; i < net->nlayers; i++)
        n += net->layers[i].polys;
    return n;
}

size_t safenet_net_out_size(const safenet_net_t *net)
{
    return nn_shape_size(cur_shape(net));
}

double safenet_net_out_scale(const safenet_net_t *net)
{
    return cur_scale(net);
}

veil_status safenet_encode_input(const safenet_net_t *net, uint64_t *x,
                                 const float *in)
{
    size_t n;
    if (net == NULL || x == NULL || in == NULL)
        return VEIL_EINVAL;
    n = nn_shape_size(net->in);
    for (size_t i = 0; i < n; i++) {
        veil_status st = encode_signed(
            net, &x[i], ldexp((double)in[i], (int)net->f.frac), ldexp(1.0, 39));
        if (st != VEIL_OK)
            return st;
    }
    return VEIL_OK;
}
