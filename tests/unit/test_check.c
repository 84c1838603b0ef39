/* Unit tests for the public API's input handling (lib/check.c), the string
 * helpers (lib/util/str.c), the findings list (lib/diag/finding.c) and both
 * reporters, which get a report assembled by hand: no network involved. */
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
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "registry/clients.h"
#include "tlsdiag.h"
#include "util/str.h"
#include "wire/tls.h"

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
    td_check_probe_cfg(o, &cfg);
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

/* ---- td_str and td_parse_uint ----------------------------------------- */

static void test_str_growth(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    assert_null(b.s);
    for (int i = 0; i < 5000; i++)
        td_str_printf(&b, "%02d", i % 100);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(b.s), 10000);
    assert_memory_equal(b.s, "00010203", 8);
    assert_memory_equal(b.s + 9990, "9596979899", 10);
    td_str_add(&b, NULL);
    assert_int_equal(b.len, 10000);
    char *s = td_str_take(&b);
    assert_null(b.s);
    assert_int_equal(b.len, 0);
    assert_int_equal(strlen(s), 10000);
    free(s);

    /* never NULL, even when nothing was added */
    s = td_str_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_str_cap(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    char *chunk = malloc(64 * 1024 + 1);
    memset(chunk, 'x', 64 * 1024);
    chunk[64 * 1024] = '\0';
    for (int i = 0; i < 15; i++)
        td_str_add(&b, chunk);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.len, 15u * 64 * 1024);
    td_str_add(&b, chunk); /* 16 * 64 KiB = 1 MiB: no room for the terminator */
    assert_int_equal(b.err, 1);
    assert_int_equal(b.len, 15u * 64 * 1024);
    td_str_add(&b, "y"); /* sticky: nothing more goes in */
    td_str_printf(&b, "%d", 7);
    td_str_hex(&b, (const unsigned char *)"\x01", 1);
    assert_int_equal(b.len, 15u * 64 * 1024);
    assert_int_equal(b.s[b.len], '\0');
    td_str_free(&b);
    assert_null(b.s);
    assert_int_equal(b.err, 0);

    /* one huge format is refused whole, not cut */
    td_str_printf(&b, "%*s", (int)TD_STR_MAX, "z");
    assert_int_equal(b.err, 1);
    assert_int_equal(b.len, 0);
    td_str_free(&b);
    free(chunk);
}

static void test_str_hex(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    td_str_hex(&b, (const unsigned char *)"\x16\x03\x01\x00\xff", 5);
    assert_string_equal(b.s, "16 03 01 00 ff");
    td_str_add(&b, " | ");
    td_str_hex(&b, (const unsigned char *)"\xab", 1);
    assert_string_equal(b.s, "16 03 01 00 ff | ab");
    td_str_hex(&b, NULL, 0);
    assert_string_equal(b.s, "16 03 01 00 ff | ab");
    td_str_free(&b);

    char *d = td_strdup("abc");
    assert_string_equal(d, "abc");
    free(d);
    assert_null(td_strdup(NULL));
}

