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
#include "report/wrap.h"
#include "wire/tls.h"
#include "reportkit.h"

/* ---- reporters -------------------------------------------------------- */

/* A self-signed certificate, DER in malloc'd memory as the probes keep it. */
static uint8_t *make_cert(size_t *len)
{
    return make_named_cert("Example", "test.example", 7, len);
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
    char *out = capture(write_text_long, r, false, &rc);
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

    out = capture(write_text_long, r, true, &rc);
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
    out = capture(write_text_long, r, false, &rc);
    const char *ok = "OK  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; no problems found.\n";
    assert_memory_equal(out, ok, strlen(ok));
    assert_non_null(strstr(out, "Findings\n  none\n"));
    free(out);
    out = capture(td_report_write_text, r, false, &rc);
    assert_memory_equal(out, ok, strlen(ok));
    assert_non_null(strstr(out, "\nFindings\n  none\n\ntlsdiag check -v shows every finding in full"));
    assert_null(strstr(out, "Failing clients"));
    free(out);
    assert_false(td_report_failed(r));

    td_findings_add(&r->findings, TD_ID_TLS13_MISSING, TD_SEV_INFO, "note", "", NULL, NULL);
    td_findings_add(&r->findings, TD_ID_LEGACY_PROTOCOL_ENABLED, TD_SEV_WARN, "TLS 1.0 is accepted.", "", NULL, NULL);
    td_findings_add(&r->findings, TD_ID_WEAK_CIPHERS_ENABLED, TD_SEV_WARN, "weak", "", NULL, NULL);
    td_findings_sort(&r->findings);
    out = capture(write_text_long, r, false, &rc);
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
    out = capture(write_text_long, r, false, &rc);
    const char *shut = "WARN  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; 2 of 4 simulated clients cannot connect "
                       "(Java 8 and Old IoT); 2 warnings.\n";
    assert_memory_equal(out, shut, strlen(shut));
    assert_null(strstr(out, "as expected"));
    free(out);

    /* A client below the level asked for (--clients) is expected to fail:
     * the verdict counts only the others, the clients table says it. */
    r->clients.v[2].below_level = true;
    out = capture(write_text_long, r, false, &rc);
    const char *served = "WARN  [::1]:8443 \u2014 TLS 1.3, 1.2 and 1.0 work; 1 of 3 simulated clients cannot connect "
                         "(Java 8); 2 warnings.\n";
    assert_memory_equal(out, served, strlen(served));
    assert_non_null(strstr(out, "\n  1 of the end-of-life clients (TLS 1.1 and below) cannot connect, as expected "
                                "(--clients intermediate)\n"));
    free(out);
    r->clients.v[1].below_level = true;
    r->obs.clients_level = TD_LEVEL_MODERN;
    out = capture(write_text_long, r, false, &rc);
    assert_memory_equal(out, warn, strlen(warn)); /* no client count: those failing are expected to */
    assert_non_null(strstr(out, "\n  2 clients without TLS 1.3 cannot connect, as expected (--clients modern)\n"));
    free(out);

    out = capture(write_json, r, false, &rc);
    json_t *doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "observations"), "clients_level")),
                        "modern");
    json_t *cls = json_object_get(doc, "clients");
    assert_int_equal(json_array_size(cls), 4);
    assert_true(json_is_false(json_object_get(json_array_get(cls, 0), "below_level")));
    assert_true(json_is_true(json_object_get(json_array_get(cls, 2), "below_level")));
    /* the profile's own level, by the newest version it offers (none here) */
    assert_string_equal(json_string_value(json_object_get(json_array_get(cls, 2), "level")), "old");
    json_decref(doc);
    free(out);
    r->obs.clients_level = TD_LEVEL_INTERMEDIATE;
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
    char *out = capture(write_text_long, r, false, &rc);
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
    out = capture(write_text_long, r, false, &rc);
    assert_non_null(strstr(out, "\nClients (as chosen with --client)\n"));
    free(out);
    td_report_free(r);
}

/* ---- the report that fits a screen ----------------------------------- */

#define N_PROFILES 36
#define N_SYMPTOMS 32 /* clients the root cause shuts out */

static td_client screen_clients[N_PROFILES];
static char screen_names[N_PROFILES][64];
static char screen_ids[N_PROFILES][24];

/* A verify command as long as the client ones are: a quoted cipher list of
 * 300 characters among options. */
