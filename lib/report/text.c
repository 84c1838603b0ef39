/* The report for a person in an outage: the verdict first, then where the
 * handshake broke, then what to do, then the raw facts for the curious.
 * Everything is built in memory and written once, so a failed write is
 * reported instead of leaving half a report looking complete. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "report/report.h"
#include "wire/tls.h"

#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"
#define C_BOLD   "\033[1m"
#define C_RESET  "\033[0m"

#define MARK_OK  "\u2713"
#define MARK_BAD "\u2717"

#define LABEL_W 20 /* width of the step and observation labels */
#define MAX_ADDRS_SHOWN 4
#define NOT_TLS_SHOWN 24 /* bytes of a non-TLS answer quoted in the handshake steps */

typedef struct out {
    td_str b;
    bool color;
} out;

static void paint(out *o, const char *code, const char *text)
{
    if (o->color)
        td_str_printf(&o->b, "%s%s%s", code, text, C_RESET);
    else
        td_str_add(&o->b, text);
}

static void heading(out *o, const char *title)
{
    td_str_add(&o->b, "\n");
    paint(o, C_BOLD, title);
    td_str_add(&o->b, "\n");
}

/* One handshake step: a mark, a label, and what happened there. */
static void step(out *o, bool ok, const char *label, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void step(out *o, bool ok, const char *label, const char *fmt, ...)
{
    td_str_add(&o->b, "  ");
    paint(o, ok ? C_GREEN : C_RED, ok ? MARK_OK : MARK_BAD);
    td_str_printf(&o->b, " %-*s", LABEL_W - 2, label);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&o->b, fmt, ap);
    va_end(ap);
    td_str_add(&o->b, "\n");
}

/* A label and a value, for the observations. */
static void fact(out *o, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fact(out *o, const char *label, const char *fmt, ...)
{
    td_str_printf(&o->b, "  %-*s", LABEL_W, label);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&o->b, fmt, ap);
    va_end(ap);
    td_str_add(&o->b, "\n");
}

static const char *alert_name(uint8_t code)
{
    const td_alert *a = td_alert_by_code(code);
    return a ? a->name : "unknown alert";
}

static const char *tri_word(td_tri t)
{
    return t == TD_YES ? "yes" : t == TD_NO ? "no" : "?";
}

static void step_dns(out *o, const td_obs *obs, bool *ok)
{
    *ok = false;
    if (obs->host_is_ip) {
        step(o, true, "DNS", "not needed: %s is an address", obs->host);
        *ok = true;
        return;
    }
    if (obs->dns_error[0]) {
        step(o, false, "DNS", "%s: %s", obs->host, obs->dns_error);
        return;
    }
    if (obs->n_addrs == 0) {
        /* neither an error nor an address: resolution did not finish */
        step(o, false, "DNS", "%s: not resolved", obs->host);
        return;
    }
    td_str list;
    td_str_init(&list);
    size_t n = obs->n_addrs < TD_MAX_ADDRS ? obs->n_addrs : TD_MAX_ADDRS;
    for (size_t i = 0; i < n && i < MAX_ADDRS_SHOWN; i++)
        td_str_printf(&list, "%s%s", i ? ", " : "", obs->addrs[i].text);
    if (n > MAX_ADDRS_SHOWN)
        td_str_printf(&list, " and %zu more", n - MAX_ADDRS_SHOWN);
    step(o, true, "DNS", "%s \u2192 %s", obs->host, list.s ? list.s : "");
    td_str_free(&list);
    *ok = true;
}

/* The TCP step; false when the baseline broke there. */
static bool step_tcp(out *o, const td_obs *obs, const td_attempt *a)
{
    char where[sizeof obs->host + 8];
    const char *addr = obs->host;
    if (obs->addr_used >= 0 && (size_t)obs->addr_used < obs->n_addrs && obs->addr_used < TD_MAX_ADDRS)
        addr = obs->addrs[obs->addr_used].text;
    if (strchr(addr, ':'))
        snprintf(where, sizeof where, "[%s]:%u", addr, (unsigned)obs->port);
    else
        snprintf(where, sizeof where, "%s:%u", addr, (unsigned)obs->port);

    const char *err = td_attempt_error(a);
    switch (a->out) {
    case TD_OUT_REFUSED:
        step(o, false, "TCP connect", "%s refused: nothing listens there, or a firewall rejects", where);
        return false;
    case TD_OUT_CONNECT_TIMEOUT:
        step(o, false, "TCP connect", "%s: no answer to SYN after %.0f ms (filtered, wrong address or host down)",
             where, a->total_ms);
        return false;
    case TD_OUT_UNREACHABLE:
        step(o, false, "TCP connect", "%s unreachable%s%s", where, err ? ": " : "", err ? err : "");
        return false;
    case TD_OUT_DEADLINE:
        if (a->connect_ms < 0) {
            step(o, false, "TCP connect", "%s: no connection before the deadline", where);
            return false;
        }
        break;
    case TD_OUT_ERROR:
        if (a->connect_ms < 0) {
            step(o, false, "TCP connect", "%s: %s", where, err ? err : "local error");
            return false;
        }
        break;
    default:
        break;
    }
    step(o, true, "TCP connect", "%s in %.0f ms", where, a->connect_ms);
    return true;
}

