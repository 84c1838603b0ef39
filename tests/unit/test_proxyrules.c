/* Unit tests for the rules about proxies: PROXY_FAILURE from observations
 * of what the proxy did (lib/diag/proxy.c), the proxy's pieces of the verify
 * commands (lib/diag/advice.c), and the interception products' CA names
 * (lib/registry/intercept.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/advice.h"
#include "diag/finding.h"
#include "registry/registry.h"

static const char LEADIN[] = "http-connect";
static td_obs obs;

/* A check through http://127.0.0.1:3128 to example.com:443 whose baseline
 * ended in out, while the proxy's lead-in was waiting when waiting. */
static void through_proxy(td_outcome out, bool waiting)
{
    td_obs_free(&obs);
    td_obs_init(&obs);
    snprintf(obs.host, sizeof obs.host, "example.com");
    obs.port = 443;
    obs.proxy.used = true;
    obs.proxy.scheme = TD_PROXY_HTTP;
    snprintf(obs.proxy.url, sizeof obs.proxy.url, "http://127.0.0.1:3128");
    snprintf(obs.proxy.hostport, sizeof obs.proxy.hostport, "127.0.0.1:3128");
    snprintf(obs.proxy.from, sizeof obs.proxy.from, "--proxy");
    snprintf(obs.proxy.addr, sizeof obs.proxy.addr, "127.0.0.1");
    obs.proxy.leadin = LEADIN;
    obs.baseline.out = out;
    obs.baseline.leadin = waiting ? LEADIN : NULL;
}

static void refused_with(td_pxf_kind kind, int code, const char *reason)
{
    through_proxy(TD_OUT_LEADIN, true);
    obs.proxy.stats.refused = 3;
    obs.proxy.stats.first = (td_proxy_fail){ .kind = kind, .code = code };
    snprintf(obs.proxy.stats.first.reason, sizeof obs.proxy.stats.first.reason, "%s", reason);
}

static const td_finding *only(const td_findings *fs)
{
    assert_int_equal(fs->n, 1);
    assert_int_equal(fs->v[0].id, TD_ID_PROXY_FAILURE);
    return &fs->v[0];
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        td_pxf_kind kind;
        int code;
        const char *reason, *summary, *fix;
    } cases[] = {
        { TD_PXF_HTTP_STATUS, 407, "Proxy Authentication Required", "wants credentials", "USER:PASS@" },
        { TD_PXF_HTTP_STATUS, 403, "Forbidden", "access rules deny", "no_proxy" },
        { TD_PXF_HTTP_STATUS, 502, "Bad Gateway", "could not reach the server", "from the proxy's side" },
        { TD_PXF_SOCKS_REPLY, 2, "connection not allowed by ruleset", "access rules deny", "socks pass" },
        { TD_PXF_SOCKS_REPLY, 4, "host unreachable", "could not reach the server", "its firewall" },
        { TD_PXF_SOCKS_AUTH, 1, "username/password refused", "wants credentials", "USER:PASS@" },
        { TD_PXF_MALFORMED, 0, "the proxy's answer to CONNECT is not HTTP/1.x", "not HTTP", "scheme" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        refused_with(cases[i].kind, cases[i].code, cases[i].reason);
        td_findings fs = { 0 };
        assert_true(td_diagnose_proxy(&obs, &fs));
        const td_finding *f = only(&fs);
        assert_int_equal(f->sev, TD_SEV_FAIL);
        if (!strstr(f->summary, cases[i].summary) || !strstr(f->fix, cases[i].fix))
            fail_msg("case %zu: %s / %s", i, f->summary, f->fix);
        assert_non_null(strstr(f->summary, "The server itself was not reached"));
        assert_non_null(strstr(f->verify, "curl -v -x http://127.0.0.1:3128 "));
        assert_non_null(strstr(f->evidence, "3 connections refused"));
        td_findings_free(&fs);
    }
}

