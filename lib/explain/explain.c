/* `tlsdiag explain`: the public API of include/tlsdiag.h over the matcher
 * (a source), the rules and the reporters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag/fixes.h"
#include "explain/explain_int.h"
#include "registry/registry.h"
#include "util/str.h"

td_explain *td_explain_new(void)
{
    td_explain *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    td_xfacts_init(&x->facts);
    x->code_alert = -1;
    x->kb = td_kb_get();
    if (!x->kb)
        td_errbuf(x->err, sizeof x->err, "%s", td_kb_error() ? td_kb_error() : "no knowledge loaded");
    return x;
}

void td_explain_free(td_explain *x)
{
    if (!x)
        return;
    free(x->check_target);
    free(x->live_evidence);
    free(x->live_other);
    free(x);
}

const char *td_explain_error(const td_explain *x)
{
    return x && x->err[0] ? x->err : NULL;
}

/* The line as evidence: printable ASCII only (the input may be any bytes),
 * leading blanks dropped, cut at TD_X_EVIDENCE. */
static void evidence(char *out, const char *raw, size_t len)
{
    size_t i = 0, n = 0;
    while (i < len && isspace((unsigned char)raw[i]))
        i++;
    for (; i < len && n + 4 < TD_X_EVIDENCE; i++)
        out[n++] = raw[i] >= 0x20 && raw[i] < 0x7f ? raw[i] : '?';
    if (i < len)
        memcpy(out + n, "...", 3), n += 3;
    out[n] = '\0';
}

static void add_line(td_explain *x, const char *raw, size_t len, char *norm)
{
    x->lines++;
    if (len > TD_X_MAX_LINE) {
        x->lines_long++;
        return;
    }
    if (memchr(raw, '\0', len)) {
        x->lines_nul++;
        return;
    }
    td_xnorm(raw, len, norm, len + 1);
    td_xhit hits[32];
    td_xfacts_scan(&x->facts, raw, norm, len);
    size_t n = td_xmatch_line(x->kb, norm, len, &x->facts, hits, 32);
    if (n)
        x->lines_matched++;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < x->nseen && x->seen[j].hit.pat != hits[i].pat)
            j++;
        if (j < x->nseen) {
            x->seen[j].count++;
            continue;
        }
        if (x->nseen == TD_X_MAX_HITS)
            continue;
        td_xseen *s = &x->seen[x->nseen++];
        s->hit = hits[i];
        s->line = x->lines;
        s->count = 1;
        evidence(s->evidence, raw, len);
    }
    x->judged = false;
}

td_status td_explain_add_text(td_explain *x, const char *text, size_t len)
{
    if (!x)
        return TD_ERR_USAGE;
    if (!x->kb)
        return TD_ERR_INTERNAL;
    if (!text)
        len = 0;
    char *norm = malloc(TD_X_MAX_LINE + 1);
    if (!norm) {
        td_errbuf(x->err, sizeof x->err, "out of memory");
        return TD_ERR_INTERNAL;
    }
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t m = n;
        if (m && p[m - 1] == '\r')
            m--;
        add_line(x, p, m, norm);
        p += n + (nl ? 1 : 0);
    }
    free(norm);
    return TD_OK;
}

/* The text a code stands for, run through the same matcher: `explain x509
 * 20` is the line "verify error:num=20:", `explain openssl 0A000086` the
 * line "error:0A000086:", `explain curl 60` the line "curl: (60)". */
