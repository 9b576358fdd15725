/* ntt_example.c - see ntt_example.h.  Deliberately naive: every step is
 * the textbook formula with % q, so that it is an independent check. */
#include "ntt_example.h"

#define Q EX_Q
#define N EX_N

static uint64_t md(int64_t x)
{
    return (uint64_t)(((x % Q) + Q) % Q);
}

static uint64_t pw(uint64_t x, unsigned e)
{
    uint64_t r = 1;
    while (e--)
        r = r * x % Q;
    return r;
}

static unsigned brv3(unsigned k)
{
    return ((k & 1) << 2) | (k & 2) | ((k >> 2) & 1);
}

/* One line: a label padded to a fixed width, then the vector. */
static void vec(FILE *out, const char *label, const uint64_t *x)
{
    if (out == NULL)
        return;
    fprintf(out, "  %-36s(", label);
    for (int i = 0; i < N; i++)
        fprintf(out, i ? " %2u" : "%2u", (unsigned)x[i]);
    fprintf(out, ")\n");
}

/* Forward Cooley-Tukey with twiddles w[k] = psi^brv(k). */
static void forward(FILE *out, const char *name, const uint64_t *in,
                    uint64_t *x, const uint64_t *w)
{
    for (int i = 0; i < N; i++)
        x[i] = in[i];
    if (out)
        fprintf(out, "\nforward NTT of %s:\n", name);
    vec(out, "input", x);
    for (int m = 1, len = N / 2; m < N; m <<= 1, len >>= 1) {
        char label[64];
        size_t at;
        for (int i = 0; i < m; i++) {
            for (int j = 2 * i * len; j < 2 * i * len + len; j++) {
                uint64_t u = x[j], v = x[j + len] * w[m + i] % Q;
                x[j] = (u + v) % Q;
                x[j + len] = md((int64_t)u - (int64_t)v);
            }
        }
        at = (size_t)snprintf(label, sizeof(label), "distance %d, W =", len);
        for (int i = 0; i < m; i++)
            at += (size_t)snprintf(label + at, sizeof(label) - at, " %u",
                                   (unsigned)w[m + i]);
        vec(out, label, x);
    }
}

void ex_trace(FILE *out, ex_values_t *v)
{
    static const uint64_t a[N] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint64_t b[N] = {3, 0, 0, 0, 0, 0, 0, 1};
    uint64_t psi = 0, w[N], iw[N], ninv = 0, psi_inv = 0, x[N];

    /* psi: the smallest x with x^8 = -1, i.e. of order exactly 16 */
    for (uint64_t c = 2; c < Q && psi == 0; c++)
        if (pw(c, N) == Q - 1)
            psi = c;
    for (uint64_t c = 1; c < Q; c++) {
        if (c * psi % Q == 1)
            psi_inv = c;
        if (c * N % Q == 1)
            ninv = c;
    }
    for (unsigned k = 0; k < N; k++) {
        w[k] = pw(psi, brv3(k));
        iw[k] = pw(psi_inv, brv3(k));
    }
    for (int i = 0; i < N; i++)
        v->a[i] = a[i], v->b[i] = b[i];
    v->psi = psi;

    if (out) {
        fprintf(out, "q = %d, n = %d, 2n = %d divides q - 1 = %d\n", Q, N,
                2 * N, Q - 1);
        fprintf(out, "psi = %u: the smallest x with x^8 = -1 = %d (mod %d)\n",
                (unsigned)psi, Q - 1, Q);
        fprintf(out, "psi^j, j = 0..15:");
        for (unsigned j = 0; j < 2 * N; j++)
            fprintf(out, " %u", (unsigned)pw(psi, j));
        fprintf(out, "\npsi^-1 = %u, n^-1 = %u\n\n", (unsigned)psi_inv,
                (unsigned)ninv);
        fprintf(out, "k          1  2  3  4  5  6  7\n");
        fprintf(out, "brv(k)  ");
        for (unsigned k = 1; k < N; k++)
            fprintf(out, " %2u", brv3(k));
        fprintf(out, "\nw[k]    ");
        for (unsigned k = 1; k < N; k++)
            fprintf(out, " %2u", (unsigned)w[k]);
        fprintf(out, "     w[k] = psi^brv(k)\niw[k]   ");
        for (unsigned k = 1; k < N; k++)
            fprintf(out, " %2u", (unsigned)iw[k]);
        fprintf(out, "     iw[k] = psi^-brv(k)\n");
    }

    forward(out, "a", a, v->fa, w);
    if (out) {
        fprintf(out, "  check: A[k] = a(psi^e), e = 2 brv(k) + 1 =");
        for (unsigned k = 0; k < N; k++)
            fprintf(out, " %u", 2 * brv3(k) + 1);
        fprintf(out, "\n");
    }
    forward(out, "b", b, v->fb, w);

    for (int i = 0; i < N; i++)
        v->prod[i] = v->fa[i] * v->fb[i] % Q;
    if (out)
        fprintf(out, "\npointwise product\n");
    vec(out, "A B", v->prod);

    /* inverse Gentleman-Sande, n^-1 folded into the last stage */
    for (int i = 0; i < N; i++)
        x[i] = v->prod[i];
    if (out)
        fprintf(out, "\ninverse NTT:\n");
    for (int h = N / 2, len = 1; h >= 1; h >>= 1, len <<= 1) {
        char label[64];
        size_t at;
        for (int i = 0; i < h; i++) {
            uint64_t s = iw[h + i], sx = 1;
            if (h == 1)
                sx = ninv, s = s * ninv % Q;
            for (int j = 2 * i * len; j < 2 * i * len + len; j++) {
                uint64_t u = x[j], t = x[j + len];
                x[j] = (u + t) * sx % Q;
                x[j + len] = md((int64_t)u - (int64_t)t) * s % Q;
            }
        }
        if (h > 1) {
            at =
                (size_t)snprintf(label, sizeof(label), "distance %d, W =", len);
            for (int i = 0; i < h; i++)
                at += (size_t)snprintf(label + at, sizeof(label) - at, " %u",
                                       (unsigned)iw[h + i]);
        } else {
            snprintf(label, sizeof(label), "distance 4, n^-1 = %u, W n^-1 = %u",
                     (unsigned)ninv, (unsigned)(iw[1] * ninv % Q));
        }
        vec(out, label, x);
    }
    for (int i = 0; i < N; i++)
        v->c[i] = x[i];

    /* schoolbook: X^8 = -1 */
    for (int k = 0; k < N; k++) {
        int64_t s = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int64_t p = (int64_t)(a[i] * b[j]);
                if (i + j == k)
                    s += p;
                else if (i + j == k + N)
                    s -= p;
            }
        v->school[k] = md(s);
    }
    if (out)
        fprintf(out, "\nschoolbook a b mod (X^8 + 1, 17)\n");
    vec(out, "", v->school);
}
