/*
 * gc_kernel_vaes.c - the half-gates kernels of gc_kernel_aesni.c on 512-bit
 * registers with VAES: one zmm register holds the labels of four lanes, so
 * a group of MPC_GC_LANES = 16 lanes is four registers, and the 64 hash
 * inputs of an AND gate (32 to evaluate) are sixteen (eight) independent
 * VAESENC streams, enough to keep the AES units busy across the latency of
 * each round.  Point-and-permute selections use AVX-512 mask registers, and
 * the evaluator prefetches the tables a few gates ahead (they stream from
 * memory: 32 bytes per AND and lane).  Compiled with -mavx512f -mavx512dq
 * -mvaes in a convenience library of its own; only picked after a CPUID
 * check (gc_dispatch.c).  Gives the same tables and labels as the AES-NI
 * kernel, bit for bit.
 */
#include "config.h"
#include "../internal.h"

#if defined(__VAES__) && defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>

#define L MPC_GC_LANES
#define Z (L / 4) /* zmm registers per slot */
/* How many AND gates ahead the evaluator prefetches its tables (a prefetch
 * past the end of the buffer is harmless: it never faults). */
#define PREFETCH_ANDS 3
#if L % 4 != 0
#error "the VAES kernel holds four lanes per register"
#endif

static inline __m512i ld(const mpc_block_t *p)
{
    return _mm512_load_si512((const void *)p);
}

static inline void st(mpc_block_t *p, __m512i x)
{
    _mm512_store_si512((void *)p, x);
}

/* sigma on four blocks: swap the halves, XOR the high half in. */
static inline __m512i sigma(__m512i x)
{
    const __m512i hi = _mm512_set_epi64(-1, 0, -1, 0, -1, 0, -1, 0);
    return _mm512_xor_si512(_mm512_shuffle_epi32(x, (_MM_PERM_ENUM)0x4e),
                            _mm512_and_si512(x, hi));
}

/* A mask with both 64-bit halves of each block whose low bit is set. */
static inline __mmask8 lsb_mask(__m512i x)
{
    const __m512i one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    __mmask8 k = _mm512_test_epi64_mask(x, one);
    return _kor_mask8(k, _kshiftli_mask8(k, 1));
}

/* b[j] = pi(b[j]) ^ b[j] for j < N: MMO, the N streams interleaved round
 * by round (the loops are unrolled so that everything stays in registers).
 */
#define UNROLL _Pragma("GCC unroll 16")
#define MMO(b, N, k)                                                           \
    do {                                                                       \
        __m512i x_[N];                                                         \
        UNROLL for (int j_ = 0; j_ < (N); j_++)                                \
            x_[j_] = _mm512_xor_si512((b)[j_], (k)[0]);                        \
        UNROLL for (int r_ = 1; r_ < 10; r_++)                                 \
            UNROLL for (int j_ = 0; j_ < (N); j_++)                            \
                x_[j_] = _mm512_aesenc_epi128(x_[j_], (k)[r_]);                \
        UNROLL for (int j_ = 0; j_ < (N); j_++)                                \
            (b)[j_] = _mm512_xor_si512(                                        \
                _mm512_aesenclast_epi128(x_[j_], (k)[10]), (b)[j_]);           \
    } while (0)

static void load_key(__m512i k[11], const mpc_aes_key_t *pi)
{
    UNROLL for (int r = 0; r < 11; r++)
        k[r] = _mm512_broadcast_i32x4(
            _mm_load_si128((const __m128i *)&pi->rk[r]));
}

/* Tweak registers: w[0] of lane l's block = 2 * and_base[l]. */
static void load_tweaks(__m512i t[Z], const uint64_t *and_base)
{
    for (int i = 0; i < Z; i++)
        t[i] = _mm512_set_epi64(0, (long long)(2 * and_base[4 * i + 3]), 0,
                                (long long)(2 * and_base[4 * i + 2]), 0,
                                (long long)(2 * and_base[4 * i + 1]), 0,
                                (long long)(2 * and_base[4 * i]));
}

