/* libFuzzer target: one ServerHello body (RFC 8446 section 4.1.3). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "wire/flight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, data, size);
    bool ok = td_parse_server_hello(&r, &f);
    if (ok && (!td_rd_empty(&r) || (f.kind != TD_FLIGHT_HELLO && f.kind != TD_FLIGHT_HRR)))
        abort();
    if (!ok && !f.error[0])
        abort();
    if (memchr(f.alpn, '\0', sizeof f.alpn) == NULL || f.n_exts > TD_FLIGHT_MAX_EXTS)
        abort();
    td_flight_free(&f);
    return 0;
}
