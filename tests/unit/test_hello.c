/* Unit tests for ClientHello construction (lib/wire/hello.c): every hello is
 * parsed back with td_rd and its structure checked field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/alpn.h"
#include "wire/bytes.h"
#include "wire/hello.h"
#include "wire/tls.h"

#define MAX_EXT 32

/* A ClientHello as read back from the records. */
typedef struct parsed {
    size_t n_records;
    uint16_t rec_version;
    size_t body_len;            /* ClientHello body, without the 4-byte header */
    uint16_t legacy_version;
    uint8_t random[32];
    size_t sid_len;
    uint16_t suites[40000];
    size_t n_suites;
    bool has_ext_block;
    uint16_t ext_type[MAX_EXT];
    td_rd ext_data[MAX_EXT];
    size_t n_ext;
    uint8_t msg[70000];         /* the reassembled handshake message */
} parsed;

static parsed P;

/* Reassembles the handshake message from its records and splits the body. */
static void parse_hello(const uint8_t *buf, size_t len, parsed *p)
{
    memset(p, 0, sizeof *p);
    td_rd r, frag, body, list, exts;
    size_t msg_len = 0;
    td_rd_init(&r, buf, len);
    while (!td_rd_empty(&r)) {
        uint8_t type;
        uint16_t ver;
        assert_true(td_rd_u8(&r, &type));
        assert_int_equal(type, TD_CT_HANDSHAKE);
        assert_true(td_rd_u16(&r, &ver));
        if (p->n_records == 0)
            p->rec_version = ver;
        assert_int_equal(ver, p->rec_version);
        assert_true(td_rd_prefixed16(&r, &frag));
        assert_true(td_rd_left(&frag) > 0);
        assert_true(td_rd_left(&frag) <= 16384);
        assert_true(msg_len + td_rd_left(&frag) <= sizeof p->msg);
        size_t n = td_rd_left(&frag);
        assert_true(td_rd_copy(&frag, p->msg + msg_len, n));
        msg_len += n;
        p->n_records++;
    }
    td_rd m;
    uint8_t hs_type;
    td_rd_init(&m, p->msg, msg_len);
    assert_true(td_rd_u8(&m, &hs_type));
    assert_int_equal(hs_type, TD_HS_CLIENT_HELLO);
    assert_true(td_rd_prefixed24(&m, &body));
    assert_true(td_rd_empty(&m)); /* the length covers exactly the rest */
    p->body_len = td_rd_left(&body);

    assert_true(td_rd_u16(&body, &p->legacy_version));
    assert_true(td_rd_copy(&body, p->random, 32));
    assert_true(td_rd_prefixed8(&body, &list));
    p->sid_len = td_rd_left(&list);
    assert_true(td_rd_prefixed16(&body, &list));
    assert_int_equal(td_rd_left(&list) % 2, 0);
    while (!td_rd_empty(&list))
        assert_true(td_rd_u16(&list, &p->suites[p->n_suites++]));
    assert_true(td_rd_prefixed8(&body, &list));
    assert_int_equal(td_rd_left(&list), 1);
    if (td_rd_empty(&body))
        return;
    p->has_ext_block = true;
    assert_true(td_rd_prefixed16(&body, &exts));
    assert_true(td_rd_empty(&body));
    while (!td_rd_empty(&exts)) {
        assert_true(p->n_ext < MAX_EXT);
        assert_true(td_rd_u16(&exts, &p->ext_type[p->n_ext]));
        assert_true(td_rd_prefixed16(&exts, &p->ext_data[p->n_ext]));
        p->n_ext++;
    }
}

static const td_rd *find_ext(const parsed *p, uint16_t type)
{
    for (size_t i = 0; i < p->n_ext; i++)
        if (p->ext_type[i] == type)
            return &p->ext_data[i];
    return NULL;
}

static const uint16_t suites12[] = {0xc02f, 0xc030, 0x009c};
static const uint16_t groups[] = {29, 23};
static const uint16_t sigalgs[] = {0x0403, 0x0804};
static const uint8_t fixed_random[32] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

