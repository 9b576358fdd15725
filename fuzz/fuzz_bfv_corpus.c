/*
 * fuzz_bfv_corpus.c - writes the seed corpus of the bfv deserializer fuzz
 * targets: valid objects of the fuzzing context (bfv_fuzz_env.h), one
 * directory per target, so that mutations start from inputs that pass the
 * header, hash and checksum checks.
 *
 *   fuzz/fuzz_bfv_corpus DIR    writes DIR/<target>/seed-<i>
 */
#include "bfv_fuzz_env.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Write buf[0..len) to dir/name/seed-idx, creating the directories. */
static int put(const char *dir, const char *name, int idx, const uint8_t *buf,
               size_t len)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof(path), "%s/%s/seed-%d", dir, name, idx);
    f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    if (fwrite(buf, 1, len, f) != len) {
        fclose(f);
        return -1;
    }
    printf("%s: %zu bytes\n", path, len);
    return fclose(f) == 0 ? 0 : -1;
}

/* Serialize with `call` into a buffer of `size` bytes and write it. */
#define SEED(name, idx, size, call)                                            \
    do {                                                                       \
        size_t cap_ = (size), len;                                             \
        uint8_t *out = malloc(cap_);                                           \
        if (out == NULL || (call) != VEIL_OK ||                                \
            put(dir, name, idx, out, len) != 0) {                              \
            fprintf(stderr, "fuzz_bfv_corpus: cannot write %s\n", name);       \
            free(out);                                                         \
            return 1;                                                          \
        }                                                                      \
        free(out);                                                             \
    } while (0)

int main(int argc, char **argv)
{
    const fz_env_t *e;
    const char *dir;
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    e = fz_env();
    SEED("params", 0, bfv_params_serial_size(&e->params),
         bfv_params_serialize(out, cap_, &len, &e->params));
    SEED("crt_params", 0, bfv_crt_params_serial_size(&e->crt_params),
         bfv_crt_params_serialize(out, cap_, &len, &e->crt_params));
    SEED("secret_key", 0, bfv_secret_key_serial_size(&e->sk),
         bfv_secret_key_serialize(out, cap_, &len, &e->sk));
    SEED("public_key", 0, bfv_public_key_serial_size(&e->pk),
         bfv_public_key_serialize(out, cap_, &len, &e->pk));
    SEED("relin_key", 0, bfv_relin_key_serial_size(&e->rk),
         bfv_relin_key_serialize(out, cap_, &len, &e->rk));
    SEED("galois_keys", 0, bfv_galois_keys_serial_size(&e->gk),
         bfv_galois_keys_serialize(out, cap_, &len, &e->gk));
    SEED("plaintext", 0, bfv_plaintext_serial_size(&e->pt),
         bfv_plaintext_serialize(out, cap_, &len, &e->pt));
    SEED("ciphertext", 0, bfv_ciphertext_serial_size(&e->ct_full, 0),
         bfv_ciphertext_serialize(out, cap_, &len, &e->ct_full, 0));
    SEED("ciphertext", 1, bfv_ciphertext_serial_size(&e->ct_seeded, 0),
         bfv_ciphertext_serialize(out, cap_, &len, &e->ct_seeded, 0));
    SEED("ciphertext", 2, bfv_ciphertext_serial_size(&e->ct_three, 0),
         bfv_ciphertext_serialize(out, cap_, &len, &e->ct_three, 0));
    SEED("crt_ciphertext", 0, bfv_crt_ciphertext_serial_size(&e->crt_ct, 0),
         bfv_crt_ciphertext_serialize(out, cap_, &len, &e->crt_ct, 0));
    SEED("ms_ciphertext", 0, bfv_ms_ciphertext_serial_size(&e->ms_rns),
         bfv_ms_ciphertext_serialize(out, cap_, &len, &e->ms_rns));
    SEED("ms_ciphertext", 1, bfv_ms_ciphertext_serial_size(&e->ms_pow2),
         bfv_ms_ciphertext_serialize(out, cap_, &len, &e->ms_pow2));
    SEED("ringsw_key", 0, bfv_ringsw_key_serial_size(&e->rsw),
         bfv_ringsw_key_serialize(out, cap_, &len, &e->rsw));
    return 0;
}