/* Up to NOT_TLS_SHOWN bytes as text: printable ASCII as is, line ends
 * escaped, anything else as '.', so nothing the peer sent reaches the
 * terminal raw. */
static void printable(const uint8_t *p, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < NOT_TLS_SHOWN && o + 3 < len; i++) {
        if (p[i] == '\n' || p[i] == '\r') {
            buf[o++] = '\\';
            buf[o++] = p[i] == '\n' ? 'n' : 'r';
        } else {
            buf[o++] = (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"') ? (char)p[i] : '.';
        }
    }
    buf[o] = '\0';
}

/* The server's answer to the ClientHello; false when it broke there. */
static bool step_server_hello(out *o, const td_attempt *a)
{
    char sb[96], gb[64], vb[32];
    const char *err = td_attempt_error(a);
    switch (a->out) {
    case TD_OUT_HELLO:
        if (a->group)
            step(o, true, "ServerHello", "%s, %s, %s", td_version_text(a->version, vb, sizeof vb),
                 td_suite_name(a->suite, sb, sizeof sb), td_group_name(a->group, gb, sizeof gb));
        else
            step(o, true, "ServerHello", "%s, %s", td_version_text(a->version, vb, sizeof vb),
                 td_suite_name(a->suite, sb, sizeof sb));
        return true;
    case TD_OUT_HRR:
        step(o, true, "HelloRetryRequest", "the server asks for a key share for %s",
             a->group ? td_group_name(a->group, gb, sizeof gb) : "another group");
        return true;
    case TD_OUT_SSLV2:
        step(o, true, "ServerHello", "SSLv2 SERVER-HELLO");
        return true;
    case TD_OUT_ALERT: {
        const td_alert *al = td_alert_by_code(a->alert_desc);
        step(o, false, "ServerHello", "%s alert %s (%u) instead%s%s",
             a->alert_level == 1 ? "warning" : "fatal", alert_name(a->alert_desc), (unsigned)a->alert_desc,
             al && al->meaning ? ": " : "", al && al->meaning ? al->meaning : "");
        return false;
    }
    case TD_OUT_RESET:
        step(o, false, "ServerHello", "connection reset (TCP RST) after %.0f ms, no TLS alert", a->total_ms);
        return false;
    case TD_OUT_CLOSED:
        step(o, false, "ServerHello", "connection closed (FIN) after %.0f ms, no TLS alert", a->total_ms);
        return false;
    case TD_OUT_TIMEOUT:
        step(o, false, "ServerHello", "no answer after %.0f ms", a->total_ms);
        return false;
    case TD_OUT_NOT_TLS: {
        /* A banner says more as text than as hex; unknown bytes need both. */
        char text[4 * NOT_TLS_SHOWN + 1];
        printable(a->first, a->n_first, text, sizeof text);
        if (a->protocol) {
            step(o, false, "ServerHello", "not TLS: the port speaks %s (it sent \"%s\")", a->protocol, text);
        } else {
            td_str hex;
            td_str_init(&hex);
            td_str_hex(&hex, a->first, a->n_first < NOT_TLS_SHOWN ? a->n_first : NOT_TLS_SHOWN);
            step(o, false, "ServerHello", "not TLS: unrecognised bytes %s (\"%s\")", hex.s ? hex.s : "", text);
            td_str_free(&hex);
        }
        return false;
    }
    case TD_OUT_MALFORMED:
        step(o, false, "ServerHello", "malformed TLS reply%s%s", err ? ": " : "", err ? err : "");
        return false;
    case TD_OUT_DEADLINE:
        step(o, false, "ServerHello", "not finished before the deadline");
        return false;
    default:
        step(o, false, "ServerHello", "%s%s%s", td_outcome_name(a->out), err ? ": " : "", err ? err : "");
        return false;
    }
}