td_status td_explain_add_code(td_explain *x, const char *kind, const char *code)
{
    if (!x)
        return TD_ERR_USAGE;
    if (!x->kb)
        return TD_ERR_INTERNAL;
    char line[96];
    unsigned long v = 0;
    char *end = NULL;
    if (!kind || !code || !*code) {
        td_errbuf(x->err, sizeof x->err, "a code needs a kind and a value, e.g. 'alert 48'");
        return TD_ERR_USAGE;
    }
    bool hex = !strcasecmp(kind, "openssl");
    v = strtoul(code, &end, hex ? 16 : 10);
    if (!end || *end || isspace((unsigned char)*code) || *code == '-' || *code == '+') {
        td_errbuf(x->err, sizeof x->err, "'%.40s' is not a %s code", code, hex ? "hexadecimal" : "decimal");
        return TD_ERR_USAGE;
    }
    if (!strcasecmp(kind, "alert")) {
        if (v > 255 || !td_alert_by_code((uint8_t)v)) {
            td_errbuf(x->err, sizeof x->err, "%lu is not a TLS alert (see RFC 8446 section 6)", v);
            return TD_ERR_USAGE;
        }
        snprintf(line, sizeof line, "SSL alert number %lu", v);
        x->code_alert = (int)v;
    } else if (!strcasecmp(kind, "x509")) {
        if (v == 0 || v > 1000 || !td_kb_x509(x->kb, (int)v)) {
            td_errbuf(x->err, sizeof x->err, "%lu is not an X.509 verify code this OpenSSL knows", v);
            return TD_ERR_USAGE;
        }
        snprintf(line, sizeof line, "verify error:num=%lu:", v);
    } else if (hex) {
        int r = v <= 0xffffffffUL ? td_xossl_reason(v) : -1;
        if (r < 0 && v < 0x800000UL)
            r = (int)v; /* a bare reason code */
        if (r < 0 || !td_kb_ssl(x->kb, r)) {
            td_errbuf(x->err, sizeof x->err, "%.40s is not an OpenSSL SSL error code this OpenSSL knows", code);
            return TD_ERR_USAGE;
        }
        snprintf(line, sizeof line, "error:%08X:", (20u << 23) | (unsigned)r);
    } else if (!strcasecmp(kind, "curl")) {
        if (v == 0 || v > 200) {
            td_errbuf(x->err, sizeof x->err, "%lu is not a curl exit code", v);
            return TD_ERR_USAGE;
        }
        snprintf(line, sizeof line, "curl: (%lu)", v);
    } else {
        td_errbuf(x->err, sizeof x->err, "unknown kind of code '%.40s': alert, x509, openssl or curl", kind);
        return TD_ERR_USAGE;
    }
    unsigned before = x->lines_matched;
    td_status st = td_explain_add_text(x, line, strlen(line));
    if (st == TD_OK && x->lines_matched == before) {
        td_errbuf(x->err, sizeof x->err, "%s %.40s: no pattern knows this code", kind, code);
        return TD_ERR_USAGE;
    }
    return st;
}

static void judge(td_explain *x)
{
    if (x->judged)
        return;
    td_xhit hits[TD_X_MAX_HITS];
    for (size_t i = 0; i < x->nseen; i++)
        hits[i] = x->seen[i].hit;
    td_xrules(hits, x->nseen, TD_XSIDE_UNKNOWN, &x->v);
    x->judged = true;
}

td_status td_explain_run(td_explain *x)
{
    if (!x)
        return TD_ERR_USAGE;
    if (!x->kb)
        return TD_ERR_INTERNAL;
    judge(x);
    return TD_OK;
}

size_t td_explain_candidate_count(const td_explain *x)
{
    if (!x || !x->judged)
        return 0;
    if (x->checked && x->confirmed != TD_ID_NONE)
        return 1;
    return x->v.ncands;
}

/* The candidates as the answer gives them: after --check, the confirmed
 * one alone. */
const td_xcand *td_explain_cand(const td_explain *x, size_t i)
{
    if (i >= td_explain_candidate_count(x))
        return NULL;
    if (x->checked && x->confirmed != TD_ID_NONE)
        for (size_t k = 0; k < x->v.ncands; k++)
            if (x->v.cands[k].id == x->confirmed)
                return &x->v.cands[k];
    return &x->v.cands[i];
}

const char *td_explain_candidate_id(const td_explain *x, size_t i)
{
    const td_xcand *c = td_explain_cand(x, i);
    return c ? td_id_name(c->id) : NULL;
}

bool td_explain_verification_disabled(const td_explain *x)
{
    if (!x)
        return false;
    if (x->facts.disabled_how)
        return true;
    for (size_t i = 0; i < x->nseen; i++)
        if (x->seen[i].hit.pat->disabled)
            return true;
    return false;
}

const char *td_explain_fix(td_id id)
{
    const td_kb *kb = td_kb_get();
    const char *f = kb ? kb->causes[id].fix : NULL;
    if (!f)
        f = td_fix(id);
    return f ? f : "Run the check below: it names the fault on the server and its fix.";
}

