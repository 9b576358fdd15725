/*
 * triples_bfv.c - Beaver triples from BFV: the protocol of mpc_bfv.h.
 *
 * Wire format: the client's public key, then per batch two ciphertexts one
 * way and one back, each a bfv_serial.h object in one frame.  Fresh
 * symmetric encryptions travel seeded (half size); the reply, once
 * flooded, is switched to the fewest primes that still decrypt it
 * (bfv_mod_switch, reply_limbs below: 2 of the 5 primes for the Delphi
 * field) and travels as a bfv_ms object.
 *
 * Noise.  With t-bit plaintexts, a product Enc(a1) * b2 has noise at most
 * n t^2 / 2 (the centred plaintext times the fresh noise and the rounding
 * of Delta m); two of them, the fresh noise of Enc_pk(0) and the rest stay
 * below 2^(log2 n + 2 log2 t + 4).  The flood adds 2^(MPC_BFV_FLOOD_BITS +
 * log2 n) times that, and decryption needs the total below Q / (2 t):
 * the parameters must leave that room (checked).
 */
#include "triples_bfv_internal.h"
#include "veil/bfv_serial.h"
#include "veil/mpc_bfv.h"

#define SLOTS_N 16384

veil_status mpc_bfv_params(bfv_params_t *params, const mpc_field_t *f)
{
    static const unsigned q_bits[5] = {49, 49, 49, 49, 49};
    static const unsigned p_bits[1] = {50};
    char why[160];
    veil_status st;
    if (params == NULL || f == NULL)
        return VEIL_EINVAL;
    if ((f->p - 1) % (2 * SLOTS_N) != 0 || f->bits >= NTT_MAX_PRIME_BITS)
        return VEIL_EPARAM;
    st = bfv_params_from_bits(params, SLOTS_N, q_bits, 5, p_bits, 1, f->p,
                              BFV_SEC_128);
    if (st != VEIL_OK)
        return st;
    return bfv_params_check(params, why, sizeof(why));
}

/* Bits of the flooding bound B, or 0 if the context leaves no room. */
static unsigned flood_bits(const bfv_context_t *ctx)
{
    unsigned logn = ctx->logn,
             logt = 64 - (unsigned)__builtin_clzll(ctx->params.t);
    unsigned noise = logn + 2 * logt + 4,
             flood = noise + MPC_BFV_FLOOD_BITS + logn;
    unsigned logq = 0; /* lower bound on log2 Q */
    for (size_t i = 0; i < ctx->n_q; i++)
        logq += 63 - (unsigned)__builtin_clzll(ctx->params.q[i]);
    return flood + logt + 2 < logq ? flood : 0;
}

/* The primes the reply keeps: the fewest l with which every flooded reply
 * still decrypts (bfv_mod_switch_limbs with its budget at the full
 * modulus).  The noise v = [t (c_0 + c_1 s)]_Q of a reply is at most
 * t (|F| + |rest| + t) < t 2^(flood + 1) (rest < 2^noise, t < 2^logt, both
 * far below 2^flood), so 2 |v| 2^b <= Q holds for
 * b = floor(log2 Q) - 2 - logt - flood, with log2 Q and log2 t rounded the
 * safe way, as in flood_bits.  Both parties compute it from the context;
 * the switch is a public function of the flooded ciphertext, so it hides
 * nothing the flood did not (bfv.h, "Modulus switching"). */
static veil_status reply_limbs(size_t *limbs, const bfv_context_t *ctx)
{
    const unsigned fb = flood_bits(ctx),
                   logt = 64 - (unsigned)__builtin_clzll(ctx->params.t);
    unsigned logq = 0;
    for (size_t i = 0; i < ctx->n_q; i++)
        logq += 63 - (unsigned)__builtin_clzll(ctx->params.q[i]);
    if (fb == 0 || logq < fb + logt + 3)
        return VEIL_EPARAM;
    return bfv_mod_switch_limbs(limbs, ctx, 2, (int)(logq - 2 - logt - fb),
                                1) == VEIL_OK
               ? VEIL_OK
               : VEIL_EPARAM;
}

static veil_status check_ctx(const mpc_field_t *f, const bfv_context_t *ctx)
{
    if (!ctx->batching || ctx->params.t != f->p || flood_bits(ctx) == 0)
        return VEIL_EPARAM;
    return VEIL_OK;
}

/* ------------------------------------------------------------ wire */

/* One serialized object per frame (bfv_serial.h checks parameter hash,
 * sizes, every residue and a checksum).  buf holds cap bytes, enough for
 * the largest object of the protocol: a full size-2 ciphertext. */
