/* Unit tests for lib/cert/: certificate facts, RFC 6125 name matching, chain
 * order and path verification.  Every certificate is made here with the
 * OpenSSL API (a root, intermediates, leaves with known faults), and the
 * trust stores are temporary files: no network, no system store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cert/cert.h"

#define DAY 86400L

/* ---- making certificates ------------------------------------------------ */

typedef struct tc {
    X509 *x;
    unsigned char *der;
    int len;
} tc;

typedef struct spec {
    const char *cn;            /* subject CN; NULL for a DN with O only */
    const tc *issuer;          /* NULL: self-issued */
    EVP_PKEY *issuer_key;
    EVP_PKEY *key;             /* the subject's key */
    EVP_PKEY *signer;          /* signs instead of the issuer's key (bad signatures) */
    long nb_days, na_days;     /* validity, days from now */
    const char *nb_fixed, *na_fixed; /* or fixed GeneralizedTime strings */
    const EVP_MD *md;          /* NULL: SHA-256 */
    bool ca;
    const char *san, *ku, *eku, *aia;
    bool no_akid;
} spec;

static long next_serial = 1;

static void add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

static void set_der(tc *c)
{
    c->der = NULL;
    c->len = i2d_X509(c->x, &c->der);
    assert_true(c->len > 0);
}

static tc mk(const spec *s)
{
    tc c;
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), next_serial++);

    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"tlsdiag test",
                               -1, -1, 0);
    if (s->cn)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)s->cn, -1,
                                   -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer->x) : name);
    X509_NAME_free(name);

    if (s->nb_fixed) {
        assert_int_equal(ASN1_TIME_set_string(X509_getm_notBefore(x), s->nb_fixed), 1);
        assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x), s->na_fixed), 1);
    } else {
        assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), (int)s->nb_days, 0, NULL));
        assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), (int)s->na_days, 0, NULL));
    }
    assert_int_equal(X509_set_pubkey(x, s->key), 1);

    X509V3_CTX v3;
    X509V3_set_ctx(&v3, s->issuer ? s->issuer->x : x, x, NULL, NULL, 0);
    add_ext(x, &v3, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, &v3, NID_subject_key_identifier, "hash");
    if (!s->no_akid)
        add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
    if (s->ku)
        add_ext(x, &v3, NID_key_usage, s->ku);
    else
        add_ext(x, &v3, NID_key_usage,
                s->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (s->eku)
        add_ext(x, &v3, NID_ext_key_usage, s->eku);
    if (s->san)
        add_ext(x, &v3, NID_subject_alt_name, s->san);
    if (s->aia)
        add_ext(x, &v3, NID_info_access, s->aia);

    EVP_PKEY *signer = s->signer ? s->signer : s->issuer ? s->issuer_key : s->key;
    assert_true(X509_sign(x, signer, s->md ? s->md : EVP_sha256()) > 0);
    c.x = x;
    set_der(&c);
    return c;
}

static void tc_free(tc *c)
{
    X509_free(c->x);
    OPENSSL_free(c->der);
    memset(c, 0, sizeof *c);
}

static td_der D(const tc *c)
{
    return (td_der){ c->der, (size_t)c->len };
}

/* ---- the test PKI ------------------------------------------------------- */

static struct pki {
    EVP_PKEY *k_root, *k_int, *k_leaf, *k_small, *k_other;
    tc root, root_sha1, inter, inter2, old_inter, other_root;
    tc leaf, leaf_deep, leaf_old, leaf_r1, weak, expired, future, self, cn_only, client,
        no_akid, badsig, other_leaf, fixed;
    char store_file[64];
    char store_dir[64];
    td_store *store;
} P;

static int pki_setup(void **state)
{
    (void)state;
    P.k_root = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    P.k_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    P.k_int = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    P.k_leaf = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    P.k_other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!P.k_root || !P.k_small || !P.k_int || !P.k_leaf || !P.k_other)
        return -1;

    P.root = mk(&(spec){ .cn = "Test Root CA", .key = P.k_root, .nb_days = -10,
                         .na_days = 3650, .ca = true });
    P.root_sha1 = mk(&(spec){ .cn = "Test SHA-1 Root", .key = P.k_root, .nb_days = -10,
                              .na_days = 3650, .ca = true, .md = EVP_sha1() });
    P.inter = mk(&(spec){ .cn = "Test Intermediate", .issuer = &P.root, .issuer_key = P.k_root,
                          .key = P.k_int, .nb_days = -10, .na_days = 1000, .ca = true,
                          .aia = "caIssuers;URI:http://ca.example/root.der" });
    P.inter2 = mk(&(spec){ .cn = "Test Intermediate 2", .issuer = &P.inter,
                           .issuer_key = P.k_int, .key = P.k_other, .nb_days = -10,
                           .na_days = 1000, .ca = true });
    P.old_inter = mk(&(spec){ .cn = "Old Intermediate", .issuer = &P.root,
                              .issuer_key = P.k_root, .key = P.k_int, .nb_days = -30,
                              .na_days = -1, .ca = true });
    P.other_root = mk(&(spec){ .cn = "Other Root", .key = P.k_other, .nb_days = -10,
                               .na_days = 3650, .ca = true });

    P.leaf = mk(&(spec){ .cn = "leaf.example", .issuer = &P.inter, .issuer_key = P.k_int,
                         .key = P.k_leaf, .nb_days = -1, .na_days = 90,
                         .eku = "serverAuth",
                         .san = "DNS:leaf.example,DNS:*.wild.example,IP:192.0.2.1,"
                                "IP:2001:db8::1",
                         .aia = "caIssuers;URI:http://ca.example/int.der,"
                                "OCSP;URI:http://ocsp.example" });
    P.leaf_deep = mk(&(spec){ .cn = "deep.example", .issuer = &P.inter2,
                              .issuer_key = P.k_other, .key = P.k_leaf, .nb_days = -1,
                              .na_days = 90, .san = "DNS:deep.example" });
    P.leaf_old = mk(&(spec){ .cn = "old.example", .issuer = &P.old_inter, .issuer_key = P.k_int,
                             .key = P.k_leaf, .nb_days = -1, .na_days = 90,
                             .san = "DNS:old.example" });
    P.leaf_r1 = mk(&(spec){ .cn = "r1.example", .issuer = &P.root_sha1, .issuer_key = P.k_root,
                            .key = P.k_leaf, .nb_days = -1, .na_days = 90,
                            .san = "DNS:r1.example" });
    P.weak = mk(&(spec){ .cn = "weak.example", .issuer = &P.root, .issuer_key = P.k_root,
                         .key = P.k_small, .nb_days = -1, .na_days = 90, .md = EVP_sha1(),
                         .ku = "critical,digitalSignature,keyEncipherment",
                         .san = "DNS:weak.example" });
    P.expired = mk(&(spec){ .cn = "expired.example", .issuer = &P.inter, .issuer_key = P.k_int,
                            .key = P.k_leaf, .nb_days = -30, .na_days = -1,
                            .san = "DNS:expired.example" });
    P.future = mk(&(spec){ .cn = "future.example", .issuer = &P.inter, .issuer_key = P.k_int,
                           .key = P.k_leaf, .nb_days = 1, .na_days = 30,
                           .san = "DNS:future.example" });
    P.self = mk(&(spec){ .cn = "self.example", .key = P.k_leaf, .nb_days = -1, .na_days = 30,
                         .san = "DNS:self.example" });
    P.cn_only = mk(&(spec){ .cn = "cn-only.example", .issuer = &P.inter, .issuer_key = P.k_int,
                            .key = P.k_leaf, .nb_days = -1, .na_days = 30 });
    P.client = mk(&(spec){ .cn = "client.example", .issuer = &P.inter, .issuer_key = P.k_int,
                           .key = P.k_leaf, .nb_days = -1, .na_days = 30, .eku = "clientAuth",
                           .san = "DNS:client.example" });
    P.no_akid = mk(&(spec){ .cn = "noakid.example", .issuer = &P.inter, .issuer_key = P.k_int,
                            .key = P.k_leaf, .nb_days = -1, .na_days = 30, .no_akid = true,
                            .san = "DNS:noakid.example" });
    P.badsig = mk(&(spec){ .cn = "badsig.example", .issuer = &P.inter, .issuer_key = P.k_int,
                           .signer = P.k_other, .key = P.k_leaf, .nb_days = -1, .na_days = 30,
                           .san = "DNS:badsig.example" });
    P.other_leaf = mk(&(spec){ .cn = "other.example", .issuer = &P.other_root,
                               .issuer_key = P.k_other, .key = P.k_leaf, .nb_days = -1,
                               .na_days = 30, .san = "DNS:other.example" });
    P.fixed = mk(&(spec){ .cn = "fixed.example", .issuer = &P.inter, .issuer_key = P.k_int,
                          .key = P.k_leaf, .nb_fixed = "20260101000000Z",
                          .na_fixed = "20261223104956Z", .san = "DNS:fixed.example" });

    /* The store: a PEM file with both roots. */
    snprintf(P.store_file, sizeof P.store_file, "/tmp/tlsdiag-cert-XXXXXX");
    int fd = mkstemp(P.store_file);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f || !PEM_write_X509(f, P.root.x) || !PEM_write_X509(f, P.root_sha1.x))
        return -1;
    fclose(f);
    char err[256];
    P.store = td_store_new(P.store_file, NULL, err, sizeof err);
    if (!P.store) {
        fprintf(stderr, "store: %s\n", err);
        return -1;
    }

    /* A hashed directory holding the main root only, as `openssl rehash`
     * would name it. */
    snprintf(P.store_dir, sizeof P.store_dir, "/tmp/tlsdiag-certdir-XXXXXX");
    if (!mkdtemp(P.store_dir))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/%08lx.0", P.store_dir, X509_subject_name_hash(P.root.x));
    f = fopen(path, "w");
    if (!f || !PEM_write_X509(f, P.root.x))
        return -1;
    fclose(f);
    return 0;
}

