/* Unit tests for lib/diag/clients.c: client verdicts and CLIENT_INCOMPATIBLE.
 *
 * The profiles are made up here (static td_client structs), not taken from
 * the data file, so the tests do not move when a real profile is revised.
 * Observations are built by hand: the server's versions, suites, groups and
 * DH size, each profile's simulated hello and the server's answer, and for
 * the certificate checks a chain made with the OpenSSL API and the path
 * verdicts set as td_verify_path would have produced them. */
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

/* ---- profiles ---------------------------------------------------------------- */

/* A current browser: TLS 1.3 and 1.2, ECDHE only, fetches intermediates,
 * ignores the CN. */
static const td_client browser = {
    .id = "test-browser",
    .name = "Test Browser 1 (desktop)",
    .family = "browser",
    .versions = { TD_TLS13, TD_TLS12 },
    .n_versions = 2,
    .suites = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8 },
    .n_suites = 9,
    .groups = { 29, 23, 24 },
    .n_groups = 3,
    .key_shares = { 29 },
    .n_key_shares = 1,
    .sni = true,
    .alpn = "h2,http/1.1",
    .store = TD_STORE_MOZILLA,
    .aia_fetch = true,
    .cn_fallback = false,
    .sha1_ok = false,
    .min_rsa_bits = 2048,
    .min_dh_bits = 1024,
    .source = "made up for the unit tests",
};

/* An old runtime: TLS 1.2 to 1.0, RSA-authenticated suites and DHE, no AIA
 * fetching, accepts a name in the CN. */
static const td_client oldjava = {
    .id = "test-oldjava",
    .name = "Test Java 8",
    .family = "runtime",
    .versions = { TD_TLS12, TD_TLS11, TD_TLS10 },
    .n_versions = 3,
    .suites = { 0xc02f, 0xc030, 0x009e, 0xc027, 0xc013, 0x0033, 0x002f, 0x000a },
    .n_suites = 8,
    .groups = { 23, 24, 25 },
    .n_groups = 3,
    .sni = true,
    .store = TD_STORE_JAVA,
    .aia_fetch = false,
    .cn_fallback = true,
    .sha1_ok = true,
    .min_rsa_bits = 1024,
    .min_dh_bits = 1024,
    .source = "made up for the unit tests",
};

/* An end-of-life device: TLS 1.0 only (RFC 8996 deprecated it), RSA key
 * exchange, no extensions. */
static const td_client eol = {
    .id = "test-eol",
    .name = "Test EOL Device (firmware 2010)",
    .family = "embedded",
    .versions = { TD_TLS10 },
    .n_versions = 1,
    .suites = { 0x002f, 0x0035, 0x000a },
    .n_suites = 3,
    .sni = false,
    .store = TD_STORE_OWN,
    .cn_fallback = true,
    .sha1_ok = true,
    .min_rsa_bits = 1024,
    .source = "made up for the unit tests",
};

/* A strict library: like OpenSSL 3 at security level 2. */
static const td_client strict = {
    .id = "test-strict",
    .name = "Test Strict Lib 3",
    .family = "library",
    .versions = { TD_TLS13, TD_TLS12 },
    .n_versions = 2,
    .suites = { 0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xc02b, 0xc02f, 0x009e },
    .n_suites = 9,
    .groups = { 29, 23, 30, 25, 24 },
    .n_groups = 5,
    .sni = true,
    .store = TD_STORE_SYSTEM,
    .aia_fetch = false,
    .cn_fallback = false,
    .sha1_ok = false,
    .min_rsa_bits = 2048,
    .min_dh_bits = 2048,
    .source = "made up for the unit tests",
};

/* ---- certificates ---------------------------------------------------------------- */

static struct {
    EVP_PKEY *k_root, *k_int, *k_leaf, *k_small;
    blob root, inter, leaf, cn_only, small;
} K;

static blob make(const char *cn, const blob *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, bool ca, const char *san)
{
    static long serial = 7000;
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"clientverdicts", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : n);
    X509_NAME_free(n);
    assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, NULL));
    assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 90, 0, NULL));
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->x : x, x, NULL, NULL, 0);
    cert_ext(x, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    if (!ca)
        cert_ext(x, &ctx, NID_ext_key_usage, "serverAuth");
    if (san)
        cert_ext(x, &ctx, NID_subject_alt_name, san);
    assert_true(X509_sign(x, issuer ? issuer_key : key, EVP_sha256()) > 0);
    blob b = { NULL, 0, x };
    b.len = i2d_X509(x, &b.der);
    assert_true(b.len > 0);
    return b;
}

