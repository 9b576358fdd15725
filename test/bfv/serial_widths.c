/* Bit-packing of residues on the wire (bfv_serial.h: bitlen(q - 1) bits
 * per coefficient, not 64) at every prime width the library allows: primes
 * in [2^NTT_MIN_PRIME_BITS, 2^NTT_MAX_PRIME_BITS), i.e. 15 to 50 bits:
 *  - a ciphertext of random residues (and the extremes 0 and q - 1 in
 *    every row) serializes to exactly 48 + 4 + 2 L n w / 8 + 16 bytes and
 *    comes back word for word (the oracle: the words written);
 *  - every truncation, a trailing byte and flipped bits are refused with
 *    VEIL_EFORMAT. */
#include "../common/seed.h"
#include "veil/bfv.h"
#include "veil/bfv_serial.h"
#include "veil/ntt.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define SW_N 16

Test(serial_widths, every_prime_width, .timeout = 120)
{
    veil_rng_t rng;
    vt_rng(&rng, "serial_widths.every_prime_width");
    cr_assert_eq(veil_init(), VEIL_OK);
    /* primes lie in [2^NTT_MIN_PRIME_BITS, 2^NTT_MAX_PRIME_BITS) */
    for (unsigned w = NTT_MIN_PRIME_BITS + 1; w <= NTT_MAX_PRIME_BITS; w++) {
        const unsigned qb[2] = {w, w}, pb[1] = {w};
        bfv_params_t p;
        bfv_context_t ctx;
        bfv_ciphertext_t ct, back;
        uint8_t *buf, *bad;
        size_t len = 0, words, used = 0;
        veil_status s;

        /* t = 97 = 1 mod 2n; toy degree: insecure on purpose */
        s = bfv_params_from_bits(&p, SW_N, qb, 2, pb, 1, 97, BFV_SEC_128);
        cr_assert_eq(s, VEIL_OK, "width %u: %s", w, veil_strerror(s));
        p.allow_insecure = 1;
        {
            char why[256] = "";
            cr_assert_eq(bfv_params_check(&p, why, sizeof(why)), VEIL_OK,
                         "width %u: %s", w, why);
        }
        s = bfv_context_init(&ctx, &p);
        cr_assert_eq(s, VEIL_OK, "width %u: %s", w, veil_strerror(s));
        cr_assert_eq(bfv_ciphertext_init(&ct, &ctx), VEIL_OK);
        cr_assert_eq(bfv_ciphertext_init(&back, &ctx), VEIL_OK);
        ct.size = 2;
        ct.seeded = 0;
        words = ct.size * p.n_q * SW_N;
        for (size_t k = 0; k < ct.size; k++)
            for (size_t i = 0; i < p.n_q; i++) {
                uint64_t *row = ct.data + (k * p.n_q + i) * SW_N;
                cr_assert_eq(64 - __builtin_clzll(p.q[i] - 1), (int)w);
                veil_rng_uniform_mod(&rng, row, SW_N, p.q[i]);
                row[0] = 0;
                row[SW_N - 1] = p.q[i] - 1;
            }
        len = bfv_ciphertext_serial_size(&ct, BFV_SERIAL_FULL);
        cr_assert_eq(len,
                     BFV_SERIAL_HEADER_BYTES + 4 +
                         ct.size * p.n_q * SW_N / 8 * w +
                         BFV_SERIAL_CHECKSUM_BYTES,
                     "width %u: %zu bytes", w, len);
        buf = malloc(len + 1);
        bad = malloc(len + 1);
        cr_assert(buf != NULL && bad != NULL);
        cr_assert_eq(
            bfv_ciphertext_serialize(buf, len, &used, &ct, BFV_SERIAL_FULL),
            VEIL_OK);
        cr_assert_eq(used, len);
        cr_assert_eq(bfv_ciphertext_deserialize(&back, buf, len, NULL), VEIL_OK,
                     "width %u", w);
        cr_assert_eq(back.size, ct.size);
        cr_assert_eq(memcmp(back.data, ct.data, words * sizeof(uint64_t)), 0,
                     "width %u: residues differ", w);

        for (size_t cut = 0; cut < len; cut++)
            cr_assert_eq(bfv_ciphertext_deserialize(&back, buf, cut, NULL),
                         VEIL_EFORMAT, "width %u, cut at %zu", w, cut);
        memcpy(bad, buf, len);
        bad[len] = 0;
        cr_assert_eq(bfv_ciphertext_deserialize(&back, bad, len + 1, NULL),
                     VEIL_EFORMAT, "width %u: trailing byte", w);
        for (int r = 0; r < 16; r++) {
            const size_t at = (size_t)(veil_rng_u64(&rng) % len);
            memcpy(bad, buf, len);
            bad[at] ^= (uint8_t)(1u << (veil_rng_u64(&rng) % 8));
            cr_assert_eq(bfv_ciphertext_deserialize(&back, bad, len, NULL),
                         VEIL_EFORMAT, "width %u: bit flipped at %zu", w, at);
        }
        free(buf);
        free(bad);
        bfv_ciphertext_clear(&ct);
        bfv_ciphertext_clear(&back);
        bfv_context_clear(&ctx);
    }
    veil_rng_clear(&rng);
}
