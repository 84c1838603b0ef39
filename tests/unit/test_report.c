/* Unit tests for both reporters (lib/report), given a report assembled by
 * hand: a failing server, the verdict line, ranked findings with their
 * symptoms and client verdicts.  No network involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check.h"
#include "tlsdiag.h"
#include "wire/tls.h"
#include "reportkit.h"

/* ---- reporters -------------------------------------------------------- */

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

    /* versions that answer with a ServerHello, but no handshake got through */
    int rc;
    char *out = capture(td_report_write_text, r, false, &rc);
    const char *none = "OK  [::1]:8443 \u2014 no handshake completed; no problems found.\n";
    assert_memory_equal(out, none, strlen(none));
    free(out);

    r->obs.hs.done = true;
    out = capture(td_report_write_text, r, false, &rc);
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
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_report_text),
        cmocka_unit_test(test_report_ok_verdicts),
        cmocka_unit_test(test_report_json_ranked),
        cmocka_unit_test(test_report_text_ranked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
