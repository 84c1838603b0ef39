/* libFuzzer target: one ServerKeyExchange body.  The first two input bytes
 * are the negotiated cipher suite (looked up in the registry), the third
 * picks the version (SSLv3 .. TLS 1.2 from its low two bits), the rest is
 * the message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "registry/registry.h"
#include "wire/flight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    f.suite = (uint16_t)((data[0] << 8) | data[1]);
    f.version = (uint16_t)(0x0300 | (data[2] & 3));
    td_rd_init(&r, data + 3, size - 3);
    bool ok = td_parse_server_key_exchange(&r, &f);
    if (ok && (!td_rd_empty(&r) || !f.has_ske))
        abort();
    if (!ok && !f.error[0])
        abort();
    if (f.ske_sigalg && f.version != 0x0303)
        abort();
    td_flight_free(&f);
    return 0;
}