static char *long_verify(const char *extra)
{
    td_str v;
    td_str_init(&v);
    td_str_printf(&v, "openssl s_client -connect example.com:443 -servername example.com%s -cipher '", extra);
    for (int i = 0; i < 15; i++)
        td_str_printf(&v, "%sECDHE-RSA-AES%d-GCM-SHA%d", i ? ":" : "", 128 + i, 256 + i);
    td_str_add(&v, "' -groups X25519:P-256:P-384 </dev/null");
    return td_str_take(&v);
}

/* A single-cause failure as td_check leaves it for a server stuck at TLS
 * 1.0: the root cause with a long fix and verify command, 32 clients it
 * shuts out and two more findings it explains; apart from it a weak-suite
 * warning, a note, and two clients that fail for another reason. */
static td_report *screen_report(void)
{
    td_report *r = failing_report();
    td_findings_free(&r->findings);
    memset(&r->findings, 0, sizeof r->findings);
    td_obs *o = &r->obs;
    td_findings *fs = &r->findings;

    td_str fix;
    td_str_init(&fix);
    td_str_add(&fix, "Enable TLS 1.2 and 1.3: nginx `ssl_protocols TLSv1.2 TLSv1.3;` with `ssl_ciphers ");
    for (int i = 0; i < 8; i++)
        td_str_printf(&fix, "%sECDHE-ECDSA-AES%d-GCM-SHA%d", i ? ":" : "", 128 + i, 256 + i);
    td_str_add(&fix, ";`, Apache httpd `SSLProtocol -all +TLSv1.2 +TLSv1.3`, HAProxy `ssl-default-bind-options "
                     "ssl-min-ver TLSv1.2` in `global`. A server stuck below TLS 1.2 is usually an old OpenSSL "
                     "or appliance firmware: upgrade it.");
    char *root_verify = long_verify(" -tls1_2");
    td_findings_add(fs, TD_ID_PROTOCOL_TOO_OLD, TD_SEV_FAIL,
                    "The newest protocol the server accepts is TLS 1.0: clients that disabled TLS 1.0/1.1 "
                    "(browsers since 2020, Java 17+, OpenSSL 3 at its default level) cannot connect.",
                    "root evidence", fix.s, root_verify);
    td_str_free(&fix);
    free(root_verify);

    o->n_sims = N_PROFILES;
    r->clients.n = N_PROFILES;
    for (int k = 0; k < N_PROFILES; k++) {
        snprintf(screen_names[k], sizeof screen_names[k], "Client %02d (a test profile)", k);
        snprintf(screen_ids[k], sizeof screen_ids[k], "client-%02d", k);
        screen_clients[k] = (td_client){ .id = screen_ids[k], .name = screen_names[k] };
        o->sims[k].client = &screen_clients[k];
        td_client_verdict *v = &r->clients.v[k];
        *v = (td_client_verdict){ .client = &screen_clients[k], .result = TD_CV_OK, .version = TD_TLS12,
                                  .suite = 0xc02f };
        if (k >= N_SYMPTOMS + 2)
            continue;
        bool root = k < N_SYMPTOMS;
        v->result = TD_CV_FAIL;
        snprintf(v->step, sizeof v->step, "ServerHello");
        snprintf(v->reason, sizeof v->reason, "%s: and a long explanation of it that no table has room for",
                 root ? "no shared protocol version" : "no shared cipher suite");
        char summary[128], *verify = long_verify(root ? " -no_tls1 -no_tls1_1" : " -no_tls1_3");
        snprintf(summary, sizeof summary, "%.64s cannot connect: the server speaks only TLS 1.0.", screen_names[k]);
        td_finding *f = td_findings_add(fs, TD_ID_CLIENT_INCOMPATIBLE, TD_SEV_WARN, summary, "client evidence",
                                        "client fix", verify);
        free(verify);
        f->client = k;
        f->reason = root ? TD_REASON_VERSION : TD_REASON_SUITE;
        f->symptom_of = root ? 0 : -1;
    }
    td_findings_add(fs, TD_ID_LEGACY_PROTOCOL_ENABLED, TD_SEV_WARN, "Only legacy protocols: TLS 1.0.", "e", "f",
                    "openssl s_client -connect example.com:443 -tls1_2 </dev/null")->symptom_of = 0;
    td_findings_add(fs, TD_ID_TLS13_MISSING, TD_SEV_INFO, "No TLS 1.3.", "e", "f", NULL)->symptom_of = 0;
    td_findings_add(fs, TD_ID_WEAK_CIPHERS_ENABLED, TD_SEV_WARN, "3DES is accepted.", "weak evidence",
                    "Remove 3DES.", "openssl s_client -connect example.com:443 -cipher 3DES </dev/null");
    td_findings_add(fs, TD_ID_CHAIN_ORDER, TD_SEV_INFO, "The root is sent along.", "order evidence",
                    "Leave the root out.", "openssl s_client -connect example.com:443 -showcerts </dev/null");
    fs->root_cause = 0;
    return r;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; (s = strchr(s, '\n')); s++)
        n++;
    return n;
}

