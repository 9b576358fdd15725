/*
 * Tests of the circuit text form: printing and parsing round-trip, the
 * grammar's tolerances (comments, blank lines, CRLF), and malformed,
 * truncated, hostile and randomly mutated inputs, which must all end in
 * VEIL_EFORMAT (or parse into a circuit that passes the check), never in a
 * crash or a huge allocation.
 */
#include "gc_helpers.h"
#include <criterion/criterion.h>

static veil_status parse_str(mpc_circuit_t *c, const char *s)
{
    return mpc_circuit_parse(c, s, strlen(s));
}

/* The text of c in a malloc'd buffer. */
static char *format(const mpc_circuit_t *c, size_t *len)
{
    char *buf;
    cr_assert_eq(mpc_circuit_format(NULL, 0, len, c), VEIL_ERANGE);
    buf = malloc(*len + 1);
    cr_assert_eq(mpc_circuit_format(buf, *len + 1, len, c), VEIL_OK);
    cr_assert_eq(strlen(buf), *len);
    return buf;
}

static int same_circuit(const mpc_circuit_t *a, const mpc_circuit_t *b)
{
    return a->n_gin == b->n_gin && a->n_ein == b->n_ein &&
           a->n_gates == b->n_gates && a->n_out == b->n_out &&
           a->n_and == b->n_and &&
           memcmp(a->gates, b->gates, a->n_gates * sizeof(mpc_gate_t)) == 0 &&
           memcmp(a->out, b->out, a->n_out * sizeof(uint32_t)) == 0;
}

Test(gc_text, round_trip_of_stock_and_random_circuits)
{
    veil_rng_t rng;
    mpc_circuit_t cs[3], back;
    vt_rng(&rng, "gc_text_rt");
    cr_assert_eq(mpc_circuit_relu(&cs[0], MPC_FIELD_P_DEFAULT), VEIL_OK);
    cr_assert_eq(mpc_circuit_add_mod(&cs[1], 97), VEIL_OK);
    gc_random_circuit(&cs[2], &rng, 5, 4, 300, 9);
    for (int i = 0; i < 3; i++) {
        size_t len, len2;
        char *t = format(&cs[i], &len), *t2;
        cr_assert_eq(mpc_circuit_parse(&back, t, len), VEIL_OK);
        cr_assert(same_circuit(&cs[i], &back));
        t2 = format(&back, &len2);
        cr_assert(len == len2 && memcmp(t, t2, len) == 0);
        free(t);
        free(t2);
        mpc_circuit_clear(&back);
        mpc_circuit_clear(&cs[i]);
    }
    veil_rng_clear(&rng);
}

Test(gc_text, comments_blank_lines_crlf_and_a_missing_final_newline)
{
    mpc_circuit_t c;
    uint8_t gin[1] = {1}, ein[1] = {1}, out[3];
    const char *text = "# half adder and a constant\r\n"
                       "\n"
                       "circuit 1 1 4 3   # header\r\n"
                       "2 XOR 0 1\n"
                       "  # a comment between gates\n"
                       "3\tAND 0\t1\n"
                       "4 CONST 1\n"
                       "5 NOT 4\n"
                       "output 2\n"
                       "output 3\n"
                       "\n"
                       "output 5";
    cr_assert_eq(parse_str(&c, text), VEIL_OK);
    cr_assert_eq(c.n_and, 1);
    cr_assert_eq(mpc_circuit_eval(out, &c, gin, ein), VEIL_OK);
    cr_assert(out[0] == 0 && out[1] == 1 && out[2] == 0);
    mpc_circuit_clear(&c);
    /* a gate may be the first wire */
    cr_assert_eq(parse_str(&c, "circuit 0 0 1 1\n0 CONST 1\noutput 0\n"),
                 VEIL_OK);
    cr_assert_eq(mpc_circuit_eval(out, &c, NULL, NULL), VEIL_OK);
    cr_assert_eq(out[0], 1);
    mpc_circuit_clear(&c);
}