static uint8_t out[80000];

/* A TLS 1.2 hello with a fixed random compared against a hand-written
 * vector, byte for byte. */
static void test_tls12_exact(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0xc02f};
    static const uint16_t grp[] = {23};
    td_hello_spec s = {
        .version = TD_TLS12, .suites = suites, .n_suites = 1, .groups = grp, .n_groups = 1,
        .sni = "a.io", .flags = TD_HELLO_EMS | TD_HELLO_RENEG_EXT | TD_HELLO_SCSV_RENEG,
        .random = fixed_random,
    };
    static const uint8_t want[] = {
        0x16, 0x03, 0x01, 0x00, 0x4f,             /* record: handshake, 0x0301, 79 bytes */
        0x01, 0x00, 0x00, 0x4b,                   /* ClientHello, 75 bytes */
        0x03, 0x03,                               /* legacy_version TLS 1.2 */
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
        0x00,                                     /* empty session id */
        0x00, 0x04, 0xc0, 0x2f, 0x00, 0xff,       /* suites: c02f + renegotiation SCSV */
        0x01, 0x00,                               /* compression: null */
        0x00, 0x1e,                               /* extensions, 30 bytes */
        0x00, 0x00, 0x00, 0x09, 0x00, 0x07, 0x00, 0x00, 0x04, 'a', '.', 'i', 'o', /* server_name */
        0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, /* supported_groups: secp256r1 */
        0x00, 0x17, 0x00, 0x00,                   /* extended_master_secret */
        0xff, 0x01, 0x00, 0x01, 0x00,             /* renegotiation_info, empty */
    };
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(out, want, sizeof want);
}

static void test_tls12_structure(void **state)
{
    (void)state;
    td_hello_spec s = {
        .version = TD_TLS12, .suites = suites12, .n_suites = 3, .groups = groups, .n_groups = 2,
        .sigalgs = sigalgs, .n_sigalgs = 2, .sni = "example.com.", .alpn = "h2,http/1.1",
        .flags = TD_HELLO_EC_POINT_FORMATS | TD_HELLO_STATUS_REQUEST | TD_HELLO_SCT | TD_HELLO_ETM |
                 TD_HELLO_TICKET | TD_HELLO_SCSV_FALLBACK,
    };
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.n_records, 1);
    assert_int_equal(P.rec_version, TD_TLS10);
    assert_int_equal(P.legacy_version, TD_TLS12);
    assert_int_equal(P.sid_len, 0);
    assert_int_equal(P.n_suites, 4);
    assert_int_equal(P.suites[0], 0xc02f);
    assert_int_equal(P.suites[2], 0x009c);
    assert_int_equal(P.suites[3], TD_SCSV_FALLBACK);

    /* the order the extensions are documented in */
    static const uint16_t order[] = {TD_EXT_SERVER_NAME, TD_EXT_SUPPORTED_GROUPS, TD_EXT_EC_POINT_FORMATS,
                                     TD_EXT_SIGNATURE_ALGS, TD_EXT_ALPN, TD_EXT_STATUS_REQUEST, TD_EXT_SCT,
                                     TD_EXT_ENCRYPT_THEN_MAC, TD_EXT_SESSION_TICKET};
    assert_int_equal(P.n_ext, sizeof order / sizeof order[0]);
    for (size_t i = 0; i < P.n_ext; i++)
        assert_int_equal(P.ext_type[i], order[i]);
    assert_null(find_ext(&P, TD_EXT_SUPPORTED_VERSIONS));
    assert_null(find_ext(&P, TD_EXT_KEY_SHARE));

    /* server_name: the trailing dot is gone */
    td_rd e = *find_ext(&P, TD_EXT_SERVER_NAME), l, h;
    uint8_t t;
    assert_true(td_rd_prefixed16(&e, &l));
    assert_true(td_rd_empty(&e));
    assert_true(td_rd_u8(&l, &t));
    assert_int_equal(t, 0);
    assert_true(td_rd_prefixed16(&l, &h));
    assert_true(td_rd_empty(&l));
    assert_int_equal(td_rd_left(&h), 11);
    assert_memory_equal(td_rd_ptr(&h), "example.com", 11);

    /* ALPN: 02 "h2" 08 "http/1.1" */
    e = *find_ext(&P, TD_EXT_ALPN);
    static const uint8_t alpn[] = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    assert_int_equal(td_rd_left(&e), sizeof alpn);
    assert_memory_equal(td_rd_ptr(&e), alpn, sizeof alpn);

    /* status_request: ocsp, empty lists */
    e = *find_ext(&P, TD_EXT_STATUS_REQUEST);
    static const uint8_t sr[] = {0x01, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(td_rd_left(&e), sizeof sr);
    assert_memory_equal(td_rd_ptr(&e), sr, sizeof sr);

    /* signature_algorithms */
    e = *find_ext(&P, TD_EXT_SIGNATURE_ALGS);
    static const uint8_t sa[] = {0x00, 0x04, 0x04, 0x03, 0x08, 0x04};
    assert_int_equal(td_rd_left(&e), sizeof sa);
    assert_memory_equal(td_rd_ptr(&e), sa, sizeof sa);

    /* ec_point_formats: uncompressed */
    e = *find_ext(&P, TD_EXT_EC_POINT_FORMATS);
    static const uint8_t pf[] = {0x01, 0x00};
    assert_int_equal(td_rd_left(&e), sizeof pf);
    assert_memory_equal(td_rd_ptr(&e), pf, sizeof pf);
}

