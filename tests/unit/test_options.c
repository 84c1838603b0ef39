/* Unit tests for the public API's input handling (lib/check.c): targets,
 * the option setters, the client list and td_check without a target.  No
 * network involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "check.h"
#include "registry/clients.h"
#include "starttls/starttls.h"
#include "tlsdiag.h"

/* ---- targets ---------------------------------------------------------- */

/* Why the last call on o failed, "" when it did not. */
static const char *opt_err(const td_options *o)
{
    const char *e = td_options_error(o);
    return e ? e : "";
}

typedef struct good_target {
    const char *in;
    const char *host;
    unsigned port;
    bool is_ip;
} good_target;

static const good_target good_targets[] = {
    { "example.com", "example.com", 443, false },
    { "example.com:8443", "example.com", 8443, false },
    { "example.com:1", "example.com", 1, false },
    { "example.com:65535", "example.com", 65535, false },
    { "Example.COM.", "Example.COM", 443, false },
    { "localhost", "localhost", 443, false },
    { "_dmarc.under_score.example", "_dmarc.under_score.example", 443, false },
    { "xn--bcher-kva.example:443", "xn--bcher-kva.example", 443, false },
    { "1.2.3.4", "1.2.3.4", 443, true },
    { "1.2.3.4:443", "1.2.3.4", 443, true },
    { "[::1]:8443", "::1", 8443, true },
    { "[::1]", "::1", 443, true },
    { "::1", "::1", 443, true },
    { "2001:db8::7", "2001:db8::7", 443, true },
    { "[2001:db8::7]:853", "2001:db8::7", 853, true },
    { "[::ffff:192.0.2.1]:443", "::ffff:192.0.2.1", 443, true },
};

static void test_target_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_targets / sizeof *good_targets; i++) {
        const good_target *t = &good_targets[i];
        td_options *o = td_options_new();
        assert_non_null(o);
        if (td_options_set_target(o, t->in) != 0)
            fail_msg("'%s' rejected: %s", t->in, opt_err(o));
        assert_string_equal(o->target.host, t->host);
        assert_int_equal(o->target.port, t->port);
        assert_int_equal(o->target.host_is_ip, t->is_ip);
        assert_null(td_options_error(o));
        td_options_free(o);
    }
}

/* --starttls moves a target without a port to the protocol's usual one,
 * whichever option comes first; a port given stays. */
