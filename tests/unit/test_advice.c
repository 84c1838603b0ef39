/* The advice every fail or warn finding carries (lib/diag/rules.c,
 * lib/diag/certs.c): a fix naming the nginx, Apache httpd and HAProxy
 * change, and a verify command filled with the real target.
 *
 * Hand-built observations, one fault each, are run through td_diagnose as
 * the check would, for three kinds of target: a name with SNI, an address
 * with an SNI name, an address without SNI.  Every fail/warn finding must
 *   - carry a fix that names nginx, Apache and HAProxy (the reach-layer
 *     faults that no server directive causes excepted), and never tells
 *     anyone to turn verification off;
 *   - keep TLS 1.2 and TLS 1.3 suites apart: `ssl_ciphers`,
 *     `SSLCipherSuite`, `ssl-default-bind-ciphers` never list a TLS 1.3
 *     suite, and advice about suites says where the TLS 1.3 ones are set;
 *   - carry a verify command that starts with `openssl ` or `curl ` (or a
 *     documented other tool), names the target's host:port, and passes
 *     -servername exactly when SNI is in use;
 *   - for the faults the fix-advice integration tests apply to a real
 *     server, lead with the directive those tests take from the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certkit.h"
#include "diag/advice.h"
#include "diag/finding.h"
#include "diag/fixes.h"
#include "wire/tls.h"

/* ---- certificates ------------------------------------------------------------ */

static struct {
    EVP_PKEY *k_ca, *k_leaf, *k_small;
    blob ca, leaf, expired, other, self, small, sha1, client_only, cn_only;
} K;

/* issuer NULL: self-signed. */
static blob make(const char *cn, const blob *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, long from_days,
                 long to_days, const EVP_MD *md, bool ca, const char *san, const char *eku)
{
    static long serial = 1;
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : n);
    X509_NAME_free(n);
    assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), (int)from_days, 0, NULL));
    assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), (int)to_days, 0, NULL));
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->x : x, x, NULL, NULL, 0);
    cert_ext(x, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    cert_ext(x, &ctx, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
    if (eku)
        cert_ext(x, &ctx, NID_ext_key_usage, eku);
    if (san)
        cert_ext(x, &ctx, NID_subject_alt_name, san);
    if (!ca)
        cert_ext(x, &ctx, NID_info_access, "caIssuers;URI:http://ca.example/ca.der");
    assert_true(X509_sign(x, issuer ? issuer_key : key, md ? md : EVP_sha256()) > 0);
    blob b = { NULL, 0, x };
    b.len = i2d_X509(x, &b.der);
    assert_true(b.len > 0);
    return b;
}

static int setup(void **state)
{
    (void)state;
    K.k_ca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    K.k_leaf = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    K.k_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    if (!K.k_ca || !K.k_leaf || !K.k_small)
        return -1;
    const char *san = "DNS:www.example.com";
    K.ca = make("Advice CA", NULL, NULL, K.k_ca, -10, 3650, NULL, true, NULL, NULL);
    K.leaf = make("www.example.com", &K.ca, K.k_ca, K.k_leaf, -1, 90, NULL, false, san, "serverAuth");
    K.expired = make("www.example.com", &K.ca, K.k_ca, K.k_leaf, -90, -3, NULL, false, san, "serverAuth");
    K.other = make("other.example.net", &K.ca, K.k_ca, K.k_leaf, -1, 90, NULL, false, "DNS:other.example.net",
                   "serverAuth");
    K.self = make("www.example.com", NULL, NULL, K.k_leaf, -1, 90, NULL, false, san, "serverAuth");
    K.small = make("www.example.com", &K.ca, K.k_ca, K.k_small, -1, 90, NULL, false, san, "serverAuth");
    K.sha1 = make("www.example.com", &K.ca, K.k_ca, K.k_leaf, -1, 90, EVP_sha1(), false, san, "serverAuth");
    K.client_only = make("www.example.com", &K.ca, K.k_ca, K.k_leaf, -1, 90, NULL, false, san, "clientAuth");
    K.cn_only = make("www.example.com", &K.ca, K.k_ca, K.k_leaf, -1, 90, NULL, false, NULL, "serverAuth");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blob *all[] = { &K.ca, &K.leaf, &K.expired, &K.other, &K.self, &K.small, &K.sha1, &K.client_only, &K.cn_only };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        blob_free(all[i]);
    EVP_PKEY_free(K.k_ca);
    EVP_PKEY_free(K.k_leaf);
    EVP_PKEY_free(K.k_small);
    return 0;
}

/* ---- observations ------------------------------------------------------------------ */

typedef enum { T_NAME, T_IP_SNI, T_IP } target_kind;

#define PORT 8443
#define ADDR "192.0.2.10"
#define NAME "www.example.com"

static void set_chain(td_hs *h, const blob *const *certs, size_t n)
{
    for (size_t i = 0; i < h->n_chain; i++)
        free(h->chain[i].der);
    for (size_t i = 0; i < n; i++)
        blob_put(&h->chain[i], certs[i]);
    h->n_chain = n;
}

static void hs_ok(td_hs *h, const char *sni)
{
    td_hs_init(h);
    h->out = TD_OUT_HELLO;
    h->done = true;
    snprintf(h->addr, sizeof h->addr, ADDR);
    snprintf(h->sni, sizeof h->sni, "%s", sni);
    h->version = TD_TLS13;
    h->suite = 0x1301;
    h->ocsp_stapled = true;
    const blob *const chain[] = { &K.leaf };
    set_chain(h, chain, 1);
}

static td_attempt hello(uint16_t v, uint16_t suite)
{
    return (td_attempt){ .out = TD_OUT_HELLO, .offered_version = v, .offered_suites = 100, .hello_len = 517,
                         .offered_sni = true, .version = v, .suite = suite, .group = v == TD_TLS13 ? 29 : 0,
                         .total_ms = 3 };
}

static void set_suites(td_obs *o, uint16_t v, const uint16_t *s, size_t n)
{
    int vi = td_vidx(v);
    o->version_ok[vi] = n ? TD_YES : TD_NO;
    o->ver[vi] = n ? hello(v, s[0]) : (td_attempt){ .out = TD_OUT_ALERT, .offered_version = v, .alert_level = 2,
                                                     .alert_desc = 70 };
    memcpy(o->suites[vi], s, n * sizeof *s);
    o->n_suites[vi] = n;
    o->suites_complete[vi] = true;
}
#define SUITES(o, v, ...)                                                                 \
    do {                                                                                  \
        const uint16_t s_[] = { __VA_ARGS__ };                                            \
        set_suites(o, v, s_, sizeof s_ / sizeof s_[0]);                                   \
    } while (0)

/* A healthy TLS 1.2/1.3 server with a good chain. */
static td_obs *healthy(target_kind k)
{
    td_obs *o = malloc(sizeof *o);
    assert_non_null(o);
    td_obs_init(o);
    snprintf(o->host, sizeof o->host, "%s", k == T_NAME ? NAME : ADDR);
    o->host_is_ip = k != T_NAME;
    snprintf(o->sni, sizeof o->sni, "%s", k == T_IP ? "" : NAME);
    o->port = PORT;
    o->n_addrs = 1;
    snprintf(o->addrs[0].text, sizeof o->addrs[0].text, ADDR);
    o->addr_used = 0;
    o->baseline = hello(TD_TLS13, 0x1301);
    if (o->sni[0])
        o->nosni = hello(TD_TLS13, 0x1301);
    for (int i = 0; i < TD_NVERSIONS; i++)
        o->version_ok[i] = TD_NO;
    SUITES(o, TD_TLS12, 0xc02f, 0xc030);
    SUITES(o, TD_TLS13, 0x1301, 0x1302, 0x1303);
    o->groups[0] = 29;
    o->groups[1] = 23;
    o->n_groups = 2;
    o->groups_complete = true;
    o->oldstyle = hello(TD_TLS10, 0xc013);
    o->bighello = hello(TD_TLS12, 0xc02f);
    o->futurever = hello(TD_TLS13, 0x1301);
    o->fallback_scsv = TD_YES;
    o->secure_reneg = TD_YES;
    hs_ok(&o->hs, o->sni);
    snprintf(o->store_name, sizeof o->store_name, "system (/usr/lib/ssl/cert.pem, /usr/lib/ssl/certs)");
    o->now = (int64_t)time(NULL);
    o->warn_days = 21;
    td_path *p = &o->path;
    memset(p, 0, sizeof *p);
    p->verdict = p->trust = TD_PATH_OK;
    p->depth = p->expired_depth = p->not_yet_valid_depth = p->weak_sig_depth = p->small_key_depth = -1;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "ok");
    p->n = 2;
    blob_subject(&K.leaf, p->subjects[0], sizeof p->subjects[0]);
    blob_subject(&K.ca, p->subjects[1], sizeof p->subjects[1]);
    p->src[0] = TD_SRC_SENT;
    p->src[1] = TD_SRC_STORE;
    blob_subject(&K.ca, p->top_subject, sizeof p->top_subject);
    p->top_in_store = true;
    return o;
}

