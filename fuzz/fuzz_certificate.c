/* libFuzzer target: one TLS 1.2-and-below Certificate body (RFC 5246
 * section 7.4.2). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "registry/registry.h"
#include "wire/flight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, data, size);
    bool ok = td_parse_certificate(&r, &f);
    if (ok && !td_rd_empty(&r))
        abort();
    if (!ok && !f.error[0])
        abort();
    if (f.n_certs > TD_FLIGHT_MAX_CERTS)
        abort();
    /* every kept certificate lies inside the input and is not empty */
    volatile unsigned sink = 0;
    for (size_t i = 0; i < f.n_certs; i++) {
        if (f.certs[i].len == 0)
            abort();
        for (size_t j = 0; j < f.certs[i].len; j++)
            sink += f.certs[i].p[j];
    }
    (void)sink;
    td_flight_free(&f);
    return 0;
}