static void test_parse_uint(void **state)
{
    (void)state;
    unsigned long v = 12345;
    assert_int_equal(td_parse_uint("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(td_parse_uint("65535", 1, 65535, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(td_parse_uint("00012", 1, 65535, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(td_parse_uint("18446744073709551615", 0, (unsigned long)-1, &v), sizeof(long) == 8 ? 0 : -1);

    v = 777;
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "65536", "99999999999999999999999999", "0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (td_parse_uint(bad[i], 1, 65535, &v) != -1)
            fail_msg("'%s' accepted", bad[i]);
    assert_int_equal(td_parse_uint(NULL, 0, 1, &v), -1);
    assert_int_equal(td_parse_uint("18446744073709551616", 0, (unsigned long)-1, &v), -1);
    assert_int_equal(td_parse_uint("5", 6, 9, &v), -1);
    assert_int_equal(td_parse_uint("10", 6, 9, &v), -1);
    assert_int_equal(v, 777); /* untouched on failure */
}

/* ---- findings --------------------------------------------------------- */

static void test_findings_sort_stable(void **state)
{
    (void)state;
    td_findings fs = { 0 };
    char summary[48];
    /* Eight distinct IDs: I1 F1 W1 F2 I2 W2 F3 I3, by the severity given. */
    static const struct {
        td_id id;
        td_severity sev;
    } in[] = {
        { TD_ID_TLS13_MISSING, TD_SEV_INFO },      { TD_ID_DNS_FAILURE, TD_SEV_FAIL },
        { TD_ID_NO_SAN, TD_SEV_WARN },             { TD_ID_CERT_EXPIRED, TD_SEV_FAIL },
        { TD_ID_OCSP_STAPLING_MISSING, TD_SEV_INFO }, { TD_ID_SNI_REQUIRED, TD_SEV_WARN },
        { TD_ID_NOT_TLS, TD_SEV_FAIL },            { TD_ID_CHAIN_ORDER, TD_SEV_INFO },
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        snprintf(summary, sizeof summary, "s-%s", td_id_name(in[i].id));
        td_findings_add(&fs, in[i].id, in[i].sev, summary, i % 2 ? NULL : "ev", i % 2 ? "fix" : NULL, NULL);
    }
    memset(summary, 0, sizeof summary); /* the list keeps its own copies */
    td_findings_sort(&fs);
    static const char *const want[] = { "DNS_FAILURE", "CERT_EXPIRED", "NOT_TLS", "NO_SAN", "SNI_REQUIRED",
                                        "TLS13_MISSING", "OCSP_STAPLING_MISSING", "CHAIN_ORDER" };
    assert_int_equal(fs.n, 8);
    for (size_t i = 0; i < fs.n; i++) {
        assert_string_equal(td_id_name(fs.v[i].id), want[i]);
        char expect[48];
        snprintf(expect, sizeof expect, "s-%s", want[i]);
        assert_string_equal(fs.v[i].summary, expect);
        assert_non_null(fs.v[i].evidence); /* NULL evidence becomes "" */
        assert_null(fs.v[i].verify);
    }
    assert_false(fs.oom);
    assert_string_equal(td_severity_name(TD_SEV_FAIL), "fail");
    assert_string_equal(td_severity_name(TD_SEV_WARN), "warn");
    assert_string_equal(td_severity_name(TD_SEV_INFO), "info");
    td_findings_free(&fs);
    assert_null(fs.v);
    assert_int_equal(fs.n, 0);
}

/* ---- reporters -------------------------------------------------------- */

/* Moves DER that OpenSSL allocated into malloc'd memory, which is how the
 * observations hold it (td_obs_free uses free()). */
static uint8_t *own_der(unsigned char **der, int n, size_t *len)
{
    assert_true(n > 0);
    uint8_t *copy = malloc((size_t)n);
    assert_non_null(copy);
    memcpy(copy, *der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(*der);
    *der = NULL;
    return copy;
}

/* A self-signed certificate, DER in malloc'd memory as the probes keep it. */
static uint8_t *make_cert(size_t *len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Example", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"test.example", -1, -1, 0);
    X509_set_issuer_name(x, name);
    ASN1_TIME_set(X509_getm_notBefore(x), 1700000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1800000000);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    uint8_t *copy = own_der(&der, i2d_X509(x, &der), len);
    X509_free(x);
    EVP_PKEY_free(key);
    return copy;
}

static uint8_t *make_dn(size_t *len)
{
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Example", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Test CA", -1, -1, 0);
    unsigned char *der = NULL;
    uint8_t *copy = own_der(&der, i2d_X509_NAME(name, &der), len);
    X509_NAME_free(name);
    return copy;
}

/* A server that resets every ClientHello, observed and diagnosed. */
static td_report *failing_report(void)
{
    td_report *r = calloc(1, sizeof *r);
    td_obs_init(&r->obs);
    td_obs *o = &r->obs;
    snprintf(r->target, sizeof r->target, "example.com:443");
    snprintf(o->host, sizeof o->host, "example.com");
    o->port = 443;
    snprintf(o->sni, sizeof o->sni, "example.com");
    o->n_addrs = 2;
    snprintf(o->addrs[0].text, sizeof o->addrs[0].text, "192.0.2.7");
    snprintf(o->addrs[1].text, sizeof o->addrs[1].text, "2001:db8::7");
    o->addr_used = 1;
    o->baseline = (td_attempt){ .out = TD_OUT_RESET, .offered_version = TD_TLS13, .hello_len = 517,
                                .offered_sni = true, .connect_ms = 12.34, .first_ms = -1, .total_ms = 30.0 };
    int i12 = td_vidx(TD_TLS12);
    o->version_ok[i12] = TD_YES;
    o->ver[i12] = (td_attempt){ .out = TD_OUT_HELLO, .offered_version = TD_TLS12, .version = TD_TLS12,
                                .suite = 0xc02f, .group = 0x001d, .connect_ms = 1, .first_ms = 2, .total_ms = 3 };
    o->suites[i12][0] = 0xc02f;
    o->suites[i12][1] = 0x000a;
    o->n_suites[i12] = 2;
    o->server_order[i12] = TD_YES;
    o->suites_complete[i12] = true;
    o->version_ok[td_vidx(TD_TLS13)] = TD_NO;
    o->oldstyle = (td_attempt){ .out = TD_OUT_ALERT, .alert_level = 2, .alert_desc = 40, .n_first = 7,
                                .first = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28 } };
    o->groups[0] = 0x001d;
    o->n_groups = 1;
    o->dh_bits_min = 1024;
    o->dh_bits_max = 2048;
    o->fallback_scsv = TD_NO;
    o->secure_reneg = TD_YES;
    o->cert_request = true;
    o->ca_names[0] = make_dn(&o->ca_name_len[0]);
    o->ca_names[1] = malloc(3);
    memcpy(o->ca_names[1], "\x30\x01\x00", 3); /* not a Name */
    o->ca_name_len[1] = 3;
    o->n_ca_names = 2;
    o->certs[0].der = make_cert(&o->certs[0].len);
    o->n_certs = 1;
    o->certs_version = TD_TLS12;
    o->connections = 9;
    o->elapsed_ms = 1234.56;

    td_findings_add(&r->findings, TD_ID_WEAK_CIPHERS_ENABLED, TD_SEV_WARN, "3DES is accepted.", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                    "Remove 3DES.", NULL);
    td_findings_add(&r->findings, TD_ID_RESET_AFTER_CLIENTHELLO, TD_SEV_FAIL,
                    "the server resets the connection after the ClientHello: no TLS handshake is possible.",
                    "sent 517 bytes\nreceived TCP RST", "Check the TLS terminator's logs.",
                    "openssl s_client -connect example.com:443 </dev/null");
    td_findings_sort(&r->findings);
    return r;
}

/* Not inlined: GCC then follows the pointer open_memstream fills back to
 * the local it was written through, and calls every pointer into the
 * returned text dangling. */
static char *capture(int (*write)(const td_report *, FILE *, bool), const td_report *r, bool color, int *rc)
    __attribute__((noinline));
static char *capture(int (*write)(const td_report *, FILE *, bool), const td_report *r, bool color, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = write(r, f, color);
    fclose(f);
    return buf;
}

static int write_json(const td_report *r, FILE *f, bool color)
{
    (void)color;
    return td_report_write_json(r, f);
}

static void test_report_json(void **state)
{
    (void)state;
    td_report *r = failing_report();
    int rc;
    char *out = capture(write_json, r, false, &rc);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    if (!root)
        fail_msg("JSON does not parse: %s at line %d", jerr.text, jerr.line);

    assert_string_equal(json_string_value(json_object_get(root, "tlsdiag")), TLSDIAG_VERSION);
    assert_string_equal(json_string_value(json_object_get(root, "verdict")), "fail");
    const char *vt = json_string_value(json_object_get(root, "verdict_text"));
    assert_non_null(vt);
    assert_non_null(strstr(vt, "FAIL  example.com:443"));
    assert_non_null(strstr(vt, "resets the connection"));

    json_t *t = json_object_get(root, "target");
    assert_string_equal(json_string_value(json_object_get(t, "host")), "example.com");
    assert_int_equal(json_integer_value(json_object_get(t, "port")), 443);
    assert_string_equal(json_string_value(json_object_get(t, "sni")), "example.com");
    assert_int_equal(json_array_size(json_object_get(t, "addresses")), 2);
    assert_string_equal(json_string_value(json_object_get(t, "address_used")), "2001:db8::7");

    /* not ranked, no client simulated: the keys are there, empty */
    assert_true(json_is_null(json_object_get(root, "root_cause")));
    assert_true(json_is_array(json_object_get(root, "clients")));
    assert_int_equal(json_array_size(json_object_get(root, "clients")), 0);

    json_t *fs = json_object_get(root, "findings");
    assert_int_equal(json_array_size(fs), 2);
    assert_true(json_is_null(json_object_get(json_array_get(fs, 0), "symptom_of")));
    assert_true(json_is_null(json_object_get(json_array_get(fs, 1), "symptom_of")));
    json_t *f0 = json_array_get(fs, 0);
    assert_string_equal(json_string_value(json_object_get(f0, "id")), "RESET_AFTER_CLIENTHELLO");
    assert_string_equal(json_string_value(json_object_get(f0, "severity")), "fail");
    assert_string_equal(json_string_value(json_object_get(f0, "evidence")), "sent 517 bytes\nreceived TCP RST");
    assert_non_null(json_string_value(json_object_get(f0, "verify")));
    json_t *f1 = json_array_get(fs, 1);
    assert_string_equal(json_string_value(json_object_get(f1, "id")), "WEAK_CIPHERS_ENABLED");
    assert_true(json_is_null(json_object_get(f1, "verify")));

    json_t *obs = json_object_get(root, "observations");
    assert_true(json_is_null(json_object_get(obs, "dns_error")));
    json_t *base = json_object_get(obs, "baseline");
    assert_string_equal(json_string_value(json_object_get(base, "outcome")), td_outcome_name(TD_OUT_RESET));
    assert_string_equal(json_string_value(json_object_get(base, "offered_version")), "TLS 1.3");
    assert_int_equal(json_integer_value(json_object_get(base, "hello_bytes")), 517);
    assert_true(json_is_true(json_object_get(base, "sni")));
    assert_true(json_is_null(json_object_get(base, "suite")));
    assert_true(json_is_null(json_object_get(base, "alert")));
    assert_true(json_is_null(json_object_get(base, "first_byte_ms")));
    assert_true(fabs(json_real_value(json_object_get(base, "connect_ms")) - 12.3) < 1e-9);
    assert_true(json_is_null(json_object_get(obs, "no_sni")));

    json_t *v12 = json_object_get(json_object_get(obs, "versions"), "TLS 1.2");
    assert_true(json_is_true(json_object_get(v12, "supported")));
    assert_true(json_is_true(json_object_get(v12, "server_order")));
    assert_true(json_is_true(json_object_get(v12, "complete")));
    json_t *s0 = json_array_get(json_object_get(v12, "suites"), 0);
    assert_string_equal(json_string_value(json_object_get(s0, "id")), "0xc02f");
    assert_string_equal(json_string_value(json_object_get(s0, "name")), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_true(json_is_true(json_object_get(s0, "forward_secrecy")));
    json_t *a12 = json_object_get(v12, "attempt");
    assert_string_equal(json_string_value(json_object_get(a12, "group")), "x25519");
    json_t *v13 = json_object_get(json_object_get(obs, "versions"), "TLS 1.3");
    assert_true(json_is_false(json_object_get(v13, "supported")));
    assert_true(json_is_null(json_object_get(v13, "attempt")));
    assert_true(json_is_null(json_object_get(json_object_get(json_object_get(obs, "versions"), "SSLv3"), "supported")));

    json_t *g0 = json_array_get(json_object_get(obs, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g0, "id")), "0x001d");
    assert_string_equal(json_string_value(json_object_get(g0, "name")), "x25519");
    json_t *dh = json_object_get(obs, "dh_bits");
    assert_int_equal(json_integer_value(json_object_get(dh, "min")), 1024);
    assert_int_equal(json_integer_value(json_object_get(dh, "max")), 2048);
    assert_true(json_is_false(json_object_get(obs, "fallback_scsv")));
    assert_true(json_is_true(json_object_get(obs, "secure_renegotiation")));

    json_t *old = json_object_get(json_object_get(obs, "version_intolerance"), "oldstyle");
    json_t *alert = json_object_get(old, "alert");
    assert_int_equal(json_integer_value(json_object_get(alert, "level")), 2);
    assert_int_equal(json_integer_value(json_object_get(alert, "code")), 40);
    assert_string_equal(json_string_value(json_object_get(alert, "name")), "handshake_failure");
    assert_string_equal(json_string_value(json_object_get(old, "first_bytes_hex")), "15030100020228");
    assert_true(json_is_null(json_object_get(json_object_get(obs, "version_intolerance"), "bighello")));

    json_t *cc = json_object_get(obs, "client_cert_request");
    assert_true(json_is_true(json_object_get(cc, "requested")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(cc, "ca_names"), 0)), "CN=Test CA,O=Example");
    assert_true(json_is_null(json_array_get(json_object_get(cc, "ca_names"), 1)));

    json_t *c0 = json_array_get(json_object_get(obs, "certificates"), 0);
    assert_int_equal(strlen(json_string_value(json_object_get(c0, "der_sha256"))), 64);
    assert_string_equal(json_string_value(json_object_get(c0, "subject")), "CN=test.example,O=Example");
    assert_string_equal(json_string_value(json_object_get(c0, "issuer")), "CN=test.example,O=Example");
    assert_string_equal(json_string_value(json_object_get(c0, "not_before")), "2023-11-14T22:13:20Z");
    assert_string_equal(json_string_value(json_object_get(c0, "not_after")), "2027-01-15T08:00:00Z");

    /* no full handshake ran: the part-2 keys are there, null or empty */
    assert_true(json_is_null(json_object_get(obs, "handshake")));
    assert_true(json_is_null(json_object_get(obs, "handshake_no_sni")));
    assert_true(json_is_null(json_object_get(obs, "handshake_client_cert")));
    assert_true(json_is_null(json_object_get(obs, "handshake_resume")));
    assert_int_equal(json_array_size(json_object_get(obs, "backends")), 0);
    assert_true(json_is_array(json_object_get(obs, "backends")));
    json_t *trust = json_object_get(obs, "trust");
    assert_true(json_is_object(trust));
    assert_true(json_is_null(json_object_get(trust, "store")));
    assert_true(json_is_null(json_object_get(trust, "now")));
    assert_true(json_is_null(json_object_get(trust, "path")));
    assert_true(json_is_null(json_object_get(trust, "path_with_aia")));
    assert_true(json_is_null(json_object_get(trust, "aia")));
    assert_true(json_is_null(json_object_get(obs, "alpn_offered")));

    assert_int_equal(json_integer_value(json_object_get(obs, "connections")), 9);
    assert_true(json_is_false(json_object_get(obs, "deadline_hit")));

    json_decref(root);
    free(out);
    assert_true(td_report_failed(r));
    assert_int_equal(td_report_finding_count(r), 2);
    assert_string_equal(td_report_finding_id(r, 0), "RESET_AFTER_CLIENTHELLO");
    assert_string_equal(td_report_finding_severity(r, 1), "warn");
    assert_string_equal(td_report_finding_summary(r, 1), "3DES is accepted.");
    assert_null(td_report_finding_id(r, 2));
    td_report_free(r);
}

