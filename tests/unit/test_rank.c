/* Unit tests for lib/diag/rank.c: the root cause first, symptoms linked to
 * what explains them, a stable order otherwise.  The finding lists are
 * built by hand, in the order the rules would emit them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/finding.h"
#include "wire/tls.h"

typedef struct item {
    const char *id;
    td_severity sev;
    const char *summary;  /* NULL: "<id> summary" */
    const char *evidence; /* NULL: "" */
    td_reason reason;     /* the typed cause, as lib/diag/clients.c sets it */
    int client;           /* index into the observations' sims[], -1 none */
} item;

#define F(id_, sev_) { id_, TD_SEV_##sev_, NULL, NULL, TD_REASON_NONE, -1 }
#define FS(id_, sev_, summary_) { id_, TD_SEV_##sev_, summary_, NULL, TD_REASON_NONE, -1 }
/* A CLIENT_INCOMPATIBLE finding with its typed reason (and client, -1 when
 * the observations hold no such profile).  The prose plays no part. */
#define FC(sev_, summary_, reason_, client_) \
    { "CLIENT_INCOMPATIBLE", TD_SEV_##sev_, summary_, NULL, TD_REASON_##reason_, client_ }

static void build(td_findings *fs, const item *in, size_t n)
{
    memset(fs, 0, sizeof *fs);
    fs->root_cause = 7; /* must be overwritten */
    for (size_t i = 0; i < n; i++) {
        char sum[256];
        if (in[i].summary)
            snprintf(sum, sizeof sum, "%s", in[i].summary);
        else
            snprintf(sum, sizeof sum, "%s summary #%zu", in[i].id, i);
        td_id id = td_id_by_name(in[i].id);
        if (id == TD_ID_NONE)
            fail_msg("%s is not in the catalog", in[i].id);
        td_finding *f = td_findings_add(fs, id, in[i].sev, sum, in[i].evidence, "fix", "openssl s_client");
        assert_non_null(f);
        f->reason = in[i].reason;
        f->client = in[i].client;
    }
    assert_false(fs->oom);
    assert_int_equal(fs->n, n);
}
#define BUILD(fs, ...)                                                  \
    do {                                                                \
        const item list_[] = { __VA_ARGS__ };                           \
        build(fs, list_, sizeof list_ / sizeof list_[0]);               \
    } while (0)

static int at(const td_findings *fs, const char *id)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].id == td_id_by_name(id))
            return (int)i;
    fail_msg("no %s in the ranked list", id);
    return -1;
}

/* The ranked order, as "A B C". */
static void expect_order(const td_findings *fs, const char *want)
{
    char got[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < fs->n && used < sizeof got; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? " " : "", td_id_name(fs->v[i].id));
    if (strcmp(got, want) != 0)
        fail_msg("order: got '%s', want '%s'", got, want);
}

static void expect_symptom(const td_findings *fs, const char *id, const char *of)
{
    int i = at(fs, id);
    int want = of ? at(fs, of) : -1;
    if (fs->v[i].symptom_of != want)
        fail_msg("%s: symptom_of %d (%s), want %d (%s)", id, fs->v[i].symptom_of,
                 fs->v[i].symptom_of >= 0 ? td_id_name(fs->v[fs->v[i].symptom_of].id) : "none", want, of ? of : "none");
}

/* Every string still belongs to its finding after the moves. */
static void expect_intact(const td_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        assert_non_null(fs->v[i].summary);
        assert_string_equal(fs->v[i].fix, "fix");
        int s = fs->v[i].symptom_of;
        assert_true(s >= -1 && s < (int)fs->n);
        assert_int_not_equal(s, (int)i);
        if (s >= 0) {
            assert_int_equal(fs->v[s].symptom_of, -1); /* links end at a finding that stands alone */
            /* ... and only where the catalog says one may explain the other */
            if (!td_id_may_be_symptom_of(fs->v[i].id, fs->v[s].id))
                fail_msg("%s linked to %s: not in the catalog", td_id_name(fs->v[i].id), td_id_name(fs->v[s].id));
        }
    }
    if (fs->root_cause >= 0) {
        assert_int_equal(fs->root_cause, 0);
        assert_int_equal(fs->v[0].symptom_of, -1);
        assert_true(fs->v[0].sev >= TD_SEV_WARN);
    }
}