static void test_sni_absent(void **state)
{
    (void)state;
    const char *names[] = {NULL, "", "192.0.2.1", "2001:db8::1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        td_hello_spec s = {.version = TD_TLS12, .suites = suites12, .n_suites = 3, .sni = names[i],
                           .flags = TD_HELLO_EMS};
        size_t n = 0;
        assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
        parse_hello(out, n, &P);
        assert_null(find_ext(&P, TD_EXT_SERVER_NAME));
        assert_non_null(find_ext(&P, TD_EXT_EMS));
    }
}

static void check_share(const td_rd *entry_list, uint16_t group, size_t want_len, uint8_t first_byte)
{
    td_rd l = *entry_list, k;
    while (!td_rd_empty(&l)) {
        uint16_t g;
        assert_true(td_rd_u16(&l, &g));
        assert_true(td_rd_prefixed16(&l, &k));
        if (g != group)
            continue;
        assert_int_equal(td_rd_left(&k), want_len);
        if (first_byte) {
            uint8_t b;
            assert_true(td_rd_peek(&k, 0, &b));
            assert_int_equal(b, first_byte);
        }
        return;
    }
    fail_msg("no key share for group %u", group);
}

static void test_tls13(void **state)
{
    (void)state;
    static const uint16_t suites13[] = {0x1301, 0x1302, 0xc02f};
    static const uint16_t shares[] = {29, 23};
    td_hello_spec s = {
        .version = TD_TLS13, .suites = suites13, .n_suites = 3, .groups = groups, .n_groups = 2,
        .key_shares = shares, .n_key_shares = 2, .sigalgs = sigalgs, .n_sigalgs = 2, .sni = "example.com",
        .flags = TD_HELLO_PSK_MODES,
    };
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.rec_version, TD_TLS10);
    assert_int_equal(P.legacy_version, TD_TLS12);
    assert_int_equal(P.sid_len, 32);

    td_rd e = *find_ext(&P, TD_EXT_SUPPORTED_VERSIONS);
    static const uint8_t sv[] = {0x02, 0x03, 0x04};
    assert_int_equal(td_rd_left(&e), sizeof sv);
    assert_memory_equal(td_rd_ptr(&e), sv, sizeof sv);

    e = *find_ext(&P, TD_EXT_PSK_MODES);
    static const uint8_t pm[] = {0x01, 0x01};
    assert_int_equal(td_rd_left(&e), sizeof pm);
    assert_memory_equal(td_rd_ptr(&e), pm, sizeof pm);

    td_rd ks = *find_ext(&P, TD_EXT_KEY_SHARE), list;
    assert_true(td_rd_prefixed16(&ks, &list));
    assert_true(td_rd_empty(&ks));
    assert_int_equal(td_rd_left(&list), (2 + 2 + 32) + (2 + 2 + 65));
    check_share(&list, 29, 32, 0);
    check_share(&list, 23, 65, 0x04);
}