/* The rest of a TLS 1.2-and-below first flight, as far as it was seen. */
static void steps_flight(out *o, const td_obs *obs, const td_attempt *a)
{
    if (a->version == TD_TLS13) {
        td_str_printf(&o->b, "    %-*s%s\n", LABEL_W - 2, "", "(the rest of a TLS 1.3 handshake is encrypted)");
        return;
    }
    if (a->out != TD_OUT_HELLO || a->version == TD_SSL2)
        return;
    if (obs->n_certs)
        step(o, true, "Certificate", "%zu certificate%s", obs->n_certs, obs->n_certs > 1 ? "s" : "");
    const td_suite *s = td_suite_by_id(a->suite);
    if (s && (s->kx == TD_KX_ECDHE || s->kx == TD_KX_DHE || s->kx == TD_KX_ECDHE_PSK || s->kx == TD_KX_DHE_PSK)) {
        char gb[64];
        if (a->group)
            step(o, true, "ServerKeyExchange", "%s", td_group_name(a->group, gb, sizeof gb));
        else if (obs->dh_bits_min)
            step(o, true, "ServerKeyExchange", "DHE, %u-bit group", (unsigned)obs->dh_bits_min);
        else
            step(o, true, "ServerKeyExchange", "%s", td_kx_name(s->kx));
    }
    if (obs->cert_request)
        step(o, true, "CertificateRequest", "client certificate requested (%zu CA name%s)", obs->n_ca_names,
             obs->n_ca_names == 1 ? "" : "s");
    step(o, true, "ServerHelloDone", "end of the server's first flight");
}

static void handshake(out *o, const td_obs *obs)
{
    const td_attempt *a = &obs->baseline;
    heading(o, "Handshake");
    bool ok;
    step_dns(o, obs, &ok);
    if (!ok)
        return;
    if (a->out == TD_OUT_NOT_RUN) {
        td_str_add(&o->b, "  (no connection was attempted)\n");
        return;
    }
    if (!step_tcp(o, obs, a))
        return;
    char vb[32];
    step(o, true, "ClientHello", "%zu bytes, offering %s, %s%s", a->hello_len,
         a->offered_version ? td_version_text(a->offered_version, vb, sizeof vb) : "?", a->offered_sni ? "SNI " : "no SNI",
         a->offered_sni ? obs->sni : "");
    if (step_server_hello(o, a))
        steps_flight(o, obs, a);
}

/* Continuation lines of a multi-line value line up under its first line. */
static void indented(out *o, const char *label, const char *text)
{
    if (!text || !*text)
        return;
    td_str_printf(&o->b, "       %-10s", label);
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            if (p[1])
                td_str_printf(&o->b, "\n       %-10s", "");
            continue;
        }
        td_str_printf(&o->b, "%c", *p);
    }
    td_str_add(&o->b, "\n");
}

static void findings(out *o, const td_findings *fs)
{
    heading(o, "Findings");
    if (fs->n == 0) {
        td_str_add(&o->b, "  none\n");
        return;
    }
    for (size_t i = 0; i < fs->n; i++) {
        const td_finding *f = &fs->v[i];
        const char *tag = f->sev == TD_SEV_FAIL ? "[FAIL]" : f->sev == TD_SEV_WARN ? "[WARN]" : "[INFO]";
        const char *col = f->sev == TD_SEV_FAIL ? C_RED : f->sev == TD_SEV_WARN ? C_YELLOW : C_CYAN;
        if (i)
            td_str_add(&o->b, "\n");
        paint(o, col, tag);
        td_str_printf(&o->b, " %s  %s\n", f->id, f->summary ? f->summary : "");
        indented(o, "evidence:", f->evidence);
        indented(o, "fix:", f->fix);
        indented(o, "verify:", f->verify);
    }
}

static void suite_line(out *o, const char *name, bool weak, td_suite_class cls)
{
    td_str_printf(&o->b, "    %s", name);
    if (weak) {
        char mark[32];
        snprintf(mark, sizeof mark, "  [weak: %s]", td_suite_class_name(cls));
        paint(o, C_YELLOW, mark);
    }
    td_str_add(&o->b, "\n");
}

static void suites_of(out *o, const td_obs *obs, int i)
{
    const char *name = td_version_name(td_vat(i));
    td_str_printf(&o->b, "  %s suites%s%s:\n", name,
                  obs->server_order[i] == TD_YES ? " (server's order)" : "",
                  obs->suites_complete[i] ? "" : " (enumeration incomplete)");
    if (td_vat(i) == TD_SSL2) {
        size_t n = obs->n_v2_specs < TD_FLIGHT_MAX_V2SPECS ? obs->n_v2_specs : TD_FLIGHT_MAX_V2SPECS;
        for (size_t k = 0; k < n; k++) {
            const td_v2spec *s = td_v2spec_by_id(obs->v2_specs[k]);
            char lbl[32];
            snprintf(lbl, sizeof lbl, "unknown (0x%06x)", (unsigned)obs->v2_specs[k]);
            suite_line(o, s ? s->name : lbl, s && s->cls <= TD_CLASS_3DES, s ? s->cls : TD_CLASS_NULL);
        }
        return;
    }
    size_t n = obs->n_suites[i] < TD_MAX_SUITES ? obs->n_suites[i] : TD_MAX_SUITES;
    for (size_t k = 0; k < n; k++) {
        char lbl[96];
        const td_suite *s = td_suite_by_id(obs->suites[i][k]);
        suite_line(o, td_suite_name(obs->suites[i][k], lbl, sizeof lbl), s && td_suite_weak(s),
                   s ? s->cls : TD_CLASS_NULL);
    }
}

