/* A network address as observations record it: the socket address, and its
 * canonical text; and the target a check is about.  Sources fill them (the
 * options, the resolver, a capture's IP header, a configuration's listen
 * line); nothing here touches the network. */
#ifndef TD_OBS_ADDR_H
#define TD_OBS_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct td_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[64]; /* "127.0.0.1" or "::1" */
} td_addr;

/* What to check, parsed once from "HOST[:PORT]". */
typedef struct td_target {
    char host[256];  /* a DNS name without its root dot, or an IP literal without brackets */
    uint16_t port;
    bool host_is_ip; /* then no DNS, and no SNI by default (RFC 6066 section 3) */
} td_target;

/* Parses a numeric IPv4/IPv6 address (no brackets); never DNS. */
bool td_addr_from_ip(const char *ip, uint16_t port, td_addr *out);
/* An IPv4 or IPv6 socket address (a resolver's answer, a capture's IP
 * header) with this port; false for another family or a short length. */
bool td_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, uint16_t port, td_addr *out);
/* The port in a's socket address, 0 when a holds none. */
uint16_t td_addr_port(const td_addr *a);

/* Writes "host:port", with an IPv6 host in brackets ("[::1]:443") so the
 * port cannot be read as part of the address.  The one spelling of a host
 * and port for reports, commands shown to people and c-ares' server list.
 * Returns false when it did not fit (buf then holds as much as did). */
bool td_hostport(char *buf, size_t len, const char *host, uint16_t port);

#endif
