/* Client profiles: data/clients.json, compiled into the library by
 * scripts/embed.sh and parsed with jansson on first use.
 *
 * Every field is checked against the registries and the TLS rules the
 * hello builder relies on, so a bad edit of the data file fails the unit
 * tests with the profile and field named instead of producing a hello no
 * real client would send (or one td_hello_build refuses at run time). */
#include "registry/clients.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/clients_int.h"
#include "registry/registry.h"
#include "util/str.h"
#include "wire/hello.h"
#include "wire/tls.h"

/* scripts/embed.sh output, built from data/clients.json by the Makefile. */
extern const unsigned char td_clients_json[];
extern const size_t td_clients_json_len;

#define MAX_ID_LEN 40
#define MAX_ALPN_LEN 255   /* the whole comma-separated list */
#define MAX_KEY_BITS 16384

/* ---- errors ---- */

typedef struct perr {
    char *buf;
    size_t len;
    char where[80];        /* "profile 'java-8'" or "profile #3" */
} perr;

static int fail(perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(perr *e, const char *fmt, ...)
{
    if (!e->buf || e->len == 0)
        return -1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e->where[0])
        snprintf(e->buf, e->len, "clients.json: %s: %s", e->where, msg);
    else
        snprintf(e->buf, e->len, "clients.json: %s", msg);
    return -1;
}

/* ---- scalar fields ---- */

/* A 16-bit code point written as a JSON integer or as "0x" and one to four
 * hex digits, the way IANA tables and ClientHello dumps print them. */
static int parse_u16(const json_t *v, uint16_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > 0xffff)
            return -1;
        *out = (uint16_t)i;
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n < 3 || n > 6 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    unsigned val = 0;
    for (size_t i = 2; i < n; i++) {
        int d = td_hex_digit(s[i]);
        if (d < 0)
            return -1;
        val = val * 16u + (unsigned)d;
    }
    *out = (uint16_t)val;
    return 0;
}

static const struct {
    const char *name;
    uint16_t v;
} version_names[] = {
    { "SSLv3", TD_SSL3 }, { "TLS1.0", TD_TLS10 }, { "TLS1.1", TD_TLS11 },
    { "TLS1.2", TD_TLS12 }, { "TLS1.3", TD_TLS13 },
};

static const char *version_name(uint16_t v)
{
    for (size_t i = 0; i < sizeof version_names / sizeof version_names[0]; i++)
        if (version_names[i].v == v)
            return version_names[i].name;
    return "?";
}

static int parse_version(const json_t *v, uint16_t *out)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (size_t i = 0; i < sizeof version_names / sizeof version_names[0]; i++)
            if (strcmp(s, version_names[i].name) == 0) {
                *out = version_names[i].v;
                return 0;
            }
    }
    uint16_t x;
    /* SSLv2 has its own hello format and no place in a profile; nothing
     * above TLS 1.3 exists. */
    if (parse_u16(v, &x) != 0 || x < TD_SSL3 || x > TD_TLS13)
        return -1;
    *out = x;
    return 0;
}

static const struct {
    const char *key;
    const char *name;
    td_store_kind kind;
} stores[] = {
    { "system", "system", TD_STORE_SYSTEM },
    { "mozilla", "Mozilla", TD_STORE_MOZILLA },
    { "java", "Java cacerts", TD_STORE_JAVA },
    { "windows", "Windows", TD_STORE_WINDOWS },
    { "apple", "Apple", TD_STORE_APPLE },
    { "android", "Android", TD_STORE_ANDROID },
    { "own", "device's own", TD_STORE_OWN },
};

const char *td_store_kind_name(td_store_kind k)
{
    for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
        if (stores[i].kind == k)
            return stores[i].name;
    return "unknown";
}

