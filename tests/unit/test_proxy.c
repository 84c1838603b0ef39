/* Unit tests for lib/proxy: the proxy URL, the environment and no_proxy,
 * and the HTTP CONNECT and SOCKS5 engines fed byte vectors (whole, split
 * byte by byte, oversized, garbage, every SOCKS reply code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/leadin.h"
#include "proxy/proxy.h"

/* ---- URLs -------------------------------------------------------------- */

static void test_url(void **state)
{
    (void)state;
    td_proxy px;
    char err[200];
    assert_true(td_proxy_parse_url(&px, "http://proxy.corp:8080", err, sizeof err));
    assert_int_equal(px.scheme, TD_PROXY_HTTP);
    assert_string_equal(px.host, "proxy.corp");
    assert_int_equal(px.port, 8080);
    assert_false(px.auth);

    assert_true(td_proxy_parse_url(&px, "proxy.corp", err, sizeof err)); /* curl: http:// */
    assert_int_equal(px.scheme, TD_PROXY_HTTP);
    assert_int_equal(px.port, 3128);

    assert_true(td_proxy_parse_url(&px, "SOCKS5H://al%40ice:p%3Ass:w@[::1]:1081/", err, sizeof err));
    assert_int_equal(px.scheme, TD_PROXY_SOCKS5H);
    assert_string_equal(px.host, "::1");
    assert_int_equal(px.port, 1081);
    assert_true(px.auth);
    assert_string_equal(px.user, "al@ice");
    assert_string_equal(px.pass, "p:ss:w");
    char url[300];
    assert_true(td_proxy_url(&px, url, sizeof url));
    assert_string_equal(url, "socks5h://[::1]:1081"); /* never the credentials */

    assert_true(td_proxy_parse_url(&px, "socks5://10.0.0.1", err, sizeof err));
    assert_int_equal(px.port, 1080);
    assert_false(td_proxy_by_name(&px));

    static const char *const bad[] = { "https://p:1", "ftp://p", "http://", "http://p:0", "http://p:65536",
                                       "http://p:x", "http://p/path", "http://[::1", "http://u:%4@p",
                                       "http://u%00@p", "http://[::1]x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(td_proxy_parse_url(&px, bad[i], err, sizeof err));
    td_proxy_parse_url(&px, "https://p:1", err, sizeof err);
    assert_non_null(strstr(err, "not supported"));
}

/* ---- no_proxy and the environment --------------------------------------- */

static void test_no_proxy(void **state)
{
    (void)state;
    assert_true(td_no_proxy_match("*", "anything.example"));
    assert_true(td_no_proxy_match("example.com", "example.com"));
    assert_true(td_no_proxy_match("example.com", "www.EXAMPLE.com."));
    assert_true(td_no_proxy_match(".example.com", "a.b.example.com"));
    assert_true(td_no_proxy_match(".example.com", "example.com"));
    assert_false(td_no_proxy_match("example.com", "badexample.com"));
    assert_false(td_no_proxy_match("www.example.com", "example.com"));
    assert_true(td_no_proxy_match("localhost, 10.0.0.0/8 ,intra", "10.200.3.4"));
    assert_false(td_no_proxy_match("localhost, 10.0.0.0/8 ,intra", "11.0.0.1"));
    assert_true(td_no_proxy_match("192.168.1.5", "192.168.1.5"));
    assert_false(td_no_proxy_match("192.168.1.5", "192.168.1.6"));
    assert_true(td_no_proxy_match("192.168.0.0/23", "192.168.1.255"));
    assert_false(td_no_proxy_match("192.168.0.0/23", "192.168.2.0"));
    assert_true(td_no_proxy_match("::1", "[::1]"));
    assert_true(td_no_proxy_match("fd00::/8", "fd12::1"));
    assert_false(td_no_proxy_match("fd00::/8", "fe80::1"));
    assert_false(td_no_proxy_match("10.0.0.0/33", "10.0.0.1")); /* a bad prefix matches nothing */
    assert_false(td_no_proxy_match("", "example.com"));
    assert_false(td_no_proxy_match("10.0.0.1", "10.example.com"));
}

static const char *const *env_table;
static const char *table_env(const char *name)
{
    for (size_t i = 0; env_table[i]; i += 2)
        if (!strcmp(env_table[i], name))
            return env_table[i + 1];
    return NULL;
}

static void test_env(void **state)
{
    (void)state;
    td_proxy px;
    const char *from;
    char err[200];
    static const char *const e1[] = { "HTTPS_PROXY", "http://up:3128", "all_proxy", "socks5://s:1", NULL };
    env_table = e1;
    assert_int_equal(td_proxy_from_env(&px, "example.com", table_env, &from, err, sizeof err), 1);
    assert_string_equal(from, "HTTPS_PROXY");
    assert_string_equal(px.host, "up");

    static const char *const e2[] = { "https_proxy", "", "ALL_PROXY", "socks5h://s:1", "no_proxy",
                                      "other.org", NULL };
    env_table = e2;
    assert_int_equal(td_proxy_from_env(&px, "example.com", table_env, &from, err, sizeof err), 1);
    assert_string_equal(from, "ALL_PROXY");
    assert_int_equal(px.scheme, TD_PROXY_SOCKS5H);
    assert_int_equal(td_proxy_from_env(&px, "www.other.org", table_env, &from, err, sizeof err), 0);
    assert_string_equal(from, "no_proxy");

    static const char *const e3[] = { "https_proxy", "gopher://x", NULL };
    env_table = e3;
    assert_int_equal(td_proxy_from_env(&px, "example.com", table_env, &from, err, sizeof err), -1);
    assert_non_null(strstr(err, "https_proxy"));

    static const char *const e4[] = { NULL };
    env_table = e4;
    assert_int_equal(td_proxy_from_env(&px, "example.com", table_env, &from, err, sizeof err), 0);
    assert_null(from);
}

/* ---- engines --------------------------------------------------------------- */

static td_proxy_conn conn; /* 16 KiB: not on the stack */

static void start(const char *url, const char *host, const char *ip, uint8_t *buf, size_t cap, size_t *n)
{
    td_proxy px;
    char err[200];
    td_addr a;
    assert_true(td_proxy_parse_url(&px, url, err, sizeof err));
    if (ip)
        assert_true(td_addr_from_ip(ip, 443, &a));
    assert_true(td_proxy_conn_init(&conn, &px, host, 443, ip ? &a : NULL));
    td_wr w;
    td_wr_init(&w, buf, cap);
    assert_true(td_proxy_start(&conn, &w));
    *n = w.len;
}

/* Feeds s whole or one byte at a time; returns the last step. */
static td_px_step feed(const void *s, size_t n, bool bytewise, uint8_t *out, size_t *out_n)
{
    td_wr w;
    uint8_t scratch[600];
    td_wr_init(&w, out ? out : scratch, out ? 600 : sizeof scratch);
    td_px_step st = TD_PX_MORE;
    const uint8_t *p = s;
    if (!bytewise)
        st = td_proxy_feed(&conn, p, n, &w);
    for (size_t i = 0; bytewise && i < n && st == TD_PX_MORE; i++)
        st = td_proxy_feed(&conn, p + i, 1, &w);
    if (out_n)
        *out_n = w.len;
    return st;
}

static void test_connect_request(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n;
    start("http://alice:s3cret@proxy:3128", "example.com", NULL, buf, sizeof buf, &n);
    const char *want = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n";
    assert_memory_equal(buf, want, strlen(want));
    buf[n] = 0;
    /* base64("alice:s3cret") */
    assert_non_null(strstr((char *)buf, "\r\nProxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n"));
    assert_memory_equal(buf + n - 4, "\r\n\r\n", 4);

    start("http://proxy", "2001:db8::1", NULL, buf, sizeof buf, &n);
    buf[n] = 0;
    assert_non_null(strstr((char *)buf, "CONNECT [2001:db8::1]:443 HTTP/1.1\r\n"));
    assert_null(strstr((char *)buf, "Proxy-Authorization"));

    td_proxy px;
    char err[100];
    td_wr w;
    td_wr_init(&w, buf, sizeof buf);
    assert_true(td_proxy_parse_url(&px, "http://proxy", err, sizeof err));
    assert_true(td_proxy_conn_init(&conn, &px, "evil\r\nX: y", 443, NULL));
    assert_false(td_proxy_start(&conn, &w)); /* no header injection through the target */
}

static void test_connect_ok(void **state)
{
    (void)state;
    static const char ok[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\n"
                             "Via: 1.1 squid\r\n\r\n\x16\x03\x03";
    uint8_t buf[1024];
    size_t n;
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
        assert_int_equal(feed(ok, sizeof ok - 1, bytewise, NULL, NULL), TD_PX_DONE);
        const uint8_t *rest;
        size_t rn = td_proxy_rest(&conn, &rest);
        /* Byte by byte, the feed stops at the end of the head. */
        assert_int_equal(rn, bytewise ? 0 : 3);
        if (!bytewise)
            assert_memory_equal(rest, "\x16\x03\x03", 3);
    }
    /* Bare LF line ends, HTTP/1.0, no reason phrase. */
    start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("HTTP/1.0 200\n\n", 14, false, NULL, NULL), TD_PX_DONE);
    assert_int_equal(td_proxy_end(&conn, false), TD_PX_DONE);
}