static void test_report_text(void **state)
{
    (void)state;
    td_report *r = failing_report();
    int rc;
    char *out = capture(td_report_write_text, r, false, &rc);
    assert_int_equal(rc, 0);
    const char *first = "FAIL  example.com:443 \u2014 the server resets the connection after the ClientHello: "
                        "no TLS handshake is possible.\n";
    assert_memory_equal(out, first, strlen(first));
    assert_non_null(strstr(out, "[FAIL] RESET_AFTER_CLIENTHELLO  the server resets"));
    assert_non_null(strstr(out, "[WARN] WEAK_CIPHERS_ENABLED"));
    /* fail before warn, the handshake before the findings */
    assert_true(strstr(out, "[FAIL]") < strstr(out, "[WARN]"));
    assert_true(strstr(out, "Handshake") < strstr(out, "Findings"));
    assert_non_null(strstr(out, "\u2717 ServerHello"));
    assert_non_null(strstr(out, "reset"));
    assert_non_null(strstr(out, "\u2713 TCP connect"));
    assert_non_null(strstr(out, "[2001:db8::7]:443"));
    /* multi-line evidence stays under its label */
    assert_non_null(strstr(out, "evidence: sent 517 bytes\n                 received TCP RST\n"));
    assert_non_null(strstr(out, "TLS_RSA_WITH_3DES_EDE_CBC_SHA  [weak: 3DES]"));
    assert_null(strchr(out, '\033'));
    free(out);

    out = capture(td_report_write_text, r, true, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\033[31m[FAIL]"));
    assert_non_null(strstr(out, "\033[33m[WARN]"));
    free(out);
    td_report_free(r);
}

static void test_report_ok_verdicts(void **state)
{
    (void)state;
    td_report *r = calloc(1, sizeof *r);
    td_obs_init(&r->obs);
    snprintf(r->target, sizeof r->target, "[::1]:8443");
    r->obs.version_ok[td_vidx(TD_TLS13)] = TD_YES;
    r->obs.version_ok[td_vidx(TD_TLS12)] = TD_YES;
    r->obs.version_ok[td_vidx(TD_TLS10)] = TD_YES;

    int rc;
    char *out = capture(td_report_write_text, r, false, &rc);
    const char *ok = "OK  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; no problems found.\n";
    assert_memory_equal(out, ok, strlen(ok));
    assert_non_null(strstr(out, "Findings\n  none\n"));
    free(out);
    assert_false(td_report_failed(r));

    td_findings_add(&r->findings, TD_ID_TLS13_MISSING, TD_SEV_INFO, "note", "", NULL, NULL);
    td_findings_add(&r->findings, TD_ID_LEGACY_PROTOCOL_ENABLED, TD_SEV_WARN, "TLS 1.0 is accepted.", "", NULL, NULL);
    td_findings_add(&r->findings, TD_ID_WEAK_CIPHERS_ENABLED, TD_SEV_WARN, "weak", "", NULL, NULL);
    td_findings_sort(&r->findings);
    out = capture(td_report_write_text, r, false, &rc);
    const char *warn = "WARN  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; 2 warnings.\n";
    assert_memory_equal(out, warn, strlen(warn));
    assert_true(strstr(out, "[WARN] LEGACY") < strstr(out, "[INFO] TLS13_MISSING"));
    free(out);
    assert_false(td_report_failed(r));

    /* Clients shut out while nothing fails for everyone: how many, and
     * which, by the name before its parenthesis. */
    static const td_client c_ok = { .id = "modern", .name = "Modern browser (desktop)" };
    static const td_client c_a = { .id = "java-8", .name = "Java 8 (8u161 to 8u251)" };
    static const td_client c_b = { .id = "iot", .name = "Old IoT" };
    r->clients.v[0] = (td_client_verdict){ .client = &c_ok, .result = TD_CV_OK };
    r->clients.v[1] = (td_client_verdict){ .client = &c_a, .result = TD_CV_FAIL };
    r->clients.v[2] = (td_client_verdict){ .client = &c_b, .result = TD_CV_FAIL };
    r->clients.v[3] = (td_client_verdict){ .client = &c_ok, .result = TD_CV_UNKNOWN };
    r->clients.n = 4;
    out = capture(td_report_write_text, r, false, &rc);
    const char *shut = "WARN  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; 2 of 4 simulated clients cannot connect "
                       "(Java 8 and Old IoT); 2 warnings.\n";
    assert_memory_equal(out, shut, strlen(shut));
    free(out);
    r->clients.n = 0;

    out = capture(write_json, r, false, &rc);
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "verdict")), "warn");
    assert_memory_equal(json_string_value(json_object_get(root, "verdict_text")), warn, strlen(warn) - 1);
    assert_true(json_is_null(json_object_get(json_object_get(root, "target"), "sni")));
    assert_true(json_is_null(json_object_get(json_object_get(root, "target"), "address_used")));
    json_decref(root);
    free(out);
    td_report_free(r);
}

