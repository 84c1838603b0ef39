/* Unit tests for the capture reader: frames (lib/capture/frame.c) from hex
 * vectors of every link type it reads, and the cases it must refuse; TCP
 * reassembly (lib/capture/reasm.c); and a whole capture in memory through
 * td_capture_read_mem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/frame.h"
#include "capture/reasm.h"
#include "tlsdiag.h"

/* IPv4 127.0.0.1 -> 127.0.0.2, TTL 63, ID 0x1234, DF; TCP 40000 -> 443,
 * seq 1000, ack 2000, PSH+ACK, 3 bytes "abc".  Checksums are zero: the
 * reader does not check them. */
#define IPV4_TCP_ABC                                                                                  \
    0x45, 0x00, 0x00, 0x2b, 0x12, 0x34, 0x40, 0x00, 0x3f, 0x06, 0x00, 0x00, 127, 0, 0, 1, 127, 0, 0, 2, \
        0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0, 0x50, 0x18, 0xff, 0xff, \
        0x00, 0x00, 0x00, 0x00, 'a', 'b', 'c'
#define ETH_HDR(type_hi, type_lo) 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, type_hi, type_lo

static void check_abc(const td_pkt *p)
{
    static const uint8_t src[4] = { 127, 0, 0, 1 }, dst[4] = { 127, 0, 0, 2 };
    assert_int_equal(p->family, 4);
    assert_memory_equal(p->src, src, 4);
    assert_memory_equal(p->dst, dst, 4);
    assert_int_equal(p->sport, 40000);
    assert_int_equal(p->dport, 443);
    assert_int_equal(p->seq, 1000);
    assert_int_equal(p->ack, 2000);
    assert_int_equal(p->flags, TD_TCP_PSH | TD_TCP_ACK);
    assert_int_equal(p->ttl, 63);
    assert_true(p->has_ip_id);
    assert_int_equal(p->ip_id, 0x1234);
    assert_int_equal(p->payload_len, 3);
    assert_int_equal(td_rd_left(&p->payload), 3);
    assert_memory_equal(td_rd_ptr(&p->payload), "abc", 3);
}

static td_frame decode(int link, const uint8_t *f, size_t n, td_pkt *p)
{
    const char *why = NULL;
    td_frame r = td_frame_decode(link, f, n, p, &why);
    if (r == TD_FRAME_BAD)
        assert_non_null(why);
    return r;
}

static void test_ethernet_vlan_padding(void **state)
{
    (void)state;
    td_pkt p;
    static const uint8_t plain[] = { ETH_HDR(0x08, 0x00), IPV4_TCP_ABC };
    assert_int_equal(decode(TD_LINK_ETHERNET, plain, sizeof plain, &p), TD_FRAME_TCP);
    check_abc(&p);
    /* 802.1ad outer tag, 802.1Q inner tag, and 3 bytes of Ethernet padding
     * the IP total length leaves out */
    static const uint8_t qinq[] = { ETH_HDR(0x88, 0xa8), 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00,
                                    IPV4_TCP_ABC, 0xee, 0xee, 0xee };
    assert_int_equal(decode(TD_LINK_ETHERNET, qinq, sizeof qinq, &p), TD_FRAME_TCP);
    check_abc(&p);
}

