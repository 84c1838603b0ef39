/* Unit tests for lib/logs: log times, client addresses and SNI, the Apache
 * line pairs, bounded counters, and hostile input (long lines, NUL bytes,
 * lines split across reads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs/count.h"
#include "logs/logs_int.h"
#include "logs/parse.h"

static void test_times(void **state)
{
    (void)state;
    const int64_t t = 1796643600; /* 2026-12-07 11:40:00 */
    static const char *const forms[] = {
        "2026/12/07 11:40:00 [info] 1#1: *1 ...",
        "[Mon Dec 07 11:40:00.123456 2026] [ssl:info] [pid 1:tid 2] ...",
        "2026-12-07T11:40:00+01:00 host nginx[1]: ...",
        "2026-12-07 11:40:00 ...",
        "Dec  7 11:40:00 lb haproxy[1]: 10.1.2.3:5000 [07/Dec/2026:11:40:00.123] fe/1: SSL handshake failure",
        "10.1.2.3:5000 [07/Dec/2026:11:40:00.123] fe/1: SSL handshake failure",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (td_ltime(forms[i], strlen(forms[i]), 2026) != t)
            fail_msg("%s: got %lld", forms[i], (long long)td_ltime(forms[i], strlen(forms[i]), 2026));
    /* a time that is not one */
    assert_int_equal(td_ltime("2026/13/07 11:40:00", 19, 2026), -1);
    assert_int_equal(td_ltime("Foo  7 11:40:00 x", 17, 2026), -1);
    assert_int_equal(td_ltime("", 0, 2026), -1);
    assert_int_equal(td_lsince("2026-12-07 11:40", 0, 2026), t);
    assert_int_equal(td_lsince("2026-12-07", 0, 2026), t - 11 * 3600 - 40 * 60);
    assert_int_equal(td_lsince("90m", t, 2026), t - 5400);
    assert_int_equal(td_lsince("2d", t, 2026), t - 2 * 86400);
    assert_int_equal(td_lsince("yesterday", t, 2026), -1);
    assert_int_equal(td_lsince("5x", t, 2026), -1);
}

static td_lrec parse(const char *line)
{
    static char norm[TD_LOGS_MAX_LINE + 1];
    td_lrec r;
    td_lparse(td_kb_get(), line, strlen(line), norm, &r);
    return r;
}

static void test_lines(void **state)
{
    (void)state;
    td_lrec r = parse("2026/12/07 11:40:00 [info] 1#1: *5 SSL_do_handshake() failed (SSL: error:0A000102:SSL "
                      "routines::unsupported protocol) while SSL handshaking, client: 10.1.2.3, server: 0.0.0.0:443");
    assert_int_equal(r.kind, TD_LREC_FAIL);
    assert_string_equal(r.client, "10.1.2.3");
    assert_int_equal(r.writer, TD_XSIDE_SERVER);
    r = parse("[Mon Dec 07 11:40:00.1 2026] [ssl:info] [pid 7:tid 9] [client 2001:db8::5:50000] AH02008: SSL "
              "library error 1 in handshake (server app.test:443)");
    assert_int_equal(r.kind, TD_LREC_OPENS);
    assert_string_equal(r.thread, "[pid 7:tid 9");
    assert_string_equal(r.client, "2001:db8::5:50000"); /* Apache's IPv6: the port cannot be told apart */
    r = parse("[Mon Dec 07 11:40:00.1 2026] [ssl:info] [pid 7:tid 9] SSL Library Error: error:0A000418:SSL "
              "routines::tlsv1 alert unknown ca (SSL alert number 48)");
    assert_int_equal(r.kind, TD_LREC_REASON);
    r = parse("Dec  7 11:40:00 lb haproxy[1]: 192.0.2.7:5000 [07/Dec/2026:11:40:00.123] fe/1: SSL handshake failure "
              "ssl_fc_sni=app.test ssl_fc_err=167772418");
    assert_int_equal(r.kind, TD_LREC_FAIL);
    assert_string_equal(r.client, "192.0.2.7");
    assert_string_equal(r.sni, "app.test");
    bool unsupported = false;
    for (size_t i = 0; i < r.nhits; i++)
        unsupported |= r.hits[i].pat->ossl == 258;
    assert_true(unsupported); /* 167772418 is 0x0A000102 */
    r = parse("x [07/Dec/2026:11:40:00.123] fe/1: SSL handshake failure ssl_fc_err=0x0A000086");
    bool verify = false;
    for (size_t i = 0; i < r.nhits; i++)
        verify |= r.hits[i].pat->ossl == 134;
    assert_true(verify);
    r = parse("2026/12/07 11:40:00 http: TLS handshake error from [::1]:50000: remote error: tls: bad certificate");
    assert_int_equal(r.kind, TD_LREC_FAIL);
    assert_string_equal(r.client, "::1");
    r = parse("2026/12/07 11:40:00 [error] 1#1: *9 upstream SSL certificate verify error: (20:unable to get local "
              "issuer certificate) while SSL handshaking to upstream, client: 10.1.2.3, server: app.test");
    assert_int_equal(r.writer, TD_XSIDE_CLIENT);
    /* no client: a start-up warning, not a failed handshake */
    r = parse("[Mon Dec 07 11:40:00.1 2026] [ssl:warn] [pid 7:tid 7] AH01909: app.test:443:0 server certificate "
              "does NOT include an ID which matches the server name");
    assert_int_equal(r.kind, TD_LREC_NONE);
    /* nothing about TLS */
    r = parse("2026/12/07 11:40:00 [error] 1#1: *9 open() \"/srv/x\" failed (2: No such file), client: 10.1.2.3");
    assert_int_equal(r.kind, TD_LREC_NONE);
    assert_int_equal(r.nhits, 0);
}

