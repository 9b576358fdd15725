/*
 * lola_wire.h - what crosses the network in an encrypted LoLa evaluation
 * (apps/mnist_lola --serve / --connect): the evaluation keys the client
 * uploads once, and the messages (sets of ciphertexts) of each query and
 * answer.  The plan itself travels with lola_spec_serialize (lola.h).
 *
 * Both formats are a 16-byte header followed by bfv_serial objects
 * (bfv_serial.h, each self-delimiting and tied to its parameter set by a
 * hash):
 *
 *   offset  size  field
 *   0       4     magic: "VLEK" (keys), "VLMS" (message) or "VLAN" (answer)
 *   4       2     version: keys LOLA_WIRE_KEYS_VERSION (4: one key set
 *                 for all components, and the ring-switching key), messages
 *                 and answers LOLA_WIRE_VERSION (2)
 *   6       2     flags: keys LOLA_WIRE_KEYS_SHARED (1), the only value
 *                 accepted; messages 0; answers 0, or 1 (ring-switched,
 *                 accepted only when the receiver's setup has su->ringsw)
 *   8       4     ncomp: plaintext CRT components
 *   12      4     nct: ciphertexts per component (messages); 0 for keys
 *   16      ...   keys: ONE relinearization key, Galois key set and public
 *                 key, in component 0's context, that serve every
 *                 component (lola_evalkeys_share: the keys depend on n, Q
 *                 and P, never on the plaintext prime), then, exactly when
 *                 the setup ring-switches its answers (su->ringsw), the
 *                 ring-switching key (bfv_ringsw_key_serialize); message: ncomp
 * * nct ciphertexts, component-major; answer: ncomp * nct modulus-switched
 * ciphertexts (bfv_ms_ciphertext_serialize), component-major
 *
 * Keys once.  Version 2 sent the same keys once per component (k times the
 * bytes for k plaintext primes: 149.0 MB instead of 49.7 MB for MNIST
 * "lola", 1240 MB for CIFAR-10).  Version 3 sends them once; the receiver
 * parses them against its own component 0, checks from its own setup that
 * all components share n, Q and P, and makes components 1..k-1 views of
 * them (lola_evalkeys_share).  Version 2 keys are refused.  Version 4
 * adds the ring-switching key (answers at dimension n/2, doc/11-lola.md
 * section 7.1); versions 2 and 3 are refused.
 *
 * All integers little-endian.  The parsers check every field against the
 * receiver's own setup (component count, message count, parameter hashes,
 * that the Galois keys are exactly the ones the plan uses) and return
 * VEIL_EFORMAT on any mismatch, truncation or trailing bytes.
 */
#ifndef VEIL_LOLA_WIRE_H
#define VEIL_LOLA_WIRE_H

#include "veil/lola.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LOLA_WIRE_VERSION 2      /* messages ("VLMS"), answers ("VLAN") */
#define LOLA_WIRE_KEYS_VERSION 4 /* evaluation keys ("VLEK"), keys once  */
#define LOLA_WIRE_KEYS_SHARED 1  /* keys flag: one set for all components */
#define LOLA_WIRE_HEADER_BYTES 16

/* Exact size of the evaluation keys of setup su as lola_evalkeys_serialize
 * writes them (and the only size lola_evalkeys_parse accepts), computed
 * from the plan alone: a receiver's memory cap.  One key set whatever the
 * component count.  0 if su is NULL or its components do not share n, Q
 * and P (never for a setup from lola_setup_init). */
VEIL_EXPORT size_t lola_evalkeys_bytes(const lola_setup_t *su);

/* Largest size of a message of nct ciphertexts per component of setup su
 * (every ciphertext of size 3, unseeded): a receiver's memory cap.  0 for
 * NULL or nct == 0. */
VEIL_EXPORT size_t lola_msg_max_bytes(const lola_setup_t *su, size_t nct);

/* Evaluation keys as bytes, one key set for all components: *buf from
 * malloc (free with free()).  ek must be one set (ek->shared, as
 * lola_client_init makes them, or a single component).  VEIL_EINVAL (NULL,
 * or several components not shared), VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_evalkeys_serialize(
    uint8_t **buf, size_t *len, const lola_evalkeys_t *ek) VEIL_WUR;

/* Parse keys for setup su into *ek (initialised here; cleared on failure):
 * the one key set is read in su->ctx[0] and shared by every component
 * (ek->shared set when su->ncomp > 1).  VEIL_EFORMAT for any malformed or
 * inconsistent input: truncated, trailing bytes, wrong magic, version
 * (a version 2 per-component set included), flags or component count,
 * parameter hash, Galois elements other than exactly su->galois, or a
 * setup whose components do not share n, Q and P.  VEIL_EINVAL (NULL),
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_evalkeys_parse(lola_evalkeys_t *ek,
                                            const lola_setup_t *su,
                                            const uint8_t *buf,
                                            size_t len) VEIL_WUR;

/* Exact size of lola_msg_serialize(.., m, full)'s output, computed without
 * writing it; 0 if m is not a message lola_msg_serialize takes. */
VEIL_EXPORT size_t lola_msg_bytes(const lola_msg_t *m, int full);

/* A message as bytes; seeded ciphertexts are sent as their seed unless
 * full != 0.  *buf from malloc.  VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_msg_serialize(uint8_t **buf, size_t *len,
                                           const lola_msg_t *m,
                                           int full) VEIL_WUR;

/* The same bytes written to out[0..cap) (*len = lola_msg_bytes(m, full)),
 * for a caller that frames them with bytes of its own.  VEIL_EINVAL,
 * VEIL_ERANGE (cap too small). */
VEIL_EXPORT veil_status lola_msg_write(uint8_t *out, size_t cap, size_t *len,
                                       const lola_msg_t *m, int full) VEIL_WUR;

/* Parse a message of exactly nct ciphertexts per component for setup su
 * into *m (initialised here; cleared on failure).  Ciphertexts of size 3
 * are accepted (a server answer may be unrelinearized).  VEIL_EFORMAT,
 * VEIL_EINVAL, VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_msg_parse(lola_msg_t *m, const lola_setup_t *su,
                                       size_t nct, const uint8_t *buf,
                                       size_t len) VEIL_WUR;

/* An answer (lola_server_answer) as bytes: header "VLAN", then ncomp * nct
 * modulus-switched ciphertexts.  The parser checks the envelope against
 * su (component count, nct = su->output->nct) and each ciphertext as
 * bfv_ms_ciphertext_deserialize does (limbs between 1 and the context's);
 * *a is initialised here, cleared on failure.  VEIL_EFORMAT, VEIL_EINVAL,
 * VEIL_ENOMEM. */
VEIL_EXPORT veil_status lola_answer_serialize(uint8_t **buf, size_t *len,
                                              const lola_answer_t *a) VEIL_WUR;
VEIL_EXPORT veil_status lola_answer_parse(lola_answer_t *a,
                                          const lola_setup_t *su,
                                          const uint8_t *buf,
                                          size_t len) VEIL_WUR;

#ifdef __cplusplus
}
#endif
#endif /* VEIL_LOLA_WIRE_H */