static const struct {
    const char *name;
    unsigned bit;
} flag_names[] = {
    { "reneg_ext", TD_HELLO_RENEG_EXT },
    { "ems", TD_HELLO_EMS },
    { "ticket", TD_HELLO_TICKET },
    { "status_request", TD_HELLO_STATUS_REQUEST },
    { "sct", TD_HELLO_SCT },
    { "psk_modes", TD_HELLO_PSK_MODES },
    { "ec_point_formats", TD_HELLO_EC_POINT_FORMATS },
    { "etm", TD_HELLO_ETM },
    /* Not extensions, but part of what a client sends by default: the
     * RFC 5746 signalling value instead of the extension, and a hello with
     * no extension block at all. */
    { "scsv_reneg", TD_HELLO_SCSV_RENEG },
    { "no_extensions", TD_HELLO_NO_EXTENSIONS },
};

static const char *const families[] = { "browser", "runtime", "library", "tool", "os", "embedded" };

/* ---- one profile ---- */

static const char *const known_keys[] = {
    "id", "name", "family", "versions", "suites", "groups", "key_shares", "sigalgs", "sni", "alpn",
    "hello_flags", "store", "aia_fetch", "cn_fallback", "sha1_ok", "min_rsa_bits", "min_dh_bits",
    "max_dh_bits", "source", "notes",
};

static bool in_list(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

static const json_t *field(perr *e, const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        fail(e, "missing field \"%s\"", key);
    return v;
}

static int get_string(perr *e, const json_t *o, const char *key, const char **out)
{
    const json_t *v = field(e, o, key);
    if (!v)
        return -1;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(e, "%s: not a non-empty string", key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return fail(e, "%s: contains a NUL character", key);
    *out = json_string_value(v);
    return 0;
}

static int get_bool(perr *e, const json_t *o, const char *key, bool *out)
{
    const json_t *v = field(e, o, key);
    if (!v)
        return -1;
    if (!json_is_boolean(v))
        return fail(e, "%s: not true or false", key);
    *out = json_is_true(v);
    return 0;
}

static int get_bits(perr *e, const json_t *o, const char *key, uint16_t *out)
{
    const json_t *v = field(e, o, key);
    if (!v)
        return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > MAX_KEY_BITS)
        return fail(e, "%s: not a number of bits from 0 to %d", key, MAX_KEY_BITS);
    *out = (uint16_t)json_integer_value(v);
    return 0;
}

typedef enum { L_VERSION, L_SUITE, L_GROUP, L_SIGALG } list_kind;

/* Reads an array of code points into out[cap], refusing duplicates and
 * anything the registry does not know. */
static int get_list(perr *e, const json_t *o, const char *key, list_kind kind, uint16_t *out, size_t cap,
                    size_t *n)
{
    const json_t *a = field(e, o, key);
    if (!a)
        return -1;
    if (!json_is_array(a))
        return fail(e, "%s: not an array", key);
    size_t len = json_array_size(a);
    if (len > cap)
        return fail(e, "%s: %zu entries, more than the %zu a profile holds", key, len, cap);
    for (size_t i = 0; i < len; i++) {
        const json_t *v = json_array_get(a, i);
        uint16_t x = 0;
        switch (kind) {
        case L_VERSION:
            if (parse_version(v, &x) != 0)
                return fail(e, "%s[%zu]: not a version from SSLv3 to TLS1.3 (\"TLS1.2\" or \"0x0303\")", key, i);
            break;
        case L_SUITE:
            if (parse_u16(v, &x) != 0)
                return fail(e, "%s[%zu]: not a cipher suite code (\"0xc02f\" or a number)", key, i);
            if (x == TD_SCSV_RENEGOTIATION || x == TD_SCSV_FALLBACK)
                return fail(e, "%s[%zu]: 0x%04x is a signalling value, not a suite (use hello_flags)", key, i, x);
            if (!td_suite_by_id(x))
                return fail(e, "%s[%zu]: 0x%04x is not a known cipher suite", key, i, x);
            break;
        case L_GROUP:
            if (parse_u16(v, &x) != 0)
                return fail(e, "%s[%zu]: not a group code (\"0x001d\" or a number)", key, i);
            if (!td_group_by_id(x))
                return fail(e, "%s[%zu]: 0x%04x is not a known group", key, i, x);
            break;
        case L_SIGALG:
            if (parse_u16(v, &x) != 0)
                return fail(e, "%s[%zu]: not a signature scheme code (\"0x0403\" or a number)", key, i);
            if (!td_sigalg_by_id(x))
                return fail(e, "%s[%zu]: 0x%04x is not a known signature scheme", key, i, x);
            break;
        }
        if (in_list(out, i, x))
            return fail(e, "%s[%zu]: 0x%04x is listed twice", key, i, x);
        out[i] = x;
    }
    *n = len;
    return 0;
}

static int get_flags(perr *e, const json_t *o, unsigned *out)
{
    const json_t *a = field(e, o, "hello_flags");
    if (!a)
        return -1;
    if (!json_is_array(a))
        return fail(e, "hello_flags: not an array");
    unsigned flags = 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *v = json_array_get(a, i);
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        unsigned bit = 0;
        for (size_t k = 0; s && k < sizeof flag_names / sizeof flag_names[0]; k++)
            if (strcmp(s, flag_names[k].name) == 0)
                bit = flag_names[k].bit;
        if (!bit)
            return fail(e, "hello_flags[%zu]: not one of reneg_ext, ems, ticket, status_request, sct, psk_modes, "
                           "ec_point_formats, etm, scsv_reneg, no_extensions", i);
        if (flags & bit)
            return fail(e, "hello_flags[%zu]: \"%s\" is listed twice", i, s);
        flags |= bit;
    }
    *out = flags;
    return 0;
}