static int setup(void **state)
{
    (void)state;
    K.k_root = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    K.k_int = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    K.k_leaf = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    K.k_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    if (!K.k_root || !K.k_int || !K.k_leaf || !K.k_small)
        return -1;
    K.root = make("Verdicts Root CA", NULL, NULL, K.k_root, true, NULL);
    K.inter = make("Verdicts Intermediate", &K.root, K.k_root, K.k_int, true, NULL);
    K.leaf = make("www.example.com", &K.inter, K.k_int, K.k_leaf, false, "DNS:www.example.com");
    K.cn_only = make("www.example.com", &K.inter, K.k_int, K.k_leaf, false, NULL);
    K.small = make("www.example.com", &K.inter, K.k_int, K.k_small, false, "DNS:www.example.com");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blob *all[] = { &K.root, &K.inter, &K.leaf, &K.cn_only, &K.small };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        blob_free(all[i]);
    EVP_PKEY_free(K.k_root);
    EVP_PKEY_free(K.k_int);
    EVP_PKEY_free(K.k_leaf);
    EVP_PKEY_free(K.k_small);
    return 0;
}

/* ---- observations ---------------------------------------------------------------- */

/* A healthy TLS 1.3 + 1.2 server (RSA certificate, ECDHE and DHE suites),
 * its chain leaf + intermediate verified against the system store. */
static td_obs *server(void)
{
    td_obs *o = obs_example(NULL);
    int v13 = td_vidx(TD_TLS13), v12 = td_vidx(TD_TLS12);
    for (int i = 0; i < TD_NVERSIONS; i++)
        o->version_ok[i] = TD_NO;
    o->version_ok[v13] = o->version_ok[v12] = TD_YES;
    const uint16_t s13[] = { 0x1302, 0x1301, 0x1303 };
    const uint16_t s12[] = { 0xc030, 0xc02f, 0x009f, 0x009e };
    memcpy(o->suites[v13], s13, sizeof s13);
    o->n_suites[v13] = 3;
    memcpy(o->suites[v12], s12, sizeof s12);
    o->n_suites[v12] = 4;
    o->suites_complete[v13] = o->suites_complete[v12] = true;
    o->groups[0] = 29;
    o->groups[1] = 23;
    o->n_groups = 2;
    o->groups_complete = true;

    td_hs_init(&o->hs);
    o->hs.out = TD_OUT_HELLO;
    o->hs.done = true;
    o->hs.version = TD_TLS13;
    o->hs.suite = 0x1302;
    blob_put(&o->hs.chain[0], &K.leaf);
    blob_put(&o->hs.chain[1], &K.inter);
    o->hs.n_chain = 2;
    snprintf(o->store_name, sizeof o->store_name, "system (/usr/lib/ssl/cert.pem, /usr/lib/ssl/certs)");
    o->now = (int64_t)time(NULL);
    td_path *p = &o->path;
    memset(p, 0, sizeof *p);
    p->verdict = p->trust = TD_PATH_OK;
    p->depth = p->expired_depth = p->not_yet_valid_depth = p->weak_sig_depth = p->small_key_depth = -1;
    p->n = 3;
    blob_subject(&K.leaf, p->subjects[0], sizeof p->subjects[0]);
    blob_subject(&K.inter, p->subjects[1], sizeof p->subjects[1]);
    blob_subject(&K.root, p->subjects[2], sizeof p->subjects[2]);
    p->src[0] = p->src[1] = TD_SRC_SENT;
    p->src[2] = TD_SRC_STORE;
    blob_subject(&K.root, p->top_subject, sizeof p->top_subject);
    p->top_in_store = true;
    return o;
}

/* The server answered this profile's hello with a ServerHello. */
static td_sim *sim_hello(td_obs *o, const td_client *c, uint16_t version, uint16_t suite, uint16_t group)
{
    td_sim *s = &o->sims[o->n_sims++];
    memset(s, 0, sizeof *s);
    s->client = c;
    s->hello = (td_attempt){ .out = TD_OUT_HELLO, .offered_version = c->versions[0], .offered_suites = c->n_suites,
                             .hello_len = 512, .offered_sni = c->sni, .version = version, .suite = suite,
                             .group = version == TD_TLS13 ? group : 0, .connect_ms = 1, .first_ms = 2,
                             .total_ms = 3 };
    if (version != TD_TLS13)
        s->ske_group = group;
    return s;
}

static td_sim *sim_alert(td_obs *o, const td_client *c, uint8_t desc)
{
    td_sim *s = &o->sims[o->n_sims++];
    memset(s, 0, sizeof *s);
    s->client = c;
    s->hello = (td_attempt){ .out = TD_OUT_ALERT, .offered_version = c->versions[0], .offered_suites = c->n_suites,
                             .hello_len = 300, .offered_sni = c->sni, .alert_level = 2, .alert_desc = desc,
                             .connect_ms = 1, .first_ms = 2, .total_ms = 3 };
    return s;
}


static const td_client_verdict *verdict(const td_client_table *t, const td_client *c)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].client == c)
            return &t->v[i];
    fail_msg("no verdict for %s", c->id);
    return NULL;
}

static void contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' not in: %s", needle, hay ? hay : "(null)");
}

/* The CLIENT_INCOMPATIBLE finding naming this client; fails unless there is
 * exactly one. */
