/* Unit tests for the HOST[:PORT] parser (lib/util/hostport.c) and its two
 * users' defaults: a check's target and pcap's --replay target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture_int.h"
#include "check.h"
#include "tlsdiag.h"
#include "util/hostport.h"

typedef struct good_vec {
    const char *in;
    const char *host;
    unsigned port; /* 0: none given */
    bool v6;
} good_vec;

static const good_vec good[] = {
    { "h", "h", 0, false },
    { "h:1", "h", 1, false },
    { "h:65535", "h", 65535, false },
    { "1.2.3.4:80", "1.2.3.4", 80, false },
    { "[::1]", "::1", 0, true },
    { "[::1]:8443", "::1", 8443, true },
    { "::1", "::1", 0, true },
    { "2001:db8::1", "2001:db8::1", 0, true },
    { "[::ffff:192.0.2.1]:443", "::ffff:192.0.2.1", 443, true },
};

static void test_split_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char host[64] = "x", err[256] = "";
        uint16_t port = 12345;
        bool v6 = !good[i].v6;
        if (td_split_host_port(good[i].in, "target", host, sizeof host, &port, &v6, err, sizeof err) != 0)
            fail_msg("'%s' refused: %s", good[i].in, err);
        assert_string_equal(host, good[i].host);
        assert_int_equal(port, good[i].port);
        assert_int_equal(v6, good[i].v6);
        assert_string_equal(err, "");
    }
}

typedef struct bad_vec {
    const char *in;
    const char *err; /* the whole reason */
} bad_vec;

static const bad_vec bad[] = {
    { "h:0", "bad port '0' in target: use a number from 1 to 65535" },
    { "h:65536", "bad port '65536' in target: use a number from 1 to 65535" },
    { "h:", "bad port '' in target: use a number from 1 to 65535" },
    { "h:443x", "bad port '443x' in target: use a number from 1 to 65535" },
    { ":443", "no host in target ':443'" },
    { "[]:443", "no host in target '[]:443'" },
    { "[::1", "unbalanced '[' in target '[::1'" },
    { "::1]", "unbalanced ']' in target '::1]'" },
    { "[::1]x", "unexpected text after ']' in target '[::1]x'" },
    { "[::1]:", "bad port '' in target: use a number from 1 to 65535" },
    { "[zz]:1", "'zz' is not a valid IPv6 address" },
    { "[1.2.3.4]:443", "'1.2.3.4' is not a valid IPv6 address" },
    { "h:1:2", "'h:1:2' is not a valid IPv6 address; write an address with a port as [ADDR]:PORT" },
    { "2001:db8::g", "'2001:db8::g' is not a valid IPv6 address; write an address with a port as [ADDR]:PORT" },
};

static void test_split_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char host[64], err[256] = "";
        uint16_t port;
        bool v6;
        if (td_split_host_port(bad[i].in, "target", host, sizeof host, &port, &v6, err, sizeof err) != -1)
            fail_msg("'%s' accepted", bad[i].in);
        assert_string_equal(err, bad[i].err);
    }
}

/* The host must fit with its terminator: hostlen - 1 characters do, hostlen
 * do not; the reason names what it was. */
static void test_split_host_length(void **state)
{
    (void)state;
    char in[40], host[16], err[256] = "";
    uint16_t port;
    bool v6;
    memset(in, 'a', 15);
    memcpy(in + 15, ":8", 3);
    assert_int_equal(td_split_host_port(in, "target", host, sizeof host, &port, &v6, err, sizeof err), 0);
    assert_int_equal(strlen(host), 15);
    assert_int_equal(port, 8);

    memset(in, 'a', 16);
    memcpy(in + 16, ":8", 3);
    assert_int_equal(td_split_host_port(in, "DNS server", host, sizeof host, &port, &v6, err, sizeof err), -1);
    assert_string_equal(err, "host in DNS server is too long (16 characters)");

    /* likewise a bracketed address, and a long input is echoed cut short */
    char big[300];
    big[0] = '[';
    memset(big + 1, 'f', 200);
    memcpy(big + 201, "]", 2);
    assert_int_equal(td_split_host_port(big, "target", host, sizeof host, &port, &v6, err, sizeof err), -1);
    assert_string_equal(err, "host in target is too long (200 characters)");
    big[201] = '\0';
    assert_int_equal(td_split_host_port(big, "target", host, sizeof host, &port, &v6, err, sizeof err), -1);
    assert_non_null(strstr(err, "unbalanced '['"));
    assert_true(strlen(err) < 120);
}