/* RFC 7301 section 3.1: each protocol name is 1 to 255 bytes. */
static int get_alpn(perr *e, const json_t *o, const char **out)
{
    const json_t *v = field(e, o, "alpn");
    if (!v)
        return -1;
    if (json_is_null(v)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > MAX_ALPN_LEN ||
        strlen(json_string_value(v)) != json_string_length(v))
        return fail(e, "alpn: not null or a protocol list of 1 to %d characters", MAX_ALPN_LEN);
    const char *s = json_string_value(v);
    for (const char *p = s;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0)
            return fail(e, "alpn: empty protocol name in \"%s\"", s);
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = s;
    return 0;
}

static int check_id(perr *e, const json_t *o, size_t idx, const char **out)
{
    snprintf(e->where, sizeof e->where, "profile #%zu", idx);
    const json_t *v = json_object_get(o, "id");
    if (!v)
        return fail(e, "missing field \"id\"");
    if (!json_is_string(v))
        return fail(e, "id: not a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > MAX_ID_LEN || strlen(s) != n)
        return fail(e, "id: not 1 to %d characters", MAX_ID_LEN);
    /* Ids are typed on the command line (--client ID) and are stable: lower
     * case letters, digits, '.', '-' and '_', starting with a letter or a
     * digit. */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '.' || c == '-' || c == '_'));
        if (!ok)
            return fail(e, "id \"%s\": only a-z, 0-9, '.', '-' and '_' (not first) are allowed", s);
    }
    snprintf(e->where, sizeof e->where, "profile '%s'", s);
    *out = s;
    return 0;
}