typedef struct {
    uint8_t *buf;
    size_t cap;
} wire_t;

static veil_status wire_init(wire_t *w, const bfv_ciphertext_t *ct)
{
    /* a full ciphertext, or a switched one with every limb (a few header
     * words more) */
    w->cap = bfv_ciphertext_serial_size(ct, BFV_SERIAL_FULL) + 64;
    w->buf = w->cap ? veil_alloc(w->cap) : NULL;
    return w->buf != NULL ? VEIL_OK : VEIL_ENOMEM;
}

static veil_status send_ct(mpc_chan_t *ch, wire_t *w,
                           const bfv_ciphertext_t *ct)
{
    size_t len;
    veil_status st = bfv_ciphertext_serialize(w->buf, w->cap, &len, ct, 0);
    return st != VEIL_OK ? st : mpc_chan_send(ch, w->buf, len);
}

static veil_status recv_ct(mpc_chan_t *ch, wire_t *w, bfv_ciphertext_t *ct)
{
    size_t len;
    veil_status st = mpc_chan_recv_any(ch, w->buf, w->cap, &len);
    if (st != VEIL_OK)
        return st;
    st = bfv_ciphertext_deserialize(ct, w->buf, len, NULL);
    return st == VEIL_OK && ct->size != 2 ? VEIL_EFORMAT : st;
}

/* The switched reply: sent as a bfv_ms object; received only with exactly
 * the expected number of limbs, size 2, RNS form. */
static veil_status send_ms(mpc_chan_t *ch, wire_t *w,
                           const bfv_ms_ciphertext_t *ct)
{
    size_t len;
    veil_status st = bfv_ms_ciphertext_serialize(w->buf, w->cap, &len, ct);
    return st != VEIL_OK ? st : mpc_chan_send(ch, w->buf, len);
}

static veil_status recv_ms(mpc_chan_t *ch, wire_t *w, bfv_ms_ciphertext_t *ct,
                           size_t limbs)
{
    size_t len;
    veil_status st = mpc_chan_recv_any(ch, w->buf, w->cap, &len);
    if (st != VEIL_OK)
        return st;
    st = bfv_ms_ciphertext_deserialize(ct, w->buf, len, NULL);
    return st == VEIL_OK && (ct->size != 2 || ct->limbs != limbs ||
                             ct->bits[0] != 0 || ct->bits[1] != 0)
               ? VEIL_EFORMAT
               : st;
}

/* ---------------------------------------------------------- flooding */

/* c_0 += F, F with coefficients uniform in (-2^bits, 2^bits): sampled as
 * words, reduced mod each q_i by Horner's rule, then put in NTT form. */
