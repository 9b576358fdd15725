/* print_example - print the worked example of doc/01-arithmetic.md (the
 * text between its "example" markers):  test/ntt/print-example */
#include "ntt_example.h"

int main(void)
{
    ex_values_t v;
    ex_trace(stdout, &v);
    return 0;
}
