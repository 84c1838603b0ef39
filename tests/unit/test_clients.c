/* Client profiles: the compiled-in data file loads, every profile is
 * consistent with the registries and yields a ClientHello, the facts the
 * diagnoses lean on hold, and a malformed file is refused with the profile
 * named, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs/obs.h"
#include "registry/clients.h"
#include "registry/clients_int.h"
#include "registry/registry.h"
#include "wire/hello.h"
#include "wire/tls.h"

static const td_client *must(const char *id)
{
    const td_client *c = td_client_by_id(id);
    if (!c)
        fail_msg("no profile '%s'", id);
    return c;
}

static bool has(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

static bool offers(const td_client *c, uint16_t v)
{
    return has(c->versions, c->n_versions, v);
}

static void loads(void **state)
{
    (void)state;
    if (td_clients_error()[0])
        fail_msg("%s", td_clients_error());
    assert_true(td_client_count() >= 32);
    /* The probe keeps one observation per profile in td_obs.sims. */
    assert_true(td_client_count() <= TD_MAX_CLIENTS);
    assert_null(td_client_at(td_client_count()));
}

static void ids_unique_and_found(void **state)
{
    (void)state;
    size_t n = td_client_count();
    for (size_t i = 0; i < n; i++) {
        const td_client *c = td_client_at(i);
        assert_non_null(c->id);
        assert_ptr_equal(td_client_by_id(c->id), c);
        for (size_t k = i + 1; k < n; k++)
            assert_int_not_equal(strcmp(c->id, td_client_at(k)->id), 0);
        assert_non_null(c->name);
        assert_non_null(c->family);
        assert_true(c->source && strlen(c->source) > 40);
    }
    /* Short names tell the profiles apart: the reports name clients by
     * them (the verdict line, the clients table). */
    for (size_t i = 0; i < n; i++) {
        const char *a = td_client_at(i)->name;
        size_t la = td_client_short_len(a);
        assert_true(la > 0 && la <= 28); /* the clients table's name column */
        for (size_t k = i + 1; k < n; k++) {
            const char *b = td_client_at(k)->name;
            assert_false(la == td_client_short_len(b) && strncmp(a, b, la) == 0);
        }
    }
    assert_int_equal(td_client_short_len("Java 8 (8u161 to 8u251)"), 6);
    assert_int_equal(td_client_short_len("Firefox 135 and later"), 21);
    assert_int_equal(td_client_short_len(" (x)"), 4);
    assert_int_equal(td_client_short_len(NULL), 0);
    assert_ptr_equal(td_client_by_id("JAVA-8"), td_client_by_id("java-8"));
    assert_null(td_client_by_id("no-such-client"));
    assert_null(td_client_by_id(""));
    assert_null(td_client_by_id(NULL));
}

/* Every suite is in the registry and can be negotiated in one of the
 * versions the profile offers; every version has a suite. */
static void suites_known_and_usable(void **state)
{
    (void)state;
    for (size_t i = 0; i < td_client_count(); i++) {
        const td_client *c = td_client_at(i);
        assert_true(c->n_suites > 0);
        for (size_t k = 0; k < c->n_suites; k++) {
            const td_suite *s = td_suite_by_id(c->suites[k]);
            if (!s)
                fail_msg("%s: unknown suite 0x%04x", c->id, c->suites[k]);
            bool ok = false;
            for (size_t v = 0; v < c->n_versions; v++)
                ok = ok || (c->versions[v] >= s->min_version && c->versions[v] <= s->max_version);
            if (!ok)
                fail_msg("%s: %s in none of its versions", c->id, s->iana);
            assert_int_not_equal(c->suites[k], TD_SCSV_RENEGOTIATION);
            assert_int_not_equal(c->suites[k], TD_SCSV_FALLBACK);
        }
        for (size_t k = 0; k < c->n_groups; k++)
            assert_non_null(td_group_by_id(c->groups[k]));
        for (size_t k = 0; k < c->n_sigalgs; k++)
            assert_non_null(td_sigalg_by_id(c->sigalgs[k]));
        for (size_t v = 1; v < c->n_versions; v++)
            assert_true(c->versions[v] < c->versions[v - 1]);
        assert_true(c->versions[c->n_versions - 1] >= TD_SSL3);
        assert_true(c->versions[0] <= TD_TLS13);
    }
}

