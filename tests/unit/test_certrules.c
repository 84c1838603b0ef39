/* Unit tests for lib/diag/certs.c: the certificate, identity and session
 * rules.  Observations are built by hand: certificates are made here with
 * the OpenSSL API (a root, an intermediate, leaves with one fault each), the
 * handshakes are filled in as the probe would, and the path verdicts are
 * set directly, as td_verify_path would have produced them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certkit.h"
#include "diag/finding.h"
#include "wire/tls.h"

/* ---- certificates ---------------------------------------------------------- */

typedef struct want {
    const char *cn;
    const blob *issuer;         /* NULL: self-signed */
    EVP_PKEY *issuer_key;
    EVP_PKEY *key;
    long from_s, to_s;          /* validity, seconds from now */
    const EVP_MD *md;           /* NULL: SHA-256 */
    bool ca;
    const char *san, *eku, *aia;
} want;

static long serial = 100;

static blob make(const want *w)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"certrules", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)w->cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, w->issuer ? X509_get_subject_name(w->issuer->x) : n);
    X509_NAME_free(n);
    assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 0, w->from_s, NULL));
    assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 0, w->to_s, NULL));
    X509_set_pubkey(x, w->key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, w->issuer ? w->issuer->x : x, x, NULL, NULL, 0);
    cert_ext(x, &ctx, NID_basic_constraints, w->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    cert_ext(x, &ctx, NID_subject_key_identifier, "hash");
    cert_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    cert_ext(x, &ctx, NID_key_usage, w->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
    if (w->eku)
        cert_ext(x, &ctx, NID_ext_key_usage, w->eku);
    if (w->san)
        cert_ext(x, &ctx, NID_subject_alt_name, w->san);
    if (w->aia)
        cert_ext(x, &ctx, NID_info_access, w->aia);
    assert_true(X509_sign(x, w->issuer ? w->issuer_key : w->key, w->md ? w->md : EVP_sha256()) > 0);
    blob b = { NULL, 0, x };
    b.len = i2d_X509(x, &b.der);
    assert_true(b.len > 0);
    return b;
}

#define DAYS(n) ((long)(n) * 86400L)

static struct {
    EVP_PKEY *k_root, *k_int, *k_leaf, *k_small;
    blob root, inter, old_inter, other_root, priv_inter, priv_leaf;
    blob leaf, expired, future, soon, cn_only, self, small, sha1, client_only, dflt, no_ocsp, other_leaf, ip_leaf;
} K;

static int setup(void **state)
{
    (void)state;
    K.k_root = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    K.k_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    K.k_int = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    K.k_leaf = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!K.k_root || !K.k_small || !K.k_int || !K.k_leaf)
        return -1;
    K.root = make(&(want){ .cn = "Rules Root CA", .key = K.k_root, .from_s = -DAYS(10), .to_s = DAYS(3650),
                           .ca = true });
    K.other_root = make(&(want){ .cn = "Private Root CA", .key = K.k_int, .from_s = -DAYS(10), .to_s = DAYS(3650),
                                 .ca = true });
    K.inter = make(&(want){ .cn = "Rules Intermediate", .issuer = &K.root, .issuer_key = K.k_root, .key = K.k_int,
                            .from_s = -DAYS(10), .to_s = DAYS(1000), .ca = true,
                            .aia = "caIssuers;URI:http://ca.example/root.der" });
    K.old_inter = make(&(want){ .cn = "Rules Intermediate", .issuer = &K.root, .issuer_key = K.k_root,
                                .key = K.k_int, .from_s = -DAYS(400), .to_s = -DAYS(3), .ca = true });
    /* A private hierarchy: no AIA anywhere, the root in no store. */
    K.priv_inter = make(&(want){ .cn = "Private Intermediate", .issuer = &K.other_root, .issuer_key = K.k_int,
                                 .key = K.k_root, .from_s = -DAYS(10), .to_s = DAYS(1000), .ca = true });
    K.priv_leaf = make(&(want){ .cn = "www.example.com", .issuer = &K.priv_inter, .issuer_key = K.k_root,
                                .key = K.k_leaf, .from_s = -DAYS(1), .to_s = DAYS(90), .san = "DNS:www.example.com",
                                .eku = "serverAuth" });
    const char *leaf_aia = "caIssuers;URI:http://ca.example/int.der,OCSP;URI:http://ocsp.example";
#define LEAF(cn_, san_, from_, to_) \
    .cn = cn_, .issuer = &K.inter, .issuer_key = K.k_int, .key = K.k_leaf, .from_s = from_, .to_s = to_, \
    .san = san_, .eku = "serverAuth", .aia = leaf_aia
    K.leaf = make(&(want){ LEAF("www.example.com", "DNS:www.example.com,DNS:*.svc.example.com", -DAYS(1), DAYS(90)) });
    K.expired = make(&(want){ LEAF("www.example.com", "DNS:www.example.com", -DAYS(90), -DAYS(4)) });
    K.future = make(&(want){ LEAF("www.example.com", "DNS:www.example.com", DAYS(2), DAYS(92)) });
    K.soon = make(&(want){ LEAF("www.example.com", "DNS:www.example.com", -DAYS(80), DAYS(5)) });
    K.cn_only = make(&(want){ LEAF("www.example.com", NULL, -DAYS(1), DAYS(90)) });
    K.dflt = make(&(want){ LEAF("default.example.net", "DNS:default.example.net", -DAYS(1), DAYS(90)) });
    K.other_leaf = make(&(want){ LEAF("www.example.com", "DNS:www.example.com,DNS:example.com", -DAYS(1),
                                      DAYS(60)) });
    K.ip_leaf = make(&(want){ LEAF("192.0.2.10", "DNS:192.0.2.10", -DAYS(1), DAYS(90)) });
    K.client_only = make(&(want){ .cn = "www.example.com", .issuer = &K.inter, .issuer_key = K.k_int,
                                  .key = K.k_leaf, .from_s = -DAYS(1), .to_s = DAYS(90),
                                  .san = "DNS:www.example.com", .eku = "clientAuth", .aia = leaf_aia });
    K.no_ocsp = make(&(want){ .cn = "www.example.com", .issuer = &K.inter, .issuer_key = K.k_int, .key = K.k_leaf,
                              .from_s = -DAYS(1), .to_s = DAYS(90), .san = "DNS:www.example.com",
                              .eku = "serverAuth" });
    K.small = make(&(want){ .cn = "www.example.com", .issuer = &K.inter, .issuer_key = K.k_int, .key = K.k_small,
                            .from_s = -DAYS(1), .to_s = DAYS(90), .san = "DNS:www.example.com", .aia = leaf_aia });
    K.sha1 = make(&(want){ .cn = "www.example.com", .issuer = &K.inter, .issuer_key = K.k_int, .key = K.k_leaf,
                           .from_s = -DAYS(1), .to_s = DAYS(90), .md = EVP_sha1(), .san = "DNS:www.example.com",
                           .aia = leaf_aia });
    K.self = make(&(want){ .cn = "www.example.com", .key = K.k_leaf, .from_s = -DAYS(1), .to_s = DAYS(90),
                           .san = "DNS:www.example.com" });
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blob *all[] = { &K.root, &K.inter, &K.old_inter, &K.other_root, &K.priv_inter, &K.priv_leaf, &K.leaf, &K.expired, &K.future,
                    &K.soon, &K.cn_only, &K.self, &K.small, &K.sha1, &K.client_only, &K.dflt,
                    &K.no_ocsp, &K.other_leaf, &K.ip_leaf };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        blob_free(all[i]);
    EVP_PKEY_free(K.k_root);
    EVP_PKEY_free(K.k_int);
    EVP_PKEY_free(K.k_leaf);
    EVP_PKEY_free(K.k_small);
    return 0;
}