static void leaf(td_obs *o, const blob *b)
{
    const blob *const chain[] = { b };
    set_chain(&o->hs, chain, 1);
    blob_subject(b, o->path.subjects[0], sizeof o->path.subjects[0]);
}

/* ---- the faults --------------------------------------------------------------------- */

static void f_weak_enabled(td_obs *o)
{
    /* 3DES and NULL beside strong suites */
    SUITES(o, TD_TLS12, 0xc02f, 0x000a, 0x003b);
}

static void f_weak_only(td_obs *o)
{
    SUITES(o, TD_TLS12, 0x000a, 0x0005);
    SUITES(o, TD_TLS13);
    o->baseline = hello(TD_TLS12, 0x000a);
}

static void f_tls13_missing_legacy(td_obs *o)
{
    SUITES(o, TD_TLS13);
    SUITES(o, TD_TLS10, 0xc013);
    SUITES(o, TD_TLS11, 0xc013);
    o->baseline = hello(TD_TLS12, 0xc02f);
}

static void f_too_old(td_obs *o)
{
    SUITES(o, TD_TLS13);
    SUITES(o, TD_TLS12);
    SUITES(o, TD_TLS10, 0xc013, 0x002f);
    o->baseline = hello(TD_TLS10, 0xc013);
}

static void f_no_fs(td_obs *o)
{
    SUITES(o, TD_TLS12, 0x009c, 0x009d);
}

static void f_dh_small(td_obs *o)
{
    SUITES(o, TD_TLS12, 0x009e);
    SUITES(o, TD_TLS13);
    o->dh_bits_min = o->dh_bits_max = 1024;
    o->baseline = hello(TD_TLS12, 0x009e);
}

static void f_no_group(td_obs *o)
{
    o->groups[0] = 25; /* secp521r1 only */
    o->n_groups = 1;
}

