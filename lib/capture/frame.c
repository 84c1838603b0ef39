#include "capture/frame.h"

#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100 /* IEEE 802.1Q */
#define ETH_QINQ 0x88a8 /* IEEE 802.1ad */
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 4

#define IPPROTO_TCP_ 6
#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_AH 51
#define IP6_NONE 59
#define IP6_DSTOPTS 60
#define MAX_IP6_EXT 8

/* BSD address families of the null and loop link types: AF_INET is 2
 * everywhere, AF_INET6 differs between the BSDs (24, 28, 30) and Linux (10). */
#define BSD_AF_INET 2

bool td_link_supported(int linktype)
{
    return td_link_name(linktype) != NULL;
}

const char *td_link_name(int linktype)
{
    switch (linktype) {
    case TD_LINK_NULL: return "BSD loopback";
    case TD_LINK_ETHERNET: return "Ethernet";
    case TD_LINK_RAW: case TD_LINK_RAW_DLT12: case TD_LINK_RAW_DLT14: return "raw IP";
    case TD_LINK_LOOP: return "OpenBSD loopback";
    case TD_LINK_SLL: return "Linux cooked";
    case TD_LINK_SLL2: return "Linux cooked v2";
    case TD_LINK_IPV4: return "raw IPv4";
    case TD_LINK_IPV6: return "raw IPv6";
    default: return NULL;
    }
}

static td_frame bad(const char **why, const char *what)
{
    if (why)
        *why = what;
    return TD_FRAME_BAD;
}

/* The options of a SYN (RFC 9293 section 3.2): only the MSS matters here.
 * Options that do not parse are ignored: the segment itself is still good. */
static uint16_t syn_mss(td_rd opts)
{
    uint8_t kind, len;
    while (td_rd_u8(&opts, &kind) && kind != 0) {
        if (kind == 1) /* no-operation */
            continue;
        td_rd body;
        if (!td_rd_u8(&opts, &len) || len < 2 || !td_rd_sub(&opts, len - 2u, &body))
            return 0;
        uint16_t mss;
        if (kind == 2 && len == 4 && td_rd_u16(&body, &mss))
            return mss;
    }
    return 0;
}

/* RFC 9293 section 3.1: the data offset counts 32-bit words, at least 5. */
static td_frame decode_tcp(td_rd *r, uint32_t seg_len, td_pkt *out, const char **why)
{
    uint8_t off, flags;
    if (!td_rd_u16(r, &out->sport) || !td_rd_u16(r, &out->dport) || !td_rd_u32(r, &out->seq) ||
        !td_rd_u32(r, &out->ack) || !td_rd_u8(r, &off) || !td_rd_u8(r, &flags))
        return bad(why, "TCP header cut short");
    size_t hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20)
        return bad(why, "TCP data offset below 5 words (RFC 9293 section 3.1)");
    if (seg_len < hlen)
        return bad(why, "TCP header longer than the IP payload");
    td_rd opts;
    if (!td_rd_skip(r, 6) || !td_rd_sub(r, hlen - 20, &opts)) /* window, checksum, urgent pointer */
        return bad(why, "TCP header cut short");
    if (flags & TD_TCP_SYN)
        out->mss = syn_mss(opts);
    out->flags = flags;
    out->payload_len = seg_len - (uint32_t)hlen;
    /* A frame may carry Ethernet padding past the IP datagram: only the
     * bytes the IP length covers are payload. */
    size_t have = td_rd_left(r);
    if (!td_rd_sub(r, have < out->payload_len ? have : out->payload_len, &out->payload))
        return bad(why, "TCP payload cut short");
    return TD_FRAME_TCP;
}

/* RFC 791 section 3.1. */
static td_frame decode_ipv4(td_rd *r, td_pkt *out, const char **why)
{
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag, csum;
    if (!td_rd_u8(r, &vihl) || !td_rd_u8(r, &tos) || !td_rd_u16(r, &total) || !td_rd_u16(r, &id) ||
        !td_rd_u16(r, &frag) || !td_rd_u8(r, &ttl) || !td_rd_u8(r, &proto) || !td_rd_u16(r, &csum) ||
        !td_rd_copy(r, out->src, 4) || !td_rd_copy(r, out->dst, 4))
        return bad(why, "IPv4 header cut short");
    if (vihl >> 4 != 4)
        return bad(why, "IPv4 header with another version number");
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if (ihl < 20 || total < ihl)
        return bad(why, "IPv4 header length below 5 words or above the total length (RFC 791 section 3.1)");
    if (!td_rd_skip(r, ihl - 20))
        return bad(why, "IPv4 options cut short");
    out->family = 4;
    out->ttl = ttl;
    out->has_ip_id = true;
    out->ip_id = id;
    /* Only whole datagrams and first fragments carry a TCP header; a
     * fragmented TCP segment is rare enough to be left out. */
    if (proto != IPPROTO_TCP_ || (frag & 0x3fff) != 0)
        return TD_FRAME_OTHER;
    return decode_tcp(r, (uint32_t)(total - ihl), out, why);
}

/* RFC 8200 sections 3 and 4: the fixed header, then a chain of extension
 * headers each naming the next. */