static const td_finding *incompatible(const td_findings *fs, const td_client *c)
{
    const td_finding *hit = NULL;
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].id == TD_ID_CLIENT_INCOMPATIBLE && strstr(fs->v[i].summary, c->name)) {
            hit = &fs->v[i];
            n++;
        }
    if (n != 1)
        fail_msg("%zu CLIENT_INCOMPATIBLE findings name %s", n, c->name);
    return hit;
}

static size_t count_incompatible(const td_findings *fs)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        n += fs->v[i].id == TD_ID_CLIENT_INCOMPATIBLE;
    return n;
}

/* Judges; every finding must be complete: a fail with fix and verify, the
 * verify an s_client line against the real target, no "skip verification"
 * anywhere. */
static void judge(const td_obs *o, td_client_table *t, td_findings *fs)
{
    memset(fs, 0, sizeof *fs);
    td_judge_clients(o, t, fs);
    assert_false(fs->oom);
    assert_int_equal(t->n, o->n_sims);
    for (size_t i = 0; i < fs->n; i++) {
        const td_finding *f = &fs->v[i];
        assert_int_equal(f->id, TD_ID_CLIENT_INCOMPATIBLE);
        assert_true(strlen(f->summary) > 30);
        assert_non_null(strstr(f->summary, " cannot connect: "));
        assert_true(f->summary[strlen(f->summary) - 1] == '.');
        assert_non_null(f->evidence);
        contains(f->evidence, "ClientHello");
        /* The typed cause: a reason, the client it is about (its verdict
         * carries the same reason), and no marker left in the prose. */
        assert_true(td_reason_token(f->reason) != NULL);
        assert_true(f->client >= 0 && (size_t)f->client < o->n_sims);
        assert_null(strstr(f->evidence, "reason code"));
        const td_client_verdict *cv = verdict(t, o->sims[f->client].client);
        assert_int_equal(cv->reason_code, f->reason);
        /* fail for a client named with --client; when every profile ran,
         * info for one below the level asked for (--clients), which the
         * summary and the fix say, and warn for the others */
        if (o->clients_filtered)
            assert_int_equal(f->sev, TD_SEV_FAIL);
        else
            assert_int_equal(f->sev, cv->below_level ? TD_SEV_INFO : TD_SEV_WARN);
        assert_true(!cv->below_level || !o->clients_filtered);
        assert_int_equal(strstr(f->summary, " Expected at --clients ") != NULL, cv->below_level);
        assert_non_null(f->fix);
        assert_int_equal(strncmp(f->fix, "Nothing to change unless ", 25) == 0, cv->below_level);
        assert_non_null(f->fix);
        assert_true(strlen(f->fix) > 40);
        assert_null(strstr(f->fix, "-k "));
        assert_null(strstr(f->fix, "disable verification"));
        contains(f->fix, "nginx");
        contains(f->fix, "Apache");
        contains(f->fix, "HAProxy");
        /* TLS 1.3 suites are never in the TLS 1.2 cipher list directives */
        const char *lists[] = { "`ssl_ciphers ", "`SSLCipherSuite ", "`ssl-default-bind-ciphers " };
        for (size_t k = 0; k < 3; k++) {
            const char *l = strstr(f->fix, lists[k]);
            if (!l)
                continue;
            const char *end = strchr(l + 1, '`');
            assert_non_null(end);
            const char *t13 = strstr(l, "TLS_AES_");
            assert_true(!t13 || t13 > end);
            t13 = strstr(l, "TLS_CHACHA20_");
            assert_true(!t13 || t13 > end);
        }
        assert_non_null(f->verify);
        assert_true(strncmp(f->verify, "openssl s_client -connect www.example.com:443 ", 46) == 0);
        contains(f->verify, "</dev/null");
    }
    for (size_t i = 0; i < t->n; i++) {
        const td_client_verdict *v = &t->v[i];
        if (v->result == TD_CV_OK) {
            assert_string_equal(v->reason, "");
        } else {
            assert_true(v->step[0] != '\0');
            assert_true(v->reason[0] != '\0');
        }
    }
}

/* The same observations seen from named clients (--client): every failure
 * is then a fail. */