static void garble(const gc_prog_t *p, const mpc_block_t *in,
                   mpc_block_t *work, mpc_block_t *tables,
                   const mpc_aes_key_t *pi, const mpc_block_t *delta,
                   const uint64_t *and_base)
{
    __m512i k[11], t[Z];
    const __m512i d = _mm512_broadcast_i32x4(
        _mm_load_si128((const __m128i *)delta));
    const __m512i sd = sigma(d);
    const __m512i one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    const __m512i two = _mm512_set_epi64(0, 2, 0, 2, 0, 2, 0, 2);
    load_key(k, pi);
    load_tweaks(t, and_base);
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        switch (o->op) {
        case MPC_GATE_XOR: {
            __m512i x[Z];
            UNROLL for (int j = 0; j < Z; j++)
                x[j] = _mm512_xor_si512(ld(a + 4 * j), ld(b + 4 * j));
            UNROLL for (int j = 0; j < Z; j++)
                st(out + 4 * j, x[j]);
            break;
        }
        case MPC_GATE_NOT: {
            __m512i x[Z];
            UNROLL for (int j = 0; j < Z; j++)
                x[j] = _mm512_xor_si512(ld(a + 4 * j), d);
            UNROLL for (int j = 0; j < Z; j++)
                st(out + 4 * j, x[j]);
            break;
        }
        case MPC_GATE_CONST0:
        case MPC_GATE_CONST1: {
            __m512i v = o->op == MPC_GATE_CONST1 ? d : _mm512_setzero_si512();
            UNROLL for (int j = 0; j < Z; j++)
                st(out + 4 * j, v);
            break;
        }
        default: { /* AND */
            __m512i a0[Z], b0[Z], h[4 * Z];
            UNROLL for (int j = 0; j < Z; j++) {
                a0[j] = ld(a + 4 * j);
                b0[j] = ld(b + 4 * j);
            }
            UNROLL for (int j = 0; j < Z; j++) {
                __m512i sa = _mm512_xor_si512(sigma(a0[j]), t[j]);
                __m512i sb = _mm512_xor_si512(sigma(b0[j]),
                                              _mm512_or_si512(t[j], one));
                h[j] = sa;                               /* H(A0) */
                h[Z + j] = _mm512_xor_si512(sa, sd);     /* H(A1) */
                h[2 * Z + j] = sb;                       /* H(B0) */
                h[3 * Z + j] = _mm512_xor_si512(sb, sd); /* H(B1) */
            }
            MMO(h, 4 * Z, k);
            UNROLL for (int j = 0; j < Z; j++) {
                __mmask8 pa = lsb_mask(a0[j]), pb = lsb_mask(b0[j]);
                __m512i tg = _mm512_xor_si512(h[j], h[Z + j]);
                __m512i te = _mm512_ternarylogic_epi64(h[2 * Z + j],
                                                       h[3 * Z + j], a0[j],
                                                       0x96);
                __m512i wg, we;
                tg = _mm512_mask_xor_epi64(tg, pb, tg, d);
                wg = _mm512_mask_xor_epi64(h[j], pa, h[j], tg);
                we = _mm512_mask_xor_epi64(h[2 * Z + j], pb, h[2 * Z + j],
                                           _mm512_xor_si512(te, a0[j]));
                st(tables + 4 * j, tg);
                st(tables + L + 4 * j, te);
                st(out + 4 * j, _mm512_xor_si512(wg, we));
                t[j] = _mm512_add_epi64(t[j], two);
            }
            tables += 2 * L;
            break;
        }
        }
    }
}

static void eval(const gc_prog_t *p, const mpc_block_t *in, mpc_block_t *work,
                 const mpc_block_t *tables, const mpc_aes_key_t *pi,
                 const uint64_t *and_base)
{
    __m512i k[11], t[Z];
    const __m512i one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    const __m512i two = _mm512_set_epi64(0, 2, 0, 2, 0, 2, 0, 2);
    load_key(k, pi);
    load_tweaks(t, and_base);
    for (uint32_t i = 0; i < p->n_ops; i++) {
        const gc_op_t *o = &p->ops[i];
        mpc_block_t *out = gc_slot(p, in, work, o->out);
        const mpc_block_t *a = gc_slot(p, in, work, o->a);
        const mpc_block_t *b = gc_slot(p, in, work, o->b);
        switch (o->op) {
        case MPC_GATE_XOR: {
            __m512i x[Z];
            UNROLL for (int j = 0; j < Z; j++)
                x[j] = _mm512_xor_si512(ld(a + 4 * j), ld(b + 4 * j));
            UNROLL for (int j = 0; j < Z; j++)
                st(out + 4 * j, x[j]);
            break;
        }
        default: { /* AND (an evaluator's program has no other gates) */
            __m512i a0[Z], b0[Z], h[2 * Z];
            UNROLL for (int j = 0; j < Z; j++) {
                a0[j] = ld(a + 4 * j);
                b0[j] = ld(b + 4 * j);
            }
            UNROLL for (int j = 0; j < Z; j++) {
                h[j] = _mm512_xor_si512(sigma(a0[j]), t[j]);
                h[Z + j] = _mm512_xor_si512(sigma(b0[j]),
                                            _mm512_or_si512(t[j], one));
            }
            /* the tables stream from memory: fetch a few gates ahead */
            UNROLL for (int j = 0; j < 2 * Z; j++)
                _mm_prefetch((const char *)(tables + 2 * L * PREFETCH_ANDS +
                                            4 * j),
                             _MM_HINT_T0);
            MMO(h, 2 * Z, k);
            UNROLL for (int j = 0; j < Z; j++) {
                __m512i tg = ld(tables + 4 * j), te = ld(tables + L + 4 * j);
                __m512i wg = _mm512_mask_xor_epi64(h[j], lsb_mask(a0[j]),
                                                   h[j], tg);
                __m512i we = _mm512_mask_xor_epi64(
                    h[Z + j], lsb_mask(b0[j]), h[Z + j],
                    _mm512_xor_si512(te, a0[j]));
                st(out + 4 * j, _mm512_xor_si512(wg, we));
                t[j] = _mm512_add_epi64(t[j], two);
            }
            tables += 2 * L;
            break;
        }
        }
    }
}

static const gc_kernel_t kernel = {"vaes512", garble, eval};

const gc_kernel_t *gc_kernel_vaes(void)
{
    return &kernel;
}

#else /* no VAES in this build */

const gc_kernel_t *gc_kernel_vaes(void)
{
    return NULL;
}

#endif