/* ---- reporters: the certificate part ---------------------------------- */

typedef struct test_cert {
    X509 *x;
    EVP_PKEY *key;
} test_cert;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A certificate named cn, issued by issuer (self-signed when NULL). */
static test_cert make_test_cert(const char *cn, const test_cert *issuer, bool ca, const char *sans,
                                const EVP_MD *md, int64_t not_before, int64_t not_after)
{
    test_cert c;
    c.key = EVP_EC_gen("P-256");
    assert_non_null(c.key);
    c.x = X509_new();
    X509_set_version(c.x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c.x), ca ? 1 : 2);
    X509_NAME *name = X509_get_subject_name(c.x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Lab", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(c.x, issuer ? X509_get_subject_name(issuer->x) : name);
    ASN1_TIME_set(X509_getm_notBefore(c.x), (time_t)not_before);
    ASN1_TIME_set(X509_getm_notAfter(c.x), (time_t)not_after);
    X509_set_pubkey(c.x, c.key);
    X509 *signer = issuer ? issuer->x : c.x;
    add_ext(c.x, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (sans)
        add_ext(c.x, signer, NID_subject_alt_name, sans);
    if (!ca)
        add_ext(c.x, signer, NID_info_access, "caIssuers;URI:http://ca.example/lab.der,OCSP;URI:http://ocsp.example/");
    assert_true(X509_sign(c.x, issuer ? issuer->key : c.key, md) > 0);
    return c;
}

static void free_test_cert(test_cert *c)
{
    X509_free(c->x);
    EVP_PKEY_free(c->key);
}

static void cert_into(td_cert *dst, X509 *x)
{
    unsigned char *der = NULL;
    dst->der = own_der(&der, i2d_X509(x, &der), &dst->len);
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    assert_int_equal(EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL), 1);
    assert_int_equal(mdlen, 32);
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

#define T_NOW 1750000000 /* 2025-06-15: the leaf below expired two days earlier */

/* A server whose full handshake completed with an expired leaf signed with
 * SHA-1, its self-signed root sent along, that root not trusted; a second
 * backend presents another leaf; the session resumed; OCSP stapled. */
static td_report *cert_report(test_cert *leaf, test_cert *root)
{
    *root = make_test_cert("Lab Root", NULL, true, NULL, EVP_sha256(), 1600000000, 2000000000);
    *leaf = make_test_cert("www.lab.example", root, false,
                           "DNS:www.lab.example,DNS:lab.example,DNS:a.lab.example,DNS:b.lab.example,"
                           "DNS:c.lab.example,IP:192.0.2.7",
                           EVP_sha1(), 1700000000, T_NOW - 2 * 86400);
    test_cert other = make_test_cert("www.lab.example", root, false, "DNS:www.lab.example", EVP_sha256(),
                                     1700000000, 1900000000);

    td_report *r = calloc(1, sizeof *r);
    td_obs_init(&r->obs);
    td_obs *o = &r->obs;
    snprintf(r->target, sizeof r->target, "www.lab.example:443");
    snprintf(o->host, sizeof o->host, "www.lab.example");
    o->port = 443;
    snprintf(o->sni, sizeof o->sni, "www.lab.example");
    o->n_addrs = 1;
    snprintf(o->addrs[0].text, sizeof o->addrs[0].text, "192.0.2.7");
    o->addr_used = 0;
    o->baseline = (td_attempt){ .out = TD_OUT_HELLO, .offered_version = TD_TLS13, .version = TD_TLS13,
                                .suite = 0x1301, .group = 0x001d, .hello_len = 517, .offered_sni = true,
                                .connect_ms = 1, .first_ms = 2, .total_ms = 3 };
    o->version_ok[td_vidx(TD_TLS13)] = TD_YES;

    td_hs *h = &o->hs;
    h->out = TD_OUT_HELLO;
    h->done = true;
    snprintf(h->addr, sizeof h->addr, "192.0.2.7");
    snprintf(h->sni, sizeof h->sni, "www.lab.example");
    h->version = TD_TLS13;
    h->suite = 0x1302;
    snprintf(h->alpn, sizeof h->alpn, "h2");
    cert_into(&h->chain[0], leaf->x);
    cert_into(&h->chain[1], root->x);
    h->chain[2].der = malloc(4);
    memcpy(h->chain[2].der, "\x30\x02\x05\x00", 4); /* DER, but no certificate */
    h->chain[2].len = 4;
    h->n_chain = 3;
    h->ocsp_stapled = true;
    h->ocsp_status = V_OCSP_CERTSTATUS_GOOD;
    h->ticket = true;
    h->ms = 12.34;

    td_hs_init(&o->hs_resume);
    o->hs_resume.out = TD_OUT_HELLO;
    o->hs_resume.done = true;
    o->hs_resume.resumed = true;
    o->hs_resume.version = TD_TLS13;
    cert_into(&o->hs_resume.chain[0], leaf->x);
    o->hs_resume.n_chain = 1;

    td_hs_init(&o->backends[0]);
    td_hs *b = &o->backends[0];
    b->out = TD_OUT_HELLO;
    b->done = true;
    snprintf(b->addr, sizeof b->addr, "192.0.2.7");
    b->version = TD_TLS12;
    b->suite = 0xc02b;
    cert_into(&b->chain[0], other.x);
    b->n_chain = 1;
    td_hs_init(&o->backends[1]);
    o->backends[1].out = TD_OUT_RESET;
    snprintf(o->backends[1].addr, sizeof o->backends[1].addr, "192.0.2.7");
    o->n_backends = 2;
    free_test_cert(&other);

    snprintf(o->alpn_offered, sizeof o->alpn_offered, "h2,http/1.1");
    snprintf(o->store_name, sizeof o->store_name, "ca-file /etc/lab.pem");
    o->now = T_NOW;
    o->warn_days = 21;
    td_path *p = &o->path;
    p->verdict = TD_PATH_UNTRUSTED_ROOT;
    p->trust = TD_PATH_UNTRUSTED_ROOT;
    p->x509_err = 19;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "self-signed certificate in certificate chain");
    p->depth = 1;
    p->n = 2;
    snprintf(p->subjects[0], sizeof p->subjects[0], "CN=www.lab.example,O=Lab");
    snprintf(p->subjects[1], sizeof p->subjects[1], "CN=Lab Root,O=Lab");
    p->src[0] = TD_SRC_SENT;
    p->src[1] = TD_SRC_SENT;
    snprintf(p->top_subject, sizeof p->top_subject, "CN=Lab Root,O=Lab");
    p->expired_depth = 0;
    p->not_yet_valid_depth = -1;
    p->weak_sig_depth = 0;
    snprintf(p->weak_sig_alg, sizeof p->weak_sig_alg, "ecdsa-with-SHA1");
    p->small_key_depth = -1;
    return r;
}

