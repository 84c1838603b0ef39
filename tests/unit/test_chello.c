/* Unit tests for the received-ClientHello parser (lib/wire/chello.c):
 * hellos captured from real clients, hellos from lib/wire/hello.c, and
 * malformed ones, each rejected with its offset and rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hellokit.h"
#include "wire/bytes.h"
#include "wire/chello.h"
#include "wire/hello.h"
#include "wire/tls.h"

static td_chello H;

/* Joins the fragments of the handshake records in buf into msg. */
static size_t unframe(const uint8_t *buf, size_t len, uint8_t *msg, size_t cap)
{
    size_t n = 0;
    assert_true(td_hello_unframe(buf, len, msg, cap, &n));
    return n;
}

static void test_openssl_hello(void **state)
{
    (void)state;
    static const uint16_t exts[] = {0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51};
    assert_true(td_chello_parse(&H, hello_openssl, sizeof hello_openssl));
    assert_string_equal(H.error, "");
    assert_false(H.sslv2);
    assert_int_equal(H.size, 330);
    assert_int_equal(H.legacy_version, TD_TLS12);
    assert_int_equal(H.session_id_len, 32);
    assert_int_equal(H.n_suites, 31);
    assert_int_equal(H.suites[0], 0x1302);
    assert_int_equal(H.suites[30], 0x00ff);
    assert_int_equal(H.n_compressions, 1);
    assert_int_equal(H.compressions[0], 0);
    assert_true(H.has_extensions);
    assert_int_equal(H.n_exts, sizeof exts / sizeof exts[0]);
    for (size_t i = 0; i < H.n_exts; i++)
        assert_int_equal(H.exts[i].type, exts[i]);
    assert_true(H.has_sni);
    assert_string_equal(H.sni, "example.com");
    assert_true(H.has_alpn);
    assert_string_equal(H.alpn, "h2,http/1.1");
    assert_int_equal(H.alpn_first_len, 2);
    assert_memory_equal(H.alpn_first, "h2", 2);
    assert_int_equal(H.n_versions, 4);
    assert_int_equal(H.versions[0], TD_TLS13);
    assert_int_equal(H.versions[3], TD_TLS10);
    assert_int_equal(td_chello_max_version(&H), TD_TLS13);
    assert_int_equal(H.n_groups, 10);
    assert_int_equal(H.groups[0], TD_GROUP_X25519);
    assert_int_equal(H.groups[9], TD_GROUP_FFDHE8192);
    assert_int_equal(H.n_shares, 1);
    assert_int_equal(H.share_groups[0], TD_GROUP_X25519);
    assert_int_equal(H.share_lens[0], 32);
    assert_int_equal(H.n_sigalgs, 20);
    assert_int_equal(H.sigalgs[0], 0x0403);
    assert_int_equal(H.n_point_formats, 3);
    assert_true(H.session_ticket);
    assert_int_equal(H.ticket_len, 0);
    assert_false(H.psk);
    assert_false(H.early_data);
    assert_false(H.has_padding);
    const td_chello_ext *e = td_chello_ext_find(&H, TD_EXT_PSK_MODES);
    assert_non_null(e);
    assert_int_equal(td_rd_left(&e->body), 2);
    assert_null(td_chello_ext_find(&H, TD_EXT_PADDING));
}

static void test_curl_hello(void **state)
{
    (void)state;
    assert_true(td_chello_parse(&H, hello_curl, sizeof hello_curl));
    assert_int_equal(H.size, 512);
    assert_string_equal(H.sni, "localhost");
    assert_true(H.has_padding);
    assert_int_equal(H.padding_len, 180);
    assert_int_equal(H.exts[H.n_exts - 1].type, TD_EXT_PADDING);
    assert_non_null(td_chello_ext_find(&H, 49)); /* post_handshake_auth */
    assert_false(H.session_ticket);
}

/* Every captured hello parses, and its decoded lists agree with its
 * extensions. */
static void test_all_captured(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CAPTURED / sizeof CAPTURED[0]; i++) {
        if (!td_chello_parse(&H, CAPTURED[i].msg, CAPTURED[i].len))
            fail_msg("%s: %s", CAPTURED[i].tool, H.error);
        assert_int_equal(H.size, CAPTURED[i].len);
        assert_true(H.n_suites > 0);
        assert_int_equal(H.has_groups, td_chello_ext_find(&H, TD_EXT_SUPPORTED_GROUPS) != NULL);
        assert_int_equal(H.has_sni, td_chello_ext_find(&H, TD_EXT_SERVER_NAME) != NULL);
        assert_int_equal(td_chello_max_version(&H), TD_TLS13);
    }
}