static int parse_profile(perr *e, const json_t *o, size_t idx, td_client *c)
{
    if (!json_is_object(o)) {
        snprintf(e->where, sizeof e->where, "profile #%zu", idx);
        return fail(e, "not an object");
    }
    if (check_id(e, o, idx, &c->id) != 0)
        return -1;

    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)o, key, val) {
        bool known = false;
        for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
            if (strcmp(key, known_keys[i]) == 0)
                known = true;
        if (!known)
            return fail(e, "unknown field \"%s\"", key);
    }
    (void)val;
    const char *notes = NULL;
    if (json_object_get(o, "notes") && get_string(e, o, "notes", &notes) != 0)
        return -1;

    if (get_string(e, o, "name", &c->name) != 0 || get_string(e, o, "family", &c->family) != 0 ||
        get_string(e, o, "source", &c->source) != 0)
        return -1;
    bool fam = false;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strcmp(c->family, families[i]) == 0)
            fam = true;
    if (!fam)
        return fail(e, "family \"%s\": not one of browser, runtime, library, tool, os, embedded", c->family);

    if (get_list(e, o, "versions", L_VERSION, c->versions, TD_CLIENT_MAX_VERSIONS, &c->n_versions) != 0 ||
        get_list(e, o, "suites", L_SUITE, c->suites, TD_CLIENT_MAX_SUITES, &c->n_suites) != 0 ||
        get_list(e, o, "groups", L_GROUP, c->groups, TD_CLIENT_MAX_GROUPS, &c->n_groups) != 0 ||
        get_list(e, o, "key_shares", L_GROUP, c->key_shares, TD_CLIENT_MAX_SHARES, &c->n_key_shares) != 0 ||
        get_list(e, o, "sigalgs", L_SIGALG, c->sigalgs, TD_CLIENT_MAX_SIGALGS, &c->n_sigalgs) != 0)
        return -1;
    if (get_bool(e, o, "sni", &c->sni) != 0 || get_alpn(e, o, &c->alpn) != 0 ||
        get_flags(e, o, &c->hello_flags) != 0)
        return -1;

    const char *store = NULL;
    if (get_string(e, o, "store", &store) != 0)
        return -1;
    bool found = false;
    for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
        if (strcasecmp(store, stores[i].key) == 0 || strcasecmp(store, stores[i].name) == 0) {
            c->store = stores[i].kind;
            found = true;
        }
    if (!found)
        return fail(e, "store \"%s\": not one of system, mozilla, java, windows, apple, android, own", store);

    if (get_bool(e, o, "aia_fetch", &c->aia_fetch) != 0 || get_bool(e, o, "cn_fallback", &c->cn_fallback) != 0 ||
        get_bool(e, o, "sha1_ok", &c->sha1_ok) != 0 || get_bits(e, o, "min_rsa_bits", &c->min_rsa_bits) != 0 ||
        get_bits(e, o, "min_dh_bits", &c->min_dh_bits) != 0 || get_bits(e, o, "max_dh_bits", &c->max_dh_bits) != 0)
        return -1;
    if (c->max_dh_bits != 0 && c->max_dh_bits < c->min_dh_bits)
        return fail(e, "max_dh_bits %u is below min_dh_bits %u", c->max_dh_bits, c->min_dh_bits);

    /* ---- consistency: what td_hello_build and real servers need ---- */

    if (c->n_versions == 0)
        return fail(e, "versions: empty");
    for (size_t i = 1; i < c->n_versions; i++)
        if (c->versions[i] >= c->versions[i - 1])
            return fail(e, "versions: not highest first (%s after %s)", version_name(c->versions[i]),
                        version_name(c->versions[i - 1]));
    uint16_t max = c->versions[0];
    bool tls13 = max == TD_TLS13;

    if (c->n_suites == 0)
        return fail(e, "suites: empty");
    for (size_t i = 0; i < c->n_suites; i++) {
        const td_suite *s = td_suite_by_id(c->suites[i]);
        bool usable = false;
        for (size_t k = 0; k < c->n_versions; k++)
            if (c->versions[k] >= s->min_version && c->versions[k] <= s->max_version)
                usable = true;
        if (!usable)
            return fail(e, "suites[%zu]: %s works in none of the offered versions", i, s->iana);
    }
    /* A version is only really offered if some suite can be negotiated in
     * it: TLS 1.3 needs a TLS 1.3 suite (RFC 8446 section 4.1.2), the older
     * versions a suite of their own. */
    for (size_t k = 0; k < c->n_versions; k++) {
        bool any = false;
        for (size_t i = 0; i < c->n_suites && !any; i++) {
            const td_suite *s = td_suite_by_id(c->suites[i]);
            any = c->versions[k] >= s->min_version && c->versions[k] <= s->max_version;
        }
        if (!any)
            return fail(e, "versions: %s is offered but no listed suite works in it", version_name(c->versions[k]));
    }

    /* RFC 8446 section 9.2: a TLS 1.3 (EC)DHE hello carries supported_groups
     * and key_share, and section 4.2.8 says every share is for a group in
     * supported_groups. */
    if (tls13 && c->n_groups == 0)
        return fail(e, "groups: empty, but a TLS 1.3 client must send supported_groups");
    if (tls13 && c->n_key_shares == 0)
        return fail(e, "key_shares: empty, but this TLS 1.3 profile should send at least one share");
    if (!tls13 && c->n_key_shares > 0)
        return fail(e, "key_shares: only a TLS 1.3 hello carries key shares");
    for (size_t i = 0; i < c->n_key_shares; i++) {
        if (!in_list(c->groups, c->n_groups, c->key_shares[i]))
            return fail(e, "key_shares[%zu]: 0x%04x is not among the groups", i, c->key_shares[i]);
        const td_group *g = td_group_by_id(c->key_shares[i]);
        /* The hello builder generates real EC, X25519/X448 and FFDHE shares
         * only; a hybrid belongs in groups (see data/README.md). */
        if (g->kind != TD_GROUP_EC && g->kind != TD_GROUP_ECX && g->kind != TD_GROUP_FFDHE)
            return fail(e, "key_shares[%zu]: %s shares cannot be generated; list it in groups only", i, g->name);
    }
    /* RFC 5246 section 7.4.1.4.1 makes the extension optional for TLS 1.2
     * (defaulting to SHA-1), but every real TLS 1.2+ client sends it and RFC
     * 8446 section 4.2.3 requires it. */
    if (max >= TD_TLS12 && c->n_sigalgs == 0)
        return fail(e, "sigalgs: empty, but a TLS 1.2 or 1.3 client sends signature_algorithms");
    if (max < TD_TLS12 && c->n_sigalgs > 0)
        return fail(e, "sigalgs: signature_algorithms exists from TLS 1.2 on; this profile stops at %s",
                    version_name(max));

    if (c->hello_flags & TD_HELLO_NO_EXTENSIONS) {
        /* Such a hello cannot carry anything the other fields describe. */
        unsigned ext = c->hello_flags & ~(unsigned)(TD_HELLO_NO_EXTENSIONS | TD_HELLO_SCSV_RENEG);
        if (tls13 || c->sni || c->alpn || c->n_groups || c->n_sigalgs || ext)
            return fail(e, "hello_flags: no_extensions leaves no room for TLS 1.3, sni, alpn, groups, sigalgs "
                           "or other extension flags");
    }
    if ((c->hello_flags & TD_HELLO_PSK_MODES) && !tls13)
        return fail(e, "hello_flags: psk_modes is a TLS 1.3 extension");
    (void)notes;
    return 0;
}

