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
#include <openssl/x509.h>

#include "check.h"
#include "tlsdiag.h"
#include "util/str.h"
#include "wire/tls.h"

/* ---- targets ---------------------------------------------------------- */

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
        char err[256] = "";
        if (td_options_set_target(o, t->in, err, sizeof err) != 0)
            fail_msg("'%s' rejected: %s", t->in, err);
        assert_string_equal(o->host, t->host);
        assert_int_equal(o->port, t->port);
        assert_int_equal(o->host_is_ip, t->is_ip);
        td_options_free(o);
    }
}

static void test_target_long_names(void **state)
{
    (void)state;
    char name[300];
    td_options *o = td_options_new();
    char err[256];

    /* a 63-character label is the most DNS allows */
    memset(name, 'a', 63);
    memcpy(name + 63, ".example", 9);
    assert_int_equal(td_options_set_target(o, name, err, sizeof err), 0);
    memset(name, 'a', 64);
    memcpy(name + 64, ".example", 9);
    assert_int_equal(td_options_set_target(o, name, err, sizeof err), -1);
    assert_true(strlen(err) > 0);

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
    assert_int_equal(td_options_set_target(o, name, err, sizeof err), 0);
    name[n] = 'b';
    name[n + 1] = '\0';
    err[0] = '\0';
    assert_int_equal(td_options_set_target(o, name, err, sizeof err), -1);
    assert_non_null(strstr(err, "253"));
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
        assert_int_equal(td_options_set_target(o, "keep.example:444", NULL, 0), 0);
        char err[256] = "";
        if (td_options_set_target(o, bad_targets[i], err, sizeof err) != -1)
            fail_msg("'%s' accepted as %s:%u", bad_targets[i], o->host, o->port);
        if (strlen(err) == 0)
            fail_msg("'%s' rejected without a reason", bad_targets[i]);
        assert_null(strchr(err, '\n'));
        /* a rejected target leaves the previous one alone */
        assert_string_equal(o->host, "keep.example");
        assert_int_equal(o->port, 444);
        td_options_free(o);
    }
    td_options *o = td_options_new();
    char err[64] = "";
    assert_int_equal(td_options_set_target(o, NULL, err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    td_options_free(o);
}

/* ---- other options ---------------------------------------------------- */

static void test_option_defaults(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    assert_int_equal(o->port, 443);
    assert_true(o->timeout_s == 5.0);
    assert_true(o->deadline_s == 60.0);
    assert_int_equal(o->max_conns, 8);
    assert_false(o->no_sni);
    assert_false(o->sni_set);
    assert_string_equal(o->dns_server, "");
    assert_string_equal(td_version(), TLSDIAG_VERSION);
    td_options_free(o);
}

static void test_option_sni(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    char err[256];
    assert_int_equal(td_options_set_sni(o, "www.example.com", err, sizeof err), 0);
    assert_string_equal(o->sni, "www.example.com");
    assert_true(o->sni_set);
    err[0] = '\0';
    assert_int_equal(td_options_set_sni(o, "192.0.2.1", err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    assert_int_equal(td_options_set_sni(o, "::1", err, sizeof err), -1);
    assert_int_equal(td_options_set_sni(o, "", err, sizeof err), -1);
    assert_int_equal(td_options_set_sni(o, "bad name", err, sizeof err), -1);
    assert_int_equal(td_options_set_sni(o, "a..b", err, sizeof err), -1);
    assert_string_equal(o->sni, "www.example.com");
    td_options_set_no_sni(o, true);
    assert_true(o->no_sni);
    td_options_free(o);
}

static void test_option_ca_file(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    char err[512];
    char path[] = "/tmp/tlsdiag-test-ca-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(td_options_set_ca_file(o, path, err, sizeof err), 0);
    assert_string_equal(o->ca_file, path);

    err[0] = '\0';
    assert_int_equal(td_options_set_ca_file(o, "/nonexistent/ca.pem", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
    err[0] = '\0';
    assert_int_equal(td_options_set_ca_file(o, "/tmp", err, sizeof err), -1);
    assert_non_null(strstr(err, "regular file"));
    assert_int_equal(td_options_set_ca_file(o, "", err, sizeof err), -1);
    if (geteuid() != 0) { /* root reads anything */
        chmod(path, 0);
        assert_int_equal(td_options_set_ca_file(o, path, err, sizeof err), -1);
    }
    assert_string_equal(o->ca_file, path);
    unlink(path);
    td_options_free(o);
}

static void test_option_times(void **state)
{
    (void)state;
    td_options *o = td_options_new();
    char err[256];
    assert_int_equal(td_options_set_timeout(o, 0.05, err, sizeof err), 0);
    assert_int_equal(td_options_set_timeout(o, 300, err, sizeof err), 0);
    assert_int_equal(td_options_set_timeout(o, 2.5, err, sizeof err), 0);
    assert_true(o->timeout_s == 2.5);
    err[0] = '\0';
    assert_int_equal(td_options_set_timeout(o, 0.049, err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    assert_int_equal(td_options_set_timeout(o, 300.5, err, sizeof err), -1);
    assert_int_equal(td_options_set_timeout(o, 0, err, sizeof err), -1);
    assert_int_equal(td_options_set_timeout(o, -1, err, sizeof err), -1);
    assert_int_equal(td_options_set_timeout(o, NAN, err, sizeof err), -1);
    assert_int_equal(td_options_set_timeout(o, INFINITY, err, sizeof err), -1);
    assert_true(o->timeout_s == 2.5);

    assert_int_equal(td_options_set_deadline(o, 90, err, sizeof err), 0);
    assert_true(o->deadline_s == 90);
    assert_int_equal(td_options_set_deadline(o, 0, err, sizeof err), -1);
    assert_int_equal(td_options_set_deadline(o, 3601, err, sizeof err), -1);
    assert_int_equal(td_options_set_deadline(o, NAN, err, sizeof err), -1);
    assert_true(o->deadline_s == 90);

    assert_int_equal(td_options_set_max_connections(o, 1, err, sizeof err), 0);
    assert_int_equal(td_options_set_max_connections(o, 256, err, sizeof err), 0);
    assert_int_equal(td_options_set_max_connections(o, 0, err, sizeof err), -1);
    assert_int_equal(td_options_set_max_connections(o, 257, err, sizeof err), -1);
    assert_int_equal(o->max_conns, 256);
    td_options_free(o);
}

static void test_option_dns_server(void **state)
{
    (void)state;
    static const struct {
        const char *in, *stored;
    } good[] = {
        { "127.0.0.1", "127.0.0.1" },
        { "127.0.0.1:5353", "127.0.0.1:5353" },
        { "::1", "::1" },
        { "[::1]", "::1" },
        { "[::1]:5353", "[::1]:5353" },
        { "2001:db8::53", "2001:db8::53" },
    };
    static const char *const bad[] = {
        "", "example.com", "example.com:53", "127.0.0.1:0", "127.0.0.1:70000", "[::1", "[::1]:x",
        "1.2.3", "::g",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        td_options *o = td_options_new();
        char err[256] = "";
        if (td_options_set_dns_server(o, good[i].in, err, sizeof err) != 0)
            fail_msg("'%s' rejected: %s", good[i].in, err);
        assert_string_equal(o->dns_server, good[i].stored);
        td_options_free(o);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        td_options *o = td_options_new();
        char err[256] = "";
        if (td_options_set_dns_server(o, bad[i], err, sizeof err) != -1)
            fail_msg("'%s' accepted", bad[i]);
        assert_true(strlen(err) > 0);
        assert_string_equal(o->dns_server, "");
        td_options_free(o);
    }
}

static void test_check_without_target(void **state)
{
    (void)state;
    td_report *r = (td_report *)1;
    assert_int_equal(td_check(NULL, &r), TD_EXIT_USAGE);
    td_options *o = td_options_new();
    r = (td_report *)1;
    assert_int_equal(td_check(o, &r), TD_EXIT_USAGE);
    assert_null(r);
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
    char summary[16];
    static const struct {
        const char *id;
        td_severity sev;
    } in[] = {
        { "I1", TD_SEV_INFO }, { "F1", TD_SEV_FAIL }, { "W1", TD_SEV_WARN }, { "F2", TD_SEV_FAIL },
        { "I2", TD_SEV_INFO }, { "W2", TD_SEV_WARN }, { "F3", TD_SEV_FAIL }, { "I3", TD_SEV_INFO },
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        snprintf(summary, sizeof summary, "s-%s", in[i].id);
        td_findings_add(&fs, in[i].id, in[i].sev, summary, i % 2 ? NULL : "ev", i % 2 ? "fix" : NULL, NULL);
    }
    memset(summary, 0, sizeof summary); /* the list keeps its own copies */
    td_findings_sort(&fs);
    static const char *const want[] = { "F1", "F2", "F3", "W1", "W2", "I1", "I2", "I3" };
    assert_int_equal(fs.n, 8);
    for (size_t i = 0; i < fs.n; i++) {
        assert_string_equal(fs.v[i].id, want[i]);
        char expect[16];
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

    td_findings_add(&r->findings, "WEAK_CIPHERS_ENABLED", TD_SEV_WARN, "3DES is accepted.", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                    "Remove 3DES.", NULL);
    td_findings_add(&r->findings, "RESET_AFTER_CLIENTHELLO", TD_SEV_FAIL,
                    "the server resets the connection after the ClientHello: no TLS handshake is possible.",
                    "sent 517 bytes\nreceived TCP RST", "Check the TLS terminator's logs.",
                    "openssl s_client -connect example.com:443 </dev/null");
    td_findings_sort(&r->findings);
    return r;
}

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

    json_t *fs = json_object_get(root, "findings");
    assert_int_equal(json_array_size(fs), 2);
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

    assert_int_equal(json_integer_value(json_object_get(obs, "connections")), 9);
    assert_true(json_is_false(json_object_get(obs, "deadline_hit")));

    json_decref(root);
    free(out);
    assert_int_equal(td_report_exit_code(r), TD_EXIT_FAIL);
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
    assert_int_equal(td_report_exit_code(r), TD_EXIT_OK);

    td_findings_add(&r->findings, "TLS13_MISSING", TD_SEV_INFO, "note", "", NULL, NULL);
    td_findings_add(&r->findings, "LEGACY_PROTOCOL_ENABLED", TD_SEV_WARN, "TLS 1.0 is accepted.", "", NULL, NULL);
    td_findings_add(&r->findings, "WEAK_CIPHERS_ENABLED", TD_SEV_WARN, "weak", "", NULL, NULL);
    td_findings_sort(&r->findings);
    out = capture(td_report_write_text, r, false, &rc);
    const char *warn = "WARN  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; 2 warnings.\n";
    assert_memory_equal(out, warn, strlen(warn));
    assert_true(strstr(out, "[WARN] LEGACY") < strstr(out, "[INFO] TLS13_MISSING"));
    free(out);
    assert_int_equal(td_report_exit_code(r), TD_EXIT_OK);

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
        cmocka_unit_test(test_check_without_target),
        cmocka_unit_test(test_str_growth),
        cmocka_unit_test(test_str_cap),
        cmocka_unit_test(test_str_hex),
        cmocka_unit_test(test_parse_uint),
        cmocka_unit_test(test_findings_sort_stable),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_report_text),
        cmocka_unit_test(test_report_ok_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
