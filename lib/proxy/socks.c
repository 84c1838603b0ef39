/* SOCKS5 (RFC 1928) with username/password authentication (RFC 1929). */
#include "proxy/proxy_int.h"

#include <netinet/in.h>
#include <string.h>

enum { S_METHOD = 0, S_AUTH, S_REPLY };

#define SOCKS5 0x05
#define M_NONE 0x00
#define M_USERPASS 0x02
#define M_NO_ACCEPTABLE 0xff
#define CMD_CONNECT 0x01
#define ATYP_IPV4 0x01
#define ATYP_NAME 0x03
#define ATYP_IPV6 0x04

const char *td_socks_reply_name(uint8_t rep)
{
    static const char *const names[] = {
        "succeeded",
        "general SOCKS server failure",
        "connection not allowed by ruleset",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "TTL expired",
        "command not supported",
        "address type not supported",
    };
    return rep < sizeof names / sizeof names[0] ? names[rep] : "unassigned";
}

bool td_px_socks_start(td_proxy_conn *c, td_wr *out)
{
    /* RFC 1928 section 3: VER, NMETHODS, METHODS. */
    td_wr_u8(out, SOCKS5);
    td_wr_open(out, 1);
    td_wr_u8(out, M_NONE);
    if (c->px.auth)
        td_wr_u8(out, M_USERPASS);
    td_wr_close(out);
    c->state = S_METHOD;
    return td_wr_ok(out);
}

/* RFC 1928 section 4: VER CMD RSV ATYP DST.ADDR DST.PORT. */
static bool put_request(td_proxy_conn *c, td_wr *out)
{
    td_wr_u8(out, SOCKS5);
    td_wr_u8(out, CMD_CONNECT);
    td_wr_u8(out, 0);
    const struct sockaddr_storage *ss = &c->ip.ss;
    if (c->by_name) {
        td_wr_u8(out, ATYP_NAME);
        td_wr_open(out, 1);
        td_wr_bytes(out, c->host, strlen(c->host));
        td_wr_close(out);
    } else if (ss->ss_family == AF_INET) {
        td_wr_u8(out, ATYP_IPV4);
        td_wr_bytes(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        td_wr_u8(out, ATYP_IPV6);
        td_wr_bytes(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
    } else {
        return false;
    }
    td_wr_u16(out, c->port);
    return td_wr_ok(out);
}

/* RFC 1929 section 2: VER(1) ULEN UNAME PLEN PASSWD. */
static bool put_userpass(const td_proxy *px, td_wr *out)
{
    td_wr_u8(out, 0x01);
    td_wr_open(out, 1);
    td_wr_bytes(out, px->user, strlen(px->user));
    td_wr_close(out);
    td_wr_open(out, 1);
    td_wr_bytes(out, px->pass, strlen(px->pass));
    td_wr_close(out);
    return td_wr_ok(out);
}

static td_px_step method_step(td_proxy_conn *c, td_rd *r, td_wr *out)
{
    uint8_t ver, method;
    if (!td_rd_u8(r, &ver) || !td_rd_u8(r, &method))
        return TD_PX_MORE;
    if (ver != SOCKS5)
        return td_px_failed(c, TD_PXF_MALFORMED, ver, "the proxy's answer is not SOCKS5 (version byte)");
    if (method == M_NO_ACCEPTABLE)
        return td_px_failed(c, TD_PXF_SOCKS_METHOD, method,
                            c->px.auth ? "neither none nor username/password" : "no credentials were given");
    if (method == M_USERPASS && c->px.auth) {
        if (!put_userpass(&c->px, out))
            return td_px_failed(c, TD_PXF_MALFORMED, 0, "the SOCKS credentials do not fit (255 bytes each)");
        c->state = S_AUTH;
        return TD_PX_MORE;
    }
    if (method != M_NONE)
        return td_px_failed(c, TD_PXF_MALFORMED, method, "the SOCKS proxy chose a method that was not offered");
    c->state = S_REPLY;
    return put_request(c, out) ? TD_PX_MORE : td_px_failed(c, TD_PXF_MALFORMED, 0, "no target address");
}

static td_px_step auth_step(td_proxy_conn *c, td_rd *r, td_wr *out)
{
    uint8_t ver, status;
    if (!td_rd_u8(r, &ver) || !td_rd_u8(r, &status))
        return TD_PX_MORE;
    if (ver != 0x01)
        return td_px_failed(c, TD_PXF_MALFORMED, ver, "the answer to username/password is not version 1");
    if (status != 0) /* RFC 1929 section 2: any other status is a failure */
        return td_px_failed(c, TD_PXF_SOCKS_AUTH, status, "username/password refused");
    c->state = S_REPLY;
    return put_request(c, out) ? TD_PX_MORE : td_px_failed(c, TD_PXF_MALFORMED, 0, "no target address");
}

/* RFC 1928 section 6: VER REP RSV ATYP BND.ADDR BND.PORT. */
static td_px_step reply_step(td_proxy_conn *c, td_rd *r)
{
    uint8_t ver, rep, rsv, atyp, n;
    if (!td_rd_u8(r, &ver) || !td_rd_u8(r, &rep))
        return TD_PX_MORE;
    if (ver != SOCKS5)
        return td_px_failed(c, TD_PXF_MALFORMED, ver, "the proxy's CONNECT reply is not SOCKS5");
    /* A failing REP is the answer, whatever BND says; servers close right after. */
    if (rep != 0)
        return td_px_failed(c, TD_PXF_SOCKS_REPLY, rep, td_socks_reply_name(rep));
    if (!td_rd_u8(r, &rsv) || !td_rd_u8(r, &atyp))
        return TD_PX_MORE;
    size_t addr_len = atyp == ATYP_IPV4 ? 4 : atyp == ATYP_IPV6 ? 16 : 0;
    if (atyp == ATYP_NAME) {
        if (!td_rd_u8(r, &n))
            return TD_PX_MORE;
        addr_len = n;
    } else if (addr_len == 0) {
        return td_px_failed(c, TD_PXF_MALFORMED, atyp, "the SOCKS reply has an unknown address type");
    }
    if (!td_rd_skip(r, addr_len + 2))
        return TD_PX_MORE;
    c->state = TD_PX_STATE_UP;
    return TD_PX_DONE;
}

td_px_step td_px_socks_feed(td_proxy_conn *c, td_wr *out)
{
    td_rd whole, r;
    td_rd_init(&whole, c->in, c->n_in);
    td_px_step st = TD_PX_MORE;
    /* Each step parses from where the previous one's answer ended. */
    for (int before = -2; st == TD_PX_MORE && before != c->state;) {
        before = c->state;
        r = whole;
        td_rd_skip(&r, c->rest_off);
        td_rd at = r;
        if (c->state == S_METHOD)
            st = method_step(c, &r, out);
        else if (c->state == S_AUTH)
            st = auth_step(c, &r, out);
        else
            st = reply_step(c, &r);
        if (c->state != before || st == TD_PX_DONE)
            c->rest_off += td_rd_pos(&at, &r);
    }
    return st;
}
