/* The JSON report: td_obs and the findings, spelled out as docs/json.md
 * describes.  Keys are always present; null stands for "does not apply" or
 * "not known", so consumers never have to guess from a missing key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registry/registry.h"
#include "report/report.h"
#include "wire/tls.h"

/* Every builder failure (out of memory) lands in one flag, checked once. */
typedef struct jb {
    bool err;
} jb;

static json_t *chk(jb *j, json_t *v)
{
    if (!v)
        j->err = true;
    return v;
}

static void put(jb *j, json_t *obj, const char *key, json_t *v)
{
    if (!obj || !v || json_object_set_new(obj, key, v) != 0)
        j->err = true;
}

static void push(jb *j, json_t *arr, json_t *v)
{
    if (!arr || !v || json_array_append_new(arr, v) != 0)
        j->err = true;
}

/* Strings from the network (error texts, DNs) may not be UTF-8, which
 * jansson refuses; such bytes become '?' rather than losing the field. */
static json_t *jstr(jb *j, const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = td_strdup(s);
    if (!copy) {
        j->err = true;
        return NULL;
    }
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
            *p = '?';
    v = chk(j, json_string(copy));
    free(copy);
    return v;
}

static json_t *jstr_or_null(jb *j, const char *s)
{
    return s && *s ? jstr(j, s) : json_null();
}

static json_t *jint(jb *j, long long v)
{
    return chk(j, json_integer(v));
}

/* Milliseconds to a tenth: finer is noise, and negative means "never". */
static json_t *jms(jb *j, double ms)
{
    if (!(ms >= 0) || !isfinite(ms))
        return json_null();
    return chk(j, json_real(round(ms * 10.0) / 10.0));
}

static json_t *jtri(td_tri t)
{
    return t == TD_YES ? json_true() : t == TD_NO ? json_false() : json_null();
}

static json_t *jhex16(jb *j, uint16_t id)
{
    char buf[8];
    snprintf(buf, sizeof buf, "0x%04x", id);
    return jstr(j, buf);
}

static json_t *jversion(jb *j, uint16_t v)
{
    char buf[32];
    return v ? jstr(j, td_version_text(v, buf, sizeof buf)) : json_null();
}

static json_t *attempt_json(jb *j, const td_attempt *a)
{
    json_t *o = chk(j, json_object());
    put(j, o, "outcome", jstr(j, td_outcome_name(a->out)));
    put(j, o, "offered_version", jversion(j, a->offered_version));
    put(j, o, "hello_bytes", jint(j, (long long)a->hello_len));
    put(j, o, "sni", json_boolean(a->offered_sni));

    bool hello = a->out == TD_OUT_HELLO || a->out == TD_OUT_HRR;
    put(j, o, "version", jversion(j, a->version));
    char lbl[96];
    put(j, o, "suite", hello ? jstr(j, td_suite_name(a->suite, lbl, sizeof lbl)) : json_null());
    put(j, o, "group", a->group ? jstr(j, td_group_name(a->group, lbl, sizeof lbl)) : json_null());

    if (a->out == TD_OUT_ALERT || a->alert_level) {
        json_t *al = chk(j, json_object());
        const td_alert *d = td_alert_by_code(a->alert_desc);
        put(j, al, "level", jint(j, a->alert_level));
        put(j, al, "code", jint(j, a->alert_desc));
        put(j, al, "name", d ? jstr(j, d->name) : json_null());
        put(j, o, "alert", al);
    } else {
        put(j, o, "alert", json_null());
    }

    put(j, o, "protocol", a->out == TD_OUT_NOT_TLS ? jstr(j, a->protocol) : json_null());
    if (a->n_first) {
        char hex[2 * TD_FLIGHT_FIRST_BYTES + 1];
        size_t n = a->n_first < TD_FLIGHT_FIRST_BYTES ? a->n_first : TD_FLIGHT_FIRST_BYTES;
        td_hex_compact(a->first, n, hex, sizeof hex);
        put(j, o, "first_bytes_hex", jstr(j, hex));
    } else {
        put(j, o, "first_bytes_hex", json_null());
    }
    put(j, o, "error", jstr_or_null(j, td_attempt_error(a)));
    put(j, o, "connect_ms", jms(j, a->connect_ms));
    put(j, o, "first_byte_ms", jms(j, a->first_ms));
    put(j, o, "total_ms", jms(j, a->total_ms));
    return o;
}

static json_t *attempt_or_null(jb *j, const td_attempt *a)
{
    return a->out == TD_OUT_NOT_RUN ? json_null() : attempt_json(j, a);
}