/* A hello of lib/wire/hello.c padded past one record: reassembled, it
 * reads back as the spec said. */
static void test_built_hello_two_records(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0x1301, 0xc02f, 0x009c};
    static const uint16_t groups[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1};
    static const uint16_t sigalgs[] = {0x0804, 0x0403};
    static const uint16_t versions[] = {TD_TLS13, TD_TLS12};
    td_hello_spec sp = {
        .version = TD_TLS13, .versions = versions, .n_versions = 2,
        .suites = suites, .n_suites = 3, .groups = groups, .n_groups = 2,
        .key_shares = groups, .n_key_shares = 2, .sigalgs = sigalgs, .n_sigalgs = 2,
        .sni = "www.example.org.", .alpn = "http/1.1",
        .flags = TD_HELLO_PSK_MODES | TD_HELLO_EMS | TD_HELLO_SCSV_RENEG, .pad_to = 20000,
    };
    static uint8_t rec[24000], msg[24000];
    size_t n = 0;
    assert_int_equal(td_hello_build(&sp, rec, sizeof rec, &n), 0);
    size_t m = unframe(rec, n, msg, sizeof msg);
    assert_true(m > 16384); /* it did span two records */
    size_t k = 0;
    assert_false(td_hello_unframe(rec, n, msg, m - 1, &k)); /* no room */
    assert_false(td_hello_unframe(rec, n - 1, msg, sizeof msg, &k)); /* a record cut */
    rec[0] = TD_CT_ALERT;
    assert_false(td_hello_unframe(rec, n, msg, sizeof msg, &k));
    assert_true(td_chello_parse(&H, msg, m));
    assert_int_equal(H.size, m);
    assert_string_equal(H.sni, "www.example.org");
    assert_string_equal(H.alpn, "http/1.1");
    assert_int_equal(H.n_suites, 4);
    assert_int_equal(H.suites[3], TD_SCSV_RENEGOTIATION);
    assert_int_equal(H.n_versions, 2);
    assert_int_equal(H.n_shares, 2);
    assert_int_equal(H.share_lens[0], 32);
    assert_int_equal(H.share_groups[1], TD_GROUP_SECP256R1);
    assert_int_equal(H.share_lens[1], 65);
    assert_int_equal(H.n_sigalgs, 2);
    assert_true(H.has_padding);
    assert_true(H.padding_len > 19000);
    assert_non_null(td_chello_ext_find(&H, TD_EXT_EMS));
    assert_false(H.has_point_formats);
}

/* An SSLv3 style hello: no extensions block at all. */
static void test_built_hello_no_extensions(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0x000a};
    td_hello_spec sp = {.version = TD_SSL3, .suites = suites, .n_suites = 1, .flags = TD_HELLO_NO_EXTENSIONS};
    uint8_t rec[256], msg[256];
    size_t n = 0;
    assert_int_equal(td_hello_build(&sp, rec, sizeof rec, &n), 0);
    size_t m = unframe(rec, n, msg, sizeof msg);
    assert_true(td_chello_parse(&H, msg, m));
    assert_false(H.has_extensions);
    assert_int_equal(H.n_exts, 0);
    assert_int_equal(H.legacy_version, TD_SSL3);
    assert_int_equal(td_chello_max_version(&H), TD_SSL3);
}

/* Parses a copy of the OpenSSL hello with one byte changed and expects
 * the error to name that offset (-1: any) and contain the rule. */
static void expect_bad(const uint8_t *msg, size_t len, long offset, const char *rule)
{
    assert_false(td_chello_parse(&H, msg, len));
    if (!strstr(H.error, rule))
        fail_msg("error \"%s\" lacks \"%s\"", H.error, rule);
    if (offset >= 0) {
        char at[48];
        snprintf(at, sizeof at, "ClientHello offset %ld:", offset);
        if (strncmp(H.error, at, strlen(at)) != 0)
            fail_msg("error \"%s\" does not start with \"%s\"", H.error, at);
    }
}

static void test_bad_framing(void **state)
{
    (void)state;
    uint8_t m[sizeof hello_openssl + 1];
    memcpy(m, hello_openssl, sizeof hello_openssl);
    m[0] = 2;
    expect_bad(m, sizeof hello_openssl, 0, "is not client_hello(1) (RFC 8446 section 4)");
    m[0] = 1;
    expect_bad(m, sizeof hello_openssl - 1, 1, "runs past the 329 bytes given (RFC 8446 section 4)");
    m[sizeof hello_openssl] = 0;
    expect_bad(m, sizeof m, 330, "1 bytes after the message (RFC 8446 section 4)");
    expect_bad(m, 0, 0, "empty message");
    /* a message cut inside the random, its length adjusted to match */
    static const uint8_t short_msg[] = {0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0xaa, 0xbb};
    expect_bad(short_msg, sizeof short_msg, 4, "truncated before the session id (RFC 8446 section 4.1.2)");
}