static void test_target_starttls_port(void **state)
{
    (void)state;
    static const struct {
        const char *target, *proto;
        bool proto_first;
        unsigned port;
    } cases[] = {
        { "mail.example", "smtp", false, 25 },   { "mail.example", "smtp", true, 25 },
        { "mail.example:587", "smtp", false, 587 }, { "mail.example:587", "smtp", true, 587 },
        { "db.example", "postgres-direct", true, 5432 }, { "[::1]", "imap", false, 143 },
        { "db.example", "", false, 443 },        { "1.2.3.4:443", "smtp", true, 443 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        td_options *o = td_options_new();
        assert_non_null(o);
        if (cases[i].proto_first)
            assert_int_equal(td_options_set_starttls(o, cases[i].proto), TD_OK);
        assert_int_equal(td_options_set_target(o, cases[i].target), TD_OK);
        if (!cases[i].proto_first)
            assert_int_equal(td_options_set_starttls(o, cases[i].proto), TD_OK);
        if (o->target.port != cases[i].port)
            fail_msg("%s with '%s': port %u, want %u", cases[i].target, cases[i].proto, o->target.port,
                     cases[i].port);
        td_options_free(o);
    }
    /* Taking the upgrade back restores 443; an unknown protocol changes nothing. */
    td_options *o = td_options_new();
    assert_int_equal(td_options_set_target(o, "mail.example"), TD_OK);
    assert_int_equal(td_options_set_starttls(o, "smtp"), TD_OK);
    assert_int_equal(td_options_set_starttls(o, NULL), TD_OK);
    assert_int_equal(o->target.port, 443);
    assert_int_not_equal(td_options_set_starttls(o, "smtps"), TD_OK);
    assert_int_equal(o->target.port, 443);
    td_options_free(o);
}

static void test_target_long_names(void **state)
{
    (void)state;
    char name[300];
    td_options *o = td_options_new();

    /* a 63-character label is the most DNS allows */
    memset(name, 'a', 63);
    memcpy(name + 63, ".example", 9);
    assert_int_equal(td_options_set_target(o, name), 0);
    memset(name, 'a', 64);
    memcpy(name + 64, ".example", 9);
    assert_int_equal(td_options_set_target(o, name), -1);
    assert_true(strlen(opt_err(o)) > 0);

    /* 253 characters in all: four labels of 63 (with dots: 255) is too long,
     * 63+1+63+1+63+1+61 = 253 is the limit */
    size_t n = 0;
    for (int l = 0; l < 4; l++) {
        size_t len = l < 3 ? 63 : 61;
        memset(name + n, 'b', len);
        n += len;
        name[n++] = '.';
    }
    name[--n] = '\0';
    assert_int_equal(strlen(name), 253);
    assert_int_equal(td_options_set_target(o, name), 0);
    name[n] = 'b';
    name[n + 1] = '\0';
    assert_int_equal(td_options_set_target(o, name), -1);
    assert_non_null(strstr(opt_err(o), "253"));
    td_options_free(o);
}

static const char *const bad_targets[] = {
    "",
    ":443",
    "example.com:",
    "example.com:0",
    "example.com:65536",
    "example.com:99999999999999999999999",
    "example.com:abc",
    "example.com:+443",
    "example.com:-1",
    "example.com: 443",
    "example.com:443x",
    "[::1",
    "::1]",
    "[::1]x",
    "[::1]:",
    "[::1]:0",
    "[]:443",
    "[]",
    "[example.com]:443",
    "[1.2.3.4]:443",
    "2001:db8::g",
    "host:1:2",
    "ex ample.com",
    "exa$mple.com",
    "a..b",
    ".example.com",
    "example.com..",
    ".",
    "1.2.3.256",
    "999.1.1.1",
    "1.2.3",
    "https://example.com/",
    "example.com/path",
};

static void test_target_invalid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_targets / sizeof *bad_targets; i++) {
        td_options *o = td_options_new();
        assert_int_equal(td_options_set_target(o, "keep.example:444"), 0);
        if (td_options_set_target(o, bad_targets[i]) != -1)
            fail_msg("'%s' accepted as %s:%u", bad_targets[i], o->target.host, o->target.port);
        if (strlen(opt_err(o)) == 0)
            fail_msg("'%s' rejected without a reason", bad_targets[i]);
        assert_null(strchr(opt_err(o), '\n'));
        /* a rejected target leaves the previous one alone */
        assert_string_equal(o->target.host, "keep.example");
        assert_int_equal(o->target.port, 444);
        td_options_free(o);
    }
    td_options *o = td_options_new();
    assert_int_equal(td_options_set_target(o, NULL), -1);
    assert_true(strlen(opt_err(o)) > 0);
    td_options_free(o);
}

/* ---- other options ---------------------------------------------------- */

static void test_option_defaults(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(o->target.port, 443);
    assert_true(o->timeout_s == 5.0);
    assert_true(o->deadline_s == 60.0);
    assert_int_equal(o->max_conns, 8);
    assert_false(o->no_sni);
    assert_false(o->sni_set);
    assert_false(o->dns_server_set);
    assert_null(td_options_error(o));
    assert_string_equal(td_version(), TLSDIAG_VERSION);
    td_options_free(o);
}

static void test_option_sni(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(td_options_set_sni(o, "www.example.com"), 0);
    assert_string_equal(o->sni, "www.example.com");
    assert_true(o->sni_set);
    assert_int_equal(td_options_set_sni(o, "192.0.2.1"), -1);
    assert_true(strlen(opt_err(o)) > 0);
    assert_int_equal(td_options_set_sni(o, "::1"), -1);
    assert_int_equal(td_options_set_sni(o, ""), -1);
    assert_int_equal(td_options_set_sni(o, "bad name"), -1);
    assert_int_equal(td_options_set_sni(o, "a..b"), -1);
    assert_string_equal(o->sni, "www.example.com");
    /* a call that succeeds clears the error of the one before */
    assert_int_equal(td_options_set_sni(o, "other.example"), 0);
    assert_null(td_options_error(o));
    td_options_set_no_sni(o, true);
    assert_true(o->no_sni);
    td_options_free(o);
}

