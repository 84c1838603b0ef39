/* HOST[:PORT] as the commands take it (a check's target, a DNS server,
 * pcap's --replay), and the address literals it tells apart. */
#ifndef TD_UTIL_HOSTPORT_H
#define TD_UTIL_HOSTPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address
 * (which then has no port) into host, without brackets, and *port, 0 when
 * none was given.  *v6: the host is an IPv6 address.  Returns 0, or -1
 * with a one-line reason in err naming what ("target") and the input.
 * A host that is a name is not checked here: that is the caller's. */
int td_split_host_port(const char *in, const char *what, char *host, size_t hostlen, uint16_t *port, bool *v6,
                       char *err, size_t errlen);
/* s is an IPv4 address in dotted-quad form / an IPv6 address (no brackets). */
bool td_is_ipv4(const char *s);
bool td_is_ipv6(const char *s);

#endif