static void f_intolerance(td_obs *o)
{
    o->baseline = (td_attempt){ .out = TD_OUT_RESET, .offered_version = TD_TLS13, .hello_len = 1190,
                                .offered_suites = 368, .total_ms = 3 };
}

static void f_alert(td_obs *o)
{
    o->baseline = (td_attempt){ .out = TD_OUT_ALERT, .offered_version = TD_TLS13, .alert_level = 2,
                                .alert_desc = 47 };
}

static void f_sni_required(td_obs *o)
{
    if (o->sni[0])
        o->nosni = (td_attempt){ .out = TD_OUT_ALERT, .offered_version = TD_TLS13, .alert_level = 2,
                                 .alert_desc = 112 };
}

static void f_reneg_and_mtls(td_obs *o)
{
    o->secure_reneg = TD_NO;
    o->cert_request = true;
}

static void f_chain_incomplete(td_obs *o)
{
    td_path *p = &o->path;
    p->verdict = p->trust = TD_PATH_INCOMPLETE;
    p->n = 1;
    p->depth = 0;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "unable to get local issuer certificate");
    snprintf(p->missing_issuer, sizeof p->missing_issuer, "CN=Advice Intermediate");
    snprintf(p->missing_issuer_aia, sizeof p->missing_issuer_aia, "http://ca.example/int.der");
    snprintf(p->top_subject, sizeof p->top_subject, "%s", p->subjects[0]);
    p->top_in_store = false;
}

static void f_untrusted_store_file(td_obs *o)
{
    td_path *p = &o->path;
    p->verdict = p->trust = TD_PATH_UNTRUSTED_ROOT;
    p->src[1] = TD_SRC_SENT;
    p->top_in_store = false;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "self-signed certificate in certificate chain");
    store_file(o, "/etc/ssl/internal-ca.pem");
}

static void f_expired(td_obs *o)
{
    leaf(o, &K.expired);
    o->path.verdict = TD_PATH_EXPIRED;
    o->path.expired_depth = 0;
}

static void f_hostname(td_obs *o)
{
    leaf(o, &K.other);
    store_file(o, "/etc/ssl/internal-ca.pem");
}

static void f_self_signed(td_obs *o)
{
    leaf(o, &K.self);
    td_path *p = &o->path;
    p->verdict = p->trust = TD_PATH_SELF_SIGNED_LEAF;
    p->n = 1;
    snprintf(p->top_subject, sizeof p->top_subject, "%s", p->subjects[0]);
}

static void f_crypto(td_obs *o)
{
    leaf(o, &K.small);
    o->path.small_key_depth = 0;
}

static void f_sha1(td_obs *o)
{
    leaf(o, &K.sha1);
    o->path.weak_sig_depth = 0;
    snprintf(o->path.weak_sig_alg, sizeof o->path.weak_sig_alg, "ecdsa-with-SHA1");
}

static void f_purpose(td_obs *o)
{
    leaf(o, &K.client_only);
    o->path.verdict = TD_PATH_PURPOSE;
}

static void f_cn_only(td_obs *o)
{
    leaf(o, &K.cn_only);
}

static void f_order(td_obs *o)
{
    const blob *const chain[] = { &K.ca, &K.leaf };
    set_chain(&o->hs, chain, 2);
}

static void f_expiring(td_obs *o)
{
    o->now += 80L * 86400; /* 10 days before notAfter */
}

static void f_sessions_alpn(td_obs *o)
{
    hs_ok(&o->hs_resume, o->sni);
    o->hs.ticket = true;
    snprintf(o->alpn_offered, sizeof o->alpn_offered, "h2,http/1.1");
    o->hs.alpn[0] = '\0';
    o->hs.cert_request = true; /* a TLS 1.3 CertificateRequest */
}

static void f_backends(td_obs *o)
{
    o->n_backends = 2;
    hs_ok(&o->backends[0], o->sni);
    td_hs_init(&o->backends[1]);
    o->backends[1].out = TD_OUT_RESET;
    snprintf(o->backends[1].addr, sizeof o->backends[1].addr, "192.0.2.11");
}

/* Ten connections answered, then every new one reset for ten seconds;
 * the full handshake never got a clean answer before the deadline. */
static void f_rate_limited(td_obs *o)
{
    o->limit = (td_limit){ .answered_first = 10, .first_cut = TD_OUT_RESET, .first_cut_ms = 12, .cuts = 30,
                           .vanished = 12, .blocks = 1, .block_ms = 10000, .rate = 0.9, .limited = 1 };
    td_hs_free(&o->hs);
    td_hs_init(&o->hs);
    o->hs.out = TD_OUT_LIMITED;
    o->hs.retry = (td_retry){ .tries = 3, .first_out = TD_OUT_RESET };
    o->connections = 80;
    o->elapsed_ms = 60000;
}

/* Every third connection left unanswered, answered when sent again. */
static void f_random_cuts(td_obs *o)
{
    o->limit = (td_limit){ .answered_first = 2, .first_cut = TD_OUT_TIMEOUT, .cuts = 41, .vanished = 30,
                           .random = true, .rate = 8.5 };
    o->connections = 124;
}

static void f_dns(td_obs *o)
{
    snprintf(o->dns_error, sizeof o->dns_error, "NXDOMAIN");
}

static void f_refused(td_obs *o)
{
    o->baseline = (td_attempt){ .out = TD_OUT_REFUSED, .offered_version = TD_TLS13 };
}