static void test_option_ca_file(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    char path[] = "/tmp/tlsdiag-test-ca-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(td_options_set_ca_file(o, path), 0);
    assert_string_equal(o->ca_file, path);

    assert_int_equal(td_options_set_ca_file(o, "/nonexistent/ca.pem"), -1);
    assert_non_null(strstr(opt_err(o), "/nonexistent/ca.pem"));
    assert_int_equal(td_options_set_ca_file(o, "/tmp"), -1);
    assert_non_null(strstr(opt_err(o), "regular file"));
    assert_int_equal(td_options_set_ca_file(o, ""), -1);
    if (geteuid() != 0) { /* root reads anything */
        chmod(path, 0);
        assert_int_equal(td_options_set_ca_file(o, path), -1);
    }
    assert_string_equal(o->ca_file, path);
    unlink(path);
    td_options_free(o);
}

static void test_option_times(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(td_options_set_timeout(o, 0.05), 0);
    assert_int_equal(td_options_set_timeout(o, 300), 0);
    assert_int_equal(td_options_set_timeout(o, 2.5), 0);
    assert_true(o->timeout_s == 2.5);
    assert_int_equal(td_options_set_timeout(o, 0.049), -1);
    assert_true(strlen(opt_err(o)) > 0);
    assert_int_equal(td_options_set_timeout(o, 300.5), -1);
    assert_int_equal(td_options_set_timeout(o, 0), -1);
    assert_int_equal(td_options_set_timeout(o, -1), -1);
    assert_int_equal(td_options_set_timeout(o, NAN), -1);
    assert_int_equal(td_options_set_timeout(o, INFINITY), -1);
    assert_true(o->timeout_s == 2.5);

    assert_int_equal(td_options_set_deadline(o, 90), 0);
    assert_true(o->deadline_s == 90);
    assert_int_equal(td_options_set_deadline(o, 0), -1);
    assert_int_equal(td_options_set_deadline(o, 3601), -1);
    assert_int_equal(td_options_set_deadline(o, NAN), -1);
    assert_true(o->deadline_s == 90);

    assert_int_equal(td_options_set_max_connections(o, 1), 0);
    assert_int_equal(td_options_set_max_connections(o, 256), 0);
    assert_int_equal(td_options_set_max_connections(o, 0), -1);
    assert_int_equal(td_options_set_max_connections(o, 257), -1);
    assert_int_equal(o->max_conns, 256);

    /* new connections a second: none by default, 0 lifts the limit */
    assert_true(o->rate == 0);
    assert_int_equal(td_options_set_rate(o, 2), 0);
    assert_null(td_options_error(o));
    assert_int_equal(td_options_set_rate(o, 0.05), 0);
    assert_int_equal(td_options_set_rate(o, 1000), 0);
    assert_int_equal(td_options_set_rate(o, 0.5), 0);
    assert_true(o->rate == 0.5);
    assert_int_equal(td_options_set_rate(o, 0.049), -1);
    assert_non_null(strstr(opt_err(o), "rate"));
    assert_int_equal(td_options_set_rate(o, 1000.5), -1);
    assert_int_equal(td_options_set_rate(o, -1), -1);
    assert_int_equal(td_options_set_rate(o, NAN), -1);
    assert_int_equal(td_options_set_rate(o, INFINITY), -1);
    assert_true(o->rate == 0.5);
    assert_int_equal(td_options_set_rate(o, 0), 0);
    assert_true(o->rate == 0);
    td_options_free(o);
}

/* --proxy, --proxy-env, --expect-issuer, --pin: bad values leave the
 * options as they were. */