static void test_report_json_chain(void **state)
{
    (void)state;
    test_cert leaf, root;
    td_report *r = cert_report(&leaf, &root);
    int rc;
    char *out = capture(write_json, r, false, &rc);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *root_j = json_loads(out, 0, &jerr);
    if (!root_j)
        fail_msg("JSON does not parse: %s at line %d", jerr.text, jerr.line);
    json_t *obs = json_object_get(root_j, "observations");

    json_t *hs = json_object_get(obs, "handshake");
    assert_string_equal(json_string_value(json_object_get(hs, "outcome")), "hello");
    assert_true(json_is_true(json_object_get(hs, "completed")));
    assert_string_equal(json_string_value(json_object_get(hs, "address")), "192.0.2.7");
    assert_string_equal(json_string_value(json_object_get(hs, "version")), "TLS 1.3");
    assert_string_equal(json_string_value(json_object_get(hs, "suite")), "TLS_AES_256_GCM_SHA384");
    assert_string_equal(json_string_value(json_object_get(hs, "alpn")), "h2");
    assert_true(json_is_null(json_object_get(hs, "alert_received")));
    assert_true(json_is_null(json_object_get(hs, "error")));
    json_t *ocsp = json_object_get(hs, "ocsp");
    assert_true(json_is_true(json_object_get(ocsp, "stapled")));
    assert_string_equal(json_string_value(json_object_get(ocsp, "status")), "good");
    assert_true(json_is_true(json_object_get(hs, "ticket")));
    assert_int_equal(json_array_size(json_object_get(hs, "ca_names")), 0);

    json_t *chain = json_object_get(hs, "chain");
    assert_int_equal(json_array_size(chain), 3);
    json_t *c0 = json_array_get(chain, 0);
    char want[65];
    sha256_hex(r->obs.hs.chain[0].der, r->obs.hs.chain[0].len, want);
    assert_string_equal(json_string_value(json_object_get(c0, "sha256")), want);
    assert_int_equal(json_integer_value(json_object_get(c0, "index")), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "subject")), "CN=www.lab.example,O=Lab");
    assert_string_equal(json_string_value(json_object_get(c0, "issuer")), "CN=Lab Root,O=Lab");
    assert_string_equal(json_string_value(json_object_get(c0, "not_after")), "2025-06-13T15:06:40Z");
    assert_string_equal(json_string_value(json_object_get(c0, "key_type")), "EC");
    assert_int_equal(json_integer_value(json_object_get(c0, "key_bits")), 256);
    assert_string_equal(json_string_value(json_object_get(c0, "key_curve")), "prime256v1");
    assert_string_equal(json_string_value(json_object_get(c0, "sig_alg")), "ecdsa-with-SHA1");
    assert_true(json_is_true(json_object_get(c0, "sig_weak")));
    json_t *sans = json_object_get(c0, "sans");
    assert_int_equal(json_array_size(sans), 6);
    assert_string_equal(json_string_value(json_array_get(sans, 0)), "DNS:www.lab.example");
    assert_string_equal(json_string_value(json_array_get(sans, 5)), "IP:192.0.2.7");
    assert_true(json_is_false(json_object_get(c0, "is_ca")));
    assert_true(json_is_false(json_object_get(c0, "self_signed")));
    assert_string_equal(json_string_value(json_object_get(c0, "aia_ca_issuers")), "http://ca.example/lab.der");
    assert_string_equal(json_string_value(json_object_get(c0, "ocsp_url")), "http://ocsp.example/");
    assert_true(json_is_null(json_object_get(c0, "error")));
    /* the PEM decodes back to the very bytes sent */
    const char *pem = json_string_value(json_object_get(c0, "pem"));
    assert_non_null(pem);
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    assert_non_null(x);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_int_equal((size_t)n, r->obs.hs.chain[0].len);
    assert_memory_equal(der, r->obs.hs.chain[0].der, (size_t)n);
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);

    json_t *c1 = json_array_get(chain, 1);
    assert_true(json_is_true(json_object_get(c1, "is_ca")));
    assert_true(json_is_true(json_object_get(c1, "self_signed")));
    assert_true(json_is_null(json_object_get(c1, "key_curve")) == false);
    assert_true(json_is_null(json_object_get(c1, "aia_ca_issuers")));
    /* an undecodable entry keeps its place, its hash and a reason */
    json_t *c2 = json_array_get(chain, 2);
    assert_int_equal(strlen(json_string_value(json_object_get(c2, "sha256"))), 64);
    assert_non_null(json_string_value(json_object_get(c2, "error")));
    assert_true(json_is_null(json_object_get(c2, "subject")));
    assert_true(json_is_null(json_object_get(c2, "pem")));
    assert_int_equal(json_array_size(json_object_get(c2, "sans")), 0);

    assert_true(json_is_null(json_object_get(obs, "handshake_no_sni")));
    assert_true(json_is_null(json_object_get(obs, "handshake_client_cert")));
    json_t *res = json_object_get(obs, "handshake_resume");
    assert_true(json_is_true(json_object_get(res, "resumed")));
    assert_true(json_is_null(json_object_get(res, "chain")));
    assert_int_equal(json_integer_value(json_object_get(res, "chain_length")), 1);

    json_t *be = json_object_get(obs, "backends");
    assert_int_equal(json_array_size(be), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(be, 0), "leaf_sha256")), want);
    const char *other = json_string_value(json_object_get(json_array_get(be, 1), "leaf_sha256"));
    assert_non_null(other);
    assert_string_not_equal(other, want);
    assert_string_equal(json_string_value(json_object_get(json_array_get(be, 1), "version")), "TLS 1.2");
    assert_string_equal(json_string_value(json_object_get(json_array_get(be, 1), "leaf_subject")),
                        "CN=www.lab.example,O=Lab");
    json_t *b2 = json_array_get(be, 2);
    assert_string_equal(json_string_value(json_object_get(b2, "outcome")), "reset");
    assert_true(json_is_null(json_object_get(b2, "leaf_sha256")));

    json_t *trust = json_object_get(obs, "trust");
    assert_string_equal(json_string_value(json_object_get(trust, "store")), "ca-file /etc/lab.pem");
    assert_true(json_is_null(json_object_get(trust, "store_error")));
    assert_string_equal(json_string_value(json_object_get(trust, "now")), "2025-06-15T15:06:40Z");
    assert_int_equal(json_integer_value(json_object_get(trust, "warn_days")), 21);
    json_t *path = json_object_get(trust, "path");
    assert_string_equal(json_string_value(json_object_get(path, "verdict")), "untrusted root");
    assert_string_equal(json_string_value(json_object_get(path, "x509_error")),
                        "self-signed certificate in certificate chain");
    assert_int_equal(json_integer_value(json_object_get(path, "depth")), 1);
    json_t *pc = json_object_get(path, "certificates");
    assert_int_equal(json_array_size(pc), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(pc, 1), "subject")), "CN=Lab Root,O=Lab");
    assert_string_equal(json_string_value(json_object_get(json_array_get(pc, 1), "source")), "sent");
    assert_int_equal(json_integer_value(json_object_get(path, "expired_depth")), 0);
    assert_true(json_is_null(json_object_get(path, "not_yet_valid_depth")));
    assert_true(json_is_null(json_object_get(path, "missing_issuer")));
    assert_true(json_is_null(json_object_get(trust, "path_with_aia")));
    assert_true(json_is_null(json_object_get(trust, "aia")));
    assert_string_equal(json_string_value(json_object_get(obs, "alpn_offered")), "h2,http/1.1");

    json_decref(root_j);
    free(out);
    td_report_free(r);
    free_test_cert(&leaf);
    free_test_cert(&root);
}