static td_frame decode_ipv6(td_rd *r, td_pkt *out, const char **why)
{
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t next, hops;
    if (!td_rd_u32(r, &vtcfl) || !td_rd_u16(r, &plen) || !td_rd_u8(r, &next) || !td_rd_u8(r, &hops) ||
        !td_rd_copy(r, out->src, 16) || !td_rd_copy(r, out->dst, 16))
        return bad(why, "IPv6 header cut short");
    if (vtcfl >> 28 != 6)
        return bad(why, "IPv6 header with another version number");
    out->family = 6;
    out->ttl = hops;
    uint32_t left = plen;
    for (int k = 0; k < MAX_IP6_EXT && next != IPPROTO_TCP_; k++) {
        uint8_t nh, hl;
        size_t len;
        switch (next) {
        case IP6_HOPOPTS: case IP6_ROUTING: case IP6_DSTOPTS: case IP6_FRAGMENT: case IP6_AH:
            break;
        default: /* UDP, ICMPv6, no next header, ESP: nothing for us */
            return TD_FRAME_OTHER;
        }
        if (!td_rd_u8(r, &nh) || !td_rd_u8(r, &hl))
            return bad(why, "IPv6 extension header cut short");
        if (next == IP6_FRAGMENT) {
            uint16_t off;
            uint32_t ident;
            if (!td_rd_u16(r, &off) || !td_rd_u32(r, &ident))
                return bad(why, "IPv6 fragment header cut short");
            out->has_ip_id = true;
            out->ip_id = (uint16_t)ident;
            if ((off & 0xfff9) != 0) /* an offset or more fragments to come */
                return TD_FRAME_OTHER;
            len = 8;
        } else {
            /* AH counts 4-byte words minus 2 (RFC 4302 section 2.2), the
             * others 8-byte words beyond the first 8 (RFC 8200 section 4.3) */
            len = next == IP6_AH ? ((size_t)hl + 2) * 4 : ((size_t)hl + 1) * 8;
            if (!td_rd_skip(r, len - 2))
                return bad(why, "IPv6 extension header cut short");
        }
        if (left < len)
            return bad(why, "IPv6 extension headers longer than the payload length");
        left -= (uint32_t)len;
        next = nh;
    }
    if (next != IPPROTO_TCP_)
        return TD_FRAME_OTHER;
    return decode_tcp(r, left, out, why);
}

static td_frame decode_ip(td_rd *r, uint16_t ethertype, td_pkt *out, const char **why)
{
    if (ethertype == ETH_IPV4)
        return decode_ipv4(r, out, why);
    if (ethertype == ETH_IPV6)
        return decode_ipv6(r, out, why);
    return TD_FRAME_OTHER;
}

/* Raw IP: the version nibble says which. */
static td_frame decode_raw(td_rd *r, td_pkt *out, const char **why)
{
    uint8_t v;
    if (!td_rd_peek(r, 0, &v))
        return bad(why, "empty raw IP frame");
    if (v >> 4 == 4)
        return decode_ipv4(r, out, why);
    if (v >> 4 == 6)
        return decode_ipv6(r, out, why);
    return TD_FRAME_OTHER;
}

static td_frame decode_ethernet(td_rd *r, td_pkt *out, const char **why)
{
    uint16_t type;
    if (!td_rd_skip(r, 12) || !td_rd_u16(r, &type))
        return bad(why, "Ethernet header cut short");
    for (int k = 0; k < MAX_VLAN_TAGS && (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD); k++)
        if (!td_rd_skip(r, 2) || !td_rd_u16(r, &type))
            return bad(why, "VLAN tag cut short");
    return decode_ip(r, type, out, why);
}

/* The null link type's family is in the writer's byte order: read both. */
static td_frame decode_null(td_rd *r, bool network_order, td_pkt *out, const char **why)
{
    uint8_t fam[4];
    if (!td_rd_copy(r, fam, 4))
        return bad(why, "loopback header cut short");
    uint32_t be = (uint32_t)fam[0] << 24 | (uint32_t)fam[1] << 16 | (uint32_t)fam[2] << 8 | fam[3];
    uint32_t le = (uint32_t)fam[3] << 24 | (uint32_t)fam[2] << 16 | (uint32_t)fam[1] << 8 | fam[0];
    uint32_t af = network_order || be < 256 ? be : le;
    return af == BSD_AF_INET ? decode_ipv4(r, out, why) : decode_raw(r, out, why);
}

td_frame td_frame_decode(int linktype, const uint8_t *frame, size_t caplen, td_pkt *out, const char **why)
{
    td_rd r;
    td_rd_init(&r, frame, caplen);
    memset(out, 0, sizeof *out);
    uint16_t proto;
    switch (linktype) {
    case TD_LINK_ETHERNET:
        return decode_ethernet(&r, out, why);
    case TD_LINK_SLL: /* packet type, ARPHRD, address length, 8 address bytes, protocol */
        if (!td_rd_skip(&r, 14) || !td_rd_u16(&r, &proto))
            return bad(why, "Linux cooked header cut short");
        return decode_ip(&r, proto, out, why);
    case TD_LINK_SLL2: /* protocol, reserved, interface, ARPHRD, packet type, address length, address */
        if (!td_rd_u16(&r, &proto) || !td_rd_skip(&r, 18))
            return bad(why, "Linux cooked v2 header cut short");
        return decode_ip(&r, proto, out, why);
    case TD_LINK_NULL:
        return decode_null(&r, false, out, why);
    case TD_LINK_LOOP:
        return decode_null(&r, true, out, why);
    case TD_LINK_RAW: case TD_LINK_RAW_DLT12: case TD_LINK_RAW_DLT14:
        return decode_raw(&r, out, why);
    case TD_LINK_IPV4:
        return decode_ipv4(&r, out, why);
    case TD_LINK_IPV6:
        return decode_ipv6(&r, out, why);
    default:
        return bad(why, "unsupported link type");
    }
}
