/*
 * he.h - the offline homomorphic linear layers of SAFENet / Delphi
 * (papers/safenet-*.md, section 2.1 "offline linear layer"; Gazelle's
 * packing, Juvekar et al. 2018).  Internal to safenet/ (not installed).
 * Chapter: doc/23-safenet-he.md.
 *
 * For a linear layer W (2-D convolution or dense) the client sends Enc(r)
 * under its own BFV key (plaintext modulus t = p), the server returns
 *
 *     Enc(W r - s) + Enc_pk(0) + F
 *
 * for a fresh uniform mask s in F_p^out (the server keeps s, the client
 * decrypts W r - s): both hold additive shares of W r.  Enc_pk(0) (a fresh
 * public-key encryption, merged with the mask as Enc_pk(-s)) re-randomises
 * c_1 and F (a polynomial with coefficients uniform in [-2^f, 2^f)) floods
 * the noise, so that the reply reveals nothing about W beyond W r - s up to
 * statistical distance 2^-stat_sec (doc/23, "Why the reply hides W").
 *
 * Packing (Gazelle, section 5): a convolution input of C channels of H x W
 * is cut into ciphertexts of cn = n / blk channels, blk the power of two
 * >= H W, channel j of a ciphertext in slot block j (row j / R, column block
 * j % R, R = n / (2 blk)).  Output o = sum_g rot_g(sum_{i,b} P (.) rot_b(x_i))
 * over baby rotations b (kernel offsets, plus channel shifts below a split
 * B1: hoisted, one decomposition per input) and giant rotations g (channel
 * shifts by multiples of B1 blocks, with or without the row swap): B1 = 1
 * is Gazelle's output rotation, B1 = R its input rotation; the plan takes
 * the cheapest.  Strided outputs stay on the input grid (slot of input
 * position (oy s, ox s)).  Dense layers are LoLa's diagonal kernel
 * (lola_kernel_diag: diagonal method, baby-step giant-step, hoisted
 * babies, fold) run by lola_step_exec with coefficients in F_p.
 *
 * Element orders (values are uint64 in [0, p)):
 *   conv input   CHW: r[(c * H + y) * W + x], length C_in H W;
 *   conv output  CHW, OH = (H + 2 pad - k) / stride + 1, likewise OW;
 *   conv weights OIHW: w[((m * C_in + c) * k + ky) * k + kx]; output
 *                (m, oy, ox) = sum w * r[c][oy s + ky - pad][ox s + kx - pad]
 *                (zero padding);
 *   dense        r[0..in), output [0..out), w[j * in + i] row-major.
 * No bias: the server adds it to its share online.
 *
 * Conventions (../DESIGN.md): output first, inputs const, veil_status.
 * A layer is immutable after init and shared freely between threads.
 * Results never depend on the number of OpenMP threads.
 */
#ifndef VEIL_SAFENET_HE_H
#define VEIL_SAFENET_HE_H

#include "veil/bfv.h"

struct lola_step; /* lola_kernels.h: the compiled dense layer */