static void test_report_text_chain(void **state)
{
    (void)state;
    test_cert leaf, root;
    td_report *r = cert_report(&leaf, &root);
    char fpr[65];
    sha256_hex(r->obs.hs.chain[0].der, r->obs.hs.chain[0].len, fpr);
    int rc;
    char *out = capture(td_report_write_text, r, false, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Certificate chain (as sent)"));
    /* the step names the broken link */
    const char *st = strstr(out, "\u2717 Certificate       3 certificates, leaf 'CN=www.lab.example,O=Lab'; untrusted root");
    assert_non_null(st);
    assert_non_null(strstr(st, "'CN=Lab Root,O=Lab' is not in the trust store"));
    assert_non_null(strstr(out, "\u2713 Finished"));
    assert_true(strstr(out, "Handshake") < strstr(out, "Certificate chain (as sent)"));
    assert_non_null(strstr(out, "  [0] CN=www.lab.example,O=Lab\n"));
    assert_non_null(strstr(out, "  [1] CN=Lab Root,O=Lab  (self-signed)\n"));
    assert_non_null(strstr(out, "[expired 2 days ago]"));
    assert_non_null(strstr(out, "ecdsa-with-SHA1  [weak: SHA-1]"));
    assert_non_null(strstr(out, "EC 256 bits (prime256v1)"));
    assert_non_null(strstr(out, "DNS:www.lab.example, DNS:lab.example, DNS:a.lab.example, DNS:b.lab.example and 2 more (6 in all)"));
    assert_non_null(strstr(out, fpr));
    assert_non_null(strstr(out, "undecodable certificate"));
    /* the path, leaf to root, with sources and the broken link */
    const char *pb = strstr(out, "Path built");
    assert_non_null(pb);
    assert_non_null(strstr(pb, "    0  CN=www.lab.example,O=Lab  (sent)  [expired]  [weak signature]\n"));
    assert_non_null(strstr(pb, "\u2717 1  CN=Lab Root,O=Lab  (sent)  untrusted root"));
    /* observations: backends, resumption, OCSP, ALPN, store */
    assert_non_null(strstr(out, "Backends            3 handshakes, 2 different leaf certificates"));
    char prefix[17];
    memcpy(prefix, fpr, 16);
    prefix[16] = '\0';
    assert_non_null(strstr(out, prefix));
    assert_non_null(strstr(out, "failed: connection reset"));
    assert_non_null(strstr(out, "Resumption          yes"));
    assert_non_null(strstr(out, "OCSP                stapled, status good"));
    assert_non_null(strstr(out, "ALPN                offered h2,http/1.1; the server chose h2"));
    assert_non_null(strstr(out, "Trust store         ca-file /etc/lab.pem"));
    assert_null(strstr(out, "-----BEGIN CERTIFICATE-----"));
    assert_null(strchr(out, '\033'));
    free(out);

    r->show_certs = true;
    out = capture(td_report_write_text, r, true, &rc);
    assert_int_equal(rc, 0);
    const char *b0 = strstr(out, "-----BEGIN CERTIFICATE-----");
    assert_non_null(b0);
    assert_non_null(strstr(b0 + 1, "-----BEGIN CERTIFICATE-----")); /* the root's too */
    assert_non_null(strstr(out, "\033[31m\u2717\033[0m Certificate"));
    free(out);
    td_report_free(r);
    free_test_cert(&leaf);
    free_test_cert(&root);
}

/* A path that stops at a missing intermediate, and the same once the
 * issuer was fetched through AIA. */
static void test_report_incomplete_path(void **state)
{
    (void)state;
    test_cert leaf, root;
    td_report *r = cert_report(&leaf, &root);
    td_obs *o = &r->obs;
    free(o->hs.chain[1].der);
    free(o->hs.chain[2].der);
    o->hs.n_chain = 1;
    td_path *p = &o->path;
    memset(p, 0, sizeof *p);
    p->verdict = p->trust = TD_PATH_INCOMPLETE;
    p->x509_err = 20;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "unable to get local issuer certificate");
    p->depth = 0;
    p->n = 1;
    snprintf(p->subjects[0], sizeof p->subjects[0], "CN=www.lab.example,O=Lab");
    snprintf(p->top_subject, sizeof p->top_subject, "CN=www.lab.example,O=Lab");
    snprintf(p->missing_issuer, sizeof p->missing_issuer, "CN=Lab Intermediate,O=Lab");
    snprintf(p->missing_issuer_aia, sizeof p->missing_issuer_aia, "http://ca.example/lab.der");
    p->expired_depth = p->not_yet_valid_depth = p->weak_sig_depth = p->small_key_depth = -1;
    o->aia_tried = true;
    snprintf(o->aia_url, sizeof o->aia_url, "http://ca.example/lab.der");
    o->aia_cert.der = malloc(1);
    o->aia_cert.der[0] = 0;
    o->aia_cert.len = 1;
    td_path *a = &o->path_aia;
    a->verdict = a->trust = TD_PATH_OK;
    snprintf(a->x509_err_text, sizeof a->x509_err_text, "ok");
    a->depth = -1;
    a->n = 3;
    snprintf(a->subjects[0], sizeof a->subjects[0], "CN=www.lab.example,O=Lab");
    snprintf(a->subjects[1], sizeof a->subjects[1], "CN=Lab Intermediate,O=Lab");
    snprintf(a->subjects[2], sizeof a->subjects[2], "CN=Lab Root,O=Lab");
    a->src[0] = TD_SRC_SENT;
    a->src[1] = TD_SRC_EXTRA;
    a->src[2] = TD_SRC_STORE;
    a->used_extra = true;
    a->top_in_store = true;
    snprintf(a->top_subject, sizeof a->top_subject, "CN=Lab Root,O=Lab");
    a->expired_depth = a->not_yet_valid_depth = a->weak_sig_depth = a->small_key_depth = -1;

    int rc;
    char *out = capture(td_report_write_text, r, false, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "incomplete chain: issuer 'CN=Lab Intermediate,O=Lab' of 'CN=www.lab.example,O=Lab' "
                                "was not sent and is not in the trust store (browsers, which fetch it via AIA, succeed)"));
    const char *pb = strstr(out, "Path built");
    assert_non_null(pb);
    assert_non_null(strstr(pb, "\u2717 1  missing: CN=Lab Intermediate,O=Lab"));
    assert_non_null(strstr(pb, "caIssuers http://ca.example/lab.der"));
    assert_non_null(strstr(pb, "1  CN=Lab Intermediate,O=Lab  (fetched via AIA)"));
    assert_non_null(strstr(pb, "2  CN=Lab Root,O=Lab  (trust store)"));
    free(out);

    out = capture(write_json, r, false, &rc);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    json_t *trust = json_object_get(json_object_get(j, "observations"), "trust");
    json_t *path = json_object_get(trust, "path");
    assert_string_equal(json_string_value(json_object_get(path, "verdict")), "incomplete chain");
    assert_string_equal(json_string_value(json_object_get(path, "missing_issuer")), "CN=Lab Intermediate,O=Lab");
    json_t *pa = json_object_get(trust, "path_with_aia");
    assert_string_equal(json_string_value(json_object_get(pa, "verdict")), "ok");
    assert_true(json_is_null(json_object_get(pa, "x509_error")));
    assert_true(json_is_null(json_object_get(pa, "depth")));
    assert_true(json_is_true(json_object_get(pa, "used_extra")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pa, "certificates"), 1), "source")),
                        "extra");
    json_t *aia = json_object_get(trust, "aia");
    assert_string_equal(json_string_value(json_object_get(aia, "url")), "http://ca.example/lab.der");
    assert_true(json_is_true(json_object_get(aia, "fetched")));
    assert_true(json_is_null(json_object_get(aia, "error")));
    json_decref(j);
    free(out);
    td_report_free(r);
    free_test_cert(&leaf);
    free_test_cert(&root);
}