static void test_option_proxy(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(o->proxy.scheme, TD_PROXY_NONE);
    assert_int_equal(td_options_set_proxy(o, "socks5h://u:p@127.0.0.1:1080"), 0);
    assert_null(td_options_error(o));
    assert_int_equal(o->proxy.scheme, TD_PROXY_SOCKS5H);
    assert_int_equal(td_options_set_proxy(o, "ftp://127.0.0.1:3128"), -1);
    assert_non_null(strstr(opt_err(o), "unknown proxy scheme"));
    assert_int_equal(td_options_set_proxy(o, ""), -1);
    assert_int_equal(o->proxy.scheme, TD_PROXY_SOCKS5H);
    assert_int_equal(td_options_set_proxy(o, "https://127.0.0.1"), 0);
    assert_int_equal(o->proxy.scheme, TD_PROXY_HTTPS);
    assert_int_equal(o->proxy.port, 443);
    assert_int_equal(td_options_set_proxy_cacert(o, "/nonexistent/ca.pem"), -1);
    assert_non_null(strstr(opt_err(o), "proxy CA file"));
    /* A readable file without a certificate in it is refused up front. */
    assert_int_equal(td_options_set_proxy_cacert(o, "/dev/null"), -1);
    assert_int_equal(o->proxy_cacert[0], 0);
    td_options_set_proxy_insecure(o, true);
    assert_true(o->proxy_insecure);
    td_options_set_proxy_env(o, true);
    assert_true(o->proxy_env);

    assert_int_equal(td_options_set_expect_issuer(o, "Let's Encrypt"), 0);
    assert_string_equal(o->expect.issuer, "Let's Encrypt");
    assert_int_equal(td_options_set_expect_issuer(o, ""), -1);
    assert_string_equal(o->expect.issuer, "Let's Encrypt");

    const char *pin = "sha256//YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg=";
    assert_int_equal(td_options_add_pin(o, pin), 0);
    assert_int_equal(o->expect.n_pins, 1);
    char two[120];
    snprintf(two, sizeof two, "%s;%s", pin, pin);
    assert_int_equal(td_options_add_pin(o, two), 0);
    assert_int_equal(o->expect.n_pins, 3);
    /* One bad pin in a list adds none of it. */
    snprintf(two, sizeof two, "%s;sha256//nope", pin);
    assert_int_equal(td_options_add_pin(o, two), -1);
    assert_int_equal(o->expect.n_pins, 3);
    assert_int_equal(td_options_add_pin(o, "sha256//YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg"), -1);
    assert_int_equal(td_options_add_pin(o, ""), -1);
    for (int i = 3; i < TD_MAX_PINS; i++)
        assert_int_equal(td_options_add_pin(o, pin), 0);
    assert_int_equal(td_options_add_pin(o, pin), -1);
    assert_non_null(strstr(opt_err(o), "at most"));
    td_options_free(o);
}

static void test_option_part2_defaults(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(o->repeat, 4);
    assert_int_equal(o->warn_days, 21);
    assert_false(o->show_certs);
    assert_false(o->no_aia);
    assert_string_equal(o->ca_path, "");
    assert_string_equal(o->cert_file, "");
    assert_string_equal(o->key_file, "");
    assert_string_equal(o->alpn, "");
    td_options_set_show_certs(o, true);
    td_options_set_no_aia(o, true);
    assert_true(o->show_certs);
    assert_true(o->no_aia);
    td_options_free(o);
}

static void test_option_ca_path(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    char dir[] = "/tmp/tlsdiag-test-capath-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(td_options_set_ca_path(o, dir), 0);
    assert_string_equal(o->ca_path, dir);

    char file[] = "/tmp/tlsdiag-test-cafile-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(td_options_set_ca_path(o, file), -1);
    assert_non_null(strstr(opt_err(o), "not a directory"));
    assert_int_equal(td_options_set_ca_path(o, "/nonexistent/certs"), -1);
    assert_non_null(strstr(opt_err(o), "/nonexistent/certs"));
    assert_null(strchr(opt_err(o), '\n'));
    assert_int_equal(td_options_set_ca_path(o, ""), -1);
    assert_int_equal(td_options_set_ca_path(o, NULL), -1);
    if (geteuid() != 0) {
        chmod(dir, 0);
        assert_int_equal(td_options_set_ca_path(o, dir), -1);
        chmod(dir, 0700);
    }
    /* a rejected value leaves the accepted one */
    assert_string_equal(o->ca_path, dir);
    unlink(file);
    rmdir(dir);
    td_options_free(o);
}