static td_obs *obs_new(void)
{
    td_obs *o = malloc(sizeof *o);
    assert_non_null(o);
    td_obs_init(o);
    snprintf(o->host, sizeof o->host, "www.example.com");
    o->port = 443;
    return o;
}

static void obs_del(td_obs *o)
{
    td_obs_free(o);
    free(o);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_layers(void **state)
{
    (void)state;
    td_findings fs;
    /* Rule order: versions, suites, then the certificate rules. */
    BUILD(&fs, F("LEGACY_PROTOCOL_ENABLED", WARN), F("WEAK_CIPHERS_ENABLED", WARN), F("SERVER_ALERT", FAIL),
          F("CERT_EXPIRED", FAIL), F("OCSP_STAPLING_MISSING", INFO), F("HOSTNAME_MISMATCH", FAIL),
          F("DH_TOO_SMALL", FAIL));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "SERVER_ALERT CERT_EXPIRED HOSTNAME_MISMATCH DH_TOO_SMALL LEGACY_PROTOCOL_ENABLED "
                      "WEAK_CIPHERS_ENABLED OCSP_STAPLING_MISSING");
    assert_int_equal(fs.root_cause, 0);
    for (size_t i = 0; i < fs.n; i++)
        assert_int_equal(fs.v[i].symptom_of, -1);
    expect_intact(&fs);
    td_findings_free(&fs);

    /* Certificate faults come before the rest, whatever the rule order. */
    BUILD(&fs, F("INCONSISTENT_BACKENDS", FAIL), F("CERT_NOT_YET_VALID", FAIL), F("ALPN_MISMATCH", FAIL));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "CERT_NOT_YET_VALID INCONSISTENT_BACKENDS ALPN_MISMATCH");
    expect_intact(&fs);
    td_findings_free(&fs);

    /* The bottom of the stack wins. */
    BUILD(&fs, F("NOT_TLS", FAIL), F("CONNECT_TIMEOUT", FAIL), F("DNS_FAILURE", FAIL));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "DNS_FAILURE NOT_TLS CONNECT_TIMEOUT");
    expect_intact(&fs);
    td_findings_free(&fs);
    BUILD(&fs, F("CERT_EXPIRED", FAIL), F("RESET_AFTER_CLIENTHELLO", FAIL), F("NO_SHARED_GROUP", FAIL));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "RESET_AFTER_CLIENTHELLO CERT_EXPIRED NO_SHARED_GROUP");
    expect_intact(&fs);
    td_findings_free(&fs);
}

static void test_no_fail_or_warn(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("TLS13_MISSING", INFO), F("OCSP_STAPLING_MISSING", INFO), F("CHAIN_ORDER", INFO));
    td_rank_findings(NULL, &fs);
    assert_int_equal(fs.root_cause, -1);
    expect_order(&fs, "TLS13_MISSING OCSP_STAPLING_MISSING CHAIN_ORDER");
    expect_intact(&fs);
    td_findings_free(&fs);

    /* Nothing at all. */
    memset(&fs, 0, sizeof fs);
    td_rank_findings(NULL, &fs);
    assert_int_equal(fs.root_cause, -1);
    assert_int_equal(fs.n, 0);
    td_rank_findings(NULL, NULL); /* tolerated */
}

static void test_stable(void **state)
{
    (void)state;
    td_findings fs;
    /* Warnings only, none explaining another: the first warning in rule
     * order is the root cause, the rest keep their order, fail before
     * warn before info. */
    BUILD(&fs, F("TLS13_MISSING", INFO), F("SNI_REQUIRED", WARN), F("OCSP_STAPLING_MISSING", INFO),
          F("NO_FORWARD_SECRECY", WARN), F("CERT_EXPIRING_SOON", WARN), F("CHAIN_ORDER", INFO));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "SNI_REQUIRED NO_FORWARD_SECRECY CERT_EXPIRING_SOON TLS13_MISSING OCSP_STAPLING_MISSING "
                      "CHAIN_ORDER");
    assert_int_equal(fs.root_cause, 0);
    for (size_t i = 0; i < fs.n; i++)
        assert_int_equal(fs.v[i].symptom_of, -1);
    /* Ranking twice changes nothing. */
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "SNI_REQUIRED NO_FORWARD_SECRECY CERT_EXPIRING_SOON TLS13_MISSING OCSP_STAPLING_MISSING "
                      "CHAIN_ORDER");
    expect_intact(&fs);
    /* The summaries travelled with their findings. */
    assert_string_equal(fs.v[at(&fs, "CERT_EXPIRING_SOON")].summary, "CERT_EXPIRING_SOON summary #4");
    assert_string_equal(fs.v[at(&fs, "TLS13_MISSING")].summary, "TLS13_MISSING summary #0");
    td_findings_free(&fs);
}