static void test_tls13_more_groups(void **state)
{
    (void)state;
    static const uint16_t suites13[] = {0x1301};
    static const uint16_t shares[] = {30, 24, 25, 256};
    td_hello_spec s = {.version = TD_TLS13, .suites = suites13, .n_suites = 1, .groups = shares,
                       .n_groups = 4, .key_shares = shares, .n_key_shares = 4};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    td_rd ks = *find_ext(&P, TD_EXT_KEY_SHARE), list;
    assert_true(td_rd_prefixed16(&ks, &list));
    check_share(&list, 30, 56, 0);
    check_share(&list, 24, 97, 0x04);
    check_share(&list, 25, 133, 0x04);
    check_share(&list, 256, 256, 0);
}

static void test_tls13_empty_key_share(void **state)
{
    (void)state;
    /* no shares at all: an empty client_shares, which asks for an HRR */
    static const uint16_t suites13[] = {0x1301};
    td_hello_spec s = {.version = TD_TLS13, .suites = suites13, .n_suites = 1, .groups = groups, .n_groups = 2};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    td_rd e = *find_ext(&P, TD_EXT_KEY_SHARE);
    static const uint8_t empty[] = {0x00, 0x00};
    assert_int_equal(td_rd_left(&e), 2);
    assert_memory_equal(td_rd_ptr(&e), empty, 2);
}

static void test_bad_key_shares(void **state)
{
    (void)state;
    static const uint16_t suites13[] = {0x1301};
    static const uint16_t unknown[] = {0x11ec};   /* a hybrid group we cannot generate */
    static const uint16_t twice[] = {29, 29};
    td_hello_spec s = {.version = TD_TLS13, .suites = suites13, .n_suites = 1, .key_shares = unknown,
                       .n_key_shares = 1};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), -1);
    s.key_shares = twice;
    s.n_key_shares = 2;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), -1);
}

static void test_versions_list(void **state)
{
    (void)state;
    /* a future version first, then 1.3 and 1.2 */
    static const uint16_t vers[] = {0x0305, TD_TLS13, TD_TLS12};
    static const uint16_t suites13[] = {0x1301};
    td_hello_spec s = {.version = TD_TLS13, .versions = vers, .n_versions = 3, .suites = suites13, .n_suites = 1};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    td_rd e = *find_ext(&P, TD_EXT_SUPPORTED_VERSIONS);
    static const uint8_t sv[] = {0x06, 0x03, 0x05, 0x03, 0x04, 0x03, 0x03};
    assert_int_equal(td_rd_left(&e), sizeof sv);
    assert_memory_equal(td_rd_ptr(&e), sv, sizeof sv);

    /* below TLS 1.3 the list is only sent when given */
    s.version = TD_TLS12;
    s.versions = NULL;
    s.n_versions = 0;
    s.suites = suites12;
    s.n_suites = 3;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_null(find_ext(&P, TD_EXT_SUPPORTED_VERSIONS));
    assert_false(P.has_ext_block);
}

static void test_sslv3_no_extensions(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0x000a, 0x002f};
    td_hello_spec s = {.version = TD_SSL3, .suites = suites, .n_suites = 2, .sni = "example.com",
                       .groups = groups, .n_groups = 2, .pad_to = 512,
                       .flags = TD_HELLO_NO_EXTENSIONS | TD_HELLO_EMS | TD_HELLO_SCSV_RENEG};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.rec_version, TD_SSL3);
    assert_int_equal(P.legacy_version, TD_SSL3);
    assert_false(P.has_ext_block);
    assert_int_equal(P.n_suites, 3);
    assert_int_equal(P.suites[2], TD_SCSV_RENEGOTIATION);
    /* version 2+random 32+sid 1+suites 2+6+compression 2 */
    assert_int_equal(P.body_len, 45);

    /* a record version override wins */
    s.version = TD_TLS10;
    s.record_version = TD_SSL3;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.rec_version, TD_SSL3);
    assert_int_equal(P.legacy_version, TD_TLS10);
}

