/* libFuzzer target: one SSLv2 SERVER-HELLO record body
 * (draft-hickman-netscape-ssl-00). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "registry/registry.h"
#include "wire/flight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_flight f;
    td_rd r;
    td_flight_init(&f, true, td_suite_kx);
    td_rd_init(&r, data, size);
    bool ok = td_parse_sslv2_server_hello(&r, &f);
    if (ok && (!td_rd_empty(&r) || f.kind != TD_FLIGHT_SSLV2))
        abort();
    if (!ok && !f.error[0])
        abort();
    if (f.n_v2_specs > TD_FLIGHT_MAX_V2SPECS)
        abort();
    volatile unsigned sink = 0;
    for (size_t i = 0; i < f.v2_cert.len; i++)
        sink += f.v2_cert.p[i];
    (void)sink;
    td_flight_free(&f);
    return 0;
}