static void test_option_client_cert(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    char cert[] = "/tmp/tlsdiag-test-cert-XXXXXX";
    char key[] = "/tmp/tlsdiag-test-key-XXXXXX";
    int fd = mkstemp(cert);
    assert_true(fd >= 0);
    close(fd);
    fd = mkstemp(key);
    assert_true(fd >= 0);
    close(fd);

    assert_int_equal(td_options_set_client_cert(o, cert, key), 0);
    assert_string_equal(o->cert_file, cert);
    assert_string_equal(o->key_file, key);
    /* one PEM file may hold both */
    assert_int_equal(td_options_set_client_cert(o, cert, cert), 0);
    assert_string_equal(o->key_file, cert);
    assert_int_equal(td_options_set_client_cert(o, cert, key), 0);

    /* a certificate without its key, or a key without its certificate */
    assert_int_equal(td_options_set_client_cert(o, cert, NULL), -1);
    assert_non_null(strstr(opt_err(o), "--key"));
    assert_int_equal(td_options_set_client_cert(o, NULL, key), -1);
    assert_non_null(strstr(opt_err(o), "--cert"));
    assert_int_equal(td_options_set_client_cert(o, "/nonexistent/c.pem", key), -1);
    assert_non_null(strstr(opt_err(o), "client certificate"));
    assert_int_equal(td_options_set_client_cert(o, cert, "/nonexistent/k.pem"), -1);
    assert_non_null(strstr(opt_err(o), "client key"));
    assert_int_equal(td_options_set_client_cert(o, cert, "/tmp"), -1);
    assert_non_null(strstr(opt_err(o), "regular file"));
    assert_int_equal(td_options_set_client_cert(o, "", key), -1);
    assert_null(strchr(opt_err(o), '\n'));
    assert_string_equal(o->cert_file, cert);
    assert_string_equal(o->key_file, key);
    unlink(cert);
    unlink(key);
    td_options_free(o);
}

static void test_option_alpn(void **state)
{
    (void)state;
    static const char *const good[] = { "h2", "http/1.1", "h2,http/1.1", "acme-tls/1", "x,y,z", "~!@#$%^&*()" };
    char longest[sizeof ((td_options *)0)->alpn];
    /* The longest list that fits: names of 255 bytes (RFC 7301 section
     * 3.1 allows no longer ones) separated by commas. */
    memset(longest, 'a', sizeof longest - 1);
    for (size_t k = 255; k < sizeof longest - 1; k += 256)
        longest[k] = ',';
    longest[sizeof longest - 1] = '\0';
    char too_long[sizeof longest + 1];
    memcpy(too_long, longest, sizeof longest - 1);
    too_long[sizeof too_long - 2] = 'a';
    too_long[sizeof too_long - 1] = '\0';
    static const char *const bad[] = {
        "", ",", "h2,", ",h2", "h2,,http/1.1", "h2, http/1.1", " h2", "h2\t", "h\x01", "caf\xc3\xa9", "a\x7f",
    };
    td_options *o = td_options_new();
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (td_options_set_alpn(o, good[i]) != 0)
            fail_msg("'%s' rejected: %s", good[i], opt_err(o));
        assert_string_equal(o->alpn, good[i]);
    }
    assert_int_equal(td_options_set_alpn(o, longest), 0);
    assert_int_equal(td_options_set_alpn(o, "h2,http/1.1"), 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (td_options_set_alpn(o, bad[i]) != -1)
            fail_msg("ALPN '%s' accepted", bad[i]);
        if (!opt_err(o)[0])
            fail_msg("ALPN '%s' rejected without a reason", bad[i]);
        assert_null(strchr(opt_err(o), '\n'));
    }
    assert_int_equal(td_options_set_alpn(o, too_long), -1);
    assert_non_null(strstr(opt_err(o), "at most"));
    assert_int_equal(td_options_set_alpn(o, NULL), -1);
    assert_int_equal(td_options_set_alpn(o, "h2, http/1.1"), -1);
    assert_non_null(strstr(opt_err(o), "space"));
    assert_string_equal(o->alpn, "h2,http/1.1");
    td_options_free(o);
}

