/*
 * prg.c - the AES-CTR pseudo-random generator: block i of the stream of
 * seed s is AES_s(i), the counter block holding i in its low 64 bits.
 */
#include "veil/mpc_aes.h"
#include <string.h>

veil_status mpc_prg_init(mpc_prg_t *g, const mpc_block_t *seed)
{
    veil_status st;
    if (g == NULL || seed == NULL)
        return VEIL_EINVAL;
    st = mpc_aes_init(&g->key, seed);
    g->ctr = 0;
    g->pos = 16;
    g->buf.w[0] = g->buf.w[1] = 0;
    return st;
}

void mpc_prg_clear(mpc_prg_t *g)
{
    if (g != NULL)
        veil_memzero(g, sizeof(*g));
}

void mpc_prg_blocks(mpc_prg_t *g, mpc_block_t *out, size_t n)
{
    g->pos = 16;
    mpc_aes_ctr(out, &g->key, g->ctr, n);
    g->ctr += n;
}

void mpc_prg_bytes(mpc_prg_t *g, void *out, size_t len)
{
    uint8_t *p = out;
    mpc_block_t tmp[64];
    while (len > 0 && g->pos < 16) {
        *p++ = ((const uint8_t *)g->buf.w)[g->pos++];
        len--;
    }
    while (len >= 16) {
        size_t nb = len / 16 < 64 ? len / 16 : 64;
        mpc_aes_ctr(tmp, &g->key, g->ctr, nb);
        g->ctr += nb;
        memcpy(p, tmp, nb * 16);
        p += nb * 16;
        len -= nb * 16;
    }
    if (len > 0) {
        mpc_aes_ctr(&g->buf, &g->key, g->ctr++, 1);
        memcpy(p, g->buf.w, len);
        g->pos = (unsigned)len;
    }
    veil_memzero(tmp, sizeof(tmp));
}
