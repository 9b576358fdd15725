/*
 * fuzz_mpc_circuit.c - libFuzzer target for the circuit text parser.  Any
 * input must either parse into a circuit that passes mpc_circuit_check, or
 * be rejected with VEIL_EFORMAT; nothing may crash, read out of bounds or
 * allocate more than a constant times the input.  An accepted circuit must
 * print back to text that parses into the same circuit, and small ones are
 * evaluated on all-zero inputs.
 *
 *   ./configure --enable-fuzz CC=clang && make fuzz/fuzz_mpc_circuit
 *   fuzz/fuzz_mpc_circuit -max_len=4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "veil/mpc_gc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpc_circuit_t c, back;
    veil_status st = mpc_circuit_parse(&c, (const char *)data, size);
    size_t len;
    char *text;
    if (st != VEIL_OK) {
        if (st != VEIL_EFORMAT || c.gates != NULL || c.out != NULL)
            abort();
        return 0;
    }
    if (mpc_circuit_check(&c) != VEIL_OK)
        abort();
    if (mpc_circuit_format(NULL, 0, &len, &c) != VEIL_ERANGE ||
        (text = malloc(len + 1)) == NULL)
        abort();
    if (mpc_circuit_format(text, len + 1, &len, &c) != VEIL_OK ||
        mpc_circuit_parse(&back, text, len) != VEIL_OK ||
        back.n_gates != c.n_gates || back.n_out != c.n_out ||
        (c.n_gates > 0 &&
         memcmp(back.gates, c.gates, c.n_gates * sizeof(mpc_gate_t)) != 0) ||
        (c.n_out > 0 && memcmp(back.out, c.out, c.n_out * sizeof(uint32_t))))
        abort();
    if (c.n_gin + c.n_ein <= 4096 && c.n_out <= 4096) {
        static uint8_t zeros[4096], out[4096];
        if (mpc_circuit_eval(out, &c, zeros, zeros) != VEIL_OK)
            abort();
    }
    free(text);
    mpc_circuit_clear(&back);
    mpc_circuit_clear(&c);
    return 0;
}
