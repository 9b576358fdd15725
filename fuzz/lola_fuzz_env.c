/* lola_fuzz_env.c - see lola_fuzz_env.h. */
#include "lola_fuzz_env.h"
#include <string.h>

static lz_env_t env;
static int ready;

static void must(veil_status st)
{
    if (st != VEIL_OK)
        abort();
}

static void build(void)
{
    const nn_shape_t in = {1, 8, 8};
    uint8_t seed[VEIL_SEED_BYTES] = {'l', 'o', 'l', 'a', 'f', 'u', 'z', 'z'};
    nn_model_t m;
    nn_qmodel_t q;
    lola_options_t o;
    lola_msg_t msg;
    veil_rng_t rng;
    int64_t x[64];

    must(veil_init());
    veil_rng_init_seed(&rng, seed);
    must(nn_model_init(&m, in));
    must(nn_model_add_conv2d(&m, 2, 3, 2, 1));
    must(nn_model_add_square(&m));
    must(nn_model_add_dense(&m, 10));
    nn_model_init_params(&m, &rng, 1.0f);
    must(nn_model_set_qbits(&m, 6, 4));
    must(nn_qmodel_init(&q, &m));
    nn_model_clear(&m);

    lola_options_default(&o);
    o.allow_insecure = 1;
    o.n = 512;
    o.primes = 2; /* two components: the keys travel once for both */
    must(lola_plan(&env.spec, NULL, &q, &o));
    must(lola_setup_init(&env.setup, &env.spec));
    must(lola_client_init(&env.client, &env.setup, &rng));
    must(lola_evalkeys_serialize(&env.keys, &env.keys_len, &env.client.ek));
    for (size_t i = 0; i < 64; i++)
        x[i] = (int64_t)(veil_rng_u64(&rng) % 16);
    must(lola_client_encrypt_values(&msg, &env.client, x, 1, &rng));
    must(lola_msg_serialize(&env.msg, &env.msg_len, &msg, 0));
    lola_msg_clear(&msg);
    nn_qmodel_clear(&q);
    veil_rng_clear(&rng);
}

const lz_env_t *lz_env(void)
{
    if (!ready) {
        build();
        ready = 1;
    }
    return &env;
}

int lz_input(uint8_t **buf, size_t *len, const uint8_t *data, size_t size,
             const uint8_t *valid, size_t valid_len)
{
    uint8_t *b;
    size_t off;

    if (size < 1)
        return 0;
    if ((data[0] & 1) == 0) {
        /* the input itself (malloc(0) may return NULL: keep one byte) */
        if ((b = malloc(size)) == NULL)
            abort();
        memcpy(b, data + 1, size - 1);
        *buf = b;
        *len = size - 1;
        return 1;
    }
    if (size < 5)
        return 0;
    off = ((size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 |
           (size_t)data[4] << 24) %
          valid_len;
    if ((b = malloc(valid_len)) == NULL)
        abort();
    memcpy(b, valid, valid_len);
    for (size_t i = 5; i < size; i++)
        b[(off + i - 5) % valid_len] ^= data[i];
    *buf = b;
    *len = valid_len;
    return 1;
}

void lz_same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen || memcmp(a, b, alen) != 0)
        abort();
}
