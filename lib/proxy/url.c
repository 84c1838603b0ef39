/* Which proxy: its URL, the environment curl reads, and no_proxy. */
#include "proxy/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"

static const struct {
    const char *name;
    td_proxy_scheme scheme;
    uint16_t port;
} schemes[] = {
    { "http", TD_PROXY_HTTP, 3128 },
    { "socks5", TD_PROXY_SOCKS5, 1080 },
    { "socks5h", TD_PROXY_SOCKS5H, 1080 },
};

const char *td_proxy_scheme_name(td_proxy_scheme s)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (schemes[i].scheme == s)
            return schemes[i].name;
    return "none";
}

bool td_proxy_by_name(const td_proxy *px)
{
    return px->scheme == TD_PROXY_HTTP || px->scheme == TD_PROXY_SOCKS5H;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into out (RFC 3986 section 2.1). */
static bool pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = hi >= 0 ? hexval(s[i + 2]) : -1;
            if (lo < 0)
                return false;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || o + 1 >= cap)
            return false;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return true;
}

static bool parse_scheme(td_proxy *px, const char **rest, char *err, size_t errlen)
{
    const char *sep = strstr(*rest, "://");
    if (!sep) {
        px->scheme = TD_PROXY_HTTP;
        px->port = 3128;
        return true;
    }
    size_t n = (size_t)(sep - *rest);
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i].name) == n && !strncasecmp(*rest, schemes[i].name, n)) {
            px->scheme = schemes[i].scheme;
            px->port = schemes[i].port;
            *rest = sep + 3;
            return true;
        }
    if (n == 5 && !strncasecmp(*rest, "https", 5))
        td_errbuf(err, errlen, "https:// proxies (TLS to the proxy) are not supported; use http://, "
                               "socks5:// or socks5h://");
    else
        td_errbuf(err, errlen, "unknown proxy scheme '%.*s' (http, socks5, socks5h)", (int)(n > 20 ? 20 : n),
                  *rest);
    return false;
}

static bool parse_userinfo(td_proxy *px, const char *s, size_t n, char *err, size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    size_t un = colon ? (size_t)(colon - s) : n;
    if (!pct_decode(s, un, px->user, sizeof px->user) ||
        (colon && !pct_decode(colon + 1, n - un - 1, px->pass, sizeof px->pass))) {
        td_errbuf(err, errlen, "bad credentials in the proxy URL (over 255 bytes, a NUL or a bad %%-escape)");
        return false;
    }
    px->auth = true;
    return true;
}

static bool parse_hostport(td_proxy *px, const char *s, size_t n, char *err, size_t errlen)
{
    const char *host = s, *port = NULL;
    size_t hn = n;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close) {
            td_errbuf(err, errlen, "proxy URL: '[' without ']'");
            return false;
        }
        host = s + 1;
        hn = (size_t)(close - host);
        if (close + 1 < s + n) {
            if (close[1] != ':') {
                td_errbuf(err, errlen, "proxy URL: junk after ']'");
                return false;
            }
            port = close + 2;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon) {
            hn = (size_t)(colon - s);
            port = colon + 1;
        }
    }
    if (hn == 0 || hn >= sizeof px->host) {
        td_errbuf(err, errlen, "proxy URL: no host, or one over 255 bytes");
        return false;
    }
    memcpy(px->host, host, hn);
    px->host[hn] = 0;
    if (port) {
        char digits[8];
        size_t pn = (size_t)(s + n - port);
        unsigned long v;
        if (pn == 0 || pn >= sizeof digits) {
            td_errbuf(err, errlen, "proxy URL: bad port");
            return false;
        }
        memcpy(digits, port, pn);
        digits[pn] = 0;
        if (td_parse_uint(digits, 1, 65535, &v) != 0) {
            td_errbuf(err, errlen, "proxy URL: bad port '%s'", digits);
            return false;
        }
        px->port = (uint16_t)v;
    }
    return true;
}

bool td_proxy_parse_url(td_proxy *px, const char *url, char *err, size_t errlen)
{
    td_proxy p = { 0 };
    const char *rest = url;
    if (!parse_scheme(&p, &rest, err, errlen))
        return false;
    size_t n = strcspn(rest, "/?#");
    if (rest[n] && strcmp(rest + n, "/") != 0) {
        td_errbuf(err, errlen, "proxy URL: a path, query or fragment is not allowed");
        return false;
    }
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (rest[i] == '@')
            at = rest + i;
    if (at && !parse_userinfo(&p, rest, (size_t)(at - rest), err, errlen))
        return false;
    const char *hp = at ? at + 1 : rest;
    if (!parse_hostport(&p, hp, (size_t)(rest + n - hp), err, errlen))
        return false;
    *px = p;
    return true;
}

