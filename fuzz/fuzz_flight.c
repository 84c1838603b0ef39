/* libFuzzer target: the whole first-flight parser.
 *
 * The first input byte sets the chunk size, so the same bytes are also
 * explored as they would arrive over many small reads; the rest is fed in
 * those chunks, then the connection is closed.  Both values of
 * sslv2_offered are tried. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "wire/flight.h"

/* Reads every byte a blob points at, so a dangling pointer shows up. */
static unsigned touch(const td_blob *b)
{
    unsigned sum = 0;
    for (size_t i = 0; i < b->len; i++)
        sum += b->p[i];
    return sum;
}

static void run(const uint8_t *data, size_t size, size_t chunk, bool sslv2)
{
    td_flight f;
    td_flight_init(&f, sslv2, td_suite_kx);
    td_feed r = TD_FEED_MORE;
    size_t off = 0;
    while (off < size && r == TD_FEED_MORE) {
        size_t n = size - off < chunk ? size - off : chunk;
        r = td_flight_feed(&f, data + off, n);
        off += n;
    }
    if (r == TD_FEED_MORE)
        r = td_flight_eof(&f);

    if (r == TD_FEED_ERROR && (f.kind != TD_FLIGHT_MALFORMED || !f.error[0]) && strcmp(f.error, "out of memory"))
        abort();
    if (r == TD_FEED_DONE && f.kind == TD_FLIGHT_NONE)
        abort();
    if (memchr(f.error, '\0', sizeof f.error) == NULL || memchr(f.alpn, '\0', sizeof f.alpn) == NULL)
        abort();
    if (f.n_certs > TD_FLIGHT_MAX_CERTS || f.n_ca_names > TD_FLIGHT_MAX_CANAMES ||
        f.n_exts > TD_FLIGHT_MAX_EXTS || f.n_v2_specs > TD_FLIGHT_MAX_V2SPECS ||
        f.n_first > TD_FLIGHT_FIRST_BYTES)
        abort();

    volatile unsigned sink = 0;
    for (size_t i = 0; i < f.n_certs; i++)
        sink += touch(&f.certs[i]);
    for (size_t i = 0; i < f.n_ca_names; i++)
        sink += touch(&f.ca_names[i]);
    sink += touch(&f.v2_cert);
    const char *proto = td_sniff_protocol(f.first, f.n_first);
    if (proto)
        sink += (unsigned)strlen(proto);
    (void)sink;
    td_flight_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* 0 means "everything at once"; otherwise 1..255-byte reads */
    size_t chunk = data[0] ? data[0] : size;
    run(data + 1, size - 1, chunk, false);
    run(data + 1, size - 1, chunk, true);
    return 0;
}