/* Every line of out fits width columns, but those of a verify command (its
 * "verify:" line and what its " \" continuations carry on to) and a line
 * that holds one word alone (a cipher name wider than a narrow screen is
 * never cut inside). */
static void assert_fits(const char *out, size_t width)
{
    bool in_verify = false;
    for (const char *l = out; *l;) {
        const char *nl = strchr(l, '\n');
        assert_non_null(nl);
        size_t n = (size_t)(nl - l);
        bool verify = in_verify || strncmp(l + strspn(l, " "), "verify:", 7) == 0;
        in_verify = verify && n >= 2 && memcmp(nl - 2, " \\", 2) == 0;
        size_t lead = strspn(l, " ");
        bool one_word = lead < n && !memchr(l + lead, ' ', n - lead);
        if (!verify && !one_word && td_cols(l, n) > width)
            fail_msg("a line of %zu columns at width %zu: %.*s", td_cols(l, n), width, (int)n, l);
        l = nl + 1;
    }
}

/* The command after the first "verify: " at or after from, its " \"
 * continuations joined back into one line.  Returns it malloc'd. */
static char *joined_verify(const char *from)
{
    const char *p = strstr(from, "verify: ");
    assert_non_null(p);
    p += strlen("verify: ");
    td_str b;
    td_str_init(&b);
    for (;;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        if (nl - p >= 2 && memcmp(nl - 2, " \\", 2) == 0) {
            td_str_printf(&b, "%.*s ", (int)(nl - p - 2), p);
            p = nl + 1 + strspn(nl + 1, " ");
            continue;
        }
        td_str_printf(&b, "%.*s", (int)(nl - p), p);
        return td_str_take(&b);
    }
}

/* s without any blank: what is left of a text once wrapping is undone. */
static char *squeeze(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n')
            out[k++] = s[i];
    out[k] = '\0';
    return out;
}

static char *capture_width(const td_report *r, unsigned flags, unsigned width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(td_report_write_text_ex(r, f, flags, width), 0);
    fclose(f);
    return buf;
}

