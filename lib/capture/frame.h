/* One captured frame, decoded down to its TCP segment: link layer, IPv4 or
 * IPv6 (extension headers walked), TCP.  Bytes only, through td_rd; no
 * libpcap here, so the unit tests and the fuzz target feed it directly. */
#ifndef TD_CAPTURE_FRAME_H
#define TD_CAPTURE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bytes.h"

/* Link types, as pcap_datalink() returns them (DLT_*, equal to the
 * LINKTYPE_* of the files but for raw IP, whose DLT value differs between
 * platforms: every one of them is accepted). */
enum {
    TD_LINK_NULL = 0,      /* BSD loopback: 4-byte address family, host order */
    TD_LINK_ETHERNET = 1,
    TD_LINK_RAW = 101,     /* raw IPv4 or IPv6 */
    TD_LINK_RAW_DLT12 = 12,
    TD_LINK_RAW_DLT14 = 14,
    TD_LINK_LOOP = 108,    /* OpenBSD loopback: the family in network order */
    TD_LINK_SLL = 113,     /* Linux cooked v1 */
    TD_LINK_IPV4 = 228,
    TD_LINK_IPV6 = 229,
    TD_LINK_SLL2 = 276     /* Linux cooked v2: what `tcpdump -i any` writes */
};

/* TCP flags, RFC 9293 section 3.1 */
enum {
    TD_TCP_FIN = 0x01,
    TD_TCP_SYN = 0x02,
    TD_TCP_RST = 0x04,
    TD_TCP_PSH = 0x08,
    TD_TCP_ACK = 0x10
};

typedef struct td_pkt {
    double ts;              /* seconds since the epoch */
    uint8_t family;         /* 4 or 6 */
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
    uint16_t sport, dport;
    uint8_t ttl;            /* TTL, or the IPv6 hop limit */
    bool has_ip_id;         /* IPv4 only: IPv6 has no ID outside a fragment header */
    uint16_t ip_id;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t mss;           /* the MSS option of a SYN, 0 none */
    td_rd payload;          /* the TCP payload as far as it was captured */
    uint32_t payload_len;   /* its length on the wire, from the IP header */
} td_pkt;

typedef enum {
    TD_FRAME_TCP,   /* a TCP segment: *out is filled in */
    TD_FRAME_OTHER, /* well-formed, but not TCP over IP (ARP, UDP, a later fragment) */
    TD_FRAME_BAD    /* cut or malformed before the TCP payload: *why says where */
} td_frame;

/* Whether the link type is one td_frame_decode reads. */
bool td_link_supported(int linktype);
/* A short name for a link type ("Ethernet", "Linux cooked v2"), NULL when
 * unsupported. */
const char *td_link_name(int linktype);
/* Decodes one captured frame of caplen bytes.  The payload view points
 * into frame. */
td_frame td_frame_decode(int linktype, const uint8_t *frame, size_t caplen, td_pkt *out, const char **why);

#endif