static int pki_teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/%08lx.0", P.store_dir, X509_subject_name_hash(P.root.x));
    unlink(path);
    rmdir(P.store_dir);
    tc *all[] = { &P.root,    &P.root_sha1, &P.inter,   &P.inter2,     &P.old_inter,
                  &P.other_root, &P.leaf,   &P.leaf_deep, &P.leaf_old, &P.leaf_r1,
                  &P.weak,    &P.expired,   &P.future,  &P.self,       &P.cn_only,
                  &P.client,  &P.no_akid,   &P.badsig,  &P.other_leaf, &P.fixed };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        tc_free(all[i]);
    EVP_PKEY_free(P.k_root);
    EVP_PKEY_free(P.k_small);
    EVP_PKEY_free(P.k_int);
    EVP_PKEY_free(P.k_leaf);
    EVP_PKEY_free(P.k_other);
    td_store_free(P.store);
    unlink(P.store_file);
    return 0;
}

static void info_of(const tc *c, td_cert_info *ci)
{
    char err[256] = "";
    if (td_cert_info_from_der(D(c), ci, err, sizeof err) != 0)
        fail_msg("td_cert_info_from_der: %s", err);
}

/* ---- facts -------------------------------------------------------------- */

static void test_info_leaf(void **state)
{
    (void)state;
    td_cert_info ci, ii;
    info_of(&P.leaf, &ci);
    info_of(&P.inter, &ii);

    assert_string_equal(ci.subject, "CN=leaf.example,O=tlsdiag test");
    assert_string_equal(ci.issuer, ii.subject);
    assert_string_equal(ci.issuer, "CN=Test Intermediate,O=tlsdiag test");
    assert_string_equal(ci.cn, "leaf.example");
    assert_string_equal(ci.key_type, "EC");
    assert_int_equal(ci.key_bits, 256);
    assert_string_equal(ci.key_curve, "prime256v1");
    assert_string_equal(ci.sig_alg, "ecdsa-with-SHA256");
    assert_false(ci.sig_weak);

    assert_true(ci.has_san_ext);
    assert_int_equal(ci.n_san, 4);
    assert_int_equal(ci.n_san_total, 4);
    assert_string_equal(ci.san[0], "DNS:leaf.example");
    assert_string_equal(ci.san[1], "DNS:*.wild.example");
    assert_string_equal(ci.san[2], "IP:192.0.2.1");
    assert_string_equal(ci.san[3], "IP:2001:db8::1");

    assert_string_equal(ci.aia_ca_issuers, "http://ca.example/int.der");
    assert_string_equal(ci.ocsp_url, "http://ocsp.example");
    assert_false(ci.is_ca);
    assert_false(ci.self_issued);
    assert_false(ci.self_signed);
    assert_true(ci.ku_present);
    assert_true(ci.ku_digital_signature);
    assert_false(ci.ku_key_encipherment);
    assert_false(ci.ku_cert_sign);
    assert_true(ci.eku_present);
    assert_true(ci.eku_server_auth);
    assert_false(ci.eku_any);

    /* validity: -1 day .. +90 days, and the ISO form of the same instants */
    int64_t now = (int64_t)time(NULL);
    assert_true(ci.not_before > now - DAY - 60 && ci.not_before < now - DAY + 60);
    assert_true(ci.not_after - ci.not_before >= 91 * DAY - 2);
    assert_true(ci.not_after - ci.not_before <= 91 * DAY + 2);
    assert_int_equal(strlen(ci.not_after_iso), 20);
    assert_int_equal(ci.not_after_iso[10], 'T');
    assert_int_equal(ci.not_after_iso[19], 'Z');

    /* the fingerprint is SHA-256 over exactly the DER */
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hex[65];
    assert_int_equal(EVP_Digest(P.leaf.der, (size_t)P.leaf.len, md, &mdlen, EVP_sha256(), NULL),
                     1);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(ci.sha256, hex);

    /* the serial in lower-case hex, as the certificate carries it */
    char want_serial[32];
    snprintf(want_serial, sizeof want_serial, "%lx", ASN1_INTEGER_get(X509_get0_serialNumber(P.leaf.x)));
    assert_true(strlen(ci.serial) >= 1);
    assert_string_equal(ci.serial + strspn(ci.serial, "0"), want_serial);

    assert_int_equal(td_cert_check_time(&ci, now, 21 * DAY), TD_TIME_VALID);
    assert_int_equal(td_cert_check_time(&ci, now + 80 * DAY, 21 * DAY), TD_TIME_EXPIRING_SOON);
    assert_int_equal(td_cert_check_time(&ci, now + 100 * DAY, 21 * DAY), TD_TIME_EXPIRED);
    assert_int_equal(td_cert_check_time(&ci, now - 2 * DAY, 21 * DAY), TD_TIME_NOT_YET_VALID);
    /* RFC 5280 4.1.2.5: notAfter itself is still inside the period */
    assert_int_equal(td_cert_check_time(&ci, ci.not_after, 0), TD_TIME_VALID);
    assert_int_equal(td_cert_check_time(&ci, ci.not_after + 1, 0), TD_TIME_EXPIRED);

    char why[128];
    assert_false(td_cert_key_too_small(&ci, why, sizeof why));
    assert_string_equal(why, "");
    assert_true(td_cert_server_purpose_ok(&ci, why, sizeof why));
}

static void test_info_fixed_times(void **state)
{
    (void)state;
    td_cert_info ci;
    info_of(&P.fixed, &ci);
    assert_int_equal(ci.not_before, 1767225600); /* 2026-01-01T00:00:00Z */
    assert_string_equal(ci.not_before_iso, "2026-01-01T00:00:00Z");
    assert_string_equal(ci.not_after_iso, "2026-12-23T10:49:56Z");
    assert_int_equal(ci.not_after, 1767225600 + 356 * DAY + 10 * 3600 + 49 * 60 + 56);
}