static void test_hygiene_never_root_with_fail(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("LEGACY_PROTOCOL_ENABLED", WARN), F("WEAK_CIPHERS_ENABLED", WARN),
          F("RESUMPTION_BROKEN", FAIL));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "RESUMPTION_BROKEN LEGACY_PROTOCOL_ENABLED WEAK_CIPHERS_ENABLED");
    assert_int_equal(fs.root_cause, 0);
    expect_intact(&fs);
    td_findings_free(&fs);

    /* Without a failure, a legacy protocol is what there is to fix first. */
    BUILD(&fs, F("TLS13_MISSING", INFO), F("LEGACY_PROTOCOL_ENABLED", WARN), F("WEAK_CIPHERS_ENABLED", WARN));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "LEGACY_PROTOCOL_ENABLED WEAK_CIPHERS_ENABLED TLS13_MISSING");
    assert_int_equal(fs.root_cause, 0);
    td_findings_free(&fs);
}

static void test_protocol_too_old(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("PROTOCOL_TOO_OLD", FAIL), F("LEGACY_PROTOCOL_ENABLED", WARN), F("TLS13_MISSING", INFO),
          F("WEAK_CIPHERS_ONLY", FAIL),
          FC(FAIL, "Chrome cannot connect: no shared protocol version (it offers TLS 1.2 "
                   "and 1.3, the server TLS 1.0 only).", VERSION, -1),
          FC(FAIL, "Firefox cannot connect: no shared protocol version.", VERSION, -1));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "PROTOCOL_TOO_OLD WEAK_CIPHERS_ONLY CLIENT_INCOMPATIBLE CLIENT_INCOMPATIBLE "
                      "LEGACY_PROTOCOL_ENABLED TLS13_MISSING");
    assert_int_equal(fs.root_cause, 0);
    expect_symptom(&fs, "LEGACY_PROTOCOL_ENABLED", "PROTOCOL_TOO_OLD");
    expect_symptom(&fs, "TLS13_MISSING", "PROTOCOL_TOO_OLD");
    assert_int_equal(fs.v[2].symptom_of, 0);
    assert_int_equal(fs.v[3].symptom_of, 0);
    expect_symptom(&fs, "WEAK_CIPHERS_ONLY", NULL); /* a second, independent fault */
    expect_intact(&fs);
    td_findings_free(&fs);
}

/* A TLS 1.3-only server: old clients fail for want of a shared version, a
 * fact about those clients that no server-side ID names. */
static void test_tls13_only(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("OCSP_STAPLING_MISSING", INFO),
          FC(FAIL, "Java 8 (8u161 and later) fails at ServerHello: no shared protocol version.", VERSION, -1),
          FC(FAIL, "OpenSSL 1.0.2 fails at ServerHello: no shared protocol version.", VERSION, -1));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "CLIENT_INCOMPATIBLE CLIENT_INCOMPATIBLE OCSP_STAPLING_MISSING");
    assert_int_equal(fs.root_cause, 0);
    assert_non_null(strstr(fs.v[0].summary, "Java 8"));
    assert_int_equal(fs.v[0].symptom_of, -1);
    assert_int_equal(fs.v[1].symptom_of, -1);
    expect_intact(&fs);
    td_findings_free(&fs);
}