/* ---- ranked findings and client verdicts ----------------------------- */

static const td_client rc_browser = { .id = "test-browser", .name = "Test Browser 1" };
static const td_client rc_java = { .id = "test-java-8", .name = "Test Java 8 (8u161 and later)" };
static const td_client rc_iot = { .id = "test-iot", .name = "Test IoT sensor with a very long profile name" };

/* A report as td_check leaves it after ranking: NO_SHARED_CIPHER explains
 * two client failures; a name mismatch stands apart, with NO_SAN as its
 * symptom; three client verdicts. */
static td_report *ranked_report(void)
{
    td_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    td_obs_init(&r->obs);
    snprintf(r->target, sizeof r->target, "example.com:443");
    snprintf(r->obs.host, sizeof r->obs.host, "example.com");
    r->obs.port = 443;
    td_findings *fs = &r->findings;
    td_findings_add(fs, TD_ID_NO_SHARED_CIPHER, TD_SEV_FAIL, "Modern clients share no cipher suite with the server.",
                    "root evidence", "root fix", "openssl s_client -connect example.com:443 </dev/null");
    td_findings_add(fs, TD_ID_CLIENT_INCOMPATIBLE, TD_SEV_FAIL, "Test Browser 1 cannot connect: no shared suite.",
                    "symptom evidence one", "symptom fix one", "openssl s_client -connect example.com:443 -tls1_3 </dev/null");
    td_findings_add(fs, TD_ID_HOSTNAME_MISMATCH, TD_SEV_FAIL, "The certificate does not cover example.com.",
                    "name evidence", "name fix", "openssl s_client -connect example.com:443 -verify_hostname example.com </dev/null");
    td_findings_add(fs, TD_ID_CLIENT_INCOMPATIBLE, TD_SEV_FAIL, "Test Java 8 (8u161 and later) cannot connect: no shared suite.",
                    "symptom evidence two", "symptom fix two", "openssl s_client -connect example.com:443 -no_tls1_3 </dev/null");
    td_findings_add(fs, TD_ID_NO_SAN, TD_SEV_WARN, "The certificate has no subjectAltName.", "san evidence", "san fix",
                    "openssl s_client -connect example.com:443 </dev/null");
    td_findings_add(fs, TD_ID_WEAK_CIPHERS_ENABLED, TD_SEV_WARN, "3DES is accepted.", "weak evidence", "weak fix", NULL);
    fs->root_cause = 0;
    fs->v[1].symptom_of = 0;
    fs->v[3].symptom_of = 0;
    fs->v[4].symptom_of = 2;

    td_client_table *t = &r->clients;
    t->v[0] = (td_client_verdict){ .client = &rc_browser, .result = TD_CV_OK, .version = TD_TLS13, .suite = 0x1301,
                                   .group = 0x001d };
    t->v[1] = (td_client_verdict){ .client = &rc_java, .result = TD_CV_FAIL, .step = "ServerHello", .version = 0 };
    snprintf(t->v[1].reason, sizeof t->v[1].reason,
             "no shared cipher suite: the server accepts only TLS_ECDHE_ECDSA_* suites for TLS 1.2, and Test Java 8 "
             "offers no ECDSA-authenticated suite");
    t->v[2] = (td_client_verdict){ .client = &rc_iot, .result = TD_CV_UNKNOWN, .step = "ClientHello",
                                   .reason = "not simulated" };
    t->n = 3;
    return r;
}