static void test_info_root_and_weak(void **state)
{
    (void)state;
    td_cert_info ci;
    char why[128];

    info_of(&P.root, &ci);
    assert_string_equal(ci.key_type, "RSA");
    assert_int_equal(ci.key_bits, 2048);
    assert_string_equal(ci.key_curve, "");
    assert_string_equal(ci.sig_alg, "sha256WithRSAEncryption");
    assert_true(ci.is_ca);
    assert_true(ci.self_issued);
    assert_true(ci.self_signed);
    assert_true(ci.ku_cert_sign);
    assert_false(ci.has_san_ext);
    assert_int_equal(ci.n_san, 0);
    assert_string_equal(ci.aia_ca_issuers, "");

    info_of(&P.root_sha1, &ci);
    assert_string_equal(ci.sig_alg, "sha1WithRSAEncryption");
    assert_true(ci.sig_weak);

    info_of(&P.weak, &ci);
    assert_string_equal(ci.key_type, "RSA");
    assert_int_equal(ci.key_bits, 1024);
    assert_string_equal(ci.sig_alg, "sha1WithRSAEncryption");
    assert_true(ci.sig_weak);
    assert_true(td_cert_key_too_small(&ci, why, sizeof why));
    assert_non_null(strstr(why, "RSA 1024 bits"));
    assert_true(ci.ku_key_encipherment);

    /* EC below 224 bits is too small; 224 and up is not */
    td_cert_info ec = { .key_type = "EC", .key_bits = 192 };
    assert_true(td_cert_key_too_small(&ec, NULL, 0));
    ec.key_bits = 224;
    assert_false(td_cert_key_too_small(&ec, NULL, 0));
}

static void test_info_self_issued_only(void **state)
{
    (void)state;
    /* Same subject and issuer, signed by another key: self-issued in RFC
     * 5280's sense, not self-signed. */
    tc c = mk(&(spec){ .cn = "loop.example", .key = P.k_leaf, .signer = P.k_other,
                       .nb_days = -1, .na_days = 30 });
    td_cert_info ci;
    info_of(&c, &ci);
    assert_true(ci.self_issued);
    assert_false(ci.self_signed);
    tc_free(&c);

    info_of(&P.self, &ci);
    assert_true(ci.self_issued);
    assert_true(ci.self_signed);
    assert_false(ci.is_ca);
}

static void test_info_purpose(void **state)
{
    (void)state;
    td_cert_info ci;
    char why[160];
    info_of(&P.client, &ci);
    assert_true(ci.eku_present);
    assert_false(ci.eku_server_auth);
    assert_false(td_cert_server_purpose_ok(&ci, why, sizeof why));
    assert_non_null(strstr(why, "serverAuth"));

    td_cert_info k = { .ku_present = true, .ku_cert_sign = true };
    assert_false(td_cert_server_purpose_ok(&k, why, sizeof why));
    assert_non_null(strstr(why, "keyUsage"));

    td_cert_info any = { .eku_present = true, .eku_any = true };
    assert_false(td_cert_server_purpose_ok(&any, why, sizeof why));
    assert_non_null(strstr(why, "anyExtendedKeyUsage"));

    td_cert_info none = { .ku_present = false };
    assert_true(td_cert_server_purpose_ok(&none, NULL, 0));
}

static void test_info_many_sans(void **state)
{
    (void)state;
    char san[2048] = "";
    for (int i = 1; i <= 40; i++) {
        size_t used = strlen(san);
        snprintf(san + used, sizeof san - used, "%sDNS:h%d.example", i > 1 ? "," : "", i);
    }
    tc c = mk(&(spec){ .cn = "many.example", .issuer = &P.inter, .issuer_key = P.k_int,
                       .key = P.k_leaf, .nb_days = -1, .na_days = 30, .san = san });
    td_cert_info ci;
    info_of(&c, &ci);
    assert_int_equal(ci.n_san, TD_CERT_MAX_SAN);
    assert_int_equal(ci.n_san_total, 40);
    assert_string_equal(ci.san[31], "DNS:h32.example");

    td_name_check nc;
    td_cert_check_name(&ci, "h3.example", &nc);
    assert_true(nc.ok);
    /* the 40th is not in the info, and the answer says it could not look */
    td_cert_check_name(&ci, "h40.example", &nc);
    assert_false(nc.ok);
    assert_non_null(strstr(nc.why, "8 SAN entries not checked"));
    /* the DER variant sees every entry */
    td_cert_check_name_der(D(&c), "h40.example", &nc);
    assert_true(nc.ok);
    assert_string_equal(nc.matched, "h40.example");
    tc_free(&c);
}

/* A dNSName with an embedded NUL: the old trick to make "good.example"
 * appear to C string code.  It must be escaped and match nothing. */
static void test_info_embedded_nul(void **state)
{
    (void)state;
    tc c = mk(&(spec){ .cn = "nul.example", .issuer = &P.inter, .issuer_key = P.k_int,
                       .key = P.k_leaf, .nb_days = -1, .na_days = 30 });
    static const char raw[] = "good.example\0.evil.example";
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();
    assert_int_equal(ASN1_STRING_set(s, raw, (int)sizeof raw - 1), 1);
    GENERAL_NAME_set0_value(g, GEN_DNS, s);
    sk_GENERAL_NAME_push(gens, g);
    assert_int_equal(X509_add1_ext_i2d(c.x, NID_subject_alt_name, gens, 0, 0), 1);
    GENERAL_NAMES_free(gens);
    assert_true(X509_sign(c.x, P.k_int, EVP_sha256()) > 0);
    OPENSSL_free(c.der);
    set_der(&c);

    td_cert_info ci;
    info_of(&c, &ci);
    assert_int_equal(ci.n_san, 1);
    assert_string_equal(ci.san[0], "DNS:good.example\\x00.evil.example");
    td_name_check nc;
    td_cert_check_name(&ci, "good.example", &nc);
    assert_false(nc.ok);
    td_cert_check_name_der(D(&c), "good.example", &nc);
    assert_false(nc.ok);
    td_cert_check_name_der(D(&c), "nul.example", &nc);
    assert_false(nc.ok); /* a SAN is present: the CN does not count */
    tc_free(&c);
}

static void test_info_malformed(void **state)
{
    (void)state;
    td_cert_info ci;
    char err[128];
    static const uint8_t junk[] = { 0x30, 0x82, 0xff, 0xff, 0x01, 0x02 };

    err[0] = '\0';
    assert_int_equal(td_cert_info_from_der((td_der){ NULL, 0 }, &ci, err, sizeof err), -1);
    assert_true(err[0]);
    err[0] = '\0';
    assert_int_equal(td_cert_info_from_der((td_der){ junk, sizeof junk }, &ci, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "not a DER X.509 certificate"));

    /* cut short */
    err[0] = '\0';
    assert_int_equal(
        td_cert_info_from_der((td_der){ P.leaf.der, (size_t)P.leaf.len - 10 }, &ci, err,
                              sizeof err),
        -1);
    assert_true(err[0]);

    /* one byte too many */
    uint8_t *buf = malloc((size_t)P.leaf.len + 1);
    assert_non_null(buf);
    memcpy(buf, P.leaf.der, (size_t)P.leaf.len);
    buf[P.leaf.len] = 0;
    assert_int_equal(
        td_cert_info_from_der((td_der){ buf, (size_t)P.leaf.len + 1 }, &ci, err, sizeof err), -1);
    assert_string_equal(err, "1 bytes after the end of the certificate");

    /* every single-byte corruption: an answer either way, never a crash
     * (the sanitizer build checks the "never") */
    td_name_check nc;
    for (int i = 0; i < P.leaf.len; i++) {
        memcpy(buf, P.leaf.der, (size_t)P.leaf.len);
        buf[i] ^= (uint8_t)(0x01 << (i % 8));
        td_der d = { buf, (size_t)P.leaf.len };
        if (td_cert_info_from_der(d, &ci, err, sizeof err) == 0)
            td_cert_check_name(&ci, "leaf.example", &nc);
        else
            assert_true(err[0]);
        td_cert_check_name_der(d, "leaf.example", &nc);
    }
    free(buf);

    td_cert_check_name_der((td_der){ junk, sizeof junk }, "leaf.example", &nc);
    assert_false(nc.ok);
    assert_true(nc.why[0]);
}