/* ---- the file ---- */

void td_clients_free(td_client_set *s)
{
    if (!s)
        return;
    free(s->v);
    json_decref((json_t *)s->doc);
    s->v = NULL;
    s->n = 0;
    s->doc = NULL;
}

int td_clients_parse(const char *json, size_t len, td_client_set *out, char *err, size_t errlen)
{
    perr e = { .buf = err, .len = errlen };
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return -1;
    out->v = NULL;
    out->n = 0;
    out->doc = NULL;
    if (!json)
        return fail(&e, "no data");

    json_error_t jerr;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return fail(&e, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);

    const json_t *fmt = json_object_get(doc, "format");
    const json_t *list = json_object_get(doc, "clients");
    td_client *v = NULL;
    if (!json_is_object(doc)) {
        fail(&e, "the top level is not an object");
        goto out;
    }
    if (!json_is_integer(fmt) || json_integer_value(fmt) != 1) {
        fail(&e, "\"format\" is not 1");
        goto out;
    }
    const char *key;
    const json_t *val;
    json_object_foreach(doc, key, val) {
        if (strcmp(key, "format") != 0 && strcmp(key, "clients") != 0) {
            fail(&e, "unknown top-level field \"%s\"", key);
            goto out;
        }
    }
    (void)val;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        fail(&e, "\"clients\" is not a non-empty array");
        goto out;
    }
    size_t n = json_array_size(list);
    if (n > TD_CLIENTS_MAX_PROFILES) {
        fail(&e, "%zu profiles, more than %d", n, TD_CLIENTS_MAX_PROFILES);
        goto out;
    }
    v = calloc(n, sizeof *v);
    if (!v) {
        fail(&e, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_profile(&e, json_array_get(list, i), i, &v[i]) != 0)
            goto out;
        /* Lookups ignore case (--client JAVA-8), so ids must differ in more
         * than case. */
        for (size_t k = 0; k < i; k++)
            if (strcasecmp(v[k].id, v[i].id) == 0) {
                fail(&e, "id also used by profile #%zu", k);
                goto out;
            }
    }
    out->v = v;
    out->n = n;
    out->doc = doc;
    return 0;