static void f_connect_timeout(td_obs *o)
{
    o->baseline = (td_attempt){ .out = TD_OUT_CONNECT_TIMEOUT, .offered_version = TD_TLS13 };
}

static void f_not_tls(td_obs *o)
{
    o->baseline = (td_attempt){ .out = TD_OUT_NOT_TLS, .offered_version = TD_TLS13, .protocol = "HTTP",
                                .first = "HTTP/1.1 400", .n_first = 12 };
}

static void nothing_works(td_obs *o, td_attempt a)
{
    for (int i = 0; i < TD_NVERSIONS; i++)
        o->version_ok[i] = TD_NO;
    o->baseline = a;
    o->oldstyle = a;
    td_hs_free(&o->hs);
    td_hs_init(&o->hs);
}

static void f_reset(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_RESET, .offered_version = TD_TLS13 });
}

static void f_closed(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_CLOSED, .offered_version = TD_TLS13 });
}

static void f_hs_timeout(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_TIMEOUT, .offered_version = TD_TLS13, .total_ms = 5000 });
}

static void f_no_cipher_at_all(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_ALERT, .offered_version = TD_TLS13, .offered_suites = 368,
                                   .alert_level = 2, .alert_desc = 40 });
}

static void f_alert_always(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_ALERT, .offered_version = TD_TLS13, .alert_level = 2,
                                   .alert_desc = 80 });
}

static void f_malformed(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_MALFORMED, .offered_version = TD_TLS13, .error = "bad length" });
}

static void f_drip(td_obs *o)
{
    nothing_works(o, (td_attempt){ .out = TD_OUT_TIMEOUT, .offered_version = TD_TLS13, .total_ms = 15000,
                                   .bytes_in = 11 });
}

typedef struct scenario {
    const char *name;
    void (*apply)(td_obs *);
    const char *expect[6]; /* IDs the fault must produce with a name target */
} scenario;

static const scenario scenarios[] = {
    { "weak ciphers enabled", f_weak_enabled, { "WEAK_CIPHERS_ENABLED" } },
    { "weak ciphers only", f_weak_only, { "WEAK_CIPHERS_ONLY", "NO_SHARED_CIPHER", "NO_FORWARD_SECRECY" } },
    { "TLS 1.3 missing, legacy on", f_tls13_missing_legacy, { "LEGACY_PROTOCOL_ENABLED", "TLS13_MISSING" } },
    { "protocol too old", f_too_old, { "PROTOCOL_TOO_OLD", "LEGACY_PROTOCOL_ENABLED" } },
    { "no forward secrecy", f_no_fs, { "NO_FORWARD_SECRECY" } },
    { "DH too small", f_dh_small, { "DH_TOO_SMALL" } },
    { "no shared group", f_no_group, { "NO_SHARED_GROUP" } },
    { "version intolerance", f_intolerance, { "VERSION_INTOLERANCE" } },
    { "alert on a modern hello", f_alert, { "SERVER_ALERT", "VERSION_INTOLERANCE" } },
    { "SNI required", f_sni_required, { "SNI_REQUIRED" } },
    { "insecure renegotiation, mTLS", f_reneg_and_mtls, { "RENEGOTIATION_INSECURE", "CLIENT_CERT_REQUIRED" } },
    { "chain incomplete", f_chain_incomplete, { "CHAIN_INCOMPLETE" } },
    { "untrusted CA, own store", f_untrusted_store_file, { "UNTRUSTED_CA" } },
    { "expired", f_expired, { "CERT_EXPIRED" } },
    { "hostname mismatch, own store", f_hostname, { "HOSTNAME_MISMATCH" } },
    { "self-signed", f_self_signed, { "SELF_SIGNED" } },
    { "small key", f_crypto, { "KEY_TOO_SMALL" } },
    { "SHA-1", f_sha1, { "WEAK_SIGNATURE" } },
    { "client-only purpose", f_purpose, { "CERT_PURPOSE" } },
    { "CN only", f_cn_only, { "NO_SAN" } },
    { "leaf not first", f_order, { "CHAIN_ORDER" } },
    { "expiring soon", f_expiring, { "CERT_EXPIRING_SOON" } },
    { "sessions, ALPN, TLS 1.3 mTLS", f_sessions_alpn,
      { "RESUMPTION_BROKEN", "ALPN_MISMATCH", "CLIENT_CERT_REQUIRED" } },
    { "backends", f_backends, { "INCONSISTENT_BACKENDS" } },
    { "rate limited", f_rate_limited, { "RATE_LIMITED" } },
    { "random cuts", f_random_cuts, { "RATE_LIMITED" } },
    { "DNS failure", f_dns, { "DNS_FAILURE" } },
    { "connection refused", f_refused, { "CONNECT_REFUSED" } },
    { "connect timeout", f_connect_timeout, { "CONNECT_TIMEOUT" } },
    { "not TLS", f_not_tls, { "NOT_TLS" } },
    { "reset", f_reset, { "RESET_AFTER_CLIENTHELLO" } },
    { "closed", f_closed, { "CLOSED_AFTER_CLIENTHELLO" } },
    { "handshake timeout", f_hs_timeout, { "HANDSHAKE_TIMEOUT" } },
    { "no cipher at all", f_no_cipher_at_all, { "NO_SHARED_CIPHER" } },
    { "alert to everything", f_alert_always, { "SERVER_ALERT" } },
    { "malformed answer", f_malformed, { "SERVER_PROTOCOL_VIOLATION" } },
    { "slow drip", f_drip, { "HANDSHAKE_TIMEOUT" } },
};

