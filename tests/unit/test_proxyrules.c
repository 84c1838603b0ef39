/* Unit tests for the rules about proxies: PROXY_FAILURE from observations
 * of what the proxy did (lib/diag/proxy.c), the proxy's pieces of the verify
 * commands (lib/diag/advice.c), the interception products' CA names
 * (lib/registry/intercept.c) and TLS_INTERCEPTED (lib/diag/intercept.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cert/cert.h"
#include "certkit.h"
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

/* A proxy that wants Negotiate or NTLM: said, since only Basic is sent. */
static void test_other_scheme(void **state)
{
    (void)state;
    refused_with(TD_PXF_HTTP_STATUS, 407, "Proxy Authentication Required");
    snprintf(obs.proxy.stats.first.authenticate, sizeof obs.proxy.stats.first.authenticate, "Negotiate");
    td_findings fs = { 0 };
    assert_true(td_diagnose_proxy(&obs, &fs));
    assert_non_null(strstr(only(&fs)->summary, "wants credentials by a scheme other than Basic (Negotiate)"));
    td_findings_free(&fs);
    memset(&fs, 0, sizeof fs);
    snprintf(obs.proxy.stats.first.authenticate, sizeof obs.proxy.stats.first.authenticate, "Basic realm=\"x\"");
    assert_true(td_diagnose_proxy(&obs, &fs));
    assert_null(strstr(only(&fs)->summary, "other than Basic"));
    td_findings_free(&fs);
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

/* An https:// address with a path beyond "/": a page, not a site's root. */
static bool is_page(const char *url)
{
    if (strncmp(url, "https://", 8) != 0)
        return false;
    const char *path = strchr(url + 8, '/');
    return path && path[1] != '\0';
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
        assert_true(is_page(q->source));
        assert_non_null(td_intercept_match(q->ca_name));
    }
    assert_null(td_intercept_at(td_intercept_count()));
    assert_false(is_page("https://docs.fortinet.com/"));
    assert_false(is_page("https://docs.fortinet.com"));
    assert_false(td_text_contains("CN=x", ""));
    assert_true(td_text_contains("CN=tlsdiag Test Root CA", "test root"));
}

/* Issuers as the products make them, in the RFC 2253 form the checks print
 * (most specific first), and the product each one names. */
static const struct {
    const char *dn, *product;
} MADE_BY[] = {
    { "emailAddress=support@fortinet.com,CN=FGSNXXXXXXXXXXXX,O=Fortinet,L=Sunnyvale,C=US", "Fortinet FortiGate" },
    { "CN=0123456789,OU=Blue Coat SGVA Series,O=Blue Coat Systems\\, Inc.,ST=California,C=US",
      "Blue Coat / Symantec ProxySG" },
    { "CN=Gateway CA - Cloudflare Managed G1 0123456789abcdef0123456789abcdef", "Cloudflare Zero Trust Gateway" },
    { "CN=Cloudflare for Teams ECC Certificate Authority,O=Cloudflare\\, Inc,L=San Francisco,ST=California,C=US",
      "Cloudflare Zero Trust Gateway" },
    { "emailAddress=support@sophos.com,CN=Sophos SSL CA_C4005CM7MF2DV28,OU=NSG,O=Sophos,ST=Oxfordshire,C=GB",
      "Sophos Firewall" },
    { "CN=Kaspersky Web Anti-Virus Certification Authority,O=AO Kaspersky Lab", "Kaspersky" },
    { "CN=Avast Web/Mail Shield Root,O=Avast Web/Mail Shield,OU=generated by Avast Antivirus for SSL/TLS scanning",
      "Avast" },
    { "CN=AVG Web/Mail Shield Root,O=AVG Web/Mail Shield,OU=generated by AVG Antivirus for SSL/TLS scanning", "AVG" },
    { "CN=Norton Web/Mail Shield Self-signed Root,OU=generated by Norton Antivirus for self-signed certificates,"
      "O=Norton Web/Mail Shield",
      "Norton" },
    { "CN=DO_NOT_TRUST_FiddlerRoot,O=DO_NOT_TRUST,OU=Created by http://www.fiddler2.com", "Fiddler" },
    { "CN=PortSwigger CA,OU=PortSwigger CA,O=PortSwigger,L=PortSwigger,ST=PortSwigger,C=PortSwigger", "Burp Suite" },
};

