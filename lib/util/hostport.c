#include "util/hostport.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/str.h"

/* How much of what the user typed is echoed back in an error. */
#define ECHO_MAX "80"

bool td_is_ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

bool td_is_ipv6(const char *s)
{
    struct in6_addr a;
    return inet_pton(AF_INET6, s, &a) == 1;
}

/* Where the host part of in starts (*hlen bytes long) and where its port
 * starts (*p, NULL: none); NULL when brackets or colons are malformed, with
 * the reason in err. */
static const char *find_parts(const char *in, const char *what, size_t *hlen, const char **p, bool *v6, char *err,
                              size_t errlen)
{
    *hlen = 0;
    *p = NULL;
    *v6 = false;
    if (in[0] == '[') {
        const char *close = strchr(in, ']');
        if (!close) {
            td_errbuf(err, errlen, "unbalanced '[' in %s '%." ECHO_MAX "s'", what, in);
            return NULL;
        }
        if (close[1] == ':')
            *p = close + 2;
        else if (close[1] != '\0') {
            td_errbuf(err, errlen, "unexpected text after ']' in %s '%." ECHO_MAX "s'", what, in);
            return NULL;
        }
        *v6 = true;
        *hlen = (size_t)(close - in - 1);
        return in + 1;
    }
    if (strchr(in, ']')) {
        td_errbuf(err, errlen, "unbalanced ']' in %s '%." ECHO_MAX "s'", what, in);
        return NULL;
    }
    const char *colon = strchr(in, ':');
    if (colon && strchr(colon + 1, ':')) {
        /* Several colons: only a whole IPv6 address makes sense. */
        if (!td_is_ipv6(in)) {
            td_errbuf(err, errlen,
                      "'%." ECHO_MAX "s' is not a valid IPv6 address; write an address with a port as [ADDR]:PORT",
                      in);
            return NULL;
        }
        *v6 = true;
        colon = NULL;
    }
    *hlen = colon ? (size_t)(colon - in) : strlen(in);
    *p = colon ? colon + 1 : NULL;
    return in;
}

int td_split_host_port(const char *in, const char *what, char *host, size_t hostlen, uint16_t *port, bool *v6,
                       char *err, size_t errlen)
{
    size_t hlen;
    const char *p;
    const char *h = find_parts(in, what, &hlen, &p, v6, err, errlen);
    if (!h)
        return -1;
    if (hlen == 0) {
        td_errbuf(err, errlen, "no host in %s '%." ECHO_MAX "s'", what, in);
        return -1;
    }
    if (hlen >= hostlen) {
        td_errbuf(err, errlen, "host in %s is too long (%zu characters)", what, hlen);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (*v6 && !td_is_ipv6(host)) {
        td_errbuf(err, errlen, "'%." ECHO_MAX "s' is not a valid IPv6 address", host);
        return -1;
    }
    *port = 0;
    if (!p)
        return 0;
    unsigned long v;
    if (td_parse_uint(p, 1, 65535, &v) != 0) {
        td_errbuf(err, errlen, "bad port '%." ECHO_MAX "s' in %s: use a number from 1 to 65535", p, what);
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}