/* --starttls: a known protocol reaches the probe configuration; an unknown
 * one is refused with the list and leaves the option as it was. */
static void test_option_starttls(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_non_null(o);
    assert_null(o->starttls);
    assert_int_equal(td_options_set_starttls(o, "SMTP"), TD_OK);
    assert_non_null(o->starttls);
    assert_string_equal(o->starttls->name, "smtp");
    assert_int_equal(td_options_set_starttls(o, "gopher"), TD_ERR_USAGE);
    assert_non_null(strstr(opt_err(o), "unknown STARTTLS protocol 'gopher'"));
    assert_non_null(strstr(opt_err(o), "postgres-direct"));
    assert_string_equal(o->starttls->name, "smtp");
    assert_int_equal(td_options_set_target(o, "127.0.0.1:25"), TD_OK);
    td_probe_cfg cfg;
    td_check_probe_cfg(o, &cfg);
    assert_ptr_equal(cfg.starttls, td_starttls_find("smtp"));
    assert_int_equal(td_options_set_starttls(o, ""), TD_OK);
    assert_null(o->starttls);
    td_options_free(o);
}

static void test_option_repeat_warn_days(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(td_options_set_repeat(o, 1), 0);
    assert_int_equal(td_options_set_repeat(o, 64), 0);
    assert_int_equal(td_options_set_repeat(o, 0), -1);
    assert_true(strlen(opt_err(o)) > 0);
    assert_int_equal(td_options_set_repeat(o, 65), -1);
    assert_int_equal(o->repeat, 64);

    assert_int_equal(td_options_set_warn_days(o, 0), 0);
    assert_int_equal(o->warn_days, 0);
    assert_int_equal(td_options_set_warn_days(o, 3650), 0);
    assert_int_equal(td_options_set_warn_days(o, 3651), -1);
    assert_true(strlen(opt_err(o)) > 0);
    assert_int_equal(td_options_set_warn_days(o, (unsigned)-1), -1);
    assert_int_equal(o->warn_days, 3650);
    td_options_free(o);
}

/* Every option reaches the probe configuration. */
static void test_option_probe_cfg(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    td_probe_cfg cfg;
    assert_int_equal(td_options_set_target(o, "www.example.com:8443"), 0);
    td_check_probe_cfg(o, &cfg);
    assert_string_equal(cfg.target.host, "www.example.com");
    assert_int_equal(cfg.target.port, 8443);
    assert_false(cfg.target.host_is_ip);
    assert_string_equal(cfg.sni, "www.example.com");
    assert_null(cfg.ca_file);
    assert_null(cfg.ca_path);
    assert_null(cfg.cert_file);
    assert_null(cfg.key_file);
    assert_null(cfg.alpn);
    assert_null(cfg.dns_server);
    assert_int_equal(cfg.repeat, 4);
    assert_int_equal(cfg.warn_days, 21);
    assert_false(cfg.no_aia);
    assert_int_equal(cfg.sched.max_conns, 8);
    assert_true(cfg.sched.rate == 0);

    char file[] = "/tmp/tlsdiag-test-pem-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(td_options_set_ca_file(o, file), 0);
    assert_int_equal(td_options_set_ca_path(o, "/tmp"), 0);
    assert_int_equal(td_options_set_client_cert(o, file, file), 0);
    assert_int_equal(td_options_set_alpn(o, "h2,http/1.1"), 0);
    assert_int_equal(td_options_set_repeat(o, 9), 0);
    assert_int_equal(td_options_set_warn_days(o, 0), 0);
    td_options_set_no_aia(o, true);
    td_options_set_no_sni(o, true);
    assert_int_equal(td_options_set_rate(o, 2.5), 0);
    td_check_probe_cfg(o, &cfg);
    assert_true(cfg.sched.rate == 2.5);
    assert_string_equal(cfg.ca_file, file);
    assert_string_equal(cfg.ca_path, "/tmp");
    assert_string_equal(cfg.cert_file, file);
    assert_string_equal(cfg.key_file, file);
    assert_string_equal(cfg.alpn, "h2,http/1.1");
    assert_int_equal(cfg.repeat, 9);
    assert_int_equal(cfg.warn_days, 0);
    assert_true(cfg.no_aia);
    assert_null(cfg.sni);
    unlink(file);
    td_options_free(o);
}