/* Public CAs named for the same companies: a match would call every server
 * they sign for intercepted. */
static const char *const PUBLIC_CAS[] = {
    "CN=Cloudflare Inc ECC CA-3,O=Cloudflare\\, Inc.,C=US",
    "CN=Symantec Class 3 Secure Server CA - G4,OU=Symantec Trust Network,O=Symantec Corporation,C=US",
    "CN=Microsoft Azure RSA TLS Issuing CA 04,O=Microsoft Corporation,C=US",
    "CN=GTS CA 1C3,O=Google Trust Services LLC,C=US",
    "CN=x,OU=Fortinet Lab,O=Example,C=US",
};

static void test_product_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof MADE_BY / sizeof MADE_BY[0]; i++) {
        const td_intercept_product *p = td_intercept_match(MADE_BY[i].dn);
        assert_non_null(p);
        assert_string_equal(p->product, MADE_BY[i].product);
    }
    for (size_t i = 0; i < sizeof PUBLIC_CAS / sizeof PUBLIC_CAS[0]; i++)
        assert_null(td_intercept_match(PUBLIC_CAS[i]));
}

/* No CA in the system's bundle of public roots carries a product's text. */
static void test_products_not_public(void **state)
{
    (void)state;
    FILE *f = fopen("/etc/ssl/certs/ca-certificates.crt", "r");
    if (!f)
        skip();
    size_t n = 0;
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        td_cert_info ci;
        char err[64];
        assert_true(len > 0);
        assert_int_equal(td_cert_info_from_der((td_der){ der, (size_t)len }, &ci, err, sizeof err), 0);
        const td_intercept_product *p = td_intercept_match(ci.subject);
        if (p)
            print_error("%s carries \"%s\" (%s)\n", ci.subject, p->ca_name, p->product);
        assert_null(p);
        OPENSSL_free(der);
        X509_free(x);
        n++;
    }
    fclose(f);
    ERR_clear_error();
    assert_true(n > 50);
}

/* ---- TLS_INTERCEPTED ------------------------------------------------------ */

static EVP_PKEY *key;

/* A certificate for CN under O, signed by issuer (NULL: by itself). */
static blob cert(const char *org, const char *cn, const blob *issuer)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : n);
    X509_NAME_free(n);
    X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, NULL);
    X509_time_adj_ex(X509_getm_notAfter(x), 90, 0, NULL);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    blob b = { NULL, 0, x };
    b.len = i2d_X509(x, &b.der);
    assert_true(b.len > 0);
    return b;
}

/* The handshake's chain: leaf, then its issuer. */
static void chain_of(td_hs *h, const blob *leaf, const blob *ca)
{
    td_hs_free(h);
    blob_put(&h->chain[0], leaf);
    blob_put(&h->chain[1], ca);
    h->n_chain = 2;
    h->done = true;
}

static const td_finding *intercepted(td_findings *fs)
{
    td_findings_free(fs);
    memset(fs, 0, sizeof *fs);
    td_diagnose_intercept(&obs, fs);
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].id == TD_ID_TLS_INTERCEPTED)
            return &fs->v[i];
    return NULL;
}

