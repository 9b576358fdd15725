/*
 * mpc/triples_bfv_internal.h - the server's BFV triple reply before it is
 * switched (mpc/triples_bfv.c), for the tests.  Not installed.
 */
#ifndef VEIL_MPC_TRIPLES_BFV_INTERNAL_H
#define VEIL_MPC_TRIPLES_BFV_INTERNAL_H

#include "veil/mpc_bfv.h"

/* ca = Enc(a1) b2 + Enc(b1) a2 + (a2 b2 - c2) + Enc_pk(0) + F at the full
 * modulus, the flood F as mpc_bfv.h describes, from ca = Enc(a1) and
 * cb = Enc(b1) (cb is overwritten); a, b, c: the server's cnt <= n shares
 * a2, b2, c2.  mpc_triples_bfv_server sends it switched to fewer primes;
 * separate so that the tests can measure the flood at the full modulus.
 * VEIL_EINVAL, VEIL_EPARAM, VEIL_ENOMEM. */
veil_status mpc_triples_bfv_reply(bfv_ciphertext_t *ca, bfv_ciphertext_t *cb,
                                  const mpc_field_t *f,
                                  const bfv_public_key_t *pk, const uint64_t *a,
                                  const uint64_t *b, const uint64_t *c,
                                  size_t cnt, veil_rng_t *rng) VEIL_WUR;

#endif
