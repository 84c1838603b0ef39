/* Numeric addresses.  Names go through resolve.c; this never touches DNS. */
#include "obs/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Sets the port and the canonical text of an address whose family and
 * address bytes are in a->ss.  Printing it back rather than copying what a
 * caller or a resolver wrote keeps "text" one form whatever the spelling. */
static bool finish(td_addr *a, uint16_t port)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
    if (a->ss.ss_family == AF_INET) {
        v4->sin_port = htons(port);
        a->len = sizeof *v4;
        return inet_ntop(AF_INET, &v4->sin_addr, a->text, sizeof a->text) != NULL;
    }
    if (a->ss.ss_family == AF_INET6) {
        v6->sin6_port = htons(port);
        a->len = sizeof *v6;
        return inet_ntop(AF_INET6, &v6->sin6_addr, a->text, sizeof a->text) != NULL;
    }
    return false;
}

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
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6;
    else
        return false;
    if (!finish(&a, port))
        return false;
    *out = a;
    return true;
}

bool td_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, uint16_t port, td_addr *out)
{
    if (!sa || !out)
        return false;
    td_addr a;
    memset(&a, 0, sizeof a);
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
        memcpy(&a.ss, sa, sizeof(struct sockaddr_in));
    else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
        memcpy(&a.ss, sa, sizeof(struct sockaddr_in6));
    else
        return false;
    if (!finish(&a, port))
        return false;
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