static void tls13_clients(void **state)
{
    (void)state;
    size_t n13 = 0;
    for (size_t i = 0; i < td_client_count(); i++) {
        const td_client *c = td_client_at(i);
        if (!offers(c, TD_TLS13)) {
            assert_int_equal(c->n_key_shares, 0);
            continue;
        }
        n13++;
        bool suite13 = false;
        for (size_t k = 0; k < c->n_suites; k++)
            suite13 = suite13 || td_suite_by_id(c->suites[k])->min_version == TD_TLS13;
        if (!suite13)
            fail_msg("%s offers TLS 1.3 without a TLS 1.3 suite", c->id);
        assert_true(c->n_key_shares >= 1);
        for (size_t k = 0; k < c->n_key_shares; k++)
            if (!has(c->groups, c->n_groups, c->key_shares[k]))
                fail_msg("%s: key share 0x%04x not among its groups", c->id, c->key_shares[k]);
        assert_true(c->n_sigalgs > 0);
    }
    assert_true(n13 >= 20);
}

/* The facts the diagnoses and the integration tests rely on. */
static void spot_checks(void **state)
{
    (void)state;
    const td_client *c = must("java-8");
    assert_false(offers(c, TD_TLS13));
    assert_int_equal(c->versions[0], TD_TLS12);
    assert_int_equal(c->store, TD_STORE_JAVA);
    assert_false(c->aia_fetch);
    assert_true(c->cn_fallback);

    c = must("java-7");
    assert_int_equal(c->versions[0], TD_TLS10);
    assert_int_equal(c->max_dh_bits, 1024);

    c = must("openssl-3");
    assert_int_equal(c->min_dh_bits, 2048);
    assert_int_equal(c->min_rsa_bits, 2048);
    assert_false(c->sha1_ok);
    assert_int_equal(c->store, TD_STORE_SYSTEM);

    c = must("openssl-1.1.1");
    assert_int_equal(c->min_dh_bits, 1024);
    assert_true(c->sha1_ok);
    c = must("openssl-1.0.2");
    assert_false(offers(c, TD_TLS13));
    assert_true(c->min_dh_bits < 1024); /* a 1024-bit DHE server still works */
    bool dhe = false;
    for (size_t k = 0; k < c->n_suites; k++)
        dhe = dhe || td_suite_by_id(c->suites[k])->kx == TD_KX_DHE;
    assert_true(dhe);

    c = must("old-iot");
    assert_false(c->sni);
    assert_int_equal(c->versions[0], TD_TLS10);
    assert_int_equal(c->n_versions, 1);
    assert_int_equal(c->store, TD_STORE_OWN);
    assert_false(c->aia_fetch);
    for (size_t k = 0; k < c->n_suites; k++) {
        const td_suite *s = td_suite_by_id(c->suites[k]);
        assert_int_equal(s->kx, TD_KX_RSA);
        assert_int_not_equal(s->auth, TD_AU_ECDSA);
    }

    c = must("chrome");
    assert_true(c->aia_fetch);
    assert_false(c->cn_fallback);
    assert_true(c->sni);
    assert_string_equal(c->alpn, "h2,http/1.1");
    assert_true(has(c->groups, c->n_groups, 0x11EC)); /* X25519MLKEM768 */
    assert_true(c->hello_flags & TD_HELLO_SCT);
    assert_false(c->hello_flags & TD_HELLO_NO_EXTENSIONS);

    assert_false(must("firefox")->aia_fetch);
    assert_int_equal(must("firefox")->store, TD_STORE_MOZILLA);
    assert_true(must("safari")->aia_fetch);
    assert_int_equal(must("safari")->store, TD_STORE_APPLE);
    assert_true(must("edge")->aia_fetch);

    c = must("python-requests-certifi");
    assert_int_equal(c->store, TD_STORE_MOZILLA);
    assert_false(c->cn_fallback);
    assert_int_equal(must("python3-ssl")->store, TD_STORE_SYSTEM);
    assert_true(must("python3-ssl")->cn_fallback);
    assert_false(must("curl-openssl3")->aia_fetch);
    assert_false(must("java-17")->aia_fetch);

    c = must("go-1.24");
    assert_true(has(c->groups, c->n_groups, 0x11EC));
    assert_false(c->cn_fallback);
    for (size_t k = 0; k < c->n_suites; k++)
        assert_int_not_equal(td_suite_by_id(c->suites[k])->kx, TD_KX_RSA);
    assert_true(must("go-1.12")->cn_fallback);
    assert_false(offers(must("go-1.12"), TD_TLS13));

    /* Windows 7's Schannel has no ECDHE-RSA-AES-GCM suite. */
    c = must("dotnet-win7");
    assert_false(has(c->suites, c->n_suites, 0xC02F));
    assert_false(has(c->suites, c->n_suites, 0xC030));
    assert_true(offers(must("dotnet-win11"), TD_TLS13));
    assert_false(offers(must("dotnet-win10"), TD_TLS13));
    assert_true(offers(must("android-14"), TD_TLS13));
    assert_int_equal(must("android-4.4")->versions[0], TD_TLS10);
    assert_int_equal(must("node-20")->store, TD_STORE_MOZILLA);

    /* The families the issue asks to cover. */
    const char *const ids[] = {
        "chrome", "firefox", "safari", "ios-safari", "edge", "android-4.4", "android-7", "android-14",
        "java-8", "java-11", "java-17", "java-21", "openssl-1.0.2", "openssl-1.1.1", "openssl-3",
        "curl-openssl3", "wget-openssl3", "python3-ssl", "python-requests-certifi", "ruby-openssl3",
        "php-openssl3", "go-1.12", "go-1.24", "node-20", "dotnet-win7", "dotnet-win10", "dotnet-win11",
        "mbedtls-2", "mbedtls-3", "wolfssl-5", "old-iot",
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        must(ids[i]);
}

static void store_names(void **state)
{
    (void)state;
    assert_string_equal(td_store_kind_name(TD_STORE_SYSTEM), "system");
    assert_string_equal(td_store_kind_name(TD_STORE_MOZILLA), "Mozilla");
    assert_string_equal(td_store_kind_name(TD_STORE_JAVA), "Java cacerts");
    assert_string_equal(td_store_kind_name(TD_STORE_WINDOWS), "Windows");
    assert_string_equal(td_store_kind_name(TD_STORE_APPLE), "Apple");
    assert_string_equal(td_store_kind_name(TD_STORE_ANDROID), "Android");
    assert_string_equal(td_store_kind_name(TD_STORE_OWN), "device's own");
    assert_string_equal(td_store_kind_name((td_store_kind)99), "unknown");
}

/* The levels of Mozilla's server-side TLS guidelines, and where the real
 * profiles fall: by the newest version each offers. */
static void levels(void **state)
{
    (void)state;
    const char *const old[] = { "java-7", "android-4.4", "old-iot" };
    const char *const intermediate[] = { "java-8", "dotnet-win7", "dotnet-win10", "openssl-1.0.2", "go-1.12" };
    const char *const modern[] = { "chrome", "firefox", "safari", "java-11", "openssl-3", "android-14" };
    for (size_t i = 0; i < sizeof old / sizeof *old; i++)
        assert_int_equal(td_client_level_of(must(old[i])), TD_LEVEL_OLD);
    for (size_t i = 0; i < sizeof intermediate / sizeof *intermediate; i++)
        assert_int_equal(td_client_level_of(must(intermediate[i])), TD_LEVEL_INTERMEDIATE);
    for (size_t i = 0; i < sizeof modern / sizeof *modern; i++)
        assert_int_equal(td_client_level_of(must(modern[i])), TD_LEVEL_MODERN);
    /* every profile below TLS 1.2 is old, whatever else it offers */
    for (size_t i = 0; i < td_client_count(); i++) {
        const td_client *c = td_client_at(i);
        if (!offers(c, TD_TLS12) && !offers(c, TD_TLS13))
            assert_int_equal(td_client_level_of(c), TD_LEVEL_OLD);
    }
    assert_int_equal(td_client_level_of(NULL), TD_LEVEL_OLD);

    td_client_level l = TD_LEVEL_MODERN;
    assert_int_equal(td_client_level_parse("old", &l), 0);
    assert_int_equal(l, TD_LEVEL_OLD);
    assert_int_equal(td_client_level_parse("Intermediate", &l), 0);
    assert_int_equal(l, TD_LEVEL_INTERMEDIATE);
    assert_int_equal(td_client_level_parse("MODERN", &l), 0);
    assert_int_equal(l, TD_LEVEL_MODERN);
    const char *const bad[] = { "", "modern ", "legacy", "tls1.2" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(td_client_level_parse(bad[i], &l), -1);
        assert_int_equal(l, TD_LEVEL_MODERN); /* untouched */
    }
    assert_int_equal(td_client_level_parse(NULL, &l), -1);

    assert_string_equal(td_client_level_name(TD_LEVEL_OLD), "old");
    assert_string_equal(td_client_level_name(TD_LEVEL_INTERMEDIATE), "intermediate");
    assert_string_equal(td_client_level_name(TD_LEVEL_MODERN), "modern");
    assert_string_equal(td_client_level_name((td_client_level)9), "?");
    assert_null(td_client_level_below(TD_LEVEL_OLD));
    assert_string_equal(td_client_level_below(TD_LEVEL_INTERMEDIATE), "end-of-life clients (TLS 1.1 and below)");
    assert_string_equal(td_client_level_below(TD_LEVEL_MODERN), "clients without TLS 1.3");
    assert_int_equal(TD_LEVEL_DEFAULT, TD_LEVEL_INTERMEDIATE);
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The hello every profile asks for can be built, and its cipher_suites
 * field is the profile's list in the profile's order. */
static void hello_from_every_profile(void **state)
{
    (void)state;
    static uint8_t out[1 << 16];
    for (size_t i = 0; i < td_client_count(); i++) {
        const td_client *c = td_client_at(i);
        bool tls13 = c->versions[0] == TD_TLS13;
        td_hello_spec s = {
            .version = c->versions[0],
            .versions = tls13 ? c->versions : NULL,
            .n_versions = tls13 ? c->n_versions : 0,
            .suites = c->suites,
            .n_suites = c->n_suites,
            .groups = c->groups,
            .n_groups = c->n_groups,
            .key_shares = c->key_shares,
            .n_key_shares = c->n_key_shares,
            .sigalgs = c->sigalgs,
            .n_sigalgs = c->n_sigalgs,
            .sni = c->sni ? "www.example.test" : NULL,
            .alpn = c->alpn,
            .flags = c->hello_flags,
        };
        size_t n = 0;
        if (td_hello_build(&s, out, sizeof out, &n) != 0)
            fail_msg("%s: td_hello_build refused the profile", c->id);
        assert_true(n > 5 + 4 + 2 + 32 + 1);
        assert_int_equal(out[0], TD_CT_HANDSHAKE);
        assert_int_equal(out[5], TD_HS_CLIENT_HELLO);
        size_t p = 5 + 4 + 2 + 32;
        p += 1 + out[p];                      /* legacy_session_id */
        size_t slen = rd16(out + p);
        p += 2;
        size_t want = c->n_suites + ((c->hello_flags & TD_HELLO_SCSV_RENEG) ? 1 : 0);
        assert_int_equal(slen, 2 * want);
        for (size_t k = 0; k < c->n_suites; k++)
            assert_int_equal(rd16(out + p + 2 * k), c->suites[k]);
        p += slen;
        p += 1 + out[p];                      /* compression_methods */
        /* A hello without extensions ends here (RFC 5246 section 7.4.1.2). */
        if (c->hello_flags & TD_HELLO_NO_EXTENSIONS)
            assert_int_equal(p, n);
        else
            assert_true(p < n);
    }
}

/* ---- malformed files ---- */

static json_t *base_profile(const char *id)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:[s,s], s:[s,s,i], s:[s,s], s:[s], s:[s,s], s:b, s:s, s:[s,s], s:s, "
                          "s:b, s:b, s:b, s:i, s:i, s:i, s:s}",
                          "id", id, "name", "Test client", "family", "library", "versions", "TLS1.3", "0x0303",
                          "suites", "0x1301", "0xc02f", 0x002f, "groups", "0x001d", "0x0017", "key_shares",
                          "0x001d", "sigalgs", "0x0804", "0x0403", "sni", 1, "alpn", "h2,http/1.1", "hello_flags",
                          "ems", "scsv_reneg", "store", "system", "aia_fetch", 0, "cn_fallback", 1, "sha1_ok", 0,
                          "min_rsa_bits", 2048, "min_dh_bits", 2048, "max_dh_bits", 0, "source",
                          "made up for the unit test");
    assert_non_null(p);
    return p;
}