static void test_client_reasons(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("DH_TOO_SMALL", WARN), F("CHAIN_INCOMPLETE", FAIL), F("UNTRUSTED_CA", FAIL),
          F("NO_SHARED_GROUP", FAIL), F("KEY_TOO_SMALL", FAIL), F("SNI_REQUIRED", WARN),
          FC(FAIL, "curl (OpenSSL 3) cannot build a chain: the intermediate is missing.", CHAIN, -1),
          FC(FAIL, "Java 17 does not trust the root CA of the chain.", TRUST, -1),
          FC(FAIL, "OpenSSL 3 refuses the server's 1024-bit DH group.", DH, -1),
          FC(FAIL, "Go 1.21 shares no key-exchange group with the server.", GROUP, -1),
          FC(FAIL, "Android 7 refuses a 1024-bit RSA key.", KEY, -1),
          FC(FAIL, "Old IoT (TLS 1.0) sends no SNI and fails.", SNI, -1),
          /* the typed reason decides, not the wording */
          FC(FAIL, "Python requests fails.", CHAIN, -1),
          FC(FAIL, "Something unheard of happens to this client.", NONE, -1),
          FC(FAIL, "Java 7 cannot connect: the server's DHE group has 2048 bits, and Java 7 handles at most 1024.",
             DH_TOO_LARGE, -1),
          FC(FAIL, "Java 8 cannot connect: the server's DHE group has 1024 bits, and Java 8 requires at least 2048.",
             DH, -1));
    td_rank_findings(NULL, &fs);
    /* NO_SHARED_GROUP is negotiation, below the certificate faults. */
    assert_int_equal(fs.v[0].id, TD_ID_NO_SHARED_GROUP);
    int chain = at(&fs, "CHAIN_INCOMPLETE"), untrusted = at(&fs, "UNTRUSTED_CA"), dh = at(&fs, "DH_TOO_SMALL"),
        group = at(&fs, "NO_SHARED_GROUP"), key = at(&fs, "KEY_TOO_SMALL"), sni = at(&fs, "SNI_REQUIRED");
    struct {
        const char *prefix;
        int of;
    } want[] = {
        { "curl", chain }, { "Java 17", untrusted }, { "OpenSSL 3", dh }, { "Go 1.21", group },
        { "Android 7", key }, { "Old IoT", sni }, { "Python requests", chain }, { "Something", -1 },
        { "Java 7", -1 }, { "Java 8", dh },
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        bool seen = false;
        for (size_t i = 0; i < fs.n; i++) {
            if (fs.v[i].id != TD_ID_CLIENT_INCOMPATIBLE ||
                strncmp(fs.v[i].summary, want[w].prefix, strlen(want[w].prefix)) != 0)
                continue;
            seen = true;
            if (fs.v[i].symptom_of != want[w].of)
                fail_msg("%s: symptom_of %d, want %d", fs.v[i].summary, fs.v[i].symptom_of, want[w].of);
        }
        assert_true(seen);
    }
    expect_symptom(&fs, "DH_TOO_SMALL", NULL);
    expect_intact(&fs);
    td_findings_free(&fs);
}

/* A warning that makes a client fail is the cause of that failure. */
static void test_warning_explains_failure(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("LEGACY_PROTOCOL_ENABLED", WARN), F("DH_TOO_SMALL", WARN), F("CERT_EXPIRING_SOON", WARN),
          FC(FAIL, "Java 8 refuses the server's 1024-bit DHE group.", DH, -1));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "DH_TOO_SMALL CLIENT_INCOMPATIBLE LEGACY_PROTOCOL_ENABLED CERT_EXPIRING_SOON");
    assert_int_equal(fs.root_cause, 0);
    expect_symptom(&fs, "CLIENT_INCOMPATIBLE", "DH_TOO_SMALL");
    expect_intact(&fs);
    td_findings_free(&fs);

    /* Suites: the shared-suite finding explains the weak list too. */
    BUILD(&fs, F("WEAK_CIPHERS_ONLY", FAIL), F("NO_SHARED_CIPHER", FAIL), F("NO_FORWARD_SECRECY", WARN),
          FC(FAIL, "Chrome shares no cipher suite with the server.", SUITE, -1));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "NO_SHARED_CIPHER WEAK_CIPHERS_ONLY CLIENT_INCOMPATIBLE NO_FORWARD_SECRECY");
    expect_symptom(&fs, "WEAK_CIPHERS_ONLY", "NO_SHARED_CIPHER");
    expect_symptom(&fs, "CLIENT_INCOMPATIBLE", "NO_SHARED_CIPHER");
    expect_symptom(&fs, "NO_FORWARD_SECRECY", NULL);
    expect_intact(&fs);
    td_findings_free(&fs);
}