/* ---- distinguished names and dates as text ------------------------------ */

/* What OpenSSL's RFC 2253 printer writes for a name: every DN printer of
 * the library must say exactly this. */
static void openssl_rfc2253(const X509_NAME *n, char *dst, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    assert_true(X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0);
    char *p;
    long len = BIO_get_mem_data(b, &p);
    assert_true(len > 0 && (size_t)len < cap);
    memcpy(dst, p, (size_t)len);
    dst[len] = '\0';
    BIO_free(b);
}

static void test_dn_text(void **state)
{
    (void)state;
    /* a long O, a non-ASCII and a control character, a comma to escape */
    X509_NAME *n = X509_NAME_new();
    char org[301];
    memset(org, 'o', 300);
    org[300] = '\0';
    /* a plain string type: MBSTRING_ASC would hold O to its 64-byte bound */
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "O", V_ASN1_UTF8STRING, (const unsigned char *)org, -1, -1, 0), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"caf\xc3\xa9\x01, Inc",
                                                -1, -1, 0),
                     1);
    char want[1024], got[1024];
    openssl_rfc2253(n, want, sizeof want);
    assert_non_null(strstr(want, "CN=caf\\C3\\A9\\01\\, Inc,O=ooo"));
    td_cert_dn_text(n, got, sizeof got);
    assert_string_equal(got, want);
    /* cut without a mark at cap - 1 */
    td_cert_dn_text(n, got, 256);
    assert_int_equal(strlen(got), 255);
    assert_memory_equal(got, want, 255);

    unsigned char *der = NULL;
    int dlen = i2d_X509_NAME(n, &der);
    assert_true(dlen > 0);
    assert_true(td_cert_dn_der(der, (size_t)dlen, got, sizeof got));
    assert_string_equal(got, want);
    assert_true(td_cert_dn_der(der, (size_t)dlen, got, 100));
    assert_memory_equal(got, want, 99);
    assert_int_equal(strlen(got), 99);
    strcpy(got, "untouched");
    static const uint8_t not_a_name[] = {0x30, 0x01, 0x00};
    assert_false(td_cert_dn_der(not_a_name, sizeof not_a_name, got, sizeof got));
    assert_string_equal(got, "untouched");
    assert_int_equal(ERR_peek_error(), 0);
    OPENSSL_free(der);

    /* td_cert_info's subject is the same text, its cut marked with "..." */
    tc c = mk(&(spec){ .cn = "x", .key = P.k_leaf, .nb_days = -1, .na_days = 30 });
    assert_int_equal(X509_set_subject_name(c.x, n), 1);
    assert_true(X509_sign(c.x, P.k_leaf, EVP_sha256()) > 0);
    OPENSSL_free(c.der);
    set_der(&c);
    td_cert_info ci;
    info_of(&c, &ci);
    assert_int_equal(strlen(ci.subject), sizeof ci.subject - 1);
    assert_memory_equal(ci.subject, want, sizeof ci.subject - 4);
    assert_string_equal(ci.subject + sizeof ci.subject - 4, "...");
    td_cert_text ct;
    td_cert_describe(c.der, (size_t)c.len, &ct);
    assert_string_equal(ct.subject, want); /* fits its 512 bytes whole */
    tc_free(&c);
    X509_NAME_free(n);
}

static void test_describe(void **state)
{
    (void)state;
    td_cert_info ci;
    td_cert_text ct;
    info_of(&P.fixed, &ci);
    td_cert_describe(P.fixed.der, (size_t)P.fixed.len, &ct);
    assert_true(ct.parsed);
    assert_string_equal(ct.subject, ci.subject);
    assert_string_equal(ct.issuer, ci.issuer);
    assert_string_equal(ct.not_before, "2026-01-01T00:00:00Z");
    assert_string_equal(ct.not_after, ci.not_after_iso);
    assert_string_equal(ct.sha256, ci.sha256);

    /* a date before year 1000 reads the same in both */
    tc old = mk(&(spec){ .cn = "old.example", .key = P.k_leaf, .nb_fixed = "09990101000000Z",
                         .na_fixed = "20261223104956Z" });
    info_of(&old, &ci);
    td_cert_describe(old.der, (size_t)old.len, &ct);
    assert_string_equal(ci.not_before_iso, "0999-01-01T00:00:00Z");
    assert_string_equal(ct.not_before, ci.not_before_iso);
    tc_free(&old);

    static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x01, 0x02};
    td_cert_describe(junk, sizeof junk, &ct);
    assert_false(ct.parsed);
    assert_int_equal(strlen(ct.sha256), 64);
    assert_string_equal(ct.subject, "");
    assert_string_equal(ct.not_after, "");
    assert_int_equal(ERR_peek_error(), 0);
}

/* ---- names -------------------------------------------------------------- */

/* A td_cert_info holding only names, as td_cert_info_from_der() writes them. */
static td_cert_info names(const char *cn, bool has_san, const char *const *sans)
{
    td_cert_info ci;
    memset(&ci, 0, sizeof ci);
    snprintf(ci.cn, sizeof ci.cn, "%s", cn ? cn : "");
    ci.has_san_ext = has_san;
    for (size_t i = 0; sans && sans[i]; i++)
        snprintf(ci.san[ci.n_san++], sizeof ci.san[0], "%s", sans[i]);
    ci.n_san_total = ci.n_san;
    return ci;
}

static void expect_ok(const td_cert_info *ci, const char *host, const char *matched)
{
    td_name_check nc;
    td_cert_check_name(ci, host, &nc);
    if (!nc.ok)
        fail_msg("%s: expected a match, got: %s", host, nc.why);
    assert_string_equal(nc.matched, matched);
    assert_false(nc.via_cn_only);
    assert_string_equal(nc.near_miss, "");
}

static void expect_fail(const td_cert_info *ci, const char *host, const char *near_miss,
                        const char *why_part)
{
    td_name_check nc;
    td_cert_check_name(ci, host, &nc);
    if (nc.ok)
        fail_msg("%s: unexpected match with %s", host, nc.matched);
    assert_string_equal(nc.matched, "");
    assert_string_equal(nc.near_miss, near_miss);
    if (!strstr(nc.why, why_part))
        fail_msg("%s: why '%s' lacks '%s'", host, nc.why, why_part);
}

static void test_names_exact_and_case(void **state)
{
    (void)state;
    static const char *const s[] = { "DNS:www.example.com", "DNS:API.Example.COM", NULL };
    td_cert_info ci = names("ignored.example", true, s);
    expect_ok(&ci, "www.example.com", "www.example.com");
    expect_ok(&ci, "WWW.Example.COM", "www.example.com");
    expect_ok(&ci, "api.example.com", "API.Example.COM");
    /* trailing dots, on either side, are the same name (RFC 6125 6.4.1) */
    expect_ok(&ci, "www.example.com.", "www.example.com");
    static const char *const t[] = { "DNS:dot.example.com.", NULL };
    td_cert_info cd = names(NULL, true, t);
    expect_ok(&cd, "dot.example.com", "dot.example.com.");

    expect_fail(&ci, "mail.example.com", "", "no name in the certificate covers mail.example.com");
    /* the CN is not a fallback when DNS SANs exist (RFC 6125 6.4.4) */
    expect_fail(&ci, "ignored.example", "", "no name in the certificate covers");
    /* www vs the apex: named as a near miss */
    expect_fail(&ci, "example.com", "www.example.com",
                "www.example.com names only itself, not example.com");
}