static void test_option_dns_server(void **state)
{
    (void)state;
    static const struct {
        const char *in, *ip;
        unsigned port;
    } good[] = {
        { "127.0.0.1", "127.0.0.1", 53 },
        { "127.0.0.1:5353", "127.0.0.1", 5353 },
        { "::1", "::1", 53 },
        { "[::1]", "::1", 53 },
        { "[::1]:5353", "::1", 5353 },
        { "2001:db8::53", "2001:db8::53", 53 },
        { "[2001:DB8:0::53]:53", "2001:db8::53", 53 },
    };
    static const char *const bad[] = {
        "", "example.com", "example.com:53", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:99999", "127.0.0.1:",
        "[::1", "[::1]:x", "1.2.3", "::g", "not-an-ip",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        td_options *o = td_options_new();
        if (td_options_set_dns_server(o, good[i].in) != 0)
            fail_msg("'%s' rejected: %s", good[i].in, opt_err(o));
        assert_true(o->dns_server_set);
        assert_string_equal(o->dns_server.text, good[i].ip);
        assert_int_equal(td_addr_port(&o->dns_server), good[i].port);
        td_probe_cfg cfg;
        td_check_probe_cfg(o, &cfg);
        assert_ptr_equal(cfg.dns_server, &o->dns_server);
        td_options_free(o);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        td_options *o = td_options_new();
        if (td_options_set_dns_server(o, bad[i]) != -1)
            fail_msg("'%s' accepted", bad[i]);
        assert_true(strlen(opt_err(o)) > 0);
        assert_false(o->dns_server_set);
        td_options_free(o);
    }
}

/* --client: ids are checked against the profiles at once; the probe gets
 * the canonical ids. */
