/* ALPN protocol lists (RFC 7301 section 3.1): the comma-separated text a
 * user or a client profile gives ("h2,http/1.1") written as ProtocolNames,
 * and the ProtocolNames read back.  Every list tlsdiag sends or receives
 * goes through here. */
#ifndef TD_WIRE_ALPN_H
#define TD_WIRE_ALPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Writes each name of the comma-separated list as a ProtocolName<1..2^8-1>,
 * without the ProtocolNameList's own length (the ClientHello extension opens
 * it; SSL_set_alpn_protos() takes the names without it).  False for an
 * empty list, an empty name or one over 255 bytes; the caller then drops
 * what was written.  Room is the writer's business: see td_wr_ok(). */
bool td_alpn_write(td_wr *w, const char *list);

/* Splits the next ProtocolName off a ProtocolNameList: false when the list
 * is used up, the name runs past it, or the name is empty. */
bool td_alpn_next(td_rd *list, td_rd *name);

/* Whether p..len is a ProtocolNameList body: at least one name, each 1 to
 * 255 bytes, nothing left over, at most 2^16-1 bytes in all. */
bool td_alpn_list_ok(const uint8_t *p, size_t len);

#endif