Test(gc_text, malformed_inputs_are_rejected)
{
    static const char *const bad[] = {
        "",
        "\n\n# nothing\n",
        "circuit 1 1 1\n",                          /* short header */
        "circuit 1 1 1 1 1\n2 AND 0 1\noutput 2\n", /* long header */
        "circuit 1 1 1 1\n",                        /* truncated */
        "circuit 1 1 1 1\n2 AND 0 1\n",             /* no outputs */
        "circuit 1 1 1 1\n2 AND 0 2\noutput 2\n",   /* reads itself */
        "circuit 1 1 1 1\n2 AND 0 9\noutput 2\n",   /* forward wire */
        "circuit 1 1 1 1\n3 AND 0 1\noutput 3\n",   /* wrong wire id */
        "circuit 1 1 1 1\n2 OR 0 1\noutput 2\n",    /* unknown op */
        "circuit 1 1 1 1\n2 and 0 1\noutput 2\n",   /* lower case */
        "circuit 1 1 1 1\n2 AND 0\noutput 2\n",     /* missing operand */
        "circuit 1 1 1 1\n2 AND 0 1 1\noutput 2\n", /* extra operand */
        "circuit 1 1 1 1\n2 NOT 0 1\noutput 2\n",
        "circuit 1 1 1 1\n2 CONST 2\noutput 2\n",
        "circuit 1 1 1 1\n2 AND 0 1\noutput 3\n",           /* output range */
        "circuit 1 1 1 1\n2 AND 0 1\noutput 2\noutput 2\n", /* extra */
        "circuit 1 1 1 1\n2 AND 0 1\noutput 2\ngarbage\n",
        "circuit 1 1 1 1\n2 AND -0 1\noutput 2\n", /* sign */
        "circuit 1 1 1 1\n2 AND +0 1\noutput 2\n",
        "circuit 1 1 1 1\n2 AND 0x0 1\noutput 2\n", /* not decimal */
        "circuit 1 1 1 1\n2 AND 01 1x\noutput 2\n",
        "circuit 1 1 1 1\n2ANDx0 1\noutput 2\n",
        "circuit 1 1 1 1\n2 AND 0 1\routput 2\n", /* lone CR */
        "circuit 99999999999999999999 1 1 1\n",   /* overflow */
        "circuit 4294967295 4294967295 2 1\n",    /* wire count */
        "circuit 0 0 268435456 0\n",              /* above the maximum */
        "circuit 1 1 200000000 1\n2 AND 0 1\n",   /* more than fits */
        "circuit 1 1 1 100000000\n2 AND 0 1\noutput 2\n",
        "circuit 0 0 1 1\n0 NOT 0\noutput 0\n", /* no wire to read */
        "circuit 1 1 1 1\n2 AND 0 1\noutput\n",
        "circuit 1 1 1 1\n2 AND 0 1\noutput 2 2\n",
        "circuitt 1 1 1 1\n2 AND 0 1\noutput 2\n",
    };
    mpc_circuit_t c;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(parse_str(&c, bad[i]), VEIL_EFORMAT, "input %zu: '%s'", i,
                     bad[i]);
        cr_assert_eq(c.n_gates, 0);
        cr_assert_null(c.gates);
    }
    { /* a NUL byte inside the text */
        static const char nul[] = "circuit 1 1 1 1\n\0002 AND 0 1\noutput 2\n";
        cr_assert_eq(mpc_circuit_parse(&c, nul, sizeof(nul) - 1), VEIL_EFORMAT);
    }
    cr_assert_eq(mpc_circuit_parse(NULL, "x", 1), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_parse(&c, NULL, 3), VEIL_EINVAL);
    cr_assert_eq(mpc_circuit_parse(&c, NULL, 0), VEIL_EFORMAT);
}

Test(gc_text, every_truncation_and_random_mutations)
{
    veil_rng_t rng;
    mpc_circuit_t c, back;
    size_t len, last;
    char *t, *m;
    vt_rng(&rng, "gc_text_fuzz");
    gc_random_circuit(&c, &rng, 3, 3, 40, 4);
    t = format(&c, &len);
    m = malloc(len + 16);
    /* every prefix that drops a line is malformed (a prefix that only
     * shortens the last output's number may name another valid wire) */
    last = len - 1;
    while (last > 0 && t[last - 1] != '\n')
        last--;
    for (size_t k = 0; k < len; k++) {
        veil_status st = mpc_circuit_parse(&back, t, k);
        if (k < last)
            cr_assert_eq(st, VEIL_EFORMAT, "prefix of %zu bytes", k);
        else
            cr_assert(st == VEIL_OK || st == VEIL_EFORMAT);
        mpc_circuit_clear(&back);
    }
    cr_assert_eq(mpc_circuit_parse(&back, t, len - 1), VEIL_OK,
                 "only the final newline dropped");
    mpc_circuit_clear(&back);
    for (size_t it = 0; it < vt_iters(20000); it++) {
        size_t mlen = len, pos = veil_rng_u64(&rng) % len;
        static const char alphabet[] = "0123456789 \n\t#ANDXORCONSTu\r-9";
        char ch = alphabet[veil_rng_u64(&rng) % (sizeof(alphabet) - 1)];
        veil_status st;
        memcpy(m, t, len);
        switch (veil_rng_u64(&rng) % 4) {
        case 0: /* replace a byte */
            m[pos] = ch;
            break;
        case 1: /* a random byte anywhere */
            m[pos] = (char)veil_rng_u64(&rng);
            break;
        case 2: /* insert */
            memmove(m + pos + 1, m + pos, len - pos);
            m[pos] = ch;
            mlen++;
            break;
        default: /* delete */
            memmove(m + pos, m + pos + 1, len - pos - 1);
            mlen--;
            break;
        }
        st = mpc_circuit_parse(&back, m, mlen);
        cr_assert(st == VEIL_OK || st == VEIL_EFORMAT);
        if (st == VEIL_OK) {
            uint8_t in[8] = {0}, out[64];
            cr_assert_eq(mpc_circuit_check(&back), VEIL_OK);
            if (back.n_gin <= 8 && back.n_ein <= 8 && back.n_out <= 64)
                cr_assert_eq(mpc_circuit_eval(out, &back, in, in), VEIL_OK);
            mpc_circuit_clear(&back);
        } else {
            cr_assert_null(back.gates);
        }
    }
    free(t);
    free(m);
    mpc_circuit_clear(&c);
    veil_rng_clear(&rng);
}

Test(gc_text, format_checks_its_arguments)
{
    mpc_circuit_t c;
    size_t len;
    char buf[8];
    cr_assert_eq(mpc_circuit_compare(&c, 3), VEIL_OK);
    cr_assert_eq(mpc_circuit_format(buf, sizeof(buf), &len, &c), VEIL_ERANGE);
    cr_assert_gt(len, sizeof(buf));
    cr_assert_eq(buf[sizeof(buf) - 1], '\0', "truncated output is terminated");
    cr_assert_eq(mpc_circuit_format(buf, sizeof(buf), NULL, &c), VEIL_EINVAL);
    c.gates[0].a = 1000;
    cr_assert_eq(mpc_circuit_format(buf, sizeof(buf), &len, &c), VEIL_EFORMAT);
    mpc_circuit_clear(&c);
}