/* ---- checks ------------------------------------------------------------------------- */

/* The scenario being checked, for failure messages. */
static char where[700];
#define FAIL(...)                                                                 \
    do {                                                                          \
        print_error("[%s] ", where);                                             \
        fail_msg(__VA_ARGS__);                                                    \
    } while (0)

static bool is(const td_finding *f, const char *id)
{
    return f->id == td_id_by_name(id);
}

/* The last finding with this ID, or NULL. */
static const td_finding *find(const td_findings *fs, const char *id)
{
    const td_finding *f = NULL;
    for (size_t i = 0; i < fs->n; i++)
        if (is(&fs->v[i], id))
            f = &fs->v[i];
    return f;
}

/* "-k" as a curl option: alone, not inside "--key" or "-keyform". */
static bool has_k_flag(const char *s)
{
    for (const char *p = strstr(s, "-k"); p; p = strstr(p + 1, "-k")) {
        bool before = p == s || p[-1] == ' ' || p[-1] == '`' || p[-1] == '\'' || p[-1] == '"';
        char a = p[2];
        bool after = a == '\0' || a == ' ' || a == '`' || a == '\'' || a == '"' || a == ',' || a == ';';
        if (before && after)
            return true;
    }
    return false;
}

static void no_insecure(const td_finding *f, const char *what, const char *s)
{
    static const char *const banned[] = { "verify_mode none", "--insecure", "CURLOPT_SSL_VERIFYPEER",
                                          "disable verification", "-verify_return_error 0", NULL };
    for (const char *const *b = banned; *b; b++)
        if (strcasestr(s, *b))
            FAIL("%s %s contains '%s': %s", td_id_name(f->id), what, *b, s);
    if (has_k_flag(s))
        FAIL("%s %s contains -k: %s", td_id_name(f->id), what, s);
}

/* The backticked spans of a fix, in order. */
typedef struct span {
    const char *p;
    size_t n;
    const char *after; /* the text after the closing backtick */
} span;

static size_t spans(const char *s, span *out, size_t cap)
{
    size_t k = 0;
    for (const char *p = strchr(s, '`'); p && k < cap; p = strchr(p, '`')) {
        const char *q = strchr(p + 1, '`');
        if (!q)
            break;
        out[k++] = (span){ p + 1, (size_t)(q - p - 1), q + 1 };
        p = q + 1;
    }
    return k;
}

static bool span_starts(const span *sp, const char *word)
{
    size_t n = strlen(word);
    return sp->n >= n && strncmp(sp->p, word, n) == 0 &&
           (sp->n == n || sp->p[n] == ' ' || sp->p[n] == ';');
}

static bool span_has(const span *sp, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= sp->n; i++)
        if (strncmp(sp->p + i, needle, n) == 0)
            return true;
    return false;
}

/* What tests/integration/lib.sh fix_directive takes from a fix: the first
 * span that is an nginx ssl_* directive, and the first HAProxy keyword. */
static const span *first_nginx(const span *sp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sp[i].n > 4 && strncmp(sp[i].p, "ssl_", 4) == 0)
            return &sp[i];
    return NULL;
}

static const span *first_haproxy(const span *sp, size_t n)
{
    static const char *const words[] = { "ssl-min-ver", "ssl-max-ver", "crt", "crt-list", "ciphers",
                                         "ciphersuites", "curves", NULL };
    static const char *const prefixes[] = { "ssl-default-bind-", "ssl-default-server-", "no-tlsv1", "force-tlsv1",
                                            NULL };
    for (size_t i = 0; i < n; i++) {
        size_t w = 0;
        while (w < sp[i].n && sp[i].p[w] != ' ')
            w++;
        for (const char *const *k = words; *k; k++)
            if (strlen(*k) == w && strncmp(sp[i].p, *k, w) == 0)
                return &sp[i];
        for (const char *const *k = prefixes; *k; k++)
            if (w > strlen(*k) && strncmp(sp[i].p, *k, strlen(*k)) == 0)
                return &sp[i];
    }
    return NULL;
}

static void suites_apart(const td_finding *f)
{
    span sp[64];
    size_t n = spans(f->fix, sp, 64);
    for (size_t i = 0; i < n; i++) {
        bool tls12 = span_starts(&sp[i], "ssl_ciphers") || span_starts(&sp[i], "ssl-default-bind-ciphers") ||
                     span_starts(&sp[i], "ciphers") ||
                     (span_starts(&sp[i], "SSLCipherSuite") && !span_has(&sp[i], "TLSv1.3"));
        bool tls13 = span_has(&sp[i], "Ciphersuites") || span_starts(&sp[i], "ssl-default-bind-ciphersuites") ||
                     span_starts(&sp[i], "ciphersuites") || span_has(&sp[i], "SSLCipherSuite TLSv1.3");
        if (tls12 && (span_has(&sp[i], "TLS_AES") || span_has(&sp[i], "TLS_CHACHA")))
            FAIL("%s: a TLS 1.3 suite in a TLS 1.2 directive: %.*s", td_id_name(f->id), (int)sp[i].n, sp[i].p);
        if (tls13 && (span_has(&sp[i], "ECDHE") || span_has(&sp[i], "AES128-") || span_has(&sp[i], "-GCM-")))
            FAIL("%s: a TLS 1.2 suite in a TLS 1.3 directive: %.*s", td_id_name(f->id), (int)sp[i].n, sp[i].p);
    }
    if (is(f, "WEAK_CIPHERS_ONLY") || is(f, "WEAK_CIPHERS_ENABLED") || is(f, "NO_SHARED_CIPHER")) {
        static const char *const need[] = { "ssl_ciphers ", "ssl_conf_command Ciphersuites TLS_",
                                            "SSLCipherSuite TLSv1.3 TLS_", "SSLOpenSSLConfCmd Ciphersuites TLS_",
                                            "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites TLS_",
                                            "1.19.4", "2.4.37", NULL };
        for (const char *const *p = need; *p; p++)
            if (!strstr(f->fix, *p))
                FAIL("%s: the suite advice lacks '%s': %s", td_id_name(f->id), *p, f->fix);
    }
}

