/*
 * gc_text.c - the text form of a circuit (grammar in mpc_gc.h): a parser
 * that treats its input as hostile, and the printer.  The parser reads
 * through a cursor that never passes the end of the buffer, rejects any
 * number above the limits before using it, checks every wire reference
 * against the wires defined so far, and bounds its allocation by the input
 * length, so malformed input always ends in VEIL_EFORMAT.
 */
#include "veil/mpc_gc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *end;
} cursor_t;

static int at_end(const cursor_t *cu)
{
    return cu->p >= cu->end;
}

static void skip_blanks(cursor_t *cu)
{
    while (!at_end(cu) && (*cu->p == ' ' || *cu->p == '\t'))
        cu->p++;
}

/* The end of a line: blanks, an optional comment, an optional "\r", then
 * "\n" (consumed) or the end of the text.  0 if something else follows. */
static int end_of_line(cursor_t *cu)
{
    skip_blanks(cu);
    if (!at_end(cu) && *cu->p == '#')
        while (!at_end(cu) && *cu->p != '\n')
            cu->p++;
    if (!at_end(cu) && *cu->p == '\r')
        cu->p++;
    if (at_end(cu))
        return 1;
    if (*cu->p != '\n')
        return 0;
    cu->p++;
    return 1;
}

/* Skip blank and comment lines; 0 if the text ends first. */
static int next_content_line(cursor_t *cu)
{
    for (;;) {
        const char *line = cu->p;
        skip_blanks(cu);
        if (at_end(cu))
            return 0;
        if (*cu->p != '#' && *cu->p != '\r' && *cu->p != '\n') {
            cu->p = line;
            return 1;
        }
        if (!end_of_line(cu))
            return 0; /* "\r" followed by something else */
    }
}

/* A decimal number <= max after optional blanks; 0 if there is none or it
 * is too large. */
static int read_uint(cursor_t *cu, uint32_t *v, uint32_t max)
{
    uint64_t x = 0;
    int digits = 0;
    skip_blanks(cu);
    while (!at_end(cu) && *cu->p >= '0' && *cu->p <= '9') {
        x = 10 * x + (uint64_t)(*cu->p - '0');
        if (x > max)
            return 0;
        cu->p++;
        digits++;
    }
    if (digits == 0 || (!at_end(cu) && *cu->p != ' ' && *cu->p != '\t' &&
                        *cu->p != '\r' && *cu->p != '\n' && *cu->p != '#'))
        return 0;
    *v = (uint32_t)x;
    return 1;
}

/* The keyword `kw` after optional blanks, followed by a blank. */
static int read_keyword(cursor_t *cu, const char *kw)
{
    size_t n = strlen(kw);
    skip_blanks(cu);
    if ((size_t)(cu->end - cu->p) <= n || memcmp(cu->p, kw, n) != 0 ||
        (cu->p[n] != ' ' && cu->p[n] != '\t'))
        return 0;
    cu->p += n;
    return 1;
}

/* One gate line defining wire w. */
static int parse_gate(cursor_t *cu, mpc_gate_t *g, uint32_t w)
{
    uint32_t id, bit;
    if (!next_content_line(cu) || !read_uint(cu, &id, UINT32_MAX) || id != w)
        return 0;
    g->a = g->b = 0;
    /* operands are wires below w (none exist when w == 0) */
    if (read_keyword(cu, "XOR") || read_keyword(cu, "AND")) {
        g->op = cu->p[-1] == 'R' ? MPC_GATE_XOR : MPC_GATE_AND;
        if (w == 0 || !read_uint(cu, &g->a, w - 1) ||
            !read_uint(cu, &g->b, w - 1))
            return 0;
    } else if (read_keyword(cu, "NOT")) {
        g->op = MPC_GATE_NOT;
        if (w == 0 || !read_uint(cu, &g->a, w - 1))
            return 0;
    } else if (read_keyword(cu, "CONST")) {
        if (!read_uint(cu, &bit, 1))
            return 0;
        g->op = bit ? MPC_GATE_CONST1 : MPC_GATE_CONST0;
    } else {
        return 0;
    }
    return end_of_line(cu);
}

