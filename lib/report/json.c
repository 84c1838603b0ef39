/* The JSON report: td_obs and the findings, spelled out as docs/json.md
 * describes.  Keys are always present; null stands for "does not apply" or
 * "not known", so consumers never have to guess from a missing key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/ocsp.h>
#include <openssl/x509_vfy.h>

#include "net/tlspipe.h"
#include "registry/registry.h"
#include "report/jbuild.h"
#include "report/json_int.h"
#include "report/report.h"
#include "starttls/starttls.h"
#include "util/utc.h"
#include "wire/tls.h"


json_t *td_jb_str(jb *j, const char *s)
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

static json_t *jstr(jb *j, const char *s)
{
    return td_jb_str(j, s);
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

/* Whether a cut connection was asked again (lib/probe/confirm.c); null
 * for a probe asked once. */
static json_t *retry_json(jb *j, const td_retry *r)
{
    if (r->tries < 2)
        return json_null();
    json_t *o = chk(j, json_object());
    put(j, o, "tries", jint(j, r->tries));
    put(j, o, "first_outcome", jstr(j, td_outcome_name(r->first_out)));
    put(j, o, "confirmed", json_boolean(r->confirmed));
    return o;
}

/* The greeting picked an upgrade that failed: the check stayed without it. */
static json_t *starttls_tried_json(jb *j, const td_obs *obs)
{
    json_t *o = chk(j, json_object());
    const td_starttls_info *st = td_starttls_for_banner(obs->baseline.protocol);
    put(j, o, "protocol", st ? jstr(j, st->name) : json_null());
    put(j, o, "auto", json_true());
    put(j, o, "greeting", jstr_or_null(j, obs->baseline.protocol));
    put(j, o, "failed", jstr(j, obs->starttls_tried));
    return o;
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
    put(j, o, "leadin", jstr_or_null(j, a->leadin));
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
    put(j, o, "leadin_ms", jms(j, a->leadin_ms));
    put(j, o, "first_byte_ms", jms(j, a->first_ms));
    put(j, o, "total_ms", jms(j, a->total_ms));
    put(j, o, "bytes_in", jint(j, (long long)a->bytes_in));
    put(j, o, "complete", json_boolean(a->complete));
    put(j, o, "retry", retry_json(j, &a->retry));
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
        bool ok = obs->ca_names[k] && td_cert_dn_der(obs->ca_names[k], obs->ca_name_len[k], dn, sizeof dn);
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

/* ---- full handshakes, certificates, trust ------------------------------- */

static json_t *jdepth(jb *j, int d)
{
    return d >= 0 ? jint(j, d) : json_null();
}

/* An alert as {code, name}; -1 (none) is null. */
static json_t *alert_code_json(jb *j, int code)
{
    if (code < 0 || code > 255)
        return json_null();
    json_t *o = chk(j, json_object());
    const td_alert *d = td_alert_by_code((uint8_t)code);
    put(j, o, "code", jint(j, code));
    put(j, o, "name", d ? jstr(j, d->name) : json_null());
    return o;
}

static json_t *ocsp_status_json(jb *j, int status)
{
    switch (status) {
    case V_OCSP_CERTSTATUS_GOOD: return jstr(j, "good");
    case V_OCSP_CERTSTATUS_REVOKED: return jstr(j, "revoked");
    case V_OCSP_CERTSTATUS_UNKNOWN: return jstr(j, "unknown");
    default: return json_null();
    }
}

/* One certificate as sent.  td_cert_info is kilobytes of SAN buffers, so
 * the caller lends one from the heap instead of each call taking stack. */
static json_t *chain_cert_json(jb *j, const td_cert *c, size_t index, td_cert_info *ci)
{
    json_t *o = chk(j, json_object());
    char why[160] = "";
    bool ok = c->der && td_cert_info_from_der(td_cert_der(c), ci, why, sizeof why) == 0;
    put(j, o, "index", jint(j, (long long)index));
    if (ok) {
        put(j, o, "sha256", jstr(j, ci->sha256));
    } else {
        td_cert_text ct;
        td_cert_describe(c->der, c->len, &ct);
        put(j, o, "sha256", jstr(j, ct.sha256));
    }
    put(j, o, "error", ok ? json_null() : jstr(j, why[0] ? why : "not a certificate"));
    put(j, o, "subject", ok ? jstr(j, ci->subject) : json_null());
    put(j, o, "issuer", ok ? jstr(j, ci->issuer) : json_null());
    put(j, o, "not_before", ok ? jstr_or_null(j, ci->not_before_iso) : json_null());
    put(j, o, "not_after", ok ? jstr_or_null(j, ci->not_after_iso) : json_null());
    put(j, o, "key_type", ok ? jstr(j, ci->key_type) : json_null());
    put(j, o, "key_bits", ok && ci->key_bits > 0 ? jint(j, ci->key_bits) : json_null());
    put(j, o, "key_curve", ok ? jstr_or_null(j, ci->key_curve) : json_null());
    put(j, o, "sig_alg", ok ? jstr(j, ci->sig_alg) : json_null());
    put(j, o, "sig_weak", ok ? json_boolean(ci->sig_weak) : json_null());
    json_t *sans = chk(j, json_array());
    size_t ns = ok ? (ci->n_san < TD_CERT_MAX_SAN ? ci->n_san : TD_CERT_MAX_SAN) : 0;
    for (size_t k = 0; k < ns; k++)
        push(j, sans, jstr(j, ci->san[k]));
    put(j, o, "sans", sans);
    put(j, o, "sans_total", ok ? jint(j, (long long)ci->n_san_total) : json_null());
    put(j, o, "is_ca", ok ? json_boolean(ci->is_ca) : json_null());
    put(j, o, "self_signed", ok ? json_boolean(ci->self_signed) : json_null());
    put(j, o, "aia_ca_issuers", ok ? jstr_or_null(j, ci->aia_ca_issuers) : json_null());
    put(j, o, "ocsp_url", ok ? jstr_or_null(j, ci->ocsp_url) : json_null());
    td_str pem;
    td_str_init(&pem);
    bool have = ok && td_cert_pem(c->der, c->len, &pem);
    if (pem.err)
        j->err = true;
    put(j, o, "pem", have && pem.s ? jstr(j, pem.s) : json_null());
    td_str_free(&pem);
    return o;
}

static json_t *chain_json(jb *j, const td_cert *chain, size_t n, td_cert_info *ci)
{
    json_t *arr = chk(j, json_array());
    if (n > TD_FLIGHT_MAX_CERTS)
        n = TD_FLIGHT_MAX_CERTS;
    for (size_t k = 0; k < n; k++)
        push(j, arr, chain_cert_json(j, &chain[k], k, ci));
    return arr;
}

static json_t *hs_json(jb *j, const td_hs *h, bool with_chain, td_cert_info *ci)
{
    if (h->out == TD_OUT_NOT_RUN)
        return json_null();
    json_t *o = chk(j, json_object());
    char lbl[96];
    put(j, o, "outcome", jstr(j, td_outcome_name(h->out)));
    put(j, o, "completed", json_boolean(h->done));
    put(j, o, "address", jstr_or_null(j, h->addr));
    put(j, o, "sni", jstr_or_null(j, h->sni));
    put(j, o, "version", jversion(j, h->version));
    put(j, o, "suite", h->suite ? jstr(j, td_suite_name(h->suite, lbl, sizeof lbl)) : json_null());
    put(j, o, "alpn", jstr_or_null(j, h->alpn));
    put(j, o, "alert_received", alert_code_json(j, h->alert_received));
    put(j, o, "alert_sent", alert_code_json(j, h->alert_sent));
    put(j, o, "error", jstr_or_null(j, h->error));
    json_t *ocsp = chk(j, json_object());
    put(j, ocsp, "stapled", json_boolean(h->ocsp_stapled));
    put(j, ocsp, "status", h->ocsp_stapled ? ocsp_status_json(j, h->ocsp_status) : json_null());
    put(j, o, "ocsp", ocsp);
    put(j, o, "client_cert_requested", json_boolean(h->cert_request));
    json_t *names = chk(j, json_array());
    size_t nn = h->n_ca_names < TD_HS_MAX_CANAMES ? h->n_ca_names : TD_HS_MAX_CANAMES;
    for (size_t k = 0; k < nn; k++)
        push(j, names, jstr(j, h->ca_names[k]));
    put(j, o, "ca_names", names);
    put(j, o, "client_cert_sent", json_boolean(h->client_cert_sent));
    put(j, o, "resumed", json_boolean(h->resumed));
    put(j, o, "ticket", json_boolean(h->ticket));
    put(j, o, "session_id", json_boolean(h->session_id));
    put(j, o, "ms", jms(j, h->ms));
    put(j, o, "chain_length", jint(j, (long long)h->n_chain));
    put(j, o, "chain", with_chain ? chain_json(j, h->chain, h->n_chain, ci) : json_null());
    put(j, o, "retry", retry_json(j, &h->retry));
    return o;
}

static json_t *backend_json(jb *j, const td_hs *h, td_cert_info *ci)
{
    json_t *o = chk(j, json_object());
    char lbl[96];
    put(j, o, "address", jstr_or_null(j, h->addr));
    put(j, o, "outcome", jstr(j, td_outcome_name(h->out)));
    put(j, o, "version", jversion(j, h->version));
    put(j, o, "suite", h->suite ? jstr(j, td_suite_name(h->suite, lbl, sizeof lbl)) : json_null());
    const td_cert *leaf = td_hs_leaf(h);
    bool ok = leaf && td_cert_info_from_der(td_cert_der(leaf), ci, NULL, 0) == 0;
    if (leaf && !ok) {
        td_cert_text ct;
        td_cert_describe(leaf->der, leaf->len, &ct);
        put(j, o, "leaf_sha256", jstr(j, ct.sha256));
    } else {
        put(j, o, "leaf_sha256", ok ? jstr(j, ci->sha256) : json_null());
    }
    put(j, o, "leaf_subject", ok ? jstr(j, ci->subject) : json_null());
    put(j, o, "error", jstr_or_null(j, h->error));
    put(j, o, "retry", retry_json(j, &h->retry));
    return o;
}

static json_t *backends_json(jb *j, const td_obs *obs, td_cert_info *ci)
{
    json_t *arr = chk(j, json_array());
    if (obs->hs.out != TD_OUT_NOT_RUN)
        push(j, arr, backend_json(j, &obs->hs, ci));
    size_t n = obs->n_backends < TD_MAX_BACKENDS ? obs->n_backends : TD_MAX_BACKENDS;
    for (size_t k = 0; k < n; k++)
        push(j, arr, backend_json(j, &obs->backends[k], ci));
    return arr;
}

/* What the check saw of a limit on connections, and how it slowed down. */
static json_t *limit_json(jb *j, const td_limit *l)
{
    json_t *o = chk(j, json_object());
    bool cut = l->first_cut != TD_OUT_NOT_RUN;
    put(j, o, "cuts", jint(j, l->cuts));
    put(j, o, "answered_before_first_cut", cut ? jint(j, l->answered_first) : json_null());
    put(j, o, "first_cut", cut ? jstr(j, td_outcome_name(l->first_cut)) : json_null());
    put(j, o, "first_cut_ms", cut ? jms(j, l->first_cut_ms) : json_null());
    put(j, o, "vanished", jint(j, l->vanished));
    put(j, o, "blocks", jint(j, l->blocks));
    put(j, o, "longest_block_ms", l->blocks ? jms(j, l->block_ms) : json_null());
    put(j, o, "random", json_boolean(l->random));
    put(j, o, "silence_cut_ms", l->quick_step_s > 0 ? jms(j, l->quick_step_s * 1000.0) : json_null());
    put(j, o, "rate", l->rate > 0 ? json_real(round(l->rate * 100.0) / 100.0) : json_null());
    put(j, o, "requested_rate", l->user_rate > 0 ? json_real(l->user_rate) : json_null());
    put(j, o, "untested", jint(j, l->limited));
    return o;
}

/* The proxy every connection went through; null without one. */
static json_t *proxy_json(jb *j, const td_obs *obs, td_cert_info *ci)
{
    const td_obs_proxy *p = &obs->proxy;
    if (!p->used)
        return json_null();
    json_t *o = chk(j, json_object());
    put(j, o, "url", jstr(j, p->url));
    put(j, o, "scheme", jstr(j, td_proxy_scheme_name(p->scheme)));
    put(j, o, "from", jstr(j, p->from));
    put(j, o, "credentials", json_boolean(p->auth));
    put(j, o, "dns_error", jstr_or_null(j, p->dns_error));
    put(j, o, "address", jstr_or_null(j, p->addr));
    put(j, o, "target_resolved_by_proxy", json_boolean(p->scheme != TD_PROXY_SOCKS5));
    json_t *session = json_null();
    if (p->scheme == TD_PROXY_HTTPS) {
        session = chk(j, json_object());
        put(j, session, "cacert", jstr_or_null(j, p->cacert));
        put(j, session, "insecure", json_boolean(p->insecure));
    }
    put(j, o, "tls", session);
    put(j, o, "tunnels", jint(j, p->stats.up));
    put(j, o, "refused", jint(j, p->stats.refused));
    const td_proxy_fail *f = &p->stats.first;
    if (p->stats.refused) {
        json_t *r = chk(j, json_object());
        bool in_tls = f->kind == TD_PXF_TLS;
        put(j, r, "kind", jstr(j, td_pxf_kind_name(f->kind)));
        put(j, r, "code", f->code && !in_tls ? jint(j, f->code) : json_null());
        put(j, r, "tls_fault", in_tls ? jstr(j, td_pipe_fault_name((td_pipe_fault)f->code)) : json_null());
        put(j, r, "reason", jstr_or_null(j, f->reason));
        put(j, r, "proxy_authenticate", jstr_or_null(j, f->authenticate));
        put(j, o, "first_refusal", r);
    } else {
        put(j, o, "first_refusal", json_null());
    }
    put(j, o, "direct_handshake", p->direct.out == TD_OUT_NOT_RUN ? json_null() : hs_json(j, &p->direct, true, ci));
    put(j, o, "direct_note", jstr_or_null(j, p->direct_note));
    return o;
}

static json_t *path_json(jb *j, const td_path *p)
{
    if (!td_path_done(p))
        return json_null();
    json_t *o = chk(j, json_object());
    put(j, o, "verdict", jstr(j, td_path_verdict_name(p->verdict)));
    put(j, o, "trust", jstr(j, td_path_verdict_name(p->trust)));
    bool failed = p->x509_err != X509_V_OK;
    put(j, o, "x509_error", failed ? jstr(j, p->x509_err_text) : json_null());
    put(j, o, "x509_error_code", jint(j, p->x509_err));
    put(j, o, "depth", failed ? jdepth(j, p->depth) : json_null());
    bool strict = p->verdict == TD_PATH_OK && p->strict_err != X509_V_OK;
    put(j, o, "strict_error", strict ? jstr_or_null(j, p->strict_err_text) : json_null());
    json_t *certs = chk(j, json_array());
    size_t n = p->n < TD_PATH_MAX ? p->n : TD_PATH_MAX;
    for (size_t k = 0; k < n; k++) {
        json_t *c = chk(j, json_object());
        put(j, c, "subject", jstr(j, p->subjects[k]));
        put(j, c, "source", jstr(j, td_path_src_name(p->src[k])));
        push(j, certs, c);
    }
    put(j, o, "certificates", certs);
    put(j, o, "used_extra", json_boolean(p->used_extra));
    put(j, o, "top_subject", jstr_or_null(j, p->top_subject));
    put(j, o, "top_in_store", json_boolean(p->top_in_store));
    put(j, o, "top_is_ca", json_boolean(p->top_is_ca));
    put(j, o, "missing_issuer", jstr_or_null(j, p->missing_issuer));
    put(j, o, "missing_issuer_aia", jstr_or_null(j, p->missing_issuer_aia));
    put(j, o, "missing_issuer_in_store", json_boolean(p->missing_issuer_in_store));
    put(j, o, "expired_depth", jdepth(j, p->expired_depth));
    put(j, o, "not_yet_valid_depth", jdepth(j, p->not_yet_valid_depth));
    put(j, o, "weak_sig_depth", jdepth(j, p->weak_sig_depth));
    put(j, o, "weak_sig_alg", p->weak_sig_depth >= 0 ? jstr_or_null(j, p->weak_sig_alg) : json_null());
    put(j, o, "small_key_depth", jdepth(j, p->small_key_depth));
    return o;
}

static json_t *trust_json(jb *j, const td_obs *obs)
{
    json_t *o = chk(j, json_object());
    put(j, o, "store", jstr_or_null(j, obs->store_name));
    put(j, o, "store_error", jstr_or_null(j, obs->store_error));
    char when[32] = "";
    if (obs->now > 0)
        td_utc_iso(obs->now, when, sizeof when);
    put(j, o, "now", jstr_or_null(j, when));
    put(j, o, "warn_days", jint(j, obs->warn_days));
    put(j, o, "path", path_json(j, &obs->path));
    put(j, o, "path_with_aia", obs->aia_tried ? path_json(j, &obs->path_aia) : json_null());
    if (obs->aia_tried) {
        json_t *a = chk(j, json_object());
        put(j, a, "url", jstr_or_null(j, obs->aia_url));
        put(j, a, "fetched", json_boolean(obs->aia_cert.der && obs->aia_cert.len > 0));
        put(j, a, "error", jstr_or_null(j, obs->aia_error));
        put(j, o, "aia", a);
    } else {
        put(j, o, "aia", json_null());
    }
    return o;
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

    td_cert_info *ci = malloc(sizeof *ci);
    if (!ci) {
        j->err = true;
        return o;
    }
    put(j, o, "handshake", hs_json(j, &obs->hs, true, ci));
    put(j, o, "handshake_no_sni", hs_json(j, &obs->hs_nosni, true, ci));
    put(j, o, "handshake_client_cert", hs_json(j, &obs->hs_client, false, ci));
    put(j, o, "handshake_resume", hs_json(j, &obs->hs_resume, false, ci));
    put(j, o, "backends", backends_json(j, obs, ci));
    put(j, o, "proxy", proxy_json(j, obs, ci));
    free(ci);
    put(j, o, "proxy_bypassed_by", jstr_or_null(j, obs->proxy_bypass));
    put(j, o, "trust", trust_json(j, obs));
    put(j, o, "alpn_offered", jstr_or_null(j, obs->alpn_offered));
    put(j, o, "clients_level", jstr(j, td_client_level_name(obs->clients_level)));
    json_t *pv = chk(j, json_object());
    put(j, pv, "count", jint(j, obs->n_violations));
    put(j, pv, "first", attempt_or_null(j, &obs->violation));
    put(j, o, "protocol_violations", pv);
    put(j, o, "handshake_completed", json_boolean(td_obs_handshake_done(obs)));
    put(j, o, "connections", jint(j, obs->connections));
    put(j, o, "elapsed_ms", jms(j, obs->elapsed_ms));
    put(j, o, "deadline_hit", json_boolean(obs->deadline_hit));
    put(j, o, "connection_limit", limit_json(j, &obs->limit));
    return o;
}

/* The upgrade every connection went through, or null. */
static json_t *starttls_json(jb *j, const td_obs *obs)
{
    if (!obs->starttls)
        return obs->starttls_tried[0] ? starttls_tried_json(j, obs) : json_null();
    json_t *o = chk(j, json_object());
    put(j, o, "protocol", jstr(j, obs->starttls->name));
    put(j, o, "auto", json_boolean(obs->starttls_auto));
    put(j, o, "greeting", obs->starttls_auto ? jstr(j, obs->starttls_banner) : json_null());
    put(j, o, "failed", json_null());
    return o;
}

static json_t *target_json(jb *j, const td_obs *obs)
{
    json_t *t = chk(j, json_object());
    put(j, t, "host", jstr(j, obs->host));
    put(j, t, "port", jint(j, obs->port));
    put(j, t, "sni", jstr_or_null(j, obs->sni));
    put(j, t, "starttls", starttls_json(j, obs));
    json_t *addrs = chk(j, json_array());
    size_t n = obs->n_addrs < TD_MAX_ADDRS ? obs->n_addrs : TD_MAX_ADDRS;
    for (size_t k = 0; k < n; k++)
        push(j, addrs, jstr(j, obs->addrs[k].text));
    put(j, t, "addresses", addrs);
    bool used = obs->addr_used >= 0 && (size_t)obs->addr_used < n;
    put(j, t, "address_used", used ? jstr(j, obs->addrs[obs->addr_used].text) : json_null());
    return t;
}

/* One finding, as every JSON report spells it: its location and edit
 * only where it has them (`tlsdiag lint`). */
static json_t *finding_json(jb *j, const td_findings *fs, size_t k, const char *client)
{
    const td_finding *f = &fs->v[k];
    json_t *o = chk(j, json_object());
    put(j, o, "id", jstr(j, td_id_name(f->id)));
    put(j, o, "severity", jstr(j, td_severity_name(f->sev)));
    /* The typed cause, where a finding has one (CLIENT_INCOMPATIBLE):
     * a stable token, and the client profile it is about. */
    if (td_reason_token(f->reason))
        put(j, o, "reason_code", jstr(j, td_reason_token(f->reason)));
    if (client)
        put(j, o, "client", jstr(j, client));
    put(j, o, "summary", jstr(j, f->summary ? f->summary : ""));
    put(j, o, "evidence", jstr(j, f->evidence ? f->evidence : ""));
    put(j, o, "fix", jstr_or_null(j, f->fix));
    put(j, o, "verify", jstr_or_null(j, f->verify));
    bool linked = f->symptom_of >= 0 && (size_t)f->symptom_of < fs->n && f->symptom_of != (int)k;
    put(j, o, "symptom_of", linked ? jint(j, f->symptom_of) : json_null());
    if (f->loc.file) {
        json_t *loc = chk(j, json_object());
        put(j, loc, "file", jstr(j, f->loc.file));
        put(j, loc, "line", jint(j, f->loc.line));
        put(j, o, "location", loc);
        json_t *ed = json_null();
        if (f->edit.text) {
            ed = chk(j, json_object());
            put(j, ed, "file", jstr(j, f->edit.file));
            put(j, ed, "replace", f->edit.start == f->edit.end ? json_null() : jint(j, (long long)(f->edit.end - f->edit.start)));
            put(j, ed, "text", jstr(j, f->edit.text));
        }
        put(j, o, "edit", ed);
    }
    return o;
}

json_t *td_finding_json(const td_findings *fs, size_t k)
{
    jb j = { false };
    json_t *o = finding_json(&j, fs, k, NULL);
    if (j.err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *findings_json(jb *j, const td_findings *fs, const td_obs *obs)
{
    json_t *arr = chk(j, json_array());
    for (size_t k = 0; k < fs->n; k++) {
        const td_finding *f = &fs->v[k];
        const char *client = NULL;
        if (obs && f->client >= 0 && (size_t)f->client < obs->n_sims && f->client < TD_MAX_CLIENTS &&
            obs->sims[f->client].client && obs->sims[f->client].client->id)
            client = obs->sims[f->client].client->id;
        push(j, arr, finding_json(j, fs, k, client));
    }
    return arr;
}

static json_t *root_cause_json(jb *j, const td_findings *fs)
{
    if (fs->root_cause < 0 || (size_t)fs->root_cause >= fs->n)
        return json_null();
    const td_finding *f = &fs->v[fs->root_cause];
    json_t *o = chk(j, json_object());
    put(j, o, "index", jint(j, fs->root_cause));
    put(j, o, "id", jstr(j, td_id_name(f->id)));
    put(j, o, "summary", jstr(j, f->summary ? f->summary : ""));
    return o;
}

json_t *td_json_findings(const td_findings *fs, const td_obs *obs, bool *err)
{
    jb j = { false };
    json_t *v = findings_json(&j, fs, obs);
    *err |= j.err;
    return v;
}

json_t *td_json_root_cause(const td_findings *fs, bool *err)
{
    jb j = { false };
    json_t *v = root_cause_json(&j, fs);
    *err |= j.err;
    return v;
}

static const char *cv_result(td_cv_result r)
{
    return r == TD_CV_OK ? "ok" : r == TD_CV_FAIL ? "fail" : "unknown";
}

static json_t *clients_json(jb *j, const td_client_table *t)
{
    json_t *arr = chk(j, json_array());
    size_t n = t->n < TD_MAX_CLIENTS ? t->n : TD_MAX_CLIENTS;
    for (size_t k = 0; k < n; k++) {
        const td_client_verdict *v = &t->v[k];
        json_t *o = chk(j, json_object());
        char lbl[96];
        bool ok = v->result == TD_CV_OK;
        put(j, o, "id", jstr(j, v->client && v->client->id ? v->client->id : ""));
        put(j, o, "name", jstr(j, v->client && v->client->name ? v->client->name : ""));
        put(j, o, "level", jstr(j, td_client_level_name(td_client_level_of(v->client))));
        put(j, o, "below_level", json_boolean(v->below_level));
        put(j, o, "result", jstr(j, cv_result(v->result)));
        put(j, o, "step", ok ? json_null() : jstr_or_null(j, v->step));
        put(j, o, "reason", ok ? json_null() : jstr_or_null(j, v->reason));
        if (v->result == TD_CV_FAIL)
            put(j, o, "reason_code", jstr_or_null(j, td_reason_token(v->reason_code)));
        put(j, o, "version", jversion(j, v->version));
        put(j, o, "suite", v->suite ? jstr(j, td_suite_name(v->suite, lbl, sizeof lbl)) : json_null());
        put(j, o, "group", v->group ? jstr(j, td_group_name(v->group, lbl, sizeof lbl)) : json_null());
        push(j, arr, o);
    }
    return arr;
}

json_t *td_report_to_json(const td_report *r)
{
    if (!r)
        return NULL;
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

    put(&j, root, "root_cause", root_cause_json(&j, &r->findings));
    put(&j, root, "findings", findings_json(&j, &r->findings, &r->obs));
    put(&j, root, "clients", clients_json(&j, &r->clients));
    put(&j, root, "observations", observations_json(&j, &r->obs));

    if (j.err) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int td_report_write_json(const td_report *r, FILE *f)
{
    if (!f)
        return -1;
    json_t *root = td_report_to_json(r);
    if (!root)
        return -1;
    int rc = -1;
    if (json_dumpf(root, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(root);
    return rc;
}