static void judge_named(const td_obs *o)
{
    td_obs *named = malloc(sizeof *named);
    assert_non_null(named);
    memcpy(named, o, sizeof *named); /* shallow: shares o's buffers, not freed here */
    named->clients_filtered = true;
    td_client_table *t = malloc(sizeof *t);
    assert_non_null(t);
    td_findings fs;
    judge(named, t, &fs);
    for (size_t i = 0; i < fs.n; i++)
        assert_int_equal(fs.v[i].sev, TD_SEV_FAIL);
    td_findings_free(&fs);
    free(t);
    free(named);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_all_ok(void **state)
{
    (void)state;
    td_obs *o = server();
    sim_hello(o, &browser, TD_TLS13, 0x1301, 29);
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    sim_hello(o, &strict, TD_TLS13, 0x1302, 29);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    assert_int_equal(fs.n, 0);
    const td_client_verdict *v = verdict(&t, &oldjava);
    assert_int_equal(v->result, TD_CV_OK);
    assert_int_equal(v->version, TD_TLS12);
    assert_int_equal(v->suite, 0xc02f);
    assert_int_equal(v->group, 23); /* the ECDHE curve of its ServerKeyExchange */
    v = verdict(&t, &browser);
    assert_int_equal(v->result, TD_CV_OK);
    assert_int_equal(v->version, TD_TLS13);
    assert_int_equal(v->group, 29);
    td_findings_free(&fs);
    obs_free(o);
}

static void test_no_shared_version(void **state)
{
    (void)state;
    td_obs *o = server();
    o->version_ok[td_vidx(TD_TLS12)] = TD_NO; /* TLS 1.3 only */
    o->n_suites[td_vidx(TD_TLS12)] = 0;
    sim_hello(o, &browser, TD_TLS13, 0x1301, 29);
    sim_alert(o, &oldjava, 70);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    judge_named(o);
    assert_int_equal(count_incompatible(&fs), 1);
    const td_client_verdict *v = verdict(&t, &oldjava);
    assert_int_equal(v->result, TD_CV_FAIL);
    assert_string_equal(v->step, "ServerHello");
    contains(v->reason, "no shared protocol version");
    assert_int_equal(verdict(&t, &browser)->result, TD_CV_OK);

    const td_finding *f = incompatible(&fs, &oldjava);
    assert_string_equal(f->summary, "Test Java 8 cannot connect: the server speaks only TLS 1.3, and Test Java 8 "
                                    "tops out at TLS 1.2.");
    contains(f->evidence, "TLS 1.2, 1.1 and 1.0; 8 cipher suites");
    contains(f->evidence, "alert protocol_version (70)");
    assert_string_equal(td_reason_token(f->reason), "version");
    contains(f->fix, "`ssl_protocols TLSv1.2 TLSv1.3;`");
    contains(f->fix, "`SSLProtocol -all +TLSv1.2 +TLSv1.3`");
    contains(f->fix, "ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3");
    /* imitates the client: no TLS 1.3, its suites by OpenSSL name */
    contains(f->verify, "-servername www.example.com");
    contains(f->verify, " -no_tls1_3");
    contains(f->verify, "-cipher 'ECDHE-RSA-AES128-GCM-SHA256:");
    contains(f->verify, "DES-CBC3-SHA");
    assert_null(strstr(f->verify, "-ciphersuites"));
    contains(f->verify, "-groups P-256:P-384:P-521");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_no_shared_suite(void **state)
{
    (void)state;
    td_obs *o = server();
    /* TLS 1.2 with ECDSA suites only; the old runtime offers RSA ones */
    int v12 = td_vidx(TD_TLS12);
    o->version_ok[td_vidx(TD_TLS13)] = TD_NO;
    const uint16_t ecdsa[] = { 0xc02c, 0xc02b };
    memcpy(o->suites[v12], ecdsa, sizeof ecdsa);
    o->n_suites[v12] = 2;
    sim_alert(o, &oldjava, 40);
    /* the same refusal shown as a reset is still a suite matter */
    td_sim *s = &o->sims[o->n_sims++];
    memset(s, 0, sizeof *s);
    s->client = &strict;
    s->hello = (td_attempt){ .out = TD_OUT_RESET, .offered_version = TD_TLS13, .offered_sni = true };
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);

    const td_client_verdict *v = verdict(&t, &oldjava);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "no shared cipher suite");
    const td_finding *f = incompatible(&fs, &oldjava);
    contains(f->summary, "the server accepts only TLS_ECDHE_ECDSA_* suites for TLS 1.2");
    contains(f->summary, "Test Java 8 offers no ECDSA-authenticated suite");
    assert_string_equal(td_reason_token(f->reason), "suite");
    contains(f->evidence, "alert handshake_failure (40)");
    /* the strict library has ECDSA suites, so it is not this */
    v = verdict(&t, &strict);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "connection reset");
    f = incompatible(&fs, &strict);
    assert_string_equal(td_reason_token(f->reason), "reset");
    contains(f->evidence, "TCP RST");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_no_shared_suite_tls13_fix(void **state)
{
    (void)state;
    td_obs *o = server();
    /* a TLS 1.3-only server with only the CCM suite */
    int v13 = td_vidx(TD_TLS13);
    o->version_ok[td_vidx(TD_TLS12)] = TD_NO;
    o->suites[v13][0] = 0x1304;
    o->n_suites[v13] = 1;
    sim_alert(o, &browser, 40);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    const td_finding *f = incompatible(&fs, &browser);
    contains(f->summary, "the server accepts only TLS_AES_128_CCM_SHA256 for TLS 1.3");
    /* TLS 1.3 suites: not ssl_ciphers (the advice people usually get) */
    contains(f->fix, "`ssl_conf_command Ciphersuites TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256:");
    contains(f->fix, "`SSLOpenSSLConfCmd Ciphersuites ");
    contains(f->fix, "`ssl-default-bind-ciphersuites ");
    assert_true(strstr(f->fix, "ssl_conf_command") < strstr(f->fix, "`ssl_ciphers`"));
    contains(f->verify, "-ciphersuites 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'");
    contains(f->verify, " -no_tls1 -no_tls1_1");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_no_shared_group(void **state)
{
    (void)state;
    td_obs *o = server();
    /* TLS 1.2 ECDHE only, on x25519 only: the old runtime has NIST curves */
    int v12 = td_vidx(TD_TLS12);
    o->version_ok[td_vidx(TD_TLS13)] = TD_NO;
    const uint16_t ec[] = { 0xc030, 0xc02f };
    memcpy(o->suites[v12], ec, sizeof ec);
    o->n_suites[v12] = 2;
    o->groups[0] = 29;
    o->n_groups = 1;
    sim_alert(o, &oldjava, 40);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    const td_finding *f = incompatible(&fs, &oldjava);
    contains(f->summary, "Test Java 8's list has them, but the server's curves (x25519) and Test Java 8's "
                         "(secp256r1, secp384r1, secp521r1) do not overlap");
    assert_string_equal(td_reason_token(f->reason), "group");
    contains(f->fix, "`ssl_ecdh_curve X25519:P-256;`");
    contains(f->fix, "`ssl-default-bind-curves X25519:P-256`");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_dh_too_small(void **state)
{
    (void)state;
    td_obs *o = server();
    o->dh_bits_min = o->dh_bits_max = 1024;
    td_sim *s = sim_hello(o, &strict, TD_TLS12, 0x009f, 0);
    s->dh_bits = 1024;
    s = sim_hello(o, &oldjava, TD_TLS12, 0x009e, 0);
    s->dh_bits = 1024;
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    assert_int_equal(count_incompatible(&fs), 1);
    const td_client_verdict *v = verdict(&t, &strict);
    assert_int_equal(v->result, TD_CV_FAIL);
    assert_string_equal(v->step, "ServerKeyExchange");
    assert_int_equal(v->version, TD_TLS12);
    assert_int_equal(v->suite, 0x009f);
    contains(v->reason, "DH group too small");
    const td_finding *f = incompatible(&fs, &strict);
    contains(f->summary, "the server's DHE group has 1024 bits, and Test Strict Lib 3 requires at least 2048");
    contains(f->evidence, "DHE group of 1024 bits");
    assert_string_equal(td_reason_token(f->reason), "dh");
    contains(f->fix, "`ssl_dhparam /etc/nginx/dhparam.pem;`");
    contains(f->fix, "tune.ssl.default-dh-param 2048");
    /* a client that accepts 1024 bits gets through */
    assert_int_equal(verdict(&t, &oldjava)->result, TD_CV_OK);
    td_findings_free(&fs);
    obs_free(o);
}

/* The path stops at depth `top` of the chain server() sends (0 the leaf,
 * 1 the intermediate): its issuer `missing` is neither sent nor in the
 * store. */
static void path_stops(td_obs *o, int top, const blob *missing)
{
    td_path *p = &o->path;
    p->verdict = p->trust = TD_PATH_INCOMPLETE;
    p->depth = top;
    snprintf(p->x509_err_text, sizeof p->x509_err_text, "unable to get local issuer certificate");
    p->n = (size_t)top + 1;
    blob_subject(top ? &K.inter : &K.leaf, p->top_subject, sizeof p->top_subject);
    p->top_in_store = false;
    blob_subject(missing, p->missing_issuer, sizeof p->missing_issuer);
}

static void make_incomplete(td_obs *o)
{
    free(o->hs.chain[1].der);
    o->hs.chain[1].der = NULL;
    o->hs.chain[1].len = 0;
    o->hs.n_chain = 1;
    path_stops(o, 0, &K.inter);
    snprintf(o->path.missing_issuer_aia, sizeof o->path.missing_issuer_aia, "http://ca.example/int.der");
}

static void test_chain_incomplete(void **state)
{
    (void)state;
    td_obs *o = server();
    make_incomplete(o);
    /* the browser's AIA fetch completes the path */
    o->aia_tried = true;
    snprintf(o->aia_url, sizeof o->aia_url, "http://ca.example/int.der");
    td_path *pa = &o->path_aia;
    *pa = (td_path){ 0 };
    pa->verdict = pa->trust = TD_PATH_OK;
    pa->depth = pa->expired_depth = pa->not_yet_valid_depth = pa->weak_sig_depth = pa->small_key_depth = -1;
    pa->n = 3;
    pa->used_extra = true;
    sim_hello(o, &browser, TD_TLS13, 0x1301, 29);
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    assert_int_equal(verdict(&t, &browser)->result, TD_CV_OK);
    const td_client_verdict *v = verdict(&t, &oldjava);
    assert_int_equal(v->result, TD_CV_FAIL);
    assert_string_equal(v->step, "Certificate");
    assert_int_equal(v->version, TD_TLS12);
    contains(v->reason, "incomplete chain");
    assert_int_equal(count_incompatible(&fs), 1);
    const td_finding *f = incompatible(&fs, &oldjava);
    contains(f->summary, "does not send the intermediate certificate CN=Verdicts Intermediate");
    contains(f->summary, "Test Java 8 does not fetch missing intermediates (AIA)");
    assert_string_equal(td_reason_token(f->reason), "chain");
    contains(f->evidence, "Java cacerts");
    contains(f->fix, "Serve the full chain");
    contains(f->verify, "-verify_return_error");
    td_findings_free(&fs);

    /* without a working AIA fetch the browser fails too */
    snprintf(o->aia_error, sizeof o->aia_error, "HTTP 404");
    judge(o, &t, &fs);
    v = verdict(&t, &browser);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "fetching it from http://ca.example/int.der fails (HTTP 404)");
    assert_int_equal(count_incompatible(&fs), 2);
    td_findings_free(&fs);

    /* not tried (--no-aia): the browser's fate is unknown, not guessed */
    o->aia_tried = false;
    o->aia_error[0] = '\0';
    o->path_aia = (td_path){ 0 };
    judge(o, &t, &fs);
    v = verdict(&t, &browser);
    assert_int_equal(v->result, TD_CV_UNKNOWN);
    assert_string_equal(v->step, "Certificate");
    assert_int_equal(count_incompatible(&fs), 1);
    td_findings_free(&fs);
    obs_free(o);
}

/* The chain sent ends in a CA certificate whose issuer is missing and that
 * names no AIA URL: a private root, so every client fails for trust, the
 * browser that fetches intermediates included (the decision UNTRUSTED_CA
 * makes in certs.c).  When the issuer fetched through AIA is a root, a
 * client that does not fetch fails for trust too. */
static void test_private_root(void **state)
{
    (void)state;
    td_obs *o = server();
    td_path *p = &o->path;
    path_stops(o, 1, &K.root);
    p->top_is_ca = true;
    sim_hello(o, &browser, TD_TLS13, 0x1301, 29);
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    const td_client *both[] = { &browser, &oldjava };
    for (size_t i = 0; i < 2; i++) {
        const td_client_verdict *v = verdict(&t, both[i]);
        assert_int_equal(v->result, TD_CV_FAIL);
        assert_string_equal(v->step, "Certificate");
        contains(v->reason, "untrusted root");
        const td_finding *f = incompatible(&fs, both[i]);
        assert_string_equal(td_reason_token(f->reason), "trust");
        contains(f->summary, "the chain ends below CN=Verdicts Root CA,O=clientverdicts, a private root as far as the "
                             "chain shows");
        assert_null(strstr(f->summary, "intermediate certificate"));
    }
    td_findings_free(&fs);

    /* An AIA URL names the missing issuer: an intermediate again. */
    snprintf(p->missing_issuer_aia, sizeof p->missing_issuer_aia, "http://ca.example/root.der");
    o->aia_tried = true;
    snprintf(o->aia_url, sizeof o->aia_url, "http://ca.example/root.der");
    snprintf(o->aia_error, sizeof o->aia_error, "HTTP 404");
    judge(o, &t, &fs);
    assert_string_equal(td_reason_token(incompatible(&fs, &oldjava)->reason), "chain");
    assert_string_equal(td_reason_token(incompatible(&fs, &browser)->reason), "chain");
    td_findings_free(&fs);

    /* ... and what it serves is a self-signed root the store lacks. */
    o->aia_error[0] = '\0';
    td_path *pa = &o->path_aia;
    *pa = *p;
    pa->verdict = pa->trust = TD_PATH_UNTRUSTED_ROOT;
    pa->n = 3;
    pa->src[2] = TD_SRC_EXTRA;
    blob_subject(&K.root, pa->top_subject, sizeof pa->top_subject);
    pa->missing_issuer[0] = pa->missing_issuer_aia[0] = '\0';
    judge(o, &t, &fs);
    for (size_t i = 0; i < 2; i++) {
        const td_finding *f = incompatible(&fs, both[i]);
        assert_string_equal(td_reason_token(f->reason), "trust");
        contains(f->summary, "below the root CN=Verdicts Root CA,O=clientverdicts (fetched here from "
                             "http://ca.example/root.der)");
    }
    td_findings_free(&fs);
    obs_free(o);
}

static void test_cn_only(void **state)
{
    (void)state;
    td_obs *o = server();
    free(o->hs.chain[0].der);
    blob_put(&o->hs.chain[0], &K.cn_only);
    sim_hello(o, &browser, TD_TLS13, 0x1301, 29);
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    assert_int_equal(verdict(&t, &oldjava)->result, TD_CV_OK); /* cn_fallback */
    const td_client_verdict *v = verdict(&t, &browser);
    assert_int_equal(v->result, TD_CV_FAIL);
    assert_string_equal(v->step, "Certificate");
    contains(v->reason, "name only in the CN");
    const td_finding *f = incompatible(&fs, &browser);
    contains(f->summary, "www.example.com appears only in the certificate's subject CN, and Test Browser 1 ignores "
                         "the CN");
    assert_string_equal(td_reason_token(f->reason), "cn-only");
    contains(f->fix, "subjectAltName=DNS:www.example.com");
    contains(f->verify, "-verify_hostname www.example.com -verify_return_error");
    td_findings_free(&fs);
    obs_free(o);
}

/* Rules that differ per client: the smallest RSA key and SHA-1. */
static void test_key_and_sha1(void **state)
{
    (void)state;
    td_obs *o = server();
    free(o->hs.chain[0].der);
    blob_put(&o->hs.chain[0], &K.small);
    sim_hello(o, &strict, TD_TLS13, 0x1302, 29);
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    assert_int_equal(verdict(&t, &oldjava)->result, TD_CV_OK); /* min_rsa_bits 1024 */
    const td_client_verdict *v = verdict(&t, &strict);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "RSA key too small");
    const td_finding *f = incompatible(&fs, &strict);
    contains(f->summary, "has a 1024-bit RSA key, and Test Strict Lib 3 requires at least 2048 bits");
    assert_string_equal(td_reason_token(f->reason), "key");
    contains(f->fix, "rsa:2048");
    td_findings_free(&fs);

    free(o->hs.chain[0].der);
    blob_put(&o->hs.chain[0], &K.leaf);
    o->path.weak_sig_depth = 1;
    snprintf(o->path.weak_sig_alg, sizeof o->path.weak_sig_alg, "sha1WithRSAEncryption");
    judge(o, &t, &fs);
    assert_int_equal(verdict(&t, &oldjava)->result, TD_CV_OK); /* sha1_ok */
    v = verdict(&t, &strict);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "SHA-1 signature");
    f = incompatible(&fs, &strict);
    contains(f->summary, "the certificate CN=Verdicts Intermediate,O=clientverdicts is signed with SHA-1");
    assert_string_equal(td_reason_token(f->reason), "signature");
    td_findings_free(&fs);
    obs_free(o);
}

