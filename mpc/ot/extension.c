/*
 * ot_ext.c - random and chosen-message OT on top of IKNP correlated OT.
 *
 * Random OT hashes the correlation away: with q_j and t_j = q_j ^ c_j Delta
 * from a correlated OT, the sender takes m0_j = H(q_j, i), m1_j =
 * H(q_j ^ Delta, i) and the receiver m_{c_j} = H(t_j, i), H the tweakable
 * fixed-key hash mpc_hash_tccr and i a tweak never reused in the session
 * (IKNP section 3; the hash per Guo, Katz, Wang, Yu 2020).  The receiver
 * misses H(t_j ^ Delta, i), which looks random while Delta is secret.
 *
 * Chosen-message OT masks the sender's inputs with the random-OT keys:
 * y_b = x_b ^ m_b, and the receiver unmasks y_{c_j}.  It runs in batches so
 * that neither party holds more than OT_BATCH OTs of state, and so that
 * the u-matrices of a batch (receiver to sender) and its y's (back) never
 * wait on each other.
 */
#include "../internal.h"
#include <string.h>

#define OT_BATCH 32768

veil_status mpc_ot_send_rot(mpc_ot_sender_t *s, mpc_chan_t *ch, mpc_block_t *m0,
                            mpc_block_t *m1, size_t n)
{
    veil_status st;
    if (m1 == NULL)
        return VEIL_EINVAL;
    if ((st = mpc_ot_send_cot(s, ch, m0, n)) != VEIL_OK)
        return st;
    for (size_t j = 0; j < n; j++)
        m1[j] = mpc_block_xor(m0[j], s->delta);
    mpc_hash_tccr(m0, &s->pi, m0, s->tweak, n);
    mpc_hash_tccr(m1, &s->pi, m1, s->tweak, n);
    s->tweak += n;
    return VEIL_OK;
}

veil_status mpc_ot_recv_rot(mpc_ot_receiver_t *r, mpc_chan_t *ch,
                            mpc_block_t *m, const uint8_t *choices, size_t n)
{
    veil_status st;
    if ((st = mpc_ot_recv_cot(r, ch, m, choices, n)) != VEIL_OK)
        return st;
    mpc_hash_tccr(m, &r->pi, m, r->tweak, n);
    r->tweak += n;
    return VEIL_OK;
}

veil_status mpc_ot_send(mpc_ot_sender_t *s, mpc_chan_t *ch,
                        const mpc_block_t *x0, const mpc_block_t *x1, size_t n)
{
    mpc_block_t *k, *y;
    const size_t cap = n < OT_BATCH ? n : OT_BATCH;
    veil_status st = VEIL_OK;
    if (s == NULL || ch == NULL || x0 == NULL || x1 == NULL || n == 0)
        return VEIL_EINVAL;
    k = veil_alloc(2 * cap * sizeof(mpc_block_t));
    y = veil_alloc(2 * cap * sizeof(mpc_block_t));
    if (k == NULL || y == NULL)
        st = VEIL_ENOMEM;
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += OT_BATCH) {
        size_t m = n - j0 < OT_BATCH ? n - j0 : OT_BATCH;
        if ((st = mpc_ot_send_rot(s, ch, k, k + m, m)) != VEIL_OK)
            break;
        for (size_t j = 0; j < m; j++) {
            y[2 * j] = mpc_block_xor(x0[j0 + j], k[j]);
            y[2 * j + 1] = mpc_block_xor(x1[j0 + j], k[m + j]);
        }
        if ((st = mpc_chan_send(ch, y, 2 * m * sizeof(mpc_block_t))) == VEIL_OK)
            st = mpc_chan_flush(ch);
    }
    veil_free_secret(k, 2 * cap * sizeof(mpc_block_t));
    veil_free(y);
    return st;
}

veil_status mpc_ot_recv(mpc_ot_receiver_t *r, mpc_chan_t *ch, mpc_block_t *x,
                        const uint8_t *choices, size_t n)
{
    mpc_block_t *y;
    const size_t cap = n < OT_BATCH ? n : OT_BATCH;
    veil_status st = VEIL_OK;
    if (r == NULL || ch == NULL || x == NULL || choices == NULL || n == 0)
        return VEIL_EINVAL;
    if ((y = veil_alloc(2 * cap * sizeof(mpc_block_t))) == NULL)
        return VEIL_ENOMEM;
    for (size_t j0 = 0; j0 < n && st == VEIL_OK; j0 += OT_BATCH) {
        size_t m = n - j0 < OT_BATCH ? n - j0 : OT_BATCH;
        const uint8_t *c = choices + j0 / 8;
        if ((st = mpc_ot_recv_rot(r, ch, x + j0, c, m)) != VEIL_OK ||
            (st = mpc_chan_recv(ch, y, 2 * m * sizeof(mpc_block_t))) != VEIL_OK)
            break;
        for (size_t j = 0; j < m; j++) {
            size_t b = (c[j / 8] >> (j % 8)) & 1;
            x[j0 + j] = mpc_block_xor(x[j0 + j], y[2 * j + b]);
        }
    }
    veil_free(y);
    return st;
}