static void test_table_bounded(void **state)
{
    (void)state;
    td_ltable t;
    assert_int_equal(td_ltable_init(&t, 8), 0);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof key, "10.0.%d.%d", i / 256, i % 256);
        td_ltable_add(&t, key, (size_t)n, i % 5, (uint64_t)(i == 3 ? 50 : 1));
    }
    assert_true(t.used <= t.cap / 2);
    assert_int_equal(t.overflow + t.used + 49, 1000 + 49);
    const td_lslot *top[4];
    assert_int_equal(td_ltable_top(&t, -1, top, NULL, 4), 4);
    assert_string_equal(top[0]->key, "10.0.0.3");
    assert_int_equal(top[0]->count, 50);
    uint64_t cnt[4];
    assert_int_equal(td_ltable_top(&t, 3, top, cnt, 4), 1); /* only 10.0.0.3 has tag 3 among the keys kept */
    assert_int_equal(cnt[0], 50);
    /* more tags on one key than it keeps: the rest is counted apart */
    td_ltable_add(&t, "10.0.0.3", 8, 0, 1);
    td_ltable_add(&t, "10.0.0.3", 8, 1, 1);
    td_ltable_add(&t, "10.0.0.3", 8, 2, 1);
    td_ltable_add(&t, "10.0.0.3", 8, 4, 1);
    assert_int_equal(t.sub_overflow, 1);
    /* a key longer than the slot is cut, not overrun */
    char big[200];
    memset(big, 'a', sizeof big);
    td_ltable_free(&t);
    assert_int_equal(td_ltable_init(&t, 4), 0);
    td_ltable_add(&t, big, sizeof big, -1, 1);
    size_t total = 0;
    for (size_t i = 0; i < t.cap; i++)
        total += strlen(t.slots[i].key);
    assert_int_equal(total, TD_LKEY_MAX - 1);
    td_ltable_free(&t);
}

static const char apache_log[] =
    "[Mon Dec 07 11:40:00.1 2026] [ssl:info] [pid 7:tid 9] [client 10.9.9.9:5000] AH02008: SSL library error 1 in "
    "handshake (server app.test:443)\n"
    "[Mon Dec 07 11:40:00.2 2026] [ssl:info] [pid 7:tid 8] [client 10.8.8.8:5000] AH01996: SSL handshake failed: "
    "HTTP spoken on HTTPS port; trying to send HTML error page\n"
    "[Mon Dec 07 11:40:00.3 2026] [ssl:info] [pid 7:tid 9] SSL Library Error: error:0A000102:SSL "
    "routines::unsupported protocol\n"
    "[Mon Dec 07 11:40:00.4 2026] [ssl:info] [pid 7:tid 8] SSL Library Error: error:0A00009C:SSL routines::http "
    "request\n"
    "[Mon Dec 07 11:41:00.1 2026] [ssl:info] [pid 7:tid 5] [client 10.7.7.7:5000] AH02008: SSL library error 1 in "
    "handshake (server app.test:443)\n";