/* ---- observations ---------------------------------------------------------------- */

/* The chain as a handshake keeps it: malloc'd copies (td_hs_free frees). */
static void put_chain(td_cert *dst, size_t *n, const blob *const *certs, size_t k)
{
    for (size_t i = 0; i < k; i++)
        blob_put(&dst[i], certs[i]);
    *n = k;
}

#define CHAIN(h, ...)                                                                         \
    do {                                                                                      \
        const blob *const list_[] = { __VA_ARGS__ };                                          \
        put_chain((h)->chain, &(h)->n_chain, list_, sizeof list_ / sizeof *list_);            \
    } while (0)

static void hs_done(td_hs *h, const char *addr)
{
    td_hs_init(h);
    h->out = TD_OUT_HELLO;
    h->done = true;
    snprintf(h->addr, sizeof h->addr, "%s", addr);
    snprintf(h->sni, sizeof h->sni, "www.example.com");
    h->version = TD_TLS13;
    h->suite = 0x1301;
    h->ocsp_stapled = true;
    h->ocsp_status = 0;
}

/* A good path: leaf (sent) > intermediate (sent) > root (store). */
static void path_good(td_path *p)
{
    memset(p, 0, sizeof *p);
    p->verdict = p->trust = TD_PATH_OK;
    p->depth = p->expired_depth = p->not_yet_valid_depth = p->weak_sig_depth = p->small_key_depth = -1;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "ok");
    p->n = 3;
    blob_subject(&K.leaf, p->subjects[0], sizeof p->subjects[0]);
    blob_subject(&K.inter, p->subjects[1], sizeof p->subjects[1]);
    blob_subject(&K.root, p->subjects[2], sizeof p->subjects[2]);
    p->src[0] = p->src[1] = TD_SRC_SENT;
    p->src[2] = TD_SRC_STORE;
    blob_subject(&K.root, p->top_subject, sizeof p->top_subject);
    p->top_in_store = true;
}

/* A healthy server: TLS 1.3 handshake with leaf + intermediate, stapled,
 * verified against the system store. */
static td_obs *healthy(void)
{
    td_obs *o = obs_example("192.0.2.10");
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.leaf, &K.inter);
    snprintf(o->store_name, sizeof o->store_name, "system (/usr/lib/ssl/cert.pem, /usr/lib/ssl/certs)");
    o->now = (int64_t)time(NULL);
    o->warn_days = 21;
    path_good(&o->path);
    return o;
}


static const td_finding *find(const td_findings *fs, const char *id)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].id == td_id_by_name(id))
            return &fs->v[i];
    return NULL;
}

static size_t count(const td_findings *fs, const char *id)
{
    size_t k = 0;
    for (size_t i = 0; i < fs->n; i++)
        k += fs->v[i].id == td_id_by_name(id);
    return k;
}

/* Runs the rules; every finding must be complete and free of stray bytes. */
static void run(const td_obs *o, td_findings *fs)
{
    memset(fs, 0, sizeof *fs);
    td_diagnose_certs(o, fs);
    assert_false(fs->oom);
    for (size_t i = 0; i < fs->n; i++) {
        const td_finding *f = &fs->v[i];
        assert_non_null(f->summary);
        assert_true(strlen(f->summary) > 20);
        assert_non_null(f->evidence);
        assert_true(strlen(f->evidence) > 0);
        assert_non_null(f->fix);
        assert_non_null(f->verify);
        assert_true(strncmp(f->verify, "openssl ", 8) == 0 || strncmp(f->verify, "curl ", 5) == 0 ||
                    strncmp(f->verify, "for t in ", 9) == 0);
        assert_null(strstr(f->fix, "-k ")); /* never "skip verification" */
    }
}

