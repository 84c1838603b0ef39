/* Unit tests for scan's target lines (lib/scan/targets.c): every form a
 * line may take, the settings after it, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scan/targets.h"
#include "starttls/starttls.h"

static td_tline parse_ok(const char *line)
{
    td_tline t;
    int rc = td_tline_parse(line, &t);
    if (rc != 1)
        fail_msg("'%s': %d, %s", line, rc, t.error);
    return t;
}

static const char *parse_bad(const char *line)
{
    static td_tline t;
    assert_int_equal(td_tline_parse(line, &t), -1);
    assert_true(t.error[0]);
    return t.error;
}

static void test_skipped(void **state)
{
    (void)state;
    td_tline t;
    assert_int_equal(td_tline_parse("", &t), 0);
    assert_int_equal(td_tline_parse("   \t\r\n", &t), 0);
    assert_int_equal(td_tline_parse("# example.com", &t), 0);
    assert_int_equal(td_tline_parse("   # indented comment", &t), 0);
}

static void test_names(void **state)
{
    (void)state;
    td_tline t = parse_ok("example.com");
    assert_int_equal(t.kind, TD_TL_NAME);
    assert_string_equal(t.host, "example.com");
    assert_int_equal(t.port, 443);
    t = parse_ok("  example.com:8443   ");
    assert_int_equal(t.port, 8443);
    t = parse_ok("example.com.:443"); /* the root dot, as dig prints names */
    assert_string_equal(t.host, "example.com");
    assert_int_equal(td_tline_count(&t), 1);
}

static void test_urls(void **state)
{
    (void)state;
    td_tline t = parse_ok("https://example.com/login?x=1");
    assert_string_equal(t.host, "example.com");
    assert_int_equal(t.port, 443);
    t = parse_ok("HTTPS://user@example.com:8443/");
    assert_string_equal(t.host, "example.com");
    assert_int_equal(t.port, 8443);
    t = parse_ok("https://[2001:db8::1]:9443/path");
    assert_int_equal(t.kind, TD_TL_ADDR);
    assert_string_equal(t.host, "2001:db8::1");
    assert_int_equal(t.port, 9443);
    assert_non_null(strstr(parse_bad("http://example.com/"), "https"));
    assert_non_null(strstr(parse_bad("ftp://example.com/"), "https"));
    parse_bad("https:///nohost");
}

static void test_addresses(void **state)
{
    (void)state;
    td_tline t = parse_ok("192.0.2.10:443");
    assert_int_equal(t.kind, TD_TL_ADDR);
    assert_false(t.v6);
    assert_string_equal(t.host, "192.0.2.10");
    t = parse_ok("[2001:db8::1]:8443");
    assert_true(t.v6);
    assert_string_equal(t.host, "2001:db8::1");
    assert_int_equal(t.port, 8443);
    t = parse_ok("2001:db8::1");
    assert_true(t.v6);
    assert_int_equal(t.port, 443);
    parse_bad("[2001:db8::1");
    parse_bad("[2001:db8::zz]:443");
    parse_bad("1.2.3:443"); /* all digits: a broken address, not a name */
}

static void test_ports(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_bad("example.com:0"), "port"));
    assert_non_null(strstr(parse_bad("example.com:65536"), "port"));
    assert_non_null(strstr(parse_bad("example.com:"), "port"));
    assert_non_null(strstr(parse_bad("example.com:44x"), "port"));
    assert_non_null(strstr(parse_bad("[::1]:-1"), "port"));
    assert_int_equal(parse_ok("example.com:65535").port, 65535);
}

static void test_ranges(void **state)
{
    (void)state;
    td_tline t = parse_ok("192.0.2.77/30:8443");
    assert_int_equal(t.kind, TD_TL_RANGE);
    assert_string_equal(t.host, "192.0.2.76"); /* host bits dropped */
    assert_int_equal(t.port, 8443);
    assert_int_equal(td_tline_count(&t), 4);
    char ip[64];
    td_tline_range_at(&t, 3, ip, sizeof ip);
    assert_string_equal(ip, "192.0.2.79");
    t = parse_ok("10.0.0.0/16");
    assert_int_equal(t.port, 443);
    assert_int_equal(td_tline_count(&t), 65536);
    td_tline_range_at(&t, 65535, ip, sizeof ip);
    assert_string_equal(ip, "10.0.255.255");
    td_tline_range_at(&t, 256, ip, sizeof ip); /* the carry into the next byte */
    assert_string_equal(ip, "10.0.1.0");
    t = parse_ok("[2001:db8::ff00/120]:443");
    assert_true(t.v6);
    assert_int_equal(td_tline_count(&t), 256);
    td_tline_range_at(&t, 255, ip, sizeof ip);
    assert_string_equal(ip, "2001:db8::ffff");
    assert_int_equal(td_tline_count(&(td_tline){ .kind = TD_TL_RANGE, .prefix = 32 }), 1);

    assert_non_null(strstr(parse_bad("10.0.0.0/8:443"), "too large"));
    assert_non_null(strstr(parse_bad("[2001:db8::/64]:443"), "too large"));
    parse_bad("10.0.0.0/33:443");
    parse_bad("10.0.0.0/:443");
    parse_bad("10.0.0.0/2x:443");
    parse_bad("example.com/24:443");
    parse_bad("[2001:db8::1]:443/24");
    assert_non_null(strstr(parse_bad("10.0.0.0/24:99999"), "port"));
}