static void test_names_wildcards(void **state)
{
    (void)state;
    static const char *const s[] = { "DNS:*.example.com", NULL };
    td_cert_info ci = names(NULL, true, s);
    expect_ok(&ci, "a.example.com", "*.example.com");
    expect_ok(&ci, "A.EXAMPLE.COM", "*.example.com");
    expect_fail(&ci, "a.b.example.com", "*.example.com",
                "*.example.com does not cover a.b.example.com: a wildcard matches one label "
                "only");
    td_name_check nc;
    td_cert_check_name(&ci, "a.b.example.com", &nc);
    assert_string_equal(nc.why,
                        "*.example.com does not cover a.b.example.com: a wildcard matches one "
                        "label only");
    expect_fail(&ci, "example.com", "*.example.com", "stands for exactly one label");
    expect_fail(&ci, "a.example.org", "", "no name in the certificate covers");

    /* not the left-most label: not a wildcard at all */
    static const char *const m[] = { "DNS:www.*.example.com", NULL };
    td_cert_info cm = names(NULL, true, m);
    expect_fail(&cm, "www.a.example.com", "www.*.example.com",
                "a wildcard is allowed only as the whole left-most label");
    /* a partial label */
    static const char *const p[] = { "DNS:w*.example.com", NULL };
    td_cert_info cp = names(NULL, true, p);
    expect_fail(&cp, "www.example.com", "w*.example.com",
                "a wildcard must be the whole left-most label");
    /* directly under a top-level domain */
    static const char *const tld[] = { "DNS:*.com", NULL };
    td_cert_info ct = names(NULL, true, tld);
    expect_fail(&ct, "example.com", "*.com", "top-level domain");

    /* the better explanation wins over a weaker one, whatever the order */
    static const char *const both[] = { "DNS:example.com", "DNS:*.example.com", NULL };
    td_cert_info cb = names(NULL, true, both);
    expect_fail(&cb, "a.b.example.com", "*.example.com", "one label only");
    expect_ok(&cb, "example.com", "example.com");
}

static void test_names_ip(void **state)
{
    (void)state;
    static const char *const s[] = { "DNS:leaf.example", "IP:192.0.2.1", "IP:2001:db8::1",
                                     NULL };
    td_cert_info ci = names(NULL, true, s);
    expect_ok(&ci, "192.0.2.1", "192.0.2.1");
    expect_ok(&ci, "2001:DB8:0::1", "2001:db8::1");
    expect_ok(&ci, "[2001:db8::1]", "2001:db8::1");
    expect_fail(&ci, "192.0.2.2", "", "no name in the certificate covers 192.0.2.2");
    /* an address never matches a DNS SAN, even one spelling it */
    static const char *const d[] = { "DNS:192.0.2.7", NULL };
    td_cert_info cd = names(NULL, true, d);
    expect_fail(&cd, "192.0.2.7", "192.0.2.7", "only against IP address SANs");
    expect_fail(&cd, "192.0.2.7", "192.0.2.7", "listed as a DNS name");
    /* and a name never matches an IP SAN */
    static const char *const i[] = { "IP:192.0.2.1", NULL };
    td_cert_info cip = names("leaf.example", true, i);
    /* ... but with no DNS-ID at all, RFC 6125 6.4.4 lets the CN count */
    td_name_check nc;
    td_cert_check_name(&cip, "leaf.example", &nc);
    assert_true(nc.ok);
    assert_true(nc.via_cn_only);
    /* an address only in the CN does not count */
    td_cert_info cn_ip = names("192.0.2.9", false, NULL);
    expect_fail(&cn_ip, "192.0.2.9", "192.0.2.9", "only in the subject CN");
    td_cert_info no_ip = names(NULL, true, (const char *const[]){ "DNS:a.example", NULL });
    expect_fail(&no_ip, "192.0.2.9", "", "no IP address SAN");
}

static void test_names_cn_only(void **state)
{
    (void)state;
    td_cert_info ci;
    td_name_check nc;
    info_of(&P.cn_only, &ci);
    assert_false(ci.has_san_ext);
    td_cert_check_name(&ci, "cn-only.example", &nc);
    assert_true(nc.ok);
    assert_true(nc.via_cn_only);
    assert_string_equal(nc.matched, "cn-only.example");
    assert_non_null(strstr(nc.why, "ignore the CN"));
    td_cert_check_name_der(D(&P.cn_only), "CN-ONLY.example.", &nc);
    assert_true(nc.ok);
    assert_true(nc.via_cn_only);
    td_cert_check_name(&ci, "other.example", &nc);
    assert_false(nc.ok);
    assert_non_null(strstr(nc.why, "no subjectAltName and its CN cn-only.example"));

    td_cert_info empty = names(NULL, false, NULL);
    expect_fail(&empty, "a.example", "", "neither a subjectAltName nor a subject CN");
    /* a URI-ID also rules out the CN (RFC 6125 6.4.4) */
    static const char *const u[] = { "URI:https://a.example/", NULL };
    td_cert_info uri = names("a.example", true, u);
    expect_fail(&uri, "a.example", "", "no name in the certificate covers a.example");
}

static void test_names_from_der(void **state)
{
    (void)state;
    td_name_check nc;
    td_cert_check_name_der(D(&P.leaf), "LEAF.example", &nc);
    assert_true(nc.ok);
    assert_string_equal(nc.matched, "leaf.example");
    assert_string_equal(nc.why, "DNS SAN leaf.example covers leaf.example");
    td_cert_check_name_der(D(&P.leaf), "x.wild.example", &nc);
    assert_true(nc.ok);
    td_cert_check_name_der(D(&P.leaf), "a.b.wild.example", &nc);
    assert_false(nc.ok);
    assert_string_equal(nc.near_miss, "*.wild.example");
    assert_string_equal(nc.why,
                        "*.wild.example does not cover a.b.wild.example: a wildcard matches one "
                        "label only");
    td_cert_check_name_der(D(&P.leaf), "192.0.2.1", &nc);
    assert_true(nc.ok);
    assert_string_equal(nc.why, "IP SAN 192.0.2.1 covers 192.0.2.1");
    td_cert_check_name_der(D(&P.leaf), "nothere.example", &nc);
    assert_false(nc.ok);
    assert_string_equal(nc.why, "no name in the certificate covers nothere.example (it names "
                                "leaf.example, *.wild.example, 192.0.2.1, 2001:db8::1)");

    /* hosts that are no host names */
    td_cert_check_name_der(D(&P.leaf), "", &nc);
    assert_false(nc.ok);
    td_cert_check_name_der(D(&P.leaf), NULL, &nc);
    assert_false(nc.ok);
    td_cert_check_name_der(D(&P.leaf), "*.wild.example", &nc);
    assert_false(nc.ok);
    td_cert_check_name_der(D(&P.leaf), "leaf example", &nc);
    assert_false(nc.ok);
    assert_string_equal(nc.why, "leaf\\x20example is not a valid host name");
}

/* ---- order -------------------------------------------------------------- */