static void test_apache_pairs(void **state)
{
    (void)state;
    td_logs *l = td_logs_new();
    assert_non_null(l);
    /* fed a byte at a time: lines split across reads join up */
    for (size_t i = 0; i < sizeof apache_log - 1; i++)
        td_logs_feed(l, apache_log + i, 1);
    assert_int_equal(td_logs_add_text(l, "", 0), TD_OK);
    assert_int_equal(l->failures, 3);
    assert_int_equal(l->causes[TD_ID_CLIENT_INCOMPATIBLE].count, 1);
    assert_int_equal(l->causes[TD_ID_NOT_TLS].count, 1);
    assert_int_equal(l->causes[TD_ID_NONE].count, 1); /* the AH02008 never followed */
    const td_lslot *top[4];
    assert_int_equal(td_ltable_top(&l->clients, TD_ID_CLIENT_INCOMPATIBLE, top, NULL, 4), 1);
    assert_string_equal(top[0]->key, "10.9.9.9");
    assert_int_equal(l->first, 1796643600);
    assert_int_equal(l->last, 1796643660);
    td_logs_free(l);
}

static void test_hostile(void **state)
{
    (void)state;
    td_logs *l = td_logs_new();
    size_t big = TD_LOGS_MAX_LINE * 3;
    char *s = malloc(big + 400);
    assert_non_null(s);
    memset(s, 'x', big);
    s[big] = '\n';
    static const char tail[] = "2026/12/07 11:40:00 [info] 1#1: *5 SSL_do_handshake() failed (SSL: "
                               "error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: "
                               "10.1.2.3\nabc\0def SSL\n\xff\xfe SSL_do_handshake() failed, client: 1.2.3.4\n";
    memcpy(s + big + 1, tail, sizeof tail - 1);
    assert_int_equal(td_logs_add_text(l, s, big + sizeof tail), TD_OK);
    assert_int_equal(l->lines_long, 1);
    assert_int_equal(l->lines_nul, 1);
    assert_int_equal(l->failures, 2);
    assert_int_equal(l->causes[TD_ID_CLIENT_INCOMPATIBLE].count, 1);
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(td_logs_write_json(l, devnull), 0);
    assert_int_equal(td_logs_write_text(l, devnull, true), 0);
    fclose(devnull);
    free(s);
    td_logs_free(l);
    /* a client address holding bytes that are not UTF-8 (or a terminal
     * escape): counted under '?', and both renderings still written */
    l = td_logs_new();
    static const char odd[] = "2026/12/07 11:40:00 [info] 1#1: *6 peer closed connection in SSL handshake while SSL "
                              "handshaking, client: 0.\xc9\xd9\x1b[31m1.2.4, server: 0.0.0.0:443\n";
    assert_int_equal(td_logs_add_text(l, odd, sizeof odd - 1), TD_OK);
    assert_int_equal(l->failures, 1);
    char *buf = NULL;
    size_t blen = 0;
    FILE *mem = open_memstream(&buf, &blen);
    assert_non_null(mem);
    assert_int_equal(td_logs_write_json(l, mem), 0);
    fclose(mem);
    assert_non_null(strstr(buf, "0.??"));
    assert_null(strchr(buf, '\x1b'));
    free(buf);
    td_logs_free(l);
    /* a file that is not there */
    l = td_logs_new();
    assert_int_equal(td_logs_add_file(l, "/nonexistent/error.log"), TD_ERR_USAGE);
    assert_non_null(strstr(td_logs_error(l), "/nonexistent/error.log"));
    assert_int_equal(td_logs_set_since(l, "soon"), TD_ERR_USAGE);
    td_logs_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),        cmocka_unit_test(test_lines),  cmocka_unit_test(test_table_bounded),
        cmocka_unit_test(test_apache_pairs), cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