static void test_option_client(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    td_probe_cfg cfg;
    assert_int_equal(td_options_set_target(o, "www.example.com"), 0);
    td_check_probe_cfg(o, &cfg);
    assert_null(cfg.clients);
    assert_int_equal(cfg.n_clients, 0);

    const char *const bad[] = { "no-such-client", "", "java-8 ", "list-all" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(td_options_add_client(o, bad[i]), -1);
        assert_non_null(strstr(opt_err(o), "--client list"));
        if (bad[i][0])
            assert_non_null(strstr(opt_err(o), bad[i]));
    }
    assert_int_equal(td_options_add_client(o, NULL), -1);
    char longid[200];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(td_options_add_client(o, longid), -1);
    td_check_probe_cfg(o, &cfg);
    assert_int_equal(cfg.n_clients, 0);

    /* The real profiles: whichever the data file has. */
    size_t n = td_client_count();
    if (n > 0) {
        const td_client *c = td_client_at(0);
        assert_non_null(c);
        char upper[64];
        snprintf(upper, sizeof upper, "%s", c->id);
        for (char *p = upper; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        assert_int_equal(td_options_add_client(o, c->id), 0);
        assert_int_equal(td_options_add_client(o, upper), 0); /* same one: kept once */
        td_check_probe_cfg(o, &cfg);
        assert_int_equal(cfg.n_clients, 1);
        assert_non_null(cfg.clients);
        assert_string_equal(cfg.clients[0], c->id);
        if (n > 1) {
            assert_int_equal(td_options_add_client(o, td_client_at(n - 1)->id), 0);
            td_check_probe_cfg(o, &cfg);
            assert_int_equal(cfg.n_clients, 2);
            assert_string_equal(cfg.clients[1], td_client_at(n - 1)->id);
        }
    }
    td_options_free(o);
}

/* --clients LEVEL: modern, intermediate (the default) or old; the check
 * states it in the observations. */
static void test_option_clients_level(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(o->clients_level, TD_LEVEL_INTERMEDIATE);
    assert_int_equal(td_options_set_clients_level(o, "modern"), TD_OK);
    assert_null(td_options_error(o));
    assert_int_equal(o->clients_level, TD_LEVEL_MODERN);
    assert_int_equal(td_options_set_clients_level(o, "OLD"), TD_OK);
    assert_int_equal(o->clients_level, TD_LEVEL_OLD);
    const char *const bad[] = { "ancient", "", "old,modern" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(td_options_set_clients_level(o, bad[i]), TD_ERR_USAGE);
        assert_non_null(strstr(opt_err(o), "modern, intermediate or old"));
        assert_int_equal(o->clients_level, TD_LEVEL_OLD); /* left as it was */
    }
    assert_non_null(strstr(opt_err(o), "'old,modern'"));
    assert_int_equal(td_options_set_clients_level(o, NULL), TD_ERR_USAGE);
    assert_int_equal(td_options_set_clients_level(o, "intermediate"), TD_OK);
    assert_null(td_options_error(o));
    assert_int_equal(o->clients_level, TD_LEVEL_INTERMEDIATE);
    td_options_free(o);

    td_obs *obs = malloc(sizeof *obs);
    assert_non_null(obs);
    td_obs_init(obs);
    assert_int_equal(obs->clients_level, TD_LEVEL_INTERMEDIATE);
    td_obs_free(obs);
    free(obs);
}

/* --client list: one line per profile, the id first. */
static void test_client_list(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(td_write_client_list(f), 0);
    fclose(f);
    size_t lines = 0;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        const td_client *c = td_client_at(lines);
        assert_non_null(c);
        size_t idlen = strlen(c->id);
        assert_memory_equal(line, c->id, idlen);
        assert_true(line[idlen] == ' ');
        *nl = '\0';
        assert_non_null(strstr(line, "trust store: "));
        if (c->name)
            assert_non_null(strstr(line, c->name));
        lines++;
        line = nl + 1;
    }
    assert_int_equal(lines, td_client_count());
    free(buf);
    assert_int_equal(td_write_client_list(NULL), -1);
}

static void test_check_without_target(void **state)
{
    (void)state;
    td_report *r = (td_report *)1;
    assert_int_equal(td_check(NULL, &r), TD_ERR_USAGE);
    td_options *o = td_options_new();
    r = (td_report *)1;
    assert_int_equal(td_check(o, &r), TD_ERR_USAGE);
    assert_null(r);
    assert_non_null(strstr(opt_err(o), "do not describe a check"));
    td_options_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_valid),
        cmocka_unit_test(test_target_long_names),
        cmocka_unit_test(test_target_invalid),
        cmocka_unit_test(test_option_defaults),
        cmocka_unit_test(test_option_sni),
        cmocka_unit_test(test_option_ca_file),
        cmocka_unit_test(test_option_times),
        cmocka_unit_test(test_option_dns_server),
        cmocka_unit_test(test_option_part2_defaults),
        cmocka_unit_test(test_option_ca_path),
        cmocka_unit_test(test_option_client_cert),
        cmocka_unit_test(test_option_alpn),
        cmocka_unit_test(test_option_starttls),
        cmocka_unit_test(test_option_repeat_warn_days),
        cmocka_unit_test(test_option_probe_cfg),
        cmocka_unit_test(test_option_client),
        cmocka_unit_test(test_option_clients_level),
        cmocka_unit_test(test_client_list),
        cmocka_unit_test(test_option_proxy),
        cmocka_unit_test(test_target_starttls_port),
        cmocka_unit_test(test_check_without_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