static json_t *suite_json(jb *j, uint16_t id)
{
    json_t *o = chk(j, json_object());
    const td_suite *s = td_suite_by_id(id);
    put(j, o, "id", jhex16(j, id));
    put(j, o, "name", s ? jstr(j, s->iana) : json_null());
    put(j, o, "openssl", s ? jstr(j, s->openssl) : json_null());
    put(j, o, "class", s ? jstr(j, td_suite_class_name(s->cls)) : json_null());
    put(j, o, "kx", s ? jstr(j, td_kx_name(s->kx)) : json_null());
    put(j, o, "auth", s ? jstr(j, td_auth_name(s->auth)) : json_null());
    put(j, o, "bits", s ? jint(j, s->bits) : json_null());
    put(j, o, "forward_secrecy", s ? json_boolean(td_suite_fs(s)) : json_null());
    return o;
}

static json_t *versions_json(jb *j, const td_obs *obs)
{
    json_t *vs = chk(j, json_object());
    for (int i = 0; i < TD_NVERSIONS; i++) {
        json_t *v = chk(j, json_object());
        put(j, v, "supported", jtri(obs->version_ok[i]));
        put(j, v, "attempt", attempt_or_null(j, &obs->ver[i]));
        json_t *arr = chk(j, json_array());
        size_t n = obs->n_suites[i] < TD_MAX_SUITES ? obs->n_suites[i] : TD_MAX_SUITES;
        for (size_t k = 0; k < n; k++)
            push(j, arr, suite_json(j, obs->suites[i][k]));
        put(j, v, "suites", arr);
        put(j, v, "server_order", jtri(obs->server_order[i]));
        put(j, v, "complete", json_boolean(obs->suites_complete[i]));
        put(j, vs, td_version_name(td_vat(i)), v);
    }
    return vs;
}

static json_t *v2specs_json(jb *j, const td_obs *obs)
{
    json_t *arr = chk(j, json_array());
    size_t n = obs->n_v2_specs < TD_FLIGHT_MAX_V2SPECS ? obs->n_v2_specs : TD_FLIGHT_MAX_V2SPECS;
    for (size_t k = 0; k < n; k++) {
        const td_v2spec *s = td_v2spec_by_id(obs->v2_specs[k]);
        char id[12];
        snprintf(id, sizeof id, "0x%06x", (unsigned)obs->v2_specs[k]);
        json_t *o = chk(j, json_object());
        put(j, o, "id", jstr(j, id));
        put(j, o, "name", s ? jstr(j, s->name) : json_null());
        put(j, o, "class", s ? jstr(j, td_suite_class_name(s->cls)) : json_null());
        put(j, o, "bits", s ? jint(j, s->bits) : json_null());
        push(j, arr, o);
    }
    return arr;
}

static json_t *groups_json(jb *j, const td_obs *obs)
{
    json_t *arr = chk(j, json_array());
    size_t n = obs->n_groups < TD_MAX_GROUPS ? obs->n_groups : TD_MAX_GROUPS;
    for (size_t k = 0; k < n; k++) {
        const td_group *g = td_group_by_id(obs->groups[k]);
        json_t *o = chk(j, json_object());
        put(j, o, "id", jhex16(j, obs->groups[k]));
        put(j, o, "name", g ? jstr(j, g->name) : json_null());
        push(j, arr, o);
    }
    return arr;
}

static json_t *client_cert_json(jb *j, const td_obs *obs)
{
    json_t *o = chk(j, json_object());
    put(j, o, "requested", json_boolean(obs->cert_request));
    json_t *arr = chk(j, json_array());
    size_t n = obs->n_ca_names < TD_FLIGHT_MAX_CANAMES ? obs->n_ca_names : TD_FLIGHT_MAX_CANAMES;
    for (size_t k = 0; k < n; k++) {
        char dn[512];
        bool ok = obs->ca_names[k] && td_dn_text(obs->ca_names[k], obs->ca_name_len[k], dn, sizeof dn);
        push(j, arr, ok ? jstr(j, dn) : json_null());
    }
    put(j, o, "ca_names", arr);
    return o;
}

static json_t *certs_json(jb *j, const td_obs *obs)
{
    json_t *arr = chk(j, json_array());
    size_t n = obs->n_certs < TD_FLIGHT_MAX_CERTS ? obs->n_certs : TD_FLIGHT_MAX_CERTS;
    for (size_t k = 0; k < n; k++) {
        if (!obs->certs[k].der)
            continue;
        td_cert_text ct;
        td_cert_describe(obs->certs[k].der, obs->certs[k].len, &ct);
        json_t *o = chk(j, json_object());
        put(j, o, "der_sha256", jstr(j, ct.sha256));
        put(j, o, "subject", ct.parsed ? jstr(j, ct.subject) : json_null());
        put(j, o, "issuer", ct.parsed ? jstr(j, ct.issuer) : json_null());
        put(j, o, "not_before", jstr_or_null(j, ct.not_before));
        put(j, o, "not_after", jstr_or_null(j, ct.not_after));
        push(j, arr, o);
    }
    return arr;
}

