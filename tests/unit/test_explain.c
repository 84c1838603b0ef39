/* Unit tests for lib/explain: the compiled-in knowledge loads and holds
 * together, every pattern matches its own example, codes decode the same in
 * OpenSSL 1.1 and 3, the rules rank, and hostile input is skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "explain/explain_int.h"
#include "explain/kb.h"
#include "explain/match.h"
#include "explain/rules.h"

static const td_kb *kb(void)
{
    const td_kb *k = td_kb_get();
    if (!k)
        fail_msg("knowledge did not load: %s", td_kb_error() ? td_kb_error() : "?");
    return k;
}

static size_t hits_of(const char *line, td_xhit *hits, size_t max)
{
    static char norm[TD_X_MAX_LINE + 1];
    size_t len = strlen(line);
    td_xnorm(line, len, norm, sizeof norm);
    td_xfacts f;
    td_xfacts_init(&f);
    f.cert_index = 0;
    return td_xmatch_line(kb(), norm, len, &f, hits, max);
}

static bool hits_pattern(const char *line, const td_xpat *p)
{
    td_xhit hits[64];
    size_t n = hits_of(line, hits, 64);
    for (size_t i = 0; i < n; i++)
        if (hits[i].pat == p)
            return true;
    return false;
}

/* The first candidate of a text, as the rules rank it. */
static const char *top_cause(const char *text)
{
    static char id[64];
    td_explain *x = td_explain_new();
    assert_non_null(x);
    assert_int_equal(td_explain_add_text(x, text, strlen(text)), TD_OK);
    assert_int_equal(td_explain_run(x), TD_OK);
    snprintf(id, sizeof id, "%s", td_explain_candidate_count(x) ? td_explain_candidate_id(x, 0) : "-");
    td_explain_free(x);
    return id;
}

static void test_loads(void **state)
{
    (void)state;
    const td_kb *k = kb();
    size_t with_causes = 0;
    for (size_t i = 0; i < k->npats; i++) {
        const td_xpat *p = &k->pats[i];
        if (p->client[0] != TD_ID_NONE || p->server[0] != TD_ID_NONE || p->alert >= 0 || p->disabled)
            with_causes++;
        assert_non_null(p->example);
        for (size_t c = 0; c < TD_X_MAX_CAUSES; c++) {
            if (p->client[c] != TD_ID_NONE)
                assert_false(td_catalog(p->client[c])->planned);
            if (p->server[c] != TD_ID_NONE)
                assert_false(td_catalog(p->server[c])->planned);
        }
    }
    /* The floor: 400 patterns that point somewhere. */
    if (with_causes < 400)
        fail_msg("only %zu patterns point to a cause", with_causes);
    assert_true(k->ntext >= 300);
    assert_non_null(k->openssl_version);
    /* every cause the knowledge names has its meaning */
    for (size_t i = 0; i < k->npats; i++)
        for (size_t c = 0; c < TD_X_MAX_CAUSES && k->pats[i].client[c]; c++)
            if (!k->causes[k->pats[i].client[c]].why)
                fail_msg("%s: no line in causes.tsv", td_id_name(k->pats[i].client[c]));
}

/* Each hand-written pattern is recognised in its own example; a code-only
 * one by the reading it stands for. */