static void test_intercepted(void **state)
{
    (void)state;
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    blob ca = cert("Ordinary CA Inc.", "Ordinary Root", NULL);
    blob leaf = cert("Example", "example.com", &ca);
    blob zca = cert("Zscaler Inc.", "Zscaler Intermediate Root CA", NULL);
    blob zleaf = cert("Example", "example.com", &zca);
    td_findings fs = { 0 };

    through_proxy(TD_OUT_HELLO, false);
    chain_of(&obs.hs, &leaf, &ca);
    assert_null(intercepted(&fs));

    chain_of(&obs.hs, &zleaf, &zca);
    const td_finding *f = intercepted(&fs);
    assert_non_null(f);
    assert_int_equal(f->sev, TD_SEV_WARN);
    assert_non_null(strstr(f->summary, "interception CA of Zscaler Internet Access (secure web gateway)"));
    assert_non_null(strstr(f->fix, "NODE_EXTRA_CA_CERTS"));
    assert_non_null(strstr(f->verify, "curl -v -x http://127.0.0.1:3128 --cacert proxy-ca.pem"));

    /* No proxy, nothing compared: the server may be the device itself. */
    obs.proxy.used = false;
    f = intercepted(&fs);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "unless the server itself runs Zscaler Internet Access"));
    assert_non_null(strstr(f->fix, "the device's own CA"));
    obs.proxy.used = true;
    f = intercepted(&fs);
    assert_null(strstr(f->summary, "unless the server itself runs"));

    /* A product's CA over a leaf for another name: the device's own
     * certificate (a FortiGate's factory one), not an interception. */
    blob fca = cert("Fortinet", "fortinet-subca2001", NULL);
    blob fdev = cert("Fortinet", "FGT60E4Q16000000", &fca);
    blob fleaf = cert("Example", "example.com", &fca);
    chain_of(&obs.hs, &fdev, &fca);
    assert_null(intercepted(&fs));
    chain_of(&obs.hs, &fleaf, &fca);
    f = intercepted(&fs);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "Fortinet"));
    blob_free(&fca);
    blob_free(&fdev);
    blob_free(&fleaf);

    /* Through the proxy another issuer than directly; the same leaf directly is no sign. */
    blob corp = cert("Corp", "Corp Inspection CA", NULL);
    blob cleaf = cert("Example", "example.com", &corp);
    chain_of(&obs.hs, &cleaf, &corp);
    chain_of(&obs.proxy.direct, &cleaf, &corp);
    assert_null(intercepted(&fs));
    chain_of(&obs.proxy.direct, &leaf, &ca);
    f = intercepted(&fs);
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "without the proxy the leaf is issued by 'CN=Ordinary Root,O=Ordinary CA Inc.'"));

    /* What the user expects: the issuer's name, the leaf's key. */
    obs.proxy.used = false;
    td_hs_free(&obs.proxy.direct);
    chain_of(&obs.hs, &leaf, &ca);
    snprintf(obs.expect.issuer, sizeof obs.expect.issuer, "ordinary root");
    assert_null(intercepted(&fs));
    snprintf(obs.expect.issuer, sizeof obs.expect.issuer, "Let's Encrypt");
    f = intercepted(&fs);
    assert_non_null(f);
    assert_int_equal(f->sev, TD_SEV_FAIL);
    assert_non_null(strstr(f->summary, "no CA in its chain is named like 'Let's Encrypt'"));
    obs.expect.issuer[0] = '\0';

    uint8_t pin[32];
    assert_true(td_cert_spki_sha256((td_der){ leaf.der, (size_t)leaf.len }, pin));
    memcpy(obs.expect.pins[0], pin, 32);
    obs.expect.n_pins = 1;
    assert_null(intercepted(&fs));
    obs.expect.pins[0][0] ^= 1;
    f = intercepted(&fs);
    assert_non_null(f);
    char text[64];
    td_pin_text(pin, text, sizeof text);
    assert_non_null(strstr(f->evidence, text));
    assert_non_null(strstr(f->verify, "--pinnedpubkey 'sha256//"));
    obs.expect.n_pins = 0;

    td_findings_free(&fs);
    blob_free(&ca);
    blob_free(&leaf);
    blob_free(&zca);
    blob_free(&zleaf);
    blob_free(&corp);
    blob_free(&cleaf);
    EVP_PKEY_free(key);
}

/* The pin form: 44 characters of base64 after sha256//, and back. */
static void test_pin_text(void **state)
{
    (void)state;
    uint8_t sha[32], back[32];
    for (int i = 0; i < 32; i++)
        sha[i] = (uint8_t)(i * 7 + 1);
    char text[64];
    td_pin_text(sha, text, sizeof text);
    assert_int_equal(strlen(text), 52);
    assert_true(td_pin_parse(text, strlen(text), back));
    assert_memory_equal(sha, back, 32);
    assert_false(td_pin_parse(text, strlen(text) - 1, back));
    text[0] = 'S';
    assert_false(td_pin_parse(text, strlen(text), back));
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
        cmocka_unit_test(test_other_scheme),
        cmocka_unit_test(test_where_the_silence_is),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_advice),
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_product_names),
        cmocka_unit_test(test_products_not_public),
        cmocka_unit_test(test_intercepted),
        cmocka_unit_test(test_pin_text),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
