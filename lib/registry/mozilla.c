/* Mozilla's server-side TLS guidelines, from data/mozilla/ (compiled in
 * by scripts/embed.sh), parsed once.  Every suite and version name must be
 * one the registry knows: a typo in the data fails test_mozilla, never a
 * lint. */
#include "registry/mozilla.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "registry/registry.h"
#include "util/str.h"
#include "wire/tls.h"

extern const unsigned char td_mozilla_json[];
extern const size_t td_mozilla_json_len;

static const struct {
    const char *name;
    uint16_t v;
} version_names[] = { { "TLSv1", TD_TLS10 }, { "TLSv1.1", TD_TLS11 }, { "TLSv1.2", TD_TLS12 }, { "TLSv1.3", TD_TLS13 } };

static int suites(json_t *arr, uint16_t *out, size_t cap, size_t *n, const char *what, char *err, size_t errcap)
{
    size_t i;
    json_t *v;
    *n = 0;
    if (!json_is_array(arr)) {
        td_errbuf(err, errcap, "%s is not a list", what);
        return -1;
    }
    json_array_foreach(arr, i, v) {
        const td_suite *s = json_is_string(v) ? td_suite_by_name(json_string_value(v)) : NULL;
        if (!s || *n >= cap) {
            td_errbuf(err, errcap, "%s[%zu]: not a known cipher suite", what, i);
            return -1;
        }
        out[(*n)++] = s->id;
    }
    return 0;
}

static int join(json_t *arr, char *out, size_t cap, const char *what, char *err, size_t errcap)
{
    size_t i;
    json_t *v;
    td_str s;
    td_str_init(&s);
    td_str_add(&s, "");
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            td_errbuf(err, errcap, "%s[%zu] is not a string", what, i);
            td_str_free(&s);
            return -1;
        }
        td_str_printf(&s, "%s%s", i ? ":" : "", json_string_value(v));
    }
    int rc = s.err || s.len >= cap ? -1 : 0;
    if (rc)
        td_errbuf(err, errcap, "%s is too long", what);
    else
        memcpy(out, s.s, s.len + 1);
    td_str_free(&s);
    return rc;
}

static int profile(json_t *o, const char *name, td_moz_profile *p, char *err, size_t cap)
{
    char what[64];
    size_t i;
    json_t *v;
    *p = (td_moz_profile){ 0 };
    td_errbuf(p->name, sizeof p->name, "%s", name);
    json_t *vers = json_object_get(o, "tls_versions");
    json_array_foreach(vers, i, v) {
        size_t k = 0;
        while (k < 4 && !(json_is_string(v) && strcmp(json_string_value(v), version_names[k].name) == 0))
            k++;
        if (k == 4 || p->n_versions >= 6) {
            td_errbuf(err, cap, "%s: tls_versions[%zu]: not a version", name, i);
            return -1;
        }
        p->versions[p->n_versions++] = version_names[k].v;
    }
    snprintf(what, sizeof what, "%s: ciphers_iana", name);
    if (suites(json_object_get(o, "ciphers_iana"), p->suites12, TD_MOZ_MAX_SUITES, &p->n12, what, err, cap) != 0)
        return -1;
    snprintf(what, sizeof what, "%s: ciphersuites", name);
    if (suites(json_object_get(o, "ciphersuites"), p->suites13, 8, &p->n13, what, err, cap) != 0 ||
        join(json_object_get(o, "ciphersuites"), p->tls13_names, sizeof p->tls13_names, what, err, cap) != 0)
        return -1;
    snprintf(what, sizeof what, "%s: ciphers_openssl", name);
    if (join(json_object_get(o, "ciphers_openssl"), p->openssl12, sizeof p->openssl12, what, err, cap) != 0)
        return -1;
    json_array_foreach(json_object_get(o, "tls_curves"), i, v)
        if (json_is_string(v) && p->n_curves < 8)
            td_errbuf(p->curves[p->n_curves++], sizeof p->curves[0], "%s", json_string_value(v));
    json_array_foreach(json_object_get(o, "certificate_types"), i, v) {
        p->cert_rsa |= json_is_string(v) && strcmp(json_string_value(v), "rsa") == 0;
        p->cert_ecdsa |= json_is_string(v) && strcmp(json_string_value(v), "ecdsa") == 0;
    }
    p->rsa_key_size = (int)json_integer_value(json_object_get(o, "rsa_key_size"));
    p->max_lifespan_days = (int)json_integer_value(json_object_get(o, "maximum_certificate_lifespan"));
    p->ocsp_staple = json_is_true(json_object_get(o, "ocsp_staple"));
    p->server_preferred_order = json_is_true(json_object_get(o, "server_preferred_order"));
    if (!p->n_versions || (!p->cert_rsa && !p->cert_ecdsa)) {
        td_errbuf(err, cap, "%s: no tls_versions or certificate_types", name);
        return -1;
    }
    return 0;
}

int td_moz_parse(const char *text, size_t len, td_moz *out, char *err, size_t cap)
{
    static const char *names[] = { "modern", "intermediate", "old" };
    json_error_t je;
    *out = (td_moz){ 0 };
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) {
        td_errbuf(err, cap, "line %d: %s", je.line, je.text);
        return -1;
    }
    int rc = -1;
    const char *src = json_string_value(json_object_get(root, "source"));
    const char *ver = json_string_value(json_object_get(root, "version"));
    json_t *confs = json_object_get(root, "configurations");
    if (!src || !ver || !json_is_object(confs)) {
        td_errbuf(err, cap, "source, version or configurations missing");
        goto out;
    }
    td_errbuf(out->source, sizeof out->source, "%s", src);
    td_errbuf(out->version, sizeof out->version, "%s", ver);
    for (size_t i = 0; i < 3; i++) {
        json_t *o = json_object_get(confs, names[i]);
        if (!json_is_object(o)) {
            td_errbuf(err, cap, "no profile %s", names[i]);
            goto out;
        }
        if (profile(o, names[i], &out->p[i], err, cap) != 0)
            goto out;
    }
    out->n = 3;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static td_moz loaded;
static char load_error[256];
static bool load_ok;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    load_ok = td_moz_parse((const char *)td_mozilla_json, td_mozilla_json_len, &loaded, load_error,
                           sizeof load_error) == 0;
}

const td_moz *td_mozilla(void)
{
    pthread_once(&once, load);
    return load_ok ? &loaded : NULL;
}

const td_moz_profile *td_moz_profile_by_name(const char *name, char *err, size_t cap)
{
    const td_moz *m = td_mozilla();
    if (!m) {
        if (err)
            td_errbuf(err, cap, "the Mozilla guidelines do not load: %s", load_error);
        return NULL;
    }
    for (size_t i = 0; name && i < m->n; i++)
        if (strcasecmp(m->p[i].name, name) == 0)
            return &m->p[i];
    if (err)
        td_errbuf(err, cap, "--profile is modern, intermediate or old, not '%.40s'", name ? name : "");
    return NULL;
}