static void test_settings(void **state)
{
    (void)state;
    td_tline t = parse_ok("example.com:443 sni=www.example.com client=java-8 client=android-4.4,curl");
    assert_string_equal(t.sni, "www.example.com");
    assert_string_equal(t.clients, "java-8,android-4.4,curl");
    assert_false(t.no_sni);
    t = parse_ok("192.0.2.1 no-sni   # trailing comment");
    assert_true(t.no_sni);
    assert_non_null(strstr(parse_bad("example.com sni"), "unknown setting"));
    assert_non_null(strstr(parse_bad("example.com sni="), "unknown setting"));
    assert_non_null(strstr(parse_bad("example.com port=8443"), "unknown setting"));
}

/* starttls=PROTO: the line's upgrade, and without a port the protocol's
 * own; the scan's --starttls for a line that names none. */
static void test_starttls(void **state)
{
    (void)state;
    td_tline t = parse_ok("mail.example starttls=smtp");
    assert_non_null(t.starttls);
    assert_string_equal(t.starttls->name, "smtp");
    assert_true(t.starttls_set);
    assert_int_equal(t.port, 25);
    t = parse_ok("db.example starttls=POSTGRES sni=db.example");
    assert_string_equal(t.starttls->name, "postgres");
    assert_int_equal(t.port, 5432);
    assert_string_equal(t.sni, "db.example");
    assert_int_equal(parse_ok("192.0.2.0/30 starttls=imap").port, 143);
    assert_int_equal(parse_ok("[2001:db8::1] starttls=xmpp-server").port, 5269);
    /* A port written is kept, even the one an upgrade has by default elsewhere. */
    assert_int_equal(parse_ok("mail.example:587 starttls=smtp").port, 587);
    assert_int_equal(parse_ok("mail.example:443 starttls=smtp").port, 443);
    assert_int_equal(parse_ok("[2001:db8::/120]:2525 starttls=smtp").port, 2525);
    t = parse_ok("mail.example:25 starttls=none");
    assert_null(t.starttls);
    assert_true(t.starttls_set);
    assert_int_equal(parse_ok("mail.example starttls=none").port, 443);
    t = parse_ok("example.com");
    assert_null(t.starttls);
    assert_false(t.starttls_set);

    const char *e = parse_bad("mail.example starttls=bogus");
    assert_non_null(strstr(e, "unknown STARTTLS protocol 'bogus'"));
    assert_non_null(strstr(e, "smtp"));
    assert_non_null(strstr(e, "postgres-direct"));
    assert_non_null(strstr(e, "none"));
    assert_non_null(strstr(parse_bad("mail.example starttls="), "unknown setting"));

    /* The scan's default: a line without a setting takes it, and its port. */
    static const struct {
        const char *line, *dflt, *want; /* protocol names; NULL: none */
        unsigned port;
    } cases[] = {
        { "mail.example", "smtp", "smtp", 25 },
        { "mail.example:2525", "smtp", "smtp", 2525 },
        { "https://www.example", "smtp", "smtp", 443 }, /* the scheme names 443 */
        { "db.example starttls=postgres", "smtp", "postgres", 5432 },
        { "mail.example starttls=none", "smtp", NULL, 443 },
        { "www.example", NULL, NULL, 443 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t = parse_ok(cases[i].line);
        td_tline_default_starttls(&t, cases[i].dflt ? td_starttls_find(cases[i].dflt) : NULL);
        assert_ptr_equal(t.starttls, cases[i].want ? td_starttls_find(cases[i].want) : NULL);
        assert_int_equal(t.port, cases[i].port);
    }
}

static void test_garbage(void **state)
{
    (void)state;
    parse_bad("this is not a target");
    parse_bad("exa mple");
    parse_bad("ex$ample.com");
    parse_bad("example.com\x01");
    parse_bad("]");
    char big[TD_TLINE_MAX + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    parse_bad(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skipped), cmocka_unit_test(test_names),     cmocka_unit_test(test_urls),
        cmocka_unit_test(test_addresses), cmocka_unit_test(test_ports), cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_settings), cmocka_unit_test(test_starttls), cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