/* The directives the fix-advice integration tests apply, in front. */
static void leads_with(const td_finding *f)
{
    span sp[64];
    size_t n = spans(f->fix, sp, 64);
    const span *ng = first_nginx(sp, n), *hp = first_haproxy(sp, n);
    const char *want_ng = NULL, *want_hp = NULL;
    bool same_list = false;
    if (is(f, "PROTOCOL_TOO_OLD") || is(f, "LEGACY_PROTOCOL_ENABLED")) {
        want_ng = "ssl_protocols TLSv1.2 TLSv1.3;";
        want_hp = "ssl-default-bind-options ssl-min-ver TLSv1.2";
    } else if (is(f, "WEAK_CIPHERS_ENABLED") || is(f, "WEAK_CIPHERS_ONLY") || is(f, "NO_SHARED_CIPHER")) {
        want_ng = "ssl_ciphers ECDHE-";
        want_hp = "ssl-default-bind-ciphers";
        same_list = true;
    } else if (is(f, "CHAIN_INCOMPLETE")) {
        want_ng = "ssl_certificate";
        want_hp = "crt";
    } else if (is(f, "DH_TOO_SMALL")) {
        want_ng = "ssl_dhparam ";
        want_hp = "ssl-dh-param-file";
    } else {
        return;
    }
    if (!ng || strncmp(ng->p, want_ng, strlen(want_ng)) != 0)
        FAIL("%s: the first nginx directive is '%.*s', want '%s...'", td_id_name(f->id), ng ? (int)ng->n : 0,
                 ng ? ng->p : "", want_ng);
    if (strcmp(want_hp, "ssl-dh-param-file") == 0) {
        if (!strstr(f->fix, "`ssl-dh-param-file "))
            FAIL("%s: no HAProxy ssl-dh-param-file: %s", td_id_name(f->id), f->fix);
        return;
    }
    if (!hp || strncmp(hp->p, want_hp, strlen(want_hp)) != 0)
        FAIL("%s: the first HAProxy keyword is '%.*s', want '%s...'", td_id_name(f->id), hp ? (int)hp->n : 0,
                 hp ? hp->p : "", want_hp);
    if (same_list && (hp->n != strlen(want_hp) || strncmp(hp->after, " with the same list", 19) != 0))
        FAIL("%s: the HAProxy keyword must be followed by 'with the same list': %s", td_id_name(f->id), f->fix);
}

static void check_verify(const td_obs *o, const td_finding *f)
{
    const char *v = f->verify;
    if (!v || !*v)
        FAIL("%s has no verify command", td_id_name(f->id));
    no_insecure(f, "verify", v);
    char target[300], port[16];
    snprintf(target, sizeof target, "%s:%u", o->host, o->port);
    snprintf(port, sizeof port, "%u", o->port);

    /* Reach-layer faults are verified below TLS. */
    if (is(f, "DNS_FAILURE")) {
        if (strncmp(v, "getent ahosts ", 14) != 0 || !strstr(v, o->host))
            FAIL("DNS_FAILURE verify: %s", v);
        return;
    }
    if (is(f, "CONNECT_REFUSED") || is(f, "CONNECT_TIMEOUT")) {
        if (strncmp(v, "nc -vz ", 7) != 0 || !strstr(v, ADDR) || !strstr(v, port))
            FAIL("%s verify: %s", td_id_name(f->id), v);
        return;
    }
    if (is(f, "INCONSISTENT_BACKENDS")) {
        /* one s_client per address */
        if (strncmp(v, "for t in ", 9) != 0 || !strstr(v, ADDR ":8443") || !strstr(v, "openssl s_client"))
            FAIL("INCONSISTENT_BACKENDS verify: %s", v);
        return;
    }
    const char *cmd = v;
    if (is(f, "RATE_LIMITED")) {
        /* many connections in a row, each bounded: a stall must fail it */
        static const char loop[] = "for i in $(seq ";
        static const char each[] = "; do timeout 5 ";
        const char *body = strstr(v, each);
        if (strncmp(v, loop, sizeof loop - 1) != 0 || !body)
            FAIL("RATE_LIMITED verify should open bounded connections in a loop: %s", v);
        cmd = body + sizeof each - 1;
    }
    if (is(f, "HANDSHAKE_TIMEOUT")) {
        if (strncmp(v, "timeout 10 ", 11) != 0)
            FAIL("HANDSHAKE_TIMEOUT verify should bound s_client's wait: %s", v);
        cmd = v + 11;
    }
    bool curl = strncmp(cmd, "curl ", 5) == 0;
    if (!curl && strncmp(cmd, "openssl ", 8) != 0)
        FAIL("%s verify starts with neither 'openssl ' nor 'curl ': %s", td_id_name(f->id), v);
    if (curl) {
        /* curl names the host (or the SNI name, resolved to the address) */
        char sniport[300];
        snprintf(sniport, sizeof sniport, "%s:%u", o->sni, o->port);
        if (!strstr(v, target) && !(o->sni[0] && strstr(v, sniport) && strstr(v, ADDR)))
            FAIL("%s verify lacks the target %s: %s", td_id_name(f->id), target, v);
        return;
    }
    char connect[320];
    snprintf(connect, sizeof connect, "-connect %s", target);
    if (!strstr(v, connect))
        FAIL("%s verify lacks '%s': %s", td_id_name(f->id), connect, v);
    bool nosni = is(f, "SNI_REQUIRED") || is(f, "SNI_DEFAULT_CERT");
    if (nosni) {
        if (!strstr(v, "-noservername"))
            FAIL("%s verify must send no SNI: %s", td_id_name(f->id), v);
    } else if (o->sni[0]) {
        char sn[300];
        snprintf(sn, sizeof sn, "-servername %s", o->sni);
        if (!strstr(v, sn))
            FAIL("%s verify lacks '%s': %s", td_id_name(f->id), sn, v);
    } else if (strstr(v, "-servername")) {
        FAIL("%s verify sends SNI although the check sent none: %s", td_id_name(f->id), v);
    }
    /* A check made with --ca-file is verified against the same file. */
    if (o->store.ca_file[0] && strstr(v, "-verify_return_error") &&
        !strstr(v, "-CAfile /etc/ssl/internal-ca.pem"))
        FAIL("%s verify ignores the CA file the check used: %s", td_id_name(f->id), v);
}