static void test_sigalgs_below_12(void **state)
{
    (void)state;
    td_hello_spec s = {.version = TD_TLS11, .suites = suites12, .n_suites = 3, .sigalgs = sigalgs,
                       .n_sigalgs = 2, .flags = TD_HELLO_EMS};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_null(find_ext(&P, TD_EXT_SIGNATURE_ALGS));
}

static void test_padding(void **state)
{
    (void)state;
    size_t targets[] = {512, 517, 200, 50, 0};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        td_hello_spec s = {.version = TD_TLS12, .suites = suites12, .n_suites = 3, .sni = "example.com",
                           .flags = TD_HELLO_EMS, .pad_to = targets[i]};
        size_t n = 0;
        assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
        parse_hello(out, n, &P);
        if (targets[i] > 100) {
            assert_int_equal(P.body_len, targets[i]);
            assert_int_equal(P.ext_type[P.n_ext - 1], TD_EXT_PADDING);
            td_rd e = P.ext_data[P.n_ext - 1];
            uint8_t b;
            while (td_rd_u8(&e, &b))
                assert_int_equal(b, 0);
        } else {
            /* already longer than the target, or no target: no padding */
            assert_null(find_ext(&P, TD_EXT_PADDING));
        }
    }
}

static void test_padding_small_gap(void **state)
{
    (void)state;
    /* find the natural size, then ask for 2 bytes more: the empty padding
     * extension (4 bytes) overshoots to natural + 4 */
    td_hello_spec s = {.version = TD_TLS12, .suites = suites12, .n_suites = 3, .flags = TD_HELLO_EMS};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    size_t natural = P.body_len;
    s.pad_to = natural + 2;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.body_len, natural + 4);
    assert_int_equal(td_rd_left(find_ext(&P, TD_EXT_PADDING)), 0);
    /* padding alone creates the extensions block */
    s.flags = 0;
    s.pad_to = 512;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.body_len, 512);
    assert_int_equal(P.n_ext, 1);
}

static void test_split_records(void **state)
{
    (void)state;
    /* 20000 suites: a 40000-byte list, so the message needs three records */
    static uint16_t many[20000];
    for (size_t i = 0; i < 20000; i++)
        many[i] = (uint16_t)(0x0100 + i);
    td_hello_spec s = {.version = TD_TLS12, .suites = many, .n_suites = 20000, .sni = "example.com",
                       .record_version = TD_TLS12};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.n_records, 3);
    assert_int_equal(P.rec_version, TD_TLS12);
    assert_int_equal(P.n_suites, 20000);
    for (size_t i = 0; i < 20000; i++)
        assert_int_equal(P.suites[i], many[i]);
    assert_non_null(find_ext(&P, TD_EXT_SERVER_NAME));
    /* the first record is full */
    assert_int_equal(out[3], 0x40);
    assert_int_equal(out[4], 0x00);
    size_t msg = 4 + P.body_len;
    assert_int_equal(n, msg + 3 * 5);

    /* exactly 2^14 bytes of message stay in one record; one more splits */
    s.n_suites = 100;
    s.sni = NULL;
    s.pad_to = 16384 - 4;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.n_records, 1);
    s.pad_to = 16384 - 3;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.n_records, 2);
    assert_int_equal(n, 16384 + 1 + 10);
}