/* Silence at the proxy is its failure; silence behind an open tunnel is not. */
static void test_where_the_silence_is(void **state)
{
    (void)state;
    td_findings fs = { 0 };
    through_proxy(TD_OUT_TIMEOUT, true);
    assert_true(td_diagnose_proxy(&obs, &fs));
    assert_non_null(strstr(only(&fs)->summary, "did not answer its CONNECT request"));
    assert_int_equal(only(&fs)->reason, TD_REASON_TIMEOUT);
    td_findings_free(&fs);

    memset(&fs, 0, sizeof fs);
    through_proxy(TD_OUT_TIMEOUT, false);
    obs.proxy.stats.up = 9;
    assert_false(td_diagnose_proxy(&obs, &fs));
    assert_int_equal(fs.n, 0);
    td_diagnose(&obs, &fs);
    bool timeout = false;
    for (size_t i = 0; i < fs.n; i++)
        if (fs.v[i].id == TD_ID_HANDSHAKE_TIMEOUT)
            timeout = strstr(fs.v[i].summary, "opened the tunnel") != NULL;
    assert_true(timeout);
    td_findings_free(&fs);

    memset(&fs, 0, sizeof fs);
    through_proxy(TD_OUT_REFUSED, false);
    assert_true(td_diagnose_proxy(&obs, &fs));
    assert_non_null(strstr(only(&fs)->summary, "The proxy 127.0.0.1:3128 cannot be reached"));
    td_findings_free(&fs);

    memset(&fs, 0, sizeof fs);
    through_proxy(TD_OUT_NOT_RUN, false);
    snprintf(obs.proxy.dns_error, sizeof obs.proxy.dns_error, "no such host");
    assert_true(td_diagnose_proxy(&obs, &fs));
    assert_non_null(strstr(only(&fs)->summary, "does not resolve"));
    td_findings_free(&fs);
}

/* Some refusals while the first hello went through: a warning, and the
 * rules go on. */
static void test_partial(void **state)
{
    (void)state;
    refused_with(TD_PXF_HTTP_STATUS, 503, "Service Unavailable");
    obs.baseline.out = TD_OUT_HELLO;
    obs.baseline.leadin = NULL;
    obs.proxy.stats.up = 20;
    td_findings fs = { 0 };
    assert_false(td_diagnose_proxy(&obs, &fs));
    assert_int_equal(only(&fs)->sev, TD_SEV_WARN);
    td_findings_free(&fs);

    through_proxy(TD_OUT_HELLO, false);
    obs.proxy.used = false;
    memset(&fs, 0, sizeof fs);
    assert_false(td_diagnose_proxy(&obs, &fs));
    assert_int_equal(fs.n, 0);
}

static void test_advice(void **state)
{
    (void)state;
    td_advice a;
    through_proxy(TD_OUT_HELLO, false);
    obs.proxy.auth = true;
    snprintf(obs.proxy.user, sizeof obs.proxy.user, "alice");
    td_advice_init(&a, &obs);
    assert_string_equal(a.sclient, "openssl s_client -connect example.com:443 -proxy 127.0.0.1:3128 -proxy_user alice "
                                   "-proxy_pass env:PROXY_PASSWORD");
    assert_string_equal(a.curl_proxy, " -x http://127.0.0.1:3128 --proxy-user alice");
    /* s_client speaks no SOCKS: its commands go straight, curl's through. */
    obs.proxy.scheme = TD_PROXY_SOCKS5H;
    obs.proxy.auth = false;
    snprintf(obs.proxy.url, sizeof obs.proxy.url, "socks5h://127.0.0.1:1080");
    td_advice_init(&a, &obs);
    assert_string_equal(a.sclient, "openssl s_client -connect example.com:443");
    assert_string_equal(a.curl_proxy, " -x socks5h://127.0.0.1:1080");
    obs.proxy.used = false;
    td_advice_init(&a, &obs);
    assert_string_equal(a.curl_proxy, "");
}

static void test_products(void **state)
{
    (void)state;
    const td_intercept_product *p = td_intercept_match("CN=Zscaler Intermediate Root CA,O=Zscaler Inc.");
    assert_non_null(p);
    assert_string_equal(p->product, "Zscaler Internet Access");
    p = td_intercept_match("CN=Fortinet_CA_SSL,O=Fortinet,C=US");
    assert_non_null(p);
    assert_string_equal(p->kind, "firewall");
    assert_non_null(td_intercept_match("cn=mitmproxy,o=MITMPROXY"));
    assert_null(td_intercept_match("CN=R11,O=Let's Encrypt,C=US"));
    assert_null(td_intercept_match("CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US"));
    for (size_t i = 0; i < td_intercept_count(); i++) {
        const td_intercept_product *q = td_intercept_at(i);
        assert_true(strncmp(q->source, "https://", 8) == 0);
        assert_non_null(td_intercept_match(q->ca_name));
    }
    assert_null(td_intercept_at(td_intercept_count()));
    assert_false(td_text_contains("CN=x", ""));
    assert_true(td_text_contains("CN=tlsdiag Test Root CA", "test root"));
}

static int teardown(void **state)
{
    (void)state;
    td_obs_free(&obs);
    return 0;
}

int main(void)
{
    td_obs_init(&obs);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_where_the_silence_is),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_advice),
        cmocka_unit_test(test_products),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
