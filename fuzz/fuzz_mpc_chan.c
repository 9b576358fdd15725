/*
 * fuzz_mpc_chan.c - libFuzzer target for the channel's frame parser: the
 * input is the byte stream a hostile peer sends.  Every frame must either
 * be accepted whole or rejected with a status; nothing may crash, read out
 * of bounds or hang (the peer's end is closed after the input, so an
 * incomplete frame ends in VEIL_EFORMAT).  The first input byte picks the
 * receive call: any length up to a cap, or an exact length.
 *
 *   ./configure --enable-fuzz CC=clang && make fuzz/fuzz_mpc_chan
 *   fuzz/fuzz_mpc_chan -max_len=65536
 */
#include "veil/mpc.h"
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpc_chan_t a, b;
    uint8_t buf[4096];
    size_t len, mode;
    veil_status st = VEIL_OK;
    if (size < 1 || size > 65536 || mpc_chan_pair(&a, &b) != VEIL_OK)
        return 0;
    mode = data[0];
    /* the whole input fits the socket buffer: write it, then close */
    if (send(b.fd, data + 1, size - 1, MSG_NOSIGNAL) != (ssize_t)(size - 1)) {
        mpc_chan_clear(&a);
        mpc_chan_clear(&b);
        return 0;
    }
    mpc_chan_clear(&b);
    a.max_frame = 3000;
    a.timeout_ms = 1000;
    while (st == VEIL_OK) {
        if (mode % 2)
            st = mpc_chan_recv(&a, buf, mode % sizeof(buf));
        else
            st = mpc_chan_recv_any(&a, buf, sizeof(buf), &len);
        if (st == VEIL_OK && mode % 2 == 0 && len > sizeof(buf))
            abort(); /* a length beyond the capacity was accepted */
    }
    if (st != VEIL_ECLOSED && st != VEIL_EFORMAT)
        abort(); /* only these two can end a stream that was sent whole */
    mpc_chan_clear(&a);
    return 0;
}