static const td_finding *expect(const td_findings *fs, const char *id, td_severity sev)
{
    const td_finding *f = find(fs, id);
    if (!f)
        fail_msg("no %s finding (%zu findings)", id, fs->n);
    if (f->sev != sev)
        fail_msg("%s has severity %s, not %s", id, td_severity_name(f->sev), td_severity_name(sev));
    return f;
}

static void contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' not in: %s", needle, hay ? hay : "(null)");
}

static void replace_leaf(td_hs *h, const blob *leaf)
{
    free(h->chain[0].der);
    h->chain[0].der = malloc((size_t)leaf->len);
    assert_non_null(h->chain[0].der);
    memcpy(h->chain[0].der, leaf->der, (size_t)leaf->len);
    h->chain[0].len = (size_t)leaf->len;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_healthy(void **state)
{
    (void)state;
    td_obs *o = healthy();
    td_findings fs;
    run(o, &fs);
    for (size_t i = 0; i < fs.n; i++)
        fail_msg("healthy server got %s: %s", fs.v[i].id, fs.v[i].summary);
    td_findings_free(&fs);

    /* The same from the TLS 1.2 Certificate message, with no full handshake
     * and no verdicts (the part-1 probe): nothing to say either. */
    td_hs_free(&o->hs);
    td_hs_init(&o->hs);
    const blob *const l2[] = { &K.leaf, &K.inter };
    put_chain(o->certs, &o->n_certs, l2, 2);
    o->certs_version = TD_TLS12;
    memset(&o->path, 0, sizeof o->path);
    o->now = 0;
    run(o, &fs);
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);
    obs_free(o);
}