veil_status mpc_circuit_parse(mpc_circuit_t *c, const char *text, size_t len)
{
    cursor_t cu;
    uint32_t n_gin, n_ein, n_gates, n_out, n_in;
    const uint32_t max = MPC_CIRCUIT_MAX_WIRES;
    if (c == NULL || (text == NULL && len > 0))
        return VEIL_EINVAL;
    mpc_circuit_init(c);
    cu.p = text;
    cu.end = text + len;
    if (!next_content_line(&cu) || !read_keyword(&cu, "circuit") ||
        !read_uint(&cu, &n_gin, max) || !read_uint(&cu, &n_ein, max) ||
        !read_uint(&cu, &n_gates, max) || !read_uint(&cu, &n_out, max) ||
        !end_of_line(&cu))
        return VEIL_EFORMAT;
    /* a gate line takes >= 8 bytes ("9 NOT 1\n"), an output line >= 9:
     * a header promising more than the text can hold is rejected before
     * anything is allocated */
    if ((uint64_t)n_gin + n_ein + n_gates > max ||
        8 * (uint64_t)n_gates + 9 * (uint64_t)n_out > len)
        return VEIL_EFORMAT;
    n_in = n_gin + n_ein;
    c->gates = malloc((size_t)n_gates * sizeof(mpc_gate_t) + 1);
    c->out = malloc((size_t)n_out * sizeof(uint32_t) + 1);
    if (c->gates == NULL || c->out == NULL) {
        mpc_circuit_clear(c);
        return VEIL_ENOMEM;
    }
    c->n_gin = n_gin;
    c->n_ein = n_ein;
    for (uint32_t k = 0; k < n_gates; k++) {
        if (!parse_gate(&cu, &c->gates[k], n_in + k))
            goto bad;
        c->n_gates++;
        c->n_and += c->gates[k].op == MPC_GATE_AND;
    }
    for (uint32_t k = 0; k < n_out; k++) {
        if (!next_content_line(&cu) || !read_keyword(&cu, "output") ||
            !read_uint(&cu, &c->out[k], max) ||
            c->out[k] >= mpc_circuit_wires(c) || !end_of_line(&cu))
            goto bad;
        c->n_out++;
    }
    if (next_content_line(&cu))
        goto bad; /* trailing content */
    return VEIL_OK;
bad:
    mpc_circuit_clear(c);
    return VEIL_EFORMAT;
}

/* vsnprintf into buf + *pos, counting the length even past cap. */
static void put(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
{
    size_t room = *pos < cap ? cap - *pos : 0;
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(room ? buf + *pos : NULL, room, fmt, ap);
    va_end(ap);
    *pos += k > 0 ? (size_t)k : 0;
}

veil_status mpc_circuit_format(char *buf, size_t cap, size_t *len,
                               const mpc_circuit_t *c)
{
    size_t pos = 0;
    veil_status st;
    if (c == NULL || len == NULL || (buf == NULL && cap > 0))
        return VEIL_EINVAL;
    if ((st = mpc_circuit_check(c)) != VEIL_OK)
        return st;
    put(buf, cap, &pos, "circuit %u %u %u %u\n", c->n_gin, c->n_ein, c->n_gates,
        c->n_out);
    for (uint32_t k = 0; k < c->n_gates; k++) {
        const mpc_gate_t *g = &c->gates[k];
        uint32_t w = c->n_gin + c->n_ein + k;
        switch (g->op) {
        case MPC_GATE_XOR:
            put(buf, cap, &pos, "%u XOR %u %u\n", w, g->a, g->b);
            break;
        case MPC_GATE_AND:
            put(buf, cap, &pos, "%u AND %u %u\n", w, g->a, g->b);
            break;
        case MPC_GATE_NOT:
            put(buf, cap, &pos, "%u NOT %u\n", w, g->a);
            break;
        default:
            put(buf, cap, &pos, "%u CONST %d\n", w, g->op == MPC_GATE_CONST1);
            break;
        }
    }
    for (uint32_t k = 0; k < c->n_out; k++)
        put(buf, cap, &pos, "output %u\n", c->out[k]);
    *len = pos;
    return pos < cap ? VEIL_OK : VEIL_ERANGE;
}