static void check_fix(const td_obs *o, const td_finding *f)
{
    (void)o;
    if (!f->fix || !*f->fix)
        FAIL("%s has no fix", td_id_name(f->id));
    no_insecure(f, "fix", f->fix);
    /* Name resolution and packet filters are no server directive's doing. */
    bool server_side = !is(f, "DNS_FAILURE") && !is(f, "CONNECT_TIMEOUT");
    if (server_side && (!strstr(f->fix, "nginx") || !strstr(f->fix, "Apache") || !strstr(f->fix, "HAProxy")))
        FAIL("%s fix does not name nginx, Apache and HAProxy: %s", td_id_name(f->id), f->fix);
    suites_apart(f);
    leads_with(f);
    /* nginx before 1.29.2 takes the protocols from the default server. */
    if ((is(f, "SNI_REQUIRED") || is(f, "PROTOCOL_TOO_OLD") || is(f, "LEGACY_PROTOCOL_ENABLED")) &&
        !strstr(f->fix, "1.29.2"))
        FAIL("%s fix does not say where nginx takes ssl_protocols from: %s", td_id_name(f->id), f->fix);
}

static void run_one(const scenario *sc, target_kind k)
{
    td_obs *o = healthy(k);
    sc->apply(o);
    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    td_rank_findings(o, &fs);
    assert_false(fs.oom);
    if (k == T_NAME)
        for (size_t e = 0; e < sizeof sc->expect / sizeof sc->expect[0] && sc->expect[e]; e++) {
            bool seen = false;
            for (size_t i = 0; i < fs.n; i++)
                seen |= is(&fs.v[i], sc->expect[e]);
            if (!seen)
                FAIL("%s: no %s among %zu findings", sc->name, sc->expect[e], fs.n);
        }
    for (size_t i = 0; i < fs.n; i++) {
        const td_finding *f = &fs.v[i];
        if (f->sev < TD_SEV_WARN)
            continue;
        snprintf(where, sizeof where, "%s, target %s%s%s", sc->name, o->host, o->sni[0] ? " SNI " : "", o->sni);
        check_fix(o, f);
        check_verify(o, f);
    }
    td_findings_free(&fs);
    obs_free(o);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_healthy_has_nothing_to_fix(void **state)
{
    (void)state;
    td_obs *o = healthy(T_NAME);
    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    for (size_t i = 0; i < fs.n; i++)
        if (fs.v[i].sev >= TD_SEV_WARN)
            FAIL("healthy server got %s: %s", td_id_name(fs.v[i].id), fs.v[i].summary);
    td_findings_free(&fs);
    obs_free(o);
}

static void test_every_fault(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        for (int k = T_NAME; k <= T_IP; k++)
            run_one(&scenarios[i], (target_kind)k);
}

/* Concrete values that a user pastes: the TLS 1.3 and TLS 1.2 lists, the
 * version-specific flags of the verify commands. */
static void test_details(void **state)
{
    (void)state;
    td_obs *o = healthy(T_NAME);
    f_weak_enabled(o);
    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    const td_finding *w = find(&fs, "WEAK_CIPHERS_ENABLED");
    assert_non_null(w);
    /* The weak suites themselves are offered, at security level 0, in TLS
     * 1.2, NULL first (OpenSSL 3 still has it, not 3DES), and the command
     * succeeds only when the server refuses them. */
    assert_non_null(strstr(w->verify, " -tls1_2 -cipher 'NULL-SHA256:DES-CBC3-SHA:@SECLEVEL=0'"));
    assert_non_null(strstr(w->verify, "grep -q 'Cipher is (NONE)' && echo"));
    assert_non_null(strstr(w->fix, "`ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                    "TLS_CHACHA20_POLY1305_SHA256;`"));
    td_findings_free(&fs);
    obs_free(o);

    /* Legacy: the newest old version still on is the one tested. */
    o = healthy(T_NAME);
    SUITES(o, TD_TLS10, 0xc013);
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    const td_finding *l = find(&fs, "LEGACY_PROTOCOL_ENABLED");
    assert_non_null(l);
    assert_non_null(strstr(l->verify, " -tls1 -cipher 'DEFAULT:@SECLEVEL=0'"));
    assert_non_null(strstr(l->verify, "echo 'TLS 1.0 refused'"));
    td_findings_free(&fs);
    obs_free(o);

    /* DH: security level 2 makes the command fail on a small group. */
    o = healthy(T_NAME);
    f_dh_small(o);
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    const td_finding *d = find(&fs, "DH_TOO_SMALL");
    assert_non_null(d);
    assert_int_equal(d->sev, TD_SEV_FAIL);
    assert_non_null(strstr(d->verify, "-cipher 'DHE:@SECLEVEL=2'"));
    td_findings_free(&fs);
    obs_free(o);

    /* Hostname by curl against the check's own CA file. */
    o = healthy(T_NAME);
    f_hostname(o);
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    const td_finding *h = find(&fs, "HOSTNAME_MISMATCH");
    assert_non_null(h);
    assert_non_null(strstr(h->verify, "curl -v --cacert /etc/ssl/internal-ca.pem https://www.example.com:8443/"));
    assert_non_null(strstr(h->verify, "--resolve www.example.com:8443:192.0.2.10"));
    td_findings_free(&fs);
    obs_free(o);
}

/* The pieces every command is written from come from the observations'
 * fields, never from the text the reports print. */
static void test_context(void **state)
{
    (void)state;
    td_obs *o = healthy(T_NAME);
    td_advice a;
    td_advice_init(&a, o);
    assert_string_equal(a.connect, "www.example.com:8443");
    assert_string_equal(a.name, NAME);
    assert_string_equal(a.sclient, "openssl s_client -connect www.example.com:8443 -servername www.example.com");
    assert_string_equal(a.sclient_nosni, "openssl s_client -connect www.example.com:8443 -noservername");
    assert_string_equal(a.ca_opt, "");
    assert_string_equal(a.curl_ca, "");

    /* A store named by the display text alone is not one the user gave. */
    snprintf(o->store_name, sizeof o->store_name, "ca-file /etc/ssl/internal-ca.pem");
    td_advice_init(&a, o);
    assert_string_equal(a.ca_opt, "");

    /* Both options, one path quoted for the shell. */
    snprintf(o->store.ca_file, sizeof o->store.ca_file, "/etc/ssl/ca.pem");
    snprintf(o->store.ca_path, sizeof o->store.ca_path, "/etc/ssl/my certs");
    td_advice_init(&a, o);
    assert_string_equal(a.ca_opt, " -CAfile /etc/ssl/ca.pem -CApath '/etc/ssl/my certs'");
    assert_string_equal(a.curl_ca, " --cacert /etc/ssl/ca.pem --capath '/etc/ssl/my certs'");

    /* A single quote cannot be quoted safely: that option is left out. */
    snprintf(o->store.ca_file, sizeof o->store.ca_file, "/tmp/it's.pem");
    td_advice_init(&a, o);
    assert_string_equal(a.ca_opt, " -CApath '/etc/ssl/my certs'");
    obs_free(o);

    /* An IPv6 address without SNI: brackets, and no SNI option at all. */
    o = healthy(T_IP);
    snprintf(o->host, sizeof o->host, "2001:db8::10");
    td_advice_init(&a, o);
    assert_string_equal(a.connect, "[2001:db8::10]:8443");
    assert_string_equal(a.name, "2001:db8::10");
    assert_string_equal(a.servername, "");
    assert_string_equal(a.sclient, "openssl s_client -connect [2001:db8::10]:8443");
    assert_string_equal(a.sclient_nosni, a.sclient);
    obs_free(o);

    char buf[64];
    assert_string_equal(td_host_port(buf, sizeof buf, "2001:db8::10", 0), "[2001:db8::10]");
    assert_string_equal(td_host_port(buf, sizeof buf, "192.0.2.10", 443), "192.0.2.10:443");
    assert_true(td_shell_safe("/etc/ssl/ca.pem"));
    assert_false(td_shell_safe("/etc/ssl/my certs"));
    assert_false(td_shell_safe(""));
}

/* An ID raised by two rules carries the one fix of the table: the
 * certificate request seen in the TLS 1.2 flight (rules.c) and in the full
 * handshake only (certs.c). */
static void test_one_fix_per_id(void **state)
{
    (void)state;
    const char *want = td_fix(TD_ID_CLIENT_CERT_REQUIRED);
    assert_non_null(want);
    for (int full = 0; full < 2; full++) {
        td_obs *o = healthy(T_NAME);
        if (full)
            o->hs.cert_request = true;
        else
            o->cert_request = true;
        td_findings fs;
        memset(&fs, 0, sizeof fs);
        td_diagnose(o, &fs);
        const td_finding *f = find(&fs, "CLIENT_CERT_REQUIRED");
        assert_non_null(f);
        assert_string_equal(f->fix, want);
        td_findings_free(&fs);
        obs_free(o);
    }
    /* Advice that depends on what was seen is the rule's own. */
    assert_null(td_fix(TD_ID_HOSTNAME_MISMATCH));
    assert_null(td_fix(TD_ID_NONE));
    assert_null(td_fix(TD_ID_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy_has_nothing_to_fix),
        cmocka_unit_test(test_every_fault),
        cmocka_unit_test(test_details),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_one_fix_per_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