static void test_examples_match(void **state)
{
    (void)state;
    const td_kb *k = kb();
    int bad = 0;
    for (size_t i = 0; i < k->npats; i++) {
        const td_xpat *p = &k->pats[i];
        if (!p->free_text && p->src != TD_XSRC_TEXT)
            continue;
        if (!hits_pattern(p->example, p)) {
            print_error("pattern %s does not match its example: %s\n", p->name, p->example);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void test_packed_codes(void **state)
{
    (void)state;
    /* certificate verify failed: OpenSSL 3 and 1.1 */
    assert_int_equal(td_xossl_reason(0x0A000086UL), 134);
    assert_int_equal(td_xossl_reason(0x14090086UL), 134);
    assert_int_equal(td_xossl_reason(0x14094418UL), 1048);
    assert_int_equal(td_xossl_reason(0x0A000418UL), 1048);
    /* another library's code is not an SSL reason */
    assert_int_equal(td_xossl_reason(0x80000002UL), -1);
    assert_int_equal(td_xossl_reason(0x0B07C065UL), -1);
    const td_xpat *p = td_kb_ssl(kb(), 134);
    assert_non_null(p);
    assert_true(hits_pattern("error:14090086:SSL routines:ssl3_get_server_certificate:certificate verify failed", p));
    assert_true(hits_pattern("error:0A000086:SSL routines::certificate verify failed", p));
    assert_non_null(td_kb_ssl_by_name(kb(), "wrong_version_number", 20));
    assert_null(td_kb_ssl_by_name(kb(), "no_such_reason", 14));
}

static void test_ranking(void **state)
{
    (void)state;
    assert_string_equal(top_cause("curl: (60) SSL certificate problem: certificate has expired"), "CERT_EXPIRED");
    assert_string_equal(top_cause("x509: certificate signed by unknown authority"), "UNTRUSTED_CA");
    assert_string_equal(top_cause("javax.net.ssl.SSLHandshakeException: No subject alternative names present"),
                        "NO_SAN");
    assert_string_equal(top_cause("Error: self-signed certificate { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }"),
                        "SELF_SIGNED");
    assert_string_equal(top_cause("net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH"), "PROTOCOL_TOO_OLD");
    assert_string_equal(top_cause("SEC_E_WRONG_PRINCIPAL (0x80090322)"), "HOSTNAME_MISMATCH");
    assert_string_equal(top_cause("SSL_ERROR_BAD_CERT_DOMAIN"), "HOSTNAME_MISMATCH");
    /* the same alert means different things by who received it */
    assert_string_equal(top_cause("curl: (35) error:0A000418:SSL routines::tlsv1 alert unknown ca"),
                        "CLIENT_CERT_REJECTED");
    assert_string_equal(
        top_cause("2026/12/07 11:00:00 [info] 1#1: *5 SSL_do_handshake() failed (SSL: error:0A000418:SSL "
                  "routines::tlsv1 alert unknown ca:SSL alert number 48) while SSL handshaking, client: 10.1.2.3, "
                  "server: 0.0.0.0:443"),
        "CLIENT_REJECTED_CERT");
    /* curl -v: the client sending the alert is the client rejecting */
    assert_string_equal(top_cause("* TLSv1.3 (OUT), TLS alert, unknown CA (560):"), "CLIENT_REJECTED_CERT");
    assert_string_equal(top_cause("* TLSv1.3 (IN), TLS alert, unknown CA (560):"), "CLIENT_CERT_REJECTED");
    assert_string_equal(top_cause("javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version"),
                        "PROTOCOL_TOO_OLD");
}

/* Prose, and OpenSSL texts too vague to match alone, give no hit. */
static void test_negative(void **state)
{
    (void)state;
    td_xhit hits[8];
    assert_int_equal(hits_of("everything is ok, the build passed", hits, 8), 0);
    assert_int_equal(hits_of("internal error in the billing service", hits, 8), 0);
    assert_int_equal(hits_of("error:0B07C065:x509 certificate routines::cert already in hash table", hits, 8), 0);
    assert_int_equal(hits_of("curl -kv is a fine way to look", hits, 8), 0);
    assert_string_equal(top_cause("hello world\nnothing here\n"), "-");
}

static void test_facts(void **state)
{
    (void)state;
    td_explain *x = td_explain_new();
    const char *t = "requests.exceptions.SSLError: HTTPSConnectionPool(host='app.test', port=8443): Max retries "
                    "exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
                    "CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not "
                    "valid for 'app.test'. (_ssl.c:1006)')))\n";
    assert_int_equal(td_explain_add_text(x, t, strlen(t)), TD_OK);
    td_explain_run(x);
    assert_string_equal(x->facts.host, "app.test");
    assert_int_equal(x->facts.port, 8443);
    assert_string_equal(td_explain_candidate_id(x, 0), "HOSTNAME_MISMATCH");
    char *next = td_explain_next_command(x);
    assert_string_equal(next, "tlsdiag check app.test:8443");
    free(next);
    assert_false(td_explain_verification_disabled(x));
    td_explain_free(x);

    x = td_explain_new();
    t = "$ curl -sk https://10.1.2.3:8443/health\n* SSL certificate verify result: self-signed certificate (18), "
        "continuing anyway.\n";
    td_explain_add_text(x, t, strlen(t));
    td_explain_run(x);
    assert_true(td_explain_verification_disabled(x));
    assert_string_equal(x->facts.disabled_how, "curl -k");
    assert_string_equal(x->facts.host, "10.1.2.3");
    td_explain_free(x);

    x = td_explain_new();
    t = "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13\n"
        "curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to shop.example:443\n";
    td_explain_add_text(x, t, strlen(t));
    td_explain_run(x);
    assert_string_equal(x->facts.versions[TD_XSW_CURL], "7.88.1");
    assert_string_equal(x->facts.versions[TD_XSW_OPENSSL], "3.0.19");
    assert_string_equal(x->facts.host, "shop.example");
    assert_int_equal(x->v.software, TD_XSW_CURL);
    assert_int_equal(x->v.step, TD_XSTEP_HELLO);
    td_explain_free(x);
}

static void test_codes(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *code, *top;
    } ok[] = {
        { "alert", "48", "CLIENT_CERT_REJECTED" }, { "x509", "20", "CHAIN_INCOMPLETE" },
        { "x509", "10", "CERT_EXPIRED" },          { "openssl", "0A000086", "CHAIN_INCOMPLETE" },
        { "openssl", "14094410", "NO_SHARED_CIPHER" }, { "curl", "60", "CHAIN_INCOMPLETE" },
        { "alert", "112", "SNI_REQUIRED" },
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        td_explain *x = td_explain_new();
        assert_int_equal(td_explain_add_code(x, ok[i].kind, ok[i].code), TD_OK);
        td_explain_run(x);
        if (strcmp(td_explain_candidate_id(x, 0), ok[i].top) != 0)
            fail_msg("%s %s: %s first, want %s", ok[i].kind, ok[i].code, td_explain_candidate_id(x, 0), ok[i].top);
        td_explain_free(x);
    }
    static const char *const bad[][2] = { { "alert", "300" }, { "alert", "-1" }, { "x509", "0" },
                                          { "openssl", "zz" }, { "openssl", "0B07C065" }, { "curl", "x" },
                                          { "tls", "1" },      { "alert", "" } };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        td_explain *x = td_explain_new();
        assert_int_equal(td_explain_add_code(x, bad[i][0], bad[i][1]), TD_ERR_USAGE);
        assert_non_null(td_explain_error(x));
        td_explain_free(x);
    }
}

/* A NUL byte or an over-long line is skipped and counted; invalid UTF-8 is
 * read as bytes and leaves the evidence printable. */
static void test_hostile(void **state)
{
    (void)state;
    td_explain *x = td_explain_new();
    static const char nul[] = "curl: (60) SSL certificate problem: certificate has expired\0 trailing\n";
    assert_int_equal(td_explain_add_text(x, nul, sizeof nul - 1), TD_OK);
    size_t big = TD_X_MAX_LINE + 10;
    char *line = malloc(big);
    assert_non_null(line);
    memset(line, 'a', big);
    memcpy(line, "x509: certificate signed by unknown authority", 45);
    assert_int_equal(td_explain_add_text(x, line, big), TD_OK);
    free(line);
    static const char utf[] = "x509: certificate has expired or is not yet valid \xff\xfe\xc3\x28 end\n";
    assert_int_equal(td_explain_add_text(x, utf, sizeof utf - 1), TD_OK);
    td_explain_run(x);
    assert_int_equal(x->lines_nul, 1);
    assert_int_equal(x->lines_long, 1);
    assert_int_equal(x->lines_matched, 1);
    for (const char *p = x->seen[0].evidence; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(td_explain_write_json(x, devnull), 0);
    assert_int_equal(td_explain_write_text(x, devnull, false), 0);
    fclose(devnull);
    td_explain_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads),        cmocka_unit_test(test_examples_match), cmocka_unit_test(test_packed_codes),
        cmocka_unit_test(test_ranking),      cmocka_unit_test(test_negative),       cmocka_unit_test(test_facts),
        cmocka_unit_test(test_codes),        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