static void test_certificate_links(void **state)
{
    (void)state;
    td_findings fs;
    BUILD(&fs, F("HOSTNAME_MISMATCH", FAIL), F("NO_SAN", WARN), F("CERT_EXPIRING_SOON", WARN));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "HOSTNAME_MISMATCH NO_SAN CERT_EXPIRING_SOON");
    expect_symptom(&fs, "NO_SAN", "HOSTNAME_MISMATCH");
    expect_symptom(&fs, "CERT_EXPIRING_SOON", NULL);
    expect_intact(&fs);
    td_findings_free(&fs);

    /* The leaf not sent first explains every verdict on "the leaf", and
     * the NO_SAN -> HOSTNAME_MISMATCH link ends at it as well. */
    BUILD(&fs, F("CERT_EXPIRED", FAIL), F("HOSTNAME_MISMATCH", FAIL), F("NO_SAN", WARN),
          F("UNTRUSTED_CA", FAIL), F("CHAIN_ORDER", FAIL), F("RESUMPTION_BROKEN", WARN));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "CHAIN_ORDER CERT_EXPIRED HOSTNAME_MISMATCH UNTRUSTED_CA NO_SAN RESUMPTION_BROKEN");
    expect_symptom(&fs, "CERT_EXPIRED", "CHAIN_ORDER");
    expect_symptom(&fs, "HOSTNAME_MISMATCH", "CHAIN_ORDER");
    expect_symptom(&fs, "NO_SAN", "CHAIN_ORDER");
    expect_symptom(&fs, "UNTRUSTED_CA", "CHAIN_ORDER");
    expect_symptom(&fs, "RESUMPTION_BROKEN", NULL);
    expect_intact(&fs);
    td_findings_free(&fs);

    /* Merely out of order (a warning): it explains nothing. */
    BUILD(&fs, F("CHAIN_ORDER", WARN), F("HOSTNAME_MISMATCH", FAIL));
    td_rank_findings(NULL, &fs);
    expect_order(&fs, "HOSTNAME_MISMATCH CHAIN_ORDER");
    expect_symptom(&fs, "HOSTNAME_MISMATCH", NULL);
    td_findings_free(&fs);
}

/* A modern client gets a TCP RST after its ClientHello, an old one gets
 * through: the suite list is the cause, not the network. */
static const td_client modern = {
    .id = "modern-browser", .name = "Modern Browser 1", .family = "browser",
    .versions = { TD_TLS13, TD_TLS12 }, .n_versions = 2,
    .suites = { 0x1301, 0x1302, 0xc02b, 0xc02f }, .n_suites = 4,
};
static const td_client oldie = {
    .id = "old-iot", .name = "Old IoT stack", .family = "embedded",
    .versions = { TD_TLS10 }, .n_versions = 1,
    .suites = { 0x000a, 0x0005 }, .n_suites = 2,
};

static td_obs *rst_for_modern(void)
{
    td_obs *o = obs_new();
    o->sims[0] = (td_sim){ .client = &modern, .hello = { .out = TD_OUT_RESET, .offered_version = TD_TLS13 } };
    o->sims[1] = (td_sim){ .client = &oldie,
                           .hello = { .out = TD_OUT_HELLO, .version = TD_TLS10, .suite = 0x000a } };
    o->n_sims = 2;
    int i10 = td_vidx(TD_TLS10);
    o->version_ok[i10] = TD_YES;
    o->suites[i10][0] = 0x000a;
    o->n_suites[i10] = 1;
    return o;
}