static void test_too_small(void **state)
{
    (void)state;
    td_hello_spec s = {.version = TD_TLS12, .suites = suites12, .n_suites = 3, .sni = "example.com"};
    size_t n = 0;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    size_t need = n;
    assert_int_equal(td_hello_build(&s, out, need, &n), 0);
    assert_int_equal(td_hello_build(&s, out, need - 1, &n), -1);
    assert_int_equal(td_hello_build(&s, out, 4, &n), -1);
    assert_int_equal(td_hello_build(&s, out, 0, &n), -1);

    /* a split hello needs room for every record header */
    static uint16_t many[9000];
    for (size_t i = 0; i < 9000; i++)
        many[i] = (uint16_t)i;
    s.suites = many;
    s.n_suites = 9000;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    parse_hello(out, n, &P);
    assert_int_equal(P.n_records, 2);
    assert_int_equal(n, 4 + P.body_len + 2 * 5);
    need = n;
    assert_int_equal(td_hello_build(&s, out, need - 1, &n), -1);
    assert_int_equal(td_hello_build(&s, out, need, &n), 0);
}

static void test_invalid_specs(void **state)
{
    (void)state;
    size_t n = 0;
    static const uint16_t suites13[] = {0x1301};
    /* no suites and no SCSV */
    td_hello_spec s = {.version = TD_TLS12};
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), -1);
    /* an SCSV alone is a valid list */
    s.flags = TD_HELLO_SCSV_RENEG;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), 0);
    /* SSLv2 goes through its own builder */
    s.version = TD_SSL2;
    assert_int_equal(td_hello_build(&s, out, sizeof out, &n), -1);
    /* TLS 1.3 needs extensions */
    td_hello_spec t = {.version = TD_TLS13, .suites = suites13, .n_suites = 1, .flags = TD_HELLO_NO_EXTENSIONS};
    assert_int_equal(td_hello_build(&t, out, sizeof out, &n), -1);
    /* ALPN: empty name, name over 255 bytes */
    td_hello_spec a = {.version = TD_TLS12, .suites = suites12, .n_suites = 3, .alpn = "h2,,http/1.1"};
    assert_int_equal(td_hello_build(&a, out, sizeof out, &n), -1);
    a.alpn = "h2,";
    assert_int_equal(td_hello_build(&a, out, sizeof out, &n), -1);
    static char longname[300];
    memset(longname, 'x', 256);
    a.alpn = longname;
    assert_int_equal(td_hello_build(&a, out, sizeof out, &n), -1);
    longname[255] = '\0';
    assert_int_equal(td_hello_build(&a, out, sizeof out, &n), 0);
    /* padding beyond what the extensions block can hold */
    a.alpn = NULL;
    a.pad_to = 70000;
    assert_int_equal(td_hello_build(&a, out, sizeof out, &n), -1);
    assert_int_equal(td_hello_build(NULL, out, sizeof out, &n), -1);
}

/* ALPN lists both ways: the names SSL_set_alpn_protos() takes, and the
 * checks on a list and on a server's single answer (RFC 7301 section 3.1). */