static void test_order(void **state)
{
    (void)state;
    td_chain_order o;
    static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };

    td_der good[] = { D(&P.leaf), D(&P.inter) };
    td_chain_check_order(good, 2, &o);
    assert_true(o.ok);
    assert_true(o.leaf_first);
    assert_int_equal(o.first_out_of_place, -1);
    assert_false(o.root_sent);
    assert_int_equal(o.n_unrelated, 0);
    assert_int_equal(o.n_duplicates, 0);
    assert_string_equal(o.detail, "in order: the leaf, then 1 issuer");

    td_der with_root[] = { D(&P.leaf), D(&P.inter), D(&P.root) };
    td_chain_check_order(with_root, 3, &o);
    assert_true(o.ok);
    assert_true(o.root_sent);
    assert_non_null(strstr(o.detail, "the self-signed root CN=Test Root CA is sent too"));

    td_der alone[] = { D(&P.self) };
    td_chain_check_order(alone, 1, &o);
    assert_true(o.ok);
    assert_false(o.root_sent);

    /* two intermediates the wrong way round */
    td_der rev[] = { D(&P.leaf_deep), D(&P.inter), D(&P.inter2) };
    td_chain_check_order(rev, 3, &o);
    assert_false(o.ok);
    assert_true(o.leaf_first);
    assert_int_equal(o.first_out_of_place, 1);
    assert_int_equal(o.n_unrelated, 0);
    assert_string_equal(o.detail, "certificate 1 (CN=Test Intermediate) did not issue "
                                  "certificate 0 (CN=deep.example); path order: 0, 2, 1");
    td_der deep[] = { D(&P.leaf_deep), D(&P.inter2), D(&P.inter), D(&P.root) };
    td_chain_check_order(deep, 4, &o);
    assert_true(o.ok);
    assert_true(o.root_sent);

    /* something that has nothing to do with the path */
    td_der unrel[] = { D(&P.leaf), D(&P.inter), D(&P.other_leaf) };
    td_chain_check_order(unrel, 3, &o);
    assert_false(o.ok);
    assert_int_equal(o.first_out_of_place, 2);
    assert_int_equal(o.n_unrelated, 1);
    assert_non_null(strstr(o.detail, "certificate 2 (CN=other.example) is not in the path"));

    td_der dup[] = { D(&P.leaf), D(&P.inter), D(&P.inter) };
    td_chain_check_order(dup, 3, &o);
    assert_false(o.ok);
    assert_int_equal(o.first_out_of_place, 2);
    assert_int_equal(o.n_duplicates, 1);
    assert_int_equal(o.n_unrelated, 0);
    assert_string_equal(o.detail, "certificate 2 is a copy of certificate 1");

    /* the intermediate first */
    td_der swapped[] = { D(&P.inter), D(&P.leaf) };
    td_chain_check_order(swapped, 2, &o);
    assert_false(o.ok);
    assert_false(o.leaf_first);
    assert_int_equal(o.first_out_of_place, 0);
    assert_non_null(strstr(o.detail, "the leaf is certificate 1 (CN=leaf.example)"));

    td_der bad[] = { D(&P.leaf), { junk, sizeof junk }, D(&P.inter) };
    td_chain_check_order(bad, 3, &o);
    assert_false(o.ok);
    assert_int_equal(o.first_out_of_place, 1);
    assert_int_equal(o.n_unrelated, 1);
    assert_string_equal(o.detail, "certificate 1 does not decode as X.509");

    td_der bad0[] = { { junk, sizeof junk } };
    td_chain_check_order(bad0, 1, &o);
    assert_false(o.ok);
    assert_false(o.leaf_first);

    td_chain_check_order(NULL, 0, &o);
    assert_false(o.ok);
}

/* ---- verification ------------------------------------------------------- */

static void verify(const td_der *chain, size_t n, const td_der *extra, size_t n_extra, int64_t at,
                   td_path *p)
{
    assert_int_equal(td_verify_path(P.store, chain, n, extra, n_extra, at, p), 0);
}

static void test_verify_ok(void **state)
{
    (void)state;
    td_path p;
    td_cert_info li, ii, ri;
    info_of(&P.leaf, &li);
    info_of(&P.inter, &ii);
    info_of(&P.root, &ri);
    td_der chain[] = { D(&P.leaf), D(&P.inter) };
    verify(chain, 2, NULL, 0, time(NULL), &p);
    if (p.verdict != TD_PATH_OK)
        fail_msg("verdict %s: %s", td_path_verdict_name(p.verdict), p.x509_err_text);
    assert_int_equal(p.x509_err, X509_V_OK);
    assert_int_equal(p.depth, -1);
    assert_int_equal(p.trust, TD_PATH_OK);
    assert_int_equal(p.strict_err, X509_V_OK);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.subjects[0], li.subject);
    assert_string_equal(p.subjects[1], ii.subject);
    assert_string_equal(p.subjects[2], ri.subject);
    assert_int_equal(p.src[0], TD_SRC_SENT);
    assert_int_equal(p.src[1], TD_SRC_SENT);
    assert_int_equal(p.src[2], TD_SRC_STORE);
    assert_false(p.used_extra);
    assert_string_equal(p.top_subject, ri.subject);
    assert_true(p.top_in_store);
    assert_string_equal(p.missing_issuer, "");
    assert_int_equal(p.expired_depth, -1);
    assert_int_equal(p.not_yet_valid_depth, -1);
    assert_int_equal(p.weak_sig_depth, -1);
    assert_int_equal(p.small_key_depth, -1);

    /* the root sent along changes nothing; a junk certificate is ignored */
    static const uint8_t junk[] = { 0x30, 0x00 };
    td_der more[] = { D(&P.leaf), { junk, sizeof junk }, D(&P.inter), D(&P.root) };
    verify(more, 4, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_int_equal(p.n, 3);
    assert_true(p.top_in_store);

    /* the same against a hashed directory */
    char err[256];
    td_store *dir = td_store_new(NULL, P.store_dir, err, sizeof err);
    if (!dir)
        fail_msg("%s", err);
    assert_non_null(strstr(td_store_name(dir), "ca-path /tmp/tlsdiag-certdir-"));
    assert_int_equal(td_verify_path(dir, chain, 2, NULL, 0, time(NULL), &p), 0);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_true(p.top_in_store);
    td_store_free(dir);

    /* later, when the leaf has expired */
    verify(chain, 2, NULL, 0, time(NULL) + 200 * DAY, &p);
    assert_int_equal(p.verdict, TD_PATH_EXPIRED);
    assert_int_equal(p.depth, 0);
}

