/* A network address as observations record it: the socket address, and its
 * canonical text.  Sources fill it (the resolver, a capture's IP header, a
 * configuration's listen line); nothing here touches the network. */
#ifndef TD_OBS_ADDR_H
#define TD_OBS_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct td_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[64]; /* "127.0.0.1" or "::1" */
} td_addr;

/* Parses a numeric IPv4/IPv6 address (no brackets); never DNS. */
bool td_addr_from_ip(const char *ip, uint16_t port, td_addr *out);

#endif