/* Parses a document holding a valid profile and then p; returns the error. */
static int parse_with(json_t *p, char *err, size_t errlen, td_client_set *set)
{
    json_t *doc = json_pack("{s:i, s:[o,o]}", "format", 1, "clients", base_profile("good-one"), p);
    assert_non_null(doc);
    char *text = json_dumps(doc, 0);
    assert_non_null(text);
    json_decref(doc);
    int rc = td_clients_parse(text, strlen(text), set, err, errlen);
    free(text);
    return rc;
}

static void valid_document(void **state)
{
    (void)state;
    char err[320];
    td_client_set set;
    assert_int_equal(parse_with(base_profile("bad-1"), err, sizeof err, &set), 0);
    assert_string_equal(err, "");
    assert_int_equal(set.n, 2);
    const td_client *c = &set.v[1];
    assert_string_equal(c->id, "bad-1");
    assert_int_equal(c->n_versions, 2);
    assert_int_equal(c->versions[0], TD_TLS13);
    assert_int_equal(c->versions[1], TD_TLS12);
    assert_int_equal(c->n_suites, 3);
    assert_int_equal(c->suites[1], 0xC02F);
    assert_int_equal(c->suites[2], 0x002F); /* written as a number */
    assert_int_equal(c->key_shares[0], 29);
    assert_int_equal(c->hello_flags, TD_HELLO_EMS | TD_HELLO_SCSV_RENEG);
    assert_true(c->sni);
    assert_string_equal(c->alpn, "h2,http/1.1");
    assert_int_equal(c->store, TD_STORE_SYSTEM);
    assert_true(c->cn_fallback);
    assert_int_equal(c->min_rsa_bits, 2048);
    td_clients_free(&set);
    assert_null(set.v);
    td_clients_free(&set);
    td_clients_free(NULL);
}