static void test_connect_refused(void **state)
{
    (void)state;
    static const char a407[] = "HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid\r\n"
                               "proxy-authenticate:  Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n";
    uint8_t buf[1024];
    size_t n;
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
        assert_int_equal(feed(a407, sizeof a407 - 1, bytewise, NULL, NULL), TD_PX_FAIL);
        assert_int_equal(conn.fail.kind, TD_PXF_HTTP_STATUS);
        assert_int_equal(conn.fail.code, 407);
        assert_string_equal(conn.fail.reason, "Proxy Authentication Required");
        assert_string_equal(conn.fail.authenticate, "Basic realm=\"corp\"");
    }
    char text[200];
    assert_true(td_proxy_fail_text(&conn.fail, text, sizeof text));
    assert_string_equal(text, "CONNECT answered 407 Proxy Authentication Required");

    static const char *const refusals[] = { "HTTP/1.1 403 Forbidden\r\n\r\n", "HTTP/1.1 502 Bad Gateway\r\n\r\n",
                                            "HTTP/1.1 503 Service Unavailable\r\nX: \x01\r\n\r\n" };
    static const int codes[] = { 403, 502, 503 };
    for (size_t i = 0; i < 3; i++) {
        start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
        assert_int_equal(feed(refusals[i], strlen(refusals[i]), false, NULL, NULL), TD_PX_FAIL);
        assert_int_equal(conn.fail.code, codes[i]);
        assert_string_equal(conn.fail.authenticate, "");
    }
    /* The body after a refusal is not read: the head is the answer. */
    start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("HTTP/1.1 403 Forbidden\r\n\r\n<html>", 32, false, NULL, NULL), TD_PX_FAIL);
}