/* A client without SNI meets the server's default certificate. */
static void test_no_sni_client(void **state)
{
    (void)state;
    static const td_client nosni = {
        .id = "test-nosni", .name = "Test Old Device", .versions = { TD_TLS12 }, .n_versions = 1,
        .suites = { 0xc02f }, .n_suites = 1, .groups = { 23 }, .n_groups = 1, .sni = false,
        .store = TD_STORE_OWN, .cn_fallback = true, .sha1_ok = true, .min_rsa_bits = 1024,
    };
    td_obs *o = server();
    td_hs_init(&o->hs_nosni);
    o->hs_nosni.out = TD_OUT_HELLO;
    o->hs_nosni.done = true;
    blob_put(&o->hs_nosni.chain[0], &K.inter); /* a certificate for another name */
    o->hs_nosni.n_chain = 1;
    sim_hello(o, &nosni, TD_TLS12, 0xc02f, 23);
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    assert_int_equal(verdict(&t, &oldjava)->result, TD_CV_OK);
    const td_client_verdict *v = verdict(&t, &nosni);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "wrong certificate without SNI");
    const td_finding *f = incompatible(&fs, &nosni);
    contains(f->summary, "Test Old Device sends no server name (SNI)");
    contains(f->evidence, "no SNI");
    assert_string_equal(td_reason_token(f->reason), "sni");
    contains(f->fix, "default_server");
    contains(f->verify, "-noservername");
    contains(f->verify, " -tls1_2 ");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_trust_and_name(void **state)
{
    (void)state;
    td_obs *o = server();
    td_path *p = &o->path;
    p->verdict = p->trust = TD_PATH_UNTRUSTED_ROOT;
    store_file(o, "/tmp/other root.pem");
    snprintf(o->sni, sizeof o->sni, "api.example.com");
    sim_hello(o, &oldjava, TD_TLS12, 0xc02f, 23);
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    const td_client_verdict *v = verdict(&t, &oldjava);
    assert_int_equal(v->result, TD_CV_FAIL);
    contains(v->reason, "untrusted root");
    const td_finding *f = incompatible(&fs, &oldjava);
    contains(f->summary, "which the trust store checked here (ca-file /tmp/other root.pem) does not hold");
    contains(f->summary, "Test Java 8 uses the Java cacerts store");
    contains(f->fix, "keytool -importcert");
    contains(f->verify, "-servername api.example.com");
    contains(f->verify, " -CAfile '/tmp/other root.pem' -verify_return_error");
    /* the name fails next */
    contains(f->evidence, "it would fail next on: name mismatch");
    td_findings_free(&fs);
    obs_free(o);
}