static void test_alpn_lists(void **state)
{
    (void)state;
    uint8_t buf[600];
    td_wr w;
    td_wr_init(&w, buf, sizeof buf);
    assert_true(td_alpn_write(&w, "h2,http/1.1"));
    static const uint8_t want[] = {0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    assert_true(td_wr_ok(&w));
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    assert_true(td_alpn_list_ok(buf, w.len));

    static const char *const bad[] = {"", ",h2", "h2,", "h2,,http/1.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        td_wr_init(&w, buf, sizeof buf);
        assert_false(td_alpn_write(&w, bad[i]));
    }
    assert_false(td_alpn_write(&w, NULL));
    static char name[300];
    memset(name, 'x', 256);
    td_wr_init(&w, buf, sizeof buf);
    assert_false(td_alpn_write(&w, name));
    name[255] = '\0';
    td_wr_init(&w, buf, sizeof buf);
    assert_true(td_alpn_write(&w, name));
    assert_true(td_wr_ok(&w));
    assert_int_equal(w.len, 256);
    /* a list that does not fit fails the writer, not the names */
    td_wr_init(&w, buf, 5);
    assert_true(td_alpn_write(&w, "h2,http/1.1"));
    assert_false(td_wr_ok(&w));

    static const uint8_t zero_name[] = {0x02, 'h', '2', 0x00};
    static const uint8_t overrun[] = {0x02, 'h', '2', 0x05, 'a', 'b'};
    assert_false(td_alpn_list_ok(zero_name, sizeof zero_name));
    assert_false(td_alpn_list_ok(overrun, sizeof overrun));
    assert_false(td_alpn_list_ok(want, 0));
    assert_false(td_alpn_list_ok(NULL, 3));

    td_rd list, one;
    td_rd_init(&list, want, sizeof want);
    assert_true(td_alpn_next(&list, &one));
    assert_int_equal(td_rd_left(&one), 2);
    assert_true(td_alpn_next(&list, &one));
    assert_int_equal(td_rd_left(&one), 8);
    assert_true(td_rd_empty(&list));
    assert_false(td_alpn_next(&list, &one));
    td_rd_init(&list, zero_name + 3, 1);
    assert_false(td_alpn_next(&list, &one));
}

static void test_sslv2(void **state)
{
    (void)state;
    /* SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5 */
    static const uint32_t specs[] = {0x010080, 0x0700c0};
    size_t n = 0;
    assert_int_equal(td_hello_build_sslv2(specs, 2, out, sizeof out, &n), 0);
    static const uint8_t head[] = {
        0x80, 0x1f,             /* 2-byte header, high bit set, 31 bytes */
        0x01,                   /* MSG-CLIENT-HELLO */
        0x00, 0x02,             /* version SSLv2 */
        0x00, 0x06,             /* cipher specs: 6 bytes */
        0x00, 0x00,             /* no session id */
        0x00, 0x10,             /* 16-byte challenge */
        0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
    };
    assert_int_equal(n, 2 + 31);
    assert_memory_equal(out, head, sizeof head);
    /* the record length covers the rest exactly */
    td_rd r, body;
    uint16_t hdr;
    td_rd_init(&r, out, n);
    assert_true(td_rd_u16(&r, &hdr));
    assert_true(td_rd_sub(&r, hdr & 0x7fff, &body));
    assert_true(td_rd_empty(&r));

    assert_int_equal(td_hello_build_sslv2(specs, 2, out, n - 1, &n), -1);
    assert_int_equal(td_hello_build_sslv2(specs, 0, out, sizeof out, &n), -1);
    static const uint32_t bad[] = {0x1000000};
    assert_int_equal(td_hello_build_sslv2(bad, 1, out, sizeof out, &n), -1);
}

static void test_randomness(void **state)
{
    (void)state;
    /* without a given random, two hellos differ in random and session id */
    static const uint16_t suites13[] = {0x1301};
    td_hello_spec s = {.version = TD_TLS13, .suites = suites13, .n_suites = 1};
    static uint8_t a[512], b[512];
    size_t na = 0, nb = 0;
    assert_int_equal(td_hello_build(&s, a, sizeof a, &na), 0);
    assert_int_equal(td_hello_build(&s, b, sizeof b, &nb), 0);
    assert_int_equal(na, nb);
    assert_memory_not_equal(a + 11, b + 11, 32);
    assert_memory_not_equal(a + 44, b + 44, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls12_exact),
        cmocka_unit_test(test_tls12_structure),
        cmocka_unit_test(test_sni_absent),
        cmocka_unit_test(test_tls13),
        cmocka_unit_test(test_tls13_more_groups),
        cmocka_unit_test(test_tls13_empty_key_share),
        cmocka_unit_test(test_bad_key_shares),
        cmocka_unit_test(test_versions_list),
        cmocka_unit_test(test_sslv3_no_extensions),
        cmocka_unit_test(test_sigalgs_below_12),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_padding_small_gap),
        cmocka_unit_test(test_split_records),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_invalid_specs),
        cmocka_unit_test(test_alpn_lists),
        cmocka_unit_test(test_sslv2),
        cmocka_unit_test(test_randomness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