static void test_connect_garbage(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n;
    static const char *const junk[] = { "SSH-2.0-OpenSSH_9.2\r\n", "\x16\x03\x01\x01\x02\n",
                                        "HTTP/2 200\r\n\r\n",        "HTTP/1.1 20 OK\r\n\r\n",
                                        "HTTP/1.1 200OK\r\n\r\n",    "HTTP/1.1 099 x\r\n\r\n",
                                        "HTTP/1.1 200 OK\r\n folded\r\n\r\n" };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
        assert_int_equal(feed(junk[i], strlen(junk[i]), false, NULL, NULL), TD_PX_FAIL);
        assert_int_equal(conn.fail.kind, TD_PXF_MALFORMED);
    }
    /* Headers that never end: bounded. */
    start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("HTTP/1.1 200 OK\r\n", 17, false, NULL, NULL), TD_PX_MORE);
    static char line[1000];
    memset(line, 'a', sizeof line - 2);
    memcpy(line + sizeof line - 2, "\r\n", 2);
    td_px_step st = TD_PX_MORE;
    for (int i = 0; i < 40 && st == TD_PX_MORE; i++)
        st = feed(line, sizeof line, false, NULL, NULL);
    assert_int_equal(st, TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_MALFORMED);
    assert_non_null(strstr(conn.fail.reason, "16384"));

    /* A close or a silence before the head ends. */
    start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("HTTP/1.1 200 OK\r\n", 17, false, NULL, NULL), TD_PX_MORE);
    assert_int_equal(td_proxy_end(&conn, false), TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_CLOSED);
    start("http://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(td_proxy_end(&conn, true), TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_TIMEOUT);
    assert_string_equal(conn.fail.reason, "the proxy sent nothing");
}