static void test_cooked_null_raw(void **state)
{
    (void)state;
    td_pkt p;
    /* SLL: packet type, ARPHRD_LOOPBACK, address length 6, 8 address bytes, IPv4 */
    static const uint8_t sll[] = { 0, 0, 0x03, 0x04, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00, IPV4_TCP_ABC };
    assert_int_equal(decode(TD_LINK_SLL, sll, sizeof sll, &p), TD_FRAME_TCP);
    check_abc(&p);
    /* SLL2: IPv4, reserved, interface 1, ARPHRD_LOOPBACK, outgoing, address length 6, 8 bytes */
    static const uint8_t sll2[] = { 0x08, 0x00, 0, 0, 0, 0, 0, 1, 0x03, 0x04, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0,
                                    IPV4_TCP_ABC };
    assert_int_equal(decode(TD_LINK_SLL2, sll2, sizeof sll2, &p), TD_FRAME_TCP);
    check_abc(&p);
    /* BSD loopback, AF_INET in little-endian host order */
    static const uint8_t null_le[] = { 2, 0, 0, 0, IPV4_TCP_ABC };
    assert_int_equal(decode(TD_LINK_NULL, null_le, sizeof null_le, &p), TD_FRAME_TCP);
    check_abc(&p);
    /* OpenBSD loopback, AF_INET in network order */
    static const uint8_t loop[] = { 0, 0, 0, 2, IPV4_TCP_ABC };
    assert_int_equal(decode(TD_LINK_LOOP, loop, sizeof loop, &p), TD_FRAME_TCP);
    check_abc(&p);
    static const uint8_t raw[] = { IPV4_TCP_ABC };
    assert_int_equal(decode(TD_LINK_RAW, raw, sizeof raw, &p), TD_FRAME_TCP);
    check_abc(&p);
    assert_int_equal(decode(TD_LINK_RAW_DLT12, raw, sizeof raw, &p), TD_FRAME_TCP);
    assert_int_equal(decode(TD_LINK_IPV4, raw, sizeof raw, &p), TD_FRAME_TCP);
    assert_true(td_link_supported(TD_LINK_SLL2));
    assert_false(td_link_supported(147));
    assert_string_equal(td_link_name(TD_LINK_SLL2), "Linux cooked v2");
}

/* IPv6 ::1 -> ::1, hop limit 64, a hop-by-hop and a destination options
 * header before TCP 443 -> 50000, SYN with MSS 1440, no payload. */
static const uint8_t ipv6_ext[] = {
    0x60, 0, 0, 0, 0x00, 0x28, 0x00, 0x40,               /* payload 40, next: hop-by-hop */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,      /* ::1 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,      /* ::1 */
    60, 0, 1, 4, 0, 0, 0, 0,                             /* hop-by-hop: next dest opts, 8 bytes, PadN */
    6, 0, 1, 4, 0, 0, 0, 0,                              /* dest opts: next TCP */
    0x01, 0xbb, 0xc3, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0,
    0x02, 0x04, 0x05, 0xa0,                              /* MSS 1440 */
};

static void test_ipv6_extension_headers(void **state)
{
    (void)state;
    td_pkt p;
    assert_int_equal(decode(TD_LINK_IPV6, ipv6_ext, sizeof ipv6_ext, &p), TD_FRAME_TCP);
    assert_int_equal(p.family, 6);
    assert_int_equal(p.src[15], 1);
    assert_int_equal(p.ttl, 64);
    assert_false(p.has_ip_id);
    assert_int_equal(p.sport, 443);
    assert_int_equal(p.dport, 50000);
    assert_int_equal(p.flags, TD_TCP_SYN);
    assert_int_equal(p.mss, 1440);
    assert_int_equal(p.payload_len, 0);

    /* cut inside the destination options header */
    assert_int_equal(decode(TD_LINK_IPV6, ipv6_ext, 40 + 8 + 3, &p), TD_FRAME_BAD);
    /* a payload length too short for the extension headers */
    uint8_t v[sizeof ipv6_ext];
    memcpy(v, ipv6_ext, sizeof v);
    v[5] = 10;
    assert_int_equal(decode(TD_LINK_IPV6, v, sizeof v, &p), TD_FRAME_BAD);
    /* UDP after the extension headers: not for us */
    memcpy(v, ipv6_ext, sizeof v);
    v[48] = 17;
    assert_int_equal(decode(TD_LINK_IPV6, v, sizeof v, &p), TD_FRAME_OTHER);
    /* version 4 in an IPv6 link */
    memcpy(v, ipv6_ext, sizeof v);
    v[0] = 0x40;
    assert_int_equal(decode(TD_LINK_IPV6, v, sizeof v, &p), TD_FRAME_BAD);
}