char *td_explain_why(const td_explain *x, const td_xcand *c, bool quote)
{
    const td_kb *kb = x->kb;
    const char *why = kb && kb->causes[c->id].why ? kb->causes[c->id].why : td_id_name(c->id);
    td_str s;
    td_str_init(&s);
    td_str_add(&s, why);
    for (size_t i = 0; quote && i < x->nseen; i++) {
        if (x->seen[i].hit.pat != c->from)
            continue;
        td_str_printf(&s, "; %s says \"%s\"", td_xsw_label(c->from->software), x->seen[i].evidence);
        if (c->alert >= 0)
            td_str_printf(&s, " (alert %d, %s)", c->alert, td_alert_name(c->alert, "unknown"));
        break;
    }
    if (x->checked && c->id == x->confirmed && x->live_evidence)
        td_str_printf(&s, "; confirmed by tlsdiag check: %s", x->live_evidence);
    return td_str_take(&s);
}

static bool is_ip(const char *h)
{
    return h[0] == '[' || strspn(h, "0123456789.") == strlen(h) || strchr(h, ':');
}

/* The target and SNI of the deciding check; false when the text names no
 * host. */
static bool target(const td_explain *x, char *buf, size_t len, const char **sni)
{
    const td_xfacts *f = &x->facts;
    const char *host = f->host[0] ? f->host : f->sni[0] ? f->sni : NULL;
    *sni = NULL;
    if (!host)
        return false;
    snprintf(buf, len, "%s:%u", host, f->port ? f->port : 443u);
    if (f->sni[0] && strcmp(f->sni, host) != 0 && (is_ip(host) || f->host[0]))
        *sni = f->sni;
    return true;
}

char *td_explain_next_command(const td_explain *x)
{
    char t[TD_X_HOST_MAX + 16];
    const char *sni = NULL;
    td_str s;
    td_str_init(&s);
    td_str_add(&s, "tlsdiag check");
    bool named = target(x, t, sizeof t, &sni);
    if (sni)
        td_str_printf(&s, " --sni %s", sni);
    if (x->judged && x->v.step == TD_XSTEP_CLIENT_CERT && x->v.writer == TD_XSIDE_CLIENT)
        td_str_add(&s, " --cert client.pem --key client.key");
    td_str_printf(&s, " %s", named ? t : x->facts.port ? "HOST" : "HOST:PORT");
    if (!named && x->facts.port)
        td_str_printf(&s, ":%u", x->facts.port);
    return td_str_take(&s);
}

td_status td_explain_check_options(const td_explain *x, td_options *o)
{
    char t[TD_X_HOST_MAX + 16];
    const char *sni = NULL;
    if (!x || !o)
        return TD_ERR_USAGE;
    if (!target(x, t, sizeof t, &sni))
        return TD_ERR_USAGE;
    if (td_options_set_target(o, t) != TD_OK)
        return TD_ERR_USAGE;
    if (sni && td_options_set_sni(o, sni) != TD_OK)
        return TD_ERR_USAGE;
    return TD_OK;
}

bool td_explain_recognised(const td_explain *x)
{
    return x && x->lines_matched > 0;
}

td_status td_explain_narrow(td_explain *x, const td_report *r)
{
    char t[TD_X_HOST_MAX + 16];
    const char *sni = NULL;
    if (!x || !r)
        return TD_ERR_USAGE;
    judge(x);
    x->checked = true;
    x->confirmed = TD_ID_NONE;
    free(x->check_target);
    free(x->live_evidence);
    free(x->live_other);
    if (!target(x, t, sizeof t, &sni))
        snprintf(t, sizeof t, "the server");
    x->check_target = td_strdup(t);
    x->live_evidence = x->live_other = NULL;
    size_t nf = td_report_finding_count(r);
    for (size_t c = 0; c < x->v.ncands && x->confirmed == TD_ID_NONE; c++) {
        for (size_t i = 0; i < nf; i++) {
            const char *sev = td_report_finding_severity(r, i);
            if (strcmp(td_report_finding_id(r, i), td_id_name(x->v.cands[c].id)) != 0 || strcmp(sev, "info") == 0)
                continue;
            x->confirmed = x->v.cands[c].id;
            x->live_evidence = td_strdup(td_report_finding_summary(r, i));
            break;
        }
    }
    td_str other;
    td_str_init(&other);
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(td_report_finding_severity(r, i), "fail") != 0 ||
            td_id_by_name(td_report_finding_id(r, i)) == x->confirmed)
            continue;
        td_str_printf(&other, "%s%s: %s", other.len ? "; " : "", td_report_finding_id(r, i),
                      td_report_finding_summary(r, i));
    }
    x->live_other = other.len ? td_str_take(&other) : (td_str_free(&other), NULL);
    return TD_OK;
}