static void test_socks_by_name(void **state)
{
    (void)state;
    uint8_t buf[600], out[600];
    size_t n, on;
    start("socks5h://u:pw@proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "\x05\x02\x00\x02", 4);
    assert_int_equal(feed("\x05\x02", 2, false, out, &on), TD_PX_MORE);
    assert_int_equal(on, 6);
    assert_memory_equal(out, "\x01\x01u\x02pw", 6);
    assert_int_equal(feed("\x01\x00", 2, false, out, &on), TD_PX_MORE);
    static const uint8_t req[] = { 5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 1, 0xbb };
    assert_int_equal(on, sizeof req);
    assert_memory_equal(out, req, sizeof req);
    /* The reply split byte by byte, with a name as BND.ADDR and a tunnel byte after. */
    static const uint8_t rep[] = { 5, 0, 0, 3, 2, 'h', 'x', 0x12, 0x34, 0x16 };
    assert_int_equal(feed(rep, sizeof rep - 1, true, NULL, NULL), TD_PX_DONE);
    const uint8_t *rest;
    assert_int_equal(td_proxy_rest(&conn, &rest), 0);

    start("socks5h://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\x00", 2, false, out, &on), TD_PX_MORE);
    assert_memory_equal(out, req, sizeof req);
    assert_int_equal(feed(rep, sizeof rep, false, NULL, NULL), TD_PX_DONE);
    assert_int_equal(td_proxy_rest(&conn, &rest), 1);
    assert_int_equal(rest[0], 0x16);
}

static void test_socks_by_ip(void **state)
{
    (void)state;
    uint8_t buf[600], out[600];
    size_t n, on;
    start("socks5://proxy", "example.com", "192.0.2.7", buf, sizeof buf, &n);
    assert_memory_equal(buf, "\x05\x01\x00", 3);
    assert_int_equal(feed("\x05\x00", 2, false, out, &on), TD_PX_MORE);
    assert_int_equal(on, 10);
    assert_memory_equal(out, "\x05\x01\x00\x01\xc0\x00\x02\x07\x01\xbb", 10);
    assert_int_equal(feed("\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x50", 10, false, NULL, NULL), TD_PX_DONE);

    start("socks5://proxy", "example.com", "2001:db8::9", buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\x00", 2, false, out, &on), TD_PX_MORE);
    assert_int_equal(on, 22);
    assert_int_equal(out[3], 4);

    /* socks5h sends an IP literal as the address it is */
    start("socks5h://proxy", "::1", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\x00", 2, false, out, &on), TD_PX_MORE);
    assert_int_equal(on, 22);
    assert_int_equal(out[3], 4);
    assert_int_equal(out[19], 1);

    /* socks5 without an address cannot say where to go */
    td_proxy px;
    char err[100];
    assert_true(td_proxy_parse_url(&px, "socks5://proxy", err, sizeof err));
    assert_false(td_proxy_conn_init(&conn, &px, "example.com", 443, NULL));
}

static void test_socks_failures(void **state)
{
    (void)state;
    uint8_t buf[600];
    size_t n;
    for (unsigned rep = 1; rep <= 9; rep++) {
        start("socks5h://proxy", "example.com", NULL, buf, sizeof buf, &n);
        assert_int_equal(feed("\x05\x00", 2, false, NULL, NULL), TD_PX_MORE);
        uint8_t r[2] = { 5, (uint8_t)rep };
        assert_int_equal(feed(r, 2, false, NULL, NULL), TD_PX_FAIL);
        assert_int_equal(conn.fail.kind, TD_PXF_SOCKS_REPLY);
        assert_int_equal(conn.fail.code, rep);
        assert_string_equal(conn.fail.reason, td_socks_reply_name((uint8_t)rep));
    }
    assert_string_equal(td_socks_reply_name(2), "connection not allowed by ruleset");
    assert_string_equal(td_socks_reply_name(5), "connection refused");
    assert_string_equal(td_socks_reply_name(9), "unassigned");

    start("socks5h://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\xff", 2, false, NULL, NULL), TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_SOCKS_METHOD);

    start("socks5h://u:p@proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\x02\x01\x01", 4, false, NULL, NULL), TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_SOCKS_AUTH);
    assert_int_equal(conn.fail.code, 1);

    /* A method not offered, another version, an unknown address type. */
    static const char *const junk[] = { "\x05\x02", "\x04\x01", "HTTP/1.1 400 Bad Request\r\n" };
    for (size_t i = 0; i < 3; i++) {
        start("socks5h://proxy", "example.com", NULL, buf, sizeof buf, &n);
        assert_int_equal(feed(junk[i], strlen(junk[i]), false, NULL, NULL), TD_PX_FAIL);
        assert_int_equal(conn.fail.kind, TD_PXF_MALFORMED);
    }
    start("socks5h://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\x00\x05\x00\x00\x07", 6, false, NULL, NULL), TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_MALFORMED);
    /* A reply cut short, then the close. */
    start("socks5h://proxy", "example.com", NULL, buf, sizeof buf, &n);
    assert_int_equal(feed("\x05\x00\x05\x00\x00\x01\x7f", 7, false, NULL, NULL), TD_PX_MORE);
    assert_int_equal(td_proxy_end(&conn, false), TD_PX_FAIL);
    assert_int_equal(conn.fail.kind, TD_PXF_CLOSED);
}

