/* Unit tests for the certificate part of both reporters (lib/report): a
 * hand-built handshake with its chain, trust path, backends and OCSP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "tlsdiag.h"
#include "wire/tls.h"
#include "reportkit.h"

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
    char *out = capture(write_text_long, r, false, &rc);
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
    out = capture(write_text_long, r, true, &rc);
    assert_int_equal(rc, 0);
    const char *b0 = strstr(out, "-----BEGIN CERTIFICATE-----");
    assert_non_null(b0);
    assert_non_null(strstr(b0 + 1, "-----BEGIN CERTIFICATE-----")); /* the root's too */
    assert_non_null(strstr(out, "\033[31m\u2717\033[0m Certificate"));
    free(out);
    /* the short form: the failing step whole, wrapped; the certificates
     * only when asked for, then in PEM too; no path or observations */
    out = capture(td_report_write_text, r, false, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\u2717 Certificate       3 certificates, leaf 'CN=www.lab.example,O=Lab'; untrusted\n"
                                "                      root: root 'CN=Lab Root,O=Lab' is not in the trust store\n"));
    assert_non_null(strstr(out, "Certificate chain (as sent)"));
    assert_non_null(strstr(out, "-----BEGIN CERTIFICATE-----"));
    assert_null(strstr(out, "Path built"));
    assert_null(strstr(out, "Observations"));
    free(out);
    r->show_certs = false;
    out = capture(td_report_write_text, r, false, &rc);
    assert_null(strstr(out, "Certificate chain (as sent)"));
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
    char *out = capture(write_text_long, r, false, &rc);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_json_chain),
        cmocka_unit_test(test_report_text_chain),
        cmocka_unit_test(test_report_incomplete_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
