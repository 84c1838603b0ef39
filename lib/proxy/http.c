/* HTTP CONNECT (RFC 9110 section 9.3.6): the request, and the answer's
 * status line and headers (RFC 9112 sections 2 to 5). */
#include "proxy/proxy_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "../include/tlsdiag.h"

enum { HTTP_HEAD = 0 };

static void put_text(td_wr *out, const char *s)
{
    td_wr_bytes(out, s, strlen(s));
}

/* RFC 7617 section 2: "Basic " and base64 of user-id ":" password. */
static bool put_basic(td_wr *out, const td_proxy *px)
{
    unsigned char plain[sizeof px->user + sizeof px->pass];
    unsigned char b64[sizeof plain * 4 / 3 + 4];
    int n = snprintf((char *)plain, sizeof plain, "%s:%s", px->user, px->pass);
    if (n < 0 || (size_t)n >= sizeof plain)
        return false;
    int m = EVP_EncodeBlock(b64, plain, n);
    put_text(out, "Proxy-Authorization: Basic ");
    td_wr_bytes(out, b64, (size_t)m);
    put_text(out, "\r\n");
    return true;
}

bool td_px_http_start(td_proxy_conn *c, td_wr *out)
{
    char authority[300];
    for (const char *p = c->host; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    /* RFC 9110 section 9.3.6: the request target is the authority form,
     * host and port, and so is Host. */
    if (!td_hostport(authority, sizeof authority, c->host, c->port))
        return false;
    put_text(out, "CONNECT ");
    put_text(out, authority);
    put_text(out, " HTTP/1.1\r\nHost: ");
    put_text(out, authority);
    put_text(out, "\r\nUser-Agent: tlsdiag/" TLSDIAG_VERSION "\r\n");
    if (c->px.auth && !put_basic(out, &c->px))
        return false;
    put_text(out, "\r\n");
    c->state = HTTP_HEAD;
    return td_wr_ok(out);
}

/* Splits the next line off (without its CRLF or bare LF, which RFC 9112
 * section 2.2 lets a recipient accept); false when no LF came yet. */
static bool next_line(td_rd *r, td_rd *line)
{
    uint8_t b;
    for (size_t i = 0; td_rd_peek(r, i, &b); i++) {
        if (b != '\n')
            continue;
        td_rd whole;
        td_rd_sub(r, i + 1, &whole);
        uint8_t cr = 0;
        size_t keep = i;
        if (i && td_rd_peek(&whole, i - 1, &cr) && cr == '\r')
            keep--;
        td_rd_sub(&whole, keep, line);
        return true;
    }
    return false;
}

static bool take_digit(td_rd *r, int *acc)
{
    uint8_t b;
    if (!td_rd_u8(r, &b) || b < '0' || b > '9')
        return false;
    *acc = *acc * 10 + (b - '0');
    return true;
}

/* RFC 9112 section 4: HTTP-version SP 3DIGIT SP [ reason-phrase ]. */
static bool status_line(td_rd line, int *status, char *reason, size_t cap)
{
    uint8_t v[7], minor, sp;
    *status = 0;
    if (!td_rd_copy(&line, v, sizeof v) || memcmp(v, "HTTP/1.", 7) != 0 || !td_rd_u8(&line, &minor) ||
        minor < '0' || minor > '9' || !td_rd_u8(&line, &sp) || sp != ' ')
        return false;
    for (int i = 0; i < 3; i++)
        if (!take_digit(&line, status))
            return false;
    /* Some proxies leave out the space before an empty reason. */
    if (td_rd_u8(&line, &sp) && sp != ' ')
        return false;
    td_px_printable(reason, cap, td_rd_ptr(&line), td_rd_left(&line));
    return *status >= 100;
}

/* A "Name: value" line: keeps Proxy-Authenticate's value. */
static bool header_line(td_rd line, td_proxy_fail *f)
{
    static const char want[] = "proxy-authenticate:";
    uint8_t b;
    if (!td_rd_peek(&line, 0, &b) || b == ' ' || b == '\t' || b == ':')
        return false; /* RFC 9112 section 5.2: no obsolete line folding */
    uint8_t name[sizeof want - 1];
    if (td_rd_left(&line) < sizeof name || f->authenticate[0])
        return true;
    td_rd peek = line;
    td_rd_copy(&peek, name, sizeof name);
    if (strncasecmp((const char *)name, want, sizeof name) != 0)
        return true;
    while (td_rd_peek(&peek, 0, &b) && (b == ' ' || b == '\t'))
        td_rd_skip(&peek, 1);
    td_px_printable(f->authenticate, sizeof f->authenticate, td_rd_ptr(&peek), td_rd_left(&peek));
    return true;
}

td_px_step td_px_http_feed(td_proxy_conn *c)
{
    td_rd r, line;
    td_rd_init(&r, c->in, c->n_in);
    td_rd whole = r;
    int status;
    char reason[sizeof c->fail.reason];
    memset(c->fail.authenticate, 0, sizeof c->fail.authenticate);
    do { /* interim 1xx answers come before the final one (RFC 9110 section 15.2) */
        if (!next_line(&r, &line))
            return TD_PX_MORE;
        if (!status_line(line, &status, reason, sizeof reason))
            return td_px_failed(c, TD_PXF_MALFORMED, 0, "the proxy's answer to CONNECT is not HTTP/1.x");
        for (;;) {
            if (!next_line(&r, &line))
                return TD_PX_MORE;
            if (td_rd_empty(&line))
                break;
            if (!header_line(line, &c->fail))
                return td_px_failed(c, TD_PXF_MALFORMED, status, "a malformed header line in the proxy's answer");
        }
    } while (status < 200);
    if (status >= 300)
        return td_px_failed(c, TD_PXF_HTTP_STATUS, status, reason);
    /* Any 2xx: the tunnel is up, and what follows the head is the server's. */
    c->rest_off = td_rd_pos(&whole, &r);
    c->state = TD_PX_STATE_UP;
    return TD_PX_DONE;
}