bool td_proxy_url(const td_proxy *px, char *buf, size_t len)
{
    char hp[300];
    if (!td_hostport(hp, sizeof hp, px->host, px->port))
        return false;
    int n = snprintf(buf, len, "%s://%s", td_proxy_scheme_name(px->scheme), hp);
    return n >= 0 && (size_t)n < len;
}

/* ---- no_proxy ---------------------------------------------------------- */

/* An IP literal (no brackets) into 16 bytes, IPv4 as its v4-mapped form so
 * one prefix comparison serves both; *bits is the literal's full width. */
static bool ip_bytes(const char *s, uint8_t out[16], unsigned *bits)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        *bits = 32;
        return true;
    }
    *bits = 128;
    return inet_pton(AF_INET6, s, out) == 1;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    for (unsigned i = 0; i < bits; i++) {
        unsigned byte = i / 8, mask = 0x80u >> (i % 8);
        if ((a[byte] & mask) != (b[byte] & mask))
            return false;
    }
    return true;
}

/* entry is an IP, or IP/bits: host (an IP) in it? */
static bool ip_entry_match(const char *entry, const char *host)
{
    char ip[64];
    const char *slash = strchr(entry, '/');
    size_t n = slash ? (size_t)(slash - entry) : strlen(entry);
    uint8_t e[16], h[16];
    unsigned ebits, hbits;
    if (n >= sizeof ip)
        return false;
    memcpy(ip, entry, n);
    ip[n] = 0;
    if (!ip_bytes(ip, e, &ebits) || !ip_bytes(host, h, &hbits) || ebits != hbits)
        return false;
    unsigned long bits = ebits;
    if (slash && td_parse_uint(slash + 1, 0, ebits, &bits) != 0)
        return false;
    /* An IPv4 prefix counts its bits after the 96 of the mapped form. */
    return prefix_equal(e, h, (unsigned)bits + (ebits == 32 ? 96 : 0));
}

/* host ends in entry at a label boundary, or is it. */
static bool name_entry_match(const char *entry, size_t en, const char *host, size_t hn)
{
    if (en > hn || strncasecmp(host + hn - en, entry, en) != 0)
        return false;
    return en == hn || host[hn - en - 1] == '.';
}

static void strip_host(const char *in, char *out, size_t cap)
{
    size_t n = strlen(in);
    if (n && in[0] == '[' && in[n - 1] == ']') {
        in++;
        n -= 2;
    }
    if (n && in[n - 1] == '.')
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, in, n);
    out[n] = 0;
}

bool td_no_proxy_match(const char *no_proxy, const char *host_in)
{
    char host[256];
    uint8_t ipb[16];
    unsigned ipbits;
    strip_host(host_in, host, sizeof host);
    bool host_ip = ip_bytes(host, ipb, &ipbits);
    const char *p = no_proxy;
    while (p && *p) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        char raw[256], entry[256];
        if (n < sizeof raw) {
            memcpy(raw, p, n);
            raw[n] = 0;
            strip_host(raw, entry, sizeof entry);
            const char *e = entry[0] == '.' ? entry + 1 : entry;
            if (!strcmp(entry, "*"))
                return true;
            if (host_ip ? ip_entry_match(e, host) : name_entry_match(e, strlen(e), host, strlen(host)))
                return true;
        }
        p += n;
    }
    return false;
}

int td_proxy_from_env(td_proxy *px, const char *host, td_env_fn env, const char **from, char *err,
                      size_t errlen)
{
    static const char *const excl[] = { "no_proxy", "NO_PROXY" };
    static const char *const vars[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
    *from = NULL;
    for (size_t i = 0; i < 2; i++) {
        const char *v = env(excl[i]);
        if (v && *v) {
            if (td_no_proxy_match(v, host)) {
                *from = excl[i];
                return 0;
            }
            break; /* curl reads the lowercase one when both are set */
        }
    }
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = env(vars[i]);
        if (!v || !*v)
            continue;
        *from = vars[i];
        char why[200];
        if (!td_proxy_parse_url(px, v, why, sizeof why)) {
            td_errbuf(err, errlen, "%s: %s", vars[i], why);
            return -1;
        }
        return 1;
    }
    return 0;
}