/* The offsets of the OpenSSL hello's fields: header 4, version 2, random
 * 32, then the session id length at 38 and its 32 bytes, cipher_suites
 * length at 71. */
static void test_bad_fields(void **state)
{
    (void)state;
    uint8_t m[sizeof hello_openssl];
    memcpy(m, hello_openssl, sizeof m);
    m[38] = 33;
    expect_bad(m, sizeof m, 38, "session id of 33 bytes, at most 32");
    memcpy(m, hello_openssl, sizeof m);
    m[72] = 61; /* odd cipher_suites length */
    expect_bad(m, sizeof m, 71, "odd length 61 (RFC 8446 section 4.1.2)");
    memcpy(m, hello_openssl, sizeof m);
    m[71] = 0xff; /* runs past the message */
    expect_bad(m, sizeof m, 71, "cipher_suites overruns the message");
}

/* A minimal TLS 1.2 hello with the given extensions block appended. */
static size_t hello_with(const uint8_t *exts, size_t n, uint8_t *out, size_t cap)
{
    static const uint16_t suites[] = {0xc02f};
    size_t len = hello_msg(TD_TLS12, suites, 1, exts, n, out, cap);
    assert_true(len > 0);
    return len;
}

/* The extensions block starts at offset 47 in hello_with's hellos. */
static void expect_bad_ext(const uint8_t *exts, size_t n, long offset, const char *rule)
{
    uint8_t m[512];
    expect_bad(m, hello_with(exts, n, m, sizeof m), offset, rule);
}

static void test_bad_extensions(void **state)
{
    (void)state;
    static const uint8_t dup[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00};
    expect_bad_ext(dup, sizeof dup, 51, "duplicate extension 23 (RFC 8446 section 4.2)");
    static const uint8_t psk_not_last[] = {0x00, 0x29, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00};
    expect_bad_ext(psk_not_last, sizeof psk_not_last, 51, "after pre_shared_key (RFC 8446 section 4.2.11)");
    static const uint8_t overrun[] = {0x00, 0x17, 0x00, 0x05, 0x00};
    expect_bad_ext(overrun, sizeof overrun, 47, "overruns the extensions block");
    static const uint8_t two_names[] = {0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x00, 0x01, 'a',
                                        0x00, 0x00, 0x01, 'b'};
    expect_bad_ext(two_names, sizeof two_names, 57, "two host_name entries (RFC 6066 section 3)");
    static const uint8_t odd_groups[] = {0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x1d};
    expect_bad_ext(odd_groups, sizeof odd_groups, 51, "supported_groups malformed (RFC 8446 section 4.2.7)");
    static const uint8_t empty_sigalgs[] = {0x00, 0x0d, 0x00, 0x02, 0x00, 0x00};
    expect_bad_ext(empty_sigalgs, sizeof empty_sigalgs, 51, "RFC 8446 section 4.2.3");
    static const uint8_t two_shares[] = {0x00, 0x33, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x01, 0xaa,
                                         0x00, 0x1d, 0x00, 0x01, 0xbb};
    expect_bad_ext(two_shares, sizeof two_shares, 58, "two key shares for group 0x001d (RFC 8446 section 4.2.8)");
    static const uint8_t empty_share[] = {0x00, 0x33, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x00};
    expect_bad_ext(empty_share, sizeof empty_share, 53, "KeyShareEntry malformed (RFC 8446 section 4.2.8)");
    static const uint8_t bad_alpn[] = {0x00, 0x10, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00};
    expect_bad_ext(bad_alpn, sizeof bad_alpn, 51, "(RFC 7301 section 3.1)");
    static const uint8_t bad_versions[] = {0x00, 0x2b, 0x00, 0x02, 0x01, 0x03};
    expect_bad_ext(bad_versions, sizeof bad_versions, 51, "(RFC 8446 section 4.2.1)");
    static const uint8_t bad_padding[] = {0x00, 0x15, 0x00, 0x03, 0x00, 0x00, 0x01};
    expect_bad_ext(bad_padding, sizeof bad_padding, 53, "not zero (RFC 7685 section 3)");
    static const uint8_t bad_formats[] = {0x00, 0x0b, 0x00, 0x01, 0x00};
    expect_bad_ext(bad_formats, sizeof bad_formats, 51, "(RFC 8422 section 5.1.2)");
}