static void test_unreachable_and_unknown(void **state)
{
    (void)state;
    td_obs *o = server();
    td_sim *s = &o->sims[o->n_sims++];
    memset(s, 0, sizeof *s);
    s->client = &browser;
    s->hello.out = TD_OUT_REFUSED;
    s = &o->sims[o->n_sims++];
    memset(s, 0, sizeof *s);
    s->client = &oldjava;
    s->hello.out = TD_OUT_NOT_RUN;
    td_client_table t;
    td_findings fs;
    judge(o, &t, &fs);
    /* a refused port is CONNECT_REFUSED's business, once for all */
    assert_int_equal(fs.n, 0);
    const td_client_verdict *v = verdict(&t, &browser);
    assert_int_equal(v->result, TD_CV_FAIL);
    assert_string_equal(v->step, "TCP");
    assert_int_equal(verdict(&t, &oldjava)->result, TD_CV_UNKNOWN);
    td_findings_free(&fs);

    /* nothing simulated: an empty table, no findings */
    o->n_sims = 0;
    judge(o, &t, &fs);
    assert_int_equal(t.n, 0);
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);
    obs_free(o);
}

/* The severity of CLIENT_INCOMPATIBLE per level (--clients): a client
 * below the level failing is expected (info), one at or above it a
 * warning; a client named with --client fails whatever the level. */