typedef struct bad_case {
    const char *key;
    const char *json;     /* the new value, as JSON; NULL deletes the key */
    const char *expect;   /* a piece of the error message */
} bad_case;

static void refuses_bad_profiles(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "versions", "[\"TLS1.3\", \"0x0305\"]", "versions[1]" },
        { "versions", "[\"TLS1.2\", \"TLS1.3\"]", "highest first" },
        { "versions", "[\"0x0002\"]", "versions[0]" },
        { "versions", "[]", "versions: empty" },
        { "versions", "[\"TLS1.2\",\"TLS1.1\",\"TLS1.0\",\"SSLv3\",\"TLS1.3\",\"0x0300\",\"0x0301\"]", "more than" },
        { "suites", "[\"0x1301\", \"0xc0ff\"]", "not a known cipher suite" },
        { "suites", "[\"0x1301\", \"0x00ff\"]", "signalling value" },
        { "suites", "[\"0x1301\", \"0x1301\"]", "listed twice" },
        { "suites", "[\"0xzz01\"]", "suites[0]" },
        { "suites", "[\"0x12345\"]", "suites[0]" },
        { "suites", "[\"1301\"]", "suites[0]" },
        { "suites", "[70000]", "suites[0]" },
        { "suites", "[-1]", "suites[0]" },
        { "suites", "[\"0xc02f\"]", "TLS1.3 is offered but no listed suite" },
        { "suites", "[\"0x1301\", \"0x0004\", \"0xc030\", \"0x0005\", \"0x0007\"]", NULL },
        { "suites", "{}", "not an array" },
        { "groups", "[\"0x001d\",1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]", "more than the 16" },
        { "groups", "[\"0x0017\"]", "not among the groups" },
        { "groups", "[]", "supported_groups" },
        { "groups", "[\"0x7777\"]", "not a known group" },
        { "key_shares", "[]", "at least one share" },
        { "key_shares", "[\"0x001d\",\"0x001d\"]", "listed twice" },
        { "sigalgs", "[]", "signature_algorithms" },
        { "sigalgs", "[\"0x0499\"]", "not a known signature scheme" },
        { "hello_flags", "[\"ems\", \"heartbeat\"]", "hello_flags[1]" },
        { "hello_flags", "[\"ems\", \"ems\"]", "listed twice" },
        { "hello_flags", "[\"no_extensions\"]", "no_extensions" },
        { "store", "\"keychain\"", "store" },
        { "store", "3", "store" },
        { "family", "\"phone\"", "family" },
        { "alpn", "\"h2,,http/1.1\"", "empty protocol name" },
        { "alpn", "\"\"", "alpn" },
        { "alpn", "false", "alpn" },
        { "sni", "\"yes\"", "sni" },
        { "min_dh_bits", "-1", "min_dh_bits" },
        { "min_dh_bits", "1.5", "min_dh_bits" },
        { "max_dh_bits", "1024", "below min_dh_bits" },
        { "min_rsa_bits", "99999", "min_rsa_bits" },
        { "source", "\"\"", "source" },
        { "source", NULL, "missing field \"source\"" },
        { "aia_fetch", NULL, "missing field \"aia_fetch\"" },
        { "colour", "\"blue\"", "unknown field \"colour\"" },
        { "id", "\"Bad Id\"", "only a-z" },
        { "id", "\"good-one\"", "id also used" },
        { "id", "\"GOOD-ONE\"", "only a-z" }, /* upper case never reaches the duplicate check */
        { "id", "\"-x\"", "only a-z" },
        { "id", "42", "profile #1: id" },
        { "id", NULL, "profile #1: missing field \"id\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *p = base_profile("bad-1");
        if (cases[i].json) {
            json_error_t je;
            json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, &je);
            if (!v)
                fail_msg("case %zu: bad test JSON %s", i, cases[i].json);
            json_object_set_new(p, cases[i].key, v);
        } else {
            json_object_del(p, cases[i].key);
        }
        char err[320];
        td_client_set set = { 0 };
        int rc = parse_with(p, err, sizeof err, &set);
        if (!cases[i].expect) {
            /* a control case: a legal variation */
            if (rc != 0)
                fail_msg("case %zu (%s) refused: %s", i, cases[i].key, err);
            td_clients_free(&set);
            continue;
        }
        if (rc == 0)
            fail_msg("case %zu (%s = %s) accepted", i, cases[i].key, cases[i].json ? cases[i].json : "deleted");
        assert_null(set.v);
        assert_int_equal(set.n, 0);
        if (!strstr(err, cases[i].expect))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].expect);
        /* The offending profile is named, by id once it has a usable one. */
        if (strcmp(cases[i].key, "id") != 0 && !strstr(err, "profile 'bad-1'"))
            fail_msg("case %zu: \"%s\" does not name the profile", i, err);
    }
}