static void test_grease_and_caps(void **state)
{
    (void)state;
    assert_true(td_grease(0x0a0a));
    assert_true(td_grease(0xfafa));
    assert_false(td_grease(0x0a1a));
    assert_false(td_grease(0x1301));
    /* 80 groups: the first TD_CHELLO_MAX_LIST are kept, the rest counted
     * as cut. */
    uint8_t exts[4 + 2 + 160];
    td_wr w;
    td_wr_init(&w, exts, sizeof exts);
    td_wr_u16(&w, TD_EXT_SUPPORTED_GROUPS);
    td_wr_open(&w, 2);
    td_wr_open(&w, 2);
    for (uint16_t g = 0; g < 80; g++)
        td_wr_u16(&w, (uint16_t)(0x0a0a + g));
    td_wr_close(&w);
    td_wr_close(&w);
    assert_true(td_wr_ok(&w));
    uint8_t m[512];
    assert_true(td_chello_parse(&H, m, hello_with(exts, w.len, m, sizeof m)));
    assert_int_equal(H.n_groups, TD_CHELLO_MAX_LIST);
    assert_true(H.groups_truncated);
    assert_int_equal(H.groups[TD_CHELLO_MAX_LIST - 1], 0x0a0a + TD_CHELLO_MAX_LIST - 1);
}

static void test_sslv2_built(void **state)
{
    (void)state;
    static const uint32_t specs[] = {0x010080, 0x00002f, 0x0700c0};
    uint8_t rec[128];
    size_t n = 0;
    assert_int_equal(td_hello_build_sslv2(specs, 3, rec, sizeof rec, &n), 0);
    assert_true(td_chello_is_sslv2(rec, n));
    assert_true(td_chello_parse_sslv2(&H, rec, n));
    assert_true(H.sslv2);
    assert_int_equal(H.size, n);
    assert_int_equal(H.legacy_version, TD_SSL2);
    assert_int_equal(H.n_suites, 1);
    assert_int_equal(H.suites[0], 0x002f);
    assert_int_equal(H.n_v2_only, 2);
    /* the 16-byte challenge is the right half of random */
    static const uint8_t zeros[16];
    assert_memory_equal(H.random, zeros, 16);
    assert_memory_equal(H.random + 16, rec + n - 16, 16);
}

/* RFC 5246 appendix E.2 as a TLS 1.0 client sends it, then broken. */
static void test_sslv2_compat(void **state)
{
    (void)state;
    uint8_t rec[] = {0x80, 0x2f, 0x01, 0x03, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x20,
                     0x00, 0x00, 0x35, 0x00, 0x00, 0xff,
                     1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                     23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    assert_true(td_chello_parse_sslv2(&H, rec, sizeof rec));
    assert_int_equal(H.legacy_version, TD_TLS10);
    assert_int_equal(H.n_suites, 2);
    assert_int_equal(H.suites[1], TD_SCSV_RENEGOTIATION);
    assert_int_equal(H.random[0], 1);
    assert_int_equal(H.random[31], 32);
    assert_false(H.has_extensions);

    assert_false(td_chello_parse_sslv2(&H, rec, sizeof rec - 1));
    assert_non_null(strstr(H.error, "offset 2: record length 47 runs past the 48 bytes given (RFC 5246 appendix E.2)"));
    rec[0] = 0x00;
    assert_false(td_chello_is_sslv2(rec, sizeof rec));
    assert_false(td_chello_parse_sslv2(&H, rec, sizeof rec));
    assert_non_null(strstr(H.error, "offset 0: record header without the high bit"));
    rec[0] = 0x80;
    rec[6] = 0x05; rec[1] = 0x2e; /* 5 bytes of specs, record shortened to match */
    assert_false(td_chello_parse_sslv2(&H, rec, sizeof rec - 1));
    assert_non_null(strstr(H.error, "cipher_spec_length 5 is not a non-zero multiple of 3"));
    rec[6] = 0x06;
    rec[10] = 8; rec[1] = 0x17; /* an 8-byte challenge */
    assert_false(td_chello_parse_sslv2(&H, rec, 2 + 0x17));
    assert_non_null(strstr(H.error, "challenge of 8 bytes, not 16 to 32 (RFC 5246 appendix E.2)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_hello),
        cmocka_unit_test(test_curl_hello),
        cmocka_unit_test(test_all_captured),
        cmocka_unit_test(test_built_hello_two_records),
        cmocka_unit_test(test_built_hello_no_extensions),
        cmocka_unit_test(test_bad_framing),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_bad_extensions),
        cmocka_unit_test(test_grease_and_caps),
        cmocka_unit_test(test_sslv2_built),
        cmocka_unit_test(test_sslv2_compat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
