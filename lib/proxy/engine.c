/* The proxy engines' common part: the target, the input buffer, the end of
 * a connection, and the texts of a failure.  The protocols are in http.c
 * and socks.c. */
#include "proxy/proxy_int.h"

#include <stdio.h>
#include <string.h>

#include "util/str.h"

bool td_proxy_conn_init(td_proxy_conn *c, const td_proxy *px, const char *host, uint16_t port,
                        const td_addr *ip)
{
    memset(c, 0, sizeof *c);
    c->px = *px;
    c->port = port;
    c->by_name = td_proxy_by_name(px);
    size_t n = strlen(host);
    if (n == 0 || n >= sizeof c->host || px->scheme == TD_PROXY_NONE) {
        td_px_failed(c, TD_PXF_REQUEST, 0, "no proxy, or a target name over 255 bytes");
        return false;
    }
    memcpy(c->host, host, n + 1);
    /* An address stays an address, by name or not (RFC 1928 section 5). */
    td_addr lit;
    if (c->by_name && px->scheme == TD_PROXY_SOCKS5H && td_addr_from_ip(host, port, &lit)) {
        c->by_name = false;
        ip = &lit;
    }
    if (!c->by_name) {
        if (!ip) {
            td_px_failed(c, TD_PXF_REQUEST, 0, "socks5:// needs the target's address");
            return false;
        }
        c->ip = *ip;
    }
    return true;
}

bool td_proxy_start(td_proxy_conn *c, td_wr *out)
{
    if (c->fail.kind != TD_PXF_NONE)
        return false;
    bool ok = c->px.scheme == TD_PROXY_HTTP ? td_px_http_start(c, out) : td_px_socks_start(c, out);
    if (!ok)
        td_px_failed(c, TD_PXF_REQUEST, 0, "the request to the proxy cannot be written for this target");
    return ok;
}

td_px_step td_px_failed(td_proxy_conn *c, td_pxf_kind kind, int code, const char *reason)
{
    c->fail.kind = kind;
    c->fail.code = code;
    td_px_printable(c->fail.reason, sizeof c->fail.reason, (const uint8_t *)reason, strlen(reason));
    return TD_PX_FAIL;
}

void td_px_printable(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        dst[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    dst[o] = 0;
}

td_px_step td_proxy_feed(td_proxy_conn *c, const uint8_t *data, size_t len, td_wr *out)
{
    if (c->fail.kind != TD_PXF_NONE)
        return TD_PX_FAIL;
    if (len > sizeof c->in - c->n_in)
        return td_px_failed(c, TD_PXF_MALFORMED, 0, "the proxy's answer is over 16384 bytes");
    memcpy(c->in + c->n_in, data, len);
    c->n_in += len;
    td_px_step st = c->px.scheme == TD_PROXY_HTTP ? td_px_http_feed(c) : td_px_socks_feed(c, out);
    if (st == TD_PX_MORE && c->n_in == sizeof c->in)
        return td_px_failed(c, TD_PXF_MALFORMED, 0, "the proxy's answer is over 16384 bytes");
    return st;
}

td_px_step td_proxy_end(td_proxy_conn *c, bool timeout)
{
    if (c->state == TD_PX_STATE_UP)
        return TD_PX_DONE;
    if (c->fail.kind == TD_PXF_NONE)
        td_px_failed(c, timeout ? TD_PXF_TIMEOUT : TD_PXF_CLOSED, 0,
                     c->n_in ? "the proxy's answer stopped short" : "the proxy sent nothing");
    return TD_PX_FAIL;
}

size_t td_proxy_rest(const td_proxy_conn *c, const uint8_t **p)
{
    *p = c->in + c->rest_off;
    return c->state == TD_PX_STATE_UP ? c->n_in - c->rest_off : 0;
}

const char *td_pxf_kind_name(td_pxf_kind k)
{
    switch (k) {
    case TD_PXF_NONE: return "none";
    case TD_PXF_HTTP_STATUS: return "http-status";
    case TD_PXF_SOCKS_METHOD: return "socks-method";
    case TD_PXF_SOCKS_AUTH: return "socks-auth";
    case TD_PXF_SOCKS_REPLY: return "socks-reply";
    case TD_PXF_MALFORMED: return "malformed";
    case TD_PXF_CLOSED: return "closed";
    case TD_PXF_TIMEOUT: return "timeout";
    case TD_PXF_REQUEST: return "request";
    }
    return "?";
}

bool td_proxy_fail_text(const td_proxy_fail *f, char *buf, size_t len)
{
    int n;
    switch (f->kind) {
    case TD_PXF_HTTP_STATUS:
        n = snprintf(buf, len, "CONNECT answered %d %s", f->code, f->reason);
        break;
    case TD_PXF_SOCKS_METHOD:
        n = snprintf(buf, len, "SOCKS5: no acceptable authentication method (%s)", f->reason);
        break;
    case TD_PXF_SOCKS_AUTH:
        n = snprintf(buf, len, "SOCKS5: username/password refused (status %d)", f->code);
        break;
    case TD_PXF_SOCKS_REPLY:
        n = snprintf(buf, len, "SOCKS5 reply %d (%s)", f->code, f->reason);
        break;
    case TD_PXF_TIMEOUT:
        n = snprintf(buf, len, "no answer from the proxy in time (%s)", f->reason);
        break;
    default:
        n = snprintf(buf, len, "%s", f->reason);
        break;
    }
    return n >= 0 && (size_t)n < len;
}