/* Through the scheduler's lead-in protocol, reads split a byte at a time. */
static void test_leadin(void **state)
{
    (void)state;
    static const char ans[] = "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03";
    td_proxy_stats stats = { 0 };
    td_proxy_leadin_cfg cfg = { .port = 443, .stats = &stats };
    char err[100], why[TD_LEADIN_WHY_MAX];
    assert_true(td_proxy_parse_url(&cfg.px, "http://proxy", err, sizeof err));
    strcpy(cfg.host, "example.com");
    td_addr a;
    assert_true(td_addr_from_ip("127.0.0.1", 443, &a));
    uint8_t out[600];
    size_t out_len, used;
    for (size_t split = 1; split <= sizeof ans; split += sizeof ans - 1) {
        assert_int_equal(td_leadin_simulate(td_proxy_leadin_ops(TD_PROXY_HTTP), &cfg, &a, (const uint8_t *)ans,
                                            sizeof ans - 1, split, out, sizeof out, &out_len, &used, why, sizeof why),
                         TD_LEADIN_DONE);
        assert_int_equal(used, sizeof ans - 1 - 3); /* the record header is the server's */
        assert_memory_equal(out, "CONNECT example.com:443 ", 24);
    }
    assert_int_equal(stats.up, 2);

    static const uint8_t refused[] = { 5, 0, 5, 2 };
    assert_true(td_proxy_parse_url(&cfg.px, "socks5://proxy", err, sizeof err));
    assert_int_equal(td_leadin_simulate(td_proxy_leadin_ops(TD_PROXY_SOCKS5), &cfg, &a, refused, sizeof refused, 1,
                                        out, sizeof out, &out_len, &used, why, sizeof why),
                     TD_LEADIN_FAIL);
    assert_string_equal(why, "SOCKS5 reply 2 (connection not allowed by ruleset)");
    assert_int_equal(stats.refused, 1);
    assert_int_equal(stats.first.code, 2);
    assert_int_equal(out_len, 3 + 10); /* greeting, then CONNECT to 127.0.0.1:443 */
    assert_memory_equal(out + 3, "\x05\x01\x00\x01\x7f\x00\x00\x01\x01\xbb", 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_no_proxy),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_connect_request),
        cmocka_unit_test(test_connect_ok),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_connect_garbage),
        cmocka_unit_test(test_socks_by_name),
        cmocka_unit_test(test_socks_by_ip),
        cmocka_unit_test(test_socks_failures),
        cmocka_unit_test(test_leadin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