static void test_report_screen(void **state)
{
    (void)state;
    td_report *r = screen_report();
    const td_findings *fs = &r->findings;
    char *out = capture_width(r, 0, 80);

    /* the default form, and the old entry point, are this one */
    int rc;
    char *dflt = capture(td_report_write_text, r, false, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(dflt, out);
    free(dflt);
    dflt = capture_width(r, 0, 0);
    assert_string_equal(dflt, out);
    free(dflt);

    size_t lines = count_lines(out);
    if (lines > 45)
        fail_msg("%zu lines:\n%s", lines, out);
    assert_fits(out, 80);
    assert_memory_equal(out, "FAIL  example.com:443 \u2014 The newest", strlen("FAIL  example.com:443 \u2014 The newest"));

    /* the root cause, its fix whole (only wrapped) and its verify command
     * intact once joined */
    const char *rc_at = strstr(out, "\nRoot cause\n[FAIL] PROTOCOL_TOO_OLD\n");
    assert_non_null(rc_at);
    assert_true(strstr(out, "\nHandshake\n") < rc_at);
    const char *fix = strstr(rc_at, "       fix: Enable TLS 1.2 and 1.3: nginx");
    assert_non_null(fix);
    const char *vfy = strstr(fix, "\n       verify: ");
    assert_non_null(vfy);
    char *got = squeeze(fix + strlen("       fix:"), (size_t)(vfy - fix) - strlen("       fix:"));
    char *want = squeeze(fs->v[0].fix, strlen(fs->v[0].fix));
    assert_string_equal(got, want);
    free(got);
    free(want);
    char *cmd = joined_verify(vfy);
    assert_string_equal(cmd, fs->v[0].verify);
    free(cmd);
    assert_non_null(strstr(vfy, " \\\n               -cipher 'ECDHE-RSA-AES128-GCM-SHA256:"));

    /* what follows from it: one line for its clients, one for the rest */
    assert_non_null(strstr(rc_at, "\n       32 of 36 clients fail because of it: Client 00, Client 01 and 30 more\n"
                                  "       also explained by it: LEGACY_PROTOCOL_ENABLED, TLS13_MISSING\n"));
    /* the other problems: a warning with its fix, a note alone, the other
     * clients in one line */
    const char *other = strstr(out, "\nOther findings\n");
    assert_non_null(other);
    assert_non_null(strstr(other, "\n[WARN] WEAK_CIPHERS_ENABLED  3DES is accepted.\n       fix: Remove 3DES.\n"));
    assert_non_null(strstr(other, "\n[INFO] CHAIN_ORDER  The root is sent along.\n"));
    assert_non_null(strstr(other, "\n[WARN] 2 clients fail (no shared cipher suite): Client 32 and Client 33\n"));
    assert_null(strstr(out, "Leave the root out."));
    assert_null(strstr(out, "-cipher 3DES"));
    assert_null(strstr(out, "client fix"));
    assert_null(strstr(out, "-no_tls1_1"));
    assert_null(strstr(out, "evidence"));
    assert_null(strstr(out, "Observations"));

    /* the failing clients last, the root cause's first, a line each, then a
     * line for the rest that says where they are */
    const char *tbl = strstr(out, "\nFailing clients (34 of 36)\n");
    assert_non_null(tbl);
    assert_true(other < tbl);
    assert_non_null(strstr(tbl, "\n  \u2717 Client 00  ServerHello  no shared protocol version\n"));
    assert_null(strstr(tbl, "Client 35"));
    assert_non_null(strstr(tbl, "\n  and 30 more: tlsdiag check -v shows them, and every finding in full\n"));
    assert_null(strchr(out, '\033'));

    /* other widths: kept to, never below 40 columns */
    char *wide = capture_width(r, 0, 132);
    assert_fits(wide, 132);
    assert_true(count_lines(wide) <= lines);
    assert_non_null(strstr(wide, "\n       32 of 36 clients fail because of it: Client 00, Client 01, Client 02, "));
    cmd = joined_verify(strstr(wide, "\nRoot cause\n"));
    assert_string_equal(cmd, fs->v[0].verify);
    free(cmd);
    free(wide);
    char *narrow = capture_width(r, 0, 40);
    assert_fits(narrow, 40);
    cmd = joined_verify(strstr(narrow, "\nRoot cause\n"));
    assert_string_equal(cmd, fs->v[0].verify);
    free(cmd);
    char *tiny = capture_width(r, 0, 12);
    assert_string_equal(tiny, narrow);
    free(tiny);
    free(narrow);

    /* colour changes nothing but the colours */
    char *color = capture_width(r, TD_TEXT_COLOR, 80);
    assert_non_null(strstr(color, "\033[31m[FAIL]\033[0m PROTOCOL_TOO_OLD\n"));
    assert_int_equal(count_lines(color), lines);
    free(color);
    free(out);
    td_report_free(r);
}

static void test_report_screen_verbose(void **state)
{
    (void)state;
    td_report *r = screen_report();
    const td_findings *fs = &r->findings;
    char *out = capture_width(r, TD_TEXT_VERBOSE, 80);
    char *brief = capture_width(r, 0, 80);
    assert_true(count_lines(out) > 3 * count_lines(brief));
    free(brief);
    /* every finding in full: its line, and each verify command on one line */
    for (size_t i = 0; i < fs->n; i++) {
        char line[160];
        snprintf(line, sizeof line, "] %s  %s", td_id_name(fs->v[i].id), fs->v[i].summary);
        assert_non_null(strstr(out, line));
        if (!fs->v[i].verify)
            continue;
        td_str v;
        td_str_init(&v);
        td_str_printf(&v, "verify:   %s\n", fs->v[i].verify);
        assert_non_null(strstr(out, v.s));
        td_str_free(&v);
    }
    assert_non_null(strstr(out, "evidence: root evidence\n"));
    assert_non_null(strstr(out, "\nSymptoms of the root cause (PROTOCOL_TOO_OLD): they go away with it\n"));
    /* the whole clients table and the observations */
    assert_non_null(strstr(out, "\nClients\n"));
    assert_non_null(strstr(out, "\u2713 Client 35 (a test profile)"));
    assert_non_null(strstr(out, "\nObservations\n"));
    /* the width is the short form's: the long one keeps each item whole */
    char *wide = capture_width(r, TD_TEXT_VERBOSE, 200);
    assert_string_equal(wide, out);
    free(wide);
    free(out);
    td_report_free(r);
}

/* Client symptoms of the root cause in two groups say why each fails; a
 * group that takes every client names none. */
static void test_report_screen_groups(void **state)
{
    (void)state;
    td_report *r = screen_report();
    td_findings *fs = &r->findings;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].reason == TD_REASON_SUITE)
            fs->v[i].symptom_of = 0;
    char *out = capture_width(r, 0, 80);
    assert_non_null(strstr(out, "\n       32 of 36 clients fail because of it (no shared protocol version):\n"
                                "         Client 00, Client 01, Client 02, Client 03, Client 04 and 27 more\n"
                                "       2 of 36 clients fail because of it (no shared cipher suite):\n"
                                "         Client 32 and Client 33\n"));
    assert_null(strstr(out, "\nOther findings\n[WARN] 2 clients"));
    free(out);

    r->clients.n = N_SYMPTOMS + 2;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].reason == TD_REASON_SUITE)
            fs->v[i].reason = TD_REASON_VERSION;
    out = capture_width(r, 0, 80);
    assert_non_null(strstr(out, "\n       all 34 clients fail because of it\n"));
    free(out);
    td_report_free(r);
}