static void test_reset_is_the_suite_list(void **state)
{
    (void)state;
    td_obs *o = rst_for_modern();
    td_findings fs;
    BUILD(&fs, F("RESET_AFTER_CLIENTHELLO", FAIL), F("PROTOCOL_TOO_OLD", FAIL), F("NO_SHARED_CIPHER", FAIL),
          FC(FAIL, "Modern Browser 1 fails at ServerHello: the server resets the connection (TCP RST) after "
                   "the ClientHello.", RESET, 0),
          F("LEGACY_PROTOCOL_ENABLED", WARN));
    td_rank_findings(o, &fs);
    assert_int_equal(fs.root_cause, 0);
    /* Both negotiation faults stand; the reset is no fault of its own. */
    expect_order(&fs, "NO_SHARED_CIPHER RESET_AFTER_CLIENTHELLO PROTOCOL_TOO_OLD CLIENT_INCOMPATIBLE "
                      "LEGACY_PROTOCOL_ENABLED");
    expect_symptom(&fs, "RESET_AFTER_CLIENTHELLO", "NO_SHARED_CIPHER");
    expect_symptom(&fs, "CLIENT_INCOMPATIBLE", "NO_SHARED_CIPHER");
    expect_symptom(&fs, "LEGACY_PROTOCOL_ENABLED", "PROTOCOL_TOO_OLD");
    expect_intact(&fs);
    td_findings_free(&fs);

    /* Nobody gets through: the reset is the root cause itself. */
    td_obs *none = obs_new();
    BUILD(&fs, F("RESET_AFTER_CLIENTHELLO", FAIL), F("NO_SHARED_CIPHER", FAIL),
          FC(FAIL, "Modern Browser 1: the server resets the connection.", RESET, -1));
    td_rank_findings(none, &fs);
    expect_order(&fs, "RESET_AFTER_CLIENTHELLO NO_SHARED_CIPHER CLIENT_INCOMPATIBLE");
    expect_symptom(&fs, "CLIENT_INCOMPATIBLE", "RESET_AFTER_CLIENTHELLO");
    expect_symptom(&fs, "NO_SHARED_CIPHER", NULL);
    td_findings_free(&fs);
    obs_del(none);

    /* Both intolerance and a suite problem: each client's own suites
     * decide.  The modern client shares none of the server's suites; a
     * client that shares one was broken by the intolerance. */
    BUILD(&fs, F("VERSION_INTOLERANCE", FAIL), F("SERVER_ALERT", FAIL), F("NO_SHARED_CIPHER", FAIL),
          FC(FAIL, "Modern Browser 1: connection reset after the ClientHello.", RESET, 0),
          FC(FAIL, "A client without a profile here fails.", RESET, -1),
          FC(FAIL, "Old IoT stack: closed (FIN) after the ClientHello, no alert.", CLOSED, 1));
    td_rank_findings(o, &fs);
    int vi = at(&fs, "VERSION_INTOLERANCE"), nc = at(&fs, "NO_SHARED_CIPHER");
    assert_int_equal(fs.root_cause, 0);
    assert_true(vi == 0 || nc == 0);
    expect_symptom(&fs, "SERVER_ALERT", "VERSION_INTOLERANCE");
    for (size_t i = 0; i < fs.n; i++) {
        if (fs.v[i].id != TD_ID_CLIENT_INCOMPATIBLE)
            continue;
        if (strncmp(fs.v[i].summary, "Modern", 6) == 0)
            assert_int_equal(fs.v[i].symptom_of, nc);
        else
            assert_int_equal(fs.v[i].symptom_of, vi); /* unnamed, or shares a suite */
    }
    expect_intact(&fs);
    td_findings_free(&fs);
    obs_del(o);
}

static void test_reset_is_intolerance(void **state)
{
    (void)state;
    td_obs *o = obs_new();
    int i12 = td_vidx(TD_TLS12);
    o->version_ok[i12] = TD_YES;
    td_findings fs;
    /* The rules' order: intolerance first, then the alert it caused. */
    BUILD(&fs, F("VERSION_INTOLERANCE", FAIL), F("SERVER_ALERT", FAIL), F("TLS13_MISSING", INFO),
          F("HANDSHAKE_TIMEOUT", FAIL));
    td_rank_findings(o, &fs);
    expect_order(&fs, "VERSION_INTOLERANCE SERVER_ALERT HANDSHAKE_TIMEOUT TLS13_MISSING");
    expect_symptom(&fs, "SERVER_ALERT", "VERSION_INTOLERANCE");
    expect_symptom(&fs, "HANDSHAKE_TIMEOUT", "VERSION_INTOLERANCE");
    expect_symptom(&fs, "TLS13_MISSING", NULL);
    expect_intact(&fs);
    td_findings_free(&fs);
    obs_del(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_no_fail_or_warn),
        cmocka_unit_test(test_stable),
        cmocka_unit_test(test_hygiene_never_root_with_fail),
        cmocka_unit_test(test_protocol_too_old),
        cmocka_unit_test(test_tls13_only),
        cmocka_unit_test(test_client_reasons),
        cmocka_unit_test(test_warning_explains_failure),
        cmocka_unit_test(test_certificate_links),
        cmocka_unit_test(test_reset_is_the_suite_list),
        cmocka_unit_test(test_reset_is_intolerance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