static void test_report_json_ranked(void **state)
{
    (void)state;
    td_report *r = ranked_report();
    int rc;
    char *out = capture(write_json, r, false, &rc);
    assert_int_equal(rc, 0);
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);

    json_t *rcause = json_object_get(root, "root_cause");
    assert_true(json_is_object(rcause));
    assert_int_equal(json_integer_value(json_object_get(rcause, "index")), 0);
    assert_string_equal(json_string_value(json_object_get(rcause, "id")), "NO_SHARED_CIPHER");
    assert_string_equal(json_string_value(json_object_get(rcause, "summary")),
                        "Modern clients share no cipher suite with the server.");
    /* the verdict opens with the root cause */
    assert_string_equal(json_string_value(json_object_get(root, "verdict_text")),
                        "FAIL  example.com:443 \u2014 Modern clients share no cipher suite with the server; 2 "
                        "findings follow from it; 1 more failure.");

    json_t *fs = json_object_get(root, "findings");
    assert_int_equal(json_array_size(fs), 6);
    const long long want[] = { -1, 0, -1, 0, 2, -1 };
    for (size_t i = 0; i < 6; i++) {
        json_t *so = json_object_get(json_array_get(fs, i), "symptom_of");
        if (want[i] < 0)
            assert_true(json_is_null(so));
        else
            assert_int_equal(json_integer_value(so), want[i]);
    }

    json_t *cl = json_object_get(root, "clients");
    assert_int_equal(json_array_size(cl), 3);
    json_t *c0 = json_array_get(cl, 0);
    assert_string_equal(json_string_value(json_object_get(c0, "id")), "test-browser");
    assert_string_equal(json_string_value(json_object_get(c0, "name")), "Test Browser 1");
    assert_string_equal(json_string_value(json_object_get(c0, "result")), "ok");
    assert_true(json_is_null(json_object_get(c0, "step")));
    assert_true(json_is_null(json_object_get(c0, "reason")));
    assert_string_equal(json_string_value(json_object_get(c0, "version")), "TLS 1.3");
    assert_string_equal(json_string_value(json_object_get(c0, "suite")), "TLS_AES_128_GCM_SHA256");
    assert_string_equal(json_string_value(json_object_get(c0, "group")), "x25519");
    json_t *c1 = json_array_get(cl, 1);
    assert_string_equal(json_string_value(json_object_get(c1, "result")), "fail");
    assert_string_equal(json_string_value(json_object_get(c1, "step")), "ServerHello");
    assert_non_null(strstr(json_string_value(json_object_get(c1, "reason")), "no shared cipher suite"));
    assert_true(json_is_null(json_object_get(c1, "version")));
    assert_true(json_is_null(json_object_get(c1, "suite")));
    assert_true(json_is_null(json_object_get(c1, "group")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(cl, 2), "result")), "unknown");
    json_decref(root);
    free(out);

    /* a root cause index out of range is no root cause */
    r->findings.root_cause = 6;
    r->findings.v[1].symptom_of = 99;
    out = capture(write_json, r, false, &rc);
    root = json_loads(out, 0, NULL);
    assert_non_null(root);
    assert_true(json_is_null(json_object_get(root, "root_cause")));
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(root, "findings"), 1), "symptom_of")));
    assert_non_null(strstr(json_string_value(json_object_get(root, "verdict_text")), "Modern clients share no cipher "
                                                                                      "suite with the server; 3 more "
                                                                                      "failures."));
    json_decref(root);
    free(out);
    td_report_free(r);
}

static void test_report_text_ranked(void **state)
{
    (void)state;
    td_report *r = ranked_report();
    int rc;
    char *out = capture(td_report_write_text, r, false, &rc);
    assert_int_equal(rc, 0);
    const char *first = "FAIL  example.com:443 \u2014 Modern clients share no cipher suite with the server; 2 "
                        "findings follow from it; 1 more failure.\n";
    assert_memory_equal(out, first, strlen(first));

    /* the root cause first, whole; then what stands apart; then the symptoms */
    const char *root = strstr(out, "[FAIL] NO_SHARED_CIPHER  Modern clients");
    const char *name = strstr(out, "[FAIL] HOSTNAME_MISMATCH");
    const char *san = strstr(out, "[WARN] NO_SAN  The certificate has no subjectAltName. (follows from HOSTNAME_MISMATCH)");
    const char *sym = strstr(out, "Symptoms of the root cause (NO_SHARED_CIPHER)");
    const char *s1 = strstr(out, "[FAIL] CLIENT_INCOMPATIBLE  Test Browser 1 cannot connect");
    assert_non_null(root);
    assert_non_null(name);
    assert_non_null(san);
    assert_non_null(sym);
    assert_non_null(s1);
    assert_true(root < name && name < san && san < sym && sym < s1);
    assert_non_null(strstr(root, "evidence: root evidence"));
    assert_non_null(strstr(root, "fix:      root fix"));
    /* symptoms: the command to check, not their own evidence and fix */
    assert_null(strstr(out, "symptom evidence one"));
    assert_null(strstr(out, "symptom fix two"));
    assert_non_null(strstr(s1, "verify:   openssl s_client -connect example.com:443 -tls1_3 </dev/null"));

    /* the clients table */
    const char *cl = strstr(out, "\nClients\n");
    assert_non_null(cl);
    assert_non_null(strstr(cl, "\u2713 Test Browser 1"));
    assert_non_null(strstr(cl, "TLS 1.3  TLS_AES_128_GCM_SHA256  x25519\n"));
    assert_non_null(strstr(cl, "\u2717 Test Java 8                   ServerHello: "));
    assert_non_null(strstr(cl, "ServerHello: no shared cipher suite"));
    assert_non_null(strstr(cl, "? Test IoT sensor with a ve...  ClientHello: not simulated\n"));
    /* every line of the table fits 100 columns (the marks are one column, three bytes) */
    const char *end = strstr(cl + 1, "\n\n");
    for (const char *l = cl + 1; l && (!end || l < end);) {
        const char *nl = strchr(l, '\n');
        if (!nl)
            break;
        size_t cols = 0;
        for (const char *p = l; p < nl; p++)
            cols += ((unsigned char)*p & 0xc0) != 0x80;
        if (cols > 100)
            fail_msg("line of %zu columns: %.*s", cols, (int)(nl - l), l);
        l = nl + 1;
    }
    free(out);

    /* --client: the table says whose point of view it is */
    r->obs.clients_filtered = true;
    out = capture(td_report_write_text, r, false, &rc);
    assert_non_null(strstr(out, "\nClients (as chosen with --client)\n"));
    free(out);
    td_report_free(r);
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
        cmocka_unit_test(test_option_repeat_warn_days),
        cmocka_unit_test(test_option_probe_cfg),
        cmocka_unit_test(test_option_client),
        cmocka_unit_test(test_client_list),
        cmocka_unit_test(test_check_without_target),
        cmocka_unit_test(test_str_growth),
        cmocka_unit_test(test_str_cap),
        cmocka_unit_test(test_str_hex),
        cmocka_unit_test(test_parse_uint),
        cmocka_unit_test(test_findings_sort_stable),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_report_text),
        cmocka_unit_test(test_report_ok_verdicts),
        cmocka_unit_test(test_report_json_ranked),
        cmocka_unit_test(test_report_text_ranked),
        cmocka_unit_test(test_report_json_chain),
        cmocka_unit_test(test_report_text_chain),
        cmocka_unit_test(test_report_incomplete_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