/* The wrapping itself: prose under a hanging indent, long words broken
 * after a separator, commands only where a shell reads them the same. */
static void test_wrap(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    td_wrap_add(&b, "one two three four five six", 4, 2, 14);
    assert_string_equal(b.s, "one two\n  three four\n  five six\n");
    td_str_free(&b);

    td_wrap_add(&b, "use AAAA:BBBB:CCCC:DDDD now", 0, 2, 12);
    assert_string_equal(b.s, "use AAAA:\n  BBBB:CCCC:\n  DDDD now\n");
    td_str_free(&b);
    /* a list is never cut inside a name, whatever the column it starts at:
     * a name that does not fit goes to the next line, and one wider than a
     * whole line stands alone on its line, whole */
    td_wrap_add(&b, "ssl_ciphers ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA;", 0, 2, 24);
    assert_string_equal(b.s, "ssl_ciphers\n  ECDHE-RSA-AES256-SHA384:\n  ECDHE-RSA-AES128-SHA;\n");
    td_str_free(&b);
    td_wrap_add(&b, "x ECDHE-ECDSA-AES128-GCM-SHA256:AES128-SHA", 0, 2, 16);
    assert_string_equal(b.s, "x ECDHE-ECDSA-AES128-GCM-SHA256:\n  AES128-SHA\n");
    td_str_free(&b);

    /* columns, not bytes */
    td_wrap_add(&b, "\u2713\u2713\u2713 \u2713\u2713", 0, 0, 5);
    assert_string_equal(b.s, "\u2713\u2713\u2713\n\u2713\u2713\n");
    td_str_free(&b);
    assert_int_equal(td_cols("\033[31m\u2717\033[0m x", strlen("\033[31m\u2717\033[0m x")), 3);
    td_cut_add(&b, "abcdefgh", 6);
    assert_string_equal(b.s, "abc...");
    td_str_free(&b);

    /* a quoted word with spaces, an option and its argument, a comment */
    const char *cmd = "openssl s_client -connect h:443 </dev/null 2>&1 | grep -q 'Cipher is (NONE)' && echo 'h refused'";
    td_wrap_command_add(&b, cmd, 0, 4, 24);
    assert_string_equal(b.s, "openssl s_client \\\n"
                             "    -connect h:443 \\\n"
                             "    </dev/null 2>&1 | \\\n"
                             "    grep \\\n"
                             "    -q 'Cipher is (NONE)' \\\n"
                             "    && echo 'h refused'\n");
    td_str_free(&b);
    td_wrap_command_add(&b, "echo a # b c d e f g h i j", 0, 2, 10);
    assert_string_equal(b.s, "echo a \\\n  # b c d e f g h i j\n");
    td_str_free(&b);
    /* an argument wider than a line stays with its option */
    td_wrap_command_add(&b, "x -cipher 'AAAAAAAAAAAAAAAAAAAA' -v", 0, 2, 12);
    assert_string_equal(b.s, "x \\\n  -cipher 'AAAAAAAAAAAAAAAAAAAA' \\\n  -v\n");
    td_str_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_report_text),
        cmocka_unit_test(test_report_ok_verdicts),
        cmocka_unit_test(test_report_json_ranked),
        cmocka_unit_test(test_report_text_ranked),
        cmocka_unit_test(test_report_screen),
        cmocka_unit_test(test_report_screen_verbose),
        cmocka_unit_test(test_report_screen_groups),
        cmocka_unit_test(test_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