#ifdef __cplusplus
extern "C" {
#endif

#define SAFENET_HE_N 8192      /* ring degree                              */
#define SAFENET_HE_STAT_SEC 40 /* least statistical security of the flood  */

/* 128-bit BFV parameters for t = p (p prime, p = 1 mod 2 SAFENET_HE_N,
 * p < 2^49): n = 8192, four 42-bit ciphertext primes (Q of 168 bits), one
 * 50-bit special prime (log2 QP = 218, the standard's bound for n = 8192),
 * checked by bfv_params_check.  VEIL_EINVAL (NULL), VEIL_EPARAM. */
veil_status safenet_he_params(bfv_params_t *params, uint64_t p) VEIL_WUR;

typedef enum { SAFENET_HE_CONV = 0, SAFENET_HE_DENSE = 1 } safenet_he_kind_t;

/* The public shape of a linear layer.  conv: c_in x h x w -> c_out x oh x
 * ow with kernel k, stride, pad.  dense: in = c_in (set h = w = 1),
 * out = c_out; k, stride, pad ignored. */
typedef struct {
    safenet_he_kind_t kind;
    uint32_t c_in, h, w;
    uint32_t c_out;
    uint32_t k, stride, pad;
} safenet_he_shape_t;

/* A slot permutation of the Galois group: y[row][col] =
 * x[row ^ swap][(col + shift) mod n/2] ("bring slot s + shift to s"). */
typedef struct {
    uint32_t shift;
    uint32_t swap;
    uint64_t elt; /* its Galois element (1 for the identity) */
    uint32_t aux; /* conv babies: db << 16 | ky << 8 | kx (channel shift in
                     blocks, kernel offset); 0 otherwise */
} safenet_he_rot_t;

/* A compiled layer: deterministic from (shape, ctx), public.
 *   in_len, out_len   elements of r and of W r;
 *   in_ct, out_ct     ciphertexts client -> server and back;
 *   in_map            in_ct x n: element of r in each input slot, or -1;
 *   out_pos           out_len: ct * n + slot of each output element;
 *   conv: baby, giant rotations (baby: hoisted on every input; giant: one
 *                     full rotation per non-identity giant and output),
 *                     blk the slot block per channel, b1 the baby/giant
 *                     split (1: Gazelle's output rotation);
 *   dense             the program LoLa's diagonal kernel compiled
 *                     (lola_kernel_diag: BSGS, hoisted babies, fold);
 *   elts, nelts       the Galois elements the layer uses (sorted);
 *   terms, folds      products per output ciphertext and fold rotations
 *                     after them (for the noise bound);
 *   flood_bits        f: the flood F is uniform in [-2^f, 2^f);
 *   noise_bits        log2 of the bound B on the reply's noise before the
 *                     flood (doc/23, "Why the reply hides W");
 *   stat_sec          f - log2 n - noise_bits (>= SAFENET_HE_STAT_SEC);
 *   reply_limbs       primes the flooded reply is switched down to before
 *                     it is sent (bfv_mod_switch_limbs at the budget the
 *                     flood leaves, keeping 1 bit; doc/23, "The wire"). */
typedef struct {
    safenet_he_shape_t shape;
    const bfv_context_t *ctx;
    size_t n;
    size_t in_len, out_len;
    size_t in_ct, out_ct;
    int32_t *in_map;
    uint32_t *out_pos;
    size_t nbaby, ngiant;
    safenet_he_rot_t *baby, *giant;
    size_t blk, b1;
    size_t oh, ow;
    struct lola_step *dense;
    uint64_t *elts;
    size_t nelts;
    double terms;
    unsigned folds;
    unsigned flood_bits;
    double noise_bits, stat_sec;
    size_t reply_limbs;
} safenet_he_layer_t;

/* Compile the layer for ctx (batching, t < 2^49).  VEIL_EINVAL (NULL, zero
 * sizes, k > h + 2 pad, stride 0, no batching), VEIL_EUNSUPPORTED (shape
 * the packing cannot hold: conv with h w > n/2, dense with out > n/4 or
 * a kernel so wide that offsets alias), VEIL_EPARAM (the flooding would
 * give less than SAFENET_HE_STAT_SEC bits), VEIL_ENOMEM. */
veil_status safenet_he_layer_init(safenet_he_layer_t *L,
                                  const safenet_he_shape_t *shape,
                                  const bfv_context_t *ctx) VEIL_WUR;
/* Free; safe twice and after a failed init. */
void safenet_he_layer_clear(safenet_he_layer_t *L);

/* The Galois elements the layers need (sorted, distinct, identity left
 * out), for the client's bfv_keygen_galois_elts.  *elts from malloc (free
 * with free(); NULL when *count is 0).  VEIL_EINVAL, VEIL_ENOMEM. */
veil_status safenet_he_galois_elts(uint64_t **elts, size_t *count,
                                   const safenet_he_layer_t *layers,
                                   size_t nlayers) VEIL_WUR;

/* Client: cts[0..L->in_ct) = Enc(r) (symmetric, seeded: half size on the
 * wire), r[0..L->in_len) in [0, t).  cts initialised for L->ctx.
 * VEIL_EINVAL, VEIL_ERANGE (r out of range), VEIL_ENOMEM. */
veil_status safenet_he_encrypt(bfv_ciphertext_t *cts,
                               const safenet_he_layer_t *L,
                               const bfv_secret_key_t *sk, const uint64_t *r,
                               veil_rng_t *rng) VEIL_WUR;

/* Server: out[0..L->out_ct) = Enc(W r - s) re-randomised, s[0..L->out_len)
 * the server's fresh uniform mask (its share of W r).  w as in "Element
 * orders" (c_out c_in k k or out in entries), values in [0, t) (VEIL_ERANGE
 * otherwise).  in[0..L->in_ct): size-2 ciphertexts of L->ctx (VEIL_EINVAL
 * otherwise); pk the client's public key, gk its Galois keys (VEIL_ENOKEY
 * without one of safenet_he_galois_elts).  out initialised for L->ctx, must
 * not alias in.  OpenMP over (output, giant) pairs; for the same rng state
 * the result is identical for any thread count.  VEIL_ENOMEM. */
veil_status safenet_he_eval(bfv_ciphertext_t *out, uint64_t *s,
                            const safenet_he_layer_t *L, const uint64_t *w,
                            const bfv_ciphertext_t *in,
                            const bfv_public_key_t *pk,
                            const bfv_galois_keys_t *gk,
                            veil_rng_t *rng) VEIL_WUR;

/* Test hooks: flags for safenet_he_eval_flags.  NEVER use them in a
 * protocol: they remove the re-randomisation (tests measure the noise the
 * flood hides and show that it is needed). */
#define SAFENET_HE_NO_FLOOD 1u  /* skip F                                 */
#define SAFENET_HE_NO_RERAND 2u /* mask with a plaintext, no Enc_pk(0)    */
veil_status safenet_he_eval_flags(bfv_ciphertext_t *out, uint64_t *s,
                                  const safenet_he_layer_t *L,
                                  const uint64_t *w, const bfv_ciphertext_t *in,
                                  const bfv_public_key_t *pk,
                                  const bfv_galois_keys_t *gk, veil_rng_t *rng,
                                  unsigned flags) VEIL_WUR;

/* Server: ms[c] = out[c] switched to L->reply_limbs primes (bfv_mod_switch),
 * c < L->out_ct: the reply as it is sent.  A public operation on the
 * flooded ciphertext, so it keeps the flood's hiding; it halves the bytes
 * at SAFENet's parameters.  ms initialised for L->ctx.  VEIL_EINVAL. */
veil_status safenet_he_switch(bfv_ms_ciphertext_t *ms,
                              const safenet_he_layer_t *L,
                              const bfv_ciphertext_t *out) VEIL_WUR;

/* Client: y[0..L->out_len) = W r - s mod p from the switched reply
 * (L->reply_limbs primes, VEIL_EINVAL otherwise).  VEIL_EINVAL,
 * VEIL_ENOMEM. */
veil_status safenet_he_decrypt(uint64_t *y, const safenet_he_layer_t *L,
                               const bfv_secret_key_t *sk,
                               const bfv_ms_ciphertext_t *ms) VEIL_WUR;

/* ------------------------------------------------------------------ wire */
/* A batch: 4-byte little-endian count, then count bfv_serial.h ciphertext
 * objects: the client's fresh encryptions as bfv_ciphertext_serialize
 * objects, seeded (half size), the replies as bfv_ms_ciphertext_serialize
 * objects at L->reply_limbs primes. */

/* Exact bytes of the client's Enc(r) (seeded) and of the switched reply. */
size_t safenet_he_upload_bytes(const safenet_he_layer_t *L);
size_t safenet_he_download_bytes(const safenet_he_layer_t *L);

/* Bytes of a batch (0 for an invalid ciphertext). */
size_t safenet_he_batch_size(const bfv_ciphertext_t *cts, size_t count);
/* VEIL_EINVAL, VEIL_ERANGE (cap too small). */
veil_status safenet_he_batch_serialize(uint8_t *out, size_t cap, size_t *len,
                                       const bfv_ciphertext_t *cts,
                                       size_t count) VEIL_WUR;
/* cts[0..count) initialised for the receiving context; the batch must hold
 * exactly `count` size-2 ciphertexts of that context and nothing more
 * (VEIL_EFORMAT otherwise, also for any malformed byte), VEIL_EINVAL. */
veil_status safenet_he_batch_deserialize(bfv_ciphertext_t *cts, size_t count,
                                         const uint8_t *in,
                                         size_t len) VEIL_WUR;

/* n switched ciphertexts initialised for ctx (calloc'd array), or NULL
 * (VEIL_ENOMEM); free: clear each and free the array, NULL allowed. */
bfv_ms_ciphertext_t *safenet_he_ms_new(const bfv_context_t *ctx, size_t n);
void safenet_he_ms_free(bfv_ms_ciphertext_t *ms, size_t n);

/* The same for the switched replies; the receiver's check is that every
 * ciphertext has size 2 and exactly `limbs` primes (VEIL_EFORMAT
 * otherwise). */
veil_status safenet_he_reply_serialize(uint8_t *out, size_t cap, size_t *len,
                                       const bfv_ms_ciphertext_t *ms,
                                       size_t count) VEIL_WUR;
veil_status safenet_he_reply_deserialize(bfv_ms_ciphertext_t *ms, size_t count,
                                         size_t limbs, const uint8_t *in,
                                         size_t len) VEIL_WUR;

/* ------------------------------------------------------------- benchmark */

typedef struct {
    double enc_s;  /* client: pack + encrypt + serialize                  */
    double eval_s; /* server: deserialize + eval + serialize              */
    double dec_s;  /* client: deserialize + decrypt                       */
    size_t bytes_up, bytes_down;
    double stat_sec;
} safenet_he_stats_t;

/* One process plays both sides for each shape: random r, W (uniform in
 * F_p), the whole exchange through the wire format, and checks
 * y + s == W r mod p against a plain evaluation (VEIL_EINVAL if wrong).
 * Keys (secret, public, the layers' Galois keys) are made once, outside
 * the timings.  Threads: the caller's omp_set_num_threads.  VEIL_ENOMEM,
 * VEIL_EPARAM, VEIL_EUNSUPPORTED as layer_init. */
veil_status safenet_he_bench(safenet_he_stats_t *stats,
                             const safenet_he_shape_t *shapes, size_t count,
                             veil_rng_t *rng) VEIL_WUR;

/* The linear layers of CNN-7 on 32x32x3 (issue 9): conv 3x3 3->64,
 * conv 3x3 64->64 (32x32), conv 3x3 64->64 twice (16x16, after a mean
 * pool), conv 3x3 64->64 (8x8), conv 1x1 64->64, conv 1x1 64->16, dense
 * 1024 -> 10.  Mean pools are public: shares are pooled locally. */
#define SAFENET_HE_CNN7_LAYERS 8
extern const safenet_he_shape_t safenet_he_cnn7[SAFENET_HE_CNN7_LAYERS];

#ifdef __cplusplus
}
#endif
#endif /* VEIL_SAFENET_HE_H */
