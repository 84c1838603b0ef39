/* Numeric addresses.  Names go through resolve.c; this never touches DNS. */
#include "obs/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

bool td_addr_from_ip(const char *ip, uint16_t port, td_addr *out)
{
    if (!ip || !out)
        return false;
    /* Anything longer than the longest textual IPv6 address cannot be one,
     * and checking first keeps inet_pton from scanning unbounded input. */
    if (strnlen(ip, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN)
        return false;

    td_addr a;
    memset(&a, 0, sizeof a);

    struct sockaddr_in *v4 = (struct sockaddr_in *)&a.ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a.ss;
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        a.len = sizeof *v4;
        /* Print it back rather than copying the input, so "text" is always
         * the canonical form whatever spelling the caller used. */
        if (!inet_ntop(AF_INET, &v4->sin_addr, a.text, sizeof a.text))
            return false;
    } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        a.len = sizeof *v6;
        if (!inet_ntop(AF_INET6, &v6->sin6_addr, a.text, sizeof a.text))
            return false;
    } else {
        return false;
    }
    *out = a;
    return true;
}

uint16_t td_addr_port(const td_addr *a)
{
    if (!a)
        return 0;
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return 0;
}

bool td_hostport(char *buf, size_t len, const char *host, uint16_t port)
{
    /* Only an IPv6 literal has a colon; a DNS name never does. */
    bool v6 = host && strchr(host, ':');
    int n = snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", host ? host : "", (unsigned)port);
    return n >= 0 && (size_t)n < len;
}