static veil_status flood(bfv_ciphertext_t *ct, unsigned bits, veil_rng_t *rng)
{
    const bfv_context_t *ctx = ct->ctx;
    const size_t n = ctx->n, w = (bits + 63) / 64;
    const uint64_t top = bits % 64 ? (UINT64_C(1) << (bits % 64)) - 1 : ~0ull;
    uint64_t *e = veil_alloc(n * (w + 1) * sizeof(uint64_t));
    uint64_t *row = veil_alloc(n * sizeof(uint64_t));
    veil_status st = VEIL_OK;
    if (e == NULL || row == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    /* coefficient k: words e[k (w+1) + 1 .. + w] little end first, sign in
     * the low bit of e[k (w+1)] */
    veil_rng_bytes(rng, e, n * (w + 1) * sizeof(uint64_t));
    for (size_t k = 0; k < n; k++)
        e[k * (w + 1) + w] &= top;
    for (size_t i = 0; i < ctx->n_q && st == VEIL_OK; i++) {
        ntt_modulus_t m;
        uint64_t *c0 = bfv_ct_row(ct, 0, i);
        if ((st = ntt_modulus_init(&m, ctx->params.q[i])) != VEIL_OK)
            break;
        for (size_t k = 0; k < n; k++) {
            const uint64_t *c = e + k * (w + 1);
            uint64_t r = 0;
            for (size_t j = w; j >= 1; j--)
                r = ntt_reduce128(r, c[j], &m);
            row[k] = (c[0] & 1) ? ntt_neg_mod(r, m.q) : r;
        }
        ntt_forward(&ctx->plans[i], row);
        for (size_t k = 0; k < n; k++)
            c0[k] = ntt_add_mod(c0[k], row[k], m.q);
    }
done:
    veil_free_secret(e, n * (w + 1) * sizeof(uint64_t));
    veil_free_secret(row, n * sizeof(uint64_t));
    return st;
}

/* ------------------------------------------------------------ client */

veil_status mpc_triples_bfv_client(mpc_triples_t *t, const mpc_field_t *f,
                                   const bfv_secret_key_t *sk,
                                   const bfv_public_key_t *pk, mpc_chan_t *ch,
                                   veil_rng_t *rng)
{
    const bfv_context_t *ctx;
    bfv_plaintext_t pt = {0};
    bfv_ciphertext_t ca = {0}, cb = {0};
    bfv_ms_ciphertext_t r = {0};
    wire_t w = {NULL, 0};
    uint64_t *m = NULL;
    size_t len, limbs;
    veil_status st;
    if (t == NULL || f == NULL || sk == NULL || pk == NULL || ch == NULL ||
        rng == NULL || t->a == NULL || sk->ctx != pk->ctx)
        return VEIL_EINVAL;
    ctx = sk->ctx;
    if ((st = check_ctx(f, ctx)) != VEIL_OK ||
        (st = reply_limbs(&limbs, ctx)) != VEIL_OK)
        return st;
    if ((st = bfv_plaintext_init(&pt, ctx)) != VEIL_OK ||
        (st = bfv_ms_ciphertext_init(&r, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&ca, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&cb, ctx)) != VEIL_OK)
        goto done;
    if ((st = wire_init(&w, &ca)) != VEIL_OK)
        goto done;
    if ((m = veil_alloc(ctx->n * sizeof(uint64_t))) == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    /* the public key, for the server's re-randomization */
    st = bfv_public_key_serialize(w.buf, w.cap, &len, pk);
    if (st == VEIL_OK)
        st = mpc_chan_send(ch, w.buf, len);
    for (size_t j0 = 0; j0 < t->n && st == VEIL_OK; j0 += ctx->n) {
        const size_t cnt = t->n - j0 < ctx->n ? t->n - j0 : ctx->n;
        uint64_t *a = t->a + j0, *b = t->b + j0, *c = t->c + j0;
        /* 1. Enc(a1), Enc(b1) */
        mpc_field_vec_random(f, rng, a, cnt);
        mpc_field_vec_random(f, rng, b, cnt);
        if ((st = bfv_encode_batch(&pt, a, cnt)) != VEIL_OK ||
            (st = bfv_encrypt_symmetric(&ca, sk, &pt, rng)) != VEIL_OK ||
            (st = bfv_encode_batch(&pt, b, cnt)) != VEIL_OK ||
            (st = bfv_encrypt_symmetric(&cb, sk, &pt, rng)) != VEIL_OK ||
            (st = send_ct(ch, &w, &ca)) != VEIL_OK ||
            (st = send_ct(ch, &w, &cb)) != VEIL_OK)
            break;
        /* 3. c1 = a1 b1 + Dec(R) */
        if ((st = recv_ms(ch, &w, &r, limbs)) != VEIL_OK ||
            (st = bfv_decrypt_ms(&pt, sk, &r)) != VEIL_OK ||
            (st = bfv_decode_batch(m, &pt)) != VEIL_OK)
            break;
        mpc_field_vec_mul(f, c, a, b, cnt);
        mpc_field_vec_add(f, c, c, m, cnt);
    }
    t->used = 0;
done:
    veil_free_secret(m, ctx->n * sizeof(uint64_t));
    veil_free(w.buf);
    bfv_plaintext_clear(&pt);
    bfv_ciphertext_clear(&ca);
    bfv_ciphertext_clear(&cb);
    bfv_ms_ciphertext_clear(&r);
    return st;
}

/* ------------------------------------------------------------ server */

veil_status mpc_triples_bfv_reply(bfv_ciphertext_t *ca, bfv_ciphertext_t *cb,
                                  const mpc_field_t *f,
                                  const bfv_public_key_t *pk, const uint64_t *a,
                                  const uint64_t *b, const uint64_t *c,
                                  size_t cnt, veil_rng_t *rng)
{
    const bfv_context_t *ctx = pk->ctx;
    bfv_plaintext_t pt = {0}, zero = {0};
    bfv_plaintext_ntt_t ptn = {0};
    bfv_ciphertext_t z = {0};
    uint64_t *d = NULL;
    veil_status st;
    if (ca->ctx != ctx || cb->ctx != ctx || cnt > ctx->n)
        return VEIL_EINVAL;
    if ((st = check_ctx(f, ctx)) != VEIL_OK)
        return st;
    if ((st = bfv_plaintext_init(&pt, ctx)) != VEIL_OK ||
        (st = bfv_plaintext_init(&zero, ctx)) != VEIL_OK ||
        (st = bfv_plaintext_ntt_init(&ptn, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&z, ctx)) != VEIL_OK ||
        (st = bfv_encode_scalar(&zero, 0)) != VEIL_OK)
        goto done;
    if ((d = veil_alloc(ctx->n * sizeof(uint64_t))) == NULL) {
        st = VEIL_ENOMEM;
        goto done;
    }
    /* R = Enc(a1) b2 + Enc(b1) a2 + (a2 b2 - c2) + Enc_pk(0) + F */
    mpc_field_vec_mul(f, d, a, b, cnt);
    mpc_field_vec_sub(f, d, d, c, cnt);
    if ((st = bfv_encode_batch(&pt, b, cnt)) != VEIL_OK ||
        (st = bfv_plaintext_to_ntt(&ptn, &pt)) != VEIL_OK ||
        (st = bfv_mul_plain(ca, ca, &ptn)) != VEIL_OK ||
        (st = bfv_encode_batch(&pt, a, cnt)) != VEIL_OK ||
        (st = bfv_plaintext_to_ntt(&ptn, &pt)) != VEIL_OK ||
        (st = bfv_mul_plain(cb, cb, &ptn)) != VEIL_OK ||
        (st = bfv_add(ca, ca, cb)) != VEIL_OK ||
        (st = bfv_encode_batch(&pt, d, cnt)) != VEIL_OK ||
        (st = bfv_add_plain(ca, ca, &pt)) != VEIL_OK ||
        (st = bfv_encrypt(&z, pk, &zero, rng)) != VEIL_OK ||
        (st = bfv_add(ca, ca, &z)) != VEIL_OK)
        goto done;
    st = flood(ca, flood_bits(ctx), rng);
done:
    veil_free_secret(d, ctx->n * sizeof(uint64_t));
    bfv_plaintext_clear(&pt);
    bfv_plaintext_clear(&zero);
    bfv_plaintext_ntt_clear(&ptn);
    bfv_ciphertext_clear(&z);
    return st;
}

veil_status mpc_triples_bfv_server(mpc_triples_t *t, const mpc_field_t *f,
                                   const bfv_context_t *ctx, mpc_chan_t *ch,
                                   veil_rng_t *rng)
{
    bfv_public_key_t pk = {0};
    bfv_ciphertext_t ca = {0}, cb = {0};
    bfv_ms_ciphertext_t r = {0};
    wire_t w = {NULL, 0};
    size_t len, limbs;
    veil_status st;
    if (t == NULL || f == NULL || ctx == NULL || ch == NULL || rng == NULL ||
        t->a == NULL)
        return VEIL_EINVAL;
    if ((st = check_ctx(f, ctx)) != VEIL_OK ||
        (st = reply_limbs(&limbs, ctx)) != VEIL_OK)
        return st;
    if ((st = bfv_public_key_init(&pk, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&ca, ctx)) != VEIL_OK ||
        (st = bfv_ciphertext_init(&cb, ctx)) != VEIL_OK ||
        (st = bfv_ms_ciphertext_init(&r, ctx)) != VEIL_OK)
        goto done;
    if ((st = wire_init(&w, &ca)) != VEIL_OK)
        goto done;
    st = mpc_chan_recv_any(ch, w.buf, w.cap, &len);
    if (st == VEIL_OK)
        st = bfv_public_key_deserialize(&pk, w.buf, len, NULL);
    for (size_t j0 = 0; j0 < t->n && st == VEIL_OK; j0 += ctx->n) {
        const size_t cnt = t->n - j0 < ctx->n ? t->n - j0 : ctx->n;
        uint64_t *a = t->a + j0, *b = t->b + j0, *c = t->c + j0;
        if ((st = recv_ct(ch, &w, &ca)) != VEIL_OK ||
            (st = recv_ct(ch, &w, &cb)) != VEIL_OK)
            break;
        mpc_field_vec_random(f, rng, a, cnt);
        mpc_field_vec_random(f, rng, b, cnt);
        mpc_field_vec_random(f, rng, c, cnt);
        if ((st = mpc_triples_bfv_reply(&ca, &cb, f, &pk, a, b, c, cnt, rng)) !=
                VEIL_OK ||
            (st = bfv_mod_switch(&r, &ca, limbs)) != VEIL_OK ||
            (st = send_ms(ch, &w, &r)) != VEIL_OK ||
            (st = mpc_chan_flush(ch)) != VEIL_OK)
            break;
    }
    t->used = 0;
done:
    veil_free(w.buf);
    bfv_public_key_clear(&pk);
    bfv_ciphertext_clear(&ca);
    bfv_ciphertext_clear(&cb);
    bfv_ms_ciphertext_clear(&r);
    return st;
}