static void test_refused(void **state)
{
    (void)state;
    td_pkt p;
    static const uint8_t good[] = { IPV4_TCP_ABC };
    uint8_t v[sizeof good];
    /* every cut short of the TCP header is malformed */
    for (size_t n = 0; n < 40; n++)
        assert_int_equal(decode(TD_LINK_RAW, good, n, &p), TD_FRAME_BAD);
    /* a cut payload is a snap length, not a fault: the IP length says how much is missing */
    assert_int_equal(decode(TD_LINK_RAW, good, 41, &p), TD_FRAME_TCP);
    assert_int_equal(p.payload_len, 3);
    assert_int_equal(td_rd_left(&p.payload), 1);
    /* one byte changed: what the frame becomes */
    static const struct {
        size_t at;
        uint8_t val;
        td_frame want;
    } cases[] = {
        { 0, 0x44, TD_FRAME_BAD },   /* IHL below 5 words */
        { 3, 10, TD_FRAME_BAD },     /* total length below the header */
        { 32, 0x40, TD_FRAME_BAD },  /* TCP data offset below 5 words */
        { 32, 0xf0, TD_FRAME_BAD },  /* TCP header longer than the datagram */
        { 9, 17, TD_FRAME_OTHER },   /* UDP */
        { 7, 0x10, TD_FRAME_OTHER }, /* a later fragment (offset 16 bytes, DF cleared below) */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(v, good, sizeof v);
        v[cases[k].at] = cases[k].val;
        if (cases[k].at == 7)
            v[6] = 0x00;
        assert_int_equal(decode(TD_LINK_RAW, v, sizeof v, &p), cases[k].want);
    }
    /* ARP over Ethernet, and a header cut in the VLAN tag */
    static const uint8_t arp[] = { ETH_HDR(0x08, 0x06), 0, 1 };
    assert_int_equal(decode(TD_LINK_ETHERNET, arp, sizeof arp, &p), TD_FRAME_OTHER);
    static const uint8_t vlan_cut[] = { ETH_HDR(0x81, 0x00), 0x00 };
    assert_int_equal(decode(TD_LINK_ETHERNET, vlan_cut, sizeof vlan_cut, &p), TD_FRAME_BAD);
    static const uint8_t sll_cut[] = { 0, 0, 0x03, 0x04 };
    assert_int_equal(decode(TD_LINK_SLL, sll_cut, sizeof sll_cut, &p), TD_FRAME_BAD);
    assert_int_equal(decode(TD_LINK_SLL2, sll_cut, sizeof sll_cut, &p), TD_FRAME_BAD);
    assert_int_equal(decode(147, good, sizeof good, &p), TD_FRAME_BAD);
}

/* ---- reassembly ---- */

typedef struct sink {
    char buf[256];
    size_t n;
    size_t gaps;
} sink;

static void collect(void *arg, const uint8_t *data, size_t n, double ts)
{
    (void)ts;
    sink *s = arg;
    for (size_t k = 0; k < n && s->n < sizeof s->buf - 1; k++)
        s->buf[s->n++] = data ? (char)data[k] : '_';
    if (!data)
        s->gaps += n;
    s->buf[s->n] = '\0';
}

static size_t add(td_reasm *r, sink *s, uint32_t seq, const char *text)
{
    size_t n = strlen(text);
    return td_reasm_add(r, seq, (const uint8_t *)text, n, (uint32_t)n, 0, collect, s);
}

static void test_reasm_order(void **state)
{
    (void)state;
    td_reasm r;
    sink s = { .n = 0 };
    td_reasm_init(&r, 1024);
    td_reasm_syn(&r, 99);
    assert_int_equal(add(&r, &s, 100, "hello "), 6);
    assert_int_equal(add(&r, &s, 112, "again"), 0); /* past a hole: held */
    assert_int_equal(add(&r, &s, 100, "hello "), 0); /* sent again */
    assert_int_equal(add(&r, &s, 104, "o wor"), 3);  /* overlaps: only "wor" is new */
    assert_int_equal(add(&r, &s, 109, "ld "), 3);    /* fills the hole: the held part follows */
    td_reasm_flush(&r, 0, collect, &s);
    assert_string_equal(s.buf, "hello world again");
    assert_int_equal(r.retrans, 1);
    assert_int_equal(r.overlaps, 1);
    assert_int_equal(r.out_of_order, 1);
    assert_int_equal(r.missing, 0);
    assert_int_equal(r.delivered, 17);
    td_reasm_free(&r);
}

