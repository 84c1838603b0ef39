/* libFuzzer target: a proxy's answers to the HTTP CONNECT and SOCKS5
 * engines.  The first byte picks the scheme (with or without credentials)
 * and the chunk size, so split answers are covered; the rest is what the
 * proxy sends, then its close. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/proxy.h"

static td_proxy_conn conn;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = { "http://proxy", "http://u:p@proxy", "socks5h://proxy",
                                        "socks5h://u:p@proxy", "socks5://proxy", "socks5://u:p@proxy" };
    if (size < 1)
        return 0;
    td_proxy px;
    char err[200];
    td_addr ip;
    if (!td_proxy_parse_url(&px, urls[data[0] % 6], err, sizeof err) || !td_addr_from_ip("192.0.2.1", 443, &ip) ||
        !td_proxy_conn_init(&conn, &px, "example.com", 443, &ip))
        abort();
    uint8_t out[1024];
    td_wr w;
    td_wr_init(&w, out, sizeof out);
    if (!td_proxy_start(&conn, &w))
        abort();
    size_t chunk = 1 + (data[0] >> 3);
    td_px_step st = TD_PX_MORE;
    for (size_t off = 1; off < size && st == TD_PX_MORE; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        td_wr_init(&w, out, sizeof out);
        st = td_proxy_feed(&conn, data + off, n, &w);
    }
    if (st == TD_PX_MORE)
        st = td_proxy_end(&conn, data[0] & 1);
    const uint8_t *rest;
    size_t rn = td_proxy_rest(&conn, &rest);
    if (st == TD_PX_FAIL && (conn.fail.kind == TD_PXF_NONE || rn != 0 || !memchr(conn.fail.reason, 0, sizeof conn.fail.reason)))
        abort();
    if (st == TD_PX_DONE && (conn.fail.kind != TD_PXF_NONE || rn > size))
        abort();
    char text[400];
    td_proxy_fail_text(&conn.fail, text, sizeof text);
    return 0;
}