static void observations(out *o, const td_obs *obs)
{
    heading(o, "Observations");
    td_str row;
    td_str_init(&row);
    for (int i = TD_NVERSIONS - 1; i >= 0; i--)
        td_str_printf(&row, "%s%s %s", i == TD_NVERSIONS - 1 ? "" : ", ", td_version_name(td_vat(i)),
                      tri_word(obs->version_ok[i]));
    fact(o, "Versions", "%s", row.s ? row.s : "");
    td_str_free(&row);

    for (int i = TD_NVERSIONS - 1; i >= 0; i--)
        if (obs->version_ok[i] == TD_YES)
            suites_of(o, obs, i);

    td_str_init(&row);
    size_t ng = obs->n_groups < TD_MAX_GROUPS ? obs->n_groups : TD_MAX_GROUPS;
    for (size_t k = 0; k < ng; k++) {
        char gb[64];
        td_str_printf(&row, "%s%s", k ? ", " : "", td_group_name(obs->groups[k], gb, sizeof gb));
    }
    fact(o, "Groups", "%s%s", ng ? row.s : "none seen", ng && !obs->groups_complete ? " (incomplete)" : "");
    td_str_free(&row);

    if (!obs->dh_bits_min)
        fact(o, "DH group", "no DHE key exchange seen");
    else if (obs->dh_bits_min == obs->dh_bits_max)
        fact(o, "DH group", "%u bits", (unsigned)obs->dh_bits_min);
    else
        fact(o, "DH group", "%u to %u bits", (unsigned)obs->dh_bits_min, (unsigned)obs->dh_bits_max);
    fact(o, "Fallback SCSV", "%s", tri_word(obs->fallback_scsv));
    fact(o, "Secure reneg.", "%s", tri_word(obs->secure_reneg));
    if (obs->cert_request)
        fact(o, "Client cert", "requested, %zu acceptable CA name%s", obs->n_ca_names,
             obs->n_ca_names == 1 ? "" : "s");
    if (obs->n_certs && obs->certs[0].der) {
        td_cert_text ct;
        td_cert_describe(obs->certs[0].der, obs->certs[0].len, &ct);
        if (ct.parsed)
            fact(o, "Certificate", "%s, valid until %s (%zu in chain)", ct.subject,
                 ct.not_after[0] ? ct.not_after : "?", obs->n_certs);
        else
            fact(o, "Certificate", "unparseable leaf, sha256 %s (%zu in chain)", ct.sha256, obs->n_certs);
    }
    char took[32];
    if (obs->elapsed_ms < 1000)
        snprintf(took, sizeof took, "%.0f ms", obs->elapsed_ms);
    else
        snprintf(took, sizeof took, "%.1f s", obs->elapsed_ms / 1000.0);
    fact(o, "Probes", "%u connection%s in %s%s", obs->connections, obs->connections == 1 ? "" : "s", took,
         obs->deadline_hit ? "; the deadline cut the run short, results are incomplete" : "");
}

int td_report_write_text(const td_report *r, FILE *f, bool color)
{
    if (!r || !f)
        return -1;
    out o = { .color = color };
    td_str_init(&o.b);

    td_verdict v = td_report_verdict(r);
    const char *col = v == TD_VERDICT_FAIL ? C_RED : v == TD_VERDICT_WARN ? C_YELLOW : C_GREEN;
    if (color)
        td_str_printf(&o.b, "%s%s%s%s  ", C_BOLD, col, td_verdict_label(v), C_RESET);
    else
        td_str_printf(&o.b, "%s  ", td_verdict_label(v));
    td_verdict_sentence(r, &o.b);
    td_str_add(&o.b, "\n");

    handshake(&o, &r->obs);
    findings(&o, &r->findings);
    observations(&o, &r->obs);

    int rc = -1;
    if (!o.b.err && o.b.s && fputs(o.b.s, f) != EOF)
        rc = 0;
    td_str_free(&o.b);
    return rc;
}