static void test_reasm_wrap_gap_cap(void **state)
{
    (void)state;
    td_reasm r;
    sink s = { .n = 0 };
    /* sequence numbers wrap (RFC 9293 section 3.4) */
    td_reasm_init(&r, 8);
    td_reasm_syn(&r, 0xfffffffdu);
    add(&r, &s, 0xfffffffeu, "ab");
    add(&r, &s, 0, "cd");
    assert_string_equal(s.buf, "abcd");
    /* the snap length cut 3 of 5 bytes: a gap of 3 */
    td_reasm_add(&r, 2, (const uint8_t *)"ef", 2, 5, 0, collect, &s);
    assert_string_equal(s.buf, "abcdef___");
    assert_int_equal(r.snap_cut, 3);
    /* a hole never filled, and held bytes past the cap: both become gaps */
    add(&r, &s, 7, "ZZZZ");            /* in order */
    add(&r, &s, 20, "123456");         /* held */
    add(&r, &s, 30, "789");            /* over the cap: the hole before 20 is given up */
    assert_true(r.cap_hit);
    td_reasm_flush(&r, 0, collect, &s);
    assert_string_equal(s.buf, "abcdef___ZZZZ_________123456____789");
    assert_int_equal(r.held_bytes, 0);
    assert_int_equal(r.missing, 9 + 4);
    td_reasm_free(&r);
}

/* ---- a whole capture in memory ---- */

typedef struct pcap_buf {
    uint8_t b[4096];
    size_t n;
} pcap_buf;

static void put(pcap_buf *p, const void *v, size_t n)
{
    assert_true(p->n + n <= sizeof p->b);
    memcpy(p->b + p->n, v, n);
    p->n += n;
}

static void put32(pcap_buf *p, uint32_t v)
{
    put(p, &v, 4); /* the file is in host order, as its magic says */
}

/* One raw IPv4 TCP packet of the test connection 10.0.0.1:40000 ->
 * 10.0.0.2:443 (from_server swaps them), at time t (ms). */