static void judge_at(td_obs *o, td_client_level level, td_client_table *t, td_findings *fs)
{
    o->clients_level = level;
    judge(o, t, fs);
    assert_int_equal(count_incompatible(fs), 3);
}

static void test_levels(void **state)
{
    (void)state;
    td_obs *o = server();
    assert_int_equal(o->clients_level, TD_LEVEL_INTERMEDIATE); /* the default */
    sim_hello(o, &browser, TD_TLS13, 0x1301, 29);
    sim_alert(o, &strict, 40);  /* a TLS 1.3 client: modern */
    sim_alert(o, &oldjava, 40); /* TLS 1.2 at most: intermediate */
    sim_alert(o, &eol, 70);     /* TLS 1.0 only: old */
    assert_int_equal(td_client_level_of(&strict), TD_LEVEL_MODERN);
    assert_int_equal(td_client_level_of(&oldjava), TD_LEVEL_INTERMEDIATE);
    assert_int_equal(td_client_level_of(&eol), TD_LEVEL_OLD);
    td_client_table *t = malloc(sizeof *t);
    assert_non_null(t);
    td_findings fs;

    judge_at(o, TD_LEVEL_INTERMEDIATE, t, &fs);
    assert_int_equal(incompatible(&fs, &eol)->sev, TD_SEV_INFO);
    assert_int_equal(incompatible(&fs, &oldjava)->sev, TD_SEV_WARN);
    assert_int_equal(incompatible(&fs, &strict)->sev, TD_SEV_WARN);
    assert_true(verdict(t, &eol)->below_level);
    assert_false(verdict(t, &oldjava)->below_level);
    assert_false(verdict(t, &browser)->below_level);
    assert_int_equal(verdict(t, &eol)->result, TD_CV_FAIL);
    const td_finding *f = incompatible(&fs, &eol);
    assert_string_equal(f->summary, "Test EOL Device (firmware 2010) cannot connect: the server speaks only TLS 1.3 "
                                    "and 1.2, and Test EOL Device tops out at TLS 1.0. Expected at --clients "
                                    "intermediate, which leaves out end-of-life clients (TLS 1.1 and below).");
    contains(f->fix, "Nothing to change unless Test EOL Device must connect; then: ");
    contains(f->fix, "TLSv1");
    td_findings_free(&fs);

    judge_at(o, TD_LEVEL_OLD, t, &fs);
    for (size_t i = 0; i < fs.n; i++)
        assert_int_equal(fs.v[i].sev, TD_SEV_WARN);
    assert_false(verdict(t, &eol)->below_level);
    assert_null(strstr(incompatible(&fs, &eol)->summary, "Expected"));
    td_findings_free(&fs);

    judge_at(o, TD_LEVEL_MODERN, t, &fs);
    assert_int_equal(incompatible(&fs, &eol)->sev, TD_SEV_INFO);
    assert_int_equal(incompatible(&fs, &oldjava)->sev, TD_SEV_INFO);
    assert_int_equal(incompatible(&fs, &strict)->sev, TD_SEV_WARN);
    contains(incompatible(&fs, &oldjava)->summary,
             " Expected at --clients modern, which leaves out clients without TLS 1.3.");
    td_findings_free(&fs);

    /* named clients fail at every level */
    for (td_client_level l = TD_LEVEL_OLD; l <= TD_LEVEL_MODERN; l++) {
        o->clients_level = l;
        judge_named(o);
    }
    free(t);
    obs_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_ok),
        cmocka_unit_test(test_no_shared_version),
        cmocka_unit_test(test_no_shared_suite),
        cmocka_unit_test(test_no_shared_suite_tls13_fix),
        cmocka_unit_test(test_no_shared_group),
        cmocka_unit_test(test_dh_too_small),
        cmocka_unit_test(test_chain_incomplete),
        cmocka_unit_test(test_private_root),
        cmocka_unit_test(test_cn_only),
        cmocka_unit_test(test_key_and_sha1),
        cmocka_unit_test(test_no_sni_client),
        cmocka_unit_test(test_trust_and_name),
        cmocka_unit_test(test_unreachable_and_unknown),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