out:
    free(v);
    json_decref(doc);
    return -1;
}

/* ---- the compiled-in profiles ---- */

static td_client_set loaded;
static bool load_tried;
static char load_error[320];

/* Parses once, on first use; the profiles then live for the whole process
 * (thread safety is not needed: the command reads them before starting its
 * event loop). */
static void load(void)
{
    if (load_tried)
        return;
    load_tried = true;
    td_clients_parse((const char *)td_clients_json, td_clients_json_len, &loaded, load_error, sizeof load_error);
}

const char *td_clients_error(void)
{
    load();
    return load_error;
}

size_t td_client_count(void)
{
    load();
    return loaded.n;
}

const td_client *td_client_at(size_t i)
{
    load();
    return i < loaded.n ? &loaded.v[i] : NULL;
}

size_t td_client_short_len(const char *name)
{
    if (!name)
        return 0;
    const char *par = strstr(name, " (");
    return par && par > name ? (size_t)(par - name) : strlen(name);
}

const td_client *td_client_by_id(const char *id)
{
    load();
    if (!id)
        return NULL;
    for (size_t i = 0; i < loaded.n; i++)
        if (strcasecmp(loaded.v[i].id, id) == 0)
            return &loaded.v[i];
    return NULL;
}

typedef struct level_row {
    td_client_level level;
    const char *name;
    const char *below; /* the clients it leaves out */
} level_row;

static const level_row levels[] = {
    { TD_LEVEL_OLD, "old", NULL },
    { TD_LEVEL_INTERMEDIATE, "intermediate", "end-of-life clients (TLS 1.1 and below)" },
    { TD_LEVEL_MODERN, "modern", "clients without TLS 1.3" },
};

static const level_row *level_at(td_client_level l)
{
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (levels[i].level == l)
            return &levels[i];
    return NULL;
}

td_client_level td_client_level_of(const td_client *c)
{
    uint16_t newest = 0;
    for (size_t i = 0; c && i < c->n_versions && i < TD_CLIENT_MAX_VERSIONS; i++)
        if (c->versions[i] > newest)
            newest = c->versions[i];
    /* RFC 8996 deprecates TLS 1.0 and 1.1: a client that stops there is
     * one a current server is expected to shut out. */
    return newest >= TD_TLS13 ? TD_LEVEL_MODERN : newest == TD_TLS12 ? TD_LEVEL_INTERMEDIATE : TD_LEVEL_OLD;
}

const char *td_client_level_name(td_client_level l)
{
    const level_row *r = level_at(l);
    return r ? r->name : "?";
}

int td_client_level_parse(const char *s, td_client_level *out)
{
    for (size_t i = 0; s && i < sizeof levels / sizeof levels[0]; i++)
        if (strcasecmp(s, levels[i].name) == 0) {
            *out = levels[i].level;
            return 0;
        }
    return -1;
}

const char *td_client_level_below(td_client_level l)
{
    const level_row *r = level_at(l);
    return r ? r->below : NULL;
}

void td_client_hello_spec(const td_client *c, const char *sni, td_hello_spec *sp)
{
    memset(sp, 0, sizeof *sp);
    uint16_t max = c->n_versions ? c->versions[0] : TD_TLS12;
    sp->version = max;
    if (max >= TD_TLS13) {
        /* RFC 8446 section 4.2.1: the real list travels in
         * supported_versions. */
        sp->versions = c->versions;
        sp->n_versions = c->n_versions;
        sp->key_shares = c->key_shares;
        sp->n_key_shares = c->n_key_shares;
    }
    if (max == TD_SSL3)
        sp->record_version = TD_SSL3;
    sp->suites = c->suites;
    sp->n_suites = c->n_suites;
    sp->groups = c->groups;
    sp->n_groups = c->n_groups;
    if (max >= TD_TLS12) {
        sp->sigalgs = c->sigalgs;
        sp->n_sigalgs = c->n_sigalgs;
    }
    sp->sni = c->sni ? sni : NULL;
    sp->alpn = c->alpn;
    sp->flags = c->hello_flags;
}