static void packet(pcap_buf *p, unsigned t, bool from_server, uint8_t ttl, uint8_t flags, uint32_t seq,
                   const uint8_t *data, size_t n)
{
    uint8_t h[40] = { 0x45, 0, 0, 0, 0, 1, 0x40, 0, ttl, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
    size_t total = 40 + n;
    h[2] = (uint8_t)(total >> 8);
    h[3] = (uint8_t)total;
    if (from_server) {
        h[15] = 2;
        h[19] = 1;
    }
    uint16_t sp = from_server ? 443 : 40000, dp = from_server ? 40000 : 443;
    h[20] = (uint8_t)(sp >> 8);
    h[21] = (uint8_t)sp;
    h[22] = (uint8_t)(dp >> 8);
    h[23] = (uint8_t)dp;
    h[24] = (uint8_t)(seq >> 24);
    h[25] = (uint8_t)(seq >> 16);
    h[26] = (uint8_t)(seq >> 8);
    h[27] = (uint8_t)seq;
    h[32] = 0x50;
    h[33] = flags;
    put32(p, 1700000000u);
    put32(p, t * 1000u);
    put32(p, (uint32_t)total);
    put32(p, (uint32_t)total);
    put(p, h, sizeof h);
    if (n)
        put(p, data, n);
}

/* A ClientHello record: handshake type 1, a 4-byte body the reader does
 * not parse (only its header). */
static const uint8_t tls_hello[] = { 22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0 };

static void capture_file(pcap_buf *p, uint8_t rst_ttl, const uint8_t *hello, size_t hello_len, bool twice)
{
    p->n = 0;
    put32(p, 0xa1b2c3d4u);
    put32(p, 0x00040002u); /* version 2.4 */
    put32(p, 0);
    put32(p, 0);
    put32(p, 65535);
    put32(p, TD_LINK_RAW);
    packet(p, 0, false, 64, TD_TCP_SYN, 100, NULL, 0);
    packet(p, 10, true, 60, TD_TCP_SYN | TD_TCP_ACK, 500, NULL, 0);
    packet(p, 11, false, 64, TD_TCP_ACK, 101, NULL, 0);
    packet(p, 12, false, 64, TD_TCP_ACK | TD_TCP_PSH, 101, hello, hello_len);
    if (twice) /* the same packet on its way out of a forwarding host */
        packet(p, 12, false, 63, TD_TCP_ACK | TD_TCP_PSH, 101, hello, hello_len);
    packet(p, 30, true, rst_ttl, TD_TCP_RST, 501, NULL, 0);
}

/* Runs a capture in memory; its JSON lines must hold every string of want. */
static void expect_json(const uint8_t *file, size_t n, const char *const *want)
{
    td_capture *c = td_capture_new();
    assert_non_null(c);
    assert_int_equal(td_capture_read_mem(c, file, n), TD_OK);
    assert_int_equal(td_capture_handshake_count(c), 1);
    assert_int_equal(td_capture_failure_count(c), 1);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(td_capture_write_json(c, f), 0);
    fclose(f);
    for (; *want; want++)
        if (!strstr(out, *want))
            fail_msg("no %s in %s", *want, out);
    free(out);
    td_capture_free(c);
}

static void expect_root(const uint8_t *file, size_t n, const char *id)
{
    char root[80];
    snprintf(root, sizeof root, "\"root_cause\":{\"index\":0,\"id\":\"%s\"", id);
    const char *const want[] = { root, NULL };
    expect_json(file, n, want);
}

static void test_capture_mem(void **state)
{
    (void)state;
    pcap_buf p;
    /* the server's RST crosses the same 4 hops as its SYN-ACK */
    capture_file(&p, 60, tls_hello, sizeof tls_hello, false);
    expect_root(p.b, p.n, "RESET_AFTER_CLIENTHELLO");
    /* the hello captured twice is one packet, not a retransmission */
    capture_file(&p, 60, tls_hello, sizeof tls_hello, true);
    const char *const want_dup[] = { "\"client\":{\"bytes\":13,\"retransmissions\":0", "\"duplicates\":1",
                                     "in 1 TCP segment (", NULL };
    expect_json(p.b, p.n, want_dup);
    /* a RST with another TTL came from another hop */
    capture_file(&p, 64, tls_hello, sizeof tls_hello, false);
    expect_root(p.b, p.n, "MIDDLEBOX_RESET");

    /* an SSLv2-format CLIENT-HELLO (RFC 5246 appendix E.2): version 3.1,
     * 3 cipher specs, no session id, a 16-byte challenge */
    static const uint8_t v2[] = { 0x80, 0x22, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
                                  0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x01, 0x00, 0x80,
                                  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    capture_file(&p, 60, v2, sizeof v2, false);
    const char *const want_v2[] = { "\"kind\":\"sslv2-hello\"", "\"id\":\"RESET_AFTER_CLIENTHELLO\"",
                                    "up to TLS 1.0, 2 cipher suites", NULL };
    expect_json(p.b, p.n, want_v2);

    /* cut anywhere, the file gives an error or a result, never a crash */
    for (size_t n = 0; n < p.n; n++) {
        td_capture *c = td_capture_new();
        td_status st = td_capture_read_mem(c, p.b, n);
        if (st != TD_OK)
            assert_non_null(td_capture_error(c));
        td_capture_free(c);
    }
    /* a second file starts from nothing, with the same options */
    td_capture *c = td_capture_new();
    assert_int_equal(td_capture_set_port(c, 443), TD_OK);
    assert_int_equal(td_capture_read_mem(c, p.b, p.n), TD_OK);
    assert_int_equal(td_capture_read_mem(c, p.b, p.n), TD_OK);
    assert_int_equal(td_capture_handshake_count(c), 1);
    assert_int_equal(td_capture_set_port(c, 444), TD_OK);
    assert_int_equal(td_capture_read_mem(c, p.b, p.n), TD_ERR_USAGE);
    assert_int_equal(td_capture_handshake_count(c), 0);
    td_capture_free(c);

    c = td_capture_new();
    assert_int_equal(td_capture_read_mem(c, "not a capture", 13), TD_ERR_USAGE);
    assert_non_null(strstr(td_capture_error(c), "not a pcap or pcapng capture"));
    assert_int_equal(td_capture_set_port(c, 0), TD_ERR_USAGE);
    assert_int_equal(td_capture_set_host(c, "example.com"), TD_ERR_USAGE);
    assert_int_equal(td_capture_set_host(c, "[::1]"), TD_OK);
    td_capture_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_vlan_padding),
        cmocka_unit_test(test_cooked_null_raw),
        cmocka_unit_test(test_ipv6_extension_headers),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_reasm_order),
        cmocka_unit_test(test_reasm_wrap_gap_cap),
        cmocka_unit_test(test_capture_mem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