static void test_nothing_observed(void **state)
{
    (void)state;
    td_obs *o = malloc(sizeof *o);
    assert_non_null(o);
    td_obs_init(o);
    snprintf(o->host, sizeof o->host, "www.example.com");
    o->port = 443;
    td_findings fs;
    run(o, &fs);
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);

    /* Bytes that are no certificate: no crash, no judgement on them. */
    o->hs.out = TD_OUT_HELLO;
    o->hs.done = true;
    o->hs.chain[0].der = malloc(4);
    memcpy(o->hs.chain[0].der, "\x30\x02\x05\x00", 4);
    o->hs.chain[0].len = 4;
    o->hs.chain[1].der = malloc(1);
    o->hs.chain[1].der[0] = 0x30;
    o->hs.chain[1].len = 1;
    o->hs.n_chain = 2;
    o->hs.ocsp_stapled = true;
    o->now = (int64_t)time(NULL);
    run(o, &fs);
    assert_null(find(&fs, "CERT_EXPIRED"));
    assert_null(find(&fs, "HOSTNAME_MISMATCH"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_expired(void **state)
{
    (void)state;
    td_obs *o = healthy();
    replace_leaf(&o->hs, &K.expired);
    o->path.verdict = TD_PATH_EXPIRED;
    o->path.expired_depth = 0;
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "CERT_EXPIRED", TD_SEV_FAIL);
    char iso[32];
    time_t t = time(NULL) - DAYS(4);
    strftime(iso, sizeof iso, "%Y-%m-%d", gmtime(&t));
    contains(f->summary, iso);
    contains(f->summary, "4 days ago");
    contains(f->verify, "-servername www.example.com");
    assert_null(find(&fs, "CERT_EXPIRING_SOON"));
    assert_null(find(&fs, "CHAIN_CERT_EXPIRED")); /* the leaf is not a CA certificate of the chain */
    td_findings_free(&fs);

    /* No time to judge by: no date rule. */
    o->now = 0;
    run(o, &fs);
    assert_null(find(&fs, "CERT_EXPIRED"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_not_yet_valid(void **state)
{
    (void)state;
    td_obs *o = healthy();
    replace_leaf(&o->hs, &K.future);
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "CERT_NOT_YET_VALID", TD_SEV_FAIL);
    contains(f->summary, "from now");
    contains(f->evidence, "clock");
    contains(f->fix, "clock");
    assert_null(find(&fs, "CERT_EXPIRED"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_expiring_soon(void **state)
{
    (void)state;
    td_obs *o = healthy();
    replace_leaf(&o->hs, &K.soon);
    o->now += 3600; /* 4 days 23 hours before notAfter, whatever the test's own pace */
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "CERT_EXPIRING_SOON", TD_SEV_WARN);
    contains(f->summary, "in 4 days");
    td_findings_free(&fs);
    o->warn_days = 3;
    run(o, &fs);
    assert_null(find(&fs, "CERT_EXPIRING_SOON"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_chain_cert_expired(void **state)
{
    (void)state;
    td_obs *o = healthy();
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.leaf, &K.old_inter);
    o->path.verdict = TD_PATH_EXPIRED;
    o->path.depth = 1;
    o->path.expired_depth = 1;
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "CHAIN_CERT_EXPIRED", TD_SEV_FAIL);
    contains(f->summary, "Rules Intermediate");
    contains(f->evidence, "notAfter");
    assert_null(find(&fs, "CERT_EXPIRED"));
    td_findings_free(&fs);

    /* No verdicts: the sent intermediate's own dates decide. */
    memset(&o->path, 0, sizeof o->path);
    run(o, &fs);
    expect(&fs, "CHAIN_CERT_EXPIRED", TD_SEV_FAIL);
    td_findings_free(&fs);

    /* Sent, but the verified path goes around it: a warning. */
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.leaf, &K.inter, &K.old_inter);
    path_good(&o->path);
    run(o, &fs);
    f = expect(&fs, "CHAIN_CERT_EXPIRED", TD_SEV_WARN);
    contains(f->evidence, "not in the path");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_hostname_mismatch(void **state)
{
    (void)state;
    td_obs *o = healthy();
    snprintf(o->sni, sizeof o->sni, "shop.example.org");
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "HOSTNAME_MISMATCH", TD_SEV_FAIL);
    contains(f->summary, "shop.example.org");
    contains(f->evidence, "DNS:www.example.com");
    contains(f->evidence, "DNS:*.svc.example.com");
    contains(f->verify, "--resolve shop.example.org:443:192.0.2.10");
    assert_null(find(&fs, "NO_SAN"));
    td_findings_free(&fs);

    /* A wildcard one label short: the rule says why. */
    snprintf(o->sni, sizeof o->sni, "a.b.svc.example.com");
    run(o, &fs);
    f = expect(&fs, "HOSTNAME_MISMATCH", TD_SEV_FAIL);
    contains(f->evidence, "*.svc.example.com");
    contains(f->evidence, "6.4.3");
    contains(f->evidence, "one label");
    td_findings_free(&fs);

    /* The wildcard covers one label. */
    snprintf(o->sni, sizeof o->sni, "api.svc.example.com");
    run(o, &fs);
    assert_null(find(&fs, "HOSTNAME_MISMATCH"));
    td_findings_free(&fs);

    /* By address, with no SNI: only IP SANs count (RFC 5280 4.2.1.6). */
    snprintf(o->host, sizeof o->host, "192.0.2.10");
    o->host_is_ip = true;
    o->sni[0] = '\0';
    replace_leaf(&o->hs, &K.ip_leaf);
    run(o, &fs);
    f = expect(&fs, "HOSTNAME_MISMATCH", TD_SEV_FAIL);
    contains(f->evidence, "192.0.2.10");
    contains(f->fix, "IP SAN");
    contains(f->verify, "https://192.0.2.10:443/");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_no_san(void **state)
{
    (void)state;
    td_obs *o = healthy();
    replace_leaf(&o->hs, &K.cn_only);
    td_findings fs;
    run(o, &fs);
    /* The name is only in the CN: modern clients fail. */
    const td_finding *f = expect(&fs, "NO_SAN", TD_SEV_FAIL);
    contains(f->summary, "Chrome");
    assert_null(find(&fs, "HOSTNAME_MISMATCH"));
    td_findings_free(&fs);

    /* Another name: the mismatch fails, the missing SAN is a warning. */
    snprintf(o->sni, sizeof o->sni, "api.example.com");
    run(o, &fs);
    expect(&fs, "HOSTNAME_MISMATCH", TD_SEV_FAIL);
    expect(&fs, "NO_SAN", TD_SEV_WARN);
    assert_int_equal(count(&fs, "NO_SAN"), 1);
    td_findings_free(&fs);
    obs_free(o);
}

/* The server sends the k certificates of `sent`; the path stops at the
 * last, whose issuer `missing` is neither sent nor in the store. */
static void path_stops(td_obs *o, const blob *const *sent, size_t k, const blob *missing)
{
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    put_chain(o->hs.chain, &o->hs.n_chain, sent, k);
    td_path *p = &o->path;
    path_good(p);
    p->verdict = p->trust = TD_PATH_INCOMPLETE;
    p->depth = (int)k - 1;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "unable to get local issuer certificate");
    p->n = k;
    for (size_t d = 0; d < k; d++) {
        blob_subject(sent[d], p->subjects[d], sizeof p->subjects[d]);
        p->src[d] = TD_SRC_SENT;
    }
    blob_subject(sent[k - 1], p->top_subject, sizeof p->top_subject);
    p->top_in_store = false;
    blob_subject(missing, p->missing_issuer, sizeof p->missing_issuer);
}

static void incomplete(td_obs *o)
{
    path_stops(o, (const blob *const[]){ &K.leaf }, 1, &K.inter);
    snprintf(o->path.missing_issuer_aia, sizeof o->path.missing_issuer_aia, "http://ca.example/int.der");
}

static void test_chain_incomplete(void **state)
{
    (void)state;
    td_obs *o = healthy();
    incomplete(o);
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    contains(f->summary, "Rules Intermediate");
    contains(f->evidence, "http://ca.example/int.der");
    contains(f->fix, "fullchain.pem");
    contains(f->fix, "SSLCertificateChainFile");
    contains(f->fix, "HAProxy `crt`");
    contains(f->verify, "-showcerts");
    assert_null(find(&fs, "UNTRUSTED_CA"));
    td_findings_free(&fs);

    /* The AIA fetch completes the path: browsers cope, the rest fail. */
    o->aia_tried = true;
    snprintf(o->aia_url, sizeof o->aia_url, "http://ca.example/int.der");
    path_good(&o->path_aia);
    o->path_aia.src[1] = TD_SRC_EXTRA;
    o->path_aia.used_extra = true;
    run(o, &fs);
    f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    contains(f->summary, "Chrome");
    contains(f->summary, "curl, Java, Python, Go");
    td_findings_free(&fs);

    /* The fetch failed: say why. */
    snprintf(o->aia_error, sizeof o->aia_error, "HTTP 404");
    memset(&o->path_aia, 0, sizeof o->path_aia);
    run(o, &fs);
    f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    contains(f->evidence, "HTTP 404");
    td_findings_free(&fs);

    /* The missing issuer is a root the store lacks: a trust problem. */
    o->aia_error[0] = '\0';
    path_good(&o->path_aia);
    o->path_aia.verdict = o->path_aia.trust = TD_PATH_UNTRUSTED_ROOT;
    o->path_aia.n = 2;
    blob_subject(&K.other_root, o->path_aia.subjects[1], sizeof o->path_aia.subjects[1]);
    o->path_aia.src[1] = TD_SRC_EXTRA;
    blob_subject(&K.other_root, o->path_aia.top_subject, sizeof o->path_aia.top_subject);
    o->path_aia.top_in_store = false;
    run(o, &fs);
    f = expect(&fs, "UNTRUSTED_CA", TD_SEV_FAIL);
    contains(f->summary, "Private Root CA");
    assert_null(find(&fs, "CHAIN_INCOMPLETE"));
    td_findings_free(&fs);
    obs_free(o);
}

/* The private hierarchy sent as leaf + intermediate, checked against the
 * system store: the path stops at the intermediate, a CA certificate that
 * names no caIssuers URL, below "Private Root CA", whose name the store
 * does not know. */
static void below_private_root(td_obs *o)
{
    path_stops(o, (const blob *const[]){ &K.priv_leaf, &K.priv_inter }, 2, &K.other_root);
    o->path.top_is_ca = true;
}

static void test_private_root(void **state)
{
    (void)state;
    td_obs *o = healthy();
    below_private_root(o);
    td_findings fs;

    /* Nothing points to an intermediate: the root is missing from the
     * store, not from the chain. */
    run(o, &fs);
    const td_finding *f = expect(&fs, "UNTRUSTED_CA", TD_SEV_FAIL);
    assert_null(find(&fs, "CHAIN_INCOMPLETE"));
    contains(f->summary, "ends below CN=Private Root CA,O=certrules, a private root");
    contains(f->summary, "system (/usr/lib/ssl/cert.pem, /usr/lib/ssl/certs) does not hold");
    contains(f->summary, "given that root");
    contains(f->evidence, "the top certificate sent, CN=Private Intermediate,O=certrules, is a CA certificate");
    contains(f->evidence, "no AIA caIssuers URL points to it");
    contains(f->evidence, "(the system store, the one ");
    contains(f->evidence, "if CN=Private Root CA,O=certrules is an intermediate rather than a root, the server must "
                          "also send it (CHAIN_INCOMPLETE)");
    assert_null(strstr(f->evidence, "sends this root itself"));
    contains(f->fix, "--ca-file root.pem");
    contains(f->verify, "-verify_return_error");
    td_findings_free(&fs);

    /* The same against a given store: named, and no word of the system's. */
    store_file(o, "/etc/pki/corp.pem");
    run(o, &fs);
    f = expect(&fs, "UNTRUSTED_CA", TD_SEV_FAIL);
    contains(f->summary, "ca-file /etc/pki/corp.pem does not hold");
    assert_null(strstr(f->evidence, "system store"));
    contains(f->verify, "-CAfile /etc/pki/corp.pem");
    td_findings_free(&fs);
    obs_free(o);
}

/* The missing issuer is an intermediate whenever the chain points to one,
 * whatever its name. */
static void test_missing_intermediate_decided(void **state)
{
    (void)state;
    td_obs *o = healthy();
    td_findings fs;

    /* The leaf is the top certificate sent. */
    incomplete(o);
    o->path.missing_issuer_aia[0] = '\0';
    run(o, &fs);
    const td_finding *f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    assert_null(find(&fs, "UNTRUSTED_CA"));
    contains(f->evidence, "it is taken for an intermediate: the leaf itself is the top certificate sent");
    contains(f->evidence, "if CN=Rules Intermediate,O=certrules is a private root rather than an intermediate, check "
                          "again with --ca-file");
    td_findings_free(&fs);

    /* A CA certificate on top whose caIssuers URL names the missing issuer. */
    below_private_root(o);
    snprintf(o->path.missing_issuer_aia, sizeof o->path.missing_issuer_aia, "http://ca.example/root.der");
    run(o, &fs);
    f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    assert_null(find(&fs, "UNTRUSTED_CA"));
    contains(f->evidence, "AIA caIssuers points to http://ca.example/root.der");
    td_findings_free(&fs);

    /* ... fetched, and itself issued by someone else: an intermediate. */
    o->aia_tried = true;
    snprintf(o->aia_url, sizeof o->aia_url, "http://ca.example/root.der");
    o->path_aia = o->path;
    o->path_aia.n = 3;
    o->path_aia.src[2] = TD_SRC_EXTRA;
    blob_subject(&K.other_root, o->path_aia.subjects[2], sizeof o->path_aia.subjects[2]);
    blob_subject(&K.root, o->path_aia.missing_issuer, sizeof o->path_aia.missing_issuer);
    run(o, &fs);
    f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    assert_null(find(&fs, "UNTRUSTED_CA"));
    contains(f->evidence, "still missing CN=Rules Root CA,O=certrules");
    td_findings_free(&fs);

    /* The store knows the name, with another key. */
    o->aia_tried = false;
    o->aia_url[0] = '\0';
    memset(&o->path_aia, 0, sizeof o->path_aia);
    o->path.missing_issuer_aia[0] = '\0';
    o->path.missing_issuer_in_store = true;
    run(o, &fs);
    f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    assert_null(find(&fs, "UNTRUSTED_CA"));
    contains(f->evidence, "the trust store holds a certificate of that name, but not one that issued the top");
    td_findings_free(&fs);

    /* The top is not a CA certificate. */
    o->path.missing_issuer_in_store = false;
    o->path.top_is_ca = false;
    run(o, &fs);
    f = expect(&fs, "CHAIN_INCOMPLETE", TD_SEV_FAIL);
    contains(f->evidence, "the top of the path is not a CA certificate the server sent");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_chain_order(void **state)
{
    (void)state;
    td_obs *o = healthy();
    td_findings fs;

    /* Root sent along: information only. */
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.leaf, &K.inter, &K.root);
    run(o, &fs);
    const td_finding *f = expect(&fs, "CHAIN_ORDER", TD_SEV_INFO);
    contains(f->summary, "root");
    td_findings_free(&fs);

    /* Out of order. */
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.leaf, &K.root, &K.inter);
    run(o, &fs);
    f = expect(&fs, "CHAIN_ORDER", TD_SEV_WARN);
    contains(f->fix, "leaf first");
    td_findings_free(&fs);

    /* The leaf is not first: clients take the intermediate for the server's. */
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.inter, &K.leaf);
    run(o, &fs);
    expect(&fs, "CHAIN_ORDER", TD_SEV_FAIL);
    /* The intermediate in the leaf's place is not judged as a leaf. */
    assert_null(find(&fs, "HOSTNAME_MISMATCH"));
    assert_null(find(&fs, "CERT_PURPOSE"));
    assert_null(find(&fs, "NO_SAN"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_self_signed_and_untrusted(void **state)
{
    (void)state;
    td_obs *o = healthy();
    td_hs_free(&o->hs);
    hs_done(&o->hs, "192.0.2.10");
    CHAIN(&o->hs, &K.self);
    td_path *p = &o->path;
    p->verdict = p->trust = TD_PATH_SELF_SIGNED_LEAF;
    p->n = 1;
    blob_subject(&K.self, p->subjects[0], sizeof p->subjects[0]);
    blob_subject(&K.self, p->top_subject, sizeof p->top_subject);
    p->top_in_store = false;
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "SELF_SIGNED", TD_SEV_FAIL);
    contains(f->summary, "self-signed");
    contains(f->verify, "-verify_return_error");
    assert_null(find(&fs, "UNTRUSTED_CA"));
    td_findings_free(&fs);

    /* Trusted through --ca-file: nothing. */
    p->verdict = p->trust = TD_PATH_OK;
    p->top_in_store = true;
    store_file(o, "/etc/pki/self.pem");
    run(o, &fs);
    assert_null(find(&fs, "SELF_SIGNED"));
    td_findings_free(&fs);
    obs_free(o);

    /* A private root the system store lacks. */
    o = healthy();
    p = &o->path;
    p->verdict = p->trust = TD_PATH_UNTRUSTED_ROOT;
    blob_subject(&K.other_root, p->subjects[2], sizeof p->subjects[2]);
    p->src[2] = TD_SRC_SENT;
    blob_subject(&K.other_root, p->top_subject, sizeof p->top_subject);
    p->top_in_store = false;
    store_file(o, "/tmp/ca.pem");
    run(o, &fs);
    f = expect(&fs, "UNTRUSTED_CA", TD_SEV_FAIL);
    contains(f->summary, "Private Root CA");
    contains(f->summary, "ca-file /tmp/ca.pem");
    contains(f->fix, "--ca-file");
    contains(f->verify, "-CAfile /tmp/ca.pem");
    contains(f->evidence, "sends this root itself");
    assert_null(find(&fs, "SELF_SIGNED"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_key_signature_purpose(void **state)
{
    (void)state;
    td_obs *o = healthy();
    td_findings fs;

    replace_leaf(&o->hs, &K.small);
    o->path.small_key_depth = 0;
    run(o, &fs);
    const td_finding *f = expect(&fs, "KEY_TOO_SMALL", TD_SEV_FAIL);
    contains(f->summary, "1024-bit RSA");
    td_findings_free(&fs);
    /* Without verdicts the leaf's own facts still show it. */
    memset(&o->path, 0, sizeof o->path);
    run(o, &fs);
    expect(&fs, "KEY_TOO_SMALL", TD_SEV_FAIL);
    td_findings_free(&fs);

    path_good(&o->path);
    replace_leaf(&o->hs, &K.sha1);
    o->path.weak_sig_depth = 0;
    snprintf(o->path.weak_sig_alg, sizeof o->path.weak_sig_alg, "ecdsa-with-SHA1");
    run(o, &fs);
    f = expect(&fs, "WEAK_SIGNATURE", TD_SEV_FAIL);
    contains(f->summary, "SHA-1");
    contains(f->summary, "ecdsa-with-SHA1");
    assert_null(find(&fs, "KEY_TOO_SMALL"));
    td_findings_free(&fs);

    path_good(&o->path);
    replace_leaf(&o->hs, &K.client_only);
    o->path.verdict = o->path.trust = TD_PATH_PURPOSE;
    o->path.depth = 0;
    snprintf(o->path.x509_err_text, sizeof o->path.x509_err_text, "unsupported certificate purpose");
    run(o, &fs);
    f = expect(&fs, "CERT_PURPOSE", TD_SEV_FAIL);
    contains(f->summary, "serverAuth");
    contains(f->evidence, "without serverAuth");
    assert_int_equal(count(&fs, "CERT_PURPOSE"), 1);
    td_findings_free(&fs);
    obs_free(o);
}

static void test_sni_default_cert(void **state)
{
    (void)state;
    td_obs *o = healthy();
    hs_done(&o->hs_nosni, "192.0.2.10");
    o->hs_nosni.sni[0] = '\0';
    CHAIN(&o->hs_nosni, &K.dflt, &K.inter);
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "SNI_DEFAULT_CERT", TD_SEV_WARN);
    contains(f->evidence, "default.example.net");
    contains(f->evidence, "DNS:www.example.com");
    contains(f->verify, "-noservername");
    contains(f->fix, "default_server");
    td_findings_free(&fs);

    /* The same certificate either way: nothing. */
    replace_leaf(&o->hs_nosni, &K.leaf);
    run(o, &fs);
    assert_null(find(&fs, "SNI_DEFAULT_CERT"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_ocsp(void **state)
{
    (void)state;
    td_obs *o = healthy();
    o->hs.ocsp_stapled = false;
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "OCSP_STAPLING_MISSING", TD_SEV_INFO);
    contains(f->verify, "-status");
    contains(f->fix, "ssl_stapling on");
    td_findings_free(&fs);

    /* No responder in the certificate: nothing to staple. */
    replace_leaf(&o->hs, &K.no_ocsp);
    run(o, &fs);
    assert_null(find(&fs, "OCSP_STAPLING_MISSING"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_client_cert(void **state)
{
    (void)state;
    td_obs *o = healthy();
    o->hs.cert_request = true;
    snprintf(o->hs.ca_names[0], sizeof o->hs.ca_names[0], "CN=Clients CA,O=certrules");
    snprintf(o->hs.ca_names[1], sizeof o->hs.ca_names[1], "CN=Partners CA");
    o->hs.n_ca_names = 2;
    td_findings fs;
    run(o, &fs);
    const td_finding *f = expect(&fs, "CLIENT_CERT_REQUIRED", TD_SEV_WARN);
    contains(f->evidence, "CN=Clients CA,O=certrules");
    contains(f->evidence, "CN=Partners CA");
    contains(f->summary, "TLS 1.3");
    td_findings_free(&fs);

    /* Seen in TLS 1.2 already: the first-flight rule reports it. */
    o->cert_request = true;
    run(o, &fs);
    assert_null(find(&fs, "CLIENT_CERT_REQUIRED"));
    td_findings_free(&fs);

    /* A certificate was given and accepted: the request and the verdict
     * in one finding, here rather than in the first-flight rule. */
    o->client_cert_given = true;
    hs_done(&o->hs_client, "192.0.2.10");
    o->hs_client.client_cert_sent = true;
    o->hs_client.cert_request = true;
    run(o, &fs);
    f = expect(&fs, "CLIENT_CERT_REQUIRED", TD_SEV_WARN);
    contains(f->summary, "asks for a client certificate");
    contains(f->summary, "is accepted");
    contains(f->evidence, "CN=Clients CA,O=certrules");
    assert_int_equal(count(&fs, "CLIENT_CERT_REQUIRED"), 1);
    td_findings_free(&fs);
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    assert_int_equal(count(&fs, "CLIENT_CERT_REQUIRED"), 1);
    td_findings_free(&fs);

    /* A server that never asks: the certificate is not sent, and there is
     * nothing about mutual TLS to say. */
    o->cert_request = false;
    o->hs.cert_request = false;
    o->hs_client.cert_request = false;
    o->hs_client.client_cert_sent = false;
    run(o, &fs);
    assert_null(find(&fs, "CLIENT_CERT_REQUIRED"));
    td_findings_free(&fs);
    o->cert_request = true;
    o->hs.cert_request = true;
    o->hs_client.cert_request = true;
    o->hs_client.client_cert_sent = true;

    /* ... and rejected with unknown_ca. */
    o->hs_client.done = false;
    o->hs_client.out = TD_OUT_ALERT;
    o->hs_client.alert_received = 48;
    snprintf(o->hs_client.error, sizeof o->hs_client.error, "peer sent alert unknown_ca(48)");
    run(o, &fs);
    f = expect(&fs, "CLIENT_CERT_REQUIRED", TD_SEV_FAIL);
    contains(f->summary, "is rejected");
    contains(f->evidence, "unknown_ca(48)");
    contains(f->evidence, "does not trust the CA");
    contains(f->fix, "ssl_client_certificate");
    assert_int_equal(count(&fs, "CLIENT_CERT_REQUIRED"), 1);
    td_findings_free(&fs);

    /* TLS 1.3 request and a rejected certificate: one finding, failing. */
    o->cert_request = false;
    run(o, &fs);
    assert_int_equal(count(&fs, "CLIENT_CERT_REQUIRED"), 1);
    f = expect(&fs, "CLIENT_CERT_REQUIRED", TD_SEV_FAIL);
    contains(f->evidence, "CN=Partners CA");
    contains(f->evidence, "unknown_ca");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_alpn(void **state)
{
    (void)state;
    td_obs *o = healthy();
    snprintf(o->alpn_offered, sizeof o->alpn_offered, "h2,http/1.1");
    snprintf(o->hs.alpn, sizeof o->hs.alpn, "h2");
    td_findings fs;
    run(o, &fs);
    assert_null(find(&fs, "ALPN_MISMATCH"));
    td_findings_free(&fs);

    snprintf(o->hs.alpn, sizeof o->hs.alpn, "http/1.1");
    run(o, &fs);
    const td_finding *f = expect(&fs, "ALPN_MISMATCH", TD_SEV_WARN);
    contains(f->summary, "http/1.1");
    contains(f->fix, "http2 on;");
    contains(f->fix, "Protocols h2 http/1.1");
    contains(f->fix, "alpn h2,http/1.1");
    contains(f->verify, "-alpn h2,http/1.1");
    td_findings_free(&fs);

    o->hs.alpn[0] = '\0';
    run(o, &fs);
    expect(&fs, "ALPN_MISMATCH", TD_SEV_FAIL);
    td_findings_free(&fs);

    /* RFC 7301 3.2: no_application_protocol. */
    o->hs.done = false;
    o->hs.out = TD_OUT_ALERT;
    o->hs.alert_received = 120;
    run(o, &fs);
    f = expect(&fs, "ALPN_MISMATCH", TD_SEV_FAIL);
    contains(f->summary, "no_application_protocol");
    td_findings_free(&fs);

    /* Nothing offered: nothing to say. */
    o->alpn_offered[0] = '\0';
    run(o, &fs);
    assert_null(find(&fs, "ALPN_MISMATCH"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_resumption(void **state)
{
    (void)state;
    td_obs *o = healthy();
    o->hs.ticket = true;
    hs_done(&o->hs_resume, "192.0.2.10");
    o->hs_resume.resumed = true;
    td_findings fs;
    run(o, &fs);
    assert_null(find(&fs, "RESUMPTION_BROKEN"));
    td_findings_free(&fs);

    o->hs_resume.resumed = false;
    run(o, &fs);
    const td_finding *f = expect(&fs, "RESUMPTION_BROKEN", TD_SEV_WARN);
    contains(f->summary, "session ticket");
    /* -reconnect never resumes TLS 1.3 in OpenSSL 3.0's s_client: the
     * command saves the session and offers it again. */
    contains(f->verify, "-sess_in");
    contains(f->verify, "Reused");
    td_findings_free(&fs);

    o->hs.ticket = false;
    o->hs.session_id = true;
    o->hs.version = TD_TLS12;
    run(o, &fs);
    f = expect(&fs, "RESUMPTION_BROKEN", TD_SEV_WARN);
    contains(f->summary, "session ID");
    td_findings_free(&fs);

    /* The server breaks on the offered session. */
    o->hs_resume.done = false;
    o->hs_resume.out = TD_OUT_ALERT;
    o->hs_resume.alert_received = 80;
    run(o, &fs);
    expect(&fs, "RESUMPTION_BROKEN", TD_SEV_FAIL);
    td_findings_free(&fs);

    /* Nothing offered to resume. */
    td_hs_free(&o->hs_resume);
    td_hs_init(&o->hs_resume);
    run(o, &fs);
    assert_null(find(&fs, "RESUMPTION_BROKEN"));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_backends(void **state)
{
    (void)state;
    td_obs *o = healthy();
    hs_done(&o->backends[0], "192.0.2.10");
    CHAIN(&o->backends[0], &K.leaf, &K.inter);
    hs_done(&o->backends[1], "192.0.2.11");
    CHAIN(&o->backends[1], &K.leaf, &K.inter);
    hs_done(&o->backends[2], "2001:db8::12");
    CHAIN(&o->backends[2], &K.leaf, &K.inter);
    o->n_backends = 3;
    td_findings fs;
    run(o, &fs);
    assert_null(find(&fs, "INCONSISTENT_BACKENDS"));
    td_findings_free(&fs);

    /* One backend serves an older certificate. */
    replace_leaf(&o->backends[1], &K.other_leaf);
    run(o, &fs);
    const td_finding *f = expect(&fs, "INCONSISTENT_BACKENDS", TD_SEV_WARN);
    contains(f->evidence, "192.0.2.11 (1 connection)");
    contains(f->evidence, "192.0.2.10, 2001:db8::12 (3 connections)");
    contains(f->verify, "192.0.2.11:443");
    contains(f->verify, "[2001:db8::12]:443");
    contains(f->verify, "-servername www.example.com");
    td_findings_free(&fs);

    /* One backend only speaks TLS 1.2. */
    replace_leaf(&o->backends[1], &K.leaf);
    o->backends[1].version = TD_TLS12;
    o->backends[1].suite = 0xc02f;
    run(o, &fs);
    f = expect(&fs, "INCONSISTENT_BACKENDS", TD_SEV_WARN);
    contains(f->evidence, "TLS 1.2");
    td_findings_free(&fs);

    /* One backend fails the handshake: intermittent failures. */
    o->backends[1].version = TD_TLS13;
    o->backends[1].suite = 0x1301;
    o->backends[1].done = false;
    o->backends[1].out = TD_OUT_RESET;
    snprintf(o->backends[1].error, sizeof o->backends[1].error, "connection reset");
    run(o, &fs);
    f = expect(&fs, "INCONSISTENT_BACKENDS", TD_SEV_FAIL);
    contains(f->summary, "1 of 4 connections");
    contains(f->evidence, "connection reset");
    td_findings_free(&fs);

    /* The check's own deadline is not the server's fault. */
    o->backends[1].out = TD_OUT_DEADLINE;
    run(o, &fs);
    assert_null(find(&fs, "INCONSISTENT_BACKENDS"));
    td_findings_free(&fs);
    obs_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy),
        cmocka_unit_test(test_nothing_observed),
        cmocka_unit_test(test_expired),
        cmocka_unit_test(test_not_yet_valid),
        cmocka_unit_test(test_expiring_soon),
        cmocka_unit_test(test_chain_cert_expired),
        cmocka_unit_test(test_hostname_mismatch),
        cmocka_unit_test(test_no_san),
        cmocka_unit_test(test_chain_incomplete),
        cmocka_unit_test(test_private_root),
        cmocka_unit_test(test_missing_intermediate_decided),
        cmocka_unit_test(test_chain_order),
        cmocka_unit_test(test_self_signed_and_untrusted),
        cmocka_unit_test(test_key_signature_purpose),
        cmocka_unit_test(test_sni_default_cert),
        cmocka_unit_test(test_ocsp),
        cmocka_unit_test(test_client_cert),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_resumption),
        cmocka_unit_test(test_backends),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