static void test_verify_incomplete(void **state)
{
    (void)state;
    td_path p;
    td_cert_info ii;
    info_of(&P.inter, &ii);
    td_der chain[] = { D(&P.leaf) };
    verify(chain, 1, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_int_equal(p.trust, TD_PATH_INCOMPLETE);
    assert_int_equal(p.x509_err, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    assert_int_equal(p.depth, 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.missing_issuer, ii.subject);
    assert_string_equal(p.missing_issuer_aia, "http://ca.example/int.der");
    assert_false(p.top_in_store);

    /* with the intermediate from elsewhere (AIA), the path is whole */
    td_der extra[] = { D(&P.inter) };
    verify(chain, 1, extra, 1, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_true(p.used_extra);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.src[1], TD_SRC_EXTRA);
    assert_string_equal(p.missing_issuer, "");

    /* the deep leaf missing its second intermediate */
    td_cert_info i2;
    info_of(&P.inter2, &i2);
    td_der deep[] = { D(&P.leaf_deep), D(&P.inter) };
    verify(deep, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_string_equal(p.missing_issuer, i2.subject);

    /* an expired leaf on an incomplete chain: both are reported */
    td_der exp[] = { D(&P.expired) };
    verify(exp, 1, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_int_equal(p.expired_depth, 0);
}

/* A store of its own, from a temporary PEM file (removed at once: the
 * store keeps what it loaded). */
static td_store *store_holding(const tc *c)
{
    char path[64] = "/tmp/tlsdiag-cert-XXXXXX", err[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_true(PEM_write_X509(f, c->x) == 1);
    fclose(f);
    td_store *st = td_store_new(path, NULL, err, sizeof err);
    unlink(path);
    if (!st)
        fail_msg("%s", err);
    return st;
}

/* What the chain's structure says the missing issuer is, against a store
 * without the test root. */
static void test_verify_missing_kind(void **state)
{
    (void)state;
    td_store *elsewhere = store_holding(&P.other_root);
    td_path p;
    td_cert_info ii;
    info_of(&P.inter, &ii);

    /* the leaf alone: its issuer is an intermediate the server must send */
    td_der leaf_only[] = { D(&P.leaf) };
    assert_int_equal(td_verify_path(elsewhere, leaf_only, 1, NULL, 0, time(NULL), &p), 0);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_false(p.top_is_ca);
    assert_false(p.missing_issuer_in_store);
    assert_int_equal(td_path_missing_kind(&p), TD_MISSING_LEAF_ISSUER);

    /* a CA certificate on top whose caIssuers URL names its issuer */
    td_der with_inter[] = { D(&P.leaf), D(&P.inter) };
    assert_int_equal(td_verify_path(elsewhere, with_inter, 2, NULL, 0, time(NULL), &p), 0);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_true(p.top_is_ca);
    assert_string_equal(p.missing_issuer_aia, "http://ca.example/root.der");
    assert_int_equal(td_path_missing_kind(&p), TD_MISSING_AIA_NAMED);

    /* a CA certificate on top, no URL, an issuer's name the store does not
     * know: to the chain's eye a private root, whatever it really is */
    td_der deep[] = { D(&P.leaf_deep), D(&P.inter2) };
    assert_int_equal(td_verify_path(elsewhere, deep, 2, NULL, 0, time(NULL), &p), 0);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.src[1], TD_SRC_SENT);
    assert_true(p.top_is_ca);
    assert_string_equal(p.missing_issuer, ii.subject);
    assert_string_equal(p.missing_issuer_aia, "");
    assert_false(p.missing_issuer_in_store);
    assert_int_equal(td_path_missing_kind(&p), TD_MISSING_ROOT);
    td_store_free(elsewhere);

    /* the store knows that name, with another key: the linking certificate
     * must come from the server */
    tc twin = mk(&(spec){ .cn = "Test Intermediate", .key = P.k_other, .nb_days = -1, .na_days = 30,
                          .ca = true });
    td_store *rekeyed = store_holding(&twin);
    assert_int_equal(td_verify_path(rekeyed, deep, 2, NULL, 0, time(NULL), &p), 0);
    assert_int_equal(p.verdict, TD_PATH_INCOMPLETE);
    assert_true(p.missing_issuer_in_store);
    assert_int_equal(td_path_missing_kind(&p), TD_MISSING_NAME_IN_STORE);
    td_store_free(rekeyed);
    tc_free(&twin);

    /* a whole path misses nothing; its top, the root, is a CA */
    verify(with_inter, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_true(p.top_is_ca);
    assert_false(p.missing_issuer_in_store);
    assert_int_equal(td_path_missing_kind(&p), TD_MISSING_NONE);
}

static void test_verify_untrusted_and_self_signed(void **state)
{
    (void)state;
    td_path p;
    td_cert_info oi;
    info_of(&P.other_root, &oi);
    td_der chain[] = { D(&P.other_leaf), D(&P.other_root) };
    verify(chain, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_UNTRUSTED_ROOT);
    assert_int_equal(p.x509_err, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
    assert_int_equal(p.depth, 1);
    assert_string_equal(p.top_subject, oi.subject);
    assert_string_equal(p.top_subject, "CN=Other Root,O=tlsdiag test");
    assert_false(p.top_in_store);
    assert_int_equal(p.n, 2);

    td_der self[] = { D(&P.self) };
    verify(self, 1, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_SELF_SIGNED_LEAF);
    assert_int_equal(p.x509_err, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    assert_int_equal(p.depth, 0);
    assert_int_equal(p.n, 1);
}

static void test_verify_times(void **state)
{
    (void)state;
    td_path p;
    td_der exp[] = { D(&P.expired), D(&P.inter) };
    verify(exp, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_EXPIRED);
    assert_int_equal(p.x509_err, X509_V_ERR_CERT_HAS_EXPIRED);
    assert_int_equal(p.depth, 0);
    assert_int_equal(p.expired_depth, 0);
    assert_int_equal(p.trust, TD_PATH_OK); /* nothing else is wrong */

    td_der old[] = { D(&P.leaf_old), D(&P.old_inter) };
    verify(old, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_EXPIRED);
    assert_int_equal(p.depth, 1);
    assert_int_equal(p.expired_depth, 1);
    assert_int_equal(p.trust, TD_PATH_OK);

    td_der fut[] = { D(&P.future), D(&P.inter) };
    verify(fut, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_NOT_YET_VALID);
    assert_int_equal(p.x509_err, X509_V_ERR_CERT_NOT_YET_VALID);
    assert_int_equal(p.depth, 0);
    assert_int_equal(p.not_yet_valid_depth, 0);
    assert_int_equal(p.expired_depth, -1);
    /* and valid once its time has come */
    verify(fut, 2, NULL, 0, time(NULL) + 2 * DAY, &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
}

static void test_verify_other_faults(void **state)
{
    (void)state;
    td_path p;

    td_der client[] = { D(&P.client), D(&P.inter) };
    verify(client, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_PURPOSE);
    assert_int_equal(p.depth, 0);

    td_der bad[] = { D(&P.badsig), D(&P.inter) };
    verify(bad, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_BAD_SIGNATURE);
    assert_int_equal(p.depth, 0);

    /* SHA-1 and a 1024-bit key: the path holds, the facts are reported */
    td_der weak[] = { D(&P.weak) };
    verify(weak, 1, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_int_equal(p.weak_sig_depth, 0);
    assert_string_equal(p.weak_sig_alg, "sha1WithRSAEncryption");
    assert_int_equal(p.small_key_depth, 0);

    /* a root's own SHA-1 self-signature does not count */
    td_der r1[] = { D(&P.leaf_r1) };
    verify(r1, 1, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.weak_sig_depth, -1);

    /* no authorityKeyIdentifier: fine, except under X509_V_FLAG_X509_STRICT */
    td_der noakid[] = { D(&P.no_akid), D(&P.inter) };
    verify(noakid, 2, NULL, 0, time(NULL), &p);
    assert_int_equal(p.verdict, TD_PATH_OK);
    assert_int_equal(p.strict_err, X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER);
    assert_true(p.strict_err_text[0]);
}

static void test_verify_bad_input(void **state)
{
    (void)state;
    td_path p;
    static const uint8_t junk[] = { 0x01, 0x02, 0x03 };
    td_der chain[] = { { junk, sizeof junk }, D(&P.inter) };
    assert_int_equal(td_verify_path(P.store, chain, 2, NULL, 0, time(NULL), &p), -1);
    assert_int_equal(p.verdict, TD_PATH_OTHER);
    assert_non_null(strstr(p.x509_err_text, "the leaf: not a DER X.509 certificate"));
    assert_int_equal(td_verify_path(P.store, chain, 0, NULL, 0, time(NULL), &p), -1);
    assert_int_equal(td_verify_path(NULL, chain, 2, NULL, 0, time(NULL), &p), -1);
}

static void test_stores(void **state)
{
    (void)state;
    char err[256];
    assert_non_null(strstr(td_store_name(P.store), "ca-file /tmp/tlsdiag-cert-"));

    err[0] = '\0';
    assert_null(td_store_new("/nonexistent/ca.pem", NULL, err, sizeof err));
    assert_string_equal(err, "ca-file /nonexistent/ca.pem: No such file or directory");

    char path[64];
    snprintf(path, sizeof path, "/tmp/tlsdiag-nocert-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not a certificate\n", 18), 18);
    close(fd);
    err[0] = '\0';
    assert_null(td_store_new(path, NULL, err, sizeof err));
    assert_non_null(strstr(err, "no PEM certificate could be loaded"));
    assert_null(td_store_new(NULL, path, err, sizeof err));
    assert_non_null(strstr(err, "not a directory"));
    unlink(path);
    assert_null(td_store_new(NULL, "/nonexistent-dir", err, sizeof err));

    td_store *both = td_store_new(P.store_file, P.store_dir, err, sizeof err);
    assert_non_null(both);
    assert_non_null(strstr(td_store_name(both), ", ca-path "));
    td_store_free(both);

    /* the system store: only its name is checked, its content is the host's */
    td_store *sys = td_store_new(NULL, NULL, err, sizeof err);
    if (!sys)
        fail_msg("%s", err);
    assert_non_null(strstr(td_store_name(sys), "system ("));
    td_store_free(sys);
    td_store_free(NULL);
}

/* ---- the AIA issuer fetch: URL and HTTP response ------------------------ */

static void test_aia_url(void **state)
{
    (void)state;
    char host[64], path[32];
    uint16_t port;
    assert_true(td_aia_parse_url("http://ca.example/inter.der", host, sizeof host, &port, path, sizeof path));
    assert_string_equal(host, "ca.example");
    assert_int_equal(port, 80);
    assert_string_equal(path, "/inter.der");
    assert_true(td_aia_parse_url("http://127.0.0.1:8080/a/b.crt#frag", host, sizeof host, &port, path,
                                 sizeof path));
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_string_equal(path, "/a/b.crt");
    /* IPv6 literals (RFC 3986 section 3.2.2): the brackets go, the port stays. */
    assert_true(td_aia_parse_url("http://[2001:db8::1]:81/x", host, sizeof host, &port, path, sizeof path));
    assert_string_equal(host, "2001:db8::1");
    assert_int_equal(port, 81);
    assert_true(td_aia_parse_url("http://[::1]", host, sizeof host, &port, path, sizeof path));
    assert_string_equal(host, "::1");
    assert_int_equal(port, 80);
    assert_string_equal(path, "/");
    assert_true(td_aia_parse_url("http://ca.example?id=7", host, sizeof host, &port, path, sizeof path));
    assert_string_equal(path, "/?id=7");

    static const char *const bad[] = {
        "https://ca.example/x",       /* only plain HTTP */
        "ldap://ca.example/cn=x",
        "http://",                    /* no host */
        "http:///x",
        "http://user@ca.example/x",   /* user info */
        "http://ca.example:0/x",      /* port out of range */
        "http://ca.example:65536/x",
        "http://ca.example:/x",
        "http://ca.example:8a/x",
        "http://[::1/x",              /* unclosed bracket */
        "http://[]/x",
        "http://[::1]x/y",
        "http://ca.example/a b",      /* would break the request line */
        "http://ca\texample/x",
        "http://ca.example/0123456789012345678901234567890123456789", /* path too long */
        "http://a-host-name-longer-than-the-buffer-given-for-it-by-the-caller.example/x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        port = 1;
        assert_false(td_aia_parse_url(bad[i], host, sizeof host, &port, path, sizeof path));
    }
    assert_false(td_aia_parse_url(NULL, host, sizeof host, &port, path, sizeof path));
}

/* Builds "HEAD\r\n\r\n" + body in buf; returns its length. */
static size_t http_response(uint8_t *buf, size_t cap, const char *head, const void *body, size_t blen)
{
    size_t hl = strlen(head);
    assert_true(hl + 4 + blen <= cap);
    memcpy(buf, head, hl);
    memcpy(buf + hl, "\r\n\r\n", 4);
    memcpy(buf + hl + 4, body, blen);
    return hl + 4 + blen;
}

static void expect_cert(const uint8_t *buf, size_t len, const tc *want)
{
    uint8_t *der = NULL;
    size_t dl = 0;
    char err[128] = "";
    assert_int_equal(td_aia_cert_from_http(buf, len, &der, &dl, err, sizeof err), 0);
    assert_int_equal(dl, (size_t)want->len);
    assert_memory_equal(der, want->der, dl);
    free(der);
}

static void expect_error(const uint8_t *buf, size_t len, const char *want)
{
    uint8_t *der = (uint8_t *)1;
    size_t dl = 1;
    char err[128] = "";
    assert_int_equal(td_aia_cert_from_http(buf, len, &der, &dl, err, sizeof err), -1);
    assert_null(der);
    assert_int_equal(dl, 0);
    assert_non_null(strstr(err, want));
}

static void test_aia_response(void **state)
{
    (void)state;
    static uint8_t buf[16384];
    const tc *c = &P.inter;
    /* DER, the form RFC 5280 section 4.2.2.1 names first */
    size_t n = http_response(buf, sizeof buf, "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert", c->der,
                             (size_t)c->len);
    expect_cert(buf, n, c);
    /* PEM, which some servers send */
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509(b, c->x), 1);
    char *pem;
    long pl = BIO_get_mem_data(b, &pem);
    n = http_response(buf, sizeof buf, "HTTP/1.0 200 OK", pem, (size_t)pl);
    BIO_free(b);
    expect_cert(buf, n, c);
    /* a certs-only PKCS#7 bundle: its first certificate */
    PKCS7 *p7 = PKCS7_new();
    assert_non_null(p7);
    assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
    assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
    assert_int_equal(PKCS7_add_certificate(p7, c->x), 1);
    assert_int_equal(PKCS7_add_certificate(p7, P.root.x), 1);
    unsigned char *p7der = NULL;
    int p7len = i2d_PKCS7(p7, &p7der);
    assert_true(p7len > 0);
    n = http_response(buf, sizeof buf, "HTTP/1.1 200 OK", p7der, (size_t)p7len);
    OPENSSL_free(p7der);
    PKCS7_free(p7);
    expect_cert(buf, n, c);
    /* nothing of that failure is left on the error queue */
    assert_int_equal(ERR_peek_error(), 0);

    n = http_response(buf, sizeof buf, "HTTP/1.1 404 Not Found", "gone", 4);
    expect_error(buf, n, "HTTP status 404");
    n = http_response(buf, sizeof buf, "HTTP/1.1 200 OK", "", 0);
    expect_error(buf, n, "no body");
    n = http_response(buf, sizeof buf, "HTTP/1.1 200 OK", "not a certificate", 17);
    expect_error(buf, n, "not a certificate");
    assert_int_equal(ERR_peek_error(), 0);
    /* headers that never end, a truncated status line, another protocol */
    static const char open_headers[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n";
    expect_error((const uint8_t *)open_headers, sizeof open_headers - 1, "no body");
    expect_error((const uint8_t *)"HTTP/1.1 20", 11, "not an HTTP response");
    expect_error((const uint8_t *)"SSH-2.0-OpenSSH_9.2p1\r\n", 23, "not an HTTP response");
    static const uint8_t no_space[] = "HTTP/1.1\x01\x02\x03\xff\r\n\r\nx";
    expect_error(no_space, sizeof no_space - 1, "not an HTTP response");
    static const uint8_t odd_status[] = "HTTP/1.1 \x01\xff\x7f\r\n\r\nx";
    expect_error(odd_status, sizeof odd_status - 1, "HTTP status ???");
    expect_error(NULL, 0, "not an HTTP response");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_leaf),
        cmocka_unit_test(test_info_fixed_times),
        cmocka_unit_test(test_info_root_and_weak),
        cmocka_unit_test(test_info_self_issued_only),
        cmocka_unit_test(test_info_purpose),
        cmocka_unit_test(test_info_many_sans),
        cmocka_unit_test(test_info_embedded_nul),
        cmocka_unit_test(test_info_malformed),
        cmocka_unit_test(test_dn_text),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_names_exact_and_case),
        cmocka_unit_test(test_names_wildcards),
        cmocka_unit_test(test_names_ip),
        cmocka_unit_test(test_names_cn_only),
        cmocka_unit_test(test_names_from_der),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_verify_ok),
        cmocka_unit_test(test_verify_incomplete),
        cmocka_unit_test(test_verify_missing_kind),
        cmocka_unit_test(test_verify_untrusted_and_self_signed),
        cmocka_unit_test(test_verify_times),
        cmocka_unit_test(test_verify_other_faults),
        cmocka_unit_test(test_verify_bad_input),
        cmocka_unit_test(test_stores),
        cmocka_unit_test(test_aia_url),
        cmocka_unit_test(test_aia_response),
    };
    return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
