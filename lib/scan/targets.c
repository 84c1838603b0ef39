#include "scan/targets.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "../../include/tlsdiag.h"
#include "starttls/starttls.h"
#include "util/hostport.h"

#define ECHO "60"

static int refuse(td_tline *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(td_tline *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof t->error, fmt, ap);
    va_end(ap);
    return -1;
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies the next word of *p into buf; false when there is none. */
static bool word(const char **p, char *buf, size_t cap, bool *too_long)
{
    const char *s = *p;
    while (space(*s))
        s++;
    const char *e = s;
    while (*e && !space(*e))
        e++;
    *p = e;
    *too_long = (size_t)(e - s) >= cap;
    if (e == s || *too_long)
        return false;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = '\0';
    return true;
}

/* "https://host[:port][/path]": the authority; any other scheme is no TLS
 * endpoint this tool can name.  The scheme names the port (443) when the
 * authority does not. */
static int strip_url(td_tline *t, char *w)
{
    char *sep = strstr(w, "://");
    if (!sep)
        return 0;
    if ((size_t)(sep - w) != 5 || strncasecmp(w, "https", 5) != 0)
        return refuse(t, "'%." ECHO "s' is not an https:// URL", w);
    char *auth = sep + 3;
    auth[strcspn(auth, "/?#")] = '\0';
    char *at = strrchr(auth, '@'); /* user info is not part of the endpoint */
    if (at)
        auth = at + 1;
    memmove(w, auth, strlen(auth) + 1);
    t->port_given = true;
    return 0;
}

/* "ADDR/LEN:PORT" or "[ADDR/LEN]:PORT" (the port defaults to 443). */
static int parse_range(td_tline *t, char *w)
{
    char *portp = NULL;
    char *net = w;
    if (w[0] == '[') {
        char *close = strchr(w, ']');
        if (!close)
            return refuse(t, "unbalanced '[' in '%." ECHO "s'", w);
        *close = '\0';
        net = w + 1;
        if (close[1] == ':')
            portp = close + 2;
        else if (close[1])
            return refuse(t, "unexpected text after ']' in range");
    } else {
        char *slash = strchr(w, '/');
        char *colon = strchr(slash, ':');
        if (colon) {
            *colon = '\0';
            portp = colon + 1;
        }
    }
    char *slash = strchr(net, '/');
    if (!slash) /* "[v6]:443/path": the slash is not the range's */
        return refuse(t, "'%." ECHO "s' is neither HOST:PORT nor a range ADDR/LEN:PORT", w);
    *slash = '\0';
    unsigned long len;
    char *end;
    if (!slash[1] || slash[1] < '0' || slash[1] > '9' || (len = strtoul(slash + 1, &end, 10), *end))
        return refuse(t, "bad prefix length '%." ECHO "s' in range", slash + 1);
    uint8_t buf[16];
    t->v6 = strchr(net, ':') != NULL;
    if (inet_pton(t->v6 ? AF_INET6 : AF_INET, net, buf) != 1)
        return refuse(t, "'%." ECHO "s' is not an IP address for a range", net);
    unsigned max = t->v6 ? 128 : 32, min = t->v6 ? TD_RANGE_MIN_PREFIX6 : TD_RANGE_MIN_PREFIX4;
    if (len > max)
        return refuse(t, "prefix length %lu is longer than %u", len, max);
    if (len < min)
        return refuse(t, "range /%lu is too large: at most /%u (65536 addresses) a line", len, min);
    t->prefix = (unsigned)len;
    /* The range starts at its network address whatever host bits were written. */
    for (unsigned b = (unsigned)len; b < max; b++)
        buf[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
    inet_ntop(t->v6 ? AF_INET6 : AF_INET, buf, t->host, sizeof t->host);
    t->port = 443;
    if (portp) {
        unsigned long p = strtoul(portp, &end, 10);
        if (!*portp || *end || p < 1 || p > 65535 || portp[0] < '0' || portp[0] > '9')
            return refuse(t, "bad port '%." ECHO "s': use a number from 1 to 65535", portp);
        t->port = (uint16_t)p;
        t->port_given = true;
    }
    t->kind = TD_TL_RANGE;
    return 1;
}

/* host[:port], [v6]:port, v6: checked as check checks its target, and
 * split by the same parser. */
static int parse_endpoint(td_tline *t, const char *w)
{
    td_options *o = td_options_new();
    if (!o)
        return refuse(t, "out of memory");
    int rc = 1;
    if (td_options_set_target(o, w) != TD_OK) {
        rc = refuse(t, "%s", td_options_error(o));
    } else if (td_split_host_port(w, "target", t->host, sizeof t->host, &t->port, &t->v6, t->error,
                                  sizeof t->error) != 0) {
        rc = -1;
    } else {
        size_t n = strlen(t->host);
        if (n > 1 && t->host[n - 1] == '.')
            t->host[n - 1] = '\0';
        t->port_given |= t->port != 0;
        if (!t->port)
            t->port = 443;
        t->kind = (t->v6 || td_is_ipv4(t->host)) ? TD_TL_ADDR : TD_TL_NAME;
    }
    td_options_free(o);
    return rc;
}

static int parse_setting(td_tline *t, const char *w)
{
    if (strcmp(w, "no-sni") == 0) {
        t->no_sni = true;
        return 0;
    }
    if (strncmp(w, "sni=", 4) == 0 && w[4]) {
        if (strlen(w + 4) >= sizeof t->sni)
            return refuse(t, "SNI name is too long");
        memcpy(t->sni, w + 4, strlen(w + 4) + 1);
        return 0;
    }
    if (strncmp(w, "client=", 7) == 0 && w[7]) {
        size_t have = strlen(t->clients);
        if (have + strlen(w + 7) + 2 > sizeof t->clients)
            return refuse(t, "too many clients on one line");
        /* Length checked above: the copy is whole. */
        char *end = t->clients + have;
        if (have)
            *end++ = ',';
        memcpy(end, w + 7, strlen(w + 7) + 1);
        return 0;
    }
    if (strncmp(w, "starttls=", 9) == 0 && w[9]) {
        const char *name = w + 9;
        t->starttls_set = true;
        t->starttls = NULL;
        if (strcasecmp(name, "none") != 0 && !(t->starttls = td_starttls_find(name)))
            return refuse(t, "unknown STARTTLS protocol '%.32s': one of %s, or none", name, td_starttls_names());
        return 0;
    }
    return refuse(t, "unknown setting '%." ECHO "s': use sni=NAME, no-sni, client=ID or starttls=PROTO", w);
}

/* Without a port, the upgrade's own: a mail or database server is not on 443. */
static void usual_port(td_tline *t)
{
    if (!t->port_given)
        t->port = td_starttls_port(t->starttls);
}

void td_tline_default_starttls(td_tline *t, const struct td_starttls_info *st)
{
    if (t->starttls_set)
        return;
    t->starttls = st;
    usual_port(t);
}

int td_tline_parse(const char *line, td_tline *t)
{
    memset(t, 0, sizeof *t);
    const char *p = line;
    while (space(*p))
        p++;
    if (!*p || *p == '#')
        return 0;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 && !space(*c))
            return refuse(t, "control byte 0x%02x in the line", (unsigned char)*c);

    char w[TD_TLINE_MAX];
    bool too_long;
    if (!word(&p, w, sizeof w, &too_long))
        return refuse(t, "target is too long");
    if (strip_url(t, w) != 0)
        return -1;
    if (!w[0])
        return refuse(t, "no host in the URL");
    int rc = strchr(w, '/') ? parse_range(t, w) : parse_endpoint(t, w);
    if (rc != 1)
        return -1;

    char s[TD_TLINE_MAX];
    while (word(&p, s, sizeof s, &too_long)) {
        if (s[0] == '#')
            break; /* a comment after the settings */
        if (parse_setting(t, s) != 0)
            return -1;
    }
    if (too_long)
        return refuse(t, "a setting is too long");
    usual_port(t);
    return 1;
}

uint32_t td_tline_count(const td_tline *t)
{
    if (t->kind != TD_TL_RANGE)
        return 1;
    return 1u << ((t->v6 ? 128u : 32u) - t->prefix);
}

void td_tline_range_at(const td_tline *t, uint32_t i, char *out, size_t cap)
{
    uint8_t buf[16];
    int af = t->v6 ? AF_INET6 : AF_INET;
    inet_pton(af, t->host, buf);
    /* Adds i to the address's low bytes, big-endian. */
    size_t n = t->v6 ? 16 : 4;
    uint64_t carry = i;
    for (size_t k = n; k-- > 0 && carry;) {
        uint64_t v = buf[k] + (carry & 0xff);
        buf[k] = (uint8_t)v;
        carry = (carry >> 8) + (v >> 8);
    }
    inet_ntop(af, buf, out, (socklen_t)cap);
}