static json_t *observations_json(jb *j, const td_obs *obs)
{
    json_t *o = chk(j, json_object());
    put(j, o, "dns_error", jstr_or_null(j, obs->dns_error));
    put(j, o, "baseline", attempt_json(j, &obs->baseline));
    put(j, o, "no_sni", attempt_or_null(j, &obs->nosni));
    put(j, o, "versions", versions_json(j, obs));
    put(j, o, "sslv2_specs", v2specs_json(j, obs));
    put(j, o, "groups", groups_json(j, obs));
    put(j, o, "groups_complete", json_boolean(obs->groups_complete));
    if (obs->dh_bits_min) {
        json_t *dh = chk(j, json_object());
        put(j, dh, "min", jint(j, obs->dh_bits_min));
        put(j, dh, "max", jint(j, obs->dh_bits_max));
        put(j, o, "dh_bits", dh);
    } else {
        put(j, o, "dh_bits", json_null());
    }
    put(j, o, "fallback_scsv", jtri(obs->fallback_scsv));
    put(j, o, "secure_renegotiation", jtri(obs->secure_reneg));
    json_t *vi = chk(j, json_object());
    put(j, vi, "oldstyle", attempt_or_null(j, &obs->oldstyle));
    put(j, vi, "bighello", attempt_or_null(j, &obs->bighello));
    put(j, vi, "futurever", attempt_or_null(j, &obs->futurever));
    put(j, o, "version_intolerance", vi);
    put(j, o, "client_cert_request", client_cert_json(j, obs));
    put(j, o, "certificates", certs_json(j, obs));
    put(j, o, "connections", jint(j, obs->connections));
    put(j, o, "elapsed_ms", jms(j, obs->elapsed_ms));
    put(j, o, "deadline_hit", json_boolean(obs->deadline_hit));
    return o;
}

static json_t *target_json(jb *j, const td_obs *obs)
{
    json_t *t = chk(j, json_object());
    put(j, t, "host", jstr(j, obs->host));
    put(j, t, "port", jint(j, obs->port));
    put(j, t, "sni", jstr_or_null(j, obs->sni));
    json_t *addrs = chk(j, json_array());
    size_t n = obs->n_addrs < TD_MAX_ADDRS ? obs->n_addrs : TD_MAX_ADDRS;
    for (size_t k = 0; k < n; k++)
        push(j, addrs, jstr(j, obs->addrs[k].text));
    put(j, t, "addresses", addrs);
    bool used = obs->addr_used >= 0 && (size_t)obs->addr_used < n;
    put(j, t, "address_used", used ? jstr(j, obs->addrs[obs->addr_used].text) : json_null());
    return t;
}

static json_t *findings_json(jb *j, const td_findings *fs)
{
    json_t *arr = chk(j, json_array());
    for (size_t k = 0; k < fs->n; k++) {
        const td_finding *f = &fs->v[k];
        json_t *o = chk(j, json_object());
        put(j, o, "id", jstr(j, f->id));
        put(j, o, "severity", jstr(j, td_severity_name(f->sev)));
        put(j, o, "summary", jstr(j, f->summary ? f->summary : ""));
        put(j, o, "evidence", jstr(j, f->evidence ? f->evidence : ""));
        put(j, o, "fix", jstr_or_null(j, f->fix));
        put(j, o, "verify", jstr_or_null(j, f->verify));
        push(j, arr, o);
    }
    return arr;
}

int td_report_write_json(const td_report *r, FILE *f)
{
    if (!r || !f)
        return -1;
    jb j = { false };
    json_t *root = chk(&j, json_object());
    put(&j, root, "tlsdiag", jstr(&j, td_version()));
    put(&j, root, "target", target_json(&j, &r->obs));

    td_verdict v = td_report_verdict(r);
    td_str line;
    td_str_init(&line);
    td_str_printf(&line, "%s  ", td_verdict_label(v));
    td_verdict_sentence(r, &line);
    if (line.err)
        j.err = true;
    char *text = td_str_take(&line);
    put(&j, root, "verdict", jstr(&j, td_verdict_name(v)));
    put(&j, root, "verdict_text", text ? jstr(&j, text) : NULL);
    free(text);

    put(&j, root, "findings", findings_json(&j, &r->findings));
    put(&j, root, "observations", observations_json(&j, &r->obs));

    int rc = -1;
    if (!j.err && json_dumpf(root, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(root);
    return rc;
}