/* A reason longer than err is cut, never overrun. */
static void test_split_small_err(void **state)
{
    (void)state;
    char host[64], err[12];
    memset(err, 'z', sizeof err);
    uint16_t port;
    bool v6;
    assert_int_equal(td_split_host_port("[::1", "target", host, sizeof host, &port, &v6, err, sizeof err), -1);
    assert_string_equal(err, "unbalanced ");
}

static void test_is_ip(void **state)
{
    (void)state;
    assert_true(td_is_ipv4("1.2.3.4"));
    assert_false(td_is_ipv4("1.2.3"));
    assert_false(td_is_ipv4("::1"));
    assert_true(td_is_ipv6("::1"));
    assert_true(td_is_ipv6("2001:db8::1"));
    assert_false(td_is_ipv6("[::1]"));
    assert_false(td_is_ipv6("1.2.3.4"));
}

/* A check's target takes 443 and the parser's reasons. */
static void test_target_uses_parser(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(td_options_set_target(o, "h"), 0);
    assert_int_equal(o->target.port, 443);
    assert_int_equal(td_options_set_target(o, "[::1]x"), -1);
    assert_string_equal(td_options_error(o), "unexpected text after ']' in target '[::1]x'");
    assert_int_equal(td_options_set_dns_server(o, "[::1]:0"), -1);
    assert_string_equal(td_options_error(o), "bad port '0' in DNS server: use a number from 1 to 65535");
    td_options_free(o);
}

/* --replay: 443 when no port is given, and the reason when refused. */
static void test_replay_target(void **state)
{
    (void)state;
    static const good_vec replay_good[] = {
        { "example.net", "example.net", 443, false },
        { "127.0.0.1:8443", "127.0.0.1", 8443, false },
        { "[::1]", "::1", 443, true },
        { "::1", "::1", 443, true },
        { "[2001:db8::1]:853", "2001:db8::1", 853, true },
    };
    for (size_t i = 0; i < sizeof replay_good / sizeof *replay_good; i++) {
        td_capture *c = td_capture_new();
        assert_non_null(c);
        if (td_capture_set_replay(c, replay_good[i].in) != TD_OK)
            fail_msg("--replay '%s' refused: %s", replay_good[i].in, td_capture_error(c));
        assert_string_equal(c->replay->host, replay_good[i].host);
        assert_int_equal(c->replay->port, replay_good[i].port);
        assert_string_equal(c->replay->target, replay_good[i].in);
        td_capture_free(c);
    }

    static const bad_vec replay_bad[] = {
        { "[::1]x", "--replay needs HOST[:PORT]: unexpected text after ']' in target '[::1]x'" },
        { "[zz]:1", "--replay needs HOST[:PORT]: 'zz' is not a valid IPv6 address" },
        { "[::1", "--replay needs HOST[:PORT]: unbalanced '[' in target '[::1'" },
        { "::1]", "--replay needs HOST[:PORT]: unbalanced ']' in target '::1]'" },
        { "127.0.0.1:99999", "--replay needs HOST[:PORT]: bad port '99999' in target: use a number from 1 to 65535" },
        { "h:0", "--replay needs HOST[:PORT]: bad port '0' in target: use a number from 1 to 65535" },
        { ":443", "--replay needs HOST[:PORT]: no host in target ':443'" },
        { "", "--replay needs HOST[:PORT]: no host in target ''" },
    };
    for (size_t i = 0; i < sizeof replay_bad / sizeof *replay_bad; i++) {
        td_capture *c = td_capture_new();
        assert_non_null(c);
        if (td_capture_set_replay(c, replay_bad[i].in) != TD_ERR_USAGE)
            fail_msg("--replay '%s' accepted", replay_bad[i].in);
        assert_string_equal(td_capture_error(c), replay_bad[i].err);
        td_capture_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_valid),
        cmocka_unit_test(test_split_refused),
        cmocka_unit_test(test_split_host_length),
        cmocka_unit_test(test_split_small_err),
        cmocka_unit_test(test_is_ip),
        cmocka_unit_test(test_target_uses_parser),
        cmocka_unit_test(test_replay_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