static void refuses_bad_documents(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "",
        "not json",
        "[]",
        "{\"format\": 1}",
        "{\"format\": 2, \"clients\": []}",
        "{\"format\": 1, \"clients\": []}",
        "{\"format\": 1, \"clients\": {}}",
        "{\"format\": 1, \"clients\": [1]}",
        "{\"format\": 1, \"clients\": [], \"extra\": 0}",
        "{\"format\": 1, \"format\": 1, \"clients\": []}",
        "{\"format\": 1, \"clients\": [{\"id\": \"a\"}]}",
        "{\"format\": 1, \"clients\": [{\"id\": \"a\\u0000b\"}]}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        char err[320];
        td_client_set set = { 0 };
        if (td_clients_parse(docs[i], strlen(docs[i]), &set, err, sizeof err) == 0)
            fail_msg("document %zu accepted", i);
        assert_true(strlen(err) > 0);
        assert_non_null(strstr(err, "clients.json"));
        assert_null(set.v);
    }
    char err[8];
    td_client_set set;
    assert_int_equal(td_clients_parse(NULL, 0, &set, err, sizeof err), -1);
    assert_int_equal(td_clients_parse("{", 1, NULL, err, sizeof err), -1);
    /* A short error buffer truncates, a missing one is tolerated. */
    assert_int_equal(td_clients_parse("x", 1, &set, err, sizeof err), -1);
    assert_int_equal(strlen(err), sizeof err - 1);
    assert_int_equal(td_clients_parse("x", 1, &set, NULL, 0), -1);
    /* Truncated input: every prefix of the real file is refused cleanly. */
    const char *full = "{\"format\": 1, \"clients\": [{\"id\": \"a\", \"name\": \"b\"}]}";
    for (size_t n = 0; n < strlen(full); n++)
        assert_int_equal(td_clients_parse(full, n, &set, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads),
        cmocka_unit_test(ids_unique_and_found),
        cmocka_unit_test(suites_known_and_usable),
        cmocka_unit_test(tls13_clients),
        cmocka_unit_test(spot_checks),
        cmocka_unit_test(store_names),
        cmocka_unit_test(levels),
        cmocka_unit_test(hello_from_every_profile),
        cmocka_unit_test(valid_document),
        cmocka_unit_test(refuses_bad_profiles),
        cmocka_unit_test(refuses_bad_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
