/* libFuzzer target: one CertificateRequest body (RFC 5246 section 7.4.4).
 * The low bit of the first input byte picks TLS 1.2 (with the signature
 * algorithm list) or TLS 1.1 (without); the rest is the message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "registry/registry.h"
#include "wire/flight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    f.version = (data[0] & 1) ? 0x0303 : 0x0302;
    td_rd_init(&r, data + 1, size - 1);
    bool ok = td_parse_cert_request(&r, &f);
    if (ok && (!td_rd_empty(&r) || !f.cert_request))
        abort();
    if (!ok && !f.error[0])
        abort();
    if (f.n_ca_names > TD_FLIGHT_MAX_CANAMES)
        abort();
    volatile unsigned sink = 0;
    for (size_t i = 0; i < f.n_ca_names; i++) {
        if (f.ca_names[i].len == 0)
            abort();
        for (size_t j = 0; j < f.ca_names[i].len; j++)
            sink += f.ca_names[i].p[j];
    }
    (void)sink;
    td_flight_free(&f);
    return 0;
}
